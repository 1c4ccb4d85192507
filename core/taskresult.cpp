#include "taskresult.h"

TaskResult::TaskResult(ExitCode code, const QString &statusDescription, const QStringList &errors)
    : m_exitCode(code)
    , m_statusDescription(statusDescription)
    , m_errors(errors)
{
}

TaskResult TaskResult::success()
{
    return TaskResult(ExitCode::Success, QStringLiteral("Task executed successfully."), {});
}

TaskResult TaskResult::failure(const QString &reason)
{
    return TaskResult(ExitCode::Failure, QStringLiteral("Execution Failed: ") + reason, {reason});
}

TaskResult TaskResult::validationError(const QString &reason)
{
    return TaskResult(ExitCode::DataValidationError,
                      QStringLiteral("Data Validation Error: ") + reason, {reason});
}

TaskResult TaskResult::pollingTimeout()
{
    const QString reason = QStringLiteral("maximum polling timeout reached.");
    return TaskResult(ExitCode::PollingTimeout, QStringLiteral("Polling Timeout: ") + reason,
                      {reason});
}
