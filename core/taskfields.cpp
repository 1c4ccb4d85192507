#include "taskfields.h"

#include "jsondocument.h"
#include "messagetext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace {

const QString masked = QStringLiteral("****");

// Where a URL's userinfo ("user:password@") is in its text, or {-1, -1}: read from the text
// itself, since the URL may be one that QUrl refuses and the password must not show then either.
std::pair<qsizetype, qsizetype> userInfoSpan(const QString &url)
{
    const qsizetype slashes = url.indexOf(QLatin1String("//"));
    const qsizetype start = slashes < 0 ? 0 : slashes + 2;
    qsizetype end = url.size();
    for (const QChar delimiter : {u'/', u'?', u'#'}) {
        const qsizetype at = url.indexOf(delimiter, start);
        if (at >= 0)
            end = std::min(end, at);
    }
    if (end <= start)
        return {-1, -1};
    const qsizetype at = url.lastIndexOf(u'@', end - 1);
    if (at < start)
        return {-1, -1};
    return {start, at + 1};
}

QString withoutUserInfo(const QString &url)
{
    const auto [start, end] = userInfoSpan(url);
    return start < 0 ? url : url.left(start) + url.mid(end);
}

// "user:password@" as "user:****@", whatever the password.
QString withMaskedPassword(const QString &url)
{
    const auto [start, end] = userInfoSpan(url);
    if (start < 0)
        return url;
    const qsizetype colon = url.indexOf(u':', start);
    if (colon < 0 || colon >= end)
        return url;
    return url.left(colon + 1) + masked + url.mid(end - 1);
}

// A value as an error message shows it: printable, on one line.
QString describe(const QJsonValue &value)
{
    if (value.isString())
        return MessageText::printable(value.toString());
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isDouble())
        return QString::number(value.toDouble());
    if (value.isArray()) {
        return MessageText::printable(
            QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)));
    }
    if (value.isObject()) {
        return MessageText::printable(
            QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
    }
    return QStringLiteral("null");
}

// UAC sends a choice as a one-element list; people type it as a string.
bool readString(const QJsonObject &values, QLatin1String name, QString *out, QString *error)
{
    QJsonValue value = values.value(name);
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.size() > 1) {
            *error = QStringLiteral("%1 must be a single value, got %2 values")
                         .arg(name)
                         .arg(array.size());
            return false;
        }
        value = array.isEmpty() ? QJsonValue() : array.first();
    }
    if (value.isNull() || value.isUndefined()) {
        out->clear();
        return true;
    }
    if (!value.isString()) {
        *error = QStringLiteral("%1 must be a string, got %2").arg(name, describe(value));
        return false;
    }
    *out = value.toString().trimmed();
    return true;
}

bool readBool(const QJsonObject &values, QLatin1String name, bool *out, QString *error)
{
    const QJsonValue value = values.value(name);
    if (value.isNull() || value.isUndefined())
        return true;
    if (value.isBool()) {
        *out = value.toBool();
        return true;
    }
    const QString text = value.toString().trimmed();
    if (value.isString() && text.isEmpty())
        return true;
    if (value.isString() && text.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0) {
        *out = true;
        return true;
    }
    if (value.isString() && text.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0) {
        *out = false;
        return true;
    }
    *error = QStringLiteral("%1 must be true or false, got '%2'").arg(name, describe(value));
    return false;
}

// An integer >= minimum, as a number or a numeric string; absent or empty leaves *out alone.
bool readInt(const QJsonObject &values, QLatin1String name, int minimum, int *out, QString *error)
{
    const QJsonValue value = values.value(name);
    if (value.isNull() || value.isUndefined())
        return true;
    if (value.isString() && value.toString().trimmed().isEmpty())
        return true;
    bool ok = false;
    qint64 number = 0;
    if (value.isDouble()) {
        const double d = value.toDouble();
        // In range first: converting a double beyond qint64 to it is undefined behaviour.
        ok = std::trunc(d) == d && d >= double(std::numeric_limits<int>::min())
            && d <= double(std::numeric_limits<int>::max());
        number = ok ? static_cast<qint64>(d) : 0;
    } else if (value.isString()) {
        number = value.toString().trimmed().toLongLong(&ok);
    }
    if (!ok || number < minimum || number > std::numeric_limits<int>::max()) {
        *error = QStringLiteral("%1 must be an integer >= %2, got '%3'")
                     .arg(name)
                     .arg(minimum)
                     .arg(describe(value));
        return false;
    }
    *out = static_cast<int>(number);
    return true;
}

bool isBlank(const QJsonValue &value)
{
    return value.isNull() || value.isUndefined()
        || (value.isString() && value.toString().trimmed().isEmpty())
        || (value.isArray() && value.toArray().isEmpty());
}

void setIfPresent(QJsonObject *layer, QLatin1String name, const QString &value)
{
    if (!value.isEmpty())
        layer->insert(name, value);
}

} // namespace

bool isUuid(const QString &text)
{
    return text.size() == 36 && !QUuid::fromString(text).isNull();
}

QString TaskFields::launchFlowRunAction()
{
    return QStringLiteral("Prefect Cloud - Launch Flow Run");
}

QString TaskFields::noneOption()
{
    return QStringLiteral("--None--");
}

QString TaskFields::flowRunInfoOption()
{
    return QStringLiteral("Include latest Flow Run information");
}

QString TaskFields::watchModeName(WatchMode mode)
{
    switch (mode) {
    case WatchMode::Events:
        return QStringLiteral("events");
    case WatchMode::Poll:
        return QStringLiteral("poll");
    case WatchMode::Auto:
        break;
    }
    return QStringLiteral("auto");
}

QJsonObject TaskFields::layerFromEnvironment(const QProcessEnvironment &environment)
{
    QJsonObject layer;
    setIfPresent(&layer, FieldName::credentialsUser,
                 environment.value(QStringLiteral("PREFECT_ACCOUNT_ID")).trimmed());
    setIfPresent(&layer, FieldName::credentialsPassword,
                 environment.value(QStringLiteral("PREFECT_API_KEY")).trimmed());
    setIfPresent(&layer, FieldName::apiUrl,
                 environment.value(QStringLiteral("PREFECT_API_URL")).trimmed());
    setIfPresent(&layer, FieldName::apiAuthString,
                 environment.value(QStringLiteral("PREFECT_API_AUTH_STRING")));
    return normalizedLayer(layer);
}

std::optional<QJsonObject> TaskFields::layerFromDocument(const QByteArray &json, QString *error)
{
    const std::optional<QJsonObject> document = JsonDocument::parseObject(
        json, QStringLiteral("the fields document"),
        QStringLiteral("the fields document must be a JSON object keyed by field name"), error);
    if (!document)
        return std::nullopt;
    QJsonObject layer = *document;
    const QJsonValue credentials = layer.value(QLatin1String("credentials"));
    if (!credentials.isUndefined() && !credentials.isNull() && !credentials.isObject()) {
        *error = QStringLiteral("credentials must be an object with user and password");
        return std::nullopt;
    }
    return normalizedLayer(layer);
}

QJsonObject TaskFields::normalizedLayer(const QJsonObject &layer)
{
    QJsonObject result = layer;
    const QJsonObject credentials = result.take(QLatin1String("credentials")).toObject();
    for (const auto &[nested, flat] :
         {std::pair{QLatin1String("user"), FieldName::credentialsUser},
          std::pair{QLatin1String("password"), FieldName::credentialsPassword}}) {
        if (credentials.contains(nested) && !result.contains(flat))
            result.insert(flat, credentials.value(nested));
    }
    QUrl base;
    QString accountId;
    QString workspaceId;
    const QUrl url(result.value(FieldName::apiUrl).toString());
    if (Connection::splitCloudApiUrl(url, &base, &accountId, &workspaceId)) {
        if (!result.contains(FieldName::credentialsUser))
            result.insert(FieldName::credentialsUser, accountId);
        if (!result.contains(FieldName::workspace))
            result.insert(FieldName::workspace, workspaceId);
    }
    return result;
}

QJsonObject TaskFields::merge(const QList<QJsonObject> &layers)
{
    QJsonObject merged;
    for (const QJsonObject &layer : layers) {
        // A later api_url replaces an earlier Cloud URL along with what that URL implied.
        QString accountId;
        QString workspaceId;
        if (!isBlank(layer.value(FieldName::apiUrl))
            && Connection::splitCloudApiUrl(QUrl(merged.value(FieldName::apiUrl).toString()),
                                            nullptr, &accountId, &workspaceId)) {
            if (merged.value(FieldName::credentialsUser).toString() == accountId)
                merged.remove(FieldName::credentialsUser);
            if (merged.value(FieldName::workspace).toString() == workspaceId)
                merged.remove(FieldName::workspace);
        }
        // UAC sends every field, empty ones too: empty means "not given", not "clear it".
        for (auto it = layer.constBegin(); it != layer.constEnd(); ++it) {
            if (!isBlank(it.value()) || !merged.contains(it.key()))
                merged.insert(it.key(), it.value());
        }
    }
    return merged;
}

std::optional<TaskFields> TaskFields::fromValues(const QJsonObject &values, QString *error,
                                                 Purpose purpose)
{
    TaskFields fields;
    QString apiUrlText;
    QString flowRunName;
    QString extensionOutput;
    QString idempotencyKey;
    QString watchMode;
    if (!readString(values, FieldName::action, &fields.action, error)
        || !readString(values, FieldName::credentialsUser, &fields.accountId, error)
        || !readString(values, FieldName::apiUrl, &apiUrlText, error)
        || !readString(values, FieldName::workspace, &fields.workspace, error)
        || !readString(values, FieldName::deployment, &fields.deployment, error)
        || !readString(values, FieldName::flowRunName, &flowRunName, error)
        || !readString(values, FieldName::extensionOutputOptions, &extensionOutput, error)
        || !readBool(values, FieldName::additionalOptionalParameters,
                     &fields.additionalOptionalParameters, error)
        || !readBool(values, FieldName::wait, &fields.wait, error)
        || !readBool(values, FieldName::cancelOnTaskCancel, &fields.cancelFlowRunOnTaskCancel,
                     error)
        || !readInt(values, FieldName::pollingInterval, 1, &fields.pollingInterval, error)
        || !readInt(values, FieldName::maxNumberOfPolls, 1, &fields.maxNumberOfPolls, error)
        || !readInt(values, FieldName::maxRetries, 0, &fields.maxRetries, error)
        || !readInt(values, FieldName::retryMaxSeconds, 1, &fields.retryMaxSeconds, error)
        || !readString(values, FieldName::idempotencyKey, &idempotencyKey, error)
        || !readString(values, FieldName::caFile, &fields.caFile, error)
        || !readString(values, FieldName::watchMode, &watchMode, error)
        || !readBool(values, FieldName::streamLogs, &fields.streamLogs, error)
        || !readInt(values, FieldName::logsInExtensionOutput, 0, &fields.logsInExtensionOutput,
                    error)) {
        return std::nullopt;
    }
    const QList<WatchMode> modes{WatchMode::Auto, WatchMode::Events, WatchMode::Poll};
    const auto mode = std::find_if(modes.cbegin(), modes.cend(), [&](WatchMode candidate) {
        return watchMode.compare(watchModeName(candidate), Qt::CaseInsensitive) == 0;
    });
    if (!watchMode.isEmpty() && mode == modes.cend()) {
        *error = QStringLiteral("watch_mode must be 'auto', 'events' or 'poll', got '%1'")
                     .arg(MessageText::printable(watchMode));
        return std::nullopt;
    }
    if (mode != modes.cend())
        fields.watchMode = *mode;

    // Secrets are taken as given: trimming or echoing them is not ours to do.
    const QJsonValue password = values.value(FieldName::credentialsPassword);
    if (!password.isNull() && !password.isUndefined() && !password.isString()) {
        *error = QStringLiteral("credentials.password must be a string");
        return std::nullopt;
    }
    fields.apiKey = password.toString().trimmed();
    fields.apiAuthString = values.value(FieldName::apiAuthString).toString();

    if (fields.action.isEmpty())
        fields.action = launchFlowRunAction();
    if (fields.action != launchFlowRunAction()) {
        *error = QStringLiteral("unsupported action '%1'; the only action is '%2'")
                     .arg(MessageText::printable(fields.action), launchFlowRunAction());
        return std::nullopt;
    }

    if (extensionOutput.isEmpty() || extensionOutput == noneOption()) {
        fields.extensionOutput = ExtensionOutputOption::None;
    } else if (extensionOutput == flowRunInfoOption()) {
        fields.extensionOutput = ExtensionOutputOption::FlowRunInfo;
    } else {
        *error =
            QStringLiteral("extension_output_options must be '%1' or '%2', got '%3'")
                .arg(noneOption(), flowRunInfoOption(), MessageText::printable(extensionOutput));
        return std::nullopt;
    }

    if (!apiUrlText.isEmpty()) {
        fields.apiUrl = QUrl(apiUrlText, QUrl::StrictMode);
        const QString scheme = fields.apiUrl.scheme();
        if (!fields.apiUrl.isValid() || fields.apiUrl.host().isEmpty()
            || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
            *error = QStringLiteral("api_url '%1' is not an http or https URL")
                         .arg(MessageText::printable(withoutUserInfo(apiUrlText)));
            return std::nullopt;
        }
        // Routes are appended to the path: a query or fragment would end up before them.
        if (fields.apiUrl.hasQuery() || fields.apiUrl.hasFragment()) {
            *error = QStringLiteral("api_url '%1' must not have a query or fragment")
                         .arg(MessageText::printable(withoutUserInfo(apiUrlText)));
            return std::nullopt;
        }
    }

    if (!fields.caFile.isEmpty()) {
        fields.caCertificates = QSslCertificate::fromPath(fields.caFile, QSsl::Pem);
        if (fields.caCertificates.isEmpty()) {
            *error = QStringLiteral("ca_file '%1' holds no readable PEM certificate")
                         .arg(MessageText::printable(fields.caFile));
            return std::nullopt;
        }
    }

    if (fields.isCloud()) {
        if (!isUuid(fields.accountId)) {
            *error = QStringLiteral("credentials.user must be a Prefect Cloud account id (a "
                                    "UUID), got '%1'")
                         .arg(MessageText::printable(fields.accountId));
            return std::nullopt;
        }
        if (fields.apiKey.isEmpty()) {
            *error = QStringLiteral("credentials.password (the Prefect Cloud API key) is "
                                    "required with an account id");
            return std::nullopt;
        }
        if (fields.workspace.isEmpty() && purpose != Purpose::ListWorkspaces) {
            *error = QStringLiteral("workspace_id_or_name is required for Prefect Cloud");
            return std::nullopt;
        }
    } else if (fields.apiUrl.isEmpty()) {
        *error = QStringLiteral("no Prefect API: give an account id for Prefect Cloud, or "
                                "api_url (PREFECT_API_URL) for a self-hosted server");
        return std::nullopt;
    }

    if (purpose != Purpose::LaunchTask)
        return fields;
    if (fields.deployment.isEmpty()) {
        *error = QStringLiteral("deployment_id_or_name is required");
        return std::nullopt;
    }
    if (fields.deployment.count(u'/') > 1 || fields.deployment.startsWith(u'/')
        || fields.deployment.endsWith(u'/')) {
        *error = QStringLiteral("deployment_id_or_name '%1' must be a UUID, "
                                "flow-name/deployment-name or a deployment name")
                     .arg(MessageText::printable(fields.deployment));
        return std::nullopt;
    }

    fields.parametersJson = values.value(FieldName::parametersJson);
    if (fields.additionalOptionalParameters) {
        const std::optional<FlowRunRequest> request =
            FlowRunRequest::fromParametersJson(fields.parametersJson, error);
        if (!request)
            return std::nullopt;
        fields.runRequest = *request;
    }
    fields.runRequest.name = flowRunName;
    fields.runRequest.idempotencyKey = idempotencyKey;
    return fields;
}

QJsonObject TaskFields::maskedValues(const QJsonObject &values)
{
    QJsonObject result = values;
    QJsonObject credentials;
    if (result.contains(FieldName::credentialsUser))
        credentials.insert(QStringLiteral("user"), result.take(FieldName::credentialsUser));
    if (result.contains(FieldName::credentialsPassword)) {
        result.remove(FieldName::credentialsPassword);
        credentials.insert(QStringLiteral("password"), masked);
    }
    if (!credentials.isEmpty())
        result.insert(QStringLiteral("credentials"), credentials);
    if (result.contains(FieldName::apiAuthString))
        result.insert(FieldName::apiAuthString, masked);
    const QJsonValue apiUrl = result.value(FieldName::apiUrl);
    if (apiUrl.isString())
        result.insert(FieldName::apiUrl, withMaskedPassword(apiUrl.toString()));
    return result;
}

Connection TaskFields::connection() const
{
    Connection connection;
    QUrl base = apiUrl;
    QString urlAccount;
    QString urlWorkspace;
    Connection::splitCloudApiUrl(apiUrl, &base, &urlAccount, &urlWorkspace);
    if (isCloud()) {
        connection.setApiBase(base.isEmpty() ? Connection::defaultCloudApiBase() : base);
        connection.setAccountId(accountId);
        if (isUuid(workspace))
            connection.setWorkspaceId(workspace);
    } else {
        connection.setApiBase(apiUrl);
    }
    connection.setApiKey(apiKey);
    connection.setBasicAuth(apiAuthString);
    connection.setCaCertificates(caCertificates);
    return connection;
}

QJsonObject TaskFields::invocationFields() const
{
    const QJsonObject credentials{
        {QStringLiteral("user"), accountId.isEmpty() ? QJsonValue() : QJsonValue(accountId)},
        {QStringLiteral("password"), apiKey.isEmpty() ? QJsonValue() : QJsonValue(masked)}};
    const QJsonObject result{
        {FieldName::action, action},
        {QStringLiteral("credentials"), credentials},
        {FieldName::workspace, workspace},
        {FieldName::deployment, deployment},
        {FieldName::flowRunName, runRequest.name},
        {FieldName::additionalOptionalParameters, additionalOptionalParameters},
        {FieldName::parametersJson, parametersJson.isUndefined() ? QJsonValue() : parametersJson},
        {FieldName::wait, wait},
        {FieldName::pollingInterval, pollingInterval},
        {FieldName::maxNumberOfPolls,
         maxNumberOfPolls > 0 ? QJsonValue(maxNumberOfPolls) : QJsonValue()},
        {FieldName::extensionOutputOptions,
         extensionOutput == ExtensionOutputOption::FlowRunInfo ? flowRunInfoOption()
                                                               : noneOption()},
        {FieldName::apiUrl, apiUrl.toString(QUrl::RemoveUserInfo)},
        {FieldName::cancelOnTaskCancel, cancelFlowRunOnTaskCancel},
        {FieldName::caFile, caFile},
        {FieldName::maxRetries, maxRetries},
        {FieldName::retryMaxSeconds, retryMaxSeconds},
        {FieldName::idempotencyKey, runRequest.idempotencyKey},
        {FieldName::watchMode, watchModeName(watchMode)},
        {FieldName::streamLogs, streamLogs},
        {FieldName::logsInExtensionOutput, logsInExtensionOutput},
    };
    return result;
}

RetryPolicy TaskFields::retryPolicy() const
{
    RetryPolicy policy = RetryPolicy::standard();
    policy.maxRetries = maxRetries;
    policy.maxTotalMs = qint64(retryMaxSeconds) * 1000;
    return policy;
}
