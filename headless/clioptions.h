#pragma once

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>

#include <optional>

// The command line of ue-prefect: options and what they mean as UAC field values.
class CliOptions
{
public:
    enum class Command { Launch, Workspaces, Deployments };

    CliOptions();

    // False with errorText() for a command line that cannot be read at all.
    bool parse(const QStringList &arguments);
    QString errorText() const { return m_errorText; }
    bool isHelpRequested() const;
    bool isVersionRequested() const;
    QString helpText() const { return m_parser.helpText(); }

    Command command() const { return m_command; }
    bool events() const;
    bool json() const;
    bool verbose() const;
    bool quiet() const;
    QString extensionOutputFile() const;

    // The --fields document (a file, or standard input for "-"); nothing when not given.
    std::optional<QJsonObject> fieldsLayer(QString *error) const;
    // The options given, as field values; reads --api-key-file and --parameters @FILE.
    std::optional<QJsonObject> optionsLayer(QString *error) const;

private:
    QCommandLineParser m_parser;
    QString m_errorText;
    Command m_command = Command::Launch;
};
