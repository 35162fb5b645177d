//! What a damage report found, one constructor per finding, each a sentence of the
//! catalog (`locales/*/store.ftl`: `store-found-*`, and `store-row-*` for the state
//! row a finding names), so that a Chinese reader of `flexledger --lang zh verify`
//! reads the finding in Chinese. Each finding's English is the catalog's English
//! message, word for word what the finding said before it was a sentence: it is the
//! contract's `message` (the tests below pin it). The engines' and the ledger's
//! checks call these, and so do the checks of an entry's own bytes (`checked_reads.rs`,
//! and `log_entry.rs` through its `EntryProblem`).
//!
//! What a finding quotes as it came stays in its own words: an engine's or a
//! decoder's error (`detail`), and a stored row's invariant (the domain's English).

use super::log_entry::{EntryProblem, VarintProblem};
use super::{CommandSpan, DamageDetail, MemberIndex};
use crate::domain::month::Month;
use crate::domain::policy::RegionName;
use crate::domain::state::FoldProblem;
use crate::i18n::Sentence;
use uuid::Uuid;

fn found(id: &'static str, args: Vec<(&'static str, String)>) -> DamageDetail {
    DamageDetail::found(id, args)
}

fn text(value: impl ToString) -> String {
    value.to_string()
}

/// A finding of `id` with a sentence of its own as its argument `name`.
fn found_said(id: &'static str, name: &'static str, said: Sentence) -> DamageDetail {
    Sentence::new(id, vec![]).with_said(name, said).into()
}

// The verify walk (`ledger::verify`): the log read in order, the stream index, the
// command records and the state rows against a fresh fold.

/// An event of `stream` that is not the version after `version` or does not link to it.
pub fn stream_discontinued(stream: &str, version: u64) -> DamageDetail {
    let args = vec![("stream", text(stream)), ("version", text(version))];
    found("store-found-stream-discontinued", args)
}

/// The writer's state rows hold `stream` at `rows` while the log holds it at `log`:
/// a command was decided on a row altered or lost (the one writer never appends past
/// its own rows otherwise), and nothing was appended.
pub fn state_rows_behind_log(stream: &str, rows: u64, log: u64) -> DamageDetail {
    let args = vec![
        ("stream", text(stream)),
        ("rows", text(rows)),
        ("log", text(log)),
    ];
    found("store-found-rows-not-the-log-s", args)
}

/// An entry whose canonical bytes do not hash to its stored hash.
pub fn hash_not_reproducible() -> DamageDetail {
    found("store-found-hash-not-reproducible", vec![])
}

/// More or fewer command records than the log has commands.
pub fn command_records_counted(records: u64, commands: u64) -> DamageDetail {
    let args = vec![("records", text(records)), ("commands", text(commands))];
    found("store-found-command-records-count", args)
}

/// The `count` events of `command` from `first` on, and its record (`span`), which
/// does not name them.
pub fn command_record_mismatch(
    command: Uuid,
    (first, count): (u64, u64),
    span: Option<CommandSpan>,
) -> DamageDetail {
    let none = || ("none", String::new());
    let ((recorded, recorded_first), recorded_count, (digested, digest)) = match span {
        None => (none(), String::new(), none()),
        Some(span) => (
            ("some", text(span.first_position)),
            text(span.event_count),
            span.body_digest
                .map_or_else(none, |digest| ("some", text(digest))),
        ),
    };
    let args = vec![
        ("command", text(command)),
        ("first", text(first)),
        ("last", text(first + count.saturating_sub(1))),
        ("recorded", text(recorded)),
        ("recorded_first", recorded_first),
        ("recorded_count", recorded_count),
        ("digested", text(digested)),
        ("digest", digest),
    ];
    found("store-found-command-record", args)
}

/// The stream index lists a stream the log has no event of.
pub fn index_stray_stream(stream: &str) -> DamageDetail {
    found(
        "store-found-index-stray-stream",
        vec![("stream", text(stream))],
    )
}

/// The stream index lists `version` of `stream` after `after`.
pub fn index_version_after(stream: &str, version: u64, after: u64) -> DamageDetail {
    let args = vec![
        ("stream", text(stream)),
        ("version", text(version)),
        ("after", text(after)),
    ];
    found("store-found-index-version-after", args)
}

/// `stream` has `events` events in the log and `indexed` in its index.
pub fn index_count(stream: &str, events: u64, indexed: u64) -> DamageDetail {
    let args = vec![
        ("stream", text(stream)),
        ("events", text(events)),
        ("indexed", text(indexed)),
    ];
    found("store-found-index-count", args)
}

/// `stream`'s index places its events elsewhere than the log holds them.
pub fn index_positions(stream: &str) -> DamageDetail {
    found(
        "store-found-index-positions",
        vec![("stream", text(stream))],
    )
}

/// A stored state row (`row`, named by a `row_*` sentence) that is not the fold's.
pub fn state_differs(row: Sentence) -> DamageDetail {
    found_said("store-found-state-differs", "row", row)
}

/// An event the fold cannot apply (`domain::state::FoldProblem`): only a damaged log
/// holds one. Its English is the problem's own.
pub fn fold_problem(problem: &FoldProblem) -> DamageDetail {
    use FoldProblem as P;
    let (id, args): (&'static str, Vec<(&'static str, String)>) = match problem {
        P::PositionNotAfter { last } => ("store-found-fold-position", vec![("last", text(last))]),
        P::CloseOfUnknownRegion { region } => (
            "store-found-fold-close-region",
            vec![("region", text(region))],
        ),
        P::EnrolledTwice { member } => (
            "store-found-fold-enrolled-twice",
            vec![("member", text(member))],
        ),
        P::EnrollmentInUnknownRegion { region } => (
            "store-found-fold-enrollment-region",
            vec![("region", text(region))],
        ),
        P::NotAMemberEvent { event_type } => (
            "store-found-fold-not-member-event",
            vec![("type", text(event_type))],
        ),
        P::UnknownMember { event_type, member } => (
            "store-found-fold-unknown-member",
            vec![("type", text(event_type)), ("member", text(member))],
        ),
        P::MemberInUnknownRegion { member } => (
            "store-found-fold-member-region",
            vec![("member", text(member))],
        ),
        P::PaymentWithoutMonths => ("store-found-fold-payment-months", vec![]),
        P::MemberWithoutPeriod => ("store-found-fold-member-period", vec![]),
        P::RefundOfUnpaidMonth { month } => (
            "store-found-fold-refund-unpaid",
            vec![("month", text(month))],
        ),
        P::GrantLengthOutOfRange => ("store-found-fold-grant-length", vec![]),
        P::NoSuchMember { member } => {
            ("store-found-fold-no-member", vec![("member", text(member))])
        }
        P::FoldedStateUnreadable { member, said } => return folded_undecodable(*member, said),
    };
    found(id, args)
}

/// Member `member`'s row as the fold encoded it does not decode.
pub fn folded_undecodable(member: Uuid, detail: impl ToString) -> DamageDetail {
    let args = vec![("member", text(member)), ("detail", text(detail))];
    found("store-found-folded-undecodable", args)
}

// The state rows as a finding, or a rebuild, names them (`ledger::StateDifference`).

/// The state rows' checkpoint: `stored` (position, state format), if any, at log
/// head `head`.
pub fn row_checkpoint(stored: Option<(u64, u32)>, head: u64) -> Sentence {
    let (kind, position, format) = match stored {
        None => ("none", String::new(), String::new()),
        Some((position, format)) => ("some", text(position), text(format)),
    };
    let args = vec![
        ("stored", text(kind)),
        ("position", position),
        ("format", format),
        ("head", text(head)),
    ];
    Sentence::new("store-row-checkpoint", args)
}

/// A region's row.
pub fn row_region(region: &RegionName) -> Sentence {
    Sentence::new("store-row-region", vec![("region", text(region))])
}

/// A region's row, which one unknown.
pub fn row_some_region() -> Sentence {
    Sentence::new("store-row-some-region", vec![])
}

/// A region's member index.
pub fn row_index(index: MemberIndex, region: &RegionName) -> Sentence {
    let args = vec![("index", text(index_name(index))), ("region", text(region))];
    Sentence::new("store-row-index", args)
}

/// The English name of a member index, which its messages select on.
pub(crate) fn index_name(index: MemberIndex) -> &'static str {
    match index {
        MemberIndex::Enrolled => "enrolled",
        MemberIndex::Granted => "granted",
    }
}

/// A region's totals of `month`.
pub fn row_month_totals(region: &RegionName, month: Month) -> Sentence {
    let args = vec![("month", text(month)), ("region", text(region))];
    Sentence::new("store-row-month-totals", args)
}

/// A region's summary.
pub fn row_summary(region: &RegionName) -> Sentence {
    Sentence::new("store-row-summary", vec![("region", text(region))])
}

/// A region's summary, as a read names it.
pub fn row_region_summary(region: &RegionName) -> Sentence {
    Sentence::new("store-row-region-summary", vec![("region", text(region))])
}

/// A region's totals of `month`, as a read names them.
pub fn row_region_month(region: &RegionName, month: Month) -> Sentence {
    let args = vec![("region", text(region)), ("month", text(month))];
    Sentence::new("store-row-region-month", args)
}

/// A member's row.
pub fn row_member(member: Uuid) -> Sentence {
    Sentence::new("store-row-member", vec![("member", text(member))])
}

/// A member's row, for a member the log does not have.
pub fn row_stray_member(member: Uuid) -> Sentence {
    Sentence::new("store-row-stray-member", vec![("member", text(member))])
}

/// A row under a key no build writes (`key`: its bytes, escaped).
pub fn row_unknown_key(key: impl ToString) -> Sentence {
    Sentence::new("store-row-unknown-key", vec![("key", text(key))])
}

// The state rows as a read checks them (`ledger::read_member_row` and the like).

/// A state row (`row`) that does not decode.
pub fn row_undecodable(row: Sentence, detail: impl ToString) -> DamageDetail {
    Sentence::new(
        "store-found-row-undecodable",
        vec![("detail", text(detail))],
    )
    .with_said("row", row)
    .into()
}

/// A state row that decodes but breaks an invariant of the fold (`detail`, the
/// domain's words).
pub fn row_invalid(detail: impl ToString) -> DamageDetail {
    found("store-found-row-invalid", vec![("detail", text(detail))])
}

/// Member `member`'s row holds member `held`.
pub fn row_of_other_member(member: Uuid, held: Uuid) -> DamageDetail {
    let args = vec![("member", text(member)), ("held", text(held))];
    found("store-found-row-other-member", args)
}

/// Member `member`'s region has no row.
pub fn region_row_missing(member: Uuid, region: &RegionName) -> DamageDetail {
    let args = vec![("member", text(member)), ("region", text(region))];
    found("store-found-region-row-missing", args)
}

/// A member with events from `position` on and no row.
pub fn member_row_missing(member: Uuid, position: u64) -> DamageDetail {
    let args = vec![("member", text(member)), ("position", text(position))];
    found("store-found-member-row-missing", args)
}

/// A member in `region`'s index with no row.
pub fn indexed_member_row_missing(member: Uuid, region: &RegionName) -> DamageDetail {
    let args = vec![("member", text(member)), ("region", text(region))];
    found("store-found-indexed-member-row-missing", args)
}

/// A member met twice, or out of id order, by a month close's walk of `region`'s
/// member indexes (after member `after`): an index holds a member it should not.
pub fn close_walk_out_of_order(member: Uuid, region: &RegionName, after: Uuid) -> DamageDetail {
    let args = vec![
        ("member", text(member)),
        ("region", text(region)),
        ("after", text(after)),
    ];
    found("store-found-close-walk-out-of-order", args)
}

/// A member's stream whose first event is not its enrollment.
pub fn member_stream_start() -> DamageDetail {
    found("store-found-member-stream-start", vec![])
}

/// The checkpoint row of the state rows is `bytes` long.
pub fn checkpoint_row_length(bytes: usize) -> DamageDetail {
    found(
        "store-found-checkpoint-row-length",
        vec![("bytes", text(bytes))],
    )
}

/// A checkpoint row of 12 bytes naming a state format no build writes there (D89).
pub fn checkpoint_row_format(format: u32) -> DamageDetail {
    found(
        "store-found-checkpoint-row-format",
        vec![("format", text(format))],
    )
}

/// A month close's progress row does not decode.
pub fn closing_undecodable(detail: impl ToString) -> DamageDetail {
    found(
        "store-found-closing-undecodable",
        vec![("detail", text(detail))],
    )
}

/// A feed item does not decode (copying a store).
pub fn feed_item_undecodable(detail: impl ToString) -> DamageDetail {
    found(
        "store-found-feed-item-undecodable",
        vec![("detail", text(detail))],
    )
}

/// A coverage change does not decode (a feed catching up).
pub fn coverage_change_undecodable(detail: impl ToString) -> DamageDetail {
    let args = vec![("detail", text(detail))];
    found("store-found-coverage-change-undecodable", args)
}

/// A coverage change of `member` says `position`, outside the log's positions (1 to
/// `head`) or before the item stored ahead of it (`verify`).
pub fn coverage_change_misplaced(member: uuid::Uuid, position: u64, head: u64) -> DamageDetail {
    let args = vec![
        ("member", text(member)),
        ("position", text(position)),
        ("head", text(head)),
    ];
    found("store-found-coverage-change-misplaced", args)
}

/// Where the stream index puts a damaged event: `position` is event `version` of
/// `stream` (said after a finding, `ledger::stream_indexed_at`).
pub fn indexed_as(position: u64, stream: &str, version: u64) -> crate::i18n::Sentence {
    let args = vec![
        ("position", position.to_string()),
        ("stream", stream.to_owned()),
        ("version", version.to_string()),
    ];
    crate::i18n::Sentence::new("store-indexed-as", args)
}

/// The row that marks an unfinished copy does not decode.
pub fn copy_row_undecodable(detail: impl ToString) -> DamageDetail {
    found(
        "store-found-copy-row-undecodable",
        vec![("detail", text(detail))],
    )
}

/// A member index key of `region` whose member id is malformed.
pub fn index_member_id(index: &str, region: &RegionName) -> DamageDetail {
    let args = vec![("index", text(index)), ("region", text(region))];
    found("store-found-index-member-id", args)
}

// Backups, bundles and signed checkpoints (`backup.rs`, `audit/`).

/// A stored signed checkpoint that does not verify (`error`: why, a sentence).
pub fn stored_checkpoint(error: Sentence) -> DamageDetail {
    found_said("store-found-stored-checkpoint", "error", error)
}

/// A backup's checkpoint that does not verify (`error`: why, a sentence).
pub fn backup_checkpoint(error: Sentence) -> DamageDetail {
    found_said("store-found-backup-checkpoint", "error", error)
}

/// The checkpoint signed at the log's size commits to other roots.
pub fn checkpoint_rewritten() -> DamageDetail {
    found("store-found-checkpoint-rewritten", vec![])
}

/// The signed checkpoint at `size` commits to another root (`heads`: its heads
/// root) than the log gives; `matched` is the size of the largest checkpoint an
/// auditor kept below it that the log still matches (0: none).
pub fn checkpoint_root_rewritten(
    (size, matched): (u64, u64),
    heads: bool,
    signed: impl ToString,
    found_root: impl ToString,
) -> DamageDetail {
    let args = vec![
        ("size", text(size)),
        ("matched", text(matched)),
        ("narrowed", text(if matched > 0 { "yes" } else { "no" })),
        ("from", text(matched + 1)),
        ("root", text(if heads { "heads" } else { "root" })),
        ("signed", text(signed)),
        ("found", text(found_root)),
    ];
    found("store-found-checkpoint-root-rewritten", args)
}

/// A stored checkpoint that does not verify, as the audit tool's walk says it.
pub fn checkpoint_stored(error: Sentence) -> DamageDetail {
    found_said("store-found-checkpoint-stored", "error", error)
}

/// The signed checkpoint of the empty log has other roots than the empty log's.
pub fn empty_checkpoint_roots() -> DamageDetail {
    found("store-found-empty-checkpoint-roots", vec![])
}

/// A signed checkpoint covers `size` events and the log has `events`.
pub fn checkpoint_beyond_log(size: u64, events: u64) -> DamageDetail {
    let args = vec![("size", text(size)), ("events", text(events))];
    found("store-found-checkpoint-beyond-log", args)
}

/// A checkpoint stored at `size` does not decode.
pub fn audit_checkpoint_undecodable(size: u64, detail: impl ToString) -> DamageDetail {
    let args = vec![("size", text(size)), ("detail", text(detail))];
    found("store-found-audit-checkpoint-undecodable", args)
}

/// A checkpoint stored at the log's size that the ledger's key does not verify.
pub fn checkpoint_other_key() -> DamageDetail {
    found("store-found-checkpoint-other-key", vec![])
}

/// A proof asked up to `last`, past the log's head `head`.
pub fn log_before(head: u64, last: u64) -> DamageDetail {
    let args = vec![("head", text(head)), ("last", text(last))];
    found("store-found-log-before", args)
}

/// The log read ends at `end`, before its head `head`.
pub fn log_ends_before_head(end: u64, head: u64) -> DamageDetail {
    let args = vec![("end", text(end)), ("head", text(head))];
    found("store-found-log-ends-before-head", args)
}

/// A member of the tree with no events.
pub fn member_no_events(member: Uuid) -> DamageDetail {
    found(
        "store-found-member-no-events",
        vec![("member", text(member))],
    )
}

/// A member of a bundle's scope with no stream in the log.
pub fn member_not_in_log(member: Uuid) -> DamageDetail {
    found(
        "store-found-member-not-in-log",
        vec![("member", text(member))],
    )
}

/// A stream of a bundle's scope with no events in the log.
pub fn stream_not_in_log(stream: &str) -> DamageDetail {
    found(
        "store-found-stream-not-in-log",
        vec![("stream", text(stream))],
    )
}

/// A stream of the tree with no head.
pub fn stream_no_head(stream: &str) -> DamageDetail {
    found("store-found-stream-no-head", vec![("stream", text(stream))])
}

/// A stream name that does not parse.
pub fn stream_name(stream: &str) -> DamageDetail {
    found("store-found-stream-name", vec![("stream", text(stream))])
}

/// The heads tree gives no proof of a head.
pub fn no_heads_proof() -> DamageDetail {
    found("store-found-no-heads-proof", vec![])
}

/// The log tree gives no proof of an event.
pub fn no_inclusion_proof() -> DamageDetail {
    found("store-found-no-inclusion-proof", vec![])
}

/// A bundle's streams hold `events` events up to its checkpoint; `read` were read.
pub fn scope_events(events: u64, read: u64) -> DamageDetail {
    let args = vec![("events", text(events)), ("read", text(read))];
    found("store-found-scope-events", args)
}

/// An event that differs from the signed tree's during a backup.
pub fn changed_during_backup() -> DamageDetail {
    found("store-found-changed-during-backup", vec![])
}

/// The log ends at `last`, but its head is `head`: events were lost.
pub fn log_short(last: u64, head: u64) -> DamageDetail {
    found(
        "store-found-log-short",
        vec![("last", text(last)), ("head", text(head))],
    )
}

/// The log ends at `last`, before the `size` events the backup's checkpoint covers.
pub fn log_short_of_checkpoint(last: u64, size: u64) -> DamageDetail {
    let args = vec![("last", text(last)), ("size", text(size))];
    found("store-found-log-short-of-checkpoint", args)
}

/// A restored event sealed with `hash`, not the backup's `backup`.
pub fn restored_hash(hash: impl ToString, backup: impl ToString) -> DamageDetail {
    let args = vec![("hash", text(hash)), ("backup", text(backup))];
    found("store-found-restored-hash", args)
}

/// A restored log whose head is (`position`, `hash`), not the backup's.
pub fn restored_head(
    (position, hash): (u64, impl ToString),
    (events, backup_hash): (u64, impl ToString),
) -> DamageDetail {
    let args = vec![
        ("position", text(position)),
        ("hash", text(hash)),
        ("events", text(events)),
        ("backup_hash", text(backup_hash)),
    ];
    found("store-found-restored-head", args)
}

// The engines' own rows and files (`sled_store.rs`, `postgres/`, `stream_index.rs`,
// `log_block.rs`).

/// What is wrong with a stream index row of `stream`.
pub enum IndexRowProblem {
    KeyTooShort,
    NotPositions,
    /// At `version`: `positions` positions and `extra` bytes more, of at most `max`.
    Size {
        version: u64,
        positions: usize,
        extra: usize,
        max: usize,
    },
    /// At `version`: positions that do not increase.
    NotIncreasing {
        version: u64,
    },
}

/// A stream index row of `stream` that does not decode.
pub fn index_row(stream: &str, problem: IndexRowProblem) -> DamageDetail {
    let mut args = vec![("stream", text(stream))];
    let id = match problem {
        IndexRowProblem::KeyTooShort => "store-found-index-row-key",
        IndexRowProblem::NotPositions => "store-found-index-row-not-positions",
        IndexRowProblem::Size {
            version,
            positions,
            extra,
            max,
        } => {
            args.extend([
                ("version", text(version)),
                ("positions", text(positions)),
                ("extra", text(extra)),
                ("max", text(max)),
            ]);
            "store-found-index-row-size"
        }
        IndexRowProblem::NotIncreasing { version } => {
            args.push(("version", text(version)));
            "store-found-index-row-not-increasing"
        }
    };
    found(id, args)
}

/// A log block key `bytes` long.
pub fn block_key(bytes: usize) -> DamageDetail {
    found("store-found-block-key", vec![("bytes", text(bytes))])
}

/// What is wrong with the log block at a position.
pub enum BlockProblem {
    Empty,
    Format(u8),
    /// A varint of the block (`log_entry::take_varint`'s problem).
    Varint(VarintProblem),
    /// A count of entries out of 1 to `max`.
    Count {
        count: u64,
        max: usize,
    },
    /// Cut short in the entry of this index (from 0).
    CutShort(usize),
    /// Bytes left after the entries.
    Extra(usize),
}

/// The log block at `first` that does not decode.
pub fn block(first: u64, problem: BlockProblem) -> DamageDetail {
    let mut args = vec![("first", text(first))];
    let id = match problem {
        BlockProblem::Empty => "store-found-block-empty",
        BlockProblem::Format(format) => {
            args.push(("format", text(format)));
            "store-found-block-format"
        }
        BlockProblem::Varint(problem) => {
            let problem = match problem {
                VarintProblem::CutShort => "cut-short",
                VarintProblem::OutOfRange => "out-of-range",
                VarintProblem::Overlong => "overlong",
            };
            args.push(("problem", text(problem)));
            "store-found-block-varint"
        }
        BlockProblem::Count { count, max } => {
            args.extend([("count", text(count)), ("max", text(max))]);
            "store-found-block-count"
        }
        BlockProblem::CutShort(entry) => {
            args.push(("entry", text(entry)));
            "store-found-block-cut-short"
        }
        BlockProblem::Extra(extra) => {
            args.push(("extra", text(extra)));
            "store-found-block-extra"
        }
    };
    found(id, args)
}

/// A stored log entry whose bytes do not decode (`log_entry::EntryProblem`).
pub fn entry(problem: &EntryProblem) -> DamageDetail {
    let (id, args) = match problem {
        EntryProblem::NoHash => ("store-found-entry-no-hash", vec![]),
        EntryProblem::NoEvent => ("store-found-entry-no-event", vec![]),
        EntryProblem::CutShort => ("store-found-entry-cut-short", vec![]),
        EntryProblem::TextNotUtf8 => ("store-found-entry-text-not-utf8", vec![]),
        EntryProblem::PayloadNotUtf8 => ("store-found-entry-payload-not-utf8", vec![]),
        EntryProblem::SchemaVersionOutOfRange => ("store-found-entry-schema-version", vec![]),
        EntryProblem::StreamTag(tag) => ("store-found-entry-stream-tag", vec![("tag", text(tag))]),
        EntryProblem::EventTypeCode(code) => {
            ("store-found-entry-type-code", vec![("code", text(code))])
        }
        EntryProblem::RecordedAtTag(tag) => {
            ("store-found-entry-time-tag", vec![("tag", text(tag))])
        }
        EntryProblem::NanosecondsOutOfRange => ("store-found-entry-nanoseconds", vec![]),
        EntryProblem::TimeOutOfRange => ("store-found-entry-time-out-of-range", vec![]),
        EntryProblem::RecordedAt(error) => {
            ("store-found-entry-time", vec![("detail", text(error))])
        }
        EntryProblem::Varint(VarintProblem::Overlong) => {
            ("store-found-entry-varint-overlong", vec![])
        }
        EntryProblem::Varint(_) => ("store-found-entry-varint-out-of-range", vec![]),
        EntryProblem::OtherPosition(position) => (
            "store-found-entry-other-position",
            vec![("position", text(position))],
        ),
    };
    found(id, args)
}

// How the engine said its files are damaged: the `detail` of `engine_files`,
// `engine_damaged` and `set_aside`, said in the reader's language where it is ours.

/// The engine read back damaged data, at byte `byte` of its data file `db` if it said.
pub fn engine_read_back(byte: Option<u64>) -> Sentence {
    match byte {
        Some(byte) => Sentence::new("store-engine-damaged-at", vec![("byte", text(byte))]),
        None => Sentence::new("store-engine-damaged", vec![]),
    }
}

/// The engine read past the end of its own files: one was cut short.
pub fn engine_cut_short() -> Sentence {
    Sentence::new("store-engine-cut-short", vec![])
}

/// The engine failed an internal check (a panic inside it), `reading` its files at
/// open or later: `detail` is its message and where.
pub fn engine_check_failed(detail: impl ToString, reading: bool) -> Sentence {
    let id = match reading {
        true => "store-engine-check-failed-reading",
        false => "store-engine-check-failed",
    };
    Sentence::new(id, vec![("detail", text(detail))])
}

/// The engine's own words, as they came (they are not this build's to translate).
pub fn engine_words(words: impl ToString) -> Sentence {
    Sentence::new("store-engine-words", vec![("words", text(words))])
}

/// sled's files in `sled_dir` are damaged (`detail`: how the engine said it).
pub fn engine_files(sled_dir: impl ToString, detail: Sentence) -> DamageDetail {
    let args = vec![("path", text(sled_dir))];
    Sentence::new("store-found-engine-files", args)
        .with_said("detail", detail)
        .into()
}

/// sled's data file `path` has a damaged segment header at byte `offset`, in
/// `segment` of `segments` (from 1).
pub fn segment_header(
    path: impl ToString,
    offset: u64,
    (segment, segments): (u64, u64),
) -> DamageDetail {
    let args = vec![
        ("path", text(path)),
        ("offset", text(offset)),
        ("segment", text(segment)),
        ("segments", text(segments)),
    ];
    found("store-found-segment-header", args)
}

/// sled's data file `path` ends before its newest snapshot `snapshot`: the snapshot
/// records the log up to `snapshot_lsn`, the file holds it up to `file_lsn`; `dir` is
/// the data directory and `moves` the `mv` that sets the snapshot aside.
pub fn data_file_behind_snapshot(
    path: impl ToString,
    snapshot: impl ToString,
    (snapshot_lsn, file_lsn): (i64, i64),
    (dir, moves): (impl ToString, String),
) -> DamageDetail {
    let args = vec![
        ("path", text(path)),
        ("snapshot", text(snapshot)),
        ("snapshot_lsn", text(snapshot_lsn)),
        ("file_lsn", text(file_lsn)),
        ("dir", text(dir)),
        ("moves", moves),
    ];
    found("store-found-data-file-behind-snapshot", args)
}

/// Why the engine can do without a damaged file of its own (D54).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetAsideWhy {
    /// Its settings file: written again from the settings flexledger opens it with.
    Settings,
    /// Its newest snapshot: a shortcut it rebuilds from its log.
    Snapshot,
}

/// sled's files in `sled_dir` cannot be opened (`detail`: how the engine said it),
/// and `files` (its settings file, its newest snapshot, or both: one or two), each
/// with why the engine does without it, may be set aside by `moves`.
pub fn set_aside(
    sled_dir: impl ToString,
    detail: Sentence,
    files: &[(String, SetAsideWhy)],
    moves: &str,
) -> DamageDetail {
    let file = |(path, why): &(String, SetAsideWhy)| {
        let why = match why {
            SetAsideWhy::Settings => "settings",
            SetAsideWhy::Snapshot => "snapshot",
        };
        let args = vec![("file", path.clone()), ("why", text(why))];
        Sentence::new("store-set-aside-file", args)
    };
    let mut args = vec![
        ("path", text(sled_dir)),
        (
            "count",
            text(if files.len() == 1 { "one" } else { "other" }),
        ),
        ("moves", text(moves)),
    ];
    if files.len() < 2 {
        args.push(("second", String::new()));
    }
    let mut sentence = Sentence::new("store-found-set-aside", args).with_said("detail", detail);
    for (name, named) in ["first", "second"].into_iter().zip(files) {
        sentence = sentence.with_said(name, file(named));
    }
    sentence.into()
}

/// The engine's directory `path` is missing, and the head witness `witness` records
/// `position`.
pub fn engine_dir_missing(
    path: impl ToString,
    witness: impl ToString,
    position: u64,
) -> DamageDetail {
    let args = vec![
        ("path", text(path)),
        ("witness", text(witness)),
        ("position", text(position)),
    ];
    found("store-found-engine-dir-missing", args)
}

/// The head witness `witness` is unreadable; `--accept-head` keeps it as `kept`.
pub fn witness_unreadable(witness: impl ToString, kept: impl ToString) -> DamageDetail {
    let args = vec![("witness", text(witness)), ("kept", text(kept))];
    found("store-found-witness-unreadable", args)
}

/// A log entry shorter than a hash.
pub fn entry_too_short() -> DamageDetail {
    found("store-found-entry-too-short", vec![])
}

/// A log entry the log's head or an index names is not there.
pub fn entry_missing() -> DamageDetail {
    found("store-found-entry-missing", vec![])
}

/// A key of one-byte prefix `prefix` not followed by a 16-byte id.
pub fn key_without_id(prefix: char) -> DamageDetail {
    found("store-found-key-without-id", vec![("prefix", text(prefix))])
}

/// `stream`'s index ends at `version`, and its next event is `next`.
pub fn index_ends_before(stream: &str, version: u64, next: u64) -> DamageDetail {
    let args = vec![
        ("stream", text(stream)),
        ("version", text(version)),
        ("next", text(next)),
    ];
    found("store-found-index-ends-before", args)
}

/// `stream`'s index names an event the log does not have.
pub fn index_missing_event(stream: &str) -> DamageDetail {
    found(
        "store-found-index-missing-event",
        vec![("stream", text(stream))],
    )
}

/// A coverage-change row that does not decode.
pub fn coverage_row(detail: impl ToString) -> DamageDetail {
    found("store-found-coverage-row", vec![("detail", text(detail))])
}

/// A coverage-change key `bytes` long.
pub fn coverage_key(bytes: usize) -> DamageDetail {
    found("store-found-coverage-key", vec![("bytes", text(bytes))])
}

/// `command`'s record is neither of the lengths a record has (`bytes` the longer).
pub fn command_record_length(command: Uuid, bytes: usize) -> DamageDetail {
    let args = vec![("command", text(command)), ("bytes", text(bytes))];
    found("store-found-command-record-length", args)
}

/// `command`'s record holds a body digest that is not 32 bytes.
pub fn command_digest_length(command: Uuid) -> DamageDetail {
    found(
        "store-found-command-digest-length",
        vec![("command", text(command))],
    )
}

/// A stream index key `bytes` long that names no stream.
pub fn index_key(bytes: usize) -> DamageDetail {
    found("store-found-index-key", vec![("bytes", text(bytes))])
}

/// The stored number that is not 8 bytes: its field.
#[derive(Clone, Copy)]
pub enum Field {
    StreamIndexValue,
    StreamKeyVersion,
    LogKey,
    CoverageKey,
    Span,
    AuditCheckpointKey,
}

/// A stored number (`field`) that is not 8 bytes.
pub fn not_8_bytes(field: Field) -> DamageDetail {
    let field = match field {
        Field::StreamIndexValue => "stream-index-value",
        Field::StreamKeyVersion => "stream-key-version",
        Field::LogKey => "log-key",
        Field::CoverageKey => "coverage-key",
        Field::Span => "span",
        Field::AuditCheckpointKey => "audit-checkpoint-key",
    };
    found("store-found-not-8-bytes", vec![("field", text(field))])
}

/// A position past what a PostgreSQL `bigint` holds.
pub fn position_too_large(position: u64) -> DamageDetail {
    found(
        "store-found-position-too-large",
        vec![("position", text(position))],
    )
}

/// A stored position, count or version that is negative.
pub fn position_negative(stored: i64) -> DamageDetail {
    found(
        "store-found-position-negative",
        vec![("stored", text(stored))],
    )
}

/// A stored row of another schema (`detail`: the driver's words).
pub fn other_schema(detail: impl ToString) -> DamageDetail {
    found("store-found-other-schema", vec![("detail", text(detail))])
}

/// The PostgreSQL log ends at `head`, and its head row records `recorded`.
pub fn head_row_ahead(head: u64, recorded: u64) -> DamageDetail {
    let args = vec![
        ("head", text(head)),
        ("recorded", text(recorded)),
        ("first_lost", text(head + 1)),
    ];
    found("store-found-head-row-ahead", args)
}

/// The event at the head row's position has `hash`; the head row recorded
/// `recorded_hash` (the log ends at `head`).
pub fn head_row_other_hash(
    hash: impl ToString,
    recorded_hash: impl ToString,
    head: u64,
) -> DamageDetail {
    let args = vec![
        ("hash", text(hash)),
        ("recorded_hash", text(recorded_hash)),
        ("head", text(head)),
    ];
    found("store-found-head-row-other-hash", args)
}

// The checks of what every read gives back (`checked_reads.rs`, `log_entry.rs`) and
// of the head witness (`sled_store.rs`).

/// An entry whose bytes do not hash to its `stored` hash (SHA-256 gives `computed`).
pub fn altered(stored: impl ToString, computed: impl ToString) -> DamageDetail {
    let args = vec![("stored", text(stored)), ("computed", text(computed))];
    found("store-found-altered", args)
}

/// An envelope under `stream` whose payload is of another stream.
pub fn other_stream(stream: &str) -> DamageDetail {
    found("store-found-other-stream", vec![("stream", text(stream))])
}

/// Stored bytes that are not the canonical form of the event they decode to.
pub fn not_canonical() -> DamageDetail {
    found("store-found-not-canonical", vec![])
}

/// The log read in order skips to position `next`.
pub fn gap(next: u64) -> DamageDetail {
    found("store-found-gap", vec![("next", text(next))])
}

/// An entry whose `prev_hash` is not the hash of the event before it (`previous`).
pub fn prev_hash(prev_hash: impl ToString, previous: impl ToString) -> DamageDetail {
    let args = vec![("prev_hash", text(prev_hash)), ("previous", text(previous))];
    found("store-found-prev-hash", args)
}

/// An event that `stream`'s index places at `version` but is another one.
pub fn index_entry(stream: &str, version: u64) -> DamageDetail {
    let args = vec![("stream", text(stream)), ("version", text(version))];
    found("store-found-index-entry", args)
}

/// An event whose `stream_prev_hash` is not the hash of `stream`'s `version`.
pub fn stream_prev_hash(stream: &str, version: u64) -> DamageDetail {
    let args = vec![("stream", text(stream)), ("version", text(version))];
    found("store-found-stream-prev-hash", args)
}

/// The engine reported its own files damaged (`detail`: its words).
pub fn engine_damaged(detail: Sentence) -> DamageDetail {
    found_said("store-found-engine-damaged", "detail", detail)
}

/// The head witness file `witness` is gone from a store that keeps one; the log ends
/// at `head`.
pub fn witness_missing(witness: impl ToString, head: u64) -> DamageDetail {
    let args = vec![("witness", text(witness)), ("head", text(head))];
    found("store-found-witness-missing", args)
}

/// One slot of the head witness file `witness` is unreadable and the log ends at
/// `head`, the other slot's position: it may have recorded events the log lost.
pub fn witness_slot_spoiled_at_head(witness: impl ToString, head: u64) -> DamageDetail {
    let args = vec![("witness", text(witness)), ("head", text(head))];
    found("store-found-witness-slot-spoiled", args)
}

/// The log ends at `head`, before the position `witnessed` that `witness` records
/// as durable.
pub fn witness_ahead(head: u64, witness: impl ToString, witnessed: u64) -> DamageDetail {
    let args = vec![
        ("head", text(head)),
        ("witness", text(witness)),
        ("witnessed", text(witnessed)),
        ("first_lost", text(head + 1)),
    ];
    found("store-found-witness-ahead", args)
}

/// The event at the witnessed position has `hash`; `witness` recorded
/// `witnessed_hash` (the log ends at `head`).
pub fn witness_other_hash(
    hash: impl ToString,
    witness: impl ToString,
    witnessed_hash: impl ToString,
    head: u64,
) -> DamageDetail {
    let args = vec![
        ("hash", text(hash)),
        ("witness", text(witness)),
        ("witnessed_hash", text(witnessed_hash)),
        ("head", text(head)),
    ];
    found("store-found-witness-other-hash", args)
}

#[cfg(test)]
mod tests;

/// One slot of the PostgreSQL writer's head witness `witness` is unreadable and the
/// database ends at `head`, the other slot's position: it may have recorded commits
/// the database lacks (`aside`: where moving the witness accepts that).
pub fn pg_witness_slot_spoiled(
    head: u64,
    witness: impl ToString,
    aside: impl ToString,
) -> DamageDetail {
    let args = vec![
        ("head", text(head)),
        ("witness", text(witness)),
        ("aside", text(aside)),
    ];
    found("store-found-pg-witness-slot-spoiled", args)
}

/// A PostgreSQL ledger's database ends at `head`, before the position `witnessed`
/// its writer's head witness `witness` records as appended (D86).
pub fn pg_witness_ahead(
    head: u64,
    witness: impl ToString,
    witnessed: u64,
    aside: impl ToString,
) -> DamageDetail {
    let args = vec![
        ("head", text(head)),
        ("witness", text(witness)),
        ("witnessed", text(witnessed)),
        ("first_lost", text(head + 1)),
        ("aside", text(aside)),
    ];
    found("store-found-pg-witness-ahead", args)
}

/// A PostgreSQL ledger's head witness `witness` has no intact slot; moved aside as
/// `aside`, the writer makes a new one (D86).
pub fn pg_witness_unreadable(witness: impl ToString, aside: impl ToString) -> DamageDetail {
    let args = vec![("witness", text(witness)), ("aside", text(aside))];
    found("store-found-pg-witness-unreadable", args)
}

/// A PostgreSQL ledger's event at the witnessed position has `hash`, where its
/// writer's head witness `witness` recorded `witnessed_hash` (D86).
pub fn pg_witness_other_hash(
    (witnessed, hash): (u64, impl ToString),
    witness: impl ToString,
    witnessed_hash: impl ToString,
    aside: impl ToString,
) -> DamageDetail {
    let args = vec![
        ("witnessed", text(witnessed)),
        ("hash", text(hash)),
        ("witness", text(witness)),
        ("witnessed_hash", text(witnessed_hash)),
        ("aside", text(aside)),
    ];
    found("store-found-pg-witness-other-hash", args)
}
