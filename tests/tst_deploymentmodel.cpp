#include "deploymentbrowser.h"
#include "deploymentdetails.h"
#include "deploymentmodel.h"
#include "fakeprefect.h"
#include "flowrunrequest.h"
#include "prefectclient.h"
#include "prefectreply.h"
#include "rundurationchart.h"
#include "statecolors.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <QTreeWidget>

#include <memory>

namespace {

const QDateTime baseTime(QDate(2024, 1, 1), QTime(12, 0), Qt::UTC);

QString isoUtc(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString fakeId(int n)
{
    return QStringLiteral("00000000-0000-4000-8000-%1").arg(n, 12, 10, QLatin1Char('0'));
}

Deployment makeDeployment(int n, const QJsonObject &extra = {})
{
    QJsonObject raw{
        {"id", fakeId(n)},
        {"name", QStringLiteral("deploy-%1").arg(n, 5, 10, QLatin1Char('0'))},
        {"flow_id", fakeId(100000 + n % 7)},
        {"tags", QJsonArray{QStringLiteral("tag-%1").arg(n % 5)}},
        {"work_pool_name", QStringLiteral("pool-%1").arg(n % 3)},
        {"paused", n % 4 == 0},
        {"updated", isoUtc(baseTime.addSecs(qint64(n) * 3600))},
    };
    for (auto it = extra.begin(); it != extra.end(); ++it)
        raw.insert(it.key(), it.value());
    return Deployment::fromJson(raw, QStringLiteral("flow-%1").arg(n % 7));
}

QList<Deployment> makePage(int first, int count)
{
    QList<Deployment> page;
    for (int n = first; n < first + count; ++n)
        page << makeDeployment(n);
    return page;
}

FlowRun makeRun(const QString &name, const QString &stateType, const QDateTime &start,
                double seconds)
{
    FlowRun run;
    run.id = name + QStringLiteral("-id");
    run.name = name;
    run.stateType = stateType;
    run.stateName = stateType.left(1) + stateType.mid(1).toLower();
    run.startTime = start;
    run.expectedStartTime = start;
    run.endTime = start.addMSecs(qint64(seconds * 1000));
    run.totalRunTimeSeconds = seconds;
    return run;
}

QStringList proxyColumn(const QAbstractItemModel *model, int column, int role = Qt::DisplayRole)
{
    QStringList values;
    for (int row = 0; row < model->rowCount(); ++row)
        values << model->index(row, column).data(role).toString();
    return values;
}

} // namespace

class TestDeploymentModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // DeploymentModel
    void modelPassesTester();
    void proxyPassesTester();
    void appendIsOneInsertionPerPage();
    void clearEmpties();
    void data_data();
    void data();
    void headers();
    void deploymentAt();
    void sortsByUpdatedTime();
    void sortsByPaused();

    // DeploymentBrowser
    void browserLoadsAllPagesWithProgress();
    void browserFilterNarrows_data();
    void browserFilterNarrows();
    void browserSelectionEmits();
    void browserSortsByHeaderClick();
    void browserNewLoadDropsOlder();
    void browserReportsFailure();
    void browserTenThousand();

    // RunDurationChart
    void chartPaintsBarsByState();
    void chartEmptyState();
    void chartToolTips();
    void formatDuration_data();
    void formatDuration();

    // DeploymentDetails
    void detailsShowsFieldsAndRuns();
    void detailsNewerSelectionWins();
    void detailsRunsFailure();

private:
    QString addFakeDeployment(const QString &flow, const QString &name, const QJsonObject &extra);
    void addFakeDeployments(int count);
    QString createRun(const QString &deploymentId);

    std::unique_ptr<FakePrefect> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<PrefectClient> m_client;
};

void TestDeploymentModel::init()
{
    m_fake = std::make_unique<FakePrefect>();
    QVERIFY(m_fake->listen());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<PrefectClient>(m_network.get());
    Connection connection;
    connection.setApiBase(m_fake->apiUrl());
    m_client->setConnection(connection);
}

void TestDeploymentModel::cleanup()
{
    m_client.reset();
    m_network.reset();
    m_fake.reset();
}

QString TestDeploymentModel::addFakeDeployment(const QString &flow, const QString &name,
                                               const QJsonObject &extra)
{
    return m_fake->addDeployment(flow, name, extra.value("parameters").toObject(), extra);
}

void TestDeploymentModel::addFakeDeployments(int count)
{
    for (int n = 0; n < count; ++n) {
        QJsonArray tags{QStringLiteral("tag-%1").arg(n % 5)};
        if (n % 50 == 0)
            tags.append("Nightly");
        addFakeDeployment(QStringLiteral("flow-%1").arg(n % 9),
                          QStringLiteral("deploy-%1").arg(n, 5, 10, QLatin1Char('0')),
                          QJsonObject{{"tags", tags},
                                      {"work_pool_name", QStringLiteral("pool-%1").arg(n % 3)},
                                      {"updated", isoUtc(baseTime.addSecs(n))}});
    }
}

QString TestDeploymentModel::createRun(const QString &deploymentId)
{
    PrefectReply *reply = m_client->createFlowRun(deploymentId, FlowRunRequest());
    QString id;
    connect(reply, &PrefectReply::finished, this,
            [&id, reply] { id = reply->json().toObject().value("id").toString(); });
    QSignalSpy spy(reply, &PrefectReply::finished);
    if (!spy.wait(10000))
        return {};
    return id;
}

void TestDeploymentModel::modelPassesTester()
{
    DeploymentModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.appendDeployments(makePage(0, 200));
    model.appendDeployments(makePage(200, 200));
    model.appendDeployments({});
    QCOMPARE(model.rowCount(), 400);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    model.appendDeployments(makePage(0, 3));
    QCOMPARE(model.rowCount(), 3);
}

void TestDeploymentModel::proxyPassesTester()
{
    DeploymentModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(DeploymentModel::SortRole);
    proxy.setFilterRole(DeploymentModel::SearchTextRole);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    proxy.sort(DeploymentModel::UpdatedColumn, Qt::DescendingOrder);
    model.appendDeployments(makePage(0, 200));
    proxy.setFilterFixedString("TAG-3");
    QCOMPARE(proxy.rowCount(), 40);
    model.appendDeployments(makePage(200, 200));
    QCOMPARE(proxy.rowCount(), 80);
    proxy.sort(DeploymentModel::NameColumn, Qt::AscendingOrder);
    proxy.setFilterFixedString({});
    QCOMPARE(proxy.rowCount(), 400);
    model.clear();
    QCOMPARE(proxy.rowCount(), 0);
}

void TestDeploymentModel::appendIsOneInsertionPerPage()
{
    DeploymentModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int page = 0; page < 50; ++page)
        model.appendDeployments(makePage(page * 200, 200));
    QCOMPARE(model.rowCount(), 10000);
    QCOMPARE(inserted.count(), 50);
    QCOMPARE(inserted.at(49).at(1).toInt(), 9800);
    QCOMPARE(inserted.at(49).at(2).toInt(), 9999);
    QCOMPARE(model.index(9999, DeploymentModel::NameColumn).data().toString(),
             QStringLiteral("flow-%1/deploy-09999").arg(9999 % 7));
}

void TestDeploymentModel::clearEmpties()
{
    DeploymentModel model;
    model.appendDeployments(makePage(0, 10));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.clear();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.deploymentAt(0).id.isEmpty());
}

void TestDeploymentModel::data_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("role");
    QTest::addColumn<QVariant>("expected");

    const Deployment d = makeDeployment(8); // paused (8 % 4 == 0), tag-3, pool-2, flow-1
    const QDateTime updated = baseTime.addSecs(8 * 3600);
    const QString local = QLocale().toString(updated.toLocalTime(), QLocale::ShortFormat);
    const int name = DeploymentModel::NameColumn;
    QTest::newRow("name") << name << int(Qt::DisplayRole) << QVariant("flow-1/deploy-00008");
    QTest::newRow("id role") << name << int(DeploymentModel::DeploymentIdRole)
                             << QVariant(fakeId(8));
    QTest::newRow("full name role (any column)")
        << int(DeploymentModel::UpdatedColumn) << int(DeploymentModel::FullNameRole)
        << QVariant("flow-1/deploy-00008");
    QTest::newRow("tags") << int(DeploymentModel::TagsColumn) << int(Qt::DisplayRole)
                          << QVariant("tag-3");
    QTest::newRow("work pool") << int(DeploymentModel::WorkPoolColumn) << int(Qt::DisplayRole)
                               << QVariant("pool-2");
    QTest::newRow("paused") << int(DeploymentModel::PausedColumn) << int(Qt::DisplayRole)
                            << QVariant("Paused");
    QTest::newRow("paused sort") << int(DeploymentModel::PausedColumn)
                                 << int(DeploymentModel::SortRole) << QVariant(1);
    QTest::newRow("updated shown local")
        << int(DeploymentModel::UpdatedColumn) << int(Qt::DisplayRole) << QVariant(local);
    QTest::newRow("updated sorts by time") << int(DeploymentModel::UpdatedColumn)
                                           << int(DeploymentModel::SortRole) << QVariant(updated);
    QTest::newRow("search text has name and tags")
        << name << int(DeploymentModel::SearchTextRole)
        << QVariant(QStringLiteral("flow-1/deploy-00008") + QChar(0x1f) + "tag-3");
    QTest::newRow("no decoration") << name << int(Qt::DecorationRole) << QVariant();
}

void TestDeploymentModel::data()
{
    QFETCH(int, column);
    QFETCH(int, role);
    QFETCH(QVariant, expected);
    DeploymentModel model;
    model.appendDeployments({makeDeployment(1), makeDeployment(8)});
    const QVariant actual = model.index(1, column).data(role);
    QCOMPARE(actual, expected);
    if (expected.isValid())
        QCOMPARE(actual.metaType(), expected.metaType());
}

void TestDeploymentModel::headers()
{
    DeploymentModel model;
    QCOMPARE(model.columnCount(), 5);
    QStringList titles;
    for (int column = 0; column < model.columnCount(); ++column)
        titles << model.headerData(column, Qt::Horizontal).toString();
    QCOMPARE(titles, QStringList({"Name", "Tags", "Work pool", "Paused", "Last updated"}));
}

void TestDeploymentModel::deploymentAt()
{
    DeploymentModel model;
    model.appendDeployments(makePage(0, 5));
    QCOMPARE(model.deploymentAt(3).id, fakeId(3));
    QCOMPARE(model.deploymentAt(3).workPoolName(), QString("pool-0"));
    QVERIFY(model.deploymentAt(5).id.isEmpty());
    QVERIFY(model.deploymentAt(-1).id.isEmpty());
}

void TestDeploymentModel::sortsByUpdatedTime()
{
    // Times whose shown text sorts differently from the times themselves.
    const QList<QDateTime> times{
        QDateTime(QDate(2023, 12, 1), QTime(9, 0), Qt::UTC),
        QDateTime(QDate(2024, 1, 2), QTime(9, 0), Qt::UTC),
        QDateTime(QDate(2023, 2, 28), QTime(23, 59), Qt::UTC),
        QDateTime(QDate(2024, 11, 5), QTime(0, 1), Qt::UTC),
        QDateTime(QDate(2023, 2, 28), QTime(8, 0), Qt::UTC),
    };
    QList<Deployment> deployments;
    for (int n = 0; n < times.size(); ++n)
        deployments << makeDeployment(n, QJsonObject{{"updated", isoUtc(times.at(n))}});
    DeploymentModel model;
    model.appendDeployments(deployments);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(DeploymentModel::SortRole);
    proxy.sort(DeploymentModel::UpdatedColumn, Qt::AscendingOrder);

    QList<QDateTime> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    QList<QDateTime> shown;
    for (int row = 0; row < proxy.rowCount(); ++row)
        shown << proxy.index(row, DeploymentModel::UpdatedColumn)
                     .data(DeploymentModel::SortRole)
                     .toDateTime();
    QCOMPARE(shown, sorted);
    QCOMPARE(proxy.index(0, 0).data(DeploymentModel::DeploymentIdRole).toString(), fakeId(4));
    QCOMPARE(proxy.index(4, 0).data(DeploymentModel::DeploymentIdRole).toString(), fakeId(3));

    proxy.sort(DeploymentModel::UpdatedColumn, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, 0).data(DeploymentModel::DeploymentIdRole).toString(), fakeId(3));
}

void TestDeploymentModel::sortsByPaused()
{
    DeploymentModel model;
    model.appendDeployments(makePage(1, 8)); // 4 and 8 are paused
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(DeploymentModel::SortRole);
    proxy.sort(DeploymentModel::PausedColumn, Qt::DescendingOrder);
    QCOMPARE(proxyColumn(&proxy, DeploymentModel::PausedColumn).mid(0, 3),
             QStringList({"Paused", "Paused", ""}));
}

void TestDeploymentModel::browserLoadsAllPagesWithProgress()
{
    addFakeDeployments(450);
    DeploymentBrowser browser;
    browser.resize(800, 600);
    browser.show();
    auto *progress = browser.findChild<QProgressBar *>("deploymentProgress");
    auto *table = browser.findChild<QTableView *>("deploymentTable");
    QVERIFY(progress);
    QVERIFY(table);
    QVERIFY(!progress->isVisible());

    QSignalSpy loaded(&browser, &DeploymentBrowser::loaded);
    QSignalSpy inserted(browser.model(), &QAbstractItemModel::rowsInserted);
    QStringList progressTexts;
    connect(progress, &QProgressBar::valueChanged, this,
            [&] { progressTexts << progress->text(); });
    browser.load(m_client.get());
    QVERIFY(progress->isVisible());
    QVERIFY(browser.isLoading());
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.at(0).at(0).toInt(), 450);
    QCOMPARE(browser.model()->rowCount(), 450);
    QCOMPARE(table->model()->rowCount(), 450);
    QVERIFY(!progress->isVisible());
    QVERIFY(!browser.isLoading());
    // Rows came page by page (200, 200, 50), not all at the end.
    QCOMPARE(inserted.count(), 3);
    QVERIFY2(progressTexts.contains(QStringLiteral("Loading deployments... %1 of %2")
                                        .arg(QLocale().toString(200), QLocale().toString(450))),
             qPrintable(progressTexts.join(" | ")));
    QCOMPARE(m_fake->requestsTo("/deployments/count", "POST").size(), 1);
    // Sorted by name by default.
    QCOMPARE(table->model()->index(0, 0).data().toString(), QString("flow-0/deploy-00000"));
    QCOMPARE(table->model()->index(449, 0).data().toString(), QString("flow-8/deploy-00449"));
}

void TestDeploymentModel::browserFilterNarrows_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<int>("rows");
    QTest::newRow("flow, any case") << "FLOW-3/" << 50;
    QTest::newRow("deployment name") << "deploy-0012" << 10;
    QTest::newRow("exact name") << "flow-3/deploy-00120" << 1;
    QTest::newRow("tag") << "tag-4" << 90;
    QTest::newRow("tag, any case") << "nightly" << 9;
    QTest::newRow("work pool does not count") << "pool-1" << 0;
    QTest::newRow("nothing") << "no such thing" << 0;
}

void TestDeploymentModel::browserFilterNarrows()
{
    QFETCH(QString, typed);
    QFETCH(int, rows);
    addFakeDeployments(450);
    DeploymentBrowser browser;
    browser.show();
    QSignalSpy loaded(&browser, &DeploymentBrowser::loaded);
    browser.load(m_client.get());
    QVERIFY(loaded.wait(20000));
    auto *filter = browser.findChild<QLineEdit *>("deploymentFilter");
    auto *table = browser.findChild<QTableView *>("deploymentTable");
    QVERIFY(filter);
    QTest::keyClicks(filter, typed);
    QCOMPARE(filter->text(), typed);
    QTRY_COMPARE(table->model()->rowCount(), rows);
    const Qt::CaseSensitivity any = Qt::CaseInsensitive;
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        const QModelIndex index = table->model()->index(row, 0);
        QVERIFY(index.data().toString().contains(typed, any)
                || index.siblingAtColumn(DeploymentModel::TagsColumn)
                       .data()
                       .toString()
                       .contains(typed, any));
    }
    filter->clear();
    QTRY_COMPARE(table->model()->rowCount(), 450);
}

void TestDeploymentModel::browserSelectionEmits()
{
    addFakeDeployments(30);
    DeploymentBrowser browser;
    browser.show();
    QSignalSpy loaded(&browser, &DeploymentBrowser::loaded);
    QSignalSpy selected(&browser, &DeploymentBrowser::deploymentSelected);
    browser.load(m_client.get());
    QVERIFY(loaded.wait(20000));
    auto *table = browser.findChild<QTableView *>("deploymentTable");
    QTest::keyClicks(browser.findChild<QLineEdit *>("deploymentFilter"), "deploy-00017");
    QTRY_COMPARE(table->model()->rowCount(), 1);
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    const QRect cell = table->visualRect(table->model()->index(0, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    QTRY_COMPARE(selected.count(), 1);
    const auto deployment = selected.at(0).at(0).value<Deployment>();
    QCOMPARE(deployment.fullName(), QString("flow-8/deploy-00017"));
    QCOMPARE(deployment.workPoolName(), QString("pool-2"));
    QCOMPARE(browser.currentDeployment().id, deployment.id);
}

void TestDeploymentModel::browserSortsByHeaderClick()
{
    addFakeDeployments(20);
    DeploymentBrowser browser;
    browser.resize(900, 400);
    browser.show();
    QSignalSpy loaded(&browser, &DeploymentBrowser::loaded);
    browser.load(m_client.get());
    QVERIFY(loaded.wait(20000));
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    auto *table = browser.findChild<QTableView *>("deploymentTable");
    QHeaderView *header = table->horizontalHeader();
    const int x = header->sectionViewportPosition(DeploymentModel::UpdatedColumn)
        + header->sectionSize(DeploymentModel::UpdatedColumn) / 2;
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    QCOMPARE(header->sortIndicatorSection(), int(DeploymentModel::UpdatedColumn));
    const auto idAt = [table](int row) {
        return table->model()->index(row, 0).data(DeploymentModel::FullNameRole).toString();
    };
    const QString first = idAt(0);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    // deploy-00000 is the oldest, deploy-00019 the newest: the two clicks give both ends.
    QCOMPARE(QSet<QString>({first, idAt(0)}),
             QSet<QString>({"flow-0/deploy-00000", "flow-1/deploy-00019"}));
}

void TestDeploymentModel::browserNewLoadDropsOlder()
{
    addFakeDeployments(450);
    int pageAnswers = 0;
    connect(m_client.get(), &PrefectClient::exchangeFinished, this,
            [&pageAnswers](const QByteArray &, const QUrl &url) {
                if (url.path().endsWith("/deployments/filter"))
                    ++pageAnswers;
            });
    DeploymentBrowser browser;
    QSignalSpy loaded(&browser, &DeploymentBrowser::loaded);
    browser.load(m_client.get());
    QSignalSpy inserted(browser.model(), &QAbstractItemModel::rowsInserted);
    QVERIFY(inserted.wait(20000)); // the first load is under way
    browser.load(m_client.get());
    QCOMPARE(browser.model()->rowCount(), 0);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(browser.model()->rowCount(), 450);
    QCoreApplication::processEvents();
    QCOMPARE(browser.model()->rowCount(), 450);
    QCOMPARE(loaded.count(), 1);
    // The dropped load stopped fetching: fewer than its 3 pages plus the new load's 3.
    QVERIFY2(pageAnswers < 6, qPrintable(QString::number(pageAnswers)));
    QCOMPARE(m_fake->requestsTo("/deployments/count", "POST").size(), 2);
}

void TestDeploymentModel::browserReportsFailure()
{
    addFakeDeployments(5);
    m_fake->setOverride([](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.path().endsWith("/deployments/filter"))
            return HttpResponse::json(500, QJsonObject{{"detail", "database is down"}});
        return std::nullopt;
    });
    DeploymentBrowser browser;
    browser.show();
    QSignalSpy failed(&browser, &DeploymentBrowser::loadFailed);
    browser.load(m_client.get());
    QVERIFY(failed.wait(20000));
    const auto error = failed.at(0).at(0).value<PrefectError>();
    QCOMPARE(error.httpStatus(), 500);
    QVERIFY(error.message().contains("database is down"));
    QVERIFY(!browser.findChild<QProgressBar *>("deploymentProgress")->isVisible());
    QVERIFY(!browser.isLoading());
}

void TestDeploymentModel::browserTenThousand()
{
    // A scale check, and the figure for the README: how long 10,000 deployments take to show.
    addFakeDeployments(10000);
    DeploymentBrowser browser;
    browser.resize(1000, 700);
    browser.show();
    QSignalSpy loaded(&browser, &DeploymentBrowser::loaded);
    QSignalSpy inserted(browser.model(), &QAbstractItemModel::rowsInserted);
    QElapsedTimer clock;
    clock.start();
    browser.load(m_client.get());
    QVERIFY(inserted.wait(60000));
    const qint64 firstPageMs = clock.elapsed();
    QVERIFY(loaded.wait(120000));
    const qint64 allMs = clock.elapsed();
    QCOMPARE(browser.model()->rowCount(), 10000);
    auto *filter = browser.findChild<QLineEdit *>("deploymentFilter");
    clock.restart();
    QTest::keyClicks(filter, "nightly");
    const qint64 filterMs = clock.elapsed();
    QCOMPARE(browser.proxyModel()->rowCount(), 200);
    qInfo("10,000 deployments: first page shown after %lld ms, all after %lld ms; typing a"
          " 7-letter filter took %lld ms",
          firstPageMs, allMs, filterMs);
}

void TestDeploymentModel::chartPaintsBarsByState()
{
    RunDurationChart chart;
    chart.resize(300, 120);
    // Newest first, as Prefect lists them; the chart must draw the oldest on the left.
    chart.setRuns({
        makeRun("third", "CRASHED", baseTime.addSecs(7200), 120),
        makeRun("second", "FAILED", baseTime.addSecs(3600), 30),
        makeRun("first", "COMPLETED", baseTime, 60),
    });
    QCOMPARE(chart.runs().at(0).name, QString("first"));
    QCOMPARE(chart.runs().at(2).name, QString("third"));
    const QImage image = chart.grab().toImage();
    const QList<QColor> colours{StateColors::background("COMPLETED"),
                                StateColors::background("FAILED"),
                                StateColors::background("CRASHED")};
    const QList<double> seconds{60, 30, 120};
    const QRect tallest = chart.barRect(2);
    QVERIFY(tallest.height() > 40);
    for (int i = 0; i < 3; ++i) {
        const QRect bar = chart.barRect(i);
        QVERIFY(chart.rect().contains(bar));
        if (i > 0)
            QVERIFY(bar.left() > chart.barRect(i - 1).right());
        QCOMPARE(bar.bottom(), tallest.bottom());
        QVERIFY(qAbs(bar.height() - tallest.height() * seconds.at(i) / 120) <= 1);
        // Inside the bar: its state's colour, at the centre and near each corner.
        for (const QPoint &p :
             {bar.center(), bar.topLeft() + QPoint(1, 1), bar.bottomRight() - QPoint(1, 1)})
            QCOMPARE(image.pixelColor(p), colours.at(i));
        // Above a shorter bar: background, not the bar.
        if (i < 2) {
            const QPoint above(bar.center().x(), bar.top() - 3);
            QVERIFY(image.pixelColor(above) != colours.at(i));
        }
    }
    // Between two bars: no bar colour.
    const QPoint gap((chart.barRect(0).right() + chart.barRect(1).left()) / 2,
                     chart.barRect(0).center().y());
    QVERIFY(!colours.contains(image.pixelColor(gap)));
    // The second bar spans its third of the width: oldest left, newest right.
    QVERIFY(chart.barRect(0).center().x() < 100);
    QVERIFY(chart.barRect(1).center().x() > 100 && chart.barRect(1).center().x() < 200);
    QVERIFY(chart.barRect(2).center().x() > 200);
    QCOMPARE(chart.axisLabel(), RunDurationChart::formatDuration(120));
    QCOMPARE(chart.axisLabel(), QString("2 min 00 s"));
}

void TestDeploymentModel::chartEmptyState()
{
    RunDurationChart chart;
    chart.resize(chart.sizeHint());
    QVERIFY(chart.sizeHint().width() <= 400 && chart.sizeHint().height() <= 160);
    chart.setRuns({makeRun("one", "COMPLETED", baseTime, 5)});
    chart.setRuns({});
    QVERIFY(chart.barRect(0).isNull());
    QVERIFY(chart.axisLabel().isEmpty());
    const QImage image = chart.grab().toImage();
    const QColor completed = StateColors::background("COMPLETED");
    // The placeholder colour is translucent and the text antialiased, so the text shows as
    // pixels that differ from the background rather than as the pen's exact colour.
    const QColor background = image.pixelColor(0, 0);
    int textPixels = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            QVERIFY(image.pixelColor(x, y) != completed);
            if (image.pixelColor(x, y) != background)
                ++textPixels;
        }
    }
    QVERIFY2(textPixels > 0, "the empty-state text is drawn");
}

void TestDeploymentModel::chartToolTips()
{
    RunDurationChart chart;
    chart.resize(300, 120);
    chart.setRuns({makeRun("quick-fox", "FAILED", baseTime, 42),
                   makeRun("lazy-dog", "COMPLETED", baseTime.addSecs(60), 3725)});
    QCOMPARE(chart.barAt(chart.barRect(0).center()), 0);
    QCOMPARE(chart.barAt(chart.barRect(1).center()), 1);
    // Above a short bar still points at it; the far right margin at nothing.
    QCOMPARE(chart.barAt(QPoint(chart.barRect(0).center().x(), chart.barRect(1).top())), 0);
    QCOMPARE(chart.barAt(QPoint(chart.width() - 1, chart.height() / 2)), -1);
    const QString tip = chart.barToolTip(0);
    QVERIFY2(tip.contains("quick-fox") && tip.contains("Failed") && tip.contains("42 s"),
             qPrintable(tip));
    QVERIFY(chart.barToolTip(1).contains("1 h 02 min"));
    QVERIFY(chart.barToolTip(2).isEmpty());
}

void TestDeploymentModel::formatDuration_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("sub-second") << 0.25 << "250 ms";
    QTest::newRow("zero") << 0.0 << "0 ms";
    QTest::newRow("seconds") << 42.4 << "42 s";
    QTest::newRow("minutes") << 185.0 << "3 min 05 s";
    QTest::newRow("hours") << 7620.0 << "2 h 07 min";
}

void TestDeploymentModel::formatDuration()
{
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(RunDurationChart::formatDuration(seconds), text);
}

void TestDeploymentModel::detailsShowsFieldsAndRuns()
{
    const QJsonObject schema{
        {"title", "Parameters"},
        {"type", "object"},
        {"properties", QJsonObject{{"region", QJsonObject{{"type", "string"}}}}},
    };
    const QString id =
        addFakeDeployment("etl", "nightly",
                          QJsonObject{{"description", "Loads the warehouse every night"},
                                      {"entrypoint", "flows/etl.py:nightly"},
                                      {"work_pool_name", "k8s-pool"},
                                      {"tags", QJsonArray{"prod", "etl"}},
                                      {"parameters", QJsonObject{{"region", "eu-west-1"}}},
                                      {"parameter_openapi_schema", schema}});
    const QString other = addFakeDeployment("etl", "hourly", {});
    QStringList runIds;
    for (int i = 0; i < 3; ++i)
        runIds << createRun(id);
    QVERIFY(!createRun(other).isEmpty());
    QVERIFY(!runIds.contains(QString()));

    PrefectReply *read = m_client->readDeployment(id);
    Deployment deployment;
    connect(read, &PrefectReply::finished, this,
            [&deployment, read] { deployment = read->deployments().value(0); });
    QSignalSpy readDone(read, &PrefectReply::finished);
    QVERIFY(readDone.wait(10000));
    QCOMPARE(deployment.id, id);

    DeploymentDetails details;
    details.show();
    QSignalSpy loaded(&details, &DeploymentDetails::runsLoaded);
    details.setDeployment(deployment, m_client.get());
    QVERIFY(details.isLoadingRuns());
    const auto text = [&details](const char *name) {
        return details.findChild<QLabel *>(name)->text();
    };
    QCOMPARE(text("deploymentTitle"), QString("etl/nightly"));
    QCOMPARE(text("deploymentDescription"), QString("Loads the warehouse every night"));
    QCOMPARE(text("deploymentEntrypoint"), QString("flows/etl.py:nightly"));
    QCOMPARE(text("deploymentWorkPool"), QString("k8s-pool"));
    QCOMPARE(text("deploymentTags"), QString("prod, etl"));
    auto *defaults = details.findChild<QPlainTextEdit *>("defaultParameters");
    auto *schemaView = details.findChild<QPlainTextEdit *>("parameterSchema");
    QVERIFY(defaults->isReadOnly());
    QVERIFY(schemaView->isReadOnly());
    QVERIFY2(defaults->toPlainText().contains("\"region\": \"eu-west-1\""),
             qPrintable(defaults->toPlainText()));
    QVERIFY(defaults->toPlainText().contains('\n')); // pretty, not compact
    QVERIFY(schemaView->toPlainText().contains("\"type\": \"string\""));
    QCOMPARE(QJsonDocument::fromJson(schemaView->toPlainText().toUtf8()).object(), schema);

    QVERIFY(loaded.wait(10000));
    QVERIFY(!details.isLoadingRuns());
    const QList<FlowRun> runs = details.runs();
    QCOMPARE(runs.size(), 3);
    QSet<QString> shownIds;
    for (const FlowRun &run : runs) {
        QCOMPARE(run.deploymentId, id);
        shownIds << run.id;
    }
    QCOMPARE(shownIds, QSet<QString>(runIds.begin(), runIds.end()));
    auto *list = details.findChild<QTreeWidget *>("recentRuns");
    QCOMPARE(list->topLevelItemCount(), 3);
    QCOMPARE(list->topLevelItem(0)->text(0), runs.at(0).name);
    QCOMPARE(list->topLevelItem(0)->text(1), runs.at(0).stateName);
    auto *chart = details.findChild<RunDurationChart *>("runDurationChart");
    QCOMPARE(chart->runs().size(), 3);

    const QList<HttpRequest> filters = m_fake->requestsTo("/flow_runs/filter", "POST");
    QCOMPARE(filters.size(), 1);

    QSignalSpy launch(&details, &DeploymentDetails::launchRequested);
    auto *button = details.findChild<QPushButton *>("launchButton");
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(launch.count(), 1);
    QCOMPARE(launch.at(0).at(0).value<Deployment>().id, id);
}

void TestDeploymentModel::detailsNewerSelectionWins()
{
    const QString first = addFakeDeployment("etl", "first", {});
    const QString second = addFakeDeployment("etl", "second", {});
    QVERIFY(!createRun(first).isEmpty());
    QVERIFY(!createRun(first).isEmpty());
    QVERIFY(!createRun(second).isEmpty());
    int runAnswers = 0;
    connect(m_client.get(), &PrefectClient::exchangeFinished, this,
            [&runAnswers](const QByteArray &, const QUrl &url) {
                if (url.path().endsWith("/flow_runs/filter"))
                    ++runAnswers;
            });
    DeploymentDetails details;
    QSignalSpy loaded(&details, &DeploymentDetails::runsLoaded);
    details.setDeployment(makeDeployment(1, QJsonObject{{"id", first}}), m_client.get());
    details.setDeployment(makeDeployment(2, QJsonObject{{"id", second}}), m_client.get());
    QVERIFY(loaded.wait(10000));
    // Both requests went out and were answered; only the newer one may show.
    QTRY_COMPARE_WITH_TIMEOUT(runAnswers, 2, 10000);
    QCoreApplication::processEvents();
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(details.deployment().id, second);
    QCOMPARE(details.runs().size(), 1);
    QCOMPARE(details.runs().at(0).deploymentId, second);
}

void TestDeploymentModel::detailsRunsFailure()
{
    const QString id = addFakeDeployment("etl", "broken", {});
    m_fake->setOverride([](const HttpRequest &request) -> std::optional<HttpResponse> {
        if (request.path().endsWith("/flow_runs/filter"))
            return HttpResponse::json(503, QJsonObject{{"detail", "try later"}});
        return std::nullopt;
    });
    DeploymentDetails details;
    QSignalSpy failed(&details, &DeploymentDetails::runsFailed);
    details.setDeployment(makeDeployment(1, QJsonObject{{"id", id}}), m_client.get());
    QVERIFY(failed.wait(10000));
    QVERIFY(details.findChild<QLabel *>("runsStatus")->text().contains("try later"));
    QVERIFY(details.runs().isEmpty());
    QVERIFY(details.findChild<QPushButton *>("launchButton")->isEnabled());
}

QTEST_MAIN(TestDeploymentModel)
#include "tst_deploymentmodel.moc"
