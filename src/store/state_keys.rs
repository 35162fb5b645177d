//! How a state row's key (`StateKey`) is written as bytes, shared by every engine that
//! keeps state rows in one ordered key space (sled's tree, PostgreSQL's `state_rows`
//! table, whose `bytea` keys compare byte by byte): a one-byte prefix per kind, then
//! the key's fields, so that a kind, and a region's member index, is one key range in
//! id order.
//!
//! Layout (see ARCHITECTURE.md's storage layout): `M` member id(16); `R` region name;
//! `E`/`G` region name 0x00 member id(16); `Y` region name 0x00 month `YYYY-MM`; `K`;
//! `X` region name; `A` region name; `U` (an unfinished copy, D39).

use super::{MemberIndex, StateKey};
use crate::domain::policy::RegionName;

pub(crate) const PREFIX_MEMBER: u8 = b'M';
pub(crate) const PREFIX_REGION: u8 = b'R';
pub(crate) const PREFIX_ENROLLED: u8 = b'E';
pub(crate) const PREFIX_GRANTED: u8 = b'G';
pub(crate) const PREFIX_REGION_MONTH: u8 = b'Y';
pub(crate) const KEY_CHECKPOINT: &[u8] = b"K";
pub(crate) const PREFIX_CLOSING: u8 = b'X';
pub(crate) const PREFIX_REGION_SUMMARY: u8 = b'A';
/// One row, present only while a copy into the store is unfinished. Not among
/// `REBUILT_PREFIXES`: a rebuild (the copy's own last step among them) keeps it.
pub(crate) const KEY_COPY_UNFINISHED: &[u8] = b"U";

/// The kinds of state row a rebuild (`LogWriter::replace_state`) replaces: every
/// derived row but the checkpoint, which the rebuild writes itself.
pub(crate) const REBUILT_PREFIXES: [u8; 7] = [
    PREFIX_MEMBER,
    PREFIX_REGION,
    PREFIX_ENROLLED,
    PREFIX_GRANTED,
    PREFIX_REGION_MONTH,
    PREFIX_REGION_SUMMARY,
    PREFIX_CLOSING,
];

pub(crate) fn enrolled_prefix(region: &RegionName) -> Vec<u8> {
    region_prefix(PREFIX_ENROLLED, region)
}

/// `prefix`, the region's name and a 0 byte (names never contain one).
pub(crate) fn region_prefix(prefix: u8, region: &RegionName) -> Vec<u8> {
    let mut key = vec![prefix];
    key.extend_from_slice(region.as_str().as_bytes());
    key.push(0);
    key
}

/// The key prefix of a region's member index, and what the index is called in errors.
pub(crate) fn member_index_prefix(
    index: MemberIndex,
    region: &RegionName,
) -> (Vec<u8>, &'static str) {
    match index {
        MemberIndex::Enrolled => (enrolled_prefix(region), "enrolled"),
        MemberIndex::Granted => (region_prefix(PREFIX_GRANTED, region), "granted"),
    }
}

/// The bounds `[start, end)` of the page of a member index after `after`: `start` is
/// the key right after `after`'s (`after`'s key followed by a 0 byte), `end` the
/// prefix with its last byte (the 0 after the region name) raised to 1.
pub(crate) fn member_page_bounds(prefix: &[u8], after: Option<uuid::Uuid>) -> (Vec<u8>, Vec<u8>) {
    let mut end = prefix.to_vec();
    if let Some(last) = end.last_mut() {
        *last = 1;
    }
    let start = match after {
        Some(after) => [prefix, after.as_bytes(), &[0]].concat(),
        None => prefix.to_vec(),
    };
    (start, end)
}

/// The member id at the end of a key of a region's member index (`prefix_bytes` of
/// prefix, then the id); damage naming the index (`what`) and `region` otherwise.
pub(crate) fn member_id_of_key(
    key: &[u8],
    prefix_bytes: usize,
    what: &str,
    region: &RegionName,
) -> Result<uuid::Uuid, crate::store::StoreError> {
    uuid::Uuid::from_slice(key.get(prefix_bytes..).unwrap_or_default()).map_err(|_| {
        crate::store::checked_reads::corrupt(
            0,
            crate::store::findings::index_member_id(what, region),
        )
    })
}

/// The key of a state row. Coverage changes are feed items, stored apart by every
/// engine (never through this key).
pub(crate) fn state_key(key: &StateKey) -> Vec<u8> {
    match key {
        StateKey::Member(member_id) => [&[PREFIX_MEMBER][..], member_id.as_bytes()].concat(),
        StateKey::Region(region) => [&[PREFIX_REGION][..], region.as_str().as_bytes()].concat(),
        StateKey::Enrolled(region, member_id) => {
            [enrolled_prefix(region).as_slice(), member_id.as_bytes()].concat()
        }
        StateKey::Granted(region, member_id) => [
            region_prefix(PREFIX_GRANTED, region).as_slice(),
            member_id.as_bytes(),
        ]
        .concat(),
        StateKey::RegionMonth(region, month) => [
            region_prefix(PREFIX_REGION_MONTH, region).as_slice(),
            month.to_string().as_bytes(),
        ]
        .concat(),
        StateKey::Checkpoint => KEY_CHECKPOINT.to_vec(),
        StateKey::Closing(region) => [&[PREFIX_CLOSING][..], region.as_str().as_bytes()].concat(),
        StateKey::RegionSummary(region) => {
            [&[PREFIX_REGION_SUMMARY][..], region.as_str().as_bytes()].concat()
        }
        StateKey::CopyUnfinished => KEY_COPY_UNFINISHED.to_vec(),
        StateKey::CoverageChange(..) => {
            unreachable!("coverage changes are stored as feed items, apart from state rows")
        }
    }
}

/// The `StateKey` whose bytes (`state_key`) are `bytes`; `None` for bytes no build
/// writes. Coverage changes are never state rows, so never parsed.
pub(crate) fn parse_state_key(bytes: &[u8]) -> Option<StateKey> {
    let (&prefix, rest) = bytes.split_first()?;
    fn region(text: &[u8]) -> Option<RegionName> {
        RegionName::parse(std::str::from_utf8(text).ok()?)
    }
    /// A region's name, its 0 byte, then what follows it.
    fn in_region(rest: &[u8]) -> Option<(RegionName, &[u8])> {
        let end = rest.iter().position(|&byte| byte == 0)?;
        Some((region(&rest[..end])?, &rest[end + 1..]))
    }
    let member = |id: &[u8]| uuid::Uuid::from_slice(id).ok();
    match prefix {
        PREFIX_MEMBER => member(rest).map(StateKey::Member),
        PREFIX_REGION => region(rest).map(StateKey::Region),
        PREFIX_ENROLLED => {
            let (region, id) = in_region(rest)?;
            Some(StateKey::Enrolled(region, member(id)?))
        }
        PREFIX_GRANTED => {
            let (region, id) = in_region(rest)?;
            Some(StateKey::Granted(region, member(id)?))
        }
        PREFIX_REGION_MONTH => {
            let (region, month) = in_region(rest)?;
            let month = crate::domain::month::Month::parse(std::str::from_utf8(month).ok()?)?;
            Some(StateKey::RegionMonth(region, month))
        }
        PREFIX_CLOSING => region(rest).map(StateKey::Closing),
        PREFIX_REGION_SUMMARY => region(rest).map(StateKey::RegionSummary),
        _ if bytes == KEY_CHECKPOINT => Some(StateKey::Checkpoint),
        _ if bytes == KEY_COPY_UNFINISHED => Some(StateKey::CopyUnfinished),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    /// Every kind of key reads back as the key it was written from; bytes no build
    /// writes read as none.
    #[test]
    fn a_state_key_reads_back_from_its_bytes() {
        let region = RegionName::parse("demo-1").expect("a region name");
        let id = Uuid::from_u128(0x7000_0000_0000_4000_8000_0000_0000_0001);
        let month = crate::domain::month::Month::parse("2025-12").expect("a month");
        for key in [
            StateKey::Member(id),
            StateKey::Region(region.clone()),
            StateKey::Enrolled(region.clone(), id),
            StateKey::Granted(region.clone(), id),
            StateKey::RegionMonth(region.clone(), month),
            StateKey::RegionSummary(region.clone()),
            StateKey::Closing(region.clone()),
            StateKey::Checkpoint,
            StateKey::CopyUnfinished,
        ] {
            assert_eq!(
                parse_state_key(&state_key(&key)),
                Some(key.clone()),
                "{key:?}"
            );
        }
        let member = state_key(&StateKey::Member(id));
        let enrolled = state_key(&StateKey::Enrolled(region, id));
        for bytes in [
            &b""[..],
            b"Q",
            b"Kx",
            b"Ux",
            &member[..10],
            &enrolled[..enrolled.len() - 1],
            b"Rno spaces",
            b"Ydemo\x002025-13",
        ] {
            assert_eq!(parse_state_key(bytes), None, "{bytes:?}");
        }
    }
}
