#include "jsondocument.h"

#include <QJsonDocument>

namespace JsonDocument {

std::optional<QJsonObject> parseObject(const QByteArray &text, const QString &what,
                                       const QString &notObjectError, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1 is not valid JSON: %2 at offset %3")
                     .arg(what, parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = notObjectError;
        return std::nullopt;
    }
    return document.object();
}

} // namespace JsonDocument
