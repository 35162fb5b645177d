//! `flexledger-bench --store URL`: the ledger's measurements on the PostgreSQL engine,
//! each beside a raw PostgreSQL ceiling measured in the same run, so that the engine's
//! cost is a ratio (absolute numbers on a shared 2-core machine are noise).
//!
//! The ceiling writes the rows the ledger stored, read back from its tables: each log
//! entry (the same bytes, with its position, stream, version and command id) and each
//! command record, into two tables of the same shape as `log_entries` and `commands`
//! (same keys, same UNIQUE (stream, version), same checks), with one multi-row
//! `INSERT … SELECT FROM unnest(arrays)` per table per transaction as the engine does,
//! in the same transactions: the ledger's batches for the bulk import, one command per
//! commit for the single-writer latency, and `--appenders` connections each committing
//! one command at a time for the concurrent case (the server's own group commit).
//! Every session runs with `synchronous_commit = on`, as the engine's writer does. What
//! the ceiling leaves out is the ledger: the reads before a write (head, stream heads,
//! command ids seen), deciding, sealing and hashing, state rows, feed rows and the head
//! row.
//!
//! Every measurement starts from an empty store, as on sled: the bench drops the
//! ledger's tables and migrates again between them (`flexledger::store::postgres::
//! migrate`), and leaves an empty migrated ledger. So it refuses a database whose ledger
//! holds events. A `CHECKPOINT` starts every measurement, ledger's (before its setup,
//! where it has one) or ceiling's, so each starts with no full-page-write debt left by
//! the one before (skipped, with a note, for a user who may not checkpoint).

use crate::pg_rows::EveryRow;
use crate::raw_sled::{latency_of, Latency, Throughput};
use crate::{
    bulk_submit, concurrent, member_id, member_reads, mib, ratio, row, rss_bytes,
    single_writer_latency, write_region, Args, BenchResult, Bulk, Concurrent,
};
use flexledger::domain::StreamId;
use flexledger::ledger::{fold_log, Ledger};
use flexledger::store::{Location, PgStore};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Statement, Transaction};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

/// The ledger's tables and the migrations record: dropped, then migrated again, to
/// empty the store.
fn ledger_tables() -> Vec<&'static str> {
    let tables = flexledger::store::postgres::PG_LEDGER_TABLES
        .iter()
        .copied();
    tables.chain(["schema_migrations"]).collect()
}
/// The ceiling's tables: `log_entries` and `commands` again, under names of the bench.
const RAW_TABLES: [&str; 2] = ["flexledger_bench_raw_log", "flexledger_bench_raw_commands"];
pub(crate) const RAW_SCHEMA: &str = "
CREATE TABLE flexledger_bench_raw_log (
    position   bigint PRIMARY KEY CHECK (position > 0),
    stream     text   NOT NULL,
    version    bigint NOT NULL CHECK (version > 0),
    command_id uuid   NOT NULL,
    entry      bytea  NOT NULL,
    UNIQUE (stream, version)
);
CREATE TABLE flexledger_bench_raw_commands (
    command_id     uuid   PRIMARY KEY,
    first_position bigint NOT NULL,
    event_count    bigint NOT NULL,
    body_digest    bytea
);";
/// Fixed seed of the ceiling's stream picks (as `member_reads`'): the same members.
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// A connection of the bench's own, committing as the engine's writer does.
pub(crate) fn connect(url: &str) -> BenchResult<Client> {
    let mut client = url.parse::<postgres::Config>()?.connect(NoTls)?;
    client.batch_execute("SET synchronous_commit = on")?;
    Ok(client)
}

/// Refuses a database whose ledger holds events (the bench empties it).
pub fn check_empty(url: &str) -> BenchResult<()> {
    let mut client = connect(url)?;
    let head: Option<i64> = client
        .query_one(
            "SELECT CASE WHEN to_regclass('head') IS NULL THEN NULL ELSE 0 END::bigint",
            &[],
        )?
        .get(0);
    if head.is_some() {
        let position: i64 = client.query_one("SELECT position FROM head", &[])?.get(0);
        if position > 0 {
            return Err(format!(
                "the database holds a ledger of {position} events, and the bench empties its database: give it a new one"
            )
            .into());
        }
    }
    Ok(())
}

/// Drops the ledger's tables and the ceiling's, and migrates: an empty store.
pub fn reset(url: &str) -> BenchResult<()> {
    let mut client = connect(url)?;
    let tables: Vec<&str> = ledger_tables().into_iter().chain(RAW_TABLES).collect();
    client.batch_execute(&format!("DROP TABLE IF EXISTS {}", tables.join(", ")))?;
    crate::pg_rows::drop_all(&mut client)?;
    drop(client);
    flexledger::store::postgres::migrate(url)?;
    Ok(())
}

/// A ledger on an empty store at `url`.
pub fn empty_ledger(url: &str) -> BenchResult<Ledger> {
    reset(url)?;
    Ok(Ledger::open_at(&Location::Postgres(url.to_owned()))?)
}

/// A CHECKPOINT, so that a timed write starts with no full-page-write debt; a user who
/// may not checkpoint gets a note instead.
pub(crate) fn checkpoint(client: &mut Client) {
    if let Err(error) = client.batch_execute("CHECKPOINT") {
        eprintln!("note: no CHECKPOINT before a timed write ({error})");
    }
}

pub(crate) fn wal_lsn(client: &mut Client) -> BenchResult<String> {
    Ok(client
        .query_one("SELECT pg_current_wal_lsn()::text", &[])?
        .get(0))
}

/// WAL bytes written by the whole cluster since `lsn` (a throwaway cluster: the run's).
pub(crate) fn wal_since(client: &mut Client, lsn: &str) -> BenchResult<u64> {
    let bytes: i64 = client
        .query_one(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::text::pg_lsn)::bigint",
            &[&lsn],
        )?
        .get(0);
    Ok(u64::try_from(bytes)?)
}

/// Heap, TOAST and index bytes of `tables` (`pg_total_relation_size`).
pub(crate) fn table_bytes(client: &mut Client, tables: &[&str]) -> BenchResult<u64> {
    let bytes: i64 = client
        .query_one(
            "SELECT coalesce(sum(pg_total_relation_size(to_regclass(t))), 0)::bigint FROM unnest($1::text[]) t",
            &[&tables],
        )?
        .get(0);
    Ok(u64::try_from(bytes)?)
}

/// The server's time executing one measurement's statements, by what they touch
/// (`pg_stat_statements`, when the server loads it): where the time of an append goes
/// on the server's side, which the client's clock cannot tell from its own work.
struct StatementTime {
    /// (what, milliseconds), in `STATEMENT_KINDS` order, then everything else.
    by_kind: Vec<(&'static str, f64)>,
}

/// How statements are grouped: the first pattern a statement's text contains.
const STATEMENT_KINDS: [(&str, &str); 6] = [
    ("state rows", "state_rows"),
    ("log entries", "INSERT INTO log_entries"),
    ("command records", "INSERT INTO commands"),
    ("feed items", "feed_items"),
    ("the ceiling's inserts", "flexledger_bench_raw_"),
    ("reads", "SELECT"),
];

impl StatementTime {
    fn total_ms(&self) -> f64 {
        self.by_kind.iter().map(|(_, ms)| ms).sum()
    }
}

/// Zeroes `pg_stat_statements`; false when the server does not load it (then no
/// statement time is reported).
fn reset_statement_times(client: &mut Client) -> bool {
    client
        .batch_execute("SELECT pg_stat_statements_reset()")
        .is_ok()
}

/// The statements' execution time in this database since the last reset.
fn statement_times(client: &mut Client) -> BenchResult<StatementTime> {
    let rows = client.query(
        "SELECT query, total_exec_time FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
        &[],
    )?;
    let mut by_kind: Vec<(&'static str, f64)> = STATEMENT_KINDS
        .iter()
        .map(|(what, _)| (*what, 0.0))
        .collect();
    by_kind.push(("other", 0.0));
    for row in rows {
        let query: String = row.get(0);
        let ms: f64 = row.get(1);
        let kind = STATEMENT_KINDS
            .iter()
            .position(|(_, pattern)| query.contains(pattern))
            .unwrap_or(STATEMENT_KINDS.len());
        by_kind[kind].1 += ms;
    }
    Ok(StatementTime { by_kind })
}

/// One stored log entry, as `log_entries` holds it.
pub(crate) struct RawEvent {
    pub(crate) position: i64,
    pub(crate) stream: String,
    pub(crate) version: i64,
    pub(crate) command_id: Uuid,
    pub(crate) entry: Vec<u8>,
}

/// One stored command record, as `commands` holds it.
pub(crate) struct RawCommand {
    pub(crate) first_position: i64,
    pub(crate) event_count: i64,
    pub(crate) body_digest: Option<Vec<u8>>,
}

/// The rows the ledger stored after some position: what the ceiling writes again.
struct Stored {
    events: Vec<RawEvent>,
    commands: HashMap<Uuid, RawCommand>,
}

/// The ledger's rows after position `after`, in log order.
fn stored_after(client: &mut Client, after: u64) -> BenchResult<Stored> {
    let after = i64::try_from(after)?;
    let events = client
        .query(
            "SELECT position, stream, version, command_id, entry FROM log_entries WHERE position > $1 ORDER BY position",
            &[&after],
        )?
        .iter()
        .map(|row| RawEvent {
            position: row.get(0),
            stream: row.get(1),
            version: row.get(2),
            command_id: row.get(3),
            entry: row.get(4),
        })
        .collect();
    let commands = client
        .query(
            "SELECT command_id, first_position, event_count, body_digest FROM commands WHERE first_position > $1",
            &[&after],
        )?
        .iter()
        .map(|row| {
            let command = RawCommand {
                first_position: row.get(1),
                event_count: row.get(2),
                body_digest: row.get(3),
            };
            (row.get(0), command)
        })
        .collect();
    Ok(Stored { events, commands })
}

/// The rows of one transaction of the ceiling: a run of events, and the command
/// records first named by them.
struct Unit {
    events: Range<usize>,
    commands: Vec<Uuid>,
}

/// The stored rows cut into transactions of `sizes` events (the ledger's batches).
fn units_by_batch(stored: &Stored, sizes: &[usize]) -> Vec<Unit> {
    let mut seen = HashSet::new();
    let mut start = 0;
    let mut units = Vec::with_capacity(sizes.len());
    for size in sizes {
        let events = start..(start + size).min(stored.events.len());
        start = events.end;
        let commands = stored.events[events.clone()]
            .iter()
            .map(|event| event.command_id)
            .filter(|id| stored.commands.contains_key(id) && seen.insert(*id))
            .collect();
        units.push(Unit { events, commands });
    }
    units
}

/// The stored rows cut into one transaction per command (its events and its record).
fn units_by_command(stored: &Stored) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for (index, event) in stored.events.iter().enumerate() {
        match units.last_mut() {
            Some(unit) if stored.events[unit.events.start].command_id == event.command_id => {
                unit.events.end = index + 1;
            }
            _ => units.push(Unit {
                events: index..index + 1,
                commands: Vec::from_iter(
                    stored
                        .commands
                        .contains_key(&event.command_id)
                        .then_some(event.command_id),
                ),
            }),
        }
    }
    units
}

/// The log-entry and command-record inserts as the engine makes them
/// (`store/postgres/write.rs`: one `INSERT … SELECT FROM unnest(…)` each), into the
/// bench's tables `{prefix}log` and `{prefix}commands`, prepared on one connection.
pub(crate) struct LogInserts {
    log: Statement,
    commands: Statement,
}

impl LogInserts {
    pub(crate) fn prepare(client: &mut Client, prefix: &str) -> BenchResult<LogInserts> {
        Ok(LogInserts {
            log: client.prepare(&format!(
                "INSERT INTO {prefix}log (position, stream, version, command_id, entry) \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::bytea[])"
            ))?,
            commands: client.prepare(&format!(
                "INSERT INTO {prefix}commands (command_id, first_position, event_count, body_digest) \
                 SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bytea[])"
            ))?,
        })
    }

    /// Inserts `events`, then `records`, in `transaction` (an empty list, nothing).
    pub(crate) fn insert(
        &self,
        transaction: &mut Transaction<'_>,
        events: &[RawEvent],
        records: &[(Uuid, &RawCommand)],
    ) -> BenchResult<()> {
        if !events.is_empty() {
            let positions: Vec<i64> = events.iter().map(|event| event.position).collect();
            let streams: Vec<&str> = events.iter().map(|event| event.stream.as_str()).collect();
            let versions: Vec<i64> = events.iter().map(|event| event.version).collect();
            let ids: Vec<Uuid> = events.iter().map(|event| event.command_id).collect();
            let entries: Vec<&[u8]> = events.iter().map(|event| event.entry.as_slice()).collect();
            transaction.execute(
                &self.log,
                &[&positions, &streams, &versions, &ids, &entries],
            )?;
        }
        if !records.is_empty() {
            let ids: Vec<Uuid> = records.iter().map(|(id, _)| *id).collect();
            let firsts: Vec<i64> = records
                .iter()
                .map(|(_, record)| record.first_position)
                .collect();
            let counts: Vec<i64> = records
                .iter()
                .map(|(_, record)| record.event_count)
                .collect();
            let digests: Vec<Option<&[u8]>> = records
                .iter()
                .map(|(_, record)| record.body_digest.as_deref())
                .collect();
            transaction.execute(&self.commands, &[&ids, &firsts, &counts, &digests])?;
        }
        Ok(())
    }
}

/// A connection writing the ceiling's tables, its two statements prepared.
struct RawWriter {
    client: Client,
    inserts: LogInserts,
}

impl RawWriter {
    fn open(url: &str) -> BenchResult<RawWriter> {
        let mut client = connect(url)?;
        let inserts = LogInserts::prepare(&mut client, "flexledger_bench_raw_")?;
        Ok(RawWriter { client, inserts })
    }

    /// One transaction: the unit's events, then its command records; committed.
    fn write(&mut self, stored: &Stored, unit: &Unit) -> BenchResult<()> {
        let records: Vec<(Uuid, &RawCommand)> = unit
            .commands
            .iter()
            .filter_map(|id| Some((*id, stored.commands.get(id)?)))
            .collect();
        let mut transaction = self.client.transaction()?;
        let events = &stored.events[unit.events.clone()];
        self.inserts.insert(&mut transaction, events, &records)?;
        transaction.commit()?;
        Ok(())
    }
}

/// New, empty ceiling tables.
fn raw_tables(url: &str) -> BenchResult<Client> {
    let mut client = connect(url)?;
    client.batch_execute(&format!(
        "DROP TABLE IF EXISTS {}; {RAW_SCHEMA}",
        RAW_TABLES.join(", ")
    ))?;
    checkpoint(&mut client);
    Ok(client)
}

/// (a) ceiling: the units one after the other on one connection.
fn raw_append(url: &str, stored: &Stored, units: &[Unit]) -> BenchResult<Throughput> {
    let mut writer = RawWriter::open(url)?;
    let started = Instant::now();
    for unit in units {
        writer.write(stored, unit)?;
    }
    Ok(Throughput {
        events: units.iter().map(|unit| unit.events.len() as u64).sum(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// (b) ceiling: `connections` connections (opened before the clock starts), unit `i`
/// on connection `i % connections`, each committing one unit at a time; commands/s.
fn raw_concurrent(
    url: &str,
    stored: &Stored,
    units: &[Unit],
    connections: usize,
) -> BenchResult<Throughput> {
    let writers = (0..connections)
        .map(|_| RawWriter::open(url))
        .collect::<BenchResult<Vec<_>>>()?;
    let barrier = std::sync::Barrier::new(connections + 1);
    let (started, outcomes) = std::thread::scope(|scope| {
        let threads: Vec<_> = writers
            .into_iter()
            .enumerate()
            .map(|(index, mut writer)| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    for unit in units.iter().skip(index).step_by(connections) {
                        writer
                            .write(stored, unit)
                            .map_err(|error| error.to_string())?;
                    }
                    Ok::<(), String>(())
                })
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let outcomes: Vec<_> = threads.into_iter().map(|thread| thread.join()).collect();
        (started, outcomes)
    });
    let seconds = started.elapsed().as_secs_f64();
    for outcome in outcomes {
        outcome.map_err(|_| "a ceiling thread panicked")??;
    }
    Ok(Throughput {
        events: units.len() as u64,
        seconds,
    })
}

/// (c) ceiling: each unit its own commit, one connection, each timed.
fn raw_single(url: &str, stored: &Stored, units: &[Unit]) -> BenchResult<Latency> {
    let mut writer = RawWriter::open(url)?;
    let mut timings = Vec::with_capacity(units.len());
    for unit in units {
        let started = Instant::now();
        writer.write(stored, unit)?;
        timings.push(started.elapsed());
    }
    Ok(latency_of(timings))
}

/// (d) ceiling: every entry of the ceiling's log in order, streamed from the server,
/// its stream read from the entry (not hash-checked, not decoded) and counted.
fn raw_replay(client: &mut Client) -> BenchResult<Throughput> {
    let started = Instant::now();
    let mut rows = client.query_raw(
        "SELECT entry FROM flexledger_bench_raw_log ORDER BY position",
        std::iter::empty::<i32>(),
    )?;
    let (mut counts, mut events) = (HashMap::<String, u64>::new(), 0u64);
    while let Some(row) = rows.next()? {
        let entry: &[u8] = row.get(0);
        let (stream, _) = flexledger::store::log_entry::stream_and_version(entry)?;
        *counts.entry(stream).or_insert(0) += 1;
        events += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    std::hint::black_box(&counts);
    Ok(Throughput { events, seconds })
}

/// Member-read ceiling: `samples` reads of a random member's stream (its entries by
/// version, one prepared query), no decode.
fn raw_reads(client: &mut Client, members: usize, samples: usize) -> BenchResult<Latency> {
    let statement = client
        .prepare("SELECT entry FROM flexledger_bench_raw_log WHERE stream = $1 ORDER BY version")?;
    let mut seed = SEED;
    let (mut timings, mut bytes) = (Vec::with_capacity(samples), 0usize);
    for _ in 0..samples {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let stream = StreamId::Member(member_id(usize::try_from(seed % members as u64)?)).name();
        let started = Instant::now();
        for row in client.query(&statement, &[&stream])? {
            bytes += row.get::<_, &[u8]>(0).len();
        }
        timings.push(started.elapsed());
    }
    std::hint::black_box(bytes);
    Ok(latency_of(timings))
}

/// What the ledger measured on PostgreSQL, and its ceilings.
pub struct Measured {
    server_version: String,
    lines: u64,
    bulk: Bulk,
    bulk_wal: u64,
    bulk_bytes: u64,
    rebuild: Throughput,
    live_reads: Latency,
    folded_reads: Latency,
    concurrent: Concurrent,
    single: Latency,
    rss_before_bulk: Option<u64>,
    peak_after_bulk: Option<u64>,
    peak_ledger: Option<u64>,
    /// The server's statement time during (a), when measured.
    bulk_statements: Option<StatementTime>,
    ceilings: Ceilings,
    /// (a)'s second ceiling: every row the ledger wrote (`pg_rows.rs`).
    every_row: EveryRow,
}

/// The raw PostgreSQL ceilings, each doing the same writes as a ledger measurement.
struct Ceilings {
    bulk: Throughput,
    bulk_statements: Option<StatementTime>,
    bulk_wal: u64,
    bulk_bytes: u64,
    replay: Throughput,
    reads: Latency,
    concurrent: Throughput,
    single: Latency,
}

/// The rows each ledger measurement stored, kept for the ceilings.
struct Rows {
    bulk: Stored,
    concurrent: Stored,
    single: Stored,
}

/// The PostgreSQL part on its own (`--postgres-only`): generates the region in `root`,
/// measures, prints the table.
pub fn run(args: &Args, url: &str, root: &Path) -> BenchResult<()> {
    let workload = root.join("region.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&workload)?);
    let lines = write_region(args, &mut out)?;
    std::io::Write::flush(&mut out)?;
    drop(out);
    let measured = measure(args, url, &workload, lines)?;
    print_table(args, &measured);
    Ok(())
}

/// Every measurement on the PostgreSQL engine at `url`, then the ceilings; leaves an
/// empty migrated ledger.
pub fn measure(args: &Args, url: &str, workload: &Path, lines: u64) -> BenchResult<Measured> {
    let mut admin = connect(url)?;
    let server_version: String = admin.query_one("SHOW server_version", &[])?.get(0);
    eprintln!("PostgreSQL {server_version}: (a) bulk submit ...");
    let ledger = empty_ledger(url)?;
    checkpoint(&mut admin);
    let lsn = wal_lsn(&mut admin)?;
    let (rss_before_bulk, _) = rss_bytes();
    let timed = reset_statement_times(&mut admin);
    let bulk = bulk_submit(ledger, workload, lines)?;
    let bulk_statements = timed.then(|| statement_times(&mut admin)).transpose()?;
    let bulk_wal = wal_since(&mut admin, &lsn)?;
    let bulk_bytes = table_bytes(&mut admin, &ledger_tables())?;
    eprintln!("PostgreSQL: (d) rebuild and member reads ...");
    let reader = PgStore::open_read_only(url)?;
    let started = Instant::now();
    let events = fold_log(&reader, &mut |_| {})?.position;
    let rebuild = Throughput {
        events,
        seconds: started.elapsed().as_secs_f64(),
    };
    let live_reads = member_reads(&reader, args.members, args.samples, false)?;
    let folded_reads = member_reads(&reader, args.members, args.samples, true)?;
    drop(reader);
    let (_, peak_after_bulk) = rss_bytes();
    let bulk_rows = stored_after(&mut admin, 0)?;
    eprintln!(
        "PostgreSQL: (b) {} concurrent appenders ...",
        args.appenders
    );
    let ledger = empty_ledger(url)?;
    checkpoint(&mut admin);
    let concurrent = concurrent(ledger, args.appenders, args.appender_commands)?;
    let concurrent_rows = stored_after(&mut admin, concurrent.setup_head)?;
    eprintln!("PostgreSQL: (c) single-writer latency ...");
    let ledger = empty_ledger(url)?;
    checkpoint(&mut admin);
    let (single, setup_head) = single_writer_latency(ledger, args.samples)?;
    let single_rows = stored_after(&mut admin, setup_head)?;
    let (_, peak_ledger) = rss_bytes();
    reset(url)?;
    let rows = Rows {
        bulk: bulk_rows,
        concurrent: concurrent_rows,
        single: single_rows,
    };
    let ceilings = measure_ceilings(args, url, &bulk, &rows)?;
    drop(rows);
    let every_row = crate::pg_rows::measure(url, workload, lines, bulk.throughput.events)?;
    reset(url)?;
    Ok(Measured {
        server_version,
        lines,
        bulk,
        bulk_wal,
        bulk_bytes,
        rebuild,
        live_reads,
        folded_reads,
        concurrent,
        single,
        rss_before_bulk,
        peak_after_bulk,
        peak_ledger,
        bulk_statements,
        ceilings,
        every_row,
    })
}

/// The raw PostgreSQL ceilings of the ledger's measurements, on the rows it stored.
fn measure_ceilings(args: &Args, url: &str, bulk: &Bulk, rows: &Rows) -> BenchResult<Ceilings> {
    eprintln!("raw PostgreSQL ceilings ...");
    let sizes: Vec<usize> = bulk
        .batch_events
        .iter()
        .copied()
        .filter(|size| *size > 0)
        .collect();
    let mut client = raw_tables(url)?;
    let lsn = wal_lsn(&mut client)?;
    let timed = reset_statement_times(&mut client);
    let raw_bulk = raw_append(url, &rows.bulk, &units_by_batch(&rows.bulk, &sizes))?;
    let bulk_statements = timed.then(|| statement_times(&mut client)).transpose()?;
    let bulk_wal = wal_since(&mut client, &lsn)?;
    let bulk_bytes = table_bytes(&mut client, &RAW_TABLES)?;
    let replay = raw_replay(&mut client)?;
    let reads = raw_reads(&mut client, args.members, args.samples)?;
    drop(client);
    drop(raw_tables(url)?);
    let concurrent = raw_concurrent(
        url,
        &rows.concurrent,
        &units_by_command(&rows.concurrent),
        args.appenders,
    )?;
    drop(raw_tables(url)?);
    let single = raw_single(url, &rows.single, &units_by_command(&rows.single))?;
    Ok(Ceilings {
        bulk: raw_bulk,
        bulk_statements,
        bulk_wal,
        bulk_bytes,
        replay,
        reads,
        concurrent,
        single,
    })
}

/// The PostgreSQL ledger beside its ceilings, as a Markdown table, and its memory.
pub fn print_table(args: &Args, measured: &Measured) {
    let Measured {
        bulk,
        concurrent,
        single,
        ceilings,
        ..
    } = measured;
    println!(
        "\nflexledger-bench on PostgreSQL {}: {} members × {} months, {} events, {} commands ({} refused)",
        measured.server_version,
        args.members,
        args.months,
        bulk.throughput.events,
        measured.lines,
        bulk.refused
    );
    println!("\n| measurement | ledger on PostgreSQL | raw PostgreSQL ceiling | ratio |\n|---|---|---|---|");
    row(
        "(a) bulk submit, events/s",
        format!("{:.0}", bulk.throughput.per_second()),
        format!("{:.0}", ceilings.bulk.per_second()),
        ratio(bulk.throughput.per_second(), ceilings.bulk.per_second()),
    );
    every_row_row(measured);
    let per_append = concurrent.commands as f64 / concurrent.appends.max(1) as f64;
    row(
        &format!("(b) {} concurrent appenders, commands/s", args.appenders),
        format!(
            "{:.0} ({per_append:.0} per append)",
            concurrent.throughput.per_second()
        ),
        format!(
            "{:.0} ({} connections, 1 per commit)",
            ceilings.concurrent.per_second(),
            args.appenders
        ),
        ratio(
            concurrent.throughput.per_second(),
            ceilings.concurrent.per_second(),
        ),
    );
    row(
        "(c) single writer, one command per commit, p50",
        format!("{:.0} µs", single.p50_us),
        format!("{:.0} µs", ceilings.single.p50_us),
        ratio(ceilings.single.p50_us, single.p50_us),
    );
    row(
        "(c) single writer, p99",
        format!("{:.0} µs", single.p99_us),
        format!("{:.0} µs", ceilings.single.p99_us),
        ratio(ceilings.single.p99_us, single.p99_us),
    );
    print_read_rows(measured);
    println!(
        "\nsamples: {} single-writer appends, {} member reads each way.",
        single.samples, measured.live_reads.samples
    );
    println!("ratio: ledger ÷ ceiling for throughput, ceiling ÷ ledger for latency and bytes (higher is better; 100% = the ceiling).");
    println!("ceiling: the rows the ledger stored (log entries, command records) into tables of the same shape, same transactions, synchronous_commit = on, no ledger work.");
    every_row_note(measured);
    print_statement_times(measured);
    println!("peak RSS of the PostgreSQL part (a process of its own): {} after the bulk import and reads, {} after every ledger measurement (with the rows they stored, read back for the ceilings; the server's memory is not counted).", mib(measured.peak_after_bulk), mib(measured.peak_ledger));
    let samples: Vec<String> = bulk
        .rss_samples
        .iter()
        .map(|(lines, rss)| format!("{} at line {lines}", mib(*rss)))
        .collect();
    println!(
        "RSS during the bulk import: {} (before it: {})",
        samples.join(", "),
        mib(measured.rss_before_bulk)
    );
}

/// (a) beside the ceiling of every row the ledger wrote (`pg_rows.rs`): the table's row.
fn every_row_row(measured: &Measured) {
    let (bulk, every_row) = (&measured.bulk.throughput, &measured.every_row);
    row(
        "(a) bulk submit, beside a ceiling of every row it wrote (state rows, feed items, head too), events/s",
        format!("{:.0}", bulk.per_second()),
        format!("{:.0}", every_row.throughput.per_second()),
        ratio(bulk.per_second(), every_row.throughput.per_second()),
    );
}

/// What the ceiling of every row wrote, after the table.
fn every_row_note(measured: &Measured) {
    let every_row = &measured.every_row;
    let events = measured.bulk.throughput.events.max(1) as f64;
    println!(
        "ceiling of every row: the {} transactions of a second, untimed import of the same region, captured from the ledger's tables (a trigger copies each state row it writes), written again into tables of the same shapes with the same statements: {} state row writes and {} feed items beside the log entries and command records; WAL {:.0} and table bytes {:.0} per event.",
        every_row.transactions,
        every_row.state_writes,
        every_row.feed_items,
        every_row.wal as f64 / events,
        every_row.bytes as f64 / events,
    );
}

/// The server's time executing each side's statements during (a), when measured.
fn print_statement_times(measured: &Measured) {
    let ceilings = &measured.ceilings;
    match (&measured.bulk_statements, &ceilings.bulk_statements) {
        (Some(ledger), Some(ceiling)) => {
            let parts: Vec<String> = ledger
                .by_kind
                .iter()
                .filter(|(_, ms)| *ms >= 0.5)
                .map(|(what, ms)| format!("{what} {:.2} s", ms / 1000.0))
                .collect();
            println!(
                "server time executing statements during (a) (pg_stat_statements): the ledger's {:.2} s ({}), the ceiling's {:.2} s; the ceiling's whole run took {:.2} s.",
                ledger.total_ms() / 1000.0,
                parts.join(", "),
                ceiling.total_ms() / 1000.0,
                ceilings.bulk.seconds
            );
        }
        _ => println!("server time executing statements: not measured (the server does not load pg_stat_statements; tools/pg-bench.sh's cluster does)."),
    }
}

/// The table's rows for (d), member reads and (e).
fn print_read_rows(measured: &Measured) {
    let Measured { ceilings, .. } = measured;
    row(
        "(d) full rebuild (read, verify hash, decode, fold), events/s",
        format!("{:.0}", measured.rebuild.per_second()),
        format!("{:.0}", ceilings.replay.per_second()),
        ratio(measured.rebuild.per_second(), ceilings.replay.per_second()),
    );
    for (name, reads) in [
        (
            "member read (stored state), p50 / p99",
            &measured.live_reads,
        ),
        (
            "member read (fold of its streams), p50 / p99",
            &measured.folded_reads,
        ),
    ] {
        row(
            name,
            format!("{:.0} / {:.0} µs", reads.p50_us, reads.p99_us),
            format!(
                "{:.0} / {:.0} µs",
                ceilings.reads.p50_us, ceilings.reads.p99_us
            ),
            ratio(ceilings.reads.p50_us, reads.p50_us),
        );
    }
    let events = measured.bulk.throughput.events.max(1) as f64;
    row(
        "(e) table bytes per event (pg_total_relation_size: heap, TOAST, indexes)",
        format!("{:.0}", measured.bulk_bytes as f64 / events),
        format!("{:.0}", ceilings.bulk_bytes as f64 / events),
        ratio(ceilings.bulk_bytes as f64, measured.bulk_bytes as f64),
    );
    row(
        "(e) WAL bytes per event written by (a) (pg_current_wal_lsn difference)",
        format!("{:.0}", measured.bulk_wal as f64 / events),
        format!("{:.0}", ceilings.bulk_wal as f64 / events),
        ratio(ceilings.bulk_wal as f64, measured.bulk_wal as f64),
    );
}
