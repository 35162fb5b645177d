//! The `flexledger` command line: parses arguments, calls the library, prints results.
//! Exit codes (contract): 0 all good, 1 a command was refused or a member is unknown,
//! 2 could not run (unreadable input, storage failure, bad arguments).

mod backup;
pub mod help;
mod lines;
pub mod parse_errors;
mod serve;
pub mod wrap;

use crate::domain::{ErrorCode, Refusal};
use crate::i18n::{count, say, text, Arg, Language};
use crate::ledger::{member_coverage, Ledger, SystemSources, APPEND_BATCH_COMMANDS_MAX};
use crate::shell_support::{init_logging, is_broken_pipe, stdio, walk_progress};
use crate::store::{AnyStore, CommandResult, Envelope, EventLog, Location, Place, StoreError};
use crate::writer::{Writer, WriterError};
use clap::{Parser, Subcommand};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use uuid::Uuid;

pub use lines::{read_bounded_line, skip_byte_order_mark, Line, SUBMIT_LINE_BYTES_MAX};

#[derive(Parser, Debug)]
#[command(
    name = "flexledger",
    version,
    about = "Event-sourced contribution ledger for flexible employees' basic medical insurance",
    long_about = "Event-sourced contribution ledger for flexible employees' basic medical insurance.\n\n\
Every fact (enrollment, payment, missed month, withdrawal, ...) is an immutable event in an \
embedded sled store under --data-dir. Commands are checked against the contribution rules \
(R1..R17 of docs/spec/RULES.md, v2); accepted ones append events, refused ones append nothing.\n\n\
Exit codes: 0 success, 1 a command was refused, a member is unknown or stored data is damaged, 2 could not run.\n\n\
Every file argument and option takes '-' for standard input (a file read) or standard output (a file written)."
)]
pub struct Cli {
    /// Directory of the ledger's sled store: `submit` and `serve` create it if missing,
    /// `restore` makes a new one, the other commands need an existing one.
    #[arg(
        long,
        global = true,
        env = "FLEXLEDGER_DATA_DIR",
        default_value = "./flexledger-data",
        value_parser = parse_data_dir()
    )]
    pub data_dir: PathBuf,
    /// Keep the ledger in PostgreSQL instead of the sled store in --data-dir: a URL,
    /// postgres://USER@HOST[:PORT]/DATABASE (through a Unix socket:
    /// postgresql:///DATABASE?host=/var/run/postgresql), the password from PGPASSWORD or
    /// ~/.pgpass (PGPASSFILE) rather than the URL. Across machines add ?sslmode=require
    /// (and &sslrootcert=CA.pem for a private CA): the server's certificate and name are
    /// then always verified. Create its tables once with `flexledger --store URL
    /// migrate`. --data-dir still holds the audit signing key and the demo tokens.
    #[arg(
        long,
        global = true,
        env = "FLEXLEDGER_STORE",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub store: Option<String>,
    /// The language of what people read: en or zh-CN. Without it, FLEXLEDGER_LANG,
    /// then LC_ALL, then LANG decide (zh_CN.UTF-8 means zh-CN; anything else, C and
    /// POSIX included, means en). JSON, codes and field names are the same in every
    /// language, but for the message of a refusal under --lang (a line `submit`
    /// refuses, a query it cannot answer).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Submit commands, one JSON object per line, and print one result per line.
    #[command(
        long_about = "Submit commands, one JSON object per line, and print one JSON result per input line, in order.\n\n\
The commands, named by \"command\": publish_policy, close_month, enroll, pay, stop_deduction, resume_deduction, \
change_base, withdraw, reenroll, grant_subsidy, revoke_subsidy, pay_subsidy; each one's fields are in \
schemas/commands/NAME.schema.json and docs/spec/CONTRACT.md, and examples/demo.jsonl holds one of most.\n\n\
Every line is processed on its own: a malformed or refused line gets an {\"ok\":false,...} result naming the problem \
and every other line is still processed (blank lines after the last command are skipped). With --lang, a \
refusal's message is in that language; its code never changes. Results are printed only once their events are durable \
(accepted commands are written in batches of up to 1000, each batch one atomic, fsynced append).\n\n\
A command carrying \"command_id\" that was accepted before returns its first result with \"duplicate\":true and \
appends nothing, so re-running a file whose lines carry ids resumes it without duplicates. The same command means \
the same fields and values in any order (a decimal by its value, null as absent); another command under an id \
already used is refused with command_id_reused (D10).\n\n\
Exit: 0 all accepted, 1 any refused, 2 the file could not be read, 130 stopped by Ctrl-C, SIGTERM or SIGHUP \
(every line read was answered; it says how far it got)."
    )]
    Submit {
        /// File of commands, one JSON object per line; '-' reads standard input.
        file: PathBuf,
    },
    /// Print a member's coverage: every month's status, due, paid, benefits and rule.
    #[command(
        long_about = "Print a member's coverage projection (JSON): state, arrears, counts, benefit tier, and every month \
from the first enrollment month with its status, due, paid, benefits and the rule (R1..R17) that decided it; and its money: refunded (R12), to the personal account (R17), subsidy accrued and paid out (R16).\n\n\
--as-of POSITION folds only the events up to that global position, showing the member as the ledger saw them then.\n\n\
Exit: 0 found, 1 unknown member or a position beyond the log's head (an error JSON is printed), 2 could not run."
    )]
    Member {
        /// The member's UUID.
        #[arg(value_parser = parse_uuid)]
        id: Uuid,
        /// Fold only events at or before this global log position.
        #[arg(long, value_name = "POSITION", allow_negative_numbers = true)]
        as_of: Option<u64>,
    },
    /// Check the whole store: hashes, chains, indexes and state rows.
    #[command(
        long_about = "Walk the whole store and check it: every event's SHA-256 against its bytes, the hash chain \
of the log and of every stream (so an edited, removed or reordered event is found), every stream index, every \
command record, and every stored state row against a fresh fold of the log.\n\n\
Prints one JSON object: {\"ok\":true,\"events\":N,...,\"head_hash\":...} when clean, or \
{\"ok\":false,\"finding\":F,\"position\":P,\"message\":...} naming the first broken link (F: \
damaged; behind_head_witness for a PostgreSQL database older than its writer's head witness; \
another_history_than_witness for one holding another event where its writer's head witness records one).\n\n\
With --accept-head (a sled data directory only): for a store whose head witness (the file `head-witness`, \
which records the last durable position outside the engine's files) is missing or unreadable, so that every \
command refuses it. If the whole log checks out, a new witness is written at the log's head and the store \
opens again. That accepts the log as it is: whatever it lost after its head, if anything, cannot be known. \
Put the file back, or restore a backup, if you can.\n\n\
Exit: 0 clean, 1 broken (or the store checks out but stays marked by the audit tool, whose own verify removes the mark, D61: \"ok\":false, naming the mark), 2 could not run (or could not compare the state rows: another build wrote them, \"state_rows_format\" in the printed object says which; this build's writer rebuilds them when it opens the store, D89)."
    )]
    Verify {
        /// Accept the log's head as it is (see --help) and write a new head witness, if the log checks out.
        #[arg(long)]
        accept_head: bool,
    },
    /// Rebuild every stored state row from the log, and report what differed.
    #[command(
        long_about = "Fold the whole log afresh (with a progress bar) and replace every stored state row \
(members, regions, the enrolled and granted indexes, month totals, region summaries, a month close's \
progress, the checkpoint) with the result. Safe to interrupt: the checkpoint is removed first and written \
last, so the next command that opens the store finishes an interrupted rebuild. Prints one JSON object \
listing the rows that differed before (up to 100). Use it after `verify` reports a state-row difference; \
events are never changed. Stop `serve` first: the rebuild needs the store's lock, which a running server \
holds.\n\n\
Exit: 0 rebuilt (differences or not), 1 the log itself is damaged (nothing replaced), 2 could not run."
    )]
    Rebuild,
    /// Create or upgrade a PostgreSQL store's tables (--store URL); sled needs none.
    #[command(
        long_about = "Apply the PostgreSQL store's schema migrations (migrations/postgres/ in the source, built in) \
to the database --store names, each in a transaction of its own, and print the schema version it is at. Run it \
once before the first `submit` or `serve` on a new database, and after upgrading flexledger: a store at a schema \
version this build does not know refuses to open, saying so. Running it again changes nothing. It is refused \
while a writer holds the store.\n\n\
The sled store needs no migration (it upgrades its rows when it opens): without --store this prints so.\n\n\
Exit: 0 migrated (or nothing to do), 2 could not run (no such database, no permission, a writer holds it)."
    )]
    Migrate,
    /// Copy the whole ledger to another store, keeping every position, id and hash.
    #[command(
        long_about = "Copy the whole ledger from one store to another: sled to PostgreSQL, PostgreSQL to sled, or \
one sled data directory to a new one. Every event keeps its position, event id, command id, recorded time and both \
hashes (each is sealed again by the destination and checked against the source's); every command record keeps \
its body digest, every feed item and every signed audit checkpoint is copied; the destination's state rows are \
then rebuilt from the copied log. Prints one JSON object: events (in the destination now), resumed_after (events \
it held before), the commands and feed items this run copied, the checkpoints (every one, written again by each run), the head hash, and the rows rebuilt.\n\n\
The destination must be empty, or hold an interrupted copy of the same source: the copy then resumes after it. \
Until the copy finishes, the destination is marked unfinished, and every other command refuses to open it \
(run the same copy again to finish it). Nothing is read through --data-dir or --store: name both stores. Stop writers of the source first (a sled \
directory is locked while `serve` runs). The signing key is not part of a store: copy the data directory's \
audit-signing-key yourself, or point FLEXLEDGER_SIGNING_KEY at it.\n\n\
Exit: 0 copied, 1 stored data is damaged, 2 could not run (the destination holds another ledger, a store \
cannot be opened)."
    )]
    Copy {
        /// The store to copy: a data directory, or a PostgreSQL URL (postgres://…).
        #[arg(long, value_name = "STORE")]
        from: String,
        /// The store to fill: a new or empty data directory, or a migrated PostgreSQL
        /// database (postgres://…).
        #[arg(long, value_name = "STORE")]
        to: String,
        /// The data directory of the source's writer, when --from is a PostgreSQL URL:
        /// the head witness its writer keeps there (head-witness.postgresql) is checked
        /// before anything is read, so a database put back from an older copy is refused
        /// as damage instead of copied; a directory that holds no witness is refused.
        /// Without it, the copy says on standard error that the source was not checked
        /// against a witness.
        #[arg(long, value_name = "DIR", value_parser = parse_data_dir())]
        from_data_dir: Option<PathBuf>,
    },
    /// Serve the HTTP API: commands, coverage, regions and a live feed (SSE).
    #[command(
        long_about = concat!(
            "Serve the HTTP API on --listen (port 0 picks a free port; the first line printed is ",
            "the address actually bound).\n",
            "\n",
            "Routes, and below each the roles that may use it (a token of another role gets 403):\n",
            "  POST /v1/commands\n",
            "         operator, subsidy_office (the subsidy commands only)\n",
            "  GET  /v1/members/{id}[?as_of=P]\n",
            "         operator, auditor, subscriber, subsidy_office\n",
            "  GET  /v1/members/{id}/months/{YYYY-MM}\n",
            "         operator, auditor, subscriber, subsidy_office\n",
            "  GET  /v1/members/{id}/timeline.svg[?as_of=P&lang=zh-CN]\n",
            "         operator, auditor, subscriber, subsidy_office\n",
            "  GET  /v1/members/{id}/events\n",
            "         operator, auditor\n",
            "  GET  /v1/regions/{name}\n",
            "         operator, auditor\n",
            "  GET  /v1/regions/{name}/months/{YYYY-MM}\n",
            "         operator, auditor, subsidy_office\n",
            "  GET  /v1/backup\n",
            "         operator, auditor\n",
            "  GET  /metrics\n",
            "         operator, auditor\n",
            "  GET  /audit/members/{id}[?as_of=P&lang=zh-CN]\n",
            "         operator, auditor\n",
            "  GET  /v1/feed\n",
            "         auditor, subscriber, subsidy_office\n",
            "  GET  /healthz\n",
            "         no token\n",
            "  GET  /v1/openapi.json\n",
            "         no token\n",
            "\n",
            "The operator submits commands and reads members and regions; the auditor reads ",
            "everything; a subscriber reads coverage and the feed; a subsidy_office (an employment office) sends grant_subsidy, revoke_subsidy and pay_subsidy only, and reads coverage, region month reports and the feed. Send Authorization: Bearer ",
            "<token>; a browser may pass ?access_token=<token> instead on a GET of the feed, the audit page or the timeline picture. ",
            "The feed is Server-Sent Events (?from=P or Last-Event-ID, ?types=, ?region=, ?member=, ?progress=true, ?closing=true for a month close's progress). ",
            "/v1/openapi.json describes every route, and the JSON Schemas it refers to are served ",
            "beside it (/v1/defs.schema.json, /v1/commands/pay.schema.json, ...). Every error is ",
            "{\"ok\":false,\"error\":{\"code\":...,\"message\":...}}.\n",
            "\n",
            "Tokens: --auth FILE names a TOML file of [[token]] tables with role (operator, auditor, ",
            "subscriber, subsidy_office) and sha256 (hex SHA-256 of the token; the file never holds tokens). --demo ",
            "seeds the demo region into an empty ledger and, without --auth, creates one token per ",
            "role, keeps them in DATA_DIR/demo-tokens (mode 0600, so a restarted demo keeps them) and ",
            "prints them at every start.\n",
            "\n",
            "Browsers: --cors-origin ORIGIN (repeatable) lets pages from that origin call the API ",
            "(CORS; off by default); their preflight OPTIONS is answered without a token.\n",
            "\n",
            "Limits: at most 768 connections open (more wait in the accept backlog); a client has 10 s ",
            "from connecting, or from the end of its previous response, to send a complete request ",
            "head, else it is disconnected; a connection that moves no byte for 5 s is closed once no ",
            "request is in flight on it (a feed stream its client reads is never cut); a response whose ",
            "client takes less than 16 KiB of it in 60 s, while the server waits to write, is cut and its ",
            "connection reset. Requests in flight: ",
            "512 (more get 503), of which 16 read the store at once (the rest wait their turn); feed ",
            "subscribers: 256.\n",
            "\n",
            "SIGTERM or Ctrl-C: stop accepting, finish in-flight commands, end feed streams, exit 0 ",
            "(a client still sending its request head is disconnected at the latest when its 10 s run out). ",
            "SIGHUP with --auth FILE: read FILE again and take its tokens from then on (feed streams of a ",
            "token it no longer holds end); a file that cannot be used is logged and changes nothing.\n",
            "\n",
            "Access log: FLEXLEDGER_LOG=warn,flexledger::access=info logs one line per request answered ",
            "(method, path, status, milliseconds, the token's role, the request id; never a token)."
        ),
        // Each example runs as shown (tests/it/http.rs runs them, in a fresh directory).
        after_help = concat!(
            "Examples:\n",
            "  # Try it: seed the demo region; prints the address, then one token per role\n",
            "  flexledger --data-dir served-demo serve --demo\n",
            "  # In another shell, with the tokens it printed (AUDITOR=auditor-...):\n",
            "  curl -s -H \"Authorization: Bearer $AUDITOR\" 127.0.0.1:7878/v1/regions/demo\n",
            "  curl -s -N -H \"Authorization: Bearer $AUDITOR\" \\\n",
            "    \"127.0.0.1:7878/v1/feed?from=1&types=MonthClosed\"\n",
            "  # Real use: token digests from a file, another port, a browser app elsewhere\n",
            "  flexledger --data-dir ledger-data serve --auth tokens.toml \\\n",
            "    --listen 127.0.0.1:8080 --cors-origin https://app.example.org"
        )
    )]
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: String,
        /// Token file (TOML [[token]] tables with role and sha256).
        #[arg(long, value_name = "FILE")]
        auth: Option<PathBuf>,
        /// Seed the demo region if the ledger is empty; without --auth, print one token per role.
        #[arg(long)]
        demo: bool,
        /// Let browser pages from ORIGIN call the API (CORS), e.g. https://app.example.org; repeatable. Off by default.
        #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = crate::http::cors::parse_origin)]
        cors_origins: Vec<axum::http::HeaderValue>,
        /// Only read: answer coverage, events, regions, the feed and the audit routes
        /// from the store (e.g. a PostgreSQL hot standby: --store postgres://standby…),
        /// and answer commands with 503. On a PostgreSQL store any number may run beside
        /// the one writer; a data directory is opened by one process at a time, so there
        /// it runs alone (e.g. on a copy made by `flexledger restore`).
        #[arg(long, conflicts_with = "demo")]
        read_only: bool,
        /// The writer's address, named in a --read-only server's answer to a command.
        #[arg(long, value_name = "URL", requires = "read_only")]
        writer_url: Option<String>,
        /// Also answer GET /healthz, and nothing else, on this address: a liveness
        /// probe's own port, which no client of the API can keep busy (give it an
        /// address only the supervisor reaches).
        #[arg(long, value_name = "ADDRESS")]
        health_listen: Option<String>,
    },
    /// Print the bureau's report of a region's closed month: money and members by status.
    #[command(
        long_about = "Print one region month's report (JSON): contributions received for the month (paid, \
to the pooling fund and to personal accounts, R17), refunds (R12), subsidies accrued, paid and owed (R16), \
members by the month's status and how many have benefits. Every figure is the sum of the members' own \
month lines (`member ID`), kept up to date by every command: answering reads two stored rows.\n\n\
Only closed months are reported: an open month's figures still move.\n\n\
Exit: 0 printed, 1 a malformed name or month (`invalid_command`, as over HTTP), an unknown region or a month \
not closed (an error JSON is printed), 2 could not run."
    )]
    Region {
        /// The region's name.
        name: String,
        /// The closed month to report, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
    },
    /// Print stored events (envelopes) as JSON lines, in log order.
    #[command(
        long_about = "Print stored events as JSON lines (one envelope per line: position, stream, version, event_id, \
type, payload, schema_version, recorded_at, command_id, prev_hash, stream_prev_hash, hash), in global log \
order. Every event read is checked \
against its key and stream index; damage is reported with its position (exit 1); an unknown --member exits 1."
    )]
    Events {
        /// First global position to print.
        #[arg(
            long,
            value_name = "POSITION",
            default_value_t = 1,
            allow_negative_numbers = true
        )]
        from: u64,
        /// Only this member's events.
        #[arg(long, value_name = "ID", value_parser = parse_uuid)]
        member: Option<Uuid>,
    },
    /// Write a consistent, signed backup of the whole log (from --data-dir, or from a running server).
    #[command(long_about = backup::BACKUP_LONG_ABOUT)]
    Backup(backup::BackupArgs),
    /// Verify a backup and restore it into a new, empty --data-dir.
    #[command(long_about = backup::RESTORE_LONG_ABOUT)]
    Restore(backup::RestoreArgs),
}

/// `flexledger`'s examples, run as shown against the demo's data directory (see
/// [`help`]); `serve`'s are its own `after_help`.
pub const TEACHING: help::Teaching = help::Teaching {
    examples: &[
        ("", &[
            "flexledger --data-dir demo-data submit examples/demo.jsonl",
            "flexledger --data-dir demo-data member 0b53af7d-bb50-5037-9d21-49eba4cb5782",
            "flexledger --data-dir demo-data events --from 30",
            "flexledger --data-dir demo-data verify",
        ]),
        ("submit", &[
            "flexledger --data-dir demo-data submit examples/demo.jsonl",
            "echo '{\"command\":\"pay\",\"member_id\":\"0b53af7d-bb50-5037-9d21-49eba4cb5782\",\"months\":[\"2025-10\"],\"amount\":\"600.00\",\"paid_on\":\"2025-10-03\",\"command_id\":\"2c1f5b0e-5d8a-4e52-9a43-0f7f3d1a9b10\"}' | flexledger --data-dir demo-data submit -",
            "echo '{\"command\":\"pay\",\"member_id\":\"0b53af7d-bb50-5037-9d21-49eba4cb5782\",\"months\":[\"2025-12\"],\"amount\":\"600.00\",\"paid_on\":\"2025-10-03\"}' | flexledger --data-dir demo-data submit -   # exit 1: refused, the months before 2025-12 come first",
        ]),
        ("member", &[
            "flexledger --data-dir demo-data member 0b53af7d-bb50-5037-9d21-49eba4cb5782",
            "flexledger --data-dir demo-data member 0b53af7d-bb50-5037-9d21-49eba4cb5782 --as-of 27",
            "flexledger --data-dir demo-data member 00000000-0000-0000-0000-000000000000   # exit 1: unknown member",
        ]),
        ("verify", &["flexledger --data-dir demo-data verify"]),
        ("rebuild", &["flexledger --data-dir demo-data rebuild"]),
        ("region", &[
            "flexledger --data-dir demo-data region demo --month 2025-09",
            "flexledger --data-dir demo-data region demo --month 2025-10   # exit 1: the open month is not closed yet",
        ]),
        ("events", &[
            "flexledger --data-dir demo-data events --from 30",
            "flexledger --data-dir demo-data events --member 826711ec-7418-56f6-92df-8cb182127a27",
            "flexledger --data-dir demo-data events --from 33 | head -1 | sed 's/,\"hash\":\"[0-9a-f]*\"}$/}/' | tr -d '\\n' | sha256sum",
        ]),
        ("backup", &[
            "flexledger --data-dir demo-data backup --out demo.backup",
            "flexledger --data-dir demo-data backup --out - | gzip > demo.backup.gz",
            "FLEXLEDGER_TOKEN=$AUDITOR flexledger backup --server http://127.0.0.1:7878 --out served.backup   # while serve runs: flexledger --data-dir served-demo serve --demo (AUDITOR=the auditor token it prints)",
        ]),
        ("migrate", &[
            "flexledger --data-dir demo-data migrate   # sled: nothing to do",
        ]),
        ("copy", &[
            "flexledger copy --from demo-data --to demo-copy",
            "flexledger copy --from demo-data --to demo-copy   # again: resumes after what it copied (here: nothing left)",
            "flexledger --data-dir demo-copy verify",
        ]),
        ("restore", &[
            "flexledger --data-dir demo-data backup --out demo.backup",
            "flexledger --data-dir restored restore demo.backup --signing-key demo-data/audit-signing-key",
            "flexledger --data-dir demo-data backup --out - | flexledger --data-dir restored-2 restore - --public-key $(flexledger-audit --data-dir demo-data public-key | head -1)",
        ]),
    ],
    data_dir: &[
        ("submit", "Directory of the ledger's sled store (created if missing)"),
        // `serve --help` as it was: the other engineer's command says it itself.
        ("serve", "Directory of the ledger's sled store (created if missing)"),
        ("member", DATA_DIR_EXISTING),
        ("verify", DATA_DIR_EXISTING),
        ("rebuild", DATA_DIR_EXISTING),
        ("region", DATA_DIR_EXISTING),
        ("events", DATA_DIR_EXISTING),
        ("backup", "Directory of the ledger to back up; it must already hold a ledger. Not read with --server"),
        ("restore", "The new data directory to restore into; it must not exist, or be empty"),
    ],
    data_dir_unused: &["copy"],
    // `copy` names both stores with --from and --to; `restore` makes a sled store.
    store_unused: &["copy", "restore"],
};

/// `--data-dir` of a command that reads a ledger and never makes one.
const DATA_DIR_EXISTING: &str =
    "Directory of the ledger's sled store; it must already hold a ledger (`submit` or `serve` makes one)";

/// The `flexledger` command line: clap's derive of [`Cli`] with [`TEACHING`].
pub fn command() -> clap::Command {
    help::teach(<Cli as clap::CommandFactory>::command(), &TEACHING)
}

/// [`command`] with its help in `language` (`help::localize`, D52).
pub fn command_in(language: crate::i18n::Language) -> clap::Command {
    help::localize(command(), "flexledger", &TEACHING, language)
}

/// The settings both binaries read from the environment (`env = …` of their arguments).
pub const SETTINGS_FROM_ENVIRONMENT: [&str; 4] = [
    "FLEXLEDGER_DATA_DIR",
    "FLEXLEDGER_STORE",
    "FLEXLEDGER_PUBLIC_KEY",
    "FLEXLEDGER_TOKEN",
];

/// Forgets each setting of [`SETTINGS_FROM_ENVIRONMENT`] that is set but empty, as
/// `FLEXLEDGER_LANG` is read: `FLEXLEDGER_DATA_DIR= flexledger verify` was refused by
/// clap with "a value is required for '--data-dir'", an option the user never typed
/// (a probe). Call first in `main`, before any thread starts (the environment is the
/// process's).
pub fn forget_empty_settings() {
    for name in SETTINGS_FROM_ENVIRONMENT {
        if std::env::var_os(name).is_some_and(|value| value.is_empty()) {
            std::env::remove_var(name);
        }
    }
}

/// Makes a write past the file size limit (`ulimit -f`, systemd's `LimitFSIZE`) fail
/// with `EFBIG`, said as the store's error with the path (`store-disk-full`'s
/// file-size reason), instead of killing the process by `SIGXFSZ` mid-import with no
/// word of its own (a fault probe: exit 153, "File size limit exceeded" from the
/// shell). Call first in `main`, before any thread starts.
pub fn ignore_file_size_limit_signal() {
    #[cfg(unix)]
    {
        // SAFETY: `SIG_IGN` is a disposition every process may set for `SIGXFSZ`, and
        // this runs before any thread that could race on signal dispositions starts.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        }
    }
}

/// Parses the process's arguments with [`command_in`] the language they choose.
pub fn try_parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    refuse_unknown_lang(&args)?;
    let mut command = command_in(help_language(&args));
    let args = help::help_flag_of_help(args, &command);
    let mut matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|error| error.format(&mut command))
}

/// A data directory named on the command line: any path clap takes (not empty, not
/// necessarily UTF-8) but `-`, which names standard input or output for a file and
/// nothing for a directory (a probe's `--data-dir -` made a ledger in `./-`).
pub(crate) fn parse_data_dir() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser;
    clap::builder::PathBufValueParser::new().try_map(|path| match path.as_os_str() == "-" {
        true => Err(crate::i18n::Sentence::new("value-data-dir-dash", vec![])),
        false => Ok(path),
    })
}

/// The language of a command line's help, known before clap parses it (clap prints
/// the help while it parses): the last `--lang X` or `--lang=X` of `args` (the
/// program's name first, and nothing after a `--`), else the environment, as
/// [`language`] decides. A `--lang` naming no language we speak means English here
/// (for the words of its refusal: `refuse_unknown_lang`).
pub fn help_language(args: &[std::ffi::OsString]) -> crate::i18n::Language {
    language(lang_flag(args).as_deref()).unwrap_or_default()
}

/// The last `--lang X` or `--lang=X` of `args` (the program's name first, and
/// nothing after a `--`).
fn lang_flag(args: &[std::ffi::OsString]) -> Option<String> {
    let mut flag = None;
    let mut words = args.iter().skip(1).map(|arg| arg.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if word == "--lang" {
            // A last `--lang` with no value keeps the one before it: its refusal (a
            // value is required) is said in the language already asked for.
            if let Some(value) = words.next() {
                flag = Some(value.into_owned());
            }
        } else if let Some(value) = word.strip_prefix("--lang=") {
            flag = Some(value.to_owned());
        }
    }
    flag
}

/// Refuses a `--lang` naming no language we speak before clap parses `args`, so
/// that `--lang fr --help` is the same error (exit 2) as `--lang fr verify`, not
/// English help that looks as if the flag were heard.
///
/// `FLEXLEDGER_LANG` naming no language we speak, with no `--lang` over it, means
/// English as `LC_ALL` and `LANG` do (D37), but is said once on standard error: it is
/// the ledger's own setting, so a value there was chosen, and a probe's
/// `FLEXLEDGER_LANG=zh-TW` was English with no word of why.
pub fn refuse_unknown_lang(args: &[std::ffi::OsString]) -> Result<(), clap::Error> {
    let Some(flag) = lang_flag(args) else {
        warn_of_unknown_lang_setting();
        return Ok(());
    };
    match crate::i18n::Language::negotiate(Some(&flag), None, None, None) {
        Ok(_) => Ok(()),
        Err(unknown) => Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidValue,
            format!("{unknown}\n"),
        )),
    }
}

/// The warning of [`refuse_unknown_lang`], at most once a process (both binaries parse
/// their command line twice).
fn warn_of_unknown_lang_setting() {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let Ok(value) = std::env::var("FLEXLEDGER_LANG") else {
        return;
    };
    let unknown = match crate::i18n::Language::negotiate(Some(&value), None, None, None) {
        Err(unknown) if !value.trim().is_empty() => unknown,
        _ => return,
    };
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        let program = std::env::args().next().unwrap_or_default();
        let program = Path::new(&program)
            .file_name()
            .map_or_else(|| "flexledger".into(), |name| name.to_string_lossy());
        let said = unknown.said_for("FLEXLEDGER_LANG");
        crate::shell_support::say_on_stderr!("{program}: warning: {said}; speaking English");
    }
}

/// Warns when `$FLEXLEDGER_STORE` names the store while the command line names a
/// `--data-dir` holding a sled ledger: that ledger is not the one used (--data-dir then
/// holds only the signing key and demo tokens). A probe's `verify --data-dir sled1`
/// verified the PostgreSQL store the environment named, and said nothing of it.
fn warn_of_a_store_from_the_environment(place: &Place, language: Language) {
    let Location::Postgres(_) = &place.store else {
        return;
    };
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let named = |option: &str| {
        let with_value = format!("{option}=");
        args.iter().any(|arg| {
            arg.to_str()
                .is_some_and(|arg| arg == option || arg.starts_with(&with_value))
        })
    };
    if named("--store") || !named("--data-dir") {
        return;
    }
    if !Location::Sled(place.data_dir.clone()).has_ledger() {
        return;
    }
    let args = vec![
        ("store", place.store.to_string()),
        ("data_dir", place.data_dir.display().to_string()),
    ];
    say_line(language, "cli-store-from-environment", args);
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = try_parse().unwrap_or_else(|error| crate::cli::parse_errors::exit(error));
    init_logging();
    // An unknown --lang was refused before parsing (`refuse_unknown_lang`).
    let language = language(cli.lang.as_deref()).unwrap_or_default();
    let marked = mark_place(cli.store.as_deref(), &cli.data_dir);
    match run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) if is_damage(&error) => {
            // Damage is a finding about the data (exit 1, like `verify`), not a
            // failure to run; the message names the position. The store is marked so
            // that nothing is appended to it (D61), unless the mark is what was said.
            // `copy` and `restore` read other stores than --data-dir's.
            let parser = <Cli as clap::CommandFactory>::command();
            let ran = ("flexledger", &parser, marked.as_ref());
            mark_found_damage(ran, &error, &["copy", "restore"]);
            let message = damage_message("flexledger", &error, language);
            crate::shell_support::say_on_stderr!("{message}");
            ExitCode::from(1)
        }
        Err(error) => {
            let message = format!(
                "{}{}",
                error_said_in(&error, language),
                disk_full_advice(&error, language)
            );
            crate::shell_support::say_on_stderr!("{}", said_error("flexledger", message, language));
            ExitCode::from(2)
        }
    }
}

/// What to do about a full disk met outside the store's own writes (creating the
/// signing key, writing an output file), said as the store says it; empty for any
/// other error, and for the store's `DiskFull`, which says it already.
pub(crate) fn disk_full_advice(error: &anyhow::Error, language: Language) -> String {
    let full = error.chain().any(|cause| {
        io_error_in(cause).is_some_and(|error| {
            matches!(
                error.kind(),
                io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
            )
        })
    });
    // The store's own disk-full error already says what to do.
    // Wrapped or not (a restore's comes inside its backup's error).
    let said = error.chain().any(|cause| {
        matches!(
            crate::error::store_error_in(cause),
            Some(StoreError::DiskFull { .. })
        )
    });
    if full && !said {
        crate::i18n::say(language, "cli-disk-full-advice", &[])
    } else {
        String::new()
    }
}

/// An error met writing the output `path`, said with the path when it is the output's
/// own (an I/O error, not the store's): a full disk said only "No space left on
/// device", naming no file (a probe of `export --format csv`).
pub(crate) fn cannot_write(error: anyhow::Error, path: &std::path::Path) -> anyhow::Error {
    let store = error
        .chain()
        .any(|cause| crate::error::store_error_in(cause).is_some());
    let io = error.chain().any(|cause| io_error_in(cause).is_some());
    if store || !io {
        return error;
    }
    if crate::shell_support::stdio::is_stdio(path) {
        return said_context(error, "cli-cannot-write-stdout", vec![]);
    }
    let file = path.display().to_string();
    said_context(error, "cli-cannot-write", vec![("file", file)])
}

/// The key `--public-key HEX` pins, if given: the one reading of the option for both
/// binaries (`restore`, `backup --server`; the auditor's `verify`, `verify-bundle`,
/// `checkpoint --list`). A malformed one is the option's mistake, never "the
/// checkpoint's public key is malformed" (a probe's `--public-key abc`, in English
/// under zh-CN).
pub(crate) fn pinned_public_key(
    hex: Option<&str>,
) -> anyhow::Result<Option<ed25519_dalek::VerifyingKey>> {
    let parsed = hex.map(|text| {
        crate::audit::checkpoint::parse_public_key(text).map_err(|_| not_a_public_key(text))
    });
    Ok(parsed.transpose()?)
}

/// A `--public-key` (or `$FLEXLEDGER_PUBLIC_KEY`, which clap takes in its place) that
/// is no public key, said as the one the user gave: the variable when the command line
/// names no `--public-key`.
fn not_a_public_key(text: &str) -> crate::i18n::Sentence {
    const VARIABLE: &str = "FLEXLEDGER_PUBLIC_KEY";
    let on_command_line = std::env::args_os().any(|argument| {
        let argument = argument.to_string_lossy();
        argument == "--public-key" || argument.starts_with("--public-key=")
    });
    let from_variable = !on_command_line && std::env::var(VARIABLE).is_ok_and(|set| set == text);
    let by = if from_variable { "variable" } else { "option" };
    // 64 hex digits can still be no key (not a point of the curve): a mistyped digit
    // of a real key. Said as such: "must be 64 hexadecimal digits" of 64 read as a
    // contradiction.
    let trimmed = text.trim();
    let hex = trimmed.len() == 64 && trimmed.bytes().all(|byte| byte.is_ascii_hexdigit());
    let shape = if hex { "no-key" } else { "not-hex" };
    let args = vec![
        ("by", by.to_owned()),
        ("shape", shape.to_owned()),
        ("text", format!("{text:?}")),
    ];
    crate::i18n::Sentence::new("cli-not-a-public-key", args)
}

/// The operating system's error `cause` is or wraps as an output's: a bundle's own
/// write failure comes as the ledger's output error (`LedgerError::Output`).
fn io_error_in<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a io::Error> {
    match crate::error::ledger_error_in(cause) {
        Some(crate::ledger::LedgerError::Output(error)) => Some(error),
        _ => cause.downcast_ref::<io::Error>(),
    }
}

/// What `program` prints for damaged stored data: the error, then how to recover (a
/// damaged engine file that can be moved aside says so first, D54).
fn damage_message(program: &str, error: &anyhow::Error, language: Language) -> String {
    let id = match (program, damage_advice_for(error)) {
        // The audit tool's engine panic (`exit_on_engine_panic`): never the witness's.
        ("flexledger-audit", DamageAdvice::SetAside) => "audit-damage-set-aside",
        ("flexledger-audit", _) => "audit-damage-advice",
        (_, DamageAdvice::SetAside) => "cli-damage-set-aside",
        (_, DamageAdvice::Witness) => "cli-damage-witness",
        (_, DamageAdvice::Backup) => "cli-damage-advice",
        // Found by the audit tool's verify with kept checkpoints; met here by a writer
        // or a signer refused.
        (_, DamageAdvice::KeptCheckpoint) => "cli-damage-kept-checkpoint",
    };
    let said = said_error(program, error_said_in(error, language), language);
    format!("{said}\n{}", damage_advice(language, id))
}

/// Which advice follows `error`'s damage: move the engine file aside when that is the
/// damage (D54), the head witness's own when it found it (D86: no mark), else the way
/// back through a backup. Each binary says it from its own catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DamageAdvice {
    SetAside,
    Witness,
    Backup,
    /// A checkpoint kept outside the ledger does not match its log: not a backup's
    /// way back, since a backup carries the rewritten log.
    KeptCheckpoint,
}

pub(crate) fn damage_advice_for(error: &anyhow::Error) -> DamageAdvice {
    if is_marked_rewritten(error) {
        return DamageAdvice::KeptCheckpoint;
    }
    match (
        is_set_aside_damage(error),
        is_witness_damage(error.as_ref()),
    ) {
        (true, _) => DamageAdvice::SetAside,
        (false, true) => DamageAdvice::Witness,
        (false, false) => DamageAdvice::Backup,
    }
}

/// Whether `error` is a store's refusal for a mark that a verify with kept checkpoints
/// left: its way back is not a backup (an auditor's probe, told by `submit` to take
/// one, restored the rewritten log into a store that verified clean).
fn is_marked_rewritten(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let refused_to_sign = matches!(
            cause.downcast_ref::<crate::audit::keys::KeyError>(),
            Some(crate::audit::keys::KeyError::LogRewritten { .. })
        );
        refused_to_sign
            || matches!(
                cause.downcast_ref::<StoreError>(),
                Some(StoreError::FoundDamaged { found, .. }) if found.found_with_kept_checkpoints()
            )
    })
}

/// `program: text`, with the colon of `language`.
pub(crate) fn program_said(program: &str, text: &str, language: Language) -> String {
    format!("{program}{}{text}", colon(language))
}

/// `flexledger: ` and catalog sentence `id`, in `language`, on standard error.
pub(crate) fn say_line(language: Language, id: &'static str, args: Vec<(&'static str, String)>) {
    let said = crate::i18n::Sentence::new(id, args).in_language(language);
    crate::shell_support::say_on_stderr!("{}", program_said("flexledger", &said, language));
}

/// The colon that joins a line's parts in `language` (Chinese writes a full-width one
/// with no space).
pub(crate) fn colon(language: Language) -> &'static str {
    match language {
        Language::En => ": ",
        Language::ZhCn => "：",
    }
}

/// `program: error: message`, in `language`.
pub(crate) fn said_error(program: &str, message: String, language: Language) -> String {
    let args = vec![("program", program.to_owned()), ("message", message)];
    crate::i18n::Sentence::new("cli-error", args).in_language(language)
}

/// Whether the damage is an engine file that can be moved aside (D54), whose message
/// says how, rather than damage only a backup repairs.
pub(crate) fn is_set_aside_damage(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<StoreError>(),
            Some(StoreError::EngineFileDamaged { .. })
        )
    })
}

/// What both binaries print for an error: each cause of its chain once, leaving out a
/// cause whose text the line already holds (a `StoreError` quotes its I/O error, which
/// is also its source: "… is full: No space left on device", once), and each cause that
/// is a catalog sentence (a
/// [`Sentence`](crate::i18n::Sentence), a context added by [`SayContext`], a
/// `StoreError` with a sentence) in `language`; the rest (the operating system's and
/// the engine's words) as they came.
pub(crate) fn error_said_in(error: &anyhow::Error, language: Language) -> String {
    let separator = colon(language);
    let mut text = String::new();
    for cause in error.chain() {
        let said = cause_said_in(cause, language);
        if text.contains(&said) || text.contains(&cause.to_string()) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(separator);
        }
        text.push_str(&said);
    }
    text
}

/// One cause of an error chain in `language`, or as it came when it has no sentence.
fn cause_said_in(cause: &(dyn std::error::Error + 'static), language: Language) -> String {
    if let Some(sentence) = cause.downcast_ref::<crate::i18n::Sentence>() {
        return sentence.in_language(language);
    }
    if let Some(context) = cause.downcast_ref::<SaidContext>() {
        return context.sentence.in_language(language);
    }
    // What a `Read` or `Write` fails with must be an `io::Error`: `backup --server`'s
    // reader of the server's answer puts its sentence inside one, and standard output
    // closed early comes inside one too.
    let inside_io = io_error_in(cause).and_then(io::Error::get_ref);
    if let Some(sentence) =
        inside_io.and_then(|inner| inner.downcast_ref::<crate::i18n::Sentence>())
    {
        return sentence.in_language(language);
    }
    if let Some(crate::backup::BackupError::Refused(sentence)) = cause.downcast_ref() {
        return sentence.in_language(language);
    }
    // A full disk met by the writer thread (`submit`): its sentence names the path.
    if let Some(crate::writer::WriterError::Failed(_, Some(sentence), _)) = cause.downcast_ref() {
        let args = vec![("cause", sentence.in_language(language))];
        return crate::i18n::Sentence::new("cli-writer-failed", args).in_language(language);
    }
    // Its `Display` quotes its I/O error, which follows as its own cause.
    if let Some(crate::backup::BackupError::Read(_)) = cause.downcast_ref() {
        return crate::i18n::Sentence::new("cli-backup-cannot-read", vec![]).in_language(language);
    }
    let file = cause
        .downcast_ref()
        .or(inside_io.and_then(|inner| inner.downcast_ref()));
    if let Some(file) = file {
        return file_error_sentence(file).in_language(language);
    }
    if let Some(tokens) = cause.downcast_ref::<crate::http::auth::TokenFileError>() {
        return tokens.sentence().in_language(language);
    }
    if let Some(location) = cause.downcast_ref::<crate::store::any::LocationError>() {
        return location.sentence().in_language(language);
    }
    let key = cause
        .downcast_ref::<crate::audit::keys::KeyError>()
        .or(match cause.downcast_ref() {
            // Transparent: the key's error is not a cause of its own in the chain.
            Some(crate::backup::BackupError::Key(key)) => Some(key),
            _ => None,
        });
    if let Some(sentence) = key.and_then(crate::audit::keys::KeyError::sentence) {
        return sentence.in_language(language);
    }
    let copy = cause.downcast_ref::<crate::ledger::CopyError>();
    if let Some(sentence) = copy.and_then(crate::ledger::CopyError::sentence) {
        return sentence.in_language(language);
    }
    // Through the library errors that wrap a store's transparently (`LedgerError`…).
    let store = crate::error::store_error_in(cause);
    if let Some(sentence) = store.and_then(StoreError::sentence) {
        return sentence.in_language(language);
    }
    match cause.downcast_ref::<io::Error>().and_then(io_kind_sentence) {
        Some(sentence) => sentence.in_language(language),
        None => cause.to_string(),
    }
}

/// The operating system's words for the I/O failures a person running a command meets
/// (a file that is not there, not theirs, a directory), with what they mean said first
/// in a language other than English (`cli-io-*`; the English is the system's words
/// alone): "No such file or directory (os error 2)" had stood alone in Chinese lines.
/// Other failures keep the system's words as they came.
fn io_kind_sentence(error: &io::Error) -> Option<crate::i18n::Sentence> {
    let id = match error.kind() {
        io::ErrorKind::NotFound => "cli-io-not-found",
        io::ErrorKind::PermissionDenied => "cli-io-permission-denied",
        io::ErrorKind::IsADirectory => "cli-io-is-a-directory",
        io::ErrorKind::NotADirectory => "cli-io-not-a-directory",
        io::ErrorKind::AlreadyExists => "cli-io-already-exists",
        io::ErrorKind::ReadOnlyFilesystem => "cli-io-read-only",
        // A server or database not there (a probe read "Connection refused" alone in a
        // Chinese line).
        io::ErrorKind::ConnectionRefused => "cli-io-connection-refused",
        io::ErrorKind::ConnectionReset => "cli-io-connection-reset",
        io::ErrorKind::TimedOut => "cli-io-timed-out",
        _ => return None,
    };
    Some(crate::i18n::Sentence::new(
        id,
        vec![("os", error.to_string())],
    ))
}

/// A file of the command line that cannot be used, as the catalog words it. Its
/// English is also `FileError`'s own `Display` (the support layer it lives in cannot
/// read the catalog): `file_errors_say_in_english_what_the_catalog_says` keeps the two
/// the same.
fn file_error_sentence(error: &crate::shell_support::stdio::FileError) -> crate::i18n::Sentence {
    use crate::shell_support::stdio::FileError;
    let (id, args) = match error {
        FileError::Read { path, .. } => ("cli-cannot-read", vec![("file", path.clone())]),
        FileError::NotUtf8 { path, .. } => ("cli-file-not-utf8", vec![("file", path.clone())]),
        FileError::TooLarge { path, bytes_max } => (
            "cli-file-too-large",
            vec![("file", path.clone()), ("bytes_max", bytes_max.to_string())],
        ),
        FileError::Create { path, .. } => ("cli-cannot-create", vec![("file", path.clone())]),
        FileError::IsADirectory { path } => {
            ("cli-output-is-a-directory", vec![("file", path.clone())])
        }
        FileError::StdoutClosed { bytes } => {
            ("cli-stdout-closed", vec![("bytes", bytes.to_string())])
        }
        FileError::StdinTwice { options } => {
            ("cli-stdin-twice", vec![("options", options.clone())])
        }
        FileError::NoFileName { path } => ("cli-output-no-file-name", vec![("file", path.clone())]),
        FileError::Rename { from, path, .. } => (
            "cli-output-rename",
            vec![("from", from.clone()), ("file", path.clone())],
        ),
    };
    crate::i18n::Sentence::new(id, args)
}

/// A context said in the reader's language: a catalog sentence ("cannot open the
/// ledger in DIR") over the error it explains. Its `Display` is the English, as
/// `anyhow`'s own contexts are.
#[derive(Debug)]
pub(crate) struct SaidContext {
    sentence: crate::i18n::Sentence,
    source: anyhow::Error,
}

impl std::fmt::Display for SaidContext {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.sentence, formatter)
    }
}

impl std::error::Error for SaidContext {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Why `location` holds no ledger, as a sentence `main` says in the reader's language
/// (`error_said_in`): a data directory that is a file is named as that, not as an
/// empty place to submit commands to; otherwise the message `id` (each binary's own
/// advice).
pub(crate) fn no_ledger(location: &Location, id: &'static str) -> anyhow::Error {
    if let Location::Sled(dir) = location {
        if dir.exists() && !dir.is_dir() {
            let path = dir.display().to_string();
            return StoreError::NotADirectory { path }.into();
        }
    }
    let args = vec![("data_dir", location.to_string())];
    crate::i18n::Sentence::new(id, args).into()
}

/// Whether `name`, at the top of a data directory, is the ledger's own: the engine's
/// directories (the store, one a copy is making) and the files beside them (the
/// signing key, the head witness and one set aside, the demo's tokens).
fn is_ledger_s_own(name: &str) -> bool {
    let own = [
        "sled",
        crate::store::sled_store::SLED_CREATING_DIR,
        crate::store::sled_store::RESTORE_UNFINISHED_FILE,
        crate::audit::keys::SIGNING_KEY_FILE,
        crate::store::sled_store::HEAD_WITNESS_FILE,
        crate::store::damage_mark::DAMAGE_MARK_FILE,
        crate::store::damage_mark::DAMAGE_MARK_PARTIAL_FILE,
        "damaged-head-witness",
        serve::DEMO_TOKENS_FILE,
    ];
    own.contains(&name)
        || name
            .strip_prefix("damaged-head-witness.")
            .is_some_and(|number| number.bytes().all(|byte| byte.is_ascii_digit()))
}

/// Refuses an output file (`backup --out`, the audit tool's `export --out` and
/// `timeline --svg`) that is one of the ledger's own files in the data directory
/// ([`is_ledger_s_own`]: the engine's directories and anything in them, the signing
/// key, the head witness). One mistyped path would write over them, and the ledger
/// would then read as damaged or lose its key. Every other path in the data directory
/// (`--data-dir .` and `--out reports/months.csv`) is the user's. Standard output
/// (`-`), a data directory that does not exist yet and an output directory that does
/// not exist (the write reports it) pass; a symbolic link is followed to where it
/// points.
pub(crate) fn refuse_output_in_data_dir(data_dir: &Path, out: &Path) -> anyhow::Result<()> {
    if crate::shell_support::stdio::is_stdio(out) {
        return Ok(());
    }
    let Ok(dir) = data_dir.canonicalize() else {
        return Ok(());
    };
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(parent) = parent.canonicalize() else {
        return Ok(());
    };
    let named = out
        .file_name()
        .map_or(parent.clone(), |name| parent.join(name));
    let resolved = named.canonicalize().unwrap_or(named);
    let Ok(inside) = resolved.strip_prefix(&dir) else {
        return Ok(());
    };
    let first = inside
        .components()
        .next()
        .map(|component| component.as_os_str());
    if !first.is_some_and(|name| is_ledger_s_own(&name.to_string_lossy())) {
        return Ok(());
    }
    let args = vec![
        ("out", out.display().to_string()),
        ("data_dir", data_dir.display().to_string()),
    ];
    Err(crate::i18n::Sentence::new("cli-output-in-data-dir", args).into())
}

/// `anyhow::Context` with a catalog sentence for the context, so [`error_said_in`]
/// says it in the reader's language.
pub(crate) trait SayContext<T> {
    fn say_context(
        self,
        id: &'static str,
        args: impl FnOnce() -> Vec<(&'static str, String)>,
    ) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> SayContext<T> for Result<T, E> {
    fn say_context(
        self,
        id: &'static str,
        args: impl FnOnce() -> Vec<(&'static str, String)>,
    ) -> anyhow::Result<T> {
        self.map_err(|error| said_context(error, id, args()))
    }
}

/// `error` under a context that is the catalog's sentence `id` with `args`.
pub(crate) fn said_context(
    error: impl Into<anyhow::Error>,
    id: &'static str,
    args: Vec<(&'static str, String)>,
) -> anyhow::Error {
    anyhow::Error::new(SaidContext {
        sentence: crate::i18n::Sentence::new(id, args),
        source: error.into(),
    })
}

/// Installs the process's panic hook; each binary calls it first, with the data
/// directory it was given. The report is in the language the command line chose.
///
/// A panic inside the storage engine (sled 0.34.7 indexes out of bounds, or meets a
/// record it cannot decode, when its files were damaged after it opened them) is a
/// finding about the data, not a crash to show: the hook prints the damage and how to
/// recover, and exits 1, like damage found any other way. It exits from the hook, on
/// whichever thread the engine panicked (the writer, a server worker): the engine's
/// state after a panic is unknown, so the process stops as if it had crashed, which
/// the store is built to survive (every write is fsynced before it is acknowledged).
/// Every other panic is a broken invariant of ours and still crashes loudly (the
/// previous hook's report, exit 101). Panics while a store opens are caught before
/// they get here (`SledStore::open` reports them as an error).
pub fn exit_on_engine_panic(program: &'static str, data_dir: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let Some(damage) = crate::store::sled_store::engine_panic_damage(&data_dir, info) else {
            return previous(info);
        };
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let language = help_language(&args);
        let damage = anyhow::Error::new(damage);
        // The store is marked, as for damage found without a panic (D61).
        let marked = mark_place_of(&Place::sled(&data_dir));
        mark_damage_of(Some(&marked), program, &damage);
        let message = damage_message(program, &damage, language);
        crate::shell_support::say_on_stderr!("{message}");
        std::process::exit(1);
    }));
}

/// Whether `error` is the refusal of a store already marked as found damaged.
pub(crate) fn is_found_damaged(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            crate::error::store_error_in(cause),
            Some(StoreError::FoundDamaged { .. })
        )
    })
}

/// Whether the error reports damaged stored data (a position and what is wrong): a
/// library error of the kind `Damaged` anywhere in its chain (`crate::error`).
pub(crate) fn is_damage(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| crate::error::kind_of(cause) == Some(crate::error::ErrorKind::Damaged))
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Every output of this binary is JSON in the contract's English (D37), but for a
    // refusal's `message` in `submit`'s results under `--lang`; the language is that
    // of the lines on standard error a person reads.
    let language = language(cli.lang.as_deref())?;
    let place = &Place::choose(cli.store.as_deref(), &cli.data_dir)?;
    // `restore` makes a sled directory whatever the store (it refuses a URL).
    if !matches!(cli.command, CliCommand::Restore(_)) {
        warn_of_a_store_from_the_environment(place, language);
    }
    match cli.command {
        // A refusal's `message` follows `--lang` only when it is given (D37): a line
        // `submit` refuses, and a read's.
        CliCommand::Submit { file } => submit(place, &file, tongue(&cli.lang, language)),
        CliCommand::Member { id, as_of } => member(place, id, as_of, tongue(&cli.lang, language)),
        CliCommand::Events { from, member } => {
            events(place, (from, member), tongue(&cli.lang, language))
        }
        CliCommand::Region { name, month } => {
            region(place, &name, &month, tongue(&cli.lang, language))
        }
        CliCommand::Verify { accept_head: false } => verify(place, language),
        CliCommand::Verify { accept_head: true } => verify_and_accept_head(place, language),
        CliCommand::Rebuild => rebuild(place, language),
        CliCommand::Serve {
            listen,
            auth,
            demo,
            cors_origins,
            read_only,
            writer_url,
            health_listen,
        } => serve::serve(
            place,
            &serve::ServeArgs {
                listen: &listen,
                health_listen: health_listen.as_deref(),
                auth: auth.as_deref(),
                demo,
                cors_origins: &cors_origins,
                read_only,
                writer_url: writer_url.as_deref(),
                language,
            },
        ),
        CliCommand::Backup(args) => backup::backup(place, &args, language),
        CliCommand::Restore(args) => backup::restore(place, &args, language),
        CliCommand::Migrate => migrate(&place.store, language),
        CliCommand::Copy {
            from,
            to,
            from_data_dir,
        } => {
            let (from, to) = (Location::parse(&from), Location::parse(&to));
            copy(&from, &to, from_data_dir.as_deref(), language)
        }
    }
}

/// The language of a command line: `flag` (`--lang`), else the environment's
/// `FLEXLEDGER_LANG`, `LC_ALL`, `LANG` (`i18n::Language::negotiate`, D37). Both
/// binaries choose it here.
pub fn language(flag: Option<&str>) -> anyhow::Result<crate::i18n::Language> {
    let variable = |name| std::env::var(name).ok();
    Ok(crate::i18n::Language::negotiate(
        flag,
        variable("FLEXLEDGER_LANG").as_deref(),
        variable("LC_ALL").as_deref(),
        variable("LANG").as_deref(),
    )?)
}

/// Opens the ledger at `place` for writing, as `submit` and `serve` do: the store
/// (and its lock), then the ledger's audit signing key if the data directory has none
/// (`audit::keys`: a ledger signs its checkpoints from the day it starts, and the lock
/// keeps any other process from making one meanwhile), then the state rows.
pub fn open_ledger(place: &Place) -> anyhow::Result<Ledger> {
    refuse_a_store_found_damaged(place)?;
    let mut store = place
        .store
        .open()
        .map_err(crate::ledger::LedgerError::from)?;
    // Again under the store's lock: a command that held it may have marked it meanwhile.
    refuse_a_store_found_damaged(place)?;
    // Before anything is signed or appended: a database behind its witness is damage.
    keep_head_witness(&mut store, place)?;
    let latest = crate::audit::keys::latest_signer(&store)?;
    if let Some(key) = crate::audit::keys::ensure_for_writing(&place.data_dir, latest.as_ref())? {
        crate::audit::proofs::sign_first_checkpoint(&mut store, &key, chrono::Utc::now())?;
    }
    Ok(Ledger::with_store(store)?)
}

/// A PostgreSQL ledger's writer witnesses its head in its data directory, beside its
/// key (D86; a sled store keeps its own), and makes that directory if it is not there:
/// a writer whose `--data-dir` was not there kept no witness when its key lived
/// elsewhere (`FLEXLEDGER_SIGNING_KEY`) or the ledger had signed before, and a database
/// rolled back afterwards verified clean and took new events at acknowledged positions
/// (an operator's probe).
fn keep_head_witness(store: &mut AnyStore, place: &Place) -> anyhow::Result<()> {
    let AnyStore::Postgres(store) = store else {
        return Ok(());
    };
    // A file there, or a link to nowhere, is said as such (create_dir_all's own words
    // were "File exists").
    let there = std::fs::symlink_metadata(&place.data_dir).is_ok();
    if there && !place.data_dir.is_dir() {
        let args = vec![("dir", place.data_dir.display().to_string())];
        return Err(crate::i18n::Sentence::new("cli-data-dir-not-a-directory", args).into());
    }
    std::fs::create_dir_all(&place.data_dir).say_context("cli-cannot-make-data-dir", || {
        vec![("dir", place.data_dir.display().to_string())]
    })?;
    store
        .keep_head_witness(&place.data_dir)
        .map_err(crate::ledger::LedgerError::from)?;
    Ok(())
}

/// Where the damage mark of a store is kept (D61): a sled ledger's in its data
/// directory; a PostgreSQL store's in the data directory beside its signing key,
/// naming the store, so that a writer restarted there (by a supervisor) refuses it as a
/// sled writer does (D84: a probe's writer, restarted after its scrub found an event
/// altered, served and appended until its next scrub).
#[derive(Clone, Debug)]
pub(crate) struct MarkPlace {
    dir: PathBuf,
    /// The PostgreSQL store (its URL, password hidden); `None`: the sled ledger.
    store: Option<String>,
}

impl MarkPlace {
    /// The file of this store's mark (`damage_mark::path_for`).
    pub(crate) fn path(&self) -> PathBuf {
        crate::store::damage_mark::path_for(&self.dir, self.store.as_deref())
    }
}

/// The [`MarkPlace`] of the store a command line names (none for one it cannot name).
pub(crate) fn mark_place(store: Option<&str>, data_dir: &Path) -> Option<MarkPlace> {
    Place::choose(store, data_dir)
        .ok()
        .map(|place| mark_place_of(&place))
}

/// A ledger a command found damaged takes no appends until `verify` finds it intact
/// (`store::damage_mark`, D61). Checked before the store opens: opening a damaged
/// sled store can change its files.
fn refuse_a_store_found_damaged(place: &Place) -> anyhow::Result<()> {
    let marked = mark_place_of(place);
    let (dir, path) = (&marked.dir, marked.path());
    // No directory, no ledger to mark: the store's open says what is there instead.
    if !dir.is_dir() {
        return Ok(());
    }
    // A PostgreSQL writer is kept away by any PostgreSQL store's mark in its data
    // directory (D84): two URLs may name one database in ways no comparison sees.
    let found = match marked.store {
        None => {
            crate::store::damage_mark::read(dir).map(|mark| mark.map(|mark| (path.clone(), mark)))
        }
        Some(_) => {
            crate::store::damage_mark::postgres_marks(dir).map(|marks| marks.into_iter().next())
        }
    };
    let found = match found {
        // A directory this user may not look into: said as the store's open says it,
        // not as a mark that cannot be read (there may be none).
        Err(source) if source.kind() == std::io::ErrorKind::PermissionDenied => {
            // The directory, when it is the one that cannot be entered: naming the mark
            // sent a fault probe looking for a `damage-found` file that is not there.
            // Listed (its read bit) and entered (its search bit: a lookup of `.`).
            let unlisted = std::fs::read_dir(dir).is_err() || dir.join(".").metadata().is_err();
            let path = match unlisted {
                true => dir.display().to_string(),
                false => path.display().to_string(),
            };
            return Err(StoreError::PermissionDenied { path, source }.into());
        }
        read => read.say_context("cli-cannot-read", || {
            vec![("file", path.display().to_string())]
        })?,
    };
    let Some((path, mark)) = found else {
        return Ok(());
    };
    Err(StoreError::FoundDamaged {
        mark: path.display().to_string(),
        found: Box::new(mark),
    }
    .into())
}

/// Marks the ledger at `place` as found damaged by `found_by` (D61, D84), so that its
/// writer refuses it until it verifies again; `position` 0 names none (damage in the
/// engine's files). A mark that cannot be written is said in the log: the finding
/// itself is already on its way to the user.
pub(crate) fn mark_damage(
    place: &MarkPlace,
    found_by: &str,
    position: Option<u64>,
    (message, finding): (String, Option<crate::i18n::Sentence>),
) {
    // A PostgreSQL head witness's finding (D86) keeps this directory's writer away by
    // itself: the writer checks its witness at every open. A mark would keep away the
    // writers of other databases too (any mark does, D84), and would outlive a `verify`
    // of the writer's own database: an auditor's probe checked an older copy of the
    // database with the writer's --data-dir, and the production writer was stopped.
    if finding.as_ref().is_some_and(is_witness_finding) {
        return;
    }
    let mark = crate::store::damage_mark::DamageMark::found_now(
        found_by,
        position,
        (message, finding),
        place.store.clone(),
    );
    let dir = &place.dir;
    let unmarked = match crate::store::damage_mark::record(dir, &mark) {
        Ok(true) => return,
        // A sled data directory without its engine directory holds no ledger to keep
        // writes from (its open refuses it: `store-found-engine-dir-missing`).
        Ok(false) if place.store.is_none() => return,
        Ok(false) => NotMarked::NoDirectory(dir.display().to_string()),
        Err(error) => {
            tracing::warn!(%error, dir = %dir.display(), "cannot mark the store as found damaged");
            let why = format!("{}: {error}", place.path().display());
            // A full disk is said as such, with its own way out: a fault probe was told
            // to run `verify` "as a user who may write its data directory".
            match error.kind() == std::io::ErrorKind::StorageFull {
                true => NotMarked::DiskFull(why),
                false => NotMarked::Failed(why),
            }
        }
    };
    if let Ok(mut kept) = MARK_NOT_RECORDED.lock() {
        kept.get_or_insert(unmarked);
    }
}

/// Whether `finding` is the PostgreSQL head witness's (D86): said with advice of its
/// own, and no mark.
fn is_witness_finding(finding: &crate::i18n::Sentence) -> bool {
    finding.says("store-found-pg-witness")
}

/// Whether the damage `error` reports is the PostgreSQL head witness's finding.
pub(crate) fn is_witness_damage(error: &(dyn std::error::Error + 'static)) -> bool {
    crate::error::damage_sentence(error).is_some_and(|finding| is_witness_finding(&finding))
}

/// The `finding` code of a `verify --json` line for damage (both binaries'): a program
/// told the two apart only by reading the English (an auditor's probe). `behind_head_witness`:
/// a PostgreSQL database older than its writer's head witness, such as a restored copy
/// (D86), which is not marked; `another_history_than_witness`: one that holds another
/// event at a position its writer witnessed (not older: rewritten, or another ledger's),
/// not marked either, which `behind_head_witness` also named (the restore that fixes
/// the one does not fix the other); `damaged`: every other damage, marked.
pub(crate) fn damage_finding(error: &(dyn std::error::Error + 'static)) -> &'static str {
    let finding = crate::error::damage_sentence(error).filter(is_witness_finding);
    match finding {
        Some(finding) if finding.says("store-found-pg-witness-other-hash") => {
            "another_history_than_witness"
        }
        Some(_) => "behind_head_witness",
        None => "damaged",
    }
}

/// Why a mark this process tried to record is not there (`mark_damage`).
#[derive(Clone, Debug)]
enum NotMarked {
    /// Writing it failed: where, and why.
    Failed(String),
    /// Writing it failed for a full disk: where, and the system's words.
    DiskFull(String),
    /// A PostgreSQL store's command run without a data directory to keep it in.
    NoDirectory(String),
}

/// Why this process could not record a damage mark it tried to (`mark_damage`), for
/// the advice (`damage_advice`), which otherwise says the store is marked: a fault
/// probe's `verify`, run by a user who could not write the data directory, said so
/// while the next `submit` appended to the damaged store; an auditor's probe, run with
/// no data directory at all, was told so too.
static MARK_NOT_RECORDED: std::sync::Mutex<Option<NotMarked>> = std::sync::Mutex::new(None);

/// The advice `id` (`cli-damage-advice` and the like) after damage, followed, when this
/// process could not record its mark, by a line that says so and what it means.
pub(crate) fn damage_advice(language: Language, id: &str) -> String {
    let unmarked = MARK_NOT_RECORDED
        .lock()
        .ok()
        .and_then(|unmarked| unmarked.clone());
    // The advice says the store is marked only when it is: it went on to say so, then
    // "not marked after all" (a fault probe's full disk).
    let marked = if unmarked.is_none() { "yes" } else { "no" };
    let advice = match id.ends_with("-damage-advice") {
        true => crate::i18n::say(language, id, &[("marked", text(marked))]),
        false => crate::i18n::say(language, id, &[]),
    };
    let (line, args) = match unmarked {
        Some(NotMarked::Failed(why)) => ("cli-damage-mark-not-recorded", [("why", text(why))]),
        Some(NotMarked::DiskFull(why)) => ("cli-damage-mark-disk-full", [("why", text(why))]),
        Some(NotMarked::NoDirectory(dir)) => ("cli-damage-mark-no-directory", [("dir", text(dir))]),
        None => return advice,
    };
    let line = crate::i18n::say(language, line, &args);
    let program = match id.starts_with("audit-") {
        true => "flexledger-audit",
        false => "flexledger",
    };
    format!("{advice}\n{}", program_said(program, &line, language))
}

/// The [`MarkPlace`] of `place`'s store.
pub(crate) fn mark_place_of(place: &Place) -> MarkPlace {
    match &place.store {
        Location::Sled(dir) => MarkPlace {
            dir: dir.clone(),
            store: None,
        },
        location @ Location::Postgres(_) => MarkPlace {
            dir: place.data_dir.clone(),
            store: Some(location.to_string()),
        },
    }
}

/// Marks the ledger at `place` as found damaged by `error`'s command.
pub(crate) fn mark_damage_of(place: Option<&MarkPlace>, found_by: &str, error: &anyhow::Error) {
    if let Some(place) = place {
        let position = error.chain().find_map(crate::error::damaged_at);
        let message = error_said_in(error, Language::En);
        let finding = crate::error::damage_sentence(error.as_ref());
        mark_damage(place, found_by, position, (message, finding));
    }
}

/// Marks the ledger `marked` (the command line's) as found damaged by `error`,
/// naming the subcommand of `program` (parsed by `parser`) that found it (no option
/// values: they may hold a password), unless `error` is the mark's own refusal or the
/// subcommand is one of `elsewhere`, which read other stores (D61). Both binaries'
/// `main` call it on damage.
pub(crate) fn mark_found_damage(
    (program, parser, marked): (&str, &clap::Command, Option<&MarkPlace>),
    error: &anyhow::Error,
    elsewhere: &[&str],
) {
    if is_found_damaged(error) {
        return;
    }
    let subcommand = std::env::args_os()
        .skip(1)
        .map(|arg| arg.to_string_lossy().into_owned())
        .find(|arg| {
            parser
                .get_subcommands()
                .any(|known| known.get_name() == arg)
        });
    let found_by = match subcommand {
        Some(name) if elsewhere.contains(&name.as_str()) => return,
        Some(name) => format!("{program} {name}"),
        None => program.to_owned(),
    };
    mark_damage_of(marked, &found_by, error);
}

/// Tests make a month close's chunks small (`FLEXLEDGER_CLOSE_CHUNK_MEMBERS`) to
/// exercise its resumption without a region of thousands, and its batches of coverage
/// changes written ahead (`FLEXLEDGER_CLOSE_ITEMS_AHEAD_BATCH`) to write many; they
/// end the process once that many chunks are durable, with nothing flushed or
/// finished after them, as a crash there would (`FLEXLEDGER_CLOSE_EXIT_AFTER_CHUNKS`;
/// exit code 137, what a shell reports for `kill -9`).
pub(crate) fn configure_close_chunks<S: crate::store::EventStore>(ledger: &mut Ledger<S>) {
    let number = |variable: &str| {
        std::env::var(variable)
            .ok()
            .and_then(|text| text.parse::<usize>().ok())
    };
    if let Some(members) = number("FLEXLEDGER_CLOSE_CHUNK_MEMBERS") {
        ledger.set_close_chunk_members(members);
    }
    if let Some(items) = number("FLEXLEDGER_CLOSE_ITEMS_AHEAD_BATCH") {
        ledger.set_close_items_ahead_batch(items);
    }
    if let Some(chunks) = number("FLEXLEDGER_CLOSE_EXIT_AFTER_CHUNKS") {
        let mut recorded = 0;
        ledger.set_after_close_chunk(Box::new(move || {
            recorded += 1;
            if recorded >= chunks {
                std::process::exit(137);
            }
        }));
    }
}

/// `submit`: `messages_in` is the language `--lang` asked for, if it did.
fn submit(
    place: &Place,
    file: &std::path::Path,
    (language, messages_in): Tongue,
) -> anyhow::Result<ExitCode> {
    let (input, input_bytes) = open_submit_input(file)?;
    let made = makes_a_new_sled_ledger(place);
    let mut ledger = open_ledger(place).say_context("cli-cannot-open-ledger", || {
        vec![("store", place.store.to_string())]
    })?;
    if made {
        // A newcomer's probe mistyped --data-dir (or ran from another folder), and read
        // every line refused as "not enrolled" with nothing saying the ledger was new.
        let dir = vec![("dir", place.data_dir.display().to_string())];
        say_line(language, "cli-submit-new-ledger", dir);
    }
    configure_close_chunks(&mut ledger);
    // Submit goes through the same group-commit writer as every other caller; two
    // chunks in flight let reading and parsing overlap the writer's fsync.
    let writer = Writer::start(ledger, Box::new(SystemSources));
    let mut tally = SubmitTally {
        progress: submit_progress(input_bytes),
        accepted: 0,
        refused: 0,
        line_number: 0,
        answered: 0,
        first_refused: None,
        blanks: BlankLines {
            answer_on_pause: input_bytes.is_none(),
            ..BlankLines::default()
        },
        messages_in,
        language,
    };
    // Only a regular file (one with a length) had its start read already.
    let lines = read_lines_ahead(input, input_bytes.is_some())?;
    let interrupted = watch_for_interrupt();
    let notice = say_on_first_signal(language, "cli-submit-stopping", tally.progress.clone());
    let output_failed = match tally.feed(&writer, &lines, file, &interrupted) {
        Ok(failed) => failed,
        Err(error) => return Err(submit_failed(error, &tally, file)),
    };
    let (_, stats) = writer.shutdown();
    tally.progress.finish_and_clear();
    // A signal after the last line was read stops nothing: the file is done, and is
    // said so by the usual exit (a probe's two-line file of closes was "interrupted
    // … the rest was not read" when both lines were answered).
    let input_ended = !tally.blanks.unread_after_signal
        && matches!(
            lines.try_recv(),
            Err(std::sync::mpsc::TryRecvError::Disconnected)
        );
    let stopped = interrupted.load(std::sync::atomic::Ordering::SeqCst);
    if stopped {
        notice.wait_said();
    }
    if output_failed.is_none() && stopped && !input_ended {
        return Ok(say_interrupted(tally.line_number, file, language));
    }
    if let Some(kind) = output_failed {
        return Ok(say_output_failed(kind, tally.line_number, file, language));
    }
    Ok(submit_finished(tally, stats.appends))
}

/// Whether opening `place` for writing makes a new sled ledger: its data directory is
/// not there, or empty.
fn makes_a_new_sled_ledger(place: &Place) -> bool {
    if !matches!(place.store, crate::store::Location::Sled(_)) {
        return false;
    }
    match std::fs::read_dir(&place.data_dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(error) => error.kind() == io::ErrorKind::NotFound,
    }
}

/// The end of a `submit` that answered every line of its input: the refusals said in
/// the reader's language, exit 1 if there were any.
fn submit_finished(tally: SubmitTally, appends: u64) -> ExitCode {
    let SubmitTally {
        accepted,
        refused,
        answered,
        line_number,
        first_refused,
        language,
        ..
    } = tally;
    if let Some((line, refusal)) = first_refused {
        // Of the lines answered: blank lines at the end of the input are read but not
        // answered (a contract probe was told "1 of 6" beside 4 results).
        say_refused(language, (refused, answered), line, &refusal);
    }
    tracing::info!(
        lines = line_number,
        accepted,
        refused,
        appends,
        "submit finished"
    );
    if refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The results are JSON on standard output; a person reading the terminal is told
/// that `refused` of `lines` were refused, and why the first (on `line`) was, in their
/// language (the line once: a message without data still starts with it).
fn say_refused(language: Language, (refused, lines): (u64, u64), line: u64, refusal: &Refusal) {
    let message = message_without_line(language, line, refusal);
    let args = vec![
        ("refused", refused.to_string()),
        ("lines", lines.to_string()),
        ("line", line.to_string()),
        ("code", refusal.code.as_str().to_owned()),
        ("message", message),
    ];
    say_line(language, "cli-submit-refused", args);
}

/// What `submit` says when its standard output failed (of `kind`) after answering the
/// `lines` it read: exit 2.
fn say_output_failed(kind: io::ErrorKind, lines: u64, file: &Path, language: Language) -> ExitCode {
    let broken = if kind == io::ErrorKind::BrokenPipe {
        "yes"
    } else {
        "no"
    };
    let args = vec![
        ("broken", broken.to_owned()),
        ("error", io::Error::from(kind).to_string()),
        ("lines", lines.to_string()),
        ("file", file.display().to_string()),
    ];
    let said = crate::i18n::Sentence::new("cli-submit-output-failed", args);
    let said = said_error("flexledger", said.in_language(language), language);
    crate::shell_support::say_on_stderr!("{said}");
    ExitCode::from(2)
}

/// What `submit` says when a signal stopped it, after answering the `lines` it read.
fn say_interrupted(lines: u64, file: &std::path::Path, language: Language) -> ExitCode {
    let args = vec![
        ("lines", lines.to_string()),
        ("file", stdio_named(file, true, language)),
    ];
    say_line(language, "cli-submit-interrupted", args);
    ExitCode::from(INTERRUPTED_EXIT)
}

/// `stdio::display` in `language`, for the reports that follow `--lang`: "standard
/// output" is 标准输出 in Chinese; a path is a path in every language.
pub(crate) fn stdio_named(path: &Path, input: bool, language: Language) -> String {
    match (stdio::is_stdio(path), input) {
        (true, true) => say(language, "cli-standard-input", &[]),
        (true, false) => say(language, "cli-standard-output", &[]),
        (false, _) => path.display().to_string(),
    }
}

/// `submit`'s input, a file or standard input (`-`), and its length when it has one
/// (for the progress bar).
fn open_submit_input(
    file: &std::path::Path,
) -> anyhow::Result<(Box<dyn BufRead + Send>, Option<u64>)> {
    Ok(if stdio::is_stdio(file) {
        (Box::new(io::BufReader::new(io::stdin())), None)
    } else {
        let opened = std::fs::File::open(file)
            .and_then(|opened| {
                // A directory opens and fails only when read: refused here, before the
                // ledger is opened (and made, where it is new).
                if opened.metadata()?.is_dir() {
                    return Err(io::Error::new(
                        io::ErrorKind::IsADirectory,
                        "Is a directory",
                    ));
                }
                Ok(opened)
            })
            .say_context("cli-cannot-read", || {
                vec![("file", file.display().to_string())]
            })?;
        let length = opened
            .metadata()
            .ok()
            .filter(|metadata| metadata.is_file())
            .map(|metadata| metadata.len());
        // A regular file's start is read here, before the ledger is opened (and made,
        // where it is new): a UTF-16 file is refused with nothing opened. Any other
        // input's (standard input, a named pipe) is read on the input's thread, which
        // may wait for it while a signal can still stop `submit` in good order.
        let input: Box<dyn BufRead + Send> = Box::new(io::BufReader::new(opened));
        let input = match length {
            Some(_) => {
                skip_byte_order_mark(input).map_err(|error| input_start_error(file, error))?
            }
            None => input,
        };
        (input, length)
    })
}

/// An error reading the very start of `submit`'s input: UTF-16 text said as such.
fn input_start_error(file: &std::path::Path, error: io::Error) -> anyhow::Error {
    if !error
        .get_ref()
        .is_some_and(|inner| inner.is::<lines::Utf16Input>())
    {
        let args = vec![("file", file.display().to_string())];
        return said_context(error, "cli-cannot-read", args);
    }
    let (id, args) = if stdio::is_stdio(file) {
        ("cli-stdin-utf16", vec![])
    } else {
        (
            "cli-input-utf16",
            vec![("file", file.display().to_string())],
        )
    };
    crate::i18n::Sentence::new(id, args).into()
}

/// Lines of `submit`'s input read ahead of the writer, at most (each at most
/// `SUBMIT_LINE_BYTES_MAX`).
const SUBMIT_LINES_READ_AHEAD_MAX: usize = 1024;
/// A chunk shorter than `APPEND_BATCH_COMMANDS_MAX` goes to the writer once the input
/// has been quiet this long, and everything decided so far is answered: a producer
/// that writes a line and waits (`tail -f … | flexledger submit -`) gets its result
/// then, rather than after 1,000 lines or the end of its input.
const SUBMIT_INPUT_QUIET_MILLIS: u64 = 50;

/// What ended a chunk of input lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ChunkEnd {
    Full,
    Quiet,
    /// A signal came: every line read is in this chunk or an earlier one.
    Stopped,
    End,
}

type InputLines = std::sync::mpsc::Receiver<io::Result<Line>>;

/// Reads `input`'s lines on a thread of their own, so that `read_chunk` can tell a
/// pause in the input from its end.
fn read_lines_ahead(
    mut input: Box<dyn BufRead + Send>,
    start_read: bool,
) -> anyhow::Result<InputLines> {
    let (sender, lines) = std::sync::mpsc::sync_channel(SUBMIT_LINES_READ_AHEAD_MAX);
    std::thread::Builder::new()
        .name("submit-input".into())
        .spawn(move || {
            // Only the input's very start may hold a byte order mark (Notepad, Excel);
            // a file's was read before the ledger was opened.
            if !start_read {
                input = match skip_byte_order_mark(input) {
                    Ok(input) => input,
                    Err(error) => {
                        let _ = sender.send(Err(error));
                        return;
                    }
                };
            }
            read_lines_into(&mut *input, &sender);
        })?;
    Ok(lines)
}

/// Sends `input`'s lines until its end, an error (sent too) or the receiver is gone.
fn read_lines_into(
    input: &mut dyn BufRead,
    sender: &std::sync::mpsc::SyncSender<io::Result<Line>>,
) {
    loop {
        let item = match read_bounded_line(input) {
            Ok(Some(line)) => Ok(line),
            Ok(None) => return,
            Err(error) => Err(error),
        };
        let failed = item.is_err();
        // Stops when the receiver is gone (output closed) or after an error.
        if sender.send(item).is_err() || failed {
            return;
        }
    }
}

/// A line holding nothing but whitespace (`\r` of a CRLF file, an ideographic space
/// U+3000 included): what the parser calls empty.
fn is_blank(line: &Line) -> bool {
    matches!(line, Line::Text(bytes) if std::str::from_utf8(bytes).is_ok_and(|text| text.trim().is_empty()))
}

/// Blank lines `submit` has read but not answered yet (D14): held until a line that is
/// not blank follows them, then answered (refused) before it; answered too once the
/// input pauses, so that a producer waiting on each answer hears back; dropped at the
/// input's end, so that an editor's extra newlines at a file's end are no lines. Only
/// counted, so that a run of millions costs nothing.
#[derive(Default)]
struct BlankLines {
    held: u64,
    /// The line after them, read and not yet handed on.
    pending: Option<Line>,
    /// The input paused (or a signal came) while some were held: answer them.
    flushing: bool,
    /// Whether a pause answers them: not for a regular file, whose reads pause only
    /// when the disk is slow (its trailing blank lines would be refused by chance).
    answer_on_pause: bool,
    /// A line that could not be read was taken after a signal (`settle_held_blanks`)
    /// and left to the run that resumes: the input has not been read to its end.
    unread_after_signal: bool,
}

/// The next chunk of up to `APPEND_BATCH_COMMANDS_MAX` parsed lines, and what ended it
/// (its size, a pause in the input, or the input's end); blank lines as [`BlankLines`]
/// says.
fn read_chunk(
    lines: &InputLines,
    file: &std::path::Path,
    (line_number, blanks): (&mut u64, &mut BlankLines),
    progress: &indicatif::ProgressBar,
    interrupted: &std::sync::atomic::AtomicBool,
) -> anyhow::Result<(
    Vec<Result<crate::domain::CommandEnvelope, Refusal>>,
    ChunkEnd,
)> {
    use std::sync::mpsc::RecvTimeoutError;
    let quiet = std::time::Duration::from_millis(SUBMIT_INPUT_QUIET_MILLIS);
    let mut chunk = Vec::new();
    while chunk.len() < APPEND_BATCH_COMMANDS_MAX {
        let stopped = interrupted.load(std::sync::atomic::Ordering::SeqCst);
        let settling = stopped && blanks.held > 0 && blanks.pending.is_none();
        if settling
            && !blanks.flushing
            && settle_held_blanks(lines, (line_number, blanks), progress)
        {
            return Ok((chunk, ChunkEnd::End));
        }
        // A signal: every line read is answered (blank ones refused), and none more is
        // read but what `settle_held_blanks` took to tell trailing blank lines apart.
        blanks.flushing |= stopped;
        if blanks.held > 0 && (blanks.flushing || blanks.pending.is_some()) {
            let after = u64::from(blanks.pending.is_some());
            let number = *line_number - after - blanks.held + 1;
            blanks.held -= 1;
            chunk.push(parse_line(number, Line::Text(Vec::new())));
            continue;
        }
        blanks.flushing = false;
        if let Some(line) = blanks.pending.take() {
            chunk.push(parse_line(*line_number, line));
            continue;
        }
        if stopped {
            return Ok((chunk, ChunkEnd::Stopped));
        }
        let received = match lines.recv_timeout(quiet) {
            // An input with nothing to read (a terminal, an open pipe) is waited for
            // until a line comes or a signal stops `submit`; blank lines held are
            // answered meanwhile.
            Err(RecvTimeoutError::Timeout)
                if chunk.is_empty() && blanks.held > 0 && blanks.answer_on_pause =>
            {
                blanks.flushing = true;
                continue;
            }
            Err(RecvTimeoutError::Timeout) if chunk.is_empty() => continue,
            received => received,
        };
        let line = match received {
            Ok(line) => line.map_err(|error| match *line_number {
                0 => input_start_error(file, error),
                line => {
                    let file = file.display().to_string();
                    let args = vec![("file", file), ("line", line.to_string())];
                    said_context(error, "cli-cannot-read-after-line", args)
                }
            })?,
            Err(RecvTimeoutError::Timeout) => return Ok((chunk, ChunkEnd::Quiet)),
            Err(RecvTimeoutError::Disconnected) => return Ok((chunk, ChunkEnd::End)),
        };
        *line_number += 1;
        progress.inc(line.byte_count() + 1);
        if is_blank(&line) {
            blanks.held += 1;
        } else {
            blanks.pending = Some(line);
        }
    }
    Ok((chunk, ChunkEnd::Full))
}

/// A failure of `submit` once lines were read says how far the import got and how to
/// finish it (an operator's probe ended the PostgreSQL writer's connection: 15,000 of
/// 33,507 lines were durable, and the error said nothing of them); with nothing
/// answered yet, that some lines may be recorded all the same (a fault probe's full
/// disk during five closes: four were durable, and nothing said that sending the file
/// again finishes it: the lines of one append are answered together).
fn submit_failed(
    error: anyhow::Error,
    tally: &SubmitTally,
    file: &std::path::Path,
) -> anyhow::Error {
    let (id, lines) = match (tally.answered, tally.line_number) {
        (0, 0) => return error,
        (0, read) => ("cli-submit-stopped-unanswered", read),
        (answered, _) => ("cli-submit-stopped", answered),
    };
    let args = vec![
        ("lines", lines.to_string()),
        ("file", stdio_named(file, true, tally.language)),
    ];
    said_context(error, id, args)
}

/// Whether the blank lines held when a signal came are the input's last lines, which
/// are dropped at its end as ever (true: the input has ended), or lines followed by
/// more, which are answered (false; a line that is not blank, read meanwhile, is held
/// as `pending` to be answered too). A signal landing just as an editor's trailing
/// newlines were read had them refused as blank lines. The input is given a moment
/// (`SUBMIT_INPUT_QUIET_MILLIS`) to say that it has ended, and at most the lines its
/// reader has read ahead are taken.
fn settle_held_blanks(
    lines: &InputLines,
    (line_number, blanks): (&mut u64, &mut BlankLines),
    progress: &indicatif::ProgressBar,
) -> bool {
    use std::sync::mpsc::RecvTimeoutError;
    let quiet = std::time::Duration::from_millis(SUBMIT_INPUT_QUIET_MILLIS);
    for _ in 0..SUBMIT_LINES_READ_AHEAD_MAX {
        let line = match lines.recv_timeout(quiet) {
            Ok(Ok(line)) => line,
            // A line that cannot be read is left to the run that resumes: the blank
            // lines before it are answered, and the stop stays a stop (an error here
            // would leave the chunks already decided unprinted).
            Ok(Err(_)) => {
                blanks.unread_after_signal = true;
                return false;
            }
            Err(RecvTimeoutError::Timeout) => return false,
            Err(RecvTimeoutError::Disconnected) => {
                blanks.held = 0;
                return true;
            }
        };
        *line_number += 1;
        progress.inc(line.byte_count() + 1);
        if !is_blank(&line) {
            blanks.pending = Some(line);
            return false;
        }
        blanks.held += 1;
    }
    false
}

/// The writer's answer to one chunk, when it is durable.
type SubmitAnswer = tokio::sync::oneshot::Receiver<Result<Vec<CommandResult>, WriterError>>;

/// What `submit` has answered so far, shown on its progress bar.
struct SubmitTally {
    progress: indicatif::ProgressBar,
    accepted: u64,
    refused: u64,
    /// Input lines read (and handed to the writer) so far.
    line_number: u64,
    /// Results printed so far: one per input line, in order.
    answered: u64,
    /// The first refused command's line and refusal, said on standard error at the end.
    first_refused: Option<(u64, Refusal)>,
    /// Blank lines read and not answered yet.
    blanks: BlankLines,
    /// The language a refusal's `message` is printed in, when `--lang` asked for one
    /// (as `Accept-Language` does over HTTP); `None`: the contract's English, whatever
    /// the environment's locale, so a script reads the same bytes on every machine.
    messages_in: Option<Language>,
    /// The language of the progress bar's words, which only a person reads.
    language: Language,
}

/// A refused line's message in `language`, with its line number first when the
/// English message starts with it (a line that did not parse: "line 3: …").
fn line_message_in(language: Language, line: u64, refusal: &Refusal) -> String {
    let message = message_without_line(language, line, refusal);
    if !refusal.message.starts_with(&line_prefix(line)) {
        return message;
    }
    let args = vec![("line", line.to_string()), ("message", message)];
    crate::i18n::Sentence::new("cli-submit-line-message", args).in_language(language)
}

/// The English line prefix `parse_line` puts before a refusal of line `line`.
fn line_prefix(line: u64) -> String {
    format!("line {line}: ")
}

/// `refusal`'s message in `language` without the English line prefix a message with
/// no data keeps (its line is said once, by whoever says it).
fn message_without_line(language: Language, line: u64, refusal: &Refusal) -> String {
    let message = crate::i18n::refusal_message(language, refusal);
    match message.strip_prefix(&line_prefix(line)) {
        Some(rest) => rest.to_owned(),
        None => message,
    }
}

impl SubmitTally {
    /// Prints a chunk's results, one JSON line each, and counts them.
    fn print(
        &mut self,
        answer: SubmitAnswer,
        stdout: &mut io::BufWriter<io::StdoutLock>,
    ) -> anyhow::Result<()> {
        let results: Vec<CommandResult> =
            answer.blocking_recv().map_err(|_| WriterError::Stopped)??;
        for mut result in results {
            self.answered += 1;
            match &mut result {
                CommandResult::Refused(refusal) => {
                    self.refused += 1;
                    if self.first_refused.is_none() {
                        self.first_refused = Some((self.answered, refusal.clone()));
                    }
                    if let Some(language) = self.messages_in {
                        refusal.message = line_message_in(language, self.answered, refusal);
                    }
                }
                CommandResult::Accepted { .. } => self.accepted += 1,
            }
            print_json_line(stdout, &result)?;
        }
        stdout.flush()?;
        let (accepted, refused) = (self.accepted, self.refused);
        let counts = [("accepted", count(accepted)), ("refused", count(refused))];
        let said = say(self.language, "cli-submit-progress", &counts);
        self.progress.set_message(said);
        Ok(())
    }

    /// Hands `lines` to `writer` in chunks and prints each chunk's results once it is
    /// durable, keeping up to `SUBMIT_CHUNKS_IN_FLIGHT_MAX` chunks in flight while the
    /// input keeps coming and answering all of them when it pauses or ends. Stops
    /// reading when standard output fails (`… | head -1`, a full disk): then the chunks
    /// already handed over finish unprinted, and the kind of failure is returned.
    fn feed(
        &mut self,
        writer: &Writer<crate::store::AnyStore>,
        lines: &InputLines,
        file: &std::path::Path,
        interrupted: &std::sync::atomic::AtomicBool,
    ) -> anyhow::Result<Option<io::ErrorKind>> {
        let mut stdout = io::BufWriter::new(io::stdout().lock());
        let mut in_flight = std::collections::VecDeque::new();
        let mut output_failed = None;
        // A signal is heard by `read_chunk` alone, which answers the blank lines it
        // holds before it says `Stopped`: checked here too, a signal landing between two
        // chunks left those lines unanswered (a loaded CI machine found it).
        while output_failed.is_none() {
            let (chunk, end) = read_chunk(
                lines,
                file,
                (&mut self.line_number, &mut self.blanks),
                &self.progress,
                interrupted,
            )?;
            if !chunk.is_empty() {
                in_flight.push_back(writer.enqueue_blocking(chunk)?);
            }
            let keep = match end {
                ChunkEnd::Full => SUBMIT_CHUNKS_IN_FLIGHT_MAX - 1,
                ChunkEnd::Quiet | ChunkEnd::Stopped | ChunkEnd::End => 0,
            };
            while in_flight.len() > keep && output_failed.is_none() {
                let Some(answer) = in_flight.pop_front() else {
                    break;
                };
                if let Err(error) = self.print(answer, &mut stdout) {
                    match crate::shell_support::output_failure(&error) {
                        Some(kind) => output_failed = Some(kind),
                        None => return Err(error),
                    }
                }
            }
            if matches!(end, ChunkEnd::End | ChunkEnd::Stopped) {
                break;
            }
        }
        // Left once standard output failed (decided and durable, and nobody is reading
        // the results any more), or interrupted (every line read is answered).
        for answer in in_flight {
            if output_failed.is_some() {
                let _ = answer.blocking_recv();
                continue;
            }
            if let Err(error) = self.print(answer, &mut stdout) {
                match crate::shell_support::output_failure(&error) {
                    Some(kind) => output_failed = Some(kind),
                    None => return Err(error),
                }
            }
        }
        Ok(output_failed)
    }
}

/// Chunks of `submit` input queued to the writer before waiting for the oldest.
const SUBMIT_CHUNKS_IN_FLIGHT_MAX: usize = 2;

/// `submit`'s, `backup`'s and `restore`'s exit code when Ctrl-C, SIGTERM or SIGHUP stopped it:
/// 128 + SIGINT, as a shell reports a command a Ctrl-C ended.
const INTERRUPTED_EXIT: u8 = 130;

/// A reader or writer that fails once Ctrl-C, SIGTERM or SIGHUP has set `interrupted`
/// ([`watch_for_interrupt`]), so that `backup` and `restore` stop through their error
/// paths, which remove what they had half written (the `.partial` file, the
/// `.NAME.restoring` directory). Killed by the signal, they left those behind, and a
/// staging directory left so refused the next restore.
pub(crate) struct Interruptible<T> {
    pub(crate) inner: T,
    pub(crate) interrupted: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<T> Interruptible<T> {
    fn check(&self) -> io::Result<()> {
        if self.interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            let sentence = crate::i18n::Sentence::new("cli-stopped-by-signal", vec![]);
            // Not `ErrorKind::Interrupted`: `write_all` and `read_to_end` retry that.
            return Err(io::Error::other(sentence));
        }
        Ok(())
    }
}

impl<R: Read> Read for Interruptible<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.read(buffer)
    }
}

impl<W: Write> Write for Interruptible<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What `backup` or `restore` says and exits with when a signal stopped it: `what`
/// (`backup`, `restore`) stopped, nothing kept.
pub(crate) fn stopped_by_signal(language: Language, what: &str) -> ExitCode {
    say_line(
        language,
        "cli-stopped-nothing-kept",
        vec![("what", what.to_owned())],
    );
    ExitCode::from(INTERRUPTED_EXIT)
}

/// Set once Ctrl-C, SIGTERM or SIGHUP arrives during `submit`, which then reads no more lines
/// but answers every line it read (they are decided, and the accepted ones durable)
/// and says how far it got. Killed outright, it printed nothing, leaving the user to
/// guess what was recorded. A second Ctrl-C ends the process at once, as the first
/// used to: nothing acknowledged is lost, since every append is atomic and durable.
/// A second SIGTERM or SIGHUP does not: a terminal that closes sends SIGHUP twice
/// within milliseconds (bash to its jobs, then the kernel to the foreground group),
/// and systemd sends SIGHUP right after SIGTERM, so the second would cut short the
/// stop the first began. `backup` and `restore` watch too, through [`Interruptible`].
///
/// The handlers are installed before this returns and set the flag themselves, in the
/// handler: a watcher thread of tokio's installed them only once it first ran, so a
/// signal just after the start still ended the process as `kill -9` would, and it set
/// the flag only once it was scheduled, after `restore` could have read on to the end.
/// Where a handler cannot be installed, that signal ends the process as it always did.
///
/// A SIGHUP the process was started ignoring (`nohup`) stays ignored: a handler would
/// replace the ignoring, and a `nohup flexledger restore …` would stop when its
/// session closed, which is what `nohup` is for (a reviewer found it). Without one, a
/// terminal or SSH session that closes ended a `restore` or `backup` as `kill -9` would,
/// leaving its staging directory or `.partial` file behind (an operator's probe,
/// 2026-12-05).
pub(crate) fn watch_for_interrupt() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use signal_hook::consts::signal::SIGINT;
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in watched_signals() {
        if let Err(error) = watch_signal(signal, signal == SIGINT, &interrupted) {
            tracing::warn!(signal, %error, "cannot watch the signal: it ends the process at once");
        }
    }
    interrupted
}

/// The signals that stop a command in good order: Ctrl-C, SIGTERM, and SIGHUP unless
/// the process was started ignoring it (`nohup`).
fn watched_signals() -> Vec<i32> {
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = vec![SIGINT, SIGTERM];
    if !hangup_ignored() {
        signals.push(SIGHUP);
    }
    signals
}

/// Says `notice` on standard error, in `language`, as soon as the first of the
/// [`watched_signals`] comes: a `submit` stopping in good order answers every line it
/// read first, which for a month close of a region can take many seconds, and a probe
/// saw 13 s of silence after Ctrl-C, then pressed it again, which ends the process with
/// no word (`watch_signal`). A thread of its own, woken through a socket the handler
/// writes to (`signal_hook::low_level::pipe`); where either cannot be made, nothing is
/// said early and the stop is as before. The handlers and their sockets stay for the
/// life of the process, which runs one command.
pub(crate) fn say_on_first_signal(
    language: Language,
    notice: &'static str,
    progress: indicatif::ProgressBar,
) -> Notice {
    let Ok((mut woken, waker)) = std::os::unix::net::UnixStream::pair() else {
        return Notice(None);
    };
    for signal in watched_signals() {
        let registered = waker
            .try_clone()
            .and_then(|waker| signal_hook::low_level::pipe::register(signal, waker));
        if let Err(error) = registered {
            tracing::warn!(signal, %error, "cannot say when the signal comes");
        }
    }
    let spawned = std::thread::Builder::new()
        .name("signal-notice".into())
        .spawn(move || {
            let mut byte = [0_u8; 1];
            loop {
                match io::Read::read(&mut woken, &mut byte) {
                    Ok(1..) => break,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    // The other end closed, or the socket failed: no signal to say.
                    Ok(0) | Err(_) => return,
                }
            }
            // Not glued to the progress bar's line, which is redrawn after it.
            progress.suspend(|| say_line(language, notice, vec![]));
        });
    Notice(
        spawned
            .inspect_err(|error| tracing::warn!(%error, "cannot say when a signal comes"))
            .ok(),
    )
}

/// The thread of [`say_on_first_signal`], if it runs.
pub(crate) struct Notice(Option<std::thread::JoinHandle<()>>);

/// How long a stop waits for its notice to be said before its last words, at most.
const SIGNAL_NOTICE_WAIT_MILLIS_MAX: u64 = 1_000;

impl Notice {
    /// Waits, a bounded time, for the notice of a signal that came to be said, so that
    /// it comes before the stop's last words, not after them or never (the process
    /// ends when `main` returns).
    pub(crate) fn wait_said(&self) {
        let Some(thread) = &self.0 else {
            return;
        };
        let started = std::time::Instant::now();
        let wait = std::time::Duration::from_millis(SIGNAL_NOTICE_WAIT_MILLIS_MAX);
        while !thread.is_finished() && started.elapsed() < wait {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Sets `interrupted` when `signal` comes and, with `second_exits`, ends the process
/// (`INTERRUPTED_EXIT`) when it comes again. Installs nothing when it fails: a signal
/// caught by half of it would do nothing at all.
fn watch_signal(
    signal: i32,
    second_exits: bool,
    interrupted: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> io::Result<()> {
    // The exit first: it ends the process only once the flag is already set, so the
    // first signal sets the flag and the second one exits (signal-hook's order).
    let exit = i32::from(INTERRUPTED_EXIT);
    let exit_id = match second_exits {
        true => Some(signal_hook::flag::register_conditional_shutdown(
            signal,
            exit,
            interrupted.clone(),
        )?),
        false => None,
    };
    if let Err(error) = signal_hook::flag::register(signal, interrupted.clone()) {
        if let Some(id) = exit_id {
            signal_hook::low_level::unregister(id);
        }
        return Err(error);
    }
    Ok(())
}

/// Whether this process ignores SIGHUP, from the kernel's account of it (`SigIgn` in
/// `/proc/self/status`, a mask where signal N is bit N-1): no `unsafe` call to ask
/// `sigaction`. Where that file is not (not Linux), it is taken as not ignored.
fn hangup_ignored() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & 1 != 0)
}

/// A progress bar on standard error (drawn only when it is a terminal): bytes of the
/// input file when its size is known, else a spinner.
fn submit_progress(input_bytes: Option<u64>) -> indicatif::ProgressBar {
    let progress = match input_bytes {
        Some(length) => indicatif::ProgressBar::new(length).with_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} submit [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        None => indicatif::ProgressBar::new_spinner(),
    };
    // Not over the results: with standard output on the same terminal, a bar drawn
    // between them was left frozen above them (a probe's first command of the tour).
    let target = match io::IsTerminal::is_terminal(&io::stdout()) {
        true => indicatif::ProgressDrawTarget::hidden(),
        false => indicatif::ProgressDrawTarget::stderr_with_hz(4),
    };
    progress.set_draw_target(target);
    progress
}

/// A member id on the command line: any form the `uuid` crate reads (a read names no new
/// fact, D95), refused with the crate's reason and what a UUID looks like (clap's
/// English said only "invalid character: found `x` at 0", never "UUID").
pub fn parse_uuid(text: &str) -> Result<Uuid, crate::i18n::Sentence> {
    Uuid::parse_str(text).map_err(|error| {
        crate::i18n::Sentence::new(
            "value-not-a-uuid",
            vec![("why", format!("UUID parsing failed: {error}"))],
        )
        .with_detail("why")
    })
}

fn parse_line(line_number: u64, line: Line) -> Result<crate::domain::CommandEnvelope, Refusal> {
    // The line goes before the message; the message's data stays (`text`), so the
    // summary on standard error says it in the reader's language.
    let with_line = |refusal: Refusal| Refusal {
        message: format!("{}{}", line_prefix(line_number), refusal.message),
        ..refusal
    };
    match line {
        Line::TooLong => Err(with_line(crate::domain::command::line_too_long(
            SUBMIT_LINE_BYTES_MAX,
        ))),
        Line::Text(bytes) => crate::domain::parse_command_line(&bytes).map_err(with_line),
    }
}

fn print_json_line(
    stdout: &mut (impl Write + ?Sized),
    value: &impl serde::Serialize,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *stdout, value)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

fn member(
    place: &Place,
    member_id: Uuid,
    as_of: Option<u64>,
    language: Tongue,
) -> anyhow::Result<ExitCode> {
    let (store, beyond) = open_for_answers(place, as_of)?;
    say_if_marked(place, "flexledger", language.0);
    let mut stdout = io::stdout().lock();
    if let Some((position, head)) = beyond {
        return refuse(
            &mut stdout,
            "not_found",
            (
                language,
                "audit-as-of-beyond-head",
                &[("position", text(position)), ("head", text(head))],
            ),
        );
    }
    match member_coverage(&store, member_id, as_of)? {
        Some(coverage) => {
            serde_json::to_writer_pretty(
                &mut stdout,
                &crate::codec::wire::MemberCoverage::from(&coverage),
            )?;
            stdout.write_all(b"\n")?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let (id, args) = no_coverage_message(&store, member_id, as_of)?;
            refuse(
                &mut stdout,
                ErrorCode::NeverEnrolled.as_str(),
                (language, id, &args),
            )
        }
    }
}

/// Why `member` printed no coverage: no such member, or (with `--as-of` before the
/// member's first event) a member whose history starts later, named by its first
/// event so the reader knows the id is right and where to ask from. A catalog message
/// and its arguments (the `--as-of` one is the audit tools' sentence).
fn no_coverage_message(
    store: &(impl crate::store::ReadStore + ?Sized),
    member_id: Uuid,
    as_of: Option<u64>,
) -> anyhow::Result<(&'static str, Vec<(&'static str, Arg)>)> {
    let first = match as_of {
        Some(_) => crate::ledger::first_member_event(store, member_id)?,
        None => None,
    };
    Ok(match (as_of, first) {
        (Some(position), Some(first)) => (
            "audit-member-not-yet-position",
            vec![
                ("member", text(member_id)),
                ("position", text(position)),
                ("first", text(first.position)),
                (
                    "recorded",
                    crate::i18n::instant(first.recorded_at, crate::i18n::InstantForm::Exact),
                ),
            ],
        ),
        _ => (
            "cli-member-has-no-events",
            vec![("member", text(member_id))],
        ),
    })
}

/// The languages of a read's answers: that of the lines on standard error (the
/// flag's, else the environment's), and that of a refusal's `message` in the JSON,
/// the one `--lang` named when it is given, else `None`, the contract's English (D37:
/// a script's bytes do not change with the machine's `LANG`).
type Tongue = (Language, Option<Language>);

/// [`Tongue`] of a command line whose `--lang` is `flag`, in `language`.
fn tongue(flag: &Option<String>, language: Language) -> Tongue {
    (language, flag.is_some().then_some(language))
}

/// Exit 1 for a read the ledger cannot answer (an unknown member or region, a bad
/// name): `{"ok":false,"error":{code,message}}` on standard output, as every result
/// is, with the message in English unless `--lang` asked for another (D37, as
/// `submit`'s refusals; a Chinese agency saw English beside Chinese), and the
/// message on standard error, where a person sees it, in the language chosen.
fn refuse(
    stdout: &mut impl Write,
    code: &str,
    ((language, messages_in), id, args): (Tongue, &str, &[(&str, Arg)]),
) -> anyhow::Result<ExitCode> {
    let said = say(language, id, args);
    crate::shell_support::say_on_stderr!("{}", program_said("flexledger", &said, language));
    let message = say(messages_in.unwrap_or(Language::En), id, args);
    let body = serde_json::json!({"ok": false, "error": {"code": code, "message": message}});
    print_json_line(stdout, &body)?;
    Ok(ExitCode::from(1))
}

fn region(place: &Place, name: &str, month: &str, language: Tongue) -> anyhow::Result<ExitCode> {
    use crate::domain::{month::Month, policy::RegionName};
    let mut stdout = io::stdout().lock();
    let Some(region_name) = RegionName::parse(name) else {
        let args = [("text", text(format!("{name:?}")))];
        let words = (language, "cli-not-a-region-name", &args[..]);
        return refuse(&mut stdout, ErrorCode::InvalidCommand.as_str(), words);
    };
    let Some(month) = Month::parse(month) else {
        let args = [("text", text(format!("{month:?}")))];
        let words = (language, "cli-not-a-month", &args[..]);
        return refuse(&mut stdout, ErrorCode::InvalidCommand.as_str(), words);
    };
    let (store, _) = open_for_answers(place, None)?;
    say_if_marked(place, "flexledger", language.0);
    match crate::ledger::region_month_report(&store, &region_name, month) {
        Ok(report) => {
            let report = crate::codec::wire::RegionMonthReport::from(&report);
            serde_json::to_writer_pretty(&mut stdout, &report)?;
            stdout.write_all(b"\n")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(crate::ledger::ReportError::Store(error)) => Err(error.into()),
        Err(error) => {
            // OK because only a store failure, answered above, has no words.
            let (id, args) = error
                .words()
                .expect("a report error that is not a store failure has words");
            refuse(&mut stdout, error.code(), (language, id, &args))
        }
    }
}

fn events(
    place: &Place,
    (from, member): (u64, Option<Uuid>),
    language: Tongue,
) -> anyhow::Result<ExitCode> {
    let witness = PgWitness::read(place)?;
    let store = open_log_reader(&place.store, Reading::Live)?;
    witness.check(&store)?;
    say_if_marked(place, "flexledger", language.0);
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let envelopes: Box<dyn Iterator<Item = Result<Envelope, StoreError>>> = match member {
        Some(member_id) => store.read_stream(&crate::domain::StreamId::Member(member_id)),
        None => store.read_log(from),
    };
    // The position of the last event read (0: none), and whether any was printed
    // (from `from` on).
    let (mut last, mut printed) = (0, false);
    for envelope in envelopes {
        let envelope = envelope?;
        last = envelope.position;
        if envelope.position < from {
            continue;
        }
        printed = true;
        print_json_line(&mut stdout, &envelope)?;
    }
    if let (Some(member_id), 0) = (member, last) {
        // An unknown member is exit 1 everywhere (as `member`), not an empty success.
        let args = [("member", text(member_id))];
        let words = (language, "cli-member-has-no-events", &args[..]);
        let code = refuse(&mut stdout, ErrorCode::NeverEnrolled.as_str(), words)?;
        stdout.flush()?;
        return Ok(code);
    }
    stdout.flush()?;
    let head = store.head()?.0;
    if member.is_none() && from > head.saturating_add(1) {
        // Nothing, and exit 0 (a poller asks again from the same position), but said to
        // a person: a probe's `events --from 999` ended silently, where `member --as-of
        // 999` says where the log ends.
        let args = vec![("from", from.to_string()), ("head", head.to_string())];
        say_line(language.0, "cli-events-beyond-head", args);
    }
    // Not at the poll position right after its last event, as for the log.
    if let (Some(member_id), false, true) = (member, printed, from > last.saturating_add(1)) {
        // As for the log: a newcomer's probe read nothing, silently, for a member.
        let args = vec![
            ("member", member_id.to_string()),
            ("from", from.to_string()),
            ("last", last.to_string()),
        ];
        say_line(language.0, "cli-events-member-beyond-last", args);
    }
    Ok(ExitCode::SUCCESS)
}

/// What `verify` prints when it finds damage: the first broken link.
#[derive(serde::Serialize)]
struct VerifyFailure<'a> {
    ok: bool,
    /// What kind of finding it is, for a program ([`damage_finding`]).
    finding: &'static str,
    position: u64,
    message: &'a str,
    /// The stream and version the stream index holds `position` as
    /// (`ledger::stream_indexed_at`), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
}

/// The damage that kept a store from opening, as `verify`'s finding: its position (0:
/// in no event, an engine file) and its English. A head witness or head row the log
/// does not reach is found on opening, before any walk, and a program reading
/// `verify`'s standard output saw nothing there for it (the words went to standard
/// error only).
pub(crate) fn damage_found_on_opening(error: &anyhow::Error) -> Option<(u64, String)> {
    error
        .chain()
        .find_map(|cause| match crate::error::store_error_in(cause)? {
            StoreError::Corrupt { position, message } => Some((*position, message.to_string())),
            StoreError::EngineFileDamaged { message } => Some((0, message.to_string())),
            _ => None,
        })
}

/// `verify`'s JSON line for damage found on opening, on `out` (both binaries'); the
/// error itself is then said on standard error, with the advice, as for every command.
pub(crate) fn print_damage_found_on_opening(out: &mut dyn Write, error: &anyhow::Error) {
    let Some((position, message)) = damage_found_on_opening(error) else {
        return;
    };
    let failure = VerifyFailure {
        ok: false,
        finding: damage_finding(error.as_ref()),
        position,
        message: &message,
        stream: None,
        version: None,
    };
    // A closed output is not worth more than the error being reported.
    let _ = print_json_line(out, &failure);
}

/// [`print_damage_found_on_opening`] on standard output.
fn print_damage_found_on_opening_to_stdout(error: &anyhow::Error) {
    print_damage_found_on_opening(&mut io::stdout().lock(), error);
}

/// `migrate`: the PostgreSQL store's schema brought to this build's version.
fn migrate(location: &Location, language: Language) -> anyhow::Result<ExitCode> {
    let report = match location {
        Location::Postgres(url) => {
            let version = crate::store::postgres::migrate(url)?;
            serde_json::json!({"ok": true, "store": location.to_string(), "schema_version": version})
        }
        Location::Sled(_) => {
            // Said to a person in their language too (the JSON keeps the contract's
            // English): a Chinese agency's `migrate` said nothing in Chinese.
            say_line(language, "cli-migrate-sled", vec![]);
            serde_json::json!({
                "ok": true,
                "store": location.to_string(),
                "message": "the sled store needs no migration: it upgrades its rows when it opens",
            })
        }
    };
    print_json_line(&mut io::stdout().lock(), &report)?;
    Ok(ExitCode::SUCCESS)
}

/// Whether two locations name one store: two data directories are the same one when
/// their paths resolve to the same directory (`demo` and `./demo/`, or a symbolic
/// link to it), which would otherwise be reported as a store held by another process.
fn same_store(from: &Location, to: &Location) -> bool {
    match (from, to) {
        (Location::Sled(from), Location::Sled(to)) => {
            match (from.canonicalize(), to.canonicalize()) {
                (Ok(from), Ok(to)) => from == to,
                _ => from == to,
            }
        }
        _ => from == to,
    }
}

/// Whether a copy runs between two PostgreSQL URLs. Two spelled differently can name
/// one database, which `same_store` cannot see: the destination's writer lock is then
/// held by this copy's own source, and "in use by another flexledger writer" alone
/// sent a probe looking for a process that was not there.
fn both_postgres(from: &Location, to: &Location) -> bool {
    matches!((from, to), (Location::Postgres(_), Location::Postgres(_)))
}

/// A copy's destination directory that holds files but no store, nor a copy's
/// unfinished one, and files that are not the ledger's own: someone else's directory,
/// which a copy would fill with a ledger beside their files. `None` for any other
/// destination.
fn foreign_destination(to: &Location) -> Option<anyhow::Error> {
    let Location::Sled(dir) = to else {
        return None;
    };
    let engine = ["sled", crate::store::sled_store::SLED_CREATING_DIR];
    if engine.iter().any(|name| dir.join(name).exists()) {
        return None;
    }
    // A directory that cannot be listed (or is not there) is the open's to report; the
    // ledger's own files (the signing key its help says to copy there) are welcome.
    let mut entries = std::fs::read_dir(dir).ok()?;
    let foreign = entries.any(|entry| {
        entry.as_ref().map_or(true, |entry| {
            !is_ledger_s_own(&entry.file_name().to_string_lossy())
        })
    });
    if !foreign {
        return None;
    }
    let args = vec![("path", dir.display().to_string())];
    Some(crate::i18n::Sentence::new("cli-copy-destination-not-empty", args).into())
}

/// A copy's source directory that holds no ledger, said as `--from`'s mistake: a path
/// where nothing is, or a directory (or file) with no store in it. (`open_store`'s own
/// words advised --data-dir, which copy does not read.) `None` for any other source.
fn missing_source(from: &Location) -> Option<anyhow::Error> {
    let Location::Sled(dir) = from else {
        return None;
    };
    if from.has_ledger() {
        return None;
    }
    let id = if dir.exists() {
        "cli-copy-source-holds-no-ledger"
    } else {
        "cli-copy-no-source"
    };
    let args = vec![("store", dir.display().to_string())];
    Some(crate::i18n::Sentence::new(id, args).into())
}

/// `copy`: the source opened as every command opens it (a close left half recorded is
/// finished first; a PostgreSQL source first checked against its writer's head
/// witness when `--from-data-dir` names where it is, D86), the destination as a bare
/// store (its state rows are rebuilt at the end, `ledger::copy_ledger`), the one open
/// that accepts an unfinished copy.
fn copy(
    from: &Location,
    to: &Location,
    from_data_dir: Option<&Path>,
    language: Language,
) -> anyhow::Result<ExitCode> {
    if same_store(from, to) {
        let args = vec![("store", from.to_string())];
        return Err(crate::i18n::Sentence::new("cli-copy-same-store", args).into());
    }
    if let Some(error) = missing_source(from).or_else(|| foreign_destination(to)) {
        return Err(error);
    }
    let witness = witness_place(from, from_data_dir, language)?;
    let source = open_store_checked(from, |store| check_source_witness(witness.as_ref(), store))?;
    let options = copy_options(from);
    let source_head = source.head()?.0;
    let mut destination = match to.open_to_copy_into(&options.unfinished(0, source_head)) {
        Err(StoreError::WriterLocked { .. }) if both_postgres(from, to) => {
            let args = vec![("store", to.to_string())];
            return Err(crate::i18n::Sentence::new("cli-copy-destination-in-use", args).into());
        }
        opened => opened.say_context("cli-copy-cannot-open-destination", || {
            vec![("store", to.to_string())]
        })?,
    };
    // Tests stop a copy part-way as a crash would (`FLEXLEDGER_COPY_EXIT_AFTER`: the
    // process exits once an append reaching that position is durable; 0: once the
    // destination is marked, before its first append).
    let exit_after: Option<u64> = env_number("FLEXLEDGER_COPY_EXIT_AFTER");
    let progress = walk_progress("copy", source_head);
    let copied = crate::ledger::copy_ledger(&source, &mut destination, &options, &mut |position| {
        if exit_after.is_some_and(|after| position >= after) {
            std::process::exit(137);
        }
        if position % 4096 == 0 {
            progress.set_position(position);
        }
    });
    progress.finish_and_clear();
    let report = copied.say_context("cli-copy-copying", || {
        vec![("from", from.to_string()), ("to", to.to_string())]
    })?;
    print_json_line(&mut io::stdout().lock(), &report)?;
    Ok(ExitCode::SUCCESS)
}

/// Where the head witness `copy` checks its PostgreSQL source against is kept (D86):
/// the writer's data directory named by `--from-data-dir`, which must exist. Without
/// it, the copy says the source is not checked (only the writer's directory knows how
/// far its log went); a sled source keeps its own witness, checked by its open.
fn witness_place(
    from: &Location,
    from_data_dir: Option<&Path>,
    language: Language,
) -> anyhow::Result<Option<Place>> {
    let dir_args = |dir: &Path| vec![("dir", dir.display().to_string())];
    match (from, from_data_dir) {
        (Location::Sled(_), Some(dir)) => {
            let said =
                crate::i18n::Sentence::new("cli-copy-from-data-dir-not-postgres", dir_args(dir));
            Err(said.into())
        }
        (Location::Sled(_), None) => Ok(None),
        (Location::Postgres(_), None) => {
            say_line(language, "cli-copy-source-unwitnessed", vec![]);
            Ok(None)
        }
        (Location::Postgres(_), Some(dir)) if !dir.is_dir() => {
            let said = crate::i18n::Sentence::new("cli-copy-from-data-dir-missing", dir_args(dir));
            Err(said.into())
        }
        (Location::Postgres(_), Some(dir)) => Ok(Some(Place {
            store: from.clone(),
            data_dir: dir.to_path_buf(),
        })),
    }
}

/// Checks the open `source` against the head witness kept in `place` (D86), read now
/// that the source is open and so holds its writer's lock (nothing is appended between
/// the read and the check), before a close left half recorded is finished or anything
/// is read. A directory named on purpose that holds no witness is refused: the check
/// asked for could not be made.
fn check_source_witness(place: Option<&Place>, source: &AnyStore) -> anyhow::Result<()> {
    let Some(place) = place else {
        return Ok(());
    };
    let witness = PgWitness::read(place)?;
    if witness.witness.is_none() {
        let args = vec![("dir", place.data_dir.display().to_string())];
        return Err(crate::i18n::Sentence::new("cli-copy-source-no-witness", args).into());
    }
    Ok(witness.check(&source.reader())?)
}

/// How `copy` runs: the source named as the destination's unfinished mark keeps it (a
/// data directory by its absolute path, so the advice to run the copy again holds
/// from any directory; a URL redacted), and the append size (tests make it small,
/// `FLEXLEDGER_COPY_BATCH_EVENTS`, to stop a copy part-way).
fn copy_options(from: &Location) -> crate::ledger::CopyOptions {
    let named = match from {
        Location::Sled(dir) => std::fs::canonicalize(dir)
            .map(|dir| dir.display().to_string())
            .unwrap_or_else(|_| from.to_string()),
        Location::Postgres(_) => from.to_string(),
    };
    let mut options = crate::ledger::CopyOptions::new(named);
    if let Some(events) = env_number("FLEXLEDGER_COPY_BATCH_EVENTS").filter(|&events| events > 0) {
        options.batch_events_max = events;
    }
    options
}

/// A number from the environment variable `name`, if it holds one (the hooks tests
/// set).
fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|text| text.parse().ok())
}

fn verify(place: &Place, language: Language) -> anyhow::Result<ExitCode> {
    let witness = PgWitness::read(place)?;
    witness.say_if_missing(place, language);
    let store = open_log_reader(&place.store, Reading::Snapshot)
        .inspect_err(print_damage_found_on_opening_to_stdout)?;
    let progress = walk_progress("verify", store.head()?.0);
    // The witness first: a database behind it lost events, which is what to say, not
    // the state rows that then differ from the shorter log (a probe was pointed at
    // `rebuild`, which then refused with the witness's words).
    let outcome = witness.check(&store).and_then(|()| {
        crate::ledger::verify(&store, &mut |position| {
            if position % 4096 == 0 {
                progress.set_position(position);
            }
        })
    });
    progress.finish_and_clear();
    // A walk that did not compare the rows does not clear a mark a row left (D89).
    let compared = outcome.as_ref().map_or(true, |report| {
        rows_compared(report, ("flexledger", language))
    });
    if !compared {
        say_mark_kept_uncompared(&mark_place_of(place), "flexledger", language);
    }
    let mark = note_walk(place, "flexledger verify", &outcome, (compared, language));
    let code = print_verified_walk(place, &store, (outcome, mark), language)?;
    // Not "clean" either when a check was left out: a job run on a schedule must see it.
    Ok(if compared { code } else { ExitCode::from(2) })
}

/// Whether `report`'s walk compared the state rows with the fold; says on standard
/// error, in `language`, why not if not (D89: another build's format).
pub(crate) fn rows_compared(
    report: &crate::ledger::VerifyReport,
    (program, language): (&str, Language),
) -> bool {
    let Some(format) = report.state_rows_format else {
        return true;
    };
    let current = crate::ledger::STATE_FORMAT_VERSION;
    let args = vec![
        ("format", format.to_string()),
        ("current", current.to_string()),
    ];
    let said = crate::i18n::Sentence::new("cli-verify-rows-another-format", args);
    let line = program_said(program, &said.in_language(language), language);
    crate::shell_support::say_on_stderr!("{line}");
    false
}

/// A PostgreSQL ledger's head witness in the data directory (D86), read before
/// `verify` takes its snapshot, and checked against the log after the walk: a database
/// restored from an older copy passes every check inside it.
pub(crate) struct PgWitness {
    path: PathBuf,
    witness: Option<crate::store::HeadWitness>,
}

impl PgWitness {
    pub(crate) fn read(place: &Place) -> anyhow::Result<PgWitness> {
        let path = place
            .data_dir
            .join(crate::store::postgres::PG_HEAD_WITNESS_FILE);
        let witness = match place.store {
            Location::Postgres(_) => {
                crate::store::postgres::read_head_witness_at(&path)?.map(|(witness, _)| witness)
            }
            Location::Sled(_) => None,
        };
        Ok(PgWitness { path, witness })
    }

    /// Not on a standby, which may be behind its primary and so behind the witness
    /// without having lost anything (a reviewer): there it is said, not checked.
    /// The reads given the writer's directory check it too, with the witness read
    /// before `store` was opened, so the database holds whatever it records (a read of
    /// a database rolled back behind it said an acknowledged enrollment had "never
    /// enrolled", and advised enrolling it again: an operator's probe).
    pub(crate) fn check(
        &self,
        store: &crate::store::AnyReader,
    ) -> Result<(), crate::ledger::LedgerError> {
        if let (crate::store::AnyReader::Postgres(reader), Some(witness)) = (store, self.witness) {
            if reader.in_recovery()? {
                tracing::warn!(
                    witness = %self.path.display(),
                    position = witness.position,
                    "the database is a standby: the writer's head witness is not checked against it (a standby may be behind its primary); check the primary, or this one once promoted"
                );
                return Ok(());
            }
        }
        crate::store::postgres::check_witnessed(store, &self.path, self.witness)
            .map_err(crate::ledger::LedgerError::from)
    }

    /// Says on standard error that a PostgreSQL store's data directory held no witness
    /// to check: a `verify` passed without a word where the directory was empty or
    /// misspelt (an operator's probe).
    pub(crate) fn say_if_missing(&self, place: &Place, language: Language) {
        if matches!(place.store, Location::Postgres(_)) && self.witness.is_none() {
            let args = vec![("dir", place.data_dir.display().to_string())];
            let said = crate::i18n::Sentence::new("cli-verify-no-witness", args);
            crate::shell_support::say_on_stderr!("{}", said.in_language(language));
        }
    }
}

/// Refuses, as damage, a PostgreSQL store behind the head witness of the data directory
/// a command that signs or writes from it opens it with (D86): `flexledger backup`,
/// `rebuild`, `flexledger-audit checkpoint` and `export` hold the writer's lock, so no
/// append runs between the read of the witness and the check.
pub(crate) fn check_head_witness(place: &Place, store: &AnyStore) -> anyhow::Result<()> {
    if let AnyStore::Postgres(_) = store {
        PgWitness::read(place)?.check(&store.reader())?;
    }
    Ok(())
}

/// `verify --accept-head`: the sled store opened without its head witness checked,
/// walked whole, and, if it is intact, given a new witness at its head (D49).
fn verify_and_accept_head(place: &Place, language: Language) -> anyhow::Result<ExitCode> {
    let Location::Sled(dir) = &place.store else {
        let said = crate::i18n::Sentence::new("cli-accept-head-not-sled", vec![]);
        return Err(said.into());
    };
    let store = crate::store::SledStore::open_unwitnessed(dir)
        .say_context("cli-cannot-open-ledger", || {
            vec![("store", dir.display().to_string())]
        })
        .inspect_err(print_damage_found_on_opening_to_stdout)?;
    // Before the walk, which takes minutes on a large store.
    store.refuse_accepting_a_loss()?;
    let progress = walk_progress("verify", store.head()?.0);
    let outcome = crate::ledger::verify(&store, &mut |position| {
        if position % 4096 == 0 {
            progress.set_position(position);
        }
    });
    progress.finish_and_clear();
    if outcome.is_ok() {
        let (head, kept) = store.accept_head()?;
        // In the logs at info: the line below says it to the operator, in their language
        // (a probe saw it twice, once in English, under --lang zh-CN).
        tracing::info!(
            position = head.position,
            "the log checked out; a new head witness records its head, accepted as it is"
        );
        let args = vec![("position", head.position.to_string())];
        say_line(language, "cli-accept-head-accepted", args);
        if let Some(kept) = kept {
            let args = vec![("path", kept.display().to_string())];
            say_line(language, "cli-accept-head-kept", args);
        }
    }
    let found_by = "flexledger verify --accept-head";
    let mark = note_walk(place, found_by, &outcome, (true, language));
    print_verified_walk(place, &store, (outcome, mark), language)
}

/// What a `verify` (with `--accept-head` or not) prints once its walk is done: the
/// walk's report or the damage it found; or, for an intact walk that leaves the audit
/// tool's mark, the store as damaged (`ok:false`, exit 1: damaged as far as anyone
/// knows, since the check that found it is one this command does not make; an
/// auditor's probe read `"ok":true` beside exit 2 on a log found rewritten, and before
/// that exit 0 as a healthy store that still took no writes); for a mark that could
/// not be removed, the report and exit 2 (its reason said on standard error).
fn print_verified_walk<T: serde::Serialize>(
    place: &Place,
    store: &(impl crate::store::ReadStore + ?Sized),
    (outcome, mark): (Result<T, crate::ledger::LedgerError>, MarkLeft),
    language: Language,
) -> anyhow::Result<ExitCode> {
    match (&outcome, mark) {
        (Ok(_), MarkLeft::ForAnotherVerify) => {
            let (position, message) = still_marked(&mark_place_of(place), Language::En);
            let failure = VerifyFailure {
                ok: false,
                finding: "damaged",
                position,
                message: &message,
                stream: None,
                version: None,
            };
            print_json_line(&mut io::stdout().lock(), &failure)?;
            Ok(ExitCode::from(1))
        }
        (_, MarkLeft::NotRemoved) => {
            print_walk_outcome(store, outcome, language)?;
            Ok(ExitCode::from(2))
        }
        _ => print_walk_outcome(store, outcome, language),
    }
}

/// What became of a store's damage mark after a walk that found it intact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MarkLeft {
    /// None is left: there was none, or it was removed (or the walk does not clear).
    None,
    /// It stays for a verify that makes a check this one does not (the audit tool's).
    ForAnotherVerify,
    /// Removing it failed (said on standard error): the walk could not finish its job.
    NotRemoved,
}

fn rebuild(place: &Place, language: Language) -> anyhow::Result<ExitCode> {
    // The witness before a close left half recorded is finished (an append).
    let mut store = open_store_checked(&place.store, |store| check_head_witness(place, store))?;
    let progress = walk_progress("rebuild", store.head()?.0);
    let outcome = crate::ledger::rebuild_state(&mut store, &mut |position| {
        if position % 4096 == 0 {
            progress.set_position(position);
        }
    });
    progress.finish_and_clear();
    // A rebuild reads the log, not every row and index: it finds damage, but only a
    // `verify` clears the mark.
    note_walk(place, "flexledger rebuild", &outcome, (false, language));
    let rebuilt = outcome.is_ok();
    let exit = print_walk_outcome(&store, outcome, language)?;
    if rebuilt {
        // Its `ok` says the rows were rebuilt, not that the store is whole: a fault probe
        // saw rebuild say ok on a store `verify` still failed.
        say_line(language, "cli-rebuild-checked", vec![]);
        if let Some(mark) = marked_path(place) {
            let args = vec![("mark", mark.display().to_string())];
            say_line(language, "cli-rebuild-still-marked", args);
        }
    }
    Ok(exit)
}

/// What a walk of the whole store means for its damage mark (D61): damage found marks
/// it; a walk that `clears` (a `verify`, which checks everything) and finds the store
/// intact removes the mark, and says so; what is left of it is returned.
fn note_walk<T>(
    place: &Place,
    found_by: &str,
    outcome: &Result<T, crate::ledger::LedgerError>,
    (clears, language): (bool, Language),
) -> MarkLeft {
    let marked = mark_place_of(place);
    match outcome {
        Ok(_) if clears => return clear_verified_mark(&marked, "flexledger", language),
        Ok(_) => {}
        Err(error) => {
            if let Some((position, message)) = error.corruption() {
                let finding = error.damage().and_then(|damage| damage.sentence());
                let said = (message.into_owned(), finding);
                mark_damage(&marked, found_by, Some(position), said);
            }
        }
    }
    MarkLeft::None
}

/// Where the stream index puts a damaged `position`: which member's (or region's)
/// stream, and which of its events, in `language`.
pub(crate) fn indexed_as(
    position: u64,
    indexed: Option<&(String, u64)>,
    language: Language,
) -> Option<String> {
    let (stream, version) = indexed?;
    let said = crate::store::findings::indexed_as(position, stream, *version);
    Some(said.in_language(language))
}

/// After a walk that did not compare the state rows (D89): says that a damage mark, if
/// the store has one, stays, and how to have it cleared (a probe met a mark left
/// silently, and the way out only by trying: `rebuild`, then the `verify` that clears
/// that mark, `flexledger-audit verify` for one the audit tool left).
pub(crate) fn say_mark_kept_uncompared(marked: &MarkPlace, program: &str, language: Language) {
    let path = marked.path();
    let Ok(Some(found)) = crate::store::damage_mark::read_at(&path) else {
        return;
    };
    let args = [
        ("mark", text(path.display())),
        ("verify", text(found.cleared_by())),
    ];
    let line = say(language, "cli-damage-mark-kept-uncompared", &args);
    crate::shell_support::say_on_stderr!("{}", program_said(program, &line, language));
}

/// What a verify that found the log intact says of the mark that stays on it (the
/// check that left it is one this verify does not make): the mark's position (0 when
/// it names none) and a sentence in `language` naming the mark, what it found, and the
/// verify that removes it.
pub(crate) fn still_marked(marked: &MarkPlace, language: Language) -> (u64, String) {
    let path = marked.path();
    let found = crate::store::damage_mark::read_at(&path).ok().flatten();
    let (position, finding, found_by, found_at, verify) = match &found {
        Some(found) => (
            found.position.unwrap_or(0),
            found
                .finding()
                .map_or_else(|| found.said(), |finding| finding.in_language(language)),
            found.found_by.clone(),
            found.found_at.clone(),
            found.cleared_by(),
        ),
        // Gone since it was read a moment ago: said as such, not as empty words.
        None => (
            0,
            "the mark is no longer there".to_owned(),
            "a verify".to_owned(),
            "an unknown time".to_owned(),
            "flexledger verify",
        ),
    };
    let args = [
        ("mark", text(path.display())),
        ("finding", text(finding)),
        ("found_by", text(found_by)),
        ("found_at", text(found_at)),
        ("verify", text(verify)),
    ];
    (position, say(language, "cli-verify-still-marked", &args))
}

/// Removes the mark of a store that `program`'s `verify` walked and found intact, and
/// says so: any mark for `flexledger-audit`, whose verify checks all `flexledger
/// verify` does and the signed checkpoints too; for `flexledger`, any but one the audit
/// tool left, which may be about a checkpoint (an auditor's probe forged a stored
/// checkpoint, and `flexledger verify`, which reads no signature, removed the mark).
/// Only `marked`'s own mark: not one of another store kept in the same directory.
pub(crate) fn clear_verified_mark(
    marked: &MarkPlace,
    program: &str,
    language: Language,
) -> MarkLeft {
    let path = marked.path();
    let mark = path.display().to_string();
    let said = |line: String| program_said(program, &line, language);
    if program == "flexledger" {
        let found = crate::store::damage_mark::read_at(&path).ok().flatten();
        if let Some(found) = found.filter(|found| found.cleared_by() != "flexledger verify") {
            let args = [
                ("mark", text(&mark)),
                ("found_by", text(&found.found_by)),
                ("verify", text(found.cleared_by())),
            ];
            let line = say(language, "cli-damage-mark-kept-for-audit", &args);
            crate::shell_support::say_on_stderr!("{}", said(line));
            return MarkLeft::ForAnotherVerify;
        }
    }
    match crate::store::damage_mark::clear_at(&marked.dir, &path) {
        Ok(true) => {
            tracing::info!(%mark, "the store verifies: its damage mark was removed");
            let line = say(
                language,
                "cli-damage-mark-cleared",
                &[("mark", text(&mark))],
            );
            crate::shell_support::say_on_stderr!("{}", said(line));
            MarkLeft::None
        }
        Ok(false) => MarkLeft::None,
        Err(error) => {
            tracing::warn!(%error, "cannot remove the damage mark");
            // Said, not only logged: the report says the store verifies, and exit 2
            // said nothing of why (a fault probe's mark was a directory).
            let args = [("mark", text(&mark)), ("why", text(error))];
            let line = say(language, "cli-damage-mark-not-removed", &args);
            crate::shell_support::say_on_stderr!("{}", said(line));
            MarkLeft::NotRemoved
        }
    }
}

/// A note on standard error when `place`'s store is marked as found damaged (D61):
/// the reading commands answer from it as it is, and said nothing of the mark (an
/// auditor's probe read a member's coverage from a log found rewritten, untold).
pub(crate) fn say_if_marked(place: &Place, program: &str, language: Language) {
    let path = mark_place_of(place).path();
    let Ok(Some(found)) = crate::store::damage_mark::read_at(&path) else {
        return;
    };
    let said = found
        .sentence("cli-read-marked-store", Vec::new())
        .in_language(language);
    crate::shell_support::say_on_stderr!("{}", program_said(program, &said, language));
}

/// Whether `place`'s store holds a damage mark (the path, for saying so).
fn marked_path(place: &Place) -> Option<PathBuf> {
    let path = mark_place_of(place).path();
    path.exists().then_some(path)
}

/// Prints a walk's report (exit 0), or the first damage it found (exit 1); other
/// failures propagate (exit 2).
fn print_walk_outcome<T: serde::Serialize>(
    store: &(impl crate::store::ReadStore + ?Sized),
    outcome: Result<T, crate::ledger::LedgerError>,
    language: Language,
) -> anyhow::Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    match outcome {
        Ok(report) => {
            print_json_line(&mut stdout, &report)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => match error.corruption() {
            Some((position, message)) => {
                let indexed = crate::ledger::stream_indexed_at(store, position);
                print_json_line(
                    &mut stdout,
                    &VerifyFailure {
                        ok: false,
                        finding: damage_finding(&error),
                        position,
                        message: &message,
                        stream: indexed.as_ref().map(|(stream, _)| stream.as_str()),
                        version: indexed.as_ref().map(|(_, version)| *version),
                    },
                )?;
                // What failed, in the reader's language too, before what to do about it
                // (the JSON line is a program's; a probe found only English said).
                if let Some(sentence) = error.damage().and_then(|found| found.sentence()) {
                    let said = sentence.in_language(language);
                    crate::shell_support::say_on_stderr!(
                        "{}",
                        program_said("flexledger", &said, language)
                    );
                }
                if let Some(line) = indexed_as(position, indexed.as_ref(), language) {
                    let line = program_said("flexledger", &line, language);
                    crate::shell_support::say_on_stderr!("{line}");
                }
                // Damage found while walking says how to recover as damage found on
                // opening does (which of the two finds a cut engine file varies).
                let id = match is_witness_damage(&error) {
                    true => "cli-damage-witness",
                    false => "cli-damage-advice",
                };
                let advice = damage_advice(language, id);
                crate::shell_support::say_on_stderr!("{advice}");
                Ok(ExitCode::from(1))
            }
            None => Err(error.into()),
        },
    }
}

/// How a reading command sees a PostgreSQL store that a writer may be appending to:
/// as it is at each read, or as one snapshot for the whole command (a walk that
/// compares the log with the tables derived from it, `verify`: read at different
/// moments they disagree while the writer appends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    Live,
    Snapshot,
}

/// A PostgreSQL store opened read-only as `reading` says, a failure said as the
/// shells say it.
pub(crate) fn open_postgres_reader(
    location: &Location,
    reading: Reading,
) -> anyhow::Result<crate::store::AnyReader> {
    let opened = match reading {
        Reading::Live => location.open_read_only(),
        Reading::Snapshot => location.open_read_only_snapshot(),
    };
    opened.say_context("cli-cannot-open-ledger", || {
        vec![("store", location.to_string())]
    })
}

/// The store for `events` and `verify`, which read the log and compare rows with it
/// (equal at every moment, a close in progress or not): a PostgreSQL store read-only,
/// so they run beside its writer and on a standby; sled as `open_store` opens it.
fn open_log_reader(
    location: &Location,
    reading: Reading,
) -> anyhow::Result<crate::store::AnyReader> {
    match location {
        Location::Postgres(_) => open_postgres_reader(location, reading),
        Location::Sled(_) => Ok(open_store(location)?.reader()),
    }
}

/// Refuses to answer from `reader`'s state rows if another build wrote them (D89): a
/// reader does not rebuild them, and rows folded by other rules, or laid out otherwise,
/// would answer wrongly. For the commands that read rows, not those that fold the log.
pub(crate) fn refuse_rows_of_another_format(
    location: &Location,
    reader: &(impl crate::store::ReadStore + ?Sized),
) -> anyhow::Result<()> {
    refuse_rows_of_another_format_saying(location, reader, "cli-rows-another-format")
}

/// [`refuse_rows_of_another_format`], said by catalog message `id` (with `store`,
/// `format` and `current`): `serve --read-only` says what a server on a directory does.
pub(crate) fn refuse_rows_of_another_format_saying(
    location: &Location,
    reader: &(impl crate::store::ReadStore + ?Sized),
    id: &'static str,
) -> anyhow::Result<()> {
    let Some(format) = crate::ledger::state_rows_of_another_format(reader)? else {
        return Ok(());
    };
    let current = crate::ledger::STATE_FORMAT_VERSION.to_string();
    let args = vec![
        ("store", location.to_string()),
        ("format", format.to_string()),
        ("current", current),
    ];
    Err(crate::i18n::Sentence::new(id, args).into())
}

/// The store for `member` and `region`: a PostgreSQL store read-only, so they run
/// beside its writer and on a standby, while no month close is being recorded. During
/// one a reader would answer without the close's remaining consequences (D17), so they
/// open as the writer, which records them first, and say what to do if another writer
/// runs. sled as `open_store` opens it.
///
/// With it, for a cut `as_of` beyond the log's head, that position and the head: told
/// from the head *before* a close a crash left half recorded is finished (whose events
/// would otherwise make the position exist, and have it answered, where D66 refuses
/// it: a reviewer).
fn open_for_answers(
    place: &Place,
    as_of: Option<u64>,
) -> anyhow::Result<(crate::store::AnyReader, Option<(u64, u64)>)> {
    use crate::store::StateRows;
    let location = &place.store;
    let Location::Postgres(_) = location else {
        let mut beyond = None;
        let store = open_store_checked(location, |store| {
            beyond = crate::ledger::as_of_beyond_head(&store.reader(), as_of)?;
            Ok(())
        })?;
        return Ok((store.reader(), beyond));
    };
    let witness = PgWitness::read(place)?;
    let reader = open_log_reader(location, Reading::Live)?;
    witness.check(&reader)?;
    let beyond = crate::ledger::as_of_beyond_head(&reader, as_of)?;
    // `member --as-of` folds the log, as `GET /v1/members/{id}?as_of=` does.
    if as_of.is_none() {
        refuse_rows_of_another_format(location, &reader)?;
    }
    if reader.closing_rows()?.is_empty() {
        return Ok((reader, beyond));
    }
    drop(reader);
    let store = open_store(location).say_context("cli-close-pending-answer", Vec::new)?;
    Ok((store.reader(), beyond))
}

fn open_store(location: &Location) -> anyhow::Result<AnyStore> {
    open_store_checked(location, |_| Ok(()))
}

/// `open_store`, with `check` run on the store before anything is written to it.
fn open_store_checked(
    location: &Location,
    check: impl FnOnce(&AnyStore) -> anyhow::Result<()>,
) -> anyhow::Result<AnyStore> {
    if !location.has_ledger() {
        return Err(no_ledger(location, "cli-no-ledger"));
    }
    let mut store = location.open().say_context("cli-cannot-open-ledger", || {
        vec![("store", location.to_string())]
    })?;
    check(&store)?;
    crate::ledger::upgrade_stale_state_rows(&mut store)?;
    // A month close left half recorded by a crash is finished before anything is read.
    let store = crate::ledger::finish_recorded_closes(store, &mut crate::ledger::SystemSources)?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use crate::shell_support::stdio::FileError;

    /// A program tells a PostgreSQL database behind its writer's head witness from one
    /// holding another history at a witnessed position, and both from other damage, by
    /// the `finding` code: the one restore that mends the first does not mend the second.
    #[test]
    fn each_witness_finding_has_its_own_code() {
        use crate::store::{findings, StoreError};
        let code = |message| {
            let error = anyhow::Error::from(StoreError::Corrupt {
                position: 34,
                message,
            });
            super::damage_finding(error.as_ref())
        };
        let witness = "data/head-witness.postgresql";
        let behind = findings::pg_witness_ahead(33, witness, 34, "aside");
        let other = findings::pg_witness_other_hash((34, "ab"), witness, "cd", "aside");
        let row = findings::member_row_missing(uuid::Uuid::nil(), 3);
        assert_eq!(code(behind), "behind_head_witness");
        assert_eq!(code(other), "another_history_than_witness");
        assert_eq!(code(row), "damaged");
    }

    /// A signal heard while blank lines are held answers them before `submit` stops:
    /// the loop between chunks checked the flag itself and left them unanswered (a CI
    /// run: 20 of 22 lines answered, though all 22 were said to be read). Here the
    /// signal has come before the loop starts, the one moment that lost them.
    #[test]
    fn a_signal_answers_the_blank_lines_held_before_submit_stops() {
        let (_dir, writer, mut tally) = holding_two_blank_lines();
        // The input stays open: only the signal stops the loop.
        let (_input, lines): (_, super::InputLines) = std::sync::mpsc::channel();
        let interrupted = std::sync::atomic::AtomicBool::new(true);
        let fed = tally.feed(&writer, &lines, std::path::Path::new("-"), &interrupted);
        assert_eq!(fed.unwrap(), None);
        assert_eq!((tally.answered, tally.refused), (2, 2));
    }

    /// A tally of `submit` at line 2 holding its two blank lines, as a signal finds it.
    fn holding_two_blank_lines() -> (
        tempfile::TempDir,
        super::Writer<crate::store::AnyStore>,
        super::SubmitTally,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = crate::ledger::Ledger::open(&dir.path().join("data")).unwrap();
        let writer = super::Writer::start(ledger, Box::new(super::SystemSources));
        let tally = super::SubmitTally {
            progress: indicatif::ProgressBar::hidden(),
            accepted: 0,
            refused: 0,
            line_number: 2,
            answered: 0,
            first_refused: None,
            blanks: super::BlankLines {
                held: 2,
                answer_on_pause: true,
                ..super::BlankLines::default()
            },
            messages_in: None,
            language: crate::i18n::Language::En,
        };
        (dir, writer, tally)
    }

    /// A failure before any line was answered says that lines may be recorded and to
    /// submit the file again; after some were, how many (the failures' own words after).
    #[test]
    fn a_failed_submit_says_how_far_it_got_and_how_to_finish() {
        let (_dir, _writer, mut tally) = holding_two_blank_lines();
        let file = std::path::Path::new("closes.jsonl");
        let said = |tally: &super::SubmitTally| {
            let error = anyhow::anyhow!("the disk holding data is full");
            format!("{:#}", super::submit_failed(error, tally, file))
        };
        let unanswered = said(&tally);
        assert!(
            unanswered.starts_with("stopped before any of the 2 line(s) read from closes.jsonl")
                && unanswered.contains("submit the file again")
                && unanswered.ends_with("the disk holding data is full"),
            "{unanswered}"
        );
        tally.answered = 1;
        let answered = said(&tally);
        assert!(
            answered.starts_with("stopped after answering 1 line(s) of closes.jsonl"),
            "{answered}"
        );
        tally.line_number = 0;
        tally.answered = 0;
        assert_eq!(said(&tally), "the disk holding data is full");
    }

    /// Blank lines held when a signal comes are an editor's trailing newlines if the
    /// input ends after them: dropped, as at any input's end, not refused (a review:
    /// a signal landing just then had them answered as refusals).
    #[test]
    fn a_signal_at_the_input_s_end_drops_its_trailing_blank_lines() {
        let (_dir, writer, mut tally) = holding_two_blank_lines();
        let (input, lines): (_, super::InputLines) = std::sync::mpsc::channel();
        input.send(Ok(super::Line::Text(b"  ".to_vec()))).unwrap();
        drop(input);
        let interrupted = std::sync::atomic::AtomicBool::new(true);
        let fed = tally.feed(&writer, &lines, std::path::Path::new("-"), &interrupted);
        assert_eq!(fed.unwrap(), None);
        assert_eq!(
            (tally.answered, tally.refused, tally.line_number),
            (0, 0, 3)
        );
    }

    /// Blank lines followed by a line read before the signal are answered with it: every
    /// line read is answered.
    #[test]
    fn a_signal_answers_blank_lines_and_the_line_read_after_them() {
        let (_dir, writer, mut tally) = holding_two_blank_lines();
        let (input, lines): (_, super::InputLines) = std::sync::mpsc::channel();
        input.send(Ok(super::Line::Text(b"{".to_vec()))).unwrap();
        let interrupted = std::sync::atomic::AtomicBool::new(true);
        let fed = tally.feed(&writer, &lines, std::path::Path::new("-"), &interrupted);
        assert_eq!(fed.unwrap(), None);
        assert_eq!(
            (tally.answered, tally.refused, tally.line_number),
            (3, 3, 3)
        );
    }

    /// A full disk the writer thread met (`submit`) is said in the reader's language,
    /// naming the path: a probe saw `submit` say it in English under `--lang zh-CN`.
    #[test]
    fn a_full_disk_met_by_the_writer_is_said_in_the_reader_s_language() {
        let full = crate::store::StoreError::DiskFull {
            path: "big/d".into(),
            source: std::io::Error::from_raw_os_error(28),
        };
        let sentence = full.sentence().map(Box::new);
        let failed = crate::writer::WriterError::Failed(full.to_string(), sentence, None);
        let error = anyhow::Error::from(failed);
        let chinese = super::error_said_in(&error, crate::i18n::Language::ZhCn);
        assert!(
            chinese.starts_with("账本写入失败：big/d 所在的磁盘已满"),
            "{chinese}"
        );
        let english = super::error_said_in(&error, crate::i18n::Language::En);
        assert!(
            english.starts_with("the ledger writer failed: the disk holding big/d is full"),
            "{english}"
        );
    }

    /// A PostgreSQL store's full disk is the database server's: said without the
    /// words about sled's engine writing as it opens (an operator's probe).
    #[test]
    fn a_full_database_is_said_as_the_database_server_s() {
        let full = crate::store::StoreError::DiskFull {
            path: "postgresql:///ledger?host=/run/postgresql".into(),
            source: std::io::Error::new(std::io::ErrorKind::StorageFull, "could not extend file"),
        };
        let error = anyhow::Error::from(full);
        for language in [crate::i18n::Language::En, crate::i18n::Language::ZhCn] {
            let said = super::error_said_in(&error, language);
            assert!(said.contains("could not extend file"), "{said}");
            assert!(
                !said.contains("engine") && !said.contains("存储引擎"),
                "{said}"
            );
        }
        let english = super::error_said_in(&error, crate::i18n::Language::En);
        assert!(english.contains("the database server of"), "{english}");
    }

    /// `FileError` says itself in English with words of its own; the catalog's English
    /// of the same error is what a reader sees: the two never drift apart.
    #[test]
    fn file_errors_say_in_english_what_the_catalog_says() {
        let io = || std::io::Error::other("the system's words");
        let path = "policy.json".to_owned();
        for error in [
            FileError::Read {
                path: path.clone(),
                source: io(),
            },
            FileError::NotUtf8 {
                path: path.clone(),
                source: io(),
            },
            FileError::TooLarge {
                path: path.clone(),
                bytes_max: 65_536,
            },
            FileError::IsADirectory { path: path.clone() },
            FileError::Create { path, source: io() },
            FileError::StdoutClosed { bytes: 4096 },
            FileError::StdinTwice {
                options: "--policy, --commands".to_owned(),
            },
            FileError::NoFileName {
                path: "..".to_owned(),
            },
            FileError::Rename {
                from: ".policy.json.partial".to_owned(),
                path: "policy.json".to_owned(),
                source: io(),
            },
        ] {
            let catalog = super::file_error_sentence(&error).in_language(crate::i18n::Language::En);
            assert_eq!(error.to_string(), catalog, "{error:?}");
        }
    }
}
