#include "deployment.h"
#include "parameterschema.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using Type = ParameterSpec::Type;
Q_DECLARE_METATYPE(ParameterSpec::Type)

namespace {

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s: %s", qPrintable(error.errorString()), json.constData());
    return doc.object();
}

QJsonValue value(const QByteArray &json)
{
    return QJsonDocument::fromJson("[" + json + "]").array().first();
}

QJsonObject fixture(const QString &name)
{
    QFile file(QFINDTESTDATA(QStringLiteral("data/") + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return QJsonDocument::fromJson(file.readAll()).object();
}

// One parameter "p" with the given property schema and definitions in both Prefect spellings.
QByteArray single(const QByteArray &property, const QByteArray &extra = {})
{
    return R"({"title":"Parameters","type":"object","properties":{"p":)" + property + "}"
        + (extra.isEmpty() ? QByteArray() : "," + extra) + "}";
}

const QByteArray modeDefinitions =
    R"("definitions":{"Mode":{"enum":["fast","slow"],"title":"Mode","type":"string"}})";
const QByteArray modeDefs =
    R"("$defs":{"Mode":{"enum":["fast","slow"],"title":"Mode","type":"string"}})";
const QByteArray optionsDefinitions =
    R"("definitions":{"Options":{"title":"Options","type":"object","required":["names"],)"
    R"("properties":{"retries":{"title":"Retries","type":"integer","default":1},)"
    R"("names":{"title":"Names","type":"array","items":{"type":"string"}}}}})";

} // namespace

class TestParameterSchema : public QObject
{
    Q_OBJECT

private slots:
    void parameter_data();
    void parameter();
    void ordering();
    void objectProperties();
    void recursionIsBounded_data();
    void recursionIsBounded();
    void malformed_data();
    void malformed();
    void validate_data();
    void validate();
    void realPrefect3Deployment();
    void realKitchenSchema_data();
    void realKitchenSchema();
};

void TestParameterSchema::parameter_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<Type>("type");
    QTest::addColumn<Type>("itemType");
    QTest::addColumn<bool>("required");
    QTest::addColumn<bool>("nullable");
    QTest::addColumn<QByteArray>("defaultJson"); // empty: no default
    QTest::addColumn<QByteArray>("enumJson"); // enumValues, or itemEnumValues for arrays
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("title");

    const QByteArray none;
    const QByteArray noEnum = "[]";
    const QString p = QStringLiteral("p");
    auto row = [&](const char *name, const QByteArray &schema, Type type, Type itemType,
                   bool required, bool nullable, const QByteArray &def, const QByteArray &enums,
                   const QString &format = {}, const QString &title = QStringLiteral("p")) {
        QTest::newRow(name) << schema << type << itemType << required << nullable << def << enums
                            << format << title;
    };

    row("string", single(R"({"title":"p","type":"string","position":0})"), Type::String, Type::Json,
        false, false, none, noEnum);
    row("string required", single(R"({"title":"p","type":"string"})", R"("required":["p"])"),
        Type::String, Type::Json, true, false, none, noEnum);
    row("integer default", single(R"({"title":"p","type":"integer","default":42})"), Type::Integer,
        Type::Json, false, false, "42", noEnum);
    row("number default", single(R"({"title":"p","type":"number","default":5.0})"), Type::Number,
        Type::Json, false, false, "5.0", noEnum);
    row("boolean default", single(R"({"title":"p","type":"boolean","default":false})"),
        Type::Boolean, Type::Json, false, false, "false", noEnum);
    row("untyped", single(R"({"title":"p","position":0})", R"("required":["p"])"), Type::Json,
        Type::Json, true, false, none, noEnum);
    row("untyped default null", single(R"({"title":"p","default":null})"), Type::Json, Type::Json,
        false, true, "null", noEnum);
    row("date-time", single(R"({"title":"p","type":"string","format":"date-time"})"), Type::String,
        Type::Json, false, false, none, noEnum, QStringLiteral("date-time"));
    row("date", single(R"({"title":"p","type":"string","format":"date","default":"2025-01-01"})"),
        Type::String, Type::Json, false, false, R"("2025-01-01")", noEnum, QStringLiteral("date"));
    row("duration", single(R"({"title":"p","type":"string","format":"duration","default":"PT5S"})"),
        Type::String, Type::Json, false, false, R"("PT5S")", noEnum, QStringLiteral("duration"));
    row("secret", single(R"({"title":"p","type":"string","format":"password","writeOnly":true})"),
        Type::String, Type::Json, false, false, none, noEnum, QStringLiteral("password"));
    row("list of str", single(R"({"title":"p","type":"array","items":{"type":"string"}})"),
        Type::Array, Type::String, false, false, none, noEnum);
    row("list of int", single(R"({"title":"p","type":"array","items":{"type":"integer"}})"),
        Type::Array, Type::Integer, false, false, none, noEnum);
    row("list of any", single(R"({"title":"p","type":"array","items":{}})"), Type::Array,
        Type::Json, false, false, none, noEnum);
    row("list without items", single(R"({"title":"p","type":"array"})"), Type::Array, Type::Json,
        false, false, none, noEnum);
    row("list of enum (definitions)",
        single(R"({"title":"p","type":"array","items":{"$ref":"#/definitions/Mode"}})",
               modeDefinitions),
        Type::Array, Type::Enum, false, false, none, R"(["fast","slow"])");
    row("list of optional int",
        single(R"({"type":"array","items":{"anyOf":[{"type":"integer"},{"type":"null"}]}})"),
        Type::Array, Type::Json, false, false, none, noEnum);
    row("list of models",
        single(R"({"type":"array","items":{"$ref":"#/definitions/Options"}})", optionsDefinitions),
        Type::Array, Type::Json, false, false, none, noEnum);
    row("tuple prefixItems",
        single(
            R"({"title":"p","type":"array","prefixItems":[{"type":"integer"},{"type":"number"}],"minItems":2,"maxItems":2})"),
        Type::Json, Type::Json, false, false, none, noEnum);
    row("tuple old items list",
        single(R"({"title":"p","type":"array","items":[{"type":"integer"},{"type":"string"}]})"),
        Type::Json, Type::Json, false, false, none, noEnum);
    row("dict", single(R"({"title":"p","type":"object","additionalProperties":true})"),
        Type::Object, Type::Json, false, false, none, noEnum);
    row("union", single(R"({"title":"p","anyOf":[{"type":"string"},{"type":"integer"}]})"),
        Type::Json, Type::Json, false, false, none, noEnum);
    row("optional union",
        single(R"({"anyOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]})"), Type::Json,
        Type::Json, false, true, none, noEnum);
    row("optional int (anyOf)",
        single(R"({"title":"p","anyOf":[{"type":"integer"},{"type":"null"}],"default":null})"),
        Type::Integer, Type::Json, false, true, "null", noEnum);
    row("optional int (oneOf)", single(R"({"oneOf":[{"type":"null"},{"type":"integer"}]})"),
        Type::Integer, Type::Json, false, true, none, noEnum);
    row("optional str (type list)", single(R"({"type":["string","null"]})"), Type::String,
        Type::Json, false, true, none, noEnum);
    row("int with null default", single(R"({"type":"integer","default":null})"), Type::Integer,
        Type::Json, false, true, "null", noEnum);
    row("only null", single(R"({"anyOf":[{"type":"null"}]})"), Type::Json, Type::Json, false, true,
        none, noEnum);
    row("enum inline", single(R"({"title":"p","enum":["a","b"],"type":"string"})"), Type::Enum,
        Type::Json, false, false, none, R"(["a","b"])");
    row("enum of ints", single(R"({"enum":[1,2,3],"type":"integer","default":2})"), Type::Enum,
        Type::Json, false, false, "2", "[1,2,3]");
    row("enum with null member", single(R"({"enum":["a",null]})"), Type::Enum, Type::Json, false,
        true, none, R"(["a"])");
    row("const", single(R"({"const":"only"})"), Type::Enum, Type::Json, false, false, none,
        R"(["only"])");
    row("prefect 2 enum $ref definitions",
        single(R"({"$ref":"#/definitions/Mode","default":"fast","position":3,"title":"p"})",
               modeDefinitions),
        Type::Enum, Type::Json, false, false, R"("fast")", R"(["fast","slow"])");
    row("prefect 3 enum allOf $defs",
        single(R"({"allOf":[{"$ref":"#/$defs/Mode"}],"default":"slow","title":"p"})", modeDefs),
        Type::Enum, Type::Json, false, false, R"("slow")", R"(["fast","slow"])");
    row("optional enum $ref",
        single(R"({"anyOf":[{"$ref":"#/definitions/Mode"},{"type":"null"}],"default":null})",
               modeDefinitions),
        Type::Enum, Type::Json, false, true, "null", R"(["fast","slow"])");
    row("optional enum allOf inside anyOf",
        single(R"({"anyOf":[{"allOf":[{"$ref":"#/$defs/Mode"}]},{"type":"null"}]})", modeDefs),
        Type::Enum, Type::Json, false, true, none, R"(["fast","slow"])");
    row("model $ref", single(R"({"$ref":"#/definitions/Options","title":"p"})", optionsDefinitions),
        Type::Object, Type::Json, false, false, none, noEnum);
    row("optional model",
        single(R"({"anyOf":[{"$ref":"#/definitions/Options"},{"type":"null"}],"default":null})",
               optionsDefinitions),
        Type::Object, Type::Json, false, true, "null", noEnum);
    row("ref chain",
        single(R"({"$ref":"#/$defs/A"})",
               R"("$defs":{"A":{"$ref":"#/$defs/B"},"B":{"type":"integer"}})"),
        Type::Integer, Type::Json, false, false, none, noEnum);
    row("ref with escaped pointer",
        single(R"({"$ref":"#/$defs/a~1b"})", R"("$defs":{"a/b":{"type":"boolean"}})"),
        Type::Boolean, Type::Json, false, false, none, noEnum);
    row("unresolved ref", single(R"({"$ref":"#/definitions/Missing","default":1})"), Type::Json,
        Type::Json, false, false, "1", noEnum);
    row("remote ref", single(R"({"$ref":"https://example.com/schema.json"})"), Type::Json,
        Type::Json, false, false, none, noEnum);
    row("allOf of two", single(R"({"allOf":[{"type":"integer"},{"minimum":1}]})"), Type::Json,
        Type::Json, false, false, none, noEnum);
    row("title from definition is overridden",
        single(R"({"$ref":"#/definitions/Mode","title":"Speed"})", modeDefinitions), Type::Enum,
        Type::Json, false, false, none, R"(["fast","slow"])", QString(), QStringLiteral("Speed"));
    row("no title", single(R"({"type":"string"})"), Type::String, Type::Json, false, false, none,
        noEnum, QString(), QStringLiteral("p"));
    row("true schema", single("true"), Type::Json, Type::Json, false, false, none, noEnum);
    row("unknown type", single(R"({"type":"decimal"})"), Type::Json, Type::Json, false, false, none,
        noEnum);
    Q_UNUSED(p)
}

void TestParameterSchema::parameter()
{
    QFETCH(QByteArray, schema);
    QFETCH(Type, type);
    QFETCH(Type, itemType);
    QFETCH(bool, required);
    QFETCH(bool, nullable);
    QFETCH(QByteArray, defaultJson);
    QFETCH(QByteArray, enumJson);
    QFETCH(QString, format);
    QFETCH(QString, title);

    const QList<ParameterSpec> specs = ParameterSchema::fromJson(object(schema)).parameters();
    QCOMPARE(specs.size(), 1);
    const ParameterSpec &spec = specs.first();
    QCOMPARE(spec.name, QStringLiteral("p"));
    QCOMPARE(spec.type, type);
    QCOMPARE(spec.itemType, itemType);
    QCOMPARE(spec.required, required);
    QCOMPARE(spec.nullable, nullable);
    QCOMPARE(spec.hasDefault, !defaultJson.isEmpty());
    if (!defaultJson.isEmpty())
        QCOMPARE(spec.defaultValue, value(defaultJson));
    const QJsonArray enums = QJsonDocument::fromJson(enumJson).array();
    QCOMPARE(spec.type == Type::Array ? spec.itemEnumValues : spec.enumValues, enums);
    QCOMPARE(spec.format, format);
    if (!title.isEmpty())
        QCOMPARE(spec.title, title);
}

void TestParameterSchema::ordering()
{
    const ParameterSchema schema = ParameterSchema::fromJson(object(R"({"properties":{
        "zeta":{"type":"string","position":0},
        "alpha":{"type":"string","position":2},
        "mid":{"type":"string","position":1},
        "unplaced_b":{"type":"string"},
        "unplaced_a":{"type":"string"}}})"));
    QStringList names;
    for (const ParameterSpec &spec : schema.parameters())
        names.append(spec.name);
    QCOMPARE(names, (QStringList{"zeta", "mid", "alpha", "unplaced_a", "unplaced_b"}));
    QCOMPARE(schema.parameters().at(1).position, 1);
    QCOMPARE(schema.parameters().at(3).position, -1);
    QVERIFY(schema.parameter("mid"));
    QVERIFY(!schema.parameter("nope"));
}

void TestParameterSchema::objectProperties()
{
    const ParameterSchema schema = ParameterSchema::fromJson(
        object(single(R"({"$ref":"#/definitions/Options","default":{"retries":1,"names":[]}})",
                      optionsDefinitions)));
    const ParameterSpec spec = schema.parameters().first();
    QCOMPARE(spec.type, Type::Object);
    QCOMPARE(spec.properties.size(), 2);
    // No positions inside a model: by name.
    QCOMPARE(spec.properties.at(0).name, QStringLiteral("names"));
    QCOMPARE(spec.properties.at(0).type, Type::Array);
    QCOMPARE(spec.properties.at(0).itemType, Type::String);
    QVERIFY(spec.properties.at(0).required);
    QCOMPARE(spec.properties.at(1).name, QStringLiteral("retries"));
    QCOMPARE(spec.properties.at(1).title, QStringLiteral("Retries"));
    QCOMPARE(spec.properties.at(1).type, Type::Integer);
    QCOMPARE(spec.properties.at(1).defaultValue, QJsonValue(1));
    QVERIFY(!spec.properties.at(1).required);
}

void TestParameterSchema::recursionIsBounded_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::newRow("self-referencing model") << single(
        R"({"$ref":"#/definitions/Node"})",
        R"("definitions":{"Node":{"type":"object","properties":{"child":{"$ref":"#/definitions/Node"},"value":{"type":"integer"}}}})");
    QTest::newRow("ref cycle") << single(
        R"({"$ref":"#/$defs/A"})",
        R"("$defs":{"A":{"$ref":"#/$defs/B"},"B":{"$ref":"#/$defs/A"}})");
    QTest::newRow("ref to itself") << single(R"({"$ref":"#/properties/p"})");
    QTest::newRow("ref to root") << single(R"({"$ref":"#"})");
    QTest::newRow("ref to the whole schema")
        << QByteArray(R"({"type":"object","properties":{"p":{"$ref":"#/"}},"":{"$ref":"#/"}})");
    QTest::newRow("optional self") << single(
        R"({"$ref":"#/$defs/T"})",
        R"("$defs":{"T":{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#/$defs/T"},{"type":"null"}]}}}})");
}

void TestParameterSchema::recursionIsBounded()
{
    QFETCH(QByteArray, schema);
    const ParameterSchema parsed = ParameterSchema::fromJson(object(schema));
    QCOMPARE(parsed.parameters().size(), 1);
    // Walk down "child"/"next" until the bound turns the model into Json.
    int levels = 0;
    ParameterSpec spec = parsed.parameters().first();
    while (spec.type == Type::Object && !spec.properties.isEmpty()) {
        ++levels;
        QVERIFY(levels <= ParameterSchema::maxDepth);
        const auto next = std::find_if(
            spec.properties.begin(), spec.properties.end(), [](const ParameterSpec &s) {
                return s.name == QLatin1String("child") || s.name == QLatin1String("next");
            });
        if (next == spec.properties.end())
            break;
        const ParameterSpec copy = *next;
        spec = copy;
    }
    QVERIFY(levels <= ParameterSchema::maxDepth);
    // Whatever the shape, validation terminates too.
    const ParameterSpec top = parsed.parameters().first();
    QJsonObject deep{{"value", 1}};
    for (int i = 0; i < 20; ++i)
        deep = QJsonObject{{"child", deep}, {"next", deep}};
    ParameterSchema::validateValue(top, deep);
    parsed.validate(QJsonObject{{"p", deep}});
}

void TestParameterSchema::malformed_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<int>("count");
    QTest::newRow("empty") << QByteArray("{}") << 0;
    QTest::newRow("no properties (Prefect, no parameters)")
        << QByteArray(R"({"title":"Parameters","type":"object","properties":{}})") << 0;
    QTest::newRow("properties a list") << QByteArray(R"({"properties":[{"type":"string"}]})") << 0;
    QTest::newRow("properties a string") << QByteArray(R"({"properties":"x"})") << 0;
    QTest::newRow("property a number") << QByteArray(R"({"properties":{"p":5}})") << 1;
    QTest::newRow("property null") << QByteArray(R"({"properties":{"p":null}})") << 1;
    QTest::newRow("ref not a string") << single(R"({"$ref":5})") << 1;
    QTest::newRow("ref to a number") << single(R"({"$ref":"#/x"})", R"("x":3)") << 1;
    QTest::newRow("anyOf a string") << single(R"({"anyOf":"x"})") << 1;
    QTest::newRow("anyOf of garbage") << single(R"({"anyOf":[1,"null",null]})") << 1;
    QTest::newRow("allOf of a number") << single(R"({"allOf":[1]})") << 1;
    QTest::newRow("type a number") << single(R"({"type":7})") << 1;
    QTest::newRow("type list of garbage") << single(R"({"type":[1,{}]})") << 1;
    QTest::newRow("position a string") << single(R"({"type":"string","position":"x"})") << 1;
    QTest::newRow("position negative") << single(R"({"type":"string","position":-3})") << 1;
    QTest::newRow("position huge") << single(R"({"type":"string","position":1e300})") << 1;
    QTest::newRow("items a number") << single(R"({"type":"array","items":5})") << 1;
    QTest::newRow("enum a string") << single(R"({"type":"string","enum":"ab"})") << 1;
    QTest::newRow("required not a list")
        << QByteArray(R"({"properties":{"p":{"type":"string"}},"required":5})") << 1;
    QTest::newRow("definitions a list")
        << single(R"({"$ref":"#/definitions/0"})", R"("definitions":[{"type":"string"}])") << 1;
    QTest::newRow("object properties garbage")
        << single(R"({"type":"object","properties":[1,2]})") << 1;
    QTest::newRow("empty name") << QByteArray(R"({"properties":{"":{"type":"string"}}})") << 1;
}

void TestParameterSchema::malformed()
{
    QFETCH(QByteArray, schema);
    QFETCH(int, count);
    const ParameterSchema parsed = ParameterSchema::fromJson(object(schema));
    QCOMPARE(parsed.parameters().size(), count);
    QCOMPARE(parsed.isEmpty(), count == 0);
    for (const ParameterSpec &spec : parsed.parameters()) {
        QVERIFY(spec.type == Type::Json || spec.type == Type::String || spec.type == Type::Object
                || spec.type == Type::Array);
        QCOMPARE(spec.position >= -1, true);
    }
    // Never a crash, and no parameter is required unless the schema says so in a list.
    QCOMPARE(parsed.validate({}).has_value(), false);
    parsed.validate(QJsonObject{{"p", QJsonArray{1, "x", QJsonObject{}}}});
}

void TestParameterSchema::validate_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QByteArray>("values");
    QTest::addColumn<QString>("error"); // empty: valid; else a part of the message

    const QByteArray typed = R"({"type":"object","required":["count"],"properties":{
        "count":{"type":"integer","position":0},
        "flag":{"type":"boolean","default":false,"position":1},
        "label":{"type":"string","default":"x","position":2},
        "mode":{"$ref":"#/definitions/Mode","default":"fast","position":3},
        "options":{"$ref":"#/definitions/Options","position":4},
        "ratio":{"type":"number","position":5},
        "maybe":{"anyOf":[{"type":"integer"},{"type":"null"}],"default":null,"position":6},
        "when":{"type":"string","format":"date-time","position":7},
        "day":{"type":"string","format":"date","position":8},
        "names":{"type":"array","items":{"type":"string"},"position":9},
        "modes":{"type":"array","items":{"$ref":"#/definitions/Mode"},"position":10},
        "any":{"position":11}},)"
        + modeDefinitions.chopped(1) + ","
        + optionsDefinitions.mid(QByteArray(R"("definitions":{)").size()) + "}";

    auto row = [&](const char *name, const QByteArray &values, const char *error) {
        QTest::newRow(name) << typed << values << QString::fromUtf8(error);
    };
    row("minimal", R"({"count":1})", "");
    row("all good",
        R"({"count":-3,"flag":true,"label":"","mode":"slow","options":{"names":["a"],"retries":2},
            "ratio":1.5,"maybe":null,"when":"2025-01-31T12:00:00Z","day":"2025-01-31",
            "names":[],"modes":["fast","slow"],"any":{"x":[1,null]}})",
        "");
    row("required missing", "{}", "Parameter 'count' is required");
    row("unknown members allowed", R"({"count":1,"extra":"y"})", "");
    row("integer as float", R"({"count":2.0})", "");
    row("integer fraction", R"({"count":2.5})", "'count' must be an integer, got 2.5");
    row("integer as string", R"({"count":"2"})", "'count' must be an integer, got \"2\"");
    row("big integer", R"({"count":9007199254740993})", "");
    row("integer null", R"({"count":null})", "'count' must not be null");
    row("optional null", R"({"count":1,"maybe":null})", "");
    row("optional wrong", R"({"count":1,"maybe":"x"})", "'maybe' must be an integer");
    row("number as int", R"({"count":1,"ratio":3})", "");
    row("number as string", R"({"count":1,"ratio":"3"})", "'ratio' must be a number");
    row("boolean as string", R"({"count":1,"flag":"true"})", "'flag' must be true or false");
    row("string as number", R"({"count":1,"label":5})", "'label' must be a string, got 5");
    row("enum outside", R"({"count":1,"mode":"medium"})",
        "'mode' must be one of: fast, slow, got \"medium\"");
    row("enum wrong type", R"({"count":1,"mode":1})", "'mode' must be one of");
    row("model not object", R"({"count":1,"options":[1]})", "'options' must be an object");
    row("model field wrong", R"({"count":1,"options":{"names":[],"retries":"x"}})",
        "'options.retries' must be an integer");
    row("model field missing", R"({"count":1,"options":{"retries":1}})",
        "'options.names' is required");
    row("model list item wrong", R"({"count":1,"options":{"names":["a",2]}})",
        "'options.names[1]' must be a string");
    row("list not list", R"({"count":1,"names":"a"})", "'names' must be a list");
    row("list item wrong", R"({"count":1,"names":["a",null]})", "'names[1]' must not be null");
    row("enum list item wrong", R"({"count":1,"modes":["fast","x"]})",
        "'modes[1]' must be one of: fast, slow");
    row("date-time bad", R"({"count":1,"when":"yesterday"})", "'when' must be a date and time");
    row("date-time with offset", R"({"count":1,"when":"2025-01-31T12:00:00.5+02:00"})", "");
    row("date-time with space", R"({"count":1,"when":"2025-01-31 12:00:00"})", "");
    row("date-time only date", R"({"count":1,"when":"2025-01-31"})", "must be a date and time");
    row("date bad", R"({"count":1,"day":"2025-02-30"})", "'day' must be a date (YYYY-MM-DD)");
    row("any null", R"({"count":1,"any":null})", "");
    row("long value is cut", R"({"count":")" + QByteArray(500, 'a') + R"("})", "…");
}

void TestParameterSchema::validate()
{
    QFETCH(QByteArray, schema);
    QFETCH(QByteArray, values);
    QFETCH(QString, error);
    const std::optional<QString> result =
        ParameterSchema::fromJson(object(schema)).validate(object(values));
    if (error.isEmpty()) {
        QVERIFY2(!result, qPrintable(result.value_or(QString())));
    } else {
        QVERIFY(result);
        QVERIFY2(result->contains(error), qPrintable(*result));
        QVERIFY(!result->contains(u'\n'));
        QVERIFY(result->size() < 200);
    }
}

// The schema a real Prefect 3.9 server holds for tests/e2e/flows.py's ue-typed deployment.
void TestParameterSchema::realPrefect3Deployment()
{
    const Deployment deployment =
        Deployment::fromJson(fixture(QStringLiteral("prefect3-typed-deployment.json")));
    const ParameterSchema schema = ParameterSchema::fromJson(deployment.parameterSchema());
    const QList<ParameterSpec> specs = schema.parameters();
    QCOMPARE(specs.size(), 5);

    QCOMPARE(specs.at(0).name, QStringLiteral("count"));
    QCOMPARE(specs.at(0).type, Type::Integer);
    QVERIFY(specs.at(0).required);
    QVERIFY(!specs.at(0).hasDefault);

    QCOMPARE(specs.at(1).name, QStringLiteral("flag"));
    QCOMPARE(specs.at(1).type, Type::Boolean);
    QCOMPARE(specs.at(1).defaultValue, QJsonValue(false));
    QVERIFY(!specs.at(1).required);

    QCOMPARE(specs.at(2).name, QStringLiteral("label"));
    QCOMPARE(specs.at(2).type, Type::String);
    QCOMPARE(specs.at(2).defaultValue, QJsonValue("x"));

    QCOMPARE(specs.at(3).name, QStringLiteral("mode"));
    QCOMPARE(specs.at(3).type, Type::Enum);
    QCOMPARE(specs.at(3).title, QStringLiteral("mode"));
    QCOMPARE(specs.at(3).enumValues, (QJsonArray{"fast", "slow"}));
    QCOMPARE(specs.at(3).defaultValue, QJsonValue("fast"));

    QCOMPARE(specs.at(4).name, QStringLiteral("options"));
    QCOMPARE(specs.at(4).type, Type::Object);
    QCOMPARE(specs.at(4).defaultValue,
             QJsonValue(QJsonObject{{"retries", 1}, {"names", QJsonArray()}}));
    QCOMPARE(specs.at(4).properties.size(), 2);
    QCOMPARE(specs.at(4).properties.at(0).name, QStringLiteral("names"));
    QCOMPARE(specs.at(4).properties.at(0).itemType, Type::String);
    QCOMPARE(specs.at(4).properties.at(1).type, Type::Integer);

    QVERIFY(!schema.validate(QJsonObject{{"count", 3}}));
    QVERIFY(schema.validate({}));
    QVERIFY(schema.validate(QJsonObject{{"count", 3}, {"mode", "medium"}}));
}

void TestParameterSchema::realKitchenSchema_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<Type>("type");
    QTest::addColumn<Type>("itemType");
    QTest::addColumn<bool>("nullable");
    QTest::addColumn<QString>("format");

    auto row = [](const char *name, Type type, Type itemType = Type::Json, bool nullable = false,
                  const char *format = "") {
        QTest::newRow(name) << QString::fromLatin1(name) << type << itemType << nullable
                            << QString::fromLatin1(format);
    };
    row("count", Type::Integer);
    row("ratio", Type::Number);
    row("label", Type::String);
    row("flag", Type::Boolean);
    row("mode", Type::Enum);
    row("maybe_mode", Type::Enum, Type::Json, true);
    row("maybe_count", Type::Integer, Type::Json, true);
    row("when", Type::String, Type::Json, false, "date-time");
    row("day", Type::String, Type::Json, false, "date");
    row("names", Type::Array, Type::String);
    row("counts", Type::Array, Type::Integer);
    row("modes", Type::Array, Type::Enum);
    row("mapping", Type::Object);
    row("pair", Type::Json);
    row("either", Type::Json);
    row("options", Type::Object);
    row("maybe_options", Type::Object, Type::Json, true);
    row("anything", Type::Json, Type::Json, true);
}

// parameter_schema() of Prefect 3.9.1 and 2.20.27 (identical output) for a flow with every
// parameter shape: see tests/data/README.md.
void TestParameterSchema::realKitchenSchema()
{
    QFETCH(QString, name);
    QFETCH(Type, type);
    QFETCH(Type, itemType);
    QFETCH(bool, nullable);
    QFETCH(QString, format);
    const ParameterSchema schema =
        ParameterSchema::fromJson(fixture(QStringLiteral("prefect-kitchen-schema.json")));
    QCOMPARE(schema.parameters().size(), 18);
    QCOMPARE(schema.parameters().first().name, QStringLiteral("count"));
    QCOMPARE(schema.parameters().last().name, QStringLiteral("anything"));
    const std::optional<ParameterSpec> spec = schema.parameter(name);
    QVERIFY(spec);
    QCOMPARE(spec->type, type);
    QCOMPARE(spec->itemType, itemType);
    QCOMPARE(spec->nullable, nullable);
    QCOMPARE(spec->format, format);
    QCOMPARE(spec->required, name == QLatin1String("count"));
    // Its own default is always a valid value.
    if (spec->hasDefault)
        QVERIFY2(
            !ParameterSchema::validateValue(*spec, spec->defaultValue),
            qPrintable(
                ParameterSchema::validateValue(*spec, spec->defaultValue).value_or(QString())));
}

QTEST_GUILESS_MAIN(TestParameterSchema)
#include "tst_parameterschema.moc"
