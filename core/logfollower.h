#pragma once

#include "logentry.h"
#include "prefecterror.h"

#include <QDateTime>
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

    void start(const QString &flowRunId, int intervalMs = 2000);
    // One more read to catch the last lines (the run has ended), then finished().
    void finish();
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
    QPointer<PrefectReply> m_pending;
    bool m_finishing = false;
    bool m_finalRead = false; // the read in flight was sent after finish()
};
