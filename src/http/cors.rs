//! Cross-origin requests (CORS) for browser pages served from other origins
//! (`serve --cors-origin ORIGIN`, repeatable). Off by default: without an origin the
//! server sends no CORS header and a browser keeps other origins' scripts out, as it
//! does for any server.
//!
//! With origins, tower-http's `CorsLayer` (axum's companion crate) answers every
//! preflight `OPTIONS` itself, before routing and before the role check (a browser
//! sends a preflight without the Authorization header it asks about), and adds
//! `Access-Control-Allow-Origin` to the responses of the listed origins only. The
//! bearer token travels in a header the preflight allows, never in a cookie, so no
//! credentials mode is needed.

use crate::i18n::Sentence;
use axum::http::{header, HeaderName, HeaderValue, Method};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Most `--cors-origin` values (each is compared with every cross-origin request's).
pub const CORS_ORIGINS_MAX: usize = 64;
/// How long a browser may keep a preflight's answer.
pub const CORS_PREFLIGHT_MAX_AGE_SECONDS: u64 = 600;

/// The request headers a page may send: the token, JSON bodies, the command's
/// idempotency key and the feed's resume point.
const ALLOWED_REQUEST_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    HeaderName::from_static("idempotency-key"),
    HeaderName::from_static("last-event-id"),
];

/// The response headers a page may read beyond the CORS-safelisted ones (the request
/// id, so a page can report the id an operator finds in the server's log; `Retry-After`,
/// so it can wait as a 503 asks: a downstream probe's page could not read it).
const EXPOSED_RESPONSE_HEADERS: [HeaderName; 4] = [
    header::ALLOW,
    header::RETRY_AFTER,
    HeaderName::from_static("x-flexledger-backup-position"),
    HeaderName::from_static("x-request-id"),
];

/// One `--cors-origin` value: a browser origin, `http://` or `https://`, a host and
/// an optional port, nothing after it. Lowercased, as a browser sends its `Origin`.
pub fn parse_origin(text: &str) -> Result<HeaderValue, Sentence> {
    let refused = |id| Sentence::new(id, vec![("text", format!("{text:?}"))]);
    let lowered = text.trim().to_ascii_lowercase();
    let host = lowered
        .strip_prefix("https://")
        .or_else(|| lowered.strip_prefix("http://"))
        .ok_or_else(|| refused("value-origin-no-scheme"))?;
    if host.is_empty() || host.contains(['/', '?', '#', '*', '@', ' ']) {
        return Err(refused("value-origin-shape"));
    }
    HeaderValue::from_str(&lowered).map_err(|_| refused("value-not-an-origin"))
}

/// The CORS layer for `origins`, or `None` (CORS off) when there are none.
pub fn layer(origins: &[HeaderValue]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(ALLOWED_REQUEST_HEADERS)
            .expose_headers(EXPOSED_RESPONSE_HEADERS)
            .max_age(Duration::from_secs(CORS_PREFLIGHT_MAX_AGE_SECONDS)),
    )
}
