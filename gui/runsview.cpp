#include "runsview.h"

#include "flowrunlistpoller.h"
#include "flowrunmodel.h"
#include "prefectclient.h"
#include "statebadgedelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

RunsView::RunsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new FlowRunModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_refreshButton(new QPushButton(tr("Refresh"), this))
    , m_status(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FlowRunModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_proxy);
    m_table->setItemDelegateForColumn(FlowRunModel::StateColumn, new StateBadgeDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FlowRunModel::StartColumn, Qt::DescendingOrder);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(FlowRunModel::NameColumn,
                                                      QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(FlowRunModel::TagsColumn,
                                                      QHeaderView::Interactive);
    // Badges, times and durations whole: a list of at most a few hundred runs fits cheaply.
    for (const int column :
         {FlowRunModel::StateColumn, FlowRunModel::StartColumn, FlowRunModel::DurationColumn})
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_table->setWordWrap(false);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RunsView::onCurrentChanged);

    m_refreshButton->setObjectName(QStringLiteral("refreshRunsButton"));
    m_refreshButton->setEnabled(false);
    connect(m_refreshButton, &QPushButton::clicked, this, &RunsView::refresh);
    m_status->setObjectName(QStringLiteral("runsStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_status, 1);
    bar->addWidget(m_refreshButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
}

void RunsView::setClient(PrefectClient *client)
{
    const bool wasPolling = isPolling();
    delete m_poller;
    m_poller = nullptr;
    m_client = client;
    m_model->clear();
    m_selectedId.clear();
    m_status->clear();
    m_refreshButton->setEnabled(client != nullptr);
    if (!client)
        return;
    m_poller = new FlowRunListPoller(client, this);
    m_poller->setDeploymentId(m_deploymentId);
    connect(m_poller, &FlowRunListPoller::runsUpdated, this, &RunsView::onRunsUpdated);
    connect(m_poller, &FlowRunListPoller::runEnded, this, &RunsView::runEnded);
    connect(m_poller, &FlowRunListPoller::refreshFailed, this, &RunsView::onRefreshFailed);
    if (wasPolling)
        m_poller->start(m_intervalMs);
}

void RunsView::setDeploymentFilter(const QString &deploymentId)
{
    if (deploymentId == m_deploymentId)
        return;
    m_deploymentId = deploymentId;
    // The other deployment's runs would linger until the answer came in.
    m_model->clear();
    if (!m_poller)
        return;
    m_poller->setDeploymentId(deploymentId);
    if (m_poller->isRunning())
        m_poller->refresh();
}

void RunsView::start(int intervalMs)
{
    m_intervalMs = intervalMs;
    if (m_poller)
        m_poller->start(intervalMs);
}

void RunsView::stop()
{
    if (m_poller)
        m_poller->stop();
}

bool RunsView::isPolling() const
{
    return m_poller && m_poller->isRunning();
}

void RunsView::refresh()
{
    if (m_poller)
        m_poller->refresh();
}

FlowRun RunsView::currentRun() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid())
        return {};
    return m_model->runAt(m_proxy->mapToSource(current).row());
}

bool RunsView::selectRun(const QString &flowRunId)
{
    const int row = m_model->rowOf(flowRunId);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

void RunsView::onRunsUpdated(const QList<FlowRun> &runs)
{
    const FlowRun before = currentRun();
    m_model->setRuns(runs);
    m_status->setText(tr("%n run(s)", nullptr, int(m_model->rowCount())));
    m_status->setToolTip({});
    const FlowRun after = currentRun();
    if (before.isValid() && after.isValid() && after.id == before.id
        && (after.stateType != before.stateType || after.stateName != before.stateName
            || after.startTime != before.startTime || after.endTime != before.endTime
            || after.name != before.name || after.tags != before.tags))
        emit selectedRunUpdated(after);
    emit runsUpdated(runs);
}

void RunsView::onCurrentChanged()
{
    const FlowRun run = currentRun();
    if (run.id == m_selectedId)
        return;
    m_selectedId = run.id;
    if (run.isValid())
        emit runSelected(run);
}

void RunsView::onRefreshFailed(const PrefectError &error)
{
    // The last list stays: a failed refresh says nothing about the runs themselves.
    m_status->setText(tr("Refresh failed: %1").arg(error.toString()));
    emit refreshFailed(error);
}
