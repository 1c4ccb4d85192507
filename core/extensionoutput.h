#pragma once

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

class TaskResult;

// The Extension Output document UAC stores with each task instance.
namespace ExtensionOutput {

// {"exit_code", "status_description", "invocation": {"fields"}, "result": {"flow_run_info",
// "errors", "logs"}}; flow_run_info is there only when asked for (null while no run is known),
// logs only when given (the run's last log lines, logs_in_extension_output).
QJsonObject build(const QJsonObject &invocationFields, const TaskResult &result,
                  bool includeFlowRunInfo, const QJsonObject &flowRunInfo,
                  const std::optional<QJsonArray> &logs = std::nullopt);

// Writes the document atomically: a reader sees the old file or the whole new one, never half.
bool writeFile(const QString &path, const QJsonObject &document, QString *errorString);

} // namespace ExtensionOutput
