// Secrets, TLS, proxies and hostile input: the CLI as a process against the in-test fake.

#include "fakeprefect.h"
#include "prefectclient.h"
#include "prefectreply.h"
#include "taskfields.h"

#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Result
{
    int exitCode = -1;
    QByteArray standardOutput;
    QByteArray standardError;
    QJsonObject extensionOutput;
    QString status() const { return extensionOutput.value("status_description").toString(); }
};

} // namespace

class TestSecurity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void privateCaIsTrustedOnlyWhenGiven();
    void unreadableCaFileIsAValidationError();
    void proxyFromEnvironment();
    void noProxyBypassesTheProxy();
    void fieldsFileWithKeyMustBePrivate_data();
    void fieldsFileWithKeyMustBePrivate();
    void hostileFieldsDocument_data();
    void hostileFieldsDocument();
    void oversizedAnswerIsRefused();
    void laterApiUrlDropsCloudImpliedValues();

private:
    Result run(const QStringList &arguments, const QMap<QString, QString> &environment = {},
               const QByteArray &standardInput = {});
    QString writeFile(const QString &name, const QByteArray &data,
                      QFile::Permissions permissions = QFile::ReadOwner | QFile::WriteOwner);

    QTemporaryDir m_dir;
    QString m_binary;
    QString m_certificatePath;
    QSslCertificate m_certificate;
    QSslKey m_key;
    int m_runs = 0;
};

void TestSecurity::initTestCase()
{
    m_binary = qEnvironmentVariable("UE_PREFECT_BINARY");
    QVERIFY(QFile::exists(m_binary));
    QVERIFY(m_dir.isValid());
    // A throw-away self-signed certificate for 127.0.0.1, made for this run only.
    m_certificatePath = m_dir.filePath("cert.pem");
    const QString keyPath = m_dir.filePath("key.pem");
    QProcess openssl;
    openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                              "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                              "-keyout", keyPath, "-out", m_certificatePath});
    QVERIFY(openssl.waitForFinished(60000));
    QCOMPARE(openssl.exitCode(), 0);
    m_certificate = QSslCertificate::fromPath(m_certificatePath).value(0);
    QFile keyFile(keyPath);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    m_key = QSslKey(&keyFile, QSsl::Rsa);
    QVERIFY(!m_certificate.isNull());
    QVERIFY(!m_key.isNull());
}

QString TestSecurity::writeFile(const QString &name, const QByteArray &data,
                                QFile::Permissions permissions)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(data);
    file.close();
    file.setPermissions(permissions);
    return path;
}

Result TestSecurity::run(const QStringList &arguments, const QMap<QString, QString> &environment,
                         const QByteArray &standardInput)
{
    Result result;
    const QString outputFile = m_dir.filePath(QStringLiteral("out-%1.json").arg(++m_runs));
    QProcessEnvironment processEnvironment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : processEnvironment.keys()) {
        if (name.startsWith("PREFECT_") || name.endsWith("_proxy") || name.endsWith("_PROXY"))
            processEnvironment.remove(name);
    }
    for (auto it = environment.constBegin(); it != environment.constEnd(); ++it)
        processEnvironment.insert(it.key(), it.value());
    QProcess process;
    process.setProcessEnvironment(processEnvironment);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(m_binary, arguments
                                + QStringList{"--max-retries", "0", "--extension-output-file",
                                              outputFile});
    if (!process.waitForStarted(10000))
        return result;
    if (!standardInput.isNull()) {
        process.write(standardInput);
        process.closeWriteChannel();
    }
    if (!finished.wait(60000)) {
        process.kill();
        return result;
    }
    result.exitCode = process.exitCode();
    result.standardOutput = process.readAllStandardOutput();
    result.standardError = process.readAllStandardError();
    QFile file(outputFile);
    if (file.open(QIODevice::ReadOnly))
        result.extensionOutput = QJsonDocument::fromJson(file.readAll()).object();
    return result;
}

void TestSecurity::privateCaIsTrustedOnlyWhenGiven()
{
    FakePrefect fake;
    QVERIFY(fake.http().listenTls(m_certificate, m_key));
    fake.addDeployment("etl", "daily");
    const QString apiUrl = fake.http().url("/api").toString();

    // Verification is on: an unknown CA is refused before any HTTP request is made.
    const Result refused = run({"--api-url", apiUrl, "--deployment", "etl/daily"});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.status().contains("network error"), qPrintable(refused.status()));
    QVERIFY(fake.http().requests().isEmpty());

    const Result trusted =
        run({"--api-url", apiUrl, "--deployment", "etl/daily", "--ca-file", m_certificatePath});
    QVERIFY2(trusted.exitCode == 0, trusted.standardError.constData());
    QCOMPARE(fake.flowRunIds().size(), 1);
}

void TestSecurity::unreadableCaFileIsAValidationError()
{
    FakePrefect fake;
    QVERIFY(fake.listen());
    const QString notPem = writeFile("not-a-cert.pem", "hello\n");
    for (const QString &path : {m_dir.filePath("missing.pem"), notPem}) {
        const Result result = run({"--api-url", fake.apiUrl().toString(), "--deployment",
                                   "etl/daily", "--ca-file", path});
        QCOMPARE(result.exitCode, 20);
        QCOMPARE(result.status(), QString("Data Validation Error: ca_file '%1' holds no readable "
                                          "PEM certificate")
                                      .arg(path));
    }
    QVERIFY(fake.http().requests().isEmpty());
}

void TestSecurity::proxyFromEnvironment()
{
    // The fake plays the proxy: it sees the absolute URL of a host that does not exist.
    FakePrefect proxy;
    QVERIFY(proxy.listen());
    const Result result =
        run({"--api-url", "http://prefect.invalid/api", "--deployment", "etl/daily"},
            {{"http_proxy", proxy.http().url().toString()}});
    // The proxy (our fake) answers 404 for a route it does not know: deployment not found.
    QCOMPARE(result.exitCode, 20);
    QVERIFY(!proxy.http().requests().isEmpty());
    QCOMPARE(proxy.http().requests().first().rawPath,
             QByteArray("http://prefect.invalid/api/deployments/name/etl/daily"));
}

void TestSecurity::noProxyBypassesTheProxy()
{
    FakePrefect proxy;
    QVERIFY(proxy.listen());
    FakePrefect server;
    QVERIFY(server.listen());
    server.addDeployment("etl", "daily");
    const Result result =
        run({"--api-url", server.apiUrl().toString(), "--deployment", "etl/daily"},
            {{"http_proxy", proxy.http().url().toString()}, {"no_proxy", "127.0.0.1"}});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    QVERIFY(proxy.http().requests().isEmpty());
    QCOMPARE(server.flowRunIds().size(), 1);
}

void TestSecurity::fieldsFileWithKeyMustBePrivate_data()
{
    QTest::addColumn<bool>("withKey");
    QTest::addColumn<int>("permissions");
    QTest::addColumn<int>("exitCode");

    const int ownerOnly = int(QFile::ReadOwner | QFile::WriteOwner);
    const int worldReadable = ownerOnly | int(QFile::ReadGroup | QFile::ReadOther);
    QTest::newRow("key, 0600") << true << ownerOnly << 0;
    QTest::newRow("key, 0644") << true << worldReadable << 20;
    QTest::newRow("key, 0640") << true << (ownerOnly | int(QFile::ReadGroup)) << 20;
    QTest::newRow("no key, 0644") << false << worldReadable << 0;
}

void TestSecurity::fieldsFileWithKeyMustBePrivate()
{
    QFETCH(bool, withKey);
    QFETCH(int, permissions);
    QFETCH(int, exitCode);

    FakePrefect fake;
    QVERIFY(fake.listen());
    fake.addDeployment("etl", "daily");
    const QString key = "pnu_fields_file_key_0123456789";
    QJsonObject fields{{"deployment_id_or_name", "etl/daily"},
                       {"api_url", fake.apiUrl().toString()}};
    if (withKey) {
        fake.requireAuthorization("Bearer " + key.toUtf8());
        fields.insert("credentials", QJsonObject{{"password", key}});
    }
    const QString path = writeFile(QStringLiteral("fields-%1.json").arg(m_runs),
                                   QJsonDocument(fields).toJson(),
                                   QFile::Permissions(permissions));
    const Result result = run({"--fields", path});
    QVERIFY2(result.exitCode == exitCode, result.standardError.constData());
    if (exitCode == 20) {
        QCOMPARE(result.status(),
                 QString("Data Validation Error: fields file '%1' holds the API key and can be "
                         "read by other users; restrict it with chmod 600, or pass the fields "
                         "on standard input")
                     .arg(path));
        QVERIFY(fake.http().requests().isEmpty());
    }
    QVERIFY(!result.standardError.contains(key.toUtf8()));
    QVERIFY(!QJsonDocument(result.extensionOutput).toJson().contains(key.toUtf8()));
}

void TestSecurity::hostileFieldsDocument_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("message");

    QTest::newRow("not UTF-8") << QByteArray("{\"deployment_id_or_name\": \"a\xff\xfe\"}")
                               << "the fields document is not valid JSON";
    QTest::newRow("truncated") << QByteArray("{\"deployment_id_or_name\": \"etl/da")
                               << "the fields document is not valid JSON";
    QTest::newRow("array") << QByteArray("[1, 2]")
                           << "the fields document must be a JSON object keyed by field name";
    QTest::newRow("deeply nested") << QByteArray(100000, '[')
                                   << "the fields document is not valid JSON";
    QTest::newRow("over 8 MiB") << ("{\"flow_run_name\": \"" + QByteArray(9 * 1024 * 1024, 'x')
                                    + "\"}")
                                << "fields file '-' is larger than 8 MiB";
    QTest::newRow("empty") << QByteArray("") << "the fields document is not valid JSON";
    QTest::newRow("wrong type") << QByteArray("{\"polling_interval\": {\"a\": 1}}")
                                << "polling_interval must be an integer >= 1";
    QTest::newRow("parameters not an object")
        << QByteArray("{\"additional_optional_parameters\": true, \"parameters_json\": \"[1]\"}")
        << "parameters_json must be a JSON object";
}

void TestSecurity::hostileFieldsDocument()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, message);

    FakePrefect fake;
    QVERIFY(fake.listen());
    const Result result =
        run({"--fields", "-", "--deployment", "etl/daily", "--api-url", fake.apiUrl().toString()},
            {}, document);
    QCOMPARE(result.exitCode, 20);
    QVERIFY2(result.status().startsWith("Data Validation Error: " + message),
             qPrintable(result.status()));
    // One line, and no request made.
    QVERIFY(!result.status().contains('\n'));
    QVERIFY(fake.http().requests().isEmpty());
    QCOMPARE(result.extensionOutput.value("exit_code").toInt(), 20);
}

void TestSecurity::oversizedAnswerIsRefused()
{
    FakePrefect fake;
    QVERIFY(fake.listen());
    fake.setOverride([](const HttpRequest &) -> std::optional<HttpResponse> {
        return HttpResponse::text(200, QByteArray(PrefectClient::maxResponseBytes + 4096, ' '),
                                  "application/json");
    });
    QNetworkAccessManager network;
    PrefectClient client(&network);
    Connection connection;
    connection.setApiBase(fake.apiUrl());
    client.setConnection(connection);
    PrefectReply *reply = client.readFlowRun("00000000-0000-4000-8000-000000000000");
    QSignalSpy finished(reply, &PrefectReply::finished);
    QVERIFY(finished.wait(60000));
    QCOMPARE(reply->error().kind(), PrefectError::Kind::InvalidResponse);
    QVERIFY2(reply->error().message().contains("larger than 64 MiB"),
             qPrintable(reply->error().message()));
}

void TestSecurity::laterApiUrlDropsCloudImpliedValues()
{
    const QString account = "11111111-2222-4333-8444-555555555555";
    const QString workspace = "66666666-7777-4888-8999-000000000000";
    QProcessEnvironment environment;
    environment.insert("PREFECT_API_URL", "https://api.prefect.cloud/api/accounts/" + account
                                              + "/workspaces/" + workspace);
    const QJsonObject options = TaskFields::normalizedLayer(
        {{"api_url", "http://127.0.0.1:4200/api"}, {"deployment_id_or_name", "etl/daily"}});
    const QJsonObject merged =
        TaskFields::merge({TaskFields::layerFromEnvironment(environment), options});
    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(merged, &error);
    QVERIFY2(fields, qPrintable(error));
    QVERIFY(!fields->isCloud());
    QCOMPARE(fields->connection().endpoint({"flows"}).toString(),
             QString("http://127.0.0.1:4200/api/flows"));

    // An account given on its own, not implied by the URL, still stands.
    const QString otherAccount = "99999999-2222-4333-8444-555555555555";
    const QJsonObject explicitAccount = TaskFields::merge(
        {TaskFields::layerFromEnvironment(environment),
         TaskFields::normalizedLayer({{"credentials.user", otherAccount}}), options});
    QCOMPARE(explicitAccount.value("credentials.user").toString(), otherAccount);
}

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
