//! The message catalogs (`locales/`, `src/i18n/`) stay complete and in step: every
//! message in both languages with the same arguments, exactly the arguments the code
//! gives; every refusal the domain decides renders in English exactly as its wire
//! `message` and in Chinese in the glossary's terms; and the language is chosen as
//! documented.

use crate::support::{glossary_rows, read_json, repo_path, scenario_files, uses_words};
use crate::support::{FixedSources, Form, GlossaryRow};
use flexledger::domain::policy::PolicyCheck;
use flexledger::domain::refusal::RefusalText;
use flexledger::domain::{
    parse_command, parse_command_line, parse_command_value, ErrorCode, Refusal,
};
use flexledger::i18n::{refusal_message, tr, Catalog, Language, MessageSource};
use flexledger::ledger::Ledger;
use flexledger::store::CommandResult;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The codes whose refusals all have a Chinese message: those `decide` makes, and the
/// ledger's `command_id_reused`. Of the rest, `invalid_command` has Chinese for the
/// fixed sentences of a command that does not parse (`command.rs`) and a policy's
/// validation, and not for serde's words it cannot read back; the shells' own refusals (the command
/// lines, HTTP) show their English message in every language.
const CODES_IN_CHINESE: &[&str] = &[
    "unknown_region",
    "policy_retroactive",
    "already_enrolled",
    "previously_enrolled",
    "not_enrolled",
    "not_withdrawn",
    "never_enrolled",
    "employer_scheme_required",
    "base_ratio_out_of_range",
    "month_closed",
    "month_not_open",
    "month_before_enrollment",
    "arrears_must_be_paid_first",
    "already_paid",
    "months_not_contiguous",
    "prepay_limit_exceeded",
    "amount_mismatch",
    "paid_on_outside_open_month",
    "deduction_stopped",
    "deduction_not_stopped",
    "version_conflict",
    "subsidy_overlap",
    "subsidy_limit_exceeded",
    "no_subsidy",
    "subsidy_not_accrued",
    "subsidy_already_paid",
    "command_id_reused",
];
const CODES_PARTLY_IN_CHINESE: &[&str] = &["invalid_command"];
const CODES_IN_ENGLISH_ONLY: &[&str] = &[];

/// ASCII words a parse refusal's Chinese message quotes from the contract besides
/// field names in backquotes: the field `command` in double quotes, the formats it
/// names (with a month's and a date's patterns, and JSON's own words for its
/// values), the text encodings a line may come in, and the withdrawal reasons a
/// person may send.
const CONTRACT_WORDS: &[&str] = &[
    "command",
    "JSON",
    "UTF",
    "GBK",
    "UUID",
    "YYYY",
    "MM",
    "DD",
    "null",
    "true",
    "false",
    "voluntary",
    "relocated",
    "deceased",
];

/// ASCII words a Chinese message may contain besides its arguments: the command names
/// it tells a person to send (code names, as the contract spells them). Field names
/// (`expected_version`, `paid_on`) and rule ids (`R6`, `S2`) are recognised by shape.
const COMMAND_NAMES: &[&str] = &crate::schemas::COMMANDS;

/// Messages where an English glossary word has another sense than the glossary's, so
/// its Chinese term would be wrong: (message id, the row's Chinese term, why).
const TERM_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "cli-backup-server-closed",
        "月结",
        "a connection closed, not a month",
    ),
    ("cli-stdout-closed", "月结", "a pipe closed, not a month"),
    (
        "timeline-backpay-deadline",
        "缴费",
        "\"pay back\" is the glossary's back-pay (补缴), said in full; no other payment is meant (short, to fit the picture's heading)",
    ),
    (
        "audit-whatif-row-subsidy",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "audit-whatif-money-subsidy-paid",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "refusal-subsidy-paid-on-outside-open-month",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "refusal-subsidy-already-paid",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "refusal-subsidy-amount-mismatch",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "explain-money-subsidy",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "explain-role-subsidy-paid",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "explain-subsidy-paid-out",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "explain-subsidy-owed",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "event-subsidy-paid",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "replay-note-subsidy-paid",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "replay-note-subsidy-unpaid",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "explain-status-restored",
        "待遇恢复",
        "the status `restored` (补缴恢复): whether benefits come back is P-restore's, said next",
    ),
    (
        "backup-restore-refused",
        "待遇恢复",
        "nothing was restored from a backup (未恢复任何内容), no benefits restored",
    ),
    (
        "backup-restore-refused-file",
        "待遇恢复",
        "nothing was restored from a backup (未恢复任何内容), no benefits restored",
    ),
    (
        "store-found-witness-missing",
        "待遇恢复",
        "a data directory copied or restored from a backup (恢复数据目录), no benefits restored",
    ),
    (
        "store-found-restored-hash",
        "待遇恢复",
        "an event restored from a backup (恢复出的事件), no benefits restored",
    ),
    (
        "store-found-restored-head",
        "待遇恢复",
        "a log restored from a backup (恢复出的日志), no benefits restored",
    ),
    (
        "backup-restore-other-key",
        "待遇恢复",
        "a ledger restored from a backup (恢复出的账本), no benefits restored",
    ),
    (
        "backup-restore-external-key-missing",
        "待遇恢复",
        "a ledger restored from a backup (恢复出的账本), no benefits restored",
    ),
    (
        "store-found-head-row-ahead",
        "待遇恢复",
        "a database restored from an older copy (从较旧的副本恢复), no benefits restored",
    ),
    (
        "explain-delay-not-qualified",
        "已取得待遇资格",
        "negated: the member has not qualified (尚未取得待遇资格)",
    ),
    (
        "timeline-subsidy",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "timeline-money-subsidy",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "timeline-subsidy-paid",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "page-subsidy-state",
        "缴费",
        "a subsidy is paid out by the agency (发放), not paid in by the member",
    ),
    (
        "explain-delay-kind",
        "已取得待遇资格",
        "negated: the member has not qualified (尚未取得待遇资格)",
    ),
    (
        "cli-submit-output-failed",
        "月结",
        "standard output is closed (已关闭), no month close",
    ),
];

fn messages(language: Language) -> Vec<MessageSource> {
    Catalog::messages(language)
        .unwrap_or_else(|problems| panic!("the {language} catalog:\n{}", problems.join("\n")))
}

/// Ids in one language and not the other, and messages whose arguments differ.
fn parity_problems(en: &[MessageSource], zh: &[MessageSource]) -> Vec<String> {
    let by_id = |list: &[MessageSource]| -> BTreeMap<String, BTreeSet<String>> {
        list.iter()
            .map(|message| (message.id.clone(), message.variables.clone()))
            .collect()
    };
    let (en, zh) = (by_id(en), by_id(zh));
    let mut problems = Vec::new();
    for id in en.keys().filter(|id| !zh.contains_key(*id)) {
        problems.push(format!("{id} is in en, missing in zh-CN"));
    }
    for id in zh.keys().filter(|id| !en.contains_key(*id)) {
        problems.push(format!("{id} is in zh-CN, missing in en"));
    }
    for (id, en_variables) in &en {
        if let Some(zh_variables) = zh.get(id) {
            if en_variables != zh_variables {
                problems.push(format!(
                    "{id}: arguments {en_variables:?} in en, {zh_variables:?} in zh-CN"
                ));
            }
        }
    }
    problems
}

/// Refusal messages whose arguments are not exactly those its `RefusalText` variant
/// gives, and catalog refusal messages no variant renders.
fn argument_problems(catalog: &[MessageSource], language: Language) -> Vec<String> {
    let mut problems = Vec::new();
    for (_, id, args) in RefusalText::ALL {
        let given: BTreeSet<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        match catalog.iter().find(|message| message.id == *id) {
            None => problems.push(format!("{language}: no message {id}")),
            Some(message) if message.variables != given => problems.push(format!(
                "{language}: {id} uses {:?}, its code gives {given:?}",
                message.variables
            )),
            Some(_) => {}
        }
    }
    for message in catalog {
        let known = RefusalText::ALL.iter().any(|(_, id, _)| *id == message.id);
        if message.id.starts_with("refusal-") && !known {
            problems.push(format!("{language}: {} is rendered by no code", message.id));
        }
    }
    problems
}

#[test]
fn every_message_is_in_both_languages_with_the_same_arguments() {
    let problems = parity_problems(&messages(Language::En), &messages(Language::ZhCn));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_refusal_message_uses_exactly_the_arguments_its_code_gives() {
    let mut problems = argument_problems(&messages(Language::En), Language::En);
    problems.extend(argument_problems(&messages(Language::ZhCn), Language::ZhCn));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checks themselves fail on a missing message, an argument in one language only,
/// and an argument the code does not give.
#[test]
fn a_missing_message_or_a_stray_argument_is_caught() {
    let (en, zh) = (messages(Language::En), messages(Language::ZhCn));
    let dropped: Vec<MessageSource> = zh[1..].to_vec();
    assert!(parity_problems(&en, &dropped)
        .iter()
        .any(|problem| problem.contains("missing in zh-CN")));
    let mut stray = zh.clone();
    stray[0].variables.insert("region".to_owned());
    let problems = parity_problems(&en, &stray);
    assert!(
        problems.iter().any(|problem| problem.contains("arguments")),
        "{problems:?}"
    );
    assert!(argument_problems(&stray, Language::ZhCn)
        .iter()
        .any(|problem| problem.contains("its code gives")));
    let mut unknown = en.clone();
    unknown[0].id = "refusal-never-written".to_owned();
    assert!(argument_problems(&unknown, Language::En)
        .iter()
        .any(|problem| problem.contains("rendered by no code")));
}

/// The catalogs of the audit renderers and of the HTTP API's errors, by message id
/// prefix, and the files that render them.
const RENDERED_MESSAGES: &[(&str, &[&str])] = &[
    ("explain-", &["src/audit/explain.rs"]),
    ("event-", &["src/audit/history.rs"]),
    ("word-", &["src/audit/history.rs"]),
    ("replay-", &["src/audit/replay.rs"]),
    ("timeline-", &["src/audit/timeline.rs"]),
    ("page-", &["src/audit/page.rs"]),
    (
        "http-",
        &[
            "src/http/mod.rs",
            "src/http/feed.rs",
            "src/feed/subscription.rs",
            "src/http/backup.rs",
            "src/http/parameters.rs",
            "src/ledger.rs",
            "src/http/server.rs",
            "src/http/witness.rs",
        ],
    ),
    (
        "cli-",
        &[
            "src/cli/mod.rs",
            "src/cli/serve.rs",
            "src/cli/backup.rs",
            "src/audit/commands.rs",
            "src/audit/cli.rs",
            "src/http/auth.rs",
        ],
    ),
    (
        "store-",
        &[
            "src/store/mod.rs",
            "src/backup.rs",
            "src/store/checked_reads.rs",
            "src/store/log_entry.rs",
            "src/store/sled_store.rs",
            "src/store/findings.rs",
            "src/store/any.rs",
            "src/ledger/read_ahead.rs",
        ],
    ),
    (
        "backup-",
        &[
            "src/backup.rs",
            "src/cli/backup.rs",
            "src/ledger/copy.rs",
            "src/store/mod.rs",
        ],
    ),
    (
        "audit-",
        &[
            "src/audit/commands.rs",
            "src/audit/cli.rs",
            "src/audit/whatif/cli.rs",
            "src/audit/bundle/verify.rs",
            "src/audit/keys.rs",
        ],
    ),
];

/// Every `explain-`, `event-`, `word-` and `replay-` message is rendered by its file and every
/// message the file renders is in the catalog; the arguments given to each are checked
/// as it renders (`i18n::say`, in debug builds, by every month of `expect.rs`).
#[test]
fn every_audit_message_is_rendered_by_the_code_and_no_other() {
    let ids: Vec<String> = messages(Language::En)
        .into_iter()
        .map(|message| message.id)
        .collect();
    for (prefix, files) in RENDERED_MESSAGES {
        let code: String = files
            .iter()
            .map(|file| std::fs::read_to_string(repo_path(file)).unwrap())
            .collect();
        // The signing key's file name looks like an id of the audit tool's messages.
        let file_names = [flexledger::audit::keys::SIGNING_KEY_FILE];
        let used: BTreeSet<&str> = code
            .split('"')
            .filter(|piece| piece.starts_with(prefix) && !piece.contains(char::is_whitespace))
            .filter(|piece| !file_names.contains(piece))
            .collect();
        let catalog: BTreeSet<&str> = ids
            .iter()
            .map(String::as_str)
            .filter(|id| id.starts_with(prefix))
            .collect();
        assert!(catalog.len() >= 4, "{prefix}: {} messages", catalog.len());
        let unused: Vec<&&str> = catalog.difference(&used).collect();
        let missing: Vec<&&str> = used.difference(&catalog).collect();
        assert!(
            unused.is_empty(),
            "{prefix} messages no code renders: {unused:?}"
        );
        assert!(
            missing.is_empty(),
            "{prefix} messages the catalog lacks: {missing:?}"
        );
    }
}

#[test]
fn the_codes_with_chinese_messages_are_listed() {
    let with_text: BTreeSet<&str> = RefusalText::ALL
        .iter()
        .map(|(code, _, _)| code.as_str())
        .collect();
    let listed: BTreeSet<&str> = CODES_IN_CHINESE
        .iter()
        .chain(CODES_PARTLY_IN_CHINESE)
        .copied()
        .collect();
    assert_eq!(with_text, listed, "CODES_IN_CHINESE is out of date");
    let all: BTreeSet<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(
        all.len(),
        ErrorCode::ALL.len(),
        "ErrorCode::ALL repeats a code"
    );
    let defs = read_json(&repo_path("schemas/defs.schema.json"));
    let contract: BTreeSet<&str> = defs["$defs"]["error_code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap())
        .collect();
    assert_eq!(
        all, contract,
        "ErrorCode::ALL is the contract's error codes"
    );
    let english_only: BTreeSet<&str> = all.difference(&listed).copied().collect();
    assert_eq!(
        english_only,
        CODES_IN_ENGLISH_ONLY.iter().copied().collect(),
        "the codes still shown in English only"
    );
}

/// Every command of every scenario through the library, as `scenarios.rs` runs them:
/// the refusals, in order.
fn scenario_refusals() -> Vec<(String, Refusal)> {
    let mut refusals = Vec::new();
    for path in scenario_files() {
        let scenario = read_json(&path);
        let commands: Vec<Value> = scenario["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["command"].clone())
            .collect();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        for result in submit(commands) {
            if let CommandResult::Refused(refusal) = result {
                refusals.push((name.clone(), refusal));
            }
        }
    }
    refusals
}

fn submit(commands: Vec<Value>) -> Vec<CommandResult> {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let parsed = commands.into_iter().map(parse_command_value).collect();
    ledger
        .submit(parsed, &mut FixedSources::new())
        .unwrap()
        .results
}

/// ASCII words of `text` (runs of letters, digits and `_` starting with a letter)
/// that are neither a command or field name nor a rule id.
/// `text` with every rule or source id (`R16`, `S9`) replaced by a space.
fn without_rule_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if (c == 'R' || c == 'S') && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter(|word| {
            let rule_id = word.len() > 1
                && word.starts_with(['R', 'S'])
                && word[1..].bytes().all(|byte| byte.is_ascii_digit());
            !(rule_id || word.contains('_') || COMMAND_NAMES.contains(word))
        })
        .map(str::to_owned)
        .collect()
}

/// What is wrong with a refusal's rendering: English must be its `message`; Chinese
/// must be Chinese (with its data, command names and rule ids), or, for a code without
/// Chinese messages, the English message.
fn rendering_problems(refusal: &Refusal) -> Vec<String> {
    let mut problems = Vec::new();
    let english = refusal_message(Language::En, refusal);
    if english != refusal.message {
        problems.push(format!("en: {english:?}\n  message: {:?}", refusal.message));
    }
    let chinese = refusal_message(Language::ZhCn, refusal);
    let code = refusal.code.as_str();
    let Some(text) = &refusal.text else {
        if CODES_IN_CHINESE.contains(&code) {
            problems.push(format!("{code}: decided without its text: {refusal}"));
        }
        if chinese != refusal.message {
            problems.push(format!("{code}: no text, yet not the English: {chinese}"));
        }
        return problems;
    };
    // An empty argument (a policy check's unused `value`) is no data to take out.
    let mut values: Vec<String> = text
        .args()
        .into_iter()
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
        .collect();
    values.sort_by_key(|value| std::cmp::Reverse(value.len()));
    // Rule ids first, so a value ("1") taken out of one ("R16") leaves no stray "R".
    let without_data = values
        .iter()
        .fold(without_rule_ids(&chinese), |rest, value| {
            rest.replace(value.as_str(), " ")
        });
    let without_fields: String = without_data
        .split('`')
        .step_by(2)
        .collect::<Vec<&str>>()
        .join(" ");
    let words: Vec<String> = english_words(&without_fields)
        .into_iter()
        .filter(|word| !CONTRACT_WORDS.contains(&word.as_str()))
        .collect();
    let has_chinese = chinese
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if !words.is_empty() || !has_chinese || chinese.contains(['\u{2068}', '\u{2069}']) {
        problems.push(format!(
            "zh-CN {}: {chinese:?} (English: {words:?})",
            text.id()
        ));
    }
    problems
}

#[test]
fn every_scenario_refusal_renders_as_its_message_in_english_and_in_chinese() {
    let refusals = scenario_refusals();
    assert!(refusals.len() >= 30, "{} refusals", refusals.len());
    let problems: Vec<String> = refusals
        .iter()
        .flat_map(|(scenario, refusal)| {
            rendering_problems(refusal)
                .into_iter()
                .map(move |problem| format!("{scenario}: {problem}"))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";
const C: &str = "00000000-0000-4000-8000-00000000000c";
const D: &str = "00000000-0000-4000-8000-00000000000d";
const E: &str = "00000000-0000-4000-8000-00000000000e";

fn policy(effective_from: &str) -> Value {
    json!({"command": "publish_policy", "region": "demo", "effective_from": effective_from,
        "average_monthly_wage": "10000.00", "contribution_rate": "0.10",
        "base_ratio_min": "0.60", "base_ratio_max": "3.00", "grace_months": 3,
        "benefit_delay_first": 6, "benefit_delay_reenroll": 1,
        "backpay_restores": "retroactive",
        "benefit_tiers": [{"min_continuous_months": 0, "tier": "basic"}]})
}

fn enroll(member: &str, region: &str, month: &str, ratio: &str, labor: &str) -> Value {
    json!({"command": "enroll", "member_id": member, "region": region, "month": month,
        "base_ratio": ratio, "labor_relationship": labor})
}

fn pay(months: &[&str], amount: &str, paid_on: &str) -> Value {
    json!({"command": "pay", "member_id": A, "months": months, "amount": amount,
        "paid_on": paid_on})
}

fn member(command: &str, member: &str) -> Value {
    json!({"command": command, "member_id": member})
}

/// `command` under one fixed command id: a second command under it is `command_id_reused`.
fn with_id(mut command: Value) -> Value {
    command["command_id"] = json!("00000000-0000-4000-8000-0000000000f1");
    command
}

fn grant(from: &str, months: u64, share: &str, category: &str) -> Value {
    json!({"command": "grant_subsidy", "member_id": A, "from_month": from, "months": months,
        "share": share, "category": category})
}

fn pay_subsidy(amount: &str, paid_on: &str) -> Value {
    json!({"command": "pay_subsidy", "member_id": A, "months": ["2025-02"],
        "amount": amount, "paid_on": paid_on})
}

/// One ledger's commands that make every refusal message `decide` has, each step with
/// the message it must make (or `ok`). Long: a table, in the order the state needs.
fn refusal_tour() -> Vec<(Value, &'static str)> {
    let year: Vec<String> = (1..=13)
        .map(|n| format!("{}-{:02}", 2025 + (n - 1) / 12, (n - 1) % 12 + 1))
        .collect();
    let year: Vec<&str> = year.iter().map(String::as_str).collect();
    let close = |month: &str| json!({"command": "close_month", "region": "demo", "month": month});
    let change_base = |member: &str, from: &str| {
        json!({"command": "change_base", "member_id": member, "from_month": from,
            "base_ratio": "1.00"})
    };
    let revoke =
        |from: &str| json!({"command": "revoke_subsidy", "member_id": A, "from_month": from});
    let reenroll =
        json!({"command": "reenroll", "member_id": A, "month": "2025-01", "base_ratio": "0.60"});
    let mut conflict = member("stop_deduction", A);
    conflict["expected_version"] = json!(999);
    vec![
        (
            enroll(A, "nowhere", "2025-01", "0.60", "none"),
            "refusal-unknown-region",
        ),
        (policy("2025-01"), "ok"),
        (enroll(A, "demo", "2025-01", "0.60", "none"), "ok"),
        (
            enroll(A, "demo", "2025-01", "0.60", "none"),
            "refusal-already-enrolled",
        ),
        (
            enroll(B, "demo", "2025-01", "0.60", "employer"),
            "refusal-employer-scheme-required",
        ),
        (
            enroll(B, "demo", "2025-01", "3.50", "none"),
            "refusal-base-ratio-out-of-range",
        ),
        (
            enroll(B, "demo", "2026-01", "0.60", "none"),
            "refusal-enroll-too-far-ahead",
        ),
        (
            pay(&["2025-01"], "600.00", "2025-02-10"),
            "refusal-paid-on-outside-open-month",
        ),
        (
            pay(&["2025-01", "2025-03"], "1200.00", "2025-01-10"),
            "refusal-months-not-contiguous",
        ),
        (
            pay(&["2025-02"], "600.00", "2025-01-10"),
            "refusal-arrears-must-be-paid-first",
        ),
        (
            pay(&year, "7800.00", "2025-01-10"),
            "refusal-prepay-limit-exceeded",
        ),
        (
            pay(&["2025-01"], "1.00", "2025-01-10"),
            "refusal-pay-amount-mismatch",
        ),
        (pay(&["2025-01"], "600.00", "2025-01-10"), "ok"),
        (
            pay(&["2025-01"], "600.00", "2025-01-10"),
            "refusal-pay-already-paid",
        ),
        (
            pay(&["2024-12"], "600.00", "2025-01-10"),
            "refusal-pay-before-enrollment",
        ),
        (close("2025-02"), "refusal-month-not-open"),
        (
            member("resume_deduction", A),
            "refusal-deduction-not-stopped",
        ),
        (member("stop_deduction", A), "ok"),
        (
            member("stop_deduction", A),
            "refusal-deduction-already-stopped",
        ),
        (
            pay(&["2025-02"], "600.00", "2025-01-10"),
            "refusal-pay-deduction-stopped",
        ),
        (member("resume_deduction", A), "ok"),
        // Before the region's first month: never open, so not "already closed".
        (policy("2024-12"), "refusal-policy-before-region"),
        (policy("2027-01"), "refusal-policy-too-far-ahead"),
        (
            json!({"command": "reenroll", "member_id": C, "month": "2025-03", "base_ratio": "0.60"}),
            "refusal-never-enrolled",
        ),
        (reenroll.clone(), "refusal-not-withdrawn"),
        (member("stop_deduction", C), "refusal-member-unknown"),
        (
            change_base(A, "2025-01"),
            "refusal-change-base-already-paid",
        ),
        (
            grant("2025-02", 25, "0.50", "graduate"),
            "refusal-grant-too-long",
        ),
        (
            grant("2025-02", 12, "0.70", "hardship"),
            "refusal-share-too-large",
        ),
        (grant("2025-02", 24, "0.50", "graduate"), "ok"),
        (
            grant("2027-02", 13, "0.50", "other"),
            "refusal-granted-months-exceeded",
        ),
        (
            grant("2027-02", 1, "0.50", "graduate"),
            "refusal-graduate-months-exceeded",
        ),
        (
            grant("2025-06", 2, "0.50", "hardship"),
            "refusal-subsidy-overlap",
        ),
        (
            pay_subsidy("1.00", "2025-02-01"),
            "refusal-subsidy-paid-on-outside-open-month",
        ),
        (
            pay_subsidy("1.00", "2025-01-15"),
            "refusal-subsidy-not-accrued",
        ),
        (pay(&["2025-02"], "600.00", "2025-01-10"), "ok"),
        (close("2025-01"), "ok"),
        (
            enroll(B, "demo", "2025-01", "0.60", "none"),
            "refusal-enroll-month-closed",
        ),
        (
            change_base(A, "2025-01"),
            "refusal-change-base-month-closed",
        ),
        (
            grant("2025-01", 1, "0.50", "other"),
            "refusal-grant-month-closed",
        ),
        (revoke("2025-01"), "refusal-revoke-month-closed"),
        // R1: months before the region's first were never open (nor closed).
        (
            enroll(B, "demo", "2024-11", "0.60", "none"),
            "refusal-month-before-region",
        ),
        (change_base(A, "2024-11"), "refusal-month-before-region"),
        (
            grant("2024-11", 1, "0.50", "other"),
            "refusal-month-before-region",
        ),
        (revoke("2024-11"), "refusal-month-before-region"),
        (policy("2025-01"), "refusal-policy-retroactive"),
        (revoke("2027-02"), "refusal-no-subsidy"),
        (
            pay_subsidy("1.00", "2025-02-15"),
            "refusal-subsidy-not-accrued",
        ),
        (close("2025-02"), "ok"),
        (
            pay_subsidy("1.00", "2025-03-15"),
            "refusal-subsidy-amount-mismatch",
        ),
        (pay_subsidy("300.00", "2025-03-15"), "ok"),
        (
            pay_subsidy("300.00", "2025-03-15"),
            "refusal-subsidy-already-paid",
        ),
        (conflict, "refusal-version-conflict"),
        (with_id(member("stop_deduction", A)), "ok"),
        (with_id(member("resume_deduction", A)), "refusal-command-id-reused"),
        (
            json!({"command": "withdraw", "member_id": A, "reason": "voluntary"}),
            "ok",
        ),
        (
            pay(&["2025-03"], "600.00", "2025-03-10"),
            "refusal-pay-member-withdrawn",
        ),
        (member("stop_deduction", A), "refusal-member-withdrawn"),
        (
            json!({"command": "withdraw", "member_id": A, "reason": "relocated"}),
            "refusal-already-withdrawn",
        ),
        (
            enroll(A, "demo", "2025-03", "0.60", "none"),
            "refusal-previously-enrolled",
        ),
        (reenroll, "refusal-reenroll-month-closed"),
        (enroll(E, "demo", "2025-05", "0.60", "none"), "ok"),
        (
            change_base(E, "2025-04"),
            "refusal-change-base-before-enrollment",
        ),
    ]
    .into_iter()
    .chain(last_month_tour())
    .collect()
}

/// The refusals at the last month the ledger records, 2999-12 (D47), in a region of
/// their own that opens in 2999-11.
fn last_month_tour() -> Vec<(Value, &'static str)> {
    let mut end = policy("2999-11");
    end["region"] = json!("end");
    let close = |month: &str| json!({"command": "close_month", "region": "end", "month": month});
    let pay_d = |months: &[&str], amount: &str| {
        json!({"command": "pay", "member_id": D, "months": months, "amount": amount,
            "paid_on": "2999-12-01"})
    };
    let mut grant_d = grant("2999-11", 3, "0.50", "hardship");
    grant_d["member_id"] = json!(D);
    vec![
        (end, "ok"),
        (enroll(D, "end", "2999-11", "0.60", "none"), "ok"),
        (
            enroll(A, "end", "2999-11", "0.60", "none"),
            "refusal-previously-enrolled-elsewhere",
        ),
        (grant_d, "refusal-grant-past-last-month"),
        (close("2999-11"), "ok"),
        (close("2999-12"), "refusal-close-last-month"),
        (pay_d(&["2999-11", "2999-12"], "1200.00"), "ok"),
        (
            pay_d(&["2999-12"], "600.00"),
            "refusal-pay-paid-through-last-month",
        ),
        (
            json!({"command": "change_base", "member_id": D, "from_month": "2999-12",
                "base_ratio": "1.00"}),
            "refusal-change-base-paid-through-last-month",
        ),
        (
            json!({"command": "withdraw", "member_id": D, "reason": "voluntary"}),
            "refusal-withdraw-past-last-month",
        ),
    ]
}

/// Messages no command of this build leads to, only a log written by v1 (D26): the
/// tour cannot make them, so `a_refusal_only_a_v1_log_leads_to_renders_in_both_languages`
/// decides each on a state folded from such a log.
const MESSAGES_ONLY_A_V1_LOG_MAKES: &[&str] = &["refusal-reenroll-past-last-month"];
/// `invalid_command` refusals that `decide` makes, not parsing (D47: a month past
/// 2999-12 that a well-formed command would have to record).
const INVALID_COMMANDS_DECIDE_MAKES: &[&str] = &[
    "refusal-close-last-month",
    "refusal-grant-past-last-month",
    "refusal-withdraw-past-last-month",
];

/// Every refusal message `decide` has, made once by one ledger, renders in English as
/// its `message` and in Chinese; the scenarios alone make only some of them.
#[test]
fn every_refusal_message_of_decide_renders_in_both_languages() {
    let tour = refusal_tour();
    let (commands, expected): (Vec<Value>, Vec<&str>) = tour.into_iter().unzip();
    let results = submit(commands.clone());
    let mut problems = Vec::new();
    let mut made = BTreeSet::new();
    for ((command, expected), result) in commands.iter().zip(&expected).zip(&results) {
        let got = match result {
            CommandResult::Accepted { .. } => "ok".to_owned(),
            CommandResult::Refused(refusal) => {
                problems.extend(rendering_problems(refusal));
                refusal
                    .text
                    .as_ref()
                    .map_or_else(|| refusal.to_string(), |text| text.id().to_owned())
            }
        };
        if got != *expected {
            problems.push(format!("{command}: expected {expected}, got {got}"));
        }
        made.insert(got);
    }
    let all: BTreeSet<String> = RefusalText::ALL
        .iter()
        .filter(|(code, id, _)| {
            *code != ErrorCode::InvalidCommand || INVALID_COMMANDS_DECIDE_MAKES.contains(id)
        })
        .filter(|(_, id, _)| !MESSAGES_ONLY_A_V1_LOG_MAKES.contains(id))
        .map(|(_, id, _)| (*id).to_owned())
        .collect();
    let missing: Vec<&String> = all.difference(&made).collect();
    if !missing.is_empty() {
        problems.push(format!("no step makes {missing:?}"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// D26, D47: a withdrawal recorded by v1 with months paid ahead through 2999-12 leaves
/// them paid outside the period, and re-enrollment may not start within them: no month
/// is left. `decide` says so on the state folded from such a log, in both languages.
#[test]
fn a_refusal_only_a_v1_log_leads_to_renders_in_both_languages() {
    use flexledger::domain::command::WithdrawalReason;
    use flexledger::domain::event::MemberWithdrawn;
    use flexledger::domain::money::Money;
    use flexledger::domain::month::Month;
    use flexledger::domain::{decide, Event, LedgerState};
    let mut state = LedgerState::default();
    let fold = |state: &mut LedgerState, events: Vec<Event>| {
        for event in events {
            let position = state.position + 1;
            state.apply(position, &event).unwrap();
        }
    };
    let year: Vec<String> = (1..=12).map(|number| format!("2999-{number:02}")).collect();
    let mut end = policy("2999-01");
    end["region"] = json!("end");
    for command in [
        end,
        enroll(A, "end", "2999-01", "0.60", "none"),
        pay(
            &year.iter().map(String::as_str).collect::<Vec<_>>(),
            "7200.00",
            "2999-01-05",
        ),
    ] {
        let events = decide(&state, &parse_command_value(command).unwrap()).unwrap();
        fold(&mut state, events);
    }
    let v1_withdrawal = Event::MemberWithdrawn(MemberWithdrawn {
        member_id: A.parse().unwrap(),
        reason: WithdrawalReason::Voluntary,
        effective_from: Month::LAST,
        lapsed_months: Vec::new(),
        lapsed_amount: Money::ZERO,
    });
    fold(&mut state, vec![v1_withdrawal]);
    let reenroll = json!({"command": "reenroll", "member_id": A, "month": "2999-12",
        "base_ratio": "0.60"});
    let refusal = decide(&state, &parse_command_value(reenroll).unwrap()).unwrap_err();
    let id = refusal.text.as_ref().map(|text| text.id());
    assert_eq!(id, Some(MESSAGES_ONLY_A_V1_LOG_MAKES[0]), "{refusal}");
    let problems = rendering_problems(&refusal);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One command of every sentence a command that does not parse is refused with, and
/// the message each must make (`tests/it/http_languages.rs` sends the same over HTTP).
fn parse_tour() -> Vec<(Value, &'static str)> {
    let grant = |months: u64, share: &str| {
        json!({"command": "grant_subsidy", "member_id": A,
        "from_month": "2025-10", "months": months, "share": share, "category": "hardship"})
    };
    let months = |command: &str, months: &[&str]| {
        json!({"command": command, "member_id": A,
        "months": months, "amount": "1.00", "paid_on": "2025-10-03"})
    };
    vec![
        (json!(1), "refusal-parse-not-an-object"),
        (json!({"command": 1}), "refusal-parse-command-not-a-string"),
        (json!({}), "refusal-parse-command-missing"),
        (
            json!({"command": "frob\"nicate"}),
            "refusal-parse-unknown-command",
        ),
        (
            json!({"command_id": "x", "command": "pay"}),
            "refusal-parse-command-id-not-a-uuid",
        ),
        (
            json!({"expected_version": -1, "command": "pay"}),
            "refusal-parse-expected-version-not-a-count",
        ),
        (
            json!({"expected_version": 1, "command": "close_month", "region": "demo",
                "month": "2025-10"}),
            "refusal-parse-expected-version-not-a-member-command",
        ),
        (months("pay", &[]), "refusal-parse-months-count"),
        (months("pay_subsidy", &[]), "refusal-parse-months-count"),
        (
            json!({"command": "withdraw", "member_id": A, "reason": "arrears_exceeded_grace"}),
            "refusal-parse-withdraw-arrears-exceeded-grace",
        ),
        (
            json!({"command": "withdraw", "member_id": A, "reason": "moved"}),
            "refusal-parse-field-invalid",
        ),
        (grant(0, "0.5"), "refusal-parse-grant-months"),
        (grant(3, "0"), "refusal-parse-grant-share"),
        (
            months("pay_subsidy", &["2025-01", "2025-01"]),
            "refusal-parse-pay-subsidy-month-twice",
        ),
        (member("pay", A), "refusal-parse-field-missing"),
        (member("pay", "1234"), "refusal-parse-field-invalid"),
        (
            json!({"command": "close_month", "region": "demo", "month": "2025-10", "zzz": 1}),
            "refusal-parse-field-invalid",
        ),
        (months("pay", &["2025-13"]), "refusal-parse-field-invalid"),
        (
            {
                let mut wrong = policy("2025-10");
                wrong["base_ratio_min"] = json!("0");
                wrong
            },
            "refusal-parse-policy-invalid",
        ),
    ]
}

/// A wrong `withdraw` reason is told the four a command may give (R12), not the one
/// only a month close records (R11), which is refused with its own reason if sent.
#[test]
fn a_wrong_withdraw_reason_lists_only_the_reasons_a_command_may_give() {
    let command = json!({"command": "withdraw", "member_id": A, "reason": "moved"});
    let Err(refusal) = parse_command(&command.to_string()) else {
        panic!("{command} parsed");
    };
    assert!(
        refusal.message.ends_with(
            "unknown variant `moved`, expected one of `voluntary`, `employer_scheme`, `relocated`, `deceased`"
        ),
        "{refusal}"
    );
}

/// Every parse sentence renders in English as its `message` and in Chinese, a
/// policy's validation for each of its checks too. Text
/// that is not JSON at all (`{`) is one of the sentences, which the tour's JSON values
/// cannot make.
#[test]
fn every_parse_refusal_renders_in_both_languages() {
    let mut problems = Vec::new();
    let mut made = BTreeSet::new();
    let texts = parse_tour()
        .into_iter()
        .map(|(command, expected)| (command.to_string(), expected));
    let lines = [
        ("{".as_bytes(), "refusal-parse-line-unfinished"),
        ("}".as_bytes(), "refusal-parse-not-json"),
        (br#"[{"command":"pay"}]"#, "refusal-parse-line-array"),
        // Valid JSON, out of range (it said "not valid JSON").
        (
            br#"{"command":"close_month","region":"demo","month":"2025-01","x":1e400}"#,
            "refusal-parse-number-out-of-range",
        ),
        (
            br#"{"command":"close_month","region":"demo","month":"2025-01","x":2.9999999999999999}"#,
            "refusal-parse-number-inexact",
        ),
        (&[0xC4, 0xE3, 0xBA, 0xC3][..], "refusal-parse-line-not-utf8"),
        (" \t".as_bytes(), "refusal-parse-line-empty"),
    ];
    let lines = lines
        .map(|(bytes, expected)| (String::from_utf8_lossy(bytes).into_owned(), bytes, expected));
    let texts = texts.map(|(text, expected)| (text.clone(), text.into_bytes(), expected));
    for (command, bytes, expected) in
        texts.chain(lines.map(|(text, bytes, expected)| (text, bytes.to_vec(), expected)))
    {
        let Err(refusal) = parse_command_line(&bytes) else {
            problems.push(format!("{command}: parsed"));
            continue;
        };
        problems.extend(rendering_problems(&refusal));
        let got = refusal.text.as_ref().map_or("none", |text| text.id());
        if got != expected {
            problems.push(format!(
                "{command}: expected {expected}, got {got}: {refusal}"
            ));
        }
        made.insert(got.to_owned());
    }
    // A line too long is refused unread, by `submit`'s reader.
    let too_long = flexledger::domain::command::line_too_long(65_536);
    problems.extend(rendering_problems(&too_long));
    made.extend(too_long.text.as_ref().map(|text| text.id().to_owned()));
    let parse: BTreeSet<String> = RefusalText::ALL
        .iter()
        .filter(|(code, id, _)| {
            *code == ErrorCode::InvalidCommand && !INVALID_COMMANDS_DECIDE_MAKES.contains(id)
        })
        .map(|(_, id, _)| (*id).to_owned())
        .collect();
    let missing: Vec<&String> = parse.difference(&made).collect();
    if !missing.is_empty() {
        problems.push(format!("no command makes {missing:?}"));
    }
    problems.extend(policy_refusal_problems());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A policy made wrong for each check of `Policy::validate`: each is refused with its
/// check's sentence, in English as its `message` and in Chinese.
fn policy_refusal_problems() -> Vec<String> {
    let tiers = |tiers: Value| json!({"benefit_tiers": tiers});
    let tier = |months: u32, name: &str| json!({"min_continuous_months": months, "tier": name});
    let wrong = [
        (
            json!({"average_monthly_wage": "0.00"}),
            PolicyCheck::NotPositive,
        ),
        (
            json!({"average_monthly_wage": "99999999.00"}),
            PolicyCheck::NotBelow,
        ),
        (json!({"base_ratio_max": "101"}), PolicyCheck::AboveMax),
        (json!({"grace_months": 100000}), PolicyCheck::AboveMax),
        (json!({"contribution_rate": "1.5"}), PolicyCheck::RateRange),
        (json!({"base_ratio_min": "3.50"}), PolicyCheck::BandInverted),
        (
            json!({"account_rate": "0.20"}),
            PolicyCheck::AccountAboveRate,
        ),
        (
            tiers(json!(vec![tier(0, "basic"); 1000])),
            PolicyCheck::TooManyTiers,
        ),
        (tiers(json!([tier(0, "")])), PolicyCheck::TierNameLength),
        (
            tiers(json!([tier(0, "a"), tier(0, "b")])),
            PolicyCheck::TierRepeats,
        ),
        (
            json!({"average_monthly_wage": "0.01", "base_ratio_min": "0.01"}),
            PolicyCheck::DueRoundsToZero,
        ),
        (
            json!({"benefit_delay_reenroll": 0}),
            PolicyCheck::DelayBelowNextMonth,
        ),
    ];
    let mut problems = Vec::new();
    let mut made = BTreeSet::new();
    for (fields, check) in wrong {
        let mut command = policy("2025-10");
        for (field, value) in fields.as_object().unwrap() {
            command[field] = value.clone();
        }
        match parse_command_value(command) {
            Err(refusal) => {
                match &refusal.text {
                    Some(RefusalText::ParsePolicyInvalid { check: got, .. })
                        if *got == check.name() =>
                    {
                        made.insert(check.name());
                    }
                    other => problems.push(format!("{fields}: not {check:?} but {other:?}")),
                }
                problems.extend(rendering_problems(&refusal));
            }
            Ok(_) => problems.push(format!("{fields}: a policy that does not validate parsed")),
        }
    }
    for check in PolicyCheck::ALL {
        if !made.contains(check.name()) {
            problems.push(format!("no policy made {check:?}"));
        }
    }
    problems
}

/// One command of each kind the scenarios send, with every field of its body made
/// wrong in turn with every JSON type, plus texts that are not JSON: every detail
/// serde says about them is said in Chinese, with no English left but the names
/// and values it quotes (`i18n::detail_in`), and gives back its English exactly.
#[test]
fn every_detail_a_wrong_field_or_broken_json_makes_is_said_in_chinese() {
    let wrong = [
        json!(null),
        json!(true),
        json!(1),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!(""),
        json!([]),
        json!({}),
        json!(["x"]),
        json!([1]),
        json!([{}]),
        json!("2025-13"),
        json!("zzzzzzzz-bb50-5037-9d21-49eba4cb5782"),
        json!("0b53af7d-bb50-5037-9d21"),
        json!("0b53af7d-bb50-5037-9d21-49eba4cb57"),
    ];
    let mut texts: Vec<String> = Vec::new();
    for command in one_command_of_each_kind() {
        let Value::Object(body) = &command else {
            continue;
        };
        for field in body.keys().filter(|field| *field != "command") {
            for value in &wrong {
                let mut changed = body.clone();
                changed.insert(field.clone(), value.clone());
                texts.push(Value::Object(changed).to_string());
            }
        }
        let mut extra = body.clone();
        extra.insert("zzz".to_owned(), json!(1));
        texts.push(Value::Object(extra).to_string());
    }
    texts.extend(
        [
            "{",
            "not json",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "[1,2",
            "\"abc",
            "{\"a\":\"\\q\"}",
            "{\"a\":1}x",
            "{1:2}",
            "{\"a\":1e999}",
            "{\"a\":\"\u{1}\"}",
            "{\"a\":-}",
            "{\"command\":\"pay\",\"command\":\"pay\"}",
            "{\"a\":\"\\ud800\"}",
        ]
        .map(str::to_owned),
    );
    let mut problems = Vec::new();
    let mut said = BTreeSet::new();
    for text in &texts {
        let Err(refusal) = parse_command(text) else {
            continue;
        };
        let Some(detail) = refusal.text.as_ref().and_then(|data| {
            data.args()
                .into_iter()
                .find_map(|(name, value)| (name == "detail").then_some(value))
        }) else {
            continue;
        };
        let chinese = flexledger::i18n::detail_in(Language::ZhCn, &detail);
        let unquoted: String = chinese
            .split(['`', '"'])
            .step_by(2)
            .collect::<Vec<&str>>()
            .join(" ");
        let words: Vec<String> = english_words(&unquoted)
            .into_iter()
            .filter(|word| !CONTRACT_WORDS.contains(&word.as_str()))
            .collect();
        if chinese == detail || !words.is_empty() {
            problems.push(format!("{text}\n  {detail}\n  {chinese} {words:?}"));
        }
        said.insert(detail);
    }
    assert!(said.len() > 60, "only {} details: {said:?}", said.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The first command of each kind found in the scenario files.
fn one_command_of_each_kind() -> Vec<Value> {
    fn walk(value: &Value, found: &mut BTreeMap<String, Value>) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(kind)) = object.get("command") {
                    found.entry(kind.clone()).or_insert_with(|| value.clone());
                }
                object.values().for_each(|inner| walk(inner, found));
            }
            Value::Array(items) => items.iter().for_each(|inner| walk(inner, found)),
            _ => {}
        }
    }
    let mut found = BTreeMap::new();
    for file in scenario_files() {
        walk(&read_json(&file), &mut found);
    }
    assert!(found.len() >= 11, "{:?}", found.keys());
    found.into_values().collect()
}

/// Wherever an English message uses a glossary term (as words), its Chinese message
/// uses the glossary's Chinese term, as the Chinese rules must (`rules_zh.rs`).
fn term_problems(en: &[MessageSource], zh: &[MessageSource], rows: &[GlossaryRow]) -> Vec<String> {
    let mut problems = Vec::new();
    for message in en {
        let Some(chinese) = zh.iter().find(|other| other.id == message.id) else {
            continue;
        };
        let words = message.text.to_lowercase();
        for row in rows {
            let used = row.english.iter().find_map(|form| match form {
                Form::Words(phrase) if uses_words(&words, phrase) => Some(phrase),
                _ => None,
            });
            let excepted = TERM_EXCEPTIONS
                .iter()
                .any(|(id, term, _)| *id == message.id && *term == row.chinese);
            if let Some(phrase) = used {
                if !excepted && !chinese.text.contains(&row.chinese) {
                    problems.push(format!(
                        "{}: en uses {phrase:?}, zh-CN does not use {}",
                        message.id, row.chinese
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn each_chinese_message_uses_the_glossary_terms_of_its_english_message() {
    let glossary = std::fs::read_to_string(repo_path("docs/GLOSSARY.md")).unwrap();
    let rows = glossary_rows(&glossary);
    let (en, zh) = (messages(Language::En), messages(Language::ZhCn));
    let problems = term_problems(&en, &zh, &rows);
    assert!(
        problems.is_empty(),
        "glossary terms missing:\n{}",
        problems.join("\n")
    );
    // The check can fail: a Chinese message without its term is named.
    let mut renamed = zh.clone();
    let withdrawn = renamed
        .iter_mut()
        .find(|message| message.id == "refusal-member-withdrawn")
        .unwrap();
    withdrawn.text = withdrawn.text.replace("停保", "退出");
    assert!(term_problems(&en, &renamed, &rows)
        .iter()
        .any(|problem| problem.contains("refusal-member-withdrawn") && problem.contains("停保")));
}

/// Help texts where an English glossary word has another sense than the glossary's:
/// (where, the row's Chinese term, why).
const HELP_TERM_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "help-flexledger-serve.after-help",
        "事件推送",
        "feed appears only in an example URL's path (/v1/feed), which stays as it is",
    ),
    (
        "help-flexledger-serve.long-about",
        "月结",
        "a connection is closed (关闭), no month close",
    ),
    (
        "help-flexledger-serve.long-about",
        "缴费",
        "`pay` is the name of a command's schema file (pay.schema.json)",
    ),
    (
        "help-flexledger-serve.long-about",
        "待遇等待期",
        "connections wait (排队) in the accept backlog",
    ),
    (
        "help-flexledger-restore.long-about",
        "参保人员",
        "`members` is a field of the JSON printed, quoted as it is",
    ),
    (
        "help-flexledger-restore.long-about",
        "待遇恢复",
        "a restored ledger (恢复后的账本), not benefits restored",
    ),
];

/// The Chinese help (`locales/zh-CN/help.ftl`, D52) uses the glossary's terms wherever
/// its English (the code's) uses a glossary word, as the catalogs' messages do.
#[test]
fn the_chinese_help_uses_the_glossary_terms_of_its_english() {
    let glossary = std::fs::read_to_string(repo_path("docs/GLOSSARY.md")).unwrap();
    let rows = glossary_rows(&glossary);
    let source = |id: &str, text: &str| MessageSource {
        id: id.to_owned(),
        variables: BTreeSet::new(),
        text: text.to_owned(),
    };
    let (mut en, mut zh) = (Vec::new(), Vec::new());
    for (place, english, chinese) in crate::help::help_texts() {
        en.push(source(&place, &english));
        zh.push(source(&place, &chinese));
    }
    let problems: Vec<String> = term_problems(&en, &zh, &rows)
        .into_iter()
        .filter(|problem| {
            !HELP_TERM_EXCEPTIONS.iter().any(|(place, term, _)| {
                problem.starts_with(&format!("{place}: ")) && problem.ends_with(term)
            })
        })
        .collect();
    assert!(
        problems.is_empty(),
        "glossary terms missing:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_language_is_the_flag_then_flexledger_lang_then_lc_all_then_lang() {
    let negotiate = |flag, own, lc_all, lang| Language::negotiate(flag, own, lc_all, lang).unwrap();
    assert_eq!(
        negotiate(Some("zh"), Some("en"), None, Some("en_US.UTF-8")),
        Language::ZhCn
    );
    assert_eq!(
        negotiate(Some("en"), Some("zh"), Some("zh_CN.UTF-8"), None),
        Language::En
    );
    assert_eq!(
        negotiate(None, Some("zh-CN"), Some("en_US"), Some("en")),
        Language::ZhCn
    );
    assert_eq!(
        negotiate(None, None, Some("zh_CN.UTF-8"), Some("en_US.UTF-8")),
        Language::ZhCn
    );
    assert_eq!(
        negotiate(None, None, Some("C"), Some("zh_CN.UTF-8")),
        Language::En
    );
    assert_eq!(
        negotiate(None, Some(""), Some(""), Some("zh_CN.UTF-8")),
        Language::ZhCn
    );
    assert_eq!(negotiate(None, None, None, None), Language::En);
    assert_eq!(
        negotiate(None, Some("fr"), None, Some("zh_CN.UTF-8")),
        Language::En
    );
    let unknown = Language::negotiate(Some("fr"), None, None, Some("zh_CN.UTF-8"));
    assert!(unknown.is_err(), "{unknown:?}");
}

#[test]
fn chinese_tags_and_locales_name_simplified_chinese_and_others_english() {
    for tag in [
        "zh",
        "zh-CN",
        "zh_CN.UTF-8",
        "zh-Hans",
        "zh-Hans-CN",
        "zh_SG",
        "zh_CN@pinyin",
    ] {
        assert_eq!(Language::from_tag(tag), Some(Language::ZhCn), "{tag}");
    }
    for tag in ["en", "en-US", "en_GB.UTF-8"] {
        assert_eq!(Language::from_tag(tag), Some(Language::En), "{tag}");
    }
    for tag in [
        "zh-TW",
        "zh-Hant",
        "zh_HK.UTF-8",
        "fr",
        "C",
        "POSIX",
        "",
        "*",
    ] {
        assert_eq!(Language::from_tag(tag), None, "{tag}");
        assert_eq!(
            Language::negotiate(None, Some(tag), None, None),
            Ok(Language::En)
        );
        assert!(Language::negotiate(Some(tag), None, None, None).is_err());
    }
}

#[test]
fn accept_language_honours_quality_values() {
    let from = Language::from_accept_language;
    assert_eq!(from("en;q=0.5, zh-CN;q=0.9"), Language::ZhCn);
    assert_eq!(from("zh-CN;q=0.5, en;q=0.9"), Language::En);
    assert_eq!(from("zh-CN, en"), Language::ZhCn);
    assert_eq!(from("en, zh-CN"), Language::En);
    assert_eq!(from("fr-FR, zh;q=0.8, en;q=0.7"), Language::ZhCn);
    assert_eq!(from("zh-TW, zh;q=0.8, en;q=0.9"), Language::En);
    assert_eq!(from("zh-CN;q=0, en;q=0.1"), Language::En);
    assert_eq!(from("zh-CN;q=0"), Language::En);
    assert_eq!(from("fr, de"), Language::En);
    assert_eq!(from(""), Language::En);
    assert_eq!(
        from("zh-CN;q=2, en;q=0.1"),
        Language::En,
        "an invalid q is not a preference"
    );
    assert_eq!(from("*, zh;q=0.5"), Language::ZhCn);
}

#[test]
fn messages_are_plain_text_with_their_arguments() {
    let args = [("member", "m-1".to_owned())];
    let en = tr(Language::En, "refusal-never-enrolled", &args).unwrap();
    assert_eq!(
        en,
        "member m-1 has never enrolled: no member has this id; check it, or use enroll for a new member (R5)"
    );
    let zh = tr(Language::ZhCn, "refusal-never-enrolled", &args).unwrap();
    assert!(
        zh.contains(" m-1 ") && !zh.contains(['\u{2068}', '\u{2069}']),
        "{zh}"
    );
    assert_eq!(
        tr(Language::En, "refusal-never-enrolled", &[]),
        None,
        "an argument missing"
    );
    assert_eq!(tr(Language::ZhCn, "no-such-message", &args), None);
    // A refusal without data, as read back from JSON, is its English message.
    let wire: Refusal =
        serde_json::from_value(json!({"code": "month_closed", "message": "m"})).unwrap();
    assert_eq!(refusal_message(Language::ZhCn, &wire), "m");
}

const AUDIT: &str = env!("CARGO_BIN_EXE_flexledger-audit");
const FLEXLEDGER: &str = env!("CARGO_BIN_EXE_flexledger");

/// `program --data-dir dir args` with only `environment` of the variables that choose
/// a language.
fn run_in(
    program: &str,
    dir: &std::path::Path,
    args: &[&str],
    environment: &[(&str, &str)],
) -> std::process::Output {
    let mut command = std::process::Command::new(program);
    for variable in ["FLEXLEDGER_LANG", "LC_ALL", "LANG", "FLEXLEDGER_DATA_DIR"] {
        command.env_remove(variable);
    }
    command
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .envs(environment.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// The flag given, the environment, and what `explain` must print.
type LanguageCase<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a String);

/// Both binaries take `--lang`; `explain` speaks the language the flag, then
/// `FLEXLEDGER_LANG`, `LC_ALL` and `LANG` choose, prints exactly the expect file of
/// that language, and writes the same JSON in every language.
#[test]
fn explain_speaks_the_language_chosen_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = read_json(&repo_path("tests/scenarios/automatic_withdrawal.json"));
    let commands: Vec<Value> = scenario["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["command"].clone())
        .collect();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let (member, month) = ("0b53af7d-bb50-5037-9d21-49eba4cb5782", "2025-09");
    let english =
        crate::expect::explain_section("automatic_withdrawal/0b53af7d.explain.txt", month);
    let chinese =
        crate::expect::explain_section("automatic_withdrawal/0b53af7d.explain.zh-CN.txt", month);
    let explain = ["explain", "--member", member, "--month", month];
    let zh = [("LANG", "zh_CN.UTF-8")];
    let cases: Vec<LanguageCase> = vec![
        (vec![], vec![], &english),
        (vec![], zh.to_vec(), &chinese),
        (vec![], vec![("LANG", "C")], &english),
        (vec![], vec![("LANG", "POSIX")], &english),
        (
            vec![],
            vec![("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")],
            &english,
        ),
        (
            vec![],
            vec![("LC_ALL", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")],
            &chinese,
        ),
        (
            vec![],
            vec![("FLEXLEDGER_LANG", "zh-CN"), ("LC_ALL", "en_US.UTF-8")],
            &chinese,
        ),
        (
            vec![],
            vec![("FLEXLEDGER_LANG", "en"), ("LANG", "zh_CN.UTF-8")],
            &english,
        ),
        (vec!["--lang", "en"], zh.to_vec(), &english),
        (
            vec!["--lang", "zh-CN"],
            vec![("FLEXLEDGER_LANG", "en")],
            &chinese,
        ),
    ];
    for (flag, environment, expected) in cases {
        let args: Vec<&str> = flag.iter().chain(explain.iter()).copied().collect();
        let output = run_in(AUDIT, dir.path(), &args, &environment);
        assert!(output.status.success(), "{args:?} {environment:?}");
        assert_eq!(
            &String::from_utf8(output.stdout).unwrap(),
            expected,
            "{args:?} {environment:?}"
        );
    }
    // A global flag: after the subcommand too.
    let mut after: Vec<&str> = explain.to_vec();
    after.extend(["--lang", "zh-CN"]);
    let output = run_in(AUDIT, dir.path(), &after, &[]);
    assert_eq!(String::from_utf8(output.stdout).unwrap(), chinese);
    // The JSON is the same in every language.
    let json_line =
        crate::expect::explain_json_line("automatic_withdrawal/0b53af7d.explain.jsonl", month);
    for language in ["en", "zh-CN"] {
        let mut args = vec!["--json", "--lang", language];
        args.extend(explain);
        let output = run_in(AUDIT, dir.path(), &args, &zh);
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            json_line,
            "{language}"
        );
    }
    // A month after the withdrawal is explained too, in the language chosen.
    let after_withdrawal = [
        "--lang", "zh-CN", "explain", "--member", member, "--month", "2031-01",
    ];
    let output = run_in(AUDIT, dir.path(), &after_withdrawal, &[]);
    assert_eq!(output.status.code(), Some(0));
    let said = String::from_utf8(output.stdout).unwrap();
    assert!(said.contains("2031-01：未参保（not_enrolled）"), "{said}");
    // A member the log never saw cannot be explained: it says so in the language.
    let unknown = [
        "--lang",
        "zh-CN",
        "explain",
        "--member",
        "11111111-2222-4333-8444-555555555555",
        "--month",
        "2025-01",
    ];
    let output = run_in(AUDIT, dir.path(), &unknown, &[]);
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(said.contains("在此账本中没有事件"), "{said}");
}

/// A `--lang` naming no language flexledger speaks is an error (exit 2) listing the
/// choices, in both binaries; the environment's unknown values mean English.
#[test]
fn an_unknown_lang_flag_is_refused_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&[policy("2025-01")], dir.path()));
    for program in [AUDIT, FLEXLEDGER] {
        // With `--help` too: English help would look as if the flag were heard.
        for args in [&["--lang", "fr", "verify"][..], &["--lang=fr", "--help"]] {
            let output = run_in(program, dir.path(), args, &[]);
            assert_eq!(output.status.code(), Some(2), "{program} {args:?}");
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert!(
                stderr.contains("\"fr\"") && stderr.contains("en, zh-CN"),
                "{program}: {stderr}"
            );
            // Also in Chinese: the reader may have asked for it by another name.
            assert!(stderr.contains("简体中文请用 zh-CN"), "{program}: {stderr}");
            assert!(output.stdout.is_empty(), "{program} {args:?}");
        }
        let output = run_in(
            program,
            dir.path(),
            &["verify"],
            &[("FLEXLEDGER_LANG", "fr")],
        );
        assert!(output.status.success(), "{program}: {output:?}");
        // English, as for LC_ALL or LANG, but the ledger's own setting is said once.
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            stderr
                .matches("warning: FLEXLEDGER_LANG \"fr\" names no language")
                .count(),
            1,
            "{program}: {stderr}"
        );
        let output = run_in(program, dir.path(), &["--lang", "zh-CN", "verify"], &[]);
        assert!(output.status.success(), "{program}: {output:?}");
    }
}

/// ASCII words the Chinese audit texts may hold in their own sentences (reasons, the
/// events' roles and summaries, the replay's changes): codes as RULES.zh.md keeps them,
/// P for the month R7 names, the fixtures' region and tier names, and formulas.
const CODE_WORDS: &[&str] = &[
    "P",
    "L",
    "round2",
    "retroactive",
    "prospective",
    // Region names of the scenarios (data, not words).
    "demo",
    "north",
    "basic",
    "enhanced",
    "waiting",
    "covered",
    "restored",
    "lapsed",
    "arrears",
    "due",
];

/// The Chinese expect files of `explain` and `replay` word their own sentences in
/// Chinese: outside the rules and sources they quote, every ASCII word is a code (a
/// field, parameter, command or event type name, a rule id) or one of [`CODE_WORDS`].
#[test]
fn the_chinese_audit_texts_have_no_english_sentences() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for case in std::fs::read_dir(repo_path("tests/expect")).unwrap() {
        for file in std::fs::read_dir(case.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if !path.to_string_lossy().ends_with(".zh-CN.txt") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // The rules section quotes RULES.zh.md and the sources: not our sentences.
            let own = text.split("=== explain --month ").map(|section| {
                section
                    .split("适用的规则（RULES.zh.md）：")
                    .next()
                    .unwrap_or("")
            });
            for line in own
                .flat_map(str::lines)
                .skip_while(|line| line.starts_with("20"))
            {
                checked += 1;
                let words = crate::support::english_words(line, CODE_WORDS);
                if !words.is_empty() {
                    problems.push(format!("{}: {words:?} in {line}", path.display()));
                }
            }
        }
    }
    assert!(checked > 1000, "{checked} lines");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// English counts select their plural: "1 month", never "1 month(s)" or "1 months'
/// grace" (the catalogs hold no such fallback, and a count of one renders singular).
#[test]
fn english_counts_are_singular_for_one_and_plural_otherwise() {
    use flexledger::i18n::{count, say, text};
    for file in [
        "explain", "events", "replay", "timeline", "page", "refusals",
    ] {
        let source = std::fs::read_to_string(repo_path(&format!("locales/en/{file}.ftl"))).unwrap();
        for fallback in ["(s)", "months'", "months of arrears"] {
            let lines: Vec<&str> = source
                .lines()
                .filter(|line| !line.starts_with('#') && line.contains(fallback))
                .collect();
            assert!(lines.is_empty(), "{file}.ftl says {fallback:?}: {lines:?}");
        }
    }
    let arrears_by = |months: usize, grace: u32, by: &str| {
        let args = [
            ("owed", text("600.00")),
            ("first", text("2025-03")),
            ("months", count(months)),
            ("deadline", text("2025-04")),
            ("grace", count(grace)),
            ("shortened", text(by)),
            ("run", count(grace + 1)),
            ("month_grace", count(grace)),
            ("sum", text("2025-04")),
        ];
        say(Language::En, "explain-arrears-run", &args)
    };
    let arrears = |months: usize, grace: u32| arrears_by(months, grace, "no");
    let later = arrears_by(1, 1, "later");
    assert!(
        later.contains("leave 2 months of arrears, more than the 1 month of grace"),
        "{later}"
    );
    let one = arrears(1, 1);
    assert!(
        one.contains("owes 600.00 in arrears, 1 month from 2025-03"),
        "{one}"
    );
    assert!(
        one.contains("+ 1 month of grace") && one.contains("more than 1 month of arrears"),
        "{one}"
    );
    assert!(!one.contains("months"), "{one}");
    let two = arrears(2, 3);
    assert!(
        two.contains("2 months from 2025-03") && two.contains("3 months of grace"),
        "{two}"
    );
    let delay = say(Language::En, "explain-delay-first", &[("delay", count(1))]);
    assert!(delay.contains("applies: 1 month (P-delay-first"), "{delay}");
    let header = [
        ("member", text("m")),
        ("region", text("demo")),
        ("events", count(1)),
    ];
    assert!(say(Language::En, "replay-header", &header).contains(", 1 event;"));
    let paid = [
        ("months", text("2025-01")),
        ("count", count(1)),
        ("amount", text("600.00")),
        ("kinds", text("on_time")),
        ("paid_on", text("2025-01-10")),
    ];
    let summary = say(Language::En, "event-paid", &paid);
    assert_eq!(
        summary,
        "R6 paid 2025-01 (1 month, 600.00, on_time) on 2025-01-10"
    );
    // Chinese has no plural: the same count reads "1 个月".
    let zh = say(
        Language::ZhCn,
        "explain-delay-first",
        &[("delay", count(1))],
    );
    assert!(zh.contains("1 个月"), "{zh}");
}

/// The explanation of `month` pinned in `tests/expect/<case>.explain[.zh-CN].txt`,
/// without its rules section (what the reasons and roles say).
fn explained(case: &str, month: &str, language: Language) -> (String, String) {
    let name = match language {
        Language::En => format!("{case}.explain.txt"),
        Language::ZhCn => format!("{case}.explain.zh-CN.txt"),
    };
    let section = crate::expect::explain_section(&name, month);
    let marker = match language {
        Language::En => "Rules applied (RULES.md):",
        Language::ZhCn => "适用的规则（RULES.zh.md）：",
    };
    let (own, rules) = section.split_once(marker).unwrap();
    (own.to_owned(), rules.to_owned())
}

/// A waiting month whose period ended before its benefit start (here by an automatic
/// withdrawal, R11, and by a withdrawal on request, R12) says when benefits would have
/// started, that its contribution bought no coverage and whether it was refunded —
/// not that benefits "start" in a month of a closed period.
#[test]
fn a_waiting_month_of_an_ended_period_says_it_bought_no_coverage() {
    for (case, month, rule) in [
        ("stopped_deduction_lapsed/0b53af7d", "2025-01", "R11"),
        (
            "decision_withdrawal_and_reenrollment/5d1c8a3e",
            "2025-01",
            "R12",
        ),
    ] {
        let (en, _) = explained(case, month, Language::En);
        assert!(en.contains("would have started in"), "{case} {month}: {en}");
        assert!(en.contains("its contribution bought no coverage"), "{en}");
        assert!(en.contains("it was not refunded (R12"), "{en}");
        assert!(
            en.contains(&format!(", {rule}), so the enrollment period ended")),
            "{en}"
        );
        assert!(
            !en.contains("benefits of this enrollment period start in"),
            "{en}"
        );
        let (zh, _) = explained(case, month, Language::ZhCn);
        assert!(
            zh.contains("之前即已结束") && zh.contains("也未退费"),
            "{zh}"
        );
    }
    // A period still open (or ended after its benefit start) says they start.
    let (open, _) = explained("automatic_withdrawal/0b53af7d", "2025-01", Language::En);
    assert!(
        open.contains("benefits of this enrollment period start in 2025-07"),
        "{open}"
    );
}

/// An arrears month says what is owed, from which month the run runs, and the last
/// month in which it can still be paid back (R10).
#[test]
fn an_arrears_month_says_what_is_owed_from_when_and_until_when() {
    let (en, rules) = explained(
        "stopped_deduction_in_arrears/0b53af7d",
        "2025-03",
        Language::En,
    );
    assert!(
        en.contains("the member owes 720.00 in arrears, 1 month from 2025-03; it can still be paid back, oldest first, until 2025-04, the last month in which to pay it"),
        "{en}"
    );
    let (zh, _) = explained(
        "stopped_deduction_in_arrears/0b53af7d",
        "2025-03",
        Language::ZhCn,
    );
    assert!(
        zh.contains("参保人员欠费共计 720.00")
            && zh.contains("补缴截止月为 2025-04，即最后一个可以补缴的月份"),
        "{zh}"
    );
    // R10 is quoted in part: the run and its deadline, not what a back-pay restores.
    assert!(
        rules.contains("(quoted in part: R10 in full is in RULES.md)"),
        "{rules}"
    );
    assert!(
        rules.contains("The back-pay deadline shown") && !rules.contains("becomes `restored`"),
        "{rules}"
    );
}

/// A benefit start names its delay and why: the first enrollment, or a gap longer than
/// P-reset that makes the first-enrollment wait apply again (R7) — in words, not as
/// the parameter's name.
#[test]
fn a_benefit_start_names_its_delay_and_why_in_words() {
    let (first, _) = explained("automatic_withdrawal/0b53af7d", "2025-07", Language::En);
    assert!(
        first.contains("(P plus the first-enrollment delay, R7)"),
        "{first}"
    );
    assert!(
        first.contains("so the first-enrollment delay applies: 6 months (P-delay-first"),
        "{first}"
    );
    let (gap, rules) = explained(
        "long_gap_serves_first_wait/c2432f3f",
        "2025-09",
        Language::En,
    );
    assert!(
        gap.contains(
            "(P plus the first-enrollment delay again, after a gap longer than P-reset, R7)"
        ),
        "{gap}"
    );
    assert!(gap.contains("the gap, 4 months strictly between"), "{gap}");
    assert!(
        gap.contains("longer than the region's limit of 3 months (P-reset, S7)"),
        "{gap}"
    );
    // R7 quoted in part: the benefit start, the delay and the gap, waiting.
    assert!(
        rules.contains("The gap is the number of months")
            && !rules.contains("A member has qualified"),
        "{rules}"
    );
    let (zh, _) = explained(
        "long_gap_serves_first_wait/c2432f3f",
        "2025-09",
        Language::ZhCn,
    );
    assert!(zh.contains("因中断间隔超过 P-reset 视为首次参保"), "{zh}");
    for (case, month) in [
        ("automatic_withdrawal/0b53af7d", "2025-07"),
        ("long_gap_serves_first_wait/c2432f3f", "2025-09"),
        ("backpay_within_grace/0b53af7d", "2025-08"),
        ("automatic_withdrawal/0b53af7d", "2025-08"),
    ] {
        for language in [Language::En, Language::ZhCn] {
            let (own, _) = explained(case, month, language);
            for code in [
                "benefit_delay_first",
                "benefit_delay_reenroll",
                "first_wait_after_gap_months",
                "backpay_restores =",
                "(arrears_exceeded_grace)",
                "补缴 retroactive",
            ] {
                assert!(
                    !own.contains(code),
                    "{case} {month} {language:?} says {code}: {own}"
                );
            }
        }
    }
}

/// The JSON keeps every rule's whole text: only the text output quotes a part.
#[test]
fn the_json_quotes_every_rule_whole() {
    let line =
        crate::expect::explain_json_line("automatic_withdrawal/0b53af7d.explain.jsonl", "2025-01");
    let explained: Value = serde_json::from_str(&line).unwrap();
    let r7 = explained["rules"][0]["text"].as_str().unwrap();
    assert!(
        r7.starts_with("In each enrollment period") && r7.ends_with("serves P-delay-first again.)"),
        "{r7}"
    );
}

/// The refusal that names the arrears to pay first counts them in English by their
/// plural (its `count` argument is a Fluent number), and says the same as `message`.
#[test]
fn the_arrears_refusal_says_one_month_or_several() {
    use flexledger::domain::money::Money;
    use flexledger::domain::month::Month;
    let refusal = |count: usize, last: &str, amount: &str, message: &str| Refusal {
        code: ErrorCode::ArrearsMustBePaidFirst,
        message: message.to_owned(),
        text: Some(RefusalText::ArrearsMustBePaidFirst {
            next_unpaid: Month::parse("2025-10").unwrap(),
            count,
            last_owed: Month::parse(last).unwrap(),
            amount: Money::parse(amount).unwrap(),
        }),
    };
    let one = refusal(1, "2025-10", "600.00", "");
    assert_eq!(
        refusal_message(Language::En, &one),
        "months are paid oldest first (R6): start from 2025-10; 2025-10 comes before the first month this payment names and is unpaid: it owes 600.00"
    );
    let three = refusal(3, "2025-12", "1800.00", "");
    assert_eq!(
        refusal_message(Language::En, &three),
        "months are paid oldest first (R6): start from 2025-10; the 3 months 2025-10..2025-12 come before the first month this payment names and are unpaid: they owe 1800.00"
    );
    assert!(refusal_message(Language::ZhCn, &three).contains("共 3 个月"));
}

/// A withdrawal of a member already withdrawn is `not_enrolled`, as any command for a
/// withdrawn member, but says since when and that nothing is left to do: not
/// "reenroll first", the opposite of what the person meant. Other commands for a
/// withdrawn member still say to re-enroll.
#[test]
fn withdrawing_a_withdrawn_member_says_it_is_already_done() {
    let withdraw = json!({"command": "withdraw", "member_id": A, "reason": "voluntary"});
    let results = submit(vec![
        policy("2025-01"),
        enroll(A, "demo", "2025-01", "0.60", "none"),
        withdraw.clone(),
        withdraw,
        pay(&["2025-01"], "600.00", "2025-01-10"),
    ]);
    let refusals: Vec<&Refusal> = results[3..]
        .iter()
        .map(|result| match result {
            CommandResult::Refused(refusal) => refusal,
            CommandResult::Accepted { .. } => panic!("accepted: {result:?}"),
        })
        .collect();
    let again = refusals[0];
    assert_eq!(again.code, ErrorCode::NotEnrolled);
    assert_eq!(
        again.message,
        format!(
            "member {A} has already withdrawn, since 2025-01 (R12): there is nothing to withdraw"
        )
    );
    let chinese = refusal_message(Language::ZhCn, again);
    assert_eq!(
        chinese,
        format!("参保人员 {A} 已自 2025-01 起停保（R12）：无需再办理停保")
    );
    // A payment says the ended period's months are gone and what paying again takes:
    // "reenroll first" alone led to a second refusal for the same months.
    let pay = refusals[1];
    assert_eq!(pay.code, ErrorCode::NotEnrolled);
    assert!(
        pay.message.contains("can no longer be paid") && pay.message.contains("reenroll (R13)"),
        "{}",
        pay.message
    );
    assert!(refusal_message(Language::ZhCn, pay).contains("不能再缴费"));
    // A member withdrawn automatically was withdrawn by R11, not R12.
    let close = |month: &str| json!({"command": "close_month", "region": "demo", "month": month});
    let results = submit(vec![
        policy("2025-01"),
        enroll(B, "demo", "2025-01", "0.60", "none"),
        close("2025-01"),
        close("2025-02"),
        close("2025-03"),
        close("2025-04"),
        json!({"command": "withdraw", "member_id": B, "reason": "voluntary"}),
    ]);
    let Some(CommandResult::Refused(again)) = results.last() else {
        panic!("{results:?}");
    };
    assert!(
        again
            .message
            .ends_with("since 2025-01 (R11): there is nothing to withdraw"),
        "{}",
        again.message
    );
    assert!(refusal_message(Language::ZhCn, again).contains("（R11）"));
}

/// The Chinese catalog words a subsidy's grant as RULES.zh.md does (给予, where the
/// glossary is silent) and its accrual as the glossary does (形成), never 核定 or 计提;
/// it writes a run of months with 至, never `..`, and a run of one month as the month.
#[test]
fn chinese_months_and_subsidy_terms_read_as_the_glossary_and_rules() {
    use flexledger::domain::money::Money;
    use flexledger::domain::month::Month;
    for message in messages(Language::ZhCn) {
        for word in ["核定", "计提", ".."] {
            assert!(
                !message.text.contains(word),
                "{}: {word} in {}",
                message.id,
                message.text
            );
        }
    }
    let month = |text: &str| Month::parse(text).unwrap();
    let mismatch = |first: &str, last: &str| Refusal {
        code: ErrorCode::AmountMismatch,
        message: String::new(),
        text: Some(RefusalText::PayAmountMismatch {
            amount: Money::parse("1.00").unwrap(),
            first: month(first),
            last: month(last),
            total: Money::parse("600.00").unwrap(),
        }),
    };
    let one = refusal_message(Language::ZhCn, &mismatch("2026-01", "2026-01"));
    assert!(one.contains("与 2026-01 的应缴费额 600.00 不符"), "{one}");
    let two = refusal_message(Language::ZhCn, &mismatch("2026-01", "2026-02"));
    assert!(
        two.contains("与 2026-01 至 2026-02 的应缴费额合计"),
        "{two}"
    );
    assert!(
        refusal_message(Language::En, &mismatch("2026-01", "2026-01"))
            .contains("does not equal the due of 2026-01, 600.00 (R4, R6)")
    );
    let runs = [month("2025-04"), month("2025-05"), month("2025-07")];
    let runs_in = |language| flexledger::audit::history::month_runs_text(language, &runs, 9);
    assert_eq!(runs_in(Language::ZhCn), "2025-04 至 2025-05、2025-07");
    assert_eq!(runs_in(Language::En), "2025-04..2025-05, 2025-07");
}

/// The errors an operator meets most on a command line (a file that is not there, a
/// restore into a directory in use, a copy onto its own source, a server without
/// tokens) are said in Chinese when asked, each with the same exit code as in English;
/// the operating system's own words stay as they came.
#[test]
fn a_command_line_s_errors_are_said_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("x"), "").unwrap();
    let full = full.to_str().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let bundle = dir.path().join("some.bundle");
    std::fs::write(&bundle, "").unwrap();
    let bundle = bundle.to_str().unwrap();
    // The same directory by another name (a symbolic link to it) is the same store
    // too: it was opened twice and reported as held by another process.
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(dir.path().join("data"), &link).unwrap();
    let dotted = link.to_str().unwrap().to_owned();
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["submit", "missing.jsonl"],
            "cannot read missing.jsonl",
            "无法读取 missing.jsonl",
        ),
        (
            &["restore", bundle, "--data-dir", full],
            "exists and is not empty",
            "已存在且不为空",
        ),
        (
            &["copy", "--from", data, "--to", data],
            "name the same store",
            "指的是同一个存储",
        ),
        (
            &["copy", "--from", data, "--to", &dotted],
            "name the same store",
            "指的是同一个存储",
        ),
        (
            &["serve"],
            "serve needs --auth FILE",
            "serve 需要 --auth FILE",
        ),
        (
            &["serve", "--demo", "--listen", "127.0.0.1:99999"],
            "cannot listen on 127.0.0.1:99999",
            "无法在 127.0.0.1:99999 上监听",
        ),
    ];
    for (args, english, chinese) in cases {
        let run = |language: &str| {
            let output = crate::support::flexledger(
                dir.path(),
                &[&["--lang", language], args].concat(),
                None,
            );
            (
                output.status.code(),
                String::from_utf8(output.stderr).unwrap(),
            )
        };
        let (code, message) = run("en");
        assert!(
            message.starts_with("flexledger: error: "),
            "{args:?}: {message}"
        );
        assert!(message.contains(english), "{args:?}: {message}");
        let (code_zh, message_zh) = run("zh-CN");
        assert_eq!(code_zh, code, "{args:?}: {message_zh}");
        assert!(
            message_zh.starts_with("flexledger：错误："),
            "{args:?}: {message_zh}"
        );
        assert!(message_zh.contains(chinese), "{args:?}: {message_zh}");
        assert!(!message_zh.contains(english), "{args:?}: {message_zh}");
    }
    // None of them made a store: `serve --demo` with an address it cannot listen on
    // stops before it seeds the data directory.
    assert!(!dir.path().join("sled").exists());
    // A data directory that is a file is named as one, not as an empty ledger.
    let file = dir.path().join("afile");
    std::fs::write(&file, "").unwrap();
    for (language, said) in [
        ("en", "is a file, not a data directory"),
        ("zh-CN", "是一个文件，而不是数据目录"),
    ] {
        // `submit` creates a missing store: it met the file in the engine's opening,
        // and said it in English ("it is not a directory") under zh-CN.
        for command in [&["member", A][..], &["submit", "-"]] {
            let args = [&["--lang", language][..], command].concat();
            let output = crate::support::flexledger(&file, &args, Some(b""));
            let message = String::from_utf8(output.stderr).unwrap();
            assert_eq!(output.status.code(), Some(2), "{message}");
            assert!(message.contains(said), "{command:?}: {message}");
        }
    }
}

/// `submit` whose input has refused commands says so on standard error, with the first
/// refusal's line, code and message in the reader's language, as the README's exit
/// code 1 promises ("the reason also on standard error"); standard output keeps every
/// result as the contract's JSON.
#[test]
fn submit_says_on_standard_error_that_commands_were_refused_and_why_the_first_was() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!(
        "{}\n{}\n",
        policy("2025-10"),
        json!({"command": "close_month", "region": "nowhere", "month": "2025-10"})
    );
    for (language, expected) in [
        ("en", "lines refused: 1 of 2"),
        ("zh-CN", "flexledger：2 行中有 1 行被拒绝"),
    ] {
        let args = ["--lang", language, "submit", "-"];
        let output = crate::support::flexledger(dir.path(), &args, Some(input.as_bytes()));
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.contains("line 2") || stderr.contains("第 2 行"),
            "{stderr}"
        );
        assert!(stderr.contains("unknown_region"), "{stderr}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 2, "{stdout}");
    }
    // A command that does not parse keeps its message's data: its sentence is said in
    // the reader's language too, and its line is named once.
    let mut wrong = policy("2025-11");
    wrong["base_ratio_min"] = json!("3.50");
    let input = format!("{wrong}\n");
    for (language, expected) in [
        (
            "en",
            "on line 1: invalid_command: publish_policy: base_ratio_min must not exceed",
        ),
        (
            "zh-CN",
            "第 1 行：invalid_command：publish_policy：字段 `base_ratio_min` 不得大于",
        ),
    ] {
        let args = ["--lang", language, "submit", "-"];
        let output = crate::support::flexledger(dir.path(), &args, Some(input.as_bytes()));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains("line 1: publish_policy"), "{stderr}");
    }
    // A file saved as GBK (as Chinese spreadsheets save text): how to convert it, in
    // the reader's language, on standard error and in the JSON result `--lang` asked
    // for (D37).
    let gbk: &[u8] = &[0xC4, 0xE3, 0xBA, 0xC3, b'\n'];
    for (language, expected, result) in [
        (
            "en",
            "save the file as UTF-8",
            "line 1: line is not valid UTF-8: save the file as UTF-8",
        ),
        (
            "zh-CN",
            "请把文件保存为 UTF-8 编码",
            "第 1 行：该行不是有效的 UTF-8 文本：请把文件保存为 UTF-8 编码",
        ),
    ] {
        let args = ["--lang", language, "submit", "-"];
        let output = crate::support::flexledger(dir.path(), &args, Some(gbk));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{stderr}");
        assert!(stderr.contains("iconv -f GBK -t UTF-8"), "{stderr}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(result), "{stdout}");
    }
}

/// A file named on the command line that cannot be used is said in the reader's
/// language, naming the path the user gave (a probe saw English under `--lang zh-CN`
/// for the token file, a backup's `--out` and a what-if's policy, and `backup` name
/// the hidden `.x.backup.partial` it writes first); so is an address to listen on
/// without a port (the system's "invalid socket address" before).
#[test]
fn a_file_or_address_that_cannot_be_used_is_said_in_the_readers_language() {
    let dir = tempfile::tempdir().unwrap();
    let demo = repo_path("examples/demo.jsonl");
    let seeded = crate::support::flexledger(dir.path(), &["submit", demo.to_str().unwrap()], None);
    assert_eq!(seeded.status.code(), Some(0));
    let not_a_digest = dir.path().join("tokens.toml");
    std::fs::write(
        &not_a_digest,
        "[[token]]\nrole = \"operator\"\nsha256 = \"x\"\n",
    )
    .unwrap();
    let gbk = dir.path().join("policy.json");
    std::fs::write(&gbk, [0xC4, 0xE3, 0xBA, 0xC3]).unwrap();
    let out = "/nonexistent-directory/x.backup";
    let tokens = not_a_digest.to_str().unwrap();
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["serve", "--demo", "--listen", "localhost"],
            "flexledger",
            "请写作 主机:端口",
        ),
        (
            &["serve", "--auth", "no-such-tokens.toml"],
            "flexledger",
            "无法读取 no-such-tokens.toml",
        ),
        (
            &["serve", "--auth", tokens],
            "flexledger",
            "第 1 个令牌：sha256 须为 64 位小写十六进制数字",
        ),
        (
            &["backup", "--out", out],
            "flexledger",
            "无法创建 /nonexistent-directory/x.backup（它所在的目录须存在且可写）",
        ),
        (
            &[
                "whatif",
                "--policy",
                gbk.to_str().unwrap(),
                "--region",
                "demo",
            ],
            "flexledger-audit",
            "读作 UTF-8 文本（请把它保存为 UTF-8 编码）",
        ),
    ];
    for (args, program, expected) in cases {
        let binary = match program {
            "flexledger" => env!("CARGO_BIN_EXE_flexledger"),
            _ => env!("CARGO_BIN_EXE_flexledger-audit"),
        };
        let output = std::process::Command::new(binary)
            .env(
                crate::support::LANGUAGE_PINNED.0,
                crate::support::LANGUAGE_PINNED.1,
            )
            .args(["--lang", "zh-CN", "--data-dir"])
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {said}");
        assert!(said.contains(expected), "{args:?}: {said}");
        assert!(!said.contains(".partial"), "{args:?}: {said}");
    }
}

/// A parse refusal's lists read as Chinese lists: the command names joined with 、
/// (they came joined with ", "), and a code span set off from the Chinese before it
/// ("应为`employer` 或 `none`").
#[test]
fn a_parse_refusal_s_lists_are_written_as_chinese_lists() {
    let enroll = r#"{"command":"enroll","member_id":"0b53af7d-bb50-5037-9d21-49eba4cb5782","region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"x"}"#;
    for (line, said) in [
        (
            r#"{"command":"bogus"}"#,
            "未知的命令 \"bogus\"；应为以下之一：publish_policy、enroll、pay、",
        ),
        (
            enroll,
            "未知取值 `x`，应为 `employer`（有用人单位劳动关系）或 `none`（无劳动关系）",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let input = format!("{line}\n");
        let args = ["--lang", "zh-CN", "submit", "-"];
        let output = crate::support::flexledger(dir.path(), &args, Some(input.as_bytes()));
        let message = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{message}");
        assert!(message.contains(said), "{message}");
    }
}

/// A region or member id mistyped is refused with advice to check it, naming the
/// regions that have a policy, not only with advice to create one (a probe typed `BJ`
/// for `bj`, and "publish a policy for it first" would have made a phantom region).
#[test]
fn a_mistyped_region_or_member_is_refused_with_advice_to_check_it() {
    let dir = tempfile::tempdir().unwrap();
    let policy = serde_json::json!({"command":"publish_policy","region":"bj","effective_from":"2025-01",
        "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60",
        "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,
        "backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]});
    let enroll = r#"{"command":"enroll","member_id":"00000000-0000-4000-8000-000000000003","region":"BJ","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}"#;
    let pay = r#"{"command":"pay","member_id":"00000000-0000-4000-8000-000000000020","months":["2025-01"],"amount":"600.00","paid_on":"2025-01-15"}"#;
    let input = format!("{policy}\n{enroll}\n{pay}\n");
    let messages = |language: &str| -> Vec<String> {
        let args = ["--lang", language, "submit", "-"];
        let output = crate::support::flexledger(dir.path(), &args, Some(input.as_bytes()));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .skip(1)
            .map(|line| {
                let result: Value = serde_json::from_str(line).unwrap();
                result["error"]["message"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let english = messages("en");
    assert!(
        english[0].contains("case included (regions with a policy: bj)"),
        "{english:?}"
    );
    assert!(
        english[1].contains("no member has this id; check it"),
        "{english:?}"
    );
    let chinese = messages("zh-CN");
    assert!(
        chinese[0].contains("已发布政策的统筹地区：bj"),
        "{chinese:?}"
    );
    assert!(chinese[1].contains("请核对编号"), "{chinese:?}");
}

/// `submit --lang zh-CN` prints each refusal's `message` in Chinese, its line first
/// for a line that did not parse, as `Accept-Language` does over HTTP (D37), with
/// the same codes; without the flag the message is the contract's English even where
/// the environment's locale is Chinese, so a script reads the same bytes everywhere.
#[test]
fn submit_s_messages_follow_the_lang_flag_and_never_the_locale() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("refused.jsonl");
    let lines = [
        r#"{"command":"close_month","region":"x","month":"2025-01"}"#,
        "nonsense",
        r#"{"command":"pay"}"#,
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let data = dir.path().join("ledger");
    let results = |args: &[&str], environment: &[(&str, &str)]| -> Vec<Value> {
        let output = run_in(FLEXLEDGER, &data, args, environment);
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    };
    let path = file.to_str().unwrap();
    let chinese = results(&["--lang", "zh-CN", "submit", path], &[]);
    let english = results(&["submit", path], &[("LANG", "zh_CN.UTF-8")]);
    let message = |result: &Value| result["error"]["message"].as_str().unwrap().to_owned();
    assert_eq!(
        chinese.iter().map(message).collect::<Vec<_>>(),
        [
            "统筹地区“x”尚未发布政策：目前还没有任何统筹地区发布政策，请先通过 publish_policy 为其发布政策（R3）",
            "第 2 行：不是有效的 JSON（无法识别的内容（此处只能是 true、false 或 null）（第 2 列））；每条命令请发送一个 JSON 对象",
            "第 3 行：pay：缺少字段 `member_id`",
        ]
    );
    assert_eq!(
        english.iter().map(message).collect::<Vec<_>>(),
        [
            "region \"x\" has no policy: no region has one yet, so publish_policy for it first (R3)",
            "line 2: not valid JSON (expected ident at line 1 column 2); send one JSON object per command",
            "line 3: pay: missing field `member_id`",
        ]
    );
    for (chinese, english) in chinese.iter().zip(&english) {
        assert_eq!(chinese["error"]["code"], english["error"]["code"]);
    }
}

/// `member`, `events --member` and `region` refusals follow `--lang` in their JSON
/// `message` as `submit`'s do (D37): a Chinese agency's read said it in Chinese on
/// standard error and in English beside it. Without the flag the message stays the
/// contract's English whatever the locale.
#[test]
fn a_read_s_refusal_message_follows_the_lang_flag_and_never_the_locale() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ledger");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.jsonl");
    let submitted = run_in(FLEXLEDGER, &data, &["submit", demo], &[]);
    assert_eq!(submitted.status.code(), Some(0), "{submitted:?}");
    let member = "0b53af7d-0000-4000-8000-000000005782";
    let reads: [&[&str]; 3] = [
        &["member", member],
        &["events", "--member", member],
        &["region", "no such", "--month", "2025-01"],
    ];
    for read in reads {
        let message = |args: Vec<&str>, environment: &[(&str, &str)]| -> Value {
            let output = run_in(FLEXLEDGER, &data, &args, environment);
            assert_eq!(output.status.code(), Some(1), "{output:?}");
            let result: Value = serde_json::from_slice(&output.stdout).unwrap();
            result["error"].clone()
        };
        let chinese = message([&["--lang", "zh-CN"], read].concat(), &[]);
        let english = message(read.to_vec(), &[("LANG", "zh_CN.UTF-8")]);
        assert_eq!(chinese["code"], english["code"], "{read:?}");
        let said = chinese["message"].as_str().unwrap();
        assert!(
            said.contains("参保人员") || said.contains("统筹地区"),
            "{read:?}: {said}"
        );
        let said = english["message"].as_str().unwrap();
        assert!(said.is_ascii(), "{read:?}: {said}");
    }
}
