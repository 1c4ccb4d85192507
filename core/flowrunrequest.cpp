#include "flowrunrequest.h"

#include "jsondocument.h"
#include "messagetext.h"

#include <QJsonArray>
#include <QJsonDocument>

std::optional<FlowRunRequest> FlowRunRequest::fromParametersJson(const QJsonValue &value,
                                                                 QString *error)
{
    FlowRunRequest request;
    QJsonObject object;
    if (value.isNull() || value.isUndefined())
        return request;
    if (value.isString()) {
        const QByteArray text = value.toString().toUtf8();
        if (text.trimmed().isEmpty())
            return request;
        const std::optional<QJsonObject> parsed = JsonDocument::parseObject(
            text, QStringLiteral("parameters_json"),
            QStringLiteral("parameters_json must be a JSON object"), error);
        if (!parsed)
            return std::nullopt;
        object = *parsed;
    } else if (value.isObject()) {
        object = value.toObject();
    } else {
        *error = QStringLiteral("parameters_json must be a JSON object");
        return std::nullopt;
    }

    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString key = it.key();
        const QJsonValue item = it.value();
        if (key == QLatin1String("tags")) {
            if (!item.isArray() && !item.isNull()) {
                *error = QStringLiteral("parameters_json.tags must be an array of strings");
                return std::nullopt;
            }
            for (const QJsonValue &tag : item.toArray()) {
                if (!tag.isString()) {
                    *error = QStringLiteral("parameters_json.tags must be an array of strings");
                    return std::nullopt;
                }
                request.tags << tag.toString();
            }
            continue;
        }
        QJsonObject *target = nullptr;
        if (key == QLatin1String("parameters"))
            target = &request.parameters;
        else if (key == QLatin1String("context"))
            target = &request.context;
        else if (key == QLatin1String("job_variables"))
            target = &request.jobVariables;
        if (!target) {
            *error = QStringLiteral("parameters_json has an unknown key '%1'; allowed keys are "
                                    "parameters, context, job_variables and tags")
                         .arg(MessageText::printable(key));
            return std::nullopt;
        }
        if (!item.isObject() && !item.isNull()) {
            *error = QStringLiteral("parameters_json.%1 must be a JSON object").arg(key);
            return std::nullopt;
        }
        *target = item.toObject();
    }
    return request;
}

QJsonObject FlowRunRequest::toJson() const
{
    QJsonObject body;
    if (!name.isEmpty())
        body.insert(QStringLiteral("name"), name);
    if (!parameters.isEmpty())
        body.insert(QStringLiteral("parameters"), parameters);
    if (!context.isEmpty())
        body.insert(QStringLiteral("context"), context);
    if (!jobVariables.isEmpty())
        body.insert(QStringLiteral("job_variables"), jobVariables);
    if (!tags.isEmpty())
        body.insert(QStringLiteral("tags"), QJsonArray::fromStringList(tags));
    if (!idempotencyKey.isEmpty())
        body.insert(QStringLiteral("idempotency_key"), idempotencyKey);
    return body;
}
