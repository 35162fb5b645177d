//! The raw sled ceiling: the ledger's bytes, key layout, batch sizes and real fsync,
//! with no domain logic, so the ledger's numbers can be reported as ratios against it
//! measured in the same run (a noisy 2-core machine makes absolute numbers meaningless).
//!
//! Key layout (the same as `src/store/sled_store.rs`, so each event costs the same keys):
//! - `B` first position(8 BE)          → up to 16 entries of one batch
//!   (`flexledger::store::log_block`)
//! - `I` stream-name 0x00 first-version(8 BE) → up to 64 of the stream's positions, the
//!   row rewritten by each event of the stream (`flexledger::store::stream_index`)
//! - `C` command-id(16)                → first position(8 BE) event count(8 BE)
//!
//! Durability: sled 0.34.7's `flush()` only calls `sync_file_range` (sled issue #1452),
//! so every ceiling does exactly what the ledger does: `db.flush()?` then `sync_data()`
//! on sled's data file `<dir>/db`.
//!
//! `load_envelopes` is the other use: the envelopes a ledger stored, loaded into sled
//! with one or two keys per event, or into a plain file, for `tools/store-bench.sh` to
//! set beside the ledger and PostgreSQL.
//!
//! Every function opens its own sled db at `dir` and drops it before returning, so the
//! next function can open the same directory.

use flexledger::store::log_block::{self, Block};
use flexledger::store::stream_index::{row_key, row_prefix, IndexRow};
use serde::Deserialize;
use std::collections::HashMap;
use std::error::Error;
use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// sled's page cache: the ledger's own setting, so both see the same memory.
const CACHE_BYTES: u64 = flexledger::store::sled_store::SLED_CACHE_BYTES_MAX;
/// The one tree the ledger writes to.
const TREE: &str = "ledger";
/// Fixed seed: runs are repeatable and pick the same streams every time.
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// One event as the ledger would store it: the caller builds the real bytes so the
/// ceiling writes exactly the same amount of data.
pub struct RawEvent {
    /// The `L` value: the event JSON as the ledger stores it.
    pub log_value: Vec<u8>,
    /// Stream name, e.g. `member-<uuid>`: goes into the `S` key.
    pub stream: String,
    /// Stream version after this event (starts at 1).
    pub version: u64,
}

/// Result of a throughput run: kept as a count and a time so ratios can be formed
/// either way.
pub struct Throughput {
    pub events: u64,
    pub seconds: f64,
}

impl Throughput {
    /// Events per second (0 when no time was measured, rather than infinity).
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.events as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Latency percentiles in microseconds: p50 for the typical cost, p99 for the tail that
/// fsync stalls produce.
pub struct Latency {
    pub p50_us: f64,
    pub p99_us: f64,
    pub samples: usize,
}

/// An open store: the db (owns the directory lock), the tree, and sled's data file to fsync.
struct Store {
    db: sled::Db,
    tree: sled::Tree,
    data_file: File,
}

impl Store {
    /// Opens (creating if needed) sled at `dir` with the ledger's settings.
    fn open(dir: &Path) -> BenchResult<Store> {
        // Opened as the ledger's store is (no flusher thread; a reopen right after a
        // drop waits for sled to let go of the directory lock).
        let db = flexledger::store::sled_store::open_sled(dir, CACHE_BYTES)?;
        let tree = db.open_tree(TREE)?;
        let data_file = File::open(dir.join("db"))?;
        Ok(Store {
            db,
            tree,
            data_file,
        })
    }

    /// The ledger's durability step: flush, then a real fsync of the data file.
    fn sync(&self) -> BenchResult<()> {
        self.db.flush()?;
        self.data_file.sync_data()?;
        Ok(())
    }
}

/// Small xorshift64 generator: random picks and command ids without a rand crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// 16 random bytes: stands in for the command's v4 uuid (random keys, like the ledger's).
    fn id16(&mut self) -> [u8; 16] {
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&self.next().to_le_bytes());
        id[8..].copy_from_slice(&self.next().to_le_bytes());
        id
    }
}

fn log_key(position: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = b'L';
    key[1..].copy_from_slice(&position.to_be_bytes());
    key
}

fn stream_prefix(stream: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(stream.len() + 10);
    key.push(b'S');
    key.extend_from_slice(stream.as_bytes());
    key.push(0);
    key
}

fn stream_key(stream: &str, version: u64) -> Vec<u8> {
    let mut key = stream_prefix(stream);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

fn command_key(id: [u8; 16]) -> [u8; 17] {
    let mut key = [0u8; 17];
    key[0] = b'C';
    key[1..].copy_from_slice(&id);
    key
}

/// Each stream's last index row, as the ceiling has written it.
type IndexRows = HashMap<String, IndexRow>;

/// Adds one event's stream index row and command record to `batch` (its entry goes
/// into its batch's log blocks: `insert_blocks`).
fn insert_event(
    batch: &mut sled::Batch,
    rng: &mut XorShift,
    rows: &mut IndexRows,
    event: (u64, &str, u64),
) {
    let (position, stream, version) = event;
    let row = rows
        .entry(stream.to_owned())
        .and_modify(|row| {
            row.extend(version, position);
        })
        .or_insert_with(|| IndexRow::starting(version, position));
    batch.insert(row_key(stream, row.first_version), row.encode());
    let mut span = [0u8; 16];
    span[..8].copy_from_slice(&position.to_be_bytes());
    span[8..].copy_from_slice(&1u64.to_be_bytes());
    batch.insert(&command_key(rng.id16()), &span);
}

/// Adds the log blocks of `entries` (consecutive positions from `first`) to `batch`.
fn insert_blocks<'a>(batch: &mut sled::Batch, first: u64, entries: impl Iterator<Item = &'a [u8]>) {
    for (key, block) in log_block::encode((first..).zip(entries)) {
        batch.insert(&key, block);
    }
}

/// (a)/(b) ceiling: writes `events` as positions 1.. in batches of `batch_sizes` (the sizes
/// the ledger actually achieved, summing to `events.len()`); each batch is one
/// `apply_batch` followed by flush + `sync_data`, like a ledger append. Creates the store.
/// The time covers the batches and syncs only, not opening the db.
pub fn append_ceiling(
    dir: &Path,
    events: &[RawEvent],
    batch_sizes: &[usize],
) -> BenchResult<Throughput> {
    let total: usize = batch_sizes.iter().sum();
    if total != events.len() {
        return Err(format!(
            "batch sizes sum to {total}, but there are {} events",
            events.len()
        )
        .into());
    }
    std::fs::create_dir_all(dir)?;
    let store = Store::open(dir)?;
    let mut rng = XorShift(SEED);
    let mut rows = IndexRows::new();
    let mut position = 0u64;
    let mut rest = events;
    let start = Instant::now();
    for &size in batch_sizes {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let mut batch = sled::Batch::default();
        insert_blocks(
            &mut batch,
            position + 1,
            chunk.iter().map(|event| event.log_value.as_slice()),
        );
        for event in chunk {
            position += 1;
            insert_event(
                &mut batch,
                &mut rng,
                &mut rows,
                (position, &event.stream, event.version),
            );
        }
        store.tree.apply_batch(batch)?;
        store.sync()?;
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(store);
    Ok(Throughput {
        events: events.len() as u64,
        seconds,
    })
}

/// (c) ceiling: `count` appends of one event each, every one flushed and fsynced; the
/// latency of a lone append is the floor for the ledger's single-command latency.
/// Events are reused cyclically; on each further lap their versions are shifted past the
/// previous lap, so every event extends its stream's index as it would in the ledger.
pub fn single_append_latency(
    dir: &Path,
    events: &[RawEvent],
    count: usize,
) -> BenchResult<Latency> {
    if events.is_empty() {
        return Err("single_append_latency needs at least one event".into());
    }
    std::fs::create_dir_all(dir)?;
    let store = Store::open(dir)?;
    let mut rng = XorShift(SEED);
    let mut rows = IndexRows::new();
    let lap_versions = events.iter().map(|event| event.version).max().unwrap_or(0);
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let event = &events[i % events.len()];
        let version = event.version + (i / events.len()) as u64 * lap_versions;
        let start = Instant::now();
        let mut batch = sled::Batch::default();
        insert_blocks(
            &mut batch,
            i as u64 + 1,
            [event.log_value.as_slice()].into_iter(),
        );
        insert_event(
            &mut batch,
            &mut rng,
            &mut rows,
            (i as u64 + 1, &event.stream, version),
        );
        store.tree.apply_batch(batch)?;
        store.sync()?;
        samples.push(start.elapsed());
    }
    drop(store);
    Ok(latency_of(samples))
}

/// (d) ceiling: scans every log block of the store written by `append_ceiling` in order,
/// reads each entry's stream (the ledger's stored layout, without checking its hash or
/// decoding its payload) and folds a count per stream: the floor for the ledger's
/// replay. The time covers the scan, read and fold only, not opening the db.
pub fn replay_ceiling(dir: &Path) -> BenchResult<Throughput> {
    let store = Store::open(dir)?;
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut events = 0u64;
    let start = Instant::now();
    for block in store.tree.scan_prefix([log_block::PREFIX_LOG_BLOCK]) {
        let (key, value) = block?;
        for entry in Block::decode(&key, &value)?.entries {
            let (stream, _) = flexledger::store::log_entry::stream_and_version(entry)?;
            *counts.entry(stream).or_insert(0) += 1;
            events += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(&counts);
    drop(store);
    Ok(Throughput { events, seconds })
}

/// Member-read ceiling: `samples` reads of random streams among `streams` (xorshift with a
/// fixed seed), each a scan of the stream's index rows plus a read of every log entry
/// they point to from its block, as the ledger does to read one member's events. No decoding of the entries: that is
/// the raw part.
pub fn stream_read_latency(dir: &Path, streams: &[String], samples: usize) -> BenchResult<Latency> {
    if streams.is_empty() {
        return Err("stream_read_latency needs at least one stream".into());
    }
    let store = Store::open(dir)?;
    let mut rng = XorShift(SEED);
    let mut times = Vec::with_capacity(samples);
    let mut bytes = 0usize;
    for _ in 0..samples {
        let stream = &streams[(rng.next() % streams.len() as u64) as usize];
        let start = Instant::now();
        for entry in store.tree.scan_prefix(row_prefix(stream)) {
            let (key, value) = entry?;
            for position in IndexRow::decode(stream, &key, &value)?.positions {
                let (key, value) = store
                    .tree
                    .range(log_block::keys_up_to(position))
                    .last()
                    .ok_or("stream index points to a missing event")??;
                let block = Block::decode(&key, &value)?;
                bytes += block
                    .entry(position)
                    .ok_or("stream index points to a missing event")?
                    .len();
            }
        }
        times.push(start.elapsed());
    }
    std::hint::black_box(bytes);
    drop(store);
    Ok(latency_of(times))
}

/// Bytes on disk under `dir` (recursive sum of file sizes; unreadable entries count 0):
/// compares the ledger's space use with the raw store's.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => dir_bytes(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Peak resident set size of this process so far, in bytes (`VmHWM` from
/// `/proc/self/status`): shows whether memory stays bounded. `None` off Linux.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Percentiles (nearest rank) of `samples`, in microseconds; all zero when empty.
/// Shared so the ledger's and the ceiling's latencies are computed the same way.
pub fn latency_of(mut samples: Vec<Duration>) -> Latency {
    samples.sort_unstable();
    let n = samples.len();
    let at = |p: f64| -> f64 {
        if n == 0 {
            return 0.0;
        }
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
        samples[rank - 1].as_secs_f64() * 1e6
    };
    Latency {
        p50_us: at(0.50),
        p99_us: at(0.99),
        samples: n,
    }
}

/// Prints the keys and key+value bytes of the ledger store in `dir` (its sled
/// database is `dir/sled`) by key prefix, and the bytes on disk: what each kind of
/// row costs, and how much the engine adds on top.
pub fn census(dir: &Path) -> BenchResult<()> {
    // Only counted: an open of a path with no store would make one there.
    if !dir.join("sled").join("db").is_file() {
        let said = format!("no ledger store in {} (no sled/db there): --census counts the rows of an existing data directory", dir.display());
        return Err(said.into());
    }
    let db = sled::Config::new()
        .path(dir.join("sled"))
        .cache_capacity(CACHE_BYTES)
        .open()?;
    let tree = db.open_tree(TREE)?;
    let mut by_prefix: std::collections::BTreeMap<u8, (u64, u64, u64)> = Default::default();
    // Events: one per `L` key (older builds), one per entry of a `B` block.
    let mut events = 0u64;
    for entry in tree.iter() {
        let (key, value) = entry?;
        match key.first() {
            Some(&b'L') => events += 1,
            Some(&log_block::PREFIX_LOG_BLOCK) => {
                events += Block::decode(&key, &value)?.entries.len() as u64
            }
            _ => {}
        }
        let row = by_prefix
            .entry(key.first().copied().unwrap_or(0))
            .or_default();
        row.0 += 1;
        row.1 += key.len() as u64;
        row.2 += value.len() as u64;
    }
    let events = events.max(1);
    let disk = dir_bytes(&dir.join("sled"));
    println!("| prefix | keys | key bytes | value bytes | bytes per event |");
    println!("|---|---|---|---|---|");
    let mut logical = 0;
    for (prefix, (keys, key_bytes, value_bytes)) in &by_prefix {
        logical += key_bytes + value_bytes;
        println!(
            "| {} | {keys} | {key_bytes} | {value_bytes} | {:.0} |",
            char::from(*prefix),
            (key_bytes + value_bytes) as f64 / events as f64
        );
    }
    println!(
        "| all rows | | | {logical} | {:.0} |",
        logical as f64 / events as f64
    );
    println!(
        "| on disk | | | {disk} | {:.0} |",
        disk as f64 / events as f64
    );
    Ok(())
}

/// Events made durable together by `load_envelopes`: one commit per 1,000 events, as the
/// ledger appends up to 1,000 commands per fsync and the PostgreSQL peer of
/// `tools/store-bench.sh` commits every 1,000 rows.
pub const LOAD_BATCH_EVENTS: usize = 1000;

/// Where `load_envelopes` puts the envelopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadTarget {
    /// Appended to one plain file, `fdatasync` per batch: the floor under any store.
    File,
    /// sled, one key per event: `L` position → the envelope line.
    SledLog,
    /// sled, `L` as above plus a stream-index key per event: `S` stream 0x00 version →
    /// position, so a stream can be read without a scan of the log.
    SledLogAndStreamIndex,
}

impl LoadTarget {
    /// The name printed in the JSON result (and the table of `tools/store-bench.sh`).
    pub fn name(self) -> &'static str {
        match self {
            LoadTarget::File => "file, fdatasync per batch",
            LoadTarget::SledLog => "raw sled, 1 key per event",
            LoadTarget::SledLogAndStreamIndex => "raw sled, 2 keys per event",
        }
    }
}

/// The fields of a stored envelope a load needs: where it goes in the log and its stream.
/// Every target parses them, so every target does the same reading work.
#[derive(Deserialize)]
struct EnvelopeHead<'a> {
    position: u64,
    #[serde(borrow)]
    stream: std::borrow::Cow<'a, str>,
    version: u64,
}

/// What a load did: the time covers reading and parsing the input, the writes and every
/// batch's sync; the bytes are the target's files afterwards.
pub struct Load {
    pub throughput: Throughput,
    pub batches: u64,
    pub bytes_on_disk: u64,
}

/// One envelope line waiting for its batch, with the head fields its keys are made of.
struct Pending {
    position: u64,
    stream: String,
    version: u64,
    line: Vec<u8>,
}

/// The destination of a load, open.
enum Sink {
    File(File),
    Sled { store: Store, stream_index: bool },
}

impl Sink {
    fn open(dir: &Path, target: LoadTarget) -> BenchResult<Sink> {
        std::fs::create_dir_all(dir)?;
        Ok(match target {
            LoadTarget::File => Sink::File(File::create(dir.join("events.jsonl"))?),
            LoadTarget::SledLog => Sink::Sled {
                store: Store::open(dir)?,
                stream_index: false,
            },
            LoadTarget::SledLogAndStreamIndex => Sink::Sled {
                store: Store::open(dir)?,
                stream_index: true,
            },
        })
    }

    /// Writes one batch and makes it durable before returning: `fdatasync` for the
    /// file, `flush` + `sync_data` of sled's data file for sled (see module docs).
    fn write_durably(&mut self, batch: &[Pending]) -> BenchResult<()> {
        match self {
            Sink::File(file) => {
                let mut bytes = Vec::with_capacity(batch.iter().map(|e| e.line.len() + 1).sum());
                for pending in batch {
                    bytes.extend_from_slice(&pending.line);
                    bytes.push(b'\n');
                }
                std::io::Write::write_all(file, &bytes)?;
                file.sync_data()?;
            }
            Sink::Sled {
                store,
                stream_index,
            } => {
                let mut keys = sled::Batch::default();
                for pending in batch {
                    keys.insert(&log_key(pending.position), pending.line.as_slice());
                    if *stream_index {
                        keys.insert(
                            stream_key(&pending.stream, pending.version),
                            &pending.position.to_be_bytes(),
                        );
                    }
                }
                store.tree.apply_batch(keys)?;
                store.sync()?;
            }
        }
        Ok(())
    }
}

/// The next envelope line of `input` and its head, checked to be at `position`;
/// `None` at the end.
fn next_envelope(
    reader: &mut dyn std::io::BufRead,
    input: &Path,
    position: u64,
) -> BenchResult<Option<Pending>> {
    let line = match flexledger::cli::read_bounded_line(reader)? {
        Some(flexledger::cli::Line::Text(line)) => line,
        Some(flexledger::cli::Line::TooLong) => {
            return Err(format!("{}: line {position} is too long", input.display()).into())
        }
        None => return Ok(None),
    };
    let head: EnvelopeHead = serde_json::from_slice(&line)
        .map_err(|error| format!("{}: line {position}: {error}", input.display()))?;
    if head.position != position {
        return Err(format!(
            "{}: line {position} holds position {}; a load needs the log in order from 1",
            input.display(),
            head.position
        )
        .into());
    }
    Ok(Some(Pending {
        position,
        stream: head.stream.into_owned(),
        version: head.version,
        line,
    }))
}

/// Loads `input` (envelope lines as `flexledger events` prints them, positions 1, 2, …
/// in order) into a fresh `target` under `dir`, `LOAD_BATCH_EVENTS` lines per durable
/// batch: the bytes the ledger stored, with none of the ledger's work around them.
pub fn load_envelopes(input: &Path, dir: &Path, target: LoadTarget) -> BenchResult<Load> {
    let mut sink = Sink::open(dir, target)?;
    let mut reader = std::io::BufReader::new(File::open(input)?);
    let (mut events, mut batches) = (0u64, 0u64);
    let mut batch = Vec::with_capacity(LOAD_BATCH_EVENTS);
    let start = Instant::now();
    while let Some(pending) = next_envelope(&mut reader, input, events + 1)? {
        events += 1;
        batch.push(pending);
        if batch.len() == LOAD_BATCH_EVENTS {
            sink.write_durably(&batch)?;
            batches += 1;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        sink.write_durably(&batch)?;
        batches += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(sink);
    Ok(Load {
        throughput: Throughput { events, seconds },
        batches,
        bytes_on_disk: dir_bytes(dir),
    })
}
