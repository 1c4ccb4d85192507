// The desktop front end as a user drives it, offscreen, against the fake Prefect API: the first
// start from the environment, finding a deployment by typing, launching it through the
// generated form, watching the run to its end with its logs and a notification, and the window
// surviving the server going away and coming back.

#include "deploymentbrowser.h"
#include "deploymentdetails.h"
#include "deploymentmodel.h"
#include "fakeprefect.h"
#include "flowrunmodel.h"
#include "flowruntask.h"
#include "launchdialog.h"
#include "mainwindow.h"
#include "parameterform.h"
#include "profilestore.h"
#include "rundetails.h"
#include "runsview.h"
#include "secretstore.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

constexpr int uiTimeoutMs = 30000;

// What the typed flow of the end-to-end suite declares, in Prefect 3's shape.
QJsonObject typedSchema()
{
    return QJsonDocument::fromJson(R"({
        "type": "object", "title": "Parameters",
        "properties": {
            "count": {"title": "count", "type": "integer", "position": 0},
            "label": {"title": "label", "type": "string", "default": "x", "position": 1,
                      "description": "What the run is called in reports"},
            "flag": {"title": "flag", "type": "boolean", "default": false, "position": 2}
        },
        "required": ["count"]
    })")
        .object();
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void firstStartUsesTheEnvironment();
    void typingNarrowsTheDeployments();
    void launchThroughTheFormAndWatchToTheEnd();
    void launchDialogRefusesInvalidInput();
    void serverGoneAndBack();
    void noConnectionSaysWhatToDo();

private:
    void selectDeployment(const QString &fullName);

    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<MainWindow> m_window;
    QList<QPair<QString, QString>> m_notifications;
    QString m_typedId;
};

void TestMainWindow::init()
{
    qRegisterMetaType<FlowRunTask *>();
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_typedId = m_fake->addDeployment(QStringLiteral("ue-typed"), QStringLiteral("typed"),
                                      QJsonObject{{"label", "nightly"}},
                                      QJsonObject{{"parameter_openapi_schema", typedSchema()},
                                                  {"tags", QJsonArray{"ue-e2e"}},
                                                  {"description", "Typed parameters"}});
    m_fake->addDeployment(QStringLiteral("ue-sleep"), QStringLiteral("demo"));
    m_fake->addDeployment(QStringLiteral("ue-etl"), QStringLiteral("daily"));
    m_fake->addDeployment(QStringLiteral("ue-reports"), QStringLiteral("daily"));

    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("gui.ini")),
                                             QSettings::IniFormat);
    m_secrets = std::make_unique<SecretStore>(QStringLiteral("ue-prefect-test-mainwindow"));
    qputenv("PREFECT_API_URL", m_fake->apiUrl().toString().toUtf8());
    qunsetenv("PREFECT_API_KEY");
    qunsetenv("PREFECT_ACCOUNT_ID");
    qunsetenv("PREFECT_API_AUTH_STRING");
    m_notifications.clear();
}

void TestMainWindow::cleanup()
{
    m_window.reset();
    m_secrets.reset();
    m_settings.reset();
    m_dir.reset();
    m_fake.reset();
    qunsetenv("PREFECT_API_URL");
}

void TestMainWindow::selectDeployment(const QString &fullName)
{
    DeploymentBrowser *browser = m_window->deploymentBrowser();
    QSortFilterProxyModel *proxy = browser->proxyModel();
    auto *table = browser->findChild<QTableView *>(QStringLiteral("deploymentTable"));
    QVERIFY(table);
    for (int row = 0; row < proxy->rowCount(); ++row) {
        const QModelIndex index = proxy->index(row, 0);
        if (index.data(Qt::DisplayRole).toString() == fullName) {
            table->setCurrentIndex(index);
            QTRY_COMPARE(m_window->deploymentDetails()->deployment().fullName(), fullName);
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("no row %1").arg(fullName)));
}

void TestMainWindow::firstStartUsesTheEnvironment()
{
    m_window = std::make_unique<MainWindow>(m_settings.get(), m_secrets.get());
    QAbstractItemModelTester tester(m_window->deploymentBrowser()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::Fatal);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->deploymentBrowser()->model()->rowCount(), 4, uiTimeoutMs);
    const QList<ConnectionProfile> profiles = m_window->profileStore()->profiles();
    QCOMPARE(profiles.size(), 1);
    QCOMPARE(profiles.first().apiUrl, m_fake->apiUrl());
    QCOMPARE(m_window->profileStore()->currentProfileName(), profiles.first().name);
    auto *combo = m_window->findChild<QComboBox *>(QStringLiteral("profileCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->currentText(), profiles.first().name);
    QVERIFY(m_window->bannerText().isEmpty());
    // Saved: a second start connects without the environment.
    m_window.reset();
    qunsetenv("PREFECT_API_URL");
    m_window = std::make_unique<MainWindow>(m_settings.get(), m_secrets.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_window->deploymentBrowser()->model()->rowCount(), 4, uiTimeoutMs);
}

void TestMainWindow::typingNarrowsTheDeployments()
{
    m_window = std::make_unique<MainWindow>(m_settings.get(), m_secrets.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_window->deploymentBrowser()->model()->rowCount(), 4, uiTimeoutMs);
    auto *filter = m_window->findChild<QLineEdit *>(QStringLiteral("deploymentFilter"));
    QVERIFY(filter);
    QTest::keyClicks(filter, QStringLiteral("dail"));
    QTRY_COMPARE(m_window->deploymentBrowser()->proxyModel()->rowCount(), 2);
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("TYP"));
    QTRY_COMPARE(m_window->deploymentBrowser()->proxyModel()->rowCount(), 1);
    QCOMPARE(m_window->deploymentBrowser()->proxyModel()->index(0, 0).data().toString(),
             QStringLiteral("ue-typed/typed"));
}

void TestMainWindow::launchThroughTheFormAndWatchToTheEnd()
{
    m_window = std::make_unique<MainWindow>(m_settings.get(), m_secrets.get());
    m_window->setWatchPollSeconds(1);
    m_window->setNotifier([this](const QString &title, const QString &message) {
        m_notifications << qMakePair(title, message);
    });
    QTRY_COMPARE_WITH_TIMEOUT(m_window->deploymentBrowser()->model()->rowCount(), 4, uiTimeoutMs);
    selectDeployment(QStringLiteral("ue-typed/typed"));

    auto *launchButton =
        m_window->deploymentDetails()->findChild<QPushButton *>(QStringLiteral("launchButton"));
    QVERIFY(launchButton);
    QTest::mouseClick(launchButton, Qt::LeftButton);
    LaunchDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<LaunchDialog *>()) && dialog->isVisible());

    // The form shows the deployment's default over the schema's, and wants the required count.
    auto *label = dialog->findChild<QLineEdit *>(QStringLiteral("param_label"));
    QVERIFY(label);
    QCOMPARE(label->text(), QStringLiteral("nightly"));
    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("launchRunButton"));
    QVERIFY(run);
    QVERIFY(!run->isEnabled());
    // Typed as a user would; the flag keeps its default.
    auto *count = dialog->findChild<QLineEdit *>(QStringLiteral("param_count"));
    QVERIFY(count);
    QTest::keyClicks(count, QStringLiteral("7"));
    label->clear();
    QTest::keyClicks(label, QStringLiteral("from-the-form"));
    auto *tags = dialog->findChild<QLineEdit *>(QStringLiteral("tagsEdit"));
    QTest::keyClicks(tags, QStringLiteral("manual, gui"));
    QTRY_VERIFY(run->isEnabled());
    QVERIFY2(run->text().contains(QStringLiteral("ue-typed/typed")), qPrintable(run->text()));
    QVERIFY2(run->text().contains(QStringLiteral("2 changed")), qPrintable(run->text()));
    QVERIFY2(run->text().contains(QStringLiteral("watch")), qPrintable(run->text()));

    m_fake->setStateScript({"SCHEDULED", "RUNNING", "RUNNING", "COMPLETED"});
    QSignalSpy finished(m_window.get(), &MainWindow::taskFinished);
    QTest::mouseClick(run, Qt::LeftButton);

    // Exactly one run, with what the form said.
    QTRY_COMPARE_WITH_TIMEOUT(m_fake->flowRunIds().size(), 1, uiTimeoutMs);
    const QString runId = m_fake->flowRunIds().first();
    const QJsonObject created = m_fake->flowRun(runId);
    QCOMPARE(created.value("deployment_id").toString(), m_typedId);
    QCOMPARE(created.value("parameters").toObject(),
             (QJsonObject{{"count", 7}, {"label", "from-the-form"}, {"flag", false}}));
    QCOMPARE(created.value("tags").toArray(), (QJsonArray{"manual", "gui"}));
    m_fake->addLog(runId, 20, QStringLiteral("first line from the flow"),
                   QDateTime::currentDateTimeUtc());

    // The run is selected in the runs view and its logs follow while it runs.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->runDetails()->run().id, runId, uiTimeoutMs);
    auto *logs = m_window->runDetails()->findChild<QPlainTextEdit *>(QStringLiteral("runLogs"));
    QVERIFY(logs);
    QTRY_VERIFY_WITH_TIMEOUT(
        logs->toPlainText().contains(QStringLiteral("first line from the flow")), uiTimeoutMs);
    m_fake->addLog(runId, 40, QStringLiteral("second line, an error"),
                   QDateTime::currentDateTimeUtc().addMSecs(5));
    QTRY_VERIFY_WITH_TIMEOUT(logs->toPlainText().contains(QStringLiteral("second line, an error")),
                             uiTimeoutMs);

    // To the end: the task reports success and the user is told once.
    QVERIFY(finished.wait(uiTimeoutMs) || finished.size() == 1);
    QCOMPARE(finished.size(), 1);
    auto *task = finished.first().first().value<FlowRunTask *>();
    QVERIFY(task);
    QCOMPARE(task->result().exitCodeValue(), 0);
    QCOMPARE(task->outputFields().flowRunState, QStringLiteral("COMPLETED"));
    QTRY_COMPARE(m_notifications.size(), 1);
    QVERIFY2(m_notifications.first().first.contains(QStringLiteral("COMPLETED")),
             qPrintable(m_notifications.first().first));
    FlowRunModel *runs = m_window->runsView()->model();
    QTRY_COMPARE_WITH_TIMEOUT(
        runs->index(runs->rowOf(runId), 0).data(FlowRunModel::StateTypeRole).toString(),
        QStringLiteral("COMPLETED"), uiTimeoutMs);
    // The runs list sees the same end, and does not announce it a second time.
    m_window->runsView()->refresh();
    QTest::qWait(0);
    QCOMPARE(m_notifications.size(), 1);
    QCOMPARE(m_fake->flowRunIds().size(), 1);
    // The deployment's last runs (and their chart) take in the run that has just ended.
    const auto detailsShowRun = [&] {
        const QList<FlowRun> lastRuns = m_window->deploymentDetails()->runs();
        return !lastRuns.isEmpty() && lastRuns.first().id == runId
            && lastRuns.first().stateType == QLatin1String("COMPLETED");
    };
    QTRY_VERIFY_WITH_TIMEOUT(detailsShowRun(), uiTimeoutMs);
}

void TestMainWindow::launchDialogRefusesInvalidInput()
{
    m_window = std::make_unique<MainWindow>(m_settings.get(), m_secrets.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_window->deploymentBrowser()->model()->rowCount(), 4, uiTimeoutMs);
    selectDeployment(QStringLiteral("ue-typed/typed"));
    LaunchDialog *dialog = m_window->openLaunchDialog(m_window->deploymentDetails()->deployment());
    auto *run = dialog->findChild<QPushButton *>(QStringLiteral("launchRunButton"));
    dialog->parameterForm()->setValues(QJsonObject{{"count", 3}});
    QTRY_VERIFY(run->isEnabled());
    QVERIFY(!dialog->validationError());

    // Context must be a JSON object: the same check as the CLI's parameters_json.
    auto *context = dialog->findChild<QPlainTextEdit *>(QStringLiteral("contextEditor"));
    QVERIFY(context);
    context->setPlainText(QStringLiteral("[1, 2]"));
    QTRY_VERIFY(!run->isEnabled());
    const std::optional<QString> error = dialog->validationError();
    QVERIFY(error);
    QVERIFY2(error->contains(QStringLiteral("Context")), qPrintable(*error));
    auto *errorLabel = dialog->findChild<QWidget *>(QStringLiteral("launchError"));
    QVERIFY(errorLabel && errorLabel->isVisibleTo(dialog));
    context->setPlainText(QStringLiteral("{\"source\": \"gui\"}"));
    QTRY_VERIFY(run->isEnabled());
    const QJsonObject parametersJson =
        dialog->taskFieldValues().value(QStringLiteral("parameters_json")).toObject();
    QCOMPARE(parametersJson.value("context").toObject(), (QJsonObject{{"source", "gui"}}));
    QCOMPARE(parametersJson.value("parameters").toObject().value("count").toInt(), 3);

    // An empty required parameter: nothing can be launched.
    dialog->parameterForm()->setValues(QJsonObject{});
    QTRY_VERIFY(!run->isEnabled());
    dialog->reject();
    QCOMPARE(m_fake->flowRunIds().size(), 0);
}

void TestMainWindow::serverGoneAndBack()
{
    m_window = std::make_unique<MainWindow>(m_settings.get(), m_secrets.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_window->deploymentBrowser()->model()->rowCount(), 4, uiTimeoutMs);

    // The network goes: every request is dropped.
    bool down = true;
    m_fake->setOverride([&down](const HttpRequest &) -> std::optional<HttpResponse> {
        if (down)
            return HttpResponse::json(503, QJsonObject{{"detail", "Service Unavailable"}});
        return std::nullopt;
    });
    m_window->reload();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->bannerText().isEmpty(), uiTimeoutMs);
    QVERIFY2(m_window->bannerText().contains(QStringLiteral("503")),
             qPrintable(m_window->bannerText()));
    auto *retry = m_window->findChild<QPushButton *>(QStringLiteral("errorBannerRetry"));
    QVERIFY(retry && retry->isVisibleTo(m_window.get()));
    // The window still answers while the server is gone.
    auto *filter = m_window->findChild<QLineEdit *>(QStringLiteral("deploymentFilter"));
    QTest::keyClicks(filter, QStringLiteral("x"));
    QCOMPARE(filter->text(), QStringLiteral("x"));
    filter->clear();

    // It comes back: the banner goes and the deployments are there again, with no click.
    down = false;
    QTRY_VERIFY_WITH_TIMEOUT(m_window->bannerText().isEmpty(), uiTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->deploymentBrowser()->model()->rowCount(), 4, uiTimeoutMs);
}

void TestMainWindow::noConnectionSaysWhatToDo()
{
    qunsetenv("PREFECT_API_URL");
    m_window = std::make_unique<MainWindow>(m_settings.get(), m_secrets.get());
    QVERIFY2(m_window->bannerText().contains(QStringLiteral("New connection")),
             qPrintable(m_window->bannerText()));
    QCOMPARE(m_window->deploymentBrowser()->model()->rowCount(), 0);
    QVERIFY(m_fake->requestsTo(QStringLiteral("/")).isEmpty());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
