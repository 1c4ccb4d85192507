#include "cliapplication.h"

#include "clilog.h"
#include "extensionoutput.h"
#include "flowruntask.h"
#include "messagetext.h"
#include "prefectclient.h"
#include "prefectreply.h"
#include "taskfields.h"
#include "taskresult.h"
#include "version.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTimer>

#include <csignal>
#include <cstdio>

CliApplication::CliApplication(QObject *parent)
    : QObject(parent)
    , m_client(new PrefectClient(&m_network, this))
{
    connect(m_client, &PrefectClient::exchangeFinished, this,
            [](const QByteArray &verb, const QUrl &url, int status, qint64 elapsedMs) {
                qCInfo(lcHttp).noquote()
                    << QStringLiteral("%1 %2 -> %3 in %4 ms")
                           .arg(QString::fromLatin1(verb), url.toString(QUrl::RemoveUserInfo))
                           .arg(status)
                           .arg(elapsedMs);
            });
    connect(m_client, &PrefectClient::retrying, this, &CliApplication::logRetry);
    connect(&m_signals, &SignalWatcher::signalReceived, this, &CliApplication::handleSignal);
}

CliApplication::~CliApplication()
{
    // Requests still in flight belong to the client's replies: they must go before the
    // QNetworkAccessManager member does.
    delete m_task;
    delete m_client;
}

void CliApplication::handleSignal(int signalNumber)
{
    if (m_finishing)
        return;
    const QString name =
        signalNumber == SIGTERM ? QStringLiteral("SIGTERM") : QStringLiteral("SIGINT");
    ++m_signalCount;
    if (m_task && m_task->isRunning() && m_signalCount == 1) {
        qCWarning(lcCli).noquote() << name + QStringLiteral(" received: stopping the task");
        m_task->terminate(m_task->fields() && m_task->fields()->cancelFlowRunOnTaskCancel);
        return;
    }
    // A second signal, or one outside a launch, does not wait for Prefect any longer.
    const TaskResult result = TaskResult::failure(QStringLiteral("Task cancelled (%1)").arg(name));
    if (m_task)
        return finishTask(result, m_task->extensionOutput(result));
    finishChoicesWithError(result);
}

void CliApplication::logRetry(const QByteArray &verb, const QUrl &url, int retry, int maxRetries,
                              int delayMs, const PrefectError &error)
{
    qCWarning(lcCli).noquote() << QStringLiteral("%1 %2: %3; retry %4 of %5 in %6 s")
                                      .arg(QString::fromLatin1(verb), url.path(), error.toString())
                                      .arg(retry)
                                      .arg(maxRetries)
                                      .arg(delayMs / 1000.0, 0, 'f', 1);
}

void CliApplication::start(const QStringList &arguments)
{
    const bool parsed = m_options.parse(arguments);
    CliLog::install(m_options.verbose()     ? CliLog::Level::Verbose
                        : m_options.quiet() ? CliLog::Level::Quiet
                                            : CliLog::Level::Normal);
    if (parsed && m_options.isHelpRequested()) {
        std::fputs(qPrintable(m_options.helpText()), stdout);
        return exitLater(0);
    }
    if (parsed && m_options.isVersionRequested()) {
        std::fputs("ue-prefect " UE_PREFECT_VERSION "\n", stdout);
        return exitLater(0);
    }

    QString error;
    QJsonObject values;
    if (parsed) {
        const std::optional<QJsonObject> fieldsLayer = m_options.fieldsLayer(&error);
        const std::optional<QJsonObject> optionsLayer =
            fieldsLayer ? m_options.optionsLayer(&error) : std::nullopt;
        if (fieldsLayer && optionsLayer) {
            values = TaskFields::merge(
                {TaskFields::layerFromEnvironment(QProcessEnvironment::systemEnvironment()),
                 *fieldsLayer, *optionsLayer});
        }
    } else {
        error = m_options.errorText();
    }
    // Secrets are known before anything can print them.
    CliLog::addSecrets({values.value(FieldName::credentialsPassword).toString(),
                        values.value(FieldName::apiAuthString).toString()});

    if (!error.isEmpty()) {
        const TaskResult result = TaskResult::validationError(error);
        if (m_options.command() != CliOptions::Command::Launch)
            return finishChoicesWithError(result);
        return finishTask(
            result, ExtensionOutput::build(TaskFields::maskedValues(values), result, false, {}));
    }
    if (m_options.command() == CliOptions::Command::Launch)
        startLaunch(values);
    else
        startChoices(values);
}

void CliApplication::startLaunch(const QJsonObject &values)
{
    m_task = new FlowRunTask(m_client, this);
    connect(m_task, &FlowRunTask::progress, this,
            [](const QString &message) { qCInfo(lcCli).noquote() << message; });
    // The run's own log, one line per entry: "timestamp level message".
    connect(m_task, &FlowRunTask::logsArrived, this, [](const QList<LogEntry> &entries) {
        for (const LogEntry &entry : entries)
            qCInfo(lcCli).noquote() << entry.toLine();
    });
    connect(m_task, &FlowRunTask::diagnostic, this,
            [](const QString &message) { qCInfo(lcHttp).noquote() << message; });
    connect(m_task, &FlowRunTask::outputFieldsChanged, this, [this](const OutputFields &fields) {
        writeEvent(QJsonObject{{QStringLiteral("type"), QStringLiteral("output_fields")},
                               {QStringLiteral("fields"), fields.toJson()}});
    });
    connect(m_task, &FlowRunTask::finished, this,
            [this] { finishTask(m_task->result(), m_task->extensionOutput()); });
    m_task->start(values);
}

void CliApplication::finishTask(const TaskResult &result, const QJsonObject &extensionOutput)
{
    if (m_finishing)
        return;
    m_finishing = true;
    TaskResult finalResult = result;
    QJsonObject document = extensionOutput;
    const QString path = m_options.extensionOutputFile();
    if (!path.isEmpty()) {
        QString error;
        if (!ExtensionOutput::writeFile(path, document, &error)) {
            // A result nobody can read is a failed task, whatever the flow run did.
            qCCritical(lcCli).noquote()
                << QStringLiteral("cannot write the Extension Output to '%1': %2")
                       .arg(MessageText::printable(path), error);
            if (finalResult.exitCode() == ExitCode::Success) {
                finalResult = TaskResult::failure(
                    QStringLiteral("cannot write the Extension Output to '%1': %2")
                        .arg(MessageText::printable(path), error));
                document.insert(QStringLiteral("exit_code"), finalResult.exitCodeValue());
                document.insert(QStringLiteral("status_description"),
                                finalResult.statusDescription());
            }
        }
    }
    if (finalResult.exitCode() == ExitCode::Success)
        qCInfo(lcCli).noquote() << finalResult.statusDescription();
    else
        qCCritical(lcCli).noquote() << finalResult.statusDescription();
    writeEvent(QJsonObject{{QStringLiteral("type"), QStringLiteral("result")},
                           {QStringLiteral("exit_code"), finalResult.exitCodeValue()},
                           {QStringLiteral("extension_output"), document}});
    exitLater(finalResult.exitCodeValue());
}

void CliApplication::startChoices(const QJsonObject &values)
{
    const bool workspaces = m_options.command() == CliOptions::Command::Workspaces;
    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(
        values, &error,
        workspaces ? TaskFields::Purpose::ListWorkspaces : TaskFields::Purpose::ListDeployments);
    if (!fields)
        return finishChoicesWithError(TaskResult::validationError(error));
    m_client->setConnection(fields->connection());
    m_client->setRetryPolicy(fields->retryPolicy());

    if (workspaces && !fields->isCloud()) {
        // A self-hosted server has no workspaces: an empty choice list, not an error.
        qCInfo(lcCli) << "A self-hosted Prefect server has no workspaces";
        return finishChoices({}, {});
    }
    if (workspaces || (fields->isCloud() && m_client->connection().workspaceId().isEmpty())) {
        const QString accountId = fields->accountId;
        const QString wanted = fields->workspace;
        PrefectReply *reply = m_client->listWorkspaces();
        connect(reply, &PrefectReply::finished, this, [this, reply, accountId, wanted, workspaces] {
            if (reply->hasError()) {
                return finishChoicesWithError(TaskResult::failure(
                    QStringLiteral("listing workspaces: ") + reply->error().toString()));
            }
            if (workspaces) {
                QStringList lines;
                QJsonArray json;
                for (const Workspace &workspace : reply->workspaces()) {
                    if (workspace.accountId.compare(accountId, Qt::CaseInsensitive) != 0)
                        continue;
                    lines << workspace.workspaceName;
                    json.append(workspace.toChoiceJson());
                }
                return finishChoices(lines, json);
            }
            QString error;
            const std::optional<Workspace> workspace =
                Workspace::pick(reply->workspaces(), accountId, wanted, &error);
            if (!workspace)
                return finishChoicesWithError(TaskResult::validationError(error));
            Connection connection = m_client->connection();
            connection.setWorkspaceId(workspace->workspaceId);
            m_client->setConnection(connection);
            listDeployments();
        });
        return;
    }
    listDeployments();
}

void CliApplication::listDeployments()
{
    PrefectReply *reply = m_client->listDeployments();
    connect(reply, &PrefectReply::finished, this, [this, reply] {
        if (reply->hasError()) {
            return finishChoicesWithError(TaskResult::failure(
                QStringLiteral("listing deployments: ") + reply->error().toString()));
        }
        QStringList lines;
        QJsonArray json;
        for (const Deployment &deployment : reply->deployments()) {
            lines << deployment.fullName();
            json.append(deployment.toChoiceJson());
        }
        finishChoices(lines, json);
    });
}

void CliApplication::finishChoices(const QStringList &lines, const QJsonArray &json)
{
    if (m_finishing)
        return;
    m_finishing = true;
    QByteArray out;
    if (m_options.json()) {
        out = QJsonDocument(json).toJson(QJsonDocument::Indented);
    } else {
        for (const QString &line : lines)
            out += line.toUtf8() + '\n';
    }
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fflush(stdout);
    exitLater(0);
}

void CliApplication::finishChoicesWithError(const TaskResult &result)
{
    if (m_finishing)
        return;
    m_finishing = true;
    qCCritical(lcCli).noquote() << result.statusDescription();
    exitLater(result.exitCodeValue());
}

void CliApplication::writeEvent(const QJsonObject &event)
{
    if (!m_options.events())
        return;
    const QByteArray line =
        CliLog::redacted(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)))
            .toUtf8()
        + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

void CliApplication::exitLater(int exitCode)
{
    QTimer::singleShot(0, this, [this, exitCode] { emit finished(exitCode); });
}
