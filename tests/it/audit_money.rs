//! What `explain` and `replay` say about a month's money, pinned where an auditor's
//! probe found them wrong (2026-12-02): the policy that priced and split a paid month
//! (R4, R17), each refund of a month refunded twice (R12), and why a refunded month the
//! member enrolled for again accrues no subsidy (R16).

use crate::support::*;
use flexledger::audit::history::{Cut, MemberHistory};
use flexledger::domain::coverage::MonthStatus;
use flexledger::domain::state::NotAccrued;
use flexledger::domain::why::{MonthWhy, SubsidyWhy};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const MEMBER: &str = "fe6d35c4-41ad-509e-bd1e-0bc72974e94e";
const OTHER: &str = "b819b477-1f33-579d-bc91-63058afd818a";

/// A `publish_policy` for `demo` from `from`, the probe's defaults with `overrides`.
fn policy(from: &str, overrides: Value) -> Value {
    let mut policy = json!({"command":"publish_policy","region":"demo","effective_from":from,
        "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60",
        "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,
        "benefit_delay_reenroll":1,"backpay_restores":"retroactive",
        "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"},
            {"min_continuous_months":24,"tier":"enhanced"}]});
    for (key, value) in overrides.as_object().unwrap() {
        policy[key] = value.clone();
    }
    policy
}

fn enroll(member: &str, month: &str, ratio: &str) -> Value {
    json!({"command":"enroll","member_id":member,"region":"demo","month":month,
        "base_ratio":ratio,"labor_relationship":"none"})
}

fn pay(member: &str, months: &[&str], amount: &str, paid_on: &str) -> Value {
    json!({"command":"pay","member_id":member,"months":months,"amount":amount,"paid_on":paid_on})
}

fn close(month: &str) -> Value {
    json!({"command":"close_month","region":"demo","month":month})
}

/// The commands through the library into a ledger in `dir` (fixed ids and clock),
/// every one accepted; the ledger is closed again, so the audit tool can open it.
fn ledger_of(commands: &[Value], dir: &Path) {
    let mut ledger = flexledger::ledger::Ledger::open(dir).unwrap();
    let parsed = commands
        .iter()
        .cloned()
        .map(flexledger::domain::parse_command_value)
        .collect();
    let submitted = ledger.submit(parsed, &mut FixedSources::new()).unwrap();
    for (command, result) in commands.iter().zip(&submitted.results) {
        let result = serde_json::to_value(result).unwrap();
        assert_eq!(result["ok"], true, "{command} was refused: {result}");
    }
}

/// Runs the real `flexledger-audit` with `--data-dir dir` and `args`; its standard
/// output, after checking it succeeded.
fn audit(dir: &Path, args: &[&str]) -> String {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .env_remove("FLEXLEDGER_PUBLIC_KEY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// `explain --json` of `member`'s `month`.
fn explained(dir: &Path, member: &str, month: &str) -> Value {
    let args = ["--json", "explain", "--member", member, "--month", month];
    serde_json::from_str(&audit(dir, &args)).unwrap()
}

/// `explain`'s text of `member`'s `month` in `language`.
fn explained_text(dir: &Path, language: &str, member: &str, month: &str) -> String {
    let args = [
        "--lang", language, "explain", "--member", member, "--month", month,
    ];
    audit(dir, &args)
}

/// The role of the event cited at `position`, if it is cited.
fn role_at(explained: &Value, position: u64) -> Option<String> {
    explained["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["position"] == position)
        .map(|event| event["role"].as_str().unwrap().to_owned())
}

fn reasons_of(explained: &Value) -> String {
    explained["reasons"].to_string()
}

/// [`refunded_twice`], then enrolled again from 2025-02 with only 2025-02 paid and
/// three months closed: 2025-03, refunded before, is now an unpaid month of the new
/// period.
fn refunded_then_enrolled_again() -> Vec<Value> {
    [
        refunded_twice(),
        vec![
            json!({"command":"reenroll","member_id":MEMBER,"month":"2025-02","base_ratio":"0.60"}),
            pay(MEMBER, &["2025-02"], "600.00", "2025-01-12"),
            close("2025-01"),
            close("2025-02"),
            close("2025-03"),
        ],
    ]
    .concat()
}

/// The domain's facts behind an explanation, read as `explain` reads them.
fn facts_of(dir: &Path, member: &str, month: &str) -> MonthWhy {
    let store = flexledger::store::SledStore::open(dir).unwrap();
    crate::audit::facts_of(&store, member, month)
}

/// R4, R17: a month prepaid at 600.00 keeps that due and its split when a policy
/// published afterwards for it (other wage, rate and account rate) would price it at
/// 1152.00. `explain` cites the policy the ledger held when the payment was folded as
/// the one that priced and split it, with its arithmetic, and the later policy as the
/// one now in force that does not reprice it. Before, it cited only the later policy,
/// as "the policy in force for 2025-04: prices it", and not the one that did.
#[test]
fn explain_cites_the_policy_a_paid_month_was_priced_by_not_a_later_one() {
    let dir = tempfile::tempdir().unwrap();
    let months = [
        "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
    ];
    let later = json!({"average_monthly_wage":"12000.00","contribution_rate":"0.12",
        "base_ratio_min":"0.80","account_rate":"0.04"});
    ledger_of(
        &[
            policy("2025-01", json!({"account_rate":"0.02"})),
            enroll(MEMBER, "2025-01", "0.60"),
            pay(MEMBER, &months, "3600.00", "2025-01-10"),
            policy("2025-04", later),
            close("2025-01"),
            close("2025-02"),
            close("2025-03"),
        ],
        dir.path(),
    );
    let april = explained(dir.path(), MEMBER, "2025-04");
    assert_eq!(
        (&april["due"], &april["paid"]),
        (&json!("600.00"), &json!("600.00"))
    );
    assert_eq!(april["to_account"], "120.00");
    let priced_by = role_at(&april, 1).expect("the policy that priced it is cited");
    assert!(
        priced_by.starts_with("the policy in force for 2025-04 when it was paid: it priced"),
        "{priced_by}"
    );
    assert!(
        priced_by.contains("account_rate split the month then"),
        "{priced_by}"
    );
    let now = role_at(&april, 4).expect("the policy in force now is cited");
    assert!(
        now.starts_with("the policy in force for 2025-04 now, published after the month was paid")
            && now.contains("does not reprice a paid month"),
        "{now}"
    );
    let reasons = reasons_of(&april);
    assert!(
        reasons.contains(
            "its due when it was paid: wage 10000.00 × base ratio 0.60 × rate 0.10, rounded \
             half away from zero, by the policy then in force for it (position 1)"
        ) && reasons.contains("now price it at 1152.00"),
        "{reasons}"
    );
    assert!(
        reasons.contains("round2(wage 10000.00 × base ratio 0.60 × account_rate 0.02)"),
        "the split by the policy that made it: {reasons}"
    );
    let zh = explained_text(dir.path(), "zh-CN", MEMBER, "2025-04");
    assert!(
        zh.contains("缴费时 2025-04 所适用的政策：该月的应缴费额据此计算"),
        "{zh}"
    );
    assert!(
        zh.contains("2025-04 现行适用的政策，在该月缴费之后发布"),
        "{zh}"
    );
    assert!(
        zh.contains("按缴费时该月所适用的政策（事件位置 1）"),
        "{zh}"
    );
    // A month the later policy did not reach is explained as before.
    let march = explained(dir.path(), MEMBER, "2025-03");
    let role = role_at(&march, 1).unwrap();
    assert_eq!(role, "the policy in force for 2025-03: prices it (R3, R4); its account_rate splits it between the personal account and the pooling fund (R17)");
    assert_eq!(role_at(&march, 4), None);
}

/// D5: a policy for 2025-03 replaced after member A paid 2025-03 and before member B
/// did. Each month is explained by the policy its payment was priced by, whose
/// numbers give exactly its due and account part: A's 800.00 (the ratio 0.60 raised
/// to the band's 0.80) and 240.00 by the first publication, B's 1200.00 and 600.00 by
/// the replacement. Before, A's month cited the replacement, which gives 1200.00.
#[test]
fn explain_of_a_month_paid_before_a_same_month_replacement_cites_the_replaced_policy() {
    let dir = tempfile::tempdir().unwrap();
    let paid = ["2025-01", "2025-02", "2025-03"];
    let first = json!({"base_ratio_min":"0.80","account_rate":"0.03"});
    let replacement = json!({"average_monthly_wage":"20000.00","account_rate":"0.05"});
    ledger_of(
        &[
            policy("2025-01", json!({"account_rate":"0.02"})),
            enroll(MEMBER, "2025-01", "0.60"),
            enroll(OTHER, "2025-01", "0.60"),
            policy("2025-03", first),
            pay(MEMBER, &paid, "2000.00", "2025-01-10"),
            policy("2025-03", replacement),
            pay(OTHER, &paid, "2400.00", "2025-01-10"),
            close("2025-01"),
            close("2025-02"),
            close("2025-03"),
        ],
        dir.path(),
    );
    let a = explained(dir.path(), MEMBER, "2025-03");
    assert_eq!(
        (&a["due"], &a["to_account"]),
        (&json!("800.00"), &json!("240.00"))
    );
    let cited = a["events"].as_array().unwrap();
    let first = cited.iter().find(|event| event["position"] == 4).unwrap();
    assert!(
        first["summary"]
            .as_str()
            .unwrap()
            .contains("wage 10000.00, rate 0.10, base 0.80–3.00"),
        "{first}"
    );
    assert!(
        first["role"]
            .as_str()
            .unwrap()
            .contains("when it was paid: it priced the month"),
        "{first}"
    );
    assert!(
        role_at(&a, 6).is_some_and(|role| role.contains("does not reprice a paid month")),
        "{a}"
    );
    let reasons = reasons_of(&a);
    assert!(
        reasons.contains("wage 10000.00 × base ratio 0.80 × rate 0.10")
            && reasons.contains("(position 4)")
            && reasons
                .contains("the band 0.80–3.00 of the policy in force for 2025-03 when it was paid")
            && reasons.contains("round2(wage 10000.00 × base ratio 0.80 × account_rate 0.03)"),
        "the cited policy gives 800.00 and 240.00: {reasons}"
    );
    let facts = facts_of(dir.path(), MEMBER, "2025-03");
    let due = facts.due.expect("a paid month has a due");
    assert_eq!(
        (
            due.paid_under,
            due.wage.to_string(),
            due.base_ratio.to_string()
        ),
        (Some(4), "10000.00".to_owned(), "0.80".to_owned())
    );
    assert_eq!(due.priced_now.to_string(), "1200.00");
    let b = explained(dir.path(), OTHER, "2025-03");
    assert_eq!(
        (&b["due"], &b["to_account"]),
        (&json!("1200.00"), &json!("600.00"))
    );
    assert_eq!(role_at(&b, 4), None, "B paid after the replacement");
    assert!(
        role_at(&b, 6)
            .is_some_and(|role| role.starts_with("the policy in force for 2025-03: prices it")),
        "{b}"
    );
}

/// Prepaid, withdrawn (refund 1), re-enrolled at another base, prepaid again,
/// withdrawn again (refund 2): each month was refunded 600.00 and then 1000.00.
fn refunded_twice() -> Vec<Value> {
    vec![
        policy("2025-01", json!({"benefit_delay_first":1})),
        enroll(MEMBER, "2025-01", "0.60"),
        json!({"command":"grant_subsidy","member_id":MEMBER,"from_month":"2025-01",
            "months":12,"share":"0.5","category":"hardship"}),
        pay(
            MEMBER,
            &["2025-01", "2025-02", "2025-03", "2025-04"],
            "2400.00",
            "2025-01-10",
        ),
        json!({"command":"withdraw","member_id":MEMBER,"reason":"voluntary"}),
        json!({"command":"reenroll","member_id":MEMBER,"month":"2025-02","base_ratio":"1.00"}),
        pay(
            MEMBER,
            &["2025-02", "2025-03", "2025-04"],
            "3000.00",
            "2025-01-11",
        ),
        json!({"command":"withdraw","member_id":MEMBER,"reason":"deceased"}),
    ]
}

/// R12: a month refunded twice. `replay`'s line of each refund says what that refund
/// gave back (the second: 1000.00 more, 1600.00 in all), and `explain` credits each
/// refund with its own amount and names the withdrawal recorded with it, not the
/// refund event, as the withdrawal. Before, replay showed 1600.00 at the second refund
/// for each month, and explain called the refund at position 10 "the withdrawal" and
/// credited it with all 1600.00.
#[test]
fn replay_and_explain_credit_each_refund_of_a_month_with_what_it_gave_back() {
    let dir = tempfile::tempdir().unwrap();
    ledger_of(&refunded_twice(), dir.path());
    let replay: Vec<Value> = audit(dir.path(), &["--json", "replay", "--member", MEMBER])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let changes_at = |position: u64| -> String {
        let line = replay
            .iter()
            .find(|line| line["position"] == position)
            .unwrap();
        assert_eq!(line["type"], "ContributionRefunded");
        line["changes_text"].as_str().unwrap().to_owned()
    };
    let first = changes_at(6);
    assert!(
        first.contains("2025-03 not_enrolled (refunded 600.00, R12)"),
        "{first}"
    );
    let second = changes_at(10);
    assert!(
        second.contains("2025-03 not_enrolled (refunded 1000.00 more, 1600.00 in all, R12)"),
        "{second}"
    );
    assert!(!second.contains("(refunded 1600.00, R12)"), "{second}");
    let table = audit(
        dir.path(),
        &["--lang", "zh-CN", "replay", "--member", MEMBER],
    );
    assert!(
        table.contains("再退费 1000.00，累计退费 1600.00，R12"),
        "{table}"
    );

    let march = explained(dir.path(), MEMBER, "2025-03");
    assert_eq!(march["refunded"], "1600.00");
    let reasons = reasons_of(&march);
    assert!(
        reasons.contains("twice, 1600.00 in all")
            && reasons.contains(
                "600.00 refunded by the withdrawal (position 5) and the refund recorded with it (position 6)"
            )
            && reasons.contains(
                "1000.00 refunded by the withdrawal (position 9) and the refund recorded with it (position 10)"
            ),
        "{reasons}"
    );
    assert!(!reasons.contains("withdrawal (position 10)"), "{reasons}");
    // R12: the first period had paid 2025-01 when it ended, so its withdrawal took
    // effect after L; the second had paid nothing up to the open month, so from its
    // first month, and there is no L to name.
    assert!(
        reasons.contains("took effect from 2025-02, the month after L")
            && reasons.contains(
                "took effect from 2025-02, the period's first month: no month of it up to the open month was paid"
            ),
        "{reasons}"
    );
    let refund_role = |position| role_at(&march, position).expect("each refund is cited");
    assert!(refund_role(6).starts_with("refunds the 600.00 paid for 2025-03"));
    assert!(refund_role(10).starts_with("refunds the 1000.00 paid for 2025-03"));
    assert!(
        role_at(&march, 5).is_some_and(|role| role.contains("so it was refunded")),
        "the first withdrawal refunded it too: {march}"
    );
    let facts = facts_of(dir.path(), MEMBER, "2025-03");
    let parts: Vec<(u64, String, Option<u64>)> = facts
        .refund
        .expect("refunded")
        .parts
        .iter()
        .map(|part| {
            let withdrawal = part.withdrawal.as_ref().map(|(position, _)| *position);
            (part.refund_position, part.amount.to_string(), withdrawal)
        })
        .collect();
    assert_eq!(
        parts,
        [
            (6, "600.00".to_owned(), Some(5)),
            (10, "1000.00".to_owned(), Some(9))
        ]
    );
    let zh = explained_text(dir.path(), "zh-CN", MEMBER, "2025-03");
    assert!(zh.contains("共退费 2 次，累计 1600.00"), "{zh}");
    assert!(
        zh.contains("停保（事件位置 9）及同时记录的退费（事件位置 10）退还 1000.00"),
        "{zh}"
    );
}

/// R16: a refunded month the member enrolled for again and left unpaid (now arrears)
/// accrues nothing because it is unpaid; paid again it would accrue. Before, `explain`
/// said "its contribution was refunded, so it accrues nothing". A refunded month left
/// outside every period still says so.
#[test]
fn a_refunded_month_enrolled_for_again_and_unpaid_accrues_nothing_for_being_unpaid() {
    let dir = tempfile::tempdir().unwrap();
    let commands = refunded_then_enrolled_again();
    ledger_of(&commands, dir.path());
    let march = explained(dir.path(), MEMBER, "2025-03");
    assert_eq!(march["status"], "arrears");
    let reasons = reasons_of(&march);
    assert!(
        reasons.contains("it is not paid, so it has not accrued (R16"),
        "{reasons}"
    );
    assert!(!reasons.contains("its contribution was refunded, so it accrues nothing"));
    // The period that holds it again began in 2025-02: not "enrolled again for
    // 2025-03", which a probe read as the re-enrollment's first month.
    assert!(
        reasons.contains("a later enrollment period holds 2025-03 again, and it is now arrears"),
        "{reasons}"
    );
    let facts = facts_of(dir.path(), MEMBER, "2025-03");
    assert_eq!(facts.line.status, MonthStatus::Arrears);
    assert!(
        matches!(
            facts.subsidy,
            Some(SubsidyWhy::Granted {
                accrual: Err(NotAccrued::Unpaid),
                ..
            })
        ),
        "{:?}",
        facts.subsidy
    );
    let zh = explained_text(dir.path(), "zh-CN", MEMBER, "2025-03");
    assert!(zh.contains("该月未缴费，因此尚未形成补贴"), "{zh}");
    assert!(!zh.contains("该月的缴费已退费，因此不形成补贴"), "{zh}");

    let outside = tempfile::tempdir().unwrap();
    ledger_of(&refunded_twice(), outside.path());
    let reasons = reasons_of(&explained(outside.path(), MEMBER, "2025-03"));
    assert!(
        reasons.contains("its contribution was refunded, so it accrues nothing (R16)"),
        "{reasons}"
    );
}

/// The `<title>` of `month`'s cell in `svg`.
fn cell_tooltip(svg: &str, month: &str) -> String {
    let start = svg
        .find(&format!("<g class=\"cell\" data-month=\"{month}\""))
        .unwrap_or_else(|| panic!("{month} is drawn: {svg}"));
    let cell = &svg[start..];
    let title = cell.find("<title>").unwrap() + "<title>".len();
    cell[title..title + cell[title..].find("</title>").unwrap()].to_owned()
}

/// R12: the timeline's tooltip of a month refunded twice names each refund, what it
/// gave back for the month and the withdrawal recorded with it (the domain's refund
/// parts), in both languages. Before, it named only the last refund, "by the
/// withdrawal (…, position 10)", position 10 being the refund, not the withdrawal.
#[test]
fn the_timeline_names_each_refund_of_a_month_by_its_own_withdrawal() {
    use flexledger::audit::timeline::svg_in;
    use flexledger::i18n::Language;
    let dir = tempfile::tempdir().unwrap();
    ledger_of(&refunded_twice(), dir.path());
    let store = flexledger::store::SledStore::open(dir.path()).unwrap();
    let history = MemberHistory::load(&store, MEMBER.parse().unwrap(), Cut::Everything)
        .unwrap()
        .unwrap();
    let march = cell_tooltip(&svg_in(&history, Language::En).unwrap(), "2025-03");
    let first = "refunded 600.00 by the withdrawal at position 5 (R12; the refund recorded \
                 with it: 3 months, 1800.00 in all, position 6)";
    let second = "refunded 1000.00 by the withdrawal at position 9 (R12; the refund recorded \
                  with it: 3 months, 3000.00 in all, position 10)";
    assert!(march.contains("refunded 1600.00 (R12)"), "{march}");
    let (at_first, at_second) = (march.find(first), march.find(second));
    assert!(
        at_first.is_some() && at_second.is_some() && at_first < at_second,
        "each refund, in log order: {march}"
    );
    assert!(!march.contains("withdrawal (R12"), "{march}");

    let march = cell_tooltip(&svg_in(&history, Language::ZhCn).unwrap(), "2025-03");
    for part in [
        "停保（事件位置 5）时退还该月缴费 600.00（R12；同时记录的退费：共 3 个月，合计 1800.00，事件位置 6）",
        "停保（事件位置 9）时退还该月缴费 1000.00（R12；同时记录的退费：共 3 个月，合计 3000.00，事件位置 10）",
    ] {
        assert!(march.contains(part), "{part} in {march}");
    }
}

/// `commands` into a ledger in `dir` as [`ledger_of`] does, every one accepted but the
/// last, which is refused: its refusal.
fn refusal_after(commands: &[Value], dir: &Path) -> flexledger::domain::refusal::Refusal {
    use flexledger::store::CommandResult;
    let mut ledger = flexledger::ledger::Ledger::open(dir).unwrap();
    let parsed = commands
        .iter()
        .cloned()
        .map(flexledger::domain::parse_command_value)
        .collect();
    let mut submitted = ledger.submit(parsed, &mut FixedSources::new()).unwrap();
    let last = submitted.results.pop();
    for (command, result) in commands.iter().zip(&submitted.results) {
        let result = serde_json::to_value(result).unwrap();
        assert_eq!(result["ok"], true, "{command} was refused: {result}");
    }
    match last {
        Some(CommandResult::Refused(refusal)) => refusal,
        other => panic!("the last command was not refused: {other:?}"),
    }
}

/// `pay_subsidy` of `month`, paid on `paid_on`.
fn pay_subsidy(month: &str, amount: &str, paid_on: &str) -> Value {
    json!({"command":"pay_subsidy","member_id":MEMBER,"months":[month],"amount":amount,
        "paid_on":paid_on})
}

/// R16: `pay_subsidy` refuses a refunded month the member enrolled for again and left
/// unpaid (arrears, then lapsed) because it is not paid, in English and in the catalog's
/// text alike, as `explain` says; a refunded month left outside every period is refused
/// for its refund. Before, both said "its contribution was refunded (R12)".
#[test]
fn pay_subsidy_refuses_a_refunded_month_enrolled_for_again_for_being_unpaid() {
    use flexledger::domain::refusal::ErrorCode;
    use flexledger::i18n::{refusal_message, Language};
    let again = refunded_then_enrolled_again();
    let unpaid = "2025-03 has not accrued a subsidy: its contribution is not paid (R16: a \
                  granted month accrues once it is paid and closed); pay only accrued months";
    let lapsed = [
        again.clone(),
        vec![json!({"command":"withdraw","member_id":MEMBER,"reason":"voluntary"})],
    ]
    .concat();
    for (commands, status) in [(again, MonthStatus::Arrears), (lapsed, MonthStatus::Lapsed)] {
        let dir = tempfile::tempdir().unwrap();
        let commands = [
            commands,
            vec![pay_subsidy("2025-03", "300.00", "2025-04-02")],
        ]
        .concat();
        let refusal = refusal_after(&commands, dir.path());
        assert_eq!(refusal.code, ErrorCode::SubsidyNotAccrued);
        assert_eq!(refusal.message, unpaid);
        assert_eq!(refusal_message(Language::En, &refusal), unpaid);
        let zh = refusal_message(Language::ZhCn, &refusal);
        assert!(
            zh.contains("2025-03 的社会保险补贴尚未形成：该月尚未缴费（R16"),
            "{zh}"
        );
        assert!(!zh.contains("已退费"), "{zh}");
        // What `explain` says of the month is what the refusal says.
        let facts = facts_of(dir.path(), MEMBER, "2025-03");
        assert_eq!(facts.line.status, status);
        assert_eq!(facts.line.refunded.to_string(), "1600.00");
        assert!(
            matches!(
                facts.subsidy,
                Some(SubsidyWhy::Granted {
                    accrual: Err(NotAccrued::Unpaid),
                    ..
                })
            ),
            "{status:?}: {:?}",
            facts.subsidy
        );
    }

    let outside = tempfile::tempdir().unwrap();
    let commands = [
        refunded_twice(),
        vec![pay_subsidy("2025-03", "300.00", "2025-01-15")],
    ]
    .concat();
    let refusal = refusal_after(&commands, outside.path());
    let refunded = "2025-03 has not accrued a subsidy: its contribution was refunded (R12) \
                    (R16: a granted month accrues once it is paid and closed); pay only accrued \
                    months";
    assert_eq!(refusal.message, refunded);
    assert_eq!(refusal_message(Language::En, &refusal), refunded);
    let zh = refusal_message(Language::ZhCn, &refusal);
    assert!(zh.contains("该月缴费已退费（R12；R16："), "{zh}");
}

/// D71: a withdrawal of any reason leaves the personal account as credited (R17):
/// the months R12 refunds are paid ahead of the open month, so none of them was in
/// the balance, and nothing in the contract takes money out of an account.
#[test]
fn a_withdrawal_of_any_reason_leaves_the_personal_account_as_credited() {
    for reason in ["voluntary", "employer_scheme", "relocated", "deceased"] {
        let dir = tempfile::tempdir().unwrap();
        let months = ["2025-01", "2025-02", "2025-03", "2025-04"];
        let mut commands = vec![
            policy("2025-01", json!({"account_rate":"0.02"})),
            enroll(MEMBER, "2025-01", "0.60"),
            pay(MEMBER, &months, "2400.00", "2025-01-10"),
            close("2025-01"),
            close("2025-02"),
        ];
        ledger_of(&commands, dir.path());
        let balance = |dir: &Path| {
            let store = flexledger::store::SledStore::open(dir).unwrap();
            let member = flexledger::ledger::member_coverage(&store, MEMBER.parse().unwrap(), None)
                .unwrap()
                .unwrap();
            flexledger::codec::wire::MemberCoverage::from(&member)
                .account_balance
                .to_string()
        };
        // 2025-03 is open: three months have arrived, 120.00 each (10000.00 × 0.60 ×
        // 0.02); 2025-04 is paid ahead.
        assert_eq!(balance(dir.path()), "360.00", "{reason}");
        // A command id of its own: a second `ledger_of` numbers its ids from 1 again.
        commands = vec![
            json!({"command":"withdraw","member_id":MEMBER,"reason":reason,"command_id":"99999999-0000-4000-8000-000000000001"}),
        ];
        ledger_of(&commands, dir.path());
        assert_eq!(
            balance(dir.path()),
            "360.00",
            "{reason}: the refunded 2025-04 was never in it"
        );
    }
}

/// R7, R12: a month refunded in one period, then enrolled for again, paid, and left
/// waiting when that period ended before its benefit start. `explain` says the payment
/// that stands was not refunded, and whose the refund shown for the month was. Before,
/// it said "it was refunded (R12)" of the payment that stood (an auditor's probe), from
/// the month's refund of the earlier period.
#[test]
fn explain_says_a_waiting_month_refunded_in_an_earlier_period_was_not_refunded_now() {
    let dir = tempfile::tempdir().unwrap();
    let withdraw = json!({"command":"withdraw","member_id":MEMBER,"reason":"voluntary"});
    let commands = [
        policy("2025-01", json!({})),
        enroll(MEMBER, "2025-01", "0.60"),
        pay(MEMBER, &["2025-01", "2025-02"], "1200.00", "2025-01-10"),
        withdraw.clone(),
        json!({"command":"reenroll","member_id":MEMBER,"month":"2025-02","base_ratio":"0.60"}),
        pay(MEMBER, &["2025-02"], "600.00", "2025-01-11"),
        close("2025-01"),
        close("2025-02"),
        withdraw,
    ];
    ledger_of(&commands, dir.path());
    let explained = explained(dir.path(), MEMBER, "2025-02");
    assert_eq!(explained["status"], "waiting");
    assert_eq!(explained["paid"], "600.00");
    assert_eq!(explained["refunded"], "600.00");
    let en = explained_text(dir.path(), "en", MEMBER, "2025-02");
    assert!(
        en.contains(
            "its contribution bought no coverage, and it was not refunded (R12 refunds only \
             months paid beyond L, the last paid month; the 600.00 refunded for 2025-02 was \
             an earlier period's payment for it)"
        ),
        "{en}"
    );
    assert!(!en.contains("and it was refunded"), "{en}");
    let zh = explained_text(dir.path(), "zh-CN", MEMBER, "2025-02");
    assert!(
        zh.contains("也未退费（R12")
            && zh.contains("2025-02 已退的 600.00 是此前参保期为该月缴纳的费用"),
        "{zh}"
    );
    assert!(!zh.contains("待遇，已退费"), "{zh}");
}
