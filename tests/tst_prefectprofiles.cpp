#include "prefectprofiles.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

// The Prefect CLI's profiles.toml as the desktop front end imports it.
class TestPrefectProfiles : public QObject
{
    Q_OBJECT

private slots:
    void readsProfilesAndActive();
    void cloudUrlIsRecognised();
    void emptyAndMinimalFiles_data();
    void emptyAndMinimalFiles();
    void brokenFiles_data();
    void brokenFiles();
    void missingFileIsAnError();
    void oversizedFileIsRefused();
    void defaultPath_data();
    void defaultPath();

private:
    QString write(const QByteArray &text);
    QTemporaryDir m_dir;
    int m_files = 0;
};

QString TestPrefectProfiles::write(const QByteArray &text)
{
    const QString path = m_dir.filePath(QStringLiteral("profiles-%1.toml").arg(++m_files));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestPrefectProfiles::readsProfilesAndActive()
{
    const QString path = write(R"(active = "local"

[profiles.ephemeral]
PREFECT_SERVER_ALLOW_EPHEMERAL_MODE = "true"

[profiles.local]
PREFECT_API_URL = "http://127.0.0.1:4200/api"
PREFECT_LOGGING_LEVEL = "DEBUG"

[profiles.guarded]
PREFECT_API_URL = "https://prefect.example.com/api"
PREFECT_API_AUTH_STRING = "admin:s3cr:et"

[profiles.keyed]
PREFECT_API_URL = "https://prefect.example.com/api"
PREFECT_API_KEY = "pnu_key"
)");
    QString error;
    const auto profiles = PrefectProfiles::read(path, &error);
    QVERIFY2(profiles, qPrintable(error));
    QCOMPARE(profiles->size(), 4);
    QMap<QString, PrefectProfiles::Profile> byName;
    for (const PrefectProfiles::Profile &profile : *profiles)
        byName.insert(profile.name, profile);
    QCOMPARE(byName.keys(), (QStringList{"ephemeral", "guarded", "keyed", "local"}));

    QVERIFY(byName["ephemeral"].apiUrl.isEmpty());
    QVERIFY(!byName["ephemeral"].isActive);

    QCOMPARE(byName["local"].apiUrl, QUrl("http://127.0.0.1:4200/api"));
    QVERIFY(byName["local"].isActive);
    QVERIFY(!byName["local"].isCloud());
    QVERIFY(byName["local"].apiKey.isEmpty());

    QCOMPARE(byName["guarded"].authString, QString("admin:s3cr:et"));
    QVERIFY(!byName["guarded"].isActive);
    QCOMPARE(byName["keyed"].apiKey, QString("pnu_key"));
    QVERIFY(byName["keyed"].authString.isEmpty());
    QCOMPARE(std::count_if(profiles->cbegin(), profiles->cend(),
                           [](const auto &profile) { return profile.isActive; }),
             1);
}

void TestPrefectProfiles::cloudUrlIsRecognised()
{
    const QByteArray account = "9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4";
    const QByteArray workspace = "0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f";
    QString error;
    const auto profiles = PrefectProfiles::parse(
        "active = 'cloud'\n[profiles.cloud]\nPREFECT_API_URL = "
        "'https://api.prefect.cloud/api/accounts/"
            + account + "/workspaces/" + workspace + "'\nPREFECT_API_KEY = 'pnu_cloud'\n",
        "test", &error);
    QVERIFY2(profiles, qPrintable(error));
    QCOMPARE(profiles->size(), 1);
    const PrefectProfiles::Profile cloud = profiles->first();
    QVERIFY(cloud.isActive);
    QVERIFY(cloud.isCloud());
    QCOMPARE(cloud.cloudAccountId(), QString::fromLatin1(account));
    QCOMPARE(cloud.cloudWorkspaceId(), QString::fromLatin1(workspace));
    QCOMPARE(cloud.cloudApiBase(), QUrl("https://api.prefect.cloud/api"));
    QCOMPARE(cloud.apiKey, QString("pnu_cloud"));
}

void TestPrefectProfiles::emptyAndMinimalFiles_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("active");
    QTest::newRow("empty file") << QByteArray() << 0 << QString();
    QTest::newRow("only comments") << QByteArray("# nothing\n\n") << 0 << QString();
    QTest::newRow("active names no profile")
        << QByteArray("active = 'gone'\n[profiles.a]\n") << 1 << QString();
    QTest::newRow("no active") << QByteArray("[profiles.a]\n[profiles.b]\n") << 2 << QString();
    QTest::newRow("quoted name with dot")
        << QByteArray("active = 'my.server'\n[profiles.'my.server']\n"
                      "PREFECT_API_URL = 'http://h:1/api'\n")
        << 1 << QString("my.server");
    QTest::newRow("CRLF line ends")
        << QByteArray("active = \"x\"\r\n[profiles.x]\r\nPREFECT_API_URL = \"http://h/api\"\r\n")
        << 1 << QString("x");
}

void TestPrefectProfiles::emptyAndMinimalFiles()
{
    QFETCH(QByteArray, toml);
    QFETCH(int, count);
    QFETCH(QString, active);
    QString error;
    const auto profiles = PrefectProfiles::parse(toml, "test", &error);
    QVERIFY2(profiles, qPrintable(error));
    QCOMPARE(profiles->size(), count);
    QString found;
    for (const auto &profile : *profiles) {
        if (profile.isActive)
            found = profile.name;
    }
    QCOMPARE(found, active);
}

void TestPrefectProfiles::brokenFiles_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unterminated string")
        << QByteArray("[profiles.a]\nPREFECT_API_URL = \"http://h/api\n") << "line 2";
    QTest::newRow("missing bracket") << QByteArray("[profiles.a\n") << "line 1";
    QTest::newRow("duplicate table") << QByteArray("[profiles.a]\n[profiles.a]\n") << "line 2";
    QTest::newRow("not utf-8") << QByteArray("active = \"\xff\xfe\"\n") << "line 1";
    QTest::newRow("binary junk") << QByteArray("\x00\x01\x02garbage", 10) << "line 1";
    QTest::newRow("active not a string") << QByteArray("active = 3\n") << "active";
    QTest::newRow("profiles not a table") << QByteArray("profiles = 'x'\n") << "profiles";
    QTest::newRow("profile not a table") << QByteArray("[profiles]\na = 'x'\n") << "profile 'a'";
    QTest::newRow("url not a string")
        << QByteArray("[profiles.a]\nPREFECT_API_URL = 42\n") << "PREFECT_API_URL must be a string";
    QTest::newRow("key not a string")
        << QByteArray("[profiles.a]\nPREFECT_API_KEY = ['x']\n") << "PREFECT_API_KEY must be";
    QTest::newRow("url not http") << QByteArray("[profiles.a]\nPREFECT_API_URL = 'ftp://h/api'\n")
                                  << "not an http";
    QTest::newRow("url without host")
        << QByteArray("[profiles.a]\nPREFECT_API_URL = 'http:///api'\n") << "not an http";
    QTest::newRow("multi-line message value")
        << QByteArray("[profiles.\"a\\nb\"]\nPREFECT_API_URL = 7\n") << "profile 'a b'";
}

void TestPrefectProfiles::brokenFiles()
{
    QFETCH(QByteArray, toml);
    QFETCH(QString, expected);
    const QString path = write(toml);
    QString error;
    const auto profiles = PrefectProfiles::read(path, &error);
    QVERIFY(!profiles);
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(!error.contains(u'\n') && !error.contains(u'\r'), qPrintable(error));
}

void TestPrefectProfiles::missingFileIsAnError()
{
    QString error;
    const QString path = m_dir.filePath("absent.toml");
    QVERIFY(!PrefectProfiles::read(path, &error));
    QVERIFY2(error.contains("absent.toml"), qPrintable(error));
}

void TestPrefectProfiles::oversizedFileIsRefused()
{
    QByteArray big = "[profiles.a]\n# ";
    big += QByteArray(PrefectProfiles::maxFileBytes, 'x');
    QString error;
    QVERIFY(!PrefectProfiles::read(write(big), &error));
    QVERIFY2(error.contains("larger than"), qPrintable(error));
}

void TestPrefectProfiles::defaultPath_data()
{
    QTest::addColumn<QString>("profilesPath");
    QTest::addColumn<QString>("prefectHome");
    QTest::addColumn<QString>("expected");
    const QString home = QDir::homePath();
    QTest::newRow("explicit path wins") << "/etc/p.toml"
                                        << "/srv/prefect"
                                        << "/etc/p.toml";
    QTest::newRow("PREFECT_HOME") << ""
                                  << "/srv/prefect"
                                  << "/srv/prefect/profiles.toml";
    QTest::newRow("home") << ""
                          << "" << home + "/.prefect/profiles.toml";
}

void TestPrefectProfiles::defaultPath()
{
    QFETCH(QString, profilesPath);
    QFETCH(QString, prefectHome);
    QFETCH(QString, expected);
    QProcessEnvironment environment;
    if (!profilesPath.isEmpty())
        environment.insert("PREFECT_PROFILES_PATH", profilesPath);
    if (!prefectHome.isEmpty())
        environment.insert("PREFECT_HOME", prefectHome);
    QCOMPARE(PrefectProfiles::defaultPath(environment), expected);
}

QTEST_GUILESS_MAIN(TestPrefectProfiles)
#include "tst_prefectprofiles.moc"
