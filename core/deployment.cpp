#include "deployment.h"

#include "prefecttime.h"

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

QStringList Deployment::tags() const
{
    QStringList result;
    for (const QJsonValue &tag : raw.value(QLatin1String("tags")).toArray())
        result << tag.toString();
    return result;
}

QString Deployment::workPoolName() const
{
    return raw.value(QLatin1String("work_pool_name")).toString();
}

bool Deployment::isPaused() const
{
    const QJsonValue paused = raw.value(QLatin1String("paused"));
    if (paused.isBool())
        return paused.toBool();
    // Prefect 2 before `paused`: a deployment whose schedule is off.
    const QJsonValue active = raw.value(QLatin1String("is_schedule_active"));
    return active.isBool() && !active.toBool();
}

QDateTime Deployment::updated() const
{
    return PrefectTime::parse(raw.value(QLatin1String("updated")));
}

QString Deployment::description() const
{
    return raw.value(QLatin1String("description")).toString();
}

QString Deployment::entrypoint() const
{
    return raw.value(QLatin1String("entrypoint")).toString();
}

QJsonObject Deployment::defaultParameters() const
{
    return raw.value(QLatin1String("parameters")).toObject();
}

QJsonObject Deployment::parameterSchema() const
{
    return raw.value(QLatin1String("parameter_openapi_schema")).toObject();
}

bool Deployment::enforcesParameterSchema() const
{
    return raw.value(QLatin1String("enforce_parameter_schema")).toBool();
}
