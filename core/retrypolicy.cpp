#include "retrypolicy.h"

#include "prefecterror.h"

#include <QRandomGenerator>

#include <algorithm>

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
    if (retryAfterMs)
        return int(std::clamp<qint64>(*retryAfterMs, 0, std::max(maxTotalMs, maxDelayMs)));
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
    if (isNumber)
        return seconds >= 0 ? std::optional<qint64>(seconds * 1000) : std::nullopt;
    const QDateTime date = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (!date.isValid())
        return std::nullopt;
    return std::max<qint64>(0, now.msecsTo(date));
}
