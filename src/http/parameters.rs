//! The query parameters each route takes, and the refusal of any other.
//!
//! Why: a parameter a route does not take was ignored, so a misspelt one changed the
//! answer without a word. An auditor asking `GET /v1/members/ID?asof=12` (for
//! `as_of`) got the member as it is now, not at position 12; `…/months/2025-03?as_of=12`
//! (a parameter that route never took) answered the month as it is now; `…/events?from=100`
//! returned every event. The feed refused such parameters already; every route now
//! does, with the list of what it takes (400 `invalid_command`), after the role check
//! as every other question about the request. Names are compared decoded (`as%5Fof` is
//! `as_of`), and a parameter given twice is refused too: which one counts would
//! otherwise be the parser's choice.

use super::AppError;
use axum::extract::{MatchedPath, Query, Request};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The query parameters of each route the role layer guards, by its path as routed.
/// `access_token` only where the auth layer reads it (`query_token`): the routes a
/// browser opens itself. A route not listed here (`/healthz`, the schemas) is not
/// checked: they answer the same whatever the query.
const ROUTE_PARAMETERS: [(&str, &[&str]); 11] = [
    ("/v1/commands", &[]),
    ("/v1/members/{id}", &["as_of"]),
    ("/v1/members/{id}/months/{month}", &[]),
    (
        "/v1/members/{id}/timeline.svg",
        &["lang", "as_of", "access_token"],
    ),
    ("/v1/members/{id}/events", &[]),
    ("/v1/regions/{name}", &[]),
    ("/v1/regions/{name}/months/{month}", &[]),
    (AUDIT_PAGE, &["lang", "as_of", "access_token"]),
    ("/v1/backup", &[]),
    ("/metrics", &[]),
    ("/v1/feed", &super::feed::FEED_PARAMETERS),
];

/// What a refusal of a parameter says: the catalog's ids for a parameter the route
/// does not take and for one given twice.
pub(crate) struct ParameterMessages {
    pub unknown: &'static str,
    pub twice: &'static str,
    /// The names `twice` is said for (the feed's hint is about `types`); any other
    /// name given twice gets the plain `http-parameter-twice`.
    pub twice_names: &'static [&'static str],
}

/// The messages of every route but the feed (whose own say what a feed takes).
const ROUTE_MESSAGES: ParameterMessages = ParameterMessages {
    unknown: "http-unknown-parameter",
    twice: "http-parameter-twice",
    twice_names: &[],
};

/// Refuses a request whose query names a parameter its route does not take, or one
/// twice (module docs). Added inside the role check of each guarded route.
pub(crate) async fn refuse_unknown_parameters(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    // The feed checks its own, with its own words (`feed::get_feed`), and the audit
    // page its own, to answer in a page (`audit::get_audit_page`).
    let checked_here = matched
        .as_ref()
        .filter(|matched| !["/v1/feed", AUDIT_PAGE].contains(&matched.as_str()));
    if let Some(matched) = checked_here {
        if let Err(refusal) = check_route_query(request.uri(), matched.as_str()) {
            return refusal.into_response();
        }
    }
    next.run(request).await
}

/// Refuses any query on a route that takes none and has no role check (`/healthz`, the
/// OpenAPI document and its schema files): a parameter there is a mistake, as it is on
/// every other route.
pub(crate) async fn refuse_any_parameters(request: Request, next: Next) -> Response {
    if let Err(refusal) = check_query(request.uri(), &[], &ROUTE_MESSAGES) {
        return refusal.into_response();
    }
    next.run(request).await
}

/// The audit page's route, which says a refused parameter in a page of its own.
pub(crate) const AUDIT_PAGE: &str = "/audit/members/{id}";

/// The query of a request to the route `matched` checked against the route's
/// parameters (nothing to check for a route not in `ROUTE_PARAMETERS`).
pub(crate) fn check_route_query(uri: &Uri, matched: &str) -> Result<(), AppError> {
    match parameters_of(matched) {
        Some(known) => check_query(uri, known, &ROUTE_MESSAGES),
        None => Ok(()),
    }
}

/// The parameters the route `matched` takes, if it is one of `ROUTE_PARAMETERS`.
fn parameters_of(matched: &str) -> Option<&'static [&'static str]> {
    ROUTE_PARAMETERS
        .iter()
        .find(|(path, _)| *path == matched)
        .map(|(_, known)| *known)
}

/// `uri`'s query checked against `known`: 400 for a query that does not parse, a name
/// not in `known`, or a name given twice.
fn check_query(uri: &Uri, known: &[&str], messages: &ParameterMessages) -> Result<(), AppError> {
    if uri.query().is_none() {
        return Ok(());
    }
    let Query(pairs) =
        Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(super::bad_query)?;
    check_parameter_names(&pairs, known, messages)
}

/// Each name of `pairs` must be one of `known` and given once. `access_token` is
/// left out of the list a refusal shows: it is the auth layer's, not a question.
pub(crate) fn check_parameter_names(
    pairs: &[(String, String)],
    known: &[&str],
    messages: &ParameterMessages,
) -> Result<(), AppError> {
    let mut seen: Vec<&str> = Vec::new();
    for name in pairs.iter().map(|(name, _)| name.as_str()) {
        if !known.contains(&name) {
            let shown: Vec<&str> = known
                .iter()
                .copied()
                .filter(|known| *known != "access_token" && *known != "lastEventId")
                .collect();
            let name = crate::i18n::text(format!("{name:?}"));
            if shown.is_empty() {
                let args = vec![("name", name)];
                return Err(invalid("http-no-parameters", args));
            }
            // Every name it takes, the browser's (`access_token`, `lastEventId`) too: a
            // probe read the list without them as the whole of what is taken.
            let args = vec![("name", name), ("known", crate::i18n::list(known.to_vec()))];
            return Err(invalid(messages.unknown, args));
        }
        if seen.contains(&name) {
            let id = if messages.twice_names.contains(&name) {
                messages.twice
            } else {
                "http-parameter-twice"
            };
            let args = vec![("name", crate::i18n::text(name))];
            return Err(invalid(id, args));
        }
        seen.push(name);
    }
    Ok(())
}

/// A query parameter that is a log position (`as_of`, the feed's `from`), parsed here
/// rather than by serde, whose English ("invalid digit found in string") no reader of
/// another language could read: digits only, as the OpenAPI document says (`+5`, which
/// Rust's parser takes, is refused as `Last-Event-ID: +5` is), or 400 naming the
/// parameter and what was sent. Digits too many for 64 bits are refused for what they
/// are, not as "not a whole number".
pub(crate) fn position_parameter(name: &str, text: Option<&str>) -> Result<Option<u64>, AppError> {
    let Some(text) = text else { return Ok(None) };
    let args = vec![
        ("name", crate::i18n::text(name)),
        ("text", crate::i18n::text(format!("{text:?}"))),
    ];
    if !crate::feed::is_digits(text) {
        return Err(invalid("http-not-a-position", args));
    }
    // Digits only, so the one way parsing fails is overflow.
    text.parse::<u64>().map(Some).map_err(|_| {
        let mut args = args;
        args.push(("max", crate::i18n::text(u64::MAX)));
        invalid("http-position-too-large", args)
    })
}

fn invalid(id: &'static str, args: Vec<(&'static str, crate::i18n::Arg)>) -> AppError {
    AppError::say(StatusCode::BAD_REQUEST, "invalid_command", id, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route of the router but `/healthz` is listed with its parameters, once
    /// (a route added without them would take any query silently, as every route did
    /// before).
    #[test]
    fn every_route_is_listed_once() {
        let listed: Vec<&str> = ROUTE_PARAMETERS.iter().map(|(path, _)| *path).collect();
        let router = include_str!("mod.rs");
        // The router's routes, not its tests' own.
        let router = router.split("#[cfg(test)]").next().unwrap_or(router);
        let mut routed: Vec<&str> = router
            .split(".route(")
            .skip(1)
            .filter_map(|call| call.trim_start().strip_prefix('"'))
            .filter_map(|call| call.split('"').next())
            .filter(|path| *path != "/healthz")
            .collect();
        routed.sort_unstable();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(routed, sorted);
    }
}
