#pragma once

#include "connection.h"
#include "flowrunrequest.h"
#include "retrypolicy.h"

#include <QJsonObject>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QUrl>

#include <optional>

// The UAC field names: keys of --fields, of the options layer and of invocation.fields.
namespace FieldName {
inline constexpr QLatin1String action("action");
inline constexpr QLatin1String credentialsUser("credentials.user");
inline constexpr QLatin1String credentialsPassword("credentials.password");
inline constexpr QLatin1String workspace("workspace_id_or_name");
inline constexpr QLatin1String deployment("deployment_id_or_name");
inline constexpr QLatin1String flowRunName("flow_run_name");
inline constexpr QLatin1String additionalOptionalParameters("additional_optional_parameters");
inline constexpr QLatin1String parametersJson("parameters_json");
inline constexpr QLatin1String wait("wait_for_success_or_failure");
inline constexpr QLatin1String pollingInterval("polling_interval");
inline constexpr QLatin1String maxNumberOfPolls("max_number_of_polls");
inline constexpr QLatin1String extensionOutputOptions("extension_output_options");
inline constexpr QLatin1String cancelOnTaskCancel("cancel_flow_run_on_task_cancel");
// Not UAC fields, but carried the same way so that every source merges alike.
inline constexpr QLatin1String apiUrl("api_url");
inline constexpr QLatin1String apiAuthString("api_auth_string");
inline constexpr QLatin1String maxRetries("max_retries");
inline constexpr QLatin1String retryMaxSeconds("retry_max_seconds");
inline constexpr QLatin1String idempotencyKey("idempotency_key");
inline constexpr QLatin1String caFile("ca_file");
inline constexpr QLatin1String watchMode("watch_mode");
inline constexpr QLatin1String streamLogs("stream_logs");
inline constexpr QLatin1String logsInExtensionOutput("logs_in_extension_output");
} // namespace FieldName

// A task's effective, validated fields. Values come in layers (environment < --fields document
// < command-line options), each a JSON object keyed by field name, merged, then validated here.
class TaskFields
{
public:
    enum class ExtensionOutputOption { None, FlowRunInfo };
    // How a waiting task learns of state changes: the event stream with polling as the
    // fallback (Auto), the event stream only (Events), or polling only (Poll).
    enum class WatchMode { Auto, Events, Poll };

    static QString launchFlowRunAction();
    static QString noneOption();
    static QString flowRunInfoOption();
    static constexpr int defaultPollingInterval = 60;
    static QString watchModeName(WatchMode mode);

    // PREFECT_ACCOUNT_ID, PREFECT_API_KEY, PREFECT_API_URL, PREFECT_API_AUTH_STRING.
    static QJsonObject layerFromEnvironment(const QProcessEnvironment &environment);
    // The --fields document: a JSON object keyed by UAC field names. Credentials may be nested
    // as {"credentials": {"user", "password"}}; they come back flattened.
    static std::optional<QJsonObject> layerFromDocument(const QByteArray &json, QString *error);
    // Flattens nested credentials and lets a Cloud api_url supply account and workspace.
    static QJsonObject normalizedLayer(const QJsonObject &layer);
    // Later layers win, key by key.
    static QJsonObject merge(const QList<QJsonObject> &layers);

    // What the values are for: a task needs a deployment; listing choices needs less.
    enum class Purpose { LaunchTask, ListWorkspaces, ListDeployments };

    // Validates merged values; on failure returns nothing and a one-line reason.
    static std::optional<TaskFields> fromValues(const QJsonObject &values, QString *error,
                                                Purpose purpose = Purpose::LaunchTask);
    // The values as given, secrets masked: invocation.fields when validation failed.
    static QJsonObject maskedValues(const QJsonObject &values);

    QString action;
    QString accountId;
    QString apiKey;
    QString apiAuthString;
    QUrl apiUrl;
    QString caFile;
    QList<QSslCertificate> caCertificates;
    QString workspace;
    QString deployment;
    bool additionalOptionalParameters = false;
    QJsonValue parametersJson;
    FlowRunRequest runRequest;
    bool wait = false;
    int pollingInterval = defaultPollingInterval;
    int maxNumberOfPolls = 0; // 0: poll until the run ends
    ExtensionOutputOption extensionOutput = ExtensionOutputOption::None;
    bool cancelFlowRunOnTaskCancel = false;
    int maxRetries = RetryPolicy::defaultMaxRetries;
    int retryMaxSeconds = RetryPolicy::defaultMaxTotalSeconds;
    WatchMode watchMode = WatchMode::Auto;
    bool streamLogs = false;
    int logsInExtensionOutput = 0;

    RetryPolicy retryPolicy() const;

    bool isCloud() const { return !accountId.isEmpty(); }
    // The connection these fields describe; a Cloud workspace is set only when it is a UUID.
    Connection connection() const;
    // The effective fields for the Extension Output, the API key shown as "****".
    QJsonObject invocationFields() const;
};

bool isUuid(const QString &text);
