//! `GET /v1/feed`: Server-Sent Events of envelopes and `CoverageChanged` items (a
//! command changed some months of a member's coverage, possibly in the past; it
//! carries the position of the command's last event and follows that event). A
//! subscriber catches up from the store from `?from=POSITION` (or after the message
//! named by `Last-Event-ID`; by default it starts live, after the current head), then
//! follows appends live. A `from` or `Last-Event-ID` beyond the head is not an error:
//! the subscriber waits, and its first message is the first item appended after it.
//!
//! Every item reaches a subscriber exactly once, in log order. Its task keeps a cursor,
//! the id (position, sub) of the last item it passed (sent or filtered out), and skips
//! anything at or before it. It subscribes to the live broadcast *before* it reads the
//! store, so an item appended meanwhile is either read from the store or received live
//! (then skipped if the store already gave it). A subscriber that falls more than
//! `FEED_BROADCAST_EVENTS_MAX` items behind the live broadcast is not dropped: it
//! subscribes again, catches up from the store after its cursor the same way, and goes
//! live again.
//!
//! Memory per subscriber is bounded whatever the size of a month close: a catch-up page
//! holds at most `FEED_CATCH_UP_PAGE_ITEMS_MAX` items (a page may end, and the next
//! resume, between the coverage changes at one position), the channel to its connection
//! at most `FEED_SUBSCRIBER_BUFFER_ITEMS`, and the region filter remembers at most
//! `FEED_FILTER_MEMBERS_CACHED_MAX` members. The live broadcast is one ring that every
//! subscriber shares.

use super::{AppError, AppState, FEED_BROADCAST_EVENTS_MAX, FEED_SUBSCRIBERS_MAX};
use crate::domain::coverage::CoverageChanged;
use crate::domain::policy::RegionName;
use crate::domain::StreamId;
use crate::store::{Envelope, EventLog, ReadStore, StateKey, StoreError};
use crate::writer::{FeedItem, FeedMessage};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// Items (events and coverage changes) in one catch-up page read from the store. With
/// the subscriber's channel this is what a subscriber holds at most (about 1 KiB an
/// item): 100 subscribers catching up across a close held ~130 MiB with pages of 1,024.
pub const FEED_CATCH_UP_PAGE_ITEMS_MAX: usize = 256;
/// SSE messages buffered per subscriber between its task and its connection.
pub const FEED_SUBSCRIBER_BUFFER_ITEMS: usize = 256;
/// Members whose region the region filter remembers; past it, it forgets them all (and
/// reads their rows again when asked), so no close can grow it.
pub const FEED_FILTER_MEMBERS_CACHED_MAX: usize = 4096;

/// A documented limit, or a lower one the tests set through an undocumented variable
/// (as `serve` lowers its connection limits): a positive number, never above `limit`.
fn limit_lowered_by(variable: &str, limit: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|text| text.trim().parse::<usize>().ok())
        .filter(|lowered| *lowered > 0)
        .map_or(limit, |lowered| lowered.min(limit))
}

/// The live broadcast's capacity in items: `FEED_BROADCAST_EVENTS_MAX`, or lower with
/// `FLEXLEDGER_FEED_BROADCAST_ITEMS_MAX` (tests make subscribers fall behind with it).
pub fn feed_broadcast_items_max() -> usize {
    limit_lowered_by(
        "FLEXLEDGER_FEED_BROADCAST_ITEMS_MAX",
        FEED_BROADCAST_EVENTS_MAX,
    )
}

/// `FEED_CATCH_UP_PAGE_ITEMS_MAX`, or lower with `FLEXLEDGER_FEED_PAGE_ITEMS_MAX`
/// (tests end pages inside a position with it).
fn catch_up_page_items_max() -> usize {
    limit_lowered_by(
        "FLEXLEDGER_FEED_PAGE_ITEMS_MAX",
        FEED_CATCH_UP_PAGE_ITEMS_MAX,
    )
}

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
    /// Member → region, for the region filter (member payloads do not name it); at
    /// most `FEED_FILTER_MEMBERS_CACHED_MAX` entries.
    regions_of_members: HashMap<Uuid, Option<RegionName>>,
}

fn invalid(message: String) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, "invalid_command", message)
}

impl Filter {
    fn of(query: &FeedQuery) -> Result<Filter, AppError> {
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
        Ok(Filter {
            types,
            member_stream,
            region,
            regions_of_members: HashMap::new(),
        })
    }

    fn matches(
        &mut self,
        store: &(impl ReadStore + ?Sized),
        type_name: &str,
        stream: StreamId,
    ) -> bool {
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
                if self.regions_of_members.len() >= FEED_FILTER_MEMBERS_CACHED_MAX
                    && !self.regions_of_members.contains_key(&member_id)
                {
                    self.regions_of_members.clear();
                }
                let found = self.regions_of_members.entry(member_id).or_insert_with(|| {
                    let row = store
                        .read_state(&StateKey::Member(member_id))
                        .ok()
                        .flatten();
                    row.and_then(|row| crate::ledger::decode_member_row(&row).ok())
                        .map(|member| member.region)
                });
                found.as_ref() == Some(region)
            }
        }
    }

    fn matches_item(&mut self, store: &(impl ReadStore + ?Sized), item: &FeedItem) -> bool {
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

/// The last item a subscriber passed (sent, or left out by its filter): it resumes
/// strictly after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    position: u64,
    /// 0 for the event at `position`, N for the N-th coverage change after it, and
    /// `u32::MAX` for everything at `position` (a `from`, or the head at the start).
    sub: u32,
    /// The member of that coverage change, when known: the next page resumes after
    /// its row's key instead of counting `sub` rows again.
    member: Option<Uuid>,
}

impl Cursor {
    fn is_before(&self, item: &FeedItem) -> bool {
        (self.position, self.sub) < (item.position, item.sub)
    }

    fn advance(&mut self, item: &FeedItem) {
        self.position = item.position;
        self.sub = item.sub;
        self.member = match item.stream {
            StreamId::Member(member_id) if item.sub > 0 => Some(member_id),
            _ => None,
        };
    }

    /// For messages: "message P", "message P.N" or "position P".
    fn described(&self) -> String {
        match self.sub {
            0 => format!("message {}", self.position),
            u32::MAX => format!("position {}", self.position),
            sub => format!("message {}.{sub}", self.position),
        }
    }

    /// Where the coverage changes after the cursor start, as
    /// `EventStore::coverage_changes_page` takes it: (position, after member, skip).
    fn coverage_resume(&self) -> (u64, Option<Uuid>, u32) {
        match (self.sub, self.member) {
            (u32::MAX, _) => (self.position.saturating_add(1), None, 0),
            (_, Some(member_id)) => (self.position, Some(member_id), 0),
            (sub, None) => (self.position, None, sub),
        }
    }
}

/// One catch-up page from the store: the first `items_max` items after `cursor`, at
/// most, in feed order. The items after the cursor hold at most `items_max` events and
/// at most `items_max` coverage changes, so reading that many of each is enough.
fn catch_up_page(
    store: &(impl ReadStore + ?Sized),
    cursor: Cursor,
    items_max: usize,
) -> Result<Vec<FeedItem>, StoreError> {
    // Envelopes first: one append writes events and their coverage changes, so the
    // changes of every envelope read here are stored when they are read below.
    let envelopes: Vec<Envelope> = store
        .read_log(cursor.position.saturating_add(1))
        .take(items_max)
        .collect::<Result<_, _>>()?;
    let last = envelopes
        .last()
        .map_or(cursor.position, |envelope| envelope.position);
    let (from, after, skip) = cursor.coverage_resume();
    let mut changes = Vec::new();
    for row in store.coverage_changes_page(from, after, skip, items_max)? {
        let change: CoverageChanged =
            crate::ledger::decode_coverage_item(&row).map_err(|error| StoreError::Corrupt {
                position: from,
                message: format!("a coverage change does not decode: {error}"),
            })?;
        // Past the envelopes read: for the next page (or appended since).
        if change.position > last {
            break;
        }
        changes.push(change);
    }
    Ok(merge(cursor, &envelopes, &changes, items_max))
}

/// The items after `cursor`, at most `items_max`: the coverage changes left at the
/// cursor's position, then each envelope followed by the changes at its position,
/// numbered 1, 2, … as `FeedMessage::interleave` numbers them live.
fn merge(
    cursor: Cursor,
    envelopes: &[Envelope],
    changes: &[CoverageChanged],
    items_max: usize,
) -> Vec<FeedItem> {
    let mut items: Vec<FeedItem> =
        Vec::with_capacity(items_max.min(envelopes.len() + changes.len()));
    let mut envelopes = envelopes.iter();
    let mut changes = changes.iter().peekable();
    let mut last = (cursor.position, cursor.sub);
    while items.len() < items_max {
        let item = match changes.next_if(|change| change.position == last.0) {
            Some(change) => FeedMessage::coverage(change, last.1.saturating_add(1)),
            None => match envelopes.next() {
                Some(envelope) => FeedMessage::event(envelope),
                None => break,
            },
        };
        last = (item.position, item.sub);
        items.push(item);
    }
    items
}

pub async fn get_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    let Query(query) = query.map_err(super::bad_query)?;
    let last_event_id = last_event_id(&headers)?;
    let filter = Filter::of(&query)?;
    let Ok(permit) = state.feed_slots.clone().try_acquire_owned() else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!("the feed already has {FEED_SUBSCRIBERS_MAX} subscribers; retry later"),
        ));
    };
    // Subscribe before reading the store (its head, then the catch-up): everything
    // appended after this arrives live.
    let live = state.feed.subscribe();
    let (position, sub) = match last_event_id.or(query.from.map(|from| (from.max(1) - 1, u32::MAX)))
    {
        Some(start) => start,
        None => (read_head(&state).await?, u32::MAX),
    };
    let (sender, receiver) = tokio::sync::mpsc::channel(FEED_SUBSCRIBER_BUFFER_ITEMS);
    let subscription = Subscription {
        state: state.clone(),
        cursor: Cursor {
            position,
            sub,
            member: None,
        },
        filter,
        sender,
        shutdown: state.shutdown.clone(),
        page_items_max: catch_up_page_items_max(),
    };
    state
        .metrics
        .feed_subscribers
        .fetch_add(1, Ordering::Relaxed);
    tokio::spawn(async move {
        let _permit = permit;
        let metrics = subscription.state.metrics.clone();
        subscription.run(live).await;
        metrics.feed_subscribers.fetch_sub(1, Ordering::Relaxed);
    });
    let stream = tokio_stream::wrappers::ReceiverStream::new(receiver);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The `Last-Event-ID` header, if sent, as (position, sub).
fn last_event_id(headers: &HeaderMap) -> Result<Option<(u64, u32)>, AppError> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    let parsed = value
        .to_str()
        .ok()
        .and_then(parse_event_id)
        .ok_or_else(|| {
            invalid("Last-Event-ID must be a feed message id: POSITION or POSITION.N".into())
        })?;
    Ok(Some(parsed))
}

/// The log's head position, read off the async workers.
async fn read_head(state: &AppState) -> Result<u64, AppError> {
    let store = state.store.clone();
    let head = tokio::task::spawn_blocking(move || store.head())
        .await
        .map_err(|error| {
            AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                error.to_string(),
            )
        })??;
    Ok(head.0)
}

/// Parses a feed message id: `POSITION` (an event) or `POSITION.SUB` (a coverage
/// change), digits only, with spaces or tabs around it (a header's optional
/// whitespace). Exactly what the OpenAPI document's pattern for `Last-Event-ID` admits:
/// a number too large for its field saturates (a position past any head waits for it,
/// as any position past the head does; a SUB past the changes at its position means
/// after all of them).
fn parse_event_id(text: &str) -> Option<(u64, u32)> {
    let text = text.trim_matches([' ', '\t']);
    let (position, sub) = match text.split_once('.') {
        None => (text, None),
        Some((position, sub)) => (position, Some(sub)),
    };
    let position = digits_saturating(position)?;
    let sub = match sub {
        None => 0,
        Some(sub) => u32::try_from(digits_saturating(sub)?).unwrap_or(u32::MAX),
    };
    Some((position, sub))
}

/// A non-empty run of ASCII digits as a number, `u64::MAX` if it is larger.
fn digits_saturating(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // Digits only, so the one way parsing fails is overflow.
    Some(text.parse().unwrap_or(u64::MAX))
}

type Sender = tokio::sync::mpsc::Sender<Result<SseEvent, Infallible>>;

/// Sends one message unless the subscriber left or the server is shutting down.
async fn deliver(sender: &Sender, message: SseEvent, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        sent = sender.send(Ok(message)) => sent.is_ok(),
        _ = shutdown.changed() => false,
    }
}

/// How following the live broadcast ended.
enum LiveEnd {
    /// The subscriber fell behind the broadcast's buffer: catch up from the store.
    Lagged,
    /// The subscriber left, or the server is shutting down.
    Stopped,
}

/// One subscriber's task: where it is, what it wants, and where its messages go.
struct Subscription {
    state: AppState,
    cursor: Cursor,
    filter: Filter,
    /// To its connection: bounded (`FEED_SUBSCRIBER_BUFFER_ITEMS`), so a slow reader
    /// holds this task back instead of growing a queue.
    sender: Sender,
    shutdown: watch::Receiver<bool>,
    page_items_max: usize,
}

impl Subscription {
    /// Catches up from the store, then follows the live broadcast, and catches up again
    /// whenever it falls behind, until the subscriber leaves, the log cannot be read,
    /// or the server shuts down.
    async fn run(mut self, mut live: broadcast::Receiver<FeedItem>) {
        loop {
            if !self.catch_up().await {
                return;
            }
            match self.follow_live(&mut live).await {
                LiveEnd::Stopped => return,
                // As at the start: subscribe again *before* reading the store.
                LiveEnd::Lagged => live = self.state.feed.subscribe(),
            }
        }
    }

    /// Sends the store's items after the cursor, a page at a time, until a page comes
    /// back empty; false if the subscription ended.
    async fn catch_up(&mut self) -> bool {
        loop {
            let store = self.state.store.clone();
            let (cursor, items_max) = (self.cursor, self.page_items_max);
            let read = tokio::task::spawn_blocking(move || {
                catch_up_page(store.as_ref(), cursor, items_max)
            });
            let page = match read.await {
                Ok(Ok(page)) => page,
                Ok(Err(error)) => {
                    tracing::error!(%error, after = %cursor.described(), "a feed catch-up read failed");
                    // The details stay in the server's log, as for a 500.
                    let message = format!(
                        "the log could not be read after {}; the server's log has the details",
                        cursor.described()
                    );
                    let error = SseEvent::default().event("error").data(message);
                    let _ = deliver(&self.sender, error, &mut self.shutdown).await;
                    return false;
                }
                Err(_) => return false,
            };
            if page.is_empty() {
                return true;
            }
            for item in &page {
                if !self.pass(item).await {
                    return false;
                }
            }
            // A page starts after the cursor, so every page moves it on.
            debug_assert_ne!(
                self.cursor, cursor,
                "a catch-up page did not move the cursor"
            );
        }
    }

    /// Passes live items until the subscriber leaves or falls behind.
    async fn follow_live(&mut self, live: &mut broadcast::Receiver<FeedItem>) -> LiveEnd {
        loop {
            let received = tokio::select! {
                received = live.recv() => received,
                _ = self.sender.closed() => return LiveEnd::Stopped,
                _ = self.shutdown.changed() => return LiveEnd::Stopped,
            };
            match received {
                Ok(item) => {
                    if !self.pass(&item).await {
                        return LiveEnd::Stopped;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(
                        missed,
                        "a feed subscriber fell behind the live feed; it catches up from the store"
                    );
                    return LiveEnd::Lagged;
                }
                Err(RecvError::Closed) => return LiveEnd::Stopped,
            }
        }
    }

    /// Moves the cursor past `item` and sends it if the filter wants it; an item at or
    /// before the cursor was already passed and is skipped. False if the subscription
    /// ended.
    async fn pass(&mut self, item: &FeedItem) -> bool {
        if !self.cursor.is_before(item) {
            return true;
        }
        self.cursor.advance(item);
        if !self.filter.matches_item(self.state.store.as_ref(), item) {
            return true;
        }
        deliver(&self.sender, sse_message(item), &mut self.shutdown).await
    }
}
