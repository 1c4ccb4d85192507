#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// One entry of Prefect Cloud's GET /me/workspaces.
class Workspace
{
public:
    static Workspace fromJson(const QJsonObject &object);
    static QList<Workspace> listFromJson(const QJsonArray &array);
    // The one workspace of the account that the user's words name; otherwise nothing, and a
    // reason that lists what there is ("not found ...; available: ..." or "... is ambiguous").
    static std::optional<Workspace> pick(const QList<Workspace> &workspaces,
                                         const QString &accountId, const QString &wanted,
                                         QString *error);

    QString accountId;
    QString accountHandle;
    QString workspaceId;
    QString workspaceHandle;
    QString workspaceName;

    // "account_handle/workspace_handle", the form Prefect's own CLI shows.
    QString fullHandle() const { return accountHandle + u'/' + workspaceHandle; }
    // True when the user's words name this workspace: UUID, handle, name or full handle.
    bool matches(const QString &idOrName) const;
    QJsonObject toChoiceJson() const;
};
