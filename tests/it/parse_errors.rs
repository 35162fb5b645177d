//! A command line that does not parse is refused in the reader's language (D52): clap's
//! own error (what is wrong, the suggestions, the usage) in Chinese under `--lang
//! zh-CN`, saying the same facts as the English, which stays clap's text.

use std::process::Output;

const FLEXLEDGER: &str = env!("CARGO_BIN_EXE_flexledger");
const AUDIT: &str = env!("CARGO_BIN_EXE_flexledger-audit");
const MEMBER: &str = "7f0c4a59-32f3-4b4e-9d0e-1a2b3c4d5e6f";

/// Bad command lines of both binaries, one or more for each kind of clap error they
/// can meet, and each value parser's refusal.
const BAD_LINES: &[(&str, &[&str])] = &[
    // An unknown subcommand, with a similar one.
    (FLEXLEDGER, &["memberz"]),
    // A required argument missing.
    (FLEXLEDGER, &["member"]),
    // Values the parsers refuse: a UUID, a position, our own parsers' words.
    (FLEXLEDGER, &["member", "not-a-uuid"]),
    (FLEXLEDGER, &["events", "--from", "x"]),
    (FLEXLEDGER, &["events", "--from", "99999999999999999999999"]),
    (FLEXLEDGER, &["events", "--from", "-1"]),
    (AUDIT, &["prove", "--position", "-3"]),
    (FLEXLEDGER, &["serve", "--cors-origin", "ftp://x"]),
    (FLEXLEDGER, &["serve", "--cors-origin", "https://x/path"]),
    (
        AUDIT,
        &["explain", "--member", MEMBER, "--month", "2025-13"],
    ),
    (AUDIT, &["whatif", "--region", "a/b", "--policy", "p.json"]),
    // `-` is standard input or output for a file, and no directory (a probe's ledger
    // was made in `./-`).
    (FLEXLEDGER, &["--data-dir", "-", "verify"]),
    // Nor is an empty one (it would make the ledger's files in the current directory).
    (FLEXLEDGER, &["--data-dir", "", "verify"]),
    (AUDIT, &["--data-dir", "-", "verify"]),
    (FLEXLEDGER, &["copy", "a", "b", "--from-data-dir", "-"]),
    (
        AUDIT,
        &["replay", "--member", MEMBER, "--as-of-time", "2025-01-01"],
    ),
    // An unknown argument, with a similar one; with a tip to pass it as a value.
    (FLEXLEDGER, &["verify", "--acept-head"]),
    (FLEXLEDGER, &["submit", "--x"]),
    // A value missing, an argument given twice, a value not among the possible ones.
    (FLEXLEDGER, &["--data-dir"]),
    (FLEXLEDGER, &["verify", "--accept-head", "--accept-head"]),
    (AUDIT, &["export", "--format", "xml"]),
    // Too many values.
    (FLEXLEDGER, &["submit", "a", "b"]),
];

fn run(program: &str, language: &str, args: &[&str]) -> Output {
    std::process::Command::new(program)
        .env_remove("FLEXLEDGER_LANG")
        .env("LANG", "C")
        .args(["--lang", language])
        .args(args)
        .output()
        .unwrap()
}

/// The texts between single quotes: the arguments, values and suggestions an error
/// names, which are the same in every language.
fn quoted(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    found.sort();
    found
}

#[test]
fn a_command_line_that_does_not_parse_is_refused_in_the_language_asked_for() {
    let mut problems = Vec::new();
    for (program, args) in BAD_LINES {
        let what = format!("{} {args:?}", program.rsplit('/').next().unwrap_or(program));
        let english = run(program, "en", args);
        let chinese = run(program, "zh-CN", args);
        let (english_text, chinese_text) = (
            String::from_utf8_lossy(&english.stderr).into_owned(),
            String::from_utf8_lossy(&chinese.stderr).into_owned(),
        );
        if english.status.code() != Some(2) || chinese.status.code() != Some(2) {
            problems.push(format!(
                "{what}: not exit 2 in both:\n{english_text}\n{chinese_text}"
            ));
            continue;
        }
        // English is clap's own text, untouched.
        if !english_text.starts_with("error: ")
            || !english_text.contains("For more information, try '--help'.")
        {
            problems.push(format!("{what}: not clap's English:\n{english_text}"));
        }
        if !chinese_text.starts_with("错误：") || !chinese_text.contains("更多信息请用 '--help'。")
        {
            problems.push(format!("{what}: not Chinese:\n{chinese_text}"));
        }
        // The same facts: every argument, value and suggestion the English names.
        if quoted(&english_text) != quoted(&chinese_text) {
            problems.push(format!(
                "{what}: the quoted names differ:\n{english_text}\n{chinese_text}"
            ));
        }
        // No line left in English (a line of names only, as a required argument's, is
        // not a sentence), outside the usage line.
        for line in chinese_text
            .lines()
            .filter(|line| !line.starts_with("用法："))
        {
            let chinese = line.chars().any(|c| c >= '\u{3000}');
            if !chinese && crate::support::english_words(line, &[]).len() >= 2 {
                problems.push(format!("{what}: English left: {line}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// A negative number for an option that takes a position or a size is that option's
/// bad value, named with it, not an "unexpected argument '-1'" that leaves the reader
/// to guess which option it was meant for (clap's default for a value that looks like
/// a flag).
#[test]
fn a_negative_position_is_the_option_s_bad_value() {
    for (program, args, option) in [
        (
            FLEXLEDGER,
            &["events", "--from", "-1"][..],
            "'--from <POSITION>'",
        ),
        (
            FLEXLEDGER,
            &["member", MEMBER, "--as-of", "-5"][..],
            "'--as-of <POSITION>'",
        ),
        (
            AUDIT,
            &["prove", "--position", "-3"][..],
            "'--position <POSITION>'",
        ),
        (AUDIT, &["prove", "--from", "-3"][..], "'--from <SIZE>'"),
        (
            AUDIT,
            &["replay", "--member", MEMBER, "--as-of", "-2"][..],
            "'--as-of <POSITION>'",
        ),
    ] {
        for language in ["en", "zh-CN"] {
            let output = run(program, language, args);
            let text = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
            assert!(text.contains(option), "{args:?} {language}: {text}");
            assert!(!text.contains("unexpected argument"), "{args:?}: {text}");
        }
    }
}
