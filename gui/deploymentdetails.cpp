#include "deploymentdetails.h"

#include "prefectclient.h"
#include "prefectreply.h"
#include "rundurationchart.h"
#include "statecolors.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QLabel *makeValueLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText); // deployment text is data, never markup
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QPlainTextEdit *makeJsonView(const QString &objectName, QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(objectName);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}

QString prettyJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed();
}

QString localTime(const QDateTime &utc)
{
    return utc.isValid() ? QLocale().toString(utc.toLocalTime(), QLocale::ShortFormat) : QString();
}

} // namespace

DeploymentDetails::DeploymentDetails(QWidget *parent)
    : QWidget(parent)
    , m_title(makeValueLabel(QStringLiteral("deploymentTitle"), this))
    , m_description(makeValueLabel(QStringLiteral("deploymentDescription"), this))
    , m_entrypoint(makeValueLabel(QStringLiteral("deploymentEntrypoint"), this))
    , m_workPool(makeValueLabel(QStringLiteral("deploymentWorkPool"), this))
    , m_tags(makeValueLabel(QStringLiteral("deploymentTags"), this))
    , m_defaultParameters(makeJsonView(QStringLiteral("defaultParameters"), this))
    , m_parameterSchema(makeJsonView(QStringLiteral("parameterSchema"), this))
    , m_runsStatus(makeValueLabel(QStringLiteral("runsStatus"), this))
    , m_runList(new QTreeWidget(this))
    , m_chart(new RunDurationChart(this))
    , m_launch(new QPushButton(tr("Launch..."), this))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);

    auto *fields = new QFormLayout;
    fields->addRow(tr("Description:"), m_description);
    fields->addRow(tr("Entrypoint:"), m_entrypoint);
    fields->addRow(tr("Work pool:"), m_workPool);
    fields->addRow(tr("Tags:"), m_tags);

    auto *parameters = new QTabWidget(this);
    parameters->addTab(m_defaultParameters, tr("Default parameters"));
    parameters->addTab(m_parameterSchema, tr("Parameter schema"));

    m_runList->setObjectName(QStringLiteral("recentRuns"));
    m_runList->setRootIsDecorated(false);
    m_runList->setUniformRowHeights(true);
    m_runList->setHeaderLabels({tr("Run"), tr("State"), tr("Start"), tr("Duration")});
    m_runList->header()->setStretchLastSection(false);
    m_runList->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (const int column : {1, 2, 3})
        m_runList->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_runList->setMaximumHeight(180);

    m_launch->setObjectName(QStringLiteral("launchButton"));
    m_launch->setEnabled(false);
    connect(m_launch, &QPushButton::clicked, this, [this] { emit launchRequested(m_deployment); });
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_launch);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(fields);
    layout->addWidget(parameters, 1);
    layout->addWidget(new QLabel(tr("Last runs"), this));
    layout->addWidget(m_runsStatus);
    layout->addWidget(m_runList);
    layout->addWidget(m_chart);
    layout->addLayout(buttons);
}

void DeploymentDetails::setDeployment(const Deployment &deployment, PrefectClient *client)
{
    dropRunsLoad();
    m_deployment = deployment;
    m_title->setText(deployment.fullName());
    const QString description = deployment.description();
    m_description->setText(description.isEmpty() ? tr("(none)") : description);
    m_entrypoint->setText(deployment.entrypoint());
    m_workPool->setText(deployment.workPoolName());
    m_tags->setText(deployment.tags().join(QLatin1String(", ")));
    m_defaultParameters->setPlainText(prettyJson(deployment.defaultParameters()));
    m_parameterSchema->setPlainText(prettyJson(deployment.parameterSchema()));
    m_launch->setEnabled(!deployment.id.isEmpty());
    showRuns({});

    if (!client || deployment.id.isEmpty()) {
        m_runsStatus->clear();
        return;
    }
    m_runsStatus->setText(tr("Loading runs..."));
    m_runsReply = client->listFlowRuns(deployment.id, recentRunCount);
    connect(m_runsReply, &PrefectReply::finished, this, [this, reply = m_runsReply] {
        m_runsReply.clear();
        if (reply->hasError()) {
            m_runsStatus->setText(tr("Could not load runs: %1").arg(reply->error().toString()));
            emit runsFailed(reply->error());
            return;
        }
        const QList<FlowRun> runs = reply->flowRuns();
        showRuns(runs);
        m_runsStatus->setText(runs.isEmpty() ? tr("No runs yet") : QString());
        m_runsStatus->setVisible(runs.isEmpty());
        emit runsLoaded(runs);
    });
}

void DeploymentDetails::clear()
{
    setDeployment({}, nullptr);
    m_title->clear();
    m_description->clear();
}

void DeploymentDetails::dropRunsLoad()
{
    if (m_runsReply) {
        disconnect(m_runsReply, nullptr, this, nullptr);
        m_runsReply->deleteLater();
    }
    m_runsReply.clear();
    m_runsStatus->setVisible(true);
}

void DeploymentDetails::showRuns(const QList<FlowRun> &runs)
{
    m_runs = runs;
    m_runList->clear();
    QList<QTreeWidgetItem *> items;
    items.reserve(runs.size());
    for (const FlowRun &run : runs) {
        const QString state = run.stateName.isEmpty() ? run.stateType : run.stateName;
        auto *item = new QTreeWidgetItem(
            QStringList{run.name, state, localTime(run.startTime),
                        RunDurationChart::formatDuration(run.durationSeconds())});
        item->setData(0, Qt::UserRole, run.id);
        item->setBackground(1, StateColors::background(run.stateType));
        item->setForeground(1, StateColors::foreground(run.stateType));
        items.append(item);
    }
    m_runList->addTopLevelItems(items);
    m_chart->setRuns(runs);
}
