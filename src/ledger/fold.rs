//! The whole log folded in memory that grows by a state row per member, not by a
//! decoded member: what `verify`, `rebuild`, `restore` and a stale store's open fold.
//!
//! A decoded member (`MemberState`, its months in maps) takes ~1.6 KB after a month
//! and ~3.5 KB after two years of monthly payments, its encoded state row 100–250
//! bytes. With every member decoded, `verify` of a store of 1,000,000 members peaked
//! at 1.7 GiB and `rebuild` at 2.3 GiB (776 and 911 MiB since, D44), and a province's
//! longer histories would need several times that. So the fold keeps at most [`FOLD_DECODED_MEMBERS_MAX`] members decoded
//! (those it applied events to lately) and every other one as its row, decoded again
//! when its next event comes: what the writer does with the store's rows
//! (`STATE_CACHE_MEMBERS_MAX`), here with an in-memory map.
//!
//! Everything a fresh fold is compared with or rebuilt into that sums over members
//! (month totals, region summaries, the enrolled and granted indexes) is computed in
//! one pass when the fold ends ([`Folder::finish`]), one member decoded at a time.

use super::close::last_closed_month;
use super::{checkpoint_row, coverage_standing};
use crate::codec::rows::{
    decode_member_row, encode_member_row, encode_month_totals_row, encode_region_row,
    encode_summary_row,
};
use crate::domain::coverage::{member_coverage, month_lines, MemberCoverage};
use crate::domain::decide::close_consequences;
use crate::domain::month::Month;
use crate::domain::policy::RegionName;
use crate::domain::report::{line_counts, MonthTotals, RegionSummary};
use crate::domain::state::{index_member, FoldError, FoldProblem, MemberState, RegionState};
use crate::domain::{Event, LedgerState, StreamId};
use crate::store::{StateKey, StateWrite, StoreError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Members a fold keeps decoded; beyond this, half of them are put back as rows. As
/// the writer's cache (`STATE_CACHE_MEMBERS_MAX`): 20,000 members after 24 months are
/// ~70 MiB decoded. Measured on a store of 210,000 members × 24 months (4,956,025
/// events), one run each: keeping 10,000 or 50,000 decoded took the same time within
/// the noise (`verify` 66 and 71 s, `rebuild` 28 and 29 s), 50,000 ~70 MiB more.
pub const FOLD_DECODED_MEMBERS_MAX: usize = 20_000;

/// Threads `Folder::finish` sums the members on. The tail of a rebuild after the log
/// is read (these sums, then comparing and replacing the stored rows) ran on one core
/// while the other idled: a third of the rebuild of flexledger-bench's region
/// (249,013 events).
pub const FOLD_FINISH_THREADS: usize = 2;
/// Fewer members than this are summed on one thread (a thread costs more than they).
pub const FOLD_FINISH_PARALLEL_MEMBERS_MIN: usize = 1000;

/// A fold in progress.
pub struct Folder {
    /// Regions, the position, and the members decoded lately.
    live: LedgerState,
    /// Every other member, as its state row (`encode_member_row`).
    rows: HashMap<Uuid, Box<[u8]>>,
    /// Members kept decoded, at most.
    decoded_max: usize,
}

impl Default for Folder {
    fn default() -> Folder {
        Folder::keeping_decoded(FOLD_DECODED_MEMBERS_MAX)
    }
}

/// A finished fold of the whole log.
#[derive(Debug, Default, PartialEq)]
pub struct Folded {
    pub position: u64,
    pub regions: HashMap<RegionName, RegionState>,
    /// Every member's state row, as the writer would store it.
    pub members: HashMap<Uuid, Box<[u8]>>,
    /// Per region: the members not withdrawn, and those with a grant (R16).
    pub enrolled_by_region: HashMap<RegionName, BTreeSet<Uuid>>,
    pub granted_by_region: HashMap<RegionName, BTreeSet<Uuid>>,
    /// Every region's month totals, summed over its members' month lines.
    pub month_totals: BTreeMap<(RegionName, Month), MonthTotals>,
    /// Every region's summary (zeros for a region without members).
    pub summaries: BTreeMap<RegionName, RegionSummary>,
    /// The regions with a member that still has a consequence of the region's last
    /// close (`close::last_closed_month`): a close whose chunks did not all land.
    pub close_pending: BTreeSet<RegionName>,
}

impl Folder {
    /// A fold that keeps at most `decoded_max` members decoded (at least one).
    pub fn keeping_decoded(decoded_max: usize) -> Folder {
        Folder {
            live: LedgerState::default(),
            rows: HashMap::new(),
            decoded_max: decoded_max.max(1),
        }
    }

    /// Applies one event recorded at `position`, as `LedgerState::apply` does.
    pub fn apply(&mut self, position: u64, event: &Event) -> Result<(), FoldError> {
        if let StreamId::Member(member_id) = event.stream() {
            if let Some(row) = self.rows.remove(&member_id) {
                let member = decode_member_row(&row).map_err(|said| FoldError {
                    position,
                    problem: FoldProblem::FoldedStateUnreadable {
                        member: member_id,
                        said,
                    },
                })?;
                self.live.insert_member(member);
            }
        }
        self.live.apply(position, event)?;
        if self.live.members.len() > self.decoded_max {
            self.put_back(self.live.members.len() - self.decoded_max / 2);
        }
        Ok(())
    }

    /// A member's coverage as folded so far (`None`: no such member).
    pub fn coverage(&self, member_id: Uuid) -> Option<MemberCoverage> {
        self.with_member(member_id, |member, region| member_coverage(region, member))
    }

    /// The month of the member's region's last close, if that close implies a
    /// consequence for the member that the events folded so far do not hold (R9–R11,
    /// `close_consequences`): events cut in the middle of that close (D17). `None`
    /// for an unknown member.
    pub fn close_pending(&self, member_id: Uuid) -> Option<Month> {
        self.with_member(member_id, last_close_pending).flatten()
    }

    /// `answer` of a member as folded so far, decoded if it was put back as a row, and
    /// its region; `None` for an unknown member.
    fn with_member<T>(
        &self,
        member_id: Uuid,
        answer: impl FnOnce(&MemberState, &RegionState) -> T,
    ) -> Option<T> {
        if let Some(member) = self.live.members.get(&member_id) {
            // OK because the fold refuses a member whose region does not exist.
            let region = (self.live.regions.get(&member.region)).expect("member's region exists");
            return Some(answer(member, region));
        }
        let row = self.rows.get(&member_id)?;
        // OK because the row was encoded by `put_back` from a member the fold made.
        let member = decode_member_row(row).expect("a row the fold encoded decodes");
        Some(answer(&member, self.live.regions.get(&member.region)?))
    }

    /// Encodes `count` decoded members (any of them) back into rows.
    fn put_back(&mut self, count: usize) {
        let ids: Vec<Uuid> = self.live.members.keys().take(count).copied().collect();
        for member_id in ids {
            if let Some(member) = self.live.members.get(&member_id) {
                self.rows
                    .insert(member_id, encode_member_row(member).into_boxed_slice());
            }
            self.live.evict_member(member_id);
        }
    }

    /// The fold's result, with its sums over members computed in one pass, on
    /// `FOLD_FINISH_THREADS` threads when there are at least
    /// `FOLD_FINISH_PARALLEL_MEMBERS_MIN` members.
    pub fn finish(self) -> Result<Folded, StoreError> {
        let members = self.rows.len() + self.live.members.len();
        let threads = if members < FOLD_FINISH_PARALLEL_MEMBERS_MIN {
            1
        } else {
            FOLD_FINISH_THREADS
        };
        self.finish_on(threads)
    }

    /// `finish`, its sums over members taken in `threads` parts (at least one), each
    /// on a thread of its own, then added up: the same result whatever the number.
    pub fn finish_on(mut self, threads: usize) -> Result<Folded, StoreError> {
        let threads = threads.max(1);
        // Each part owns its decoded members, so that they are also dropped in parallel.
        let each = self.live.members.len().div_ceil(threads);
        let mut live: Vec<Vec<(Uuid, MemberState)>> =
            (0..threads).map(|_| Vec::with_capacity(each)).collect();
        for (index, member) in std::mem::take(&mut self.live.members)
            .into_iter()
            .enumerate()
        {
            live[index % threads].push(member);
        }
        let regions = std::mem::take(&mut self.live.regions);
        let rows: Vec<(&Uuid, &[u8])> = self.rows.iter().map(|(id, row)| (id, &**row)).collect();
        // One slice of the rows per part (the last ones empty when there are few).
        let mut row_parts: Vec<&[(&Uuid, &[u8])]> =
            rows.chunks(rows.len().div_ceil(threads).max(1)).collect();
        row_parts.resize(threads, &[]);
        let parts: Vec<Result<Part, StoreError>> = std::thread::scope(|scope| {
            let mut work = live.into_iter().zip(row_parts);
            // OK because there is one list of members per part, and at least one part.
            let (first_live, first_rows) = work.next().expect("one part at least");
            let handles: Vec<_> = work
                .map(|(live, rows)| {
                    let regions = &regions;
                    scope.spawn(move || sum_part(regions, rows, live))
                })
                .collect();
            let first = sum_part(&regions, first_rows, first_live);
            let mut parts = vec![first];
            for handle in handles {
                // A part that panicked is a broken invariant: let it crash here.
                parts.push(
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            parts
        });
        drop(rows);
        // The first part's sums, the others added to them (one part: no adding).
        let mut sums: Option<Sums> = None;
        for part in parts {
            let (part, encoded) = part?;
            match &mut sums {
                None => sums = Some(part),
                Some(sums) => sums.merge(part),
            }
            // The members still decoded are kept as rows too.
            self.rows.extend(encoded);
        }
        let mut sums = sums.unwrap_or_default();
        // Every region has a summary, zeros for one without members.
        for name in regions.keys() {
            sums.summaries.entry(name.clone()).or_default();
        }
        Ok(Folded {
            position: self.live.position,
            regions,
            members: self.rows,
            enrolled_by_region: sums.enrolled_by_region,
            granted_by_region: sums.granted_by_region,
            month_totals: sums.month_totals,
            summaries: sums.summaries,
            close_pending: sums.close_pending,
        })
    }
}

/// The month of the region's last close if it still implies a consequence for
/// `member` (R9–R11): a close whose chunks did not all land by then.
pub(super) fn last_close_pending(member: &MemberState, region: &RegionState) -> Option<Month> {
    let month = last_closed_month(region)?;
    (!close_consequences(member, region, month).is_empty()).then_some(month)
}

/// What one part of `finish` gives: its sums, and its decoded members as rows.
type Part = (Sums, Vec<(Uuid, Box<[u8]>)>);

/// Sums over members, as `Folded` holds them: what one part of `finish` adds up.
#[derive(Default)]
struct Sums {
    enrolled_by_region: HashMap<RegionName, BTreeSet<Uuid>>,
    granted_by_region: HashMap<RegionName, BTreeSet<Uuid>>,
    month_totals: BTreeMap<(RegionName, Month), MonthTotals>,
    summaries: BTreeMap<RegionName, RegionSummary>,
    close_pending: BTreeSet<RegionName>,
}

impl Sums {
    /// Adds `member` to the sums and indexes.
    fn add(&mut self, regions: &HashMap<RegionName, RegionState>, member: &MemberState) {
        index_member(
            &mut self.enrolled_by_region,
            &mut self.granted_by_region,
            member,
        );
        let Some(region) = regions.get(&member.region) else {
            return;
        };
        for line in month_lines(region, member) {
            if line_counts(&line) {
                self.month_totals
                    .entry((member.region.clone(), line.month))
                    .or_default()
                    .apply(&line, true);
            }
        }
        self.summaries
            .entry(member.region.clone())
            .or_default()
            .apply(coverage_standing(region, member), true);
        if last_close_pending(member, region).is_some() {
            self.close_pending.insert(member.region.clone());
        }
    }

    /// Adds another part's sums: its members are none of these.
    fn merge(&mut self, other: Sums) {
        for (ours, theirs) in [
            (&mut self.enrolled_by_region, other.enrolled_by_region),
            (&mut self.granted_by_region, other.granted_by_region),
        ] {
            for (region, mut members) in theirs {
                ours.entry(region).or_default().append(&mut members);
            }
        }
        for (key, totals) in other.month_totals {
            self.month_totals.entry(key).or_default().merge(&totals);
        }
        for (region, summary) in other.summaries {
            self.summaries.entry(region).or_default().merge(&summary);
        }
        self.close_pending.extend(other.close_pending);
    }
}

/// One part of `finish`: the sums over `rows` (decoded one at a time) and `live`,
/// and `live`'s members encoded as rows (and dropped).
fn sum_part(
    regions: &HashMap<RegionName, RegionState>,
    rows: &[(&Uuid, &[u8])],
    live: Vec<(Uuid, MemberState)>,
) -> Result<Part, StoreError> {
    let mut sums = Sums::default();
    for (member_id, row) in rows {
        let member = decode_member_row(row).map_err(|message| StoreError::Corrupt {
            position: 0,
            message: crate::store::findings::folded_undecodable(**member_id, message),
        })?;
        sums.add(regions, &member);
    }
    let mut encoded = Vec::with_capacity(live.len());
    for (member_id, member) in live {
        sums.add(regions, &member);
        encoded.push((member_id, encode_member_row(&member).into_boxed_slice()));
    }
    Ok((sums, encoded))
}

/// The rows of a member index (`key`: enrolled or granted), regions in name order.
fn index_rows(
    index: &HashMap<RegionName, BTreeSet<Uuid>>,
    key: fn(RegionName, Uuid) -> StateKey,
) -> impl Iterator<Item = StateWrite> + '_ {
    let mut regions: Vec<(&RegionName, &BTreeSet<Uuid>)> = index.iter().collect();
    regions.sort_unstable_by(|a, b| a.0.cmp(b.0));
    regions.into_iter().flat_map(move |(region, members)| {
        members.iter().map(move |member_id| StateWrite {
            key: key(region.clone(), *member_id),
            value: Some(Vec::new()),
        })
    })
}

impl Folded {
    /// Every state row of the fold, in key order by kind (region summaries `A`, the
    /// enrolled `E` and granted `G` indexes, members `M`, regions `R`, `closings` `X`,
    /// month totals `Y`), then its checkpoint: each made as it is taken, so that a
    /// rebuild holds the rows it writes one batch at a time.
    pub fn rows<'a>(
        &'a self,
        closings: Vec<StateWrite>,
    ) -> Box<dyn Iterator<Item = StateWrite> + 'a> {
        let summaries = self.summaries.iter().map(|(region, summary)| StateWrite {
            key: StateKey::RegionSummary(region.clone()),
            value: Some(encode_summary_row(summary)),
        });
        let mut members: Vec<(&Uuid, &Box<[u8]>)> = self.members.iter().collect();
        members.sort_unstable_by_key(|(member_id, _)| **member_id);
        let members = members.into_iter().map(|(member_id, row)| StateWrite {
            key: StateKey::Member(*member_id),
            value: Some(row.to_vec()),
        });
        let mut regions: Vec<&RegionState> = self.regions.values().collect();
        regions.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let regions = regions.into_iter().map(|region| StateWrite {
            key: StateKey::Region(region.name.clone()),
            value: Some(encode_region_row(region)),
        });
        let totals = self
            .month_totals
            .iter()
            .map(|((region, month), totals)| StateWrite {
                key: StateKey::RegionMonth(region.clone(), *month),
                value: Some(encode_month_totals_row(totals)),
            });
        let checkpoint = StateWrite {
            key: StateKey::Checkpoint,
            value: Some(checkpoint_row(self.position)),
        };
        Box::new(
            summaries
                .chain(index_rows(&self.enrolled_by_region, StateKey::Enrolled))
                .chain(index_rows(&self.granted_by_region, StateKey::Granted))
                .chain(members)
                .chain(regions)
                .chain(closings)
                .chain(totals)
                .chain(std::iter::once(checkpoint)),
        )
    }

    /// A state to open a ledger on: the regions and the position, members read from
    /// their rows when needed.
    pub fn without_members(self) -> LedgerState {
        LedgerState {
            regions: self.regions,
            position: self.position,
            ..LedgerState::default()
        }
    }
}
