#pragma once

#include <QDateTime>
#include <QJsonValue>
#include <QString>

// Prefect's timestamps: ISO 8601 with an offset and up to microseconds.
namespace PrefectTime {

// UTC, to the millisecond; invalid for null, absent or unreadable values.
QDateTime parse(const QJsonValue &value);
// "2026-12-04T05:01:02.123Z", the form Prefect's filters accept.
QString format(const QDateTime &time);

} // namespace PrefectTime
