#include "cliapplication.h"
#include "version.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ue-prefect"));
    QCoreApplication::setApplicationVersion(QStringLiteral(UE_PREFECT_VERSION));

    CliApplication cli;
    QObject::connect(&cli, &CliApplication::finished, &app, &QCoreApplication::exit);
    cli.start(QCoreApplication::arguments());
    return QCoreApplication::exec();
}
