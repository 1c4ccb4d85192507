#pragma once

#include "connectionprofile.h"

#include <QList>
#include <QObject>
#include <QProcessEnvironment>
#include <QStringList>

#include <optional>

class QSettings;
class SecretStore;

// The saved connection profiles and the current one, in QSettings; their secrets in the
// SecretStore, keyed "profile/NAME". Names are unique.
class ProfileStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProfileStore)

public:
    // Neither is owned; both must outlive the store.
    ProfileStore(QSettings *settings, SecretStore *secrets, QObject *parent = nullptr);

    SecretStore *secretStore() const { return m_secrets; }
    static QString secretKey(const QString &profileName);

    QList<ConnectionProfile> profiles() const { return m_profiles; }
    std::optional<ConnectionProfile> profile(const QString &name) const;
    QString currentProfileName() const { return m_current; }
    void setCurrentProfileName(const QString &name);

    // Adds or replaces the profile; previousName renames one (its old secret goes).
    void saveProfile(const ConnectionProfile &profile, const QString &secret,
                     const QString &previousName = {});
    void removeProfile(const QString &name);
    // Answers with secretReady.
    void requestSecret(const QString &profileName);

    // First start: with no profile saved, PREFECT_API_URL / PREFECT_API_KEY (and
    // PREFECT_ACCOUNT_ID, PREFECT_API_AUTH_STRING) make one, which becomes current.
    bool createFromEnvironment(
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    static QString environmentProfileName() { return QStringLiteral("From environment"); }

    // The Prefect CLI's profiles that name an API; names already saved are left alone. The
    // CLI's active profile becomes current when none is. Returns the names imported, or nothing
    // and a one-line reason.
    std::optional<QStringList> importPrefectProfiles(const QString &path, QString *error);

signals:
    void profilesChanged();
    void currentProfileChanged(const QString &name);
    void secretReady(const QString &profileName, const QString &secret);

private:
    void load();
    void store();
    qsizetype indexOf(const QString &name) const;

    QSettings *m_settings;
    SecretStore *m_secrets;
    QList<ConnectionProfile> m_profiles;
    QString m_current;
};
