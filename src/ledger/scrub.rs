//! A running writer's walk of its own log, a slice at a time (`serve` asks for one with
//! every writer check, every `WRITER_CHECK_INTERVAL_SECONDS`): every event read back,
//! its hash and its link to the event before checked, from position 1 to the head,
//! then again.
//!
//! Why: an engine reads its pages only when asked for them, so a page damaged on disk
//! (a bit flip, a bad sector, a file edited below the ledger) goes unseen while no
//! command reads it, and the writer kept appending to a store whose log it could no
//! longer read (found by an operator's probe: a block of `sled/db` zeroed, and `submit`
//! and `serve` went on acknowledging appends that no backup could then hold). The walk
//! finds such damage within one pass, and the writer stops as after any damage (D61).
//! A slice is bounded (`SCRUB_SLICE_EVENTS_MAX`), so an append waits for at most one
//! slice's reads.

use super::{Ledger, LedgerError};
use crate::store::EventStore;

/// Events one slice of the walk reads. At 2,048 a slice every 2 s, a log of 5 million
/// events is walked in about 80 minutes, and an append waits for at most one slice:
/// under 20 ms on the 2-core machine, where `flexledger events` reads, checks and
/// prints 20,408 events in 0.18 s, opening the store included.
pub const SCRUB_SLICE_EVENTS_MAX: usize = 2048;

/// Where the walk of the log has got to.
#[derive(Clone, Copy, Debug)]
pub(super) struct Scrub {
    /// The next position to read (1: a new pass).
    pub next: u64,
    /// Passes finished since open.
    pub passes: u64,
}

impl Default for Scrub {
    fn default() -> Scrub {
        Scrub { next: 1, passes: 0 }
    }
}

impl<S: EventStore> Ledger<S> {
    /// Reads the next slice of the log back, each event checked as every read checks
    /// it (its hash, the link to the event before); after the head, the next pass
    /// starts at position 1. Damage is the error, as a read that met it says it.
    pub(super) fn scrub_slice(&mut self) -> Result<(), LedgerError> {
        let (head, _) = self.store.head()?;
        if self.scrub.next > head {
            if head > 0 {
                self.scrub.passes += 1;
                tracing::debug!(
                    head,
                    passes = self.scrub.passes,
                    "the whole log was read back and checked"
                );
            }
            self.scrub.next = 1;
            return Ok(());
        }
        let mut read = 0u64;
        for envelope in self
            .store
            .read_log(self.scrub.next)
            .take(SCRUB_SLICE_EVENTS_MAX)
        {
            let envelope = envelope?;
            assert_eq!(
                envelope.position,
                self.scrub.next + read,
                "the log reads in order"
            );
            read += 1;
        }
        self.scrub.next += read;
        Ok(())
    }
}
