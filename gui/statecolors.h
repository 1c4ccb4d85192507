#pragma once

#include <QColor>
#include <QString>

// The colours of Prefect's state types, shared by the state badges and the duration chart so
// that one state always looks the same.
namespace StateColors {

QColor background(const QString &stateType);
// Black or white, whichever reads better on background(stateType).
QColor foreground(const QString &stateType);

} // namespace StateColors
