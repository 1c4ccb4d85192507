#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

// One entry of a flow run's state history (GET /flow_run_states/?flow_run_id=).
class FlowRunState
{
public:
    static FlowRunState fromJson(const QJsonObject &object);
    // Oldest first, whatever order the server sent.
    static QList<FlowRunState> listFromJson(const QJsonArray &array);

    QString id;
    QString type; // SCHEDULED, PENDING, RUNNING, COMPLETED, ...
    QString name; // "Late", "Retrying", "Completed", ...
    QString message;
    QDateTime timestamp; // UTC
};
