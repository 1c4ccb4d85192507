#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

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
};
