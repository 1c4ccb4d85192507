#include "secretstore.h"

#include "messagetext.h"

#include <qt6keychain/keychain.h>

SecretStore::SecretStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
}

void SecretStore::writeSecret(const QString &key, const QString &secret)
{
    m_sessionSecrets.insert(key, secret);
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setInsecureFallback(false);
    job->setKey(key);
    job->setTextData(secret);
    connect(job, &QKeychain::Job::finished, this, [this, key](QKeychain::Job *finished) {
        const bool persisted = finished->error() == QKeychain::NoError;
        if (!persisted)
            keychainFailed(finished);
        emit secretWritten(key, persisted);
    });
    job->start();
}

void SecretStore::readSecret(const QString &key)
{
    if (m_sessionSecrets.contains(key)) {
        // Still from the event loop, as a keychain answer would be.
        QMetaObject::invokeMethod(
            this, [this, key] { emit secretRead(key, m_sessionSecrets.value(key)); },
            Qt::QueuedConnection);
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [this, key](QKeychain::Job *finished) {
        QString secret;
        if (finished->error() == QKeychain::NoError)
            secret = static_cast<QKeychain::ReadPasswordJob *>(finished)->textData();
        else if (finished->error() != QKeychain::EntryNotFound)
            keychainFailed(finished);
        emit secretRead(key, secret);
    });
    job->start();
}

void SecretStore::deleteSecret(const QString &key)
{
    m_sessionSecrets.remove(key);
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [this, key](QKeychain::Job *finished) {
        if (finished->error() != QKeychain::NoError
            && finished->error() != QKeychain::EntryNotFound)
            keychainFailed(finished);
        emit secretDeleted(key);
    });
    job->start();
}

void SecretStore::keychainFailed(const QKeychain::Job *job)
{
    if (!m_persistent)
        return;
    m_persistent = false;
    m_unavailableMessage =
        QStringLiteral("No keychain answered (%1): secrets are kept for this session only and "
                       "will be asked for again after a restart.")
            .arg(MessageText::printable(job->errorString(), 120));
    emit keychainUnavailable(m_unavailableMessage);
}
