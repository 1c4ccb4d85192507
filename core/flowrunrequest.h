#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

// What a new flow run is created with: the body of POST /deployments/{id}/create_flow_run.
class FlowRunRequest
{
public:
    // Reads UAC's parameters_json (a JSON text or an object) with its optional keys
    // parameters, context, job_variables (objects) and tags (array of strings).
    static std::optional<FlowRunRequest> fromParametersJson(const QJsonValue &value,
                                                            QString *error);

    QString name;
    QJsonObject parameters;
    QJsonObject context;
    QJsonObject jobVariables;
    QStringList tags;
    QString idempotencyKey;

    // Only the keys that have values, since older servers reject keys they do not know.
    QJsonObject toJson() const;
};
