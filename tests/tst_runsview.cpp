// The runs side of the desktop front end: the runs model, the runs view against the fake
// Prefect API, and the run details (states, followed logs, cancel, open in the UI).

#include "fakeprefect.h"
#include "flowrunmodel.h"
#include "prefectclient.h"
#include "prefectreply.h"
#include "rundetails.h"
#include "runsview.h"
#include "statebadgedelegate.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

#include <memory>

namespace {

const QDateTime baseTime = QDateTime(QDate(2026, 12, 4), QTime(5, 0), Qt::UTC);

FlowRun makeRun(const QString &id, const QString &stateType, int startOffsetSeconds = 0,
                int durationSeconds = -1)
{
    FlowRun run;
    run.id = id;
    run.name = QStringLiteral("run-") + id;
    run.stateType = stateType;
    run.stateName = stateType.left(1) + stateType.mid(1).toLower();
    run.startTime = baseTime.addSecs(startOffsetSeconds);
    if (durationSeconds >= 0) {
        run.endTime = run.startTime.addSecs(durationSeconds);
        run.totalRunTimeSeconds = durationSeconds;
    }
    run.tags = QStringList{QStringLiteral("tag-") + id};
    return run;
}

QStringList idsOf(const FlowRunModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids << model.index(row, 0).data(FlowRunModel::FlowRunIdRole).toString();
    return ids;
}

template<typename Action> bool waitFor(PrefectReply *reply, Action &&action)
{
    QSignalSpy finished(reply, &PrefectReply::finished);
    if (!finished.wait(10000))
        return false;
    action(reply);
    return true;
}

} // namespace

class TestRunsView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // FlowRunModel
    void modelPassesTheModelTester();
    void refreshUpdatesInPlace();
    void refreshKeepsTheSelectedRun();
    void cellsAndRoles();
    void formatDuration_data();
    void formatDuration();
    void liveDurationTicks();

    // RunsView against the fake
    void runsViewFollowsStateToCompleted();
    void badgeFitsItsSizeHint_data();
    void badgeFitsItsSizeHint();
    void runsViewFiltersByDeployment();
    void runsViewReportsRefreshFailure();
    void runsViewEmitsRunSelected();

    // RunDetails
    void detailsListStates();
    void detailsShowParameters();
    void detailsFollowLogs();
    void detailsLogViewStaysWhereTheUserScrolled();
    void cancelAccepted();
    void cancelDeclined();
    void cancelDisabledForTerminalRuns();
    void openInUi_data();
    void openInUi();

private:
    QString launch(const QString &deploymentId, const QString &name = {});
    void addLog(const QString &flowRunId, const QString &message);
    FlowRun readRun(const QString &flowRunId);

    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<PrefectClient> m_client;
    QString m_deploymentId;
};

void TestRunsView::init()
{
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<PrefectClient>(m_network.get());
    Connection connection;
    connection.setApiBase(m_fake->apiUrl());
    m_client->setConnection(connection);
    m_deploymentId = m_fake->addDeployment(QStringLiteral("etl"), QStringLiteral("nightly"),
                                           QJsonObject{{"date", "2026-12-04"}});
}

void TestRunsView::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_fake.reset();
}

QString TestRunsView::launch(const QString &deploymentId, const QString &name)
{
    FlowRunRequest request;
    request.name = name;
    request.tags = QStringList{QStringLiteral("gui-test")};
    QString id;
    const bool done =
        waitFor(m_client->createFlowRun(deploymentId, request), [&](PrefectReply *reply) {
            if (!reply->hasError())
                id = FlowRun::fromJson(reply->json().toObject()).id;
        });
    if (!done || id.isEmpty())
        qWarning() << "creating a flow run on the fake failed";
    return id;
}

FlowRun TestRunsView::readRun(const QString &flowRunId)
{
    FlowRun run;
    waitFor(m_client->readFlowRun(flowRunId),
            [&](PrefectReply *reply) { run = FlowRun::fromJson(reply->json().toObject()); });
    return run;
}

void TestRunsView::addLog(const QString &flowRunId, const QString &message)
{
    m_fake->addLog(flowRunId, 20, message);
}

// --- FlowRunModel -------------------------------------------------------------------------------

void TestRunsView::modelPassesTheModelTester()
{
    FlowRunModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(FlowRunModel::SortRole);
    proxy.sort(FlowRunModel::StartColumn, Qt::DescendingOrder);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::Fatal);

    const FlowRun a = makeRun("a", "COMPLETED", 0, 10);
    const FlowRun b = makeRun("b", "RUNNING", 20);
    const FlowRun c = makeRun("c", "SCHEDULED", 30);
    const FlowRun d = makeRun("d", "PENDING", 40);
    FlowRun bDone = b;
    bDone.stateType = "FAILED";
    bDone.stateName = "Failed";
    bDone.endTime = b.startTime.addSecs(5);

    const QList<QList<FlowRun>> refreshes{
        {c, b, a},
        {d, c, bDone, a}, // one added on top, one changed
        {d, bDone}, // two removed, one of them in the middle
        {bDone, d, a}, // moved and added at the bottom
        {a, a, d}, // the same run twice is shown once
        {},
        {a, b, c, d},
    };
    for (const QList<FlowRun> &runs : refreshes) {
        model.setRuns(runs);
        QStringList expected;
        for (const FlowRun &run : runs) {
            if (!expected.contains(run.id))
                expected << run.id;
        }
        QCOMPARE(idsOf(model), expected);
        QCOMPARE(proxy.rowCount(), expected.size());
    }
}

void TestRunsView::refreshUpdatesInPlace()
{
    FlowRunModel model;
    model.setRuns({makeRun("a", "RUNNING", 0), makeRun("b", "COMPLETED", -60, 30),
                   makeRun("c", "SCHEDULED", 60)});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    FlowRun aDone = makeRun("a", "COMPLETED", 0, 42);
    model.setRuns({makeRun("new", "PENDING", 120), aDone, makeRun("b", "COMPLETED", -60, 30)});

    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0); // at the top, one row
    QCOMPARE(inserted.at(0).at(2).toInt(), 0);
    QCOMPARE(removed.count(), 1); // c
    QCOMPARE(idsOf(model), (QStringList{"new", "a", "b"}));
    // Only a changed; b came back identical and must not repaint.
    QList<int> changedRows;
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const QModelIndex topLeft = args.at(0).toModelIndex();
        changedRows << topLeft.row();
    }
    QVERIFY(changedRows.contains(1));
    QVERIFY(!changedRows.contains(2));
    QCOMPARE(model.index(1, FlowRunModel::StateColumn).data().toString(), QString("Completed"));
    QCOMPARE(model.index(1, FlowRunModel::DurationColumn).data().toString(), QString("42s"));
    QCOMPARE(model.rowOf("b"), 2);
    QCOMPARE(model.rowOf("c"), -1);
    QCOMPARE(model.runAt(0).id, QString("new"));
    QVERIFY(!model.runAt(3).isValid());
}

void TestRunsView::refreshKeepsTheSelectedRun()
{
    FlowRunModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(FlowRunModel::SortRole);
    proxy.setDynamicSortFilter(true);
    proxy.sort(FlowRunModel::StartColumn, Qt::DescendingOrder);
    QTableView view;
    view.setModel(&proxy);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);

    model.setRuns({makeRun("a", "RUNNING", 0), makeRun("b", "RUNNING", -60),
                   makeRun("c", "COMPLETED", -120, 10)});
    const QModelIndex b = proxy.mapFromSource(model.index(model.rowOf("b"), 0));
    view.selectionModel()->setCurrentIndex(
        b, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

    const auto selectedId = [&] {
        return view.selectionModel()->currentIndex().data(FlowRunModel::FlowRunIdRole).toString();
    };
    QCOMPARE(selectedId(), QString("b"));

    // Two new runs on top, b ends, c falls out of the list: b stays selected.
    model.setRuns({makeRun("e", "PENDING", 120), makeRun("d", "RUNNING", 60),
                   makeRun("a", "RUNNING", 0), makeRun("b", "COMPLETED", -60, 50)});
    QCOMPARE(selectedId(), QString("b"));
    QCOMPARE(view.selectionModel()->selectedRows().size(), 1);
    QCOMPARE(
        view.selectionModel()->selectedRows().at(0).data(FlowRunModel::FlowRunIdRole).toString(),
        QString("b"));
    QCOMPARE(view.selectionModel()
                 ->currentIndex()
                 .siblingAtColumn(FlowRunModel::StateColumn)
                 .data()
                 .toString(),
             QString("Completed"));
}

void TestRunsView::cellsAndRoles()
{
    FlowRunModel model;
    model.setClock([] { return baseTime.addSecs(125); });
    FlowRun running = makeRun("r", "RUNNING", 0);
    running.stateMessage = "Working hard";
    running.tags = {"x", "y"};
    FlowRun scheduled = makeRun("s", "SCHEDULED");
    scheduled.startTime = {};
    scheduled.expectedStartTime = baseTime.addSecs(3600);
    model.setRuns({running, scheduled});

    QCOMPARE(model.columnCount(), int(FlowRunModel::ColumnCount));
    QCOMPARE(model.headerData(FlowRunModel::StateColumn, Qt::Horizontal).toString(),
             QString("State"));
    const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
        return model.index(row, column).data(role);
    };
    QCOMPARE(cell(0, FlowRunModel::NameColumn).toString(), QString("run-r"));
    QCOMPARE(cell(0, FlowRunModel::StateColumn).toString(), QString("Running"));
    QCOMPARE(cell(0, FlowRunModel::StateColumn, Qt::ToolTipRole).toString(),
             QString("Working hard"));
    QCOMPARE(cell(0, FlowRunModel::StateColumn, FlowRunModel::StateTypeRole).toString(),
             QString("RUNNING"));
    QCOMPARE(cell(0, FlowRunModel::TagsColumn, FlowRunModel::FlowRunIdRole).toString(),
             QString("r"));
    QCOMPARE(cell(0, FlowRunModel::StartColumn, FlowRunModel::SortRole).toDateTime(), baseTime);
    QCOMPARE(cell(0, FlowRunModel::StartColumn).toString(),
             baseTime.toLocalTime().toString("yyyy-MM-dd HH:mm:ss"));
    QCOMPARE(cell(0, FlowRunModel::DurationColumn).toString(), QString("2m 05s"));
    QCOMPARE(cell(0, FlowRunModel::DurationColumn, FlowRunModel::SortRole).toDouble(), 125.0);
    QCOMPARE(cell(0, FlowRunModel::TagsColumn).toString(), QString("x, y"));
    // Not started: the expected start, and no duration.
    QCOMPARE(cell(1, FlowRunModel::StartColumn, FlowRunModel::SortRole).toDateTime(),
             baseTime.addSecs(3600));
    QCOMPARE(cell(1, FlowRunModel::StartColumn, Qt::ToolTipRole).toString(),
             QString("Expected start"));
    QVERIFY(cell(1, FlowRunModel::DurationColumn).toString().isEmpty());
}

void TestRunsView::formatDuration_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << 0.0 << "0s";
    QTest::newRow("rounded") << 12.6 << "13s";
    QTest::newRow("minutes") << 185.0 << "3m 05s";
    QTest::newRow("hours") << 7384.0 << "2h 03m 04s";
    QTest::newRow("negative clock skew") << -3.0 << "0s";
}

void TestRunsView::formatDuration()
{
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(FlowRunModel::formatDuration(seconds), text);
}

void TestRunsView::liveDurationTicks()
{
    FlowRunModel model;
    QDateTime now = baseTime.addSecs(10);
    model.setClock([&now] { return now; });
    model.setRuns({makeRun("live", "RUNNING", 0), makeRun("done", "COMPLETED", 0, 5)});
    QCOMPARE(model.index(0, FlowRunModel::DurationColumn).data().toString(), QString("10s"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    now = baseTime.addSecs(70);
    QVERIFY(changed.wait(5000));
    // Only the live run's Duration cell moves on.
    for (const QList<QVariant> &args : std::as_const(changed)) {
        QCOMPARE(args.at(0).toModelIndex().row(), 0);
        QCOMPARE(args.at(0).toModelIndex().column(), int(FlowRunModel::DurationColumn));
    }
    QCOMPARE(model.index(0, FlowRunModel::DurationColumn).data().toString(), QString("1m 10s"));
    QCOMPARE(model.index(1, FlowRunModel::DurationColumn).data().toString(), QString("5s"));
}

// --- RunsView ------------------------------------------------------------------------------------

void TestRunsView::runsViewFollowsStateToCompleted()
{
    m_fake->setStateScript({"RUNNING", "RUNNING", "COMPLETED"});
    const QString id = launch(m_deploymentId, "watched");
    QVERIFY(!id.isEmpty());

    RunsView view;
    view.setClient(m_client.get());
    QSignalSpy ended(&view, &RunsView::runEnded);
    QSignalSpy updated(&view, &RunsView::runsUpdated);
    view.start(100);
    QVERIFY(view.isPolling());
    QVERIFY(view.findChild<QTableView *>("runsTable"));
    QVERIFY(view.findChild<QPushButton *>("refreshRunsButton"));

    FlowRunModel *model = view.model();
    const auto stateOf = [&] {
        const int row = model->rowOf(id);
        return row < 0 ? QString()
                       : model->index(row, FlowRunModel::StateColumn)
                             .data(FlowRunModel::StateTypeRole)
                             .toString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(), QString("RUNNING"), 10000);
    m_fake->advanceFlowRun(id);
    m_fake->advanceFlowRun(id);
    QCOMPARE(m_fake->flowRun(id).value("state_type").toString(), QString("COMPLETED"));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(), QString("COMPLETED"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
    QCOMPARE(ended.at(0).at(0).value<FlowRun>().id, id);
    // Later refreshes do not report it again.
    const int seen = int(updated.count());
    QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= seen + 3, 10000);
    QCOMPARE(ended.count(), 1);

    view.stop();
    QVERIFY(!view.isPolling());
}

void TestRunsView::badgeFitsItsSizeHint_data()
{
    QTest::addColumn<QString>("stateName");
    QTest::addColumn<int>("pointSize");
    for (const char *name : {"Completed", "Scheduled", "Running", "Cancelling", "AwaitingRetry",
                             "Late", "Crashed", "Failed", "Pending", "Paused"}) {
        for (const int size : {8, 9, 10, 11, 13})
            QTest::addRow("%s %dpt", name, size) << QString::fromLatin1(name) << size;
    }
}

void TestRunsView::badgeFitsItsSizeHint()
{
    // A column sized to the badge's hint shows the whole state name, never "Complet...".
    QFETCH(QString, stateName);
    QFETCH(int, pointSize);
    FlowRunModel model;
    FlowRun run;
    run.id = QStringLiteral("r");
    run.stateType = QStringLiteral("COMPLETED");
    run.stateName = stateName;
    model.setRuns({run});
    const QModelIndex cell = model.index(0, FlowRunModel::StateColumn);
    QCOMPARE(cell.data().toString(), stateName);
    StateBadgeDelegate delegate;
    QStyleOptionViewItem option;
    option.font.setPointSize(pointSize);
    option.rect = QRect(QPoint(0, 0), delegate.sizeHint(option, cell));
    QCOMPARE(StateBadgeDelegate::badgeText(option, stateName), stateName);
    // Narrower than that, it is elided rather than drawn over the next cell.
    option.rect.setWidth(option.rect.width() / 2);
    QVERIFY(StateBadgeDelegate::badgeText(option, stateName) != stateName);
}

void TestRunsView::runsViewFiltersByDeployment()
{
    const QString other = m_fake->addDeployment("etl", "hourly");
    const QString mine = launch(m_deploymentId, "mine");
    const QString theirs = launch(other, "theirs");

    RunsView view;
    view.setClient(m_client.get());
    view.start(200);
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2, 10000);

    view.setDeploymentFilter(m_deploymentId);
    QCOMPARE(view.deploymentFilter(), m_deploymentId);
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 1, 10000);
    QCOMPARE(view.model()->runAt(0).id, mine);
    QCOMPARE(view.model()->rowOf(theirs), -1);

    view.setDeploymentFilter({});
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2, 10000);
}

void TestRunsView::runsViewReportsRefreshFailure()
{
    launch(m_deploymentId);
    RunsView view;
    view.setClient(m_client.get());
    QSignalSpy updated(&view, &RunsView::runsUpdated);
    QSignalSpy failed(&view, &RunsView::refreshFailed);
    // Refresh without the timer: the button reads once.
    auto *button = view.findChild<QPushButton *>("refreshRunsButton");
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(updated.wait(10000));
    QCOMPARE(view.model()->rowCount(), 1);

    m_fake->setOverride([](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.path().endsWith("/flow_runs/filter"))
            return HttpResponse::json(500, QJsonObject{{"detail", "database is locked"}});
        return std::nullopt;
    });
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.at(0).at(0).value<PrefectError>().message().contains("database is locked"));
    // The last good list stays.
    QCOMPARE(view.model()->rowCount(), 1);
}

void TestRunsView::runsViewEmitsRunSelected()
{
    const QString first = launch(m_deploymentId, "first");
    const QString second = launch(m_deploymentId, "second");
    RunsView view;
    view.setClient(m_client.get());
    QSignalSpy selected(&view, &RunsView::runSelected);
    view.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2, 10000);

    QVERIFY(view.selectRun(second));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.at(0).at(0).value<FlowRun>().id, second);
    QCOMPARE(view.currentRun().id, second);
    QVERIFY(view.selectRun(first));
    QCOMPARE(selected.count(), 2);
    QCOMPARE(selected.at(1).at(0).value<FlowRun>().name, QString("first"));
    QVERIFY(!view.selectRun("no-such-run"));
}

// --- RunDetails ----------------------------------------------------------------------------------

void TestRunsView::detailsListStates()
{
    m_fake->setStateScript({"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"});
    const QString id = launch(m_deploymentId);
    readRun(id);
    readRun(id);
    const FlowRun run = readRun(id);
    QCOMPARE(run.stateType, QString("COMPLETED"));

    RunDetails details;
    details.setRun(run, m_client.get());
    auto *table = details.findChild<QTableWidget *>("runStates");
    QVERIFY(table);
    QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 4, 10000);
    QStringList types;
    for (int row = 0; row < table->rowCount(); ++row)
        types << table->item(row, 1)->data(FlowRunModel::StateTypeRole).toString();
    QCOMPARE(types, (QStringList{"SCHEDULED", "PENDING", "RUNNING", "COMPLETED"}));
    QCOMPARE(table->item(3, 2)->text(), QString("Completed"));
    QCOMPARE(details.states().size(), 4);
}

void TestRunsView::detailsShowParameters()
{
    const QString id = launch(m_deploymentId);
    RunDetails details;
    details.setRun(readRun(id), m_client.get());
    auto *parameters = details.findChild<QPlainTextEdit *>("runParameters");
    QVERIFY(parameters);
    QVERIFY(parameters->isReadOnly());
    QVERIFY(parameters->toPlainText().contains("\"date\": \"2026-12-04\""));
}

void TestRunsView::detailsFollowLogs()
{
    m_fake->setStateScript({"RUNNING"});
    const QString id = launch(m_deploymentId);
    addLog(id, "first line");

    RunDetails details;
    details.setLogIntervalMs(100);
    details.setRun(readRun(id), m_client.get());
    auto *logs = details.findChild<QPlainTextEdit *>("runLogs");
    QVERIFY(logs);
    QVERIFY(logs->isReadOnly());
    QTRY_VERIFY_WITH_TIMEOUT(logs->toPlainText().contains("first line"), 10000);
    QVERIFY(details.isFollowingLogs());

    addLog(id, "second line");
    addLog(id, "third line");
    QTRY_VERIFY_WITH_TIMEOUT(logs->toPlainText().contains("third line"), 10000);
    // Let a few more reads go by: nothing is repeated.
    const int reads = int(m_fake->requestsTo("/logs/filter").size());
    QTRY_VERIFY_WITH_TIMEOUT(m_fake->requestsTo("/logs/filter").size() >= reads + 3, 10000);

    const QStringList lines = logs->toPlainText().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).endsWith("first line"));
    QVERIFY(lines.at(1).endsWith("second line"));
    QVERIFY(lines.at(2).endsWith("third line"));

    // The run ends: one last read catches its last line, then following stops.
    addLog(id, "last line");
    FlowRun ended = details.run();
    ended.stateType = "COMPLETED";
    ended.stateName = "Completed";
    ended.endTime = QDateTime::currentDateTimeUtc();
    details.updateRun(ended);
    QTRY_VERIFY_WITH_TIMEOUT(!details.isFollowingLogs(), 10000);
    QVERIFY(logs->toPlainText().split('\n').last().endsWith("last line"));
    QCOMPARE(logs->toPlainText().count("last line"), 1);
    auto *cancel = details.findChild<QPushButton *>("cancelRunButton");
    QVERIFY(!cancel->isEnabled());
}

void TestRunsView::detailsLogViewStaysWhereTheUserScrolled()
{
    m_fake->setStateScript({"RUNNING"});
    const QString id = launch(m_deploymentId);
    for (int i = 0; i < 80; ++i)
        addLog(id, QStringLiteral("line %1").arg(i));

    RunDetails details;
    details.resize(600, 300);
    details.show();
    QVERIFY(QTest::qWaitForWindowExposed(&details));
    details.setLogIntervalMs(100);
    details.setRun(readRun(id), m_client.get());
    auto *logs = details.findChild<QPlainTextEdit *>("runLogs");
    QScrollBar *bar = logs->verticalScrollBar();
    QTRY_VERIFY_WITH_TIMEOUT(logs->toPlainText().contains("line 79"), 10000);
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum()); // newest at the bottom, in view

    addLog(id, "line 80");
    QTRY_VERIFY_WITH_TIMEOUT(logs->toPlainText().contains("line 80"), 10000);
    QCOMPARE(bar->value(), bar->maximum()); // still following

    bar->setValue(3); // the user scrolls up to read
    const int maxBefore = bar->maximum();
    for (int i = 81; i < 90; ++i)
        addLog(id, QStringLiteral("line %1").arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(logs->toPlainText().contains("line 89"), 10000);
    QVERIFY(bar->maximum() > maxBefore);
    QCOMPARE(bar->value(), 3);
}

void TestRunsView::cancelAccepted()
{
    m_fake->setStateScript({"RUNNING"});
    const QString id = launch(m_deploymentId);
    RunDetails details;
    int asked = 0;
    details.setCancelConfirmation([&](const FlowRun &run) {
        ++asked;
        return run.id == details.run().id;
    });
    details.setRun(readRun(id), m_client.get());
    auto *cancel = details.findChild<QPushButton *>("cancelRunButton");
    QVERIFY(cancel);
    QVERIFY(cancel->isEnabled());

    QSignalSpy answered(&details, &RunDetails::cancelAnswered);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(asked, 1);
    QVERIFY(answered.wait(10000));
    QCOMPARE(answered.at(0).at(0).toBool(), true);
    QVERIFY(answered.at(0).at(1).toString().contains("ACCEPT"));

    const QList<HttpRequest> sets = m_fake->requestsTo("/set_state", "POST");
    QCOMPARE(sets.size(), 1);
    QVERIFY(sets.at(0).path().contains(id));
    const QJsonObject state = sets.at(0).json().toObject().value("state").toObject();
    QCOMPARE(state.value("type").toString(), QString("CANCELLING"));
    QCOMPARE(state.value("name").toString(), QString("Cancelling"));
    QCOMPARE(m_fake->flowRun(id).value("state_type").toString(), QString("CANCELLING"));
    // Being cancelled: no second cancel, and the header says so.
    QCOMPARE(details.run().stateType, QString("CANCELLING"));
    QVERIFY(!cancel->isEnabled());
    QCOMPARE(details.findChild<QLabel *>("runState")->text(), QString("Cancelling"));
    QVERIFY(details.findChild<QLabel *>("cancelAnswer")->text().contains("ACCEPT"));
}

void TestRunsView::cancelDeclined()
{
    m_fake->setStateScript({"RUNNING"});
    const QString id = launch(m_deploymentId);
    RunDetails details;
    int asked = 0;
    details.setCancelConfirmation([&](const FlowRun &) {
        ++asked;
        return false;
    });
    details.setRun(readRun(id), m_client.get());
    auto *cancel = details.findChild<QPushButton *>("cancelRunButton");
    QSignalSpy answered(&details, &RunDetails::cancelAnswered);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(asked, 1);
    // Let the event loop run long enough for a request to reach the fake if one had been sent.
    readRun(id);
    QCOMPARE(m_fake->requestsTo("/set_state").size(), 0);
    QCOMPARE(answered.count(), 0);
    QVERIFY(cancel->isEnabled());
}

void TestRunsView::cancelDisabledForTerminalRuns()
{
    m_fake->setStateScript({"COMPLETED"});
    const QString id = launch(m_deploymentId);
    RunDetails details;
    bool asked = false;
    details.setCancelConfirmation([&](const FlowRun &) { return asked = true; });
    details.setRun(readRun(id), m_client.get());
    auto *cancel = details.findChild<QPushButton *>("cancelRunButton");
    QVERIFY(!cancel->isEnabled());
    details.cancelRun();
    QVERIFY(!asked);
    QCOMPARE(m_fake->requestsTo("/set_state").size(), 0);
}

void TestRunsView::openInUi_data()
{
    QTest::addColumn<bool>("cloud");
    QTest::newRow("self-hosted") << false;
    QTest::newRow("cloud") << true;
}

void TestRunsView::openInUi()
{
    QFETCH(bool, cloud);
    Connection connection = m_client->connection();
    if (cloud) {
        connection.setApiBase(QUrl("https://api.prefect.cloud/api"));
        connection.setAccountId("acc-1");
        connection.setWorkspaceId("ws-2");
    } else {
        connection.setApiBase(QUrl("http://prefect.example:4200/api"));
    }
    m_client->setConnection(connection);

    FlowRun run = makeRun("3f1b6a0e-0000-4000-8000-000000000001", "COMPLETED", 0, 1);
    RunDetails details;
    QList<QUrl> opened;
    details.setUrlOpener([&](const QUrl &url) {
        opened << url;
        return true;
    });
    details.setRun(run, m_client.get());
    auto *button = details.findChild<QPushButton *>("openInUiButton");
    QVERIFY(button);
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.at(0), connection.flowRunUiUrl(run.id));
    // Spelled out, so that a wrong flowRunUiUrl cannot pass with itself as the reference.
    const QString expected = cloud
        ? "https://app.prefect.cloud/account/acc-1/workspace/ws-2/runs/flow-run/" + run.id
        : "http://prefect.example:4200/runs/flow-run/" + run.id;
    QCOMPARE(opened.at(0).toString(), expected);
}

QTEST_MAIN(TestRunsView)
#include "tst_runsview.moc"
