#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

// One line of a flow run's log (POST /logs/filter).
class LogEntry
{
public:
    static LogEntry fromJson(const QJsonObject &object);
    static QList<LogEntry> listFromJson(const QJsonArray &array);
    // "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", or the number for other levels.
    static QString levelName(int level);

    QString id;
    QString flowRunId;
    QString loggerName;
    int level = 0;
    QString message;
    QDateTime timestamp; // UTC

    QString levelName() const { return levelName(level); }
    // "2026-12-04T05:01:02.123Z INFO    message": one line for stderr or a log view.
    QString toLine() const;
    // {"timestamp", "level", "logger", "message"}, for the Extension Output.
    QJsonObject toJson() const;
};
