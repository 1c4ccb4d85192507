#include "extensionoutput.h"
#include "taskresult.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

enum class Factory { Success, Failure, ValidationError, PollingTimeout };

TaskResult make(Factory factory, const QString &reason)
{
    switch (factory) {
    case Factory::Success:
        return TaskResult::success();
    case Factory::Failure:
        return TaskResult::failure(reason);
    case Factory::ValidationError:
        return TaskResult::validationError(reason);
    case Factory::PollingTimeout:
        return TaskResult::pollingTimeout();
    }
    return {};
}

QJsonObject sampleFields()
{
    return QJsonObject{
        {"action", "Prefect Cloud - Launch Flow Run"},
        {"credentials",
         QJsonObject{{"user", "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d"}, {"password", "****"}}},
        {"deployment_id_or_name", "etl/nightly"},
        {"wait_for_success_or_failure", true},
        {"polling_interval", 60},
    };
}

QJsonObject sampleRun()
{
    return QJsonObject{
        {"id", "3f1d2c4b-0000-4000-8000-00000000abcd"},
        {"name", "crimson-otter"},
        {"state_type", "COMPLETED"},
        {"state", QJsonObject{{"type", "COMPLETED"}, {"name", "Completed"}}},
    };
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

Q_DECLARE_METATYPE(Factory)

class TestExtensionOutput : public QObject
{
    Q_OBJECT

private slots:
    void taskResult_data();
    void taskResult();
    void addError();
    void build_data();
    void build();
    void buildWithLogs();
    void writeFileWritesJson();
    void writeFileReplacesExistingFile();
    void writeFileToMissingDirectory();
};

void TestExtensionOutput::taskResult_data()
{
    QTest::addColumn<Factory>("factory");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<ExitCode>("exitCodeEnum");
    QTest::addColumn<QString>("statusDescription");
    QTest::addColumn<QStringList>("errors");

    QTest::newRow("success") << Factory::Success << QString() << 0 << ExitCode::Success
                             << QStringLiteral("Task executed successfully.") << QStringList();
    QTest::newRow("failure")
        << Factory::Failure << QStringLiteral("flow run 'crimson-otter' ended FAILED") << 1
        << ExitCode::Failure
        << QStringLiteral("Execution Failed: flow run 'crimson-otter' ended FAILED")
        << QStringList{QStringLiteral("flow run 'crimson-otter' ended FAILED")};
    QTest::newRow("failure, HTTP")
        << Factory::Failure << QStringLiteral("HTTP 500: Internal Server Error") << 1
        << ExitCode::Failure << QStringLiteral("Execution Failed: HTTP 500: Internal Server Error")
        << QStringList{QStringLiteral("HTTP 500: Internal Server Error")};
    QTest::newRow("validation error")
        << Factory::ValidationError << QStringLiteral("deployment_id_or_name is required") << 20
        << ExitCode::DataValidationError
        << QStringLiteral("Data Validation Error: deployment_id_or_name is required")
        << QStringList{QStringLiteral("deployment_id_or_name is required")};
    QTest::newRow("polling timeout")
        << Factory::PollingTimeout << QString() << 40 << ExitCode::PollingTimeout
        << QStringLiteral("Polling Timeout: maximum polling timeout reached.")
        << QStringList{QStringLiteral("maximum polling timeout reached.")};
}

void TestExtensionOutput::taskResult()
{
    QFETCH(Factory, factory);
    QFETCH(QString, reason);
    QFETCH(int, exitCode);
    QFETCH(ExitCode, exitCodeEnum);
    QFETCH(QString, statusDescription);
    QFETCH(QStringList, errors);

    const TaskResult result = make(factory, reason);
    QCOMPARE(result.exitCodeValue(), exitCode);
    QVERIFY(result.exitCode() == exitCodeEnum);
    QCOMPARE(result.statusDescription(), statusDescription);
    QCOMPARE(result.errors(), errors);
}

void TestExtensionOutput::addError()
{
    TaskResult result = TaskResult::failure(QStringLiteral("first"));
    result.addError(QStringLiteral("second"));
    QCOMPARE(result.errors(), (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
    QCOMPARE(result.statusDescription(), QStringLiteral("Execution Failed: first"));
    QCOMPARE(result.exitCodeValue(), 1);
}

void TestExtensionOutput::build_data()
{
    QTest::addColumn<Factory>("factory");
    QTest::addColumn<bool>("includeFlowRunInfo");
    QTest::addColumn<QJsonObject>("flowRunInfo");

    for (const auto &[name, factory] :
         {std::pair{"success", Factory::Success}, std::pair{"failure", Factory::Failure},
          std::pair{"validation", Factory::ValidationError},
          std::pair{"timeout", Factory::PollingTimeout}}) {
        QTest::addRow("%s, no info", name) << factory << false << QJsonObject();
        QTest::addRow("%s, no info although a run is known", name)
            << factory << false << sampleRun();
        QTest::addRow("%s, info, no run", name) << factory << true << QJsonObject();
        QTest::addRow("%s, info, run", name) << factory << true << sampleRun();
    }
}

void TestExtensionOutput::build()
{
    QFETCH(Factory, factory);
    QFETCH(bool, includeFlowRunInfo);
    QFETCH(QJsonObject, flowRunInfo);

    const TaskResult result = make(factory, QStringLiteral("something broke"));
    const QJsonObject fields = sampleFields();
    const QJsonObject document =
        ExtensionOutput::build(fields, result, includeFlowRunInfo, flowRunInfo);

    QStringList keys = document.keys();
    keys.sort();
    QCOMPARE(keys,
             (QStringList{QStringLiteral("exit_code"), QStringLiteral("invocation"),
                          QStringLiteral("result"), QStringLiteral("status_description")}));
    QVERIFY(document.value(QLatin1String("exit_code")).isDouble());
    QCOMPARE(document.value(QLatin1String("exit_code")).toInt(-1), result.exitCodeValue());
    QCOMPARE(document.value(QLatin1String("status_description")).toString(),
             result.statusDescription());
    QCOMPARE(document.value(QLatin1String("invocation")).toObject(),
             (QJsonObject{{"fields", fields}}));

    const QJsonObject resultObject = document.value(QLatin1String("result")).toObject();
    QVERIFY(resultObject.value(QLatin1String("errors")).isArray());
    QCOMPARE(resultObject.value(QLatin1String("errors")).toArray(),
             QJsonArray::fromStringList(result.errors()));
    QCOMPARE(resultObject.contains(QLatin1String("flow_run_info")), includeFlowRunInfo);
    if (includeFlowRunInfo) {
        const QJsonValue info = resultObject.value(QLatin1String("flow_run_info"));
        if (flowRunInfo.isEmpty()) {
            QVERIFY(info.isNull());
        } else {
            QVERIFY(info.isObject());
            QCOMPARE(info.toObject(), flowRunInfo);
        }
    }
}

void TestExtensionOutput::buildWithLogs()
{
    // result.logs only when lines are given (logs_in_extension_output), even an empty list.
    const QJsonArray lines{QJsonObject{{"timestamp", "2026-12-04T06:44:19.110Z"},
                                       {"level", "INFO"},
                                       {"logger", "prefect.flow_runs"},
                                       {"message", "ue-sleep: done"}}};
    const QJsonObject with =
        ExtensionOutput::build(sampleFields(), TaskResult::success(), false, {}, lines);
    QCOMPARE(with.value("result").toObject().value("logs").toArray(), lines);
    const QJsonObject empty =
        ExtensionOutput::build(sampleFields(), TaskResult::success(), false, {}, QJsonArray());
    QVERIFY(empty.value("result").toObject().value("logs").isArray());
    QVERIFY(empty.value("result").toObject().value("logs").toArray().isEmpty());
    const QJsonObject without =
        ExtensionOutput::build(sampleFields(), TaskResult::success(), false, {});
    QVERIFY(!without.value("result").toObject().contains("logs"));
    QCOMPARE(without.value("result").toObject().keys(), QStringList{"errors"});
}

void TestExtensionOutput::writeFileWritesJson()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("extension_output.json"));
    const QJsonObject document =
        ExtensionOutput::build(sampleFields(), TaskResult::success(), true, sampleRun());

    QString error;
    QVERIFY2(ExtensionOutput::writeFile(path, document, &error), qPrintable(error));
    QVERIFY(QFileInfo::exists(path));

    QJsonParseError parseError;
    const QJsonDocument written = QJsonDocument::fromJson(readAll(path), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QVERIFY(written.isObject());
    QCOMPARE(written.object(), document);
    // Nothing else is left in the directory, such as a temporary file.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System),
             QStringList{QStringLiteral("extension_output.json")});
}

void TestExtensionOutput::writeFileReplacesExistingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("out.json"));
    {
        // Longer than the new document, so that a write in place would leave a tail behind.
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("{\"old\": \"" + QByteArray(20000, 'x') + "\"}\n");
    }
    const QJsonObject document = ExtensionOutput::build(
        sampleFields(), TaskResult::validationError(QStringLiteral("bad field")), false, {});

    QString error;
    QVERIFY2(ExtensionOutput::writeFile(path, document, &error), qPrintable(error));
    QJsonParseError parseError;
    const QJsonDocument written = QJsonDocument::fromJson(readAll(path), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(written.object(), document);
    QVERIFY(!written.object().contains(QLatin1String("old")));

    // And once more over the file just written.
    const QJsonObject second =
        ExtensionOutput::build(sampleFields(), TaskResult::success(), false, {});
    QVERIFY2(ExtensionOutput::writeFile(path, second, &error), qPrintable(error));
    QCOMPARE(QJsonDocument::fromJson(readAll(path)).object(), second);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System),
             QStringList{QStringLiteral("out.json")});
}

void TestExtensionOutput::writeFileToMissingDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("does-not-exist"));
    const QString path = missing + QStringLiteral("/out.json");
    const QJsonObject document =
        ExtensionOutput::build(sampleFields(), TaskResult::success(), false, {});

    QString error;
    QVERIFY(!ExtensionOutput::writeFile(path, document, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!QFileInfo::exists(path));
    QVERIFY(!QFileInfo::exists(missing));
    QVERIFY(QDir(dir.path())
                .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)
                .isEmpty());

    // Without a place for the error, it still fails cleanly.
    QVERIFY(!ExtensionOutput::writeFile(path, document, nullptr));
    QVERIFY(!QFileInfo::exists(path));
}

QTEST_GUILESS_MAIN(TestExtensionOutput)
#include "tst_extensionoutput.moc"
