//! The HTTP API (`flexledger serve`): commands through the group-commit writer, reads
//! from stored state, and a Server-Sent Events feed. `start` builds the state,
//! `app(state)` the router (tests send it requests in process, with no socket), and
//! `run(listener, state, shutdown)` serves it until `shutdown`.

mod audit;
pub mod auth;
mod backup;
pub mod cors;
mod feed;
mod language;
mod parameters;
mod request_id;
mod schemas;
mod server;
mod start;
mod witness;

pub use crate::feed::{feed_broadcast_items_max, FEED_BROADCAST_EVENTS_MAX};
pub use backup::BACKUPS_IN_FLIGHT_MAX;
pub use request_id::{RequestId, REQUEST_ID_HEADER};
pub use schemas::{OPENAPI_DOCUMENT, OPENAPI_ROUTE, SCHEMA_CONTENT_TYPE, SCHEMA_FILES};
pub use server::ConnectionLimits;
pub use start::{seed_demo, start, start_read_only, DEMO_COMMANDS};

use crate::domain::command::parse_command_value_with;
use crate::domain::command::InexactNumber;
use crate::domain::coverage::month_line;
use crate::domain::month::Month;
use crate::domain::policy::RegionName;
use crate::domain::state::{MemberState, RegionState};
use crate::domain::{CommandEnvelope, ErrorCode, Refusal, StreamId};
use crate::i18n::{text, Arg, Language};
use crate::ledger::member_coverage;
use crate::store::{AnyReader, CommandResult, Envelope, EventLog, StateKey, StateRows, StoreError};
use crate::writer::{WriterError, WriterHandle};
use auth::{LiveTokens, Role};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// Largest request body, in bytes.
pub const REQUEST_BODY_BYTES_MAX: usize = 1024 * 1024;
/// Bytes a connection buffers as it reads (hyper's `max_buf_size`): a request head
/// (its line and headers) must fit, or the answer is 431 (414 for a long URI). hyper
/// checks it before each read, so a head may pass it by one read: at most twice this
/// (a head of 70,000 bytes passed, one of 131,073 did not). hyper's own default
/// (~400 KiB; a 500 KB header was accepted) let a client hold that much per
/// connection, 768 connections ~600 MiB, for each header-read timeout; the ledger's
/// heads are a few hundred bytes, and nginx's default for a head is 4 × 8 KiB. A body
/// is read through the buffer in pieces, so `REQUEST_BODY_BYTES_MAX` is not bound by it.
pub const CONNECTION_READ_BUFFER_BYTES_MAX: usize = 64 * 1024;
/// Largest request head (its line and headers, as sent) the ledger reads: one past it
/// is 431 `header_too_large` with the Error shape. Half the read buffer, so that a
/// head the ledger refuses is met by its own answer, in the reader's language, and not
/// by hyper's bare one, which only a head past the buffer still gets. nginx's default
/// is the same, 4 × 8 KiB; the ledger's own heads are a few hundred bytes.
pub const REQUEST_HEAD_BYTES_MAX: usize = 32 * 1024;
/// Longest request target (path and query) the ledger reads: one past it is 414
/// `uri_too_long` (nginx reads a request line of at most 8 KiB). No route takes more
/// than an id, a month and a few short parameters.
pub const REQUEST_URI_BYTES_MAX: usize = 8 * 1024;
const _: () = assert!(REQUEST_URI_BYTES_MAX < REQUEST_HEAD_BYTES_MAX);
const _: () = assert!(REQUEST_HEAD_BYTES_MAX < CONNECTION_READ_BUFFER_BYTES_MAX);
/// Most commands in one `POST /v1/commands` array.
pub const REQUEST_COMMANDS_MAX: usize = 1000;
/// Requests handled at once; more get 503. A feed subscription holds a slot only while
/// it is set up: open subscriptions are capped by `FEED_SUBSCRIBERS_MAX`, and `/healthz`
/// is never refused.
pub const REQUESTS_IN_FLIGHT_MAX: usize = 512;

/// `Retry-After` of a 503 for too many requests in flight or feed subscribers: a
/// moment, as one request's time.
pub const RETRY_AFTER_OVERLOADED_SECONDS: u32 = 1;
/// `Retry-After` of a 503 while the database cannot be reached: long enough for a
/// restart or a failover's promotion to be worth asking again.
pub const RETRY_AFTER_STORE_UNAVAILABLE_SECONDS: u32 = 5;
/// `Retry-After` of a read-only server's 503 while the writer records a month close's
/// consequences for the member asked about: it records them a chunk of members at a
/// time, a million members in about 30 s (`docs/performance.md`).
pub const RETRY_AFTER_CLOSE_PENDING_SECONDS: u32 = 2;
/// Feed subscribers at once; more get 503.
pub const FEED_SUBSCRIBERS_MAX: usize = 256;
/// Sockets open at once; beyond it, new connections wait in the kernel's accept
/// backlog (see `server.rs`). Below the common 1,024 file-descriptor soft limit, with
/// room left for the store's files.
pub const CONNECTIONS_OPEN_MAX: usize = 768;
/// Connections accepted beyond `CONNECTIONS_OPEN_MAX` for `/healthz`: a liveness probe
/// is answered at once when every slot is taken, where it waited its turn in the
/// accept backlog (up to the 30 s a request body may take) and a supervisor could read
/// a busy server as a dead one. Any other request on such a connection is refused 503
/// `overloaded` (`server.rs`).
pub const CONNECTIONS_RESERVED_FOR_HEALTH_MAX: usize = 8;
/// From accept, or from the end of the previous response on a keep-alive connection,
/// to a complete request head; a client still sending it is disconnected.
pub const HEADER_READ_TIMEOUT_SECONDS: u64 = 10;
/// A connection that moves no byte either way for this long is closed once no request
/// is in flight on it (a response being sent, e.g. a feed stream, is never cut; the
/// feed's SSE keep-alive comment every 15 s counts as activity). Shorter than the
/// header-read timeout, which also runs on an idle keep-alive connection.
pub const CONNECTION_IDLE_TIMEOUT_SECONDS: u64 = 5;
/// A response its socket has taken no byte of for this long is cut and its connection
/// reset: a client that asks and never reads would otherwise pin the body (a member's
/// coverage or audit page, a backup, a feed stream), in the server's memory and the
/// kernel's send buffer, and its slot for as long as it likes. The time runs between
/// two bytes the client takes, not over the whole response, as nginx's `send_timeout`
/// (60 s) does between writes: a write into the socket, or on Linux any byte of what
/// the socket holds that the client acknowledged (`SIOCOUTQ`, at least
/// `RESPONSE_SEND_PROGRESS_BYTES_MIN` a timeout), so a client that reads a feed item
/// every few seconds is never cut. (Writes alone had cut any client reading under
/// ~22 KB/s: the kernel takes more only once a third of a send buffer of up to 4 MiB
/// has drained.)
pub const RESPONSE_SEND_STALL_TIMEOUT_SECONDS: u64 = 60;
/// Once the server is stopping, the longest a response may wait for its client to
/// take a byte: a feed subscriber that stopped reading had held a SIGTERM for the
/// whole `RESPONSE_SEND_STALL_TIMEOUT_SECONDS` (an operations probe), past a service
/// manager's usual stop timeout, which then kills the server.
pub const SHUTDOWN_SEND_STALL_TIMEOUT_SECONDS: u64 = 5;
/// Bytes a client must acknowledge within each `RESPONSE_SEND_STALL_TIMEOUT_SECONDS`
/// while a write waits, at least, to count as reading (Linux): ~270 B/s, a feed item
/// every few seconds, where the socket's writes alone had asked ~22 KB/s; a client
/// trickling less would hold its response and its connection slot for good.
pub const RESPONSE_SEND_PROGRESS_BYTES_MIN: u64 = 16 * 1024;
/// Longest wait for the next bytes of a request body once a handler reads it: a client
/// that stops sending its body is answered 408 (`request_timeout`) instead of holding
/// a request slot, and a graceful shutdown, for as long as it keeps the socket open.
pub const REQUEST_BODY_READ_TIMEOUT_SECONDS: u64 = 10;
/// Longest a whole request body may take to arrive, from the request head on: a client
/// that trickles its body a byte every few seconds, never stalling for the body-read
/// timeout, is answered 408 then instead of holding a request slot for as long as it
/// likes (found by a probe: 512 such bodies held every slot, and the server answered
/// every other request 503). 30 s carries the largest body at 35 KB/s.
pub const REQUEST_BODY_READ_TOTAL_SECONDS_MAX: u64 = 30;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Submits commands to the one writer; `None` on a server that only reads
    /// (`serve --read-only`), which answers commands with 503.
    pub writer: Option<WriterHandle>,
    /// Where the writer is, for a read-only server's 503 (`--writer-url`).
    pub writer_url: Option<Arc<str>>,
    /// A read-only handle on the same database.
    pub store: Arc<AnyReader>,
    /// The data directory: where the signing key is (`audit::keys`).
    pub data_dir: Arc<std::path::Path>,
    /// Token digests and roles, replaced whole on SIGHUP (`serve --auth FILE`).
    pub tokens: Arc<LiveTokens>,
    /// Appended envelopes and coverage changes, live, in log order.
    pub feed: crate::feed::Broadcast,
    /// Caps concurrent feed subscribers.
    pub feed_slots: Arc<tokio::sync::Semaphore>,
    /// Caps backups being sent (`backup::BACKUPS_IN_FLIGHT_MAX`).
    pub backup_slots: Arc<tokio::sync::Semaphore>,
    /// Caps requests in flight.
    pub request_slots: Arc<tokio::sync::Semaphore>,
    /// Ends feed streams on graceful shutdown.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    pub metrics: Arc<Metrics>,
    /// The writer's counters: appends, batches, batch sizes and time.
    pub writer_counters: Arc<crate::writer::WriterCounters>,
    /// Browser origins allowed to call the API (`--cors-origin`); empty: CORS off.
    pub cors_origins: Arc<[axum::http::HeaderValue]>,
    /// `/healthz`'s check that a PostgreSQL store answers.
    pub store_health: Arc<StoreHealth>,
    /// A read-only server's check of the writer's head witness while it runs (D86).
    pub witness_watch: Arc<witness::WitnessWatch>,
}

/// Longest `/healthz` waits for a PostgreSQL store to answer before it says the store
/// cannot be reached: a load balancer's probe wants an answer, not a wait as long as a
/// frozen database's.
pub const HEALTHZ_STORE_CHECK_MILLIS_MAX: u64 = 2_000;

/// One check of the store at a time for `/healthz`: each holds a blocking thread for
/// as long as the database takes to answer, so a flood of probes while it is frozen
/// would otherwise hold as many threads; a probe asked during a check is answered from
/// the last check, or as unreachable once the running one is older than
/// `HEALTHZ_STORE_CHECK_MILLIS_MAX`.
#[derive(Default)]
pub struct StoreHealth {
    /// When the running check started; `None`: no check is running.
    started: std::sync::Mutex<Option<std::time::Instant>>,
    /// Whether the last finished check found the store unreachable.
    unreachable: std::sync::atomic::AtomicBool,
    /// The format of the state rows the last check found, if another build's (D89);
    /// 0: this build's (no build writes 0), or a writer's server, which never reads it.
    rows_format: std::sync::atomic::AtomicU32,
}

/// Ends a check of [`StoreHealth`] however its task ends (a panic included), so that
/// a check that failed is never taken for one still running.
struct CheckEnds(Arc<StoreHealth>);

impl Drop for CheckEnds {
    fn drop(&mut self) {
        *self
            .0
            .started
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }
}

impl StoreHealth {
    /// Whether the store answers, checked by `check` at most once at a time.
    async fn answers(
        self: &Arc<Self>,
        check: impl FnOnce() -> Result<(), StoreError> + Send + 'static,
    ) -> Result<(), AppError> {
        let unavailable = || {
            AppError::from(StoreError::Unavailable {
                store: String::new(),
                message: format!("no answer within {HEALTHZ_STORE_CHECK_MILLIS_MAX} ms"),
                advice: None,
            })
        };
        let wait = std::time::Duration::from_millis(HEALTHZ_STORE_CHECK_MILLIS_MAX);
        {
            let mut started = self
                .started
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(since) = *started {
                let stuck = since.elapsed() >= wait;
                if stuck || self.unreachable.load(Ordering::SeqCst) {
                    return Err(unavailable());
                }
                return Ok(());
            }
            *started = Some(std::time::Instant::now());
        }
        let ends = CheckEnds(self.clone());
        let running = tokio::task::spawn_blocking(move || {
            let checked = check();
            ends.0.unreachable.store(checked.is_err(), Ordering::SeqCst);
            drop(ends);
            checked
        });
        match tokio::time::timeout(wait, running).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(error))) => Err(AppError::from(error)),
            Ok(Err(error)) => Err(AppError::internal(error.to_string())),
            Err(_) => Err(unavailable()),
        }
    }
}

/// Counters for `/metrics` (Prometheus text).
#[derive(Default)]
pub struct Metrics {
    pub commands: AtomicU64,
    pub commands_refused: AtomicU64,
    pub requests: AtomicU64,
    pub feed_subscribers: AtomicU64,
    pub command_request_micros_total: AtomicU64,
}

/// An HTTP error with the contract's error shape. Its message is a message of the
/// catalog (`locales/*/http.ftl`, D37) kept as data, so that it is rendered in the
/// reader's language where it becomes a response; the status and code never change.
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    /// The English message: the log's, and the wire's for an English reader.
    message: String,
    /// The catalog's message id and its arguments; `None` for a 500, whose details
    /// are the log's only.
    said: Option<(&'static str, Vec<(&'static str, Arg)>)>,
    /// Damage in the store that this request met, if that is why it failed: carried
    /// to `note_found_damage` in the response's extensions (D61).
    damage: Option<Box<FoundDamage>>,
    /// A 503 that may pass: how long a client should wait before it asks again
    /// (`Retry-After`).
    retry_after_seconds: Option<u32>,
}

/// Damage a request met in the store (a 500's cause): its log position when it names
/// one, and the finding (its English, and its sentence where the catalog has one).
#[derive(Clone, Debug)]
pub struct FoundDamage {
    pub position: Option<u64>,
    pub message: crate::store::DamageDetail,
}

impl AppError {
    /// An error whose message is the catalog's `id` with `args`.
    fn say(
        status: StatusCode,
        code: &'static str,
        id: &'static str,
        args: Vec<(&'static str, Arg)>,
    ) -> AppError {
        AppError {
            status,
            code,
            message: crate::i18n::say(Language::En, id, &args),
            said: Some((id, args)),
            damage: None,
            retry_after_seconds: None,
        }
    }

    /// A 500: `detail` (a store error, a path in the data directory) goes to the log.
    fn internal(detail: impl Into<String>) -> AppError {
        AppError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: detail.into(),
            said: None,
            damage: None,
            retry_after_seconds: None,
        }
    }

    /// The error's message in `language` (a 500's says nothing of what failed).
    fn message_in(&self, language: Language) -> String {
        match &self.said {
            Some((id, args)) => crate::i18n::say(language, id, args),
            None => internal_error_message(language, None),
        }
    }

    /// The same error, telling the client to ask again after `seconds` (a 503 that
    /// passes by itself: too many requests, the database restarting, a month close
    /// being recorded).
    fn retry_after(self, seconds: u32) -> AppError {
        AppError {
            retry_after_seconds: Some(seconds),
            ..self
        }
    }
}

/// What a 500 tells the client, in `language`: the details go to the server's log
/// only, on a line with the request's id, which the message quotes so that a
/// client's report leads to that line.
fn internal_error_message(language: Language, request_id: Option<&RequestId>) -> String {
    match request_id {
        Some(id) => crate::i18n::say(language, "http-internal-request", &[("request", text(id))]),
        None => crate::i18n::say(language, "http-internal", &[]),
    }
}

/// Every error answers in the request's language (`language::current`), which it
/// names in `Content-Language`; the answer varies by `Accept-Language`.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let request_id = RequestId::current();
        let language = language::current();
        // 503 is back-pressure or a store away for a moment (`overloaded`,
        // `store_unavailable`): a warning, where an error wakes an operator for the
        // 257th subscriber of a busy feed.
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            let id = request_id.as_ref().map_or("none", RequestId::as_str);
            tracing::warn!(request_id = id, code = self.code, message = %self.message, "request refused for now");
        } else if self.status.is_server_error() {
            let id = request_id.as_ref().map_or("none", RequestId::as_str);
            tracing::error!(request_id = id, code = self.code, message = %self.message, "request failed");
        }
        let message = match self.said {
            _ if self.status == StatusCode::INTERNAL_SERVER_ERROR => {
                internal_error_message(language, request_id.as_ref())
            }
            Some((id, args)) if language != Language::En => crate::i18n::say(language, id, &args),
            _ => self.message,
        };
        let body =
            serde_json::json!({"ok": false, "error": {"code": self.code, "message": message}});
        let content_language = [
            (header::CONTENT_LANGUAGE, language.tag()),
            (header::VARY, "accept-language"),
        ];
        let mut response = (self.status, content_language, Json(body)).into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(damage) = self.damage {
            response.extensions_mut().insert(*damage);
        }
        response
    }
}

/// A library failure as an HTTP answer, decided by its kind (`crate::error`): a
/// stopped writer is 503 (the server cannot take commands until it is restarted), and
/// so is a database store that cannot be reached (`store_unavailable`: try again);
/// everything else is a 500 whose details go to the log, never to the client.
impl From<crate::error::Error> for AppError {
    fn from(error: crate::error::Error) -> AppError {
        match error.kind() {
            // Why goes to the log, as a 500's details do (the store's error may name
            // paths and servers that are not the client's), but for a full disk, whose
            // sentence names the path an operator must free (the writer keeps only it).
            crate::error::ErrorKind::Stopped => {
                tracing::error!(detail = %error, "a request met the stopped writer");
                match error.find::<WriterError>() {
                    Some(WriterError::Failed(_, Some(cause), _)) => AppError::say(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "http-writer-failed-because",
                        vec![("cause", Arg::Said(cause.clone()))],
                    ),
                    _ => AppError::say(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "http-writer-stopped",
                        vec![],
                    ),
                }
            }
            // Where and why go to the log only (the store's URL is not the client's).
            crate::error::ErrorKind::Unavailable => {
                tracing::error!(detail = %error, "the store cannot be reached");
                AppError::say(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "http-store-unavailable",
                    vec![],
                )
                .retry_after(RETRY_AFTER_STORE_UNAVAILABLE_SECONDS)
            }
            crate::error::ErrorKind::Damaged => AppError {
                // The finding itself, as the writer's damage keeps it (the mark and the
                // exit say "damaged at position …" around it), where the store names one.
                damage: Some(Box::new(
                    error
                        .find::<StoreError>()
                        .and_then(found_damage_in)
                        .unwrap_or_else(|| FoundDamage {
                            position: error.damaged_at(),
                            message: error.to_string().into(),
                        }),
                )),
                ..AppError::internal(error.to_string())
            },
            _ => AppError::internal(error.to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        crate::error::Error::from(error).into()
    }
}

impl From<crate::ledger::LedgerError> for AppError {
    fn from(error: crate::ledger::LedgerError) -> AppError {
        crate::error::Error::from(error).into()
    }
}

impl From<WriterError> for AppError {
    fn from(error: WriterError) -> AppError {
        crate::error::Error::from(error).into()
    }
}

/// Which roles may use a route.
#[derive(Clone, Copy)]
struct Allowed(&'static [Role]);

/// The subsidy office sends only the subsidy commands (`Role::may_send`).
const COMMAND_SENDERS: Allowed = Allowed(&[Role::Operator, Role::SubsidyOffice]);
const COVERAGE_READERS: Allowed = Allowed(&[
    Role::Operator,
    Role::Auditor,
    Role::Subscriber,
    Role::SubsidyOffice,
]);
const FULL_READERS: Allowed = Allowed(&[Role::Operator, Role::Auditor]);
/// A region month report holds the subsidies accrued, paid and owed (R16).
const REPORT_READERS: Allowed = Allowed(&[Role::Operator, Role::Auditor, Role::SubsidyOffice]);
const FEED_READERS: Allowed = Allowed(&[Role::Auditor, Role::Subscriber, Role::SubsidyOffice]);

/// Every route that takes a token, each under the roles that may use it: the role
/// check first, then the query's names (`parameters`), then the route.
fn guarded_routes(state: &AppState) -> Router<AppState> {
    let guarded = |allowed: Allowed, router: Router<AppState>| {
        router
            .route_layer(axum::middleware::from_fn(
                parameters::refuse_unknown_parameters,
            ))
            .route_layer(axum::middleware::from_fn_with_state(
                (state.clone(), allowed),
                authorize,
            ))
    };
    Router::new()
        .merge(guarded(
            COMMAND_SENDERS,
            Router::new().route("/v1/commands", post(post_commands)),
        ))
        .merge(guarded(
            COVERAGE_READERS,
            Router::new()
                .route("/v1/members/{id}", get(get_member))
                .route("/v1/members/{id}/months/{month}", get(get_month))
                .route(
                    "/v1/members/{id}/timeline.svg",
                    get(audit::get_timeline_svg),
                ),
        ))
        .merge(guarded(
            FULL_READERS,
            Router::new()
                .route("/v1/members/{id}/events", get(get_member_events))
                .route("/v1/regions/{name}", get(get_region))
                .route("/audit/members/{id}", get(audit::get_audit_page))
                .route("/v1/backup", get(backup::get_backup))
                .route("/metrics", get(get_metrics)),
        ))
        .merge(guarded(
            REPORT_READERS,
            Router::new().route("/v1/regions/{name}/months/{month}", get(get_region_month)),
        ))
        .merge(guarded(
            FEED_READERS,
            Router::new().route("/v1/feed", get(feed::get_feed)),
        ))
}

/// The router: every route with its roles, the body limit, the in-flight cap, CORS
/// when origins are configured (a preflight is answered before the in-flight cap and
/// the role check; an error answered to a listed origin is readable by its page), and
/// outermost the request id (every response carries one, a preflight's and a 503's
/// too).
pub fn app(state: AppState) -> Router {
    let cors = cors::layer(&state.cors_origins);
    let router = guarded_routes(&state)
        .merge(
            schemas::routes()
                .route_layer(axum::middleware::from_fn(parameters::refuse_any_parameters)),
        )
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(REQUEST_BODY_BYTES_MAX))
        .layer(axum::middleware::from_fn(refuse_declared_oversize))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_in_flight,
        ))
        // Liveness is answered whatever the load (routes added after a layer are not
        // under it): a supervisor that read a full server's 503 as "down" would
        // restart it (found by a probe). It reads two flags, nothing else.
        // `method_not_allowed_fallback` above reaches only the routes added before it.
        .route("/healthz", health_route())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_found_damage,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            witness::refuse_behind_witness,
        ))
        .layer(axum::middleware::from_fn(refuse_oversized_head))
        .layer(axum::middleware::from_fn(server::answer_health_alone))
        .with_state(state);
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn(server::refuse_without_one_host))
        .layer(axum::middleware::from_fn(language::choose))
        .layer(axum::middleware::from_fn(request_id::tag))
        .layer(axum::middleware::from_fn(
            server::close_a_reserved_connection,
        ))
}

/// `/healthz` as both addresses answer it (`app`, `run_health`): GET and HEAD, any
/// other method 405, no query.
fn health_route() -> axum::routing::MethodRouter<AppState> {
    get(healthz)
        .fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(parameters::refuse_any_parameters))
}

/// 404 `not_found` for a path no route has.
async fn no_route() -> AppError {
    AppError::say(StatusCode::NOT_FOUND, "not_found", "http-no-route", vec![])
}

/// Every error has the JSON error shape, a wrong method too (axum's is empty), and a
/// wrong method's message names the methods the route takes, as its `Allow` header
/// does (a probe's client was told only "this route does not take that method"):
/// every route takes GET (and HEAD) but `/v1/commands`, which takes POST; a test asks
/// every route and compares the message with the header. The fallback is the
/// router's: the role check (`route_layer`) wraps only the methods a route takes, so a
/// wrong method is 405 whatever the token.
async fn method_not_allowed(route: Option<axum::extract::MatchedPath>) -> AppError {
    let allowed: &[&str] = match route.as_ref().map(axum::extract::MatchedPath::as_str) {
        Some("/v1/commands") => &["POST"],
        _ => &["GET", "HEAD"],
    };
    // A list, joined in the reader's language ("GET、HEAD" in Chinese).
    AppError::say(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "http-method-not-allowed",
        vec![("allowed", crate::i18n::list(allowed.iter().copied()))],
    )
}

/// The 503 of a command met by a writer stopped because the store was found damaged
/// (`note_found_damage`, or an append's own finding): said as such, since the server
/// does not come back on this store before a `verify`; `None` for any other stop.
fn found_damaged(state: &AppState) -> Option<AppError> {
    let damaged = state.writer_counters.damage_found().is_some();
    damaged.then(|| {
        AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "http-store-found-damaged",
            vec![],
        )
    })
}

/// `/healthz`: ok, unless the writer has failed (an append, or a read that met damage,
/// said as such: that server does not come back on a restart before a `verify`): never
/// ok after a caller was told an append failed. Nor on a read-only server after a read
/// met damage (it goes on answering what the damage does not touch), nor while a
/// PostgreSQL store cannot be reached: a probe's read-only server answered ok while
/// every read was 503 and a load balancer kept sending it traffic.
async fn healthz(State(state): State<AppState>) -> Response {
    // On either address (`--health-listen`'s has no route but this one).
    if let Some(behind) = witness::behind(&state) {
        return behind.into_response();
    }
    if state.writer_counters.failed.load(Ordering::SeqCst) {
        let damaged = found_damaged(&state).is_some();
        let id = if damaged {
            "http-store-found-damaged"
        } else {
            "http-writer-failed"
        };
        return AppError::say(StatusCode::SERVICE_UNAVAILABLE, "writer_failed", id, vec![])
            .into_response();
    }
    if state.writer_counters.damage_found().is_some() {
        let said = "http-read-met-damage";
        return AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_damaged",
            said,
            vec![],
        )
        .into_response();
    }
    if matches!(*state.store, crate::store::AnyReader::Postgres(_)) {
        let store = state.store.clone();
        let health = state.store_health.clone();
        // A read-only server that answers no member or region read is not healthy: a
        // load balancer would go on sending it every hospital's question (an upgrade
        // probe). Read in the same one-at-a-time, time-limited check (a reviewer).
        let reader = state.writer.is_none();
        let answered = state.store_health.answers(move || {
            store.head()?;
            let format = match reader {
                true => crate::ledger::state_rows_of_another_format(store.as_ref())?,
                false => None,
            };
            health
                .rows_format
                .store(format.unwrap_or(0), Ordering::SeqCst);
            Ok(())
        });
        if let Err(error) = answered.await {
            return error.into_response();
        }
        let format = state.store_health.rows_format.load(Ordering::SeqCst);
        if format != 0 {
            return rows_of_another_format(format).into_response();
        }
    }
    Json(serde_json::json!({"ok": true})).into_response()
}

/// A read that met damage in a sled store marks it as any command's finding does
/// (D61), and a server with a writer stops taking commands as after an append that met
/// damage (its writer's `failed`: `serve` stops, D48): the store takes no appends until
/// a `verify` finds it intact. Before, only the writer's own finding marked the store,
/// and a server whose reads answered 500 for damage went on appending to it.
async fn note_found_damage(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let Some(damage) = response.extensions().get::<FoundDamage>().cloned() else {
        return response;
    };
    record_found_damage(&state, damage).await;
    response
}

/// The damage a store error is, as a request's 500 carries it: its position and
/// finding; `None` for an error that is not damage.
fn found_damage_in(error: &StoreError) -> Option<FoundDamage> {
    match error {
        StoreError::Corrupt { position, message } => Some(FoundDamage {
            position: Some(*position),
            message: message.clone(),
        }),
        StoreError::EngineFileDamaged { message } => Some(FoundDamage {
            position: None,
            message: message.clone(),
        }),
        _ => None,
    }
}

/// Damage a read of the server met (a request's, or a feed subscription's): logged,
/// kept for `/healthz`, the writer stopped, and the store marked (D61), once: later
/// findings (every subscriber catching up across one damaged row) are only logged.
async fn record_found_damage(state: &AppState, damage: FoundDamage) {
    let position = damage.position.filter(|position| *position > 0);
    let counters = &state.writer_counters;
    if !counters.record_damage(position.unwrap_or(0), damage.message.clone()) {
        tracing::debug!(position, finding = %damage.message, "a read met damage already found");
        return;
    }
    let sled = matches!(*state.store, crate::store::AnyReader::Sled(_));
    // A PostgreSQL store's mark is kept beside the writer's signing key (D84): a
    // read-only server's directory is no writer's.
    let marks = sled || state.writer.is_some();
    if marks {
        tracing::error!(
            position,
            finding = %damage.message,
            "a read met damage in the store: it is marked as found damaged, and takes no more commands until `flexledger verify` finds it intact"
        );
    } else {
        tracing::error!(
            position,
            finding = %damage.message,
            "a read met damage in the store: /healthz says so until this server is restarted; run `flexledger verify` on the store (its writer's next scrub finds it too)"
        );
    }
    // First: no append starts while the mark is being written. A read-only server
    // only reports it (`/healthz`).
    if state.writer.is_some() {
        counters.failed.store(true, Ordering::SeqCst);
    }
    let store = match &*state.store {
        crate::store::AnyReader::Postgres(reader) => Some(reader.redacted_url().to_owned()),
        crate::store::AnyReader::Sled(_) => None,
    };
    if marks {
        let finding = Some(damage.message.report(position.unwrap_or(0)));
        let mark = crate::store::damage_mark::DamageMark::found_now(
            "flexledger serve",
            position,
            (damage.message.to_string(), finding),
            store,
        );
        let dir = state.data_dir.to_path_buf();
        let recorded =
            tokio::task::spawn_blocking(move || crate::store::damage_mark::record(&dir, &mark))
                .await;
        match recorded {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::warn!("no data directory to keep the damage mark in"),
            Ok(Err(error)) => tracing::warn!(%error, "cannot mark the store as found damaged"),
            Err(error) => tracing::warn!(%error, "cannot mark the store as found damaged"),
        }
    }
}

/// 414 for a request target over `REQUEST_URI_BYTES_MAX`, 431 for a head over
/// `REQUEST_HEAD_BYTES_MAX`, before the in-flight cap and the role check, on every
/// route (`/healthz` too): hyper answers a head past its read buffer with a bare 431
/// (414) with no body, which contradicted "every error has the Error shape"; heads up
/// to the buffer now meet this answer instead. With `Connection: close`: a body left
/// unread cannot be followed by another request on the connection.
async fn refuse_oversized_head(request: Request, next: Next) -> Response {
    let target_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    let head_bytes = request_head_bytes(&request);
    let refused = if target_bytes > REQUEST_URI_BYTES_MAX {
        AppError::say(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "http-uri-too-long",
            vec![
                ("bytes", text(target_bytes)),
                ("max", text(REQUEST_URI_BYTES_MAX)),
            ],
        )
    } else if head_bytes > REQUEST_HEAD_BYTES_MAX {
        AppError::say(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "header_too_large",
            "http-head-too-large",
            vec![
                ("bytes", text(head_bytes)),
                ("max", text(REQUEST_HEAD_BYTES_MAX)),
            ],
        )
    } else {
        return next.run(request).await;
    };
    let mut response = refused.into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The bytes of `request`'s head as HTTP/1.1 sends it: `METHOD TARGET HTTP/1.1`, each
/// header as `name: value`, each line with its CRLF, and the blank line.
fn request_head_bytes(request: &Request) -> usize {
    const VERSION_AND_SPACES_BYTES: usize = " HTTP/1.1".len() + 1;
    const LINE_END_BYTES: usize = 2;
    const HEADER_SEPARATOR_BYTES: usize = 2;
    const SCHEME_SEPARATOR_BYTES: usize = "://".len();
    let uri = request.uri();
    // The target as sent, without formatting it anew for every request.
    let target = uri
        .scheme_str()
        .map_or(0, |scheme| scheme.len() + SCHEME_SEPARATOR_BYTES)
        + uri
            .authority()
            .map_or(0, |authority| authority.as_str().len())
        + uri
            .path_and_query()
            .map_or(0, |target| target.as_str().len());
    let line = request.method().as_str().len() + target + VERSION_AND_SPACES_BYTES + LINE_END_BYTES;
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| {
            name.as_str().len() + HEADER_SEPARATOR_BYTES + value.len() + LINE_END_BYTES
        })
        .sum();
    line + headers + LINE_END_BYTES
}

/// 413 for a request whose `Content-Length` is over `REQUEST_BODY_BYTES_MAX`, on its
/// headers: the body limit is otherwise met only while reading the body, so a client
/// announcing 100 GB and sending two bytes waited out the body's read timeout for a 408.
async fn refuse_declared_oversize(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    let mut response = match declared {
        Some(bytes) if bytes > REQUEST_BODY_BYTES_MAX as u64 => AppError::say(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "http-body-declared-too-large",
            vec![
                ("bytes", text(bytes)),
                ("max", text(REQUEST_BODY_BYTES_MAX)),
            ],
        )
        .into_response(),
        _ => next.run(request).await,
    };
    // A body refused as too large is left unread, so the connection cannot carry
    // another request: said with `Connection: close`, where a pooled client (httpx)
    // sent its next request on it and met "server disconnected" (RFC 9112, 9.6).
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn limit_in_flight(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Ok(_permit) = state.request_slots.clone().try_acquire_owned() else {
        return AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "http-overloaded",
            vec![("max", text(REQUESTS_IN_FLIGHT_MAX))],
        )
        .retry_after(RETRY_AFTER_OVERLOADED_SECONDS)
        .into_response();
    };
    state.metrics.requests.fetch_add(1, Ordering::Relaxed);
    next.run(request).await
}

/// `?access_token=` on a GET of the routes a browser opens itself: the feed (a
/// browser's `EventSource` cannot send an Authorization header), the audit page and
/// the timeline picture. The token is taken as written (tokens are URL-safe:
/// letters, digits, `-`). Nowhere else: a token in a URL ends up in proxies' and
/// servers' access logs, and the JSON routes (a whole-log backup among them) are for
/// programs, which can send the header.
fn query_token(request: &Request) -> Option<String> {
    let path = request.uri().path();
    let for_a_browser =
        path == "/v1/feed" || path.starts_with("/audit/") || path.ends_with("/timeline.svg");
    if request.method() != axum::http::Method::GET || !for_a_browser {
        return None;
    }
    let query = request.uri().query()?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("access_token="))
        .map(str::to_owned)
}

async fn authorize(
    State((state, allowed)): State<(AppState, Allowed)>,
    mut request: Request,
    next: Next,
) -> Response {
    // Which of two tokens was meant is not known, and a proxy that checked the other
    // one would disagree with this server about who is asking (an integrator's probe:
    // the first of two headers won). A header beside `?access_token=` wins, as the
    // OpenAPI document's two security schemes let a client send both.
    let sent = match header_once(
        request.headers(),
        header::AUTHORIZATION,
        "http-authorization-twice",
    ) {
        Ok(sent) => sent,
        Err(twice) => return twice.into_response(),
    };
    let token = sent
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .get(..7)
                .filter(|scheme| scheme.eq_ignore_ascii_case("bearer "))
                .and_then(|_| value.get(7..))
        })
        .map(str::to_owned)
        .or_else(|| query_token(&request));
    let Some(token) = token else {
        return AppError::say(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "http-token-missing",
            vec![],
        )
        .into_response();
    };
    let Some(presented) = state.tokens.presented(token.trim()) else {
        return AppError::say(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "http-token-unknown",
            vec![],
        )
        .into_response();
    };
    let role = presented.role();
    if !allowed.0.contains(&role) {
        let names: Vec<&str> = allowed.0.iter().map(|role| role.name()).collect();
        return AppError::say(
            StatusCode::FORBIDDEN,
            "forbidden",
            "http-role-forbidden",
            vec![
                ("role", text(role.name())),
                ("allowed", crate::i18n::list(names)),
            ],
        )
        .into_response();
    }
    request.extensions_mut().insert(presented);
    let mut response = next.run(request).await;
    // For the access log (`request_id::tag`): who asked, by role.
    response.extensions_mut().insert(role);
    response
}

/// `POST /v1/commands`: one command object, or an array processed item by item.
async fn post_commands(
    State(state): State<AppState>,
    axum::Extension(presented): axum::Extension<auth::Presented>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    let started = std::time::Instant::now();
    refuse_encoded_body(&headers)?;
    refuse_foreign_content_type(&headers)?;
    let (value, inexact) = command_body(body)?;
    let idempotency_key = idempotency_key(&headers)?;
    refuse_commands_beyond_role(presented.role(), &value)?;
    let (commands, single) = commands_of((value, &inexact), idempotency_key)?;
    let Some(writer) = &state.writer else {
        return Err(read_only(&state));
    };
    let mut results = writer
        .submit(commands)
        .await
        .map_err(|error| found_damaged(&state).unwrap_or_else(|| error.into()))?;
    count_commands(&state.metrics, &results, started);
    let language = language_of(&headers);
    localize_refusals(&mut results, language);
    let content_language = [
        (header::CONTENT_LANGUAGE, language.tag()),
        (header::VARY, "accept-language"),
    ];
    if single {
        let result = results
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("no result"))?;
        let status = match &result {
            CommandResult::Accepted { .. } => StatusCode::OK,
            CommandResult::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        return Ok((status, content_language, Json(result)).into_response());
    }
    Ok((content_language, Json(results)).into_response())
}

/// 403 `forbidden` for a request holding a command its role may not send (a subsidy
/// office's token sends only the subsidy commands): nothing of it is decided, as for a
/// route the role may not use. Each item is judged by the name in its `"command"`
/// field alone, before the rest of it is read: a subsidy office's array holding a
/// `close_month` with no month had its grant applied and the close refused in its slot
/// (a downstream probe), and a `withdraw` with no member was told what it lacked. An
/// item with no name is refused in its slot.
fn refuse_commands_beyond_role(role: Role, value: &serde_json::Value) -> Result<(), AppError> {
    let items = match value {
        serde_json::Value::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    let beyond = items
        .iter()
        .filter_map(|item| item.get("command")?.as_str())
        .find(|name| !role.may_send(name));
    let Some(name) = beyond else {
        return Ok(());
    };
    Err(AppError::say(
        StatusCode::FORBIDDEN,
        "forbidden",
        "http-role-command-forbidden",
        vec![
            ("role", text(role.name())),
            ("command", text(name)),
            (
                "allowed",
                crate::i18n::list(role.commands().unwrap_or_default().to_vec()),
            ),
        ],
    ))
}

/// 415 `unsupported_media_type` for a body sent compressed (`Content-Encoding: gzip`):
/// the server reads plain JSON, and a gzipped body was refused as "not valid JSON",
/// which sent its sender looking for a mistake in the JSON.
fn refuse_encoded_body(headers: &HeaderMap) -> Result<(), AppError> {
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let value = String::from_utf8_lossy(value.as_bytes());
        let encoded = value
            .split(',')
            .map(str::trim)
            .any(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case("identity"));
        if encoded {
            return Err(AppError::say(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "http-body-encoded",
                vec![("encoding", text(value.trim()))],
            ));
        }
    }
    Ok(())
}

/// 415 `unsupported_media_type` for a body that says it is not JSON (`text/plain`,
/// `multipart/form-data`, XML) or JSON in a charset other than UTF-8: it was read as
/// JSON whatever it said (a downstream probe). Taken: no `Content-Type`,
/// `application/json` and `application/*+json`, and `application/x-www-form-urlencoded`,
/// which `curl -d` sends unless told otherwise and which clients made from this README's
/// example send (D93).
fn refuse_foreign_content_type(headers: &HeaderMap) -> Result<(), AppError> {
    for value in headers.get_all(header::CONTENT_TYPE) {
        let value = String::from_utf8_lossy(value.as_bytes());
        let mut parts = value.split(';').map(str::trim);
        let media_type = parts.next().unwrap_or_default().to_ascii_lowercase();
        let json = media_type == "application/json"
            || (media_type.starts_with("application/") && media_type.ends_with("+json"));
        let taken = json || media_type == "application/x-www-form-urlencoded";
        let utf8 = parts.all(|parameter| match parameter.split_once('=') {
            Some((name, charset)) if name.trim().eq_ignore_ascii_case("charset") => {
                let charset = charset.trim().trim_matches('"');
                charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
            }
            _ => true,
        });
        if !(taken && utf8) {
            return Err(AppError::say(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "http-body-content-type",
                vec![("type", text(value.trim()))],
            ));
        }
    }
    Ok(())
}

/// The language a person reading the answer asked for (`Accept-Language`; English when
/// absent or unknown).
fn language_of(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map_or(Language::En, Language::from_accept_language)
}

/// Refusal messages in `language` (the catalog's, `crate::i18n`); the code, and every
/// other field, stay as they are: a program reads the code, a person the message. A
/// refusal without message data (serde's words it cannot read back, the shells' own)
/// stays English.
fn localize_refusals(results: &mut [CommandResult], language: Language) {
    if language == Language::En {
        return;
    }
    for result in results {
        if let CommandResult::Refused(refusal) = result {
            refusal.message = crate::i18n::refusal_message(language, refusal);
        }
    }
}

/// The request body as JSON (after a byte order mark at its start, if any): 413 beyond
/// the body limit, 400 for what is not strict JSON.
fn command_body(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(serde_json::Value, Vec<InexactNumber>), AppError> {
    let body = body.map_err(|rejection| {
        if let Some(late) = server::body_late(&rejection) {
            let (id, seconds) = match late {
                server::BodyLate::Stalled => {
                    ("http-body-timeout", REQUEST_BODY_READ_TIMEOUT_SECONDS)
                }
                server::BodyLate::TooSlow => {
                    ("http-body-too-slow", REQUEST_BODY_READ_TOTAL_SECONDS_MAX)
                }
            };
            return AppError::say(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                id,
                vec![("seconds", text(seconds))],
            );
        }
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            // Said in the reader's language, not axum's "length limit exceeded".
            return AppError::say(
                status,
                "payload_too_large",
                "http-body-too-large",
                vec![("max", text(REQUEST_BODY_BYTES_MAX))],
            );
        }
        let code = "invalid_command";
        AppError::say(
            status,
            code,
            "http-body-unreadable",
            vec![
                ("reason", text(rejection)),
                ("max", text(REQUEST_BODY_BYTES_MAX)),
            ],
        )
    })?;
    // A byte order mark before the JSON (a body read from a file Notepad or Excel
    // wrote) is no part of it; anywhere else it is not JSON.
    let body = crate::shell_support::without_byte_order_mark(&body);
    // Bytes that are not UTF-8 are a body saved in another encoding (GBK from a Chinese
    // spreadsheet, most likely), not "an invalid Unicode code point" at some column.
    if std::str::from_utf8(body).is_err() {
        return Err(AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            "http-body-not-utf8",
            vec![],
        ));
    }
    let value = crate::domain::command::parse_json_strict(body).map_err(|error| {
        let id = if crate::domain::command::is_number_out_of_range(&error) {
            "http-body-number-out-of-range"
        } else {
            "http-body-not-json"
        };
        let args = vec![("detail", Arg::SerdeWords(error.to_string()))];
        AppError::say(StatusCode::BAD_REQUEST, "invalid_command", id, args)
    })?;
    // Refused item by item, as a command's own fault (`commands_of`), after the role's
    // check: a reviewer's array was refused whole, and a role's 403 turned into a 400.
    let inexact = crate::domain::command::inexact_whole_numbers(body);
    Ok((value, inexact))
}

/// The header `name`, if sent once; sent more than once, 400 `invalid_command` said by
/// catalog message `twice`: which value the client meant is not known, and a proxy
/// that read the other one would disagree with this server (`Authorization`,
/// `Idempotency-Key` and `Last-Event-ID`: each had the first of two taken unsaid).
pub(crate) fn header_once<'a>(
    headers: &'a HeaderMap,
    name: impl axum::http::header::AsHeaderName,
    twice: &'static str,
) -> Result<Option<&'a axum::http::HeaderValue>, AppError> {
    let mut sent = headers.get_all(name).into_iter();
    match (sent.next(), sent.next()) {
        (value, None) => Ok(value),
        (Some(_), Some(_)) | (None, Some(_)) => Err(AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            twice,
            vec![],
        )),
    }
}

/// The `Idempotency-Key` header, if sent: a UUID, or 400; sent twice, 400 too (which
/// one the client meant is not known: a settlement integrator's probe sent two, and
/// the first was taken unsaid).
fn idempotency_key(headers: &HeaderMap) -> Result<Option<Uuid>, AppError> {
    let Some(value) = header_once(headers, "idempotency-key", "http-idempotency-key-twice")? else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(crate::domain::command::parse_contract_uuid)
        .map(Some)
        .ok_or_else(|| {
            // What was sent, quoted and cut short: a header may be long, or not UTF-8.
            let sent: String = String::from_utf8_lossy(value.as_bytes())
                .chars()
                .take(64)
                .collect();
            AppError::say(
                StatusCode::BAD_REQUEST,
                "invalid_command",
                "http-idempotency-key-not-uuid",
                vec![("text", text(format!("{sent:?}")))],
            )
        })
}

/// The body's commands, each parsed or refused, and whether it was a single object
/// (answered with its result alone) rather than an array.
fn commands_of(
    (value, inexact): (serde_json::Value, &[InexactNumber]),
    idempotency_key: Option<Uuid>,
) -> Result<(Vec<Result<CommandEnvelope, Refusal>>, bool), AppError> {
    let inexact_in = |item: Option<usize>| {
        let found = inexact.iter().find(|found| found.item == item);
        found.map(|found| found.number.as_str())
    };
    match value {
        serde_json::Value::Array(items) => {
            if idempotency_key.is_some() {
                // Both parse: they do not go together. 422, as for a key that
                // contradicts the command's command_id; 400 is for what does not parse.
                return Err(AppError::say(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_command",
                    "http-idempotency-key-with-array",
                    vec![],
                ));
            }
            if items.len() > REQUEST_COMMANDS_MAX {
                return Err(AppError::say(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_many_commands",
                    "http-too-many-commands",
                    vec![("max", text(REQUEST_COMMANDS_MAX))],
                ));
            }
            let parsed = items
                .into_iter()
                .enumerate()
                .map(|(index, item)| parse_command_value_with(item, inexact_in(Some(index))));
            Ok((parsed.collect(), false))
        }
        other => {
            let parsed = parse_command_value_with(other, inexact_in(None));
            let parsed =
                parsed.and_then(
                    |mut envelope| match (envelope.command_id, idempotency_key) {
                        (Some(id), Some(key)) if id != key => Err(key_differs(key, id)),
                        _ => {
                            envelope.command_id = envelope.command_id.or(idempotency_key);
                            Ok(envelope)
                        }
                    },
                );
            Ok((vec![parsed], true))
        }
    }
}

/// The refusal of a single command whose `Idempotency-Key` and `command_id` differ:
/// the HTTP layer's own, so its message is the reader's language already (and
/// English, byte for byte, for an English reader).
fn key_differs(key: Uuid, id: Uuid) -> Refusal {
    let args = [("key", text(key)), ("id", text(id))];
    Refusal::invalid(crate::i18n::say(
        language::current(),
        "http-idempotency-key-differs",
        &args,
    ))
}

/// Adds a command request's results and time (since `started`) to the metrics.
fn count_commands(metrics: &Metrics, results: &[CommandResult], started: std::time::Instant) {
    let refused = results
        .iter()
        .filter(|result| !result.is_accepted())
        .count() as u64;
    metrics
        .commands
        .fetch_add(results.len() as u64, Ordering::Relaxed);
    metrics
        .commands_refused
        .fetch_add(refused, Ordering::Relaxed);
    metrics.command_request_micros_total.fetch_add(
        u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
}

/// A query string that does not parse, in the API's error shape.
pub(crate) fn bad_query(rejection: QueryRejection) -> AppError {
    AppError::say(
        StatusCode::BAD_REQUEST,
        "invalid_command",
        "http-bad-query",
        vec![("reason", text(rejection.body_text()))],
    )
}

/// A path that does not decode (percent-escapes that are not UTF-8), in the API's
/// error shape (axum's own rejection is plain text).
pub(crate) fn bad_path(rejection: PathRejection) -> AppError {
    use axum::extract::path::ErrorKind;
    // The one way a matched path fails to decode, said in the reader's language (a
    // probe found axum's English inside the Chinese message); any other in axum's words.
    if let PathRejection::FailedToDeserializePathParams(failed) = &rejection {
        if let ErrorKind::InvalidUtf8InPathParam { key } = failed.kind() {
            return AppError::say(
                StatusCode::BAD_REQUEST,
                "invalid_command",
                "http-path-not-utf8",
                vec![("key", text(key))],
            );
        }
    }
    AppError::say(
        StatusCode::BAD_REQUEST,
        "invalid_command",
        "http-bad-path",
        vec![("reason", text(rejection.body_text()))],
    )
}

fn member_id(text: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(text).map_err(|_| {
        AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            "http-not-a-member-id",
            vec![("text", self::text(format!("{text:?}")))],
        )
    })
}

fn unknown_member(member_id: Uuid) -> AppError {
    AppError::say(
        StatusCode::NOT_FOUND,
        ErrorCode::NeverEnrolled.as_str(),
        "http-member-has-no-events",
        vec![("member", text(member_id))],
    )
}

/// Store reads (a fold, a page or picture drawn, a feed subscription's first checks;
/// not its catch-up pages, bounded by `FEED_SUBSCRIBERS_MAX`) that run at once on
/// blocking threads; more wait their turn. Each holds a history and what is built from
/// it, and the request cap (`REQUESTS_IN_FLIGHT_MAX`) is far above what two cores fold
/// at once: a resource probe's 200 audit pages of a member of 12,120 months, asked
/// together, took the server to 2.85 GB (about 14 MB each).
pub const STORE_READS_IN_FLIGHT_MAX: usize = 16;

/// The process's store-read slots (`STORE_READS_IN_FLIGHT_MAX`).
static STORE_READ_SLOTS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(STORE_READS_IN_FLIGHT_MAX);

/// Runs a blocking store read off the async threads, once a store-read slot is free.
/// The slot goes with the work, so a client that leaves does not free it early.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    // OK because the semaphore is a static that nothing closes.
    let slot = STORE_READ_SLOTS
        .acquire()
        .await
        .expect("the store-read slots are never closed");
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|error| AppError::internal(error.to_string()))?
}

#[derive(serde::Deserialize)]
struct AsOf {
    /// A log position, parsed by `parameters::position_parameter`.
    as_of: Option<String>,
}

/// `GET /v1/members/{id}[?as_of=POSITION]`: the member coverage.
async fn get_member(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<AsOf>, QueryRejection>,
) -> Result<Response, AppError> {
    let Path(id) = path.map_err(bad_path)?;
    let Query(query) = query.map_err(bad_query)?;
    let member_id = member_id(&id)?;
    let as_of = parameters::position_parameter("as_of", query.as_of.as_deref())?;
    if as_of.is_none() && state.writer.is_none() {
        let found = member_for_a_reader(&state, member_id).await?;
        let (member, region) = found.ok_or_else(|| unknown_member(member_id))?;
        let coverage = crate::domain::coverage::member_coverage(&region, &member);
        return Ok(Json(crate::codec::wire::MemberCoverage::from(&coverage)).into_response());
    }
    // With `as_of` too: a cut at or after a close folds the member's consequences
    // recorded after it (D64), and only once they are recorded is that answer the one
    // it will always be. An integrator's probe asked `?as_of=` a close's position
    // while its chunks were recorded and read a member two months behind under a grace
    // of one still enrolled, then `withdrawn` for the same URL (D94).
    if let Some(beyond) = beyond_head(&state, as_of).await? {
        return Err(beyond);
    }
    up_to_date(&state, member_id).await?;
    let coverage = blocking(move || {
        let store = state.store.as_ref();
        if let (Some(position), None) = (as_of, &state.writer) {
            // A server that only reads cannot record them: it answers once the writer
            // has (503, as for the member now).
            if close_owed_at(store, member_id, position)? {
                return Err(read_only_close_pending(&state));
            }
        }
        match member_coverage(store, member_id, as_of)? {
            Some(coverage) => Ok(coverage),
            None => Err(no_coverage(store, member_id, as_of)?),
        }
    })
    .await?;
    Ok(Json(crate::codec::wire::MemberCoverage::from(&coverage)).into_response())
}

/// The [`as_of_beyond_head`] of a cut beyond the head when it is asked: checked before
/// [`up_to_date`] records what a close implies for the member, whose events would
/// otherwise make the position asked exist (a probe asked `as_of` the head + 2 of a
/// writer mid-close and was answered, where D66 refuses it).
pub(super) async fn beyond_head(
    state: &AppState,
    as_of: Option<u64>,
) -> Result<Option<AppError>, AppError> {
    if as_of.is_none() {
        return Ok(None);
    }
    let store = state.store.clone();
    blocking(move || {
        let beyond = crate::ledger::as_of_beyond_head(store.as_ref(), as_of)?;
        Ok(beyond.map(|(position, head)| as_of_beyond_head(position, head)))
    })
    .await
}

/// The 404 of an `as_of` beyond this server's head (D66): the log holds no such
/// position yet, and what it will hold there is not known, so an answer would change
/// as events arrive. Not a 400: the request is well formed, and the same one is
/// answered once the log reaches the position.
pub(super) fn as_of_beyond_head(position: u64, head: u64) -> AppError {
    AppError::say(
        StatusCode::NOT_FOUND,
        "not_found",
        "http-as-of-beyond-head",
        vec![("position", text(position)), ("head", text(head))],
    )
}

/// The 404 of a member with no coverage: no such member, or, with `as_of` before the
/// member's first event, a member whose history starts later. The code is the same
/// (`never_enrolled`: no events as of that position); the message names the first
/// event, so the reader knows the id is right and which `as_of` answers.
pub(super) fn no_coverage(
    store: &AnyReader,
    member_id: Uuid,
    as_of: Option<u64>,
) -> Result<AppError, AppError> {
    let Some(position) = as_of else {
        return Ok(unknown_member(member_id));
    };
    let Some(first) = crate::ledger::first_member_event(store, member_id)? else {
        return Ok(unknown_member(member_id));
    };
    Ok(member_not_yet(member_id, position, &first))
}

/// The 404 of a member whose `first` event comes after `position`: the id is right,
/// and the message says which `as_of` answers.
pub(super) fn member_not_yet(
    member_id: Uuid,
    position: u64,
    first: &crate::ledger::FirstEvent,
) -> AppError {
    AppError::say(
        StatusCode::NOT_FOUND,
        ErrorCode::NeverEnrolled.as_str(),
        "http-member-not-yet",
        vec![
            ("member", text(member_id)),
            ("position", text(position)),
            ("first", text(first.position)),
            (
                "recorded",
                crate::i18n::instant(first.recorded_at, crate::i18n::InstantForm::Exact),
            ),
        ],
    )
}

/// Before a member's stored rows are read: if its region's month close is still
/// being recorded and implies consequences for it, the writer records them first, so
/// no answer misses a consequence of a recorded close (D17). A server that only reads
/// records nothing, and tells such a member from what its route read (the rows:
/// `member_for_a_reader`; the history it folded: `MemberHistory::implied`), so here it
/// reads nothing.
pub(crate) async fn up_to_date(state: &AppState, member_id: Uuid) -> Result<(), AppError> {
    let Some(writer) = &state.writer else {
        return Ok(());
    };
    let store = state.store.clone();
    let pending = blocking(move || {
        // Almost always no close is in progress: one empty prefix scan, and the
        // member's and region's rows are read once, by the route, not twice.
        if store.closing_rows()?.is_empty() {
            return Ok(false);
        }
        let Some((member, region)) = stored_member(&store, member_id)? else {
            return Ok(false);
        };
        Ok(crate::ledger::close_pending_for(store.as_ref(), &member, &region)?.is_some())
    })
    .await?;
    if pending {
        writer.bring_up_to_date(member_id).await.map_err(|error| {
            tracing::error!(%error, %member_id, "bringing a member up to date with a month close failed");
            AppError::say(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "http-bring-up-to-date-failed",
                vec![],
            )
        })?;
    }
    Ok(())
}

/// Before a read-only server answers from state rows: 503 if another build wrote them
/// (D89: a PostgreSQL writer still on an older build, or already on a newer one). Only
/// a writer rebuilds rows, and every writer's open does; an answer from rows folded by
/// other rules, or laid out otherwise, could be wrong. One row read; a writer's server
/// rebuilt them when it opened, so it reads none.
async fn rows_of_this_build(state: &AppState) -> Result<(), AppError> {
    if state.writer.is_some() {
        return Ok(());
    }
    let store = state.store.clone();
    let format = blocking(move || {
        Ok::<_, AppError>(crate::ledger::state_rows_of_another_format(store.as_ref())?)
    })
    .await?;
    match format {
        Some(format) => Err(rows_of_another_format(format)),
        None => Ok(()),
    }
}

/// Whether the member's history cut at `position` holds a month close whose
/// consequences for the member the log does not hold yet (D17, D75): a close still
/// being recorded. Almost always no close is: one empty prefix scan.
fn close_owed_at(
    store: &(impl crate::store::ReadStore + ?Sized),
    member_id: Uuid,
    position: u64,
) -> Result<bool, AppError> {
    if store.closing_rows()?.is_empty() {
        return Ok(false);
    }
    let cut = crate::audit::history::Cut::Position(position);
    let history = crate::audit::history::MemberHistory::load(store, member_id, cut)?;
    Ok(history.is_some_and(|history| history.implied > 0))
}

/// A member and its region as a read-only server answers them now (the member routes
/// without `as_of`): in one read on one thread (`ledger::member_for_a_reader`), the
/// rows' format (D89) and a close in progress that owes the member a consequence (D17)
/// checked with it; 503 for either.
async fn member_for_a_reader(
    state: &AppState,
    member_id: Uuid,
) -> Result<Option<(MemberState, RegionState)>, AppError> {
    let store = state.store.clone();
    let read = blocking(move || {
        Ok::<_, AppError>(crate::ledger::member_for_a_reader(
            store.as_ref(),
            member_id,
        )?)
    })
    .await?;
    match read {
        crate::ledger::ReaderMember::RowsOfAnotherFormat(format) => {
            Err(rows_of_another_format(format))
        }
        crate::ledger::ReaderMember::ClosePending => Err(read_only_close_pending(state)),
        crate::ledger::ReaderMember::Found(found) => Ok(found.map(|found| *found)),
    }
}

/// The 503 of a read-only server asked for a member whose region's close still owes
/// it a consequence. A replica never writes: the writer records the close's
/// consequences. A data directory is opened by one process at a time, so there the
/// writer cannot run beside this server (a subscriber's probe was told to start one,
/// and it was refused).
pub(super) fn read_only_close_pending(state: &AppState) -> AppError {
    let on_directory = matches!(*state.store, AnyReader::Sled(_));
    let engine = if on_directory {
        "directory"
    } else {
        "database"
    };
    let unavailable = AppError::say(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "http-read-only-close-pending",
        vec![("engine", text(engine))],
    );
    // Asking again helps only where a writer can run meanwhile: on a data directory no
    // `Retry-After`, which a client would follow for ever.
    if on_directory {
        unavailable
    } else {
        unavailable.retry_after(RETRY_AFTER_CLOSE_PENDING_SECONDS)
    }
}

/// The 503 of a read-only server whose state rows are in `format`, another build's.
/// Older rows: the writer's upgrade ends it (a read-only server on a data directory
/// does not start with such rows), so asking again later helps. Newer ones: only this
/// server's own upgrade does, so no `Retry-After` (a reviewer).
fn rows_of_another_format(format: u32) -> AppError {
    let current = crate::ledger::STATE_FORMAT_VERSION;
    let which = if format < current { "older" } else { "newer" };
    let refused = AppError::say(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "http-read-only-rows-another-format",
        vec![
            ("format", text(format)),
            ("current", text(current)),
            ("which", text(which)),
        ],
    );
    match format < current {
        true => refused.retry_after(RETRY_AFTER_ROWS_OF_ANOTHER_FORMAT_SECONDS),
        false => refused,
    }
}

/// How long a read-only server asks a client to wait while the state rows are another
/// build's (D89): a writer's upgrade, a full fold of the log, takes seconds to minutes.
const RETRY_AFTER_ROWS_OF_ANOTHER_FORMAT_SECONDS: u32 = 30;

/// The 503 of a command sent to a read-only server: where to send it instead.
fn read_only(state: &AppState) -> AppError {
    match &state.writer_url {
        Some(writer) => AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "read_only",
            "http-read-only-writer",
            vec![("writer", text(writer))],
        ),
        None => AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "read_only",
            "http-read-only",
            vec![],
        ),
    }
}

fn stored_member(
    store: &AnyReader,
    member_id: Uuid,
) -> Result<Option<(MemberState, RegionState)>, AppError> {
    Ok(crate::ledger::read_member_and_region(store, member_id)?)
}

/// `GET /v1/members/{id}/months/{YYYY-MM}`: the one question a hospital asks.
async fn get_month(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, AppError> {
    let Path((id, month)) = path.map_err(bad_path)?;
    let member_id = member_id(&id)?;
    let month = Month::parse(&month).ok_or_else(|| {
        AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            "http-not-a-month",
            vec![("text", text(format!("{month:?}")))],
        )
    })?;
    let found = match state.writer {
        Some(_) => {
            up_to_date(&state, member_id).await?;
            blocking(move || {
                let found = stored_member(&state.store, member_id)?;
                if found.is_none() {
                    // A row missing beside events is damage, as for the member route.
                    crate::ledger::no_member_without_a_row(state.store.as_ref(), member_id)?;
                }
                Ok(found)
            })
            .await?
        }
        None => member_for_a_reader(&state, member_id).await?,
    };
    let (member, region) = found.ok_or_else(|| unknown_member(member_id))?;
    let line = month_line(&region, &member, month);
    let as_of_position = member.last_position.max(region.last_position);
    Ok(Json(serde_json::json!({"benefits": line.benefits, "status": line.status, "rule": line.rule, "as_of_position": as_of_position})).into_response())
}

/// `GET /v1/members/{id}/events`: the member's envelopes in order.
async fn get_member_events(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(id) = path.map_err(bad_path)?;
    let member_id = member_id(&id)?;
    let envelopes = blocking(move || {
        let envelopes: Result<Vec<Envelope>, StoreError> = state
            .store
            .read_stream(&StreamId::Member(member_id))
            .collect();
        Ok(envelopes?)
    })
    .await?;
    if envelopes.is_empty() {
        return Err(unknown_member(member_id));
    }
    Ok(Json(envelopes).into_response())
}

/// A region name from a path, or 400.
fn region_name(name: &str) -> Result<RegionName, AppError> {
    RegionName::parse(name).ok_or_else(|| {
        AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            "http-not-a-region-name",
            vec![("text", text(format!("{name:?}")))],
        )
    })
}

/// `GET /v1/regions/{name}/months/{month}`: the bureau's report of a closed month
/// (R12, R16, R17), read from its maintained row: no member is folded.
async fn get_region_month(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, AppError> {
    let Path((name, month)) = path.map_err(bad_path)?;
    let region_name = region_name(&name)?;
    let month = crate::domain::month::Month::parse(&month).ok_or_else(|| {
        AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            "http-not-a-month",
            vec![("text", text(format!("{month:?}")))],
        )
    })?;
    rows_of_this_build(&state).await?;
    let report = blocking(move || {
        crate::ledger::region_month_report(state.store.as_ref(), &region_name, month)
            .map_err(report_error)
    })
    .await?;
    Ok(Json(crate::codec::wire::RegionMonthReport::from(&report)).into_response())
}

/// Why a region month report cannot be given, in the API's error shape: its words
/// are the catalog's, from the error's data (`ReportError`'s English is the same).
fn report_error(error: crate::ledger::ReportError) -> AppError {
    use crate::ledger::ReportError;
    if let ReportError::Store(store) = error {
        return store.into();
    }
    let status = match error {
        ReportError::UnknownRegion(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    };
    // OK because only a store failure, answered above, has no words.
    let (id, args) = error
        .words()
        .expect("a report error that is not a store failure has words");
    AppError::say(status, error.code(), id, args)
}

/// `GET /v1/regions/{name}`: open month, policies, enrolled members, arrears total.
async fn get_region(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(name) = path.map_err(bad_path)?;
    let region_name = region_name(&name)?;
    rows_of_this_build(&state).await?;
    let summary = blocking(move || {
        let store = state.store.as_ref();
        // The members' figures move with their events: the position is the log's head.
        let ((row, members), position) = crate::ledger::read_at_head(store, || {
            let row = store.read_state(&StateKey::Region(region_name.clone()))?;
            Ok::<_, StoreError>((row, crate::ledger::region_summary(store, &region_name)?))
        })?;
        let Some(row) = row else {
            return Err(AppError::say(StatusCode::NOT_FOUND, ErrorCode::UnknownRegion.as_str(), "http-region-has-no-policy", vec![("region", text(&region_name))]));
        };
        let region = crate::ledger::decode_region_row(&row)?;
        let policies: Vec<_> = region
            .policies
            .values()
            .map(crate::codec::wire::Policy::from)
            .collect();
        let mut summary = serde_json::json!({"region": region.name, "open_month": region.open_month, "policies": policies,
            "members": {"active": members.active, "in_arrears": members.in_arrears}, "arrears_total": members.arrears_total, "version": region.version, "position": position});
        if let Some(closing) = crate::ledger::read_closing(store, &region_name)? {
            summary["closing"] = closing_progress(&closing);
        }
        Ok(summary)
    })
    .await?;
    Ok(Json(summary).into_response())
}

/// A month close still being recorded, as the region route shows it.
pub fn closing_progress(closing: &crate::ledger::Closing) -> serde_json::Value {
    serde_json::json!({"month": closing.month, "members_done": closing.members_done, "members_total": closing.members_total,
        "missed_recorded": closing.missed_recorded, "withdrawn_recorded": closing.withdrawn_recorded, "recheck": closing.recheck})
}

/// `GET /metrics`: Prometheus text.
async fn get_metrics(State(state): State<AppState>) -> Result<Response, AppError> {
    let (head, checkpoint) = blocking({
        let state = state.clone();
        move || {
            let head = state.store.head()?.0;
            let checkpoint = state
                .store
                .read_state(&StateKey::Checkpoint)?
                .and_then(|bytes| <[u8; 8]>::try_from(bytes.get(..8)?).ok())
                .map_or(0, u64::from_be_bytes);
            Ok((head, checkpoint))
        }
    })
    .await?;
    let text: String = metric_lines(&state, head, checkpoint)
        .iter()
        .map(|(name, kind, help, value)| {
            format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n")
        })
        .collect();
    Ok(([("content-type", "text/plain; version=0.0.4")], text).into_response())
}

/// A metric: its name, type, help text and value.
type MetricLine = (&'static str, &'static str, &'static str, String);

/// Every metric, in the order `/metrics` lists them.
fn metric_lines(state: &AppState, head: u64, checkpoint: u64) -> Vec<MetricLine> {
    let mut lines = api_metric_lines(&state.metrics).to_vec();
    lines.extend(writer_metric_lines(
        &state.writer_counters,
        head,
        checkpoint,
    ));
    lines
}

/// The API's counters: commands, their time, requests and feed subscribers.
fn api_metric_lines(metrics: &Metrics) -> [MetricLine; 5] {
    [
        (
            "flexledger_commands_total",
            "counter",
            "Commands decided through the API.",
            metrics.commands.load(Ordering::Relaxed).to_string(),
        ),
        (
            "flexledger_commands_refused_total",
            "counter",
            "Commands refused (business refusals).",
            metrics.commands_refused.load(Ordering::Relaxed).to_string(),
        ),
        (
            "flexledger_command_request_seconds_total",
            "counter",
            "Time spent in command requests.",
            format!(
                "{:.6}",
                metrics.command_request_micros_total.load(Ordering::Relaxed) as f64 / 1e6
            ),
        ),
        (
            "flexledger_requests_total",
            "counter",
            "HTTP requests accepted.",
            metrics.requests.load(Ordering::Relaxed).to_string(),
        ),
        (
            "flexledger_feed_subscribers",
            "gauge",
            "Feed subscribers connected.",
            metrics.feed_subscribers.load(Ordering::Relaxed).to_string(),
        ),
    ]
}

/// The writer's counters, and the log `head` against the state rows' `checkpoint`.
fn writer_metric_lines(
    writer: &crate::writer::WriterCounters,
    head: u64,
    checkpoint: u64,
) -> [MetricLine; 6] {
    [
        (
            "flexledger_appends_total",
            "counter",
            "Durable appends (one sled batch, flush and fsync each).",
            writer.appends.load(Ordering::Relaxed).to_string(),
        ),
        (
            "flexledger_writer_batches_total",
            "counter",
            "Group-commit batches taken by the writer.",
            writer.batches.load(Ordering::Relaxed).to_string(),
        ),
        (
            "flexledger_writer_batch_commands_total",
            "counter",
            "Commands in those batches (mean batch size = this / batches).",
            writer.commands.load(Ordering::Relaxed).to_string(),
        ),
        (
            "flexledger_writer_batch_seconds_total",
            "counter",
            "Time the writer spent deciding and appending batches.",
            format!(
                "{:.6}",
                writer.batch_micros.load(Ordering::Relaxed) as f64 / 1e6
            ),
        ),
        (
            "flexledger_log_head_position",
            "gauge",
            "Position of the last durable event.",
            head.to_string(),
        ),
        (
            "flexledger_projection_lag_events",
            "gauge",
            "Events the stored state rows are behind the log (0: written in the same batch).",
            head.saturating_sub(checkpoint).to_string(),
        ),
    ]
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves, then stops
/// accepting, finishes in-flight requests (feed streams end) and returns.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, app(state), limits, shutdown).await
}

/// Connections open at once on the health address (`serve --health-listen`).
pub const HEALTH_CONNECTIONS_OPEN_MAX: usize = 32;
/// The header-read timeout on the health address: a probe sends its request at once.
pub const HEALTH_HEADER_READ_TIMEOUT_SECONDS: u64 = 2;

/// Serves `/healthz` alone on `listener` (`serve --health-listen`) until `shutdown`
/// resolves: a supervisor's probe on an address of its own, which no client of the API
/// can keep busy. On the API's address, a flood of more clients than its connections
/// and those kept for `/healthz` made a probe wait behind them in the accept backlog
/// for 45 s and more (a hostile-client probe), and a liveness probe failing so restarts
/// a server that is up.
pub async fn run_health(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = ConnectionLimits {
        connections_open_max: HEALTH_CONNECTIONS_OPEN_MAX,
        connections_reserved_for_health_max: 0,
        header_read_timeout: std::time::Duration::from_secs(HEALTH_HEADER_READ_TIMEOUT_SECONDS),
        ..ConnectionLimits::default()
    };
    let health = Router::new()
        .route("/healthz", health_route())
        .fallback(no_route)
        .with_state(state)
        .layer(axum::middleware::from_fn(language::choose))
        .layer(axum::middleware::from_fn(request_id::tag));
    server::serve(listener, health, limits, shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A head is counted as HTTP/1.1 sends it, byte for byte, with an origin-form and
    /// an absolute-form target alike: the limit is the bytes a client sent.
    #[test]
    fn a_request_head_is_counted_as_sent() {
        for target in [
            "/v1/members/x?as_of=3",
            "http://ledger.example:8080/healthz",
        ] {
            let request = axum::http::Request::builder()
                .method("GET")
                .uri(target)
                .header("authorization", "Bearer abc")
                .header("x-one", "")
                .body(axum::body::Body::empty())
                .unwrap();
            let sent =
                format!("GET {target} HTTP/1.1\r\nauthorization: Bearer abc\r\nx-one: \r\n\r\n");
            assert_eq!(request_head_bytes(&request), sent.len(), "{target}");
        }
    }

    /// A store that does not answer within the health check's time is unreachable to
    /// `/healthz`, and probes meanwhile are answered at once, without another check;
    /// once the stuck check ends, the next probe checks again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_store_that_does_not_answer_is_unreachable_and_checked_once_at_a_time() {
        let health = Arc::new(StoreHealth::default());
        let checks = Arc::new(AtomicU64::new(0));
        let counted = checks.clone();
        let stuck = move || {
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(
                HEALTHZ_STORE_CHECK_MILLIS_MAX + 1_000,
            ));
            Ok(())
        };
        let first = health.answers(stuck).await.unwrap_err();
        assert_eq!(first.code, "store_unavailable");
        let counted = checks.clone();
        let again = health.answers(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        assert_eq!(again.await.unwrap_err().code, "store_unavailable");
        assert_eq!(
            checks.load(Ordering::SeqCst),
            1,
            "no second check meanwhile"
        );
        // The stuck check ends a second after its time; polled, not slept for, so that
        // a loaded machine's late thread is no failure.
        let waited = std::time::Instant::now();
        let ends_by = std::time::Duration::from_millis(HEALTHZ_STORE_CHECK_MILLIS_MAX + 6_000);
        while health.answers(|| Ok(())).await.is_err() {
            assert!(waited.elapsed() < ends_by, "never checked again");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// However many reads are asked for at once, at most `STORE_READS_IN_FLIGHT_MAX` run:
    /// without the slots, tokio's blocking pool (512 threads) ran all 48 together.
    #[test]
    fn store_reads_run_at_most_the_cap_at_once() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime builds");
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        runtime.block_on(async {
            let reads: Vec<_> = (0..48)
                .map(|_| {
                    let (running, most) = (running.clone(), most.clone());
                    tokio::spawn(blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                        Ok(())
                    }))
                })
                .collect();
            for read in reads {
                assert!(
                    read.await.expect("the read task ends").is_ok(),
                    "the read succeeds"
                );
            }
        });
        let most = most.load(Ordering::SeqCst);
        assert!(
            most <= STORE_READS_IN_FLIGHT_MAX,
            "{most} reads ran at once"
        );
        assert!(most > 1, "reads still run side by side");
    }

    /// A 500 says "internal error" and nothing of what failed (a store error names
    /// files and positions); the details go to the log. Other errors keep their message.
    #[test]
    fn a_500_tells_the_client_nothing_internal() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime builds");
        let body_of = |error: AppError| {
            let response = error.into_response();
            let status = response.status();
            let bytes = runtime
                .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .expect("an error body is in memory");
            let body: serde_json::Value =
                serde_json::from_slice(&bytes).expect("an error body is JSON");
            (status, body)
        };
        let secret = "sled: /var/lib/flexledger/db: corrupt page at offset 4096";
        let (status, body) = body_of(AppError::internal(secret));
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body,
            serde_json::json!({"ok": false, "error": {"code": "internal", "message": internal_error_message(Language::En, None)}})
        );
        let (_, body) = body_of(AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            "http-not-a-month",
            vec![("text", text("\"x\""))],
        ));
        assert_eq!(
            body["error"]["message"],
            "\"x\" is not a month: write YYYY-MM, from 1990-01 to 2999-12"
        );
    }

    /// The server's own failures, a stopped writer's 503 and a 500, speak the
    /// language the request chose too, with the same status and code.
    #[test]
    fn a_failure_of_the_server_speaks_chinese() {
        let router: Router = Router::new()
            .route(
                "/stopped",
                get(|| async {
                    let stopped = crate::error::Error::from(WriterError::Stopped);
                    Err::<(), _>(AppError::from(stopped))
                }),
            )
            .route(
                "/fails",
                get(|| async { Err::<(), _>(AppError::internal("a secret")) }),
            )
            .layer(axum::middleware::from_fn(language::choose));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime builds");
        let answer = |path: &str| {
            let request = Request::builder()
                .uri(path)
                .header(header::ACCEPT_LANGUAGE, "zh-CN")
                .body(axum::body::Body::empty())
                .expect("a request builds");
            runtime.block_on(async {
                let response = tower::ServiceExt::oneshot(router.clone(), request)
                    .await
                    .expect("a router answers");
                let status = response.status();
                let language = response.headers()[header::CONTENT_LANGUAGE].clone();
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .expect("an error body is in memory");
                let body: serde_json::Value =
                    serde_json::from_slice(&bytes).expect("an error body is JSON");
                (status, language, body)
            })
        };
        let (status, language, body) = answer("/stopped");
        assert_eq!(
            (status, language.to_str().ok()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("zh-CN"))
        );
        assert_eq!(body["error"]["code"], "unavailable");
        assert_eq!(
            body["error"]["message"],
            "账本的写入进程已停止，暂不接受命令：服务器正在关闭，或一次追加失败后正在停止；原因见服务器日志。服务器重新运行后，请带同一 command_id 重新发送命令"
        );
        let (status, _, body) = answer("/fails");
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body,
            serde_json::json!({"ok": false, "error": {"code": "internal", "message": "服务器内部错误；详情见服务器日志"}})
        );
    }

    /// The log lines written while a closure runs on this thread.
    #[derive(Clone, Default)]
    struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A 500 answered under the request-id layer: the id in the `x-request-id` header
    /// is the one its message quotes, and the one on the error's log line, which has
    /// the details the client is not sent.
    #[test]
    fn a_500_quotes_the_request_id_its_header_and_log_line_carry() {
        let secret = "sled: /var/lib/flexledger/db: corrupt page at offset 4096";
        let router: Router = Router::new()
            .route(
                "/fails",
                get(move || async move { Err::<(), _>(AppError::internal(secret)) }),
            )
            .layer(axum::middleware::from_fn(request_id::tag));
        // Other tests emit the same `error!` on their threads, with no subscriber.
        // While exactly one dispatcher is registered, tracing-core computes the
        // interest of a callsite registered on another thread from *that* thread's
        // default (none: "never") and caches it, so this test's line could be lost.
        // A second registered dispatcher makes it ask every registered one instead.
        let _second_dispatcher =
            tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let log = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer({
                let log = log.clone();
                move || log.clone()
            })
            .with_ansi(false)
            .finish();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime builds");
        let (status, id, body) = tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(async {
                let request = Request::builder()
                    .uri("/fails")
                    .body(axum::body::Body::empty())
                    .expect("a request builds");
                let response = tower::ServiceExt::oneshot(router, request)
                    .await
                    .expect("a router answers");
                let id = response.headers()[REQUEST_ID_HEADER]
                    .to_str()
                    .expect("an id is text")
                    .to_owned();
                let status = response.status();
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .expect("an error body is in memory");
                let body: serde_json::Value =
                    serde_json::from_slice(&bytes).expect("an error body is JSON");
                (status, id, body)
            })
        });
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|byte| byte.is_ascii_hexdigit()), "{id}");
        assert_eq!(
            body,
            serde_json::json!({"ok": false, "error": {"code": "internal", "message": format!("internal error (request {id}); the server's log has the details")}})
        );
        let log = String::from_utf8(log.0.lock().unwrap().clone()).expect("the log is text");
        let line = log
            .lines()
            .find(|line| line.contains("request failed"))
            .unwrap_or_else(|| panic!("no error line in {log:?}"));
        assert!(line.contains("ERROR"), "{line}");
        assert!(line.contains(&id), "{line}");
        assert!(line.contains(secret), "{line}");
    }
}
