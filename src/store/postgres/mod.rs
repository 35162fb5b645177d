//! The store's traits on PostgreSQL (tested with 15; no server version is checked;
//! the `postgres` crate, the sync client of rust-postgres). `PgStore` is the writer
//! (every trait); `PgReader` reads through a small pool of connections and implements
//! only the reading traits (`ReadStore`), so a reader cannot append:
//!
//! ```compile_fail
//! use flexledger::store::{LogWriter, PgReader};
//! fn append_through(reader: &mut PgReader) {
//!     reader.append(&mut [], &[]).unwrap();
//! }
//! ```
//!
//! Schema: versioned migrations in `migrations/postgres/` (embedded), applied by
//! [`migrate`] and recorded in `schema_migrations`; a store must be migrated before it
//! opens, and a store migrated by a newer build is refused. The tables
//! (`0001_initial.sql`): `log_entries` (the log by position, the entry bytes exactly as
//! sled stores them, UNIQUE (stream, version)), `commands`, `state_rows` (sled's state
//! keys), `feed_items`, `head` (the head witness, updated in each append's
//! transaction) and `audit_checkpoints`.
//!
//! One writer: `open` takes a session-level advisory lock (`PG_WRITER_LOCK_KEY`) on
//! the writer's connection and holds it while the store is open; a second writer is
//! refused (`StoreError::WriterLocked`). The lock is the connection's, so the store
//! must be reached directly or through a pooler in session mode (PgBouncer's
//! transaction mode would hand the lock to whichever client runs next).
//!
//! Durable means COMMIT returned with `synchronous_commit` at `on` or stronger: `open`
//! sets `on` for the writer's session unless the server already asks for
//! `remote_write` or `remote_apply` (never lowering it for an append: a close's items
//! written ahead commit with it off, made durable by the append's commit, D90), and
//! warns if the server runs with `fsync` off. One `append` is one transaction.
//!
//! Threads: every call blocks (module `pool`'s docs), `open` included: the writer
//! runs on its own thread, and reads run on blocking threads (`spawn_blocking`), never
//! on a thread that drives async tasks.
//!
//! A writer whose connection is lost is not reconnected: its lock went with the
//! connection, and another writer may hold it now. Its appends fail
//! (`StoreError::Unavailable`) until the store is opened again.
//!
//! TLS as the URL asks (`sslmode=require`, `sslrootcert=PATH`), always with the
//! server's certificate and name verified (module `tls`). A URL without a password
//! takes `PGPASSWORD` or the password file's, by libpq's rules (module `password`).

mod errors;
mod password;
mod pool;
mod read;
mod tls;
mod write;

pub use errors::redact_url;
pub use pool::{
    PG_APPLICATION_NAME, PG_CONNECT_TIMEOUT_SECONDS_DEFAULT, PG_READER_CONNECTIONS_MAX,
    PG_READER_WAIT_SECONDS_MAX,
};

use super::checked_reads::corrupt;
use super::findings;
use super::head_cache::HeadCache;
use super::StoreError;
use ::postgres::error::SqlState;
use ::postgres::Config;
use errors::classify;
use pool::{drop_off_runtime, Attempt, Connection, Pool, Target};
use std::sync::Arc;

/// The migrations this build knows, in order: (version, name, SQL). Each runs in a
/// transaction of its own and is recorded in `schema_migrations`.
const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "0001_initial",
        include_str!("../../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "0002_state_rows_fillfactor",
        include_str!("../../../migrations/postgres/0002_state_rows_fillfactor.sql"),
    ),
];

/// The schema version this build reads and writes: the last migration's.
pub const PG_SCHEMA_VERSION: u32 = 2;

/// The advisory lock key a writer holds for as long as its store is open: "flexledg"
/// in ASCII. Advisory locks are per database, so one server holds many stores.
pub const PG_WRITER_LOCK_KEY: i64 = 0x666c_6578_6c65_6467;

/// How long opening a writer waits for the writer lock before refusing.
pub const PG_WRITER_LOCK_WAIT_SECONDS: u64 = 5;

/// The store open for writing: the ledger's one writer. Holds the writer lock.
pub struct PgStore {
    /// The writer's connection: holds the advisory lock, runs every append. In a
    /// mutex only so that the store is `Sync` (the traits ask it); the writer takes it
    /// with `get_mut`, never waiting.
    writer: std::sync::Mutex<Option<Connection>>,
    /// Reads, as a reader reads (the writer's reads see every committed append).
    reader: PgReader,
    /// The URL as given (it may hold a password: never print it; `redacted_url`).
    url: String,
    /// Last version and hash of streams appended to lately (saves a query per stream
    /// per append); safe because this store is the only writer (it holds the lock).
    stream_heads: HeadCache,
    /// The writer's head witness in its data directory, once kept (D86).
    witness: Option<Box<super::sled_store::WitnessFile>>,
}

/// A read-only handle: cheap to clone (the clones share one pool of at most
/// `PG_READER_CONNECTIONS_MAX` connections, opened when first needed), `Send + Sync`.
/// A connection that fails is dropped from the pool and a new one opened on demand.
#[derive(Clone)]
pub struct PgReader {
    pool: Arc<Pool>,
}

/// A reader is shared by the server's requests: `Send + Sync + Clone`, checked here.
const _: () = {
    fn shared<T: Send + Sync + Clone>() {}
    let _ = shared::<PgReader>;
};

/// The server `url` names and how to reach it (TLS as it asks: `tls`; the password
/// from the URL, else where libpq finds it: `password`).
fn parse_config(url: &str, store: &str) -> Result<Target, StoreError> {
    let split = tls::split(url, store)?;
    let config = split
        .url
        .parse::<Config>()
        .map_err(|error| StoreError::Unavailable {
            store: store.to_owned(),
            message: format!(
                "the URL does not parse ({error}); write it as postgresql://USER@HOST[:PORT]/DATABASE, \
                 or for a Unix socket postgresql:///DATABASE?host=/var/run/postgresql"
            ),
            advice: None,
        })?;
    let tls = split.tls(config.get_ssl_mode(), store)?;
    let environment = password::Environment::current();
    let user = password::user_of(&config, &environment);
    let attempts = password::attempts(config, &environment)
        .into_iter()
        .map(|(config, password)| Attempt { config, password })
        .collect();
    Ok(Target {
        attempts,
        tls,
        user,
    })
}

/// Which database a URL names, however it is written (`postgres://` or
/// `postgresql://`, its parameters in any order, a password or not, a socket
/// directory written another way, a default port or user): its hosts (socket
/// directories resolved), ports and database. For the damage mark, which must know
/// the store it marks under any spelling of its URL (D84: a probe's writer took a
/// marked store under another spelling). `None` for a URL that does not parse.
pub fn database_named(url: &str) -> Option<String> {
    let split = tls::split(url, "").ok()?;
    let config = split.url.parse::<Config>().ok()?;
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            ::postgres::config::Host::Tcp(name) => name.to_ascii_lowercase(),
            ::postgres::config::Host::Unix(path) => std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
        })
        .collect();
    // The user only names the database when the URL does not (libpq's default): an
    // auditor's role reading the same database must find the writer's mark.
    let environment = password::Environment::current();
    let user = password::user_of(&config, &environment);
    let ports: Vec<u16> = match config.get_ports() {
        [] => vec![5432],
        ports => ports.to_vec(),
    };
    Some(format!(
        "hosts={hosts:?} ports={ports:?} database={}",
        config.get_dbname().unwrap_or(&user)
    ))
}

/// The server `url` names, and the store's name for messages, once one connection has
/// checked its schema version and its head: what every reader opens with.
fn checked_for_reading(url: &str) -> Result<(Target, String), StoreError> {
    let store = redact_url(url);
    let target = parse_config(url, &store)?;
    let mut checking = Connection::open(&target, &store)?;
    check_schema(&mut checking, &store)?;
    check_head(&mut checking, &store)?;
    drop_off_runtime(move || drop(checking));
    Ok((target, store))
}

impl PgReader {
    /// Whether the database is a standby (`pg_is_in_recovery()`): one that is behind
    /// its primary is behind the writer's head witness too, and lost nothing (D86).
    pub fn in_recovery(&self) -> Result<bool, StoreError> {
        let row = self.pool.with(|connection| {
            connection
                .client
                .query_one("SELECT pg_is_in_recovery()", &[])
        })?;
        read::column::<bool>(&row, 0)
    }
}

/// The head witness a PostgreSQL ledger's writer keeps in its data directory (D86):
/// the position and hash of the last event it appended, fsynced after each append,
/// outside the database. A database restored from an older copy (its `head` row with
/// it), or a standby promoted while it was behind, is a smaller ledger that passes
/// every check inside it (an operator's probe: both `verify`s passed and the next
/// `submit` gave position 24,406 to another event, the three acknowledged before it
/// lost); the witness names it as damage, and nothing is appended to it.
pub const PG_HEAD_WITNESS_FILE: &str = "head-witness.postgresql";

/// The head witness at `path` and its slot, if there is a file; one with no intact
/// slot is damage said for this engine (the sled witness's advice, `verify
/// --accept-head`, is sled's own).
pub fn read_head_witness_at(
    path: &std::path::Path,
) -> Result<Option<(super::sled_store::HeadWitness, usize)>, StoreError> {
    match super::sled_store::read_witness_file(path) {
        Err(StoreError::Corrupt { .. }) => {
            let aside = format!("{}.unreadable", path.display());
            Err(corrupt(
                0,
                findings::pg_witness_unreadable(path.display(), aside),
            ))
        }
        read => read,
    }
}

/// How long a reader that met a spoiled slot of the witness waits before it looks again
/// (`writer_moved_on`): a live writer's slot write takes microseconds.
const WITNESS_SLOT_RELOOK_MILLIS: u64 = 50;

/// Whether a writer appended past `position` after a reader saw the log end there and
/// a slot of the witness unreadable: a reader that does not hold the writer's lock
/// (`verify`, the reads, a read-only server) may have read the file in the middle of
/// the writer's write of its next slot (a reviewer), which is no damage. Looked at
/// again once, after `WITNESS_SLOT_RELOOK_MILLIS`: the head moved on, the witness now
/// records a later position, or the slot reads whole.
fn writer_moved_on(
    reader: &(impl super::EventLog + ?Sized),
    path: &std::path::Path,
    position: u64,
) -> bool {
    std::thread::sleep(std::time::Duration::from_millis(WITNESS_SLOT_RELOOK_MILLIS));
    let head_moved = reader.head().is_ok_and(|(head, _)| head > position);
    let witness_moved = super::sled_store::read_witness_file(path)
        .ok()
        .flatten()
        .is_some_and(|(witness, _)| witness.position > position);
    head_moved || witness_moved || !super::sled_store::a_witness_slot_is_spoiled(path)
}

/// That the log of `reader` holds the event `witness` (read from `path`) records, if
/// there is one: damage if it ends before it or holds another event there (D86). Read
/// by the caller: `verify` reads it before its snapshot (the writer records a head only
/// once it is committed, so a snapshot taken after the witness was read holds it).
pub fn check_witnessed(
    reader: &(impl super::EventLog + ?Sized),
    path: &std::path::Path,
    witness: Option<super::sled_store::HeadWitness>,
) -> Result<(), StoreError> {
    let Some(witness) = witness else {
        return Ok(());
    };
    if witness.position == 0 {
        return Ok(());
    }
    let aside = format!("{}.accepted-loss", path.display());
    let (head, _) = reader.head()?;
    if head < witness.position {
        let finding = findings::pg_witness_ahead(head, path.display(), witness.position, &aside);
        return Err(corrupt(head + 1, finding));
    }
    // As on sled (`refuse_a_spoiled_slot_at_head`): the witness is written after the
    // commit, so no crash leaves the database ending exactly at the intact slot with
    // the other slot unreadable; a standby promoted one commit behind and a damaged
    // newer slot would (a reviewer, after an auditor's probe of the sled witness).
    if head == witness.position
        && super::sled_store::a_witness_slot_is_spoiled(path)
        && !writer_moved_on(reader, path, witness.position)
    {
        let finding = findings::pg_witness_slot_spoiled(head, path.display(), &aside);
        return Err(corrupt(0, finding));
    }
    let event = reader.read_log(witness.position).next().transpose()?;
    match event {
        Some(event) if event.hash == witness.hash => Ok(()),
        found => {
            let hash = found.map_or_else(|| "none".to_owned(), |event| event.hash.to_string());
            let finding = findings::pg_witness_other_hash(
                (witness.position, hash),
                path.display(),
                witness.hash,
                &aside,
            );
            Err(corrupt(witness.position, finding))
        }
    }
}

impl PgStore {
    /// Keeps the head witness in `dir` (D86): checks the log against it, then records
    /// the head after every append. Refused as damage, before anything is appended,
    /// when the database is behind what this data directory's writer appended.
    pub fn keep_head_witness(&mut self, dir: &std::path::Path) -> Result<(), StoreError> {
        use super::sled_store::{write_witness_file, HeadWitness, WitnessFile};
        use super::EventLog;
        let path = dir.join(PG_HEAD_WITNESS_FILE);
        // Read once: checked against the log, then kept open for the appends.
        let kept = read_head_witness_at(&path)?;
        check_witnessed(&self.reader, &path, kept.map(|(witness, _)| witness))?;
        let (position, hash) = self.reader.head()?;
        let head = HeadWitness { position, hash };
        let mut witness = match kept {
            Some((latest, slot)) => WitnessFile::open_at(path, latest, slot)?,
            None => {
                write_witness_file(dir, PG_HEAD_WITNESS_FILE, head)?;
                WitnessFile::open_at(path, head, 0)?
            }
        };
        witness.record(head)?;
        self.witness = Some(Box::new(witness));
        Ok(())
    }

    /// Connects to the store at `url`, checks its schema version, takes the writer
    /// lock, makes commits durable on this session, and checks the stored head
    /// against the log (a log cut short is damage).
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let store = redact_url(url);
        let target = parse_config(url, &store)?;
        let mut writer = Connection::open(&target, &store)?;
        refuse_a_read_only_database(&mut writer, &store)?;
        check_schema(&mut writer, &store)?;
        refuse_missing_write_privileges(&mut writer, &store)?;
        take_writer_lock(&mut writer, &store)?;
        make_commits_durable(&mut writer, &store)?;
        let reader = PgReader {
            pool: Arc::new(Pool::new(target, store)),
        };
        check_head(&mut writer, &reader.pool.store)?;
        Ok(PgStore {
            writer: std::sync::Mutex::new(Some(writer)),
            reader,
            url: url.to_owned(),
            stream_heads: HeadCache::new(write::STREAM_HEADS_CACHED_MAX),
            witness: None,
        })
    }

    /// Opens the store at `url` for reading only: the same checks as `open`, no lock
    /// taken, nothing written.
    pub fn open_read_only(url: &str) -> Result<PgReader, StoreError> {
        let (target, store) = checked_for_reading(url)?;
        Ok(PgReader {
            pool: Arc::new(Pool::new(target, store)),
        })
    }

    /// Opens the store at `url` to read it as one snapshot (`Pool::in_snapshot`): the
    /// same checks as `open_read_only`, and every read sees the database as it was
    /// when this returned, whatever a writer appends meanwhile. For `verify`.
    pub fn open_snapshot(url: &str) -> Result<PgReader, StoreError> {
        let (target, store) = checked_for_reading(url)?;
        Ok(PgReader {
            pool: Arc::new(Pool::in_snapshot(target, store)?),
        })
    }

    /// A handle for concurrent readers (HTTP requests, the feed): reads see every
    /// committed append.
    pub fn reader(&self) -> PgReader {
        self.reader.clone()
    }

    /// The URL the store was opened with. It may hold a password: print
    /// `redacted_url` instead.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with its password replaced by `***`: for messages and logs.
    pub fn redacted_url(&self) -> &str {
        &self.reader.pool.store
    }

    /// Whether this writer still holds the writer lock on a live connection: `Ok` if
    /// so, else `Unavailable` (a restart of the server or a broken connection took the
    /// lock with the session; another writer may hold it now). One round trip: what a
    /// periodic check of an idle writer asks (`writer::WRITER_CHECK_INTERVAL_SECONDS`).
    pub fn check_writer_lock(&mut self) -> Result<(), StoreError> {
        let store = self.reader.pool.store.clone();
        let connection = self.connection()?;
        let held = connection
            .query(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND pid = pg_backend_pid() AND classid = ($1::bigint >> 32)::oid \
                 AND objid = ($1::bigint & 4294967295)::oid AND objsubid = 1",
                &[&PG_WRITER_LOCK_KEY],
            )
            .map_err(|error| classify(&store, error))?;
        let count = match held.first() {
            Some(row) => read::column::<i64>(row, 0)?,
            None => 0,
        };
        if count == 0 {
            return Err(StoreError::Unavailable {
                store,
                message: "this writer no longer holds the store's writer lock (its session \
                          ended: a restart of the server, or a broken connection): start it again"
                    .into(),
                advice: None,
            });
        }
        Ok(())
    }

    fn connection(&mut self) -> Result<&mut Connection, StoreError> {
        let store = &self.reader.pool.store;
        self.writer
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_mut()
            .ok_or_else(|| StoreError::Unavailable {
                store: store.clone(),
                message: "the writer's connection was closed".into(),
                advice: None,
            })
    }
}

impl Drop for PgStore {
    /// Releases the writer lock and closes the connection (off any async runtime:
    /// module `pool`'s docs), so that a store dropped can be opened again at once.
    fn drop(&mut self) {
        let writer = self
            .writer
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(mut writer) = writer {
            drop_off_runtime(move || {
                let _ = writer
                    .client
                    .execute("SELECT pg_advisory_unlock($1)", &[&PG_WRITER_LOCK_KEY]);
                drop(writer);
            });
        }
    }
}

impl PgReader {
    /// The URL with its password replaced by `***`: for messages and logs.
    pub fn redacted_url(&self) -> &str {
        &self.pool.store
    }
}

/// The tables the first migration makes (`migrations/postgres/0001_initial.sql`),
/// besides `schema_migrations`.
pub const PG_LEDGER_TABLES: &[&str] = &[
    "log_entries",
    "commands",
    "state_rows",
    "feed_items",
    "head",
    "audit_checkpoints",
];

/// Refuses a database holding another application's tables where the ledger's go: a
/// `schema_migrations` that is not the ledger's (golang-migrate's and Rails' have a
/// `bigint` or `text` version and no `name`), or, in a database the ledger never
/// migrated, a table of one of the ledger's names. An operator's probe got a Rust
/// type error from every command for the first, and for the second a bare "relation
/// \"commands\" already exists" from `migrate`, which left a `schema_migrations` behind.
fn refuse_a_foreign_schema(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    let pg = |error| classify(store, error);
    let foreign = |table: &str| StoreError::ForeignSchema {
        store: store.to_owned(),
        table: table.to_owned(),
    };
    let columns = connection
        .client
        .query(
            // The catalog, as for the tables (`ledger_tables_present`): the
            // information schema hides what the role may not read.
            "SELECT a.attname::text, format_type(a.atttypid, NULL)::text \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relname = 'schema_migrations' \
             AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
            &[],
        )
        .map_err(pg)?;
    // Both columns are cast to text in the query.
    let mut found = Vec::with_capacity(columns.len());
    for row in &columns {
        found.push((
            read::column::<String>(row, 0)?,
            read::column::<String>(row, 1)?,
        ));
    }
    let column = |name: &str| {
        (found.iter())
            .find(|(column, _)| column == name)
            .map(|(_, data_type)| data_type.clone())
    };
    if !columns.is_empty() {
        if column("version").as_deref() != Some("integer")
            || column("name").as_deref() != Some("text")
        {
            return Err(foreign("schema_migrations"));
        }
        return Ok(());
    }
    match ledger_tables_present(connection, store)?.first() {
        Some(table) => Err(foreign(table)),
        None => Ok(()),
    }
}

/// The privileges a writer uses on each ledger table (`write.rs`): state rows are
/// upserted and deleted, the head row updated, feed items written ahead of a close's
/// append and deleted when that append never came (`discard_items_ahead`), every other
/// table only appended to.
const PG_WRITER_PRIVILEGES: &[(&str, &str)] = &[
    ("log_entries", "SELECT"),
    ("log_entries", "INSERT"),
    ("commands", "SELECT"),
    ("commands", "INSERT"),
    ("state_rows", "SELECT"),
    ("state_rows", "INSERT"),
    ("state_rows", "UPDATE"),
    ("state_rows", "DELETE"),
    ("feed_items", "SELECT"),
    ("feed_items", "INSERT"),
    ("feed_items", "DELETE"),
    ("head", "SELECT"),
    ("head", "UPDATE"),
    ("audit_checkpoints", "SELECT"),
    ("audit_checkpoints", "INSERT"),
];

/// Refuses to open a writer whose user lacks a privilege it will use, naming each:
/// a user granted only SELECT had started `serve`, said "listening", answered reads
/// and `/healthz` ok, and stopped at its first command (a probe, 2026-12-06).
/// (`has_table_privilege` with a list is true if *any* is held, so one each.)
fn refuse_missing_write_privileges(
    connection: &mut Connection,
    store: &str,
) -> Result<(), StoreError> {
    let (tables, privileges): (Vec<&str>, Vec<&str>) = PG_WRITER_PRIVILEGES.iter().copied().unzip();
    let rows = connection
        .client
        .query(
            "SELECT wanted.name || ' ' || wanted.privilege \
             FROM unnest($1::text[], $2::text[]) AS wanted(name, privilege) \
             WHERE NOT has_table_privilege( \
                 quote_ident(current_schema()) || '.' || quote_ident(wanted.name), \
                 wanted.privilege)",
            &[&tables, &privileges],
        )
        .map_err(|error| classify(store, error))?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut missing = Vec::with_capacity(rows.len());
    for row in &rows {
        missing.push(read::column::<String>(row, 0)?);
    }
    Err(StoreError::PermissionDenied {
        path: store.to_owned(),
        source: std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "the user lacks the privileges a writer uses: {}",
                missing.join(", ")
            ),
        ),
    })
}

/// Which of `PG_LEDGER_TABLES` the database's current schema holds.
fn ledger_tables_present(
    connection: &mut Connection,
    store: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = connection
        .client
        .query(
            // The catalog, not `information_schema.tables`, which hides a table the
            // role holds no privilege on: a probe's reader role without SELECT on
            // `commands` was told the table had been dropped, and marked the store
            // damaged. Here the table is found, and reading it is refused by name.
            "SELECT c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
             AND c.relname = ANY($1)",
            &[&PG_LEDGER_TABLES],
        )
        .map_err(|error| classify(store, error))?;
    let mut present = Vec::with_capacity(rows.len());
    for row in &rows {
        present.push(read::column::<String>(row, 0)?);
    }
    Ok(present)
}

/// Refuses a store whose `schema_migrations` records no migration while the ledger's
/// tables are there (its rows deleted by hand, or left out of a partial dump): an
/// operator's probe was told by every command to run `migrate`, and `migrate` failed
/// making the first table again ("relation \"log_entries\" already exists"), a loop
/// with no way out. Which version the tables are at is unknown, so nothing is
/// migrated or opened; the message says how to record it.
fn refuse_lost_migration_records(
    connection: &mut Connection,
    store: &str,
    found: u32,
) -> Result<(), StoreError> {
    if found > 0 {
        return Ok(());
    }
    match ledger_tables_present(connection, store)?.first() {
        Some(table) => Err(StoreError::MigrationsUnrecorded {
            store: store.to_owned(),
            table: table.clone(),
            known: PG_SCHEMA_VERSION,
        }),
        None => Ok(()),
    }
}

/// Refuses, as damage, a migrated store that lacks one of the ledger's tables: with
/// `feed_items` dropped by hand, an operator's probe saw `migrate` say ok over a store
/// that could no longer serve its feed.
fn refuse_a_missing_table(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    let present = ledger_tables_present(connection, store)?;
    match (PG_LEDGER_TABLES.iter()).find(|table| !present.iter().any(|name| name == *table)) {
        Some(table) => Err(StoreError::TableMissing {
            store: store.to_owned(),
            table: (*table).to_owned(),
        }),
        None => Ok(()),
    }
}

/// The newest migration recorded, or `None` for a database never migrated.
fn schema_version(connection: &mut Connection) -> Result<Option<u32>, ::postgres::Error> {
    match connection
        .client
        .query_one("SELECT max(version) FROM schema_migrations", &[])
    {
        Ok(row) => Ok(row
            .try_get::<_, Option<i32>>(0)?
            .map(|version| u32::try_from(version).unwrap_or(0))),
        Err(error) if error.code() == Some(&SqlState::UNDEFINED_TABLE) => Ok(None),
        Err(error) => Err(error),
    }
}

fn check_schema(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    refuse_a_foreign_schema(connection, store)?;
    let found = schema_version(connection)
        .map_err(|error| classify(store, error))?
        .unwrap_or(0);
    if found > PG_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            store: store.to_owned(),
            found,
            known: PG_SCHEMA_VERSION,
        });
    }
    refuse_lost_migration_records(connection, store, found)?;
    if found < PG_SCHEMA_VERSION {
        return Err(StoreError::NotMigrated {
            store: store.to_owned(),
            found,
            needed: PG_SCHEMA_VERSION,
        });
    }
    refuse_a_missing_table(connection, store)
}

/// A writer on a hot standby would serve reads and fail at its first append with the
/// server's bare "cannot execute INSERT in a read-only transaction": refused at open,
/// saying where the writer belongs; so is a database whose transactions are all
/// read-only.
fn refuse_a_read_only_database(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    let row = connection
        .client
        .query_one("SELECT pg_is_in_recovery()", &[])
        .map_err(|error| classify(store, error))?;
    if read::column::<bool>(&row, 0)? {
        return Err(StoreError::Standby {
            store: store.to_owned(),
        });
    }
    // A database or role whose transactions are all read-only takes no append: said
    // at open, where a probe's writer opened and then failed its first append with the
    // server's bare "cannot execute INSERT in a read-only transaction".
    let row = connection
        .client
        .query_one(
            "SELECT current_setting('default_transaction_read_only') = 'on'",
            &[],
        )
        .map_err(|error| classify(store, error))?;
    if read::column::<bool>(&row, 0)? {
        return Err(StoreError::PermissionDenied {
            path: store.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::ReadOnlyFilesystem,
                "default_transaction_read_only is on",
            ),
        });
    }
    Ok(())
}

fn take_writer_lock(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    // Waits a little before refusing: the lock of a writer killed a moment ago is
    // released only when its server process notices the closed connection, so a
    // restart right after a crash would otherwise be refused.
    let wait = format!("SET lock_timeout = '{PG_WRITER_LOCK_WAIT_SECONDS}s'");
    connection
        .client
        .batch_execute(&wait)
        .map_err(|error| classify(store, error))?;
    let locked = connection
        .client
        .query_one("SELECT pg_advisory_lock($1)", &[&PG_WRITER_LOCK_KEY]);
    let reset = connection.client.batch_execute("RESET lock_timeout");
    match locked {
        Ok(_) => {
            reset.map_err(|error| classify(store, error))?;
            // The lock holder named as such in `pg_stat_activity`, when the URL left
            // the name to flexledger.
            let named = "SELECT set_config('application_name', 'flexledger writer', false) \
                         WHERE current_setting('application_name') = 'flexledger'";
            connection
                .client
                .batch_execute(named)
                .map_err(|error| classify(store, error))
        }
        Err(error) if error.code() == Some(&::postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
            Err(StoreError::WriterLocked {
                store: store.to_owned(),
            })
        }
        Err(error) => Err(classify(store, error)),
    }
}

/// `synchronous_commit` at `on` for this session, unless the server asks for more.
fn make_commits_durable(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    let setting = |connection: &mut Connection, name: &str| {
        connection
            .client
            .query_one("SELECT current_setting($1)", &[&name])
            .map_err(|error| classify(store, error))
            .and_then(|row| read::column::<String>(&row, 0))
    };
    let commit = setting(connection, "synchronous_commit")?;
    if !matches!(commit.as_str(), "on" | "remote_write" | "remote_apply") {
        connection
            .client
            .batch_execute("SET synchronous_commit = on")
            .map_err(|error| classify(store, error))?;
    }
    if setting(connection, "fsync")? != "on" {
        tracing::warn!(
            store,
            "the PostgreSQL server runs with fsync off: a crash of its machine can lose appends it acknowledged"
        );
    }
    Ok(())
}

/// The log's last position and that event's stored hash ((0, zeros) if empty).
fn log_head(connection: &mut Connection) -> Result<Option<(i64, Vec<u8>)>, ::postgres::Error> {
    let rows = connection.query(
        "SELECT position, substring(entry FROM 1 FOR 32) FROM log_entries ORDER BY position DESC LIMIT 1",
        &[],
    )?;
    Ok(rows
        .first()
        .and_then(|row| Some((row.try_get(0).ok()?, row.try_get(1).ok()?))))
}

/// The head row checked against the log: damage if the log ends before it, or holds
/// another event there (the engine lost acknowledged events, or they were edited).
fn check_head(connection: &mut Connection, store: &str) -> Result<(), StoreError> {
    let pg = |error| classify(store, error);
    let witness = connection
        .client
        .query_one("SELECT position, hash FROM head", &[])
        .map_err(pg)?;
    let recorded = read::position_of(read::column(&witness, 0)?)?;
    let recorded_hash = read::hash_of(recorded, read::column(&witness, 1)?)?;
    let (head, _) = match log_head(connection).map_err(pg)? {
        Some((position, hash)) => (read::position_of(position)?, hash),
        None => (0, Vec::new()),
    };
    if head < recorded {
        return Err(corrupt(head + 1, findings::head_row_ahead(head, recorded)));
    }
    if recorded == 0 {
        return Ok(());
    }
    let rows = connection
        .query(
            "SELECT substring(entry FROM 1 FOR 32) FROM log_entries WHERE position = $1",
            &[&read::sql_position(recorded)?],
        )
        .map_err(pg)?;
    let hash = match rows.first() {
        Some(row) => read::hash_of(recorded, read::column(row, 0)?)?,
        None => return Err(corrupt(recorded, findings::entry_missing())),
    };
    if hash != recorded_hash {
        return Err(corrupt(
            recorded,
            findings::head_row_other_hash(hash, recorded_hash, head),
        ));
    }
    Ok(())
}

/// Applies every migration the store at `url` lacks, in order, each in a transaction
/// of its own recorded in `schema_migrations`; returns the schema version now. Running
/// it again does nothing. Takes the writer lock while it runs, so it never migrates a
/// store a writer has open; refuses a store migrated by a newer build.
pub fn migrate(url: &str) -> Result<u32, StoreError> {
    let store = redact_url(url);
    let target = parse_config(url, &store)?;
    let mut connection = Connection::open(&target, &store)?;
    let outcome = migrate_on(&mut connection, &store);
    // Released before returning (a writer may open the store next): a session's locks
    // go when its backend exits, which may be after this end of the connection closes.
    if !matches!(outcome, Err(StoreError::WriterLocked { .. })) {
        let _ = connection
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&PG_WRITER_LOCK_KEY]);
    }
    drop_off_runtime(move || drop(connection));
    outcome
}

fn migrate_on(connection: &mut Connection, store: &str) -> Result<u32, StoreError> {
    let pg = |error| classify(store, error);
    refuse_a_read_only_database(connection, store)?;
    take_writer_lock(connection, store)?;
    refuse_a_foreign_schema(connection, store)?;
    connection
        .client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version integer PRIMARY KEY, \
                 name text NOT NULL, \
                 applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .map_err(pg)?;
    let found = schema_version(connection).map_err(pg)?.unwrap_or(0);
    if found > PG_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            store: store.to_owned(),
            found,
            known: PG_SCHEMA_VERSION,
        });
    }
    refuse_lost_migration_records(connection, store, found)?;
    let mut current = found;
    for (version, name, sql) in MIGRATIONS.iter().filter(|(version, ..)| *version > found) {
        let mut transaction = connection.client.transaction().map_err(pg)?;
        transaction.batch_execute(sql).map_err(pg)?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1::bigint::integer, $2)",
                &[&i64::from(*version), name],
            )
            .map_err(pg)?;
        transaction.commit().map_err(pg)?;
        tracing::info!(store, version, name, "applied a schema migration");
        current = *version;
    }
    refuse_a_missing_table(connection, store)?;
    Ok(current)
}
