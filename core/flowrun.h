#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

// The parts of a Prefect flow run that decide the task's outcome, plus the run as Prefect sent it.
class FlowRun
{
public:
    static FlowRun fromJson(const QJsonObject &object);

    QString id;
    QString name;
    QString stateType; // SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CRASHED, CANCELLED, ...
    QString stateName;
    QString stateMessage;
    QString deploymentId;
    QDateTime expectedStartTime; // UTC; invalid when Prefect sent none
    QDateTime startTime;
    QDateTime endTime;
    double totalRunTimeSeconds = 0;
    QJsonObject parameters;
    QStringList tags;
    QJsonObject raw;

    bool isValid() const { return !id.isEmpty(); }
    bool isTerminal() const;
    bool isSuccessful() const { return stateType == QLatin1String("COMPLETED"); }
    // Seconds from start to end, or to now while it runs; total_run_time when it never started.
    double durationSeconds(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    static bool isTerminalStateType(const QString &stateType);
};
