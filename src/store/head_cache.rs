//! The stream heads an engine's writer keeps between appends: each stream's last
//! version and last event's hash, so that sealing an event of a stream appended to
//! lately reads nothing from the store.
//!
//! Bounded, and evicting an eighth at a time. A month's payments or a month close
//! sweep every member stream of a region in turn; a cache that dropped everything when
//! full (as this one did until 2026-12-01) found nothing at all in a sweep of a region
//! even slightly larger than itself: 210,000 members against 200,000 heads missed
//! almost every lookup, and finding a head then cost two reads (12% of the writer's
//! time late in a 5M-event import). Evicting one eighth, chosen by the entries' hashes
//! and a different eighth each time, keeps ~80% of such a sweep's lookups in the cache
//! (~35% at 1.5× its size), and the cache never holds more than its bound.

use super::sealing::StreamHeads;
use super::Sha256;
use std::hash::BuildHasher;

/// The eighth of the entries one eviction removes: one part in this many.
const EVICTED_PARTS: u64 = 8;

/// Stream heads, at most `capacity` of them.
pub(crate) struct HeadCache {
    heads: StreamHeads,
    capacity: usize,
    /// Evictions so far: which eighth the next one removes.
    evictions: u64,
}

impl HeadCache {
    /// An empty cache that holds at most `capacity` heads (at least one).
    pub(crate) fn new(capacity: usize) -> HeadCache {
        assert!(capacity > 0, "a head cache holds at least one head");
        HeadCache {
            heads: StreamHeads::new(),
            capacity,
            evictions: 0,
        }
    }

    /// The cached head of `stream`, if any.
    pub(crate) fn get(&self, stream: &str) -> Option<(u64, Sha256)> {
        self.heads.get(stream).copied()
    }

    /// Remembers `heads` (each a stream's head after an append or as read), evicting an
    /// eighth of the cache whenever it is full and a stream is new to it.
    pub(crate) fn insert_all(&mut self, heads: impl IntoIterator<Item = (String, (u64, Sha256))>) {
        for (stream, head) in heads {
            if let Some(cached) = self.heads.get_mut(&stream) {
                *cached = head;
                continue;
            }
            while self.heads.len() >= self.capacity {
                self.evict_a_part();
            }
            self.heads.insert(stream, head);
        }
        assert!(self.heads.len() <= self.capacity);
    }

    /// Forgets every head, and the table that held them (a new, empty map: `clear`
    /// would keep the full one's table allocated).
    pub(crate) fn release(&mut self) {
        self.heads = StreamHeads::new();
    }

    /// Removes the entries whose hash falls in this eviction's part: about an eighth.
    /// The map's own hasher spreads streams evenly over the parts, whatever their names.
    fn evict_a_part(&mut self) {
        let part = self.evictions % EVICTED_PARTS;
        self.evictions += 1;
        let hasher = self.heads.hasher().clone();
        self.heads
            .retain(|stream, _| hasher.hash_one(stream.as_str()) % EVICTED_PARTS != part);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.heads.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(version: u64) -> (u64, Sha256) {
        (version, Sha256::ZERO)
    }

    /// Sweeps `streams` streams in turn `sweeps` times through a cache of `capacity`,
    /// as a month's payments sweep a region, and returns the share of lookups after
    /// the first sweep that found their stream.
    fn hit_rate_of_sweeps(capacity: usize, streams: usize, sweeps: usize) -> f64 {
        let mut cache = HeadCache::new(capacity);
        let (mut hits, mut lookups) = (0, 0);
        for sweep in 0..sweeps {
            for stream in 0..streams {
                let name = format!("member-{stream}");
                let found = cache.get(&name).is_some();
                if sweep > 0 {
                    lookups += 1;
                    hits += usize::from(found);
                }
                cache.insert_all([(name, head(sweep as u64 + 1))]);
                assert!(cache.len() <= capacity, "the cache outgrew its bound");
            }
        }
        hits as f64 / lookups as f64
    }

    #[test]
    fn a_sweep_slightly_larger_than_the_cache_still_mostly_hits() {
        // Dropping everything when full gives 0% here; an eighth at a time, ~80%.
        let rate = hit_rate_of_sweeps(2_000, 2_100, 12);
        assert!(rate > 0.6, "only {rate:.2} of the lookups hit");
    }

    #[test]
    fn a_sweep_that_fits_always_hits_and_a_head_is_the_latest_inserted() {
        assert_eq!(hit_rate_of_sweeps(2_000, 2_000, 4), 1.0);
        let mut cache = HeadCache::new(2);
        cache.insert_all([("a".to_owned(), head(1)), ("a".to_owned(), head(2))]);
        assert_eq!(cache.get("a"), Some(head(2)));
        cache.insert_all([("b".to_owned(), head(1)), ("c".to_owned(), head(1))]);
        assert!(cache.len() <= 2);
        assert_eq!(cache.get("c"), Some(head(1)), "the newest head is kept");
        cache.release();
        assert_eq!(cache.get("c"), None);
    }
}
