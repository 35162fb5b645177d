//! Audit bundles: a self-contained file an auditor checks without the data directory.
//!
//! JSON lines, in this order:
//! 1. `{"record":"bundle",…}`: format, version and scope;
//! 2. one event envelope per line, in log order, exactly as `flexledger events` prints
//!    it (amounts are the API's decimal strings; `hash` closes each line) — the
//!    member's stream and its region's stream (policies and month closes), or every
//!    stream of a region or of the whole log;
//! 3. `{"record":"inclusion",…}`: each event's RFC 9162 audit path to the log root
//!    (not for `--all`: the verifier recomputes the whole tree instead);
//! 4. `{"record":"stream_head",…}`: each stream's committed head with its path to the
//!    heads root — what makes a stream's history provably complete;
//! 5. `{"record":"coverage",…}`: each member's coverage as the ledger folds it, which
//!    the verifier refolds from the events;
//! 6. `{"record":"checkpoint",…}`: the signed checkpoint everything is proven against.
//!
//! What verification proves: every event is unaltered (its hash), is in the signed
//! log (inclusion), and each included stream is complete up to the checkpoint (the
//! stream chain ends at the committed head). A region bundle cannot prove that it
//! holds *every* member of the region — only `--all` can (every stream and every
//! position).

use crate::audit::checkpoint::{event_leaf, head_leaf, Checkpoint, LogTree, SignedCheckpoint};
use crate::audit::history;
use crate::audit::merkle::{self, MerkleTree};
use crate::codec::wire;
use crate::domain::coverage::{coverage, MemberCoverage};
use crate::domain::event::StreamId;
use crate::domain::policy::RegionName;
use crate::domain::state::LedgerState;
use crate::ledger::{Folder, LedgerError};
use crate::store::{Envelope, ReadStore, Sha256, StoreError};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use uuid::Uuid;

/// The `format` of the first line.
pub const BUNDLE_FORMAT: &str = "flexledger-audit-bundle";
/// The bundle format's version.
pub const BUNDLE_VERSION: u32 = 1;
/// Longest line `verify-bundle` reads, in bytes (a coverage of 600 months fits).
pub const BUNDLE_LINE_BYTES_MAX: usize = 1024 * 1024;
/// Lines `verify-bundle` reads before it refuses the bundle (it keeps the events in
/// memory to check chains and refold coverage).
pub const BUNDLE_LINES_MAX: u64 = 10_000_000;
/// Failures listed before `verify-bundle` stops collecting them.
pub const BUNDLE_FAILURES_MAX: usize = 100;

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
    Checkpoint(SignedCheckpoint),
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
            format!("the scope's streams hold {events} events up to the checkpoint, but {written} were read"),
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
                .ok_or_else(|| {
                    corrupt(
                        envelope.position,
                        "no inclusion proof for an event of the tree",
                    )
                })?;
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
            .map_err(|_| corrupt(tree.size(), format!("stream {stream} has no head")))?;
        let (version, hash) = *tree
            .heads
            .get(stream)
            .ok_or_else(|| corrupt(tree.size(), format!("stream {stream} has no head")))?;
        let path = heads_tree
            .inclusion_proof(index, heads_size)
            .ok_or_else(|| corrupt(tree.size(), "no heads-tree proof"))?;
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
            .ok_or_else(|| corrupt(tree_size, format!("member {member_id} has no events")))?;
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

fn corrupt(position: u64, message: impl Into<String>) -> LedgerError {
    StoreError::Corrupt {
        position,
        message: message.into(),
    }
    .into()
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
                format!("member {member_id} has no events in the log"),
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
                .ok_or_else(|| corrupt(tree.size(), format!("member {member_id} has no events")))?;
            streams.insert(StreamId::Region(member.region).name());
        }
    }
    for stream in &streams {
        if !tree.heads.contains_key(stream) {
            return Err(corrupt(
                tree.size(),
                format!("stream {stream} has no events in the log"),
            ));
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
        let id = StreamId::parse(stream)
            .ok_or_else(|| corrupt(0, format!("stream name {stream} does not parse")))?;
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
pub(crate) fn write_line(
    out: &mut CountingWriter<'_>,
    value: &impl Serialize,
) -> Result<(), LedgerError> {
    let io = |error: std::io::Error| {
        LedgerError::from(StoreError::Io {
            path: "the bundle".into(),
            source: error,
        })
    };
    serde_json::to_writer(&mut *out, value).map_err(|error| io(error.into()))?;
    out.write_all(b"\n").map_err(io)
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

/// One thing `verify-bundle` found wrong.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Failure {
    /// `format`, `checkpoint`, `edited`, `order`, `inclusion`, `completeness`,
    /// `chain` or `coverage`.
    pub check: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    pub message: String,
}

/// What `verify-bundle` found.
#[derive(Clone, Debug, Serialize)]
pub struct BundleReport {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    pub events: u64,
    pub streams: u64,
    pub members: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Whether the signing key was pinned with `--public-key` (otherwise the bundle's
    /// own key was used: compare `key_id` with the operator's published key).
    pub key_pinned: bool,
    pub failures: Vec<Failure>,
}

/// The parsed lines of a bundle.
#[derive(Default)]
struct Parsed {
    header: Option<Header>,
    /// (line number, envelope)
    events: Vec<(u64, Envelope)>,
    inclusions: BTreeMap<u64, (u64, Vec<Sha256>)>,
    heads: Vec<(u64, String, u64, Sha256, u64, Vec<Sha256>)>,
    coverages: Vec<(u64, MemberCoverage)>,
    checkpoints: Vec<(u64, SignedCheckpoint)>,
}

struct Failures(Vec<Failure>);

impl Failures {
    fn add(
        &mut self,
        check: &'static str,
        line: Option<u64>,
        position: Option<u64>,
        stream: Option<&str>,
        message: String,
    ) {
        if self.0.len() < BUNDLE_FAILURES_MAX {
            self.0.push(Failure {
                check,
                line,
                position,
                stream: stream.map(str::to_owned),
                message,
            });
        }
    }
}

/// Which key a bundle's checkpoint must be signed by.
#[derive(Clone, Copy, Debug)]
pub enum KeyTrust<'a> {
    /// The ledger's published key: anything else is refused.
    Pinned(&'a VerifyingKey),
    /// The key the bundle names, accepted on the auditor's explicit say-so; the report
    /// says the key was not pinned.
    BundleKey,
    /// No key given: the signature is checked against the bundle's key, but the
    /// bundle is invalid (`key`) because nothing ties it to the ledger.
    Unpinned,
}

/// Checks a bundle; every failure is named.
pub fn verify_bundle(
    input: &mut dyn BufRead,
    trust: KeyTrust<'_>,
) -> std::io::Result<BundleReport> {
    let pinned = match trust {
        KeyTrust::Pinned(key) => Some(key),
        KeyTrust::BundleKey | KeyTrust::Unpinned => None,
    };
    let mut failures = Failures(Vec::new());
    let parsed = parse(input, &mut failures)?;
    let mut report = BundleReport {
        ok: false,
        scope: parsed.header.as_ref().map(|header| header.scope.clone()),
        events: count(parsed.events.len()),
        streams: count(parsed.heads.len()),
        members: count(parsed.coverages.len()),
        checkpoint: None,
        key_id: None,
        key_pinned: pinned.is_some(),
        failures: Vec::new(),
    };
    let checkpoint = check_checkpoint(&parsed, pinned, &mut failures, &mut report);
    check_order(&parsed, &mut failures);
    if let Some(checkpoint) = &checkpoint {
        check_inclusion(&parsed, checkpoint, &mut failures);
        check_completeness(&parsed, checkpoint, &mut failures);
    }
    check_scope(&parsed, &mut failures);
    check_coverage(&parsed, &mut failures);
    if let (KeyTrust::Unpinned, Some(key_id)) = (trust, &report.key_id) {
        failures.add(
            "key",
            None,
            None,
            None,
            format!(
                "the checkpoint is signed by key id {key_id}, but no key was pinned: pass --public-key with the ledger's published key (flexledger-audit public-key), or --trust-bundle-key to accept this one"
            ),
        );
    }
    report.failures = failures.0;
    report.ok = report.failures.is_empty();
    Ok(report)
}

fn parse(input: &mut dyn BufRead, failures: &mut Failures) -> std::io::Result<Parsed> {
    let mut parsed = Parsed::default();
    let mut line_number = 0u64;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = std::io::Read::take(&mut *input, count(BUNDLE_LINE_BYTES_MAX) + 1)
            .read_until(b'\n', &mut buffer)?;
        if read == 0 {
            break;
        }
        line_number += 1;
        if line_number > BUNDLE_LINES_MAX {
            failures.add(
                "format",
                Some(line_number),
                None,
                None,
                format!(
                    "more than {BUNDLE_LINES_MAX} lines: split the export (--member or --region)"
                ),
            );
            return Ok(parsed);
        }
        if buffer.len() > BUNDLE_LINE_BYTES_MAX {
            failures.add(
                "format",
                Some(line_number),
                None,
                None,
                format!("line longer than {BUNDLE_LINE_BYTES_MAX} bytes"),
            );
            return Ok(parsed);
        }
        let text = String::from_utf8_lossy(&buffer);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        parse_line(text, line_number, &mut parsed, failures);
    }
    if parsed.header.is_none() {
        failures.add(
            "format",
            None,
            None,
            None,
            "no bundle header line: this is not a flexledger audit bundle".into(),
        );
    }
    Ok(parsed)
}

fn parse_line(text: &str, line: u64, parsed: &mut Parsed, failures: &mut Failures) {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            failures.add(
                "format",
                Some(line),
                None,
                None,
                format!("not JSON: {error}"),
            );
            return;
        }
    };
    match value.get("record").and_then(serde_json::Value::as_str) {
        None => parse_event(text, &value, line, parsed, failures),
        Some("bundle") => parse_header(value, line, parsed, failures),
        Some(_) => parse_record(value, line, parsed, failures),
    }
}

/// A line without a `record` field: an event, which must still have its hash.
fn parse_event(
    text: &str,
    value: &serde_json::Value,
    line: u64,
    parsed: &mut Parsed,
    failures: &mut Failures,
) {
    let position = value.get("position").and_then(serde_json::Value::as_u64);
    let stream = value.get("stream").and_then(serde_json::Value::as_str);
    if value.get("hash").is_none() {
        let message = "the event carries no hash: it was altered and its hash stripped";
        failures.add("edited", Some(line), position, stream, message.into());
        return;
    }
    match Envelope::decode(text.as_bytes()) {
        Ok(envelope) => parsed.events.push((line, envelope)),
        Err(message) => failures.add(
            "edited",
            Some(line),
            position,
            stream,
            format!("the event was altered after it was recorded: {message}"),
        ),
    }
}

/// The `bundle` line: the one header, of this format and version.
fn parse_header(value: serde_json::Value, line: u64, parsed: &mut Parsed, failures: &mut Failures) {
    match serde_json::from_value::<Header>(value) {
        Ok(header)
            if header.format == BUNDLE_FORMAT
                && header.version == BUNDLE_VERSION
                && parsed.header.is_none() =>
        {
            parsed.header = Some(header)
        }
        Ok(_) => failures.add(
            "format",
            Some(line),
            None,
            None,
            format!("a second header, or not {BUNDLE_FORMAT} version {BUNDLE_VERSION}"),
        ),
        Err(error) => failures.add(
            "format",
            Some(line),
            None,
            None,
            format!("bad header: {error}"),
        ),
    }
}

/// Any other `record` line: a proof, a stream head, a coverage or the checkpoint.
fn parse_record(value: serde_json::Value, line: u64, parsed: &mut Parsed, failures: &mut Failures) {
    match serde_json::from_value::<Record>(value) {
        Ok(Record::Inclusion { position, path }) => {
            if parsed.inclusions.insert(position, (line, path)).is_some() {
                failures.add(
                    "format",
                    Some(line),
                    Some(position),
                    None,
                    "a second inclusion proof for this position".into(),
                );
            }
        }
        Ok(Record::StreamHead {
            stream,
            version,
            hash,
            index,
            path,
        }) => parsed
            .heads
            .push((line, stream, version, hash, index, path)),
        Ok(Record::Coverage { coverage }) => parsed
            .coverages
            .push((line, MemberCoverage::from(*coverage))),
        Ok(Record::Checkpoint(signed)) => parsed.checkpoints.push((line, signed)),
        Err(error) => failures.add(
            "format",
            Some(line),
            None,
            None,
            format!("unknown or malformed record: {error}"),
        ),
    }
}

fn check_checkpoint(
    parsed: &Parsed,
    pinned: Option<&VerifyingKey>,
    failures: &mut Failures,
    report: &mut BundleReport,
) -> Option<Checkpoint> {
    let [(line, signed)] = parsed.checkpoints.as_slice() else {
        failures.add(
            "checkpoint",
            None,
            None,
            None,
            format!(
                "expected exactly one signed checkpoint, found {}",
                parsed.checkpoints.len()
            ),
        );
        return None;
    };
    if let Ok(key) = crate::audit::checkpoint::parse_public_key(&signed.public_key) {
        report.key_id = Some(crate::audit::checkpoint::key_id(&key));
    }
    match signed.verify(pinned) {
        Ok(checkpoint) => {
            if let Some(header) = &parsed.header {
                if header.tree_size != checkpoint.tree_size {
                    failures.add(
                        "checkpoint",
                        Some(*line),
                        None,
                        None,
                        format!(
                            "the header says tree size {} but the checkpoint {}",
                            header.tree_size, checkpoint.tree_size
                        ),
                    );
                }
            }
            report.checkpoint = Some(checkpoint.clone());
            Some(checkpoint)
        }
        Err(error) => {
            failures.add(
                "checkpoint",
                Some(*line),
                None,
                None,
                format!("forged or altered checkpoint: {error}"),
            );
            None
        }
    }
}

fn check_order(parsed: &Parsed, failures: &mut Failures) {
    let mut previous: Option<&Envelope> = None;
    for (line, envelope) in &parsed.events {
        if let Some(previous) = previous {
            if envelope.position <= previous.position {
                failures.add(
                    "order",
                    Some(*line),
                    Some(envelope.position),
                    Some(&envelope.stream),
                    format!(
                        "position {} follows position {}: events were reordered or repeated",
                        envelope.position, previous.position
                    ),
                );
            } else if envelope.position == previous.position + 1
                && envelope.prev_hash != previous.hash
            {
                failures.add(
                    "chain",
                    Some(*line),
                    Some(envelope.position),
                    Some(&envelope.stream),
                    "prev_hash does not link to the previous position's hash".into(),
                );
            }
        }
        previous = Some(envelope);
    }
    if let Some(header) = &parsed.header {
        if header.events != count(parsed.events.len()) {
            failures.add(
                "completeness",
                None,
                None,
                None,
                format!(
                    "the header lists {} events but the bundle holds {}",
                    header.events,
                    parsed.events.len()
                ),
            );
        }
    }
}

fn check_inclusion(parsed: &Parsed, checkpoint: &Checkpoint, failures: &mut Failures) {
    let all = parsed
        .header
        .as_ref()
        .is_some_and(|header| header.scope == Scope::All);
    if all {
        check_whole_log(parsed, checkpoint, failures);
        return;
    }
    check_each_inclusion(parsed, checkpoint, failures);
    let positions: BTreeSet<u64> = parsed
        .events
        .iter()
        .map(|(_, envelope)| envelope.position)
        .collect();
    for (position, (line, _)) in &parsed.inclusions {
        if !positions.contains(position) {
            failures.add("completeness", Some(*line), Some(*position), None, "the bundle proves an event at this position but does not contain it: an event was removed".into());
        }
    }
}

/// An `--all` bundle holds the whole log, so its events rebuild the checkpoint's root.
fn check_whole_log(parsed: &Parsed, checkpoint: &Checkpoint, failures: &mut Failures) {
    let leaves: Vec<Sha256> = parsed
        .events
        .iter()
        .map(|(_, envelope)| event_leaf(&envelope.hash))
        .collect();
    let contiguous = parsed
        .events
        .iter()
        .enumerate()
        .all(|(index, (_, envelope))| envelope.position == count(index) + 1);
    if !contiguous || count(leaves.len()) != checkpoint.tree_size {
        failures.add(
            "completeness",
            None,
            None,
            None,
            format!(
                "an --all bundle must hold positions 1..={} exactly; it holds {} events",
                checkpoint.tree_size,
                leaves.len()
            ),
        );
    } else if merkle::root(&leaves) != checkpoint.root {
        failures.add(
            "inclusion",
            None,
            None,
            None,
            "the events' Merkle root differs from the checkpoint's root".into(),
        );
    }
}

/// Each event of a scoped bundle has an inclusion proof against the checkpoint.
fn check_each_inclusion(parsed: &Parsed, checkpoint: &Checkpoint, failures: &mut Failures) {
    for (line, envelope) in &parsed.events {
        let Some((_, path)) = parsed.inclusions.get(&envelope.position) else {
            failures.add(
                "inclusion",
                Some(*line),
                Some(envelope.position),
                Some(&envelope.stream),
                "no inclusion proof for this event: it was added to the bundle".into(),
            );
            continue;
        };
        let included = envelope.position >= 1
            && merkle::verify_inclusion(
                envelope.position - 1,
                checkpoint.tree_size,
                &event_leaf(&envelope.hash),
                path,
                &checkpoint.root,
            );
        if !included {
            failures.add(
                "inclusion",
                Some(*line),
                Some(envelope.position),
                Some(&envelope.stream),
                format!(
                    "not in the signed log of {} events: the event was altered or added",
                    checkpoint.tree_size
                ),
            );
        }
    }
}

fn check_completeness(parsed: &Parsed, checkpoint: &Checkpoint, failures: &mut Failures) {
    let mut by_stream: BTreeMap<&str, Vec<&Envelope>> = BTreeMap::new();
    for (_, envelope) in &parsed.events {
        by_stream
            .entry(envelope.stream.as_str())
            .or_default()
            .push(envelope);
    }
    let headed = check_heads(parsed, checkpoint, &by_stream, failures);
    for stream in by_stream.keys() {
        if !headed.contains(stream) {
            failures.add(
                "completeness",
                None,
                None,
                Some(stream),
                "no committed head for this stream: its completeness cannot be shown".into(),
            );
        }
    }
    if let Some(header) = &parsed.header {
        check_scope_heads(header, parsed, checkpoint, &headed, failures);
    }
}

/// Each stream head is committed to by the checkpoint and ends its stream's chain of
/// events; the streams with a (first) head are returned.
fn check_heads<'a>(
    parsed: &'a Parsed,
    checkpoint: &Checkpoint,
    by_stream: &BTreeMap<&str, Vec<&Envelope>>,
    failures: &mut Failures,
) -> BTreeSet<&'a str> {
    let mut headed = BTreeSet::new();
    for (line, stream, version, hash, index, path) in &parsed.heads {
        if !headed.insert(stream.as_str()) {
            failures.add(
                "format",
                Some(*line),
                None,
                Some(stream),
                "a second head for this stream".into(),
            );
            continue;
        }
        let leaf = head_leaf(stream, *version, hash);
        if !merkle::verify_inclusion(
            *index,
            checkpoint.heads_size,
            &leaf,
            path,
            &checkpoint.heads_root,
        ) {
            failures.add(
                "completeness",
                Some(*line),
                None,
                Some(stream),
                "the stream head is not the one the signed checkpoint commits to".into(),
            );
            continue;
        }
        let events = by_stream
            .get(stream.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        check_stream_chain(stream, *version, hash, events, failures);
    }
    headed
}

/// The heads the scope needs: all of them for `--all`, the member's own for a member.
fn check_scope_heads(
    header: &Header,
    parsed: &Parsed,
    checkpoint: &Checkpoint,
    headed: &BTreeSet<&str>,
    failures: &mut Failures,
) {
    if header.scope == Scope::All && count(parsed.heads.len()) != checkpoint.heads_size {
        failures.add(
            "completeness",
            None,
            None,
            None,
            format!(
                "an --all bundle must hold all {} stream heads; it holds {}",
                checkpoint.heads_size,
                parsed.heads.len()
            ),
        );
    }
    if let Scope::Member(member_id) = &header.scope {
        let stream = StreamId::Member(*member_id).name();
        if !headed.contains(stream.as_str()) {
            failures.add(
                "completeness",
                None,
                None,
                Some(&stream),
                "the member's own stream head is missing".into(),
            );
        }
    }
}

/// A stream is complete when its events are versions 1..=head, each linking to the
/// one before, the last being the committed head.
fn check_stream_chain(
    stream: &str,
    version: u64,
    head: &Sha256,
    events: &[&Envelope],
    failures: &mut Failures,
) {
    let mut previous = Sha256::ZERO;
    for (index, envelope) in events.iter().enumerate() {
        let expected = count(index) + 1;
        if envelope.version != expected || envelope.stream_prev_hash != previous {
            failures.add("completeness", None, Some(envelope.position), Some(stream), format!("version {} does not follow version {} of the stream: an event before it was removed, altered or reordered", envelope.version, expected - 1));
            return;
        }
        previous = envelope.hash;
    }
    if count(events.len()) != version || previous != *head {
        failures.add("completeness", None, None, Some(stream), format!("the bundle holds {} event(s) of the stream but the signed checkpoint commits to {version} ending in {head}: events were removed", events.len()));
    }
}

/// The streams and coverages a bundle holds are the ones its scope says: a member's
/// stream and its region's; a region's stream and only members enrolled in it; and
/// one coverage per member stream. (The header is not signed, so it is checked
/// against the contents, never trusted.)
fn check_scope(parsed: &Parsed, failures: &mut Failures) {
    let Some(header) = &parsed.header else { return };
    let streams: BTreeSet<&str> = parsed.heads.iter().map(|head| head.1.as_str()).collect();
    if header.streams != count(parsed.heads.len())
        || header.members != count(parsed.coverages.len())
    {
        failures.add("scope", None, None, None, format!(
            "the header lists {} streams and {} members but the bundle holds {} stream heads and {} coverages",
            header.streams, header.members, parsed.heads.len(), parsed.coverages.len()
        ));
    }
    // Each member stream's region, from its enrollment (version 1).
    let mut member_regions: BTreeMap<&str, String> = BTreeMap::new();
    for (_, envelope) in &parsed.events {
        if let crate::domain::Event::MemberEnrolled(enrolled) = &envelope.event {
            member_regions.insert(
                envelope.stream.as_str(),
                StreamId::Region(enrolled.region.clone()).name(),
            );
        }
    }
    let member_streams: BTreeSet<&str> = streams
        .iter()
        .copied()
        .filter(|stream| stream.starts_with("member-"))
        .collect();
    let region_streams: BTreeSet<&str> = streams
        .iter()
        .copied()
        .filter(|stream| stream.starts_with("region-"))
        .collect();
    let sorted = ScopeStreams {
        member_regions,
        members: member_streams,
        regions: region_streams,
    };
    match &header.scope {
        Scope::All => {}
        Scope::Member(member_id) => check_member_scope(*member_id, &sorted, failures),
        Scope::Region(region) => check_region_scope(region, &sorted, failures),
    }
    check_coverages_present(parsed, &sorted.members, failures);
}

/// A bundle's streams sorted for the scope checks.
struct ScopeStreams<'a> {
    /// Each member stream's region stream, from its enrollment (version 1).
    member_regions: BTreeMap<&'a str, String>,
    members: BTreeSet<&'a str>,
    regions: BTreeSet<&'a str>,
}

/// A member bundle holds the member's stream and the region it enrolled in, no other.
fn check_member_scope(member_id: Uuid, streams: &ScopeStreams<'_>, failures: &mut Failures) {
    let ScopeStreams {
        member_regions,
        members: member_streams,
        regions: region_streams,
    } = streams;
    let mut out_of_scope =
        |stream: &str, why: String| failures.add("scope", None, None, Some(stream), why);
    let own = StreamId::Member(member_id).name();
    for stream in member_streams {
        if *stream != own {
            out_of_scope(
                stream,
                format!("a member bundle of {member_id} holds another member's stream"),
            );
        }
    }
    let region = member_regions.get(own.as_str());
    for stream in region_streams {
        if region.is_some_and(|region| region != stream) {
            out_of_scope(stream, "not the region the member enrolled in".into());
        }
    }
    if let Some(region) = region {
        if !region_streams.contains(region.as_str()) {
            out_of_scope(
                region,
                "the member's region stream (its policies and month closes) is missing".into(),
            );
        }
    }
}

/// A region bundle holds the region's stream and members enrolled in it, no other.
fn check_region_scope(region: &RegionName, streams: &ScopeStreams<'_>, failures: &mut Failures) {
    let ScopeStreams {
        member_regions,
        members: member_streams,
        regions: region_streams,
    } = streams;
    let mut out_of_scope =
        |stream: &str, why: String| failures.add("scope", None, None, Some(stream), why);
    let own = StreamId::Region(region.clone()).name();
    if !region_streams.contains(own.as_str()) {
        out_of_scope(
            &own,
            "the region's own stream (its policies and month closes) is missing".into(),
        );
    }
    for stream in region_streams {
        if *stream != own {
            out_of_scope(
                stream,
                format!("a bundle of region {region} holds another region's stream"),
            );
        }
    }
    for stream in member_streams {
        if member_regions
            .get(stream)
            .is_some_and(|enrolled| *enrolled != own)
        {
            out_of_scope(
                stream,
                format!("this member did not enroll in region {region}"),
            );
        }
    }
}

/// One coverage record per member stream: what the member's events mean.
fn check_coverages_present(
    parsed: &Parsed,
    member_streams: &BTreeSet<&str>,
    failures: &mut Failures,
) {
    let covered: BTreeSet<String> = parsed
        .coverages
        .iter()
        .map(|(_, coverage)| StreamId::Member(coverage.member_id).name())
        .collect();
    for stream in member_streams {
        if !covered.contains(*stream) {
            failures.add(
                "coverage",
                None,
                None,
                Some(stream),
                "no coverage record for this member: the bundle does not say what the events mean"
                    .into(),
            );
        }
    }
}

fn check_coverage(parsed: &Parsed, failures: &mut Failures) {
    let mut state = LedgerState::default();
    for (line, envelope) in &parsed.events {
        if let Err(error) = state.apply(envelope.position, &envelope.event) {
            failures.add(
                "coverage",
                Some(*line),
                Some(envelope.position),
                Some(&envelope.stream),
                format!("the events do not fold: {}", error.message),
            );
            return;
        }
    }
    for (line, claimed) in &parsed.coverages {
        match coverage(&state, claimed.member_id) {
            Some(folded) if folded == *claimed => {}
            Some(_) => failures.add(
                "coverage",
                Some(*line),
                None,
                None,
                format!(
                    "member {}'s coverage does not follow from the bundle's events",
                    claimed.member_id
                ),
            ),
            None => failures.add(
                "coverage",
                Some(*line),
                None,
                None,
                format!("member {} has no events in the bundle", claimed.member_id),
            ),
        }
    }
}
