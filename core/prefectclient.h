#pragma once

#include "connection.h"
#include "flowrunrequest.h"
#include "prefecterror.h"
#include "retrypolicy.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

#include <memory>
#include <optional>

class PrefectReply;
class QNetworkAccessManager;
class QNetworkReply;

// The Prefect REST API on one QNetworkAccessManager. Every call returns a PrefectReply that
// reports once; front ends never see a URL or a QNetworkReply.
class PrefectClient : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PrefectClient)

public:
    // The server's largest page for the filter routes.
    static constexpr int pageSize = 200;
    // No Prefect answer comes near this; a larger one is a broken or hostile server.
    static constexpr qint64 maxResponseBytes = 64 * 1024 * 1024;

    explicit PrefectClient(QNetworkAccessManager *network, QObject *parent = nullptr);

    const Connection &connection() const { return m_connection; }
    void setConnection(const Connection &connection) { m_connection = connection; }
    // No retries unless set: a caller chooses how long it can afford to wait.
    RetryPolicy retryPolicy() const { return m_retryPolicy; }
    void setRetryPolicy(const RetryPolicy &policy) { m_retryPolicy = policy; }

    // Prefect Cloud: every workspace the API key can reach.
    PrefectReply *listWorkspaces();
    // Every deployment, with its flow's name; only those called deploymentName when given.
    // Pages are reported as they arrive (PrefectReply::deploymentsPageReady).
    PrefectReply *listDeployments(const QString &deploymentName = {});
    // How many deployments there are (POST /deployments/count): json() is the number.
    PrefectReply *countDeployments();
    // One deployment, with its flow's name.
    PrefectReply *readDeployment(const QString &deploymentId);
    PrefectReply *readDeploymentByName(const QString &flowName, const QString &deploymentName);
    PrefectReply *createFlowRun(const QString &deploymentId, const FlowRunRequest &request);
    PrefectReply *readFlowRun(const QString &flowRunId);
    // Recent flow runs, newest first (POST /flow_runs/filter): of one deployment when given.
    PrefectReply *listFlowRuns(const QString &deploymentId = {}, int limit = 50);
    // A run's state history, oldest first.
    PrefectReply *readFlowRunStates(const QString &flowRunId);
    // A run's log lines, oldest first, from `after` on (inclusive; invalid: from the start).
    // offset skips that many of the lines from `after` on (a page of lines sharing one time).
    PrefectReply *readLogs(const QString &flowRunId, const QDateTime &after = {},
                           int limit = pageSize, int offset = 0);
    // Proposes a state (e.g. {"type": "CANCELLING"}); the answer is Prefect's orchestration
    // result with its "status": ACCEPT, REJECT, ABORT or WAIT.
    PrefectReply *setFlowRunState(const QString &flowRunId, const QJsonObject &state);
    // Asks Prefect to cancel the run: proposes CANCELLING (read the answer with
    // OrchestrationResult::fromJson).
    PrefectReply *cancelFlowRun(const QString &flowRunId);

signals:
    // For a verbose log: one per HTTP exchange, status 0 when there was no HTTP answer.
    void exchangeFinished(const QByteArray &verb, const QUrl &url, int status, qint64 elapsedMs);
    // A request failed in a way worth another try; it is sent again after delayMs.
    void retrying(const QByteArray &verb, const QUrl &url, int retry, int maxRetries, int delayMs,
                  const PrefectError &error);

private:
    struct Attempt
    {
        QByteArray verb;
        QUrl url;
        QByteArray payload;
        int retries = 0;
        bool oversized = false;
        QElapsedTimer clock;
    };

    PrefectReply *send(const QByteArray &verb, const QUrl &url, const QJsonValue &body = {});
    void sendAttempt(PrefectReply *result, const std::shared_ptr<Attempt> &attempt);
    PrefectError interpret(QNetworkReply *networkReply, QJsonValue *json,
                           std::optional<qint64> *retryAfterMs) const;
    // What a listDeployments call has gathered so far.
    struct DeploymentListing
    {
        QJsonObject filter;
        QJsonArray all;
        QHash<QString, QString> names; // flow id -> name, asked for once
    };

    void fetchDeploymentPage(PrefectReply *result,
                             const std::shared_ptr<DeploymentListing> &listing, int offset);
    void resolveFlowNames(PrefectReply *result, const std::shared_ptr<DeploymentListing> &listing,
                          const QJsonArray &page, const QStringList &flowIds, int idOffset,
                          int pageOffset);

    QNetworkAccessManager *m_network;
    Connection m_connection;
    RetryPolicy m_retryPolicy;
};
