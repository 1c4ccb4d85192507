#include "parameterschema.h"

#include "messagetext.h"

#include <QDate>
#include <QDateTime>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace {

using Type = ParameterSpec::Type;

const QString refKey = QStringLiteral("$ref");

// A local JSON pointer ("#/definitions/Mode", "#/$defs/Mode"); anything else is unresolvable.
std::optional<QJsonObject> lookup(const QJsonObject &root, const QString &ref)
{
    if (!ref.startsWith(QLatin1String("#/")))
        return std::nullopt;
    QJsonValue node = root;
    const QStringList tokens = ref.mid(2).split(u'/');
    for (QString token : tokens) {
        token.replace(QLatin1String("~1"), QLatin1String("/"));
        token.replace(QLatin1String("~0"), QLatin1String("~"));
        if (!node.isObject())
            return std::nullopt;
        node = node.toObject().value(token);
    }
    if (!node.isObject())
        return std::nullopt;
    return node.toObject();
}

// The base schema with the local keys laid over it: a property's own title and default win over
// those of the definition it refers to.
QJsonObject overlay(QJsonObject base, const QJsonObject &local, const QString &skip)
{
    for (auto it = local.begin(); it != local.end(); ++it) {
        if (it.key() != skip)
            base.insert(it.key(), it.value());
    }
    return base;
}

bool isNullSchema(const QJsonValue &branch)
{
    return branch.toObject().value(QLatin1String("type")) == QLatin1String("null");
}

struct Flattened
{
    QJsonObject schema;
    bool nullable = false;
    bool unresolved = false; // a $ref that points nowhere or too deep
};

// Follows $ref, single-branch allOf (Prefect's enum wrapping) and anyOf/oneOf with a null branch
// (Optional[X]) until the schema says what it is. Each $ref hop costs one unit of *depth.
Flattened flatten(const QJsonObject &root, QJsonObject schema, int *depth)
{
    Flattened result;
    for (;;) {
        if (schema.contains(refKey)) {
            std::optional<QJsonObject> target;
            if (++*depth <= ParameterSchema::maxDepth)
                target = lookup(root, schema.value(refKey).toString());
            if (!target) {
                result.unresolved = true;
                schema.remove(refKey);
                break;
            }
            schema = overlay(*target, schema, refKey);
            continue;
        }
        const QJsonArray allOf = schema.value(QLatin1String("allOf")).toArray();
        if (allOf.size() == 1 && allOf.first().isObject()) {
            schema = overlay(allOf.first().toObject(), schema, QStringLiteral("allOf"));
            continue;
        }
        bool merged = false;
        for (const QString &key : {QStringLiteral("anyOf"), QStringLiteral("oneOf")}) {
            const QJsonValue branches = schema.value(key);
            if (!branches.isArray())
                continue;
            QJsonArray rest;
            for (const QJsonValue &branch : branches.toArray()) {
                if (isNullSchema(branch))
                    result.nullable = true;
                else
                    rest.append(branch);
            }
            if (rest.size() == 1 && rest.first().isObject()) {
                schema = overlay(rest.first().toObject(), schema, key);
                merged = true;
            }
            break;
        }
        if (merged)
            continue;
        break;
    }
    // JSON Schema's own spelling of Optional: "type": ["integer", "null"].
    const QJsonValue type = schema.value(QLatin1String("type"));
    if (type.isArray()) {
        QJsonArray rest;
        for (const QJsonValue &t : type.toArray()) {
            if (t == QLatin1String("null"))
                result.nullable = true;
            else
                rest.append(t);
        }
        if (rest.size() == 1)
            schema.insert(QLatin1String("type"), rest.first());
    }
    result.schema = schema;
    return result;
}

std::optional<Type> scalarType(const QString &type)
{
    if (type == QLatin1String("string"))
        return Type::String;
    if (type == QLatin1String("integer"))
        return Type::Integer;
    if (type == QLatin1String("number"))
        return Type::Number;
    if (type == QLatin1String("boolean"))
        return Type::Boolean;
    return std::nullopt;
}

// enum (or const) values, without null, which only makes the parameter nullable.
bool readEnum(const QJsonObject &schema, QJsonArray *values, bool *nullable)
{
    QJsonArray raw;
    if (schema.value(QLatin1String("enum")).isArray())
        raw = schema.value(QLatin1String("enum")).toArray();
    else if (schema.contains(QLatin1String("const")))
        raw = QJsonArray{schema.value(QLatin1String("const"))};
    else
        return false;
    for (const QJsonValue &v : raw) {
        if (v.isNull())
            *nullable = true;
        else
            values->append(v);
    }
    return true;
}

void sortByPosition(QList<ParameterSpec> *specs)
{
    std::stable_sort(specs->begin(), specs->end(),
                     [](const ParameterSpec &a, const ParameterSpec &b) {
                         const bool aHas = a.position >= 0;
                         const bool bHas = b.position >= 0;
                         if (aHas != bHas)
                             return aHas;
                         if (aHas && a.position != b.position)
                             return a.position < b.position;
                         return a.name < b.name;
                     });
}

QSet<QString> requiredNames(const QJsonObject &schema)
{
    QSet<QString> names;
    for (const QJsonValue &v : schema.value(QLatin1String("required")).toArray())
        names.insert(v.toString());
    return names;
}

QList<ParameterSpec> parseProperties(const QJsonObject &root, const QJsonObject &schema, int depth);

ParameterSpec parseSpec(const QJsonObject &root, const QString &name, const QJsonValue &value,
                        bool required, int depth)
{
    ParameterSpec spec;
    spec.name = name;
    spec.title = name;
    spec.required = required;
    if (!value.isObject())
        return spec; // `true` or garbage: accepts anything
    const QJsonObject local = value.toObject();
    const QJsonValue position = local.value(QLatin1String("position"));
    if (position.isDouble() && position.toDouble() >= 0 && position.toDouble() < 1e9)
        spec.position = position.toInt();

    const Flattened flat = flatten(root, local, &depth);
    const QJsonObject &s = flat.schema;
    spec.nullable = flat.nullable;
    // The property's own title: a definition's title names the type ("Mode"), not the parameter.
    const QString title = local.value(QLatin1String("title")).toString();
    if (!title.isEmpty())
        spec.title = title;
    spec.description = s.value(QLatin1String("description")).toString();
    spec.format = s.value(QLatin1String("format")).toString();
    if (s.contains(QLatin1String("default"))) {
        spec.hasDefault = true;
        spec.defaultValue = s.value(QLatin1String("default"));
        // A flow accepts its own default: `x: int = None` is Optional in practice.
        if (spec.defaultValue.isNull())
            spec.nullable = true;
    }
    if (flat.unresolved)
        return spec;

    if (readEnum(s, &spec.enumValues, &spec.nullable)) {
        spec.type = Type::Enum;
        return spec;
    }
    const QString type = s.value(QLatin1String("type")).toString();
    if (const std::optional<Type> scalar = scalarType(type)) {
        spec.type = *scalar;
        return spec;
    }
    if (type == QLatin1String("array")) {
        // Tuples (prefixItems, or the old list form of items) have no line-per-item form.
        if (s.contains(QLatin1String("prefixItems")) || s.value(QLatin1String("items")).isArray())
            return spec;
        spec.type = Type::Array;
        const QJsonValue items = s.value(QLatin1String("items"));
        if (items.isObject()) {
            int itemDepth = depth;
            const Flattened item = flatten(root, items.toObject(), &itemDepth);
            bool itemNullable = false;
            if (item.unresolved || item.nullable) {
                spec.itemType = Type::Json;
            } else if (readEnum(item.schema, &spec.itemEnumValues, &itemNullable)) {
                spec.itemType = itemNullable ? Type::Json : Type::Enum;
            } else if (const std::optional<Type> itemScalar =
                           scalarType(item.schema.value(QLatin1String("type")).toString())) {
                spec.itemType = *itemScalar;
            }
        }
        if (spec.itemType != Type::Enum)
            spec.itemEnumValues = {};
        return spec;
    }
    if (type == QLatin1String("object")) {
        if (depth + 1 > ParameterSchema::maxDepth)
            return spec;
        spec.type = Type::Object;
        spec.properties = parseProperties(root, s, depth + 1);
        return spec;
    }
    return spec;
}

QList<ParameterSpec> parseProperties(const QJsonObject &root, const QJsonObject &schema, int depth)
{
    QList<ParameterSpec> specs;
    const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
    const QSet<QString> required = requiredNames(schema);
    for (auto it = properties.begin(); it != properties.end(); ++it)
        specs.append(parseSpec(root, it.key(), it.value(), required.contains(it.key()), depth));
    sortByPosition(&specs);
    return specs;
}

QString describe(const QJsonValue &value)
{
    QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    text = text.mid(1, text.size() - 2);
    return MessageText::oneLine(QString::fromUtf8(text), 60);
}

QString enumList(const QJsonArray &values)
{
    QStringList parts;
    for (const QJsonValue &v : values)
        parts.append(v.isString() ? v.toString() : describe(v));
    return MessageText::oneLine(parts.join(QLatin1String(", ")), 120);
}

bool isInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    return std::isfinite(d) && std::floor(d) == d;
}

std::optional<QString> checkFormat(const QString &format, const QString &text)
{
    if (format == QLatin1String("date")) {
        if (!QDate::fromString(text, Qt::ISODate).isValid())
            return QStringLiteral("a date (YYYY-MM-DD)");
    } else if (format == QLatin1String("date-time")) {
        QString iso = text;
        // Pydantic also takes a space between date and time.
        if (iso.size() > 10 && iso.at(10) == u' ')
            iso[10] = u'T';
        if (iso.size() <= 10 || !QDateTime::fromString(iso, Qt::ISODateWithMs).isValid())
            return QStringLiteral("a date and time (ISO 8601, e.g. 2025-01-31T12:00:00Z)");
    }
    return std::nullopt;
}

std::optional<QString> checkValue(const ParameterSpec &spec, const QJsonValue &value,
                                  const QString &path);

std::optional<QString> checkMembers(const QList<ParameterSpec> &specs, const QJsonObject &values,
                                    const QString &prefix)
{
    for (const ParameterSpec &spec : specs) {
        const QString path = prefix + spec.name;
        if (!values.contains(spec.name)) {
            if (spec.required)
                return QStringLiteral("Parameter '%1' is required").arg(path);
            continue;
        }
        if (std::optional<QString> error = checkValue(spec, values.value(spec.name), path))
            return error;
    }
    return std::nullopt;
}

std::optional<QString> checkValue(const ParameterSpec &spec, const QJsonValue &value,
                                  const QString &path)
{
    const auto mustBe = [&](const QString &what) {
        return QStringLiteral("Parameter '%1' must be %2, got %3").arg(path, what, describe(value));
    };
    if (value.isNull() || value.isUndefined()) {
        if (spec.nullable || spec.type == Type::Json)
            return std::nullopt;
        return QStringLiteral("Parameter '%1' must not be null").arg(path);
    }
    switch (spec.type) {
    case Type::String:
        if (!value.isString())
            return mustBe(QStringLiteral("a string"));
        if (const std::optional<QString> what = checkFormat(spec.format, value.toString()))
            return mustBe(*what);
        return std::nullopt;
    case Type::Integer:
        return isInteger(value) ? std::nullopt
                                : std::optional(mustBe(QStringLiteral("an integer")));
    case Type::Number:
        return value.isDouble() ? std::nullopt : std::optional(mustBe(QStringLiteral("a number")));
    case Type::Boolean:
        return value.isBool() ? std::nullopt
                              : std::optional(mustBe(QStringLiteral("true or false")));
    case Type::Enum:
        if (spec.enumValues.contains(value))
            return std::nullopt;
        return mustBe(QStringLiteral("one of: %1").arg(enumList(spec.enumValues)));
    case Type::Array: {
        if (!value.isArray())
            return mustBe(QStringLiteral("a list"));
        if (spec.itemType == Type::Json)
            return std::nullopt;
        ParameterSpec item;
        item.type = spec.itemType;
        item.enumValues = spec.itemEnumValues;
        const QJsonArray items = value.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString itemPath = QStringLiteral("%1[%2]").arg(path).arg(i);
            if (std::optional<QString> error = checkValue(item, items.at(i), itemPath))
                return error;
        }
        return std::nullopt;
    }
    case Type::Object:
        if (!value.isObject())
            return mustBe(QStringLiteral("an object"));
        return checkMembers(spec.properties, value.toObject(), path + u'.');
    case Type::Json:
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

ParameterSchema ParameterSchema::fromJson(const QJsonObject &schema)
{
    ParameterSchema result;
    result.m_parameters = parseProperties(schema, schema, 0);
    return result;
}

std::optional<ParameterSpec> ParameterSchema::parameter(const QString &name) const
{
    for (const ParameterSpec &spec : m_parameters) {
        if (spec.name == name)
            return spec;
    }
    return std::nullopt;
}

std::optional<QString> ParameterSchema::validate(const QJsonObject &values) const
{
    return checkMembers(m_parameters, values, {});
}

std::optional<QString> ParameterSchema::validateValue(const ParameterSpec &spec,
                                                      const QJsonValue &value)
{
    return checkValue(spec, value, spec.name);
}
