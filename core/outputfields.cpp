#include "outputfields.h"

QJsonObject OutputFields::toJson() const
{
    return QJsonObject{
        {QStringLiteral("flow_run_id"), flowRunId},
        {QStringLiteral("flow_run_name"), flowRunName},
        {QStringLiteral("flow_run_state"), flowRunState},
    };
}

bool OutputFields::operator==(const OutputFields &other) const
{
    return flowRunId == other.flowRunId && flowRunName == other.flowRunName
        && flowRunState == other.flowRunState;
}
