#include "prefectclient.h"

#include "prefectreply.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

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
    if (body.trimmed().isEmpty()) {
        *json = QJsonValue();
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
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
    QJsonObject filter;
    if (!deploymentName.isEmpty())
        filter.insert(QStringLiteral("deployments"),
                      anyOf(QStringLiteral("name"), {deploymentName}));
    fetchDeploymentPage(result, filter, 0, {});
    return result;
}

void PrefectClient::fetchDeploymentPage(PrefectReply *result, const QJsonObject &filter, int offset,
                                        const QJsonArray &collected)
{
    QJsonObject body = filter;
    body.insert(QStringLiteral("limit"), pageSize);
    body.insert(QStringLiteral("offset"), offset);
    body.insert(QStringLiteral("sort"), QStringLiteral("NAME_ASC"));
    PrefectReply *page = send(
        "POST", m_connection.endpoint({QStringLiteral("deployments"), QStringLiteral("filter")}),
        body);
    connect(page, &PrefectReply::finished, result, [=] {
        if (page->hasError())
            return result->finishWithError(page->error());
        if (!page->json().isArray()) {
            return result->finishWithError(
                PrefectError(PrefectError::Kind::InvalidResponse, 200,
                             QStringLiteral("deployments: expected a JSON array")));
        }
        const QJsonArray items = page->json().toArray();
        QJsonArray all = collected;
        for (const QJsonValue &item : items)
            all.append(item);
        if (items.size() == pageSize)
            return fetchDeploymentPage(result, filter, offset + pageSize, all);
        QStringList flowIds;
        for (const QJsonValue &item : std::as_const(all)) {
            const QString flowId = item.toObject().value(QLatin1String("flow_id")).toString();
            if (!flowId.isEmpty() && !flowIds.contains(flowId))
                flowIds << flowId;
        }
        fetchFlowNames(result, all, flowIds, 0, {});
    });
}

void PrefectClient::fetchFlowNames(PrefectReply *result, const QJsonArray &deployments,
                                   const QStringList &flowIds, int offset,
                                   const QHash<QString, QString> &names)
{
    if (offset >= flowIds.size())
        return result->finishWithDeployments(deploymentsFromJson(deployments, names));
    const QStringList chunk = flowIds.mid(offset, pageSize);
    const QJsonObject body{{QStringLiteral("flows"), anyOf(QStringLiteral("id"), chunk)},
                           {QStringLiteral("limit"), pageSize}};
    PrefectReply *page = send(
        "POST", m_connection.endpoint({QStringLiteral("flows"), QStringLiteral("filter")}), body);
    connect(page, &PrefectReply::finished, result, [=] {
        if (page->hasError())
            return result->finishWithError(page->error());
        QHash<QString, QString> all = names;
        for (const QJsonValue &flow : page->json().toArray()) {
            const QJsonObject object = flow.toObject();
            all.insert(object.value(QLatin1String("id")).toString(),
                       object.value(QLatin1String("name")).toString());
        }
        fetchFlowNames(result, deployments, flowIds, offset + pageSize, all);
    });
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

PrefectReply *PrefectClient::setFlowRunState(const QString &flowRunId, const QJsonObject &state)
{
    return send("POST",
                m_connection.endpoint(
                    {QStringLiteral("flow_runs"), flowRunId, QStringLiteral("set_state")}),
                QJsonObject{{QStringLiteral("state"), state}, {QStringLiteral("force"), false}});
}
