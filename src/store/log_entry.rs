//! The stored form of one log entry: the event's hash, then its fields in a compact
//! binary layout from which the canonical bytes (`envelope` module docs) are rebuilt
//! exactly, byte for byte, and hashed again on every read.
//!
//! Why not the canonical JSON itself: two thirds of it is field names, hex digits
//! and hyphenated ids (`prev_hash` and `stream_prev_hash` alone are 160 bytes). The log
//! is most of what the ledger stores, and every stored byte is copied again as the
//! engine compacts its pages; the compact entry is ~40% smaller.
//!
//! Layout, format 2 (written since 2026-11-30):
//! - hash(32), the SHA-256 of the canonical bytes;
//! - `0x02` (format), prev_hash(32), stream_prev_hash(32), event_id(16), command_id(16);
//! - version and schema_version as varints (LEB128);
//! - the stream: `0x01` and the member's id (16) for `member-<id>`, else `0x00`, then
//!   length(1) and UTF-8 text;
//! - the type: its code in [`EVENT_TYPE_CODES`] (1..), else `0x00`, length(1), text;
//! - recorded_at: `0x01`, the seconds since 1970 (zigzag varint) and the nanoseconds
//!   (varint) when `write_recorded_at` writes exactly the text serde wrote, else
//!   `0x00`, length(1), text;
//! - then the payload's canonical JSON to the end (as `crate::codec` writes it for that
//!   schema version, and reads it back).
//!
//! Format 1 (2026-11-29 to 30) has the same hashes and ids, then version(8),
//! schema_version(4), and stream, type and recorded_at each as length(1) and text:
//! ~75 bytes more per event, in the record every event writes. Entries written before
//! both hold hash(32) then the canonical JSON, which starts with `{`. Every layout is
//! read, so a store keeps every entry it ever wrote as it was written. The position is
//! the entry's key, not part of the value. Whatever the layout, the canonical bytes
//! rebuilt from it are checked against the hash on every read, and sealing checks the
//! rebuild before anything is written (`encode`).

use super::envelope::{Envelope, Sha256};
use super::{findings, DamageDetail};
use crate::codec;
use chrono::{DateTime, FixedOffset, Utc};
use std::borrow::Cow;
use uuid::Uuid;

/// Bytes of the hash stored first in every entry.
pub const HASH_BYTES: usize = 32;
/// The byte after the hash in a format 1 compact entry (a canonical JSON entry has `{`
/// there).
const FORMAT_COMPACT: u8 = 1;
/// The byte after the hash in a format 2 compact entry.
const FORMAT_COMPACT_2: u8 = 2;
/// The event types' codes in a format 2 entry: a type's code is its place here plus
/// one. **Append only**: a code, once written, names its type forever. A type not
/// listed is written as text.
pub const EVENT_TYPE_CODES: [&str; 14] = [
    "PolicyPublished",
    "MonthClosed",
    "MemberEnrolled",
    "ContributionPaid",
    "ContributionMissed",
    "DeductionStopped",
    "DeductionResumed",
    "MemberWithdrawn",
    "MemberReenrolled",
    "BaseChanged",
    "ContributionRefunded",
    "SubsidyGranted",
    "SubsidyRevoked",
    "SubsidyPaid",
];
/// Fixed-size fields after the format byte of a format 2 entry: two hashes, two ids.
const FIXED_BYTES_2: usize = 32 + 32 + 16 + 16;
/// The prefix of a member's stream name.
const MEMBER_STREAM_PREFIX: &str = "member-";
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
    /// Borrowed from a format 1 entry; built from a member's id in format 2.
    stream: Cow<'a, str>,
    event_type: &'a str,
    /// Borrowed from a format 1 entry; written from the time in format 2.
    recorded_at: Cow<'a, str>,
    /// The time `recorded_at` stands for, when the entry stores it as a time (format
    /// 2): a read takes it as it is, not by parsing the text written from it.
    time: Option<DateTime<Utc>>,
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
        stream: Cow::Borrowed(envelope.stream.as_str()),
        event_type: envelope.event.type_name(),
        recorded_at: Cow::Borrowed(recorded_at.trim_matches('"')),
        time: None,
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
    let mut value = Vec::with_capacity(HASH_BYTES + 1 + FIXED_BYTES_2 + 64 + compact.payload.len());
    value.extend_from_slice(&hash.0);
    value.push(FORMAT_COMPACT_2);
    value.extend_from_slice(&compact.prev_hash.0);
    value.extend_from_slice(&compact.stream_prev_hash.0);
    value.extend_from_slice(compact.event_id.as_bytes());
    value.extend_from_slice(compact.command_id.as_bytes());
    push_varint(&mut value, compact.version);
    push_varint(&mut value, u64::from(compact.schema_version));
    match member_of_stream(&compact.stream) {
        Some(member_id) => {
            value.push(1);
            value.extend_from_slice(member_id.as_bytes());
        }
        None => push_tagged_text(&mut value, &compact.stream),
    }
    match EVENT_TYPE_CODES
        .iter()
        .position(|name| *name == compact.event_type)
    {
        // OK because the table has 14 entries, far below 255.
        Some(index) => value.push(u8::try_from(index + 1).expect("a small table")),
        None => push_tagged_text(&mut value, compact.event_type),
    }
    match time_of_recorded_at(&compact.recorded_at) {
        Some((seconds, nanoseconds)) => {
            value.push(1);
            push_varint(&mut value, zigzag(seconds));
            push_varint(&mut value, u64::from(nanoseconds));
        }
        None => push_tagged_text(&mut value, &compact.recorded_at),
    }
    value.extend_from_slice(compact.payload.as_bytes());
    let rebuilt = canonical_of(position, &value);
    assert_eq!(
        rebuilt.as_deref().map_err(|problem| problem.to_string()),
        Ok(canonical),
        "the compact entry rebuilds the canonical bytes"
    );
    value
}

/// The hash stored in `value` (either layout).
pub fn stored_hash(value: &[u8]) -> Result<Sha256, EntryProblem> {
    let stored = value.get(..HASH_BYTES).ok_or(EntryProblem::NoHash)?;
    // OK because the slice is exactly HASH_BYTES long.
    Ok(Sha256(stored.try_into().expect("32 bytes")))
}

/// The canonical bytes of the entry stored at `position` (either layout), unchecked:
/// what an auditor would hash.
pub fn canonical_of(position: u64, value: &[u8]) -> Result<Cow<'_, [u8]>, EntryProblem> {
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

fn entry_of(value: &[u8]) -> Result<Entry<'_>, EntryProblem> {
    let body = value
        .get(HASH_BYTES..)
        .filter(|body| !body.is_empty())
        .ok_or(EntryProblem::NoEvent)?;
    match body[0] {
        FORMAT_COMPACT => Ok(Entry::Compact(parse(&body[1..])?)),
        FORMAT_COMPACT_2 => Ok(Entry::Compact(parse_2(&body[1..])?)),
        _ => Ok(Entry::Canonical(body)),
    }
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
pub fn decode(position: u64, value: &[u8]) -> Result<Envelope, DamageDetail> {
    let hash = stored_hash(value)?;
    let compact = match entry_of(value)? {
        Entry::Canonical(body) => return decode_canonical_entry(position, body, hash),
        Entry::Compact(compact) => compact,
    };
    let computed = Sha256::of(&compact_canonical(position, &compact));
    if computed != hash {
        return Err(findings::altered(hash, computed));
    }
    let event = codec::decode(compact.event_type, compact.schema_version, compact.payload)
        .map_err(|error| DamageDetail::from(error.to_string()))?;
    let recorded_at = match compact.time {
        Some(time) => {
            // Pair assertion (every test's reads): the stored time is what the text
            // written from it reads as.
            debug_assert_eq!(Ok(time), parse_recorded_at(&compact.recorded_at));
            time
        }
        None => parse_recorded_at(&compact.recorded_at)?,
    };
    Ok(Envelope {
        position,
        stream: compact.stream.into_owned(),
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
fn decode_canonical_entry(
    position: u64,
    body: &[u8],
    hash: Sha256,
) -> Result<Envelope, DamageDetail> {
    let computed = Sha256::of(body);
    if computed != hash {
        return Err(findings::altered(hash, computed));
    }
    let envelope = Envelope::decode_canonical(body, hash)?;
    if envelope.position != position {
        return Err(EntryProblem::OtherPosition(envelope.position).into());
    }
    Ok(envelope)
}

/// An entry's `recorded_at` as chrono reads RFC 3339. Every read of an event does
/// this, so the form this build writes (`2026-11-29T12:55:04.774497100Z`) goes first
/// to chrono's dedicated RFC 3339 parser, about 5× cheaper than its general one
/// (16 against 81 ns a timestamp here; the general one was 8% of a member fold's
/// instructions besides the SHA-256, by callgrind). What that parser refuses goes to
/// the general parser, so the result and any error are the general parser's.
fn parse_recorded_at(text: &str) -> Result<DateTime<Utc>, EntryProblem> {
    if let Some(utc) = parse_utc_as_written(text) {
        return Ok(utc);
    }
    text.parse::<DateTime<FixedOffset>>()
        .map(|time| time.with_timezone(&Utc))
        .map_err(EntryProblem::RecordedAt)
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
    match entry_of(value).map_err(|problem| problem.to_string())? {
        Entry::Canonical(body) => {
            let head: Head = serde_json::from_slice(body).map_err(|error| error.to_string())?;
            Ok((head.stream, head.version))
        }
        Entry::Compact(compact) => Ok((compact.stream.into_owned(), compact.version)),
    }
}

fn parse(bytes: &[u8]) -> Result<Compact<'_>, EntryProblem> {
    let fixed = bytes.get(..FIXED_BYTES).ok_or(EntryProblem::CutShort)?;
    let mut rest = &bytes[FIXED_BYTES..];
    let mut texts = [""; 3];
    for text in &mut texts {
        *text = take_text(&mut rest)?;
    }
    let payload = std::str::from_utf8(rest).map_err(|_| EntryProblem::PayloadNotUtf8)?;
    // OK because `fixed` is FIXED_BYTES long, so every sub-slice has its exact size.
    let array = |from: usize, to: usize| -> &[u8] { &fixed[from..to] };
    Ok(Compact {
        prev_hash: Sha256(array(0, 32).try_into().expect("32 bytes")),
        stream_prev_hash: Sha256(array(32, 64).try_into().expect("32 bytes")),
        version: u64::from_be_bytes(array(64, 72).try_into().expect("8 bytes")),
        event_id: Uuid::from_bytes(array(72, 88).try_into().expect("16 bytes")),
        command_id: Uuid::from_bytes(array(88, 104).try_into().expect("16 bytes")),
        schema_version: u32::from_be_bytes(array(104, 108).try_into().expect("4 bytes")),
        stream: Cow::Borrowed(texts[0]),
        event_type: texts[1],
        recorded_at: Cow::Borrowed(texts[2]),
        time: None,
        payload,
    })
}

/// The fields of a format 2 entry (after its format byte).
fn parse_2(bytes: &[u8]) -> Result<Compact<'_>, EntryProblem> {
    let fixed = bytes.get(..FIXED_BYTES_2).ok_or(EntryProblem::CutShort)?;
    let mut rest = &bytes[FIXED_BYTES_2..];
    // OK because `fixed` is FIXED_BYTES_2 long, so every sub-slice has its exact size.
    let array = |from: usize, to: usize| -> &[u8] { &fixed[from..to] };
    let version = take_varint(&mut rest)?;
    let schema_version = u32::try_from(take_varint(&mut rest)?)
        .map_err(|_| EntryProblem::SchemaVersionOutOfRange)?;
    let stream = match take_byte(&mut rest)? {
        1 => {
            let id = rest.get(..16).ok_or(EntryProblem::CutShort)?;
            rest = &rest[16..];
            // OK because `id` is 16 bytes long.
            let member_id = Uuid::from_bytes(id.try_into().expect("16 bytes"));
            // Pushed, not `format!`ed: `fmt` was 3.5% of a rebuild's `perf` samples here.
            let mut name = String::with_capacity(MEMBER_STREAM_PREFIX.len() + 36);
            name.push_str(MEMBER_STREAM_PREFIX);
            name.push_str(
                member_id
                    .hyphenated()
                    .encode_lower(&mut Uuid::encode_buffer()),
            );
            Cow::Owned(name)
        }
        0 => Cow::Borrowed(take_text(&mut rest)?),
        tag => return Err(EntryProblem::StreamTag(tag)),
    };
    let event_type = match take_byte(&mut rest)? {
        0 => take_text(&mut rest)?,
        code => *EVENT_TYPE_CODES
            .get(usize::from(code) - 1)
            .ok_or(EntryProblem::EventTypeCode(code))?,
    };
    let (recorded_at, time) = match take_byte(&mut rest)? {
        1 => {
            let seconds = unzigzag(take_varint(&mut rest)?);
            let nanoseconds = u32::try_from(take_varint(&mut rest)?)
                .map_err(|_| EntryProblem::NanosecondsOutOfRange)?;
            let time = utc_as_written(seconds, nanoseconds).ok_or(EntryProblem::TimeOutOfRange)?;
            (Cow::Owned(write_utc(&time)), Some(time))
        }
        0 => (Cow::Borrowed(take_text(&mut rest)?), None),
        tag => return Err(EntryProblem::RecordedAtTag(tag)),
    };
    let payload = std::str::from_utf8(rest).map_err(|_| EntryProblem::PayloadNotUtf8)?;
    Ok(Compact {
        prev_hash: Sha256(array(0, 32).try_into().expect("32 bytes")),
        stream_prev_hash: Sha256(array(32, 64).try_into().expect("32 bytes")),
        version,
        event_id: Uuid::from_bytes(array(64, 80).try_into().expect("16 bytes")),
        command_id: Uuid::from_bytes(array(80, 96).try_into().expect("16 bytes")),
        schema_version,
        stream,
        event_type,
        recorded_at,
        time,
        payload,
    })
}

/// The member whose stream is named `stream`, if it is a member's stream named exactly
/// as `StreamId::name` names it (so the name is rebuilt byte for byte).
fn member_of_stream(stream: &str) -> Option<Uuid> {
    let id = stream.strip_prefix(MEMBER_STREAM_PREFIX)?;
    let member_id = Uuid::parse_str(id).ok()?;
    let same = id
        == member_id
            .hyphenated()
            .encode_lower(&mut Uuid::encode_buffer());
    same.then_some(member_id)
}

/// `0x00`, then a length byte and the text.
fn push_tagged_text(out: &mut Vec<u8>, text: &str) {
    out.push(0);
    // OK because stream names are at most 7 + 64 bytes, type names and RFC 3339
    // timestamps shorter still.
    out.push(u8::try_from(text.len()).expect("short field fits a length byte"));
    out.extend_from_slice(text.as_bytes());
}

fn take_byte(rest: &mut &[u8]) -> Result<u8, EntryProblem> {
    let (&byte, after) = rest.split_first().ok_or(EntryProblem::CutShort)?;
    *rest = after;
    Ok(byte)
}

/// A length byte and that much UTF-8 text.
fn take_text<'a>(rest: &mut &'a [u8]) -> Result<&'a str, EntryProblem> {
    let length = usize::from(take_byte(rest)?);
    let field = rest.get(..length).ok_or(EntryProblem::CutShort)?;
    *rest = &rest[length..];
    std::str::from_utf8(field).map_err(|_| EntryProblem::TextNotUtf8)
}

/// An unsigned LEB128 varint: 7 bits a byte, low first, the high bit set on all but
/// the last.
pub(crate) fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        // OK because the value is masked to 7 bits.
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    // OK because the value is below 0x80 here.
    out.push(value as u8);
}

/// Reads a varint as `push_varint` writes it: at most 10 bytes, none left over, and
/// no byte beyond what the value needs (one value, one encoding).
pub(crate) fn take_varint(rest: &mut &[u8]) -> Result<u64, VarintProblem> {
    let mut value = 0u64;
    for index in 0..10 {
        let byte = take_byte(rest).map_err(|_| VarintProblem::CutShort)?;
        let bits = u64::from(byte & 0x7f);
        if index == 9 && bits > 1 {
            return Err(VarintProblem::OutOfRange);
        }
        value |= bits << (7 * index);
        if byte & 0x80 == 0 {
            if byte == 0 && index > 0 {
                return Err(VarintProblem::Overlong);
            }
            return Ok(value);
        }
    }
    Err(VarintProblem::OutOfRange)
}

/// Why a varint does not decode: said inside an entry's finding (`EntryProblem`) and
/// a log block's (`findings::block`), each a sentence of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarintProblem {
    /// The bytes end before the varint does.
    CutShort,
    /// Beyond 64 bits.
    OutOfRange,
    /// Written longer than its value needs.
    Overlong,
}

impl From<VarintProblem> for EntryProblem {
    fn from(problem: VarintProblem) -> EntryProblem {
        match problem {
            VarintProblem::CutShort => EntryProblem::CutShort,
            problem => EntryProblem::Varint(problem),
        }
    }
}

/// Why a stored log entry's bytes do not decode (before its hash is even checked):
/// said as a sentence of the catalog (`findings::entry`, `store-found-entry-*`), so a
/// Chinese reader of a damage report reads it in Chinese; `Display` is its English,
/// the damage report's `message`.
#[derive(Debug, PartialEq, Eq)]
pub enum EntryProblem {
    /// Shorter than the hash every entry starts with.
    NoHash,
    /// A hash and nothing after it.
    NoEvent,
    /// A compact entry whose bytes end before its fields do.
    CutShort,
    /// A text field of a compact entry that is not UTF-8.
    TextNotUtf8,
    /// A compact entry's payload that is not UTF-8.
    PayloadNotUtf8,
    /// A schema version beyond 32 bits.
    SchemaVersionOutOfRange,
    /// A stream written neither as a member's id nor as text.
    StreamTag(u8),
    /// An event type code not in [`EVENT_TYPE_CODES`].
    EventTypeCode(u8),
    /// `recorded_at` written neither as a time nor as text.
    RecordedAtTag(u8),
    /// `recorded_at`'s nanoseconds beyond 32 bits.
    NanosecondsOutOfRange,
    /// `recorded_at`'s time beyond what chrono holds.
    TimeOutOfRange,
    /// `recorded_at` written as text that is no time (chrono's words say why).
    RecordedAt(chrono::ParseError),
    /// A varint out of range or written longer than it needs.
    Varint(VarintProblem),
    /// An entry of the canonical JSON layout naming another position than its key.
    OtherPosition(u64),
}

impl std::fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&super::findings::entry(self).to_string())
    }
}

impl std::error::Error for EntryProblem {}

impl From<EntryProblem> for DamageDetail {
    fn from(problem: EntryProblem) -> DamageDetail {
        super::findings::entry(&problem)
    }
}

fn zigzag(value: i64) -> u64 {
    // OK because this is the zigzag mapping: the sign moves to the lowest bit.
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    // OK because this inverts `zigzag`.
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// The time `text` stands for, if `write_recorded_at` writes it back as exactly
/// `text` (so the stored time rebuilds the canonical bytes); `None` keeps the text.
fn time_of_recorded_at(text: &str) -> Option<(i64, u32)> {
    let time = parse_utc_as_written(text)?;
    let (seconds, nanoseconds) = (time.timestamp(), time.timestamp_subsec_nanos());
    (write_recorded_at(seconds, nanoseconds).as_deref() == Some(text))
        .then_some((seconds, nanoseconds))
}

/// A UTC time as chrono's serde writes it (`2026-11-29T12:55:04.774497100Z`): the
/// fraction in 3, 6 or 9 digits, as few as hold it, none when zero. `None` for a year
/// outside 0..=9999 (chrono adds a sign there) or a leap second.
fn write_recorded_at(seconds: i64, nanoseconds: u32) -> Option<String> {
    utc_as_written(seconds, nanoseconds).map(|time| write_utc(&time))
}

/// The time `seconds` and `nanoseconds` stand for, if `write_utc` writes it as
/// chrono's serde does: `None` for a year outside 0..=9999 or a leap second.
fn utc_as_written(seconds: i64, nanoseconds: u32) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    if nanoseconds >= 1_000_000_000 {
        return None;
    }
    DateTime::<Utc>::from_timestamp(seconds, nanoseconds)
        .filter(|time| (0..=9999).contains(&time.year()))
}

/// `time` as `write_recorded_at` writes it; its year must be 0..=9999
/// (`utc_as_written`).
fn write_utc(time: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let nanoseconds = time.timestamp_subsec_nanos();
    let mut text = String::with_capacity(30);
    let two = |text: &mut String, value: u32| {
        text.push(char::from(b'0' + (value / 10) as u8));
        text.push(char::from(b'0' + (value % 10) as u8));
    };
    // OK because the year is 0..=9999.
    let year = time.year() as u32;
    two(&mut text, year / 100);
    two(&mut text, year % 100);
    text.push('-');
    two(&mut text, time.month());
    text.push('-');
    two(&mut text, time.day());
    text.push('T');
    two(&mut text, time.hour());
    text.push(':');
    two(&mut text, time.minute());
    text.push(':');
    two(&mut text, time.second());
    let (digits, divisor) = match nanoseconds {
        0 => (0, 1),
        n if n % 1_000_000 == 0 => (3, 1_000_000),
        n if n % 1_000 == 0 => (6, 1_000),
        _ => (9, 1),
    };
    if digits > 0 {
        text.push('.');
        // The fraction's digits, zero-padded to `digits` (not `format!`: every read).
        let fraction = nanoseconds / divisor;
        for place in (0..digits).rev() {
            text.push(char::from(b'0' + (fraction / 10u32.pow(place) % 10) as u8));
        }
    }
    text.push('Z');
    text
}

/// The canonical bytes: the compact JSON `serde_json` writes for an envelope without
/// its hash, fields in contract order (`envelope` module docs). Written by hand
/// because every read does this: `fmt` for 64 hex digits a hash was a tenth of a
/// rebuild.
fn write_canonical(position: u64, entry: &Compact<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"position\":");
    push_integer(out, position);
    out.extend_from_slice(b",\"stream\":");
    push_string(out, &entry.stream);
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
    push_string(out, &entry.recorded_at);
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
        // The schema version's varint follows the fixed fields and the version's.
        let at = HASH_BYTES + 1 + FIXED_BYTES_2 + 1;
        assert_eq!(compact[at], 1);
        compact[at] = 2;
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
                                    parse_recorded_at(&text).map_err(|error| error.to_string()),
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
            assert_eq!(
                parse_recorded_at(text).map_err(|error| error.to_string()),
                chrono_reading(text),
                "{text:?}"
            );
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

    /// A format 1 entry of `compact` (what builds of 2026-11-29 to 30 wrote).
    fn format_1(compact: &Compact<'_>, hash: Sha256) -> Vec<u8> {
        let mut value = hash.0.to_vec();
        value.push(FORMAT_COMPACT);
        value.extend_from_slice(&compact.prev_hash.0);
        value.extend_from_slice(&compact.stream_prev_hash.0);
        value.extend_from_slice(&compact.version.to_be_bytes());
        value.extend_from_slice(compact.event_id.as_bytes());
        value.extend_from_slice(compact.command_id.as_bytes());
        value.extend_from_slice(&compact.schema_version.to_be_bytes());
        for text in [&*compact.stream, compact.event_type, &*compact.recorded_at] {
            value.push(u8::try_from(text.len()).unwrap());
            value.extend_from_slice(text.as_bytes());
        }
        value.extend_from_slice(compact.payload.as_bytes());
        value
    }

    #[test]
    fn every_format_reads_as_the_same_envelope_and_format_2_is_the_smallest() {
        let (envelope, canonical, value) = sealed(30_000);
        assert_eq!(value[HASH_BYTES], FORMAT_COMPACT_2);
        let Ok(Entry::Compact(compact)) = entry_of(&value) else {
            panic!("a compact entry")
        };
        let older = format_1(&compact, envelope.hash);
        assert_eq!(decode(30_000, &older), Ok(envelope.clone()));
        assert_eq!(canonical_of(30_000, &older).as_deref(), Ok(&canonical[..]));
        assert!(
            value.len() + 60 < older.len(),
            "{} against {}",
            value.len(),
            older.len()
        );
        assert_eq!(
            stream_and_version(&value),
            Ok((envelope.stream.clone(), envelope.version))
        );
        assert_eq!(
            stream_and_version(&older),
            Ok((envelope.stream.clone(), envelope.version))
        );
    }

    /// A stream that is not a member's, a type not in the table and a time written
    /// otherwise than chrono's serde writes it are kept as text, and rebuild exactly.
    #[test]
    fn fields_the_codes_do_not_cover_are_kept_as_text() {
        let payload = r#"{"region":"demo"}"#;
        for (stream, event_type, recorded_at, time_as_text) in [
            ("region-demo", "MonthClosed", "2026-11-29T12:55:04Z", false),
            (
                "member-7000000-bad",
                "AFutureType",
                "2026-11-29T12:55:04.5Z",
                true,
            ),
            (
                "member-70000000-0000-4000-8000-0000000027DA",
                "MonthClosed",
                "2026-11-29T12:55:04+08:00",
                true,
            ),
            ("region-demo", "MonthClosed", "-0001-12-31T23:59:59Z", true),
        ] {
            let compact = Compact {
                prev_hash: Sha256([1; 32]),
                stream_prev_hash: Sha256([2; 32]),
                version: u64::MAX,
                event_id: Uuid::from_u128(3),
                command_id: Uuid::from_u128(4),
                schema_version: 1,
                stream: Cow::Borrowed(stream),
                event_type,
                recorded_at: Cow::Borrowed(recorded_at),
                time: None,
                payload,
            };
            let canonical = compact_canonical(7, &compact);
            let value = encode(7, &compact, Sha256::of(&canonical), &canonical);
            assert_eq!(canonical_of(7, &value).as_deref(), Ok(&canonical[..]));
            assert!(value.windows(stream.len()).any(|w| w == stream.as_bytes()));
            let kept = value
                .windows(recorded_at.len())
                .any(|w| w == recorded_at.as_bytes());
            assert_eq!(kept, time_as_text, "{recorded_at}");
        }
    }

    #[test]
    fn recorded_at_is_written_back_as_chrono_serde_writes_it() {
        let mut stored = 0;
        for seconds in [
            0,
            1,
            59,
            951_782_400,
            1_764_418_504,
            253_402_300_799,
            -1,
            -62_167_219_200,
        ] {
            for nanoseconds in [0, 1, 999, 1_000, 5_000, 1_000_000, 774_497_100, 999_999_999] {
                let time = DateTime::<Utc>::from_timestamp(seconds, nanoseconds).unwrap();
                let text = serde_json::to_string(&time).unwrap();
                let text = text.trim_matches('"');
                match time_of_recorded_at(text) {
                    Some(parts) => {
                        assert_eq!(parts, (seconds, nanoseconds), "{text}");
                        assert_eq!(
                            write_recorded_at(seconds, nanoseconds).as_deref(),
                            Some(text)
                        );
                        stored += 1;
                    }
                    None => panic!("{text} kept as text"),
                }
            }
        }
        assert_eq!(
            stored,
            8 * 8,
            "every time of years 0 to 9999 is stored as a time"
        );
        assert_eq!(time_of_recorded_at("-0001-12-31T23:59:59Z"), None);
        assert_eq!(write_recorded_at(0, 1_000_000_000), None, "a leap second");
    }

    #[test]
    fn a_varint_has_one_encoding_and_a_bounded_length() {
        for value in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut bytes = Vec::new();
            push_varint(&mut bytes, value);
            let mut rest = &bytes[..];
            assert_eq!(take_varint(&mut rest), Ok(value));
            assert!(rest.is_empty());
        }
        for zig in [0, 1, -1, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(zig)), zig);
        }
        let refused = |bytes: &[u8]| take_varint(&mut &bytes[..]).is_err();
        assert!(refused(&[0x80, 0x00]), "longer than needed");
        assert!(refused(&[0xff; 10]), "beyond 64 bits");
        assert!(refused(&[0x80; 11]));
        assert!(refused(&[0x80]), "cut short");
        assert!(refused(&[]));
    }

    #[test]
    fn a_cut_entry_is_refused_without_a_panic() {
        let (_, _, value) = sealed(5);
        for cut in 0..value.len() {
            assert!(decode(5, &value[..cut]).is_err(), "cut at {cut}");
        }
    }
}
