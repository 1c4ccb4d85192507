#pragma once

#include <QByteArray>
#include <QDateTime>

#include <optional>

class PrefectError;

// When and how often a failed request is tried again: network errors, timeouts, 408, 429 and
// 5xx gateway errors, with exponential backoff and jitter, honouring Retry-After, within a
// bounded count and total time.
class RetryPolicy
{
public:
    static constexpr int defaultMaxRetries = 5;
    static constexpr int defaultMaxTotalSeconds = 120;

    static RetryPolicy none() { return {}; }
    static RetryPolicy standard();

    int maxRetries = 0;
    qint64 maxTotalMs = 0;
    int initialDelayMs = 1000;
    int maxDelayMs = 30000;

    static bool isRetryable(const PrefectError &error);
    // The wait before retry number `retry` (0 for the first): the server's Retry-After when it
    // gave one, else initialDelayMs * 2^retry, capped, with up to 25 % jitter either way so
    // that many waiting tasks do not retry in step.
    int delayMs(int retry, std::optional<qint64> retryAfterMs) const;
    // Retry-After as delta-seconds or an HTTP date; nothing when absent or unreadable.
    static std::optional<qint64> parseRetryAfter(const QByteArray &value, const QDateTime &now);
};
