//! The benchmarks run: `flexledger-bench` at a toy size, every mode, so a change to the
//! stored layout or the library cannot leave a benchmark that no longer runs (its
//! numbers are not checked: the machine is shared and noisy; `tools/` scripts report
//! them).

use std::process::{Command, Output};

fn bench(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_flexledger-bench"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "flexledger-bench {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A workload small enough for a test: every measurement runs, none means anything.
const TOY_SIZE: &[&str] = &[
    "--members",
    "30",
    "--months",
    "2",
    "--appenders",
    "4",
    "--appender-commands",
    "3",
    "--samples",
    "5",
    "--granted-percent",
    "20",
];

#[test]
fn every_benchmark_mode_runs_at_a_toy_size() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let dir_text = runs.to_str().unwrap();
    let report = bench(&[TOY_SIZE, &["--dir", dir_text]].concat());
    let report = String::from_utf8_lossy(&report.stdout);
    for row in [
        "(a) bulk submit",
        "(b) 4 concurrent appenders",
        "(d) full rebuild",
        "(e) bytes on disk",
    ] {
        assert!(
            report.contains(row),
            "the report has its {row} row:\n{report}"
        );
    }

    let commands = dir.path().join("region.jsonl");
    bench(&[
        "--members",
        "30",
        "--months",
        "2",
        "--granted-percent",
        "40",
        "--emit",
        commands.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&commands).unwrap();
    let granted = text.matches("\"command\":\"grant_subsidy\"").count();
    assert!(
        (8..=16).contains(&granted),
        "{granted} of 30 granted at 40%"
    );
    let store = dir.path().join("store");
    let submitted =
        crate::support::flexledger(&store, &["submit", commands.to_str().unwrap()], None);
    assert!(submitted.status.success());
    let results = String::from_utf8_lossy(&submitted.stdout);
    assert!(
        results.lines().all(|line| line.contains("\"ok\":true")),
        "every emitted command is accepted: {results}"
    );
    let accrued = crate::support::flexledger(&store, &["events"], None);
    assert!(
        String::from_utf8_lossy(&accrued.stdout).contains("SubsidyGranted"),
        "the grants are recorded"
    );
    let census = bench(&["--census", store.to_str().unwrap()]);
    assert!(
        !census.stdout.is_empty(),
        "the census counts the store's keys"
    );

    let events = crate::support::flexledger(&store, &["events"], None);
    let lines = dir.path().join("events.jsonl");
    std::fs::write(&lines, &events.stdout).unwrap();
    for keys in ["0", "1", "2"] {
        let loaded = bench(&[
            "--raw-load",
            lines.to_str().unwrap(),
            "--raw-keys",
            keys,
            "--dir",
            &dir.path().join(format!("raw-{keys}")).to_string_lossy(),
        ]);
        let line: serde_json::Value = serde_json::from_slice(&loaded.stdout).unwrap();
        assert!(line.is_object(), "one JSON line: {line}");
    }
}

/// `--store URL` runs every measurement on the PostgreSQL engine too, beside its raw
/// PostgreSQL ceiling, after the sled table; the database is left an empty, migrated
/// ledger (no ceiling table left behind).
#[test]
fn the_benchmark_runs_on_postgresql_beside_its_ceiling() {
    let Some(cluster) = crate::support::postgres::cluster() else {
        return;
    };
    let url = cluster.fresh_database();
    flexledger::store::postgres::migrate(&url).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let report = bench(
        &[
            TOY_SIZE,
            &["--dir", runs.to_str().unwrap(), "--store", &url],
        ]
        .concat(),
    );
    let report = String::from_utf8_lossy(&report.stdout);
    let (sled, postgres) = report
        .split_once("flexledger-bench on PostgreSQL")
        .unwrap_or_else(|| panic!("the report has a PostgreSQL table:\n{report}"));
    assert!(sled.contains("| raw sled ceiling |"), "{report}");
    assert!(postgres.contains("| raw PostgreSQL ceiling |"), "{report}");
    for row in [
        "(a) bulk submit",
        "(a) bulk submit, beside a ceiling of every row it wrote",
        "(b) 4 concurrent appenders",
        "(c) single writer",
        "(d) full rebuild",
        "member read (stored state)",
        "(e) table bytes per event",
        "(e) WAL bytes per event",
    ] {
        assert!(
            sled.contains(row)
                || row.contains("table")
                || row.contains("WAL")
                || row.contains("every row"),
            "the sled table has its {row} row:\n{report}"
        );
        assert!(
            postgres.contains(row),
            "the PostgreSQL table has its {row} row:\n{report}"
        );
    }

    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let head: i64 = client
        .query_one("SELECT position FROM head", &[])
        .unwrap()
        .get(0);
    assert_eq!(head, 0, "the bench leaves an empty ledger");
    let raw: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'flexledger_bench_%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(raw, 0, "the ceiling's tables are dropped");
}
