#include "mainwindow.h"

#include "connectiondialog.h"
#include "deploymentbrowser.h"
#include "deploymentdetails.h"
#include "flowruntask.h"
#include "launchdialog.h"
#include "prefectclient.h"
#include "prefectprofiles.h"
#include "profilestore.h"
#include "rundetails.h"
#include "runsview.h"
#include "secretstore.h"
#include "taskfields.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QToolBar>
#include <QVBoxLayout>

namespace {

// The window asks for lists all the time: fail fast and let the next refresh try again,
// rather than hold a view for minutes of retries.
RetryPolicy browsingRetryPolicy()
{
    RetryPolicy policy;
    policy.maxRetries = 2;
    policy.maxTotalMs = 15000;
    return policy;
}

QWidget *column(QWidget *top, QWidget *bottom, QWidget *header = nullptr)
{
    auto *splitter = new QSplitter(Qt::Vertical);
    if (header) {
        auto *box = new QWidget;
        auto *layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(header);
        layout->addWidget(top, 1);
        splitter->addWidget(box);
    } else {
        splitter->addWidget(top);
    }
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    return splitter;
}

} // namespace

MainWindow::MainWindow(QSettings *settings, SecretStore *secrets, QWidget *parent)
    : QMainWindow(parent)
    , m_ownSettings(settings ? nullptr : std::make_unique<QSettings>())
    , m_settings(settings ? settings : m_ownSettings.get())
    , m_secrets(secrets ? secrets : new SecretStore(SecretStore::defaultService(), this))
    , m_profiles(new ProfileStore(m_settings, m_secrets, this))
    , m_network(new QNetworkAccessManager(this))
    , m_client(new PrefectClient(m_network, this))
    , m_profileCombo(new QComboBox)
    , m_banner(new QFrame)
    , m_bannerText(new QLabel)
    , m_bannerRetry(new QPushButton(tr("Retry")))
    , m_browser(new DeploymentBrowser)
    , m_details(new DeploymentDetails)
    , m_runs(new RunsView)
    , m_runsOfSelected(new QCheckBox(tr("Only runs of the selected deployment")))
    , m_runDetails(new RunDetails)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("ue-prefect"));
    m_client->setRetryPolicy(browsingRetryPolicy());

    m_banner->setObjectName(QStringLiteral("errorBanner"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setStyleSheet(QStringLiteral(
        "#errorBanner { background: #fef2f2; border: 1px solid #fca5a5; border-radius: 4px; }"));
    m_bannerText->setObjectName(QStringLiteral("errorBannerText"));
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bannerRetry->setObjectName(QStringLiteral("errorBannerRetry"));
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(m_bannerRetry);
    m_banner->hide();
    connect(m_bannerRetry, &QPushButton::clicked, this, &MainWindow::reload);

    m_runsOfSelected->setObjectName(QStringLiteral("runsOfSelectedOnly"));
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(column(m_browser, m_details));
    splitter->addWidget(column(m_runs, m_runDetails, m_runsOfSelected));
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_banner);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
    buildToolBar();
    statusBar()->showMessage(tr("Not connected"));

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
        m_tray->setToolTip(tr("ue-prefect"));
        m_tray->show();
    }

    connect(m_browser, &DeploymentBrowser::deploymentSelected, this,
            &MainWindow::deploymentSelected);
    connect(m_browser, &DeploymentBrowser::loaded, this, [this](int count) {
        m_deploymentsFailed = false;
        statusBar()->showMessage(
            tr("%n deployment(s) in %1", nullptr, count).arg(m_connectedProfile));
    });
    connect(m_browser, &DeploymentBrowser::loadFailed, this, [this](const PrefectError &error) {
        m_deploymentsFailed = true;
        showError(tr("Could not list the deployments"), error);
    });
    connect(m_details, &DeploymentDetails::launchRequested, this, &MainWindow::openLaunchDialog);
    connect(m_details, &DeploymentDetails::runsFailed, this, [this](const PrefectError &error) {
        showError(tr("Could not read the deployment's runs"), error);
    });
    connect(m_runs, &RunsView::runSelected, this, [this](const FlowRun &run) {
        if (run.isValid())
            m_runDetails->setRun(run, m_client);
        else
            m_runDetails->clear();
    });
    connect(m_runs, &RunsView::selectedRunUpdated, m_runDetails, &RunDetails::updateRun);
    connect(m_runs, &RunsView::runEnded, this, &MainWindow::runEnded);
    connect(m_runs, &RunsView::refreshFailed, this, [this](const PrefectError &error) {
        showError(tr("Could not refresh the runs"), error);
    });
    // The runs list is read every few seconds: its first success after a failure means the
    // server is back, so the views that gave up are loaded again.
    connect(m_runs, &RunsView::runsUpdated, this, [this] {
        if (m_banner->isHidden())
            return;
        hideBanner();
        if (m_deploymentsFailed)
            m_browser->load(m_client);
    });
    connect(m_runDetails, &RunDetails::readFailed, this,
            [this](const PrefectError &error) { showError(tr("Could not read the run"), error); });
    connect(m_runDetails, &RunDetails::cancelAnswered, this,
            [this](bool, const QString &message) { statusBar()->showMessage(message); });
    connect(m_runsOfSelected, &QCheckBox::toggled, this, &MainWindow::runsScopeChanged);

    connect(m_profiles, &ProfileStore::profilesChanged, this, &MainWindow::rebuildProfileCombo);
    connect(m_profiles, &ProfileStore::currentProfileChanged, this, [this] {
        rebuildProfileCombo();
        reload();
    });
    connect(m_profiles, &ProfileStore::secretReady, this, &MainWindow::secretArrived);
    connect(m_secrets, &SecretStore::keychainUnavailable, this, [this](const QString &message) {
        statusBar()->showMessage(
            tr("No keychain answered (%1): secrets are kept for this session only").arg(message));
    });

    m_profiles->createFromEnvironment();
    rebuildProfileCombo();
    resize(1400, 860);
    reload();
}

MainWindow::~MainWindow()
{
    // Each task and its client use this window's network: end them before it goes.
    for (const QPointer<FlowRunTask> &task : std::as_const(m_tasks)) {
        if (task)
            delete task->parent();
    }
}

void MainWindow::buildToolBar()
{
    QToolBar *bar = addToolBar(tr("Connection"));
    bar->setObjectName(QStringLiteral("connectionToolBar"));
    bar->setMovable(false);
    bar->addWidget(new QLabel(tr("Connection: ")));
    m_profileCombo->setObjectName(QStringLiteral("profileCombo"));
    m_profileCombo->setMinimumContentsLength(24);
    m_profileCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    bar->addWidget(m_profileCombo);
    connect(m_profileCombo, &QComboBox::currentIndexChanged, this, &MainWindow::profileChosen);

    QAction *add = bar->addAction(tr("New connection..."));
    add->setObjectName(QStringLiteral("newConnectionAction"));
    connect(add, &QAction::triggered, this, [this] { openConnectionDialog(false); });
    QAction *edit = bar->addAction(tr("Edit..."));
    edit->setObjectName(QStringLiteral("editConnectionAction"));
    connect(edit, &QAction::triggered, this, [this] { openConnectionDialog(true); });
    QAction *import = bar->addAction(tr("Import Prefect CLI profiles"));
    import->setObjectName(QStringLiteral("importProfilesAction"));
    connect(import, &QAction::triggered, this, &MainWindow::importPrefectProfiles);
    bar->addSeparator();
    QAction *refresh = bar->addAction(tr("Reload"));
    refresh->setObjectName(QStringLiteral("reloadAction"));
    refresh->setShortcut(QKeySequence::Refresh);
    connect(refresh, &QAction::triggered, this, &MainWindow::reload);
}

void MainWindow::rebuildProfileCombo()
{
    m_filling = true;
    m_profileCombo->clear();
    for (const ConnectionProfile &profile : m_profiles->profiles())
        m_profileCombo->addItem(profile.name);
    m_profileCombo->setCurrentIndex(m_profileCombo->findText(m_profiles->currentProfileName()));
    m_profileCombo->setPlaceholderText(tr("no connection yet"));
    m_filling = false;
}

void MainWindow::profileChosen(int index)
{
    if (m_filling || index < 0)
        return;
    // Reloads through currentProfileChanged.
    m_profiles->setCurrentProfileName(m_profileCombo->itemText(index));
}

void MainWindow::reload()
{
    hideBanner();
    const std::optional<ConnectionProfile> profile =
        m_profiles->profile(m_profiles->currentProfileName());
    if (!profile) {
        m_runs->stop();
        showBanner(tr("No connection yet: add one with \"New connection...\", or import your "
                      "Prefect CLI profiles."),
                   false);
        return;
    }
    statusBar()->showMessage(tr("Connecting to %1...").arg(profile->name));
    if (profile->needsSecret()) {
        m_awaitingSecretFor = profile->name;
        m_profiles->requestSecret(profile->name);
    } else
        connectProfile(*profile, {});
}

void MainWindow::secretArrived(const QString &profileName, const QString &secret)
{
    // Other answers are for the connection dialog.
    if (profileName != m_awaitingSecretFor || profileName != m_profiles->currentProfileName())
        return;
    m_awaitingSecretFor.clear();
    if (const std::optional<ConnectionProfile> profile = m_profiles->profile(profileName))
        connectProfile(*profile, secret);
}

void MainWindow::connectProfile(const ConnectionProfile &profile, const QString &secret)
{
    m_connectionValues = profile.taskFieldValues(secret);
    QString error;
    const std::optional<TaskFields> fields =
        TaskFields::fromValues(m_connectionValues, &error, TaskFields::Purpose::ListDeployments);
    if (!fields) {
        showBanner(tr("The connection \"%1\" cannot be used: %2").arg(profile.name, error), false);
        return;
    }
    m_client->setConnection(fields->connection());
    m_connectedProfile = profile.name;
    m_details->clear();
    m_runDetails->clear();
    m_browser->load(m_client);
    m_runs->setClient(m_client);
    runsScopeChanged();
    m_runs->start();
    statusBar()->showMessage(tr("Loading deployments of %1...").arg(profile.name));
    emit connected(profile.name);
}

void MainWindow::openConnectionDialog(bool editCurrent)
{
    auto *dialog = new ConnectionDialog(m_profiles, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (editCurrent) {
        if (const std::optional<ConnectionProfile> profile =
                m_profiles->profile(m_profiles->currentProfileName())) {
            dialog->setProfile(*profile);
            // The dialog's secret field fills when the store answers.
            if (profile->needsSecret())
                m_profiles->requestSecret(profile->name);
        }
    }
    dialog->open();
}

void MainWindow::importPrefectProfiles()
{
    QString error;
    const std::optional<QStringList> imported =
        m_profiles->importPrefectProfiles(PrefectProfiles::defaultPath(), &error);
    if (!imported) {
        QMessageBox::warning(this, tr("Import Prefect CLI profiles"), error);
        return;
    }
    statusBar()->showMessage(imported->isEmpty()
                                 ? tr("No new Prefect CLI profile with an API URL")
                                 : tr("Imported: %1").arg(imported->join(QStringLiteral(", "))));
}

void MainWindow::deploymentSelected(const Deployment &deployment)
{
    m_details->setDeployment(deployment, m_client);
    if (m_runsOfSelected->isChecked())
        runsScopeChanged();
}

void MainWindow::runsScopeChanged()
{
    const QString id = m_runsOfSelected->isChecked() ? m_details->deployment().id : QString();
    if (id == m_runs->deploymentFilter())
        return;
    m_runs->setDeploymentFilter(id);
    m_runs->refresh();
}

LaunchDialog *MainWindow::openLaunchDialog(const Deployment &deployment)
{
    auto *dialog = new LaunchDialog(deployment, m_connectionValues, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWatchPollSeconds(m_watchPollSeconds);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { launch(dialog->taskFieldValues()); });
    dialog->open();
    return dialog;
}

FlowRunTask *MainWindow::launch(const QJsonObject &taskFieldValues)
{
    // A client of its own, so that switching the window's connection leaves the task alone.
    auto *taskClient = new PrefectClient(m_network, this);
    auto *task = new FlowRunTask(taskClient, taskClient);
    m_tasks << task;
    connect(task, &FlowRunTask::progress, this,
            [this](const QString &message) { statusBar()->showMessage(message); });
    connect(task, &FlowRunTask::outputFieldsChanged, this,
            [this, task] { taskOutputChanged(task); });
    connect(task, &FlowRunTask::finished, this, [this, task] { taskDone(task); });
    task->start(taskFieldValues);
    return task;
}

QList<FlowRunTask *> MainWindow::tasks() const
{
    QList<FlowRunTask *> result;
    for (const QPointer<FlowRunTask> &task : m_tasks) {
        if (task)
            result << task.data();
    }
    return result;
}

void MainWindow::taskOutputChanged(FlowRunTask *task)
{
    const OutputFields fields = task->outputFields();
    if (fields.flowRunId.isEmpty())
        return;
    // The new run shows in the list at the next read; ask for it now and select it then.
    if (!m_runs->selectRun(fields.flowRunId)) {
        auto *once = new QObject(this);
        connect(m_runs, &RunsView::runsUpdated, once, [this, once, id = fields.flowRunId] {
            if (m_runs->selectRun(id))
                once->deleteLater();
        });
        m_runs->refresh();
    }
}

void MainWindow::taskDone(FlowRunTask *task)
{
    const TaskResult result = task->result();
    const OutputFields fields = task->outputFields();
    emit taskFinished(task);
    m_runs->refresh();
    reloadDeploymentRuns(task->flowRun().deploymentId);
    if (fields.flowRunId.isEmpty()) {
        // Nothing was launched: say why where the user looks.
        QMessageBox *box = new QMessageBox(QMessageBox::Warning, tr("Launch"),
                                           result.statusDescription(), QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("launchFailedBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return;
    }
    if (!task->fields() || !task->fields()->wait) {
        statusBar()->showMessage(tr("Launched %1").arg(fields.flowRunName));
        return;
    }
    m_notifiedRuns.insert(fields.flowRunId);
    notify(tr("Flow run %1: %2").arg(fields.flowRunName, fields.flowRunState),
           result.statusDescription());
}

void MainWindow::reloadDeploymentRuns(const QString &deploymentId)
{
    // The details pane's last runs and their chart take in a run that has just ended.
    if (!deploymentId.isEmpty() && m_details->deployment().id == deploymentId)
        m_details->setDeployment(m_details->deployment(), m_client);
}

void MainWindow::runEnded(const FlowRun &run)
{
    reloadDeploymentRuns(run.deploymentId);
    // A run this window launched and watched was announced by its task already.
    if (m_notifiedRuns.contains(run.id))
        return;
    m_notifiedRuns.insert(run.id);
    notify(tr("Flow run %1: %2").arg(run.name, run.stateType),
           run.stateMessage.isEmpty() ? run.stateName : run.stateMessage);
}

void MainWindow::notify(const QString &title, const QString &message)
{
    statusBar()->showMessage(title);
    if (m_notify)
        return m_notify(title, message);
    if (m_tray) {
        m_tray->showMessage(title, message, QApplication::windowIcon());
        return;
    }
    QApplication::alert(this);
}

void MainWindow::showError(const QString &what, const PrefectError &error)
{
    showBanner(tr("%1: %2").arg(what, error.toString()), true);
}

void MainWindow::showBanner(const QString &text, bool offerRetry)
{
    m_bannerText->setText(text);
    m_bannerRetry->setVisible(offerRetry);
    m_banner->show();
    statusBar()->showMessage(text);
}

void MainWindow::hideBanner()
{
    m_banner->hide();
    m_bannerText->clear();
}

QString MainWindow::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_bannerText->text();
}
