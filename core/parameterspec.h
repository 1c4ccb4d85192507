#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QString>

// One flow parameter as read from a deployment's parameter_openapi_schema, with $ref, allOf and
// Optional (anyOf with null) already resolved, so that a form never reads JSON Schema itself.
struct ParameterSpec
{
    // Json: anything a simple editor cannot express (untyped parameters, unions of several
    // types, tuples, schemas nested too deep); edited and sent as raw JSON.
    enum class Type { String, Integer, Number, Boolean, Enum, Array, Object, Json };

    QString name;
    QString title; // the name when the schema has no title
    QString description;
    Type type = Type::Json;
    QJsonArray enumValues; // Enum: the allowed values, in schema order
    // Array: the items' type when they are scalars (String, Integer, Number, Boolean, Enum),
    // else Json. itemEnumValues holds the allowed items for Enum.
    Type itemType = Type::Json;
    QJsonArray itemEnumValues;
    QString format; // "date", "date-time", "duration", "password", ... or empty
    QJsonValue defaultValue;
    bool hasDefault = false;
    bool required = false;
    bool nullable = false; // null is a valid value (Optional[X], or a null default)
    int position = -1; // Prefect's argument position; -1 when the schema has none
    // Object: the model's fields, when the schema lists them; an object without listed
    // properties (dict[str, Any]) accepts any members.
    QList<ParameterSpec> properties;

    bool isScalar() const
    {
        return type == Type::String || type == Type::Integer || type == Type::Number
            || type == Type::Boolean || type == Type::Enum;
    }
};
