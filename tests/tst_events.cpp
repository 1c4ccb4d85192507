// Live watching: FlowRunEvents on the fake event stream (handshake, auth, filter, backfill,
// faults, hostile messages), and FlowRunTask watching through it with polling as the fallback.

#include "connection.h"
#include "fakeevents.h"
#include "fakeprefect.h"
#include "flowrunevents.h"
#include "flowruntask.h"
#include "outputfields.h"
#include "prefectclient.h"
#include "taskfields.h"
#include "taskresult.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

namespace {

const QString apiKey = QStringLiteral("pnu_eventsTestKey0123456789abcdef");
const QString accountId = QStringLiteral("6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f");
const QString workspaceId = QStringLiteral("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d");
constexpr int timeoutMs = 20000;

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// A flow run as FakePrefect holds one, in the given state.
QJsonObject runInState(const QString &runId, const QString &type, const QDateTime &at)
{
    const QString name = type.left(1) + type.mid(1).toLower();
    return QJsonObject{
        {"id", runId},
        {"name", "test-run"},
        {"state",
         QJsonObject{{"id", newId()},
                     {"type", type},
                     {"name", name},
                     {"timestamp", at.toUTC().toString(Qt::ISODateWithMs)},
                     {"message", type == "FAILED" ? QJsonValue("boom") : QJsonValue()}}},
    };
}

QString eventText(const QJsonObject &event)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{"type", "event"}, {"event", event}})
                                 .toJson(QJsonDocument::Compact));
}

int countContaining(const QStringList &lines, const QString &part)
{
    int count = 0;
    for (const QString &line : lines)
        count += line.contains(part) ? 1 : 0;
    return count;
}

} // namespace

class TestEvents : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // The stream itself.
    void eventsUrl_data();
    void eventsUrl();
    void subscribesWithPrefectProtocolAuthAndFilter();
    void cloudStreamCarriesTheKey();
    void eventsBecomeStateChangesOnceWithBackfill();
    void hostileMessagesAreIgnored();
    void unavailable_data();
    void unavailable();

    // The task watching through it.
    void watchModeField_data();
    void watchModeField();
    void terminalStateNoticedWithoutWaitingForPoll();
    void runThatEndedBeforeSubscribingIsReadOnce();
    void refusedStreamFallsBackToPolling_data();
    void refusedStreamFallsBackToPolling();
    void droppedStreamFallsBackToPolling();
    void pollModeNeverOpensTheStream();
    void eventsModeFailsWithoutTheStream();
    void maxPollsIsADeadlineWithTheStream();
    void streamOverTlsTrustsThePrivateCa();

private:
    Connection selfHostedConnection() const;
    QJsonObject taskValues(const QString &watchMode, int pollingInterval) const;
    void startTask(const QJsonObject &values);
    void waitUntilFinished();
    int flowRunReads() const { return m_fake->requestsTo("/flow_runs/", "GET").size(); }
    QString runId() const { return m_fake->flowRunIds().value(0); }

    std::unique_ptr<FakePrefect> m_fake;
    FakeEvents *m_events = nullptr;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<PrefectClient> m_client;
    std::unique_ptr<FlowRunTask> m_task;
    std::unique_ptr<QSignalSpy> m_finishedSpy;
    QStringList m_progress;
    QList<OutputFields> m_outputFields;
};

void TestEvents::init()
{
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_fake->addDeployment("etl", "daily");
    m_events = new FakeEvents(m_fake.get());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<PrefectClient>(m_network.get());
    m_task = std::make_unique<FlowRunTask>(m_client.get());
    connect(m_task.get(), &FlowRunTask::progress, this,
            [this](const QString &line) { m_progress << line; });
    connect(m_task.get(), &FlowRunTask::outputFieldsChanged, this,
            [this](const OutputFields &fields) { m_outputFields << fields; });
    m_finishedSpy = std::make_unique<QSignalSpy>(m_task.get(), &FlowRunTask::finished);
}

void TestEvents::cleanup()
{
    m_finishedSpy.reset();
    m_task.reset();
    m_client.reset();
    m_network.reset();
    m_fake.reset();
    m_events = nullptr;
    m_progress.clear();
    m_outputFields.clear();
}

Connection TestEvents::selfHostedConnection() const
{
    Connection connection;
    connection.setApiBase(m_fake->apiUrl());
    return connection;
}

QJsonObject TestEvents::taskValues(const QString &watchMode, int pollingInterval) const
{
    QJsonObject values{
        {FieldName::apiUrl, m_fake->apiUrl().toString()},
        {FieldName::deployment, "etl/daily"},
        {FieldName::wait, true},
        {FieldName::pollingInterval, pollingInterval},
        {FieldName::maxRetries, 0},
    };
    if (!watchMode.isEmpty())
        values.insert(FieldName::watchMode, watchMode);
    return values;
}

void TestEvents::startTask(const QJsonObject &values)
{
    m_task->start(values);
    QVERIFY(m_task->isRunning() || m_task->isFinished());
}

void TestEvents::waitUntilFinished()
{
    QTRY_COMPARE_WITH_TIMEOUT(m_finishedSpy->count(), 1, timeoutMs);
    QCOMPARE(m_task->pollCount(), flowRunReads());
}

void TestEvents::eventsUrl_data()
{
    QTest::addColumn<QString>("apiBase");
    QTest::addColumn<QString>("account");
    QTest::addColumn<QString>("expected");
    QTest::newRow("http") << "http://127.0.0.1:4200/api"
                          << ""
                          << "ws://127.0.0.1:4200/api/events/out";
    QTest::newRow("https, trailing slash") << "https://prefect.example/api/"
                                           << ""
                                           << "wss://prefect.example/api/events/out";
    QTest::newRow("cloud") << "https://api.prefect.cloud/api" << accountId
                           << "wss://api.prefect.cloud/api/accounts/" + accountId + "/workspaces/"
            + workspaceId + "/events/out";
}

void TestEvents::eventsUrl()
{
    QFETCH(QString, apiBase);
    QFETCH(QString, account);
    QFETCH(QString, expected);
    Connection connection;
    connection.setApiBase(QUrl(apiBase));
    if (!account.isEmpty()) {
        connection.setAccountId(account);
        connection.setWorkspaceId(workspaceId);
    }
    QCOMPARE(connection.eventsUrl().toString(), expected);
}

void TestEvents::subscribesWithPrefectProtocolAuthAndFilter()
{
    Connection connection = selfHostedConnection();
    connection.setApiKey(apiKey);
    m_events->requireToken(apiKey);
    FlowRunEvents events;
    QSignalSpy connected(&events, &FlowRunEvents::connected);
    QSignalSpy unavailable(&events, &FlowRunEvents::unavailable);
    QSignalSpy subscribed(m_events, &FakeEvents::subscribed);
    const QString runId = newId();
    const QDateTime since = QDateTime::currentDateTimeUtc().addSecs(-60);
    events.start(connection, runId, since);
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, timeoutMs);
    QVERIFY(events.isSubscribed());
    QCOMPARE(unavailable.count(), 0);

    const QList<HttpRequest> upgrades = m_fake->requestsTo("/events/out");
    QCOMPARE(upgrades.size(), 1);
    QCOMPARE(upgrades.first().path(), QString("/api/events/out"));
    QVERIFY(upgrades.first().header("sec-websocket-protocol").split(',').contains("prefect"));
    QCOMPARE(upgrades.first().header("authorization"), "Bearer " + apiKey.toUtf8());

    const QList<QJsonObject> received = m_events->received();
    QCOMPARE(received.size(), 2);
    QCOMPARE(received.at(0), (QJsonObject{{"type", "auth"}, {"token", apiKey}}));
    const QJsonObject filterMessage = received.at(1);
    QCOMPARE(filterMessage.value("type").toString(), QString("filter"));
    QCOMPARE(filterMessage.value("backfill").toBool(), true);
    const QJsonObject filter = filterMessage.value("filter").toObject();
    QCOMPARE(filter.value("resource").toObject().value("id").toArray(),
             QJsonArray{"prefect.flow-run." + runId});
    QCOMPARE(filter.value("event").toObject().value("prefix").toArray(),
             QJsonArray{"prefect.flow-run."});
    const QJsonObject occurred = filter.value("occurred").toObject();
    QCOMPARE(QDateTime::fromString(occurred.value("since").toString(), Qt::ISODateWithMs), since);
    // A live stream needs an "until" far ahead: the server's default is "now".
    const QDateTime until =
        QDateTime::fromString(occurred.value("until").toString(), Qt::ISODateWithMs);
    QVERIFY(until > QDateTime::currentDateTimeUtc().addDays(300));
    // Only the documented keys: Prefect's filter models forbid any other.
    QCOMPARE(filter.keys(), (QStringList{"event", "occurred", "resource"}));
}

void TestEvents::cloudStreamCarriesTheKey()
{
    m_fake->enableCloud(accountId, workspaceId, apiKey);
    m_events->requireToken(apiKey);
    Connection connection;
    connection.setApiBase(m_fake->apiUrl());
    connection.setAccountId(accountId);
    connection.setWorkspaceId(workspaceId);
    connection.setApiKey(apiKey);
    FlowRunEvents events;
    QSignalSpy connected(&events, &FlowRunEvents::connected);
    events.start(connection, newId(), QDateTime::currentDateTimeUtc());
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, timeoutMs);
    QCOMPARE(m_fake->requestsTo("/events/out").value(0).path(),
             QString("/api/accounts/%1/workspaces/%2/events/out").arg(accountId, workspaceId));
}

void TestEvents::eventsBecomeStateChangesOnceWithBackfill()
{
    const QString runId = newId();
    const QDateTime start = QDateTime::currentDateTimeUtc();
    // Before the subscription: replayed by the backfill.
    m_events->publishState(runInState(runId, "PENDING", start));
    // Another run's change: not ours.
    m_events->publishState(runInState(newId(), "FAILED", start));

    FlowRunEvents events;
    QSignalSpy changes(&events, &FlowRunEvents::stateChanged);
    QSignalSpy connected(&events, &FlowRunEvents::connected);
    QSignalSpy subscribed(m_events, &FakeEvents::subscribed);
    events.start(selfHostedConnection(), runId, start.addSecs(-60));
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(changes.count(), 1, timeoutMs);
    QCOMPARE(changes.at(0).at(0).toString(), QString("PENDING"));
    QCOMPARE(changes.at(0).at(1).toString(), QString("Pending"));

    const QDateTime failedAt = start.addSecs(2);
    m_events->publishState(runInState(runId, "FAILED", failedAt));
    QTRY_COMPARE_WITH_TIMEOUT(changes.count(), 2, timeoutMs);
    QCOMPARE(changes.at(1).at(0).toString(), QString("FAILED"));
    QCOMPARE(changes.at(1).at(1).toString(), QString("Failed"));
    QCOMPARE(changes.at(1).at(2).toString(), QString("boom"));
    QCOMPARE(changes.at(1).at(3).toDateTime(), failedAt);

    // The same event again (a backfill overlapping the live stream): reported once.
    m_events->sendToSubscribers(eventText(m_events->history().last()));
    // Then a last one, so that there is something to wait for.
    m_events->publishState(runInState(runId, "COMPLETED", start.addSecs(3)));
    QTRY_COMPARE_WITH_TIMEOUT(changes.count(), 3, timeoutMs);
    QCOMPARE(changes.at(2).at(0).toString(), QString("COMPLETED"));
    QTest::qWait(50);
    QCOMPARE(changes.count(), 3);
}

void TestEvents::hostileMessagesAreIgnored()
{
    const QString runId = newId();
    FlowRunEvents events;
    QSignalSpy changes(&events, &FlowRunEvents::stateChanged);
    QSignalSpy unavailable(&events, &FlowRunEvents::unavailable);
    QSignalSpy diagnostics(&events, &FlowRunEvents::diagnostic);
    QSignalSpy subscribed(m_events, &FakeEvents::subscribed);
    events.start(selfHostedConnection(), runId, QDateTime::currentDateTimeUtc());
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, timeoutMs);

    QJsonObject event = runInState(runId, "RUNNING", QDateTime::currentDateTimeUtc());
    m_events->publishState(event);
    QTRY_COMPARE_WITH_TIMEOUT(changes.count(), 1, timeoutMs);
    const QJsonObject valid = m_events->history().last();

    QJsonObject heartbeat = valid;
    heartbeat.insert("id", newId());
    heartbeat.insert("event", "prefect.flow-run.heartbeat");
    heartbeat.remove("payload");
    QJsonObject resource = heartbeat.value("resource").toObject();
    resource.remove("prefect.state-type");
    heartbeat.insert("resource", resource);
    QJsonObject foreign = valid;
    foreign.insert("id", newId());
    foreign.insert("resource", QJsonObject{{"prefect.resource.id", "prefect.flow-run." + newId()}});
    QJsonObject oversized = valid;
    oversized.insert("id", newId());
    oversized.insert("padding", QString(int(FlowRunEvents::maxMessageBytes), u'x'));

    const QStringList garbage{
        "not json at all",
        "[1, 2, 3]",
        "{\"type\": \"event\", \"event\": 42}",
        "{\"type\": 7}",
        "{\"type\": \"event\", \"event\": {\"event\": \"prefect.flow-run.Completed\"}}",
        eventText(heartbeat),
        eventText(foreign),
        eventText(oversized),
        QString(300, QChar(0xfffd))};
    for (const QString &text : garbage)
        m_events->sendToSubscribers(text);
    QJsonObject last = valid;
    last.insert("id", newId());
    QJsonObject lastResource = last.value("resource").toObject();
    lastResource.insert("prefect.state-type", "COMPLETED");
    last.insert("resource", lastResource);
    last.insert(
        "payload",
        QJsonObject{{"validated_state", QJsonObject{{"type", "COMPLETED"}, {"name", "Done"}}}});
    m_events->sendToSubscribers(eventText(last));
    QTRY_COMPARE_WITH_TIMEOUT(changes.count(), 2, timeoutMs);
    QCOMPARE(changes.at(1).at(0).toString(), QString("COMPLETED"));
    QCOMPARE(changes.at(1).at(1).toString(), QString("Done"));
    QCOMPARE(unavailable.count(), 0);
    QVERIFY(events.isSubscribed());
    // Each ignored message leaves a line for the verbose log.
    QVERIFY2(diagnostics.count() >= garbage.size(), QByteArray::number(diagnostics.count()));
}

void TestEvents::unavailable_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("dropAfterSubscribing");
    QTest::addColumn<QString>("reasonPart");
    QTest::newRow("handshake refused (404)")
        << int(FakeEvents::Mode::RefuseHandshake) << false << "404";
    QTest::newRow("auth rejected") << int(FakeEvents::Mode::RejectAuth) << false << "refused";
    QTest::newRow("no answer to auth")
        << int(FakeEvents::Mode::NeverAnswerAuth) << false << "did not answer";
    QTest::newRow("dropped mid-stream") << int(FakeEvents::Mode::Serve) << true << "closed";
}

void TestEvents::unavailable()
{
    QFETCH(int, mode);
    QFETCH(bool, dropAfterSubscribing);
    QFETCH(QString, reasonPart);
    m_events->setMode(FakeEvents::Mode(mode));
    FlowRunEvents events;
    events.setHandshakeTimeoutMs(1000);
    QSignalSpy connected(&events, &FlowRunEvents::connected);
    QSignalSpy unavailable(&events, &FlowRunEvents::unavailable);
    QSignalSpy subscribed(m_events, &FakeEvents::subscribed);
    events.start(selfHostedConnection(), newId(), QDateTime::currentDateTimeUtc());
    if (dropAfterSubscribing) {
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, timeoutMs);
        QCOMPARE(connected.count(), 1);
        m_events->dropAll();
    }
    QTRY_COMPARE_WITH_TIMEOUT(unavailable.count(), 1, timeoutMs);
    const QString reason = unavailable.at(0).at(0).toString();
    QVERIFY2(reason.contains(reasonPart), qPrintable(reason));
    QVERIFY(!events.isActive());
    QCOMPARE(connected.count(), dropAfterSubscribing ? 1 : 0);
    // Once only, and nothing after it.
    QTest::qWait(100);
    QCOMPARE(unavailable.count(), 1);
}

void TestEvents::watchModeField_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("expected"); // -1: a validation error
    QTest::newRow("absent") << QJsonValue() << int(TaskFields::WatchMode::Auto);
    QTest::newRow("empty") << QJsonValue("") << int(TaskFields::WatchMode::Auto);
    QTest::newRow("auto") << QJsonValue("auto") << int(TaskFields::WatchMode::Auto);
    QTest::newRow("events") << QJsonValue("events") << int(TaskFields::WatchMode::Events);
    QTest::newRow("poll, UAC list")
        << QJsonValue(QJsonArray{"poll"}) << int(TaskFields::WatchMode::Poll);
    QTest::newRow("Poll") << QJsonValue("Poll") << int(TaskFields::WatchMode::Poll);
    QTest::newRow("unknown") << QJsonValue("sometimes") << -1;
    QTest::newRow("number") << QJsonValue(3) << -1;
}

void TestEvents::watchModeField()
{
    QFETCH(QJsonValue, value);
    QFETCH(int, expected);
    QJsonObject values = taskValues({}, 60);
    if (!value.isNull())
        values.insert(FieldName::watchMode, value);
    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error);
    if (expected < 0) {
        QVERIFY(!fields);
        QVERIFY2(error.startsWith("watch_mode must be") || error.startsWith("watch_mode must be a"),
                 qPrintable(error));
        return;
    }
    QVERIFY2(fields, qPrintable(error));
    QCOMPARE(int(fields->watchMode), expected);
    QCOMPARE(fields->invocationFields().value(FieldName::watchMode).toString(),
             TaskFields::watchModeName(fields->watchMode));
}

// The run ends while ue-prefect waits a minute for its next poll: the stream tells it, and one
// read (for the final JSON) ends the task. Every state change is reported once.
void TestEvents::terminalStateNoticedWithoutWaitingForPoll()
{
    m_fake->setStateScript({"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"});
    QSignalSpy subscribed(m_events, &FakeEvents::subscribed);
    startTask(taskValues("auto", 60));
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, timeoutMs);
    // Once subscribed, the run is read once (it may have ended already): PENDING.
    QTRY_COMPARE_WITH_TIMEOUT(flowRunReads(), 1, timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_task->outputFields().flowRunState, QString("PENDING"), timeoutMs);
    QVERIFY(m_task->isWatchingEvents());

    // RUNNING comes from the stream alone: no read.
    m_fake->advanceFlowRun(runId());
    QTRY_COMPARE_WITH_TIMEOUT(m_task->outputFields().flowRunState, QString("RUNNING"), timeoutMs);
    QCOMPARE(flowRunReads(), 1);

    m_fake->advanceFlowRun(runId());
    waitUntilFinished();
    QCOMPARE(m_task->result().exitCode(), ExitCode::Success);
    QCOMPARE(flowRunReads(), 2);
    QCOMPARE(m_task->flowRun().stateType, QString("COMPLETED"));
    QCOMPARE(m_task->flowRun().raw.value("state_type").toString(), QString("COMPLETED"));
    QStringList states;
    for (const OutputFields &fields : std::as_const(m_outputFields))
        states << fields.flowRunState;
    QCOMPARE(states, (QStringList{"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"}));
    for (const char *type : {"PENDING", "RUNNING", "COMPLETED"})
        QCOMPARE(countContaining(m_progress, QString("is %1").arg(type)), 1);
    QCOMPARE(countContaining(m_progress, "Prefect's event stream"), 1);
    QCOMPARE(countContaining(m_progress, "unavailable"), 0);
}

void TestEvents::runThatEndedBeforeSubscribingIsReadOnce()
{
    // Created, then (by the first read) FAILED: the stream never sees a change after the
    // subscription; the read that follows it does.
    m_fake->setStateScript({"SCHEDULED", "FAILED"});
    startTask(taskValues("events", 60));
    waitUntilFinished();
    QCOMPARE(m_task->result().exitCode(), ExitCode::Failure);
    QCOMPARE(m_task->result().statusDescription(),
             QString("Execution Failed: Flow run Reached FAILED State"));
    QCOMPARE(flowRunReads(), 1);
    QCOMPARE(m_events->acceptedConnections(), 1);
}

void TestEvents::refusedStreamFallsBackToPolling_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("404") << int(FakeEvents::Mode::RefuseHandshake);
    QTest::newRow("auth rejected") << int(FakeEvents::Mode::RejectAuth);
}

void TestEvents::refusedStreamFallsBackToPolling()
{
    QFETCH(int, mode);
    m_events->setMode(FakeEvents::Mode(mode));
    startTask(taskValues({}, 1));
    waitUntilFinished();
    QCOMPARE(m_task->result().exitCode(), ExitCode::Success);
    // As with polling alone: PENDING, RUNNING, COMPLETED, one read each.
    QCOMPARE(flowRunReads(), 3);
    QCOMPARE(countContaining(m_progress, "Event stream unavailable"), 1);
    QCOMPARE(countContaining(m_progress, "polling every 1 s"), 1);
    QCOMPARE(m_fake->requestsTo("/events/out").size(), 1);
    QVERIFY(!m_task->isWatchingEvents());
}

void TestEvents::droppedStreamFallsBackToPolling()
{
    m_fake->setStateScript({"SCHEDULED", "RUNNING", "RUNNING", "RUNNING", "COMPLETED"});
    QSignalSpy subscribed(m_events, &FakeEvents::subscribed);
    startTask(taskValues("auto", 1));
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(flowRunReads(), 1, timeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_task->isWatchingEvents(), timeoutMs);
    // With the stream up, the next read is the safety poll, minutes away...
    QTest::qWait(1500);
    QCOMPARE(flowRunReads(), 1);
    // ...until the stream drops: then a read at once, and polls every second.
    m_events->dropAll();
    waitUntilFinished();
    QCOMPARE(m_task->result().exitCode(), ExitCode::Success);
    QCOMPARE(countContaining(m_progress, "Event stream unavailable"), 1);
    QCOMPARE(countContaining(m_progress, "is RUNNING"), 1);
    QCOMPARE(countContaining(m_progress, "is COMPLETED"), 1);
    QCOMPARE(flowRunReads(), 4);
}

void TestEvents::pollModeNeverOpensTheStream()
{
    startTask(taskValues("poll", 1));
    waitUntilFinished();
    QCOMPARE(m_task->result().exitCode(), ExitCode::Success);
    QCOMPARE(flowRunReads(), 3);
    QCOMPARE(m_fake->requestsTo("/events/out").size(), 0);
    QCOMPARE(m_events->acceptedConnections(), 0);
    QCOMPARE(countContaining(m_progress, "event stream"), 0);
    QCOMPARE(countContaining(m_progress, "Event stream"), 0);
}

// `events` asks for the stream: without it the task fails rather than poll unasked.
void TestEvents::eventsModeFailsWithoutTheStream()
{
    m_events->setMode(FakeEvents::Mode::RefuseHandshake);
    startTask(taskValues("events", 1));
    waitUntilFinished();
    QCOMPARE(m_task->result().exitCode(), ExitCode::Failure);
    const QString status = m_task->result().statusDescription();
    QVERIFY2(status.startsWith("Execution Failed: watch_mode events: the event stream"),
             qPrintable(status));
    QVERIFY2(status.contains("404"), qPrintable(status));
    QCOMPARE(m_task->result().errors().last(),
             QString("Flow run %1 left running on Prefect").arg(runId()));
    QCOMPARE(flowRunReads(), 0);
}

void TestEvents::maxPollsIsADeadlineWithTheStream()
{
    m_fake->setStateScript({"SCHEDULED", "RUNNING"});
    QJsonObject values = taskValues("auto", 1);
    values.insert(FieldName::maxNumberOfPolls, 3);
    QElapsedTimer clock;
    clock.start();
    startTask(values);
    waitUntilFinished();
    QCOMPARE(m_task->result().exitCode(), ExitCode::PollingTimeout);
    // Three polls of a second: the deadline, though the stream made polls unnecessary.
    QVERIFY2(clock.elapsed() >= 3000, QByteArray::number(clock.elapsed()));
    QCOMPARE(flowRunReads(), 2); // once subscribed, and at the deadline
}

QTEST_GUILESS_MAIN(TestEvents)
void TestEvents::streamOverTlsTrustsThePrivateCa()
{
    // A server behind a private CA: the stream is wss and trusts what ca_file trusts, as the
    // REST calls do.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString certificatePath = dir.filePath("cert.pem");
    const QString keyPath = dir.filePath("key.pem");
    QProcess openssl;
    openssl.start("openssl",
                  {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                   "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyPath,
                   "-out", certificatePath});
    QVERIFY(openssl.waitForFinished(60000));
    QCOMPARE(openssl.exitCode(), 0);
    QFile keyFile(keyPath);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QSslKey key(&keyFile, QSsl::Rsa);
    const QSslCertificate certificate = QSslCertificate::fromPath(certificatePath).value(0);

    FakePrefect fake;
    QVERIFY(fake.http().listenTls(certificate, key));
    fake.addDeployment("etl", "daily");
    auto *events = new FakeEvents(&fake);
    QSignalSpy subscribed(events, &FakeEvents::subscribed);
    fake.setStateScript({"SCHEDULED", "PENDING", "COMPLETED"});
    QJsonObject values = taskValues("events", 60);
    values.insert(FieldName::apiUrl, fake.http().url("/api").toString());
    values.insert(FieldName::caFile, certificatePath);
    startTask(values);
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, timeoutMs);
    QCOMPARE(events->acceptedConnections(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_task->outputFields().flowRunState, QString("PENDING"), timeoutMs);
    fake.advanceFlowRun(fake.flowRunIds().value(0));
    QTRY_COMPARE_WITH_TIMEOUT(m_finishedSpy->count(), 1, timeoutMs);
    QCOMPARE(m_task->result().exitCode(), ExitCode::Success);
    QVERIFY(m_task->isFinished());
    QCOMPARE(countContaining(m_progress, "Prefect's event stream"), 1);
    QCOMPARE(countContaining(m_progress, "unavailable"), 0);
}

#include "tst_events.moc"
