//! The stored form of an event (contract "Events (envelopes)") and of command results.
//!
//! # Integrity fields and canonical bytes
//! Every envelope carries `prev_hash` (the hash of the previous event of the whole log),
//! `stream_prev_hash` (the previous event of its stream) and `hash`. The *canonical
//! bytes* of an envelope are its compact JSON with every field except `hash`, in the
//! order `position, stream, version, event_id, type, payload, schema_version,
//! recorded_at, command_id, prev_hash, stream_prev_hash`; `hash` is the SHA-256 of those
//! bytes, lowercase hex. The JSON line `flexledger events` prints is exactly the
//! canonical bytes with `,"hash":"<hex>"` inserted before the final `}`, so anyone can
//! check an event with nothing but a SHA-256 tool. The first event's `prev_hash`, and a
//! stream's first event's `stream_prev_hash`, are 64 zeros. Editing, removing or
//! reordering an event breaks the chain at that position.
//!
//! The payload's bytes are not the domain event's: `crate::codec` defines them per
//! `schema_version` (D35), and an envelope is read through the codec of its version.

use crate::codec::{self, EVENT_SCHEMA_VERSION};
use crate::domain::event::Event;
use crate::domain::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::fmt;
use uuid::Uuid;

/// A SHA-256 digest, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// The "no previous event" link.
    pub const ZERO: Sha256 = Sha256([0; 32]);

    pub fn of(bytes: &[u8]) -> Sha256 {
        Sha256(sha2::Sha256::digest(bytes).into())
    }

    pub fn parse_hex(text: &str) -> Option<Sha256> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut digest = [0u8; 32];
        for (index, pair) in bytes.chunks_exact(2).enumerate() {
            let high = char::from(pair[0]).to_digit(16)?;
            let low = char::from(pair[1]).to_digit(16)?;
            if pair.iter().any(u8::is_ascii_uppercase) {
                return None;
            }
            // OK because both digits are < 16, so the value is < 256.
            digest[index] = u8::try_from(high * 16 + low).expect("two hex digits fit a byte");
        }
        Some(Sha256(digest))
    }
}

impl Sha256 {
    /// Lowercase hex digits, written on the stack at once: every envelope's hash text
    /// passes through here (three per event as it is sealed, two per event read),
    /// and a `write!` per byte stood out in profiles of an import.
    pub(crate) fn hex(&self) -> [u8; 64] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 64];
        for (pair, byte) in text.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        text
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.hex();
        // OK because every byte `hex` writes is an ASCII hex digit.
        formatter.write_str(std::str::from_utf8(&text).expect("ASCII hex digits"))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Sha256::parse_hex(&text)
            .ok_or_else(|| serde::de::Error::custom("expected 64 lowercase hex digits"))
    }
}

/// One stored event: where it sits in the log and its stream, why it is there, and the
/// links that make edits evident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// Global position: starts at 1, no gaps.
    pub position: u64,
    /// `member-<uuid>` or `region-<name>`.
    pub stream: String,
    /// Version of the stream after this event: starts at 1, no gaps.
    pub version: u64,
    pub event_id: Uuid,
    pub event: Event,
    pub schema_version: u32,
    /// When the ledger recorded it (UTC). Never used to decide a rule (R1).
    pub recorded_at: DateTime<Utc>,
    /// The command that caused it.
    pub command_id: Uuid,
    /// Hash of the previous event in the log (zeros for position 1).
    pub prev_hash: Sha256,
    /// Hash of the previous event in this stream (zeros for version 1).
    pub stream_prev_hash: Sha256,
    /// SHA-256 of the canonical bytes (module docs).
    pub hash: Sha256,
}

/// The wire shape, borrowed: serialized with `hash: None` it gives the canonical bytes.
#[derive(Serialize)]
struct WireOut<'a> {
    position: u64,
    stream: &'a str,
    version: u64,
    event_id: Uuid,
    #[serde(rename = "type")]
    event_type: &'static str,
    payload: Payload<'a>,
    schema_version: u32,
    recorded_at: &'a DateTime<Utc>,
    command_id: Uuid,
    prev_hash: Sha256,
    stream_prev_hash: Sha256,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<Sha256>,
}

/// An event's payload in the stored types of its envelope's schema version
/// (`crate::codec`: where a stored event's bytes are defined).
struct Payload<'a> {
    event: &'a Event,
    schema_version: u32,
}

impl Serialize for Payload<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        codec::encode(self.event, self.schema_version)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn<'a> {
    position: u64,
    stream: String,
    version: u64,
    event_id: Uuid,
    #[serde(rename = "type", borrow)]
    event_type: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    payload: &'a serde_json::value::RawValue,
    schema_version: u32,
    recorded_at: DateTime<Utc>,
    command_id: Uuid,
    prev_hash: Sha256,
    stream_prev_hash: Sha256,
    #[serde(default)]
    hash: Option<Sha256>,
}

impl Envelope {
    /// A new, not yet sealed envelope: the store fills in the links and the hash.
    pub fn new(
        position: u64,
        version: u64,
        event: Event,
        event_id: Uuid,
        recorded_at: DateTime<Utc>,
        command_id: Uuid,
    ) -> Envelope {
        Envelope {
            position,
            stream: event.stream().name(),
            version,
            event_id,
            event,
            schema_version: EVENT_SCHEMA_VERSION,
            recorded_at,
            command_id,
            prev_hash: Sha256::ZERO,
            stream_prev_hash: Sha256::ZERO,
            hash: Sha256::ZERO,
        }
    }

    fn wire(&self, hash: Option<Sha256>) -> WireOut<'_> {
        WireOut {
            position: self.position,
            stream: &self.stream,
            version: self.version,
            event_id: self.event_id,
            event_type: self.event.type_name(),
            payload: Payload {
                event: &self.event,
                schema_version: self.schema_version,
            },
            schema_version: self.schema_version,
            recorded_at: &self.recorded_at,
            command_id: self.command_id,
            prev_hash: self.prev_hash,
            stream_prev_hash: self.stream_prev_hash,
            hash,
        }
    }

    /// The canonical bytes the hash covers (module docs).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // OK because every field serializes infallibly to JSON (strings, numbers,
        // structs), and the payload's schema version is one this build writes: an
        // envelope is made with the current one (`new`) or decoded from one the codec
        // reads, and the codec writes every version it reads.
        serde_json::to_vec(&self.wire(None)).expect("an envelope always encodes")
    }

    /// Sets the links and computes the hash; returns the canonical bytes.
    pub fn seal(&mut self, prev_hash: Sha256, stream_prev_hash: Sha256) -> Vec<u8> {
        self.prev_hash = prev_hash;
        self.stream_prev_hash = stream_prev_hash;
        let bytes = self.canonical_bytes();
        self.hash = Sha256::of(&bytes);
        bytes
    }

    /// Decodes a full line (with `hash`) or canonical bytes (without): the canonical
    /// bytes are re-encoded from the decoded fields, hashed, and, if the input carried
    /// a hash, compared with it.
    pub fn decode(bytes: &[u8]) -> Result<Envelope, String> {
        let (envelope, claimed) = Envelope::decode_and_hash(bytes)?;
        match claimed {
            Some(claimed) if claimed != envelope.hash => Err(hash_mismatch(claimed, envelope.hash)),
            _ => Ok(envelope),
        }
    }

    /// Decodes a line as `flexledger events` prints it and a bundle or backup carries
    /// it: it must carry its hash, that hash must be its content's, and the line must
    /// be exactly the bytes the ledger prints for that content (its canonical bytes
    /// with `,"hash":"…"` before the final `}`). A line re-spaced, with its keys
    /// reordered or an amount written `600` for `600.00` means the same, but it is not
    /// what the ledger wrote: someone edited it, and `sha256sum` of it no longer gives
    /// its hash (README "Tamper evidence"), so it is refused (found by an auditor's
    /// probe; D72).
    pub fn decode_printed(bytes: &[u8]) -> Result<Envelope, PrintedLineProblem> {
        let (mut envelope, claimed) =
            Envelope::decode_fields(bytes).map_err(PrintedLineProblem::Undecodable)?;
        let Some(claimed) = claimed else {
            return Err(PrintedLineProblem::NoHash);
        };
        let canonical = envelope.canonical_bytes();
        envelope.hash = Sha256::of(&canonical);
        if claimed != envelope.hash {
            return Err(PrintedLineProblem::HashMismatch {
                claimed,
                hash: envelope.hash,
            });
        }
        // OK because canonical bytes are a JSON object: they end in `}`.
        let (body, close) = canonical.split_at(canonical.len() - 1);
        let hash = envelope.hash.hex();
        let printed: [&[u8]; 5] = [body, b",\"hash\":\"", &hash, b"\"", close];
        let as_printed = printed.iter().map(|part| part.len()).sum::<usize>() == bytes.len()
            && printed.concat() == bytes;
        if !as_printed {
            return Err(PrintedLineProblem::NotAsPrinted);
        }
        Ok(envelope)
    }

    /// The envelope `bytes` hold, with the hash of its canonical bytes, and the hash
    /// the bytes claim (if any) for the caller to compare.
    pub fn decode_and_hash(bytes: &[u8]) -> Result<(Envelope, Option<Sha256>), String> {
        let (mut envelope, claimed) = Envelope::decode_fields(bytes)?;
        envelope.hash = Sha256::of(&envelope.canonical_bytes());
        Ok((envelope, claimed))
    }

    /// Decodes bytes the store holds as canonical, whose SHA-256 (`hash`) the caller has
    /// already computed and checked: no re-encoding, the fast path for reads.
    pub fn decode_canonical(bytes: &[u8], hash: Sha256) -> Result<Envelope, String> {
        let (mut envelope, claimed) = Envelope::decode_fields(bytes)?;
        if claimed.is_some() {
            return Err("canonical bytes do not carry a hash field".into());
        }
        envelope.hash = hash;
        Ok(envelope)
    }

    fn decode_fields(bytes: &[u8]) -> Result<(Envelope, Option<Sha256>), String> {
        let wire: WireIn<'_> = serde_json::from_slice(bytes)
            .map_err(|error| format!("envelope does not decode: {error}"))?;
        let event = codec::decode(&wire.event_type, wire.schema_version, wire.payload.get())
            .map_err(|error| error.to_string())?;
        let envelope = Envelope {
            position: wire.position,
            stream: wire.stream,
            version: wire.version,
            event_id: wire.event_id,
            event,
            schema_version: wire.schema_version,
            recorded_at: wire.recorded_at,
            command_id: wire.command_id,
            prev_hash: wire.prev_hash,
            stream_prev_hash: wire.stream_prev_hash,
            hash: Sha256::ZERO,
        };
        Ok((envelope, wire.hash))
    }

    pub fn event_ref(&self) -> EventRef {
        EventRef {
            position: self.position,
            stream: self.stream.clone(),
            version: self.version,
            event_type: self.event.type_name().to_owned(),
        }
    }
}

/// What `decode` says of a line whose hash is not its content's (`restore` words
/// `decode_printed`'s problem from the catalog instead: `backup-invalid-hash-mismatch`).
fn hash_mismatch(claimed: Sha256, hash: Sha256) -> String {
    format!("hash {claimed} does not match the content (SHA-256 {hash})")
}

/// Why a line is not an event as the ledger prints it ([`Envelope::decode_printed`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrintedLineProblem {
    /// Not an envelope: the decoder's words.
    Undecodable(String),
    /// No `hash` field: an event altered and its hash stripped.
    NoHash,
    /// The hash is not the content's.
    HashMismatch { claimed: Sha256, hash: Sha256 },
    /// The content and its hash agree, but the line is not spelled as the ledger
    /// prints it: edited (spacing, key order, number or time format).
    NotAsPrinted,
}

impl Serialize for Envelope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.wire(Some(self.hash)).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let bytes = serde_json::to_vec(&value).map_err(serde::de::Error::custom)?;
        let envelope = Envelope::decode(&bytes).map_err(serde::de::Error::custom)?;
        if value.get("hash").is_none() {
            return Err(serde::de::Error::custom("an envelope carries its hash"));
        }
        Ok(envelope)
    }
}

/// An appended event as a command result lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    #[serde(rename = "type")]
    pub event_type: String,
}

/// What a month close did (contract v2 "Results"): a close lists only its region
/// event, since a region may hold a million members, and this summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseSummary {
    /// Enrolled members visited; absent for a close recorded before v2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
    pub missed: u64,
    pub withdrawn: u64,
}

/// The result of one command (contract "Results").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandResult {
    Accepted {
        events: Vec<EventRef>,
        duplicate: bool,
        /// Only for `close_month`.
        close: Option<CloseSummary>,
    },
    Refused(Refusal),
}

impl CommandResult {
    /// The result of an accepted command whose events are `envelopes` (the first
    /// time, or again for a duplicate): a month close lists only its region's events
    /// and a summary (contract v2); any other command lists every event.
    pub fn accepted(envelopes: &[Envelope], duplicate: bool) -> CommandResult {
        let closed = envelopes.iter().find_map(|envelope| match &envelope.event {
            Event::MonthClosed(closed) => Some(closed),
            _ => None,
        });
        let Some(closed) = closed else {
            return CommandResult::Accepted {
                events: envelopes.iter().map(Envelope::event_ref).collect(),
                duplicate,
                close: None,
            };
        };
        CommandResult::Accepted {
            events: envelopes
                .iter()
                .filter(|envelope| envelope.event.member_id().is_none())
                .map(Envelope::event_ref)
                .collect(),
            duplicate,
            close: Some(CloseSummary {
                members: closed.members_visited,
                missed: closed.members_missed,
                withdrawn: closed.members_withdrawn,
            }),
        }
    }
}

impl CommandResult {
    pub fn is_accepted(&self) -> bool {
        matches!(self, CommandResult::Accepted { .. })
    }
}

#[derive(Serialize, Deserialize)]
struct ResultWire {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<EventRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    close: Option<CloseSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Refusal>,
}

impl Serialize for CommandResult {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let wire = match self {
            CommandResult::Accepted {
                events,
                duplicate,
                close,
            } => ResultWire {
                ok: true,
                events: Some(events.clone()),
                duplicate: Some(*duplicate),
                close: *close,
                error: None,
            },
            CommandResult::Refused(refusal) => ResultWire {
                ok: false,
                events: None,
                duplicate: None,
                close: None,
                error: Some(refusal.clone()),
            },
        };
        wire.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CommandResult {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = ResultWire::deserialize(deserializer)?;
        match (wire.ok, wire.events, wire.error) {
            (true, Some(events), None) => Ok(CommandResult::Accepted {
                events,
                duplicate: wire.duplicate.unwrap_or(false),
                close: wire.close,
            }),
            (false, None, Some(error)) => Ok(CommandResult::Refused(error)),
            _ => Err(serde::de::Error::custom(
                "a result has ok:true with events, or ok:false with error",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::DeductionChanged;

    #[test]
    fn the_printed_line_is_the_canonical_bytes_plus_the_hash() {
        let event = Event::DeductionStopped(DeductionChanged {
            member_id: Uuid::from_u128(7),
        });
        let recorded_at = DateTime::parse_from_rfc3339("2026-01-10T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut envelope = Envelope::new(
            3,
            2,
            event,
            Uuid::from_u128(1),
            recorded_at,
            Uuid::from_u128(2),
        );
        let canonical = envelope.seal(Sha256::of(b"previous"), Sha256::ZERO);
        let line = serde_json::to_string(&envelope).unwrap();
        let expected = format!(
            "{},\"hash\":\"{}\"}}",
            std::str::from_utf8(&canonical[..canonical.len() - 1]).unwrap(),
            envelope.hash
        );
        assert_eq!(line, expected);
        assert_eq!(Envelope::decode(line.as_bytes()).unwrap(), envelope);
        let edited = line.replace("\"version\":2", "\"version\":3");
        assert!(Envelope::decode(edited.as_bytes())
            .unwrap_err()
            .contains("does not match"));
        // A bundle's event must carry its hash, the right one, in the line as printed.
        assert_eq!(
            Envelope::decode_printed(line.as_bytes()),
            Ok(envelope.clone())
        );
        assert!(matches!(
            Envelope::decode_printed(edited.as_bytes()),
            Err(PrintedLineProblem::HashMismatch { .. })
        ));
        assert_eq!(
            Envelope::decode_printed(&canonical),
            Err(PrintedLineProblem::NoHash)
        );
        let respaced = line.replacen("\"version\":2", "\"version\": 2", 1);
        assert_eq!(Envelope::decode(respaced.as_bytes()), Ok(envelope));
        assert_eq!(
            Envelope::decode_printed(respaced.as_bytes()),
            Err(PrintedLineProblem::NotAsPrinted)
        );
    }
}
