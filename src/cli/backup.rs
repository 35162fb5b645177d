//! `flexledger backup` and `flexledger restore`: the shell around [`crate::backup`] —
//! open the store or fetch from a running server, write the file, print the summary.

use crate::backup::{self, BackupError, RestoreOptions};
use crate::i18n::{Language, Sentence};
use crate::shell_support::{stdio, walk_progress};
use crate::store::{EventLog, Location, Place, StoreError};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const BACKUP_LONG_ABOUT: &str = "Write a consistent backup of the whole ledger to --out: every event \
from position 1 to the head the log has when the backup starts, exactly as `events` prints them (each command's \
body digest before its first event), each stream's head, each member's coverage, a line signing every body digest, and a checkpoint of the log at that position signed with the ledger's key (an audit \
bundle of scope all, version 3: `flexledger-audit verify-bundle` checks it). Commands appended while it runs are simply not \
in it. The file is written beside --out and renamed into place when complete.\n\n\
From a data directory no process holds: --data-dir DIR (the checkpoint is also stored in the ledger). While \
`serve` runs it holds the directory's lock: fetch the backup from it with --server URL and an operator's or \
auditor's token (--token or $FLEXLEDGER_TOKEN; GET /v1/backup); the download is verified before it is kept, \
against --public-key if given.\n\n\
Prints one JSON object: ok, out, and the summary (position, head_hash, streams, members, root, key_id, \
public_key, bytes; with --server also key_pinned, and commands_signed: false when the server sent an older \
backup whose body digests are not signed, with a note); with --out - it goes to standard error.\n\n\
Exit: 0 written, 1 the store is damaged or the download does not verify, 2 could not run, \
130 stopped by Ctrl-C, SIGTERM or SIGHUP (nothing is left at --out).";

pub const RESTORE_LONG_ABOUT: &str = "Restore a backup into a new data directory (--data-dir, which must not \
exist, or must be empty). The backup is read once and checked line by line: every event's hash, its position, the log's \
and its stream's chain, the fold, every stream head and coverage, and at the end the checkpoint's signature and \
both Merkle roots. Verified events are appended as they are (positions, hashes, command ids) into a staging \
directory beside the target, the state rows are rebuilt, and only then are its files moved into the target. \
The target is marked from the start (restore-unfinished), so a serve or submit started on it meanwhile is \
refused instead of making a ledger there; a refused backup leaves the target as it was.\n\n\
Verifying needs only the public key: --public-key (or $FLEXLEDGER_PUBLIC_KEY) pins the ledger's published key; \
without it the key the backup names is used and the output says \"key_pinned\":false. To keep signing checkpoints \
with the ledger's key, give its key file with --signing-key (it must be the key that signed the backup; it is \
installed in the new directory), or keep $FLEXLEDGER_SIGNING_KEY pointing at it. Without either, nothing is \
installed and a warning says so: put the key in place before the restored ledger is used. It never makes a \
new key (a second key would sign the same log under another identity): until the key is back, it takes commands \
but signs nothing: backup, checkpoint and the audit tool's exports refuse, while its reading commands \
work (verify with --public-key) (docs/DECISIONS.md D33).\n\n\
Each command's body digest is restored with its id, so a different command under an accepted id is refused \
(command_id_reused) as by the original. A backup signs those digests (bundle version 3, \
\"commands_signed\":true): one removed or altered is refused. An older backup restores with a note: one written \
on 2026-12-04 or 05 (version 2) has them unsigned (\"commands_signed\":false); one written before, or a \
`flexledger-audit export --all` written before 2026-12-05 (version 1), has none, and its ids answer as v1's do: a duplicate unless the id's events cannot be the command's. Not in a backup, so not restored: the stored coverage-change feed items, and \
earlier stored checkpoints (the backup's own is stored).\n\n\
Prints one JSON object: ok, data_dir, events, head_position, head_hash, streams, members, root, key_id, key_pinned, commands_signed, signing_key.\n\n\
Exit: 0 restored, 1 the backup is altered, cut short or signed by another key (the line and position are named), \
2 could not run (the target is not empty, unreadable file, wrong --signing-key), \
130 stopped by Ctrl-C, SIGTERM or SIGHUP (nothing is left behind).";

/// Largest signing key file read: 64 hex digits and a newline need 65 bytes.
pub const SIGNING_KEY_FILE_BYTES_MAX: u64 = 1024;

/// How long the server may stay silent while it walks the log or sends the backup.
pub const BACKUP_HTTP_READ_TIMEOUT_SECONDS: u64 = 600;
/// Longest response head line and most header lines read from the server.
pub const BACKUP_HTTP_HEAD_LINE_BYTES_MAX: u64 = 16 * 1024;
pub const BACKUP_HTTP_HEADERS_MAX: usize = 100;
/// The most characters of a server's line a message quotes (a line may be 16 KiB).
pub const BACKUP_HTTP_QUOTED_CHARS_MAX: usize = 80;
/// Most bytes of an error response read to show its message.
pub const BACKUP_HTTP_ERROR_BYTES_MAX: u64 = 64 * 1024;

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// Where to write the backup ('-' writes standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Fetch the backup from a running `flexledger serve` at this URL (http://HOST:PORT)
    /// instead of reading --data-dir.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// With --server: an operator's or auditor's bearer token (prefer $FLEXLEDGER_TOKEN:
    /// arguments are visible to other users).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "FLEXLEDGER_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// With --server: the ledger's public key (64 hex digits); the download must be signed by it.
    #[arg(long, value_name = "HEX", env = "FLEXLEDGER_PUBLIC_KEY")]
    pub public_key: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup file ('-' reads standard input).
    pub file: PathBuf,
    /// The ledger's published public key (64 hex digits): the backup must be signed by it.
    #[arg(long, value_name = "HEX", env = "FLEXLEDGER_PUBLIC_KEY")]
    pub public_key: Option<String>,
    /// The ledger's signing key file (its audit-signing-key; '-' reads standard input):
    /// checked against the backup's signature and installed in the new data directory.
    #[arg(long, value_name = "FILE")]
    pub signing_key: Option<PathBuf>,
}

/// The signing key file, or standard input for `-`.
fn read_signing_key(path: &Path) -> anyhow::Result<ed25519_dalek::SigningKey> {
    let text = stdio::read_small_input(path, SIGNING_KEY_FILE_BYTES_MAX)?;
    Ok(backup::parse_signing_key(
        &text,
        &stdio::display(path, true),
    )?)
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    serde_json::to_writer(&mut stdout, value)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

/// The summary of a backup: on standard output, or on standard error when the backup
/// itself goes to standard output (`--out -`).
fn print_summary(out: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    if !stdio::is_stdio(out) {
        return print_json(value);
    }
    let mut stderr = io::stderr().lock();
    serde_json::to_writer(&mut stderr, value)?;
    stderr.write_all(b"\n")?;
    Ok(())
}

/// What was not done, as message ids: where a line is named, and where the whole file
/// is at fault (line 0: empty, or not a text file).
struct NotDone {
    at_line: &'static str,
    file: &'static str,
}

const RESTORE_REFUSED: NotDone = NotDone {
    at_line: "backup-restore-refused",
    file: "backup-restore-refused-file",
};

const DOWNLOAD_REFUSED: NotDone = NotDone {
    at_line: "backup-download-refused",
    file: "backup-download-refused-file",
};

/// An invalid backup: exit 1, naming the line and position (JSON on standard output,
/// its `message` the contract's English, `line` null for the file as a whole; on
/// standard error, `what` was not done and why, in `language`); any other failure
/// propagates (exit 2, or 1 for a damaged store).
fn refused(
    error: BackupError,
    what: NotDone,
    out: &Path,
    language: Language,
) -> anyhow::Result<ExitCode> {
    match error {
        BackupError::Invalid {
            line,
            position,
            reason,
        } => {
            let message = reason.to_string();
            let named_line = (line > 0).then_some(line);
            print_summary(
                out,
                &serde_json::json!({"ok": false, "line": named_line, "position": position, "message": message}),
            )?;
            let reason = ("reason", reason.sentence().in_language(language));
            let at = match (named_line, position) {
                (None, _) => None,
                (Some(line), Some(position)) => Some(Sentence::new(
                    "backup-at-line-position",
                    vec![
                        ("line", line.to_string()),
                        ("position", position.to_string()),
                    ],
                )),
                (Some(line), None) => Some(Sentence::new(
                    "backup-at-line",
                    vec![("line", line.to_string())],
                )),
            };
            let said = match at {
                Some(at) => {
                    Sentence::new(what.at_line, vec![("at", at.in_language(language)), reason])
                }
                None => Sentence::new(what.file, vec![reason]),
            }
            .in_language(language);
            crate::shell_support::say_on_stderr!(
                "{}",
                super::program_said("flexledger", &said, language)
            );
            Ok(ExitCode::from(1))
        }
        // Unwrapped so that `main` sees damage (exit 1) through the error's chain.
        BackupError::Ledger(error) => Err(error.into()),
        other => Err(other.into()),
    }
}

pub fn backup(place: &Place, args: &BackupArgs, language: Language) -> anyhow::Result<ExitCode> {
    super::refuse_output_in_data_dir(&place.data_dir, &args.out)?;
    match &args.server {
        Some(server) => {
            let token = args
                .token
                .as_deref()
                .ok_or_else(|| Sentence::new("cli-backup-server-needs-token", vec![]))?;
            backup_from_server(server, token, args, language)
        }
        None => backup_from_store(place, &args.out, language),
    }
}

fn backup_from_store(place: &Place, out: &Path, language: Language) -> anyhow::Result<ExitCode> {
    if !place.store.has_ledger() {
        return Err(super::no_ledger(&place.store, "cli-no-ledger"));
    }
    let mut store = place.store.open().map_err(|error| {
        let id = if matches!(error, StoreError::Locked { .. }) {
            "cli-cannot-open-ledger-served-backup"
        } else {
            "cli-cannot-open-ledger"
        };
        super::said_context(error, id, vec![("store", place.store.to_string())])
    })?;
    super::check_head_witness(place, &store)?;
    let head = store.head()?.0;
    if head == 0 {
        print_summary(
            out,
            &serde_json::json!({"ok": false, "message": "nothing to back up: the log is empty"}),
        )?;
        return Ok(ExitCode::from(1));
    }
    let latest = crate::audit::keys::latest_signer(&store)?;
    let key = crate::audit::keys::ensure_at(place, latest.as_ref())?;
    let progress = walk_progress("backup 1/2", head);
    let tree = backup::walk(&store, &mut |position| progress.set_position(position));
    progress.finish_and_clear();
    let tree = tree?;
    let signed = backup::checkpoint_stored(&mut store, &tree, &key, chrono::Utc::now())?;
    // From here a signal stops the backup through its error path, which removes the
    // partial file; before, nothing is written that a signal could leave behind.
    let interrupted = super::watch_for_interrupt();
    let mut output = super::Interruptible {
        inner: stdio::Output::create(out)?,
        interrupted: interrupted.clone(),
    };
    let progress = walk_progress("backup 2/2", tree.size());
    let written =
        backup::write_backup(&store, &tree, &signed, &key, &mut output, &mut |position| {
            progress.set_position(position)
        });
    progress.finish_and_clear();
    if written.is_err() && interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(super::stopped_by_signal(language, "backup"));
    }
    let summary = written.map_err(|error| crate::cli::cannot_write(error.into(), out))?;
    output
        .inner
        .finish()
        .map_err(|error| crate::cli::cannot_write(error, out))?;
    print_summary(
        out,
        &serde_json::json!({"ok": true, "out": out, "summary": summary}),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn backup_from_server(
    server: &str,
    token: &str,
    args: &BackupArgs,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let pinned = super::pinned_public_key(args.public_key.as_deref())?;
    let (position, body) = http::fetch_backup(server, token, language)?;
    let interrupted = super::watch_for_interrupt();
    let mut output = stdio::Output::create(&args.out)?;
    let mut tee = io::BufReader::new(Tee {
        inner: super::Interruptible {
            inner: body,
            interrupted: interrupted.clone(),
        },
        copy: &mut output,
        copy_failed: None,
    });
    let checked = backup::verify_backup(&mut tee, pinned.as_ref(), &mut |_| {});
    if checked.is_err() && interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(super::stopped_by_signal(language, "backup"));
    }
    if let Some(error) = tee.into_inner().copy_failed {
        // The output failed, not the download: said as the other outputs' failures are.
        return Err(crate::cli::cannot_write(error.into(), &args.out));
    }
    let check = match checked {
        Ok(check) => check,
        Err(error) => {
            return refused(error, DOWNLOAD_REFUSED, &args.out, language);
        }
    };
    if position.is_some_and(|position| position != check.events) {
        let args = vec![
            ("announced", position.unwrap_or_default().to_string()),
            ("events", check.events.to_string()),
        ];
        return Err(Sentence::new("cli-backup-server-position-differs", args).into());
    }
    let bytes = output
        .finish()
        .map_err(|error| crate::cli::cannot_write(error, &args.out))?;
    let key_id = crate::audit::checkpoint::key_id(&check.signer);
    print_summary(
        &args.out,
        &serde_json::json!({"ok": true, "out": args.out, "summary": {
        "position": check.events, "head_hash": check.head_hash, "streams": check.streams,
        "members": check.members, "root": check.checkpoint.root, "key_id": key_id,
        "public_key": check.signed.public_key, "key_pinned": check.key_pinned,
        "commands_signed": check.commands_signed, "bytes": bytes}}),
    )?;
    // Said as `restore` says it (a newcomer's probe: `"key_pinned":false` alone, and
    // nothing on standard error, where restore warns).
    if !check.key_pinned {
        let args = vec![("key_id", key_id)];
        super::say_line(language, "cli-restore-key-not-pinned", args);
    }
    // A server of an older build sends an older backup: kept, as restore takes it.
    match (check.commands_signed, check.version) {
        (true, _) => {}
        (false, 1) => super::say_line(language, "cli-restore-no-command-digests", vec![]),
        (false, version) => super::say_line(
            language,
            "cli-backup-commands-unsigned",
            vec![("version", version.to_string())],
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn restore(place: &Place, args: &RestoreArgs, language: Language) -> anyhow::Result<ExitCode> {
    let data_dir = restored_dir(place)?;
    let pinned = super::pinned_public_key(args.public_key.as_deref())?;
    if let Some(key) = &args.signing_key {
        stdio::one_standard_input(&[("FILE", &args.file), ("--signing-key", key)])?;
    }
    let signing_key = args
        .signing_key
        .as_deref()
        .map(read_signing_key)
        .transpose()?;
    // A signal stops the restore through its error path, which removes the staging
    // directory.
    let interrupted = super::watch_for_interrupt();
    let mut input = io::BufReader::new(super::Interruptible {
        inner: stdio::open_input(&args.file)?,
        interrupted: interrupted.clone(),
    });
    let options = RestoreOptions {
        public_key: pinned.as_ref(),
        signing_key,
    };
    let progress = walk_progress("restore", 0);
    let restored = backup::restore(&mut input, data_dir, &options, &mut |position| {
        progress.set_position(position)
    });
    progress.finish_and_clear();
    let report = match restored {
        Ok(report) => report,
        Err(_) if interrupted.load(std::sync::atomic::Ordering::SeqCst) => {
            return Ok(super::stopped_by_signal(language, "restore"));
        }
        Err(error) => return refused(error, RESTORE_REFUSED, Path::new(""), language),
    };
    print_json(&report)?;
    let key_id = report.key_id.clone();
    if report.signing_key == backup::SigningKeyOutcome::Missing {
        let path = data_dir.join(crate::audit::keys::SIGNING_KEY_FILE);
        let args = vec![
            ("key_id", key_id.clone()),
            ("path", path.display().to_string()),
        ];
        super::say_line(language, "cli-restore-no-signing-key", args);
    }
    if !report.key_pinned {
        super::say_line(
            language,
            "cli-restore-key-not-pinned",
            vec![("key_id", key_id)],
        );
    }
    warn_if_others_can_read(data_dir, language);
    match (report.commands_signed, report.version) {
        (true, _) => {}
        (false, 1) => super::say_line(language, "cli-restore-no-command-digests", vec![]),
        (false, _) => super::say_line(language, "cli-restore-commands-unsigned", vec![]),
    }
    Ok(ExitCode::SUCCESS)
}

/// An existing empty directory keeps its mode (an operator may have prepared it for a
/// service's group), but one that every user can look into exposes members' personal
/// data: said, not changed (a probe restored into a 0755 directory without a word).
fn warn_if_others_can_read(data_dir: &Path, language: Language) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(metadata) = std::fs::metadata(data_dir) else {
            return;
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o007 != 0 {
            let args = vec![
                ("path", data_dir.display().to_string()),
                ("mode", format!("{mode:04o}")),
            ];
            super::say_line(language, "cli-restore-directory-open-to-others", args);
        }
    }
}

/// The directory `restore` makes its new sled store in.
fn restored_dir(place: &Place) -> anyhow::Result<&Path> {
    match &place.store {
        Location::Sled(dir) => Ok(dir),
        Location::Postgres(_) => Err(Sentence::new("cli-restore-into-postgres", vec![]).into()),
    }
}

/// Copies everything read from `inner` to `copy`: the download is kept exactly as
/// it is verified.
struct Tee<'a, R: Read> {
    inner: R,
    copy: &'a mut dyn Write,
    /// The copy's own failure, kept apart from the download's: a full disk under
    /// `--out` is not a backup the server sent wrong.
    copy_failed: Option<io::Error>,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if let Err(error) = self.copy.write_all(&buffer[..read]) {
            let kind = error.kind();
            self.copy_failed = Some(error);
            return Err(io::Error::new(kind, "the copy to --out failed"));
        }
        Ok(read)
    }
}

/// A minimal HTTP/1.1 client for `GET /v1/backup` on `flexledger serve` (plain
/// HTTP, as the server speaks; behind a TLS proxy, fetch with curl instead).
mod http {
    use super::*;
    use std::net::TcpStream;
    use std::time::Duration;

    /// Connects, sends the request, reads the response head; returns the announced
    /// position and the body.
    pub fn fetch_backup(
        server: &str,
        token: &str,
        language: Language,
    ) -> anyhow::Result<(Option<u64>, Box<dyn Read>)> {
        let (authority, prefix) = split_url(server)?;
        let stream = TcpStream::connect(&authority).map_err(|error| {
            let args = vec![("authority", authority.clone())];
            crate::cli::said_context(error, "cli-backup-server-cannot-connect", args)
        })?;
        // The server words its refusals (401, 403) in the language asked for.
        let language = language.tag();
        stream.set_read_timeout(Some(Duration::from_secs(BACKUP_HTTP_READ_TIMEOUT_SECONDS)))?;
        let mut writer = stream.try_clone()?;
        let sent = write!(
            writer,
            "GET {prefix}/v1/backup HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nAccept: application/x-ndjson\r\nAccept-Language: {language}\r\nConnection: close\r\n\r\n"
        )
        .and_then(|()| writer.flush());
        // Said in words, not passed on as an I/O error: a broken pipe here is the
        // server going away, never the reader of our output closing it (exit 0).
        if let Err(error) = sent {
            let args = vec![("authority", authority), ("detail", error.to_string())];
            return Err(Sentence::new("cli-backup-server-cannot-send", args).into());
        }
        let mut reader = io::BufReader::new(stream);
        let (status, headers) = read_head(&mut reader)?;
        let header = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
        };
        let chunked =
            header("transfer-encoding").is_some_and(|value| value.eq_ignore_ascii_case("chunked"));
        let body: Box<dyn Read> = match (chunked, header("content-length")) {
            (true, _) => Box::new(Chunked {
                inner: reader,
                left: 0,
                done: false,
            }),
            (false, Some(length)) => {
                Box::new(reader.take(length.trim().parse().map_err(|_| {
                    let args = vec![("value", quoted(length))];
                    Sentence::new("cli-backup-server-bad-length", args)
                })?))
            }
            (false, None) => Box::new(reader),
        };
        if status != 200 {
            let mut text = String::new();
            body.take(BACKUP_HTTP_ERROR_BYTES_MAX)
                .read_to_string(&mut text)?;
            let message = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|value| value["error"]["message"].as_str().map(str::to_owned))
                .unwrap_or(text);
            let args = vec![("status", status.to_string()), ("message", message)];
            return Err(Sentence::new("cli-backup-server-answered", args).into());
        }
        let position =
            header(backup::BACKUP_POSITION_HEADER).and_then(|value| value.trim().parse().ok());
        Ok((position, body))
    }

    /// `http://host:port/prefix` → ("host:port", "/prefix").
    fn split_url(server: &str) -> anyhow::Result<(String, String)> {
        let named = || vec![("server", server.to_owned())];
        let rest = server
            .strip_prefix("http://")
            .ok_or_else(|| Sentence::new("cli-backup-server-not-http", named()))?;
        let (authority, path) = rest
            .split_once('/')
            .map_or((rest, ""), |(authority, path)| (authority, path));
        if authority.is_empty() {
            return Err(Sentence::new("cli-backup-server-no-host", named()).into());
        }
        let authority = if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let prefix = format!("/{}", path.trim_end_matches('/'));
        Ok((
            authority,
            if prefix == "/" { String::new() } else { prefix },
        ))
    }

    fn read_line(reader: &mut impl BufRead) -> anyhow::Result<String> {
        let closed = || Sentence::new("cli-backup-server-closed", vec![]);
        let mut line = Vec::new();
        let read = reader
            .take(BACKUP_HTTP_HEAD_LINE_BYTES_MAX)
            .read_until(b'\n', &mut line);
        match read {
            // A server that stops with our request unread resets the connection.
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::UnexpectedEof
                ) =>
            {
                return Err(crate::cli::said_context(
                    error,
                    "cli-backup-server-closed",
                    vec![],
                ));
            }
            Err(error) => return Err(error.into()),
            Ok(_) => {}
        }
        if !line.ends_with(b"\n") {
            // Fewer bytes than the limit and no end of line: the connection ended.
            if (line.len() as u64) < BACKUP_HTTP_HEAD_LINE_BYTES_MAX {
                return Err(closed().into());
            }
            let args = vec![("bytes", BACKUP_HTTP_HEAD_LINE_BYTES_MAX.to_string())];
            return Err(Sentence::new("cli-backup-server-line-too-long", args).into());
        }
        Ok(String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_owned())
    }

    fn read_head(reader: &mut impl BufRead) -> anyhow::Result<(u16, Vec<(String, String)>)> {
        let status_line = read_line(reader)?;
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| {
                let args = vec![("line", quoted(&status_line))];
                Sentence::new("cli-backup-server-not-http-answer", args)
            })?;
        let mut headers = Vec::new();
        loop {
            let line = read_line(reader)?;
            if line.is_empty() {
                return Ok((status, headers));
            }
            if headers.len() >= BACKUP_HTTP_HEADERS_MAX {
                let args = vec![("headers", BACKUP_HTTP_HEADERS_MAX.to_string())];
                return Err(Sentence::new("cli-backup-server-headers-too-many", args).into());
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
    }

    /// Up to [`BACKUP_HTTP_QUOTED_CHARS_MAX`] characters of what a server sent, quoted
    /// as Rust quotes a string (control characters escaped), to name it in a message.
    fn quoted(text: &str) -> String {
        let shown: String = text.chars().take(BACKUP_HTTP_QUOTED_CHARS_MAX).collect();
        let more = if shown.len() < text.len() { "…" } else { "" };
        format!("{shown:?}{more}")
    }

    /// A `Transfer-Encoding: chunked` body. A connection that ends before the last
    /// (empty) chunk is an error, never a short backup.
    struct Chunked<R: BufRead> {
        inner: R,
        /// Bytes left in the current chunk.
        left: u64,
        done: bool,
    }

    impl<R: BufRead> Read for Chunked<R> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            if self.done || buffer.is_empty() {
                return Ok(0);
            }
            if self.left == 0 {
                let broken = |error: anyhow::Error| match error.downcast::<Sentence>() {
                    Ok(sentence) => io::Error::new(io::ErrorKind::UnexpectedEof, sentence),
                    Err(error) => error.downcast::<io::Error>().unwrap_or_else(|_| {
                        // `read_line`'s one other error: a connection reset, said as closed.
                        let sentence = Sentence::new("cli-backup-server-closed", vec![]);
                        io::Error::new(io::ErrorKind::UnexpectedEof, sentence)
                    }),
                };
                let line = read_line(&mut self.inner).map_err(broken)?;
                let size = line.split(';').next().unwrap_or_default().trim();
                self.left = u64::from_str_radix(size, 16).map_err(|_| {
                    let args = vec![("size", quoted(size))];
                    let sentence = Sentence::new("cli-backup-server-bad-chunk", args);
                    io::Error::new(io::ErrorKind::InvalidData, sentence)
                })?;
                if self.left == 0 {
                    while !read_line(&mut self.inner).map_err(broken)?.is_empty() {}
                    self.done = true;
                    return Ok(0);
                }
            }
            let wanted = usize::try_from(self.left)
                .unwrap_or(usize::MAX)
                .min(buffer.len());
            let read = self.inner.read(&mut buffer[..wanted])?;
            if read == 0 {
                let sentence = Sentence::new("cli-backup-server-closed", vec![]);
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, sentence));
            }
            self.left -= u64::try_from(read).unwrap_or(u64::MAX);
            if self.left == 0 {
                let mut end = [0u8; 2];
                self.inner.read_exact(&mut end)?;
            }
            Ok(read)
        }
    }
}
