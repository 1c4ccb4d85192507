#pragma once

#include "deployment.h"
#include "flowrun.h"
#include "flowrunstate.h"
#include "logentry.h"
#include "prefecterror.h"
#include "workspace.h"

#include <QJsonValue>
#include <QList>
#include <QObject>

// One asynchronous Prefect operation, which may take several HTTP requests. It emits finished()
// once, from the event loop, never from inside the call that created it, and then deletes itself.
class PrefectReply : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PrefectReply)

public:
    explicit PrefectReply(QObject *parent = nullptr);

    bool isFinished() const { return m_finished; }
    PrefectError error() const { return m_error; }
    bool hasError() const { return m_error.isError(); }

    // The JSON body of the last answer, as Prefect sent it.
    QJsonValue json() const { return m_json; }
    QList<Deployment> deployments() const { return m_deployments; }
    QList<Workspace> workspaces() const { return m_workspaces; }
    QList<FlowRun> flowRuns() const { return m_flowRuns; }
    QList<FlowRunState> states() const { return m_states; }
    QList<LogEntry> logs() const { return m_logs; }

    void finishWithJson(const QJsonValue &json);
    void finishWithDeployments(const QList<Deployment> &deployments);
    void finishWithWorkspaces(const QList<Workspace> &workspaces);
    void finishWithFlowRuns(const QList<FlowRun> &flowRuns);
    void finishWithStates(const QList<FlowRunState> &states);
    void finishWithLogs(const QList<LogEntry> &logs);
    void finishWithError(const PrefectError &error);

signals:
    void finished();
    // listDeployments: each page, with its flows' names, as soon as it is in (before finished).
    void deploymentsPageReady(const QList<Deployment> &page);

private:
    void finish();

    bool m_finished = false;
    PrefectError m_error;
    QJsonValue m_json;
    QList<Deployment> m_deployments;
    QList<Workspace> m_workspaces;
    QList<FlowRun> m_flowRuns;
    QList<FlowRunState> m_states;
    QList<LogEntry> m_logs;
};
