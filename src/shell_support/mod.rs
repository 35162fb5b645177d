//! What the shells (`flexledger`, `flexledger-audit`, the HTTP server) share about
//! the terminal and the process: `-` for standard input or output ([`stdio`]), the
//! progress bar of a walk over the log, logging to standard error, and telling a
//! closed pipe from a failure. It uses nothing else of the crate, so every shell can
//! use it without depending on another shell.

pub mod stdio;

use std::io;

/// `text` as one word of a POSIX shell, for a command line a message suggests: in
/// single quotes, each `'` inside written `'\''`. A URL pasted unquoted would end at
/// its first `&` (the shell runs the command in the background, without the rest of
/// the URL: another database, on the default port); a path may hold spaces.
pub fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The UTF-8 byte order mark (U+FEFF) that Notepad and Excel write at the start of a
/// text file. It is no part of the text: an input's reader skips it at the very start
/// of the input, and nowhere else.
pub const UTF8_BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a UTF-8 byte order mark at their start.
pub fn without_byte_order_mark(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BYTE_ORDER_MARK).unwrap_or(bytes)
}

/// A progress bar over the log's events, on standard error (drawn only on a terminal).
pub fn walk_progress(verb: &str, events: u64) -> indicatif::ProgressBar {
    // No words but the command's name, which is the same in every language (a probe saw
    // "events" in English under --lang zh-CN): the counts are positions of the log.
    let template = format!("{{spinner}} {verb} [{{bar:30}}] {{pos}}/{{len}} ({{eta}})");
    let progress = indicatif::ProgressBar::new(events).with_style(
        indicatif::ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    progress.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(4));
    progress
}

/// What is logged when `FLEXLEDGER_LOG` is not set: warnings, and none of the storage
/// engine's own lines. sled's come in English after the ledger's own message, which
/// already says what happened and what to do in the reader's language (a probe saw
/// "ERROR sled::tree: failed to flush data to disk" three times after a full disk's
/// advice); `FLEXLEDGER_LOG=warn,sled=warn` shows them.
pub const LOG_FILTER_DEFAULT: &str = "warn,sled=off";

/// The log filter for `FLEXLEDGER_LOG`'s value: [`LOG_FILTER_DEFAULT`] when it is not
/// set or empty, else the value, with sled's lines off unless it names `sled`
/// (`FLEXLEDGER_LOG=info` is for the ledger's own lines).
pub fn log_filter(value: Option<&str>) -> String {
    match value.map(str::trim) {
        None | Some("") => LOG_FILTER_DEFAULT.to_owned(),
        Some(value) if value.contains("sled") => value.to_owned(),
        Some(value) => format!("{value},sled=off"),
    }
}

/// Logs to standard error, at the level `FLEXLEDGER_LOG` names (default
/// [`LOG_FILTER_DEFAULT`]; empty counts as not set, as every `FLEXLEDGER_` setting).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::new(log_filter(
        std::env::var("FLEXLEDGER_LOG").ok().as_deref(),
    ));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        // Colour codes only for a person at a terminal: in a log file they split
        // `key=value` fields (`request_id=…`) that an operator greps for.
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        // tracing-subscriber reports an event it cannot write with `eprintln!`, which
        // panics when standard error cannot be written either (it is on the disk that
        // just filled): a log line sled's I/O thread writes about a full disk killed
        // that thread, and every append then waited for it forever. A log line that
        // cannot be written is lost; the error it reported still reaches the writer.
        .log_internal_errors(false)
        .try_init();
}

/// `eprintln!` that never panics: with standard error closed (`2>&1 | head -c 10`)
/// `eprintln!` panics, and a message about a failure became exit 101, the code of a
/// broken invariant. The message is lost then; the exit code is not.
macro_rules! say_on_stderr {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($argument)*);
    }};
}
pub(crate) use say_on_stderr;

/// What went wrong writing standard output, if that is what `error` is (an I/O error,
/// or serde_json's around one): the process's own output, not its store.
pub fn output_failure(error: &anyhow::Error) -> Option<io::ErrorKind> {
    error.chain().find_map(|cause| {
        let io_kind = cause.downcast_ref::<io::Error>().map(io::Error::kind);
        let json_kind = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind);
        io_kind.or(json_kind)
    })
}

/// Whether the error is standard output closing under us (`… | head -1`): not a
/// failure, the reader has what it wanted.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    output_failure(error) == Some(io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_filter_keeps_sled_quiet_unless_named() {
        assert_eq!(log_filter(None), LOG_FILTER_DEFAULT);
        assert_eq!(log_filter(Some(" ")), LOG_FILTER_DEFAULT);
        assert_eq!(log_filter(Some("info")), "info,sled=off");
        assert_eq!(log_filter(Some("warn,sled=warn")), "warn,sled=warn");
    }
}
