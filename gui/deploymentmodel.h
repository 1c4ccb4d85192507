#pragma once

#include "deployment.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QString>

// Deployments as table rows, for a view behind a QSortFilterProxyModel. What the view shows is
// worked out once per row on append, so that sorting and filtering 10,000 rows stays cheap.
class DeploymentModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeploymentModel)

public:
    enum Column {
        NameColumn,
        TagsColumn,
        WorkPoolColumn,
        PausedColumn,
        UpdatedColumn,
        ColumnCount
    };
    enum Role {
        DeploymentIdRole = Qt::UserRole + 1,
        FullNameRole, // "flow/deployment"
        // What the proxy sorts on: the real QDateTime for Last updated, 0/1 for Paused, text else.
        SortRole,
        // What the filter matches: the full name and every tag.
        SearchTextRole,
    };

    explicit DeploymentModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // One insertion per call: a page of 200 costs one beginInsertRows, whatever the row count.
    void appendDeployments(const QList<Deployment> &deployments);
    void clear();
    // An empty Deployment for a row out of range.
    Deployment deploymentAt(int row) const;

private:
    struct Row
    {
        Deployment deployment;
        QString fullName;
        QString tagsText;
        QString workPool;
        bool paused = false;
        QDateTime updated; // UTC
        QString updatedText; // local time, as shown
        QString searchText;
    };

    static Row makeRow(const Deployment &deployment);

    QList<Row> m_rows;
};
