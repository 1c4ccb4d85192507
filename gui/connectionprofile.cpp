#include "connectionprofile.h"

#include "taskfields.h"

#include <QSettings>

namespace {

QString kindName(ConnectionProfile::Kind kind)
{
    return kind == ConnectionProfile::Kind::Cloud ? QStringLiteral("cloud")
                                                  : QStringLiteral("self-hosted");
}

QString authName(ConnectionProfile::Auth auth)
{
    switch (auth) {
    case ConnectionProfile::Auth::ApiKey:
        return QStringLiteral("api-key");
    case ConnectionProfile::Auth::Basic:
        return QStringLiteral("basic");
    case ConnectionProfile::Auth::None:
        break;
    }
    return QStringLiteral("none");
}

} // namespace

QJsonObject ConnectionProfile::taskFieldValues(const QString &secret) const
{
    QJsonObject values;
    if (!apiUrl.isEmpty())
        values.insert(FieldName::apiUrl, apiUrl.toString());
    if (isCloud()) {
        values.insert(FieldName::credentialsUser, accountId);
        values.insert(FieldName::credentialsPassword, secret);
        if (!workspaceId.isEmpty())
            values.insert(FieldName::workspace, workspaceId);
        return values;
    }
    if (auth == Auth::ApiKey)
        values.insert(FieldName::credentialsPassword, secret);
    else if (auth == Auth::Basic)
        values.insert(FieldName::apiAuthString, QString(basicUser + u':' + secret));
    return values;
}

void ConnectionProfile::save(QSettings *settings) const
{
    settings->setValue(QStringLiteral("name"), name);
    settings->setValue(QStringLiteral("kind"), kindName(kind));
    settings->setValue(QStringLiteral("apiUrl"), apiUrl.toString());
    settings->setValue(QStringLiteral("accountId"), accountId);
    settings->setValue(QStringLiteral("workspaceId"), workspaceId);
    settings->setValue(QStringLiteral("workspaceName"), workspaceName);
    settings->setValue(QStringLiteral("auth"), authName(auth));
    settings->setValue(QStringLiteral("basicUser"), basicUser);
}

ConnectionProfile ConnectionProfile::load(const QSettings *settings)
{
    ConnectionProfile profile;
    profile.name = settings->value(QStringLiteral("name")).toString();
    profile.kind = settings->value(QStringLiteral("kind")).toString() == kindName(Kind::Cloud)
        ? Kind::Cloud
        : Kind::SelfHosted;
    profile.apiUrl = QUrl(settings->value(QStringLiteral("apiUrl")).toString());
    profile.accountId = settings->value(QStringLiteral("accountId")).toString();
    profile.workspaceId = settings->value(QStringLiteral("workspaceId")).toString();
    profile.workspaceName = settings->value(QStringLiteral("workspaceName")).toString();
    const QString auth = settings->value(QStringLiteral("auth")).toString();
    profile.auth = auth == authName(Auth::ApiKey) ? Auth::ApiKey
        : auth == authName(Auth::Basic)           ? Auth::Basic
                                                  : Auth::None;
    profile.basicUser = settings->value(QStringLiteral("basicUser")).toString();
    return profile;
}

bool operator==(const ConnectionProfile &a, const ConnectionProfile &b)
{
    return a.name == b.name && a.kind == b.kind && a.apiUrl == b.apiUrl
        && a.accountId == b.accountId && a.workspaceId == b.workspaceId
        && a.workspaceName == b.workspaceName && a.auth == b.auth && a.basicUser == b.basicUser;
}
