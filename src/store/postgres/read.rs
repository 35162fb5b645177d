//! Reading the PostgreSQL store: the reading traits for `PgReader` (the writer reads
//! through its own reader). The log and a stream are read in pages by key (position,
//! version), each page a query of its own on any connection of the pool, so a slow
//! consumer holds no connection; every entry is decoded and checked as sled's are
//! (`checked_reads`).

use super::PgReader;
use crate::domain::policy::RegionName;
use crate::domain::StreamId;
use crate::store::checked_reads::{corrupt, decode_entry, LogChain, StreamChain};
use crate::store::findings;
use crate::store::log_entry::HASH_BYTES;
use crate::store::state_keys::{
    member_id_of_key, member_index_prefix, member_page_bounds, state_key, PREFIX_CLOSING,
    PREFIX_MEMBER, PREFIX_REGION,
};
use crate::store::{
    Checkpoints, CommandSpan, Envelope, EnvelopeIter, EventLog, FeedRows, Indexed, IndexedIter,
    MemberIndex, Sha256, StateKey, StateRows, StoreError,
};
use std::collections::{HashMap, VecDeque};
use uuid::Uuid;

/// Rows the first page of a log or stream read fetches: small, since many reads take
/// a few events (a command's span, a member's stream).
const LOG_PAGE_ROWS_FIRST: i64 = 16;
/// Rows a page grows to (doubling from the first): bounds a read's memory.
const LOG_PAGE_ROWS_MAX: i64 = 1024;

/// A position as the server stores it (`bigint`).
pub(crate) fn sql_position(position: u64) -> Result<i64, StoreError> {
    i64::try_from(position).map_err(|_| corrupt(0, findings::position_too_large(position)))
}

/// A stored position (or count, or version), which is never negative.
pub(crate) fn position_of(stored: i64) -> Result<u64, StoreError> {
    u64::try_from(stored).map_err(|_| corrupt(0, findings::position_negative(stored)))
}

/// A stored 32-byte hash.
pub(crate) fn hash_of(position: u64, stored: Vec<u8>) -> Result<Sha256, StoreError> {
    let bytes: [u8; HASH_BYTES] = stored
        .try_into()
        .map_err(|_| corrupt(position, findings::entry_too_short()))?;
    Ok(Sha256(bytes))
}

/// Column `index` of `row`: a value of another type or a NULL where the schema has
/// none is damage (the schema was changed by hand), not a panic.
pub(crate) fn column<'a, T: ::postgres::types::FromSql<'a>>(
    row: &'a ::postgres::Row,
    index: usize,
) -> Result<T, StoreError> {
    row.try_get(index)
        .map_err(|error| corrupt(0, findings::other_schema(error)))
}

/// A `limit` as SQL takes it.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl PgReader {
    fn entry_hash(&self, position: u64) -> Result<Sha256, StoreError> {
        if position == 0 {
            return Ok(Sha256::ZERO);
        }
        let key = sql_position(position)?;
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT substring(entry FROM 1 FOR 32) FROM log_entries WHERE position = $1",
                &[&key],
            )
        })?;
        match rows.first() {
            Some(row) => hash_of(position, column(row, 0)?),
            None => Err(corrupt(position, findings::entry_missing())),
        }
    }

    /// The keys of the state rows from `start` (inclusive) to `end` (exclusive), in
    /// key order, at most `limit`.
    fn state_keys_between(
        &self,
        start: &[u8],
        end: &[u8],
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT key FROM state_rows WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3",
                &[&start, &end, &sql_limit(limit)],
            )
        })?;
        rows.iter().map(|row| column(row, 0)).collect()
    }

    /// The values of every state row under a one-byte prefix.
    fn state_values_under(&self, prefix: u8) -> Result<Vec<Vec<u8>>, StoreError> {
        let (start, end) = ([prefix], [prefix + 1]);
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT value FROM state_rows WHERE key >= $1 AND key < $2 ORDER BY key",
                &[&&start[..], &&end[..]],
            )
        })?;
        rows.iter().map(|row| column(row, 0)).collect()
    }

    /// The feed items at `position` after member `after`, leaving out `skip` more.
    fn feed_items_at(
        &self,
        position: i64,
        after: Option<Uuid>,
        skip: u32,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT item FROM feed_items WHERE position = $1 AND ($2::uuid IS NULL OR member_id > $2) \
                 ORDER BY member_id OFFSET $3 LIMIT $4",
                &[&position, &after, &i64::from(skip), &sql_limit(limit)],
            )
        })?;
        rows.iter().map(|row| column(row, 0)).collect()
    }
}

/// Where a paged read continues.
enum Cursor {
    /// The log from a position.
    Log { next: i64, chain: LogChain },
    /// A stream from a version.
    Stream {
        name: String,
        next: i64,
        chain: StreamChain,
    },
}

/// A log or stream read a page at a time, each entry checked as it is taken.
struct Pages<'a> {
    reader: &'a PgReader,
    cursor: Cursor,
    /// Fetched rows not taken yet: position, version, entry.
    buffer: VecDeque<(i64, i64, Vec<u8>)>,
    page_rows: i64,
    /// No row is left after the buffer (a short page), or a fetch failed.
    done: bool,
}

impl Pages<'_> {
    fn fetch(&mut self) -> Result<(), StoreError> {
        let limit = self.page_rows;
        self.page_rows = (self.page_rows * 2).min(LOG_PAGE_ROWS_MAX);
        let rows = match &self.cursor {
            Cursor::Log { next, .. } => self.reader.pool.with(|connection| {
                connection.query(
                    "SELECT position, version, entry FROM log_entries WHERE position >= $1 ORDER BY position LIMIT $2",
                    &[next, &limit],
                )
            })?,
            Cursor::Stream { name, next, .. } => self.reader.pool.with(|connection| {
                connection.query(
                    "SELECT position, version, entry FROM log_entries WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3",
                    &[name, next, &limit],
                )
            })?,
        };
        self.done = i64::try_from(rows.len()).unwrap_or(i64::MAX) < limit;
        for row in &rows {
            let (position, version): (i64, i64) = (column(row, 0)?, column(row, 1)?);
            match &mut self.cursor {
                Cursor::Log { next, .. } => *next = position.saturating_add(1),
                Cursor::Stream { next, .. } => *next = version.saturating_add(1),
            }
            self.buffer.push_back((position, version, column(row, 2)?));
        }
        Ok(())
    }

    fn check(&mut self, position: i64, version: i64, entry: &[u8]) -> Result<Envelope, StoreError> {
        let position = position_of(position)?;
        let envelope = decode_entry(position, entry)?;
        match &mut self.cursor {
            Cursor::Log { chain, .. } => chain.check(envelope),
            Cursor::Stream { chain, .. } => chain.check(position, position_of(version)?, envelope),
        }
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<Envelope, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() && !self.done {
            if let Err(error) = self.fetch() {
                self.done = true;
                return Some(Err(error));
            }
        }
        let (position, version, entry) = self.buffer.pop_front()?;
        Some(self.check(position, version, &entry))
    }
}

impl EventLog for PgReader {
    fn head(&self) -> Result<(u64, Sha256), StoreError> {
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT position, substring(entry FROM 1 FOR 32) FROM log_entries ORDER BY position DESC LIMIT 1",
                &[],
            )
        })?;
        match rows.first() {
            None => Ok((0, Sha256::ZERO)),
            Some(row) => {
                let position = position_of(column(row, 0)?)?;
                Ok((position, hash_of(position, column(row, 1)?)?))
            }
        }
    }

    fn read_log(&self, from: u64) -> EnvelopeIter<'_> {
        let from = from.max(1);
        // Beyond the head there is simply nothing yet: not damage.
        let start = self.head().and_then(|(head, _)| {
            if from > head {
                return Ok(None);
            }
            Ok(Some((sql_position(from)?, self.entry_hash(from - 1)?)))
        });
        let (next, previous) = match start {
            Ok(Some(start)) => start,
            Ok(None) => return Box::new(std::iter::empty()),
            Err(error) => return Box::new(std::iter::once(Err(error))),
        };
        Box::new(Pages {
            reader: self,
            cursor: Cursor::Log {
                next,
                chain: LogChain {
                    expected: from,
                    previous,
                },
            },
            buffer: VecDeque::new(),
            page_rows: LOG_PAGE_ROWS_FIRST,
            done: false,
        })
    }

    fn read_stream(&self, stream: &StreamId) -> EnvelopeIter<'_> {
        let name = stream.name();
        Box::new(Pages {
            reader: self,
            cursor: Cursor::Stream {
                chain: StreamChain::new(name.clone()),
                name,
                next: 1,
            },
            buffer: VecDeque::new(),
            page_rows: LOG_PAGE_ROWS_FIRST,
            done: false,
        })
    }

    fn command_span(&self, command_id: Uuid) -> Result<Option<CommandSpan>, StoreError> {
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT first_position, event_count, body_digest FROM commands WHERE command_id = $1",
                &[&command_id],
            )
        })?;
        rows.first()
            .map(|row| command_span_of(command_id, row))
            .transpose()
    }

    fn command_spans(
        &self,
        command_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, CommandSpan>, StoreError> {
        if command_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT first_position, event_count, body_digest, command_id FROM commands \
                 WHERE command_id = ANY($1)",
                &[&command_ids],
            )
        })?;
        rows.iter()
            .map(|row| {
                let command_id: Uuid = column(row, 3)?;
                Ok((command_id, command_span_of(command_id, row)?))
            })
            .collect()
    }

    fn command_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let rows = self
            .pool
            .with(|connection| connection.query("SELECT command_id FROM commands", &[]))?;
        rows.iter().map(|row| column(row, 0)).collect()
    }

    /// Here the index is the log table's unique (stream, version) index, read in its
    /// order a page at a time.
    fn stream_index(&self) -> IndexedIter<'_> {
        Box::new(IndexPages {
            reader: self,
            after: None,
            buffer: VecDeque::new(),
            done: false,
        })
    }
}

/// Index entries a page of `stream_index` fetches.
const INDEX_PAGE_ROWS: i64 = 4096;

/// `stream_index` read a page at a time, each page after the last (stream, version).
struct IndexPages<'a> {
    reader: &'a PgReader,
    after: Option<(String, i64)>,
    buffer: VecDeque<Indexed>,
    done: bool,
}

impl IndexPages<'_> {
    fn fetch(&mut self) -> Result<(), StoreError> {
        let rows = self.reader.pool.with(|connection| match &self.after {
            None => connection.query(
                "SELECT stream, version, position FROM log_entries ORDER BY stream, version LIMIT $1",
                &[&INDEX_PAGE_ROWS],
            ),
            Some((stream, version)) => connection.query(
                "SELECT stream, version, position FROM log_entries WHERE (stream, version) > ($1, $2) ORDER BY stream, version LIMIT $3",
                &[stream, version, &INDEX_PAGE_ROWS],
            ),
        })?;
        self.done = (rows.len() as i64) < INDEX_PAGE_ROWS;
        for row in &rows {
            let stream: String = column(row, 0)?;
            let version: i64 = column(row, 1)?;
            let position = position_of(column(row, 2)?)?;
            self.after = Some((stream.clone(), version));
            self.buffer.push_back(Indexed {
                stream,
                version: position_of(version)?,
                position,
            });
        }
        Ok(())
    }
}

impl Iterator for IndexPages<'_> {
    type Item = Result<Indexed, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() && !self.done {
            if let Err(error) = self.fetch() {
                self.done = true;
                return Some(Err(error));
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}

impl StateRows for PgReader {
    fn read_state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        let key = state_key(key);
        let rows = self.pool.with(|connection| {
            connection.query("SELECT value FROM state_rows WHERE key = $1", &[&key])
        })?;
        rows.first().map(|row| column(row, 0)).transpose()
    }

    fn read_states(&self, keys: &[StateKey]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<Vec<u8>> = keys.iter().map(state_key).collect();
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT key, value FROM state_rows WHERE key = ANY($1)",
                &[&keys],
            )
        })?;
        let mut found: HashMap<Vec<u8>, Vec<u8>> = HashMap::with_capacity(rows.len());
        for row in &rows {
            found.insert(column(row, 0)?, column(row, 1)?);
        }
        Ok(keys.iter().map(|key| found.get(key).cloned()).collect())
    }

    fn members_page(
        &self,
        index: MemberIndex,
        region: &RegionName,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<Uuid>, StoreError> {
        let (prefix, what) = member_index_prefix(index, region);
        let (start, end) = member_page_bounds(&prefix, after);
        let keys = self.state_keys_between(&start, &end, limit)?;
        keys.iter()
            .map(|key| member_id_of_key(key, prefix.len(), what, region))
            .collect()
    }

    fn closing_rows(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.state_values_under(PREFIX_CLOSING)
    }

    fn region_rows(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.state_values_under(PREFIX_REGION)
    }

    fn member_row_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let keys = self.state_keys_between(&[PREFIX_MEMBER], &[PREFIX_MEMBER + 1], usize::MAX)?;
        keys.iter()
            .map(|key| {
                Uuid::from_slice(key.get(1..).unwrap_or_default())
                    .map_err(|_| corrupt(0, findings::key_without_id(char::from(PREFIX_MEMBER))))
            })
            .collect()
    }
}

impl FeedRows for PgReader {
    fn coverage_changes_page(
        &self,
        position: u64,
        after: Option<Uuid>,
        skip: u32,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let position = sql_position(position)?;
        // Only items at `position` are skipped: an ordinal past its last item must not
        // swallow the next position's.
        let mut items = self.feed_items_at(position, after, skip, limit)?;
        if items.len() < limit {
            let rest = sql_limit(limit - items.len());
            let rows = self.pool.with(|connection| {
                connection.query(
                    "SELECT item FROM feed_items WHERE position > $1 ORDER BY position, member_id LIMIT $2",
                    &[&position, &rest],
                )
            })?;
            for row in &rows {
                items.push(column(row, 0)?);
            }
        }
        Ok(items)
    }
}

impl Checkpoints for PgReader {
    fn audit_checkpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let rows = self.pool.with(|connection| {
            connection.query(
                "SELECT tree_size, checkpoint FROM audit_checkpoints ORDER BY tree_size",
                &[],
            )
        })?;
        rows.iter()
            .map(|row| Ok((position_of(column(row, 0)?)?, column(row, 1)?)))
            .collect()
    }
}

/// A `commands` row (first position, event count, body digest in its first three
/// columns) as a span, checked.
fn command_span_of(command_id: Uuid, row: &::postgres::Row) -> Result<CommandSpan, StoreError> {
    let body_digest = match column::<Option<Vec<u8>>>(row, 2)? {
        None => None,
        Some(digest) => {
            Some(Sha256(digest.try_into().map_err(|_| {
                corrupt(0, findings::command_digest_length(command_id))
            })?))
        }
    };
    Ok(CommandSpan {
        first_position: position_of(column(row, 0)?)?,
        event_count: position_of(column(row, 1)?)?,
        body_digest,
    })
}
