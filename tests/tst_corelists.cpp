#include "fakeprefect.h"
#include "flowrunlistpoller.h"
#include "logfollower.h"
#include "orchestrationresult.h"
#include "prefectclient.h"
#include "prefecterror.h"
#include "prefectreply.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>
#include <QUuid>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>

// The list and follow APIs of core against the fake Prefect server: counting and paging
// deployments, recent flow runs, state histories, log reads, and the two pollers built on them
// (LogFollower, FlowRunListPoller).

namespace {

enum class Layout { SelfHosted, Cloud };

// How the fake misbehaves for a while.
enum class Fault {
    ServerError, // HTTP 503 with Prefect's {"detail": ...}
    NotAnArray, // 200 with a JSON object where a list belongs
    CutConnection, // the answer breaks off mid-body
};

const QString accountId = QStringLiteral("9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d");
const QString workspaceId = QStringLiteral("1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d");
const QString cloudKey = QStringLiteral("pnu_CoreListsKeyForTests0123456");

// Log lines and states carry times of their own, so that ties are on purpose only.
const QDateTime baseTime(QDate(2026, 12, 4), QTime(5, 0), QTimeZone::utc());

// What a finished PrefectReply carried, taken before it deleted itself.
struct Outcome
{
    int finishedCount = 0;
    PrefectError error;
    QJsonValue json;
    QList<Deployment> deployments;
    QList<FlowRun> flowRuns;
    QList<FlowRunState> states;
    QList<LogEntry> logs;
};

bool waitFor(PrefectReply *reply, Outcome *outcome, int timeoutMs = 10000)
{
    auto taken = std::make_shared<Outcome>();
    QObject::connect(reply, &PrefectReply::finished, reply, [reply, taken] {
        ++taken->finishedCount;
        taken->error = reply->error();
        taken->json = reply->json();
        taken->deployments = reply->deployments();
        taken->flowRuns = reply->flowRuns();
        taken->states = reply->states();
        taken->logs = reply->logs();
    });
    QSignalSpy spy(reply, &PrefectReply::finished);
    const bool signalled = spy.wait(timeoutMs);
    *outcome = *taken;
    return signalled && taken->finishedCount == 1;
}

QByteArray layoutName(Layout layout)
{
    return layout == Layout::Cloud ? QByteArrayLiteral("cloud") : QByteArrayLiteral("self-hosted");
}

QJsonObject anyOf(const char *field, const QStringList &values)
{
    return QJsonObject{
        {QString::fromLatin1(field), QJsonObject{{"any_", QJsonArray::fromStringList(values)}}}};
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QStringList messagesOf(const QList<LogEntry> &entries)
{
    QStringList messages;
    for (const LogEntry &entry : entries)
        messages << entry.message;
    return messages;
}

QStringList idsOf(const QList<FlowRun> &runs)
{
    QStringList ids;
    for (const FlowRun &run : runs)
        ids << run.id;
    return ids;
}

// The lines of `expected` that never arrived, for a failure message.
QByteArray missingLines(const QStringList &expected, const QList<LogEntry> &received)
{
    const QStringList got = messagesOf(received);
    QStringList missing;
    for (const QString &line : expected) {
        if (!got.contains(line))
            missing << line;
    }
    QByteArray text = QByteArray::number(missing.size()) + " of "
        + QByteArray::number(expected.size()) + " lines never reported";
    if (!missing.isEmpty())
        text += ": " + missing.first().toUtf8() + " .. " + missing.last().toUtf8();
    return text + "; " + QByteArray::number(received.size()) + " reported";
}

// POST /logs/filter as Prefect answers it: timestamps to the microsecond, after_ compared
// exactly. (The fake keeps milliseconds.) Times are microseconds after baseTime.
class MicrosecondLogs
{
public:
    QString add(const QString &flowRunId, qint64 microseconds, const QString &message)
    {
        m_lines << Line{newId(), flowRunId, microseconds, message};
        return m_lines.last().id;
    }

    HttpResponse answer(const HttpRequest &request) const
    {
        const QJsonObject body = request.json().toObject();
        const QJsonObject filter = body.value("logs").toObject();
        const QJsonArray runIds = filter.value("flow_run_id").toObject().value("any_").toArray();
        const QString afterText = filter.value("timestamp").toObject().value("after_").toString();
        qint64 after = std::numeric_limits<qint64>::min();
        if (!afterText.isEmpty()) {
            const QDateTime time = QDateTime::fromString(afterText, Qt::ISODateWithMs);
            if (!time.isValid())
                return HttpResponse::json(422, QJsonObject{{"detail", "bad after_"}});
            after = baseTime.msecsTo(time) * 1000;
        }
        QList<Line> found;
        for (const Line &line : m_lines) {
            if (runIds.contains(line.flowRunId) && line.microseconds >= after)
                found << line;
        }
        std::stable_sort(found.begin(), found.end(), [](const Line &a, const Line &b) {
            return a.microseconds < b.microseconds;
        });
        QJsonArray page;
        const int limit = body.value("limit").toInt(200);
        for (qsizetype i = 0; i < found.size() && page.size() < limit; ++i) {
            const Line &line = found.at(i);
            const QString fraction =
                QString::number(line.microseconds % 1000000).rightJustified(6, QLatin1Char('0'));
            const QString timestamp = baseTime.addSecs(line.microseconds / 1000000)
                                          .toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss"))
                + u'.' + fraction + QStringLiteral("+00:00");
            page.append(QJsonObject{{"id", line.id},
                                    {"flow_run_id", line.flowRunId},
                                    {"name", "prefect.flow_runs"},
                                    {"level", 20},
                                    {"message", line.message},
                                    {"timestamp", timestamp}});
        }
        return HttpResponse::json(200, page);
    }

private:
    struct Line
    {
        QString id;
        QString flowRunId;
        qint64 microseconds;
        QString message;
    };
    QList<Line> m_lines;
};

HttpResponse faultResponse(Fault fault)
{
    switch (fault) {
    case Fault::ServerError:
        return HttpResponse::json(503, QJsonObject{{"detail", "Service Unavailable"}});
    case Fault::NotAnArray:
        return HttpResponse::json(200, QJsonObject{{"detail", "not a list"}});
    case Fault::CutConnection:
        return HttpResponse::cut(200, QJsonArray{QJsonObject{{"id", "x"}}});
    }
    return {};
}

PrefectError::Kind faultKind(Fault fault)
{
    switch (fault) {
    case Fault::ServerError:
        return PrefectError::Kind::Http;
    case Fault::NotAnArray:
        return PrefectError::Kind::InvalidResponse;
    case Fault::CutConnection:
        return PrefectError::Kind::Network;
    }
    return PrefectError::Kind::None;
}

} // namespace

Q_DECLARE_METATYPE(Layout)
Q_DECLARE_METATYPE(Fault)
Q_DECLARE_METATYPE(PrefectError::Kind)

class TestCoreLists : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // PrefectClient
    void countDeployments_data();
    void countDeployments();
    void countDeploymentsAnswers_data();
    void countDeploymentsAnswers();
    void listDeploymentsPageByPage_data();
    void listDeploymentsPageByPage();
    void listDeploymentsDroppedMidway_data();
    void listDeploymentsDroppedMidway();
    void listFlowRuns_data();
    void listFlowRuns();
    void readFlowRunStates_data();
    void readFlowRunStates();
    void readLogs_data();
    void readLogs();
    void listsRejectBadAnswers_data();
    void listsRejectBadAnswers();

    // LogFollower
    void logFollowerReportsEachLineOnce();
    void logFollowerReadsFullPagesAtOnce_data();
    void logFollowerReadsFullPagesAtOnce();
    void logFollowerMoreThanAPageAtOneTimestamp();
    void logFollowerMicrosecondTimestamps_data();
    void logFollowerMicrosecondTimestamps();
    void logFollowerFinish_data();
    void logFollowerFinish();
    void logFollowerGoesOnAfterFailedRead_data();
    void logFollowerGoesOnAfterFailedRead();

    // FlowRunListPoller
    void pollerRunsUpdated();
    void pollerRunEnded_data();
    void pollerRunEnded();
    void pollerRefreshFailed_data();
    void pollerRefreshFailed();
    void cancelFlowRun_data();
    void cancelFlowRun();

private:
    void useLayout(Layout layout);
    QString prefix(Layout layout) const;
    void overrideRoute(const QString &pathPart, const HttpResponse &response);
    QString launch(const QString &deploymentId, const QString &name);
    qsizetype logReads() const { return m_fake->requestsTo(QStringLiteral("/logs/filter")).size(); }

    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<PrefectClient> m_client;
};

void TestCoreLists::init()
{
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<PrefectClient>(m_network.get());
    useLayout(Layout::SelfHosted);
}

void TestCoreLists::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_fake.reset();
}

void TestCoreLists::useLayout(Layout layout)
{
    Connection connection;
    if (layout == Layout::Cloud) {
        m_fake->enableCloud(accountId, workspaceId, cloudKey);
        connection.setApiBase(m_fake->http().url(QStringLiteral("/api")));
        connection.setAccountId(accountId);
        connection.setWorkspaceId(workspaceId);
        connection.setApiKey(cloudKey);
    } else {
        connection.setApiBase(m_fake->apiUrl());
    }
    m_client->setConnection(connection);
}

QString TestCoreLists::prefix(Layout layout) const
{
    if (layout == Layout::Cloud)
        return QStringLiteral("/api/accounts/%1/workspaces/%2").arg(accountId, workspaceId);
    return QStringLiteral("/api");
}

void TestCoreLists::overrideRoute(const QString &pathPart, const HttpResponse &response)
{
    m_fake->setOverride([pathPart, response](const HttpRequest &request) {
        return request.path().contains(pathPart) ? std::optional<HttpResponse>(response)
                                                 : std::nullopt;
    });
}

QString TestCoreLists::launch(const QString &deploymentId, const QString &name)
{
    FlowRunRequest request;
    request.name = name;
    request.parameters = QJsonObject{{"run", name}};
    request.tags = QStringList{QStringLiteral("corelists"), name};
    Outcome outcome;
    if (!waitFor(m_client->createFlowRun(deploymentId, request), &outcome)
        || outcome.error.isError()) {
        qWarning("creating a flow run on the fake failed: %s",
                 qPrintable(outcome.error.toString()));
        return {};
    }
    return outcome.json.toObject().value(QLatin1String("id")).toString();
}

// --- PrefectClient::countDeployments ----------------------------------------------------------

void TestCoreLists::countDeployments_data()
{
    QTest::addColumn<Layout>("layout");
    QTest::addColumn<int>("count");
    for (const Layout layout : {Layout::SelfHosted, Layout::Cloud}) {
        for (const int count : {0, 1, 450})
            QTest::addRow("%s, %d", layoutName(layout).constData(), count) << layout << count;
    }
}

void TestCoreLists::countDeployments()
{
    QFETCH(Layout, layout);
    QFETCH(int, count);
    useLayout(layout);
    for (int i = 0; i < count; ++i)
        m_fake->addDeployment(QStringLiteral("flow-%1").arg(i % 3), QStringLiteral("d-%1").arg(i));

    Outcome outcome;
    QVERIFY(waitFor(m_client->countDeployments(), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QVERIFY(outcome.json.isDouble());
    QCOMPARE(outcome.json.toInteger(-1), qint64(count));

    // One request, and no listing: the count is Prefect's own.
    const QList<HttpRequest> requests = m_fake->http().requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().method, QByteArray("POST"));
    QCOMPARE(requests.first().path(), prefix(layout) + QStringLiteral("/deployments/count"));
    QCOMPARE(requests.first().body, QByteArray("{}"));
}

void TestCoreLists::countDeploymentsAnswers_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<PrefectError::Kind>("kind"); // None: the count below
    QTest::addColumn<int>("count");

    const QByteArray json = "application/json";
    const auto ok = PrefectError::Kind::None;
    const auto invalid = PrefectError::Kind::InvalidResponse;
    QTest::newRow("bare number") << 200 << QByteArray("450") << json << ok << 450;
    QTest::newRow("bare zero") << 200 << QByteArray("0") << json << ok << 0;
    QTest::newRow("number in white space") << 200 << QByteArray(" 450\r\n") << json << ok << 450;
    QTest::newRow("number with exponent") << 200 << QByteArray("4.5e2") << json << ok << 450;
    QTest::newRow("object") << 200 << QByteArray(R"({"count": 450})") << json << invalid << 0;
    QTest::newRow("array") << 200 << QByteArray("[450]") << json << invalid << 0;
    QTest::newRow("quoted number") << 200 << QByteArray(R"("450")") << json << invalid << 0;
    QTest::newRow("null") << 200 << QByteArray("null") << json << invalid << 0;
    QTest::newRow("true") << 200 << QByteArray("true") << json << invalid << 0;
    QTest::newRow("empty body") << 200 << QByteArray() << json << invalid << 0;
    QTest::newRow("html") << 200 << QByteArray("<html><body>proxy login</body></html>")
                          << QByteArray("text/html") << invalid << 0;
    QTest::newRow("number then garbage") << 200 << QByteArray("450 apples") << json << invalid << 0;
    QTest::newRow("http 500") << 500 << QByteArray(R"({"detail": "database is locked"})") << json
                              << PrefectError::Kind::Http << 0;
}

void TestCoreLists::countDeploymentsAnswers()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(PrefectError::Kind, kind);
    QFETCH(int, count);
    overrideRoute(QStringLiteral("/deployments/count"),
                  HttpResponse::text(status, body, contentType));

    Outcome outcome;
    QVERIFY(waitFor(m_client->countDeployments(), &outcome));
    QCOMPARE(outcome.error.kind(), kind);
    if (kind == PrefectError::Kind::None) {
        QVERIFY(outcome.json.isDouble());
        QCOMPARE(outcome.json.toInteger(-1), qint64(count));
        return;
    }
    QCOMPARE(outcome.error.httpStatus(), status);
    if (kind == PrefectError::Kind::Http)
        QCOMPARE(outcome.error.message(), QStringLiteral("database is locked"));
}

// --- PrefectClient::listDeployments, page by page ---------------------------------------------

void TestCoreLists::listDeploymentsPageByPage_data()
{
    QTest::addColumn<Layout>("layout");
    QTest::addColumn<int>("count");
    QTest::addColumn<QList<int>>("pageSizes");

    for (const Layout layout : {Layout::SelfHosted, Layout::Cloud}) {
        QTest::addRow("%s, 450", layoutName(layout).constData())
            << layout << 450 << QList<int>{200, 200, 50};
    }
    QTest::newRow("self-hosted, 201") << Layout::SelfHosted << 201 << QList<int>{200, 1};
    QTest::newRow("self-hosted, 3") << Layout::SelfHosted << 3 << QList<int>{3};
}

void TestCoreLists::listDeploymentsPageByPage()
{
    QFETCH(Layout, layout);
    QFETCH(int, count);
    QFETCH(QList<int>, pageSizes);
    useLayout(layout);

    // Deployment i is "deployment-i" of flow "flow-(i % 3)"; the server pages by name.
    const auto deploymentName = [](int index) {
        return QStringLiteral("deployment-%1").arg(index, 3, 10, QLatin1Char('0'));
    };
    QStringList ids;
    for (int i = 0; i < count; ++i)
        ids << m_fake->addDeployment(QStringLiteral("flow-%1").arg(i % 3), deploymentName(i));

    PrefectReply *reply = m_client->listDeployments();
    QList<QList<Deployment>> pages;
    int pagesWhenFinished = -1;
    connect(reply, &PrefectReply::deploymentsPageReady, this,
            [&pages](const QList<Deployment> &page) { pages << page; });
    connect(reply, &PrefectReply::finished, this,
            [&pages, &pagesWhenFinished] { pagesWhenFinished = int(pages.size()); });
    Outcome outcome;
    QVERIFY(waitFor(reply, &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    // Every page is reported before finished().
    QCOMPARE(pagesWhenFinished, int(pageSizes.size()));
    QList<int> sizes;
    for (const QList<Deployment> &page : std::as_const(pages))
        sizes << int(page.size());
    QCOMPARE(sizes, pageSizes);

    // Each page holds the next names, each with its flow's name already resolved.
    int first = 0;
    for (const QList<Deployment> &page : std::as_const(pages)) {
        QStringList names;
        for (const Deployment &deployment : page) {
            names << deployment.name;
            const int index = int(ids.indexOf(deployment.id));
            QVERIFY2(index >= 0, qPrintable(deployment.id));
            QCOMPARE(deployment.name, deploymentName(index));
            QCOMPARE(deployment.flowName, QStringLiteral("flow-%1").arg(index % 3));
            QCOMPARE(deployment.flowId, m_fake->flowId(deployment.flowName));
        }
        names.sort();
        QStringList expected;
        for (int i = first; i < first + page.size(); ++i)
            expected << deploymentName(i);
        QCOMPARE(names, expected);
        first += int(page.size());
    }

    // The final list: all of them once, sorted by "flow/deployment".
    QCOMPARE(outcome.deployments.size(), count);
    QSet<QString> seen;
    for (const Deployment &deployment : std::as_const(outcome.deployments)) {
        QVERIFY2(!seen.contains(deployment.id), qPrintable(deployment.id));
        seen.insert(deployment.id);
        const int index = int(ids.indexOf(deployment.id));
        QVERIFY2(index >= 0, qPrintable(deployment.id));
        QCOMPARE(deployment.flowName, QStringLiteral("flow-%1").arg(index % 3));
    }
    QVERIFY(std::is_sorted(
        outcome.deployments.cbegin(), outcome.deployments.cend(),
        [](const Deployment &a, const Deployment &b) { return a.fullName() < b.fullName(); }));

    const QList<HttpRequest> requests = m_fake->requestsTo(QStringLiteral("/deployments/filter"));
    QCOMPARE(requests.size(), pageSizes.size());
    for (qsizetype i = 0; i < requests.size(); ++i) {
        QCOMPARE(requests.at(i).path(), prefix(layout) + QStringLiteral("/deployments/filter"));
        const QJsonObject body = requests.at(i).json().toObject();
        QCOMPARE(body,
                 (QJsonObject{{"limit", 200}, {"offset", int(i) * 200}, {"sort", "NAME_ASC"}}));
    }
    // The three flows' names are asked for once, on the first page, not again on later ones.
    QCOMPARE(m_fake->requestsTo(QStringLiteral("/flows/filter")).size(), 1);
}

void TestCoreLists::listDeploymentsDroppedMidway_data()
{
    QTest::addColumn<bool>("deleteAtOnce");
    QTest::addColumn<int>("maxPageRequests");
    // Deleted in the page handler: the next page is never asked for.
    QTest::newRow("delete") << true << 1;
    // deleteLater(): the next page may already be on its way, but nothing after it.
    QTest::newRow("deleteLater") << false << 2;
}

void TestCoreLists::listDeploymentsDroppedMidway()
{
    QFETCH(bool, deleteAtOnce);
    QFETCH(int, maxPageRequests);
    for (int i = 0; i < 450; ++i)
        m_fake->addDeployment(QStringLiteral("flow-%1").arg(i % 3), QStringLiteral("d-%1").arg(i));

    PrefectReply *reply = m_client->listDeployments();
    int pages = 0;
    int finished = 0;
    connect(reply, &PrefectReply::deploymentsPageReady, this, [&pages, reply, deleteAtOnce] {
        if (++pages > 1)
            return;
        if (deleteAtOnce)
            delete reply;
        else
            reply->deleteLater();
    });
    connect(reply, &PrefectReply::finished, this, [&finished] { ++finished; });
    QTRY_COMPARE(pages, 1);

    // Another call answered after the dropped chain had its chance to go on.
    Outcome outcome;
    QVERIFY(waitFor(m_client->countDeployments(), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QCOMPARE(pages, 1);
    QCOMPARE(finished, 0);
    QVERIFY(m_fake->requestsTo(QStringLiteral("/deployments/filter")).size() <= maxPageRequests);
}

// --- PrefectClient::listFlowRuns ----------------------------------------------------------------

void TestCoreLists::listFlowRuns_data()
{
    QTest::addColumn<Layout>("layout");
    QTest::addColumn<QString>("deployment"); // "a", "b" or empty: every deployment
    QTest::addColumn<int>("limit");
    QTest::addColumn<QStringList>("expected"); // run names, newest first

    for (const Layout layout : {Layout::SelfHosted, Layout::Cloud}) {
        const QByteArray name = layoutName(layout);
        QTest::addRow("%s, one deployment", name.constData())
            << layout << QStringLiteral("a") << 50 << QStringList{"a3", "a2", "a1"};
        QTest::addRow("%s, every deployment", name.constData())
            << layout << QString() << 50 << QStringList{"a3", "a2", "b1", "a1"};
    }
    QTest::newRow("self-hosted, limit")
        << Layout::SelfHosted << QStringLiteral("a") << 2 << QStringList{"a3", "a2"};
    QTest::newRow("self-hosted, other deployment")
        << Layout::SelfHosted << QStringLiteral("b") << 50 << QStringList{"b1"};
}

void TestCoreLists::listFlowRuns()
{
    QFETCH(Layout, layout);
    QFETCH(QString, deployment);
    QFETCH(int, limit);
    QFETCH(QStringList, expected);
    useLayout(layout);

    const QHash<QString, QString> deployments{
        {QStringLiteral("a"),
         m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"))},
        {QStringLiteral("b"),
         m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("hourly"))},
    };
    QHash<QString, QString> runIds; // name -> id
    for (const char *name : {"a1", "b1", "a2", "a3"}) {
        const QString runName = QString::fromLatin1(name);
        const QString id = launch(deployments.value(runName.left(1)), runName);
        QVERIFY(!id.isEmpty());
        runIds.insert(runName, id);
    }
    const QString deploymentId = deployments.value(deployment);
    m_fake->http().clearRequests();

    Outcome outcome;
    QVERIFY(waitFor(m_client->listFlowRuns(deploymentId, limit), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    const QList<HttpRequest> requests = m_fake->http().requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().method, QByteArray("POST"));
    QCOMPARE(requests.first().path(), prefix(layout) + QStringLiteral("/flow_runs/filter"));
    QJsonObject body{{"sort", "EXPECTED_START_TIME_DESC"}, {"limit", limit}};
    if (!deploymentId.isEmpty())
        body.insert("flow_runs", anyOf("deployment_id", {deploymentId}));
    QCOMPARE(requests.first().json().toObject(), body);

    QStringList names;
    for (const FlowRun &run : std::as_const(outcome.flowRuns))
        names << run.name;
    QCOMPARE(names, expected);
    for (const FlowRun &run : std::as_const(outcome.flowRuns)) {
        QCOMPARE(run.id, runIds.value(run.name));
        QCOMPARE(run.deploymentId, deployments.value(run.name.left(1)));
        QCOMPARE(run.stateType, QStringLiteral("SCHEDULED"));
        QCOMPARE(run.stateName, QStringLiteral("Scheduled"));
        QVERIFY(!run.isTerminal());
        QVERIFY(run.expectedStartTime.isValid());
        QCOMPARE(run.parameters, (QJsonObject{{"run", run.name}}));
        QCOMPARE(run.tags, (QStringList{QStringLiteral("corelists"), run.name}));
        QCOMPARE(run.raw.value(QLatin1String("id")).toString(), run.id);
    }
}

// --- PrefectClient::readFlowRunStates -----------------------------------------------------------

void TestCoreLists::readFlowRunStates_data()
{
    QTest::addColumn<Layout>("layout");
    QTest::addColumn<bool>("newestFirst"); // the server sends the history the other way round

    QTest::newRow("self-hosted") << Layout::SelfHosted << false;
    QTest::newRow("cloud") << Layout::Cloud << false;
    QTest::newRow("self-hosted, server sends newest first") << Layout::SelfHosted << true;
    QTest::newRow("cloud, server sends newest first") << Layout::Cloud << true;
}

void TestCoreLists::readFlowRunStates()
{
    QFETCH(Layout, layout);
    QFETCH(bool, newestFirst);
    useLayout(layout);
    const QStringList types{"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"};

    QString runId;
    QList<QDateTime> times;
    if (newestFirst) {
        // Prefect's own form: microseconds, an offset; each state a second after the one before.
        runId = newId();
        QJsonArray history;
        for (int i = 0; i < types.size(); ++i) {
            const QDateTime time = baseTime.addSecs(i).addMSecs(123);
            times << time;
            history.prepend(QJsonObject{
                {"id", newId()},
                {"type", types.at(i)},
                {"name", types.at(i).left(1) + types.at(i).mid(1).toLower()},
                {"timestamp",
                 time.toOffsetFromUtc(3600).toString("yyyy-MM-dd'T'HH:mm:ss.zzz'456+01:00'")},
                {"message", i == 3 ? QJsonValue("All states completed.") : QJsonValue()},
                {"state_details", QJsonObject{{"flow_run_id", runId}}},
            });
        }
        overrideRoute(QStringLiteral("/flow_run_states/"), HttpResponse::json(200, history));
    } else {
        const QString deploymentId =
            m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
        runId = launch(deploymentId, QStringLiteral("history"));
        QVERIFY(!runId.isEmpty());
        // Each read moves the run one state on: SCHEDULED, PENDING, RUNNING, COMPLETED.
        for (int i = 0; i < 3; ++i) {
            Outcome read;
            QVERIFY(waitFor(m_client->readFlowRun(runId), &read));
        }
        for (const QJsonValue &state : m_fake->flowRunStates(runId))
            times << QDateTime::fromString(state.toObject().value("timestamp").toString(),
                                           Qt::ISODateWithMs);
    }
    m_fake->http().clearRequests();

    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRunStates(runId), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    const QList<HttpRequest> requests = m_fake->http().requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().method, QByteArray("GET"));
    QCOMPARE(requests.first().path(), prefix(layout) + QStringLiteral("/flow_run_states/"));
    QCOMPARE(requests.first().query.queryItems(),
             (QList<QPair<QString, QString>>{{QStringLiteral("flow_run_id"), runId}}));

    QStringList seenTypes;
    for (const FlowRunState &state : std::as_const(outcome.states))
        seenTypes << state.type;
    QCOMPARE(seenTypes, types);
    QCOMPARE(outcome.states.size(), times.size());
    for (qsizetype i = 0; i < times.size(); ++i) {
        QCOMPARE(outcome.states.at(i).timestamp, times.at(i));
        QCOMPARE(outcome.states.at(i).timestamp.timeSpec(), Qt::UTC);
        QVERIFY(!outcome.states.at(i).id.isEmpty());
    }
    QCOMPARE(outcome.states.at(2).name, QStringLiteral("Running"));
    if (newestFirst)
        QCOMPARE(outcome.states.last().message, QStringLiteral("All states completed."));
}

// --- PrefectClient::readLogs --------------------------------------------------------------------

void TestCoreLists::readLogs_data()
{
    QTest::addColumn<Layout>("layout");
    QTest::addColumn<QDateTime>("after");
    QTest::addColumn<QString>("afterText"); // as the request must carry it; empty: no filter
    QTest::addColumn<int>("limit");
    QTest::addColumn<QStringList>("expected");

    const QStringList all{"one", "two", "three", "four"};
    for (const Layout layout : {Layout::SelfHosted, Layout::Cloud}) {
        const QByteArray name = layoutName(layout);
        QTest::addRow("%s, from the start", name.constData())
            << layout << QDateTime() << QString() << 200 << all;
        // after_ is inclusive: the line at that very time is in.
        QTest::addRow("%s, after", name.constData())
            << layout << baseTime.addSecs(2) << QStringLiteral("2026-12-04T05:00:02.000Z") << 200
            << QStringList{"two", "three", "four"};
    }
    QTest::newRow("self-hosted, after given with an offset")
        << Layout::SelfHosted << baseTime.addSecs(3).addMSecs(5).toOffsetFromUtc(3600)
        << QStringLiteral("2026-12-04T05:00:03.005Z") << 200 << QStringList{"four"};
    QTest::newRow("self-hosted, limit")
        << Layout::SelfHosted << QDateTime() << QString() << 2 << QStringList{"one", "two"};
    QTest::newRow("self-hosted, after the last line")
        << Layout::SelfHosted << baseTime.addSecs(10) << QStringLiteral("2026-12-04T05:00:10.000Z")
        << 200 << QStringList();
}

void TestCoreLists::readLogs()
{
    QFETCH(Layout, layout);
    QFETCH(QDateTime, after);
    QFETCH(QString, afterText);
    QFETCH(int, limit);
    QFETCH(QStringList, expected);
    useLayout(layout);

    const QString runId = newId();
    const QString otherRunId = newId();
    // Written out of order, and another run's line in between.
    QHash<QString, QString> ids; // message -> id
    ids.insert("three", m_fake->addLog(runId, 30, "three", baseTime.addSecs(3)));
    ids.insert("one", m_fake->addLog(runId, 10, "one", baseTime.addSecs(1)));
    m_fake->addLog(otherRunId, 20, "another run", baseTime.addSecs(2));
    ids.insert("four", m_fake->addLog(runId, 40, "four", baseTime.addSecs(3).addMSecs(5)));
    ids.insert("two", m_fake->addLog(runId, 20, "two", baseTime.addSecs(2)));
    const QHash<QString, int> levels{{"one", 10}, {"two", 20}, {"three", 30}, {"four", 40}};
    const QHash<QString, QDateTime> times{{"one", baseTime.addSecs(1)},
                                          {"two", baseTime.addSecs(2)},
                                          {"three", baseTime.addSecs(3)},
                                          {"four", baseTime.addSecs(3).addMSecs(5)}};

    Outcome outcome;
    QVERIFY(waitFor(m_client->readLogs(runId, after, limit), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    const QList<HttpRequest> requests = m_fake->http().requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().method, QByteArray("POST"));
    QCOMPARE(requests.first().path(), prefix(layout) + QStringLiteral("/logs/filter"));
    QJsonObject logs = anyOf("flow_run_id", {runId});
    if (!afterText.isEmpty())
        logs.insert("timestamp", QJsonObject{{"after_", afterText}});
    QCOMPARE(requests.first().json().toObject(),
             (QJsonObject{{"logs", logs}, {"sort", "TIMESTAMP_ASC"}, {"limit", limit}}));

    QCOMPARE(messagesOf(outcome.logs), expected);
    for (const LogEntry &entry : std::as_const(outcome.logs)) {
        QCOMPARE(entry.id, ids.value(entry.message));
        QCOMPARE(entry.flowRunId, runId);
        QCOMPARE(entry.level, levels.value(entry.message));
        QCOMPARE(entry.timestamp, times.value(entry.message));
        QCOMPARE(entry.loggerName, QStringLiteral("prefect.flow_runs"));
    }
}

// --- Answers that are not lists -----------------------------------------------------------------

void TestCoreLists::listsRejectBadAnswers_data()
{
    QTest::addColumn<QString>("call");
    QTest::addColumn<QString>("route");
    QTest::addColumn<Fault>("fault");

    const QList<QPair<QString, QString>> calls{
        {QStringLiteral("listDeployments"), QStringLiteral("/deployments/filter")},
        {QStringLiteral("listFlowRuns"), QStringLiteral("/flow_runs/filter")},
        {QStringLiteral("readFlowRunStates"), QStringLiteral("/flow_run_states/")},
        {QStringLiteral("readLogs"), QStringLiteral("/logs/filter")},
    };
    const QList<QPair<const char *, Fault>> faults{
        {"503", Fault::ServerError}, {"object", Fault::NotAnArray}, {"cut", Fault::CutConnection}};
    for (const auto &[call, route] : calls) {
        for (const auto &[faultName, fault] : faults)
            QTest::addRow("%s, %s", qPrintable(call), faultName) << call << route << fault;
    }
}

void TestCoreLists::listsRejectBadAnswers()
{
    QFETCH(QString, call);
    QFETCH(QString, route);
    QFETCH(Fault, fault);
    overrideRoute(route, faultResponse(fault));
    const QString runId = newId();

    const QHash<QString, std::function<PrefectReply *()>> calls{
        {QStringLiteral("listDeployments"),
         [this] {
             return m_client->listDeployments();
         }},
        {QStringLiteral("listFlowRuns"),
         [this] {
             return m_client->listFlowRuns();
         }},
        {QStringLiteral("readFlowRunStates"),
         [this, runId] {
             return m_client->readFlowRunStates(runId);
         }},
        {QStringLiteral("readLogs"),
         [this, runId] {
             return m_client->readLogs(runId);
         }},
    };
    QVERIFY(calls.contains(call));

    Outcome outcome;
    QVERIFY(waitFor(calls.value(call)(), &outcome));
    QCOMPARE(outcome.error.kind(), faultKind(fault));
    QVERIFY(outcome.deployments.isEmpty());
    QVERIFY(outcome.flowRuns.isEmpty());
    QVERIFY(outcome.states.isEmpty());
    QVERIFY(outcome.logs.isEmpty());
    switch (fault) {
    case Fault::ServerError:
        QCOMPARE(outcome.error.httpStatus(), 503);
        QCOMPARE(outcome.error.message(), QStringLiteral("Service Unavailable"));
        break;
    case Fault::NotAnArray:
        QCOMPARE(outcome.error.httpStatus(), 200);
        QVERIFY2(outcome.error.message().contains(QLatin1String("expected a JSON array")),
                 qPrintable(outcome.error.message()));
        break;
    case Fault::CutConnection:
        break;
    }
}

// --- LogFollower --------------------------------------------------------------------------------

void TestCoreLists::logFollowerReportsEachLineOnce()
{
    const QString runId = newId();
    const QDateTime t0 = baseTime;
    const QDateTime t1 = baseTime.addMSecs(1);
    const QDateTime t2 = baseTime.addMSecs(2);
    m_fake->addLog(runId, 20, "one", t0);
    m_fake->addLog(runId, 20, "two", t0);
    m_fake->addLog(newId(), 20, "another run", t0);

    LogFollower follower(m_client.get());
    QList<LogEntry> received;
    int batches = 0;
    connect(&follower, &LogFollower::logsArrived, this,
            [&received, &batches](const QList<LogEntry> &entries) {
                received << entries;
                ++batches;
                QVERIFY(!entries.isEmpty());
            });
    QSignalSpy failures(&follower, &LogFollower::readFailed);
    follower.start(runId, 50);
    QVERIFY(follower.isActive());
    QCOMPARE(follower.flowRunId(), runId);
    QTRY_COMPARE(messagesOf(received), (QStringList{"one", "two"}));

    // Written after the read that saw "one" and "two", with the same time as they have: the next
    // reads (after_ is inclusive) bring all three, and only "three" is new.
    m_fake->addLog(runId, 20, "three", t0);
    m_fake->addLog(runId, 20, "four", t1);
    QTRY_COMPARE(messagesOf(received), (QStringList{"one", "two", "three", "four"}));
    m_fake->addLog(runId, 20, "five", t1);
    m_fake->addLog(runId, 20, "six", t2);
    m_fake->addLog(runId, 20, "seven", t2);
    const QStringList all{"one", "two", "three", "four", "five", "six", "seven"};
    QTRY_COMPARE(messagesOf(received), all);

    // More reads go by; nothing is reported again.
    const qsizetype reads = logReads();
    QTRY_VERIFY(logReads() >= reads + 3);
    QCOMPARE(messagesOf(received), all);
    QVERIFY(batches >= 3);
    QSet<QString> ids;
    for (const LogEntry &entry : std::as_const(received)) {
        QCOMPARE(entry.flowRunId, runId);
        ids.insert(entry.id);
    }
    QCOMPARE(ids.size(), all.size());
    QCOMPARE(failures.count(), 0);

    // The first read starts at the beginning; later ones from the last time seen.
    const QList<HttpRequest> requests = m_fake->requestsTo(QStringLiteral("/logs/filter"));
    const QJsonObject firstFilter = requests.first().json().toObject().value("logs").toObject();
    QCOMPARE(firstFilter, anyOf("flow_run_id", {runId}));
    const QJsonObject lastFilter = requests.last().json().toObject().value("logs").toObject();
    QCOMPARE(lastFilter.value("timestamp").toObject(),
             (QJsonObject{{"after_", "2026-12-04T05:00:00.002Z"}}));

    follower.stop();
    QVERIFY(!follower.isActive());
}

void TestCoreLists::logFollowerReadsFullPagesAtOnce_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("linesPerTimestamp");

    QTest::newRow("199 lines") << 199 << 1;
    QTest::newRow("200 lines") << 200 << 1;
    QTest::newRow("201 lines") << 201 << 1;
    QTest::newRow("450 lines") << 450 << 1;
    // Pages end in the middle of a timestamp's lines.
    QTest::newRow("450 lines, three per timestamp") << 450 << 3;
    QTest::newRow("450 lines, 150 per timestamp") << 450 << 150;
}

void TestCoreLists::logFollowerReadsFullPagesAtOnce()
{
    QFETCH(int, count);
    QFETCH(int, linesPerTimestamp);
    const QString runId = newId();
    QStringList expected;
    for (int i = 0; i < count; ++i) {
        expected << QStringLiteral("line %1").arg(i);
        m_fake->addLog(runId, 20, expected.last(), baseTime.addMSecs(i / linesPerTimestamp));
    }

    LogFollower follower(m_client.get());
    QList<LogEntry> received;
    connect(&follower, &LogFollower::logsArrived, this,
            [&received](const QList<LogEntry> &entries) { received << entries; });
    // The interval is far off: a full page is followed by the next read at once, not by a wait.
    follower.start(runId, 60000);
    QTRY_COMPARE(received.size(), qsizetype(count));
    QCOMPARE(messagesOf(received), expected);
    // A page short of full, or one with nothing new, ends the burst: a read or two more at most.
    const qsizetype reads = logReads();
    QVERIFY2(reads <= (count + 199) / 200 + 2, QByteArray::number(reads).constData());
    follower.stop();
}

void TestCoreLists::logFollowerMoreThanAPageAtOneTimestamp()
{
    // 250 lines in the same millisecond (a tight logging loop in the flow): the follower's only
    // cursor is the timestamp, so every read from it brings back the same first 200 lines and
    // the other 50 are never reported, however long it follows.
    const QString runId = newId();
    QStringList expected;
    for (int i = 0; i < 250; ++i) {
        expected << QStringLiteral("line %1").arg(i);
        m_fake->addLog(runId, 20, expected.last(), baseTime);
    }

    LogFollower follower(m_client.get());
    QList<LogEntry> received;
    connect(&follower, &LogFollower::logsArrived, this,
            [&received](const QList<LogEntry> &entries) { received << entries; });
    follower.start(runId, 50);
    QTRY_VERIFY(received.size() >= 200);
    const qsizetype reads = logReads();
    QTRY_VERIFY(logReads() >= reads + 10);
    // Known bug (reported, not fixed here): 50 of 250 lines never reported.
    QVERIFY2(messagesOf(received) == expected, missingLines(expected, received).constData());
    follower.stop();
}

void TestCoreLists::logFollowerMicrosecondTimestamps_data()
{
    QTest::addColumn<QList<qint64>>("first"); // lines there from the start, µs after baseTime
    QTest::addColumn<QList<qint64>>("later"); // lines that land once the first are reported

    // The last line seen is at .002090 or .002590, which Qt reads as .002 or .003: the cursor.
    QTest::newRow("next batch, last line seen rounds down")
        << QList<qint64>{1000, 2090} << QList<qint64>{2100, 3500};
    QTest::newRow("next batch, last line seen rounds up")
        << QList<qint64>{1000, 2590} << QList<qint64>{2600, 3500};
    // 250 lines 10 µs apart: the first page ends at line 199.
    QList<qint64> roundsDown;
    QList<qint64> roundsUp;
    for (int i = 0; i < 250; ++i) {
        roundsDown << 100 + 10 * i; // line 199 at .002090
        roundsUp << 600 + 10 * i; // line 199 at .002590
    }
    QTest::newRow("full page, last line rounds down") << roundsDown << QList<qint64>();
    QTest::newRow("full page, last line rounds up") << roundsUp << QList<qint64>();
}

void TestCoreLists::logFollowerMicrosecondTimestamps()
{
    QFETCH(QList<qint64>, first);
    QFETCH(QList<qint64>, later);
    // Prefect stores log times to the microsecond and compares after_ exactly; the follower's
    // cursor is the last time seen, to the millisecond. Every line must still come, once.
    const QString runId = newId();
    auto logs = std::make_shared<MicrosecondLogs>();
    m_fake->setOverride([logs](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.path().contains(QLatin1String("/logs/filter")))
            return logs->answer(request);
        return std::nullopt;
    });
    QStringList expected;
    for (const qint64 microseconds : std::as_const(first)) {
        expected << QStringLiteral("at %1 us").arg(microseconds);
        logs->add(runId, microseconds, expected.last());
    }

    LogFollower follower(m_client.get());
    QList<LogEntry> received;
    connect(&follower, &LogFollower::logsArrived, this,
            [&received](const QList<LogEntry> &entries) { received << entries; });
    follower.start(runId, 50);
    QTRY_VERIFY(!received.isEmpty());
    QTRY_COMPARE(messagesOf(received).last(), expected.last());
    for (const qint64 microseconds : std::as_const(later)) {
        expected << QStringLiteral("at %1 us").arg(microseconds);
        logs->add(runId, microseconds, expected.last());
    }
    if (!later.isEmpty())
        QTRY_COMPARE(messagesOf(received).last(), expected.last());
    const qsizetype reads = logReads();
    QTRY_VERIFY(logReads() >= reads + 3);
    // Known bug (reported, not fixed here) in the rows where the last line seen rounds up.
    QVERIFY2(messagesOf(received) == expected, missingLines(expected, received).constData());
    follower.stop();
}

void TestCoreLists::logFollowerFinish_data()
{
    QTest::addColumn<int>("settleMs");
    QTest::addColumn<QString>("beforeFinish"); // a line written before finish(); empty: none
    QTest::addColumn<QString>("afterFirstRead"); // a line written after finish()'s first read
    QTest::addColumn<int>("readsAfterFinish"); // -1: not checked

    // A run that ended long ago: one last read, and done.
    QTest::newRow("settle 0, nothing new") << 0 << QString() << QString() << 1;
    QTest::newRow("settle 0, a last line") << 0 << QStringLiteral("last") << QString() << -1;
    // A run that has just ended: its last batch lands after the first read.
    QTest::newRow("settle 300, a late line")
        << 300 << QStringLiteral("last") << QStringLiteral("late") << -1;
}

void TestCoreLists::logFollowerFinish()
{
    QFETCH(int, settleMs);
    QFETCH(QString, beforeFinish);
    QFETCH(QString, afterFirstRead);
    QFETCH(int, readsAfterFinish);
    const QString runId = newId();
    m_fake->addLog(runId, 20, "first", baseTime);

    LogFollower follower(m_client.get());
    QList<LogEntry> received;
    QStringList whenFinished;
    int finished = 0;
    connect(&follower, &LogFollower::logsArrived, this,
            [&received](const QList<LogEntry> &entries) { received << entries; });
    connect(&follower, &LogFollower::finished, this, [&] {
        ++finished;
        whenFinished = messagesOf(received);
    });
    // No timer reads during the test: only the first, and finish()'s own.
    follower.start(runId, 60000);
    QTRY_COMPARE(messagesOf(received), QStringList{"first"});
    const qsizetype readsBefore = logReads();

    QStringList expected{"first"};
    if (!beforeFinish.isEmpty()) {
        m_fake->addLog(runId, 20, beforeFinish, baseTime.addMSecs(1));
        expected << beforeFinish;
    }
    follower.finish(settleMs);
    QVERIFY(follower.isActive());
    if (!afterFirstRead.isEmpty()) {
        // The fake answers as it reads a request: once it has the read, the line is too late
        // for it.
        QTRY_COMPARE(logReads(), readsBefore + 1);
        m_fake->addLog(runId, 20, afterFirstRead, baseTime.addMSecs(2));
        expected << afterFirstRead;
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished, 1, 10000);
    QCOMPARE(whenFinished, expected);
    QCOMPARE(messagesOf(received), expected);
    QVERIFY(!follower.isActive());
    if (readsAfterFinish >= 0)
        QCOMPARE(logReads() - readsBefore, qsizetype(readsAfterFinish));
}

void TestCoreLists::logFollowerGoesOnAfterFailedRead_data()
{
    QTest::addColumn<Fault>("fault");
    QTest::newRow("503") << Fault::ServerError;
    QTest::newRow("object") << Fault::NotAnArray;
    QTest::newRow("cut") << Fault::CutConnection;
}

void TestCoreLists::logFollowerGoesOnAfterFailedRead()
{
    QFETCH(Fault, fault);
    const QString runId = newId();
    m_fake->addLog(runId, 20, "before", baseTime);

    LogFollower follower(m_client.get());
    QList<LogEntry> received;
    QList<PrefectError> failures;
    connect(&follower, &LogFollower::logsArrived, this,
            [&received](const QList<LogEntry> &entries) { received << entries; });
    connect(&follower, &LogFollower::readFailed, this,
            [&failures](const PrefectError &error) { failures << error; });
    follower.start(runId, 50);
    QTRY_COMPARE(messagesOf(received), QStringList{"before"});
    QVERIFY(failures.isEmpty());

    overrideRoute(QStringLiteral("/logs/filter"), faultResponse(fault));
    QTRY_VERIFY(!failures.isEmpty());
    QCOMPARE(failures.first().kind(), faultKind(fault));
    if (fault == Fault::ServerError)
        QCOMPARE(failures.first().message(), QStringLiteral("Service Unavailable"));
    QVERIFY(follower.isActive());
    m_fake->addLog(runId, 20, "during", baseTime.addMSecs(1));
    const qsizetype failed = failures.size();
    QTRY_VERIFY(failures.size() >= failed + 2); // it keeps reading
    QCOMPARE(messagesOf(received), QStringList{"before"});

    m_fake->setOverride({});
    m_fake->addLog(runId, 20, "after", baseTime.addMSecs(2));
    QTRY_COMPARE(messagesOf(received), (QStringList{"before", "during", "after"}));
    const qsizetype reads = logReads();
    QTRY_VERIFY(logReads() >= reads + 3);
    QCOMPARE(messagesOf(received), (QStringList{"before", "during", "after"}));
    follower.stop();
}

// --- FlowRunListPoller --------------------------------------------------------------------------

void TestCoreLists::pollerRunsUpdated()
{
    const QString a = m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    const QString b = m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("hourly"));
    const QString a1 = launch(a, QStringLiteral("a1"));
    const QString b1 = launch(b, QStringLiteral("b1"));
    const QString a2 = launch(a, QStringLiteral("a2"));
    QVERIFY(!a1.isEmpty() && !b1.isEmpty() && !a2.isEmpty());
    m_fake->http().clearRequests();

    FlowRunListPoller poller(m_client.get());
    QList<QList<FlowRun>> updates;
    connect(&poller, &FlowRunListPoller::runsUpdated, this,
            [&updates](const QList<FlowRun> &runs) { updates << runs; });
    QSignalSpy failures(&poller, &FlowRunListPoller::refreshFailed);
    QSignalSpy ended(&poller, &FlowRunListPoller::runEnded);
    poller.setDeploymentId(a);
    QCOMPARE(poller.deploymentId(), a);
    poller.setLimit(10);

    // A refresh while one is in flight is answered by that one.
    poller.refresh();
    poller.refresh();
    QTRY_COMPARE(updates.size(), 1);
    QCOMPARE(idsOf(updates.last()), (QStringList{a2, a1}));
    poller.refresh();
    QTRY_COMPARE(updates.size(), 2);
    QList<HttpRequest> requests = m_fake->requestsTo(QStringLiteral("/flow_runs/filter"));
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.first().json().toObject(),
             (QJsonObject{{"sort", "EXPECTED_START_TIME_DESC"},
                          {"limit", 10},
                          {"flow_runs", anyOf("deployment_id", {a})}}));
    QVERIFY(!poller.isRunning());

    // Every deployment, and a new run.
    poller.setDeploymentId(QString());
    const QString b2 = launch(b, QStringLiteral("b2"));
    poller.refresh();
    QTRY_COMPARE(updates.size(), 3);
    QCOMPARE(idsOf(updates.last()), (QStringList{b2, a2, b1, a1}));
    requests = m_fake->requestsTo(QStringLiteral("/flow_runs/filter"));
    QCOMPARE(requests.last().json().toObject(),
             (QJsonObject{{"sort", "EXPECTED_START_TIME_DESC"}, {"limit", 10}}));

    // start(): a read now, then one every interval.
    poller.start(50);
    QVERIFY(poller.isRunning());
    QTRY_VERIFY(updates.size() >= 6);
    poller.stop();
    QVERIFY(!poller.isRunning());
    QCOMPARE(failures.count(), 0);
    QCOMPARE(ended.count(), 0); // nothing ended: every run is still SCHEDULED
}

void TestCoreLists::pollerRunEnded_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("ends");

    for (const char *terminal : {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})
        QTest::addRow("RUNNING to %s", terminal) << "RUNNING" << terminal << true;
    QTest::newRow("PENDING to COMPLETED") << "PENDING"
                                          << "COMPLETED" << true;
    QTest::newRow("SCHEDULED to PENDING") << "SCHEDULED"
                                          << "PENDING" << false;
    QTest::newRow("PENDING to RUNNING") << "PENDING"
                                        << "RUNNING" << false;
}

void TestCoreLists::pollerRunEnded()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(bool, ends);
    // Runs are made in `from` and move to `to` when the test says so.
    m_fake->setStateScript({from, to});
    const QString deploymentId =
        m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    const QString first = launch(deploymentId, QStringLiteral("first"));
    const QString second = launch(deploymentId, QStringLiteral("second"));
    QVERIFY(!first.isEmpty() && !second.isEmpty());

    FlowRunListPoller poller(m_client.get());
    QList<QList<FlowRun>> updates;
    QList<FlowRun> ended;
    QStringList order; // "updated", "ended <name>"
    connect(&poller, &FlowRunListPoller::runsUpdated, this,
            [&updates, &order](const QList<FlowRun> &runs) {
                updates << runs;
                order << QStringLiteral("updated");
            });
    connect(&poller, &FlowRunListPoller::runEnded, this, [&ended, &order](const FlowRun &run) {
        ended << run;
        order << QStringLiteral("ended ") + run.name;
    });
    QSignalSpy failures(&poller, &FlowRunListPoller::refreshFailed);

    poller.refresh();
    QTRY_COMPARE(updates.size(), 1);
    QVERIFY(ended.isEmpty());
    for (const FlowRun &run : std::as_const(updates.last()))
        QCOMPARE(run.stateType, from);

    // The first run moves on; a third one is made and moves on before any refresh sees it.
    m_fake->advanceFlowRun(first);
    const QString third = launch(deploymentId, QStringLiteral("third"));
    m_fake->advanceFlowRun(third);
    poller.refresh();
    QTRY_COMPARE(updates.size(), 2);
    QCOMPARE(idsOf(updates.last()), (QStringList{third, second, first}));
    QCOMPARE(updates.last().at(2).stateType, to);
    QCOMPARE(updates.last().at(1).stateType, from);
    if (ends) {
        QCOMPARE(ended.size(), 1);
        QCOMPARE(ended.first().id, first);
        QCOMPARE(ended.first().stateType, to);
        QVERIFY(ended.first().isTerminal());
        // The list is up to date before the run is reported.
        QCOMPARE(order, (QStringList{"updated", "updated", "ended first"}));
    } else {
        QVERIFY(ended.isEmpty());
    }

    // Still ended at the next refreshes: not reported again.
    poller.refresh();
    QTRY_COMPARE(updates.size(), 3);
    QCOMPARE(ended.size(), ends ? 1 : 0);

    m_fake->advanceFlowRun(second);
    poller.refresh();
    QTRY_COMPARE(updates.size(), 4);
    poller.refresh();
    QTRY_COMPARE(updates.size(), 5);
    QStringList endedIds;
    for (const FlowRun &run : std::as_const(ended))
        endedIds << run.id;
    QCOMPARE(endedIds, ends ? (QStringList{first, second}) : QStringList());
    QCOMPARE(failures.count(), 0);
}

void TestCoreLists::pollerRefreshFailed_data()
{
    QTest::addColumn<Fault>("fault");
    QTest::newRow("503") << Fault::ServerError;
    QTest::newRow("object") << Fault::NotAnArray;
    QTest::newRow("cut") << Fault::CutConnection;
}

void TestCoreLists::pollerRefreshFailed()
{
    QFETCH(Fault, fault);
    m_fake->setStateScript({"RUNNING", "COMPLETED"});
    const QString deploymentId =
        m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    const QString runId = launch(deploymentId, QStringLiteral("run"));
    QVERIFY(!runId.isEmpty());

    FlowRunListPoller poller(m_client.get());
    QList<QList<FlowRun>> updates;
    QList<FlowRun> ended;
    QList<PrefectError> failures;
    connect(&poller, &FlowRunListPoller::runsUpdated, this,
            [&updates](const QList<FlowRun> &runs) { updates << runs; });
    connect(&poller, &FlowRunListPoller::runEnded, this,
            [&ended](const FlowRun &run) { ended << run; });
    connect(&poller, &FlowRunListPoller::refreshFailed, this,
            [&failures](const PrefectError &error) { failures << error; });
    poller.start(50);
    QTRY_VERIFY(!updates.isEmpty());
    QCOMPARE(updates.last().first().stateType, QStringLiteral("RUNNING"));

    // An outage, during which the run ends.
    overrideRoute(QStringLiteral("/flow_runs/filter"), faultResponse(fault));
    QTRY_VERIFY(!failures.isEmpty());
    const qsizetype updatesBefore = updates.size();
    QCOMPARE(failures.first().kind(), faultKind(fault));
    if (fault == Fault::ServerError) {
        QCOMPARE(failures.first().httpStatus(), 503);
        QCOMPARE(failures.first().message(), QStringLiteral("Service Unavailable"));
    }
    m_fake->advanceFlowRun(runId);
    const qsizetype failed = failures.size();
    QTRY_VERIFY(failures.size() >= failed + 2); // it keeps polling
    QCOMPARE(updates.size(), updatesBefore);
    QVERIFY(ended.isEmpty());
    QVERIFY(poller.isRunning());

    // Back: the run seen live before the outage is reported as ended.
    m_fake->setOverride({});
    QTRY_COMPARE(ended.size(), 1);
    QCOMPARE(ended.first().id, runId);
    QCOMPARE(ended.first().stateType, QStringLiteral("COMPLETED"));
    QVERIFY(updates.size() > updatesBefore);
    QCOMPARE(updates.last().first().stateType, QStringLiteral("COMPLETED"));
    poller.stop();
}

// --- PrefectClient::cancelFlowRun and OrchestrationResult ----------------------------------

void TestCoreLists::cancelFlowRun_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("accepted") << QByteArray(R"({"status": "ACCEPT", "details": {}})")
                              << QString("ACCEPT") << QString() << true;
    QTest::newRow("rejected with a reason")
        << QByteArray(R"({"status": "REJECT", "details": {"reason": "run is already final"}})")
        << QString("REJECT") << QString("run is already final") << false;
    QTest::newRow("no status") << QByteArray("{}") << QString() << QString() << false;
}

void TestCoreLists::cancelFlowRun()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, status);
    QFETCH(QString, reason);
    QFETCH(bool, accepted);
    overrideRoute(QStringLiteral("/set_state"),
                  HttpResponse::text(201, answer, QByteArrayLiteral("application/json")));
    Outcome outcome;
    QVERIFY(waitFor(m_client->cancelFlowRun(QStringLiteral("run-1")), &outcome));
    QVERIFY(!outcome.error.isError());
    // One proposal of CANCELLING to that run, not forced.
    const QList<HttpRequest> sent = m_fake->requestsTo(QStringLiteral("/set_state"), "POST");
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().path(), QStringLiteral("/api/flow_runs/run-1/set_state"));
    const QJsonObject body = sent.first().json().toObject();
    QCOMPARE(body.value("state").toObject().value("type").toString(), QString("CANCELLING"));
    QCOMPARE(body.value("force").toBool(true), false);

    const OrchestrationResult result = OrchestrationResult::fromJson(outcome.json);
    QCOMPARE(result.status, status);
    QCOMPARE(result.reason, reason);
    QCOMPARE(result.isAccepted(), accepted);
}

QTEST_GUILESS_MAIN(TestCoreLists)
#include "tst_corelists.moc"
