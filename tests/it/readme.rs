//! The README is a test: its ```console blocks run top to bottom, in one fresh directory,
//! through trycmd, and every output block must be what the binaries print. Blocks marked
//! ```console,ignore or ```sh are not run (a server, a shell pipe, a damaged store); the
//! README says so where it matters.

use crate::support::repo_path;
use std::path::Path;

/// Copies `from` (a directory of plain files and directories) to `to`.
fn copy_dir(from: &Path, to: &Path) {
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
    trycmd::TestCases::new()
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
