#include "prefecterror.h"

#include "messagetext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

// Long HTML error pages must not flood a one-line error.
constexpr int maxMessageLength = 300;

QString oneLine(const QString &text)
{
    return MessageText::oneLine(text, maxMessageLength);
}

QString detailText(const QJsonValue &detail)
{
    if (detail.isString())
        return detail.toString();
    if (detail.isArray()) {
        // FastAPI validation errors: [{"loc": [...], "msg": "...", ...}, ...]
        QStringList parts;
        for (const QJsonValue &item : detail.toArray()) {
            const QJsonObject object = item.toObject();
            if (object.contains(QLatin1String("msg"))) {
                QStringList location;
                for (const QJsonValue &part : object.value(QLatin1String("loc")).toArray())
                    location << part.toVariant().toString();
                const QString msg = object.value(QLatin1String("msg")).toString();
                parts << (location.isEmpty() ? msg
                                             : location.join(u'.') + QStringLiteral(": ") + msg);
            } else {
                parts << QString::fromUtf8(
                    QJsonDocument(item.toObject()).toJson(QJsonDocument::Compact));
            }
        }
        return parts.join(QStringLiteral("; "));
    }
    if (detail.isObject())
        return QString::fromUtf8(QJsonDocument(detail.toObject()).toJson(QJsonDocument::Compact));
    return {};
}

} // namespace

PrefectError::PrefectError(Kind kind, int httpStatus, const QString &message)
    : m_kind(kind)
    , m_httpStatus(httpStatus)
    , m_message(oneLine(message))
{
}

PrefectError PrefectError::http(int status, const QString &serverMessage)
{
    return PrefectError(Kind::Http, status, serverMessage);
}

bool PrefectError::isAuthenticationFailure() const
{
    return m_kind == Kind::Http && (m_httpStatus == 401 || m_httpStatus == 403);
}

QString PrefectError::toString() const
{
    switch (m_kind) {
    case Kind::None:
        return {};
    case Kind::Network:
        return QStringLiteral("network error: ") + m_message;
    case Kind::Timeout:
        return QStringLiteral("no answer from the Prefect API: ") + m_message;
    case Kind::InvalidResponse:
        return QStringLiteral("unexpected answer from the Prefect API: ") + m_message;
    case Kind::Http:
        break;
    }
    QString text = QStringLiteral("HTTP %1").arg(m_httpStatus);
    if (isAuthenticationFailure())
        text = QStringLiteral("authentication failed (HTTP %1)").arg(m_httpStatus);
    if (!m_message.isEmpty())
        text += QStringLiteral(": ") + m_message;
    return text;
}

QString PrefectError::serverMessage(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError && document.isObject()) {
        const QJsonObject object = document.object();
        for (const auto key : {QLatin1String("exception_message"), QLatin1String("detail")}) {
            const QString text = detailText(object.value(key));
            if (!text.isEmpty()) {
                // A 422 from FastAPI pairs exception_message "Invalid request..." with the detail.
                if (key == QLatin1String("exception_message")
                    && object.contains(QLatin1String("exception_detail"))) {
                    const QString more =
                        detailText(object.value(QLatin1String("exception_detail")));
                    if (!more.isEmpty())
                        return oneLine(text + QStringLiteral(": ") + more);
                }
                return oneLine(text);
            }
        }
    }
    return oneLine(QString::fromUtf8(body));
}
