//! The audit commands' shell: open the store, walk it, print. The logic they call is
//! in [`checkpoint`](crate::audit::checkpoint), [`proofs`](crate::audit::proofs) and
//! [`bundle`](crate::audit::bundle). It also holds what every audit subcommand's shell
//! shares ([`open_store`], [`unknown_member`], [`not_found`]), so the command line
//! (`audit/cli.rs`) and `whatif`'s shell (`audit/whatif/cli.rs`) use it and it uses
//! neither.

use crate::audit::bundle::{self, Scope};
use crate::audit::checkpoint::{
    key_id, ChainedCheckpoint, Checkpoint, CheckpointError, KeyChain, LogTree, SignedCheckpoint,
};
use crate::audit::history;
use crate::audit::keys;
use crate::audit::merkle::MerkleTree;
use crate::audit::proofs;
use crate::cli::{Reading, SayContext};
use crate::i18n::{count, say, text, Language, Sentence};
use crate::ledger::LedgerError;
use crate::shell_support::{stdio, walk_progress};
use crate::store::{AnyReader, AnyStore, EventLog, Location, Place, ReadStore};
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use uuid::Uuid;

/// Opens the store for reading. Audits never change events.
pub fn open_store(place: &Place) -> anyhow::Result<AnyStore> {
    refuse_where_no_ledger(place)?;
    let mut store = place.store.open().map_err(|error| {
        // The lock is the usual reason while `serve` runs; other failures say their own.
        let id = if matches!(error, crate::store::StoreError::Locked { .. }) {
            "cli-cannot-open-ledger-served-audit"
        } else {
            "cli-cannot-open-ledger"
        };
        crate::cli::said_context(error, id, vec![("store", place.store.to_string())])
    })?;
    crate::cli::check_head_witness(place, &store)?;
    crate::ledger::upgrade_stale_state_rows(&mut store)?;
    // A month close a crash left half recorded is not finished here: the audit tools
    // read the log as recorded (its `MonthClosed` and the chunks that landed; the
    // state rows equal a fold of it at every moment) and never append to it. They say
    // so, though.
    say_unfinished_closes(&store)?;
    Ok(store)
}

/// The language of the lines the store's openers say on standard error (set by `run`
/// once; English until then).
static LANGUAGE: std::sync::OnceLock<Language> = std::sync::OnceLock::new();

/// Sets the language of the openers' lines (`run`, once per process).
pub fn say_in(language: Language) {
    let _ = LANGUAGE.set(language);
}

/// One line on standard error for each month close still being recorded: what the
/// tools show of its month lacks the consequences not yet recorded. An operator's
/// probe killed a close at once and `explain` said a member's month was "recorded
/// missed" with no `ContributionMissed` in the log, `replay` showed the member
/// active, and `verify` passed without a word (the log is intact: nothing to fail).
fn say_unfinished_closes(store: &(impl ReadStore + ?Sized)) -> anyhow::Result<()> {
    let language = LANGUAGE.get().copied().unwrap_or_default();
    for closing in crate::ledger::read_closings(store)? {
        // A recheck is written by a rebuild (a restore's too) only when its fold found
        // a member still lacking a consequence of the region's last close (D17): that
        // close is unfinished as surely, though no walk has counted members yet (an
        // auditor's probe restored a backup taken mid-close and was told nothing).
        let args = [
            ("region", text(closing.region.as_str())),
            ("month", text(closing.month)),
            (
                "progress",
                text(close_progress(&closing).in_language(language)),
            ),
        ];
        let said = say(language, "audit-close-unfinished", &args);
        crate::shell_support::say_on_stderr!(
            "{}",
            crate::cli::program_said("flexledger-audit", &said, language)
        );
    }
    Ok(())
}

/// How far a close still being recorded got: its walk's count, or, for a recheck (a
/// rebuild's, written only when its fold found a member still lacking a consequence of
/// the region's last close, D17), that, since no walk has counted members yet (an
/// auditor's probe restored a backup taken mid-close and was told nothing, then "0 of
/// 0 members done").
fn close_progress(closing: &crate::ledger::Closing) -> crate::i18n::Sentence {
    match closing.recheck {
        true => crate::i18n::Sentence::new("audit-close-progress-recheck", vec![]),
        false => crate::i18n::Sentence::new(
            "audit-close-progress",
            vec![
                ("done", closing.members_done.to_string()),
                ("total", closing.members_total.to_string()),
            ],
        ),
    }
}

/// Opens the store for the commands that only read (replay, explain, timeline,
/// prove, verify, what-if). A PostgreSQL store is opened read-only, so an auditor
/// reads it while its writer runs (and from a standby); sled allows one process at a
/// time, so its store is opened as `open_store` opens it.
pub fn open_reader(place: &Place) -> anyhow::Result<AnyReader> {
    let reader = open_reader_as(place, Reading::Live)?;
    // What is read from a store found damaged is said to be (`verify` reports the mark
    // itself, and reads as a snapshot).
    let language = LANGUAGE.get().copied().unwrap_or_default();
    crate::cli::say_if_marked(place, "flexledger-audit", language);
    Ok(reader)
}

/// `open_reader`, a PostgreSQL store seen as `reading` says (`Reading::Snapshot` for
/// `verify`'s walk beside a writer that keeps appending).
fn open_reader_as(place: &Place, reading: Reading) -> anyhow::Result<AnyReader> {
    match &place.store {
        Location::Postgres(_) => {
            // `verify` (a snapshot) checks the witness itself, before its walk, as damage.
            let witness = match reading {
                Reading::Live => Some(crate::cli::PgWitness::read(place)?),
                Reading::Snapshot => None,
            };
            let reader = crate::cli::open_postgres_reader(&place.store, reading)?;
            if let Some(witness) = &witness {
                witness.check(&reader)?;
            }
            say_unfinished_closes(&reader)?;
            Ok(reader)
        }
        Location::Sled(_) => Ok(open_store(place)?.reader()),
    }
}

/// The key a checkpoint is signed with: the ledger's own (`keys::ensure_ledgers`), or
/// with `--new-key` a new one.
fn checkpoint_key(
    place: &Place,
    store: &AnyStore,
    new_key: bool,
) -> anyhow::Result<ed25519_dalek::SigningKey> {
    if new_key {
        // A new key signs nothing a marked log holds either (`ensure_at` refuses the
        // ledger's own).
        keys::refuse_a_log_marked_rewritten(place)?;
        return new_signing_key(place, store);
    }
    let latest = keys::latest_signer(store)?;
    Ok(keys::ensure_at(place, latest.as_ref())?)
}

/// `checkpoint --new-key`: a new key for a ledger whose key is lost, made only where
/// there is none (D33: announced by the operator; the checkpoint signed with it at once
/// makes it the ledger's key from then on).
fn new_signing_key(place: &Place, store: &AnyStore) -> anyhow::Result<ed25519_dalek::SigningKey> {
    use crate::store::EventLog;
    // A key that is there is said first: it is why no new one is made (an auditor's
    // probe was told only that nothing was appended since, and tried again later).
    if let Some(key) = keys::load(&place.data_dir)? {
        let args = vec![
            (
                "path",
                keys::key_path(&place.data_dir).display().to_string(),
            ),
            ("key_id", key_id(&key.verifying_key())),
        ];
        return Err(Sentence::new("audit-new-key-exists", args).into());
    }
    if let Some(signer) = keys::latest_signer(store)? {
        if signer.tree_size >= store.head()?.0 {
            let args = vec![
                ("tree_size", signer.tree_size.to_string()),
                ("key_id", key_id(&signer.key)),
            ];
            return Err(Sentence::new("audit-new-key-nothing-new", args).into());
        }
    }
    let key = keys::ensure(&place.data_dir)?;
    tracing::warn!(
        key_id = %crate::audit::checkpoint::key_id(&key.verifying_key()),
        "made a new signing key for this ledger: announce its public key (flexledger-audit public-key) to its auditors"
    );
    Ok(key)
}

/// Exit 1 with a message naming the member.
pub fn unknown_member(
    out: &mut dyn Write,
    member: Uuid,
    style: (bool, Language),
) -> anyhow::Result<ExitCode> {
    let args = [("member", text(member))];
    let code = crate::domain::ErrorCode::NeverEnrolled.as_str();
    not_found(out, style, code, ("audit-unknown-member", &args))
}

/// Exit 1 for a member with no history at the cut asked for: [`unknown_member`] for
/// a member with no events at all; for one whose first event comes after the cut,
/// a message naming that event (the id is right: ask from there). The `--json`
/// code is `never_enrolled` either way, as `flexledger member` and the API answer: the
/// member had no events at that point (it was `not_enrolled`, which the contract uses
/// for a refusal of a member who is not enrolled now, until a probe saw both codes
/// for the same question).
pub fn no_history(
    out: &mut dyn Write,
    member: Uuid,
    why: &history::NoHistory,
    style: (bool, Language),
) -> anyhow::Result<ExitCode> {
    let (cut, first) = match why {
        history::NoHistory::NotYet { cut, first } => (cut, first),
        history::NoHistory::Unknown => return unknown_member(out, member, style),
        history::NoHistory::BeyondHead { cut, head, now } => {
            return beyond_head(out, (*cut, *head, *now), style)
        }
    };
    let (id, at) = match cut {
        history::Cut::Time(instant) => (
            "audit-member-not-yet-time",
            (
                "instant",
                crate::i18n::instant(*instant, crate::i18n::InstantForm::Exact),
            ),
        ),
        history::Cut::Position(position) => (
            "audit-member-not-yet-position",
            ("position", text(position)),
        ),
        history::Cut::Everything => return unknown_member(out, member, style),
    };
    let args = [
        ("member", text(member)),
        at,
        ("first", text(first.position)),
        (
            "recorded",
            crate::i18n::instant(first.recorded_at, crate::i18n::InstantForm::Exact),
        ),
    ];
    let code = crate::domain::ErrorCode::NeverEnrolled.as_str();
    not_found(out, style, code, (id, &args))
}

/// Exit 1 for a cut beyond what the ledger has written (D66): a position after its
/// head, or an instant after now. The `--json` code is `not_found`, as the API's
/// 404: the question names a point of the log that does not exist yet.
fn beyond_head(
    out: &mut dyn Write,
    (cut, head, now): (history::Cut, u64, chrono::DateTime<chrono::Utc>),
    style: (bool, Language),
) -> anyhow::Result<ExitCode> {
    use chrono::SubsecRound;
    let exact = |at| crate::i18n::instant(at, crate::i18n::InstantForm::Exact);
    let (id, args) = match cut {
        history::Cut::Time(asked) => (
            "audit-as-of-after-now",
            vec![
                ("instant", exact(asked)),
                ("now", exact(now.trunc_subsecs(0))),
            ],
        ),
        history::Cut::Position(position) => (
            "audit-as-of-beyond-head",
            vec![("position", text(position)), ("head", text(head))],
        ),
        // OK because `load_or_why_not` never finds a cut of everything beyond the head.
        history::Cut::Everything => unreachable!("a history of everything ends at the head"),
    };
    not_found(out, style, "not_found", (id, &args))
}

/// Exit 1 for something asked about that the ledger does not hold (an unknown member
/// or region): message `id` on standard error in `language`, and with `--json` also
/// `{"ok":false,"error":{code,message}}` on standard output, for a program reading it
/// (its message in English, whatever the language).
pub fn not_found(
    out: &mut dyn Write,
    (json, language): (bool, Language),
    code: &str,
    (id, args): (&str, &[(&str, crate::i18n::Arg)]),
) -> anyhow::Result<ExitCode> {
    if json {
        let message = say(Language::En, id, args);
        let error = serde_json::json!({"ok": false, "error": {"code": code, "message": message}});
        writeln!(out, "{error}")?;
    }
    let said = say(language, id, args);
    let line = crate::cli::program_said("flexledger-audit", &said, language);
    crate::shell_support::say_on_stderr!("{line}");
    Ok(ExitCode::from(1))
}

/// What `export` writes: a bundle (proofs, for `verify-bundle`) or a CSV of
/// member-months (for spreadsheets).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Bundle,
    Csv,
}

fn print_json(out: &mut dyn Write, value: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Exit 1 with message `id` in `language` (or `{"ok":false,"error":{code,message}}`
/// with `--json`, where `message` is the English the JSON has always had, whatever the
/// language): the thing asked for does not exist or does not hold.
fn refuse(
    out: &mut dyn Write,
    (json, language): (bool, Language),
    (code, message): (&str, String),
    (id, args): (&str, &[(&str, crate::i18n::Arg)]),
) -> anyhow::Result<ExitCode> {
    if json {
        print_json(
            out,
            &serde_json::json!({"ok": false, "error": {"code": code, "message": message}}),
        )?;
    }
    // On standard error after the program's name, as `not_found` says its refusals (a
    // probe found `prove --position 999`'s on standard output).
    let said = say(language, id, args);
    let line = crate::cli::program_said("flexledger-audit", &said, language);
    crate::shell_support::say_on_stderr!("{line}");
    Ok(ExitCode::from(1))
}

/// Says the damage `error` found in `place`'s store, a finding (exit 1), and marks the
/// store found damaged by the audit command `found_by` (D61): a finding of the auditor's
/// keeps the writer away as one of `flexledger`'s does, where it had left no mark.
/// Other errors propagate (exit 2).
fn damaged(
    found_by: (&Place, &str),
    store: &(impl ReadStore + ?Sized),
    error: LedgerError,
    style: (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let indexed = error
        .corruption()
        .and_then(|(position, _)| crate::ledger::stream_indexed_at(store, position));
    said_damaged(found_by, indexed, error, style, out)
}

/// [`damaged`] for a finding about a checkpoint's roots: its position is the
/// checkpoint's size, not an event found damaged, so no stream is named (a re-probe
/// was sent to an unrelated member's event by a rewritten log's finding).
fn checkpoint_damaged(
    found_by: (&Place, &str),
    error: LedgerError,
    style: (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    said_damaged(found_by, None, error, style, out)
}

/// Says and marks what a verify with kept checkpoints found: the mark names that verify,
/// which alone removes it, and the advice is not a backup's (a backup of a rewritten
/// log carries the rewrite, and verifies against every checkpoint the ledger stores).
fn kept_checkpoint_damaged(
    place: &Place,
    error: LedgerError,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let found_by = (place, crate::store::damage_mark::KEPT_VERIFY);
    said_damaged(found_by, None, error, (json, language), out)
}

/// Says and marks the damage `error` found, with the stream the index puts its
/// position in (`indexed`), when there is one to name.
fn said_damaged(
    (place, found_by): (&Place, &str),
    indexed: Option<(String, u64)>,
    error: LedgerError,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some((position, message)) = error.corruption() else {
        return Err(error.into());
    };
    let finding = error.damage().and_then(|damage| damage.sentence());
    let said = (message.clone().into_owned(), finding);
    let marked = crate::cli::mark_place_of(place);
    crate::cli::mark_damage(&marked, found_by, Some(position), said);
    if json {
        let finding = crate::cli::damage_finding(&error);
        let mut report = serde_json::json!({"ok": false, "finding": finding,
            "position": position, "message": message});
        if let Some((stream, version)) = &indexed {
            report["stream"] = serde_json::json!(stream);
            report["version"] = serde_json::json!(version);
        }
        print_json(out, &report)?;
    } else {
        let found = match error.damage() {
            Some(crate::store::StoreError::Corrupt { message, .. }) => {
                message.in_language(language)
            }
            _ => message.into_owned(),
        };
        let args = [("position", text(position)), ("message", text(found))];
        writeln!(out, "{}", say(language, "audit-damaged", &args))?;
        if let Some(line) = crate::cli::indexed_as(position, indexed.as_ref(), language) {
            writeln!(out, "  {line}")?;
        }
    }
    let advice = match crate::cli::is_witness_damage(&error) {
        true => crate::cli::DamageAdvice::Witness,
        false if found_by == crate::store::damage_mark::KEPT_VERIFY => {
            crate::cli::DamageAdvice::KeptCheckpoint
        }
        false => crate::cli::DamageAdvice::Backup,
    };
    say_damage_advice(language, advice);
    Ok(ExitCode::from(1))
}

/// How to recover from damage, on standard error after the finding, as `flexledger`
/// says it. Every exit 1 for damage says it, whichever way it was found.
pub(crate) fn say_damage_advice(language: Language, advice: crate::cli::DamageAdvice) {
    let advice = crate::cli::damage_advice(language, damage_advice_id(advice));
    crate::shell_support::say_on_stderr!("{advice}");
}

/// The audit tool's catalog message of `advice`.
fn damage_advice_id(advice: crate::cli::DamageAdvice) -> &'static str {
    match advice {
        crate::cli::DamageAdvice::SetAside => "audit-damage-set-aside",
        crate::cli::DamageAdvice::Witness => "audit-damage-witness",
        crate::cli::DamageAdvice::Backup => "audit-damage-advice",
        crate::cli::DamageAdvice::KeptCheckpoint => "audit-damage-kept-checkpoint",
    }
}

/// Walks the whole log with a progress bar.
fn walk(store: &(impl ReadStore + ?Sized), verb: &str) -> Result<LogTree, LedgerError> {
    let progress = walk_progress(verb, store.head()?.0);
    let tree = proofs::walk_log(store, None, &mut |_| Ok(()), &mut |position| {
        progress.set_position(position)
    });
    progress.finish_and_clear();
    tree
}

pub fn public_key(
    place: &Place,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some(key) = keys::load(&place.data_dir)? else {
        return Err(no_key_file(place).into());
    };
    // A key file that is not the one this ledger's checkpoints name (another ledger's,
    // put in its place) is refused: this command's output is what auditors pin (found
    // by an auditor's probe, which was told to publish the wrong key). A store that
    // cannot be read now (another process holds it) leaves only the file to go by.
    if let Ok(store) = open_reader(place) {
        keys::ensure_ledgers(
            &place.data_dir,
            keys::latest_signer(&store)?.as_ref(),
            false,
        )?;
    }
    let public = key.verifying_key();
    let hex = crate::audit::checkpoint::hex(public.as_bytes());
    if json {
        print_json(
            out,
            &serde_json::json!({"public_key": hex, "key_id": key_id(&public), "algorithm": "ed25519"}),
        )?;
    } else {
        writeln!(out, "{hex}")?;
        let args = [("key_id", text(key_id(&public)))];
        writeln!(out, "{}", say(language, "audit-public-key-id", &args))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Why `public-key` has nothing to print, and what to do. A ledger that has signed
/// checkpoints (a restored one, a copy) never gets a new key when it is opened for
/// writing (D33): its message names the key that signed them, from the checkpoints,
/// rather than promising one that will not be made.
fn no_key_file(place: &Place) -> Sentence {
    let path = (
        "path",
        keys::key_path(&place.data_dir).display().to_string(),
    );
    let signer = open_reader(place)
        .ok()
        .and_then(|store| keys::latest_signer(&store).ok().flatten());
    match signer {
        Some(signer) => {
            let args = vec![
                path,
                (
                    "public_key",
                    crate::audit::checkpoint::hex(signer.key.as_bytes()),
                ),
                ("key_id", key_id(&signer.key)),
            ];
            Sentence::new("audit-public-key-lost", args)
        }
        None => Sentence::new("audit-public-key-none-yet", vec![path]),
    }
}

#[derive(Serialize)]
struct CheckpointOutput<'a> {
    stored: bool,
    checkpoint: &'a Checkpoint,
    signed: &'a SignedCheckpoint,
    #[serde(skip_serializing_if = "Option::is_none")]
    consistency_from_previous: Option<proofs::ConsistencyProof>,
}

pub fn checkpoint(
    place: &Place,
    new_key: bool,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(place)?;
    let key = checkpoint_key(place, &store, new_key)?;
    let found_by = (place, "flexledger-audit checkpoint");
    let tree = match walk(&store, "checkpoint") {
        Ok(tree) => tree,
        Err(error) => return damaged(found_by, &store, error, (json, language), out),
    };
    let previous = latest_verified(&store, &key.verifying_key())?;
    let (signed, stored) = proofs::checkpoint_now(&mut store, &tree, &key, chrono::Utc::now())?;
    let checkpoint = signed.verify(Some(&key.verifying_key()))?;
    let consistency = previous
        .filter(|previous| previous.tree_size >= 1 && previous.tree_size < tree.size())
        .and_then(|previous| {
            proofs::consistency(
                &MerkleTree::new(tree.leaves.clone()),
                previous.tree_size,
                tree.size(),
            )
            .filter(|proof| proof.old_root == previous.root)
        });
    if json {
        print_json(
            out,
            &CheckpointOutput {
                stored,
                checkpoint: &checkpoint,
                signed: &signed,
                consistency_from_previous: consistency,
            },
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let id = if stored {
        "audit-checkpoint-signed"
    } else {
        "audit-checkpoint-kept"
    };
    let sizes = [
        ("events", count(checkpoint.tree_size)),
        ("streams", count(checkpoint.heads_size)),
    ];
    writeln!(out, "{}", say(language, id, &sizes))?;
    write!(out, "{}", signed.note)?;
    let args = [("signature", text(&signed.signature))];
    writeln!(
        out,
        "{}",
        say(language, "audit-checkpoint-signature", &args)
    )?;
    let args = [
        ("public_key", text(&signed.public_key)),
        ("key_id", text(key_id(&key.verifying_key()))),
    ];
    writeln!(
        out,
        "{}",
        say(language, "audit-checkpoint-public-key", &args)
    )?;
    if let Some(proof) = consistency {
        let args = [
            ("size", text(proof.old_size)),
            ("hashes", count(proof.path.len())),
        ];
        writeln!(
            out,
            "{}",
            say(language, "audit-checkpoint-consistent", &args)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The latest stored checkpoint that verifies with `key`.
fn latest_verified(
    store: &(impl ReadStore + ?Sized),
    key: &ed25519_dalek::VerifyingKey,
) -> anyhow::Result<Option<Checkpoint>> {
    Ok(proofs::stored_checkpoints(store, Some(key))?
        .into_iter()
        .filter_map(|(_, checked)| checked.ok())
        .next_back())
}

/// `checkpoint --list`: the stored checkpoints, each signature checked against the
/// pinned key, else the ledger's key file, else the key each checkpoint names (said on
/// standard error). It reads only: it needs no signing key and never makes one (it
/// made one on a fresh store, and refused an auditor's copy that had none).
pub fn list_checkpoints(
    place: &Place,
    (public_key, earlier): (Option<&str>, &[String]),
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let pinned = crate::cli::pinned_public_key(public_key)?;
    let chain = key_chain(place, pinned, &earlier_keys(earlier)?)?;
    let store = open_reader(place)?;
    if chain.is_none() && !crate::store::Checkpoints::audit_checkpoints(&store)?.is_empty() {
        let line = say(language, "audit-checkpoint-list-unpinned", &[]);
        let line = crate::cli::program_said("flexledger-audit", &line, language);
        crate::shell_support::say_on_stderr!("{line}");
    }
    let stored = match &chain {
        Some(chain) => proofs::stored_checkpoints_checked(
            &store,
            |signed| chain.verify(signed),
            |(checkpoint, _)| checkpoint,
        )?,
        // Each checked against the key it names, as the warning above says.
        None => proofs::stored_checkpoints(&store, None)?
            .into_iter()
            .map(|(signed, checked)| (signed, checked.map(|checkpoint| (checkpoint, 0))))
            .collect(),
    };
    let earlier_places = chain.as_ref().map_or(0, KeyChain::earlier);
    let verified: Vec<ChainedCheckpoint> = stored
        .iter()
        .filter_map(|(_, checked)| checked.as_ref().ok().cloned())
        .collect();
    let out_of_order = KeyChain::first_out_of_order(&verified);
    // None stored: a reader sees that, and how to make one, not a blank line. The
    // JSON is one line per checkpoint (JSON lines), so its empty list is no line.
    if stored.is_empty() && !json {
        writeln!(out, "{}", say(language, "audit-checkpoint-none", &[]))?;
    }
    // A listed signature that does not verify is a finding (exit 1), as in `verify`:
    // it exited 0, so a script saw a forged checkpoint listed as success.
    let mut invalid = out_of_order.is_some();
    for (signed, checked) in &stored {
        invalid |= checked.is_err();
        // Signed by a key the ledger replaced, pinned with --earlier-key (D85).
        let earlier = matches!(checked, Ok((_, place)) if *place < earlier_places);
        // A program's JSON in English, as every JSON field is.
        let said_in = if json { Language::En } else { language };
        let error = (checked.as_ref())
            .map_err(|error| wrong_key_said(error, pinned.is_some()).in_language(said_in));
        let verified = error.map(|(checkpoint, _)| (checkpoint, earlier));
        list_row(signed, verified, (json, language), out)?;
    }
    if let Some(pair) = out_of_order {
        signed_after_replaced(pair, &verified, (json, language), out)?;
    }
    Ok(if invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One row of `checkpoint --list`: the checkpoint and whether an earlier key signed it,
/// or why its signature does not hold.
fn list_row(
    signed: &SignedCheckpoint,
    verified: Result<(&Checkpoint, bool), String>,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match (json, verified) {
        (true, Ok((checkpoint, earlier))) => {
            let mut row =
                serde_json::json!({"ok": true, "checkpoint": checkpoint, "signed": signed});
            if earlier {
                row["earlier_key"] = serde_json::Value::Bool(true);
            }
            print_json(out, &row)
        }
        (true, Err(error)) => print_json(
            out,
            &serde_json::json!({"ok": false, "error": error, "signed": signed}),
        ),
        (false, Ok((checkpoint, earlier))) => {
            let args = [
                ("size", text(format!("{:>10}", checkpoint.tree_size))),
                ("root", text(checkpoint.root)),
                ("heads", text(checkpoint.heads_size)),
                (
                    "created",
                    crate::i18n::instant(checkpoint.created_at, crate::i18n::InstantForm::Seconds),
                ),
            ];
            let id = if earlier {
                "audit-checkpoint-row-earlier"
            } else {
                "audit-checkpoint-row"
            };
            Ok(writeln!(out, "{}", say(language, id, &args))?)
        }
        (false, Err(error)) => {
            let args = [("error", text(error))];
            Ok(writeln!(
                out,
                "{}",
                say(language, "audit-checkpoint-invalid", &args)
            )?)
        }
    }
}

pub fn prove(
    place: &Place,
    position: Option<u64>,
    from: Option<u64>,
    to: Option<u64>,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let found_by = (place, "flexledger-audit prove");
    let store = open_reader(place)?;
    let Some(key) = keys::load(&place.data_dir)? else {
        let path = keys::key_path(&place.data_dir).display().to_string();
        return Err(Sentence::new("audit-prove-no-key", vec![("path", path)]).into());
    };
    let checkpoints: Vec<Checkpoint> =
        proofs::stored_checkpoints(&store, Some(&key.verifying_key()))?
            .into_iter()
            .filter_map(|(_, checked)| checked.ok())
            .collect();
    let target = match to {
        Some(size) => checkpoints
            .iter()
            .find(|checkpoint| checkpoint.tree_size == size),
        None => checkpoints.last(),
    };
    let Some(target) = target else {
        return no_checkpoint(&checkpoints, to, (json, language), out);
    };
    let tree = match proofs::walk_log(&store, Some(target.tree_size), &mut |_| Ok(()), &mut |_| {})
    {
        Ok(tree) => tree,
        Err(error) => return damaged(found_by, &store, error, (json, language), out),
    };
    let log = MerkleTree::new(tree.leaves.clone());
    let style = (json, language);
    if log.root(log.size()) != Some(target.root) {
        let message = format!(
            "the log's first {} events no longer have the checkpoint's root: the log was rewritten",
            target.tree_size
        );
        let args = [("size", count(target.tree_size))];
        let human = ("audit-log-rewritten", &args[..]);
        return refuse(out, style, ("log_rewritten", message), human);
    }
    // A proof asked for past the checkpoint, of what the log already holds: the way is
    // a newer checkpoint (a probe met `no event at position 5 in the checkpoint of 0
    // events` on a fresh store, with no word of what to do).
    let wanted = position.or(from).unwrap_or(0);
    if wanted > target.tree_size {
        let (head, _) = store.head()?;
        if wanted <= head {
            return checkpoint_too_old(target, (position, from), head, style, out);
        }
        // Beyond the log: no checkpoint can prove it, so say where the log ends (a
        // probe met "no event at position 75 in the checkpoint of 74 events").
        let args = [("wanted", text(wanted)), ("head", count(head))];
        let message = say(Language::En, "audit-beyond-log", &args);
        return refuse(
            out,
            style,
            ("beyond_log", message),
            ("audit-beyond-log", &args),
        );
    }
    match position {
        Some(position) => prove_inclusion(&store, &log, target, position, style, out),
        None => {
            let from = from.ok_or_else(|| Sentence::new("audit-prove-what", vec![]))?;
            prove_consistency(&log, target, from, style, out)
        }
    }
}

/// Exit 1 for a proof of an event or a size the log holds but the checkpoint does not
/// cover yet, saying to sign a checkpoint of the log as it is now.
fn checkpoint_too_old(
    target: &Checkpoint,
    (position, from): (Option<u64>, Option<u64>),
    head: u64,
    style: (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let size = ("size", count(target.tree_size));
    let head = ("head", count(head));
    let (code, id, args) = match (position, from) {
        (Some(position), _) => (
            "no_event",
            "audit-no-event-after-checkpoint",
            vec![("position", text(position)), size, head],
        ),
        (None, from) => (
            "no_proof",
            "audit-no-consistency-after-checkpoint",
            vec![("from", text(from.unwrap_or(0))), size, head],
        ),
    };
    let message = say(Language::En, id, &args);
    refuse(out, style, (code, message), (id, &args))
}

/// `prove --to SIZE` with no checkpoint of that size, or no checkpoint at all: the
/// sizes there are, so the auditor picks one (`checkpoint` signs only the log's
/// current size, so "run checkpoint" cannot make a size below or beyond it).
fn no_checkpoint(
    checkpoints: &[Checkpoint],
    to: Option<u64>,
    style: (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some(size) = to.filter(|_| !checkpoints.is_empty()) else {
        let message = "no stored checkpoint: run `flexledger-audit checkpoint` first".to_owned();
        return refuse(
            out,
            style,
            ("no_checkpoint", message),
            ("audit-no-checkpoint", &[]),
        );
    };
    let stored: Vec<u64> = checkpoints
        .iter()
        .map(|checkpoint| checkpoint.tree_size)
        .collect();
    let sizes = nearest_sizes(&stored, size, PROVE_SIZES_SHOWN_EACH_SIDE_MAX);
    let args = [
        ("size", text(size)),
        ("sizes", crate::i18n::list(sizes)),
        ("count", count(stored.len())),
    ];
    let message = say(Language::En, "audit-no-checkpoint-at-size", &args);
    let human = ("audit-no-checkpoint-at-size", &args[..]);
    refuse(out, style, ("no_checkpoint", message), human)
}

/// How many stored sizes below and above a missing `--to` are named: a ledger signed
/// daily for years holds thousands (`checkpoint --list` lists them all).
const PROVE_SIZES_SHOWN_EACH_SIDE_MAX: usize = 3;

/// The sizes in `stored` nearest `size`: up to `each_side` below it and as many above,
/// in ascending order.
fn nearest_sizes(stored: &[u64], size: u64, each_side: usize) -> Vec<u64> {
    let mut sorted = stored.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let split = sorted.partition_point(|stored| *stored < size);
    let from = split.saturating_sub(each_side);
    let to = split.saturating_add(each_side).min(sorted.len());
    sorted[from..to].to_vec()
}

#[cfg(test)]
mod nearest_sizes_tests {
    use super::nearest_sizes;

    #[test]
    fn names_the_sizes_on_each_side_of_the_missing_one() {
        let daily: Vec<u64> = (1..=1_000).map(|day| day * 100).collect();
        assert_eq!(
            nearest_sizes(&daily, 50_050, 3),
            [49_800, 49_900, 50_000, 50_100, 50_200, 50_300]
        );
        assert_eq!(nearest_sizes(&daily, 5, 3), [100, 200, 300]);
        assert_eq!(nearest_sizes(&daily, 999_999, 3), [99_800, 99_900, 100_000]);
        assert_eq!(nearest_sizes(&[300, 100], 200, 3), [100, 300]);
    }
}

/// `prove --position`: the event at `position` is in the checkpointed log.
fn prove_inclusion(
    store: &(impl ReadStore + ?Sized),
    log: &MerkleTree,
    target: &Checkpoint,
    position: u64,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let hash = store
        .read_log(position)
        .next()
        .transpose()?
        .filter(|envelope| envelope.position == position)
        .map(|envelope| envelope.hash);
    let Some(proof) =
        hash.and_then(|hash| proofs::inclusion(log, hash, position, target.tree_size))
    else {
        let message = format!(
            "no event at position {position} in the checkpoint of {} events",
            target.tree_size
        );
        let args = [
            ("position", text(position)),
            ("size", count(target.tree_size)),
        ];
        let human = ("audit-no-event", &args[..]);
        return refuse(out, (json, language), ("no_event", message), human);
    };
    if json {
        print_json(out, &proof)?;
    } else {
        let args = [
            ("position", text(position)),
            ("hash", text(proof.event_hash)),
            ("size", count(proof.tree_size)),
            ("root", text(proof.root)),
        ];
        writeln!(out, "{}", say(language, "audit-inclusion", &args))?;
        writeln!(out, "{}", say(language, "audit-inclusion-path", &[]))?;
        for hash in &proof.path {
            writeln!(out, "  {hash}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `prove --from`: the checkpointed log extends the log of `from` events.
fn prove_consistency(
    log: &MerkleTree,
    target: &Checkpoint,
    from: u64,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some(proof) = proofs::consistency(log, from, target.tree_size) else {
        let message = format!("no consistency proof from size {from} to {}: the old size must be between 1 and the new one (every log extends the empty log of size 0, the size of a ledger's first checkpoint, so there is nothing to prove from it)", target.tree_size);
        let args = [("from", text(from)), ("to", text(target.tree_size))];
        let human = ("audit-no-consistency", &args[..]);
        return refuse(out, (json, language), ("no_proof", message), human);
    };
    if json {
        print_json(out, &proof)?;
    } else {
        let args = [
            ("new_size", count(proof.new_size)),
            ("new_root", text(proof.new_root)),
            ("old_size", count(proof.old_size)),
            ("old_root", text(proof.old_root)),
        ];
        writeln!(out, "{}", say(language, "audit-consistency", &args))?;
        writeln!(out, "{}", say(language, "audit-consistency-path", &[]))?;
        for hash in &proof.path {
            writeln!(out, "  {hash}")?;
        }
        writeln!(out, "{}", say(language, "audit-consistency-compare", &[]))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(
    place: &Place,
    scope: &Scope,
    path: &Path,
    format: ExportFormat,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(place)?;
    if let Some((id, args)) = nothing_to_export(&store, scope)? {
        let style = (json, language);
        return not_found(out, style, "nothing_to_export", (id, &args));
    }
    if let Some((id, args)) = close_unfinished_in(&store, scope, format)? {
        let style = (json, language);
        return not_found(out, style, "close_unfinished", (id, &args));
    }
    // A file is written beside the target and renamed into place when complete, so a
    // failed export never leaves a partial file where the last good one was; `-` is
    // standard output, and then what is said about it goes to standard error.
    let output = stdio::Output::create(path)?;
    let mut stderr = io::stderr().lock();
    let out: &mut dyn Write = if stdio::is_stdio(path) {
        &mut stderr
    } else {
        out
    };
    let exported = if format == ExportFormat::Csv {
        export_csv(&store, scope, (path, output), (json, language), out)
    } else {
        let to = (path, output);
        export_bundle(place, &mut store, scope, to, (json, language), out)
    };
    exported.map_err(|error| crate::cli::cannot_write(error, path))
}

/// A message of the catalog and its arguments, to be said in a language.
type Said = (&'static str, Vec<(&'static str, crate::i18n::Arg)>);

/// Why there is nothing to export for `scope`, if there is nothing: a message and its
/// arguments.
fn nothing_to_export(
    store: &(impl ReadStore + ?Sized),
    scope: &Scope,
) -> anyhow::Result<Option<Said>> {
    let exists = match scope {
        Scope::Member(member_id) => crate::ledger::read_member_row(store, *member_id)?.is_some(),
        Scope::Region(region) => store
            .read_state(&crate::store::StateKey::Region(region.clone()))?
            .is_some(),
        Scope::All => store.head()?.0 > 0,
    };
    if exists {
        return Ok(None);
    }
    Ok(Some(match scope {
        Scope::Member(member_id) => ("audit-nothing-member", vec![("member", text(member_id))]),
        Scope::Region(region) => ("audit-nothing-region", vec![("region", text(region))]),
        Scope::All => ("audit-nothing-all", vec![]),
    }))
}

/// Why `scope` is not exported, if a month close of a region in it is still being
/// recorded and may imply consequences the log does not hold yet (D17, D83): a member
/// whose consequences are pending, a region with a close in progress (or a recheck),
/// and, as a CSV, the whole log while any is. An export states coverage as the log
/// holds it, and mid-close that is a state the ledger never acts on (an auditor's
/// probe, 2026-12-06: a signed coverage with a closed month `arrears` left out of its
/// own arrears, and a member two months past a grace of one `in_arrears` where the
/// close withdraws it, R11). The whole log's bundle is a backup's, which proves what
/// its events fold to and is taken mid-close on purpose (D64): it is not refused.
fn close_unfinished_in(
    store: &(impl ReadStore + ?Sized),
    scope: &Scope,
    format: ExportFormat,
) -> anyhow::Result<Option<Said>> {
    let closing = match scope {
        Scope::All if format == ExportFormat::Bundle => None,
        Scope::All => crate::ledger::read_closings(store)?.into_iter().next(),
        Scope::Region(region) => crate::ledger::read_closing(store, region)?,
        Scope::Member(member_id) => {
            match crate::ledger::read_member_and_region(store, *member_id)? {
                Some((member, region)) => {
                    crate::ledger::close_pending_for(store, &member, &region)?
                }
                None => None,
            }
        }
    };
    Ok(closing.map(|closing| {
        let progress = crate::i18n::Arg::Said(Box::new(close_progress(&closing)));
        let args = vec![
            ("region", text(closing.region.as_str())),
            ("month", text(closing.month)),
            ("progress", progress),
        ];
        ("audit-export-close-unfinished", args)
    }))
}

/// `export --format csv`: the member-month rows of the scope's members.
fn export_csv(
    store: &(impl ReadStore + ?Sized),
    scope: &Scope,
    (path, mut output): (&Path, stdio::Output),
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let written_to = crate::cli::stdio_named(path, false, language);
    let members = match scope {
        Scope::Member(member_id) => vec![*member_id],
        Scope::Region(region) => history::members(store, Some(region))?,
        Scope::All => history::members(store, None)?,
    };
    let rows = write_csv(store, &members, &mut output)?;
    output.finish()?;
    if json {
        print_json(
            out,
            &serde_json::json!({"path": path, "members": members.len(), "rows": rows}),
        )?;
    } else {
        let args = [
            ("rows", count(rows)),
            ("members", count(members.len())),
            ("path", text(written_to)),
        ];
        writeln!(out, "{}", say(language, "audit-export-csv", &args))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the bundle of `scope` proven against `signed` (a checkpoint of `tree`, signed
/// with `key`), with a progress bar per pass over its events.
fn write_bundle(
    store: &AnyStore,
    scope: &Scope,
    (tree, signed, checkpoint, key): (
        &LogTree,
        &SignedCheckpoint,
        &Checkpoint,
        &ed25519_dalek::SigningKey,
    ),
    output: &mut stdio::Output,
) -> Result<bundle::ExportSummary, crate::ledger::LedgerError> {
    // One bar per pass over the scope's events, each up to the tree's size.
    let mut bar: Option<(bundle::ExportPass, indicatif::ProgressBar)> = None;
    let mut progress = |pass, position| {
        if bar.as_ref().map(|(shown, _)| *shown) != Some(pass) {
            if let Some((_, done)) = bar.take() {
                done.finish_and_clear();
            }
            let verb = match pass {
                bundle::ExportPass::Events => "export 1/2",
                bundle::ExportPass::Inclusions => "export 2/2",
            };
            bar = Some((pass, walk_progress(verb, tree.size())));
        }
        if let Some((_, shown)) = &bar {
            shown.set_position(position);
        }
    };
    let exported = if *scope == Scope::All {
        let mut events = |position| progress(bundle::ExportPass::Events, position);
        export_whole_log(store, (tree, signed, key), output, &mut events)
    } else {
        bundle::export(
            store,
            tree,
            signed,
            checkpoint,
            scope,
            output,
            &mut progress,
        )
    };
    if let Some((_, shown)) = bar {
        shown.finish_and_clear();
    }
    exported
}

/// The whole log's bundle is a backup's: the same lines, with every command's digest
/// and their signed note (version 3), so that a ledger restored from an export keeps
/// them (an auditor's probe restored a version-1 export and lost every one).
fn export_whole_log(
    store: &(impl ReadStore + ?Sized),
    (tree, signed, key): (&LogTree, &SignedCheckpoint, &ed25519_dalek::SigningKey),
    output: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<bundle::ExportSummary, crate::ledger::LedgerError> {
    let written = crate::backup::write_backup(store, tree, signed, key, output, progress)?;
    Ok(bundle::ExportSummary {
        scope: Scope::All,
        events: written.position,
        streams: written.streams,
        members: written.members,
        tree_size: written.position,
        root: written.root,
        bytes: written.bytes,
    })
}

/// `export` as a bundle: the scope's events proven against a checkpoint signed now.
fn export_bundle(
    place: &Place,
    store: &mut AnyStore,
    scope: &Scope,
    (path, mut output): (&Path, stdio::Output),
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let found_by = (place, "flexledger-audit export");
    let written_to = crate::cli::stdio_named(path, false, language);
    let latest = keys::latest_signer(store)?;
    let key = keys::ensure_at(place, latest.as_ref())?;
    let tree = match walk(store, "export") {
        Ok(tree) => tree,
        Err(error) => return damaged(found_by, &*store, error, (json, language), out),
    };
    let (signed, _) = proofs::checkpoint_now(store, &tree, &key, chrono::Utc::now())?;
    let checkpoint = signed.verify(Some(&key.verifying_key()))?;
    let proven = (&tree, &signed, &checkpoint, &key);
    let exported = write_bundle(store, scope, proven, &mut output);
    let summary = match exported {
        Ok(summary) => summary,
        Err(error) => return damaged(found_by, &*store, error, (json, language), out),
    };
    output.finish()?;
    if json {
        print_json(out, &summary)?;
    } else {
        let args = [
            ("events", count(summary.events)),
            ("streams", count(summary.streams)),
            ("members", count(summary.members)),
            ("size", count(summary.tree_size)),
            ("root", text(summary.root)),
            ("path", text(written_to)),
            ("bytes", count(summary.bytes)),
        ];
        writeln!(out, "{}", say(language, "audit-export-bundle", &args))?;
        let file = if stdio::is_stdio(path) {
            say(language, "audit-export-file", &[])
        } else {
            path.display().to_string()
        };
        let args = [
            ("file", text(file)),
            ("public_key", text(&signed.public_key)),
        ];
        writeln!(out, "{}", say(language, "audit-export-check", &args))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The CSV's columns. The v1 columns come first, in their v1 order, so a spreadsheet
/// built on them still reads; v2 appends the month's money (R12, R17, R16) and then the
/// member's totals, repeated on each of its rows (R7, R17, R16).
pub const CSV_COLUMNS: [&str; 18] = [
    "member_id",
    "region",
    "month",
    "status",
    "due",
    "paid",
    "benefits",
    "rule",
    "refunded",
    "to_account",
    "subsidy",
    "subsidy_paid",
    "member_qualified",
    "member_account_balance",
    "member_subsidy_granted_months",
    "member_subsidy_accrued",
    "member_subsidy_paid",
    "member_subsidy_owed",
];

/// One row per member-month from the stored projection. Fields never need quoting:
/// ids are UUIDs, region names are `[A-Za-z0-9_.-]`, amounts are decimals.
fn write_csv(
    store: &(impl ReadStore + ?Sized),
    members: &[uuid::Uuid],
    out: &mut dyn Write,
) -> anyhow::Result<u64> {
    writeln!(out, "{}", CSV_COLUMNS.join(","))?;
    let mut rows = 0u64;
    for member_id in members {
        let Some(coverage) = crate::ledger::member_coverage(store, *member_id, None)? else {
            continue;
        };
        let subsidy = &coverage.subsidy;
        let member = format!(
            "{},{},{},{},{},{}",
            coverage.qualified,
            coverage.account_balance,
            subsidy.granted_months,
            subsidy.accrued,
            subsidy.paid,
            subsidy.owed
        );
        for line in &coverage.months {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{member}",
                coverage.member_id,
                coverage.region,
                line.month,
                history::serde_plain(&line.status),
                line.due,
                line.paid,
                line.benefits,
                line.rule,
                line.refunded,
                line.to_account,
                line.subsidy,
                line.subsidy_paid
            )?;
            rows += 1;
        }
    }
    Ok(rows)
}

pub fn verify_bundle(
    path: &Path,
    public_key: Option<&str>,
    trust_bundle_key: bool,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let pinned = crate::cli::pinned_public_key(public_key)?;
    let mut input = stdio::open_input(path)?;
    let report = bundle::verify_bundle(
        &mut *input,
        match (&pinned, trust_bundle_key) {
            (Some(key), _) => bundle::KeyTrust::Pinned(key),
            (None, true) => bundle::KeyTrust::BundleKey,
            (None, false) => bundle::KeyTrust::Unpinned,
        },
    )
    .say_context("cli-cannot-read", || {
        vec![("file", stdio::display(path, true).to_string())]
    })?;
    if json {
        print_json(out, &report)?;
    } else {
        print_bundle_report(&report, language, out)?;
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_bundle_report(
    report: &bundle::BundleReport,
    language: Language,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let verdict = if report.ok {
        "audit-bundle-valid"
    } else {
        "audit-bundle-invalid"
    };
    let args = [
        ("events", count(report.events)),
        ("streams", count(report.streams)),
        ("members", count(report.members)),
    ];
    writeln!(out, "{}", say(language, verdict, &args))?;
    // What a valid bundle proves depends on its scope: a region's does not prove it
    // holds every member of the region (an auditor's probe relabelled a member's
    // bundle as its region's and read "VALID" as the whole region).
    if let Some(scope) = report.scope.as_ref().filter(|_| report.ok) {
        let (kind, name) = match scope {
            bundle::Scope::Member(member) => ("member", member.to_string()),
            bundle::Scope::Region(region) => ("region", region.to_string()),
            bundle::Scope::All => ("all", String::new()),
        };
        let args = [("scope", text(kind)), ("name", text(name))];
        writeln!(out, "{}", say(language, "audit-bundle-scope", &args))?;
    }
    if let Some(checkpoint) = &report.checkpoint {
        let args = [
            ("size", count(checkpoint.tree_size)),
            ("root", text(checkpoint.root)),
            (
                "created",
                crate::i18n::instant(checkpoint.created_at, crate::i18n::InstantForm::Seconds),
            ),
        ];
        writeln!(out, "{}", say(language, "audit-bundle-checkpoint", &args))?;
    }
    let pinned = report.key_pinned && report.checkpoint.is_some();
    match (&report.key_id, pinned, report.key_pinned) {
        (Some(key_id), true, _) => {
            let args = [("key_id", text(key_id))];
            writeln!(out, "{}", say(language, "audit-bundle-pinned", &args))?;
        }
        (Some(key_id), false, false) => {
            let args = [("key_id", text(key_id))];
            writeln!(out, "{}", say(language, "audit-bundle-unpinned", &args))?;
        }
        (Some(_), false, true) | (None, _, _) => {}
    }
    if report.commands_signed == Some(false) && report.ok {
        let note = if report.version == 1 {
            "audit-bundle-no-command-digests"
        } else {
            "audit-bundle-commands-unsigned"
        };
        writeln!(out, "{}", say(language, note, &[]))?;
    }
    for failure in &report.failures {
        let args = [
            ("check", text(failure.check)),
            ("place", text(failure_place(failure, language))),
            ("message", text(failure.message_in(language))),
        ];
        writeln!(out, "{}", say(language, "audit-bundle-failed", &args))?;
    }
    Ok(())
}

/// Where a bundle failure is: ` [line 3, position 17, member-…]`, or nothing.
fn failure_place(failure: &bundle::Failure, language: Language) -> String {
    let mut place = Vec::new();
    if let Some(line) = failure.line {
        place.push(say(language, "audit-bundle-line", &[("line", text(line))]));
    }
    if let Some(position) = failure.position {
        let args = [("position", text(position))];
        place.push(say(language, "audit-bundle-position", &args));
    }
    if let Some(stream) = &failure.stream {
        place.push(stream.clone());
    }
    if place.is_empty() {
        return String::new();
    }
    let separator = say(language, "audit-separator", &[]);
    let args = [("place", text(place.join(&separator)))];
    say(language, "audit-bundle-place", &args)
}

/// A signed checkpoint the log no longer matches.
/// `matched`: the size of the largest checkpoint kept outside the ledger below this one
/// that the log still matches (0: none), after whose events the rewrite is.
fn rewritten(
    checkpoint: &Checkpoint,
    what: &str,
    found: crate::store::Sha256,
    matched: u64,
) -> LedgerError {
    let heads = what != "root";
    let signed = if heads {
        checkpoint.heads_root
    } else {
        checkpoint.root
    };
    let size = checkpoint.tree_size;
    crate::store::StoreError::Corrupt {
        position: size,
        message: crate::store::findings::checkpoint_root_rewritten(
            (size, matched),
            heads,
            signed,
            found,
        ),
    }
    .into()
}

#[derive(Serialize)]
struct AuditVerifyReport {
    ok: bool,
    store: crate::ledger::VerifyReport,
    checkpoints_verified: u64,
    /// Checkpoints given with `--kept` and found to match the log.
    #[serde(skip_serializing_if = "is_zero")]
    kept_checkpoints_verified: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    latest_checkpoint: Option<Checkpoint>,
    /// The checkpoints signed by each `--earlier-key`, oldest key first (D85).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    earlier_keys: Vec<EarlierKeyReport>,
}

/// What one earlier key signed, of the checkpoints checked (stored and kept).
#[derive(Serialize)]
struct EarlierKeyReport {
    public_key: String,
    checkpoints: u64,
    /// The smallest and largest log size it signed (absent when it signed none).
    #[serde(skip_serializing_if = "Option::is_none")]
    first_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_size: Option<u64>,
}

/// No ledger where `--data-dir` points, the operator's most common mistake (or a file
/// there): a sentence, so `main` says it in the reader's language
/// (`cli::error_said_in`). `verify` asks before it reads the signing key (a probe's
/// file was "cannot read the signing key FILE/audit-signing-key: Not a directory").
pub(crate) fn refuse_where_no_ledger(place: &Place) -> anyhow::Result<()> {
    if !place.store.has_ledger() {
        return Err(crate::cli::no_ledger(&place.store, "audit-no-ledger"));
    }
    Ok(())
}

pub fn verify(
    place: &Place,
    (public_key, earlier, kept): (Option<&str>, &[String], &[std::path::PathBuf]),
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let found_by = (place, "flexledger-audit verify");
    // A key given wrong is said before the walk, which takes minutes on a large store,
    // and so is a kept checkpoint that is no checkpoint of this ledger's key.
    let pinned = crate::cli::pinned_public_key(public_key)?;
    let chain = key_chain(place, pinned, &earlier_keys(earlier)?)?;
    let kept = kept_checkpoints(place, kept, chain.as_ref())?;
    let witness = crate::cli::PgWitness::read(place)?;
    witness.say_if_missing(place, language);
    // One snapshot of a PostgreSQL store: a writer appending meanwhile changes no table.
    let store = open_reader_as(place, Reading::Snapshot).inspect_err(|error| {
        if json {
            crate::cli::print_damage_found_on_opening(out, error);
        }
    })?;
    let progress = walk_progress("verify 1/2", store.head()?.0);
    let outcome = witness.check(&store).and_then(|()| {
        crate::ledger::verify(&store, &mut |position| {
            if position % proofs::PROGRESS_EVENTS_STEP == 0 {
                progress.set_position(position);
            }
        })
    });
    progress.finish_and_clear();
    let report = match outcome {
        Ok(report) => report,
        Err(error) => return damaged(found_by, &store, error, (json, language), out),
    };
    let stored = match signed_checkpoints(place, &store, chain.as_ref(), pinned.is_some())? {
        Ok(stored) => stored,
        Err(CheckpointsFinding::Damaged(error)) => {
            return checkpoint_damaged(found_by, error, (json, language), out)
        }
        Err(CheckpointsFinding::OtherKey(other)) => {
            return signed_by_another_key(&other, (json, language), out)
        }
    };
    let latest = stored.last().map(|(checkpoint, _)| checkpoint.clone());
    let total = u64::try_from(stored.len()).unwrap_or(u64::MAX);
    let kept_checked = u64::try_from(kept.len()).unwrap_or(u64::MAX);
    let kept_sizes: Vec<u64> = kept
        .iter()
        .map(|(checkpoint, _)| checkpoint.tree_size)
        .collect();
    let stored_count = stored.len();
    let mut chained = stored;
    chained.extend(kept);
    if let Some(pair) = KeyChain::first_out_of_order(&chained) {
        return signed_after_replaced(pair, &chained, (json, language), out);
    }
    if let Some(key) = chain.as_ref().and_then(|chain| {
        let unsigned = chain.unsigned_successor(&chained)?;
        chain.key(unsigned)
    }) {
        return successor_signed_nothing(key, (json, language), out);
    }
    let earlier_keys = earlier_key_reports(chain.as_ref(), &chained);
    if let Err(error) = check_all_against_log(&store, (&chained, stored_count), report.events) {
        // With kept checkpoints, the finding may be theirs alone: then only a verify
        // that checks them again may remove its mark.
        return match kept_alone_mismatch(&store, &chained, stored_count, report.events) {
            true => kept_checkpoint_damaged(place, error, (json, language), out),
            false => checkpoint_damaged(found_by, error, (json, language), out),
        };
    }
    let output = AuditVerifyReport {
        ok: true,
        store: report,
        checkpoints_verified: total,
        kept_checkpoints_verified: kept_checked,
        latest_checkpoint: latest,
        earlier_keys,
    };
    print_verified_or_marked(place, (&output, &kept_sizes), (json, language), out)
}

/// The report of a verify that found everything intact, and its exit; or, when the
/// store stays marked for a check this verify did not make, the store as damaged.
fn print_verified_or_marked(
    place: &Place,
    (output, kept_sizes): (&AuditVerifyReport, &[u64]),
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    match clear_verified_mark(place, (output, kept_sizes), language) {
        Some(code) => {
            print_verified(output, output.checkpoints_verified, (json, language), out)?;
            Ok(code)
        }
        None => print_still_marked(place, (json, language), out),
    }
}

/// A store that stays marked after an intact walk: damaged as far as anyone knows,
/// since the check that found it is one this verify did not make; said as damage,
/// exit 1 (an auditor's probe read "OK" and `"ok":true` on a log a verify with kept
/// checkpoints had found rewritten, exit 2).
fn print_still_marked(
    place: &Place,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let marked = crate::cli::mark_place_of(place);
    if json {
        let (position, message) = crate::cli::still_marked(&marked, Language::En);
        let report = serde_json::json!({"ok": false, "finding": "damaged",
            "position": position, "message": message});
        print_json(out, &report)?;
    } else {
        let (position, message) = crate::cli::still_marked(&marked, language);
        let args = [("position", text(position)), ("message", text(message))];
        writeln!(out, "{}", say(language, "audit-damaged", &args))?;
    }
    Ok(ExitCode::from(1))
}

/// Whether a mismatch found among `chained` (the first `stored` the ledger's own, the
/// rest kept outside it) is the kept checkpoints' alone: the stored ones pass a walk of
/// their own. A second walk, made only when something was found.
fn kept_alone_mismatch(
    store: &(impl ReadStore + ?Sized),
    chained: &[crate::audit::checkpoint::ChainedCheckpoint],
    stored: usize,
    events: u64,
) -> bool {
    stored < chained.len()
        && check_all_against_log(store, (&chained[..stored], stored), events).is_ok()
}

/// Every checkpoint checked, stored and kept, against the log of `events` events
/// (`chained`: the first `stored` the ledger's own, the rest kept outside it).
fn check_all_against_log(
    store: &(impl ReadStore + ?Sized),
    (chained, stored): (&[crate::audit::checkpoint::ChainedCheckpoint], usize),
    events: u64,
) -> Result<(), LedgerError> {
    let mut pending: Vec<Checkpoint> = chained
        .iter()
        .map(|(checkpoint, _)| checkpoint.clone())
        .collect();
    // Newest first, as the walk takes them from the end.
    pending.sort_by_key(|checkpoint| std::cmp::Reverse(checkpoint.tree_size));
    let kept: Vec<Checkpoint> = chained
        .iter()
        .skip(stored)
        .map(|(checkpoint, _)| checkpoint.clone())
        .collect();
    check_empty_log_checkpoints(&mut pending)
        .and_then(|()| check_checkpoints_against_log(store, (&mut pending, &kept), events))
}

/// After `verify` passed: everything `flexledger verify` checks, and the checkpoints,
/// so any damage mark goes (D61) and the exit is 0; unless the walk did not compare the
/// state rows (another build's format, D89), which a mark may have been left for: then
/// 2, so that a job run on a schedule sees that a check was left out.
/// A mark a verify with kept checkpoints left stays after one without them (`None`:
/// the store is said damaged, exit 1): the kept ones may be all that tells a rewritten
/// log (an auditor's probe had a plain verify remove such a mark, and writes resumed
/// on the rewritten log).
fn clear_verified_mark(
    place: &Place,
    (output, kept_sizes): (&AuditVerifyReport, &[u64]),
    language: Language,
) -> Option<ExitCode> {
    let marked = crate::cli::mark_place_of(place);
    if !crate::cli::rows_compared(&output.store, ("flexledger-audit", language)) {
        crate::cli::say_mark_kept_uncompared(&marked, "flexledger-audit", language);
        return Some(ExitCode::from(2));
    }
    let path = marked.path();
    let found = crate::store::damage_mark::read_at(&path).ok().flatten();
    // A mark a kept checkpoint left stays until that checkpoint is checked again and
    // passes: a newcomer's probe removed one with a kept file of the size-0 checkpoint
    // alone, and writes resumed on the rewritten log.
    let unchecked = found.as_ref().and_then(|found| {
        let own = found.found_by == crate::store::damage_mark::KEPT_VERIFY;
        let size = (found.kept_size).or(found.position.filter(|_| own))?;
        (!kept_sizes.contains(&size)).then_some(size)
    });
    if let (Some(size), false) = (unchecked, kept_sizes.is_empty()) {
        let args = [("mark", text(path.display())), ("size", text(size))];
        let line = say(language, "audit-mark-kept-for-its-checkpoint", &args);
        crate::shell_support::say_on_stderr!(
            "flexledger-audit{}{line}",
            crate::cli::colon(language)
        );
        return None;
    }
    if output.kept_checkpoints_verified == 0
        && found.is_some_and(|found| found.found_with_kept_checkpoints())
    {
        let args = [("mark", text(path.display()))];
        let line = say(language, "audit-mark-kept-for-kept-checkpoints", &args);
        crate::shell_support::say_on_stderr!(
            "flexledger-audit{}{line}",
            crate::cli::colon(language)
        );
        return None;
    }
    match crate::cli::clear_verified_mark(&marked, "flexledger-audit", language) {
        crate::cli::MarkLeft::None => Some(ExitCode::SUCCESS),
        crate::cli::MarkLeft::ForAnotherVerify => None,
        crate::cli::MarkLeft::NotRemoved => Some(ExitCode::from(2)),
    }
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// Bytes of a `--kept` file, at most: its most lines, each a checkpoint of a few
/// hundred bytes.
const KEPT_FILE_BYTES_MAX: u64 = 1 << 30;

/// Lines of a `--kept` file, at most: a `checkpoint --list --json` of a ledger that
/// signed one a minute for a year is about 525,600.
const KEPT_CHECKPOINT_LINES_MAX: usize = 1_000_000;

/// `--earlier-key`s at most: a ledger that lost its key once a year for sixteen years
/// has an operator problem no flag solves.
const EARLIER_KEYS_MAX: usize = 16;

/// The keys checkpoints are checked with: the current one, pinned (`--public-key`) or
/// else the public half of the data directory's signing key, if there is one, after
/// the `--earlier-key`s (D85).
fn key_chain(
    place: &Place,
    pinned: Option<ed25519_dalek::VerifyingKey>,
    earlier: &[ed25519_dalek::VerifyingKey],
) -> anyhow::Result<Option<KeyChain>> {
    let current = match pinned {
        Some(key) => Some(key),
        None => keys::load(&place.data_dir)?.map(|key| key.verifying_key()),
    };
    // A key given twice, or the current key given as an earlier one, makes a chain
    // whose report contradicts itself (an auditor's probe was told one key signed
    // none and two of the same checkpoints): refused, as any key given wrong.
    for (index, key) in earlier.iter().enumerate() {
        let shown = || vec![("key", crate::audit::checkpoint::hex(key.as_bytes()))];
        if earlier[..index].contains(key) {
            return Err(Sentence::new("audit-earlier-key-repeated", shown()).into());
        }
        if current == Some(*key) {
            return Err(Sentence::new("audit-earlier-key-is-current", shown()).into());
        }
    }
    Ok(current.map(|current| KeyChain::new(current, earlier)))
}

/// The `--earlier-key`s, oldest first, each a public key.
fn earlier_keys(given: &[String]) -> anyhow::Result<Vec<ed25519_dalek::VerifyingKey>> {
    if given.len() > EARLIER_KEYS_MAX {
        let args = vec![("max", EARLIER_KEYS_MAX.to_string())];
        return Err(Sentence::new("audit-earlier-keys-too-many", args).into());
    }
    let parse = |text: &String| {
        crate::audit::checkpoint::parse_public_key(text).map_err(|_| {
            // Quoted and cut, as a pasted key may carry anything.
            let shown: String = text.chars().take(80).collect();
            let args = vec![("key", format!("{shown:?}"))];
            Sentence::new("audit-earlier-key-not-a-key", args)
        })
    };
    Ok(given.iter().map(parse).collect::<Result<_, _>>()?)
}

/// What each earlier key signed of the checkpoints checked.
fn earlier_key_reports(
    chain: Option<&KeyChain>,
    checked: &[ChainedCheckpoint],
) -> Vec<EarlierKeyReport> {
    let Some(chain) = chain else {
        return Vec::new();
    };
    (0..chain.earlier())
        .map(|place| {
            let sizes = checked
                .iter()
                .filter(|(_, signer)| *signer == place)
                .map(|(checkpoint, _)| checkpoint.tree_size);
            EarlierKeyReport {
                public_key: chain.key(place).map_or_else(String::new, |key| {
                    crate::audit::checkpoint::hex(key.as_bytes())
                }),
                checkpoints: u64::try_from(sizes.clone().count()).unwrap_or(u64::MAX),
                first_size: sizes.clone().min(),
                last_size: sizes.max(),
            }
        })
        .collect()
}

/// `--earlier-key` given, but the key after it signed none of the checkpoints checked:
/// the earlier key's checkpoints are not accepted on their own (D85). A finding
/// (exit 1).
fn successor_signed_nothing(
    key: &ed25519_dalek::VerifyingKey,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let args = [("key", text(crate::audit::checkpoint::hex(key.as_bytes())))];
    let said = |language| say(language, "audit-verify-successor-signed-nothing", &args);
    let finding = ("successor_signed_nothing", said);
    key_finding(finding, 0, serde_json::Map::new(), (json, language), out)
}

/// A finding about keys (exit 1), without the damage advice: `said` in the reader's
/// language, or with `--json` one object of its `finding` code (a program tells the
/// findings apart by it, not by the English), its English, the log size it concerns
/// and `fields`.
fn key_finding(
    (finding, said): (&str, impl Fn(Language) -> String),
    position: u64,
    fields: serde_json::Map<String, serde_json::Value>,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    if json {
        let mut report = serde_json::json!({"ok": false, "finding": finding,
            "position": position, "message": said(Language::En)});
        if let Some(report) = report.as_object_mut() {
            report.extend(fields);
        }
        print_json(out, &report)?;
    } else {
        writeln!(out, "{}", said(language))?;
    }
    Ok(ExitCode::from(1))
}

/// One JSON field of a key finding.
fn field(name: &str, value: &str) -> (String, serde_json::Value) {
    (name.to_owned(), serde_json::Value::from(value))
}

/// A checkpoint signed by an earlier key after the key that replaced it had signed a
/// smaller one: whoever holds the earlier key signed after the change (D85). A finding
/// about keys (exit 1), like a checkpoint of another key.
fn signed_after_replaced(
    (late, replaced): (&ChainedCheckpoint, &ChainedCheckpoint),
    checked: &[ChainedCheckpoint],
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let args = [
        ("size", text(late.0.tree_size)),
        ("origin", text(&late.0.origin)),
        ("replaced", text(replaced.0.tree_size)),
        ("successor", text(&replaced.0.origin)),
    ];
    // An honest ledger's keys given the wrong way round read as a theft: said as
    // what it most likely is (an auditor's probe was told to keep it as evidence).
    let (finding, id) = match KeyChain::looks_swapped(checked, late, replaced) {
        true => ("keys_swapped", "audit-verify-keys-swapped"),
        false => (
            "signed_after_replaced",
            "audit-verify-signed-after-replaced",
        ),
    };
    let said = |language| say(language, id, &args);
    let fields = [field("signed_by", &late.0.origin)].into_iter().collect();
    let finding = (finding, said);
    key_finding(finding, late.0.tree_size, fields, (json, language), out)
}

/// Neither `--public-key` nor a signing key in the data directory (an auditor's copy of
/// it has none): said in the reader's language by `main`.
fn no_key_to_verify(place: &Place) -> Sentence {
    let path = keys::key_path(&place.data_dir).display().to_string();
    Sentence::new("audit-no-key-to-verify", vec![("path", path)])
}

/// The checkpoints of the `--kept` files, each signed by the ledger's key (`pinned`, or
/// the data directory's): one JSON object a line, a `checkpoint --json` or `--list
/// --json` line (its `signed` field) or the signed checkpoint itself. A file that holds
/// none, a line that is none, or one signed by another key is refused before the walk
/// (exit 2): it says nothing of the log.
fn kept_checkpoints(
    place: &Place,
    files: &[std::path::PathBuf],
    chain: Option<&KeyChain>,
) -> anyhow::Result<Vec<ChainedCheckpoint>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let Some(chain) = chain else {
        return Err(no_key_to_verify(place).into());
    };
    let inputs: Vec<(&str, &std::path::Path)> = files
        .iter()
        .map(|file| ("--kept", file.as_path()))
        .collect();
    crate::shell_support::stdio::one_standard_input(&inputs)?;
    let mut kept = Vec::new();
    for file in files {
        let name = crate::shell_support::stdio::display(file, true);
        // `-` is standard input, as for every file option (a newcomer piped
        // `checkpoint --list --json` into `--kept -` and was told "cannot read -").
        let text = crate::shell_support::stdio::read_small_input(file, KEPT_FILE_BYTES_MAX)?;
        let before = kept.len();
        for (index, line) in text.lines().enumerate().take(KEPT_CHECKPOINT_LINES_MAX) {
            if line.trim().is_empty() {
                continue;
            }
            let checked = kept_line(line, chain);
            let refused = |reason: Sentence| {
                let args = vec![("file", name.clone()), ("line", (index + 1).to_string())];
                Sentence::new("audit-kept-line-refused", args).with_said("reason", reason)
            };
            kept.push(checked.map_err(refused)?);
        }
        if kept.len() == before {
            return Err(Sentence::new("audit-kept-none", vec![("file", name)]).into());
        }
    }
    Ok(kept)
}

/// One line of a `--kept` file, its signature checked with the ledger's keys.
fn kept_line(line: &str, chain: &KeyChain) -> Result<ChainedCheckpoint, Sentence> {
    let not_one = |error: serde_json::Error| {
        Sentence::new(
            "audit-kept-not-a-checkpoint",
            vec![("detail", error.to_string())],
        )
    };
    let value: serde_json::Value = serde_json::from_str(line).map_err(not_one)?;
    let signed = value.get("signed").cloned().unwrap_or(value);
    let signed: SignedCheckpoint = serde_json::from_value(signed).map_err(not_one)?;
    chain
        .verify(&signed)
        .map_err(|error| wrong_key_said(&error, false))
}

/// A checkpoint's error as said: one signed by another key names the key checked with
/// as "the pinned key" only when one was pinned (`--public-key`), else as this ledger's
/// key (a re-probe: "the pinned key" misled where nothing was pinned). A sentence, so
/// that it is said in the reader's language (an auditor's probe read it in English
/// inside Chinese lines).
fn wrong_key_said(error: &CheckpointError, pinned: bool) -> Sentence {
    match error {
        CheckpointError::WrongKey { found, pinned: key } => {
            let id = match pinned {
                true => "audit-checkpoint-wrong-key-pinned",
                false => "audit-checkpoint-wrong-key-ledgers",
            };
            Sentence::new(id, vec![("found", found.clone()), ("key", key.clone())])
        }
        other => crate::backup::checkpoint_error_said(other),
    }
}

/// What the stored checkpoints' signatures found, when not all of them check.
enum CheckpointsFinding {
    /// A checkpoint that is malformed or whose signature does not verify.
    Damaged(LedgerError),
    /// A checkpoint signed by another key than the one the auditor pinned: the key
    /// given may be the wrong one (another ledger's, mistyped), or the checkpoints
    /// were not signed by the ledger that published it. Not damage to restore from a
    /// backup: the auditor checks which key the ledger published.
    OtherKey(OtherKey),
}

/// A checkpoint signed by another key than the pinned one.
struct OtherKey {
    /// The checkpoint's log size.
    size: u64,
    found: String,
    pinned: String,
    /// Where the pinned key came from when no `--public-key` was given: the data
    /// directory's key file, which is then the likelier culprit (another ledger's key
    /// put in its place) than the log, which `flexledger verify` may find intact.
    key_file: Option<String>,
    /// A later checkpoint is signed by the key checked with: the other key may be one
    /// the ledger replaced (`checkpoint --new-key`), which `--earlier-key` accepts.
    replaced: bool,
}

/// `verify --public-key` met a checkpoint signed by another key: a finding (exit 1),
/// said as what it is, without the damage advice (a restore cannot change whose key
/// signed).
fn signed_by_another_key(
    other: &OtherKey,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut args = vec![
        ("size", count(other.size)),
        ("found", text(&other.found)),
        ("pinned", text(&other.pinned)),
    ];
    let id = match &other.key_file {
        Some(path) => {
            args.push(("path", text(path)));
            "audit-verify-key-file-other"
        }
        None => "audit-verify-other-key",
    };
    let said = |language| {
        let mut message = say(language, id, &args);
        if other.replaced {
            let keys = [
                ("found", text(&other.found)),
                ("pinned", text(&other.pinned)),
            ];
            let hint = say(language, "audit-verify-other-key-replaced", &keys);
            message = format!("{message}\n{hint}");
        }
        message
    };
    let fields = [
        field("signed_by", &other.found),
        field("pinned", &other.pinned),
    ];
    let fields = fields.into_iter().collect();
    let finding = ("signed_by_another_key", said);
    key_finding(finding, other.size, fields, (json, language), out)
}

/// The stored checkpoints, oldest first, each with its signature checked against the
/// pinned public key, else the data directory's signing key; a bad one is a finding
/// (the inner error).
fn signed_checkpoints(
    place: &Place,
    store: &(impl ReadStore + ?Sized),
    chain: Option<&KeyChain>,
    pinned: bool,
) -> anyhow::Result<Result<Vec<ChainedCheckpoint>, CheckpointsFinding>> {
    let Some(chain) = chain else {
        if proofs::stored_checkpoints(store, None)?.is_empty() {
            return Ok(Ok(Vec::new()));
        }
        return Err(no_key_to_verify(place).into());
    };
    let stored = proofs::stored_checkpoints_checked(
        store,
        |signed| chain.verify(signed),
        |(checkpoint, _)| checkpoint,
    )?;
    // Whether a checkpoint after `index` is signed by the current key: a checkpoint of
    // another key before it looks like a key the ledger replaced (D85).
    let current_signs_after = |index: usize| {
        stored[index + 1..]
            .iter()
            .any(|(_, checked)| matches!(checked, Ok((_, place)) if *place == chain.earlier()))
    };
    let mut checkpoints: Vec<ChainedCheckpoint> = Vec::new();
    for (index, (signed, checked)) in stored.iter().enumerate() {
        match checked {
            Ok(chained) => checkpoints.push(chained.clone()),
            Err(error) => {
                let size = Checkpoint::parse_note(&signed.note)
                    .map(|checkpoint| checkpoint.tree_size)
                    .unwrap_or(0);
                // A checkpoint signed, validly, by another key is about keys, not the
                // log: the key given, or the data directory's key file, may not be this
                // ledger's. Said so, without the damage advice (found by an auditor's
                // probe: another ledger's key file made this call a log that
                // `flexledger verify` passes "damaged at position 0").
                // (Without a key given, only a checkpoint whose signature verifies
                // under the key it names is "signed by another key"; any other is
                // damage, as before.)
                let validly_signed = pinned || signed.verify(None).is_ok();
                if let (CheckpointError::WrongKey { found, pinned: key }, true) =
                    (&error, validly_signed)
                {
                    let key_file =
                        (!pinned).then(|| keys::key_path(&place.data_dir).display().to_string());
                    let other = OtherKey {
                        size,
                        found: found.clone(),
                        pinned: key.clone(),
                        key_file,
                        replaced: current_signs_after(index),
                    };
                    return Ok(Err(CheckpointsFinding::OtherKey(other)));
                }
                let damaged = crate::store::StoreError::Corrupt {
                    position: size,
                    message: crate::store::findings::checkpoint_stored(
                        crate::backup::checkpoint_error_said(error),
                    ),
                };
                return Ok(Err(CheckpointsFinding::Damaged(damaged.into())));
            }
        }
    }
    Ok(Ok(checkpoints))
}

/// Takes the checkpoints of the empty log off the end of `pending` (newest first),
/// checking each has the empty log's roots.
fn check_empty_log_checkpoints(pending: &mut Vec<Checkpoint>) -> Result<(), LedgerError> {
    let empty = LogTree::default();
    while pending
        .last()
        .is_some_and(|checkpoint| checkpoint.tree_size == 0)
    {
        let Some(checkpoint) = pending.pop() else {
            break;
        };
        if empty.checkpoint(checkpoint.origin.clone(), checkpoint.created_at) != checkpoint {
            return Err(crate::store::StoreError::Corrupt {
                position: 0,
                message: crate::store::findings::empty_checkpoint_roots(),
            }
            .into());
        }
    }
    Ok(())
}

/// Checks every checkpoint in `pending` (newest first) against the log in one walk:
/// each checkpoint's heads root when the walk reaches its size (the heads change as it
/// goes), then every log root from one levelled tree at the end. A checkpoint beyond
/// the log's `events` means events were removed. The smallest checkpoint that differs
/// is named, with the largest of `kept` (checkpoints an auditor kept outside the
/// ledger) below it that still matches: the rewrite is after that one's events (an
/// auditor's probe kept checkpoints of 23 and 33 events, and was told positions 1 to
/// 33). A checkpoint the ledger stored is no such evidence: a log rewritten and signed
/// again matches its own.
fn check_checkpoints_against_log(
    store: &(impl ReadStore + ?Sized),
    (pending, kept): (&mut Vec<Checkpoint>, &[Checkpoint]),
    events: u64,
) -> Result<(), LedgerError> {
    let mut heads_checked: Vec<Checkpoint> = Vec::new();
    // The first (smallest) checkpoint whose heads differ, and the heads root found.
    let mut heads_differ: Option<(Checkpoint, crate::store::Sha256)> = None;
    let progress = walk_progress("verify 2/2", events);
    let walked = proofs::walk_log(
        store,
        None,
        &mut |tree| {
            while pending
                .last()
                .is_some_and(|checkpoint| checkpoint.tree_size == tree.size())
            {
                // OK because the loop condition saw an element.
                let checkpoint = pending.pop().expect("a pending checkpoint");
                let (_, head_leaves) = tree.head_leaves();
                let heads_root = crate::audit::merkle::root(&head_leaves);
                if heads_root != checkpoint.heads_root
                    || u64::try_from(head_leaves.len()).ok() != Some(checkpoint.heads_size)
                {
                    heads_differ.get_or_insert((checkpoint, heads_root));
                } else {
                    heads_checked.push(checkpoint);
                }
            }
            Ok(())
        },
        &mut |position| progress.set_position(position),
    );
    progress.finish_and_clear();
    let log = MerkleTree::new(walked?.leaves);
    let root_of = |checkpoint: &Checkpoint| {
        usize::try_from(checkpoint.tree_size)
            .ok()
            .and_then(|size| log.root(size))
    };
    let root_differs = heads_checked
        .iter()
        .find(|checkpoint| root_of(checkpoint) != Some(checkpoint.root))
        .map(|checkpoint| (checkpoint.clone(), root_of(checkpoint).unwrap_or_default()));
    let differs = match (heads_differ, root_differs) {
        (Some(heads), Some(root)) if root.0.tree_size < heads.0.tree_size => Some((root, "root")),
        (Some(heads), _) => Some((heads, "heads root")),
        (None, Some(root)) => Some((root, "root")),
        (None, None) => None,
    };
    if let Some(((checkpoint, found), what)) = differs {
        let matched = heads_checked
            .iter()
            .filter(|below| below.tree_size < checkpoint.tree_size)
            .filter(|below| root_of(below) == Some(below.root))
            .filter(|below| kept.contains(below))
            .map(|below| below.tree_size)
            .max()
            .unwrap_or(0);
        return Err(rewritten(&checkpoint, what, found, matched));
    }
    if let Some(checkpoint) = pending.last() {
        return Err(crate::store::StoreError::Corrupt {
            position: checkpoint.tree_size,
            message: crate::store::findings::checkpoint_beyond_log(checkpoint.tree_size, events),
        }
        .into());
    }
    Ok(())
}

/// Whether the walk compared the state rows: `compared`, or `not-compared` for rows
/// another build wrote (D89), which the OK line must not claim were checked.
fn rows_checked(report: &crate::ledger::VerifyReport) -> &'static str {
    match report.state_rows_format {
        None => "compared",
        Some(_) => "not-compared",
    }
}

/// What `verify` says when everything checked out.
fn print_verified(
    output: &AuditVerifyReport,
    total: u64,
    (json, language): (bool, Language),
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if json {
        return print_json(out, output);
    }
    let args = [
        ("events", count(output.store.events)),
        ("streams", count(output.store.streams)),
        ("members", count(output.store.members)),
        ("rows", text(rows_checked(&output.store))),
    ];
    writeln!(out, "{}", say(language, "audit-verify-ok", &args))?;
    match &output.latest_checkpoint {
        Some(checkpoint) => {
            let args = [
                ("count", count(total)),
                ("size", count(checkpoint.tree_size)),
                ("root", text(checkpoint.root)),
            ];
            writeln!(out, "{}", say(language, "audit-verify-checkpoints", &args))?;
            // "Matches the log" over 0 of 38 events read as more assurance than it
            // gives (a probe): the events no signature covers yet are counted.
            let unsigned = output.store.events.saturating_sub(checkpoint.tree_size);
            if unsigned > 0 {
                let args = [
                    ("unsigned", count(unsigned)),
                    ("first", count(checkpoint.tree_size + 1)),
                    ("last", count(output.store.events)),
                ];
                writeln!(out, "{}", say(language, "audit-verify-unsigned", &args))?;
            }
        }
        None => {
            let message = say(language, "audit-verify-no-checkpoint", &[]);
            writeln!(out, "{message}")?;
        }
    }
    if output.kept_checkpoints_verified > 0 {
        let args = [("count", count(output.kept_checkpoints_verified))];
        writeln!(out, "{}", say(language, "audit-verify-kept", &args))?;
    }
    for earlier in &output.earlier_keys {
        let args = [
            ("count", count(earlier.checkpoints)),
            ("key", text(&earlier.public_key)),
            ("first", count(earlier.first_size.unwrap_or(0))),
            ("last", count(earlier.last_size.unwrap_or(0))),
        ];
        writeln!(out, "{}", say(language, "audit-verify-earlier-key", &args))?;
    }
    Ok(())
}
