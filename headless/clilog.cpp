#include "clilog.h"

#include <QDateTime>
#include <QMutex>

#include <cstdio>

Q_LOGGING_CATEGORY(lcCli, "ue-prefect", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "ue-prefect.http", QtWarningMsg)

namespace {

QMutex secretsMutex;
QStringList &secretList()
{
    static QStringList secrets;
    return secrets;
}

// A line per message: a state message may carry a whole traceback.
QString oneLine(QString text)
{
    while (text.endsWith(u'\n'))
        text.chop(1);
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    text.replace(u'\n', QStringLiteral(" \\n "));
    return text;
}

void handleMessage(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    QString prefix;
    if (type == QtWarningMsg)
        prefix = QStringLiteral("warning: ");
    else if (type == QtCriticalMsg || type == QtFatalMsg)
        prefix = QStringLiteral("error: ");
    const QString line = QDateTime::currentDateTime().toString(Qt::ISODateWithMs) + u' ' + prefix
        + CliLog::redacted(oneLine(message)) + u'\n';
    const QByteArray bytes = line.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

} // namespace

namespace CliLog {

void install(Level level)
{
    qInstallMessageHandler(handleMessage);
    switch (level) {
    case Level::Quiet:
        QLoggingCategory::setFilterRules(QStringLiteral("ue-prefect.info=false\n"
                                                        "ue-prefect.http.info=false"));
        break;
    case Level::Normal:
        break;
    case Level::Verbose:
        QLoggingCategory::setFilterRules(QStringLiteral("ue-prefect.http.info=true"));
        break;
    }
}

void addSecrets(const QStringList &secrets)
{
    QMutexLocker locker(&secretsMutex);
    for (const QString &secret : secrets) {
        if (!secret.isEmpty() && !secretList().contains(secret))
            secretList() << secret;
    }
}

QString redacted(QString text)
{
    QMutexLocker locker(&secretsMutex);
    for (const QString &secret : std::as_const(secretList()))
        text.replace(secret, QStringLiteral("****"));
    return text;
}

} // namespace CliLog
