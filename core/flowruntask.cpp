#include "flowruntask.h"

#include "extensionoutput.h"
#include "messagetext.h"
#include "prefectclient.h"
#include "prefectreply.h"

#include <QFinalState>
#include <QState>
#include <QStateMachine>
#include <QUuid>

#include <algorithm>

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
{
    m_machine->setInitialState(m_running);
    m_running->setInitialState(m_validating);
    m_watching->setInitialState(m_waiting);
    m_pollTimer.setSingleShot(true);

    m_validating->addTransition(this, &FlowRunTask::stepDone, m_resolvingWorkspace);
    m_resolvingWorkspace->addTransition(this, &FlowRunTask::stepDone, m_resolvingDeployment);
    m_resolvingDeployment->addTransition(this, &FlowRunTask::stepDone, m_creating);
    m_creating->addTransition(this, &FlowRunTask::stepDone, m_watching);
    // The timer belongs to the waiting state: a poll happens only from there.
    m_waiting->addTransition(&m_pollTimer, &QTimer::timeout, m_fetching);
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
    connect(m_waiting, &QState::entered, this, &FlowRunTask::waitForNextPoll);
    connect(m_waiting, &QState::exited, &m_pollTimer, &QTimer::stop);
    connect(m_fetching, &QState::entered, this, &FlowRunTask::fetchFlowRun);
    connect(m_terminating, &QState::entered, this, &FlowRunTask::cancelFlowRunOnPrefect);
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
    PrefectReply *reply = m_client->setFlowRunState(
        m_flowRun.id,
        QJsonObject{{QStringLiteral("type"), QStringLiteral("CANCELLING")},
                    {QStringLiteral("name"), QStringLiteral("Cancelling")}});
    track(reply);
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        QString outcome;
        if (reply->hasError()) {
            outcome = QStringLiteral("Cancelling flow run %1 failed: %2")
                          .arg(m_flowRun.id, reply->error().toString());
        } else {
            const QJsonObject answer = reply->json().toObject();
            const QString status = answer.value(QLatin1String("status")).toString();
            outcome = QStringLiteral("Cancelling flow run %1: Prefect answered %2")
                          .arg(m_flowRun.id, status.isEmpty() ? QStringLiteral("nothing") : status);
            const QString reason = answer.value(QLatin1String("details"))
                                       .toObject()
                                       .value(QLatin1String("reason"))
                                       .toString();
            if (!reason.isEmpty())
                outcome += QStringLiteral(" (%1)").arg(reason);
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
    return ExtensionOutput::build(invocation, result, includeFlowRunInfo, m_flowRun.raw);
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

void FlowRunTask::waitForNextPoll()
{
    m_pollTimer.start(std::chrono::seconds(m_fields->pollingInterval));
}

void FlowRunTask::fetchFlowRun()
{
    ++m_pollCount;
    PrefectReply *reply = m_client->readFlowRun(m_flowRun.id);
    track(reply);
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        const PrefectError error = reply->error();
        const bool exhausted =
            m_fields->maxNumberOfPolls > 0 && m_pollCount >= m_fields->maxNumberOfPolls;
        if (!error.isError() && reply->json().toObject().value(QLatin1String("id")).isString()) {
            updateFlowRun(reply->json().toObject());
            if (m_flowRun.isTerminal()) {
                if (m_flowRun.isSuccessful()) {
                    m_result = TaskResult::success();
                    emit succeeded(QPrivateSignal());
                } else {
                    m_result = TaskResult::failure(
                        QStringLiteral("Flow run Reached %1 State").arg(m_flowRun.stateType));
                    if (!m_flowRun.stateMessage.isEmpty())
                        m_result.addError(m_flowRun.stateMessage);
                    emit runFailed(QPrivateSignal());
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
            emit timedOut(QPrivateSignal());
            return;
        }
        emit stepDone(QPrivateSignal());
    });
}

void FlowRunTask::updateFlowRun(const QJsonObject &json)
{
    const QString previousState = m_flowRun.stateType;
    m_flowRun = FlowRun::fromJson(json);
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
