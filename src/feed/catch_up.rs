//! How stored rows become feed items: a catch-up page read from the store after a
//! subscriber's cursor, numbered exactly as the live feed numbers them.

use super::{FeedItem, FeedMessage, HistoryTag};
use crate::domain::coverage::CoverageChanged;
use crate::domain::StreamId;
use crate::store::{Envelope, ReadStore, StoreError};
use uuid::Uuid;

/// The last item a subscriber passed (sent, or left out by its filter): it resumes
/// strictly after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub position: u64,
    /// 0 for the event at `position`, N for the N-th coverage change after it, and
    /// `u32::MAX` for everything at `position` (a `from`, or the head at the start).
    pub sub: u32,
    /// The member of that coverage change, when known: the next page resumes after
    /// its row's key instead of counting `sub` rows again.
    pub member: Option<Uuid>,
    /// The history tag of the event at `position`, when known: the ids of the
    /// coverage changes left at `position` carry it.
    pub tag: Option<HistoryTag>,
}

impl Cursor {
    /// Right after the message with id (position, sub).
    pub fn after(position: u64, sub: u32) -> Cursor {
        Cursor {
            position,
            sub,
            member: None,
            tag: None,
        }
    }

    pub fn is_before(&self, item: &FeedItem) -> bool {
        (self.position, self.sub) < (item.position, item.sub)
    }

    pub fn advance(&mut self, item: &FeedItem) {
        self.position = item.position;
        self.sub = item.sub;
        self.tag = item.tag;
        self.member = match item.stream {
            StreamId::Member(member_id) if item.sub > 0 => Some(member_id),
            _ => None,
        };
    }

    /// The id of the message the cursor is right after; `None` for a cursor at a
    /// whole position (a `from`, or the head at the start), which no message has.
    pub fn message_id(&self) -> Option<String> {
        (self.sub != u32::MAX).then(|| super::message_id(self.position, self.sub, self.tag))
    }

    /// For messages: "message P", "message P.N" or "position P".
    pub fn described(&self) -> String {
        match self.sub {
            0 => format!("message {}", self.position),
            u32::MAX => format!("position {}", self.position),
            sub => format!("message {}.{sub}", self.position),
        }
    }

    /// Where the coverage changes after the cursor start, as
    /// `FeedRows::coverage_changes_page` takes it: (position, after member, skip).
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
pub fn catch_up_page(
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
    // Past everything at its position with no event after it: nothing to read (an
    // idle follower's poll, a subscriber caught up).
    if envelopes.is_empty() && cursor.sub == u32::MAX {
        return Ok(Vec::new());
    }
    // With no envelope read, the items left at the cursor's position, if the log
    // holds it: a cursor past the head (an id from another server) must not be sent
    // the items a close writes there ahead of its append (D90).
    let last = match envelopes.last() {
        Some(envelope) => envelope.position,
        None => cursor.position.min(store.head()?.0),
    };
    let (from, after, skip) = cursor.coverage_resume();
    let mut changes = Vec::new();
    for row in store.coverage_changes_page(from, after, skip, items_max)? {
        let change: CoverageChanged =
            crate::codec::rows::decode_coverage_item(&row).map_err(|error| {
                StoreError::Corrupt {
                    position: from,
                    message: crate::store::findings::coverage_change_undecodable(error),
                }
            })?;
        // Past the envelopes read: for the next page (or appended since).
        if change.position > last {
            break;
        }
        changes.push(change);
    }
    // The changes left at the cursor's position follow an event read before: its tag,
    // from the cursor or, for a cursor that came without one, from the log.
    let mut cursor = cursor;
    if cursor.tag.is_none()
        && changes
            .first()
            .is_some_and(|c| c.position == cursor.position)
    {
        cursor.tag = tag_at(store, cursor.position)?;
    }
    Ok(merge(cursor, &envelopes, &changes, items_max))
}

/// The history tag of the event at `position`, if the log holds it.
pub(super) fn tag_at(
    store: &(impl ReadStore + ?Sized),
    position: u64,
) -> Result<Option<HistoryTag>, StoreError> {
    let event = store.read_log(position).next().transpose()?;
    Ok(event
        .filter(|event| event.position == position)
        .map(|event| HistoryTag::of(&event.hash)))
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
    let mut tag = cursor.tag;
    while items.len() < items_max {
        let item = match changes.next_if(|change| change.position == last.0) {
            Some(change) => FeedMessage::coverage(change, last.1.saturating_add(1), tag),
            None => match envelopes.next() {
                Some(envelope) => FeedMessage::event(envelope),
                None => break,
            },
        };
        last = (item.position, item.sub);
        tag = item.tag;
        items.push(item);
    }
    items
}
