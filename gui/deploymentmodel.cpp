#include "deploymentmodel.h"

#include <QLocale>

DeploymentModel::DeploymentModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int DeploymentModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DeploymentModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeploymentModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case DeploymentIdRole:
        return row.deployment.id;
    case FullNameRole:
        return row.fullName;
    case SearchTextRole:
        return row.searchText;
    case Qt::ToolTipRole:
        if (index.column() == NameColumn) {
            const QString description = row.deployment.description();
            return description.isEmpty() ? row.fullName : row.fullName + u'\n' + description;
        }
        return {};
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case NameColumn:
            return row.fullName;
        case TagsColumn:
            return row.tagsText;
        case WorkPoolColumn:
            return row.workPool;
        case PausedColumn:
            if (role == SortRole)
                return row.paused ? 1 : 0;
            return row.paused ? tr("Paused") : QString();
        case UpdatedColumn:
            if (role == SortRole)
                return row.updated;
            return row.updatedText;
        }
        return {};
    }
    return {};
}

QVariant DeploymentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case TagsColumn:
        return tr("Tags");
    case WorkPoolColumn:
        return tr("Work pool");
    case PausedColumn:
        return tr("Paused");
    case UpdatedColumn:
        return tr("Last updated");
    }
    return {};
}

QHash<int, QByteArray> DeploymentModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(DeploymentIdRole, QByteArrayLiteral("deploymentId"));
    names.insert(FullNameRole, QByteArrayLiteral("fullName"));
    names.insert(SortRole, QByteArrayLiteral("sortValue"));
    names.insert(SearchTextRole, QByteArrayLiteral("searchText"));
    return names;
}

void DeploymentModel::appendDeployments(const QList<Deployment> &deployments)
{
    if (deployments.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(deployments.size()) - 1);
    m_rows.reserve(m_rows.size() + deployments.size());
    for (const Deployment &deployment : deployments)
        m_rows.append(makeRow(deployment));
    endInsertRows();
}

void DeploymentModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

Deployment DeploymentModel::deploymentAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return m_rows.at(row).deployment;
}

DeploymentModel::Row DeploymentModel::makeRow(const Deployment &deployment)
{
    Row row;
    row.deployment = deployment;
    row.fullName = deployment.fullName();
    const QStringList tags = deployment.tags();
    row.tagsText = tags.join(QLatin1String(", "));
    row.workPool = deployment.workPoolName();
    row.paused = deployment.isPaused();
    row.updated = deployment.updated();
    if (row.updated.isValid())
        row.updatedText = QLocale().toString(row.updated.toLocalTime(), QLocale::ShortFormat);
    // A separator nobody types, so that a filter never matches across name and tags.
    row.searchText = row.fullName + QChar(0x1f) + tags.join(QChar(0x1f));
    return row;
}
