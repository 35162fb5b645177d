//! The ledger: the domain's decisions over a durable store. This is the imperative
//! shell around the pure core: it supplies time and ids, batches commands into one
//! durable append (group commit), keeps decision state beside the log, and answers
//! reads.
//!
//! Decision state (`LedgerState`) is stored as rows beside the log (`StateKey`),
//! written in the same atomic append as the events it reflects, with a checkpoint
//! position. In memory the ledger holds every region and a bounded cache of members;
//! a command loads what it needs (one member; for `close_month`, the region's enrolled
//! members), so deciding never replays the log and memory does not grow with it.

use crate::codec::rows::{
    decode_member_row, decode_month_totals_row, decode_summary_row, encode_coverage_item,
    encode_member_row, encode_month_totals_row, encode_region_row, encode_summary_row,
};
use crate::domain::coverage::{
    agree_outside, lines_touched, month_changes, month_lines_in, CoverageChanged, LinesWindow,
    MonthLine,
};
use crate::domain::month::Month;
use crate::domain::policy::RegionName;
use crate::domain::refusal::RefusalText;
use crate::domain::report::{
    line_counts, member_standing, MemberStanding, MonthTotals, RegionMonthReport, RegionSummary,
};
use crate::domain::state::{MemberState, RegionState};
use crate::domain::{
    decide, Command, CommandEnvelope, Event, LedgerState, MemberCoverage, Refusal, StreamId,
};
use crate::store::{
    findings, AnyStore, CommandRecord, CommandResult, CommandSpan, DamageDetail, Envelope,
    EventStore, Location, MemberIndex, ReadStore, Sha256, StateKey, StateWrite, StoreError,
};
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::Path;
use uuid::Uuid;

mod appended;
mod close;
mod copy;
mod fold;
mod read_ahead;
mod rebuilt;
mod scrub;
pub use appended::{AppendingError, Stepped, Submitted};
pub use close::{
    close_pending_for, read_closing, read_closings, CloseProgress, Closing, CLOSE_CHUNK_MEMBERS_MAX,
};
pub use copy::{copy_ledger, CopyError, CopyOptions, CopyReport, COPY_BATCH_EVENTS_MAX};
pub use fold::{Folded, Folder, FOLD_DECODED_MEMBERS_MAX};
use read_ahead::read_log_ahead;
pub use read_ahead::{
    LOG_READERS, LOG_READ_STRETCH_EVENTS, REBUILD_CHUNKS_IN_FLIGHT_MAX, REBUILD_CHUNK_EVENTS,
};
use rebuilt::RebuildListing;

/// Most commands decided into one durable append; more are split into several appends.
pub const APPEND_BATCH_COMMANDS_MAX: usize = 1000;
/// Members kept in memory between appends; beyond this the cache is halved (members
/// are re-read from their state rows when next needed). Measured in one run, two
/// builds alternating on a 1,931,021-command import (100,000 members, 20 months):
/// 20,000 imports 4–5% slower than 100,000 (9,894 vs 10,424 and 8,770 vs 9,186
/// commands/s) with a peak RSS of 419–422 instead of 679–777 MiB.
pub const STATE_CACHE_MEMBERS_MAX: usize = 20_000;

/// Operational failures of the ledger. Refusals are results, never errors.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Fold(#[from] crate::domain::state::FoldError),
    #[error(
        "the ledger stopped after a failed append; reopen it (its state is re-read from the store)"
    )]
    Poisoned,
    /// Writing what was read out of the ledger (a bundle, a backup) failed: the
    /// output's failure, not the store's (a full disk where the file goes, a reader
    /// gone). The shells name the output over it (`cli::cannot_write`).
    #[error(transparent)]
    Output(std::io::Error),
}

impl LedgerError {
    /// Where and how stored data is damaged, if that is what the error reports.
    pub fn corruption(&self) -> Option<(u64, Cow<'_, str>)> {
        match self {
            LedgerError::Store(StoreError::Corrupt { position, message }) => {
                Some((*position, Cow::Borrowed(message)))
            }
            LedgerError::Fold(error) => Some((error.position, error.problem.to_string().into())),
            _ => None,
        }
    }

    /// The same, as the damage it reports: its finding keeps the sentence the catalog
    /// words it by (an event altered, a broken chain, a head witness the log does not
    /// reach, an event the fold cannot apply), said in the reader's language.
    pub fn damage(&self) -> Option<StoreError> {
        match self {
            LedgerError::Store(StoreError::Corrupt { position, message }) => {
                Some(StoreError::Corrupt {
                    position: *position,
                    message: message.clone(),
                })
            }
            LedgerError::Fold(error) => Some(StoreError::Corrupt {
                position: error.position,
                message: findings::fold_problem(&error.problem),
            }),
            _ => None,
        }
    }
}

/// Where time and ids come from: the real clock and random UUIDs in production,
/// fixed sources in tests.
pub trait Sources {
    fn now(&mut self) -> DateTime<Utc>;
    fn new_id(&mut self) -> Uuid;
}

/// The system clock and UUID v4.
pub struct SystemSources;

impl Sources for SystemSources {
    fn now(&mut self) -> DateTime<Utc> {
        Utc::now()
    }
    fn new_id(&mut self) -> Uuid {
        Uuid::new_v4()
    }
}

/// What `Ledger::set_after_close_chunk` calls once a month close's chunk is durable.
pub(crate) type AfterCloseChunk = Box<dyn FnMut() + Send>;

/// A ledger open for writing.
pub struct Ledger<S: EventStore = AnyStore> {
    store: S,
    /// Every region, and a bounded cache of members: authoritative for what it holds.
    state: LedgerState,
    /// Set when an append failed after state was advanced: the in-memory state may be
    /// ahead of the log, so no further command may be decided against it.
    poisoned: bool,
    /// Durable appends made since open (each one batch, one flush, one fsync).
    appends: u64,
    /// What the public call now running (`submit`, `close_step`, …) has appended, to be
    /// returned with its answer (`appended.rs`); `None` outside one, and when
    /// `keep_appended` is off.
    appended: Option<Appended>,
    /// Whether calls that append return what they appended (`set_keep_appended`).
    keep_appended: bool,
    /// Region month totals read or changed lately (a cache of `RegionMonth` rows,
    /// at most `REPORT_CACHE_ROWS_MAX` kept between appends).
    reports: HashMap<(RegionName, Month), MonthTotals>,
    /// Region summaries read or changed since open (a cache of `RegionSummary` rows,
    /// one per region, so bounded by the regions the state holds anyway).
    summaries: HashMap<RegionName, RegionSummary>,
    /// Month closes whose members' consequences are still being recorded, by region
    /// (`close`): their `Closing` rows, kept in memory too.
    closings: BTreeMap<RegionName, Closing>,
    /// For closes recorded since open: the members each one found with consequences,
    /// which its chunks visit instead of every enrolled member (`close::CloseWork`).
    close_work: HashMap<RegionName, close::CloseWork>,
    /// Enrolled members per chunk of a month close (`CLOSE_CHUNK_MEMBERS_MAX`; smaller
    /// in tests).
    close_chunk_members: usize,
    /// A month close's coverage changes written ahead of its append at a time
    /// (`close::CLOSE_ITEMS_AHEAD_BATCH_MAX`; tests lower it).
    close_items_ahead_batch: usize,
    /// Whether `submit` leaves a close's chunks to the caller (`close_step`, as `serve`
    /// does between requests) instead of recording them all before it returns.
    close_in_background: bool,
    /// Called once each chunk of a month close is durable (`set_after_close_chunk`).
    after_close_chunk: Option<AfterCloseChunk>,
    /// The latest `recorded_at` this ledger has stamped, or the head event's when it
    /// opened: no stamp is earlier, so times never go back along the log (D67).
    recorded_at_floor: DateTime<Utc>,
    /// Where the writer's walk of its own log has got to (`scrub.rs`).
    scrub: scrub::Scrub,
}

/// Region month totals kept in memory between appends (each is a small row).
pub const REPORT_CACHE_ROWS_MAX: usize = 4096;

/// Damage `message` found at `position` (0: in no event), as the ledger's error.
fn corrupt(position: u64, message: DamageDetail) -> LedgerError {
    LedgerError::Store(StoreError::Corrupt { position, message })
}

fn corrupt_row(row: crate::i18n::Sentence, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        position: 0,
        message: findings::row_undecodable(row, error),
    }
}

/// A region's state row, decoded and checked (rows carry no hash, so a damaged one
/// must be an error, never a panic further on).
pub fn decode_region_row(row: &[u8]) -> Result<RegionState, StoreError> {
    let region = crate::codec::rows::decode_region_row(row)
        .map_err(|error| corrupt_row(findings::row_some_region(), error))?;
    region
        .check_invariants()
        .map_err(|message| StoreError::Corrupt {
            position: region.last_position,
            message: findings::row_invalid(message),
        })?;
    Ok(region)
}

/// A member's state row, decoded and checked, if there is one.
pub fn read_member_row(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
) -> Result<Option<MemberState>, StoreError> {
    let Some(row) = store.read_state(&StateKey::Member(member_id))? else {
        return Ok(None);
    };
    member_of_row(member_id, &row).map(Some)
}

/// Members' state rows, decoded and checked, in the order of `member_ids`, read in
/// one `read_states` (one round trip on PostgreSQL).
pub fn read_member_rows(
    store: &(impl ReadStore + ?Sized),
    member_ids: &[Uuid],
) -> Result<Vec<Option<MemberState>>, StoreError> {
    let keys: Vec<StateKey> = member_ids.iter().map(|id| StateKey::Member(*id)).collect();
    let rows = store.read_states(&keys)?;
    member_ids
        .iter()
        .zip(rows)
        .map(|(member_id, row)| row.map(|row| member_of_row(*member_id, &row)).transpose())
        .collect()
}

/// Member `member_id`'s state row, decoded and checked.
fn member_of_row(member_id: Uuid, row: &[u8]) -> Result<MemberState, StoreError> {
    let member = decode_member_row(row)
        .map_err(|error| corrupt_row(findings::row_member(member_id), error))?;
    let checked = match member.check_invariants() {
        Err(message) => Err(findings::row_invalid(message)),
        Ok(()) if member.member_id != member_id => {
            Err(findings::row_of_other_member(member_id, member.member_id))
        }
        Ok(()) => Ok(()),
    };
    checked.map_err(|message| StoreError::Corrupt {
        position: member.last_position,
        message,
    })?;
    Ok(member)
}

/// A member's state row and its region's: what a live read needs.
pub fn read_member_and_region(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
) -> Result<Option<(MemberState, RegionState)>, StoreError> {
    let Some(member) = read_member_row(store, member_id)? else {
        return Ok(None);
    };
    let region = read_region_of(store, &member)?;
    Ok(Some((member, region)))
}

/// The row of `member`'s region, which exists beside any member of it (damage if not).
fn read_region_of(
    store: &(impl ReadStore + ?Sized),
    member: &MemberState,
) -> Result<RegionState, StoreError> {
    let region_row = store
        .read_state(&StateKey::Region(member.region.clone()))?
        .ok_or_else(|| StoreError::Corrupt {
            position: member.last_position,
            message: findings::region_row_missing(member.member_id, &member.region),
        })?;
    decode_region_row(&region_row)
}

/// The state rows that represent `member`: its row, and with `indexes` its entries
/// in its region's enrolled and granted indexes.
fn member_rows(member: &MemberState, indexes: bool, rows: &mut Vec<StateWrite>) {
    rows.push(StateWrite {
        key: StateKey::Member(member.member_id),
        value: Some(encode_member_row(member)),
    });
    if !indexes {
        return;
    }
    let enrolled = (!member.is_withdrawn()).then(Vec::new);
    rows.push(StateWrite {
        key: StateKey::Enrolled(member.region.clone(), member.member_id),
        value: enrolled,
    });
    let granted = (!member.grants.is_empty()).then(Vec::new);
    rows.push(StateWrite {
        key: StateKey::Granted(member.region.clone(), member.member_id),
        value: granted,
    });
}

/// A member's standing as its coverage states it (`MemberCoverage::state` and
/// `arrears.amount`): the definition the maintained [`RegionSummary`] must equal,
/// computed as `GET /v1/regions/{name}` once computed it per request.
fn coverage_standing(region: &RegionState, member: &MemberState) -> MemberStanding {
    if member.is_withdrawn() {
        return MemberStanding::Withdrawn;
    }
    let arrears = crate::domain::coverage::arrears(region, member);
    if arrears.months.is_empty() {
        MemberStanding::Active
    } else {
        MemberStanding::InArrears(arrears.amount)
    }
}

/// A region's summary folded from its stored rows: every enrolled member's row read
/// and its coverage computed, O(members). What `GET /v1/regions/{name}` computed per
/// request before the summary was maintained; kept as the oracle the maintained row
/// ([`region_summary`]) is tested against.
pub fn region_summary_folded(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
) -> Result<RegionSummary, StoreError> {
    let mut summary = RegionSummary::default();
    let Some(row) = store.read_state(&StateKey::Region(region.clone()))? else {
        return Ok(summary);
    };
    let region_state = decode_region_row(&row)?;
    for member_id in store.enrolled_members(region)? {
        if let Some(member) = read_member_row(store, member_id)? {
            summary.apply(coverage_standing(&region_state, &member), true);
        }
    }
    Ok(summary)
}

/// A region's summary for `GET /v1/regions/{name}`: members by standing and their
/// arrears total, one stored row read (zeros for a region with no member yet).
///
/// It reflects the events recorded, as the member rows and the coverage they give
/// do. While a month close is being recorded (a `Closing` row, D17), members whose
/// consequences are not recorded yet count as they stood before the close (their
/// missed month is not in their arrears yet), exactly as folding their rows would
/// count them; the region route's `closing` field says a close is in progress.
pub fn region_summary(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
) -> Result<RegionSummary, StoreError> {
    match store.read_state(&StateKey::RegionSummary(region.clone()))? {
        None => Ok(RegionSummary::default()),
        Some(row) => decode_summary_row(&row)
            .map_err(|error| corrupt_row(findings::row_region_summary(region), error)),
    }
}

/// Every state row of a fold of the whole log (`Folded::rows`), with the month closes
/// to resume or recheck (`close::closing_rows_after_rebuild`), made as they are
/// written.
fn rebuilt_rows<'a>(
    store: &(impl ReadStore + ?Sized),
    state: &'a Folded,
) -> Result<Box<dyn Iterator<Item = StateWrite> + 'a>, StoreError> {
    let regions: Vec<&RegionState> = state.regions.values().collect();
    let closings = close::closing_rows_after_rebuild(store, &regions, &state.close_pending)?
        .into_iter()
        .map(|closing| StateWrite {
            key: close::closing_key(&closing.region),
            value: Some(close::encode_closing(&closing)),
        })
        .collect();
    Ok(state.rows(closings))
}

/// Folds the whole log into a fresh state (`fold` module: members kept as rows);
/// `progress(position)` is called as it goes, the log read ahead (`read_log_ahead`).
pub fn fold_log<S: ReadStore + ?Sized>(
    store: &S,
    progress: &mut dyn FnMut(u64),
) -> Result<Folded, LedgerError> {
    let mut folder = Folder::default();
    read_log_ahead(
        store,
        |chunk| chunk.into_iter().map(|(envelope, _)| envelope).collect(),
        &mut |envelope: Envelope| {
            folder.apply(envelope.position, &envelope.event)?;
            progress(envelope.position);
            Ok(())
        },
    )?;
    Ok(folder.finish()?)
}

/// The format of the state rows this build writes. Rows are a cache of the fold, so a
/// build that folds differently (v2 rules: R7, R12, R14, new fields) bumps this and
/// rebuilds rows written by an older build from the log on open, instead of reading
/// them as damage or, worse, as current. 1: v1 (an 8-byte checkpoint row). 2: v2
/// rules. 3: member rows in postcard (`encode_member_row`). 4: region summary rows
/// (`StateKey::RegionSummary`). 5: member rows with months, amounts and ratios as
/// numbers (`codec::rows::ROW_FORMAT_MEMBER_COMPACT`). 6: region month totals count a
/// month outside every period that is still paid (a v1 withdrawal's months paid ahead,
/// D26, D31).
pub const STATE_FORMAT_VERSION: u32 = 6;

/// The checkpoint row: the log position the state rows reflect and their format.
fn checkpoint_row(position: u64) -> Vec<u8> {
    let mut row = position.to_be_bytes().to_vec();
    row.extend_from_slice(&STATE_FORMAT_VERSION.to_be_bytes());
    row
}

/// The stored checkpoint: (position, state format), if any.
fn read_checkpoint(store: &(impl ReadStore + ?Sized)) -> Result<Option<(u64, u32)>, StoreError> {
    match store.read_state(&StateKey::Checkpoint)? {
        Some(bytes) => checkpoint_of_row(&bytes).map(Some),
        None => Ok(None),
    }
}

/// The checkpoint row `bytes`, decoded: (position, state format).
fn checkpoint_of_row(bytes: &[u8]) -> Result<(u64, u32), StoreError> {
    let damaged = || StoreError::Corrupt {
        position: 0,
        message: findings::checkpoint_row_length(bytes.len()),
    };
    let position: [u8; 8] = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(damaged)?;
    let format = match bytes.len() {
        8 => 1,
        12 => {
            let format: [u8; 4] = bytes[8..].try_into().map_err(|_| damaged())?;
            u32::from_be_bytes(format)
        }
        _ => return Err(damaged()),
    };
    // Format 1 is the 8-byte row, and no build wrote a 0: a row no build writes is
    // damage, not another build's rows to leave uncompared (D89).
    if bytes.len() == 12 && format < 2 {
        return Err(StoreError::Corrupt {
            position: 0,
            message: findings::checkpoint_row_format(format),
        });
    }
    Ok((u64::from_be_bytes(position), format))
}

/// Whether `member` still lacks a consequence of `region`'s last closed month (D17):
/// only while that close is being recorded, since a close's walk records exactly what
/// `close_consequences` gives and leaves no member with any (the predicate a rebuild
/// rechecks the last close by). Read from the rows themselves, not from the `Closing`
/// row, so the answer cannot fall between two reads: the region's row is read after
/// the member's, so a close recorded in between is seen (the member then lacks its
/// consequence), and a close that ended in between left the member's row already
/// complete or is seen the same way. A reviewer found the order of a `Closing` read
/// and the member's read leaving one of those two open either way.
///
/// The same predicate as the rebuild's (`fold::last_close_pending`).
fn misses_a_consequence_of_the_last_close(member: &MemberState, region: &RegionState) -> bool {
    fold::last_close_pending(member, region).is_some()
}

/// What a reader that records nothing (`serve --read-only`) answers for a member now.
pub enum ReaderMember {
    /// The state rows are another build's, in this format (D89): answer nothing.
    RowsOfAnotherFormat(u32),
    /// A month close of the member's region still owes it a consequence, which only
    /// the writer records (D17): answer nothing yet.
    ClosePending,
    /// The member's row and its region's; `None`: no such member (a row missing beside
    /// a stream with events is damage, an error).
    Found(Option<Box<(MemberState, RegionState)>>),
}

/// A member as a reader that records nothing may answer it now (`serve --read-only`'s
/// member and month routes, without `as_of`), in one call: the rows' format read with
/// the member's row (`read_states`: one statement on PostgreSQL, so one snapshot, and
/// one round trip), then the region's row, then whether a close being recorded still
/// owes the member a consequence, from those two rows. The same checks as
/// `state_rows_of_another_format`, then `read_member_and_region` and a close's, which
/// a read-only server had made as four reads on three threads: its member reads ran at
/// 70% of the writer's (`tools/pg-bench.sh --http 10`, 2026-12-06; 102–105% before
/// the format check), and 1.72× as many after (`tools/read-only-ab.sh`, D41).
pub fn member_for_a_reader(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
) -> Result<ReaderMember, LedgerError> {
    let keys = [StateKey::Checkpoint, StateKey::Member(member_id)];
    let rows = store.read_states(&keys)?;
    // A broken promise of the store's trait (one answer per key), not damage.
    assert_eq!(rows.len(), keys.len(), "read_states answers each key");
    let mut rows = rows.into_iter();
    let (checkpoint, member_row) = (rows.next().flatten(), rows.next().flatten());
    if let Some(bytes) = checkpoint {
        let (_, format) = checkpoint_of_row(&bytes)?;
        if format != STATE_FORMAT_VERSION {
            return Ok(ReaderMember::RowsOfAnotherFormat(format));
        }
    }
    let Some(member_row) = member_row else {
        no_member_without_a_row(store, member_id)?;
        return Ok(ReaderMember::Found(None));
    };
    let member = member_of_row(member_id, &member_row)?;
    let region = read_region_of(store, &member)?;
    if misses_a_consequence_of_the_last_close(&member, &region) {
        return Ok(ReaderMember::ClosePending);
    }
    Ok(ReaderMember::Found(Some(Box::new((member, region)))))
}

/// The format of the stored state rows, if it is not this build's (D89): rows an
/// older build wrote (a PostgreSQL store whose writer has not yet run this build, or
/// runs an older one) or a newer build wrote (this one is the older). Only a writer
/// rebuilds them (`open`, `upgrade_stale_state_rows`); a path that must not write (a
/// PostgreSQL reader, `serve --read-only`) asks this first and answers nothing from
/// them: rows folded by other rules, or laid out otherwise, would be read as damage
/// or, worse, as current. `None` also for a store with no rows yet.
pub fn state_rows_of_another_format(
    store: &(impl ReadStore + ?Sized),
) -> Result<Option<u32>, StoreError> {
    let checkpoint = read_checkpoint(store)?;
    Ok(checkpoint
        .map(|(_, format)| format)
        .filter(|format| *format != STATE_FORMAT_VERSION))
}

/// Rebuilds the state rows from the log if they reflect the log's head but were
/// written in another format (a store last written by an older build, or by a newer
/// one: this build reads only its own, D89), or if a log
/// has no checkpoint row (a rebuild interrupted between its batches: `replace_state`
/// removes the checkpoint first and writes it last); rows that reflect another
/// position are left for `open` (which rebuilds) or `verify` (which reports).
/// Read-side commands call this so that they never answer from old or partial rows.
pub fn upgrade_stale_state_rows<S: EventStore + Sync>(store: &mut S) -> Result<bool, LedgerError> {
    let (head, _) = store.head()?;
    match read_checkpoint(store)? {
        Some((position, format)) if position == head && format != STATE_FORMAT_VERSION => {
            tracing::warn!(
                head,
                format,
                current = STATE_FORMAT_VERSION,
                "state rows were written by another build's format; rebuilding them from the log"
            );
        }
        None if head > 0 => {
            tracing::warn!(
                head,
                "the state rows have no checkpoint (a rebuild was interrupted); rebuilding them from the log"
            );
        }
        _ => return Ok(false),
    }
    let state = fold_log(store, &mut |_| {})?;
    store.replace_state(&mut rebuilt_rows(store, &state)?, &mut |_| {})?;
    Ok(true)
}

/// Records the rest of any month close still in progress in `store` (one left by a
/// crash: `close`), so that a command that only reads never answers from a state that
/// misses a recorded close's consequences. Cheap when there is none (one prefix scan).
pub fn finish_recorded_closes<S: EventStore>(
    store: S,
    sources: &mut dyn Sources,
) -> Result<S, LedgerError> {
    if store.closing_rows()?.is_empty() {
        return Ok(store);
    }
    let mut ledger = Ledger::with_store(store)?;
    // Nothing publishes what this appends: keep none of it.
    ledger.set_keep_appended(false);
    ledger.finish_closes(sources)?;
    Ok(ledger.store)
}

impl Ledger<AnyStore> {
    /// Opens the sled store in `dir`; rebuilds the state rows from the log if they do
    /// not match it (a new store, or one written before state rows existed).
    ///
    /// The ledger's audit signing key is not made here (the audit layer is above the
    /// ledger): the shells that open a ledger for writing make it (`cli::open_ledger`).
    pub fn open(dir: &Path) -> Result<Ledger<AnyStore>, LedgerError> {
        Ledger::open_at(&Location::Sled(dir.to_path_buf()))
    }

    /// Opens the store at `location`, on whichever engine, as `open` opens sled's.
    pub fn open_at(location: &Location) -> Result<Ledger<AnyStore>, LedgerError> {
        Ledger::with_store(location.open()?)
    }
}

/// A stream's version conflict met by the one writer is damage: its state rows, from
/// which it decided, are not the log's (a probe deleted a member's row in PostgreSQL;
/// `submit` then failed with exit 2 and "append refused", as if it could not run).
fn rows_not_the_log_s(error: StoreError) -> StoreError {
    match error {
        StoreError::VersionConflict {
            stream,
            expected,
            actual,
        } => StoreError::Corrupt {
            position: 0,
            message: crate::store::findings::state_rows_behind_log(&stream, expected, actual),
        },
        other => other,
    }
}

impl<S: EventStore> Ledger<S> {
    pub fn with_store(mut store: S) -> Result<Ledger<S>, LedgerError> {
        let discarded = store.discard_items_ahead()?;
        if discarded > 0 {
            tracing::warn!(
                discarded,
                "removed feed items written ahead of a month close's append that never came (the process stopped first, so that close was not recorded)"
            );
        }
        let (head, _) = store.head()?;
        let mut state = LedgerState::default();
        let checkpoint = read_checkpoint(&store)?;
        if checkpoint.is_none() && head == 0 {
            tracing::info!("new ledger: the log is empty");
        } else if checkpoint == Some((head, STATE_FORMAT_VERSION)) {
            for row in store.region_rows()? {
                let region = decode_region_row(&row)?;
                state.regions.insert(region.name.clone(), region);
            }
            state.position = head;
            // Consequences are applied to members brought into the cache later.
        } else {
            tracing::warn!(
                head,
                ?checkpoint,
                format = STATE_FORMAT_VERSION,
                "state rows do not match the log or this build's format; rebuilding them from the log"
            );
            let folded = fold_log(&store, &mut |_| {})?;
            store.replace_state(&mut rebuilt_rows(&store, &folded)?, &mut |_| {})?;
            state = folded.without_members();
        }
        let recorded_at_floor = head_recorded_at(&store, head)?;
        let mut closings = BTreeMap::new();
        for closing in close::read_closings(&store)? {
            if closing.recheck {
                // A rebuild's recheck of the last close (D17): routine, not a crash.
                tracing::info!(region = %closing.region, month = %closing.month, "the state rows were rebuilt: checking that every consequence of the region's last month close is recorded");
            } else {
                tracing::warn!(region = %closing.region, month = %closing.month, done = closing.members_done, total = closing.members_total, "a month close is still being recorded; it resumes after its last durable chunk");
            }
            closings.insert(closing.region.clone(), closing);
        }
        tracing::info!(
            position = state.position,
            regions = state.regions.len(),
            "ledger opened"
        );
        let mut ledger = Ledger {
            store,
            state,
            poisoned: false,
            appends: 0,
            appended: None,
            keep_appended: true,
            reports: HashMap::new(),
            summaries: HashMap::new(),
            closings,
            close_work: HashMap::new(),
            close_chunk_members: CLOSE_CHUNK_MEMBERS_MAX,
            close_items_ahead_batch: close::CLOSE_ITEMS_AHEAD_BATCH_MAX,
            close_in_background: false,
            after_close_chunk: None,
            recorded_at_floor,
            scrub: scrub::Scrub::default(),
        };
        ledger.trim_cache();
        Ok(ledger)
    }

    /// The time to record the next events at: the clock, unless it reads earlier than
    /// a time already stamped (a clock stepped back, or another append made after this
    /// one's stamp was taken), so `recorded_at` never goes back along the log (D67).
    pub(crate) fn stamp(&mut self, sources: &mut dyn Sources) -> DateTime<Utc> {
        self.recorded_at_floor = self.recorded_at_floor.max(sources.now());
        self.recorded_at_floor
    }

    /// The in-memory state: every region and the cached members.
    pub fn state(&self) -> &LedgerState {
        &self.state
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Whether an append failed and the ledger refuses further commands.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Whether the store still takes this writer's appends (`LogWriter::check_writer`)
    /// and the next slice of its log still reads back intact (`scrub.rs`); if not, the
    /// ledger refuses further commands, as after a failed append.
    pub fn check_writer(&mut self) -> Result<(), LedgerError> {
        let checked = self
            .store
            .check_writer()
            .map_err(LedgerError::Store)
            .and_then(|()| match self.scrub_slice() {
                // A read back that could not reach the database (a pooled reader's
                // connection ended by an administrator, a restart already noticed by
                // the writer's own session above) found no damage: the slice is read
                // again at the next check. Only damage, or the writer's own session,
                // stops the writer (found by a probe of the PostgreSQL engine: one
                // idle reader's connection terminated stopped `serve`).
                Err(LedgerError::Store(StoreError::Unavailable { message, .. })) => {
                    tracing::warn!(
                        next = self.scrub.next,
                        %message,
                        "the walk of the log could not read its next slice back; it tries again at the next check"
                    );
                    Ok(())
                }
                other => other,
            });
        checked.inspect_err(|_| self.poisoned = true)
    }

    /// Durable appends made since open.
    pub fn appends(&self) -> u64 {
        self.appends
    }

    /// Each listed member's month lines in its window, for a before/after comparison.
    fn month_lines(&self, windows: &BTreeMap<Uuid, LinesWindow>) -> Vec<(Uuid, Vec<MonthLine>)> {
        windows
            .iter()
            .map(|(member_id, window)| (*member_id, self.member_lines(*member_id, window)))
            .collect()
    }

    /// The months of each member `events` (a command's, not yet applied) can alter,
    /// judged on the state before the first of them: a window never shrinks over a
    /// command's later events (the listing only grows, and an event that changes a
    /// period makes its window `All`), so the union over the command is enough.
    fn lines_windows(&self, events: &[Event]) -> BTreeMap<Uuid, LinesWindow> {
        let mut windows: BTreeMap<Uuid, LinesWindow> = BTreeMap::new();
        for event in events {
            let StreamId::Member(member_id) = event.stream() else {
                continue;
            };
            let member = self.state.members.get(&member_id);
            let region = member.and_then(|member| self.state.regions.get(&member.region));
            let window = match region {
                Some(region) => lines_touched(region, member, event),
                None => LinesWindow::All,
            };
            let window = match windows.remove(&member_id) {
                Some(earlier) => earlier.union(window),
                None => window,
            };
            windows.insert(member_id, window);
        }
        windows
    }

    /// Decides `commands` in order and appends every accepted command's events in one
    /// durable write per `APPEND_BATCH_COMMANDS_MAX` commands. Results are returned
    /// only after their events are durable. A refused command never affects its
    /// neighbours; an item that failed to parse is passed through as its refusal.
    ///
    /// Answers with the results and the sealed envelopes and coverage changes appended
    /// (`Submitted`); a failure carries what was appended before it (`AppendingError`).
    pub fn submit(
        &mut self,
        commands: Vec<Result<CommandEnvelope, Refusal>>,
        sources: &mut dyn Sources,
    ) -> Result<Submitted, AppendingError> {
        self.collecting(|ledger| ledger.submit_all(commands, sources))
            .map(|(results, appended)| Submitted { results, appended })
    }

    /// `submit`'s work, in chunks of one durable append each.
    fn submit_all(
        &mut self,
        commands: Vec<Result<CommandEnvelope, Refusal>>,
        sources: &mut dyn Sources,
    ) -> Result<Vec<CommandResult>, LedgerError> {
        let mut results = Vec::with_capacity(commands.len());
        let mut commands: VecDeque<_> = commands.into();
        while !commands.is_empty() {
            results.extend(self.submit_chunk(&mut commands, sources)?);
        }
        if !self.close_in_background {
            self.record_closes_to_end(sources)?;
        }
        Ok(results)
    }

    /// Leave a close's chunks to `close_step` (a server records them between requests
    /// and answers the close at once) instead of recording them all in `submit`.
    pub fn set_close_in_background(&mut self, background: bool) {
        self.close_in_background = background;
    }

    pub fn is_close_in_background(&self) -> bool {
        self.close_in_background
    }

    /// Sets the enrolled members per chunk of a month close (tests use small chunks
    /// to exercise resumption; at least 1).
    pub fn set_close_chunk_members(&mut self, members: usize) {
        self.close_chunk_members = members.clamp(1, CLOSE_CHUNK_MEMBERS_MAX);
    }

    /// Sets the coverage changes a month close writes ahead of its append at a time
    /// (tests use small batches to write many; at least 1).
    pub fn set_close_items_ahead_batch(&mut self, items: usize) {
        self.close_items_ahead_batch = items.clamp(1, close::CLOSE_ITEMS_AHEAD_BATCH_MAX);
    }

    /// Sets what is called once each chunk of a month close is durable, before the
    /// next one is decided: tests end the process there as a crash would
    /// (`FLEXLEDGER_CLOSE_EXIT_AFTER_CHUNKS`), where a `kill -9` sent on reading the
    /// chunk's log line could come after a loaded machine's child had finished.
    pub(crate) fn set_after_close_chunk(&mut self, hook: AfterCloseChunk) {
        self.after_close_chunk = Some(hook);
    }

    /// Decides commands from the front of `commands` (at most
    /// `APPEND_BATCH_COMMANDS_MAX`, and a month close only first) and appends the
    /// accepted ones in one durable write.
    fn submit_chunk(
        &mut self,
        commands: &mut VecDeque<Result<CommandEnvelope, Refusal>>,
        sources: &mut dyn Sources,
    ) -> Result<Vec<CommandResult>, LedgerError> {
        if self.poisoned {
            return Err(LedgerError::Poisoned);
        }
        let recorded_at = self.stamp(sources);
        let mut results = Vec::new();
        let mut records: Vec<CommandRecord> = Vec::new();
        let mut dirty = Dirty::default();
        let decided = self.decide_chunk(
            commands,
            recorded_at,
            sources,
            &mut results,
            &mut records,
            &mut dirty,
        );
        if let Err(error) = decided {
            // Commands decided before the failure advanced the state without being
            // appended: the state may be ahead of the log.
            if !records.is_empty() {
                self.poisoned = true;
            }
            return Err(error);
        }
        self.append_records(&mut records, &dirty)?;
        // Refused commands load members too: keep the cache bounded either way.
        self.trim_cache();
        if self.reports.len() > REPORT_CACHE_ROWS_MAX {
            self.reports.clear();
        }
        Ok(results)
    }

    /// Appends `records` with the rows `dirty` names, in one durable write (rows alone
    /// when there is no record but a close's progress to keep).
    fn append_records(
        &mut self,
        records: &mut Vec<CommandRecord>,
        dirty: &Dirty,
    ) -> Result<(), LedgerError> {
        if records.is_empty() && dirty.closings.is_empty() {
            return Ok(());
        }
        let rows = self.dirty_rows(dirty);
        if let Err(error) = self.store.append(records, &rows) {
            self.poisoned = true;
            return Err(rows_not_the_log_s(error).into());
        }
        self.appends += 1;
        if let Some(appended) = &mut self.appended {
            appended
                .envelopes
                .extend(records.drain(..).flat_map(|record| record.envelopes));
            appended.coverage.extend(dirty.coverage.iter().cloned());
        }
        Ok(())
    }

    /// Decides commands from the front of `commands` in order, applying accepted ones
    /// to the state and collecting their records; nothing is appended here. Stops
    /// after `APPEND_BATCH_COMMANDS_MAX` commands, before a month close that is not
    /// first (a close counts its region from the stored rows, which must be current),
    /// and after a close.
    fn decide_chunk(
        &mut self,
        commands: &mut VecDeque<Result<CommandEnvelope, Refusal>>,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
        results: &mut Vec<CommandResult>,
        records: &mut Vec<CommandRecord>,
        dirty: &mut Dirty,
    ) -> Result<(), LedgerError> {
        let Prefetched {
            accepted_before,
            no_row,
        } = self.prefetch(commands)?;
        // Accepted in this chunk but not yet durable: command id → index in `records`.
        let mut pending: HashMap<Uuid, usize> = HashMap::new();
        let mut decided = 0;
        while decided < APPEND_BATCH_COMMANDS_MAX {
            let Some(command) = commands.pop_front() else {
                break;
            };
            decided += 1;
            let envelope = match command {
                Ok(envelope) => envelope,
                Err(refusal) => {
                    results.push(CommandResult::Refused(refusal));
                    continue;
                }
            };
            if let Some(result) = self.repeated(&envelope, &accepted_before, &pending, records)? {
                results.push(result);
                continue;
            }
            if let Command::CloseMonth(close) = &envelope.command {
                if crate::domain::decide::closable_region(&self.state, close).is_ok() {
                    if !records.is_empty() {
                        commands.push_front(Ok(envelope));
                        break;
                    }
                    let result =
                        self.decide_close(&envelope, close, recorded_at, sources, records, dirty)?;
                    results.push(result);
                    break;
                }
            }
            match envelope.command.member_id() {
                // Read by `prefetch`: no row then, and none written since (it would be
                // cached).
                Some(member_id) if no_row.contains(&member_id) => {}
                _ => self.load_for(&envelope.command)?,
            }
            if let Some(member_id) = envelope.command.member_id() {
                self.bring_up_to_date(member_id, recorded_at, sources, records, dirty)
                    .inspect_err(|_| self.poisoned = true)?;
            }
            match decide(&self.state, &envelope) {
                Err(refusal) => results.push(CommandResult::Refused(refusal)),
                Ok(events) => {
                    let command_id = envelope.command_id.unwrap_or_else(|| sources.new_id());
                    // A failure inside `record` may leave this command half applied.
                    let mut record = self
                        .record(command_id, events, recorded_at, sources, dirty)
                        .inspect_err(|_| self.poisoned = true)?;
                    record.body_digest = envelope.body_digest.map(Sha256);
                    results.push(CommandResult::accepted(&record.envelopes, false));
                    pending.insert(command_id, records.len());
                    records.push(record);
                }
            }
        }
        Ok(())
    }

    /// Reads at once what deciding the next chunk's commands (the first
    /// `APPEND_BATCH_COMMANDS_MAX` of `commands`) would otherwise read one at a time:
    /// the members they name that are not cached (into the cache), and the spans of
    /// their command ids accepted before (returned). On PostgreSQL every read is a
    /// round trip, and one or two per command were most of an import's time.
    ///
    /// Nothing read here goes stale before those commands are decided: the ledger is
    /// the log's only writer, a member leaves the cache only after the append that
    /// wrote it is durable, and an id accepted later in the chunk is `pending`.
    fn prefetch(
        &mut self,
        commands: &VecDeque<Result<CommandEnvelope, Refusal>>,
    ) -> Result<Prefetched, LedgerError> {
        let mut command_ids = Vec::new();
        let mut members: Vec<Uuid> = Vec::new();
        let mut wanted: HashSet<Uuid> = HashSet::new();
        for envelope in commands
            .iter()
            .take(APPEND_BATCH_COMMANDS_MAX)
            .filter_map(|command| command.as_ref().ok())
        {
            command_ids.extend(envelope.command_id);
            if let Some(member_id) = envelope.command.member_id() {
                if wanted.insert(member_id) {
                    members.push(member_id);
                }
            }
        }
        let no_row = self.load_members(&members)?;
        Ok(Prefetched {
            accepted_before: self.store.command_spans(&command_ids)?,
            no_row,
        })
    }

    /// Loads into the cache those of `member_ids` that have a row and are not cached,
    /// in one read; returns those that have no row.
    fn load_members(&mut self, member_ids: &[Uuid]) -> Result<HashSet<Uuid>, LedgerError> {
        let uncached = self.uncached(member_ids);
        let mut no_row = HashSet::new();
        for (member_id, member) in uncached
            .iter()
            .zip(read_member_rows(&self.store, &uncached)?)
        {
            match member {
                Some(member) => self.state.insert_member(member),
                None => {
                    no_row.insert(*member_id);
                }
            }
        }
        Ok(no_row)
    }

    /// Those of `member_ids` not in the member cache, in their order.
    fn uncached(&self, member_ids: &[Uuid]) -> Vec<Uuid> {
        member_ids
            .iter()
            .filter(|member_id| !self.state.members.contains_key(member_id))
            .copied()
            .collect()
    }

    /// The answer to a command whose id was accepted before (in this chunk, or an
    /// earlier append: `accepted_before`, as `prefetch` read it), if it was.
    fn repeated(
        &self,
        envelope: &CommandEnvelope,
        accepted_before: &HashMap<Uuid, CommandSpan>,
        pending: &HashMap<Uuid, usize>,
        records: &[CommandRecord],
    ) -> Result<Option<CommandResult>, LedgerError> {
        let Some(command_id) = envelope.command_id else {
            return Ok(None);
        };
        if let Some(index) = pending.get(&command_id) {
            let record = &records[*index];
            return Ok(Some(repeated_result(
                (command_id, envelope),
                record.body_digest,
                &record.envelopes,
            )));
        }
        let Some(span) = accepted_before.get(&command_id) else {
            return Ok(None);
        };
        let envelopes = self.envelopes_of(span)?;
        Ok(Some(repeated_result(
            (command_id, envelope),
            span.body_digest,
            &envelopes,
        )))
    }

    /// Records an accepted month close, first in its append: a close still in
    /// progress in the region is finished first (R9: months close in order).
    fn decide_close(
        &mut self,
        envelope: &CommandEnvelope,
        close: &crate::domain::command::CloseMonth,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
        records: &mut Vec<CommandRecord>,
        dirty: &mut Dirty,
    ) -> Result<CommandResult, LedgerError> {
        self.finish_close_of(&close.region, sources)?;
        // The previous close's chunks just appended were stamped after this batch
        // was: the close is recorded after them, so not at an earlier time (D67).
        let recorded_at = recorded_at.max(self.recorded_at_floor);
        let command_id = envelope.command_id.unwrap_or_else(|| sources.new_id());
        let mut record = self
            .record_close(command_id, close, recorded_at, sources, dirty)
            .inspect_err(|_| self.poisoned = true)?;
        record.body_digest = envelope.body_digest.map(Sha256);
        let result = CommandResult::accepted(&record.envelopes, false);
        records.push(record);
        Ok(result)
    }

    /// Loads into the cache what deciding `command` reads (a month close reads its
    /// region's members itself, a page at a time: `close`).
    fn load_for(&mut self, command: &Command) -> Result<(), LedgerError> {
        if let Some(member_id) = command.member_id() {
            self.load_member(member_id)?;
        }
        Ok(())
    }

    fn load_member(&mut self, member_id: Uuid) -> Result<(), LedgerError> {
        if self.state.members.contains_key(&member_id) {
            return Ok(());
        }
        if let Some(member) = read_member_row(&self.store, member_id)? {
            self.state.insert_member(member);
        }
        Ok(())
    }

    fn trim_cache(&mut self) {
        if self.state.members.len() <= STATE_CACHE_MEMBERS_MAX {
            return;
        }
        let evict: Vec<Uuid> = self
            .state
            .members
            .keys()
            .take(self.state.members.len() - STATE_CACHE_MEMBERS_MAX / 2)
            .copied()
            .collect();
        for member_id in evict {
            self.state.evict_member(member_id);
        }
    }

    /// Wraps decided events in envelopes and applies them to the state, with the
    /// coverage changes and region totals they make.
    fn record(
        &mut self,
        command_id: Uuid,
        events: Vec<Event>,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
        dirty: &mut Dirty,
    ) -> Result<CommandRecord, LedgerError> {
        let windows = self.lines_windows(&events);
        // Coverage changes are recorded for every command, served or not, so a feed
        // started later replays them too (R-independent: a before/after comparison,
        // of the months the events can alter).
        let before = self.month_lines(&windows);
        let whole_before = self.whole_lines_when_checking(&windows);
        let envelopes = self.apply_events(command_id, events, recorded_at, sources, dirty)?;
        let position = self.state.position;
        let after = self.month_lines(&windows);
        self.check_windows(&windows, whole_before);
        for ((member_id, old), (_, new)) in before.iter().zip(&after) {
            if let Some(region) = self.state.members.get(member_id).map(|m| m.region.clone()) {
                self.add_to_reports(&region, old, new, dirty)?;
            }
            let months = month_changes(old, new);
            if !months.is_empty() {
                dirty.coverage.push(CoverageChanged {
                    member_id: *member_id,
                    position,
                    command_id,
                    months,
                });
            }
        }
        Ok(CommandRecord {
            command_id,
            envelopes,
            body_digest: None,
        })
    }

    /// Wraps events in envelopes at the next positions and applies them to the state,
    /// marking their streams' rows dirty.
    fn apply_events(
        &mut self,
        command_id: Uuid,
        events: Vec<Event>,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
        dirty: &mut Dirty,
    ) -> Result<Vec<Envelope>, LedgerError> {
        let mut envelopes = Vec::with_capacity(events.len());
        for event in events {
            let position = self.state.position + 1;
            let stream = event.stream();
            let version = self.stream_version(&stream) + 1;
            let standing_before = self.standing(&stream);
            self.state.apply(position, &event)?;
            self.add_to_summary(&stream, standing_before, dirty)?;
            match stream {
                StreamId::Member(member_id) => {
                    if changes_member_indexes(&event) {
                        dirty.indexed.insert(member_id);
                    }
                    dirty.members.insert(member_id)
                }
                StreamId::Region(region) => dirty.regions.insert(region),
            };
            envelopes.push(Envelope::new(
                position,
                version,
                event,
                sources.new_id(),
                recorded_at,
                command_id,
            ));
        }
        Ok(envelopes)
    }

    /// The standing of the member whose stream `stream` is (`Withdrawn`, counting
    /// nothing, for a member not enrolled yet; `None` for a region's stream, whose
    /// events move no member's standing: `domain::report::member_standing`).
    fn standing(&self, stream: &StreamId) -> Option<MemberStanding> {
        match stream {
            StreamId::Member(member_id) => Some(
                self.state
                    .members
                    .get(member_id)
                    .map_or(MemberStanding::Withdrawn, member_standing),
            ),
            StreamId::Region(_) => None,
        }
    }

    /// Adds the difference of a member's standing before an event (`before`) and
    /// after it to its region's summary, in the same append as the member's row.
    fn add_to_summary(
        &mut self,
        stream: &StreamId,
        before: Option<MemberStanding>,
        dirty: &mut Dirty,
    ) -> Result<(), LedgerError> {
        let (Some(before), Some(after)) = (before, self.standing(stream)) else {
            return Ok(());
        };
        if before == after {
            return Ok(());
        }
        let StreamId::Member(member_id) = stream else {
            return Ok(());
        };
        let Some(region) = self.state.members.get(member_id).map(|m| m.region.clone()) else {
            return Ok(());
        };
        if !self.summaries.contains_key(&region) {
            let stored = region_summary(&self.store, &region)?;
            self.summaries.insert(region.clone(), stored);
        }
        if let Some(summary) = self.summaries.get_mut(&region) {
            summary.change(before, after);
        }
        dirty.summaries.insert(region);
        Ok(())
    }

    /// A cached member's month lines in `window` (empty if not cached).
    fn member_lines(&self, member_id: Uuid, window: &LinesWindow) -> Vec<MonthLine> {
        let lines = self.state.members.get(&member_id).and_then(|member| {
            let region = self.state.regions.get(&member.region)?;
            Some(month_lines_in(region, member, window))
        });
        lines.unwrap_or_default()
    }

    /// Debug builds: every member's whole listing, to check the windows against after
    /// the command (`check_windows`); release builds skip both.
    fn whole_lines_when_checking(
        &self,
        windows: &BTreeMap<Uuid, LinesWindow>,
    ) -> Option<Vec<(Uuid, Vec<MonthLine>)>> {
        cfg!(debug_assertions).then(|| {
            let whole = windows.keys().map(|id| (*id, LinesWindow::All)).collect();
            self.month_lines(&whole)
        })
    }

    /// Asserts that no member's line outside its window changed: a window that missed
    /// a month would drop a feed change and skew the region's totals.
    fn check_windows(
        &self,
        windows: &BTreeMap<Uuid, LinesWindow>,
        whole_before: Option<Vec<(Uuid, Vec<MonthLine>)>>,
    ) {
        let Some(whole_before) = whole_before else {
            return;
        };
        for (member_id, before) in whole_before {
            let after = self.member_lines(member_id, &LinesWindow::All);
            let window = &windows[&member_id];
            assert!(
                agree_outside(window, &before, &after),
                "member {member_id}: a line outside {window:?} changed"
            );
        }
    }

    /// Adds the difference between a member's month lines before and after a command
    /// to its region's month totals (`domain::report`).
    fn add_to_reports(
        &mut self,
        region: &RegionName,
        old: &[MonthLine],
        new: &[MonthLine],
        dirty: &mut Dirty,
    ) -> Result<(), LedgerError> {
        let old_by_month: HashMap<Month, &MonthLine> =
            old.iter().map(|line| (line.month, line)).collect();
        for line in new {
            let previous = old_by_month.get(&line.month).copied();
            if previous == Some(line) || (previous.is_none() && !line_counts(line)) {
                continue;
            }
            let key = (region.clone(), line.month);
            let totals = self.report_totals(&key)?;
            if let Some(previous) = previous {
                totals.apply(previous, false);
            }
            totals.apply(line, true);
            dirty.reports.insert(key);
        }
        Ok(())
    }

    /// A region month's totals, from the cache or its stored row.
    fn report_totals(
        &mut self,
        key: &(RegionName, Month),
    ) -> Result<&mut MonthTotals, LedgerError> {
        if !self.reports.contains_key(key) {
            let totals = read_month_totals(&self.store, &key.0, key.1)?;
            self.reports.insert(key.clone(), totals);
        }
        // OK because the key was inserted just above if it was missing.
        Ok(self.reports.get_mut(key).expect("totals just loaded"))
    }

    fn dirty_rows(&self, dirty: &Dirty) -> Vec<StateWrite> {
        let mut rows = Vec::with_capacity(dirty.members.len() * 2 + dirty.regions.len() + 1);
        for region in &dirty.regions {
            // OK because a dirty region had an event applied, which creates it.
            let state = self
                .state
                .regions
                .get(region)
                .expect("dirty region is in the state");
            rows.push(StateWrite {
                key: StateKey::Region(region.clone()),
                value: Some(encode_region_row(state)),
            });
        }
        for member_id in &dirty.members {
            // OK because a dirty member had an event applied, and dirty members are
            // evicted only after the append that writes them.
            member_rows(
                self.state
                    .members
                    .get(member_id)
                    .expect("dirty member is in the cache"),
                dirty.indexed.contains(member_id),
                &mut rows,
            );
        }
        for key in &dirty.reports {
            // OK because a dirty report was loaded into the cache by `report_totals`,
            // which is trimmed only after the append that writes it.
            let totals = self.reports.get(key).expect("dirty report is in the cache");
            rows.push(StateWrite {
                key: StateKey::RegionMonth(key.0.clone(), key.1),
                value: Some(encode_month_totals_row(totals)),
            });
        }
        for region in &dirty.summaries {
            // OK because a dirty summary was loaded into the cache by
            // `add_to_summary`, and the cache is never trimmed.
            let summary = self
                .summaries
                .get(region)
                .expect("dirty summary is in the cache");
            rows.push(StateWrite {
                key: StateKey::RegionSummary(region.clone()),
                value: Some(encode_summary_row(summary)),
            });
        }
        for change in &dirty.coverage {
            rows.push(StateWrite {
                key: StateKey::CoverageChange(change.position, change.member_id),
                value: Some(encode_coverage_item(change)),
            });
        }
        for region in &dirty.closings {
            rows.push(StateWrite {
                key: StateKey::Closing(region.clone()),
                value: self.closings.get(region).map(close::encode_closing),
            });
        }
        rows.push(StateWrite {
            key: StateKey::Checkpoint,
            value: Some(checkpoint_row(self.state.position)),
        });
        rows
    }

    fn stream_version(&self, stream: &StreamId) -> u64 {
        match stream {
            StreamId::Member(member_id) => self
                .state
                .members
                .get(member_id)
                .map_or(0, |member| member.version),
            StreamId::Region(region) => self
                .state
                .regions
                .get(region)
                .map_or(0, |region| region.version),
        }
    }

    /// The envelopes an accepted command appended, read back from the log.
    fn envelopes_of(&self, span: &CommandSpan) -> Result<Vec<Envelope>, StoreError> {
        let count = usize::try_from(span.event_count).unwrap_or(usize::MAX);
        self.store
            .read_log(span.first_position)
            .take(count)
            .collect()
    }
}

/// What `Ledger::prefetch` read for a chunk of commands.
struct Prefetched {
    /// The spans of the chunk's command ids accepted in earlier appends.
    accepted_before: HashMap<Uuid, CommandSpan>,
    /// Members the chunk names that had no state row (not yet enrolled).
    no_row: HashSet<Uuid>,
}

/// The body digest of a record the ledger writes itself, not for a command: a month
/// close's consequences, chunk by chunk, and a member brought up to date with them.
/// Their ids are in the log and the feed for anyone to copy, and such a record was
/// stored without a digest, so a `withdraw` or a `pay` sent under one was answered
/// as a duplicate with the consequences of other members, and never applied. No
/// command's SHA-256 is all zeros, so a command under such an id now differs from it
/// and is refused with `command_id_reused`.
pub(crate) const LEDGER_RECORD_DIGEST: Sha256 = Sha256::ZERO;

/// Whether `envelopes` are a record the ledger wrote itself, by what it starts with:
/// a missed month or a withdrawal for arrears, which only a close records (for
/// records stored before they carried `LEDGER_RECORD_DIGEST`). Not a record that
/// holds the close's `MonthClosed` too: v1 recorded a close's consequences before it
/// in the `close_month` command's own record, whose id its sender may send again.
fn written_by_the_ledger(envelopes: &[Envelope]) -> bool {
    let starts_as_a_chunk = match envelopes.first().map(|envelope| &envelope.event) {
        Some(Event::ContributionMissed(_)) => true,
        Some(event) => is_automatic_withdrawal(event),
        None => false,
    };
    let holds_the_close =
        (envelopes.iter()).any(|envelope| matches!(envelope.event, Event::MonthClosed(_)));
    starts_as_a_chunk && !holds_the_close
}

/// The answer to a command whose id was accepted before: the first result again if it
/// is the same command, `command_id_reused` if it is another (contract v2), or if the
/// id is one of the ledger's own records (`LEDGER_RECORD_DIGEST`). An id remembered
/// without a digest (before v2) is another command's only where its events cannot be
/// this command's (`Command::could_have_made`: another stream, kind or month); else
/// it answers as a duplicate, as v1 did.
fn repeated_result(
    (command_id, envelope): (Uuid, &CommandEnvelope),
    recorded: Option<Sha256>,
    envelopes: &[Envelope],
) -> CommandResult {
    let recorded =
        recorded.or_else(|| written_by_the_ledger(envelopes).then_some(LEDGER_RECORD_DIGEST));
    let another = match (envelope.body_digest, recorded) {
        // An id accepted by an earlier build recorded the digest of the text as
        // written (with its `null` fields before 2026-12-06): the same text sent
        // again is the same command.
        (Some(digest), Some(recorded)) => {
            digest != recorded.0 && !envelope.earlier_body_digests.contains(&recorded.0)
        }
        (Some(_), None) => {
            !envelopes.is_empty()
                && !(envelope.command).could_have_made(envelopes.iter().map(|made| &made.event))
        }
        (None, _) => false,
    };
    if another {
        let position = envelopes.first().map_or(0, |envelope| envelope.position);
        return CommandResult::Refused(Refusal::because(
            RefusalText::CommandIdReused {
                command_id,
                position,
            },
            format!("command_id {command_id} was already accepted for a different command (its events start at position {position}): send a new command under a new command_id, or resend exactly the same command to get its first result"),
        ));
    }
    CommandResult::accepted(envelopes, true)
}

/// Streams touched by the commands of one append: their state rows are rewritten.
#[derive(Default)]
struct Dirty {
    members: BTreeSet<Uuid>,
    /// Dirty members whose enrolled or granted index entries may have changed
    /// (`changes_member_indexes`): only theirs are written, since each index write
    /// costs the engine a tree walk even when it changes nothing.
    indexed: BTreeSet<Uuid>,
    regions: BTreeSet<RegionName>,
    /// Coverage changes of the append's commands (stored as `F` rows).
    coverage: Vec<CoverageChanged>,
    /// Region month totals the append's commands changed.
    reports: BTreeSet<(RegionName, Month)>,
    /// Region summaries the append's commands changed.
    summaries: BTreeSet<RegionName>,
    /// Regions whose close in progress moved (its `Closing` row is rewritten, or
    /// removed once the close is finished).
    closings: BTreeSet<RegionName>,
}

/// Whether `event` can add or remove its member's `Enrolled` or `Granted` row: only
/// enrolling, withdrawing and re-enrolling (`MemberState::is_withdrawn`), and
/// granting or revoking a subsidy (`MemberState::grants`).
fn changes_member_indexes(event: &Event) -> bool {
    matches!(
        event,
        Event::MemberEnrolled(_)
            | Event::MemberWithdrawn(_)
            | Event::MemberReenrolled(_)
            | Event::SubsidyGranted(_)
            | Event::SubsidyRevoked(_)
    )
}

/// What appends added, for the feed: envelopes and coverage changes, in log order,
/// and the progress of each month close's chunk recorded meanwhile (the feed's
/// `Closing` notices, D17), in the order the chunks were recorded.
#[derive(Clone, Debug, Default)]
pub struct Appended {
    pub envelopes: Vec<Envelope>,
    pub coverage: Vec<CoverageChanged>,
    /// The positions of events whose coverage changes were written to the store ahead
    /// of their append and are not in `coverage` (a month close's, D17): the feed
    /// sends them from the store (`FeedMessage::items_in_store`).
    pub items_ahead: Vec<u64>,
    /// Each chunk's progress, with the log's head right after the chunk: the notice
    /// follows the items up to that position.
    pub closes: Vec<(u64, CloseProgress)>,
}

/// A region month's stored totals (zeros when no member line counted yet).
pub fn read_month_totals(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
    month: Month,
) -> Result<MonthTotals, StoreError> {
    match store.read_state(&StateKey::RegionMonth(region.clone(), month))? {
        None => Ok(MonthTotals::default()),
        Some(row) => decode_month_totals_row(&row)
            .map_err(|error| corrupt_row(findings::row_region_month(region, month), error)),
    }
}

/// Why a region month report cannot be given. Its English is the catalog's
/// ([`ReportError::words`]), the words the CLI and the HTTP route say in any language.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}", self.english())]
    UnknownRegion(String),
    #[error("{}", self.english())]
    NotClosed {
        region: String,
        month: Month,
        open_month: Month,
        /// No month of the region is closed yet (its open month is its first): there
        /// is no earlier month to send the reader to (a probe was sent back and forth
        /// between "a month before 2025-01" and "a month from 2025-01").
        none_closed: bool,
    },
    /// A month before the region's first policy takes effect: the region has no such
    /// month (R1), so it was never closed, and its figures are not zeros.
    #[error("{}", self.english())]
    BeforeRegion {
        region: String,
        month: Month,
        first_month: Month,
        /// As for `NotClosed`.
        none_closed: bool,
    },
    /// `moving_from` is never before the region's first month: when it is that month
    /// (`earlier` false), no month of the region can be reported until the close is
    /// recorded, and the message does not send the reader to months the region never
    /// had (which `BeforeRegion` would refuse).
    #[error("{}", self.english())]
    CloseInProgress {
        region: String,
        month: Month,
        closing: Month,
        done: u64,
        total: u64,
        moving_from: Month,
        earlier: bool,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReportError {
    /// The error's code, the same on the command line and over HTTP: a read error,
    /// not a command refusal.
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::UnknownRegion(_) => crate::domain::ErrorCode::UnknownRegion.as_str(),
            _ => "month_not_closed",
        }
    }

    /// The error in English: its `Display`, but for a store failure (transparent).
    fn english(&self) -> String {
        // OK because `Store` is displayed by its own attribute, never through here.
        let (id, args) = self
            .words()
            .expect("a report error that is not a store failure");
        crate::i18n::say(crate::i18n::Language::En, id, &args)
    }

    /// The error as a catalog message and its arguments (`None` for a store failure,
    /// which says itself): what the HTTP route and `flexledger region` say, in the
    /// reader's language; its English is this error's `Display`.
    pub fn words(&self) -> Option<(&'static str, Vec<(&'static str, crate::i18n::Arg)>)> {
        use crate::i18n::text;
        Some(match self {
            ReportError::UnknownRegion(region) => {
                ("http-region-unknown", vec![("region", text(region))])
            }
            ReportError::NotClosed {
                region,
                month,
                open_month,
                none_closed,
            } => (
                "http-month-not-closed",
                vec![
                    ("month", text(month)),
                    ("region", text(region)),
                    ("open", text(open_month)),
                    ("none_closed", text(yes_or_no(*none_closed))),
                ],
            ),
            ReportError::CloseInProgress {
                region,
                closing,
                done,
                total,
                moving_from,
                earlier,
                ..
            } => (
                "http-month-close-in-progress",
                vec![
                    ("closing", text(closing)),
                    ("region", text(region)),
                    ("done", text(done)),
                    ("total", text(total)),
                    ("moving_from", text(moving_from)),
                    ("earlier", text(yes_or_no(*earlier))),
                ],
            ),
            ReportError::BeforeRegion {
                region,
                month,
                first_month,
                none_closed,
            } => (
                "http-month-before-region",
                vec![
                    ("month", text(month)),
                    ("region", text(region)),
                    ("first", text(first_month)),
                    ("none_closed", text(yes_or_no(*none_closed))),
                ],
            ),
            ReportError::Store(_) => return None,
        })
    }
}

/// A flag as a catalog message's selector reads it.
fn yes_or_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

/// The bureau's report of a closed month (R12, R16, R17): two stored rows read, the
/// region's and its month's; no member is folded.
///
/// Its `position` is the log's head when the rows were read ([`read_at_head`]): the
/// month's totals move with the members' events (a back-payment of an arrears month,
/// a refund, a subsidy paid out), which the region's own last event does not count,
/// so a reader that goes on from `position` (the feed) neither misses an event nor
/// counts one twice.
pub fn region_month_report(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
    month: Month,
) -> Result<RegionMonthReport, ReportError> {
    let (mut report, head) = read_at_head(store, || {
        region_month_report_unchecked(store, region, month)
    })?;
    report.position = head;
    Ok(report)
}

/// How many times [`read_at_head`] reads before it gives up on an exact position.
pub const HEAD_READS_MAX: u32 = 8;

/// `read` of state rows, and the log position it reflects: the head, read before and
/// after it. An append that lands between the two reads (only under a running
/// server: a command-line reader holds the store's lock) makes it read again, at most
/// [`HEAD_READS_MAX`] times; after that the position is the head read first, and the
/// rows may include an event or two after it (logged).
pub fn read_at_head<T, E: From<StoreError>>(
    store: &(impl ReadStore + ?Sized),
    mut read: impl FnMut() -> Result<T, E>,
) -> Result<(T, u64), E> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let head = store.head()?.0;
        let value = read()?;
        let head_after = store.head()?.0;
        if head_after == head {
            return Ok((value, head));
        }
        if attempts == HEAD_READS_MAX {
            tracing::warn!(
                head,
                head_after,
                "state rows were read while appends kept landing: they may include events after the position given"
            );
            return Ok((value, head));
        }
    }
}

/// The report from the rows as they are now, its `position` the region's own last
/// event: [`region_month_report`] sets it.
fn region_month_report_unchecked(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
    month: Month,
) -> Result<RegionMonthReport, ReportError> {
    let Some(row) = store.read_state(&StateKey::Region(region.clone()))? else {
        return Err(ReportError::UnknownRegion(region.to_string()));
    };
    let state = decode_region_row(&row)?;
    let first_month = state.policies.keys().next().copied();
    let none_closed = first_month.is_none_or(|first| state.open_month <= first);
    if let Some(first_month) = first_month.filter(|first| month < *first) {
        return Err(ReportError::BeforeRegion {
            region: region.to_string(),
            month,
            first_month,
            none_closed,
        });
    }
    if month >= state.open_month {
        return Err(ReportError::NotClosed {
            region: region.to_string(),
            month,
            open_month: state.open_month,
            none_closed,
        });
    }
    if let Some(closing) = read_closing(store, region)? {
        // A consequence (an automatic withdrawal, R11) changes months from the
        // oldest arrears on: those months' figures move until the close is recorded.
        // A run of arrears outlived the closes before this one under their own grace,
        // which may be longer than this month's: the largest grace of any policy up to
        // the closed month bounds it (a probe's region lowered its grace from 3 to 1
        // and read January "arrears" mid-close, "lapsed" after).
        let grace_months = state
            .policies
            .range(..=closing.month)
            .map(|(_, policy)| policy.grace_months)
            .max()
            .unwrap_or(state.policy_for(closing.month).grace_months);
        let grace_months = i64::from(grace_months);
        // OK because a clamped month only widens what is refused: no month lies
        // before Month::FIRST, so "from 1990-01" is "from every month".
        let moving_from = closing.month.plus(-grace_months);
        // A region has no month before its first policy's (R1).
        let first = first_month.unwrap_or(moving_from);
        let (moving_from, earlier) = (moving_from.max(first), moving_from > first);
        if month >= moving_from {
            return Err(ReportError::CloseInProgress {
                region: region.to_string(),
                month,
                closing: closing.month,
                done: closing.members_done,
                total: closing.members_total,
                moving_from,
                earlier,
            });
        }
    }
    let totals = read_month_totals(store, region, month)?;
    Ok(RegionMonthReport::new(
        region.to_string(),
        month,
        state.open_month,
        state.last_position,
        &totals,
    ))
}

/// A member's current coverage, from the stored state rows (no replay).
pub fn member_coverage(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
    as_of: Option<u64>,
) -> Result<Option<MemberCoverage>, LedgerError> {
    if as_of.is_some() {
        return member_coverage_folded(store, member_id, as_of);
    }
    let Some((member, region)) = read_member_and_region(store, member_id)? else {
        return no_row_means_no_member(store, member_id);
    };
    Ok(Some(crate::domain::coverage::member_coverage(
        &region, &member,
    )))
}

/// That a member with no state row has no events either: `Ok` if so, damage if its
/// stream has events (`no_row_means_no_member`), for a route that read the rows itself.
pub fn no_member_without_a_row(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
) -> Result<(), LedgerError> {
    no_row_means_no_member(store, member_id).map(|_| ())
}

/// A member with events has a state row, written in the same atomic append as its
/// first event: a row missing beside a stream that has events is damage, never "no
/// such member" (a store that lost a row must not say a member was never enrolled).
/// Costs one stream lookup, on a miss only.
fn no_row_means_no_member(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
) -> Result<Option<MemberCoverage>, LedgerError> {
    match first_member_event(store, member_id)? {
        None => Ok(None),
        Some(first) => Err(StoreError::Corrupt {
            position: first.position,
            message: findings::member_row_missing(member_id, first.position),
        }
        .into()),
    }
}

/// `(as_of, head)` when `as_of` names a position beyond the log's head, `None` when
/// that position is written (or no position is named). What the log will hold after
/// its head is not known yet, so an answer "as of" it would change as events arrive:
/// the readers refuse such a position and say where the log ends (D66).
pub fn as_of_beyond_head(
    store: &(impl ReadStore + ?Sized),
    as_of: Option<u64>,
) -> Result<Option<(u64, u64)>, LedgerError> {
    let Some(position) = as_of else {
        return Ok(None);
    };
    let (head, _) = store.head()?;
    Ok((position > head).then_some((position, head)))
}

/// The head event's `recorded_at`, the earliest time the next append may record
/// (D67); the earliest time there is for an empty log.
fn head_recorded_at(
    store: &(impl ReadStore + ?Sized),
    head: u64,
) -> Result<DateTime<Utc>, LedgerError> {
    if head == 0 {
        return Ok(DateTime::<Utc>::MIN_UTC);
    }
    match store.read_log(head).next() {
        Some(envelope) => Ok(envelope?.recorded_at),
        None => Err(corrupt(head, findings::log_short(head - 1, head))),
    }
}

/// A member's coverage folded from the store's events up to `as_of` (inclusive; `None`
/// = everything). Reads only the member's stream and its region's stream
/// ([`member_events`], which the audit tools' history reads too).
pub fn member_coverage_folded(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
    as_of: Option<u64>,
) -> Result<Option<MemberCoverage>, LedgerError> {
    let Some((_, events)) = member_events(store, member_id, as_of.unwrap_or(u64::MAX))? else {
        return Ok(None);
    };
    coverage_of(&events, member_id)
}

/// A member's coverage folded from `events` (its stream and its region's, in log order).
fn coverage_of(
    events: &[Envelope],
    member_id: Uuid,
) -> Result<Option<MemberCoverage>, LedgerError> {
    let mut state = LedgerState::default();
    for envelope in events {
        state.apply(envelope.position, &envelope.event)?;
    }
    Ok(crate::domain::coverage(&state, member_id))
}

/// A member's coverage folded from exactly the events at positions 1..=`position`, as
/// a log cut there holds them: nothing recorded after it, not even a close's
/// consequences the ledger acted on (D64 shows those in an "as of" view). What a
/// backup of that log proves (`restore` folds its events and nothing else): a backup
/// taken while `serve` records a close's chunks would otherwise prove coverage with
/// consequences its own events do not hold. `position` must end a command (a backup's
/// is the head of an append), so no command is cut (D18).
pub fn member_coverage_recorded(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
    position: u64,
) -> Result<Option<MemberCoverage>, LedgerError> {
    let member = read_stream_until(store, &StreamId::Member(member_id), position)?.until;
    let Some(first) = member.first() else {
        return Ok(None);
    };
    let region = read_stream_until(store, &StreamId::Region(enrolled_region(first)?), position)?;
    let mut events: Vec<Envelope> = member.into_iter().chain(region.until).collect();
    events.sort_by_key(|envelope| envelope.position);
    coverage_of(&events, member_id)
}

/// A member's stream and its region's, merged in log order, up to `position_max`
/// (inclusive; a cut inside one command's events takes the rest of them, D18):
/// everything the member's coverage is folded from. The region stream
/// holds the policies (R3) and month closes (R1, R9) without which no month has a
/// price or a status; other members' events never change this member's coverage, so
/// they are not read. `None` if the member has no event up to `position_max`.
pub fn member_events(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
    position_max: u64,
) -> Result<Option<(RegionName, Vec<Envelope>)>, LedgerError> {
    let member_cut = read_stream_until(store, &StreamId::Member(member_id), position_max)?;
    let Some(first) = member_cut.until.first() else {
        return Ok(None);
    };
    let region = enrolled_region(first)?;
    let region_cut = read_stream_until(store, &StreamId::Region(region.clone()), position_max)?;
    // A cut inside one command's events (a withdrawal and the refund recorded with it;
    // a month close and the consequences appended with it) takes the rest of them in
    // both streams: they were appended together, and the ledger never passed through a
    // state between them (D18). The event at the cut names the command (it may be
    // another member's: a close's consequences are appended member by member).
    let cut_command = match store.read_log(position_max).next() {
        Some(envelope) => Some(envelope?.command_id),
        None => None,
    };
    let mut events = Vec::new();
    let mut member_after = Vec::new();
    for (cut, is_member) in [(member_cut, true), (region_cut, false)] {
        events.extend(cut.until);
        if cut.after.first().map(|first| first.command_id) == cut_command {
            events.extend(cut.after);
        } else if is_member {
            member_after = cut.after;
        }
    }
    // A close recorded at or before the cut implies this member's consequences (the
    // closed month missed, and the automatic withdrawal it may bring: R9-R11), which
    // its chunk may record after the cut, under another command (D17). No command and
    // no projection is ever decided on a state without them (the writer records a
    // member's before anything else of it), so the cut takes them (D18, D64): a member
    // "as of" a close is not shown with more arrears than the grace and still enrolled.
    // Only the last close can still be recording its chunks (a second close of the
    // region first finishes the one in progress).
    let last_closed = events
        .iter()
        .rev()
        .find_map(|envelope| match &envelope.event {
            Event::MonthClosed(closed) => Some(closed.month),
            _ => None,
        });
    let implied = match (last_closed, member_after.first().map(|first| &first.event)) {
        (Some(month), Some(Event::ContributionMissed(missed))) if missed.month == month => {
            1 + member_after[1..]
                .iter()
                .take(1)
                .filter(|envelope| is_automatic_withdrawal(&envelope.event))
                .count()
        }
        _ => 0,
    };
    events.extend(member_after.into_iter().take(implied));
    events.sort_by_key(|envelope| envelope.position);
    Ok(Some((region, events)))
}

/// The region a member's stream begins in: its first event is its enrollment, or the
/// stream is damaged.
fn enrolled_region(first: &Envelope) -> Result<RegionName, LedgerError> {
    match &first.event {
        Event::MemberEnrolled(enrolled) => Ok(enrolled.region.clone()),
        _ => Err(StoreError::Corrupt {
            position: first.position,
            message: findings::member_stream_start(),
        }
        .into()),
    }
}

/// Whether `event` is an automatic withdrawal (R11): what a close records right after
/// a member's missed month when the run is then beyond the grace.
fn is_automatic_withdrawal(event: &Event) -> bool {
    matches!(event, Event::MemberWithdrawn(withdrawn)
        if withdrawn.reason == crate::domain::command::WithdrawalReason::ArrearsExceededGrace)
}

/// Where a member's history begins: its first event's position and when it was
/// recorded. A cut before it (`as_of`, `--as-of-time`) finds nothing to fold though
/// the id is right, and saying where the history begins tells the reader both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstEvent {
    pub position: u64,
    pub recorded_at: DateTime<Utc>,
}

/// The member's first event, or `None` for a member with no events at all: what
/// tells "no events yet at this point" from "no such member" when a cut finds none.
pub fn first_member_event(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
) -> Result<Option<FirstEvent>, LedgerError> {
    let first = store.read_stream(&StreamId::Member(member_id)).next();
    Ok(first.transpose()?.map(|envelope| FirstEvent {
        position: envelope.position,
        recorded_at: envelope.recorded_at,
    }))
}

/// A stream's events up to `position_max` (inclusive).
fn read_stream_until(
    store: &(impl ReadStore + ?Sized),
    stream: &StreamId,
    position_max: u64,
) -> Result<StreamCut, StoreError> {
    let mut kept = StreamCut::default();
    for envelope in store.read_stream(stream) {
        let envelope = envelope?;
        if envelope.position <= position_max {
            kept.until.push(envelope);
        } else if kept
            .after
            .first()
            .is_none_or(|first| first.command_id == envelope.command_id)
        {
            kept.after.push(envelope);
        } else {
            break;
        }
    }
    Ok(kept)
}

/// A stream cut at a position: its events up to it, and the one command's events that
/// follow it in the stream (those the cut takes if it fell inside that command).
#[derive(Default)]
struct StreamCut {
    until: Vec<Envelope>,
    after: Vec<Envelope>,
}

/// What `verify` found in a clean store.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub events: u64,
    pub streams: u64,
    pub members: u64,
    pub head_hash: Sha256,
    /// The format of state rows that were not compared with the fold because another
    /// build wrote them (D89: a PostgreSQL store read while its writer runs an older or
    /// newer build; that writer's next open of this build rebuilds them). Absent when
    /// every row was compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_rows_format: Option<u32>,
}

/// Walks the whole store: every event's hash and both chains, every stream index,
/// every command's span, and every state row against a fresh fold of the log. The
/// first problem is returned as an error naming its position.
pub fn verify(
    store: &(impl ReadStore + ?Sized),
    progress: &mut dyn FnMut(u64),
) -> Result<VerifyReport, LedgerError> {
    let mut streams: HashMap<String, StreamSeen> = HashMap::new();
    let mut folder = Folder::default();
    let (mut head_hash, mut last_position) = (Sha256::ZERO, 0);
    let mut runs = CommandRuns::default();
    // The canonical form and the command records are checked on the reading threads,
    // reported here in order.
    let prepare = |chunk| prepare_to_verify(store, chunk);
    read_log_ahead(store, prepare, &mut |(envelope, reproduced, record)| {
        let seen = streams.entry(envelope.stream.clone()).or_default();
        if envelope.version != seen.version + 1 || envelope.stream_prev_hash != seen.hash {
            let found = findings::stream_discontinued(&envelope.stream, seen.version);
            return Err(corrupt(envelope.position, found));
        }
        if !reproduced {
            let found = findings::hash_not_reproducible();
            return Err(corrupt(envelope.position, found));
        }
        seen.version = envelope.version;
        seen.hash = envelope.hash;
        seen.positions = positions_digest(seen.positions, envelope.position);
        runs.see(&envelope, record)?;
        folder.apply(envelope.position, &envelope.event)?;
        (head_hash, last_position) = (envelope.hash, envelope.position);
        progress(envelope.position);
        Ok(())
    })?;
    let commands_in_log = runs.finish()?;
    // Every command of the log has its record (checked above); a record more would
    // answer a new command as a "duplicate" of one that never happened.
    let records = store.command_ids()?.len() as u64;
    if records != commands_in_log {
        let found = findings::command_records_counted(records, commands_in_log);
        return Err(corrupt(0, found));
    }
    check_stream_index(store, &mut streams)?;
    check_feed_rows(store, last_position)?;
    let state = folder.finish()?;
    // Rows another build wrote are that build's fold, not this one's: compared, every
    // one would differ, and the store would be marked damaged when it is not (D89).
    // Only a reader meets them: every writer's open rebuilds them. Rows of another
    // format that reflect another position are still named (the checkpoint differs).
    let state_rows_format = read_checkpoint(store)?
        .filter(|(position, format)| *position == state.position && *format != STATE_FORMAT_VERSION)
        .map(|(_, format)| format);
    match state_rows_format {
        Some(format) => tracing::warn!(
            format,
            current = STATE_FORMAT_VERSION,
            "the state rows were written by another build's format: the log was checked, the rows were not compared"
        ),
        None => check_state_rows(store, &state)?,
    }
    // A checkpoint this ledger signed covers no more events than its log holds: a log
    // cut short together with everything derived from it (a PostgreSQL store rewritten
    // below the ledger, its `head` row included, has no other witness) was "ok" here
    // and only `flexledger-audit verify` said so (found by a probe of the PostgreSQL
    // engine). Sizes only: the signatures are the audit tools' to check.
    if let Some((size, _)) = store.audit_checkpoints()?.last() {
        if *size > state.position {
            let found = findings::checkpoint_beyond_log(*size, state.position);
            return Err(corrupt(state.position + 1, found));
        }
    }
    Ok(VerifyReport {
        ok: true,
        events: state.position,
        streams: streams.len() as u64,
        members: state.members.len() as u64,
        head_hash,
        state_rows_format,
    })
}

/// What `verify` saw of one stream in the log, and then in the stream index.
#[derive(Default)]
struct StreamSeen {
    /// The stream's last version and hash in the log.
    version: u64,
    hash: Sha256,
    /// `positions_digest` of the positions of its events, in version order.
    positions: u64,
    /// Entries of the index read so far, and their `positions_digest`.
    indexed: u64,
    indexed_positions: u64,
}

/// A digest of a run of log positions, extended by `position`: equal for two runs
/// read in the same order exactly when the runs are (but for a 2^-64 chance). The
/// stream index is derived data, checked here against the log it derives from; the
/// events themselves are covered by the hash chains.
fn positions_digest(digest: u64, position: u64) -> u64 {
    // SplitMix64's finalizer over the digest so far and the position.
    let mut x = digest.rotate_left(17) ^ position.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The stream and version the stream index holds `position` as, if it holds it: for a
/// finding at an event whose own bytes cannot be trusted, the member (or region) it
/// concerns, by a record kept apart from the damaged entry (an auditor's probe was told
/// "position 6" and could find out no more: the log's readers stop at the damage).
/// One pass over the index, on damage only; `None` where the index too is unreadable.
pub fn stream_indexed_at(
    store: &(impl ReadStore + ?Sized),
    position: u64,
) -> Option<(String, u64)> {
    if position == 0 {
        return None;
    }
    store
        .stream_index()
        .map_while(Result::ok)
        .find(|entry| entry.position == position)
        .map(|entry| (entry.stream, entry.version))
}

/// Coverage changes `check_feed_rows` reads at a time.
const FEED_ROWS_PAGE_ITEMS: usize = 4096;

/// Every stored feed item (a coverage change) reads back and decodes, at a position
/// the log holds: the feed reads them for each subscriber catching up, and a probe
/// (2026-12-06) saw a damaged one end every catch-up across it while both `verify`s
/// said ok. The items are not derived again here (a restored ledger has none before
/// its restore, D33), only read.
///
/// A finding here is at position 0: a feed item is no event, and the event at its
/// position is intact (naming that position would send a reader to it, and to its
/// stream by the index). The items must come in their key order, (position, member),
/// each after the one before: the next page starts after the last item's, so an item
/// edited to say an earlier one would be read again, or another skipped. Items at the
/// head plus one are no damage: a month close writes its items there ahead of its
/// append (D90), which a stop may never have let come.
fn check_feed_rows(store: &(impl ReadStore + ?Sized), head: u64) -> Result<(), LedgerError> {
    let (mut position, mut after): (u64, Option<uuid::Uuid>) = (0, None);
    loop {
        let rows = store.coverage_changes_page(position, after, 0, FEED_ROWS_PAGE_ITEMS)?;
        for row in &rows {
            let change = crate::codec::rows::decode_coverage_item(row)
                .map_err(|error| corrupt(0, findings::coverage_change_undecodable(error)))?;
            let in_order = (change.position, Some(change.member_id)) > (position, after);
            // Items at the head plus one were written ahead of a month close's append
            // that did not come (yet): no reader serves them, and the writer removes
            // them when it opens (`LogWriter::write_items_ahead`).
            if change.position == head + 1 && in_order {
                (position, after) = (change.position, Some(change.member_id));
                continue;
            }
            if change.position == 0 || change.position > head || !in_order {
                let found =
                    findings::coverage_change_misplaced(change.member_id, change.position, head);
                return Err(corrupt(0, found));
            }
            (position, after) = (change.position, Some(change.member_id));
        }
        if rows.len() < FEED_ROWS_PAGE_ITEMS {
            return Ok(());
        }
    }
}

/// Every stream's index, read in one pass, holds exactly the positions at which the
/// log holds the stream's events, in version order.
fn check_stream_index(
    store: &(impl ReadStore + ?Sized),
    streams: &mut HashMap<String, StreamSeen>,
) -> Result<(), LedgerError> {
    for entry in store.stream_index() {
        let entry = entry?;
        let Some(seen) = streams.get_mut(&entry.stream) else {
            let found = findings::index_stray_stream(&entry.stream);
            return Err(corrupt(entry.position, found));
        };
        if entry.version != seen.indexed + 1 {
            let found = findings::index_version_after(&entry.stream, entry.version, seen.indexed);
            return Err(corrupt(entry.position, found));
        }
        seen.indexed = entry.version;
        seen.indexed_positions = positions_digest(seen.indexed_positions, entry.position);
    }
    for (name, seen) in streams.iter() {
        if seen.indexed != seen.version {
            let found = findings::index_count(name, seen.version, seen.indexed);
            return Err(corrupt(0, found));
        }
        if seen.indexed_positions != seen.positions {
            return Err(corrupt(0, findings::index_positions(name)));
        }
    }
    Ok(())
}

/// A command record read by a log reader: the span the store has for a command id.
type RecordRead = Result<Option<CommandSpan>, StoreError>;

/// What `verify` checks of a chunk of the log on a reading thread: whether each
/// envelope's canonical bytes reproduce its hash, and the command record of each run
/// that begins in the chunk, read in one call for the chunk (on PostgreSQL one round
/// trip, where a call per command took most of `verify`'s time); if that call fails,
/// each run's record is read alone, so that a failure is reported at its run.
fn prepare_to_verify(
    store: &(impl ReadStore + ?Sized),
    chunk: Vec<(Envelope, bool)>,
) -> Vec<(Envelope, bool, Option<RecordRead>)> {
    let starting: Vec<Uuid> = chunk
        .iter()
        .filter(|(_, starts_run)| *starts_run)
        .map(|(envelope, _)| envelope.command_id)
        .collect();
    // A failure that is not damage (a role without SELECT on the records, a lost
    // connection) is the chunk's first run's: read alone, each record met the batch's
    // failure in another guise (on PostgreSQL, a transaction the failure aborted: a
    // probe was told "current transaction is aborted" where SELECT had been denied).
    let (records, mut failure) = match store.command_spans(&starting) {
        Ok(records) => (Some(records), None),
        // Read alone, a damaged record is named at its own run.
        Err(StoreError::Corrupt { .. }) => (None, None),
        Err(error) => (None, Some(error)),
    };
    chunk
        .into_iter()
        .map(|(envelope, starts_run)| {
            let reproduced = Sha256::of(&envelope.canonical_bytes()) == envelope.hash;
            let record = starts_run.then(|| match (&records, failure.take()) {
                (_, Some(error)) => Err(error),
                (Some(records), None) => Ok(records.get(&envelope.command_id).copied()),
                (None, None) => store.command_span(envelope.command_id),
            });
            (envelope, reproduced, record)
        })
        .collect()
}

/// The runs of consecutive events of one command in the log, as `verify` reads it,
/// each checked against the command record its readers read at its first event.
#[derive(Default)]
struct CommandRuns {
    /// The run being read: its command, first position, events so far, and record.
    run: Option<(Uuid, u64, u64, RecordRead)>,
    /// Runs finished and checked.
    checked: u64,
}

impl CommandRuns {
    /// Counts `envelope` into its command's run, checking the run before when this
    /// one begins (`record`: what the reader read for it, `None` when it continues the
    /// run it read before).
    fn see(&mut self, envelope: &Envelope, record: Option<RecordRead>) -> Result<(), LedgerError> {
        if let Some((command_id, _, count, _)) = self.run.as_mut() {
            if *command_id == envelope.command_id {
                *count += 1;
                return Ok(());
            }
        }
        self.check_run()?;
        // OK because a reader reads the record wherever the command differs from the
        // envelope before, and at the first envelope of each stretch.
        let record = record.expect("a run's first envelope comes with its command record");
        self.run = Some((envelope.command_id, envelope.position, 1, record));
        Ok(())
    }

    /// Checks the last run; returns the number of runs (commands) in the log.
    fn finish(mut self) -> Result<u64, LedgerError> {
        self.check_run()?;
        Ok(self.checked)
    }

    fn check_run(&mut self) -> Result<(), LedgerError> {
        let Some((command_id, first, count, record)) = self.run.take() else {
            return Ok(());
        };
        check_command_record(command_id, (first, count), record?)?;
        self.checked += 1;
        Ok(())
    }
}

/// That the record of `command_id` (`span`) names its `count` events from `first` on,
/// the record a duplicate is answered from: damage naming the command if not.
pub fn check_command_record(
    command_id: Uuid,
    (first, count): (u64, u64),
    span: Option<CommandSpan>,
) -> Result<(), LedgerError> {
    let names_them =
        span.is_some_and(|span| span.first_position == first && span.event_count == count);
    if !names_them {
        let found = findings::command_record_mismatch(command_id, (first, count), span);
        return Err(corrupt(first, found));
    }
    Ok(())
}

fn check_state_rows(store: &(impl ReadStore + ?Sized), state: &Folded) -> Result<(), LedgerError> {
    match state_row_differences(store, state, 1)?.into_iter().next() {
        None => Ok(()),
        Some(difference) => Err(corrupt(
            difference.position,
            findings::state_differs(difference.row),
        )),
    }
}

/// A stored state row that differs from a fresh fold of the log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StateDifference {
    /// The position of the last event that shaped the row.
    pub position: u64,
    /// The row, in English (`row`'s).
    pub what: String,
    /// The row as a sentence of the catalog (`findings::row_*`), which `verify`'s
    /// finding says in the reader's language.
    #[serde(skip)]
    pub row: crate::i18n::Sentence,
}

impl StateDifference {
    /// The difference of `row` (a `findings::row_*` sentence), shaped last at `position`.
    pub fn new(position: u64, row: crate::i18n::Sentence) -> StateDifference {
        StateDifference {
            position,
            what: row.to_string(),
            row,
        }
    }
}

/// Up to `limit` state rows that differ from `state` (a fresh fold of the log). The
/// member rows, most of the reading, are compared on a second thread meanwhile (this
/// runs after the fold, when the other core is idle); they are listed last, as when
/// one thread compared everything.
pub fn state_row_differences(
    store: &(impl ReadStore + ?Sized),
    state: &Folded,
    limit: usize,
) -> Result<Vec<StateDifference>, LedgerError> {
    let (differences, member_differences) = std::thread::scope(|scope| {
        let members = scope.spawn(|| {
            let mut differences = Vec::new();
            let listed =
                member_row_differences(store, state, &mut listing(&mut differences, limit));
            listed.map(|()| differences)
        });
        let others = other_row_differences(store, state, limit);
        // A thread that panicked is a broken invariant: crash here too.
        let members = members
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (others, members)
    });
    let mut differences = differences?;
    differences.extend(member_differences?);
    differences.truncate(limit);
    Ok(differences)
}

/// A `differ` that lists each difference in `differences` while fewer than `limit` are.
fn listing(
    differences: &mut Vec<StateDifference>,
    limit: usize,
) -> impl FnMut(u64, crate::i18n::Sentence) + '_ {
    move |position, row| {
        if differences.len() < limit {
            differences.push(StateDifference::new(position, row));
        }
    }
}

/// Up to `limit` rows other than the members' that differ from `state`: the
/// checkpoint, regions, member indexes, month totals and summaries, and member rows
/// the fold does not have.
fn other_row_differences(
    store: &(impl ReadStore + ?Sized),
    state: &Folded,
    limit: usize,
) -> Result<Vec<StateDifference>, LedgerError> {
    let mut differences = Vec::new();
    let mut differ = listing(&mut differences, limit);
    if let Some(difference) = checkpoint_difference(store, state)? {
        differ(difference.position, difference.row);
    }
    for region in state.regions.values() {
        let stored = store.read_state(&StateKey::Region(region.name.clone()))?;
        if stored.map(|row| crate::codec::rows::decode_region_row(&row).ok())
            != Some(Some(region.clone()))
        {
            differ(region.last_position, findings::row_region(&region.name));
        }
        let indexes = [
            (MemberIndex::Enrolled, &state.enrolled_by_region),
            (MemberIndex::Granted, &state.granted_by_region),
        ];
        for (index, folded) in indexes {
            let stored = store.members_page(index, &region.name, None, usize::MAX)?;
            let stored: BTreeSet<Uuid> = stored.into_iter().collect();
            if Some(&stored) != folded.get(&region.name).or(Some(&BTreeSet::new())) {
                differ(
                    region.last_position,
                    findings::row_index(index, &region.name),
                );
            }
        }
    }
    for ((region, month), totals) in &state.month_totals {
        if read_month_totals(store, region, *month).ok().as_ref() != Some(totals) {
            differ(
                state.regions.get(region).map_or(0, |r| r.last_position),
                findings::row_month_totals(region, *month),
            );
        }
    }
    for (region, summary) in &state.summaries {
        if region_summary(store, region).ok().as_ref() != Some(summary) {
            differ(
                state.regions.get(region).map_or(0, |r| r.last_position),
                findings::row_summary(region),
            );
        }
    }
    for member_id in store.member_row_ids()? {
        if !state.members.contains_key(&member_id) {
            differ(0, findings::row_stray_member(member_id));
        }
    }
    drop(differ);
    Ok(differences)
}

/// The checkpoint row, if it is not the fold's position and this build's format.
fn checkpoint_difference(
    store: &(impl ReadStore + ?Sized),
    state: &Folded,
) -> Result<Option<StateDifference>, StoreError> {
    let checkpoint = read_checkpoint(store)?;
    // An empty log needs no state rows yet (a store created and never written to).
    let empty_and_unwritten = checkpoint.is_none() && state.position == 0;
    let current = checkpoint == Some((state.position, STATE_FORMAT_VERSION));
    Ok((!current && !empty_and_unwritten).then(|| {
        let row = findings::row_checkpoint(checkpoint, state.position);
        StateDifference::new(state.position, row)
    }))
}

/// Calls `differ` for each member whose stored row is missing, unreadable or not the
/// fold's; a page of members per read (one round trip on PostgreSQL, not one each).
fn member_row_differences(
    store: &(impl ReadStore + ?Sized),
    state: &Folded,
    differ: &mut dyn FnMut(u64, crate::i18n::Sentence),
) -> Result<(), StoreError> {
    // In id order: the fold keeps its members in hash order, which changes from run
    // to run, and so did the order `rebuild` and `verify` listed differing members in.
    let mut members: Vec<(&Uuid, &Box<[u8]>)> = state.members.iter().collect();
    members.sort_unstable_by_key(|(member_id, _)| **member_id);
    for page in members.chunks(STATE_COMPARE_PAGE_MEMBERS) {
        let keys: Vec<StateKey> = page.iter().map(|(id, _)| StateKey::Member(**id)).collect();
        for ((member_id, folded), stored) in page.iter().zip(store.read_states(&keys)?) {
            // The same bytes, or rows that decode to the same member.
            if stored.as_deref() == Some(&***folded) {
                continue;
            }
            let folded = decode_member_row(folded).map_err(|message| StoreError::Corrupt {
                position: 0,
                message: findings::folded_undecodable(**member_id, message),
            })?;
            let same = stored
                .and_then(|row| decode_member_row(&row).ok())
                .is_some_and(|stored| stored == folded);
            if !same {
                differ(folded.last_position, findings::row_member(**member_id));
            }
        }
    }
    Ok(())
}

/// What `rebuild` found and did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RebuildReport {
    pub ok: bool,
    pub events: u64,
    pub members: u64,
    pub regions: u64,
    /// Stored rows that differed from the fold before they were replaced (at most
    /// `REBUILD_DIFFERENCES_LISTED_MAX` listed; `rebuilt` module).
    pub differences: Vec<StateDifference>,
}

/// Member rows read at a time when comparing the stored rows with a fold.
const STATE_COMPARE_PAGE_MEMBERS: usize = 1000;

/// Differences `rebuild` lists; it replaces every row regardless.
pub const REBUILD_DIFFERENCES_LISTED_MAX: usize = 100;

/// Rebuilds every state row from the log (with `progress(position)`), reporting the
/// rows that differed, as the engine replaces them (`rebuilt` module). The
/// coverage-change feed rows are kept as they are.
pub fn rebuild_state<S: EventStore>(
    store: &mut S,
    progress: &mut dyn FnMut(u64),
) -> Result<RebuildReport, LedgerError> {
    let state = fold_log(store, progress)?;
    let checkpoint = checkpoint_difference(store, &state)?;
    let mut listing = RebuildListing::new(&state, REBUILD_DIFFERENCES_LISTED_MAX, checkpoint);
    let mut rows = rebuilt_rows(store, &state)?;
    store.replace_state(&mut rows, &mut |row| listing.add(row))?;
    let differences = listing.finish();
    Ok(RebuildReport {
        ok: true,
        events: state.position,
        members: state.members.len() as u64,
        regions: state.regions.len() as u64,
        differences,
    })
}
