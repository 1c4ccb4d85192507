#include "clioptions.h"

#include "messagetext.h"
#include "taskfields.h"

#include <QFile>
#include <QFileInfo>

namespace {

// Larger documents are a mistake, not a task definition; reading them would only cost memory.
constexpr qint64 maxDocumentBytes = 8 * 1024 * 1024;

const QString optAction = QStringLiteral("action");
const QString optAccount = QStringLiteral("account");
const QString optApiKeyFile = QStringLiteral("api-key-file");
const QString optApiUrl = QStringLiteral("api-url");
const QString optWorkspace = QStringLiteral("workspace");
const QString optDeployment = QStringLiteral("deployment");
const QString optFlowRunName = QStringLiteral("flow-run-name");
const QString optParameters = QStringLiteral("parameters");
const QString optWait = QStringLiteral("wait");
const QString optCaFile = QStringLiteral("ca-file");
const QString optCancelOnTerminate = QStringLiteral("cancel-on-terminate");
const QString optPollInterval = QStringLiteral("poll-interval");
const QString optMaxPolls = QStringLiteral("max-polls");
const QString optExtensionOutput = QStringLiteral("extension-output");
const QString optExtensionOutputFile = QStringLiteral("extension-output-file");
const QString optFields = QStringLiteral("fields");
const QString optEvents = QStringLiteral("events");
const QString optJson = QStringLiteral("json");
const QString optMaxRetries = QStringLiteral("max-retries");
const QString optRetryMaxSeconds = QStringLiteral("retry-max-seconds");
const QString optIdempotencyKey = QStringLiteral("idempotency-key");
const QString optWatchMode = QStringLiteral("watch-mode");
const QString optLogs = QStringLiteral("logs");
const QString optLogsInOutput = QStringLiteral("logs-in-output");
const QString optVerbose = QStringLiteral("verbose");
const QString optQuiet = QStringLiteral("quiet");

std::optional<QByteArray> readDocument(const QString &path, const QString &what, QString *error)
{
    QFile file;
    const bool isStdin = path == QLatin1String("-");
    const bool opened = isStdin ? file.open(stdin, QIODevice::ReadOnly)
                                : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!opened) {
        *error = QStringLiteral("cannot read %1 '%2': %3")
                     .arg(what, MessageText::printable(path), file.errorString());
        return std::nullopt;
    }
    // A pipe hands over what it holds at the moment: read on until the end.
    QByteArray data;
    while (data.size() <= maxDocumentBytes) {
        const QByteArray chunk = file.read(maxDocumentBytes + 1 - data.size());
        if (chunk.isEmpty())
            break;
        data += chunk;
    }
    if (data.size() > maxDocumentBytes) {
        *error = QStringLiteral("%1 '%2' is larger than %3 MiB")
                     .arg(what, MessageText::printable(path))
                     .arg(maxDocumentBytes / (1024 * 1024));
        return std::nullopt;
    }
    return data;
}

// A file that holds a secret must be the owner's alone, as ssh insists for its keys.
bool isPrivate(const QString &path)
{
    const QFileInfo info(path);
    return !info.exists()
        || !(info.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteOther));
}

} // namespace

CliOptions::CliOptions()
{
    m_parser.setApplicationDescription(QStringLiteral(
        "Launch a Prefect flow run from a deployment and watch it to the end.\n\n"
        "Commands:\n"
        "  (none) or launch   create a flow run of --deployment; with --wait, watch it\n"
        "  workspaces         list Prefect Cloud workspaces, one name a line\n"
        "  deployments        list deployments as flow-name/deployment-name, one a line\n\n"
        "Field values come from the environment (PREFECT_API_URL, PREFECT_ACCOUNT_ID,\n"
        "PREFECT_API_KEY, PREFECT_API_AUTH_STRING), then --fields, then the options below;\n"
        "later sources win. Exit codes: 0 success, 1 failure, 20 data validation error,\n"
        "40 polling timeout."));
    m_parser.addHelpOption();
    // -v is --verbose here, so --version has no short form.
    m_parser.addOption(
        {QStringLiteral("version"), QStringLiteral("Displays version information.")});
    m_parser.addPositionalArgument(QStringLiteral("command"),
                                   QStringLiteral("launch (default), workspaces or deployments."),
                                   QStringLiteral("[command]"));
    m_parser.addOptions({
        {optAction, QStringLiteral("Task action; only 'Prefect Cloud - Launch Flow Run'."),
         QStringLiteral("action")},
        {optAccount,
         QStringLiteral("Prefect Cloud account id (UUID). Without one, a self-hosted server."),
         QStringLiteral("id")},
        {optApiKeyFile,
         QStringLiteral("Read the API key from this file (mode 600). Or set PREFECT_API_KEY."),
         QStringLiteral("file")},
        {optApiUrl,
         QStringLiteral("Prefect API URL: a self-hosted server (http://host:4200/api), another "
                        "Cloud API base, or a Cloud URL .../accounts/ID/workspaces/ID."),
         QStringLiteral("url")},
        {optCaFile,
         QStringLiteral("Also trust the CA certificates (PEM) in this file, for a server "
                        "behind a private CA. TLS verification is always on."),
         QStringLiteral("path")},
        {optWorkspace,
         QStringLiteral("Cloud workspace: UUID, handle, name or account-handle/workspace-handle."),
         QStringLiteral("workspace")},
        {optDeployment,
         QStringLiteral("Deployment: UUID, flow-name/deployment-name, or a unique deployment "
                        "name."),
         QStringLiteral("deployment")},
        {optFlowRunName, QStringLiteral("Name of the new flow run (default: Prefect's slug)."),
         QStringLiteral("name")},
        {optParameters,
         QStringLiteral("JSON object with parameters, context, job_variables and tags, or "
                        "@FILE to read it from a file."),
         QStringLiteral("json")},
        {optWait, QStringLiteral("Wait until the flow run succeeds or fails.")},
        {optCancelOnTerminate,
         QStringLiteral("On SIGTERM or SIGINT, ask Prefect to cancel the flow run before "
                        "stopping (default: leave it running).")},
        {optPollInterval, QStringLiteral("Seconds between polls while waiting (default 60)."),
         QStringLiteral("seconds")},
        {optMaxPolls,
         QStringLiteral("Give up with exit 40 after this many polls (default: no limit)."),
         QStringLiteral("count")},
        {optWatchMode,
         QStringLiteral("How --wait learns of state changes: auto (default: Prefect's event "
                        "stream, polling when it is unavailable), events (the stream only; "
                        "exit 1 without it) or poll (polling only)."),
         QStringLiteral("mode")},
        {optLogs,
         QStringLiteral("With --wait, write the flow run's log lines to standard error as they "
                        "arrive.")},
        {optLogsInOutput,
         QStringLiteral("With --wait, keep the run's last N log lines under result.logs in the "
                        "Extension Output (default 0)."),
         QStringLiteral("count")},
        {optExtensionOutput,
         QStringLiteral("Extension Output content: none (default) or flow-run-info."),
         QStringLiteral("option")},
        {optExtensionOutputFile,
         QStringLiteral("Write the Extension Output JSON to this file, atomically."),
         QStringLiteral("path")},
        {optFields,
         QStringLiteral("Read UAC fields from this JSON file; '-' reads standard input."),
         QStringLiteral("file")},
        {optMaxRetries,
         QStringLiteral("Retries of a request that failed on the network, timed out or got "
                        "408, 429, 500, 502, 503 or 504 (default 5; 0 turns them off)."),
         QStringLiteral("count")},
        {optRetryMaxSeconds,
         QStringLiteral("Longest time one request may spend in retries (default 120)."),
         QStringLiteral("seconds")},
        {optIdempotencyKey,
         QStringLiteral("Key that makes the launch idempotent: a re-run with the same key "
                        "reattaches to the same flow run (default: a fresh UUID)."),
         QStringLiteral("key")},
        {optEvents,
         QStringLiteral("Write JSON Lines events (output_fields, result) to standard output.")},
        {optJson, QStringLiteral("workspaces, deployments: print a JSON array.")},
        {{QStringLiteral("v"), optVerbose}, QStringLiteral("Also log every HTTP request.")},
        {{QStringLiteral("q"), optQuiet}, QStringLiteral("Log errors only.")},
    });
}

bool CliOptions::parse(const QStringList &arguments)
{
    if (!m_parser.parse(arguments)) {
        m_errorText = m_parser.errorText();
        return false;
    }
    const QStringList positional = m_parser.positionalArguments();
    if (positional.size() > 1) {
        m_errorText = QStringLiteral("unexpected arguments: %1").arg(positional.mid(1).join(u' '));
        return false;
    }
    const QString command = positional.value(0);
    if (command.isEmpty() || command == QLatin1String("launch")) {
        m_command = Command::Launch;
    } else if (command == QLatin1String("workspaces")) {
        m_command = Command::Workspaces;
    } else if (command == QLatin1String("deployments")) {
        m_command = Command::Deployments;
    } else {
        m_errorText = QStringLiteral("unknown command '%1'; use launch, workspaces or deployments")
                          .arg(MessageText::printable(command));
        return false;
    }
    return true;
}

bool CliOptions::isHelpRequested() const
{
    return m_parser.isSet(QStringLiteral("help"));
}

bool CliOptions::isVersionRequested() const
{
    return m_parser.isSet(QStringLiteral("version"));
}

bool CliOptions::events() const
{
    return m_parser.isSet(optEvents);
}

bool CliOptions::json() const
{
    return m_parser.isSet(optJson);
}

bool CliOptions::verbose() const
{
    return m_parser.isSet(optVerbose);
}

bool CliOptions::quiet() const
{
    return m_parser.isSet(optQuiet);
}

QString CliOptions::extensionOutputFile() const
{
    return m_parser.value(optExtensionOutputFile);
}

std::optional<QJsonObject> CliOptions::fieldsLayer(QString *error) const
{
    if (!m_parser.isSet(optFields))
        return QJsonObject();
    const std::optional<QByteArray> data =
        readDocument(m_parser.value(optFields), QStringLiteral("fields file"), error);
    if (!data)
        return std::nullopt;
    std::optional<QJsonObject> layer = TaskFields::layerFromDocument(*data, error);
    const QString path = m_parser.value(optFields);
    if (layer && layer->contains(FieldName::credentialsPassword) && path != QLatin1String("-")
        && !isPrivate(path)) {
        *error = QStringLiteral("fields file '%1' holds the API key and can be read by other "
                                "users; restrict it with chmod 600, or pass the fields on "
                                "standard input")
                     .arg(MessageText::printable(path));
        return std::nullopt;
    }
    return layer;
}

std::optional<QJsonObject> CliOptions::optionsLayer(QString *error) const
{
    QJsonObject layer;
    const auto copy = [&](const QString &option, QLatin1String field) {
        if (m_parser.isSet(option))
            layer.insert(field, m_parser.value(option));
    };
    copy(optAction, FieldName::action);
    copy(optAccount, FieldName::credentialsUser);
    copy(optApiUrl, FieldName::apiUrl);
    copy(optCaFile, FieldName::caFile);
    copy(optWorkspace, FieldName::workspace);
    copy(optDeployment, FieldName::deployment);
    copy(optFlowRunName, FieldName::flowRunName);
    copy(optPollInterval, FieldName::pollingInterval);
    copy(optMaxPolls, FieldName::maxNumberOfPolls);
    copy(optMaxRetries, FieldName::maxRetries);
    copy(optRetryMaxSeconds, FieldName::retryMaxSeconds);
    copy(optIdempotencyKey, FieldName::idempotencyKey);
    copy(optWatchMode, FieldName::watchMode);
    copy(optLogsInOutput, FieldName::logsInExtensionOutput);
    if (m_parser.isSet(optLogs))
        layer.insert(FieldName::streamLogs, true);
    if (m_parser.isSet(optWait))
        layer.insert(FieldName::wait, true);
    if (m_parser.isSet(optCancelOnTerminate))
        layer.insert(FieldName::cancelOnTaskCancel, true);

    if (m_parser.isSet(optExtensionOutput)) {
        const QString value = m_parser.value(optExtensionOutput);
        if (value == QLatin1String("none")) {
            layer.insert(FieldName::extensionOutputOptions, TaskFields::noneOption());
        } else if (value == QLatin1String("flow-run-info")) {
            layer.insert(FieldName::extensionOutputOptions, TaskFields::flowRunInfoOption());
        } else {
            *error = QStringLiteral("--extension-output must be none or flow-run-info, got '%1'")
                         .arg(value);
            return std::nullopt;
        }
    }

    if (m_parser.isSet(optParameters)) {
        QString text = m_parser.value(optParameters);
        if (text.startsWith(u'@')) {
            const std::optional<QByteArray> data =
                readDocument(text.mid(1), QStringLiteral("parameters file"), error);
            if (!data)
                return std::nullopt;
            text = QString::fromUtf8(*data);
        }
        layer.insert(FieldName::parametersJson, text);
        layer.insert(FieldName::additionalOptionalParameters, true);
    }

    if (m_parser.isSet(optApiKeyFile)) {
        const QString path = m_parser.value(optApiKeyFile);
        if (!isPrivate(path)) {
            *error = QStringLiteral("API key file '%1' can be read by other users; "
                                    "restrict it with chmod 600")
                         .arg(MessageText::printable(path));
            return std::nullopt;
        }
        const std::optional<QByteArray> data =
            readDocument(path, QStringLiteral("API key file"), error);
        if (!data)
            return std::nullopt;
        const QString key = QString::fromUtf8(*data).trimmed();
        if (key.isEmpty()) {
            *error = QStringLiteral("API key file '%1' is empty").arg(MessageText::printable(path));
            return std::nullopt;
        }
        layer.insert(FieldName::credentialsPassword, key);
    }
    return TaskFields::normalizedLayer(layer);
}
