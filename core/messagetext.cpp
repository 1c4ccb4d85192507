#include "messagetext.h"

namespace {

QString shortened(QString text, qsizetype maxLength)
{
    if (text.size() <= maxLength)
        return text;
    qsizetype cut = maxLength;
    if (cut > 0 && text.at(cut - 1).isHighSurrogate() && text.at(cut).isLowSurrogate())
        --cut;
    text.truncate(cut);
    return text + QStringLiteral("…");
}

} // namespace

QString MessageText::printable(const QString &text, qsizetype maxLength)
{
    QString result;
    result.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'\n':
            result += QLatin1String("\\n");
            continue;
        case u'\r':
            result += QLatin1String("\\r");
            continue;
        case u'\t':
            result += QLatin1String("\\t");
            continue;
        default:
            break;
        }
        const QChar::Category category = c.category();
        if (category == QChar::Other_Control || category == QChar::Other_Format
            || category == QChar::Separator_Line || category == QChar::Separator_Paragraph) {
            result += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            continue;
        }
        result += c;
    }
    return shortened(result, maxLength);
}

QString MessageText::oneLine(const QString &text, qsizetype maxLength)
{
    return shortened(text.simplified(), maxLength);
}
