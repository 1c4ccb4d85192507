#include "prefectreply.h"

#include <QTimer>

PrefectReply::PrefectReply(QObject *parent)
    : QObject(parent)
{
}

void PrefectReply::finishWithJson(const QJsonValue &json)
{
    m_json = json;
    finish();
}

void PrefectReply::finishWithDeployments(const QList<Deployment> &deployments)
{
    m_deployments = deployments;
    finish();
}

void PrefectReply::finishWithWorkspaces(const QList<Workspace> &workspaces)
{
    m_workspaces = workspaces;
    finish();
}

void PrefectReply::finishWithFlowRuns(const QList<FlowRun> &flowRuns)
{
    m_flowRuns = flowRuns;
    finish();
}

void PrefectReply::finishWithStates(const QList<FlowRunState> &states)
{
    m_states = states;
    finish();
}

void PrefectReply::finishWithLogs(const QList<LogEntry> &logs)
{
    m_logs = logs;
    finish();
}

void PrefectReply::finishWithError(const PrefectError &error)
{
    m_error = error;
    finish();
}

void PrefectReply::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    // Queued, so that a caller always has the chance to connect first.
    QTimer::singleShot(0, this, [this] {
        emit finished();
        deleteLater();
    });
}
