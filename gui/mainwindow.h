#pragma once

#include "connectionprofile.h"
#include "deployment.h"
#include "flowrun.h"
#include "prefecterror.h"

#include <QJsonObject>
#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <QSet>

#include <functional>
#include <memory>

class DeploymentBrowser;
class DeploymentDetails;
class FlowRunTask;
class LaunchDialog;
class PrefectClient;
class ProfileStore;
class QCheckBox;
class QComboBox;
class QFrame;
class QLabel;
class QNetworkAccessManager;
class QPushButton;
class QSettings;
class QSystemTrayIcon;
class RunDetails;
class RunsView;
class SecretStore;

// The desktop front end: pick a connection, find a deployment, launch it through a form and
// watch its runs, states and logs live. Everything goes through core on one
// QNetworkAccessManager; no request blocks the window.
class MainWindow : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // Shows a desktop notification; the default uses the system tray, or the status bar
    // where there is none.
    using Notifier = std::function<void(const QString &title, const QString &message)>;

    // settings and secrets are for tests (a temporary settings file); by default the user's
    // QSettings and the desktop keychain.
    explicit MainWindow(QSettings *settings = nullptr, SecretStore *secrets = nullptr,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    ProfileStore *profileStore() const { return m_profiles; }
    PrefectClient *client() const { return m_client; }
    DeploymentBrowser *deploymentBrowser() const { return m_browser; }
    DeploymentDetails *deploymentDetails() const { return m_details; }
    RunsView *runsView() const { return m_runs; }
    RunDetails *runDetails() const { return m_runDetails; }
    // The launches being watched, oldest first; a finished one stays until the window closes.
    QList<FlowRunTask *> tasks() const;
    void setNotifier(const Notifier &notifier) { m_notify = notifier; }
    // Passed to each launch dialog (see LaunchDialog::setWatchPollSeconds).
    void setWatchPollSeconds(int seconds) { m_watchPollSeconds = seconds; }
    // The error shown in the banner above the views; empty when there is none.
    QString bannerText() const;

    // Opens the launch dialog for the deployment (window-modal, not blocking).
    LaunchDialog *openLaunchDialog(const Deployment &deployment);
    // Starts a FlowRunTask with these fields and follows its run in the runs view.
    FlowRunTask *launch(const QJsonObject &taskFieldValues);
    // Reconnects with the current profile and loads everything again.
    void reload();

signals:
    // The current profile's connection is set and loading has started.
    void connected(const QString &profileName);
    void taskFinished(FlowRunTask *task);

private:
    void buildToolBar();
    void rebuildProfileCombo();
    void profileChosen(int index);
    void connectProfile(const ConnectionProfile &profile, const QString &secret);
    void secretArrived(const QString &profileName, const QString &secret);
    void openConnectionDialog(bool editCurrent);
    void importPrefectProfiles();
    void deploymentSelected(const Deployment &deployment);
    void runsScopeChanged();
    void taskOutputChanged(FlowRunTask *task);
    void taskDone(FlowRunTask *task);
    void runEnded(const FlowRun &run);
    void reloadDeploymentRuns(const QString &deploymentId);
    void showError(const QString &what, const PrefectError &error);
    void showBanner(const QString &text, bool offerRetry);
    void hideBanner();
    void notify(const QString &title, const QString &message);

    std::unique_ptr<QSettings> m_ownSettings;
    QSettings *m_settings;
    SecretStore *m_secrets;
    ProfileStore *m_profiles;
    QNetworkAccessManager *m_network;
    PrefectClient *m_client;
    QJsonObject m_connectionValues; // the current profile's field layer, secret included
    QString m_connectedProfile;
    QString m_awaitingSecretFor;
    bool m_deploymentsFailed = false;

    QComboBox *m_profileCombo;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QPushButton *m_bannerRetry;
    DeploymentBrowser *m_browser;
    DeploymentDetails *m_details;
    RunsView *m_runs;
    QCheckBox *m_runsOfSelected;
    RunDetails *m_runDetails;
    QSystemTrayIcon *m_tray = nullptr;
    Notifier m_notify;
    QList<QPointer<FlowRunTask>> m_tasks;
    QSet<QString> m_notifiedRuns; // run ids already announced
    bool m_filling = false;
    int m_watchPollSeconds = 5;
};
