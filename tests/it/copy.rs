//! `flexledger copy`: a ledger moved to another store is the same ledger — every event
//! at its position with its hashes, every command record with its body digest, every
//! feed item, every signed checkpoint, every member's coverage — and a copy that
//! stopped resumes, while a destination holding another ledger is refused untouched.

use crate::support::*;
use flexledger::ledger::member_coverage;
use flexledger::store::{FeedRows, ReadStore, SledStore};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn copy(from: &Path, to: &Path) -> Output {
    flexledger(
        from,
        &[
            "copy",
            "--from",
            from.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ],
        None,
    )
}

fn checkpoint(dir: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .env_remove("FLEXLEDGER_STORE")
        .arg("--data-dir")
        .arg(dir)
        .args(["--json", "checkpoint"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn report(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Every feed item of a store, in order, paged as the feed pages them.
fn feed_items(store: &impl FeedRows) -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    let (mut position, mut after) = (1, None);
    loop {
        let page = store
            .coverage_changes_page(position, after, 0, 100)
            .unwrap();
        let Some(last) = page.last() else {
            return items;
        };
        let last = flexledger::codec::rows::decode_coverage_item(last).unwrap();
        (position, after) = (last.position, Some(last.member_id));
        items.extend(page);
    }
}

/// What must be equal on both ends, read through the store's traits.
pub(crate) fn contents(store: &impl ReadStore) -> Value {
    let mut commands = store.command_ids().unwrap();
    commands.sort();
    let spans: Vec<String> = commands
        .iter()
        .map(|id| format!("{id} {:?}", store.command_span(*id).unwrap()))
        .collect();
    let mut members = store.member_row_ids().unwrap();
    members.sort();
    let coverage: Vec<Value> = members
        .iter()
        .map(|member| {
            let coverage = member_coverage(store, *member, None).unwrap().unwrap();
            serde_json::to_value(flexledger::codec::wire::MemberCoverage::from(&coverage)).unwrap()
        })
        .collect();
    let log: Vec<Value> = store
        .read_log(1)
        .map(|envelope| serde_json::to_value(envelope.unwrap()).unwrap())
        .collect();
    serde_json::json!({
        "head": format!("{:?}", store.head().unwrap()),
        "log": log,
        "commands": spans,
        "coverage": coverage,
        "feed": feed_items(store).iter().map(|item| hex(item)).collect::<Vec<_>>(),
        "checkpoints": format!("{:?}", store.audit_checkpoints().unwrap()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) fn contents_of(dir: &Path) -> Value {
    contents(&SledStore::open_read_only(dir).unwrap())
}

#[test]
fn a_copy_keeps_every_event_command_feed_item_and_checkpoint() {
    // The layouts before the compact log entry (v2) and the compact one (v3): a copy
    // writes today's layout and still holds the same hashes.
    for golden in ["v2-store", "v3-store", "v4-store"] {
        let root = tempfile::tempdir().unwrap();
        let source = untar_golden(golden, root.path());
        checkpoint(&source);
        let destination = root.path().join("copy");
        let copied = report(&copy(&source, &destination));
        let expected = contents_of(&source);
        assert!(copied["events"].as_u64().unwrap() > 0);
        assert_eq!(copied["resumed_after"], 0);
        assert_eq!(copied["checkpoints"], 1, "{golden}");
        assert!(
            copied["feed_items"].as_u64().unwrap() > 0,
            "{golden}: {copied}"
        );
        let actual = contents_of(&destination);
        assert_eq!(actual["log"], expected["log"], "{golden}: the log differs");
        assert_eq!(actual, expected, "{golden}");
        let verified =
            [&source, &destination].map(|dir| report(&flexledger(dir, &["verify"], None)));
        assert_eq!(verified[0], verified[1], "{golden}");
        assert_eq!(verified[1]["head_hash"], copied["head_hash"]);
    }
}

fn demo_lines() -> Vec<String> {
    std::fs::read_to_string(repo_path("examples/demo.jsonl"))
        .unwrap()
        .lines()
        .map(|line| format!("{line}\n"))
        .collect()
}

fn submit(dir: &Path, lines: &[String]) {
    let output = flexledger(dir, &["submit", "-"], Some(lines.concat().as_bytes()));
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_interrupted_copy_resumes_and_another_ledger_is_never_overwritten() {
    let root = tempfile::tempdir().unwrap();
    let (source, destination) = (root.path().join("source"), root.path().join("copy"));
    let lines = demo_lines();
    let (first, rest) = lines.split_at(lines.len() * 2 / 3);
    submit(&source, first);
    let head = report(&copy(&source, &destination))["events"]
        .as_u64()
        .unwrap();
    submit(&source, rest);
    let resumed = report(&copy(&source, &destination));
    assert_eq!(resumed["resumed_after"], head);
    assert!(resumed["events"].as_u64().unwrap() > head);
    assert_eq!(contents_of(&destination), contents_of(&source));

    // The same commands submitted again make another ledger (other event ids and
    // times), of the same length: not the source of the copy.
    let other = root.path().join("other");
    submit(&other, &lines);
    let before = contents_of(&destination);
    let refused = copy(&other, &destination);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("already holds a different ledger"),
        "{stderr}"
    );
    assert_eq!(
        contents_of(&destination),
        before,
        "a refused copy changed the destination"
    );

    let onto_itself = copy(&source, &source);
    assert_eq!(onto_itself.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&onto_itself.stderr).contains("name the same store"));
}
