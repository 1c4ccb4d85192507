#include "logfollower.h"

#include "prefectclient.h"
#include "prefectreply.h"

#include <algorithm>

LogFollower::LogFollower(PrefectClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    connect(&m_timer, &QTimer::timeout, this, &LogFollower::fetch);
}

void LogFollower::start(const QString &flowRunId, int intervalMs)
{
    stop();
    m_flowRunId = flowRunId;
    m_after = QDateTime();
    m_seenAtLast.clear();
    m_skipAtLast = 0;
    m_pagesInARow = 0;
    m_finishing = false;
    m_sentAfterFinishMs = -1;
    m_timer.start(intervalMs);
    fetch();
}

void LogFollower::finish(int settleMs)
{
    if (m_flowRunId.isEmpty() || m_finishing)
        return;
    m_finishing = true;
    m_settleMs = std::clamp(settleMs, 0, maxSettleMs);
    m_finishClock.start();
    m_timer.start(settleReadIntervalMs);
    // A read in flight may have been sent before the last lines were written: the next read
    // follows it.
    if (!m_pending)
        fetch();
}

void LogFollower::stop()
{
    m_timer.stop();
    if (m_pending) {
        m_pending->disconnect(this);
        m_pending->deleteLater();
    }
    m_pending = nullptr;
    m_finishing = false;
    m_sentAfterFinishMs = -1;
}

void LogFollower::fetch()
{
    if (m_pending || m_flowRunId.isEmpty())
        return;
    const int limit = PrefectClient::pageSize;
    m_sentAfterFinishMs = m_finishing ? m_finishClock.elapsed() : -1;
    PrefectReply *reply = m_client->readLogs(m_flowRunId, m_after, limit, m_skipAtLast);
    m_pending = reply;
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        m_pending = nullptr;
        bool again = false;
        bool gotNew = false;
        if (reply->hasError()) {
            emit readFailed(reply->error());
        } else {
            const QList<LogEntry> page = reply->logs();
            const QDateTime before = m_after;
            QList<LogEntry> fresh;
            for (const LogEntry &entry : page) {
                // after_ is inclusive: the lines at the last timestamp come back again.
                if (entry.timestamp.isValid() && entry.timestamp == m_after
                    && m_seenAtLast.contains(entry.id)) {
                    continue;
                }
                if (entry.timestamp.isValid() && entry.timestamp > m_after) {
                    m_after = entry.timestamp;
                    m_seenAtLast.clear();
                }
                m_seenAtLast.insert(entry.id);
                fresh << entry;
            }
            // A full page means more are waiting. A full page of nothing new is lines that all
            // share the last time: the next read skips them.
            const bool full = page.size() >= limit;
            if (m_after != before)
                m_skipAtLast = 0;
            else if (full && fresh.isEmpty())
                m_skipAtLast += int(page.size());
            // Bounded, so that a server answering full pages forever is read at the interval.
            again = full && ++m_pagesInARow < maxPagesInARow;
            gotNew = !fresh.isEmpty();
            if (gotNew)
                emit logsArrived(fresh);
        }
        if (again)
            return fetch();
        m_pagesInARow = 0;
        if (!m_finishing || m_sentAfterFinishMs < 0)
            return;
        const bool quiet = !reply->hasError() && !gotNew && m_sentAfterFinishMs >= m_settleMs;
        if (quiet || m_sentAfterFinishMs >= maxSettleMs) {
            m_timer.stop();
            m_finishing = false;
            m_sentAfterFinishMs = -1;
            emit finished();
        }
    });
}
