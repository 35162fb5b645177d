//! The event store: an append-only log behind narrow traits, one per job, so that
//! another engine (PostgreSQL, a distributed log) can implement them without touching
//! the domain or the ledger, and can prove it with the same conformance suite
//! (`tests/it/conformance.rs`).
//!
//! The jobs, each a reading trait, and a writing trait where the job writes:
//! - [`EventLog`]: the log — its head, the log and one stream read in order and
//!   verified, where an accepted command's events sit; [`LogWriter`] appends to it:
//!   commands' events *and* the state rows they change, in one atomic write (the
//!   invariant that state rows equal a fold of the log rests on that one call);
//! - [`StateRows`]: derived decision state beside the log (a row by key, a region's
//!   member indexes a page at a time), written only through [`LogWriter`];
//! - [`FeedRows`]: the coverage-change items of the feed, a page at a time (written
//!   with the events that caused them, as `StateKey::CoverageChange` writes);
//! - [`Checkpoints`]: signed audit checkpoints; [`CheckpointWriter`] stores one, once.
//!
//! [`ReadStore`] is every reading trait: what a read-only handle (`SledReader`, for
//! HTTP requests and the feed) implements, so appending through one does not compile.
//! [`EventStore`] is every trait: what the ledger's one writer needs.
//!
//! Invariants every implementation keeps:
//! - positions start at 1 and have no gaps; stream versions likewise per stream;
//! - every event is sealed into two hash chains (the log's and its stream's, see
//!   `envelope`), checked again on every read;
//! - one `append` call is atomic (all of its commands' events, across any number of
//!   streams, and the state rows written with them, or nothing) and durable when it
//!   returns `Ok`;
//! - an accepted command id is remembered forever, with the log range of its events;
//! - a stored audit checkpoint is never replaced;
//! - damage (a stored entry that no longer hashes, a log cut short) is an error naming
//!   the position, never a panic.

/// Implements every reading trait for `$type` by calling the same method on what
/// `|$store| $target` gives (a `&impl ReadStore`): a writer reads as its reader does,
/// and an engine-choosing enum reads through the engine it holds. One definition, so
/// a reading method added to the traits is added for every store at once.
macro_rules! reads_through {
    ($type:ty, |$store:ident| $target:expr) => {
        impl $crate::store::EventLog for $type {
            fn head(&self) -> Result<(u64, $crate::store::Sha256), $crate::store::StoreError> {
                let $store = self;
                $target.head()
            }
            fn read_log(&self, from: u64) -> $crate::store::EnvelopeIter<'_> {
                let $store = self;
                $target.read_log(from)
            }
            fn read_stream(
                &self,
                stream: &$crate::domain::StreamId,
            ) -> $crate::store::EnvelopeIter<'_> {
                let $store = self;
                $target.read_stream(stream)
            }
            fn command_span(
                &self,
                command_id: uuid::Uuid,
            ) -> Result<Option<$crate::store::CommandSpan>, $crate::store::StoreError> {
                let $store = self;
                $target.command_span(command_id)
            }
            fn command_ids(&self) -> Result<Vec<uuid::Uuid>, $crate::store::StoreError> {
                let $store = self;
                $target.command_ids()
            }
            fn stream_index(&self) -> $crate::store::IndexedIter<'_> {
                let $store = self;
                $target.stream_index()
            }
            fn command_spans(
                &self,
                command_ids: &[uuid::Uuid],
            ) -> Result<
                std::collections::HashMap<uuid::Uuid, $crate::store::CommandSpan>,
                $crate::store::StoreError,
            > {
                let $store = self;
                $target.command_spans(command_ids)
            }
        }

        impl $crate::store::StateRows for $type {
            fn read_state(
                &self,
                key: &$crate::store::StateKey,
            ) -> Result<Option<Vec<u8>>, $crate::store::StoreError> {
                let $store = self;
                $target.read_state(key)
            }
            fn read_states(
                &self,
                keys: &[$crate::store::StateKey],
            ) -> Result<Vec<Option<Vec<u8>>>, $crate::store::StoreError> {
                let $store = self;
                $target.read_states(keys)
            }
            fn enrolled_members(
                &self,
                region: &$crate::domain::policy::RegionName,
            ) -> Result<Vec<uuid::Uuid>, $crate::store::StoreError> {
                let $store = self;
                $target.enrolled_members(region)
            }
            fn members_page(
                &self,
                index: $crate::store::MemberIndex,
                region: &$crate::domain::policy::RegionName,
                after: Option<uuid::Uuid>,
                limit: usize,
            ) -> Result<Vec<uuid::Uuid>, $crate::store::StoreError> {
                let $store = self;
                $target.members_page(index, region, after, limit)
            }
            fn closing_rows(&self) -> Result<Vec<Vec<u8>>, $crate::store::StoreError> {
                let $store = self;
                $target.closing_rows()
            }
            fn region_rows(&self) -> Result<Vec<Vec<u8>>, $crate::store::StoreError> {
                let $store = self;
                $target.region_rows()
            }
            fn member_row_ids(&self) -> Result<Vec<uuid::Uuid>, $crate::store::StoreError> {
                let $store = self;
                $target.member_row_ids()
            }
        }

        impl $crate::store::FeedRows for $type {
            fn coverage_changes_page(
                &self,
                position: u64,
                after: Option<uuid::Uuid>,
                skip: u32,
                limit: usize,
            ) -> Result<Vec<Vec<u8>>, $crate::store::StoreError> {
                let $store = self;
                $target.coverage_changes_page(position, after, skip, limit)
            }
        }

        impl $crate::store::Checkpoints for $type {
            fn audit_checkpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, $crate::store::StoreError> {
                let $store = self;
                $target.audit_checkpoints()
            }
        }
    };
}

pub mod any;
mod checked_reads;
pub mod coverage_rows;
pub mod damage_mark;
pub mod envelope;
pub mod findings;
mod head_cache;
pub mod log_block;
pub mod log_entry;
pub mod postgres;
mod sealing;
pub mod sled_store;
pub(crate) mod state_keys;
pub mod stream_index;

pub use self::postgres::{PgReader, PgStore};
pub use any::{AnyReader, AnyStore, Location, Place};
pub use envelope::{CommandResult, Envelope, EventRef, PrintedLineProblem, Sha256};
pub use sled_store::{HeadWitness, SledReader, SledStore};

use crate::domain::policy::RegionName;
use crate::domain::StreamId;
use crate::i18n::Sentence;
use std::collections::HashMap;
use std::fmt;
use uuid::Uuid;

/// The events one accepted command appends, in order (contiguous in the log). The
/// store seals them (fills in `prev_hash`, `stream_prev_hash`, `hash`) as it appends.
#[derive(Clone, Debug)]
pub struct CommandRecord {
    pub command_id: Uuid,
    pub envelopes: Vec<Envelope>,
    /// The command's canonical body digest (contract v2 `command_id_reused`), stored
    /// with its id.
    pub body_digest: Option<Sha256>,
}

/// Where an accepted command's events sit in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandSpan {
    pub first_position: u64,
    pub event_count: u64,
    /// `None` for ids remembered before v2 (their body was not recorded): such an id
    /// answers as v1 did, unless its events cannot be the command's (D10).
    pub body_digest: Option<Sha256>,
}

/// Derived state kept beside the log so that decisions need not replay it: written in
/// the same atomic append as the events it reflects.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StateKey {
    /// A member's decision state.
    Member(Uuid),
    /// A region's open month and policies.
    Region(RegionName),
    /// Present while the member is enrolled (not withdrawn) in the region: what a
    /// month close visits.
    Enrolled(RegionName, Uuid),
    /// Present while the member has a subsidy grant (R16): a month close visits these
    /// members too, since closing a paid, granted month accrues its subsidy.
    Granted(RegionName, Uuid),
    /// A region's totals for one month (`domain::report::MonthTotals`).
    RegionMonth(RegionName, crate::domain::month::Month),
    /// A region's members by standing and their arrears total
    /// (`domain::report::RegionSummary`), kept by differences like `RegionMonth`.
    RegionSummary(RegionName),
    /// The log position the state rows reflect, and their format.
    Checkpoint,
    /// A `CoverageChanged` feed item: at this position, for this member.
    CoverageChange(u64, Uuid),
    /// Present while a recorded month close of the region still has members whose
    /// consequences are to be recorded (`ledger::Closing`): its progress. Not derived
    /// from the log, so `verify` does not compare it; a rebuild keeps it.
    Closing(RegionName),
    /// Present while a `flexledger copy` into this store is unfinished
    /// (`codec::rows::CopyUnfinished`: its source and how far it got): written with
    /// the copy's first append, removed by its last write, and read by every open
    /// (`any::Location::open`), which refuses the store while it is there (D39). Not
    /// derived from the log: a rebuild keeps it.
    CopyUnfinished,
}

/// A region's member index, read a page at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberIndex {
    /// `StateKey::Enrolled` rows.
    Enrolled,
    /// `StateKey::Granted` rows.
    Granted,
}

/// One state row to set (`Some`) or remove (`None`).
#[derive(Clone, Debug)]
pub struct StateWrite {
    pub key: StateKey,
    pub value: Option<Vec<u8>>,
}

/// A state row whose bytes a rebuild changed (`LogWriter::replace_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplacedRow<'a> {
    /// The row's key as the engine stores it (`state_keys` layout).
    pub key: &'a [u8],
    /// The bytes it held; `None`: there was no row.
    pub stored: Option<&'a [u8]>,
    /// The bytes written; `None`: the row was removed.
    pub written: Option<&'a [u8]>,
}

impl ReplacedRow<'_> {
    /// The key read back as a `StateKey`; `None` for bytes no build writes (a row
    /// added below the ledger).
    pub fn state_key(&self) -> Option<StateKey> {
        state_keys::parse_state_key(self.key)
    }
}

/// Operational failures of a store. Business refusals never appear here.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A failure of the engine that is neither damage nor an I/O failure named
    /// above. `message` is the engine's own text; `detail` is its error, for a caller
    /// that knows the engine (not a `source`: the message already quotes it, and
    /// error chains would print it twice).
    #[error("storage engine failed: {message}")]
    Engine {
        message: String,
        detail: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{}", self.english())]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// Another process holds the engine's lock. No `source`: the engine's own text
    /// (sled 0.34.7: `could not acquire lock on "…/db": Os { code: 11, … }`) is its
    /// debug form and says nothing this sentence does not.
    #[error("{}", self.english())]
    Locked { path: String },
    /// The data directory named is a file (sled's own words were "File exists").
    #[error("{}", self.english())]
    NotADirectory { path: String },
    #[error("{}", self.english())]
    PermissionDenied {
        path: String,
        source: std::io::Error,
    },
    #[error("{}", self.english())]
    DiskFull {
        path: String,
        source: std::io::Error,
    },
    /// Damaged stored data: at a log position, or (position 0) in the engine's files or
    /// a row that has no position.
    #[error("{}", self.english())]
    Corrupt {
        position: u64,
        message: DamageDetail,
    },
    /// A file of the storage engine's that it can do without (its settings, its
    /// snapshot) is damaged: `message` names it and the `mv` that sets it aside, the
    /// way back that loses nothing, before any restore (D54).
    #[error("{}", self.english())]
    EngineFileDamaged { message: DamageDetail },
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
    /// A store in a database server (`store`: where, its password redacted) already
    /// has a writer: another process holds its writer lock.
    #[error("{}", self.english())]
    WriterLocked { store: String },
    /// A sled ledger that a command found damaged (`damage_mark`, D61), opened to
    /// append: refused until a `verify` finds it intact again.
    #[error("{}", self.english())]
    FoundDamaged {
        /// The mark's file.
        mark: String,
        /// What it says (boxed: the error type stays small).
        found: Box<damage_mark::DamageMark>,
    },
    /// A database server's store on a standby (in recovery: it takes no writes), opened
    /// to write: the writer belongs on the primary.
    #[error("{}", self.english())]
    Standby { store: String },
    /// A database server's store whose schema is older than this build's (`found` 0:
    /// never migrated).
    #[error("{}", self.english())]
    NotMigrated {
        store: String,
        found: u32,
        needed: u32,
    },
    /// A database holding another application's table where the ledger's go (`table`):
    /// neither opened nor migrated.
    #[error("{}", self.english())]
    ForeignSchema { store: String, table: String },
    /// A database server's store, migrated, that lacks one of the ledger's tables
    /// (`table`): dropped by hand, or left out of a dump. Damage: what the table held is
    /// gone, and `migrate` does not make it again.
    #[error("{}", self.english())]
    TableMissing { store: String, table: String },
    /// A database server's store holding the ledger's tables (`table` one of them)
    /// whose `schema_migrations` records no migration: which version they are at is
    /// unknown, so it is neither opened nor migrated (`known`: this build's version).
    #[error("{}", self.english())]
    MigrationsUnrecorded {
        store: String,
        table: String,
        known: u32,
    },
    /// A database server's store migrated by a newer build.
    #[error("{}", self.english())]
    SchemaTooNew {
        store: String,
        found: u32,
        known: u32,
    },
    /// A store that a `flexledger copy` was filling when it stopped (its
    /// `StateKey::CopyUnfinished` row): it holds part of another ledger, so nothing
    /// but a copy into it opens it. `store` and `from` are named as messages name
    /// stores (a password redacted).
    #[error("{}", self.english())]
    CopyUnfinished {
        store: String,
        from: String,
        copied: u64,
        source_head: u64,
    },
    /// A sled store a `flexledger copy` was making when it stopped, before the store
    /// existed (`sled_store::SLED_CREATING_DIR` and no `sled`): opened as it is, the
    /// directory would become a new, empty ledger and the copy could never finish.
    #[error("{}", self.english())]
    CopyBeingMade { store: String },
    /// A sled data directory a `flexledger restore` was filling when it stopped (it
    /// holds `sled_store::RESTORE_UNFINISHED_FILE`): part of a backup, which would open
    /// as a smaller ledger that verifies.
    #[error("{}", self.english())]
    RestoreUnfinished { store: String },
    /// A database server that cannot be reached or refuses us (no such server or
    /// database, a failed login): `message` says which, and what to do.
    #[error("{}", self.english())]
    Unavailable {
        store: String,
        message: String,
        /// What to do, said in the reader's language after `message` (the server's
        /// or the connection's own words), where a PostgreSQL error names it.
        advice: Option<Box<ServerAdvice>>,
    },
}

/// What to do about a database server that cannot be used, as data, so that each
/// language words it (`store-unavailable`, `locales/*/store.ftl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAdvice {
    /// The server refused the login; `user` and where the password came from
    /// (`password_from`: `url`, `environment`, `file` with `path`, `nowhere`) when the
    /// connection knows them.
    Login {
        user: String,
        password_from: &'static str,
        path: String,
    },
    /// No such database: create it, migrate it (`quoted`: the store, quoted for a shell).
    NoDatabase {
        quoted: String,
        /// The database's name as the server said it, for `createdb` (`NAME` if it
        /// did not say: a probe was told to run `createdb NAME` for a name it knew).
        database: String,
    },
    TooManyConnections,
    /// The login's role reached its own `CONNECTION LIMIT` (the same SQLSTATE as the
    /// server's `max_connections`, told apart by the server's words).
    RoleConnectionLimit,
    StartingUp,
    ShutDown,
    ConnectionFailed,
    /// `sslmode=require` and the connection could not be encrypted.
    Encryption,
    NotReachable,
    /// The server took the connection and did not answer (frozen, overloaded, or not
    /// PostgreSQL): `pool::connect_within`.
    NotAnswering,
    /// Every connection of a reader was in use and none came back within
    /// `PG_READER_WAIT_SECONDS_MAX` (`pool::Pool::checkout`).
    ReadersBusy,
    /// The server asks for a password and none was found.
    PasswordMissing {
        user: String,
    },
}

impl ServerAdvice {
    /// The catalog's selector value and the arguments of `store-unavailable`.
    fn arguments(advice: Option<&ServerAdvice>) -> Vec<(&'static str, String)> {
        let database = match advice {
            Some(ServerAdvice::NoDatabase { database, .. }) => database.as_str(),
            _ => "",
        };
        let (kind, user, from, path, quoted) = match advice {
            None => ("none", "", "none", "", ""),
            Some(ServerAdvice::Login {
                user,
                password_from,
                path,
            }) => ("login", user.as_str(), *password_from, path.as_str(), ""),
            Some(ServerAdvice::NoDatabase { quoted, .. }) => {
                ("no-database", "", "none", "", quoted.as_str())
            }
            Some(ServerAdvice::TooManyConnections) => ("too-many-connections", "", "none", "", ""),
            Some(ServerAdvice::RoleConnectionLimit) => {
                ("role-connection-limit", "", "none", "", "")
            }
            Some(ServerAdvice::NotAnswering) => ("not-answering", "", "none", "", ""),
            Some(ServerAdvice::ReadersBusy) => ("readers-busy", "", "none", "", ""),
            Some(ServerAdvice::StartingUp) => ("starting-up", "", "none", "", ""),
            Some(ServerAdvice::ShutDown) => ("shut-down", "", "none", "", ""),
            Some(ServerAdvice::ConnectionFailed) => ("connection-failed", "", "none", "", ""),
            Some(ServerAdvice::Encryption) => ("encryption", "", "none", "", ""),
            Some(ServerAdvice::NotReachable) => ("not-reachable", "", "none", "", ""),
            Some(ServerAdvice::PasswordMissing { user }) => {
                ("password-missing", user.as_str(), "none", "", "")
            }
        };
        vec![
            ("advice", kind.to_owned()),
            ("user", user.to_owned()),
            ("password_from", from.to_owned()),
            ("path", path.to_owned()),
            ("quoted", quoted.to_owned()),
            ("database", database.to_owned()),
        ]
    }
}

/// What a damage report found: its English (the contract's `message`, a log's) and,
/// for the findings the catalog words (`locales/*/store.ftl`, `store-found-*`: an event
/// altered, a broken link of the log or of a stream, a gap, a log shorter than its
/// head, the engine's own corruption report, a head witness the log does not reach,
/// and every finding of `findings.rs`: the checks of `verify`, of stored rows, command
/// records, keys and signed checkpoints), a sentence said in the reader's language, so
/// that a Chinese auditor reads what was found in Chinese. A finding made from a
/// `String` has English words only: still so are the byte-level problems of a log
/// entry that does not decode (`log_entry.rs`) and the damage mark (`damage_mark.rs`,
/// which keeps its English); an event the fold cannot apply is a sentence too
/// (`domain::state::FoldProblem`, `findings::fold_problem`); and what a finding quotes
/// from an engine or a decoder stays as it came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DamageDetail {
    english: String,
    sentence: Option<Box<Sentence>>,
}

impl DamageDetail {
    /// A finding the catalog words (`locales/*/store.ftl`, `store-found-*`). Only
    /// `findings.rs` calls it, one constructor per finding, so that its tests see
    /// every finding's English.
    fn found(id: &'static str, args: Vec<(&'static str, String)>) -> DamageDetail {
        Sentence::new(id, args).into()
    }

    /// The finding as a sentence of the catalog, where it has one.
    pub fn sentence(&self) -> Option<&Sentence> {
        self.sentence.as_deref()
    }

    /// The finding in `language`: its sentence, or its English words.
    pub fn in_language(&self, language: crate::i18n::Language) -> String {
        match &self.sentence {
            Some(sentence) => sentence.in_language(language),
            None => self.english.clone(),
        }
    }

    /// Message `id` with this finding as its argument `name`: said in that message's
    /// language where the finding is a sentence of the catalog, else its English.
    pub fn inside(&self, id: &'static str, name: &'static str) -> Sentence {
        match &self.sentence {
            Some(sentence) => Sentence::new(id, vec![]).with_said(name, (**sentence).clone()),
            None => Sentence::new(id, vec![(name, self.english.clone())]),
        }
    }

    /// The damage report of this finding at `position` (0: in no event): the finding
    /// said in the report's language where it has a sentence.
    pub fn report(&self, position: u64) -> Sentence {
        let (id, mut args) = match position {
            0 => ("store-damaged", vec![]),
            position => ("store-damaged-at", vec![("position", position.to_string())]),
        };
        match &self.sentence {
            Some(sentence) => Sentence::new(id, args).with_said("detail", (**sentence).clone()),
            None => {
                args.push(("detail", self.english.clone()));
                Sentence::new(id, args)
            }
        }
    }
}

impl From<String> for DamageDetail {
    fn from(english: String) -> DamageDetail {
        DamageDetail {
            english,
            sentence: None,
        }
    }
}

impl From<&str> for DamageDetail {
    fn from(english: &str) -> DamageDetail {
        DamageDetail::from(english.to_owned())
    }
}

impl From<Sentence> for DamageDetail {
    fn from(sentence: Sentence) -> DamageDetail {
        DamageDetail {
            english: sentence.to_string(),
            sentence: Some(Box::new(sentence)),
        }
    }
}

impl fmt::Display for DamageDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

impl std::ops::Deref for DamageDetail {
    type Target = str;
    fn deref(&self) -> &str {
        &self.english
    }
}

/// A store marked as found damaged, refused to its writer: the mark's finding as
/// its sentence where it keeps one (said in the reader's language), else its English.
fn found_damaged(mark: &str, found: &damage_mark::DamageMark) -> Sentence {
    // A log found rewritten is not recovered by a backup of it (`store-found-rewritten`
    // says so; the general one said a restore would lose what was appended since).
    let id = match found.found_with_kept_checkpoints() {
        true => "store-found-rewritten",
        false => "store-found-damaged",
    };
    found.sentence(id, vec![("mark", mark.to_owned())])
}

impl StoreError {
    /// The error as a sentence of the catalog (`locales/*/store.ftl`; an unfinished
    /// copy's in `locales/*/backup.ftl`, with `copy`'s refusals), so the shells say it
    /// in the reader's language; `None` for what has no sentence there (an engine's own
    /// failure, an append refused, which a person never meets). Its English is the error's
    /// `Display`: one source for both. The engine's, the operating system's and a
    /// damage report's own words inside it (`source`, `message`) stay as they came.
    pub fn sentence(&self) -> Option<Sentence> {
        match self {
            StoreError::Corrupt { position, message } => return Some(message.report(*position)),
            StoreError::EngineFileDamaged { message } => return Some(message.report(0)),
            StoreError::FoundDamaged { mark, found } => return Some(found_damaged(mark, found)),
            _ => {}
        }
        let (id, args) = self.file_sentence().or_else(|| self.server_sentence())?;
        Some(Sentence::new(id, args))
    }

    /// What a restore into `store` that stopped left, shell-quoted for `rm -r`: the
    /// target, and its staging directory where one is there (a fault probe removed the
    /// target as told, and the next restore was refused for the staging directory).
    fn restore_leftovers(store: &str) -> String {
        let staging = sled_store::restore_staging_path(std::path::Path::new(store))
            .filter(|staging| staging.exists())
            .map(|staging| {
                let staging = staging.display().to_string();
                format!(" {}", crate::shell_support::shell_quoted(&staging))
            })
            .unwrap_or_default();
        format!("{}{staging}", crate::shell_support::shell_quoted(store))
    }

    /// The sentence of an error of the files a store keeps (sled's, the data
    /// directory's), if it is one.
    fn file_sentence(&self) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        let text = |value: &dyn fmt::Display| value.to_string();
        Some(match self {
            StoreError::Io { path, source } => (
                "store-io",
                vec![("path", text(path)), ("detail", text(source))],
            ),
            StoreError::Locked { path } => ("store-locked", vec![("path", text(path))]),
            StoreError::NotADirectory { path } => {
                ("store-not-a-directory", vec![("path", text(path))])
            }
            // A database's refusal is no directory's: a probe's revoked INSERT was told
            // to give access to "the data directory and every file in it".
            StoreError::PermissionDenied { path, source } => (
                if path.starts_with("postgres")
                    && source.kind() == std::io::ErrorKind::ReadOnlyFilesystem
                {
                    "store-database-read-only"
                } else if path.starts_with("postgres") {
                    "store-permission-denied-database"
                } else if source.kind() == std::io::ErrorKind::ReadOnlyFilesystem {
                    "store-read-only-file-system"
                } else {
                    "store-permission-denied"
                },
                vec![("path", text(path)), ("detail", text(source))],
            ),
            StoreError::DiskFull { path, source } => (
                "store-disk-full",
                vec![
                    ("path", text(path)),
                    ("detail", text(source)),
                    ("reason", text(&full_reason(path, source))),
                ],
            ),
            StoreError::CopyUnfinished {
                store,
                from,
                copied,
                source_head,
            } => (
                "backup-copy-unfinished",
                vec![
                    ("store", text(store)),
                    ("from", text(from)),
                    ("copied", text(copied)),
                    ("source_head", text(source_head)),
                    ("progress", copy_progress(*copied, *source_head).to_owned()),
                    ("quoted_from", crate::shell_support::shell_quoted(from)),
                    ("quoted_store", crate::shell_support::shell_quoted(store)),
                    ("hidden", passwords_hidden(from, store).to_owned()),
                ],
            ),
            StoreError::RestoreUnfinished { store } => (
                "store-restore-unfinished",
                vec![
                    ("store", text(store)),
                    ("quoted", Self::restore_leftovers(store)),
                ],
            ),
            StoreError::CopyBeingMade { store } => {
                let making = format!("{store}/{}", sled_store::SLED_CREATING_DIR);
                (
                    "store-copy-being-made",
                    vec![
                        ("store", text(store)),
                        ("quoted", crate::shell_support::shell_quoted(&making)),
                        ("making", making),
                    ],
                )
            }
            _ => return None,
        })
    }

    /// The sentence of an error of a store in a database server, if it is one; `None`
    /// also for the errors with no sentence at all.
    fn server_sentence(&self) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        let text = |value: &dyn fmt::Display| value.to_string();
        Some(match self {
            StoreError::WriterLocked { store } => {
                ("store-writer-locked", vec![("store", text(store))])
            }
            StoreError::Standby { store } => ("store-standby", vec![("store", text(store))]),
            StoreError::ForeignSchema { store, table } => (
                "store-foreign-schema",
                vec![("store", text(store)), ("table", text(table))],
            ),
            StoreError::MigrationsUnrecorded {
                store,
                table,
                known,
            } => (
                "store-migrations-unrecorded",
                vec![
                    ("store", text(store)),
                    ("table", text(table)),
                    ("known", text(known)),
                ],
            ),
            StoreError::TableMissing { store, table } => (
                "store-table-missing",
                vec![("store", text(store)), ("table", text(table))],
            ),
            StoreError::NotMigrated {
                store,
                found,
                needed,
            } => (
                "store-not-migrated",
                vec![
                    ("store", text(store)),
                    ("found", text(found)),
                    ("needed", text(needed)),
                    ("quoted", crate::shell_support::shell_quoted(store)),
                ],
            ),
            StoreError::SchemaTooNew {
                store,
                found,
                known,
            } => (
                "store-schema-too-new",
                vec![
                    ("store", text(store)),
                    ("found", text(found)),
                    ("known", text(known)),
                ],
            ),
            StoreError::Unavailable {
                store,
                message,
                advice,
            } => {
                let mut args = vec![("store", text(store)), ("detail", text(message))];
                args.extend(ServerAdvice::arguments(advice.as_deref()));
                ("store-unavailable", args)
            }
            // The file errors (`file_sentence`), and those with no sentence: the
            // engine's own failures and refused appends, which a person never meets.
            _ => return None,
        })
    }

    /// The error in English: its sentence's (`Display` of the variants that have one).
    fn english(&self) -> String {
        crate::i18n::english_of(self.sentence())
    }

    /// An engine failure, its text kept as the engine wrote it.
    pub fn engine(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Engine {
            message: error.to_string(),
            detail: Box::new(error),
        }
    }
}

/// How far an unfinished copy got, as the message's selector `progress`: none of its
/// events copied, all of them (its last steps not finished), or a part.
fn copy_progress(copied: u64, source_head: u64) -> &'static str {
    if copied == 0 && source_head > 0 {
        "none"
    } else if copied >= source_head {
        "all"
    } else {
        "part"
    }
}

/// Whether a command naming these stores shows passwords as `***` (the message's
/// selector `hidden`: then it says so).
/// `create_dir_all`, each directory it makes readable by its owner alone (mode 0700):
/// a data directory holds every member's history, and a security probe found new ones
/// readable by every local user (0755, sled's files 0644 within). A directory that
/// already exists keeps its mode: an operator who shares one on purpose keeps it so.
pub fn create_private_dir_all(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

pub(crate) fn passwords_hidden(from: &str, store: &str) -> &'static str {
    if from.contains("***") || store.contains("***") {
        "yes"
    } else {
        "no"
    }
}

pub type EnvelopeIter<'a> = Box<dyn Iterator<Item = Result<Envelope, StoreError>> + 'a>;

/// One entry of the stream index: the stream's event `version` is at log `position`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indexed {
    pub stream: String,
    pub version: u64,
    pub position: u64,
}

pub type IndexedIter<'a> = Box<dyn Iterator<Item = Result<Indexed, StoreError>> + 'a>;

/// The log: read in order and verified. Written through [`LogWriter::append`].
pub trait EventLog: Send + Sync {
    /// Position and hash of the last event (0 and zeros for an empty log).
    fn head(&self) -> Result<(u64, Sha256), StoreError>;
    /// Envelopes from `from` (inclusive) in log order, each verified as it is read:
    /// its hash, its position and its link to the previous event. Beyond the head
    /// there is nothing yet (not damage).
    fn read_log(&self, from: u64) -> EnvelopeIter<'_>;
    /// One stream's envelopes in version order, verified like `read_log` plus the
    /// stream's own chain and index.
    fn read_stream(&self, stream: &StreamId) -> EnvelopeIter<'_>;
    /// The log span of an accepted command, if its id was accepted before.
    fn command_span(&self, command_id: Uuid) -> Result<Option<CommandSpan>, StoreError>;
    /// The ids of every remembered command (for `verify`: no record without events).
    fn command_ids(&self) -> Result<Vec<Uuid>, StoreError>;
    /// Every entry of the stream index as stored, read in one pass in the index's own
    /// order: each stream's versions in increasing order (streams in any order, and an
    /// older build's part of a stream before the rest), nothing checked against the
    /// log. What `verify` compares with the log: reading each stream through
    /// `read_stream` instead fetched every event again at a random place, ~85% of a
    /// verify of 4,956,025 events (6.5 minutes; D44).
    fn stream_index(&self) -> IndexedIter<'_>;
    /// The spans of those of `command_ids` accepted before, as `command_span` answers
    /// each. The writer asks once per batch of commands: on an engine across a network
    /// each read is a round trip, and one per command was most of an import's time.
    fn command_spans(
        &self,
        command_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, CommandSpan>, StoreError> {
        let mut spans = HashMap::new();
        for command_id in command_ids {
            if let Some(span) = self.command_span(*command_id)? {
                spans.insert(*command_id, span);
            }
        }
        Ok(spans)
    }
}

/// Derived state kept beside the log: read here, written only in the same atomic
/// write as the events it reflects ([`LogWriter`]).
pub trait StateRows: Send + Sync {
    /// A state row (never a `CoverageChange`: those are read as [`FeedRows`]).
    fn read_state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError>;
    /// Several state rows, each as `read_state` answers it, in the order of `keys`: the
    /// writer reads the uncached members of a batch of commands at once (one round trip
    /// on an engine across a network instead of one per member).
    fn read_states(&self, keys: &[StateKey]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        keys.iter().map(|key| self.read_state(key)).collect()
    }
    /// Members with an `Enrolled` row in `region`, in id order: the whole index as one
    /// page, so every engine answers it through `members_page`.
    fn enrolled_members(&self, region: &RegionName) -> Result<Vec<Uuid>, StoreError> {
        self.members_page(MemberIndex::Enrolled, region, None, usize::MAX)
    }
    /// Up to `limit` members of a region's index with ids after `after` (from the
    /// first when `None`), in id order: how a month close walks a region of any size
    /// in bounded memory.
    fn members_page(
        &self,
        index: MemberIndex,
        region: &RegionName,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<Uuid>, StoreError>;
    /// Every `Closing` row.
    fn closing_rows(&self) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Every `Region` row.
    fn region_rows(&self) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The ids of every `Member` state row (for `verify`: no row without a member).
    fn member_row_ids(&self) -> Result<Vec<Uuid>, StoreError>;
}

/// Which limit a `DiskFull` met, for its sentence's selector: `file-size` for a file
/// past the process's file size limit (EFBIG), else `disk` (a full disk or quota).
fn full_reason(path: &str, source: &std::io::Error) -> &'static str {
    // A PostgreSQL store's is the database server's disk: the words about sled's
    // engine did not fit it (an operator's probe).
    if any::is_postgres_url(path) {
        return "database";
    }
    let too_large = source.kind() == std::io::ErrorKind::FileTooLarge
        || (cfg!(target_os = "linux") && source.raw_os_error() == Some(27));
    if too_large {
        "file-size"
    } else {
        "disk"
    }
}

/// The feed's coverage-change items, as stored (`StateKey::CoverageChange` writes of
/// an append): the feed (`crate::feed`) turns them into messages.
pub trait FeedRows: Send + Sync {
    /// Up to `limit` `CoverageChange` items in key order (position, member id) from
    /// `position` on, leaving out, at `position` only, the items up to and including
    /// member `after` (when given) and then `skip` items more: a feed page resuming
    /// after the last item it sent (by its key, or by its ordinal at `position`).
    fn coverage_changes_page(
        &self,
        position: u64,
        after: Option<Uuid>,
        skip: u32,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError>;
}

/// Signed audit checkpoints, read. Stored through [`CheckpointWriter`].
pub trait Checkpoints: Send + Sync {
    /// Every stored audit checkpoint, by tree size.
    fn audit_checkpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError>;
}

/// The one writer of the log and the state rows.
pub trait LogWriter: EventLog + StateRows {
    /// Seals and appends every command's events, with `state` rows, in one atomic,
    /// durable write. Each envelope's position must continue the log and its version
    /// must continue its stream (optimistic concurrency), and no command id may have
    /// been appended before; otherwise nothing is written.
    fn append(
        &mut self,
        commands: &mut [CommandRecord],
        state: &[StateWrite],
    ) -> Result<(), StoreError>;
    /// Replaces every state row with `rows` (a rebuild from the log), taken from the
    /// iterator as they are written (a rebuild of a province does not hold all of
    /// them at once; best in key order). Feed items and the log are kept. Atomic as
    /// far as anyone reading the checkpoint can tell: an engine may write in several
    /// steps, but then removes the checkpoint row first and writes it last, so an
    /// interrupted replace leaves no checkpoint (which
    /// `ledger::upgrade_stale_state_rows` and `open` rebuild from).
    ///
    /// Calls `replaced` once for each row whose bytes it changes (written, overwritten
    /// or removed; never the checkpoint), with the bytes it held: the comparison a
    /// rebuild reports is the one the engine makes anyway to skip unchanged rows, not
    /// a second read of every row. Rows given in key order are each reported at most
    /// once; a row given out of order after the engine passed its key may be reported
    /// as removed and then as written.
    fn replace_state(
        &mut self,
        rows: &mut dyn Iterator<Item = StateWrite>,
        replaced: &mut dyn FnMut(ReplacedRow<'_>),
    ) -> Result<(), StoreError>;
    /// Drops what the writer caches between appends (each stream's head), keeping
    /// nothing but the empty cache. Called when a job fills the cache with streams
    /// unlikely to be appended to again soon: after each chunk of a month close of a
    /// region larger than the caches, whose heads would otherwise fill the cache and
    /// stay in memory for as long as the server runs.
    fn release_caches(&mut self);
    /// Writes `items`, feed items of the one event the next `append` records at
    /// `position` (the head plus one), ahead of that append, in as many calls as it
    /// takes: a month close's coverage changes of members with no consequence (a
    /// granted, paid month accruing, R16) are one per member of a region, and held
    /// for one append they grew its memory with the region (D17). No reader serves
    /// them before the append: a feed page reads events first and their items up to
    /// the last event read, and `verify` passes over items at the head plus one.
    /// Each call's items come after every earlier call's in key order (position,
    /// member). Not durable by itself: the append that follows makes them durable with
    /// its event; should it never come, `discard_items_ahead` removes them.
    fn write_items_ahead(
        &mut self,
        position: u64,
        items: Vec<coverage_rows::CoverageItem>,
    ) -> Result<(), StoreError>;
    /// Removes every feed item after the log's head (written ahead of an append that
    /// never came: the process stopped, or the append failed) and answers how many
    /// there were. The writer calls it when it opens, before any append.
    fn discard_items_ahead(&mut self) -> Result<u64, StoreError>;
    /// Whether this writer can still append: an idle writer asks it now and then
    /// (`writer::WRITER_CHECK_INTERVAL_SECONDS`). sled's lock is a file lock held by the
    /// process, so nothing can take it away; a database server's writer lock lives
    /// with its session, which a restart of the server ends without a word.
    fn check_writer(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Stores signed audit checkpoints.
pub trait CheckpointWriter: Checkpoints {
    /// Stores a signed audit checkpoint of the log at `tree_size`, durably. A
    /// checkpoint already stored at that size is kept (checkpoints are published
    /// facts: never replaced); returns whether `bytes` were stored.
    fn put_audit_checkpoint(&mut self, tree_size: u64, bytes: &[u8]) -> Result<bool, StoreError>;
}

/// Everything a reader may do: a read-only handle implements this and nothing more.
pub trait ReadStore: EventLog + StateRows + FeedRows + Checkpoints {}

impl<T: EventLog + StateRows + FeedRows + Checkpoints + ?Sized> ReadStore for T {}

/// Every job, reading and writing: what the ledger's writer owns.
pub trait EventStore: ReadStore + LogWriter + CheckpointWriter {}

impl<T: ReadStore + LogWriter + CheckpointWriter + ?Sized> EventStore for T {}

#[cfg(test)]
mod tests {
    use super::StoreError;
    use crate::i18n::Language;

    /// The refusal of an unfinished copy says how far it got and the command that
    /// finishes it, minding the passwords it cannot show.
    #[test]
    fn an_unfinished_copy_says_how_far_it_got_and_what_to_run() {
        let refused = |from: &str, copied| {
            StoreError::CopyUnfinished {
                store: "postgresql://ledger:***@db/ledger".to_owned(),
                from: from.to_owned(),
                copied,
                source_head: 249_013,
            }
            .to_string()
        };
        let part = refused("/data/ledger", 36_864);
        for words in [
            "holds an unfinished copy from /data/ledger (positions 1..36864 of 249013 copied)",
            "`flexledger copy --from '/data/ledger' --to 'postgresql://ledger:***@db/ledger'` again (with the passwords shown here as ***), with --from-data-dir too if the first run named one, to finish it",
            "remove the destination and start over",
        ] {
            assert!(part.contains(words), "{words:?} not in {part}");
        }
        assert_eq!(
            part,
            "the store postgresql://ledger:***@db/ledger holds an unfinished copy from \
             /data/ledger (positions 1..36864 of 249013 copied): it is not a ledger to use \
             yet. Run the same `flexledger copy --from '/data/ledger' --to \
             'postgresql://ledger:***@db/ledger'` again (with the passwords shown here as \
             ***), with --from-data-dir too if the first run named one, to finish it: it \
             resumes where it stopped. Or remove the destination and start over"
        );
        let none = refused("/data/ledger", 0);
        assert!(
            none.contains("(none of its 249013 events copied yet)"),
            "{none}"
        );
        let all = refused("/data/ledger", 249_013);
        assert!(
            all.contains("(all 249013 events copied; its last steps"),
            "{all}"
        );
        let plain = StoreError::CopyUnfinished {
            store: "/data/copy".to_owned(),
            from: "/data/ledger".to_owned(),
            copied: 5,
            source_head: 9,
        };
        assert!(plain
            .to_string()
            .contains("--to '/data/copy'` again, with --from-data-dir too if the first run named one, to finish it"));
        let chinese = plain.sentence().unwrap().in_language(Language::ZhCn);
        assert!(
            chinese.contains("尚未完成的复制（已复制 9 个事件中的位置 1 至 5）"),
            "{chinese}"
        );
    }
}
