// FlowRunTask driven directly, without a process: its state machine, its signals and its result
// for every way a task can end, against the fake Prefect API.

#include "fakeprefect.h"
#include "flowruntask.h"
#include "outputfields.h"
#include "prefectclient.h"
#include "taskfields.h"
#include "taskresult.h"

#include <QAbstractState>
#include <QFinalState>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QSignalTransition>
#include <QState>
#include <QStateMachine>
#include <QTest>

#include <memory>

namespace {

const QString accountId = QStringLiteral("6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f");
const QString workspaceId = QStringLiteral("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d");
const QString apiKey = QStringLiteral("pnu_flowRunTaskTestKey0123456789");
// The client's own retries are off: each GET is then one poll, and a failure reaches the task.
// (A client without retries ignores the field.)
const QLatin1String maxRetries("max_retries");

// A poll is never faster than one second; a few polls fit well in this.
constexpr int finishTimeoutMs = 20000;

QStringList states(std::initializer_list<const char *> types)
{
    QStringList result;
    for (const char *type : types)
        result << QString::fromLatin1(type);
    return result;
}

// The states a task enters, in order: the steps up to creating, then with wait the watch with
// `polls` rounds of waiting and fetching, then the final state.
QStringList enteredPath(bool wait, int polls, const QString &finalState)
{
    QStringList path{"running", "validating", "resolvingWorkspace", "resolvingDeployment",
                     "creating"};
    if (wait) {
        path << "watching";
        for (int i = 0; i < polls; ++i)
            path << "waiting"
                 << "fetching";
    }
    path << finalState;
    return path;
}

std::optional<HttpResponse> failFlowRunReads(const HttpRequest &request, int status,
                                             const QString &detail)
{
    if (request.method == "GET" && request.path().contains("/flow_runs/"))
        return HttpResponse::json(status, QJsonObject{{"detail", detail}});
    return std::nullopt;
}

// The state a signal transition of `source` leads to, for the signal called `signalName` of
// `sender` (any sender when null).
QAbstractState *transitionTarget(const QState *source, const QObject *sender,
                                 const char *signalName)
{
    if (!source)
        return nullptr;
    const QList<QAbstractTransition *> transitions = source->transitions();
    for (QAbstractTransition *transition : transitions) {
        const auto *signalTransition = qobject_cast<QSignalTransition *>(transition);
        if (!signalTransition || (sender && signalTransition->senderObject() != sender))
            continue;
        // "stepDone()" or, with the SIGNAL() code in front, "2stepDone()".
        QByteArray signature = signalTransition->signal();
        if (!signature.isEmpty() && signature.at(0) >= '0' && signature.at(0) <= '9')
            signature.remove(0, 1);
        if (signature.left(signature.indexOf('(')) == signalName)
            return signalTransition->targetState();
    }
    return nullptr;
}

} // namespace

class TestFlowRunTask : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void withoutWaitSucceedsAfterCreate();
    void watchOutcome_data();
    void watchOutcome();
    void waitsInWaitingStateBetweenPolls();
    void validationErrorMakesNoRequest_data();
    void validationErrorMakesNoRequest();
    void deploymentNotFound_data();
    void deploymentNotFound();
    void createFailureIsError();
    void transientPollFailureCountsAsPoll();
    void notFoundOnPollEndsWithFailure();
    void authenticationFailureOnPollEndsWithFailure();
    void everyPollFailingEndsWithFailure();
    void cloudWorkspaceResolution_data();
    void cloudWorkspaceResolution();
    void extensionOutputFollowsResult();

private:
    QJsonObject selfHostedValues(bool wait) const;
    void createTask();
    void startTask(const QJsonObject &values);
    void waitUntilFinished();
    void verifyEnded(const QStringList &expectedPath);
    QList<OutputFields> expectedFields(const QStringList &stateTypes) const;
    int flowRunReads() const { return m_fake->requestsTo("/flow_runs/", "GET").size(); }

    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<PrefectClient> m_client;
    std::unique_ptr<FlowRunTask> m_task;
    std::unique_ptr<QSignalSpy> m_finishedSpy;
    QHash<const QAbstractState *, QString> m_stateNames;
    QStringList m_entered;
    QList<OutputFields> m_outputFields;
    QStringList m_progress;
};

void TestFlowRunTask::init()
{
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_fake->addDeployment("etl", "daily");
    m_fake->addDeployment("etl", "hourly");
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<PrefectClient>(m_network.get());
    createTask();
}

void TestFlowRunTask::cleanup()
{
    m_finishedSpy.reset();
    m_task.reset();
    m_client.reset();
    m_network.reset();
    m_fake.reset();
    m_stateNames.clear();
    m_entered.clear();
    m_outputFields.clear();
    m_progress.clear();
}

// Names the states by what leads into them: the machine's and each compound state's initial
// state, the task's stepDone, the poll timer, and the outcome signals (succeeded, runFailed,
// timedOut, errorOccurred) that leave the running state. Any other state gets a name of its own,
// so that entering it shows in the path. Records every state entered, every output field change
// and every progress line.
void TestFlowRunTask::createTask()
{
    m_task = std::make_unique<FlowRunTask>(m_client.get());
    const QStateMachine *machine = m_task->machine();
    QVERIFY(machine);

    auto *running = qobject_cast<QState *>(machine->initialState());
    QVERIFY(running);
    m_stateNames.insert(running, "running");
    QAbstractState *step = running->initialState();
    for (const char *name :
         {"validating", "resolvingWorkspace", "resolvingDeployment", "creating", "watching"}) {
        QVERIFY2(step, name);
        QCOMPARE(step->parentState(), running);
        m_stateNames.insert(step, name);
        if (qstrcmp(name, "watching") != 0) {
            step = transitionTarget(qobject_cast<QState *>(step), m_task.get(), "stepDone");
        }
    }
    auto *watching = qobject_cast<QState *>(step);
    QVERIFY(watching);
    auto *waiting = qobject_cast<QState *>(watching->initialState());
    QVERIFY(waiting);
    m_stateNames.insert(waiting, "waiting");
    QAbstractState *fetching = transitionTarget(waiting, nullptr, "timeout");
    QVERIFY(fetching);
    QCOMPARE(fetching->parentState(), watching);
    m_stateNames.insert(fetching, "fetching");
    QCOMPARE(transitionTarget(qobject_cast<QState *>(fetching), m_task.get(), "stepDone"), waiting);
    const QList<std::pair<const char *, const char *>> outcomes{{"succeeded", "succeeded"},
                                                                {"runFailed", "failed"},
                                                                {"timedOut", "timedOut"},
                                                                {"errorOccurred", "errored"}};
    for (const auto &[signal, name] : outcomes) {
        QAbstractState *outcome = transitionTarget(running, m_task.get(), signal);
        QVERIFY2(qobject_cast<QFinalState *>(outcome), signal);
        QCOMPARE(outcome->parentState(), static_cast<const QState *>(machine));
        m_stateNames.insert(outcome, name);
    }
    // Twelve distinct states under twelve distinct names.
    QCOMPARE(m_stateNames.size(), 12);
    QCOMPARE(QSet<QString>(m_stateNames.cbegin(), m_stateNames.cend()).size(), 12);

    const QList<QAbstractState *> all = machine->findChildren<QAbstractState *>();
    for (QAbstractState *state : all) {
        if (!m_stateNames.contains(state))
            m_stateNames.insert(state, "other:" + state->objectName());
    }
    for (auto it = m_stateNames.constBegin(); it != m_stateNames.constEnd(); ++it) {
        const QString name = it.value();
        connect(it.key(), &QAbstractState::entered, this, [this, name] { m_entered << name; });
    }
    connect(m_task.get(), &FlowRunTask::outputFieldsChanged, this,
            [this](const OutputFields &fields) { m_outputFields << fields; });
    connect(m_task.get(), &FlowRunTask::progress, this,
            [this](const QString &message) { m_progress << message; });
    m_finishedSpy = std::make_unique<QSignalSpy>(m_task.get(), &FlowRunTask::finished);
}

QJsonObject TestFlowRunTask::selfHostedValues(bool wait) const
{
    return QJsonObject{
        {FieldName::apiUrl, m_fake->apiUrl().toString()},
        {FieldName::deployment, "etl/daily"},
        {FieldName::wait, wait},
        {FieldName::pollingInterval, 1},
        {maxRetries, 0},
    };
}

void TestFlowRunTask::startTask(const QJsonObject &values)
{
    QVERIFY(m_finishedSpy);
    QVERIFY(!m_task->isRunning());
    m_task->start(values);
    QTRY_VERIFY(m_task->isRunning() || m_task->isFinished());
}

void TestFlowRunTask::waitUntilFinished()
{
    QTRY_COMPARE_WITH_TIMEOUT(m_finishedSpy->count(), 1, finishTimeoutMs);
    // Anything queued after the end must not report a second end.
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    QCOMPARE(m_finishedSpy->count(), 1);
    QVERIFY(m_task->isFinished());
    QVERIFY(!m_task->isRunning());
    QCOMPARE(m_task->pollCount(), flowRunReads());
}

void TestFlowRunTask::verifyEnded(const QStringList &expectedPath)
{
    QCOMPARE(m_entered, expectedPath);
    // The machine rests in the final state it entered last, and in no other.
    const QSet<QAbstractState *> configuration = m_task->machine()->configuration();
    QCOMPARE(configuration.size(), 1);
    QAbstractState *last = *configuration.constBegin();
    QVERIFY(qobject_cast<QFinalState *>(last));
    QCOMPARE(m_stateNames.value(last), expectedPath.last());
}

QList<OutputFields> TestFlowRunTask::expectedFields(const QStringList &stateTypes) const
{
    QList<OutputFields> result;
    const QStringList ids = m_fake->flowRunIds();
    if (ids.size() != 1)
        return result;
    const QString name = m_fake->flowRun(ids.first()).value("name").toString();
    for (const QString &type : stateTypes)
        result << OutputFields{ids.first(), name, type};
    return result;
}

void TestFlowRunTask::withoutWaitSucceedsAfterCreate()
{
    startTask(selfHostedValues(false));
    waitUntilFinished();
    verifyEnded(enteredPath(false, 0, "succeeded"));

    QCOMPARE(m_task->result().exitCode(), ExitCode::Success);
    QCOMPARE(m_task->result().statusDescription(), QString("Task executed successfully."));
    QVERIFY(m_task->result().errors().isEmpty());
    QCOMPARE(m_task->pollCount(), 0);
    QCOMPARE(m_fake->requestsTo("/create_flow_run", "POST").size(), 1);
    QCOMPARE(m_fake->flowRunIds().size(), 1);
    QCOMPARE(m_outputFields, expectedFields({"SCHEDULED"}));
    QCOMPARE(m_task->outputFields(), m_outputFields.last());
    QCOMPARE(m_task->flowRun().id, m_fake->flowRunIds().first());
}

void TestFlowRunTask::watchOutcome_data()
{
    QTest::addColumn<QStringList>("script");
    QTest::addColumn<int>("maxPolls");
    QTest::addColumn<QString>("finalState");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("statusDescription");
    QTest::addColumn<QStringList>("errors");
    QTest::addColumn<int>("polls");
    QTest::addColumn<QStringList>("reported");

    const QString success = "Task executed successfully.";
    QTest::newRow("completed") << states({"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"}) << 0
                               << "succeeded" << 0 << success << QStringList() << 3
                               << states({"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"});
    QTest::newRow("unchanged state reported once")
        << states({"RUNNING", "RUNNING", "COMPLETED"}) << 0 << "succeeded" << 0 << success
        << QStringList() << 2 << states({"RUNNING", "COMPLETED"});
    QTest::newRow("non-terminal states keep polling")
        << states({"PAUSED", "CANCELLING", "COMPLETED"}) << 0 << "succeeded" << 0 << success
        << QStringList() << 2 << states({"PAUSED", "CANCELLING", "COMPLETED"});
    QTest::newRow("completed on the last allowed poll")
        << states({"SCHEDULED", "COMPLETED"}) << 1 << "succeeded" << 0 << success << QStringList()
        << 1 << states({"SCHEDULED", "COMPLETED"});
    QTest::newRow("failed") << states({"RUNNING", "FAILED"}) << 0 << "failed" << 1
                            << "Execution Failed: Flow run Reached FAILED State"
                            << QStringList{"Flow run Reached FAILED State"} << 1
                            << states({"RUNNING", "FAILED"});
    QTest::newRow("crashed") << states({"PENDING", "CRASHED"}) << 0 << "failed" << 1
                             << "Execution Failed: Flow run Reached CRASHED State"
                             << QStringList{"Flow run Reached CRASHED State",
                                            "Execution was aborted by Python system exit call."}
                             << 1 << states({"PENDING", "CRASHED"});
    QTest::newRow("cancelled") << states({"SCHEDULED", "CANCELLED"}) << 0 << "failed" << 1
                               << "Execution Failed: Flow run Reached CANCELLED State"
                               << QStringList{"Flow run Reached CANCELLED State"} << 1
                               << states({"SCHEDULED", "CANCELLED"});
    QTest::newRow("polling timeout")
        << states({"SCHEDULED", "RUNNING"}) << 2 << "timedOut" << 40
        << "Polling Timeout: maximum polling timeout reached."
        << QStringList{"maximum polling timeout reached."} << 2 << states({"SCHEDULED", "RUNNING"});
}

void TestFlowRunTask::watchOutcome()
{
    QFETCH(QStringList, script);
    QFETCH(int, maxPolls);
    QFETCH(QString, finalState);
    QFETCH(int, exitCode);
    QFETCH(QString, statusDescription);
    QFETCH(QStringList, errors);
    QFETCH(int, polls);
    QFETCH(QStringList, reported);

    m_fake->setStateScript(script);
    QJsonObject values = selfHostedValues(true);
    if (maxPolls > 0)
        values.insert(FieldName::maxNumberOfPolls, maxPolls);
    startTask(values);
    waitUntilFinished();
    verifyEnded(enteredPath(true, polls, finalState));

    const TaskResult result = m_task->result();
    QCOMPARE(result.exitCodeValue(), exitCode);
    QCOMPARE(result.statusDescription(), statusDescription);
    QCOMPARE(result.errors(), errors);
    QCOMPARE(m_task->pollCount(), polls);
    QCOMPARE(flowRunReads(), polls);
    QCOMPARE(m_fake->requestsTo("/create_flow_run", "POST").size(), 1);
    QCOMPARE(m_outputFields, expectedFields(reported));
    QCOMPARE(m_task->outputFields(), m_outputFields.last());
    QCOMPARE(m_task->flowRun().stateType, reported.last());
}

void TestFlowRunTask::waitsInWaitingStateBetweenPolls()
{
    m_fake->setStateScript({"SCHEDULED", "RUNNING", "COMPLETED"});
    startTask(selfHostedValues(true));

    QSet<QAbstractState *> expected;
    for (auto it = m_stateNames.constBegin(); it != m_stateNames.constEnd(); ++it) {
        if (it.value() == "running" || it.value() == "watching" || it.value() == "waiting")
            expected.insert(const_cast<QAbstractState *>(it.key()));
    }
    // Created, no poll yet: the machine waits for the timer.
    QTRY_COMPARE(m_task->machine()->configuration(), expected);
    QCOMPARE(m_task->pollCount(), 0);
    QCOMPARE(flowRunReads(), 0);
    QCOMPARE(m_task->outputFields().flowRunState, QString("SCHEDULED"));
    // One poll later it waits again, the run now RUNNING.
    QTRY_VERIFY_WITH_TIMEOUT(
        m_task->pollCount() == 1 && m_task->machine()->configuration() == expected, 5000);
    QCOMPARE(flowRunReads(), 1);
    QCOMPARE(m_task->outputFields().flowRunState, QString("RUNNING"));
    QVERIFY(m_task->isRunning());
    QCOMPARE(m_finishedSpy->count(), 0);

    waitUntilFinished();
    verifyEnded(enteredPath(true, 2, "succeeded"));
}

void TestFlowRunTask::validationErrorMakesNoRequest_data()
{
    QTest::addColumn<QJsonObject>("remove");
    QTest::addColumn<QJsonObject>("add");
    QTest::addColumn<QString>("reason");

    QTest::newRow("no deployment") << QJsonObject{{FieldName::deployment, 0}} << QJsonObject()
                                   << "deployment_id_or_name is required";
    QTest::newRow("no API") << QJsonObject{{FieldName::apiUrl, 0}} << QJsonObject()
                            << "no Prefect API";
    QTest::newRow("polling interval 0")
        << QJsonObject() << QJsonObject{{FieldName::pollingInterval, 0}}
        << "polling_interval must be an integer >= 1";
    QTest::newRow("account without key")
        << QJsonObject()
        << QJsonObject{{FieldName::credentialsUser, accountId}, {FieldName::workspace, workspaceId}}
        << "credentials.password (the Prefect Cloud API key) is required";
    QTest::newRow("bad parameters")
        << QJsonObject()
        << QJsonObject{{FieldName::additionalOptionalParameters, true},
                       {FieldName::parametersJson, "{\"parameters\": 1}"}}
        << "parameters_json.parameters must be a JSON object";
}

void TestFlowRunTask::validationErrorMakesNoRequest()
{
    QFETCH(QJsonObject, remove);
    QFETCH(QJsonObject, add);
    QFETCH(QString, reason);

    QJsonObject values = selfHostedValues(true);
    for (const QString &key : remove.keys())
        values.remove(key);
    for (auto it = add.constBegin(); it != add.constEnd(); ++it)
        values.insert(it.key(), it.value());
    startTask(values);
    waitUntilFinished();
    verifyEnded({"running", "validating", "errored"});

    const TaskResult result = m_task->result();
    QCOMPARE(result.exitCode(), ExitCode::DataValidationError);
    QVERIFY2(result.statusDescription().startsWith("Data Validation Error: " + reason),
             qPrintable(result.statusDescription()));
    QCOMPARE(result.errors().size(), 1);
    QVERIFY(m_fake->http().requests().isEmpty());
    QVERIFY(m_outputFields.isEmpty());
    QCOMPARE(m_task->pollCount(), 0);
}

void TestFlowRunTask::deploymentNotFound_data()
{
    QTest::addColumn<QString>("deployment");
    QTest::addColumn<QString>("statusDescription");

    QTest::newRow("flow/deployment") << "etl/weekly"
                                     << "Data Validation Error: Deployment 'etl/weekly' not found";
    QTest::newRow("name") << "weekly"
                          << "Data Validation Error: Deployment 'weekly' not found";
    QTest::newRow("uuid") << "00000000-1111-4222-8333-444444444444"
                          << "Data Validation Error: Deployment "
                             "'00000000-1111-4222-8333-444444444444' not found";
}

void TestFlowRunTask::deploymentNotFound()
{
    QFETCH(QString, deployment);
    QFETCH(QString, statusDescription);

    QJsonObject values = selfHostedValues(true);
    values.insert(FieldName::deployment, deployment);
    startTask(values);
    waitUntilFinished();
    verifyEnded({"running", "validating", "resolvingWorkspace", "resolvingDeployment", "errored"});
    QCOMPARE(m_task->result().exitCode(), ExitCode::DataValidationError);
    QCOMPARE(m_task->result().statusDescription(), statusDescription);
    QVERIFY(m_fake->requestsTo("/create_flow_run").isEmpty());
    QVERIFY(m_outputFields.isEmpty());
}

void TestFlowRunTask::createFailureIsError()
{
    m_fake->setOverride([](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.path().endsWith("/create_flow_run"))
            return HttpResponse::json(500, QJsonObject{{"detail", "database is locked"}});
        return std::nullopt;
    });
    startTask(selfHostedValues(true));
    waitUntilFinished();
    verifyEnded(enteredPath(false, 0, "errored"));
    QCOMPARE(m_task->result().exitCode(), ExitCode::Failure);
    QCOMPARE(m_task->result().statusDescription(),
             QString("Execution Failed: creating the flow run: HTTP 500: database is locked"));
    QVERIFY(m_outputFields.isEmpty());
    QCOMPARE(m_task->pollCount(), 0);
}

void TestFlowRunTask::transientPollFailureCountsAsPoll()
{
    int failuresLeft = 1;
    m_fake->setOverride([&failuresLeft](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (failuresLeft > 0 && request.method == "GET" && request.path().contains("/flow_runs/")) {
            --failuresLeft;
            return HttpResponse::json(503, QJsonObject{{"detail", "Service Unavailable"}});
        }
        return std::nullopt;
    });
    m_fake->setStateScript({"SCHEDULED", "RUNNING", "COMPLETED"});
    startTask(selfHostedValues(true));
    waitUntilFinished();
    // The failed poll, then RUNNING and COMPLETED.
    verifyEnded(enteredPath(true, 3, "succeeded"));
    QCOMPARE(failuresLeft, 0);
    QCOMPARE(m_task->result().exitCode(), ExitCode::Success);
    QCOMPARE(m_task->pollCount(), 3);
    QCOMPARE(flowRunReads(), 3);
    QCOMPARE(m_outputFields, expectedFields({"SCHEDULED", "RUNNING", "COMPLETED"}));
    QVERIFY2(m_progress.contains("Poll 1 failed: HTTP 503: Service Unavailable"),
             qPrintable(m_progress.join('\n')));
}

void TestFlowRunTask::notFoundOnPollEndsWithFailure()
{
    m_fake->setOverride([](const HttpRequest &request) {
        return failFlowRunReads(request, 404, "Flow run not found");
    });
    startTask(selfHostedValues(true));
    waitUntilFinished();
    verifyEnded(enteredPath(true, 1, "errored"));
    QCOMPARE(m_task->result().exitCode(), ExitCode::Failure);
    QCOMPARE(m_task->result().statusDescription(),
             QString("Execution Failed: reading the flow run: HTTP 404: Flow run not found"));
    QCOMPARE(m_task->pollCount(), 1);
    QCOMPARE(m_outputFields, expectedFields({"SCHEDULED"}));
}

void TestFlowRunTask::authenticationFailureOnPollEndsWithFailure()
{
    m_fake->setOverride([](const HttpRequest &request) {
        return failFlowRunReads(request, 401, "Invalid authentication credentials");
    });
    startTask(selfHostedValues(true));
    waitUntilFinished();
    verifyEnded(enteredPath(true, 1, "errored"));
    QCOMPARE(m_task->result().exitCode(), ExitCode::Failure);
    QCOMPARE(m_task->result().statusDescription(),
             QString("Execution Failed: reading the flow run: authentication failed (HTTP 401): "
                     "Invalid authentication credentials"));
    QCOMPARE(m_task->pollCount(), 1);
}

void TestFlowRunTask::everyPollFailingEndsWithFailure()
{
    m_fake->setOverride([](const HttpRequest &request) {
        return failFlowRunReads(request, 503, "Service Unavailable");
    });
    QJsonObject values = selfHostedValues(true);
    values.insert(FieldName::maxNumberOfPolls, 2);
    startTask(values);
    waitUntilFinished();
    verifyEnded(enteredPath(true, 2, "errored"));
    QCOMPARE(m_task->result().exitCode(), ExitCode::Failure);
    QCOMPARE(m_task->result().statusDescription(),
             QString("Execution Failed: reading the flow run: HTTP 503: Service Unavailable"));
    QCOMPARE(m_task->pollCount(), 2);
    QCOMPARE(m_outputFields, expectedFields({"SCHEDULED"}));
}

void TestFlowRunTask::cloudWorkspaceResolution_data()
{
    QTest::addColumn<QString>("workspace");
    QTest::addColumn<int>("workspaceLookups");
    QTest::addColumn<int>("exitCode");

    QTest::newRow("uuid") << workspaceId << 0 << 0;
    QTest::newRow("handle") << "prod" << 1 << 0;
    QTest::newRow("name") << "Production" << 1 << 0;
    QTest::newRow("account/workspace handle") << "acme/prod" << 1 << 0;
    QTest::newRow("unknown") << "nope" << 1 << 20;
}

void TestFlowRunTask::cloudWorkspaceResolution()
{
    QFETCH(QString, workspace);
    QFETCH(int, workspaceLookups);
    QFETCH(int, exitCode);

    m_fake->enableCloud(accountId, workspaceId, apiKey);
    m_fake->addWorkspace(QJsonObject{{"account_id", accountId},
                                     {"account_handle", "acme"},
                                     {"workspace_id", workspaceId},
                                     {"workspace_handle", "prod"},
                                     {"workspace_name", "Production"}});
    m_fake->addWorkspace(QJsonObject{{"account_id", accountId},
                                     {"account_handle", "acme"},
                                     {"workspace_id", "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"},
                                     {"workspace_handle", "staging"},
                                     {"workspace_name", "Staging"}});
    const QJsonObject values{
        {FieldName::apiUrl, m_fake->apiUrl().toString()},
        {FieldName::credentialsUser, accountId},
        {FieldName::credentialsPassword, apiKey},
        {FieldName::workspace, workspace},
        {FieldName::deployment, "etl/daily"},
        {maxRetries, 0},
    };
    startTask(values);
    waitUntilFinished();
    QCOMPARE(m_fake->requestsTo("/me/workspaces", "GET").size(), workspaceLookups);
    QCOMPARE(m_task->result().exitCodeValue(), exitCode);
    if (exitCode != 0) {
        verifyEnded({"running", "validating", "resolvingWorkspace", "errored"});
        QCOMPARE(m_task->result().statusDescription(),
                 QString("Data Validation Error: Workspace 'nope' not found in account %1; "
                         "available: acme/prod, acme/staging")
                     .arg(accountId));
        QVERIFY(m_fake->requestsTo("/create_flow_run").isEmpty());
        return;
    }
    verifyEnded(enteredPath(false, 0, "succeeded"));
    const QList<HttpRequest> creates = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(creates.size(), 1);
    QVERIFY(creates.first().path().startsWith(
        QString("/api/accounts/%1/workspaces/%2/deployments/").arg(accountId, workspaceId)));
    QCOMPARE(m_client->connection().workspaceId(), workspaceId);
    for (const HttpRequest &request : m_fake->http().requests())
        QCOMPARE(request.header("authorization"), "Bearer " + apiKey.toUtf8());
}

void TestFlowRunTask::extensionOutputFollowsResult()
{
    m_fake->setStateScript({"RUNNING", "CRASHED"});
    QJsonObject values = selfHostedValues(true);
    values.insert(FieldName::credentialsPassword, apiKey);
    values.insert(FieldName::extensionOutputOptions, TaskFields::flowRunInfoOption());
    startTask(values);
    waitUntilFinished();

    const QJsonObject document = m_task->extensionOutput();
    QCOMPARE(document.value("exit_code").toInt(-1), 1);
    QCOMPARE(document.value("status_description").toString(),
             QString("Execution Failed: Flow run Reached CRASHED State"));
    const QJsonObject fields = document.value("invocation").toObject().value("fields").toObject();
    QCOMPARE(fields.value("credentials").toObject().value("password").toString(), QString("****"));
    QCOMPARE(fields.value(FieldName::deployment).toString(), QString("etl/daily"));
    const QJsonObject result = document.value("result").toObject();
    const QJsonObject info = result.value("flow_run_info").toObject();
    QCOMPARE(info.value("id").toString(), m_fake->flowRunIds().value(0));
    QCOMPARE(info.value("state_type").toString(), QString("CRASHED"));
    QCOMPARE(result.value("errors").toArray(),
             QJsonArray({"Flow run Reached CRASHED State",
                         "Execution was aborted by Python system exit call."}));
    QVERIFY(!QJsonDocument(document).toJson().contains(apiKey.toUtf8()));
}

QTEST_GUILESS_MAIN(TestFlowRunTask)
#include "tst_flowruntask.moc"
