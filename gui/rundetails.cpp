#include "rundetails.h"

#include "flowrunmodel.h"
#include "logfollower.h"
#include "orchestrationresult.h"
#include "prefectclient.h"
#include "prefectreply.h"
#include "statebadgedelegate.h"
#include "statecolors.h"

#include <QDesktopServices>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

enum StateColumn { TimeColumn, TypeColumn, NameColumn, MessageColumn, StateColumnCount };

constexpr int maxLogLines = 100000; // a runaway run must not eat the desktop's memory

QString localTime(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
                          : QString();
}

// Prefect's answer to the proposed state, in words.
QString orchestrationSummary(const OrchestrationResult &answer)
{
    QString text = answer.status.isEmpty()
        ? RunDetails::tr("Prefect sent no answer")
        : RunDetails::tr("Prefect answered %1").arg(answer.status);
    if (!answer.reason.isEmpty())
        text += QStringLiteral(": ") + answer.reason;
    return text;
}

// Live and not already being cancelled.
bool isCancellable(const FlowRun &run)
{
    return !run.isTerminal() && run.stateType != QLatin1String("CANCELLING");
}

void styleBadge(QLabel *label, const FlowRun &run)
{
    const QString text = run.stateName.isEmpty() ? run.stateType : run.stateName;
    label->setText(text);
    label->setVisible(!text.isEmpty());
    label->setStyleSheet(QStringLiteral("QLabel { background: %1; color: %2; border-radius: 8px;"
                                        " padding: 2px 8px; }")
                             .arg(StateColors::background(run.stateType).name(),
                                  StateColors::foreground(run.stateType).name()));
    label->setToolTip(run.stateMessage);
}

} // namespace

RunDetails::RunDetails(QWidget *parent)
    : QWidget(parent)
    , m_confirmCancel([this](const FlowRun &run) {
        return QMessageBox::question(this, tr("Cancel flow run"),
                                     tr("Ask Prefect to cancel the flow run \"%1\"?").arg(run.name),
                                     QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
            == QMessageBox::Yes;
    })
    , m_openUrl([](const QUrl &url) { return QDesktopServices::openUrl(url); })
    , m_title(new QLabel(this))
    , m_state(new QLabel(this))
    , m_answer(new QLabel(this))
    , m_cancelButton(new QPushButton(tr("Cancel run"), this))
    , m_openButton(new QPushButton(tr("Open in Prefect UI"), this))
    , m_tabs(new QTabWidget(this))
    , m_statesTable(new QTableWidget(0, StateColumnCount, this))
    , m_parameters(new QPlainTextEdit(this))
    , m_logs(new QPlainTextEdit(this))
{
    m_title->setObjectName(QStringLiteral("runTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_state->setObjectName(QStringLiteral("runState"));
    m_answer->setObjectName(QStringLiteral("cancelAnswer"));
    m_answer->setWordWrap(true);
    m_answer->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_cancelButton->setObjectName(QStringLiteral("cancelRunButton"));
    m_cancelButton->setEnabled(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &RunDetails::cancelRun);
    m_openButton->setObjectName(QStringLiteral("openInUiButton"));
    m_openButton->setEnabled(false);
    connect(m_openButton, &QPushButton::clicked, this, &RunDetails::openInUi);

    m_statesTable->setObjectName(QStringLiteral("runStates"));
    m_statesTable->setHorizontalHeaderLabels({tr("Time"), tr("State"), tr("Name"), tr("Message")});
    m_statesTable->setItemDelegateForColumn(TypeColumn, new StateBadgeDelegate(m_statesTable));
    m_statesTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_statesTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_statesTable->verticalHeader()->hide();
    m_statesTable->horizontalHeader()->setStretchLastSection(true);

    m_parameters->setObjectName(QStringLiteral("runParameters"));
    m_parameters->setReadOnly(true);
    m_logs->setObjectName(QStringLiteral("runLogs"));
    m_logs->setReadOnly(true);
    m_logs->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_logs->setMaximumBlockCount(maxLogLines);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_logs->setFont(fixed);
    m_parameters->setFont(fixed);

    m_tabs->addTab(m_logs, tr("Logs"));
    m_tabs->addTab(m_statesTable, tr("States"));
    m_tabs->addTab(m_parameters, tr("Parameters"));

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addWidget(m_state);
    header->addStretch(1);
    header->addWidget(m_openButton);
    header->addWidget(m_cancelButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_answer);
    layout->addWidget(m_tabs, 1);
    m_answer->hide();
    m_state->hide();
}

RunDetails::~RunDetails() = default;

void RunDetails::setRun(const FlowRun &run, PrefectClient *client)
{
    clear();
    m_run = run;
    m_client = client;
    if (!run.isValid())
        return;
    showRunHeader();
    m_parameters->setPlainText(
        QString::fromUtf8(QJsonDocument(run.parameters).toJson(QJsonDocument::Indented)));
    if (!client)
        return;
    readStates();
    startLogs();
}

void RunDetails::updateRun(const FlowRun &run)
{
    if (!m_run.isValid() || run.id != m_run.id)
        return;
    const bool stateChanged = run.stateType != m_run.stateType || run.stateName != m_run.stateName;
    m_run = run;
    showRunHeader();
    if (stateChanged)
        readStates();
    // The last lines written as the run ended are still read, then the follower rests.
    if (run.isTerminal() && m_follower && m_follower->isActive())
        m_follower->finish();
}

void RunDetails::clear()
{
    delete m_follower;
    m_follower = nullptr;
    // Answers still under way are for the run no longer shown.
    if (m_statesReply)
        disconnect(m_statesReply, nullptr, this, nullptr);
    if (m_cancelReply)
        disconnect(m_cancelReply, nullptr, this, nullptr);
    m_run = {};
    m_states.clear();
    m_title->clear();
    m_state->hide();
    m_answer->clear();
    m_answer->hide();
    m_statesTable->setRowCount(0);
    m_parameters->clear();
    m_logs->clear();
    m_cancelButton->setEnabled(false);
    m_openButton->setEnabled(false);
}

bool RunDetails::isFollowingLogs() const
{
    return m_follower && m_follower->isActive();
}

void RunDetails::cancelRun()
{
    if (!m_run.isValid() || !isCancellable(m_run) || !m_client || m_cancelReply)
        return;
    const FlowRun run = m_run;
    if (m_confirmCancel && !m_confirmCancel(run))
        return;
    // The dialog ran an event loop: the user may have moved on meanwhile.
    if (m_run.id != run.id || !m_client)
        return;
    m_cancelButton->setEnabled(false);
    m_answer->setText(tr("Asking Prefect to cancel…"));
    m_answer->show();
    PrefectReply *reply = m_client->cancelFlowRun(run.id);
    m_cancelReply = reply;
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        m_cancelReply = nullptr; // the reply deletes itself only after this
        bool accepted = false;
        QString text;
        if (reply->hasError()) {
            text = tr("Cancelling failed: %1").arg(reply->error().toString());
        } else {
            const OrchestrationResult answer = OrchestrationResult::fromJson(reply->json());
            accepted = answer.isAccepted();
            text = orchestrationSummary(answer);
        }
        if (accepted) {
            // What we proposed is now the run's state; the next list refresh confirms it.
            m_run.stateType = QStringLiteral("CANCELLING");
            m_run.stateName = QStringLiteral("Cancelling");
        }
        m_answer->setText(text);
        m_answer->show();
        showRunHeader();
        if (accepted)
            readStates();
        emit cancelAnswered(accepted, text);
    });
}

void RunDetails::openInUi()
{
    if (!m_run.isValid() || !m_client || !m_openUrl)
        return;
    m_openUrl(m_client->connection().flowRunUiUrl(m_run.id));
}

void RunDetails::showRunHeader()
{
    m_title->setText(m_run.name);
    m_title->setToolTip(m_run.id);
    styleBadge(m_state, m_run);
    m_cancelButton->setEnabled(m_client && isCancellable(m_run) && !m_cancelReply);
    m_openButton->setEnabled(m_client != nullptr);
}

void RunDetails::readStates()
{
    if (!m_client)
        return;
    if (m_statesReply)
        disconnect(m_statesReply, nullptr, this, nullptr);
    PrefectReply *reply = m_client->readFlowRunStates(m_run.id);
    m_statesReply = reply;
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        if (reply->hasError()) {
            emit readFailed(reply->error());
            return;
        }
        showStates(reply->states());
    });
}

void RunDetails::startLogs()
{
    m_follower = new LogFollower(m_client, this);
    connect(m_follower, &LogFollower::logsArrived, this, &RunDetails::appendLogs);
    connect(m_follower, &LogFollower::readFailed, this, &RunDetails::readFailed);
    m_follower->start(m_run.id, m_logIntervalMs);
    // A run that ended a while ago writes no more: read what it wrote and rest. One that has
    // just ended may still be shipping its last lines.
    if (m_run.isTerminal()) {
        const bool endedLongAgo =
            m_run.endTime.isValid() && m_run.endTime.secsTo(QDateTime::currentDateTimeUtc()) > 60;
        m_follower->finish(endedLongAgo ? 0 : LogFollower::defaultSettleMs);
    }
}

void RunDetails::appendLogs(const QList<LogEntry> &entries)
{
    QScrollBar *bar = m_logs->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    const int kept = bar->value();
    for (const LogEntry &entry : entries)
        m_logs->appendPlainText(entry.toLine());
    // Follow the tail, unless the user scrolled up to read.
    bar->setValue(atBottom ? bar->maximum() : kept);
}

void RunDetails::showStates(const QList<FlowRunState> &states)
{
    m_states = states;
    m_statesTable->setRowCount(int(states.size()));
    for (int row = 0; row < states.size(); ++row) {
        const FlowRunState &state = states.at(row);
        auto *time = new QTableWidgetItem(localTime(state.timestamp));
        time->setData(Qt::ToolTipRole, state.timestamp.toString(Qt::ISODateWithMs));
        auto *type = new QTableWidgetItem(state.type);
        type->setData(FlowRunModel::StateTypeRole, state.type);
        auto *name = new QTableWidgetItem(state.name);
        auto *message = new QTableWidgetItem(state.message);
        message->setToolTip(state.message);
        m_statesTable->setItem(row, TimeColumn, time);
        m_statesTable->setItem(row, TypeColumn, type);
        m_statesTable->setItem(row, NameColumn, name);
        m_statesTable->setItem(row, MessageColumn, message);
    }
    m_statesTable->resizeColumnsToContents();
}
