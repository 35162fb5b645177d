//! `flexledger-bench`: the ledger's full command path (parse, decide, encode, hash,
//! append, state rows, fsync) against the raw sled ceiling (same bytes, same batch
//! sizes, same real fsync, no domain logic), measured in one run and reported as
//! ratios, because absolute numbers on a shared 2-core machine are noise.
//!
//! ```sh
//! cargo run --release --bin flexledger-bench -- --members 100000 --months 24
//! ```
//!
//! With `--store URL` the same measurements run on the PostgreSQL engine too, beside a
//! raw PostgreSQL ceiling, in a second table (module `pg`; `tools/pg-bench.sh` runs it
//! on a throwaway cluster).
//!
//! Workload: one region, `--members` members over `--months` months, each behaving
//! by kind: 80% pay every month, 8% skip months and pay them back, 4% prepay a year,
//! 5% stop paying (automatically withdrawn after grace, re-enrolled later), 3% withdraw
//! voluntarily. Every line carries a command id, as a resumable import would.

mod pg;
mod pg_rows;
mod raw_sled;

use clap::Parser;
use flexledger::cli::{read_bounded_line, Line};
use flexledger::domain::{parse_command, StreamId};
use flexledger::ledger::{
    fold_log, member_coverage, member_coverage_folded, Ledger, SystemSources,
    APPEND_BATCH_COMMANDS_MAX,
};
use flexledger::store::{CommandResult, EventLog, ReadStore, SledStore};
use flexledger::writer::Writer;
use raw_sled::{latency_of, Latency, RawEvent, Throughput};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;
use uuid::Uuid;

#[derive(Parser, Debug)]
#[command(about = "Benchmark the ledger against the raw sled ceiling, in one run, as ratios")]
struct Args {
    /// Members in the synthetic region.
    #[arg(long, default_value_t = 100_000)]
    members: usize,
    /// Months of history (one close per month), from 2025-01: at most 11,700, through
    /// 2999-12, the last month the ledger takes.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u16).range(1..=MONTHS_MAX))]
    months: u16,
    /// Concurrent appenders for the concurrency measurement.
    #[arg(long, default_value_t = 64)]
    appenders: usize,
    /// Commands each concurrent appender submits (one at a time, awaiting each).
    #[arg(long, default_value_t = 100)]
    appender_commands: usize,
    /// Samples for the single-writer latency and member-read measurements.
    #[arg(long, default_value_t = 1000)]
    samples: usize,
    /// Where to put the stores (a fresh temporary directory by default; removed after).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Only measure the library's group-commit throughput with --appenders
    /// concurrent appenders, and print it as one JSON line (the HTTP load benchmark's
    /// baseline, `tools/load.sh`).
    #[arg(long)]
    concurrent_only: bool,
    /// Only write the synthetic region's commands to FILE (one JSON line each, with
    /// command ids) and exit: an import to try `flexledger submit` on.
    #[arg(long, value_name = "FILE")]
    emit: Option<PathBuf>,
    /// Of every 100 members, how many an employment office grants a subsidy (R16)
    /// right after they enroll: 12 months from 2025-01 at a share of 0.5, accrued at
    /// the close of each of those months they paid (no payout is emitted). 0 (the
    /// default) is the region every earlier measurement used; with more, the region's
    /// money, its feed and its closes carry subsidies too (with --emit as with every
    /// measurement).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    granted_percent: u8,
    /// Only count the keys and bytes of the ledger store in DIR by key prefix (the
    /// log, the stream index, command records, state rows, feed rows …) next to the
    /// bytes on disk, and exit: where a stored event's bytes go.
    #[arg(long, value_name = "DIR")]
    census: Option<PathBuf>,
    /// Only load FILE, envelope lines as `flexledger events` prints them, into a fresh
    /// store under --dir (a temporary one by default, removed after), 1,000 events per
    /// durable batch, and print events/s, bytes on disk per event and peak RSS as one
    /// JSON line: the peers of `tools/store-bench.sh`.
    #[arg(long, value_name = "FILE")]
    raw_load: Option<PathBuf>,
    /// With --raw-load: 1 = sled, one key per event (position → envelope); 2 = sled, plus
    /// a stream-index key per event (stream, version → position); 0 = no sled, the lines
    /// appended to one file with fdatasync per batch (the floor).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=2))]
    raw_keys: u8,
    /// Also run every measurement on the PostgreSQL engine, in the database at URL,
    /// beside a raw PostgreSQL ceiling (a second table; the bulk import also beside a
    /// ceiling of every row it wrote, captured from a second, untimed import by a
    /// trigger the bench adds and removes). The database must be empty or
    /// hold an empty ledger: the bench drops and migrates the ledger's tables between
    /// measurements, and leaves an empty migrated ledger. With --concurrent-only: that
    /// throughput on PostgreSQL only. (Its value is not shown here: it may hold a
    /// password.)
    #[arg(
        long,
        env = "FLEXLEDGER_STORE",
        hide_env_values = true,
        value_name = "URL"
    )]
    store: Option<String>,
    /// With --store: only the PostgreSQL part (what a run with --store starts as a
    /// process of its own after the sled part, so that its peak RSS is its own).
    #[arg(long, hide = true)]
    postgres_only: bool,
}

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const MONTH_DUE: u64 = 600;

/// Months from 2025-01 through 2999-12, the last month the ledger takes.
const MONTHS_MAX: i64 = (2999 - 2025 + 1) * 12;

fn member_id(index: usize) -> Uuid {
    Uuid::from_u128(0x7000_0000_0000_4000_8000_0000_0000_0000 + index as u128)
}

fn month_name(index: usize) -> String {
    format!("{}-{:02}", 2025 + index / 12, index % 12 + 1)
}

fn command_line(mut command: serde_json::Value, counter: &mut u128) -> String {
    *counter += 1;
    command["command_id"] = json!(Uuid::from_u128(
        0xbe9c_0000_0000_4000_8000_0000_0000_0000 + *counter
    ));
    command.to_string()
}

fn policy() -> serde_json::Value {
    json!({"command":"publish_policy","region":"bench","effective_from":"2025-01","average_monthly_wage":"10000.00",
           "contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,
           "benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive",
           "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"},{"min_continuous_months":24,"tier":"enhanced"}]})
}

/// A member as the generator sees it: enough of the rules to produce accepted commands.
struct Simulated {
    next_unpaid: usize,
    withdrawn: bool,
}

/// Every member's enrollment, each followed by its grant for `granted_percent` of
/// every 100 members (`--granted-percent`).
fn enrollments(members: usize, granted_percent: u8) -> impl Iterator<Item = serde_json::Value> {
    (0..members).flat_map(move |index| {
        let id = member_id(index);
        let enroll = json!({"command":"enroll","member_id":id,"region":"bench","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"});
        // Spread over the region by another stride than the payment kinds' below.
        let granted = (index * 104_729) % 100 < usize::from(granted_percent);
        let grant = granted.then(|| json!({"command":"grant_subsidy","member_id":id,"from_month":"2025-01","months":12,"share":"0.5","category":"hardship"}));
        std::iter::once(enroll).chain(grant)
    })
}

/// Writes the synthetic region's command lines (see module docs; `--members`,
/// `--months` and `--granted-percent` of `args`) one by one, so the benchmark's memory
/// is the ledger's, not the workload's. Returns the line count.
fn write_region(args: &Args, out: &mut dyn std::io::Write) -> BenchResult<u64> {
    let (members, months) = (args.members, usize::from(args.months));
    let mut counter = 0u128;
    let mut written = 0u64;
    let mut push = |line: String| -> std::io::Result<()> {
        written += 1;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")
    };
    push(command_line(policy(), &mut counter))?;
    let mut simulated: Vec<Simulated> = (0..members)
        .map(|_| Simulated {
            next_unpaid: 0,
            withdrawn: false,
        })
        .collect();
    for command in enrollments(members, args.granted_percent) {
        push(command_line(command, &mut counter))?;
    }
    for month in 0..months {
        for (index, member) in simulated.iter_mut().enumerate() {
            let kind = (index * 7919) % 100;
            let id = member_id(index);
            if member.withdrawn {
                if (92..97).contains(&kind) && month == 14 {
                    push(command_line(
                        json!({"command":"reenroll","member_id":id,"month":month_name(month),"base_ratio":"0.60"}),
                        &mut counter,
                    ))?;
                    *member = Simulated {
                        next_unpaid: month,
                        withdrawn: false,
                    };
                } else {
                    continue;
                }
            }
            if (97..100).contains(&kind) && month == 9 {
                push(command_line(
                    json!({"command":"withdraw","member_id":id,"reason":"voluntary"}),
                    &mut counter,
                ))?;
                member.withdrawn = true;
                continue;
            }
            let last = match kind {
                80..=87 if (month + index) % 5 == 0 => None,
                88..=91 if month % 12 == 0 => Some(month + 11),
                92..=96 if (6..14).contains(&month) => None,
                _ => Some(month),
            };
            if let Some(last) = last.filter(|last| *last >= member.next_unpaid) {
                let months: Vec<String> = (member.next_unpaid..=last).map(month_name).collect();
                let amount = format!("{}.00", MONTH_DUE * months.len() as u64);
                push(command_line(
                    json!({"command":"pay","member_id":id,"months":months,"amount":amount,"paid_on":format!("{}-15", month_name(month))}),
                    &mut counter,
                ))?;
                member.next_unpaid = last + 1;
            }
        }
        push(command_line(
            json!({"command":"close_month","region":"bench","month":month_name(month)}),
            &mut counter,
        ))?;
        for member in simulated.iter_mut().filter(|member| !member.withdrawn) {
            // R11: more than three months of arrears after this close.
            if month + 1 > member.next_unpaid && month + 1 - member.next_unpaid > 3 {
                member.withdrawn = true;
            }
        }
    }
    Ok(written)
}

/// Current and peak resident set size, in bytes (from /proc/self/status).
fn rss_bytes() -> (Option<u64>, Option<u64>) {
    let peak = raw_sled::peak_rss_bytes();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb * 1024)
    };
    (field("VmRSS:"), peak)
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("n/a".into(), |bytes| {
        format!("{:.0} MiB", bytes as f64 / 1048576.0)
    })
}

struct Bulk {
    throughput: Throughput,
    batch_events: Vec<usize>,
    refused: usize,
    rss_samples: Vec<(u64, Option<u64>)>,
}

/// (a) `submit` as the CLI does it: read the file line by line (bounded lines), parse
/// each, two 1000-line chunks in flight through the group-commit writer.
fn bulk_submit(ledger: Ledger, file: &Path, total_lines: u64) -> BenchResult<Bulk> {
    let writer = Writer::start(ledger, Box::new(SystemSources));
    let mut input = std::io::BufReader::new(std::fs::File::open(file)?);
    let started = Instant::now();
    let mut in_flight = std::collections::VecDeque::new();
    let (mut batch_events, mut refused, mut rss_samples) = (Vec::new(), 0usize, Vec::new());
    let mut collect = |answer: tokio::sync::oneshot::Receiver<_>| -> BenchResult<()> {
        let results: Vec<CommandResult> =
            answer.blocking_recv().map_err(|_| "writer stopped")??;
        let mut events = 0;
        for result in results {
            match result {
                // A close lists only its region event (contract v2); its members'
                // events are counted by its summary.
                CommandResult::Accepted {
                    events: appended,
                    close,
                    ..
                } => {
                    events += appended.len();
                    if let Some(close) = close {
                        events += (close.missed + close.withdrawn) as usize;
                    }
                }
                CommandResult::Refused(_) => refused += 1,
            }
        }
        batch_events.push(events);
        Ok(())
    };
    let (mut lines_read, mut next_sample) = (0u64, total_lines / 4);
    loop {
        let mut chunk = Vec::with_capacity(APPEND_BATCH_COMMANDS_MAX);
        while chunk.len() < APPEND_BATCH_COMMANDS_MAX {
            match read_bounded_line(&mut input)? {
                Some(Line::Text(bytes)) => chunk.push(parse_command(std::str::from_utf8(&bytes)?)),
                Some(Line::TooLong) => return Err("an overlong line in the workload".into()),
                None => break,
            }
        }
        if chunk.is_empty() {
            break;
        }
        lines_read += chunk.len() as u64;
        in_flight.push_back(writer.enqueue_blocking(chunk)?);
        if in_flight.len() >= 2 {
            collect(in_flight.pop_front().ok_or("queue")?)?;
        }
        if lines_read >= next_sample {
            rss_samples.push((lines_read, rss_bytes().0));
            next_sample += total_lines / 4;
        }
    }
    while let Some(answer) = in_flight.pop_front() {
        collect(answer)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (ledger, _) = writer.shutdown();
    let events = ledger.store().head()?.0;
    Ok(Bulk {
        throughput: Throughput { events, seconds },
        batch_events,
        refused,
        rss_samples,
    })
}

/// The ledger's stored events as raw bytes, for the ceiling to write again.
fn raw_events(store: &SledStore, from: u64, to: u64) -> BenchResult<Vec<RawEvent>> {
    let mut events = Vec::new();
    for position in from..=to {
        let value = store
            .reader()
            .raw_log_entry(position)?
            .ok_or("missing log entry")?;
        let (stream, version) = flexledger::store::log_entry::stream_and_version(&value)?;
        events.push(RawEvent {
            log_value: value.to_vec(),
            stream,
            version,
        });
    }
    Ok(events)
}

/// The policy and `members` enrollments: the setup the timed measurements start from.
fn enrolled_region(
    members: usize,
) -> Vec<Result<flexledger::domain::CommandEnvelope, flexledger::domain::Refusal>> {
    let mut setup = vec![parse_command(&policy().to_string())];
    setup.extend((0..members).map(|index| parse_command(&json!({"command":"enroll","member_id":member_id(index),"region":"bench","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}).to_string())));
    setup
}

/// What (b) measured: the rate, the writer's appends and commands, and the log's head
/// after the setup (the events after it are the pays: the ceiling's rows on PostgreSQL).
struct Concurrent {
    throughput: Throughput,
    appends: u64,
    commands: u64,
    setup_head: u64,
}

/// (b) `appenders` tokio tasks, each submitting one pay at a time for its own members.
fn concurrent(
    mut ledger: Ledger,
    appenders: usize,
    per_appender: usize,
) -> BenchResult<Concurrent> {
    let members = appenders * per_appender;
    let setup = enrolled_region(members);
    ledger.submit(setup, &mut SystemSources)?;
    let setup_head = ledger.store().head()?.0;
    let writer = Writer::start(ledger, Box::new(SystemSources));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let handle = writer.sender();
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for appender in 0..appenders {
            let handle = handle.clone();
            tasks.push(tokio::spawn(async move {
                for offset in 0..per_appender {
                    let pay = json!({"command":"pay","member_id":member_id(appender * per_appender + offset),"months":["2025-01"],"amount":"600.00","paid_on":"2025-01-15"});
                    let results = handle.submit(vec![parse_command(&pay.to_string())]).await.map_err(|error| error.to_string())?;
                    if !results[0].is_accepted() {
                        return Err(format!("refused: {:?}", results[0]));
                    }
                }
                Ok::<(), String>(())
            }));
        }
        for task in tasks {
            task.await.map_err(|error| error.to_string())??;
        }
        Ok::<(), String>(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    drop(handle);
    let (_ledger, stats) = writer.shutdown();
    let commands = members as u64;
    Ok(Concurrent {
        throughput: Throughput {
            events: commands,
            seconds,
        },
        appends: stats.appends,
        commands,
        setup_head,
    })
}

/// (c) one command per durable append, one writer, no concurrency; also returns the
/// log's head after the setup.
fn single_writer_latency(mut ledger: Ledger, samples: usize) -> BenchResult<(Latency, u64)> {
    // As the writer without a feed: nothing appended is kept for a subscriber.
    ledger.set_keep_appended(false);
    let setup = enrolled_region(samples);
    ledger.submit(setup, &mut SystemSources)?;
    let setup_head = ledger.store().head()?.0;
    let mut timings = Vec::with_capacity(samples);
    for index in 0..samples {
        let pay = json!({"command":"pay","member_id":member_id(index),"months":["2025-01"],"amount":"600.00","paid_on":"2025-01-15"}).to_string();
        let started = Instant::now();
        let results = ledger
            .submit(vec![parse_command(&pay)], &mut SystemSources)?
            .results;
        timings.push(started.elapsed());
        if !results[0].is_accepted() {
            return Err(format!("refused: {:?}", results[0]).into());
        }
    }
    Ok((latency_of(timings), setup_head))
}

fn member_reads(
    store: &(impl ReadStore + ?Sized),
    members: usize,
    samples: usize,
    folded: bool,
) -> BenchResult<Latency> {
    let mut timings = Vec::with_capacity(samples);
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..samples {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let id = member_id(usize::try_from(seed % members as u64)?);
        let started = Instant::now();
        let coverage = if folded {
            member_coverage_folded(store, id, None)?
        } else {
            member_coverage(store, id, None)?
        };
        timings.push(started.elapsed());
        coverage.ok_or("member missing")?;
    }
    Ok(latency_of(timings))
}

fn ratio(ledger: f64, ceiling: f64) -> String {
    if ceiling > 0.0 {
        format!("{:.0}%", 100.0 * ledger / ceiling)
    } else {
        "n/a".into()
    }
}

fn row(name: &str, ledger: String, ceiling: String, ratio: String) {
    println!("| {name} | {ledger} | {ceiling} | {ratio} |");
}

/// Runs the benchmark; a failure is said as a sentence naming what failed, and exits 2
/// (could not run), as the other binaries' do.
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flexledger-bench: {error}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> BenchResult<()> {
    let args = Args::parse();
    if let Some(path) = &args.emit {
        let file = std::fs::File::create(path)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        let lines = write_region(&args, &mut out)?;
        std::io::Write::flush(&mut out)?;
        eprintln!("wrote {lines} commands to {}", path.display());
        return Ok(());
    }
    if let Some(dir) = &args.census {
        return raw_sled::census(dir);
    }
    if let Some(input) = &args.raw_load {
        return raw_load(input, args.raw_keys, args.dir.clone());
    }
    let scratch = tempfile_dir(args.dir.clone())?;
    if args.concurrent_only {
        let ledger = match &args.store {
            Some(url) => {
                pg::check_empty(url)?;
                pg::empty_ledger(url)?
            }
            None => Ledger::open(&scratch.join("concurrent"))?,
        };
        let run = concurrent(ledger, args.appenders, args.appender_commands)?;
        println!(
            "{}",
            json!({"appenders": args.appenders, "commands": run.commands, "appends": run.appends, "commands_per_second": run.throughput.per_second()})
        );
        if let Some(url) = &args.store {
            pg::reset(url)?;
        }
        let _ = std::fs::remove_dir_all(&scratch);
        return Ok(());
    }
    let root = scratch.as_path();
    if args.postgres_only && args.store.is_none() {
        return Err("--postgres-only needs --store".into());
    }
    if let Some(url) = &args.store {
        // Refused before the long part starts: a database holding a ledger's events.
        pg::check_empty(url)?;
        if args.postgres_only {
            let measured = pg::run(&args, url, root);
            if args.dir.is_none() {
                let _ = std::fs::remove_dir_all(root);
            }
            return measured;
        }
    }
    let (ledger, store) = measure_ledger(&args, root)?;
    let ceilings = measure_ceilings(&args, root, &store, &ledger)?;
    drop(store);
    print_table(&args, &ledger, &ceilings);
    if let Some(url) = &args.store {
        postgres_part(&args, url, &root.join("postgres"))?;
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(root);
    }
    Ok(())
}

/// What the ledger measured: (a) to (e), member reads and memory.
struct LedgerMeasures {
    lines: u64,
    bulk: Bulk,
    peak_after_bulk: Option<u64>,
    rebuild: Throughput,
    live_reads: Latency,
    folded_reads: Latency,
    ledger_bytes: u64,
    concurrent_throughput: Throughput,
    concurrent_appends: u64,
    concurrent_commands: u64,
    single: Latency,
    peak_ledger: Option<u64>,
}

/// The raw sled ceilings, each doing the same work as a ledger measurement.
struct Ceilings {
    raw_bulk: Throughput,
    raw_bytes: u64,
    raw_replay: Throughput,
    raw_reads: Latency,
    /// Commands per append in the concurrent run, which the ceiling copies.
    per_append: usize,
    raw_concurrent: Throughput,
    raw_single: Latency,
}

/// Generates the region, imports it and measures the ledger; the bulk store is kept
/// for the ceilings, which copy its events.
fn measure_ledger(args: &Args, root: &Path) -> BenchResult<(LedgerMeasures, SledStore)> {
    eprintln!(
        "generating {} members × {} months ...",
        args.members, args.months
    );
    let workload = root.join("region.jsonl");
    let lines = {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&workload)?);
        let lines = write_region(args, &mut out)?;
        std::io::Write::flush(&mut out)?;
        lines
    };
    eprintln!("{lines} command lines; (a) bulk submit ...");
    let bulk = bulk_submit(Ledger::open(&root.join("bulk"))?, &workload, lines)?;
    let (_, peak_after_bulk) = rss_bytes();
    let store = SledStore::open(&root.join("bulk"))?;
    eprintln!("(d) rebuild ...");
    let started = Instant::now();
    let state = fold_log(&store, &mut |_| {})?;
    let rebuild = Throughput {
        events: state.position,
        seconds: started.elapsed().as_secs_f64(),
    };
    drop(state);
    eprintln!("member reads ...");
    let live_reads = member_reads(&store, args.members, args.samples, false)?;
    let folded_reads = member_reads(&store, args.members, args.samples, true)?;
    let ledger_bytes = raw_sled::dir_bytes(&root.join("bulk"));
    eprintln!("(b) {} concurrent appenders ...", args.appenders);
    let Concurrent {
        throughput: concurrent_throughput,
        appends: concurrent_appends,
        commands: concurrent_commands,
        ..
    } = concurrent(
        Ledger::open(&root.join("concurrent"))?,
        args.appenders,
        args.appender_commands,
    )?;
    eprintln!("(c) single-writer latency ...");
    let (single, _) = single_writer_latency(Ledger::open(&root.join("single"))?, args.samples)?;
    let (_, peak_ledger) = rss_bytes();

    Ok((
        LedgerMeasures {
            lines,
            bulk,
            peak_after_bulk,
            rebuild,
            live_reads,
            folded_reads,
            ledger_bytes,
            concurrent_throughput,
            concurrent_appends,
            concurrent_commands,
            single,
            peak_ledger,
        },
        store,
    ))
}

/// The raw sled ceilings of the ledger's measurements, on the same events.
fn measure_ceilings(
    args: &Args,
    root: &Path,
    store: &SledStore,
    ledger: &LedgerMeasures,
) -> BenchResult<Ceilings> {
    let LedgerMeasures {
        bulk,
        concurrent_appends,
        concurrent_commands,
        ..
    } = ledger;
    let (concurrent_appends, concurrent_commands) = (*concurrent_appends, *concurrent_commands);
    eprintln!("raw sled ceilings ...");
    let raw = raw_events(store, 1, bulk.throughput.events)?;
    let raw_bulk = raw_sled::append_ceiling(
        &root.join("raw-bulk"),
        &raw,
        &bulk
            .batch_events
            .iter()
            .copied()
            .filter(|size| *size > 0)
            .collect::<Vec<_>>(),
    )?;
    let raw_bytes = raw_sled::dir_bytes(&root.join("raw-bulk"));
    let raw_replay = raw_sled::replay_ceiling(&root.join("raw-bulk"))?;
    let member_streams: Vec<String> = (0..args.members.min(10_000))
        .map(|index| StreamId::Member(member_id(index)).name())
        .collect();
    let raw_reads =
        raw_sled::stream_read_latency(&root.join("raw-bulk"), &member_streams, args.samples)?;
    let per_append = (concurrent_commands as f64 / concurrent_appends.max(1) as f64)
        .round()
        .max(1.0) as usize;
    let concurrent_raw_events = &raw[..usize::try_from(concurrent_commands)?.min(raw.len())];
    let mut concurrent_sizes = vec![per_append; concurrent_raw_events.len() / per_append];
    let rest = concurrent_raw_events.len() - concurrent_sizes.iter().sum::<usize>();
    if rest > 0 {
        concurrent_sizes.push(rest);
    }
    let raw_concurrent = raw_sled::append_ceiling(
        &root.join("raw-concurrent"),
        concurrent_raw_events,
        &concurrent_sizes,
    )?;
    let raw_single = raw_sled::single_append_latency(
        &root.join("raw-single"),
        &raw[..args.samples.min(raw.len())],
        args.samples,
    )?;

    Ok(Ceilings {
        raw_bulk,
        raw_bytes,
        raw_replay,
        raw_reads,
        per_append,
        raw_concurrent,
        raw_single,
    })
}

/// The ledger beside its ceilings, as a Markdown table, and the memory it used.
fn print_table(args: &Args, ledger: &LedgerMeasures, ceilings: &Ceilings) {
    let LedgerMeasures {
        lines,
        bulk,
        peak_after_bulk,
        live_reads,
        concurrent_throughput,
        single,
        peak_ledger,
        ..
    } = ledger;
    let Ceilings {
        raw_bulk,
        per_append,
        raw_concurrent,
        raw_single,
        ..
    } = ceilings;
    let (peak_after_bulk, peak_ledger) = (*peak_after_bulk, *peak_ledger);
    println!(
        "\nflexledger-bench: {} members × {} months, {} events, {} commands ({} refused)",
        args.members, args.months, bulk.throughput.events, lines, bulk.refused
    );
    println!("\n| measurement | ledger | raw sled ceiling | ratio |\n|---|---|---|---|");
    row(
        "(a) bulk submit, events/s",
        format!("{:.0}", bulk.throughput.per_second()),
        format!("{:.0}", raw_bulk.per_second()),
        ratio(bulk.throughput.per_second(), raw_bulk.per_second()),
    );
    row(
        &format!("(b) {} concurrent appenders, commands/s", args.appenders),
        format!(
            "{:.0} ({} per append)",
            concurrent_throughput.per_second(),
            per_append
        ),
        format!("{:.0}", raw_concurrent.per_second()),
        ratio(
            concurrent_throughput.per_second(),
            raw_concurrent.per_second(),
        ),
    );
    row(
        "(c) single writer, one event per fsync, p50",
        format!("{:.0} µs", single.p50_us),
        format!("{:.0} µs", raw_single.p50_us),
        ratio(raw_single.p50_us, single.p50_us),
    );
    row(
        "(c) single writer, p99",
        format!("{:.0} µs", single.p99_us),
        format!("{:.0} µs", raw_single.p99_us),
        ratio(raw_single.p99_us, single.p99_us),
    );
    print_read_rows(ledger, ceilings);
    println!(
        "\nsamples: {} single-writer appends, {} member reads each way.",
        single.samples, live_reads.samples
    );
    println!("ratio: ledger ÷ ceiling for throughput, ceiling ÷ ledger for latency and bytes (higher is better; 100% = the ceiling).");
    println!("peak RSS: {} after the bulk import, {} after every ledger measurement (before the ceilings allocate their copies).", mib(peak_after_bulk), mib(peak_ledger));
    let samples: Vec<String> = bulk
        .rss_samples
        .iter()
        .map(|(lines, rss)| format!("{} at line {lines}", mib(*rss)))
        .collect();
    println!("RSS during the bulk import: {}", samples.join(", "));
}

/// The table's rows for (d), member reads and (e).
fn print_read_rows(ledger: &LedgerMeasures, ceilings: &Ceilings) {
    let LedgerMeasures {
        bulk,
        rebuild,
        live_reads,
        folded_reads,
        ledger_bytes,
        ..
    } = ledger;
    let Ceilings {
        raw_bytes,
        raw_replay,
        raw_reads,
        ..
    } = ceilings;
    let (ledger_bytes, raw_bytes) = (*ledger_bytes, *raw_bytes);
    row(
        "(d) full rebuild (read, verify hash, decode, fold), events/s",
        format!("{:.0}", rebuild.per_second()),
        format!("{:.0}", raw_replay.per_second()),
        ratio(rebuild.per_second(), raw_replay.per_second()),
    );
    row(
        "member read (stored state), p50 / p99",
        format!("{:.0} / {:.0} µs", live_reads.p50_us, live_reads.p99_us),
        format!("{:.0} / {:.0} µs", raw_reads.p50_us, raw_reads.p99_us),
        ratio(raw_reads.p50_us, live_reads.p50_us),
    );
    row(
        "member read (fold of its streams), p50 / p99",
        format!("{:.0} / {:.0} µs", folded_reads.p50_us, folded_reads.p99_us),
        format!("{:.0} / {:.0} µs", raw_reads.p50_us, raw_reads.p99_us),
        ratio(raw_reads.p50_us, folded_reads.p50_us),
    );
    let events = bulk.throughput.events.max(1) as f64;
    row(
        "(e) bytes on disk per event",
        format!("{:.0}", ledger_bytes as f64 / events),
        format!("{:.0}", raw_bytes as f64 / events),
        ratio(raw_bytes as f64, ledger_bytes as f64),
    );
}

/// `--raw-load`: one load of an envelope file into the target `keys` names, as one JSON line.
fn raw_load(input: &Path, keys: u8, dir: Option<PathBuf>) -> BenchResult<()> {
    let target = match keys {
        0 => raw_sled::LoadTarget::File,
        1 => raw_sled::LoadTarget::SledLog,
        _ => raw_sled::LoadTarget::SledLogAndStreamIndex,
    };
    let keep = dir.is_some();
    let scratch = tempfile_dir(dir)?;
    let load = raw_sled::load_envelopes(input, &scratch, target)?;
    let events = load.throughput.events.max(1) as f64;
    println!(
        "{}",
        json!({
            "target": target.name(),
            "events": load.throughput.events,
            "batches": load.batches,
            "seconds": load.throughput.seconds,
            "events_per_second": load.throughput.per_second(),
            "bytes_on_disk": load.bytes_on_disk,
            "bytes_per_event": load.bytes_on_disk as f64 / events,
            "peak_rss_bytes": raw_sled::peak_rss_bytes(),
        })
    );
    if !keep {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

/// The PostgreSQL part, run as this program again with the same arguments (the sled
/// part's memory, kept by the allocator, would hide its peak RSS), in `dir`.
fn postgres_part(args: &Args, url: &str, dir: &Path) -> BenchResult<()> {
    use std::io::Write;
    std::io::stdout().flush()?;
    let numbers = [
        ("--members", args.members),
        ("--months", args.months.into()),
        ("--appenders", args.appenders),
        ("--appender-commands", args.appender_commands),
        ("--samples", args.samples),
        ("--granted-percent", usize::from(args.granted_percent)),
    ];
    let status = std::process::Command::new(std::env::current_exe()?)
        .args(
            numbers
                .iter()
                .flat_map(|(name, value)| [name.to_string(), value.to_string()]),
        )
        .arg("--postgres-only")
        .arg("--dir")
        .arg(dir)
        // In the environment, not on the command line: a URL may hold a password.
        .env("FLEXLEDGER_STORE", url)
        .status()?;
    if !status.success() {
        return Err(format!("the PostgreSQL part failed ({status})").into());
    }
    Ok(())
}

fn tempfile_dir(given: Option<PathBuf>) -> BenchResult<PathBuf> {
    let dir = match given {
        Some(dir) => dir,
        None => std::env::temp_dir().join(format!("flexledger-bench-{}", std::process::id())),
    };
    if dir.exists() {
        return Err(format!("{} exists; pass a new --dir", dir.display()).into());
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

// jemalloc, not the platform's malloc (docs/DECISIONS.md D43).
flexledger::jemalloc_allocator!();
