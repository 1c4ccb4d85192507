#include "launchdialog.h"

#include "jsondocument.h"
#include "parameterform.h"
#include "parameterschema.h"
#include "taskfields.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace {

QPlainTextEdit *jsonEditor(const QString &objectName, const QString &placeholder)
{
    auto *editor = new QPlainTextEdit;
    editor->setObjectName(objectName);
    editor->setPlaceholderText(placeholder);
    editor->setTabChangesFocus(true);
    editor->setMaximumHeight(80);
    return editor;
}

} // namespace

LaunchDialog::LaunchDialog(const Deployment &deployment, const QJsonObject &connectionValues,
                           QWidget *parent)
    : QDialog(parent)
    , m_deployment(deployment)
    , m_connectionValues(connectionValues)
    , m_form(new ParameterForm)
    , m_runName(new QLineEdit)
    , m_tags(new QLineEdit)
    , m_context(jsonEditor(QStringLiteral("contextEditor"), tr("{} (optional JSON object)")))
    , m_jobVariables(
          jsonEditor(QStringLiteral("jobVariablesEditor"), tr("{} (optional JSON object)")))
    , m_watch(new QCheckBox(tr("Watch the run until it ends")))
    , m_error(new QLabel)
    , m_launchButton(new QPushButton)
{
    setWindowTitle(tr("Launch %1").arg(deployment.fullName()));
    setObjectName(QStringLiteral("launchDialog"));

    m_form->setSchema(ParameterSchema::fromJson(deployment.parameterSchema()),
                      deployment.defaultParameters());
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(m_form);
    scroll->setFrameShape(QFrame::NoFrame);

    m_runName->setObjectName(QStringLiteral("runNameEdit"));
    m_runName->setPlaceholderText(tr("empty: Prefect picks a name"));
    m_tags->setObjectName(QStringLiteral("tagsEdit"));
    m_tags->setPlaceholderText(tr("comma-separated, e.g. backfill, manual"));
    m_watch->setObjectName(QStringLiteral("watchCheck"));
    m_watch->setChecked(true);

    auto *run = new QFormLayout;
    run->addRow(tr("Run name"), m_runName);
    run->addRow(tr("Tags"), m_tags);
    auto *advanced = new QGroupBox(tr("Context and job variables"));
    advanced->setCheckable(true);
    advanced->setChecked(false);
    auto *advancedLayout = new QFormLayout(advanced);
    advancedLayout->addRow(tr("Context"), m_context);
    advancedLayout->addRow(tr("Job variables"), m_jobVariables);
    // Collapsed until asked for: most launches need neither.
    const auto showAdvanced = [this](bool on) {
        m_context->setVisible(on);
        m_jobVariables->setVisible(on);
    };
    showAdvanced(false);
    connect(advanced, &QGroupBox::toggled, this, showAdvanced);

    m_error->setObjectName(QStringLiteral("launchError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b91c1c;"));

    m_launchButton->setObjectName(QStringLiteral("launchRunButton"));
    m_launchButton->setDefault(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    buttons->addButton(m_launchButton, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    auto *parametersBox = new QGroupBox(tr("Parameters"));
    auto *parametersLayout = new QVBoxLayout(parametersBox);
    parametersLayout->addWidget(scroll);
    layout->addWidget(parametersBox, 1);
    layout->addLayout(run);
    layout->addWidget(advanced);
    layout->addWidget(m_watch);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    connect(m_form, &ParameterForm::changed, this, &LaunchDialog::revalidate);
    connect(m_runName, &QLineEdit::textChanged, this, &LaunchDialog::revalidate);
    connect(m_tags, &QLineEdit::textChanged, this, &LaunchDialog::revalidate);
    connect(m_context, &QPlainTextEdit::textChanged, this, &LaunchDialog::revalidate);
    connect(m_jobVariables, &QPlainTextEdit::textChanged, this, &LaunchDialog::revalidate);
    connect(m_watch, &QCheckBox::toggled, this, &LaunchDialog::revalidate);
    resize(560, 640);
    revalidate();
}

bool LaunchDialog::watchRun() const
{
    return m_watch->isChecked();
}

std::optional<QJsonObject> LaunchDialog::runRequestJson(QString *error) const
{
    if (const std::optional<QString> formError = m_form->validationError()) {
        *error = *formError;
        return std::nullopt;
    }
    QJsonObject request{{QStringLiteral("parameters"), m_form->values()}};
    const auto addObject = [&](QPlainTextEdit *editor, const QString &key, const QString &what) {
        const QString text = editor->toPlainText().trimmed();
        if (text.isEmpty())
            return true;
        const std::optional<QJsonObject> object = JsonDocument::parseObject(
            text.toUtf8(), what, tr("%1 must be a JSON object").arg(what), error);
        if (!object)
            return false;
        request.insert(key, *object);
        return true;
    };
    if (!addObject(m_context, QStringLiteral("context"), tr("Context"))
        || !addObject(m_jobVariables, QStringLiteral("job_variables"), tr("Job variables"))) {
        return std::nullopt;
    }
    QJsonArray tags;
    for (const QString &tag : m_tags->text().split(u',', Qt::SkipEmptyParts)) {
        if (!tag.trimmed().isEmpty())
            tags.append(tag.trimmed());
    }
    if (!tags.isEmpty())
        request.insert(QStringLiteral("tags"), tags);
    return request;
}

QJsonObject LaunchDialog::taskFieldValues() const
{
    QString ignored;
    QJsonObject launch{
        {FieldName::deployment, m_deployment.id},
        {FieldName::additionalOptionalParameters, true},
        {FieldName::parametersJson, runRequestJson(&ignored).value_or(QJsonObject())},
        {FieldName::wait, watchRun()},
        {FieldName::pollingInterval, m_watchPollSeconds},
    };
    if (!m_runName->text().trimmed().isEmpty())
        launch.insert(FieldName::flowRunName, m_runName->text().trimmed());
    return TaskFields::merge({m_connectionValues, launch});
}

std::optional<QString> LaunchDialog::validationError() const
{
    QString error;
    if (!runRequestJson(&error))
        return error;
    if (!TaskFields::fromValues(taskFieldValues(), &error))
        return error;
    return std::nullopt;
}

void LaunchDialog::revalidate()
{
    const std::optional<QString> error = validationError();
    m_error->setText(error.value_or(QString()));
    m_error->setVisible(error.has_value());
    m_launchButton->setEnabled(!error);

    // Say what will happen: which deployment, how many parameters differ from its defaults.
    // The flow's own defaults count too: a value equal to one is no change. A parameter left
    // out is none either, since Prefect fills it in from the deployment.
    int changed = 0;
    const QJsonObject values = m_form->values();
    QJsonObject defaults = m_deployment.defaultParameters();
    for (const ParameterSpec &spec : m_form->schema().parameters()) {
        if (spec.hasDefault && !defaults.contains(spec.name))
            defaults.insert(spec.name, spec.defaultValue);
    }
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (defaults.value(it.key()) != it.value())
            ++changed;
    }
    QString text = changed == 0 ? tr("Launch %1 with its defaults").arg(m_deployment.fullName())
                                : tr("Launch %1 with %n changed parameter(s)", nullptr, changed)
                                      .arg(m_deployment.fullName());
    if (watchRun())
        text += tr(" and watch");
    m_launchButton->setText(text);
}
