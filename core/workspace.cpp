#include "workspace.h"

#include "messagetext.h"

#include <QJsonArray>

Workspace Workspace::fromJson(const QJsonObject &object)
{
    Workspace workspace;
    workspace.accountId = object.value(QLatin1String("account_id")).toString();
    workspace.accountHandle = object.value(QLatin1String("account_handle")).toString();
    workspace.workspaceId = object.value(QLatin1String("workspace_id")).toString();
    workspace.workspaceHandle = object.value(QLatin1String("workspace_handle")).toString();
    workspace.workspaceName = object.value(QLatin1String("workspace_name")).toString();
    return workspace;
}

QList<Workspace> Workspace::listFromJson(const QJsonArray &array)
{
    QList<Workspace> result;
    result.reserve(array.size());
    for (const QJsonValue &value : array)
        result << fromJson(value.toObject());
    return result;
}

std::optional<Workspace> Workspace::pick(const QList<Workspace> &workspaces,
                                         const QString &accountId, const QString &wanted,
                                         QString *error)
{
    QList<Workspace> inAccount;
    QList<Workspace> matching;
    for (const Workspace &workspace : workspaces) {
        if (workspace.accountId.compare(accountId, Qt::CaseInsensitive) != 0)
            continue;
        inAccount << workspace;
        if (workspace.matches(wanted))
            matching << workspace;
    }
    if (matching.size() == 1)
        return matching.first();
    QStringList names;
    for (const Workspace &workspace : std::as_const(matching.isEmpty() ? inAccount : matching))
        names << workspace.fullHandle();
    names.sort();
    if (matching.isEmpty()) {
        *error =
            QStringLiteral("Workspace '%1' not found in account %2; available: %3")
                .arg(MessageText::printable(wanted), MessageText::printable(accountId),
                     names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", ")));
    } else {
        *error = QStringLiteral("Workspace '%1' is ambiguous: %2")
                     .arg(MessageText::printable(wanted), names.join(QStringLiteral(", ")));
    }
    return std::nullopt;
}

bool Workspace::matches(const QString &idOrName) const
{
    return idOrName.compare(workspaceId, Qt::CaseInsensitive) == 0 || idOrName == workspaceHandle
        || idOrName == workspaceName || idOrName == fullHandle();
}

QJsonObject Workspace::toChoiceJson() const
{
    return QJsonObject{
        {QStringLiteral("id"), workspaceId},
        {QStringLiteral("name"), workspaceName},
        {QStringLiteral("handle"), workspaceHandle},
        {QStringLiteral("account_id"), accountId},
        {QStringLiteral("account_handle"), accountHandle},
    };
}
