//! Faults end in a clear message, never a brick or a panic: a store whose engine lost
//! events never looks healthy (the head witness), a truncated engine file is damage in
//! every command, an unfinished snapshot does not brick the store, and a held lock is
//! told apart from other failures.

use crate::support::*;
use flexledger::store::sled_store::{
    read_head_witness, write_head_witness, HeadWitness, HEAD_WITNESS_FILE,
};
use flexledger::store::{EventStore, Sha256, SledStore, StoreError};
use serde_json::json;
use std::path::Path;
use std::process::Output;
use uuid::Uuid;

const MEMBERS: usize = 150;
/// A policy, then an enrollment and a payment per member.
const EVENTS: u64 = 1 + 2 * MEMBERS as u64;

fn member_id(index: usize) -> Uuid {
    Uuid::from_u128(0x6000_0000_0000_4000_8000_0000_0000_0000 + index as u128)
}

fn import() -> String {
    import_members(MEMBERS)
}

fn import_members(members: usize) -> String {
    let mut lines = vec![json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00",
        "contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,
        "benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive",
        "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
    .to_string()];
    for index in 0..members {
        let member = member_id(index);
        lines.push(json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}).to_string());
        lines.push(json!({"command":"pay","member_id":member,"months":["2025-01"],"amount":"600.00","paid_on":"2025-01-15"}).to_string());
    }
    lines.join("\n") + "\n"
}

/// A store of `EVENTS` events written by the real binary; `reopened` also opens it
/// once more (sled then writes a snapshot of its page table).
fn store(reopened: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let output = flexledger(dir.path(), &["submit", "-"], Some(import().as_bytes()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    if reopened {
        assert_verifies(dir.path());
    }
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_verifies(dir: &Path) {
    let output = flexledger(dir, &["verify"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = &stdout_lines(&output)[0];
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["events"], EVENTS, "{report}");
}

/// Every command on `dir` fails with exit 1 and a message naming damage: never a panic
/// (101), never an empty, healthy-looking ledger.
fn assert_every_command_reports_damage(dir: &Path, case: &str) {
    let member = member_id(0).to_string();
    let pay = json!({"command":"pay","member_id":member_id(1),"months":["2025-02"],"amount":"600.00","paid_on":"2025-02-15"}).to_string() + "\n";
    for (args, stdin) in [
        (vec!["verify"], None),
        (vec!["member", member.as_str()], None),
        (vec!["events"], None),
        (vec!["submit", "-"], Some(pay.as_bytes())),
    ] {
        let output = flexledger(dir, &args, stdin);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{case} {args:?}: stdout {stdout} stderr {stderr}"
        );
        assert!(stderr.contains("damaged"), "{case} {args:?}: {stderr}");
        assert!(stderr.contains("backup"), "{case} {args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{case} {args:?}: {stderr}");
        assert!(!stdout.contains("\"ok\":true"), "{case} {args:?}: {stdout}");
    }
}

#[test]
fn a_truncated_engine_file_is_damage_in_every_command() {
    for reopened in [false, true] {
        for divisor in [2, 10] {
            let dir = store(reopened);
            let db = dir.path().join("sled").join("db");
            let length = std::fs::metadata(&db).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&db)
                .unwrap()
                .set_len(length / divisor)
                .unwrap();
            assert_every_command_reports_damage(
                dir.path(),
                &format!("reopened {reopened}, cut to 1/{divisor}"),
            );
        }
    }
}

#[test]
fn an_unfinished_snapshot_does_not_brick_the_store() {
    // A 0-byte `.generating` file is what a snapshot write that met a full disk leaves.
    for name in [
        "snap.0000000000000001.generating",
        // Sorted after every real snapshot: sled 0.34.7 would read it and refuse to open.
        "snap.FFFFFFFFFFFFFFFF.generating",
    ] {
        let dir = store(true);
        let sled = dir.path().join("sled");
        std::fs::File::create(sled.join(name)).unwrap();
        assert_verifies(dir.path());
        assert_verifies(dir.path());
        assert!(!sled.join(name).exists(), "{name} was removed or set aside");
    }
}

#[test]
fn a_store_without_a_head_witness_gets_one() {
    let dir = store(false);
    let witness = read_head_witness(dir.path())
        .unwrap()
        .expect("written by appends");
    assert_eq!(witness.position, EVENTS);
    std::fs::remove_file(dir.path().join(HEAD_WITNESS_FILE)).unwrap();
    assert_verifies(dir.path());
    assert_eq!(read_head_witness(dir.path()).unwrap(), Some(witness));
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.head().unwrap(), (witness.position, witness.hash));
}

#[test]
fn a_head_witness_ahead_of_the_engine_is_damage() {
    let dir = store(false);
    let witness = read_head_witness(dir.path()).unwrap().unwrap();
    write_head_witness(
        dir.path(),
        HeadWitness {
            position: EVENTS + 1000,
            hash: Sha256::ZERO,
        },
    )
    .unwrap();
    assert_every_command_reports_damage(dir.path(), "witness ahead");
    let output = flexledger(dir.path(), &["verify"], None);
    let message = stderr(&output);
    assert!(
        message.contains(&format!("ends at position {EVENTS}"))
            && message.contains(&(EVENTS + 1000).to_string()),
        "names both positions: {message}"
    );
    match SledStore::open(dir.path()) {
        Err(StoreError::Corrupt { position, .. }) => assert_eq!(position, EVENTS + 1),
        other => panic!("expected damage, got {:?}", other.map(|_| ())),
    }
    // Same position, another hash: the log was rewritten.
    write_head_witness(
        dir.path(),
        HeadWitness {
            position: witness.position,
            hash: Sha256::of(b"another event"),
        },
    )
    .unwrap();
    assert_every_command_reports_damage(dir.path(), "witness hash differs");
    // The true witness opens again.
    write_head_witness(dir.path(), witness).unwrap();
    assert_verifies(dir.path());
}

#[test]
fn a_held_lock_is_reported_as_another_process() {
    let dir = store(false);
    let held = SledStore::open(dir.path()).unwrap();
    let output = flexledger(dir.path(), &["verify"], None);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("in use by another flexledger process"),
        "{message}"
    );
    assert!(!message.contains("damaged"), "{message}");
    match SledStore::open(dir.path()) {
        Err(StoreError::Locked { .. }) => {}
        other => panic!("expected Locked, got {:?}", other.map(|_| ())),
    }
    drop(held);
    assert_verifies(dir.path());
}

#[cfg(unix)]
#[test]
fn an_unwritable_engine_file_is_reported_as_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = store(false);
    let db = dir.path().join("sled").join("db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o400)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&db).is_ok() {
        // Running as root: permissions are not enforced, nothing to observe.
        return;
    }
    let output = flexledger(dir.path(), &["verify"], None);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("permission denied"), "{message}");
    assert!(!message.contains("another flexledger process"), "{message}");
}

#[test]
fn a_torn_witness_slot_falls_back_to_the_other() {
    let dir = store(false);
    let path = dir.path().join(HEAD_WITNESS_FILE);
    // Open once more and append: the witness is then updated in place, slot by slot.
    let pay = json!({"command":"enroll","member_id":member_id(MEMBERS),"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}).to_string() + "\n";
    let output = flexledger(dir.path(), &["submit", "-"], Some(pay.as_bytes()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        read_head_witness(dir.path()).unwrap().unwrap().position,
        EVENTS + 1
    );
    let original = std::fs::read(&path).unwrap();
    for torn in [0..64, 512..576] {
        let mut bytes = original.clone();
        bytes[torn.clone()].fill(0xA5);
        std::fs::write(&path, &bytes).unwrap();
        let output = flexledger(dir.path(), &["verify"], None);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{torn:?}: {}",
            stderr(&output)
        );
    }
    let mut bytes = original.clone();
    bytes[0..64].fill(0xA5);
    bytes[512..576].fill(0xA5);
    std::fs::write(&path, &bytes).unwrap();
    let output = flexledger(dir.path(), &["verify"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("head witness"),
        "{}",
        stderr(&output)
    );
}

/// Garbage written over the engine's files anywhere: every outcome is either the full,
/// verified ledger or exit 1 naming damage; never a panic, never a shorter ledger.
#[test]
fn garbage_in_the_engine_files_is_damage_or_harmless() {
    let clean = store(false);
    let sled = clean.path().join("sled");
    let db_length = std::fs::metadata(sled.join("db")).unwrap().len();
    let mut cases: Vec<(&str, u64)> = (1..16).map(|i| ("db", db_length * i / 16)).collect();
    cases.push(("conf", 17));
    for (file, offset) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sled")).unwrap();
        for entry in std::fs::read_dir(clean.path()).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
            }
        }
        for entry in std::fs::read_dir(&sled).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(
                    entry.path(),
                    dir.path().join("sled").join(entry.file_name()),
                )
                .unwrap();
            }
        }
        {
            use std::io::{Seek, SeekFrom, Write};
            let mut damaged = std::fs::OpenOptions::new()
                .write(true)
                .open(dir.path().join("sled").join(file))
                .unwrap();
            damaged.seek(SeekFrom::Start(offset)).unwrap();
            damaged.write_all(&[0xA5; 64]).unwrap();
        }
        let output = flexledger(dir.path(), &["verify"], None);
        let message = stderr(&output);
        match output.status.code() {
            Some(0) => assert_eq!(
                stdout_lines(&output)[0]["events"],
                EVENTS,
                "{file}@{offset}"
            ),
            Some(1) => assert!(message.contains("damaged"), "{file}@{offset}: {message}"),
            other => panic!("{file}@{offset}: exit {other:?}: {message}"),
        }
    }
}

/// A 2,000-member store with garbage in the middle of sled's data file: sled 0.34.7
/// panics while it recovers ("tried to serialize Uninitialized"); the store turns the
/// panic into a damage error (exit 1), never exit 101.
#[test]
fn a_panic_in_the_engine_is_reported_as_damage() {
    let dir = tempfile::tempdir().unwrap();
    // From a file: the binary's output for 4,001 commands would fill a pipe.
    let import = dir.path().join("import.jsonl");
    std::fs::write(&import, import_members(2000)).unwrap();
    let output = flexledger(dir.path(), &["submit", import.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut damaged = std::fs::OpenOptions::new()
            .write(true)
            .open(dir.path().join("sled").join("db"))
            .unwrap();
        damaged.seek(SeekFrom::Start(10_942_350)).unwrap();
        damaged.write_all(&[0xA5; 64]).unwrap();
    }
    let output = flexledger(dir.path(), &["verify"], None);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("damaged"), "{message}");
    assert!(message.contains("backup"), "{message}");
}
