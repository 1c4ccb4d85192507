#include "connectiondialog.h"

#include "prefectclient.h"
#include "prefectprofiles.h"
#include "prefectreply.h"
#include "profilestore.h"
#include "taskfields.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace {

// A person waits on this dialog: fail fast rather than after the CLI's 30 s.
constexpr int testTimeoutMs = 15000;

QLineEdit *lineEdit(const QString &objectName, QWidget *parent, bool secret = false)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    if (secret)
        edit->setEchoMode(QLineEdit::Password);
    return edit;
}

} // namespace

ConnectionDialog::ConnectionDialog(ProfileStore *store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_network(new QNetworkAccessManager(this))
    , m_client(new PrefectClient(m_network, this))
{
    setWindowTitle(tr("Prefect connection"));
    setObjectName(QStringLiteral("connectionDialog"));

    m_nameEdit = lineEdit(QStringLiteral("nameEdit"), this);
    m_kindCombo = new QComboBox(this);
    m_kindCombo->setObjectName(QStringLiteral("kindCombo"));
    m_kindCombo->addItem(tr("Prefect Cloud"), int(ConnectionProfile::Kind::Cloud));
    m_kindCombo->addItem(tr("Self-hosted Prefect server"),
                         int(ConnectionProfile::Kind::SelfHosted));

    auto *cloudPage = new QWidget(this);
    m_accountIdEdit = lineEdit(QStringLiteral("accountIdEdit"), cloudPage);
    m_accountIdEdit->setPlaceholderText(tr("account id (a UUID)"));
    m_cloudApiKeyEdit = lineEdit(QStringLiteral("cloudApiKeyEdit"), cloudPage, true);
    m_workspaceCombo = new QComboBox(cloudPage);
    m_workspaceCombo->setObjectName(QStringLiteral("workspaceCombo"));
    m_workspaceCombo->setPlaceholderText(tr("Test the connection to list workspaces"));
    m_cloudApiUrlEdit = lineEdit(QStringLiteral("cloudApiUrlEdit"), cloudPage);
    m_cloudApiUrlEdit->setPlaceholderText(Connection::defaultCloudApiBase().toString());
    auto *cloudForm = new QFormLayout(cloudPage);
    cloudForm->addRow(tr("Account id:"), m_accountIdEdit);
    cloudForm->addRow(tr("API key:"), m_cloudApiKeyEdit);
    cloudForm->addRow(tr("Workspace:"), m_workspaceCombo);
    cloudForm->addRow(tr("API base URL:"), m_cloudApiUrlEdit);

    auto *serverPage = new QWidget(this);
    m_apiUrlEdit = lineEdit(QStringLiteral("apiUrlEdit"), serverPage);
    m_apiUrlEdit->setPlaceholderText(QStringLiteral("http://127.0.0.1:4200/api"));
    m_authCombo = new QComboBox(serverPage);
    m_authCombo->setObjectName(QStringLiteral("authCombo"));
    m_authCombo->addItem(tr("None"), int(ConnectionProfile::Auth::None));
    m_authCombo->addItem(tr("API key"), int(ConnectionProfile::Auth::ApiKey));
    m_authCombo->addItem(tr("Basic (user and password)"), int(ConnectionProfile::Auth::Basic));
    m_serverKeyLabel = new QLabel(tr("API key:"), serverPage);
    m_serverKeyEdit = lineEdit(QStringLiteral("serverKeyEdit"), serverPage, true);
    m_basicUserLabel = new QLabel(tr("User:"), serverPage);
    m_basicUserEdit = lineEdit(QStringLiteral("basicUserEdit"), serverPage);
    m_basicPasswordLabel = new QLabel(tr("Password:"), serverPage);
    m_basicPasswordEdit = lineEdit(QStringLiteral("basicPasswordEdit"), serverPage, true);
    auto *serverForm = new QFormLayout(serverPage);
    serverForm->addRow(tr("API URL:"), m_apiUrlEdit);
    serverForm->addRow(tr("Authentication:"), m_authCombo);
    serverForm->addRow(m_serverKeyLabel, m_serverKeyEdit);
    serverForm->addRow(m_basicUserLabel, m_basicUserEdit);
    serverForm->addRow(m_basicPasswordLabel, m_basicPasswordEdit);

    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("kindPages"));
    m_pages->addWidget(cloudPage);
    m_pages->addWidget(serverPage);

    m_testButton = new QPushButton(tr("&Test connection"), this);
    m_testButton->setObjectName(QStringLiteral("testButton"));
    m_importButton = new QPushButton(tr("&Import Prefect CLI profiles..."), this);
    m_importButton->setObjectName(QStringLiteral("importButton"));
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_saveButton = m_buttons->button(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    m_saveButton->setToolTip(tr("Test the connection first"));
    m_buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));

    auto *top = new QFormLayout;
    top->addRow(tr("Name:"), m_nameEdit);
    top->addRow(tr("Kind:"), m_kindCombo);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_testButton);
    actions->addStretch();
    actions->addWidget(m_importButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_pages);
    layout->addLayout(actions);
    layout->addWidget(m_statusLabel);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(m_kindCombo, &QComboBox::currentIndexChanged, this, [this] {
        updateLayout();
        invalidateTest();
    });
    connect(m_authCombo, &QComboBox::currentIndexChanged, this, [this] {
        updateLayout();
        invalidateTest();
    });
    for (QLineEdit *edit : {m_accountIdEdit, m_cloudApiKeyEdit, m_cloudApiUrlEdit, m_apiUrlEdit,
                            m_serverKeyEdit, m_basicUserEdit, m_basicPasswordEdit})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::invalidateTest);
    connect(m_testButton, &QPushButton::clicked, this, &ConnectionDialog::testConnection);
    connect(m_importButton, &QPushButton::clicked, this, &ConnectionDialog::importPrefectProfiles);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);
    if (m_store) {
        connect(m_store, &ProfileStore::secretReady, this,
                [this](const QString &name, const QString &secret) {
                    if (name != m_originalName || !ConnectionDialog::secret().isEmpty())
                        return;
                    const ConnectionProfile current = profile();
                    setProfile(current, secret);
                });
    }

    updateLayout();
    invalidateTest();
}

void ConnectionDialog::setProfile(const ConnectionProfile &profile, const QString &secret)
{
    m_filling = true;
    m_originalName = profile.name;
    m_nameEdit->setText(profile.name);
    m_kindCombo->setCurrentIndex(m_kindCombo->findData(int(profile.kind)));
    m_workspaceCombo->clear();
    if (profile.isCloud()) {
        m_accountIdEdit->setText(profile.accountId);
        m_cloudApiKeyEdit->setText(secret);
        m_cloudApiUrlEdit->setText(profile.apiUrl.toString());
        if (!profile.workspaceId.isEmpty()) {
            m_workspaceCombo->addItem(profile.workspaceName.isEmpty() ? profile.workspaceId
                                                                      : profile.workspaceName,
                                      profile.workspaceId);
        }
    } else {
        m_apiUrlEdit->setText(profile.apiUrl.toString());
        m_authCombo->setCurrentIndex(m_authCombo->findData(int(profile.auth)));
        m_basicUserEdit->setText(profile.basicUser);
        m_serverKeyEdit->setText(profile.auth == ConnectionProfile::Auth::ApiKey ? secret
                                                                                 : QString());
        m_basicPasswordEdit->setText(profile.auth == ConnectionProfile::Auth::Basic ? secret
                                                                                    : QString());
    }
    m_filling = false;
    updateLayout();
    invalidateTest();
    if (m_store && secret.isEmpty() && profile.needsSecret() && m_store->profile(profile.name))
        m_store->requestSecret(profile.name);
}

ConnectionProfile ConnectionDialog::profile() const
{
    ConnectionProfile result;
    result.kind = ConnectionProfile::Kind(m_kindCombo->currentData().toInt());
    if (result.isCloud()) {
        result.accountId = m_accountIdEdit->text().trimmed();
        result.apiUrl = QUrl(m_cloudApiUrlEdit->text().trimmed());
        result.workspaceId = m_workspaceCombo->currentData().toString();
        result.workspaceName = m_workspaceCombo->currentText();
        result.auth = ConnectionProfile::Auth::ApiKey;
    } else {
        result.apiUrl = QUrl(m_apiUrlEdit->text().trimmed());
        result.auth = ConnectionProfile::Auth(m_authCombo->currentData().toInt());
        if (result.auth == ConnectionProfile::Auth::Basic)
            result.basicUser = m_basicUserEdit->text().trimmed();
    }
    result.name = m_nameEdit->text().trimmed();
    if (result.name.isEmpty()) {
        result.name = result.isCloud()
            ? (result.workspaceName.isEmpty() ? tr("Prefect Cloud") : result.workspaceName)
            : result.apiUrl.host()
                + (result.apiUrl.port() > 0 ? u':' + QString::number(result.apiUrl.port())
                                            : QString());
    }
    return result;
}

QString ConnectionDialog::secret() const
{
    if (m_kindCombo->currentData().toInt() == int(ConnectionProfile::Kind::Cloud))
        return m_cloudApiKeyEdit->text();
    switch (ConnectionProfile::Auth(m_authCombo->currentData().toInt())) {
    case ConnectionProfile::Auth::ApiKey:
        return m_serverKeyEdit->text();
    case ConnectionProfile::Auth::Basic:
        return m_basicPasswordEdit->text();
    case ConnectionProfile::Auth::None:
        break;
    }
    return {};
}

void ConnectionDialog::accept()
{
    if (!m_tested)
        return;
    if (m_store) {
        const ConnectionProfile saved = profile();
        m_store->saveProfile(saved, secret(), m_originalName);
        m_store->setCurrentProfileName(saved.name);
    }
    QDialog::accept();
}

void ConnectionDialog::testConnection()
{
    invalidateTest();
    const ConnectionProfile candidate = profile();
    QString error;
    const std::optional<TaskFields> fields =
        TaskFields::fromValues(candidate.taskFieldValues(secret()), &error,
                               candidate.isCloud() ? TaskFields::Purpose::ListWorkspaces
                                                   : TaskFields::Purpose::ListDeployments);
    if (!fields) {
        showStatus(error, false);
        return;
    }
    Connection connection = fields->connection();
    connection.setTransferTimeoutMs(testTimeoutMs);
    m_client->setConnection(connection);
    const int generation = ++m_generation;
    m_testButton->setEnabled(false);
    showStatus(tr("Testing the connection..."), true);

    PrefectReply *reply =
        candidate.isCloud() ? m_client->listWorkspaces() : m_client->countDeployments();
    connect(reply, &PrefectReply::finished, this, [this, reply, generation, candidate] {
        if (generation != m_generation)
            return; // the form changed while the answer was on its way
        m_testButton->setEnabled(true);
        if (reply->hasError()) {
            showStatus(tr("Connection failed: %1").arg(reply->error().toString()), false);
            return;
        }
        if (!candidate.isCloud()) {
            const int count = reply->json().toInt();
            showStatus(tr("Connected: the server has %n deployment(s).", nullptr, count), true);
            m_tested = true;
            m_saveButton->setEnabled(true);
            return;
        }
        QList<Workspace> workspaces;
        for (const Workspace &workspace : reply->workspaces()) {
            if (workspace.accountId == candidate.accountId)
                workspaces << workspace;
        }
        if (workspaces.isEmpty()) {
            showStatus(
                tr("The API key reaches no workspace of account %1.").arg(candidate.accountId),
                false);
            return;
        }
        m_filling = true;
        const QString wanted = candidate.workspaceId;
        m_workspaceCombo->clear();
        for (const Workspace &workspace : std::as_const(workspaces)) {
            m_workspaceCombo->addItem(
                QStringLiteral("%1 (%2)").arg(workspace.workspaceName, workspace.fullHandle()),
                workspace.workspaceId);
        }
        const int index = m_workspaceCombo->findData(wanted);
        m_workspaceCombo->setCurrentIndex(index >= 0 ? index : 0);
        m_filling = false;
        showStatus(
            tr("Connected: %n workspace(s) in this account.", nullptr, int(workspaces.size())),
            true);
        m_tested = true;
        m_saveButton->setEnabled(true);
    });
}

void ConnectionDialog::importPrefectProfiles()
{
    const QString path =
        m_prefectProfilesPath.isEmpty() ? PrefectProfiles::defaultPath() : m_prefectProfilesPath;
    QString error;
    const std::optional<QList<PrefectProfiles::Profile>> found =
        PrefectProfiles::read(path, &error);
    if (!found) {
        showStatus(error, false);
        return;
    }
    QStringList imported;
    if (m_store) {
        const std::optional<QStringList> names = m_store->importPrefectProfiles(path, &error);
        if (!names) {
            showStatus(error, false);
            return;
        }
        imported = *names;
    }
    // The CLI's active profile (or its first with a server) goes into the form, to be tested.
    const PrefectProfiles::Profile *chosen = nullptr;
    for (const PrefectProfiles::Profile &cli : *found) {
        if (!cli.apiUrl.isEmpty() && (!chosen || cli.isActive))
            chosen = &cli;
    }
    if (!chosen) {
        showStatus(tr("No Prefect CLI profile in %1 names an API URL.").arg(path), false);
        return;
    }
    ConnectionProfile loaded;
    loaded.name = chosen->name;
    QString loadedSecret;
    if (chosen->isCloud()) {
        loaded.kind = ConnectionProfile::Kind::Cloud;
        const QUrl base = chosen->cloudApiBase();
        loaded.apiUrl = base == Connection::defaultCloudApiBase() ? QUrl() : base;
        loaded.accountId = chosen->cloudAccountId();
        loaded.workspaceId = chosen->cloudWorkspaceId();
        loaded.auth = ConnectionProfile::Auth::ApiKey;
        loadedSecret = chosen->apiKey;
    } else {
        loaded.apiUrl = chosen->apiUrl;
        if (!chosen->apiKey.isEmpty()) {
            loaded.auth = ConnectionProfile::Auth::ApiKey;
            loadedSecret = chosen->apiKey;
        } else if (!chosen->authString.isEmpty()) {
            loaded.auth = ConnectionProfile::Auth::Basic;
            loaded.basicUser = chosen->authString.section(u':', 0, 0);
            loadedSecret = chosen->authString.section(u':', 1);
        }
    }
    setProfile(loaded, loadedSecret);
    showStatus(m_store ? tr("Imported %n profile(s) from %1: %2. Test '%3' to save it here.",
                            nullptr, int(imported.size()))
                             .arg(path, imported.join(QStringLiteral(", ")), loaded.name)
                       : tr("Loaded '%1' from %2; test it to save it.").arg(loaded.name, path),
               true);
}

void ConnectionDialog::invalidateTest()
{
    if (m_filling)
        return;
    ++m_generation; // an answer still on its way is for other values
    m_tested = false;
    m_saveButton->setEnabled(false);
    m_testButton->setEnabled(true);
    m_statusLabel->clear();
}

void ConnectionDialog::updateLayout()
{
    const bool cloud = m_kindCombo->currentData().toInt() == int(ConnectionProfile::Kind::Cloud);
    m_pages->setCurrentIndex(cloud ? 0 : 1);
    const auto auth = ConnectionProfile::Auth(m_authCombo->currentData().toInt());
    m_serverKeyLabel->setVisible(auth == ConnectionProfile::Auth::ApiKey);
    m_serverKeyEdit->setVisible(auth == ConnectionProfile::Auth::ApiKey);
    for (QWidget *widget :
         {static_cast<QWidget *>(m_basicUserLabel), static_cast<QWidget *>(m_basicUserEdit),
          static_cast<QWidget *>(m_basicPasswordLabel),
          static_cast<QWidget *>(m_basicPasswordEdit)})
        widget->setVisible(auth == ConnectionProfile::Auth::Basic);
}

void ConnectionDialog::showStatus(const QString &text, bool ok)
{
    m_statusLabel->setText(text);
    m_statusLabel->setProperty("ok", ok);
    m_statusLabel->setStyleSheet(ok ? QString() : QStringLiteral("color: #b3261e;"));
}
