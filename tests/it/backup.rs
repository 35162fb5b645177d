//! Backup and restore through the real binary: a restored ledger answers every query
//! as the original does and verifies; a backup fetched from a running server while
//! commands are appended is exactly the log up to its checkpoint; a tampered or cut
//! backup is refused, naming its line, and leaves nothing behind; restore never
//! writes into a non-empty directory and never installs another signing key.

use crate::support::*;
use flexledger::domain::StreamId;
use flexledger::store::{EventLog, SledStore};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A member of the demo region.
const MEMBER_ID: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

/// The demo region, and a generated one of `members` members over `months` months.
fn make_ledger(dir: &Path, members: usize, months: usize) {
    let demo_file = repo_path("examples/demo.jsonl");
    let demo = flexledger(dir, &["submit", demo_file.to_str().unwrap()], None);
    assert_eq!(demo.status.code(), Some(0), "{}", stderr(&demo));
    if members == 0 {
        return;
    }
    let commands = dir.with_extension("commands.jsonl");
    let emitted = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger-bench"))
        .args([
            "--members",
            &members.to_string(),
            "--months",
            &months.to_string(),
            "--emit",
        ])
        .arg(&commands)
        .output()
        .unwrap();
    assert!(emitted.status.success(), "{}", stderr(&emitted));
    let submitted = flexledger(dir, &["submit", commands.to_str().unwrap()], None);
    assert_eq!(submitted.status.code(), Some(0), "{}", stderr(&submitted));
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default())
        .unwrap_or_else(|error| panic!("{error}: {text} / {}", stderr(output)))
}

/// `flexledger backup` of `dir`; returns its summary.
fn backup(dir: &Path, out: &Path) -> Value {
    let output = flexledger(dir, &["backup", "--out", out.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    json(&output)["summary"].clone()
}

/// `flexledger restore FILE --data-dir target` with `extra` arguments.
fn restore(target: &Path, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["restore", file.to_str().unwrap()];
    args.extend(extra);
    flexledger(target, &args, None)
}

/// Every stream of a store, from its log.
fn streams(dir: &Path) -> Vec<StreamId> {
    streams_of(&SledStore::open(dir).unwrap())
}

/// Every member's coverage and events, every stream, every closed region month's
/// report: what the store answers, as one value to compare.
fn answers(dir: &Path) -> Value {
    let store = SledStore::open(dir).unwrap();
    let mut answers = Vec::new();
    for stream in streams_of(&store) {
        let events: Vec<_> = store.read_stream(&stream).map(Result::unwrap).collect();
        let events = serde_json::to_value(&events).unwrap();
        match &stream {
            StreamId::Member(member_id) => {
                let coverage =
                    flexledger::ledger::member_coverage(&store, *member_id, None).unwrap();
                answers.push(serde_json::json!({"member": member_id, "coverage": coverage.as_ref().map(flexledger::codec::wire::MemberCoverage::from), "events": events}));
            }
            StreamId::Region(region) => {
                let mut month = flexledger::domain::month::Month::parse("2025-01").unwrap();
                let mut reports = Vec::new();
                while let Ok(report) =
                    flexledger::ledger::region_month_report(&store, region, month)
                {
                    let report = flexledger::codec::wire::RegionMonthReport::from(&report);
                    reports.push(serde_json::to_value(report).unwrap());
                    month = month.next();
                }
                answers.push(serde_json::json!({"region": region.to_string(), "reports": reports, "events": events}));
            }
        }
    }
    Value::Array(answers)
}

fn streams_of(store: &SledStore) -> Vec<StreamId> {
    let mut names: Vec<String> = store
        .read_log(1)
        .map(|envelope| envelope.unwrap().stream)
        .collect();
    names.sort();
    names.dedup();
    names
        .iter()
        .map(|name| StreamId::parse(name).unwrap())
        .collect()
}

fn public_key_hex(data_dir: &Path) -> String {
    let key = flexledger::backup::read_signing_key(&data_dir.join("audit-signing-key")).unwrap();
    flexledger::audit::checkpoint::hex(key.verifying_key().as_bytes())
}

/// Nothing but `expected` in `dir`: no half-made data directory, no staging directory.
fn assert_only(dir: &Path, expected: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, expected, "what {} holds", dir.display());
}

#[test]
fn a_restored_ledger_answers_every_query_as_the_original_and_verifies() {
    let root = tempfile::tempdir().unwrap();
    let source = root.path().join("source");
    // More events than one restore batch (4,096), two regions, every kind of event.
    make_ledger(&source, 300, 16);
    let file = root.path().join("ledger.backup");
    let summary = backup(&source, &file);
    let source_verify = json(&flexledger(&source, &["verify"], None));
    assert!(source_verify["events"].as_u64().unwrap() > 4096);
    assert_eq!(summary["position"], source_verify["events"]);
    assert_eq!(summary["head_hash"], source_verify["head_hash"]);

    let target = root.path().join("restored");
    let key_file = source.join("audit-signing-key");
    let restored = restore(
        &target,
        &file,
        &["--signing-key", key_file.to_str().unwrap()],
    );
    assert_eq!(restored.status.code(), Some(0), "{}", stderr(&restored));
    let report = json(&restored);
    assert_eq!(report["events"], summary["position"]);
    assert_eq!(report["head_position"], summary["position"]);
    assert_eq!(report["head_hash"], summary["head_hash"]);
    assert_eq!(report["signing_key"], "installed");

    assert_eq!(json(&flexledger(&target, &["verify"], None)), source_verify);
    let events = |dir: &Path| flexledger(dir, &["events"], None).stdout;
    assert_eq!(
        events(&target),
        events(&source),
        "every envelope, byte for byte"
    );
    assert_eq!(
        answers(&target),
        answers(&source),
        "every member, stream and region month"
    );
    for member in streams(&source)
        .iter()
        .filter_map(|stream| match stream {
            StreamId::Member(member_id) => Some(member_id.to_string()),
            StreamId::Region(_) => None,
        })
        .take(5)
    {
        for args in [
            vec!["member", member.as_str()],
            vec!["events", "--member", member.as_str()],
        ] {
            assert_eq!(
                flexledger(&target, &args, None).stdout,
                flexledger(&source, &args, None).stdout,
                "{args:?}"
            );
        }
    }
    let report_args = ["region", "demo", "--month", "2025-07"];
    assert_eq!(
        flexledger(&target, &report_args, None).stdout,
        flexledger(&source, &report_args, None).stdout
    );

    // The auditor's tools accept both: the file is an audit bundle, and the restored
    // ledger holds the backup's checkpoint, signed by the ledger's own key.
    let audit = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
            .env(
                crate::support::LANGUAGE_PINNED.0,
                crate::support::LANGUAGE_PINNED.1,
            )
            .args(args)
            .env_remove("FLEXLEDGER_SIGNING_KEY")
            .output()
            .unwrap()
    };
    let public_key = public_key_hex(&source);
    let bundle = audit(&[
        "verify-bundle",
        file.to_str().unwrap(),
        "--public-key",
        &public_key,
    ]);
    assert_eq!(
        bundle.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&bundle.stdout)
    );
    let audited = audit(&["--data-dir", target.to_str().unwrap(), "verify"]);
    assert_eq!(
        audited.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&audited.stdout),
        stderr(&audited)
    );
    assert!(
        String::from_utf8_lossy(&audited.stdout).contains("1 signed checkpoint matches the log")
    );
    let proved = audit(&[
        "--data-dir",
        target.to_str().unwrap(),
        "prove",
        "--from",
        "5",
    ]);
    assert_eq!(
        proved.status.code(),
        Some(0),
        "the restored log extends its first 5 events: {}",
        stderr(&proved)
    );

    // Command ids came along: the demo again is all duplicates, and nothing is appended.
    let demo_file = repo_path("examples/demo.jsonl");
    let again = flexledger(&target, &["submit", demo_file.to_str().unwrap()], None);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout_lines(&again)
        .iter()
        .all(|result| result["duplicate"] == true));
    assert_eq!(
        json(&flexledger(&target, &["verify"], None))["events"],
        summary["position"]
    );
}

/// The demo's first payment, as its line, and a withdrawal of the same member sent
/// under the payment's command id: a different command under an accepted id.
fn demo_payment_and_a_withdrawal_under_its_id() -> (String, String) {
    let demo = std::fs::read_to_string(repo_path("examples/demo.jsonl")).unwrap();
    let payment = demo
        .lines()
        .find(|line| line.contains("\"command\":\"pay\""))
        .expect("the demo pays")
        .to_owned();
    let command: Value = serde_json::from_str(&payment).unwrap();
    let withdrawal = serde_json::json!({
        "command": "withdraw",
        "member_id": command["member_id"],
        "reason": "voluntary",
        "command_id": command["command_id"],
    })
    .to_string();
    (payment, withdrawal)
}

/// The first result line of `command` (one JSON line) submitted to `dir`.
fn submitted(dir: &Path, command: &str) -> Value {
    let output = flexledger(
        dir,
        &["submit", "-"],
        Some(format!("{command}\n").as_bytes()),
    );
    stdout_lines(&output).swap_remove(0)
}

/// `flexledger-audit verify-bundle FILE --trust-bundle-key`, with `--json` or not, run
/// where no ledger is.
fn verify_bundle_trusting_its_key(root: &Path, file: &Path, json: bool) -> Output {
    let mut args = vec![
        "verify-bundle",
        file.to_str().unwrap(),
        "--trust-bundle-key",
    ];
    if json {
        args.insert(0, "--json");
    }
    crate::audit::audit(&root.join("no-ledger"), &args)
}

/// A restored ledger answers a repeated command id as the original does (contract v2):
/// the same command is a duplicate, a different one under the id is `command_id_reused`
/// and appends nothing. A backup (version 2) carries each command's body digest; a
/// probe found the restored ledger answering a withdrawal sent under a payment's id
/// `ok:true, duplicate:true`, with the payment's events, so the withdrawal was lost.
#[test]
fn a_restored_ledger_refuses_a_different_command_under_an_accepted_id() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    for line in &lines {
        crate::schemas::assert_valid("audit_bundle_line", &serde_json::from_str(line).unwrap());
    }
    let restored = root.path().join("restored");
    let said = restore(&restored, &root.path().join("demo.backup"), &[]);
    assert_eq!(said.status.code(), Some(0), "{}", stderr(&said));
    assert_eq!(json(&said)["commands_signed"], true);
    assert!(
        !stderr(&said).contains("commands_signed"),
        "{}",
        stderr(&said)
    );
    let file = root.path().join("demo.backup");
    let checked = verify_bundle_trusting_its_key(root.path(), &file, true);
    assert_eq!(json(&checked)["commands_signed"], true);
    let (payment, withdrawal) = demo_payment_and_a_withdrawal_under_its_id();
    for dir in [&source, &restored] {
        let head = || stdout_lines(&flexledger(dir, &["events"], None)).len();
        let before = head();
        let again = submitted(dir, &payment);
        assert_eq!(again["duplicate"], true, "{}: {again}", dir.display());
        let reused = submitted(dir, &withdrawal);
        assert_eq!(
            reused["error"]["code"],
            "command_id_reused",
            "{}: {reused}",
            dir.display()
        );
        assert_eq!(head(), before, "{}: nothing appended", dir.display());
    }
}

/// A backup checks every command's record against its events, as `verify` does: a
/// record removed or altered below the ledger fails the backup (exit 1, the command
/// and its position named, no file left), where it wrote the backup without that
/// command's digest and exited 0 (an operator's probe, 2026-12-06: after a flipped bit
/// in sled's file, the restored ledger answered a different payment under the lost
/// id `duplicate:true`, and `restore`, `verify` and `verify-bundle` all passed).
#[test]
fn a_backup_of_a_ledger_whose_command_record_is_damaged_fails_naming_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("ledger");
    make_ledger(&dir, 0, 0);
    let out = root.path().join("damaged.backup");
    let (command_id, first) = {
        let store = SledStore::open(&dir).unwrap();
        let third = store.read_log(3).next().unwrap().unwrap();
        (
            third.command_id,
            store
                .command_span(third.command_id)
                .unwrap()
                .unwrap()
                .first_position,
        )
    };
    let key = [&b"C"[..], command_id.as_bytes()].concat();
    let store_record = |value: Option<&Vec<u8>>| {
        let store = SledStore::open(&dir).unwrap();
        let previous = match value {
            None => store.raw_tree().remove(&key).unwrap(),
            Some(value) => store.raw_tree().insert(&key, value.clone()).unwrap(),
        };
        store.raw_tree().flush().unwrap();
        previous.map(|record| record.to_vec())
    };
    let backed_up = || flexledger(&dir, &["backup", "--out", out.to_str().unwrap()], None);
    let record = store_record(None).expect("every command has a record");
    let mut altered = record.clone();
    // The record holds the span's first position, then its event count (8 bytes each,
    // big-endian).
    altered[15] ^= 4;
    for value in [None, Some(&altered)] {
        store_record(value);
        let output = backed_up();
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let said = stderr(&output);
        assert!(
            said.contains(&format!("command {command_id}'s events at {first}.."))
                && said.contains("do not match its command record"),
            "{said}"
        );
        assert!(!out.exists(), "no backup written");
    }
    store_record(Some(&record));
    let output = backed_up();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// `flexledger-audit export --all` is written as a backup is: a ledger restored from it
/// keeps every command's digest (an auditor's probe restored one written as version 1,
/// and its ledger answered a withdrawal under an enrollment's id as a duplicate).
#[test]
fn a_ledger_restored_from_an_export_of_the_whole_log_keeps_the_command_digests() {
    let root = tempfile::tempdir().unwrap();
    let (source, _) = demo_backup(root.path());
    let file = root.path().join("all.bundle");
    let exported = crate::audit::audit(
        &source,
        &["export", "--all", "--out", file.to_str().unwrap()],
    );
    assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with(
        "{\"record\":\"bundle\",\"format\":\"flexledger-audit-bundle\",\"version\":3,"
    ));
    let restored = root.path().join("restored");
    let said = restore(&restored, &file, &[]);
    assert_eq!(said.status.code(), Some(0), "{}", stderr(&said));
    assert_eq!(json(&said)["commands_signed"], true);
    let (_, withdrawal) = demo_payment_and_a_withdrawal_under_its_id();
    let answer = submitted(&restored, &withdrawal);
    assert_eq!(answer["error"]["code"], "command_id_reused");
}

/// A backup written before its command records were signed (bundle version 2, the
/// golden file `tests/golden/backup-v2.ndjson`, made on 2026-12-05 by the build of
/// 6149d10 from `examples/demo.jsonl` and `examples/subsidy.jsonl`) still verifies
/// and restores with its digests, so the restored ledger refuses a different command
/// under an accepted id; the restore says that its records were not signed.
#[test]
fn a_backup_of_version_2_restores_its_digests_and_says_they_were_unsigned() {
    let root = tempfile::tempdir().unwrap();
    let golden = repo_path("tests/golden/backup-v2.ndjson");
    let text = std::fs::read_to_string(&golden).unwrap();
    assert!(text.starts_with(
        "{\"record\":\"bundle\",\"format\":\"flexledger-audit-bundle\",\"version\":2,"
    ));
    assert!(!text.contains("{\"record\":\"commands\""));
    for line in text.lines() {
        crate::schemas::assert_valid("audit_bundle_line", &serde_json::from_str(line).unwrap());
    }
    let checked = verify_bundle_trusting_its_key(root.path(), &golden, false);
    let report = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(0), "{report}");
    assert!(
        report.contains("does not sign its command records"),
        "{report}"
    );
    let checked = verify_bundle_trusting_its_key(root.path(), &golden, true);
    assert_eq!(json(&checked)["commands_signed"], false);
    // Fetched from a server of the build that wrote it: kept, and said.
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", text.len());
    let (base, server) = answering_once(head + &text);
    let fetched = root.path().join("fetched.backup");
    let args = [
        "backup",
        "--server",
        &base,
        "--token",
        "t",
        "--out",
        fetched.to_str().unwrap(),
    ];
    let output = flexledger(root.path(), &args, None);
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output)["summary"]["commands_signed"], false);
    assert!(
        stderr(&output).contains("the server sent a backup of bundle version 2"),
        "{}",
        stderr(&output)
    );
    // No --public-key: said on standard error, as restore says it.
    assert_eq!(json(&output)["summary"]["key_pinned"], false);
    assert!(
        stderr(&output).contains("not a pinned one"),
        "{}",
        stderr(&output)
    );
    let restored = root.path().join("restored");
    let said = restore(&restored, &golden, &[]);
    assert_eq!(said.status.code(), Some(0), "{}", stderr(&said));
    assert_eq!(json(&said)["events"], 37);
    assert_eq!(json(&said)["commands_signed"], false);
    assert!(
        stderr(&said).contains("a command record removed from it would not have been noticed"),
        "{}",
        stderr(&said)
    );
    let (_, withdrawal) = demo_payment_and_a_withdrawal_under_its_id();
    let answer = submitted(&restored, &withdrawal);
    assert_eq!(answer["error"]["code"], "command_id_reused");
}

/// A backup written before command digests were kept (bundle version 1, the golden
/// file `tests/golden/backup-v1.ndjson`, made on 2026-12-04 by the build of c900090
/// from `examples/demo.jsonl` and `examples/subsidy.jsonl`) still verifies and
/// restores; without digests its ids answer as ids accepted by v1 do (D10): the same
/// command as a duplicate, and one its events cannot be (a withdrawal under a
/// payment's id) as `command_id_reused`.
#[test]
fn a_backup_of_version_1_still_verifies_and_restores() {
    let root = tempfile::tempdir().unwrap();
    let golden = repo_path("tests/golden/backup-v1.ndjson");
    let text = std::fs::read_to_string(&golden).unwrap();
    assert!(text.starts_with(
        "{\"record\":\"bundle\",\"format\":\"flexledger-audit-bundle\",\"version\":1,"
    ));
    let checked = verify_bundle_trusting_its_key(root.path(), &golden, false);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    assert!(
        String::from_utf8_lossy(&checked.stdout).contains("carries no command digests"),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let restored = root.path().join("restored");
    let said = restore(&restored, &golden, &[]);
    assert_eq!(said.status.code(), Some(0), "{}", stderr(&said));
    assert_eq!(json(&said)["events"], 37);
    assert!(
        stderr(&said).contains("this file carries no command digests"),
        "{}",
        stderr(&said)
    );
    // Every member answers as a ledger that took the same commands does.
    let fresh = root.path().join("fresh");
    for example in ["examples/demo.jsonl", "examples/subsidy.jsonl"] {
        let file = repo_path(example);
        flexledger(&fresh, &["submit", file.to_str().unwrap()], None);
    }
    let members: Vec<String> = text
        .lines()
        .filter(|line| line.starts_with("{\"record\":\"coverage\""))
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            record["coverage"]["member_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(members.len(), 3);
    for member in &members {
        let answer = |dir: &Path| {
            let output = flexledger(dir, &["member", member], None);
            serde_json::from_slice::<Value>(&output.stdout).unwrap()
        };
        assert_eq!(answer(&restored), answer(&fresh), "{member}");
    }
    let (payment, withdrawal) = demo_payment_and_a_withdrawal_under_its_id();
    assert_eq!(submitted(&restored, &payment)["duplicate"], true);
    let answer = submitted(&restored, &withdrawal);
    assert_eq!(answer["error"]["code"], "command_id_reused", "{answer}");
}

#[test]
fn a_backup_fetched_while_serve_appends_is_exactly_the_log_at_its_checkpoint() {
    let root = tempfile::tempdir().unwrap();
    let server = crate::http::start(root.path());
    let data = root.path().join("data");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let appender = {
        let (base, stop) = (server.base.clone(), stop.clone());
        std::thread::spawn(move || append_until(&base, &stop))
    };
    while flexledger::backup::read_signing_key(&data.join("audit-signing-key")).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let file = root.path().join("fetched.backup");
    let output = flexledger(
        root.path(),
        &[
            "backup",
            "--server",
            &server.base,
            "--token",
            crate::http::token("auditor"),
            "--out",
            file.to_str().unwrap(),
            "--public-key",
            &public_key_hex(&data),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = json(&output)["summary"].clone();
    let position = summary["position"].as_u64().unwrap();
    assert_eq!(summary["key_pinned"], true);
    // HEAD answers the GET's headers: a position, and no length (it said
    // `content-length: 0`, a size the streamed GET never has).
    let head = crate::http::agent()
        .head(format!("{}/v1/backup", server.base))
        .header(
            "authorization",
            format!("Bearer {}", crate::http::token("auditor")),
        )
        .call()
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert!(head.headers().contains_key("x-flexledger-backup-position"));
    assert_eq!(head.headers().get("content-length"), None, "{head:?}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let accepted = appender.join().unwrap();
    assert!(accepted > 0, "commands were appended while the backup ran");
    let (status, _) = crate::http::call(
        &server,
        "GET",
        "/v1/backup",
        Some(crate::http::token("subscriber")),
        None,
        &[],
    );
    assert_eq!(status, 403, "subscribers may not take a backup");
    drop(server);

    let target = root.path().join("restored");
    let restored = restore(&target, &file, &["--public-key", &public_key_hex(&data)]);
    assert_eq!(restored.status.code(), Some(0), "{}", stderr(&restored));
    let report = json(&restored);
    assert_eq!(report["head_position"], position);
    assert_eq!(report["head_hash"], summary["head_hash"]);
    assert_eq!(report["key_pinned"], true);
    assert_eq!(json(&flexledger(&target, &["verify"], None))["ok"], true);
    let source_events = flexledger(&data, &["events"], None).stdout;
    let source_lines: Vec<&[u8]> = source_events
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .collect();
    assert!(
        source_lines.len() as u64 > position,
        "appends went on after the backup's position"
    );
    let restored_events = flexledger(&target, &["events"], None).stdout;
    let restored_lines: Vec<&[u8]> = restored_events
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(
        restored_lines,
        source_lines[..position as usize],
        "exactly the log up to the checkpoint"
    );
}

/// A server on a ledger with no events refuses a backup on GET and on HEAD alike
/// (409 `empty_log`): the file would restore to nothing.
#[test]
fn a_backup_of_an_empty_ledger_is_refused_on_get_and_head() {
    let root = tempfile::tempdir().unwrap();
    let auth = crate::http::auth_file(root.path());
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger"));
    command
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .arg("--data-dir")
        .arg(root.path().join("data"))
        .args(["serve", "--listen", "127.0.0.1:0", "--auth"])
        .arg(&auth);
    let server = crate::http::Server::spawn(&mut command);
    let url = format!("{}/v1/backup", server.base);
    let bearer = format!("Bearer {}", crate::http::token("auditor"));
    let agent = crate::http::agent();
    let mut get = agent
        .get(&url)
        .header("authorization", &bearer)
        .call()
        .unwrap();
    let answer: Value = serde_json::from_str(&get.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(get.status().as_u16(), 409, "{answer}");
    assert_eq!(answer["error"]["code"], "empty_log", "{answer}");
    let head = agent
        .head(&url)
        .header("authorization", &bearer)
        .call()
        .unwrap();
    assert_eq!(head.status().as_u16(), 409);
}

/// Enrolls new members through the API until `stop`; returns how many were accepted.
fn append_until(base: &str, stop: &std::sync::atomic::AtomicBool) -> u64 {
    let mut accepted = 0u64;
    let mut next = 0u64;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let batch: Vec<Value> = (0..20)
            .map(|_| {
                next += 1;
                serde_json::json!({"command": "enroll", "member_id": format!("50000000-0000-4000-8000-{next:012x}"), "region": "demo", "month": "2026-06", "base_ratio": "0.60", "labor_relationship": "none"})
            })
            .collect();
        let mut response = crate::http::agent()
            .post(&format!("{base}/v1/commands"))
            .header(
                "authorization",
                &format!("Bearer {}", crate::http::token("operator")),
            )
            .header("content-type", "application/json")
            .send(Value::Array(batch).to_string())
            .unwrap();
        let results: Value =
            serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        accepted += results
            .as_array()
            .unwrap()
            .iter()
            .filter(|result| result["ok"] == true)
            .count() as u64;
    }
    accepted
}

/// The index of the line holding the event at `position` (a backup puts a command's
/// body digest before its first event, so events are not at fixed lines).
fn event_index(lines: &[String], position: u64) -> usize {
    let prefix = format!("{{\"position\":{position},");
    lines
        .iter()
        .position(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no event at position {position}"))
}

/// The demo's backup, as lines.
fn demo_backup(root: &Path) -> (PathBuf, Vec<String>) {
    let source = root.join("source");
    make_ledger(&source, 0, 0);
    let file = root.join("demo.backup");
    backup(&source, &file);
    let lines = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    (source, lines)
}

#[test]
fn a_tampered_or_cut_backup_is_refused_naming_its_line_and_leaves_nothing_behind() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    let last = lines.len();
    let checkpoint_line = lines
        .iter()
        .position(|line| line.starts_with("{\"record\":\"checkpoint\""))
        .unwrap();
    let first_coverage = lines
        .iter()
        .position(|line| line.starts_with("{\"record\":\"coverage\""))
        .unwrap();
    let one_byte = |index: usize, field: &str| {
        let mut lines = lines.clone();
        let at = lines[index].find(field).unwrap() + field.len();
        let mut bytes = lines[index].clone().into_bytes();
        bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
        lines[index] = String::from_utf8(bytes).unwrap();
        lines
    };
    let without = |index: usize| {
        let mut lines = lines.clone();
        lines.remove(index);
        lines
    };
    // An event removed with its command's body digest, if it was its command's first.
    let without_event = |index: usize| {
        let mut lines = without(index);
        if lines[index - 1].starts_with("{\"record\":\"command\"") {
            lines.remove(index - 1);
        }
        lines
    };
    // (tampered lines, line named, position named, words of the message)
    let (fifth, tenth, eleventh) = (
        event_index(&lines, 5),
        event_index(&lines, 10),
        event_index(&lines, 11),
    );
    let cases: Vec<(Vec<String>, usize, Option<u64>, &str)> = vec![
        (
            one_byte(fifth, "\"event_id\":\""),
            fifth + 1,
            Some(5),
            "altered after it was recorded",
        ),
        (
            one_byte(fifth, "\"hash\":\""),
            fifth + 1,
            Some(5),
            "does not match",
        ),
        (
            without_event(tenth),
            // The line the eleventh event came to, the removed lines up.
            eleventh + 1 - (lines.len() - without_event(tenth).len()),
            Some(11),
            "position 11 where position 10 was expected",
        ),
        (
            one_byte(checkpoint_line, "\"signature\":\""),
            checkpoint_line + 1,
            None,
            "signature",
        ),
        (
            without(first_coverage),
            // The first line after the coverages: the signed `commands` record, one up.
            checkpoint_line - 1,
            None,
            "coverages before its checkpoint: a coverage line was removed",
        ),
        (
            without(checkpoint_line),
            last - 1,
            None,
            "without its signed checkpoint",
        ),
    ];
    let pinned = public_key_hex(&source);
    for (index, (tampered, line, position, words)) in cases.into_iter().enumerate() {
        let file = root.path().join(format!("tampered-{index}"));
        std::fs::write(&file, tampered.join("\n") + "\n").unwrap();
        let target = root.path().join("restored");
        let output = restore(&target, &file, &["--public-key", &pinned]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "case {index}: {}",
            stderr(&output)
        );
        let refusal = json(&output);
        assert_eq!(refusal["ok"], false, "case {index}");
        assert_eq!(refusal["line"], line, "case {index}: {refusal}");
        assert_eq!(
            refusal["position"].as_u64(),
            position,
            "case {index}: {refusal}"
        );
        let message = refusal["message"].as_str().unwrap();
        assert!(message.contains(words), "case {index}: {message}");
        assert!(
            stderr(&output).contains(&format!("line {line}")),
            "case {index}: {}",
            stderr(&output)
        );
        assert!(
            !target.exists(),
            "case {index}: no half-made data directory"
        );
        std::fs::remove_file(&file).unwrap();
    }
    assert_only(root.path(), &["demo.backup", "source"]);

    // The message a restore of `bytes` refuses with (exit 1), restoring nothing.
    let refusal_of = |name: &str, bytes: &[u8]| {
        let file = root.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let output = restore(
            &root.path().join("restored"),
            &file,
            &["--public-key", &pinned],
        );
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        std::fs::remove_file(&file).unwrap();
        json(&output)["message"].as_str().unwrap().to_owned()
    };
    // Cut short in the middle of a line (a copy that stopped), or empty: said so.
    let whole = lines.join("\n") + "\n";
    let cut_at = lines[..19].iter().map(|line| line.len() + 1).sum::<usize>() + 40;
    for (index, (bytes, words)) in [
        (&whole.as_bytes()[..cut_at], "line: it was cut short"),
        (&b""[..], "the file is empty"),
    ]
    .into_iter()
    .enumerate()
    {
        let message = refusal_of(&format!("cut-{index}"), bytes);
        assert!(message.contains(words), "cut {index}: {message}");
        assert!(!message.contains("altered"), "cut {index}: {message}");
    }

    // A last line that is whole JSON but does not check, saved without its line end
    // (an editor that drops it), says its own finding, not "cut short": an auditor's
    // probe altered the signature so and was told to copy the file again.
    let mut forged = one_byte(checkpoint_line, "\"signature\":\"");
    forged.truncate(checkpoint_line + 1);
    let message = refusal_of("forged-without-line-end", forged.join("\n").as_bytes());
    assert!(
        message.contains("signature") && !message.contains("cut short"),
        "{message}"
    );

    // A backup signed by another ledger's key is refused when the key is pinned.
    let other = flexledger::audit::checkpoint::hex(
        ed25519_dalek::SigningKey::from_bytes(&[9; 32])
            .verifying_key()
            .as_bytes(),
    );
    let output = restore(
        &root.path().join("restored"),
        &root.path().join("demo.backup"),
        &["--public-key", &other],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // Named at the first line it signed: the command records', right before the
    // checkpoint.
    let refusal = json(&output);
    assert_eq!(refusal["line"], last - 1, "{refusal}");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains(&format!("not by the pinned key {other}")),
        "{refusal}"
    );
    assert_only(root.path(), &["demo.backup", "source"]);
}

/// A backup refused under `--lang zh-CN` says on standard error where and why in
/// Chinese (the reason is data, `backup::InvalidReason`), while the JSON's `message`
/// keeps the contract's English; in English the line reads as it always did.
#[test]
fn a_tampered_backup_is_refused_in_the_reader_s_language() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    let pinned = public_key_hex(&source);
    let mut tampered = lines.clone();
    let fifth = event_index(&lines, 5);
    let at = tampered[fifth].find("\"event_id\":\"").unwrap() + 12;
    let byte = if tampered[fifth].as_bytes()[at] == b'a' {
        "b"
    } else {
        "a"
    };
    tampered[fifth].replace_range(at..=at, byte);
    let line = fifth + 1;
    let cut = &lines[..lines.len() - 1];
    let last = cut.len();
    let target = root.path().join("restored");
    for (file_lines, english, chinese) in [
        (
            &tampered[..],
            format!(
                "flexledger: the backup was refused; nothing was restored: line {line} (position 5): \
                 the event was altered after it was recorded: "
            ),
            format!(
                "flexledger：备份未被接受，未恢复任何内容：第 {line} 行（位置 5）：该事件在记录后被改动过："
            ),
        ),
        (
            cut,
            format!(
                "flexledger: the backup was refused; nothing was restored: line {last}: the \
                 backup ends here, without its signed checkpoint: it was cut short\n"
            ),
            format!(
                "flexledger：备份未被接受，未恢复任何内容：第 {last} 行：备份到此结束，缺少已签名的检查点：文件不完整\n"
            ),
        ),
    ] {
        let file = root.path().join("tampered.backup");
        std::fs::write(&file, file_lines.join("\n") + "\n").unwrap();
        let said = restore(&target, &file, &["--public-key", &pinned, "--lang", "zh-CN"]);
        assert_eq!(said.status.code(), Some(1), "{}", stderr(&said));
        assert!(stderr(&said).starts_with(&chinese), "{}", stderr(&said));
        // The two hashes of an altered event were said in English inside the Chinese.
        assert!(!stderr(&said).contains("does not match"), "{}", stderr(&said));
        let message = json(&said)["message"].as_str().unwrap().to_owned();
        assert!(message.is_ascii(), "the JSON keeps the English: {message}");
        let english_said = restore(&target, &file, &["--public-key", &pinned]);
        assert!(
            stderr(&english_said).starts_with(&english),
            "{}",
            stderr(&english_said)
        );
        assert!(!target.exists());
    }
}

/// A record line that is no JSON is named by its line in the file alone: "line 1" of
/// serde's words, the line parsed alone, stood in Chinese beside the file's line.
#[test]
fn a_malformed_record_line_is_named_by_the_file_s_line_alone() {
    let root = tempfile::tempdir().unwrap();
    let (_, mut lines) = demo_backup(root.path());
    let last = lines.len();
    lines[last - 1] = r#"{"record":"checkpoint","x":}"#.to_owned();
    let file = root.path().join("malformed.backup");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let target = root.path().join("restored");
    let said = restore(&target, &file, &["--lang", "zh-CN"]);
    let said = stderr(&said);
    assert!(said.contains(&format!("第 {last} 行")), "{said}");
    assert!(said.contains("未知或格式有误的记录行"), "{said}");
    assert!(!said.contains("第 1 行"), "{said}");
    let english = restore(&target, &file, &[]);
    assert!(
        stderr(&english).contains("at line 1 column 28"),
        "{}",
        stderr(&english)
    );
}

/// `bytes` as a gzip file (RFC 1952) of stored deflate blocks: what `gzip` makes of a
/// backup, without a compression crate.
fn gzipped(bytes: &[u8]) -> Vec<u8> {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut file = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    let chunks: Vec<&[u8]> = bytes.chunks(u16::MAX.into()).collect();
    for (index, chunk) in chunks.iter().enumerate() {
        file.push(u8::from(index + 1 == chunks.len()));
        let length = u16::try_from(chunk.len()).unwrap();
        file.extend(length.to_le_bytes());
        file.extend((!length).to_le_bytes());
        file.extend(*chunk);
    }
    file.extend((!crc).to_le_bytes());
    file.extend(u32::try_from(bytes.len()).unwrap().to_le_bytes());
    file
}

/// A file that is no backup as it stands is said for what it is, in both languages,
/// at no line (it read "line 0: the backup is empty", "line 1: not UTF-8" for a
/// gzipped backup, and "the first line is no bundle header" for one an editor saved
/// again with a byte-order mark); and nothing is made.
#[test]
fn an_empty_gzipped_or_re_saved_backup_file_is_said_for_what_it_is() {
    let root = tempfile::tempdir().unwrap();
    demo_backup(root.path());
    let whole = std::fs::read(root.path().join("demo.backup")).unwrap();
    let with_mark = [&[0xef, 0xbb, 0xbf][..], &whole].concat();
    let target = root.path().join("restored");
    for (bytes, english, chinese) in [
        (
            Vec::new(),
            "the file is empty (0 bytes): it is not a backup made by `flexledger backup`",
            "文件是空的（0 字节）：它不是由 `flexledger backup` 生成的备份",
        ),
        (
            gzipped(&whole),
            "the file looks gzip-compressed (it starts with the bytes 1f 8b), and a backup is \
             plain text: decompress it first (`gunzip FILE`, or `gzip -dc FILE | flexledger \
             --data-dir NEW restore -`)",
            "文件看起来经过 `gzip` 压缩（以字节 `1f 8b` 开头），而备份是纯文本：请先解压",
        ),
        (
            with_mark,
            "the file begins with a byte-order mark (the bytes ef bb bf): it was re-saved by an \
             editor",
            "文件以字节顺序标记（字节 `ef bb bf`）开头：它被编辑器重新保存过",
        ),
    ] {
        let file = root.path().join("file.backup");
        std::fs::write(&file, &bytes).unwrap();
        let said = restore(&target, &file, &[]);
        assert_eq!(said.status.code(), Some(1), "{}", stderr(&said));
        let refusal = json(&said);
        assert_eq!(refusal["line"], Value::Null, "{refusal}");
        assert!(
            refusal["message"].as_str().unwrap().starts_with(english),
            "{refusal}"
        );
        let prefix = "flexledger: the backup was refused; nothing was restored: ";
        assert!(
            stderr(&said).starts_with(&format!("{prefix}{english}")),
            "{}",
            stderr(&said)
        );
        let said = restore(&target, &file, &["--lang", "zh-CN"]);
        let prefix = "flexledger：备份未被接受，未恢复任何内容：";
        assert!(
            stderr(&said).starts_with(&format!("{prefix}{chinese}")),
            "{}",
            stderr(&said)
        );
        assert!(!target.exists());
        if bytes.is_empty() {
            continue;
        }
        // verify-bundle says it of the file once, as restore does (it said "not JSON",
        // "no bundle header" and more).
        let checked = verify_bundle_trusting_its_key(root.path(), &file, false);
        let report = String::from_utf8_lossy(&checked.stdout);
        assert_eq!(checked.status.code(), Some(1), "{report}");
        let said = if bytes.starts_with(&[0x1f]) {
            "looks gzip-compressed"
        } else {
            "byte-order mark"
        };
        assert!(report.contains(said), "{report}");
        assert_eq!(report.matches("FAILED").count(), 1, "{report}");
    }
    // Decompressed, the same file restores.
    let piped = flexledger(&target, &["restore", "-"], Some(&whole));
    assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
}

/// A backup missing a stream head line names the stream whose head is missing and says
/// what that means for the backup, in both languages (a head removed in the middle
/// read "stream head … is out of order or repeated", naming the next stream; the last
/// one removed, "the events make 4 streams but the backup holds 3 stream heads").
#[test]
fn a_backup_missing_a_stream_head_names_it_and_says_the_backup_is_incomplete() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    let pinned = public_key_hex(&source);
    let heads: Vec<usize> = (0..lines.len())
        .filter(|&index| lines[index].starts_with("{\"record\":\"stream_head\""))
        .collect();
    assert!(heads.len() >= 3, "{heads:?}");
    let stream_of = |index: usize| {
        serde_json::from_str::<Value>(&lines[index]).unwrap()["stream"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let target = root.path().join("restored");
    for removed in [heads[0], heads[1], *heads.last().unwrap()] {
        let stream = stream_of(removed);
        let mut cut = lines.clone();
        cut.remove(removed);
        let file = root.path().join("cut.backup");
        std::fs::write(&file, cut.join("\n") + "\n").unwrap();
        let said = restore(&target, &file, &["--public-key", &pinned]);
        assert_eq!(said.status.code(), Some(1), "{}", stderr(&said));
        let line = removed + 1;
        assert_eq!(json(&said)["line"], line);
        let english = format!(
            "flexledger: the backup was refused; nothing was restored: line {line}: the stream \
             head of {stream} (its last version and hash) is missing before this line: it \
             was removed or moved further on, so the backup is incomplete or damaged; take a \
             new one with `flexledger backup`\n"
        );
        assert_eq!(stderr(&said), english);
        let args = ["--public-key", &pinned, "--lang", "zh-CN"];
        let said = restore(&target, &file, &args);
        let chinese = format!(
            "flexledger：备份未被接受，未恢复任何内容：第 {line} 行：这一行之前缺少事件流 {stream} \
             的头部（该事件流最后的版本和哈希）：它被删除或被挪到了后面，备份不完整或已损坏，请用 \
             `flexledger backup` 重新备份\n"
        );
        assert_eq!(stderr(&said), chinese);
        assert!(!target.exists());
    }
}

#[test]
fn restore_never_writes_into_a_non_empty_directory_nor_installs_another_key() {
    let root = tempfile::tempdir().unwrap();
    let (source, _) = demo_backup(root.path());
    let file = root.path().join("demo.backup");

    let occupied = root.path().join("occupied");
    std::fs::create_dir(&occupied).unwrap();
    std::fs::write(occupied.join("precious.txt"), "keep me").unwrap();
    let output = restore(&occupied, &file, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is not empty"),
        "{}",
        stderr(&output)
    );
    assert_only(&occupied, &["precious.txt"]);

    let other_key = root.path().join("other-key");
    std::fs::write(&other_key, "07".repeat(32)).unwrap();
    let target = root.path().join("restored");
    let output = restore(
        &target,
        &file,
        &["--signing-key", other_key.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("another key"),
        "{}",
        stderr(&output)
    );
    assert!(!target.exists());

    // An empty directory is a new data directory; without a key none is installed,
    // and restore says what to do.
    std::fs::create_dir(&target).unwrap();
    let output = restore(&target, &file, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        (
            report["signing_key"].as_str(),
            report["key_pinned"].as_bool()
        ),
        (Some("missing"), Some(false))
    );
    assert!(
        stderr(&output).contains("no signing key was installed"),
        "{}",
        stderr(&output)
    );
    assert!(!target.join("audit-signing-key").exists());
    assert_eq!(
        flexledger(&target, &["events"], None).stdout,
        flexledger(&source, &["events"], None).stdout
    );
    assert_only(
        root.path(),
        &["demo.backup", "occupied", "other-key", "restored", "source"],
    );
    // Asked for its key, the restored ledger names the one its checkpoints are signed
    // by: opening it for writing makes none (D33), so that advice would not work.
    let asked = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .arg("--data-dir")
        .arg(&target)
        .arg("public-key")
        .output()
        .unwrap();
    let message = stderr(&asked);
    assert_eq!(asked.status.code(), Some(2), "{message}");
    assert!(message.contains(&public_key_hex(&source)), "{message}");
    assert!(!message.contains("it is created when"), "{message}");
}

/// What a server that is not `flexledger serve`, or one that stops mid-answer, makes
/// `backup --server` say: each failure in the reader's language (they were English
/// whatever `--lang` asked), exit 2, and nothing left at --out. A server that stops
/// after part of a header line is said to have closed the connection, not to have
/// sent a line too long.
#[test]
fn a_backup_from_a_server_that_answers_badly_says_what_it_got() {
    let chunked_head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let many_headers = format!("HTTP/1.1 200 OK\r\n{}\r\n", "X-A: b\r\n".repeat(101));
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "HTTP/1.1 200 OK\r\nContent-Ty".into(),
            "the server closed the connection before the backup ended",
            "备份结束之前服务关闭了连接",
        ),
        (
            "SSH-2.0-OpenSSH_9.2\r\n".into(),
            "the answer from --server is not HTTP (its first line: \"SSH-2.0-OpenSSH_9.2\")",
            "--server 的答复不是 HTTP（首行：\"SSH-2.0-OpenSSH_9.2\"）",
        ),
        (
            many_headers,
            "the server's answer has more than 100 headers",
            "服务器答复的首部超过 100 个",
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n".into(),
            "malformed Content-Length \"ten\"",
            "Content-Length \"ten\" 格式错误",
        ),
        (
            format!("{chunked_head}zz\r\n"),
            "malformed chunk size \"zz\"",
            "分块大小 \"zz\" 格式错误",
        ),
        (
            format!("{chunked_head}400\r\n{{\"record\""),
            "the server closed the connection before the backup ended",
            "备份结束之前服务关闭了连接",
        ),
    ];
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("answered.backup");
    for (answer, english, chinese) in &cases {
        for (language, expected) in [("en", english), ("zh-CN", chinese)] {
            let (base, server) = answering_once(answer.clone());
            let args = [
                "backup",
                "--server",
                &base,
                "--token",
                "auditor-token",
                "--out",
                file.to_str().unwrap(),
                "--lang",
                language,
            ];
            let output = flexledger(root.path(), &args, None);
            server.join().unwrap();
            let message = stderr(&output);
            let printed = String::from_utf8_lossy(&output.stdout);
            assert_eq!(output.status.code(), Some(2), "{message}{printed}");
            assert!(message.contains(*expected), "{language}: {message}");
            assert!(!message.contains("longer than"), "{message}");
            assert!(!file.exists(), "{language}: {message}");
        }
    }
}

/// A server on a free port that reads one request's head, writes `answer` and closes
/// the connection; its address and its thread.
fn answering_once(answer: String) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut connection, _) = listener.accept().unwrap();
        // The whole request head first, so the close is a close, not a reset.
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\r\n\r\n") && connection.read(&mut byte).unwrap() == 1 {
            request.push(byte[0]);
        }
        connection.write_all(answer.as_bytes()).unwrap();
    });
    (base, server)
}

/// A malformed `--public-key` is said as the option's mistake, in the reader's
/// language (it read "the checkpoint's public key is malformed"), and nothing is made.
#[test]
fn a_malformed_public_key_is_said_as_the_option_s() {
    let root = tempfile::tempdir().unwrap();
    demo_backup(root.path());
    let target = root.path().join("restored");
    let backup = root.path().join("demo.backup");
    let backup = backup.to_str().unwrap();
    for (language, words) in [
        ("en", "64 hexadecimal digits"),
        ("zh-CN", "64 位十六进制数字"),
    ] {
        let args = ["--lang", language, "restore", backup, "--public-key", "abc"];
        let output = flexledger(&target, &args, None);
        assert_eq!(output.status.code(), Some(2));
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains(words), "{said}");
        assert!(said.contains("--public-key"), "{said}");
        assert!(!said.contains("checkpoint's public key"), "{said}");
        // The auditor's tool said the same mistake in English, blaming the checkpoint;
        // and a key from the variable is named as the variable.
        let audit = env!("CARGO_BIN_EXE_flexledger-audit");
        for (command, from_variable) in [
            (vec!["verify-bundle", backup, "--public-key", "abc"], false),
            (vec!["checkpoint", "--list"], true),
        ] {
            let output = std::process::Command::new(audit)
                .env("FLEXLEDGER_LANG", language)
                .env("FLEXLEDGER_PUBLIC_KEY", "abc")
                .arg("--data-dir")
                .arg(root.path().join("source"))
                .args(&command)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2));
            let said = String::from_utf8_lossy(&output.stderr);
            assert!(said.contains(words), "{command:?}: {said}");
            assert!(!said.contains("checkpoint's public key"), "{said}");
            let named = if from_variable {
                "$FLEXLEDGER_PUBLIC_KEY"
            } else {
                "--public-key"
            };
            assert!(said.contains(named), "{command:?}: {said}");
        }
        // 64 hex digits that are no key (a digit of a real key mistyped) were told
        // they must be "64 hexadecimal digits".
        let no_key = "ab".repeat(32);
        let args = [
            "--lang",
            language,
            "restore",
            backup,
            "--public-key",
            &no_key,
        ];
        let output = flexledger(&target, &args, None);
        assert_eq!(output.status.code(), Some(2));
        let said = String::from_utf8_lossy(&output.stderr);
        let (mistyped, not_said) = match language {
            "en" => ("a digit mistyped?", "got \""),
            _ => ("是否有一位抄错？", "收到"),
        };
        assert!(said.contains(mistyped), "{said}");
        assert!(!said.contains(not_said), "{said}");
    }
    assert!(!target.exists());
}

/// A restore refused for a reason outside the backup (a staging directory left by
/// another restore, a signing key that is not the backup's, missing or malformed) is
/// said in the reader's language (it was English under `--lang zh-CN`), exits 2, and
/// makes nothing.
#[test]
fn a_restore_refused_outside_the_backup_is_said_in_the_reader_s_language() {
    let root = tempfile::tempdir().unwrap();
    let (source, _) = demo_backup(root.path());
    let backup = root.path().join("demo.backup");
    let target = root.path().join("restored");
    let right_key = source.join("audit-signing-key");
    let other_key = root.path().join("other-key");
    std::fs::write(&other_key, "07".repeat(32)).unwrap();
    let malformed_key = root.path().join("malformed-key");
    std::fs::write(&malformed_key, "07").unwrap();
    let absent_key = root.path().join("absent-key");
    let staging = root.path().join(".restored.restoring");
    let path = |path: &Path| path.to_str().unwrap().to_owned();
    // (--signing-key, $FLEXLEDGER_SIGNING_KEY, English words, Chinese words)
    let cases = [
        (
            None,
            None,
            "exists: another restore into",
            "已存在：另一次恢复到",
        ),
        (
            Some(&other_key),
            None,
            "--signing-key is key id",
            "--signing-key 的密钥标识为",
        ),
        (
            Some(&right_key),
            Some(&other_key),
            "$FLEXLEDGER_SIGNING_KEY (",
            "的密钥标识为",
        ),
        (
            Some(&right_key),
            Some(&absent_key),
            "which does not exist",
            "但该文件不存在",
        ),
        (
            Some(&malformed_key),
            None,
            "is malformed: expected 64 hex digits",
            "格式有误：应为 64 位十六进制数字",
        ),
        (
            None,
            Some(&malformed_key),
            "is malformed: expected 64 hex digits",
            "格式有误：应为 64 位十六进制数字",
        ),
    ];
    for (index, (key, variable, english, chinese)) in cases.into_iter().enumerate() {
        if index == 0 {
            std::fs::create_dir(&staging).unwrap();
        }
        for (language, words) in [("en", english), ("zh-CN", chinese)] {
            let mut command = flexledger_command(&target);
            command.args(["--lang", language, "restore", &path(&backup)]);
            if let Some(key) = key {
                command.args(["--signing-key", &path(key)]);
            }
            match variable {
                Some(file) => command.env("FLEXLEDGER_SIGNING_KEY", file),
                None => command.env_remove("FLEXLEDGER_SIGNING_KEY"),
            };
            let output = command.output().unwrap();
            let said = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "case {index}: {said}");
            assert!(said.contains(words), "case {index}, {language}: {said}");
            if language == "zh-CN" {
                assert!(!said.contains(english), "case {index}: {said}");
            }
            assert!(!target.exists(), "case {index}");
        }
        if index == 0 {
            assert!(staging.is_dir(), "another restore's staging is kept");
            std::fs::remove_dir(&staging).unwrap();
        }
    }
    assert!(
        !absent_key.exists(),
        "no key was made at the variable's path"
    );
}

/// One edit of a backup's lines, with words each checker must say about it.
struct Edit {
    what: &'static str,
    lines: Vec<String>,
    verify_bundle_says: &'static str,
    restore_says: &'static str,
}

/// The edits an auditor's probe made to a backup (2026-12-04): each was refused by
/// `restore`, or passed it, while `verify-bundle` called some of the same files VALID.
/// Both checkers now refuse every one (D72), so a backup `verify-bundle` passes is one
/// `restore` takes.
fn probe_edits(lines: &[String]) -> Vec<Edit> {
    let starts = |prefix: &str| -> Vec<usize> {
        (0..lines.len())
            .filter(|&index| lines[index].starts_with(prefix))
            .collect()
    };
    let heads = starts("{\"record\":\"stream_head\"");
    let commands = starts("{\"record\":\"command\"");
    let coverages = starts("{\"record\":\"coverage\"");
    let checkpoint = starts("{\"record\":\"checkpoint\"")[0];
    let events = starts("{\"position\":");
    assert!(
        heads.len() >= 2 && coverages.len() >= 2,
        "{heads:?} {coverages:?}"
    );
    let swapped = |a: usize, b: usize| {
        let mut lines = lines.to_vec();
        lines.swap(a, b);
        lines
    };
    let replaced = |index: usize, from: &str, to: &str| {
        let mut lines = lines.to_vec();
        assert!(lines[index].contains(from), "{from} in {}", lines[index]);
        lines[index] = lines[index].replacen(from, to, 1);
        lines
    };
    let header_members = {
        let header: Value = serde_json::from_str(&lines[0]).unwrap();
        header["members"].as_u64().unwrap()
    };
    let paid = events
        .iter()
        .copied()
        .find(|&index| lines[index].contains("\"amount\":\"600.00\""))
        .expect("a payment of 600.00 in the demo");
    vec![
        Edit {
            what: "two stream heads swapped",
            lines: swapped(heads[0], heads[1]),
            verify_bundle_says: "is out of order or repeated",
            restore_says: "is missing before this line: it was removed or moved further on",
        },
        Edit {
            what: "two coverages swapped",
            lines: swapped(coverages[0], coverages[1]),
            verify_bundle_says: "is out of order or repeated",
            restore_says: "is out of order or repeated",
        },
        Edit {
            what: "the checkpoint moved before the coverages",
            lines: {
                let mut lines = lines.to_vec();
                let line = lines.remove(checkpoint);
                lines.insert(coverages[0], line);
                lines
            },
            verify_bundle_says: "a record of kind coverage after the checkpoint records",
            restore_says: "coverages before its checkpoint",
        },
        Edit {
            what: "an inclusion proof added",
            lines: {
                let mut lines = lines.to_vec();
                let proof = "{\"record\":\"inclusion\",\"position\":1,\"path\":[]}";
                lines.insert(heads[0], proof.to_owned());
                lines
            },
            verify_bundle_says: "an inclusion proof in a bundle of the whole log",
            restore_says: "an inclusion proof, which a backup of the whole log never holds",
        },
        Edit {
            what: "a coverage repeated, and the header's member count raised to match",
            lines: {
                let mut lines = replaced(
                    0,
                    &format!("\"members\":{header_members},"),
                    &format!("\"members\":{},", header_members + 1),
                );
                lines.insert(coverages[0], lines[coverages[0]].clone());
                lines
            },
            verify_bundle_says: "is out of order or repeated",
            restore_says: "is out of order or repeated",
        },
        Edit {
            what: "the header's member count raised alone",
            lines: replaced(
                0,
                &format!("\"members\":{header_members},"),
                &format!("\"members\":{},", header_members + 1),
            ),
            verify_bundle_says: "but the bundle holds",
            restore_says: "the header was edited",
        },
        Edit {
            what: "a remark added inside a coverage",
            lines: replaced(
                coverages[0],
                "\"coverage\":{",
                "\"coverage\":{\"remark\":\"benefits approved for all months\",",
            ),
            verify_bundle_says: "unknown field `remark`",
            restore_says: "unknown field `remark`",
        },
        Edit {
            what: "a field added inside a month line",
            lines: replaced(
                coverages[0],
                "\"benefits\":",
                "\"benefits_override\":true,\"benefits\":",
            ),
            verify_bundle_says: "unknown field `benefits_override`",
            restore_says: "unknown field `benefits_override`",
        },
        Edit {
            what: "an event's hash removed",
            lines: {
                let mut lines = lines.to_vec();
                let line = &lines[events[3]];
                let at = line.rfind(",\"hash\":\"").unwrap();
                lines[events[3]] = format!("{}}}", &line[..at]);
                lines
            },
            verify_bundle_says: "carries no hash",
            restore_says: "carries no hash",
        },
        Edit {
            what: "an event re-spaced",
            lines: {
                let mut lines = lines.to_vec();
                lines[events[3]] = lines[events[3]].replace("\":", "\": ");
                lines
            },
            verify_bundle_says: "not as the ledger prints it",
            restore_says: "not as the ledger prints it",
        },
        Edit {
            what: "an amount written without its cents",
            lines: replaced(paid, "\"amount\":\"600.00\"", "\"amount\":\"600\""),
            verify_bundle_says: "not as the ledger prints it",
            restore_says: "not as the ledger prints it",
        },
        Edit {
            what: "the header re-spaced",
            lines: replaced(0, "\"scope\":", "\"scope\": "),
            verify_bundle_says: "not as the ledger writes it",
            restore_says: "not as the ledger writes it",
        },
        Edit {
            what: "a coverage's amount written without its cents",
            lines: {
                let line = &lines[coverages[0]];
                let from = if line.contains("\"paid\":\"600.00\"") {
                    "\"paid\":\"600.00\""
                } else {
                    "\"paid\":\"0.00\""
                };
                replaced(coverages[0], from, &from.replace(".00", ""))
            },
            verify_bundle_says: "not as the ledger writes it",
            restore_says: "not as the ledger writes it",
        },
        Edit {
            what: "a command's body digest moved after its first event",
            lines: swapped(commands[2], commands[2] + 1),
            verify_bundle_says: "is not right before the command's first event",
            restore_says: "is not right before the command's first event",
        },
        Edit {
            what: "a command's body digest repeated before the next command",
            lines: {
                let mut lines = lines.to_vec();
                lines.insert(commands[3], lines[commands[2]].clone());
                lines
            },
            verify_bundle_says: "is not right before the command's first event",
            restore_says: "is not right before the command's first event",
        },
        Edit {
            what: "a command's body digest in a backup of version 1",
            lines: replaced(0, "\"version\":3,", "\"version\":1,"),
            verify_bundle_says:
                "is not right before the command's first event, or is in a bundle that holds none",
            restore_says: "the backup, of version 1, has no such records",
        },
        // The command records are signed since version 3 (D33): an operator's probe
        // removed one, the backup restored without a word, and the restored ledger
        // answered a withdrawal under that enrollment's id as a duplicate.
        Edit {
            what: "a command's body digest removed",
            lines: {
                let mut lines = lines.to_vec();
                lines.remove(commands[1]);
                lines
            },
            verify_bundle_says: "the command records are not those the backup signed",
            restore_says: "the command records are not those the backup signed",
        },
        Edit {
            what: "a command's body digest altered",
            lines: {
                let record: Value = serde_json::from_str(&lines[commands[1]]).unwrap();
                let digest = record["body_digest"].as_str().unwrap().to_owned();
                let other = format!("{}{}", &digest[1..], &digest[..1]);
                replaced(commands[1], &digest, &other)
            },
            verify_bundle_says: "the command records are not those the backup signed",
            restore_says: "the command records are not those the backup signed",
        },
        Edit {
            what: "the signed commands record removed",
            lines: {
                let mut lines = lines.to_vec();
                lines.remove(checkpoint - 1);
                lines
            },
            verify_bundle_says: "no commands record",
            restore_says: "has no commands record before its checkpoint",
        },
        Edit {
            what: "the signed commands record moved after the checkpoint",
            lines: swapped(checkpoint - 1, checkpoint),
            verify_bundle_says: "a record of kind commands after the checkpoint records",
            restore_says: "has no commands record before its checkpoint",
        },
        Edit {
            what: "the signed commands record moved among the events",
            lines: {
                let mut lines = lines.to_vec();
                let line = lines.remove(checkpoint - 1);
                // Before a command's digest: not between a digest and its event.
                lines.insert(commands[2], line);
                lines
            },
            verify_bundle_says: "a commands record where none belongs",
            restore_says: "a commands record where none belongs",
        },
        Edit {
            what: "a command's body digest re-spaced",
            lines: replaced(commands[1], "{\"record\":", "{ \"record\": "),
            verify_bundle_says: "not as the ledger writes it",
            // It said the event was altered: "unknown field `record`".
            restore_says: "not as the ledger writes it",
        },
        Edit {
            what: "the signed commands record's note edited",
            lines: {
                let records = commands.len();
                let signed = format!("\\ncommands {records} ");
                replaced(
                    checkpoint - 1,
                    &signed,
                    &format!("\\ncommands {} ", records - 1),
                )
            },
            verify_bundle_says: "forged or altered signature over the command records",
            restore_says:
                "the signature over the command records is forged, altered or by another key",
        },
        // Lines the ledger never writes: one was inserted and both took the file.
        Edit {
            what: "a blank line inserted among the events",
            lines: {
                let mut lines = lines.to_vec();
                lines.insert(events[1], String::new());
                lines
            },
            verify_bundle_says: "the line is blank",
            restore_says: "the line is blank",
        },
        Edit {
            what: "a blank line added after the checkpoint",
            lines: [lines.to_vec(), vec![" ".to_owned()]].concat(),
            verify_bundle_says: "the line is blank",
            restore_says: "the line is blank",
        },
    ]
}

/// A command's body digest out of place is named by its own line, by `restore` as by
/// `verify-bundle`: `restore` named the line after it (and that event's position).
#[test]
fn a_misplaced_body_digest_is_named_by_its_own_line_by_both_checkers() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    let pinned = public_key_hex(&source);
    let mut moved = lines.clone();
    // The third line holding a digest goes after its command's first event.
    let third = (0..lines.len())
        .filter(|&index| lines[index].starts_with("{\"record\":\"command\""))
        .nth(2)
        .unwrap();
    moved.swap(third, third + 1);
    let file = root.path().join("moved.backup");
    std::fs::write(&file, moved.join("\n") + "\n").unwrap();
    let nowhere = root.path().join("no-ledger-here");
    let path = file.to_str().unwrap();
    let checked = crate::audit::audit(
        &nowhere,
        &["--json", "verify-bundle", path, "--public-key", &pinned],
    );
    let report = json(&checked);
    let named = report["failures"][0]["line"].as_u64().unwrap();
    let restored = restore(
        &root.path().join("restored"),
        &file,
        &["--public-key", &pinned],
    );
    let refusal = json(&restored);
    assert_eq!(
        refusal["line"].as_u64(),
        Some(named),
        "{refusal} / {report}"
    );
    assert_eq!(
        named,
        third as u64 + 2,
        "the record's line, one down: {report}"
    );
    assert!(refusal["position"].is_null(), "{refusal}");
}

/// Version 2 is a backup's, of the whole log: a member's bundle that says it is
/// version 2 is refused, and the message names the version of its scope (it named
/// the backup's version for every bundle).
#[test]
fn a_member_bundle_of_the_backup_s_version_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let source = root.path().join("source");
    make_ledger(&source, 0, 0);
    let pinned = public_key_hex(&source);
    let file = root.path().join("member.bundle");
    let exported = crate::audit::audit(
        &source,
        &[
            "export",
            "--member",
            MEMBER_ID,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
    let text = std::fs::read_to_string(&file).unwrap();
    let nowhere = root.path().join("no-ledger-here");
    let verify = |text: &str| {
        std::fs::write(&file, text).unwrap();
        let path = file.to_str().unwrap();
        crate::audit::audit(&nowhere, &["verify-bundle", path, "--public-key", &pinned])
    };
    assert_eq!(verify(&text).status.code(), Some(0));
    let edited = text.replacen("\"version\":1,", "\"version\":2,", 1);
    let checked = verify(&edited);
    assert_eq!(checked.status.code(), Some(1));
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(
        report.contains("not flexledger-audit-bundle version 1"),
        "{report}"
    );
}

/// The signed `commands` line of another backup of the same ledger, taken after more
/// commands, is named as another backup's by both checkers: it said that records were
/// removed, added or altered, and none was (an auditor's probe).
#[test]
fn a_commands_line_from_another_backup_is_named_as_such() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    // One more command (the withdrawal under an id of its own), then a later backup.
    let (_, withdrawal) = demo_payment_and_a_withdrawal_under_its_id();
    let mut withdrawal: Value = serde_json::from_str(&withdrawal).unwrap();
    withdrawal["command_id"] = "7e57ab1e-0000-4000-8000-000000000001".into();
    let said = flexledger(
        &source,
        &["submit", "-"],
        Some(format!("{withdrawal}\n").as_bytes()),
    );
    assert_eq!(said.status.code(), Some(0), "{}", stderr(&said));
    let later = root.path().join("later.backup");
    backup(&source, &later);
    let later = std::fs::read_to_string(&later).unwrap();
    let commands_line = |lines: &[String]| {
        lines
            .iter()
            .position(|line| line.starts_with("{\"record\":\"commands\""))
            .unwrap()
    };
    let later: Vec<String> = later.lines().map(str::to_owned).collect();
    let mut spliced = lines.clone();
    let at = commands_line(&spliced);
    spliced[at] = later[commands_line(&later)].clone();
    let file = root.path().join("spliced.backup");
    std::fs::write(&file, spliced.join("\n") + "\n").unwrap();
    let pinned = public_key_hex(&source);
    let checked = crate::audit::audit(
        &root.path().join("no-ledger"),
        &[
            "verify-bundle",
            file.to_str().unwrap(),
            "--public-key",
            &pinned,
        ],
    );
    let report = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(1), "{report}");
    assert!(
        report.contains("the commands line is another backup's"),
        "{report}"
    );
    assert!(!report.contains("not those the backup signed"), "{report}");
    let output = restore(
        &root.path().join("restored"),
        &file,
        &["--public-key", &pinned],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let refusal = json(&output);
    assert_eq!(refusal["line"], at + 1, "{refusal}");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains("the commands line is another backup's"),
        "{refusal}"
    );
}

#[test]
fn every_edit_of_a_backup_is_refused_by_verify_bundle_and_restore_alike() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    let pinned = public_key_hex(&source);
    let target = root.path().join("restored");
    let nowhere = root.path().join("no-ledger-here");
    let file = root.path().join("edited.backup");
    for edit in probe_edits(&lines) {
        assert_ne!(
            edit.lines, lines,
            "{}: the edit changed something",
            edit.what
        );
        std::fs::write(&file, edit.lines.join("\n") + "\n").unwrap();
        let path = file.to_str().unwrap();
        let checked =
            crate::audit::audit(&nowhere, &["verify-bundle", path, "--public-key", &pinned]);
        let report = String::from_utf8_lossy(&checked.stdout);
        assert_eq!(checked.status.code(), Some(1), "{}: {report}", edit.what);
        assert!(
            report.contains(edit.verify_bundle_says),
            "{}: {report}",
            edit.what
        );
        let restored = restore(&target, &file, &["--public-key", &pinned]);
        assert_eq!(
            restored.status.code(),
            Some(1),
            "{}: {}",
            edit.what,
            stderr(&restored)
        );
        assert!(
            stderr(&restored).contains(edit.restore_says),
            "{}: {}",
            edit.what,
            stderr(&restored)
        );
        assert!(!target.exists(), "{}", edit.what);
    }
    // Line ends are not content: a backup saved with CRLF line ends is the same backup
    // to both (D72).
    std::fs::write(&file, lines.join("\r\n") + "\r\n").unwrap();
    let path = file.to_str().unwrap();
    let checked = crate::audit::audit(&nowhere, &["verify-bundle", path, "--public-key", &pinned]);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let restored = restore(&target, &file, &["--public-key", &pinned]);
    assert_eq!(restored.status.code(), Some(0), "{}", stderr(&restored));
}

#[test]
fn a_backup_missing_its_last_event_names_that_event_s_stream() {
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    let pinned = public_key_hex(&source);
    let last_event = (0..lines.len())
        .rev()
        .find(|&index| lines[index].starts_with("{\"position\":"))
        .unwrap();
    let event: Value = serde_json::from_str(&lines[last_event]).unwrap();
    let stream = event["stream"].as_str().unwrap();
    let position = event["position"].as_u64().unwrap();
    let mut cut = lines.clone();
    cut.remove(last_event);
    if cut[last_event - 1].starts_with("{\"record\":\"command\"") {
        // The body digest of the event's command goes with it.
        cut.remove(last_event - 1);
    }
    cut[0] = cut[0].replacen(
        &format!("\"events\":{position},"),
        &format!("\"events\":{},", position - 1),
        1,
    );
    // The stream whose head comes first is not the one cut: it must not be blamed.
    let first_head: Value = serde_json::from_str(
        lines
            .iter()
            .find(|line| line.starts_with("{\"record\":\"stream_head\""))
            .unwrap(),
    )
    .unwrap();
    assert_ne!(
        first_head["stream"], stream,
        "the demo's last event is not the first stream's"
    );
    let file = root.path().join("cut.backup");
    std::fs::write(&file, cut.join("\n") + "\n").unwrap();
    let target = root.path().join("restored");
    let said = restore(&target, &file, &["--public-key", &pinned]);
    assert_eq!(said.status.code(), Some(1), "{}", stderr(&said));
    assert!(
        stderr(&said).contains(&format!("stream head {stream} (version ")),
        "{}",
        stderr(&said)
    );
}

/// `backup --server` says its own failures and the server's refusals in the reader's
/// language: its client wrote English, and asked the server for none (the server's
/// 403 came back as "role subscriber may not use this route" under `--lang zh-CN`).
#[test]
fn a_backup_from_a_server_is_refused_in_the_reader_s_language() {
    let root = tempfile::tempdir().unwrap();
    let server = crate::http::start(root.path());
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let file = root.path().join("fetched.backup");
    let out = file.to_str().unwrap();
    let subscriber = crate::http::token("subscriber");
    for (server, token, english, chinese) in [
        (
            server.base.as_str(),
            subscriber,
            "the server answered 403: role subscriber may not use this route",
            "服务器答复 403：角色 subscriber 不能使用此路由",
        ),
        (
            closed.as_str(),
            subscriber,
            "cannot connect to 127.0.0.1:",
            "无法连接 127.0.0.1:",
        ),
        (
            "https://127.0.0.1:1",
            subscriber,
            "give an http:// URL",
            "请给出 http:// 地址",
        ),
    ] {
        let args = ["backup", "--server", server, "--token", token, "--out", out];
        for (language, expected) in [("en", english), ("zh-CN", chinese)] {
            let with_language = [&args[..], &["--lang", language]].concat();
            let output = flexledger(root.path(), &with_language, None);
            let message = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{message}");
            assert!(message.contains(expected), "{language}: {message}");
            assert!(!file.exists());
        }
    }
}

/// `restore -` into `target`, its backup to come through a pipe the test writes (and
/// holds open, so a signal or a check arrives while the restore surely reads); its
/// standard error piped.
fn restore_from_pipe(target: &Path) -> std::process::Child {
    // Through `env --default-signal=HUP` (coreutils; it then runs the binary in its
    // place): a test run under `nohup` would otherwise pass its ignored SIGHUP on,
    // and the restore, rightly, would go on through one.
    restore_from_pipe_through(HANGUP_DEFAULT, target)
}

/// The launcher [`restore_from_pipe`] runs the binary through: `env
/// --default-signal=HUP` (coreutils), which undoes a `nohup` the tests run under.
const HANGUP_DEFAULT: &[&str] = &["env", "--default-signal=HUP"];

/// A restore into `root`/`name` from a pipe (run by `launcher`, as
/// [`restore_from_pipe_through`]), sent the first two of `lines` and waited for until
/// its staging directory is made: the child, its standard input (held open, for the
/// rest of the backup or none) and that directory.
fn restore_under_way(
    launcher: &[&str],
    root: &Path,
    name: &str,
    lines: &[String],
) -> (std::process::Child, std::process::ChildStdin, PathBuf) {
    use std::io::Write;
    let staging = root.join(format!(".{name}.restoring"));
    let mut child = restore_from_pipe_through(launcher, &root.join(name));
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all((lines[..2].join("\n") + "\n").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    wait_for(&staging, "no staging directory");
    (child, stdin, staging)
}

/// The lines of a backup after the two [`restore_under_way`] sent.
fn rest_of(lines: &[String]) -> String {
    lines[2..].join("\n") + "\n"
}

/// [`restore_from_pipe`], run by `launcher` (a program and its arguments, which then
/// runs the binary with its own).
fn restore_from_pipe_through(launcher: &[&str], target: &Path) -> std::process::Child {
    let ledger = flexledger_command(target);
    let mut command = std::process::Command::new(launcher[0]);
    command
        .args(&launcher[1..])
        .arg(ledger.get_program())
        .args(ledger.get_args());
    for (name, value) in ledger.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command
        .args(["restore", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until `path` exists, failing with `what` after a minute.
fn wait_for(path: &Path, what: &str) {
    let waited = std::time::Instant::now();
    while !path.exists() {
        assert!(waited.elapsed().as_secs() < 60, "{what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Ctrl-C (SIGINT), or SIGHUP, during a `restore` stops it through its error path: exit 130, a
/// sentence saying nothing was kept, and neither the target nor the staging directory
/// left behind. Killed by the signal, it left `.NAME.restoring`, which then refused the
/// next restore. The backup comes through a pipe held open, so the signal arrives while
/// the restore is surely reading it.
#[cfg(unix)]
#[test]
fn an_interrupted_restore_leaves_nothing_behind() {
    use std::io::Write;
    let root = tempfile::tempdir().unwrap();
    let (_, lines) = demo_backup(root.path());
    let file = root.path().join("demo.backup");
    // SIGHUP too: a terminal or SSH session that closes sends it.
    for signal in ["INT", "HUP"] {
        let name = format!("restored-{signal}");
        let (child, mut stdin, staging) =
            restore_under_way(HANGUP_DEFAULT, root.path(), &name, &lines);
        let target = root.path().join(&name);
        signal_delivered(&child, signal);
        // The rest of the backup: the restore's next read after the signal fails. Writing
        // may fail once it has stopped reading.
        let _ = stdin.write_all(rest_of(&lines).as_bytes());
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(130), "{message}");
        assert!(
            message.contains("the restore was stopped by a signal (Ctrl-C, SIGTERM or SIGHUP)"),
            "{message}"
        );
        assert!(!target.exists(), "{message}");
        assert!(!staging.exists(), "{message}");
        let again = restore(&target, &file, &[]);
        assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    }
}

/// A second Ctrl-C ends at once a restore that the first could not stop: one waiting
/// for the next line of a backup that does not come (the first is heard at its next
/// read), as Ctrl-C always did; the first alone leaves it waiting.
#[cfg(unix)]
#[test]
fn a_second_ctrl_c_ends_a_restore_still_waiting_at_once() {
    let root = tempfile::tempdir().unwrap();
    let (_, lines) = demo_backup(root.path());
    let (mut child, stdin, _) = restore_under_way(HANGUP_DEFAULT, root.path(), "waiting", &lines);
    // Waiting, not still reading the two lines it has: then the first Ctrl-C stops it
    // at its next read, as it should, and proves nothing here.
    waiting_for_input(&child);
    signal_delivered(&child, "INT");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first Ctrl-C ended a restore waiting for its input"
    );
    signal_delivered(&child, "INT");
    let waited = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            waited.elapsed().as_secs() < 30,
            "the second Ctrl-C did not end it"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    drop(stdin);
}

/// A terminal that closes sends SIGHUP twice within milliseconds (bash to its jobs,
/// then the kernel to the foreground group), and systemd SIGHUP right after SIGTERM:
/// the second stops the restore as the first does, through its error path, and never
/// ends it outright with its staging directory left behind.
#[cfg(unix)]
#[test]
fn a_second_hangup_or_term_does_not_cut_a_restore_s_stop_short() {
    use std::io::Write;
    let root = tempfile::tempdir().unwrap();
    let (_, lines) = demo_backup(root.path());
    for (first, second) in [("HUP", "HUP"), ("TERM", "HUP")] {
        let name = format!("restored-{first}-{second}");
        let (child, mut stdin, staging) =
            restore_under_way(HANGUP_DEFAULT, root.path(), &name, &lines);
        let target = root.path().join(&name);
        signal_delivered(&child, first);
        signal_delivered(&child, second);
        let _ = stdin.write_all(rest_of(&lines).as_bytes());
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        let message = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(130),
            "{first}, {second}: {message}"
        );
        assert!(!staging.exists(), "{first}, {second}: {message}");
        assert!(!target.exists(), "{first}, {second}: {message}");
    }
}

/// Waits until a thread of `child` is blocked reading its standard input (its
/// `/proc/PID/task/*/syscall` is `read` of descriptor 0; the numbers of x86_64 and
/// aarch64).
fn waiting_for_input(child: &std::process::Child) {
    let read = if cfg!(target_arch = "aarch64") {
        "63"
    } else {
        "0"
    };
    let tasks = format!("/proc/{}/task", child.id());
    let reading = || {
        std::fs::read_dir(&tasks)
            .into_iter()
            .flatten()
            .flatten()
            .any(|task| {
                let call = std::fs::read_to_string(task.path().join("syscall")).unwrap_or_default();
                let mut fields = call.split_whitespace();
                (fields.next(), fields.next()) == (Some(read), Some("0x0"))
            })
    };
    let waited = std::time::Instant::now();
    while !reading() {
        assert!(waited.elapsed().as_secs() < 30, "never waited for input");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Sends `child` the signal `name` (`kill -NAME`) and waits until it is delivered (no
/// longer pending in `/proc/PID/status`): two of a kind sent before that merge into one.
fn signal_delivered(child: &std::process::Child, name: &str) {
    let number: u32 = match name {
        "HUP" => 1,
        "INT" => 2,
        "TERM" => 15,
        other => panic!("no number for SIG{other}"),
    };
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let pending = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .filter(|line| line.starts_with("SigPnd:") || line.starts_with("ShdPnd:"))
            .filter_map(|line| line.split_whitespace().nth(1))
            .filter_map(|mask| u64::from_str_radix(mask, 16).ok())
            .any(|mask| mask & (1 << (number - 1)) != 0)
    };
    let waited = std::time::Instant::now();
    while pending() {
        assert!(waited.elapsed().as_secs() < 30, "SIG{name} never delivered");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Under `nohup` (SIGHUP ignored from the start) a restore goes on through a hangup, as
/// `nohup` promises: listening for SIGHUP must not undo the ignoring.
#[cfg(unix)]
#[test]
fn a_restore_under_nohup_goes_on_through_a_hangup() {
    use std::io::Write;
    let root = tempfile::tempdir().unwrap();
    let (_, lines) = demo_backup(root.path());
    let (child, mut stdin, _) = restore_under_way(&["nohup"], root.path(), "kept", &lines);
    let target = root.path().join("kept");
    signal_delivered(&child, "HUP");
    std::thread::sleep(std::time::Duration::from_millis(200));
    stdin.write_all(rest_of(&lines).as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!target.join("restore-unfinished").exists());
}

/// A restore killed outright (`kill -9`, a power cut) leaves its staging directory
/// holding part of the backup, and its target holding the restore's mark from the
/// start; every command refuses either, saying it is a restore still running or
/// stopped and what to do, where the staging directory opened as a smaller ledger that
/// `verify` passed (an operator's probe, 2026-12-05: 49,192 of 118,005 events, and
/// `submit` decided a command against it), and an empty target made a new ledger (a
/// second probe that day: `serve` started there by a service manager). The restore run
/// again names both, and once they are removed it succeeds.
#[cfg(unix)]
#[test]
fn a_restore_killed_outright_leaves_directories_every_command_refuses() {
    use std::io::Write;
    let root = tempfile::tempdir().unwrap();
    let (source, lines) = demo_backup(root.path());
    let file = root.path().join("demo.backup");
    let target = root.path().join("restored");
    let staging = root.path().join(".restored.restoring");
    let mut child = restore_from_pipe(&target);
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all((lines[..lines.len() / 2].join("\n") + "\n").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    wait_for(&staging.join("sled"), "no staging store");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert!(staging.join("restore-unfinished").exists());
    assert!(
        target.join("restore-unfinished").exists(),
        "claimed from the start"
    );
    let pay = br#"{"command":"close_month","region":"demo","month":"2025-11"}"#;
    for dir in [&staging, &target] {
        for (args, stdin) in [
            (&["verify"][..], None),
            (&["events"][..], None),
            (&["member", MEMBER_ID][..], None),
            (&["submit", "-"][..], Some(&pay[..])),
        ] {
            let output = flexledger(dir, args, stdin);
            let message = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
            assert!(
                message
                    .contains("is a restore that is still running or stopped before it finished")
                    && message.contains("run the restore again"),
                "{args:?}: {message}"
            );
        }
    }
    // The target's `rm -r` names the staging directory too: removing the target alone,
    // as told, left the next restore refused for it.
    let output = flexledger(&target, &["verify"], None);
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "rm -r '{}' '{}'",
            target.display(),
            staging.display()
        )),
        "{message}"
    );
    assert!(
        !target.join("sled").exists(),
        "no ledger made in the target"
    );
    let again = restore(&target, &file, &[]);
    let said = stderr(&again);
    assert_eq!(again.status.code(), Some(2), "{said}");
    assert!(
        said.contains("holds a restore's mark") && said.contains(".restored.restoring"),
        "both named: {said}"
    );
    std::fs::remove_dir_all(&staging).unwrap();
    std::fs::remove_dir_all(&target).unwrap();
    let again = restore(&target, &file, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(!target.join("restore-unfinished").exists());
    assert_eq!(
        flexledger(&target, &["events"], None).stdout,
        flexledger(&source, &["events"], None).stdout
    );
}

/// While a restore reads its backup, its target (an empty directory prepared for a
/// service, or one the restore made) already refuses every open, so a `submit` (or a
/// `serve` a service manager starts) there cannot make a ledger that the restored
/// files would be moved into; a restore that fails gives the target back as it was.
#[cfg(unix)]
#[test]
fn a_restore_claims_its_target_before_reading_and_gives_it_back_when_it_fails() {
    use std::io::Write;
    let root = tempfile::tempdir().unwrap();
    let (_, lines) = demo_backup(root.path());
    let file = root.path().join("demo.backup");
    let text = lines.join("\n") + "\n";
    for prepared in [true, false] {
        let target = root.path().join(format!("prepared-{prepared}"));
        if prepared {
            std::fs::create_dir(&target).unwrap();
        }
        let mut child = restore_from_pipe(&target);
        let mut stdin = child.stdin.take().unwrap();
        wait_for(&target.join("restore-unfinished"), "the target is claimed");
        let pay = br#"{"command":"close_month","region":"demo","month":"2025-11"}"#;
        let meanwhile = flexledger(&target, &["submit", "-"], Some(&pay[..]));
        assert_eq!(meanwhile.status.code(), Some(2), "{}", stderr(&meanwhile));
        assert!(!target.join("sled").exists(), "no ledger made meanwhile");
        // Half the backup, then its end: the restore fails and gives the target back.
        let half = text.len() / 2;
        stdin.write_all(&text.as_bytes()[..half]).unwrap();
        drop(stdin);
        let failed = child.wait_with_output().unwrap();
        assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
        assert_eq!(target.exists(), prepared, "given back as it was");
        if prepared {
            assert_eq!(
                std::fs::read_dir(&target).unwrap().count(),
                0,
                "empty again"
            );
        }
        let again = restore(&target, &file, &[]);
        assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    }
}

/// A `--data-dir` that is a symbolic link to a directory not made yet is refused
/// before the backup is read, naming the link's destination (an operator's probe saw
/// "Not a directory" after the whole backup was read); to an empty directory, the
/// restore fills that directory and the link stays.
#[cfg(unix)]
#[test]
fn a_restore_into_a_link_to_nothing_says_so_and_into_a_link_to_an_empty_directory_works() {
    let root = tempfile::tempdir().unwrap();
    let (source, _) = demo_backup(root.path());
    let file = root.path().join("demo.backup");
    let (link, destination) = (root.path().join("data"), root.path().join("volume"));
    std::os::unix::fs::symlink(&destination, &link).unwrap();
    let output = restore(&link, &file, &[]);
    // It said "I/O failed on …/data: Not a directory" once the backup was read.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "is a symbolic link to {}, which does not exist",
            destination.display()
        )),
        "{}",
        stderr(&output)
    );
    assert_only(root.path(), &["data", "demo.backup", "source"]);
    std::fs::create_dir(&destination).unwrap();
    let output = restore(&link, &file, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(
        flexledger(&destination, &["events"], None).stdout,
        flexledger(&source, &["events"], None).stdout
    );
}

/// An empty directory an operator prepared is restored into, not replaced: it keeps
/// its mode and owner (renamed over, it came back with the restoring user's and mode
/// 700, and the service that was to run in it could not open it), and a restore into
/// the directory a shell stands in (`--data-dir .`) leaves the shell in the ledger, not
/// in a deleted directory (an operator's probe, 2026-12-05).
#[cfg(unix)]
#[test]
fn a_restore_into_an_empty_directory_keeps_that_directory() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = tempfile::tempdir().unwrap();
    let (source, _) = demo_backup(root.path());
    let file = root.path().join("demo.backup");
    let prepared = root.path().join("prepared");
    std::fs::create_dir(&prepared).unwrap();
    std::fs::set_permissions(&prepared, std::fs::Permissions::from_mode(0o750)).unwrap();
    let inode = std::fs::metadata(&prepared).unwrap().ino();
    let output = restore(&prepared, &file, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let after = std::fs::metadata(&prepared).unwrap();
    assert_eq!((after.ino(), after.mode() & 0o777), (inode, 0o750));
    assert!(
        !stderr(&output).contains("open to every user"),
        "{}",
        stderr(&output)
    );
    assert!(!prepared.join("restore-unfinished").exists());
    assert_only(root.path(), &["demo.backup", "prepared", "source"]);
    assert_eq!(
        flexledger(&prepared, &["events"], None).stdout,
        flexledger(&source, &["events"], None).stdout
    );

    // Open to every user: kept, and said.
    let open = root.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = restore(&open, &file, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is open to every user (mode 0755)"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&open).unwrap();

    let here = root.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let output = flexledger_command(Path::new("."))
        .current_dir(&here)
        .args(["restore", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let verified = flexledger_command(Path::new("."))
        .current_dir(&here)
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
}
