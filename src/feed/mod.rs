//! The feed: every appended event and every `CoverageChanged` item (a command changed
//! some months of a member's coverage, possibly in the past), in log order, live and
//! from the store. Its one home: the messages and their ids (here), how stored rows
//! become messages (`catch_up.rs`), and a subscriber's catch-up-then-live loop
//! (`subscription.rs`). The writer publishes what each append added (`publish`); the
//! HTTP layer only turns messages into Server-Sent Events (`http/feed.rs`).
//!
//! A coverage change carries the position of its command's last event and follows
//! that event. Ids: `P-TAG` for the event at position P, `P.N-TAG` for the N-th
//! coverage change after it, so every message has its own id and a subscriber resumes
//! exactly after the last one it received. `TAG` is the first 8 hex digits of the hash
//! of the event at P (`HistoryTag`): a cursor kept from another history (a ledger
//! restored from an older copy, a standby promoted while behind, another ledger) names
//! an event this log does not hold at P, and is refused instead of resumed (D91).
//!
//! Every item reaches a subscriber exactly once, in log order, with no gap or
//! duplicate at the switch to live: it subscribes to the live broadcast *before* it
//! reads the store, and keeps a cursor (the id of the last item it passed), skipping
//! anything at or before it. Memory per subscriber is bounded whatever the size of a
//! month close (`subscription.rs`).

mod catch_up;
mod follow;
mod subscription;

pub use catch_up::{catch_up_page, Cursor};
pub use follow::{Follower, FEED_FOLLOW_PAGE_ITEMS_MAX, FEED_FOLLOW_POLL_MILLIS};
pub use subscription::{
    AnotherHistory, Delivery, Filter, ReadFailureHook, Start, StartError, Subscription,
    FEED_CLOSES_REMEMBERED_MAX,
};

use crate::domain::coverage::CoverageChanged;
use crate::domain::policy::RegionName;
use crate::domain::StreamId;
use crate::ledger::{Appended, CloseProgress};
use crate::store::Envelope;
use std::sync::Arc;

/// Items (events, coverage changes and `Closing` notices) the live broadcast buffers, shared by every
/// subscriber; one that falls further behind catches up from the store. Small, since
/// falling behind costs a subscriber only a trip to the store: the buffer keeps its
/// last items (a few hundred bytes each) for as long as the server runs, so 65,536 of
/// them held ~40 MiB after any large close.
pub const FEED_BROADCAST_EVENTS_MAX: usize = 8_192;
/// Items (events and coverage changes) in one catch-up page read from the store. With
/// the subscriber's channel this is what a subscriber holds at most (about 1 KiB an
/// item): 100 subscribers catching up across a close held ~130 MiB with pages of 1,024.
pub const FEED_CATCH_UP_PAGE_ITEMS_MAX: usize = 256;
/// Messages buffered per subscriber between its task and its connection.
pub const FEED_SUBSCRIBER_BUFFER_ITEMS: usize = 256;
/// Items a filtered subscriber that asked for progress (`?progress=true`) may pass
/// over in a row, unsent, before it is sent the id of the last one (a message with an
/// id and no data: an `EventSource` takes it as its last event id and dispatches
/// nothing); it is also sent one when it has caught up. A subscriber to one member
/// reconnecting halfway through a catch-up of millions of items then resumes where it
/// was, not after the last item its filter wanted.
pub const FEED_SKIPPED_ITEMS_PER_CURSOR_MAX: usize = 1_024;
/// Members whose region the region filter remembers; past it, it forgets them all (and
/// reads their rows again when asked), so no close can grow it.
pub const FEED_FILTER_MEMBERS_CACHED_MAX: usize = 4096;

/// The live broadcast: every subscriber's receiver of what the writer publishes, and
/// the last `Closing` notice published for each close (region and month). A
/// subscriber going live is sent those it has not had (`Subscription`): where a close
/// in progress stands, or the end of one it was told of, or that ran while it was
/// behind the broadcast (notices are not stored, so a catch-up cannot give it). A
/// clone is the same broadcast.
#[derive(Clone, Debug)]
pub struct Broadcast {
    sender: tokio::sync::broadcast::Sender<FeedItem>,
    /// By close, at most `FEED_CLOSES_REMEMBERED_MAX` (past it, the finished ones are
    /// forgotten). By close, not by region: a region's next close, sent while a
    /// subscriber that had fallen behind was catching up, replaced the end of the one
    /// before, and that subscriber was never told it finished (a subscriber's probe,
    /// 2026-12-05: the close of February recorded the rest of January in one append).
    closings: Arc<std::sync::Mutex<std::collections::BTreeMap<CloseKey, FeedItem>>>,
}

impl Broadcast {
    /// A broadcast that buffers `capacity` items for its slowest subscriber.
    pub fn new(capacity: usize) -> Broadcast {
        Broadcast {
            sender: tokio::sync::broadcast::channel(capacity).0,
            closings: Arc::default(),
        }
    }

    /// A receiver of everything sent from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<FeedItem> {
        self.sender.subscribe()
    }

    /// Sends `item` to every subscriber (none is not an error: the feed may have
    /// none), a notice remembered first as its close's last.
    pub fn send(&self, item: FeedItem) {
        if let Some(key) = item.close_key() {
            let mut closings = self.remembered();
            if closings.len() >= subscription::FEED_CLOSES_REMEMBERED_MAX {
                closings.retain(|_, kept| kept.closing.is_some_and(|state| !state.finished));
            }
            closings.insert(key, item.clone());
        }
        let _ = self.sender.send(item);
    }

    /// The last `Closing` notice sent for each close remembered, by region and month.
    pub fn closings(&self) -> Vec<FeedItem> {
        self.remembered().values().cloned().collect()
    }

    fn remembered(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<CloseKey, FeedItem>> {
        // A panic while holding it left a whole map: each insert is one step.
        self.closings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One item of the feed, in log order: an appended event, or the coverage change a
/// command made (right after the command's last event). Encoded once, when it is
/// created, and shared by every subscriber.
#[derive(Clone, Debug)]
pub struct FeedMessage {
    /// The global position (of the command's last event, for a coverage change).
    pub position: u64,
    /// 0 for an event; 1, 2, … for the coverage changes that follow the event at
    /// `position` (a close touches many members). See `id`.
    pub sub: u32,
    /// The event type, or `CoverageChanged`.
    pub event_type: &'static str,
    /// The history tag of the event at `position`, in the id: `None` for a `Closing`
    /// notice (no id) and for a coverage change whose event was not at hand.
    pub tag: Option<HistoryTag>,
    /// The stream it concerns (for the feed's filters).
    pub stream: StreamId,
    /// The envelope's JSON line, the coverage change's, or the notice's.
    pub data: String,
    /// For a `Closing` notice (a month close's progress after one of its chunks), what
    /// a subscriber compares to send each state once. It has no id and moves no
    /// cursor, and is not stored, so a catch-up does not give it: it is sent live, and
    /// from the broadcast's memory of each close's last one when a subscriber goes
    /// live (`Broadcast::closings`, D17). `None` for an item of the log.
    pub closing: Option<ClosingState>,
    /// For an event whose coverage changes were written to the store ahead of its
    /// append (a month close's accruals, D17): the live broadcast does not carry
    /// them, so a subscriber that passes this event reads them from the store (as one
    /// that fell behind the broadcast does). A read-only server's follower reads them
    /// from the store anyway, and leaves this false.
    pub items_in_store: bool,
}

/// Which close a `Closing` notice tells of: its region and month.
pub type CloseKey = (RegionName, crate::domain::month::Month);

/// Where a month close stands, in the order its notices come: a later month, more
/// members done, or finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClosingState {
    pub month: crate::domain::month::Month,
    pub members_done: u64,
    pub finished: bool,
}

pub type FeedItem = Arc<FeedMessage>;

impl FeedMessage {
    pub fn event(envelope: &Envelope) -> FeedItem {
        // OK because an envelope always encodes to JSON.
        let data = serde_json::to_string(envelope).expect("an envelope always encodes");
        Arc::new(FeedMessage {
            position: envelope.position,
            sub: 0,
            event_type: envelope.event.type_name(),
            tag: Some(HistoryTag::of(&envelope.hash)),
            stream: envelope.event.stream(),
            data,
            closing: None,
            items_in_store: false,
        })
    }

    /// The `sub`-th coverage change after the event at its position, whose history tag
    /// is `tag`.
    pub fn coverage(change: &CoverageChanged, sub: u32, tag: Option<HistoryTag>) -> FeedItem {
        let message = crate::codec::wire::CoverageChanged::from(change);
        // OK because a coverage change is ids, numbers, month and money strings.
        let data = serde_json::to_string(&message).expect("a coverage change always encodes");
        Arc::new(FeedMessage {
            position: change.position,
            sub,
            event_type: "CoverageChanged",
            tag,
            stream: StreamId::Member(change.member_id),
            data,
            closing: None,
            items_in_store: false,
        })
    }

    /// The close a `Closing` notice tells of; `None` for an item of the log.
    pub fn close_key(&self) -> Option<CloseKey> {
        match (self.closing, &self.stream) {
            (Some(state), StreamId::Region(region)) => Some((region.clone(), state.month)),
            _ => None,
        }
    }

    /// The `Closing` notice of a close's progress, recorded when the log's head was
    /// `head`: it follows the items up to `head` (`publish`).
    pub fn closing(head: u64, progress: &CloseProgress) -> FeedItem {
        let closing = &progress.closing;
        let message = crate::codec::wire::Closing {
            kind: "Closing",
            region: closing.region.to_string(),
            month: closing.month,
            members_done: closing.members_done,
            members_total: closing.members_total,
            missed_recorded: closing.missed_recorded,
            withdrawn_recorded: closing.withdrawn_recorded,
            recheck: closing.recheck,
            finished: progress.finished,
        };
        // OK because a notice is a name, a month, numbers and booleans.
        let data = serde_json::to_string(&message).expect("a notice always encodes");
        Arc::new(FeedMessage {
            position: head,
            sub: u32::MAX,
            event_type: "Closing",
            tag: None,
            stream: StreamId::Region(closing.region.clone()),
            data,
            closing: Some(ClosingState {
                month: closing.month,
                members_done: closing.members_done,
                finished: progress.finished,
            }),
            items_in_store: false,
        })
    }

    /// Interleaves envelopes and coverage changes: each change right after the event
    /// at its position.
    pub fn interleave(envelopes: &[Envelope], coverage: &[CoverageChanged]) -> Vec<FeedItem> {
        let mut changes = coverage.iter().peekable();
        let mut items = Vec::with_capacity(envelopes.len() + coverage.len());
        // `event`: the position and tag of the event the changes follow, when at hand.
        let mut push_changes_through =
            |position: u64, event: Option<(u64, HistoryTag)>, items: &mut Vec<FeedItem>| {
                let mut sub = 0u32;
                while let Some(change) = changes.next_if(|change| change.position <= position) {
                    sub = if items
                        .last()
                        .is_some_and(|last: &FeedItem| last.position == change.position)
                    {
                        sub + 1
                    } else {
                        1
                    };
                    let tag = event
                        .filter(|(at, _)| *at == change.position)
                        .map(|(_, tag)| tag);
                    items.push(FeedMessage::coverage(change, sub, tag));
                }
            };
        for envelope in envelopes {
            items.push(FeedMessage::event(envelope));
            let event = (envelope.position, HistoryTag::of(&envelope.hash));
            push_changes_through(envelope.position, Some(event), &mut items);
        }
        push_changes_through(u64::MAX, None, &mut items);
        items
    }

    /// The message's id: `P-TAG` for an event, `P.N-TAG` for a coverage change (see
    /// `sub` and `tag`).
    pub fn id(&self) -> String {
        message_id(self.position, self.sub, self.tag)
    }
}

/// What a message id says of the history it was sent from: the first 4 bytes of the
/// hash of the event at its position, written as 8 hex digits. Two histories that
/// hold different events at a position differ here but for a 2^-32 chance, enough to
/// tell a subscriber its cursor is another history's; the log's hash chain, not this,
/// is what an auditor checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryTag(pub [u8; 4]);

impl HistoryTag {
    /// The tag of the event whose hash is `hash`.
    pub fn of(hash: &crate::store::Sha256) -> HistoryTag {
        let [a, b, c, d, ..] = hash.0;
        HistoryTag([a, b, c, d])
    }

    /// 8 hex digits, in either case.
    fn parse(text: &str) -> Option<HistoryTag> {
        if text.len() != 8 || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        let mut tag = [0u8; 4];
        for (byte, pair) in tag.iter_mut().zip(text.as_bytes().chunks(2)) {
            // OK because both are ASCII hex digits, checked above.
            let pair = std::str::from_utf8(pair).expect("ASCII");
            *byte = u8::from_str_radix(pair, 16).expect("two hex digits");
        }
        Some(HistoryTag(tag))
    }
}

impl std::fmt::Display for HistoryTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// A message's id from its position, sub and tag: `P` for an event, `P.N` for the
/// N-th coverage change after it, each followed by `-TAG` when the tag is known.
pub fn message_id(position: u64, sub: u32, tag: Option<HistoryTag>) -> String {
    let tag = tag.map(|tag| format!("-{tag}")).unwrap_or_default();
    if sub == 0 {
        format!("{position}{tag}")
    } else {
        format!("{position}.{sub}{tag}")
    }
}

/// A message id as `parse_id` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageId {
    pub position: u64,
    pub sub: u32,
    /// Absent from ids sent before history tags (D91): such a cursor is not checked.
    pub tag: Option<HistoryTag>,
}

/// Sends what appends added, once durable, to the live broadcast: its items in log
/// order, each close's notice right after the items up to the head it was recorded
/// at. An event whose coverage changes were written ahead of its append is sent
/// marked so (`items_in_store`), and its changes are not sent: a close's can be one
/// per member of a province. A broadcast with no receiver is not an error: the feed
/// may have no subscriber.
pub fn publish(live: &Broadcast, appended: &Appended) {
    let mut notices = appended.closes.iter().peekable();
    for item in FeedMessage::interleave(&appended.envelopes, &appended.coverage) {
        while let Some((head, progress)) = notices.next_if(|(head, _)| *head < item.position) {
            live.send(FeedMessage::closing(*head, progress));
        }
        if item.sub == 0 && appended.items_ahead.contains(&item.position) {
            let mut marked = Arc::unwrap_or_clone(item);
            marked.items_in_store = true;
            live.send(Arc::new(marked));
            continue;
        }
        live.send(item);
    }
    for (head, progress) in notices {
        live.send(FeedMessage::closing(*head, progress));
    }
}

/// Parses a message id: `POSITION` (an event) or `POSITION.SUB` (a coverage change),
/// digits only, then `-TAG` (8 hex digits, `HistoryTag`) or nothing (an id sent before
/// tags), with spaces or tabs around it (a header's optional whitespace): exactly what
/// the OpenAPI document's pattern for `Last-Event-ID` admits. A number too large for
/// its field saturates (a position past any head waits for it, as any position past
/// the head does; a SUB past the changes at its position means after all of them).
pub fn parse_id(text: &str) -> Option<MessageId> {
    let text = text.trim_matches([' ', '\t']);
    let (text, tag) = match text.split_once('-') {
        None => (text, None),
        Some((text, tag)) => (text, Some(HistoryTag::parse(tag)?)),
    };
    let (position, sub) = match text.split_once('.') {
        None => (text, None),
        Some((position, sub)) => (position, Some(sub)),
    };
    let position = digits_saturating(position)?;
    let sub = match sub {
        None => 0,
        Some(sub) => u32::try_from(digits_saturating(sub)?).unwrap_or(u32::MAX),
    };
    Some(MessageId { position, sub, tag })
}

/// Whether `text` is a non-empty run of ASCII digits: how a position is written in a
/// message id and in a query (`from`, `as_of`), where Rust's parser also takes `+5`.
pub(crate) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// A non-empty run of ASCII digits as a number, `u64::MAX` if it is larger.
fn digits_saturating(text: &str) -> Option<u64> {
    if !is_digits(text) {
        return None;
    }
    // Digits only, so the one way parsing fails is overflow.
    Some(text.parse().unwrap_or(u64::MAX))
}

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
pub fn catch_up_page_items_max() -> usize {
    limit_lowered_by(
        "FLEXLEDGER_FEED_PAGE_ITEMS_MAX",
        FEED_CATCH_UP_PAGE_ITEMS_MAX,
    )
}

#[cfg(test)]
mod tests {
    use super::{message_id, parse_id, HistoryTag, MessageId};

    /// An id the feed sends reads back as what it was made of; an id sent before tags
    /// reads without one; a tag that is not 8 hex digits makes no id.
    #[test]
    fn message_ids_read_back_with_their_history_tag() {
        let tag = HistoryTag([0x4b, 0xf5, 0x12, 0x2f]);
        for (position, sub) in [(4, 0), (4, 1), (u64::MAX, 7)] {
            let id = message_id(position, sub, Some(tag));
            let read = parse_id(&id);
            assert_eq!(
                read,
                Some(MessageId {
                    position,
                    sub,
                    tag: Some(tag)
                }),
                "{id}"
            );
        }
        assert_eq!(message_id(36, 2, Some(tag)), "36.2-4bf5122f");
        assert_eq!(parse_id(" 4.1-4BF5122F\t").and_then(|id| id.tag), Some(tag));
        assert_eq!(
            parse_id("4.1"),
            Some(MessageId {
                position: 4,
                sub: 1,
                tag: None
            })
        );
        for wrong in [
            "4-",
            "4-4bf5122",
            "4-4bf5122f0",
            "4-4bf5122g",
            "-4bf5122f",
            "4.1-4bf5-22f",
        ] {
            assert_eq!(parse_id(wrong), None, "{wrong}");
        }
    }
}
