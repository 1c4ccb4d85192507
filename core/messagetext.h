#pragma once

#include <QString>

// Text that people or servers typed, made safe to put in a one-line message: UAC shows the
// status description and the CLI's stderr line by line, so a value must not break a line or
// forge one of its own.
namespace MessageText {

// Line breaks and other control characters as visible escapes (\n, \r, \t, \u2028 ...), and
// at most maxLength characters, cut between characters, never inside one.
QString printable(const QString &text, qsizetype maxLength = 200);

// Whitespace runs, line breaks included, as one space; at most maxLength characters and "…",
// never splitting a surrogate pair.
QString oneLine(const QString &text, qsizetype maxLength);

} // namespace MessageText
