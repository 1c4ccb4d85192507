#pragma once

#include "flowrun.h"

#include <QList>
#include <QWidget>

// The durations of a deployment's last runs as bars, oldest left, coloured by state, with the
// longest duration on the y axis and a tooltip per bar. Small enough for a details pane.
class RunDurationChart : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunDurationChart)

public:
    explicit RunDurationChart(QWidget *parent = nullptr);

    // Any order; the chart sorts by start time. Durations are taken now, running ones included.
    void setRuns(const QList<FlowRun> &runs);
    // Oldest first, as drawn.
    QList<FlowRun> runs() const { return m_runs; }

    // Where bar `index` is drawn at the current size; null when there is no such bar.
    QRect barRect(int index) const;
    // The bar under `position`, or -1.
    int barAt(const QPoint &position) const;
    QString barToolTip(int index) const;
    // The label at the top of the y axis: the longest duration.
    QString axisLabel() const;

    // "850 ms", "42 s", "3 min 05 s", "2 h 07 min".
    static QString formatDuration(double seconds);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QRect plotRect() const;

    QList<FlowRun> m_runs;
    QList<double> m_durations; // seconds, per run
    double m_longest = 0;
};
