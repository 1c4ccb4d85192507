#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

// One HTTP request as the test server saw it.
class HttpRequest
{
public:
    QByteArray method;
    QByteArray rawPath; // still percent-encoded, without the query
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;

    QString path() const { return QUrl::fromPercentEncoding(rawPath); }
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QJsonValue json() const;
};

// What the server does with a request: answer it, or misbehave on purpose.
class HttpResponse
{
public:
    enum class Action {
        Respond,
        Drop, // close the connection without an answer
        Hang, // keep the connection open and never answer
        Cut, // send the status, the headers and half the body, then close the connection
    };

    static HttpResponse json(int status, const QJsonValue &value);
    static HttpResponse text(int status, const QByteArray &body, const QByteArray &contentType);
    static HttpResponse drop();
    static HttpResponse hang();
    // A response that breaks off mid-body. Unlike drop(), which Qt may quietly send again, the
    // client always sees this as a network error.
    static HttpResponse cut(int status, const QJsonValue &value);

    Action action = Action::Respond;
    int status = 200;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
};

// A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port, answering through a handler:
// the same network stack as production, with faults on demand.
class FakeHttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<HttpResponse(const HttpRequest &request)>;
    // Offered each connection whose first request asks for a WebSocket upgrade, its bytes still
    // unread (the request is recorded): return true to take the socket over, false to answer
    // it through the handler like any request.
    using UpgradeHandler = std::function<bool(QTcpSocket *socket, const HttpRequest &request)>;

    explicit FakeHttpServer(QObject *parent = nullptr);

    bool listen();
    // HTTPS with this certificate and key instead of plain HTTP.
    bool listenTls(const QSslCertificate &certificate, const QSslKey &key);
    quint16 port() const { return m_server->serverPort(); }
    QUrl url(const QString &path = {}) const;
    bool isTls() const { return m_tls; }
    void setHandler(const Handler &handler) { m_handler = handler; }
    void setUpgradeHandler(const UpgradeHandler &handler) { m_upgradeHandler = handler; }
    QList<HttpRequest> requests() const { return m_requests; }
    void clearRequests() { m_requests.clear(); }

signals:
    void requestReceived(const HttpRequest &request);

private:
    void handleConnection(QTcpSocket *socket);
    bool tryParse(QTcpSocket *socket, QByteArray *buffer);

    QTcpServer *m_server;
    bool m_tls = false;
    Handler m_handler;
    UpgradeHandler m_upgradeHandler;
    QList<HttpRequest> m_requests;
};
