//! `GET /v1/backup`: a consistent backup of the whole log while the server runs
//! (`crate::backup`; `flexledger backup --server URL` fetches it).
//!
//! The server holds the data directory's lock, so a backup of a running ledger is
//! taken here. The log is walked at the head it has when the request arrives (the
//! trees are built and the checkpoint signed before the response starts, so the
//! position is in a header), then streamed a second time into the body a chunk at a
//! time from a blocking thread: memory does not grow with the log, and commands keep
//! being appended meanwhile. The checkpoint is signed with the server's key but not
//! stored (the server reads through a read-only handle; one already stored at that
//! size is used instead).

use super::{blocking, AppError, AppState};
use crate::i18n::text;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::io::Write;
use tokio::sync::mpsc;

/// Bytes gathered before a chunk is handed to the connection.
pub const BACKUP_CHUNK_BYTES: usize = 64 * 1024;
/// Chunks waiting for a slow client before the backup's thread waits for it.
pub const BACKUP_CHUNKS_IN_FLIGHT_MAX: usize = 8;
/// Backups a server sends at once. Each walks the whole log twice and holds a blocking
/// thread for as long as its client reads, so a client (or a few) asking again and
/// again would otherwise take the disk from the writer and every other reader; one
/// more is answered 503 `overloaded` with `Retry-After`.
pub const BACKUPS_IN_FLIGHT_MAX: usize = 2;
/// What a client asking for one backup too many is told to wait, in seconds: a backup
/// of a province's log takes minutes.
pub const BACKUP_BUSY_RETRY_AFTER_SECONDS: u32 = 60;

type Chunk = Result<Bytes, std::io::Error>;

/// `GET /v1/backup` (and `HEAD`, which answers the same headers without walking or
/// sending the log: a client library's probe must not cost a backup).
pub(super) async fn get_backup(
    method: Method,
    State(state): State<AppState>,
) -> Result<Response, AppError> {
    if method == Method::HEAD {
        return head_backup(state).await;
    }
    // Held until the response's body is sent or dropped, not only while it is made.
    let Ok(permit) = state.backup_slots.clone().try_acquire_owned() else {
        let max = ("max", text(BACKUPS_IN_FLIGHT_MAX));
        let busy = AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "http-backup-busy",
            vec![max],
        );
        return Err(busy.retry_after(BACKUP_BUSY_RETRY_AFTER_SECONDS));
    };
    let store = state.store.clone();
    let data_dir = state.data_dir.clone();
    let writer = state.writer.is_some();
    let (tree, signed, key) = blocking(move || {
        let tree = crate::backup::walk(store.as_ref(), &mut |_| {})?;
        if tree.size() == 0 {
            return Err(empty_log());
        }
        let key = backup_key(store.as_ref(), &data_dir, writer)?;
        let signed =
            crate::backup::checkpoint_unstored(store.as_ref(), &tree, &key, chrono::Utc::now())?;
        Ok((tree, signed, key))
    })
    .await?;
    let position = tree.size();
    let (sender, receiver) = mpsc::channel::<Chunk>(BACKUP_CHUNKS_IN_FLIGHT_MAX);
    let mut out = ChannelWriter {
        sender,
        buffer: Vec::with_capacity(BACKUP_CHUNK_BYTES),
        shutdown: state.shutdown.clone(),
    };
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let written = crate::backup::write_backup(
            store.as_ref(),
            &tree,
            &signed,
            &key,
            &mut out,
            &mut |_| {},
        );
        match written {
            Ok(summary) => tracing::info!(
                position = summary.position,
                bytes = summary.bytes,
                "backup sent"
            ),
            Err(error) => {
                tracing::warn!(%error, position, "backup not finished; the response is cut short");
                let _ = out
                    .sender
                    .blocking_send(Err(std::io::Error::other(error.to_string())));
            }
        }
    });
    let chunks = tokio_stream::wrappers::ReceiverStream::new(receiver);
    let body = Body::from_stream(futures_util::StreamExt::map(chunks, move |chunk| {
        let _held = &permit;
        chunk
    }));
    Ok(backup_response(body, position))
}

/// `HEAD /v1/backup`: the headers a `GET` would answer now, the position being the
/// log's head.
async fn head_backup(state: AppState) -> Result<Response, AppError> {
    use crate::store::EventLog;
    let store = state.store.clone();
    let position = blocking(move || Ok(store.head()?.0)).await?;
    if position == 0 {
        return Err(empty_log());
    }
    // A body of unknown length, as the GET's: an empty one made the answer say
    // `content-length: 0`, a size the GET's body never has.
    let unknown_length = futures_util::stream::empty::<Chunk>();
    Ok(backup_response(Body::from_stream(unknown_length), position))
}

/// The key a backup's checkpoint is signed with: the ledger's own, never another
/// (`audit::keys`), refused if it is missing, and nothing is signed from a log found
/// rewritten after it was signed (D61).
fn backup_key(
    store: &crate::store::AnyReader,
    data_dir: &std::path::Path,
    writer: bool,
) -> Result<ed25519_dalek::SigningKey, AppError> {
    crate::audit::keys::refuse_signing_in(data_dir)
        .map_err(|error| no_signing_key(error, writer))?;
    let latest = crate::audit::keys::latest_signer(store).map_err(AppError::from)?;
    // The key was made, if ever, when the writer opened the ledger: a server never
    // makes one here (a read-only one would sign with a second identity).
    crate::audit::keys::ensure_ledgers(data_dir, latest.as_ref(), false)
        .map_err(|error| no_signing_key(error, writer))
}

/// 503 `signing_key_unavailable`: this server holds no key of the ledger's to sign the
/// backup's checkpoint with (a read-only server, or one started without the writer's
/// key): where to fetch the backup instead. Any other key error is the server's own.
fn no_signing_key(error: crate::audit::keys::KeyError, writer: bool) -> AppError {
    use crate::audit::keys::KeyError;
    tracing::warn!(%error, "a backup was refused: this server does not hold the ledger's signing key");
    let (id, args) = match &error {
        // The writer itself: its key file is gone (its log says where it belongs).
        KeyError::Missing { .. } | KeyError::NotMadeHere { .. } if writer => {
            ("http-backup-writer-no-signing-key", vec![])
        }
        KeyError::Missing { .. } | KeyError::NotMadeHere { .. } => {
            ("http-backup-no-signing-key", vec![])
        }
        KeyError::NotTheLedgers { signer, .. } => (
            "http-backup-other-signing-key",
            vec![("signer", text(signer))],
        ),
        // Not a missing key: the store is marked, and said so (`store_damaged`).
        KeyError::LogRewritten { mark, .. } => {
            let args = vec![("mark", text(mark))];
            let said = "http-backup-log-rewritten";
            return AppError::say(StatusCode::SERVICE_UNAVAILABLE, "store_damaged", said, args);
        }
        _ => return AppError::internal(error.to_string()),
    };
    AppError::say(
        StatusCode::SERVICE_UNAVAILABLE,
        "signing_key_unavailable",
        id,
        args,
    )
}

/// 409 `empty_log`: a backup of a log with no events would restore to nothing, so
/// both GET and HEAD refuse it.
fn empty_log() -> AppError {
    AppError::say(
        StatusCode::CONFLICT,
        "empty_log",
        "http-backup-empty-log",
        vec![],
    )
}

/// A backup's response: `body`, with the headers that name the backup's position.
fn backup_response(body: Body, position: u64) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        crate::backup::BACKUP_POSITION_HEADER,
        HeaderValue::from(position),
    );
    response
}

/// Gathers the backup's bytes into chunks for the response body; fails (ending the
/// backup) when the client has gone or the server is shutting down.
struct ChannelWriter {
    sender: mpsc::Sender<Chunk>,
    buffer: Vec<u8>,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if *self.shutdown.borrow() {
            return Err(std::io::Error::other("the server is shutting down"));
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(BACKUP_CHUNK_BYTES),
        ));
        self.sender.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= BACKUP_CHUNK_BYTES {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.send()
    }
}
