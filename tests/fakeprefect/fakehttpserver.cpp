#include "fakehttpserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslConfiguration>
#include <QSslServer>
#include <QTcpSocket>

QJsonValue HttpRequest::json() const
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (document.isArray())
        return document.array();
    if (document.isObject())
        return document.object();
    return {};
}

HttpResponse HttpResponse::json(int status, const QJsonValue &value)
{
    HttpResponse response;
    response.status = status;
    if (value.isArray()) {
        response.body = QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    } else if (value.isObject()) {
        response.body = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    } else {
        // A bare number or string, as Prefect's count routes answer: the array's brackets off.
        const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        response.body = array.mid(1, array.size() - 2);
    }
    response.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    return response;
}

HttpResponse HttpResponse::text(int status, const QByteArray &body, const QByteArray &contentType)
{
    HttpResponse response;
    response.status = status;
    response.body = body;
    response.headers.append(qMakePair(QByteArray("Content-Type"), contentType));
    return response;
}

HttpResponse HttpResponse::drop()
{
    HttpResponse response;
    response.action = Action::Drop;
    return response;
}

HttpResponse HttpResponse::hang()
{
    HttpResponse response;
    response.action = Action::Hang;
    return response;
}

HttpResponse HttpResponse::cut(int status, const QJsonValue &value)
{
    HttpResponse response = json(status, value);
    response.action = Action::Cut;
    return response;
}

namespace {

// The request line and headers, up to (not including) the blank line.
HttpRequest parseHead(const QByteArray &head)
{
    HttpRequest request;
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    const QByteArray target = requestLine.value(1);
    const qsizetype question = target.indexOf('?');
    request.rawPath = question < 0 ? target : target.left(question);
    if (question >= 0)
        request.query = QUrlQuery(QString::fromUtf8(target.mid(question + 1)));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            request.headers.insert(line.left(colon).trimmed().toLower(),
                                   line.mid(colon + 1).trimmed());
    }
    return request;
}

} // namespace

FakeHttpServer::FakeHttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
}

bool FakeHttpServer::listen()
{
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection())
            handleConnection(socket);
    });
    return m_server->listen(QHostAddress::LocalHost, 0);
}

bool FakeHttpServer::listenTls(const QSslCertificate &certificate, const QSslKey &key)
{
    delete m_server;
    auto *server = new QSslServer(this);
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(certificate);
    configuration.setPrivateKey(key);
    server->setSslConfiguration(configuration);
    m_server = server;
    m_tls = true;
    return listen();
}

QUrl FakeHttpServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2%3")
                    .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
                    .arg(port())
                    .arg(path));
}

void FakeHttpServer::handleConnection(QTcpSocket *socket)
{
    socket->setParent(this);
    auto buffer = std::make_shared<QByteArray>();
    auto upgradeChecked = std::make_shared<bool>(false);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer, upgradeChecked] {
        if (m_upgradeHandler && !*upgradeChecked) {
            const QByteArray head = socket->peek(socket->bytesAvailable());
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0 && head.size() < 65536)
                return; // the rest of the head is on its way
            *upgradeChecked = true;
            const HttpRequest request = parseHead(head.left(end));
            if (request.header("upgrade").toLower() == "websocket") {
                // Let go first: whoever takes the socket reads it from the start.
                disconnect(socket, nullptr, this, nullptr);
                disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                socket->setParent(nullptr);
                if (m_upgradeHandler(socket, request)) {
                    m_requests.append(request);
                    emit requestReceived(request);
                    return;
                }
                socket->setParent(this);
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
                    buffer->append(socket->readAll());
                    while (tryParse(socket, buffer.get())) { }
                });
            }
        }
        buffer->append(socket->readAll());
        while (tryParse(socket, buffer.get())) { }
    });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

bool FakeHttpServer::tryParse(QTcpSocket *socket, QByteArray *buffer)
{
    const qsizetype headerEnd = buffer->indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return false;
    HttpRequest request = parseHead(buffer->left(headerEnd));
    const qsizetype length = request.header("content-length").toLongLong();
    if (buffer->size() < headerEnd + 4 + length)
        return false;
    request.body = buffer->mid(headerEnd + 4, length);
    buffer->remove(0, headerEnd + 4 + length);

    m_requests.append(request);
    emit requestReceived(request);
    const HttpResponse response = m_handler
        ? m_handler(request)
        : HttpResponse::json(404, QJsonObject{{"detail", "Not Found"}});
    switch (response.action) {
    case HttpResponse::Action::Hang:
        return false;
    case HttpResponse::Action::Drop:
        socket->abort();
        return false;
    case HttpResponse::Action::Respond:
    case HttpResponse::Action::Cut:
        break;
    }
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + " Status\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += "Connection: keep-alive\r\n\r\n";
    if (response.action == HttpResponse::Action::Cut) {
        // The promised length never arrives: the connection closes once the half is sent.
        out += response.body.left(response.body.size() / 2);
        socket->write(out);
        socket->disconnectFromHost();
        return false;
    }
    out += response.body;
    socket->write(out);
    return true;
}
