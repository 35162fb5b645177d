//! The engine a command line chose, behind the same traits: the shells (both command
//! lines and the HTTP server) hold an [`AnyStore`] or an [`AnyReader`] and never name an
//! engine, so every command runs on every engine the same way.
//!
//! Why an enum and not generics all the way up: the shells are many functions over one
//! store each; an enum keeps them one code path (one binary's worth of code, not one per
//! engine) at the price of one `match` per store call, which is noise beside the I/O
//! behind it. The ledger itself stays generic (`Ledger<S>`), as do the conformance
//! suite and the library's tests.

use super::coverage_rows::CoverageItem;
use super::postgres::redact_url;
use super::{
    CheckpointWriter, CommandRecord, LogWriter, PgReader, PgStore, ReadStore, ReplacedRow,
    SledReader, SledStore, StateKey, StateRows, StateWrite, StoreError,
};
use crate::codec::rows::decode_copy_unfinished_row;
use std::path::{Path, PathBuf};

/// Where a ledger's store is: chosen on the command line (`--data-dir`, `--store`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The embedded sled engine in a data directory.
    Sled(PathBuf),
    /// A PostgreSQL database, by its connection URL (which may hold a password:
    /// messages show it redacted, `Display`).
    Postgres(String),
}

/// What a PostgreSQL URL starts with.
const POSTGRES_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

pub(crate) fn is_postgres_url(text: &str) -> bool {
    // Bytes, not a `str` slice: a path may start with characters of several bytes.
    POSTGRES_SCHEMES.iter().any(|scheme| {
        text.as_bytes()
            .get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme.as_bytes()))
    })
}

impl Location {
    /// The store named by `--store` (`Some`: it must be a PostgreSQL URL) or else the
    /// sled store in `data_dir`.
    pub fn choose(store: Option<&str>, data_dir: &Path) -> Result<Location, LocationError> {
        match store {
            None => Ok(Location::Sled(data_dir.to_path_buf())),
            Some(url) if is_postgres_url(url) => Ok(Location::Postgres(url.to_string())),
            Some(other) => Err(LocationError::NotAUrl(other.to_string())),
        }
    }

    /// A store named in full, as `copy --from/--to` name them: a PostgreSQL URL, or
    /// else a sled data directory.
    pub fn parse(text: &str) -> Location {
        if is_postgres_url(text) {
            Location::Postgres(text.to_string())
        } else {
            Location::Sled(PathBuf::from(text))
        }
    }

    /// Whether a ledger is there to open (a data directory without sled's files has
    /// none: `submit` or `restore` makes one). A database is assumed to hold one:
    /// opening it says if it was never migrated. A store a stopped copy was making
    /// counts, so that opening it says so (`StoreError::CopyBeingMade`).
    pub fn has_ledger(&self) -> bool {
        match self {
            Location::Sled(dir) => {
                // A head witness without the engine's directory is a ledger whose
                // engine files were lost: damage at open, not "no ledger here". A
                // directory that cannot be looked into may hold one: the open says
                // "permission denied" (an operator's probe, 2026-12-05, was told "no
                // ledger … submit commands first" for a ledger it could not read).
                // An empty engine directory holds no ledger either: opening it would
                // make an empty engine there, which `verify` called a healthy ledger
                // of 0 events (a newcomer's probe emptied `sled/` and removed the
                // witness). One that holds anything is opened, and what it lacks is
                // damage (its `db` deleted, say). A file is no directory, and holds no
                // ledger (looking into it failed as a directory that cannot be read,
                // and the audit tool's verify read its key before saying so).
                if dir.try_exists().unwrap_or(false) && !dir.is_dir() {
                    return false;
                }
                let maybe = |name: &str| dir.join(name).try_exists().unwrap_or(true);
                let engine = dir.join("sled");
                let engine_holds_files = std::fs::read_dir(&engine)
                    .map(|mut entries| entries.next().is_some())
                    .unwrap_or_else(|error| error.kind() != std::io::ErrorKind::NotFound);
                engine_holds_files
                    || maybe(super::sled_store::SLED_CREATING_DIR)
                    || maybe(super::sled_store::RESTORE_UNFINISHED_FILE)
                    || maybe(super::sled_store::HEAD_WITNESS_FILE)
            }
            Location::Postgres(_) => true,
        }
    }

    /// The store, for the ledger's one writer: refused while it holds an unfinished
    /// copy (`StoreError::CopyUnfinished`).
    pub fn open(&self) -> Result<AnyStore, StoreError> {
        self.refuse_store_being_made()?;
        let store = match self {
            Location::Sled(dir) => SledStore::open(dir).map(AnyStore::Sled),
            Location::Postgres(url) => PgStore::open(url).map(AnyStore::Postgres),
        }?;
        self.refuse_unfinished_copy(&store)?;
        Ok(store)
    }

    /// The store, for `flexledger copy` to fill or to resume filling: the one open
    /// that does not refuse an unfinished copy (`ledger::copy_ledger` checks that it
    /// holds the same source's log). A sled store this makes holds `mark` (the copy's
    /// `CopyUnfinished` row) from the moment it exists (`SledStore::create_holding`),
    /// so a copy stopped before its first append leaves no store that opens as an empty
    /// ledger (D39). A store that is there already (a database is migrated by its
    /// operator, never made here) gets the mark as the copy's first write.
    pub fn open_to_copy_into(&self, mark: &StateWrite) -> Result<AnyStore, StoreError> {
        match self {
            Location::Sled(dir) => {
                if !dir.join("sled").exists() {
                    SledStore::create_holding(dir, std::slice::from_ref(mark))?;
                }
                SledStore::open(dir).map(AnyStore::Sled)
            }
            Location::Postgres(url) => PgStore::open(url).map(AnyStore::Postgres),
        }
    }

    /// A store that is only read (the audit tools, `events`, `member`): refused while
    /// it holds an unfinished copy, as `open` refuses it.
    pub fn open_read_only(&self) -> Result<AnyReader, StoreError> {
        self.refuse_store_being_made()?;
        let reader = match self {
            Location::Sled(dir) => SledStore::open_read_only(dir).map(AnyReader::Sled),
            Location::Postgres(url) => PgStore::open_read_only(url).map(AnyReader::Postgres),
        }?;
        self.refuse_unfinished_copy(&reader)?;
        Ok(reader)
    }

    /// `open_read_only`, but a PostgreSQL store is read as one snapshot
    /// (`PgStore::open_snapshot`), so that a walk comparing its tables (`verify`) is
    /// not misled by a writer appending meanwhile. A sled store has one process at a
    /// time: the same as `open_read_only`.
    pub fn open_read_only_snapshot(&self) -> Result<AnyReader, StoreError> {
        let Location::Postgres(url) = self else {
            return self.open_read_only();
        };
        let reader = PgStore::open_snapshot(url).map(AnyReader::Postgres)?;
        self.refuse_unfinished_copy(&reader)?;
        Ok(reader)
    }

    /// Refuses a sled data directory where a copy was making the store when it stopped
    /// (`SledStore::create_holding`: the engine's files in `SLED_CREATING_DIR`, not yet
    /// renamed to `sled`): any other open would make a new, empty ledger beside them.
    /// So is one a restore was filling when it stopped (`RESTORE_UNFINISHED_FILE`).
    fn refuse_store_being_made(&self) -> Result<(), StoreError> {
        match self {
            Location::Sled(dir)
                if dir
                    .join(super::sled_store::RESTORE_UNFINISHED_FILE)
                    .exists() =>
            {
                Err(StoreError::RestoreUnfinished {
                    store: self.to_string(),
                })
            }
            Location::Sled(dir)
                if !dir.join("sled").exists()
                    && dir.join(super::sled_store::SLED_CREATING_DIR).exists() =>
            {
                Err(StoreError::CopyBeingMade {
                    store: self.to_string(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Refuses `store` (this location, just opened) if it holds an unfinished copy:
    /// it holds a prefix of another ledger's log, which would otherwise open as a
    /// healthy, shorter ledger (D39). One point read, the same on every engine.
    fn refuse_unfinished_copy(&self, store: &impl StateRows) -> Result<(), StoreError> {
        let Some(row) = store.read_state(&StateKey::CopyUnfinished)? else {
            return Ok(());
        };
        let copy = decode_copy_unfinished_row(&row).map_err(|message| StoreError::Corrupt {
            position: 0,
            message: super::findings::copy_row_undecodable(message),
        })?;
        Err(StoreError::CopyUnfinished {
            store: self.to_string(),
            from: copy.from,
            copied: copy.copied,
            source_head: copy.source_head,
        })
    }
}

impl std::fmt::Display for Location {
    /// How messages name it: the directory, or the server and database (never a
    /// password).
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sled(dir) => write!(formatter, "{}", dir.display()),
            Location::Postgres(url) => write!(formatter, "{}", redact_url(url)),
        }
    }
}

/// A command line's ledger: its store, and the data directory beside it, which keeps
/// the audit signing key (`audit::keys`) and the demo tokens, and for sled the store
/// itself. With a PostgreSQL store the directory holds only those files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub store: Location,
    pub data_dir: PathBuf,
}

impl Place {
    /// `--store` (a PostgreSQL URL) if given, else the sled store in `data_dir`.
    pub fn choose(store: Option<&str>, data_dir: &Path) -> Result<Place, LocationError> {
        Ok(Place {
            store: Location::choose(store, data_dir)?,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// The sled store in `data_dir` (tests, tools).
    pub fn sled(data_dir: &Path) -> Place {
        Place {
            store: Location::Sled(data_dir.to_path_buf()),
            data_dir: data_dir.to_path_buf(),
        }
    }
}

/// A `--store` that names no store this build knows.
#[derive(Debug, thiserror::Error)]
pub enum LocationError {
    #[error("{}", self.sentence())]
    NotAUrl(String),
}

impl LocationError {
    /// What went wrong, as the catalog words it (`store-location-not-a-url`); its
    /// English is the error's `Display`.
    pub fn sentence(&self) -> crate::i18n::Sentence {
        let LocationError::NotAUrl(given) = self;
        let args = vec![("given", format!("{:?}", redact_url(given)))];
        crate::i18n::Sentence::new("store-location-not-a-url", args)
    }
}

/// The writer's store, on whichever engine.
pub enum AnyStore {
    Sled(SledStore),
    Postgres(PgStore),
}

/// A read-only handle, on whichever engine: implements only the reading traits.
#[derive(Clone)]
pub enum AnyReader {
    Sled(SledReader),
    Postgres(PgReader),
}

impl AnyStore {
    /// A handle for concurrent readers of the same store (HTTP requests, the feed).
    pub fn reader(&self) -> AnyReader {
        match self {
            AnyStore::Sled(store) => AnyReader::Sled(store.reader()),
            AnyStore::Postgres(store) => AnyReader::Postgres(store.reader()),
        }
    }

    /// The sled engine, if that is the one: for tools and tests that reach below the
    /// traits.
    pub fn sled(&self) -> Option<&SledStore> {
        match self {
            AnyStore::Sled(store) => Some(store),
            AnyStore::Postgres(_) => None,
        }
    }
}

/// Calls the same method on whichever engine `$value` holds.
macro_rules! each {
    ($value:expr, $store:ident => $call:expr) => {
        match $value {
            AnyStore::Sled($store) => $call,
            AnyStore::Postgres($store) => $call,
        }
    };
}

impl AnyReader {
    /// The engine's reader, for the reading traits.
    fn engine(&self) -> &dyn ReadStore {
        match self {
            AnyReader::Sled(reader) => reader,
            AnyReader::Postgres(reader) => reader,
        }
    }
}

impl AnyStore {
    /// The engine's store, for the reading traits.
    fn engine(&self) -> &dyn ReadStore {
        match self {
            AnyStore::Sled(store) => store,
            AnyStore::Postgres(store) => store,
        }
    }
}

reads_through!(AnyStore, |store| store.engine());
reads_through!(AnyReader, |store| store.engine());

impl LogWriter for AnyStore {
    fn append(
        &mut self,
        commands: &mut [CommandRecord],
        state: &[StateWrite],
    ) -> Result<(), StoreError> {
        each!(self, store => store.append(commands, state))
    }
    fn replace_state(
        &mut self,
        rows: &mut dyn Iterator<Item = StateWrite>,
        replaced: &mut dyn FnMut(ReplacedRow<'_>),
    ) -> Result<(), StoreError> {
        each!(self, store => store.replace_state(rows, replaced))
    }
    fn release_caches(&mut self) {
        each!(self, store => store.release_caches())
    }
    fn write_items_ahead(
        &mut self,
        position: u64,
        items: Vec<CoverageItem>,
    ) -> Result<(), StoreError> {
        each!(self, store => store.write_items_ahead(position, items))
    }
    fn discard_items_ahead(&mut self) -> Result<u64, StoreError> {
        each!(self, store => store.discard_items_ahead())
    }

    fn check_writer(&mut self) -> Result<(), StoreError> {
        each!(self, store => store.check_writer())
    }
}

impl CheckpointWriter for AnyStore {
    fn put_audit_checkpoint(&mut self, tree_size: u64, bytes: &[u8]) -> Result<bool, StoreError> {
        each!(self, store => store.put_audit_checkpoint(tree_size, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_postgres_only_for_its_url_schemes() {
        for url in [
            "postgres://db/ledger",
            "postgresql:///ledger?host=/run",
            "POSTGRES://x/y",
        ] {
            assert!(
                matches!(Location::parse(url), Location::Postgres(_)),
                "{url}"
            );
            let chosen = Location::choose(Some(url), Path::new("d")).unwrap();
            assert!(matches!(chosen, Location::Postgres(_)), "{url}");
        }
        // A directory, also one whose name starts with characters of several bytes
        // where the scheme would end.
        for dir in ["demo-data", "数据库的数据", "postgres", "./postgres://x"] {
            assert_eq!(Location::parse(dir), Location::Sled(PathBuf::from(dir)));
            assert!(
                Location::choose(Some(dir), Path::new("d")).is_err(),
                "{dir}"
            );
        }
        let secret = Location::parse("postgresql://ledger:hunter2@db/ledger");
        assert!(!secret.to_string().contains("hunter2"), "{secret}");
    }
}
