#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// A Prefect deployment with the name of its flow, which the deployment itself does not carry.
class Deployment
{
public:
    static Deployment fromJson(const QJsonObject &object, const QString &flowName = {});

    QString id;
    QString name;
    QString flowId;
    QString flowName;
    QJsonObject raw; // exactly as Prefect returned it

    // "flow-name/deployment-name", the form Prefect's CLI and our --deployment accept.
    QString fullName() const { return flowName + u'/' + name; }
    QJsonObject toChoiceJson() const;

    // Read from raw, for views that must not parse Prefect JSON themselves.
    QStringList tags() const;
    QString workPoolName() const;
    bool isPaused() const;
    QDateTime updated() const; // UTC
    QString description() const;
    QString entrypoint() const;
    QJsonObject defaultParameters() const;
    // The deployment's parameter_openapi_schema, as Prefect sent it.
    QJsonObject parameterSchema() const;
    bool enforcesParameterSchema() const;
};
