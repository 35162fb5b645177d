//! The live feed of a server that only reads (`serve --read-only`, e.g. on a
//! PostgreSQL hot standby): no writer publishes to it, and a standby cannot `LISTEN`,
//! so a follower thread reads what was appended after the last item it published, a
//! catch-up page at a time, and publishes it to the live broadcast exactly as a writer
//! would. Subscribers then work as on the writer: they subscribe before they read the
//! store and skip what their cursor has passed, so an item the follower publishes
//! after a subscriber read it from the store is not sent twice.
//!
//! Why polling: it is the one way to learn of new rows that works on every engine and
//! on a standby; the cost is one head read per `FEED_FOLLOW_POLL_MILLIS` while idle,
//! and the feed's delay behind the writer is at most that plus the replication delay.

use super::{catch_up_page, Broadcast, Cursor};
use crate::store::{ReadStore, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long the follower waits before looking for new items when it found none.
pub const FEED_FOLLOW_POLL_MILLIS: u64 = 100;
/// Items the follower reads per page (a month close is read in pages like this).
pub const FEED_FOLLOW_PAGE_ITEMS_MAX: usize = 1024;

/// The follower thread; stopped and joined by `stop` (or when dropped).
pub struct Follower {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Follower {
    /// Starts following `store` from its head now: what is appended from here on is
    /// published to `live`.
    pub fn start<R: ReadStore + 'static>(
        store: Arc<R>,
        live: Broadcast,
    ) -> Result<Follower, StoreError> {
        let (head, _) = store.head()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("feed-follower".into())
            .spawn(move || follow(store.as_ref(), &live, head, &stopped))
            .map_err(|source| StoreError::Io {
                path: "(a thread for the feed follower)".into(),
                source,
            })?;
        Ok(Follower {
            stop,
            thread: Some(thread),
        })
    }

    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // A panic in the follower already crashed loudly where it happened.
            let _ = thread.join();
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Publishes every item after position `head`, as it appears, until `stop`.
fn follow(store: &dyn ReadStore, live: &Broadcast, head: u64, stop: &AtomicBool) {
    let mut cursor = Cursor::after(head, u32::MAX);
    let mut failing = false;
    while !stop.load(Ordering::SeqCst) {
        match catch_up_page(store, cursor, FEED_FOLLOW_PAGE_ITEMS_MAX) {
            Ok(page) if !page.is_empty() => {
                if failing {
                    tracing::info!(position = cursor.position, "the feed follower reads again");
                    failing = false;
                }
                for item in page {
                    cursor.advance(&item);
                    live.send(item);
                }
                continue;
            }
            Ok(_) => {}
            Err(error) => {
                // Logged once per outage, not once per poll.
                if !failing {
                    tracing::error!(%error, after = cursor.position, "the feed follower cannot read the store; retrying");
                    failing = true;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(FEED_FOLLOW_POLL_MILLIS));
    }
}
