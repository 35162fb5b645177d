//! What a rebuild lists: the state rows it replaced, described as `verify` describes
//! a row that differs from the fold (`state_row_differences`). The engine reports each
//! row whose bytes it changes from the one walk it makes anyway to skip unchanged rows
//! (`LogWriter::replace_state`), so a rebuild no longer reads every stored row a
//! second time beforehand to compare it: that read and the walk were most of a
//! rebuild's time after the fold (flexledger-bench's region, 20,000 members).
//!
//! Listed as `state_row_differences` lists them: the checkpoint and the rows other
//! than members' first, then the members' in id order, at most a limit. A row whose
//! bytes differ but which decodes to what the fold has (a member, a region, a month's
//! totals, a summary) is rewritten but not listed, as `verify` does not list it. Unlike
//! `verify`, a rebuild also lists a stored row of month totals for a month the fold
//! has none of, since it removes it; a close's progress row (`Closing`) is not
//! derived from the log and never listed.

use super::{Folded, StateDifference};
use crate::codec::rows::{
    decode_member_row, decode_month_totals_row, decode_region_row, decode_summary_row,
};
use crate::domain::policy::RegionName;
use crate::store::{findings, MemberIndex, ReplacedRow, StateKey};

/// The differences of one rebuild, gathered as the engine reports replaced rows.
pub(super) struct RebuildListing<'a> {
    state: &'a Folded,
    limit: usize,
    others: Vec<StateDifference>,
    members: Vec<StateDifference>,
}

impl<'a> RebuildListing<'a> {
    /// A listing of at most `limit` differences from `state`, starting with the
    /// checkpoint's `checkpoint`, if it differed.
    pub(super) fn new(
        state: &'a Folded,
        limit: usize,
        checkpoint: Option<StateDifference>,
    ) -> RebuildListing<'a> {
        RebuildListing {
            state,
            limit,
            others: checkpoint.into_iter().collect(),
            members: Vec::new(),
        }
    }

    /// Lists `row` if it differs from the fold in what it means, not only in bytes.
    pub(super) fn add(&mut self, row: ReplacedRow<'_>) {
        let Some((row_of, difference)) = self.describe(row) else {
            return;
        };
        let list = match row_of {
            Listed::Member => &mut self.members,
            Listed::Other => &mut self.others,
        };
        // A region's index is listed once, however many of its rows differ (they
        // come one after the other, in key order).
        let again = list.last().is_some_and(|last| last.what == difference.what);
        if !again && list.len() < self.limit {
            list.push(difference);
        }
    }

    /// How `row` is listed; `None` if it is not.
    fn describe(&self, row: ReplacedRow<'_>) -> Option<(Listed, StateDifference)> {
        let listed = |row_of, position, what| Some((row_of, StateDifference::new(position, what)));
        let Some(key) = row.state_key() else {
            let what = findings::row_unknown_key(row.key.escape_ascii());
            return listed(Listed::Other, 0, what);
        };
        let region_position = |region: &RegionName| {
            self.state
                .regions
                .get(region)
                .map_or(0, |region| region.last_position)
        };
        match key {
            StateKey::Member(member_id) => {
                let Some(written) = row.written else {
                    let what = findings::row_stray_member(member_id);
                    return listed(Listed::Other, 0, what);
                };
                let folded = decode_member_row(written).ok();
                let stored = row.stored.and_then(|row| decode_member_row(row).ok());
                let position = match folded {
                    Some(_) if stored == folded => return None,
                    folded => folded.map_or(0, |member| member.last_position),
                };
                listed(Listed::Member, position, findings::row_member(member_id))
            }
            StateKey::Region(region) if !same(row, decode_region_row) => listed(
                Listed::Other,
                region_position(&region),
                findings::row_region(&region),
            ),
            StateKey::Enrolled(region, _) => {
                let what = findings::row_index(MemberIndex::Enrolled, &region);
                listed(Listed::Other, region_position(&region), what)
            }
            StateKey::Granted(region, _) => {
                let what = findings::row_index(MemberIndex::Granted, &region);
                listed(Listed::Other, region_position(&region), what)
            }
            StateKey::RegionMonth(region, month) if !same_or_none(row, decode_month_totals_row) => {
                let what = findings::row_month_totals(&region, month);
                listed(Listed::Other, region_position(&region), what)
            }
            StateKey::RegionSummary(region) if !same_or_none(row, decode_summary_row) => {
                let what = findings::row_summary(&region);
                listed(Listed::Other, region_position(&region), what)
            }
            // Rows that decode to the fold's value (bytes aside) are not listed.
            StateKey::Region(_) | StateKey::RegionMonth(..) | StateKey::RegionSummary(_) => None,
            // Not derived from the log (a close's progress), or never a replaced row.
            StateKey::Closing(_)
            | StateKey::Checkpoint
            | StateKey::CopyUnfinished
            | StateKey::CoverageChange(..) => None,
        }
    }

    /// The differences listed: the other rows', then the members'.
    pub(super) fn finish(self) -> Vec<StateDifference> {
        let mut differences = self.others;
        differences.extend(self.members);
        differences.truncate(self.limit);
        differences
    }
}

/// Whether the row held before and the row written both decode, to the same value.
fn same<T: PartialEq, E>(row: ReplacedRow<'_>, decode: fn(&[u8]) -> Result<T, E>) -> bool {
    let decoded = |bytes: Option<&[u8]>| bytes.and_then(|bytes| decode(bytes).ok());
    let written = decoded(row.written);
    written.is_some() && decoded(row.stored) == written
}

/// [`same`] for a row that reads as zeros when there is none (`read_month_totals`,
/// `region_summary`, and `verify` with them): no row and a row of zeros are the same.
/// A probe saw `rebuild` list "the summary of region R" for a region with a policy
/// and no member, which has no such row, right after `verify` passed.
fn same_or_none<T: PartialEq + Default, E>(
    row: ReplacedRow<'_>,
    decode: fn(&[u8]) -> Result<T, E>,
) -> bool {
    let decoded = |bytes: Option<&[u8]>| match bytes {
        None => Some(T::default()),
        Some(bytes) => decode(bytes).ok(),
    };
    let written = decoded(row.written);
    written.is_some() && decoded(row.stored) == written
}

/// Which list a difference goes to: the members' come last, as `verify` lists them.
enum Listed {
    Member,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn key(state_key: &StateKey) -> Vec<u8> {
        crate::store::state_keys::state_key(state_key)
    }

    /// Other rows first, then members, at most the limit in all; a region's index
    /// once however many of its rows changed; a close's progress never.
    #[test]
    fn a_listing_puts_members_last_lists_an_index_once_and_stops_at_its_limit() {
        let state = Folded::default();
        let region = RegionName::parse("demo").expect("a region name");
        let listed = |limit: usize| -> Vec<String> {
            let mut listing = RebuildListing::new(&state, limit, None);
            let mut report = |state_key: StateKey, written: Option<&[u8]>| {
                listing.add(ReplacedRow {
                    key: &key(&state_key),
                    stored: Some(b"held"),
                    written,
                })
            };
            // A member row the log has (one that does not decode: listed all the same).
            report(StateKey::Member(Uuid::from_u128(1)), Some(b"not a row"));
            report(StateKey::Enrolled(region.clone(), Uuid::from_u128(1)), None);
            report(StateKey::Enrolled(region.clone(), Uuid::from_u128(2)), None);
            report(StateKey::Closing(region.clone()), None);
            // A member the log does not have: an other row, as `verify` lists it.
            report(StateKey::Member(Uuid::from_u128(2)), None);
            listing
                .finish()
                .into_iter()
                .map(|difference| difference.what)
                .collect()
        };
        let all = listed(100);
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(all[0], "the enrolled index of region demo");
        assert!(all[1].contains("a member the log does not have"), "{all:?}");
        assert_eq!(all[2], format!("member {}", Uuid::from_u128(1)));
        assert_eq!(listed(2), all[..2].to_vec());
        assert!(listed(0).is_empty());
    }

    /// A region's summary and month totals read as zeros when there is no row, in
    /// `verify` as in every answer: a rebuild writing zeros where there was none lists
    /// no difference, and writing them over other figures does.
    #[test]
    fn no_row_and_a_row_of_zeros_are_not_a_difference() {
        let state = Folded::default();
        let region = RegionName::parse("demo").expect("a region name");
        let month = crate::domain::month::Month::parse("2025-01").expect("a month");
        let zeros = crate::codec::rows::encode_summary_row(&Default::default());
        let totals = crate::codec::rows::encode_month_totals_row(&Default::default());
        let figures =
            crate::codec::rows::encode_summary_row(&crate::domain::report::RegionSummary {
                active: 1,
                ..Default::default()
            });
        let listed = |state_key: StateKey, stored: Option<&[u8]>, written: &[u8]| {
            let mut listing = RebuildListing::new(&state, 100, None);
            let key = key(&state_key);
            listing.add(ReplacedRow {
                key: &key,
                stored,
                written: Some(written),
            });
            listing.finish().len()
        };
        assert_eq!(
            listed(StateKey::RegionSummary(region.clone()), None, &zeros),
            0
        );
        assert_eq!(
            listed(StateKey::RegionMonth(region.clone(), month), None, &totals),
            0
        );
        assert_eq!(
            listed(
                StateKey::RegionSummary(region.clone()),
                Some(&figures),
                &zeros
            ),
            1
        );
        assert_eq!(listed(StateKey::RegionSummary(region), None, &figures), 1);
    }
}
