#pragma once

#include "deployment.h"
#include "flowrun.h"
#include "logentry.h"
#include "outputfields.h"
#include "taskfields.h"
#include "taskresult.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

class FlowRunEvents;
class LogFollower;
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
    // While Prefect's event stream is up the run is also read at this interval (or the
    // polling interval, when longer), in case an event is lost.
    static constexpr int safetyPollSeconds = 300;
    // Without the stream (auto mode), it is tried again after this long.
    static constexpr int streamRetrySeconds = 300;
    // With stream_logs or logs_in_extension_output, the run's logs are read this often while it
    // is watched; at the end one last read, waited for at most logsFinishTimeoutMs.
    static constexpr int logsIntervalMs = 5000;
    static constexpr int logsFinishTimeoutMs = 10000;
    // The log lines kept for result.logs (the last logs_in_extension_output of them).
    QList<LogEntry> lastLogs() const { return m_lastLogs; }
    // True while state changes come from the event stream.
    bool isWatchingEvents() const;
    // The whole Extension Output document for the result so far.
    QJsonObject extensionOutput() const { return extensionOutput(m_result); }
    // The same, for another result (a front end that stops without waiting for the task).
    QJsonObject extensionOutput(const TaskResult &result) const;

signals:
    // One line for a person, for each step and each state change.
    void progress(const QString &message);
    void outputFieldsChanged(const OutputFields &fields);
    void finished();
    // New lines of the run's log, in order, each once (with stream_logs).
    void logsArrived(const QList<LogEntry> &entries);
    // Detail for a verbose log (what the event stream sent or ignored).
    void diagnostic(const QString &message);

    // Transitions of the state machine; not for use outside.
    void stepDone(QPrivateSignal);
    void succeeded(QPrivateSignal);
    void runFailed(QPrivateSignal);
    void timedOut(QPrivateSignal);
    void errorOccurred(QPrivateSignal);
    void terminateRequested(QPrivateSignal);
    void terminated(QPrivateSignal);
    void fetchRequested(QPrivateSignal);

private:
    void validate();
    void resolveWorkspace();
    void resolveDeployment();
    void createFlowRun();
    void waitForNextPoll();
    void fetchFlowRun();
    void cancelFlowRunOnPrefect();
    void startWatching();
    void startEvents();
    void handleEventsConnected();
    void handleEventsUnavailable(const QString &reason);
    void handleEventState(const QString &stateType, const QString &stateName,
                          const QString &message, const QDateTime &timestamp);
    // A read as soon as possible: now when waiting, right after the read in flight otherwise.
    void requestFetch();
    void stopWatching();
    void handleLogs(const QList<LogEntry> &entries);
    // The watch is over with this outcome: the last log lines are read first, if followed.
    void conclude(void (FlowRunTask::*outcome)(QPrivateSignal));
    bool followsLogs() const;
    bool usesEvents() const;
    // The one request in flight; dropped (and so aborted) when the task is terminated.
    void track(PrefectReply *reply);

    void updateFlowRun(const QJsonObject &json);
    // The progress line and output fields for a state change from either source.
    void announceState(const QString &previousState);
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
    QTimer m_deadlineTimer;
    QTimer m_streamRetryTimer;
    FlowRunEvents *m_events;
    LogFollower *m_logs;
    QTimer m_logsFinishTimer;
    QList<LogEntry> m_lastLogs;
    void (FlowRunTask::*m_outcome)(QPrivateSignal) = nullptr;

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
    QDateTime m_stateTimestamp; // of the latest state known, by the server's clock
    bool m_fetchAgain = false;
    bool m_deadlineReached = false;
    bool m_streamFellBack = false;
    bool m_eventsLive = false;
    bool m_eventsEverLive = false;
    QElapsedTimer m_watchClock;
    qint64 m_deadlineMs = 0; // 0: no bound
    static constexpr qint64 maxTimerMs = 24 * 3600 * 1000; // re-armed until the deadline
    bool m_started = false;
    bool m_finished = false;
};
