#pragma once

#include "logentry.h"
#include "prefecterror.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class PrefectClient;
class PrefectReply;

// Follows one flow run's logs: reads POST /logs/filter from the last timestamp seen, every
// interval, and reports each line once, in order. The CLI's --logs and the GUI's log view.
class LogFollower : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogFollower)

public:
    explicit LogFollower(PrefectClient *client, QObject *parent = nullptr);

    // How long finish() goes on reading: Prefect's flow process ships its log lines in batches
    // (every 2 s by default), so the last ones land on the server after the run's final state.
    static constexpr int defaultSettleMs = 3000;
    static constexpr int settleReadIntervalMs = 1000;
    // However busy the log stays, finish() ends this long after it was called.
    static constexpr int maxSettleMs = 15000;
    // Full pages are read one after another, up to this many; then at the interval.
    static constexpr int maxPagesInARow = 50;

    void start(const QString &flowRunId, int intervalMs = 2000);
    // The run has ended: reads go on every settleReadIntervalMs until one sent settleMs or more
    // after this call brings nothing new, then finished(). 0: a single last read (a run that
    // ended long ago writes nothing more).
    void finish(int settleMs = defaultSettleMs);
    void stop();
    bool isActive() const { return m_timer.isActive() || m_pending; }
    QString flowRunId() const { return m_flowRunId; }

signals:
    void logsArrived(const QList<LogEntry> &entries);
    // A read failed; following goes on at the next interval.
    void readFailed(const PrefectError &error);
    void finished();

private:
    void fetch();

    PrefectClient *m_client;
    QTimer m_timer;
    QString m_flowRunId;
    QDateTime m_after;
    QSet<QString> m_seenAtLast; // ids of the lines at m_after, which the next read repeats
    // Lines at m_after to skip: a full page of lines sharing one time would otherwise come back
    // the same on every read, hiding the ones after it.
    int m_skipAtLast = 0;
    int m_pagesInARow = 0;
    QPointer<PrefectReply> m_pending;
    bool m_finishing = false;
    QElapsedTimer m_finishClock; // since finish()
    int m_settleMs = 0;
    qint64 m_sentAfterFinishMs = -1; // when the read in flight was sent, on m_finishClock
};
