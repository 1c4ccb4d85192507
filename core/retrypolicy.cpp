#include "retrypolicy.h"

#include "prefecterror.h"

#include <QLocale>
#include <QRandomGenerator>
#include <QTimeZone>

#include <algorithm>
#include <limits>

RetryPolicy RetryPolicy::standard()
{
    RetryPolicy policy;
    policy.maxRetries = defaultMaxRetries;
    policy.maxTotalMs = defaultMaxTotalSeconds * 1000;
    return policy;
}

bool RetryPolicy::isRetryable(const PrefectError &error)
{
    switch (error.kind()) {
    case PrefectError::Kind::Network:
    case PrefectError::Kind::Timeout:
        return true;
    case PrefectError::Kind::Http: {
        const int status = error.httpStatus();
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503
            || status == 504;
    }
    case PrefectError::Kind::None:
    case PrefectError::Kind::InvalidResponse:
        break;
    }
    return false;
}

int RetryPolicy::delayMs(int retry, std::optional<qint64> retryAfterMs) const
{
    // The server's word as given: a wait past the budget means giving up, not retrying early.
    if (retryAfterMs)
        return int(std::clamp<qint64>(*retryAfterMs, 0, std::numeric_limits<int>::max()));
    const qint64 exponential = qint64(initialDelayMs) << std::min(retry, 20);
    const qint64 base = std::min<qint64>(exponential, maxDelayMs);
    const double jitter = 0.75 + 0.5 * QRandomGenerator::global()->generateDouble();
    return int(double(base) * jitter);
}

std::optional<qint64> RetryPolicy::parseRetryAfter(const QByteArray &value, const QDateTime &now)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool isNumber = false;
    const qint64 seconds = text.toLongLong(&isNumber);
    if (isNumber) {
        if (seconds < 0)
            return std::nullopt;
        // Far past any budget either way; capped so that the milliseconds cannot overflow.
        constexpr qint64 maxSeconds = std::numeric_limits<qint64>::max() / 1000;
        return std::min(seconds, maxSeconds) * 1000;
    }
    // The three HTTP date forms (RFC 9110 5.6.7), always in GMT, with English names. The
    // weekday is dropped: Qt checks it against the date, and a two-digit year is not yet known.
    QString date = QString::fromLatin1(text).simplified();
    date = date.mid(date.indexOf(u' ') + 1);
    const QLocale c = QLocale::c();
    for (const QString &format :
         {QStringLiteral("dd MMM yyyy HH:mm:ss 'GMT'"), QStringLiteral("dd-MMM-yy HH:mm:ss 'GMT'"),
          QStringLiteral("MMM d HH:mm:ss yyyy")}) {
        QDateTime parsed = c.toDateTime(date, format);
        if (!parsed.isValid())
            continue;
        // Two-digit years of RFC 850 dates are this century's.
        if (parsed.date().year() < 1970)
            parsed = parsed.addYears(100);
        parsed.setTimeZone(QTimeZone::utc());
        return std::max<qint64>(0, now.msecsTo(parsed));
    }
    return std::nullopt;
}
