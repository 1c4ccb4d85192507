#include "flowruntask.h"

#include "extensionoutput.h"
#include "flowrunevents.h"
#include "logfollower.h"
#include "messagetext.h"
#include "orchestrationresult.h"
#include "prefectclient.h"
#include "prefectreply.h"

#include <QFinalState>
#include <QJsonArray>
#include <QState>
#include <QStateMachine>
#include <QUuid>

#include <algorithm>
#include <utility>

FlowRunTask::FlowRunTask(PrefectClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_machine(new QStateMachine(this))
    , m_running(new QState(m_machine))
    , m_validating(new QState(m_running))
    , m_resolvingWorkspace(new QState(m_running))
    , m_resolvingDeployment(new QState(m_running))
    , m_creating(new QState(m_running))
    , m_watching(new QState(m_running))
    , m_waiting(new QState(m_watching))
    , m_fetching(new QState(m_watching))
    , m_succeeded(new QFinalState(m_machine))
    , m_failed(new QFinalState(m_machine))
    , m_timedOut(new QFinalState(m_machine))
    , m_errored(new QFinalState(m_machine))
    , m_terminating(new QState(m_machine))
    , m_cancelled(new QFinalState(m_machine))
    , m_events(new FlowRunEvents(this))
    , m_logs(new LogFollower(client, this))
{
    m_machine->setInitialState(m_running);
    m_running->setInitialState(m_validating);
    m_watching->setInitialState(m_waiting);
    m_pollTimer.setSingleShot(true);
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    m_streamRetryTimer.setSingleShot(true);
    m_logsFinishTimer.setSingleShot(true);

    m_validating->addTransition(this, &FlowRunTask::stepDone, m_resolvingWorkspace);
    m_resolvingWorkspace->addTransition(this, &FlowRunTask::stepDone, m_resolvingDeployment);
    m_resolvingDeployment->addTransition(this, &FlowRunTask::stepDone, m_creating);
    m_creating->addTransition(this, &FlowRunTask::stepDone, m_watching);
    // The timer belongs to the waiting state: a poll happens only from there.
    m_waiting->addTransition(&m_pollTimer, &QTimer::timeout, m_fetching);
    m_waiting->addTransition(this, &FlowRunTask::fetchRequested, m_fetching);
    m_fetching->addTransition(this, &FlowRunTask::stepDone, m_waiting);
    // One transition each for every state of the run: the outcome ends whatever step is active.
    m_running->addTransition(this, &FlowRunTask::succeeded, m_succeeded);
    m_running->addTransition(this, &FlowRunTask::runFailed, m_failed);
    m_running->addTransition(this, &FlowRunTask::timedOut, m_timedOut);
    m_running->addTransition(this, &FlowRunTask::errorOccurred, m_errored);
    m_running->addTransition(this, &FlowRunTask::terminateRequested, m_terminating);
    m_terminating->addTransition(this, &FlowRunTask::terminated, m_cancelled);

    connect(m_validating, &QState::entered, this, &FlowRunTask::validate);
    connect(m_resolvingWorkspace, &QState::entered, this, &FlowRunTask::resolveWorkspace);
    connect(m_resolvingDeployment, &QState::entered, this, &FlowRunTask::resolveDeployment);
    connect(m_creating, &QState::entered, this, &FlowRunTask::createFlowRun);
    connect(m_watching, &QState::entered, this, &FlowRunTask::startWatching);
    connect(m_watching, &QState::exited, this, &FlowRunTask::stopWatching);
    connect(m_waiting, &QState::entered, this, &FlowRunTask::waitForNextPoll);
    connect(m_waiting, &QState::exited, &m_pollTimer, &QTimer::stop);
    connect(m_fetching, &QState::entered, this, &FlowRunTask::fetchFlowRun);
    connect(m_terminating, &QState::entered, this, &FlowRunTask::cancelFlowRunOnPrefect);
    connect(m_events, &FlowRunEvents::connected, this, &FlowRunTask::handleEventsConnected);
    connect(m_events, &FlowRunEvents::unavailable, this, &FlowRunTask::handleEventsUnavailable);
    connect(m_events, &FlowRunEvents::stateChanged, this, &FlowRunTask::handleEventState);
    connect(m_events, &FlowRunEvents::diagnostic, this, &FlowRunTask::diagnostic);
    connect(&m_streamRetryTimer, &QTimer::timeout, this, [this] {
        if (m_watching->active())
            startEvents();
    });
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
        const qint64 left = m_deadlineMs - m_watchClock.elapsed();
        if (left > 0) {
            m_deadlineTimer.start(int(std::min<qint64>(left, maxTimerMs)));
            return;
        }
        m_deadlineReached = true;
        requestFetch();
    });
    connect(m_logs, &LogFollower::logsArrived, this, &FlowRunTask::handleLogs);
    connect(m_logs, &LogFollower::readFailed, this, [this](const PrefectError &error) {
        emit diagnostic(QStringLiteral("reading the logs failed: %1").arg(error.toString()));
    });
    const auto endWithOutcome = [this] {
        m_logsFinishTimer.stop();
        m_logs->stop();
        if (const auto outcome = std::exchange(m_outcome, nullptr))
            emit(this->*outcome)(QPrivateSignal());
    };
    connect(m_logs, &LogFollower::finished, this, endWithOutcome);
    connect(&m_logsFinishTimer, &QTimer::timeout, this, [this, endWithOutcome] {
        emit diagnostic(QStringLiteral("the last log lines did not come within %1 s")
                            .arg(logsFinishTimeoutMs / 1000));
        endWithOutcome();
    });
    connect(m_running, &QState::exited, this, [this] {
        m_outcome = nullptr;
        m_logsFinishTimer.stop();
        m_logs->stop();
    });
    connect(m_machine, &QStateMachine::finished, this, [this] {
        m_finished = true;
        emit finished();
    });
}

FlowRunTask::~FlowRunTask() = default;

void FlowRunTask::start(const QJsonObject &values)
{
    m_values = values;
    m_fields.reset();
    m_deployment = {};
    m_flowRun = {};
    m_outputFields = {};
    m_result = {};
    m_pollCount = 0;
    m_failedPolls = 0;
    m_stateTimestamp = {};
    m_lastLogs.clear();
    m_outcome = nullptr;
    m_finished = false;
    m_started = true;
    m_machine->start();
}

void FlowRunTask::terminate(bool cancelFlowRun)
{
    if (!isRunning())
        return;
    m_cancelFlowRun = cancelFlowRun;
    delete m_pendingReply;
    m_result = TaskResult::failure(QStringLiteral("Task cancelled"));
    emit terminateRequested(QPrivateSignal());
}

void FlowRunTask::cancelFlowRunOnPrefect()
{
    if (!m_cancelFlowRun || m_flowRun.id.isEmpty()) {
        if (!m_flowRun.id.isEmpty()) {
            m_result.addError(
                QStringLiteral("Flow run %1 left running on Prefect").arg(m_flowRun.id));
        }
        emit terminated(QPrivateSignal());
        return;
    }
    emit progress(QStringLiteral("Asking Prefect to cancel flow run %1").arg(m_flowRun.id));
    PrefectReply *reply = m_client->cancelFlowRun(m_flowRun.id);
    track(reply);
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        QString outcome;
        if (reply->hasError()) {
            outcome = QStringLiteral("Cancelling flow run %1 failed: %2")
                          .arg(m_flowRun.id, reply->error().toString());
        } else {
            const OrchestrationResult answer = OrchestrationResult::fromJson(reply->json());
            outcome = QStringLiteral("Cancelling flow run %1: Prefect answered %2")
                          .arg(m_flowRun.id,
                               answer.status.isEmpty() ? QStringLiteral("nothing") : answer.status);
            if (!answer.reason.isEmpty())
                outcome += QStringLiteral(" (%1)").arg(answer.reason);
        }
        emit progress(outcome);
        m_result.addError(outcome);
        emit terminated(QPrivateSignal());
    });
}

void FlowRunTask::track(PrefectReply *reply)
{
    m_pendingReply = reply;
}

bool FlowRunTask::isRunning() const
{
    return m_started && !m_finished;
}

QJsonObject FlowRunTask::extensionOutput(const TaskResult &result) const
{
    const bool includeFlowRunInfo = m_fields
        ? m_fields->extensionOutput == TaskFields::ExtensionOutputOption::FlowRunInfo
        : m_values.value(FieldName::extensionOutputOptions).toString()
            == TaskFields::flowRunInfoOption();
    const QJsonObject invocation =
        m_fields ? m_fields->invocationFields() : TaskFields::maskedValues(m_values);
    std::optional<QJsonArray> logs;
    if (m_fields && m_fields->logsInExtensionOutput > 0) {
        logs.emplace();
        for (const LogEntry &entry : m_lastLogs)
            logs->append(entry.toJson());
    }
    return ExtensionOutput::build(invocation, result, includeFlowRunInfo, m_flowRun.raw, logs);
}

void FlowRunTask::validate()
{
    QString error;
    m_fields = TaskFields::fromValues(m_values, &error);
    if (!m_fields)
        return fail(TaskResult::validationError(error));
    // Prefect answers a repeated key with the run it already made, so a create that is retried,
    // or a task that is re-run with the caller's key, never launches a second run.
    if (m_fields->runRequest.idempotencyKey.isEmpty())
        m_fields->runRequest.idempotencyKey = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_client->setConnection(m_fields->connection());
    m_client->setRetryPolicy(m_fields->retryPolicy());
    emit stepDone(QPrivateSignal());
}

void FlowRunTask::resolveWorkspace()
{
    if (!m_fields->isCloud() || !m_client->connection().workspaceId().isEmpty()) {
        emit stepDone(QPrivateSignal());
        return;
    }
    const QString wanted = m_fields->workspace;
    emit progress(QStringLiteral("Looking up workspace '%1'").arg(MessageText::printable(wanted)));
    PrefectReply *reply = m_client->listWorkspaces();
    track(reply);
    connect(reply, &PrefectReply::finished, this, [this, reply, wanted] {
        if (reply->hasError())
            return failRequest(QStringLiteral("listing workspaces"), reply->error());
        QString error;
        const std::optional<Workspace> workspace =
            Workspace::pick(reply->workspaces(), m_fields->accountId, wanted, &error);
        if (!workspace)
            return fail(TaskResult::validationError(error));
        Connection connection = m_client->connection();
        connection.setWorkspaceId(workspace->workspaceId);
        m_client->setConnection(connection);
        emit progress(QStringLiteral("Workspace '%1' is %2")
                          .arg(workspace->fullHandle(), workspace->workspaceId));
        emit stepDone(QPrivateSignal());
    });
}

void FlowRunTask::resolveDeployment()
{
    const QString wanted = m_fields->deployment;
    const QString shown = MessageText::printable(wanted);
    emit progress(QStringLiteral("Looking up deployment '%1'").arg(shown));
    PrefectReply *reply = nullptr;
    const qsizetype slash = wanted.indexOf(u'/');
    if (isUuid(wanted))
        reply = m_client->readDeployment(wanted);
    else if (slash > 0)
        reply = m_client->readDeploymentByName(wanted.left(slash), wanted.mid(slash + 1));
    else
        reply = m_client->listDeployments(wanted);
    track(reply);

    connect(reply, &PrefectReply::finished, this, [this, reply, shown] {
        if (reply->error().isNotFound()) {
            return fail(TaskResult::validationError(
                QStringLiteral("Deployment '%1' not found").arg(shown)));
        }
        if (reply->hasError())
            return failRequest(QStringLiteral("looking up the deployment"), reply->error());
        const QList<Deployment> found = reply->deployments();
        if (found.isEmpty()) {
            return fail(TaskResult::validationError(
                QStringLiteral("Deployment '%1' not found").arg(shown)));
        }
        if (found.size() > 1) {
            QStringList names;
            for (const Deployment &deployment : found)
                names << deployment.fullName();
            return fail(
                TaskResult::validationError(QStringLiteral("Deployment '%1' is ambiguous: %2")
                                                .arg(shown, names.join(QStringLiteral(", ")))));
        }
        m_deployment = found.first();
        emit progress(
            QStringLiteral("Deployment '%1' is %2").arg(m_deployment.fullName(), m_deployment.id));
        emit stepDone(QPrivateSignal());
    });
}

void FlowRunTask::createFlowRun()
{
    emit progress(QStringLiteral("Creating a flow run of '%1'").arg(m_deployment.fullName()));
    PrefectReply *reply = m_client->createFlowRun(m_deployment.id, m_fields->runRequest);
    track(reply);
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        const PrefectError error = reply->error();
        // 409 and 422 mean Prefect refused what we sent: the parameters, mostly.
        if (error.kind() == PrefectError::Kind::Http
            && (error.httpStatus() == 409 || error.httpStatus() == 422)) {
            return fail(TaskResult::validationError(
                QStringLiteral("Prefect rejected the flow run: %1").arg(error.toString())));
        }
        if (reply->hasError())
            return failRequest(QStringLiteral("creating the flow run"), error);
        const QJsonObject run = reply->json().toObject();
        if (run.value(QLatin1String("id")).toString().isEmpty()) {
            return fail(TaskResult::failure(
                QStringLiteral("creating the flow run: the answer carries no flow run id")));
        }
        updateFlowRun(run);
        emit progress(QStringLiteral("Flow run '%1' (%2) created, state %3")
                          .arg(m_flowRun.name, m_flowRun.id, m_flowRun.stateType));
        if (!m_fields->wait) {
            m_result = TaskResult::success();
            emit succeeded(QPrivateSignal());
            return;
        }
        emit stepDone(QPrivateSignal());
    });
}

bool FlowRunTask::usesEvents() const
{
    return m_fields && m_fields->watchMode != TaskFields::WatchMode::Poll;
}

bool FlowRunTask::isWatchingEvents() const
{
    return m_eventsLive;
}

void FlowRunTask::startWatching()
{
    m_deadlineReached = false;
    m_fetchAgain = false;
    m_streamFellBack = false;
    m_eventsLive = false;
    m_eventsEverLive = false;
    m_watchClock.start();
    m_deadlineMs = qint64(m_fields->maxNumberOfPolls) * m_fields->pollingInterval * 1000;
    if (usesEvents())
        startEvents();
    if (followsLogs())
        m_logs->start(m_flowRun.id, logsIntervalMs);
}

bool FlowRunTask::followsLogs() const
{
    return m_fields && (m_fields->streamLogs || m_fields->logsInExtensionOutput > 0);
}

void FlowRunTask::handleLogs(const QList<LogEntry> &entries)
{
    if (m_fields->logsInExtensionOutput > 0) {
        // The Extension Output is not scrubbed line by line as standard error is.
        const QStringList secrets = m_client->connection().secrets();
        for (LogEntry entry : entries) {
            for (const QString &secret : secrets)
                entry.message.replace(secret, QStringLiteral("****"));
            m_lastLogs << entry;
        }
        if (m_lastLogs.size() > m_fields->logsInExtensionOutput)
            m_lastLogs.remove(0, m_lastLogs.size() - m_fields->logsInExtensionOutput);
    }
    if (m_fields->streamLogs)
        emit logsArrived(entries);
}

void FlowRunTask::conclude(void (FlowRunTask::*outcome)(QPrivateSignal))
{
    if (!followsLogs() || !m_logs->isActive()) {
        emit(this->*outcome)(QPrivateSignal());
        return;
    }
    m_outcome = outcome;
    m_events->stop();
    m_logsFinishTimer.start(logsFinishTimeoutMs);
    m_logs->finish();
}

void FlowRunTask::stopWatching()
{
    m_events->stop();
    m_eventsLive = false;
    m_deadlineTimer.stop();
    m_streamRetryTimer.stop();
}

void FlowRunTask::startEvents()
{
    // Backfill from a little before the run was made, by the server's clock, so that a change
    // made before the subscription is replayed.
    QDateTime since = QDateTime::fromString(
        m_flowRun.raw.value(QLatin1String("created")).toString(), Qt::ISODateWithMs);
    since = since.isValid() ? since.toUTC().addSecs(-60)
                            : QDateTime::currentDateTimeUtc().addSecs(-300);
    m_events->start(m_client->connection(), m_flowRun.id, since);
}

void FlowRunTask::handleEventsConnected()
{
    m_eventsLive = true;
    const int safety = std::max(m_fields->pollingInterval, safetyPollSeconds);
    if (m_streamFellBack) {
        emit progress(QStringLiteral("Event stream connected again; reading the run every %1 s "
                                     "as a safety net")
                          .arg(safety));
    } else {
        emit progress(QStringLiteral("Watching flow run %1 on Prefect's event stream (and "
                                     "reading it every %2 s as a safety net)")
                          .arg(m_flowRun.id)
                          .arg(safety));
    }
    m_streamFellBack = false;
    // The polls no longer tell the time: max_number_of_polls becomes a deadline.
    if (!m_eventsEverLive && m_deadlineMs > 0)
        m_deadlineTimer.start(int(std::min<qint64>(
            std::max<qint64>(m_deadlineMs - m_watchClock.elapsed(), 0), maxTimerMs)));
    m_eventsEverLive = true;
    // The run may have ended before the subscription: read it once.
    requestFetch();
}

void FlowRunTask::handleEventsUnavailable(const QString &reason)
{
    if (!m_watching->active())
        return;
    const bool wasLive = m_eventsLive;
    m_eventsLive = false;
    if (m_fields->watchMode == TaskFields::WatchMode::Events) {
        fail(TaskResult::failure(QStringLiteral("watch_mode events: %1").arg(reason)));
        m_result.addError(QStringLiteral("Flow run %1 left running on Prefect").arg(m_flowRun.id));
        return;
    }
    if (!m_streamFellBack) {
        emit progress(QStringLiteral("Event stream unavailable (%1); polling every %2 s")
                          .arg(reason)
                          .arg(m_fields->pollingInterval));
    } else {
        emit diagnostic(QStringLiteral("event stream still unavailable: %1").arg(reason));
    }
    m_streamFellBack = true;
    m_streamRetryTimer.start(std::chrono::seconds(streamRetrySeconds));
    // Events may have been missed while the stream went down, and the next poll is far off.
    if (wasLive)
        requestFetch();
}

void FlowRunTask::handleEventState(const QString &stateType, const QString &stateName,
                                   const QString &message, const QDateTime &timestamp)
{
    if (!m_watching->active())
        return;
    // Backfill replays the states the run has already left.
    if (timestamp.isValid() && m_stateTimestamp.isValid() && timestamp < m_stateTimestamp)
        return;
    if (FlowRun::isTerminalStateType(stateType)) {
        // The final JSON (for the Extension Output) comes from one read.
        emit diagnostic(
            QStringLiteral("event stream: flow run reached %1; reading it").arg(stateType));
        requestFetch();
        return;
    }
    if (timestamp.isValid())
        m_stateTimestamp = timestamp;
    if (stateType == m_flowRun.stateType)
        return;
    const QString previousState = m_flowRun.stateType;
    m_flowRun.stateType = stateType;
    m_flowRun.stateName = stateName;
    m_flowRun.stateMessage = message;
    announceState(previousState);
}

void FlowRunTask::requestFetch()
{
    if (m_waiting->active())
        emit fetchRequested(QPrivateSignal());
    else if (m_fetching->active())
        m_fetchAgain = true;
}

void FlowRunTask::waitForNextPoll()
{
    if (m_fetchAgain || m_deadlineReached) {
        m_fetchAgain = false;
        emit fetchRequested(QPrivateSignal());
        return;
    }
    const int interval = m_eventsLive ? std::max(m_fields->pollingInterval, safetyPollSeconds)
                                      : m_fields->pollingInterval;
    m_pollTimer.start(std::chrono::seconds(interval));
}

void FlowRunTask::fetchFlowRun()
{
    ++m_pollCount;
    PrefectReply *reply = m_client->readFlowRun(m_flowRun.id);
    track(reply);
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        const PrefectError error = reply->error();
        // Once the event stream has been up, polls are sparse: the bound is the time that
        // max_number_of_polls polls would have taken.
        const bool exhausted = m_eventsEverLive
            ? m_deadlineReached
            : m_fields->maxNumberOfPolls > 0 && m_pollCount >= m_fields->maxNumberOfPolls;
        if (!error.isError() && reply->json().toObject().value(QLatin1String("id")).isString()) {
            updateFlowRun(reply->json().toObject());
            if (m_flowRun.isTerminal()) {
                if (m_flowRun.isSuccessful()) {
                    m_result = TaskResult::success();
                    conclude(&FlowRunTask::succeeded);
                } else {
                    m_result = TaskResult::failure(
                        QStringLiteral("Flow run Reached %1 State").arg(m_flowRun.stateType));
                    if (!m_flowRun.stateMessage.isEmpty())
                        m_result.addError(m_flowRun.stateMessage);
                    conclude(&FlowRunTask::runFailed);
                }
                return;
            }
        } else {
            const PrefectError pollError = error.isError()
                ? error
                : PrefectError(PrefectError::Kind::InvalidResponse, 200,
                               QStringLiteral("the flow run answer carries no id"));
            // Credentials or the run itself gone: no later poll can do better.
            if (pollError.isAuthenticationFailure() || pollError.isNotFound())
                return failRequest(QStringLiteral("reading the flow run"), pollError);
            ++m_failedPolls;
            emit progress(
                QStringLiteral("Poll %1 failed: %2").arg(m_pollCount).arg(pollError.toString()));
            if (exhausted && m_failedPolls == m_pollCount)
                return failRequest(QStringLiteral("reading the flow run"), pollError);
        }
        if (exhausted) {
            m_result = TaskResult::pollingTimeout();
            emit progress(QStringLiteral("No final state after %1 polls").arg(m_pollCount));
            conclude(&FlowRunTask::timedOut);
            return;
        }
        emit stepDone(QPrivateSignal());
    });
}

void FlowRunTask::updateFlowRun(const QJsonObject &json)
{
    const QString previousState = m_flowRun.stateType;
    m_flowRun = FlowRun::fromJson(json);
    const QDateTime stateTimestamp = QDateTime::fromString(
        json.value(QLatin1String("state")).toObject().value(QLatin1String("timestamp")).toString(),
        Qt::ISODateWithMs);
    if (stateTimestamp.isValid()
        && (!m_stateTimestamp.isValid() || stateTimestamp.toUTC() > m_stateTimestamp))
        m_stateTimestamp = stateTimestamp.toUTC();
    announceState(previousState);
}

void FlowRunTask::announceState(const QString &previousState)
{
    if (!previousState.isEmpty() && previousState != m_flowRun.stateType) {
        emit progress(QStringLiteral("Flow run '%1' is %2%3")
                          .arg(m_flowRun.name, m_flowRun.stateType,
                               m_flowRun.stateMessage.isEmpty()
                                   ? QString()
                                   : QStringLiteral(": ") + m_flowRun.stateMessage));
    }
    const OutputFields fields{m_flowRun.id, m_flowRun.name, m_flowRun.stateType};
    if (fields != m_outputFields) {
        m_outputFields = fields;
        emit outputFieldsChanged(m_outputFields);
    }
}

void FlowRunTask::fail(const TaskResult &result)
{
    m_result = result;
    emit errorOccurred(QPrivateSignal());
}

void FlowRunTask::failRequest(const QString &what, const PrefectError &error)
{
    fail(TaskResult::failure(what + QStringLiteral(": ") + error.toString()));
}
