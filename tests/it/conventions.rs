//! What both command lines do the same way, command by command: `-` is standard input
//! or output for every file argument and option; an error about two alternatives names
//! both; an unknown member (or region) is exit 1 with the reason on standard error.

use crate::support::{listening_address, repo_path};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const FLEXLEDGER: &str = env!("CARGO_BIN_EXE_flexledger");
const AUDIT: &str = env!("CARGO_BIN_EXE_flexledger-audit");
const LI: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
const NOBODY: &str = "00000000-0000-4000-8000-000000000077";

/// Runs `program --data-dir data args` in `dir` (without `--data-dir data` if `args`
/// names one), feeding `stdin`.
fn run(program: &str, dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut command = Command::new(program);
    command.env(
        crate::support::LANGUAGE_PINNED.0,
        crate::support::LANGUAGE_PINNED.1,
    );
    if !args.contains(&"--data-dir") {
        command.args(["--data-dir", "data"]);
    }
    let mut child = command
        .current_dir(dir)
        .args(args)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .env_remove("FLEXLEDGER_PUBLIC_KEY")
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .env_remove("FLEXLEDGER_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    // Written from a thread: a command that does not read its input must not block us.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A directory holding the demo ledger in `data`.
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read(repo_path("examples/demo.jsonl")).unwrap();
    let output = run(FLEXLEDGER, dir.path(), &["submit", "-"], &demo);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    dir
}

fn ok(output: &Output, what: &str) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

#[test]
fn a_dash_is_standard_input_or_output_for_every_file_option() {
    let dir = demo();
    let here = dir.path();

    // flexledger backup --out - / restore - / restore --signing-key -
    let backup = run(FLEXLEDGER, here, &["backup", "--out", "-"], b"");
    ok(&backup, "backup --out -");
    assert!(text(&backup.stdout).starts_with('{'), "the backup itself");
    assert!(text(&backup.stderr).contains("\"ok\":true"), "the summary");
    let restored = run(
        FLEXLEDGER,
        here,
        &["--data-dir", "from-stdin", "restore", "-"],
        &backup.stdout,
    );
    ok(&restored, "restore -");
    std::fs::write(here.join("demo.backup"), &backup.stdout).unwrap();
    let key = std::fs::read(here.join("data/audit-signing-key")).unwrap();
    let restored = run(
        FLEXLEDGER,
        here,
        &[
            "--data-dir",
            "key-from-stdin",
            "restore",
            "demo.backup",
            "--signing-key",
            "-",
        ],
        &key,
    );
    ok(&restored, "restore --signing-key -");
    assert_eq!(
        std::fs::read(here.join("key-from-stdin/audit-signing-key")).unwrap(),
        key,
        "the key read from standard input is installed"
    );

    // flexledger-audit export --out - (a bundle, a CSV), verify-bundle -
    let bundle = run(AUDIT, here, &["export", "--all", "--out", "-"], b"");
    ok(&bundle, "export --out -");
    assert!(
        text(&bundle.stderr).contains("to standard output"),
        "what is said about the export goes to standard error: {}",
        text(&bundle.stderr)
    );
    let verified = run(
        AUDIT,
        here,
        &["verify-bundle", "-", "--trust-bundle-key"],
        &bundle.stdout,
    );
    ok(&verified, "verify-bundle -");
    assert!(text(&verified.stdout).starts_with("VALID"));
    let csv = run(
        AUDIT,
        here,
        &[
            "export", "--region", "demo", "--format", "csv", "--out", "-",
        ],
        b"",
    );
    ok(&csv, "export --format csv --out -");
    assert!(text(&csv.stdout).starts_with("member_id,region,month,"));

    // flexledger-audit timeline --svg -, whatif --policy -
    let svg = run(
        AUDIT,
        here,
        &["timeline", "--member", LI, "--svg", "-"],
        b"",
    );
    ok(&svg, "timeline --svg -");
    assert!(text(&svg.stdout).starts_with("<svg"));
    let whatif = run(
        AUDIT,
        here,
        &["--json", "whatif", "--policy", "-", "--region", "demo"],
        br#"{"grace_months": 6}"#,
    );
    ok(&whatif, "whatif --policy -");
    let report: Value = serde_json::from_slice(&whatif.stdout).unwrap();
    assert_eq!(report["overrides"]["grace_months"], 6, "{report}");

    // flexledger serve --auth -
    serve_reads_its_tokens_from_standard_input(here);

    assert!(!here.join("-").exists(), "no file named '-'");
    assert!(!here.join(".-.partial").exists(), "no partial file of '-'");
}

fn serve_reads_its_tokens_from_standard_input(dir: &Path) {
    let token = "dash-operator-secret";
    let digest = flexledger::store::Sha256::of(token.as_bytes());
    let mut child = Command::new(FLEXLEDGER)
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .current_dir(dir)
        .args(["--data-dir", "data", "serve", "--listen", "127.0.0.1:0"])
        .args(["--auth", "-"])
        .env_remove("FLEXLEDGER_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let tokens = format!("[[token]]\nrole = \"operator\"\nsha256 = \"{digest}\"\n");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(tokens.as_bytes()).unwrap();
    drop(stdin);
    let base = listening_address(&mut std::io::BufReader::new(child.stdout.take().unwrap()));
    let status = base.as_ref().ok().map(|base| {
        crate::http::agent()
            .get(format!("{base}/v1/members/{LI}"))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .map(|response| response.status().as_u16())
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        status.map(Result::ok),
        Some(Some(200)),
        "serve --auth - reads the token file from standard input: {base:?}"
    );
}

/// Two options (or arguments) of which exactly one is needed, or which exclude each
/// other: the error names both, and it is exit 2 (could not run).
#[test]
fn an_error_about_two_alternatives_names_both() {
    let dir = demo();
    let here = dir.path();
    let policy = repo_path("examples/whatif-six-months-grace.json");
    let policy = policy.to_str().unwrap();
    let key = "00".repeat(32);
    let cases: [(&str, Vec<&str>, &[&str]); 10] = [
        (AUDIT, vec!["prove"], &["--position", "--from"]),
        (
            AUDIT,
            vec!["prove", "--position", "3", "--from", "2"],
            &["--position", "--from"],
        ),
        (
            AUDIT,
            vec!["whatif", "--policy", policy],
            &["--member", "--region"],
        ),
        (
            AUDIT,
            vec![
                "whatif", "--policy", policy, "--member", LI, "--region", "demo",
            ],
            &["--member", "--region"],
        ),
        (
            AUDIT,
            vec!["export", "--out", "x.bundle"],
            &["--member", "--region", "--all"],
        ),
        (
            AUDIT,
            vec!["export", "--all", "--member", LI, "--out", "x.bundle"],
            &["--all", "--member"],
        ),
        (
            AUDIT,
            vec![
                "replay",
                "--member",
                LI,
                "--as-of",
                "3",
                "--as-of-time",
                "2025-01-01T00:00:00Z",
            ],
            &["--as-of", "--as-of-time"],
        ),
        (
            AUDIT,
            vec![
                "verify-bundle",
                "x.bundle",
                "--public-key",
                &key,
                "--trust-bundle-key",
            ],
            &["--public-key", "--trust-bundle-key"],
        ),
        (
            FLEXLEDGER,
            vec!["--data-dir", "new", "restore", "-", "--signing-key", "-"],
            &["FILE", "--signing-key"],
        ),
        (
            FLEXLEDGER,
            vec![
                "backup",
                "--server",
                "http://127.0.0.1:9",
                "--out",
                "x.backup",
            ],
            &["--token", "$FLEXLEDGER_TOKEN"],
        ),
    ];
    for (program, args, names) in cases {
        let output = run(program, here, &args, b"");
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        for name in names {
            assert!(stderr.contains(name), "{args:?} names {name}: {stderr}");
        }
    }
    // A bundle checked with neither a pinned key nor --trust-bundle-key is invalid
    // (exit 1, a finding), and the report says what either would do.
    let bundle = run(
        AUDIT,
        here,
        &["export", "--member", LI, "--out", "li.bundle"],
        b"",
    );
    ok(&bundle, "export");
    let unpinned = run(AUDIT, here, &["verify-bundle", "li.bundle"], b"");
    assert_eq!(unpinned.status.code(), Some(1));
    for name in ["--public-key", "--trust-bundle-key"] {
        assert!(
            text(&unpinned.stdout).contains(name),
            "{name}: {}",
            text(&unpinned.stdout)
        );
    }
}

/// Every command that reads a member says so when there is no such member: exit 1, the
/// reason on standard error naming the member, and nothing written (with `--json`, an
/// `{"ok":false}` object on standard output for a program reading it).
#[test]
fn an_unknown_member_or_region_exits_1_with_the_reason_on_standard_error() {
    let dir = demo();
    let here = dir.path();
    let policy = repo_path("examples/whatif-six-months-grace.json");
    let policy = policy.to_str().unwrap();
    let unknown_member: [(&str, Vec<&str>); 10] = [
        (FLEXLEDGER, vec!["member", NOBODY]),
        (FLEXLEDGER, vec!["member", LI, "--as-of", "1"]),
        (FLEXLEDGER, vec!["events", "--member", NOBODY]),
        (
            FLEXLEDGER,
            vec!["events", "--member", NOBODY, "--from", "5"],
        ),
        (AUDIT, vec!["replay", "--member", NOBODY]),
        (
            AUDIT,
            vec!["explain", "--member", NOBODY, "--month", "2025-03"],
        ),
        (
            AUDIT,
            vec!["timeline", "--member", NOBODY, "--svg", "nobody.svg"],
        ),
        (
            AUDIT,
            vec!["export", "--member", NOBODY, "--out", "nobody.bundle"],
        ),
        (
            AUDIT,
            vec![
                "export", "--member", NOBODY, "--format", "csv", "--out", "-",
            ],
        ),
        (
            AUDIT,
            vec!["whatif", "--policy", policy, "--member", NOBODY],
        ),
    ];
    let unknown_region: [(&str, Vec<&str>); 3] = [
        (FLEXLEDGER, vec!["region", "nowhere", "--month", "2025-01"]),
        (
            AUDIT,
            vec!["export", "--region", "nowhere", "--out", "nowhere.csv"],
        ),
        (
            AUDIT,
            vec!["whatif", "--policy", policy, "--region", "nowhere"],
        ),
    ];
    let cases = unknown_member
        .iter()
        .map(|(program, args)| {
            (
                *program,
                args,
                if args.contains(&NOBODY) { NOBODY } else { LI },
            )
        })
        .chain(
            unknown_region
                .iter()
                .map(|(program, args)| (*program, args, "nowhere")),
        );
    for (program, args, subject) in cases {
        let mut json_args = args.clone();
        if program == AUDIT {
            json_args.insert(0, "--json");
        }
        for args in [args, &json_args] {
            let output = run(program, here, args, b"");
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(
                stderr.contains(subject) && stderr.lines().count() == 1,
                "{args:?}: one line naming {subject} on standard error: {stderr:?}"
            );
            let json = program == FLEXLEDGER || args.contains(&"--json");
            let stdout = text(&output.stdout);
            if json {
                let error: Value = serde_json::from_str(stdout.trim())
                    .unwrap_or_else(|error| panic!("{args:?}: {error}: {stdout}"));
                assert_eq!(error["ok"], false, "{args:?}");
            } else {
                assert_eq!(stdout, "", "{args:?}: the reason is on standard error");
            }
        }
    }
    for file in ["nobody.svg", "nobody.bundle", "nowhere.csv", "-"] {
        assert!(!here.join(file).exists(), "{file} was not written");
    }
}
