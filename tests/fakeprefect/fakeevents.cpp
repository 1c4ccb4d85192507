#include "fakeevents.h"

#include "fakeprefect.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

namespace {

QString text(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

FakeEvents::FakeEvents(FakePrefect *prefect)
    : QObject(prefect)
    , m_prefect(prefect)
    , m_server(new QWebSocketServer(QStringLiteral("fake-prefect-events"),
                                    QWebSocketServer::NonSecureMode, this))
{
    m_server->setSupportedSubprotocols({QStringLiteral("prefect")});
    connect(m_server, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *client = m_server->nextPendingConnection())
            handleClient(client);
    });
    prefect->http().setUpgradeHandler(
        [this](QTcpSocket *socket, const HttpRequest &request) { return take(socket, request); });
    connect(prefect, &FakePrefect::flowRunStateChanged, this, &FakeEvents::publishState);
}

FakeEvents::~FakeEvents()
{
    // Destroyed with the fake (our parent), whose server is gone already: nothing to undo.
    if (m_prefect)
        m_prefect->http().setUpgradeHandler({});
    for (QWebSocket *client : std::as_const(m_clients))
        client->abort();
}

bool FakeEvents::take(QTcpSocket *socket, const HttpRequest &request)
{
    if (m_mode == Mode::RefuseHandshake || !request.path().endsWith(QLatin1String("/events/out")))
        return false;
    ++m_accepted;
    m_server->handleConnection(socket);
    return true;
}

void FakeEvents::handleClient(QWebSocket *client)
{
    client->setParent(this);
    m_clients << client;
    m_stage.insert(client, 0);
    connect(client, &QWebSocket::textMessageReceived, this,
            [this, client](const QString &message) { handleMessage(client, message); });
    connect(client, &QWebSocket::disconnected, this, [this, client] {
        m_clients.removeAll(client);
        m_stage.remove(client);
        m_resourceIds.remove(client);
        client->deleteLater();
    });
}

void FakeEvents::handleMessage(QWebSocket *client, const QString &message)
{
    const QJsonObject object = QJsonDocument::fromJson(message.toUtf8()).object();
    m_received << object;
    const int stage = m_stage.value(client);
    if (stage == 0) {
        // As Prefect does: the first message must be the auth message.
        if (m_mode == Mode::NeverAnswerAuth)
            return;
        const QString token = object.value("token").toString();
        if (object.value("type") != QLatin1String("auth") || m_mode == Mode::RejectAuth
            || (!m_requiredToken.isEmpty() && token != m_requiredToken)) {
            client->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("Invalid token"));
            return;
        }
        m_stage.insert(client, 1);
        client->sendTextMessage(text({{"type", "auth_success"}}));
        return;
    }
    if (stage == 1) {
        if (object.value("type") != QLatin1String("filter")) {
            client->close(QWebSocketProtocol::CloseCodeProtocolError,
                          QStringLiteral("Expected 'filter' message"));
            return;
        }
        QStringList ids;
        const QJsonObject filter = object.value("filter").toObject();
        for (const QJsonValue &id : filter.value("resource").toObject().value("id").toArray())
            ids << id.toString();
        m_resourceIds.insert(client, ids);
        m_stage.insert(client, 2);
        if (object.value("backfill").toBool(true)) {
            const QDateTime since = QDateTime::fromString(
                filter.value("occurred").toObject().value("since").toString(), Qt::ISODateWithMs);
            for (const QJsonObject &event : std::as_const(m_history)) {
                const QDateTime occurred =
                    QDateTime::fromString(event.value("occurred").toString(), Qt::ISODateWithMs);
                if (matches(client, event) && (!since.isValid() || occurred >= since))
                    client->sendTextMessage(text({{"type", "event"}, {"event", event}}));
            }
        }
        emit subscribed();
    }
}

bool FakeEvents::matches(QWebSocket *client, const QJsonObject &event) const
{
    const QStringList ids = m_resourceIds.value(client);
    return ids.isEmpty()
        || ids.contains(event.value("resource").toObject().value("prefect.resource.id").toString());
}

int FakeEvents::subscriberCount() const
{
    int count = 0;
    for (int stage : m_stage)
        count += stage == 2 ? 1 : 0;
    return count;
}

void FakeEvents::publishState(const QJsonObject &flowRun)
{
    const QJsonObject state = flowRun.value("state").toObject();
    const QString runId = flowRun.value("id").toString();
    QJsonObject validated{{"type", state.value("type")}, {"name", state.value("name")}};
    if (state.value("message").isString())
        validated.insert("message", state.value("message"));
    const QJsonObject event{
        {"id", state.value("id")},
        {"occurred", state.value("timestamp")},
        {"event", "prefect.flow-run." + state.value("name").toString()},
        {"resource",
         QJsonObject{{"prefect.resource.id", "prefect.flow-run." + runId},
                     {"prefect.resource.name", flowRun.value("name")},
                     {"prefect.state-type", state.value("type")},
                     {"prefect.state-name", state.value("name")},
                     {"prefect.state-timestamp", state.value("timestamp")}}},
        {"related", QJsonArray{}},
        {"payload", QJsonObject{{"validated_state", validated}}},
    };
    m_history << event;
    for (QWebSocket *client : std::as_const(m_clients)) {
        if (m_stage.value(client) == 2 && matches(client, event))
            client->sendTextMessage(text({{"type", "event"}, {"event", event}}));
    }
}

void FakeEvents::sendToSubscribers(const QString &message)
{
    for (QWebSocket *client : std::as_const(m_clients)) {
        if (m_stage.value(client) == 2)
            client->sendTextMessage(message);
    }
}

void FakeEvents::dropAll()
{
    const QList<QWebSocket *> clients = m_clients;
    for (QWebSocket *client : clients)
        client->abort();
}
