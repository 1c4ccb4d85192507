#pragma once

#include "flowrun.h"
#include "prefecterror.h"

#include <QPointer>
#include <QWidget>

class FlowRunListPoller;
class FlowRunModel;
class PrefectClient;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

// The recent flow runs of the workspace (or of one deployment), kept fresh by a
// FlowRunListPoller: a sortable table with state badges and live durations, and a Refresh button.
class RunsView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunsView)

public:
    static constexpr int defaultIntervalMs = 5000;

    explicit RunsView(QWidget *parent = nullptr);

    // The view polls through this client from start() on; the runs shown so far are cleared.
    void setClient(PrefectClient *client);
    // Empty: the runs of every deployment.
    void setDeploymentFilter(const QString &deploymentId);
    QString deploymentFilter() const { return m_deploymentId; }
    void start(int intervalMs = defaultIntervalMs);
    void stop();
    bool isPolling() const;
    void refresh();

    FlowRunModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // The selected run, as of the last refresh; invalid when none is selected.
    FlowRun currentRun() const;
    // Selects the run with this id; false when it is not listed.
    bool selectRun(const QString &flowRunId);

signals:
    // Another run became the current one (the user clicked it, or selectRun()).
    void runSelected(const FlowRun &run);
    // A refresh changed the selected run (its state, end, ...): for RunDetails::updateRun().
    void selectedRunUpdated(const FlowRun &run);
    // A run seen live is now terminal: for desktop notifications.
    void runEnded(const FlowRun &run);
    void refreshFailed(const PrefectError &error);
    void runsUpdated(const QList<FlowRun> &runs);

private:
    void onRunsUpdated(const QList<FlowRun> &runs);
    void onCurrentChanged();
    void onRefreshFailed(const PrefectError &error);

    QPointer<PrefectClient> m_client;
    FlowRunListPoller *m_poller = nullptr;
    QString m_deploymentId;
    int m_intervalMs = defaultIntervalMs;
    FlowRunModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QPushButton *m_refreshButton;
    QLabel *m_status;
    QString m_selectedId;
};
