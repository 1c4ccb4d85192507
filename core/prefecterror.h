#pragma once

#include <QString>

// A failed Prefect API call, as callers see it: never a QNetworkReply.
class PrefectError
{
public:
    enum class Kind {
        None,
        Network, // connection refused, reset, DNS, TLS
        Timeout, // no complete answer within the transfer timeout
        Http, // the server answered with a status >= 400
        InvalidResponse, // the server answered 2xx, but not with the JSON we need
    };

    PrefectError() = default;
    PrefectError(Kind kind, int httpStatus, const QString &message);

    static PrefectError http(int status, const QString &serverMessage);

    Kind kind() const { return m_kind; }
    bool isError() const { return m_kind != Kind::None; }
    int httpStatus() const { return m_httpStatus; }
    // The server's own words ("detail" or "exception_message"), or the transport's.
    QString message() const { return m_message; }
    bool isAuthenticationFailure() const;
    bool isNotFound() const { return m_kind == Kind::Http && m_httpStatus == 404; }

    // One line for a person: "HTTP 409: Validation failed for field 'x'".
    QString toString() const;

    // Takes the message out of a Prefect error body: {"detail": ...} or {"exception_message": ...}.
    static QString serverMessage(const QByteArray &body);

private:
    Kind m_kind = Kind::None;
    int m_httpStatus = 0;
    QString m_message;
};
