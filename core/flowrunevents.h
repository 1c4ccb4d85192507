#pragma once

#include "connection.h"

#include <QDateTime>
#include <QObject>
#include <QSet>
#include <QTimer>

class QWebSocket;

// Follows one flow run's state changes on Prefect's event stream (the WebSocket
// {api}/events/out, subprotocol "prefect"): authenticate, send a filter for the run's
// prefect.flow-run.* events with backfill, then report each state change once. Whatever goes
// wrong (no such endpoint, refused credentials, a dropped connection) ends in unavailable():
// the caller falls back to polling.
class FlowRunEvents : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlowRunEvents)

public:
    // A larger message is ignored; a much larger one (maxFrameBytes) closes the stream.
    static constexpr qint64 maxMessageBytes = 2 * 1024 * 1024;
    static constexpr qint64 maxFrameBytes = 16 * 1024 * 1024;
    static constexpr int defaultHandshakeTimeoutMs = 30000;

    explicit FlowRunEvents(QObject *parent = nullptr);
    ~FlowRunEvents() override;

    // since: the earliest event wanted (the run's creation, by the server's clock); backfill
    // replays what happened from then on, so a change made before the subscription is not lost.
    void start(const Connection &connection, const QString &flowRunId, const QDateTime &since);
    void stop();
    bool isActive() const { return m_socket != nullptr; }
    bool isSubscribed() const { return m_subscribed; }
    void setHandshakeTimeoutMs(int ms) { m_handshakeTimeoutMs = ms; }

    // The filter message for a run, as sent after authentication.
    static QJsonObject filterMessage(const QString &flowRunId, const QDateTime &since,
                                     const QDateTime &now);

signals:
    // Authenticated and subscribed: from now on every state change arrives here.
    void connected();
    // timestamp: the state's, by the server's clock (invalid when the event carried none).
    void stateChanged(const QString &stateType, const QString &stateName, const QString &message,
                      const QDateTime &timestamp);
    // The stream cannot be used, or no longer: emitted once, after which the object is idle.
    void unavailable(const QString &reason);
    // Messages that were ignored and why, for a verbose log.
    void diagnostic(const QString &message);

private:
    void handleText(const QString &text);
    void handleEvent(const QJsonObject &event);
    void giveUp(const QString &reason);

    QWebSocket *m_socket = nullptr;
    QTimer m_handshakeTimer;
    QString m_flowRunId;
    QDateTime m_since;
    QString m_token;
    QSet<QString> m_seenEventIds;
    int m_handshakeTimeoutMs = defaultHandshakeTimeoutMs;
    bool m_authenticated = false;
    bool m_subscribed = false;
};
