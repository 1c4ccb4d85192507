#include "flowrun.h"

#include "prefecttime.h"

#include <QJsonArray>

FlowRun FlowRun::fromJson(const QJsonObject &object)
{
    FlowRun run;
    run.id = object.value(QLatin1String("id")).toString();
    run.name = object.value(QLatin1String("name")).toString();
    const QJsonObject state = object.value(QLatin1String("state")).toObject();
    run.stateType = object.value(QLatin1String("state_type")).toString();
    if (run.stateType.isEmpty())
        run.stateType = state.value(QLatin1String("type")).toString();
    run.stateName = object.value(QLatin1String("state_name")).toString();
    if (run.stateName.isEmpty())
        run.stateName = state.value(QLatin1String("name")).toString();
    run.stateMessage = state.value(QLatin1String("message")).toString();
    run.deploymentId = object.value(QLatin1String("deployment_id")).toString();
    run.expectedStartTime = PrefectTime::parse(object.value(QLatin1String("expected_start_time")));
    run.startTime = PrefectTime::parse(object.value(QLatin1String("start_time")));
    run.endTime = PrefectTime::parse(object.value(QLatin1String("end_time")));
    run.totalRunTimeSeconds = object.value(QLatin1String("total_run_time")).toDouble();
    run.parameters = object.value(QLatin1String("parameters")).toObject();
    for (const QJsonValue &tag : object.value(QLatin1String("tags")).toArray())
        run.tags << tag.toString();
    run.raw = object;
    return run;
}

bool FlowRun::isTerminalStateType(const QString &stateType)
{
    return stateType == QLatin1String("COMPLETED") || stateType == QLatin1String("FAILED")
        || stateType == QLatin1String("CRASHED") || stateType == QLatin1String("CANCELLED");
}

bool FlowRun::isTerminal() const
{
    return isTerminalStateType(stateType);
}

double FlowRun::durationSeconds(const QDateTime &now) const
{
    if (!startTime.isValid())
        return totalRunTimeSeconds;
    if (endTime.isValid())
        return qMax(0.0, startTime.msecsTo(endTime) / 1000.0);
    // Ended without an end time: trust the server's own count rather than the clock.
    if (isTerminal())
        return totalRunTimeSeconds;
    return qMax(0.0, startTime.msecsTo(now) / 1000.0);
}
