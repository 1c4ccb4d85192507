#include "flowrunevents.h"

#include "jsondocument.h"
#include "messagetext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

namespace {

QString timestamp(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString sendable(const QJsonObject &message)
{
    return QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

} // namespace

FlowRunEvents::FlowRunEvents(QObject *parent)
    : QObject(parent)
{
    m_handshakeTimer.setSingleShot(true);
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        giveUp(QStringLiteral("the event stream did not answer within %1 s")
                   .arg(m_handshakeTimeoutMs / 1000));
    });
}

FlowRunEvents::~FlowRunEvents()
{
    stop();
}

QJsonObject FlowRunEvents::filterMessage(const QString &flowRunId, const QDateTime &since,
                                         const QDateTime &now)
{
    // The server's default "until" is the moment it reads the filter, which would end the live
    // stream at once: Prefect's own subscriber asks for a year ahead, and so do we.
    const QJsonObject filter{
        {QStringLiteral("occurred"),
         QJsonObject{{QStringLiteral("since"), timestamp(since)},
                     {QStringLiteral("until"), timestamp(now.addDays(365))}}},
        {QStringLiteral("event"),
         QJsonObject{{QStringLiteral("prefix"), QJsonArray{QStringLiteral("prefect.flow-run.")}}}},
        {QStringLiteral("resource"),
         QJsonObject{{QStringLiteral("id"),
                      QJsonArray{QString(QStringLiteral("prefect.flow-run.") + flowRunId)}}}},
    };
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("filter")},
                       {QStringLiteral("filter"), filter},
                       {QStringLiteral("backfill"), true}};
}

void FlowRunEvents::start(const Connection &connection, const QString &flowRunId,
                          const QDateTime &since)
{
    stop();
    m_flowRunId = flowRunId;
    m_since = since;
    m_token = connection.eventsToken();
    m_seenEventIds.clear();
    m_authenticated = false;
    m_subscribed = false;

    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingMessageSize(maxFrameBytes);
    m_socket->setMaxAllowedIncomingFrameSize(maxFrameBytes);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        const QJsonValue token = m_token.isEmpty() ? QJsonValue() : QJsonValue(m_token);
        m_socket->sendTextMessage(sendable(
            {{QStringLiteral("type"), QStringLiteral("auth")}, {QStringLiteral("token"), token}}));
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &FlowRunEvents::handleText);
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                giveUp(QStringLiteral("the event stream failed: %1").arg(m_socket->errorString()));
            });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        const QString why = m_socket->closeReason().isEmpty()
            ? QString()
            : QStringLiteral(": ") + MessageText::printable(m_socket->closeReason());
        giveUp((m_authenticated ? QStringLiteral("the event stream closed (code %1%2)")
                                : QStringLiteral("the event stream refused the connection "
                                                 "(code %1%2)"))
                   .arg(int(m_socket->closeCode()))
                   .arg(why));
    });

    const QNetworkRequest request = connection.request(connection.eventsUrl());
    // Only wss needs TLS settings (the private CA). QWebSocket loads the TLS library in any case,
    // since its default configuration asks for Qt's default TLS settings.
    if (request.url().scheme() == QLatin1String("wss"))
        m_socket->setSslConfiguration(request.sslConfiguration());
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QStringLiteral("prefect")});
    m_handshakeTimer.start(m_handshakeTimeoutMs);
    m_socket->open(request, options);
}

void FlowRunEvents::stop()
{
    m_handshakeTimer.stop();
    m_subscribed = false;
    if (!m_socket)
        return;
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void FlowRunEvents::giveUp(const QString &reason)
{
    if (!m_socket)
        return;
    stop();
    emit unavailable(reason);
}

void FlowRunEvents::handleText(const QString &text)
{
    if (text.size() > maxMessageBytes) {
        emit diagnostic(
            QStringLiteral("event stream: ignored a message of %1 characters").arg(text.size()));
        return;
    }
    QString error;
    const std::optional<QJsonObject> message = JsonDocument::parseObject(
        text.toUtf8(), QStringLiteral("the event stream message"),
        QStringLiteral("an event stream message must be an object"), &error);
    if (!message) {
        emit diagnostic(QStringLiteral("event stream: ignored: %1").arg(error));
        return;
    }
    const QString type = message->value(QLatin1String("type")).toString();
    if (!m_authenticated) {
        if (type != QLatin1String("auth_success")) {
            const QString reason = message->value(QLatin1String("reason")).toString();
            return giveUp(QStringLiteral("the event stream refused authentication%1")
                              .arg(reason.isEmpty()
                                       ? QString()
                                       : QStringLiteral(": ") + MessageText::printable(reason)));
        }
        m_authenticated = true;
        m_handshakeTimer.stop();
        m_socket->sendTextMessage(
            sendable(filterMessage(m_flowRunId, m_since, QDateTime::currentDateTimeUtc())));
        m_subscribed = true;
        emit connected();
        return;
    }
    if (type != QLatin1String("event")) {
        emit diagnostic(QStringLiteral("event stream: ignored a '%1' message")
                            .arg(MessageText::printable(type)));
        return;
    }
    handleEvent(message->value(QLatin1String("event")).toObject());
}

void FlowRunEvents::handleEvent(const QJsonObject &event)
{
    const QString name = event.value(QLatin1String("event")).toString();
    const QJsonObject resource = event.value(QLatin1String("resource")).toObject();
    const QString resourceId = resource.value(QLatin1String("prefect.resource.id")).toString();
    if (resourceId != QStringLiteral("prefect.flow-run.") + m_flowRunId
        || !name.startsWith(QLatin1String("prefect.flow-run."))) {
        emit diagnostic(QStringLiteral("event stream: ignored '%1' for '%2'")
                            .arg(MessageText::printable(name), MessageText::printable(resourceId)));
        return;
    }
    // The state is in the payload; the resource labels carry it too (and are all older
    // servers may send).
    const QJsonObject state = event.value(QLatin1String("payload"))
                                  .toObject()
                                  .value(QLatin1String("validated_state"))
                                  .toObject();
    QString stateType = state.value(QLatin1String("type")).toString();
    if (stateType.isEmpty())
        stateType = resource.value(QLatin1String("prefect.state-type")).toString();
    if (stateType.isEmpty()) {
        // Heartbeats and other run events that are not state changes.
        emit diagnostic(QStringLiteral("event stream: '%1' is no state change")
                            .arg(MessageText::printable(name)));
        return;
    }
    const QString id = event.value(QLatin1String("id")).toString();
    if (!id.isEmpty()) {
        if (m_seenEventIds.contains(id))
            return;
        m_seenEventIds.insert(id);
    }
    QString stateName = state.value(QLatin1String("name")).toString();
    if (stateName.isEmpty())
        stateName = resource.value(QLatin1String("prefect.state-name")).toString();
    if (stateName.isEmpty())
        stateName = name.mid(qsizetype(qstrlen("prefect.flow-run.")));
    QDateTime timestamp = QDateTime::fromString(
        resource.value(QLatin1String("prefect.state-timestamp")).toString(), Qt::ISODateWithMs);
    if (!timestamp.isValid()) {
        timestamp = QDateTime::fromString(event.value(QLatin1String("occurred")).toString(),
                                          Qt::ISODateWithMs);
    }
    emit diagnostic(QStringLiteral("event stream: %1 (%2)")
                        .arg(MessageText::printable(name), stateType.toUpper()));
    emit stateChanged(stateType.toUpper(), stateName,
                      state.value(QLatin1String("message")).toString(), timestamp.toUTC());
}
