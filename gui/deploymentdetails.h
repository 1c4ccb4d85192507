#pragma once

#include "deployment.h"
#include "flowrun.h"
#include "prefecterror.h"

#include <QPointer>
#include <QWidget>

class PrefectClient;
class PrefectReply;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;
class RunDurationChart;

// One deployment at a glance: what it runs, where, with which defaults and schema, how its last
// runs went, and the button that opens the launch dialog.
class DeploymentDetails : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeploymentDetails)

public:
    static constexpr int recentRunCount = 20;

    explicit DeploymentDetails(QWidget *parent = nullptr);

    // Shows the deployment and loads its last runs through client (none without one). A newer
    // call drops the runs an older one is still waiting for.
    void setDeployment(const Deployment &deployment, PrefectClient *client);
    void clear();
    Deployment deployment() const { return m_deployment; }
    // Newest first, as Prefect sent them.
    QList<FlowRun> runs() const { return m_runs; }
    bool isLoadingRuns() const { return !m_runsReply.isNull(); }

signals:
    void launchRequested(const Deployment &deployment);
    void runsLoaded(const QList<FlowRun> &runs);
    void runsFailed(const PrefectError &error);

private:
    void dropRunsLoad();
    void showRuns(const QList<FlowRun> &runs);

    Deployment m_deployment;
    QList<FlowRun> m_runs;
    QPointer<PrefectReply> m_runsReply;
    QLabel *m_title;
    QLabel *m_description;
    QLabel *m_entrypoint;
    QLabel *m_workPool;
    QLabel *m_tags;
    QPlainTextEdit *m_defaultParameters;
    QPlainTextEdit *m_parameterSchema;
    QLabel *m_runsStatus;
    QTreeWidget *m_runList;
    RunDurationChart *m_chart;
    QPushButton *m_launch;
};
