//! What a call that appends answers with: its outcome, and the sealed envelopes and
//! coverage changes it appended, in log order. The writer publishes those to the feed
//! straight from the answer (`writer.rs`), so nothing about the feed is kept on the
//! ledger between calls.
//!
//! Every appended envelope is durable when the call returns, also when the call failed
//! after it: a failure therefore carries what was appended before it
//! ([`AppendingError`]), and the feed still publishes it.

use super::{Appended, CloseProgress, Ledger, LedgerError};
use crate::store::{CommandResult, EventStore};
use std::fmt;

/// `Ledger::submit`'s answer: one result per command, in order, and what their
/// appends added.
#[derive(Debug)]
pub struct Submitted {
    pub results: Vec<CommandResult>,
    pub appended: Appended,
}

/// `Ledger::close_step`'s answer: the chunk's progress (`None` when no close was in
/// progress, so nothing was appended) and what it appended.
#[derive(Debug)]
pub struct Stepped {
    pub progress: Option<CloseProgress>,
    pub appended: Appended,
}

/// A call that appends failed: why, and what it had appended before the failure
/// (durable, so still for the feed to publish). Reads as its `error`; `?` into a
/// `LedgerError` drops what was appended, for callers that publish nothing.
#[derive(Debug)]
pub struct AppendingError {
    pub error: LedgerError,
    /// Boxed: an error travels through every `?` of the ledger, and what was appended
    /// is three lists.
    pub appended: Box<Appended>,
}

impl fmt::Display for AppendingError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, formatter)
    }
}

impl std::error::Error for AppendingError {
    /// The error's own source, as `#[error(transparent)]` would: the chain a shell
    /// prints is the one the `LedgerError` alone printed.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

impl From<AppendingError> for LedgerError {
    fn from(failed: AppendingError) -> LedgerError {
        failed.error
    }
}

impl Appended {
    /// Adds what a later call appended after this (log order is kept).
    pub fn extend(&mut self, later: Appended) {
        self.envelopes.extend(later.envelopes);
        self.coverage.extend(later.coverage);
        self.items_ahead.extend(later.items_ahead);
        self.closes.extend(later.closes);
    }
}

impl<S: EventStore> Ledger<S> {
    /// Whether the calls that append return what they appended (the default). A caller
    /// with no use for it (a writer with no feed) turns it off, so a month close
    /// recorded to the end within one `submit` keeps none of its events in memory.
    pub fn set_keep_appended(&mut self, keep: bool) {
        self.keep_appended = keep;
    }

    pub fn keeps_appended(&self) -> bool {
        self.keep_appended
    }

    /// Runs `work`, the body of one public call that appends, and returns its outcome
    /// with what it appended (empty unless `keep_appended`). The ledger collects into
    /// `appended` only for the length of this call; calls do not nest (a public call
    /// uses the private bodies of the others).
    pub(super) fn collecting<T>(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<T, LedgerError>,
    ) -> Result<(T, Appended), AppendingError> {
        debug_assert!(self.appended.is_none(), "calls that append do not nest");
        self.appended = self.keep_appended.then(Appended::default);
        let outcome = work(self);
        let appended = self.appended.take().unwrap_or_default();
        match outcome {
            Ok(value) => Ok((value, appended)),
            Err(error) => Err(AppendingError {
                error,
                appended: Box::new(appended),
            }),
        }
    }
}
