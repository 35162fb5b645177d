//! `GET /v1/feed`: the feed (`crate::feed`) as Server-Sent Events. A subscriber
//! catches up from the store from `?from=POSITION` (or after the message named by
//! `Last-Event-ID`; by default it starts live, after the current head), then follows
//! appends live. A `from` or `Last-Event-ID` beyond the head is not an error: the
//! subscriber waits, and its first message is the first item appended after it.
//!
//! What is HTTP's here: the query and the header parsed into the feed's `Filter` and
//! `Start`, the subscriber cap, the metrics, and each delivery as an SSE message (`id`
//! the message's id, none for a `Closing` notice, `event` its type, `data` its JSON; a failed read is an `error`
//! event). Everything else (ordering, catch-up-then-live, bounded memory) is the
//! feed's.

use super::{AppError, AppState, FEED_SUBSCRIBERS_MAX};
use crate::domain::policy::RegionName;
use crate::feed::{
    Delivery, FeedItem, Filter, Start, StartError, Subscription, FEED_SUBSCRIBER_BUFFER_ITEMS,
};
use crate::i18n::{say, Arg};
use crate::store::{EventLog, StateKey, StateRows};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::StreamExt;
use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use uuid::Uuid;

#[derive(serde::Deserialize)]
pub struct FeedQuery {
    /// A log position, parsed by `parameters::position_parameter`.
    from: Option<String>,
    /// Comma-separated event types, e.g. `ContributionPaid,MemberWithdrawn`.
    types: Option<String>,
    region: Option<String>,
    member: Option<String>,
    /// `Last-Event-ID` as an EventSource polyfill sends it on a reconnect.
    #[serde(rename = "lastEventId")]
    last_event_id: Option<String>,
    /// `true`: send the id of the last item the filters passed over (a message with an
    /// id and no data), so a reconnect resumes there. Opt-in: a message without an
    /// event and data is new to the stream's shape, and a client that reads the
    /// stream by hand may take every id for an item.
    progress: Option<String>,
    /// `true`: send a `Closing` notice (no id) after each chunk of a month close, and,
    /// when the stream goes live, for each close in progress and each that ended after
    /// where it started. Opt-in as `progress`.
    closing: Option<String>,
}

/// A 400 whose message is the catalog's `id` with `args`.
fn invalid(id: &'static str, args: Vec<(&'static str, Arg)>) -> AppError {
    AppError::say(StatusCode::BAD_REQUEST, "invalid_command", id, args)
}

/// The feed's filter of a query.
fn filter_of(query: &FeedQuery) -> Result<Filter, AppError> {
    let member = match &query.member {
        None => None,
        Some(text) => Some(Uuid::parse_str(text).map_err(|_| {
            invalid(
                "http-feed-member-not-uuid",
                vec![("text", crate::i18n::text(format!("{text:?}")))],
            )
        })?),
    };
    let region = match &query.region {
        None => None,
        Some(text) => Some(RegionName::parse(text).ok_or_else(|| {
            invalid(
                "http-not-a-region-name",
                vec![("text", crate::i18n::text(format!("{text:?}")))],
            )
        })?),
    };
    let types = types_of(query.types.as_deref()).map_err(|unknown| {
        let known = crate::store::log_entry::EVENT_TYPE_CODES.iter();
        let types = known.chain(&["CoverageChanged"]);
        invalid(
            "http-feed-unknown-type",
            vec![
                ("text", crate::i18n::text(format!("{unknown:?}"))),
                ("types", crate::i18n::list(types)),
            ],
        )
    })?;
    let progress = boolean_parameter("progress", query.progress.as_deref())?;
    let closing = boolean_parameter("closing", query.closing.as_deref())?;
    Ok(Filter::new(types, member, region)
        .sending_progress(progress)
        .sending_closing(closing))
}

/// A parameter that is `true` or `false` (absent: false).
fn boolean_parameter(name: &'static str, text: Option<&str>) -> Result<bool, AppError> {
    match text {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(text) => {
            let args = vec![
                ("name", crate::i18n::text(name)),
                ("text", crate::i18n::text(format!("{text:?}"))),
            ];
            Err(invalid("http-feed-not-a-boolean", args))
        }
    }
}

/// Whether `name` is a type of feed item: an event type (every one has a log entry
/// code, `tests/it/schemas.rs`) or `CoverageChanged`. A misspelt name would otherwise
/// filter out everything and leave the subscriber waiting without a word.
fn is_feed_type(name: &str) -> bool {
    name == "CoverageChanged" || crate::store::log_entry::EVENT_TYPE_CODES.contains(&name)
}

/// The event types `?types=` names; `None` (no filter) when it names none: `types=`
/// or `types=,` is a list whose empty names are all ignored, not a filter that keeps
/// nothing. `Err` holds the first name, in the order given, that is no type of feed
/// item ([`is_feed_type`]).
fn types_of(types: Option<&str>) -> Result<Option<HashSet<String>>, &str> {
    let mut names = HashSet::new();
    for name in types.unwrap_or_default().split(',').map(str::trim) {
        if name.is_empty() {
            continue;
        }
        if !is_feed_type(name) {
            return Err(name);
        }
        names.insert(name.to_owned());
    }
    Ok((!names.is_empty()).then_some(names))
}

/// The SSE message of a delivery: an item (`id` its id, `event` its type), or the
/// `error` event that ends a subscription. Damage the subscription's read met is
/// noted as a request's is (`note_found_damage`: the store marked, the writer stopped,
/// `/healthz` unhealthy), where a probe saw a damaged feed item end every catch-up
/// across it while the server stayed healthy and appended.
fn sse_message(delivery: Delivery) -> SseEvent {
    match delivery {
        Delivery::Item(item) => item_message(&item),
        // No data: an EventSource sets its last event id and dispatches nothing.
        Delivery::Passed(id) => SseEvent::default().id(id),
        Delivery::Failed(message) => SseEvent::default().event("error").data(message),
    }
}

/// What a subscription's failed store read does first: damage is noted as a request's
/// read notes it (`record_found_damage`: the store marked, the writer stopped,
/// `/healthz` unhealthy), before the subscriber is told and whether or not it is still
/// there. A probe saw a damaged feed item end every catch-up across it while the
/// server stayed healthy and appended.
fn note_damage_of(state: &AppState) -> crate::feed::ReadFailureHook {
    let state = state.clone();
    std::sync::Arc::new(move |error: &crate::store::StoreError| {
        let damage = super::found_damage_in(error);
        let state = state.clone();
        Box::pin(async move {
            if let Some(damage) = damage {
                super::record_found_damage(&state, damage).await;
            }
        })
    })
}

fn item_message(item: &FeedItem) -> SseEvent {
    // A `Closing` notice has no id: an EventSource keeps its last event id, so a
    // reconnect resumes after the last item of the log, never after a notice.
    let message = match item.closing {
        Some(_) => SseEvent::default(),
        None => SseEvent::default().id(item.id()),
    };
    message.event(item.event_type).data(item.data.as_str())
}

/// The query parameters the feed takes: `access_token` is the auth layer's, and
/// `lastEventId` what EventSource polyfills send on a reconnect (as `Last-Event-ID`).
pub(super) const FEED_PARAMETERS: [&str; 8] = [
    "from",
    "types",
    "region",
    "member",
    "progress",
    "closing",
    "access_token",
    "lastEventId",
];

/// A parameter the feed does not take (`type` for `types`), or one given twice
/// (`types=A&types=B`), is refused (`parameters`): a misspelt filter or `from` would
/// otherwise be ignored, and the subscriber would wait on a stream it did not ask for.
fn check_parameter_names(pairs: &[(String, String)]) -> Result<(), AppError> {
    let messages = super::parameters::ParameterMessages {
        unknown: "http-feed-unknown-parameter",
        twice: "http-feed-parameter-twice",
        twice_names: &["types"],
    };
    super::parameters::check_parameter_names(pairs, &FEED_PARAMETERS, &messages)
}

pub async fn get_feed(
    State(state): State<AppState>,
    presented: Option<axum::Extension<super::auth::Presented>>,
    headers: HeaderMap,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<axum::response::Response, AppError> {
    let Query(pairs) = pairs.map_err(super::bad_query)?;
    check_parameter_names(&pairs)?;
    let Query(query) = query.map_err(super::bad_query)?;
    let last_event_id = last_event_id(&headers, query.last_event_id.as_deref())?;
    let mut filter = filter_of(&query)?;
    // A read-only server records no chunk, so it has no notice to send: said in a
    // comment, as a subscription that will wait without a word is.
    let no_notices_here = filter.sends_closing() && state.writer.is_none();
    if no_notices_here {
        filter = filter.sending_closing(false);
    }
    let from = super::parameters::position_parameter("from", query.from.as_deref())?;
    let Ok(permit) = state.feed_slots.clone().try_acquire_owned() else {
        return Err(AppError::say(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "http-feed-full",
            vec![("max", crate::i18n::text(FEED_SUBSCRIBERS_MAX))],
        )
        .retry_after(super::RETRY_AFTER_OVERLOADED_SECONDS));
    };
    let start = match (last_event_id, from) {
        (Some(id), _) => Start::After(id.position, id.sub, id.tag),
        (None, Some(from)) => Start::From(from),
        (None, None) => Start::Live,
    };
    let mut waiting = waiting_comments(&state, &filter, start).await?;
    if no_notices_here {
        let language = super::language::current();
        waiting.push(say(language, "http-feed-no-closing-notices-here", &[]));
    }
    let subscription = Subscription::start(state.store.clone(), &state.feed, start, filter)
        .await
        .map_err(|error: StartError| match error {
            StartError::Store(error) => AppError::from(error),
            StartError::Task(error) => AppError::internal(error.to_string()),
            StartError::AnotherHistory(another) => another_history(another),
        })?
        .on_read_failure(note_damage_of(&state))
        .speaking(super::language::current());
    let (sender, receiver) = tokio::sync::mpsc::channel(FEED_SUBSCRIBER_BUFFER_ITEMS);
    state
        .metrics
        .feed_subscribers
        .fetch_add(1, Ordering::Relaxed);
    let metrics = state.metrics.clone();
    let (stop, stopped) = tokio::sync::watch::channel(*state.shutdown.borrow());
    let presented = presented.map(|axum::Extension(presented)| presented);
    tokio::spawn(stop_on_shutdown_or_revocation(
        state.clone(),
        presented,
        stop,
    ));
    tokio::spawn(async move {
        let _permit = permit;
        subscription.run(sender, stopped).await;
        metrics.feed_subscribers.fetch_sub(1, Ordering::Relaxed);
    });
    let first = waiting
        .into_iter()
        .map(|comment| Ok::<_, Infallible>(SseEvent::default().comment(comment)));
    let stream = futures_util::stream::iter(first).chain(
        tokio_stream::wrappers::ReceiverStream::new(receiver)
            .map(|delivery| Ok::<_, Infallible>(sse_message(delivery))),
    );
    Ok(in_its_language(
        Sse::new(stream).keep_alive(KeepAlive::default()),
    ))
}

/// The feed's answer, saying the language of its comments, which follow
/// Accept-Language, as every other answer does (an integrator's probe read Chinese
/// comments under no Content-Language).
fn in_its_language(sse: impl axum::response::IntoResponse) -> axum::response::Response {
    let content_language = [
        (
            axum::http::header::CONTENT_LANGUAGE,
            super::language::current().tag(),
        ),
        (axum::http::header::VARY, "accept-language"),
    ];
    axum::response::IntoResponse::into_response((content_language, sse))
}

/// Ends a feed stream (sets `stop`) when the server shuts down or when the token it was
/// opened with is no longer taken with its role (`serve` re-read its token file on
/// SIGHUP): a revoked token must not keep reading every event through a stream it
/// opened before. Returns when the stream has ended on its own.
async fn stop_on_shutdown_or_revocation(
    state: AppState,
    presented: Option<super::auth::Presented>,
    stop: tokio::sync::watch::Sender<bool>,
) {
    let mut shutdown = state.shutdown.clone();
    let mut replacements = state.tokens.replacements();
    loop {
        if *shutdown.borrow_and_update() {
            break;
        }
        if presented.is_some_and(|presented| !state.tokens.holds(&presented)) {
            tracing::info!("a feed stream's token is no longer taken: ending the stream");
            break;
        }
        tokio::select! {
            changed = shutdown.changed() => if changed.is_err() { break },
            changed = replacements.changed() => if changed.is_err() { break },
            () = stop.closed() => return,
        }
    }
    let _ = stop.send(true);
}

/// The comments to open the stream with when it will wait without a word: its filter
/// names a region with no policy or a member with no event yet, or it starts beyond
/// the log's head (each said, when more than one holds: a probe's `from=500&region=
/// nowhere` was told only of the region). Such a subscription is kept (the region, the
/// member or the position may come), but a misspelt name or a cursor from another
/// server would otherwise look like a quiet stream to someone reading it with `curl`.
/// An SSE comment is invisible to an `EventSource`, so clients see no difference.
async fn waiting_comments(
    state: &AppState,
    filter: &Filter,
    start: Start,
) -> Result<Vec<String>, AppError> {
    let (region, member) = (filter.region().cloned(), filter.member());
    // The first position the stream can deliver, were it already written.
    let first = match start {
        Start::From(position) => Some(position),
        Start::After(position, _, _) => Some(position.saturating_add(1)),
        Start::Live => None,
    };
    // A live stream of everything has nothing to check: no read for it.
    if region.is_none() && member.is_none() && first.is_none() {
        return Ok(Vec::new());
    }
    let store = state.store.clone();
    let language = super::language::current();
    super::blocking(move || {
        let mut comments = Vec::new();
        if let Some(region) = region {
            if store
                .read_state(&StateKey::Region(region.clone()))?
                .is_none()
            {
                let args = [("region", crate::i18n::text(&region))];
                comments.push(say(language, "http-feed-region-not-yet", &args));
            }
        }
        if let Some(member) = member {
            if store.read_state(&StateKey::Member(member))?.is_none() {
                let args = [("member", crate::i18n::text(member))];
                comments.push(say(language, "http-feed-member-not-yet", &args));
            }
        }
        if let Some(first) = first {
            let (head, _) = store.head()?;
            if first > head.saturating_add(1) {
                let args = [
                    ("position", crate::i18n::text(first)),
                    ("head", crate::i18n::text(head)),
                ];
                comments.push(say(language, "http-feed-beyond-head", &args));
            }
        }
        Ok(comments)
    })
    .await
}

/// 409 `another_history`: the cursor names an event the log does not hold at its
/// position (D91). Not a 400: the id is well formed, and the same request to a server
/// of the history it came from is answered.
fn another_history(another: crate::feed::AnotherHistory) -> AppError {
    AppError::say(
        StatusCode::CONFLICT,
        "another_history",
        "http-feed-another-history",
        another.args(),
    )
}

/// The `Last-Event-ID` header, if sent (once: twice is refused), else a polyfill's
/// `?lastEventId=`.
fn last_event_id(
    headers: &HeaderMap,
    in_query: Option<&str>,
) -> Result<Option<crate::feed::MessageId>, AppError> {
    let parse = |text: Option<&str>| {
        text.and_then(crate::feed::parse_id)
            .ok_or_else(|| invalid("http-last-event-id", vec![]))
    };
    // A polyfill's `?lastEventId=` is checked even beside the header, which wins.
    let from_query = in_query.map(|text| parse(Some(text))).transpose()?;
    // Two cursors: which one the client meant is not known, as with a parameter given
    // twice (a proxy that adds its own would otherwise pick one unseen).
    match super::header_once(headers, "last-event-id", "http-last-event-id-twice")? {
        None => Ok(from_query),
        Some(value) => parse(value.to_str().ok()).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::types_of;

    #[test]
    fn a_types_list_without_names_filters_nothing() {
        assert_eq!(types_of(None), Ok(None));
        assert_eq!(types_of(Some("")), Ok(None));
        assert_eq!(types_of(Some(" , ,")), Ok(None));
        let kept = types_of(Some(" ContributionPaid,,MemberWithdrawn "))
            .unwrap()
            .unwrap();
        assert_eq!(kept.len(), 2);
        assert!(kept.contains("ContributionPaid") && kept.contains("MemberWithdrawn"));
    }
}
