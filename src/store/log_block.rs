//! sled's log in blocks: one key holds up to [`LOG_BLOCK_EVENTS_MAX`] consecutive
//! entries of one append, keyed by the position of the first.
//!
//! Why blocks: sled 0.34.7 splits a leaf at 16 keys and keeps, for every page of its
//! tree, a page-table entry with the disk location of each of the page's fragments,
//! in memory for as long as the store is open, and rebuilds all of them on every open.
//! With one key per event, that metadata grew with the log: opening a store of 4.8
//! million events (flexledger-bench's 210,000 members × 24 months) took 4.7 s and
//! 448 MB before the first answer, and a month close of a million members left a
//! server ~70 MiB larger than before it, for good. A block of 16 events is one key
//! instead of 16, so the log's share of those pages shrinks sixteenfold.
//!
//! A block is written once, whole, in the batch that appends its events, and never
//! rewritten: an append starts new blocks (a one-command append writes a block of
//! its own events), so a stored entry's bytes never change after they are durable.
//!
//! Each entry is byte for byte what an `L` key held (the SHA-256, then
//! `log_entry`'s compact layout), so every check made on an entry read from an `L`
//! key is made on an entry read from a block. Stores written by older builds keep
//! their `L` keys, one per event, and are read as they are, never converted: every
//! `L` position comes before every block's (a build with blocks never writes `L`).

use super::checked_reads::corrupt;
use super::findings::{self, BlockProblem};
use super::log_entry::{push_varint, take_varint};
use super::StoreError;

/// Key prefix of the log's blocks: `B`, then the first entry's position (u64 BE).
pub const PREFIX_LOG_BLOCK: u8 = b'B';
/// Entries one block holds, at most: sled splits a leaf at 16 keys, so a block of 16
/// makes one leaf of blocks hold ~256 events. A read of one event decodes its block
/// only up to that event.
pub const LOG_BLOCK_EVENTS_MAX: usize = 16;
/// Bytes of entries one block holds, at most, unless its one entry is larger: keeps
/// a leaf of blocks (and sled's rewrite of it) well under sled's blob threshold of
/// 128 KiB. A compact entry is ~250 bytes, so a block usually fills by count.
pub const LOG_BLOCK_BYTES_MAX: usize = 8 * 1024;
/// The block value's first byte: its layout (`[1] count (varint) {length (varint)
/// entry}*`).
const BLOCK_FORMAT_1: u8 = 1;

/// The key of the block whose first entry is at `first`.
pub fn block_key(first: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = PREFIX_LOG_BLOCK;
    key[1..].copy_from_slice(&first.to_be_bytes());
    key
}

/// The keys among which the block that holds `position` (if any does) is the last: a
/// block holds at most `LOG_BLOCK_EVENTS_MAX` entries, so it starts at most that many
/// minus one positions before. A forward scan of these few keys finds it (sled 0.34.7's
/// reverse iteration is slower).
pub fn keys_up_to(position: u64) -> std::ops::RangeInclusive<[u8; 9]> {
    let earliest = position
        .saturating_sub(LOG_BLOCK_EVENTS_MAX as u64 - 1)
        .max(1);
    block_key(earliest)..=block_key(position)
}

/// The blocks that store `entries` (consecutive positions, in order, as one append
/// makes them): up to `LOG_BLOCK_EVENTS_MAX` entries and `LOG_BLOCK_BYTES_MAX` bytes
/// each, as (key, value).
pub fn encode<'a>(entries: impl IntoIterator<Item = (u64, &'a [u8])>) -> Vec<([u8; 9], Vec<u8>)> {
    let mut blocks = Vec::new();
    let mut current: Vec<&[u8]> = Vec::new();
    let mut first = 0;
    let mut bytes = 0;
    let mut next = None;
    for (position, entry) in entries {
        assert!(
            next.is_none_or(|expected| expected == position),
            "a block's entries are consecutive positions"
        );
        next = Some(position + 1);
        let full = current.len() == LOG_BLOCK_EVENTS_MAX
            || (!current.is_empty() && bytes + entry.len() > LOG_BLOCK_BYTES_MAX);
        if full {
            blocks.push((block_key(first), block_value(&current)));
            current.clear();
        }
        if current.is_empty() {
            first = position;
            bytes = 0;
        }
        current.push(entry);
        bytes += entry.len();
    }
    if !current.is_empty() {
        blocks.push((block_key(first), block_value(&current)));
    }
    blocks
}

fn block_value(entries: &[&[u8]]) -> Vec<u8> {
    let length: usize = entries.iter().map(|entry| entry.len() + 3).sum();
    let mut value = Vec::with_capacity(length + 3);
    value.push(BLOCK_FORMAT_1);
    // OK because a usize always fits in a u64 on the platforms Rust supports.
    push_varint(&mut value, entries.len() as u64);
    for entry in entries {
        push_varint(&mut value, entry.len() as u64);
        value.extend_from_slice(entry);
    }
    value
}

/// One stored block, decoded: its entries' bytes in position order.
pub struct Block<'a> {
    pub first: u64,
    pub entries: Vec<&'a [u8]>,
}

impl<'a> Block<'a> {
    /// The block stored under `key` as `value`. Anything but a known format, a count
    /// of 1 to `LOG_BLOCK_EVENTS_MAX` non-empty entries and no byte left over is
    /// damage, named at the block's first position.
    pub fn decode(key: &[u8], value: &'a [u8]) -> Result<Block<'a>, StoreError> {
        let first = key
            .get(1..)
            .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
            .map(u64::from_be_bytes)
            .filter(|first| *first > 0)
            .ok_or_else(|| corrupt(0, findings::block_key(key.len())))?;
        let damaged = |problem: BlockProblem| corrupt(first, findings::block(first, problem));
        let varint = |problem| damaged(BlockProblem::Varint(problem));
        let (format, mut rest) = value
            .split_first()
            .ok_or_else(|| damaged(BlockProblem::Empty))?;
        if *format != BLOCK_FORMAT_1 {
            return Err(damaged(BlockProblem::Format(*format)));
        }
        let count = take_varint(&mut rest).map_err(varint)?;
        if count == 0 || count > LOG_BLOCK_EVENTS_MAX as u64 {
            let max = LOG_BLOCK_EVENTS_MAX;
            return Err(damaged(BlockProblem::Count { count, max }));
        }
        let mut entries = Vec::with_capacity(LOG_BLOCK_EVENTS_MAX);
        for _ in 0..count {
            let length = take_varint(&mut rest).map_err(varint)?;
            let entry = usize::try_from(length)
                .ok()
                .filter(|length| *length > 0)
                .and_then(|length| rest.get(..length))
                .ok_or_else(|| damaged(BlockProblem::CutShort(entries.len())))?;
            rest = &rest[entry.len()..];
            entries.push(entry);
        }
        if !rest.is_empty() {
            return Err(damaged(BlockProblem::Extra(rest.len())));
        }
        Ok(Block { first, entries })
    }

    /// The block's last entry and its position.
    pub fn last(&self) -> (u64, &'a [u8]) {
        // OK because a decoded block holds 1 to LOG_BLOCK_EVENTS_MAX entries.
        let last = *self.entries.last().expect("a decoded block is not empty");
        (self.first + self.entries.len() as u64 - 1, last)
    }

    /// The entry at `position`, if the block holds it.
    pub fn entry(&self, position: u64) -> Option<&'a [u8]> {
        let index = usize::try_from(position.checked_sub(self.first)?).ok()?;
        self.entries.get(index).copied()
    }

    /// The block's stored value with the entry at `position` replaced by `entry`
    /// (`None` if the block does not hold `position`): for tools that show what a
    /// read finds after an edit below the ledger (`examples/tamper.rs`).
    pub fn replaced(&self, position: u64, entry: &'a [u8]) -> Option<Vec<u8>> {
        let index = usize::try_from(position.checked_sub(self.first)?).ok()?;
        let mut entries = self.entries.clone();
        *entries.get_mut(index)? = entry;
        Some(block_value(&entries))
    }

    /// (position, entry bytes) of every entry, in order.
    pub fn positioned(&self) -> impl Iterator<Item = (u64, &'a [u8])> + '_ {
        (self.first..).zip(self.entries.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(first: u64, count: usize, length: usize) -> Vec<(u64, Vec<u8>)> {
        (0..count)
            .map(|index| (first + index as u64, vec![index as u8 + 1; length]))
            .collect()
    }

    #[test]
    fn blocks_hold_every_entry_once_in_order_within_both_limits() {
        for (count, length) in [
            (1, 10),
            (16, 10),
            (17, 10),
            (40, 300),
            (5, 5000),
            (3, 20000),
        ] {
            let entries = entries(7, count, length);
            let blocks = encode(entries.iter().map(|(p, e)| (*p, e.as_slice())));
            let mut read = Vec::new();
            for (key, value) in &blocks {
                let block = Block::decode(key, value).unwrap();
                assert!(block.entries.len() <= LOG_BLOCK_EVENTS_MAX);
                let bytes: usize = block.entries.iter().map(|e| e.len()).sum();
                assert!(block.entries.len() == 1 || bytes <= LOG_BLOCK_BYTES_MAX);
                let (last, entry) = block.last();
                assert_eq!(block.entry(last), Some(entry));
                assert_eq!(block.entry(last + 1), None);
                read.extend(block.positioned().map(|(p, e)| (p, e.to_vec())));
            }
            assert_eq!(read, entries, "{count} entries of {length} bytes");
        }
    }

    #[test]
    fn a_damaged_block_is_named_at_its_first_position() {
        let entries = entries(40, 3, 10);
        let (key, value) = encode(entries.iter().map(|(p, e)| (*p, e.as_slice())))
            .pop()
            .unwrap();
        let cut = &value[..value.len() - 1];
        let extra = [value.as_slice(), &[0]].concat();
        let mut unknown = value.clone();
        unknown[0] = 9;
        let mut zero = value.clone();
        zero[1] = 0;
        for damaged in [cut, &extra, &unknown, &zero, &[][..]] {
            match Block::decode(&key, damaged) {
                Err(StoreError::Corrupt { position, .. }) => assert_eq!(position, 40),
                other => panic!("{other:?}", other = other.map(|b| b.first)),
            }
        }
    }
}
