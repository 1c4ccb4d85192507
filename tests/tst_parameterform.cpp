#include "deployment.h"
#include "parameterform.h"
#include "parameterschema.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QtTest>

namespace {

QJsonObject fixture(const QString &name)
{
    QFile file(QFINDTESTDATA(QStringLiteral("data/") + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return QJsonDocument::fromJson(file.readAll()).object();
}

ParameterSchema typedSchema()
{
    return ParameterSchema::fromJson(
        Deployment::fromJson(fixture(QStringLiteral("prefect3-typed-deployment.json")))
            .parameterSchema());
}

ParameterSchema kitchenSchema()
{
    return ParameterSchema::fromJson(fixture(QStringLiteral("prefect-kitchen-schema.json")));
}

ParameterSchema schemaOf(const QByteArray &properties, const QByteArray &required = "[]")
{
    return ParameterSchema::fromJson(QJsonDocument::fromJson(R"({"type":"object","properties":)"
                                                             + properties + R"(,"required":)"
                                                             + required + "}")
                                         .object());
}

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

template<typename T> T *editor(const ParameterForm &form, const QString &name)
{
    return form.findChild<T *>(QStringLiteral("param_") + name);
}

QLabel *errorLabel(const ParameterForm &form, const QString &name)
{
    return form.findChild<QLabel *>(QStringLiteral("paramError_") + name);
}

} // namespace

class TestParameterForm : public QObject
{
    Q_OBJECT

private slots:
    void widgetPerType_data();
    void widgetPerType();
    void labelsAndTooltips();
    void defaultsShown();
    void editsReflectedInValues();
    void emptiedEditor_data();
    void emptiedEditor();
    void integersAreNotClamped_data();
    void integersAreNotClamped();
    void numbers();
    void lineListEditor();
    void jsonFallbackRoundTrip();
    void misfitValuesAreReported();
    void inlineFieldErrors();
    void editAsJsonRoundTrip();
    void editAsJsonRefusesInvalidText();
    void editAsJsonKeepsUnparsedFields();
    void typedFlowWidgets_data();
    void typedFlowWidgets();
    void setValuesRoundTrip();
    void noParameters();
    void rebuildsOnNewSchema();
};

void TestParameterForm::widgetPerType_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("widgetClass");
    const QString line = QStringLiteral("QLineEdit");
    const QString check = QStringLiteral("QCheckBox");
    const QString combo = QStringLiteral("QComboBox");
    const QString text = QStringLiteral("QPlainTextEdit");
    for (const auto &[name, cls] :
         std::initializer_list<std::pair<const char *, QString>>{{"count", line},
                                                                 {"ratio", line},
                                                                 {"label", line},
                                                                 {"flag", check},
                                                                 {"mode", combo},
                                                                 {"maybe_mode", combo},
                                                                 {"maybe_count", line},
                                                                 {"when", line},
                                                                 {"day", line},
                                                                 {"names", text},
                                                                 {"counts", text},
                                                                 {"modes", text},
                                                                 {"mapping", text},
                                                                 {"pair", text},
                                                                 {"either", text},
                                                                 {"options", text},
                                                                 {"maybe_options", text},
                                                                 {"anything", text}})
        QTest::newRow(name) << QString::fromLatin1(name) << cls;
}

void TestParameterForm::widgetPerType()
{
    QFETCH(QString, name);
    QFETCH(QString, widgetClass);
    ParameterForm form;
    form.setSchema(kitchenSchema(), {});
    QWidget *widget = editor<QWidget>(form, name);
    QVERIFY(widget);
    QCOMPARE(QString::fromLatin1(widget->metaObject()->className()), widgetClass);
}

void TestParameterForm::labelsAndTooltips()
{
    ParameterForm form;
    form.setSchema(schemaOf(R"({"count":{"title":"Count","type":"integer","description":"How many"},
                                "label":{"type":"string"}})",
                            R"(["count"])"),
                   {});
    auto *count = form.findChild<QLabel *>(QStringLiteral("paramLabel_count"));
    auto *label = form.findChild<QLabel *>(QStringLiteral("paramLabel_label"));
    QVERIFY(count && label);
    QCOMPARE(count->text(), QStringLiteral("Count *"));
    QCOMPARE(label->text(), QStringLiteral("label"));
    QCOMPARE(count->toolTip(), QStringLiteral("How many"));
    QCOMPARE(editor<QLineEdit>(form, "count")->toolTip(), QStringLiteral("How many"));
}

void TestParameterForm::defaultsShown()
{
    ParameterForm form;
    // The deployment's parameters override the flow's defaults.
    form.setSchema(typedSchema(), QJsonObject{{"label", "from-deployment"}, {"flag", true}});
    QCOMPARE(editor<QLineEdit>(form, "count")->text(), QString());
    QCOMPARE(editor<QLineEdit>(form, "label")->text(), QStringLiteral("from-deployment"));
    QCOMPARE(editor<QCheckBox>(form, "flag")->checkState(), Qt::Checked);
    QVERIFY(!editor<QCheckBox>(form, "flag")->isTristate());
    QCOMPARE(editor<QComboBox>(form, "mode")->currentText(), QStringLiteral("fast"));
    QCOMPARE(
        QJsonDocument::fromJson(editor<QPlainTextEdit>(form, "options")->toPlainText().toUtf8())
            .object(),
        (QJsonObject{{"retries", 1}, {"names", QJsonArray()}}));

    const QJsonObject values = form.values();
    QVERIFY(!values.contains("count"));
    QCOMPARE(values.value("label"), QJsonValue("from-deployment"));
    QCOMPARE(values.value("flag"), QJsonValue(true));
    QCOMPARE(values.value("mode"), QJsonValue("fast"));
    QCOMPARE(values.value("options"),
             QJsonValue(QJsonObject{{"retries", 1}, {"names", QJsonArray()}}));
    const std::optional<QString> error = form.validationError();
    QVERIFY(error);
    QVERIFY2(error->contains("'count' is required"), qPrintable(*error));
}

void TestParameterForm::editsReflectedInValues()
{
    ParameterForm form;
    form.setSchema(typedSchema(), {});
    QSignalSpy changed(&form, &ParameterForm::changed);

    QTest::keyClicks(editor<QLineEdit>(form, "count"), "17");
    QCOMPARE(form.values().value("count"), QJsonValue(17));
    QVERIFY(changed.count() >= 2);
    QVERIFY(!form.validationError());

    // The validator keeps letters out of an integer field.
    QTest::keyClicks(editor<QLineEdit>(form, "count"), "x");
    QCOMPARE(editor<QLineEdit>(form, "count")->text(), QStringLiteral("17"));

    editor<QComboBox>(form, "mode")->setCurrentText("slow");
    QCOMPARE(form.values().value("mode"), QJsonValue("slow"));
    editor<QCheckBox>(form, "flag")->click();
    QCOMPARE(form.values().value("flag"), QJsonValue(true));
    editor<QLineEdit>(form, "label")->setText("hello");
    QCOMPARE(form.values().value("label"), QJsonValue("hello"));
    editor<QPlainTextEdit>(form, "options")->setPlainText(R"({"retries": 4, "names": ["n"]})");
    QCOMPARE(form.values().value("options"),
             QJsonValue(QJsonObject{{"retries", 4}, {"names", QJsonArray{"n"}}}));
    QVERIFY(!form.validationError());

    const int before = changed.count();
    editor<QPlainTextEdit>(form, "options")->setPlainText(R"({"retries": "many", "names": []})");
    QVERIFY(changed.count() > before);
    const std::optional<QString> error = form.validationError();
    QVERIFY(error);
    QVERIFY2(error->contains("'options.retries' must be an integer"), qPrintable(*error));
}

void TestParameterForm::emptiedEditor_data()
{
    QTest::addColumn<QByteArray>("property");
    QTest::addColumn<bool>("required");
    QTest::addColumn<QByteArray>("expected"); // JSON of values() after emptying

    QTest::newRow("optional string, no default")
        << QByteArray(R"({"type":"string"})") << false << QByteArray("{}");
    QTest::newRow("string with default sends empty")
        << QByteArray(R"({"type":"string","default":"x"})") << false << QByteArray(R"({"p":""})");
    QTest::newRow("required string missing")
        << QByteArray(R"({"type":"string"})") << true << QByteArray("{}");
    QTest::newRow("date with default falls back")
        << QByteArray(R"({"type":"string","format":"date","default":"2025-01-01"})") << false
        << QByteArray("{}");
    QTest::newRow("integer with default falls back")
        << QByteArray(R"({"type":"integer","default":3})") << false << QByteArray("{}");
    QTest::newRow("optional int with default sends null")
        << QByteArray(R"({"anyOf":[{"type":"integer"},{"type":"null"}],"default":5})") << false
        << QByteArray(R"({"p":null})");
    QTest::newRow("required optional int sends null")
        << QByteArray(R"({"anyOf":[{"type":"integer"},{"type":"null"}]})") << true
        << QByteArray(R"({"p":null})");
    QTest::newRow("list with default sends empty list")
        << QByteArray(R"({"type":"array","items":{"type":"string"},"default":["a"]})") << false
        << QByteArray(R"({"p":[]})");
    QTest::newRow("list without default left out")
        << QByteArray(R"({"type":"array","items":{"type":"string"}})") << false << QByteArray("{}");
    QTest::newRow("json without default left out")
        << QByteArray(R"({})") << false << QByteArray("{}");
    QTest::newRow("boolean without default left out")
        << QByteArray(R"({"type":"boolean"})") << false << QByteArray("{}");
    QTest::newRow("enum blank left out")
        << QByteArray(R"({"enum":["a","b"],"default":"b"})") << false << QByteArray("{}");
}

void TestParameterForm::emptiedEditor()
{
    QFETCH(QByteArray, property);
    QFETCH(bool, required);
    QFETCH(QByteArray, expected);
    ParameterForm form;
    form.setSchema(schemaOf(R"({"p":)" + property + "}", required ? R"(["p"])" : "[]"), {});
    QWidget *widget = editor<QWidget>(form, "p");
    QVERIFY(widget);
    if (auto *line = qobject_cast<QLineEdit *>(widget))
        line->clear();
    else if (auto *text = qobject_cast<QPlainTextEdit *>(widget))
        text->clear();
    else if (auto *check = qobject_cast<QCheckBox *>(widget))
        check->setCheckState(Qt::PartiallyChecked);
    else if (auto *combo = qobject_cast<QComboBox *>(widget))
        combo->setCurrentIndex(0);
    QCOMPARE(form.values(), object(expected));
    // A required parameter left empty is reported, unless null is its value.
    const bool nullSent = form.values().value("p").isNull() && form.values().contains("p");
    QCOMPARE(form.validationError().has_value(), required && !nullSent);
}

void TestParameterForm::integersAreNotClamped_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected"); // empty: an error
    QTest::newRow("small") << "42" << QByteArray("42");
    QTest::newRow("negative") << "-7" << QByteArray("-7");
    QTest::newRow("beyond 32 bits") << "4294967296" << QByteArray("4294967296");
    QTest::newRow("beyond doubles") << "9007199254740993" << QByteArray("9007199254740993");
    QTest::newRow("int64 max") << "9223372036854775807" << QByteArray("9223372036854775807");
    QTest::newRow("past int64") << "9223372036854775808" << QByteArray();
    QTest::newRow("spaces") << " 5 " << QByteArray("5");
}

void TestParameterForm::integersAreNotClamped()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    ParameterForm form;
    form.setSchema(schemaOf(R"({"n":{"type":"integer"}})"), {});
    editor<QLineEdit>(form, "n")->setText(text);
    if (expected.isEmpty()) {
        QVERIFY(!form.values().contains("n"));
        const std::optional<QString> error = form.validationError();
        QVERIFY(error);
        QVERIFY2(error->contains("out of range"), qPrintable(*error));
        QVERIFY(errorLabel(form, "n")->isVisibleTo(&form));
        return;
    }
    QVERIFY(!form.validationError());
    const QByteArray json = QJsonDocument(form.values()).toJson(QJsonDocument::Compact);
    QCOMPARE(json, R"({"n":)" + expected + "}");
}

void TestParameterForm::numbers()
{
    ParameterForm form;
    form.setSchema(schemaOf(R"({"x":{"type":"number","default":5.0}})"), {});
    QCOMPARE(editor<QLineEdit>(form, "x")->text(), QStringLiteral("5"));
    editor<QLineEdit>(form, "x")->setText("1e3");
    QCOMPARE(form.values().value("x"), QJsonValue(1000.0));
    editor<QLineEdit>(form, "x")->setText("-0.25");
    QCOMPARE(form.values().value("x"), QJsonValue(-0.25));
    editor<QLineEdit>(form, "x")->setText("1e400");
    QVERIFY(form.validationError());
    QVERIFY(!form.values().contains("x"));
}

void TestParameterForm::lineListEditor()
{
    ParameterForm form;
    form.setSchema(kitchenSchema(), QJsonObject{{"count", 1}});
    auto *names = editor<QPlainTextEdit>(form, "names");
    QCOMPARE(names->toPlainText(), QStringLiteral("a\nb")); // the flow's default ["a", "b"]
    names->setPlainText("one\n two words \n\n");
    QCOMPARE(form.values().value("names"), QJsonValue(QJsonArray{"one", " two words "}));

    auto *counts = editor<QPlainTextEdit>(form, "counts");
    counts->setPlainText("1\n2");
    QCOMPARE(form.values().value("counts"), QJsonValue(QJsonArray{1, 2}));
    counts->setPlainText("1\nx");
    std::optional<QString> error = form.validationError();
    QVERIFY(error);
    QVERIFY2(error->contains("'x' is not an integer"), qPrintable(*error));

    counts->clear();
    auto *modes = editor<QPlainTextEdit>(form, "modes");
    modes->setPlainText("fast\nslow");
    QCOMPARE(form.values().value("modes"), QJsonValue(QJsonArray{"fast", "slow"}));
    modes->setPlainText("fast\nmedium");
    error = form.validationError();
    QVERIFY(error);
    QVERIFY2(error->contains("'modes[1]' must be one of: fast, slow"), qPrintable(*error));
    QVERIFY(errorLabel(form, "modes")->isVisibleTo(&form));
}

void TestParameterForm::jsonFallbackRoundTrip()
{
    ParameterForm form;
    form.setSchema(kitchenSchema(), QJsonObject{{"count", 1}});
    auto *either = editor<QPlainTextEdit>(form, "either"); // Union[int, str]
    QCOMPARE(either->toPlainText(), QStringLiteral("1"));
    for (const QJsonValue &v :
         {QJsonValue("text"), QJsonValue(3), QJsonValue(QJsonArray{1, "a"}),
          QJsonValue(QJsonObject{{"k", QJsonArray{true, QJsonValue::Null}}})}) {
        form.setValues(QJsonObject{{"count", 1}, {"either", v}});
        QCOMPARE(form.values().value("either"), v);
        // What is shown parses back to the same value.
        const QString shown = either->toPlainText();
        either->setPlainText(shown + QStringLiteral(" "));
        QCOMPARE(form.values().value("either"), v);
    }
    either->setPlainText(R"({"a":)");
    const std::optional<QString> error = form.validationError();
    QVERIFY(error);
    QVERIFY2(error->contains("'either': not valid JSON"), qPrintable(*error));
    QVERIFY(errorLabel(form, "either")->isVisibleTo(&form));
    QVERIFY(!form.values().contains("either"));
    either->setPlainText("1, 2");
    QVERIFY(form.validationError());
    either->setPlainText(R"("fine")");
    QVERIFY2(!form.validationError(), qPrintable(form.validationError().value_or(QString())));
    QVERIFY(!errorLabel(form, "either")->isVisibleTo(&form));
}

void TestParameterForm::misfitValuesAreReported()
{
    ParameterForm form;
    form.setSchema(typedSchema(), {});
    form.setValues(QJsonObject{{"count", "abc"}, {"mode", "medium"}, {"flag", "yes"}});
    // Kept as given, not silently converted, and reported.
    QCOMPARE(form.values().value("count"), QJsonValue("abc"));
    QCOMPARE(form.values().value("mode"), QJsonValue("medium"));
    QCOMPARE(form.values().value("flag"), QJsonValue("yes"));
    QCOMPARE(editor<QLineEdit>(form, "count")->text(), QStringLiteral("abc"));
    std::optional<QString> error = form.validationError();
    QVERIFY(error);
    QVERIFY2(error->contains("'count' must be an integer"), qPrintable(*error));
    QVERIFY(errorLabel(form, "mode")->isVisibleTo(&form));

    // The user's edit replaces the misfit.
    editor<QLineEdit>(form, "count")->setText("3");
    editor<QComboBox>(form, "mode")->setCurrentText("slow");
    editor<QCheckBox>(form, "flag")->setCheckState(Qt::Checked);
    QVERIFY2(!form.validationError(), qPrintable(form.validationError().value_or(QString())));
    QCOMPARE(form.values().value("mode"), QJsonValue("slow"));
    QVERIFY(!errorLabel(form, "mode")->isVisibleTo(&form));
}

void TestParameterForm::inlineFieldErrors()
{
    ParameterForm form;
    form.setSchema(kitchenSchema(), QJsonObject{{"count", 1}});
    QCOMPARE(editor<QLineEdit>(form, "when")->text(), QStringLiteral("2025-01-31T12:00:00Z"));
    QVERIFY(!form.validationError());
    editor<QLineEdit>(form, "when")->setText("tomorrow");
    QVERIFY(errorLabel(form, "when")->isVisibleTo(&form));
    QVERIFY(errorLabel(form, "when")->text().contains("date and time"));
    QVERIFY(form.validationError());
    editor<QLineEdit>(form, "when")->setText("2026-12-04T05:00:00+01:00");
    QVERIFY(!errorLabel(form, "when")->isVisibleTo(&form));
    editor<QLineEdit>(form, "day")->setText("2025-13-01");
    QVERIFY(errorLabel(form, "day")->isVisibleTo(&form));

    // Optional[bool]-like: tri-state, unset by default, left out.
    ParameterForm boolForm;
    boolForm.setSchema(schemaOf(R"({"b":{"type":"boolean"}})"), {});
    QVERIFY(editor<QCheckBox>(boolForm, "b")->isTristate());
    QCOMPARE(editor<QCheckBox>(boolForm, "b")->checkState(), Qt::PartiallyChecked);
    QVERIFY(boolForm.values().isEmpty());
    editor<QCheckBox>(boolForm, "b")->setCheckState(Qt::Unchecked);
    QCOMPARE(boolForm.values(), (QJsonObject{{"b", false}}));
}

void TestParameterForm::editAsJsonRoundTrip()
{
    ParameterForm form;
    form.setSchema(typedSchema(), {});
    editor<QLineEdit>(form, "count")->setText("5");
    editor<QComboBox>(form, "mode")->setCurrentText("slow");
    const QJsonObject before = form.values();

    auto *toggle = form.findChild<QCheckBox *>("editAsJson");
    auto *json = form.findChild<QPlainTextEdit *>("parametersJson");
    QVERIFY(toggle && json);
    QSignalSpy changed(&form, &ParameterForm::changed);
    toggle->click();
    QVERIFY(form.isEditingJson());
    QVERIFY(json->isVisibleTo(&form));
    QVERIFY(!editor<QLineEdit>(form, "count")->isVisibleTo(&form));
    QVERIFY(changed.count() >= 1);
    QCOMPARE(QJsonDocument::fromJson(json->toPlainText().toUtf8()).object(), before);
    QCOMPARE(form.values(), before);

    QJsonObject edited = before;
    edited.insert("count", 9);
    edited.insert("label", "from json");
    edited.insert("not_in_schema", QJsonArray{1});
    json->setPlainText(QString::fromUtf8(QJsonDocument(edited).toJson()));
    QCOMPARE(form.values(), edited);
    QVERIFY(!form.validationError());
    json->setPlainText(R"({"count": "nine"})");
    QVERIFY(form.validationError());
    QVERIFY(form.findChild<QLabel *>("parametersJsonError")->isVisibleTo(&form));
    json->setPlainText(QString::fromUtf8(QJsonDocument(edited).toJson()));

    toggle->click();
    QVERIFY(!form.isEditingJson());
    QCOMPARE(editor<QLineEdit>(form, "count")->text(), QStringLiteral("9"));
    QCOMPARE(editor<QLineEdit>(form, "label")->text(), QStringLiteral("from json"));
    QCOMPARE(editor<QComboBox>(form, "mode")->currentText(), QStringLiteral("slow"));
    // Members the schema does not know survive the trip.
    QCOMPARE(form.values(), edited);
    // Parameters the JSON left out are emptied in the form.
    QVERIFY(form.setEditingJson(true));
    json->setPlainText(R"({"count": 2})");
    QVERIFY(form.setEditingJson(false));
    QCOMPARE(form.values(), (QJsonObject{{"count", 2}}));
    QCOMPARE(editor<QCheckBox>(form, "flag")->checkState(), Qt::PartiallyChecked);
}

void TestParameterForm::editAsJsonRefusesInvalidText()
{
    ParameterForm form;
    form.setSchema(typedSchema(), {});
    QVERIFY(form.setEditingJson(true));
    auto *json = form.findChild<QPlainTextEdit *>("parametersJson");
    auto *toggle = form.findChild<QCheckBox *>("editAsJson");
    for (const char *bad : {R"({"count": )", "[1, 2]", "42"}) {
        json->setPlainText(QString::fromUtf8(bad));
        QVERIFY(form.validationError());
        QVERIFY(!form.setEditingJson(false));
        QVERIFY(form.isEditingJson());
        QVERIFY(toggle->isChecked());
        QCOMPARE(json->toPlainText(), QString::fromUtf8(bad)); // nothing thrown away
        QVERIFY(form.findChild<QLabel *>("parametersJsonError")->isVisibleTo(&form));
    }
    json->setPlainText(R"({"count": 1})");
    QVERIFY(form.setEditingJson(false));
    QCOMPARE(form.values().value("count"), QJsonValue(1));
}

void TestParameterForm::editAsJsonKeepsUnparsedFields()
{
    ParameterForm form;
    form.setSchema(typedSchema(), {});
    editor<QPlainTextEdit>(form, "options")->setPlainText(R"({"retries": )");
    QVERIFY(!form.setEditingJson(true));
    QVERIFY(!form.isEditingJson());
    QVERIFY(!form.findChild<QCheckBox *>("editAsJson")->isChecked());
    QCOMPARE(editor<QPlainTextEdit>(form, "options")->toPlainText(),
             QStringLiteral(R"({"retries": )"));
    editor<QPlainTextEdit>(form, "options")->setPlainText(R"({"retries": 2})");
    QVERIFY(form.setEditingJson(true));
}

void TestParameterForm::typedFlowWidgets_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("widgetClass");
    QTest::newRow("count") << "count"
                           << "QLineEdit";
    QTest::newRow("flag") << "flag"
                          << "QCheckBox";
    QTest::newRow("label") << "label"
                           << "QLineEdit";
    QTest::newRow("mode") << "mode"
                          << "QComboBox";
    QTest::newRow("options") << "options"
                             << "QPlainTextEdit";
}

// tests/e2e/flows.py's ue-typed, as a real Prefect 3 server describes it.
void TestParameterForm::typedFlowWidgets()
{
    QFETCH(QString, name);
    QFETCH(QString, widgetClass);
    ParameterForm form;
    form.setSchema(typedSchema(), {});
    QWidget *widget = editor<QWidget>(form, name);
    QVERIFY(widget);
    QCOMPARE(QString::fromLatin1(widget->metaObject()->className()), widgetClass);
    if (auto *combo = qobject_cast<QComboBox *>(widget)) {
        QStringList items;
        for (int i = 0; i < combo->count(); ++i)
            items.append(combo->itemText(i));
        QCOMPARE(items, (QStringList{"", "fast", "slow"}));
    }
}

void TestParameterForm::setValuesRoundTrip()
{
    ParameterForm form;
    form.setSchema(kitchenSchema(), {});
    const QJsonObject values = object(R"({
        "count": 3, "ratio": 0.1, "label": "l", "flag": true, "mode": "slow",
        "maybe_mode": null, "maybe_count": 7, "when": "2025-02-01T00:00:00Z",
        "day": "2025-02-01", "names": ["x", "y"], "counts": [1, 2, 3], "modes": ["slow"],
        "mapping": {"a": {"b": 1}}, "pair": [2, "b"], "either": "s",
        "options": {"retries": 2, "names": []}, "maybe_options": {"retries": 0, "names": ["q"]},
        "anything": [null, 1]})");
    form.setValues(values);
    QCOMPARE(form.values(), values);
    QVERIFY2(!form.validationError(), qPrintable(form.validationError().value_or(QString())));
    QVERIFY(form.setEditingJson(true));
    QVERIFY(form.setEditingJson(false));
    QCOMPARE(form.values(), values);
}

void TestParameterForm::noParameters()
{
    ParameterForm form;
    form.setSchema(ParameterSchema::fromJson(QJsonObject{}), {});
    QVERIFY(form.values().isEmpty());
    QVERIFY(!form.validationError());
    bool found = false;
    for (QLabel *label : form.findChildren<QLabel *>())
        found = found || (label->text().contains("no parameters") && label->isVisibleTo(&form));
    QVERIFY(found);
}

void TestParameterForm::rebuildsOnNewSchema()
{
    ParameterForm form;
    form.setSchema(typedSchema(), {});
    QVERIFY(editor<QWidget>(form, "count"));
    form.setSchema(schemaOf(R"({"other":{"type":"string","default":"o"}})"), {});
    QTRY_VERIFY(!editor<QWidget>(form, "count"));
    QCOMPARE(form.values(), (QJsonObject{{"other", "o"}}));
    QVERIFY(!form.validationError());
}

QTEST_MAIN(TestParameterForm)
#include "tst_parameterform.moc"
