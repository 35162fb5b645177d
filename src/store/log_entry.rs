//! The stored form of one log entry: the event's hash, then its fields in a compact
//! binary layout from which the canonical bytes (`envelope` module docs) are rebuilt
//! exactly, byte for byte, and hashed again on every read.
//!
//! Why not the canonical JSON itself: two thirds of it is field names, hex digits
//! and hyphenated ids (`prev_hash` and `stream_prev_hash` alone are 160 bytes). The log
//! is most of what the ledger stores, and every stored byte is copied again as the
//! engine compacts its pages; the compact entry is ~40% smaller.
//!
//! Layout (integers big-endian):
//! - hash(32), the SHA-256 of the canonical bytes;
//! - `0x01` (format), prev_hash(32), stream_prev_hash(32), version(8), event_id(16),
//!   command_id(16), schema_version(4), then stream, type and recorded_at each as
//!   length(1) and UTF-8 text, then the payload's canonical JSON to the end (as
//!   `crate::codec` writes it for that schema version, and reads it back).
//!
//! Entries written before this layout hold hash(32) then the canonical JSON, which
//! starts with `{`; both are read, so a store keeps every entry it ever wrote as it
//! was written. The position is the entry's key, not part of the value.

use super::envelope::{Envelope, Sha256};
use crate::codec;
use chrono::{DateTime, FixedOffset, Utc};
use std::borrow::Cow;
use uuid::Uuid;

/// Bytes of the hash stored first in every entry.
pub const HASH_BYTES: usize = 32;
/// The byte after the hash in a compact entry (a canonical JSON entry has `{` there).
const FORMAT_COMPACT: u8 = 1;
/// Fixed-size fields after the format byte: two hashes, version, two ids, schema.
const FIXED_BYTES: usize = 32 + 32 + 8 + 16 + 16 + 4;

/// The fields of a compact entry, borrowed from the stored bytes.
struct Compact<'a> {
    prev_hash: Sha256,
    stream_prev_hash: Sha256,
    version: u64,
    event_id: Uuid,
    command_id: Uuid,
    schema_version: u32,
    stream: &'a str,
    event_type: &'a str,
    recorded_at: &'a str,
    payload: &'a str,
}

/// Seals `envelope` after `prev_hash` and `stream_prev_hash` (`Envelope::seal`) and
/// returns its canonical bytes and the value to store, encoding its payload once: the
/// canonical bytes are written from the compact entry's fields by the code every read
/// uses (`write_canonical`), not serialized a second time through serde, which was a
/// tenth of an import's instructions. Debug builds (every test) check them against
/// `Envelope::canonical_bytes`, the contract's serde form.
pub fn seal(
    envelope: &mut Envelope,
    prev_hash: Sha256,
    stream_prev_hash: Sha256,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    envelope.prev_hash = prev_hash;
    envelope.stream_prev_hash = stream_prev_hash;
    let payload = codec::encode_json(&envelope.event, envelope.schema_version)?;
    let recorded_at =
        serde_json::to_string(&envelope.recorded_at).map_err(|error| error.to_string())?;
    let compact = Compact {
        prev_hash,
        stream_prev_hash,
        version: envelope.version,
        event_id: envelope.event_id,
        command_id: envelope.command_id,
        schema_version: envelope.schema_version,
        stream: envelope.stream.as_str(),
        event_type: envelope.event.type_name(),
        recorded_at: recorded_at.trim_matches('"'),
        payload: &payload,
    };
    let canonical = compact_canonical(envelope.position, &compact);
    envelope.hash = Sha256::of(&canonical);
    debug_assert_eq!(
        String::from_utf8_lossy(&canonical),
        String::from_utf8_lossy(&envelope.canonical_bytes()),
        "the canonical bytes written by hand are the contract's"
    );
    let value = encode(envelope.position, &compact, envelope.hash, &canonical);
    Ok((canonical, value))
}

/// The value to store for the entry `compact` at `position`, whose canonical bytes
/// are `canonical` and hash `hash`.
///
/// Pair assertion: the canonical bytes rebuilt from the stored value (parsed back as
/// every read parses it) are exactly `canonical`, checked before anything is written
/// (a difference would be an entry that could never verify again).
fn encode(position: u64, compact: &Compact<'_>, hash: Sha256, canonical: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(HASH_BYTES + 1 + FIXED_BYTES + 96 + compact.payload.len());
    value.extend_from_slice(&hash.0);
    value.push(FORMAT_COMPACT);
    value.extend_from_slice(&compact.prev_hash.0);
    value.extend_from_slice(&compact.stream_prev_hash.0);
    value.extend_from_slice(&compact.version.to_be_bytes());
    value.extend_from_slice(compact.event_id.as_bytes());
    value.extend_from_slice(compact.command_id.as_bytes());
    value.extend_from_slice(&compact.schema_version.to_be_bytes());
    for text in [compact.stream, compact.event_type, compact.recorded_at] {
        // OK because stream names are at most 7 + 64 bytes, type names and RFC 3339
        // timestamps shorter still.
        value.push(u8::try_from(text.len()).expect("short field fits a length byte"));
        value.extend_from_slice(text.as_bytes());
    }
    value.extend_from_slice(compact.payload.as_bytes());
    let rebuilt = canonical_of(position, &value);
    assert_eq!(
        rebuilt.as_deref().map_err(String::as_str),
        Ok(canonical),
        "the compact entry rebuilds the canonical bytes"
    );
    value
}

/// The hash stored in `value` (either layout).
pub fn stored_hash(value: &[u8]) -> Result<Sha256, String> {
    let stored = value
        .get(..HASH_BYTES)
        .ok_or("the log entry is too short to hold a hash")?;
    // OK because the slice is exactly HASH_BYTES long.
    Ok(Sha256(stored.try_into().expect("32 bytes")))
}

/// The canonical bytes of the entry stored at `position` (either layout), unchecked:
/// what an auditor would hash.
pub fn canonical_of(position: u64, value: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    Ok(match entry_of(value)? {
        Entry::Canonical(body) => Cow::Borrowed(body),
        Entry::Compact(compact) => Cow::Owned(compact_canonical(position, &compact)),
    })
}

/// An entry's body in either layout: the canonical JSON as stored, or the fields of a
/// compact entry (parsed, so every text field is checked UTF-8, once).
enum Entry<'a> {
    Canonical(&'a [u8]),
    Compact(Compact<'a>),
}

fn entry_of(value: &[u8]) -> Result<Entry<'_>, String> {
    let body = value
        .get(HASH_BYTES..)
        .filter(|body| !body.is_empty())
        .ok_or("the log entry is too short to hold a hash and an event")?;
    if body[0] != FORMAT_COMPACT {
        return Ok(Entry::Canonical(body));
    }
    Ok(Entry::Compact(parse(&body[1..])?))
}

/// The canonical bytes a compact entry stands for (`write_canonical`).
fn compact_canonical(position: u64, compact: &Compact<'_>) -> Vec<u8> {
    // The canonical JSON adds the field names and the hex and hyphenated forms.
    let mut canonical = Vec::with_capacity(
        FIXED_BYTES
            + compact.stream.len()
            + compact.event_type.len()
            + compact.recorded_at.len()
            + compact.payload.len()
            + 320,
    );
    write_canonical(position, compact, &mut canonical);
    canonical
}

/// Decodes the entry stored at `position`: its canonical bytes must hash to the stored
/// hash (else it was altered), and its fields must decode.
pub fn decode(position: u64, value: &[u8]) -> Result<Envelope, String> {
    let hash = stored_hash(value)?;
    let compact = match entry_of(value)? {
        Entry::Canonical(body) => return decode_canonical_entry(position, body, hash),
        Entry::Compact(compact) => compact,
    };
    let computed = Sha256::of(&compact_canonical(position, &compact));
    if computed != hash {
        return Err(altered(hash, computed));
    }
    let event = codec::decode(compact.event_type, compact.schema_version, compact.payload)
        .map_err(|error| error.to_string())?;
    let recorded_at = parse_recorded_at(compact.recorded_at)?;
    Ok(Envelope {
        position,
        stream: compact.stream.to_owned(),
        version: compact.version,
        event_id: compact.event_id,
        event,
        schema_version: compact.schema_version,
        recorded_at,
        command_id: compact.command_id,
        prev_hash: compact.prev_hash,
        stream_prev_hash: compact.stream_prev_hash,
        hash,
    })
}

/// An entry stored in the canonical JSON layout (written before the compact one).
fn decode_canonical_entry(position: u64, body: &[u8], hash: Sha256) -> Result<Envelope, String> {
    let computed = Sha256::of(body);
    if computed != hash {
        return Err(altered(hash, computed));
    }
    let envelope = Envelope::decode_canonical(body, hash)?;
    if envelope.position != position {
        return Err(format!("envelope claims position {}", envelope.position));
    }
    Ok(envelope)
}

fn altered(stored: Sha256, computed: Sha256) -> String {
    format!("the event's bytes do not match its stored hash {stored} (SHA-256 is {computed}): it was altered")
}

/// An entry's `recorded_at` as chrono reads RFC 3339. Every read of an event does
/// this, so the form this build writes (`2026-11-29T12:55:04.774497100Z`) goes first
/// to chrono's dedicated RFC 3339 parser, about 5× cheaper than its general one
/// (16 against 81 ns a timestamp here; the general one was 8% of a member fold's
/// instructions besides the SHA-256, by callgrind). What that parser refuses goes to
/// the general parser, so the result and any error are the general parser's.
fn parse_recorded_at(text: &str) -> Result<DateTime<Utc>, String> {
    if let Some(utc) = parse_utc_as_written(text) {
        return Ok(utc);
    }
    text.parse::<DateTime<FixedOffset>>()
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| format!("recorded_at does not decode: {error}"))
}

/// `recorded_at` by chrono's RFC 3339 parser; `None` for anything it refuses.
fn parse_utc_as_written(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// The stream and version an entry records, read without checking its hash: for
/// tools that copy or count stored entries (the benchmark's raw ceilings), never for
/// a read that trusts the entry (`decode` checks it).
pub fn stream_and_version(value: &[u8]) -> Result<(String, u64), String> {
    #[derive(serde::Deserialize)]
    struct Head {
        stream: String,
        version: u64,
    }
    let body = value
        .get(HASH_BYTES..)
        .filter(|body| !body.is_empty())
        .ok_or("the log entry is too short to hold a hash and an event")?;
    if body[0] != FORMAT_COMPACT {
        let head: Head = serde_json::from_slice(body).map_err(|error| error.to_string())?;
        return Ok((head.stream, head.version));
    }
    let compact = parse(&body[1..])?;
    Ok((compact.stream.to_owned(), compact.version))
}

fn parse(bytes: &[u8]) -> Result<Compact<'_>, String> {
    let short = || "the compact log entry is cut short".to_owned();
    let fixed = bytes.get(..FIXED_BYTES).ok_or_else(short)?;
    let mut rest = &bytes[FIXED_BYTES..];
    let mut texts = [""; 3];
    for text in &mut texts {
        let (&length, after) = rest.split_first().ok_or_else(short)?;
        let field = after.get(..usize::from(length)).ok_or_else(short)?;
        *text = std::str::from_utf8(field).map_err(|_| "a text field is not UTF-8")?;
        rest = &after[usize::from(length)..];
    }
    let payload = std::str::from_utf8(rest).map_err(|_| "the payload is not UTF-8")?;
    // OK because `fixed` is FIXED_BYTES long, so every sub-slice has its exact size.
    let array = |from: usize, to: usize| -> &[u8] { &fixed[from..to] };
    Ok(Compact {
        prev_hash: Sha256(array(0, 32).try_into().expect("32 bytes")),
        stream_prev_hash: Sha256(array(32, 64).try_into().expect("32 bytes")),
        version: u64::from_be_bytes(array(64, 72).try_into().expect("8 bytes")),
        event_id: Uuid::from_bytes(array(72, 88).try_into().expect("16 bytes")),
        command_id: Uuid::from_bytes(array(88, 104).try_into().expect("16 bytes")),
        schema_version: u32::from_be_bytes(array(104, 108).try_into().expect("4 bytes")),
        stream: texts[0],
        event_type: texts[1],
        recorded_at: texts[2],
        payload,
    })
}

/// The canonical bytes: the compact JSON `serde_json` writes for an envelope without
/// its hash, fields in contract order (`envelope` module docs). Written by hand
/// because every read does this: `fmt` for 64 hex digits a hash was a tenth of a
/// rebuild.
fn write_canonical(position: u64, entry: &Compact<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"position\":");
    push_integer(out, position);
    out.extend_from_slice(b",\"stream\":");
    push_string(out, entry.stream);
    out.extend_from_slice(b",\"version\":");
    push_integer(out, entry.version);
    out.extend_from_slice(b",\"event_id\":");
    push_uuid(out, entry.event_id);
    out.extend_from_slice(b",\"type\":");
    push_string(out, entry.event_type);
    out.extend_from_slice(b",\"payload\":");
    out.extend_from_slice(entry.payload.as_bytes());
    out.extend_from_slice(b",\"schema_version\":");
    push_integer(out, u64::from(entry.schema_version));
    out.extend_from_slice(b",\"recorded_at\":");
    push_string(out, entry.recorded_at);
    out.extend_from_slice(b",\"command_id\":");
    push_uuid(out, entry.command_id);
    out.extend_from_slice(b",\"prev_hash\":\"");
    out.extend_from_slice(&entry.prev_hash.hex());
    out.extend_from_slice(b"\",\"stream_prev_hash\":\"");
    out.extend_from_slice(&entry.stream_prev_hash.hex());
    out.extend_from_slice(b"\"}");
}

/// Decimal digits, as `serde_json` writes an integer: with `itoa`, serde_json's own
/// integer writer (without `fmt`: every read of an event writes three).
fn push_integer(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// A JSON string as serde_json writes it: quoted, escaped only where JSON requires.
fn push_string(out: &mut Vec<u8>, text: &str) {
    if text
        .bytes()
        .any(|byte| byte == b'"' || byte == b'\\' || byte < 0x20)
    {
        // OK because writing a string to a Vec cannot fail.
        serde_json::to_writer(&mut *out, text).expect("a string writes to memory");
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// A quoted id as its serde form writes it: hyphenated, lower case.
fn push_uuid(out: &mut Vec<u8>, id: Uuid) {
    out.push(b'"');
    out.extend_from_slice(
        id.hyphenated()
            .encode_lower(&mut Uuid::encode_buffer())
            .as_bytes(),
    );
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYMENT: &str = r#"{"member_id":"70000000-0000-4000-8000-0000000027da","months":[{"month":"2025-01","amount":"600.00","kind":"on_time"}],"amount":"600.00","paid_on":"2025-01-15","payment_month":"2025-01"}"#;

    /// A payment sealed at `position`: the envelope, its canonical bytes and its stored value.
    fn sealed(position: u64) -> (Envelope, Vec<u8>, Vec<u8>) {
        let event = codec::decode("ContributionPaid", codec::EVENT_SCHEMA_VERSION, PAYMENT)
            .expect("payload decodes");
        let recorded_at = "2026-11-29T12:55:04.774497100Z"
            .parse::<DateTime<Utc>>()
            .expect("time parses");
        let mut envelope = Envelope::new(
            position,
            2,
            event,
            Uuid::from_u128(7),
            recorded_at,
            Uuid::from_u128(9),
        );
        let (canonical, value) =
            seal(&mut envelope, Sha256([3; 32]), Sha256([0xab; 32])).expect("seals");
        (envelope, canonical, value)
    }

    #[test]
    fn sealing_writes_the_contracts_canonical_bytes_and_hash() {
        let (sealed, canonical, _) = sealed(30_000);
        let mut by_serde = sealed.clone();
        let serde_bytes = by_serde.seal(Sha256([3; 32]), Sha256([0xab; 32]));
        assert_eq!(
            String::from_utf8_lossy(&canonical),
            String::from_utf8_lossy(&serde_bytes)
        );
        assert_eq!(sealed.hash, by_serde.hash);
        assert_eq!(sealed.hash, Sha256::of(&canonical));
    }

    #[test]
    fn a_compact_entry_reads_back_as_the_envelope_and_its_canonical_bytes() {
        let (envelope, canonical, value) = sealed(30_000);
        assert!(
            value.len() < HASH_BYTES + canonical.len() * 3 / 4,
            "compact"
        );
        assert_eq!(decode(30_000, &value), Ok(envelope.clone()));
        assert_eq!(canonical_of(30_000, &value).as_deref(), Ok(&canonical[..]));
        // The older layout (hash, canonical JSON) reads as the same envelope.
        let legacy = [&envelope.hash.0[..], &canonical].concat();
        assert_eq!(decode(30_000, &legacy), Ok(envelope));
    }

    #[test]
    fn an_entry_read_at_another_position_or_altered_is_refused() {
        let (_, _, value) = sealed(5);
        assert!(decode(6, &value).is_err_and(|message| message.contains("altered")));
        for at in HASH_BYTES..value.len() {
            let mut altered = value.clone();
            altered[at] ^= 0x01;
            assert!(decode(5, &altered).is_err(), "a flipped bit at byte {at}");
        }
    }

    #[test]
    fn an_entry_of_a_schema_version_this_build_does_not_know_is_refused_by_name() {
        let (_, canonical, mut compact) = sealed(5);
        let text = std::str::from_utf8(&canonical).expect("canonical bytes are UTF-8");
        let newer = text.replace("\"schema_version\":1,", "\"schema_version\":2,");
        assert_ne!(newer, text);
        let legacy = [&Sha256::of(newer.as_bytes()).0[..], newer.as_bytes()].concat();
        let message = decode(5, &legacy).expect_err("a newer version is refused");
        assert!(
            message.contains("written by a newer flexledger"),
            "{message}"
        );
        let at = HASH_BYTES + 1 + FIXED_BYTES - 4;
        compact[at..at + 4].copy_from_slice(&2u32.to_be_bytes());
        compact[..HASH_BYTES].copy_from_slice(&Sha256::of(newer.as_bytes()).0);
        let message = decode(5, &compact).expect_err("a newer version is refused");
        assert!(
            message.contains("written by a newer flexledger"),
            "{message}"
        );
    }

    /// chrono's reading of `recorded_at`, which `parse_recorded_at` must equal.
    fn chrono_reading(text: &str) -> Result<DateTime<Utc>, String> {
        text.parse::<DateTime<FixedOffset>>()
            .map(|time| time.with_timezone(&Utc))
            .map_err(|error| format!("recorded_at does not decode: {error}"))
    }

    #[test]
    fn recorded_at_reads_as_chrono_reads_it() {
        let mut fast = 0;
        for year in ["0000", "1969", "2024", "2025", "9999"] {
            for month in ["00", "01", "02", "12", "13"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    for (hour, minute, second) in [
                        ("00", "00", "00"),
                        ("23", "59", "59"),
                        ("23", "59", "60"),
                        ("24", "00", "00"),
                        ("12", "60", "00"),
                        ("1a", "00", "00"),
                    ] {
                        for fraction in [
                            "",
                            ".",
                            ".1",
                            ".774497",
                            ".774497100",
                            ".7744971009",
                            ".12a",
                        ] {
                            for zone in ["Z", "z", "+00:00", "+08:00", "", "ZZ"] {
                                let text = format!(
                                    "{year}-{month}-{day}T{hour}:{minute}:{second}{fraction}{zone}"
                                );
                                assert_eq!(
                                    parse_recorded_at(&text),
                                    chrono_reading(&text),
                                    "{text}"
                                );
                                fast += usize::from(parse_utc_as_written(&text).is_some());
                            }
                        }
                    }
                }
            }
        }
        assert!(fast > 400, "the usual form is read directly ({fast} times)");
        for text in [
            "",
            "2025-01-01",
            "2025-01-01 00:00:00Z",
            "2025-01-01t00:00:00Z",
            "2025/01/01T00:00:00Z",
            "2025-01-01T00:00:00.Z",
            "+2025-01-01T00:00:00Z",
            "2025-01-01T00:00:00\u{e9}",
            "\u{ff12}025-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_recorded_at(text), chrono_reading(text), "{text:?}");
        }
    }

    #[test]
    fn integers_and_hashes_are_written_as_serde_json_and_sha256_write_them() {
        for value in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            push_integer(&mut out, value);
            assert_eq!(out, serde_json::to_vec(&value).unwrap());
        }
        let hash = Sha256([0x0f, 0xa5, 0x00, 0xff].repeat(8).try_into().unwrap());
        let reference: String = hash.0.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(String::from_utf8(hash.hex().to_vec()).unwrap(), reference);
        assert_eq!(hash.to_string(), reference);
    }

    #[test]
    fn a_cut_entry_is_refused_without_a_panic() {
        let (_, _, value) = sealed(5);
        for cut in 0..value.len() {
            assert!(decode(5, &value[..cut]).is_err(), "cut at {cut}");
        }
    }
}
