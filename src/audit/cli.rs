//! The `flexledger-audit` command line: parses arguments, calls the audit library,
//! prints tables (or JSON with `--json`). Exit codes: 0 the check passed or the report
//! was written, 1 a check failed or a member is unknown, 2 could not run.

use crate::audit::commands::{self, open_reader, ExportFormat};
use crate::audit::history::{Cut, MemberHistory};
use crate::cli::SayContext;
use crate::store::Place;
use clap::{Args, Parser, Subcommand};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Parser, Debug)]
#[command(
    name = "flexledger-audit",
    version,
    about = "Audit a flexledger store: replay, explain, checkpoints and proofs, export bundles, timelines, what-if",
    long_about = "Audit a flexledger store without trusting its operator.\n\n\
Read a member's history as of any point (replay), find out why a month has its status and which rule and \
source sentence decided it (explain), sign checkpoints of the log with the ledger's Ed25519 key and prove \
inclusion, consistency and a member's completeness (checkpoint, prove), export a self-contained bundle that \
anyone can check without the data directory (export, verify-bundle), draw a member's months (timeline), and \
replay the same events under another policy (whatif).\n\n\
Stop `flexledger serve` first, or audit a copy of the data directory (sled locks it) made by `flexledger backup --server URL` and `flexledger restore`: a `cp` of a directory a process writes may verify as damaged.\n\n\
Exit codes: 0 passed or written, 1 a check failed or a member is unknown, 2 could not run.\n\n\
Every file argument and option takes '-' for standard input (a file read) or standard output (a file written)."
)]
pub struct AuditCli {
    /// Directory of the ledger's sled store; it must already hold a ledger (`flexledger
    /// submit` or `serve` makes one).
    #[arg(
        long,
        global = true,
        env = "FLEXLEDGER_DATA_DIR",
        default_value = "./flexledger-data",
        value_parser = crate::cli::parse_data_dir()
    )]
    pub data_dir: PathBuf,
    /// Read the ledger from PostgreSQL instead of the sled store in --data-dir:
    /// postgres://USER@HOST[:PORT]/DATABASE (the password from ~/.pgpass or
    /// PGPASSWORD; across machines add ?sslmode=require, and &sslrootcert=CA.pem for a
    /// private CA). --data-dir still holds the audit signing key.
    #[arg(
        long,
        global = true,
        env = "FLEXLEDGER_STORE",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub store: Option<String>,
    /// Print JSON (one object, or JSON lines where noted) instead of a readable table.
    #[arg(long, global = true)]
    pub json: bool,
    /// The language of the readable text (every command's table or report): en or zh-CN. Without it,
    /// FLEXLEDGER_LANG, then LC_ALL, then LANG decide (zh_CN.UTF-8 means zh-CN;
    /// anything else, C and POSIX included, means en). --json is the same in every
    /// language.
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// Which point of the log a read stops at.
#[derive(Args, Debug, Clone)]
pub struct AsOf {
    /// Stop at this global log position (inclusive).
    #[arg(
        long,
        value_name = "POSITION",
        conflicts_with = "as_of_time",
        allow_negative_numbers = true
    )]
    pub as_of: Option<u64>,
    /// Stop at the last event recorded at or before this instant (RFC 3339, e.g. 2026-01-31T23:59:59Z).
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub as_of_time: Option<chrono::DateTime<chrono::Utc>>,
}

impl AsOf {
    pub fn cut(&self) -> Cut {
        match (self.as_of, self.as_of_time) {
            (Some(position), _) => Cut::Position(position),
            (None, Some(instant)) => Cut::Time(instant),
            (None, None) => Cut::Everything,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// A member's events in order, each with what it changed.
    #[command(
        long_about = "Print a member's events (and its region's policy and month-close events) in log order, each with \
what it changed: the months whose status or benefits changed, the arrears, continuous and cumulative months and the \
benefit tier after it. --as-of / --as-of-time show the member as the ledger saw them then.\n\n\
Exit: 0 printed, 1 unknown member, or a cut beyond the log's head or after now, 2 could not run."
    )]
    Replay {
        /// The member's UUID.
        #[arg(long, value_parser = crate::cli::parse_uuid)]
        member: Uuid,
        #[command(flatten)]
        as_of: AsOf,
    },
    /// Why a month has its status: reasons, deciding events, rules and source sentences.
    #[command(
        long_about = "Explain one month of a member's coverage: its status, due, paid and benefits; the reasons in plain \
words (with the due's arithmetic, the benefit start, the arrears run and back-pay deadline, the withdrawal that \
lapsed it); the events that decided it, by position; and the rules applied, quoting RULES.md's rule text and the \
source sentence each rests on. Any month is explained as `GET /v1/members/{id}/months/{month}` answers it: \
a month before the first enrollment or after a withdrawal is not_enrolled, one beyond the listed months due.\n\n\
Exit: 0 explained, 1 unknown member or a cut beyond the log's head or after now, 2 could not run."
    )]
    Explain {
        /// The member's UUID.
        #[arg(long, value_parser = crate::cli::parse_uuid)]
        member: Uuid,
        /// The month, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: crate::domain::month::Month,
        #[command(flatten)]
        as_of: AsOf,
    },
    /// Draw a member's months as an SVG picture.
    #[command(
        long_about = "Write an SVG picture of a member's months: one cell per month coloured by its status \
(RULES.md \"Month statuses\"), markers for payments, missed months, withdrawals and re-enrollments, and a legend. \
Open it in any browser. The server shows the same picture at GET /v1/members/{id}/timeline.svg.\n\n\
Exit: 0 written, 1 unknown member, or a cut beyond the log's head or after now, 2 could not run."
    )]
    Timeline {
        /// The member's UUID.
        #[arg(long, value_parser = crate::cli::parse_uuid)]
        member: Uuid,
        /// Where to write the SVG; `-` writes it to standard output.
        #[arg(long, value_name = "FILE")]
        svg: PathBuf,
        #[command(flatten)]
        as_of: AsOf,
    },
    /// Print the ledger's public signing key (publish it: auditors pin it).
    #[command(
        long_about = "Print the ledger's Ed25519 public key (64 hex digits) and its key id. The key pair is created \
when the data directory is first opened for writing; the secret half stays in <data dir>/audit-signing-key \
(or $FLEXLEDGER_SIGNING_KEY). Publish the public key where auditors can find it: `verify-bundle --public-key` pins it, \
so a checkpoint signed by any other key is refused.\n\n\
Exit: 0 printed, 2 no key (open the ledger for writing once, e.g. `flexledger submit`)."
    )]
    PublicKey,
    /// Sign and store a checkpoint of the log (Merkle roots of events and stream heads).
    #[command(
        long_about = "Walk the whole log (each event's hash and chain checked as it is read), build the RFC 6962 Merkle \
tree over the events' hashes and a second one over every stream's head, and sign both roots with the ledger's \
Ed25519 key. The checkpoint is stored in the ledger and printed: its note (the exact signed text), the signature \
and the public key. If an earlier checkpoint exists, a consistency proof from it is printed too (the new log \
extends the old one: nothing was rewritten). Publish checkpoints: a later rewrite cannot be consistent with them.\n\n\
--list prints the stored checkpoints instead, each signature checked against --public-key HEX (or \
$FLEXLEDGER_PUBLIC_KEY), else the ledger's key file, else the key each checkpoint names; it needs no signing key. \
A checkpoint signed by a key the ledger replaced (after --new-key) is listed as valid when that key is given with \
--earlier-key HEX, and marked as signed by an earlier key.\n\n\
Exit: 0 signed (or listed, every signature valid), 1 the log is damaged or a listed signature does not verify, 2 could not run."
    )]
    Checkpoint {
        /// List the stored checkpoints instead of making one.
        #[arg(long)]
        list: bool,
        /// With --list: the ledger's public key (64 hex digits, from `flexledger-audit public-key`) the signatures must be by.
        #[arg(long, value_name = "HEX", env = "FLEXLEDGER_PUBLIC_KEY")]
        public_key: Option<String>,
        /// The ledger's signing key is lost for good: make a new one and sign with it at once (announce it).
        #[arg(long, conflicts_with = "list")]
        new_key: bool,
        /// With --list: a key the ledger signed with before its current one (repeatable, oldest first).
        #[arg(long, value_name = "HEX", requires = "list")]
        earlier_key: Vec<String>,
    },
    /// Prove an event's inclusion, or that the log extends an earlier checkpoint.
    #[command(group(clap::ArgGroup::new("proof").required(true).args(["position", "from"])))]
    #[command(
        // Each indent stands before the `\` that ends its line: a line continuation
        // drops the next line's leading whitespace.
        long_about = "Print (and check) a Merkle proof against a stored checkpoint (the latest, or --to SIZE):\n  \
--position P   inclusion: the event at position P is in the checkpointed log (RFC 9162 audit path)\n  \
--from SIZE    consistency: the checkpointed log extends the log of SIZE events (RFC 9162 consistency path)\n\n\
Exit: 0 proven, 1 no such event or checkpoint, 2 could not run."
    )]
    Prove {
        /// The event's global position.
        #[arg(long, allow_negative_numbers = true)]
        position: Option<u64>,
        /// An earlier tree size (a checkpoint you kept).
        #[arg(long, value_name = "SIZE", allow_negative_numbers = true)]
        from: Option<u64>,
        /// The stored checkpoint to prove against (default: the latest).
        #[arg(long, value_name = "SIZE", allow_negative_numbers = true)]
        to: Option<u64>,
    },
    /// Export a self-contained audit bundle (or a CSV of member-months).
    #[command(
        long_about = "Write a self-contained audit bundle: JSON lines holding every event of the scope exactly as \
`flexledger events` prints it (the member's stream plus its region's policies and month closes), each event's \
inclusion proof, every stream's committed head with its proof (which proves the history complete), each member's \
coverage, and a signed checkpoint at the current head (made now if the latest one is older). `verify-bundle` checks \
it without the data directory. --all writes what `flexledger backup` writes: no inclusion proofs (the whole log \
rebuilds the tree), and each command's body digest with their signed note, so `flexledger restore` takes it.\n\n\
--format csv writes one row per member-month instead: member_id, region, month, status, due, paid, benefits, rule, \
then (v2) the month's refunded, to_account, subsidy, subsidy_paid and the member's member_qualified, \
member_account_balance, member_subsidy_granted_months, member_subsidy_accrued, member_subsidy_paid, \
member_subsidy_owed (from the stored projection; for spreadsheets, no proofs).\n\n\
Exit: 0 written, 1 unknown member or region, or a month close in the scope still being recorded (D83), 2 could not run."
    )]
    Export {
        /// One member.
        #[arg(long, group = "scope", value_parser = crate::cli::parse_uuid)]
        member: Option<Uuid>,
        /// Every member of a region.
        #[arg(long, group = "scope", value_parser = crate::audit::whatif::cli::parse_region)]
        region: Option<crate::domain::policy::RegionName>,
        /// The whole log.
        #[arg(long, group = "scope")]
        all: bool,
        /// Where to write ('-' writes standard output; what is said about it then goes to
        /// standard error).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// `bundle` (proofs, for verify-bundle) or `csv` (member-months, for spreadsheets).
        #[arg(long, value_enum, default_value = "bundle")]
        format: ExportFormat,
    },
    /// Check an audit bundle without the data directory.
    #[command(
        long_about = "Check an audit bundle made by `export`, with no data directory: every event's hash against its \
content (an edited amount is found), order, the signed checkpoint (a forged one is refused), every event's inclusion \
in the signed log (an added event is found), every stream's chain up to its committed head (a removed event is \
found: completeness), and each member's coverage refolded from the events. Every failure is named with its line, \
position and stream.\n\n\
Pin the ledger's published key with --public-key HEX (or $FLEXLEDGER_PUBLIC_KEY): a checkpoint signed by any other \
key is refused. Without a pinned key nothing ties the bundle to the ledger, so it is invalid (failure `key`) unless \
--trust-bundle-key accepts the key it names (the report then says the key was not pinned).\n\n\
A valid bundle's report says what its scope proves (`scope:`): a member's stream and its region's, a region's \
streams (not that it holds every member of the region), or the whole log. To check a bundle against checkpoints \
you kept, restore an --all bundle (`flexledger restore`) and run `verify --kept FILE` on it.\n\n\
Exit: 0 valid, 1 invalid, 2 could not read the file."
    )]
    VerifyBundle {
        /// The bundle file ('-' reads standard input).
        file: PathBuf,
        /// The ledger's public key (64 hex digits, from `flexledger-audit public-key`).
        #[arg(long, value_name = "HEX", env = "FLEXLEDGER_PUBLIC_KEY")]
        public_key: Option<String>,
        /// Accept whatever key the bundle names (the report says it was not pinned).
        #[arg(long, conflicts_with = "public_key")]
        trust_bundle_key: bool,
    },
    /// Check the whole store: chains, stored checkpoints' roots, state rows vs a fresh fold.
    #[command(
        long_about = "Walk the whole store (progress bar on a terminal): every event's hash, the log and stream chains, \
the indexes and command records, every stored state row against a fresh fold of the log (as `flexledger \
verify`), then every stored checkpoint: its signature, and its Merkle roots recomputed from the log.\n\n\
Checking the signatures needs only the ledger's public key: --public-key HEX (or $FLEXLEDGER_PUBLIC_KEY) pins the \
key the ledger published, so an auditor with a copy of the data directory needs no secret key; without it, the \
public half of the data directory's signing key is used.\n\n\
--kept FILE checks the checkpoints you kept (as `checkpoint --json` or `checkpoint --list --json` printed them, \
one per line) the same way: signed by the ledger's key, and the log's first events still have their roots. They \
are what catches a log rewritten and signed again with the ledger's own key: the stored checkpoints would be \
rewritten with it. So a damage mark a verify with --kept left is removed only by a verify with --kept that passes.\n\n\
A ledger whose key was lost signs with a new one from `checkpoint --new-key` on. Pin the key it replaced with \
--earlier-key HEX (as the agency announced it; repeatable, oldest first): a checkpoint signed by an earlier key is \
accepted only if no later key had signed a smaller (or equal) one, and the report says what each earlier key signed.\n\n\
Exit: 0 clean, 1 damaged (the first problem is named; or the log checks out but stays marked by a verify with --kept, this one not having checked the kept checkpoint that found it), 2 could not run (or could not compare the state rows: another build wrote them, as `flexledger verify` says, D89)."
    )]
    Verify {
        /// The ledger's public key (64 hex digits, from `flexledger-audit public-key`).
        #[arg(long, value_name = "HEX", env = "FLEXLEDGER_PUBLIC_KEY")]
        public_key: Option<String>,
        /// A file of checkpoints kept from this ledger, checked against its log too (repeatable).
        #[arg(long, value_name = "FILE")]
        kept: Vec<PathBuf>,
        /// A key the ledger signed with before its current one, as announced when it was replaced (repeatable, oldest first).
        #[arg(long, value_name = "HEX")]
        earlier_key: Vec<String>,
    },
    /// Replay the same events under another policy and show what would differ.
    #[command(name = "whatif", long_about = crate::audit::whatif::cli::LONG_ABOUT)]
    WhatIf(crate::audit::whatif::cli::WhatIfArgs),
}

/// An instant in RFC 3339, said as what to write when it is not one (chrono's own
/// words, "premature end of input" for a date alone, told a probe nothing).
fn parse_instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, crate::i18n::Sentence> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.with_timezone(&chrono::Utc))
        .map_err(|_| {
            crate::i18n::Sentence::new("value-not-an-instant", vec![("text", format!("{text:?}"))])
        })
}

fn parse_month(text: &str) -> Result<crate::domain::month::Month, crate::i18n::Sentence> {
    crate::domain::month::Month::parse(text).ok_or_else(|| {
        crate::i18n::Sentence::new("value-not-a-month", vec![("text", format!("{text:?}"))])
    })
}

/// `flexledger-audit`'s examples, run as shown against the demo's data directory (see
/// [`crate::cli::help`]).
pub const TEACHING: crate::cli::help::Teaching = crate::cli::help::Teaching {
    examples: &[
        ("", &[
            "flexledger-audit --data-dir demo-data replay --member 0b53af7d-bb50-5037-9d21-49eba4cb5782",
            "flexledger-audit --data-dir demo-data explain --member 0b53af7d-bb50-5037-9d21-49eba4cb5782 --month 2025-07",
            "flexledger-audit --data-dir demo-data export --member 0b53af7d-bb50-5037-9d21-49eba4cb5782 --out li.bundle",
            "flexledger-audit verify-bundle li.bundle --public-key $(flexledger-audit --data-dir demo-data public-key | head -1)",
        ]),
        ("replay", &[
            "flexledger-audit --data-dir demo-data replay --member 826711ec-7418-56f6-92df-8cb182127a27",
            "flexledger-audit --data-dir demo-data replay --member 826711ec-7418-56f6-92df-8cb182127a27 --as-of 27 --json",
        ]),
        ("explain", &[
            "flexledger-audit --data-dir demo-data explain --member 826711ec-7418-56f6-92df-8cb182127a27 --month 2025-05",
            "flexledger-audit --data-dir demo-data explain --member 0b53af7d-bb50-5037-9d21-49eba4cb5782 --month 2025-07 --as-of 27",
        ]),
        ("timeline", &[
            "flexledger-audit --data-dir demo-data timeline --member 826711ec-7418-56f6-92df-8cb182127a27 --svg zhao.svg",
            "flexledger-audit --data-dir demo-data timeline --member 826711ec-7418-56f6-92df-8cb182127a27 --as-of 27 --svg - > zhao-july.svg",
        ]),
        ("public-key", &[
            "flexledger-audit --data-dir demo-data public-key",
            "flexledger-audit --data-dir demo-data public-key --json",
        ]),
        ("checkpoint", &[
            "flexledger-audit --data-dir demo-data checkpoint",
            "flexledger-audit --data-dir demo-data checkpoint --list",
        ]),
        ("prove", &[
            "flexledger-audit --data-dir demo-data checkpoint",
            "flexledger-audit --data-dir demo-data prove --position 17",
            "flexledger-audit --data-dir demo-data prove --from 20",
        ]),
        ("export", &[
            "flexledger-audit --data-dir demo-data export --member 0b53af7d-bb50-5037-9d21-49eba4cb5782 --out li.bundle",
            "flexledger-audit --data-dir demo-data export --region demo --format csv --out demo.csv",
            "flexledger-audit --data-dir demo-data export --all --out - | gzip > all.bundle.gz",
        ]),
        ("verify-bundle", &[
            "flexledger-audit --data-dir demo-data export --region demo --out demo.bundle",
            "flexledger-audit verify-bundle demo.bundle --public-key $(flexledger-audit --data-dir demo-data public-key | head -1)",
            "sed 's/\"amount\":\"600.00\"/\"amount\":\"700.00\"/' demo.bundle | flexledger-audit verify-bundle - --trust-bundle-key   # exit 1: INVALID, each edited event named",
        ]),
        ("verify", &[
            "flexledger-audit --data-dir demo-data verify",
            "flexledger-audit --data-dir demo-data verify --json",
        ]),
        ("whatif", &[
            "flexledger-audit --data-dir demo-data whatif --policy examples/whatif-six-months-grace.json --member 826711ec-7418-56f6-92df-8cb182127a27",
            "flexledger-audit --data-dir demo-data whatif --policy examples/whatif-prospective-restore.json --region demo --json",
            "echo '{\"grace_months\": 6}' | flexledger-audit --data-dir demo-data whatif --policy - --region demo",
        ]),
    ],
    data_dir: &[(
        "public-key",
        "Directory of the ledger whose public key to print: its audit-signing-key (or $FLEXLEDGER_SIGNING_KEY) is read, not its store",
    )],
    // A bundle is checked without any data directory.
    data_dir_unused: &["verify-bundle"],
    store_unused: &["verify-bundle"],
};

/// The `flexledger-audit` command line: clap's derive of [`AuditCli`] with [`TEACHING`].
pub fn command() -> clap::Command {
    crate::cli::help::teach(<AuditCli as clap::CommandFactory>::command(), &TEACHING)
}

/// [`command`] with its help in `language` (`cli::help::localize`, D52).
pub fn command_in(language: crate::i18n::Language) -> clap::Command {
    crate::cli::help::localize(command(), "flexledger-audit", &TEACHING, language)
}

/// Parses the process's arguments with [`command_in`] the language they choose.
pub fn try_parse() -> Result<AuditCli, clap::Error> {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    crate::cli::refuse_unknown_lang(&args)?;
    let mut command = command_in(crate::cli::help_language(&args));
    let args = crate::cli::help::help_flag_of_help(args, &command);
    let mut matches = command.try_get_matches_from_mut(args)?;
    AuditCli::from_arg_matches_mut(&mut matches).map_err(|error| error.format(&mut command))
}

/// Runs the audit command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = try_parse().unwrap_or_else(|error| crate::cli::parse_errors::exit(error));
    crate::shell_support::init_logging();
    // An unknown --lang was refused before parsing (`refuse_unknown_lang`).
    let language = crate::cli::language(cli.lang.as_deref()).unwrap_or_default();
    let marked = crate::cli::mark_place(cli.store.as_deref(), &cli.data_dir);
    match run(cli) {
        Ok(code) => code,
        Err(error) if crate::shell_support::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            // Damage found marks the store: its writer refuses it until it verifies
            // again (D61).
            if crate::cli::is_damage(&error) {
                let parser = <AuditCli as clap::CommandFactory>::command();
                let ran = ("flexledger-audit", &parser, marked.as_ref());
                crate::cli::mark_found_damage(ran, &error, &[]);
            }
            let message = format!(
                "{}{}",
                crate::cli::error_said_in(&error, language),
                crate::cli::disk_full_advice(&error, language)
            );
            let said = crate::cli::said_error("flexledger-audit", message, language);
            crate::shell_support::say_on_stderr!("{said}");
            // Damage is a finding (exit 1), as for `flexledger` and `verify`.
            if crate::cli::is_damage(&error) {
                commands::say_damage_advice(language, crate::cli::damage_advice_for(&error));
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

pub fn run(cli: AuditCli) -> anyhow::Result<ExitCode> {
    let language = crate::cli::language(cli.lang.as_deref())?;
    commands::say_in(language);
    let mut stdout = io::stdout().lock();
    let place = &Place::choose(cli.store.as_deref(), &cli.data_dir)?;
    let json = cli.json;
    // The other commands' readable text follows --lang; their JSON is English.
    let style = (json, language);
    match &cli.command {
        AuditCommand::Replay { member, as_of } => {
            replay(place, (*member, as_of), style, &mut stdout)
        }
        AuditCommand::Explain {
            member,
            month,
            as_of,
        } => explain_stored(place, (*member, *month, as_of), style, &mut stdout),
        AuditCommand::Timeline { member, svg, as_of } => {
            crate::cli::refuse_output_in_data_dir(&place.data_dir, svg)?;
            let Some(history) = stored_member(place, (*member, as_of), style, &mut stdout)? else {
                return Ok(NO_HISTORY);
            };
            // The picture is for people: its words follow --lang, JSON or not.
            timeline(&history, svg, language, json, &mut stdout)
        }
        AuditCommand::PublicKey => commands::public_key(place, style, &mut stdout),
        AuditCommand::Checkpoint {
            list: true,
            public_key,
            earlier_key,
            ..
        } => {
            let keys = (public_key.as_deref(), earlier_key.as_slice());
            commands::list_checkpoints(place, keys, style, &mut stdout)
        }
        AuditCommand::Checkpoint { new_key, .. } => {
            commands::checkpoint(place, *new_key, style, &mut stdout)
        }
        AuditCommand::Prove { position, from, to } => {
            commands::prove(place, *position, *from, *to, style, &mut stdout)
        }
        AuditCommand::Export {
            member,
            region,
            all,
            out,
            format,
        } => {
            let scope = export_scope(*member, region.as_ref(), *all)?;
            crate::cli::refuse_output_in_data_dir(&place.data_dir, out)?;
            commands::export(place, &scope, out, *format, style, &mut stdout)
        }
        AuditCommand::VerifyBundle {
            file,
            public_key,
            trust_bundle_key,
        } => commands::verify_bundle(
            file,
            public_key.as_deref(),
            *trust_bundle_key,
            style,
            &mut stdout,
        ),
        AuditCommand::Verify {
            public_key,
            kept,
            earlier_key,
        } => {
            let keys = (public_key.as_deref(), &earlier_key[..], &kept[..]);
            commands::refuse_where_no_ledger(place)?;
            commands::verify(place, keys, style, &mut stdout)
        }
        AuditCommand::WhatIf(args) => whatif(place, args, style, &mut stdout),
    }
}

/// `whatif`: on the store read-only. A region's reads its member rows, so not rows
/// another build wrote (D89); a member's folds the log.
fn whatif(
    place: &Place,
    args: &crate::audit::whatif::cli::WhatIfArgs,
    style: (bool, crate::i18n::Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let store = open_reader(place)?;
    if args.region.is_some() {
        crate::cli::refuse_rows_of_another_format(&place.store, &store)?;
    }
    crate::audit::whatif::cli::command(&store, args, style, out)
}

/// `replay`: the member's events in order, each with what it changed.
fn replay(
    place: &Place,
    (member, as_of): (Uuid, &AsOf),
    (json, language): (bool, crate::i18n::Language),
    stdout: &mut io::StdoutLock<'_>,
) -> anyhow::Result<ExitCode> {
    let Some(history) = stored_member(place, (member, as_of), (json, language), stdout)? else {
        return Ok(NO_HISTORY);
    };
    if json {
        let lines = crate::audit::replay::replay_lines(&history)?;
        crate::audit::replay::print(&history, &lines, json, stdout)?;
    } else {
        let lines = crate::audit::replay::replay_lines_in(&history, language)?;
        crate::audit::replay::print_table(&history, &lines, language, stdout)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The exit code of a command that found no history to show ([`stored_member`]).
const NO_HISTORY: ExitCode = ExitCode::FAILURE;

/// The member's history as of the cut `as_of` names; `None` once why there is none
/// (an unknown member, or one whose first event comes after the cut) is said
/// (`commands::no_history`), and the command exits [`NO_HISTORY`].
fn stored_member(
    place: &Place,
    (member, as_of): (Uuid, &AsOf),
    style: (bool, crate::i18n::Language),
    out: &mut dyn Write,
) -> anyhow::Result<Option<MemberHistory>> {
    let store = open_reader(place)?;
    let found = MemberHistory::load_or_why_not(&store, member, as_of.cut(), chrono::Utc::now())
        .say_context("audit-history-unreadable", || {
            vec![("member", member.to_string())]
        })?;
    match found {
        Ok(history) => Ok(Some(history)),
        Err(why) => {
            commands::no_history(out, member, &why, style)?;
            Ok(None)
        }
    }
}

/// `explain`: the stored member's month, as of `as_of`.
fn explain_stored(
    place: &Place,
    (member, month, as_of): (Uuid, crate::domain::month::Month, &AsOf),
    (json, language): (bool, crate::i18n::Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some(history) = stored_member(place, (member, as_of), (json, language), out)? else {
        return Ok(NO_HISTORY);
    };
    // The JSON's sentences are the contract's English in every language.
    let language = if json {
        crate::i18n::Language::En
    } else {
        language
    };
    explain(&history, month, language, json, out)
}

/// `explain`: the month's explanation, or why the month has none (exit 1).
fn explain(
    history: &MemberHistory,
    month: crate::domain::month::Month,
    language: crate::i18n::Language,
    json: bool,
    stdout: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    match crate::audit::explain::explain_in(history, month, language)? {
        Ok(explanation) => {
            crate::audit::explain::print(&explanation, json, stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            if json {
                writeln!(
                    stdout,
                    "{}",
                    serde_json::json!({"ok": false, "error": {"code": "month_not_listed", "message": message}})
                )?;
            }
            // Why there is no answer goes where an unknown member's does: standard
            // error, after the program's name (a probe found it on standard output).
            let line = crate::cli::program_said("flexledger-audit", &message, language);
            crate::shell_support::say_on_stderr!("{line}");
            Ok(ExitCode::from(1))
        }
    }
}

/// What `export` covers: one member, one region or the whole log.
fn export_scope(
    member: Option<Uuid>,
    region: Option<&crate::domain::policy::RegionName>,
    all: bool,
) -> anyhow::Result<crate::audit::bundle::Scope> {
    Ok(match (member, region, all) {
        (Some(member), _, _) => crate::audit::bundle::Scope::Member(member),
        (None, Some(region), _) => crate::audit::bundle::Scope::Region(region.clone()),
        (None, None, true) => crate::audit::bundle::Scope::All,
        (None, None, false) => {
            return Err(crate::i18n::Sentence::new("audit-export-what", vec![]).into())
        }
    })
}

/// What `--json` prints after writing the file.
#[derive(serde::Serialize)]
struct TimelineWritten<'a> {
    path: &'a Path,
    months: usize,
    bytes: usize,
}

/// `timeline`: writes the member's SVG to `svg_path` (standard output for `-`) and
/// reports where (JSON with `json`).
fn timeline(
    history: &MemberHistory,
    svg_path: &Path,
    language: crate::i18n::Language,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let coverage = history.coverage()?.ok_or_else(|| {
        let args = vec![("member", history.member_id.to_string())];
        crate::i18n::Sentence::new("audit-no-coverage", args)
    })?;
    let events = history.member_events_marked();
    let picture = crate::audit::timeline::render(&coverage, &events, language);
    if crate::shell_support::stdio::is_stdio(svg_path) {
        // `-` is standard output, as everywhere in both CLIs: the picture, nothing else.
        out.write_all(picture.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    // Written beside its path and renamed into place whole, as every output is: a
    // full disk left a cut picture where the last good one was (a probe).
    let mut output = crate::shell_support::stdio::Output::create(svg_path)?;
    output
        .write_all(picture.as_bytes())
        .map_err(anyhow::Error::from)
        .and_then(|()| output.finish())
        .map_err(|error| crate::cli::cannot_write(error, svg_path))?;
    let written = TimelineWritten {
        path: svg_path,
        months: coverage.months.len(),
        bytes: picture.len(),
    };
    if json {
        serde_json::to_writer(&mut *out, &written)?;
        writeln!(out)?;
    } else {
        use crate::i18n::{count, say, text};
        let args = [
            ("path", text(svg_path.display())),
            ("member", text(history.member_id)),
            ("months", count(written.months)),
            ("bytes", count(written.bytes)),
        ];
        writeln!(out, "{}", say(language, "audit-timeline-wrote", &args))?;
    }
    Ok(ExitCode::SUCCESS)
}
