#include "fakeprefect.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QUuid>

#include <algorithm>

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString stateName(const QString &type)
{
    return type.left(1) + type.mid(1).toLower();
}

HttpResponse notFound()
{
    return HttpResponse::json(404, QJsonObject{{"detail", "Not Found"}});
}

QStringList anyOf(const QJsonObject &body, const QString &group, const QString &field)
{
    QStringList values;
    for (const QJsonValue &value :
         body.value(group).toObject().value(field).toObject().value("any_").toArray())
        values << value.toString();
    return values;
}

// The filter routes' paging: offset, and limit capped at Prefect's 200.
QJsonArray pageOf(const QList<QJsonObject> &found, const QJsonObject &body)
{
    const int offset = body.value("offset").toInt();
    const int limit = std::min(body.value("limit").toInt(200), 200);
    QJsonArray page;
    for (qsizetype i = offset; i < found.size() && page.size() < limit; ++i)
        page.append(found.at(i));
    return page;
}

} // namespace

FakePrefect::FakePrefect(QObject *parent)
    : QObject(parent)
{
    m_http.setHandler([this](const HttpRequest &request) { return handle(request); });
}

void FakePrefect::enableCloud(const QString &accountId, const QString &workspaceId,
                              const QString &apiKey)
{
    m_accountId = accountId;
    m_workspaceId = workspaceId;
    m_apiKey = apiKey;
    m_requiredAuthorization = "Bearer " + apiKey.toUtf8();
}

QUrl FakePrefect::cloudWorkspaceUrl() const
{
    return m_http.url(
        QStringLiteral("/api/accounts/%1/workspaces/%2").arg(m_accountId, m_workspaceId));
}

QString FakePrefect::addDeployment(const QString &flowName, const QString &deploymentName,
                                   const QJsonObject &parameters, const QJsonObject &extra)
{
    if (!m_flowIds.contains(flowName))
        m_flowIds.insert(flowName, newId());
    const QString id = newId();
    m_deployments.insert(id,
                         QJsonObject{
                             {"id", id},
                             {"name", deploymentName},
                             {"flow_id", m_flowIds.value(flowName)},
                             {"parameters", parameters},
                             {"tags", QJsonArray{"test"}},
                             {"paused", false},
                             {"work_pool_name", QJsonValue()},
                             {"created", now()},
                             {"updated", now()},
                         });
    QJsonObject &deployment = m_deployments[id];
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        deployment.insert(it.key(), it.value());
    return id;
}

QString FakePrefect::addLog(const QString &flowRunId, int level, const QString &message,
                            const QDateTime &timestamp)
{
    const QString id = newId();
    const QDateTime time = timestamp.isValid() ? timestamp : QDateTime::currentDateTimeUtc();
    m_logs.append(QJsonObject{
        {"id", id},
        {"created", now()},
        {"name", "prefect.flow_runs"},
        {"level", level},
        {"message", message},
        {"timestamp", time.toUTC().toString(Qt::ISODateWithMs)},
        {"flow_run_id", flowRunId},
        {"task_run_id", QJsonValue()},
    });
    return id;
}

QList<HttpRequest> FakePrefect::requestsTo(const QString &pathPart, const QByteArray &method) const
{
    QList<HttpRequest> result;
    for (const HttpRequest &request : m_http.requests()) {
        if (request.path().contains(pathPart) && (method.isEmpty() || request.method == method))
            result << request;
    }
    return result;
}

HttpResponse FakePrefect::handle(const HttpRequest &request)
{
    if (m_override) {
        if (const std::optional<HttpResponse> response = m_override(request))
            return *response;
    }
    if (!m_requiredAuthorization.isEmpty()
        && request.header("authorization") != m_requiredAuthorization) {
        return HttpResponse::json(401,
                                  QJsonObject{{"detail", "Invalid authentication credentials"}});
    }
    const QString path = request.path();
    if (!path.startsWith(QLatin1String("/api/")))
        return notFound();
    QString route = path.mid(4);
    if (!m_accountId.isEmpty()) {
        if (route == QLatin1String("/me/workspaces") && request.method == "GET")
            return HttpResponse::json(200, m_workspaces);
        const QString prefix =
            QStringLiteral("/accounts/%1/workspaces/%2").arg(m_accountId, m_workspaceId);
        if (!route.startsWith(prefix))
            return notFound();
        route = route.mid(prefix.size());
    }
    return handleWorkspaceRoute(request, route);
}

HttpResponse FakePrefect::handleWorkspaceRoute(const HttpRequest &request, const QString &route)
{
    static const QRegularExpression deploymentById(
        QStringLiteral("^/deployments/([0-9a-f-]{36})$"));
    static const QRegularExpression deploymentByName(
        QStringLiteral("^/deployments/name/([^/]+)/([^/]+)$"));
    static const QRegularExpression createRun(
        QStringLiteral("^/deployments/([^/]+)/create_flow_run$"));
    static const QRegularExpression flowById(QStringLiteral("^/flows/([^/]+)$"));
    static const QRegularExpression flowRunById(QStringLiteral("^/flow_runs/([^/]+)$"));
    static const QRegularExpression setFlowRunState(
        QStringLiteral("^/flow_runs/([^/]+)/set_state$"));
    const QJsonObject body = request.json().toObject();
    QRegularExpressionMatch match;

    if (route == QLatin1String("/deployments/filter") && request.method == "POST") {
        const QStringList names = anyOf(body, "deployments", "name");
        QList<QJsonObject> found;
        for (const QJsonObject &deployment : std::as_const(m_deployments)) {
            if (names.isEmpty() || names.contains(deployment.value("name").toString()))
                found << deployment;
        }
        std::sort(found.begin(), found.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return a.value("name").toString() < b.value("name").toString();
        });
        return HttpResponse::json(200, pageOf(found, body));
    }
    if (route == QLatin1String("/deployments/count") && request.method == "POST") {
        const QStringList names = anyOf(body, "deployments", "name");
        int count = 0;
        for (const QJsonObject &deployment : std::as_const(m_deployments))
            count += names.isEmpty() || names.contains(deployment.value("name").toString());
        return HttpResponse::json(200, count);
    }
    if (route == QLatin1String("/flow_runs/filter") && request.method == "POST") {
        const QStringList deploymentIds = anyOf(body, "flow_runs", "deployment_id");
        QList<QJsonObject> found;
        for (const QJsonObject &run : std::as_const(m_flowRuns)) {
            if (deploymentIds.isEmpty()
                || deploymentIds.contains(run.value("deployment_id").toString()))
                found << run;
        }
        // EXPECTED_START_TIME_DESC; creation order breaks ties, newest first.
        std::sort(found.begin(), found.end(), [this](const QJsonObject &a, const QJsonObject &b) {
            const QString ta = a.value("expected_start_time").toString();
            const QString tb = b.value("expected_start_time").toString();
            if (ta != tb)
                return ta > tb;
            return m_flowRunOrder.indexOf(a.value("id").toString())
                > m_flowRunOrder.indexOf(b.value("id").toString());
        });
        return HttpResponse::json(200, pageOf(found, body));
    }
    if (route == QLatin1String("/flow_run_states/") && request.method == "GET") {
        const QString id = request.query.queryItemValue("flow_run_id");
        if (id.isEmpty())
            return HttpResponse::json(422, QJsonObject{{"detail", "flow_run_id is required"}});
        return HttpResponse::json(200, m_flowRunStates.value(id));
    }
    if (route == QLatin1String("/logs/filter") && request.method == "POST") {
        const QStringList runIds = anyOf(body, "logs", "flow_run_id");
        const QString afterText =
            body.value("logs").toObject().value("timestamp").toObject().value("after_").toString();
        const QDateTime after = QDateTime::fromString(afterText, Qt::ISODateWithMs);
        QList<QJsonObject> found;
        for (const QJsonObject &log : std::as_const(m_logs)) {
            if (!runIds.isEmpty() && !runIds.contains(log.value("flow_run_id").toString()))
                continue;
            // Inclusive, as Prefect's after_ is.
            if (after.isValid()
                && QDateTime::fromString(log.value("timestamp").toString(), Qt::ISODateWithMs)
                    < after)
                continue;
            found << log;
        }
        const bool descending = body.value("sort").toString() == QLatin1String("TIMESTAMP_DESC");
        std::stable_sort(
            found.begin(), found.end(), [descending](const QJsonObject &a, const QJsonObject &b) {
                const QDateTime ta =
                    QDateTime::fromString(a.value("timestamp").toString(), Qt::ISODateWithMs);
                const QDateTime tb =
                    QDateTime::fromString(b.value("timestamp").toString(), Qt::ISODateWithMs);
                return descending ? tb < ta : ta < tb;
            });
        return HttpResponse::json(200, pageOf(found, body));
    }
    if (route == QLatin1String("/flows/filter") && request.method == "POST") {
        const QStringList ids = anyOf(body, "flows", "id");
        QJsonArray flows;
        for (auto it = m_flowIds.constBegin(); it != m_flowIds.constEnd(); ++it) {
            if (ids.isEmpty() || ids.contains(it.value()))
                flows.append(QJsonObject{{"id", it.value()}, {"name", it.key()}});
        }
        return HttpResponse::json(200, flows);
    }
    if ((match = flowById.match(route)).hasMatch() && request.method == "GET") {
        const QString name = m_flowIds.key(match.captured(1));
        if (name.isEmpty())
            return notFound();
        return HttpResponse::json(200, QJsonObject{{"id", match.captured(1)}, {"name", name}});
    }
    if ((match = deploymentById.match(route)).hasMatch() && request.method == "GET") {
        if (!m_deployments.contains(match.captured(1)))
            return HttpResponse::json(404, QJsonObject{{"detail", "Deployment not found"}});
        return HttpResponse::json(200, m_deployments.value(match.captured(1)));
    }
    if ((match = deploymentByName.match(route)).hasMatch() && request.method == "GET") {
        const QString flowId = m_flowIds.value(match.captured(1));
        for (const QJsonObject &deployment : std::as_const(m_deployments)) {
            if (deployment.value("flow_id").toString() == flowId
                && deployment.value("name").toString() == match.captured(2))
                return HttpResponse::json(200, deployment);
        }
        return HttpResponse::json(404, QJsonObject{{"detail", "Deployment not found"}});
    }
    if ((match = createRun.match(route)).hasMatch() && request.method == "POST") {
        const QJsonObject deployment = m_deployments.value(match.captured(1));
        if (deployment.isEmpty())
            return HttpResponse::json(404, QJsonObject{{"detail", "Deployment not found"}});
        const QString key = body.value("idempotency_key").toString();
        if (!key.isEmpty()) {
            for (const QJsonObject &run : std::as_const(m_flowRuns)) {
                if (run.value("idempotency_key").toString() == key
                    && run.value("deployment_id") == deployment.value("id")) {
                    if (m_lostCreateAnswers > 0) {
                        --m_lostCreateAnswers;
                        return m_lostCreateFault;
                    }
                    return HttpResponse::json(200, run);
                }
            }
        }
        const QString id = newId();
        QJsonObject parameters = deployment.value("parameters").toObject();
        const QJsonObject given = body.value("parameters").toObject();
        for (auto it = given.constBegin(); it != given.constEnd(); ++it)
            parameters.insert(it.key(), it.value());
        QJsonObject run{
            {"id", id},
            {"name",
             body.value("name").toString(QStringLiteral("fake-run-%1").arg(m_flowRuns.size() + 1))},
            {"flow_id", deployment.value("flow_id")},
            {"deployment_id", deployment.value("id")},
            {"parameters", parameters},
            {"context", body.value("context").toObject()},
            {"job_variables", body.value("job_variables").toObject()},
            {"tags", body.value("tags").toArray()},
            {"idempotency_key", key.isEmpty() ? QJsonValue() : QJsonValue(key)},
            {"created", now()},
            {"expected_start_time",
             body.value("state")
                 .toObject()
                 .value("state_details")
                 .toObject()
                 .value("scheduled_time")
                 .toString(now())},
            {"start_time", QJsonValue()},
            {"end_time", QJsonValue()},
            {"total_run_time", 0.0},
        };
        m_flowRuns.insert(id, run);
        m_flowRunStep.insert(id, 0);
        m_flowRunOrder << id;
        advance(id);
        if (m_lostCreateAnswers > 0) {
            --m_lostCreateAnswers;
            return m_lostCreateFault;
        }
        return HttpResponse::json(201, m_flowRuns.value(id));
    }
    if ((match = flowRunById.match(route)).hasMatch() && request.method == "GET") {
        const QString id = match.captured(1);
        if (!m_flowRuns.contains(id))
            return HttpResponse::json(404, QJsonObject{{"detail", "Flow run not found"}});
        m_flowRunStep[id] += 1;
        advance(id);
        return HttpResponse::json(200, m_flowRuns.value(id));
    }
    // Prefect's orchestration answer; the fake accepts every proposed state.
    if ((match = setFlowRunState.match(route)).hasMatch() && request.method == "POST") {
        const QString id = match.captured(1);
        if (!m_flowRuns.contains(id))
            return HttpResponse::json(404, QJsonObject{{"detail", "Flow run not found"}});
        const QJsonObject proposed = body.value("state").toObject();
        const QString type = proposed.value("type").toString();
        if (type.isEmpty())
            return HttpResponse::json(422, QJsonObject{{"detail", "state.type is required"}});
        QJsonObject state = makeState(type, id);
        for (const QString &key : {QStringLiteral("name"), QStringLiteral("message")}) {
            if (proposed.contains(key))
                state.insert(key, proposed.value(key));
        }
        applyState(id, state);
        m_stateSetByClient.insert(id);
        emit flowRunStateChanged(m_flowRuns.value(id));
        return HttpResponse::json(
            201, QJsonObject{{"status", "ACCEPT"}, {"state", state}, {"details", QJsonObject{}}});
    }
    return notFound();
}

QJsonObject FakePrefect::makeState(const QString &type, const QString &flowRunId) const
{
    return QJsonObject{
        {"id", newId()},
        {"type", type},
        {"name", stateName(type)},
        {"timestamp", now()},
        {"message",
         type == QLatin1String("CRASHED")
             ? QJsonValue("Execution was aborted by Python system exit call.")
             : QJsonValue()},
        {"state_details", QJsonObject{{"flow_run_id", flowRunId}}},
    };
}

void FakePrefect::advance(const QString &flowRunId)
{
    if (m_stateSetByClient.contains(flowRunId))
        return;
    QJsonObject run = m_flowRuns.value(flowRunId);
    const int step = std::min<int>(m_flowRunStep.value(flowRunId), m_stateScript.size() - 1);
    const QString type = m_stateScript.at(step);
    if (run.value("state_type").toString() == type)
        return;
    applyState(flowRunId, makeState(type, flowRunId));
    emit flowRunStateChanged(m_flowRuns.value(flowRunId));
}

// The run takes the state, as Prefect's orchestration records it: history, start and end times.
void FakePrefect::applyState(const QString &flowRunId, const QJsonObject &state)
{
    QJsonObject run = m_flowRuns.value(flowRunId);
    const QString type = state.value("type").toString();
    const QString time = state.value("timestamp").toString();
    run.insert("state", state);
    run.insert("state_id", state.value("id"));
    run.insert("state_type", type);
    run.insert("state_name", state.value("name"));
    run.insert("updated", now());
    if (type == QLatin1String("RUNNING") && run.value("start_time").isNull())
        run.insert("start_time", time);
    const bool terminal = type == QLatin1String("COMPLETED") || type == QLatin1String("FAILED")
        || type == QLatin1String("CRASHED") || type == QLatin1String("CANCELLED");
    if (terminal && !run.value("start_time").isNull()) {
        run.insert("end_time", time);
        const QDateTime start =
            QDateTime::fromString(run.value("start_time").toString(), Qt::ISODateWithMs);
        const QDateTime end = QDateTime::fromString(time, Qt::ISODateWithMs);
        run.insert("total_run_time", start.msecsTo(end) / 1000.0);
    }
    m_flowRuns.insert(flowRunId, run);
    m_flowRunStates[flowRunId].append(state);
}

void FakePrefect::advanceFlowRun(const QString &id)
{
    m_flowRunStep[id] += 1;
    advance(id);
}
