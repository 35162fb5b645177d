//! The `flexledger-audit` command line: parses arguments, calls the audit library,
//! prints tables (or JSON with `--json`). Exit codes: 0 the check passed or the report
//! was written, 1 a check failed or a member is unknown, 2 could not run.

use crate::audit::history::{Cut, MemberHistory};
use crate::store::SledStore;
use anyhow::Context;
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
Stop `flexledger serve` first, or audit a copy of the data directory: sled locks it.\n\n\
Exit codes: 0 passed or written, 1 a check failed or a member is unknown, 2 could not run.",
    after_help = "Examples:\n  flexledger-audit --data-dir demo-data replay --member 0b53af7d-bb50-5037-9d21-49eba4cb5782\n  flexledger-audit --data-dir demo-data explain --member 0b53af7d-bb50-5037-9d21-49eba4cb5782 --month 2025-03\n  flexledger-audit --data-dir demo-data export --member 0b53af7d-bb50-5037-9d21-49eba4cb5782 --out member.bundle\n  flexledger-audit verify-bundle member.bundle"
)]
pub struct AuditCli {
    /// Directory of the ledger's sled store.
    #[arg(
        long,
        global = true,
        env = "FLEXLEDGER_DATA_DIR",
        default_value = "./flexledger-data"
    )]
    pub data_dir: PathBuf,
    /// Print JSON (one object, or JSON lines where noted) instead of a readable table.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// Which point of the log a read stops at.
#[derive(Args, Debug, Clone)]
pub struct AsOf {
    /// Stop at this global log position (inclusive).
    #[arg(long, value_name = "POSITION", conflicts_with = "as_of_time")]
    pub as_of: Option<u64>,
    /// Stop at the last event recorded at or before this instant (RFC 3339, e.g. 2026-01-31T23:59:59Z).
    #[arg(long, value_name = "RFC3339")]
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
Exit: 0 printed, 1 unknown member, 2 could not run."
    )]
    Replay {
        /// The member's UUID.
        #[arg(long)]
        member: Uuid,
        #[command(flatten)]
        as_of: AsOf,
    },
    /// Draw a member's months as an SVG picture.
    #[command(
        long_about = "Write an SVG picture of a member's months: one cell per month coloured by its status \
(RULES.md \"Month statuses\"), markers for payments, missed months, withdrawals and re-enrollments, and a legend. \
Open it in any browser. The server shows the same picture at GET /v1/members/{id}/timeline.svg.\n\n\
Exit: 0 written, 1 unknown member, 2 could not run."
    )]
    Timeline {
        /// The member's UUID.
        #[arg(long)]
        member: Uuid,
        /// Where to write the SVG.
        #[arg(long, value_name = "FILE")]
        svg: PathBuf,
        #[command(flatten)]
        as_of: AsOf,
    },
    /// Replay the same events under another policy and show what would differ.
    #[command(name = "whatif", long_about = crate::audit::whatif::LONG_ABOUT)]
    WhatIf(crate::audit::whatif::WhatIfArgs),
}

/// Runs the audit command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = AuditCli::parse();
    crate::cli::init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(error) if crate::cli::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flexledger-audit: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

pub fn run(cli: AuditCli) -> anyhow::Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    match &cli.command {
        AuditCommand::Replay { member, as_of } => {
            let store = open_store(&cli.data_dir)?;
            let Some(history) = load_member(&store, *member, as_of.cut())? else {
                return unknown_member(&mut stdout, *member, cli.json);
            };
            crate::audit::replay::print(&history, cli.json, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Timeline { member, svg, as_of } => {
            let store = open_store(&cli.data_dir)?;
            let Some(history) = load_member(&store, *member, as_of.cut())? else {
                return unknown_member(&mut stdout, *member, cli.json);
            };
            crate::audit::timeline::command(&history, svg, cli.json, &mut stdout)
        }
        AuditCommand::WhatIf(args) => {
            let store = open_store(&cli.data_dir)?;
            crate::audit::whatif::command(&store, args, cli.json, &mut stdout)
        }
    }
}

/// Opens the store for reading. Audits never change events.
pub fn open_store(data_dir: &Path) -> anyhow::Result<SledStore> {
    if !data_dir.join("sled").exists() {
        anyhow::bail!(
            "no ledger in {}: pass --data-dir (or set FLEXLEDGER_DATA_DIR)",
            data_dir.display()
        );
    }
    SledStore::open(data_dir).with_context(|| {
        format!(
            "cannot open the ledger in {} (is `flexledger serve` running on it? audit a copy, or stop it first)",
            data_dir.display()
        )
    })
}

pub fn load_member(
    store: &SledStore,
    member: Uuid,
    cut: Cut,
) -> anyhow::Result<Option<MemberHistory>> {
    MemberHistory::load(store, member, cut)
        .with_context(|| format!("cannot read member {member}'s history"))
}

/// Exit 1 with a message naming the member (JSON with `--json`).
pub fn unknown_member(out: &mut dyn Write, member: Uuid, json: bool) -> anyhow::Result<ExitCode> {
    let message =
        format!("member {member} has no events in this ledger (at this point of the log)");
    if json {
        let error =
            serde_json::json!({"ok": false, "error": {"code": "not_enrolled", "message": message}});
        writeln!(out, "{error}")?;
    } else {
        writeln!(out, "{message}")?;
    }
    Ok(ExitCode::from(1))
}
