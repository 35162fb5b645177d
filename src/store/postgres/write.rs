//! Writing the PostgreSQL store: one transaction per `append` (checked and sealed as
//! sled's are, `sealing`), each table written with one multi-row statement (arrays
//! unnested server-side: an import appends ~1,000 commands per call), the head row
//! updated last; `replace_state` and checkpoints.

use super::errors::classify;
use super::pool::Prepared;
use super::read::{column, hash_of, position_of, sql_position};
use super::PgStore;
use crate::store::coverage_rows::CoverageItem;
use crate::store::head_cache::HeadCache;
use crate::store::log_entry::HASH_BYTES;
use crate::store::sealing::{self, AppendContext, RowWrite, Sealed, SealedEvent, StreamHeads};
use crate::store::sled_store::HeadWitness;
use crate::store::state_keys::{state_key, REBUILT_PREFIXES};
use crate::store::{
    CheckpointWriter, CommandRecord, LogWriter, ReplacedRow, Sha256, StateKey, StateWrite,
    StoreError,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Streams whose head `PgStore` keeps in memory, at most (an eighth is evicted when
/// full, `head_cache`): as sled's `STREAM_HEADS_CACHED_MAX`, ~130 bytes each.
pub(super) const STREAM_HEADS_CACHED_MAX: usize = 200_000;
/// State rows one statement of a rebuild writes (`replace_state`), at most: a rebuild
/// of a province sends its rows in parts instead of one statement of them all.
const REPLACE_STATE_ROWS_MAX: usize = 10_000;

/// What sealing needs, fetched in a few queries before it: the streams' heads (cached
/// or read) and which command ids were seen.
struct Fetched {
    heads: StreamHeads,
    seen: HashSet<Uuid>,
}

impl AppendContext for Fetched {
    fn stream_head(&mut self, stream: &str) -> Result<(u64, Sha256), StoreError> {
        Ok(self.heads.get(stream).copied().unwrap_or((0, Sha256::ZERO)))
    }

    fn command_seen(&mut self, command_id: Uuid) -> Result<bool, StoreError> {
        Ok(self.seen.contains(&command_id))
    }
}

type Pg<T> = Result<T, ::postgres::Error>;

/// The log's head, read inside the transaction.
fn head_in(transaction: &mut Prepared<'_>, store: &str) -> Result<(u64, Sha256), StoreError> {
    let rows = transaction
        .query(
            "SELECT position, substring(entry FROM 1 FOR 32) FROM log_entries ORDER BY position DESC LIMIT 1",
            &[],
        )
        .map_err(|error| classify(store, error))?;
    Ok(match rows.first() {
        None => (0, Sha256::ZERO),
        Some(row) => {
            let position = position_of(column(row, 0)?)?;
            (position, hash_of(position, column(row, 1)?)?)
        }
    })
}

/// The heads of `streams` (those with events), in one query: for each stream, its last
/// entry by one backward step of the `(stream, version)` index.
///
/// Why not `max(version) … GROUP BY stream` joined back to the log (as before): the
/// planner reads every version of each stream for it, so the query cost grew with the
/// members' histories, and on a freshly loaded table, before autovacuum's first
/// analyze, it chose parallel bitmap scans that slowed a 4.8M-command import to ~1,700
/// commands/s for about a minute and a half of its first million (the backend at 100%
/// CPU on this query until the analyze; that million at 9,710 commands/s, 24,492
/// since). The lateral form is one index descent per stream whatever the statistics.
fn stream_heads_in(
    transaction: &mut Prepared<'_>,
    streams: &[&str],
    store: &str,
) -> Result<StreamHeads, StoreError> {
    let rows = transaction
        .query(
            "SELECT s.stream, l.version, l.position, l.hash \
         FROM unnest($1::text[]) AS s(stream) \
         CROSS JOIN LATERAL (SELECT version, position, substring(entry FROM 1 FOR 32) AS hash \
           FROM log_entries WHERE stream = s.stream ORDER BY version DESC LIMIT 1) l",
            &[&streams],
        )
        .map_err(|error| classify(store, error))?;
    let mut heads = StreamHeads::with_capacity(rows.len());
    for row in rows {
        let position = position_of(column(&row, 2)?)?;
        let head = (
            position_of(column(&row, 1)?)?,
            hash_of(position, column(&row, 3)?)?,
        );
        heads.insert(column(&row, 0)?, head);
    }
    Ok(heads)
}

impl PgStore {
    /// Fetches what sealing `commands` needs, inside the append's transaction.
    fn fetch_for(
        cached: &HeadCache,
        transaction: &mut Prepared<'_>,
        commands: &[CommandRecord],
        store: &str,
    ) -> Result<Fetched, StoreError> {
        let ids: Vec<Uuid> = commands.iter().map(|command| command.command_id).collect();
        let seen = transaction
            .query(
                "SELECT command_id FROM commands WHERE command_id = ANY($1)",
                &[&ids],
            )
            .map_err(|error| classify(store, error))?
            .iter()
            .map(|row| column(row, 0))
            .collect::<Result<_, _>>()?;
        let mut heads = StreamHeads::new();
        let mut uncached: Vec<&str> = Vec::new();
        for envelope in commands.iter().flat_map(|command| &command.envelopes) {
            let stream = envelope.stream.as_str();
            match cached.get(stream) {
                Some(head) => {
                    heads.insert(stream.to_owned(), head);
                }
                None if !uncached.contains(&stream) => uncached.push(stream),
                None => {}
            }
        }
        if !uncached.is_empty() {
            heads.extend(stream_heads_in(transaction, &uncached, store)?);
        }
        Ok(Fetched { heads, seen })
    }
}

/// Inserts the sealed events and command records.
fn insert_sealed(transaction: &mut Prepared<'_>, sealed: &Sealed) -> Result<Pg<()>, StoreError> {
    let mut positions = Vec::with_capacity(sealed.events.len());
    let mut versions = Vec::with_capacity(sealed.events.len());
    for event in &sealed.events {
        positions.push(sql_position(event.position)?);
        versions.push(sql_position(event.version)?);
    }
    let streams: Vec<&str> = sealed
        .events
        .iter()
        .map(|event| event.stream.as_str())
        .collect();
    let command_ids: Vec<Uuid> = sealed.events.iter().map(|event| event.command_id).collect();
    let entries: Vec<&[u8]> = sealed
        .events
        .iter()
        .map(|event| event.entry.as_slice())
        .collect();
    let mut ids = Vec::with_capacity(sealed.commands.len());
    let mut firsts = Vec::with_capacity(sealed.commands.len());
    let mut counts = Vec::with_capacity(sealed.commands.len());
    let mut digests: Vec<Option<&[u8]>> = Vec::with_capacity(sealed.commands.len());
    for record in &sealed.commands {
        ids.push(record.command_id);
        firsts.push(sql_position(record.first_position)?);
        counts.push(sql_position(record.event_count)?);
        digests.push(record.body_digest.as_ref().map(|digest| &digest.0[..]));
    }
    let inserted = (|| {
        if !positions.is_empty() {
            transaction.execute(
                "INSERT INTO log_entries (position, stream, version, command_id, entry) \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::bytea[])",
                &[&positions, &streams, &versions, &command_ids, &entries],
            )?;
        }
        if !ids.is_empty() {
            transaction.execute(
                "INSERT INTO commands (command_id, first_position, event_count, body_digest) \
                 SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bytea[])",
                &[&ids, &firsts, &counts, &digests],
            )?;
        }
        Ok(())
    })();
    Ok(inserted)
}

/// Writes state rows (the last write of a key wins, as in a sled batch): removals,
/// then upserts, leaving a row that already holds the same bytes untouched (an
/// update to equal bytes is still a new tuple version, WAL and a dead tuple).
fn write_state_rows(transaction: &mut Prepared<'_>, rows: Vec<RowWrite<'_>>) -> Pg<()> {
    let mut last: HashMap<Vec<u8>, Option<&[u8]>> = HashMap::with_capacity(rows.len());
    for (key, value) in rows {
        last.insert(state_key(key), value);
    }
    let mut removed: Vec<&[u8]> = Vec::new();
    let (mut keys, mut values): (Vec<&[u8]>, Vec<&[u8]>) = (Vec::new(), Vec::new());
    for (key, value) in &last {
        match value {
            Some(value) => {
                keys.push(key);
                values.push(value);
            }
            None => removed.push(key),
        }
    }
    if !removed.is_empty() {
        transaction.execute("DELETE FROM state_rows WHERE key = ANY($1)", &[&removed])?;
    }
    if !keys.is_empty() {
        transaction.execute(
            "INSERT INTO state_rows (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value \
             WHERE state_rows.value IS DISTINCT FROM EXCLUDED.value",
            &[&keys, &values],
        )?;
    }
    Ok(())
}

/// Deletes the stored rows of the kinds a rebuild replaces (`REBUILT_PREFIXES`) with
/// keys after `after` and up to `through`, but for `kept`, reporting each to
/// `replaced`. Every state key starts with an ASCII letter, so `[u8::MAX]` is past
/// them all.
fn delete_rows_between(
    transaction: &mut Prepared<'_>,
    after: &[u8],
    through: &[u8],
    kept: &[Vec<u8>],
    replaced: &mut dyn FnMut(ReplacedRow<'_>),
    pg: &dyn Fn(::postgres::Error) -> StoreError,
) -> Result<(), StoreError> {
    let prefixes: Vec<Vec<u8>> = REBUILT_PREFIXES
        .iter()
        .map(|prefix| vec![*prefix])
        .collect();
    let removed = transaction
        .query(
            "DELETE FROM state_rows AS stored WHERE key > $1 AND key <= $2 \
             AND substring(key FROM 1 FOR 1) = ANY($3) \
             AND NOT EXISTS (SELECT 1 FROM unnest($4::bytea[]) AS kept (key) WHERE kept.key = stored.key) \
             RETURNING key, value",
            &[&after, &through, &prefixes, &kept],
        )
        .map_err(pg)?;
    for row in &removed {
        replaced(ReplacedRow {
            key: column(row, 0)?,
            stored: Some(column(row, 1)?),
            written: None,
        });
    }
    Ok(())
}

/// The rows of `chunk` (whose keys are `keys`) whose bytes differ from the stored
/// rows', each reported to `replaced`: a rebuild writes only those (an equal row
/// rewritten would leave a dead tuple for nothing).
fn changed_rows<'a>(
    transaction: &mut Prepared<'_>,
    chunk: Vec<RowWrite<'a>>,
    keys: &[Vec<u8>],
    replaced: &mut dyn FnMut(ReplacedRow<'_>),
    pg: &dyn Fn(::postgres::Error) -> StoreError,
) -> Result<Vec<RowWrite<'a>>, StoreError> {
    let found = transaction
        .query(
            "SELECT key, value FROM state_rows WHERE key = ANY($1)",
            &[&keys],
        )
        .map_err(pg)?;
    let mut stored: HashMap<&[u8], &[u8]> = HashMap::with_capacity(found.len());
    for row in &found {
        stored.insert(column(row, 0)?, column(row, 1)?);
    }
    let mut changed = Vec::new();
    for ((state_key, value), key) in chunk.into_iter().zip(keys) {
        let held = stored.get(key.as_slice()).copied();
        if held == value {
            continue;
        }
        // The checkpoint is the rebuild's own row, never reported (`LogWriter`).
        if *state_key != StateKey::Checkpoint {
            replaced(ReplacedRow {
                key,
                stored: held,
                written: value,
            });
        }
        changed.push((state_key, value));
    }
    Ok(changed)
}

/// Inserts feed items (one per position and member: the last write of one wins).
fn insert_feed_items(
    transaction: &mut Prepared<'_>,
    items: Vec<CoverageItem>,
) -> Result<Pg<()>, StoreError> {
    let mut last: HashMap<(u64, Uuid), Vec<u8>> = HashMap::with_capacity(items.len());
    for item in items {
        last.insert((item.position, item.member_id), item.value);
    }
    if last.is_empty() {
        return Ok(Ok(()));
    }
    let mut positions = Vec::with_capacity(last.len());
    let (mut members, mut values) = (
        Vec::with_capacity(last.len()),
        Vec::with_capacity(last.len()),
    );
    for ((position, member_id), value) in &last {
        positions.push(sql_position(*position)?);
        members.push(*member_id);
        values.push(value.as_slice());
    }
    Ok(transaction
        .execute(
            "INSERT INTO feed_items (position, member_id, item) \
             SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bytea[])",
            &[&positions, &members, &values],
        )
        .map(drop))
}

/// The head witness of the last event an append sealed (D86).
fn witnessed(event: &SealedEvent) -> HeadWitness {
    let mut hash = [0u8; HASH_BYTES];
    // OK because an entry sealed here starts with its 32-byte hash.
    hash.copy_from_slice(&event.entry[..HASH_BYTES]);
    HeadWitness {
        position: event.position,
        hash: crate::store::Sha256(hash),
    }
}

impl LogWriter for PgStore {
    fn append(
        &mut self,
        commands: &mut [CommandRecord],
        state: &[StateWrite],
    ) -> Result<(), StoreError> {
        let store = self.reader.pool.store.clone();
        let pg = |error| classify(&store, error);
        let appended = sealing::appended_positions(commands);
        let (coverage, rows) = sealing::split_state_writes(state, appended);
        // Taken out while the connection borrows the store; put back below.
        let cached = std::mem::replace(
            &mut self.stream_heads,
            HeadCache::new(STREAM_HEADS_CACHED_MAX),
        );
        let connection = self.connection()?;
        let mut transaction = connection.transaction().map_err(pg)?;
        let outcome = (|| -> Result<(StreamHeads, Option<HeadWitness>), StoreError> {
            let (head, head_hash) = head_in(&mut transaction, &store)?;
            let mut fetched = PgStore::fetch_for(&cached, &mut transaction, commands, &store)?;
            let sealed = sealing::seal_commands(commands, head, head_hash, &mut fetched)?;
            insert_sealed(&mut transaction, &sealed)?.map_err(pg)?;
            write_state_rows(&mut transaction, rows).map_err(pg)?;
            insert_feed_items(&mut transaction, coverage)?.map_err(pg)?;
            if let Some(last) = sealed.events.last() {
                // OK because an entry sealed here starts with its 32-byte hash.
                let hash = &last.entry[..HASH_BYTES];
                transaction
                    .execute(
                        "UPDATE head SET position = $1, hash = $2",
                        &[&sql_position(last.position)?, &hash],
                    )
                    .map_err(pg)?;
            }
            transaction.transaction.commit().map_err(pg)?;
            Ok((sealed.heads, sealed.events.last().map(witnessed)))
        })();
        // A failed append keeps the cache as it was (nothing written).
        self.stream_heads = cached;
        let (heads, head) = outcome?;
        self.stream_heads.insert_all(heads);
        // After the commit, which stands whatever happens here: a witness left behind
        // the database is no loss (D86), so a failure to record it is said, not
        // returned (returned, it would tell the sender a recorded command failed).
        if let (Some(witness), Some(head)) = (self.witness.as_mut(), head) {
            if let Err(error) = witness.record(head) {
                tracing::warn!(%error, position = head.position, "the head witness could not record the head; it stays behind the database until an append records it");
            }
        }
        Ok(())
    }

    /// One transaction, written a statement of at most `REPLACE_STATE_ROWS_MAX` rows at
    /// a time, merged with the stored rows as sled's `replace_state` does: a row whose
    /// stored bytes are the same is not updated (no dead tuple, no WAL for it), and
    /// the stored rows between one part's rows and the next's that no row writes are
    /// deleted as the parts go, the rest after the last part. Rows out of key order
    /// are written right all the same: each deletion covers keys after every row
    /// written so far (`passed`), so it never deletes one of them.
    fn replace_state(
        &mut self,
        rows: &mut dyn Iterator<Item = StateWrite>,
        replaced: &mut dyn FnMut(ReplacedRow<'_>),
    ) -> Result<(), StoreError> {
        let store = self.reader.pool.store.clone();
        let pg = |error| classify(&store, error);
        let connection = self.connection()?;
        let mut transaction = connection.transaction().map_err(pg)?;
        let mut passed: Vec<u8> = Vec::new();
        let mut rows = rows.peekable();
        while rows.peek().is_some() {
            let chunk: Vec<StateWrite> = rows.by_ref().take(REPLACE_STATE_ROWS_MAX).collect();
            // A rebuild appends nothing, so it can write no coverage change (asserted).
            #[allow(clippy::reversed_empty_ranges)] // empty on purpose: no position appended
            let (coverage, chunk) = sealing::split_state_writes(&chunk, 1..=0);
            debug_assert!(coverage.is_empty());
            let keys: Vec<Vec<u8>> = chunk.iter().map(|(key, _)| state_key(key)).collect();
            let last = keys.iter().max().cloned().unwrap_or_default();
            if last > passed {
                delete_rows_between(&mut transaction, &passed, &last, &keys, replaced, &pg)?;
                passed = last;
            }
            let changed = changed_rows(&mut transaction, chunk, &keys, replaced, &pg)?;
            write_state_rows(&mut transaction, changed).map_err(pg)?;
        }
        delete_rows_between(&mut transaction, &passed, &[u8::MAX], &[], replaced, &pg)?;
        transaction.transaction.commit().map_err(pg)
    }

    fn release_caches(&mut self) {
        self.stream_heads.release();
    }

    /// One transaction of its own, committed: the append that records their event
    /// follows in another (a reader passes over items after the last event it read).
    fn write_items_ahead(
        &mut self,
        position: u64,
        items: Vec<CoverageItem>,
    ) -> Result<(), StoreError> {
        let store = self.reader.pool.store.clone();
        let pg = |error| classify(&store, error);
        let connection = self.connection()?;
        let mut transaction = connection.transaction().map_err(pg)?;
        // Durable with the append that follows: its synchronous commit flushes the
        // WAL up to its own record, this transaction's included, so this commit need
        // not wait for a flush (a close of a million members writes ~1,000 of these).
        transaction
            .execute("SET LOCAL synchronous_commit TO off", &[])
            .map_err(pg)?;
        let (head, _) = head_in(&mut transaction, &store)?;
        assert!(
            position == head + 1 && items.iter().all(|item| item.position == position),
            "feed items are written ahead at the head plus one ({}), not at {position}",
            head + 1
        );
        insert_feed_items(&mut transaction, items)?.map_err(pg)?;
        transaction.transaction.commit().map_err(pg)
    }

    fn discard_items_ahead(&mut self) -> Result<u64, StoreError> {
        let store = self.reader.pool.store.clone();
        let pg = |error| classify(&store, error);
        let connection = self.connection()?;
        let mut transaction = connection.transaction().map_err(pg)?;
        let (head, _) = head_in(&mut transaction, &store)?;
        let discarded = transaction
            .execute(
                "DELETE FROM feed_items WHERE position > $1",
                &[&sql_position(head)?],
            )
            .map_err(pg)?;
        transaction.transaction.commit().map_err(pg)?;
        Ok(discarded)
    }

    fn check_writer(&mut self) -> Result<(), StoreError> {
        self.check_writer_lock()
    }
}

impl CheckpointWriter for PgStore {
    fn put_audit_checkpoint(&mut self, tree_size: u64, bytes: &[u8]) -> Result<bool, StoreError> {
        let store = self.reader.pool.store.clone();
        let tree_size = sql_position(tree_size)?;
        let connection = self.connection()?;
        let stored = connection
            .client
            .execute(
                "INSERT INTO audit_checkpoints (tree_size, checkpoint) VALUES ($1, $2) ON CONFLICT (tree_size) DO NOTHING",
                &[&tree_size, &bytes],
            )
            .map_err(|error| classify(&store, error))?;
        Ok(stored == 1)
    }
}

// The writer reads as its reader does.
reads_through!(PgStore, |store| store.reader);
