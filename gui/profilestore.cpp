#include "profilestore.h"

#include "connection.h"
#include "prefectprofiles.h"
#include "secretstore.h"

#include <QSettings>

namespace {

const QString profilesArray = QStringLiteral("profiles");
const QString currentKey = QStringLiteral("currentProfile");
const QString secretPrefix = QStringLiteral("profile/");

// A Cloud workspace URL, or a self-hosted server with a key or "user:pass".
ConnectionProfile profileFor(const QString &name, const QUrl &apiUrl, const QString &accountId,
                             const QString &apiKey, const QString &authString, QString *secret)
{
    ConnectionProfile profile;
    profile.name = name;
    QUrl base;
    QString urlAccount;
    QString urlWorkspace;
    const bool cloudUrl = Connection::splitCloudApiUrl(apiUrl, &base, &urlAccount, &urlWorkspace);
    if (cloudUrl || !accountId.isEmpty()) {
        profile.kind = ConnectionProfile::Kind::Cloud;
        const QUrl apiBase = cloudUrl ? base : apiUrl;
        profile.apiUrl = apiBase == Connection::defaultCloudApiBase() ? QUrl() : apiBase;
        profile.accountId = accountId.isEmpty() ? urlAccount : accountId;
        profile.workspaceId = urlWorkspace;
        profile.auth = ConnectionProfile::Auth::ApiKey;
        *secret = apiKey;
        return profile;
    }
    profile.kind = ConnectionProfile::Kind::SelfHosted;
    profile.apiUrl = apiUrl;
    if (!apiKey.isEmpty()) {
        profile.auth = ConnectionProfile::Auth::ApiKey;
        *secret = apiKey;
    } else if (!authString.isEmpty()) {
        profile.auth = ConnectionProfile::Auth::Basic;
        const qsizetype colon = authString.indexOf(u':');
        profile.basicUser = colon < 0 ? authString : authString.left(colon);
        *secret = colon < 0 ? QString() : authString.mid(colon + 1);
    }
    return profile;
}

} // namespace

ProfileStore::ProfileStore(QSettings *settings, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_secrets(secrets)
{
    load();
    connect(m_secrets, &SecretStore::secretRead, this,
            [this](const QString &key, const QString &secret) {
                if (key.startsWith(secretPrefix))
                    emit secretReady(key.mid(secretPrefix.size()), secret);
            });
}

QString ProfileStore::secretKey(const QString &profileName)
{
    return secretPrefix + profileName;
}

std::optional<ConnectionProfile> ProfileStore::profile(const QString &name) const
{
    const qsizetype index = indexOf(name);
    if (index < 0)
        return std::nullopt;
    return m_profiles.at(index);
}

void ProfileStore::setCurrentProfileName(const QString &name)
{
    if (name == m_current)
        return;
    m_current = name;
    m_settings->setValue(currentKey, m_current);
    emit currentProfileChanged(m_current);
}

void ProfileStore::saveProfile(const ConnectionProfile &profile, const QString &secret,
                               const QString &previousName)
{
    const QString oldName = previousName.isEmpty() ? profile.name : previousName;
    qsizetype index = indexOf(oldName);
    if (oldName != profile.name && index >= 0) {
        m_profiles.removeAt(index);
        m_secrets->deleteSecret(secretKey(oldName));
    }
    index = indexOf(profile.name);
    if (index >= 0)
        m_profiles[index] = profile;
    else
        m_profiles << profile;
    if (profile.needsSecret())
        m_secrets->writeSecret(secretKey(profile.name), secret);
    else
        m_secrets->deleteSecret(secretKey(profile.name));
    store();
    if (oldName != profile.name && m_current == oldName)
        setCurrentProfileName(profile.name);
    emit profilesChanged();
}

void ProfileStore::removeProfile(const QString &name)
{
    const qsizetype index = indexOf(name);
    if (index < 0)
        return;
    m_profiles.removeAt(index);
    m_secrets->deleteSecret(secretKey(name));
    store();
    if (m_current == name)
        setCurrentProfileName(m_profiles.isEmpty() ? QString() : m_profiles.first().name);
    emit profilesChanged();
}

void ProfileStore::requestSecret(const QString &profileName)
{
    m_secrets->readSecret(secretKey(profileName));
}

bool ProfileStore::createFromEnvironment(const QProcessEnvironment &environment)
{
    if (!m_profiles.isEmpty())
        return false;
    const QString apiUrl = environment.value(QStringLiteral("PREFECT_API_URL")).trimmed();
    const QString apiKey = environment.value(QStringLiteral("PREFECT_API_KEY")).trimmed();
    const QString accountId = environment.value(QStringLiteral("PREFECT_ACCOUNT_ID")).trimmed();
    if (apiUrl.isEmpty() && (apiKey.isEmpty() || accountId.isEmpty()))
        return false;
    const QUrl url(apiUrl, QUrl::StrictMode);
    if (!apiUrl.isEmpty() && (!url.isValid() || url.host().isEmpty()))
        return false;
    QString secret;
    const ConnectionProfile created =
        profileFor(environmentProfileName(), url, accountId, apiKey,
                   environment.value(QStringLiteral("PREFECT_API_AUTH_STRING")), &secret);
    saveProfile(created, secret);
    setCurrentProfileName(created.name);
    return true;
}

std::optional<QStringList> ProfileStore::importPrefectProfiles(const QString &path, QString *error)
{
    const std::optional<QList<PrefectProfiles::Profile>> found = PrefectProfiles::read(path, error);
    if (!found)
        return std::nullopt;
    QStringList imported;
    QString active;
    for (const PrefectProfiles::Profile &cli : *found) {
        // The CLI's ephemeral and default profiles name no server.
        if (cli.apiUrl.isEmpty() || indexOf(cli.name) >= 0)
            continue;
        QString secret;
        saveProfile(profileFor(cli.name, cli.apiUrl, {}, cli.apiKey, cli.authString, &secret),
                    secret);
        imported << cli.name;
        if (cli.isActive)
            active = cli.name;
    }
    if (m_current.isEmpty() && !imported.isEmpty())
        setCurrentProfileName(active.isEmpty() ? imported.first() : active);
    return imported;
}

void ProfileStore::load()
{
    m_profiles.clear();
    const int size = m_settings->beginReadArray(profilesArray);
    for (int i = 0; i < size; ++i) {
        m_settings->setArrayIndex(i);
        const ConnectionProfile loaded = ConnectionProfile::load(m_settings);
        if (!loaded.name.isEmpty() && indexOf(loaded.name) < 0)
            m_profiles << loaded;
    }
    m_settings->endArray();
    m_current = m_settings->value(currentKey).toString();
    if (indexOf(m_current) < 0)
        m_current = m_profiles.isEmpty() ? QString() : m_profiles.first().name;
}

void ProfileStore::store()
{
    m_settings->remove(profilesArray);
    m_settings->beginWriteArray(profilesArray, static_cast<int>(m_profiles.size()));
    for (int i = 0; i < m_profiles.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_profiles.at(i).save(m_settings);
    }
    m_settings->endArray();
    m_settings->sync();
}

qsizetype ProfileStore::indexOf(const QString &name) const
{
    for (qsizetype i = 0; i < m_profiles.size(); ++i) {
        if (m_profiles.at(i).name == name)
            return i;
    }
    return -1;
}
