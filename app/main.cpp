#include "mainwindow.h"
#include "version.h"

#include <QApplication>
#include <QIcon>
#include <QNetworkProxyFactory>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ue-prefect-gui"));
    QApplication::setOrganizationName(QStringLiteral("ue-prefect"));
    QApplication::setApplicationDisplayName(QStringLiteral("ue-prefect"));
    QApplication::setApplicationVersion(QStringLiteral(UE_PREFECT_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("ue-prefect-gui"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/ue-prefect-gui.png")));
    // https_proxy, http_proxy and no_proxy from the environment, as the CLI does.
    QNetworkProxyFactory::setUseSystemConfiguration(true);

    MainWindow window;
    window.show();
    return QApplication::exec();
}
