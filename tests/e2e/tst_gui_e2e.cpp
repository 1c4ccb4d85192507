// The desktop front end against a real Prefect server (the e2e fixture's): a new user finds the
// demo deployment by typing part of its name, changes a parameter in the generated form,
// launches it and watches the run reach COMPLETED with its logs. With UE_PREFECT_SCREENSHOT
// set, the window is saved there as a PNG at the end (scripts/screenshot).

#include "deploymentbrowser.h"
#include "deploymentdetails.h"
#include "deploymentmodel.h"
#include "e2estate.h"
#include "flowrunmodel.h"
#include "flowruntask.h"
#include "launchdialog.h"
#include "mainwindow.h"
#include "rundetails.h"
#include "runsview.h"
#include "secretstore.h"

#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

namespace {

// A real run: the served flow process picks it up within a few seconds, then sleeps.
constexpr int runTimeoutMs = 180000;

} // namespace

class TestGuiEndToEnd : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void findLaunchAndWatch();

private:
    QString m_apiUrl;
    QTemporaryDir m_dir;
};

void TestGuiEndToEnd::initTestCase()
{
    qRegisterMetaType<FlowRunTask *>();
    const QString unavailable = readE2eState(QStringLiteral("unavailable"));
    if (!unavailable.isEmpty()) {
        if (qEnvironmentVariableIntValue("UE_PREFECT_REQUIRE_REAL_SERVER"))
            QFAIL(qPrintable(QStringLiteral("no real Prefect server: %1").arg(unavailable)));
        QSKIP(qPrintable(QStringLiteral("no real Prefect server: %1").arg(unavailable)));
    }
    m_apiUrl = readE2eState(QStringLiteral("api_url"));
    QVERIFY2(!m_apiUrl.isEmpty(), "the fixture did not leave an api_url");
    QVERIFY(m_dir.isValid());
    for (const char *name : {"PREFECT_API_KEY", "PREFECT_ACCOUNT_ID", "PREFECT_API_AUTH_STRING",
                             "PREFECT_PROFILES_PATH"}) {
        qunsetenv(name);
    }
    qputenv("PREFECT_API_URL", m_apiUrl.toUtf8());
    qInfo("Prefect %s at %s", qPrintable(readE2eState(QStringLiteral("prefect_version"))),
          qPrintable(m_apiUrl));
}

void TestGuiEndToEnd::findLaunchAndWatch()
{
    QSettings settings(m_dir.filePath(QStringLiteral("gui.ini")), QSettings::IniFormat);
    SecretStore secrets(QStringLiteral("ue-prefect-test-gui-e2e"));
    MainWindow window(&settings, &secrets);
    window.setWatchPollSeconds(1);
    QStringList notifications;
    window.setNotifier(
        [&notifications](const QString &title, const QString &) { notifications << title; });
    window.resize(1400, 860);
    window.show();

    // Every served deployment arrives from the real server.
    DeploymentBrowser *browser = window.deploymentBrowser();
    QTRY_VERIFY_WITH_TIMEOUT(browser->model()->rowCount() >= 6 && !browser->isLoading(), 60000);
    auto *filter = window.findChild<QLineEdit *>(QStringLiteral("deploymentFilter"));
    QVERIFY(filter);
    QTest::keyClicks(filter, QStringLiteral("sleep/de"));
    QTRY_COMPARE(browser->proxyModel()->rowCount(), 1);
    auto *table = browser->findChild<QTableView *>(QStringLiteral("deploymentTable"));
    table->setCurrentIndex(browser->proxyModel()->index(0, 0));
    QTRY_COMPARE(window.deploymentDetails()->deployment().fullName(),
                 QStringLiteral("ue-sleep/demo"));

    auto *launch =
        window.deploymentDetails()->findChild<QPushButton *>(QStringLiteral("launchButton"));
    QVERIFY(launch);
    QTest::mouseClick(launch, Qt::LeftButton);
    LaunchDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<LaunchDialog *>()) && dialog->isVisible());
    // The form comes from the real server's schema: "seconds" is an integer, default 2.
    auto *seconds = dialog->findChild<QLineEdit *>(QStringLiteral("param_seconds"));
    QVERIFY(seconds);
    QCOMPARE(seconds->text(), QStringLiteral("2"));
    seconds->selectAll();
    QTest::keyClicks(seconds, QStringLiteral("1"));
    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("launchRunButton"));
    QTRY_VERIFY(run->isEnabled());
    QVERIFY2(run->text().contains(QStringLiteral("1 changed")), qPrintable(run->text()));

    QSignalSpy finished(&window, &MainWindow::taskFinished);
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY(finished.wait(runTimeoutMs));
    auto *task = finished.first().first().value<FlowRunTask *>();
    QCOMPARE(task->result().statusDescription(), QStringLiteral("Task executed successfully."));
    QCOMPARE(task->outputFields().flowRunState, QStringLiteral("COMPLETED"));
    QCOMPARE(task->flowRun().parameters.value(QStringLiteral("seconds")).toInt(), 1);
    const QString runId = task->outputFields().flowRunId;

    // The runs view shows it COMPLETED, and its logs carry the flow's own last line.
    FlowRunModel *runs = window.runsView()->model();
    QTRY_COMPARE_WITH_TIMEOUT(
        runs->index(runs->rowOf(runId), 0).data(FlowRunModel::StateTypeRole).toString(),
        QStringLiteral("COMPLETED"), 30000);
    QTRY_COMPARE(window.runDetails()->run().id, runId);
    auto *logs = window.runDetails()->findChild<QPlainTextEdit *>(QStringLiteral("runLogs"));
    QVERIFY(logs);
    QTRY_VERIFY_WITH_TIMEOUT(logs->toPlainText().contains(QStringLiteral("Finished in state")),
                             60000);
    QCOMPARE(notifications.size(), 1);
    QVERIFY2(notifications.first().contains(QStringLiteral("COMPLETED")),
             qPrintable(notifications.first()));
    QVERIFY(window.bannerText().isEmpty());

    const QString screenshot = qEnvironmentVariable("UE_PREFECT_SCREENSHOT");
    if (!screenshot.isEmpty()) {
        filter->clear();
        QTRY_VERIFY(browser->proxyModel()->rowCount() >= 6);
        for (int row = 0; row < browser->proxyModel()->rowCount(); ++row) {
            const QModelIndex index = browser->proxyModel()->index(row, 0);
            if (index.data().toString() == QStringLiteral("ue-sleep/demo"))
                table->setCurrentIndex(index);
        }
        window.runsView()->selectRun(runId);
        // What the picture shows has arrived: the deployment's runs and this run's states.
        QTRY_VERIFY(!window.deploymentDetails()->isLoadingRuns()
                    && !window.deploymentDetails()->runs().isEmpty());
        QTRY_VERIFY(!window.runDetails()->states().isEmpty());
        QVERIFY(window.grab().save(screenshot));
        qInfo("screenshot saved to %s", qPrintable(screenshot));
    }
}

QTEST_MAIN(TestGuiEndToEnd)
#include "tst_gui_e2e.moc"
