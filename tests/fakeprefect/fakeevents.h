#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

class FakePrefect;
class HttpRequest;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

// Prefect's event stream ({api}/events/out) for a FakePrefect, on the same port: the
// "prefect" subprotocol, the auth message, a filter, backfill, then every state change of the
// fake's flow runs as a prefect.flow-run.* event. Faults on demand: refuse the handshake (the
// server answers 404, as a server without events does), reject the auth, drop connections.
class FakeEvents : public QObject
{
    Q_OBJECT

public:
    enum class Mode { Serve, RefuseHandshake, RejectAuth, NeverAnswerAuth };

    explicit FakeEvents(FakePrefect *prefect);
    ~FakeEvents() override;

    void setMode(Mode mode) { m_mode = mode; }
    // The token the auth message must carry; empty: any, null too.
    void requireToken(const QString &token) { m_requiredToken = token; }

    // A state event for a flow run as FakePrefect holds it (sent live, kept for backfill).
    void publishState(const QJsonObject &flowRun);
    // Any text to every subscribed client (garbage, oversized messages, foreign events).
    void sendToSubscribers(const QString &text);
    // Closes every connection without a close frame, as a network failure does.
    void dropAll();

    // Handshakes the stream accepted (every upgrade request, refused or not, is in the fake's
    // request log: requestsTo("/events/out")).
    int acceptedConnections() const { return m_accepted; }
    int subscriberCount() const;
    // Every message the clients sent, in order.
    QList<QJsonObject> received() const { return m_received; }
    QList<QJsonObject> history() const { return m_history; }

signals:
    // A client sent its filter (the backfill is already out).
    void subscribed();

private:
    bool take(QTcpSocket *socket, const HttpRequest &request);
    void handleClient(QWebSocket *client);
    void handleMessage(QWebSocket *client, const QString &text);
    bool matches(QWebSocket *client, const QJsonObject &event) const;

    QPointer<FakePrefect> m_prefect; // null once the fake is being destroyed (our parent)
    QWebSocketServer *m_server;
    Mode m_mode = Mode::Serve;
    QString m_requiredToken;
    int m_accepted = 0;
    QList<QJsonObject> m_received;
    QList<QJsonObject> m_history; // the "event" objects, oldest first
    QList<QWebSocket *> m_clients;
    QHash<QWebSocket *, int> m_stage; // 0: awaiting auth, 1: awaiting filter, 2: subscribed
    QHash<QWebSocket *, QStringList> m_resourceIds;
};
