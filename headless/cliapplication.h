#pragma once

#include "clioptions.h"
#include "signalwatcher.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>

class FlowRunTask;
class PrefectError;
class PrefectClient;
class TaskResult;

// Runs one ue-prefect command and reports its exit code through finished().
class CliApplication : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CliApplication)

public:
    explicit CliApplication(QObject *parent = nullptr);
    ~CliApplication() override;

    // Parses the command line and starts the command; finished() follows from the event loop.
    void start(const QStringList &arguments);

signals:
    void finished(int exitCode);

private:
    void handleSignal(int signalNumber);
    void logRetry(const QByteArray &verb, const QUrl &url, int retry, int maxRetries, int delayMs,
                  const PrefectError &error);
    void startLaunch(const QJsonObject &values);
    void startChoices(const QJsonObject &values);
    void listDeployments();
    void finishTask(const TaskResult &result, const QJsonObject &extensionOutput);
    void finishChoices(const QStringList &lines, const QJsonArray &json);
    void finishChoicesWithError(const TaskResult &result);
    void writeEvent(const QJsonObject &event);
    void exitLater(int exitCode);

    CliOptions m_options;
    QNetworkAccessManager m_network;
    PrefectClient *m_client;
    FlowRunTask *m_task = nullptr;
    SignalWatcher m_signals;
    bool m_finishing = false;
    int m_signalCount = 0;
};
