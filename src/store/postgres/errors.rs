//! PostgreSQL failures named for the operator: the server (its URL with the password
//! redacted: a password is never printed or logged) and what to do.

use super::password::PasswordSource;
use crate::shell_support::shell_quoted;
use crate::store::{ServerAdvice, StoreError};
use ::postgres::error::SqlState;

/// `url` with its password, if any, replaced by `***`: in a URL's user info
/// (`postgresql://user:secret@host/db`), a `password=` query parameter, or a
/// `password=` key of the key/value form (`host=h password=secret`).
pub fn redact_url(url: &str) -> String {
    let mut redacted = url.to_owned();
    if let Some(scheme_end) = redacted.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = redacted[authority_start..]
            .find(['/', '?'])
            .map_or(redacted.len(), |end| authority_start + end);
        if let Some(at) = redacted[authority_start..authority_end].rfind('@') {
            let user_info = authority_start..authority_start + at;
            if let Some(colon) = redacted[user_info.clone()].find(':') {
                redacted.replace_range(user_info.start + colon + 1..user_info.end, "***");
            }
        }
        return redact_query_passwords(&redacted);
    }
    redact_password_values(&redacted)
}

/// A URL's query with the value of every parameter named `password` replaced, its
/// name compared once percent-decoded: a security probe's `pass%77ord=…` reached the
/// server as the password and was printed as it was.
fn redact_query_passwords(url: &str) -> String {
    let Some((head, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if percent_decoded(name) == "password" => format!("{name}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}?{}", pairs.join("&"))
}

/// `text` with each `%XX` (two hex digits) read as the byte it stands for; anything
/// else as it is.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = (bytes.get(index + 1..index + 3))
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Replaces the value after every `password=` of a key/value string, spaces allowed
/// around the `=` as the client allows them (up to a space or the end; a quoted value
/// up to its closing quote).
fn redact_password_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find("password") {
        let after_name = &rest[found + "password".len()..];
        let spaced = after_name.trim_start_matches(' ');
        let Some(value) = spaced.strip_prefix('=') else {
            out.push_str(&rest[..found + "password".len()]);
            rest = after_name;
            continue;
        };
        let value = value.trim_start_matches(' ');
        let value_start = rest.len() - value.len();
        out.push_str(&rest[..value_start]);
        let value_end = if let Some(quoted) = value.strip_prefix('\'') {
            quoted.find('\'').map_or(value.len(), |end| end + 2)
        } else {
            value.find(['&', ' ']).unwrap_or(value.len())
        };
        out.push_str("***");
        rest = &value[value_end..];
    }
    out.push_str(rest);
    out
}

/// The database named by the server's `database "NAME" does not exist`, quoted for a
/// shell; `NAME` where the words are not those.
fn missing_database(server_words: &str) -> String {
    server_words
        .split_once("database \"")
        .and_then(|(_, rest)| rest.rsplit_once("\" does not exist"))
        .map_or_else(|| "NAME".to_owned(), |(name, _)| shell_quoted(name))
}

/// A failure of the server or the connection to it, reading or writing `store`.
pub(crate) fn classify(store: &str, error: ::postgres::Error) -> StoreError {
    let unavailable = |advice: ServerAdvice| StoreError::Unavailable {
        store: store.to_owned(),
        message: error_text(&error),
        advice: Some(Box::new(advice)),
    };
    if let Some(code) = error.code() {
        return match *code {
            SqlState::DISK_FULL => StoreError::DiskFull {
                path: store.to_owned(),
                // The server's own words ("could not extend file …: No space left on
                // device"): `Display` of the error says only "db error".
                source: std::io::Error::new(std::io::ErrorKind::StorageFull, error_text(&error)),
            },
            SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                unavailable(ServerAdvice::Login {
                    user: String::new(),
                    password_from: "none",
                    path: String::new(),
                })
            }
            SqlState::INVALID_CATALOG_NAME => unavailable(ServerAdvice::NoDatabase {
                quoted: shell_quoted(store),
                database: missing_database(&error_text(&error)),
            }),
            // A probe's role at its CONNECTION LIMIT was told to raise max_connections.
            SqlState::TOO_MANY_CONNECTIONS
                if error_text(&error).contains("too many connections for role") =>
            {
                unavailable(ServerAdvice::RoleConnectionLimit)
            }
            SqlState::TOO_MANY_CONNECTIONS => unavailable(ServerAdvice::TooManyConnections),
            SqlState::CANNOT_CONNECT_NOW => unavailable(ServerAdvice::StartingUp),
            SqlState::ADMIN_SHUTDOWN | SqlState::CRASH_SHUTDOWN => {
                unavailable(ServerAdvice::ShutDown)
            }
            // Class 08, connection exception: the connection failed or broke.
            _ if code.code().starts_with("08") => unavailable(ServerAdvice::ConnectionFailed),
            SqlState::INSUFFICIENT_PRIVILEGE => StoreError::PermissionDenied {
                path: store.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    error_text(&error),
                ),
            },
            _ => server_said(error),
        };
    }
    // The `postgres` crate has no accessor for its error kinds; its text names this one.
    if error
        .to_string()
        .starts_with("error performing TLS handshake")
    {
        return unavailable(ServerAdvice::Encryption);
    }
    if error.is_closed() || io_source(&error).is_some() {
        return unavailable(ServerAdvice::NotReachable);
    }
    server_said(error)
}

/// An error this module does not name otherwise, said with the server's own words and
/// its SQLSTATE: the `postgres` crate's `Display` of a server error is only "db error"
/// (found by a probe: a statement timeout, a cancelled statement and a read-only
/// database were all reported as "storage engine failed: db error").
fn server_said(error: ::postgres::Error) -> StoreError {
    let mut message = error_text(&error);
    if let Some(code) = error.code() {
        message.push_str(&format!(" (SQLSTATE {})", code.code()));
    }
    StoreError::Engine {
        message,
        detail: Box::new(error),
    }
}

/// Whether the `postgres` crate gave up before asking the server, for want of a
/// password it asks for.
fn password_missing(error: &::postgres::Error) -> bool {
    error.code().is_none() && error_text(error).ends_with("password missing")
}

/// Whether a failed connection is the server refusing the login (a wrong or missing
/// password, a user it does not let in), as against one that could not be made: of
/// several hosts' failures, that is the one to report (the others hide its cause).
pub(crate) fn is_login_refused(error: &::postgres::Error) -> bool {
    server_refused_login(error) || password_missing(error)
}

/// Whether the server itself refused the login (wrong password, user not let in).
fn server_refused_login(error: &::postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(&SqlState::INVALID_PASSWORD | &SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
    )
}

/// A failure to connect to `target`: as `classify` says, and a login the server
/// refused names the user and where its password came from (or that none was found:
/// the `postgres` crate's own word for that is "invalid configuration").
pub(crate) fn classify_connect(
    store: &str,
    user: &str,
    password: &PasswordSource,
    error: ::postgres::Error,
) -> StoreError {
    if password_missing(&error) {
        return StoreError::Unavailable {
            store: store.to_owned(),
            message: String::new(),
            advice: Some(Box::new(ServerAdvice::PasswordMissing {
                user: user.to_owned(),
            })),
        };
    }
    let refused = server_refused_login(&error);
    let (password_from, path) = match password {
        PasswordSource::Url => ("url", String::new()),
        PasswordSource::Environment => ("environment", String::new()),
        PasswordSource::File(path) => ("file", path.display().to_string()),
        PasswordSource::Nowhere => ("nowhere", String::new()),
    };
    match classify(store, error) {
        StoreError::Unavailable { store, message, .. } if refused => StoreError::Unavailable {
            store,
            message,
            advice: Some(Box::new(ServerAdvice::Login {
                user: user.to_owned(),
                password_from,
                path,
            })),
        },
        other => other,
    }
}

/// `error` and its causes on one line: the `postgres` crate's own text names only its
/// kind ("db error", "error performing TLS handshake"), and what the server or the TLS
/// library said is in its sources (`pg_hba.conf rejects connection …`,
/// `certificate verify failed`).
fn error_text(error: &::postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let said = inner.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = inner.source();
    }
    text
}

/// The I/O error beneath a connection failure (refused, reset, no such socket).
fn io_source(error: &::postgres::Error) -> Option<&std::io::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = inner.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_every_form() {
        for (url, redacted) in [
            (
                "postgresql://ledger:s3cret@db.example:5432/flexledger",
                "postgresql://ledger:***@db.example:5432/flexledger",
            ),
            (
                "postgres://ledger@db/flexledger?password=s3cret&sslmode=disable",
                "postgres://ledger@db/flexledger?password=***&sslmode=disable",
            ),
            (
                "host=/run/postgresql user=ledger password='s e cret' dbname=flexledger",
                "host=/run/postgresql user=ledger password=*** dbname=flexledger",
            ),
            (
                "host=db password=s3cret dbname=flexledger",
                "host=db password=*** dbname=flexledger",
            ),
            (
                "postgresql:///flexledger?host=/tmp/pg",
                "postgresql:///flexledger?host=/tmp/pg",
            ),
            ("postgresql://a:b:c@h/d", "postgresql://a:***@h/d"),
            // A parameter's name percent-encoded is the same parameter to the client.
            (
                "postgres://h/d?user=a&pass%77ord=S3cret&sslmode=disable",
                "postgres://h/d?user=a&pass%77ord=***&sslmode=disable",
            ),
            (
                "postgres://h/d?%70assword=S3cret",
                "postgres://h/d?%70assword=***",
            ),
            (
                "host=db password = s3cret dbname=d",
                "host=db password = *** dbname=d",
            ),
            (
                "host=db user=passwordless dbname=d",
                "host=db user=passwordless dbname=d",
            ),
        ] {
            assert_eq!(redact_url(url), redacted, "{url}");
        }
    }

    #[test]
    fn a_suggested_url_is_one_shell_word() {
        assert_eq!(
            shell_quoted("postgresql:///e?host=/tmp/s&port=55432"),
            "'postgresql:///e?host=/tmp/s&port=55432'"
        );
        assert_eq!(
            shell_quoted("postgresql:///it's"),
            r"'postgresql:///it'\''s'"
        );
    }
}
