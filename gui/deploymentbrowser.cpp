#include "deploymentbrowser.h"

#include "deploymentmodel.h"
#include "prefectclient.h"
#include "prefectreply.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

DeploymentBrowser::DeploymentBrowser(QWidget *parent)
    : QWidget(parent)
    , m_model(new DeploymentModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_progress(new QProgressBar(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DeploymentModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterRole(DeploymentModel::SearchTextRole);
    m_proxy->setFilterKeyColumn(DeploymentModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_filter->setObjectName(QStringLiteral("deploymentFilter"));
    m_filter->setPlaceholderText(tr("Filter by name or tag"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_table->setObjectName(QStringLiteral("deploymentTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    // One fixed row height: the view never measures 10,000 rows.
    QHeaderView *rows = m_table->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    rows->hide();
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setStretchLastSection(true);
    columns->resizeSection(DeploymentModel::NameColumn, 280);
    columns->resizeSection(DeploymentModel::TagsColumn, 160);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DeploymentModel::NameColumn, Qt::AscendingOrder);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { currentRowChanged(current); });

    m_progress->setObjectName(QStringLiteral("deploymentProgress"));
    m_progress->setTextVisible(true);
    m_progress->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_progress);
}

void DeploymentBrowser::load(PrefectClient *client)
{
    dropLoad();
    m_model->clear();
    m_expected = -1;
    m_pagesSeen = false;
    if (!client)
        return;

    m_countReply = client->countDeployments();
    connect(m_countReply, &PrefectReply::finished, this, [this, reply = m_countReply] {
        // Only a progress figure: without it the bar just shows how many are in.
        if (!reply->hasError() && reply->json().isDouble())
            m_expected = int(reply->json().toInteger());
        updateProgress();
    });
    m_listReply = client->listDeployments();
    connect(m_listReply, &PrefectReply::deploymentsPageReady, this,
            [this](const QList<Deployment> &page) {
                m_pagesSeen = true;
                appendPage(page);
            });
    connect(m_listReply, &PrefectReply::finished, this, &DeploymentBrowser::finishLoad);
    updateProgress();
    m_progress->show();
}

Deployment DeploymentBrowser::currentDeployment() const
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    return current.isValid() ? m_model->deploymentAt(current.row()) : Deployment();
}

void DeploymentBrowser::dropLoad()
{
    // Deleting a reply ends its chain of page requests: a dropped load of 10,000 deployments
    // does not go on fetching in the background.
    for (PrefectReply *reply : {m_listReply.data(), m_countReply.data()}) {
        if (reply) {
            disconnect(reply, nullptr, this, nullptr);
            reply->deleteLater();
        }
    }
    m_listReply.clear();
    m_countReply.clear();
    m_progress->hide();
}

void DeploymentBrowser::appendPage(const QList<Deployment> &page)
{
    m_model->appendDeployments(page);
    updateProgress();
}

void DeploymentBrowser::finishLoad()
{
    PrefectReply *reply = m_listReply;
    if (!reply)
        return;
    const PrefectError error = reply->error();
    // A client that reports no pages still hands over the whole list at the end.
    if (!error.isError() && !m_pagesSeen)
        m_model->appendDeployments(reply->deployments());
    m_listReply.clear(); // finished: it deletes itself
    dropLoad();
    if (error.isError()) {
        emit loadFailed(error);
        return;
    }
    emit loaded(m_model->rowCount());
}

void DeploymentBrowser::updateProgress()
{
    const QLocale locale;
    const int loaded = m_model->rowCount();
    if (m_expected >= 0) {
        // The text first: whoever watches valueChanged reads the text that goes with the value.
        m_progress->setFormat(tr("Loading deployments... %1 of %2")
                                  .arg(locale.toString(loaded), locale.toString(m_expected)));
        m_progress->setRange(0, qMax(m_expected, loaded));
        m_progress->setValue(loaded);
    } else {
        m_progress->setRange(0, 0); // busy: the total is not known yet
        m_progress->setFormat(tr("Loading deployments... %1").arg(locale.toString(loaded)));
    }
}

void DeploymentBrowser::currentRowChanged(const QModelIndex &current)
{
    const QModelIndex source = m_proxy->mapToSource(current);
    if (source.isValid())
        emit deploymentSelected(m_model->deploymentAt(source.row()));
}
