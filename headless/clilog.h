#pragma once

#include <QLoggingCategory>
#include <QStringList>

Q_DECLARE_LOGGING_CATEGORY(lcCli)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)

// Standard error for people: one timestamped line per message, secrets replaced by "****".
namespace CliLog {

enum class Level { Quiet, Normal, Verbose };

void install(Level level);
// Every later message is scrubbed of these strings.
void addSecrets(const QStringList &secrets);
QString redacted(QString text);

} // namespace CliLog
