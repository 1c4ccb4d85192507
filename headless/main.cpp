#include "cliapplication.h"
#include "version.h"

#include <QCoreApplication>
#include <QNetworkProxyFactory>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ue-prefect"));
    QCoreApplication::setApplicationVersion(QStringLiteral(UE_PREFECT_VERSION));

    // https_proxy, http_proxy and no_proxy from the environment, as every other client honours.
    QNetworkProxyFactory::setUseSystemConfiguration(true);

    CliApplication cli;
    QObject::connect(&cli, &CliApplication::finished, &app, &QCoreApplication::exit);
    cli.start(QCoreApplication::arguments());
    return QCoreApplication::exec();
}
