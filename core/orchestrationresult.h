#pragma once

#include <QJsonValue>
#include <QString>

// Prefect's answer to a proposed state (POST /flow_runs/{id}/set_state): ACCEPT, REJECT,
// ABORT or WAIT, and the reason it gives, if any.
class OrchestrationResult
{
public:
    static OrchestrationResult fromJson(const QJsonValue &answer);

    QString status; // empty when the answer carried none
    QString reason; // details.reason
    bool isAccepted() const { return status == QLatin1String("ACCEPT"); }
};
