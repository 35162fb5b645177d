//! The README is a test: its ```console blocks run top to bottom, in one fresh directory,
//! through trycmd, and every output block must be what the binaries print. Blocks marked
//! ```console,ignore or ```sh are not run (a server, a shell pipe, a damaged store); the
//! README says so where it matters.

use crate::support::{copy_dir, listening_address, repo_path, LANGUAGE_PINNED};
use std::path::Path;

#[test]
fn the_readme_runs_as_written_from_a_fresh_directory() {
    // trycmd runs the commands of `X.md` in `X.in/` when it exists, else in the test's own
    // directory (the repository, which may hold a `demo-data` of its own). So the case is
    // a copy of the README beside a fresh `README.in/` holding what a clone's root offers
    // the README's commands: `examples/`, and no data directory.
    let case = tempfile::tempdir().unwrap();
    std::fs::copy(repo_path("README.md"), case.path().join("README.md")).unwrap();
    copy_dir(
        &repo_path("examples"),
        &case.path().join("README.in").join("examples"),
    );
    let cases = trycmd::TestCases::new();
    cases.env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1);
    cases
        .register_bin(
            "flexledger",
            std::path::PathBuf::from(env!("CARGO_BIN_EXE_flexledger")),
        )
        .register_bin(
            "flexledger-audit",
            std::path::PathBuf::from(env!("CARGO_BIN_EXE_flexledger-audit")),
        )
        .case(case.path().join("README.md"))
        .run();
    the_shell_sessions_run_as_written(&case.path().join("README.in"));
}

/// The second half of the README test: its shell sessions, in the directory the
/// transcript left (module docs of `SessionStep`).
fn the_shell_sessions_run_as_written(dir: &Path) {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let steps = session_steps(&readme);
    assert!(steps.len() >= 10, "the README has its shell sessions");
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger"))
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .args([
            "--data-dir",
            "served-demo",
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(serve.stdout.take().unwrap());
    let base = listening_address(&mut stdout).unwrap();
    let server = base.trim_start_matches("http://").to_owned();
    // The tokens follow the address; the session reads them from `served-demo/demo-tokens`.
    let mut tokens = String::new();
    for _ in 0..3 {
        std::io::BufRead::read_line(&mut stdout, &mut tokens).unwrap();
    }
    let outputs = run_session(dir, &steps, &server);
    let _ = serve.kill();
    let _ = serve.wait();
    let mut drifted = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        if std::env::var_os("FLEXLEDGER_README_SHOW").is_some() {
            let printed = outputs.get(index).map(|lines| lines.join("\n"));
            eprintln!(
                "README.md:{}: $ {}\n{}",
                step.line,
                step.command,
                printed.unwrap_or_default()
            );
        }
        let actual = outputs.get(index).cloned().unwrap_or_default();
        let actual: Vec<&str> = actual.iter().map(String::as_str).collect();
        if !lines_match(&step.expected, &actual) {
            drifted.push(format!(
                "README.md:{}: $ {}\n--- shown\n{}\n--- printed\n{}\n",
                step.line,
                step.command,
                step.expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    assert!(
        drifted.is_empty(),
        "{} README command(s) print something else than shown:\n{}",
        drifted.len(),
        drifted.join("\n")
    );
}

/// The ```jsonl blocks of `text`, each with the `examples/…` file named on the line before it.
fn shown_files(text: &str) -> Vec<(String, String)> {
    let mut shown = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("\n```jsonl\n") {
        let before = rest[..start].lines().last().unwrap_or("");
        let name_start = before.rfind("`examples/").map(|i| i + 1);
        let name = name_start.map(|i| before[i..].split('`').next().unwrap_or(""));
        rest = &rest[start + "\n```jsonl\n".len()..];
        let end = rest.find("```\n").unwrap_or(rest.len());
        shown.push((name.unwrap_or("").to_owned(), rest[..end].to_owned()));
        rest = &rest[end..];
    }
    shown
}

#[test]
fn the_files_the_readme_shows_are_the_files_it_submits() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let shown = shown_files(&readme);
    assert!(shown.len() >= 2, "the README shows its command files");
    for (name, text) in shown {
        assert!(
            name.starts_with("examples/"),
            "a ```jsonl block of the README names its file on the line before it: {text}"
        );
        let file = std::fs::read_to_string(repo_path(&name)).unwrap();
        assert_eq!(text, file, "README shows {name} as it is");
    }
}

/// The README's ```console,ignore,sh-session blocks: what trycmd cannot run (a server,
/// shell variables, pipes, a damaged copy of the store). They run after the trycmd
/// transcript, in its directory, in one bash session in README order (so variables and
/// aliases carry over), with the binaries on `PATH` and a `serve --demo` of
/// `served-demo` running. Outputs use trycmd's placeholders: `[..]` for any text within
/// a line, a line `...` for any lines. The only rewrites: `localhost:7878` and
/// `127.0.0.1:7878` become the test server's address (it binds a free port), and the
/// tamper example runs from this build instead of a nested `cargo run`.
struct SessionStep {
    /// The README line of the command.
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// The commands of every ```console,ignore,sh-session block of `text`, in order; a
/// command line ending in `\` continues on the next line.
fn session_steps(text: &str) -> Vec<SessionStep> {
    let mut steps: Vec<SessionStep> = Vec::new();
    let mut in_session = false;
    let mut continued = false;
    for (index, line) in text.lines().enumerate() {
        if !in_session {
            in_session = line == "```console,ignore,sh-session";
            continue;
        }
        if line == "```" {
            in_session = false;
        } else if continued {
            let step = steps.last_mut().expect("a continued command");
            step.command.push('\n');
            step.command.push_str(line);
            continued = line.ends_with('\\');
        } else if let Some(command) = line.strip_prefix("$ ") {
            steps.push(SessionStep {
                line: index + 1,
                command: command.to_owned(),
                expected: Vec::new(),
            });
            continued = command.ends_with('\\');
        } else {
            let step = steps.last_mut().expect("a block starts with a command");
            step.expected.push(line.to_owned());
        }
    }
    steps
}

/// Whether `actual` is `expected` with each `[..]` standing for any text.
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    let (first, rest) = (parts[0], &parts[1..]);
    let Some(mut remaining) = actual.strip_prefix(first) else {
        return false;
    };
    match rest.split_last() {
        None => remaining.is_empty(),
        Some((last, middle)) => {
            for part in middle {
                match remaining.find(part) {
                    Some(at) => remaining = &remaining[at + part.len()..],
                    None => return false,
                }
            }
            remaining.len() >= last.len() && remaining.ends_with(last)
        }
    }
}

/// Whether `actual` lines are `expected` with a line `...` standing for any lines.
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            !actual.is_empty() && line_matches(first, actual[0]) && lines_match(rest, &actual[1..])
        }
    }
}

/// Separates one command's output from the next in the session's output.
const STEP_MARKER: &str = "\u{1e}flexledger-readme-step";
/// How long the whole session may run: a guard against a hung command, not a timing
/// assertion.
const SESSION_SECONDS_MAX: u64 = 600;

/// Runs `steps` in one bash session in `dir`; each step's output lines (stdout and
/// stderr together, trailing blank lines dropped), led by `? N` when its exit status N
/// is not 0 (trycmd's notation).
fn run_session(dir: &Path, steps: &[SessionStep], server: &str) -> Vec<Vec<String>> {
    let bin = Path::new(env!("CARGO_BIN_EXE_flexledger"))
        .parent()
        .unwrap();
    let tamper = bin.join("examples").join("tamper");
    let mut script = String::from("shopt -s expand_aliases\nexec 2>&1\n");
    for (index, step) in steps.iter().enumerate() {
        let command = step
            .command
            .replace("localhost:7878", server)
            .replace("127.0.0.1:7878", server)
            .replace(
                "cargo run -q --release --example tamper --",
                &tamper.display().to_string(),
            );
        script.push_str(&format!(
            "printf '\\n{STEP_MARKER} {index}\\n'\n{command}\nprintf '\\n{STEP_MARKER}-exit %d\\n' $?\n"
        ));
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = std::process::Command::new("timeout")
        .arg(SESSION_SECONDS_MAX.to_string())
        .args(["bash", "-c", &script])
        .current_dir(dir)
        .env("PATH", path)
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let mut outputs: Vec<Vec<String>> = Vec::new();
    for chunk in text.split(&format!("\n{STEP_MARKER} ")).skip(1) {
        let exit_marker = format!("{STEP_MARKER}-exit ");
        let mut lines: Vec<String> = Vec::new();
        let mut status = "missing".to_owned();
        for line in chunk.lines().skip(1) {
            match line.strip_prefix(&exit_marker) {
                Some(code) => status = code.to_owned(),
                None => lines.push(line.to_owned()),
            }
        }
        while lines.last().is_some_and(|line| line.trim().is_empty()) {
            lines.pop();
        }
        if status != "0" {
            lines.insert(0, format!("? {status}"));
        }
        outputs.push(lines);
    }
    outputs
}
