#include "flowrunrequest.h"
#include "taskfields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTest>

Q_DECLARE_METATYPE(TaskFields::Purpose)
Q_DECLARE_METATYPE(TaskFields::ExtensionOutputOption)

namespace {

const QString accountUuid = QStringLiteral("9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d");
const QString workspaceUuid = QStringLiteral("1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d");
const QString apiKey = QStringLiteral("pnu_TopSecretApiKey0123456789");
const QString selfHostedUrl = QStringLiteral("http://127.0.0.1:4200/api");
const QString cloudUrl = QStringLiteral("https://api.prefect.cloud/api/accounts/") + accountUuid
    + QStringLiteral("/workspaces/") + workspaceUuid;

QJsonObject parse(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON literal in the test: %s", json);
    return document.object();
}

QJsonObject with(QJsonObject base, const QJsonObject &changes)
{
    for (auto it = changes.constBegin(); it != changes.constEnd(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

QJsonObject without(QJsonObject base, const QString &key)
{
    base.remove(key);
    return base;
}

// Valid values for a self-hosted server; changes are laid on top.
QJsonObject selfHosted(const QJsonObject &changes = {})
{
    return with(QJsonObject{{"api_url", selfHostedUrl}, {"deployment_id_or_name", "etl/nightly"}},
                changes);
}

// Valid values for Prefect Cloud; changes are laid on top.
QJsonObject cloud(const QJsonObject &changes = {})
{
    return with(QJsonObject{{"credentials.user", accountUuid},
                            {"credentials.password", apiKey},
                            {"workspace_id_or_name", "production"},
                            {"deployment_id_or_name", "etl/nightly"}},
                changes);
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QProcessEnvironment environment(const QStringList &assignments)
{
    QProcessEnvironment result;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(u'=');
        result.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return result;
}

} // namespace

class TestTaskFields : public QObject
{
    Q_OBJECT

private slots:
    void invalidValues_data();
    void invalidValues();
    void booleans_data();
    void booleans();
    void positiveIntegers_data();
    void positiveIntegers();
    void extensionOutputOptions_data();
    void extensionOutputOptions();
    void validStrings_data();
    void validStrings();
    void purposes_data();
    void purposes();
    void parametersJson_data();
    void parametersJson();
    void parametersJsonIgnoredWithoutAdditionalParameters_data();
    void parametersJsonIgnoredWithoutAdditionalParameters();
    void flowRunRequestFromParametersJson_data();
    void flowRunRequestFromParametersJson();
    void flowRunRequestToJson_data();
    void flowRunRequestToJson();
    void layerFromEnvironment_data();
    void layerFromEnvironment();
    void layerFromDocument_data();
    void layerFromDocument();
    void layerFromDocumentErrors_data();
    void layerFromDocumentErrors();
    void normalizedLayer_data();
    void normalizedLayer();
    void merge_data();
    void merge();
    void layerPrecedence_data();
    void layerPrecedence();
    void layerPrecedenceCloud();
    void connection_data();
    void connection();
    void connectionFromCloudApiUrl();
    void invocationFieldsHideSecrets_data();
    void invocationFieldsHideSecrets();
    void invocationFieldsValues();
    void maskedValues_data();
    void maskedValues();
    void retryPolicy_data();
    void retryPolicy();
};

void TestTaskFields::invalidValues_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<QString>("error");

    const QString mustBeString = QStringLiteral("deployment_id_or_name must be a string, got ");
    const QString badDeployment =
        QStringLiteral("must be a UUID, flow-name/deployment-name or a deployment name");

    QTest::newRow("unsupported action")
        << selfHosted({{"action", "Prefect Cloud - Cancel Flow Run"}})
        << QStringLiteral("unsupported action 'Prefect Cloud - Cancel Flow Run'; the only action "
                          "is 'Prefect Cloud - Launch Flow Run'");
    QTest::newRow("action as a 2-element list")
        << selfHosted({{"action", QJsonArray{"Prefect Cloud - Launch Flow Run", "Other"}}})
        << QStringLiteral("action must be a single value, got 2 values");
    QTest::newRow("number for a string field")
        << selfHosted({{"deployment_id_or_name", 5}}) << mustBeString + QStringLiteral("5");
    QTest::newRow("bool for a string field")
        << selfHosted({{"deployment_id_or_name", true}}) << mustBeString + QStringLiteral("true");
    QTest::newRow("object for a string field")
        << selfHosted({{"workspace_id_or_name", QJsonObject{{"id", "x"}}}})
        << QStringLiteral("workspace_id_or_name must be a string, got {\"id\":\"x\"}");
    QTest::newRow("number for credentials.user")
        << cloud({{"credentials.user", 42}})
        << QStringLiteral("credentials.user must be a string, got 42");
    QTest::newRow("number for credentials.password")
        << cloud({{"credentials.password", 42}})
        << QStringLiteral("credentials.password must be a string");
    QTest::newRow("number for api_url")
        << selfHosted({{"api_url", 4200}}) << QStringLiteral("api_url must be a string, got 4200");
    QTest::newRow("object for a bool")
        << selfHosted({{"wait_for_success_or_failure", QJsonObject{{"a", 1}}}})
        << QStringLiteral("wait_for_success_or_failure must be true or false, got '{\"a\":1}'");
    QTest::newRow("Cloud account id not a UUID")
        << cloud({{"credentials.user", "my-account"}})
        << QStringLiteral("credentials.user must be a Prefect Cloud account id (a UUID), got "
                          "'my-account'");
    QTest::newRow("Cloud account id a UUID in braces")
        << cloud({{"credentials.user", u'{' + accountUuid + u'}'}})
        << QStringLiteral("must be a Prefect Cloud account id (a UUID)");
    QTest::newRow("Cloud without API key")
        << without(cloud(), QStringLiteral("credentials.password"))
        << QStringLiteral("credentials.password (the Prefect Cloud API key) is required with an "
                          "account id");
    QTest::newRow("Cloud with an empty API key")
        << cloud({{"credentials.password", "  "}})
        << QStringLiteral("credentials.password (the Prefect Cloud API key) is required");
    QTest::newRow("Cloud without workspace")
        << without(cloud(), QStringLiteral("workspace_id_or_name"))
        << QStringLiteral("workspace_id_or_name is required for Prefect Cloud");
    QTest::newRow("Cloud with an empty workspace")
        << cloud({{"workspace_id_or_name", ""}})
        << QStringLiteral("workspace_id_or_name is required for Prefect Cloud");
    QTest::newRow("self-hosted without api_url")
        << without(selfHosted(), QStringLiteral("api_url"))
        << QStringLiteral("no Prefect API: give an account id for Prefect Cloud, or api_url "
                          "(PREFECT_API_URL) for a self-hosted server");
    QTest::newRow("nothing at all")
        << QJsonObject() << QStringLiteral("no Prefect API: give an account id");
    QTest::newRow("api_url ftp") << selfHosted({{"api_url", "ftp://x"}})
                                 << QStringLiteral("api_url 'ftp://x' is not an http or https URL");
    QTest::newRow("api_url not a url")
        << selfHosted({{"api_url", "not a url"}})
        << QStringLiteral("api_url 'not a url' is not an http or https URL");
    QTest::newRow("api_url without host")
        << selfHosted({{"api_url", "http://"}})
        << QStringLiteral("api_url 'http://' is not an http or https URL");
    QTest::newRow("api_url with a query")
        << selfHosted({{"api_url", "http://127.0.0.1:4200/api?x=1"}})
        << QStringLiteral("api_url 'http://127.0.0.1:4200/api?x=1' must not have a query or "
                          "fragment");
    QTest::newRow("api_url with a fragment")
        << selfHosted({{"api_url", "https://prefect.example/api#top"}})
        << QStringLiteral("api_url 'https://prefect.example/api#top' must not have a query or "
                          "fragment");
    QTest::newRow("deployment missing")
        << without(selfHosted(), QStringLiteral("deployment_id_or_name"))
        << QStringLiteral("deployment_id_or_name is required");
    QTest::newRow("deployment blank") << selfHosted({{"deployment_id_or_name", "   "}})
                                      << QStringLiteral("deployment_id_or_name is required");
    QTest::newRow("deployment a/b/c")
        << selfHosted({{"deployment_id_or_name", "a/b/c"}})
        << QStringLiteral("deployment_id_or_name 'a/b/c' ") + badDeployment;
    QTest::newRow("deployment /x") << selfHosted({{"deployment_id_or_name", "/x"}})
                                   << QStringLiteral("deployment_id_or_name '/x' ") + badDeployment;
    QTest::newRow("deployment x/") << selfHosted({{"deployment_id_or_name", "x/"}})
                                   << QStringLiteral("deployment_id_or_name 'x/' ") + badDeployment;
    // Values are shown on one line, their line breaks escaped, so a value cannot forge a line
    // of the log or of UAC's status description.
    QTest::newRow("deployment with a line break")
        << selfHosted({{"deployment_id_or_name", "a/b/c\nINFO: flow run COMPLETED"}})
        << QStringLiteral("deployment_id_or_name 'a/b/c\\nINFO: flow run COMPLETED' ")
            + badDeployment;
    QTest::newRow("action with a carriage return and a line separator")
        << selfHosted({{"action", QStringLiteral("x\ry\u2028z")}})
        << QStringLiteral("unsupported action 'x\\ry\\u2028z'");
    // The password in a URL's userinfo is never echoed.
    QTest::newRow("api_url ftp with a password")
        << selfHosted({{"api_url", "ftp://admin:hunter2@example.com/api"}})
        << QStringLiteral("api_url 'ftp://example.com/api' is not an http or https URL");
    QTest::newRow("api_url unparseable with a password")
        << selfHosted({{"api_url", "http://admin:hunter2@exa mple.com:99999/api"}})
        << QStringLiteral("api_url 'http://exa mple.com:99999/api' is not an http or https URL");
    QTest::newRow("deployment as a 2-element list")
        << selfHosted({{"deployment_id_or_name", QJsonArray{"a/b", "c/d"}}})
        << QStringLiteral("deployment_id_or_name must be a single value, got 2 values");
}

void TestTaskFields::invalidValues()
{
    QFETCH(QJsonObject, values);
    QFETCH(QString, error);

    QString actual;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &actual);
    QVERIFY2(!fields, qPrintable(compact(values)));
    QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
    QVERIFY2(!actual.contains(u'\n') && !actual.contains(u'\r') && !actual.contains(QChar(0x2028)),
             qPrintable(actual));
    QVERIFY2(!actual.contains(QLatin1String("hunter2")), qPrintable(actual));
}

void TestTaskFields::booleans_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("expected");
    QTest::addColumn<QString>("error");

    for (const QString &field : {QStringLiteral("wait_for_success_or_failure"),
                                 QStringLiteral("additional_optional_parameters")}) {
        const QByteArray f = field.toLatin1();
        const QString mustBe = field + QStringLiteral(" must be true or false, got ");
        QTest::addRow("%s \"true\"", f.constData())
            << field << QJsonValue("true") << true << true << QString();
        QTest::addRow("%s \"false\"", f.constData())
            << field << QJsonValue("false") << true << false << QString();
        QTest::addRow("%s \"TRUE\"", f.constData())
            << field << QJsonValue("TRUE") << true << true << QString();
        QTest::addRow("%s \" True \"", f.constData())
            << field << QJsonValue(" True ") << true << true << QString();
        QTest::addRow("%s true", f.constData())
            << field << QJsonValue(true) << true << true << QString();
        QTest::addRow("%s false", f.constData())
            << field << QJsonValue(false) << true << false << QString();
        QTest::addRow("%s empty", f.constData())
            << field << QJsonValue("") << true << false << QString();
        QTest::addRow("%s null", f.constData())
            << field << QJsonValue() << true << false << QString();
        QTest::addRow("%s absent", f.constData())
            << field << QJsonValue(QJsonValue::Undefined) << true << false << QString();
        QTest::addRow("%s \"yes\"", f.constData())
            << field << QJsonValue("yes") << false << false << mustBe + QStringLiteral("'yes'");
        QTest::addRow("%s 1", f.constData())
            << field << QJsonValue(1) << false << false << mustBe + QStringLiteral("'1'");
        QTest::addRow("%s 0", f.constData())
            << field << QJsonValue(0) << false << false << mustBe + QStringLiteral("'0'");
        QTest::addRow("%s [true]", f.constData())
            << field << QJsonValue(QJsonArray{true}) << false << false << mustBe;
    }
}

void TestTaskFields::booleans()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(bool, valid);
    QFETCH(bool, expected);
    QFETCH(QString, error);

    QJsonObject values = selfHosted();
    values.insert(field, value); // an undefined value leaves the field out
    QCOMPARE(values.contains(field), !value.isUndefined());

    QString actual;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &actual);
    QCOMPARE(fields.has_value(), valid);
    if (!valid) {
        QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
        return;
    }
    QVERIFY2(actual.isEmpty(), qPrintable(actual));
    const bool read = field == QLatin1String("wait_for_success_or_failure")
        ? fields->wait
        : fields->additionalOptionalParameters;
    QCOMPARE(read, expected);
}

void TestTaskFields::positiveIntegers_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("error");

    struct Field
    {
        QString name;
        int defaultValue;
    };
    for (const Field &field : {Field{QStringLiteral("polling_interval"), 60},
                               Field{QStringLiteral("max_number_of_polls"), 0}}) {
        const QByteArray f = field.name.toLatin1();
        const QString mustBe = field.name + QStringLiteral(" must be an integer >= 1, got ");
        const QString name = field.name;
        QTest::addRow("%s 30", f.constData()) << name << QJsonValue(30) << true << 30 << QString();
        QTest::addRow("%s \"30\"", f.constData())
            << name << QJsonValue("30") << true << 30 << QString();
        QTest::addRow("%s \" 30 \"", f.constData())
            << name << QJsonValue(" 30 ") << true << 30 << QString();
        QTest::addRow("%s 1", f.constData()) << name << QJsonValue(1) << true << 1 << QString();
        QTest::addRow("%s 30.0", f.constData())
            << name << QJsonValue(30.0) << true << 30 << QString();
        QTest::addRow("%s empty means default", f.constData())
            << name << QJsonValue("") << true << field.defaultValue << QString();
        QTest::addRow("%s null means default", f.constData())
            << name << QJsonValue() << true << field.defaultValue << QString();
        QTest::addRow("%s absent means default", f.constData())
            << name << QJsonValue(QJsonValue::Undefined) << true << field.defaultValue << QString();
        QTest::addRow("%s 0", f.constData())
            << name << QJsonValue(0) << false << 0 << mustBe + QStringLiteral("'0'");
        QTest::addRow("%s \"0\"", f.constData())
            << name << QJsonValue("0") << false << 0 << mustBe + QStringLiteral("'0'");
        QTest::addRow("%s -1", f.constData())
            << name << QJsonValue(-1) << false << 0 << mustBe + QStringLiteral("'-1'");
        QTest::addRow("%s \"abc\"", f.constData())
            << name << QJsonValue("abc") << false << 0 << mustBe + QStringLiteral("'abc'");
        QTest::addRow("%s 1.5", f.constData())
            << name << QJsonValue(1.5) << false << 0 << mustBe + QStringLiteral("'1.5'");
        QTest::addRow("%s \"1.5\"", f.constData())
            << name << QJsonValue("1.5") << false << 0 << mustBe + QStringLiteral("'1.5'");
        QTest::addRow("%s true", f.constData())
            << name << QJsonValue(true) << false << 0 << mustBe + QStringLiteral("'true'");
        QTest::addRow("%s beyond int", f.constData())
            << name << QJsonValue(3e9) << false << 0 << mustBe;
        QTest::addRow("%s far beyond qint64", f.constData())
            << name << QJsonValue(2.1475e128) << false << 0 << mustBe;
        QTest::addRow("%s far below qint64", f.constData())
            << name << QJsonValue(-1e300) << false << 0 << mustBe;
    }
}

void TestTaskFields::positiveIntegers()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(bool, valid);
    QFETCH(int, expected);
    QFETCH(QString, error);

    QJsonObject values = selfHosted();
    values.insert(field, value);

    QString actual;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &actual);
    QCOMPARE(fields.has_value(), valid);
    if (!valid) {
        QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
        return;
    }
    const int read = field == QLatin1String("polling_interval") ? fields->pollingInterval
                                                                : fields->maxNumberOfPolls;
    QCOMPARE(read, expected);
}

void TestTaskFields::extensionOutputOptions_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<TaskFields::ExtensionOutputOption>("expected");
    QTest::addColumn<QString>("error");

    using Option = TaskFields::ExtensionOutputOption;
    const QString info = QStringLiteral("Include latest Flow Run information");
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << true << Option::None
                            << QString();
    QTest::newRow("empty") << QJsonValue("") << true << Option::None << QString();
    QTest::newRow("--None--") << QJsonValue("--None--") << true << Option::None << QString();
    QTest::newRow("[--None--]") << QJsonValue(QJsonArray{"--None--"}) << true << Option::None
                                << QString();
    QTest::newRow("flow run info") << QJsonValue(info) << true << Option::FlowRunInfo << QString();
    QTest::newRow("[flow run info]")
        << QJsonValue(QJsonArray{info}) << true << Option::FlowRunInfo << QString();
    QTest::newRow("[]") << QJsonValue(QJsonArray()) << true << Option::None << QString();
    QTest::newRow("unknown option")
        << QJsonValue("Everything") << false << Option::None
        << QStringLiteral("extension_output_options must be '--None--' or 'Include latest Flow "
                          "Run information', got 'Everything'");
    QTest::newRow("two options") << QJsonValue(QJsonArray{"--None--", info}) << false
                                 << Option::None
                                 << QStringLiteral("extension_output_options must be a single "
                                                   "value, got 2 values");
    QTest::newRow("number") << QJsonValue(1) << false << Option::None
                            << QStringLiteral("extension_output_options must be a string, got 1");
}

void TestTaskFields::extensionOutputOptions()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, valid);
    QFETCH(TaskFields::ExtensionOutputOption, expected);
    QFETCH(QString, error);

    QJsonObject values = selfHosted();
    values.insert(QStringLiteral("extension_output_options"), value);

    QString actual;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &actual);
    QCOMPARE(fields.has_value(), valid);
    if (!valid) {
        QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
        return;
    }
    QVERIFY(fields->extensionOutput == expected);
}

void TestTaskFields::validStrings_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("workspace");
    QTest::addColumn<QString>("deployment");
    QTest::addColumn<QString>("flowRunName");

    const QString launch = QStringLiteral("Prefect Cloud - Launch Flow Run");
    QTest::newRow("defaults") << selfHosted() << launch << QString()
                              << QStringLiteral("etl/nightly") << QString();
    QTest::newRow("action given") << selfHosted({{"action", launch}}) << launch << QString()
                                  << QStringLiteral("etl/nightly") << QString();
    QTest::newRow("action as one-element list")
        << selfHosted({{"action", QJsonArray{launch}}}) << launch << QString()
        << QStringLiteral("etl/nightly") << QString();
    QTest::newRow("empty action") << selfHosted({{"action", ""}}) << launch << QString()
                                  << QStringLiteral("etl/nightly") << QString();
    QTest::newRow("deployment name only")
        << selfHosted({{"deployment_id_or_name", "nightly"}}) << launch << QString()
        << QStringLiteral("nightly") << QString();
    QTest::newRow("deployment UUID") << selfHosted({{"deployment_id_or_name", workspaceUuid}})
                                     << launch << QString() << workspaceUuid << QString();
    QTest::newRow("deployment trimmed")
        << selfHosted({{"deployment_id_or_name", "  etl/nightly  "}}) << launch << QString()
        << QStringLiteral("etl/nightly") << QString();
    QTest::newRow("deployment as one-element list")
        << selfHosted({{"deployment_id_or_name", QJsonArray{"etl/nightly"}}}) << launch << QString()
        << QStringLiteral("etl/nightly") << QString();
    QTest::newRow("Cloud workspace as one-element list")
        << cloud({{"workspace_id_or_name", QJsonArray{"production"}}}) << launch
        << QStringLiteral("production") << QStringLiteral("etl/nightly") << QString();
    QTest::newRow("flow run name")
        << selfHosted({{"flow_run_name", "run from UAC"}}) << launch << QString()
        << QStringLiteral("etl/nightly") << QStringLiteral("run from UAC");
    QTest::newRow("https api_url")
        << selfHosted({{"api_url", "https://prefect.example.com/api"}}) << launch << QString()
        << QStringLiteral("etl/nightly") << QString();
}

void TestTaskFields::validStrings()
{
    QFETCH(QJsonObject, values);
    QFETCH(QString, action);
    QFETCH(QString, workspace);
    QFETCH(QString, deployment);
    QFETCH(QString, flowRunName);

    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error);
    QVERIFY2(fields, qPrintable(error));
    QCOMPARE(fields->action, action);
    QCOMPARE(fields->workspace, workspace);
    QCOMPARE(fields->deployment, deployment);
    QCOMPARE(fields->runRequest.name, flowRunName);
    QCOMPARE(fields->runRequest.toJson().value(QLatin1String("name")).toString(), flowRunName);
}

void TestTaskFields::purposes_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<TaskFields::Purpose>("purpose");
    QTest::addColumn<QString>("error"); // empty: valid

    using Purpose = TaskFields::Purpose;
    const QJsonObject bareCloud = without(without(cloud(), QStringLiteral("workspace_id_or_name")),
                                          QStringLiteral("deployment_id_or_name"));
    const QJsonObject bareSelfHosted =
        without(selfHosted(), QStringLiteral("deployment_id_or_name"));

    QTest::newRow("workspaces: no workspace, no deployment")
        << bareCloud << Purpose::ListWorkspaces << QString();
    QTest::newRow("workspaces: still needs the API key")
        << without(bareCloud, QStringLiteral("credentials.password")) << Purpose::ListWorkspaces
        << QStringLiteral("credentials.password (the Prefect Cloud API key) is required");
    QTest::newRow("workspaces: still needs a UUID account")
        << with(bareCloud, {{"credentials.user", "acme"}}) << Purpose::ListWorkspaces
        << QStringLiteral("credentials.user must be a Prefect Cloud account id");
    QTest::newRow("deployments: no deployment")
        << without(cloud(), QStringLiteral("deployment_id_or_name")) << Purpose::ListDeployments
        << QString();
    QTest::newRow("deployments: self-hosted, no deployment")
        << bareSelfHosted << Purpose::ListDeployments << QString();
    QTest::newRow("deployments: needs the workspace")
        << bareCloud << Purpose::ListDeployments
        << QStringLiteral("workspace_id_or_name is required for Prefect Cloud");
    QTest::newRow("deployments: needs an API")
        << without(bareSelfHosted, QStringLiteral("api_url")) << Purpose::ListDeployments
        << QStringLiteral("no Prefect API");
    QTest::newRow("launch: needs the deployment")
        << without(cloud(), QStringLiteral("deployment_id_or_name")) << Purpose::LaunchTask
        << QStringLiteral("deployment_id_or_name is required");
    QTest::newRow("launch: needs the workspace")
        << without(cloud(), QStringLiteral("workspace_id_or_name")) << Purpose::LaunchTask
        << QStringLiteral("workspace_id_or_name is required for Prefect Cloud");
    QTest::newRow("launch: complete") << cloud() << Purpose::LaunchTask << QString();
}

void TestTaskFields::purposes()
{
    QFETCH(QJsonObject, values);
    QFETCH(TaskFields::Purpose, purpose);
    QFETCH(QString, error);

    QString actual;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &actual, purpose);
    if (error.isEmpty()) {
        QVERIFY2(fields, qPrintable(actual));
        QCOMPARE(fields->isCloud(), values.contains(QLatin1String("credentials.user")));
    } else {
        QVERIFY(!fields);
        QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
    }
}

void TestTaskFields::parametersJson_data()
{
    QTest::addColumn<QJsonValue>("parametersJson");
    QTest::addColumn<QJsonObject>("changes");
    QTest::addColumn<QString>("error"); // empty: valid
    QTest::addColumn<QJsonObject>("body");

    const QJsonObject on{{"additional_optional_parameters", true}};
    const QString unknownKey =
        QStringLiteral("parameters_json has an unknown key 'foo'; allowed keys are parameters, "
                       "context, job_variables and tags");
    const QString tagsError = QStringLiteral("parameters_json.tags must be an array of strings");
    const QString notObject = QStringLiteral("parameters_json must be a JSON object");

    QTest::newRow("string form") << QJsonValue(R"({"parameters": {"x": 1}, "tags": ["a", "b"]})")
                                 << on << QString()
                                 << parse(R"({"parameters": {"x": 1}, "tags": ["a", "b"]})");
    QTest::newRow("object form") << QJsonValue(
        parse(R"({"parameters": {"x": 1}, "context": {"c": true},
                               "job_variables": {"image": "py:3.12"}})"))
                                 << on << QString()
                                 << parse(R"({"parameters": {"x": 1}, "context": {"c": true},
                    "job_variables": {"image": "py:3.12"}})");
    QTest::newRow("with flow run name")
        << QJsonValue(R"({"parameters": {"x": 1}})") << with(on, {{"flow_run_name", "from-uac"}})
        << QString() << parse(R"({"name": "from-uac", "parameters": {"x": 1}})");
    QTest::newRow("additional parameters as \"true\"")
        << QJsonValue(R"({"tags": ["t"]})")
        << QJsonObject{{"additional_optional_parameters", "true"}} << QString()
        << parse(R"({"tags": ["t"]})");
    QTest::newRow("empty string") << QJsonValue("") << on << QString() << QJsonObject();
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << on << QString()
                            << QJsonObject();
    QTest::newRow("empty object") << QJsonValue(QJsonObject()) << on << QString() << QJsonObject();
    QTest::newRow("not JSON") << QJsonValue("{parameters: 1") << on
                              << QStringLiteral("parameters_json is not valid JSON")
                              << QJsonObject();
    QTest::newRow("JSON array text") << QJsonValue("[1, 2]") << on << notObject << QJsonObject();
    QTest::newRow("JSON array value")
        << QJsonValue(QJsonArray{1, 2}) << on << notObject << QJsonObject();
    QTest::newRow("number") << QJsonValue(5) << on << notObject << QJsonObject();
    QTest::newRow("unknown key") << QJsonValue(R"({"foo": {}})") << on << unknownKey
                                 << QJsonObject();
    QTest::newRow("parameters not an object")
        << QJsonValue(R"({"parameters": [1]})") << on
        << QStringLiteral("parameters_json.parameters must be a JSON object") << QJsonObject();
    QTest::newRow("parameters a string")
        << QJsonValue(R"({"parameters": "x=1"})") << on
        << QStringLiteral("parameters_json.parameters must be a JSON object") << QJsonObject();
    QTest::newRow("context not an object")
        << QJsonValue(R"({"context": 5})") << on
        << QStringLiteral("parameters_json.context must be a JSON object") << QJsonObject();
    QTest::newRow("job_variables not an object")
        << QJsonValue(R"({"job_variables": true})") << on
        << QStringLiteral("parameters_json.job_variables must be a JSON object") << QJsonObject();
    QTest::newRow("tags not an array")
        << QJsonValue(R"({"tags": "a"})") << on << tagsError << QJsonObject();
    QTest::newRow("tags with a number")
        << QJsonValue(R"({"tags": ["a", 1]})") << on << tagsError << QJsonObject();
}

void TestTaskFields::parametersJson()
{
    QFETCH(QJsonValue, parametersJson);
    QFETCH(QJsonObject, changes);
    QFETCH(QString, error);
    QFETCH(QJsonObject, body);

    QJsonObject values = selfHosted(changes);
    values.insert(QStringLiteral("parameters_json"), parametersJson);

    QString actual;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &actual);
    if (!error.isEmpty()) {
        QVERIFY(!fields);
        QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
        QVERIFY2(!actual.contains(u'\n'), qPrintable(actual));
        return;
    }
    QVERIFY2(fields, qPrintable(actual));
    QVERIFY(fields->additionalOptionalParameters);
    QCOMPARE(fields->runRequest.toJson(), body);
}

void TestTaskFields::parametersJsonIgnoredWithoutAdditionalParameters_data()
{
    QTest::addColumn<QJsonValue>("additional");
    QTest::addColumn<QJsonValue>("parametersJson");

    const QList<QPair<const char *, QJsonValue>> payloads{
        {"not JSON", QJsonValue("{parameters: 1")},
        {"array", QJsonValue("[1, 2]")},
        {"unknown key", QJsonValue(R"({"foo": {}})")},
        {"valid", QJsonValue(R"({"parameters": {"x": 1}, "tags": ["a"]})")},
        {"object", QJsonValue(parse(R"({"parameters": {"x": 1}})"))},
    };
    for (const auto &[name, payload] : payloads) {
        QTest::addRow("false, %s", name) << QJsonValue(false) << payload;
        QTest::addRow("\"false\", %s", name) << QJsonValue("false") << payload;
        QTest::addRow("absent, %s", name) << QJsonValue(QJsonValue::Undefined) << payload;
    }
}

void TestTaskFields::parametersJsonIgnoredWithoutAdditionalParameters()
{
    QFETCH(QJsonValue, additional);
    QFETCH(QJsonValue, parametersJson);

    QJsonObject values = selfHosted({{"flow_run_name", "plain"}});
    values.insert(QStringLiteral("additional_optional_parameters"), additional);
    values.insert(QStringLiteral("parameters_json"), parametersJson);

    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error);
    QVERIFY2(fields, qPrintable(error));
    QVERIFY(!fields->additionalOptionalParameters);
    QCOMPARE(fields->runRequest.toJson(), (QJsonObject{{"name", "plain"}}));
}

void TestTaskFields::flowRunRequestFromParametersJson_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("error"); // empty: valid
    QTest::addColumn<QJsonObject>("body");

    const QString tagsError = QStringLiteral("parameters_json.tags must be an array of strings");
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << QString() << QJsonObject();
    QTest::newRow("null") << QJsonValue() << QString() << QJsonObject();
    QTest::newRow("empty string") << QJsonValue("") << QString() << QJsonObject();
    QTest::newRow("blank string") << QJsonValue(" \n\t ") << QString() << QJsonObject();
    QTest::newRow("all keys as text")
        << QJsonValue(R"({"parameters": {"n": 3, "s": "x"}, "context": {"k": "v"},
                          "job_variables": {"env": {"A": "1"}}, "tags": ["one", "two"]})")
        << QString() << parse(R"({"parameters": {"n": 3, "s": "x"}, "context": {"k": "v"},
                    "job_variables": {"env": {"A": "1"}}, "tags": ["one", "two"]})");
    QTest::newRow("all keys as object")
        << QJsonValue(parse(R"({"parameters": {"n": 3}, "context": {"k": "v"},
                                "job_variables": {"cpu": 2}, "tags": ["one"]})"))
        << QString() << parse(R"({"parameters": {"n": 3}, "context": {"k": "v"},
                    "job_variables": {"cpu": 2}, "tags": ["one"]})");
    QTest::newRow("empty parts are not sent")
        << QJsonValue(R"({"parameters": {}, "context": {}, "job_variables": {}, "tags": []})")
        << QString() << QJsonObject();
    QTest::newRow("null parts are accepted")
        << QJsonValue(R"({"parameters": null, "tags": null})") << QString() << QJsonObject();
    QTest::newRow("not JSON") << QJsonValue("{\"parameters\": ")
                              << QStringLiteral("parameters_json is not valid JSON")
                              << QJsonObject();
    QTest::newRow("JSON array") << QJsonValue("[{}]")
                                << QStringLiteral("parameters_json must be a JSON object")
                                << QJsonObject();
    // Not an object either way, whether the JSON parser takes a bare string or not.
    QTest::newRow("JSON string") << QJsonValue("\"text\"") << QStringLiteral("parameters_json ")
                                 << QJsonObject();
    QTest::newRow("bool value") << QJsonValue(true)
                                << QStringLiteral("parameters_json must be a JSON object")
                                << QJsonObject();
    QTest::newRow("unknown key") << QJsonValue(R"({"parameters": {}, "name": "x"})")
                                 << QStringLiteral("parameters_json has an unknown key 'name'")
                                 << QJsonObject();
    QTest::newRow("parameters not an object")
        << QJsonValue(R"({"parameters": 1})")
        << QStringLiteral("parameters_json.parameters must be a JSON object") << QJsonObject();
    QTest::newRow("tags not an array")
        << QJsonValue(R"({"tags": {"a": 1}})") << tagsError << QJsonObject();
    QTest::newRow("tags with a number")
        << QJsonValue(R"({"tags": [1]})") << tagsError << QJsonObject();
    QTest::newRow("tags with null")
        << QJsonValue(R"({"tags": ["a", null]})") << tagsError << QJsonObject();
}

void TestTaskFields::flowRunRequestFromParametersJson()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, error);
    QFETCH(QJsonObject, body);

    QString actual;
    const std::optional<FlowRunRequest> request =
        FlowRunRequest::fromParametersJson(value, &actual);
    if (!error.isEmpty()) {
        QVERIFY(!request);
        QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
        QVERIFY2(!actual.contains(u'\n'), qPrintable(actual));
        return;
    }
    QVERIFY2(request, qPrintable(actual));
    QCOMPARE(request->toJson(), body);
    QVERIFY(request->name.isEmpty());
    QVERIFY(request->idempotencyKey.isEmpty());
}

void TestTaskFields::flowRunRequestToJson_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QJsonObject>("parameters");
    QTest::addColumn<QJsonObject>("context");
    QTest::addColumn<QJsonObject>("jobVariables");
    QTest::addColumn<QStringList>("tags");
    QTest::addColumn<QString>("idempotencyKey");
    QTest::addColumn<QJsonObject>("expected");

    const QJsonObject none;
    QTest::newRow("nothing") << QString() << none << none << none << QStringList() << QString()
                             << QJsonObject();
    QTest::newRow("empty name omitted")
        << QString("") << QJsonObject{{"x", 1}} << none << none << QStringList() << QString()
        << parse(R"({"parameters": {"x": 1}})");
    QTest::newRow("name only") << QStringLiteral("my run") << none << none << none << QStringList()
                               << QString() << parse(R"({"name": "my run"})");
    QTest::newRow("tags only") << QString() << none << none << none
                               << QStringList{QStringLiteral("a"), QStringLiteral("b")} << QString()
                               << parse(R"({"tags": ["a", "b"]})");
    QTest::newRow("idempotency key")
        << QString() << none << none << none << QStringList() << QStringLiteral("uac-123")
        << parse(R"({"idempotency_key": "uac-123"})");
    QTest::newRow("everything")
        << QStringLiteral("r") << QJsonObject{{"p", true}} << QJsonObject{{"c", 1}}
        << QJsonObject{{"j", "v"}} << QStringList{QStringLiteral("t")} << QStringLiteral("k")
        << parse(R"({"name": "r", "parameters": {"p": true}, "context": {"c": 1},
                    "job_variables": {"j": "v"}, "tags": ["t"], "idempotency_key": "k"})");
    QTest::newRow("parameter with a null value is kept")
        << QString() << QJsonObject{{"x", QJsonValue()}} << none << none << QStringList()
        << QString() << parse(R"({"parameters": {"x": null}})");
}

void TestTaskFields::flowRunRequestToJson()
{
    QFETCH(QString, name);
    QFETCH(QJsonObject, parameters);
    QFETCH(QJsonObject, context);
    QFETCH(QJsonObject, jobVariables);
    QFETCH(QStringList, tags);
    QFETCH(QString, idempotencyKey);
    QFETCH(QJsonObject, expected);

    FlowRunRequest request;
    request.name = name;
    request.parameters = parameters;
    request.context = context;
    request.jobVariables = jobVariables;
    request.tags = tags;
    request.idempotencyKey = idempotencyKey;
    QCOMPARE(request.toJson(), expected);
}

void TestTaskFields::layerFromEnvironment_data()
{
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("empty") << QStringList() << QJsonObject();
    QTest::newRow("unrelated variables")
        << QStringList{QStringLiteral("PATH=/usr/bin"), QStringLiteral("PREFECT_HOME=/tmp")}
        << QJsonObject();
    QTest::newRow("self-hosted url")
        << QStringList{QStringLiteral("PREFECT_API_URL=") + selfHostedUrl}
        << QJsonObject{{"api_url", selfHostedUrl}};
    QTest::newRow("url trimmed") << QStringList{QStringLiteral("PREFECT_API_URL=  ") + selfHostedUrl
                                                + QStringLiteral(" ")}
                                 << QJsonObject{{"api_url", selfHostedUrl}};
    QTest::newRow("account and key")
        << QStringList{QStringLiteral("PREFECT_ACCOUNT_ID=") + accountUuid,
                       QStringLiteral("PREFECT_API_KEY=") + apiKey}
        << QJsonObject{{"credentials.user", accountUuid}, {"credentials.password", apiKey}};
    QTest::newRow("auth string") << QStringList{QStringLiteral(
        "PREFECT_API_AUTH_STRING=admin:pass")}
                                 << QJsonObject{{"api_auth_string", "admin:pass"}};
    QTest::newRow("empty values are not set")
        << QStringList{QStringLiteral("PREFECT_API_KEY="), QStringLiteral("PREFECT_API_URL=")}
        << QJsonObject();
    QTest::newRow("Cloud url gives account and workspace")
        << QStringList{QStringLiteral("PREFECT_API_URL=") + cloudUrl,
                       QStringLiteral("PREFECT_API_KEY=") + apiKey}
        << QJsonObject{{"api_url", cloudUrl},
                       {"credentials.user", accountUuid},
                       {"credentials.password", apiKey},
                       {"workspace_id_or_name", workspaceUuid}};
    QTest::newRow("account id wins over the Cloud url")
        << QStringList{QStringLiteral("PREFECT_API_URL=") + cloudUrl,
                       QStringLiteral("PREFECT_ACCOUNT_ID=0f0f0f0f-0000-4000-8000-000000000000")}
        << QJsonObject{{"api_url", cloudUrl},
                       {"credentials.user", "0f0f0f0f-0000-4000-8000-000000000000"},
                       {"workspace_id_or_name", workspaceUuid}};
}

void TestTaskFields::layerFromEnvironment()
{
    QFETCH(QStringList, environment);
    QFETCH(QJsonObject, expected);

    QCOMPARE(TaskFields::layerFromEnvironment(::environment(environment)), expected);
}

void TestTaskFields::layerFromDocument_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("empty object") << QByteArray("{}") << QJsonObject();
    QTest::newRow("flat fields")
        << QByteArray(R"({"deployment_id_or_name": "a/b", "polling_interval": "5"})")
        << parse(R"({"deployment_id_or_name": "a/b", "polling_interval": "5"})");
    QTest::newRow("nested credentials flattened")
        << QByteArray(R"({"credentials": {"user": "u", "password": "p"},
                          "wait_for_success_or_failure": true})")
        << parse(R"({"credentials.user": "u", "credentials.password": "p",
                    "wait_for_success_or_failure": true})");
    QTest::newRow("nested password only") << QByteArray(R"({"credentials": {"password": "p"}})")
                                          << parse(R"({"credentials.password": "p"})");
    QTest::newRow("null credentials") << QByteArray(R"({"credentials": null})") << QJsonObject();
    QTest::newRow("flat beats nested")
        << QByteArray(R"({"credentials": {"user": "nested"}, "credentials.user": "flat"})")
        << parse(R"({"credentials.user": "flat"})");
    QTest::newRow("Cloud url") << (QByteArray(R"({"api_url": ")") + cloudUrl.toUtf8()
                                   + QByteArray(R"("})"))
                               << QJsonObject{{"api_url", cloudUrl},
                                              {"credentials.user", accountUuid},
                                              {"workspace_id_or_name", workspaceUuid}};
    QTest::newRow("Cloud url, workspace given")
        << (QByteArray(R"({"workspace_id_or_name": "prod", "api_url": ")") + cloudUrl.toUtf8()
            + QByteArray(R"("})"))
        << QJsonObject{{"api_url", cloudUrl},
                       {"credentials.user", accountUuid},
                       {"workspace_id_or_name", "prod"}};
    QTest::newRow("Cloud url, nested user given")
        << (QByteArray(R"({"credentials": {"user": "acct"}, "api_url": ")") + cloudUrl.toUtf8()
            + QByteArray(R"("})"))
        << QJsonObject{{"api_url", cloudUrl},
                       {"credentials.user", "acct"},
                       {"workspace_id_or_name", workspaceUuid}};
}

void TestTaskFields::layerFromDocument()
{
    QFETCH(QByteArray, document);
    QFETCH(QJsonObject, expected);

    QString error;
    const std::optional<QJsonObject> layer = TaskFields::layerFromDocument(document, &error);
    QVERIFY2(layer, qPrintable(error));
    QCOMPARE(*layer, expected);
    QVERIFY(!layer->contains(QLatin1String("credentials")));
}

void TestTaskFields::layerFromDocumentErrors_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("error");

    const QString notObject =
        QStringLiteral("the fields document must be a JSON object keyed by field name");
    const QString badCredentials =
        QStringLiteral("credentials must be an object with user and password");
    QTest::newRow("not JSON") << QByteArray("{\"action\": ")
                              << QStringLiteral("the fields document is not valid JSON");
    QTest::newRow("garbage") << QByteArray("action=launch")
                             << QStringLiteral("the fields document is not valid JSON");
    QTest::newRow("array") << QByteArray("[{}]") << notObject;
    QTest::newRow("credentials a string")
        << QByteArray(R"({"credentials": "u:p"})") << badCredentials;
    QTest::newRow("credentials a list")
        << QByteArray(R"({"credentials": ["u", "p"]})") << badCredentials;
}

void TestTaskFields::layerFromDocumentErrors()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, error);

    QString actual;
    QVERIFY(!TaskFields::layerFromDocument(document, &actual));
    QVERIFY2(actual.contains(error), qPrintable(QStringLiteral("got: ") + actual));
    QVERIFY2(!actual.contains(u'\n'), qPrintable(actual));
}

void TestTaskFields::normalizedLayer_data()
{
    QTest::addColumn<QJsonObject>("layer");
    QTest::addColumn<QJsonObject>("expected");

    const QString slashUrl = cloudUrl + u'/';
    QTest::newRow("empty") << QJsonObject() << QJsonObject();
    QTest::newRow("Cloud url") << QJsonObject{{"api_url", cloudUrl}}
                               << QJsonObject{{"api_url", cloudUrl},
                                              {"credentials.user", accountUuid},
                                              {"workspace_id_or_name", workspaceUuid}};
    QTest::newRow("Cloud url, trailing slash")
        << QJsonObject{{"api_url", slashUrl}}
        << QJsonObject{{"api_url", slashUrl},
                       {"credentials.user", accountUuid},
                       {"workspace_id_or_name", workspaceUuid}};
    QTest::newRow("Cloud url, user given")
        << QJsonObject{{"api_url", cloudUrl}, {"credentials.user", "other"}}
        << QJsonObject{{"api_url", cloudUrl},
                       {"credentials.user", "other"},
                       {"workspace_id_or_name", workspaceUuid}};
    QTest::newRow("Cloud url, workspace given")
        << QJsonObject{{"api_url", cloudUrl}, {"workspace_id_or_name", "staging"}}
        << QJsonObject{{"api_url", cloudUrl},
                       {"credentials.user", accountUuid},
                       {"workspace_id_or_name", "staging"}};
    QTest::newRow("self-hosted url")
        << QJsonObject{{"api_url", selfHostedUrl}} << QJsonObject{{"api_url", selfHostedUrl}};
    QTest::newRow("url below a workspace")
        << QJsonObject{{"api_url", cloudUrl + QStringLiteral("/deployments")}}
        << QJsonObject{{"api_url", cloudUrl + QStringLiteral("/deployments")}};
    QTest::newRow("nested credentials")
        << QJsonObject{{"credentials", QJsonObject{{"user", "u"}, {"password", "p"}}}}
        << QJsonObject{{"credentials.user", "u"}, {"credentials.password", "p"}};
}

void TestTaskFields::normalizedLayer()
{
    QFETCH(QJsonObject, layer);
    QFETCH(QJsonObject, expected);

    QCOMPARE(TaskFields::normalizedLayer(layer), expected);
}

void TestTaskFields::merge_data()
{
    QTest::addColumn<QList<QJsonObject>>("layers");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("no layers") << QList<QJsonObject>() << QJsonObject();
    QTest::newRow("one layer") << QList<QJsonObject>{parse(R"({"a": 1})")} << parse(R"({"a": 1})");
    QTest::newRow("later wins key by key")
        << QList<QJsonObject>{parse(R"({"a": 1, "b": 1})"), parse(R"({"b": 2, "c": 2})"),
                              parse(R"({"c": 3})")}
        << parse(R"({"a": 1, "b": 2, "c": 3})");
    // UAC sends empty fields: an empty later value means "not given", not "clear it".
    QTest::newRow("later empty string does not override")
        << QList<QJsonObject>{parse(R"({"a": "x"})"), parse(R"({"a": ""})")}
        << parse(R"({"a": "x"})");
    QTest::newRow("later null and empty list do not override")
        << QList<QJsonObject>{parse(R"({"a": "x", "b": ["y"]})"), parse(R"({"a": null, "b": []})")}
        << parse(R"({"a": "x", "b": ["y"]})");
    QTest::newRow("empty value with nothing earlier is kept")
        << QList<QJsonObject>{parse(R"({"a": ""})")} << parse(R"({"a": ""})");
}

void TestTaskFields::merge()
{
    QFETCH(QList<QJsonObject>, layers);
    QFETCH(QJsonObject, expected);

    QCOMPARE(TaskFields::merge(layers), expected);
}

void TestTaskFields::layerPrecedence_data()
{
    // Each column: the value that layer gives, empty when it gives none.
    QTest::addColumn<QString>("environment");
    QTest::addColumn<QString>("document");
    QTest::addColumn<QString>("options");
    QTest::addColumn<QString>("expected");

    const QString env = QStringLiteral("http://env.example:4200/api");
    const QString doc = QStringLiteral("http://doc.example:4200/api");
    const QString opt = QStringLiteral("http://opt.example:4200/api");
    QTest::newRow("environment only") << env << QString() << QString() << env;
    QTest::newRow("document over environment") << env << doc << QString() << doc;
    QTest::newRow("options over environment") << env << QString() << opt << opt;
    QTest::newRow("options over document") << QString() << doc << opt << opt;
    QTest::newRow("options over both") << env << doc << opt << opt;
    QTest::newRow("document only") << QString() << doc << QString() << doc;
}

void TestTaskFields::layerPrecedence()
{
    QFETCH(QString, environment);
    QFETCH(QString, document);
    QFETCH(QString, options);
    QFETCH(QString, expected);

    QStringList variables{QStringLiteral("PREFECT_API_KEY=env-key")};
    if (!environment.isEmpty())
        variables << QStringLiteral("PREFECT_API_URL=") + environment;
    const QJsonObject environmentLayer = TaskFields::layerFromEnvironment(::environment(variables));

    QJsonObject documentObject{{"deployment_id_or_name", "doc/deployment"},
                               {"credentials", QJsonObject{{"password", "doc-key"}}}};
    if (!document.isEmpty())
        documentObject.insert(QStringLiteral("api_url"), document);
    QString error;
    const std::optional<QJsonObject> documentLayer =
        TaskFields::layerFromDocument(QJsonDocument(documentObject).toJson(), &error);
    QVERIFY2(documentLayer, qPrintable(error));

    QJsonObject optionsLayer{{"deployment_id_or_name", "opt/deployment"}};
    if (!options.isEmpty())
        optionsLayer.insert(QStringLiteral("api_url"), options);
    optionsLayer = TaskFields::normalizedLayer(optionsLayer);

    const QJsonObject merged = TaskFields::merge({environmentLayer, *documentLayer, optionsLayer});
    const std::optional<TaskFields> fields = TaskFields::fromValues(merged, &error);
    QVERIFY2(fields, qPrintable(error));
    QCOMPARE(fields->apiUrl, QUrl(expected));
    QCOMPARE(fields->connection().apiBase(), QUrl(expected));
    QCOMPARE(fields->deployment, QStringLiteral("opt/deployment"));
    QCOMPARE(fields->apiKey, QStringLiteral("doc-key"));
}

void TestTaskFields::layerPrecedenceCloud()
{
    // The environment names account and workspace through PREFECT_API_URL; the document picks
    // another workspace by name and the options another key.
    const QJsonObject environmentLayer =
        TaskFields::layerFromEnvironment(environment({QStringLiteral("PREFECT_API_URL=") + cloudUrl,
                                                      QStringLiteral("PREFECT_API_KEY=env-key")}));
    QString error;
    const std::optional<QJsonObject> documentLayer = TaskFields::layerFromDocument(
        R"({"workspace_id_or_name": "staging", "deployment_id_or_name": "etl/nightly",
            "credentials": {"password": "doc-key"}})",
        &error);
    QVERIFY2(documentLayer, qPrintable(error));
    const QJsonObject optionsLayer =
        TaskFields::normalizedLayer(QJsonObject{{"credentials.password", "opt-key"}});

    const std::optional<TaskFields> fields = TaskFields::fromValues(
        TaskFields::merge({environmentLayer, *documentLayer, optionsLayer}), &error);
    QVERIFY2(fields, qPrintable(error));
    QVERIFY(fields->isCloud());
    QCOMPARE(fields->accountId, accountUuid);
    QCOMPARE(fields->workspace, QStringLiteral("staging"));
    QCOMPARE(fields->apiKey, QStringLiteral("opt-key"));
    const Connection connection = fields->connection();
    QCOMPARE(connection.apiBase(), QUrl(QStringLiteral("https://api.prefect.cloud/api")));
    QCOMPARE(connection.accountId(), accountUuid);
    QVERIFY(connection.workspaceId().isEmpty()); // a name: resolved later, not guessed here
    QCOMPARE(connection.request(connection.endpoint({})).rawHeader("Authorization"),
             QByteArray("Bearer opt-key"));
}

void TestTaskFields::connection_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<QUrl>("apiBase");
    QTest::addColumn<QString>("accountId");
    QTest::addColumn<QString>("workspaceId");
    QTest::addColumn<QByteArray>("authorization");

    const QByteArray bearer = "Bearer " + apiKey.toUtf8();
    QTest::newRow("self-hosted, no auth")
        << selfHosted() << QUrl(selfHostedUrl) << QString() << QString() << QByteArray();
    QTest::newRow("self-hosted, key") << selfHosted({{"credentials.password", apiKey}})
                                      << QUrl(selfHostedUrl) << QString() << QString() << bearer;
    QTest::newRow("self-hosted, basic auth")
        << selfHosted({{"api_auth_string", "admin:s3cret"}}) << QUrl(selfHostedUrl) << QString()
        << QString() << QByteArray("Basic " + QByteArray("admin:s3cret").toBase64());
    QTest::newRow("self-hosted, key beats basic auth")
        << selfHosted({{"credentials.password", apiKey}, {"api_auth_string", "admin:s3cret"}})
        << QUrl(selfHostedUrl) << QString() << QString() << bearer;
    QTest::newRow("Cloud, workspace UUID") << cloud({{"workspace_id_or_name", workspaceUuid}})
                                           << QUrl(QStringLiteral("https://api.prefect.cloud/api"))
                                           << accountUuid << workspaceUuid << bearer;
    QTest::newRow("Cloud, workspace name")
        << cloud() << QUrl(QStringLiteral("https://api.prefect.cloud/api")) << accountUuid
        << QString() << bearer;
    QTest::newRow("Cloud, own API base") << cloud(
        {{"api_url", "https://cloud.example.com/api"}, {"workspace_id_or_name", workspaceUuid}})
                                         << QUrl(QStringLiteral("https://cloud.example.com/api"))
                                         << accountUuid << workspaceUuid << bearer;
    QTest::newRow("Cloud, full workspace url") << TaskFields::normalizedLayer(QJsonObject{
        {"api_url",
         QStringLiteral("https://cloud.example.com/api/accounts/") + accountUuid
             + QStringLiteral("/workspaces/") + workspaceUuid},
        {"credentials.password", apiKey},
        {"deployment_id_or_name", "f/d"}}) << QUrl(QStringLiteral("https://cloud.example.com/api"))
                                               << accountUuid << workspaceUuid << bearer;
}

void TestTaskFields::connection()
{
    QFETCH(QJsonObject, values);
    QFETCH(QUrl, apiBase);
    QFETCH(QString, accountId);
    QFETCH(QString, workspaceId);
    QFETCH(QByteArray, authorization);

    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error);
    QVERIFY2(fields, qPrintable(error));
    const Connection connection = fields->connection();
    QCOMPARE(connection.apiBase(), apiBase);
    QCOMPARE(connection.accountId(), accountId);
    QCOMPARE(connection.isCloud(), !accountId.isEmpty());
    QCOMPARE(fields->isCloud(), !accountId.isEmpty());
    QCOMPARE(connection.workspaceId(), workspaceId);
    const QNetworkRequest request = connection.request(connection.endpoint({}));
    QCOMPARE(request.rawHeader("Authorization"), authorization);
}

void TestTaskFields::connectionFromCloudApiUrl()
{
    // Only the URL and the key: the URL names account and workspace.
    const QJsonObject layer =
        TaskFields::normalizedLayer(QJsonObject{{"api_url", cloudUrl},
                                                {"credentials.password", apiKey},
                                                {"deployment_id_or_name", "etl/nightly"}});
    QCOMPARE(layer.value(QLatin1String("credentials.user")).toString(), accountUuid);
    QCOMPARE(layer.value(QLatin1String("workspace_id_or_name")).toString(), workspaceUuid);

    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(layer, &error);
    QVERIFY2(fields, qPrintable(error));
    QVERIFY(fields->isCloud());
    QCOMPARE(fields->accountId, accountUuid);
    QCOMPARE(fields->workspace, workspaceUuid);
    const Connection connection = fields->connection();
    QCOMPARE(connection.apiBase(), QUrl(QStringLiteral("https://api.prefect.cloud/api")));
    QCOMPARE(connection.accountId(), accountUuid);
    QCOMPARE(connection.workspaceId(), workspaceUuid);
    QCOMPARE(connection.endpoint({QStringLiteral("flow_runs"), QStringLiteral("x")}),
             QUrl(cloudUrl + QStringLiteral("/flow_runs/x")));
}

void TestTaskFields::invocationFieldsHideSecrets_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<QStringList>("secrets");
    QTest::addColumn<QJsonValue>("password"); // "****" when there is a key, null otherwise

    const QJsonValue masked(QStringLiteral("****"));
    const QJsonValue none(QJsonValue::Null);
    QTest::newRow("Cloud key") << cloud() << QStringList{apiKey} << masked;
    QTest::newRow("Cloud key with blanks")
        << cloud({{"credentials.password", QStringLiteral("  ") + apiKey + QStringLiteral(" ")}})
        << QStringList{apiKey} << masked;
    QTest::newRow("self-hosted key")
        << selfHosted({{"credentials.password", apiKey}}) << QStringList{apiKey} << masked;
    QTest::newRow("basic auth") << selfHosted({{"api_auth_string", "admin:Basic5ecret"}})
                                << QStringList{QStringLiteral("Basic5ecret"),
                                               QString::fromLatin1(
                                                   QByteArray("admin:Basic5ecret").toBase64())}
                                << none;
    QTest::newRow("password in the url")
        << selfHosted({{"api_url", "http://admin:Url5ecret@127.0.0.1:4200/api"}})
        << QStringList{QStringLiteral("Url5ecret")} << none;
    QTest::newRow("Cloud key and a full workspace url") << TaskFields::normalizedLayer(QJsonObject{
        {"api_url", cloudUrl}, {"credentials.password", apiKey}, {"deployment_id_or_name", "a/b"}})
                                                        << QStringList{apiKey} << masked;
}

void TestTaskFields::invocationFieldsHideSecrets()
{
    QFETCH(QJsonObject, values);
    QFETCH(QStringList, secrets);
    QFETCH(QJsonValue, password);

    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error);
    QVERIFY2(fields, qPrintable(error));
    const QJsonObject invocation = fields->invocationFields();
    const QString text = compact(invocation);
    for (const QString &secret : secrets)
        QVERIFY2(!text.contains(secret), qPrintable(text));
    const QJsonObject credentials = invocation.value(QLatin1String("credentials")).toObject();
    QCOMPARE(credentials.value(QLatin1String("password")), password);
    const QJsonValue user = values.value(QLatin1String("credentials.user"));
    QCOMPARE(credentials.value(QLatin1String("user")),
             user.isUndefined() ? QJsonValue(QJsonValue::Null) : user);
    QVERIFY(!invocation.contains(QLatin1String("credentials.password")));
    QVERIFY(!invocation.contains(QLatin1String("api_auth_string")));
}

void TestTaskFields::invocationFieldsValues()
{
    const QJsonObject values =
        cloud({{"flow_run_name", "nightly from UAC"},
               {"additional_optional_parameters", "true"},
               {"parameters_json", R"({"parameters": {"x": 1}})"},
               {"wait_for_success_or_failure", "true"},
               {"polling_interval", "15"},
               {"extension_output_options", QJsonArray{"Include latest Flow Run information"}}});
    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error);
    QVERIFY2(fields, qPrintable(error));
    const QJsonObject invocation = fields->invocationFields();

    QCOMPARE(invocation.value(QLatin1String("action")).toString(),
             QStringLiteral("Prefect Cloud - Launch Flow Run"));
    QCOMPARE(invocation.value(QLatin1String("credentials")).toObject(),
             (QJsonObject{{"user", accountUuid}, {"password", "****"}}));
    QCOMPARE(invocation.value(QLatin1String("workspace_id_or_name")).toString(),
             QStringLiteral("production"));
    QCOMPARE(invocation.value(QLatin1String("deployment_id_or_name")).toString(),
             QStringLiteral("etl/nightly"));
    QCOMPARE(invocation.value(QLatin1String("flow_run_name")).toString(),
             QStringLiteral("nightly from UAC"));
    QCOMPARE(invocation.value(QLatin1String("additional_optional_parameters")), QJsonValue(true));
    QCOMPARE(invocation.value(QLatin1String("parameters_json")),
             QJsonValue(R"({"parameters": {"x": 1}})"));
    QCOMPARE(invocation.value(QLatin1String("wait_for_success_or_failure")), QJsonValue(true));
    QCOMPARE(invocation.value(QLatin1String("polling_interval")).toInt(), 15);
    QVERIFY(invocation.value(QLatin1String("max_number_of_polls")).isNull());
    QCOMPARE(invocation.value(QLatin1String("extension_output_options")).toString(),
             QStringLiteral("Include latest Flow Run information"));
}

void TestTaskFields::maskedValues_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("nothing to mask") << parse(R"({"deployment_id_or_name": "a/b"})")
                                     << parse(R"({"deployment_id_or_name": "a/b"})");
    QTest::newRow("password")
        << QJsonObject{{"credentials.user", accountUuid},
                       {"credentials.password", apiKey},
                       {"polling_interval", "abc"}}
        << QJsonObject{{"credentials", QJsonObject{{"user", accountUuid}, {"password", "****"}}},
                       {"polling_interval", "abc"}};
    QTest::newRow("password of the wrong type")
        << QJsonObject{{"credentials.password", 12345}}
        << QJsonObject{{"credentials", QJsonObject{{"password", "****"}}}};
    QTest::newRow("user only") << QJsonObject{{"credentials.user", "u"}}
                               << QJsonObject{{"credentials", QJsonObject{{"user", "u"}}}};
    QTest::newRow("auth string") << QJsonObject{{"api_auth_string", "admin:s3cret"},
                                                {"api_url", selfHostedUrl}}
                                 << QJsonObject{{"api_auth_string", "****"},
                                                {"api_url", selfHostedUrl}};
    QTest::newRow("password in api_url")
        << QJsonObject{{"api_url", "http://admin:s3cret@127.0.0.1:4200/api"}}
        << QJsonObject{{"api_url", "http://admin:****@127.0.0.1:4200/api"}};
    QTest::newRow("password in an api_url that is not a URL")
        << QJsonObject{{"api_url", "ftp://admin:s3cret@exa mple/api"}}
        << QJsonObject{{"api_url", "ftp://admin:****@exa mple/api"}};
    QTest::newRow("user but no password in api_url")
        << QJsonObject{{"api_url", "http://admin@127.0.0.1:4200/api"}}
        << QJsonObject{{"api_url", "http://admin@127.0.0.1:4200/api"}};
    QTest::newRow("empty") << QJsonObject() << QJsonObject();
}

void TestTaskFields::maskedValues()
{
    QFETCH(QJsonObject, values);
    QFETCH(QJsonObject, expected);

    const QJsonObject masked = TaskFields::maskedValues(values);
    QCOMPARE(masked, expected);
    const QString text = compact(masked);
    QVERIFY2(!text.contains(apiKey), qPrintable(text));
    QVERIFY2(!text.contains(QLatin1String("s3cret")), qPrintable(text));
    QVERIFY2(!text.contains(QLatin1String("12345")), qPrintable(text));
}

void TestTaskFields::retryPolicy_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<int>("maxRetries");
    QTest::addColumn<qint64>("maxTotalMs");

    QTest::newRow("defaults") << selfHosted() << 5 << qint64(120000);
    QTest::newRow("set") << selfHosted({{"max_retries", 0}, {"retry_max_seconds", "30"}}) << 0
                         << qint64(30000);
    // Past what fits in an int of milliseconds.
    QTest::newRow("24 days and more")
        << selfHosted({{"retry_max_seconds", 2147484}}) << 5 << qint64(2147484000);
}

void TestTaskFields::retryPolicy()
{
    QFETCH(QJsonObject, values);
    QFETCH(int, maxRetries);
    QFETCH(qint64, maxTotalMs);

    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error);
    QVERIFY2(fields, qPrintable(error));
    const RetryPolicy policy = fields->retryPolicy();
    QCOMPARE(policy.maxRetries, maxRetries);
    QCOMPARE(policy.maxTotalMs, maxTotalMs);
}

QTEST_GUILESS_MAIN(TestTaskFields)
#include "tst_taskfields.moc"
