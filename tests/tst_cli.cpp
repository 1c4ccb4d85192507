// The ue-prefect binary as UAC runs it: a real process against a fake Prefect API that runs on
// this test's event loop, one test for every row of the task contract.

#include "fakeprefect.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace {

const QString accountId = QStringLiteral("3c1f0b8e-7a2d-4e6f-9b1a-5d4c3b2a1f0e");
const QString workspaceId = QStringLiteral("8e7d6c5b-4a39-4281-b7c6-d5e4f3a2b1c0");
const QString stagingId = QStringLiteral("2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b");
const QString otherAccountId = QStringLiteral("5f4e3d2c-1b0a-4998-8776-655443322110");
const QString otherWorkspaceId = QStringLiteral("7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d");

// Every secret any test hands to the binary; none may ever show up in what it writes.
const QString apiKey = QStringLiteral("pnu_cliSecretKey3f9a2b7c1d0e");
const QString wrongKey = QStringLiteral("pnu_cliWrongKey8d7c6b5a4f3e");
const QString envKey = QStringLiteral("pnu_cliEnvKeyA1b2c3d4e5f6");
const QString fieldsKey = QStringLiteral("pnu_cliFieldsKey0a9b8c7d6e5f");
const QString fileKey = QStringLiteral("pnu_cliFileKey5e4d3c2b1a09");
const QString basicAuth = QStringLiteral("admin:basicAuthSecret77f1e2");
const QList<QByteArray> secrets{apiKey.toUtf8(),    wrongKey.toUtf8(),
                                envKey.toUtf8(),    fieldsKey.toUtf8(),
                                fileKey.toUtf8(),   QByteArray("basicAuthSecret77f1e2"),
                                basicAuth.toUtf8(), basicAuth.toUtf8().toBase64()};

const QString success = QStringLiteral("Task executed successfully.");
const QString flowRunInfo = QStringLiteral("Include latest Flow Run information");

constexpr int processTimeoutMs = 30000;

QStringList list(std::initializer_list<QString> items)
{
    return QStringList(items);
}

// The arguments that reach the fake: a self-hosted server, or Cloud by workspace UUID.
const QStringList selfHosted{"--api-url", "%API%", "--deployment", "etl/daily"};
const QStringList cloud{"--api-url",   "%API%",       "--account",    "%ACCOUNT%",
                        "--workspace", "%WORKSPACE%", "--deployment", "etl/daily"};
const QStringList cloudEnvironment{"PREFECT_API_KEY=" + apiKey};
const QStringList waitArgs{"--wait", "--poll-interval", "1"};
// Fields that turn the client's own retries off, where a test injects a failure that a retrying
// client would try again (5xx, dropped connections): the failure then reaches the task at once.
// Ignored by a client that does not retry.
const QStringList noRetries{"--fields", "%NORETRY%"};

} // namespace

// One finished run of the binary.
class CliRun
{
public:
    bool ok = false; // every check that holds for all runs passed
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject extensionOutput;
    QList<QJsonObject> events;

    QString statusDescription() const
    {
        return extensionOutput.value("status_description").toString();
    }
    QJsonObject fields() const
    {
        return extensionOutput.value("invocation").toObject().value("fields").toObject();
    }
    QJsonObject result() const { return extensionOutput.value("result").toObject(); }
    QStringList errors() const
    {
        QStringList errors;
        for (const QJsonValue &error : result().value("errors").toArray())
            errors << error.toString();
        return errors;
    }
    QList<QJsonObject> outputFieldEvents() const
    {
        QList<QJsonObject> fields;
        for (const QJsonObject &event : events) {
            if (event.value("type") == "output_fields")
                fields << event.value("fields").toObject();
        }
        return fields;
    }
    QStringList reportedStates() const
    {
        QStringList states;
        for (const QJsonObject &fields : outputFieldEvents())
            states << fields.value("flow_run_state").toString();
        return states;
    }
    QStringList errLines() const { return QString::fromUtf8(err).split('\n', Qt::SkipEmptyParts); }
    QStringList outLines() const { return QString::fromUtf8(out).split('\n', Qt::SkipEmptyParts); }
};

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void helpDocumentsEveryOption();
    void versionIsPrinted();
    void validationErrorsMakeNoRequest_data();
    void validationErrorsMakeNoRequest();
    void deploymentIsFound_data();
    void deploymentIsFound();
    void deploymentNotFoundOrAmbiguous_data();
    void deploymentNotFoundOrAmbiguous();
    void cloudWorkspaceIsResolved_data();
    void cloudWorkspaceIsResolved();
    void unknownCloudWorkspace_data();
    void unknownCloudWorkspace();
    void createSendsOnlyKeysWithValues_data();
    void createSendsOnlyKeysWithValues();
    void withoutWaitExitsAfterCreate();
    void waitEndsWithTheRunsOutcome_data();
    void waitEndsWithTheRunsOutcome();
    void multiLineStateMessageStaysOnOneLine();
    void httpFailures_data();
    void httpFailures();
    void outputFieldsReportedOnEachChange();
    void extensionOutputContent_data();
    void extensionOutputContent();
    void extensionOutputWrittenAtomically();
    void stderrCarriesTimestampedProgress_data();
    void stderrCarriesTimestampedProgress();
    void apiKeyNeverShown_data();
    void apiKeyNeverShown();
    void fieldsDocument_data();
    void fieldsDocument();
    void apiKeyPrecedence_data();
    void apiKeyPrecedence();
    void fieldPrecedence_data();
    void fieldPrecedence();
    void apiKeyFileMode_data();
    void apiKeyFileMode();
    void workspacesCommand_data();
    void workspacesCommand();
    void deploymentsCommand_data();
    void deploymentsCommand();
    void choiceCommandErrors_data();
    void choiceCommandErrors();

private:
    void useCloud();
    QString expand(QString text) const;
    QProcessEnvironment processEnvironment(const QStringList &entries) const;
    void writeFile(const QString &name, const QString &content,
                   QFileDevice::Permissions permissions = QFileDevice::ReadOwner
                       | QFileDevice::WriteOwner);
    void runCli(CliRun *run, const QStringList &arguments, const QStringList &environment = {},
                const std::optional<QByteArray> &input = std::nullopt);
    void failRequests(const QString &pathPart, const QByteArray &method, int status,
                      const QJsonObject &body);
    QString flowRunId() const { return m_fake->flowRunIds().value(0); }
    int flowRunReads() const { return m_fake->requestsTo("/flow_runs/", "GET").size(); }
    int creates() const { return m_fake->requestsTo("/create_flow_run", "POST").size(); }
    QString workspacePrefix() const;
    QJsonObject createBody(const HttpRequest &request) const;
    QString requestList() const;

    QString m_binary;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<FakePrefect> m_decoy;
    bool m_cloud = false;
    QString m_etlDailyId;
    QString m_reportsDailyId;
    QString m_etlHourlyId;
    int m_runs = 0;
};

void TestCli::initTestCase()
{
    m_binary = qEnvironmentVariable("UE_PREFECT_BINARY");
    QVERIFY2(!m_binary.isEmpty(), "UE_PREFECT_BINARY is not set; run the test through ctest");
    QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
}

void TestCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_decoy = std::make_unique<FakePrefect>();
    QVERIFY(m_decoy->listen());
    m_cloud = false;
    writeFile("no-retries.json", R"({"max_retries": 0})");
    m_etlDailyId = m_fake->addDeployment("etl", "daily", QJsonObject{{"n", 1}});
    m_reportsDailyId = m_fake->addDeployment("reports", "daily");
    m_etlHourlyId = m_fake->addDeployment("etl", "hourly");
}

void TestCli::cleanup()
{
    // Nothing in this suite may ever reach the decoy: it only stands in for a losing value.
    if (m_decoy)
        QVERIFY2(m_decoy->http().requests().isEmpty(), "a request reached the decoy server");
    m_fake.reset();
    m_decoy.reset();
    m_dir.reset();
}

// Prefect Cloud: two workspaces in our account and one in another account.
void TestCli::useCloud()
{
    m_cloud = true;
    m_fake->enableCloud(accountId, workspaceId, apiKey);
    m_fake->addWorkspace(QJsonObject{{"account_id", accountId},
                                     {"account_handle", "acme"},
                                     {"workspace_id", workspaceId},
                                     {"workspace_handle", "prod"},
                                     {"workspace_name", "Production"}});
    m_fake->addWorkspace(QJsonObject{{"account_id", accountId},
                                     {"account_handle", "acme"},
                                     {"workspace_id", stagingId},
                                     {"workspace_handle", "staging"},
                                     {"workspace_name", "Staging"}});
    m_fake->addWorkspace(QJsonObject{{"account_id", otherAccountId},
                                     {"account_handle", "umbrella"},
                                     {"workspace_id", otherWorkspaceId},
                                     {"workspace_handle", "prod"},
                                     {"workspace_name", "Umbrella Production"}});
}

QString TestCli::workspacePrefix() const
{
    return m_cloud ? QString("/api/accounts/%1/workspaces/%2").arg(accountId, workspaceId)
                   : QString("/api");
}

// The body of a create_flow_run request without idempotency_key, which a client may add to every
// create; when there, it must be a non-empty string.
QJsonObject TestCli::createBody(const HttpRequest &request) const
{
    QJsonObject body = request.json().toObject();
    const QJsonValue key = body.take("idempotency_key");
    if (!key.isUndefined() && key.toString().isEmpty())
        body.insert("idempotency_key", key); // shows up in the comparison
    return body;
}

QString TestCli::expand(QString text) const
{
    const QString api = m_fake->http().url("/api").toString();
    const QString decoy = m_decoy->http().url("/api").toString();
    text.replace("%CLOUDURL%",
                 QString("%1/accounts/%2/workspaces/%3").arg(api, accountId, workspaceId));
    text.replace(
        "%DECOYCLOUDURL%",
        QString("%1/accounts/%2/workspaces/%3").arg(decoy, otherAccountId, otherWorkspaceId));
    text.replace("%API%", api);
    text.replace("%DECOY%", decoy);
    text.replace("%DIR%", m_dir->path());
    text.replace("%FIELDS%", m_dir->filePath("fields.json"));
    text.replace("%KEYFILE%", m_dir->filePath("api.key"));
    text.replace("%NORETRY%", m_dir->filePath("no-retries.json"));
    text.replace("%ACCOUNT%", accountId);
    text.replace("%OTHERACCOUNT%", otherAccountId);
    text.replace("%WORKSPACE%", workspaceId);
    text.replace("%APIKEY%", apiKey);
    text.replace("%ETL_DAILY%", m_etlDailyId);
    text.replace("%REPORTS_DAILY%", m_reportsDailyId);
    text.replace("%ETL_HOURLY%", m_etlHourlyId);
    return text;
}

// The child's environment: ours without any PREFECT_* variable, plus the entries "NAME=value".
QProcessEnvironment TestCli::processEnvironment(const QStringList &entries) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const QStringList names = environment.keys();
    for (const QString &name : names) {
        if (name.startsWith("PREFECT_"))
            environment.remove(name);
    }
    for (const QString &entry : entries) {
        const qsizetype equals = entry.indexOf('=');
        environment.insert(entry.left(equals), expand(entry.mid(equals + 1)));
    }
    return environment;
}

void TestCli::writeFile(const QString &name, const QString &content,
                        QFileDevice::Permissions permissions)
{
    QFile file(m_dir->filePath(name));
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(file.errorString()));
    file.write(expand(content).toUtf8());
    file.close();
    QVERIFY(file.setPermissions(permissions));
}

void TestCli::failRequests(const QString &pathPart, const QByteArray &method, int status,
                           const QJsonObject &body)
{
    m_fake->setOverride([=](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.path().contains(pathPart) && (method.isEmpty() || request.method == method))
            return status == 0 ? HttpResponse::drop() : HttpResponse::json(status, body);
        return std::nullopt;
    });
}

QString TestCli::requestList() const
{
    QStringList lines;
    for (const HttpRequest &request : m_fake->http().requests())
        lines << QString::fromLatin1(request.method) + ' ' + request.path();
    return lines.join('\n');
}

// Runs the binary to its end through the event loop (the fake answers from it meanwhile) and
// checks what holds for every run: a normal exit; stderr made of timestamped lines; for a task,
// an Extension Output file whose exit_code is the exit code and whose status description is on
// stderr, and stdout empty, or JSON Lines ending with the result when --events is given; no
// secret anywhere.
void TestCli::runCli(CliRun *run, const QStringList &arguments, const QStringList &environment,
                     const std::optional<QByteArray> &input)
{
    QStringList args;
    for (const QString &argument : arguments)
        args << expand(argument);
    const QString command = args.value(0);
    const bool choices = command == "workspaces" || command == "deployments";
    const bool task = !choices && !args.contains("--help") && !args.contains("--version");
    const bool events = args.contains("--events");
    const bool quiet = args.contains("-q") || args.contains("--quiet");
    QString extensionOutputPath;
    if (task) {
        const qsizetype given = args.indexOf("--extension-output-file");
        if (given >= 0) {
            extensionOutputPath = args.value(given + 1);
        } else {
            extensionOutputPath =
                m_dir->filePath(QString("extension-output-%1.json").arg(++m_runs));
            args << "--extension-output-file" << extensionOutputPath;
        }
    }

    QProcess process;
    process.setProgram(m_binary);
    process.setArguments(args);
    process.setProcessEnvironment(processEnvironment(environment));
    QSignalSpy finished(&process, &QProcess::finished);
    QVERIFY(finished.isValid());
    process.start();
    QVERIFY2(process.waitForStarted(processTimeoutMs), qPrintable(process.errorString()));
    if (input) {
        process.write(*input);
        process.closeWriteChannel();
    }
    QVERIFY2(finished.count() > 0 || finished.wait(processTimeoutMs),
             qPrintable("ue-prefect did not finish: " + args.join(' ')));
    run->exitCode = process.exitCode();
    run->out = process.readAllStandardOutput();
    run->err = process.readAllStandardError();
    const QByteArray context =
        "\nargs: " + args.join(' ').toUtf8() + "\nstdout:\n" + run->out + "\nstderr:\n" + run->err;
    QVERIFY2(process.exitStatus() == QProcess::NormalExit, ("crashed" + context).constData());

    // One timestamped line per message.
    static const QRegularExpression timestamp(
        "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})? \\S");
    QVERIFY2(run->err.isEmpty() || run->err.endsWith('\n'), context.constData());
    for (const QString &line : QString::fromUtf8(run->err).split('\n')) {
        if (!line.isEmpty())
            QVERIFY2(timestamp.match(line).hasMatch(), qPrintable("untimestamped: " + line));
    }

    QByteArray extensionOutputBytes;
    if (task) {
        QFile file(extensionOutputPath);
        QVERIFY2(file.open(QIODevice::ReadOnly),
                 ("no Extension Output file" + context).constData());
        extensionOutputBytes = file.readAll();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(extensionOutputBytes, &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError && document.isObject(),
                 extensionOutputBytes.constData());
        run->extensionOutput = document.object();
        const QJsonObject &output = run->extensionOutput;
        QVERIFY2(output.value("exit_code").isDouble(), extensionOutputBytes.constData());
        QCOMPARE(output.value("exit_code").toInt(), run->exitCode);
        const QString status = run->statusDescription();
        switch (run->exitCode) {
        case 0:
            QCOMPARE(status, success);
            break;
        case 1:
            QVERIFY2(status.startsWith("Execution Failed: "), qPrintable(status));
            break;
        case 20:
            QVERIFY2(status.startsWith("Data Validation Error: "), qPrintable(status));
            break;
        case 40:
            QCOMPARE(status, QString("Polling Timeout: maximum polling timeout reached."));
            break;
        default:
            QFAIL(qPrintable(QString("unexpected exit code %1").arg(run->exitCode)));
        }
        QVERIFY(output.value("invocation").toObject().value("fields").isObject());
        QVERIFY(output.value("result").toObject().value("errors").isArray());
        QCOMPARE(run->errors().isEmpty(), run->exitCode == 0);
        const QJsonValue password = run->fields().value("credentials").toObject().value("password");
        if (!password.toString().isEmpty())
            QCOMPARE(password.toString(), QString("****"));
        if (!quiet || run->exitCode != 0)
            QVERIFY2(run->err.contains(status.toUtf8()), context.constData());

        if (events) {
            QVERIFY2(run->out.endsWith('\n'), context.constData());
            const QList<QByteArray> lines = run->out.chopped(1).split('\n');
            for (const QByteArray &line : lines) {
                QJsonParseError lineError;
                const QJsonDocument event = QJsonDocument::fromJson(line, &lineError);
                QVERIFY2(lineError.error == QJsonParseError::NoError && event.isObject(),
                         line.constData());
                run->events << event.object();
            }
            for (qsizetype i = 0; i + 1 < run->events.size(); ++i) {
                const QJsonObject &event = run->events.at(i);
                QCOMPARE(event.value("type").toString(), QString("output_fields"));
                const QJsonObject fields = event.value("fields").toObject();
                QCOMPARE(fields.keys(), list({"flow_run_id", "flow_run_name", "flow_run_state"}));
            }
            const QJsonObject last = run->events.last();
            QCOMPARE(last.value("type").toString(), QString("result"));
            QCOMPARE(last.value("exit_code").toInt(-1), run->exitCode);
            QCOMPARE(last.value("extension_output").toObject(), run->extensionOutput);
        } else {
            QVERIFY2(run->out.isEmpty(), ("stdout without --events" + context).constData());
        }
    }

    for (const QByteArray &secret : secrets) {
        QVERIFY2(!run->out.contains(secret), ("secret on stdout" + context).constData());
        QVERIFY2(!run->err.contains(secret), ("secret on stderr" + context).constData());
        QVERIFY2(!extensionOutputBytes.contains(secret),
                 ("secret in the Extension Output: " + extensionOutputBytes).constData());
    }
    run->ok = true;
}

void TestCli::helpDocumentsEveryOption()
{
    CliRun run;
    runCli(&run, {"--help"});
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    const QString help = QString::fromUtf8(run.out);
    const QStringList options =
        QString("--help --version --action --account --api-key-file --api-url --workspace "
                "--deployment --flow-run-name --parameters --wait --poll-interval --max-polls "
                "--extension-output --extension-output-file --fields --events --json -v --verbose "
                "-q --quiet")
            .split(' ');
    for (const QString &option : options) {
        // "  -v, --verbose   Text" or "  --api-url <url>   Text"
        const QRegularExpression documented("^ +(-[a-z], )?" + QRegularExpression::escape(option)
                                                + "( <[a-z]+>)?(, --[a-z-]+)? {2,}\\S",
                                            QRegularExpression::MultilineOption);
        QVERIFY2(documented.match(help).hasMatch(), qPrintable("undocumented: " + option));
    }
    for (const QString &word :
         list({"workspaces", "deployments", "PREFECT_API_URL", "PREFECT_ACCOUNT_ID",
               "PREFECT_API_KEY", "PREFECT_API_AUTH_STRING", "flow-run-info"}))
        QVERIFY2(help.contains(word), qPrintable("help does not mention " + word));
    QVERIFY(m_fake->http().requests().isEmpty());
}

void TestCli::versionIsPrinted()
{
    CliRun run;
    runCli(&run, {"--version"});
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(QRegularExpression("^ue-prefect \\d+\\.\\d+\\.\\d+\\S*\n$")
                 .match(QString::fromUtf8(run.out))
                 .hasMatch(),
             run.out.constData());
}

void TestCli::validationErrorsMakeNoRequest_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QString>("reason");

    const QStringList fieldsArgs = selfHosted + QStringList{"--fields", "%FIELDS%"};
    QTest::newRow("unknown option") << selfHosted + list({"--bogus"}) << QStringList() << QString()
                                    << "Unknown option 'bogus'.";
    QTest::newRow("unknown command") << list({"frobnicate"}) + selfHosted << QStringList()
                                     << QString() << "unknown command 'frobnicate'";
    QTest::newRow("no Prefect API")
        << list({"--deployment", "etl/daily"}) << QStringList() << QString() << "no Prefect API";
    QTest::newRow("no deployment") << list({"--api-url", "%API%"}) << QStringList() << QString()
                                   << "deployment_id_or_name is required";
    QTest::newRow("deployment with two slashes")
        << list({"--api-url", "%API%", "--deployment", "a/b/c"}) << QStringList() << QString()
        << "deployment_id_or_name 'a/b/c' must be a UUID";
    QTest::newRow("unsupported action")
        << selfHosted + list({"--action", "Do Something"}) << QStringList() << QString()
        << "unsupported action 'Do Something'";
    QTest::newRow("poll interval 0")
        << selfHosted + list({"--wait", "--poll-interval", "0"}) << QStringList() << QString()
        << "polling_interval must be an integer >= 1, got '0'";
    QTest::newRow("poll interval not a number")
        << selfHosted + list({"--poll-interval", "soon"}) << QStringList() << QString()
        << "polling_interval must be an integer >= 1";
    QTest::newRow("poll interval not an integer")
        << selfHosted + list({"--poll-interval", "1.5"}) << QStringList() << QString()
        << "polling_interval must be an integer >= 1";
    QTest::newRow("max polls 0") << selfHosted + list({"--max-polls", "0"}) << QStringList()
                                 << QString() << "max_number_of_polls must be an integer >= 1";
    QTest::newRow("unknown extension output")
        << selfHosted + list({"--extension-output", "everything"}) << QStringList() << QString()
        << "--extension-output must be none or flow-run-info";
    QTest::newRow("parameters not JSON")
        << selfHosted + list({"--parameters", "{nope"}) << QStringList() << QString()
        << "parameters_json is not valid JSON";
    QTest::newRow("parameters not an object")
        << selfHosted + list({"--parameters", "[1]"}) << QStringList() << QString()
        << "parameters_json must be a JSON object";
    QTest::newRow("parameters with an unknown key")
        << selfHosted + list({"--parameters", R"({"params": {}})"}) << QStringList() << QString()
        << "parameters_json has an unknown key 'params'";
    QTest::newRow("parameters with tags not strings")
        << selfHosted + list({"--parameters", R"({"tags": [1]})"}) << QStringList() << QString()
        << "parameters_json.tags must be an array of strings";
    QTest::newRow("parameters file missing")
        << selfHosted + list({"--parameters", "@%DIR%/missing.json"}) << QStringList() << QString()
        << "cannot read parameters file";
    QTest::newRow("fields file missing") << selfHosted + list({"--fields", "%DIR%/missing.json"})
                                         << QStringList() << QString() << "cannot read fields file";
    QTest::newRow("fields not JSON") << fieldsArgs << QStringList() << "{"
                                     << "the fields document is not valid JSON";
    QTest::newRow("fields not an object") << fieldsArgs << QStringList() << "[]"
                                          << "the fields document must be a JSON object";
    QTest::newRow("fields credentials not an object")
        << fieldsArgs << QStringList() << R"({"credentials": "x"})"
        << "credentials must be an object with user and password";
    QTest::newRow("fields wait not a boolean")
        << fieldsArgs << QStringList() << R"({"wait_for_success_or_failure": "maybe"})"
        << "wait_for_success_or_failure must be true or false, got 'maybe'";
    QTest::newRow("fields choice with two values")
        << fieldsArgs << QStringList()
        << R"({"extension_output_options": ["--None--", "Include latest Flow Run information"]})"
        << "extension_output_options must be a single value, got 2 values";
    QTest::newRow("fields unknown extension output option")
        << fieldsArgs << QStringList() << R"({"extension_output_options": ["Everything"]})"
        << "extension_output_options must be '--None--' or 'Include latest Flow Run "
           "information', got 'Everything'";
    QTest::newRow("fields polling interval negative")
        << fieldsArgs << QStringList() << R"({"polling_interval": "-5"})"
        << "polling_interval must be an integer >= 1, got '-5'";
    QTest::newRow("fields flow run name not a string")
        << fieldsArgs << QStringList() << R"({"flow_run_name": 5})"
        << "flow_run_name must be a string, got 5";
    QTest::newRow("account not a UUID")
        << selfHosted + list({"--account", "acme"}) << cloudEnvironment << QString()
        << "credentials.user must be a Prefect Cloud account id";
    QTest::newRow("account without key")
        << selfHosted + list({"--account", "%ACCOUNT%", "--workspace", "%WORKSPACE%"})
        << QStringList() << QString()
        << "credentials.password (the Prefect Cloud API key) is required with an account id";
    QTest::newRow("cloud without workspace")
        << selfHosted + list({"--account", "%ACCOUNT%"}) << cloudEnvironment << QString()
        << "workspace_id_or_name is required for Prefect "
           "Cloud";
    QTest::newRow("api url not http")
        << list({"--api-url", "ftp://127.0.0.1/api", "--deployment", "etl/daily"}) << QStringList()
        << QString()
        << "api_url 'ftp://127.0.0.1/api' is not an http or https "
           "URL";
    QTest::newRow("environment api url not a URL")
        << list({"--deployment", "etl/daily"}) << list({"PREFECT_API_URL=not a url"}) << QString()
        << "api_url 'not a url' is not an http or https URL";
    QTest::newRow("api key file missing")
        << selfHosted + list({"--api-key-file", "%DIR%/no.key"}) << QStringList() << QString()
        << "cannot read API key file";
    QTest::newRow("api key file empty") << selfHosted + list({"--api-key-file", "%DIR%/empty.key"})
                                        << QStringList() << QString() << "is empty";
}

void TestCli::validationErrorsMakeNoRequest()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, fields);
    QFETCH(QString, reason);

    writeFile("empty.key", QString());
    if (!fields.isEmpty())
        writeFile("fields.json", fields);
    CliRun run;
    runCli(&run, arguments, environment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 20);
    const QString status = run.statusDescription();
    QVERIFY2(status.startsWith("Data Validation Error: ") && status.contains(reason),
             qPrintable(status));
    QCOMPARE(run.errors(), QStringList{status.mid(int(qstrlen("Data Validation Error: ")))});
    QVERIFY2(m_fake->http().requests().isEmpty(), qPrintable(requestList()));
}

void TestCli::deploymentIsFound_data()
{
    QTest::addColumn<bool>("isCloud");
    QTest::addColumn<QString>("deployment");
    QTest::addColumn<QString>("expectedId");

    for (const bool isCloud : {false, true}) {
        const char *layout = isCloud ? "cloud" : "self-hosted";
        QTest::addRow("%s, by UUID", layout) << isCloud << "%ETL_HOURLY%"
                                             << "%ETL_HOURLY%";
        QTest::addRow("%s, by flow/deployment", layout) << isCloud << "reports/daily"
                                                        << "%REPORTS_DAILY%";
        QTest::addRow("%s, by unique name", layout) << isCloud << "hourly"
                                                    << "%ETL_HOURLY%";
    }
}

void TestCli::deploymentIsFound()
{
    QFETCH(bool, isCloud);
    QFETCH(QString, deployment);
    QFETCH(QString, expectedId);

    if (isCloud)
        useCloud();
    QStringList arguments = isCloud ? cloud : selfHosted;
    arguments.replace(arguments.indexOf("etl/daily"), deployment);
    CliRun run;
    runCli(&run, arguments, isCloud ? cloudEnvironment : QStringList());
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    const QList<HttpRequest> createRequests = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(createRequests.size(), 1);
    QCOMPARE(
        createRequests.first().path(),
        QString("%1/deployments/%2/create_flow_run").arg(workspacePrefix(), expand(expectedId)));
    QCOMPARE(m_fake->flowRun(flowRunId()).value("deployment_id").toString(), expand(expectedId));
    QCOMPARE(run.fields().value("deployment_id_or_name").toString(), expand(deployment));
}

void TestCli::deploymentNotFoundOrAmbiguous_data()
{
    QTest::addColumn<QString>("deployment");
    QTest::addColumn<QString>("statusDescription");

    const QString unknownId = "00000000-1111-4222-8333-444444444444";
    QTest::newRow("unknown UUID") << unknownId
                                  << "Data Validation Error: Deployment '" + unknownId
            + "' not found";
    QTest::newRow("unknown deployment of a flow")
        << "etl/weekly"
        << "Data Validation Error: Deployment 'etl/weekly' not found";
    QTest::newRow("unknown flow") << "billing/daily"
                                  << "Data Validation Error: Deployment 'billing/daily' not found";
    QTest::newRow("unknown name") << "weekly"
                                  << "Data Validation Error: Deployment 'weekly' not found";
    QTest::newRow("ambiguous name")
        << "daily"
        << "Data Validation Error: Deployment 'daily' is ambiguous: etl/daily, reports/daily";
}

void TestCli::deploymentNotFoundOrAmbiguous()
{
    QFETCH(QString, deployment);
    QFETCH(QString, statusDescription);

    CliRun run;
    runCli(&run, {"--api-url", "%API%", "--deployment", deployment, "--wait"});
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 20);
    QCOMPARE(run.statusDescription(), statusDescription);
    QCOMPARE(creates(), 0);
}

void TestCli::cloudWorkspaceIsResolved_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<int>("workspaceLookups");

    const QStringList account{"--api-url", "%API%",        "--account",
                              "%ACCOUNT%", "--deployment", "etl/daily"};
    QTest::newRow("UUID") << account + list({"--workspace", "%WORKSPACE%"}) << cloudEnvironment
                          << 0;
    QTest::newRow("handle") << account + list({"--workspace", "prod"}) << cloudEnvironment << 1;
    QTest::newRow("name") << account + list({"--workspace", "Production"}) << cloudEnvironment << 1;
    QTest::newRow("account/workspace handle")
        << account + list({"--workspace", "acme/prod"}) << cloudEnvironment << 1;
    QTest::newRow("Cloud API URL in the environment")
        << list({"--deployment", "etl/daily"})
        << cloudEnvironment + list({"PREFECT_API_URL=%CLOUDURL%"}) << 0;
    QTest::newRow("account in the environment, workspace by name")
        << list({"--deployment", "etl/daily", "--workspace", "Production"})
        << cloudEnvironment + list({"PREFECT_API_URL=%API%", "PREFECT_ACCOUNT_ID=%ACCOUNT%"}) << 1;
}

void TestCli::cloudWorkspaceIsResolved()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(int, workspaceLookups);

    useCloud();
    CliRun run;
    runCli(&run, arguments, environment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(m_fake->requestsTo("/me/workspaces", "GET").size(), workspaceLookups);
    const QList<HttpRequest> createRequests = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(createRequests.size(), 1);
    QCOMPARE(createRequests.first().path(),
             QString("%1/deployments/%2/create_flow_run").arg(workspacePrefix(), m_etlDailyId));
    for (const HttpRequest &request : m_fake->http().requests())
        QCOMPARE(request.header("authorization"), "Bearer " + apiKey.toUtf8());
    QCOMPARE(run.fields().value("credentials").toObject().value("user").toString(), accountId);
}

void TestCli::unknownCloudWorkspace_data()
{
    QTest::addColumn<QString>("workspace");
    QTest::addColumn<QString>("reason");

    QTest::newRow("unknown name") << "Nowhere"
                                  << "Workspace 'Nowhere' not found in account " + accountId
            + "; available: acme/prod, acme/staging";
    QTest::newRow("handle of another account")
        << "umbrella/prod"
        << "Workspace 'umbrella/prod' not found in account " + accountId;
    QTest::newRow("name of another account's workspace")
        << "Umbrella Production"
        << "Workspace 'Umbrella Production' not found";
    // Not listed: the workspace routes under it answer 404.
    QTest::newRow("unknown UUID") << "00000000-aaaa-4bbb-8ccc-dddddddddddd" << QString();
}

void TestCli::unknownCloudWorkspace()
{
    QFETCH(QString, workspace);
    QFETCH(QString, reason);

    useCloud();
    QStringList arguments = cloud;
    arguments.replace(arguments.indexOf("%WORKSPACE%"), workspace);
    CliRun run;
    runCli(&run, arguments, cloudEnvironment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 20);
    QVERIFY2(run.statusDescription().contains(reason), qPrintable(run.statusDescription()));
    QCOMPARE(creates(), 0);
}

void TestCli::createSendsOnlyKeysWithValues_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QJsonObject>("body");

    const QJsonObject every{{"name", "nightly"},
                            {"parameters", QJsonObject{{"x", 1}, {"y", "two"}}},
                            {"context", QJsonObject{{"k", "v"}}},
                            {"job_variables", QJsonObject{{"image", "python:3.12"}}},
                            {"tags", QJsonArray{"a", "b"}}};
    QTest::newRow("nothing optional") << selfHosted << QString() << QJsonObject();
    QTest::newRow("name") << selfHosted + list({"--flow-run-name", "nightly"}) << QString()
                          << QJsonObject{{"name", "nightly"}};
    QTest::newRow("blank name") << selfHosted + list({"--flow-run-name", "  "}) << QString()
                                << QJsonObject();
    QTest::newRow("parameters only")
        << selfHosted + list({"--parameters", R"({"parameters": {"x": 1}})"}) << QString()
        << QJsonObject{{"parameters", QJsonObject{{"x", 1}}}};
    QTest::newRow("tags only") << selfHosted + list({"--parameters", R"({"tags": ["t"]})"})
                               << QString() << QJsonObject{{"tags", QJsonArray{"t"}}};
    QTest::newRow("every key") << selfHosted
            + list({"--flow-run-name", "nightly", "--parameters",
                    R"({"parameters": {"x": 1, "y": "two"}, "context": {"k": "v"},
                        "job_variables": {"image": "python:3.12"}, "tags": ["a", "b"]})"})
                               << QString() << every;
    QTest::newRow("empty values left out") << selfHosted
            + list({"--parameters",
                    R"({"parameters": {}, "context": {}, "job_variables": {}, "tags": []})"})
                                           << QString() << QJsonObject();
    QTest::newRow("null values left out")
        << selfHosted + list({"--parameters", R"({"parameters": null, "tags": null})"}) << QString()
        << QJsonObject();
    QTest::newRow("parameters from a file")
        << selfHosted + list({"--flow-run-name", "nightly", "--parameters", "@%DIR%/params.json"})
        << QString() << every;
    QTest::newRow("fields parameters_json as an object")
        << selfHosted + list({"--fields", "%FIELDS%"})
        << R"({"additional_optional_parameters": true,
               "parameters_json": {"parameters": {"x": 2}, "tags": ["f"]}})"
        << QJsonObject{{"parameters", QJsonObject{{"x", 2}}}, {"tags", QJsonArray{"f"}}};
    QTest::newRow("fields parameters_json ignored without additional_optional_parameters")
        << selfHosted + list({"--fields", "%FIELDS%"})
        << R"({"additional_optional_parameters": "false",
               "parameters_json": "{\"parameters\": {\"x\": 1}}"})"
        << QJsonObject();
}

void TestCli::createSendsOnlyKeysWithValues()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, fields);
    QFETCH(QJsonObject, body);

    writeFile("params.json", R"({"parameters": {"x": 1, "y": "two"}, "context": {"k": "v"},
                                 "job_variables": {"image": "python:3.12"}, "tags": ["a", "b"]})");
    if (!fields.isEmpty())
        writeFile("fields.json", fields);
    CliRun run;
    runCli(&run, arguments);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    const QList<HttpRequest> createRequests = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(createRequests.size(), 1);
    QVERIFY2(createRequests.first().json().isObject(), createRequests.first().body.constData());
    QCOMPARE(createBody(createRequests.first()), body);
    if (body.contains("name"))
        QCOMPARE(m_fake->flowRun(flowRunId()).value("name").toString(), QString("nightly"));
}

void TestCli::withoutWaitExitsAfterCreate()
{
    CliRun run;
    runCli(&run, selfHosted + list({"--events"}));
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(creates(), 1);
    QCOMPARE(flowRunReads(), 0);
    const QJsonObject created = m_fake->flowRun(flowRunId());
    const QJsonObject expected{{"flow_run_id", flowRunId()},
                               {"flow_run_name", created.value("name")},
                               {"flow_run_state", "SCHEDULED"}};
    QCOMPARE(run.outputFieldEvents(), QList<QJsonObject>{expected});
    QCOMPARE(run.events.size(), 2);
}

void TestCli::waitEndsWithTheRunsOutcome_data()
{
    QTest::addColumn<QStringList>("script");
    QTest::addColumn<QStringList>("extraArguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("statusDescription");
    QTest::addColumn<QStringList>("errors");
    QTest::addColumn<int>("polls");
    QTest::addColumn<QStringList>("reported");

    QTest::newRow("completed") << list({"SCHEDULED", "PENDING", "COMPLETED"}) << QStringList() << 0
                               << success << QStringList() << 2
                               << list({"SCHEDULED", "PENDING", "COMPLETED"});
    QTest::newRow("failed") << list({"RUNNING", "FAILED"}) << QStringList() << 1
                            << "Execution Failed: Flow run Reached FAILED State"
                            << QStringList{"Flow run Reached FAILED State"} << 1
                            << list({"RUNNING", "FAILED"});
    QTest::newRow("crashed") << list({"PENDING", "CRASHED"}) << QStringList() << 1
                             << "Execution Failed: Flow run Reached CRASHED State"
                             << QStringList{"Flow run Reached CRASHED State",
                                            "Execution was aborted by Python system exit call."}
                             << 1 << list({"PENDING", "CRASHED"});
    QTest::newRow("cancelled") << list({"SCHEDULED", "CANCELLED"}) << QStringList() << 1
                               << "Execution Failed: Flow run Reached CANCELLED State"
                               << QStringList{"Flow run Reached CANCELLED State"} << 1
                               << list({"SCHEDULED", "CANCELLED"});
    QTest::newRow("non-terminal states keep polling")
        << list({"PAUSED", "CANCELLING", "COMPLETED"}) << QStringList() << 0 << success
        << QStringList() << 2 << list({"PAUSED", "CANCELLING", "COMPLETED"});
    QTest::newRow("completed on the last allowed poll")
        << list({"SCHEDULED", "COMPLETED"}) << list({"--max-polls", "1"}) << 0 << success
        << QStringList() << 1 << list({"SCHEDULED", "COMPLETED"});
    QTest::newRow("polling timeout")
        << list({"SCHEDULED", "RUNNING"}) << list({"--max-polls", "2"}) << 40
        << "Polling Timeout: maximum polling timeout reached."
        << QStringList{"maximum polling timeout reached."} << 2 << list({"SCHEDULED", "RUNNING"});
}

void TestCli::waitEndsWithTheRunsOutcome()
{
    QFETCH(QStringList, script);
    QFETCH(QStringList, extraArguments);
    QFETCH(int, exitCode);
    QFETCH(QString, statusDescription);
    QFETCH(QStringList, errors);
    QFETCH(int, polls);
    QFETCH(QStringList, reported);

    m_fake->setStateScript(script);
    // When the run was created and each time it was read.
    QElapsedTimer clock;
    clock.start();
    QList<qint64> times;
    QObject context;
    connect(&m_fake->http(), &FakeHttpServer::requestReceived, &context,
            [&](const HttpRequest &request) {
                if (request.path().endsWith("/create_flow_run")
                    || (request.method == "GET" && request.path().contains("/flow_runs/")))
                    times << clock.elapsed();
            });
    CliRun run;
    runCli(&run, selfHosted + waitArgs + extraArguments + list({"--events"}));
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, exitCode);
    QCOMPARE(run.statusDescription(), statusDescription);
    QCOMPARE(run.errors(), errors);
    QCOMPARE(creates(), 1);
    QCOMPARE(flowRunReads(), polls);
    QCOMPARE(run.reportedStates(), reported);
    // One poll per polling interval (1 s; a coarse timer may fire 5 % early).
    QCOMPARE(times.size(), polls + 1);
    for (qsizetype i = 1; i < times.size(); ++i) {
        const qint64 gap = times.at(i) - times.at(i - 1);
        QVERIFY2(gap >= 900 && gap < 5000,
                 qPrintable(QString("poll %1 after %2 ms").arg(i).arg(gap)));
    }
}

void TestCli::multiLineStateMessageStaysOnOneLine()
{
    const QString message = "Flow run encountered an exception.\nTraceback (most recent call "
                            "last):\n  ValueError: bad input";
    m_fake->setOverride([this, message](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.method != "GET" || !request.path().contains("/flow_runs/"))
            return std::nullopt;
        QJsonObject flowRun = m_fake->flowRun(flowRunId());
        flowRun.insert("state_type", "FAILED");
        flowRun.insert("state_name", "Failed");
        flowRun.insert("state",
                       QJsonObject{{"type", "FAILED"}, {"name", "Failed"}, {"message", message}});
        return HttpResponse::json(200, flowRun);
    });
    CliRun run;
    runCli(&run, selfHosted + waitArgs); // every stderr line must carry its timestamp
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.statusDescription(), QString("Execution Failed: Flow run Reached FAILED State"));
    QVERIFY2(run.errors().join('\n').contains("ValueError: bad input"),
             qPrintable(run.errors().join('\n')));
}

void TestCli::httpFailures_data()
{
    QTest::addColumn<bool>("isCloud");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("failPath");
    QTest::addColumn<QByteArray>("failMethod");
    QTest::addColumn<int>("failStatus");
    QTest::addColumn<QJsonObject>("failBody");
    QTest::addColumn<QStringList>("fragments");
    QTest::addColumn<int>("expectedCreates");

    QTest::newRow("create 500") << false << selfHosted + noRetries << QStringList()
                                << "/create_flow_run" << QByteArray("POST") << 500
                                << QJsonObject{{"detail", "database is locked"}}
                                << list({"HTTP 500", "database is locked"}) << 1;
    QTest::newRow("create 503 with exception_message")
        << false << selfHosted + noRetries << QStringList() << "/create_flow_run"
        << QByteArray("POST") << 503
        << QJsonObject{{"exception_message", "Service temporarily unavailable"}}
        << list({"HTTP 503", "Service temporarily unavailable"}) << 1;
    QTest::newRow("deployment lookup 502")
        << false << selfHosted + noRetries << QStringList() << "/deployments/name/"
        << QByteArray("GET") << 502 << QJsonObject{{"detail", "Bad gateway"}}
        << list({"HTTP 502", "Bad gateway"}) << 0;
    QTest::newRow("deployment lookup dropped")
        << false << selfHosted + noRetries << QStringList() << "/deployments/name/"
        << QByteArray("GET") << 0 << QJsonObject()
        << list({"looking up the deployment: network error"}) << 0;
    QTest::newRow("create 400") << false << selfHosted << QStringList() << "/create_flow_run"
                                << QByteArray("POST") << 400
                                << QJsonObject{{"detail", "Malformed request"}}
                                << list({"HTTP 400", "Malformed request"}) << 1;
    QTest::newRow("create 403") << false << selfHosted << QStringList() << "/create_flow_run"
                                << QByteArray("POST") << 403
                                << QJsonObject{{"detail", "Forbidden for this workspace"}}
                                << list({"authentication failed", "403",
                                         "Forbidden for this workspace"})
                                << 1;
    QTest::newRow("poll 404") << false << selfHosted + waitArgs << QStringList() << "/flow_runs/"
                              << QByteArray("GET") << 404
                              << QJsonObject{{"detail", "Flow run not found"}}
                              << list({"HTTP 404", "Flow run not found"}) << 1;
    QTest::newRow("poll 401") << false << selfHosted + waitArgs << QStringList() << "/flow_runs/"
                              << QByteArray("GET") << 401
                              << QJsonObject{{"detail", "Invalid authentication credentials"}}
                              << list({"authentication failed", "401",
                                       "Invalid authentication credentials"})
                              << 1;
    QTest::newRow("cloud, wrong key")
        << true << cloud << list({"PREFECT_API_KEY=" + wrongKey}) << QString() << QByteArray() << 0
        << QJsonObject()
        << list({"authentication failed", "HTTP 401", "Invalid authentication credentials"}) << 0;
    QStringList byHandle = cloud;
    byHandle.replace(byHandle.indexOf("%WORKSPACE%"), "prod");
    QTest::newRow("cloud, wrong key listing workspaces")
        << true << byHandle << list({"PREFECT_API_KEY=" + wrongKey}) << QString() << QByteArray()
        << 0 << QJsonObject() << list({"authentication failed", "HTTP 401"}) << 0;
}

void TestCli::httpFailures()
{
    QFETCH(bool, isCloud);
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, failPath);
    QFETCH(QByteArray, failMethod);
    QFETCH(int, failStatus);
    QFETCH(QJsonObject, failBody);
    QFETCH(QStringList, fragments);
    QFETCH(int, expectedCreates);

    if (isCloud)
        useCloud();
    if (!failPath.isEmpty())
        failRequests(failPath, failMethod, failStatus, failBody);
    CliRun run;
    runCli(&run, arguments, environment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 1);
    for (const QString &fragment : fragments) {
        QVERIFY2(run.statusDescription().contains(fragment), qPrintable(run.statusDescription()));
        QVERIFY2(run.errors().join('\n').contains(fragment), qPrintable(run.errors().join('\n')));
    }
    QCOMPARE(creates(), expectedCreates);
}

void TestCli::outputFieldsReportedOnEachChange()
{
    m_fake->setStateScript({"SCHEDULED", "RUNNING", "RUNNING", "COMPLETED"});
    CliRun run;
    runCli(&run, selfHosted + waitArgs + list({"--flow-run-name", "watched run", "--events"}));
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(flowRunReads(), 3);
    QList<QJsonObject> expected;
    for (const char *state : {"SCHEDULED", "RUNNING", "COMPLETED"}) {
        expected << QJsonObject{{"flow_run_id", flowRunId()},
                                {"flow_run_name", "watched run"},
                                {"flow_run_state", state}};
    }
    QCOMPARE(run.outputFieldEvents(), expected);
    QCOMPARE(run.events.size(), expected.size() + 1);
}

void TestCli::extensionOutputContent_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("script");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<bool>("withInfo");
    QTest::addColumn<QString>("infoState");

    const QStringList info{"--extension-output", "flow-run-info"};
    QTest::newRow("none by default") << selfHosted << QStringList() << 0 << false << QString();
    QTest::newRow("none") << selfHosted + list({"--extension-output", "none"}) << QStringList() << 0
                          << false << QString();
    QTest::newRow("flow-run-info without wait")
        << selfHosted + info << QStringList() << 0 << true << "SCHEDULED";
    QTest::newRow("flow-run-info after completion")
        << selfHosted + info + waitArgs << list({"SCHEDULED", "COMPLETED"}) << 0 << true
        << "COMPLETED";
    QTest::newRow("flow-run-info after failure")
        << selfHosted + info + waitArgs << list({"RUNNING", "FAILED"}) << 1 << true << "FAILED";
    QTest::newRow("flow-run-info after timeout")
        << selfHosted + info + waitArgs + list({"--max-polls", "1"}) << list({"PENDING", "RUNNING"})
        << 40 << true << "RUNNING";
    QTest::newRow("flow-run-info on validation error")
        << selfHosted + info + list({"--poll-interval", "0"}) << QStringList() << 20 << true
        << QString();
    QTest::newRow("none on validation error")
        << selfHosted + list({"--poll-interval", "0"}) << QStringList() << 20 << false << QString();
}

void TestCli::extensionOutputContent()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, script);
    QFETCH(int, exitCode);
    QFETCH(bool, withInfo);
    QFETCH(QString, infoState);

    m_fake->requireAuthorization("Bearer " + apiKey.toUtf8());
    if (!script.isEmpty())
        m_fake->setStateScript(script);
    CliRun run;
    runCli(&run, arguments, cloudEnvironment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, exitCode);

    QCOMPARE(run.extensionOutput.keys(),
             list({"exit_code", "invocation", "result", "status_description"}));
    const QJsonObject fields = run.fields();
    QCOMPARE(fields.value("credentials").toObject().value("password").toString(), QString("****"));
    QCOMPARE(fields.value("deployment_id_or_name").toString(), QString("etl/daily"));
    if (exitCode != 20) {
        QCOMPARE(fields.value("extension_output_options").toString(),
                 withInfo ? flowRunInfo : QString("--None--"));
        QCOMPARE(fields.value("action").toString(), QString("Prefect Cloud - Launch Flow Run"));
        QCOMPARE(fields.value("wait_for_success_or_failure").toBool(), !script.isEmpty());
    }

    const QJsonObject result = run.result();
    QCOMPARE(result.contains("flow_run_info"), withInfo);
    QCOMPARE(result.keys(), withInfo ? list({"errors", "flow_run_info"}) : list({"errors"}));
    if (withInfo && infoState.isEmpty()) {
        QVERIFY(result.value("flow_run_info").isNull());
    } else if (withInfo) {
        const QJsonObject flowRun = result.value("flow_run_info").toObject();
        QCOMPARE(flowRun.value("id").toString(), flowRunId());
        QCOMPARE(flowRun.value("state_type").toString(), infoState);
        QCOMPARE(flowRun.value("deployment_id").toString(), m_etlDailyId);
        QCOMPARE(flowRun, m_fake->flowRun(flowRunId()));
    }
}

void TestCli::extensionOutputWrittenAtomically()
{
    QVERIFY(QDir(m_dir->path()).mkdir("out"));
    const QString path = m_dir->filePath("out/extension-output.json");
    writeFile("out/extension-output.json", R"({"exit_code": 0, "stale": )");

    CliRun run;
    runCli(&run, selfHosted + list({"--extension-output-file", path}));
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(!run.extensionOutput.contains("stale"));
    QDir out(m_dir->filePath("out"));
    QCOMPARE(out.entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{"extension-output.json"});

    // A failed task replaces it just the same.
    CliRun failed;
    runCli(&failed, selfHosted + list({"--max-polls", "x", "--extension-output-file", path}));
    QVERIFY(failed.ok);
    QCOMPARE(failed.exitCode, 20);
    QCOMPARE(out.entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{"extension-output.json"});
}

void TestCli::stderrCarriesTimestampedProgress_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("script");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("present");
    QTest::addColumn<QStringList>("absent");

    QTest::newRow("normal") << selfHosted << QStringList() << 0
                            << list({"Looking up deployment 'etl/daily'",
                                     "Creating a flow run of 'etl/daily'",
                                     "created, state SCHEDULED", "Task executed successfully."})
                            << list({" -> 201", "error: "});
    QTest::newRow("state changes")
        << selfHosted + waitArgs << list({"SCHEDULED", "COMPLETED"}) << 0
        << list({"is COMPLETED", "Task executed successfully."}) << list({"error: "});
    QTest::newRow("verbose") << selfHosted + list({"-v"}) << QStringList() << 0
                             << list({"create_flow_run -> 201", "Task executed successfully."})
                             << QStringList();
    QTest::newRow("quiet success")
        << selfHosted + list({"-q"}) << QStringList() << 0 << QStringList()
        << list({"Looking up", "Task executed successfully."});
    QTest::newRow("quiet failure")
        << selfHosted + waitArgs + list({"-q"}) << list({"RUNNING", "FAILED"}) << 1
        << list({"error: Execution Failed: Flow run Reached FAILED State"})
        << list({"Looking up", "Creating"});
    QTest::newRow("validation error") << list({"--api-url", "%API%"}) << QStringList() << 20
                                      << list({"error: Data Validation Error: "
                                               "deployment_id_or_name is required"})
                                      << list({"Looking up"});
}

void TestCli::stderrCarriesTimestampedProgress()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, script);
    QFETCH(int, exitCode);
    QFETCH(QStringList, present);
    QFETCH(QStringList, absent);

    if (!script.isEmpty())
        m_fake->setStateScript(script);
    CliRun run;
    runCli(&run, arguments);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, exitCode);
    const QStringList lines = run.errLines();
    for (const QString &text : present) {
        const qsizetype count = std::count_if(lines.begin(), lines.end(),
                                              [&](const QString &l) { return l.contains(text); });
        QVERIFY2(count == 1,
                 qPrintable(QString("'%1' on %2 lines of:\n%3")
                                .arg(text)
                                .arg(count)
                                .arg(QString::fromUtf8(run.err))));
    }
    for (const QString &text : absent)
        QVERIFY2(!run.err.contains(text.toUtf8()), run.err.constData());
    if (present.isEmpty())
        QVERIFY2(run.err.isEmpty(), run.err.constData());
}

void TestCli::apiKeyNeverShown_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<int>("exitCode");

    const QByteArray bearer = "Bearer " + apiKey.toUtf8();
    const QStringList loud =
        waitArgs + list({"-v", "--events", "--extension-output", "flow-run-info"});
    QTest::newRow("environment, verbose")
        << selfHosted + loud << cloudEnvironment << QString() << bearer << 0;
    QTest::newRow("fields document")
        << selfHosted + loud + list({"--fields", "%FIELDS%"}) << QStringList()
        << R"({"credentials": {"password": "%APIKEY%"}})" << bearer << 0;
    QTest::newRow("key file") << selfHosted + loud + list({"--api-key-file", "%KEYFILE%"})
                              << QStringList() << QString() << bearer << 0;
    QTest::newRow("rejected key") << selfHosted + loud << list({"PREFECT_API_KEY=" + wrongKey})
                                  << QString() << bearer << 1;
    QTest::newRow("validation error") << selfHosted + loud + list({"--max-polls", "none"})
                                      << cloudEnvironment << QString() << bearer << 20;
    QTest::newRow("validation error, key in fields")
        << selfHosted + loud + list({"--fields", "%FIELDS%"}) << QStringList()
        << R"({"credentials": {"user": "acme", "password": "%APIKEY%"}})" << bearer << 20;
    QTest::newRow("unknown option") << selfHosted + loud + list({"--frobnicate"})
                                    << cloudEnvironment << QString() << bearer << 20;
    QTest::newRow("cloud") << cloud + loud << cloudEnvironment << QString() << QByteArray() << 0;
    QTest::newRow("basic auth") << selfHosted + loud
                                << list({"PREFECT_API_AUTH_STRING=" + basicAuth}) << QString()
                                << "Basic " + basicAuth.toUtf8().toBase64() << 0;
}

void TestCli::apiKeyNeverShown()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, fields);
    QFETCH(QByteArray, authorization);
    QFETCH(int, exitCode);

    if (authorization.isEmpty())
        useCloud();
    else
        m_fake->requireAuthorization(authorization);
    m_fake->setStateScript({"SCHEDULED", "COMPLETED"});
    writeFile("api.key", apiKey + '\n');
    if (!fields.isEmpty())
        writeFile("fields.json", fields);
    CliRun run;
    runCli(&run, arguments, environment); // checks every output for every secret
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, exitCode);
    if (exitCode == 0) {
        // The key was there to leak: it went to the server.
        QVERIFY(!m_fake->http().requests().isEmpty());
        for (const HttpRequest &request : m_fake->http().requests())
            QVERIFY(request.header("authorization")
                        .endsWith(authorization.isEmpty() ? apiKey.toUtf8() : authorization));
    }
    if (exitCode == 20)
        QVERIFY2(m_fake->http().requests().isEmpty(), qPrintable(requestList()));
}

void TestCli::fieldsDocument_data()
{
    QTest::addColumn<QString>("document");
    QTest::addColumn<bool>("viaStdin");

    const QString nested = R"({
        "action": ["Prefect Cloud - Launch Flow Run"],
        "credentials": {"user": "%ACCOUNT%", "password": "%APIKEY%"},
        "workspace_id_or_name": ["Production"],
        "deployment_id_or_name": ["etl/daily"],
        "flow_run_name": "from-document",
        "additional_optional_parameters": "true",
        "parameters_json": "{\"parameters\": {\"n\": 3}}",
        "wait_for_success_or_failure": "true",
        "polling_interval": "1",
        "max_number_of_polls": "3",
        "extension_output_options": ["Include latest Flow Run information"]
    })";
    const QString flat = R"({
        "action": "Prefect Cloud - Launch Flow Run",
        "credentials.user": "%ACCOUNT%",
        "credentials.password": "%APIKEY%",
        "workspace_id_or_name": "Production",
        "deployment_id_or_name": "etl/daily",
        "flow_run_name": ["from-document"],
        "additional_optional_parameters": true,
        "parameters_json": {"parameters": {"n": 3}},
        "wait_for_success_or_failure": true,
        "polling_interval": 1,
        "max_number_of_polls": 3,
        "extension_output_options": "Include latest Flow Run information"
    })";
    QTest::newRow("file, nested credentials, UAC strings") << nested << false;
    QTest::newRow("stdin, nested credentials, UAC strings") << nested << true;
    QTest::newRow("file, flat credentials, JSON types") << flat << false;
    QTest::newRow("stdin, flat credentials, JSON types") << flat << true;
}

void TestCli::fieldsDocument()
{
    QFETCH(QString, document);
    QFETCH(bool, viaStdin);

    useCloud();
    m_fake->setStateScript({"SCHEDULED", "COMPLETED"});
    CliRun run;
    if (viaStdin) {
        runCli(&run, {"--api-url", "%API%", "--fields", "-"}, {}, expand(document).toUtf8());
    } else {
        writeFile("fields.json", document);
        runCli(&run, {"--api-url", "%API%", "--fields", "%FIELDS%"});
    }
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(m_fake->requestsTo("/me/workspaces", "GET").size(), 1);
    const QList<HttpRequest> createRequests = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(createRequests.size(), 1);
    QCOMPARE(createBody(createRequests.first()),
             (QJsonObject{{"name", "from-document"}, {"parameters", QJsonObject{{"n", 3}}}}));
    QCOMPARE(flowRunReads(), 1);
    QCOMPARE(run.result().value("flow_run_info").toObject().value("state_type").toString(),
             QString("COMPLETED"));
    const QJsonObject fields = run.fields();
    QCOMPARE(fields.value("credentials").toObject(),
             (QJsonObject{{"user", accountId}, {"password", "****"}}));
    QCOMPARE(fields.value("workspace_id_or_name").toString(), QString("Production"));
    QCOMPARE(fields.value("wait_for_success_or_failure").toBool(), true);
    QCOMPARE(fields.value("polling_interval").toInt(), 1);
    QCOMPARE(fields.value("max_number_of_polls").toInt(), 3);
    QCOMPARE(fields.value("additional_optional_parameters").toBool(), true);
}

void TestCli::apiKeyPrecedence_data()
{
    QTest::addColumn<QString>("environmentKey");
    QTest::addColumn<QString>("documentKey");
    QTest::addColumn<QString>("optionKey");
    QTest::addColumn<QString>("expectedKey");

    QTest::newRow("environment") << envKey << QString() << QString() << envKey;
    QTest::newRow("fields over environment") << envKey << fieldsKey << QString() << fieldsKey;
    QTest::newRow("options over fields") << envKey << fieldsKey << fileKey << fileKey;
    QTest::newRow("options over environment") << envKey << QString() << fileKey << fileKey;
}

void TestCli::apiKeyPrecedence()
{
    QFETCH(QString, environmentKey);
    QFETCH(QString, documentKey);
    QFETCH(QString, optionKey);
    QFETCH(QString, expectedKey);

    m_fake->requireAuthorization("Bearer " + expectedKey.toUtf8());
    QStringList arguments = selfHosted;
    if (!documentKey.isEmpty()) {
        writeFile("fields.json", QString(R"({"credentials.password": "%1"})").arg(documentKey));
        arguments << "--fields"
                  << "%FIELDS%";
    }
    if (!optionKey.isEmpty()) {
        writeFile("api.key", optionKey);
        arguments << "--api-key-file"
                  << "%KEYFILE%";
    }
    CliRun run;
    runCli(&run, arguments, {"PREFECT_API_KEY=" + environmentKey});
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(creates(), 1);
    for (const HttpRequest &request : m_fake->http().requests())
        QCOMPARE(request.header("authorization"), "Bearer " + expectedKey.toUtf8());
}

void TestCli::fieldPrecedence_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QString>("expectedName");
    QTest::addColumn<int>("polls");

    const QStringList workspace{"--workspace", "%WORKSPACE%", "--deployment", "etl/daily"};
    const QStringList fieldsArgs{"--fields", "%FIELDS%"};
    QTest::newRow("options over environment: API URL")
        << workspace + list({"--api-url", "%API%"})
        << cloudEnvironment + list({"PREFECT_API_URL=%DECOY%", "PREFECT_ACCOUNT_ID=%ACCOUNT%"})
        << QString() << QString() << 0;
    QTest::newRow("options over environment: Cloud API URL")
        << workspace + list({"--api-url", "%API%", "--account", "%ACCOUNT%"})
        << cloudEnvironment + list({"PREFECT_API_URL=%DECOYCLOUDURL%"}) << QString() << QString()
        << 0;
    QTest::newRow("fields over environment: account")
        << workspace + fieldsArgs
        << cloudEnvironment + list({"PREFECT_API_URL=%API%", "PREFECT_ACCOUNT_ID=%OTHERACCOUNT%"})
        << R"({"credentials": {"user": "%ACCOUNT%"}})" << QString() << 0;
    QTest::newRow("options over fields: account")
        << workspace + fieldsArgs + list({"--account", "%ACCOUNT%", "--api-url", "%API%"})
        << cloudEnvironment << R"({"credentials.user": "%OTHERACCOUNT%"})" << QString() << 0;
    QTest::newRow("options over fields: deployment, name, wait")
        << list({"--api-url", "%API%", "--account", "%ACCOUNT%", "--workspace", "%WORKSPACE%",
                 "--deployment", "etl/daily", "--flow-run-name", "from-options", "--wait"})
            + fieldsArgs
        << cloudEnvironment
        << R"({"deployment_id_or_name": "etl/weekly", "flow_run_name": "from-fields",
               "wait_for_success_or_failure": "false", "polling_interval": "1",
               "workspace_id_or_name": "Nowhere"})"
        << "from-options" << 1;
    QTest::newRow("fields over defaults")
        << list({"--api-url", "%API%", "--account", "%ACCOUNT%"}) + fieldsArgs << cloudEnvironment
        << R"({"deployment_id_or_name": "etl/daily", "flow_run_name": "from-fields",
               "workspace_id_or_name": "%WORKSPACE%",
               "wait_for_success_or_failure": "true", "polling_interval": "1"})"
        << "from-fields" << 1;
}

void TestCli::fieldPrecedence()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, fields);
    QFETCH(QString, expectedName);
    QFETCH(int, polls);

    useCloud();
    m_fake->setStateScript({"SCHEDULED", "COMPLETED"});
    if (!fields.isEmpty())
        writeFile("fields.json", fields);
    CliRun run;
    runCli(&run, arguments, environment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    const QList<HttpRequest> createRequests = m_fake->requestsTo("/create_flow_run", "POST");
    QCOMPARE(createRequests.size(), 1);
    QCOMPARE(createRequests.first().path(),
             QString("%1/deployments/%2/create_flow_run").arg(workspacePrefix(), m_etlDailyId));
    if (!expectedName.isEmpty())
        QCOMPARE(m_fake->flowRun(flowRunId()).value("name").toString(), expectedName);
    QCOMPARE(flowRunReads(), polls);
    QVERIFY(m_decoy->http().requests().isEmpty());
}

void TestCli::apiKeyFileMode_data()
{
    QTest::addColumn<int>("permissions");
    QTest::addColumn<int>("exitCode");

    QTest::newRow("0600") << int(QFileDevice::ReadOwner | QFileDevice::WriteOwner) << 0;
    QTest::newRow("0400") << int(QFileDevice::ReadOwner) << 0;
    QTest::newRow("0644") << int(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                 | QFileDevice::ReadGroup | QFileDevice::ReadOther)
                          << 20;
    QTest::newRow("0640") << int(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                 | QFileDevice::ReadGroup)
                          << 20;
    QTest::newRow("0604") << int(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                 | QFileDevice::ReadOther)
                          << 20;
}

void TestCli::apiKeyFileMode()
{
    QFETCH(int, permissions);
    QFETCH(int, exitCode);

    m_fake->requireAuthorization("Bearer " + fileKey.toUtf8());
    writeFile("api.key", fileKey + '\n',
              QFileDevice::Permissions(QFileDevice::Permission(permissions)));
    CliRun run;
    runCli(&run, selfHosted + list({"--api-key-file", "%KEYFILE%"}));
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, exitCode);
    if (exitCode == 0) {
        QCOMPARE(creates(), 1);
        return;
    }
    QVERIFY2(run.statusDescription().contains("can be read by other users"),
             qPrintable(run.statusDescription()));
    QVERIFY2(m_fake->http().requests().isEmpty(), qPrintable(requestList()));
}

void TestCli::workspacesCommand_data()
{
    QTest::addColumn<bool>("isCloud");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("fields");

    const QStringList account{"workspaces", "--api-url", "%API%", "--account", "%ACCOUNT%"};
    const QStringList server{"workspaces", "--api-url", "%API%"};
    const QStringList json{"--json"};
    QTest::newRow("cloud") << true << account << cloudEnvironment << QString();
    QTest::newRow("cloud, json") << true << account + json << cloudEnvironment << QString();
    QTest::newRow("cloud, fields document")
        << true << server + list({"--fields", "%FIELDS%"}) << QStringList()
        << R"({"credentials": {"user": "%ACCOUNT%", "password": "%APIKEY%"}})";
    QTest::newRow("cloud, API URL in the environment, json")
        << true << list({"workspaces", "--json"})
        << cloudEnvironment + list({"PREFECT_API_URL=%CLOUDURL%"}) << QString();
    QTest::newRow("self-hosted") << false << server << QStringList() << QString();
    QTest::newRow("self-hosted, json") << false << server + json << QStringList() << QString();
}

void TestCli::workspacesCommand()
{
    QFETCH(bool, isCloud);
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, fields);

    if (isCloud)
        useCloud();
    if (!fields.isEmpty())
        writeFile("fields.json", fields);
    CliRun run;
    runCli(&run, arguments, environment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(m_fake->requestsTo("/me/workspaces", "GET").size(), isCloud ? 1 : 0);

    // Only the account's workspaces, not the other account's.
    const QMap<QString, QString> expected = isCloud
        ? QMap<QString, QString>{{workspaceId, "Production"}, {stagingId, "Staging"}}
        : QMap<QString, QString>();
    if (!arguments.contains("--json")) {
        QStringList names = expected.values();
        names.sort();
        QStringList lines = run.outLines();
        lines.sort();
        QCOMPARE(lines, names);
        return;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError && document.isArray(), run.out.constData());
    QMap<QString, QString> found;
    for (const QJsonValue &value : document.array())
        found.insert(value.toObject().value("id").toString(),
                     value.toObject().value("name").toString());
    QCOMPARE(document.array().size(), expected.size());
    QCOMPARE(found, expected);
}

void TestCli::deploymentsCommand_data()
{
    QTest::addColumn<bool>("isCloud");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<int>("workspaceLookups");

    const QStringList account{"deployments", "--api-url", "%API%", "--account", "%ACCOUNT%"};
    for (const bool json : {false, true}) {
        const QStringList format = json ? QStringList{"--json"} : QStringList();
        const char *suffix = json ? ", json" : "";
        QTest::addRow("self-hosted%s", suffix)
            << false << list({"deployments", "--api-url", "%API%"}) + format << QStringList() << 0;
        QTest::addRow("cloud, workspace by handle%s", suffix)
            << true << account + list({"--workspace", "prod"}) + format << cloudEnvironment << 1;
        QTest::addRow("cloud, workspace by UUID%s", suffix)
            << true << account + list({"--workspace", "%WORKSPACE%"}) + format << cloudEnvironment
            << 0;
        QTest::addRow("cloud, API key file%s", suffix)
            << true
            << account + list({"--workspace", "acme/prod", "--api-key-file", "%KEYFILE%"}) + format
            << QStringList() << 1;
        QTest::addRow("cloud, API URL in the environment%s", suffix)
            << true << list({"deployments"}) + format
            << cloudEnvironment + list({"PREFECT_API_URL=%CLOUDURL%"}) << 0;
    }
}

void TestCli::deploymentsCommand()
{
    QFETCH(bool, isCloud);
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(int, workspaceLookups);

    if (isCloud)
        useCloud();
    writeFile("api.key", apiKey);
    CliRun run;
    runCli(&run, arguments, environment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(m_fake->requestsTo("/me/workspaces", "GET").size(), workspaceLookups);
    QVERIFY(!m_fake->requestsTo(workspacePrefix() + "/deployments/filter", "POST").isEmpty());
    QCOMPARE(creates(), 0);

    const QMap<QString, QString> expected{{"etl/daily", m_etlDailyId},
                                          {"etl/hourly", m_etlHourlyId},
                                          {"reports/daily", m_reportsDailyId}};
    if (!arguments.contains("--json")) {
        QStringList lines = run.outLines();
        lines.sort();
        QCOMPARE(lines, QStringList(expected.keys()));
        return;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError && document.isArray(), run.out.constData());
    QMap<QString, QString> found;
    for (const QJsonValue &value : document.array())
        found.insert(value.toObject().value("name").toString(),
                     value.toObject().value("id").toString());
    QCOMPARE(document.array().size(), expected.size());
    QCOMPARE(found, expected);
}

void TestCli::choiceCommandErrors_data()
{
    QTest::addColumn<bool>("isCloud");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("failPath");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    const QStringList workspaces{"workspaces", "--api-url", "%API%", "--account", "%ACCOUNT%"};
    const QStringList deployments{"deployments", "--api-url", "%API%", "--account", "%ACCOUNT%"};
    QTest::newRow("workspaces without key")
        << true << workspaces << QStringList() << QString() << 20
        << "Data Validation Error: credentials.password (the Prefect Cloud API key) is required";
    QTest::newRow("workspaces, account not a UUID")
        << true << list({"workspaces", "--api-url", "%API%", "--account", "acme"})
        << cloudEnvironment << QString() << 20
        << "Data Validation Error: credentials.user must be a Prefect Cloud account id";
    QTest::newRow("workspaces, wrong key")
        << true << workspaces << list({"PREFECT_API_KEY=" + wrongKey}) << QString() << 1
        << "Execution Failed: listing workspaces: authentication failed (HTTP 401)";
    QTest::newRow("workspaces, unknown option")
        << true << workspaces + list({"--bogus"}) << cloudEnvironment << QString() << 20
        << "Data Validation Error: Unknown option 'bogus'.";
    QTest::newRow("deployments without API")
        << false << list({"deployments"}) << QStringList() << QString() << 20
        << "Data Validation Error: no Prefect API";
    QTest::newRow("deployments, cloud without workspace")
        << true << deployments << cloudEnvironment << QString() << 20
        << "Data Validation Error: workspace_id_or_name is required for Prefect Cloud";
    QTest::newRow("deployments, unknown workspace")
        << true << deployments + list({"--workspace", "Nowhere"}) << cloudEnvironment << QString()
        << 20 << "Data Validation Error: Workspace 'Nowhere' not found";
    QTest::newRow("deployments, wrong key")
        << true << deployments + list({"--workspace", "%WORKSPACE%"})
        << list({"PREFECT_API_KEY=" + wrongKey}) << QString() << 1
        << "Execution Failed: listing deployments: authentication failed (HTTP 401)";
    QTest::newRow("deployments, server error")
        << false << list({"deployments", "--api-url", "%API%"}) + noRetries << QStringList()
        << "/deployments/filter" << 1 << "Execution Failed: listing deployments: HTTP 500: boom";
}

void TestCli::choiceCommandErrors()
{
    QFETCH(bool, isCloud);
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, failPath);
    QFETCH(int, exitCode);
    QFETCH(QString, message);

    if (isCloud)
        useCloud();
    if (!failPath.isEmpty())
        failRequests(failPath, "POST", 500, QJsonObject{{"detail", "boom"}});
    CliRun run;
    runCli(&run, arguments, environment);
    QVERIFY(run.ok);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(run.out.isEmpty(), run.out.constData());
    QVERIFY2(run.err.contains(message.toUtf8()), run.err.constData());
    if (exitCode == 20 && !message.contains("Workspace"))
        QVERIFY2(m_fake->http().requests().isEmpty(), qPrintable(requestList()));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
