//! Where a stored event's bytes are defined: the payload of every event type, per
//! schema version, and the one way between those payloads and the domain's events.
//!
//! The canonical bytes of an envelope (`store::envelope`) are hashed and chained, so a
//! stored payload is a contract. The domain's event types are free to change; the
//! stored types are not:
//! - each schema version is a module of plain serde structs (`v1`), one per event
//!   type, converted to and from the domain's events at this boundary;
//! - a published version is never edited: a change to what an event records is a new
//!   version, i.e. a new module, a new [`EVENT_SCHEMA_VERSION`], and an upcaster from
//!   the previous version's stored types to the new one's, so every version ever
//!   written still reads (`decode` dispatches on the envelope's `schema_version`);
//! - a version this build does not know — a store written by a newer flexledger — is
//!   refused with [`DecodeError::NewerVersion`], never guessed at.
//!
//! Every version this build reads it also writes back byte for byte (an envelope's
//! canonical bytes are rebuilt from its decoded fields and hashed again), so a
//! version's module keeps both directions for as long as stores may hold it.
//!
//! A state row's bytes are defined here too: [`rows`] holds the stored form of every
//! row the ledger keeps beside the log (members, regions, month totals, summaries,
//! feed items, closes in progress), its own types apart from the domain's state and
//! the ledger's, with their encodings.
//! Rows are not versioned like payloads: their layout is the ledger's state format,
//! and a store in an older one has its derived rows rebuilt from the log (D34).
//!
//! What is sent is defined here too: [`wire`] is the JSON of the member coverage, the
//! region month report, a region's policies and the feed's coverage changes, apart
//! from the domain's types and converted to and from them at the edge.
//!
//! `tests/it/stored_formats.rs` decodes every payload of the golden stores through
//! this module and encodes it again to the same bytes, and pins the head hash of the
//! golden commands written by this build; `rows`' tests pin one row of each kind to
//! its bytes.

pub mod rows;
pub mod v1;
pub mod wire;

use crate::domain::event::Event;
use serde::Serialize;
use std::fmt;

/// The schema version this build writes: the newest it knows.
pub const EVENT_SCHEMA_VERSION: u32 = v1::SCHEMA_VERSION;

/// A stored payload could not become a domain event.
#[derive(Debug)]
pub enum DecodeError {
    /// Written by a build that knows a later schema version than this one.
    NewerVersion {
        event_type: String,
        schema_version: u32,
    },
    /// A version no build ever wrote (versions start at 1).
    UnknownVersion {
        event_type: String,
        schema_version: u32,
    },
    /// No event type of this name exists in this version.
    UnknownType {
        event_type: String,
        schema_version: u32,
    },
    /// The payload is not the JSON of its type and version.
    Payload {
        event_type: String,
        schema_version: u32,
        error: serde_json::Error,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::NewerVersion {
                event_type,
                schema_version,
            } => write!(
                formatter,
                "{event_type} has schema version {schema_version}, written by a newer flexledger: this build reads versions 1 to {EVENT_SCHEMA_VERSION}; upgrade flexledger to read this store"
            ),
            DecodeError::UnknownVersion {
                event_type,
                schema_version,
            } => write!(
                formatter,
                "{event_type} has schema version {schema_version}, which no flexledger writes (versions start at 1)"
            ),
            // The two messages reads have always given (damage reports quote them).
            DecodeError::UnknownType { event_type, .. } => write!(
                formatter,
                "payload does not decode: unknown event type {event_type:?}"
            ),
            DecodeError::Payload { error, .. } => {
                write!(formatter, "payload does not decode: {error}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// The domain event a stored payload records: `payload` is the JSON stored under
/// `event_type` with `schema_version` (the envelope's fields).
pub fn decode(event_type: &str, schema_version: u32, payload: &str) -> Result<Event, DecodeError> {
    let stored = match schema_version {
        v1::SCHEMA_VERSION => v1::Stored::parse(event_type, payload),
        // An older version, once one exists, decodes here through its own module and
        // is upcast to the current one: `vN::Stored::parse(..).map(upcast)`.
        0 => {
            return Err(DecodeError::UnknownVersion {
                event_type: event_type.to_owned(),
                schema_version,
            })
        }
        _ => {
            return Err(DecodeError::NewerVersion {
                event_type: event_type.to_owned(),
                schema_version,
            })
        }
    };
    match stored {
        Ok(Some(stored)) => Ok(Event::from(stored)),
        Ok(None) => Err(DecodeError::UnknownType {
            event_type: event_type.to_owned(),
            schema_version,
        }),
        Err(error) => Err(DecodeError::Payload {
            event_type: event_type.to_owned(),
            schema_version,
            error,
        }),
    }
}

/// An event's payload in the stored form of a schema version, to serialize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredPayload {
    V1(v1::Stored),
}

impl Serialize for StoredPayload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            StoredPayload::V1(stored) => stored.serialize(serializer),
        }
    }
}

/// `event` as the payload of `schema_version`: [`EVENT_SCHEMA_VERSION`] for an event
/// being written, the envelope's own version for one read back (module docs).
pub fn encode(event: &Event, schema_version: u32) -> Result<StoredPayload, String> {
    match schema_version {
        v1::SCHEMA_VERSION => Ok(StoredPayload::V1(v1::Stored::from(event))),
        other => Err(format!(
            "this build writes event schema versions 1 to {EVENT_SCHEMA_VERSION}, not {other}"
        )),
    }
}

/// `event`'s payload JSON in `schema_version`, as the canonical bytes hold it.
pub fn encode_json(event: &Event, schema_version: u32) -> Result<String, String> {
    let payload = encode(event, schema_version)?;
    serde_json::to_string(&payload).map_err(|error| format!("payload does not encode: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOPPED: &str = r#"{"member_id":"00000000-0000-0000-0000-000000000007"}"#;

    #[test]
    fn the_current_version_decodes_and_encodes_to_the_same_bytes() {
        let event = decode("DeductionStopped", EVENT_SCHEMA_VERSION, STOPPED).unwrap();
        assert_eq!(event.type_name(), "DeductionStopped");
        assert_eq!(encode_json(&event, EVENT_SCHEMA_VERSION).unwrap(), STOPPED);
    }

    #[test]
    fn a_newer_or_never_written_version_is_refused_by_name_without_a_panic() {
        let newer = decode("DeductionStopped", EVENT_SCHEMA_VERSION + 1, STOPPED).unwrap_err();
        assert!(
            matches!(newer, DecodeError::NewerVersion { schema_version, .. } if schema_version == EVENT_SCHEMA_VERSION + 1)
        );
        assert!(
            newer.to_string().contains("written by a newer flexledger"),
            "{newer}"
        );
        let huge = decode("DeductionStopped", u32::MAX, STOPPED).unwrap_err();
        assert!(matches!(huge, DecodeError::NewerVersion { .. }), "{huge}");
        let zero = decode("DeductionStopped", 0, STOPPED).unwrap_err();
        assert!(matches!(zero, DecodeError::UnknownVersion { .. }), "{zero}");
        let event = decode("DeductionStopped", EVENT_SCHEMA_VERSION, STOPPED).unwrap();
        assert!(encode(&event, EVENT_SCHEMA_VERSION + 1).is_err());
    }

    #[test]
    fn an_unknown_type_or_a_bad_payload_is_an_error_naming_it() {
        let unknown = decode("DeductionPaused", 1, STOPPED).unwrap_err();
        assert!(unknown.to_string().contains("DeductionPaused"), "{unknown}");
        let extra = r#"{"member_id":"00000000-0000-0000-0000-000000000007","note":1}"#;
        let bad = decode("DeductionStopped", 1, extra).unwrap_err();
        assert!(matches!(bad, DecodeError::Payload { .. }), "{bad}");
    }
}
