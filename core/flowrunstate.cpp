#include "flowrunstate.h"

#include "prefecttime.h"

#include <algorithm>

FlowRunState FlowRunState::fromJson(const QJsonObject &object)
{
    FlowRunState state;
    state.id = object.value(QLatin1String("id")).toString();
    state.type = object.value(QLatin1String("type")).toString();
    state.name = object.value(QLatin1String("name")).toString();
    state.message = object.value(QLatin1String("message")).toString();
    state.timestamp = PrefectTime::parse(object.value(QLatin1String("timestamp")));
    return state;
}

QList<FlowRunState> FlowRunState::listFromJson(const QJsonArray &array)
{
    QList<FlowRunState> result;
    result.reserve(array.size());
    for (const QJsonValue &value : array)
        result << fromJson(value.toObject());
    std::stable_sort(
        result.begin(), result.end(),
        [](const FlowRunState &a, const FlowRunState &b) { return a.timestamp < b.timestamp; });
    return result;
}
