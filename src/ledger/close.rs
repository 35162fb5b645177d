//! Month close at any size (D17). A close is recorded as one fact, the region's
//! `MonthClosed`, and then its members' consequences (`ContributionMissed`, automatic
//! `MemberWithdrawn`, R9–R11) in chunks of at most `close_chunk_members` enrolled
//! members, each chunk one atomic append. Memory is bounded by the chunk, not by the
//! region.
//!
//! The invariants that make this equal to one atomic close:
//! - **Nothing is decided on a state that misses a consequence.** Consequences are a
//!   pure function of the member's state and the closed month
//!   (`domain::decide::close_consequences`), idempotent (a month already recorded
//!   missed implies nothing more). Before any command for a member of a region with a
//!   close in progress is decided, the writer records that member's consequences
//!   first (`bring_up_to_date`), in the same append; a second close of the region
//!   first finishes the one in progress.
//! - **Derived rows always equal a fold of the log.** Closing a month changes the
//!   month lines of every visited member without a member event (the open month moves:
//!   an unpaid month becomes arrears, a paid granted month accrues its subsidy). The
//!   region month totals take that change for the whole region in the `MonthClosed`
//!   append (summed while counting: a few rows, not one per member); each chunk then
//!   adds only what its events change. So `verify` passes at any moment of a close.
//! - **Progress is durable and resumable.** A `Closing` row (the region's close in
//!   progress: month, the last member id walked, counts) is written with every chunk
//!   and removed with the last one; a crash resumes after the last durable chunk, and
//!   a member walked twice gets nothing twice.
//! - **Feed items follow the event they describe.** A member's coverage change from a
//!   close is attached to its consequence events' chunk; a member with no consequence
//!   but a change (a granted, paid month accruing) gets its change in the
//!   `MonthClosed` append, as before.

use super::{
    read_member_rows, Appended, AppendingError, Dirty, Ledger, LedgerError, Sources, Stepped,
    LEDGER_RECORD_DIGEST, STATE_CACHE_MEMBERS_MAX,
};
use crate::codec::rows::{self, encode_coverage_item};
use crate::domain::command::CloseMonth;
use crate::domain::coverage::{
    agree_outside, lines_touched, lines_touched_by_close, month_changes, month_lines,
    month_lines_in, CoverageChanged,
};
use crate::domain::decide::{close_consequences, month_closed, CloseTally};
use crate::domain::month::Month;
use crate::domain::policy::RegionName;
use crate::domain::state::{MemberState, RegionState};
use crate::domain::Event;
use crate::store::coverage_rows::CoverageItem;
use crate::store::{CommandRecord, EventStore, MemberIndex, ReadStore, StateKey, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Enrolled members whose consequences one chunk of a month close records (one
/// atomic append of at most twice as many events): members with a consequence (a
/// missed month, an automatic withdrawal); those with none are passed over, so a close
/// where every member paid is one chunk, and one progress notice on the feed. A close
/// resumed after a restart (no list of those members kept) walks the rest of the
/// region's enrolled members, this many at a time.
pub const CLOSE_CHUNK_MEMBERS_MAX: usize = 1000;
/// Member ids read from a region's index at a time while counting a close.
const CLOSE_COUNT_PAGE_MEMBERS: usize = 4096;
/// Members with consequences a close keeps in memory for its chunks (`CloseWork`,
/// 24 bytes each: 24 MB at most); a close that finds more lets its chunks walk every
/// enrolled member instead.
pub const CLOSE_WORK_MEMBERS_MAX: usize = 1_000_000;

/// The members a close found with consequences when it was recorded, in id order,
/// each with its ordinal among the enrolled members it walked: its chunks visit these
/// instead of reading and decoding every enrolled member a second time (most members
/// of a region pay on time and get none). Kept in memory only: a close resumed after
/// a restart, or rechecked after a rebuild, walks every enrolled member.
///
/// Skipping the others is exact because a member with no consequence when the close
/// is recorded never gets one later: it paid the month, or the month is outside its
/// period, or it was recorded missed (commands only reach the open month or later,
/// R5, and a withdrawal takes the member out of the walk). Debug builds check each
/// skipped member (`check_skipped`).
#[derive(Debug)]
pub(crate) struct CloseWork {
    month: Month,
    close_position: u64,
    members: WorkMembers,
    /// How many of `members` chunks have visited.
    next: usize,
}

/// The members one chunk visits.
struct ChunkMembers {
    ids: Vec<Uuid>,
    finished: bool,
    /// Enrolled members walked once the chunk is recorded: one more per member
    /// visited on a page of the index; through the last one visited (or all of them)
    /// from a `CloseWork`, which skips members.
    members_done: u64,
}

/// Coverage changes a close writes ahead of its `MonthClosed` append at a time
/// (`ItemsAhead`): a few hundred KiB.
pub const CLOSE_ITEMS_AHEAD_BATCH_MAX: usize = 1024;

/// The coverage changes of a close's `MonthClosed` (per member that gets no
/// consequence, its months whose status, benefits or money the close changed: a
/// granted, paid month accrues, R16), written to the store ahead of that append
/// `CLOSE_ITEMS_AHEAD_BATCH_MAX` at a time, in member id order, instead of held for
/// it: a close of 1,000,000 granted members who all paid held them all and peaked at
/// 1,337–1,376 MiB in two runs (2026-12-06, D90).
struct ItemsAhead {
    region: RegionName,
    /// Where the `MonthClosed` will be: the head plus one.
    position: u64,
    command_id: Uuid,
    batch: Vec<CoverageChanged>,
    /// Items written at a time (`Ledger::close_items_ahead_batch`).
    batch_max: usize,
    /// The member of the last item written (none yet: `None`): each batch comes
    /// after it (key order).
    last_written: Option<Uuid>,
}

/// Members a close found with consequences, each with its ordinal in the close's walk
/// (`CloseWork`).
type WorkMembers = Vec<(Uuid, u64)>;

/// A recorded month close whose members' consequences are still being recorded: the
/// `Closing` state row. Not derived from the log (a fold cannot tell how far the
/// chunks got, only that each consequence is recorded once), so `verify` does not
/// compare it and a rebuild keeps it. Its stored form is `codec::rows::Closing`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closing {
    pub region: RegionName,
    /// The closed month (the region's open month is the next one).
    pub month: Month,
    /// Position of the close's `MonthClosed` (0 for a recheck after a rebuild).
    pub close_position: u64,
    /// The last enrolled member walked, in id order (`None`: none yet).
    pub after: Option<Uuid>,
    /// Enrolled members walked so far.
    pub members_done: u64,
    /// Enrolled members when the close was recorded (0 when unknown: a recheck).
    pub members_total: u64,
    /// Consequences recorded so far (by the walk or brought forward for a member).
    pub missed_recorded: u64,
    pub withdrawn_recorded: u64,
    /// Written by a rebuild for a region's last close when the fold finds a member
    /// that still has a consequence of it: the log alone cannot say whether that
    /// close's chunks all landed (a backup taken mid-close), so the walk runs again and
    /// records only what is missing.
    pub recheck: bool,
}

impl Closing {
    /// The row a rebuild writes for a region whose last close, of `month`, may be
    /// unfinished.
    pub fn recheck(region: &RegionState, month: Month) -> Closing {
        Closing {
            region: region.name.clone(),
            month,
            close_position: 0,
            after: None,
            members_done: 0,
            members_total: 0,
            missed_recorded: 0,
            withdrawn_recorded: 0,
            recheck: true,
        }
    }
}

impl From<&Closing> for rows::Closing {
    fn from(value: &Closing) -> rows::Closing {
        rows::Closing {
            region: value.region.clone(),
            month: value.month,
            close_position: value.close_position,
            after: value.after,
            members_done: value.members_done,
            members_total: value.members_total,
            missed_recorded: value.missed_recorded,
            withdrawn_recorded: value.withdrawn_recorded,
            recheck: value.recheck,
        }
    }
}

impl From<rows::Closing> for Closing {
    fn from(value: rows::Closing) -> Closing {
        Closing {
            region: value.region,
            month: value.month,
            close_position: value.close_position,
            after: value.after,
            members_done: value.members_done,
            members_total: value.members_total,
            missed_recorded: value.missed_recorded,
            withdrawn_recorded: value.withdrawn_recorded,
            recheck: value.recheck,
        }
    }
}

/// A `Closing` row (`codec::rows`).
pub fn encode_closing(closing: &Closing) -> Vec<u8> {
    rows::encode_closing_row(&rows::Closing::from(closing))
}

/// The region as it was before `month` closed: only the open month differs, and
/// month lines read nothing else of it.
fn region_before(region: &RegionState, month: Month) -> RegionState {
    let mut before = region.clone();
    before.open_month = month;
    before
}

/// One chunk's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseProgress {
    pub closing: Closing,
    /// Whether this chunk finished the close.
    pub finished: bool,
}

impl<S: EventStore> Ledger<S> {
    /// Closes in progress, by region.
    pub fn closes_in_progress(&self) -> impl Iterator<Item = &Closing> {
        self.closings.values()
    }

    /// Records the next chunk of the first close in progress, if any: one atomic,
    /// durable append. Answers with its progress and what it appended (`Stepped`).
    pub fn close_step(&mut self, sources: &mut dyn Sources) -> Result<Stepped, AppendingError> {
        self.collecting(|ledger| ledger.next_close_chunk(sources))
            .map(|(progress, appended)| Stepped { progress, appended })
    }

    /// `close_step`'s work.
    fn next_close_chunk(
        &mut self,
        sources: &mut dyn Sources,
    ) -> Result<Option<CloseProgress>, LedgerError> {
        let Some(region) = self.closings.keys().next().cloned() else {
            return Ok(None);
        };
        self.close_chunk(&region, sources).map(Some)
    }

    /// Records every close in progress to the end (bounded memory: chunk by chunk,
    /// unless what is appended is kept: `set_keep_appended`), and answers with what it
    /// appended.
    pub fn finish_closes(&mut self, sources: &mut dyn Sources) -> Result<Appended, AppendingError> {
        self.collecting(|ledger| ledger.record_closes_to_end(sources))
            .map(|((), appended)| appended)
    }

    /// `finish_closes`'s work (and `submit`'s, when closes are not left to the caller).
    pub(super) fn record_closes_to_end(
        &mut self,
        sources: &mut dyn Sources,
    ) -> Result<(), LedgerError> {
        while self.next_close_chunk(sources)?.is_some() {}
        Ok(())
    }

    /// Finishes the close in progress in `region`, if any (before another close of it).
    pub(super) fn finish_close_of(
        &mut self,
        region: &RegionName,
        sources: &mut dyn Sources,
    ) -> Result<(), LedgerError> {
        while self.closings.contains_key(region) {
            self.close_chunk(region, sources)?;
        }
        Ok(())
    }

    /// Records the next chunk of `region`'s close and appends it with its progress.
    fn close_chunk(
        &mut self,
        region: &RegionName,
        sources: &mut dyn Sources,
    ) -> Result<CloseProgress, LedgerError> {
        if self.poisoned {
            return Err(LedgerError::Poisoned);
        }
        // OK because callers pass a region taken from `closings`.
        let mut closing = self
            .closings
            .get(region)
            .cloned()
            .expect("a close in progress");
        let chunk = self.chunk_members(&closing)?;
        let (page, finished) = (chunk.ids, chunk.finished);
        let recorded_at = self.stamp(sources);
        let mut dirty = Dirty::default();
        let mut record = CommandRecord {
            command_id: sources.new_id(),
            envelopes: Vec::new(),
            body_digest: Some(LEDGER_RECORD_DIGEST),
        };
        let mut changes = Vec::new();
        self.load_members(&page)?;
        for member_id in &page {
            // A failure after the first member's events were applied leaves the state
            // ahead of the log.
            self.load_member(*member_id)
                .and_then(|()| {
                    self.record_consequences(
                        *member_id,
                        &closing,
                        recorded_at,
                        sources,
                        &mut record,
                        &mut dirty,
                    )
                })
                .inspect_err(|_| self.poisoned = true)
                .map(|change| changes.extend(change))?;
            closing.after = Some(*member_id);
        }
        closing.members_done = chunk.members_done;
        let position = self.state.position;
        for (member_id, months) in changes {
            dirty.coverage.push(CoverageChanged {
                member_id,
                position,
                command_id: record.command_id,
                months,
            });
        }
        count_recorded(&mut closing, &record);
        if finished {
            self.closings.remove(region);
            self.close_work.remove(region);
        } else {
            self.closings.insert(region.clone(), closing.clone());
        }
        dirty.closings.insert(region.clone());
        let mut records = if record.envelopes.is_empty() {
            Vec::new()
        } else {
            vec![record]
        };
        self.append_records(&mut records, &dirty)?;
        log_chunk_recorded(&closing, finished);
        if let Some(hook) = &mut self.after_close_chunk {
            hook();
        }
        self.forget_recorded(&closing);
        let progress = CloseProgress { closing, finished };
        if let Some(appended) = &mut self.appended {
            appended
                .closes
                .push((self.state.position, progress.clone()));
        }
        Ok(progress)
    }

    /// The members the next chunk of `closing` visits: the next of those it found
    /// with consequences (`CloseWork`) when this ledger recorded it, else the next
    /// page of the region's enrolled index.
    fn chunk_members(&mut self, closing: &Closing) -> Result<ChunkMembers, LedgerError> {
        let limit = self.close_chunk_members;
        let work = self.close_work.get_mut(&closing.region).filter(|work| {
            work.month == closing.month && work.close_position == closing.close_position
        });
        let Some(work) = work else {
            let ids = self.store.members_page(
                MemberIndex::Enrolled,
                &closing.region,
                closing.after,
                limit,
            )?;
            let finished = ids.len() < limit;
            let members_done = closing.members_done + ids.len() as u64;
            return Ok(ChunkMembers {
                ids,
                finished,
                members_done,
            });
        };
        let end = work.members.len().min(work.next + limit);
        let taken = &work.members[work.next..end];
        work.next = end;
        let finished = end == work.members.len();
        let members_done = if finished {
            closing.members_total
        } else {
            // OK because a chunk that does not finish takes at least one member.
            taken.last().expect("an unfinished chunk visits a member").1 + 1
        };
        let ids: Vec<Uuid> = taken.iter().map(|(member_id, _)| *member_id).collect();
        if cfg!(debug_assertions) {
            let through = if finished { None } else { ids.last().copied() };
            self.check_skipped(closing, &ids, through)?;
        }
        Ok(ChunkMembers {
            ids,
            finished,
            members_done,
        })
    }

    /// Asserts that every enrolled member a chunk skips (after `closing.after`,
    /// through `through` or to the end, and not in `visited`) has no consequence of
    /// the close: what `CloseWork` relies on. Debug builds only: it reads every
    /// member the work list exists to leave unread.
    fn check_skipped(
        &mut self,
        closing: &Closing,
        visited: &[Uuid],
        through: Option<Uuid>,
    ) -> Result<(), LedgerError> {
        let region = self.state.regions[&closing.region].clone();
        self.walk_index_between(
            MemberIndex::Enrolled,
            &closing.region,
            (closing.after, through),
            &mut |_, member| {
                assert!(
                    visited.contains(&member.member_id)
                        || close_consequences(member, &region, closing.month).is_empty(),
                    "member {} was skipped by the close of {} in {} but has consequences",
                    member.member_id,
                    closing.month,
                    closing.region
                );
                Ok(())
            },
        )
    }

    /// Once a chunk is durable its members may leave memory, as many as keep the cache
    /// within `STATE_CACHE_MEMBERS_MAX` (a region that fits stays cached for the next
    /// month's payments and close); a close of a region larger than the caches
    /// forgets what each chunk left in them (`release_close_caches`).
    fn forget_recorded(&mut self, closing: &Closing) {
        // Released first, so that trimming evicts no other region's members to make
        // room the release would have made.
        if closing.members_total > STATE_CACHE_MEMBERS_MAX as u64 {
            self.release_close_caches(&closing.region);
        }
        self.trim_cache();
    }

    /// Forgets what a chunk of a close of a region larger than the caches left in
    /// them: the region's cached members and every stream head. A province's close
    /// visits each member once, so neither is a working set: kept until the close's
    /// end they filled both caches (20,000 members, 200,000 stream heads) while sled's
    /// cache turned over beside them, and the heap they spread over stayed with the
    /// server. A close of 1,000,000 members under `serve`, after 20,000 member reads
    /// (`tools/close-bench.sh`, with glibc's malloc, before D43): RSS 185 MiB before,
    /// peak 237 and 207–209 after it, against peak 283–295 and 229–231 after when
    /// released only at the close's end.
    fn release_close_caches(&mut self, region: &RegionName) {
        let cached: Vec<Uuid> = self
            .state
            .members
            .iter()
            .filter(|(_, member)| &member.region == region)
            .map(|(member_id, _)| *member_id)
            .collect();
        for member_id in cached {
            self.state.evict_member(member_id);
        }
        self.store.release_caches();
    }

    /// Adds one member's consequences of `closing` to `record` (applying them), and
    /// returns the member's coverage change from the close, if its consequences made
    /// one (a member without consequences had its change, if any, in the
    /// `MonthClosed` append).
    fn record_consequences(
        &mut self,
        member_id: Uuid,
        closing: &Closing,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
        record: &mut CommandRecord,
        dirty: &mut Dirty,
    ) -> Result<Option<(Uuid, Vec<crate::domain::coverage::MonthChange>)>, LedgerError> {
        let (Some(member), Some(region)) = (
            self.state.members.get(&member_id),
            self.state.regions.get(&closing.region),
        ) else {
            return Ok(None);
        };
        let events = close_consequences(member, region, closing.month);
        if events.is_empty() {
            return Ok(None);
        }
        // The months the close and its consequences can alter (`LinesWindow`).
        let before_region = region_before(region, closing.month);
        let window = events.iter().fold(
            lines_touched_by_close(&before_region, member),
            |window, event| window.union(lines_touched(region, Some(member), event)),
        );
        let before_close = month_lines_in(&before_region, member, &window);
        let now = month_lines_in(region, member, &window);
        let whole_before =
            cfg!(debug_assertions).then(|| vec![(member_id, month_lines(&before_region, member))]);
        let envelopes =
            self.apply_events(record.command_id, events, recorded_at, sources, dirty)?;
        record.envelopes.extend(envelopes);
        let after = self.member_lines(member_id, &window);
        self.check_windows(&BTreeMap::from([(member_id, window)]), whole_before);
        self.add_to_reports(&closing.region, &now, &after, dirty)?;
        let months = month_changes(&before_close, &after);
        Ok((!months.is_empty()).then_some((member_id, months)))
    }

    /// Before deciding a command for `member_id`: records the member's consequences
    /// of its region's close in progress, if it has any, as a command of its own in
    /// the append being prepared.
    pub(super) fn bring_up_to_date(
        &mut self,
        member_id: Uuid,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
        records: &mut Vec<CommandRecord>,
        dirty: &mut Dirty,
    ) -> Result<(), LedgerError> {
        if self.closings.is_empty() {
            return Ok(());
        }
        let Some(region) = self.state.members.get(&member_id).map(|m| m.region.clone()) else {
            return Ok(());
        };
        let Some(mut closing) = self.closings.get(&region).cloned() else {
            return Ok(());
        };
        let mut record = CommandRecord {
            command_id: sources.new_id(),
            envelopes: Vec::new(),
            body_digest: Some(LEDGER_RECORD_DIGEST),
        };
        let change = self.record_consequences(
            member_id,
            &closing,
            recorded_at,
            sources,
            &mut record,
            dirty,
        )?;
        if record.envelopes.is_empty() {
            return Ok(());
        }
        tracing::debug!(%member_id, %region, month = %closing.month, "consequences of the close in progress recorded first");
        if let Some((member_id, months)) = change {
            dirty.coverage.push(CoverageChanged {
                member_id,
                position: self.state.position,
                command_id: record.command_id,
                months,
            });
        }
        count_recorded(&mut closing, &record);
        self.closings.insert(region.clone(), closing);
        dirty.closings.insert(region);
        records.push(record);
        Ok(())
    }

    /// Records the consequences of their regions' closes in progress for `members`
    /// (a server does this before answering a read of one of them), in one append,
    /// and answers with what it appended.
    pub fn bring_members_up_to_date(
        &mut self,
        members: &[Uuid],
        sources: &mut dyn Sources,
    ) -> Result<Appended, AppendingError> {
        self.collecting(|ledger| ledger.record_members_up_to_date(members, sources))
            .map(|((), appended)| appended)
    }

    /// `bring_members_up_to_date`'s work.
    fn record_members_up_to_date(
        &mut self,
        members: &[Uuid],
        sources: &mut dyn Sources,
    ) -> Result<(), LedgerError> {
        if self.closings.is_empty() || members.is_empty() {
            return Ok(());
        }
        if self.poisoned {
            return Err(LedgerError::Poisoned);
        }
        let recorded_at = self.stamp(sources);
        let (mut records, mut dirty) = (Vec::new(), Dirty::default());
        for member_id in members {
            self.load_member(*member_id)?;
            self.bring_up_to_date(*member_id, recorded_at, sources, &mut records, &mut dirty)
                .inspect_err(|_| self.poisoned = true)?;
        }
        self.append_records(&mut records, &dirty)?;
        self.trim_cache();
        Ok(())
    }

    /// Records an accepted close: counts the region (bounded memory, nothing cached),
    /// applies `MonthClosed`, adds the close's change of every visited member's month
    /// lines to the region's totals, and starts its `Closing`. The members'
    /// consequences follow in chunks.
    pub(super) fn record_close(
        &mut self,
        command_id: Uuid,
        body: &CloseMonth,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
        dirty: &mut Dirty,
    ) -> Result<CommandRecord, LedgerError> {
        // OK because the caller checked `closable_region` just before.
        let region = self
            .state
            .regions
            .get(&body.region)
            .cloned()
            .expect("closable region");
        let after_close = {
            let mut after = region.clone();
            after.open_month = crate::domain::decide::next_open_month(body.month);
            after
        };
        let mut ahead = ItemsAhead {
            region: body.region.clone(),
            position: self.state.position + 1,
            command_id,
            batch: Vec::new(),
            batch_max: self.close_items_ahead_batch,
            last_written: None,
        };
        // On an error from here on the caller stops the ledger (`decide_close`): items
        // written ahead with no append after them are removed when a ledger opens
        // next (`discard_items_ahead`), before anything is appended at their position.
        let (tally, work) = self.visit_for_close(body, &region, &after_close, &mut ahead, dirty)?;
        let envelopes = self.apply_events(
            command_id,
            vec![month_closed(body, tally)],
            recorded_at,
            sources,
            dirty,
        )?;
        let position = self.state.position;
        assert_eq!(
            position, ahead.position,
            "a close's MonthClosed is the one event of its append's first record"
        );
        let wrote_ahead = ahead.last_written.is_some();
        if let Some(appended) = self.appended.as_mut().filter(|_| wrote_ahead) {
            appended.items_ahead.push(position);
        }
        self.start_closing(body, position, tally, work, dirty);
        Ok(CommandRecord {
            command_id,
            envelopes,
            body_digest: None,
        })
    }

    /// Starts the `Closing` of a close recorded at `position`, and keeps the members
    /// its walk found with consequences for its chunks (`CloseWork`).
    fn start_closing(
        &mut self,
        body: &CloseMonth,
        position: u64,
        tally: CloseTally,
        work: Option<WorkMembers>,
        dirty: &mut Dirty,
    ) {
        let closing = Closing {
            region: body.region.clone(),
            month: body.month,
            close_position: position,
            after: None,
            members_done: 0,
            members_total: tally.members_visited,
            missed_recorded: 0,
            withdrawn_recorded: 0,
            recheck: false,
        };
        tracing::info!(region = %body.region, month = %body.month, position, members = tally.members_visited, "month close: its members' consequences are recorded next, in chunks");
        self.closings.insert(body.region.clone(), closing);
        dirty.closings.insert(body.region.clone());
        match work {
            Some(members) => {
                self.close_work.insert(
                    body.region.clone(),
                    CloseWork {
                        month: body.month,
                        close_position: position,
                        members,
                        next: 0,
                    },
                );
            }
            None => {
                tracing::info!(region = %body.region, month = %body.month, "more than {CLOSE_WORK_MEMBERS_MAX} members have consequences: the close's chunks walk every enrolled member");
                self.close_work.remove(&body.region);
            }
        }
    }

    /// The close's walk of the region: every enrolled member counted for the
    /// `MonthClosed` tally and its close change added to the totals, and the granted
    /// members who withdrew, who still accrue (R16), in one walk in id order (their
    /// coverage changes are written ahead in key order, `ItemsAhead`). Returns the
    /// tally and the members that get a consequence with their ordinals in the walk
    /// (`CloseWork`; `None` past `CLOSE_WORK_MEMBERS_MAX`).
    fn visit_for_close(
        &mut self,
        body: &CloseMonth,
        region: &RegionState,
        after_close: &RegionState,
        ahead: &mut ItemsAhead,
        dirty: &mut Dirty,
    ) -> Result<(CloseTally, Option<WorkMembers>), LedgerError> {
        let mut tally = CloseTally::default();
        let mut work = Some(Vec::new());
        self.walk_enrolled_and_granted(&body.region, &mut |ledger, member, index| {
            if index == MemberIndex::Granted {
                // R16: granted members who withdrew still accrue for months they paid
                // (an enrolled one is walked as enrolled: enrolled means not withdrawn).
                if !member.is_withdrawn() {
                    return Ok(());
                }
                return ledger.add_close_change(member, region, after_close, true, ahead, dirty);
            }
            let consequences = close_consequences(member, region, body.month);
            if !consequences.is_empty() {
                work = work
                    .take()
                    .filter(|members: &WorkMembers| members.len() < CLOSE_WORK_MEMBERS_MAX);
                if let Some(members) = work.as_mut() {
                    members.push((member.member_id, tally.members_visited));
                }
            }
            tally.add(&consequences);
            ledger.add_close_change(
                member,
                region,
                after_close,
                consequences.is_empty(),
                ahead,
                dirty,
            )
        })?;
        self.write_items_ahead(ahead)?;
        Ok((tally, work))
    }

    /// Writes the coverage changes `ahead` holds to the store, ahead of their append.
    fn write_items_ahead(&mut self, ahead: &mut ItemsAhead) -> Result<(), LedgerError> {
        if ahead.batch.is_empty() {
            return Ok(());
        }
        let items = ahead
            .batch
            .drain(..)
            .map(|change| CoverageItem {
                position: change.position,
                member_id: change.member_id,
                value: encode_coverage_item(&change),
            })
            .collect::<Vec<_>>();
        // The walk is in id order, each member once: a batch out of it would make the
        // stored rows overlap, and a feed page skip or repeat an item. Only damaged
        // indexes break it (a withdrawn member still among the enrolled).
        for item in &items {
            if let Some(after) = ahead.last_written.filter(|last| *last >= item.member_id) {
                let found = crate::store::findings::close_walk_out_of_order(
                    item.member_id,
                    &ahead.region,
                    after,
                );
                return Err(StoreError::Corrupt {
                    position: 0,
                    message: found,
                }
                .into());
            }
            ahead.last_written = Some(item.member_id);
        }
        self.store.write_items_ahead(ahead.position, items)?;
        Ok(())
    }

    /// Adds what closing the month alone (no consequence yet) changes in `member`'s
    /// month lines to the region's totals; and, for a member that gets no
    /// consequence, adds its coverage change to those written ahead of the
    /// `MonthClosed` append.
    fn add_close_change(
        &mut self,
        member: &MemberState,
        before: &RegionState,
        after: &RegionState,
        no_consequence: bool,
        ahead: &mut ItemsAhead,
        dirty: &mut Dirty,
    ) -> Result<(), LedgerError> {
        let window = lines_touched_by_close(before, member);
        let old = month_lines_in(before, member, &window);
        let new = month_lines_in(after, member, &window);
        debug_assert!(
            agree_outside(
                &window,
                &month_lines(before, member),
                &month_lines(after, member)
            ),
            "member {}: closing {} changed a line outside {window:?}",
            member.member_id,
            before.open_month
        );
        if old == new {
            return Ok(());
        }
        self.add_to_reports(&before.name, &old, &new, dirty)?;
        if no_consequence {
            let months = month_changes(&old, &new);
            if !months.is_empty() {
                ahead.batch.push(CoverageChanged {
                    member_id: member.member_id,
                    position: ahead.position,
                    command_id: ahead.command_id,
                    months,
                });
                if ahead.batch.len() >= ahead.batch_max {
                    self.write_items_ahead(ahead)?;
                }
            }
        }
        Ok(())
    }

    /// Calls `visit` with each member of a region's enrolled index and of its granted
    /// index, with the index, in one walk in id order (a member in both comes first
    /// as enrolled), each index read a page at a time as `walk_index_between` reads.
    fn walk_enrolled_and_granted(
        &mut self,
        region: &RegionName,
        visit: &mut dyn FnMut(&mut Self, &MemberState, MemberIndex) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        let mut enrolled = IndexWalk::new(MemberIndex::Enrolled);
        let mut granted = IndexWalk::new(MemberIndex::Granted);
        loop {
            let next_enrolled = self.front_of(&mut enrolled, region)?;
            let next_granted = self.front_of(&mut granted, region)?;
            let walk = match (next_enrolled, next_granted) {
                (None, None) => return Ok(()),
                (Some(e), Some(g)) if g < e => &mut granted,
                (Some(_), _) => &mut enrolled,
                (None, Some(_)) => &mut granted,
            };
            // OK because `front_of` just answered that this walk has a member.
            let member = walk.members.pop_front().expect("a member at the front");
            visit(self, &member, walk.index)?;
        }
    }

    /// The id of the next member of `walk`, reading its next page when it has none
    /// left; `None` once the index has no more.
    fn front_of(
        &mut self,
        walk: &mut IndexWalk,
        region: &RegionName,
    ) -> Result<Option<Uuid>, LedgerError> {
        if walk.members.is_empty() && !walk.ended {
            let (members, full) = self.members_page_after(walk.index, region, walk.after)?;
            walk.ended = !full;
            walk.after = members.last().map(|member| member.member_id);
            walk.members = members.into();
        }
        Ok(walk.members.front().map(|member| member.member_id))
    }

    /// The members of a region's index after `after`, a page of at most
    /// `CLOSE_COUNT_PAGE_MEMBERS`, read from the cache if there, else from their rows
    /// (and not cached); and whether the page is full (more may follow).
    fn members_page_after(
        &mut self,
        index: MemberIndex,
        region: &RegionName,
        after: Option<Uuid>,
    ) -> Result<(Vec<MemberState>, bool), LedgerError> {
        let page = self
            .store
            .members_page(index, region, after, CLOSE_COUNT_PAGE_MEMBERS)?;
        let uncached = self.uncached(&page);
        let mut read: HashMap<Uuid, MemberState> = read_member_rows(&self.store, &uncached)?
            .into_iter()
            .flatten()
            .map(|member| (member.member_id, member))
            .collect();
        let mut members = Vec::with_capacity(page.len());
        for member_id in &page {
            members.push(match self.state.members.get(member_id) {
                Some(member) => member.clone(),
                None => read.remove(member_id).ok_or_else(|| StoreError::Corrupt {
                    position: 0,
                    message: crate::store::findings::indexed_member_row_missing(*member_id, region),
                })?,
            });
        }
        Ok((members, page.len() == CLOSE_COUNT_PAGE_MEMBERS))
    }

    /// Calls `visit` with each member of a region's index after `after` (from the first
    /// if `None`) through `through` (to the last if `None`), in id order, a page at a
    /// time (`members_page_after`).
    fn walk_index_between(
        &mut self,
        index: MemberIndex,
        region: &RegionName,
        (mut after, through): (Option<Uuid>, Option<Uuid>),
        visit: &mut dyn FnMut(&mut Self, &MemberState) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        loop {
            let (members, full) = self.members_page_after(index, region, after)?;
            for member in &members {
                if through.is_some_and(|last| member.member_id > last) {
                    return Ok(());
                }
                visit(self, member)?;
            }
            if !full {
                return Ok(());
            }
            after = members.last().map(|member| member.member_id);
        }
    }
}

/// One of a region's member indexes, walked a page at a time in id order
/// (`walk_enrolled_and_granted`).
struct IndexWalk {
    index: MemberIndex,
    /// The last member read from the index.
    after: Option<Uuid>,
    /// Read and not yet visited.
    members: std::collections::VecDeque<MemberState>,
    /// Whether the index has no member after `after`.
    ended: bool,
}

impl IndexWalk {
    fn new(index: MemberIndex) -> IndexWalk {
        IndexWalk {
            index,
            after: None,
            members: std::collections::VecDeque::new(),
            ended: false,
        }
    }
}

/// Adds a record's consequences to the close's counts.
fn count_recorded(closing: &mut Closing, record: &CommandRecord) {
    for envelope in &record.envelopes {
        match envelope.event {
            Event::ContributionMissed(_) => closing.missed_recorded += 1,
            Event::MemberWithdrawn(_) => closing.withdrawn_recorded += 1,
            _ => {}
        }
    }
}

/// The month a region closed last, if it has closed one.
pub fn last_closed_month(region: &RegionState) -> Option<Month> {
    let first_policy = region.policies.keys().next()?;
    // OK because open_month > first_policy ≥ Month::FIRST here, so this never clamps.
    (region.open_month > *first_policy).then(|| region.open_month.plus(-1))
}

/// The `Closing` rows a rebuild writes: each region's close in progress kept as it
/// was, and a recheck of the last close of each other region in `pending`: those
/// where the fold found a member that still has a consequence of that close (the
/// log alone does not say whether a close's chunks all landed; the fold of every
/// member does, with the predicate the close's walk records by). A region whose
/// last close is complete gets no row, so the next open does not walk its members.
pub fn closing_rows_after_rebuild(
    store: &(impl ReadStore + ?Sized),
    regions: &[&RegionState],
    pending: &BTreeSet<RegionName>,
) -> Result<Vec<Closing>, StoreError> {
    let mut kept: std::collections::HashMap<RegionName, Closing> = read_closings(store)?
        .into_iter()
        .map(|closing| (closing.region.clone(), closing))
        .collect();
    let mut rows = Vec::new();
    for region in regions {
        let Some(month) = last_closed_month(region) else {
            continue;
        };
        match kept.remove(&region.name) {
            Some(closing) if closing.month == month => rows.push(closing),
            _ if pending.contains(&region.name) => rows.push(Closing::recheck(region, month)),
            _ => {}
        }
    }
    Ok(rows)
}

/// The state key of a region's close in progress.
pub fn closing_key(region: &RegionName) -> StateKey {
    StateKey::Closing(region.clone())
}

/// The close in progress in a member's region that still implies consequences for
/// it, if any: what a reader checks before answering from stored rows.
pub fn close_pending_for(
    store: &(impl ReadStore + ?Sized),
    member: &MemberState,
    region: &RegionState,
) -> Result<Option<Closing>, StoreError> {
    let Some(closing) = read_closing(store, &region.name)? else {
        return Ok(None);
    };
    let pending = !close_consequences(member, region, closing.month).is_empty();
    Ok(pending.then_some(closing))
}

/// A region's close in progress, from its row.
pub fn read_closing(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
) -> Result<Option<Closing>, StoreError> {
    store
        .read_state(&closing_key(region))?
        .map(|row| decode_closing(&row))
        .transpose()
}

/// Every close in progress, from the `Closing` rows.
pub fn read_closings(store: &(impl ReadStore + ?Sized)) -> Result<Vec<Closing>, StoreError> {
    store
        .closing_rows()?
        .iter()
        .map(|row| decode_closing(row))
        .collect()
}

/// A `Closing` row, decoded (rows carry no hash: a damaged one is an error).
fn decode_closing(row: &[u8]) -> Result<Closing, StoreError> {
    let stored = rows::decode_closing_row(row).map_err(|error| StoreError::Corrupt {
        position: 0,
        message: crate::store::findings::closing_undecodable(error),
    })?;
    Ok(stored.into())
}

/// Logs a durable chunk of `closing`; the last one at `info`, once, by whichever caller
/// recorded it (`submit`, `serve` in the background, a writer finishing it before
/// another close).
fn log_chunk_recorded(closing: &Closing, finished: bool) {
    tracing::debug!(region = %closing.region, month = %closing.month, done = closing.members_done, total = closing.members_total, finished, "month close chunk recorded");
    if finished {
        tracing::info!(region = %closing.region, month = %closing.month, members = closing.members_done, missed = closing.missed_recorded, withdrawn = closing.withdrawn_recorded, "month close recorded to the end");
    }
}
