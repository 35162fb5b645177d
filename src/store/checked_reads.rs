//! How every engine checks what it reads back, the same way: a log entry against its
//! position and its own hash, the log's chain (no gap, each `prev_hash` linking to the
//! event before), and a stream's chain and index. The engines differ only in how they
//! find the bytes.

use super::log_entry;
use super::{findings, DamageDetail, Envelope, Sha256, StoreError};

pub(crate) fn corrupt(position: u64, message: impl Into<DamageDetail>) -> StoreError {
    StoreError::Corrupt {
        position,
        message: message.into(),
    }
}

/// Decodes the log entry stored at `position` and checks it against its stored hash
/// (pair assertion: what was read is what was written, where it was written).
pub(crate) fn decode_entry(position: u64, value: &[u8]) -> Result<Envelope, StoreError> {
    let envelope =
        log_entry::decode(position, value).map_err(|message| corrupt(position, message))?;
    if !envelope.event.is_of_stream(&envelope.stream) {
        return Err(corrupt(position, findings::other_stream(&envelope.stream)));
    }
    // Debug builds also check the bytes are canonical on every read; `verify` always
    // does (an auditor must be able to reproduce the hash from a printed line).
    if cfg!(debug_assertions)
        && log_entry::canonical_of(position, value).as_deref() != Ok(&envelope.canonical_bytes())
    {
        return Err(corrupt(position, findings::not_canonical()));
    }
    Ok(envelope)
}

/// The log read in order from a position: each envelope must be the next position
/// and link to the one before.
pub(crate) struct LogChain {
    pub expected: u64,
    pub previous: Sha256,
}

impl LogChain {
    pub(crate) fn check(&mut self, envelope: Envelope) -> Result<Envelope, StoreError> {
        let expected = self.expected;
        if envelope.position != expected {
            return Err(corrupt(expected, findings::gap(envelope.position)));
        }
        if envelope.prev_hash != self.previous {
            return Err(corrupt(
                expected,
                findings::prev_hash(envelope.prev_hash, self.previous),
            ));
        }
        self.expected += 1;
        self.previous = envelope.hash;
        Ok(envelope)
    }
}

/// One stream read in version order: each envelope must be of the stream, at the
/// version its index says and the next one, and link to the stream's event before.
pub(crate) struct StreamChain {
    pub name: String,
    pub expected_version: u64,
    pub previous: Sha256,
}

impl StreamChain {
    pub(crate) fn new(name: String) -> StreamChain {
        StreamChain {
            name,
            expected_version: 1,
            previous: Sha256::ZERO,
        }
    }

    /// Checks `envelope`, found at `position` under `version` in the stream's index.
    pub(crate) fn check(
        &mut self,
        position: u64,
        version: u64,
        envelope: Envelope,
    ) -> Result<Envelope, StoreError> {
        let name = &self.name;
        if envelope.stream != *name
            || envelope.version != version
            || version != self.expected_version
        {
            return Err(corrupt(position, findings::index_entry(name, version)));
        }
        if envelope.stream_prev_hash != self.previous {
            return Err(corrupt(
                position,
                findings::stream_prev_hash(name, version - 1),
            ));
        }
        self.expected_version += 1;
        self.previous = envelope.hash;
        Ok(envelope)
    }
}
