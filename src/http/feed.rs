//! `GET /v1/feed`: Server-Sent Events of envelopes and `CoverageChanged` items (a
//! command changed some months of a member's coverage, possibly in the past; it
//! carries the position of the command's last event and follows that event). A subscriber catches up from the store from
//! `?from=POSITION` (or the position after `Last-Event-ID`; by default it starts live,
//! after the current head), then follows appends live. It subscribes to the live
//! broadcast *before* reading the store, and skips live items it already sent, so there
//! is no gap and no duplicate at the switch. A subscriber that falls more than
//! `FEED_BROADCAST_EVENTS_MAX` behind is told so and dropped: it reconnects with
//! `Last-Event-ID` and catches up from the store; memory never grows for it.

use super::{AppError, AppState, FEED_SUBSCRIBERS_MAX};
use crate::domain::coverage::CoverageChanged;
use crate::domain::policy::RegionName;
use crate::domain::state::MemberState;
use crate::domain::StreamId;
use crate::store::{Envelope, EventStore, SledStore, StateKey, StoreError};
use crate::writer::{FeedItem, FeedMessage};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

/// Events read from the store per catch-up step.
pub const FEED_CATCH_UP_PAGE_EVENTS: usize = 512;
/// SSE messages buffered per subscriber between its task and its connection.
pub const FEED_SUBSCRIBER_BUFFER_EVENTS: usize = 256;

#[derive(serde::Deserialize)]
pub struct FeedQuery {
    from: Option<u64>,
    /// Comma-separated event types, e.g. `ContributionPaid,MemberWithdrawn`.
    types: Option<String>,
    region: Option<String>,
    member: Option<String>,
}

/// Which envelopes a subscriber wants.
struct Filter {
    types: Option<HashSet<String>>,
    member_stream: Option<String>,
    region: Option<RegionName>,
    /// Member → region, for the region filter (member payloads do not name it).
    regions_of_members: HashMap<Uuid, Option<RegionName>>,
}

impl Filter {
    fn matches(&mut self, store: &dyn EventStore, type_name: &str, stream: StreamId) -> bool {
        if self
            .types
            .as_ref()
            .is_some_and(|types| !types.contains(type_name))
        {
            return false;
        }
        if self
            .member_stream
            .as_ref()
            .is_some_and(|wanted| *wanted != stream.name())
        {
            return false;
        }
        let Some(region) = &self.region else {
            return true;
        };
        match stream {
            StreamId::Region(name) => name == *region,
            StreamId::Member(member_id) => {
                let found = self.regions_of_members.entry(member_id).or_insert_with(|| {
                    let row = store
                        .read_state(&StateKey::Member(member_id))
                        .ok()
                        .flatten();
                    row.and_then(|row| serde_json::from_slice::<MemberState>(&row).ok())
                        .map(|member| member.region)
                });
                found.as_ref() == Some(region)
            }
        }
    }

    fn matches_item(&mut self, store: &dyn EventStore, item: &FeedItem) -> bool {
        self.matches(store, item.event_type, item.stream.clone())
    }
}

/// The SSE message of a feed item: `id` its id, `event` the type.
fn sse_message(item: &FeedItem) -> SseEvent {
    SseEvent::default()
        .id(item.id())
        .event(item.event_type)
        .data(item.data.as_str())
}

/// One catch-up page from the store: envelopes from `from`, with the coverage changes
/// of their positions interleaved after the event they follow.
fn catch_up_page(store: &SledStore, from: u64) -> Result<Vec<FeedItem>, StoreError> {
    let envelopes: Vec<Envelope> = store
        .read_log(from)
        .take(FEED_CATCH_UP_PAGE_EVENTS)
        .collect::<Result<_, _>>()?;
    let Some(last) = envelopes.last().map(|envelope| envelope.position) else {
        return Ok(Vec::new());
    };
    let mut changes = Vec::new();
    for row in store.coverage_changes(from, last)? {
        let change: CoverageChanged =
            serde_json::from_slice(&row).map_err(|error| StoreError::Corrupt {
                position: from,
                message: format!("a coverage change does not decode: {error}"),
            })?;
        changes.push(change);
    }
    let items = FeedMessage::interleave(&envelopes, &changes);
    Ok(items)
}

pub async fn get_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    let Query(query) = query.map_err(super::bad_query)?;
    let invalid =
        |message: String| AppError::new(StatusCode::BAD_REQUEST, "invalid_command", message);
    let last_event_id = match headers.get("last-event-id") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(parse_event_id)
                .ok_or_else(|| {
                    invalid(
                        "Last-Event-ID must be a feed message id: POSITION or POSITION.N".into(),
                    )
                })?,
        ),
    };
    let member_stream = match &query.member {
        None => None,
        Some(text) => Some(
            StreamId::Member(
                Uuid::parse_str(text)
                    .map_err(|_| invalid(format!("member {text:?} is not a UUID")))?,
            )
            .name(),
        ),
    };
    let region = match &query.region {
        None => None,
        Some(text) => Some(
            RegionName::parse(text)
                .ok_or_else(|| invalid(format!("{text:?} is not a region name")))?,
        ),
    };
    let types = query.types.as_ref().map(|types| {
        types
            .split(',')
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect::<HashSet<_>>()
    });
    let Ok(permit) = state.feed_slots.clone().try_acquire_owned() else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!("the feed already has {FEED_SUBSCRIBERS_MAX} subscribers; retry later"),
        ));
    };
    // Subscribe before reading the head: everything after it arrives live.
    let mut live = state.feed.subscribe();
    let head = {
        let store = state.store.clone();
        tokio::task::spawn_blocking(move || store.head())
            .await
            .map_err(|error| {
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    error.to_string(),
                )
            })??
            .0
    };
    // The cursor is the last message delivered: (position, sub), sub u32::MAX meaning
    // "everything at that position".
    let cursor = last_event_id
        .or(query.from.map(|from| (from.max(1) - 1, u32::MAX)))
        .unwrap_or((head, u32::MAX));
    let mut filter = Filter {
        types,
        member_stream,
        region,
        regions_of_members: HashMap::new(),
    };
    let (sender, receiver) =
        tokio::sync::mpsc::channel::<Result<SseEvent, Infallible>>(FEED_SUBSCRIBER_BUFFER_EVENTS);
    let mut shutdown = state.shutdown.clone();
    state
        .metrics
        .feed_subscribers
        .fetch_add(1, Ordering::Relaxed);
    tokio::spawn(async move {
        let _permit = permit;
        follow(
            &state,
            cursor,
            &mut filter,
            &mut live,
            &sender,
            &mut shutdown,
        )
        .await;
        state
            .metrics
            .feed_subscribers
            .fetch_sub(1, Ordering::Relaxed);
    });
    let stream = tokio_stream::wrappers::ReceiverStream::new(receiver);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Parses a feed message id: `POSITION` (an event) or `POSITION.SUB` (a coverage change).
fn parse_event_id(text: &str) -> Option<(u64, u32)> {
    let text = text.trim();
    match text.split_once('.') {
        None => Some((text.parse().ok()?, 0)),
        Some((position, sub)) => Some((position.parse().ok()?, sub.parse().ok()?)),
    }
}

type Sender = tokio::sync::mpsc::Sender<Result<SseEvent, Infallible>>;

/// Sends one message unless the subscriber left or the server is shutting down.
async fn deliver(
    sender: &Sender,
    message: SseEvent,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    tokio::select! {
        sent = sender.send(Ok(message)) => sent.is_ok(),
        _ = shutdown.changed() => false,
    }
}

/// Catches up from the store after `cursor`, then follows the live broadcast, until
/// the subscriber leaves, falls too far behind, or the server shuts down.
async fn follow(
    state: &AppState,
    mut cursor: (u64, u32),
    filter: &mut Filter,
    live: &mut tokio::sync::broadcast::Receiver<FeedItem>,
    sender: &Sender,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) {
    // Re-read the cursor's own position if some of its coverage changes may remain.
    let mut read_from = if cursor.1 == u32::MAX {
        cursor.0.saturating_add(1)
    } else {
        cursor.0.max(1)
    };
    loop {
        let store = state.store.clone();
        let page = match tokio::task::spawn_blocking(move || catch_up_page(&store, read_from)).await
        {
            Ok(Ok(page)) => page,
            Ok(Err(error)) => {
                let message =
                    format!("the log could not be read from position {read_from}: {error}");
                let _ = deliver(
                    sender,
                    SseEvent::default().event("error").data(message),
                    shutdown,
                )
                .await;
                return;
            }
            Err(_) => return,
        };
        let Some(last) = page.last().map(|item| item.position) else {
            break;
        };
        for item in page {
            if (item.position, item.sub) <= cursor {
                continue;
            }
            cursor = (item.position, item.sub);
            if filter.matches_item(state.store.as_ref(), &item)
                && !deliver(sender, sse_message(&item), shutdown).await
            {
                return;
            }
        }
        read_from = last.saturating_add(1);
    }
    loop {
        tokio::select! {
            item = live.recv() => match item {
                Ok(item) => {
                    if (item.position, item.sub) <= cursor {
                        continue;
                    }
                    cursor = (item.position, item.sub);
                    if filter.matches_item(state.store.as_ref(), &item) && !deliver(sender, sse_message(&item), shutdown).await {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    let message = "this subscriber fell behind the live feed; reconnect with Last-Event-ID set to the id of the last message you processed";
                    let _ = deliver(sender, SseEvent::default().event("error").data(message), shutdown).await;
                    return;
                }
                Err(RecvError::Closed) => return,
            },
            _ = sender.closed() => return,
            _ = shutdown.changed() => return,
        }
    }
}
