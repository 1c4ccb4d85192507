#include "flowrun.h"

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
    run.raw = object;
    return run;
}

bool FlowRun::isTerminal() const
{
    return stateType == QLatin1String("COMPLETED") || stateType == QLatin1String("FAILED")
        || stateType == QLatin1String("CRASHED") || stateType == QLatin1String("CANCELLED");
}
