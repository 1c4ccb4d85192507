#include "prefectclient.h"

#include "prefectreply.h"
#include "prefecttime.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <memory>

namespace {

QJsonObject anyOf(const QString &field, const QStringList &values)
{
    return QJsonObject{
        {field, QJsonObject{{QStringLiteral("any_"), QJsonArray::fromStringList(values)}}}};
}

QList<Deployment> deploymentsFromJson(const QJsonArray &array,
                                      const QHash<QString, QString> &flowNames)
{
    QList<Deployment> result;
    result.reserve(array.size());
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        result << Deployment::fromJson(
            object, flowNames.value(object.value(QLatin1String("flow_id")).toString()));
    }
    std::sort(result.begin(), result.end(),
              [](const Deployment &a, const Deployment &b) { return a.fullName() < b.fullName(); });
    return result;
}

PrefectError notAnArray(const QString &what)
{
    return PrefectError(PrefectError::Kind::InvalidResponse, 200,
                        QStringLiteral("%1: expected a JSON array").arg(what));
}

} // namespace

PrefectClient::PrefectClient(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_network(network)
{
}

PrefectReply *PrefectClient::send(const QByteArray &verb, const QUrl &url, const QJsonValue &body)
{
    auto *result = new PrefectReply(this);
    auto attempt = std::make_shared<Attempt>();
    attempt->verb = verb;
    attempt->url = url;
    if (body.isObject())
        attempt->payload = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    attempt->clock.start();
    sendAttempt(result, attempt);
    return result;
}

void PrefectClient::sendAttempt(PrefectReply *result, const std::shared_ptr<Attempt> &attempt)
{
    QNetworkReply *networkReply = m_network->sendCustomRequest(m_connection.request(attempt->url),
                                                               attempt->verb, attempt->payload);
    // Owned by the result, so that dropping the result aborts the request.
    networkReply->setParent(result);
    const qint64 sentAtMs = attempt->clock.elapsed();
    attempt->oversized = false;
    connect(networkReply, &QNetworkReply::downloadProgress, result,
            [networkReply, attempt](qint64 received, qint64) {
                if (received > maxResponseBytes && !attempt->oversized) {
                    attempt->oversized = true;
                    networkReply->abort();
                }
            });
    connect(
        networkReply, &QNetworkReply::finished, result,
        [this, networkReply, result, attempt, sentAtMs] {
            networkReply->deleteLater();
            QJsonValue json;
            std::optional<qint64> retryAfterMs;
            const PrefectError error = attempt->oversized
                ? PrefectError(PrefectError::Kind::InvalidResponse, 0,
                               QStringLiteral("the answer is larger than %1 MiB")
                                   .arg(maxResponseBytes / (1024 * 1024)))
                : interpret(networkReply, &json, &retryAfterMs);
            emit exchangeFinished(
                attempt->verb, attempt->url,
                networkReply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                attempt->clock.elapsed() - sentAtMs);
            if (!error.isError())
                return result->finishWithJson(json);
            if (RetryPolicy::isRetryable(error) && attempt->retries < m_retryPolicy.maxRetries) {
                const int delay = m_retryPolicy.delayMs(attempt->retries, retryAfterMs);
                if (attempt->clock.elapsed() + delay <= m_retryPolicy.maxTotalMs) {
                    ++attempt->retries;
                    emit retrying(attempt->verb, attempt->url, attempt->retries,
                                  m_retryPolicy.maxRetries, delay, error);
                    QTimer::singleShot(delay, result,
                                       [this, result, attempt] { sendAttempt(result, attempt); });
                    return;
                }
            }
            result->finishWithError(error);
        });
}

PrefectError PrefectClient::interpret(QNetworkReply *networkReply, QJsonValue *json,
                                      std::optional<qint64> *retryAfterMs) const
{
    const int status = networkReply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const auto transportError = [&] {
        const bool timedOut = networkReply->error() == QNetworkReply::OperationCanceledError
            || networkReply->error() == QNetworkReply::TimeoutError;
        if (timedOut) {
            return PrefectError(PrefectError::Kind::Timeout, 0,
                                QStringLiteral("timed out after %1 s")
                                    .arg(m_connection.transferTimeoutMs() / 1000.0));
        }
        return PrefectError(PrefectError::Kind::Network, 0, networkReply->errorString());
    };
    // An aborted reply is closed: reading it would only complain.
    if (status == 0 && networkReply->error() != QNetworkReply::NoError)
        return transportError();
    const QByteArray body = networkReply->readAll();

    if (status >= 300) {
        *retryAfterMs = RetryPolicy::parseRetryAfter(networkReply->rawHeader("Retry-After"),
                                                     QDateTime::currentDateTimeUtc());
        if (status < 400) {
            const QUrl target =
                networkReply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
            return PrefectError::http(status,
                                      QStringLiteral("redirect to another origin refused (%1)")
                                          .arg(networkReply->url().resolved(target).toString(
                                              QUrl::RemoveUserInfo | QUrl::RemoveQuery)));
        }
        return PrefectError::http(status, PrefectError::serverMessage(body));
    }
    if (networkReply->error() != QNetworkReply::NoError)
        return transportError();
    // Now and then Qt hands over an answer whose connection closed before the promised length
    // arrived as if it were whole. It is a lost answer, worth another try, not a broken one.
    const QVariant promised = networkReply->header(QNetworkRequest::ContentLengthHeader);
    if (promised.isValid() && !networkReply->hasRawHeader("Content-Encoding")
        && body.size() < promised.toLongLong()) {
        return PrefectError(PrefectError::Kind::Network, 0,
                            QStringLiteral("the answer was cut off after %1 of %2 bytes")
                                .arg(body.size())
                                .arg(promised.toLongLong()));
    }
    if (body.trimmed().isEmpty()) {
        *json = QJsonValue();
        return {};
    }
    QJsonParseError parseError;
    QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    const QByteArray trimmed = body.trimmed();
    if (parseError.error != QJsonParseError::NoError && !trimmed.startsWith('{')
        && !trimmed.startsWith('[')) {
        // Some routes (the counts) answer a bare number, which QJsonDocument only reads
        // inside an array.
        QJsonParseError scalarError;
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + trimmed + ']', &scalarError);
        if (scalarError.error == QJsonParseError::NoError && wrapped.array().size() == 1) {
            *json = wrapped.array().first();
            return {};
        }
    }
    if (parseError.error != QJsonParseError::NoError) {
        const QString contentType =
            networkReply->header(QNetworkRequest::ContentTypeHeader).toString();
        return PrefectError(
            PrefectError::Kind::InvalidResponse, status,
            QStringLiteral("HTTP %1 with a body that is not JSON (%2: %3 at offset %4)")
                .arg(status)
                .arg(contentType.isEmpty() ? QStringLiteral("no content type") : contentType,
                     parseError.errorString())
                .arg(parseError.offset));
    }
    *json = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    return {};
}

PrefectReply *PrefectClient::listWorkspaces()
{
    auto *result = new PrefectReply(this);
    PrefectReply *request = send(
        "GET", m_connection.baseEndpoint({QStringLiteral("me"), QStringLiteral("workspaces")}));
    connect(request, &PrefectReply::finished, result, [request, result] {
        if (request->hasError())
            return result->finishWithError(request->error());
        if (!request->json().isArray()) {
            return result->finishWithError(
                PrefectError(PrefectError::Kind::InvalidResponse, 200,
                             QStringLiteral("workspaces: expected a JSON array")));
        }
        result->finishWithWorkspaces(Workspace::listFromJson(request->json().toArray()));
    });
    return result;
}

PrefectReply *PrefectClient::listDeployments(const QString &deploymentName)
{
    auto *result = new PrefectReply(this);
    auto listing = std::make_shared<DeploymentListing>();
    if (!deploymentName.isEmpty())
        listing->filter.insert(QStringLiteral("deployments"),
                               anyOf(QStringLiteral("name"), {deploymentName}));
    fetchDeploymentPage(result, listing, 0);
    return result;
}

void PrefectClient::fetchDeploymentPage(PrefectReply *result,
                                        const std::shared_ptr<DeploymentListing> &listing,
                                        int offset)
{
    QJsonObject body = listing->filter;
    body.insert(QStringLiteral("limit"), pageSize);
    body.insert(QStringLiteral("offset"), offset);
    body.insert(QStringLiteral("sort"), QStringLiteral("NAME_ASC"));
    PrefectReply *page = send(
        "POST", m_connection.endpoint({QStringLiteral("deployments"), QStringLiteral("filter")}),
        body);
    connect(page, &PrefectReply::finished, result, [=] {
        if (page->hasError())
            return result->finishWithError(page->error());
        if (!page->json().isArray())
            return result->finishWithError(notAnArray(QStringLiteral("deployments")));
        const QJsonArray items = page->json().toArray();
        QStringList flowIds;
        for (const QJsonValue &item : items) {
            listing->all.append(item);
            const QString flowId = item.toObject().value(QLatin1String("flow_id")).toString();
            if (!flowId.isEmpty() && !listing->names.contains(flowId) && !flowIds.contains(flowId))
                flowIds << flowId;
        }
        resolveFlowNames(result, listing, items, flowIds, 0, offset);
    });
}

void PrefectClient::resolveFlowNames(PrefectReply *result,
                                     const std::shared_ptr<DeploymentListing> &listing,
                                     const QJsonArray &page, const QStringList &flowIds,
                                     int idOffset, int pageOffset)
{
    if (idOffset >= flowIds.size()) {
        const QPointer<PrefectReply> guard(result);
        emit result->deploymentsPageReady(deploymentsFromJson(page, listing->names));
        if (!guard)
            return;
        if (page.size() == pageSize)
            return fetchDeploymentPage(result, listing, pageOffset + pageSize);
        return result->finishWithDeployments(deploymentsFromJson(listing->all, listing->names));
    }
    const QStringList chunk = flowIds.mid(idOffset, pageSize);
    const QJsonObject body{{QStringLiteral("flows"), anyOf(QStringLiteral("id"), chunk)},
                           {QStringLiteral("limit"), pageSize}};
    PrefectReply *flows = send(
        "POST", m_connection.endpoint({QStringLiteral("flows"), QStringLiteral("filter")}), body);
    connect(flows, &PrefectReply::finished, result, [=] {
        if (flows->hasError())
            return result->finishWithError(flows->error());
        if (!flows->json().isArray())
            return result->finishWithError(notAnArray(QStringLiteral("flows")));
        // A flow that is gone keeps an empty name, and is not asked for again.
        for (const QString &id : chunk)
            listing->names.insert(id, QString());
        for (const QJsonValue &flow : flows->json().toArray()) {
            const QJsonObject object = flow.toObject();
            listing->names.insert(object.value(QLatin1String("id")).toString(),
                                  object.value(QLatin1String("name")).toString());
        }
        resolveFlowNames(result, listing, page, flowIds, idOffset + pageSize, pageOffset);
    });
}

PrefectReply *PrefectClient::countDeployments()
{
    auto *result = new PrefectReply(this);
    PrefectReply *request = send(
        "POST", m_connection.endpoint({QStringLiteral("deployments"), QStringLiteral("count")}),
        QJsonObject());
    connect(request, &PrefectReply::finished, result, [request, result] {
        if (request->hasError())
            return result->finishWithError(request->error());
        if (!request->json().isDouble()) {
            return result->finishWithError(
                PrefectError(PrefectError::Kind::InvalidResponse, 200,
                             QStringLiteral("deployments count: expected a number")));
        }
        result->finishWithJson(request->json());
    });
    return result;
}

PrefectReply *PrefectClient::readDeployment(const QString &deploymentId)
{
    auto *result = new PrefectReply(this);
    PrefectReply *request =
        send("GET", m_connection.endpoint({QStringLiteral("deployments"), deploymentId}));
    connect(request, &PrefectReply::finished, result, [this, request, result] {
        if (request->hasError())
            return result->finishWithError(request->error());
        const QJsonObject deployment = request->json().toObject();
        const QString flowId = deployment.value(QLatin1String("flow_id")).toString();
        if (flowId.isEmpty()) {
            return result->finishWithError(
                PrefectError(PrefectError::Kind::InvalidResponse, 200,
                             QStringLiteral("deployment without flow_id")));
        }
        PrefectReply *flow = send("GET", m_connection.endpoint({QStringLiteral("flows"), flowId}));
        connect(flow, &PrefectReply::finished, result, [flow, result, deployment] {
            if (flow->hasError())
                return result->finishWithError(flow->error());
            result->finishWithDeployments({Deployment::fromJson(
                deployment, flow->json().toObject().value(QLatin1String("name")).toString())});
        });
    });
    return result;
}

PrefectReply *PrefectClient::readDeploymentByName(const QString &flowName,
                                                  const QString &deploymentName)
{
    auto *result = new PrefectReply(this);
    PrefectReply *request =
        send("GET",
             m_connection.endpoint({QStringLiteral("deployments"), QStringLiteral("name"), flowName,
                                    deploymentName}));
    connect(request, &PrefectReply::finished, result, [request, result, flowName] {
        if (request->hasError())
            return result->finishWithError(request->error());
        const QJsonObject deployment = request->json().toObject();
        if (deployment.value(QLatin1String("id")).toString().isEmpty()) {
            return result->finishWithError(PrefectError(PrefectError::Kind::InvalidResponse, 200,
                                                        QStringLiteral("deployment without id")));
        }
        result->finishWithDeployments({Deployment::fromJson(deployment, flowName)});
    });
    return result;
}

PrefectReply *PrefectClient::createFlowRun(const QString &deploymentId,
                                           const FlowRunRequest &request)
{
    return send("POST",
                m_connection.endpoint({QStringLiteral("deployments"), deploymentId,
                                       QStringLiteral("create_flow_run")}),
                request.toJson());
}

PrefectReply *PrefectClient::readFlowRun(const QString &flowRunId)
{
    return send("GET", m_connection.endpoint({QStringLiteral("flow_runs"), flowRunId}));
}

PrefectReply *PrefectClient::listFlowRuns(const QString &deploymentId, int limit)
{
    QJsonObject body{{QStringLiteral("sort"), QStringLiteral("EXPECTED_START_TIME_DESC")},
                     {QStringLiteral("limit"), limit}};
    if (!deploymentId.isEmpty())
        body.insert(QStringLiteral("flow_runs"),
                    anyOf(QStringLiteral("deployment_id"), {deploymentId}));
    auto *result = new PrefectReply(this);
    PrefectReply *request =
        send("POST", m_connection.endpoint({QStringLiteral("flow_runs"), QStringLiteral("filter")}),
             body);
    connect(request, &PrefectReply::finished, result, [request, result] {
        if (request->hasError())
            return result->finishWithError(request->error());
        if (!request->json().isArray())
            return result->finishWithError(notAnArray(QStringLiteral("flow runs")));
        QList<FlowRun> runs;
        for (const QJsonValue &value : request->json().toArray())
            runs << FlowRun::fromJson(value.toObject());
        result->finishWithFlowRuns(runs);
    });
    return result;
}

PrefectReply *PrefectClient::readFlowRunStates(const QString &flowRunId)
{
    // The route is the collection itself, "/flow_run_states/", filtered by a query.
    QUrl url = m_connection.endpoint({QStringLiteral("flow_run_states"), QString()});
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("flow_run_id"), flowRunId);
    url.setQuery(query);
    auto *result = new PrefectReply(this);
    PrefectReply *request = send("GET", url);
    connect(request, &PrefectReply::finished, result, [request, result] {
        if (request->hasError())
            return result->finishWithError(request->error());
        if (!request->json().isArray())
            return result->finishWithError(notAnArray(QStringLiteral("flow run states")));
        result->finishWithStates(FlowRunState::listFromJson(request->json().toArray()));
    });
    return result;
}

PrefectReply *PrefectClient::readLogs(const QString &flowRunId, const QDateTime &after, int limit,
                                      int offset)
{
    QJsonObject logs = anyOf(QStringLiteral("flow_run_id"), {flowRunId});
    if (after.isValid()) {
        logs.insert(QStringLiteral("timestamp"),
                    QJsonObject{{QStringLiteral("after_"), PrefectTime::format(after)}});
    }
    QJsonObject body{{QStringLiteral("logs"), logs},
                     {QStringLiteral("sort"), QStringLiteral("TIMESTAMP_ASC")},
                     {QStringLiteral("limit"), limit}};
    if (offset > 0)
        body.insert(QStringLiteral("offset"), offset);
    auto *result = new PrefectReply(this);
    PrefectReply *request = send(
        "POST", m_connection.endpoint({QStringLiteral("logs"), QStringLiteral("filter")}), body);
    connect(request, &PrefectReply::finished, result, [request, result] {
        if (request->hasError())
            return result->finishWithError(request->error());
        if (!request->json().isArray())
            return result->finishWithError(notAnArray(QStringLiteral("logs")));
        result->finishWithLogs(LogEntry::listFromJson(request->json().toArray()));
    });
    return result;
}

PrefectReply *PrefectClient::cancelFlowRun(const QString &flowRunId)
{
    return setFlowRunState(flowRunId,
                           QJsonObject{{QStringLiteral("type"), QStringLiteral("CANCELLING")},
                                       {QStringLiteral("name"), QStringLiteral("Cancelling")}});
}

PrefectReply *PrefectClient::setFlowRunState(const QString &flowRunId, const QJsonObject &state)
{
    return send("POST",
                m_connection.endpoint(
                    {QStringLiteral("flow_runs"), flowRunId, QStringLiteral("set_state")}),
                QJsonObject{{QStringLiteral("state"), state}, {QStringLiteral("force"), false}});
}
