#pragma once

#include <QJsonObject>
#include <QString>
#include <QUrl>

class QSettings;

// One saved connection of the desktop front end, without its secret (the API key, or the Basic
// password), which lives in the SecretStore.
class ConnectionProfile
{
public:
    enum class Kind { Cloud, SelfHosted };
    enum class Auth { None, ApiKey, Basic };

    QString name;
    Kind kind = Kind::SelfHosted;
    // Self-hosted: the server API. Cloud: the API base; empty for api.prefect.cloud.
    QUrl apiUrl;
    QString accountId;
    QString workspaceId;
    QString workspaceName;
    Auth auth = Auth::None;
    QString basicUser;

    bool isCloud() const { return kind == Kind::Cloud; }
    bool needsSecret() const { return isCloud() || auth != Auth::None; }

    // The core field layer (FieldName keys), so that the front end validates with
    // TaskFields::fromValues and connects with TaskFields::connection() like the CLI.
    QJsonObject taskFieldValues(const QString &secret) const;

    // Into and out of the current QSettings group; no secret is ever written.
    void save(QSettings *settings) const;
    static ConnectionProfile load(const QSettings *settings);

    friend bool operator==(const ConnectionProfile &a, const ConnectionProfile &b);
};
