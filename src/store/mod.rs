//! The event store: an append-only log behind a narrow trait, so that another engine
//! (a distributed log) can implement it later without touching the domain.
//!
//! Invariants every implementation keeps:
//! - positions start at 1 and have no gaps; stream versions likewise per stream;
//! - one `append` call is atomic (all of its commands' events, across any number of
//!   streams, or none) and durable when it returns `Ok`;
//! - an accepted command id is remembered forever, with the log range of its events.

pub mod envelope;
pub mod sled_store;

pub use envelope::{CommandResult, Envelope, EventRef};
pub use sled_store::SledStore;

use crate::domain::StreamId;
use uuid::Uuid;

/// The events one accepted command appends, in order (contiguous in the log).
#[derive(Clone, Debug)]
pub struct CommandRecord {
    pub command_id: Uuid,
    pub envelopes: Vec<Envelope>,
}

/// Where an accepted command's events sit in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandSpan {
    pub first_position: u64,
    pub event_count: u64,
}

/// Operational failures of a store. Business refusals never appear here.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage engine failed: {0}")]
    Engine(#[from] sled::Error),
    #[error("I/O failed on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the data directory {path} is in use by another flexledger process (or unreadable): {source}")]
    Locked { path: String, source: sled::Error },
    #[error("stored data is damaged at position {position}: {message}")]
    Corrupt { position: u64, message: String },
    #[error("append refused: stream {stream} is at version {actual}, the appended event expected {expected}")]
    VersionConflict {
        stream: String,
        expected: u64,
        actual: u64,
    },
    #[error("append refused: positions must continue from {head}, got {position}")]
    PositionGap { head: u64, position: u64 },
    #[error("append refused: command {command_id} was already appended")]
    CommandRepeated { command_id: Uuid },
}

/// The narrow storage interface the ledger needs.
pub trait EventStore {
    /// Appends every command's events in one atomic, durable write. Each envelope's
    /// position must continue the log and its version must continue its stream
    /// (optimistic concurrency); otherwise nothing is written.
    fn append(&mut self, commands: &[CommandRecord]) -> Result<(), StoreError>;
    /// Position of the last event (0 for an empty log).
    fn head(&self) -> Result<u64, StoreError>;
    /// Version of a stream (0 for an empty stream).
    fn stream_version(&mut self, stream: &StreamId) -> Result<u64, StoreError>;
    /// Envelopes from `from` (inclusive) in log order, verified as they are read.
    fn read_log(&self, from: u64) -> Box<dyn Iterator<Item = Result<Envelope, StoreError>> + '_>;
    /// One stream's envelopes in version order.
    fn read_stream(
        &self,
        stream: &StreamId,
    ) -> Box<dyn Iterator<Item = Result<Envelope, StoreError>> + '_>;
    /// The log span of an accepted command, if its id was accepted before.
    fn command_span(&self, command_id: Uuid) -> Result<Option<CommandSpan>, StoreError>;
}
