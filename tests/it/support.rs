//! Shared test helpers: deterministic sources, a temp ledger, the real binary, and the
//! subset comparison the scenario format defines.

use chrono::{DateTime, TimeZone, Utc};
use flexledger::ledger::Sources;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use uuid::Uuid;

/// A fixed clock and counting ids: the same commands give byte-identical logs.
pub struct FixedSources {
    counter: u128,
}

impl FixedSources {
    pub fn new() -> FixedSources {
        FixedSources { counter: 0 }
    }
}

impl Sources for FixedSources {
    fn now(&mut self) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 10, 8, 0, 0).unwrap()
    }
    fn new_id(&mut self) -> Uuid {
        self.counter += 1;
        Uuid::from_u128(self.counter)
    }
}

/// Runs the test `name` of this test binary alone, in a process of its own, with
/// `env` set: for a test whose check is how a process ends (a panic hook that exits).
pub fn run_test_in_child(name: &str, env: (&str, &std::ffi::OsStr)) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .output()
        .unwrap()
}

/// Asserts that the stream index read whole (`EventLog::stream_index`) lists each
/// stream's versions in order, at the positions the log holds them.
pub fn assert_stream_index_is_the_logs(store: &(impl flexledger::store::EventLog + ?Sized)) {
    use std::collections::HashMap;
    let mut in_log: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
    for envelope in store.read_log(1) {
        let envelope = envelope.unwrap();
        in_log
            .entry(envelope.stream)
            .or_default()
            .push((envelope.version, envelope.position));
    }
    let mut indexed: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
    for entry in store.stream_index() {
        let entry = entry.unwrap();
        indexed
            .entry(entry.stream)
            .or_default()
            .push((entry.version, entry.position));
    }
    assert_eq!(indexed, in_log);
}

/// Copies `from` (a directory of plain files and directories) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Every `tests/scenarios/*.json` file, sorted by name.
pub fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_path("tests/scenarios"))
        .expect("tests/scenarios exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 12,
        "the shared scenarios are copied into tests/scenarios"
    );
    files
}

pub fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The environment variable and value that pin the language of every binary a test
/// runs (D37): the expected outputs are English whatever `LANG` or `LC_ALL` the
/// developer's shell has; a test of the language choice sets its own.
pub const LANGUAGE_PINNED: (&str, &str) = ("FLEXLEDGER_LANG", "en");

/// The real `flexledger` binary with `--data-dir dir`, the language pinned and no data
/// directory or store taken from the developer's environment; arguments, environment
/// and pipes are the caller's to add.
pub fn flexledger_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flexledger"));
    command
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .env_remove("FLEXLEDGER_STORE");
    command
}

/// Runs the real `flexledger` binary with `--data-dir dir` and `args`, feeding `stdin`.
pub fn flexledger(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = flexledger_command(dir);
    command.args(args);
    run_with_input(command, stdin).expect("flexledger binary runs")
}

/// Runs `command`, feeding it `stdin` (none: standard input is empty), and collects
/// its output; an error only if it could not be started.
pub fn run_with_input(mut command: Command, stdin: Option<&[u8]>) -> std::io::Result<Output> {
    use std::io::Write;
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn()?;
    if let Some(bytes) = stdin {
        // A command that stops before reading its input (a full disk when the store
        // opens) closes the pipe: its exit code and stderr say why, not this write.
        match child.stdin.take().unwrap().write_all(bytes) {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    child.wait_with_output()
}

pub fn stdout_lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("stdout line {line:?}: {error}"))
        })
        .collect()
}

/// The scenario format's comparison: every field `expected` names must equal the
/// actual value; `months` is compared entry by entry on the fields each entry names.
/// Returns the list of differences (empty = match).
pub fn subset_differences(expected: &Value, actual: &Value, path: &str) -> Vec<String> {
    match (expected, actual) {
        (Value::Object(expected_fields), Value::Object(actual_fields)) => expected_fields
            .iter()
            .flat_map(|(key, expected_value)| match actual_fields.get(key) {
                None => vec![format!("{path}.{key}: missing (expected {expected_value})")],
                Some(actual_value) => {
                    subset_differences(expected_value, actual_value, &format!("{path}.{key}"))
                }
            })
            .collect(),
        (Value::Array(expected_items), Value::Array(actual_items)) if path.ends_with(".months") => {
            let mut differences = Vec::new();
            if expected_items.len() != actual_items.len() {
                differences.push(format!(
                    "{path}: {} entries expected, {} found",
                    expected_items.len(),
                    actual_items.len()
                ));
            }
            for (index, (expected_item, actual_item)) in
                expected_items.iter().zip(actual_items).enumerate()
            {
                differences.extend(subset_differences(
                    expected_item,
                    actual_item,
                    &format!("{path}[{index}]"),
                ));
            }
            differences
        }
        _ if expected == actual => Vec::new(),
        _ => vec![format!("{path}: expected {expected}, got {actual}")],
    }
}

/// What a scenario step expects: `"ok"` or `{"error": code}`, as the wire result shape.
pub fn result_matches(expect: &Value, result: &Value) -> bool {
    match expect {
        Value::String(ok) if ok == "ok" => result["ok"] == Value::Bool(true),
        Value::Object(fields) => {
            result["ok"] == Value::Bool(false) && result["error"]["code"] == fields["error"]
        }
        other => panic!("unknown expect {other}"),
    }
}

/// Property-test cases: `PROPTEST_CASES` if set (a longer soak), else `default`.
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

/// Unpacks `tests/golden/NAME.tar.gz` into `into`; returns the directory it held
/// (`into/NAME`, by the make-golden scripts' convention).
pub fn untar_golden(name: &str, into: &Path) -> PathBuf {
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(repo_path(&format!("tests/golden/{name}.tar.gz")))
        .arg("-C")
        .arg(into)
        .status()
        .unwrap();
    assert!(status.success(), "tar -xzf tests/golden/{name}.tar.gz");
    into.join(name)
}

/// Reads `serve`'s first line, `listening on ADDRESS`, and returns the base URL (or
/// the line it read instead).
pub fn listening_address(stdout: &mut impl std::io::BufRead) -> Result<String, String> {
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .map_err(|error| error.to_string())?;
    match line.trim().strip_prefix("listening on ") {
        Some(base) => Ok(base.to_owned()),
        None => Err(line),
    }
}

/// Debian's headless browser, for the tests of pages (`build.rs` marks where it is missing).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long one Chromium run may take before the test gives up on it: a guard against
/// a hung browser, not a timing assertion.
pub const CHROMIUM_RUN_SECONDS_MAX: u64 = 180;

/// Runs headless Chromium on `url` with `extra` flags, in a fresh profile; its stdout.
pub fn chromium(url: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).map(|_| text)
    });
    let deadline =
        std::time::Instant::now() + std::time::Duration::from_secs(CHROMIUM_RUN_SECONDS_MAX);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {CHROMIUM_RUN_SECONDS_MAX} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let stdout = out.join().unwrap().unwrap();
    let stderr = err.join().unwrap().unwrap_or_default();
    assert!(status.success(), "chromium failed: {status}\n{stderr}");
    stdout
}

// The glossary (`docs/GLOSSARY.md`) as data: read by the Chinese rules' and the
// message catalogs' term checks.

/// The contents of the inline code spans of `text`.
pub fn code_spans(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// How a glossary row's English term shows in a rule: as plain words, or as a code span
/// (status, reason and refusal codes).
#[derive(Debug)]
pub enum Form {
    Words(String),
    Code(String),
}

#[derive(Debug)]
pub struct GlossaryRow {
    pub english: Vec<Form>,
    pub chinese: String,
    pub code_names: Vec<String>,
}

/// The rows of every table of the glossary whose header starts with `English`.
pub fn glossary_rows(text: &str) -> Vec<GlossaryRow> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.first() == Some(&"English") {
            in_table = true;
            continue;
        }
        if !in_table || cells.first().is_some_and(|cell| cell.starts_with("---")) {
            continue;
        }
        assert!(
            cells.len() >= 3,
            "a glossary row has English, 中文, code: {line}"
        );
        let english = cells[0]
            .split(" / ")
            .map(|form| match form.trim().strip_prefix('`') {
                Some(code) => Form::Code(code.trim_end_matches('`').to_owned()),
                None => Form::Words(form.trim().to_lowercase()),
            })
            .collect();
        rows.push(GlossaryRow {
            english,
            chinese: cells[1].to_owned(),
            code_names: code_spans(cells[2]).into_iter().collect(),
        });
    }
    rows
}

/// The ASCII words of `text` that are not codes, for tests that a Chinese text words its
/// own sentences in Chinese. A code is a word with `_` or `-` in it, a digit, or an
/// upper-case letter after its first (`MemberWithdrawn`, `R7`, `P-delay-first`), or one
/// of `allowed`.
pub fn english_words<'a>(text: &'a str, allowed: &[&str]) -> Vec<&'a str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter(|word| {
            let code = word.contains(['_', '-'])
                || word.bytes().any(|byte| byte.is_ascii_digit())
                || word.chars().skip(1).any(char::is_uppercase)
                || allowed.contains(word);
            !code
        })
        .collect()
}

/// Whether `phrase` (lower case) occurs in `text` (lower case) as whole words. Hyphens and
/// underscores belong to words, so `delay` is not found in `P-delay-first`.
pub fn uses_words(text: &str, phrase: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

pub mod postgres;
