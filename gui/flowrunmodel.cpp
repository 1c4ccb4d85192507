#include "flowrunmodel.h"

#include <QHash>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace {

bool isLive(const FlowRun &run)
{
    return run.startTime.isValid() && !run.endTime.isValid() && !run.isTerminal();
}

// Only what the columns and roles show: Prefect's estimates change on every read of a live run,
// and a row repainted for nothing would flicker.
bool looksTheSame(const FlowRun &a, const FlowRun &b)
{
    return a.name == b.name && a.stateType == b.stateType && a.stateName == b.stateName
        && a.stateMessage == b.stateMessage && a.startTime == b.startTime
        && a.expectedStartTime == b.expectedStartTime && a.endTime == b.endTime
        && a.totalRunTimeSeconds == b.totalRunTimeSeconds && a.tags == b.tags;
}

} // namespace

FlowRunModel::FlowRunModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &FlowRunModel::tick);
}

int FlowRunModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int FlowRunModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FlowRunModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FlowRun &run = m_runs.at(index.row());
    if (role == FlowRunIdRole)
        return run.id;
    if (role == StateTypeRole)
        return run.stateType;

    switch (index.column()) {
    case NameColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return run.name;
        if (role == Qt::ToolTipRole)
            return run.id;
        break;
    case StateColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return run.stateName.isEmpty() ? run.stateType : run.stateName;
        if (role == Qt::ToolTipRole && !run.stateMessage.isEmpty())
            return run.stateMessage;
        break;
    case StartColumn: {
        // A run that has not started shows when it is expected to.
        const QDateTime start = run.startTime.isValid() ? run.startTime : run.expectedStartTime;
        if (role == SortRole)
            return start;
        if (role == Qt::DisplayRole && start.isValid())
            return QLocale().toString(start.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (role == Qt::ToolTipRole && !run.startTime.isValid() && start.isValid())
            return tr("Expected start");
        break;
    }
    case DurationColumn: {
        const double seconds = run.durationSeconds(now());
        if (role == SortRole)
            return seconds;
        if (role == Qt::DisplayRole && (run.startTime.isValid() || seconds > 0))
            return formatDuration(seconds);
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    case TagsColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return run.tags.join(QStringLiteral(", "));
        break;
    default:
        break;
    }
    return {};
}

QVariant FlowRunModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case StateColumn:
        return tr("State");
    case StartColumn:
        return tr("Start");
    case DurationColumn:
        return tr("Duration");
    case TagsColumn:
        return tr("Tags");
    default:
        return {};
    }
}

void FlowRunModel::setRuns(const QList<FlowRun> &runs)
{
    QHash<QString, int> wanted; // id -> place in `runs`
    QList<FlowRun> incoming;
    incoming.reserve(runs.size());
    for (const FlowRun &run : runs) {
        // A run twice in one answer (pages that shifted) is shown once.
        if (!run.isValid() || wanted.contains(run.id))
            continue;
        wanted.insert(run.id, int(incoming.size()));
        incoming << run;
    }

    // Gone runs first, in contiguous blocks from the bottom so that the rows above keep their
    // numbers while we go.
    for (int row = int(m_runs.size()) - 1; row >= 0;) {
        if (wanted.contains(m_runs.at(row).id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !wanted.contains(m_runs.at(first - 1).id))
            --first;
        beginRemoveRows({}, first, row);
        m_runs.erase(m_runs.begin() + first, m_runs.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    // Then walk the new order: each place either already holds its run, gets it moved up from
    // further down, or gets it inserted.
    for (int row = 0; row < incoming.size(); ++row) {
        const FlowRun &run = incoming.at(row);
        int found = -1;
        for (int i = row; i < m_runs.size(); ++i) {
            if (m_runs.at(i).id == run.id) {
                found = i;
                break;
            }
        }
        if (found < 0) {
            beginInsertRows({}, row, row);
            m_runs.insert(row, run);
            endInsertRows();
            continue;
        }
        if (found != row) {
            beginMoveRows({}, found, found, {}, row);
            m_runs.move(found, row);
            endMoveRows();
        }
        if (!looksTheSame(m_runs.at(row), run)) {
            m_runs[row] = run;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        } else {
            m_runs[row] = run; // parameters and raw, which no column shows
        }
    }
    updateTicking();
}

FlowRun FlowRunModel::runAt(int row) const
{
    return row >= 0 && row < m_runs.size() ? m_runs.at(row) : FlowRun();
}

int FlowRunModel::rowOf(const QString &flowRunId) const
{
    for (int row = 0; row < m_runs.size(); ++row) {
        if (m_runs.at(row).id == flowRunId)
            return row;
    }
    return -1;
}

void FlowRunModel::setClock(const std::function<QDateTime()> &clock)
{
    m_clock = clock;
    tick();
}

QString FlowRunModel::formatDuration(double seconds)
{
    const qint64 total = qMax<qint64>(0, qint64(std::llround(seconds)));
    const qint64 hours = total / 3600;
    const qint64 minutes = (total % 3600) / 60;
    const qint64 secs = total % 60;
    const auto twoDigits = [](qint64 value) {
        return QStringLiteral("%1").arg(value, 2, 10, QLatin1Char('0'));
    };
    if (hours > 0)
        return QStringLiteral("%1h %2m %3s").arg(hours).arg(twoDigits(minutes), twoDigits(secs));
    if (minutes > 0)
        return QStringLiteral("%1m %2s").arg(minutes).arg(twoDigits(secs));
    return QStringLiteral("%1s").arg(secs);
}

QDateTime FlowRunModel::now() const
{
    return m_clock ? m_clock() : QDateTime::currentDateTimeUtc();
}

void FlowRunModel::tick()
{
    for (int row = 0; row < m_runs.size(); ++row) {
        if (isLive(m_runs.at(row))) {
            const QModelIndex cell = index(row, DurationColumn);
            emit dataChanged(cell, cell, {Qt::DisplayRole, SortRole});
        }
    }
}

void FlowRunModel::updateTicking()
{
    const bool anyLive = std::any_of(m_runs.cbegin(), m_runs.cend(), isLive);
    if (anyLive && !m_ticker.isActive())
        m_ticker.start();
    else if (!anyLive)
        m_ticker.stop();
}
