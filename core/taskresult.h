#pragma once

#include "exitcode.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

// How a task ended: the exit code, UAC's status description and what went wrong.
class TaskResult
{
public:
    TaskResult() = default;

    static TaskResult success();
    static TaskResult failure(const QString &reason);
    static TaskResult validationError(const QString &reason);
    static TaskResult pollingTimeout();

    ExitCode exitCode() const { return m_exitCode; }
    int exitCodeValue() const { return static_cast<int>(m_exitCode); }
    // "Task executed successfully.", "Execution Failed: <reason>", ...
    QString statusDescription() const { return m_statusDescription; }
    QStringList errors() const { return m_errors; }
    void addError(const QString &error) { m_errors << error; }

private:
    TaskResult(ExitCode code, const QString &statusDescription, const QStringList &errors);

    ExitCode m_exitCode = ExitCode::Success;
    QString m_statusDescription;
    QStringList m_errors;
};
