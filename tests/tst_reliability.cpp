// Faults on purpose: scripted server failures against PrefectClient's retries, then the same
// faults, dropped creates and SIGTERM/SIGINT against the ue-prefect binary as UAC runs it.

#include "fakeprefect.h"
#include "flowrunrequest.h"
#include "prefectclient.h"
#include "prefecterror.h"
#include "prefectreply.h"
#include "retrypolicy.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <csignal>
#include <memory>
#include <optional>

#include <signal.h>
#include <sys/types.h>

Q_DECLARE_METATYPE(PrefectError::Kind)

namespace {

const QString accountId = QStringLiteral("6d5c4b3a-2918-4f7e-8d6c-5b4a39281706");
const QString workspaceId = QStringLiteral("0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f");
// Handed to every CLI run; it must never come back out.
const QString apiKey = QStringLiteral("pnu_reliabilitySecret7c6b5a4d3e2f");

// Fast enough for a test, slow enough to tell apart: 50, 100, 200, 200, ... ms, ±25 %.
constexpr int initialDelayMs = 50;
constexpr int maxDelayMs = 200;
constexpr int replyTimeoutMs = 15000;
constexpr int processTimeoutMs = 60000;

RetryPolicy fastPolicy(int maxRetries = 3, int maxTotalMs = 10000)
{
    RetryPolicy policy;
    policy.maxRetries = maxRetries;
    policy.maxTotalMs = maxTotalMs;
    policy.initialDelayMs = initialDelayMs;
    policy.maxDelayMs = maxDelayMs;
    return policy;
}

// The backoff before retry number `retry` (1 for the first), before jitter.
int backoffBaseMs(const RetryPolicy &policy, int retry)
{
    return int(std::min<qint64>(qint64(policy.initialDelayMs) << (retry - 1), policy.maxDelayMs));
}

// A fault by name: "503" (a JSON error with the detail "failure N"), "html502" (a proxy's HTML
// page), "drop" (connection closed without an answer, which Qt itself may send again once),
// "cut" (a 200 whose body breaks off: always a network error), "hang" (never answered),
// "invalid" (200 with a body that is not JSON).
HttpResponse fault(const QString &name, int number)
{
    if (name == "drop")
        return HttpResponse::drop();
    if (name == "cut")
        return HttpResponse::cut(200, QJsonObject{{"id", QString("cut-off answer %1").arg(number)}});
    if (name == "hang")
        return HttpResponse::hang();
    if (name == "invalid")
        return HttpResponse::text(200, "<html>maintenance</html>", "text/html");
    if (name == "html502")
        return HttpResponse::text(502, "<html><body>Bad Gateway</body></html>", "text/html");
    bool ok = false;
    const int status = name.toInt(&ok);
    Q_ASSERT(ok);
    return HttpResponse::json(status, QJsonObject{{"detail", QString("failure %1").arg(number)}});
}

// What a fault becomes on the client's side.
PrefectError::Kind faultKind(const QString &name)
{
    if (name == "drop" || name == "cut")
        return PrefectError::Kind::Network;
    if (name == "hang")
        return PrefectError::Kind::Timeout;
    if (name == "invalid")
        return PrefectError::Kind::InvalidResponse;
    return PrefectError::Kind::Http;
}

int faultStatus(const QString &name)
{
    if (name == "html502")
        return 502;
    if (name == "invalid")
        return 200;
    return name.toInt();
}

// An HTTP date (IMF-fixdate), as servers send Retry-After.
QByteArray httpDate(const QDateTime &time)
{
    return QLocale::c()
        .toString(time.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
        .toLatin1();
}

// What a finished PrefectReply carried, taken before it deleted itself.
struct Outcome
{
    int finishedCount = 0;
    PrefectError error;
    QJsonValue json;
};

bool waitFor(PrefectReply *reply, Outcome *outcome, int timeoutMs = replyTimeoutMs)
{
    auto taken = std::make_shared<Outcome>();
    QObject::connect(reply, &PrefectReply::finished, reply, [reply, taken] {
        ++taken->finishedCount;
        taken->error = reply->error();
        taken->json = reply->json();
    });
    QSignalSpy spy(reply, &PrefectReply::finished);
    const bool signalled = spy.wait(timeoutMs);
    *outcome = *taken;
    return signalled && taken->finishedCount == 1;
}

// Responses handed out in turn to the requests that match; after the last one the fake API
// answers. Records when each matching request arrived.
struct Script
{
    QString pathPart;
    QByteArray method;
    QList<HttpResponse> responses;
    QList<qint64> arrivalsMs;
    QElapsedTimer clock;
};

// One finished run of the binary.
struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QByteArray outputFile;
    QJsonObject extensionOutput;
    QList<QJsonObject> events;

    QString statusDescription() const
    {
        return extensionOutput.value("status_description").toString();
    }
    QJsonObject result() const { return extensionOutput.value("result").toObject(); }
    QJsonObject flowRunInfo() const { return result().value("flow_run_info").toObject(); }
    QStringList errors() const
    {
        QStringList errors;
        for (const QJsonValue &error : result().value("errors").toArray())
            errors << error.toString();
        return errors;
    }
    QStringList reportedStates() const
    {
        QStringList states;
        for (const QJsonObject &event : events) {
            if (event.value("type") == "output_fields")
                states << event.value("fields").toObject().value("flow_run_state").toString();
        }
        return states;
    }
    QString reportedFlowRunId() const
    {
        for (const QJsonObject &event : events) {
            if (event.value("type") == "output_fields")
                return event.value("fields").toObject().value("flow_run_id").toString();
        }
        return {};
    }
    // stderr lines that announce a retry.
    QStringList retryLines() const
    {
        QStringList lines;
        for (const QString &line : QString::fromUtf8(err).split('\n', Qt::SkipEmptyParts)) {
            if (line.contains("; retry "))
                lines << line;
        }
        return lines;
    }
    QByteArray context() const { return "\nstdout:\n" + out + "\nstderr:\n" + err; }
};

// stdout of a running binary, parsed line by line as it comes.
struct LiveEvents
{
    QByteArray all;
    QByteArray pending;
    QList<QJsonObject> events;
    bool malformed = false;

    void feed(const QByteArray &chunk)
    {
        all += chunk;
        pending += chunk;
        qsizetype newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(newline);
            pending.remove(0, newline + 1);
            const QJsonDocument document = QJsonDocument::fromJson(line);
            if (document.isObject())
                events << document.object();
            else
                malformed = true;
        }
    }
    bool sawState(const QString &state) const
    {
        for (const QJsonObject &event : events) {
            if (event.value("type") == "output_fields"
                && event.value("fields").toObject().value("flow_run_state") == state)
                return true;
        }
        return false;
    }
};

enum class KeySource { Environment, FieldsOnStdin };

} // namespace

Q_DECLARE_METATYPE(KeySource)

class TestReliability : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    // PrefectClient on its own.
    void retriedUntilSuccess_data();
    void retriedUntilSuccess();
    void retryAfterIsHonoured_data();
    void retryAfterIsHonoured();
    void retriesExhausted_data();
    void retriesExhausted();
    void notRetried_data();
    void notRetried();
    void totalTimeIsBounded_data();
    void totalTimeIsBounded();
    void droppedCreateReattaches_data();
    void droppedCreateReattaches();

    // The binary.
    void cliRetriesCreate();
    void cliGivesUp_data();
    void cliGivesUp();
    void cliFailedPollWatchGoesOn_data();
    void cliFailedPollWatchGoesOn();
    void cliFailedPollCounts();
    void cliPollEndsAtOnce_data();
    void cliPollEndsAtOnce();
    void cliDroppedCreateMakesOneRun_data();
    void cliDroppedCreateMakesOneRun();
    void cliIdempotencyKeyReattaches();
    void cliFreshKeyPerLaunch();
    void cliSignal_data();
    void cliSignal();
    void cliSecondSignalFinishesAtOnce();

private:
    std::shared_ptr<Script> script(const QString &pathPart, const QByteArray &method,
                                   const QStringList &faults);
    QString createRun();
    PrefectReply *startOperation(const QString &operation, const QString &runId);
    void checkRetrySignals(const QSignalSpy &retrying, const QStringList &faults,
                           const RetryPolicy &policy, const QString &pathPart,
                           const QByteArray &verb);

    QStringList cloudArguments() const;
    QProcessEnvironment environment(KeySource source) const;
    QByteArray fieldsDocument(const QJsonObject &extra = {}) const;
    void runCli(CliRun *run, const QStringList &arguments);
    void readOutcome(CliRun *run, const QString &outputPath, bool events);

    QString m_binary;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<PrefectClient> m_client;
    QString m_deploymentId;
    int m_runs = 0;
};

void TestReliability::initTestCase()
{
    m_binary = qEnvironmentVariable("UE_PREFECT_BINARY");
    QVERIFY2(!m_binary.isEmpty(), "UE_PREFECT_BINARY is not set; run the test through ctest");
    QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
}

void TestReliability::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_deploymentId = m_fake->addDeployment("etl", "daily", QJsonObject{{"day", "today"}});
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<PrefectClient>(m_network.get());
    Connection connection;
    connection.setApiBase(m_fake->apiUrl());
    m_client->setConnection(connection);
    m_client->setRetryPolicy(fastPolicy());
    // The binary's tests talk to Prefect Cloud, so that an API key is always in play (the fake
    // then refuses any request without it); the client's talk to a self-hosted server.
    if (QByteArray(QTest::currentTestFunction()).startsWith("cli"))
        m_fake->enableCloud(accountId, workspaceId, apiKey);
}

void TestReliability::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_fake.reset();
    m_dir.reset();
}

std::shared_ptr<Script> TestReliability::script(const QString &pathPart, const QByteArray &method,
                                                const QStringList &faults)
{
    auto scripted = std::make_shared<Script>();
    scripted->pathPart = pathPart;
    scripted->method = method;
    for (qsizetype i = 0; i < faults.size(); ++i)
        scripted->responses << fault(faults.at(i), int(i) + 1);
    scripted->clock.start();
    m_fake->setOverride([scripted](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (!request.path().contains(scripted->pathPart)
            || (!scripted->method.isEmpty() && request.method != scripted->method))
            return std::nullopt;
        const qsizetype index = scripted->arrivalsMs.size();
        scripted->arrivalsMs << scripted->clock.elapsed();
        if (index < scripted->responses.size())
            return scripted->responses.at(index);
        return std::nullopt;
    });
    return scripted;
}

// A flow run made without any fault, the requests then forgotten.
QString TestReliability::createRun()
{
    FlowRunRequest request;
    request.idempotencyKey = QUuid::createUuid().toString(QUuid::WithoutBraces);
    Outcome outcome;
    if (!waitFor(m_client->createFlowRun(m_deploymentId, request), &outcome)
        || outcome.error.isError())
        return {};
    m_fake->http().clearRequests();
    m_network->clearConnectionCache();
    return outcome.json.toObject().value("id").toString();
}

PrefectReply *TestReliability::startOperation(const QString &operation, const QString &runId)
{
    if (operation == "read")
        return m_client->readFlowRun(runId);
    if (operation == "create") {
        FlowRunRequest request;
        request.name = "retried";
        request.parameters = QJsonObject{{"day", "2026-10-21"}};
        request.idempotencyKey = "key-" + QUuid::createUuid().toString(QUuid::WithoutBraces);
        return m_client->createFlowRun(m_deploymentId, request);
    }
    if (operation == "list deployments")
        return m_client->listDeployments();
    if (operation == "set state")
        return m_client->setFlowRunState(runId, QJsonObject{{"type", "CANCELLING"}});
    qFatal("unknown operation");
    return nullptr;
}

// One retrying() per fault, numbered from 1, each with the fault it follows and a delay in the
// jitter band of its backoff step. A dropped connection may instead be sent again by Qt itself,
// unseen by the client: with drops among the faults, fewer signals are allowed, each for one of
// the faults.
void TestReliability::checkRetrySignals(const QSignalSpy &retrying, const QStringList &faults,
                                        const RetryPolicy &policy, const QString &pathPart,
                                        const QByteArray &verb)
{
    const qsizetype drops = faults.count("drop");
    QVERIFY2(retrying.size() <= faults.size() && retrying.size() >= faults.size() - drops,
             qPrintable(QString("%1 retries for %2").arg(retrying.size()).arg(faults.join(", "))));
    QSet<PrefectError::Kind> kinds;
    for (const QString &name : faults)
        kinds << faultKind(name);
    for (qsizetype i = 0; i < retrying.size(); ++i) {
        const QList<QVariant> &arguments = retrying.at(i);
        const int retry = int(i) + 1;
        QCOMPARE(arguments.at(0).toByteArray(), verb);
        QVERIFY2(arguments.at(1).toUrl().path().contains(pathPart),
                 qPrintable(arguments.at(1).toUrl().toString()));
        QCOMPARE(arguments.at(2).toInt(), retry);
        QCOMPARE(arguments.at(3).toInt(), policy.maxRetries);
        const int delay = arguments.at(4).toInt();
        const int base = backoffBaseMs(policy, retry);
        QVERIFY2(delay >= 0.75 * base - 1 && delay <= 1.25 * base + 1,
                 qPrintable(QString("retry %1 after %2 ms, base %3 ms").arg(retry).arg(delay).arg(base)));
        const auto error = arguments.at(5).value<PrefectError>();
        if (drops > 0) {
            QVERIFY2(kinds.contains(error.kind()), qPrintable(error.toString()));
            continue;
        }
        QCOMPARE(error.kind(), faultKind(faults.at(i)));
        if (error.kind() == PrefectError::Kind::Http)
            QCOMPARE(error.httpStatus(), faultStatus(faults.at(i)));
    }
}

void TestReliability::retriedUntilSuccess_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("pathPart");
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QStringList>("faults");
    QTest::addColumn<int>("transferTimeoutMs");

    const int standardTimeout = Connection::defaultTransferTimeoutMs;
    QTest::newRow("read: 503, 503, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"503", "503"}
        << standardTimeout;
    QTest::newRow("read: 500, 502, 504, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"500", "502", "504"}
        << standardTimeout;
    QTest::newRow("read: 408, 200") << "read" << "/flow_runs/" << QByteArray("GET")
                                    << QStringList{"408"} << standardTimeout;
    QTest::newRow("read: 429 without Retry-After, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"429"} << standardTimeout;
    QTest::newRow("read: proxy's HTML 502, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"html502"}
        << standardTimeout;
    QTest::newRow("read: connection closed before the answer, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"drop"} << standardTimeout;
    QTest::newRow("read: answer cut off mid-body, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"cut"} << standardTimeout;
    QTest::newRow("read: no answer past the transfer timeout, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"hang"} << 300;
    QTest::newRow("read: cut off, timeout, 503, 200")
        << "read" << "/flow_runs/" << QByteArray("GET") << QStringList{"cut", "hang", "503"}
        << 300;
    QTest::newRow("create: 503, 503, 201")
        << "create" << "/create_flow_run" << QByteArray("POST") << QStringList{"503", "503"}
        << standardTimeout;
    QTest::newRow("create: connection closed before the answer, 201")
        << "create" << "/create_flow_run" << QByteArray("POST") << QStringList{"drop"}
        << standardTimeout;
    QTest::newRow("create: answer cut off mid-body, 201")
        << "create" << "/create_flow_run" << QByteArray("POST") << QStringList{"cut"}
        << standardTimeout;
    QTest::newRow("create: no answer past the transfer timeout, 201")
        << "create" << "/create_flow_run" << QByteArray("POST") << QStringList{"hang"} << 300;
    // The second page of a multi-request operation is retried on its own.
    QTest::newRow("list deployments: flows/filter 503, 200")
        << "list deployments" << "/flows/filter" << QByteArray("POST") << QStringList{"503"}
        << standardTimeout;
    QTest::newRow("set state: 502, 201")
        << "set state" << "/set_state" << QByteArray("POST") << QStringList{"502"}
        << standardTimeout;
}

void TestReliability::retriedUntilSuccess()
{
    QFETCH(QString, operation);
    QFETCH(QString, pathPart);
    QFETCH(QByteArray, verb);
    QFETCH(QStringList, faults);
    QFETCH(int, transferTimeoutMs);

    const QString runId = createRun();
    QVERIFY(!runId.isEmpty());
    Connection connection = m_client->connection();
    connection.setTransferTimeoutMs(transferTimeoutMs);
    m_client->setConnection(connection);
    const RetryPolicy policy = m_client->retryPolicy();
    QVERIFY(policy.maxRetries >= faults.size());

    const auto scripted = script(pathPart, verb, faults);
    QSignalSpy retrying(m_client.get(), &PrefectClient::retrying);
    Outcome outcome;
    QVERIFY(waitFor(startOperation(operation, runId), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    // Every fault, then exactly one request that got through.
    QCOMPARE(scripted->arrivalsMs.size(), faults.size() + 1);
    QCOMPARE(m_fake->requestsTo(pathPart, verb).size(), faults.size() + 1);
    checkRetrySignals(retrying, faults, policy, pathPart, verb);
    // No retry left before its delay was up (Qt's own resend of a drop has no delay).
    for (qsizetype i = 0; i < retrying.size() && !faults.contains("drop"); ++i) {
        const qint64 gap = scripted->arrivalsMs.at(i + 1) - scripted->arrivalsMs.at(i);
        QVERIFY2(gap >= retrying.at(i).at(4).toInt() - 5,
                 qPrintable(QString("retry %1 sent %2 ms after the fault, delay %3 ms")
                                .arg(i + 1)
                                .arg(gap)
                                .arg(retrying.at(i).at(4).toInt())));
    }

    if (operation == "read") {
        QCOMPARE(outcome.json.toObject().value("id").toString(), runId);
    } else if (operation == "create") {
        // Sent again as it was, key and all: one run, the one returned.
        const QList<HttpRequest> creates = m_fake->requestsTo("/create_flow_run", "POST");
        for (const HttpRequest &create : creates)
            QCOMPARE(create.body, creates.first().body);
        QVERIFY(!creates.first().json().toObject().value("idempotency_key").toString().isEmpty());
        QCOMPARE(m_fake->flowRunIds().size(), 2); // createRun()'s and this one
        QCOMPARE(outcome.json.toObject().value("id").toString(), m_fake->flowRunIds().last());
    } else if (operation == "set state") {
        QCOMPARE(outcome.json.toObject().value("status").toString(), QString("ACCEPT"));
        QCOMPARE(m_fake->flowRun(runId).value("state_type").toString(), QString("CANCELLING"));
    }
}

void TestReliability::retryAfterIsHonoured_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("asDate");
    QTest::addColumn<int>("minDelayMs");
    QTest::addColumn<int>("maxDelayMs");

    QTest::newRow("429, Retry-After: 1") << 429 << false << 1000 << 1000;
    QTest::newRow("503, Retry-After: 1") << 503 << false << 1000 << 1000;
    // Two seconds ahead at a whole second: between one and two seconds from now.
    QTest::newRow("429, Retry-After: an HTTP date 2 s ahead") << 429 << true << 900 << 2000;
}

// The server's Retry-After, well above the policy's own 200 ms cap, is what the client waits.
void TestReliability::retryAfterIsHonoured()
{
    QFETCH(int, status);
    QFETCH(bool, asDate);
    QFETCH(int, minDelayMs);
    QFETCH(int, maxDelayMs);

    const QString runId = createRun();
    QVERIFY(!runId.isEmpty());
    HttpResponse response =
        HttpResponse::json(status, QJsonObject{{"detail", "Slow down"}});
    response.headers.append(qMakePair(
        QByteArray("Retry-After"),
        asDate ? httpDate(QDateTime::currentDateTimeUtc().addSecs(2)) : QByteArray("1")));
    auto scripted = std::make_shared<Script>();
    scripted->clock.start();
    m_fake->setOverride([scripted, response](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (!request.path().contains("/flow_runs/"))
            return std::nullopt;
        scripted->arrivalsMs << scripted->clock.elapsed();
        if (scripted->arrivalsMs.size() == 1)
            return response;
        return std::nullopt;
    });

    QSignalSpy retrying(m_client.get(), &PrefectClient::retrying);
    QElapsedTimer clock;
    clock.start();
    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(runId), &outcome));
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QCOMPARE(retrying.size(), 1);
    const int delay = retrying.first().at(4).toInt();
    QVERIFY2(delay >= minDelayMs && delay <= maxDelayMs,
             qPrintable(QString("retrying after %1 ms, Retry-After asked for %2..%3 ms")
                            .arg(delay)
                            .arg(minDelayMs)
                            .arg(maxDelayMs)));
    QCOMPARE(scripted->arrivalsMs.size(), 2);
    const qint64 gap = scripted->arrivalsMs.at(1) - scripted->arrivalsMs.at(0);
    QVERIFY2(gap >= 900, qPrintable(QString("the retry came %1 ms after the 429").arg(gap)));
    QVERIFY2(elapsed >= 900, qPrintable(QString("done after %1 ms").arg(elapsed)));
}

void TestReliability::retriesExhausted_data()
{
    QTest::addColumn<int>("maxRetries");
    QTest::addColumn<QStringList>("faults");

    QTest::newRow("503 three times, 2 retries") << 2 << QStringList{"503", "503", "503"};
    QTest::newRow("502, 504, 503: the last is reported") << 2 << QStringList{"502", "504", "503"};
    QTest::newRow("429, 500: the last is reported") << 1 << QStringList{"429", "500"};
    QTest::newRow("503, then a cut-off answer: the network error is reported")
        << 1 << QStringList{"503", "cut"};
    QTest::newRow("cut-off answers only") << 3 << QStringList{"cut", "cut", "cut", "cut"};
    QTest::newRow("timeouts only") << 1 << QStringList{"hang", "hang"};
    QTest::newRow("one try only") << 0 << QStringList{"503"};
}

void TestReliability::retriesExhausted()
{
    QFETCH(int, maxRetries);
    QFETCH(QStringList, faults);
    QCOMPARE(faults.size(), maxRetries + 1);

    const QString runId = createRun();
    QVERIFY(!runId.isEmpty());
    const RetryPolicy policy = fastPolicy(maxRetries);
    m_client->setRetryPolicy(policy);
    if (faults.contains("hang")) {
        Connection connection = m_client->connection();
        connection.setTransferTimeoutMs(300);
        m_client->setConnection(connection);
    }
    // One more fault than the client will try: had it tried once more, it would have failed
    // again, not succeeded; the error must be the last one it saw.
    const auto scripted = script("/flow_runs/", "GET", faults + QStringList{"418"});
    QSignalSpy retrying(m_client.get(), &PrefectClient::retrying);
    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(runId), &outcome));

    QCOMPARE(scripted->arrivalsMs.size(), maxRetries + 1);
    checkRetrySignals(retrying, faults.mid(0, maxRetries), policy, "/flow_runs/", "GET");
    const QString last = faults.last();
    QVERIFY(outcome.error.isError());
    QCOMPARE(outcome.error.kind(), faultKind(last));
    if (faultKind(last) == PrefectError::Kind::Http) {
        QCOMPARE(outcome.error.httpStatus(), faultStatus(last));
        QCOMPARE(outcome.error.message(), QString("failure %1").arg(faults.size()));
    }
}

void TestReliability::notRetried_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("pathPart");
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QString>("faultName");

    for (const char *status : {"400", "401", "403", "404", "405", "409", "422", "501"})
        QTest::addRow("read: %s", status)
            << "read" << "/flow_runs/" << QByteArray("GET") << QString(status);
    QTest::newRow("read: 200 with an HTML body")
        << "read" << "/flow_runs/" << QByteArray("GET") << "invalid";
    for (const char *status : {"404", "409", "422"})
        QTest::addRow("create: %s", status)
            << "create" << "/create_flow_run" << QByteArray("POST") << QString(status);
}

// Only the first request fails: a client that retried would have succeeded.
void TestReliability::notRetried()
{
    QFETCH(QString, operation);
    QFETCH(QString, pathPart);
    QFETCH(QByteArray, verb);
    QFETCH(QString, faultName);

    const QString runId = createRun();
    QVERIFY(!runId.isEmpty());
    const auto scripted = script(pathPart, verb, {faultName});
    QSignalSpy retrying(m_client.get(), &PrefectClient::retrying);
    Outcome outcome;
    QVERIFY(waitFor(startOperation(operation, runId), &outcome));

    QCOMPARE(scripted->arrivalsMs.size(), 1);
    QCOMPARE(retrying.size(), 0);
    QCOMPARE(outcome.error.kind(), faultKind(faultName));
    QCOMPARE(outcome.error.httpStatus(), faultStatus(faultName));
    QCOMPARE(m_fake->flowRunIds().size(), 1);
}

void TestReliability::totalTimeIsBounded_data()
{
    QTest::addColumn<int>("maxRetries");
    QTest::addColumn<int>("maxTotalMs");
    QTest::addColumn<int>("initialDelay");
    QTest::addColumn<int>("maxDelay");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<int>("expectedRequests");

    // The server asks for 30 s; the budget is 1 s: no point waiting, none in retrying early.
    QTest::newRow("Retry-After beyond the budget: give up at once")
        << 5 << 1000 << 50 << 200 << QByteArray("30") << 1;
    QTest::newRow("Retry-After beyond a budget below maxDelayMs")
        << 5 << 1000 << 50 << 5000 << QByteArray("30") << 1;
    // Backoff 150, 300, 600 ms (±25 %) in a 700 ms budget: the third wait would end past it.
    QTest::newRow("backoff past the remaining budget")
        << 10 << 700 << 150 << 1000 << QByteArray() << 3;
    QTest::newRow("retries off") << 0 << 10000 << 50 << 200 << QByteArray() << 1;
}

void TestReliability::totalTimeIsBounded()
{
    QFETCH(int, maxRetries);
    QFETCH(int, maxTotalMs);
    QFETCH(int, initialDelay);
    QFETCH(int, maxDelay);
    QFETCH(QByteArray, retryAfter);
    QFETCH(int, expectedRequests);

    const QString runId = createRun();
    QVERIFY(!runId.isEmpty());
    RetryPolicy policy = fastPolicy(maxRetries, maxTotalMs);
    policy.initialDelayMs = initialDelay;
    policy.maxDelayMs = maxDelay;
    m_client->setRetryPolicy(policy);
    QStringList faults;
    for (int i = 0; i <= maxRetries; ++i)
        faults << "503";
    const auto scripted = script("/flow_runs/", "GET", faults);
    if (!retryAfter.isEmpty()) {
        for (HttpResponse &response : scripted->responses)
            response.headers.append(qMakePair(QByteArray("Retry-After"), retryAfter));
    }

    QSignalSpy retrying(m_client.get(), &PrefectClient::retrying);
    QElapsedTimer clock;
    clock.start();
    QList<qint64> retryEndsMs; // when each announced retry would be sent, from our clock
    connect(m_client.get(), &PrefectClient::retrying, this,
            [&](const QByteArray &, const QUrl &, int, int, int delayMs, const PrefectError &) {
                retryEndsMs << clock.elapsed() + delayMs;
            });
    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(runId), &outcome));
    const qint64 elapsed = clock.elapsed();

    QCOMPARE(outcome.error.kind(), PrefectError::Kind::Http);
    QCOMPARE(outcome.error.httpStatus(), 503);
    QCOMPARE(scripted->arrivalsMs.size(), expectedRequests);
    QCOMPARE(retrying.size(), expectedRequests - 1);
    // Our clock started before the client's: a little slack for that.
    for (const qint64 end : std::as_const(retryEndsMs))
        QVERIFY2(end <= maxTotalMs + 20,
                 qPrintable(QString("a retry planned at %1 ms of a %2 ms budget")
                                .arg(end)
                                .arg(maxTotalMs)));
    if (expectedRequests == 1) {
        QVERIFY2(elapsed < 900, qPrintable(QString("gave up after %1 ms").arg(elapsed)));
    } else {
        QVERIFY2(elapsed <= maxTotalMs + 250,
                 qPrintable(QString("gave up after %1 ms of a %2 ms budget")
                                .arg(elapsed)
                                .arg(maxTotalMs)));
    }
}

void TestReliability::droppedCreateReattaches_data()
{
    QTest::addColumn<QString>("faultName");
    QTest::addColumn<int>("times");

    QTest::newRow("connection closed before the answer") << "drop" << 1;
    QTest::newRow("answer cut off mid-body") << "cut" << 1;
    QTest::newRow("three answers lost, closed") << "drop" << 3;
    QTest::newRow("three answers lost, cut off") << "cut" << 3;
}

// The fake makes the run, then loses the answer: the client cannot tell whether the run exists.
// Each retry carries the same idempotency_key, and Prefect answers with the run it already made.
void TestReliability::droppedCreateReattaches()
{
    QFETCH(QString, faultName);
    QFETCH(int, times);

    m_fake->dropNextCreateAfterCreating(times, fault(faultName, 0));
    FlowRunRequest request;
    request.name = "nightly";
    request.idempotencyKey = "uac-task-4711";
    QSignalSpy retrying(m_client.get(), &PrefectClient::retrying);
    Outcome outcome;
    QVERIFY(waitFor(m_client->createFlowRun(m_deploymentId, request), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    const QList<HttpRequest> creates = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(creates.size(), times + 1);
    QStringList faults;
    for (int i = 0; i < times; ++i)
        faults << faultName;
    checkRetrySignals(retrying, faults, m_client->retryPolicy(), "/create_flow_run", "POST");
    QCOMPARE(creates.at(0).json().toObject().value("idempotency_key").toString(),
             QString("uac-task-4711"));
    for (const HttpRequest &create : creates)
        QCOMPARE(create.body, creates.at(0).body);
    QCOMPARE(m_fake->flowRunIds().size(), 1);
    QCOMPARE(outcome.json.toObject().value("id").toString(), m_fake->flowRunIds().first());
    QCOMPARE(outcome.json.toObject().value("name").toString(), QString("nightly"));
}

// ---- The binary --------------------------------------------------------------------------

QStringList TestReliability::cloudArguments() const
{
    return {"--api-url",   m_fake->apiUrl().toString(), "--account",    accountId,
            "--workspace", workspaceId,                 "--deployment", "etl/daily"};
}

// Ours without any PREFECT_* variable; the key in PREFECT_API_KEY when it comes that way.
QProcessEnvironment TestReliability::environment(KeySource source) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const QStringList names = environment.keys();
    for (const QString &name : names) {
        if (name.startsWith("PREFECT_"))
            environment.remove(name);
    }
    if (source == KeySource::Environment)
        environment.insert("PREFECT_API_KEY", apiKey);
    return environment;
}

// UAC's way: the credentials in a fields document on standard input.
QByteArray TestReliability::fieldsDocument(const QJsonObject &extra) const
{
    QJsonObject fields{{"credentials", QJsonObject{{"user", accountId}, {"password", apiKey}}}};
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        fields.insert(it.key(), it.value());
    return QJsonDocument(fields).toJson(QJsonDocument::Compact);
}

// Runs the binary against the fake in the Cloud layout, the key from the environment.
void TestReliability::runCli(CliRun *run, const QStringList &arguments)
{
    const QString outputPath = m_dir->filePath(QString("extension-output-%1.json").arg(++m_runs));
    QProcess process;
    process.setProgram(m_binary);
    process.setArguments(cloudArguments() + arguments
                         + QStringList{"--events", "--extension-output-file", outputPath});
    process.setProcessEnvironment(environment(KeySource::Environment));
    QSignalSpy finished(&process, &QProcess::finished);
    process.start();
    QVERIFY2(process.waitForStarted(processTimeoutMs), qPrintable(process.errorString()));
    process.closeWriteChannel();
    QVERIFY2(finished.count() > 0 || finished.wait(processTimeoutMs),
             qPrintable("ue-prefect did not finish: " + process.arguments().join(' ')));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    run->exitCode = process.exitCode();
    run->out = process.readAllStandardOutput();
    run->err = process.readAllStandardError();
    readOutcome(run, outputPath, true);
}

// The Extension Output file and the events, checked against each other and for the key.
void TestReliability::readOutcome(CliRun *run, const QString &outputPath, bool events)
{
    QFile file(outputPath);
    QVERIFY2(file.open(QIODevice::ReadOnly), ("no Extension Output file" + run->context()).constData());
    run->outputFile = file.readAll();
    const QJsonDocument document = QJsonDocument::fromJson(run->outputFile);
    QVERIFY2(document.isObject(), run->outputFile.constData());
    run->extensionOutput = document.object();
    QCOMPARE(run->extensionOutput.value("exit_code").toInt(-1), run->exitCode);

    if (events) {
        run->events.clear();
        QVERIFY2(run->out.endsWith('\n'), run->context().constData());
        for (const QByteArray &line : run->out.chopped(1).split('\n')) {
            const QJsonDocument event = QJsonDocument::fromJson(line);
            QVERIFY2(event.isObject(), line.constData());
            run->events << event.object();
        }
        const QJsonObject last = run->events.last();
        QCOMPARE(last.value("type").toString(), QString("result"));
        QCOMPARE(last.value("exit_code").toInt(-1), run->exitCode);
        QCOMPARE(last.value("extension_output").toObject(), run->extensionOutput);
    }

    const QByteArray key = apiKey.toUtf8();
    QVERIFY2(!run->out.contains(key), ("API key on stdout" + run->context()).constData());
    QVERIFY2(!run->err.contains(key), ("API key on stderr" + run->context()).constData());
    QVERIFY2(!run->outputFile.contains(key),
             ("API key in the Extension Output: " + run->outputFile).constData());
    const QJsonValue password = run->extensionOutput.value("invocation")
                                    .toObject()
                                    .value("fields")
                                    .toObject()
                                    .value("credentials")
                                    .toObject()
                                    .value("password");
    QCOMPARE(password.toString(), QString("****"));
}

void TestReliability::cliRetriesCreate()
{
    const auto scripted = script("/create_flow_run", "POST", {"503", "503"});
    CliRun run;
    runCli(&run, {});
    QVERIFY2(run.exitCode == 0, run.context().constData());
    QCOMPARE(run.statusDescription(), QString("Task executed successfully."));
    QCOMPARE(scripted->arrivalsMs.size(), 3);
    QCOMPARE(m_fake->flowRunIds().size(), 1);
    QCOMPARE(run.reportedFlowRunId(), m_fake->flowRunIds().first());

    // One warning line per retry, with the step, the error, the count and the wait.
    const QStringList lines = run.retryLines();
    QCOMPARE(lines.size(), 2);
    const QString path = QString("/api/accounts/%1/workspaces/%2/deployments/%3/create_flow_run")
                             .arg(accountId, workspaceId, m_deploymentId);
    for (int i = 0; i < 2; ++i) {
        const QRegularExpression pattern(
            QString("warning: POST %1: HTTP 503: failure %2; retry %3 of 5 in (\\d+\\.\\d) s$")
                .arg(QRegularExpression::escape(path))
                .arg(i + 1)
                .arg(i + 1));
        const QRegularExpressionMatch match = pattern.match(lines.at(i));
        QVERIFY2(match.hasMatch(), qPrintable(lines.at(i)));
        // The standard backoff: 1 s, then 2 s, ±25 %.
        const double seconds = match.captured(1).toDouble();
        const double base = i == 0 ? 1.0 : 2.0;
        QVERIFY2(seconds >= 0.75 * base - 0.05 && seconds <= 1.25 * base + 0.05,
                 qPrintable(lines.at(i)));
    }
}

void TestReliability::cliGivesUp_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("faults");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<int>("expectedRequests");

    QTest::newRow("--max-retries 0") << QStringList{"--max-retries", "0"}
                                     << QStringList{"503", "503"} << QByteArray() << 1;
    QTest::newRow("--max-retries 1, two 503s")
        << QStringList{"--max-retries", "1"} << QStringList{"503", "503", "503"} << QByteArray()
        << 2;
    QTest::newRow("--retry-max-seconds 2, Retry-After: 10")
        << QStringList{"--retry-max-seconds", "2"} << QStringList{"503", "503"} << QByteArray("10")
        << 1;
}

// Retries off, used up, or not worth it: exit 1 on the create's last 503, no run made.
void TestReliability::cliGivesUp()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, faults);
    QFETCH(QByteArray, retryAfter);
    QFETCH(int, expectedRequests);

    const auto scripted = script("/create_flow_run", "POST", faults);
    if (!retryAfter.isEmpty()) {
        for (HttpResponse &response : scripted->responses)
            response.headers.append(qMakePair(QByteArray("Retry-After"), retryAfter));
    }
    CliRun run;
    QElapsedTimer clock;
    clock.start();
    runCli(&run, arguments);
    QVERIFY2(run.exitCode == 1, run.context().constData());
    QVERIFY2(run.statusDescription().startsWith("Execution Failed: "),
             qPrintable(run.statusDescription()));
    QVERIFY2(run.statusDescription().contains("HTTP 503"), qPrintable(run.statusDescription()));
    QVERIFY2(run.statusDescription().contains(QString("failure %1").arg(expectedRequests)),
             qPrintable(run.statusDescription()));
    QCOMPARE(scripted->arrivalsMs.size(), expectedRequests);
    QCOMPARE(run.retryLines().size(), expectedRequests - 1);
    QVERIFY(m_fake->flowRunIds().isEmpty());
    if (!retryAfter.isEmpty())
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString("took %1 ms").arg(clock.elapsed())));
}

void TestReliability::cliFailedPollWatchGoesOn_data()
{
    QTest::addColumn<QString>("maxRetries");
    QTest::addColumn<QStringList>("faults");
    QTest::addColumn<QStringList>("pollErrors");

    QTest::newRow("503, --max-retries 0")
        << "0" << QStringList{"503"} << QStringList{"Poll 1 failed: HTTP 503: failure 1"};
    QTest::newRow("503 and its retry, --max-retries 1")
        << "1" << QStringList{"503", "503"} << QStringList{"Poll 1 failed: HTTP 503: failure 2"};
    QTest::newRow("answer cut off, --max-retries 0")
        << "0" << QStringList{"cut"} << QStringList{"Poll 1 failed: network error"};
    QTest::newRow("two failed polls in a row, --max-retries 0")
        << "0" << QStringList{"502", "504"}
        << QStringList{"Poll 1 failed: HTTP 502: failure 1", "Poll 2 failed: HTTP 504: failure 2"};
}

// A poll that fails after its retries counts as a poll; the next one finds the run COMPLETED.
void TestReliability::cliFailedPollWatchGoesOn()
{
    QFETCH(QString, maxRetries);
    QFETCH(QStringList, faults);
    QFETCH(QStringList, pollErrors);

    m_fake->setStateScript({"SCHEDULED", "COMPLETED"});
    const auto scripted = script("/flow_runs/", "GET", faults);
    CliRun run;
    runCli(&run, {"--wait", "--poll-interval", "1", "--max-polls", "5", "--max-retries",
                  maxRetries, "--extension-output", "flow-run-info"});
    QVERIFY2(run.exitCode == 0, run.context().constData());
    QCOMPARE(run.statusDescription(), QString("Task executed successfully."));
    QCOMPARE(run.reportedStates(), QStringList({"SCHEDULED", "COMPLETED"}));
    QCOMPARE(scripted->arrivalsMs.size(), faults.size() + 1);
    QCOMPARE(run.flowRunInfo().value("state_type").toString(), QString("COMPLETED"));
    for (const QString &pollError : pollErrors)
        QVERIFY2(run.err.contains(pollError.toUtf8()), run.context().constData());
    const int retries = maxRetries.toInt();
    QCOMPARE(run.retryLines().size(), faults.size() / (retries + 1) * retries);
}

// Two polls allowed, the first fails: the second is the last, whatever state it finds.
void TestReliability::cliFailedPollCounts()
{
    m_fake->setStateScript({"SCHEDULED", "RUNNING", "COMPLETED"});
    const auto scripted = script("/flow_runs/", "GET", {"503"});
    CliRun run;
    runCli(&run, {"--wait", "--poll-interval", "1", "--max-polls", "2", "--max-retries", "0"});
    QVERIFY2(run.exitCode == 40, run.context().constData());
    QCOMPARE(scripted->arrivalsMs.size(), 2);
    QCOMPARE(run.reportedStates(), QStringList({"SCHEDULED", "RUNNING"}));
}

void TestReliability::cliPollEndsAtOnce_data()
{
    QTest::addColumn<QString>("status");

    QTest::newRow("401") << "401";
    QTest::newRow("403") << "403";
    QTest::newRow("404") << "404";
}

// Credentials or the run gone: no retry, no further poll, with polls and retries to spare.
void TestReliability::cliPollEndsAtOnce()
{
    QFETCH(QString, status);

    m_fake->setStateScript({"SCHEDULED", "RUNNING"});
    const auto scripted = script("/flow_runs/", "GET", {status, status, status});
    CliRun run;
    runCli(&run, {"--wait", "--poll-interval", "1", "--max-polls", "5"});
    QVERIFY2(run.exitCode == 1, run.context().constData());
    QVERIFY2(run.statusDescription().contains("HTTP " + status),
             qPrintable(run.statusDescription()));
    QCOMPARE(scripted->arrivalsMs.size(), 1);
    QCOMPARE(run.retryLines().size(), 0);
}

void TestReliability::cliDroppedCreateMakesOneRun_data()
{
    QTest::addColumn<QString>("faultName");
    QTest::addColumn<int>("times");

    QTest::newRow("connection closed before the answer") << "drop" << 1;
    QTest::newRow("answer cut off mid-body") << "cut" << 1;
    QTest::newRow("two answers lost") << "cut" << 2;
}

// The create made the run but its answer was lost: the retry, with the same key, gets that run.
void TestReliability::cliDroppedCreateMakesOneRun()
{
    QFETCH(QString, faultName);
    QFETCH(int, times);

    m_fake->dropNextCreateAfterCreating(times, fault(faultName, 0));
    m_fake->setStateScript({"SCHEDULED", "COMPLETED"});
    CliRun run;
    runCli(&run, {"--max-retries", "3", "--wait", "--poll-interval", "1", "--extension-output",
                  "flow-run-info"});
    QVERIFY2(run.exitCode == 0, run.context().constData());
    QCOMPARE(m_fake->flowRunIds().size(), 1);
    const QString runId = m_fake->flowRunIds().first();
    QCOMPARE(run.reportedFlowRunId(), runId);
    QCOMPARE(run.flowRunInfo().value("id").toString(), runId);
    QCOMPARE(run.reportedStates(), QStringList({"SCHEDULED", "COMPLETED"}));

    const QList<HttpRequest> creates = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(creates.size(), times + 1);
    const QString key = creates.at(0).json().toObject().value("idempotency_key").toString();
    QVERIFY(!key.isEmpty());
    for (const HttpRequest &create : creates)
        QCOMPARE(create.json().toObject().value("idempotency_key").toString(), key);
    QCOMPARE(m_fake->flowRun(runId).value("idempotency_key").toString(), key);
    // Every poll read that one run.
    for (const HttpRequest &read : m_fake->requestsTo("/flow_runs/", "GET"))
        QVERIFY2(read.path().endsWith("/flow_runs/" + runId), qPrintable(read.path()));
    // One warning per retry; Qt may have sent a dropped request again itself, unannounced.
    const QStringList lines = run.retryLines();
    if (faultName == "drop")
        QVERIFY2(lines.size() <= times, run.context().constData());
    else
        QCOMPARE(lines.size(), times);
    for (int i = 0; i < lines.size(); ++i) {
        QVERIFY2(lines.at(i).contains("create_flow_run: network error")
                     && lines.at(i).contains(QString("; retry %1 of 3 in ").arg(i + 1)),
                 qPrintable(lines.at(i)));
    }
}

// UAC re-running a task with the same key: the second process reattaches to the first's run.
void TestReliability::cliIdempotencyKeyReattaches()
{
    const QString key = "uac-task-1729-run-3";
    CliRun first;
    runCli(&first, {"--idempotency-key", key});
    QVERIFY2(first.exitCode == 0, first.context().constData());
    CliRun second;
    runCli(&second, {"--idempotency-key", key});
    QVERIFY2(second.exitCode == 0, second.context().constData());

    QCOMPARE(m_fake->flowRunIds().size(), 1);
    QVERIFY(!first.reportedFlowRunId().isEmpty());
    QCOMPARE(first.reportedFlowRunId(), m_fake->flowRunIds().first());
    QCOMPARE(second.reportedFlowRunId(), first.reportedFlowRunId());
    const QList<HttpRequest> creates = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(creates.size(), 2);
    for (const HttpRequest &create : creates)
        QCOMPARE(create.json().toObject().value("idempotency_key").toString(), key);
}

// Without --idempotency-key every launch is a new run.
void TestReliability::cliFreshKeyPerLaunch()
{
    CliRun first;
    runCli(&first, {});
    QVERIFY2(first.exitCode == 0, first.context().constData());
    CliRun second;
    runCli(&second, {});
    QVERIFY2(second.exitCode == 0, second.context().constData());

    QCOMPARE(m_fake->flowRunIds().size(), 2);
    QVERIFY(first.reportedFlowRunId() != second.reportedFlowRunId());
    const QList<HttpRequest> creates = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(creates.size(), 2);
    const QString firstKey = creates.at(0).json().toObject().value("idempotency_key").toString();
    const QString secondKey = creates.at(1).json().toObject().value("idempotency_key").toString();
    QVERIFY2(!QUuid::fromString(firstKey).isNull(), qPrintable(firstKey));
    QVERIFY2(!QUuid::fromString(secondKey).isNull(), qPrintable(secondKey));
    QVERIFY(firstKey != secondKey);
}

void TestReliability::cliSignal_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QJsonObject>("extraFields");
    QTest::addColumn<KeySource>("keySource");
    QTest::addColumn<bool>("cancels");

    const QStringList cancel{"--cancel-on-terminate"};
    QTest::newRow("SIGTERM, key in the environment") << int(SIGTERM) << QStringList()
                                                     << QJsonObject() << KeySource::Environment
                                                     << false;
    QTest::newRow("SIGINT, key in the environment")
        << int(SIGINT) << QStringList() << QJsonObject() << KeySource::Environment << false;
    QTest::newRow("SIGTERM, key on stdin") << int(SIGTERM) << QStringList() << QJsonObject()
                                           << KeySource::FieldsOnStdin << false;
    QTest::newRow("SIGINT, key on stdin")
        << int(SIGINT) << QStringList() << QJsonObject() << KeySource::FieldsOnStdin << false;
    QTest::newRow("SIGTERM, --cancel-on-terminate, key in the environment")
        << int(SIGTERM) << cancel << QJsonObject() << KeySource::Environment << true;
    QTest::newRow("SIGINT, --cancel-on-terminate, key on stdin")
        << int(SIGINT) << cancel << QJsonObject() << KeySource::FieldsOnStdin << true;
    QTest::newRow("SIGTERM, cancel_flow_run_on_task_cancel field, key on stdin")
        << int(SIGTERM) << QStringList()
        << QJsonObject{{"cancel_flow_run_on_task_cancel", "true"}} << KeySource::FieldsOnStdin
        << true;
}

// The task is stopped while it waits on a run that never ends.
void TestReliability::cliSignal()
{
    QFETCH(int, signalNumber);
    QFETCH(QStringList, arguments);
    QFETCH(QJsonObject, extraFields);
    QFETCH(KeySource, keySource);
    QFETCH(bool, cancels);

    m_fake->setStateScript({"SCHEDULED", "RUNNING"});
    const QString outputPath = m_dir->filePath("signal.json");
    QStringList args = cloudArguments();
    if (keySource == KeySource::FieldsOnStdin) {
        args.removeAt(args.indexOf("--account") + 1);
        args.removeOne("--account");
        args << "--fields" << "-";
    }
    args << arguments << "--wait" << "--poll-interval" << "1" << "--events" << "-v"
         << "--extension-output" << "flow-run-info" << "--extension-output-file" << outputPath;

    QProcess process;
    process.setProgram(m_binary);
    process.setArguments(args);
    process.setProcessEnvironment(environment(keySource));
    LiveEvents live;
    connect(&process, &QProcess::readyReadStandardOutput, this,
            [&] { live.feed(process.readAllStandardOutput()); });
    QSignalSpy finished(&process, &QProcess::finished);
    process.start();
    QVERIFY2(process.waitForStarted(processTimeoutMs), qPrintable(process.errorString()));
    if (keySource == KeySource::FieldsOnStdin)
        process.write(fieldsDocument(extraFields));
    process.closeWriteChannel();

    QTRY_VERIFY_WITH_TIMEOUT(live.sawState("RUNNING") || finished.count() > 0, 20000);
    QVERIFY2(finished.isEmpty(), live.all + process.readAllStandardError());
    const QString runId = m_fake->flowRunIds().value(0);
    QVERIFY(!runId.isEmpty());

    QElapsedTimer clock;
    clock.start();
    if (signalNumber == SIGTERM)
        process.terminate();
    else
        QCOMPARE(::kill(pid_t(process.processId()), SIGINT), 0);
    QVERIFY2(finished.wait(10000), "ue-prefect did not stop after the signal");
    const qint64 stopMs = clock.elapsed();
    live.feed(process.readAllStandardOutput());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);

    CliRun run;
    run.exitCode = process.exitCode();
    run.out = live.all;
    run.err = process.readAllStandardError();
    QVERIFY(!live.malformed);
    readOutcome(&run, outputPath, true);
    QVERIFY2(stopMs < 3000, qPrintable(QString("stopped %1 ms after the signal").arg(stopMs)));

    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.statusDescription(), QString("Execution Failed: Task cancelled"));
    QVERIFY2(run.errors().contains("Task cancelled"), qPrintable(run.errors().join(" | ")));
    // The output fields as last known: the run, RUNNING.
    QCOMPARE(run.flowRunInfo().value("id").toString(), runId);
    QCOMPARE(run.flowRunInfo().value("state_type").toString(), QString("RUNNING"));
    QCOMPARE(run.reportedStates(), QStringList({"SCHEDULED", "RUNNING"}));
    const QByteArray name = signalNumber == SIGTERM ? "SIGTERM" : "SIGINT";
    QVERIFY2(run.err.contains(name + " received"), run.context().constData());

    const QList<HttpRequest> setState = m_fake->requestsTo("/set_state");
    if (!cancels) {
        QCOMPARE(setState.size(), 0);
        QVERIFY2(run.errors().contains(QString("Flow run %1 left running on Prefect").arg(runId)),
                 qPrintable(run.errors().join(" | ")));
        QCOMPARE(m_fake->flowRun(runId).value("state_type").toString(), QString("RUNNING"));
    } else {
        QCOMPARE(setState.size(), 1);
        QCOMPARE(setState.first().method, QByteArray("POST"));
        QVERIFY(setState.first().path().endsWith("/flow_runs/" + runId + "/set_state"));
        const QJsonObject body = setState.first().json().toObject();
        QCOMPARE(body.value("state").toObject().value("type").toString(), QString("CANCELLING"));
        QVERIFY(body.value("force").isBool());
        QCOMPARE(m_fake->flowRun(runId).value("state_type").toString(), QString("CANCELLING"));
        const QString answered =
            QString("Cancelling flow run %1: Prefect answered ACCEPT").arg(runId);
        QVERIFY2(run.errors().contains(answered), qPrintable(run.errors().join(" | ")));
        QVERIFY2(!run.errors().join('\n').contains("left running"),
                 qPrintable(run.errors().join(" | ")));
    }
}

// Prefect does not answer the cancel request: a second signal ends the task there and then.
void TestReliability::cliSecondSignalFinishesAtOnce()
{
    m_fake->setStateScript({"SCHEDULED", "RUNNING"});
    m_fake->setOverride([](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.path().endsWith("/set_state"))
            return HttpResponse::hang();
        return std::nullopt;
    });
    const QString outputPath = m_dir->filePath("second-signal.json");
    QProcess process;
    process.setProgram(m_binary);
    process.setArguments(cloudArguments()
                         + QStringList{"--cancel-on-terminate", "--wait", "--poll-interval", "1",
                                       "--events", "--extension-output", "flow-run-info",
                                       "--extension-output-file", outputPath});
    process.setProcessEnvironment(environment(KeySource::Environment));
    LiveEvents live;
    connect(&process, &QProcess::readyReadStandardOutput, this,
            [&] { live.feed(process.readAllStandardOutput()); });
    QSignalSpy finished(&process, &QProcess::finished);
    process.start();
    QVERIFY2(process.waitForStarted(processTimeoutMs), qPrintable(process.errorString()));
    process.closeWriteChannel();
    QTRY_VERIFY_WITH_TIMEOUT(live.sawState("RUNNING") || finished.count() > 0, 20000);
    QVERIFY(finished.isEmpty());
    const QString runId = m_fake->flowRunIds().value(0);

    process.terminate();
    QTRY_VERIFY_WITH_TIMEOUT(m_fake->requestsTo("/set_state").size() == 1 || finished.count() > 0,
                             10000);
    QVERIFY2(finished.isEmpty(), "ue-prefect stopped without waiting for Prefect's answer");
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::kill(pid_t(process.processId()), SIGINT), 0);
    QVERIFY2(finished.wait(10000), "ue-prefect did not stop after the second signal");
    const qint64 stopMs = clock.elapsed();
    live.feed(process.readAllStandardOutput());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);

    CliRun run;
    run.exitCode = process.exitCode();
    run.out = live.all;
    run.err = process.readAllStandardError();
    readOutcome(&run, outputPath, true);
    QVERIFY2(stopMs < 3000, qPrintable(QString("stopped %1 ms after the signal").arg(stopMs)));
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.statusDescription().startsWith("Execution Failed: Task cancelled"),
             qPrintable(run.statusDescription()));
    QCOMPARE(run.flowRunInfo().value("id").toString(), runId);
    QCOMPARE(m_fake->requestsTo("/set_state").size(), 1);
}

QTEST_GUILESS_MAIN(TestReliability)
#include "tst_reliability.moc"
