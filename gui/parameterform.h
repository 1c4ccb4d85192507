#pragma once

#include "parameterschema.h"

#include <QJsonObject>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;

// A form generated from a deployment's parameter schema: one editor per parameter (objectName
// "param_<name>", inline error "paramError_<name>"), or, with "Edit as JSON", one JSON editor
// ("parametersJson") for all of them.
//
// An emptied editor means "no value": the parameter is left out of values() and its default
// applies, except that a nullable parameter with a default (or a required one) sends null, a
// string with a default sends "" and a list with a default (or a required one) sends [].
class ParameterForm : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParameterForm)

public:
    explicit ParameterForm(QWidget *parent = nullptr);
    ~ParameterForm() override;

    // Rebuilds the form. defaults (the deployment's parameters) override the schema's defaults
    // and are shown in the editors.
    void setSchema(const ParameterSchema &schema, const QJsonObject &defaults = {});
    ParameterSchema schema() const { return m_schema; }

    // The parameters to send: every parameter that has a value, plus members the schema does not
    // know that came in through setValues() or the JSON editor.
    QJsonObject values() const;
    // Replaces what the form shows; a parameter that values lacks is emptied. A value its editor
    // cannot show (a string for an integer, a member outside an enum) is kept as it is and
    // reported by validationError() until the user edits that field.
    void setValues(const QJsonObject &values);

    // Why these values cannot be launched: text that does not parse, then the schema's checks.
    std::optional<QString> validationError() const;

    bool isEditingJson() const;
    // Switches between the form and the JSON editor, carrying the values over. Leaving the JSON
    // editor is refused (false) while its text is not a JSON object.
    bool setEditingJson(bool on);

signals:
    void changed();

private:
    struct Field;

    void addField(const ParameterSpec &spec, const QJsonValue &defaultValue, bool hasDefault);
    void writeField(Field &field, const QJsonValue &value);
    void fieldEdited(Field &field);
    void refreshError(Field &field);
    void jsonToggled(bool on);
    void jsonTextChanged();
    std::optional<QJsonObject> jsonEditorObject(QString *error) const;

    ParameterSchema m_schema;
    std::vector<std::unique_ptr<Field>> m_fields;
    QJsonObject m_extra;
    bool m_writing = false;

    QCheckBox *m_jsonToggle;
    QStackedWidget *m_stack;
    QWidget *m_formPage;
    QFormLayout *m_formLayout;
    QLabel *m_noParameters;
    QPlainTextEdit *m_json;
    QLabel *m_jsonError;
};
