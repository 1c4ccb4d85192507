// RetryPolicy on its own: which failures are worth another try, how long to wait before it, and
// how a Retry-After header is read.

#include "prefecterror.h"
#include "retrypolicy.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

#include <algorithm>
#include <limits>
#include <optional>

#include <ctime>

Q_DECLARE_METATYPE(PrefectError::Kind)
Q_DECLARE_METATYPE(std::optional<qint64>)

namespace {

// Enough draws that a jitter band which is missing, one-sided or too wide shows up every time:
// a uniform draw lands in the outer tenth of either side with probability 0.2, so 2000 draws
// all missing it happens with probability 0.8^2000.
constexpr int samples = 2000;

// The `now` every HTTP date is read against: 2026-10-21 07:27:00.000 UTC.
QDateTime fixedNow()
{
    return QDateTime(QDate(2026, 10, 21), QTime(7, 27), QTimeZone::utc());
}

QByteArray describe(const std::optional<qint64> &value)
{
    return value ? QByteArray::number(*value) + " ms" : QByteArrayLiteral("nothing");
}

} // namespace

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void defaults();
    void isRetryable_data();
    void isRetryable();
    void backoffGrowsWithinJitterBand_data();
    void backoffGrowsWithinJitterBand();
    void backoffIsCapped_data();
    void backoffIsCapped();
    void retryAfterIsHonoured_data();
    void retryAfterIsHonoured();
    void retryAfterBeyondBudget();
    void parseRetryAfter_data();
    void parseRetryAfter();
};

void TestRetryPolicy::initTestCase()
{
    // An HTTP date is in GMT whatever the machine's zone: run in a zone far from UTC, so that a
    // date read as local time is hours off instead of right by accident.
    qputenv("TZ", "Asia/Kolkata");
    ::tzset();
    QVERIFY(QDateTime(QDate(2026, 10, 21), QTime(7, 27)).offsetFromUtc() != 0);
}

void TestRetryPolicy::defaults()
{
    const RetryPolicy none = RetryPolicy::none();
    QCOMPARE(none.maxRetries, 0);

    const RetryPolicy standard = RetryPolicy::standard();
    QCOMPARE(RetryPolicy::defaultMaxRetries, 5);
    QCOMPARE(RetryPolicy::defaultMaxTotalSeconds, 120);
    QCOMPARE(standard.maxRetries, 5);
    QCOMPARE(standard.maxTotalMs, 120000);
    QVERIFY(standard.initialDelayMs > 0);
    QVERIFY(standard.maxDelayMs >= standard.initialDelayMs);
}

void TestRetryPolicy::isRetryable_data()
{
    QTest::addColumn<PrefectError::Kind>("kind");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("retryable");

    using Kind = PrefectError::Kind;
    for (const int status : {408, 429, 500, 502, 503, 504})
        QTest::addRow("HTTP %d", status) << Kind::Http << status << true;
    for (const int status : {400, 401, 403, 404, 405, 409, 410, 413, 422, 501, 505, 511})
        QTest::addRow("HTTP %d", status) << Kind::Http << status << false;
    // A redirect the client refused to follow is reported as an HTTP error below 400.
    QTest::newRow("HTTP 302 refused") << Kind::Http << 302 << false;
    QTest::newRow("network") << Kind::Network << 0 << true;
    QTest::newRow("timeout") << Kind::Timeout << 0 << true;
    QTest::newRow("invalid response") << Kind::InvalidResponse << 200 << false;
    QTest::newRow("invalid response with a 5xx status") << Kind::InvalidResponse << 503 << false;
    QTest::newRow("no error") << Kind::None << 0 << false;
}

void TestRetryPolicy::isRetryable()
{
    QFETCH(PrefectError::Kind, kind);
    QFETCH(int, status);
    QFETCH(bool, retryable);

    QCOMPARE(RetryPolicy::isRetryable(PrefectError(kind, status, QStringLiteral("boom"))),
             retryable);
    if (kind == PrefectError::Kind::Http)
        QCOMPARE(RetryPolicy::isRetryable(PrefectError::http(status, {})), retryable);
}

void TestRetryPolicy::backoffGrowsWithinJitterBand_data()
{
    QTest::addColumn<int>("initialDelayMs");
    QTest::addColumn<int>("maxDelayMs");
    QTest::addColumn<int>("retry");
    QTest::addColumn<int>("baseMs"); // before jitter

    for (int retry = 0; retry <= 4; ++retry) {
        QTest::addRow("initial 1000, retry %d", retry) << 1000 << 30000 << retry << (1000 << retry);
    }
    for (int retry = 0; retry <= 2; ++retry)
        QTest::addRow("initial 50, retry %d", retry) << 50 << 200 << retry << (50 << retry);
    QTest::newRow("initial 1, retry 10") << 1 << 100000 << 10 << 1024;
}

void TestRetryPolicy::backoffGrowsWithinJitterBand()
{
    QFETCH(int, initialDelayMs);
    QFETCH(int, maxDelayMs);
    QFETCH(int, retry);
    QFETCH(int, baseMs);

    RetryPolicy policy = RetryPolicy::standard();
    policy.initialDelayMs = initialDelayMs;
    policy.maxDelayMs = maxDelayMs;

    // Every delay within 25 % of the base, either way; and the band used on both sides, so
    // that the retries of many tasks spread instead of landing together.
    const double low = 0.75 * baseMs;
    const double high = 1.25 * baseMs;
    int smallest = std::numeric_limits<int>::max();
    int largest = std::numeric_limits<int>::min();
    for (int i = 0; i < samples; ++i) {
        const int delay = policy.delayMs(retry, std::nullopt);
        QVERIFY2(delay >= low - 1 && delay <= high + 1,
                 qPrintable(
                     QStringLiteral("delay %1 ms outside [%2, %3]").arg(delay).arg(low).arg(high)));
        smallest = std::min(smallest, delay);
        largest = std::max(largest, delay);
    }
    QVERIFY2(smallest < 0.8 * baseMs,
             qPrintable(QStringLiteral("no jitter below the base: smallest %1 ms of base %2 ms")
                            .arg(smallest)
                            .arg(baseMs)));
    QVERIFY2(largest > 1.2 * baseMs,
             qPrintable(QStringLiteral("no jitter above the base: largest %1 ms of base %2 ms")
                            .arg(largest)
                            .arg(baseMs)));
}

void TestRetryPolicy::backoffIsCapped_data()
{
    QTest::addColumn<int>("initialDelayMs");
    QTest::addColumn<int>("maxDelayMs");
    QTest::addColumn<int>("retry");

    QTest::newRow("standard, retry 5 (32 s > 30 s)") << 1000 << 30000 << 5;
    QTest::newRow("standard, retry 6") << 1000 << 30000 << 6;
    QTest::newRow("standard, retry 20") << 1000 << 30000 << 20;
    QTest::newRow("standard, retry 31: no overflow") << 1000 << 30000 << 31;
    QTest::newRow("standard, retry 64: no overflow") << 1000 << 30000 << 64;
    QTest::newRow("standard, retry INT_MAX") << 1000 << 30000 << std::numeric_limits<int>::max();
    QTest::newRow("fast, retry 2 (200 ms = cap)") << 50 << 200 << 2;
    QTest::newRow("fast, retry 3") << 50 << 200 << 3;
    QTest::newRow("huge initial delay") << 1000000 << 30000 << 0;
}

// The exponential base stops at maxDelayMs; the jitter band is then around the cap (the
// documented contract: "initialDelayMs * 2^retry, capped, with up to 25 % jitter either way").
void TestRetryPolicy::backoffIsCapped()
{
    QFETCH(int, initialDelayMs);
    QFETCH(int, maxDelayMs);
    QFETCH(int, retry);

    RetryPolicy policy = RetryPolicy::standard();
    policy.initialDelayMs = initialDelayMs;
    policy.maxDelayMs = maxDelayMs;
    for (int i = 0; i < samples; ++i) {
        const int delay = policy.delayMs(retry, std::nullopt);
        QVERIFY2(delay >= 0.75 * maxDelayMs - 1 && delay <= 1.25 * maxDelayMs + 1,
                 qPrintable(
                     QStringLiteral("delay %1 ms for a cap of %2 ms").arg(delay).arg(maxDelayMs)));
    }
}

void TestRetryPolicy::retryAfterIsHonoured_data()
{
    QTest::addColumn<int>("retry");
    QTest::addColumn<qint64>("retryAfterMs");

    QTest::newRow("0 s") << 0 << qint64(0);
    QTest::newRow("1 s on the first retry") << 0 << qint64(1000);
    QTest::newRow("3 s on the fourth retry") << 3 << qint64(3000);
    QTest::newRow("1.5 s (an HTTP date a moment away)") << 1 << qint64(1500);
    // The server knows when it will be back: its word beats the backoff's own cap.
    QTest::newRow("60 s, above maxDelayMs") << 0 << qint64(60000);
    QTest::newRow("120 s, the whole budget") << 2 << qint64(120000);
}

void TestRetryPolicy::retryAfterIsHonoured()
{
    QFETCH(int, retry);
    QFETCH(qint64, retryAfterMs);

    const RetryPolicy policy = RetryPolicy::standard();
    // Exactly what the server asked for: no jitter, every time.
    for (int i = 0; i < 100; ++i)
        QCOMPARE(policy.delayMs(retry, retryAfterMs), int(retryAfterMs));
}

// A Retry-After past the whole budget must never be shortened into a delay that the caller's
// budget check (elapsed + delay <= maxTotalMs) accepts: that would retry before the server said,
// whenever the failed exchange took less than a millisecond.
void TestRetryPolicy::retryAfterBeyondBudget()
{
    RetryPolicy policy = RetryPolicy::standard();
    policy.maxTotalMs = 10000;
    policy.maxDelayMs = 2000;
    for (const qint64 retryAfterMs :
         {qint64(10001), qint64(60000), qint64(3600) * 1000, std::numeric_limits<qint64>::max()}) {
        const int delay = policy.delayMs(0, retryAfterMs);
        QVERIFY2(delay > policy.maxTotalMs,
                 qPrintable(QStringLiteral("Retry-After %1 ms became a delay of %2 ms")
                                .arg(retryAfterMs)
                                .arg(delay)));
    }
    // Not a negative delay either.
    QCOMPARE(policy.delayMs(0, qint64(-5)), 0);
}

void TestRetryPolicy::parseRetryAfter_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<std::optional<qint64>>("expected");

    const QDateTime now = fixedNow();
    const auto ms = [](qint64 value) {
        return std::optional<qint64>(value);
    };
    const std::optional<qint64> nothing;

    QTest::newRow("3") << QByteArray("3") << now << ms(3000);
    QTest::newRow("0") << QByteArray("0") << now << ms(0);
    QTest::newRow("120") << QByteArray("120") << now << ms(120000);
    QTest::newRow("surrounding spaces") << QByteArray(" 7 ") << now << ms(7000);
    QTest::newRow("-1") << QByteArray("-1") << now << nothing;
    QTest::newRow("abc") << QByteArray("abc") << now << nothing;
    QTest::newRow("empty") << QByteArray("") << now << nothing;
    QTest::newRow("blank") << QByteArray("   ") << now << nothing;
    QTest::newRow("1.5 (not delta-seconds)") << QByteArray("1.5") << now << nothing;
    QTest::newRow("3s") << QByteArray("3s") << now << nothing;
    // Far past any budget; must not overflow into a negative wait.
    QTest::newRow("huge") << QByteArray("9223372036854776") << now
                          << ms(std::numeric_limits<qint64>::max() / 1000 * 1000);

    // HTTP-date (RFC 9110, 5.6.7): IMF-fixdate is what servers send; a recipient must also
    // read the obsolete RFC 850 and asctime forms.
    QTest::newRow("IMF-fixdate, 61 s ahead")
        << QByteArray("Wed, 21 Oct 2026 07:28:00 GMT") << now.addSecs(-1) << ms(61000);
    QTest::newRow("IMF-fixdate, 1 min ahead")
        << QByteArray("Wed, 21 Oct 2026 07:28:00 GMT") << now << ms(60000);
    QTest::newRow("IMF-fixdate, 1.5 s ahead of a fractional now")
        << QByteArray("Wed, 21 Oct 2026 07:28:00 GMT") << now.addMSecs(58500) << ms(1500);
    QTest::newRow("IMF-fixdate, exactly now")
        << QByteArray("Wed, 21 Oct 2026 07:28:00 GMT") << now.addSecs(60) << ms(0);
    QTest::newRow("IMF-fixdate in the past: no wait")
        << QByteArray("Wed, 21 Oct 2026 07:28:00 GMT") << now.addSecs(3600) << ms(0);
    QTest::newRow("IMF-fixdate, now given in another zone")
        << QByteArray("Wed, 21 Oct 2026 07:28:00 GMT")
        << now.toTimeZone(QTimeZone("America/New_York")) << ms(60000);
    QTest::newRow("RFC 850 date") << QByteArray("Wednesday, 21-Oct-26 07:28:00 GMT") << now
                                  << ms(60000);
    QTest::newRow("asctime date") << QByteArray("Wed Oct 21 07:28:00 2026") << now << ms(60000);
    QTest::newRow("garbage date") << QByteArray("Wed, 32 Foo 2026 07:28:00 GMT") << now << nothing;
}

void TestRetryPolicy::parseRetryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(QDateTime, now);
    QFETCH(std::optional<qint64>, expected);

    const std::optional<qint64> actual = RetryPolicy::parseRetryAfter(value, now);
    QVERIFY2(actual == expected,
             "Retry-After: " + value + " gave " + describe(actual) + ", expected "
                 + describe(expected));
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
