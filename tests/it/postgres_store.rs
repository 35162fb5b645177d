//! What the PostgreSQL engine promises beyond the store's contract (which
//! `conformance.rs` checks for it like for sled): one writer per store, the schema
//! version checked on open, `migrate` idempotent, failures that name the server
//! without its password, reads on blocking threads of a runtime, a bounded reader
//! pool, appends of an import's size, and the stored bytes: log entries and state
//! keys are exactly sled's.

use crate::conformance::{postgres_database, Commands};
use flexledger::store::postgres::{migrate, PG_READER_CONNECTIONS_MAX, PG_SCHEMA_VERSION};
use flexledger::store::{
    EventLog, LogWriter, PgStore, StateKey, StateRows, StateWrite, StoreError,
};
use std::path::Path;

/// A fresh, migrated database's URL, or `None` where PostgreSQL is not installed.
fn database(dir: &Path) -> Option<String> {
    crate::support::postgres::cluster()?;
    Some(postgres_database(dir))
}

fn sql(url: &str, statement: &str) {
    let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
    client.batch_execute(statement).unwrap();
}

#[test]
fn a_second_writer_is_refused_until_the_first_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let first = PgStore::open(&url).unwrap();
    match PgStore::open(&url) {
        Err(error @ StoreError::WriterLocked { .. }) => {
            let message = error.to_string();
            assert!(message.contains("another flexledger writer"), "{message}");
            assert!(
                message.contains(&first.redacted_url().to_string()),
                "{message}"
            );
        }
        other => panic!(
            "expected the writer lock refused, got {:?}",
            other.map(|_| ())
        ),
    }
    assert!(
        matches!(migrate(&url), Err(StoreError::WriterLocked { .. })),
        "migrate waits for no writer: it refuses"
    );
    // A reader needs no lock.
    let reader = PgStore::open_read_only(&url).unwrap();
    assert_eq!(reader.head().unwrap().0, 0);
    drop(first);
    PgStore::open(&url).expect("the lock went with the first writer");
}

#[test]
fn an_unmigrated_database_is_refused_with_the_migrate_hint() {
    let Some(cluster) = crate::support::postgres::cluster() else {
        return;
    };
    let url = cluster.fresh_database();
    for opened in [
        PgStore::open(&url).map(|_| ()),
        PgStore::open_read_only(&url).map(|_| ()),
    ] {
        match opened {
            Err(error @ StoreError::NotMigrated { found: 0, .. }) => {
                let message = error.to_string();
                // Quoted: pasted into a shell, the URL's `&` must not end the command.
                let quoted = format!("run `flexledger migrate --store '{url}'`");
                assert!(message.contains(&quoted), "{message}");
            }
            other => panic!("expected an unmigrated store, got {other:?}"),
        }
    }
    assert_eq!(migrate(&url).unwrap(), PG_SCHEMA_VERSION);
    assert_eq!(migrate(&url).unwrap(), PG_SCHEMA_VERSION, "idempotent");
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let applied: i64 = client
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(applied, i64::from(PG_SCHEMA_VERSION));
    PgStore::open(&url).unwrap();
}

/// A store migrated by the build before schema version 2 (`state_rows` with pages
/// filled whole) is refused until `migrate`, which leaves room on its pages for
/// updated rows and keeps every row.
#[test]
fn a_store_of_schema_version_1_is_refused_until_migrated_to_room_for_updates() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let key = StateKey::Member(uuid::Uuid::from_u128(7));
    let mut store = PgStore::open(&url).unwrap();
    store
        .replace_state(
            &mut [StateWrite {
                key: key.clone(),
                value: Some(b"a member".to_vec()),
            }]
            .into_iter(),
            &mut |_| {},
        )
        .unwrap();
    drop(store);
    // As the build before left it.
    sql(
        &url,
        "ALTER TABLE state_rows RESET (fillfactor); DELETE FROM schema_migrations WHERE version = 2",
    );
    match PgStore::open(&url) {
        Err(error @ StoreError::NotMigrated { found: 1, .. }) => {
            let message = error.to_string();
            assert!(message.contains("flexledger migrate --store"), "{message}");
        }
        other => panic!("expected a store to migrate, got {:?}", other.map(|_| ())),
    }
    assert_eq!(migrate(&url).unwrap(), 2);
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let options: Vec<String> = client
        .query_one(
            "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE relname = 'state_rows'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(options, ["fillfactor=70"]);
    let store = PgStore::open(&url).unwrap();
    assert_eq!(
        store.read_state(&key).unwrap().as_deref(),
        Some(&b"a member"[..])
    );
}

#[test]
fn a_schema_newer_than_the_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let newer = PG_SCHEMA_VERSION + 1;
    sql(
        &url,
        &format!(
            "INSERT INTO schema_migrations (version, name) VALUES ({newer}, 'from_the_future')"
        ),
    );
    for opened in [
        PgStore::open(&url).map(|_| ()),
        PgStore::open_read_only(&url).map(|_| ()),
        migrate(&url).map(|_| ()),
    ] {
        match opened {
            Err(error @ StoreError::SchemaTooNew { .. }) => {
                let message = error.to_string();
                assert!(
                    message.contains(&format!("schema version {newer}"))
                        && message.contains(&format!("version {PG_SCHEMA_VERSION}")),
                    "{message}"
                );
            }
            other => panic!("expected a newer schema refused, got {other:?}"),
        }
    }
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    let missing = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://ledger:hunter2@localhost/flexledger?host={}",
        missing.path().display()
    );
    match PgStore::open(&url) {
        Err(error @ StoreError::Unavailable { .. }) => {
            let message = error.to_string();
            assert!(!message.contains("hunter2"), "{message}");
            assert!(message.contains("ledger:***@"), "{message}");
            assert!(message.contains("is the server running"), "{message}");
        }
        other => panic!(
            "expected an unreachable server, got {:?}",
            other.map(|_| ())
        ),
    }
    let Some(cluster) = crate::support::postgres::cluster() else {
        return;
    };
    match migrate(&cluster.url("no_such_database")) {
        Err(error @ StoreError::Unavailable { .. }) => {
            let message = error.to_string();
            assert!(message.contains("does not exist"), "{message}");
            assert!(message.contains("createdb 'no_such_database'"), "{message}");
            let quoted = format!("--store '{}'", cluster.url("no_such_database"));
            assert!(message.contains(&quoted), "{message}");
        }
        other => panic!("expected a missing database, got {other:?}"),
    }
}

#[test]
fn readers_run_on_blocking_threads_and_drop_inside_a_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    runtime.block_on(async move {
        let opening = url.clone();
        let store = tokio::task::spawn_blocking(move || PgStore::open(&opening))
            .await
            .unwrap()
            .unwrap();
        let reader = store.reader();
        let reads: Vec<_> = (0..PG_READER_CONNECTIONS_MAX * 2)
            .map(|_| {
                let reader = reader.clone();
                tokio::task::spawn_blocking(move || reader.head())
            })
            .collect();
        for read in reads {
            assert_eq!(read.await.unwrap().unwrap().0, 0);
        }
        // The last handles go away on a runtime's worker thread: no panic, and the
        // writer lock is released at once.
        drop(reader);
        drop(store);
        let again = tokio::task::spawn_blocking(move || PgStore::open(&url).map(drop));
        again.await.unwrap().unwrap();
    });
}

#[test]
fn the_reader_pool_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let store = PgStore::open(&url).unwrap();
    let reader = store.reader();
    std::thread::scope(|scope| {
        for _ in 0..PG_READER_CONNECTIONS_MAX * 3 {
            scope.spawn(|| {
                for _ in 0..5 {
                    assert_eq!(reader.head().unwrap().0, 0);
                }
            });
        }
    });
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let backends: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    let bound = i64::try_from(PG_READER_CONNECTIONS_MAX).unwrap() + 1;
    assert!(
        (2..=bound).contains(&backends),
        "{backends} backends: the writer and at most {PG_READER_CONNECTIONS_MAX} readers"
    );
}

#[test]
fn an_import_sized_append_is_one_transaction_read_back_in_pages() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let mut store = PgStore::open(&url).unwrap();
    let mut commands = Commands::new();
    // More events than a page of the stream index holds (4,096).
    let count: u128 = 5_000;
    let mut batch: Vec<_> = (1..=count)
        .map(|id| commands.command(id, &[id % 700]))
        .collect();
    store.append(&mut batch, &[]).unwrap();
    let head = u64::try_from(count).unwrap();
    assert_eq!(store.head().unwrap().0, head);
    let mut read = 0;
    for envelope in store.read_log(1) {
        read += 1;
        assert_eq!(envelope.unwrap().position, read);
    }
    assert_eq!(read, head, "every page of the log, each entry checked");
    // The stream index read whole, across its pages.
    crate::support::assert_stream_index_is_the_logs(&store);
    drop(store);
    PgStore::open(&url).expect("the head row records the append");
}

#[test]
fn log_entries_and_state_keys_are_the_bytes_sled_stores() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let sled_dir = tempfile::tempdir().unwrap();
    let mut postgres = PgStore::open(&url).unwrap();
    let mut sled = flexledger::store::SledStore::open(sled_dir.path()).unwrap();
    let region = flexledger::domain::policy::RegionName::parse("north").unwrap();
    let member = uuid::Uuid::from_u128(0x7000_0000_0000_4000_8000_0000_0000_0001);
    let rows = [
        (StateKey::Member(member), b"member".to_vec()),
        (StateKey::Enrolled(region.clone(), member), Vec::new()),
        (StateKey::Region(region), b"region".to_vec()),
    ]
    .map(|(key, value)| StateWrite {
        key,
        value: Some(value),
    });
    for store in [&mut postgres as &mut dyn LogWriter, &mut sled] {
        let mut commands = Commands::new();
        let mut batch = vec![commands.command(1, &[1, 2]), commands.command(2, &[1])];
        store.append(&mut batch, &rows).unwrap();
    }
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    for position in 1..=3u64 {
        let entry: Vec<u8> = client
            .query_one(
                "SELECT entry FROM log_entries WHERE position = $1",
                &[&i64::try_from(position).unwrap()],
            )
            .unwrap()
            .get(0);
        let stored = sled.reader().raw_log_entry(position).unwrap().unwrap();
        assert_eq!(entry, stored, "position {position}");
    }
    let keys: Vec<Vec<u8>> = client
        .query("SELECT key FROM state_rows ORDER BY key", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let sled_keys: Vec<Vec<u8>> = sled
        .raw_tree()
        .iter()
        .keys()
        .map(|key| key.unwrap().to_vec())
        .filter(|key| matches!(key[0], b'M' | b'E' | b'R'))
        .collect();
    assert_eq!(keys, sled_keys);
}

/// An idle writer can tell that it lost its lock (its session ended with a server
/// restart, or was terminated): what a periodic check asks before the next append
/// would fail.
#[test]
fn a_writer_knows_when_its_session_and_lock_are_gone() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let mut writer = PgStore::open(&url).unwrap();
    writer.check_writer_lock().unwrap();
    sql(
        &url,
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' \
         AND pid <> pg_backend_pid() \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    let lost = writer
        .check_writer_lock()
        .err()
        .map(|error| error.to_string());
    let lost = lost.expect("the check fails once the session is gone");
    assert!(lost.contains("cannot use the store"), "{lost}");
}

/// `verify` beside a writer that keeps appending finds a healthy store healthy: its
/// walk reads one snapshot of the database (`PgStore::open_snapshot`). Read page by
/// page at different moments, the command records and state rows of commands appended
/// during the walk did not match the log walked, and a probe of the PostgreSQL engine
/// saw `verify` call a healthy store damaged in 3 runs of 3.
#[test]
fn verify_beside_a_writer_that_keeps_appending_finds_the_store_intact() {
    use flexledger::domain::parse_command_value;
    use flexledger::ledger::Ledger;
    use flexledger::store::{AnyReader, AnyStore};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(dir.path()) else {
        return;
    };
    let enroll = |index: u64| {
        let member =
            uuid::Uuid::from_u128(0x7100_0000_0000_4000_8000_0000_0000_0000 + u128::from(index));
        serde_json::json!({"command": "enroll", "member_id": member, "region": "live", "month": "2025-01", "base_ratio": "0.60", "labor_relationship": "none"})
    };
    let policy = serde_json::json!({"command": "publish_policy", "region": "live", "effective_from": "2025-01", "average_monthly_wage": "10000.00", "contribution_rate": "0.10", "base_ratio_min": "0.60", "base_ratio_max": "3.00", "grace_months": 3, "benefit_delay_first": 6, "benefit_delay_reenroll": 1, "backpay_restores": "retroactive", "benefit_tiers": [{"min_continuous_months": 0, "tier": "basic"}]});
    let mut commands = vec![policy];
    commands.extend((0..2_000).map(enroll));
    let mut ledger = Ledger::with_store(AnyStore::Postgres(PgStore::open(&url).unwrap())).unwrap();
    let mut sources = crate::support::FixedSources::new();
    let parsed = commands.into_iter().map(parse_command_value).collect();
    ledger.submit(parsed, &mut sources).unwrap();
    let stop = AtomicBool::new(false);
    let appended = AtomicU64::new(0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // One command per append, as fast as the server commits them.
            let mut index = 2_000;
            while !stop.load(Ordering::SeqCst) {
                let command = vec![parse_command_value(enroll(index))];
                ledger.submit(command, &mut sources).unwrap();
                appended.fetch_add(1, Ordering::SeqCst);
                index += 1;
            }
        });
        for walk in 0..8 {
            let before = appended.load(Ordering::SeqCst);
            let reader = AnyReader::Postgres(PgStore::open_snapshot(&url).unwrap());
            let verified = flexledger::ledger::verify(&reader, &mut |_| {});
            let during = appended.load(Ordering::SeqCst) - before;
            assert!(
                verified.is_ok(),
                "walk {walk}, {during} commands appended during it: {verified:?}"
            );
        }
        stop.store(true, Ordering::SeqCst);
    });
    assert!(
        appended.load(Ordering::SeqCst) > 0,
        "the writer appended while verify walked"
    );
}
