#pragma once

#include "deployment.h"
#include "flowrun.h"
#include "outputfields.h"
#include "taskfields.h"
#include "taskresult.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

class PrefectClient;
class PrefectError;
class PrefectReply;
class QFinalState;
class QState;
class QStateMachine;

// The life of one UAC task: validate the fields, resolve workspace and deployment, create the
// flow run, then (with wait) poll it until it ends or the polls run out. Driven by a
// QStateMachine; the CLI runs one per process, the GUI one per launch.
class FlowRunTask : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlowRunTask)

public:
    explicit FlowRunTask(PrefectClient *client, QObject *parent = nullptr);
    ~FlowRunTask() override;

    // Merged field values (see TaskFields); the task sets the client's connection from them.
    void start(const QJsonObject &values);
    bool isRunning() const;
    // Stops the task (a SIGTERM, the user's Cancel): the result becomes "Task cancelled" with the
    // fields as last known. With cancelFlowRun, Prefect is first asked to cancel the flow run.
    void terminate(bool cancelFlowRun);
    bool isFinished() const { return m_finished; }

    const QStateMachine *machine() const { return m_machine; }
    // The validated fields; nothing before validation or when it failed.
    const std::optional<TaskFields> &fields() const { return m_fields; }
    TaskResult result() const { return m_result; }
    OutputFields outputFields() const { return m_outputFields; }
    FlowRun flowRun() const { return m_flowRun; }
    int pollCount() const { return m_pollCount; }
    // The whole Extension Output document for the result so far.
    QJsonObject extensionOutput() const { return extensionOutput(m_result); }
    // The same, for another result (a front end that stops without waiting for the task).
    QJsonObject extensionOutput(const TaskResult &result) const;

signals:
    // One line for a person, for each step and each state change.
    void progress(const QString &message);
    void outputFieldsChanged(const OutputFields &fields);
    void finished();

    // Transitions of the state machine; not for use outside.
    void stepDone(QPrivateSignal);
    void succeeded(QPrivateSignal);
    void runFailed(QPrivateSignal);
    void timedOut(QPrivateSignal);
    void errorOccurred(QPrivateSignal);
    void terminateRequested(QPrivateSignal);
    void terminated(QPrivateSignal);

private:
    void validate();
    void resolveWorkspace();
    void resolveDeployment();
    void createFlowRun();
    void waitForNextPoll();
    void fetchFlowRun();
    void cancelFlowRunOnPrefect();
    // The one request in flight; dropped (and so aborted) when the task is terminated.
    void track(PrefectReply *reply);

    void updateFlowRun(const QJsonObject &json);
    void fail(const TaskResult &result);
    void failRequest(const QString &what, const PrefectError &error);

    PrefectClient *m_client;
    QStateMachine *m_machine;
    QState *m_running;
    QState *m_validating;
    QState *m_resolvingWorkspace;
    QState *m_resolvingDeployment;
    QState *m_creating;
    QState *m_watching;
    QState *m_waiting;
    QState *m_fetching;
    QFinalState *m_succeeded;
    QFinalState *m_failed;
    QFinalState *m_timedOut;
    QFinalState *m_errored;
    QState *m_terminating;
    QFinalState *m_cancelled;
    QTimer m_pollTimer;

    QJsonObject m_values;
    std::optional<TaskFields> m_fields;
    Deployment m_deployment;
    FlowRun m_flowRun;
    OutputFields m_outputFields;
    TaskResult m_result;
    QPointer<PrefectReply> m_pendingReply;
    bool m_cancelFlowRun = false;
    int m_pollCount = 0;
    int m_failedPolls = 0;
    bool m_started = false;
    bool m_finished = false;
};
