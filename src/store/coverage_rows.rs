//! The stored form of the coverage-change feed items of one append: a single row.
//!
//! Why one row per append instead of one per item: every key costs the engine a tree
//! walk, a page delta and, as pages fill, a split. An import writes one coverage
//! change per command, so a key each was a fifth of the keys the ledger wrote per event
//! (`flexledger-bench --census`). The items of one append are read together anyway (a
//! feed page walks them in order), and an append is the unit that becomes durable.
//!
//! Layout (integers big-endian), version 1:
//! `0x01` count(4) then, per item in (position, member id) order:
//! position(8) member-id(16) length(4) value(length)
//!
//! A row is keyed by its first item (position, member id) and holds at most
//! `COVERAGE_ROW_BYTES_MAX` of items in key order; the rows of one position never
//! overlap: an append writes the coverage changes of its own events only, and a month
//! close writes its `MonthClosed`'s ahead of that append in batches in member order
//! (`LogWriter::write_items_ahead`, D90), each batch's rows after the one before.

use uuid::Uuid;

/// The first byte of a version-1 row.
const ROW_FORMAT_V1: u8 = 1;
/// Bytes before each item's value: position, member id and value length.
const ITEM_HEADER_BYTES: usize = 8 + 16 + 4;

/// One coverage change as stored: its position, member and `CoverageChanged` JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageItem {
    pub position: u64,
    pub member_id: Uuid,
    pub value: Vec<u8>,
}

/// Encodes `items` (sorted here into key order: position, then member id bytes).
pub fn encode(items: &mut [CoverageItem]) -> Vec<u8> {
    items.sort_by_key(|item| (item.position, item.member_id));
    let bytes: usize = items
        .iter()
        .map(|item| ITEM_HEADER_BYTES + item.value.len())
        .sum();
    let mut row = Vec::with_capacity(5 + bytes);
    row.push(ROW_FORMAT_V1);
    // OK because an append holds at most a batch of commands' changes, far below 2^32.
    let count = u32::try_from(items.len()).expect("coverage items of one append fit u32");
    row.extend_from_slice(&count.to_be_bytes());
    for item in items.iter() {
        row.extend_from_slice(&item.position.to_be_bytes());
        row.extend_from_slice(item.member_id.as_bytes());
        // OK because one item is a few hundred bytes of JSON.
        let length = u32::try_from(item.value.len()).expect("a coverage item fits u32 bytes");
        row.extend_from_slice(&length.to_be_bytes());
        row.extend_from_slice(&item.value);
    }
    row
}

/// Decodes a row written by `encode`; the error says what is wrong with it.
pub fn decode(row: &[u8]) -> Result<Vec<CoverageItem>, String> {
    let (&format, rest) = row.split_first().ok_or("an empty coverage row")?;
    if format != ROW_FORMAT_V1 {
        return Err(format!(
            "coverage row format {format} is unknown to this build"
        ));
    }
    let (count, mut rest) = take_u32(rest)?;
    let mut items = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(4096));
    for _ in 0..count {
        let (position, after) = take(rest, 8)?;
        let (member, after) = take(after, 16)?;
        let (length, after) = take_u32(after)?;
        let length = usize::try_from(length).map_err(|_| "a value length overflows")?;
        let (value, after) = take(after, length)?;
        // OK because `take` returned exactly 8 and 16 bytes.
        let position = u64::from_be_bytes(position.try_into().expect("8 bytes"));
        let member_id = Uuid::from_bytes(member.try_into().expect("16 bytes"));
        items.push(CoverageItem {
            position,
            member_id,
            value: value.to_vec(),
        });
        rest = after;
    }
    if !rest.is_empty() {
        return Err(format!("{} bytes after the last coverage item", rest.len()));
    }
    Ok(items)
}

fn take(bytes: &[u8], count: usize) -> Result<(&[u8], &[u8]), String> {
    if bytes.len() < count {
        return Err(format!(
            "the coverage row ends {} bytes early",
            count - bytes.len()
        ));
    }
    Ok(bytes.split_at(count))
}

fn take_u32(bytes: &[u8]) -> Result<(u32, &[u8]), String> {
    let (head, rest) = take(bytes, 4)?;
    // OK because `take` returned exactly 4 bytes.
    Ok((u32::from_be_bytes(head.try_into().expect("4 bytes")), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(position: u64, member: u128, value: &str) -> CoverageItem {
        CoverageItem {
            position,
            member_id: Uuid::from_u128(member),
            value: value.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_row_decodes_to_its_items_in_key_order() {
        let mut items = vec![item(9, 2, "{\"b\":1}"), item(7, 5, ""), item(9, 1, "{}")];
        let row = encode(&mut items);
        let decoded = decode(&row).expect("decodes");
        assert_eq!(
            decoded,
            vec![item(7, 5, ""), item(9, 1, "{}"), item(9, 2, "{\"b\":1}")]
        );
    }

    #[test]
    fn a_cut_or_padded_row_is_refused() {
        let row = encode(&mut [item(1, 1, "{\"months\":[]}")]);
        for cut in 0..row.len() {
            assert!(decode(&row[..cut]).is_err(), "cut at {cut}");
        }
        let mut padded = row.clone();
        padded.push(0);
        assert!(decode(&padded).is_err());
    }
}
