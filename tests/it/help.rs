//! The help teaches: every subcommand of both binaries shows examples, each example is
//! one line however narrow the terminal, names its data (`--data-dir` or `--server`),
//! and runs as shown, in order, against the demo's data directory made as the README
//! makes it. `serve`'s own example starts a server that runs until stopped, so it is
//! only listed; an example marked `# while serve runs` is run against a real server.

use crate::support::{listening_address, repo_path};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const FLEXLEDGER: &str = env!("CARGO_BIN_EXE_flexledger");
const AUDIT: &str = env!("CARGO_BIN_EXE_flexledger-audit");
/// Both binaries, by the name their examples call them.
const BINARIES: [(&str, &str); 2] = [("flexledger", FLEXLEDGER), ("flexledger-audit", AUDIT)];
/// The subcommand whose examples are not run: it serves until it is stopped.
const SERVE: (&str, &str) = ("flexledger", "serve");
/// The address the server examples name; the test's server listens on a free port.
const EXAMPLE_SERVER: &str = "http://127.0.0.1:7878";
/// Narrower than any example line, and wide enough for none to wrap.
const COLUMNS_NARROW: &str = "40";
const COLUMNS_WIDE: &str = "400";

/// One help text: the binary, its subcommand (`""` for the binary's own) and the text.
struct Help {
    binary: &'static str,
    subcommand: String,
    text: String,
}

impl Help {
    fn name(&self) -> String {
        format!("{} {}", self.binary, self.subcommand)
            .trim()
            .to_owned()
    }

    /// The program that shows this help, and the arguments before `--help` (its
    /// subcommand, if any).
    fn program_and_args(&self) -> (&'static str, Vec<&str>) {
        let program = BINARIES
            .iter()
            .find(|(name, _)| *name == self.binary)
            .unwrap()
            .1;
        let mut args = vec![self.subcommand.as_str()];
        args.retain(|arg| !arg.is_empty());
        (program, args)
    }
}

/// A command with none of the variables that would stand in for an option.
fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.env(
        crate::support::LANGUAGE_PINNED.0,
        crate::support::LANGUAGE_PINNED.1,
    );
    for variable in [
        "FLEXLEDGER_DATA_DIR",
        "FLEXLEDGER_PUBLIC_KEY",
        "FLEXLEDGER_SIGNING_KEY",
        "FLEXLEDGER_TOKEN",
        "FLEXLEDGER_LOG",
    ] {
        command.env_remove(variable);
    }
    command.stdin(Stdio::null());
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `program args --help` on a terminal `columns` wide (clap reads `COLUMNS` when its
/// output is not a terminal).
fn help_text(program: &str, args: &[&str], columns: &str) -> String {
    let output = command(program)
        .args(args)
        .arg("--help")
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?} --help: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The subcommands a binary's help lists under `Commands:`, but `help`.
fn subcommands(root: &str) -> Vec<String> {
    root.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| line.starts_with("  ") && !line[2..].starts_with(' '))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every help of both binaries, the binary's own first, on a terminal `columns` wide.
fn helps(columns: &str) -> Vec<Help> {
    let mut helps = Vec::new();
    for (binary, program) in BINARIES {
        let root = help_text(program, &[], columns);
        let names = subcommands(&root);
        helps.push(Help {
            binary,
            subcommand: String::new(),
            text: root,
        });
        for subcommand in names {
            let text = help_text(program, &[&subcommand], columns);
            helps.push(Help {
                binary,
                subcommand,
                text,
            });
        }
    }
    helps
}

/// The lines under `Examples:` (or `Example:`), without their indent.
fn examples(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Examples:" && *line != "Example:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(|line| line[2..].to_owned())
        .collect()
}

/// Each command a line runs (split at pipes, `$(`, `;` and `&&`), as its words
/// without leading `NAME=value` assignments.
fn commands_in(line: &str) -> Vec<Vec<String>> {
    let code = line.split(" #").next().unwrap_or(line);
    code.replace("$(", "|")
        .replace("&&", "|")
        .replace([';', ')'], "|")
        .split('|')
        .map(|part| {
            part.split_whitespace()
                .skip_while(|word| word.contains('=') && !word.starts_with('-'))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

#[test]
fn both_command_lines_are_built_without_clap_complaints() {
    flexledger::cli::command().debug_assert();
    flexledger::audit::cli::command().debug_assert();
    flexledger::cli::help::check_examples(&flexledger::cli::TEACHING).unwrap();
    flexledger::cli::help::check_examples(&flexledger::audit::cli::TEACHING).unwrap();
}

#[test]
fn every_subcommand_shows_examples_that_no_terminal_wraps() {
    let narrow = helps(COLUMNS_NARROW);
    let wide = helps(COLUMNS_WIDE);
    assert_eq!(narrow.len(), wide.len());
    assert!(
        narrow.len() >= 20,
        "both binaries and their subcommands: {}",
        narrow.len()
    );
    for (narrow, wide) in narrow.iter().zip(&wide) {
        let name = narrow.name();
        let lines = examples(&wide.text);
        assert!(!lines.is_empty(), "`{name} --help` shows no example");
        if (narrow.binary, narrow.subcommand.as_str()) == SERVE {
            continue;
        }
        assert_eq!(
            examples(&narrow.text),
            lines,
            "`{name} --help`: an example is wrapped on a narrow terminal"
        );
        for line in &lines {
            for words in commands_in(line) {
                let Some(program) = BINARIES.iter().find(|(binary, _)| words[0] == *binary) else {
                    continue;
                };
                // `copy` names both of its stores with --from and --to.
                let needs_no_data = words
                    .iter()
                    .any(|word| word == "verify-bundle" || word == "copy");
                let names_data = words
                    .iter()
                    .any(|word| word == "--data-dir" || word == "--server");
                assert!(
                    needs_no_data || names_data,
                    "`{name} --help`: {} in {line:?} names no --data-dir",
                    program.0
                );
            }
        }
    }
}

/// What `--data-dir` says for each command is true of it, and `verify-bundle` and
/// `copy`, which read no data directory, do not offer one.
#[test]
fn the_data_dir_help_says_what_each_command_does_with_it() {
    for help in helps(COLUMNS_WIDE) {
        let name = help.name();
        let creates = matches!(
            (help.binary, help.subcommand.as_str()),
            ("flexledger", "submit" | "serve")
        );
        assert_eq!(
            help.text.contains("created if missing"),
            creates,
            "`{name} --help`:\n{}",
            help.text
        );
        let shown = help.text.contains("--data-dir <DATA_DIR>");
        assert_eq!(
            shown,
            !matches!(help.subcommand.as_str(), "verify-bundle" | "copy"),
            "`{name} --help` shows --data-dir: {shown}"
        );
    }
    // The commands that say they need an existing ledger refuse a missing one, and one
    // whose engine directory holds no engine files (a newcomer's probe emptied `sled/`
    // and removed the head witness: `verify` said ok with 0 events, and wrote a new
    // engine and witness there). Nothing is written into either.
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let emptied = dir.path().join("emptied");
    std::fs::create_dir_all(emptied.join("sled")).unwrap();
    let key = emptied.join("audit-signing-key");
    std::fs::write(&key, format!("{}\n", "7".repeat(64))).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let emptied_files = || {
        let mut names: Vec<_> = walkdir(&emptied);
        names.sort();
        names
    };
    let before = emptied_files();
    for (program, args) in [
        (FLEXLEDGER, vec!["member", crate::http::MEMBER]),
        (FLEXLEDGER, vec!["events"]),
        (FLEXLEDGER, vec!["verify"]),
        (FLEXLEDGER, vec!["rebuild"]),
        (FLEXLEDGER, vec!["region", "demo", "--month", "2025-01"]),
        (FLEXLEDGER, vec!["backup", "--out", "x.backup"]),
        (AUDIT, vec!["verify"]),
        (AUDIT, vec!["checkpoint"]),
    ] {
        for data_dir in [&missing, &emptied] {
            let output = command(program)
                .current_dir(dir.path())
                .arg("--data-dir")
                .arg(data_dir)
                .args(&args)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{args:?} {data_dir:?}");
            assert!(
                text(&output.stderr).contains("no ledger in"),
                "{args:?}: {}",
                text(&output.stderr)
            );
        }
        assert!(!missing.exists(), "{args:?} made the directory");
        assert_eq!(
            emptied_files(),
            before,
            "{args:?} wrote into the emptied directory"
        );
    }
}

/// Every file and directory under `dir`, as paths relative to it.
fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path.clone());
            }
            found.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    found
}

/// The exit code an example says it ends with: `# exit N`, else 0.
fn expected_exit(line: &str) -> i32 {
    line.rsplit_once("# exit ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A directory as the README leaves it: `examples/` and the demo in `demo-data`.
fn demo_directory() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo_path("examples"), &dir.path().join("examples"));
    let output = command(FLEXLEDGER)
        .current_dir(dir.path())
        .args(["--data-dir", "demo-data", "submit", "examples/demo.jsonl"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    dir
}

/// `flexledger --data-dir demo-data serve --demo` in `dir`, on a free port: the
/// server, its address and the tokens it printed, by role.
fn serve_demo(dir: &Path) -> (Child, String, Vec<(String, String)>) {
    use std::io::BufRead;
    let mut child = command(FLEXLEDGER)
        .current_dir(dir)
        .args(["--data-dir", "demo-data", "serve", "--demo"])
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let base = listening_address(&mut stdout)
        .unwrap_or_else(|line| panic!("serve names its address first: {line:?}"));
    let mut line = String::new();
    let mut tokens = Vec::new();
    for _ in 0..4 {
        line.clear();
        stdout.read_line(&mut line).unwrap();
        let (role, token) = line.trim().split_once(" token: ").unwrap();
        tokens.push((role.to_uppercase(), token.to_owned()));
    }
    (child, base, tokens)
}

/// Runs one example in `dir` as a shell runs it, with both binaries on the PATH.
fn run_example(dir: &Path, line: &str, env: &[(String, String)]) -> Output {
    let binaries = Path::new(FLEXLEDGER).parent().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![PathBuf::from(binaries)];
    paths.extend(std::env::split_paths(&path));
    command("sh")
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).unwrap())
        .envs(env.iter().map(|(name, value)| (name, value)))
        .args(["-c", line])
        .output()
        .unwrap()
}

#[test]
fn every_example_runs_as_shown_against_the_demo() {
    let demo = demo_directory();
    let mut failures = Vec::new();
    let mut ran = 0;
    for help in helps(COLUMNS_WIDE) {
        if (help.binary, help.subcommand.as_str()) == SERVE {
            continue;
        }
        // Each help's examples from a fresh copy of the demo, in their order.
        let dir = tempfile::tempdir().unwrap();
        copy_tree(demo.path(), dir.path());
        for line in examples(&help.text) {
            let mut server = None;
            let mut env = Vec::new();
            let mut shell_line = line.clone();
            if line.contains("# while serve runs") {
                let (child, base, tokens) = serve_demo(dir.path());
                shell_line = line.replace(EXAMPLE_SERVER, &base);
                env = tokens;
                server = Some(child);
            }
            let output = run_example(dir.path(), &shell_line, &env);
            if let Some(mut child) = server {
                let _ = child.kill();
                let _ = child.wait();
            }
            ran += 1;
            let expected = expected_exit(&line);
            if output.status.code() != Some(expected) {
                failures.push(format!(
                    "`{} --help`: {line}\n  exit {:?}, expected {expected}\n  stdout: {}\n  stderr: {}",
                    help.name(),
                    output.status.code(),
                    text(&output.stdout).chars().take(600).collect::<String>(),
                    text(&output.stderr)
                ));
            }
        }
    }
    assert!(ran >= 40, "every help's examples ran: {ran}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// One text a help shows: where (the command's catalog message and the attribute), the
/// English and what the Chinese help shows in its place.
struct Text {
    place: String,
    english: String,
    chinese: String,
}

/// Every text the help of `english`'s commands shows (about, long about, after help,
/// each shown argument's help and long help), beside the same text of `chinese`, the
/// same command line with its help in Chinese. Both are built, so the arguments clap
/// adds and copies are there.
fn texts_of(binary: &str, mut english: clap::Command, mut chinese: clap::Command) -> Vec<Text> {
    english.build();
    chinese.build();
    let mut texts = Vec::new();
    walk_texts(binary, &[], &english, &chinese, &mut texts);
    texts
}

fn walk_texts(
    binary: &str,
    path: &[&str],
    english: &clap::Command,
    chinese: &clap::Command,
    texts: &mut Vec<Text>,
) {
    let message = flexledger::cli::help::message_id(binary, path);
    let mut push = |attribute: &str, en: Option<String>, zh: Option<String>| {
        if let Some(en) = en {
            texts.push(Text {
                place: format!("{message}.{attribute}"),
                english: en,
                chinese: zh.unwrap_or_default(),
            });
        }
    };
    let string = |text: Option<&clap::builder::StyledStr>| text.map(ToString::to_string);
    push(
        "about",
        string(english.get_about()),
        string(chinese.get_about()),
    );
    push(
        "long-about",
        string(english.get_long_about()),
        string(chinese.get_long_about()),
    );
    push(
        "after-help",
        string(english.get_after_help()),
        string(chinese.get_after_help()),
    );
    for arg in english.get_arguments().filter(|arg| !arg.is_hide_set()) {
        let other = chinese
            .get_arguments()
            .find(|other| other.get_id() == arg.get_id());
        let id = arg.get_id().as_str();
        push(
            id,
            string(arg.get_help()),
            other.and_then(|o| string(o.get_help())),
        );
        push(
            &format!("{id} (long)"),
            string(arg.get_long_help()),
            other.and_then(|o| string(o.get_long_help())),
        );
    }
    for sub in english.get_subcommands() {
        let name = sub.get_name();
        let other = chinese.find_subcommand(name).unwrap();
        let mut sub_path = path.to_vec();
        sub_path.push(name);
        walk_texts(binary, &sub_path, sub, other, texts);
    }
}

/// Both binaries' help texts, English and Chinese, as (where, English, Chinese).
pub fn help_texts() -> Vec<(String, String, String)> {
    both_texts()
        .into_iter()
        // The Chinese is broken into lines for the terminal (`cli::wrap`), between any
        // two characters: a term may be cut by a line break.
        .map(|text| (text.place, text.english, text.chinese.replace('\n', "")))
        .collect()
}

/// Both binaries' help texts, English and Chinese.
fn both_texts() -> Vec<Text> {
    use flexledger::i18n::Language::{En, ZhCn};
    let mut texts = texts_of(
        "flexledger",
        flexledger::cli::command_in(En),
        flexledger::cli::command_in(ZhCn),
    );
    texts.extend(texts_of(
        "flexledger-audit",
        flexledger::audit::cli::command_in(En),
        flexledger::audit::cli::command_in(ZhCn),
    ));
    texts
}

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// Every text of every command and argument of both binaries has its Chinese: the
/// Chinese help shows another text, in Chinese, wherever the English shows one.
#[test]
fn every_help_text_of_both_binaries_is_in_chinese() {
    let problems = flexledger::i18n::Catalog::help_problems();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let texts = both_texts();
    assert!(texts.len() > 100, "{} texts", texts.len());
    let missing: Vec<String> = texts
        .iter()
        .filter(|text| text.chinese == text.english || !is_chinese(&text.chinese))
        .map(|text| {
            format!(
                "{}:\n    {}",
                text.place,
                text.english.replace('\n', "\n    ")
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{} texts have no Chinese:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The English of every help text, as it was when its Chinese in
/// `locales/zh-CN/help.ftl` was last written (`tests/help/english.txt`): an
/// English text changed in the code fails here, naming it, until its Chinese is brought
/// in step and the file rewritten with a variable of its own,
/// `UPDATE_HELP_ENGLISH=1 cargo test --test it english_help` (not the `UPDATE_EXPECT`
/// that rewrites every other expect file), so the Chinese help never goes on saying
/// what the English no longer says.
#[test]
fn the_english_help_the_chinese_was_written_from_is_the_expect_file() {
    let path = repo_path("tests/help/english.txt");
    let mut file = String::from(
        "# The English help texts locales/zh-CN/help.ftl says in Chinese. When one changes,\n\
         # change its Chinese in help.ftl too, then UPDATE_HELP_ENGLISH=1 cargo test --test it english_help.\n",
    );
    for text in both_texts() {
        file.push_str(&format!("\n== {}\n{}\n", text.place, text.english));
    }
    if std::env::var_os("UPDATE_HELP_ENGLISH").is_some_and(|value| value == "1") {
        std::fs::write(&path, &file).unwrap();
        return;
    }
    let written = std::fs::read_to_string(&path).unwrap();
    let sections =
        |text: &str| -> Vec<String> { text.split("\n== ").skip(1).map(str::to_owned).collect() };
    let (before, now) = (sections(&written), sections(&file));
    let changed: Vec<&String> = now.iter().filter(|text| !before.contains(text)).collect();
    let gone: Vec<&String> = before.iter().filter(|text| !now.contains(text)).collect();
    assert!(
        changed.is_empty() && gone.is_empty(),
        "the English of these help texts is not what their Chinese in \
         locales/zh-CN/help.ftl was written from: update the Chinese, then \
         UPDATE_HELP_ENGLISH=1 cargo test --test it english_help\n\
         now:\n{}\nwas:\n{}",
        changed
            .iter()
            .map(|text| format!("== {text}"))
            .collect::<Vec<_>>()
            .join("\n"),
        gone.iter()
            .map(|text| format!("== {text}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

/// ASCII words the Chinese help may show outside its examples: the names of programs,
/// engines, roles, formats and values it quotes as they are typed. Codes (`--data-dir`,
/// `R7`, `zh-CN`, `GET`) are recognised by shape (`support::english_words`).
const HELP_CODE_WORDS: &[&str] = &[
    "flexledger",
    "sled",
    "operator",
    "auditor",
    "subscriber",
    "en",
    "bundle",
    "csv",
    "postgres",
    "postgresql",
    "standby",
    "all",
    "key",
    "prospective",
    "sha256",
    "role",
    "token",
    "ok",
    "false",
    "true",
    "position",
    "message",
    "events",
    "duplicate",
    "id",
    "json",
    "svg",
    "gzip",
    "head",
    "out",
    "root",
    "bytes",
    "streams",
    "members",
    "name",
    "months",
    "lang",
    "timeline",
    "audit",
];

/// A PostgreSQL URL in `FLEXLEDGER_STORE` may hold a password: `--help` names the
/// variable and never prints its value, in either language.
#[test]
fn the_help_never_shows_the_store_url_from_the_environment() {
    for program in [FLEXLEDGER, AUDIT] {
        for how in [vec!["--lang", "en"], vec!["--lang", "zh-CN"]] {
            let mut how = how.clone();
            how.push("FLEXLEDGER_STORE=postgres://ledger:s3cret@db/ledger");
            let help = chinese_help(program, &["--help"], &how);
            assert!(
                help.contains("FLEXLEDGER_STORE"),
                "{program} {how:?}:\n{help}"
            );
            assert!(!help.contains("s3cret"), "{program} {how:?}:\n{help}");
        }
    }
}

/// `program args` with its help in Chinese, chosen as `how` says (a flag or the
/// environment), on a terminal too wide to wrap a line.
fn chinese_help(program: &str, args: &[&str], how: &[&str]) -> String {
    chinese_help_at(program, args, how, COLUMNS_WIDE)
}

/// `chinese_help` on a terminal `columns` wide.
fn chinese_help_at(program: &str, args: &[&str], how: &[&str], columns: &str) -> String {
    let mut command = command(program);
    command.env_remove("FLEXLEDGER_LANG");
    let (flags, environment): (Vec<&str>, Vec<&str>) = how
        .iter()
        .partition(|word| word.starts_with('-') || !word.contains('='));
    for setting in environment {
        let (name, value) = setting.split_once('=').unwrap();
        command.env(name, value);
    }
    let output = command
        .args(flags)
        .args(args)
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert!(output.status.success(), "{program} {args:?}: {output:?}");
    text(&output.stdout)
}

/// A Chinese help fits the terminal. clap breaks lines only at spaces and counts a
/// Chinese character as one column where a terminal shows two, so Chinese sentences
/// ran past the edge of an 80-column terminal; they are broken between characters now
/// (`cli::wrap`), and nothing but the line breaks differs from the help on a wide one.
#[test]
fn the_chinese_help_fits_an_80_column_terminal_and_loses_nothing() {
    use unicode_width::UnicodeWidthStr;
    // The examples are printed as they run, whatever the width (literal text).
    let body = |help: &str| -> String {
        help.lines()
            .take_while(|line| *line != "示例：")
            .collect::<Vec<_>>()
            .join("\n")
    };
    let squeezed = |help: &str| -> String { help.split_whitespace().collect() };
    let mut problems = Vec::new();
    for help in helps(COLUMNS_WIDE) {
        let (program, args) = help.program_and_args();
        for flag in ["--help", "-h"] {
            let mut args = args.clone();
            args.push(flag);
            let lang = ["--lang", "zh-CN"];
            let narrow = body(&chinese_help_at(program, &args, &lang, "80"));
            let wide = body(&chinese_help_at(program, &args, &lang, COLUMNS_WIDE));
            // The usage line is clap's, as in English, which never breaks it.
            let lines = narrow.lines().filter(|line| !line.starts_with("用法："));
            for line in lines.filter(|line| line.width() > 80) {
                problems.push(format!(
                    "`{} {flag}`: {} columns: {line}",
                    help.name(),
                    line.width()
                ));
            }
            if squeezed(&narrow) != squeezed(&wide) {
                problems.push(format!(
                    "`{} {flag}`: differs from the wide help:\n{narrow}\n---\n{wide}",
                    help.name()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The lines of a Chinese help that are in English: outside the examples and the usage
/// line, a line with no Chinese character and words that are not codes.
fn english_lines(help: &str) -> Vec<String> {
    help.lines()
        .take_while(|line| *line != "示例：")
        .filter(|line| !line.starts_with("用法："))
        .filter(|line| !line.chars().any(|c| c >= '\u{3000}'))
        .filter(|line| crate::support::english_words(line, HELP_CODE_WORDS).len() >= 2)
        .map(str::to_owned)
        .collect()
}

/// Every help of both binaries is in Chinese when the language chosen is: Chinese
/// headings, clap's own lines translated, no English line left, the examples as they
/// are; chosen by `--lang` (either spelling, before or after the subcommand),
/// `FLEXLEDGER_LANG` or `LANG`, known before the arguments are parsed.
#[test]
fn the_chinese_help_of_both_binaries_has_no_english_line() {
    let english = helps(COLUMNS_WIDE);
    // The check can fail: the English help is all English lines.
    assert!(english_lines(&english[0].text).len() > 5);
    let mut problems = Vec::new();
    for help in &english {
        let (program, mut args) = help.program_and_args();
        args.push("--help");
        let chinese = chinese_help(program, &args, &["--lang", "zh-CN"]);
        for heading in ["用法：", "选项：", "显示帮助"] {
            if !chinese.contains(heading) {
                problems.push(format!("`{}`: no {heading}", help.name()));
            }
        }
        for english_heading in ["Usage:", "Options:", "Arguments:", "Commands:", "Examples:"] {
            if chinese.contains(english_heading) {
                problems.push(format!("`{}`: {english_heading}", help.name()));
            }
        }
        // Commands as they are; `serve`'s comments between them and the notes after
        // them (`   # …`) are translated.
        let code = |help: &str| -> Vec<String> {
            let lines = examples(help);
            lines
                .into_iter()
                .filter(|line| !line.starts_with('#'))
                .map(|line| match line.split_once("   # ") {
                    Some((command, _)) => command.to_owned(),
                    None => line,
                })
                .collect()
        };
        if code(&help.text) != code(&chinese.replace("示例：", "Examples:")) {
            problems.push(format!("`{}`: the examples differ", help.name()));
        }
        for line in english_lines(&chinese) {
            problems.push(format!("`{}`: {line}", help.name()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The language of the help is the one `--lang`, then `FLEXLEDGER_LANG`, `LC_ALL` and
/// `LANG` choose, as for everything else the binaries print; a `--lang` naming no
/// language is refused with `--help` too (`i18n::an_unknown_lang_flag_is_refused_with_the_choices`):
/// English help in its place would look as if the flag were heard.
#[test]
fn the_help_speaks_the_language_chosen_before_parsing() {
    let summary = "提交命令（每行一个 JSON 对象），每行输出一个结果";
    for how in [
        vec!["--lang", "zh-CN"],
        vec!["--lang=zh-CN"],
        vec!["FLEXLEDGER_LANG=zh-CN"],
        vec!["LANG=zh_CN.UTF-8"],
        vec!["LC_ALL=zh_CN.UTF-8", "LANG=en_US.UTF-8"],
    ] {
        let root = chinese_help(FLEXLEDGER, &["--help"], &how);
        assert!(root.contains(summary), "{how:?}:\n{root}");
        let submit = chinese_help(FLEXLEDGER, &["submit", "-h"], &how);
        assert!(
            submit.contains("命令文件，每行一个 JSON 对象"),
            "{how:?}:\n{submit}"
        );
        let audit = chinese_help(AUDIT, &["verify", "--help"], &how);
        assert!(audit.contains("遍历整个存储"), "{how:?}:\n{audit}");
    }
    // `help SUBCOMMAND`, and --lang after the subcommand.
    let help = chinese_help(FLEXLEDGER, &["help", "submit"], &["LANG=zh_CN.UTF-8"]);
    assert!(help.contains("带有 \"command_id\""), "{help}");
    let after = chinese_help(AUDIT, &["export", "--help", "--lang", "zh-CN"], &[]);
    assert!(after.contains("[可选值：bundle、csv]"), "{after}");
    // English wherever English is chosen.
    for how in [
        vec!["--lang", "en"],
        vec!["FLEXLEDGER_LANG=en", "LANG=zh_CN.UTF-8"],
        vec!["LC_ALL=C", "LANG=zh_CN.UTF-8"],
    ] {
        let root = chinese_help(FLEXLEDGER, &["--help"], &how);
        assert!(root.contains("Usage:") && !root.contains("用法"), "{how:?}");
        assert_eq!(root, help_text(FLEXLEDGER, &[], COLUMNS_WIDE), "{how:?}");
    }
    let version = chinese_help(FLEXLEDGER, &["-V"], &["--lang", "zh-CN"]);
    assert!(version.starts_with("flexledger "), "{version}");
}

/// The `--lang` the help is chosen by is found before clap parses, in either spelling,
/// the last one given, and not after `--` (the environment decides then, as it does
/// for a command line without `--lang`).
#[test]
fn the_help_language_is_read_from_the_arguments_before_parsing() {
    use flexledger::cli::help_language;
    use flexledger::i18n::Language;
    let of = |args: &[&str]| {
        let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        help_language(&args)
    };
    assert_eq!(
        of(&["flexledger", "--lang", "zh-CN", "--help"]),
        Language::ZhCn
    );
    assert_eq!(
        of(&["flexledger", "submit", "--help", "--lang=zh"]),
        Language::ZhCn
    );
    assert_eq!(
        of(&["flexledger", "--lang", "zh-CN", "--lang", "en", "--help"]),
        Language::En
    );
    // A --lang naming no language: English, for the words of its refusal
    // (`refuse_unknown_lang`).
    assert_eq!(of(&["flexledger", "--lang", "fr", "--help"]), Language::En);
    assert_eq!(of(&["flexledger", "--lang"]), of(&["flexledger"]));
    // A trailing --lang with no value (clap refuses it) keeps the language before it.
    assert_eq!(
        of(&["flexledger", "--lang", "zh-CN", "member", "--lang"]),
        Language::ZhCn
    );
    assert_eq!(
        of(&["flexledger", "--", "--lang", "zh-CN"]),
        of(&["flexledger"])
    );
}

/// The Chinese command lines parse every argument as the English ones do: only the
/// texts differ (the Chinese is built before it parses, and changed after).
#[test]
fn the_chinese_command_lines_parse_as_the_english_ones() {
    use clap::FromArgMatches;
    use flexledger::i18n::Language::{En, ZhCn};
    let member = crate::http::MEMBER;
    let flexledger_lines: Vec<Vec<&str>> = vec![
        vec!["flexledger", "--data-dir", "d", "submit", "-"],
        vec![
            "flexledger",
            "member",
            member,
            "--as-of",
            "3",
            "--lang",
            "zh-CN",
        ],
        vec!["flexledger", "events", "--from", "2", "--member", member],
        vec!["flexledger", "region", "demo", "--month", "2025-09"],
        vec!["flexledger", "serve", "--listen", "127.0.0.1:0", "--demo"],
        vec!["flexledger", "copy", "--from", "a", "--to", "b"],
        vec!["flexledger", "restore", "x.backup", "--signing-key", "k"],
        vec![
            "flexledger",
            "verify",
            "--accept-head",
            "--store",
            "postgres://h/d",
        ],
    ];
    for line in &flexledger_lines {
        let parse = |language| {
            let matches = flexledger::cli::command_in(language).try_get_matches_from(line);
            format!(
                "{:?}",
                matches.and_then(|m| flexledger::cli::Cli::from_arg_matches(&m))
            )
        };
        assert_eq!(parse(ZhCn), parse(En), "{line:?}");
        assert!(parse(En).starts_with("Ok("), "{line:?}: {}", parse(En));
    }
    let audit_lines: Vec<Vec<&str>> = vec![
        vec![
            "flexledger-audit",
            "verify-bundle",
            "b",
            "--public-key",
            "00",
        ],
        vec![
            "flexledger-audit",
            "explain",
            "--member",
            member,
            "--month",
            "2025-07",
        ],
        vec![
            "flexledger-audit",
            "replay",
            "--member",
            member,
            "--as-of",
            "27",
            "--json",
        ],
        vec![
            "flexledger-audit",
            "export",
            "--region",
            "demo",
            "--format",
            "csv",
            "--out",
            "-",
        ],
        vec![
            "flexledger-audit",
            "prove",
            "--position",
            "17",
            "--to",
            "20",
        ],
        vec![
            "flexledger-audit",
            "whatif",
            "--policy",
            "-",
            "--region",
            "demo",
        ],
        vec!["flexledger-audit", "checkpoint", "--list"],
    ];
    for line in &audit_lines {
        let parse = |language| {
            let matches = flexledger::audit::cli::command_in(language).try_get_matches_from(line);
            format!(
                "{:?}",
                matches.and_then(|m| flexledger::audit::cli::AuditCli::from_arg_matches(&m))
            )
        };
        assert_eq!(parse(ZhCn), parse(En), "{line:?}");
        assert!(parse(En).starts_with("Ok("), "{line:?}: {}", parse(En));
    }
}

/// `help --help` asks the `help` subcommand for its own help, as `git help --help`
/// does, and `help NAME --help` for NAME's: clap refused both as "unrecognized
/// subcommand '--help'" (exit 2). Global options before `help` are skipped with their
/// values; in Chinese too.
#[test]
fn help_asked_for_its_help_answers_instead_of_refusing() {
    for program in [FLEXLEDGER, AUDIT] {
        for how in [vec!["--lang", "en"], vec!["--lang", "zh-CN"]] {
            let of_help = chinese_help(program, &["help", "help"], &how);
            for asked in [
                &["help", "--help"][..],
                &["help", "-h"],
                &["--data-dir", "help", "help", "--help"],
            ] {
                assert_eq!(
                    chinese_help(program, asked, &how),
                    of_help,
                    "{program} {how:?} {asked:?}"
                );
            }
            let of_verify = chinese_help(program, &["help", "verify"], &how);
            assert!(of_verify.contains("verify"), "{program}: {of_verify}");
            let asked = chinese_help(program, &["help", "verify", "--help"], &how);
            assert_eq!(asked, of_verify, "{program} {how:?}");
        }
    }
}
