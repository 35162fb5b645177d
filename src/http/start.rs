//! How a ledger becomes a served one: the demo it may be seeded with, the writer that
//! takes it over, and the `AppState` every handler shares. `flexledger serve` and the
//! in-process HTTP tests both go through `start`, so the tests answer requests with
//! the state the server builds, not a look-alike.

use super::auth::Tokens;
use super::{
    feed_broadcast_items_max, AppState, Metrics, FEED_SUBSCRIBERS_MAX, REQUESTS_IN_FLIGHT_MAX,
};
use crate::domain::parse_command;
use crate::feed::Follower;
use crate::ledger::{Ledger, LedgerError, Sources};
use crate::store::{AnyReader, AnyStore, CommandResult, EventLog, StoreError};
use crate::writer::Writer;
use axum::http::HeaderValue;
use std::sync::Arc;

/// The demo region `serve --demo` seeds (the README's `examples/demo.jsonl`).
pub const DEMO_COMMANDS: &str = include_str!("../../examples/demo.jsonl");

/// Submits the demo's commands to `ledger` if it holds no event yet (a restarted demo
/// keeps what it recorded); returns their results, or none when nothing was submitted.
pub fn seed_demo(
    ledger: &mut Ledger,
    sources: &mut dyn Sources,
) -> Result<Vec<CommandResult>, LedgerError> {
    if ledger.store().head()?.0 != 0 {
        return Ok(Vec::new());
    }
    let commands = DEMO_COMMANDS.lines().map(parse_command).collect();
    // No feed exists yet to publish what the demo appends.
    Ok(ledger.submit(commands, sources)?.results)
}

/// Hands `ledger` to a new writer (which publishes to a new feed broadcast) and builds
/// the state the routes share: a reader on the same database, `data_dir` (where the
/// signing key is, `audit::keys`), `tokens`, the request
/// and feed caps, `cors_origins`, and `shutdown` (feed streams end when it turns true).
/// A month close is answered at once; its members' chunks follow between requests
/// (D17). The caller shuts the writer down once the server has stopped.
pub fn start(
    mut ledger: Ledger,
    data_dir: &std::path::Path,
    sources: Box<dyn Sources + Send>,
    tokens: Tokens,
    cors_origins: &[HeaderValue],
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> (Writer<AnyStore>, AppState) {
    ledger.set_close_in_background(true);
    let store = Arc::new(ledger.store().reader());
    let feed = crate::feed::Broadcast::new(feed_broadcast_items_max());
    let writer = Writer::start_with_feed(ledger, sources, Some(feed.clone()));
    let mut state = app_state(store, feed, data_dir, tokens, cors_origins, shutdown);
    state.writer = Some(writer.sender());
    state.writer_counters = writer.counters();
    (writer, state)
}

/// The state of a server that only reads (`serve --read-only`): `reader` on the store
/// (a PostgreSQL standby, or a ledger no writer holds), no writer (commands get 503
/// naming `writer_url`), and a feed fed by a [`Follower`] of the log instead of by a
/// writer. Stop the follower once the server has stopped.
pub fn start_read_only(
    reader: AnyReader,
    data_dir: &std::path::Path,
    tokens: Tokens,
    cors_origins: &[HeaderValue],
    shutdown: tokio::sync::watch::Receiver<bool>,
    writer_url: Option<&str>,
) -> Result<(Follower, AppState), StoreError> {
    let store = Arc::new(reader);
    let feed = crate::feed::Broadcast::new(feed_broadcast_items_max());
    let follower = Follower::start(store.clone(), feed.clone())?;
    let mut state = app_state(store, feed, data_dir, tokens, cors_origins, shutdown);
    state.writer_url = writer_url.map(Arc::from);
    Ok((follower, state))
}

/// What every server's state holds, writer or not: `store`, the live `feed`, the
/// request and feed caps, fresh metrics; no writer yet (its handle, counters and URL
/// are the caller's to set).
fn app_state(
    store: Arc<AnyReader>,
    feed: crate::feed::Broadcast,
    data_dir: &std::path::Path,
    tokens: Tokens,
    cors_origins: &[HeaderValue],
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> AppState {
    AppState {
        writer: None,
        writer_url: None,
        store,
        data_dir: data_dir.into(),
        tokens: Arc::new(super::auth::LiveTokens::new(tokens)),
        feed,
        feed_slots: Arc::new(tokio::sync::Semaphore::new(FEED_SUBSCRIBERS_MAX)),
        backup_slots: Arc::new(tokio::sync::Semaphore::new(
            super::backup::BACKUPS_IN_FLIGHT_MAX,
        )),
        request_slots: Arc::new(tokio::sync::Semaphore::new(REQUESTS_IN_FLIGHT_MAX)),
        shutdown,
        metrics: Arc::new(Metrics::default()),
        writer_counters: Arc::new(crate::writer::WriterCounters::default()),
        cors_origins: cors_origins.into(),
        store_health: Arc::new(super::StoreHealth::default()),
        witness_watch: Arc::new(super::witness::WitnessWatch::default()),
    }
}
