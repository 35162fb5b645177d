//! The ledger on a PostgreSQL primary with a synchronous hot standby
//! (`support::postgres::Replicated`, the shape `docs/deploy.md` describes): a failover
//! under load loses no acknowledged command and leaves a verifiable log; with the
//! standby down a command waits instead of succeeding on the primary alone; and the
//! feed of read-only servers on the standby, with its delay behind the writer printed
//! (`cargo test --test it failover -- --nocapture`; never asserted).

use crate::http::{next_sse, token, Server};
use crate::postgres_cli::{audit_on, flexledger_on, serve};
use crate::support::postgres::Replicated;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The database every test here makes on its pair.
const DATABASE: &str = "ledger";
/// A client's bound on one command (the writer has none of its own).
const COMMAND_TIMEOUT_SECONDS: u64 = 20;
/// Commands acknowledged before the checkpoint, then before the primary is crashed.
const ACKED_BEFORE_CHECKPOINT: usize = 30;
const ACKED_BEFORE_CRASH: usize = 150;
/// Client threads sending commands at once.
const LOAD_THREADS: u128 = 4;
/// Commands sent one after another to measure the read-only servers' feed delay.
const DELAY_COMMANDS: usize = 300;
/// How long a test waits for the load to reach a count before it gives up.
const LOAD_WAIT_SECONDS_MAX: u64 = 60;

fn assert_success(output: &Output, what: &str) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A started pair with the ledger's database created and migrated (on the primary);
/// its URL on the primary.
fn migrated_pair(dir: &Path) -> Option<(Replicated, String)> {
    let pair = Replicated::start()?;
    pair.create_database(DATABASE);
    let url = pair.url(pair.primary_port, DATABASE);
    assert_success(&flexledger_on(&url, dir, &["migrate"]), "migrate");
    Some((pair, url))
}

/// Stops a server as an operator would (SIGTERM: it finishes what it has in flight).
fn stop_gracefully(mut server: Server) {
    let pid = i32::try_from(server.child.id()).unwrap();
    // SAFETY: kill has no memory preconditions; the pid is our own child's, not reaped.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let status = server.child.wait().unwrap();
    assert!(status.success(), "serve stops cleanly on SIGTERM: {status}");
}

/// The `index`th enrollment of a fresh member into the demo region: (command id, body).
fn enrollment(index: u128) -> (String, String) {
    let command_id = uuid::Uuid::from_u128(0xc0000000_0000_4000_8000_000000000000 | index);
    let member_id = uuid::Uuid::from_u128(0x7e000000_0000_4000_8000_000000000000 | index);
    let body = json!({"command_id": command_id, "command": "enroll", "member_id": member_id,
        "region": "demo", "month": "2025-10", "base_ratio": "0.60", "labor_relationship": "none"});
    (command_id.to_string(), body.to_string())
}

/// POSTs a command with a client timeout: (status, body), or the transport's error.
fn send(base: &str, body: &str, timeout: Duration) -> Result<(u16, Value), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into();
    let mut response = agent
        .post(&format!("{base}/v1/commands"))
        .header("content-type", "application/json")
        .header("authorization", &format!("Bearer {}", token("operator")))
        .send(body)
        .map_err(|error| error.to_string())?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

/// One command sent under load and what its client learned.
struct Sent {
    command_id: String,
    body: String,
    /// The events of a 2xx answer; `None` if the client got anything else.
    acked: Option<Value>,
}

/// Client threads sending enrollments until told to stop; a thread stops at its
/// first command not acknowledged (the writer lost its database).
struct Load {
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
    threads: Vec<std::thread::JoinHandle<Vec<Sent>>>,
}

impl Load {
    fn start(base: &str, first_index: u128) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(AtomicUsize::new(0));
        let threads = (0..LOAD_THREADS)
            .map(|thread| {
                let (base, stop, acked) = (base.to_owned(), stop.clone(), acked.clone());
                let first = first_index + thread * 1_000_000;
                std::thread::spawn(move || send_until_stopped(&base, first, &stop, &acked))
            })
            .collect();
        Load {
            stop,
            acked,
            threads,
        }
    }

    fn wait_for_acked(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(LOAD_WAIT_SECONDS_MAX);
        while self.acked.load(Ordering::SeqCst) < count {
            assert!(
                Instant::now() < deadline,
                "the load never reached {count} acknowledged commands"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// `wait_for_acked(count)`, then `finish`.
    fn finish_after(self, count: usize) -> Vec<Sent> {
        self.wait_for_acked(count);
        self.finish()
    }

    fn finish(self) -> Vec<Sent> {
        self.stop.store(true, Ordering::SeqCst);
        self.threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect()
    }
}

fn send_until_stopped(
    base: &str,
    first: u128,
    stop: &AtomicBool,
    acked: &AtomicUsize,
) -> Vec<Sent> {
    let mut sent = Vec::new();
    let mut index = first;
    while !stop.load(Ordering::SeqCst) {
        let (command_id, body) = enrollment(index);
        index += 1;
        let answer = send(base, &body, Duration::from_secs(COMMAND_TIMEOUT_SECONDS));
        let events = match answer {
            Ok((200..=299, answer)) => Some(answer["events"].clone()),
            _ => None,
        };
        let failed = events.is_none();
        if !failed {
            acked.fetch_add(1, Ordering::SeqCst);
        }
        sent.push(Sent {
            command_id,
            body,
            acked: events,
        });
        if failed {
            break;
        }
    }
    sent
}

/// The positions of `events` (a command's answer).
fn positions(events: &Value) -> Vec<i64> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|event| i64::try_from(event["position"].as_u64().unwrap()).unwrap())
        .collect()
}

/// The log on `url` holds positions 1..=head with no gap, and its head row says head.
fn assert_no_gaps(url: &str) -> i64 {
    let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
    let row = client
        .query_one(
            "SELECT count(*), coalesce(min(position), 0), coalesce(max(position), 0), \
             (SELECT position FROM head) FROM log_entries",
            &[],
        )
        .unwrap();
    let (count, first, last, head): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!((first, last), (1, count), "positions 1..=head, no gap");
    assert_eq!(head, last, "the head row names the last position");
    head
}

/// The positions the log on `url` holds for `command_id`.
fn logged_positions(client: &mut ::postgres::Client, command_id: &str) -> Vec<i64> {
    let id = uuid::Uuid::parse_str(command_id).unwrap();
    client
        .query(
            "SELECT position FROM log_entries WHERE command_id = $1 ORDER BY position",
            &[&id],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn a_failover_under_load_keeps_every_acknowledged_command_once_and_a_verifiable_log() {
    let dir = tempfile::tempdir().unwrap();
    let Some((pair, url)) = migrated_pair(dir.path()) else {
        return;
    };
    let writer = serve(dir.path(), &url, None);
    let mut sent = Load::start(&writer.base, 0).finish_after(ACKED_BEFORE_CHECKPOINT);
    stop_gracefully(writer);
    let checkpoint = audit_on(&url, dir.path(), &["--json", "checkpoint"]);
    assert_success(&checkpoint, "flexledger-audit checkpoint");
    let signed: Value = serde_json::from_slice(&checkpoint.stdout).unwrap();
    let tree_size = signed["checkpoint"]["tree_size"].as_u64().unwrap();
    assert!(
        tree_size > u64::try_from(ACKED_BEFORE_CHECKPOINT).unwrap(),
        "the checkpoint covers the first commands: {signed}"
    );

    let writer = serve(dir.path(), &url, None);
    let load = Load::start(&writer.base, 1 << 32);
    load.wait_for_acked(ACKED_BEFORE_CRASH);
    pair.crash_primary();
    sent.extend(load.finish());
    drop(writer);
    pair.promote_standby();

    let url = pair.url(pair.standby_port, DATABASE);
    check_after_failover(&url, dir.path(), &sent);
    println!("failover: the checkpoint signed before it covers {tree_size} events");
}

/// Every acknowledged command once at the positions it was answered with, no gap,
/// `verify` and the checkpoint made before the failover pass, and every command id
/// sent again is answered as a duplicate with the same events (or, if its client never
/// learned the outcome, appended now, once).
fn check_after_failover(url: &str, dir: &Path, sent: &[Sent]) {
    let head = assert_no_gaps(url);
    // Before the writer restarts: both open the store as its writer would.
    assert_success(&flexledger_on(url, dir, &["verify"]), "flexledger verify");
    let verified = audit_on(url, dir, &["--json", "verify"]);
    assert_success(
        &verified,
        "flexledger-audit verify (the checkpoint made before the failover)",
    );
    let report: Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    // The writer's first (`sign_first_checkpoint`) and the one made before the failover.
    assert_eq!(report["checkpoints_verified"], 2, "{report}");
    let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
    let acked: Vec<&Sent> = sent.iter().filter(|sent| sent.acked.is_some()).collect();
    for command in &acked {
        let events = command.acked.as_ref().unwrap();
        assert_eq!(
            logged_positions(&mut client, &command.command_id),
            positions(events)
        );
    }
    let writer = serve(dir, url, None);
    let mut found_without_ack = 0;
    for command in sent {
        let (status, answer) = send(
            &writer.base,
            &command.body,
            Duration::from_secs(COMMAND_TIMEOUT_SECONDS),
        )
        .unwrap();
        assert_eq!(status, 200, "{answer}");
        match &command.acked {
            Some(events) => {
                assert_eq!(answer["duplicate"], true, "{answer}");
                assert_eq!(&answer["events"], events);
            }
            None if answer["duplicate"] == true => found_without_ack += 1,
            None => {}
        }
        assert_eq!(
            logged_positions(&mut client, &command.command_id),
            positions(&answer["events"])
        );
    }
    assert_no_gaps(url);
    println!(
        "failover: {} commands acknowledged before the crash (all present once after it, log head {head}), \
         {} not acknowledged ({found_without_ack} of them committed anyway, the rest appended once when sent again); \
         verify and the checkpoint made before the failover pass",
        acked.len(),
        sent.len() - acked.len()
    );
}

#[test]
fn with_the_synchronous_standby_down_a_command_waits_until_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let Some((pair, url)) = migrated_pair(dir.path()) else {
        return;
    };
    let writer = serve(dir.path(), &url, None);
    let timeout = Duration::from_secs(COMMAND_TIMEOUT_SECONDS);
    let (status, _) = send(&writer.base, &enrollment(0).1, timeout).unwrap();
    assert_eq!(status, 200);
    pair.stop_standby();

    let base = writer.base.clone();
    let waiting = std::thread::spawn(move || {
        let answer = send(
            &base,
            &enrollment(1).1,
            Duration::from_secs(LOAD_WAIT_SECONDS_MAX),
        );
        (answer, Instant::now())
    });
    wait_for_a_commit_waiting_on_the_standby(&pair);
    assert!(
        !waiting.is_finished(),
        "the command is not answered while the standby is down"
    );
    // A client with a shorter bound gives up, and does not learn the outcome.
    let (gave_up_id, gave_up_body) = enrollment(2);
    let gave_up = send(&writer.base, &gave_up_body, Duration::from_secs(2));
    assert!(gave_up.is_err(), "{gave_up:?}");

    let restarted = Instant::now();
    pair.restart_standby();
    let (answer, answered) = waiting.join().unwrap();
    let (status, body) = answer.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["duplicate"], false);
    assert!(
        answered > restarted,
        "acknowledged only once the standby is back"
    );
    // The command whose client gave up was committed once the standby was back: sent
    // again, it is a duplicate (how a client learns the outcome).
    let (status, body) = send(&writer.base, &gave_up_body, timeout).unwrap();
    assert_eq!((status, &body["duplicate"]), (200, &json!(true)), "{body}");
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    assert_eq!(logged_positions(&mut client, &gave_up_id).len(), 1);
}

/// Waits until a backend on the primary waits for the synchronous standby (wait
/// event `SyncRep`): the commit is flushed on the primary and not acknowledged.
fn wait_for_a_commit_waiting_on_the_standby(pair: &Replicated) {
    let deadline = Instant::now() + Duration::from_secs(LOAD_WAIT_SECONDS_MAX);
    let mut admin = pair.admin(pair.primary_port);
    loop {
        let waiting: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no commit ever waited for the standby"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads `count` feed messages (MemberEnrolled, from the start: the catch-up sends
/// the demo's at once) from the server at `base`, noting when each arrived; says when
/// it has subscribed.
fn arrivals(base: &str, count: usize, ready: &std::sync::mpsc::Sender<()>) -> Vec<(u64, Instant)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_per_read(Some(Duration::from_secs(LOAD_WAIT_SECONDS_MAX)))
        .build()
        .into();
    let response = agent
        .get(&format!("{base}/v1/feed?from=1&types=MemberEnrolled"))
        .header("authorization", &format!("Bearer {}", token("subscriber")))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut feed = std::io::BufReader::new(response.into_body().into_reader());
    ready.send(()).unwrap();
    let mut seen = Vec::new();
    while seen.len() < count {
        let message = next_sse(&mut feed);
        if let Some(id) = message.id {
            // `P-TAG`: the position, then its event's history tag (D91).
            let (position, _tag) = id.split_once('-').expect("a tagged id");
            seen.push((position.parse().unwrap(), Instant::now()));
        }
    }
    seen
}

/// The `percent`th percentile of sorted `values`.
fn percentile(sorted: &[f64], percent: usize) -> f64 {
    sorted[(sorted.len() - 1) * percent / 100]
}

#[test]
fn read_only_servers_on_the_standby_deliver_every_acknowledged_command_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let Some((pair, url)) = migrated_pair(dir.path()) else {
        return;
    };
    let writer = serve(dir.path(), &url, None);
    let standby_url = pair.url(pair.standby_port, DATABASE);
    // A writer pointed at the standby is refused when it opens, saying where writers
    // belong, not at its first append with the server's bare error.
    for args in [&["submit", "-"][..], &["migrate"], &["rebuild"]] {
        let refused = flexledger_on(&standby_url, dir.path(), args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}: {refused:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            said.contains("is on a standby in recovery"),
            "{args:?}: {said}"
        );
    }
    let readers: Vec<(tempfile::TempDir, Server)> = (0..2)
        .map(|_| {
            let reader_dir = tempfile::tempdir().unwrap();
            let server = serve(reader_dir.path(), &standby_url, Some(&writer.base));
            (reader_dir, server)
        })
        .collect();
    let demo_enrollments = flexledger::http::DEMO_COMMANDS
        .lines()
        .filter(|line| line.contains("\"command\":\"enroll\""))
        .count();
    let feeds: Vec<_> = readers
        .iter()
        .map(|(_, server)| {
            let (ready, started) = std::sync::mpsc::channel();
            let base = server.base.clone();
            let feed = std::thread::spawn(move || {
                arrivals(&base, demo_enrollments + DELAY_COMMANDS, &ready)
            });
            started.recv().unwrap();
            feed
        })
        .collect();
    let timeout = Duration::from_secs(COMMAND_TIMEOUT_SECONDS);
    let acked: Vec<(u64, Instant)> = (0..DELAY_COMMANDS)
        .map(|index| {
            let (status, body) = send(
                &writer.base,
                &enrollment(u128::try_from(index).unwrap()).1,
                timeout,
            )
            .unwrap();
            assert_eq!(status, 200, "{body}");
            (
                body["events"][0]["position"].as_u64().unwrap(),
                Instant::now(),
            )
        })
        .collect();
    for (number, feed) in feeds.into_iter().enumerate() {
        let seen = feed.join().unwrap();
        let delivered: Vec<(u64, Instant)> = seen[demo_enrollments..].to_vec();
        let positions: Vec<u64> = delivered.iter().map(|(position, _)| *position).collect();
        let expected: Vec<u64> = acked.iter().map(|(position, _)| *position).collect();
        assert_eq!(
            positions, expected,
            "every acknowledged command once, in order"
        );
        print_delay(number + 1, &acked, &delivered);
    }
}

/// Prints the delay from each command's 2xx on the writer to its delivery by a
/// read-only server (negative: delivered before the writer's answer reached its
/// client, which `remote_apply` allows).
fn print_delay(server: usize, acked: &[(u64, Instant)], delivered: &[(u64, Instant)]) {
    let mut delays: Vec<f64> = acked
        .iter()
        .zip(delivered)
        .map(|((_, acked), (_, delivered))| {
            if delivered >= acked {
                delivered.duration_since(*acked).as_secs_f64() * 1000.0
            } else {
                -(acked.duration_since(*delivered).as_secs_f64() * 1000.0)
            }
        })
        .collect();
    delays.sort_by(f64::total_cmp);
    println!(
        "feed delay, writer's 2xx to delivery by read-only server {server} on the standby, {} commands: \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        delays.len(),
        percentile(&delays, 50),
        percentile(&delays, 99),
        delays[delays.len() - 1]
    );
}
