//! Connections to the server: one (the writer's) or a bounded pool (a reader's), each
//! with its prepared statements, and dropped where dropping them cannot panic.
//!
//! The sync `postgres` client owns a current-thread tokio runtime per connection and
//! blocks on it (`Runtime::block_on`) for every call, and again when it is dropped (it
//! says goodbye to the server). tokio panics when a thread that drives async tasks
//! blocks that way ("Cannot start a runtime from within a runtime": rust-postgres
//! issue #639, whose maintainer points async callers to tokio-postgres), and allows it
//! on any thread outside a runtime (the writer's own thread) and on `spawn_blocking`'s
//! threads (tokio's docs: it "runs the provided closure on a thread where blocking is
//! acceptable"). Checked, not only read: `tests/it/postgres_store.rs` reads through
//! a `PgReader` from `spawn_blocking` tasks of a multi-thread runtime, and drops the
//! last handles on a worker thread; a `PgStore::open` called directly in an async
//! block there panicked as described. So every call on a `PgStore` or `PgReader`
//! must run on such a thread (the server's requests and the feed read the store
//! inside `spawn_blocking`), and connections whose last handle goes away inside a
//! runtime are dropped on a thread of their own (`drop_off_runtime`).

use super::errors::{classify, classify_connect};
use super::password::PasswordSource;
use super::tls::Tls;
use ::postgres::types::ToSql;
use ::postgres::{Client, Config, GenericClient, NoTls, Row, Statement};
use postgres_openssl::MakeTlsConnector;
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, PoisonError};

/// The `application_name` flexledger's connections give the server, when the URL sets
/// none; the writer's session then calls itself `flexledger writer`.
pub const PG_APPLICATION_NAME: &str = "flexledger";

/// How long a connection attempt may take, when the URL sets no `connect_timeout`.
pub const PG_CONNECT_TIMEOUT_SECONDS_DEFAULT: u64 = 10;

/// A server and how to connect to it (`tls`), and who logs in (what a failed login
/// names: the user, and where the password came from).
#[derive(Clone)]
pub(crate) struct Target {
    /// What to connect with, tried in turn until one connects: the URL's config, or,
    /// when its hosts get different passwords from the password file (libpq looks
    /// each host up), one config per host with its own (`password::attempts`).
    pub attempts: Vec<Attempt>,
    pub tls: Tls,
    pub user: String,
}

/// One config to connect with, and where its password came from.
#[derive(Clone)]
pub(crate) struct Attempt {
    pub config: Config,
    pub password: PasswordSource,
}

/// The order to try `count` attempts in: as given, or shuffled when the URL asks
/// for `load_balance_hosts=random` (as the crate shuffles the hosts of one config).
fn attempt_order(count: usize, random: bool) -> Vec<usize> {
    use std::hash::BuildHasher;
    let mut order: Vec<usize> = (0..count).collect();
    if random {
        let keys = std::collections::hash_map::RandomState::new();
        order.sort_by_key(|index| keys.hash_one(index));
    }
    order
}

/// How long a connection may take in all, past its hosts' TCP connects, each bounded
/// by `connect_timeout`: the startup exchange with a server that answers takes
/// milliseconds.
pub const PG_STARTUP_ANSWER_SECONDS_MAX: u64 = 10;

/// `config.connect`, given up after every host's `connect_timeout` and
/// `PG_STARTUP_ANSWER_SECONDS_MAX` more; `None` then. The crate's `connect_timeout`
/// bounds only the TCP connect: a probe's port that accepted connections and never
/// answered (a frozen server, something else listening) kept `verify` and `serve`
/// silent past a minute. The connecting thread is left behind on a timeout (the sync
/// client cannot be cancelled); it ends when the server answers or the connection
/// breaks, and a command that gives up exits.
fn connect_within(config: &Config, tls: &Tls) -> Option<Result<Client, ::postgres::Error>> {
    let hosts = u32::try_from(config.get_hosts().len().max(1)).unwrap_or(u32::MAX);
    let each = config
        .get_connect_timeout()
        .copied()
        .unwrap_or(std::time::Duration::from_secs(
            PG_CONNECT_TIMEOUT_SECONDS_DEFAULT,
        ));
    let wait =
        each.saturating_mul(hosts) + std::time::Duration::from_secs(PG_STARTUP_ANSWER_SECONDS_MAX);
    let connect = |config: &Config, tls: &Tls| match tls {
        Tls::Off => config.connect(NoTls),
        Tls::Verified(connector) => config.connect(MakeTlsConnector::new(connector.clone())),
    };
    let (answer, answered) = std::sync::mpsc::sync_channel(1);
    let (theirs, their_tls) = (config.clone(), tls.clone());
    let spawned = std::thread::Builder::new()
        .name("flexledger-pg-connect".to_owned())
        // The waiter may have given up: nobody to tell then.
        .spawn(move || drop(answer.send(connect(&theirs, &their_tls))));
    if spawned.is_err() {
        // No thread to spare: connect here, bounded by connect_timeout alone.
        return Some(connect(config, tls));
    }
    answered.recv_timeout(wait).ok()
}

/// A server that took the connection and did not answer in time (`connect_within`):
/// the advice says it all, in the reader's language.
fn not_answering(store: &str) -> crate::store::StoreError {
    crate::store::StoreError::Unavailable {
        store: store.to_owned(),
        message: String::new(),
        advice: Some(Box::new(crate::store::ServerAdvice::NotAnswering)),
    }
}

/// One connection and the statements prepared on it (parsed once, by their SQL).
pub(crate) struct Connection {
    pub client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Connection {
    /// Connects to `target`, naming `store` (redacted) in any failure: each attempt
    /// in turn (one per host when the hosts need different passwords); the failure
    /// named is the first refused login if any (its cause is the one to fix), else
    /// the last attempt's, as the crate names its last host's.
    pub(crate) fn open(
        target: &Target,
        store: &str,
    ) -> Result<Connection, crate::store::StoreError> {
        let random = target.attempts.first().is_some_and(|attempt| {
            attempt.config.get_load_balance_hosts() == ::postgres::config::LoadBalanceHosts::Random
        });
        let (mut failed, mut login_refused) = (None, None);
        for index in attempt_order(target.attempts.len(), random) {
            let attempt = &target.attempts[index];
            let mut config = attempt.config.clone();
            if config.get_connect_timeout().is_none() {
                config.connect_timeout(std::time::Duration::from_secs(
                    PG_CONNECT_TIMEOUT_SECONDS_DEFAULT,
                ));
            }
            // What `pg_stat_activity` shows an operator, unless the URL names it (found
            // by a probe: flexledger's backends could not be told from others').
            if config.get_application_name().is_none() {
                config.application_name(PG_APPLICATION_NAME);
            }
            let connected = match connect_within(&config, &target.tls) {
                Some(connected) => connected,
                None => {
                    failed = Some(not_answering(store));
                    continue;
                }
            };
            match connected {
                Ok(client) => {
                    return Ok(Connection {
                        client,
                        statements: HashMap::new(),
                    })
                }
                Err(error) => {
                    let refused = super::errors::is_login_refused(&error);
                    let error = classify_connect(store, &target.user, &attempt.password, error);
                    // A refused login is the failure to report: a later host that is
                    // down would otherwise hide it.
                    if refused {
                        login_refused.get_or_insert(error);
                    } else {
                        failed = Some(error);
                    }
                }
            }
        }
        Err(login_refused
            .or(failed)
            .unwrap_or_else(|| crate::store::StoreError::Unavailable {
                store: store.to_owned(),
                message: "the URL names no host to connect to".to_owned(),
                advice: None,
            }))
    }

    /// Rows of `sql`, prepared on this connection once.
    pub(crate) fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, ::postgres::Error> {
        let statement = prepared(&mut self.statements, &mut self.client, sql)?;
        self.client.query(&statement, params)
    }

    /// A transaction, with this connection's prepared statements at hand.
    pub(crate) fn transaction(&mut self) -> Result<Prepared<'_>, ::postgres::Error> {
        Ok(Prepared {
            transaction: self.client.transaction()?,
            statements: &mut self.statements,
        })
    }
}

/// A transaction whose statements are prepared once per connection.
pub(crate) struct Prepared<'a> {
    pub transaction: ::postgres::Transaction<'a>,
    statements: &'a mut HashMap<&'static str, Statement>,
}

impl Prepared<'_> {
    pub(crate) fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, ::postgres::Error> {
        let statement = prepared(self.statements, &mut self.transaction, sql)?;
        self.transaction.query(&statement, params)
    }

    pub(crate) fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, ::postgres::Error> {
        let statement = prepared(self.statements, &mut self.transaction, sql)?;
        self.transaction.execute(&statement, params)
    }
}

fn prepared(
    statements: &mut HashMap<&'static str, Statement>,
    client: &mut impl GenericClient,
    sql: &'static str,
) -> Result<Statement, ::postgres::Error> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql)?;
    statements.insert(sql, statement.clone());
    Ok(statement)
}

/// Drops `work`'s connections (and runs it) where blocking is allowed: on this thread
/// outside a tokio runtime, else on a thread of its own, waited for (so a writer's lock
/// is released when its store has been dropped).
pub(crate) fn drop_off_runtime(work: impl FnOnce() + Send + 'static) {
    if tokio::runtime::Handle::try_current().is_err() {
        work();
        return;
    }
    if let Ok(thread) = std::thread::Builder::new()
        .name("flexledger-pg-close".into())
        .spawn(work)
    {
        let _ = thread.join();
    }
    // A thread that cannot be spawned leaves the connections undropped (leaked, closed
    // by the server when this process exits) rather than panicking in a runtime.
}

/// At most this many connections a `PgReader` (and the handles cloned from it) keeps
/// open at once: requests beyond it wait for one to be returned. Each is a server
/// backend (a process, a few MiB); the server's own default `max_connections` is 100.
pub const PG_READER_CONNECTIONS_MAX: usize = 8;

/// How long a read waits for one of the reader's connections when all
/// `PG_READER_CONNECTIONS_MAX` are in use, before it is answered that the server is
/// not answering (`ServerAdvice::ReadersBusy`). A read-only server on a frozen standby
/// (SIGSTOP, a hung disk) kept every later read waiting without end once its
/// connections were all stuck in queries the server never answered: the sync client
/// has no query timeout, so those stay stuck, but no read waits behind them for ever.
/// `FLEXLEDGER_PG_READER_WAIT_MS` sets it in milliseconds, for tests.
pub const PG_READER_WAIT_SECONDS_MAX: u64 = 60;

fn reader_wait_max() -> std::time::Duration {
    std::env::var("FLEXLEDGER_PG_READER_WAIT_MS")
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map_or(
            std::time::Duration::from_secs(PG_READER_WAIT_SECONDS_MAX),
            std::time::Duration::from_millis,
        )
}

/// A reader's connections, opened when first needed.
pub(crate) struct Pool {
    target: Target,
    /// The store, its password redacted: what errors name.
    pub store: String,
    /// A pool that reads one snapshot of the database (`in_snapshot`): the id of the
    /// snapshot its first connection exported, which every other connection imports.
    snapshot: Option<String>,
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<Connection>,
    /// Connections open, idle or in use.
    open: usize,
}

/// What a snapshot's connections set first: their transaction stays open, idle between
/// the pages a walk reads, for as long as the walk takes, so a server's
/// `idle_in_transaction_session_timeout` (a common setting) would end it mid-walk (a
/// probe's `verify` failed under 2 s with "terminating connection due to
/// idle-in-transaction timeout", and under 200 ms with "invalid snapshot identifier").
/// Any role may set it for its own session.
const SNAPSHOT_SESSION: &str = "SET idle_in_transaction_session_timeout = 0";

impl Pool {
    pub(crate) fn new(target: Target, store: String) -> Pool {
        Pool {
            target,
            store,
            snapshot: None,
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    /// A pool whose every connection reads the database as it was when this returns:
    /// one repeatable-read, read-only transaction on its first connection, never
    /// committed, whose snapshot (`pg_export_snapshot`) each later connection imports.
    /// For a walk that compares tables with each other (`verify`) beside a writer that
    /// keeps appending: read page by page on any connection, the log, the command
    /// records and the state rows were each read at a different moment, and a store
    /// in good health was called damaged (found by a probe of the PostgreSQL engine).
    /// The snapshot lasts while the first connection does; a connection lost meanwhile
    /// fails the walk as unreachable, never as damage.
    pub(crate) fn in_snapshot(
        target: Target,
        store: String,
    ) -> Result<Pool, crate::store::StoreError> {
        let mut pool = Pool::new(target, store);
        let mut first = pool.checkout()?;
        let exported = first
            .client
            .batch_execute(&format!(
                "{SNAPSHOT_SESSION}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            ))
            .and_then(|()| first.client.query_one("SELECT pg_export_snapshot()", &[]))
            .and_then(|row| row.try_get::<_, String>(0));
        let snapshot = match exported {
            Ok(snapshot) => snapshot,
            Err(error) => {
                pool.checkin(first);
                return Err(classify(&pool.store, error));
            }
        };
        // An id as the server makes them (hex digits and dashes): nothing to quote.
        assert!(
            snapshot
                .chars()
                .all(|character| character.is_ascii_hexdigit() || character == '-'),
            "a snapshot id of hex digits and dashes: {snapshot}"
        );
        pool.snapshot = Some(snapshot);
        pool.checkin(first);
        Ok(pool)
    }

    /// Runs `work` on a connection of the pool (an idle one, a new one while fewer than
    /// `PG_READER_CONNECTIONS_MAX` are open, else the first one returned). A read whose
    /// idle connection turns out closed (the server restarted, or an administrator
    /// ended it) is run once more on a new one: a probe's `pg_terminate_backend` of one
    /// pooled reader stopped `submit` and `serve` though the database was up. Not in a
    /// snapshot, whose transaction went with the connection.
    pub(crate) fn with<T>(
        &self,
        mut work: impl FnMut(&mut Connection) -> Result<T, ::postgres::Error>,
    ) -> Result<T, crate::store::StoreError> {
        let mut connection = self.checkout()?;
        let mut outcome = work(&mut connection);
        if outcome.is_err() && connection.client.is_closed() && self.snapshot.is_none() {
            self.checkin(connection);
            connection = self.checkout()?;
            outcome = work(&mut connection);
        }
        self.checkin(connection);
        outcome.map_err(|error| classify(&self.store, error))
    }

    fn checkout(&self) -> Result<Connection, crate::store::StoreError> {
        let deadline = std::time::Instant::now() + reader_wait_max();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(connection) = state.idle.pop() {
                // One the server ended while it was idle is dropped, not handed out
                // (a read retried on it would fail again).
                if connection.client.is_closed() {
                    state.open = state.open.saturating_sub(1);
                    drop_off_runtime(move || drop(connection));
                    continue;
                }
                return Ok(connection);
            }
            if state.open < PG_READER_CONNECTIONS_MAX {
                state.open += 1;
                drop(state);
                let opened = Connection::open(&self.target, &self.store).and_then(|mut opened| {
                    // A reader writes nothing, whatever a caller sends through it.
                    opened
                        .client
                        .batch_execute("SET default_transaction_read_only = on")
                        .map_err(|error| classify(&self.store, error))?;
                    if let Some(snapshot) = &self.snapshot {
                        let import = format!(
                            "{SNAPSHOT_SESSION}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'"
                        );
                        opened
                            .client
                            .batch_execute(&import)
                            .map_err(|error| classify(&self.store, error))?;
                    }
                    Ok(opened)
                });
                if opened.is_err() {
                    self.forget_one();
                }
                return opened;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(crate::store::StoreError::Unavailable {
                    store: self.store.clone(),
                    message: String::new(),
                    advice: Some(Box::new(crate::store::ServerAdvice::ReadersBusy)),
                });
            }
            (state, _) = self
                .returned
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Returns a connection to the pool; a closed one is dropped instead.
    fn checkin(&self, connection: Connection) {
        if connection.client.is_closed() {
            drop_off_runtime(move || drop(connection));
            self.forget_one();
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.idle.push(connection);
        drop(state);
        self.returned.notify_one();
    }

    fn forget_one(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.open -= 1;
        drop(state);
        self.returned.notify_one();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        let idle = std::mem::take(&mut state.idle);
        if !idle.is_empty() {
            drop_off_runtime(move || drop(idle));
        }
    }
}
