#include "prefecttime.h"

#include <QTimeZone>

namespace PrefectTime {

QDateTime parse(const QJsonValue &value)
{
    QString text = value.toString();
    if (text.isEmpty())
        return {};
    // Prefect writes microseconds, and Qt rounds them to the nearest millisecond, which can
    // put a time after the true one (a log follower would then skip the lines in between).
    // Cut them to milliseconds instead: a parsed time is never later than Prefect's.
    const qsizetype timeStart = text.indexOf(u'T');
    const qsizetype dot = timeStart < 0 ? -1 : text.indexOf(u'.', timeStart);
    if (dot > 0) {
        qsizetype end = dot + 1;
        while (end < text.size() && text.at(end).isDigit())
            ++end;
        if (end - dot - 1 > 3)
            text.remove(dot + 4, end - dot - 4);
    }
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return {};
    return time.toUTC();
}

QString format(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace PrefectTime
