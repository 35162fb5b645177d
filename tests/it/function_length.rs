//! Functions short enough to see whole, enforced (TigerBeetle's rule, in STYLE.md): no
//! function under `src/` or `tools/` is longer than [`FUNCTION_LINES_MAX`] lines, from
//! its `fn` line to its closing brace, counting every line, unless the line right above
//! the `fn` says why: `// Long because: …`. The reason is there for the reader; a long
//! function without one is named here with its file, line and length.

use crate::layers::strip_comments_and_strings;
use crate::support::repo_path;
use std::path::Path;

/// The longest a function may be without a reason in a comment, in lines.
const FUNCTION_LINES_MAX: usize = 80;

/// What the line right above a long function must start with.
const REASON_MARKER: &str = "// Long because:";

/// A function's place and size.
#[derive(Debug, PartialEq)]
struct Function {
    /// Its `fn` line, counted from 1.
    line: usize,
    name: String,
    /// From the `fn` line to the closing brace, both included.
    lines: usize,
    /// Whether the line above starts with [`REASON_MARKER`].
    has_reason: bool,
}

#[test]
fn no_function_under_src_or_tools_is_longer_than_the_limit_without_a_reason() {
    let mut files = Vec::new();
    for root in ["src", "tools"] {
        rust_files(&repo_path(root), root, &mut files);
    }
    files.sort();
    assert!(
        files.iter().any(|file| file == "src/lib.rs"),
        "the walk found the sources"
    );
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(repo_path(file)).unwrap();
        for function in functions(&text) {
            if function.lines > FUNCTION_LINES_MAX && !function.has_reason {
                problems.push(format!(
                    "{file}:{} fn {} is {} lines",
                    function.line, function.name, function.lines
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} function(s) longer than {FUNCTION_LINES_MAX} lines: split them, or put \
         `{REASON_MARKER} …` on the line above the `fn` (tests/it/function_length.rs):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_finder_measures_bodies_skips_declarations_comments_and_strings_and_sees_reasons() {
    let body = "    let x = 1;\n".repeat(FUNCTION_LINES_MAX - 3);
    let text = format!(
        "// fn in_a_comment() {{\n\
         trait T {{\n    fn declared(&self) -> u8;\n}}\n\
         pub(crate) fn long(\n    a: u8,\n) -> u8 {{\n{body}}}\n\
         // Long because: one match, read whole.\n\
         fn explained() {{\n{body}\n\n}}\n\
         impl X {{\n    pub async fn nested() {{ let s = \"fn not_me() {{\"; }}\n}}\n"
    );
    let found = functions(&text);
    let summary: Vec<(usize, &str, usize, bool)> = found
        .iter()
        .map(|f| (f.line, f.name.as_str(), f.lines, f.has_reason))
        .collect();
    assert_eq!(
        summary,
        vec![
            (5, "long", FUNCTION_LINES_MAX + 1, false),
            (87, "explained", FUNCTION_LINES_MAX + 1, true),
            (169, "nested", 1, false),
        ]
    );
}

/// The `.rs` files under `dir`, named from the repository root with `/` separators.
fn rust_files(dir: &Path, name: &str, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let child = format!("{name}/{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            rust_files(&path, &child, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(child);
        }
    }
}

/// Every function with a body in `text`: a line whose code starts (after qualifiers such
/// as `pub(crate)`, `const`, `async`, `unsafe`, `extern "C"`) with `fn name`, measured to
/// the brace that closes its body. Comments and string literals are blanked first, so
/// neither can open a function or a brace.
fn functions(text: &str) -> Vec<Function> {
    let raw: Vec<&str> = text.lines().collect();
    let code = strip_comments_and_strings(text);
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(name) = function_name(line) else {
            continue;
        };
        let Some(last) = closing_line(&lines, index) else {
            continue;
        };
        let has_reason = index > 0 && raw[index - 1].trim_start().starts_with(REASON_MARKER);
        found.push(Function {
            line: index + 1,
            name,
            lines: last - index + 1,
            has_reason,
        });
    }
    found
}

/// The name of the function this line of code declares, if it declares one.
fn function_name(line: &str) -> Option<String> {
    let mut rest = line.trim_start();
    loop {
        let before = rest;
        for qualifier in ["pub(crate)", "pub(super)", "pub(self)", "pub", "default"] {
            rest = rest.strip_prefix(qualifier).unwrap_or(rest).trim_start();
        }
        for qualifier in ["const", "async", "unsafe", "extern"] {
            if let Some(after) = rest.strip_prefix(qualifier) {
                if after.starts_with(' ') {
                    rest = after.trim_start();
                }
            }
        }
        // An ABI string (`extern "C"`), its inside blanked.
        if let Some(after) = rest.strip_prefix('"') {
            rest = after
                .split_once('"')
                .map_or(rest, |(_, tail)| tail.trim_start());
        }
        if rest == before {
            break;
        }
    }
    let after = rest.strip_prefix("fn ")?;
    let name: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The index of the line holding the brace that closes the body of the function
/// declared at `start`, or `None` for a declaration without a body (`fn f();`).
fn closing_line(lines: &[&str], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut opened = false;
    for (index, line) in lines.iter().enumerate().skip(start) {
        for c in line.chars() {
            match c {
                ';' if !opened && depth == 0 => return None,
                '(' | '[' if !opened => depth += 1,
                ')' | ']' if !opened => depth = depth.saturating_sub(1),
                '{' => {
                    opened = true;
                    depth += 1;
                }
                '}' if opened => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            }
        }
    }
    None
}
