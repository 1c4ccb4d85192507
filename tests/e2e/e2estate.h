#pragma once

#include <QDir>
#include <QFile>
#include <QString>

// A file the end-to-end fixture (tests/e2e/fixture) left in its state folder: api_url,
// gateway_url, prefect_version, unavailable. Empty when there is none.
inline QString readE2eState(const QString &name)
{
    QFile file(QDir(qEnvironmentVariable("UE_PREFECT_E2E_STATE")).filePath(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed();
}
