#pragma once

#include <QJsonObject>
#include <QString>

// The task's live output fields that UAC shows while the task runs.
class OutputFields
{
public:
    QString flowRunId;
    QString flowRunName;
    QString flowRunState;

    QJsonObject toJson() const;
    bool operator==(const OutputFields &other) const;
    bool operator!=(const OutputFields &other) const { return !(*this == other); }
};
