//! The accept loop behind `run`: one hyper HTTP/1 connection per accepted socket, with
//! a header-read timeout, an idle timeout and a cap on open connections, none of which
//! `axum::serve` offers. A client that holds a socket open without finishing its
//! request head (a "slowloris") is disconnected after the header-read timeout, and no
//! number of them can take more than `CONNECTIONS_OPEN_MAX` file descriptors; clients
//! that hold every slot by asking again and again on kept-alive connections are made to
//! reconnect, and take their turn, whenever a new client waits for a slot. A client
//! that sends a request head and then stalls in its body is answered after the
//! body-read timeout, and one that trickles it after the whole body's deadline, so it
//! holds neither a request slot nor a shutdown for long. A client that asks and then
//! takes no byte of the answer is cut after the send-stall timeout, so it pins neither
//! the response's memory nor a slot. When every slot is taken, a few more connections
//! are accepted for `/healthz` (`CONNECTIONS_RESERVED_FOR_HEALTH_MAX`): a liveness probe
//! is answered at once, and any other request on them is refused 503 `overloaded`.

use super::{
    AppError, CONNECTIONS_OPEN_MAX, CONNECTIONS_RESERVED_FOR_HEALTH_MAX,
    CONNECTION_IDLE_TIMEOUT_SECONDS, CONNECTION_READ_BUFFER_BYTES_MAX, HEADER_READ_TIMEOUT_SECONDS,
    REQUEST_BODY_READ_TIMEOUT_SECONDS, REQUEST_BODY_READ_TOTAL_SECONDS_MAX,
    RESPONSE_SEND_PROGRESS_BYTES_MIN, RESPONSE_SEND_STALL_TIMEOUT_SECONDS,
    SHUTDOWN_SEND_STALL_TIMEOUT_SECONDS,
};
use axum::extract::rejection::BytesRejection;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// How connections are bounded; `Default` is the documented constants.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// From accept (or from the end of the previous response on a keep-alive
    /// connection) to a complete request head; then the connection is closed.
    pub header_read_timeout: Duration,
    /// No byte read or written for this long: the connection is closed once it has no
    /// request in flight (a response being sent, e.g. a feed stream, is never cut).
    pub idle_timeout: Duration,
    /// Sockets accepted and not yet closed.
    pub connections_open_max: usize,
    /// Sockets accepted beyond `connections_open_max` for `/healthz` alone.
    pub connections_reserved_for_health_max: usize,
    /// Longest wait for the next bytes of a request body being read.
    pub body_read_timeout: Duration,
    /// Longest a whole request body may take, from the request head on.
    pub body_read_total: Duration,
    /// Longest a response may wait for its client to take a byte; then the
    /// connection is closed, the rest of the response unsent.
    pub send_stall_timeout: Duration,
    /// `send_stall_timeout` once the server is stopping (the shorter of the two).
    pub shutdown_send_stall_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(HEADER_READ_TIMEOUT_SECONDS),
            idle_timeout: Duration::from_secs(CONNECTION_IDLE_TIMEOUT_SECONDS),
            connections_open_max: CONNECTIONS_OPEN_MAX,
            connections_reserved_for_health_max: CONNECTIONS_RESERVED_FOR_HEALTH_MAX,
            body_read_timeout: Duration::from_secs(REQUEST_BODY_READ_TIMEOUT_SECONDS),
            body_read_total: Duration::from_secs(REQUEST_BODY_READ_TOTAL_SECONDS_MAX),
            send_stall_timeout: Duration::from_secs(RESPONSE_SEND_STALL_TIMEOUT_SECONDS),
            shutdown_send_stall_timeout: Duration::from_secs(SHUTDOWN_SEND_STALL_TIMEOUT_SECONDS),
        }
    }
}

/// Bounds the wait for each next part of the request body (`TimeoutBody`), and the
/// time the whole body takes (`DeadlineBody`): the idle timeout cannot, because a
/// connection with a request in flight is never cut.
async fn time_body(limits: ConnectionLimits, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let stalls = tower_http::timeout::TimeoutBody::new(limits.body_read_timeout, body);
    let body = axum::body::Body::new(DeadlineBody {
        inner: axum::body::Body::new(stalls),
        deadline: Box::pin(tokio::time::sleep(limits.body_read_total)),
    });
    next.run(Request::from_parts(parts, body)).await
}

/// A request body that must arrive whole before its deadline.
struct DeadlineBody {
    inner: axum::body::Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

/// The error of a body still arriving at its deadline (`DeadlineBody`).
#[derive(Debug, thiserror::Error)]
#[error("the request body was still arriving at its deadline")]
struct BodyDeadlinePassed;

impl http_body::Body for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.deadline.as_mut().poll(context).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyDeadlinePassed))));
        }
        Pin::new(&mut self.inner)
            .poll_frame(context)
            .map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Why a body was not read in time (`time_body`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BodyLate {
    /// No bytes for the body-read timeout.
    Stalled,
    /// Still arriving at the whole body's deadline.
    TooSlow,
}

/// Whether reading a body failed because the client stopped sending it, or sent it too
/// slowly (`time_body`).
pub(super) fn body_late(rejection: &BytesRejection) -> Option<BodyLate> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(error) = source {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return Some(BodyLate::Stalled);
        }
        if error.is::<BodyDeadlinePassed>() {
            return Some(BodyLate::TooSlow);
        }
        source = error.source();
    }
    None
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, asks
/// every connection to finish its in-flight request and close, and waits for them.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = app.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| time_body(limits, request, next),
    ));
    let slots = Slots::new(&limits);
    let (stop, stopping) = watch::channel(false);
    let builder = connection_builder(&limits);
    let pressed = slots.press.subscribe();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = slots.next() => slot,
        };
        let (socket, _peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    if !is_connection_error(&error) {
                        // E.g. out of file descriptors: back off rather than spin.
                        tracing::error!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
        };
        let _ = socket.set_nodelay(true);
        let builder = builder.clone();
        let (service, slot) = match slots.opened_since(slot) {
            Slot::Open(slot) => (app.clone(), Held::Open(slot)),
            Slot::Reserved(slot) => {
                let reserved = ReservedForHealth {
                    connections_open_max: slots.open_max,
                    refused: Arc::new(AtomicBool::new(false)),
                };
                let refused = reserved.refused.clone();
                let service = app.clone().layer(axum::Extension(reserved));
                (service, Held::Reserved(slot, refused))
            }
        };
        let service = TowerToHyperService::new(OverTheWire(service));
        let mut pressed = pressed.clone();
        // Only a slot wanted after this one was accepted presses it.
        pressed.mark_unchanged();
        let stopping = stopping.clone();
        tokio::spawn(async move {
            let closers = Closers { stopping, pressed };
            serve_connection(socket, &builder, service, &limits, closers).await;
            slot.release().await;
        });
    }
    drop(listener);
    let _ = stop.send(true);
    slots.all_closed().await;
    Ok(())
}

/// The connections' slots: `connections_open_max` open ones, and beyond them a few
/// reserved for `/healthz`.
struct Slots {
    open: Arc<Semaphore>,
    open_max: usize,
    reserved: Arc<Semaphore>,
    reserved_max: usize,
    /// Raised each time a connection waits for a slot: every open connection then
    /// closes after its request in flight (at once if it has none), so that clients
    /// reconnecting take their turn in the accept backlog with the new one.
    press: watch::Sender<u64>,
}

impl Slots {
    fn new(limits: &ConnectionLimits) -> Slots {
        let open_max = limits.connections_open_max.clamp(1, Semaphore::MAX_PERMITS);
        let reserved_max = (limits.connections_reserved_for_health_max).min(Semaphore::MAX_PERMITS);
        Slots {
            open: Arc::new(Semaphore::new(open_max)),
            open_max,
            reserved: Arc::new(Semaphore::new(reserved_max)),
            reserved_max,
            press: watch::channel(0_u64).0,
        }
    }

    /// The slot of the next connection to accept. Beyond the cap (and the few
    /// connections reserved for `/healthz`), connections are not accepted: they wait in
    /// the kernel's accept backlog until a slot frees (or the client gives up).
    /// Waiting, rather than accepting and closing at once, serves a burst of honest
    /// clients a little late instead of refusing them, costs no file descriptor per
    /// waiting client, and the header-read and idle timeouts bound how long any slot is
    /// held. A client that holds every slot by asking again and again on kept-alive
    /// connections is bounded by the pressure: a security probe's 800 connections, each
    /// asking for /healthz every 2 s, kept every other client out, /healthz included,
    /// for as long as it ran.
    async fn next(&self) -> Slot {
        if let Ok(slot) = self.open.clone().try_acquire_owned() {
            return Slot::Open(slot);
        }
        self.press
            .send_modify(|times| *times = times.wrapping_add(1));
        // OK because both semaphores are owned here and never closed.
        let never_closed = "the slots semaphores are never closed";
        tokio::select! {
            biased;
            slot = self.open.clone().acquire_owned() => Slot::Open(slot.expect(never_closed)),
            slot = self.reserved.clone().acquire_owned() => Slot::Reserved(slot.expect(never_closed)),
        }
    }

    /// `slot`, or an open one in place of a reserved one if one freed while the
    /// connection was awaited: a probe saw the first client after a full spell refused
    /// "all 768 connections are open" when none was.
    fn opened_since(&self, slot: Slot) -> Slot {
        match slot {
            Slot::Reserved(reserved) => match self.open.clone().try_acquire_owned() {
                Ok(open) => Slot::Open(open),
                Err(_) => Slot::Reserved(reserved),
            },
            open => open,
        }
    }

    /// Returns once every connection has closed: each holds a slot until it closes.
    async fn all_closed(&self) {
        let all = u32::try_from(self.open_max).unwrap_or(u32::MAX);
        let _ = self.open.acquire_many(all).await;
        let all = u32::try_from(self.reserved_max).unwrap_or(u32::MAX);
        let _ = self.reserved.acquire_many(all).await;
    }
}

/// The slot a connection is accepted on (`serve`).
enum Slot {
    /// One of `connections_open_max`.
    Open(OwnedSemaphorePermit),
    /// One of those kept for `/healthz` once the others are all taken
    /// (`answer_health_alone`).
    Reserved(OwnedSemaphorePermit),
}

/// The slot a connection's task holds until the connection closes.
enum Held {
    Open(OwnedSemaphorePermit),
    /// A reserved slot, and whether its one request was refused.
    Reserved(OwnedSemaphorePermit, Arc<AtomicBool>),
}

impl Held {
    /// Frees the slot; a reserved one whose request was refused only after the
    /// `Retry-After` it gave. Freed at once, it went to the next client in the accept
    /// backlog, refused in turn: a burst beyond the cap, which waits there to be
    /// served a little late, was drained as a stream of 503s (a reviewer).
    async fn release(self) {
        match self {
            Held::Open(slot) => drop(slot),
            Held::Reserved(slot, refused) => {
                if refused.load(Ordering::Relaxed) {
                    let seconds = u64::from(super::RETRY_AFTER_OVERLOADED_SECONDS);
                    tokio::time::sleep(Duration::from_secs(seconds)).await;
                }
                drop(slot);
            }
        }
    }
}

/// Marks each request of a connection accepted on a slot reserved for `/healthz`
/// (an extension, read by `answer_health_alone` and `close_a_reserved_connection`).
#[derive(Clone)]
pub(super) struct ReservedForHealth {
    /// The cap that was full, named in the refusal of any other request.
    connections_open_max: usize,
    /// Set when a request other than `/healthz` was refused (`Held::release`).
    refused: Arc<AtomicBool>,
}

/// A middleware of the router, inside CORS and the language's: on a connection
/// accepted on a slot reserved for `/healthz` (`ReservedForHealth`), `/healthz` is
/// answered and any other request is refused 503 `overloaded` (`Retry-After`). Had
/// those other requests waited for a slot instead, a burst of honest clients would
/// have taken the reserve too and left the probe waiting. Any other connection's
/// requests go straight on.
pub(super) async fn answer_health_alone(request: Request, next: Next) -> Response {
    let reserved = request.extensions().get::<ReservedForHealth>().cloned();
    match reserved {
        Some(reserved) if request.uri().path() != "/healthz" => {
            reserved.refused.store(true, Ordering::Relaxed);
            let max = crate::i18n::text(reserved.connections_open_max);
            let said = "http-connections-full";
            AppError::say(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                said,
                vec![("max", max)],
            )
            .retry_after(super::RETRY_AFTER_OVERLOADED_SECONDS)
            .into_response()
        }
        _ => next.run(request).await,
    }
}

/// A middleware of the router, outermost: a connection accepted on a slot reserved for
/// `/healthz` closes after its first answer, whichever layer gave it (a CORS preflight
/// too), so that no reserved slot is held for longer than one request.
pub(super) async fn close_a_reserved_connection(request: Request, next: Next) -> Response {
    let reserved = request.extensions().get::<ReservedForHealth>().is_some();
    let mut response = next.run(request).await;
    if reserved {
        let close = HeaderValue::from_static("close");
        response.headers_mut().insert(header::CONNECTION, close);
    }
    response
}

/// The router as a connection serves it: each request marked as come over the wire
/// ([`FromTheWire`]), so that [`refuse_without_one_host`] checks its `Host`, which the
/// router's in-process callers (the tests) do not send.
#[derive(Clone)]
pub(crate) struct OverTheWire(Router);

/// The mark of a request read from a connection.
#[derive(Clone, Copy)]
pub(crate) struct FromTheWire;

impl tower_service::Service<Request<hyper::body::Incoming>> for OverTheWire {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = <Router as tower_service::Service<Request<hyper::body::Incoming>>>::Future;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        tower_service::Service::<Request<hyper::body::Incoming>>::poll_ready(&mut self.0, context)
    }

    fn call(&mut self, mut request: Request<hyper::body::Incoming>) -> Self::Future {
        request.extensions_mut().insert(FromTheWire);
        self.0.call(request)
    }
}

/// 400 for a request read from a connection with more than one `Host` header, or an
/// HTTP/1.1 one with none (RFC 9112 §3.2: a server must; an integrator's probe found
/// both served; HTTP/1.0 needs none). A middleware inside the request id, the language
/// and the reserved connection's close, so the refusal has all three.
pub(super) async fn refuse_without_one_host(request: Request, next: Next) -> Response {
    let hosts = request.headers().get_all(header::HOST).iter().count();
    let wanting = hosts > 1 || (hosts == 0 && request.version() == axum::http::Version::HTTP_11);
    if wanting && request.extensions().get::<FromTheWire>().is_some() {
        return AppError::say(
            StatusCode::BAD_REQUEST,
            "invalid_command",
            "http-host-header",
            vec![("count", crate::i18n::text(hosts))],
        )
        .into_response();
    }
    next.run(request).await
}

/// How every connection is served: HTTP/1.1 kept alive, its request head bounded in
/// time and bytes.
fn connection_builder(limits: &ConnectionLimits) -> Arc<hyper::server::conn::http1::Builder> {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(CONNECTION_READ_BUFFER_BYTES_MAX)
        .keep_alive(true);
    Arc::new(builder)
}

/// What asks a connection to close after its request in flight: the server stopping,
/// or a client waiting for a slot (`serve`).
struct Closers {
    stopping: watch::Receiver<bool>,
    pressed: watch::Receiver<u64>,
}

async fn serve_connection(
    socket: TcpStream,
    builder: &hyper::server::conn::http1::Builder,
    service: TowerToHyperService<OverTheWire>,
    limits: &ConnectionLimits,
    closers: Closers,
) {
    let Closers {
        mut stopping,
        mut pressed,
    } = closers;
    let activity = Arc::new(Activity::new(Some(std::os::fd::AsRawFd::as_raw_fd(
        &socket,
    ))));
    let io = TokioIo::new(Tracked {
        inner: socket,
        activity: activity.clone(),
    });
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let (mut closing, mut pressable, mut stopping_seen) = (false, true, false);
    loop {
        let stall_timeout = match stopping_seen {
            true => (limits.send_stall_timeout).min(limits.shutdown_send_stall_timeout),
            false => limits.send_stall_timeout,
        };
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            // Graceful: an idle connection closes now, one with a request in flight
            // after its response (feed streams end on the same signal).
            _ = stopping.wait_for(|stop| *stop), if !stopping_seen => {
                stopping_seen = true;
                if !closing {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
            () = activity.idle_for(limits.idle_timeout), if !closing => {
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            // Not graceful: a graceful close waits for the response in flight, and
            // its client is not taking it. Dropping the connection frees the body.
            () = activity.write_stalled_for(stall_timeout) => {
                tracing::warn!(seconds = stall_timeout.as_secs_f64(), stopping = stopping_seen, "reset a connection whose client took no byte of its response for this long");
                activity.cut.store(true, Ordering::Relaxed);
                return;
            }
            changed = pressed.changed(), if !closing && pressable => {
                // The sender lives as long as the accept loop; gone, it presses no more.
                // A connection that has not answered yet is taking its turn: closed
                // now, before its request head is read, it would be the new client the
                // pressure is for (the accept loop presses again as soon as it is full,
                // which may be right after accepting that client).
                if changed.is_err() {
                    pressable = false;
                } else if activity.answered() {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// When a connection last moved a byte either way, whether it has written any, and
/// since when a write has been waiting for its client to take bytes.
struct Activity {
    start: Instant,
    last_millis: AtomicU64,
    answered: AtomicBool,
    /// Milliseconds since `start`, plus one, at which the socket first refused a
    /// write that has not moved a byte since; 0 while no write waits.
    write_waiting_since_millis_plus_one: AtomicU64,
    /// The bytes the socket held unacknowledged by its client when the wait began or
    /// was last found moving (`u64::MAX` where they could not be asked): at least
    /// `RESPONSE_SEND_PROGRESS_BYTES_MIN` fewer a timeout later means the client is
    /// reading (`client_took_bytes`).
    unacknowledged_bytes: AtomicU64,
    /// The connection's socket, to ask how much of what it took its client has
    /// acknowledged. Invariant: asked only while the `Tracked` that owns the
    /// descriptor lives: from its own writes, and from `serve_connection`'s `select!`,
    /// which polls the wait only beside the connection that owns it (a connection
    /// handed elsewhere, an upgrade, would break it).
    socket: Option<std::os::fd::RawFd>,
    /// How the socket is asked: [`unacknowledged_bytes`], or a test's stand-in.
    ask: fn(std::os::fd::RawFd) -> Option<u64>,
    /// The connection is being cut for a stalled write: its socket is reset when
    /// dropped (`Tracked`'s `Drop`).
    cut: AtomicBool,
}

impl Activity {
    fn new(socket: Option<std::os::fd::RawFd>) -> Activity {
        Activity::asking(socket, unacknowledged_bytes)
    }

    fn asking(
        socket: Option<std::os::fd::RawFd>,
        ask: fn(std::os::fd::RawFd) -> Option<u64>,
    ) -> Activity {
        Activity {
            ask,
            start: Instant::now(),
            last_millis: AtomicU64::new(0),
            answered: AtomicBool::new(false),
            write_waiting_since_millis_plus_one: AtomicU64::new(0),
            unacknowledged_bytes: AtomicU64::new(u64::MAX),
            socket,
            cut: AtomicBool::new(false),
        }
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn touch_written(&self) {
        self.answered.store(true, Ordering::Relaxed);
        self.write_waiting_since_millis_plus_one
            .store(0, Ordering::Relaxed);
        self.touch();
    }

    /// The socket refused a write (its buffer is full): the stall starts now, unless
    /// it already started at an earlier refusal with no byte moved since.
    fn write_waiting(&self) {
        let now = self.millis().saturating_add(1);
        let began = self.write_waiting_since_millis_plus_one.compare_exchange(
            0,
            now,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        if began.is_ok() {
            let unacknowledged = self.unacknowledged().unwrap_or(u64::MAX);
            self.unacknowledged_bytes
                .store(unacknowledged, Ordering::Relaxed);
        }
    }

    /// Bytes the socket took that its client has not acknowledged yet, where the
    /// platform says.
    fn unacknowledged(&self) -> Option<u64> {
        self.socket.and_then(self.ask)
    }

    /// Whether the client acknowledged at least `RESPONSE_SEND_PROGRESS_BYTES_MIN` since
    /// the wait began (or was last found moving), and if so the wait begins again now:
    /// the socket is writable again only once a third of its send buffer (Linux grows
    /// it to 4 MiB) has drained, so a client reading under ~22 KB/s had looked
    /// stalled, and a feed subscriber taking 8 KB/s was reset after a minute. The
    /// floor keeps a client trickling a few bytes a minute from holding its response
    /// and its slot for good.
    fn client_took_bytes(&self, waiting_since_plus_one: u64) -> bool {
        let Some(now) = self.unacknowledged() else {
            return false;
        };
        let before = self.unacknowledged_bytes.load(Ordering::Relaxed);
        if before.saturating_sub(now) < RESPONSE_SEND_PROGRESS_BYTES_MIN {
            return false;
        }
        let again = self.millis().saturating_add(1);
        // Only the wait that was found moving begins again: a write taken meanwhile
        // ended it, and the next refusal begins its own.
        let restarted = self.write_waiting_since_millis_plus_one.compare_exchange(
            waiting_since_plus_one,
            again,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        if restarted.is_ok() {
            self.unacknowledged_bytes.store(now, Ordering::Relaxed);
        }
        true
    }

    /// Resolves once a write has waited `timeout` with no byte taken by the client:
    /// none written into the socket, and none of what it holds acknowledged.
    async fn write_stalled_for(&self, timeout: Duration) {
        loop {
            let since_plus_one = self
                .write_waiting_since_millis_plus_one
                .load(Ordering::Relaxed);
            let Some(since) = since_plus_one.checked_sub(1) else {
                // No write waits: look again a timeout later (a stall is then found
                // at most twice the timeout after it began).
                tokio::time::sleep(timeout).await;
                continue;
            };
            let deadline = self.start + Duration::from_millis(since) + timeout;
            if Instant::now() >= deadline {
                if self.client_took_bytes(since_plus_one) {
                    continue;
                }
                return;
            }
            tokio::time::sleep_until(deadline.into()).await;
        }
    }

    /// Records what a write on the socket did.
    fn wrote(&self, result: &Poll<io::Result<usize>>) {
        match result {
            Poll::Ready(Ok(written)) if *written > 0 => self.touch_written(),
            Poll::Pending => self.write_waiting(),
            Poll::Ready(_) => {}
        }
    }

    /// Whether the connection has written a byte: begun to answer a request.
    fn answered(&self) -> bool {
        self.answered.load(Ordering::Relaxed)
    }

    fn touch(&self) {
        self.last_millis.store(self.millis(), Ordering::Relaxed);
    }

    /// Resolves once no byte has moved for `timeout`.
    async fn idle_for(&self, timeout: Duration) {
        loop {
            let last = self.start + Duration::from_millis(self.last_millis.load(Ordering::Relaxed));
            let deadline = last + timeout;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}

/// The bytes `socket` took that its client has not acknowledged (Linux's `SIOCOUTQ`:
/// not yet sent, or sent and not acknowledged), or `None` if the kernel does not say.
#[cfg(target_os = "linux")]
fn unacknowledged_bytes(socket: std::os::fd::RawFd) -> Option<u64> {
    let mut queued: libc::c_int = 0;
    // SAFETY: `socket` is a connection's open socket: `Activity` asks only from the
    // connection's own writes and from the task that owns the connection, while the
    // `Tracked` that owns the descriptor lives. `TIOCOUTQ` writes one `int` through the
    // pointer, which points to `queued`.
    let done = unsafe { libc::ioctl(socket, libc::TIOCOUTQ, &mut queued) };
    if done == 0 {
        u64::try_from(queued).ok()
    } else {
        None
    }
}

/// Elsewhere the kernel is not asked: a write that waits `timeout` is a stall.
#[cfg(not(target_os = "linux"))]
fn unacknowledged_bytes(_socket: std::os::fd::RawFd) -> Option<u64> {
    None
}

/// A socket that records its activity.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

/// A cut connection is reset, not closed: a close leaves what its send buffer holds
/// (Linux grows it to 4 MiB) to the kernel, which goes on offering it to a client that
/// does not read, so the memory the cut is for would stay taken. `SO_LINGER` 0 makes
/// the close a reset, and the kernel drops the buffer.
impl Drop for Tracked {
    fn drop(&mut self) {
        if self.activity.cut.load(Ordering::Relaxed) {
            if let Err(error) = self.inner.set_zero_linger() {
                tracing::debug!(%error, "a cut connection's socket could not be set to reset");
            }
        }
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.activity.wrote(&result);
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.activity.wrote(&result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, Bytes};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Bytes a test client reads at most before calling a response endless.
    const READ_BYTES_MAX: usize = 64 << 20;

    /// An app whose one route, `/endless`, streams zeros forever.
    fn endless_app() -> Router {
        let chunk = Bytes::from(vec![0_u8; 64 << 10]);
        Router::new().route(
            "/endless",
            axum::routing::get(move || {
                let chunk = chunk.clone();
                async move {
                    Body::from_stream(futures_util::stream::repeat_with(move || {
                        Ok::<_, io::Error>(chunk.clone())
                    }))
                }
            }),
        )
    }

    /// A server whose one route streams zeros forever, with a short send-stall timeout.
    async fn endless_server(
        send_stall_timeout: Duration,
    ) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let app = endless_app();
        let limits = ConnectionLimits {
            send_stall_timeout,
            ..ConnectionLimits::default()
        };
        started(app, limits).await
    }

    /// `app` served on a free port within `limits`, until the sender is dropped.
    async fn started(
        app: Router,
        limits: ConnectionLimits,
    ) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port to listen on");
        let address = listener.local_addr().expect("the listener's address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app, limits, async move {
            let _ = stopped.await;
        }));
        (address, stop)
    }

    /// A client, its request sent; with a small receive buffer when `small_buffer`.
    async fn ask_endless(address: std::net::SocketAddr, small_buffer: bool) -> TcpStream {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        if small_buffer {
            socket
                .set_recv_buffer_size(4096)
                .expect("a small receive buffer");
        }
        let mut stream = socket.connect(address).await.expect("the server accepts");
        stream
            .write_all(b"GET /endless HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .expect("the request is sent");
        stream
    }

    /// Reads until the server closes or `READ_BYTES_MAX`, pausing `pause` between reads.
    async fn read_until_closed(stream: &mut TcpStream, pause: Duration) -> (usize, bool) {
        let (mut total, mut buffer) = (0, vec![0_u8; 64 << 10]);
        while total < READ_BYTES_MAX {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return (total, true),
                Ok(read) => total += read,
            }
            tokio::time::sleep(pause).await;
        }
        (total, false)
    }

    /// Sends `request` on a fresh connection and reads the answer to its end.
    async fn answer_to(address: std::net::SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(address)
            .await
            .expect("the server accepts");
        // The server may answer before it has read everything: a failed write is fine.
        let _ = stream.write_all(request).await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// A request head past twice `CONNECTION_READ_BUFFER_BYTES_MAX` is refused (hyper's
    /// own default took a 500 KB header), and a body is not bound by the buffer: a 1 MiB
    /// body (`REQUEST_BODY_BYTES_MAX`) still arrives whole.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_head_must_fit_the_read_buffer_and_a_body_need_not() {
        let app = Router::new().route(
            "/count",
            axum::routing::post(|body: Bytes| async move { body.len().to_string() }).layer(
                axum::extract::DefaultBodyLimit::max(super::super::REQUEST_BODY_BYTES_MAX),
            ),
        );
        let (address, _stop) = started(app, ConnectionLimits::default()).await;
        // hyper checks the limit before each read, so a head may pass it by up to one read.
        let header = "a".repeat(2 * CONNECTION_READ_BUFFER_BYTES_MAX + 1);
        let long_head = format!("POST /count HTTP/1.1\r\nHost: test\r\nX-Long: {header}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        let answer = answer_to(address, long_head.as_bytes()).await;
        assert!(
            answer.starts_with("HTTP/1.1 431"),
            "{:?}",
            answer.lines().next()
        );
        let body = vec![b'x'; super::super::REQUEST_BODY_BYTES_MAX];
        let mut request = format!(
            "POST /count HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(&body);
        let answer = answer_to(address, &request).await;
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{:?}",
            answer.lines().next()
        );
        assert!(
            answer.ends_with(&body.len().to_string()),
            "the whole body arrived: {answer}"
        );
    }

    /// A client that asks and takes no byte of the answer is cut: without the send-stall
    /// timeout the server kept writing into its socket for as long as it stayed open,
    /// holding what of the body the socket had not taken.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_takes_no_byte_of_its_answer_is_cut() {
        let (address, _stop) = endless_server(Duration::from_millis(300)).await;
        let mut stream = ask_endless(address, true).await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let (read, closed) = read_until_closed(&mut stream, Duration::ZERO).await;
        assert!(closed, "the server still sent after {read} bytes read");
    }

    /// A stopping server cuts a client that takes no byte of its answer after the
    /// shutdown's stall timeout, not the whole send-stall timeout: a feed subscriber
    /// that stopped reading had held a SIGTERM for 60 s.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopping_server_waits_for_a_stalled_client_only_briefly() {
        let app = endless_app();
        let limits = ConnectionLimits {
            send_stall_timeout: Duration::from_secs(3600),
            shutdown_send_stall_timeout: Duration::from_millis(300),
            ..ConnectionLimits::default()
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("the listener's address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(serve(listener, app, limits, async move {
            let _ = stopped.await;
        }));
        let _stream = ask_endless(address, true).await;
        // Long enough for the server's writes to fill the client's small buffer.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let _ = stop.send(());
        // Bounded so that a server waiting the hour fails the test instead of hanging it.
        let ended = tokio::time::timeout(Duration::from_secs(120), served).await;
        assert!(
            ended.is_ok(),
            "the server still waits for the stalled client"
        );
    }

    /// The count `counted_bytes` gives a test's `Activity` for its socket.
    static COUNTED_BYTES: AtomicU64 = AtomicU64::new(0);

    fn counted_bytes(_socket: std::os::fd::RawFd) -> Option<u64> {
        Some(COUNTED_BYTES.load(Ordering::Relaxed))
    }

    /// A waiting write is a stall unless the client acknowledged at least
    /// `RESPONSE_SEND_PROGRESS_BYTES_MIN` within each timeout: a client taking that
    /// much is never cut (loopback acknowledges only at window updates, so a socket
    /// test cannot tell a slow reader from a stalled one: the kernel's count is stood
    /// in for), one trickling less is, and so is one that stopped.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_acknowledging_bytes_is_not_cut_and_one_trickling_is() {
        // Sixteen steps per timeout: the client taking bytes needs two of them in each,
        // so a loaded machine's late ticks (a 50 ms stall cut it at four per timeout)
        // do not make it a trickle; the trickling one takes a quarter of the minimum.
        let timeout = Duration::from_millis(400);
        let step = Duration::from_millis(25);
        for (taken_per_step, cut) in [
            (RESPONSE_SEND_PROGRESS_BYTES_MIN / 2, false),
            (RESPONSE_SEND_PROGRESS_BYTES_MIN / 64, true),
            (0, true),
        ] {
            COUNTED_BYTES.store(1 << 30, Ordering::Relaxed);
            let activity = Arc::new(Activity::asking(Some(0), counted_bytes));
            activity.write_waiting();
            let taking = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(step).await;
                    COUNTED_BYTES.fetch_sub(taken_per_step, Ordering::Relaxed);
                }
            });
            let waited = tokio::time::timeout(
                Duration::from_millis(3_000),
                activity.write_stalled_for(timeout),
            )
            .await;
            taking.abort();
            assert_eq!(waited.is_ok(), cut, "{taken_per_step} bytes every {step:?}");
        }
    }

    /// A client that keeps reading is not cut, however long the response: the stall runs
    /// between writes the socket takes, not over the whole response. (The socket takes
    /// more once a third of its send buffer has drained, so "keeps reading" means at
    /// that pace: here 64 KiB every 10 ms, for twice a two-second timeout.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_keeps_reading_is_not_cut() {
        let (address, _stop) = endless_server(Duration::from_secs(2)).await;
        let mut stream = ask_endless(address, false).await;
        let reading = read_until_closed(&mut stream, Duration::from_millis(10));
        let outcome = tokio::time::timeout(Duration::from_secs(4), reading).await;
        assert!(
            outcome.is_err(),
            "a reading client was cut after {:?}",
            outcome.ok()
        );
    }
}
