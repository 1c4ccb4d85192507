#pragma once

#include "flowrun.h"
#include "prefecterror.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

class PrefectClient;
class PrefectReply;

// Keeps a list of recent flow runs fresh (of the workspace, or of one deployment) by reading it
// every interval; reports each refresh and each run seen to reach a terminal state.
class FlowRunListPoller : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlowRunListPoller)

public:
    explicit FlowRunListPoller(PrefectClient *client, QObject *parent = nullptr);

    // Empty: every deployment.
    void setDeploymentId(const QString &deploymentId);
    QString deploymentId() const { return m_deploymentId; }
    void setLimit(int limit) { m_limit = limit; }
    void start(int intervalMs = 5000);
    void stop();
    // Reads now (and restarts the interval).
    void refresh();
    bool isRunning() const { return m_timer.isActive(); }

signals:
    void runsUpdated(const QList<FlowRun> &runs);
    // A run that an earlier refresh saw live is now COMPLETED, FAILED, CRASHED or CANCELLED.
    void runEnded(const FlowRun &run);
    void refreshFailed(const PrefectError &error);

private:
    PrefectClient *m_client;
    QTimer m_timer;
    QString m_deploymentId;
    int m_limit = 50;
    QHash<QString, QString> m_lastStateType; // run id -> state type at the last refresh
    QPointer<PrefectReply> m_pending;
};
