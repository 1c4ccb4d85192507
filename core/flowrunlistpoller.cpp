#include "flowrunlistpoller.h"

#include "prefectclient.h"
#include "prefectreply.h"

FlowRunListPoller::FlowRunListPoller(PrefectClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    connect(&m_timer, &QTimer::timeout, this, &FlowRunListPoller::refresh);
}

void FlowRunListPoller::setDeploymentId(const QString &deploymentId)
{
    if (deploymentId == m_deploymentId)
        return;
    m_deploymentId = deploymentId;
    // Another list: what was seen of the old one says nothing about the new one.
    m_lastStateType.clear();
    if (m_pending) {
        m_pending->disconnect(this);
        m_pending = nullptr;
    }
}

void FlowRunListPoller::start(int intervalMs)
{
    m_timer.start(intervalMs);
    refresh();
}

void FlowRunListPoller::stop()
{
    m_timer.stop();
    if (m_pending) {
        m_pending->disconnect(this);
        m_pending = nullptr;
    }
}

void FlowRunListPoller::refresh()
{
    if (m_timer.isActive())
        m_timer.start();
    // The read in flight answers this refresh too.
    if (m_pending)
        return;
    PrefectReply *reply = m_client->listFlowRuns(m_deploymentId, m_limit);
    m_pending = reply;
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        m_pending = nullptr;
        if (reply->hasError())
            return emit refreshFailed(reply->error());
        const QList<FlowRun> runs = reply->flowRuns();
        QHash<QString, QString> states;
        QList<FlowRun> ended;
        for (const FlowRun &run : runs) {
            states.insert(run.id, run.stateType);
            const auto before = m_lastStateType.constFind(run.id);
            if (run.isTerminal() && before != m_lastStateType.constEnd()
                && !FlowRun::isTerminalStateType(before.value())) {
                ended << run;
            }
        }
        m_lastStateType = states;
        emit runsUpdated(runs);
        for (const FlowRun &run : std::as_const(ended))
            emit runEnded(run);
    });
}
