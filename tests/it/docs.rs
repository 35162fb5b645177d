//! The documentation stands alone in a fresh clone: every relative link in every
//! Markdown file of the repository resolves to a file or directory of the repository.

use crate::support::repo_path;
use std::path::{Path, PathBuf};

/// Markdown files of the repository (not build output, not git's own).
fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !matches!(name.as_str(), "target" | ".git" | "node_modules") {
                markdown_files(&path, found);
            }
        } else if name.ends_with(".md") {
            found.push(path);
        }
    }
}

/// The targets of inline links `[text](target)` in `text`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned();
        targets.push(target);
        rest = &rest[end..];
    }
    targets
}

#[test]
fn every_relative_link_in_the_docs_resolves() {
    let root = repo_path("");
    let mut files = Vec::new();
    markdown_files(&root, &mut files);
    assert!(
        files.len() >= 5,
        "the repository's Markdown files are found"
    );
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for target in link_targets(&text) {
            let external = target.contains("://") || target.starts_with("mailto:");
            let path = target.split('#').next().unwrap_or("");
            if external || path.is_empty() {
                continue;
            }
            let resolved = file.parent().unwrap().join(path);
            let inside = resolved
                .canonicalize()
                .is_ok_and(|resolved| resolved.starts_with(root.canonicalize().unwrap()));
            if !inside {
                broken.push(format!(
                    "{}: {target}",
                    file.strip_prefix(&root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links that do not resolve inside the repository:\n{}",
        broken.join("\n")
    );
}

/// Links are read with their fragments, and external ones are told apart.
#[test]
fn links_are_read_with_their_fragments() {
    assert_eq!(
        link_targets("see [rules](../shared/spec/RULES.md#r7) and [x](https://a.b)"),
        ["../shared/spec/RULES.md#r7", "https://a.b"]
    );
}

/// The repository's copies of the shared spec and scenarios are identical to
/// `../shared` where it is checked out beside the repository (CI and developers); a
/// fresh clone alone has only the copies, and says so.
#[test]
fn the_spec_and_scenarios_are_the_shared_ones() {
    let shared = repo_path("../shared");
    if !shared.join("spec").is_dir() {
        eprintln!("no ../shared beside the repository: the copies are not compared");
        return;
    }
    let pairs = [("spec", "docs/spec"), ("scenarios", "tests/scenarios")];
    let mut differ = Vec::new();
    for (from, to) in pairs {
        for entry in std::fs::read_dir(shared.join(from)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap();
            let copy = repo_path(to).join(name);
            if std::fs::read(&path).ok() != std::fs::read(&copy).ok() {
                differ.push(copy.display().to_string());
            }
        }
    }
    assert!(differ.is_empty(), "copy ../shared again: {differ:?}");
}
