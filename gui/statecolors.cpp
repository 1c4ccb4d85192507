#include "statecolors.h"

namespace StateColors {

QColor background(const QString &stateType)
{
    // Close to the Prefect UI's own palette, so users recognise the states at a glance.
    if (stateType == QLatin1String("COMPLETED"))
        return QColor(0x2a, 0xc7, 0x69);
    if (stateType == QLatin1String("FAILED"))
        return QColor(0xdc, 0x26, 0x26);
    if (stateType == QLatin1String("CRASHED"))
        return QColor(0xea, 0x58, 0x0c);
    if (stateType == QLatin1String("CANCELLED") || stateType == QLatin1String("CANCELLING"))
        return QColor(0x6b, 0x72, 0x80);
    if (stateType == QLatin1String("RUNNING"))
        return QColor(0x1d, 0x4e, 0xd8);
    if (stateType == QLatin1String("PENDING"))
        return QColor(0x93, 0xc5, 0xfd);
    if (stateType == QLatin1String("PAUSED"))
        return QColor(0xa1, 0x62, 0x07);
    if (stateType == QLatin1String("SCHEDULED"))
        return QColor(0xfb, 0xbf, 0x24);
    return QColor(0xd1, 0xd5, 0xdb);
}

QColor foreground(const QString &stateType)
{
    const QColor back = background(stateType);
    // Perceived brightness (ITU-R BT.601 weights).
    const int luma = (back.red() * 299 + back.green() * 587 + back.blue() * 114) / 1000;
    return luma > 150 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace StateColors
