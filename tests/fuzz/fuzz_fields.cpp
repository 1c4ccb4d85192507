// libFuzzer target over what ue-prefect parses from people and from servers: the --fields
// document (TaskFields::layerFromDocument, merge, fromValues for every Purpose, maskedValues,
// invocationFields, connection), parameters_json (FlowRunRequest::fromParametersJson, toJson),
// Prefect error bodies (PrefectError::serverMessage) and Retry-After (RetryPolicy).
//
// It checks invariants and abort()s when one breaks, so libFuzzer keeps the input:
//  - every validation error is a single, non-empty line;
//  - a secret's content never shows: validating with another API key, auth string or URL
//    password gives the very same errors, invocationFields, maskedValues and request bodies,
//    and the secrets put in the environment layer never appear in any of them;
//  - what validates is in range (polling_interval >= 1, ...), a Cloud account is a UUID with a
//    key, a self-hosted API is an http(s) URL with a host, a launch names a deployment;
//  - the effective fields validate again to themselves; request bodies round-trip;
//  - connection endpoints stay on the configured server, whatever the names in them;
//  - a server message is one line of at most 300 characters (+ "…"), never a broken character;
//  - a Retry-After is never negative, nor a retry delay; without one a delay stays capped.
// ASan and UBSan (built in, -fno-sanitize-recover) turn memory errors and undefined behaviour
// into crashes as well.
//
// Build and run: scripts/fuzz. Reproduce a crash: build-fuzz/tests/fuzz/fuzz_fields FILE

#include "connection.h"
#include "flowrunrequest.h"
#include "prefecterror.h"
#include "retrypolicy.h"
#include "taskfields.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTimeZone>
#include <QUrl>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace {

// High-entropy secrets: an input can only contain one by copying it, and then the direct
// "never appears" checks for it are skipped (the differential checks still run).
struct Secrets
{
    QString apiKey;
    QString authString; // PREFECT_API_AUTH_STRING, "user:password"
    QString authPassword;
    QString urlPassword; // the password in a PREFECT_API_URL's userinfo
};
const Secrets primary{QStringLiteral("pnu_fuzzEnvKey7Qm2Xv9Lr4Tz8Wc1"),
                      QStringLiteral("fuzzuser:fuzzAuthK8p2Vq5Jn3"),
                      QStringLiteral("fuzzAuthK8p2Vq5Jn3"), QStringLiteral("fuzzUrlPwR6t1Yb7Hs")};
const Secrets alternate{QStringLiteral("pnu_otherEnvKeyB4n8Cs2Df6Gh0Jk"),
                        QStringLiteral("fuzzuser:otherAuthZ3x5Wv7Ut9"),
                        QStringLiteral("otherAuthZ3x5Wv7Ut9"),
                        QStringLiteral("otherUrlPwE2r4Ty6Ui")};
// What a document's own non-blank secrets are replaced with for the differential check.
const QString canary = QStringLiteral("canary-secret-value");
// Where a document's ca_file points during fuzzing: file reads are not the fuzzer's business
// (and /dev/zero or a FIFO would hang it); the error path is still exercised.
const QString sandboxCaFile = QStringLiteral("/nonexistent/ue-prefect-fuzz/ca.pem");

const QString cloudAccount = QStringLiteral("0f7b6c1e-3a1d-4b8e-9c2a-5d4e3f2a1b0c");
const QString cloudWorkspace = QStringLiteral("6a9e8d7c-1b2a-4c3d-8e4f-a5b6c7d8e9f0");

[[noreturn]] void violated(const char *invariant, const QString &detail)
{
    std::fprintf(stderr, "\nfuzz_fields: INVARIANT VIOLATED: %s\n  %s\n", invariant,
                 qUtf8Printable(detail));
    std::fflush(stderr);
    std::abort();
}

#define CHECK(condition, detail)                                                                   \
    do {                                                                                           \
        if (!(condition))                                                                          \
            violated(#condition, (detail));                                                        \
    } while (false)

QString json(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString json(const QJsonValue &value)
{
    return json(QJsonObject{{QStringLiteral("v"), value}});
}

bool isLineBreak(QChar c)
{
    switch (c.unicode()) {
    case u'\n':
    case u'\r':
    case u'\v':
    case u'\f':
    case 0x0085: // NEL
    case 0x2028: // LINE SEPARATOR
    case 0x2029: // PARAGRAPH SEPARATOR
        return true;
    default:
        return false;
    }
}

void checkOneLine(const char *where, const QString &text, bool mayBeEmpty)
{
    if (!mayBeEmpty && text.trimmed().isEmpty())
        violated(where, QStringLiteral("an error must be a non-empty line, got '%1'").arg(text));
    for (const QChar c : text) {
        if (isLineBreak(c))
            violated(where,
                     QStringLiteral("must be a single line, got: %1").arg(json(QJsonValue(text))));
    }
}

void checkError(const char *where, const QString &error)
{
    checkOneLine(where, error, false);
}

bool hasLoneSurrogate(const QString &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i).isHighSurrogate()) {
            if (i + 1 >= text.size() || !text.at(i + 1).isLowSurrogate())
                return true;
            ++i;
        } else if (text.at(i).isLowSurrogate()) {
            return true;
        }
    }
    return false;
}

bool hasLoneSurrogate(const QJsonValue &value)
{
    if (value.isString())
        return hasLoneSurrogate(value.toString());
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray()) {
            if (hasLoneSurrogate(item))
                return true;
        }
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (hasLoneSurrogate(it.key()) || hasLoneSurrogate(it.value()))
                return true;
        }
    }
    return false;
}

// ---- Prefect error bodies and Retry-After (what servers send) ----------------------------

void checkServerMessage(const QByteArray &body)
{
    const QString message = PrefectError::serverMessage(body);
    checkOneLine("PrefectError::serverMessage", message, true);
    CHECK(message.size() <= 301, QStringLiteral("%1 characters").arg(message.size()));
    // Lone surrogates can only come from the body through JSON \u escapes; otherwise any
    // broken character was made by the shortening.
    if (!body.contains("\\u"))
        CHECK(!hasLoneSurrogate(message), json(QJsonValue(message)));

    const PrefectError http = PrefectError::http(422, message);
    checkError("PrefectError::toString (HTTP)", http.toString());
    const PrefectError network(PrefectError::Kind::Network, 0, QString::fromUtf8(body));
    checkError("PrefectError::toString (network)", network.toString());
}

void checkRetryAfter(const QByteArray &value)
{
    const QDateTime now(QDate(2026, 3, 1), QTime(12, 0), QTimeZone::utc());
    const std::optional<qint64> retryAfterMs = RetryPolicy::parseRetryAfter(value, now);
    const RetryPolicy policy = RetryPolicy::standard();
    if (retryAfterMs) {
        CHECK(*retryAfterMs >= 0, QStringLiteral("Retry-After %1 ms").arg(*retryAfterMs));
        const int delay = policy.delayMs(0, retryAfterMs);
        CHECK(delay >= 0,
              QStringLiteral("delay %1 ms for Retry-After %2 ms").arg(delay).arg(*retryAfterMs));
    }
    // Without one: capped, with up to 25 % jitter, whatever the retry number.
    const int retry = value.isEmpty() ? 0 : static_cast<unsigned char>(value.back());
    const int delay = policy.delayMs(retry, std::nullopt);
    CHECK(delay >= 0 && delay <= policy.maxDelayMs + policy.maxDelayMs / 4,
          QStringLiteral("delay %1 ms for retry %2").arg(delay).arg(retry));
}

// ---- parameters_json ---------------------------------------------------------------------

void checkParameters(const char *where, const QJsonValue &value)
{
    QString error;
    const std::optional<FlowRunRequest> request = FlowRunRequest::fromParametersJson(value, &error);
    if (!request) {
        checkError(where, error);
        return;
    }
    const QJsonObject body = request->toJson();
    for (auto it = body.begin(); it != body.end(); ++it) {
        const QString key = it.key();
        CHECK(key == QLatin1String("parameters") || key == QLatin1String("context")
                  || key == QLatin1String("job_variables") || key == QLatin1String("tags"),
              QStringLiteral("%1: body key '%2' in %3").arg(where, key, json(body)));
        CHECK(key == QLatin1String("tags") ? it.value().isArray() : it.value().isObject(),
              QStringLiteral("%1: %2").arg(where, json(body)));
    }
    // The body is itself a parameters_json that gives the same body, as an object and as text.
    const std::optional<FlowRunRequest> again =
        FlowRunRequest::fromParametersJson(QJsonValue(body), &error);
    CHECK(again && again->toJson() == body,
          QStringLiteral("%1: %2 does not read back: %3").arg(where, json(body), error));
    if (!hasLoneSurrogate(QJsonValue(body))) {
        const QString text = QString::fromUtf8(QJsonDocument(body).toJson());
        const std::optional<FlowRunRequest> fromText =
            FlowRunRequest::fromParametersJson(QJsonValue(text), &error);
        CHECK(fromText && fromText->toJson() == body,
              QStringLiteral("%1: %2 does not read back as text: %3").arg(where, text, error));
    }
    // An object and its JSON text mean the same.
    if (value.isObject() && !hasLoneSurrogate(value)) {
        const QString text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson());
        const std::optional<FlowRunRequest> fromText =
            FlowRunRequest::fromParametersJson(QJsonValue(text), &error);
        CHECK(fromText && fromText->toJson() == body,
              QStringLiteral("%1: object and text differ for %2").arg(where, text));
    }
}

// ---- fields ------------------------------------------------------------------------------

// PREFECT_API_URL unset, self-hosted, Cloud (account and workspace in it), or carrying a password
// in its userinfo, valid or not (not http): that password must never show either.
enum class Environment { SelfHosted, KeyOnly, CloudUrl, UrlWithPassword, BadUrlWithPassword };
constexpr Environment environments[] = {Environment::SelfHosted, Environment::KeyOnly,
                                        Environment::CloudUrl, Environment::UrlWithPassword,
                                        Environment::BadUrlWithPassword};

QJsonObject environmentLayer(Environment kind, const Secrets &secrets)
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PREFECT_API_KEY"), secrets.apiKey);
    environment.insert(QStringLiteral("PREFECT_API_AUTH_STRING"), secrets.authString);
    switch (kind) {
    case Environment::SelfHosted:
        environment.insert(QStringLiteral("PREFECT_API_URL"),
                           QStringLiteral("http://127.0.0.1:4200/api"));
        break;
    case Environment::KeyOnly:
        break;
    case Environment::CloudUrl:
        environment.insert(QStringLiteral("PREFECT_API_URL"),
                           QStringLiteral("https://api.prefect.cloud/api/accounts/%1/workspaces/%2")
                               .arg(cloudAccount, cloudWorkspace));
        break;
    case Environment::UrlWithPassword:
        environment.insert(
            QStringLiteral("PREFECT_API_URL"),
            QStringLiteral("http://fuzzuser:%1@127.0.0.1:4200/api").arg(secrets.urlPassword));
        break;
    case Environment::BadUrlWithPassword:
        environment.insert(
            QStringLiteral("PREFECT_API_URL"),
            QStringLiteral("ftp://fuzzuser:%1@127.0.0.1:4200/api").arg(secrets.urlPassword));
        break;
    }
    return TaskFields::layerFromEnvironment(environment);
}

// UAC sends every field, empty ones too: null, a blank string or an empty list is "not given".
bool isBlank(const QJsonValue &value)
{
    return value.isNull() || value.isUndefined()
        || (value.isString() && value.toString().trimmed().isEmpty())
        || (value.isArray() && value.toArray().isEmpty());
}

// File reads stay out of the fuzzer: a non-blank ca_file points at a path that does not exist.
QJsonObject sandboxed(QJsonObject values)
{
    const QJsonValue caFile = values.value(FieldName::caFile);
    if (caFile.isString() && !caFile.toString().trimmed().isEmpty())
        values.insert(FieldName::caFile, sandboxCaFile);
    return values;
}

// The same values with every non-blank secret replaced: nothing that is shown may change.
QJsonObject withCanarySecrets(QJsonObject values)
{
    const QJsonValue password = values.value(FieldName::credentialsPassword);
    if (password.isString() && !password.toString().trimmed().isEmpty())
        values.insert(FieldName::credentialsPassword, canary);
    const QJsonValue auth = values.value(FieldName::apiAuthString);
    if (auth.isString() && !auth.toString().isEmpty())
        values.insert(FieldName::apiAuthString, canary);
    return values;
}

const char *purposeName(TaskFields::Purpose purpose)
{
    switch (purpose) {
    case TaskFields::Purpose::LaunchTask:
        return "LaunchTask";
    case TaskFields::Purpose::ListWorkspaces:
        return "ListWorkspaces";
    case TaskFields::Purpose::ListDeployments:
        return "ListDeployments";
    }
    return "?";
}

// Which environment, purpose and merged values a check ran with, told only on failure.
struct Context
{
    Environment environment;
    TaskFields::Purpose purpose;
    const QJsonObject &values;

    QString text() const
    {
        return QStringLiteral("environment %1, %2, values %3")
            .arg(int(environment))
            .arg(QLatin1String(purposeName(purpose)), json(values));
    }
};

void checkMasked(const QJsonObject &values, const QJsonObject &masked)
{
    const auto detail = [&] {
        return json(masked);
    };
    CHECK(!masked.contains(FieldName::credentialsPassword), detail());
    const QJsonObject credentials = masked.value(QLatin1String("credentials")).toObject();
    if (values.contains(FieldName::credentialsPassword))
        CHECK(credentials.value(QLatin1String("password")) == QJsonValue(QStringLiteral("****")),
              detail());
    if (values.contains(FieldName::apiAuthString))
        CHECK(masked.value(FieldName::apiAuthString) == QJsonValue(QStringLiteral("****")),
              detail());
}

void checkValid(const TaskFields &fields, const QJsonObject &invocation, const Context &context)
{
    const TaskFields::Purpose purpose = context.purpose;
    const auto detail = [&] {
        return QStringLiteral("%1 -> %2").arg(context.text(), json(invocation));
    };
    CHECK(fields.pollingInterval >= 1, detail());
    CHECK(fields.maxNumberOfPolls >= 0, detail());
    CHECK(fields.maxRetries >= 0, detail());
    CHECK(fields.retryMaxSeconds >= 1, detail());
    CHECK(fields.action == TaskFields::launchFlowRunAction(), detail());
    CHECK(fields.caFile.isEmpty(), detail()); // the sandboxed path never validates
    if (fields.isCloud()) {
        CHECK(isUuid(fields.accountId), detail());
        CHECK(!fields.apiKey.isEmpty(), detail());
        CHECK(purpose == TaskFields::Purpose::ListWorkspaces || !fields.workspace.isEmpty(),
              detail());
    } else {
        CHECK(fields.apiUrl.isValid() && !fields.apiUrl.host().isEmpty(), detail());
        CHECK(fields.apiUrl.scheme() == QLatin1String("http")
                  || fields.apiUrl.scheme() == QLatin1String("https"),
              detail());
    }
    if (purpose == TaskFields::Purpose::LaunchTask) {
        CHECK(!fields.deployment.isEmpty(), detail());
        CHECK(fields.deployment.count(u'/') <= 1 && !fields.deployment.startsWith(u'/')
                  && !fields.deployment.endsWith(u'/'),
              detail());
    }

    const RetryPolicy policy = fields.retryPolicy();
    CHECK(policy.maxRetries == fields.maxRetries, detail());
    CHECK(policy.maxTotalMs >= 1000, detail());

    const QJsonValue password =
        invocation.value(QLatin1String("credentials")).toObject().value(QLatin1String("password"));
    CHECK(password.isNull() || password == QJsonValue(QStringLiteral("****")), detail());
    CHECK(QUrl(invocation.value(FieldName::apiUrl).toString()).password().isEmpty(), detail());
    CHECK(invocation.value(FieldName::pollingInterval).toInt() == fields.pollingInterval, detail());
}

// Endpoints are built from names people type; they must stay on the configured server.
QString checkConnection(const TaskFields &fields, const Context &context)
{
    const Connection connection = fields.connection();
    const QUrl base = connection.apiBase();
    const auto detail = [&] {
        return QStringLiteral("%1 -> base %2").arg(context.text(), base.toString());
    };
    CHECK(connection.isCloud() == fields.isCloud(), detail());
    CHECK(base.isValid() && !base.host().isEmpty(), detail());
    CHECK(base.scheme() == QLatin1String("http") || base.scheme() == QLatin1String("https"),
          detail());
    if (!fields.apiKey.isEmpty())
        CHECK(connection.secrets().contains(fields.apiKey), detail());
    if (fields.isCloud())
        CHECK(connection.accountId() == fields.accountId, detail());

    const QStringList names{fields.deployment, fields.workspace, fields.runRequest.name};
    QString shown;
    for (const QString &name : names) {
        const QStringList segments{QStringLiteral("deployments"), QStringLiteral("name"), name};
        const QUrl endpoint = connection.endpoint(segments);
        const auto where = [&] {
            return QStringLiteral("%1 -> endpoint %2 for '%3'")
                .arg(context.text(), endpoint.toString(QUrl::FullyEncoded), name);
        };
        CHECK(endpoint.isValid(), where());
        CHECK(endpoint.scheme() == base.scheme() && endpoint.host() == base.host()
                  && endpoint.port() == base.port() && endpoint.userInfo() == base.userInfo(),
              where());
        CHECK(endpoint.query() == base.query() && endpoint.fragment() == base.fragment(), where());
        // Each segment is one path segment, whatever its characters.
        const QString path = endpoint.path(QUrl::FullyEncoded);
        CHECK(path.endsWith(QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(name))),
              where());
        QString basePath = base.path(QUrl::FullyEncoded);
        while (basePath.endsWith(u'/'))
            basePath.chop(1);
        const int extra = fields.isCloud() ? 4 : 0;
        CHECK(path.count(u'/') == basePath.count(u'/') + extra + int(segments.size()), where());
        shown += endpoint.toString(QUrl::RemoveUserInfo | QUrl::FullyEncoded) + u' ';
    }
    return shown;
}

// Everything a person or the Extension Output gets to see from validating these values.
QString shownOutcome(const QJsonObject &values, const Context &context)
{
    const TaskFields::Purpose purpose = context.purpose;
    QString shown = QStringLiteral("masked: ") + json(TaskFields::maskedValues(values));
    checkMasked(values, TaskFields::maskedValues(values));

    QString error;
    const std::optional<TaskFields> fields = TaskFields::fromValues(values, &error, purpose);
    if (!fields) {
        checkError("TaskFields::fromValues", error);
        return shown + QStringLiteral("\nerror: ") + error;
    }
    const QJsonObject invocation = fields->invocationFields();
    checkValid(*fields, invocation, context);
    shown += QStringLiteral("\ninvocation: ") + json(invocation);
    shown += QStringLiteral("\nbody: ") + json(fields->runRequest.toJson());
    shown += QStringLiteral("\nendpoints: ") + checkConnection(*fields, context);

    // The effective fields validate again to themselves, given back the secrets they mask.
    QJsonObject again = TaskFields::normalizedLayer(invocation);
    again.insert(FieldName::apiUrl, fields->apiUrl.toString(QUrl::FullyEncoded));
    if (!fields->apiKey.isEmpty())
        again.insert(FieldName::credentialsPassword, fields->apiKey);
    else
        again.remove(FieldName::credentialsPassword);
    if (!fields->apiAuthString.isEmpty())
        again.insert(FieldName::apiAuthString, fields->apiAuthString);
    again.remove(FieldName::caFile);
    QString againError;
    const std::optional<TaskFields> reread = TaskFields::fromValues(again, &againError, purpose);
    CHECK(reread && reread->invocationFields() == invocation,
          QStringLiteral("%1: %2 validates to %3 (%4)")
              .arg(context.text(), json(invocation),
                   reread ? json(reread->invocationFields()) : QString(), againError));
    return shown;
}

void checkNoSecret(const QString &shown, const QString &secret, const QByteArray &input,
                   const Context &context)
{
    if (input.contains(secret.toUtf8()))
        return; // the input itself carries it, somewhere it may legitimately show
    CHECK(!shown.contains(secret),
          QStringLiteral("%1: a secret shows:\n%2").arg(context.text(), shown));
}

void checkFields(const QJsonObject &document, const QByteArray &input)
{
    constexpr TaskFields::Purpose purposes[] = {TaskFields::Purpose::LaunchTask,
                                                TaskFields::Purpose::ListWorkspaces,
                                                TaskFields::Purpose::ListDeployments};
    for (const Environment kind : environments) {
        const QJsonObject environment = environmentLayer(kind, primary);
        CHECK(environment.value(FieldName::credentialsPassword).toString() == primary.apiKey,
              json(environment));
        const QJsonObject values = sandboxed(TaskFields::merge({environment, document}));
        // The same fields with every secret changed: the API key and auth string, from whichever
        // layer, become a canary, and the environment URL's password another one.
        const QJsonObject otherSecrets = withCanarySecrets(
            sandboxed(TaskFields::merge({environmentLayer(kind, alternate), document})));
        // Later layers win, key by key, except that a blank value means "not given".
        for (auto it = document.begin(); it != document.end(); ++it) {
            if (it.key() == FieldName::caFile)
                continue;
            const QJsonValue expected = isBlank(it.value()) && environment.contains(it.key())
                ? environment.value(it.key())
                : it.value();
            CHECK(values.value(it.key()) == expected,
                  QStringLiteral("%1 in %2").arg(it.key(), json(values)));
        }

        for (const TaskFields::Purpose purpose : purposes) {
            const Context context{kind, purpose, values};
            const QString shown = shownOutcome(values, context);
            checkNoSecret(shown, primary.apiKey, input, context);
            checkNoSecret(shown, primary.authPassword, input, context);
            checkNoSecret(shown, primary.urlPassword, input, context);

            const QString shownWithOtherSecrets = shownOutcome(otherSecrets, context);
            CHECK(shown == shownWithOtherSecrets,
                  QStringLiteral("%1: what shows depends on the secrets' values:\n%2\n"
                                 "-- with other secrets --\n%3")
                      .arg(context.text(), shown, shownWithOtherSecrets));
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));

    checkServerMessage(input);
    checkRetryAfter(input);
    checkParameters("parameters_json from the raw input", QJsonValue(QString::fromUtf8(input)));

    QString error;
    const std::optional<QJsonObject> document = TaskFields::layerFromDocument(input, &error);
    if (!document) {
        checkError("TaskFields::layerFromDocument", error);
        return 0;
    }
    CHECK(!document->contains(QLatin1String("credentials")), json(*document));
    checkParameters("parameters_json in the document", document->value(FieldName::parametersJson));
    checkFields(*document, input);
    return 0;
}
