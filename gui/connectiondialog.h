#pragma once

#include "connectionprofile.h"

#include <QDialog>

class PrefectClient;
class ProfileStore;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QNetworkAccessManager;
class QPushButton;
class QStackedWidget;

// Creates or edits one connection profile. "Test connection" asks the server (Cloud: the
// workspaces the key reaches, which fill the workspace choice; self-hosted: the deployment
// count) and shows the answer inline. Save is enabled only after a successful test of exactly
// what is in the form, so that no profile is saved that cannot connect. Every request is
// asynchronous.
class ConnectionDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)

public:
    // With a store, Save writes the profile there and makes it current, and the import action
    // imports into it.
    explicit ConnectionDialog(ProfileStore *store = nullptr, QWidget *parent = nullptr);

    // Fills the form to edit a saved profile (its secret arrives from the store when one is set).
    void setProfile(const ConnectionProfile &profile, const QString &secret = {});
    ConnectionProfile profile() const;
    QString secret() const;
    bool isTested() const { return m_tested; }
    // Where "Import Prefect CLI profiles..." reads; default PrefectProfiles::defaultPath().
    void setPrefectProfilesPath(const QString &path) { m_prefectProfilesPath = path; }

    void accept() override;

private:
    void testConnection();
    void importPrefectProfiles();
    void invalidateTest();
    void updateLayout();
    void showStatus(const QString &text, bool ok);

    ProfileStore *m_store;
    QNetworkAccessManager *m_network;
    PrefectClient *m_client;
    QString m_originalName;
    QString m_prefectProfilesPath;
    bool m_tested = false;
    bool m_filling = false;
    int m_generation = 0;

    QLineEdit *m_nameEdit;
    QComboBox *m_kindCombo;
    QStackedWidget *m_pages;
    QLineEdit *m_accountIdEdit;
    QLineEdit *m_cloudApiKeyEdit;
    QLineEdit *m_cloudApiUrlEdit;
    QComboBox *m_workspaceCombo;
    QLineEdit *m_apiUrlEdit;
    QComboBox *m_authCombo;
    QLabel *m_serverKeyLabel;
    QLineEdit *m_serverKeyEdit;
    QLabel *m_basicUserLabel;
    QLineEdit *m_basicUserEdit;
    QLabel *m_basicPasswordLabel;
    QLineEdit *m_basicPasswordEdit;
    QPushButton *m_testButton;
    QPushButton *m_importButton;
    QLabel *m_statusLabel;
    QDialogButtonBox *m_buttons;
    QPushButton *m_saveButton;
};
