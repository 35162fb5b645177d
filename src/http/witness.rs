//! A read-only server's watch on the writer's head witness (D86) while it runs.
//!
//! `serve --read-only --data-dir WRITER_DIR` on PostgreSQL checks the witness when it
//! starts; a database restored from an older copy underneath it, or a standby it reads
//! promoted while behind, was then served as the ledger for as long as the server ran,
//! `/healthz` ok (an operator's probe: a payment acknowledged at position 7 was shown
//! unpaid at position 4). So the witness is checked again, at most once every
//! [`WITNESS_RECHECK_MILLIS`], started by the first request after that (`/healthz`
//! too) on a blocking thread of its own, which no request waits for: a database that
//! hangs does not hang a request, and a client that goes away does not stop the check.
//! Once the database is found behind the witness, every request, `/healthz` on either
//! address too, is 503 `store_damaged` until an operator restarts the server on the
//! database that holds the events. A standby is not checked (it may be behind its
//! primary without having lost anything); once promoted it is.

use super::{AppError, AppState};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Longest a read-only server goes between two checks of the head witness while it is
/// asked something (a check reads a 1 KiB file and one event).
pub const WITNESS_RECHECK_MILLIS: u64 = 2_000;

/// When the witness was last checked, and what was found.
pub struct WitnessWatch {
    started: Instant,
    /// Milliseconds after `started` when the last check began (0: none yet).
    checked_at_millis: AtomicU64,
    /// A check is running: the requests meanwhile go on as before it.
    checking: AtomicBool,
    /// The finding, in English, once the database was found behind the witness: kept,
    /// since a database does not come back from that by itself.
    found: std::sync::OnceLock<String>,
}

impl Default for WitnessWatch {
    fn default() -> WitnessWatch {
        WitnessWatch {
            started: Instant::now(),
            checked_at_millis: AtomicU64::new(0),
            checking: AtomicBool::new(false),
            found: std::sync::OnceLock::new(),
        }
    }
}

impl WitnessWatch {
    /// Whether a check is due now, claiming it if so.
    fn claim_a_check(&self) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.checked_at_millis.load(Ordering::SeqCst);
        let due = last == 0 || now.saturating_sub(last) >= WITNESS_RECHECK_MILLIS;
        if !due || self.checking.swap(true, Ordering::SeqCst) {
            return false;
        }
        self.checked_at_millis.store(now.max(1), Ordering::SeqCst);
        true
    }
}

/// Ends a check when dropped: its thread returned or panicked.
struct CheckEnds(std::sync::Arc<WitnessWatch>);

impl Drop for CheckEnds {
    fn drop(&mut self) {
        self.0.checking.store(false, Ordering::SeqCst);
    }
}

/// The 503 of a server whose database was found behind the witness, once it was: a
/// check due now is started first (only on a read-only server on PostgreSQL; a writer
/// checks its witness at every open and stops when its database is replaced).
pub(super) fn behind(state: &AppState) -> Option<AppError> {
    let watched =
        state.writer.is_none() && matches!(*state.store, crate::store::AnyReader::Postgres(_));
    if !watched {
        return None;
    }
    let watch = &state.witness_watch;
    if watch.found.get().is_none() && watch.claim_a_check() {
        let (store, dir) = (state.store.clone(), state.data_dir.clone());
        let ends = CheckEnds(watch.clone());
        tokio::task::spawn_blocking(move || {
            if let Err(finding) = witness_holds(&store, &dir) {
                tracing::error!(%finding, "the database is behind the writer's head witness: every request is refused until this server is restarted on a database that holds what the writer acknowledged");
                let _ = ends.0.found.set(finding);
            }
            drop(ends);
        });
    }
    watch.found.get().map(|_| {
        AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_damaged",
            "http-behind-witness",
            vec![],
        )
    })
}

/// The middleware of every route: [`behind`]'s 503, or the route's answer.
pub(super) async fn refuse_behind_witness(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match behind(&state) {
        Some(refused) => refused.into_response(),
        None => next.run(request).await,
    }
}

/// `Err` with the finding when the database `store` reads is behind (or beside) the
/// head witness in `data_dir`; a witness that is not there, a standby, or a database
/// that cannot be asked now (`/healthz` says so) is no finding.
fn witness_holds(
    store: &crate::store::AnyReader,
    data_dir: &std::path::Path,
) -> Result<(), String> {
    let crate::store::AnyReader::Postgres(reader) = store else {
        return Ok(());
    };
    let path = data_dir.join(crate::store::postgres::PG_HEAD_WITNESS_FILE);
    let found = |error: crate::store::StoreError| match error {
        crate::store::StoreError::Corrupt { .. } => Err(error.to_string()),
        _ => Ok(()),
    };
    let witness = match crate::store::postgres::read_head_witness_at(&path) {
        Ok(Some((witness, _))) => witness,
        Ok(None) => return Ok(()),
        Err(error) => return found(error),
    };
    match reader.in_recovery() {
        Ok(false) => {}
        Ok(true) | Err(_) => return Ok(()),
    }
    crate::store::postgres::check_witnessed(store, &path, Some(witness)).or_else(found)
}
