#pragma once

#include "fakehttpserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QStringList>

#include <functional>

// A small, stateful stand-in for the Prefect REST API: flows, deployments, flow runs whose
// states advance on each read, Cloud's workspace layout and API-key check. Faults are injected
// with setOverride(); every request is recorded.
class FakePrefect : public QObject
{
    Q_OBJECT

public:
    using Override = std::function<std::optional<HttpResponse>(const HttpRequest &request)>;

    explicit FakePrefect(QObject *parent = nullptr);

    bool listen() { return m_http.listen(); }
    FakeHttpServer &http() { return m_http; }

    // Self-hosted: http://127.0.0.1:PORT/api
    QUrl apiUrl() const { return m_http.url(QStringLiteral("/api")); }
    // Cloud layout: requests must carry "Bearer apiKey"; workspace routes live under
    // /api/accounts/{account}/workspaces/{workspace}.
    void enableCloud(const QString &accountId, const QString &workspaceId, const QString &apiKey);
    QString accountId() const { return m_accountId; }
    QString workspaceId() const { return m_workspaceId; }
    QUrl cloudWorkspaceUrl() const;
    // Self-hosted with a key or basic auth: the exact Authorization header required.
    void requireAuthorization(const QByteArray &headerValue) { m_requiredAuthorization = headerValue; }
    void addWorkspace(const QJsonObject &workspace) { m_workspaces.append(workspace); }

    // `extra` is merged over the deployment's fields (tags, work_pool_name, paused, updated,
    // description, entrypoint, parameter_openapi_schema, ...).
    QString addDeployment(const QString &flowName, const QString &deploymentName,
                          const QJsonObject &parameters = {}, const QJsonObject &extra = {});
    // A log line of a run (POST /logs/filter); the time defaults to now. Returns its id.
    QString addLog(const QString &flowRunId, int level, const QString &message,
                   const QDateTime &timestamp = {});
    // Every state a run has taken, oldest first (GET /flow_run_states/).
    QJsonArray flowRunStates(const QString &id) const { return m_flowRunStates.value(id); }
    QString flowId(const QString &flowName) const { return m_flowIds.value(flowName); }
    // The state types a new run passes through: the first on creation, one more per read,
    // staying on the last, until a client sets its state. Default: SCHEDULED, PENDING, RUNNING,
    // COMPLETED.
    void setStateScript(const QStringList &stateTypes) { m_stateScript = stateTypes; }
    QJsonObject flowRun(const QString &id) const { return m_flowRuns.value(id); }
    // One step of the state script, as a read would make (for runs that move on their own).
    void advanceFlowRun(const QString &id);
    QStringList flowRunIds() const { return m_flowRunOrder; }
    // Requests to paths containing this text.
    QList<HttpRequest> requestsTo(const QString &pathPart, const QByteArray &method = {}) const;

    // Consulted first for every request; return a response to override the fake API.
    void setOverride(const Override &override) { m_override = override; }
    // The next create_flow_run makes its run (or finds it, for an idempotency_key it knows), then
    // instead of answering closes the connection (or misbehaves with `fault`): the client cannot
    // know whether its run exists. So do the `times - 1` creates after it.
    void dropNextCreateAfterCreating(int times = 1, const HttpResponse &fault = HttpResponse::drop())
    {
        m_lostCreateAnswers = times;
        m_lostCreateFault = fault;
    }

signals:
    // A run took a new state (for the event stream, FakeEvents).
    void flowRunStateChanged(const QJsonObject &flowRun);

private:
    HttpResponse handle(const HttpRequest &request);
    HttpResponse handleWorkspaceRoute(const HttpRequest &request, const QString &route);
    QJsonObject makeState(const QString &type, const QString &flowRunId) const;
    void advance(const QString &flowRunId);
    void applyState(const QString &flowRunId, const QJsonObject &state);

    FakeHttpServer m_http;
    Override m_override;
    QString m_accountId;
    QString m_workspaceId;
    QString m_apiKey;
    QByteArray m_requiredAuthorization;
    QJsonArray m_workspaces;
    QMap<QString, QString> m_flowIds; // name -> id
    QMap<QString, QJsonObject> m_deployments; // id -> deployment
    QMap<QString, QJsonObject> m_flowRuns; // id -> flow run
    QMap<QString, int> m_flowRunStep;
    QStringList m_flowRunOrder;
    QMap<QString, QJsonArray> m_flowRunStates; // run id -> states, oldest first
    QList<QJsonObject> m_logs; // in the order added
    // Runs whose state a client set (POST /flow_runs/{id}/set_state): the script no longer moves them.
    QSet<QString> m_stateSetByClient;
    int m_lostCreateAnswers = 0;
    HttpResponse m_lostCreateFault;
    QStringList m_stateScript{QStringLiteral("SCHEDULED"), QStringLiteral("PENDING"),
                              QStringLiteral("RUNNING"), QStringLiteral("COMPLETED")};
};
