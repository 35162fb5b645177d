//! The command line as a new user meets it: help, malformed input, exit codes, reads.

use crate::support::*;
use serde_json::Value;

const MEMBER: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

fn demo_lines() -> Vec<String> {
    let scenario = read_json(&repo_path("tests/scenarios/backpay_within_grace.json"));
    scenario["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["command"].to_string())
        .collect()
}

#[test]
fn a_malformed_line_is_reported_on_its_line_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = demo_lines();
    lines.insert(2, "{\"command\":\"pay\",\"member_id\":\"0b53af7d-bb50-5037-9d21-49eba4cb5782\",\"months\":[\"2025-01\"],\"amount\":600,\"paid_on\":\"2025-01-10\"}".into());
    lines.insert(3, "this is not json".into());
    lines.insert(4, String::new());
    // Blank lines after the last command (an editor's extra newlines) are no lines.
    let input = lines.join("\n") + "\n\n \r\n";
    let output = flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()));
    assert_eq!(output.status.code(), Some(1));
    let results = stdout_lines(&output);
    assert_eq!(results.len(), lines.len(), "one result per input line");
    for (index, message_part) in [
        (2, "line 3: pay: field `amount`"),
        (3, "line 4: not valid JSON"),
        (4, "line 5: line is empty"),
    ] {
        assert_eq!(results[index]["error"]["code"], "invalid_command");
        let message = results[index]["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(message_part), "{message}");
    }
    let accepted = results.iter().filter(|result| result["ok"] == true).count();
    assert_eq!(accepted, lines.len() - 3, "every other line was processed");
    // The summary counts the lines answered, not the blank ones after the last.
    let said = String::from_utf8_lossy(&output.stderr);
    let summary = format!("lines refused: 3 of {} ", lines.len());
    assert!(said.contains(&summary), "{said}");
    let member = flexledger(dir.path(), &["member", MEMBER], None);
    let coverage: Value = serde_json::from_slice(&member.stdout).unwrap();
    assert_eq!(
        coverage["paid_through"], "2025-10",
        "the good lines' effects are all there"
    );
}

/// A file whose commands are all good but which ends in blank lines (an editor's or a
/// spreadsheet's extra newline) is a good import: exit 0, one result per command.
#[test]
fn blank_lines_after_the_last_command_are_no_lines() {
    let dir = tempfile::tempdir().unwrap();
    let lines = demo_lines();
    let file = dir.path().join("commands.jsonl");
    // An ideographic space (a Chinese input method's) is blank too.
    std::fs::write(&file, lines.join("\r\n") + "\r\n\r\n\u{3000}\r\n").unwrap();
    let output = flexledger(dir.path(), &["submit", file.to_str().unwrap()], None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = stdout_lines(&output);
    assert_eq!(results.len(), lines.len());
    assert!(results.iter().all(|result| result["ok"] == true));
}

/// A UTF-8 byte order mark at the very start of `submit`'s input (Notepad and Excel
/// write one) is no part of the first command, from a file or from standard input;
/// anywhere else it is: a line starting with one later is not JSON.
#[test]
fn a_byte_order_mark_at_the_start_of_the_input_is_skipped() {
    let lines = demo_lines();
    let bom = "\u{FEFF}";
    let input = format!("{bom}{}\n", lines.join("\n"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("commands.jsonl");
    std::fs::write(&file, &input).unwrap();
    let from_file = flexledger(
        &dir.path().join("file"),
        &["submit", file.to_str().unwrap()],
        None,
    );
    let from_stdin = flexledger(
        &dir.path().join("stdin"),
        &["submit", "-"],
        Some(input.as_bytes()),
    );
    for output in [from_file, from_stdin] {
        let results = stdout_lines(&output);
        assert_eq!(results.len(), lines.len());
        assert!(
            results.iter().all(|result| result["ok"] == true),
            "{results:?}"
        );
        assert_eq!(output.status.code(), Some(0));
    }
    let later = format!("{}\n{bom}{}\n", lines[0], lines[1]);
    let output = flexledger(
        &dir.path().join("later"),
        &["submit", "-"],
        Some(later.as_bytes()),
    );
    let results = stdout_lines(&output);
    assert_eq!(results[0]["ok"], true);
    let message = results[1]["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("line 2: not valid JSON"), "{message}");
}

/// A file saved as UTF-16 (Windows' "Unicode") is refused whole, before the ledger is
/// opened, naming the file and the conversion, with or without a byte order mark:
/// refused line by line, each line after the first began with a NUL byte and the
/// count of lines came out one too many.
#[test]
fn a_utf16_input_is_refused_whole_with_how_to_convert_it() {
    let text = format!("{}\n", demo_lines().join("\n"));
    let utf16 = |big_endian: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|unit| {
                if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                }
            })
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let with_mark = [&[0xFF, 0xFE][..], &utf16(false)].concat();
    for (name, bytes) in [
        ("marked.jsonl", with_mark),
        ("little.jsonl", utf16(false)),
        ("big.jsonl", utf16(true)),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let data = dir.path().join(format!("{name}.data"));
        let output = flexledger(&data, &["submit", file.to_str().unwrap()], None);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(output.stdout.is_empty(), "{name}: no line was decided");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains(&format!("{} is UTF-16 text", file.display()))
                && said.contains("iconv -f UTF-16 -t UTF-8"),
            "{name}: {said}"
        );
        assert!(!data.exists(), "{name}: refused before the ledger was made");
    }
}

#[test]
fn bad_input_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = flexledger(
        dir.path(),
        &["submit", "-"],
        Some(format!("{}\n", demo_lines()[0]).as_bytes()),
    );
    assert_eq!(first.status.code(), Some(0));
    let garbage = "{\"command\":\"close_month\"}\n[1,2]\n{\"command\":\"publish_policy\",\"region\":\"demo\"}\n\u{0}\u{1}\n{\"command\":\"pay\",\"member_id\":\"nope\"}\n";
    let output = flexledger(dir.path(), &["submit", "-"], Some(garbage.as_bytes()));
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout_lines(&output)
        .iter()
        .all(|result| result["error"]["code"] == "invalid_command"));
    let events = flexledger(dir.path(), &["events"], None);
    assert_eq!(
        stdout_lines(&events).len(),
        1,
        "only the first policy is stored"
    );
}

#[test]
fn an_unreadable_file_exits_2_and_an_unknown_member_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let output = flexledger(dir.path(), &["submit", "/nonexistent/commands.jsonl"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/commands.jsonl")
    );
    // A directory for a file is refused before the ledger is made: no empty ledger
    // is left behind.
    let input = tempfile::tempdir().unwrap();
    let named = input.path().display().to_string();
    let output = flexledger(dir.path(), &["submit", &named], None);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains(&format!("cannot read {named}")), "{said}");
    assert!(said.contains("Is a directory"), "{said}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{said}");
    // So is a directory given as the backup to restore, naming it (a newcomer's probe
    // was told only "cannot read the backup: Is a directory").
    let restored = dir.path().join("restored");
    let output = flexledger(&restored, &["restore", &named], None);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!("cannot read {named}: Is a directory")),
        "{said}"
    );
    assert!(!restored.exists(), "{said}");
    // In Chinese the system's words follow what they mean, said in Chinese.
    for (file, meaning) in [
        (
            "/nonexistent/commands.jsonl",
            "文件或目录不存在（No such file or directory",
        ),
        (named.as_str(), "这是一个目录，请给出文件（Is a directory）"),
    ] {
        let output = flexledger(dir.path(), &["--lang", "zh-CN", "submit", file], None);
        assert_eq!(output.status.code(), Some(2));
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains(&format!("无法读取 {file}：{meaning}")),
            "{said}"
        );
    }
    flexledger(
        dir.path(),
        &["submit", "-"],
        Some(format!("{}\n", demo_lines()[0]).as_bytes()),
    );
    let output = flexledger(dir.path(), &["member", MEMBER], None);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout_lines(&output)[0]["error"]["code"], "never_enrolled");
}

#[test]
fn events_and_as_of_read_what_was_appended() {
    let dir = tempfile::tempdir().unwrap();
    let input = demo_lines().join("\n") + "\n";
    assert_eq!(
        flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()))
            .status
            .code(),
        Some(0)
    );
    let all = stdout_lines(&flexledger(dir.path(), &["events"], None));
    let positions: Vec<u64> = all
        .iter()
        .map(|envelope| envelope["position"].as_u64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "positions start at 1 with no gaps"
    );
    let from = stdout_lines(&flexledger(dir.path(), &["events", "--from", "5"], None));
    assert_eq!(from.len(), all.len() - 4);
    let member_events = stdout_lines(&flexledger(
        dir.path(),
        &["events", "--member", MEMBER],
        None,
    ));
    assert!(member_events
        .iter()
        .all(|envelope| envelope["stream"] == format!("member-{MEMBER}")));
    // As of the first payment (position 3), the member had paid only January.
    let output = flexledger(dir.path(), &["member", MEMBER, "--as-of", "3"], None);
    let coverage: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(coverage["paid_through"], "2025-01");
    assert_eq!(coverage["position"], 3);
    assert_eq!(coverage["months"].as_array().unwrap().len(), 1);
}

/// `member --as-of` a position before the member's first event is not an unknown id:
/// exit 1 and `never_enrolled` as before (no events as of that position), but the
/// message names the first event's position and time, where the history begins.
#[test]
fn member_as_of_before_its_first_event_names_the_first_event() {
    let dir = tempfile::tempdir().unwrap();
    let input = demo_lines().join("\n") + "\n";
    flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()));
    let events = stdout_lines(&flexledger(
        dir.path(),
        &["events", "--member", MEMBER],
        None,
    ));
    let first = events[0]["position"].as_u64().unwrap();
    let recorded = events[0]["recorded_at"].as_str().unwrap();
    let before = (first - 1).to_string();
    let output = flexledger(dir.path(), &["member", MEMBER, "--as-of", &before], None);
    assert_eq!(output.status.code(), Some(1));
    let error = &stdout_lines(&output)[0]["error"];
    assert_eq!(error["code"], "never_enrolled");
    let message = format!(
        "member {MEMBER} had no events yet as of position {before}: the id is right, its first event \
         is at position {first} (recorded {recorded}); ask as of {first} or later"
    );
    assert_eq!(error["message"], message);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("flexledger: {message}\n")
    );
    let at_first = flexledger(
        dir.path(),
        &["member", MEMBER, "--as-of", &first.to_string()],
        None,
    );
    assert_eq!(at_first.status.code(), Some(0));
    let nobody = "11111111-2222-4333-8444-555555555555";
    let output = flexledger(dir.path(), &["member", nobody, "--as-of", &before], None);
    assert_eq!(
        stdout_lines(&output)[0]["error"]["message"],
        format!("member {nobody} has no events: check the id, or enroll the member first")
    );
}

#[test]
fn help_teaches_each_command() {
    let dir = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (vec!["--help"], "Exit codes"),
        (vec!["submit", "--help"], "command_id"),
        (vec!["member", "--help"], "--as-of"),
        (vec!["events", "--help"], "--member"),
        (vec!["events", "--help"], "stream_prev_hash"),
        (vec!["region", "--help"], "Only closed months are reported"),
        (vec!["--help"], "region   Print the bureau's report"),
    ] {
        let output = flexledger(dir.path(), &args, None);
        assert_eq!(output.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&output.stdout).contains(needle),
            "{args:?} help mentions {needle}"
        );
    }
}

#[test]
fn a_repeated_command_id_is_a_duplicate_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let lines = demo_lines();
    let with_ids: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut command: Value = serde_json::from_str(line).unwrap();
            command["command_id"] =
                Value::String(uuid::Uuid::from_u128(index as u128 + 1).to_string());
            command.to_string()
        })
        .collect();
    let input = with_ids.join("\n") + "\n";
    let first = flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()));
    let second = flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()));
    assert_eq!(second.status.code(), Some(0));
    let (first, second) = (stdout_lines(&first), stdout_lines(&second));
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            a["events"], b["events"],
            "the first result is returned again"
        );
        assert_eq!(b["duplicate"], true);
    }
    let events = stdout_lines(&flexledger(dir.path(), &["events"], None));
    // A close lists its region event; its members' events are in its summary (v2).
    let appended: u64 = first
        .iter()
        .map(|result| {
            let close = &result["close"];
            result["events"].as_array().unwrap().len() as u64
                + close["missed"].as_u64().unwrap_or(0)
                + close["withdrawn"].as_u64().unwrap_or(0)
        })
        .sum();
    assert_eq!(
        events.len() as u64,
        appended,
        "the second run appended nothing"
    );
}

/// Reading beyond the head is nothing yet, not damage; an unknown member is exit 1.
#[test]
fn events_beyond_the_head_are_empty_and_an_unknown_member_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let input = demo_lines().join("\n") + "\n";
    flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()));
    let beyond = flexledger(dir.path(), &["events", "--from", "1000"], None);
    assert_eq!(
        beyond.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&beyond.stderr)
    );
    assert!(beyond.stdout.is_empty());
    let unknown = flexledger(
        dir.path(),
        &["events", "--member", "00000000-0000-4000-8000-000000000000"],
        None,
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(stdout_lines(&unknown)[0]["error"]["code"], "never_enrolled");
}

/// A key named twice is refused, at any depth: the last value must not silently win.
#[test]
fn a_command_naming_a_key_twice_is_refused_and_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = demo_lines().join("\n") + "\n";
    flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()));
    let before = stdout_lines(&flexledger(dir.path(), &["events"], None)).len();
    let twice = concat!(
        r#"{"command":"withdraw","member_id":"0b53af7d-bb50-5037-9d21-49eba4cb5782","reason":"voluntary","command":"stop_deduction"}"#,
        "\n",
        r#"{"command":"publish_policy","region":"demo","effective_from":"2026-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic","tier":"gold"}]}"#,
        "\n"
    );
    let output = flexledger(dir.path(), &["submit", "-"], Some(twice.as_bytes()));
    assert_eq!(output.status.code(), Some(1));
    for result in stdout_lines(&output) {
        assert_eq!(result["error"]["code"], "invalid_command", "{result}");
        assert!(result["error"]["message"]
            .as_str()
            .unwrap()
            .contains("twice"));
    }
    assert_eq!(
        stdout_lines(&flexledger(dir.path(), &["events"], None)).len(),
        before
    );
}

/// `submit … | head -1`: the import stops with exit 2 and says how far it got, instead
/// of exiting 0 as if it had finished.
#[test]
fn a_closed_output_stops_submit_with_an_error_that_says_how_far_it_got() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let policy = demo_lines()[0].clone();
    let mut input = policy + "\n";
    for index in 0..6000u128 {
        let member = uuid::Uuid::from_u128(0xa11_0000 + index);
        input.push_str(&format!(
            r#"{{"command":"enroll","member_id":"{member}","region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}}"#
        ));
        input.push('\n');
    }
    let file = dir.path().join("commands.jsonl");
    std::fs::write(&file, input).unwrap();
    let mut child = flexledger_command(&dir.path().join("data"))
        .arg("submit")
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader goes away after one line (its end of the pipe is dropped above).
    let output = child.wait_with_output().unwrap();
    assert!(first.contains("\"ok\":true"), "{first}");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("standard output closed"), "{stderr}");
    assert!(stderr.contains("line(s) were read"), "{stderr}");
}

/// `backup --out - | gzip …` or `export --out - | ssh …` whose reader stops early: a
/// backup cut short is a failure (exit 2, saying so), never exit 0 as `events | head`
/// is. And with standard error closed too, a failure keeps its exit code (not 101).
#[test]
fn a_backup_or_export_cut_short_on_standard_output_fails() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut input = demo_lines()[0].clone() + "\n";
    for index in 0..2000u128 {
        let member = uuid::Uuid::from_u128(0xb0c_0000 + index);
        input.push_str(&format!(
            r#"{{"command":"enroll","member_id":"{member}","region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}}"#
        ));
        input.push('\n');
    }
    let output = flexledger(&data, &["submit", "-"], Some(input.as_bytes()));
    assert_eq!(output.status.code(), Some(0));
    let (flexledger_binary, audit) = binaries();
    // Said in the reader's language: the words lived inside an `io::Error`, in
    // English, and Chinese said "无法写入 standard output".
    let cases = [
        (
            "en",
            "cannot write standard output: standard output was closed after about",
        ),
        ("zh-CN", "无法写入标准输出：标准输出在写入约"),
    ];
    for ((binary, args), (language, said)) in [
        (&flexledger_binary, vec!["backup", "--out", "-"]),
        (&audit, vec!["export", "--all", "--out", "-"]),
    ]
    .into_iter()
    .flat_map(|command| cases.map(|case| (command.clone(), case)))
    {
        let mut child = std::process::Command::new(binary)
            .env("FLEXLEDGER_LANG", language)
            .arg("--data-dir")
            .arg(&data)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1000];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The reader goes away after 1,000 bytes (its end of the pipe is dropped above).
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?} {language}: {stderr}");
    }
    // Standard error closed before the failure is reported: still exit 2.
    let not_a_directory = dir.path().join("a-file");
    std::fs::write(&not_a_directory, "").unwrap();
    let mut child = flexledger_command(&not_a_directory)
        .arg("verify")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(2));
}

/// `submit -` fed by a producer that writes a line and waits (`tail -f … | flexledger
/// submit -`): each line's result comes while the input stays open, not after 1,000
/// lines or the end of the input; a blank line's too (refused once the input pauses),
/// rather than when a line that may never come follows it.
#[test]
fn submit_answers_a_line_while_its_input_stays_open() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut child = flexledger_command(&dir.path().join("data"))
        .args(["submit", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (sender, results) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    let lines = demo_lines();
    let blank = String::new();
    for (line, ok) in [(&lines[0], true), (&lines[1], true), (&blank, false)] {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        let result = results
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("a result while the input is still open");
        assert!(result.contains(&format!("\"ok\":{ok}")), "{result}");
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

/// Standard output on a full disk (`> /dev/full`): `submit` says that it was its own
/// output that failed and how far it got (exit 2), not "no space" as if the ledger's
/// disk were full.
#[test]
fn a_failed_output_says_it_was_standard_output() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("SKIPPED cli::a_failed_output_says_it_was_standard_output: no /dev/full");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = demo_lines().join("\n") + "\n";
    let file = dir.path().join("commands.jsonl");
    std::fs::write(&file, input).unwrap();
    let output = flexledger_command(&dir.path().join("data"))
        .arg("submit")
        .arg(&file)
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("writing standard output failed"),
        "{stderr}"
    );
    assert!(stderr.contains("line(s) were read"), "{stderr}");
}

/// A `--data-dir` that names a file is called what it is (exit 2), not "File exists".
#[test]
fn a_data_dir_that_is_a_file_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    let input = demo_lines().join("\n") + "\n";
    let output = flexledger(&file, &["submit", "-"], Some(input.as_bytes()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a file, not a data directory"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    // The audit tool's verify too, which read its signing key first: "cannot read the
    // signing key afile/audit-signing-key: Not a directory".
    let output = crate::audit::audit(&file, &["verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a file, not a data directory"),
        "{stderr}"
    );
}

/// Logs written to a file or a pipe carry no terminal colour codes, so their
/// `key=value` fields can be searched.
#[test]
fn logs_to_a_pipe_are_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = demo_lines().join("\n") + "\n";
    let output = flexledger_command(&dir.path().join("data"))
        .env("FLEXLEDGER_LOG", "info")
        .args(["submit", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("submit finished"), "{stderr}");
    assert!(stderr.contains(" accepted="), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

/// D43: every binary allocates with jemalloc configured by `flexledger::JEMALLOC_CONF`
/// (one arena, freed pages returned within about a second), which is what the close and
/// import figures in the README were measured with. jemalloc names the configuration it
/// read when asked to (`confirm_conf`); a binary on another allocator, or one whose
/// configuration symbol jemalloc does not see, prints no such line.
#[test]
fn every_binary_allocates_with_jemalloc_as_configured() {
    let conf = std::str::from_utf8(flexledger::JEMALLOC_CONF)
        .unwrap()
        .trim_end_matches('\0');
    for binary in [
        env!("CARGO_BIN_EXE_flexledger"),
        env!("CARGO_BIN_EXE_flexledger-audit"),
        env!("CARGO_BIN_EXE_flexledger-bench"),
    ] {
        let output = std::process::Command::new(binary)
            .arg("--help")
            .env("_RJEM_MALLOC_CONF", "confirm_conf:true")
            .output()
            .unwrap();
        assert!(output.status.success(), "{binary} --help failed");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let read = stderr
            .lines()
            .find(|line| line.contains("global variable malloc_conf"))
            .unwrap_or_else(|| panic!("{binary}: jemalloc read no malloc_conf:\n{stderr}"));
        assert!(read.contains(conf), "{binary}: {read}");
    }
}

/// A policy of `region` from `from`: 600.00 a month at base ratio 0.60, a six-month
/// first wait (R7) and three months of grace (R10).
fn policy_from(region: &str, from: &str) -> Value {
    serde_json::json!({"command":"publish_policy","region":region,"effective_from":from,
        "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60",
        "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,
        "benefit_delay_reenroll":1,"backpay_restores":"retroactive",
        "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
}

/// A tester's three reproductions at 2999-12, the last month the ledger records (D47),
/// as they ran them: `submit` a file, then `member`. Each was accepted or shown wrongly
/// while month arithmetic clamped there (2999-12 + 1 = 2999-12):
/// A: closing 2999-12 was accepted again and again, each `MonthClosed` recording
///    `next_open_month` 2999-12; it is refused (`invalid_command`, D47) and appends nothing.
/// B: P 2999-08 + a six-month wait clamped to 2999-12, covered after four months; no
///    month through 2999-12 has benefits, and the benefit start is null.
/// C: closing 2999-12 made it arrears; paid, it stayed in arrears while shown restored.
///    It stays open, and once paid the member owes nothing and cannot pay it twice.
#[test]
fn the_last_month_is_never_closed_never_covered_early_and_never_owed_once_paid() {
    use serde_json::json;
    let (waiting, owing) = (
        "00000000-0000-4000-8000-0000000000b0",
        "00000000-0000-4000-8000-0000000000c0",
    );
    let close =
        |region: &str, month: &str| json!({"command":"close_month","region":region,"month":month});
    let enroll = |member: &str, region: &str, month: &str| {
        json!({"command":"enroll","member_id":member,"region":region,"month":month,
            "base_ratio":"0.60","labor_relationship":"none"})
    };
    let pay = |member: &str, months: &[&str], paid_on: &str| {
        json!({"command":"pay","member_id":member,"months":months,
            "amount":format!("{}.00", 600 * months.len()),"paid_on":paid_on})
    };
    let b_months = ["2999-08", "2999-09", "2999-10", "2999-11", "2999-12"];
    let commands = [
        (policy_from("end", "2999-12"), "ok"),
        (close("end", "2999-12"), "invalid_command"),
        (close("end", "2999-12"), "invalid_command"),
        (policy_from("wait", "2999-08"), "ok"),
        (enroll(waiting, "wait", "2999-08"), "ok"),
        (pay(waiting, &b_months, "2999-08-10"), "ok"),
        (policy_from("owe", "2999-11"), "ok"),
        (enroll(owing, "owe", "2999-11"), "ok"),
        (close("owe", "2999-11"), "ok"),
        (close("owe", "2999-12"), "invalid_command"),
        (close("owe", "2999-12"), "invalid_command"),
        (pay(owing, &["2999-11", "2999-12"], "2999-12-05"), "ok"),
        (pay(owing, &["2999-12"], "2999-12-06"), "already_paid"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("edge.jsonl");
    let lines: Vec<String> = commands
        .iter()
        .map(|(command, _)| command.to_string())
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let data = dir.path().join("data");
    let output = flexledger(&data, &["submit", file.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1), "some commands are refused");
    for ((command, expected), result) in commands.iter().zip(stdout_lines(&output)) {
        let got = result["error"]["code"].as_str().unwrap_or("ok");
        assert_eq!(got, *expected, "{command}: {result}");
    }
    let events = stdout_lines(&flexledger(&data, &["events"], None));
    let closes: Vec<&Value> = events
        .iter()
        .filter(|envelope| envelope["type"] == "MonthClosed")
        .collect();
    assert_eq!(closes.len(), 1, "only owe's 2999-11 is closed: {closes:?}");
    assert_eq!(closes[0]["payload"]["next_open_month"], "2999-12");
    let member = |id: &str| -> Value {
        serde_json::from_slice(&flexledger(&data, &["member", id], None).stdout).unwrap()
    };
    let statuses = |coverage: &Value| -> Vec<(String, String, bool)> {
        let months = coverage["months"].as_array().unwrap().iter();
        months
            .map(|line| {
                let text = |key: &str| line[key].as_str().unwrap().to_owned();
                (text("month"), text("status"), line["benefits"] == true)
            })
            .collect()
    };
    let waiting_months = |months: &[&str]| -> Vec<(String, String, bool)> {
        months
            .iter()
            .map(|month| ((*month).to_owned(), "waiting".to_owned(), false))
            .collect()
    };
    let b = member(waiting);
    assert_eq!(b["benefit_start"], Value::Null, "{b}");
    assert_eq!(b["qualified"], false);
    assert_eq!(statuses(&b), waiting_months(&b_months));
    // What the auditor reads says where that benefit start is, not that it is unknown.
    let said = |args: &[&str]| String::from_utf8(crate::audit::audit(&data, args).stdout).unwrap();
    let explained = said(&["explain", "--member", waiting, "--month", "2999-12"]);
    assert!(
        explained.contains("benefits of this enrollment period start in a month after 2999-12, the last month the ledger records"),
        "{explained}"
    );
    let timeline = said(&["timeline", "--member", waiting, "--svg", "-"]);
    assert!(
        timeline.contains("it falls after 2999-12, the last month the ledger records (R7)"),
        "{timeline}"
    );
    let c = member(owing);
    assert_eq!(c["state"], "active", "{c}");
    assert_eq!(
        c["arrears"],
        json!({"months":[],"amount":"0.00","backpay_deadline":null})
    );
    assert_eq!(c["paid_through"], "2999-12");
    assert_eq!(statuses(&c), waiting_months(&["2999-11", "2999-12"]));
}

/// `serve` on an address another program listens on says what to do (stop it, or
/// `--listen 127.0.0.1:0`), not only the system's words, before it makes or opens any
/// data directory.
#[test]
fn serve_on_an_address_in_use_says_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = flexledger(&data, &["serve", "--demo", "--listen", &address], None);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("another program"), "{said}");
    assert!(said.contains("--listen (127.0.0.1:0"), "{said}");
    assert!(!data.exists(), "no data directory made");
    // An address of no interface here (TEST-NET-1, never assigned): which addresses
    // to give, not only the system's "Cannot assign requested address".
    let output = flexledger(
        &data,
        &["serve", "--demo", "--listen", "192.0.2.1:8080"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("is not one of this machine's"), "{said}");
    assert!(!data.exists(), "no data directory made");
}

/// Sums the ledger keeps pass the 12 integer digits of an amount a command sends
/// (D68): 1,001 members paying D13's largest due for one month, and one member's
/// month refunded 1,001 times over as many periods. Before, the store wrote totals it
/// could not read back: the month report, `verify` and every later command failed,
/// `rebuild` did not help and the backup did not restore (an auditor's probe).
#[test]
fn sums_beyond_an_amounts_twelve_digits_are_kept_read_back_and_restored() {
    let policy = r#"{"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"9999999.99","contribution_rate":"1","account_rate":"1","base_ratio_min":"0.60","base_ratio_max":"100","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]}"#;
    let mut lines = vec![policy.to_owned()];
    let pay = |member: &str, month: &str| {
        format!(
            r#"{{"command":"pay","member_id":"{member}","months":["{month}"],"amount":"999999999.00","paid_on":"2025-01-10"}}"#
        )
    };
    for index in 0..1001u32 {
        let member = format!("{index:08x}-0000-4000-8000-000000000000");
        lines.push(format!(r#"{{"command":"enroll","member_id":"{member}","region":"demo","month":"2025-01","base_ratio":"100","labor_relationship":"none"}}"#));
        lines.push(pay(&member, "2025-01"));
    }
    let cycler = "fe6d35c4-41ad-409e-bd1e-0bc72974e94e";
    lines.push(format!(r#"{{"command":"enroll","member_id":"{cycler}","region":"demo","month":"2025-02","base_ratio":"100","labor_relationship":"none"}}"#));
    for _ in 0..1001 {
        lines.push(pay(cycler, "2025-02"));
        lines.push(format!(
            r#"{{"command":"withdraw","member_id":"{cycler}","reason":"voluntary"}}"#
        ));
        lines.push(format!(r#"{{"command":"reenroll","member_id":"{cycler}","month":"2025-02","base_ratio":"100"}}"#));
    }
    lines.push(r#"{"command":"close_month","region":"demo","month":"2025-01"}"#.to_owned());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("commands.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let submitted = flexledger(dir.path(), &["submit", input.to_str().unwrap()], None);
    assert_eq!(
        submitted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    let over = "1000999998999.00";
    let report = pretty(&flexledger(
        dir.path(),
        &["region", "demo", "--month", "2025-01"],
        None,
    ));
    assert_eq!(report["contributions"]["paid"], over, "{report}");
    crate::schemas::assert_valid("region_month_report", &report);
    let member = pretty(&flexledger(dir.path(), &["member", cycler], None));
    let refunded = member["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["month"] == "2025-02")
        .unwrap();
    assert_eq!(refunded["refunded"], over, "{member}");
    crate::schemas::assert_valid("member_coverage", &member);
    let verified = flexledger(dir.path(), &["verify"], None);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let backup = dir.path().join("backup.jsonl");
    let backup = backup.to_str().unwrap();
    assert!(flexledger(dir.path(), &["backup", "--out", backup], None)
        .status
        .success());
    let restored = tempfile::tempdir().unwrap();
    let target = restored.path().join("data");
    let output = flexledger(&target, &["restore", backup], None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let again = pretty(&flexledger(&target, &["member", cycler], None));
    assert_eq!(again, member);
}

/// A command's whole standard output as one (pretty-printed) JSON value.
fn pretty(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// A setting set to the empty string in the environment counts as not set, as
/// `FLEXLEDGER_LANG` does (a probe's `FLEXLEDGER_DATA_DIR= flexledger verify` was
/// refused for a `--data-dir` value nobody typed, and `FLEXLEDGER_STORE=` as a URL).
#[test]
fn an_empty_setting_in_the_environment_counts_as_not_set() {
    let dir = tempfile::tempdir().unwrap();
    let demo = repo_path("examples/demo.jsonl");
    let seeded = flexledger(dir.path(), &["submit", demo.to_str().unwrap()], None);
    assert_eq!(seeded.status.code(), Some(0));
    for binary in [
        env!("CARGO_BIN_EXE_flexledger"),
        env!("CARGO_BIN_EXE_flexledger-audit"),
    ] {
        let output = std::process::Command::new(binary)
            .env(
                crate::support::LANGUAGE_PINNED.0,
                crate::support::LANGUAGE_PINNED.1,
            )
            .env("FLEXLEDGER_STORE", "")
            .env("FLEXLEDGER_PUBLIC_KEY", "")
            .arg("--data-dir")
            .arg(dir.path())
            .arg("verify")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{binary}: {said}");
        // With the data directory the working directory's default, as if unset.
        let output = std::process::Command::new(binary)
            .env(
                crate::support::LANGUAGE_PINNED.0,
                crate::support::LANGUAGE_PINNED.1,
            )
            .env("FLEXLEDGER_DATA_DIR", "")
            .current_dir(dir.path())
            .arg("verify")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!said.contains("a value is required"), "{binary}: {said}");
        assert!(said.contains("flexledger-data"), "{binary}: {said}");
    }
}

/// An output named as a directory (`--out /tmp`) is said as such, by every command
/// that writes one, and nothing is written: it was "cannot rename /.tmp.partial to
/// /tmp", naming a file the reader never chose.
#[test]
fn an_output_that_is_a_directory_is_said_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let out = dir.path().join("outputs");
    std::fs::create_dir(&out).unwrap();
    let out_text = out.to_str().unwrap();
    let (flexledger_binary, audit) = binaries();
    for (binary, args) in [
        (&flexledger_binary, vec!["backup", "--out", out_text]),
        (&audit, vec!["export", "--all", "--out", out_text]),
        (
            &audit,
            vec!["export", "--all", "--format", "csv", "--out", out_text],
        ),
    ] {
        let output = std::process::Command::new(binary)
            .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
            .arg("--data-dir")
            .arg(&data)
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("{out_text} is a directory: name a file in it")),
            "{args:?}: {stderr}"
        );
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0, "{args:?}");
    }
}

/// An output that names a named pipe (or a device: `/dev/null`, `/dev/stdout`) is
/// written into it, and it stays what it was. Written beside it and renamed, the
/// pipe was replaced by a plain file: a probe's `backup --out /dev/full`, run as root,
/// left `/dev/full` a file holding the backup and reported success.
#[cfg(unix)]
#[test]
fn an_output_that_names_a_pipe_is_written_into_it_and_the_pipe_stays() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let (flexledger_binary, audit) = binaries();
    for (binary, args, first_line) in [
        (&flexledger_binary, vec!["backup"], "\"record\":\"bundle\""),
        (&audit, vec!["export", "--all"], "\"record\":\"bundle\""),
        (
            &audit,
            vec!["export", "--all", "--format", "csv"],
            "member_id,",
        ),
    ] {
        let pipe = dir.path().join("pipe");
        let _ = std::fs::remove_file(&pipe);
        let made = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap();
        assert!(made.success());
        let reading = pipe.clone();
        // Opening a pipe to read waits for its writer; a thread does, beside the command.
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(reading)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        });
        let output = std::process::Command::new(binary)
            .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
            .arg("--data-dir")
            .arg(&data)
            .args(&args)
            .arg("--out")
            .arg(&pipe)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        // Checked before waiting for the reader: a pipe renamed over never gets a writer.
        let kind = std::fs::symlink_metadata(&pipe).unwrap().file_type();
        assert!(kind.is_fifo(), "{args:?} replaced the pipe by {kind:?}");
        let text = reader.join().unwrap();
        let first = text.lines().next().unwrap_or_default();
        assert!(first.contains(first_line), "{args:?}: {first}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{args:?} left {names:?}");
    }
}

/// Ctrl-C (SIGINT) during `submit` stops it reading, answers every line it read, and
/// says how far it got and how to finish (exit 130). It used to end the process where
/// it stood, printing nothing about what was recorded.
#[cfg(unix)]
#[test]
fn an_interrupted_submit_answers_what_it_read_and_says_how_to_finish() {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["submit", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Blank lines last, held until a command or a pause comes: answered too.
    let mut lines = demo_lines();
    lines.extend([String::new(), " ".to_owned()]);
    stdin
        .write_all(format!("{}\n", lines.join("\n")).as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    // Its input stays open: the signal, not the input's end, stops it.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"ok\":true"), "{first}");
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    // What it says it read is what it answered: every line written, unless a loaded
    // machine paused its reading thread for longer than a pause in the input
    // (`SUBMIT_INPUT_QUIET_MILLIS`) before the signal came.
    let said = stderr
        .split("interrupted: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|count| count.parse::<usize>().ok());
    let answered = 1 + rest.lines().count();
    assert_eq!(
        Some(answered),
        said,
        "every line read is answered: {stderr}"
    );
    assert!(answered <= lines.len(), "{answered} answers to {lines:?}");
    assert!(
        stderr.contains("line(s) of standard input were read and decided"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Submit the file again to finish it"),
        "{stderr}"
    );
    // Said at once, before the lines read are answered: a probe met 13 s of silence
    // after Ctrl-C during a month close, and pressed it again.
    let stopping = stderr.find("stopping: the lines already read are being decided");
    assert!(stopping < stderr.find("interrupted: "), "{stderr}");
    assert!(stopping.is_some(), "{stderr}");
    drop(stdin);
}

/// A ledger of the demo's lines in `dir`/data.
fn demo_data(dir: &std::path::Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let demo = demo_lines().join("\n") + "\n";
    let output = flexledger(&data, &["submit", "-"], Some(demo.as_bytes()));
    assert_eq!(output.status.code(), Some(0));
    data
}

/// The two binaries: `flexledger` and `flexledger-audit`.
fn binaries() -> (std::path::PathBuf, std::path::PathBuf) {
    (
        std::path::PathBuf::from(env!("CARGO_BIN_EXE_flexledger")),
        std::path::PathBuf::from(env!("CARGO_BIN_EXE_flexledger-audit")),
    )
}

/// A data directory the ledger makes is its owner's alone (mode 0700): it holds every
/// member's history, and a security probe found new ones readable by every local user.
#[cfg(unix)]
#[test]
fn a_new_data_directory_is_readable_by_its_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ledger");
    let demo = crate::support::repo_path("examples/demo.jsonl");
    let output = crate::support::flexledger(&data, &["submit", demo.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0));
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{mode:o}");
}
