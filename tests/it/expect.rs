//! Rendered outputs pinned byte for byte: `explain` (text and JSON) for every month,
//! `replay` (table and JSON lines), the timeline SVG and the audit page, in every
//! language, for every member of every scenario and two fixed histories more (fixed
//! ids and clock): together they reach every month status, both withdrawal rules (R11,
//! R12), a refund (R12), a subsidy (R16), an account part (R17) and a stopped
//! deduction (R8).
//!
//! Every comparison goes through [`check`]: the expected bytes are the file under
//! `tests/expect/`; `UPDATE_EXPECT=1 cargo test --test it expect` rewrites them, and
//! the diff in `git diff` is the review of a change in wording.

use crate::support::*;
use flexledger::audit::history::{Cut, MemberHistory};
use flexledger::domain::coverage::MonthStatus;
use flexledger::domain::parse_command_value;
use flexledger::domain::RuleId;
use flexledger::i18n::Language;
use flexledger::ledger::Ledger;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use uuid::Uuid;

/// The environment variable that rewrites the expect files instead of comparing.
const UPDATE_EXPECT: &str = "UPDATE_EXPECT";
/// Most lines of context the diff shows around each change.
const DIFF_CONTEXT_LINES: usize = 3;

/// Compares `actual` with `tests/expect/<name>`, or writes it there under
/// `UPDATE_EXPECT=1`. A difference fails with a unified diff naming the file.
pub fn check(name: &str, actual: &str) {
    let path = repo_path(&format!("tests/expect/{name}"));
    if std::env::var_os(UPDATE_EXPECT).is_some_and(|value| value == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; write it with {UPDATE_EXPECT}=1 cargo test --test it expect",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    let diff = similar::TextDiff::from_lines(&expected, actual)
        .unified_diff()
        .context_radius(DIFF_CONTEXT_LINES)
        .header(&format!("tests/expect/{name}"), "actual")
        .to_string();
    panic!(
        "{name} differs from its expect file (- expected, + actual); if the change is \
         intended, rewrite it with {UPDATE_EXPECT}=1 cargo test --test it expect\n{diff}"
    );
}

/// The part of the expect file `name` that one `explain --month MONTH` printed.
pub fn explain_section(name: &str, month: &str) -> String {
    let path = repo_path(&format!("tests/expect/{name}"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let header = format!("=== explain --month {month}\n");
    let start = text
        .find(&header)
        .unwrap_or_else(|| panic!("{name} explains no {month}"))
        + header.len();
    let end = text[start..]
        .find("=== explain --month ")
        .map_or(text.len(), |length| start + length);
    text[start..end].to_owned()
}

/// The line of the expect file `name` (explain's JSON, one line per month) that
/// explains `month`, with its newline.
pub fn explain_json_line(name: &str, month: &str) -> String {
    let path = repo_path(&format!("tests/expect/{name}"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let line = text
        .lines()
        .find(|line| serde_json::from_str::<Value>(line).unwrap()["month"] == month)
        .unwrap_or_else(|| panic!("{name} explains no {month}"));
    format!("{line}\n")
}

/// A history pinned by the expect files: a scenario of `tests/scenarios/`, or a list
/// of commands written here.
struct Case {
    name: String,
    commands: Vec<Value>,
    members: Vec<Uuid>,
}

fn scenario_case(path: &Path) -> Case {
    let scenario = read_json(path);
    Case {
        name: path.file_stem().unwrap().to_string_lossy().into_owned(),
        commands: scenario["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["command"].clone())
            .collect(),
        members: scenario["expect_members"]
            .as_object()
            .unwrap()
            .keys()
            .map(|member| member.parse().unwrap())
            .collect(),
    }
}

/// The member of [`stopped_deduction_commands`].
pub const STOPPED_MEMBER: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

/// R8 and R4: a stopped deduction blocking months in arrears, and a month paid before
/// a price change that keeps the due it was paid at. With `lapse`, one more close: a
/// run of 2 is more than 2025-04's grace of 1, so the member is withdrawn (R11) and the
/// grace quoted is that of the month whose close did it (R10).
pub fn stopped_deduction_commands(lapse: bool) -> Vec<Value> {
    let member = STOPPED_MEMBER;
    let policy = |from: &str, wage: &str, grace: u32| {
        json!({"command":"publish_policy","region":"demo","effective_from":from,
            "average_monthly_wage":wage,"contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00",
            "grace_months":grace,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive",
            "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
    };
    let mut commands = vec![
        policy("2025-01", "10000.00", 3),
        json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
        json!({"command":"pay","member_id":member,"months":["2025-01","2025-02"],"amount":"1200.00","paid_on":"2025-01-10"}),
        policy("2025-02", "12000.00", 1),
        json!({"command":"stop_deduction","member_id":member}),
        json!({"command":"close_month","region":"demo","month":"2025-01"}),
        json!({"command":"close_month","region":"demo","month":"2025-02"}),
        json!({"command":"close_month","region":"demo","month":"2025-03"}),
    ];
    if lapse {
        commands.push(json!({"command":"close_month","region":"demo","month":"2025-04"}));
    }
    commands
}

fn stopped_deduction_case(lapse: bool) -> Case {
    Case {
        name: if lapse {
            "stopped_deduction_lapsed".to_owned()
        } else {
            "stopped_deduction_in_arrears".to_owned()
        },
        commands: stopped_deduction_commands(lapse),
        members: vec![STOPPED_MEMBER.parse().unwrap()],
    }
}

/// Every scenario of `tests/scenarios/` (between them: R11 and R12 lapsed months, a
/// restored back payment, a refund, a subsidy, an account part, the first and the
/// re-enrollment delay), and the two stopped-deduction histories (R8).
fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = scenario_files()
        .iter()
        .map(|path| scenario_case(path))
        .collect();
    cases.push(stopped_deduction_case(false));
    cases.push(stopped_deduction_case(true));
    cases
}

/// `explain`'s text for every month of the member, in `language`, each after the line
/// `=== explain --month M`.
fn explain_text(history: &MemberHistory, language: Language) -> String {
    let coverage = history.final_coverage().unwrap();
    let mut text = String::new();
    for line in &coverage.months {
        let explanation = flexledger::audit::explain::explain_in(history, line.month, language)
            .unwrap()
            .unwrap();
        let mut bytes = Vec::new();
        flexledger::audit::explain::print(&explanation, false, &mut bytes).unwrap();
        text.push_str(&format!("=== explain --month {}\n", line.month));
        text.push_str(&String::from_utf8(bytes).unwrap());
    }
    text
}

/// Every rendered output of one member at the end of a case, as (file name, bytes):
/// the text of `explain` and `replay` in every language (`explain.txt`, `replay.txt`
/// in English, the contract's language, `explain.<tag>.txt`, `replay.<tag>.txt` in
/// the others; the timeline and the page too, as `timeline.<tag>.svg` and
/// `page.<tag>.html`), the rest in English.
fn rendered(history: &MemberHistory) -> Vec<(String, String)> {
    let coverage = history.final_coverage().unwrap();
    let mut explain_json = String::new();
    for line in &coverage.months {
        let explanation = flexledger::audit::explain::explain(history, line.month)
            .unwrap()
            .unwrap();
        let mut bytes = Vec::new();
        flexledger::audit::explain::print(&explanation, true, &mut bytes).unwrap();
        explain_json.push_str(&String::from_utf8(bytes).unwrap());
    }
    let replay = |json: bool| {
        let mut bytes = Vec::new();
        let lines = flexledger::audit::replay::replay_lines(history).unwrap();
        flexledger::audit::replay::print(history, &lines, json, &mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let mut files = Vec::new();
    for language in Language::ALL {
        let name = match language {
            Language::En => "explain.txt".to_owned(),
            other => format!("explain.{}.txt", other.tag()),
        };
        files.push((name, explain_text(history, language)));
        if language != Language::En {
            let lines = flexledger::audit::replay::replay_lines_in(history, language).unwrap();
            let mut bytes = Vec::new();
            flexledger::audit::replay::print_table(history, &lines, language, &mut bytes).unwrap();
            let name = format!("replay.{}.txt", language.tag());
            files.push((name, String::from_utf8(bytes).unwrap()));
            let tag = language.tag();
            let svg = flexledger::audit::timeline::svg_in(history, language).unwrap();
            files.push((format!("timeline.{tag}.svg"), svg));
            let page = flexledger::audit::page::html_in(history, language).unwrap();
            files.push((format!("page.{tag}.html"), page));
        }
    }
    files.extend([
        ("explain.jsonl".to_owned(), explain_json),
        ("replay.txt".to_owned(), replay(false)),
        ("replay.jsonl".to_owned(), replay(true)),
        (
            "timeline.svg".to_owned(),
            flexledger::audit::timeline::svg(history).unwrap(),
        ),
        (
            "page.html".to_owned(),
            flexledger::audit::page::html(history).unwrap(),
        ),
    ]);
    files
}

/// The commands through the library into a fresh ledger (fixed ids and clock).
pub fn ledger_of(commands: &[Value], dir: &Path) -> Ledger {
    let mut ledger = Ledger::open(dir).unwrap();
    let commands = commands.iter().cloned().map(parse_command_value).collect();
    ledger.submit(commands, &mut FixedSources::new()).unwrap();
    ledger
}

/// The expect files of every case; the cases reach every month status and both
/// withdrawal rules, so no rendering path goes unpinned, and no file is left that no
/// case writes.
#[test]
fn expect_rendered_audit_outputs() {
    let mut statuses: BTreeSet<String> = BTreeSet::new();
    let mut withdrawal_rules: BTreeSet<(String, RuleId)> = BTreeSet::new();
    let mut checked: BTreeSet<String> = BTreeSet::new();
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger_of(&case.commands, dir.path());
        for member in &case.members {
            // A member the scenario refused (never enrolled) has no history to render.
            let Some(history) =
                MemberHistory::load(ledger.store(), *member, Cut::Everything).unwrap()
            else {
                continue;
            };
            for line in &history.final_coverage().unwrap().months {
                statuses.insert(format!("{:?}", line.status));
                if matches!(line.status, MonthStatus::Lapsed | MonthStatus::NotEnrolled) {
                    withdrawal_rules.insert((format!("{:?}", line.status), line.rule));
                }
            }
            let short = &member.to_string()[..8];
            for (file, text) in rendered(&history) {
                let name = format!("{}/{short}.{file}", case.name);
                check(&name, &text);
                checked.insert(name);
            }
        }
    }
    assert_eq!(
        statuses.len(),
        7,
        "every month status is pinned: {statuses:?}"
    );
    for status in ["Lapsed", "NotEnrolled"] {
        for rule in [RuleId::R11, RuleId::R12] {
            assert!(
                withdrawal_rules.contains(&(status.to_owned(), rule)),
                "a {status} month decided by {rule} is pinned: {withdrawal_rules:?}"
            );
        }
    }
    let on_disk = files_under(&repo_path("tests/expect"), "");
    let stray: Vec<&String> = on_disk.difference(&checked).collect();
    assert!(
        stray.is_empty(),
        "tests/expect holds files no case writes (remove them): {stray:?}"
    );
}

/// Every file under `dir`, as paths relative to it joined with `/`.
fn files_under(dir: &Path, prefix: &str) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            files.extend(files_under(&entry.path(), &format!("{name}/")));
        } else {
            files.insert(name);
        }
    }
    files
}
