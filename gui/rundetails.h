#pragma once

#include "flowrun.h"
#include "flowrunstate.h"
#include "logentry.h"
#include "prefecterror.h"

#include <QPointer>
#include <QUrl>
#include <QWidget>

#include <functional>

class LogFollower;
class PrefectClient;
class PrefectReply;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTabWidget;

// One flow run up close: its state history, parameters and logs (followed while the run is
// live), with buttons to cancel it and to open it in the Prefect UI.
class RunDetails : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunDetails)

public:
    // Asked before a cancel is sent; true to go ahead. The default asks with a QMessageBox.
    using CancelConfirmation = std::function<bool(const FlowRun &run)>;
    // Opens a URL; the default is QDesktopServices::openUrl.
    using UrlOpener = std::function<bool(const QUrl &url)>;

    static constexpr int defaultLogIntervalMs = 2000;

    explicit RunDetails(QWidget *parent = nullptr);
    ~RunDetails() override;

    // Shows this run, read through `client`: states and logs are read anew.
    void setRun(const FlowRun &run, PrefectClient *client);
    // A newer view of the run shown (from a list refresh); another run's is ignored.
    void updateRun(const FlowRun &run);
    // Nothing shown; following stops.
    void clear();
    FlowRun run() const { return m_run; }

    void setCancelConfirmation(const CancelConfirmation &confirm) { m_confirmCancel = confirm; }
    void setUrlOpener(const UrlOpener &opener) { m_openUrl = opener; }
    void setLogIntervalMs(int ms) { m_logIntervalMs = ms; }

    QList<FlowRunState> states() const { return m_states; }
    bool isFollowingLogs() const;

    // Asks Prefect to cancel the run (after the confirmation); what the Cancel button does.
    void cancelRun();
    void openInUi();

signals:
    // Prefect answered the cancel: accepted (ACCEPT) or not, with the words shown to the user.
    void cancelAnswered(bool accepted, const QString &message);
    void readFailed(const PrefectError &error);

private:
    void showRunHeader();
    void readStates();
    void startLogs();
    void appendLogs(const QList<LogEntry> &entries);
    void showStates(const QList<FlowRunState> &states);

    FlowRun m_run;
    QPointer<PrefectClient> m_client;
    LogFollower *m_follower = nullptr;
    QPointer<PrefectReply> m_statesReply;
    QPointer<PrefectReply> m_cancelReply;
    QList<FlowRunState> m_states;
    CancelConfirmation m_confirmCancel;
    UrlOpener m_openUrl;
    int m_logIntervalMs = defaultLogIntervalMs;

    QLabel *m_title;
    QLabel *m_state;
    QLabel *m_answer;
    QPushButton *m_cancelButton;
    QPushButton *m_openButton;
    QTabWidget *m_tabs;
    QTableWidget *m_statesTable;
    QPlainTextEdit *m_parameters;
    QPlainTextEdit *m_logs;
};
