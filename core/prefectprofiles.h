#pragma once

#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QUrl>

#include <optional>

// The Prefect CLI's profiles file (profiles.toml): `active = "name"` and one [profiles.NAME]
// table of settings per profile. Only the connection settings are read.
class PrefectProfiles
{
public:
    struct Profile
    {
        QString name;
        QUrl apiUrl; // PREFECT_API_URL; empty for the CLI's ephemeral or default profiles
        QString apiKey; // PREFECT_API_KEY
        QString authString; // PREFECT_API_AUTH_STRING, "user:pass"
        bool isActive = false;

        // A Cloud workspace URL ".../accounts/{account}/workspaces/{workspace}".
        bool isCloud() const;
        QUrl cloudApiBase() const;
        QString cloudAccountId() const;
        QString cloudWorkspaceId() const;
    };

    // Files larger than this are not a profiles file.
    static constexpr qint64 maxFileBytes = 1024 * 1024;

    // PREFECT_PROFILES_PATH, else $PREFECT_HOME/profiles.toml, else ~/.prefect/profiles.toml.
    static QString
    defaultPath(const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

    // The profiles, sorted by name; on failure nothing and a one-line reason.
    static std::optional<QList<Profile>> read(const QString &path, QString *error);
    // `source` names the text in error messages.
    static std::optional<QList<Profile>> parse(const QByteArray &toml, const QString &source,
                                               QString *error);
};
