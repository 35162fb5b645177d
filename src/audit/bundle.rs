//! Audit bundles: a self-contained file an auditor checks without the data directory.
//!
//! JSON lines, in this order:
//! 1. `{"record":"bundle",…}`: format, version and scope;
//! 2. one event envelope per line, in log order, exactly as `flexledger events` prints
//!    it (amounts are the API's decimal strings; `hash` closes each line) — the
//!    member's stream and its region's stream (policies and month closes), or every
//!    stream of a region or of the whole log; in a backup (version 2 on), right before
//!    the first event of each command whose body digest the ledger holds,
//!    `{"record":"command",…}`: its id and digest (contract v2 `command_id_reused`), so
//!    that a restored ledger refuses a different command under an accepted id as the
//!    original does (signed since version 3: item 6);
//! 3. `{"record":"inclusion",…}`: each event's RFC 9162 audit path to the log root
//!    (not for `--all`: the verifier recomputes the whole tree instead);
//! 4. `{"record":"stream_head",…}`: each stream's committed head with its path to the
//!    heads root — what makes a stream's history provably complete;
//! 5. `{"record":"coverage",…}`: each member's coverage as the ledger folds it, which
//!    the verifier refolds from the events;
//! 6. in a backup of version 3, `{"record":"commands",…}`: a note signed with the
//!    checkpoint's key that names the checkpoint and commits to every `command` record
//!    (their count and digest: `commands` module), which the checkpoint does not sign;
//! 7. `{"record":"checkpoint",…}`: the signed checkpoint everything is proven against.
//!
//! The order is part of the format: `verify-bundle` reads a bundle in one pass
//! (`verify` module), so a line out of it is a failure; stream heads come in stream
//! name order and coverages in member order, each once. So is the spelling: each line
//! is the bytes the ledger writes for what it holds (D72), as `restore` also demands
//! of a backup.
//!
//! What verification proves: every event is unaltered (its hash), is in the signed
//! log (inclusion), and each included stream is complete up to the checkpoint (the
//! stream chain ends at the committed head). A region bundle cannot prove that it
//! holds *every* member of the region — only `--all` can (every stream and every
//! position).

use crate::audit::checkpoint::{Checkpoint, LogTree, SignedCheckpoint};
use crate::audit::history;
use crate::audit::merkle::MerkleTree;
use crate::codec::wire;
use crate::domain::event::StreamId;
use crate::domain::policy::RegionName;
use crate::ledger::{Folder, LedgerError};
use crate::store::{findings, DamageDetail, Envelope, ReadStore, Sha256, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write;
use uuid::Uuid;

mod commands;
mod verify;
pub use commands::{CommandsDigest, CommandsNote, COMMANDS_NOTE_HEADER};
pub use verify::{
    verify_bundle, BundleReport, Failure, KeyTrust, BUNDLE_FAILURES_MAX, BUNDLE_LINES_MAX,
    BUNDLE_LINE_BYTES_MAX,
};

/// The `format` of the first line.
pub const BUNDLE_FORMAT: &str = "flexledger-audit-bundle";
/// The bundle format's version, as `flexledger-audit export` writes it.
pub const BUNDLE_VERSION: u32 = 1;
/// The first version with `command` records (one before the first event of each
/// command with a body digest), written by backups from 2026-12-04 to 2026-12-05: its
/// records are not signed. A version-1 file holds none (and restores without digests).
pub const COMMAND_RECORDS_VERSION: u32 = 2;
/// The version a backup is written in: version 2 and the signed `commands` record
/// before the checkpoint. Readers take all three.
pub const BACKUP_BUNDLE_VERSION: u32 = 3;

/// The first bytes of a gzip stream (RFC 1952): a bundle piped through `gzip`, as
/// `backup --help` and `export --help` show.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// A UTF-8 byte-order mark, which some editors put first when they save a file.
pub const UTF8_BYTE_ORDER_MARK: [u8; 3] = [0xef, 0xbb, 0xbf];

/// A file that is no bundle as it stands, by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignStart {
    Gzip,
    ByteOrderMark,
}

/// What the first bytes of a file say it is, if not a bundle as the ledger writes it:
/// one test for `restore` and `verify-bundle`, which each word it.
pub fn foreign_start(first: &[u8]) -> Option<ForeignStart> {
    if first.starts_with(&GZIP_MAGIC) {
        Some(ForeignStart::Gzip)
    } else if first.starts_with(&UTF8_BYTE_ORDER_MARK) {
        Some(ForeignStart::ByteOrderMark)
    } else {
        None
    }
}

/// Whether a bundle of `version` is of a version this build reads.
pub fn version_read(version: u32) -> bool {
    (BUNDLE_VERSION..=BACKUP_BUNDLE_VERSION).contains(&version)
}

/// Whether a bundle of `version` holds `command` records (a backup's, from version 2).
pub fn holds_command_records(version: u32) -> bool {
    version >= COMMAND_RECORDS_VERSION
}

/// Whether a bundle of `version` signs its `command` records (a backup's, from
/// version 3): its `commands` record is required.
pub fn signs_command_records(version: u32) -> bool {
    version >= BACKUP_BUNDLE_VERSION
}

/// What an export covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Member(Uuid),
    Region(RegionName),
    All,
}

/// The first line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub record: String,
    pub format: String,
    pub version: u32,
    pub scope: Scope,
    pub events: u64,
    pub streams: u64,
    pub members: u64,
    pub tree_size: u64,
}

impl Header {
    /// The first line of a bundle of this format and version (`events`, `streams`
    /// and `members` are counts of what follows).
    pub fn new(scope: Scope, events: u64, streams: u64, members: u64, tree_size: u64) -> Header {
        Header {
            record: "bundle".into(),
            format: BUNDLE_FORMAT.into(),
            version: BUNDLE_VERSION,
            scope,
            events,
            streams,
            members,
            tree_size,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case", deny_unknown_fields)]
pub enum Record {
    /// A backup's (version 2 on): the body digest the ledger holds for the command whose
    /// first event comes next.
    Command {
        command_id: Uuid,
        body_digest: Sha256,
    },
    Inclusion {
        position: u64,
        path: Vec<Sha256>,
    },
    StreamHead {
        stream: String,
        version: u64,
        hash: Sha256,
        /// Leaf index in the heads tree (streams sorted by name).
        index: u64,
        path: Vec<Sha256>,
    },
    /// The coverage in its wire shape (contract "Member coverage").
    Coverage {
        coverage: Box<wire::MemberCoverage>,
    },
    /// A backup's (version 3): the signed note of its `command` records
    /// ([`CommandsNote`]), in the checkpoint's shape (note, signature, public key).
    Commands(SignedCheckpoint),
    Checkpoint(SignedCheckpoint),
}

/// Whether a header or record `line` is exactly what the ledger writes for `parsed`,
/// the value it parses to (D72): an added field is refused by the parser; this refuses
/// the rest of an edit (spacing, key order, a number written another way). One rule for
/// `verify-bundle` and `restore`.
pub(crate) fn is_as_written(line: &str, parsed: &impl Serialize) -> bool {
    serde_json::to_string(parsed).is_ok_and(|written| written == line)
}

/// What an export wrote.
#[derive(Clone, Debug, Serialize)]
pub struct ExportSummary {
    pub scope: Scope,
    pub events: u64,
    pub streams: u64,
    pub members: u64,
    pub tree_size: u64,
    pub root: Sha256,
    pub bytes: u64,
}

/// Streams a scope may hold for its events to be read stream by stream (through the
/// stream index, then sorted by position, all of them in memory); a larger scope (a
/// province's region) is read in one pass over the log instead, keeping nothing.
pub const EXPORT_STREAMS_READ_BY_INDEX_MAX: usize = 1_000;

/// Which pass of an export over the scope's events a progress report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportPass {
    /// Writing the events (and folding them).
    Events,
    /// Writing their inclusion records (not for `--all`).
    Inclusions,
}

/// Writes a bundle of `scope` proven against `signed` (a checkpoint of `tree`),
/// calling `progress` with each event's position as a pass writes it (a province's
/// bundle takes minutes).
///
/// `flexledger-audit export --all` does not come here: the whole log's bundle is
/// written as a backup's (`backup::write_backup`, version 3, with the command records
/// and their signed note), so that a ledger restored from it keeps them.
///
/// Memory does not grow with the scope's events: they are written as they are read
/// (read twice when inclusion records follow them), and folded with members kept as
/// their state rows (`Folder`), as `verify` does. What remains in proportion to the
/// log is `tree` (a hash per event) and, for inclusions, its Merkle tree.
pub fn export(
    store: &(impl ReadStore + ?Sized),
    tree: &LogTree,
    signed: &SignedCheckpoint,
    checkpoint: &Checkpoint,
    scope: &Scope,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(ExportPass, u64),
) -> Result<ExportSummary, LedgerError> {
    assert_eq!(
        checkpoint.tree_size,
        tree.size(),
        "the checkpoint is of this tree"
    );
    let (streams, members) = scope_streams(store, tree, scope)?;
    // Versions start at 1 without gaps, so a stream's head version is its event count
    // (`scope_streams` checked that every one has a head).
    let events: u64 = streams
        .iter()
        .filter_map(|stream| tree.heads.get(stream))
        .map(|(version, _)| version)
        .sum();
    let mut counting = CountingWriter {
        inner: out,
        bytes: 0,
    };
    let header = Header::new(
        scope.clone(),
        events,
        count(streams.len()),
        count(members.len()),
        tree.size(),
    );
    write_line(&mut counting, &header)?;
    let mut folder = Folder::default();
    let written = for_each_scope_event(store, tree.size(), &streams, scope, &mut |envelope| {
        write_line(&mut counting, envelope)?;
        folder.apply(envelope.position, &envelope.event)?;
        progress(ExportPass::Events, envelope.position);
        Ok(())
    })?;
    if written != events {
        return Err(corrupt(
            tree.size(),
            findings::scope_events(events, written),
        ));
    }
    if *scope != Scope::All {
        write_inclusions(&mut counting, store, tree, (&streams, scope), progress)?;
    }
    write_stream_heads(&mut counting, tree, &streams)?;
    write_coverage(&mut counting, &folder, &members, tree.size())?;
    write_line(&mut counting, &Record::Checkpoint(signed.clone()))?;
    Ok(ExportSummary {
        scope: scope.clone(),
        events,
        streams: count(streams.len()),
        members: count(members.len()),
        tree_size: tree.size(),
        root: checkpoint.root,
        bytes: counting.bytes,
    })
}

/// An inclusion record for each event of the scope: its audit path in the log's tree
/// (the events read again, in the same order).
fn write_inclusions(
    counting: &mut CountingWriter<'_>,
    store: &(impl ReadStore + ?Sized),
    tree: &LogTree,
    (streams, scope): (&[String], &Scope),
    progress: &mut dyn FnMut(ExportPass, u64),
) -> Result<(), LedgerError> {
    let log = MerkleTree::new(tree.leaves.clone());
    for_each_scope_event(store, tree.size(), streams, scope, &mut |envelope| {
        let proof =
            crate::audit::proofs::inclusion(&log, envelope.hash, envelope.position, tree.size())
                .ok_or_else(|| corrupt(envelope.position, findings::no_inclusion_proof()))?;
        write_line(
            counting,
            &Record::Inclusion {
                position: envelope.position,
                path: proof.path,
            },
        )?;
        progress(ExportPass::Inclusions, envelope.position);
        Ok(())
    })?;
    Ok(())
}

/// A head record for each stream: its version, hash and path in the heads tree.
fn write_stream_heads(
    counting: &mut CountingWriter<'_>,
    tree: &LogTree,
    streams: &[String],
) -> Result<(), LedgerError> {
    let (names, head_leaves) = tree.head_leaves();
    let heads_size = head_leaves.len();
    let heads_tree = MerkleTree::new(head_leaves);
    for stream in streams {
        let index = names
            .binary_search(&stream.as_str())
            .map_err(|_| corrupt(tree.size(), findings::stream_no_head(stream)))?;
        let (version, hash) = *tree
            .heads
            .get(stream)
            .ok_or_else(|| corrupt(tree.size(), findings::stream_no_head(stream)))?;
        let path = heads_tree
            .inclusion_proof(index, heads_size)
            .ok_or_else(|| corrupt(tree.size(), findings::no_heads_proof()))?;
        write_line(
            counting,
            &Record::StreamHead {
                stream: stream.clone(),
                version,
                hash,
                index: count(index),
                path,
            },
        )?;
    }
    Ok(())
}

/// A coverage record for each member, from the fold of the bundle's events.
fn write_coverage(
    counting: &mut CountingWriter<'_>,
    folder: &Folder,
    members: &[Uuid],
    tree_size: u64,
) -> Result<(), LedgerError> {
    for member_id in members {
        let member = folder
            .coverage(*member_id)
            .ok_or_else(|| corrupt(tree_size, findings::member_no_events(*member_id)))?;
        write_line(
            counting,
            &Record::Coverage {
                coverage: Box::new(wire::MemberCoverage::from(&member)),
            },
        )?;
    }
    Ok(())
}

pub(crate) fn count(length: usize) -> u64 {
    u64::try_from(length).unwrap_or(u64::MAX)
}

fn corrupt(position: u64, message: DamageDetail) -> LedgerError {
    StoreError::Corrupt { position, message }.into()
}

/// The streams (sorted by name) and members a scope covers.
fn scope_streams(
    store: &(impl ReadStore + ?Sized),
    tree: &LogTree,
    scope: &Scope,
) -> Result<(Vec<String>, Vec<Uuid>), LedgerError> {
    let members = match scope {
        Scope::Member(member_id) => vec![*member_id],
        Scope::Region(region) => history::members(store, Some(region))?,
        Scope::All => history::members(store, None)?,
    };
    let mut streams = BTreeSet::new();
    for member_id in &members {
        let stream = StreamId::Member(*member_id).name();
        if !tree.heads.contains_key(&stream) {
            return Err(corrupt(
                tree.size(),
                findings::member_not_in_log(*member_id),
            ));
        }
        streams.insert(stream);
    }
    match scope {
        Scope::All => streams.extend(tree.heads.keys().cloned()),
        Scope::Region(region) => {
            streams.insert(StreamId::Region(region.clone()).name());
        }
        Scope::Member(member_id) => {
            // A member's region is fixed by its enrollment: its state row names it.
            let member = crate::ledger::read_member_row(store, *member_id)?
                .ok_or_else(|| corrupt(tree.size(), findings::member_no_events(*member_id)))?;
            streams.insert(StreamId::Region(member.region).name());
        }
    }
    for stream in &streams {
        if !tree.heads.contains_key(stream) {
            return Err(corrupt(tree.size(), findings::stream_not_in_log(stream)));
        }
    }
    Ok((streams.into_iter().collect(), members))
}

/// Calls `each` with every event of `streams` (sorted by name) up to `tree_size`, in
/// log order, and answers how many there were. The whole log is read for `--all` and
/// for a scope of more than `EXPORT_STREAMS_READ_BY_INDEX_MAX` streams (its events
/// picked by stream); a smaller scope's streams are read through the index and sorted.
fn for_each_scope_event(
    store: &(impl ReadStore + ?Sized),
    tree_size: u64,
    streams: &[String],
    scope: &Scope,
    each: &mut dyn FnMut(&Envelope) -> Result<(), LedgerError>,
) -> Result<u64, LedgerError> {
    let mut seen = 0u64;
    if *scope == Scope::All || streams.len() > EXPORT_STREAMS_READ_BY_INDEX_MAX {
        let wanted = |stream: &str| {
            *scope == Scope::All
                || streams
                    .binary_search_by(|name| name.as_str().cmp(stream))
                    .is_ok()
        };
        for envelope in store.read_log(1) {
            let envelope = envelope?;
            if envelope.position > tree_size {
                break;
            }
            if wanted(&envelope.stream) {
                each(&envelope)?;
                seen += 1;
            }
        }
        return Ok(seen);
    }
    let mut events = Vec::new();
    for stream in streams {
        let id =
            StreamId::parse(stream).ok_or_else(|| corrupt(0, findings::stream_name(stream)))?;
        for envelope in store.read_stream(&id) {
            let envelope = envelope?;
            if envelope.position > tree_size {
                break;
            }
            events.push(envelope);
        }
    }
    events.sort_by_key(|envelope| envelope.position);
    for envelope in &events {
        each(envelope)?;
        seen += 1;
    }
    Ok(seen)
}

/// Writes one JSON line of a bundle (an audit bundle, or a backup: `crate::backup`).
///
/// A line longer than its readers take (`BUNDLE_LINE_BYTES_MAX`) would be a backup
/// reported written that `restore` refuses: the limit is above the longest line the
/// ledger can make (`verify`'s test of the largest coverage), so one longer is a bug.
pub(crate) fn write_line(
    out: &mut CountingWriter<'_>,
    value: &impl Serialize,
) -> Result<(), LedgerError> {
    let before = out.bytes;
    serde_json::to_writer(&mut *out, value).map_err(|error| LedgerError::Output(error.into()))?;
    out.write_all(b"\n").map_err(LedgerError::Output)?;
    // Checked once written, the line's end included as the readers count it: a file
    // with such a line is never finished, so never reported written.
    let written = out.bytes - before;
    assert!(
        written <= count(BUNDLE_LINE_BYTES_MAX),
        "a bundle line of {written} bytes, more than the {BUNDLE_LINE_BYTES_MAX} its readers take"
    );
    Ok(())
}

/// A writer that counts the bytes written through it (a bundle reports its size).
pub(crate) struct CountingWriter<'a> {
    pub(crate) inner: &'a mut dyn Write,
    pub(crate) bytes: u64,
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.bytes += count(written);
        Ok(written)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
