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
