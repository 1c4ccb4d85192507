#pragma once

#include "parameterspec.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// A flow's parameters, from the JSON schema Prefect keeps on each deployment
// (parameter_openapi_schema). Reads both Prefect 2 ("definitions") and Prefect 3 ("$defs" or
// "definitions") shapes. A malformed schema never fails: it gives no parameters, and a
// property it cannot understand becomes a Json parameter.
class ParameterSchema
{
public:
    // How many $ref hops and nested models are followed before a parameter falls back to Json;
    // bounds self-referencing schemas.
    static constexpr int maxDepth = 8;

    static ParameterSchema fromJson(const QJsonObject &schema);

    // In Prefect's position order; parameters without a position after those with one, by name.
    QList<ParameterSpec> parameters() const { return m_parameters; }
    std::optional<ParameterSpec> parameter(const QString &name) const;
    bool isEmpty() const { return m_parameters.isEmpty(); }

    // Why these parameter values would not be accepted: a required parameter missing, a value
    // of the wrong type, a value outside an enum, a bad date. Nothing when they are fine.
    // Members not in the schema are allowed. Checks nested model fields too.
    std::optional<QString> validate(const QJsonObject &values) const;

    // The reason one value does not fit one parameter; nothing when it fits.
    static std::optional<QString> validateValue(const ParameterSpec &spec, const QJsonValue &value);

private:
    QList<ParameterSpec> m_parameters;
};
