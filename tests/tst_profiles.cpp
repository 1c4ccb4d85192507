#include "connectiondialog.h"
#include "fakeprefect.h"
#include "profilestore.h"
#include "secretstore.h"
#include "taskfields.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

// Connection profiles of the desktop front end: settings without secrets, the keychain (or
// this session's memory when none answers), the first start, the CLI import and the dialog.
class TestProfiles : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void taskFieldValues_data();
    void taskFieldValues();
    void secretStoreWithoutKeychainKeepsSessionSecrets();
    void roundTripKeepsSecretsOutOfSettings();
    void renameAndRemove();
    void firstStartFromEnvironment_data();
    void firstStartFromEnvironment();
    void importPrefectProfiles();
    void dialogCloudListsWorkspaces();
    void dialogCloudWrongKeyShowsServerMessage();
    void dialogSelfHostedBasicAuth();
    void dialogRejectsInvalidFieldsWithoutRequest();
    void dialogImportFillsForm();

private:
    QString settingsPath() const { return m_dir->filePath("settings.ini"); }
    QString writeFile(const QString &name, const QByteArray &text);
    template<typename T> T *child(QWidget *parent, const char *name)
    {
        T *found = parent->findChild<T *>(QString::fromLatin1(name));
        if (!found)
            qFatal("no child %s", name);
        return found;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<SecretStore> m_secrets;
};

const QString accountId = "9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4";
const QString workspaceId = "0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f";
const QString stagingId = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";

void TestProfiles::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
    // A service of its own: a machine with a keychain never sees these test secrets mixed in.
    m_secrets = std::make_unique<SecretStore>("ue-prefect-test-"
                                              + QUuid::createUuid().toString(QUuid::WithoutBraces));
}

void TestProfiles::cleanup()
{
    m_secrets.reset();
    m_settings.reset();
    m_dir.reset();
}

QString TestProfiles::writeFile(const QString &name, const QByteArray &text)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestProfiles::taskFieldValues_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("auth");
    QTest::addColumn<QString>("apiUrl");
    QTest::addColumn<QString>("expectedBase");
    QTest::addColumn<bool>("cloud");
    QTest::addColumn<QString>("expectedWorkspace");
    QTest::newRow("cloud default base")
        << int(ConnectionProfile::Kind::Cloud) << int(ConnectionProfile::Auth::ApiKey) << ""
        << "https://api.prefect.cloud/api" << true << workspaceId;
    QTest::newRow("cloud private base")
        << int(ConnectionProfile::Kind::Cloud) << int(ConnectionProfile::Auth::ApiKey)
        << "https://gw.example.com/api"
        << "https://gw.example.com/api" << true << workspaceId;
    QTest::newRow("server, no auth")
        << int(ConnectionProfile::Kind::SelfHosted) << int(ConnectionProfile::Auth::None)
        << "http://127.0.0.1:4200/api"
        << "http://127.0.0.1:4200/api" << false << "";
    QTest::newRow("server, key") << int(ConnectionProfile::Kind::SelfHosted)
                                 << int(ConnectionProfile::Auth::ApiKey) << "http://h:4200/api"
                                 << "http://h:4200/api" << false << "";
    QTest::newRow("server, basic") << int(ConnectionProfile::Kind::SelfHosted)
                                   << int(ConnectionProfile::Auth::Basic) << "http://h:4200/api"
                                   << "http://h:4200/api" << false << "";
}

void TestProfiles::taskFieldValues()
{
    QFETCH(int, kind);
    QFETCH(int, auth);
    QFETCH(QString, apiUrl);
    QFETCH(QString, expectedBase);
    QFETCH(bool, cloud);
    QFETCH(QString, expectedWorkspace);
    ConnectionProfile profile;
    profile.kind = ConnectionProfile::Kind(kind);
    profile.auth = ConnectionProfile::Auth(auth);
    profile.apiUrl = QUrl(apiUrl);
    profile.accountId = accountId;
    profile.workspaceId = workspaceId;
    profile.basicUser = "admin";
    QString error;
    const auto fields = TaskFields::fromValues(profile.taskFieldValues("s3cret"), &error,
                                               TaskFields::Purpose::ListDeployments);
    QVERIFY2(fields, qPrintable(error));
    const Connection connection = fields->connection();
    QCOMPARE(connection.isCloud(), cloud);
    QCOMPARE(connection.apiBase(), QUrl(expectedBase));
    QCOMPARE(connection.workspaceId(), expectedWorkspace);
    const QByteArray authorization =
        connection.request(QUrl(expectedBase)).rawHeader("Authorization");
    if (profile.auth == ConnectionProfile::Auth::ApiKey)
        QCOMPARE(authorization, QByteArray("Bearer s3cret"));
    else if (profile.auth == ConnectionProfile::Auth::Basic)
        QCOMPARE(authorization, "Basic " + QByteArray("admin:s3cret").toBase64());
    else
        QVERIFY(authorization.isEmpty());
}

void TestProfiles::secretStoreWithoutKeychainKeepsSessionSecrets()
{
    QSignalSpy unavailable(m_secrets.get(), &SecretStore::keychainUnavailable);
    QSignalSpy written(m_secrets.get(), &SecretStore::secretWritten);
    m_secrets->writeSecret("k", "pnu_session");
    QVERIFY(written.wait(30000));
    const bool persisted = written.first().at(1).toBool();
    QCOMPARE(m_secrets->isPersistent(), persisted);
    if (persisted) {
        // A real keychain answered: it holds the secret; clean it away.
        QSignalSpy deleted(m_secrets.get(), &SecretStore::secretDeleted);
        m_secrets->deleteSecret("k");
        QVERIFY(deleted.wait(30000));
        QSKIP("a keychain answered on this machine; the fallback is not exercised");
    }
    QCOMPARE(unavailable.count(), 1);
    QVERIFY2(unavailable.first().first().toString().contains("this session only"),
             qPrintable(unavailable.first().first().toString()));

    QSignalSpy read(m_secrets.get(), &SecretStore::secretRead);
    m_secrets->readSecret("k");
    QCOMPARE(read.count(), 0); // answered from the event loop, never inside the call
    QVERIFY(read.wait(30000));
    QCOMPARE(read.first().at(1).toString(), QString("pnu_session"));

    // Unknown keys read as empty, and the message is not repeated.
    m_secrets->readSecret("other");
    QTRY_COMPARE_WITH_TIMEOUT(read.count(), 2, 30000);
    QCOMPARE(read.at(1).at(0).toString(), QString("other"));
    QVERIFY(read.at(1).at(1).toString().isEmpty());
    QCOMPARE(unavailable.count(), 1);

    QSignalSpy deleted(m_secrets.get(), &SecretStore::secretDeleted);
    m_secrets->deleteSecret("k");
    QVERIFY(deleted.wait(30000));
    m_secrets->readSecret("k");
    QTRY_COMPARE_WITH_TIMEOUT(read.count(), 3, 30000);
    QVERIFY(read.at(2).at(1).toString().isEmpty());
}

void TestProfiles::roundTripKeepsSecretsOutOfSettings()
{
    ConnectionProfile cloud;
    cloud.name = "Acme prod";
    cloud.kind = ConnectionProfile::Kind::Cloud;
    cloud.accountId = accountId;
    cloud.workspaceId = workspaceId;
    cloud.workspaceName = "Production";
    cloud.auth = ConnectionProfile::Auth::ApiKey;
    ConnectionProfile server;
    server.name = "lab/server"; // a slash must not become a settings group
    server.apiUrl = QUrl("http://127.0.0.1:4200/api");
    server.auth = ConnectionProfile::Auth::Basic;
    server.basicUser = "admin";
    {
        ProfileStore store(m_settings.get(), m_secrets.get());
        QSignalSpy written(m_secrets.get(), &SecretStore::secretWritten);
        store.saveProfile(cloud, "pnu_CLOUD_SECRET_KEY");
        store.saveProfile(server, "BASIC_PASSWORD_XYZ");
        store.setCurrentProfileName(server.name);
        QTRY_COMPARE_WITH_TIMEOUT(written.count(), 2, 30000);

        QSignalSpy ready(&store, &ProfileStore::secretReady);
        store.requestSecret(cloud.name);
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.first().at(0).toString(), cloud.name);
        QCOMPARE(ready.first().at(1).toString(), QString("pnu_CLOUD_SECRET_KEY"));
    }
    m_settings->sync();
    QFile file(settingsPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("Acme prod"));
    QVERIFY(text.contains(accountId.toLatin1()));
    QVERIFY(!text.contains("pnu_CLOUD_SECRET_KEY"));
    QVERIFY(!text.contains("BASIC_PASSWORD_XYZ"));
    QVERIFY(!text.contains(QByteArray("admin:BASIC").toBase64()));

    QSettings reopened(settingsPath(), QSettings::IniFormat);
    ProfileStore again(&reopened, m_secrets.get());
    QCOMPARE(again.profiles().size(), 2);
    QCOMPARE(again.profile(cloud.name).value(), cloud);
    QCOMPARE(again.profile(server.name).value(), server);
    QCOMPARE(again.currentProfileName(), server.name);
}

void TestProfiles::renameAndRemove()
{
    ProfileStore store(m_settings.get(), m_secrets.get());
    ConnectionProfile server;
    server.name = "old";
    server.apiUrl = QUrl("http://h:1/api");
    store.saveProfile(server, {});
    store.setCurrentProfileName("old");
    server.name = "new";
    QSignalSpy current(&store, &ProfileStore::currentProfileChanged);
    store.saveProfile(server, {}, "old");
    QCOMPARE(store.profiles().size(), 1);
    QCOMPARE(store.profiles().first().name, QString("new"));
    QCOMPARE(store.currentProfileName(), QString("new"));
    QCOMPARE(current.count(), 1);
    store.removeProfile("new");
    QVERIFY(store.profiles().isEmpty());
    QVERIFY(store.currentProfileName().isEmpty());
    QSettings reopened(settingsPath(), QSettings::IniFormat);
    QVERIFY(ProfileStore(&reopened, m_secrets.get()).profiles().isEmpty());
}

void TestProfiles::firstStartFromEnvironment_data()
{
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<bool>("created");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("auth");
    QTest::addColumn<QString>("secret");
    QTest::newRow("server") << QStringList{"PREFECT_API_URL=http://127.0.0.1:4200/api"} << true
                            << int(ConnectionProfile::Kind::SelfHosted)
                            << int(ConnectionProfile::Auth::None) << "";
    QTest::newRow("server with basic") << QStringList{"PREFECT_API_URL=http://127.0.0.1:4200/api",
                                                      "PREFECT_API_AUTH_STRING=admin:pw:x"}
                                       << true << int(ConnectionProfile::Kind::SelfHosted)
                                       << int(ConnectionProfile::Auth::Basic) << "pw:x";
    QTest::newRow("cloud url")
        << QStringList{"PREFECT_API_URL=https://api.prefect.cloud/api/accounts/" + accountId
                           + "/workspaces/" + workspaceId,
                       "PREFECT_API_KEY=pnu_env"}
        << true << int(ConnectionProfile::Kind::Cloud) << int(ConnectionProfile::Auth::ApiKey)
        << "pnu_env";
    QTest::newRow("nothing") << QStringList{} << false << 0 << 0 << "";
    QTest::newRow("key alone") << QStringList{"PREFECT_API_KEY=pnu_env"} << false << 0 << 0 << "";
}

void TestProfiles::firstStartFromEnvironment()
{
    QFETCH(QStringList, environment);
    QFETCH(bool, created);
    QFETCH(int, kind);
    QFETCH(int, auth);
    QFETCH(QString, secret);
    QProcessEnvironment env;
    for (const QString &entry : environment)
        env.insert(entry.section('=', 0, 0), entry.section('=', 1));
    ProfileStore store(m_settings.get(), m_secrets.get());
    QCOMPARE(store.createFromEnvironment(env), created);
    if (!created) {
        QVERIFY(store.profiles().isEmpty());
        return;
    }
    QCOMPARE(store.currentProfileName(), ProfileStore::environmentProfileName());
    const ConnectionProfile profile = store.profiles().first();
    QCOMPARE(int(profile.kind), kind);
    QCOMPARE(int(profile.auth), auth);
    if (profile.isCloud()) {
        QCOMPARE(profile.accountId, accountId);
        QCOMPARE(profile.workspaceId, workspaceId);
        QVERIFY(profile.apiUrl.isEmpty()); // the default Cloud base
    }
    QSignalSpy ready(&store, &ProfileStore::secretReady);
    store.requestSecret(profile.name);
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.first().at(1).toString(), secret);
    // Not the first start any more.
    QVERIFY(!store.createFromEnvironment(env));
    QCOMPARE(store.profiles().size(), 1);
}

void TestProfiles::importPrefectProfiles()
{
    const QString path =
        writeFile("profiles.toml",
                  ("active = 'cloud'\n[profiles.ephemeral]\n[profiles.local]\n"
                   "PREFECT_API_URL = 'http://127.0.0.1:4200/api'\n[profiles.cloud]\n"
                   "PREFECT_API_URL = 'https://api.prefect.cloud/api/accounts/"
                   + accountId + "/workspaces/" + workspaceId + "'\nPREFECT_API_KEY = 'pnu_cli'\n")
                      .toUtf8());
    ProfileStore store(m_settings.get(), m_secrets.get());
    ConnectionProfile mine;
    mine.name = "local";
    mine.apiUrl = QUrl("http://mine:1/api");
    store.saveProfile(mine, {});
    store.setCurrentProfileName("local");
    QString error;
    const auto imported = store.importPrefectProfiles(path, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(*imported, QStringList{"cloud"});
    QCOMPARE(store.profile("local")->apiUrl, QUrl("http://mine:1/api")); // left alone
    const ConnectionProfile cloud = store.profile("cloud").value();
    QVERIFY(cloud.isCloud());
    QCOMPARE(cloud.accountId, accountId);
    QCOMPARE(cloud.workspaceId, workspaceId);
    QCOMPARE(store.currentProfileName(), QString("local")); // already had one
    QSignalSpy ready(&store, &ProfileStore::secretReady);
    store.requestSecret("cloud");
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.first().at(1).toString(), QString("pnu_cli"));

    const QString broken = writeFile("broken.toml", "[profiles.x\n");
    QVERIFY(!store.importPrefectProfiles(broken, &error));
    QVERIFY2(error.contains("line 1"), qPrintable(error));
    QCOMPARE(store.profiles().size(), 2);
}

void TestProfiles::dialogCloudListsWorkspaces()
{
    FakePrefect fake;
    QVERIFY(fake.listen());
    fake.enableCloud(accountId, workspaceId, "pnu_good");
    fake.addWorkspace({{"account_id", accountId},
                       {"account_handle", "acme"},
                       {"workspace_id", workspaceId},
                       {"workspace_handle", "prod"},
                       {"workspace_name", "Production"}});
    fake.addWorkspace({{"account_id", accountId},
                       {"account_handle", "acme"},
                       {"workspace_id", stagingId},
                       {"workspace_handle", "staging"},
                       {"workspace_name", "Staging"}});
    fake.addWorkspace({{"account_id", QUuid::createUuid().toString(QUuid::WithoutBraces)},
                       {"account_handle", "other"},
                       {"workspace_id", QUuid::createUuid().toString(QUuid::WithoutBraces)},
                       {"workspace_handle", "prod"},
                       {"workspace_name", "Other"}});
    ProfileStore store(m_settings.get(), m_secrets.get());
    ConnectionDialog dialog(&store);
    dialog.show();
    auto *save = child<QPushButton>(&dialog, "saveButton");
    auto *workspaces = child<QComboBox>(&dialog, "workspaceCombo");
    auto *status = child<QLabel>(&dialog, "statusLabel");
    auto *kind = child<QComboBox>(&dialog, "kindCombo");
    kind->setCurrentIndex(kind->findData(int(ConnectionProfile::Kind::Cloud)));
    child<QLineEdit>(&dialog, "accountIdEdit")->setText(accountId);
    child<QLineEdit>(&dialog, "cloudApiKeyEdit")->setText("pnu_good");
    child<QLineEdit>(&dialog, "cloudApiUrlEdit")->setText(fake.apiUrl().toString());
    QVERIFY(!save->isEnabled());
    QTest::mouseClick(child<QPushButton>(&dialog, "testButton"), Qt::LeftButton);
    QVERIFY(!dialog.isTested()); // asynchronous: the dialog did not block on the request
    QTRY_VERIFY_WITH_TIMEOUT(save->isEnabled(), 30000);
    QCOMPARE(workspaces->count(), 2); // the other account's workspace is not offered
    QVERIFY2(status->text().contains("2 workspace"), qPrintable(status->text()));
    workspaces->setCurrentIndex(workspaces->findData(stagingId));
    QVERIFY(save->isEnabled()); // choosing among the tested workspaces keeps the test
    QCOMPARE(fake.requestsTo("/me/workspaces").size(), 1);

    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const ConnectionProfile saved = store.profiles().value(0);
    QCOMPARE(saved.workspaceId, stagingId);
    QVERIFY(saved.workspaceName.contains("Staging"));
    QCOMPARE(saved.accountId, accountId);
    QCOMPARE(store.currentProfileName(), saved.name);
}

void TestProfiles::dialogCloudWrongKeyShowsServerMessage()
{
    FakePrefect fake;
    QVERIFY(fake.listen());
    fake.enableCloud(accountId, workspaceId, "pnu_good");
    ConnectionDialog dialog;
    dialog.show();
    auto *kind = child<QComboBox>(&dialog, "kindCombo");
    kind->setCurrentIndex(kind->findData(int(ConnectionProfile::Kind::Cloud)));
    child<QLineEdit>(&dialog, "accountIdEdit")->setText(accountId);
    child<QLineEdit>(&dialog, "cloudApiKeyEdit")->setText("pnu_wrong");
    child<QLineEdit>(&dialog, "cloudApiUrlEdit")->setText(fake.apiUrl().toString());
    auto *status = child<QLabel>(&dialog, "statusLabel");
    QTest::mouseClick(child<QPushButton>(&dialog, "testButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("401"), 30000);
    QVERIFY2(status->text().contains("Invalid authentication credentials"),
             qPrintable(status->text()));
    QVERIFY(!child<QPushButton>(&dialog, "saveButton")->isEnabled());
    QVERIFY(child<QPushButton>(&dialog, "testButton")->isEnabled());
    QCOMPARE(child<QComboBox>(&dialog, "workspaceCombo")->count(), 0);
}

void TestProfiles::dialogSelfHostedBasicAuth()
{
    FakePrefect fake;
    QVERIFY(fake.listen());
    fake.addDeployment("etl", "daily");
    fake.addDeployment("etl", "hourly");
    const QByteArray expected = "Basic " + QByteArray("admin:pw").toBase64();
    fake.setOverride([&](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.header("authorization") != expected)
            return HttpResponse::json(401, QJsonObject{{"detail", "Unauthorized"}});
        if (request.path() == "/api/deployments/count" && request.method == "POST")
            return HttpResponse::text(200, "2", "application/json");
        return std::nullopt;
    });
    ProfileStore store(m_settings.get(), m_secrets.get());
    ConnectionDialog dialog(&store);
    dialog.show();
    auto *save = child<QPushButton>(&dialog, "saveButton");
    auto *status = child<QLabel>(&dialog, "statusLabel");
    auto *test = child<QPushButton>(&dialog, "testButton");
    auto *kind = child<QComboBox>(&dialog, "kindCombo");
    kind->setCurrentIndex(kind->findData(int(ConnectionProfile::Kind::SelfHosted)));
    auto *auth = child<QComboBox>(&dialog, "authCombo");
    auth->setCurrentIndex(auth->findData(int(ConnectionProfile::Auth::Basic)));
    QVERIFY(child<QLineEdit>(&dialog, "basicUserEdit")->isVisible());
    QVERIFY(!child<QLineEdit>(&dialog, "serverKeyEdit")->isVisible());
    child<QLineEdit>(&dialog, "nameEdit")->setText("Lab");
    child<QLineEdit>(&dialog, "apiUrlEdit")->setText(fake.apiUrl().toString());
    child<QLineEdit>(&dialog, "basicUserEdit")->setText("admin");
    auto *password = child<QLineEdit>(&dialog, "basicPasswordEdit");
    QCOMPARE(password->echoMode(), QLineEdit::Password);
    password->setText("bad");
    test->click(); // not mouseClick: clicks in a row would be taken for a double click
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("Unauthorized"), 30000);
    QVERIFY(!save->isEnabled());
    // Save without a good test does nothing.
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY(store.profiles().isEmpty());

    password->setText("pw");
    test->click(); // not mouseClick: clicks in a row would be taken for a double click
    QTRY_VERIFY2_WITH_TIMEOUT(save->isEnabled(),
                              qPrintable(status->text() + " requests "
                                         + QString::number(fake.http().requests().size())),
                              30000);
    QVERIFY2(status->text().contains("2 deployment"), qPrintable(status->text()));
    // Changing a connection field asks for a new test.
    child<QLineEdit>(&dialog, "basicUserEdit")->setText("root");
    QVERIFY(!save->isEnabled());
    child<QLineEdit>(&dialog, "basicUserEdit")->setText("admin");
    test->click(); // not mouseClick: clicks in a row would be taken for a double click
    QTRY_VERIFY2_WITH_TIMEOUT(save->isEnabled(), qPrintable(status->text()), 30000);
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const ConnectionProfile saved = store.profile("Lab").value();
    QCOMPARE(saved.auth, ConnectionProfile::Auth::Basic);
    QCOMPARE(saved.basicUser, QString("admin"));
    QCOMPARE(saved.apiUrl, fake.apiUrl());
    QSignalSpy ready(&store, &ProfileStore::secretReady);
    store.requestSecret("Lab");
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.first().at(1).toString(), QString("pw"));
}

void TestProfiles::dialogRejectsInvalidFieldsWithoutRequest()
{
    FakePrefect fake;
    QVERIFY(fake.listen());
    ConnectionDialog dialog;
    auto *kind = child<QComboBox>(&dialog, "kindCombo");
    kind->setCurrentIndex(kind->findData(int(ConnectionProfile::Kind::Cloud)));
    child<QLineEdit>(&dialog, "accountIdEdit")->setText("not-a-uuid");
    child<QLineEdit>(&dialog, "cloudApiKeyEdit")->setText("pnu_x");
    child<QLineEdit>(&dialog, "cloudApiUrlEdit")->setText(fake.apiUrl().toString());
    QTest::mouseClick(child<QPushButton>(&dialog, "testButton"), Qt::LeftButton);
    const QString text = child<QLabel>(&dialog, "statusLabel")->text();
    QVERIFY2(text.contains("account id"), qPrintable(text));
    QVERIFY(fake.http().requests().isEmpty());
    QVERIFY(!child<QPushButton>(&dialog, "saveButton")->isEnabled());
}

void TestProfiles::dialogImportFillsForm()
{
    const QString path =
        writeFile("cli.toml",
                  "active = 'lab'\n[profiles.lab]\nPREFECT_API_URL = 'http://127.0.0.1:9/api'\n"
                  "PREFECT_API_KEY = 'pnu_lab'\n");
    ProfileStore store(m_settings.get(), m_secrets.get());
    ConnectionDialog dialog(&store);
    dialog.setPrefectProfilesPath(path);
    QTest::mouseClick(child<QPushButton>(&dialog, "importButton"), Qt::LeftButton);
    QCOMPARE(store.profiles().size(), 1);
    QCOMPARE(child<QLineEdit>(&dialog, "nameEdit")->text(), QString("lab"));
    QCOMPARE(child<QLineEdit>(&dialog, "apiUrlEdit")->text(), QString("http://127.0.0.1:9/api"));
    QCOMPARE(child<QLineEdit>(&dialog, "serverKeyEdit")->text(), QString("pnu_lab"));
    QCOMPARE(dialog.profile().auth, ConnectionProfile::Auth::ApiKey);
    QVERIFY(!child<QPushButton>(&dialog, "saveButton")->isEnabled());
    QVERIFY(child<QLabel>(&dialog, "statusLabel")->text().contains("Imported 1"));

    dialog.setPrefectProfilesPath(writeFile("bad.toml", "active = \n"));
    QTest::mouseClick(child<QPushButton>(&dialog, "importButton"), Qt::LeftButton);
    QVERIFY(child<QLabel>(&dialog, "statusLabel")->text().contains("bad.toml"));
}

QTEST_MAIN(TestProfiles)
#include "tst_profiles.moc"
