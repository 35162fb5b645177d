//! Tamper evidence: an event edited, removed or reordered below the ledger (with
//! sled's own API) is found by every read and by `verify`, which names the position.

use crate::support::*;
use flexledger::codec::rows::{
    decode_member_row, decode_month_totals_row, decode_summary_row, encode_member_row,
    encode_month_totals_row, encode_summary_row,
};
use flexledger::domain::money::Money;
use flexledger::domain::policy::RegionName;
use flexledger::domain::report::RegionSummary;
use flexledger::ledger::{rebuild_state, region_summary, verify, Ledger};
use flexledger::store::{log_block, log_entry, Envelope, EventLog, Sha256, SledStore};
use std::collections::BTreeMap;
use std::path::Path;

const MEMBER: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

fn demo_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let scenario = read_json(&repo_path("tests/scenarios/backpay_within_grace.json"));
    let commands = scenario["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| flexledger::domain::parse_command_value(step["command"].clone()))
        .collect();
    Ledger::open(dir.path())
        .unwrap()
        .submit(commands, &mut FixedSources::new())
        .unwrap();
    dir
}

/// Every log entry's stored bytes (SHA-256, then the entry) by position, as `edit`
/// leaves them, written back with sled's own API, one block per entry: the tests' way
/// below the ledger to alter, swap or remove events.
pub(crate) fn edit_log(dir: &Path, edit: impl FnOnce(&mut BTreeMap<u64, Vec<u8>>)) {
    let store = SledStore::open(dir).unwrap();
    let reader = store.reader();
    let head = store.head().unwrap().0;
    let mut entries: BTreeMap<u64, Vec<u8>> = (1..=head)
        .map(|position| (position, reader.raw_log_entry(position).unwrap().unwrap()))
        .collect();
    edit(&mut entries);
    let tree = store.raw_tree();
    for prefix in [b'L', log_block::PREFIX_LOG_BLOCK] {
        for key in tree.scan_prefix([prefix]).keys() {
            tree.remove(key.unwrap()).unwrap();
        }
    }
    for (position, entry) in &entries {
        for (key, block) in log_block::encode([(*position, entry.as_slice())]) {
            tree.insert(key, block).unwrap();
        }
    }
    tree.flush().unwrap();
}

/// Rewrites the log entry at `position` with `edit` applied to its canonical JSON;
/// `rehash` also rewrites the stored hash, as a careful forger would. The forgery is
/// stored in the older layout (hash, then canonical JSON), which every build reads.
fn tamper(dir: &Path, position: u64, rehash: bool, edit: impl Fn(&str) -> String) {
    edit_log(dir, |entries| {
        let value = &entries[&position];
        let hash = log_entry::stored_hash(value).unwrap();
        let canonical = log_entry::canonical_of(position, value).unwrap();
        let edited = edit(std::str::from_utf8(&canonical).unwrap());
        assert_ne!(edited.as_bytes(), &*canonical, "the edit changes something");
        let new_hash = if rehash {
            Sha256::of(edited.as_bytes())
        } else {
            hash
        };
        entries.insert(
            position,
            [new_hash.0.to_vec(), edited.into_bytes()].concat(),
        );
    });
}

/// Edits the demo member's state row below the ledger (rows carry no hash).
fn edit_member_row(dir: &Path) {
    let store = SledStore::open(dir).unwrap();
    flip_deduction_stopped(&store, uuid::Uuid::parse_str(MEMBER).unwrap());
    store.raw_tree().flush().unwrap();
}

/// Changes `member_id`'s state row below the ledger: its `deduction_stopped` flipped.
pub(crate) fn flip_deduction_stopped(store: &SledStore, member_id: uuid::Uuid) {
    let key = [&b"M"[..], member_id.as_bytes()].concat();
    let row = store.raw_tree().get(&key).unwrap().unwrap();
    let mut member = decode_member_row(&row).unwrap();
    member.deduction_stopped = !member.deduction_stopped;
    store
        .raw_tree()
        .insert(key, encode_member_row(&member))
        .unwrap();
}

fn verify_failure(dir: &Path) -> (u64, String) {
    let store = SledStore::open(dir).unwrap();
    match verify(&store, &mut |_| {}) {
        Err(flexledger::ledger::LedgerError::Store(flexledger::store::StoreError::Corrupt {
            position,
            message,
        })) => (position, message.to_string()),
        other => panic!("verify should fail, got {other:?}"),
    }
}

/// Alters the date of the store's first payment below the ledger, its hash left
/// alone, and returns its position.
fn alter_first_payment(dir: &Path) -> u64 {
    let position = first_payment_position(dir);
    tamper(dir, position, false, |json| {
        json.replacen("\"2025-01-10\"", "\"2025-01-11\"", 1)
    });
    position
}

fn first_payment_position(dir: &Path) -> u64 {
    let store = SledStore::open(dir).unwrap();
    let position = store
        .read_log(1)
        .map(Result::unwrap)
        .find(|envelope| envelope.event.type_name() == "ContributionPaid")
        .unwrap()
        .position;
    position
}

/// The log is kept in blocks of up to 16 events of one append (`store/log_block.rs`):
/// far fewer engine keys than events, and a read from any position (the first of a
/// block, one inside it, the head, one beyond) returns exactly the log from there,
/// through one append's blocks and into the next append's.
#[test]
fn the_log_in_blocks_reads_the_same_from_every_position() {
    let dir = tempfile::tempdir().unwrap();
    // The demo's commands (its closes end appends: blocks of a few events), then one
    // append of 60 enrollments (blocks of 16).
    let demo = std::fs::read_to_string(repo_path("examples/demo.jsonl")).unwrap();
    let enrollments = (0..60).map(|index| {
        serde_json::json!({"command":"enroll","command_id":format!("c1000000-0000-4000-8000-{index:012x}"),"member_id":format!("70000000-0000-4000-8000-{index:012x}"),"region":"demo","month":"2025-10","base_ratio":"0.60","labor_relationship":"none"}).to_string()
    });
    let commands: Vec<_> = demo
        .lines()
        .map(str::to_owned)
        .chain(enrollments)
        .map(|line| flexledger::domain::parse_command(&line))
        .collect();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    ledger
        .submit(commands.clone(), &mut FixedSources::new())
        .unwrap();
    // The same commands again: every one a duplicate, nothing appended.
    ledger.submit(commands, &mut FixedSources::new()).unwrap();
    drop(ledger);
    let store = SledStore::open(dir.path()).unwrap();
    let (head, _) = store.head().unwrap();
    let log: Vec<Envelope> = store.read_log(1).map(Result::unwrap).collect();
    assert_eq!(log.len() as u64, head);
    let blocks = store
        .raw_tree()
        .scan_prefix([log_block::PREFIX_LOG_BLOCK])
        .count() as u64;
    assert!(
        head > 90 && blocks * 3 < head,
        "{blocks} blocks for {head} events"
    );
    assert_eq!(store.raw_tree().scan_prefix(b"L").count(), 0);
    for from in 1..=head + 1 {
        let read: Vec<Envelope> = store.read_log(from).map(Result::unwrap).collect();
        assert_eq!(read[..], log[(from - 1) as usize..], "from {from}");
        if from <= head {
            let entry = store.reader().raw_log_entry(from).unwrap().unwrap();
            assert_eq!(
                log_entry::stored_hash(&entry).unwrap(),
                log[from as usize - 1].hash
            );
        }
    }
    assert_eq!(store.reader().raw_log_entry(head + 1).unwrap(), None);
}

#[test]
fn a_clean_store_verifies_and_every_printed_line_carries_its_own_hash() {
    let dir = demo_store();
    let store = SledStore::open(dir.path()).unwrap();
    let report = verify(&store, &mut |_| {}).unwrap();
    assert!(report.events > 20);
    let mut previous = Sha256::ZERO;
    for envelope in store.read_log(1) {
        let envelope = envelope.unwrap();
        let line = serde_json::to_string(&envelope).unwrap();
        // An auditor's check with nothing but SHA-256: drop the final hash member.
        let cut = line.rfind(",\"hash\":").unwrap();
        let canonical = format!("{}}}", &line[..cut]);
        assert_eq!(Sha256::of(canonical.as_bytes()), envelope.hash);
        assert_eq!(envelope.prev_hash, previous);
        previous = envelope.hash;
        let parsed: Envelope = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed, envelope);
    }
    assert_eq!(report.head_hash, previous);
}

#[test]
fn an_amount_edited_with_sleds_api_fails_verify_at_that_position() {
    let dir = demo_store();
    let position = first_payment_position(dir.path());
    tamper(dir.path(), position, false, |json| {
        json.replacen("\"600.00\"", "\"6.00\"", 1)
    });
    let (failed_at, message) = verify_failure(dir.path());
    assert_eq!(failed_at, position);
    assert!(message.contains("altered"), "{message}");
    // Reads check what they read, too: the member's history no longer loads.
    let store = SledStore::open(dir.path()).unwrap();
    let error = flexledger::ledger::member_coverage_folded(&store, MEMBER.parse().unwrap(), None)
        .unwrap_err();
    assert!(
        error.to_string().contains(&format!("position {position}")),
        "{error}"
    );
}

#[test]
fn a_forged_hash_breaks_the_chain_at_the_next_event() {
    let dir = demo_store();
    let position = first_payment_position(dir.path());
    tamper(dir.path(), position, true, |json| {
        json.replacen("\"600.00\"", "\"6.00\"", 1)
    });
    let (failed_at, message) = verify_failure(dir.path());
    assert_eq!(failed_at, position + 1, "{message}");
    assert!(message.contains("prev_hash"), "{message}");
}

#[test]
fn a_removed_or_reordered_event_is_found() {
    let dir = demo_store();
    let position = first_payment_position(dir.path());
    edit_log(dir.path(), |entries| {
        let a = entries.remove(&position).unwrap();
        let b = entries.insert(position + 1, a).unwrap();
        entries.insert(position, b);
    });
    assert_eq!(
        verify_failure(dir.path()).0,
        position,
        "a swapped entry claims another position"
    );
    let dir = demo_store();
    edit_log(dir.path(), |entries| {
        entries.remove(&position).unwrap();
    });
    let (failed_at, message) = verify_failure(dir.path());
    assert_eq!(failed_at, position, "{message}");
}

#[test]
fn an_edited_state_row_fails_verify() {
    let dir = demo_store();
    edit_member_row(dir.path());
    let (_, message) = verify_failure(dir.path());
    assert!(message.contains(&format!("member {MEMBER}")), "{message}");
}

/// Rewrites the demo region's summary row below the ledger with `edit` applied.
fn edit_summary_row(dir: &Path, edit: impl Fn(&mut RegionSummary)) {
    let store = SledStore::open(dir).unwrap();
    let key = b"Ademo".to_vec();
    let row = store.raw_tree().get(&key).unwrap().unwrap();
    let mut summary = decode_summary_row(&row).unwrap();
    edit(&mut summary);
    store
        .raw_tree()
        .insert(key, encode_summary_row(&summary))
        .unwrap();
    store.raw_tree().flush().unwrap();
}

#[test]
fn an_edited_region_summary_fails_verify_and_rebuild_restores_it() {
    let dir = demo_store();
    let region = RegionName::parse("demo").unwrap();
    let clean = region_summary(&SledStore::open(dir.path()).unwrap(), &region).unwrap();
    let edits: [fn(&mut RegionSummary); 3] = [
        |summary| summary.active += 1,
        |summary| summary.in_arrears += 1,
        |summary| summary.arrears_total = summary.arrears_total + Money::parse("0.01").unwrap(),
    ];
    for edit in edits {
        edit_summary_row(dir.path(), edit);
        let (_, message) = verify_failure(dir.path());
        assert!(message.contains("the summary of region demo"), "{message}");
        let mut store = SledStore::open(dir.path()).unwrap();
        let report = rebuild_state(&mut store, &mut |_| {}).unwrap();
        assert_eq!(report.differences.len(), 1, "{:?}", report.differences);
        assert_eq!(region_summary(&store, &region).unwrap(), clean);
        verify(&store, &mut |_| {}).unwrap();
    }
}

/// The member rows are compared on a thread of their own beside the other rows
/// (`state_row_differences`), yet `verify` lists what differs as one thread did: the
/// other rows first, then the members, and no more than the limit. (A rebuild lists
/// from the rows it replaced, in the same order: `ledger/rebuilt.rs`'s test.)
#[test]
fn differences_list_other_rows_before_members_and_no_more_than_asked() {
    let dir = demo_store();
    edit_summary_row(dir.path(), |summary| summary.active += 1);
    edit_member_row(dir.path());
    let store = SledStore::open(dir.path()).unwrap();
    let folded = flexledger::ledger::fold_log(&store, &mut |_| {}).unwrap();
    let listed = |limit: usize| -> Vec<String> {
        flexledger::ledger::state_row_differences(&store, &folded, limit)
            .unwrap()
            .into_iter()
            .map(|difference| difference.what)
            .collect()
    };
    let all = listed(100);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all[0].contains("the summary of region demo"), "{all:?}");
    assert!(all[1].contains(MEMBER), "{all:?}");
    assert_eq!(listed(1), all[..1].to_vec());
    assert!(listed(0).is_empty());
}

/// A rebuild lists what differed from the rows the engine reports it replaced, not
/// from a comparison beforehand (`ledger/rebuilt.rs`): the same differences `verify`
/// finds (`state_row_differences`), members last, for rows of every kind edited,
/// removed or added below the ledger (the granted index too, which `verify` once did
/// not compare); and nothing once they are replaced.
#[test]
fn a_rebuild_lists_what_verify_finds_from_the_rows_it_replaces() {
    let dir = demo_store();
    edit_summary_row(dir.path(), |summary| summary.active += 1);
    edit_member_row(dir.path());
    {
        let store = SledStore::open(dir.path()).unwrap();
        let tree = store.raw_tree();
        let member = [&b"M"[..], uuid::Uuid::parse_str(MEMBER).unwrap().as_bytes()].concat();
        let row = tree.get(&member).unwrap().unwrap();
        let stranger = [&b"M"[..], uuid::Uuid::from_u128(0xfeed).as_bytes()].concat();
        tree.insert(stranger, row).unwrap();
        let (enrolled, value) = tree.scan_prefix(b"E").next().unwrap().unwrap();
        tree.remove(&enrolled).unwrap();
        // A grant the log does not have: the same member in the granted index.
        tree.insert([&b"G"[..], &enrolled[1..]].concat(), value)
            .unwrap();
        let (month, totals) = tree.scan_prefix(b"Y").next().unwrap().unwrap();
        let mut totals = decode_month_totals_row(&totals).unwrap();
        totals.members_with_benefits += 1;
        tree.insert(month, encode_month_totals_row(&totals))
            .unwrap();
        tree.flush().unwrap();
    }
    let mut store = SledStore::open(dir.path()).unwrap();
    let folded = flexledger::ledger::fold_log(&store, &mut |_| {}).unwrap();
    let found = flexledger::ledger::state_row_differences(&store, &folded, 100).unwrap();
    assert_eq!(found.len(), 6, "{found:?}");
    assert!(found
        .iter()
        .any(|difference| difference.what == "the granted index of region demo"));
    let listed = rebuild_state(&mut store, &mut |_| {}).unwrap().differences;
    assert!(listed.last().unwrap().what.contains(MEMBER), "{listed:?}");
    let sorted = |mut differences: Vec<flexledger::ledger::StateDifference>| {
        differences.sort_by(|a, b| a.what.cmp(&b.what));
        differences
    };
    assert_eq!(sorted(listed), sorted(found));
    verify(&store, &mut |_| {}).unwrap();
    let again = rebuild_state(&mut store, &mut |_| {}).unwrap();
    assert_eq!(again.differences, [], "nothing differs the second time");
}

#[test]
fn a_removed_region_summary_fails_verify() {
    let dir = demo_store();
    let store = SledStore::open(dir.path()).unwrap();
    store.raw_tree().remove(b"Ademo").unwrap();
    store.raw_tree().flush().unwrap();
    drop(store);
    let (_, message) = verify_failure(dir.path());
    assert!(message.contains("the summary of region demo"), "{message}");
}

/// Both binaries' `verify` report an edited event as damage (exit 1) at its position,
/// and say on standard error how to recover, in the language asked for.
#[test]
fn the_verify_command_exits_1_and_names_the_position() {
    let dir = demo_store();
    let clean = flexledger(dir.path(), &["verify"], None);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert_eq!(stdout_lines(&clean)[0]["ok"], true);
    let position = alter_first_payment(dir.path());
    let broken = flexledger(dir.path(), &["verify"], None);
    assert_eq!(broken.status.code(), Some(1));
    let report = &stdout_lines(&broken)[0];
    assert_eq!(report["ok"], false);
    assert_eq!(report["finding"], "damaged");
    assert_eq!(report["position"], position);
    // Whose event it is, by the stream index (the damaged entry's own bytes are not
    // trusted): an auditor's probe was told a position and could find out no more.
    let stream = report["stream"].as_str().expect("the stream is named");
    assert!(stream.starts_with("member-"), "{report}");
    let version = report["version"].as_u64().expect("and the event's version");
    let indexed =
        format!("the stream index holds position {position} as event {version} of stream {stream}");
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains(&indexed),
        "{broken:?}"
    );
    let audit = crate::audit::audit(dir.path(), &["verify"]);
    assert!(
        String::from_utf8_lossy(&audit.stdout).contains(&indexed),
        "{audit:?}"
    );
    let audit = crate::audit::audit(dir.path(), &["--json", "verify"]);
    assert!(
        String::from_utf8_lossy(&audit.stdout).contains(&format!("\"stream\":\"{stream}\"")),
        "{audit:?}"
    );
    let advice = String::from_utf8_lossy(&broken.stderr);
    assert!(
        advice.contains("restore the data directory from a backup"),
        "{advice}"
    );
    for (language, says) in [("en", "from a backup"), ("zh-CN", "从备份恢复数据目录")] {
        for json in [&["--json"][..], &[]] {
            let args = [&["--lang", language][..], json, &["verify"]].concat();
            let audit = crate::audit::audit(dir.path(), &args);
            let what = format!("flexledger-audit {args:?}: {audit:?}");
            assert_eq!(audit.status.code(), Some(1), "{what}");
            let stdout = String::from_utf8_lossy(&audit.stdout);
            assert!(stdout.contains(&position.to_string()), "{what}");
            assert!(
                String::from_utf8_lossy(&audit.stderr).contains(says),
                "{what}"
            );
        }
    }
}

/// Damage the auditor's `verify` finds keeps the writer away as `flexledger verify`'s
/// does (D61): the audit tool had said exit 1 and left no mark, so the next `submit`
/// appended to the damaged log.
#[test]
fn the_auditor_s_verify_marks_the_store_it_finds_damaged() {
    let dir = demo_store();
    let position = alter_first_payment(dir.path());
    let audit = crate::audit::audit(dir.path(), &["verify"]);
    assert_eq!(audit.status.code(), Some(1), "{audit:?}");
    let mark = dir
        .path()
        .join(flexledger::store::damage_mark::DAMAGE_MARK_FILE);
    let kept = std::fs::read_to_string(&mark).expect("the audit tool's verify marks the store");
    assert!(
        kept.contains("\"found_by\":\"flexledger-audit verify\""),
        "{kept}"
    );
    assert!(kept.contains(&format!("\"position\":{position}")), "{kept}");
    let enroll = r#"{"command":"enroll","member_id":"00000000-0000-4000-8000-00000000abcd","region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}"#;
    let write = format!("{enroll}\n");
    let refused = flexledger(dir.path(), &["submit", "-"], Some(write.as_bytes()));
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("flexledger-audit verify found this store damaged at "),
        "{said}"
    );
}

/// What `verify` found is said in the reader's language on standard error, by both
/// binaries (an event altered; a hash forged, which breaks the chain at the next
/// event), while the JSON line keeps the contract's English. Before, a Chinese auditor
/// read "存储的数据在位置 N 处已损坏：" followed by English.
#[test]
fn a_damage_finding_is_said_in_the_reader_s_language() {
    for (rehash, english, chinese, at) in [
        (false, "it was altered", "该事件被改动过", 0),
        (
            true,
            "does not link to the previous event's hash",
            "衔接不上",
            1,
        ),
    ] {
        let dir = demo_store();
        let position = first_payment_position(dir.path());
        tamper(dir.path(), position, rehash, |json| {
            json.replacen("\"600.00\"", "\"6.00\"", 1)
        });
        let zh = flexledger(dir.path(), &["--lang", "zh-CN", "verify"], None);
        let what = format!("{zh:?}");
        assert_eq!(zh.status.code(), Some(1), "{what}");
        let report = &stdout_lines(&zh)[0];
        assert_eq!(report["position"], position + at, "{what}");
        let message = report["message"].as_str().unwrap();
        assert!(
            message.contains(english),
            "the JSON keeps its English: {what}"
        );
        let stderr = String::from_utf8_lossy(&zh.stderr);
        let said = format!("存储的数据在位置 {} 处已损坏：", position + at);
        assert!(stderr.contains(&said), "{what}");
        assert!(stderr.contains(chinese), "{what}");
        assert!(!stderr.contains(english), "no English finding: {what}");
        let en = flexledger(dir.path(), &["verify"], None);
        assert!(
            String::from_utf8_lossy(&en.stderr).contains(english),
            "{en:?}"
        );
        let audit = crate::audit::audit(dir.path(), &["--lang", "zh-CN", "verify"]);
        let stdout = String::from_utf8_lossy(&audit.stdout);
        assert!(
            stdout.contains(chinese) && !stdout.contains(english),
            "{audit:?}"
        );
    }
}

/// A member whose state row was deleted below the ledger is damage (exit 1, the
/// position of its first event, how to recover), not "never enrolled"; `rebuild`
/// writes the row again from the log.
#[test]
fn a_members_missing_state_row_is_damage_not_a_member_never_enrolled() {
    let dir = demo_store();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let member = uuid::Uuid::parse_str(MEMBER).unwrap();
        let key = [&b"M"[..], member.as_bytes()].concat();
        assert!(store.raw_tree().remove(key).unwrap().is_some());
        store.raw_tree().flush().unwrap();
    }
    let output = flexledger(dir.path(), &["member", MEMBER], None);
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("no state row"), "{message}");
    assert!(message.contains("flexledger rebuild"), "{message}");
    assert!(!message.contains("check the id"), "{message}");
    let rebuilt = flexledger(dir.path(), &["rebuild"], None);
    assert_eq!(rebuilt.status.code(), Some(0), "{rebuilt:?}");
    let output = flexledger(dir.path(), &["member", MEMBER], None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let coverage: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(coverage["member_id"], MEMBER);
    // A member that never was: still the refusal that says to check the id.
    let unknown = "11111111-1111-4111-8111-111111111111";
    let output = flexledger(dir.path(), &["member", unknown], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("check the id"));
}

#[test]
fn rebuild_replaces_an_edited_state_row_and_reports_it() {
    let dir = demo_store();
    edit_member_row(dir.path());
    let output = flexledger(dir.path(), &["rebuild"], None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = &stdout_lines(&output)[0];
    assert_eq!(
        report["differences"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    assert!(report["differences"][0]["what"]
        .as_str()
        .unwrap()
        .contains(MEMBER));
    assert_eq!(
        flexledger(dir.path(), &["verify"], None).status.code(),
        Some(0),
        "clean after the rebuild"
    );
    let again = flexledger(dir.path(), &["rebuild"], None);
    assert_eq!(
        stdout_lines(&again)[0]["differences"],
        serde_json::json!([]),
        "nothing differs the second time"
    );
}

#[test]
fn rows_added_below_the_ledger_fail_verify() {
    let dir = demo_store();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let stranger = uuid::Uuid::from_u128(0xdead_beef);
        store
            .raw_tree()
            .insert(
                [&b"C"[..], stranger.as_bytes()].concat(),
                [0u8; 16].to_vec(),
            )
            .unwrap();
        store.raw_tree().flush().unwrap();
    }
    let (_, message) = verify_failure(dir.path());
    assert!(message.contains("command record was added"), "{message}");
    let dir = demo_store();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let key = [&b"M"[..], uuid::Uuid::parse_str(MEMBER).unwrap().as_bytes()].concat();
        let row = store.raw_tree().get(&key).unwrap().unwrap();
        let stranger = uuid::Uuid::from_u128(0xfeed);
        store
            .raw_tree()
            .insert([&b"M"[..], stranger.as_bytes()].concat(), row.to_vec())
            .unwrap();
        store.raw_tree().flush().unwrap();
    }
    let (_, message) = verify_failure(dir.path());
    assert!(
        message.contains("a member the log does not have"),
        "{message}"
    );
}

/// Every read that meets damage exits 1 (a finding, like `verify`), naming the position.
#[test]
fn reads_that_meet_damage_exit_1_and_name_the_position() {
    let dir = demo_store();
    let position = alter_first_payment(dir.path());
    // As of the altered event itself: the fold reads it (a position beyond the head
    // would be refused before any read, D66).
    let as_of = position.to_string();
    for args in [
        vec!["events"],
        vec![
            "member",
            "0b53af7d-bb50-5037-9d21-49eba4cb5782",
            "--as-of",
            &as_of,
        ],
    ] {
        let output = flexledger(dir.path(), &args, None);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("position {position}")),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("restore the data directory from a backup"),
            "{stderr}"
        );
    }
    // The auditor's tool too: damage is a finding, not a failure to run.
    let audit = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .arg("--data-dir")
        .arg(dir.path())
        .args(["replay", "--member", "0b53af7d-bb50-5037-9d21-49eba4cb5782"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&audit.stderr);
    assert_eq!(audit.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("position {position}")), "{stderr}");
}

#[test]
fn a_byte_changed_in_a_compact_entry_fails_verify_at_that_position() {
    let dir = demo_store();
    let position = first_payment_position(dir.path());
    flip_payment_amount(dir.path(), position);
    let (failed_at, message) = verify_failure(dir.path());
    assert_eq!(failed_at, position);
    assert!(message.contains("altered"), "{message}");
}

/// Changes one byte of the compact entry at `position` below the ledger, with sled's
/// API: its last amount, "600.00" becomes "900.00" (the entry must be a payment's).
fn flip_payment_amount(dir: &Path, position: u64) {
    flip_stored_byte(dir, position, |value| {
        // The payload is the entry's last part: its last amount.
        let at = value
            .windows(6)
            .rposition(|window| window == b"600.00")
            .unwrap();
        (at, b'9')
    });
}

/// Sets the byte `at` chooses (and to what) in the stored value of the log entry at
/// `position`, with sled's own API: an edit below the ledger.
pub(crate) fn flip_stored_byte(dir: &Path, position: u64, at: impl Fn(&[u8]) -> (usize, u8)) {
    edit_log(dir, |entries| {
        let value = entries.get_mut(&position).unwrap();
        assert_eq!(
            value[32], 2,
            "this build stores compact entries of format 2"
        );
        let (index, byte) = at(value);
        assert_ne!(value[index], byte, "the edit changes the byte");
        value[index] = byte;
    });
}

#[test]
fn an_event_rehashed_into_another_stream_is_refused_by_every_read() {
    let dir = demo_store();
    let position = first_payment_position(dir.path());
    let other = "0b53af7d-bb50-5037-9d21-49eba4cb5783";
    // The payload names another member; the envelope keeps its stream.
    tamper(dir.path(), position, true, |json| {
        json.replacen(
            &format!("\"member_id\":\"{MEMBER}\""),
            &format!("\"member_id\":\"{other}\""),
            1,
        )
    });
    tamper(dir.path(), 1, true, |json| {
        json.replacen("\"region\":\"demo\"", "\"region\":\"demx\"", 1)
    });
    let store = SledStore::open(dir.path()).unwrap();
    for at in [1, position] {
        let error = store.read_log(at).next().unwrap().unwrap_err();
        assert!(
            error.to_string().contains("does not match its payload"),
            "{error}"
        );
    }
}

/// A store whose log spans three of the stretches the whole-log fold reads on its
/// reading threads in turn (`LOG_READERS`), with two month closes whose chunks of
/// consequences (each one command) straddle the stretches' boundaries; returns it with
/// its members and head.
fn store_of_three_read_stretches() -> (tempfile::TempDir, usize, u64) {
    use flexledger::ledger::{LOG_READERS, LOG_READ_STRETCH_EVENTS};
    assert_eq!(LOG_READERS, 2, "three stretches take both readers' turns");
    // Each close's consequences span a stretch's boundary: January's the first,
    // February's the second.
    let members = 2 * LOG_READ_STRETCH_EVENTS / 3 + 100;
    let policy = serde_json::json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]});
    let close =
        |month: &str| serde_json::json!({"command":"close_month","region":"demo","month":month});
    let commands = std::iter::once(policy)
        .chain((0..members).map(|member| {
            serde_json::json!({"command":"enroll","member_id":uuid::Uuid::from_u128(member as u128 + 1),"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"})
        }))
        .chain([close("2025-01"), close("2025-02")])
        .map(flexledger::domain::parse_command_value)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    Ledger::open(dir.path())
        .unwrap()
        .submit(commands, &mut FixedSources::new())
        .unwrap();
    // The policy, the enrollments, and for each close its `MonthClosed` and every
    // member's missed month.
    let head = 3 * members as u64 + 3;
    assert!(head > 2 * LOG_READ_STRETCH_EVENTS as u64, "three stretches");
    (dir, members, head)
}

/// The command whose events straddle position `boundary`, and its first position.
fn run_across(store: &SledStore, boundary: u64) -> (uuid::Uuid, u64) {
    let command_id = store.read_log(boundary).next().unwrap().unwrap().command_id;
    assert_eq!(
        store
            .read_log(boundary + 1)
            .next()
            .unwrap()
            .unwrap()
            .command_id,
        command_id,
        "one command's events straddle position {boundary}"
    );
    let span = store.command_span(command_id).unwrap().unwrap();
    (command_id, span.first_position)
}

/// A log of three read stretches (`store_of_three_read_stretches`): folded whole and in
/// order, verified (each command's events against its record, read by the reader where
/// the command began), and damage in a later stretch named at its position by both.
#[test]
fn a_log_of_many_read_stretches_folds_and_verifies_whole_and_names_damage_in_any_stretch() {
    use flexledger::ledger::{fold_log, verify, LedgerError, LOG_READ_STRETCH_EVENTS};
    let (dir, members, head) = store_of_three_read_stretches();
    let store = SledStore::open(dir.path()).unwrap();
    for boundary in [1, 2].map(|stretches| stretches * LOG_READ_STRETCH_EVENTS as u64) {
        run_across(&store, boundary);
    }
    let mut folded = Vec::new();
    let state = fold_log(&store, &mut |position| folded.push(position)).unwrap();
    assert_eq!(folded, (1..=head).collect::<Vec<_>>());
    assert_eq!(state.members.len(), members);
    assert_eq!(verify(&store, &mut |_| {}).unwrap().events, head);
    drop(store);
    let damaged = LOG_READ_STRETCH_EVENTS as u64 + 17;
    // The entry's last byte is its payload's closing brace.
    flip_stored_byte(dir.path(), damaged, |value| (value.len() - 1, b']'));
    let store = SledStore::open(dir.path()).unwrap();
    let mut folded = Vec::new();
    match fold_log(&store, &mut |position| folded.push(position)) {
        Err(LedgerError::Store(flexledger::store::StoreError::Corrupt { position, .. })) => {
            assert_eq!(position, damaged)
        }
        other => panic!("the fold should name position {damaged}, got {other:?}"),
    }
    assert_eq!(
        folded,
        (1..damaged).collect::<Vec<_>>(),
        "folded in order up to the damage"
    );
    match verify(&store, &mut |_| {}) {
        Err(LedgerError::Store(flexledger::store::StoreError::Corrupt { position, .. })) => {
            assert_eq!(position, damaged)
        }
        other => panic!("verify should name position {damaged}, got {other:?}"),
    }
}

/// `verify` reads the command records of a chunk of the log on its reading thread, in
/// one call: a record removed below the ledger, or one whose span was altered, is
/// named at the first position of its command's events, here a command that straddles
/// the second reader's stretch and the next.
#[test]
fn verify_names_a_command_record_removed_or_altered_in_a_later_read_stretch() {
    use flexledger::ledger::{verify, LOG_READ_STRETCH_EVENTS};
    let (dir, _, _) = store_of_three_read_stretches();
    let store = SledStore::open(dir.path()).unwrap();
    let (command_id, first) = run_across(&store, 2 * LOG_READ_STRETCH_EVENTS as u64);
    let key = [&b"C"[..], command_id.as_bytes()].concat();
    let record = store.raw_tree().get(&key).unwrap().unwrap().to_vec();
    let mut altered = record.clone();
    // The record starts with the span's first position (8 bytes, big-endian).
    altered[7] ^= 1;
    for value in [None, Some(altered)] {
        match value {
            None => store.raw_tree().remove(&key).unwrap(),
            Some(value) => store.raw_tree().insert(&key, value).unwrap(),
        };
        let error = verify(&store, &mut |_| {}).unwrap_err().to_string();
        assert!(
            error.contains(&format!("position {first}"))
                && error.contains("do not match its command record"),
            "{error}"
        );
    }
    store.raw_tree().insert(&key, record).unwrap();
    verify(&store, &mut |_| {}).unwrap();
}

/// Rewrites the demo member's first stream index row below the ledger with `edit`
/// applied to its positions.
fn edit_index_row(dir: &Path, edit: impl FnOnce(&mut Vec<u64>)) {
    use flexledger::store::stream_index::{row_key, IndexRow};
    let store = SledStore::open(dir).unwrap();
    let stream = format!("member-{MEMBER}");
    let key = row_key(&stream, 1);
    let value = store.raw_tree().get(&key).unwrap().unwrap();
    let mut row = IndexRow::decode(&stream, &key, &value).unwrap();
    edit(&mut row.positions);
    store.raw_tree().insert(key, row.encode()).unwrap();
    store.raw_tree().flush().unwrap();
}

/// The stream index is checked against the log in one pass over the index (not by
/// reading each stream's events again): an index that lost an event, one whose
/// positions do not match the log's, and one listing a stream the log does not have
/// are each named with the stream; an untouched store verifies.
#[test]
fn verify_names_a_stream_index_that_disagrees_with_the_log() {
    let dir = demo_store();
    let store = SledStore::open(dir.path()).unwrap();
    let report = verify(&store, &mut |_| {}).unwrap();
    assert!(report.ok);
    drop(store);

    edit_index_row(dir.path(), |positions| {
        positions.pop();
    });
    let (_, message) = verify_failure(dir.path());
    assert!(
        message.contains(&format!("stream member-{MEMBER} has"))
            && message.contains("in the log but"),
        "{message}"
    );

    let dir = demo_store();
    // Same count, other positions: the last one moved one position on.
    edit_index_row(dir.path(), |positions| {
        let last = positions.len() - 1;
        positions[last] += 1;
    });
    let (_, message) = verify_failure(dir.path());
    assert!(
        message.contains(&format!(
            "stream member-{MEMBER}'s index places its events at other positions"
        )),
        "{message}"
    );

    let dir = demo_store();
    {
        use flexledger::store::stream_index::{row_key, IndexRow};
        let store = SledStore::open(dir.path()).unwrap();
        let ghost = "member-00000000-0000-4000-8000-000000000000";
        store
            .raw_tree()
            .insert(row_key(ghost, 1), IndexRow::starting(1, 1).encode())
            .unwrap();
        store.raw_tree().flush().unwrap();
    }
    let (_, message) = verify_failure(dir.path());
    assert!(
        message.contains("lists stream member-00000000-0000-4000-8000-000000000000, which has no events in the log"),
        "{message}"
    );
}

/// The demo served from a data directory whose fifth event (the demo's fifth line, a
/// payment with its command id) was altered below the ledger while no server ran.
fn served_with_an_event_tampered() -> (tempfile::TempDir, std::path::PathBuf, crate::http::Server) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(crate::http::start(dir.path()));
    tamper(&data, 5, false, |json| {
        json.replacen("1000.00", "2000.00", 1)
    });
    let server = crate::http::start(dir.path());
    (dir, data, server)
}

/// A server whose writer meets damage in an append (here: answering a resent command
/// needs its tampered event) stops, and marks its store as any command's finding does
/// (D61): started again, it refuses the store until a `verify` passes.
#[test]
fn a_server_whose_writer_meets_damage_stops_and_marks_its_store() {
    let (_dir, data, mut server) = served_with_an_event_tampered();
    let resent = std::fs::read_to_string(repo_path("examples/demo.jsonl"))
        .unwrap()
        .lines()
        .nth(4)
        .unwrap()
        .to_owned();
    let (status, body) = crate::http::call(
        &server,
        "POST",
        "/v1/commands",
        Some(crate::http::token("operator")),
        Some(&resent),
        &[],
    );
    assert!(status >= 500, "{status} {body}");
    let exit = server.child.wait().unwrap();
    assert_eq!(
        exit.code(),
        Some(1),
        "the server stops, saying the store is damaged"
    );
    let mark = flexledger::store::damage_mark::read(&data).unwrap();
    let mark = mark.expect("the store is marked");
    assert_eq!(
        (mark.found_by.as_str(), mark.position),
        ("flexledger serve", Some(5))
    );
    let again = flexledger(&data, &["submit", "-"], Some(resent.as_bytes()));
    assert_eq!(again.status.code(), Some(1), "refused while marked");
    assert!(String::from_utf8_lossy(&again.stderr)
        .contains("flexledger serve found this store damaged"));
}

/// A read of `serve` that meets damage (here: a member's events, one of them tampered
/// with) marks the store as the writer's own finding does (D61), and the server stops
/// taking commands: before, it answered the read with a 500 and went on appending.
#[test]
fn a_server_whose_read_meets_damage_marks_its_store_and_takes_no_more_commands() {
    let (_dir, data, mut server) = served_with_an_event_tampered();
    let (status, body) = crate::http::call(
        &server,
        "GET",
        "/v1/members/1b6c43b1-005f-59f6-b63b-f761cd631b20/events",
        Some(crate::http::token("operator")),
        None,
        &[],
    );
    assert_eq!(status, 500, "{body}");
    // A command sent after the read is not appended: refused (503) if the server still
    // answers, or not answered at all once it has stopped.
    let payment = r#"{"command":"pay","member_id":"1b6c43b1-005f-59f6-b63b-f761cd631b20","months":["2026-01"],"amount":"1000.00","paid_on":"2026-01-05"}"#;
    let sent = crate::http::agent()
        .post(&format!("{}/v1/commands", server.base))
        .header(
            "authorization",
            &format!("Bearer {}", crate::http::token("operator")),
        )
        .header("content-type", "application/json")
        .send(payment);
    if let Ok(mut response) = sent {
        assert_eq!(response.status().as_u16(), 503);
        // Said as damage: the server does not come back on this store before a verify.
        let text = response.body_mut().read_to_string().unwrap();
        assert!(text.contains("the store was found damaged"), "{text}");
    }
    let mark = flexledger::store::damage_mark::read(&data).unwrap();
    let mark = mark.expect("the store is marked as the read answers");
    assert_eq!(
        (mark.found_by.as_str(), mark.position),
        ("flexledger serve", Some(5))
    );
    // The finding itself, as a walk's mark holds it, not the error around it.
    assert!(!mark.message.contains("stored data is damaged"), "{mark:?}");
    let exit = server.child.wait().unwrap();
    assert_eq!(
        exit.code(),
        Some(1),
        "the server stops, saying the store is damaged"
    );
    let store = flexledger::store::SledStore::open_unwitnessed(&data).unwrap();
    let head = store.head().unwrap().0;
    assert_eq!(head, 33, "nothing was appended after the read");
    drop(store);
    let again = flexledger(&data, &["submit", "-"], Some(payment.as_bytes()));
    assert_eq!(again.status.code(), Some(1), "refused while marked");
}

/// `rebuild` reads the log and rewrites the state rows; a store whose damage lies
/// elsewhere (here a command record added below the ledger) still fails `verify` after
/// it. So its ok says what it checked and that it is not a verify's, and a store marked
/// as found damaged stays marked (D61): a fault probe saw rebuild say ok on a store
/// `verify` still failed.
#[test]
fn rebuild_says_what_it_did_not_check_and_leaves_a_damage_mark() {
    let dir = demo_store();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let stranger = uuid::Uuid::from_u128(0xdead_beef);
        let key = [&b"C"[..], stranger.as_bytes()].concat();
        store.raw_tree().insert(key, [0u8; 16].to_vec()).unwrap();
        store.raw_tree().flush().unwrap();
    }
    let verified = flexledger(dir.path(), &["verify"], None);
    assert_eq!(verified.status.code(), Some(1), "{verified:?}");
    let rebuilt = flexledger(dir.path(), &["rebuild"], None);
    assert_eq!(rebuilt.status.code(), Some(0), "{rebuilt:?}");
    assert_eq!(stdout_lines(&rebuilt)[0]["ok"], true);
    let said = String::from_utf8_lossy(&rebuilt.stderr);
    assert!(said.contains("its ok is not a verify's"), "{said}");
    assert!(said.contains("stays marked as found damaged"), "{said}");
    let (_, message) = verify_failure(dir.path());
    assert!(message.contains("command record was added"), "{message}");
    let zh = flexledger(dir.path(), &["--lang", "zh-CN", "rebuild"], None);
    let said = String::from_utf8_lossy(&zh.stderr);
    assert!(said.contains("rebuild 成功不代表存储完好"), "{said}");
    assert!(said.contains("仍带有“发现损坏”标记"), "{said}");
}

/// Removes the command record of the command whose first event is at `position`
/// below the ledger; `extra` adds one for a command the log does not have instead.
fn edit_command_records(dir: &Path, extra: bool) -> (uuid::Uuid, u64) {
    let store = SledStore::open(dir).unwrap();
    let first = store.read_log(1).next().unwrap().unwrap();
    let tree = store.raw_tree();
    if extra {
        let stranger = uuid::Uuid::from_u128(0xdead_beef);
        tree.insert(
            [&b"C"[..], stranger.as_bytes()].concat(),
            [0u8; 16].to_vec(),
        )
        .unwrap();
    } else {
        let key = [&b"C"[..], first.command_id.as_bytes()].concat();
        assert!(tree.remove(key).unwrap().is_some());
    }
    tree.flush().unwrap();
    (first.command_id, first.position)
}

/// What `verify` finds of the state rows against a fresh fold, of the command records
/// and of the stream index is said in Chinese on standard error, as a broken hash or
/// chain already was, while the JSON line keeps the contract's English word for word.
/// Before, `flexledger --lang zh verify` printed "存储的数据在位置 N 处已损坏：" and
/// then these findings in English.
#[test]
fn verify_s_row_record_and_index_findings_are_said_in_chinese() {
    type Case = (Box<dyn Fn(&Path) -> (String, u64)>, &'static str);
    let cases: Vec<Case> = vec![
        (
            Box::new(|dir| {
                edit_member_row(dir);
                let english =
                    format!("stored state of member {MEMBER} differs from a fresh fold of the log");
                (english, 0)
            }),
            "已保存的状态行与由日志重新计算所得的结果不符：参保人员",
        ),
        (
            Box::new(|dir| {
                let (command_id, position) = edit_command_records(dir, false);
                let english = format!(
                    "command {command_id}'s events at {position}..{position} do not match its command record (none is stored)"
                );
                (english, position)
            }),
            "的事件与其命令记录不符（没有该命令的命令记录）",
        ),
        (
            Box::new(|dir| {
                edit_command_records(dir, true);
                let english = "command records for";
                (english.to_owned(), 0)
            }),
            "条命令，命令记录却有",
        ),
        (
            Box::new(|dir| {
                edit_index_row(dir, |positions| {
                    positions.pop();
                });
                (format!("stream member-{MEMBER} has "), 0)
            }),
            "在日志中有",
        ),
    ];
    for (tamper, chinese) in cases {
        let dir = demo_store();
        let (english, position) = tamper(dir.path());
        let zh = flexledger(dir.path(), &["--lang", "zh-CN", "verify"], None);
        let what = format!("{zh:?}");
        assert_eq!(zh.status.code(), Some(1), "{what}");
        let report = &stdout_lines(&zh)[0];
        let message = report["message"].as_str().unwrap();
        assert!(
            message.contains(&english),
            "the JSON keeps its English: {what}"
        );
        if position > 0 {
            assert_eq!(report["position"], position, "{what}");
        }
        let stderr = String::from_utf8_lossy(&zh.stderr);
        let finding = stderr
            .lines()
            .find(|line| line.contains("存储的数据在位置") || line.contains("存储的数据已损坏"))
            .unwrap_or_else(|| panic!("no finding: {what}"));
        assert!(finding.contains(chinese), "{what}");
        assert!(!stderr.contains(&english), "no English finding: {what}");
        let words = english_words(finding, &["flexledger", "member"]);
        assert!(words.is_empty(), "English {words:?} in {finding}");
        let en = flexledger(dir.path(), &["verify"], None);
        let en_report = &stdout_lines(&en)[0];
        assert_eq!(en_report["message"], report["message"], "{en:?}");
        assert!(
            String::from_utf8_lossy(&en.stderr).contains(&english),
            "{en:?}"
        );
        let audit = crate::audit::audit(dir.path(), &["--lang", "zh-CN", "verify"]);
        let stdout = String::from_utf8_lossy(&audit.stdout);
        assert!(
            stdout.contains(chinese) && !stdout.contains(&english),
            "{audit:?}"
        );
    }
}

/// An event the fold cannot apply (only a damaged log holds one) is named in the
/// reader's language like every other finding, while its English stays the damage
/// report's `message` word for word. Before, a fold's finding was English words only.
#[test]
fn a_fold_s_finding_is_said_in_chinese_and_keeps_its_english_message() {
    use flexledger::domain::state::{FoldError, FoldProblem};
    use flexledger::i18n::Language;
    use flexledger::ledger::LedgerError;
    use flexledger::store::StoreError;
    let member = uuid::Uuid::from_u128(7);
    let problem = FoldProblem::UnknownMember {
        event_type: "ContributionPaid",
        member,
    };
    let error = LedgerError::Fold(FoldError {
        position: 9,
        problem,
    });
    let english = format!("ContributionPaid for unknown member {member}");
    let (position, message) = error.corruption().unwrap();
    assert_eq!((position, message.as_ref()), (9, english.as_str()));
    let Some(StoreError::Corrupt { position, message }) = error.damage() else {
        panic!("a fold's finding is damage")
    };
    assert_eq!(position, 9);
    assert_eq!(message.in_language(Language::En), english);
    assert_eq!(
        message.in_language(Language::ZhCn),
        format!("未知参保人员 {member} 的 `ContributionPaid` 事件")
    );
}

/// A log entry whose bytes do not decode (cut short; an event type code no build
/// wrote) is named in the reader's language like every other finding, and its English
/// stays the report's `message`. They were English words under `--lang zh-CN`.
#[test]
fn an_entry_that_does_not_decode_is_said_in_the_reader_s_language() {
    // After the hash, the format byte, the fixed fields, the version and schema
    // varints (one byte each here) and a member's stream (its tag and id).
    const TYPE_CODE_AT: usize = 32 + 1 + 96 + 1 + 1 + 1 + 16;
    fn cut(value: &mut Vec<u8>) {
        value.truncate(32 + 1 + 50);
    }
    // A `Vec` as `cut`'s: both are an `Edit`.
    #[allow(clippy::ptr_arg)]
    fn unknown_type(value: &mut Vec<u8>) {
        assert_eq!(value[TYPE_CODE_AT], 4, "a payment's type code");
        value[TYPE_CODE_AT] = 200;
    }
    type Edit = fn(&mut Vec<u8>);
    let cases: [(Edit, &str, &str); 2] = [
        (
            cut,
            "the compact log entry is cut short",
            "紧凑格式的日志条目被截短了",
        ),
        (
            unknown_type,
            "event type code 200 is unknown to this build",
            "本版本不认识事件类型代码 200",
        ),
    ];
    for (edit, english, chinese) in cases {
        let dir = demo_store();
        let position = first_payment_position(dir.path());
        edit_log(dir.path(), |entries| {
            let value = entries.get_mut(&position).unwrap();
            assert_eq!(value[32], 2, "a compact entry of format 2");
            edit(value);
        });
        let zh = flexledger(dir.path(), &["--lang", "zh-CN", "verify"], None);
        let what = format!("{zh:?}");
        assert_eq!(zh.status.code(), Some(1), "{what}");
        let report = &stdout_lines(&zh)[0];
        assert_eq!(report["position"], position, "{what}");
        assert_eq!(report["message"], english, "the JSON keeps its English");
        let stderr = String::from_utf8_lossy(&zh.stderr);
        let said = format!("存储的数据在位置 {position} 处已损坏：{chinese}");
        assert!(stderr.contains(&said), "{what}");
        assert!(!stderr.contains(english), "no English finding: {what}");
    }
}

/// Replaces the value of the store's first stored feed row (coverage changes, key
/// prefix `F`) with bytes that are no row, below the ledger.
fn garble_first_feed_row(dir: &Path) {
    let store = SledStore::open(dir).unwrap();
    let (key, _) = store
        .raw_tree()
        .scan_prefix(b"F")
        .next()
        .expect("the demo stores coverage changes")
        .unwrap();
    store.raw_tree().insert(key, &b"not a row"[..]).unwrap();
    store.raw_tree().flush().unwrap();
}

/// `verify` reads every stored feed item: a probe (2026-12-06) damaged one, and both
/// `verify`s said ok while every feed catch-up across it ended with an error.
#[test]
fn verify_reads_every_feed_item() {
    let dir = demo_store();
    garble_first_feed_row(dir.path());
    let (_, message) = verify_failure(dir.path());
    assert!(message.contains("coverage"), "{message}");
    let audit = crate::audit::audit(dir.path(), &["verify"]);
    assert_eq!(audit.status.code(), Some(1), "{audit:?}");
}

/// A feed subscription whose catch-up meets damage marks the store and stops the
/// server, as a request's read does (D61): it had ended the subscriber's stream with
/// an `error` event while `/healthz` said ok and commands were appended.
#[test]
fn a_feed_catch_up_that_meets_damage_marks_the_store_and_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(crate::http::start(dir.path()));
    garble_first_feed_row(&data);
    let mut server = crate::http::start(dir.path());
    let subscribed = crate::http::agent()
        .get(&format!("{}/v1/feed?from=0", server.base))
        .header(
            "authorization",
            &format!("Bearer {}", crate::http::token("subscriber")),
        )
        .call();
    let mut response = subscribed.expect("the feed answers");
    assert_eq!(response.status().as_u16(), 200);
    // The stream ends after its error event (or with the server).
    let said = response.body_mut().read_to_string().unwrap_or_default();
    assert!(said.contains("event: error"), "{said}");
    // Bounded, so that a server that goes on serving fails the test, not hangs it.
    let waited = std::time::Instant::now();
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        if waited.elapsed() > std::time::Duration::from_secs(30) {
            let _ = server.child.kill();
            panic!("the server still serves 30 s after its feed met damage");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(
        exit.code(),
        Some(1),
        "the server stops, saying the store is damaged"
    );
    let mark = flexledger::store::damage_mark::read(&data).unwrap();
    let mark = mark.expect("the store is marked");
    assert_eq!(mark.found_by, "flexledger serve");
}

/// Damage found but not marked (the mark cannot be written) is said as such after the
/// advice, which otherwise says the store is marked: a probe's `verify`, run by a user
/// who could not write the data directory, said "the store is marked" while the next
/// `submit` appended. (A directory where the mark's temporary file goes makes the
/// write fail for any user, root included.)
#[test]
fn damage_found_but_not_marked_is_said_so() {
    let dir = demo_store();
    alter_first_payment(dir.path());
    std::fs::create_dir(dir.path().join("damage-found.partial")).unwrap();
    let found = flexledger(dir.path(), &["verify"], None);
    assert_eq!(found.status.code(), Some(1));
    let said = String::from_utf8_lossy(&found.stderr);
    assert!(
        said.contains("flexledger: not marked after all: the mark could not be written (")
            && said.contains("Start none on it until `flexledger verify` passes"),
        "{said}"
    );
    // Not before it, "the store is marked" (a fault probe read both, one after the other).
    assert!(!said.contains("The store is marked"), "{said}");
    let audit = crate::audit::audit(dir.path(), &["--lang", "zh-CN", "verify"]);
    let said = String::from_utf8_lossy(&audit.stderr);
    assert!(said.contains("flexledger-audit：实际上未能标记"), "{said}");
    assert!(!said.contains("存储会被标记"), "{said}");
}

/// A store that verifies but whose damage mark cannot be removed (here a directory in
/// its place) exits 2 and says why on standard error, beside a report that says the
/// store verifies: a fault probe read `{"ok":true,…}`, exit 2, and only a log line.
#[test]
fn a_mark_that_cannot_be_removed_is_said_so() {
    let dir = demo_store();
    std::fs::create_dir(dir.path().join("damage-found")).unwrap();
    let output = flexledger(dir.path(), &["verify"], None);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("the store verifies, but its damage mark")
            && said.contains("could not be removed"),
        "{said}"
    );
}

/// D89: rows written in another build's state format (here a newer one: this build is
/// the older) are not compared by `verify`, which says their format instead of naming
/// every row damaged; a writer's upgrade rebuilds them in this build's format, and then
/// they are compared again.
#[test]
fn rows_of_another_format_are_not_compared_until_a_writer_rebuilds_them() {
    let dir = demo_store();
    let current = flexledger::ledger::STATE_FORMAT_VERSION;
    let mut store = SledStore::open(dir.path()).unwrap();
    let tree = store.raw_tree();
    let mut checkpoint = tree.get(b"K").unwrap().unwrap().to_vec();
    checkpoint[8..12].copy_from_slice(&(current + 1).to_be_bytes());
    tree.insert(b"K", checkpoint).unwrap();
    let report = verify(&store, &mut |_| {}).unwrap();
    assert_eq!(report.state_rows_format, Some(current + 1));
    let other = flexledger::ledger::state_rows_of_another_format(&store).unwrap();
    assert_eq!(other, Some(current + 1));
    let upgraded = flexledger::ledger::upgrade_stale_state_rows(&mut store).unwrap();
    assert!(upgraded, "a newer format is rebuilt too");
    let report = verify(&store, &mut |_| {}).unwrap();
    assert_eq!(report.state_rows_format, None, "compared");
    assert_eq!(
        flexledger::ledger::state_rows_of_another_format(&store).unwrap(),
        None
    );
    // A format no build writes in a row of 12 bytes (0, or 1, which is the 8-byte
    // row's) is damage, not rows to leave uncompared.
    for impossible in [0u32, 1] {
        let mut checkpoint = store.raw_tree().get(b"K").unwrap().unwrap().to_vec();
        checkpoint[8..12].copy_from_slice(&impossible.to_be_bytes());
        store.raw_tree().insert(b"K", checkpoint).unwrap();
        let error = verify(&store, &mut |_| {}).unwrap_err();
        let said = error.to_string();
        assert!(
            said.contains(&format!("names state format {impossible}")),
            "{said}"
        );
    }
}

/// D89: a read-only server on a data directory whose rows another build wrote does not
/// start: it holds the directory alone, so no writer could rebuild them while it runs,
/// and it would answer every member and region read 503 until a restart (a reviewer).
#[test]
fn a_read_only_server_on_a_directory_of_another_format_says_to_rebuild_first() {
    let dir = demo_store();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let tree = store.raw_tree();
        let mut checkpoint = tree.get(b"K").unwrap().unwrap().to_vec();
        let other = flexledger::ledger::STATE_FORMAT_VERSION + 1;
        checkpoint[8..12].copy_from_slice(&other.to_be_bytes());
        tree.insert(b"K", checkpoint).unwrap();
        tree.flush().unwrap();
    }
    let auth = crate::http::auth_file(dir.path());
    let auth = auth.to_str().unwrap();
    let args = [
        "serve",
        "--read-only",
        "--listen",
        "127.0.0.1:0",
        "--auth",
        auth,
    ];
    let output = flexledger(dir.path(), &args, None);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.contains("flexledger rebuild"), "{said}");
    let rebuilt = flexledger(dir.path(), &["rebuild"], None);
    assert_eq!(rebuilt.status.code(), Some(0), "{rebuilt:?}");
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(
        flexledger::ledger::state_rows_of_another_format(&store).unwrap(),
        None
    );
}

/// The reading commands answer from a store marked as found damaged (D61), and say on
/// standard error that they do, in the reader's language: an auditor's probe read a
/// member's coverage from a log found rewritten, untold.
#[test]
fn reads_from_a_marked_store_say_so() {
    let dir = demo_store();
    let found = serde_json::json!({
        "found_at": "2026-12-07T10:00:00Z",
        "found_by": "flexledger verify",
        "message": "stored data is damaged at position 5",
    });
    std::fs::write(dir.path().join("damage-found"), found.to_string() + "\n").unwrap();
    let member = MEMBER;
    for args in [&["member", member][..], &["events", "--from", "2"][..]] {
        let output = flexledger(dir.path(), args, None);
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {said}");
        assert!(
            said.contains("flexledger verify found this store damaged at 2026-12-07T10:00:00Z"),
            "{args:?}: {said}"
        );
    }
    let replay = ["--lang", "zh-CN", "replay", "--member", member];
    let output = crate::audit::audit(dir.path(), &replay);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{said}");
    assert!(said.contains("发现该存储已损坏"), "{said}");
    std::fs::remove_file(dir.path().join("damage-found")).unwrap();
    let output = flexledger(dir.path(), &["member", member], None);
    assert!(output.stderr.is_empty(), "{output:?}");
}

/// A read-only server on a store marked as found damaged (D61) answers reads, and its
/// `/healthz` says `store_damaged` from the start, as after damage one of its own
/// reads met: a newcomer's probe saw it answer ok, which a load balancer would read as
/// a healthy replica. A log marked as rewritten after it was signed gets no backup
/// signed either (a reviewer: `GET /v1/backup` signed one).
#[test]
fn a_read_only_server_on_a_marked_store_is_not_healthy() {
    let dir = demo_store();
    // Left by a verify with kept checkpoints: the log was found rewritten after it was
    // signed, so the server signs no backup of it either.
    let found = serde_json::json!({
        "found_at": "2026-12-07T10:00:00Z",
        "found_by": "flexledger-audit verify --kept FILE",
        "position": 12,
        "message": "the signed checkpoint at size 12 commits to another root",
        "kept_checkpoints": true,
        "kept_size": 12,
    });
    std::fs::write(dir.path().join("damage-found"), found.to_string() + "\n").unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger"));
    command
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--read-only", "--listen", "127.0.0.1:0", "--auth"])
        .arg(crate::http::auth_file(dir.path()));
    let server = crate::http::Server::spawn(&mut command);
    let (status, health) = crate::http::call(&server, "GET", "/healthz", None, None, &[]);
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["error"]["code"], "store_damaged", "{health}");
    let auditor = Some(crate::http::token("auditor"));
    let (status, region) =
        crate::http::call(&server, "GET", "/v1/regions/demo", auditor, None, &[]);
    assert_eq!(status, 200, "reads go on: {region}");
    let (status, backup) = crate::http::call(&server, "GET", "/v1/backup", auditor, None, &[]);
    assert_eq!(status, 503, "{backup}");
    assert_eq!(backup["error"]["code"], "store_damaged", "{backup}");
    let message = backup["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("nothing is signed from this ledger"),
        "{message}"
    );
}
