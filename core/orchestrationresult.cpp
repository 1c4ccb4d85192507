#include "orchestrationresult.h"

#include <QJsonObject>

OrchestrationResult OrchestrationResult::fromJson(const QJsonValue &answer)
{
    const QJsonObject object = answer.toObject();
    OrchestrationResult result;
    result.status = object.value(QLatin1String("status")).toString();
    result.reason =
        object.value(QLatin1String("details")).toObject().value(QLatin1String("reason")).toString();
    return result;
}
