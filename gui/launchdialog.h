#pragma once

#include "deployment.h"

#include <QDialog>
#include <QJsonObject>

#include <optional>

class ParameterForm;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

// Launches one deployment: a form generated from its parameter schema, plus run name, tags,
// context and job variables. The result is a field layer for FlowRunTask, checked with the same
// validation as the CLI before the button lets the user launch.
class LaunchDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LaunchDialog)

public:
    // connectionValues: the profile's field layer (api_url, credentials, workspace), merged under
    // what the dialog adds, so that validation sees what the task will see.
    LaunchDialog(const Deployment &deployment, const QJsonObject &connectionValues,
                 QWidget *parent = nullptr);

    // The task's whole field layer: connection, deployment, run request and watch settings.
    QJsonObject taskFieldValues() const;
    bool watchRun() const;
    // Why the launch cannot go ahead now; nothing when it can.
    std::optional<QString> validationError() const;

    ParameterForm *parameterForm() const { return m_form; }
    // How often the watch reads the run when no event stream tells it first.
    static constexpr int defaultWatchPollSeconds = 5;
    void setWatchPollSeconds(int seconds) { m_watchPollSeconds = seconds; }

private:
    std::optional<QJsonObject> runRequestJson(QString *error) const;
    void revalidate();

    Deployment m_deployment;
    QJsonObject m_connectionValues;
    ParameterForm *m_form;
    QLineEdit *m_runName;
    QLineEdit *m_tags;
    QPlainTextEdit *m_context;
    QPlainTextEdit *m_jobVariables;
    QCheckBox *m_watch;
    QLabel *m_error;
    QPushButton *m_launchButton;
    int m_watchPollSeconds = defaultWatchPollSeconds;
};
