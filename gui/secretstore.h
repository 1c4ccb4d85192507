#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace QKeychain {
class Job;
}

// Secrets (API keys, Basic passwords) in the desktop's keychain through QtKeychain, never in
// a plain file. When no keychain answers (no Secret Service on D-Bus), a secret is kept in
// memory for this session only, and the store says so; there is no insecure fallback.
// Every operation is asynchronous and answers with a signal.
class SecretStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    static QString defaultService() { return QStringLiteral("ue-prefect"); }

    explicit SecretStore(const QString &service = defaultService(), QObject *parent = nullptr);

    QString service() const { return m_service; }
    // False once the keychain failed to answer: secrets then last only until the app quits.
    bool isPersistent() const { return m_persistent; }
    QString unavailableMessage() const { return m_unavailableMessage; }

    void writeSecret(const QString &key, const QString &secret);
    void readSecret(const QString &key);
    void deleteSecret(const QString &key);

signals:
    // persisted: the keychain holds it; otherwise only this session's memory does.
    void secretWritten(const QString &key, bool persisted);
    // An empty secret when there is none.
    void secretRead(const QString &key, const QString &secret);
    void secretDeleted(const QString &key);
    // Once, the first time the keychain fails to answer.
    void keychainUnavailable(const QString &message);

private:
    void keychainFailed(const QKeychain::Job *job);

    QString m_service;
    bool m_persistent = true;
    QString m_unavailableMessage;
    // What this session wrote: read back without a keychain round trip, and the only copy when
    // no keychain answers.
    QHash<QString, QString> m_sessionSecrets;
};
