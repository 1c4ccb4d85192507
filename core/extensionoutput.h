#pragma once

#include <QJsonObject>

class TaskResult;

// The Extension Output document UAC stores with each task instance.
namespace ExtensionOutput {

// {"exit_code", "status_description", "invocation": {"fields"}, "result": {"flow_run_info",
// "errors"}}; flow_run_info is there only when asked for (null while no run is known).
QJsonObject build(const QJsonObject &invocationFields, const TaskResult &result,
                  bool includeFlowRunInfo, const QJsonObject &flowRunInfo);

// Writes the document atomically: a reader sees the old file or the whole new one, never half.
bool writeFile(const QString &path, const QJsonObject &document, QString *errorString);

} // namespace ExtensionOutput
