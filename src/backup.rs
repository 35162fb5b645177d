//! Backup and restore: a consistent copy of the ledger at one position, and a new data
//! directory made from such a copy.
//!
//! A backup is an audit bundle of the whole log ([`crate::audit::bundle`], scope
//! `all`): the header, every envelope at positions 1..=N exactly as `flexledger events`
//! prints it, every stream's head with its path in the heads tree, every member's
//! coverage folded at N, and a checkpoint of the log at N signed with the ledger's key.
//! `flexledger-audit verify-bundle` checks a backup as it checks any bundle.
//!
//! **Consistent while commands are appended.** N is the log's head when the backup
//! starts. Events at positions up to N never change, so the two walks of the log (one
//! builds the trees that are signed, the other writes the lines) read the same events
//! whatever is appended meanwhile; the second walk checks each event against the
//! first's leaf.
//!
//! **Memory.** The log is streamed, never held, and nor is the folded state: a backup
//! keeps the log tree's leaves (32 bytes an event) and one head per stream, the events
//! of at most [`BACKUP_COMMANDS_READ_MAX`] commands and [`BACKUP_HELD_EVENTS_MAX`]
//! events (more only if one command has more) while their body digests are read at
//! once, and folds each member's coverage from its own and its region's streams,
//! one member at a time. A restore keeps the same, plus one batch of at most
//! [`RESTORE_BATCH_EVENTS_MAX`] events (more only if one command has more), then
//! rebuilds the state rows as `flexledger rebuild` does. A check without a store
//! ([`verify_backup`]) folds the whole state to compare the coverages with.
//!
//! **Restore** reads a backup once, line by line. Each event's hash, position and both
//! chains are checked as it comes, and verified events are appended as they are
//! (positions, hashes, command ids) into a fresh store in a staging directory beside
//! the target. After the last event the store is reopened (releasing the engine's
//! write caches) and its state rows are rebuilt from the log (the fold); then every
//! stream head is checked against the events, every coverage against the rebuilt rows,
//! and, on the last line, the signature and both Merkle roots. Only then is the
//! staging directory renamed to the target. A refused backup leaves nothing behind.
//!
//! **Command digests.** A backup puts each command's body digest (contract v2
//! `command_id_reused`) on a `command` record right before the command's first event,
//! and a restore stores it with the command's id, so the restored ledger refuses a
//! different command under an accepted id as the original does. Since bundle version
//! 3 a `commands` record before the checkpoint signs them all with the checkpoint's key
//! (`audit::bundle::CommandsNote`): the checkpoint signs only the events and heads, and
//! a record removed from a backup had restored unnoticed. A backup of version 2
//! (2026-12-04 to 05) restores with its records unsigned, and the report says so
//! (`commands_signed`); one of version 1 has none: its ids answer any body as a
//! duplicate, as ids accepted by v1 do. What is not in a backup, and so not restored:
//! the stored `CoverageChanged` feed items, and the checkpoints stored before (the
//! backup's own checkpoint is stored in the new ledger). The private signing key is
//! never in a backup (docs/DECISIONS.md D33).

use crate::audit::bundle::{
    count, holds_command_records, signs_command_records, version_read, write_line, CommandsDigest,
    CommandsNote, CountingWriter, ForeignStart, Header, Record, Scope, BACKUP_BUNDLE_VERSION,
    BUNDLE_FORMAT, BUNDLE_LINE_BYTES_MAX,
};
use crate::audit::checkpoint::{
    event_leaf, head_leaf, hex, key_id, origin_for, unhex, Checkpoint, CheckpointError, LogTree,
    SignedCheckpoint,
};
use crate::audit::keys;
use crate::audit::merkle::{self, MerkleTree};
use crate::audit::proofs;
use crate::codec::wire;
use crate::domain::coverage::MemberCoverage;
use crate::domain::state::FoldProblem;
use crate::domain::StreamId;
use crate::i18n::Sentence;
use crate::ledger::Folder;
use crate::ledger::LedgerError;
use crate::store::{
    findings, sled_store, CheckpointWriter, CommandRecord, DamageDetail, Envelope, EventLog,
    EventStore, LogWriter, PrintedLineProblem, ReadStore, Sha256, SledStore, StoreError,
};
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Serialize;
use std::collections::HashSet;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Events a restore appends into the new store at once (one sled batch and fsync);
/// batches end at command boundaries, so one command's events are never split.
pub const RESTORE_BATCH_EVENTS_MAX: usize = 4096;

/// The response header of `GET /v1/backup` naming the backup's position.
pub const BACKUP_POSITION_HEADER: &str = "x-flexledger-backup-position";

/// What a backup wrote.
#[derive(Clone, Debug, Serialize)]
pub struct BackupSummary {
    /// The backup's position: its last event, and its checkpoint's tree size.
    pub position: u64,
    pub head_hash: Sha256,
    pub streams: u64,
    pub members: u64,
    /// The signed log root at `position`.
    pub root: Sha256,
    /// Which key signed the checkpoint (`flexledger-audit public-key` prints it).
    pub key_id: String,
    pub public_key: String,
    pub bytes: u64,
}

fn corrupt(position: u64, message: DamageDetail) -> LedgerError {
    StoreError::Corrupt { position, message }.into()
}

/// Why a checkpoint does not verify, as a sentence of the catalog (`store.ftl`,
/// `store-checkpoint-*`: a malformed note or key with its English detail), for the
/// findings that quote it.
pub(crate) fn checkpoint_error_said(error: &CheckpointError) -> Sentence {
    match error {
        CheckpointError::Malformed(detail) => said(
            "store-checkpoint-malformed",
            vec![("detail", detail.clone())],
        ),
        CheckpointError::BadKey(detail) => {
            said("store-checkpoint-bad-key", vec![("detail", detail.clone())])
        }
        CheckpointError::WrongKey { found, pinned } => said(
            "store-checkpoint-wrong-key",
            vec![("found", found.clone()), ("pinned", pinned.clone())],
        ),
        CheckpointError::BadSignature => said("store-checkpoint-bad-signature", vec![]),
    }
}

/// Walks the log from position 1 to the head it has when the walk starts, verifying
/// every event as it reads it: the trees a backup's checkpoint signs.
pub fn walk(
    store: &(impl ReadStore + ?Sized),
    progress: &mut dyn FnMut(u64),
) -> Result<LogTree, LedgerError> {
    proofs::walk_log(store, None, &mut |_| Ok(()), progress)
}

/// Signs a checkpoint of `tree` and stores it, as `flexledger-audit checkpoint` does
/// (a checkpoint already stored at that size is used instead: D22).
pub fn checkpoint_stored(
    store: &mut dyn EventStore,
    tree: &LogTree,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<SignedCheckpoint, LedgerError> {
    let (signed, _) = proofs::checkpoint_now(store, tree, key, now)?;
    check_signed(tree, &signed, &key.verifying_key())?;
    Ok(signed)
}

/// A checkpoint of `tree` through a handle that may not write (a running server's
/// reader): the one stored at its size if there is one, else a new one, signed and
/// published in the backup only.
pub fn checkpoint_unstored(
    store: &(impl ReadStore + ?Sized),
    tree: &LogTree,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<SignedCheckpoint, LedgerError> {
    let verifying = key.verifying_key();
    let stored = proofs::stored_checkpoints(store, Some(&verifying))?
        .into_iter()
        .find(|(_, checked)| {
            checked
                .as_ref()
                .is_ok_and(|checkpoint| checkpoint.tree_size == tree.size())
        })
        .map(|(signed, _)| signed);
    let signed = stored.unwrap_or_else(|| tree.checkpoint(origin_for(&verifying), now).sign(key));
    check_signed(tree, &signed, &verifying)?;
    Ok(signed)
}

/// Pair check before anything is written: the checkpoint verifies with the ledger's
/// key and commits to exactly this tree (a stored one signed before a rewrite would not).
fn check_signed(
    tree: &LogTree,
    signed: &SignedCheckpoint,
    key: &VerifyingKey,
) -> Result<Checkpoint, LedgerError> {
    let checkpoint = signed.verify(Some(key)).map_err(|error| {
        let found = findings::stored_checkpoint(checkpoint_error_said(&error));
        corrupt(tree.size(), found)
    })?;
    if checkpoint != tree.checkpoint(checkpoint.origin.clone(), checkpoint.created_at) {
        return Err(corrupt(tree.size(), findings::checkpoint_rewritten()));
    }
    Ok(checkpoint)
}

/// Writes the backup of `tree` (walked by [`walk`]) proven against `signed` (a
/// checkpoint of it), streaming the log a second time.
pub fn write_backup(
    store: &(impl ReadStore + ?Sized),
    tree: &LogTree,
    signed: &SignedCheckpoint,
    key: &SigningKey,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<BackupSummary, LedgerError> {
    let checkpoint = signed.verify(None).map_err(|error| {
        let found = findings::backup_checkpoint(checkpoint_error_said(&error));
        corrupt(tree.size(), found)
    })?;
    assert_eq!(
        checkpoint.tree_size,
        tree.size(),
        "the checkpoint is of this tree"
    );
    // The command records are signed with the checkpoint's key, or no reader takes them.
    assert_eq!(
        signed.public_key,
        hex(key.verifying_key().as_bytes()),
        "the checkpoint is signed with the key given"
    );
    let members = member_ids(tree);
    let mut out = CountingWriter {
        inner: out,
        bytes: 0,
    };
    let mut header = Header::new(
        Scope::All,
        tree.size(),
        count(tree.heads.len()),
        count(members.len()),
        tree.size(),
    );
    header.version = BACKUP_BUNDLE_VERSION;
    write_line(&mut out, &header)?;
    let (head_hash, records) = write_events(store, tree, &mut out, progress)?;
    write_heads(tree, &mut out)?;
    for member_id in &members {
        // The member's and its region's streams folded up to the position, exactly
        // what the backup's events hold (not the `--as-of` view, which takes a close's
        // consequences recorded after it): memory for one member at a time.
        let member = crate::ledger::member_coverage_recorded(store, *member_id, tree.size())?
            .ok_or_else(|| corrupt(tree.size(), findings::member_no_events(*member_id)))?;
        let record = Record::Coverage {
            coverage: Box::new(wire::MemberCoverage::from(&member)),
        };
        write_line(&mut out, &record)?;
    }
    let commands = CommandsNote::of(&checkpoint, &records).sign(key);
    write_line(&mut out, &Record::Commands(commands))?;
    write_line(&mut out, &Record::Checkpoint(signed.clone()))?;
    out.flush().map_err(io_error)?;
    Ok(BackupSummary {
        position: tree.size(),
        head_hash,
        streams: header.streams,
        members: header.members,
        root: checkpoint.root,
        key_id: signed_key_id(signed),
        public_key: signed.public_key.clone(),
        bytes: out.bytes,
    })
}

fn signed_key_id(signed: &SignedCheckpoint) -> String {
    crate::audit::checkpoint::parse_public_key(&signed.public_key)
        .map(|key| key_id(&key))
        .unwrap_or_default()
}

/// The members whose streams are in the tree, in id order (stream names sort so).
fn member_ids(tree: &LogTree) -> Vec<Uuid> {
    tree.heads
        .keys()
        .filter_map(|name| match StreamId::parse(name) {
            Some(StreamId::Member(member_id)) => Some(member_id),
            _ => None,
        })
        .collect()
}

/// Commands whose body digests a backup reads at once (`EventLog::command_spans`): one
/// read per command was a round trip each on PostgreSQL. Their events are held until
/// then, so a read also happens once [`BACKUP_HELD_EVENTS_MAX`] events are held.
pub const BACKUP_COMMANDS_READ_MAX: usize = 1_000;
/// Events a backup holds while it reads their commands' digests. A command is never
/// split (its digest comes before its first event), so one month close chunk of more
/// events than this (a command of up to a chunk of members' events) is held whole.
pub const BACKUP_HELD_EVENTS_MAX: usize = 4_096;

/// Writes positions 1..=tree size, each checked against the tree's leaf, each command's
/// body digest before its first event; returns the last one's hash and the digest of
/// the `command` records written.
fn write_events(
    store: &(impl ReadStore + ?Sized),
    tree: &LogTree,
    out: &mut CountingWriter<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(Sha256, CommandsDigest), LedgerError> {
    let mut written = 0u64;
    let mut head_hash = Sha256::ZERO;
    let mut held = HeldCommands::default();
    for envelope in store.read_log(1) {
        let envelope = envelope?;
        let index = usize::try_from(envelope.position - 1).unwrap_or(usize::MAX);
        let Some(leaf) = tree.leaves.get(index) else {
            break;
        };
        if event_leaf(&envelope.hash) != *leaf {
            return Err(corrupt(
                envelope.position,
                findings::changed_during_backup(),
            ));
        }
        written = envelope.position;
        head_hash = envelope.hash;
        let full = held.ids.len() >= BACKUP_COMMANDS_READ_MAX
            || held.envelopes.len() >= BACKUP_HELD_EVENTS_MAX;
        if full && held.starts_command(&envelope) {
            held.write(store, out)?;
        }
        held.push(envelope);
        if written.is_multiple_of(proofs::PROGRESS_EVENTS_STEP) {
            progress(written);
        }
    }
    held.write(store, out)?;
    if written != tree.size() {
        return Err(corrupt(
            written + 1,
            findings::log_short_of_checkpoint(written, tree.size()),
        ));
    }
    progress(written);
    Ok((head_hash, held.records))
}

/// Events read and not yet written, and the ids of their commands in log order.
#[derive(Default)]
struct HeldCommands {
    envelopes: Vec<Envelope>,
    ids: Vec<Uuid>,
    /// The `command` records written so far, for the signed `commands` record.
    records: CommandsDigest,
}

impl HeldCommands {
    /// Whether `envelope` is the first of its command (a command's events are
    /// contiguous in the log).
    fn starts_command(&self, envelope: &Envelope) -> bool {
        self.envelopes
            .last()
            .is_none_or(|last| last.command_id != envelope.command_id)
    }

    fn push(&mut self, envelope: Envelope) {
        if self.starts_command(&envelope) {
            self.ids.push(envelope.command_id);
        }
        self.envelopes.push(envelope);
    }

    /// Every held command's record names its events (first position and count), as
    /// `verify` checks: a backup writes a `command` record only where the ledger holds
    /// one, so a record lost to damage would leave its id out of the backup, and the
    /// restored ledger would answer a different command under that id as a duplicate
    /// (an operator's probe, 2026-12-06: a flipped bit in sled's file, a backup that
    /// exited 0 and signed the rest, a restore that passed `verify`).
    fn check_records(
        &self,
        spans: &std::collections::HashMap<Uuid, crate::store::CommandSpan>,
    ) -> Result<(), LedgerError> {
        let mut runs: Vec<(Uuid, u64, u64)> = Vec::new();
        for envelope in &self.envelopes {
            match runs.last_mut() {
                Some((command_id, _, count)) if *command_id == envelope.command_id => {
                    *count += 1;
                }
                _ => runs.push((envelope.command_id, envelope.position, 1)),
            }
        }
        for (command_id, first, count) in runs {
            let span = spans.get(&command_id).copied();
            crate::ledger::check_command_record(command_id, (first, count), span)?;
        }
        Ok(())
    }

    /// Writes the held events, a `command` record before each command's first one if
    /// the ledger holds its body digest.
    fn write(
        &mut self,
        store: &(impl ReadStore + ?Sized),
        out: &mut CountingWriter<'_>,
    ) -> Result<(), LedgerError> {
        let spans = store.command_spans(&self.ids)?;
        self.check_records(&spans)?;
        let mut previous = None;
        for envelope in self.envelopes.drain(..) {
            if previous != Some(envelope.command_id) {
                let digest = spans
                    .get(&envelope.command_id)
                    .and_then(|span| span.body_digest);
                if let Some(body_digest) = digest {
                    let command_id = envelope.command_id;
                    self.records.add(command_id, &body_digest);
                    write_line(
                        out,
                        &Record::Command {
                            command_id,
                            body_digest,
                        },
                    )?;
                }
                previous = Some(envelope.command_id);
            }
            write_line(out, &envelope)?;
        }
        self.ids.clear();
        Ok(())
    }
}

/// One `stream_head` record per stream, in name order, with its heads-tree path.
fn write_heads(tree: &LogTree, out: &mut CountingWriter<'_>) -> Result<(), LedgerError> {
    let (names, leaves) = tree.head_leaves();
    let size = leaves.len();
    let heads_tree = MerkleTree::new(leaves);
    for (index, name) in names.iter().enumerate() {
        let (version, hash) = *tree
            .heads
            .get(*name)
            .ok_or_else(|| corrupt(tree.size(), findings::stream_no_head(name)))?;
        let path = heads_tree
            .inclusion_proof(index, size)
            .ok_or_else(|| corrupt(tree.size(), findings::no_heads_proof()))?;
        let record = Record::StreamHead {
            stream: (*name).to_owned(),
            version,
            hash,
            index: count(index),
            path,
        };
        write_line(out, &record)?;
    }
    Ok(())
}

fn io_error(error: std::io::Error) -> LedgerError {
    LedgerError::from(StoreError::Io {
        path: "the backup".into(),
        source: error,
    })
}

/// Why a backup was not restored (or not accepted).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The backup is not what was backed up: altered, cut short, reordered, or signed
    /// by another key. Names the line (1-based; 0 for the file as a whole: empty, or
    /// not a text file at all) and, for an event, its position; the reason is data
    /// each language words (`InvalidReason::sentence`).
    #[error("{}{reason}", at_line(*line, *position))]
    Invalid {
        line: u64,
        position: Option<u64>,
        /// Boxed: a checkpoint's reason holds four hashes.
        reason: Box<InvalidReason>,
    },
    #[error("cannot read the backup: {0}")]
    Read(#[source] std::io::Error),
    /// The restore was not attempted or not finished for a reason outside the backup
    /// (the target, the staging directory, the signing key): a catalog sentence
    /// (`store-restore-*`, `backup-restore-*`), so the shell says it in the reader's
    /// language; its `Display` is the English.
    #[error("{0}")]
    Refused(Sentence),
    /// The ledger's signing key named by `$FLEXLEDGER_SIGNING_KEY` cannot be read or
    /// is malformed (said as the key's own error: `KeyError::sentence`).
    #[error(transparent)]
    Key(#[from] crate::audit::keys::KeyError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Where an invalid backup failed, as `Display` begins it: nothing for the file as a
/// whole (line 0: an empty file said to be at "line 0" read as nonsense).
fn at_line(line: u64, position: Option<u64>) -> String {
    if line == 0 {
        return String::new();
    }
    let position = position.map_or_else(String::new, |position| format!(" (position {position})"));
    format!("line {line}{position}: ")
}

impl From<StoreError> for BackupError {
    fn from(error: StoreError) -> BackupError {
        BackupError::Ledger(error.into())
    }
}

/// Why a backup does not verify, as data, so that each language words it
/// (`backup-invalid-*`, `locales/*/backup.ftl`, D37); `Display` is the English, the
/// `message` of `restore`'s JSON. The words of other modules inside some (serde's, a
/// stored event's decoder) stay as they came, serde's said in the reader's language
/// where `i18n::detail_in` understands them; a fold's problem and a rebuild's finding
/// are said in the reader's language (`store::findings`).
#[derive(Debug, PartialEq, Eq)]
pub enum InvalidReason {
    /// A line after the signed checkpoint.
    AfterCheckpoint,
    /// An event line after the first stream head.
    EventAfterHeads,
    /// A record line serde cannot read.
    MalformedRecord {
        detail: String,
    },
    /// An inclusion proof: a member's or region's bundle.
    InclusionProof,
    /// The first line is no bundle header (serde's words say why).
    NoHeader {
        detail: String,
    },
    /// A bundle header of another format or version.
    WrongFormat {
        format: String,
        version: String,
    },
    /// A bundle header of a scope other than `all` (the scope as it reads in Rust).
    WrongScope {
        scope: String,
    },
    /// The event does not decode: altered after it was recorded.
    Altered {
        detail: String,
    },
    /// The event's hash is not its content's: altered after it was recorded (the two
    /// hashes, so each language words it: the words were English inside Chinese).
    HashMismatch {
        claimed: crate::store::Sha256,
        hash: crate::store::Sha256,
    },
    /// An event line without its `hash`: altered and its hash stripped.
    NoHash,
    /// An event whose content and hash agree, in a line the ledger does not print so
    /// (D72).
    EventNotAsPrinted,
    /// A header or record line the ledger does not write so (D72).
    RecordNotAsWritten,
    /// An event at another position than the next.
    PositionOutOfOrder {
        position: u64,
        expected: u64,
    },
    /// An event whose `prev_hash` is not the hash of the event before it.
    BrokenLink {
        prev_hash: Sha256,
        previous: Sha256,
        previous_position: u64,
    },
    /// An event the fold refuses (a check without a store).
    EventDoesNotFold {
        problem: FoldProblem,
    },
    /// An event filed in another stream than its payload's.
    WrongStream {
        stream: String,
    },
    /// An event that is not the next version of its stream.
    VersionOutOfOrder {
        version: u64,
        stream: String,
        previous: u64,
    },
    /// A record of an earlier part after a later part's (`stage` and `after` are the
    /// parts' names: `Heads`, `Coverages`, …).
    Moved {
        stage: &'static str,
        after: &'static str,
    },
    /// The header's event count is not the backup's.
    EventCount {
        listed: u64,
        held: u64,
    },
    /// The header's stream or member count is not the backup's (the header is not
    /// signed: it is checked against what follows, never trusted).
    HeaderCounts {
        streams: u64,
        members: u64,
        heads: u64,
        coverages: u64,
    },
    /// Fewer or more coverages than the events make members.
    CoverageCount {
        members: u64,
        held: u64,
    },
    /// The restored events do not fold (the rebuild's finding).
    EventsDoNotFold {
        found: DamageDetail,
    },
    HeadOutOfOrder {
        stream: String,
    },
    /// No stream head line for `stream` where it belongs (the heads come one per
    /// stream, in name order): a line was removed, or the backup was cut.
    HeadMissing {
        stream: String,
    },
    /// A stream head that is not the one its events make.
    HeadAltered {
        stream: String,
        version: u64,
    },
    CoverageOutOfOrder {
        member: Uuid,
    },
    /// A coverage that is not the fold of the backup's events.
    CoverageAltered {
        member: Uuid,
    },
    CoverageWithoutEvents {
        member: Uuid,
    },
    /// The signed checkpoint does not verify (by the pinned key, if one is).
    CheckpointNotTrusted(CheckpointError),
    /// The signed checkpoint commits to other trees (its size and roots) than the
    /// events make.
    CheckpointDiffers {
        signed_size: u64,
        signed_root: Sha256,
        signed_heads_root: Sha256,
        size: u64,
        root: Sha256,
        heads_root: Sha256,
    },
    /// The header's tree size is not the checkpoint's.
    TreeSize {
        header: u64,
        checkpoint: u64,
    },
    /// The checkpoint's public key does not parse.
    PublicKey(CheckpointError),
    /// A command's events are not contiguous in the log.
    CommandNotContiguous {
        command_id: Uuid,
    },
    /// A `command` record not right before its command's first event (or in a backup
    /// of version 1, which has none).
    CommandRecordAstray {
        command_id: Uuid,
    },
    /// A `commands` record in a backup of a version without one, or a second one.
    CommandsUnexpected,
    /// A backup of version 3 whose checkpoint comes without its `commands` record.
    CommandsMissing,
    /// The `commands` record's signature does not verify (by the pinned key, if one is).
    CommandsNotTrusted(CheckpointError),
    /// The `command` records are not those the `commands` record signs.
    CommandsDiffer {
        signed: u64,
        held: u64,
    },
    /// The `commands` record names another checkpoint (another backup's, or another
    /// key's) than the backup's.
    CommandsOfAnotherCheckpoint,
    /// A file of no bytes at all.
    Empty,
    /// A line with nothing on it, which the ledger never writes (D72).
    BlankLine,
    /// A file that starts as gzip does (`bundle::GZIP_MAGIC`): a compressed backup.
    Gzip,
    /// A file that starts with a UTF-8 byte-order mark (`bundle::UTF8_BYTE_ORDER_MARK`): an
    /// editor saved it again.
    ByteOrderMark,
    LineTooLong {
        max: usize,
    },
    NotUtf8,
    /// The last line has no line end and does not check: cut short.
    CutInLine,
    /// The backup ends before its signed checkpoint.
    NoCheckpoint,
}

impl InvalidReason {
    /// The reason as a catalog sentence.
    pub fn sentence(&self) -> Sentence {
        self.line_sentence()
            .or_else(|| self.event_sentence())
            .or_else(|| self.checkpoint_sentence())
            .unwrap_or_else(|| self.part_sentence())
    }

    /// The sentence of a reason about a line as a whole, or the header.
    fn line_sentence(&self) -> Option<Sentence> {
        let text = |value: &dyn std::fmt::Display| value.to_string();
        Some(match self {
            InvalidReason::AfterCheckpoint => said("backup-invalid-after-checkpoint", vec![]),
            InvalidReason::EventAfterHeads => said("backup-invalid-event-after-heads", vec![]),
            InvalidReason::MalformedRecord { detail } => said(
                "backup-invalid-malformed-record",
                vec![("detail", text(detail))],
            )
            .with_line_detail("detail"),
            InvalidReason::InclusionProof => said("backup-invalid-inclusion-proof", vec![]),
            InvalidReason::NoHeader { detail } => {
                said("backup-invalid-no-header", vec![("detail", text(detail))])
                    .with_line_detail("detail")
            }
            InvalidReason::WrongFormat { format, version } => said(
                "backup-invalid-wrong-format",
                vec![("format", text(format)), ("version", text(version))],
            ),
            InvalidReason::WrongScope { scope } => {
                said("backup-invalid-wrong-scope", vec![("scope", text(scope))])
            }
            InvalidReason::Empty => said("backup-invalid-empty", vec![]),
            InvalidReason::BlankLine => said("backup-invalid-blank-line", vec![]),
            InvalidReason::Gzip => said("backup-invalid-gzip", vec![]),
            InvalidReason::ByteOrderMark => said("backup-invalid-byte-order-mark", vec![]),
            InvalidReason::LineTooLong { max } => {
                said("backup-invalid-line-too-long", vec![("max", text(max))])
            }
            InvalidReason::NotUtf8 => said("backup-invalid-not-utf8", vec![]),
            InvalidReason::CutInLine => said("backup-invalid-cut-in-line", vec![]),
            InvalidReason::NoCheckpoint => said("backup-invalid-no-checkpoint", vec![]),
            InvalidReason::RecordNotAsWritten => {
                said("backup-invalid-record-not-as-written", vec![])
            }
            InvalidReason::Moved { stage, after } => said(
                "backup-invalid-moved",
                vec![("stage", text(stage)), ("after", text(after))],
            ),
            _ => return None,
        })
    }

    /// The sentence of a reason about an event line.
    fn event_sentence(&self) -> Option<Sentence> {
        let text = |value: &dyn std::fmt::Display| value.to_string();
        Some(match self {
            InvalidReason::Altered { detail } => {
                said("backup-invalid-altered", vec![("detail", text(detail))])
            }
            InvalidReason::HashMismatch { claimed, hash } => said(
                "backup-invalid-hash-mismatch",
                vec![("claimed", text(claimed)), ("hash", text(hash))],
            ),
            InvalidReason::NoHash => said("backup-invalid-no-hash", vec![]),
            InvalidReason::EventNotAsPrinted => said("backup-invalid-event-not-as-printed", vec![]),
            InvalidReason::PositionOutOfOrder { position, expected } => said(
                "backup-invalid-position",
                vec![("position", text(position)), ("expected", text(expected))],
            ),
            InvalidReason::BrokenLink {
                prev_hash,
                previous,
                previous_position,
            } => said(
                "backup-invalid-broken-link",
                vec![
                    ("prev_hash", text(prev_hash)),
                    ("previous", text(previous)),
                    ("previous_position", text(previous_position)),
                ],
            ),
            InvalidReason::EventDoesNotFold { problem } => findings::fold_problem(problem)
                .inside("backup-invalid-event-does-not-fold", "detail"),
            InvalidReason::WrongStream { stream } => said(
                "backup-invalid-wrong-stream",
                vec![("stream", text(stream))],
            ),
            InvalidReason::VersionOutOfOrder {
                version,
                stream,
                previous,
            } => said(
                "backup-invalid-version",
                vec![
                    ("version", text(version)),
                    ("stream", text(stream)),
                    ("previous", text(previous)),
                ],
            ),
            InvalidReason::CommandNotContiguous { command_id } => said(
                "backup-invalid-command-not-contiguous",
                vec![("command_id", text(command_id))],
            ),
            InvalidReason::CommandRecordAstray { command_id } => said(
                "backup-invalid-command-record-astray",
                vec![("command_id", text(command_id))],
            ),
            InvalidReason::EventsDoNotFold { found } => {
                found.inside("backup-invalid-events-do-not-fold", "detail")
            }
            _ => return None,
        })
    }

    /// The sentence of a reason about the counts, the stream heads or the coverages.
    fn part_sentence(&self) -> Sentence {
        let text = |value: &dyn std::fmt::Display| value.to_string();
        let member = |id, member: &Uuid| said(id, vec![("member", text(member))]);
        match self {
            InvalidReason::EventCount { listed, held } => said(
                "backup-invalid-event-count",
                vec![("listed", text(listed)), ("held", text(held))],
            ),
            InvalidReason::CoverageCount { members, held } => said(
                "backup-invalid-coverage-count",
                vec![("members", text(members)), ("held", text(held))],
            ),
            InvalidReason::HeaderCounts {
                streams,
                members,
                heads,
                coverages,
            } => said(
                "backup-invalid-header-counts",
                vec![
                    ("streams", text(streams)),
                    ("members", text(members)),
                    ("heads", text(heads)),
                    ("coverages", text(coverages)),
                ],
            ),
            InvalidReason::HeadOutOfOrder { stream } => said(
                "backup-invalid-head-out-of-order",
                vec![("stream", text(stream))],
            ),
            InvalidReason::HeadMissing { stream } => said(
                "backup-invalid-head-missing",
                vec![("stream", text(stream))],
            ),
            InvalidReason::HeadAltered { stream, version } => said(
                "backup-invalid-head-altered",
                vec![("stream", text(stream)), ("version", text(version))],
            ),
            InvalidReason::CoverageOutOfOrder { member: id } => {
                member("backup-invalid-coverage-out-of-order", id)
            }
            InvalidReason::CoverageAltered { member: id } => {
                member("backup-invalid-coverage-altered", id)
            }
            InvalidReason::CoverageWithoutEvents { member: id } => {
                member("backup-invalid-coverage-without-events", id)
            }
            // OK because the other reasons have their sentences above.
            other => unreachable!("{other:?} has a line, event or checkpoint sentence"),
        }
    }

    /// The sentence of a reason about the signed checkpoint.
    fn checkpoint_sentence(&self) -> Option<Sentence> {
        let text = |value: &dyn std::fmt::Display| value.to_string();
        Some(match self {
            InvalidReason::TreeSize { header, checkpoint } => said(
                "backup-invalid-tree-size",
                vec![("header", text(header)), ("checkpoint", text(checkpoint))],
            ),
            InvalidReason::CheckpointDiffers {
                signed_size,
                signed_root,
                signed_heads_root,
                size,
                root,
                heads_root,
            } => said(
                "backup-invalid-checkpoint-differs",
                vec![
                    ("signed_size", text(signed_size)),
                    ("signed_root", text(signed_root)),
                    ("signed_heads_root", text(signed_heads_root)),
                    ("size", text(size)),
                    ("root", text(root)),
                    ("heads_root", text(heads_root)),
                ],
            ),
            InvalidReason::CheckpointNotTrusted(error) => checkpoint_not_trusted(error),
            InvalidReason::PublicKey(CheckpointError::BadKey(detail)) => {
                said("backup-invalid-public-key", vec![("detail", text(detail))])
            }
            InvalidReason::PublicKey(other) => checkpoint_not_trusted(other),
            InvalidReason::CommandsUnexpected => said("backup-invalid-commands-unexpected", vec![]),
            InvalidReason::CommandsMissing => said("backup-invalid-commands-missing", vec![]),
            InvalidReason::CommandsNotTrusted(error) => commands_not_trusted(error),
            InvalidReason::CommandsDiffer { signed, held } => said(
                "backup-invalid-commands-differ",
                vec![("signed", text(signed)), ("held", text(held))],
            ),
            InvalidReason::CommandsOfAnotherCheckpoint => {
                said("backup-invalid-commands-of-another-checkpoint", vec![])
            }
            _ => return None,
        })
    }
}

impl std::fmt::Display for InvalidReason {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.sentence(), formatter)
    }
}

fn said(id: &'static str, args: Vec<(&'static str, String)>) -> Sentence {
    Sentence::new(id, args)
}

/// A checkpoint that does not verify: a key or signature in each language's words, a
/// malformed note or key with its English detail.
fn checkpoint_not_trusted(error: &CheckpointError) -> Sentence {
    match error {
        CheckpointError::WrongKey { found, pinned } => said(
            "backup-invalid-checkpoint-wrong-key",
            vec![("found", found.clone()), ("pinned", pinned.clone())],
        ),
        CheckpointError::BadSignature => said("backup-invalid-checkpoint-bad-signature", vec![]),
        other => said(
            "backup-invalid-checkpoint-forged",
            vec![("detail", other.to_string())],
        ),
    }
}

/// A `commands` record that does not verify, worded as [`checkpoint_not_trusted`].
fn commands_not_trusted(error: &CheckpointError) -> Sentence {
    match error {
        CheckpointError::WrongKey { found, pinned } => said(
            "backup-invalid-commands-wrong-key",
            vec![("found", found.clone()), ("pinned", pinned.clone())],
        ),
        CheckpointError::BadSignature => said("backup-invalid-commands-bad-signature", vec![]),
        CheckpointError::Malformed(detail) | CheckpointError::BadKey(detail) => said(
            "backup-invalid-commands-forged",
            vec![("detail", detail.clone())],
        ),
    }
}

/// What a verified backup holds.
#[derive(Clone, Debug)]
pub struct BackupCheck {
    pub events: u64,
    pub streams: u64,
    pub members: u64,
    pub head_hash: Sha256,
    pub checkpoint: Checkpoint,
    pub signed: SignedCheckpoint,
    pub signer: VerifyingKey,
    pub key_pinned: bool,
    /// Whether a signed `commands` record vouched for the `command` records (version
    /// 3); older backups' records, if any, are taken unsigned.
    pub commands_signed: bool,
    /// The bundle version of the backup.
    pub version: u32,
}

/// The parts of a backup, in the order they must come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Header,
    Events,
    Heads,
    Coverages,
    Commands,
    Done,
}

impl Stage {
    /// The part's name in messages (`InvalidReason::Moved`).
    fn name(self) -> &'static str {
        match self {
            Stage::Header => "Header",
            Stage::Events => "Events",
            Stage::Heads => "Heads",
            Stage::Coverages => "Coverages",
            Stage::Commands => "Commands",
            Stage::Done => "Done",
        }
    }
}

/// What verified events go into.
enum Target {
    /// A check only: the events are folded here, to compare the coverages with
    /// (members kept as rows, as every whole-log fold does: D44).
    Fold(Box<Folder>),
    /// A restore: the events are appended to a fresh store, whose state rows are
    /// rebuilt once they are all in; the coverages are compared with those rows. (No
    /// second state is held while the events stream in.)
    Store(Box<Sink>),
}

/// Checks a backup line by line and hands verified events to its [`Target`].
struct Checker<'a> {
    /// The ledger's published key; `None` accepts the key the backup names.
    pinned: Option<&'a VerifyingKey>,
    stage: Stage,
    /// The current line, 1-based.
    line: u64,
    /// What the (unsigned) header claims, checked against what follows.
    header: Option<Header>,
    /// Leaves and stream heads of the events read so far.
    tree: LogTree,
    /// The hash of the last event read (zeros before the first).
    last_hash: Sha256,
    target: Target,
    /// The heads tree's root, computed from the events when the heads begin.
    heads_root: Sha256,
    heads_seen: u64,
    last_stream: Option<String>,
    /// The first head (line, stream, version) equal to its events' whose path did not
    /// lead to the heads root: named at the end of the heads if no head differs.
    unproven_head: Option<(u64, String, u64)>,
    members_seen: u64,
    last_member: Option<Uuid>,
    check: Option<BackupCheck>,
    /// The header's version: `command` records only in a backup's (version 2).
    version: u32,
    /// A `command` record read (its command, digest and line), waiting for its
    /// command's first event.
    pending_command: Option<(Uuid, Sha256, u64)>,
    /// A `command` record followed by another command's record instead of its first
    /// event (its command and line): judged at the next event. A position missing
    /// there is the fault named (its event was removed); otherwise the record is
    /// astray. A restore of a backup with one event removed named only the digest
    /// before it, "moved or added", and no position.
    unanswered: Option<(Uuid, u64)>,
    /// The command of the last event read.
    last_command: Option<Uuid>,
    /// The `command` records read, for the signed `commands` record (version 3).
    records: CommandsDigest,
    /// The `commands` record's note and key, for the checkpoint to match.
    commands: Option<(CommandsNote, String)>,
}

impl<'a> Checker<'a> {
    fn new(pinned: Option<&'a VerifyingKey>, target: Target) -> Checker<'a> {
        Checker {
            pinned,
            stage: Stage::Header,
            line: 0,
            header: None,
            tree: LogTree::default(),
            last_hash: Sha256::ZERO,
            heads_root: Sha256::ZERO,
            heads_seen: 0,
            last_stream: None,
            unproven_head: None,
            members_seen: 0,
            last_member: None,
            check: None,
            version: 0,
            pending_command: None,
            unanswered: None,
            last_command: None,
            records: CommandsDigest::default(),
            commands: None,
            target,
        }
    }

    /// A header or record line is the bytes the ledger writes for what it holds
    /// (`bundle::is_as_written`, D72).
    fn as_written(&self, text: &str, parsed: &impl Serialize) -> Result<(), BackupError> {
        if crate::audit::bundle::is_as_written(text, parsed) {
            return Ok(());
        }
        Err(self.invalid(None, InvalidReason::RecordNotAsWritten))
    }

    fn invalid(&self, position: Option<u64>, reason: InvalidReason) -> BackupError {
        BackupError::Invalid {
            line: self.line,
            position,
            reason: Box::new(reason),
        }
    }

    /// A `command` record that is not right before its command's first event, named
    /// by its own line (as `verify-bundle` names it).
    fn astray(line: u64, command_id: Uuid) -> BackupError {
        BackupError::Invalid {
            line,
            position: None,
            reason: Box::new(InvalidReason::CommandRecordAstray { command_id }),
        }
    }

    /// One non-blank line.
    fn check_line(&mut self, text: &str) -> Result<(), BackupError> {
        match self.stage {
            Stage::Done => return Err(self.invalid(None, InvalidReason::AfterCheckpoint)),
            Stage::Header => return self.header_line(text),
            _ => {}
        }
        if !text.starts_with("{\"record\":") {
            // A record re-spaced or with its keys reordered is an edited record, not an
            // event that does not decode (a probe saw "unknown field `record`").
            if is_record(text) {
                return Err(self.invalid(None, InvalidReason::RecordNotAsWritten));
            }
            if self.stage != Stage::Events {
                return Err(self.invalid(position_of(text), InvalidReason::EventAfterHeads));
            }
            return self.event_line(text);
        }
        let record: Record = serde_json::from_str(text).map_err(|error| {
            let detail = error.to_string();
            self.invalid(None, InvalidReason::MalformedRecord { detail })
        })?;
        self.as_written(text, &record)?;
        if let Some((command_id, _, line)) = self.pending_command.take() {
            // A command's digest is followed by its first event, nothing else; one
            // followed by another digest is judged at the next event (`unanswered`).
            let first = self.unanswered.unwrap_or((command_id, line));
            if !matches!(record, Record::Command { .. }) || self.unanswered.is_some() {
                return Err(Checker::astray(first.1, first.0));
            }
            self.unanswered = Some(first);
        }
        match record {
            Record::Command {
                command_id,
                body_digest,
            } => {
                if self.stage != Stage::Events || !holds_command_records(self.version) {
                    return Err(Checker::astray(self.line, command_id));
                }
                self.records.add(command_id, &body_digest);
                self.pending_command = Some((command_id, body_digest, self.line));
                Ok(())
            }
            Record::Commands(signed) => {
                // Among the events it is out of place, not a sign that events or
                // heads are missing (what closing those stages would say).
                if self.stage == Stage::Events {
                    return Err(self.invalid(None, InvalidReason::CommandsUnexpected));
                }
                self.enter(Stage::Commands)?;
                self.commands_line(&signed)
            }
            Record::StreamHead {
                stream,
                version,
                hash,
                index,
                path,
            } => {
                self.enter(Stage::Heads)?;
                self.head_line(&stream, version, &hash, index, &path)
            }
            Record::Coverage { coverage } => {
                self.enter(Stage::Coverages)?;
                self.coverage_line(&MemberCoverage::from(*coverage))
            }
            Record::Checkpoint(signed) => {
                self.enter(Stage::Done)?;
                self.checkpoint_line(signed)
            }
            Record::Inclusion { .. } => Err(self.invalid(None, InvalidReason::InclusionProof)),
        }
    }

    fn header_line(&mut self, text: &str) -> Result<(), BackupError> {
        let header: Header = serde_json::from_str(text).map_err(|error| {
            let detail = error.to_string();
            self.invalid(None, InvalidReason::NoHeader { detail })
        })?;
        self.as_written(text, &header)?;
        if header.record != "bundle"
            || header.format != BUNDLE_FORMAT
            || !version_read(header.version)
        {
            let (format, version) = (header.format, header.version.to_string());
            return Err(self.invalid(None, InvalidReason::WrongFormat { format, version }));
        }
        if header.scope != Scope::All {
            // As the bundle writes it (`member 0b53…`, `region demo`), not Rust's debug
            // form (`Member(0b53…)`), which a probe saw in both languages.
            let scope = match &header.scope {
                Scope::Member(member) => format!("member {member}"),
                Scope::Region(region) => format!("region {}", region.as_str()),
                Scope::All => "all".to_owned(),
            };
            return Err(self.invalid(None, InvalidReason::WrongScope { scope }));
        }
        self.version = header.version;
        self.header = Some(header);
        self.stage = Stage::Events;
        Ok(())
    }
}

/// Whether a line that does not start as the ledger writes a record is one all the
/// same: a JSON object with a `record` field.
fn is_record(text: &str) -> bool {
    text.contains("\"record\"")
        && serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|value| value.get("record").is_some())
}

/// The `position` an (unverifiable) event line claims, to name it in a message.
fn position_of(text: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("position")?
        .as_u64()
}

impl Checker<'_> {
    fn event_line(&mut self, text: &str) -> Result<(), BackupError> {
        let envelope = Envelope::decode_printed(text.as_bytes()).map_err(|problem| {
            let reason = match problem {
                PrintedLineProblem::Undecodable(detail) => InvalidReason::Altered { detail },
                PrintedLineProblem::HashMismatch { claimed, hash } => {
                    InvalidReason::HashMismatch { claimed, hash }
                }
                PrintedLineProblem::NoHash => InvalidReason::NoHash,
                PrintedLineProblem::NotAsPrinted => InvalidReason::EventNotAsPrinted,
            };
            self.invalid(position_of(text), reason)
        })?;
        let position = envelope.position;
        let expected = self.tree.size() + 1;
        if position != expected {
            let reason = InvalidReason::PositionOutOfOrder { position, expected };
            return Err(self.invalid(Some(position), reason));
        }
        let previous = self.last_hash;
        if envelope.prev_hash != previous {
            let reason = InvalidReason::BrokenLink {
                prev_hash: envelope.prev_hash,
                previous,
                previous_position: position - 1,
            };
            return Err(self.invalid(Some(position), reason));
        }
        if let Some((command_id, line)) = self.unanswered.take() {
            return Err(Checker::astray(line, command_id));
        }
        self.check_stream(&envelope)?;
        let body_digest = self.command_digest(&envelope)?;
        self.tree.push(&envelope);
        self.last_hash = envelope.hash;
        let line = self.line;
        match &mut self.target {
            Target::Fold(folder) => {
                folder
                    .apply(position, &envelope.event)
                    .map_err(|error| BackupError::Invalid {
                        line,
                        position: Some(position),
                        reason: Box::new(InvalidReason::EventDoesNotFold {
                            problem: error.problem,
                        }),
                    })
            }
            Target::Store(sink) => sink.push(envelope, line, body_digest),
        }
    }

    /// The body digest of the command `envelope` begins, from the `command` record
    /// right before it; a record before any other event is astray.
    fn command_digest(&mut self, envelope: &Envelope) -> Result<Option<Sha256>, BackupError> {
        let starts = self.last_command != Some(envelope.command_id);
        self.last_command = Some(envelope.command_id);
        match self.pending_command.take() {
            None => Ok(None),
            Some((command_id, digest, _)) if starts && command_id == envelope.command_id => {
                Ok(Some(digest))
            }
            Some((command_id, _, line)) => Err(Checker::astray(line, command_id)),
        }
    }

    /// The event continues its stream: the next version, linked to the stream's last
    /// event, in the stream its payload names.
    fn check_stream(&self, envelope: &Envelope) -> Result<(), BackupError> {
        let position = Some(envelope.position);
        if envelope.stream != envelope.event.stream().name() {
            let stream = envelope.stream.clone();
            return Err(self.invalid(position, InvalidReason::WrongStream { stream }));
        }
        let (version, last) = self
            .tree
            .heads
            .get(&envelope.stream)
            .copied()
            .unwrap_or((0, Sha256::ZERO));
        if envelope.version != version + 1 || envelope.stream_prev_hash != last {
            let reason = InvalidReason::VersionOutOfOrder {
                version: envelope.version,
                stream: envelope.stream.clone(),
                previous: version,
            };
            return Err(self.invalid(position, reason));
        }
        Ok(())
    }

    /// Moves on to `stage`, closing every stage passed: each must be complete.
    fn enter(&mut self, stage: Stage) -> Result<(), BackupError> {
        if stage < self.stage {
            let reason = InvalidReason::Moved {
                stage: stage.name(),
                after: self.stage.name(),
            };
            return Err(self.invalid(None, reason));
        }
        while self.stage < stage {
            self.close_stage()?;
        }
        Ok(())
    }

    fn close_stage(&mut self) -> Result<(), BackupError> {
        let (next, missing) = match self.stage {
            // OK because `enter` closes stages from Events on (the header line moves
            // to Events itself) and never goes past Done.
            Stage::Header | Stage::Done => {
                unreachable!("the header is closed by its line; nothing follows Done")
            }
            Stage::Events => {
                let claimed = self.header.as_ref().map_or(0, |header| header.events);
                if self.tree.size() != claimed {
                    let held = self.tree.size();
                    let reason = InvalidReason::EventCount {
                        listed: claimed,
                        held,
                    };
                    return Err(self.invalid(None, reason));
                }
                self.close_events()?;
                let (_, leaves) = self.tree.head_leaves();
                self.heads_root = merkle::root(&leaves);
                (Stage::Heads, None)
            }
            // A head is checked as its line comes, so only heads at the end can be
            // missing: the first is the one expected next.
            Stage::Heads => {
                let missing = self.next_head().map(|stream| InvalidReason::HeadMissing {
                    stream: stream.clone(),
                });
                if let (None, Some((line, stream, version))) = (&missing, self.unproven_head.take())
                {
                    return Err(BackupError::Invalid {
                        line,
                        position: None,
                        reason: Box::new(InvalidReason::HeadAltered { stream, version }),
                    });
                }
                (Stage::Coverages, missing)
            }
            Stage::Coverages => {
                let members = count(member_ids(&self.tree).len());
                let missing =
                    (self.members_seen != members).then_some(InvalidReason::CoverageCount {
                        members,
                        held: self.members_seen,
                    });
                (
                    Stage::Commands,
                    missing.or_else(|| self.header_counts_differ()),
                )
            }
            Stage::Commands => {
                let signs = signs_command_records(self.version);
                let missing =
                    (signs && self.commands.is_none()).then_some(InvalidReason::CommandsMissing);
                (Stage::Done, missing)
            }
        };
        if let Some(reason) = missing {
            return Err(self.invalid(None, reason));
        }
        self.stage = next;
        Ok(())
    }

    /// The header's stream and member counts against the stream heads and coverages
    /// read, once all are in (as `verify-bundle` checks a bundle's scope): a backup
    /// whose unsigned header was edited is refused, not restored under it.
    fn header_counts_differ(&self) -> Option<InvalidReason> {
        let header = self.header.as_ref()?;
        let heads = count(self.tree.heads.len());
        let differ = header.streams != heads || header.members != self.members_seen;
        differ.then_some(InvalidReason::HeaderCounts {
            streams: header.streams,
            members: header.members,
            heads,
            coverages: self.members_seen,
        })
    }

    /// After the last event: a restore appends what is left and rebuilds the state
    /// rows from the new store (an event that does not fold is named by its position).
    fn close_events(&mut self) -> Result<(), BackupError> {
        let Target::Store(sink) = &mut self.target else {
            return Ok(());
        };
        sink.flush()?;
        sink.reopen()?;
        match crate::ledger::rebuild_state(sink.store(), &mut |_| {}) {
            Ok(_) => Ok(()),
            Err(error) => match error.damage() {
                Some(StoreError::Corrupt { position, message }) => {
                    let reason = InvalidReason::EventsDoNotFold { found: message };
                    Err(self.invalid(Some(position), reason))
                }
                _ => Err(error.into()),
            },
        }
    }

    /// A stream head: the next stream in name order, equal to what the events make,
    /// with a path to the heads root the events make.
    fn head_line(
        &mut self,
        stream: &str,
        version: u64,
        hash: &Sha256,
        index: u64,
        path: &[Sha256],
    ) -> Result<(), BackupError> {
        let in_order = self.last_stream.as_deref().is_none_or(|last| last < stream);
        let made = self.tree.heads.get(stream).copied();
        let streams = count(self.tree.heads.len());
        let proven = merkle::verify_inclusion(
            index,
            streams,
            &head_leaf(stream, version, hash),
            path,
            &self.heads_root,
        );
        if !in_order || index != self.heads_seen {
            // The next stream's head, in order but further on: the heads between are
            // missing (a line removed), not out of order.
            let reason = match self.next_head() {
                Some(next) if in_order && made.is_some() && next.as_str() != stream => {
                    InvalidReason::HeadMissing {
                        stream: next.clone(),
                    }
                }
                _ => InvalidReason::HeadOutOfOrder {
                    stream: stream.to_owned(),
                },
            };
            return Err(self.invalid(None, reason));
        }
        if made != Some((version, *hash)) {
            let stream = stream.to_owned();
            return Err(self.invalid(None, InvalidReason::HeadAltered { stream, version }));
        }
        // A head equal to the events' whose path does not lead to the heads root the
        // events make: either its path was altered, or another stream's head differs
        // (every path leads to the root of the heads as written). Judged at the end
        // of the heads, so that a stream whose head differs is the one named (found by
        // an auditor's probe: a dropped event was blamed on the first, untouched
        // stream).
        if !proven && self.unproven_head.is_none() {
            self.unproven_head = Some((self.line, stream.to_owned(), version));
        }
        self.heads_seen += 1;
        self.last_stream = Some(stream.to_owned());
        Ok(())
    }

    /// The stream whose head comes next (`None` once every stream the events make
    /// has its head): the one missing where another line stands or the heads end.
    /// Only on the way to an error: it walks the streams.
    fn next_head(&self) -> Option<&String> {
        let seen = usize::try_from(self.heads_seen).ok()?;
        self.tree.heads.keys().nth(seen)
    }

    /// A coverage: the next member in id order, equal to the events' fold.
    fn coverage_line(&mut self, claimed: &MemberCoverage) -> Result<(), BackupError> {
        let member_id = claimed.member_id;
        if self.last_member.is_some_and(|last| last >= member_id) {
            let reason = InvalidReason::CoverageOutOfOrder { member: member_id };
            return Err(self.invalid(None, reason));
        }
        let folded = match &mut self.target {
            Target::Fold(folder) => folder.coverage(member_id),
            Target::Store(sink) => crate::ledger::member_coverage(&*sink.store(), member_id, None)?,
        };
        match folded {
            Some(folded) if folded == *claimed => {}
            Some(_) => {
                let reason = InvalidReason::CoverageAltered { member: member_id };
                return Err(self.invalid(None, reason));
            }
            None => {
                let reason = InvalidReason::CoverageWithoutEvents { member: member_id };
                return Err(self.invalid(None, reason));
            }
        }
        self.members_seen += 1;
        self.last_member = Some(member_id);
        Ok(())
    }

    /// The signed checkpoint: a valid signature (by the pinned key, if one is) over
    /// exactly the trees the events make.
    fn checkpoint_line(&mut self, signed: SignedCheckpoint) -> Result<(), BackupError> {
        let checkpoint = signed
            .verify(self.pinned)
            .map_err(|error| self.invalid(None, InvalidReason::CheckpointNotTrusted(error)))?;
        let made = self
            .tree
            .checkpoint(checkpoint.origin.clone(), checkpoint.created_at);
        if checkpoint != made {
            let reason = InvalidReason::CheckpointDiffers {
                signed_size: checkpoint.tree_size,
                signed_root: checkpoint.root,
                signed_heads_root: checkpoint.heads_root,
                size: made.tree_size,
                root: made.root,
                heads_root: made.heads_root,
            };
            return Err(self.invalid(None, reason));
        }
        let claimed = self.header.as_ref().map_or(0, |header| header.tree_size);
        if claimed != checkpoint.tree_size {
            let reason = InvalidReason::TreeSize {
                header: claimed,
                checkpoint: checkpoint.tree_size,
            };
            return Err(self.invalid(None, reason));
        }
        let signer = crate::audit::checkpoint::parse_public_key(&signed.public_key)
            .map_err(|error| self.invalid(None, InvalidReason::PublicKey(error)))?;
        if let Some((note, key)) = &self.commands {
            if !note.names(&checkpoint) || *key != signed.public_key {
                return Err(self.invalid(None, InvalidReason::CommandsOfAnotherCheckpoint));
            }
        }
        self.check = Some(BackupCheck {
            events: self.tree.size(),
            streams: count(self.tree.heads.len()),
            members: self.members_seen,
            head_hash: self.last_hash,
            checkpoint,
            signed,
            signer,
            key_pinned: self.pinned.is_some(),
            commands_signed: self.commands.is_some(),
            version: self.version,
        });
        Ok(())
    }
}

impl Checker<'_> {
    /// The signed note of the `command` records (version 3, once): a valid signature
    /// (by the pinned key, if one is) over exactly the records read. Whether it names
    /// this backup's checkpoint is checked on the checkpoint's line.
    fn commands_line(&mut self, signed: &SignedCheckpoint) -> Result<(), BackupError> {
        if !signs_command_records(self.version) || self.commands.is_some() {
            return Err(self.invalid(None, InvalidReason::CommandsUnexpected));
        }
        let note = CommandsNote::verify(signed, self.pinned)
            .map_err(|error| self.invalid(None, InvalidReason::CommandsNotTrusted(error)))?;
        // A note of another position is another backup's, whatever its count says (the
        // root and key are compared on the checkpoint's line).
        if note.tree_size != self.tree.size() {
            return Err(self.invalid(None, InvalidReason::CommandsOfAnotherCheckpoint));
        }
        let held = self.records.records();
        if note.records != held || note.digest != self.records.digest() {
            let signed = note.records;
            return Err(self.invalid(None, InvalidReason::CommandsDiffer { signed, held }));
        }
        self.commands = Some((note, signed.public_key.clone()));
        Ok(())
    }
}

/// Where a restore puts verified events: a fresh store, in batches at command
/// boundaries.
struct Sink {
    /// The store in the staging directory (`None` only while it is reopened).
    store: Option<SledStore>,
    dir: PathBuf,
    records: Vec<CommandRecord>,
    events: usize,
    /// The commands in `records`: an id may not come back after another command.
    ids: HashSet<Uuid>,
}

impl Sink {
    fn open(dir: &Path) -> Result<Sink, BackupError> {
        Ok(Sink {
            store: Some(SledStore::open(dir)?),
            dir: dir.to_owned(),
            records: Vec::new(),
            events: 0,
            ids: HashSet::new(),
        })
    }

    fn store(&mut self) -> &mut SledStore {
        self.store
            .as_mut()
            // OK because the store is only taken out by `reopen`, whose failure ends
            // the restore before anything asks for the store again.
            .expect("the staging store is open")
    }

    /// Closes and reopens the store: the engine's caches filled by writing the log are
    /// released before the rebuild folds it, so the peak is the larger of the two.
    fn reopen(&mut self) -> Result<(), BackupError> {
        self.store = None;
        self.store = Some(SledStore::open(&self.dir)?);
        Ok(())
    }

    fn push(
        &mut self,
        envelope: Envelope,
        line: u64,
        body_digest: Option<Sha256>,
    ) -> Result<(), BackupError> {
        let command_id = envelope.command_id;
        let same_command = self
            .records
            .last()
            .is_some_and(|record| record.command_id == command_id);
        if !same_command {
            if self.events >= RESTORE_BATCH_EVENTS_MAX {
                self.flush()?;
            }
            if self.ids.contains(&command_id) || self.store().command_span(command_id)?.is_some() {
                return Err(BackupError::Invalid {
                    line,
                    position: Some(envelope.position),
                    reason: Box::new(InvalidReason::CommandNotContiguous { command_id }),
                });
            }
            self.ids.insert(command_id);
            self.records.push(CommandRecord {
                command_id,
                envelopes: Vec::new(),
                body_digest,
            });
        }
        // OK because a record was pushed above unless the last one is this command's.
        let record = self.records.last_mut().expect("a record for this command");
        record.envelopes.push(envelope);
        self.events += 1;
        Ok(())
    }

    /// Appends the batch. The store seals each envelope again from the links it holds;
    /// pair check: the hashes it computes are the verified ones.
    fn flush(&mut self) -> Result<(), BackupError> {
        if self.records.is_empty() {
            return Ok(());
        }
        let hashes = |records: &[CommandRecord]| -> Vec<(u64, Sha256)> {
            records
                .iter()
                .flat_map(|record| record.envelopes.iter().map(|e| (e.position, e.hash)))
                .collect()
        };
        let verified = hashes(&self.records);
        let mut records = std::mem::take(&mut self.records);
        self.store().append(&mut records, &[])?;
        self.records = records;
        for (sealed, verified) in hashes(&self.records).iter().zip(&verified) {
            if sealed != verified {
                return Err(
                    corrupt(sealed.0, findings::restored_hash(sealed.1, verified.1)).into(),
                );
            }
        }
        self.records.clear();
        self.ids.clear();
        self.events = 0;
        Ok(())
    }
}

/// Why a file whose first line starts with `first` is no backup as it stands, if its
/// first bytes say (said of the file, at no line: a probe saw only "not UTF-8" for
/// a gzip file and "no bundle header" for one an editor saved again).
fn foreign_start(first: &[u8]) -> Option<InvalidReason> {
    crate::audit::bundle::foreign_start(first).map(|start| match start {
        ForeignStart::Gzip => InvalidReason::Gzip,
        ForeignStart::ByteOrderMark => InvalidReason::ByteOrderMark,
    })
}

/// Reads `input` to its end through `checker`: every line checked, the checkpoint last.
fn check_lines(
    input: &mut dyn BufRead,
    checker: &mut Checker<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<BackupCheck, BackupError> {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = Read::take(&mut *input, count(BUNDLE_LINE_BYTES_MAX) + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(BackupError::Read)?;
        if read == 0 {
            if checker.line == 0 {
                return Err(checker.invalid(None, InvalidReason::Empty));
            }
            break;
        }
        if checker.line == 0 {
            if let Some(reason) = foreign_start(&buffer) {
                return Err(checker.invalid(None, reason));
            }
        }
        checker.line += 1;
        if buffer.len() > BUNDLE_LINE_BYTES_MAX {
            let reason = InvalidReason::LineTooLong {
                max: BUNDLE_LINE_BYTES_MAX,
            };
            return Err(checker.invalid(None, reason));
        }
        let text = std::str::from_utf8(&buffer)
            .map_err(|_| checker.invalid(None, InvalidReason::NotUtf8))?
            .trim_end_matches(['\n', '\r']);
        // Every line is one the ledger writes, and it writes no blank one (D72: an
        // auditor's probe inserted one and the backup was restored).
        if text.trim().is_empty() {
            return Err(checker.invalid(None, InvalidReason::BlankLine));
        }
        if let Err(error) = checker.check_line(text) {
            // A last line with no line end that is not whole JSON: the file was cut
            // short (a copy or a download that stopped), not an event altered. A
            // whole JSON line that does not check says its own finding: an auditor's
            // probe altered a signature in a last line saved without its line end,
            // and was told to copy the file again.
            let whole_json = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            if !buffer.ends_with(b"\n") && !whole_json {
                return Err(checker.invalid(None, InvalidReason::CutInLine));
            }
            return Err(error);
        }
        if checker.stage == Stage::Events
            && checker
                .tree
                .size()
                .is_multiple_of(proofs::PROGRESS_EVENTS_STEP)
        {
            progress(checker.tree.size());
        }
    }
    checker
        .check
        .take()
        .ok_or_else(|| checker.invalid(None, InvalidReason::NoCheckpoint))
}

/// Checks a whole backup without restoring it (e.g. one just downloaded): `pinned`
/// is the ledger's published key, `None` accepts the key the backup names.
pub fn verify_backup(
    input: &mut dyn BufRead,
    pinned: Option<&VerifyingKey>,
    progress: &mut dyn FnMut(u64),
) -> Result<BackupCheck, BackupError> {
    let mut checker = Checker::new(pinned, Target::Fold(Box::default()));
    check_lines(input, &mut checker, progress)
}

/// What a restore did.
#[derive(Clone, Debug, Serialize)]
pub struct RestoreReport {
    pub ok: bool,
    pub data_dir: PathBuf,
    pub events: u64,
    pub head_position: u64,
    pub head_hash: Sha256,
    pub streams: u64,
    pub members: u64,
    /// The backup's signed log root (stored in the new ledger with its checkpoint).
    pub root: Sha256,
    pub key_id: String,
    /// Whether the checkpoint was checked against a key given by the caller
    /// (`--public-key`) rather than the one the backup names.
    pub key_pinned: bool,
    /// Whether the backup signs its command records (version 3): one of an older
    /// version restores, but a record removed from it would not have been noticed.
    pub commands_signed: bool,
    pub signing_key: SigningKeyOutcome,
    /// The backup's bundle version (for the note on an older one; not printed).
    #[serde(skip)]
    pub version: u32,
}

/// Where the restored ledger's signing key comes from (D33).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningKeyOutcome {
    /// The key given to restore (the one that signed the backup) was written into
    /// the new data directory.
    Installed,
    /// `$FLEXLEDGER_SIGNING_KEY` names the key that signed the backup.
    External,
    /// No key: put the ledger's key in place before the ledger is used; it never makes
    /// one of its own (D33), so until then nothing is signed.
    Missing,
}

/// What a restore is given besides the backup.
#[derive(Default)]
pub struct RestoreOptions<'a> {
    /// The ledger's published key: the checkpoint must be signed by it.
    pub public_key: Option<&'a VerifyingKey>,
    /// The ledger's signing key, to keep signing with it.
    pub signing_key: Option<SigningKey>,
}

/// Restores `input` into `target`, which must not exist or be empty. On any failure
/// nothing is left behind.
pub fn restore(
    input: &mut dyn BufRead,
    target: &Path,
    options: &RestoreOptions<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<RestoreReport, BackupError> {
    check_target(target)?;
    let placed = placed_target(target)?;
    let claimed = claim_target(&placed, target)?;
    let staging = claim_staging(&placed).inspect_err(|_| release_target(&placed, claimed))?;
    let remove_staging = || {
        if let Err(error) = std::fs::remove_dir_all(&staging) {
            tracing::warn!(path = %staging.display(), %error, "could not remove the staging directory");
        }
    };
    let report = restore_into(input, &staging, target, options, progress).inspect_err(|_| {
        remove_staging();
        release_target(&placed, claimed);
    })?;
    // Failing part way through the move, the target keeps its mark: it holds part of
    // the ledger, which every open refuses.
    publish(&staging, &placed).inspect_err(|_| remove_staging())?;
    Ok(report)
}

/// How `restore` holds its target while it runs: a directory it made, or one that was
/// there (empty), each holding the restore's mark from the start.
#[derive(Clone, Copy)]
enum Claimed {
    Made,
    Found,
}

/// Marks the target (made first, mode 0700, when it does not exist) as a restore not
/// finished, before any work: from then on every open refuses it, so a `serve` or
/// `submit` started on it meanwhile (a service manager restarting one, an operator on
/// another terminal) cannot make a new ledger there that the restore's files would
/// then be moved into, nor can one be made there after the restore is killed. An
/// operator's probe (2026-12-05) saw both: the target was marked only when the files
/// moved in at the end. The mark is made exclusively, so of two restores racing for
/// one target only one claims it.
fn claim_target(placed: &Path, target: &Path) -> Result<Claimed, BackupError> {
    // Refused before anything is made (a target `new/..` made `new` first).
    sled_store::restore_staging_path(placed).ok_or_else(|| unnamed_target(target))?;
    let claimed = make_or_find_target(placed, target)?;
    let written = match write_restore_mark(placed) {
        Ok(true) => Ok(()),
        Ok(false) => return Err(target_claimed(target)),
        Err(error) => Err(error),
    };
    // A process that opened the target between the check and the mark (a `serve`
    // starting there) made a ledger the mark did not stop: the target is not ours.
    let alone = written.and_then(|()| match only_the_mark(placed) {
        true => Ok(()),
        false => Err(BackupError::Refused(Sentence::new(
            "store-restore-target-not-empty",
            vec![("path", target.display().to_string())],
        ))),
    });
    alone
        .map(|()| claimed)
        .inspect_err(|_| release_target(placed, claimed))
}

/// The target as it is (an empty directory) or made (mode 0700, its parents first).
fn make_or_find_target(placed: &Path, target: &Path) -> Result<Claimed, BackupError> {
    if placed.is_dir() {
        return Ok(Claimed::Found);
    }
    if let Some(parent) = placed
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    match private_dir_builder().create(placed) {
        Ok(()) => Ok(Claimed::Made),
        // Made meanwhile by someone else: checked as a target that was there.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            check_target(target)?;
            Ok(Claimed::Found)
        }
        Err(error) => Err(io_at(placed)(error)),
    }
}

/// Whether `dir` holds the restore's mark and nothing else.
fn only_the_mark(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect::<Result<Vec<_>, _>>()
            .is_ok_and(|names| names == [sled_store::RESTORE_UNFINISHED_FILE])
    })
}

/// The refusal of a target that holds a restore's mark: another restore is filling it,
/// or one was killed (its staging directory beside it, named too).
fn target_claimed(target: &Path) -> BackupError {
    // Beside the directory a link leads to, as `claim_staging` makes it.
    let placed = std::fs::canonicalize(target).unwrap_or_else(|_| target.to_owned());
    let staging = sled_store::restore_staging_path(&placed).unwrap_or_default();
    BackupError::Refused(Sentence::new(
        "backup-restore-target-claimed",
        vec![
            ("path", target.display().to_string()),
            ("staging", staging.display().to_string()),
        ],
    ))
}

/// The refusal of a target path with no name of its own (`new/..`, `/`).
fn unnamed_target(target: &Path) -> BackupError {
    BackupError::Refused(Sentence::new(
        "backup-restore-target-unnamed",
        vec![("path", target.display().to_string())],
    ))
}

/// How restore makes its directories: readable by their owner only (mode 0700).
fn private_dir_builder() -> std::fs::DirBuilder {
    let mut private = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut private, 0o700);
    private
}

/// Gives back a target claimed by `claim_target` when the restore failed before moving
/// anything into it: as it was (an empty directory), or gone (the restore made it).
fn release_target(placed: &Path, claimed: Claimed) {
    let released =
        std::fs::remove_file(placed.join(sled_store::RESTORE_UNFINISHED_FILE)).and_then(|()| {
            match claimed {
                Claimed::Made => std::fs::remove_dir(placed),
                Claimed::Found => Ok(()),
            }
        });
    if let Err(error) = released {
        tracing::warn!(path = %placed.display(), %error, "could not give back the restore's target");
    }
}

fn restore_into(
    input: &mut dyn BufRead,
    staging: &Path,
    target: &Path,
    options: &RestoreOptions<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<RestoreReport, BackupError> {
    let mut checker = Checker::new(
        options.public_key,
        Target::Store(Box::new(Sink::open(staging)?)),
    );
    let check = check_lines(input, &mut checker, progress)?;
    let Target::Store(sink) = checker.target else {
        unreachable!("a restore's checker was made above with a store as its target");
    };
    // OK because the store is only taken out by `reopen`, whose failure ended the
    // restore in `check_lines`.
    let mut store = sink.store.expect("the staging store is open");
    let signing_key =
        settle_signing_key(staging, target, options.signing_key.as_ref(), &check.signer)?;
    // OK because a SignedCheckpoint is three strings: it always encodes.
    let bytes = serde_json::to_vec(&check.signed).expect("a checkpoint encodes");
    store.put_audit_checkpoint(check.events, &bytes)?;
    let head = store.head()?;
    if head != (check.events, check.head_hash) {
        let found = findings::restored_head(head, (check.events, check.head_hash));
        return Err(corrupt(head.0, found).into());
    }
    Ok(RestoreReport {
        ok: true,
        data_dir: target.to_owned(),
        events: check.events,
        head_position: head.0,
        head_hash: head.1,
        streams: check.streams,
        members: check.members,
        root: check.checkpoint.root,
        key_id: key_id(&check.signer),
        key_pinned: check.key_pinned,
        commands_signed: check.commands_signed,
        signing_key,
        version: check.version,
    })
}

/// The target must not hold anything: restore makes a new ledger, never merges. One
/// that holds a restore's mark is said as such: another restore is filling it, or one
/// stopped before it finished.
fn check_target(target: &Path) -> Result<(), BackupError> {
    // A symbolic link to nothing: the rename into place would meet the link itself and
    // fail after the whole backup was read ("Not a directory"), naming neither.
    if let Ok(link) = std::fs::read_link(target) {
        if !std::fs::exists(target).unwrap_or(true) {
            return Err(BackupError::Refused(Sentence::new(
                "backup-restore-target-dangling-link",
                vec![
                    ("path", target.display().to_string()),
                    ("link", link.display().to_string()),
                ],
            )));
        }
    }
    match std::fs::read_dir(target) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) if target.join(sled_store::RESTORE_UNFINISHED_FILE).exists() => {
                Err(target_claimed(target))
            }
            Some(_) => Err(BackupError::Refused(Sentence::new(
                "store-restore-target-not-empty",
                vec![("path", target.display().to_string())],
            ))),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(BackupError::Refused(Sentence::new(
            "store-restore-target-unusable",
            vec![
                ("path", target.display().to_string()),
                ("detail", error.to_string()),
            ],
        ))),
    }
}

/// Where the restored directory is renamed to: `target`, or, when it is a symbolic
/// link to an (empty) directory, that directory, so that the staging directory is
/// made beside it: a rename cannot cross file systems, and a link to an empty
/// directory on another disk failed with "Not a directory" after the whole backup was
/// verified. A mount point cannot be renamed over at all: refused before any work
/// (it failed the same way with "Device or resource busy").
fn placed_target(target: &Path) -> Result<PathBuf, BackupError> {
    // A target that does not exist yet is made by the rename itself.
    let Ok(real) = std::fs::canonicalize(target) else {
        return Ok(target.to_owned());
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let device = |path: &Path| std::fs::metadata(path).map(|metadata| metadata.dev());
        let parent = real.parent().unwrap_or(Path::new("/"));
        if let (Ok(own), Ok(above)) = (device(&real), device(parent)) {
            if own != above || real == parent {
                return Err(BackupError::Refused(Sentence::new(
                    "backup-restore-target-mount-point",
                    vec![("path", target.display().to_string())],
                )));
            }
        }
    }
    Ok(real)
}

/// Creates the staging directory beside the target (`.NAME.restoring`); one that
/// exists means another restore is running or one was killed.
fn claim_staging(target: &Path) -> Result<PathBuf, BackupError> {
    let staging = sled_store::restore_staging_path(target).ok_or_else(|| unnamed_target(target))?;
    match private_dir_builder().create(&staging) {
        // A directory just made holds no mark yet.
        Ok(()) => write_restore_mark(&staging).map(|_| staging),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(BackupError::Refused(Sentence::new(
                "backup-restore-staging-exists",
                vec![
                    ("staging", staging.display().to_string()),
                    ("path", target.display().to_string()),
                ],
            )))
        }
        Err(error) => Err(io_at(&staging)(error)),
    }
}

/// Makes the finished staging directory the ledger at `target` (claimed, holding the
/// restore's mark: `claim_target`), the mark removed only once it is whole there. The
/// restored files are moved into the target, never the staging directory renamed over
/// it: an operator prepares a service's directory with its owner and mode (renamed
/// over, it came back as root's, mode 700, and the service could not open it), or
/// restores into the directory a shell stands in, which a rename would leave the
/// shell in a deleted directory.
fn publish(staging: &Path, target: &Path) -> Result<(), BackupError> {
    let mark = sled_store::RESTORE_UNFINISHED_FILE;
    // Nothing can have been made beside the mark (every open refuses it), but the
    // files are never moved over anyone's.
    if !only_the_mark(target) {
        return Err(BackupError::Refused(Sentence::new(
            "store-restore-target-not-empty",
            vec![("path", target.display().to_string())],
        )));
    }
    for entry in std::fs::read_dir(staging).map_err(io_at(staging))? {
        let name = entry.map_err(io_at(staging))?.file_name();
        if name != mark {
            std::fs::rename(staging.join(&name), target.join(&name)).map_err(io_at(target))?;
        }
    }
    sync_directory(target)?;
    remove_and_sync(&target.join(mark), target)?;
    std::fs::remove_dir_all(staging).map_err(io_at(staging))?;
    sync_directory(staging.parent().unwrap_or(Path::new(".")))
}

/// What a restore's mark says to whoever looks into the directory.
const RESTORE_MARK_TEXT: &str = "a flexledger restore is filling this directory; if none runs, \
    it stopped before it finished: remove what this directory holds (and the restore's \
    staging directory .NAME.restoring beside it) and restore again\n";

/// Marks `dir` as a restore not finished (`sled_store::RESTORE_UNFINISHED_FILE`),
/// durably: every open refuses it until the mark is removed. False, and nothing
/// written, when `dir` holds a mark already.
fn write_restore_mark(dir: &Path) -> Result<bool, BackupError> {
    let path = dir.join(sled_store::RESTORE_UNFINISHED_FILE);
    // Made exclusively: of two restores racing for one target, only one claims it.
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match made {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(error) => return Err(io_at(&path)(error)),
    };
    file.write_all(RESTORE_MARK_TEXT.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io_at(&path))?;
    sync_directory(dir)?;
    Ok(true)
}

fn remove_and_sync(path: &Path, dir: &Path) -> Result<(), BackupError> {
    std::fs::remove_file(path).map_err(io_at(path))?;
    sync_directory(dir)
}

fn sync_directory(dir: &Path) -> Result<(), BackupError> {
    std::fs::File::open(dir)
        .and_then(|directory| directory.sync_all())
        .map_err(io_at(dir))
}

/// An I/O error at `path`, as a backup error.
fn io_at(path: &Path) -> impl Fn(std::io::Error) -> BackupError {
    let path = path.display().to_string();
    move |source| {
        BackupError::from(StoreError::Io {
            path: path.clone(),
            source,
        })
    }
}

/// Decides which key the restored ledger signs with: the key that signed the backup
/// (given, and written into the new directory, or named by `$FLEXLEDGER_SIGNING_KEY`),
/// or none yet. Any other key is refused: it would sign a second ledger identity.
fn settle_signing_key(
    staging: &Path,
    target: &Path,
    given: Option<&SigningKey>,
    signer: &VerifyingKey,
) -> Result<SigningKeyOutcome, BackupError> {
    // `path` is the variable's file, or `None` for --signing-key.
    let other_key = |path: Option<String>, key: &VerifyingKey| {
        let by = if path.is_some() { "variable" } else { "option" };
        let args = vec![
            ("by", by.to_owned()),
            ("path", path.unwrap_or_default()),
            ("found", key_id(key)),
            ("signer", key_id(signer)),
        ];
        BackupError::Refused(Sentence::new("backup-restore-other-key", args))
    };
    if let Some(key) = given.filter(|key| key.verifying_key() != *signer) {
        return Err(other_key(None, &key.verifying_key()));
    }
    let external = std::env::var_os("FLEXLEDGER_SIGNING_KEY").filter(|path| !path.is_empty());
    if let Some(path) = external {
        let path = PathBuf::from(path).display().to_string();
        return match keys::load(target)? {
            Some(key) if key.verifying_key() == *signer => Ok(SigningKeyOutcome::External),
            Some(key) => Err(other_key(Some(path), &key.verifying_key())),
            None if given.is_some() => Err(BackupError::Refused(Sentence::new(
                "backup-restore-external-key-missing",
                vec![("path", path)],
            ))),
            None => Ok(SigningKeyOutcome::Missing),
        };
    }
    match given {
        Some(key) => {
            write_signing_key(&staging.join(keys::SIGNING_KEY_FILE), key)?;
            Ok(SigningKeyOutcome::Installed)
        }
        None => Ok(SigningKeyOutcome::Missing),
    }
}

/// Writes a key file as `audit::keys` does: hex seed, mode 0600, synced.
fn write_signing_key(path: &Path, key: &SigningKey) -> Result<(), BackupError> {
    let io = |source| {
        BackupError::from(StoreError::Io {
            path: path.display().to_string(),
            source,
        })
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    writeln!(file, "{}", hex(&key.to_bytes())).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Reads a signing key file (`audit-signing-key`: 64 hex digits, the seed).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, BackupError> {
    let text = std::fs::read_to_string(path).map_err(|source| keys::KeyError::Io {
        action: "read",
        path: path.display().to_string(),
        source,
    })?;
    parse_signing_key(&text, &path.display().to_string())
}

/// A signing key file's text (64 hex digits, the seed) as a key; `name` says where it
/// was read from.
pub fn parse_signing_key(text: &str, name: &str) -> Result<SigningKey, BackupError> {
    let seed: [u8; 32] = unhex(text.trim())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| keys::KeyError::Malformed {
            path: name.to_owned(),
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    /// Every reason's English, as the backup's messages said it before they were data
    /// (the `message` of `restore`'s JSON is the contract's), and each said in Chinese.
    #[test]
    fn each_reason_says_its_english_as_before_and_chinese() {
        let hash = |byte| Sha256([byte; 32]);
        let member = Uuid::from_u128(7);
        let reasons = [
            (InvalidReason::AfterCheckpoint, "a line after the signed checkpoint: a backup ends with its checkpoint"),
            (InvalidReason::EventAfterHeads, "an event after the stream heads: lines were moved or added"),
            (InvalidReason::MalformedRecord { detail: "x".into() }, "unknown or malformed record: x"),
            (InvalidReason::InclusionProof, "an inclusion proof, which a backup of the whole log never holds: the line was added, or it comes from a member or region bundle"),
            (InvalidReason::NoHeader { detail: "x".into() }, "not a flexledger backup (the first line is no bundle header: x): a backup starts with an audit bundle header of scope all"),
            (InvalidReason::WrongFormat { format: "f".into(), version: "2".into() }, "not a flexledger backup (format f version 2): a backup starts with an audit bundle header of scope all"),
            (InvalidReason::WrongScope { scope: "Region(x)".into() }, "not a flexledger backup (a bundle of scope Region(x)): a backup starts with an audit bundle header of scope all"),
            (InvalidReason::Altered { detail: "x".into() }, "the event was altered after it was recorded: x"),
            (InvalidReason::NoHash, "the event line carries no hash: the event was altered and its hash stripped"),
            (InvalidReason::EventNotAsPrinted, "the event's content and hash agree, but the line is not as the ledger prints it (spacing, key order, or a number or time written another way): the line was edited"),
            (InvalidReason::RecordNotAsWritten, "the line is not as the ledger writes it (spacing, key order, or a number written another way): the line was edited"),
            (InvalidReason::PositionOutOfOrder { position: 11, expected: 10 }, "position 11 where position 10 was expected: an event was removed, added or reordered"),
            (InvalidReason::BrokenLink { prev_hash: hash(1), previous: hash(2), previous_position: 4 }, &format!("prev_hash {} does not link to the hash {} of position 4: an event before it was altered or removed", hash(1), hash(2))),
            (InvalidReason::EventDoesNotFold { problem: FoldProblem::PaymentWithoutMonths }, "the event does not fold: payment without months"),
            (InvalidReason::WrongStream { stream: "s".into() }, "stream s is not the stream of the event's payload"),
            (InvalidReason::VersionOutOfOrder { version: 3, stream: "s".into(), previous: 1 }, "version 3 of stream s does not follow version 1: an event of the stream was removed, altered or reordered"),
            (InvalidReason::Moved { stage: Stage::Heads.name(), after: Stage::Coverages.name() }, "a Heads record after the Coverages records: lines were moved"),
            (InvalidReason::EventCount { listed: 3, held: 2 }, "the header lists 3 events but the backup holds 2: events were removed or added"),
            (InvalidReason::HeaderCounts { streams: 4, members: 3, heads: 4, coverages: 2 }, "the header lists 4 streams and 3 members but the backup holds 4 stream heads and 2 coverages: the header was edited"),
            (InvalidReason::CoverageCount { members: 3, held: 2 }, "the events make 3 members but the backup holds 2 coverages before its checkpoint: a coverage line was removed, or moved after the checkpoint"),
            (InvalidReason::EventsDoNotFold { found: findings::fold_problem(&FoldProblem::MemberWithoutPeriod) }, "the events do not fold: member without period"),
            (InvalidReason::HeadOutOfOrder { stream: "s".into() }, "stream head s is out of order or repeated"),
            (InvalidReason::HeadMissing { stream: "s".into() }, "the stream head of s (its last version and hash) is missing before this line: it was removed or moved further on, so the backup is incomplete or damaged; take a new one with `flexledger backup`"),
            (InvalidReason::HeadAltered { stream: "s".into(), version: 2 }, "stream head s (version 2) is not the head its events make: the line or an event of the stream was altered"),
            (InvalidReason::CoverageOutOfOrder { member }, &format!("the coverage of member {member} is out of order or repeated")),
            (InvalidReason::CoverageAltered { member }, &format!("member {member}'s coverage does not follow from the backup's events: the line was altered")),
            (InvalidReason::CoverageWithoutEvents { member }, &format!("member {member} has no events in the backup")),
            (InvalidReason::CheckpointNotTrusted(CheckpointError::BadSignature), "the checkpoint is forged, altered or signed by another key: the checkpoint's signature does not verify: the note was altered or not signed by this key"),
            (InvalidReason::CheckpointNotTrusted(CheckpointError::WrongKey { found: "a".into(), pinned: "b".into() }), "the checkpoint is forged, altered or signed by another key: the checkpoint was signed by key a, not by the pinned key b"),
            (InvalidReason::CheckpointNotTrusted(CheckpointError::Malformed("x".into())), "the checkpoint is forged, altered or signed by another key: the checkpoint note is malformed: x"),
            (InvalidReason::CheckpointDiffers { signed_size: 3, signed_root: hash(1), signed_heads_root: hash(2), size: 2, root: hash(3), heads_root: hash(4) }, &format!("the signed checkpoint commits to 3 events with root {} and heads root {}, but the backup's events make 2 with root {} and heads root {}: events were altered, added or removed, or the checkpoint line is another backup's (one of another ledger is named so when the ledger's key is pinned with --public-key)", hash(1), hash(2), hash(3), hash(4))),
            (InvalidReason::TreeSize { header: 3, checkpoint: 2 }, "the header says tree size 3 but the checkpoint 2"),
            (InvalidReason::PublicKey(CheckpointError::BadKey("x".into())), "the checkpoint's public key is malformed: x"),
            (InvalidReason::CommandNotContiguous { command_id: member }, &format!("command {member} already has events earlier in the log: one command's events are contiguous")),
            (InvalidReason::CommandRecordAstray { command_id: member }, &format!("the body digest of command {member} is not right before the command's first event (or the backup, of version 1, has no such records): lines were moved or added")),
            (InvalidReason::CommandsUnexpected, "a commands record where none belongs: only a backup of version 3 holds one, once, between its coverages and its checkpoint; the line was added or moved"),
            (InvalidReason::CommandsMissing, "the backup has no commands record before its checkpoint: a backup of version 3 signs its command records there; the line was removed or moved after the checkpoint: use an unaltered copy, or take a new backup"),
            (InvalidReason::CommandsNotTrusted(CheckpointError::BadSignature), "the signature over the command records is forged, altered or by another key: it does not verify: the note was altered or not signed by this key"),
            (InvalidReason::CommandsNotTrusted(CheckpointError::WrongKey { found: "a".into(), pinned: "b".into() }), "the backup was signed by key a, not by the pinned key b: check that the pinned key is the one the ledger published; if it is, this backup is not that ledger's, or was signed again by another key"),
            (InvalidReason::CommandsNotTrusted(CheckpointError::Malformed("x".into())), "the signature over the command records is forged, altered or by another key: x"),
            (InvalidReason::CommandsDiffer { signed: 3, held: 2 }, "the command records are not those the backup signed (3 signed, 2 in the backup): a command record was removed, added, moved or altered, so a restore could answer a different command under an accepted id as a duplicate; use an unaltered copy, or take a new backup"),
            (InvalidReason::CommandsOfAnotherCheckpoint, "the signed command records name another checkpoint than this backup's (another position, log root or key): the commands line is another backup's; use an unaltered copy, or take a new backup"),
            (InvalidReason::Empty, "the file is empty (0 bytes): it is not a backup made by `flexledger backup`; check the file's name, or make the backup again"),
            (InvalidReason::Gzip, "the file looks gzip-compressed (it starts with the bytes 1f 8b), and a backup is plain text: decompress it first (`gunzip FILE`, or `gzip -dc FILE | flexledger --data-dir NEW restore -`)"),
            (InvalidReason::ByteOrderMark, "the file begins with a byte-order mark (the bytes ef bb bf): it was re-saved by an editor, and a restore takes a backup only as `flexledger backup` wrote it; use the original file, or take a new backup"),
            (InvalidReason::LineTooLong { max: 9 }, "longer than 9 bytes"),
            (InvalidReason::NotUtf8, "not UTF-8"),
            (InvalidReason::CutInLine, "the backup ends in the middle of this line: it was cut short (copy it again, whole)"),
            (InvalidReason::NoCheckpoint, "the backup ends here, without its signed checkpoint: it was cut short"),
        ];
        for (reason, english) in reasons {
            assert_eq!(reason.to_string(), english);
            let chinese = reason.sentence().in_language(Language::ZhCn);
            assert!(
                chinese
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{chinese}"
            );
        }
    }

    /// A checkpoint that does not verify, quoted by a damage finding: its English is
    /// the error's own, and its Chinese is Chinese.
    #[test]
    fn a_checkpoint_error_is_said_as_its_english_and_in_chinese() {
        let errors = [
            CheckpointError::Malformed("no final newline".into()),
            CheckpointError::BadKey("not 64 hex digits".into()),
            CheckpointError::WrongKey {
                found: "a".into(),
                pinned: "b".into(),
            },
            CheckpointError::BadSignature,
        ];
        for error in errors {
            let said = checkpoint_error_said(&error);
            assert_eq!(said.to_string(), error.to_string());
            let found = crate::store::findings::stored_checkpoint(said.clone());
            assert_eq!(found.to_string(), format!("the stored checkpoint: {error}"));
            let found = crate::store::findings::backup_checkpoint(said.clone());
            assert_eq!(
                found.to_string(),
                format!("the backup's checkpoint: {error}")
            );
            let found = crate::store::findings::checkpoint_stored(said.clone());
            assert_eq!(found.to_string(), format!("stored checkpoint: {error}"));
            assert!(found
                .in_language(Language::ZhCn)
                .starts_with("已保存的检查点有误：检查点"));
        }
    }
}
