#pragma once

#include "deployment.h"
#include "prefecterror.h"

#include <QPointer>
#include <QWidget>

class DeploymentModel;
class PrefectClient;
class PrefectReply;
class QLineEdit;
class QModelIndex;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;

// Every deployment of a workspace in a sortable table, with a filter that narrows it as the user
// types. Pages show as they arrive, so a workspace of 10,000 deployments is usable at once.
class DeploymentBrowser : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeploymentBrowser)

public:
    explicit DeploymentBrowser(QWidget *parent = nullptr);

    // Starts over: drops the rows and any load still in flight.
    void load(PrefectClient *client);
    bool isLoading() const { return !m_listReply.isNull(); }

    DeploymentModel *model() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    // The deployment of the current row, or an empty one.
    Deployment currentDeployment() const;

signals:
    void deploymentSelected(const Deployment &deployment);
    void loadFailed(const PrefectError &error);
    // The whole list is in.
    void loaded(int deploymentCount);

private:
    void dropLoad();
    void appendPage(const QList<Deployment> &page);
    void finishLoad();
    void updateProgress();
    void currentRowChanged(const QModelIndex &current);

    DeploymentModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QTableView *m_table;
    QProgressBar *m_progress;
    QPointer<PrefectReply> m_listReply;
    QPointer<PrefectReply> m_countReply;
    int m_expected = -1; // from countDeployments(); -1 until it answers
    bool m_pagesSeen = false;
};
