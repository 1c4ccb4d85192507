#pragma once

#include <QJsonObject>
#include <QString>

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
    QJsonObject raw;

    bool isValid() const { return !id.isEmpty(); }
    bool isTerminal() const;
    bool isSuccessful() const { return stateType == QLatin1String("COMPLETED"); }
};
