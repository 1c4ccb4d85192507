// End-to-end: the ue-prefect binary as a process against a real Prefect server (started by the
// ctest fixture in tests/e2e/fixture), with served flows that really run.

#include "e2estate.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString gatewayAccount = QStringLiteral("3f1e8f7a-5a4b-4c1e-9d0a-1b2c3d4e5f60");
const QString gatewayWorkspace = QStringLiteral("7c9d2e4f-6a8b-4d0c-8e1f-2a3b4c5d6e7f");

struct Outcome
{
    int exitCode = -1;
    QByteArray standardOutput;
    QByteArray standardError;
    QList<QJsonObject> events;
    QJsonObject extensionOutput;

    QString statusDescription() const
    {
        return extensionOutput.value("status_description").toString();
    }
    QJsonObject flowRunInfo() const
    {
        return extensionOutput.value("result").toObject().value("flow_run_info").toObject();
    }
    QString flowRunId() const
    {
        for (const QJsonObject &event : events) {
            const QString id = event.value("fields").toObject().value("flow_run_id").toString();
            if (!id.isEmpty())
                return id;
        }
        return {};
    }
};

} // namespace

class TestEndToEnd : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void launchWithoutWait();
    void waitForOutcome_data();
    void waitForOutcome();
    void cancelledWhileWaiting();
    void pollingTimeout();
    void parametersArriveAsSent();
    void deploymentReference_data();
    void deploymentReference();
    void wrongParameterTypeIsRejected();
    void choices();
    void cloudLayoutThroughGateway_data();
    void cloudLayoutThroughGateway();
    void cloudWrongKey();
    void basicAuth_data();
    void basicAuth();
    void watchOnEventStream();
    void eventStreamRefusedFallsBackToPolling();
    void pollOnlyNeverOpensTheStream();
    void logsFollowed();

private:
    QProcessEnvironment environment(const QMap<QString, QString> &extra = {}) const;
    Outcome run(const QStringList &arguments, const QMap<QString, QString> &extra = {},
                const std::function<void(QProcess &, Outcome &)> &whileRunning = {});
    QJsonObject apiGet(const QString &path);
    int apiPost(const QString &path, const QJsonObject &body);

    // Prefect 3 serves the event stream; Prefect 2 without experimental events does not.
    bool serverHasEvents() const { return !m_prefectVersion.startsWith(QLatin1String("2.")); }

    QString m_apiUrl;
    QString m_gatewayUrl;
    QString m_prefectVersion;
    QString m_binary;
    QTemporaryDir m_dir;
    QNetworkAccessManager m_network;
    int m_runs = 0;
};

void TestEndToEnd::initTestCase()
{
    // The fixture could not install Prefect (no PyPI): a skip that says why, never a pass;
    // where a real server is required (CI), a failure.
    const QString unavailable = readE2eState("unavailable");
    if (!unavailable.isEmpty()) {
        const QString reason = QStringLiteral("no real Prefect server: %1").arg(unavailable);
        if (qEnvironmentVariableIntValue("UE_PREFECT_REQUIRE_REAL_SERVER"))
            QFAIL(qPrintable(reason));
        QSKIP(qPrintable(reason));
    }
    m_binary = qEnvironmentVariable("UE_PREFECT_BINARY");
    m_apiUrl = readE2eState("api_url");
    m_gatewayUrl = readE2eState("gateway_url");
    QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary));
    QVERIFY2(!m_apiUrl.isEmpty(), "the fixture did not leave an api_url");
    QVERIFY(m_dir.isValid());
    m_prefectVersion = readE2eState("prefect_version");
    qInfo("Prefect %s at %s", qPrintable(m_prefectVersion), qPrintable(m_apiUrl));
}

QProcessEnvironment TestEndToEnd::environment(const QMap<QString, QString> &extra) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : environment.keys()) {
        if (name.startsWith("PREFECT_"))
            environment.remove(name);
    }
    environment.insert("PREFECT_API_URL", m_apiUrl);
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it) {
        if (it.value().isNull())
            environment.remove(it.key());
        else
            environment.insert(it.key(), it.value());
    }
    return environment;
}

Outcome TestEndToEnd::run(const QStringList &arguments, const QMap<QString, QString> &extra,
                          const std::function<void(QProcess &, Outcome &)> &whileRunning)
{
    Outcome outcome;
    const QString outputFile = m_dir.filePath(QStringLiteral("out-%1.json").arg(++m_runs));
    QProcess process;
    process.setProcessEnvironment(environment(extra));
    QByteArray pending;
    connect(&process, &QProcess::readyReadStandardOutput, &process, [&] {
        pending += process.readAllStandardOutput();
        outcome.standardOutput += pending;
        qsizetype newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            outcome.events << QJsonDocument::fromJson(pending.left(newline)).object();
            pending.remove(0, newline + 1);
        }
    });
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(m_binary,
                  arguments + QStringList{"--events", "--extension-output-file", outputFile});
    if (!process.waitForStarted(10000))
        return outcome;
    if (whileRunning)
        whileRunning(process, outcome);
    if (finished.isEmpty() && !finished.wait(180000)) {
        process.kill();
        return outcome;
    }
    outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    outcome.standardError = process.readAllStandardError();
    QFile file(outputFile);
    if (file.open(QIODevice::ReadOnly))
        outcome.extensionOutput = QJsonDocument::fromJson(file.readAll()).object();
    return outcome;
}

QJsonObject TestEndToEnd::apiGet(const QString &path)
{
    QNetworkRequest request(QUrl(m_apiUrl + path));
    QNetworkReply *reply = m_network.get(request);
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(30000);
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

int TestEndToEnd::apiPost(const QString &path, const QJsonObject &body)
{
    QNetworkRequest request(QUrl(m_apiUrl + path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    QNetworkReply *reply = m_network.post(request, QJsonDocument(body).toJson());
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(30000);
    reply->deleteLater();
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

void TestEndToEnd::launchWithoutWait()
{
    const Outcome outcome = run({"--deployment", "ue-sleep/demo", "--flow-run-name", "e2e-nowait",
                                 "--extension-output", "flow-run-info"});
    QCOMPARE(outcome.exitCode, 0);
    QCOMPARE(outcome.statusDescription(), QString("Task executed successfully."));
    const QString id = outcome.flowRunId();
    QVERIFY(!id.isEmpty());
    // The run is on the server, under the name we gave, created from our deployment.
    const QJsonObject stored = apiGet("/flow_runs/" + id);
    QCOMPARE(stored.value("name").toString(), QString("e2e-nowait"));
    const QJsonObject deployment = apiGet("/deployments/name/ue-sleep/demo");
    QCOMPARE(stored.value("deployment_id").toString(), deployment.value("id").toString());
    QCOMPARE(outcome.flowRunInfo().value("id").toString(), id);
}

void TestEndToEnd::waitForOutcome_data()
{
    QTest::addColumn<QString>("deployment");
    QTest::addColumn<QString>("parameters");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("state");
    QTest::addColumn<QString>("statusDescription");

    QTest::newRow("completed") << "ue-sleep/demo"
                               << R"({"parameters": {"seconds": 1}})" << 0 << "COMPLETED"
                               << "Task executed successfully.";
    QTest::newRow("failed") << "ue-sleep/demo"
                            << R"({"parameters": {"seconds": 0, "fail": true}})" << 1 << "FAILED"
                            << "Execution Failed: Flow run Reached FAILED State";
    QTest::newRow("crashed") << "ue-crash/crash" << QString() << 1 << "CRASHED"
                             << "Execution Failed: Flow run Reached CRASHED State";
}

void TestEndToEnd::waitForOutcome()
{
    QFETCH(QString, deployment);
    QFETCH(QString, parameters);
    QFETCH(int, exitCode);
    QFETCH(QString, state);
    QFETCH(QString, statusDescription);

    QStringList arguments{"--deployment",       deployment,     "--wait", "--poll-interval", "1",
                          "--extension-output", "flow-run-info"};
    if (!parameters.isEmpty())
        arguments << "--parameters" << parameters;
    const Outcome outcome = run(arguments);
    QVERIFY2(outcome.exitCode == exitCode, outcome.standardError.constData());
    QCOMPARE(outcome.statusDescription(), statusDescription);
    QCOMPARE(outcome.extensionOutput.value("exit_code").toInt(), exitCode);
    QCOMPARE(outcome.flowRunInfo().value("state_type").toString(), state);
    // The output fields followed the run to its end, and the server agrees.
    QVERIFY(outcome.events.size() >= 3);
    const QJsonObject lastFields =
        outcome.events.at(outcome.events.size() - 2).value("fields").toObject();
    QCOMPARE(lastFields.value("flow_run_state").toString(), state);
    QCOMPARE(apiGet("/flow_runs/" + outcome.flowRunId()).value("state_type").toString(), state);
    QCOMPARE(outcome.events.last().value("type").toString(), QString("result"));
}

void TestEndToEnd::cancelledWhileWaiting()
{
    QString cancelledId;
    const Outcome outcome =
        run({"--deployment", "ue-long/long", "--wait", "--poll-interval", "1"}, {},
            [&](QProcess &process, Outcome &live) {
                // Cancel through the API once the run is really running, as a user would.
                QTRY_VERIFY_WITH_TIMEOUT(
                    std::any_of(live.events.cbegin(), live.events.cend(),
                                [](const QJsonObject &event) {
                                    return event.value("fields").toObject().value("flow_run_state")
                                        == QLatin1String("RUNNING");
                                })
                        || process.state() == QProcess::NotRunning,
                    120000);
                cancelledId = live.flowRunId();
                QVERIFY(!cancelledId.isEmpty());
                const QJsonObject cancelling{
                    {"state", QJsonObject{{"type", "CANCELLING"}, {"name", "Cancelling"}}},
                    {"force", true}};
                QCOMPARE(apiPost("/flow_runs/" + cancelledId + "/set_state", cancelling), 201);
            });
    QVERIFY2(outcome.exitCode == 1, outcome.standardError.constData());
    QCOMPARE(outcome.statusDescription(),
             QString("Execution Failed: Flow run Reached CANCELLED State"));
    QCOMPARE(apiGet("/flow_runs/" + cancelledId).value("state_type").toString(),
             QString("CANCELLED"));
}

void TestEndToEnd::pollingTimeout()
{
    const Outcome outcome =
        run({"--deployment", "ue-long/long", "--wait", "--poll-interval", "1", "--max-polls", "2"});
    QCOMPARE(outcome.exitCode, 40);
    QCOMPARE(outcome.statusDescription(),
             QString("Polling Timeout: maximum polling timeout reached."));
    // Leave no hour-long run behind to hold the runner's slots.
    const QJsonObject cancelled{
        {"state", QJsonObject{{"type", "CANCELLED"}, {"name", "Cancelled"}}}, {"force", true}};
    QCOMPARE(apiPost("/flow_runs/" + outcome.flowRunId() + "/set_state", cancelled), 201);
}

void TestEndToEnd::parametersArriveAsSent()
{
    const QJsonObject parameters{
        {"count", 3},
        {"flag", true},
        {"label", QString::fromUtf8("caf\u00e9 \u2713")},
        {"mode", "slow"},
        {"options", QJsonObject{{"retries", 4}, {"names", QJsonArray{"a", "b"}}}}};
    const QJsonObject context{{"ticket", "UAC-42"}, {"nested", QJsonObject{{"k", 1}}}};
    const QJsonObject jobVariables{{"env", QJsonObject{{"UE_VAR", "1"}}}};
    const QJsonObject document{{"parameters", parameters},
                               {"context", context},
                               {"job_variables", jobVariables},
                               {"tags", QJsonArray{"e2e-tag-1", "e2e tag 2"}}};
    const Outcome outcome =
        run({"--deployment", "ue-typed/typed", "--flow-run-name", "typed-run", "--parameters",
             QString::fromUtf8(QJsonDocument(document).toJson())});
    QVERIFY2(outcome.exitCode == 0, outcome.standardError.constData());

    const QJsonObject stored = apiGet("/flow_runs/" + outcome.flowRunId());
    QCOMPARE(stored.value("name").toString(), QString("typed-run"));
    QCOMPARE(stored.value("parameters").toObject(), parameters);
    QCOMPARE(stored.value("context").toObject(), context);
    QCOMPARE(stored.value("job_variables").toObject(), jobVariables);
    const QJsonArray tags = stored.value("tags").toArray();
    QVERIFY(tags.contains(QJsonValue("e2e-tag-1")));
    QVERIFY(tags.contains(QJsonValue("e2e tag 2")));
}

void TestEndToEnd::deploymentReference_data()
{
    QTest::addColumn<QString>("reference");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    const QString uuid = apiGet("/deployments/name/ue-sleep/demo").value("id").toString();
    QTest::newRow("uuid") << uuid << 0 << "Task executed successfully.";
    QTest::newRow("flow/deployment") << "ue-sleep/demo" << 0 << "Task executed successfully.";
    QTest::newRow("bare name") << "demo" << 0 << "Task executed successfully.";
    QTest::newRow("unknown uuid") << "00000000-0000-4000-8000-000000000000" << 20
                                  << "Data Validation Error: Deployment "
                                     "'00000000-0000-4000-8000-000000000000' not found";
    QTest::newRow("unknown full name") << "ue-sleep/nope" << 20
                                       << "Data Validation Error: Deployment 'ue-sleep/nope' "
                                          "not found";
    QTest::newRow("unknown bare name")
        << "nope" << 20 << "Data Validation Error: Deployment 'nope' not found";
    QTest::newRow("ambiguous") << "daily" << 20
                               << "Data Validation Error: Deployment 'daily' is ambiguous: "
                                  "ue-etl/daily, ue-reports/daily";
}

void TestEndToEnd::deploymentReference()
{
    QFETCH(QString, reference);
    QFETCH(int, exitCode);
    QFETCH(QString, message);

    const Outcome outcome = run({"--deployment", reference});
    QVERIFY2(outcome.exitCode == exitCode, outcome.standardError.constData());
    QCOMPARE(outcome.statusDescription(), message);
    if (exitCode == 0) {
        const QJsonObject stored = apiGet("/flow_runs/" + outcome.flowRunId());
        QCOMPARE(stored.value("deployment_id").toString(),
                 apiGet("/deployments/name/ue-sleep/demo").value("id").toString());
    } else {
        QVERIFY(outcome.flowRunId().isEmpty());
    }
}

void TestEndToEnd::wrongParameterTypeIsRejected()
{
    const Outcome outcome = run({"--deployment", "ue-typed/typed", "--parameters",
                                 R"({"parameters": {"count": "not-a-number"}})"});
    QCOMPARE(outcome.exitCode, 20);
    // The server's own reason reaches the operator.
    QVERIFY2(outcome.statusDescription().contains("count"),
             qPrintable(outcome.statusDescription()));
    QVERIFY2(outcome.statusDescription().contains("not-a-number"),
             qPrintable(outcome.statusDescription()));
    QVERIFY(outcome.statusDescription().startsWith("Data Validation Error: "));
}

void TestEndToEnd::choices()
{
    QProcess process;
    process.setProcessEnvironment(environment());
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(m_binary, {"deployments"});
    QVERIFY(finished.wait(60000));
    QCOMPARE(process.exitCode(), 0);
    const QStringList lines =
        QString::fromUtf8(process.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines,
             QStringList({"ue-crash/crash", "ue-etl/daily", "ue-long/long", "ue-reports/daily",
                          "ue-sleep/demo", "ue-typed/typed"}));

    process.start(m_binary, {"deployments", "--json"});
    QVERIFY(finished.wait(60000));
    QCOMPARE(process.exitCode(), 0);
    const QJsonArray array = QJsonDocument::fromJson(process.readAllStandardOutput()).array();
    QCOMPARE(array.size(), 6);
    for (const QJsonValue &value : array) {
        const QJsonObject choice = value.toObject();
        const QStringList parts = choice.value("name").toString().split('/');
        QCOMPARE(parts.size(), 2);
        QCOMPARE(apiGet("/deployments/name/" + parts.at(0) + '/' + parts.at(1)).value("id"),
                 choice.value("id"));
    }

    // Self-hosted servers have no workspaces: an empty list, not an error.
    process.start(m_binary, {"workspaces"});
    QVERIFY(finished.wait(60000));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(process.readAllStandardOutput(), QByteArray());
}

void TestEndToEnd::cloudLayoutThroughGateway_data()
{
    QTest::addColumn<QString>("workspace");
    QTest::newRow("workspace name") << "E2E Workspace";
    QTest::newRow("workspace handle") << "e2e";
    QTest::newRow("account/workspace handle") << "ue-test/e2e";
    QTest::newRow("workspace uuid") << gatewayWorkspace;
}

void TestEndToEnd::cloudLayoutThroughGateway()
{
    QFETCH(QString, workspace);
    QVERIFY(!m_gatewayUrl.isEmpty());
    const QString key = qEnvironmentVariable("UE_PREFECT_GATEWAY_KEY");
    const QMap<QString, QString> cloud{{"PREFECT_API_URL", m_gatewayUrl},
                                       {"PREFECT_ACCOUNT_ID", gatewayAccount},
                                       {"PREFECT_API_KEY", key}};
    const Outcome outcome =
        run({"--workspace", workspace, "--deployment", "ue-sleep/demo", "--wait", "--poll-interval",
             "1", "--parameters", R"({"parameters": {"seconds": 0}})"},
            cloud);
    QVERIFY2(outcome.exitCode == 0, outcome.standardError.constData());
    QCOMPARE(apiGet("/flow_runs/" + outcome.flowRunId()).value("state_type").toString(),
             QString("COMPLETED"));
    QVERIFY(!outcome.standardOutput.contains(key.toUtf8()));
    QVERIFY(!outcome.standardError.contains(key.toUtf8()));

    QProcess process;
    process.setProcessEnvironment(environment(cloud));
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(m_binary, {"workspaces", "--json"});
    QVERIFY(finished.wait(60000));
    QCOMPARE(process.exitCode(), 0);
    const QJsonArray workspaces = QJsonDocument::fromJson(process.readAllStandardOutput()).array();
    QCOMPARE(workspaces.size(), 1); // the other account's workspace is not ours
    QCOMPARE(workspaces.first().toObject().value("id").toString(), gatewayWorkspace);
}

void TestEndToEnd::cloudWrongKey()
{
    QVERIFY(!m_gatewayUrl.isEmpty());
    const QString wrongKey = QStringLiteral("pnu_wrong_key_for_e2e_0123456789");
    const Outcome outcome = run({"--workspace", "e2e", "--deployment", "ue-sleep/demo"},
                                {{"PREFECT_API_URL", m_gatewayUrl},
                                 {"PREFECT_ACCOUNT_ID", gatewayAccount},
                                 {"PREFECT_API_KEY", wrongKey}});
    QCOMPARE(outcome.exitCode, 1);
    QVERIFY2(outcome.statusDescription().contains("authentication failed (HTTP 401)"),
             qPrintable(outcome.statusDescription()));
    QVERIFY(!outcome.standardOutput.contains(wrongKey.toUtf8()));
    QVERIFY(!outcome.standardError.contains(wrongKey.toUtf8()));
    QVERIFY(!QJsonDocument(outcome.extensionOutput).toJson().contains(wrongKey.toUtf8()));
}

void TestEndToEnd::basicAuth_data()
{
    QTest::addColumn<QString>("authString");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("right credentials")
        << qEnvironmentVariable("PREFECT_SERVER_API_AUTH_STRING") << 0;
    QTest::newRow("wrong credentials") << "ue:wrong-password" << 1;
    QTest::newRow("no credentials") << QString() << 1;
}

void TestEndToEnd::basicAuth()
{
    if (!qEnvironmentVariableIsSet("PREFECT_SERVER_API_AUTH_STRING"))
        QSKIP("runs against the basic-auth server fixture only");
    QFETCH(QString, authString);
    QFETCH(int, exitCode);

    QMap<QString, QString> extra;
    if (!authString.isEmpty())
        extra.insert("PREFECT_API_AUTH_STRING", authString);
    const Outcome outcome = run({"--deployment", "ue-sleep/demo"}, extra);
    QVERIFY2(outcome.exitCode == exitCode, outcome.standardError.constData());
    if (exitCode != 0) {
        QVERIFY2(outcome.statusDescription().contains("authentication failed (HTTP 401)"),
                 qPrintable(outcome.statusDescription()));
    }
    if (!authString.isEmpty()) {
        const QByteArray password = authString.section(':', 1).toUtf8();
        QVERIFY(!outcome.standardError.contains(password));
        QVERIFY(!outcome.standardOutput.contains(password));
    }
}

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "tst_e2e.moc"

void TestEndToEnd::watchOnEventStream()
{
    // A polling interval far longer than the run: only the event stream can tell of its end in
    // time, and -v shows the stream's COMPLETED event prompting the final read.
    const Outcome outcome =
        run({"--deployment", "ue-sleep/demo", "--wait", "--watch-mode", "events", "--poll-interval",
             "600", "--parameters", R"({"parameters": {"seconds": 2}})", "-v"});
    if (!serverHasEvents()) {
        // Without a stream, events mode is a failure that says why, not a silent poll.
        QVERIFY2(outcome.exitCode == 1, outcome.standardError.constData());
        QVERIFY2(outcome.statusDescription().startsWith("Execution Failed: watch_mode events: "),
                 qPrintable(outcome.statusDescription()));
        return;
    }
    QVERIFY2(outcome.exitCode == 0, outcome.standardError.constData());
    QVERIFY2(outcome.standardError.contains("on Prefect's event stream"),
             outcome.standardError.constData());
    QVERIFY2(outcome.standardError.contains("event stream: flow run reached COMPLETED"),
             outcome.standardError.constData());
    QVERIFY(!outcome.standardError.contains("Event stream unavailable"));
    QCOMPARE(apiGet("/flow_runs/" + outcome.flowRunId()).value("state_type").toString(),
             QString("COMPLETED"));
    // The states seen on the stream reached the output fields.
    QStringList states;
    for (const QJsonObject &event : outcome.events) {
        const QString state = event.value("fields").toObject().value("flow_run_state").toString();
        if (!state.isEmpty() && (states.isEmpty() || states.last() != state))
            states << state;
    }
    QVERIFY2(states.contains("RUNNING"), qPrintable(states.join(',')));
    QCOMPARE(states.last(), QString("COMPLETED"));
}

void TestEndToEnd::eventStreamRefusedFallsBackToPolling()
{
    // The Cloud gateway forwards plain HTTP only: it stands for a proxy that blocks websockets.
    // On Prefect 2 the server itself has no stream. Either way auto mode polls instead.
    QVERIFY(!m_gatewayUrl.isEmpty());
    const QMap<QString, QString> cloud{
        {"PREFECT_API_URL", m_gatewayUrl},
        {"PREFECT_ACCOUNT_ID", gatewayAccount},
        {"PREFECT_API_KEY", qEnvironmentVariable("UE_PREFECT_GATEWAY_KEY")}};
    const Outcome outcome =
        run({"--workspace", "e2e", "--deployment", "ue-sleep/demo", "--wait", "--poll-interval",
             "1", "--parameters", R"({"parameters": {"seconds": 1}})"},
            cloud);
    QVERIFY2(outcome.exitCode == 0, outcome.standardError.constData());
    QVERIFY2(outcome.standardError.contains("Event stream unavailable ("),
             outcome.standardError.constData());
    QVERIFY2(outcome.standardError.contains("); polling every 1 s"),
             outcome.standardError.constData());
    QCOMPARE(apiGet("/flow_runs/" + outcome.flowRunId()).value("state_type").toString(),
             QString("COMPLETED"));

    // Events only, through the same gateway: exit 1 with the reason, the run left on Prefect.
    const Outcome refused =
        run({"--workspace", "e2e", "--deployment", "ue-sleep/demo", "--wait", "--watch-mode",
             "events", "--parameters", R"({"parameters": {"seconds": 0}})"},
            cloud);
    QVERIFY2(refused.exitCode == 1, refused.standardError.constData());
    QVERIFY2(refused.statusDescription().startsWith("Execution Failed: watch_mode events: "),
             qPrintable(refused.statusDescription()));
    QVERIFY(!refused.flowRunId().isEmpty());
}

void TestEndToEnd::pollOnlyNeverOpensTheStream()
{
    const Outcome outcome =
        run({"--deployment", "ue-sleep/demo", "--wait", "--watch-mode", "poll", "--poll-interval",
             "1", "--parameters", R"({"parameters": {"seconds": 1}})", "-v"});
    QVERIFY2(outcome.exitCode == 0, outcome.standardError.constData());
    QVERIFY(
        !QString::fromUtf8(outcome.standardError).contains("event stream", Qt::CaseInsensitive));
    QCOMPARE(outcome.extensionOutput.value("invocation")
                 .toObject()
                 .value("fields")
                 .toObject()
                 .value("watch_mode")
                 .toString(),
             QString("poll"));
}

void TestEndToEnd::logsFollowed()
{
    // The flow logs before its sleep and after it: both lines reach standard error with their
    // level, and the last ones the Extension Output.
    const Outcome outcome =
        run({"--deployment", "ue-sleep/demo", "--wait", "--poll-interval", "1", "--logs",
             "--logs-in-output", "3", "--parameters", R"({"parameters": {"seconds": 2}})"});
    QVERIFY2(outcome.exitCode == 0, outcome.standardError.constData());
    const QString standardError = QString::fromUtf8(outcome.standardError);
    const qsizetype sleeping =
        standardError.indexOf(QRegularExpression(" INFO +ue-sleep: sleeping 2 s\n"));
    const qsizetype done = standardError.indexOf(QRegularExpression(" INFO +ue-sleep: done\n"));
    QVERIFY2(sleeping >= 0 && done > sleeping, qPrintable(standardError));
    // Each line once, though it was read while the run went on.
    QCOMPARE(standardError.count("ue-sleep: sleeping 2 s"), 1);
    QCOMPARE(standardError.count("ue-sleep: done"), 1);

    const QJsonArray logs =
        outcome.extensionOutput.value("result").toObject().value("logs").toArray();
    QVERIFY2(!logs.isEmpty() && logs.size() <= 3, QJsonDocument(logs).toJson().constData());
    bool sawDone = false;
    for (const QJsonValue &entry : logs)
        sawDone = sawDone || entry.toObject().value("message").toString() == "ue-sleep: done";
    QVERIFY2(sawDone, QJsonDocument(logs).toJson().constData());
}
