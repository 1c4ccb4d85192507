#include "statebadgedelegate.h"

#include "flowrunmodel.h"
#include "statecolors.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QtMath>

namespace {

constexpr int horizontalPadding = 8;
constexpr int verticalPadding = 2;
constexpr int margin = 3;

// Rounded up: a width rounded to the nearest pixel can be a fraction short, and the text then
// comes out elided in a column sized to fit it.
int textWidth(const QFont &font, const QString &text)
{
    return qCeil(QFontMetricsF(font).horizontalAdvance(text));
}

} // namespace

StateBadgeDelegate::StateBadgeDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

QRect StateBadgeDelegate::badgeRect(const QStyleOptionViewItem &option, const QString &text)
{
    const QFontMetrics metrics(option.font);
    const int width = qMin(textWidth(option.font, text) + 2 * horizontalPadding,
                           option.rect.width() - 2 * margin);
    const int height =
        qMin(metrics.height() + 2 * verticalPadding, option.rect.height() - 2 * margin);
    QRect badge(0, 0, qMax(0, width), qMax(0, height));
    badge.moveCenter(option.rect.center());
    badge.moveLeft(option.rect.left() + margin);
    return badge;
}

QString StateBadgeDelegate::badgeText(const QStyleOptionViewItem &option, const QString &text)
{
    return QFontMetrics(option.font)
        .elidedText(text, Qt::ElideRight, badgeRect(option, text).width() - 2 * horizontalPadding);
}

void StateBadgeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    const QString stateType = index.data(FlowRunModel::StateTypeRole).toString();

    // The cell itself (selection, focus, alternate rows) as the style draws it, without text.
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    if (text.isEmpty())
        return;

    const QRect badge = badgeRect(option, text);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    const qreal radius = badge.height() / 2.0;
    path.addRoundedRect(QRectF(badge), radius, radius);
    painter->fillPath(path, StateColors::background(stateType));
    painter->setPen(StateColors::foreground(stateType));
    painter->setFont(option.font);
    painter->drawText(badge, Qt::AlignCenter, badgeText(option, text));
    painter->restore();
}

QSize StateBadgeDelegate::sizeHint(const QStyleOptionViewItem &option,
                                   const QModelIndex &index) const
{
    const QSize base = QStyledItemDelegate::sizeHint(option, index);
    const QFontMetrics metrics(option.font);
    const QString text = index.data(Qt::DisplayRole).toString();
    return QSize(
        qMax(base.width(), textWidth(option.font, text) + 2 * (horizontalPadding + margin)),
        qMax(base.height(), metrics.height() + 2 * (verticalPadding + margin)));
}
