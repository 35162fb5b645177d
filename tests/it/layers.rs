//! The layers of `src/`, enforced: every file belongs to a layer (the table below), and
//! a file may use its own layer and the layers under it, never one above; within a
//! layer its components may not use each other in a cycle. Arrows point down only:
//!
//! ```text
//! shell    cli   http   audit shell (audit/cli.rs, audit/commands.rs, audit/whatif/cli.rs)
//!   │
//! proof    audit (merkle, checkpoints, keys, bundles, history, replay, explain,
//!   │             timeline, page, whatif)   backup
//! ledger   ledger (+ ledger/close.rs)   feed   writer
//!   │
//! store    store
//!   │
//! codec    codec (the stored payload types of each schema version)   i18n
//!   │
//! domain   domain (pure)
//!
//! support  shell_support (progress bars, '-' for stdin/stdout, errors): under
//!          everything, uses nothing of the crate
//! ```
//!
//! A file's uses are read from its text: `use` trees and inline paths starting with
//! `crate::`, `super::`, `self::` or a child module it declares (`mod name;`), each
//! resolved to the longest module path that is a file under `src/`. Comments and
//! string literals are skipped, so documentation may name any module. Files documented
//! as pure (`PURE`) must not touch files, the terminal or the clock either. `anyhow`
//! belongs to the shells (and their support): the layers under them return typed
//! errors, which callers match on and `error::kind_of` classifies.

use crate::support::repo_path;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers by rank, lowest first.
const LAYERS: [&str; 7] = [
    "support", "domain", "codec", "store", "ledger", "proof", "shell",
];

/// Every file under `src/` by path prefix (the longest match wins): its layer's rank in
/// [`LAYERS`] and its component, the unit within which cycles are looked for. A new
/// top-level module must be added here, or this test fails.
const TABLE: &[(&str, usize, &str)] = &[
    ("src/shell_support/", 0, "shell_support"),
    ("src/domain/", 1, "domain"),
    // Where a stored event's bytes are defined: it knows the domain, never the store.
    ("src/codec/", 2, "codec"),
    // What people read in their language: renders the domain's data, nothing else.
    ("src/i18n/", 2, "i18n"),
    ("src/store/", 3, "store"),
    ("src/ledger.rs", 4, "ledger"),
    ("src/ledger/", 4, "ledger"),
    // The feed's messages, catch-up and subscriptions; the writer publishes to it.
    ("src/feed/", 4, "feed"),
    ("src/writer.rs", 4, "writer"),
    ("src/audit/", 5, "audit"),
    ("src/backup.rs", 5, "backup"),
    // The library's one error type: it knows every error of the layers under it.
    ("src/error.rs", 5, "error"),
    // The audit command line lives beside the audit library, one layer up.
    ("src/audit/cli.rs", 6, "audit::cli"),
    ("src/audit/commands.rs", 6, "audit::commands"),
    ("src/audit/whatif/cli.rs", 6, "audit::whatif::cli"),
    ("src/cli/", 6, "cli"),
    ("src/http/", 6, "http"),
    // A binary of its own (it uses the library as `flexledger::`).
    ("src/main.rs", 6, "main"),
    // Declares the modules; it uses none.
    ("src/lib.rs", 6, "crate root"),
];

/// Components that use no other component: the pure core, and the helpers under
/// everything.
const SELF_CONTAINED: &[&str] = &["domain", "shell_support"];

/// Files documented as pure, and what they must not contain: file, terminal and clock
/// access (time and ids are passed in).
const PURE: &[&str] = &[
    "src/domain/",
    "src/i18n/",
    "src/audit/timeline.rs",
    "src/audit/page.rs",
    "src/audit/whatif.rs",
];
const IMPURE_MARKERS: &[&str] = &[
    "fs::",
    "File::",
    "OpenOptions",
    "stdout(",
    "stderr(",
    "stdin(",
    "print!",
    "println!",
    "::now(",
    "new_v4(",
];

#[test]
fn every_file_uses_only_its_own_layer_and_those_below_without_cycles() {
    assert_eq!(LAYERS[SHELL_RANK], "shell");
    let problems = layering_problems(&repo_path("src"));
    assert!(
        problems.is_empty(),
        "{} layering problem(s) (the layers and their table: tests/it/layers.rs):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_reader_finds_every_kind_of_use_and_skips_comments_and_strings() {
    let text = r#"
//! Names crate::cli in a comment.
use crate::domain::{self, event::{Event, StreamId}, money::Money as Cash};
use super::{close, Ledger};
mod child;
pub use child::Thing;
fn f() {
    let _ = "crate::http in a string";
    let _ = '{';
    /* crate::cli /* nested */ still a comment */
    crate::store::sled_store::open();
    let _ = x.map(child::g);
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::writer;
}
"#;
    let found: Vec<(usize, String)> = uses(text, &["ledger".to_owned()])
        .into_iter()
        .map(|(line, path)| (line, path.join("::")))
        .collect();
    let expected: Vec<(usize, String)> = [
        (3, "domain"),
        (3, "domain::event::Event"),
        (3, "domain::event::StreamId"),
        (3, "domain::money::Money"),
        (4, "close"),
        (4, "Ledger"),
        (6, "ledger::child::Thing"),
        (11, "store::sled_store::open"),
        (12, "ledger::child::g"),
        (16, "ledger"),
        (17, "writer"),
    ]
    .into_iter()
    .map(|(line, path)| (line, path.to_owned()))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_file_in_no_layer_an_upward_use_a_use_of_support_by_the_domain_and_a_cycle_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let write = |file: &str, text: &str| {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "lib.rs",
        "pub mod cli; pub mod domain; pub mod extra; pub mod http;\n",
    );
    write("shell_support/mod.rs", "pub fn progress() {}\n");
    write(
        "domain/mod.rs",
        "pub struct Month;\nfn f() { crate::shell_support::progress() }\n",
    );
    write(
        "store/mod.rs",
        "use crate::domain::Month;\nfn f() { crate::cli::run(); }\nfn g() -> anyhow::Result<()> { Ok(()) }\n",
    );
    write("cli/mod.rs", "use crate::http::serve;\npub fn run() {}\n");
    write("http/mod.rs", "pub fn serve() { crate::cli::run() }\n");
    write("extra.rs", "\n");
    assert_eq!(
        layering_problems(dir.path()),
        [
            "src/domain/mod.rs:2: domain (domain layer) uses crate::shell_support::progress, in shell_support (support layer): domain uses nothing outside itself",
            "src/extra.rs: in no layer: add it to TABLE in tests/it/layers.rs",
            "src/store/mod.rs:3: anyhow under the shell layer: return a typed error (anyhow is for shells)",
            "src/store/mod.rs:2: store (store layer) uses crate::cli::run, in cli (shell layer): a higher layer",
            "cycle in one layer: cli → http (src/cli/mod.rs:1 uses crate::http::serve), and back: http → cli (src/http/mod.rs:1 uses crate::cli::run)",
        ]
    );
}

/// Every problem found under `src`, one line each, naming the file, line and layers.
fn layering_problems(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, src, &mut files);
    files.sort();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|file| module_of(file)).collect();
    let mut problems = Vec::new();
    // Uses between two components of one layer: (from, to) → first file:line and path.
    let mut edges: BTreeMap<(&str, &str), String> = BTreeMap::new();
    // One problem per line and component used (a `use` group names many items).
    let mut reported: BTreeSet<(String, usize, &str)> = BTreeSet::new();
    for file in &files {
        let path = format!("src/{file}");
        let Some((rank, component)) = layer_of(&path) else {
            problems.push(format!(
                "{path}: in no layer: add it to TABLE in tests/it/layers.rs"
            ));
            continue;
        };
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        if PURE.iter().any(|prefix| path.starts_with(prefix)) {
            problems.extend(impure_lines(&path, &text));
        }
        if (1..SHELL_RANK).contains(&rank) {
            problems.extend(anyhow_lines(&path, &text));
        }
        if path == "src/main.rs" || path == "src/lib.rs" {
            continue;
        }
        for (line, used) in uses(&text, &module_of(file)) {
            let shown = format!("crate::{}", used.join("::"));
            let Some(target) = (1..=used.len())
                .rev()
                .map(|length| &used[..length])
                .find(|prefix| modules.contains(*prefix))
            else {
                problems.push(format!("{path}:{line}: {shown} is no module under src/"));
                continue;
            };
            let target_file = file_of(src, target);
            let Some((target_rank, target_component)) = layer_of(&target_file) else {
                continue; // reported as a file in no layer
            };
            if target_component == component
                || !reported.insert((path.clone(), line, target_component))
            {
                continue;
            }
            let at = format!("{path}:{line}: {component} ({} layer)", LAYERS[rank]);
            let what = format!("{target_component} ({} layer)", LAYERS[target_rank]);
            if target_rank > rank {
                problems.push(format!("{at} uses {shown}, in {what}: a higher layer"));
            } else if SELF_CONTAINED.contains(&component) {
                problems.push(format!(
                    "{at} uses {shown}, in {what}: {component} uses nothing outside itself"
                ));
            } else if target_rank == rank {
                edges
                    .entry((component, target_component))
                    .or_insert(format!("{path}:{line} uses {shown}"));
            }
        }
    }
    problems.extend(cycles(&edges));
    problems
}

/// Every use between two components of one layer that closes a cycle, with the way back.
fn cycles(edges: &BTreeMap<(&str, &str), String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: BTreeSet<BTreeSet<&str>> = BTreeSet::new();
    for ((from, to), witness) in edges {
        // Breadth-first from `to` back to `from`, remembering how each node was reached.
        let mut reached: BTreeMap<&str, (&str, &String)> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([*to]);
        while let Some(node) = queue.pop_front() {
            for ((edge_from, edge_to), edge_witness) in edges {
                if *edge_from == node && *edge_to != *to && !reached.contains_key(edge_to) {
                    reached.insert(*edge_to, (node, edge_witness));
                    queue.push_back(*edge_to);
                }
            }
        }
        if !reached.contains_key(from) {
            continue;
        }
        let mut back = Vec::new();
        let mut members = BTreeSet::from([*to]);
        let mut node = *from;
        while node != *to {
            let (previous, edge_witness) = reached[node];
            back.push(format!("{previous} → {node} ({edge_witness})"));
            members.insert(node);
            node = previous;
        }
        if !seen.insert(members) {
            continue; // the same cycle, met from another of its uses
        }
        back.reverse();
        problems.push(format!(
            "cycle in one layer: {from} → {to} ({witness}), and back: {}",
            back.join(", ")
        ));
    }
    problems
}

/// The rank and component of a path `src/…` (longest prefix in [`TABLE`]).
fn layer_of(path: &str) -> Option<(usize, &'static str)> {
    TABLE
        .iter()
        .filter(|(prefix, _, _)| path.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map(|(_, rank, component)| (*rank, *component))
}

/// The `.rs` files under `dir`, relative to `src` with `/` separators.
fn rust_files(src: &Path, dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(src, &path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let relative = path.strip_prefix(src).unwrap();
            let parts: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            found.push(parts.join("/"));
        }
    }
}

/// The module path of a file relative to `src`: `audit/whatif/cli.rs` → audit, whatif,
/// cli; `store/mod.rs` → store; `lib.rs` → the root.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".rs").unwrap();
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The file, as `src/…`, that holds the module `path`.
fn file_of(src: &Path, path: &[String]) -> String {
    let joined = path.join("/");
    if src.join(format!("{joined}.rs")).exists() {
        format!("src/{joined}.rs")
    } else {
        format!("src/{joined}/mod.rs")
    }
}

/// The rank of the shell layer in [`LAYERS`]: only it (and the support under
/// everything, which its helpers serve) may use `anyhow`.
const SHELL_RANK: usize = 6;

/// Lines of a file under the shells that use `anyhow`.
fn anyhow_lines(path: &str, text: &str) -> Vec<String> {
    let code = strip_comments_and_strings(text);
    code.lines()
        .enumerate()
        .filter(|(_, line)| line.contains("anyhow"))
        .map(|(index, _)| {
            format!(
                "{path}:{}: anyhow under the shell layer: return a typed error (anyhow is for shells)",
                index + 1
            )
        })
        .collect()
}

/// Lines of a pure file that touch files, the terminal or the clock.
fn impure_lines(path: &str, text: &str) -> Vec<String> {
    let code = strip_comments_and_strings(text);
    code.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let marker = IMPURE_MARKERS.iter().find(|marker| line.contains(*marker))?;
            Some(format!(
                "{path}:{}: {marker} in a file documented as pure (no I/O, no clock): move it to its shell",
                index + 1
            ))
        })
        .collect()
}

/// What a file in module `module` uses from the crate: (line, module path from the
/// crate root), in order. Paths of other crates are left out.
fn uses(text: &str, module: &[String]) -> Vec<(usize, Vec<String>)> {
    let tokens = tokens(&strip_comments_and_strings(text));
    let children: BTreeSet<&str> = tokens
        .windows(3)
        .filter(|window| window[0].1 == "mod" && window[2].1 == ";")
        .map(|window| window[1].1.as_str())
        .collect();
    let mut found = Vec::new();
    // Inline modules (`mod tests { … }`) open at a brace depth; paths inside are theirs.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut index = 0;
    while index < tokens.len() {
        let (line, token) = (tokens[index].0, tokens[index].1.as_str());
        let mut here: Vec<String> = module.to_vec();
        here.extend(inline.iter().map(|(name, _)| name.clone()));
        let at_file_level = inline.is_empty();
        match token {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, opened)| *opened == depth) {
                    inline.pop();
                }
            }
            "mod" if tokens.get(index + 2).is_some_and(|next| next.1 == "{") => {
                inline.push((tokens[index + 1].1.clone(), depth));
            }
            "use" => {
                let mut paths = Vec::new();
                index += 1;
                use_tree(&tokens, &mut index, Vec::new(), &mut paths);
                for (line, path) in paths {
                    if let Some(resolved) = resolve(&path, &here, &children, at_file_level) {
                        found.push((line, resolved));
                    }
                }
                continue;
            }
            _ => {
                let starts_path = tokens.get(index + 1).is_some_and(|next| next.1 == "::")
                    && (index == 0 || !matches!(tokens[index - 1].1.as_str(), "::" | "."));
                if starts_path && is_identifier(token) {
                    let mut path = vec![token.to_owned()];
                    let mut next = index + 1;
                    while tokens.get(next).is_some_and(|t| t.1 == "::")
                        && tokens.get(next + 1).is_some_and(|t| is_identifier(&t.1))
                    {
                        path.push(tokens[next + 1].1.clone());
                        next += 2;
                    }
                    if let Some(resolved) = resolve(&path, &here, &children, at_file_level) {
                        found.push((line, resolved));
                    }
                    index = next;
                    continue;
                }
            }
        }
        index += 1;
    }
    found
}

/// A path as written, from the crate root; `None` for another crate's.
fn resolve(
    path: &[String],
    here: &[String],
    children: &BTreeSet<&str>,
    at_file_level: bool,
) -> Option<Vec<String>> {
    let mut rest: Vec<String> = path.to_vec();
    if rest.last().is_some_and(|last| last == "self") {
        rest.pop();
    }
    let first = rest.first()?.clone();
    let mut resolved = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut base = here.to_vec();
            while rest.first().is_some_and(|segment| segment == "super") {
                base.pop();
                rest.remove(0);
            }
            rest.insert(0, "super".to_owned());
            base
        }
        child if at_file_level && children.contains(child) => {
            rest.insert(0, "self".to_owned());
            here.to_vec()
        }
        _ => return None,
    };
    resolved.extend(rest.into_iter().skip(1));
    Some(resolved)
}

/// Reads one `use` tree from `tokens[*index]` up to its end (`;`, or the `,`/`}` that
/// closes it in a group), adding every full path it names to `paths` with the line of
/// its last segment.
fn use_tree(
    tokens: &[(usize, String)],
    index: &mut usize,
    prefix: Vec<String>,
    paths: &mut Vec<(usize, Vec<String>)>,
) {
    let mut path = prefix;
    while let Some((_, token)) = tokens.get(*index) {
        match token.as_str() {
            "::" => *index += 1,
            "{" => {
                *index += 1;
                while tokens.get(*index).is_some_and(|t| t.1 != "}") {
                    use_tree(tokens, index, path.clone(), paths);
                    if tokens.get(*index).is_some_and(|t| t.1 == ",") {
                        *index += 1;
                    }
                }
                *index += 1;
                return;
            }
            "*" => {
                paths.push((tokens[*index].0, path));
                *index += 1;
                return;
            }
            "as" => *index += 2,
            ";" | "," | "}" => {
                if !path.is_empty() {
                    paths.push((tokens[*index - 1].0, path));
                }
                if token == ";" {
                    *index += 1;
                }
                return;
            }
            segment => {
                path.push(segment.to_owned());
                *index += 1;
            }
        }
    }
}

fn is_identifier(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
}

/// Identifiers, numbers, `::` and single punctuation characters, with their lines.
fn tokens(code: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let (mut index, mut line) = (0, 1);
    while index < chars.len() {
        let c = chars[index];
        if c == '\n' {
            line += 1;
            index += 1;
        } else if c.is_whitespace() {
            index += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = index;
            while index < chars.len() && (chars[index].is_alphanumeric() || chars[index] == '_') {
                index += 1;
            }
            tokens.push((line, chars[start..index].iter().collect()));
        } else if c == ':' && chars.get(index + 1) == Some(&':') {
            tokens.push((line, "::".to_owned()));
            index += 2;
        } else {
            tokens.push((line, c.to_string()));
            index += 1;
        }
    }
    tokens
}

/// The code with every comment and the inside of every string and character literal
/// blanked out (newlines kept, so lines still count).
pub(crate) fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let identifier_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let next = chars.get(index + 1).copied();
        if c == '/' && next == Some('/') {
            while index < chars.len() && chars[index] != '\n' {
                out.push(' ');
                index += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut nesting = 0;
            while index < chars.len() {
                if chars[index] == '/' && chars.get(index + 1) == Some(&'*') {
                    nesting += 1;
                    out.push_str("  ");
                    index += 2;
                } else if chars[index] == '*' && chars.get(index + 1) == Some(&'/') {
                    nesting -= 1;
                    out.push_str("  ");
                    index += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[index]));
                    index += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && (index == 0
                || !identifier_char(chars[index - 1])
                || (chars[index - 1] == 'b' && (index < 2 || !identifier_char(chars[index - 2]))))
        {
            // A raw string: r"…", r#"…"#, br"…".
            let mut hashes = 0;
            let mut at = index + 1;
            while chars.get(at) == Some(&'#') {
                hashes += 1;
                at += 1;
            }
            if chars.get(at) != Some(&'"') {
                out.push(c);
                index += 1;
                continue;
            }
            out.push('"');
            index = at + 1;
            while index < chars.len() {
                let closes = chars[index] == '"'
                    && (1..=hashes).all(|offset| chars.get(index + offset) == Some(&'#'));
                if closes {
                    out.push('"');
                    index += 1 + hashes;
                    break;
                }
                out.push(blank(chars[index]));
                index += 1;
            }
        } else if c == '"' {
            out.push('"');
            index += 1;
            while index < chars.len() && chars[index] != '"' {
                if chars[index] == '\\' {
                    out.push(' ');
                    index += 1;
                }
                if let Some(&escaped) = chars.get(index) {
                    out.push(blank(escaped));
                }
                index += 1;
            }
            out.push('"');
            index += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{7f}'), or a lifetime ('a), left as is.
            let end = if next == Some('\\') {
                (index + 3..chars.len().min(index + 12)).find(|&at| chars[at] == '\'')
            } else if chars.get(index + 2) == Some(&'\'') {
                Some(index + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push_str("' ");
                    out.extend(std::iter::repeat_n(' ', end - index - 2));
                    out.push('\'');
                    index = end + 1;
                }
                None => {
                    out.push(c);
                    index += 1;
                }
            }
        } else {
            out.push(c);
            index += 1;
        }
    }
    out
}
