#include "connection.h"

#include "version.h"

#include <QRegularExpression>
#include <QSslConfiguration>

QUrl Connection::defaultCloudApiBase()
{
    return QUrl(QStringLiteral("https://api.prefect.cloud/api"));
}

bool Connection::splitCloudApiUrl(const QUrl &url, QUrl *base, QString *accountId,
                                  QString *workspaceId)
{
    static const QRegularExpression pattern(
        QStringLiteral("^(.*)/accounts/([^/]+)/workspaces/([^/]+)/?$"));
    const QRegularExpressionMatch match = pattern.match(url.path());
    if (!match.hasMatch())
        return false;
    QUrl apiBase = url;
    apiBase.setPath(match.captured(1));
    apiBase.setQuery(QString());
    apiBase.setFragment(QString());
    if (base)
        *base = apiBase;
    if (accountId)
        *accountId = match.captured(2);
    if (workspaceId)
        *workspaceId = match.captured(3);
    return true;
}

QStringList Connection::secrets() const
{
    QStringList result;
    if (!m_apiKey.isEmpty())
        result << m_apiKey;
    if (!m_basicAuth.isEmpty()) {
        result << m_basicAuth << QString::fromLatin1(m_basicAuth.toUtf8().toBase64());
        const qsizetype colon = m_basicAuth.indexOf(u':');
        if (colon >= 0 && colon + 1 < m_basicAuth.size())
            result << m_basicAuth.mid(colon + 1);
    }
    return result;
}

QUrl Connection::baseEndpoint(const QStringList &segments) const
{
    QByteArray path = m_apiBase.path(QUrl::FullyEncoded).toUtf8();
    while (path.endsWith('/'))
        path.chop(1);
    for (const QString &segment : segments)
        path += '/' + QUrl::toPercentEncoding(segment);
    QUrl url = m_apiBase;
    url.setPath(QString::fromLatin1(path), QUrl::StrictMode);
    return url;
}

QUrl Connection::endpoint(const QStringList &segments) const
{
    if (!isCloud())
        return baseEndpoint(segments);
    return baseEndpoint(QStringList{QStringLiteral("accounts"), m_accountId,
                                    QStringLiteral("workspaces"), m_workspaceId}
                        + segments);
}

QUrl Connection::eventsUrl() const
{
    QUrl url = endpoint({QStringLiteral("events"), QStringLiteral("out")});
    url.setScheme(url.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                         : QStringLiteral("ws"));
    return url;
}

QNetworkRequest Connection::request(const QUrl &url) const
{
    QNetworkRequest request(url);
    request.setRawHeader("X-PREFECT-API-VERSION", "0.8.4");
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QByteArrayLiteral("ue-prefect/" UE_PREFECT_VERSION));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    if (!m_apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_apiKey.toUtf8());
    else if (!m_basicAuth.isEmpty())
        request.setRawHeader("Authorization", "Basic " + m_basicAuth.toUtf8().toBase64());
    request.setTransferTimeout(m_transferTimeoutMs);
    if (!m_caCertificates.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(m_caCertificates);
        request.setSslConfiguration(ssl);
    }
    // Credentials must never follow a redirect to another host.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::SameOriginRedirectPolicy);
    return request;
}

QUrl Connection::flowRunUiUrl(const QString &flowRunId) const
{
    QUrl url = m_apiBase;
    url.setQuery(QString());
    url.setFragment(QString());
    url.setUserInfo(QString());
    QStringList segments;
    if (isCloud()) {
        // Cloud's UI lives on its own host, beside the API's.
        if (url.host().compare(QLatin1String("api.prefect.cloud"), Qt::CaseInsensitive) == 0)
            url.setHost(QStringLiteral("app.prefect.cloud"));
        url.setPath(QString());
        segments = {QStringLiteral("account"), m_accountId, QStringLiteral("workspace"),
                    m_workspaceId};
    } else {
        QString path = url.path();
        while (path.endsWith(u'/'))
            path.chop(1);
        if (path.endsWith(QLatin1String("/api")))
            path.chop(4);
        url.setPath(path);
    }
    segments << QStringLiteral("runs") << QStringLiteral("flow-run") << flowRunId;
    QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    for (const QString &segment : std::as_const(segments))
        path += '/' + QUrl::toPercentEncoding(segment);
    url.setPath(QString::fromLatin1(path), QUrl::StrictMode);
    return url;
}
