#include "fakeprefect.h"
#include "prefectclient.h"
#include "prefecterror.h"
#include "prefectreply.h"
#include "version.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <functional>
#include <memory>

namespace {

enum class Layout { SelfHosted, Cloud };

const QString accountId = QStringLiteral("9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d");
const QString workspaceId = QStringLiteral("1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d");
const QString cloudKey = QStringLiteral("pnu_CloudKeyForTests0123456789");

// What a finished PrefectReply carried, taken before it deleted itself.
struct Outcome
{
    bool finished = false;
    int finishedCount = 0;
    PrefectError error;
    QJsonValue json;
    QList<Deployment> deployments;
    QList<Workspace> workspaces;
};

bool waitFor(PrefectReply *reply, Outcome *outcome, int timeoutMs = 10000)
{
    auto taken = std::make_shared<Outcome>();
    QObject::connect(reply, &PrefectReply::finished, reply, [reply, taken] {
        taken->finished = true;
        ++taken->finishedCount;
        taken->error = reply->error();
        taken->json = reply->json();
        taken->deployments = reply->deployments();
        taken->workspaces = reply->workspaces();
    });
    QSignalSpy spy(reply, &PrefectReply::finished);
    const bool signalled = spy.wait(timeoutMs);
    *outcome = *taken;
    return signalled && taken->finished;
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

} // namespace

Q_DECLARE_METATYPE(Layout)
Q_DECLARE_METATYPE(PrefectError::Kind)

class TestPrefectClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void headers_data();
    void headers();
    void paths_data();
    void paths();
    void listWorkspaces();
    void listDeploymentsPages_data();
    void listDeploymentsPages();
    void listDeploymentsByName_data();
    void listDeploymentsByName();
    void readDeployment_data();
    void readDeployment();
    void readDeploymentByName_data();
    void readDeploymentByName();
    void createFlowRun_data();
    void createFlowRun();
    void readFlowRun_data();
    void readFlowRun();
    void notFound_data();
    void notFound();
    void wrongCredentials_data();
    void wrongCredentials();
    void httpErrors_data();
    void httpErrors();
    void errorsInMultiStepOperations_data();
    void errorsInMultiStepOperations();
    void droppedConnection_data();
    void droppedConnection();
    void hangingServer_data();
    void hangingServer();
    void connectionRefused();
    void sameOriginRedirectFollowed();
    void crossOriginRedirectRefused();
    void replyDeletesItself();
    void exchangeFinished();
    void serverMessage_data();
    void serverMessage();

private:
    void addLayoutColumn();
    void addLayoutRows();
    Connection connectionFor(Layout layout);
    void useLayout(Layout layout) { m_client->setConnection(connectionFor(layout)); }
    QString prefix(Layout layout) const;
    void overrideRoute(const QString &pathPart, const HttpResponse &response,
                       const QByteArray &method = {});

    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<PrefectClient> m_client;
};

void TestPrefectClient::init()
{
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<PrefectClient>(m_network.get());
}

void TestPrefectClient::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_fake.reset();
}

void TestPrefectClient::addLayoutColumn()
{
    QTest::addColumn<Layout>("layout");
}

void TestPrefectClient::addLayoutRows()
{
    addLayoutColumn();
    QTest::newRow("self-hosted") << Layout::SelfHosted;
    QTest::newRow("cloud") << Layout::Cloud;
}

Connection TestPrefectClient::connectionFor(Layout layout)
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
    return connection;
}

QString TestPrefectClient::prefix(Layout layout) const
{
    if (layout == Layout::Cloud)
        return QStringLiteral("/api/accounts/%1/workspaces/%2").arg(accountId, workspaceId);
    return QStringLiteral("/api");
}

void TestPrefectClient::overrideRoute(const QString &pathPart, const HttpResponse &response,
                                      const QByteArray &method)
{
    m_fake->setOverride(
        [pathPart, response, method](const HttpRequest &request) -> std::optional<HttpResponse> {
            if (request.path().contains(pathPart) && (method.isEmpty() || request.method == method))
                return response;
            return std::nullopt;
        });
}

void TestPrefectClient::headers_data()
{
    addLayoutColumn();
    QTest::addColumn<QString>("apiKey");
    QTest::addColumn<QString>("basicAuth");
    QTest::addColumn<QByteArray>("authorization"); // empty: no header at all

    QTest::newRow("self-hosted, no auth")
        << Layout::SelfHosted << QString() << QString() << QByteArray();
    QTest::newRow("self-hosted, key") << Layout::SelfHosted << QStringLiteral("self-key")
                                      << QString() << QByteArray("Bearer self-key");
    QTest::newRow("self-hosted, basic auth")
        << Layout::SelfHosted << QString() << QStringLiteral("admin:pa:ss word")
        << QByteArray("Basic " + QByteArray("admin:pa:ss word").toBase64());
    QTest::newRow("self-hosted, key and basic auth")
        << Layout::SelfHosted << QStringLiteral("self-key") << QStringLiteral("admin:pass")
        << QByteArray("Bearer self-key");
    QTest::newRow("cloud") << Layout::Cloud << cloudKey << QString()
                           << QByteArray("Bearer " + cloudKey.toUtf8());
}

void TestPrefectClient::headers()
{
    QFETCH(Layout, layout);
    QFETCH(QString, apiKey);
    QFETCH(QString, basicAuth);
    QFETCH(QByteArray, authorization);

    Connection connection = connectionFor(layout);
    connection.setApiKey(apiKey);
    connection.setBasicAuth(basicAuth);
    m_client->setConnection(connection);
    // The fake turns away any other Authorization with 401.
    if (!authorization.isEmpty())
        m_fake->requireAuthorization(authorization);
    const QString deploymentId =
        m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));

    Outcome outcome;
    QVERIFY(waitFor(m_client->listDeployments(), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QVERIFY(waitFor(m_client->readDeployment(deploymentId), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QVERIFY(
        waitFor(m_client->readDeploymentByName(QStringLiteral("etl"), QStringLiteral("nightly")),
                &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QVERIFY(waitFor(m_client->createFlowRun(deploymentId, FlowRunRequest()), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    const QString flowRunId = outcome.json.toObject().value(QLatin1String("id")).toString();
    QVERIFY(!flowRunId.isEmpty());
    QVERIFY(waitFor(m_client->readFlowRun(flowRunId), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    if (layout == Layout::Cloud) {
        QVERIFY(waitFor(m_client->listWorkspaces(), &outcome));
        QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    }

    const QList<HttpRequest> requests = m_fake->http().requests();
    QVERIFY(requests.size() >= (layout == Layout::Cloud ? 8 : 7));
    for (const HttpRequest &request : requests) {
        const QByteArray what = request.method + ' ' + request.rawPath;
        QVERIFY2(request.header("x-prefect-api-version") == "0.8.4", what.constData());
        QVERIFY2(request.header("user-agent") == "ue-prefect/" UE_PREFECT_VERSION,
                 (what + ": " + request.header("user-agent")).constData());
        QVERIFY2(request.header("content-type") == "application/json",
                 (what + ": " + request.header("content-type")).constData());
        if (authorization.isEmpty()) {
            QVERIFY2(!request.headers.contains("authorization"),
                     (what + ": " + request.header("authorization")).constData());
        } else {
            QVERIFY2(request.header("authorization") == authorization,
                     (what + ": " + request.header("authorization")).constData());
        }
    }
}

void TestPrefectClient::paths_data()
{
    addLayoutRows();
}

void TestPrefectClient::paths()
{
    QFETCH(Layout, layout);
    useLayout(layout);
    const QString deploymentId =
        m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    const QString flowId = m_fake->flowId(QStringLiteral("etl"));
    const QString base = prefix(layout);

    struct Step
    {
        std::function<PrefectReply *()> call;
        QList<QPair<QByteArray, QString>> requests; // method, path below the prefix
    };
    QString flowRunId;
    const QList<Step> steps{
        {[&] { return m_client->listDeployments(); },
         {{"POST", QStringLiteral("/deployments/filter")},
          {"POST", QStringLiteral("/flows/filter")}}},
        {[&] { return m_client->readDeployment(deploymentId); },
         {{"GET", QStringLiteral("/deployments/") + deploymentId},
          {"GET", QStringLiteral("/flows/") + flowId}}},
        {[&] {
             return m_client->readDeploymentByName(QStringLiteral("etl"),
                                                   QStringLiteral("nightly"));
         },
         {{"GET", QStringLiteral("/deployments/name/etl/nightly")}}},
        {[&] { return m_client->createFlowRun(deploymentId, FlowRunRequest()); },
         {{"POST",
           QStringLiteral("/deployments/") + deploymentId + QStringLiteral("/create_flow_run")}}},
    };
    for (const Step &step : steps) {
        m_fake->http().clearRequests();
        Outcome outcome;
        QVERIFY(waitFor(step.call(), &outcome));
        QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
        const QList<HttpRequest> requests = m_fake->http().requests();
        QCOMPARE(requests.size(), step.requests.size());
        for (qsizetype i = 0; i < requests.size(); ++i) {
            QCOMPARE(requests.at(i).method, step.requests.at(i).first);
            QCOMPARE(requests.at(i).path(), base + step.requests.at(i).second);
        }
        if (step.requests.first().second.endsWith(QLatin1String("/create_flow_run")))
            flowRunId = outcome.json.toObject().value(QLatin1String("id")).toString();
    }

    QVERIFY(!flowRunId.isEmpty());
    m_fake->http().clearRequests();
    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(flowRunId), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QCOMPARE(m_fake->http().requests().size(), 1);
    QCOMPARE(m_fake->http().requests().first().method, QByteArray("GET"));
    QCOMPARE(m_fake->http().requests().first().path(),
             base + QStringLiteral("/flow_runs/") + flowRunId);
}

void TestPrefectClient::listWorkspaces()
{
    Connection connection = connectionFor(Layout::Cloud);
    connection.setWorkspaceId(QString()); // listing is how a workspace gets chosen
    m_client->setConnection(connection);
    m_fake->addWorkspace(QJsonObject{{"account_id", accountId},
                                     {"account_handle", "acme"},
                                     {"workspace_id", workspaceId},
                                     {"workspace_handle", "production"},
                                     {"workspace_name", "Production"}});
    m_fake->addWorkspace(QJsonObject{{"account_id", accountId},
                                     {"account_handle", "acme"},
                                     {"workspace_id", "2b2b2b2b-0000-4000-8000-000000000000"},
                                     {"workspace_handle", "staging"},
                                     {"workspace_name", "Staging"}});

    Outcome outcome;
    QVERIFY(waitFor(m_client->listWorkspaces(), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QCOMPARE(outcome.workspaces.size(), 2);
    QCOMPARE(outcome.workspaces.at(0).workspaceId, workspaceId);
    QCOMPARE(outcome.workspaces.at(0).accountId, accountId);
    QCOMPARE(outcome.workspaces.at(0).fullHandle(), QStringLiteral("acme/production"));
    QCOMPARE(outcome.workspaces.at(1).workspaceName, QStringLiteral("Staging"));

    const QList<HttpRequest> requests = m_fake->http().requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().method, QByteArray("GET"));
    QCOMPARE(requests.first().path(), QStringLiteral("/api/me/workspaces"));
    QCOMPARE(requests.first().header("authorization"), "Bearer " + cloudKey.toUtf8());
}

void TestPrefectClient::listDeploymentsPages_data()
{
    addLayoutColumn();
    QTest::addColumn<int>("count");
    QTest::addColumn<QList<int>>("offsets");

    for (const Layout layout : {Layout::SelfHosted, Layout::Cloud}) {
        const QByteArray name = layoutName(layout);
        QTest::addRow("%s, 450", name.constData()) << layout << 450 << QList<int>{0, 200, 400};
        QTest::addRow("%s, 0", name.constData()) << layout << 0 << QList<int>{0};
    }
    QTest::newRow("self-hosted, 1") << Layout::SelfHosted << 1 << QList<int>{0};
    QTest::newRow("self-hosted, 199") << Layout::SelfHosted << 199 << QList<int>{0};
    QTest::newRow("self-hosted, 200") << Layout::SelfHosted << 200 << QList<int>{0, 200};
    QTest::newRow("self-hosted, 201") << Layout::SelfHosted << 201 << QList<int>{0, 200};
    QTest::newRow("self-hosted, 400") << Layout::SelfHosted << 400 << QList<int>{0, 200, 400};
}

void TestPrefectClient::listDeploymentsPages()
{
    QFETCH(Layout, layout);
    QFETCH(int, count);
    QFETCH(QList<int>, offsets);
    useLayout(layout);

    QHash<QString, QString> expectedFlow; // deployment id -> flow name
    QHash<QString, QString> expectedName; // deployment id -> deployment name
    for (int i = 0; i < count; ++i) {
        const QString flow = QStringLiteral("flow-%1").arg(i % 3);
        const QString name = QStringLiteral("deployment-%1").arg(i, 3, 10, QLatin1Char('0'));
        const QString id = m_fake->addDeployment(flow, name);
        expectedFlow.insert(id, flow);
        expectedName.insert(id, name);
    }

    Outcome outcome;
    QVERIFY(waitFor(m_client->listDeployments(), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    const QList<HttpRequest> pages = m_fake->requestsTo(QStringLiteral("/deployments/filter"));
    QCOMPARE(pages.size(), offsets.size());
    for (qsizetype i = 0; i < pages.size(); ++i) {
        const QJsonObject body = pages.at(i).json().toObject();
        QCOMPARE(pages.at(i).method, QByteArray("POST"));
        QCOMPARE(pages.at(i).path(), prefix(layout) + QStringLiteral("/deployments/filter"));
        QCOMPARE(body.value(QLatin1String("limit")).toInt(), 200);
        QCOMPARE(body.value(QLatin1String("offset")).toInt(-1), offsets.at(i));
        QVERIFY(!body.contains(QLatin1String("deployments"))); // no name filter
    }

    QCOMPARE(outcome.deployments.size(), count);
    QSet<QString> seen;
    for (const Deployment &deployment : std::as_const(outcome.deployments)) {
        QVERIFY2(expectedFlow.contains(deployment.id), qPrintable(deployment.id));
        QVERIFY2(!seen.contains(deployment.id), qPrintable(deployment.id));
        seen.insert(deployment.id);
        QCOMPARE(deployment.name, expectedName.value(deployment.id));
        QCOMPARE(deployment.flowName, expectedFlow.value(deployment.id));
        QCOMPARE(deployment.flowId, m_fake->flowId(deployment.flowName));
        QCOMPARE(deployment.fullName(), deployment.flowName + u'/' + deployment.name);
    }

    // Flow names come from POST /flows/filter, never one GET per flow.
    QCOMPARE(m_fake->requestsTo(QStringLiteral("/flows/"), "GET").size(), 0);
    const QList<HttpRequest> flowPages = m_fake->requestsTo(QStringLiteral("/flows/filter"));
    if (count == 0) {
        QVERIFY(flowPages.size() <= 1);
        return;
    }
    QCOMPARE(flowPages.size(), 1);
    QCOMPARE(flowPages.first().method, QByteArray("POST"));
    QStringList askedIds;
    for (const QJsonValue &id : flowPages.first()
                                    .json()
                                    .toObject()
                                    .value(QLatin1String("flows"))
                                    .toObject()
                                    .value(QLatin1String("id"))
                                    .toObject()
                                    .value(QLatin1String("any_"))
                                    .toArray())
        askedIds << id.toString();
    askedIds.sort();
    QStringList flowIds;
    for (int i = 0; i < std::min(count, 3); ++i)
        flowIds << m_fake->flowId(QStringLiteral("flow-%1").arg(i));
    flowIds.sort();
    QCOMPARE(askedIds, flowIds);
}

void TestPrefectClient::listDeploymentsByName_data()
{
    addLayoutRows();
}

void TestPrefectClient::listDeploymentsByName()
{
    QFETCH(Layout, layout);
    useLayout(layout);
    const QString etlNightly =
        m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    const QString reportNightly =
        m_fake->addDeployment(QStringLiteral("report"), QStringLiteral("nightly"));
    m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("hourly"));

    Outcome outcome;
    QVERIFY(waitFor(m_client->listDeployments(QStringLiteral("nightly")), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    const QList<HttpRequest> pages = m_fake->requestsTo(QStringLiteral("/deployments/filter"));
    QCOMPARE(pages.size(), 1);
    const QJsonObject body = pages.first().json().toObject();
    QCOMPARE(body.value(QLatin1String("deployments")).toObject(),
             anyOf("name", {QStringLiteral("nightly")}));
    QCOMPARE(body.value(QLatin1String("offset")).toInt(-1), 0);
    QCOMPARE(body.value(QLatin1String("limit")).toInt(), 200);

    QCOMPARE(outcome.deployments.size(), 2);
    QHash<QString, QString> flows;
    for (const Deployment &deployment : std::as_const(outcome.deployments)) {
        QCOMPARE(deployment.name, QStringLiteral("nightly"));
        flows.insert(deployment.id, deployment.flowName);
    }
    QCOMPARE(flows.value(etlNightly), QStringLiteral("etl"));
    QCOMPARE(flows.value(reportNightly), QStringLiteral("report"));
}

void TestPrefectClient::readDeployment_data()
{
    addLayoutRows();
}

void TestPrefectClient::readDeployment()
{
    QFETCH(Layout, layout);
    useLayout(layout);
    m_fake->addDeployment(QStringLiteral("other"), QStringLiteral("nightly"));
    const QString id = m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"),
                                             QJsonObject{{"date", "2024-01-01"}});
    const QString flowId = m_fake->flowId(QStringLiteral("etl"));

    Outcome outcome;
    QVERIFY(waitFor(m_client->readDeployment(id), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QCOMPARE(outcome.deployments.size(), 1);
    const Deployment deployment = outcome.deployments.first();
    QCOMPARE(deployment.id, id);
    QCOMPARE(deployment.name, QStringLiteral("nightly"));
    QCOMPARE(deployment.flowId, flowId);
    QCOMPARE(deployment.flowName, QStringLiteral("etl"));
    QCOMPARE(deployment.fullName(), QStringLiteral("etl/nightly"));
    QCOMPARE(deployment.raw.value(QLatin1String("parameters")).toObject(),
             (QJsonObject{{"date", "2024-01-01"}}));

    const QList<HttpRequest> flowReads = m_fake->requestsTo(QStringLiteral("/flows/"), "GET");
    QCOMPARE(flowReads.size(), 1);
    QCOMPARE(flowReads.first().path(), prefix(layout) + QStringLiteral("/flows/") + flowId);
}

void TestPrefectClient::readDeploymentByName_data()
{
    addLayoutColumn();
    QTest::addColumn<QString>("flowName");
    QTest::addColumn<QString>("deploymentName");

    for (const Layout layout : {Layout::SelfHosted, Layout::Cloud}) {
        const QByteArray name = layoutName(layout);
        QTest::addRow("%s, plain", name.constData())
            << layout << QStringLiteral("etl") << QStringLiteral("nightly");
        QTest::addRow("%s, spaces", name.constData())
            << layout << QStringLiteral("my flow") << QStringLiteral("nightly run");
        QTest::addRow("%s, special characters", name.constData())
            << layout << QStringLiteral("data-flow") << QStringLiteral("run #1 ?&%+=;");
        QTest::addRow("%s, percent sequence", name.constData())
            << layout << QStringLiteral("flow %41") << QStringLiteral("100%25 done");
        QTest::addRow("%s, non-ASCII", name.constData())
            << layout << QStringLiteral("flüsse") << QStringLiteral("déploiement été");
    }
}

void TestPrefectClient::readDeploymentByName()
{
    QFETCH(Layout, layout);
    QFETCH(QString, flowName);
    QFETCH(QString, deploymentName);
    useLayout(layout);
    m_fake->addDeployment(flowName, QStringLiteral("decoy"));
    m_fake->addDeployment(QStringLiteral("decoy"), deploymentName);
    const QString id = m_fake->addDeployment(flowName, deploymentName);

    Outcome outcome;
    QVERIFY(waitFor(m_client->readDeploymentByName(flowName, deploymentName), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QCOMPARE(outcome.deployments.size(), 1);
    QCOMPARE(outcome.deployments.first().id, id);
    QCOMPARE(outcome.deployments.first().name, deploymentName);
    QCOMPARE(outcome.deployments.first().flowName, flowName);

    const QList<HttpRequest> requests = m_fake->http().requests();
    QCOMPARE(requests.size(), 1);
    const HttpRequest request = requests.first();
    QCOMPARE(request.method, QByteArray("GET"));
    QVERIFY2(request.query.isEmpty(), request.rawPath.constData());
    QCOMPARE(request.path(),
             prefix(layout) + QStringLiteral("/deployments/name/") + flowName + u'/'
                 + deploymentName);
    // Each name is one segment of the raw path, with nothing that could end or split it.
    const QList<QByteArray> segments = request.rawPath.split('/');
    QCOMPARE(QUrl::fromPercentEncoding(segments.value(segments.size() - 2)), flowName);
    QCOMPARE(QUrl::fromPercentEncoding(segments.last()), deploymentName);
    for (const char c : {' ', '#', '?'})
        QVERIFY2(!request.rawPath.contains(c), request.rawPath.constData());
}

void TestPrefectClient::createFlowRun_data()
{
    addLayoutColumn();
    QTest::addColumn<QString>("name");
    QTest::addColumn<QJsonObject>("parameters");
    QTest::addColumn<QStringList>("tags");
    QTest::addColumn<QString>("idempotencyKey");
    QTest::addColumn<QStringList>("keys");

    for (const Layout layout : {Layout::SelfHosted, Layout::Cloud}) {
        const QByteArray name = layoutName(layout);
        QTest::addRow("%s, empty", name.constData())
            << layout << QString() << QJsonObject() << QStringList() << QString() << QStringList();
        QTest::addRow("%s, name", name.constData())
            << layout << QStringLiteral("from-uac") << QJsonObject() << QStringList() << QString()
            << QStringList{QStringLiteral("name")};
        QTest::addRow("%s, parameters and tags", name.constData())
            << layout << QString() << QJsonObject{{"x", 1}, {"s", "text"}}
            << QStringList{QStringLiteral("uac")} << QString()
            << QStringList{QStringLiteral("parameters"), QStringLiteral("tags")};
        QTest::addRow("%s, everything", name.constData())
            << layout << QStringLiteral("run") << QJsonObject{{"x", 2}}
            << QStringList{QStringLiteral("a"), QStringLiteral("b")} << QStringLiteral("key-1")
            << QStringList{QStringLiteral("idempotency_key"), QStringLiteral("name"),
                           QStringLiteral("parameters"), QStringLiteral("tags")};
    }
}

void TestPrefectClient::createFlowRun()
{
    QFETCH(Layout, layout);
    QFETCH(QString, name);
    QFETCH(QJsonObject, parameters);
    QFETCH(QStringList, tags);
    QFETCH(QString, idempotencyKey);
    QFETCH(QStringList, keys);
    useLayout(layout);
    const QString deploymentId = m_fake->addDeployment(
        QStringLiteral("etl"), QStringLiteral("nightly"), QJsonObject{{"x", 0}, {"y", 0}});

    FlowRunRequest request;
    request.name = name;
    request.parameters = parameters;
    request.tags = tags;
    request.idempotencyKey = idempotencyKey;

    Outcome outcome;
    QVERIFY(waitFor(m_client->createFlowRun(deploymentId, request), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));

    const QList<HttpRequest> posts = m_fake->requestsTo(QStringLiteral("/create_flow_run"));
    QCOMPARE(posts.size(), 1);
    QCOMPARE(posts.first().method, QByteArray("POST"));
    QCOMPARE(posts.first().path(),
             prefix(layout) + QStringLiteral("/deployments/") + deploymentId
                 + QStringLiteral("/create_flow_run"));
    const QJsonObject body = posts.first().json().toObject();
    QStringList sent = body.keys();
    sent.sort();
    QCOMPARE(sent, keys);
    QCOMPARE(body, request.toJson());

    const QJsonObject run = outcome.json.toObject();
    QVERIFY(!run.value(QLatin1String("id")).toString().isEmpty());
    QCOMPARE(run.value(QLatin1String("deployment_id")).toString(), deploymentId);
    QCOMPARE(run.value(QLatin1String("state_type")).toString(), QStringLiteral("SCHEDULED"));
    if (!name.isEmpty())
        QCOMPARE(run.value(QLatin1String("name")).toString(), name);
    QCOMPARE(m_fake->flowRunIds(), QStringList{run.value(QLatin1String("id")).toString()});
}

void TestPrefectClient::readFlowRun_data()
{
    addLayoutRows();
}

void TestPrefectClient::readFlowRun()
{
    QFETCH(Layout, layout);
    useLayout(layout);
    const QString deploymentId =
        m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));

    Outcome outcome;
    QVERIFY(waitFor(m_client->createFlowRun(deploymentId, FlowRunRequest()), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    const QString id = outcome.json.toObject().value(QLatin1String("id")).toString();
    QVERIFY(!id.isEmpty());

    for (const QString &state : {QStringLiteral("PENDING"), QStringLiteral("RUNNING"),
                                 QStringLiteral("COMPLETED"), QStringLiteral("COMPLETED")}) {
        QVERIFY(waitFor(m_client->readFlowRun(id), &outcome));
        QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
        const QJsonObject run = outcome.json.toObject();
        QCOMPARE(run.value(QLatin1String("id")).toString(), id);
        QCOMPARE(run.value(QLatin1String("state_type")).toString(), state);
        QCOMPARE(run, m_fake->flowRun(id));
    }
    QCOMPARE(m_fake->requestsTo(QStringLiteral("/flow_runs/") + id, "GET").size(), 4);
}

void TestPrefectClient::notFound_data()
{
    addLayoutRows();
}

void TestPrefectClient::notFound()
{
    QFETCH(Layout, layout);
    useLayout(layout);
    const QString missing = QStringLiteral("00000000-0000-4000-8000-000000000000");

    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(missing), &outcome));
    QVERIFY(outcome.error.isNotFound());
    QCOMPARE(outcome.error.kind(), PrefectError::Kind::Http);
    QCOMPARE(outcome.error.httpStatus(), 404);
    QCOMPARE(outcome.error.message(), QStringLiteral("Flow run not found"));
    QVERIFY(!outcome.error.isAuthenticationFailure());

    QVERIFY(waitFor(m_client->readDeployment(missing), &outcome));
    QVERIFY(outcome.error.isNotFound());
    QCOMPARE(outcome.error.message(), QStringLiteral("Deployment not found"));
    QVERIFY(outcome.deployments.isEmpty());

    QVERIFY(waitFor(m_client->readDeploymentByName(QStringLiteral("etl"), QStringLiteral("nope")),
                    &outcome));
    QVERIFY(outcome.error.isNotFound());
    QCOMPARE(outcome.error.message(), QStringLiteral("Deployment not found"));
    QVERIFY(outcome.error.toString().contains(QLatin1String("Deployment not found")));

    QVERIFY(waitFor(m_client->createFlowRun(missing, FlowRunRequest()), &outcome));
    QVERIFY(outcome.error.isNotFound());
    QCOMPARE(outcome.error.message(), QStringLiteral("Deployment not found"));
}

void TestPrefectClient::wrongCredentials_data()
{
    addLayoutColumn();
    QTest::addColumn<QString>("apiKey");
    QTest::addColumn<QString>("basicAuth");
    QTest::addColumn<QByteArray>("required"); // what the fake wants instead

    QTest::newRow("cloud, wrong key")
        << Layout::Cloud << QStringLiteral("pnu_wrong") << QString() << QByteArray();
    QTest::newRow("self-hosted, no credentials")
        << Layout::SelfHosted << QString() << QString()
        << QByteArray("Basic " + QByteArray("admin:pass").toBase64());
    QTest::newRow("self-hosted, wrong password")
        << Layout::SelfHosted << QString() << QStringLiteral("admin:nope")
        << QByteArray("Basic " + QByteArray("admin:pass").toBase64());
}

void TestPrefectClient::wrongCredentials()
{
    QFETCH(Layout, layout);
    QFETCH(QString, apiKey);
    QFETCH(QString, basicAuth);
    QFETCH(QByteArray, required);

    Connection connection = connectionFor(layout);
    connection.setApiKey(apiKey);
    connection.setBasicAuth(basicAuth);
    m_client->setConnection(connection);
    if (!required.isEmpty())
        m_fake->requireAuthorization(required);
    m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));

    Outcome outcome;
    QVERIFY(waitFor(m_client->listDeployments(), &outcome));
    QVERIFY(outcome.error.isAuthenticationFailure());
    QCOMPARE(outcome.error.httpStatus(), 401);
    QCOMPARE(outcome.error.message(), QStringLiteral("Invalid authentication credentials"));
    QVERIFY2(outcome.error.toString().contains(QLatin1String("authentication failed")),
             qPrintable(outcome.error.toString()));
    QVERIFY(outcome.deployments.isEmpty());
}

void TestPrefectClient::httpErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<PrefectError::Kind>("kind");
    QTest::addColumn<QString>("message"); // what message() must contain
    QTest::addColumn<QString>("text"); // what toString() must contain
    QTest::addColumn<bool>("authentication");

    using Kind = PrefectError::Kind;
    const QByteArray json = "application/json";
    const QByteArray html = "text/html; charset=utf-8";
    const QByteArray page = "<!DOCTYPE html>\n<html>\n<head><title>500 Internal Server Error"
                            "</title></head>\n<body>\n<h1>Internal Server Error</h1>\n<p>The "
                            "server\r\nfell over.</p>\n</body>\n</html>\n";

    QTest::newRow("401") << 401 << QByteArray(R"({"detail": "Invalid authentication credentials"})")
                         << json << Kind::Http
                         << QStringLiteral("Invalid authentication credentials")
                         << QStringLiteral("authentication failed") << true;
    QTest::newRow("403") << 403 << QByteArray(R"({"detail": "Forbidden"})") << json << Kind::Http
                         << QStringLiteral("Forbidden") << QStringLiteral("authentication failed")
                         << true;
    QTest::newRow("409") << 409
                         << QByteArray(R"({"detail": "Data integrity conflict. This usually )"
                                       R"(means a unique or foreign key constraint was )"
                                       R"(violated."})")
                         << json << Kind::Http
                         << QStringLiteral("Data integrity conflict. This usually means a unique "
                                           "or foreign key constraint was violated.")
                         << QStringLiteral("HTTP 409: Data integrity conflict") << false;
    QTest::newRow("422 FastAPI") << 422
                                 << QByteArray(R"({"exception_message": "Invalid request received.",
                          "exception_detail": [{"loc": ["body", "x"], "msg": "field required",
                                                "type": "value_error.missing"}],
                          "request_body": {"y": 1}})")
                                 << json << Kind::Http << QStringLiteral("field required")
                                 << QStringLiteral("HTTP 422") << false;
    QTest::newRow("500 HTML") << 500 << page << html << Kind::Http
                              << QStringLiteral("Internal Server Error")
                              << QStringLiteral("HTTP 500") << false;
    QTest::newRow("503 empty") << 503 << QByteArray() << QByteArray("text/plain") << Kind::Http
                               << QString() << QStringLiteral("HTTP 503") << false;
    QTest::newRow("200 HTML") << 200 << page << html << Kind::InvalidResponse << QString()
                              << QStringLiteral("unexpected answer") << false;
    QTest::newRow("200 truncated JSON")
        << 200 << QByteArray(R"({"id": "3f1d2c4b-0000-4000-8000-00000000abcd", "state_ty)") << json
        << Kind::InvalidResponse << QString() << QStringLiteral("unexpected answer") << false;
    QTest::newRow("200 plain text")
        << 200 << QByteArray("OK") << QByteArray("text/plain") << Kind::InvalidResponse << QString()
        << QStringLiteral("unexpected answer") << false;
}

void TestPrefectClient::httpErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(PrefectError::Kind, kind);
    QFETCH(QString, message);
    QFETCH(QString, text);
    QFETCH(bool, authentication);

    useLayout(Layout::SelfHosted);
    overrideRoute(QStringLiteral("/flow_runs/"), HttpResponse::text(status, body, contentType));

    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("some-run")), &outcome));
    QCOMPARE(outcome.finishedCount, 1);
    const PrefectError error = outcome.error;
    QVERIFY(error.isError());
    QCOMPARE(error.kind(), kind);
    if (kind == PrefectError::Kind::Http)
        QCOMPARE(error.httpStatus(), status);
    QVERIFY2(error.message().contains(message), qPrintable(error.message()));
    QVERIFY2(!error.message().contains(u'\n') && !error.message().contains(u'\r'),
             qPrintable(error.message()));
    QVERIFY2(!error.toString().contains(u'\n'), qPrintable(error.toString()));
    QVERIFY2(error.toString().contains(text), qPrintable(error.toString()));
    QCOMPARE(error.isAuthenticationFailure(), authentication);
    QVERIFY(!error.isNotFound());
}

void TestPrefectClient::errorsInMultiStepOperations_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("route");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<PrefectError::Kind>("kind");

    using Kind = PrefectError::Kind;
    QTest::newRow("list: deployments page fails")
        << QStringLiteral("list") << QStringLiteral("/deployments/filter") << 500
        << QByteArray(R"({"detail": "boom"})") << Kind::Http;
    QTest::newRow("list: flow names fail")
        << QStringLiteral("list") << QStringLiteral("/flows/filter") << 500
        << QByteArray(R"({"detail": "boom"})") << Kind::Http;
    QTest::newRow("list: page is not an array")
        << QStringLiteral("list") << QStringLiteral("/deployments/filter") << 200
        << QByteArray(R"({"items": []})") << Kind::InvalidResponse;
    QTest::newRow("read: flow lookup fails")
        << QStringLiteral("read") << QStringLiteral("/flows/") << 404
        << QByteArray(R"({"detail": "Flow not found"})") << Kind::Http;
    QTest::newRow("read: deployment without flow_id")
        << QStringLiteral("read") << QStringLiteral("/deployments/") << 200
        << QByteArray(R"({"id": "x", "name": "n"})") << Kind::InvalidResponse;
    QTest::newRow("by name: deployment without id")
        << QStringLiteral("byName") << QStringLiteral("/deployments/name/") << 200
        << QByteArray("{}") << Kind::InvalidResponse;
    QTest::newRow("workspaces: not an array")
        << QStringLiteral("workspaces") << QStringLiteral("/me/workspaces") << 200
        << QByteArray(R"({"detail": "x"})") << Kind::InvalidResponse;
}

void TestPrefectClient::errorsInMultiStepOperations()
{
    QFETCH(QString, operation);
    QFETCH(QString, route);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(PrefectError::Kind, kind);

    useLayout(operation == QLatin1String("workspaces") ? Layout::Cloud : Layout::SelfHosted);
    const QString id = m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    overrideRoute(route, HttpResponse::text(status, body, "application/json"));

    PrefectReply *reply = nullptr;
    if (operation == QLatin1String("list"))
        reply = m_client->listDeployments();
    else if (operation == QLatin1String("read"))
        reply = m_client->readDeployment(id);
    else if (operation == QLatin1String("byName"))
        reply = m_client->readDeploymentByName(QStringLiteral("etl"), QStringLiteral("nightly"));
    else
        reply = m_client->listWorkspaces();

    Outcome outcome;
    QVERIFY(waitFor(reply, &outcome));
    QCOMPARE(outcome.finishedCount, 1);
    QCOMPARE(outcome.error.kind(), kind);
    if (kind == PrefectError::Kind::Http)
        QCOMPARE(outcome.error.httpStatus(), status);
    QVERIFY(outcome.deployments.isEmpty());
    QVERIFY(outcome.workspaces.isEmpty());
}

void TestPrefectClient::droppedConnection_data()
{
    addLayoutRows();
}

void TestPrefectClient::droppedConnection()
{
    QFETCH(Layout, layout);
    useLayout(layout);
    overrideRoute(QStringLiteral("/flow_runs/"), HttpResponse::drop());

    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("some-run")), &outcome));
    QCOMPARE(outcome.error.kind(), PrefectError::Kind::Network);
    QCOMPARE(outcome.error.httpStatus(), 0);
    QVERIFY(!outcome.error.message().isEmpty());
    QVERIFY2(outcome.error.toString().startsWith(QLatin1String("network error")),
             qPrintable(outcome.error.toString()));
    QVERIFY(!m_fake->requestsTo(QStringLiteral("/flow_runs/")).isEmpty());
}

void TestPrefectClient::hangingServer_data()
{
    addLayoutRows();
}

void TestPrefectClient::hangingServer()
{
    QFETCH(Layout, layout);
    Connection connection = connectionFor(layout);
    connection.setTransferTimeoutMs(500);
    m_client->setConnection(connection);
    overrideRoute(QStringLiteral("/flow_runs/"), HttpResponse::hang());

    QElapsedTimer timer;
    timer.start();
    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("some-run")), &outcome, 15000));
    QCOMPARE(outcome.error.kind(), PrefectError::Kind::Timeout);
    QCOMPARE(outcome.error.httpStatus(), 0);
    QVERIFY2(timer.elapsed() >= 400, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(!outcome.error.toString().isEmpty());
    QCOMPARE(m_fake->requestsTo(QStringLiteral("/flow_runs/")).size(), 1);
}

void TestPrefectClient::connectionRefused()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    Connection connection;
    connection.setApiBase(QUrl(QStringLiteral("http://127.0.0.1:%1/api").arg(port)));
    m_client->setConnection(connection);

    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("some-run")), &outcome));
    QCOMPARE(outcome.error.kind(), PrefectError::Kind::Network);
    QCOMPARE(outcome.error.httpStatus(), 0);
    QVERIFY(!outcome.error.message().isEmpty());

    QVERIFY(waitFor(m_client->listDeployments(), &outcome));
    QCOMPARE(outcome.error.kind(), PrefectError::Kind::Network);
    QVERIFY(outcome.deployments.isEmpty());
}

void TestPrefectClient::sameOriginRedirectFollowed()
{
    Connection connection = connectionFor(Layout::SelfHosted);
    connection.setApiKey(QStringLiteral("self-key"));
    m_client->setConnection(connection);
    m_fake->requireAuthorization("Bearer self-key");
    const QString deploymentId =
        m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    Outcome outcome;
    QVERIFY(waitFor(m_client->createFlowRun(deploymentId, FlowRunRequest()), &outcome));
    const QString id = outcome.json.toObject().value(QLatin1String("id")).toString();
    QVERIFY(!id.isEmpty());

    HttpResponse redirect = HttpResponse::text(307, "see elsewhere", "text/plain");
    redirect.headers.append({"Location", "/api/flow_runs/" + id.toUtf8()});
    overrideRoute(QStringLiteral("/flow_runs/moved"), redirect);
    m_fake->http().clearRequests();

    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("moved")), &outcome));
    QVERIFY2(!outcome.error.isError(), qPrintable(outcome.error.toString()));
    QCOMPARE(outcome.json.toObject().value(QLatin1String("id")).toString(), id);
    // Qt may send the redirected request more than once on a reused connection; what counts is
    // that the target is read once, last, with the credentials.
    const QList<HttpRequest> requests = m_fake->http().requests();
    QVERIFY(requests.size() >= 2);
    QCOMPARE(requests.last().path(), QStringLiteral("/api/flow_runs/") + id);
    QCOMPARE(requests.last().header("authorization"), QByteArray("Bearer self-key"));
    for (qsizetype i = 0; i + 1 < requests.size(); ++i)
        QCOMPARE(requests.at(i).path(), QStringLiteral("/api/flow_runs/moved"));
}

void TestPrefectClient::crossOriginRedirectRefused()
{
    // Another origin: same address, another port. It must never see the key.
    FakeHttpServer elsewhere;
    QVERIFY(elsewhere.listen());
    elsewhere.setHandler([](const HttpRequest &) {
        return HttpResponse::json(200, QJsonObject{{"id", "stolen"}});
    });

    Connection connection = connectionFor(Layout::SelfHosted);
    connection.setApiKey(QStringLiteral("self-key"));
    m_client->setConnection(connection);
    HttpResponse redirect = HttpResponse::text(307, "Moved", "text/plain");
    redirect.headers.append(
        {"Location", elsewhere.url(QStringLiteral("/api/flow_runs/x")).toEncoded()});
    overrideRoute(QStringLiteral("/flow_runs/"), redirect);

    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("x")), &outcome));
    QCOMPARE(outcome.error.kind(), PrefectError::Kind::Http);
    QCOMPARE(outcome.error.httpStatus(), 307);
    QVERIFY2(outcome.error.message().contains(QLatin1String("redirect")),
             qPrintable(outcome.error.message()));
    QVERIFY(outcome.json.isNull() || outcome.json.isUndefined());
    QVERIFY(elsewhere.requests().isEmpty());
}

void TestPrefectClient::replyDeletesItself()
{
    useLayout(Layout::SelfHosted);
    PrefectReply *reply = m_client->readFlowRun(QStringLiteral("missing"));
    QPointer<PrefectReply> guard(reply);
    QVERIFY(!reply->isFinished());
    Outcome outcome;
    QVERIFY(waitFor(reply, &outcome));
    QCOMPARE(outcome.finishedCount, 1);
    QVERIFY(outcome.error.isNotFound());
    QTRY_VERIFY(guard.isNull());
}

void TestPrefectClient::exchangeFinished()
{
    useLayout(Layout::SelfHosted);
    QSignalSpy exchanges(m_client.get(), &PrefectClient::exchangeFinished);

    Outcome outcome;
    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("missing")), &outcome));
    QCOMPARE(exchanges.size(), 1);
    QCOMPARE(exchanges.at(0).at(0).toByteArray(), QByteArray("GET"));
    QCOMPARE(exchanges.at(0).at(1).toUrl().path(), QStringLiteral("/api/flow_runs/missing"));
    QCOMPARE(exchanges.at(0).at(2).toInt(), 404);
    QVERIFY(exchanges.at(0).at(3).toLongLong() >= 0);

    exchanges.clear();
    m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"));
    QVERIFY(waitFor(m_client->listDeployments(), &outcome));
    QCOMPARE(exchanges.size(), 2); // one page of deployments, one of flows
    QCOMPARE(exchanges.at(0).at(0).toByteArray(), QByteArray("POST"));
    QCOMPARE(exchanges.at(0).at(2).toInt(), 200);
    QCOMPARE(exchanges.at(1).at(2).toInt(), 200);

    exchanges.clear();
    overrideRoute(QStringLiteral("/flow_runs/"), HttpResponse::drop());
    QVERIFY(waitFor(m_client->readFlowRun(QStringLiteral("x")), &outcome));
    QCOMPARE(exchanges.size(), 1);
    QCOMPARE(exchanges.at(0).at(2).toInt(), 0);
}

void TestPrefectClient::serverMessage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("parts"); // all must be in the message
    QTest::addColumn<bool>("exact"); // the message is exactly the one part

    QTest::newRow("detail") << QByteArray(R"({"detail": "Deployment not found"})")
                            << QStringList{QStringLiteral("Deployment not found")} << true;
    QTest::newRow("exception_message")
        << QByteArray(R"({"exception_message": "Internal Server Error"})")
        << QStringList{QStringLiteral("Internal Server Error")} << true;
    QTest::newRow("422 with exception_detail")
        << QByteArray(R"({"exception_message": "Invalid request received.",
                          "exception_detail": [{"loc": ["body", "x"], "msg": "field required",
                                                "type": "value_error.missing"}],
                          "request_body": {}})")
        << QStringList{QStringLiteral("Invalid request received."), QStringLiteral("body.x"),
                       QStringLiteral("field required")}
        << false;
    QTest::newRow("detail as FastAPI list")
        << QByteArray(R"({"detail": [{"loc": ["body", "name"], "msg": "field required",
                                      "type": "missing"}]})")
        << QStringList{QStringLiteral("body.name"), QStringLiteral("field required")} << false;
    QTest::newRow("two validation errors")
        << QByteArray(R"({"detail": [{"loc": ["body", "a"], "msg": "first problem"},
                                     {"loc": ["body", "tags", 0], "msg": "second problem"}]})")
        << QStringList{QStringLiteral("first problem"), QStringLiteral("second problem"),
                       QStringLiteral("body.tags.0")}
        << false;
    QTest::newRow("detail object") << QByteArray(R"({"detail": {"reason": "paused"}})")
                                   << QStringList{QStringLiteral("paused")} << false;
    QTest::newRow("multi-line detail") << QByteArray(R"({"detail": "line one\nline two"})")
                                       << QStringList{QStringLiteral("line one line two")} << true;
    QTest::newRow("plain text") << QByteArray("Internal Server Error")
                                << QStringList{QStringLiteral("Internal Server Error")} << true;
    QTest::newRow("HTML page") << QByteArray(
        "<html>\n  <body>\n    <h1>502 Bad Gateway</h1>\n  </body>\n</html>\n")
                               << QStringList{QStringLiteral("502 Bad Gateway")} << false;
    QTest::newRow("JSON array") << QByteArray(R"(["a", "b"])")
                                << QStringList{QStringLiteral("[\"a\", \"b\"]")} << true;
    QTest::newRow("empty") << QByteArray() << QStringList{QString()} << true;
    // Cut at 300 characters: before the emoji whose two UTF-16 halves straddle the cut, not
    // between them.
    QTest::newRow("long, cut before a surrogate pair")
        << QByteArray(299, 'a') + QByteArray("\xF0\x9F\x98\x80 and more")
        << QStringList{QString(299, u'a') + QStringLiteral("…")} << true;
}

void TestPrefectClient::serverMessage()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, parts);
    QFETCH(bool, exact);

    const QString message = PrefectError::serverMessage(body);
    QVERIFY2(!message.contains(u'\n') && !message.contains(u'\r'), qPrintable(message));
    if (exact) {
        QCOMPARE(message, parts.first());
        return;
    }
    for (const QString &part : parts)
        QVERIFY2(message.contains(part), qPrintable(QStringLiteral("got: ") + message));
}

QTEST_GUILESS_MAIN(TestPrefectClient)
#include "tst_prefectclient.moc"
