//! The library's one error type for its callers: [`Error`], any operational failure of
//! the layers below it, with a [`kind`](Error::kind) a shell decides by (an exit code,
//! an HTTP status, advice) instead of knowing every module's own error enum.
//!
//! Each layer keeps its precise error (`StoreError`, `LedgerError`, `BackupError`, …):
//! a function says exactly how it can fail. `Error` is where they meet: every one of
//! them converts into it with `?`, and [`kind_of`] finds the kind of the first library
//! error in any error's chain, so a shell holding an `anyhow::Error` classifies it in
//! one place. Business refusals are never errors: they are results (`Refusal`).

use crate::audit::checkpoint::CheckpointError;
use crate::audit::keys::KeyError;
use crate::audit::whatif::WhatIfError;
use crate::backup::BackupError;
use crate::codec::DecodeError;
use crate::domain::state::FoldError;
use crate::ledger::{CopyError, LedgerError, ReportError};
use crate::store::StoreError;
use crate::writer::WriterError;
use std::error::Error as StdError;

/// What kind of failure an [`Error`] is: what a shell decides by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Stored data is damaged: altered, cut short, rolled back or undecodable (exit 1,
    /// like a failed `verify`: restore from a backup).
    Damaged,
    /// Another process holds the data directory, or a database store's writer lock.
    Locked,
    /// The user running flexledger may not read or write a file it needs.
    PermissionDenied,
    /// The disk is full; nothing that failed was acknowledged.
    DiskFull,
    /// Any other failure to read or write a file.
    Io,
    /// The caller's input cannot be used (a malformed key, a backup that does not
    /// verify, an invalid what-if policy, an unknown region or an open month asked of
    /// the report), or the store named is not one to use as it is (not migrated,
    /// migrated by a newer build, or holding an unfinished copy).
    Invalid,
    /// A write was refused because it does not continue the log as it is now (a
    /// version, position or command id already taken): another writer, or a bug.
    Conflict,
    /// The ledger's writer has stopped (after a failed append): reopen the store.
    Stopped,
    /// A database store cannot be reached or used now (the server is down, restarting,
    /// refusing the login, or the connection broke): nothing failed in the ledger, and
    /// the same request may succeed once the database is back.
    Unavailable,
    /// The storage engine failed in a way none of the above names, or an invariant of
    /// ours broke where it could be reported instead of crashing.
    Internal,
}

/// Any operational failure of the library, with its kind (module docs).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<dyn StdError + Send + Sync + 'static>);

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        // OK because every way into an `Error` is a `From` of a library error, whose
        // kind `kind_of` knows.
        kind_of(self.0.as_ref()).expect("an Error holds a library error")
    }

    /// The first error of type `T` in the chain it holds (itself, then its sources).
    pub fn find<T: StdError + 'static>(&self) -> Option<&T> {
        chain(self.0.as_ref()).find_map(|cause| cause.downcast_ref::<T>())
    }

    /// Whether stored data is damaged.
    pub fn is_damage(&self) -> bool {
        self.kind() == ErrorKind::Damaged
    }

    /// Whether the disk is full.
    pub fn is_disk_full(&self) -> bool {
        self.kind() == ErrorKind::DiskFull
    }

    /// The log position of damage, when it has one.
    pub fn damaged_at(&self) -> Option<u64> {
        chain(self.0.as_ref()).find_map(damage_position)
    }
}

/// The log position of damage named anywhere in `error`'s chain, as the shells see it.
pub fn damaged_at(error: &(dyn StdError + 'static)) -> Option<u64> {
    chain(error).find_map(damage_position)
}

/// The damage report anywhere in `error`'s chain as a sentence of the catalog: what
/// a damage mark keeps (D61), to say it again in the language of whoever meets it.
pub fn damage_sentence(error: &(dyn StdError + 'static)) -> Option<crate::i18n::Sentence> {
    chain(error).find_map(|cause| {
        if let Some(damage) = ledger_error_in(cause).and_then(LedgerError::damage) {
            return damage.sentence();
        }
        match store_error_in(cause)? {
            store @ (StoreError::Corrupt { .. } | StoreError::EngineFileDamaged { .. }) => {
                store.sentence()
            }
            _ => None,
        }
    })
}

/// The store's error inside `error`, through the library errors that wrap one
/// transparently (a ledger's, a report's, a backup's, a copy's): what the shells say in
/// the reader's language (`StoreError::sentence`).
pub fn store_error_in<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a StoreError> {
    if let Some(store) = error.downcast_ref::<StoreError>() {
        return Some(store);
    }
    if let Some(LedgerError::Store(store)) = ledger_error_in(error) {
        return Some(store);
    }
    match error.downcast_ref::<ReportError>() {
        Some(ReportError::Store(store)) => Some(store),
        _ => None,
    }
}

/// The ledger's error `error` is, or wraps transparently (a backup's, a copy's).
pub(crate) fn ledger_error_in<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a LedgerError> {
    if let Some(ledger) = error.downcast_ref::<LedgerError>() {
        return Some(ledger);
    }
    if let Some(BackupError::Ledger(ledger)) = error.downcast_ref::<BackupError>() {
        return Some(ledger);
    }
    match error.downcast_ref::<CopyError>() {
        Some(CopyError::Ledger(ledger)) => Some(ledger),
        _ => None,
    }
}

/// The position `error` itself names as damaged. Wrappers declared `transparent`
/// (`LedgerError::Store`, …) hide the wrapped error from the source chain, so they are
/// unwrapped here by name.
fn damage_position(error: &(dyn StdError + 'static)) -> Option<u64> {
    let store = |store: &StoreError| match store {
        StoreError::Corrupt { position, .. } if *position > 0 => Some(*position),
        _ => None,
    };
    // `LedgerError::corruption` already says where a ledger error's damage is.
    let ledger = |ledger: &LedgerError| {
        ledger
            .corruption()
            .map(|(position, _)| position)
            .filter(|position| *position > 0)
    };
    if let Some(inner) = ledger_error_in(error) {
        return ledger(inner);
    }
    if let Some(inner) = store_error_in(error) {
        return store(inner);
    }
    if let Some(WhatIfError::Fold(fold)) = error.downcast_ref::<WhatIfError>() {
        return Some(fold.position);
    }
    error.downcast_ref::<FoldError>().map(|fold| fold.position)
}

macro_rules! into_error {
    ($($library:ty),* $(,)?) => {$(
        impl From<$library> for Error {
            fn from(error: $library) -> Error {
                Error(Box::new(error))
            }
        }
    )*};
}

into_error!(
    StoreError,
    LedgerError,
    ReportError,
    WriterError,
    BackupError,
    CopyError,
    KeyError,
    CheckpointError,
    WhatIfError,
    DecodeError,
    FoldError,
);

/// `error` and its sources, outermost first.
fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&cause| cause.source())
}

/// The kind of the first library error in `error`'s chain (itself, then its sources),
/// or `None` when the chain holds none (a plain I/O error of a shell, say).
pub fn kind_of(error: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    chain(error).find_map(kind_of_one)
}

/// The kind of `error` itself, if it is a library error.
fn kind_of_one(error: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    if let Some(error) = error.downcast_ref::<Error>() {
        return Some(error.kind());
    }
    if let Some(error) = error.downcast_ref::<StoreError>() {
        return Some(store_kind(error));
    }
    if let Some(error) = error.downcast_ref::<LedgerError>() {
        return Some(ledger_kind(error));
    }
    if let Some(error) = error.downcast_ref::<ReportError>() {
        return Some(match error {
            ReportError::Store(store) => store_kind(store),
            _ => ErrorKind::Invalid,
        });
    }
    if let Some(error) = error.downcast_ref::<BackupError>() {
        return Some(match error {
            BackupError::Invalid { .. } | BackupError::Refused(_) => ErrorKind::Invalid,
            BackupError::Key(key) => key_kind(key),
            BackupError::Read(io) => io_kind(io),
            BackupError::Ledger(ledger) => ledger_kind(ledger),
        });
    }
    if let Some(error) = error.downcast_ref::<CopyError>() {
        return Some(match error {
            CopyError::Ledger(ledger) => ledger_kind(ledger),
            CopyError::DestinationDiffers { .. }
            | CopyError::DestinationAhead { .. }
            | CopyError::UnfinishedFromAnotherSource { .. } => ErrorKind::Conflict,
            CopyError::CommandsWithoutEvents { .. } => ErrorKind::Damaged,
            CopyError::HashChanged { .. } => ErrorKind::Internal,
        });
    }
    other_kind(error)
}

fn key_kind(error: &KeyError) -> ErrorKind {
    match error {
        KeyError::Io { source, .. } => io_kind(source),
        KeyError::Malformed { .. }
        | KeyError::Missing { .. }
        | KeyError::NotTheLedgers { .. }
        | KeyError::NotMadeHere { .. } => ErrorKind::Invalid,
        // Said as the store's own refusal of a marked ledger is (`FoundDamaged`).
        KeyError::LogRewritten { .. } => ErrorKind::Damaged,
        KeyError::Random(_) => ErrorKind::Internal,
    }
}

/// The kinds of the library errors that hold no store error.
fn other_kind(error: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    if error.is::<WriterError>() {
        return Some(ErrorKind::Stopped);
    }
    if let Some(error) = error.downcast_ref::<KeyError>() {
        return Some(key_kind(error));
    }
    if error.is::<CheckpointError>() {
        return Some(ErrorKind::Invalid);
    }
    if let Some(error) = error.downcast_ref::<WhatIfError>() {
        return Some(match error {
            WhatIfError::Policy(_) => ErrorKind::Invalid,
            WhatIfError::Fold(_) => ErrorKind::Damaged,
            WhatIfError::AlternativeFold(_) => ErrorKind::Internal,
        });
    }
    if error.is::<DecodeError>() || error.is::<FoldError>() {
        return Some(ErrorKind::Damaged);
    }
    None
}

fn ledger_kind(error: &LedgerError) -> ErrorKind {
    match error {
        LedgerError::Store(store) => store_kind(store),
        LedgerError::Fold(_) => ErrorKind::Damaged,
        LedgerError::Poisoned => ErrorKind::Stopped,
        LedgerError::Output(source) => io_kind(source),
    }
}

fn store_kind(error: &StoreError) -> ErrorKind {
    match error {
        StoreError::Corrupt { .. } | StoreError::EngineFileDamaged { .. } => ErrorKind::Damaged,
        StoreError::Locked { .. } => ErrorKind::Locked,
        StoreError::PermissionDenied { .. } => ErrorKind::PermissionDenied,
        StoreError::DiskFull { .. } => ErrorKind::DiskFull,
        StoreError::Io { source, .. } => io_kind(source),
        StoreError::VersionConflict { .. }
        | StoreError::PositionGap { .. }
        | StoreError::CommandRepeated { .. } => ErrorKind::Conflict,
        StoreError::Engine { .. } => ErrorKind::Internal,
        StoreError::WriterLocked { .. } => ErrorKind::Locked,
        StoreError::Standby { .. } | StoreError::NotADirectory { .. } => ErrorKind::Invalid,
        StoreError::FoundDamaged { .. } | StoreError::TableMissing { .. } => ErrorKind::Damaged,
        StoreError::NotMigrated { .. }
        | StoreError::ForeignSchema { .. }
        | StoreError::MigrationsUnrecorded { .. }
        | StoreError::SchemaTooNew { .. }
        | StoreError::CopyUnfinished { .. }
        | StoreError::CopyBeingMade { .. }
        | StoreError::RestoreUnfinished { .. } => ErrorKind::Invalid,
        StoreError::Unavailable { .. } => ErrorKind::Unavailable,
    }
}

fn io_kind(error: &std::io::Error) -> ErrorKind {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied,
        std::io::ErrorKind::StorageFull
        | std::io::ErrorKind::QuotaExceeded
        | std::io::ErrorKind::FileTooLarge => ErrorKind::DiskFull,
        _ => ErrorKind::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrupt(position: u64) -> StoreError {
        StoreError::Corrupt {
            position,
            message: "altered".to_owned().into(),
        }
    }

    #[test]
    fn every_layer_s_damage_is_the_kind_damaged_with_its_position() {
        let errors: Vec<Error> = vec![
            corrupt(5).into(),
            LedgerError::Store(corrupt(5)).into(),
            BackupError::Ledger(LedgerError::Store(corrupt(5))).into(),
            ReportError::Store(corrupt(5)).into(),
        ];
        for error in errors {
            assert_eq!(error.kind(), ErrorKind::Damaged, "{error}");
            assert!(error.is_damage());
            assert_eq!(error.damaged_at(), Some(5), "{error}");
        }
        let engine_files: Error = corrupt(0).into();
        assert_eq!(
            engine_files.damaged_at(),
            None,
            "no position in the engine's files"
        );
    }

    #[test]
    fn a_full_disk_is_one_kind_from_the_store_and_from_plain_io() {
        let full = || std::io::Error::from(std::io::ErrorKind::StorageFull);
        let from_store: Error = StoreError::DiskFull {
            path: "data".to_owned(),
            source: full(),
        }
        .into();
        let from_key: Error = KeyError::Io {
            action: "write",
            path: "key".to_owned(),
            source: full(),
        }
        .into();
        assert!(from_store.is_disk_full());
        assert!(from_key.is_disk_full());
    }

    #[test]
    fn a_chain_is_classified_by_its_first_library_error() {
        #[derive(Debug, thiserror::Error)]
        #[error("while opening the store")]
        struct Context(#[source] StoreError);
        let wrapped = Context(StoreError::Locked {
            path: "data".to_owned(),
        });
        assert_eq!(kind_of(&wrapped), Some(ErrorKind::Locked));
        let plain = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(kind_of(&plain), None, "not a library error");
        assert_eq!(Error::from(WriterError::Stopped).kind(), ErrorKind::Stopped);
    }
}
