#include "rundurationchart.h"

#include "statecolors.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {

constexpr int margin = 4;
constexpr int maxBarWidth = 24;
constexpr int minBarHeight = 2; // a run of no time still shows

QDateTime orderKey(const FlowRun &run)
{
    return run.startTime.isValid() ? run.startTime : run.expectedStartTime;
}

} // namespace

RunDurationChart::RunDurationChart(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("runDurationChart"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void RunDurationChart::setRuns(const QList<FlowRun> &runs)
{
    m_runs = runs;
    std::stable_sort(m_runs.begin(), m_runs.end(),
                     [](const FlowRun &a, const FlowRun &b) { return orderKey(a) < orderKey(b); });
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_durations.clear();
    m_longest = 0;
    for (const FlowRun &run : std::as_const(m_runs)) {
        const double seconds = std::max(0.0, run.durationSeconds(now));
        m_durations.append(seconds);
        m_longest = std::max(m_longest, seconds);
    }
    update();
}

QString RunDurationChart::formatDuration(double seconds)
{
    if (seconds < 1)
        return tr("%1 ms").arg(std::lround(seconds * 1000));
    const long total = std::lround(seconds);
    if (total < 60)
        return tr("%1 s").arg(total);
    if (total < 3600)
        return tr("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
    return tr("%1 h %2 min").arg(total / 3600).arg((total % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString RunDurationChart::axisLabel() const
{
    return m_runs.isEmpty() ? QString() : formatDuration(m_longest);
}

QRect RunDurationChart::plotRect() const
{
    const QFontMetrics metrics = fontMetrics();
    // The axis label sits above the plot, left-aligned with the axis.
    return rect().adjusted(margin + 1, margin + metrics.height() + 2, -margin, -margin);
}

QRect RunDurationChart::barRect(int index) const
{
    if (index < 0 || index >= m_runs.size())
        return {};
    const QRect plot = plotRect();
    const int count = int(m_runs.size());
    const double slot = double(plot.width()) / count;
    const int width = std::clamp(int(slot * 0.7), 1, maxBarWidth);
    const int left = plot.left() + int(slot * index + (slot - width) / 2);
    int height =
        m_longest > 0 ? int(std::lround(plot.height() * m_durations.at(index) / m_longest)) : 0;
    height = std::clamp(height, minBarHeight, std::max(minBarHeight, plot.height()));
    return QRect(left, plot.bottom() - height + 1, width, height);
}

int RunDurationChart::barAt(const QPoint &position) const
{
    const QRect plot = plotRect();
    for (int index = 0; index < m_runs.size(); ++index) {
        // The whole column counts, so that short bars are easy to point at.
        const QRect bar = barRect(index);
        if (position.x() >= bar.left() && position.x() <= bar.right() && position.y() >= plot.top()
            && position.y() <= plot.bottom())
            return index;
    }
    return -1;
}

QString RunDurationChart::barToolTip(int index) const
{
    if (index < 0 || index >= m_runs.size())
        return {};
    const FlowRun &run = m_runs.at(index);
    const QString state = run.stateName.isEmpty() ? run.stateType : run.stateName;
    QString text = tr("%1\n%2, %3").arg(run.name, state, formatDuration(m_durations.at(index)));
    if (run.startTime.isValid())
        text += u'\n' + QLocale().toString(run.startTime.toLocalTime(), QLocale::ShortFormat);
    return text;
}

QSize RunDurationChart::sizeHint() const
{
    return QSize(320, 110);
}

QSize RunDurationChart::minimumSizeHint() const
{
    return QSize(120, 60);
}

bool RunDurationChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int index = barAt(help->pos());
        if (index >= 0)
            QToolTip::showText(help->globalPos(), barToolTip(index), this, barRect(index));
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void RunDurationChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    if (m_runs.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("No runs yet"));
        return;
    }
    const QRect plot = plotRect();
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(margin, margin, width() - 2 * margin, fontMetrics().height()),
                     Qt::AlignLeft | Qt::AlignVCenter, axisLabel());
    // The axes hug the plot, outside it, so that they never cover a bar.
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(plot.left() - 1, plot.top(), plot.left() - 1, plot.bottom() + 1);
    painter.drawLine(plot.left() - 1, plot.bottom() + 1, plot.right(), plot.bottom() + 1);
    painter.setPen(Qt::NoPen);
    for (int index = 0; index < m_runs.size(); ++index)
        painter.fillRect(barRect(index), StateColors::background(m_runs.at(index).stateType));
}
