#pragma once

#include <QStyledItemDelegate>

// Paints a state as a rounded badge in its state type's colours (StateColors), with the state's
// name as text: the cell's display text on FlowRunModel::StateTypeRole's colours.
class StateBadgeDelegate : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateBadgeDelegate)

public:
    explicit StateBadgeDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // Where the badge for `text` goes in the cell option.rect: left-aligned, vertically centred.
    static QRect badgeRect(const QStyleOptionViewItem &option, const QString &text);
    // The text shown in that badge: `text`, elided only when the cell is too narrow for it.
    static QString badgeText(const QStyleOptionViewItem &option, const QString &text);
};
