//! `verify-bundle`: a bundle checked in one pass over its lines, in the order the
//! module docs of `bundle` give (header, events, inclusion records, stream heads,
//! coverages, the checkpoint), keeping per event only what a later line must be
//! checked against.
//!
//! Why one pass: a bundle of a province's region is gigabytes, and the checkpoint
//! everything is proven against is its last line. Holding every event until then
//! (as this did before) took ~1.5 KB of memory per event: 1.8 GB to check a bundle of
//! 1.2 million. Now each event is checked as it is read (its hash, its place in the
//! log's chain and its stream's, its fold), and what is kept is:
//! - for an `--all` bundle, the log's Merkle tree as its perfect subtrees
//!   (`merkle::Frontier`): nothing per event;
//! - for a member or region bundle, each event's position and leaf (~56 bytes) until
//!   its inclusion record comes; each record's proof is taken to the root it leads to
//!   at once, and the distinct roots are compared with the checkpoint's at the end;
//! - per stream, its chain so far and its head record (with its proof, ~1 KB); per
//!   member, its folded state row (`Folder`, as `verify` keeps them) and its region.
//!
//! A line out of that order (an event after a record, a header that is not first) is
//! a `format` failure: the order is part of the format, and reading in one pass
//! relies on it.

use super::{
    count, holds_command_records, signs_command_records, version_read, CommandsDigest,
    CommandsNote, Header, Record, Scope, BACKUP_BUNDLE_VERSION, BUNDLE_FORMAT, BUNDLE_VERSION,
};
use crate::audit::checkpoint::{
    event_leaf, head_leaf, Checkpoint, CheckpointError, SignedCheckpoint,
};
use crate::audit::merkle::{self, Frontier};
use crate::domain::coverage::MemberCoverage;
use crate::domain::event::StreamId;
use crate::domain::policy::RegionName;
use crate::i18n::Language;
use crate::ledger::Folder;
use crate::store::{Envelope, PrintedLineProblem, Sha256};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::BufRead;
use uuid::Uuid;

/// Longest line `verify-bundle` and `restore` read, in bytes, and the writers make.
/// The longest line is a member's coverage: at most 12,120 months (1990-01 to
/// 2999-12), each ~270 bytes with every amount at its widest, ~3.3 MB in all (the
/// test below builds it). It was 1 MiB, which a member of ~6,000 months passed: a
/// backup written and reported ok that `restore` refused.
pub const BUNDLE_LINE_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Lines `verify-bundle` reads before it refuses the bundle. Memory per line is small
/// (module docs), so this bounds the time a hostile file can take, not the memory.
pub const BUNDLE_LINES_MAX: u64 = 200_000_000;
/// Failures listed before `verify-bundle` stops collecting them.
pub const BUNDLE_FAILURES_MAX: usize = 100;
/// Distinct roots the inclusion proofs of a member or region bundle may lead to before
/// the verifier stops keeping them: one is right (the checkpoint's); each other one
/// is a failure, and no more than `BUNDLE_FAILURES_MAX` are listed.
const INCLUSION_ROOTS_KEPT_MAX: usize = BUNDLE_FAILURES_MAX + 1;

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
    /// Why, in English: the `--json` report's words in every language.
    pub message: String,
    /// `message` as data, for the report in another language (not in the JSON).
    #[serde(skip)]
    pub reason: Reason,
}

impl Failure {
    /// Why the check failed, in `language`.
    pub fn message_in(&self, language: Language) -> String {
        self.reason.in_language(language)
    }
}

/// Why a check failed, as data: a message of `locales/*/audit.ftl`
/// (`audit-bundle-why-…`) and its arguments, so every language states the same facts.
/// What another module says in English (serde's and the fold's words) is an argument,
/// and stays English, as in a refusal (D37).
pub type Reason = crate::i18n::Sentence;

/// The reason `id` (`audit-bundle-why-` and the rest) with its arguments.
fn why<const N: usize>(id: &'static str, args: [(&'static str, String); N]) -> Reason {
    Reason::new(id, args.into())
}

/// An event the fold cannot apply, the problem said in the reason's language.
fn no_fold(problem: &crate::domain::state::FoldProblem) -> Reason {
    crate::store::findings::fold_problem(problem).inside("audit-bundle-why-no-fold", "detail")
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
    /// A backup's: whether its `command` records are signed (version 3, its `commands`
    /// record verified) or not (version 2, or a version-3 file whose header was edited
    /// to 2); absent for a bundle without them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commands_signed: Option<bool>,
    /// The header's version (0 without one), for the note on an older bundle.
    #[serde(skip)]
    pub version: u32,
    pub failures: Vec<Failure>,
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

/// The groups failures are listed in, in this order, whatever line found them: what
/// does not parse, the checkpoint, the log's order, inclusion, completeness, scope,
/// coverage, the key.
#[derive(Clone, Copy)]
enum Group {
    Parse,
    Checkpoint,
    Order,
    Inclusion,
    Completeness,
    Scope,
    Coverage,
    Key,
}

const GROUPS: usize = 8;

/// Failures by group, each group bounded.
#[derive(Default)]
struct Failures([Vec<Failure>; GROUPS]);

impl Failures {
    fn add(
        &mut self,
        (group, check): (Group, &'static str),
        line: Option<u64>,
        position: Option<u64>,
        stream: Option<&str>,
        reason: Reason,
    ) {
        let listed = &mut self.0[group as usize];
        if listed.len() < BUNDLE_FAILURES_MAX {
            listed.push(Failure {
                check,
                line,
                position,
                stream: stream.map(str::to_owned),
                message: reason.in_language(Language::En),
                reason,
            });
        }
    }

    fn clear(&mut self, group: Group) {
        self.0[group as usize].clear();
    }

    /// The failure of `line`, the last, if it is not JSON: the file was cut there.
    /// Whether it was.
    fn say_cut_in(&mut self, line: u64) -> bool {
        let mut cut = false;
        for failure in &mut self.0[Group::Parse as usize] {
            if failure.line == Some(line) && failure.reason.says("audit-bundle-why-not-json") {
                let reason = why("audit-bundle-why-cut-in-line", []);
                failure.message = reason.in_language(crate::i18n::Language::En);
                failure.reason = reason;
                cut = true;
            }
        }
        cut
    }

    /// Only what a bundle without its header, or cut short, is still judged by: how its lines read
    /// (the header missing or refused, lines that are not JSON, events whose hash is
    /// not their content's), not where its records stand, which its version decides.
    fn keep_without_header(&mut self) {
        for (group, listed) in self.0.iter_mut().enumerate() {
            if group != Group::Parse as usize {
                listed.clear();
            }
        }
        self.0[Group::Parse as usize].retain(|failure| {
            !failure
                .reason
                .says("audit-bundle-why-command-record-astray")
                && !failure.reason.says("audit-bundle-why-commands-unexpected")
        });
    }

    /// Every failure, group by group, at most `BUNDLE_FAILURES_MAX`.
    fn into_list(self) -> Vec<Failure> {
        let mut list: Vec<Failure> = self.0.into_iter().flatten().collect();
        list.truncate(BUNDLE_FAILURES_MAX);
        list
    }
}

/// A stream's chain as its events are read.
struct StreamScan {
    name: String,
    /// Events read, and the hash of the last (while unbroken).
    events: u64,
    last: Sha256,
    /// The first event that did not follow (position, its version): the chain is
    /// judged broken there, and nothing after it is counted.
    broken: Option<(u64, u64)>,
}

/// An event of a member or region bundle, waiting for its inclusion record.
struct EventLeaf {
    position: u64,
    line: u64,
    leaf: Sha256,
    stream: u32,
    proven: bool,
}

/// A root that inclusion proofs led to, with the events whose proofs did (the first
/// `BUNDLE_FAILURES_MAX`: the failures to list if it is not the checkpoint's root).
struct ProvenRoot {
    root: Sha256,
    events: Vec<(u64, u64, u32)>,
}

/// A stream head record.
struct Head {
    line: u64,
    stream: String,
    version: u64,
    hash: Sha256,
    index: u64,
    path: Vec<Sha256>,
}

/// Everything kept while the lines are read.
#[derive(Default)]
struct Scan {
    header: Option<Header>,
    /// Whether a `bundle` line was read and refused (another format or version): its
    /// refusal says why the bundle has no header, which is then not said again.
    header_refused: bool,
    /// Lines read that were not blank.
    lines: u64,
    /// Whether a record after the events (inclusion, head, coverage, checkpoint) was read.
    records_begun: bool,
    events: u64,
    /// The position and hash of the event read last.
    previous: Option<(u64, Sha256)>,
    /// `--all`: the log's tree so far, and whether every event was at its index + 1.
    frontier: Frontier,
    contiguous: bool,
    /// A member or region bundle: its events' leaves, sorted by position once the
    /// inclusion records begin.
    leaves: Vec<EventLeaf>,
    leaves_sorted: bool,
    roots: Vec<ProvenRoot>,
    /// Streams by name; `stream_ids` indexes `streams`.
    streams: Vec<StreamScan>,
    stream_ids: HashMap<String, u32>,
    /// Each member stream's region stream, from its enrollment.
    member_regions: HashMap<u32, String>,
    folder: Folder,
    fold_failed: bool,
    heads: Vec<Head>,
    /// The stream names of the members with a coverage record.
    covered: HashSet<String>,
    coverages: u64,
    checkpoints: Vec<(u64, SignedCheckpoint)>,
    /// The kind of record read last, the last stream head (name, index) and the last
    /// coverage's member: the records' order (`check_record_order`).
    stage: Option<RecordStage>,
    last_head: Option<(String, u64)>,
    last_member: Option<Uuid>,
    /// Event lines found edited (listed as such), and the positions and streams they
    /// name: what checks by absence would otherwise count again as events removed (an
    /// auditor's probe read 8 amounts changed as 8 events also deleted).
    edited_events: u64,
    edited_positions: BTreeSet<u64>,
    edited_streams: HashSet<String>,
    /// A backup's `command` records (line, command) read since the last event or
    /// other record, waiting for an event: the last one for its command's first event;
    /// the ones before it, followed by another command's record instead, are judged at
    /// that event too. If positions are missing there, the events they stood before
    /// were removed, and the gap is what is listed; otherwise each is astray (moved or
    /// added). An auditor's probe removed one event and read only that its command's
    /// digest "was moved or added", no position named. At most
    /// `BUNDLE_FAILURES_MAX` + 1: the ones past it are said astray at once.
    waiting_commands: Vec<(u64, Uuid)>,
    /// The command of the last event read.
    last_command: Option<Uuid>,
    /// Whether an `--all` bundle's missing positions were named where they are
    /// missing: the count of positions is then not said again.
    gaps_named: bool,
    /// The highest position read: a gap is measured from it, not from the event read
    /// last (after an event moved back, every later one read as a gap: a reviewer).
    highest: u64,
    /// Whether the last line read was JSON, and a checkpoint's (even one refused): a
    /// file that ends on an intact line that is not its checkpoint was cut short.
    last_line_json: bool,
    last_line_checkpoint: bool,
    /// A backup's `command` records read, and its `commands` records (line, signed
    /// note): the note must sign exactly those records (version 3).
    records: CommandsDigest,
    commands: Vec<(u64, SignedCheckpoint)>,
    /// Reading stopped at a line past a limit: what follows was not read, so nothing
    /// is concluded from its absence (no checkpoint, events missing, …).
    read_stopped: bool,
    failures: Failures,
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
    let mut scan = Scan {
        contiguous: true,
        ..Scan::default()
    };
    read_lines(input, &mut scan)?;
    let mut report = BundleReport {
        ok: false,
        scope: scan.header.as_ref().map(|header| header.scope.clone()),
        events: scan.events,
        streams: count(scan.heads.len()),
        members: scan.coverages,
        checkpoint: None,
        key_id: None,
        key_pinned: pinned.is_some(),
        commands_signed: None,
        version: scan.header.as_ref().map_or(0, |header| header.version),
        failures: Vec::new(),
    };
    if scan.read_stopped {
        report.failures = scan.failures.into_list();
        return Ok(report);
    }
    if scan.header.is_none() {
        // Without its header a bundle's scope and version are unknown, and so is what
        // belongs in it: its proofs, records and completeness are not judged (an
        // auditor's probe removed the header of a backup and read every event accused
        // of being added and every command digest of being moved). Each event's own
        // hash needs no header, and is still checked.
        scan.failures.keep_without_header();
        report.failures = scan.failures.into_list();
        return Ok(report);
    }
    let checkpoint = check_checkpoint(&mut scan, pinned, &mut report);
    report.commands_signed = check_commands(&mut scan, pinned, checkpoint.as_ref());
    check_event_count(&mut scan);
    match &checkpoint {
        Some(checkpoint) => {
            check_inclusion(&mut scan, checkpoint);
            check_completeness(&mut scan, checkpoint);
        }
        // Without a checkpoint nothing can be proven against it: the inclusion and
        // completeness findings are dropped (the checkpoint's failure is listed).
        None => {
            scan.failures.clear(Group::Inclusion);
            scan.failures.clear(Group::Completeness);
        }
    }
    check_scope(&mut scan);
    if let (KeyTrust::Unpinned, Some(key_id)) = (trust, &report.key_id) {
        scan.failures.add(
            (Group::Key, "key"),
            None,
            None,
            None,
            why(
                "audit-bundle-why-key-unpinned",
                [("key_id", key_id.clone())],
            ),
        );
    }
    report.failures = scan.failures.into_list();
    report.ok = report.failures.is_empty();
    Ok(report)
}

fn read_lines(input: &mut dyn BufRead, scan: &mut Scan) -> std::io::Result<()> {
    let mut line_number = 0u64;
    let mut buffer = Vec::new();
    // The last line read, if it ended without a newline (the ledger ends every line).
    let mut unterminated = None;
    loop {
        buffer.clear();
        let read = std::io::Read::take(&mut *input, count(BUNDLE_LINE_BYTES_MAX) + 1)
            .read_until(b'\n', &mut buffer)?;
        if read == 0 {
            break;
        }
        line_number += 1;
        unterminated = (!buffer.ends_with(b"\n")).then_some(line_number);
        let refused = if line_number > BUNDLE_LINES_MAX {
            let max = BUNDLE_LINES_MAX.to_string();
            Some(why("audit-bundle-why-too-many-lines", [("max", max)]))
        } else if buffer.len() > BUNDLE_LINE_BYTES_MAX {
            let max = BUNDLE_LINE_BYTES_MAX.to_string();
            Some(why("audit-bundle-why-line-too-long", [("max", max)]))
        } else {
            None
        };
        if let Some(reason) = refused {
            let format = (Group::Parse, "format");
            scan.failures
                .add(format, Some(line_number), None, None, reason);
            scan.read_stopped = true;
            return Ok(());
        }
        if line_number == 1 {
            // Said of the file once, as `restore` says it: it went on to "not JSON" and
            // "no bundle header", and more.
            let foreign = super::foreign_start(&buffer).map(|start| match start {
                super::ForeignStart::Gzip => "audit-bundle-why-gzip",
                super::ForeignStart::ByteOrderMark => "audit-bundle-why-byte-order-mark",
            });
            if let Some(id) = foreign {
                scan.failures
                    .add((Group::Parse, "format"), None, None, None, why(id, []));
                scan.read_stopped = true;
                return Ok(());
            }
        }
        let text = String::from_utf8_lossy(&buffer);
        let text = text.trim_end_matches(['\n', '\r']);
        // The ledger writes no blank line (D72): one in a bundle was put there.
        if text.trim().is_empty() {
            let reason = why("audit-bundle-why-blank-line", []);
            (scan.failures).add(
                (Group::Parse, "edited"),
                Some(line_number),
                None,
                None,
                reason,
            );
            continue;
        }
        scan.lines += 1;
        if scan.lines == 1 && !is_record_or_event_line(text) {
            // A bundle opens with its header (or, moved, an event): a file that opens
            // with neither (a command file, a CSV) is not one, and is said to be that
            // once, not read on as a bundle whose every line was tampered with.
            break;
        }
        read_line(text, line_number, scan);
    }
    read_to_the_end(scan, line_number, unterminated);
    Ok(())
}

/// What the input's end says, once every line was read (`lines` of them, the last
/// `unterminated` if it had no newline): an empty file, a file cut mid-line, a
/// command record left without its event, no header.
fn read_to_the_end(scan: &mut Scan, lines: u64, unterminated: Option<u64>) {
    if lines == 0 {
        // Said as `restore` says it, not as a bundle whose first line was removed.
        let empty = why("audit-bundle-why-empty", []);
        scan.failures
            .add((Group::Parse, "format"), None, None, None, empty);
        scan.read_stopped = true;
        return;
    }
    if let Some(line) = unterminated {
        // A last line that is not JSON and has no newline was cut in the middle (a file
        // copied while written): said so, as `restore` says it, not "EOF while parsing";
        // what the lost end held (records, checkpoint) is not said missing line by line.
        if scan.failures.say_cut_in(line) {
            end_cut_short(scan);
            return;
        }
    }
    let intact_end = scan.last_line_json && !scan.last_line_checkpoint;
    if scan.header.is_some() && scan.checkpoints.is_empty() && intact_end {
        // The checkpoint is every bundle's last line: a file that ends on an intact
        // line without one (cut between two lines, or its end removed) is said to be
        // cut short, as `restore` says it, and what its lost end held is not listed
        // line by line (an auditor read "no checkpoint", "no commands record", "0
        // stream heads" and events missing, and had to infer the one cause).
        let reason = why("audit-bundle-why-cut-short", [("line", lines.to_string())]);
        scan.failures
            .add((Group::Parse, "format"), Some(lines), None, None, reason);
        end_cut_short(scan);
        return;
    }
    records_astray(scan);
    if scan.header.is_none() && !scan.header_refused {
        scan.failures.add(
            (Group::Parse, "format"),
            None,
            None,
            None,
            why("audit-bundle-why-no-header", []),
        );
    }
}

/// The end of a bundle cut short: what was read keeps its findings (a line altered, an
/// event out of order, a record astray, a coverage that does not follow); what is
/// judged by absence (the checkpoint, the events and heads it commits to, the header's
/// counts) is not judged, the lost end being the one cause; nor is the digest of the
/// command whose event the cut took, if it was the last record read.
fn end_cut_short(scan: &mut Scan) {
    scan.waiting_commands.pop();
    records_astray(scan);
    for group in [
        Group::Checkpoint,
        Group::Inclusion,
        Group::Completeness,
        Group::Scope,
        Group::Key,
    ] {
        scan.failures.clear(group);
    }
    scan.read_stopped = true;
}

/// Whether `text` is a line of a bundle: a JSON object with a `record` field, or an
/// event's (`position` and `type`, hash or not: an event altered is still an event),
/// or a damaged header (not JSON, or its `record` lost, but naming the bundle format):
/// a tampered bundle is read on and its findings listed, never called "not a bundle".
fn is_record_or_event_line(text: &str) -> bool {
    if text.contains("\"record\"") || text.contains(crate::audit::bundle::BUNDLE_FORMAT) {
        return true;
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(fields)) => {
            fields.contains_key("record")
                || (fields.contains_key("position") && fields.contains_key("type"))
        }
        _ => false,
    }
}

fn read_line(text: &str, line: u64, scan: &mut Scan) {
    scan.last_line_checkpoint = text.contains("\"record\":\"checkpoint\"");
    scan.last_line_json = true;
    // Most lines are events: one that names no `record` and decodes as an event with
    // its hash is read as one, parsed once. Any other line is classified by its parsed
    // `record` field, as every line was before: the same outcome, with each event
    // parsed twice (an `--all` bundle of 1,180,025 events took 16.0 s, 13.3 s now).
    if !text.contains("\"record\"") {
        if let Ok(envelope) = Envelope::decode_printed(text.as_bytes()) {
            scan_event(scan, line, &envelope);
            return;
        }
    }
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            scan.last_line_json = false;
            let reason = why("audit-bundle-why-not-json", [("detail", error.to_string())]);
            scan.failures
                .add((Group::Parse, "format"), Some(line), None, None, reason);
            return;
        }
    };
    match value.get("record").and_then(serde_json::Value::as_str) {
        None => read_event(text, &value, line, scan),
        Some("bundle") => read_header(text, value, line, scan),
        // A backup's command digest comes among the events, before its command's first.
        Some("command") => read_record(text, value, line, scan),
        // The signed note of those digests comes after the coverages: one before the
        // stream heads was moved there, and is named so (taken as the records' start,
        // every event and head after it was listed as out of place instead).
        Some("commands") if !scan.records_begun => {
            let reason = why("audit-bundle-why-commands-unexpected", []);
            scan.failures
                .add((Group::Parse, "format"), Some(line), None, None, reason);
        }
        Some(_) => {
            scan.records_begun = true;
            read_record(text, value, line, scan);
        }
    }
}

/// A line without a `record` field: an event, which must still have its hash.
fn read_event(text: &str, value: &serde_json::Value, line: u64, scan: &mut Scan) {
    let position = value.get("position").and_then(serde_json::Value::as_u64);
    let stream = value.get("stream").and_then(serde_json::Value::as_str);
    let edited = (Group::Parse, "edited");
    if value.get("hash").is_none() {
        let reason = why("audit-bundle-why-no-hash", []);
        note_edited_event(scan, position, stream);
        scan.failures
            .add(edited, Some(line), position, stream, reason);
        return;
    }
    let reason = match Envelope::decode_printed(text.as_bytes()) {
        Err(PrintedLineProblem::HashMismatch { claimed, hash }) => {
            let args = [("claimed", claimed.to_string()), ("hash", hash.to_string())];
            why("audit-bundle-why-hash-mismatch", args)
        }
        Ok(envelope) => {
            scan_event(scan, line, &envelope);
            return;
        }
        Err(PrintedLineProblem::NoHash) => why("audit-bundle-why-no-hash", []),
        Err(PrintedLineProblem::NotAsPrinted) => why("audit-bundle-why-event-not-as-printed", []),
        Err(PrintedLineProblem::Undecodable(detail)) => {
            why("audit-bundle-why-altered", [("detail", detail)])
        }
    };
    note_edited_event(scan, position, stream);
    scan.failures
        .add(edited, Some(line), position, stream, reason);
}

/// The `bundle` line: the first line, the one header, of this format and version.
fn read_header(text: &str, value: serde_json::Value, line: u64, scan: &mut Scan) {
    let format = (Group::Parse, "format");
    scan.header_refused |= scan.header.is_none();
    let failures = &mut scan.failures;
    match serde_json::from_value::<Header>(value) {
        // Versions 2 and 3 are a backup's: of the whole log only.
        Ok(header)
            if header.format == BUNDLE_FORMAT
                && version_read(header.version)
                && (header.version == BUNDLE_VERSION || header.scope == Scope::All)
                && scan.header.is_none() =>
        {
            if scan.lines > 1 {
                let reason = why("audit-bundle-why-header-not-first", []);
                failures.add(format, Some(line), None, None, reason);
            }
            check_as_written(failures, line, text, &header);
            scan.header_refused = false;
            scan.header = Some(header)
        }
        Ok(header) => {
            // The versions a bundle of that scope may be of (a backup's 3 was said
            // alone, as if 1 and 2 were refused).
            let version = if header.scope == Scope::All {
                format!("{BUNDLE_VERSION}–{BACKUP_BUNDLE_VERSION}")
            } else {
                BUNDLE_VERSION.to_string()
            };
            let args = [("format", BUNDLE_FORMAT.to_string()), ("version", version)];
            let reason = why("audit-bundle-why-second-header", args);
            failures.add(format, Some(line), None, None, reason)
        }
        Err(error) => failures.add(
            format,
            Some(line),
            None,
            None,
            why(
                "audit-bundle-why-bad-header",
                [("detail", error.to_string())],
            ),
        ),
    }
}

/// Whether the bundle says it holds the whole log.
fn whole_log(scan: &Scan) -> bool {
    scan.header
        .as_ref()
        .is_some_and(|header| header.scope == Scope::All)
}

/// One event, checked as it is read: its place after the event before (the log's
/// order and chain), its stream's chain, its fold; and kept as a leaf to prove.
fn scan_event(scan: &mut Scan, line: u64, envelope: &Envelope) {
    scan.events += 1;
    let (position, stream) = (Some(envelope.position), Some(envelope.stream.as_str()));
    if scan.records_begun {
        let reason = why("audit-bundle-why-event-after-records", []);
        let format = (Group::Parse, "format");
        scan.failures
            .add(format, Some(line), position, stream, reason);
    }
    if let Some((previous, previous_hash)) = scan.previous {
        if envelope.position <= previous {
            scan.failures.add(
                (Group::Order, "order"),
                Some(line),
                position,
                stream,
                why(
                    "audit-bundle-why-reordered",
                    [
                        ("position", envelope.position.to_string()),
                        ("previous", previous.to_string()),
                    ],
                ),
            );
        } else if envelope.position == previous + 1 && envelope.prev_hash != previous_hash {
            scan.failures.add(
                (Group::Order, "chain"),
                Some(line),
                position,
                stream,
                why("audit-bundle-why-chain-broken", []),
            );
        }
    }
    let gap = match whole_log(scan) {
        true => name_missing_positions(scan, line, envelope),
        false => 0,
    };
    scan.highest = scan.highest.max(envelope.position);
    scan.previous = Some((envelope.position, envelope.hash));
    scan_command(scan, envelope, gap);
    let stream_id = scan_stream(scan, envelope);
    let leaf = event_leaf(&envelope.hash);
    if whole_log(scan) {
        scan.contiguous &= envelope.position == scan.events;
        scan.frontier.push(leaf);
    } else {
        scan.leaves.push(EventLeaf {
            position: envelope.position,
            line,
            leaf,
            stream: stream_id,
            proven: false,
        });
    }
    if let crate::domain::Event::MemberEnrolled(enrolled) = &envelope.event {
        let region = StreamId::Region(enrolled.region.clone()).name();
        scan.member_regions.insert(stream_id, region);
    }
    if !scan.fold_failed {
        if let Err(error) = scan.folder.apply(envelope.position, &envelope.event) {
            scan.fold_failed = true;
            scan.failures.add(
                (Group::Coverage, "coverage"),
                Some(line),
                position,
                stream,
                no_fold(&error.problem),
            );
        }
    }
}

/// The event's stream's chain: each event must be the next version and link to the
/// one before. Returns the stream's id.
fn scan_stream(scan: &mut Scan, envelope: &Envelope) -> u32 {
    let id = match scan.stream_ids.get(envelope.stream.as_str()) {
        Some(id) => *id,
        None => {
            // OK because a bundle holds at most BUNDLE_LINES_MAX (< u32::MAX) lines.
            let id = u32::try_from(scan.streams.len()).expect("fewer streams than lines");
            scan.stream_ids.insert(envelope.stream.clone(), id);
            scan.streams.push(StreamScan {
                name: envelope.stream.clone(),
                events: 0,
                last: Sha256::ZERO,
                broken: None,
            });
            id
        }
    };
    let stream = &mut scan.streams[id as usize];
    if stream.broken.is_none() {
        if envelope.version != stream.events + 1 || envelope.stream_prev_hash != stream.last {
            stream.broken = Some((envelope.position, envelope.version));
        } else {
            stream.events += 1;
            stream.last = envelope.hash;
        }
    }
    id
}

/// An `--all` bundle's event after positions that are not in it (past the highest
/// read, and not listed as edited): they are named, here. How many there are.
fn name_missing_positions(scan: &mut Scan, line: u64, envelope: &Envelope) -> u64 {
    let after = scan.highest;
    if envelope.position <= after + 1 {
        return 0;
    }
    let (from, to) = (after + 1, envelope.position - 1);
    let edited = count(scan.edited_positions.range(from..=to).count());
    if edited == to - from + 1 {
        return 0;
    }
    scan.gaps_named = true;
    let reason = positions_missing(from, to);
    let stream = Some(envelope.stream.as_str());
    scan.failures.add(
        (Group::Order, "completeness"),
        Some(line),
        Some(envelope.position),
        stream,
        reason,
    );
    to - from + 1 - edited
}

/// Positions `from` to `to` are not in an `--all` bundle.
fn positions_missing(from: u64, to: u64) -> Reason {
    let one = if from == to { "yes" } else { "no" };
    let args = [
        ("from", from.to_string()),
        ("to", to.to_string()),
        ("one", one.to_owned()),
    ];
    why("audit-bundle-why-positions-missing", args)
}

/// The command `envelope` belongs to: a `command` record waiting for its command's
/// first event is answered by this one, or is astray, unless positions are missing
/// right before this event (`gap` of them): the records of the removed events'
/// commands, at most one per position missing, the last ones read, are not blamed.
fn scan_command(scan: &mut Scan, envelope: &Envelope, gap: u64) {
    let starts = scan.last_command != Some(envelope.command_id);
    scan.last_command = Some(envelope.command_id);
    let answered = scan
        .waiting_commands
        .last()
        .is_some_and(|&(_, command_id)| starts && command_id == envelope.command_id);
    if answered {
        scan.waiting_commands.pop();
    }
    records_astray_but(scan, gap);
}

/// The `command` records waiting for an event, now that another kind of line came (or
/// an event of another command): each is astray but the last `excused`, which stood
/// before as many positions missing.
fn records_astray_but(scan: &mut Scan, excused: u64) {
    let mut waiting = std::mem::take(&mut scan.waiting_commands);
    let excused = usize::try_from(excused)
        .unwrap_or(usize::MAX)
        .min(waiting.len());
    waiting.truncate(waiting.len() - excused);
    for (line, command_id) in waiting {
        command_record_astray(&mut scan.failures, line, command_id);
    }
}

/// The `command` records waiting for an event, now that another kind of line came:
/// each is astray.
fn records_astray(scan: &mut Scan) {
    records_astray_but(scan, 0);
}

/// A `command` record that is not right before its command's first event, or in a
/// bundle that holds none (any but a backup's, version 2 or 3).
fn command_record_astray(failures: &mut Failures, line: u64, command_id: Uuid) {
    let reason = why(
        "audit-bundle-why-command-record-astray",
        [("command_id", command_id.to_string())],
    );
    failures.add((Group::Parse, "format"), Some(line), None, None, reason);
}

/// Any other `record` line: a command digest, a proof, a stream head, a coverage or
/// the checkpoint.
fn read_record(text: &str, value: serde_json::Value, line: u64, scan: &mut Scan) {
    let format = (Group::Parse, "format");
    let record = serde_json::from_value::<Record>(value);
    if let Ok(record) = &record {
        check_as_written(&mut scan.failures, line, text, record);
        check_record_order(scan, line, record);
    }
    if !matches!(record, Ok(Record::Command { .. })) {
        // A command's digest is followed by its first event, nothing else; those
        // before the log's last positions, missing, are not blamed for them.
        let missing = match (whole_log(scan), &scan.header) {
            (true, Some(header)) => header.tree_size.saturating_sub(scan.highest),
            _ => 0,
        };
        records_astray_but(scan, missing);
    } else if scan.waiting_commands.len() > BUNDLE_FAILURES_MAX {
        // A digest followed by another waits for the next event, up to the bound.
        if let Some((line, command_id)) = scan.waiting_commands.pop() {
            command_record_astray(&mut scan.failures, line, command_id);
        }
    }
    match record {
        Ok(Record::Command {
            command_id,
            body_digest,
        }) => {
            let backup = scan
                .header
                .as_ref()
                .is_some_and(|header| holds_command_records(header.version));
            if backup && whole_log(scan) && !scan.records_begun {
                scan.records.add(command_id, &body_digest);
                scan.waiting_commands.push((line, command_id));
            } else {
                command_record_astray(&mut scan.failures, line, command_id);
            }
        }
        Ok(Record::Inclusion { position, path }) => read_inclusion(scan, line, position, &path),
        Ok(Record::StreamHead {
            stream,
            version,
            hash,
            index,
            path,
        }) => scan.heads.push(Head {
            line,
            stream,
            version,
            hash,
            index,
            path,
        }),
        Ok(Record::Coverage { coverage }) => {
            read_coverage(scan, line, &MemberCoverage::from(*coverage))
        }
        Ok(Record::Commands(signed)) => scan.commands.push((line, signed)),
        Ok(Record::Checkpoint(signed)) => scan.checkpoints.push((line, signed)),
        Err(error) => scan.failures.add(
            format,
            Some(line),
            None,
            None,
            why(
                "audit-bundle-why-bad-record",
                [("detail", error.to_string())],
            ),
        ),
    }
}

/// An event line found edited: counted, with what it names, so that the checks by
/// absence (the header's count, a proof without its event, a stream's versions, the
/// whole log's positions) do not list it a second time as removed.
fn note_edited_event(scan: &mut Scan, position: Option<u64>, stream: Option<&str>) {
    scan.edited_events += 1;
    if let Some(position) = position {
        scan.edited_positions.insert(position);
    }
    if let Some(stream) = stream {
        scan.edited_streams.insert(stream.to_owned());
    }
}

/// A line that parses but is not the bytes the ledger writes for what it holds: edited
/// (`is_as_written`, D72).
fn check_as_written(failures: &mut Failures, line: u64, text: &str, parsed: &impl Serialize) {
    if super::is_as_written(text, parsed) {
        return;
    }
    let reason = why("audit-bundle-why-record-not-as-written", []);
    failures.add((Group::Parse, "edited"), Some(line), None, None, reason);
}

/// The records come in the order the module docs give: inclusion proofs, stream heads
/// in name order, coverages in member order, the checkpoint last; an `--all` bundle has
/// no inclusion proofs. `restore` reads a backup the same way, so a bundle this passes
/// is one `restore` takes (found by an auditor's probe: heads or coverages swapped, a
/// coverage repeated or the checkpoint moved passed here and were refused there).
fn check_record_order(scan: &mut Scan, line: u64, record: &Record) {
    let stage = RecordStage::of(record);
    let whole_log = whole_log(scan);
    let failures = &mut scan.failures;
    let mut refuse = |id: &'static str, args: Vec<(&'static str, String)>| {
        let reason = Reason::new(id, args);
        failures.add((Group::Parse, "format"), Some(line), None, None, reason);
    };
    if let Some(after) = scan.stage.filter(|after| stage < *after) {
        let args = vec![
            ("record", stage.name().to_owned()),
            ("after", after.name().to_owned()),
        ];
        refuse("audit-bundle-why-record-moved", args);
    }
    scan.stage = scan.stage.max(Some(stage));
    match record {
        Record::Inclusion { .. } if whole_log => {
            refuse("audit-bundle-why-proof-in-whole-log", Vec::new())
        }
        Record::StreamHead { stream, index, .. } => {
            let in_order = scan
                .last_head
                .as_ref()
                .is_none_or(|(last, last_index)| last < stream && last_index < index);
            if !in_order {
                refuse(
                    "audit-bundle-why-head-out-of-order",
                    vec![("stream", stream.clone())],
                );
            }
            scan.last_head = Some((stream.clone(), *index));
        }
        Record::Coverage { coverage } => {
            let member = coverage.member_id;
            if scan.last_member.is_some_and(|last| last >= member) {
                let args = vec![("member", member.to_string())];
                refuse("audit-bundle-why-coverage-out-of-order", args);
            }
            scan.last_member = Some(member);
        }
        Record::Command { .. }
        | Record::Inclusion { .. }
        | Record::Commands(_)
        | Record::Checkpoint(_) => {}
    }
}

/// The kinds of record, in the order they come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RecordStage {
    Command,
    Inclusion,
    StreamHead,
    Coverage,
    Commands,
    Checkpoint,
}

impl RecordStage {
    fn of(record: &Record) -> RecordStage {
        match record {
            Record::Command { .. } => RecordStage::Command,
            Record::Inclusion { .. } => RecordStage::Inclusion,
            Record::StreamHead { .. } => RecordStage::StreamHead,
            Record::Coverage { .. } => RecordStage::Coverage,
            Record::Commands(_) => RecordStage::Commands,
            Record::Checkpoint(_) => RecordStage::Checkpoint,
        }
    }

    /// The `record` field's value.
    fn name(self) -> &'static str {
        match self {
            RecordStage::Command => "command",
            RecordStage::Inclusion => "inclusion",
            RecordStage::StreamHead => "stream_head",
            RecordStage::Coverage => "coverage",
            RecordStage::Commands => "commands",
            RecordStage::Checkpoint => "checkpoint",
        }
    }
}

/// An event's inclusion record: the root its proof leads to is kept, to be compared
/// with the checkpoint's (`check_inclusion`). An `--all` bundle's are not read: its
/// events rebuild the whole tree.
fn read_inclusion(scan: &mut Scan, line: u64, position: u64, path: &[Sha256]) {
    if whole_log(scan) {
        return;
    }
    if !scan.leaves_sorted {
        scan.leaves.sort_by_key(|leaf| leaf.position);
        scan.leaves_sorted = true;
    }
    // The events at this position, in line order (the sort is stable): an event
    // repeated in the bundle has two, and its proof belongs to the first, so the line
    // named as added is the repeat's (an auditor's probe was shown the original's).
    let first = scan.leaves.partition_point(|leaf| leaf.position < position);
    let held = scan.leaves[first..]
        .iter()
        .take_while(|leaf| leaf.position == position)
        .count();
    if held == 0 {
        if scan.edited_positions.contains(&position) {
            return;
        }
        let reason = why("audit-bundle-why-proof-without-event", []);
        let completeness = (Group::Inclusion, "completeness");
        scan.failures
            .add(completeness, Some(line), Some(position), None, reason);
        return;
    }
    let unproven = (first..first + held).find(|&index| !scan.leaves[index].proven);
    let Some(found) = unproven else {
        scan.failures.add(
            (Group::Parse, "format"),
            Some(line),
            Some(position),
            None,
            why("audit-bundle-why-second-proof", []),
        );
        return;
    };
    let event = &mut scan.leaves[found];
    event.proven = true;
    let tree_size = scan.header.as_ref().map_or(0, |header| header.tree_size);
    let root = position
        .checked_sub(1)
        .and_then(|index| merkle::root_from_inclusion(index, tree_size, &event.leaf, path));
    let proven = (event.line, event.position, event.stream);
    match root {
        Some(root) => keep_root(&mut scan.roots, root, proven),
        None => {
            let stream = &scan.streams[event.stream as usize].name;
            scan.failures.add(
                (Group::Inclusion, "inclusion"),
                Some(event.line),
                Some(position),
                Some(stream),
                why(
                    "audit-bundle-why-not-in-log",
                    [("size", tree_size.to_string())],
                ),
            );
        }
    }
}

/// Adds an event whose proof led to `root` (`INCLUSION_ROOTS_KEPT_MAX` roots at most).
fn keep_root(roots: &mut Vec<ProvenRoot>, root: Sha256, event: (u64, u64, u32)) {
    if let Some(kept) = roots.iter_mut().find(|kept| kept.root == root) {
        if kept.events.len() < BUNDLE_FAILURES_MAX {
            kept.events.push(event);
        }
    } else if roots.len() < INCLUSION_ROOTS_KEPT_MAX {
        roots.push(ProvenRoot {
            root,
            events: vec![event],
        });
    }
}

/// A coverage record, compared with the fold of the events read before it.
fn read_coverage(scan: &mut Scan, line: u64, claimed: &MemberCoverage) {
    scan.coverages += 1;
    scan.covered
        .insert(StreamId::Member(claimed.member_id).name());
    if scan.fold_failed {
        return;
    }
    let member_id = claimed.member_id;
    let args = [("member", member_id.to_string())];
    let reason = match scan.folder.coverage(member_id) {
        Some(folded) if folded == *claimed => match close_unfinished(scan, member_id) {
            None => return,
            Some(month) => why(
                "audit-bundle-why-coverage-close-unfinished",
                [
                    ("member", member_id.to_string()),
                    ("month", month.to_string()),
                ],
            ),
        },
        Some(folded) => coverage_differs(claimed, &folded),
        None => why("audit-bundle-why-coverage-without-events", args),
    };
    scan.failures.add(
        (Group::Coverage, "coverage"),
        Some(line),
        None,
        None,
        reason,
    );
}

/// The month of a close the bundle holds whose consequences for the member its events
/// do not (R9–R11), when the bundle is a member's or a region's: its coverage was
/// folded mid-close, a state the ledger never acts on (D17, D83), which `export`
/// refuses to write since 2026-12-06. A backup (the whole log) is taken mid-close on
/// purpose and proves what its events fold to (D64): not checked.
fn close_unfinished(scan: &Scan, member_id: uuid::Uuid) -> Option<crate::domain::month::Month> {
    let backup = scan
        .header
        .as_ref()
        .is_some_and(|header| header.scope == Scope::All);
    if backup {
        return None;
    }
    scan.folder.close_pending(member_id)
}

/// Why a coverage record is not its events' fold: the first field that differs (in the
/// record's wire shape, so named as the bundle spells it), with both values, so that
/// an auditor sees what was altered (a balance, a status, a subsidy).
fn coverage_differs(claimed: &MemberCoverage, folded: &MemberCoverage) -> Reason {
    let as_json = |coverage: &MemberCoverage| {
        serde_json::to_value(crate::codec::wire::MemberCoverage::from(coverage))
            .unwrap_or(serde_json::Value::Null)
    };
    let (claimed_json, folded_json) = (as_json(claimed), as_json(folded));
    let (field, in_bundle, by_events) =
        first_difference(&claimed_json, &folded_json, String::new())
            .unwrap_or_else(|| ("coverage".to_owned(), "?".to_owned(), "?".to_owned()));
    why(
        "audit-bundle-why-coverage-differs",
        [
            ("member", claimed.member_id.to_string()),
            ("field", field),
            ("claimed", in_bundle),
            ("folded", by_events),
        ],
    )
}

/// Characters of a value said in a coverage's difference, at most (a month line is
/// about 250; a whole coverage can be megabytes).
const COVERAGE_DIFFERENCE_VALUE_CHARS_MAX: usize = 300;

/// The first place, in document order, where `claimed` and `folded` differ: its path
/// (`months[3].status`) and the two values as JSON (`absent` where one has nothing: no
/// JSON value is spelt so, and the catalogs say it as a word, where a bare `-` stood).
fn first_difference(
    claimed: &serde_json::Value,
    folded: &serde_json::Value,
    path: String,
) -> Option<(String, String, String)> {
    use serde_json::Value;
    if claimed == folded {
        return None;
    }
    let said = |value: Option<&Value>| {
        let text = value.map_or_else(|| "absent".to_owned(), Value::to_string);
        match text.char_indices().nth(COVERAGE_DIFFERENCE_VALUE_CHARS_MAX) {
            Some((end, _)) => format!("{}…", &text[..end]),
            None => text,
        }
    };
    let at = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (claimed, folded) {
        (Value::Object(ours), Value::Object(theirs)) => {
            let mut keys: Vec<&String> = theirs.keys().collect();
            keys.extend(ours.keys().filter(|key| !theirs.contains_key(*key)));
            keys.into_iter()
                .find_map(|key| match (ours.get(key), theirs.get(key)) {
                    (Some(mine), Some(other)) => first_difference(mine, other, at(key)),
                    (mine, other) if mine != other => Some((at(key), said(mine), said(other))),
                    _ => None,
                })
        }
        (Value::Array(ours), Value::Array(theirs)) => {
            (0..ours.len().max(theirs.len())).find_map(|index| {
                let place = format!("{path}[{index}]");
                match (ours.get(index), theirs.get(index)) {
                    (Some(mine), Some(other)) => first_difference(mine, other, place),
                    (mine, other) => Some((place, said(mine), said(other))),
                }
            })
        }
        _ => Some((path, said(Some(claimed)), said(Some(folded)))),
    }
}

fn check_checkpoint(
    scan: &mut Scan,
    pinned: Option<&VerifyingKey>,
    report: &mut BundleReport,
) -> Option<Checkpoint> {
    let group = (Group::Checkpoint, "checkpoint");
    let [(line, signed)] = scan.checkpoints.as_slice() else {
        let found = scan.checkpoints.len().to_string();
        let reason = why("audit-bundle-why-checkpoint-count", [("found", found)]);
        scan.failures.add(group, None, None, None, reason);
        return None;
    };
    if let Ok(key) = crate::audit::checkpoint::parse_public_key(&signed.public_key) {
        report.key_id = Some(crate::audit::checkpoint::key_id(&key));
    }
    match signed.verify(pinned) {
        Ok(checkpoint) => {
            if let Some(header) = &scan.header {
                if header.tree_size != checkpoint.tree_size {
                    scan.failures.add(
                        group,
                        Some(*line),
                        None,
                        None,
                        why(
                            "audit-bundle-why-tree-size",
                            [
                                ("header", header.tree_size.to_string()),
                                ("checkpoint", checkpoint.tree_size.to_string()),
                            ],
                        ),
                    );
                }
            }
            report.checkpoint = Some(checkpoint.clone());
            Some(checkpoint)
        }
        Err(error) => {
            let reason = checkpoint_reason(error);
            scan.failures.add(group, Some(*line), None, None, reason);
            None
        }
    }
}

/// A backup of version 3 signs its `command` records on one `commands` record: its
/// signature verifies (by the pinned key, if one is), it signs exactly the records
/// read, and it names the checkpoint (size, root and key). No other bundle has one.
/// Returns whether a backup's records are signed (`None`: a bundle without them).
fn check_commands(
    scan: &mut Scan,
    pinned: Option<&VerifyingKey>,
    checkpoint: Option<&Checkpoint>,
) -> Option<bool> {
    let group = (Group::Checkpoint, "commands");
    let version = scan.header.as_ref().map_or(0, |header| header.version);
    let signs = signs_command_records(version);
    let commands = std::mem::take(&mut scan.commands);
    let mut commands = commands.into_iter();
    let first = if signs { commands.next() } else { None };
    for (line, _) in commands {
        let reason = why("audit-bundle-why-commands-unexpected", []);
        scan.failures.add(group, Some(line), None, None, reason);
    }
    let Some((line, signed)) = first else {
        if signs {
            let reason = why("audit-bundle-why-commands-missing", []);
            scan.failures.add(group, None, None, None, reason);
        }
        // A whole log's bundle of version 1 (an `export --all`, an old backup) has no
        // digests at all: as unsigned as can be, for whoever would restore it.
        let whole = scan
            .header
            .as_ref()
            .is_some_and(|header| header.scope == Scope::All);
        return (holds_command_records(version) || whole).then_some(false);
    };
    // Another backup's note first: its count differs too, but no record was touched.
    let key = scan
        .checkpoints
        .first()
        .map(|(_, checkpoint)| &checkpoint.public_key);
    let reason = match CommandsNote::verify(&signed, pinned) {
        Err(error) => Some(commands_reason(error)),
        Ok(note)
            if checkpoint.is_some_and(|checkpoint| !note.names(checkpoint))
                || key.is_some_and(|key| *key != signed.public_key) =>
        {
            Some(why("audit-bundle-why-commands-of-another-checkpoint", []))
        }
        Ok(note)
            if note.records != scan.records.records() || note.digest != scan.records.digest() =>
        {
            let args = [
                ("signed", note.records.to_string()),
                ("held", scan.records.records().to_string()),
            ];
            Some(why("audit-bundle-why-commands-differ", args))
        }
        Ok(_) => None,
    };
    let signed = reason.is_none();
    if let Some(reason) = reason {
        scan.failures.add(group, Some(line), None, None, reason);
    }
    Some(signed)
}

/// Why a `commands` record is not trusted, worded as [`checkpoint_reason`].
fn commands_reason(error: CheckpointError) -> Reason {
    match error {
        CheckpointError::WrongKey { found, pinned } => why(
            "audit-bundle-why-commands-wrong-key",
            [("found", found), ("pinned", pinned)],
        ),
        CheckpointError::BadSignature => why("audit-bundle-why-commands-bad-signature", []),
        CheckpointError::Malformed(detail) | CheckpointError::BadKey(detail) => {
            why("audit-bundle-why-commands-forged", [("detail", detail)])
        }
    }
}

/// Why a checkpoint is not trusted: a key or signature in words of each language, a
/// malformed note or key with its English detail.
fn checkpoint_reason(error: CheckpointError) -> Reason {
    match error {
        CheckpointError::WrongKey { found, pinned } => why(
            "audit-bundle-why-checkpoint-wrong-key",
            [("found", found), ("pinned", pinned)],
        ),
        CheckpointError::BadSignature => why("audit-bundle-why-checkpoint-bad-signature", []),
        other => why(
            "audit-bundle-why-checkpoint-forged",
            [("detail", other.to_string())],
        ),
    }
}

/// The header's event count is the bundle's.
fn check_event_count(scan: &mut Scan) {
    let Some(header) = &scan.header else { return };
    let held = scan.events + scan.edited_events;
    if header.events != held {
        // The events held count the edited ones too (an auditor's probe added a forged
        // event and read "the header lists 24 events but the bundle holds 24").
        let args = [
            ("listed", header.events.to_string()),
            ("held", held.to_string()),
        ];
        let reason = why("audit-bundle-why-event-count", args);
        scan.failures
            .add((Group::Order, "completeness"), None, None, None, reason);
    }
}

/// Every event is in the signed log: an `--all` bundle's rebuild the checkpoint's root;
/// each event of another bundle has a proof that leads to it.
fn check_inclusion(scan: &mut Scan, checkpoint: &Checkpoint) {
    if whole_log(scan) {
        // The edited lines are listed; the root cannot be rebuilt without them.
        if scan.edited_events > 0 && scan.events + scan.edited_events == checkpoint.tree_size {
            return;
        }
        let last = scan.highest;
        if last < checkpoint.tree_size && !scan.edited_positions.contains(&checkpoint.tree_size) {
            // The log's last events removed, its records kept: named, as a gap is.
            let reason = positions_missing(last + 1, checkpoint.tree_size);
            let completeness = (Group::Inclusion, "completeness");
            scan.failures.add(completeness, None, None, None, reason);
            scan.gaps_named = true;
        }
        // Missing positions named where they are missing are not counted again.
        if scan.gaps_named && scan.events < checkpoint.tree_size {
            return;
        }
        if !scan.contiguous || scan.events != checkpoint.tree_size {
            scan.failures.add(
                (Group::Inclusion, "completeness"),
                None,
                None,
                None,
                why(
                    "audit-bundle-why-all-positions",
                    [
                        ("size", checkpoint.tree_size.to_string()),
                        ("held", scan.events.to_string()),
                    ],
                ),
            );
        } else if scan.frontier.root() != checkpoint.root {
            scan.failures.add(
                (Group::Inclusion, "inclusion"),
                None,
                None,
                None,
                why("audit-bundle-why-root-differs", []),
            );
        }
        return;
    }
    let inclusion = (Group::Inclusion, "inclusion");
    for kept in scan
        .roots
        .iter()
        .filter(|kept| kept.root != checkpoint.root)
    {
        for &(line, position, stream) in &kept.events {
            scan.failures.add(
                inclusion,
                Some(line),
                Some(position),
                Some(&scan.streams[stream as usize].name),
                why(
                    "audit-bundle-why-not-in-log",
                    [("size", checkpoint.tree_size.to_string())],
                ),
            );
        }
    }
    for event in scan.leaves.iter().filter(|event| !event.proven) {
        scan.failures.add(
            inclusion,
            Some(event.line),
            Some(event.position),
            Some(&scan.streams[event.stream as usize].name),
            why("audit-bundle-why-no-proof", []),
        );
    }
}

/// Each stream with events has a head the checkpoint commits to, and its events are
/// versions 1..=head, each linking to the one before, the last being the head.
fn check_completeness(scan: &mut Scan, checkpoint: &Checkpoint) {
    let completeness = (Group::Completeness, "completeness");
    let mut headed: BTreeSet<&str> = BTreeSet::new();
    for head in &scan.heads {
        let stream = head.stream.as_str();
        if !headed.insert(stream) {
            let reason = why("audit-bundle-why-second-head", []);
            let format = (Group::Completeness, "format");
            scan.failures
                .add(format, Some(head.line), None, Some(stream), reason);
            continue;
        }
        let leaf = head_leaf(stream, head.version, &head.hash);
        let heads = (checkpoint.heads_size, &checkpoint.heads_root);
        if !merkle::verify_inclusion(head.index, heads.0, &leaf, &head.path, heads.1) {
            let reason = why("audit-bundle-why-head-not-committed", []);
            scan.failures
                .add(completeness, Some(head.line), None, Some(stream), reason);
            continue;
        }
        let read = scan
            .stream_ids
            .get(stream)
            .map(|id| &scan.streams[*id as usize]);
        // A stream with an edited event is not judged by its versions again.
        if !scan.edited_streams.contains(stream) {
            check_stream_chain(&mut scan.failures, head, read);
        }
    }
    for stream in &scan.streams {
        if !headed.contains(stream.name.as_str()) {
            let reason = why("audit-bundle-why-no-head", []);
            scan.failures
                .add(completeness, None, None, Some(&stream.name), reason);
        }
    }
    let Some(header) = &scan.header else { return };
    if header.scope == Scope::All && count(scan.heads.len()) != checkpoint.heads_size {
        scan.failures.add(
            completeness,
            None,
            None,
            None,
            why(
                "audit-bundle-why-all-heads",
                [
                    ("size", checkpoint.heads_size.to_string()),
                    ("held", scan.heads.len().to_string()),
                ],
            ),
        );
    }
    if let Scope::Member(member_id) = &header.scope {
        let stream = StreamId::Member(*member_id).name();
        if !headed.contains(stream.as_str()) {
            let reason = why("audit-bundle-why-own-head-missing", []);
            scan.failures
                .add(completeness, None, None, Some(&stream), reason);
        }
    }
}

/// A stream is complete when its events (`read`, none if `None`) ran unbroken up to
/// the committed head.
fn check_stream_chain(failures: &mut Failures, head: &Head, read: Option<&StreamScan>) {
    let completeness = (Group::Completeness, "completeness");
    let (stream, version) = (head.stream.as_str(), head.version);
    let (events, last) = match read {
        Some(StreamScan {
            broken: Some((position, found)),
            events,
            ..
        }) => {
            let args = [("found", found.to_string()), ("events", events.to_string())];
            let reason = why("audit-bundle-why-version-gap", args);
            failures.add(completeness, None, Some(*position), Some(stream), reason);
            return;
        }
        Some(read) => (read.events, read.last),
        None => (0, Sha256::ZERO),
    };
    if events < version {
        let args = [
            ("events", events.to_string()),
            ("version", version.to_string()),
            ("hash", head.hash.to_string()),
        ];
        let reason = why("audit-bundle-why-events-removed", args);
        failures.add(completeness, None, None, Some(stream), reason);
    } else if events != version || last != head.hash {
        // As many events as committed (or more), ending elsewhere: nothing was removed,
        // and saying so sent an auditor looking for a gap that is not there.
        let args = [
            ("events", events.to_string()),
            ("found", last.to_string()),
            ("version", version.to_string()),
            ("hash", head.hash.to_string()),
        ];
        let reason = why("audit-bundle-why-stream-end-differs", args);
        failures.add(completeness, None, None, Some(stream), reason);
    }
}

/// The streams and coverages a bundle holds are the ones its scope says: a member's
/// stream and its region's; a region's stream and only members enrolled in it; and
/// one coverage per member stream. (The header is not signed, so it is checked
/// against the contents, never trusted.)
fn check_scope(scan: &mut Scan) {
    let Some(header) = &scan.header else { return };
    let scope = (Group::Scope, "scope");
    if header.streams != count(scan.heads.len()) || header.members != scan.coverages {
        let args = [
            ("streams", header.streams.to_string()),
            ("members", header.members.to_string()),
            ("heads", scan.heads.len().to_string()),
            ("coverages", scan.coverages.to_string()),
        ];
        let reason = why("audit-bundle-why-scope-counts", args);
        scan.failures.add(scope, None, None, None, reason);
    }
    let streams: BTreeSet<&str> = scan.heads.iter().map(|head| head.stream.as_str()).collect();
    let member_regions: HashMap<&str, &str> = scan
        .member_regions
        .iter()
        .map(|(id, region)| (scan.streams[*id as usize].name.as_str(), region.as_str()))
        .collect();
    let sorted = ScopeStreams {
        member_regions,
        members: streams
            .iter()
            .copied()
            .filter(|stream| stream.starts_with("member-"))
            .collect(),
        regions: streams
            .iter()
            .copied()
            .filter(|stream| stream.starts_with("region-"))
            .collect(),
    };
    let mut out_of_scope = |stream: &str, reason: Reason| {
        scan.failures.add(scope, None, None, Some(stream), reason);
    };
    match &header.scope {
        Scope::All => {}
        Scope::Member(member_id) => check_member_scope(*member_id, &sorted, &mut out_of_scope),
        Scope::Region(region) => check_region_scope(region, &sorted, &mut out_of_scope),
    }
    for stream in &sorted.members {
        if !scan.covered.contains(*stream) {
            scan.failures.add(
                (Group::Scope, "coverage"),
                None,
                None,
                Some(stream),
                why("audit-bundle-why-no-coverage", []),
            );
        }
    }
}

/// A bundle's streams sorted for the scope checks.
struct ScopeStreams<'a> {
    /// Each member stream's region stream, from its enrollment (version 1).
    member_regions: HashMap<&'a str, &'a str>,
    members: BTreeSet<&'a str>,
    regions: BTreeSet<&'a str>,
}

/// A member bundle holds the member's stream and the region it enrolled in, no other.
fn check_member_scope(
    member_id: Uuid,
    streams: &ScopeStreams<'_>,
    out_of_scope: &mut dyn FnMut(&str, Reason),
) {
    let own = StreamId::Member(member_id).name();
    for stream in &streams.members {
        if *stream != own {
            out_of_scope(
                stream,
                why(
                    "audit-bundle-why-other-member",
                    [("member", member_id.to_string())],
                ),
            );
        }
    }
    let region = streams.member_regions.get(own.as_str());
    for stream in &streams.regions {
        if region.is_some_and(|region| region != stream) {
            out_of_scope(stream, why("audit-bundle-why-not-member-region", []));
        }
    }
    if let Some(region) = region {
        if !streams.regions.contains(region) {
            out_of_scope(region, why("audit-bundle-why-member-region-missing", []));
        }
    }
}

/// A region bundle holds the region's stream and members enrolled in it, no other.
fn check_region_scope(
    region: &RegionName,
    streams: &ScopeStreams<'_>,
    out_of_scope: &mut dyn FnMut(&str, Reason),
) {
    let own = StreamId::Region(region.clone()).name();
    if !streams.regions.contains(own.as_str()) {
        out_of_scope(&own, why("audit-bundle-why-own-region-missing", []));
    }
    for stream in &streams.regions {
        if *stream != own {
            out_of_scope(
                stream,
                why(
                    "audit-bundle-why-other-region",
                    [("region", region.to_string())],
                ),
            );
        }
    }
    for stream in &streams.members {
        if streams
            .member_regions
            .get(stream)
            .is_some_and(|enrolled| *enrolled != own)
        {
            out_of_scope(
                stream,
                why(
                    "audit-bundle-why-not-enrolled-in-region",
                    [("region", region.to_string())],
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BUNDLE_LINE_BYTES_MAX;
    use crate::audit::bundle::Record;
    use crate::codec::wire;
    use crate::domain::coverage::{
        Arrears, MemberCoverage, MemberStatus, MonthLine, MonthStatus, SubsidyTotals,
    };
    use crate::domain::money::{Money, TOTAL_INTEGER_DIGITS_MAX};
    use crate::domain::month::Month;
    use crate::domain::policy::{REGION_NAME_BYTES_MAX, TIER_NAME_BYTES_MAX};
    use crate::domain::rule::RuleId;
    use rust_decimal::Decimal;

    /// A value one side lacks is said as a word in both languages, where a bare `-`
    /// stood ("按其事件应为 -").
    #[test]
    fn a_value_one_side_lacks_is_said_as_absent() {
        use crate::i18n::{say, Arg, Language};
        let claimed = serde_json::json!({"arrears": {"months": ["2025-06", "2025-07"]}});
        let folded = serde_json::json!({"arrears": {"months": ["2025-06"]}});
        let found = super::first_difference(&claimed, &folded, String::new());
        let (field, in_bundle, by_events) = found.expect("they differ");
        assert_eq!(field, "arrears.months[1]");
        assert_eq!(in_bundle, "\"2025-07\"");
        assert_eq!(by_events, "absent");
        let args = |claimed: &str, folded: &str| {
            [
                ("member", Arg::Text("m".to_owned())),
                ("field", Arg::Text(field.clone())),
                ("claimed", Arg::Text(claimed.to_owned())),
                ("folded", Arg::Text(folded.to_owned())),
            ]
        };
        let id = "audit-bundle-why-coverage-differs";
        let chinese = say(Language::ZhCn, id, &args(&in_bundle, &by_events));
        assert!(
            chinese.ends_with("在审计包中为 \"2025-07\"，按其事件不应有此项"),
            "{chinese}"
        );
        let chinese = say(Language::ZhCn, id, &args(&by_events, &in_bundle));
        assert!(
            chinese.ends_with("在审计包中没有此项，按其事件应为 \"2025-07\""),
            "{chinese}"
        );
        let english = say(Language::En, id, &args(&in_bundle, &by_events));
        assert!(
            english.ends_with("is \"2025-07\" in the bundle, absent by its events"),
            "{english}"
        );
    }

    /// The longest coverage line a bundle can hold: a member with a line for every
    /// month the ledger records, every amount at the widest a stored sum may be, the
    /// longest status and names. It must fit the limit both sides read with, with room
    /// to spare (a month line's fields may grow): the limit once let the writer make a
    /// line its own `restore` refused.
    #[test]
    fn the_largest_coverage_fits_a_bundle_line_with_room() {
        let widest = Money::from_decimal(Decimal::from_i128_with_scale(
            -(10_i128.pow(u32::try_from(TOTAL_INTEGER_DIGITS_MAX).unwrap() + 2) - 1),
            2,
        ));
        let months: Vec<Month> =
            std::iter::successors(Some(Month::FIRST), |month| month.checked_plus(1)).collect();
        assert_eq!(months.len(), 12_120);
        let line = |month: Month| MonthLine {
            month,
            status: MonthStatus::NotEnrolled,
            due: widest,
            paid: widest,
            benefits: true,
            rule: RuleId::R17,
            refunded: widest,
            to_account: widest,
            subsidy: widest,
            subsidy_paid: false,
        };
        let coverage = MemberCoverage {
            member_id: uuid::Uuid::nil(),
            region: "r".repeat(REGION_NAME_BYTES_MAX),
            state: MemberStatus::InArrears,
            deduction_stopped: false,
            enrollments: u32::MAX,
            benefit_start: Some(Month::LAST),
            paid_through: Some(Month::LAST),
            continuous_months: u32::MAX,
            cumulative_months: u32::MAX,
            benefit_tier: Some("t".repeat(TIER_NAME_BYTES_MAX)),
            qualified: false,
            account_balance: widest,
            subsidy: SubsidyTotals {
                granted_months: u32::MAX,
                accrued: widest,
                paid: widest,
                owed: widest,
            },
            arrears: Arrears {
                months: months.clone(),
                amount: widest,
                backpay_deadline: Some(Month::LAST),
            },
            months: months.into_iter().map(line).collect(),
            version: u64::MAX,
            position: u64::MAX,
        };
        let record = Record::Coverage {
            coverage: Box::new(wire::MemberCoverage::from(&coverage)),
        };
        let bytes = serde_json::to_vec(&record).unwrap().len();
        assert!(
            bytes * 3 < BUNDLE_LINE_BYTES_MAX,
            "the largest coverage line is {bytes} bytes"
        );
    }
}
