//! sled's command records in buckets: the records of every command id whose SHA-256
//! begins with the same [`COMMAND_BUCKET_BITS`] bits share one key (or a few, as
//! parts), instead of one key per command.
//!
//! Why buckets: sled 0.34.7 keeps, for every page of its tree, where each of the
//! page's fragments is on disk, in memory for as long as the store is open, and a
//! leaf splits at 16 keys. A key per command made the command records most of the
//! tree's keys (4,821,989 of ~5.84 million after flexledger-bench's 210,000 members ×
//! 24 months), so the process grew by ~26–40 MiB per million commands imported and
//! never gave it back (`docs/performance.md`, *A long import*). With 2^20 buckets the
//! records take at most ~1 million keys however many commands the store holds: raw
//! sled, 5 million records, RSS 90 → 102 MiB with buckets against 104 → 260 MiB with a
//! key each (`docs/performance.md`, *Command records in buckets*).
//!
//! Layout (stored bytes: a format):
//! - key: `c`, the bucket (the first 20 bits of SHA-256 of the command id's 16 bytes,
//!   as a 24-bit big-endian number), the part (u16 big-endian, from 0);
//! - value: the format byte `1`, then records of [`RECORD_BYTES`] each: the command id
//!   (16), its first position (u64 BE), its event count (u64 BE), `1` and its body
//!   digest (32), or `0` and 32 zero bytes for a record kept without a digest (copied
//!   from a store written before contract v2).
//!
//! A part holds at most [`COMMAND_BUCKET_PART_RECORDS_MAX`] records, so a value (and
//! sled's leaf of 16 of them) stays far below sled's 128 KiB blob threshold, whose
//! files sled's flush does not fsync; a bucket grows by parts. Records are only ever
//! added: an append reads the bucket's last part, adds its records and writes it
//! back in the same atomic batch as the events.
//!
//! Stores written by older builds keep their `C` keys, one per command, and are read
//! as they are, never converted: a lookup that misses the buckets reads the `C` key
//! when the store has any (`SledReader`).

use super::checked_reads::corrupt;
use super::findings;
use super::{CommandSpan, Sha256, StoreError};
use sha2::Digest;
use uuid::Uuid;

/// Key prefix of the command buckets.
pub const PREFIX_COMMAND_BUCKET: u8 = b'c';
/// Bits of a command id's SHA-256 that choose its bucket: 2^20 buckets, ~1 million
/// keys at most until a bucket outgrows one part (~33 million commands).
pub const COMMAND_BUCKET_BITS: u32 = 20;
/// Records one part holds, at most: 32 × 65 bytes ≈ 2 KiB, ~33 KiB for a leaf of 16.
pub const COMMAND_BUCKET_PART_RECORDS_MAX: usize = 32;
/// A record's bytes: id, first position, event count, digest flag, digest.
pub const RECORD_BYTES: usize = 16 + 8 + 8 + 1 + 32;
/// The value's first byte: its layout (above).
const BUCKET_FORMAT_1: u8 = 1;
/// `c`, the bucket (3 bytes), the part (2 bytes).
const PART_KEY_BYTES: usize = 6;

/// A bucket: the first `COMMAND_BUCKET_BITS` bits of SHA-256 of the id, as 3 bytes.
pub type Bucket = [u8; 3];

/// The bucket `command_id`'s record is kept in. Hashed, not the id's own first bytes:
/// ids are the clients' (a client may number them), and a bucket must not fill up.
pub fn bucket_of(command_id: Uuid) -> Bucket {
    let digest = sha2::Sha256::digest(command_id.as_bytes());
    let bits = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
        >> (32 - COMMAND_BUCKET_BITS);
    let [_, high, middle, low] = bits.to_be_bytes();
    [high, middle, low]
}

/// The prefix of every part of `bucket`'s keys.
pub fn bucket_prefix(bucket: Bucket) -> [u8; 4] {
    let [high, middle, low] = bucket;
    [PREFIX_COMMAND_BUCKET, high, middle, low]
}

/// The key of `bucket`'s part `part`.
pub fn part_key(bucket: Bucket, part: u16) -> [u8; PART_KEY_BYTES] {
    let mut key = [0u8; PART_KEY_BYTES];
    key[..4].copy_from_slice(&bucket_prefix(bucket));
    key[4..].copy_from_slice(&part.to_be_bytes());
    key
}

/// A part's bucket and number, from its key.
fn parse_key(key: &[u8]) -> Result<(Bucket, u16), StoreError> {
    let whole: [u8; PART_KEY_BYTES] = key
        .try_into()
        .map_err(|_| corrupt(0, findings::command_bucket_key(key.len())))?;
    let [_, high, middle, low, part_high, part_low] = whole;
    Ok((
        [high, middle, low],
        u16::from_be_bytes([part_high, part_low]),
    ))
}

/// The bucket's name in findings: its number in hex, as `c` keys sort.
fn bucket_name(bucket: Bucket) -> String {
    format!("{:02x}{:02x}{:02x}", bucket[0], bucket[1], bucket[2])
}

/// The records of one stored part (`key`, `value`), each checked: the part's layout,
/// and that each id belongs in this bucket (a record elsewhere would never be found,
/// and its command would be taken again as new).
pub fn records(key: &[u8], value: &[u8]) -> Result<Vec<(Uuid, CommandSpan)>, StoreError> {
    let (bucket, _) = parse_key(key)?;
    let Some((&format, body)) = value.split_first() else {
        let found = findings::command_bucket_length(&bucket_name(bucket), 0);
        return Err(corrupt(0, found));
    };
    if format != BUCKET_FORMAT_1 {
        let found = findings::command_bucket_format(&bucket_name(bucket), format);
        return Err(corrupt(0, found));
    }
    if body.len() % RECORD_BYTES != 0 {
        let found = findings::command_bucket_length(&bucket_name(bucket), value.len());
        return Err(corrupt(0, found));
    }
    body.chunks_exact(RECORD_BYTES)
        .map(|record| decode_record(bucket, record))
        .collect()
}

fn decode_record(bucket: Bucket, record: &[u8]) -> Result<(Uuid, CommandSpan), StoreError> {
    let (id, rest) = record.split_at(16);
    // OK because `split_at(16)` left 16 bytes.
    let command_id = Uuid::from_slice(id).expect("16 bytes are an id");
    if bucket_of(command_id) != bucket {
        let found = findings::command_bucket_misplaced(command_id, &bucket_name(bucket));
        return Err(corrupt(0, found));
    }
    let number = |range: std::ops::Range<usize>| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&rest[range]);
        u64::from_be_bytes(bytes)
    };
    let body_digest = match rest[16] {
        0 => None,
        1 => {
            let mut digest = [0u8; 32];
            digest.copy_from_slice(&rest[17..]);
            Some(Sha256(digest))
        }
        _ => {
            let found = findings::command_bucket_flag(command_id, &bucket_name(bucket));
            return Err(corrupt(0, found));
        }
    };
    let span = CommandSpan {
        first_position: number(0..8),
        event_count: number(8..16),
        body_digest,
    };
    Ok((command_id, span))
}

/// Appends one record's bytes to a part's value.
fn encode_record(value: &mut Vec<u8>, command_id: Uuid, span: &CommandSpan) {
    value.extend_from_slice(command_id.as_bytes());
    value.extend_from_slice(&span.first_position.to_be_bytes());
    value.extend_from_slice(&span.event_count.to_be_bytes());
    match &span.body_digest {
        Some(digest) => {
            value.push(1);
            value.extend_from_slice(&digest.0);
        }
        None => {
            value.push(0);
            value.extend_from_slice(&[0u8; 32]);
        }
    }
}

/// A bucket's last stored part, as an append reads it before adding records: its
/// number and stored value; `None` for a bucket with no part yet.
pub type LastPart = Option<(u16, Vec<u8>)>;

/// The parts to write so that `bucket` holds `added` after what `last` holds: the
/// last part filled up to `COMMAND_BUCKET_PART_RECORDS_MAX` records, then new parts.
pub fn parts_to_write(
    bucket: Bucket,
    last: LastPart,
    added: &[(Uuid, CommandSpan)],
) -> Vec<([u8; PART_KEY_BYTES], Vec<u8>)> {
    let (mut part, mut value) = last.unwrap_or((0, vec![BUCKET_FORMAT_1]));
    let mut written = Vec::new();
    for (command_id, span) in added {
        if (value.len() - 1) / RECORD_BYTES >= COMMAND_BUCKET_PART_RECORDS_MAX {
            let full = std::mem::replace(&mut value, vec![BUCKET_FORMAT_1]);
            written.push((part_key(bucket, part), full));
            // A u16 of parts of 32 records is 2 million records in one bucket, ~2
            // trillion commands in all: beyond any ledger.
            part = part
                .checked_add(1)
                .expect("a command bucket holds fewer than 65,536 parts");
        }
        encode_record(&mut value, *command_id, span);
    }
    written.push((part_key(bucket, part), value));
    written
}

/// The part number in `key` (for the append's read of a bucket's last part).
pub fn part_of(key: &[u8]) -> Result<u16, StoreError> {
    parse_key(key).map(|(_, part)| part)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(first_position: u64, digest: Option<Sha256>) -> CommandSpan {
        CommandSpan {
            first_position,
            event_count: 2,
            body_digest: digest,
        }
    }

    /// Ids of one bucket: found by trying, as a client's ids would fall.
    fn ids_in_one_bucket(count: usize) -> (Bucket, Vec<Uuid>) {
        let bucket = bucket_of(Uuid::from_u128(0));
        let ids = (0u128..)
            .map(Uuid::from_u128)
            .filter(|id| bucket_of(*id) == bucket)
            .take(count)
            .collect();
        (bucket, ids)
    }

    #[test]
    fn records_written_read_back_with_and_without_a_digest() {
        let (bucket, ids) = ids_in_one_bucket(2);
        let added = vec![
            (ids[0], span(3, Some(Sha256::of(b"body")))),
            (ids[1], span(5, None)),
        ];
        let written = parts_to_write(bucket, None, &added);
        assert_eq!(written.len(), 1);
        let (key, value) = &written[0];
        assert_eq!(key, &part_key(bucket, 0));
        assert_eq!(records(key, value).unwrap(), added);
    }

    #[test]
    fn a_full_part_is_continued_in_the_next() {
        let max = COMMAND_BUCKET_PART_RECORDS_MAX;
        let (bucket, ids) = ids_in_one_bucket(max + 3);
        let all: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(index, id)| (*id, span(index as u64 + 1, None)))
            .collect();
        let first = parts_to_write(bucket, None, &all[..max - 1]);
        let (_, value) = first.into_iter().next().unwrap();
        let written = parts_to_write(bucket, Some((0, value)), &all[max - 1..]);
        let parts: Vec<_> = written
            .iter()
            .map(|(key, _)| part_of(key).unwrap())
            .collect();
        assert_eq!(parts, vec![0, 1]);
        let read: Vec<_> = written
            .iter()
            .flat_map(|(key, value)| records(key, value).unwrap())
            .collect();
        assert_eq!(read, all);
        assert_eq!(records(&written[0].0, &written[0].1).unwrap().len(), max);
    }

    #[test]
    fn a_record_in_another_bucket_or_a_torn_part_is_damage() {
        let (bucket, ids) = ids_in_one_bucket(1);
        let other = (0u128..)
            .map(Uuid::from_u128)
            .find(|id| bucket_of(*id) != bucket)
            .unwrap();
        let written = parts_to_write(bucket, None, &[(other, span(1, None))]);
        let (key, value) = &written[0];
        let misplaced = records(key, value).unwrap_err().to_string();
        assert!(misplaced.contains(&other.to_string()), "{misplaced}");
        let written = parts_to_write(bucket, None, &[(ids[0], span(1, None))]);
        let (key, value) = &written[0];
        let torn = records(key, &value[..value.len() - 1])
            .unwrap_err()
            .to_string();
        assert!(torn.contains("65-byte"), "{torn}");
        let mut newer = value.clone();
        newer[0] = 2;
        let format = records(key, &newer).unwrap_err().to_string();
        assert!(format.contains("newer"), "{format}");
        let short_key = records(&key[..5], value).unwrap_err().to_string();
        assert!(short_key.contains("5 bytes"), "{short_key}");
    }

    #[test]
    fn buckets_spread_numbered_ids() {
        let buckets: std::collections::HashSet<_> = (0u128..10_000)
            .map(|n| bucket_of(Uuid::from_u128(n)))
            .collect();
        assert!(buckets.len() > 9_900, "{}", buckets.len());
        assert!(buckets.iter().all(|bucket| bucket[0] < 16));
    }
}
