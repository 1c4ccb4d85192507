#pragma once

#include <QList>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

// Where the Prefect API is and how to authenticate: Prefect Cloud (account + workspace + API key)
// or a self-hosted server (API URL, optional key or HTTP Basic).
class Connection
{
public:
    static QUrl defaultCloudApiBase();
    static constexpr int defaultTransferTimeoutMs = 30000;

    // A Cloud API URL ".../accounts/{account}/workspaces/{workspace}" split into its parts;
    // false for any other URL.
    static bool splitCloudApiUrl(const QUrl &url, QUrl *base, QString *accountId,
                                 QString *workspaceId);

    bool isCloud() const { return !m_accountId.isEmpty(); }

    QUrl apiBase() const { return m_apiBase; }
    void setApiBase(const QUrl &base) { m_apiBase = base; }
    QString accountId() const { return m_accountId; }
    void setAccountId(const QString &accountId) { m_accountId = accountId; }
    QString workspaceId() const { return m_workspaceId; }
    void setWorkspaceId(const QString &workspaceId) { m_workspaceId = workspaceId; }
    bool hasApiKey() const { return !m_apiKey.isEmpty(); }
    void setApiKey(const QString &apiKey) { m_apiKey = apiKey; }
    // "user:pass", as in PREFECT_API_AUTH_STRING; used only when there is no API key.
    void setBasicAuth(const QString &userColonPassword) { m_basicAuth = userColonPassword; }
    // Extra trusted roots (a private CA), on top of the system's; verification stays on.
    void setCaCertificates(const QList<QSslCertificate> &certificates)
    {
        m_caCertificates = certificates;
    }
    int transferTimeoutMs() const { return m_transferTimeoutMs; }
    void setTransferTimeoutMs(int ms) { m_transferTimeoutMs = ms; }

    // The secrets this connection holds, so that output can be scrubbed of them.
    QStringList secrets() const;

    // A URL under the workspace API (Cloud) or the server API (self-hosted). Each segment is
    // percent-encoded here, so names with spaces or slashes are safe.
    QUrl endpoint(const QStringList &segments) const;
    // A URL under the API base itself, outside any workspace (Cloud's /me/workspaces).
    QUrl baseEndpoint(const QStringList &segments) const;

    // The event stream (GET {api}/events/out as a WebSocket): ws or wss after http or https,
    // under the workspace on Cloud.
    QUrl eventsUrl() const;
    // What the event stream's auth message carries: the API key, else the basic-auth string
    // (as Prefect's own client sends PREFECT_API_AUTH_STRING), else nothing (null).
    QString eventsToken() const { return m_apiKey.isEmpty() ? m_basicAuth : m_apiKey; }

    // The run's page in the Prefect UI: Cloud's app, or the server's UI root (the API base
    // without its trailing /api).
    QUrl flowRunUiUrl(const QString &flowRunId) const;

    // A request with every header Prefect expects and the transfer timeout set.
    QNetworkRequest request(const QUrl &url) const;

private:
    QUrl m_apiBase;
    QString m_accountId;
    QString m_workspaceId;
    QString m_apiKey;
    QString m_basicAuth;
    QList<QSslCertificate> m_caCertificates;
    int m_transferTimeoutMs = defaultTransferTimeoutMs;
};
