#include "extensionoutput.h"

#include "taskresult.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace ExtensionOutput {

QJsonObject build(const QJsonObject &invocationFields, const TaskResult &result,
                  bool includeFlowRunInfo, const QJsonObject &flowRunInfo,
                  const std::optional<QJsonArray> &logs)
{
    QJsonObject resultObject;
    if (includeFlowRunInfo) {
        resultObject.insert(QStringLiteral("flow_run_info"),
                            flowRunInfo.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                  : QJsonValue(flowRunInfo));
    }
    resultObject.insert(QStringLiteral("errors"), QJsonArray::fromStringList(result.errors()));
    if (logs)
        resultObject.insert(QStringLiteral("logs"), *logs);
    return QJsonObject{
        {QStringLiteral("exit_code"), result.exitCodeValue()},
        {QStringLiteral("status_description"), result.statusDescription()},
        {QStringLiteral("invocation"), QJsonObject{{QStringLiteral("fields"), invocationFields}}},
        {QStringLiteral("result"), resultObject},
    };
}

bool writeFile(const QString &path, const QJsonObject &document, QString *errorString)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (errorString)
            *errorString = file.errorString();
        return false;
    }
    file.write(QJsonDocument(document).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        if (errorString)
            *errorString = file.errorString();
        return false;
    }
    return true;
}

} // namespace ExtensionOutput
