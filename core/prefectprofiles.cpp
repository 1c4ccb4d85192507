#include "prefectprofiles.h"

#include "connection.h"
#include "messagetext.h"

#include <QDir>
#include <QFile>

#include <string_view>

#include <toml++/toml.h>

namespace {

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString oneLine(const QString &text)
{
    return MessageText::printable(MessageText::oneLine(text, 300), 300);
}

// A setting that is absent is empty; one of another type than string is an error.
bool readSetting(const toml::table &settings, const char *key, const QString &profile, QString *out,
                 QString *error)
{
    const toml::node *node = settings.get(key);
    if (!node)
        return true;
    const std::optional<std::string_view> value = node->value<std::string_view>();
    if (!value || !node->is_string()) {
        *error = QStringLiteral("profile '%1': %2 must be a string")
                     .arg(oneLine(profile), QLatin1String(key));
        return false;
    }
    *out = fromStd(*value).trimmed();
    return true;
}

} // namespace

bool PrefectProfiles::Profile::isCloud() const
{
    return Connection::splitCloudApiUrl(apiUrl, nullptr, nullptr, nullptr);
}

QUrl PrefectProfiles::Profile::cloudApiBase() const
{
    QUrl base;
    Connection::splitCloudApiUrl(apiUrl, &base, nullptr, nullptr);
    return base;
}

QString PrefectProfiles::Profile::cloudAccountId() const
{
    QString accountId;
    Connection::splitCloudApiUrl(apiUrl, nullptr, &accountId, nullptr);
    return accountId;
}

QString PrefectProfiles::Profile::cloudWorkspaceId() const
{
    QString workspaceId;
    Connection::splitCloudApiUrl(apiUrl, nullptr, nullptr, &workspaceId);
    return workspaceId;
}

QString PrefectProfiles::defaultPath(const QProcessEnvironment &environment)
{
    const QString explicitPath = environment.value(QStringLiteral("PREFECT_PROFILES_PATH"));
    if (!explicitPath.isEmpty())
        return explicitPath;
    const QString home = environment.value(QStringLiteral("PREFECT_HOME"));
    if (!home.isEmpty())
        return QDir(home).filePath(QStringLiteral("profiles.toml"));
    return QDir::home().filePath(QStringLiteral(".prefect/profiles.toml"));
}

std::optional<QList<PrefectProfiles::Profile>> PrefectProfiles::read(const QString &path,
                                                                     QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the Prefect profiles file '%1': %2")
                     .arg(oneLine(path), oneLine(file.errorString()));
        return std::nullopt;
    }
    if (file.size() > maxFileBytes) {
        *error = QStringLiteral("the Prefect profiles file '%1' is larger than %2 bytes")
                     .arg(oneLine(path))
                     .arg(maxFileBytes);
        return std::nullopt;
    }
    // read() stops at the cap even when size() lied (a pipe or a growing file).
    return parse(file.read(maxFileBytes + 1), path, error);
}

std::optional<QList<PrefectProfiles::Profile>>
PrefectProfiles::parse(const QByteArray &toml, const QString &source, QString *error)
{
    if (toml.size() > maxFileBytes) {
        *error =
            QStringLiteral("%1 is larger than %2 bytes").arg(oneLine(source)).arg(maxFileBytes);
        return std::nullopt;
    }
    const std::string_view text(toml.constData(), static_cast<size_t>(toml.size()));
    toml::table document;
#if TOML_EXCEPTIONS
    try {
        document = toml::parse(text);
    } catch (const toml::parse_error &failure) {
        const toml::source_position where = failure.source().begin;
        *error = QStringLiteral("%1 line %2, column %3: %4")
                     .arg(oneLine(source))
                     .arg(where.line)
                     .arg(where.column)
                     .arg(oneLine(fromStd(failure.description())));
        return std::nullopt;
    }
#else
    toml::parse_result result = toml::parse(text);
    if (!result) {
        const toml::source_position where = result.error().source().begin;
        *error = QStringLiteral("%1 line %2, column %3: %4")
                     .arg(oneLine(source))
                     .arg(where.line)
                     .arg(where.column)
                     .arg(oneLine(fromStd(result.error().description())));
        return std::nullopt;
    }
    document = std::move(result).table();
#endif

    QString active;
    if (const toml::node *node = document.get("active")) {
        if (!node->is_string()) {
            *error = QStringLiteral("%1: active must be a profile name").arg(oneLine(source));
            return std::nullopt;
        }
        active = fromStd(*node->value<std::string_view>());
    }

    QList<Profile> profiles;
    const toml::node *profilesNode = document.get("profiles");
    if (!profilesNode)
        return profiles;
    const toml::table *table = profilesNode->as_table();
    if (!table) {
        *error = QStringLiteral("%1: profiles must be a table of [profiles.NAME] sections")
                     .arg(oneLine(source));
        return std::nullopt;
    }
    for (const auto &[key, node] : *table) {
        Profile profile;
        profile.name = fromStd(key.str());
        const toml::table *settings = node.as_table();
        if (!settings) {
            *error = QStringLiteral("%1: profile '%2' must be a [profiles.%2] section")
                         .arg(oneLine(source), oneLine(profile.name));
            return std::nullopt;
        }
        QString apiUrl;
        if (!readSetting(*settings, "PREFECT_API_URL", profile.name, &apiUrl, error)
            || !readSetting(*settings, "PREFECT_API_KEY", profile.name, &profile.apiKey, error)
            || !readSetting(*settings, "PREFECT_API_AUTH_STRING", profile.name, &profile.authString,
                            error)) {
            *error = oneLine(source) + QStringLiteral(": ") + *error;
            return std::nullopt;
        }
        if (!apiUrl.isEmpty()) {
            profile.apiUrl = QUrl(apiUrl, QUrl::StrictMode);
            const QString scheme = profile.apiUrl.scheme();
            if (!profile.apiUrl.isValid() || profile.apiUrl.host().isEmpty()
                || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
                *error = QStringLiteral("%1: profile '%2': PREFECT_API_URL '%3' is not an http "
                                        "or https URL")
                             .arg(oneLine(source), oneLine(profile.name),
                                  oneLine(QUrl(apiUrl).toString(QUrl::RemoveUserInfo)));
                return std::nullopt;
            }
        }
        profile.isActive = profile.name == active;
        profiles << profile;
    }
    return profiles;
}
