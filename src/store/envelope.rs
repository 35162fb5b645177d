//! The stored form of an event (contract "Events (envelopes)") and of command results.

use crate::domain::event::{Event, EVENT_SCHEMA_VERSION};
use crate::domain::Refusal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One stored event: where it sits in the log and its stream, and why it is there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// Global position: starts at 1, no gaps.
    pub position: u64,
    /// `member-<uuid>` or `region-<name>`.
    pub stream: String,
    /// Version of the stream after this event: starts at 1, no gaps.
    pub version: u64,
    pub event_id: Uuid,
    /// `type` and `payload`.
    #[serde(flatten)]
    pub event: Event,
    pub schema_version: u32,
    /// When the ledger recorded it (UTC). Never used to decide a rule (R1).
    pub recorded_at: DateTime<Utc>,
    /// The command that caused it.
    pub command_id: Uuid,
}

impl Envelope {
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
        }
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

/// An appended event as a command result lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    #[serde(rename = "type")]
    pub event_type: String,
}

/// The result of one command (contract "Results").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandResult {
    Accepted {
        events: Vec<EventRef>,
        duplicate: bool,
    },
    Refused(Refusal),
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
    error: Option<Refusal>,
}

impl Serialize for CommandResult {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let wire = match self {
            CommandResult::Accepted { events, duplicate } => ResultWire {
                ok: true,
                events: Some(events.clone()),
                duplicate: Some(*duplicate),
                error: None,
            },
            CommandResult::Refused(refusal) => ResultWire {
                ok: false,
                events: None,
                duplicate: None,
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
            }),
            (false, None, Some(error)) => Ok(CommandResult::Refused(error)),
            _ => Err(serde::de::Error::custom(
                "a result has ok:true with events, or ok:false with error",
            )),
        }
    }
}
