//! The second ceiling of (a): every row the ledger's bulk import wrote, in the ledger's
//! own transactions, with none of the ledger's work.
//!
//! The first ceiling (`pg.rs`) writes the log entries and command records alone. The
//! ledger writes more in each append's transaction: each touched member's state row
//! (an upsert), the feed's coverage items and the head witness. Those rows are storage,
//! not logic (the invariant that state rows equal a fold of the log is kept by writing
//! them with the events), so this ceiling writes them too, to tell what the rows cost
//! the server from what the ledger's reads, decisions and hashing cost.
//!
//! To write exactly the rows the ledger wrote, transaction by transaction, the bench
//! imports the region once more, untimed, with a trigger on `state_rows` that copies
//! every row the ledger inserts, updates or deletes (an upsert that leaves equal bytes
//! updates nothing and fires nothing) with its transaction id. Log entries, command
//! records and feed items are insert-only, so their `xmin` names their transaction. The
//! ceiling then replays those transactions, in order, into tables of the same shapes
//! (`state_rows` at the same fillfactor) with the same statements: one multi-row
//! `INSERT … SELECT FROM unnest(…)` per table, the state rows' removals then upsert, the
//! head's `UPDATE`, and `COMMIT` with `synchronous_commit = on`.

use crate::pg::{LogInserts, RawCommand, RawEvent};
use crate::raw_sled::Throughput;
use crate::{bulk_submit, BenchResult};
use postgres::{Client, Statement};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

/// The capture's table and trigger function, and the ceiling's tables: the bench's
/// names, dropped by `pg::reset` (the test checks none is left).
pub const CAPTURE_TABLE: &str = "flexledger_bench_capture";
const CAPTURE_FUNCTION: &str = "flexledger_bench_capture_row";
pub const EVERY_ROW_TABLES: [&str; 5] = [
    "flexledger_bench_all_log",
    "flexledger_bench_all_commands",
    "flexledger_bench_all_state",
    "flexledger_bench_all_feed",
    "flexledger_bench_all_head",
];
/// The capture: every row written to `state_rows`, in order, with its transaction (the
/// 32-bit xid that `xmin` holds, so the two compare), NULL value for a removal.
const CAPTURE_SCHEMA: &str = "
CREATE TABLE flexledger_bench_capture (
    seq   bigserial PRIMARY KEY,
    tx    bigint NOT NULL DEFAULT (txid_current() % 4294967296),
    key   bytea  NOT NULL,
    value bytea
);
CREATE OR REPLACE FUNCTION flexledger_bench_capture_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO flexledger_bench_capture (key, value) VALUES (OLD.key, NULL);
        RETURN OLD;
    END IF;
    INSERT INTO flexledger_bench_capture (key, value) VALUES (NEW.key, NEW.value);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER flexledger_bench_capture AFTER INSERT OR UPDATE OR DELETE ON state_rows
    FOR EACH ROW EXECUTE FUNCTION flexledger_bench_capture_row();";
/// The ceiling's tables beyond the first ceiling's two (`pg::RAW_SCHEMA`, renamed):
/// the shapes of `migrations/postgres/` (0001, and 0002's fillfactor), under the
/// bench's names.
const STATE_FEED_HEAD_SCHEMA: &str = "
CREATE TABLE flexledger_bench_all_state (
    key   bytea PRIMARY KEY,
    value bytea NOT NULL
) WITH (fillfactor = 70);
CREATE TABLE flexledger_bench_all_feed (
    position  bigint NOT NULL,
    member_id uuid   NOT NULL,
    item      bytea  NOT NULL,
    PRIMARY KEY (position, member_id)
);
CREATE TABLE flexledger_bench_all_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL,
    hash      bytea   NOT NULL
);
INSERT INTO flexledger_bench_all_head (singleton, position, hash)
VALUES (true, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);";

/// Every table of the ceiling: the log and command records as the first ceiling's,
/// and the rest.
fn every_row_schema() -> String {
    crate::pg::RAW_SCHEMA.replace("flexledger_bench_raw_", "flexledger_bench_all_")
        + STATE_FEED_HEAD_SCHEMA
}

/// Bytes of an entry's leading hash: what the head row keeps of the last entry.
const HASH_BYTES: usize = 32;

/// Drops the capture and the ceiling's tables (and the trigger with the capture's
/// function): before a run, and by `pg::reset`.
pub fn drop_all(client: &mut Client) -> BenchResult<()> {
    client.batch_execute(&format!(
        "DROP TABLE IF EXISTS {CAPTURE_TABLE}, {}; DROP FUNCTION IF EXISTS {CAPTURE_FUNCTION}() CASCADE",
        EVERY_ROW_TABLES.join(", ")
    ))?;
    Ok(())
}

/// One transaction of the ledger's import, as it reached the tables.
#[derive(Default)]
struct Captured {
    log: Vec<RawEvent>,
    commands: Vec<(Uuid, RawCommand)>,
    /// the last write of each key: Some(value) upserted, None removed
    state: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// position, member id, item
    feed: Vec<(i64, Uuid, Vec<u8>)>,
}

/// Imports `workload` into the empty ledger at `url` with the capture in place
/// (untimed), and returns its transactions in commit order (the writer's transactions
/// are one at a time, so xids run in commit order) and how many events they hold.
fn capture(url: &str, workload: &Path, lines: u64) -> BenchResult<(Vec<Captured>, u64)> {
    let ledger = crate::pg::empty_ledger(url)?;
    let mut client = crate::pg::connect(url)?;
    drop_all(&mut client)?;
    client.batch_execute(CAPTURE_SCHEMA)?;
    let bulk = bulk_submit(ledger, workload, lines)?;
    let mut by_tx: BTreeMap<i64, Captured> = BTreeMap::new();
    for row in client.query(
        "SELECT xmin::text::bigint, position, stream, version, command_id, entry FROM log_entries ORDER BY position",
        &[],
    )? {
        let tx = by_tx.entry(row.get(0)).or_default();
        tx.log.push(RawEvent {
            position: row.get(1),
            stream: row.get(2),
            version: row.get(3),
            command_id: row.get(4),
            entry: row.get(5),
        });
    }
    for row in client.query(
        "SELECT xmin::text::bigint, command_id, first_position, event_count, body_digest FROM commands ORDER BY first_position",
        &[],
    )? {
        let tx = by_tx.entry(row.get(0)).or_default();
        let record = RawCommand {
            first_position: row.get(2),
            event_count: row.get(3),
            body_digest: row.get(4),
        };
        tx.commands.push((row.get(1), record));
    }
    for row in client.query(
        "SELECT xmin::text::bigint, position, member_id, item FROM feed_items ORDER BY position, member_id",
        &[],
    )? {
        let tx = by_tx.entry(row.get(0)).or_default();
        tx.feed.push((row.get(1), row.get(2), row.get(3)));
    }
    let captured = format!("SELECT tx, key, value FROM {CAPTURE_TABLE} ORDER BY seq");
    for row in client.query(captured.as_str(), &[])? {
        let tx = by_tx.entry(row.get(0)).or_default();
        tx.state.insert(row.get(1), row.get(2));
    }
    drop_all(&mut client)?;
    Ok((by_tx.into_values().collect(), bulk.throughput.events))
}

/// The ceiling's connection, its statements prepared as the engine's are written.
struct Statements {
    inserts: LogInserts,
    removed: Statement,
    upserted: Statement,
    feed: Statement,
    head: Statement,
}

fn prepare(client: &mut Client) -> BenchResult<Statements> {
    Ok(Statements {
        inserts: LogInserts::prepare(client, "flexledger_bench_all_")?,
        removed: client.prepare("DELETE FROM flexledger_bench_all_state WHERE key = ANY($1)")?,
        upserted: client.prepare(
            "INSERT INTO flexledger_bench_all_state (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value \
             WHERE flexledger_bench_all_state.value IS DISTINCT FROM EXCLUDED.value",
        )?,
        feed: client.prepare(
            "INSERT INTO flexledger_bench_all_feed (position, member_id, item) \
             SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bytea[])",
        )?,
        head: client.prepare("UPDATE flexledger_bench_all_head SET position = $1, hash = $2")?,
    })
}

/// One captured transaction written again, committed.
fn write(client: &mut Client, statements: &Statements, tx: &Captured) -> BenchResult<()> {
    let records: Vec<(Uuid, &RawCommand)> = tx
        .commands
        .iter()
        .map(|(id, record)| (*id, record))
        .collect();
    let mut transaction = client.transaction()?;
    statements
        .inserts
        .insert(&mut transaction, &tx.log, &records)?;
    let removed: Vec<&[u8]> = tx
        .state
        .iter()
        .filter(|(_, value)| value.is_none())
        .map(|(key, _)| key.as_slice())
        .collect();
    if !removed.is_empty() {
        transaction.execute(&statements.removed, &[&removed])?;
    }
    let (keys, values): (Vec<&[u8]>, Vec<&[u8]>) = tx
        .state
        .iter()
        .filter_map(|(key, value)| Some((key.as_slice(), value.as_deref()?)))
        .unzip();
    if !keys.is_empty() {
        transaction.execute(&statements.upserted, &[&keys, &values])?;
    }
    if !tx.feed.is_empty() {
        let positions: Vec<i64> = tx.feed.iter().map(|item| item.0).collect();
        let members: Vec<Uuid> = tx.feed.iter().map(|item| item.1).collect();
        let items: Vec<&[u8]> = tx.feed.iter().map(|item| item.2.as_slice()).collect();
        transaction.execute(&statements.feed, &[&positions, &members, &items])?;
    }
    if let Some(last) = tx.log.last() {
        let hash = &last.entry[..HASH_BYTES.min(last.entry.len())];
        transaction.execute(&statements.head, &[&last.position, &hash])?;
    }
    transaction.commit()?;
    Ok(())
}

/// What the every-row ceiling measured: its rate, the WAL it wrote, its tables' bytes,
/// and the transactions it replayed.
pub struct EveryRow {
    pub throughput: Throughput,
    pub wal: u64,
    pub bytes: u64,
    pub transactions: usize,
    /// (state row writes, feed items) over the whole import: what it adds to the first
    /// ceiling's rows.
    pub state_writes: usize,
    pub feed_items: usize,
}

/// Captures the ledger's import of `workload` and writes its transactions again into
/// the ceiling's tables, timed, on a cluster holding nothing else (the capture's
/// ledger tables are emptied first); leaves an empty migrated ledger.
pub fn measure(url: &str, workload: &Path, lines: u64, events: u64) -> BenchResult<EveryRow> {
    eprintln!("raw PostgreSQL ceiling of every row: capturing the import's transactions ...");
    let (transactions, captured) = capture(url, workload, lines)?;
    if captured != events {
        return Err(format!(
            "the capture's import wrote {captured} events and the timed one {events}: not the same import"
        )
        .into());
    }
    // The capture's ledger tables go before the clock starts: left in the cluster,
    // their autovacuum would run beside the ceiling and add to the WAL counted.
    crate::pg::reset(url)?;
    let mut client = crate::pg::connect(url)?;
    client.batch_execute(&every_row_schema())?;
    crate::pg::checkpoint(&mut client);
    let lsn = crate::pg::wal_lsn(&mut client)?;
    let mut writer = crate::pg::connect(url)?;
    let statements = prepare(&mut writer)?;
    let started = Instant::now();
    for tx in &transactions {
        write(&mut writer, &statements, tx)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let wal = crate::pg::wal_since(&mut client, &lsn)?;
    let bytes = crate::pg::table_bytes(&mut client, &EVERY_ROW_TABLES)?;
    drop_all(&mut client)?;
    Ok(EveryRow {
        throughput: Throughput { events, seconds },
        wal,
        bytes,
        transactions: transactions.len(),
        state_writes: transactions.iter().map(|tx| tx.state.len()).sum(),
        feed_items: transactions.iter().map(|tx| tx.feed.len()).sum(),
    })
}
