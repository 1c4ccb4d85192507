#include "deployment.h"

#include <QJsonArray>

Deployment Deployment::fromJson(const QJsonObject &object, const QString &flowName)
{
    Deployment deployment;
    deployment.id = object.value(QLatin1String("id")).toString();
    deployment.name = object.value(QLatin1String("name")).toString();
    deployment.flowId = object.value(QLatin1String("flow_id")).toString();
    deployment.flowName = flowName;
    deployment.raw = object;
    return deployment;
}

QJsonObject Deployment::toChoiceJson() const
{
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("name"), fullName()},
        {QStringLiteral("flow_name"), flowName},
        {QStringLiteral("deployment_name"), name},
        {QStringLiteral("flow_id"), flowId},
        {QStringLiteral("tags"), raw.value(QLatin1String("tags"))},
        {QStringLiteral("paused"), raw.value(QLatin1String("paused"))},
        {QStringLiteral("work_pool_name"), raw.value(QLatin1String("work_pool_name"))},
    };
}
