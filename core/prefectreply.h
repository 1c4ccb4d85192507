#pragma once

#include "deployment.h"
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

    void finishWithJson(const QJsonValue &json);
    void finishWithDeployments(const QList<Deployment> &deployments);
    void finishWithWorkspaces(const QList<Workspace> &workspaces);
    void finishWithError(const PrefectError &error);

signals:
    void finished();

private:
    void finish();

    bool m_finished = false;
    PrefectError m_error;
    QJsonValue m_json;
    QList<Deployment> m_deployments;
    QList<Workspace> m_workspaces;
};
