//! A request id for every request: made when the request arrives, returned in the
//! `x-request-id` header of every response, carried by the span of every log line the
//! request causes, and quoted in a 500's message. A client reports the id; the
//! operator finds the log line with what failed (which a 500 never sends). The same
//! layer writes the access log ([`ACCESS_LOG_TARGET`]).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The log target of the access log: one line per request answered (method, path
/// without its query, status, milliseconds to the response's head, the token's role,
/// the request id), at `info`, so off by default; `FLEXLEDGER_LOG=warn,flexledger::access=info`
/// turns it on. A feed stream's line is written when its head is sent.
pub const ACCESS_LOG_TARGET: &str = "flexledger::access";

/// The response header that carries the id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    /// The id of the request the current task is answering (unset outside one).
    static CURRENT: RequestId;
}

/// 32 lowercase hexadecimal digits (a random UUID, simple form): unique across
/// restarts and servers, so one id names one log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    fn new() -> RequestId {
        RequestId(uuid::Uuid::new_v4().simple().to_string())
    }

    /// The id of the request being answered, if this task is answering one.
    pub fn current() -> Option<RequestId> {
        CURRENT.try_with(RequestId::clone).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The outermost layer: gives the request its id for as long as its handler runs (a
/// 500 is rendered there) and sets the header on whatever answers it, a CORS
/// preflight and an overloaded 503 included.
pub async fn tag(request: Request, next: Next) -> Response {
    let id = RequestId::new();
    let span = tracing::info_span!("request", request_id = %id);
    let started = std::time::Instant::now();
    // The path alone: a query may hold `access_token`.
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let mut response = CURRENT
        .scope(id.clone(), next.run(request).instrument(span))
        .await;
    // The role the token had (`authorize` leaves it on the response), never the token.
    let role = response.extensions().get::<super::auth::Role>();
    tracing::info!(
        target: ACCESS_LOG_TARGET,
        request_id = %id,
        %method,
        %path,
        status = response.status().as_u16(),
        millis = started.elapsed().as_millis(),
        role = %role.map_or("-", |role| role.name()),
        "answered"
    );
    // OK because the id is hexadecimal digits, which a header value always admits.
    let value = HeaderValue::from_str(id.as_str()).expect("hex digits are a header value");
    response.headers_mut().insert(REQUEST_ID_HEADER, value);
    response
}
