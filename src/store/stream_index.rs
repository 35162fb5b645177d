//! sled's stream index: which log positions hold a stream's events, in version order.
//!
//! A stream's positions are kept in rows of up to [`STREAM_INDEX_ROW_EVENTS_MAX`]
//! events, keyed by the stream and the version of the row's first event; an append
//! rewrites the stream's last row (or starts the next one) in the same sled batch as
//! its events. Builds before this layout wrote one `S` key per event instead. Why rows:
//! one key per event is an insert at a random place in sled's tree for every event
//! (streams interleave in the log), and each such insert writes a fragment of a page
//! that sled later rewrites whole; measured on flexledger-bench's region (20,000 members
//! × 12 months), those keys alone took 575 of the 2,087 bytes per event on disk and a
//! quarter of the import's time. A row per stream is one small, bounded rewrite per
//! append in a tree that only grows with the number of streams.
//!
//! Stores written by older builds are read as they are, never converted: a stream's
//! `S` keys (versions 1..k) come before its rows (versions k+1..), because every
//! append since this layout goes to rows. So a read takes the `S` keys, then the rows,
//! and the stream's chain check (`StreamChain`) sees one run of versions either way.

use super::checked_reads::corrupt;
use super::findings::{self, IndexRowProblem};
use super::StoreError;

/// Key prefix of the stream index rows.
pub const PREFIX_STREAM_ROW: u8 = b'I';
/// Events one index row holds, at most: a row is rewritten by every append to its
/// stream, so its size bounds that write (64 positions take ~200 bytes as deltas);
/// a stream of 30 years of monthly events (~400) takes 7 rows.
pub const STREAM_INDEX_ROW_EVENTS_MAX: usize = 64;

/// The prefix of a stream's rows: `I`, the stream's name, a 0 byte (names hold none,
/// so one stream's prefix is never the start of another's).
pub fn row_prefix(stream: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(stream.len() + 10);
    key.push(PREFIX_STREAM_ROW);
    key.extend_from_slice(stream.as_bytes());
    key.push(0);
    key
}

/// The key of the row whose first event has `first_version`.
pub fn row_key(stream: &str, first_version: u64) -> Vec<u8> {
    let mut key = row_prefix(stream);
    key.extend_from_slice(&first_version.to_be_bytes());
    key
}

/// One row: the versions `first_version ..` of a stream are at `positions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexRow {
    pub first_version: u64,
    pub positions: Vec<u64>,
}

impl IndexRow {
    /// A row of one event.
    pub fn starting(version: u64, position: u64) -> IndexRow {
        IndexRow {
            first_version: version,
            positions: vec![position],
        }
    }

    /// The last (version, position) of the row; rows are never empty.
    pub fn last(&self) -> (u64, u64) {
        let count = self.positions.len() as u64;
        // OK because a row is built with one position and only grows; decode refuses
        // an empty one.
        let position = *self.positions.last().expect("an index row is never empty");
        (self.first_version + count - 1, position)
    }

    pub fn is_full(&self) -> bool {
        self.positions.len() >= STREAM_INDEX_ROW_EVENTS_MAX
    }

    /// Adds the stream's next event (`version` at `position`): to this row, or, when
    /// the row is full, to a new row that replaces it here; the full row is returned,
    /// finished. The caller checks that `version` continues the row.
    pub fn extend(&mut self, version: u64, position: u64) -> Option<IndexRow> {
        if self.is_full() {
            Some(std::mem::replace(
                self,
                IndexRow::starting(version, position),
            ))
        } else {
            self.positions.push(position);
            None
        }
    }

    /// (version, position) of every event of the row, in version order.
    pub fn entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (self.first_version..).zip(self.positions.iter().copied())
    }

    /// The stored value: the first position, then each next one as the step from the
    /// one before, as postcard varints (a stream's events are a few thousand positions
    /// apart in a busy log: 2–3 bytes each instead of 8).
    pub fn encode(&self) -> Vec<u8> {
        let steps: Vec<u64> = std::iter::once(self.positions[0])
            .chain(self.positions.windows(2).map(|pair| pair[1] - pair[0]))
            .collect();
        // OK because encoding a Vec<u64> to a Vec cannot fail (no I/O, no size limit).
        postcard::to_allocvec(&steps).expect("a list of integers encodes")
    }

    /// The row stored under `key` (of `stream`) as `value`; anything but a non-empty
    /// run of increasing positions, within the row limit, is damage.
    pub fn decode(stream: &str, key: &[u8], value: &[u8]) -> Result<IndexRow, StoreError> {
        let damaged = |problem| corrupt(0, findings::index_row(stream, problem));
        let version_bytes: [u8; 8] = key
            .len()
            .checked_sub(8)
            .and_then(|start| key[start..].try_into().ok())
            .ok_or_else(|| damaged(IndexRowProblem::KeyTooShort))?;
        let first_version = u64::from_be_bytes(version_bytes);
        let (steps, rest) = postcard::take_from_bytes::<Vec<u64>>(value)
            .map_err(|_| damaged(IndexRowProblem::NotPositions))?;
        if !rest.is_empty() || steps.is_empty() || steps.len() > STREAM_INDEX_ROW_EVENTS_MAX {
            return Err(damaged(IndexRowProblem::Size {
                version: first_version,
                positions: steps.len(),
                extra: rest.len(),
                max: STREAM_INDEX_ROW_EVENTS_MAX,
            }));
        }
        let mut positions = Vec::with_capacity(steps.len());
        let mut position = 0u64;
        for (index, step) in steps.into_iter().enumerate() {
            position = match position.checked_add(step) {
                Some(next) if first_version > 0 && (index == 0 || step > 0) && next > 0 => next,
                _ => {
                    let version = first_version;
                    return Err(damaged(IndexRowProblem::NotIncreasing { version }));
                }
            };
            positions.push(position);
        }
        Ok(IndexRow {
            first_version,
            positions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any row a stream can have (1 to 64 increasing positions from any version)
        /// reads back as written, and no shorter prefix of its bytes reads at all.
        #[test]
        fn any_row_reads_back_and_no_cut_of_it_does(
            first_version in 1u64..u64::MAX / 2,
            start in 1u64..u64::MAX / 4,
            steps in proptest::collection::vec(1u64..1u64 << 40, 0..STREAM_INDEX_ROW_EVENTS_MAX),
        ) {
            let positions: Vec<u64> = std::iter::once(start)
                .chain(steps.iter().scan(start, |at, step| { *at += step; Some(*at) }))
                .collect();
            let row = IndexRow { first_version, positions };
            let key = row_key("member-x", first_version);
            let value = row.encode();
            prop_assert_eq!(IndexRow::decode("member-x", &key, &value).unwrap(), row);
            for cut in 0..value.len() {
                prop_assert!(IndexRow::decode("member-x", &key, &value[..cut]).is_err());
            }
        }
    }

    #[test]
    fn a_row_takes_events_until_full_then_hands_over_to_the_next() {
        let mut row = IndexRow::starting(1, 10);
        for version in 2..=STREAM_INDEX_ROW_EVENTS_MAX as u64 {
            assert_eq!(row.extend(version, version * 10), None);
        }
        assert!(row.is_full());
        let next_version = STREAM_INDEX_ROW_EVENTS_MAX as u64 + 1;
        let full = row.extend(next_version, 7_000).expect("the full row");
        assert_eq!(full.last(), (STREAM_INDEX_ROW_EVENTS_MAX as u64, 640));
        assert_eq!(row, IndexRow::starting(next_version, 7_000));
    }

    #[test]
    fn a_row_decodes_to_what_was_encoded_and_damage_is_refused() {
        let row = IndexRow {
            first_version: 65,
            positions: vec![7, 9, 4_000_000_000, 4_000_000_001],
        };
        let key = row_key("member-x", 65);
        let value = row.encode();
        assert_eq!(value.len(), 1 + 1 + 1 + 5 + 1);
        assert_eq!(IndexRow::decode("member-x", &key, &value).unwrap(), row);
        assert_eq!(row.last(), (68, 4_000_000_001));
        assert_eq!(
            row.entries().collect::<Vec<_>>(),
            [(65, 7), (66, 9), (67, 4_000_000_000), (68, 4_000_000_001)]
        );
        let refused = |value: &[u8]| IndexRow::decode("member-x", &key, value).is_err();
        assert!(refused(&[]), "no list");
        assert!(refused(&[0]), "an empty list");
        assert!(refused(&[2, 5, 0]), "a position repeated");
        assert!(refused(&[1, 0]), "position 0");
        assert!(refused(&[value.as_slice(), &[0]].concat()), "a byte more");
        assert!(refused(&value[..value.len() - 1]), "cut short");
        let too_many = IndexRow {
            first_version: 1,
            positions: (1..=STREAM_INDEX_ROW_EVENTS_MAX as u64 + 1).collect(),
        };
        assert!(refused(&too_many.encode()));
        assert!(IndexRow::decode("member-x", &key[..5], &value).is_err());
        assert!(IndexRow::decode("member-x", &row_key("member-x", 0), &value).is_err());
    }
}
