#pragma once

#include "flowrun.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QTimer>

#include <functional>

// Recent flow runs as a table. setRuns() merges a refresh into the rows in place, by run id, so
// that views keep their selection and scroll position while the list stays live.
class FlowRunModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlowRunModel)

public:
    enum Column { NameColumn, StateColumn, StartColumn, DurationColumn, TagsColumn, ColumnCount };
    enum Role {
        StateTypeRole = Qt::UserRole + 1, // "RUNNING", "COMPLETED", ...
        FlowRunIdRole,
        SortRole, // QDateTime for Start, seconds for Duration, text otherwise
    };

    explicit FlowRunModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The rows become `runs`, in that order: rows of runs still there are updated (dataChanged),
    // moved if their place changed, and only new runs are inserted, gone runs removed.
    void setRuns(const QList<FlowRun> &runs);
    void clear() { setRuns({}); }
    QList<FlowRun> runs() const { return m_runs; }
    FlowRun runAt(int row) const;
    // -1 when the run is not in the model.
    int rowOf(const QString &flowRunId) const;

    // For tests: the time durations of live runs are measured to.
    void setClock(const std::function<QDateTime()> &clock);
    // "12s", "3m 05s", "2h 03m 04s".
    static QString formatDuration(double seconds);

private:
    QDateTime now() const;
    void tick();
    void updateTicking();

    QList<FlowRun> m_runs;
    QTimer m_ticker; // moves the Duration of running runs on
    std::function<QDateTime()> m_clock;
};
