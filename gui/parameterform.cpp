#include "parameterform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

using Type = ParameterSpec::Type;

// Any JSON value, scalars included (QJsonDocument only takes objects and arrays).
std::optional<QJsonValue> parseJsonValue(const QString &text, QString *error)
{
    QJsonParseError parseError{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not valid JSON: %1 at offset %2")
                     .arg(parseError.errorString())
                     .arg(qMax(0, parseError.offset - 1));
        return std::nullopt;
    }
    if (doc.array().size() != 1) {
        *error = QStringLiteral("must be one JSON value");
        return std::nullopt;
    }
    return doc.array().first();
}

QString jsonText(const QJsonValue &value, QJsonDocument::JsonFormat format)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(format)).trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(format)).trimmed();
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

QString scalarText(const QJsonValue &value)
{
    return value.isString() ? value.toString() : jsonText(value, QJsonDocument::Compact);
}

// Integers stay integers up to 64 bits; beyond that the user is told rather than silently
// rounded, since JSON numbers here are 64-bit.
std::optional<QJsonValue> parseInteger(const QString &text, QString *error)
{
    static const QRegularExpression digits(QStringLiteral("^[+-]?[0-9]+$"));
    const QString trimmed = text.trimmed();
    if (!digits.match(trimmed).hasMatch()) {
        *error = QStringLiteral("'%1' is not an integer").arg(trimmed);
        return std::nullopt;
    }
    bool ok = false;
    const qint64 value = trimmed.toLongLong(&ok);
    if (!ok) {
        *error = QStringLiteral("'%1' is out of range (64-bit integers only)").arg(trimmed);
        return std::nullopt;
    }
    return QJsonValue(value);
}

std::optional<QJsonValue> parseNumber(const QString &text, QString *error)
{
    bool ok = false;
    const double value = QLocale::c().toDouble(text.trimmed(), &ok);
    if (!ok || !std::isfinite(value)) {
        *error = QStringLiteral("'%1' is not a number").arg(text.trimmed());
        return std::nullopt;
    }
    return QJsonValue(value);
}

bool allStrings(const QJsonArray &values)
{
    return std::all_of(values.begin(), values.end(),
                       [](const QJsonValue &v) { return v.isString(); });
}

// Arrays whose items are simple enough for one item per line.
bool usesLines(const ParameterSpec &spec)
{
    switch (spec.itemType) {
    case Type::String:
    case Type::Integer:
    case Type::Number:
    case Type::Boolean:
        return true;
    case Type::Enum:
        return allStrings(spec.itemEnumValues);
    default:
        return false;
    }
}

bool fitsLine(Type itemType, const QJsonValue &item)
{
    switch (itemType) {
    case Type::String:
    case Type::Enum:
        return item.isString() && !item.toString().trimmed().isEmpty()
            && !item.toString().contains(u'\n');
    case Type::Integer:
        return item.isDouble() && std::floor(item.toDouble()) == item.toDouble();
    case Type::Number:
        return item.isDouble();
    case Type::Boolean:
        return item.isBool();
    default:
        return false;
    }
}

const QString requiredMark = QStringLiteral(" *");

} // namespace

struct ParameterForm::Field
{
    enum class Editor { Line, Check, Combo, Lines, Json };

    ParameterSpec spec;
    bool hasDefault = false; // the schema's or the deployment's
    Editor editor = Editor::Json;
    QWidget *widget = nullptr;
    QLabel *error = nullptr;
    // A value setValues() gave that the editor cannot show; sent as is until the user edits.
    std::optional<QJsonValue> misfit;
    // setValues() left this parameter out: it stays out, even where an emptied editor would
    // send "", [] or null, until the user edits it.
    bool absent = false;

    // Nothing when the editor holds no value; *error when its text does not parse.
    std::optional<QJsonValue> read(QString *errorText) const;
    std::optional<QJsonValue> emptyValue() const;
    bool fits(const QJsonValue &value) const;
};

std::optional<QJsonValue> ParameterForm::Field::emptyValue() const
{
    if (spec.nullable && (hasDefault || spec.required))
        return QJsonValue(QJsonValue::Null);
    // "" only where it is a valid value: an emptied date falls back to its default instead.
    if (spec.type == Type::String && hasDefault
        && !ParameterSchema::validateValue(spec, QJsonValue(QString())))
        return QJsonValue(QString());
    if (spec.type == Type::Array && (hasDefault || spec.required))
        return QJsonValue(QJsonArray());
    return std::nullopt;
}

bool ParameterForm::Field::fits(const QJsonValue &value) const
{
    switch (editor) {
    case Editor::Line:
        if (spec.type == Type::String)
            return value.isString();
        return fitsLine(spec.type, value);
    case Editor::Check:
        return value.isBool();
    case Editor::Combo:
        return spec.enumValues.contains(value);
    case Editor::Lines: {
        if (!value.isArray())
            return false;
        const QJsonArray items = value.toArray();
        return std::all_of(items.begin(), items.end(), [this](const QJsonValue &item) {
            return fitsLine(spec.itemType, item);
        });
    }
    case Editor::Json:
        return true;
    }
    return false;
}

std::optional<QJsonValue> ParameterForm::Field::read(QString *errorText) const
{
    if (misfit)
        return misfit;
    if (absent)
        return std::nullopt;
    switch (editor) {
    case Editor::Line: {
        const QString text = static_cast<QLineEdit *>(widget)->text();
        if (spec.type == Type::String)
            return text.isEmpty() ? emptyValue() : QJsonValue(text);
        if (text.trimmed().isEmpty())
            return emptyValue();
        if (spec.type == Type::Integer)
            return parseInteger(text, errorText);
        return parseNumber(text, errorText);
    }
    case Editor::Check: {
        const Qt::CheckState state = static_cast<QCheckBox *>(widget)->checkState();
        if (state == Qt::PartiallyChecked)
            return emptyValue();
        return QJsonValue(state == Qt::Checked);
    }
    case Editor::Combo: {
        const QVariant data = static_cast<QComboBox *>(widget)->currentData();
        if (!data.isValid())
            return emptyValue();
        return spec.enumValues.at(data.toInt());
    }
    case Editor::Lines: {
        QJsonArray items;
        const QStringList lines = static_cast<QPlainTextEdit *>(widget)->toPlainText().split(u'\n');
        for (const QString &line : lines) {
            if (line.trimmed().isEmpty())
                continue;
            std::optional<QJsonValue> item;
            switch (spec.itemType) {
            case Type::Integer:
                item = parseInteger(line, errorText);
                break;
            case Type::Number:
                item = parseNumber(line, errorText);
                break;
            case Type::Boolean:
                if (line.trimmed().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
                    item = QJsonValue(true);
                else if (line.trimmed().compare(QLatin1String("false"), Qt::CaseInsensitive) == 0)
                    item = QJsonValue(false);
                else
                    *errorText = QStringLiteral("'%1' is not true or false").arg(line.trimmed());
                break;
            case Type::Enum:
                item = QJsonValue(line.trimmed());
                break;
            default:
                item = QJsonValue(line);
                break;
            }
            if (!item)
                return std::nullopt;
            items.append(*item);
        }
        if (items.isEmpty())
            return emptyValue();
        return QJsonValue(items);
    }
    case Editor::Json: {
        const QString text = static_cast<QPlainTextEdit *>(widget)->toPlainText();
        if (text.trimmed().isEmpty())
            return emptyValue();
        return parseJsonValue(text, errorText);
    }
    }
    return std::nullopt;
}

ParameterForm::ParameterForm(QWidget *parent)
    : QWidget(parent)
    , m_jsonToggle(new QCheckBox(tr("Edit as JSON"), this))
    , m_stack(new QStackedWidget(this))
    , m_formPage(new QWidget)
    , m_formLayout(new QFormLayout(m_formPage))
    , m_noParameters(new QLabel(tr("This flow takes no parameters.")))
    , m_json(new QPlainTextEdit)
    , m_jsonError(new QLabel)
{
    m_jsonToggle->setObjectName(QStringLiteral("editAsJson"));
    m_json->setObjectName(QStringLiteral("parametersJson"));
    m_jsonError->setObjectName(QStringLiteral("parametersJsonError"));
    m_jsonError->setStyleSheet(QStringLiteral("color: #c62828"));
    m_jsonError->setWordWrap(true);
    m_jsonError->hide();
    m_json->setTabChangesFocus(true);

    m_formLayout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_formLayout->addRow(m_noParameters);

    auto *jsonPage = new QWidget;
    auto *jsonLayout = new QVBoxLayout(jsonPage);
    jsonLayout->setContentsMargins(0, 0, 0, 0);
    jsonLayout->addWidget(m_json);
    jsonLayout->addWidget(m_jsonError);

    m_stack->addWidget(m_formPage);
    m_stack->addWidget(jsonPage);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_jsonToggle, 0, Qt::AlignRight);
    layout->addWidget(m_stack);

    connect(m_jsonToggle, &QCheckBox::toggled, this, &ParameterForm::jsonToggled);
    connect(m_json, &QPlainTextEdit::textChanged, this, &ParameterForm::jsonTextChanged);
}

ParameterForm::~ParameterForm() = default;

void ParameterForm::setSchema(const ParameterSchema &schema, const QJsonObject &defaults)
{
    {
        const QSignalBlocker blocker(m_jsonToggle);
        m_jsonToggle->setChecked(false);
    }
    m_stack->setCurrentIndex(0);
    m_jsonError->hide();
    while (m_formLayout->rowCount() > 1)
        m_formLayout->removeRow(1);
    m_fields.clear();
    m_extra = {};
    m_schema = schema;

    const QList<ParameterSpec> specs = schema.parameters();
    m_noParameters->setVisible(specs.isEmpty());
    for (const ParameterSpec &spec : specs) {
        if (defaults.contains(spec.name))
            addField(spec, defaults.value(spec.name), true);
        else
            addField(spec, spec.defaultValue, spec.hasDefault);
    }
    emit changed();
}

void ParameterForm::addField(const ParameterSpec &spec, const QJsonValue &defaultValue,
                             bool hasDefault)
{
    auto field = std::make_unique<Field>();
    Field &f = *field;
    f.spec = spec;
    f.hasDefault = hasDefault;
    const QString tip = spec.description.isEmpty() ? spec.name : spec.description;

    switch (spec.type) {
    case Type::String:
    case Type::Integer:
    case Type::Number: {
        auto *edit = new QLineEdit;
        f.editor = Field::Editor::Line;
        if (spec.type == Type::Integer) {
            // A validator, not QIntValidator: that one stops at 32 bits.
            edit->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral("^\\s*[+-]?[0-9]*\\s*$")), edit));
        } else if (spec.type == Type::Number) {
            edit->setValidator(new QRegularExpressionValidator(
                QRegularExpression(QStringLiteral(
                    "^\\s*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]*)([eE][+-]?[0-9]*)?\\s*$")),
                edit));
        } else if (spec.format == QLatin1String("date")) {
            edit->setPlaceholderText(QStringLiteral("YYYY-MM-DD"));
        } else if (spec.format == QLatin1String("date-time")) {
            edit->setPlaceholderText(QStringLiteral("YYYY-MM-DDTHH:MM:SSZ"));
        } else if (spec.format == QLatin1String("password")) {
            edit->setEchoMode(QLineEdit::PasswordEchoOnEdit);
        } else if (spec.format == QLatin1String("duration")) {
            edit->setPlaceholderText(QStringLiteral("P1DT2H or PT30S"));
        }
        connect(edit, &QLineEdit::textChanged, this, [this, &f] { fieldEdited(f); });
        f.widget = edit;
        break;
    }
    case Type::Boolean: {
        auto *check = new QCheckBox;
        f.editor = Field::Editor::Check;
        // A third state for "no value" when there is no default to fall back on, or null is
        // a value of its own.
        check->setTristate(spec.nullable || !hasDefault);
        if (check->isTristate())
            check->setCheckState(Qt::PartiallyChecked);
        connect(check, &QCheckBox::stateChanged, this, [this, &f] { fieldEdited(f); });
        f.widget = check;
        break;
    }
    case Type::Enum: {
        auto *combo = new QComboBox;
        f.editor = Field::Editor::Combo;
        combo->addItem(QString()); // no value
        for (qsizetype i = 0; i < spec.enumValues.size(); ++i)
            combo->addItem(scalarText(spec.enumValues.at(i)), int(i));
        connect(combo, &QComboBox::currentIndexChanged, this, [this, &f] { fieldEdited(f); });
        f.widget = combo;
        break;
    }
    default: {
        auto *edit = new QPlainTextEdit;
        f.editor = spec.type == Type::Array && usesLines(spec) ? Field::Editor::Lines
                                                               : Field::Editor::Json;
        edit->setTabChangesFocus(true);
        edit->setPlaceholderText(f.editor == Field::Editor::Lines ? tr("One item per line")
                                                                  : tr("JSON"));
        const int lines = spec.type == Type::Object ? 5 : 3;
        edit->setFixedHeight(edit->fontMetrics().lineSpacing() * lines
                             + 2 * (edit->frameWidth() + int(edit->document()->documentMargin())));
        connect(edit, &QPlainTextEdit::textChanged, this, [this, &f] { fieldEdited(f); });
        f.widget = edit;
        break;
    }
    }
    f.widget->setObjectName(QStringLiteral("param_") + spec.name);
    f.widget->setToolTip(tip);

    f.error = new QLabel;
    f.error->setObjectName(QStringLiteral("paramError_") + spec.name);
    f.error->setStyleSheet(QStringLiteral("color: #c62828"));
    f.error->setWordWrap(true);
    f.error->hide();

    auto *cell = new QWidget;
    auto *cellLayout = new QVBoxLayout(cell);
    cellLayout->setContentsMargins(0, 0, 0, 0);
    cellLayout->setSpacing(2);
    cellLayout->addWidget(f.widget);
    cellLayout->addWidget(f.error);

    auto *label = new QLabel(spec.title + (spec.required ? requiredMark : QString()));
    label->setObjectName(QStringLiteral("paramLabel_") + spec.name);
    label->setToolTip(tip);
    label->setBuddy(f.widget);
    m_formLayout->addRow(label, cell);

    m_fields.push_back(std::move(field));
    if (hasDefault)
        writeField(f, defaultValue);
    refreshError(f);
}

void ParameterForm::writeField(Field &field, const QJsonValue &value)
{
    const bool wasWriting = m_writing;
    m_writing = true;
    const bool empty = value.isUndefined() || (value.isNull() && field.spec.nullable);
    field.absent = value.isUndefined();
    field.misfit = empty || field.fits(value) ? std::nullopt : std::optional(value);
    const QJsonValue shown = empty || field.misfit ? QJsonValue(QJsonValue::Undefined) : value;

    switch (field.editor) {
    case Field::Editor::Line:
        static_cast<QLineEdit *>(field.widget)
            ->setText(field.misfit ? scalarText(value)
                                   : (shown.isUndefined() ? QString() : scalarText(shown)));
        break;
    case Field::Editor::Check: {
        auto *check = static_cast<QCheckBox *>(field.widget);
        if (shown.isUndefined()) {
            check->setTristate(true);
            check->setCheckState(Qt::PartiallyChecked);
        } else {
            check->setCheckState(shown.toBool() ? Qt::Checked : Qt::Unchecked);
        }
        break;
    }
    case Field::Editor::Combo: {
        auto *combo = static_cast<QComboBox *>(field.widget);
        qsizetype index = -1;
        for (qsizetype i = 0; !shown.isUndefined() && i < field.spec.enumValues.size(); ++i) {
            if (field.spec.enumValues.at(i) == shown) {
                index = i;
                break;
            }
        }
        combo->setCurrentIndex(index < 0 ? 0 : int(index) + 1);
        break;
    }
    case Field::Editor::Lines: {
        QStringList lines;
        if (field.misfit) {
            lines.append(jsonText(value, QJsonDocument::Compact));
        } else if (shown.isArray()) {
            for (const QJsonValue &item : shown.toArray())
                lines.append(scalarText(item));
        }
        static_cast<QPlainTextEdit *>(field.widget)->setPlainText(lines.join(u'\n'));
        break;
    }
    case Field::Editor::Json:
        static_cast<QPlainTextEdit *>(field.widget)
            ->setPlainText(shown.isUndefined() && !field.misfit
                               ? QString()
                               : jsonText(value, QJsonDocument::Indented));
        break;
    }
    m_writing = wasWriting;
    refreshError(field);
}

void ParameterForm::fieldEdited(Field &field)
{
    if (m_writing)
        return;
    field.misfit.reset();
    field.absent = false;
    refreshError(field);
    emit changed();
}

void ParameterForm::refreshError(Field &field)
{
    QString error;
    const std::optional<QJsonValue> value = field.read(&error);
    if (value && error.isEmpty())
        error = ParameterSchema::validateValue(field.spec, *value).value_or(QString());
    field.error->setText(error);
    field.error->setVisible(!error.isEmpty());
}

QJsonObject ParameterForm::values() const
{
    if (isEditingJson()) {
        QString ignored;
        return jsonEditorObject(&ignored).value_or(QJsonObject());
    }
    QJsonObject result = m_extra;
    for (const std::unique_ptr<Field> &field : m_fields) {
        QString error;
        if (const std::optional<QJsonValue> value = field->read(&error))
            result.insert(field->spec.name, *value);
        else
            result.remove(field->spec.name);
    }
    return result;
}

void ParameterForm::setValues(const QJsonObject &values)
{
    if (isEditingJson()) {
        const QSignalBlocker blocker(m_json);
        m_json->setPlainText(QString::fromUtf8(QJsonDocument(values).toJson()));
        jsonTextChanged();
        return;
    }
    m_extra = values;
    for (const std::unique_ptr<Field> &field : m_fields) {
        m_extra.remove(field->spec.name);
        writeField(*field,
                   values.contains(field->spec.name) ? values.value(field->spec.name)
                                                     : QJsonValue(QJsonValue::Undefined));
    }
    emit changed();
}

std::optional<QString> ParameterForm::validationError() const
{
    if (isEditingJson()) {
        QString error;
        const std::optional<QJsonObject> object = jsonEditorObject(&error);
        if (!object)
            return error;
        return m_schema.validate(*object);
    }
    for (const std::unique_ptr<Field> &field : m_fields) {
        QString error;
        field->read(&error);
        if (!error.isEmpty())
            return QStringLiteral("Parameter '%1': %2").arg(field->spec.name, error);
    }
    return m_schema.validate(values());
}

bool ParameterForm::isEditingJson() const
{
    return m_stack->currentIndex() == 1;
}

bool ParameterForm::setEditingJson(bool on)
{
    m_jsonToggle->setChecked(on);
    return isEditingJson() == on;
}

void ParameterForm::jsonToggled(bool on)
{
    if (on == isEditingJson())
        return;
    if (on) {
        // A field whose text does not parse would be left out of the JSON: keep the form, whose
        // inline error says what to fix, rather than drop what the user typed.
        for (const std::unique_ptr<Field> &field : m_fields) {
            QString fieldError;
            field->read(&fieldError);
            if (!fieldError.isEmpty()) {
                const QSignalBlocker blocker(m_jsonToggle);
                m_jsonToggle->setChecked(false);
                return;
            }
        }
        const QJsonObject current = values();
        {
            const QSignalBlocker blocker(m_json);
            m_json->setPlainText(QString::fromUtf8(QJsonDocument(current).toJson()));
        }
        m_stack->setCurrentIndex(1);
        jsonTextChanged();
        return;
    }
    QString error;
    const std::optional<QJsonObject> object = jsonEditorObject(&error);
    if (!object) {
        // Nothing the user typed is thrown away: stay in the JSON editor until it parses.
        const QSignalBlocker blocker(m_jsonToggle);
        m_jsonToggle->setChecked(true);
        m_jsonError->setText(error);
        m_jsonError->show();
        return;
    }
    m_stack->setCurrentIndex(0);
    m_jsonError->hide();
    setValues(*object);
}

void ParameterForm::jsonTextChanged()
{
    const std::optional<QString> error = validationError();
    m_jsonError->setText(error.value_or(QString()));
    m_jsonError->setVisible(error.has_value());
    emit changed();
}

std::optional<QJsonObject> ParameterForm::jsonEditorObject(QString *error) const
{
    const QString text = m_json->toPlainText();
    if (text.trimmed().isEmpty())
        return QJsonObject();
    QString parseError;
    const std::optional<QJsonValue> value = parseJsonValue(text, &parseError);
    if (!value) {
        *error = QStringLiteral("Parameters are %1").arg(parseError);
        return std::nullopt;
    }
    if (!value->isObject()) {
        *error = QStringLiteral("Parameters must be a JSON object, got %1")
                     .arg(jsonText(*value, QJsonDocument::Compact).left(60));
        return std::nullopt;
    }
    return value->toObject();
}
