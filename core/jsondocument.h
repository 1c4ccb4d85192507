#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace JsonDocument {

// A JSON text that must hold an object. On failure, one line: "<what> is not valid JSON: <why>
// at offset N", or notObjectError when it parses to something else.
std::optional<QJsonObject> parseObject(const QByteArray &text, const QString &what,
                                       const QString &notObjectError, QString *error);

} // namespace JsonDocument
