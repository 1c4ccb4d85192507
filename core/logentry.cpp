#include "logentry.h"

#include "prefecttime.h"

#include <algorithm>

LogEntry LogEntry::fromJson(const QJsonObject &object)
{
    LogEntry entry;
    entry.id = object.value(QLatin1String("id")).toString();
    entry.flowRunId = object.value(QLatin1String("flow_run_id")).toString();
    entry.loggerName = object.value(QLatin1String("name")).toString();
    entry.level = object.value(QLatin1String("level")).toInt();
    entry.message = object.value(QLatin1String("message")).toString();
    entry.timestamp = PrefectTime::parse(object.value(QLatin1String("timestamp")));
    return entry;
}

QList<LogEntry> LogEntry::listFromJson(const QJsonArray &array)
{
    QList<LogEntry> result;
    result.reserve(array.size());
    for (const QJsonValue &value : array)
        result << fromJson(value.toObject());
    // The route sorts by timestamp already; stable keeps the server's order within one.
    std::stable_sort(result.begin(), result.end(), [](const LogEntry &a, const LogEntry &b) {
        return a.timestamp < b.timestamp;
    });
    return result;
}

QString LogEntry::levelName(int level)
{
    // Python's logging levels, which Prefect stores as numbers.
    switch (level) {
    case 10:
        return QStringLiteral("DEBUG");
    case 20:
        return QStringLiteral("INFO");
    case 30:
        return QStringLiteral("WARNING");
    case 40:
        return QStringLiteral("ERROR");
    case 50:
        return QStringLiteral("CRITICAL");
    default:
        return QString::number(level);
    }
}

QString LogEntry::toLine() const
{
    const QString time = timestamp.isValid() ? PrefectTime::format(timestamp) : QStringLiteral("-");
    // Seven wide plus a space, so that CRITICAL is still apart from its message.
    return time + u' ' + levelName().leftJustified(7) + u' ' + message;
}

QJsonObject LogEntry::toJson() const
{
    return QJsonObject{
        {QStringLiteral("timestamp"),
         timestamp.isValid() ? QJsonValue(PrefectTime::format(timestamp)) : QJsonValue()},
        {QStringLiteral("level"), levelName()},
        {QStringLiteral("logger"), loggerName},
        {QStringLiteral("message"), message},
    };
}
