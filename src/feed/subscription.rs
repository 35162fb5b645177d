//! One subscriber: catch up from the store, then follow the live broadcast, and catch
//! up again whenever it falls behind.
//!
//! It subscribes to the live broadcast *before* it reads the store (its head, then
//! the catch-up), so an item appended meanwhile is either read from the store or
//! received live (then skipped if the store already gave it). A subscriber that falls
//! more than the broadcast's capacity behind is not dropped: it subscribes again,
//! catches up from the store after its cursor the same way, and goes live again.
//!
//! Memory per subscriber is bounded whatever the size of a month close: a catch-up
//! page holds at most `FEED_CATCH_UP_PAGE_ITEMS_MAX` items (a page may end, and the
//! next resume, between the coverage changes at one position), the channel to its
//! connection at most `FEED_SUBSCRIBER_BUFFER_ITEMS` (its owner makes it), and the
//! region filter remembers at most `FEED_FILTER_MEMBERS_CACHED_MAX` members. The live
//! broadcast is one ring that every subscriber shares.
//!
//! A subscriber that asks for progress (`?progress=true`) is told where it is while its
//! filter passes over items: every `FEED_SKIPPED_ITEMS_PER_CURSOR_MAX` items passed
//! over, and at the end of a catch-up, it is sent the id of the last one
//! (`Delivery::Passed`), so a reconnect resumes there.
//!
//! A subscriber that asks for a month close's progress (`?closing=true`) is sent a
//! `Closing` notice after each chunk of a close recorded while it follows live, and,
//! each time it goes live, the broadcast's last notice of every close in progress and
//! of every close it was told of, or that ended after the cursor it started from
//! (`Start::After`, `Start::From`: a client reconnecting) or while it was behind the
//! broadcast (`Broadcast::closings`, by region and month).
//! Notices have no id and move no cursor: they say where a close stands, not what the
//! log holds, so they are not stored and a catch-up does not give them. Each state is
//! sent once and never an older one after a newer (`ClosingState`'s order), since a
//! subscriber going live holds, in its live queue, notices it may just have been sent.

use super::{
    catch_up_page, catch_up_page_items_max, Broadcast, CloseKey, ClosingState, Cursor, FeedItem,
    HistoryTag, FEED_FILTER_MEMBERS_CACHED_MAX, FEED_SKIPPED_ITEMS_PER_CURSOR_MAX,
};
use crate::domain::policy::RegionName;
use crate::domain::StreamId;
use crate::i18n::{text, Arg, Language};
use crate::store::{ReadStore, StateKey, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc, watch};
use uuid::Uuid;

/// Which items a subscriber wants.
pub struct Filter {
    types: Option<HashSet<String>>,
    member: Option<Uuid>,
    member_stream: Option<String>,
    region: Option<RegionName>,
    /// Member → region, for the region filter (member payloads do not name it); at
    /// most `FEED_FILTER_MEMBERS_CACHED_MAX` entries.
    regions_of_members: HashMap<Uuid, Option<RegionName>>,
    /// Whether the subscriber asked to be sent where it is as items are passed over
    /// (`Delivery::Passed`).
    progress: bool,
    /// Whether the subscriber asked for `Closing` notices (`?closing=true`).
    closing: bool,
}

impl Filter {
    /// Items of these event types (`CoverageChanged` included), of this member's
    /// stream, of this region (its stream and its members'); `None` wants any.
    pub fn new(
        types: Option<HashSet<String>>,
        member: Option<Uuid>,
        region: Option<RegionName>,
    ) -> Filter {
        Filter {
            types,
            member,
            member_stream: member.map(|member_id| StreamId::Member(member_id).name()),
            region,
            regions_of_members: HashMap::new(),
            progress: false,
            closing: false,
        }
    }

    /// The same filter, sending (or not) a `Closing` notice after each chunk of a
    /// month close of its region (of any region, without one), and, when it goes live,
    /// for each close in progress and each that ended after where it started. The
    /// other filters do not apply to notices: a notice is no event of a type or of a
    /// member.
    pub fn sending_closing(mut self, closing: bool) -> Filter {
        self.closing = closing;
        self
    }

    /// Whether the subscriber asked for `Closing` notices.
    pub fn sends_closing(&self) -> bool {
        self.closing
    }

    /// Whether the subscriber wants this `Closing` notice.
    fn wants_notice(&self, item: &FeedItem) -> bool {
        self.closing
            && match (&self.region, &item.stream) {
                (None, _) => true,
                (Some(region), StreamId::Region(name)) => name == region,
                (Some(_), StreamId::Member(_)) => false,
            }
    }

    /// The same filter, sending (or not) the id of the last item passed over every
    /// `FEED_SKIPPED_ITEMS_PER_CURSOR_MAX` items and at the end of a catch-up.
    pub fn sending_progress(mut self, progress: bool) -> Filter {
        self.progress = progress;
        self
    }

    /// The member the filter names, if any.
    pub fn member(&self) -> Option<Uuid> {
        self.member
    }

    /// The region the filter names, if any.
    pub fn region(&self) -> Option<&RegionName> {
        self.region.as_ref()
    }

    /// Whether the subscriber wants `item`, as far as the filter can tell without the
    /// store: `Err(member_id)` when a region's filter needs the region of a member it
    /// has not read ([`member_region`], read off the async threads: on PostgreSQL a
    /// read there panicked the whole server, "Cannot start a runtime from within a
    /// runtime", an operator's probe).
    fn matches_known(&self, item: &FeedItem) -> Result<bool, Uuid> {
        if self
            .types
            .as_ref()
            .is_some_and(|types| !types.contains(item.event_type))
        {
            return Ok(false);
        }
        if self
            .member_stream
            .as_ref()
            .is_some_and(|wanted| *wanted != item.stream.name())
        {
            return Ok(false);
        }
        let Some(region) = &self.region else {
            return Ok(true);
        };
        let member_id = match &item.stream {
            StreamId::Region(name) => return Ok(name == region),
            StreamId::Member(member_id) => *member_id,
        };
        match self.regions_of_members.get(&member_id) {
            Some(found) => Ok(found.as_ref() == Some(region)),
            None => Err(member_id),
        }
    }

    /// Remembers the regions of members read for a region's filter, forgetting all it
    /// remembered first when they would pass `FEED_FILTER_MEMBERS_CACHED_MAX` (a page's
    /// members never do: `regions_needed` made room for them).
    fn remember(&mut self, regions: Vec<(Uuid, Option<RegionName>)>) {
        if self.regions_of_members.len() + regions.len() > FEED_FILTER_MEMBERS_CACHED_MAX {
            self.regions_of_members.clear();
        }
        self.regions_of_members.extend(regions);
    }

    /// The members of `items` whose region the filter needs and has not read, each once.
    /// When they would not fit beside those remembered, all are forgotten first, so
    /// that every member of the page is read here and stays remembered while its items
    /// are passed (clearing in `remember` dropped members the page needed, each then
    /// read alone: a reviewer).
    fn regions_needed(&mut self, items: &[FeedItem]) -> Vec<Uuid> {
        let needed = |filter: &Filter| {
            let mut needed: Vec<Uuid> = items
                .iter()
                .filter_map(|item| filter.matches_known(item).err())
                .collect();
            needed.sort_unstable();
            needed.dedup();
            needed
        };
        let first = needed(self);
        if self.regions_of_members.len() + first.len() <= FEED_FILTER_MEMBERS_CACHED_MAX {
            return first;
        }
        self.regions_of_members.clear();
        needed(self)
    }
}

/// The region of member `member_id`, for a region's filter (member payloads do not name
/// it): `None` for a member not recorded yet; `Err` (what went wrong) when its row
/// cannot be read: a member row that does not read or decode (another build's layout,
/// D89, or damage) was taken as another region's, and the member's events were left out
/// without a word (a reviewer). A blocking read.
fn member_region(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
) -> Result<Option<RegionName>, FilterFailure> {
    let row = store
        .read_state(&StateKey::Member(member_id))
        .map_err(FilterFailure::Store)?;
    match row {
        // A member event always has its row; none is a member not yet recorded.
        None => Ok(None),
        Some(row) => match crate::codec::rows::decode_member_row(&row) {
            Ok(member) => Ok(Some(member.region)),
            Err(error) => Err(undecodable(store, member_id, error)),
        },
    }
}

/// The regions of `members` read in one blocking call, up to the first that cannot be
/// read: that one is read again when its item is passed, which tells the subscriber
/// after the items before it.
fn members_regions(
    store: &(impl ReadStore + ?Sized),
    members: Vec<Uuid>,
) -> Vec<(Uuid, Option<RegionName>)> {
    members
        .into_iter()
        .map_while(|member_id| Some((member_id, member_region(store, member_id).ok()?)))
        .collect()
}

/// Where a subscriber starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// After the head when it subscribes: only what is appended from then on.
    Live,
    /// Right after the message with this id (position, sub, and the history tag of
    /// the event at position, when the id had one: checked against the log, D91).
    After(u64, u32, Option<HistoryTag>),
    /// At this position, inclusive (0 and 1 both mean the first).
    From(u64),
}

/// What a subscription hands its connection.
#[derive(Debug)]
pub enum Delivery {
    /// The next item the subscriber wants.
    Item(FeedItem),
    /// The id of the last item the filter passed over (`FEED_SKIPPED_ITEMS_PER_CURSOR_MAX`):
    /// where a reconnect resumes.
    Passed(String),
    /// The log could not be read: what to tell the subscriber (the details went to the
    /// log). The subscription ends after it.
    Failed(String),
}

/// Why a region's filter could not tell a member's region: the store's error (damage
/// among them, which marks the store), or what to tell the subscriber of member rows
/// another build wrote (D89: not damage).
enum FilterFailure {
    Store(StoreError),
    /// The state rows are another build's format (D89).
    AnotherFormat {
        member_id: Uuid,
        format: u32,
    },
}

/// A member row of `member_id` that does not decode: damage if the rows are this
/// build's format, else rows another build wrote (D89), which a reader leaves alone.
fn undecodable(
    store: &(impl ReadStore + ?Sized),
    member_id: Uuid,
    error: impl ToString,
) -> FilterFailure {
    match crate::ledger::state_rows_of_another_format(store) {
        Ok(Some(format)) => FilterFailure::AnotherFormat { member_id, format },
        Ok(None) => FilterFailure::Store(StoreError::Corrupt {
            position: 0,
            message: crate::store::findings::row_undecodable(
                crate::store::findings::row_member(member_id),
                error,
            ),
        }),
        Err(error) => FilterFailure::Store(error),
    }
}

/// Why a subscription could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The task reading the head ended without an answer.
    #[error("{0}")]
    Task(#[from] tokio::task::JoinError),
    /// The cursor names an event this log does not hold at its position (D91).
    #[error("{0}")]
    AnotherHistory(AnotherHistory),
}

/// A cursor from another history: the event its id names at `position` is not the
/// event this log holds there (`here`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnotherHistory {
    pub position: u64,
    /// The tag the subscriber's id carried.
    pub sent: HistoryTag,
    /// The tag of the event this log holds at `position`.
    pub here: HistoryTag,
}

impl AnotherHistory {
    /// The arguments of its catalog message, `http-feed-another-history`.
    pub fn args(&self) -> Vec<(&'static str, Arg)> {
        vec![
            ("position", text(self.position)),
            ("sent", text(self.sent)),
            ("here", text(self.here)),
        ]
    }
}

impl std::fmt::Display for AnotherHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let AnotherHistory {
            position,
            sent,
            here,
        } = self;
        write!(
            f,
            "the cursor names event {position} with the tag {sent}, but the event at {position} here has the tag {here}: the cursor comes from another history (a restore of an older copy, a standby promoted while behind, or another ledger). Events this ledger holds after the last position both histories share were never sent to it; read again with ?from= from a position whose event you have checked (an event's hash and prev_hash), or from 1"
        )
    }
}

/// Whether the tag `sent` for `position` is this log's: `Ok(Ok(()))` when it is, or
/// when the log holds no event at `position`; `Ok(Err(…))` when it holds another event
/// there; `Err` when the log cannot be read.
fn check_tag(
    store: &(impl ReadStore + ?Sized),
    position: u64,
    sent: HistoryTag,
) -> Result<Result<(), AnotherHistory>, StoreError> {
    Ok(match super::catch_up::tag_at(store, position)? {
        Some(here) if here != sent => Err(AnotherHistory {
            position,
            sent,
            here,
        }),
        _ => Ok(()),
    })
}

/// How following the live broadcast ended.
enum LiveEnd {
    /// The subscriber fell behind the broadcast's buffer, or passed an event whose
    /// coverage changes the broadcast does not carry (`FeedMessage::items_in_store`):
    /// catch up from the store.
    Lagged,
    /// The subscriber left, or the server is shutting down.
    Stopped,
}

/// One subscriber's state: where it is, what it wants, where items come from.
pub struct Subscription<S: ReadStore + 'static> {
    store: Arc<S>,
    /// To subscribe again after falling behind.
    broadcast: Broadcast,
    live: broadcast::Receiver<FeedItem>,
    cursor: Cursor,
    filter: Filter,
    page_items_max: usize,
    /// Items the filter passed over since the last message sent.
    skipped: usize,
    /// The last `Closing` state sent for each close (region and month), at most
    /// `FEED_CLOSES_REMEMBERED_MAX` (past it, forgotten at once).
    closings_sent: HashMap<CloseKey, ClosingState>,
    /// Until the subscriber is live again, where it started from a cursor it chose
    /// (`from`, `Last-Event-ID`: it may have been told of a close before it came back)
    /// or where it was when it last fell behind the broadcast: the notices published at
    /// or after it are notices it may have missed.
    notices_missed_since: Option<u64>,
    /// What the server does when a read of the store fails, before the subscriber is
    /// told (`on_read_failure`).
    on_read_failure: Option<ReadFailureHook>,
    /// A cursor's position and history tag still to check, when the log did not reach
    /// the position at the start: checked once an item at or past it comes (D91).
    history_check: Option<(u64, HistoryTag)>,
    /// The subscriber's language, for the `error` message that ends its stream (the
    /// details go to the server's log in English).
    language: Language,
}

/// Called with the error of a store read that failed a subscription, and awaited before
/// the subscriber is told: the server marks a damaged store there (D61).
pub type ReadFailureHook = Arc<
    dyn Fn(&StoreError) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        + Send
        + Sync,
>;

/// Closes (a region's month) whose last `Closing` notice a subscriber, and the
/// broadcast, remember: the subscriber so that it never sends an older state after a
/// newer one, the broadcast to tell a subscriber going live where each close stands.
/// Far more than an agency's regions close at once; past it a subscriber forgets them
/// all, and may then send a state it had sent, and the broadcast forgets the finished
/// ones.
pub const FEED_CLOSES_REMEMBERED_MAX: usize = 1024;

impl<S: ReadStore + 'static> Subscription<S> {
    /// Subscribes to `broadcast`, and only then reads the store's head (for
    /// `Start::Live`): everything appended after this arrives live.
    /// The subscription with `hook` called on a failed read, before the subscriber is
    /// told.
    pub fn on_read_failure(mut self, hook: ReadFailureHook) -> Self {
        self.on_read_failure = Some(hook);
        self
    }

    /// The subscription telling its subscriber why its stream ended in `language`
    /// (English unless set: the HTTP server sets the request's).
    pub fn speaking(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Message `id` of the catalog in the subscriber's language.
    fn said(&self, id: &str, args: &[(&str, Arg)]) -> String {
        crate::i18n::say(self.language, id, args)
    }

    pub async fn start(
        store: Arc<S>,
        broadcast: &Broadcast,
        start: Start,
        filter: Filter,
    ) -> Result<Subscription<S>, StartError> {
        let live = broadcast.subscribe();
        let mut history_check = None;
        let (cursor, chosen) = match start {
            Start::After(position, sub, tag) => {
                if let Some(sent) = tag {
                    let reader = store.clone();
                    let checked = tokio::task::spawn_blocking(move || {
                        let (head, _) = reader.head()?;
                        match position <= head {
                            true => check_tag(reader.as_ref(), position, sent).map(Some),
                            false => Ok(None),
                        }
                    });
                    match checked.await?? {
                        Some(Err(another)) => return Err(StartError::AnotherHistory(another)),
                        Some(Ok(())) => {}
                        None => history_check = Some((position, sent)),
                    }
                }
                let mut cursor = Cursor::after(position, sub);
                cursor.tag = tag;
                (cursor, true)
            }
            Start::From(from) => (Cursor::after(from.max(1) - 1, u32::MAX), true),
            Start::Live => {
                let reader = store.clone();
                let (head, _) = tokio::task::spawn_blocking(move || reader.head()).await??;
                (Cursor::after(head, u32::MAX), false)
            }
        };
        Ok(Subscription {
            store,
            broadcast: broadcast.clone(),
            live,
            cursor,
            filter,
            page_items_max: catch_up_page_items_max(),
            skipped: 0,
            closings_sent: HashMap::new(),
            notices_missed_since: chosen.then_some(cursor.position),
            on_read_failure: None,
            history_check,
            language: Language::En,
        })
    }

    /// Catches up from the store, then follows the live broadcast, and catches up again
    /// whenever it falls behind, until the subscriber leaves (`out` is closed), the log
    /// cannot be read, or `shutdown` changes. `out` is bounded: a slow reader holds
    /// this task back instead of growing a queue.
    pub async fn run(mut self, out: mpsc::Sender<Delivery>, mut shutdown: watch::Receiver<bool>) {
        loop {
            if !self.catch_up(&out, &mut shutdown).await {
                return;
            }
            if !self.send_closes_in_progress(&out, &mut shutdown).await {
                return;
            }
            match self.follow_live(&out, &mut shutdown).await {
                LiveEnd::Stopped => return,
                // As at the start: subscribe again *before* reading the store.
                LiveEnd::Lagged => {
                    self.live = self.broadcast.subscribe();
                    self.notices_missed_since
                        .get_or_insert(self.cursor.position);
                }
            }
        }
    }

    /// Sends the store's items after the cursor, a page at a time, until a page comes
    /// back empty; false if the subscription ended.
    async fn catch_up(
        &mut self,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        loop {
            let store = self.store.clone();
            let (cursor, items_max) = (self.cursor, self.page_items_max);
            let read = tokio::task::spawn_blocking(move || {
                catch_up_page(store.as_ref(), cursor, items_max)
            });
            let page = match read.await {
                Ok(Ok(page)) => page,
                Ok(Err(error)) => {
                    tracing::error!(%error, after = %cursor.described(), "a feed catch-up read failed");
                    // The details stay in the server's log, as for a 500.
                    let message = match cursor.message_id() {
                        Some(id) => {
                            self.said("http-feed-read-failed-after-message", &[("id", text(id))])
                        }
                        None => self.said(
                            "http-feed-read-failed-after-position",
                            &[("position", text(cursor.position))],
                        ),
                    };
                    // The server acts on it first (D61: damage marks the store and
                    // stops the writer), whether or not the subscriber is still there
                    // to be told.
                    if let Some(hook) = &self.on_read_failure {
                        hook(&error).await;
                    }
                    let _ = deliver(out, Delivery::Failed(message), shutdown).await;
                    return false;
                }
                Err(_) => return false,
            };
            if page.is_empty() {
                return self.send_cursor(out, shutdown).await;
            }
            // A page's members' regions in one blocking read, not one each.
            let needed = self.filter.regions_needed(&page);
            if !needed.is_empty() {
                let read = move |store: &S| members_regions(store, needed);
                let Some(regions) = self.read_regions(read, out, shutdown).await else {
                    return false;
                };
                self.filter.remember(regions);
            }
            for item in &page {
                if !self.pass(item, out, shutdown).await {
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
    async fn follow_live(
        &mut self,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> LiveEnd {
        loop {
            let received = tokio::select! {
                received = self.live.recv() => received,
                _ = out.closed() => return LiveEnd::Stopped,
                _ = shutdown.changed() => return LiveEnd::Stopped,
            };
            match received {
                Ok(item) => {
                    let from_store = item.items_in_store && self.cursor.is_before(&item);
                    if !self.pass(&item, out, shutdown).await {
                        return LiveEnd::Stopped;
                    }
                    if from_store {
                        return LiveEnd::Lagged;
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
    async fn pass(
        &mut self,
        item: &FeedItem,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        if item.closing.is_some() {
            return self.pass_notice(item, out, shutdown).await;
        }
        if self
            .history_check
            .is_some_and(|(position, _)| item.position >= position)
            && !self.check_history(out, shutdown).await
        {
            return false;
        }
        if !self.cursor.is_before(item) {
            return true;
        }
        self.cursor.advance(item);
        let wanted = match self.filter.matches_known(item) {
            Ok(wanted) => Ok(wanted),
            Err(member_id) => {
                let read = move |store: &S| member_region(store, member_id);
                let Some(found) = self.read_regions(read, out, shutdown).await else {
                    return false;
                };
                found.map(|found| {
                    self.filter.remember(vec![(member_id, found)]);
                    self.filter.matches_known(item) == Ok(true)
                })
            }
        };
        let wanted = match wanted {
            Ok(wanted) => wanted,
            Err(failure) => {
                let message = match failure {
                    FilterFailure::Store(error) => {
                        tracing::error!(%error, "a member's region, for a feed filtered by region, could not be read");
                        // Damage marks the store, as a catch-up read's does (D61).
                        if let Some(hook) = &self.on_read_failure {
                            hook(&error).await;
                        }
                        self.said("http-feed-region-unreadable", &[])
                    }
                    FilterFailure::AnotherFormat { member_id, format } => self.said(
                        "http-feed-region-another-format",
                        &[("member", text(member_id)), ("format", text(format))],
                    ),
                };
                let _ = deliver(out, Delivery::Failed(message), shutdown).await;
                return false;
            }
        };
        if !wanted {
            if !self.filter.progress {
                return true;
            }
            self.skipped += 1;
            if self.skipped < FEED_SKIPPED_ITEMS_PER_CURSOR_MAX {
                return true;
            }
            return self.send_cursor(out, shutdown).await;
        }
        self.skipped = 0;
        deliver(out, Delivery::Item(item.clone()), shutdown).await
    }

    /// `read` of members' regions on a blocking thread (on PostgreSQL a read on an async
    /// one panicked the whole server). `None` when it ended without an answer, and with
    /// it the subscription: a task that panicked is said to the subscriber, not a silent
    /// end an EventSource client would reconnect into again (a reviewer); one cancelled
    /// (the server shutting down) ends quietly.
    async fn read_regions<T: Send + 'static>(
        &mut self,
        read: impl FnOnce(&S) -> T + Send + 'static,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Option<T> {
        let store = self.store.clone();
        let ended = match tokio::task::spawn_blocking(move || read(store.as_ref())).await {
            Ok(read) => return Some(read),
            Err(ended) => ended,
        };
        if ended.is_panic() {
            tracing::error!(error = %ended, "a read of members' regions, for a feed filtered by region, panicked");
            let message = self.said("http-feed-region-unreadable", &[]);
            let _ = deliver(out, Delivery::Failed(message), shutdown).await;
        }
        None
    }

    /// Checks the cursor's history tag, once the log has reached its position (an item
    /// at or past it came): false, having told the subscriber, if the log holds another
    /// event there or cannot be read.
    async fn check_history(
        &mut self,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        let Some((position, sent)) = self.history_check.take() else {
            return true;
        };
        let store = self.store.clone();
        let checked =
            tokio::task::spawn_blocking(move || check_tag(store.as_ref(), position, sent)).await;
        let message = match checked {
            Ok(Ok(Ok(()))) => return true,
            Ok(Ok(Err(another))) => {
                tracing::warn!(%another, "a feed subscriber's cursor is from another history; its stream ends");
                self.said("http-feed-another-history", &another.args())
            }
            Ok(Err(error)) => {
                tracing::error!(%error, position, "a feed subscriber's cursor could not be checked");
                if let Some(hook) = &self.on_read_failure {
                    hook(&error).await;
                }
                self.said(
                    "http-feed-cursor-unchecked",
                    &[("position", text(position))],
                )
            }
            Err(_) => return false,
        };
        let _ = deliver(out, Delivery::Failed(message), shutdown).await;
        false
    }

    /// Sends a `Closing` notice if the subscriber asked for it and has not been sent
    /// that state or a later one of the same close; false if the subscription ended.
    async fn pass_notice(
        &mut self,
        item: &FeedItem,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        let (Some(state), Some(key)) = (item.closing, item.close_key()) else {
            return true;
        };
        if !self.filter.wants_notice(item)
            || self
                .closings_sent
                .get(&key)
                .is_some_and(|sent| *sent >= state)
        {
            return true;
        }
        if self.closings_sent.len() >= FEED_CLOSES_REMEMBERED_MAX {
            self.closings_sent.clear();
        }
        self.closings_sent.insert(key, state);
        deliver(out, Delivery::Item(item.clone()), shutdown).await
    }

    /// When the subscriber asked for `Closing` notices, sends, as it goes live, the
    /// broadcast's last notice of each close it has not had: a close in progress, or
    /// the end of one it was told of or that ended after the cursor it started from or
    /// while it was behind the broadcast (it came back, or fell behind, while the close
    /// finished). Only
    /// those at or before its cursor: a notice follows the items it counts, and one
    /// after the cursor was sent after this subscriber subscribed, so it comes live.
    /// False if the subscription ended.
    async fn send_closes_in_progress(
        &mut self,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        let missed_since = self.notices_missed_since.take();
        if !self.filter.closing {
            return true;
        }
        for notice in self.broadcast.closings() {
            let (Some(state), Some(key)) = (notice.closing, notice.close_key()) else {
                continue;
            };
            // A close that ended after the cursor the subscriber started from, or while
            // it was behind the broadcast, is one it would have been told of live: its
            // end is said, as is the end of one it was told of. At its position too: a
            // notice carries the position of its chunk's last item, which the
            // subscriber may have had before it left or fell behind, and a state
            // already sent is not sent again (`pass_notice`). Only the closes the
            // broadcast remembers: those that ran since the server started.
            let told_of_it = self.closings_sent.contains_key(&key)
                || missed_since.is_some_and(|at| notice.position >= at);
            if (state.finished && !told_of_it) || notice.position > self.cursor.position {
                continue;
            }
            if !self.pass_notice(&notice, out, shutdown).await {
                return false;
            }
        }
        true
    }

    /// Sends the cursor's id if the filter passed over items since the last message;
    /// false if the subscription ended.
    async fn send_cursor(
        &mut self,
        out: &mpsc::Sender<Delivery>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        if self.skipped == 0 {
            return true;
        }
        self.skipped = 0;
        // OK because a skipped item moved the cursor to its own id.
        let id = self
            .cursor
            .message_id()
            .expect("the cursor is at a skipped item");
        deliver(out, Delivery::Passed(id), shutdown).await
    }
}

/// Sends one delivery unless the subscriber left or the server is shutting down.
async fn deliver(
    out: &mpsc::Sender<Delivery>,
    delivery: Delivery,
    shutdown: &mut watch::Receiver<bool>,
) -> bool {
    tokio::select! {
        sent = out.send(delivery) => sent.is_ok(),
        _ = shutdown.changed() => false,
    }
}
