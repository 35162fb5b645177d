//! `flexledger-audit whatif`: the same recorded behaviour re-decided under another
//! policy. The identity property (no override, no difference) over every scenario and
//! random histories; the policy changes an auditor asks about most (a longer grace, a
//! prospective restore, a shorter grace, another wage), on the scenarios that show
//! them; and the command line end to end.

use crate::properties::{history, run_history, MEMBERS};
use crate::support::*;
use flexledger::audit::history::{members, Cut, MemberHistory};
use flexledger::audit::whatif::{
    redecide, what_if, MemberWhatIf, PolicyOverrides, RegionSummary, WhatIfError,
};
use flexledger::domain::command::{Command, CommandEnvelope, Pay, WithdrawalReason};
use flexledger::domain::coverage::{coverage, MemberStatus, MonthStatus};
use flexledger::domain::money::Money;
use flexledger::domain::month::{CalendarDate, Month};
use flexledger::domain::{decide, parse_command_value, ErrorCode, Event};
use flexledger::ledger::Ledger;
use flexledger::store::EventStore;
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command as Process, Output};
use uuid::Uuid;

const MEMBER: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

/// A ledger holding one scenario's commands (refused steps append nothing).
fn scenario_ledger(path: &Path) -> (tempfile::TempDir, Ledger) {
    let scenario = read_json(path);
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let commands = scenario["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| parse_command_value(step["command"].clone()))
        .collect();
    ledger.submit(commands, &mut FixedSources::new()).unwrap();
    (dir, ledger)
}

fn load(store: &dyn EventStore, member: Uuid) -> MemberHistory {
    MemberHistory::load(store, member, Cut::Everything)
        .unwrap()
        .expect("the member has events")
}

fn overrides(text: &str) -> PolicyOverrides {
    PolicyOverrides::parse(text).unwrap()
}

/// The what-if of `scenario`'s member under the policy file `text`.
fn scenario_what_if(scenario: &str, text: &str) -> MemberWhatIf {
    let (_dir, ledger) = scenario_ledger(&repo_path(&format!("tests/scenarios/{scenario}.json")));
    what_if(
        &load(ledger.store(), MEMBER.parse().unwrap()),
        &overrides(text),
    )
    .unwrap()
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn money(text: &str) -> Money {
    Money::parse(text).unwrap()
}

fn months(first: &str, last: &str) -> Vec<Month> {
    month(first).through(month(last)).collect()
}

/// With no override the alternative is the ledger: no difference, no refusal, the
/// member's events decided again equal the recorded ones, and so does the coverage
/// (apart from the global position, which counts only the replayed streams).
fn assert_unchanged(history: &MemberHistory) {
    let none = PolicyOverrides::default();
    let report = what_if(history, &none).unwrap();
    let member = history.member_id;
    assert!(report.months.is_empty(), "{member}: {:?}", report.months);
    assert!(report.refused.is_empty(), "{member}: {:?}", report.refused);
    assert_eq!(report.actual, report.alternative, "{member}");
    assert!(!report.affected, "{member}");
    let redecided = redecide(history, &none).unwrap();
    let recorded: Vec<&Event> = history
        .member_events()
        .map(|envelope| &envelope.event)
        .collect();
    let decided: Vec<&Event> = redecided
        .events
        .iter()
        .filter(|event| event.member_id() == Some(member))
        .collect();
    assert_eq!(recorded, decided, "{member}: the member's events");
    let mut actual = history.coverage().unwrap().unwrap();
    let mut alternative = coverage(&redecided.state, member).unwrap();
    actual.position = 0;
    alternative.position = 0;
    assert_eq!(actual, alternative, "{member}: the coverage");
}

#[test]
fn an_empty_override_changes_nothing_in_any_scenario() {
    for path in scenario_files() {
        let (_dir, ledger) = scenario_ledger(&path);
        let ids = members(ledger.store(), None).unwrap();
        for member in ids {
            assert_unchanged(&load(ledger.store(), member));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(32), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn an_empty_override_changes_nothing_in_random_histories(intents in history()) {
        let run = run_history(&intents);
        for member in MEMBERS {
            let member: Uuid = member.parse().unwrap();
            if let Some(history) = MemberHistory::load(run.ledger.store(), member, Cut::Everything).unwrap() {
                assert_unchanged(&history);
            }
        }
    }
}

#[test]
fn six_months_grace_keeps_the_lapsed_months_payable_and_the_member_enrolled() {
    let (_dir, ledger) = scenario_ledger(&repo_path("tests/scenarios/automatic_withdrawal.json"));
    let history = load(ledger.store(), MEMBER.parse().unwrap());
    let grace = overrides(r#"{"grace_months": 6}"#);
    let report = what_if(&history, &grace).unwrap();
    assert!(report.affected);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let (actual, alternative) = (&report.actual, &report.alternative);
    assert_eq!(actual.state, Some(MemberStatus::Withdrawn));
    assert_eq!(actual.lapsed_months, months("2025-08", "2025-11"));
    assert_eq!(actual.lapsed_amount, money("2400.00"));
    assert_eq!(actual.withdrawals.len(), 1);
    assert_eq!(
        actual.withdrawals[0].reason,
        WithdrawalReason::ArrearsExceededGrace
    );
    assert_eq!(actual.withdrawals[0].effective_from, month("2025-08"));
    assert_eq!(alternative.state, Some(MemberStatus::InArrears));
    assert!(alternative.withdrawals.is_empty());
    assert!(alternative.lapsed_months.is_empty());
    assert_eq!(alternative.lapsed_amount, Money::ZERO);
    assert_eq!(alternative.arrears_months, months("2025-08", "2025-11"));
    assert_eq!(alternative.arrears_amount, money("2400.00"));
    assert_eq!(
        (alternative.continuous_months, actual.continuous_months),
        (7, 0)
    );
    let changed: Vec<(Month, MonthStatus, MonthStatus)> = report
        .months
        .iter()
        .map(|difference| {
            (
                difference.month,
                difference.actual.as_ref().unwrap().status,
                difference.alternative.as_ref().unwrap().status,
            )
        })
        .collect();
    let mut expected: Vec<_> = months("2025-08", "2025-11")
        .into_iter()
        .map(|lapsed| (lapsed, MonthStatus::Lapsed, MonthStatus::Arrears))
        .collect();
    expected.push((month("2025-12"), MonthStatus::NotEnrolled, MonthStatus::Due));
    assert_eq!(changed, expected);
    // Restorable: in the alternative the back-payment the ledger refused is accepted.
    let state = redecide(&history, &grace).unwrap().state;
    let back_pay = CommandEnvelope {
        command_id: None,
        expected_version: None,
        command: Command::Pay(Pay {
            member_id: MEMBER.parse().unwrap(),
            months: months("2025-08", "2025-11"),
            amount: money("2400.00"),
            paid_on: CalendarDate::parse("2025-12-10").unwrap(),
        }),
        body_digest: None,
        earlier_body_digests: Vec::new(),
    };
    assert!(decide(&state, &back_pay).is_ok());
}

#[test]
fn prospective_restore_takes_benefits_from_back_paid_months() {
    let report = scenario_what_if(
        "backpay_within_grace",
        r#"{"backpay_restores": "prospective"}"#,
    );
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let changed: Vec<Month> = report
        .months
        .iter()
        .map(|difference| difference.month)
        .collect();
    assert_eq!(changed, months("2025-08", "2025-09"));
    for difference in &report.months {
        let (actual, alternative) = (
            difference.actual.as_ref().unwrap(),
            difference.alternative.as_ref().unwrap(),
        );
        assert_eq!(
            (actual.status, actual.benefits),
            (MonthStatus::Restored, true)
        );
        assert_eq!(
            (alternative.status, alternative.benefits),
            (MonthStatus::Restored, false)
        );
        assert_eq!(actual.paid, alternative.paid, "the same payment");
    }
    assert_eq!(
        report.actual.benefit_months,
        report.alternative.benefit_months + 2
    );
    assert_eq!(
        report.actual.continuous_months, report.alternative.continuous_months,
        "continuity is kept either way (R10)"
    );
}

#[test]
fn a_reenrollment_the_alternative_never_needed_is_reported_refused() {
    let report = scenario_what_if("reenroll_next_month", r#"{"grace_months": 6}"#);
    let refused: Vec<(&str, ErrorCode)> = report
        .refused
        .iter()
        .map(|refused| (refused.command, refused.code))
        .collect();
    assert_eq!(
        refused,
        [
            ("reenroll", ErrorCode::NotWithdrawn),
            ("pay", ErrorCode::ArrearsMustBePaidFirst),
            ("pay", ErrorCode::ArrearsMustBePaidFirst),
        ]
    );
    let reenroll = &report.refused[0];
    assert!(reenroll.message.contains("R13"), "{}", reenroll.message);
    assert!(reenroll.recorded.contains("re-enrolled from 2025-12"));
    assert!(report.alternative.withdrawals.is_empty());
    assert_eq!(
        report.alternative.arrears_months,
        months("2025-08", "2026-01")
    );
}

#[test]
fn a_shorter_grace_withdraws_earlier_and_refuses_the_back_payment() {
    let report = scenario_what_if("backpay_within_grace", r#"{"grace_months": 1}"#);
    let withdrawals = &report.alternative.withdrawals;
    assert_eq!(withdrawals.len(), 1);
    assert_eq!(withdrawals[0].effective_from, month("2025-08"));
    assert_eq!(withdrawals[0].lapsed_months, months("2025-08", "2025-09"));
    assert_eq!(report.alternative.lapsed_amount, money("1200.00"));
    assert_eq!(report.actual.lapsed_amount, Money::ZERO);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(
        (report.refused[0].command, report.refused[0].code),
        ("pay", ErrorCode::NotEnrolled)
    );
}

#[test]
fn a_wage_override_reprices_payments_without_changing_any_status() {
    let report = scenario_what_if(
        "first_enrollment_waiting",
        r#"{"average_monthly_wage": "12000.00"}"#,
    );
    assert!(report.months.is_empty(), "{:?}", report.months);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(report.actual.paid_amount, money("4800.00"));
    assert_eq!(report.alternative.paid_amount, money("5760.00"));
    assert!(report.affected, "a different amount paid is a difference");
}

#[test]
fn a_region_summary_counts_every_member_and_details_the_affected() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = flexledger(
        &data,
        &["submit", repo_path("examples/demo.jsonl").to_str().unwrap()],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let ledger = Ledger::open(&data).unwrap();
    let grace = overrides(r#"{"grace_months": 6}"#);
    let region = flexledger::domain::policy::RegionName::parse("demo").unwrap();
    let mut summary = RegionSummary::new(region.clone());
    for member in members(ledger.store(), Some(&region)).unwrap() {
        summary.add(what_if(&load(ledger.store(), member), &grace).unwrap());
    }
    let report = summary.finish();
    assert_eq!(report.members, 3);
    assert_eq!(report.members_affected, 1);
    assert_eq!(report.details.len(), 1);
    assert_eq!(report.details_omitted, 0);
    assert_eq!(report.actual.withdrawals, 1);
    assert_eq!(report.alternative.withdrawals, 0);
    assert_eq!(report.actual.lapsed_amount, money("2400.00"));
    assert_eq!(report.alternative.lapsed_amount, Money::ZERO);
    let first = &report.transitions[0];
    assert_eq!(first.months, 4);
    assert_eq!(first.actual.status, Some(MonthStatus::Lapsed));
    assert_eq!(first.alternative.status, Some(MonthStatus::Arrears));
}

#[test]
fn policy_files_are_parsed_strictly_and_errors_name_the_field() {
    assert!(overrides("{}").is_empty());
    for example in [
        "examples/whatif-six-months-grace.json",
        "examples/whatif-prospective-restore.json",
    ] {
        let text = std::fs::read_to_string(repo_path(example)).unwrap();
        let parsed = PolicyOverrides::parse(&text).unwrap();
        assert!(!parsed.is_empty(), "{example}");
    }
    for (text, named) in [
        (r#"{"grace_month": 6}"#, "grace_month"),
        (r#"{"average_monthly_wage": 10000}"#, "average_monthly_wage"),
        (r#"{"contribution_rate": "ten"}"#, "contribution_rate"),
        (r#"{"backpay_restores": "sometimes"}"#, "backpay_restores"),
        (
            r#"{"benefit_tiers": [{"tier": "basic"}]}"#,
            "benefit_tiers[0]",
        ),
        (r#"{"region": "demo"}"#, "region"),
        (r#"{"account_rate": 0.02}"#, "account_rate"),
        (
            r#"{"first_wait_after_gap_months": "6"}"#,
            "first_wait_after_gap_months",
        ),
        (
            r#"{"first_wait_after_gap_months": -1}"#,
            "first_wait_after_gap_months",
        ),
        (r#"{"effective_from": "2025-01"}"#, "effective_from"),
    ] {
        let error = PolicyOverrides::parse(text).unwrap_err().to_string();
        assert!(error.contains(&format!("`{named}`")), "{text}: {error}");
    }
    let v2 = overrides(r#"{"first_wait_after_gap_months": 6, "account_rate": "0.02"}"#);
    assert_eq!(v2.first_wait_after_gap_months, Some(Some(6)));
    assert_eq!(
        v2.summary(),
        "first_wait_after_gap_months=6, account_rate=0.02"
    );
    let absent = overrides(r#"{"first_wait_after_gap_months": null}"#);
    assert_eq!(absent.first_wait_after_gap_months, Some(None));
    assert!(!absent.is_empty(), "null replaces the published value");
    assert_eq!(absent.summary(), "first_wait_after_gap_months=absent");
    assert!(PolicyOverrides::parse("[]").is_err());
    assert!(PolicyOverrides::parse("{").is_err());
}

#[test]
fn an_override_that_makes_a_published_policy_invalid_is_an_error_naming_it() {
    let (_dir, ledger) = scenario_ledger(&repo_path("tests/scenarios/backpay_within_grace.json"));
    let history = load(ledger.store(), MEMBER.parse().unwrap());
    let error = what_if(&history, &overrides(r#"{"base_ratio_min": "3.50"}"#)).unwrap_err();
    assert!(matches!(error, WhatIfError::Policy(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("base_ratio_min"), "{message}");
    assert!(message.contains("from 2025-01"), "{message}");
}

/// The what-if of one member of `scenario` under the policy file `text`.
fn member_what_if(scenario: &str, member: &str, text: &str) -> MemberWhatIf {
    let (_dir, ledger) = scenario_ledger(&repo_path(&format!("tests/scenarios/{scenario}.json")));
    what_if(
        &load(ledger.store(), member.parse().unwrap()),
        &overrides(text),
    )
    .unwrap()
}

const LONG_GAP_A: &str = "c2432f3f-f493-5466-a97b-8cf3d6d9aeef";

/// P-reset (R7 v2): in long_gap_serves_first_wait, A's gap of four months is longer
/// than the region's three, so A serves the first-time delay again (benefits from
/// December). With P-reset 4, or none at all, the re-enrollment delay applies and
/// benefits start in October; with P-reset 6, as many cities have it, too.
#[test]
fn a_longer_or_absent_first_wait_after_gap_moves_the_benefit_start() {
    for text in [
        r#"{"first_wait_after_gap_months": 4}"#,
        r#"{"first_wait_after_gap_months": 6}"#,
        r#"{"first_wait_after_gap_months": null}"#,
    ] {
        let report = member_what_if("long_gap_serves_first_wait", LONG_GAP_A, text);
        assert!(report.affected, "{text}");
        assert!(report.refused.is_empty(), "{text}: {:?}", report.refused);
        assert_eq!(
            report.actual.benefit_start,
            Some(month("2025-12")),
            "{text}"
        );
        assert_eq!(
            report.alternative.benefit_start,
            Some(month("2025-10")),
            "{text}"
        );
        let changed: Vec<(Month, MonthStatus, MonthStatus)> = report
            .months
            .iter()
            .map(|difference| {
                (
                    difference.month,
                    difference.actual.as_ref().unwrap().status,
                    difference.alternative.as_ref().unwrap().status,
                )
            })
            .collect();
        assert_eq!(
            changed,
            [
                (month("2025-10"), MonthStatus::Waiting, MonthStatus::Covered),
                (month("2025-11"), MonthStatus::Waiting, MonthStatus::Covered),
            ],
            "{text}"
        );
        assert_eq!(
            report.alternative.benefit_months,
            report.actual.benefit_months + 2
        );
    }
    // A shorter P-reset makes B, who came back after one month, wait again too.
    let report = member_what_if(
        "long_gap_serves_first_wait",
        "1dedd014-aa5c-5a04-af84-1dcfae1b0a4d",
        r#"{"first_wait_after_gap_months": 0}"#,
    );
    assert_eq!(report.actual.benefit_start, Some(month("2025-07")));
    assert_eq!(report.alternative.benefit_start, Some(month("2025-09")));
    assert!(
        report.alternative.qualified,
        "qualified in the first period"
    );
}

/// P-account (R17): an account rate moves part of every paid month to the personal
/// account; no status changes, the outcomes show the account.
#[test]
fn an_account_rate_override_credits_the_personal_account() {
    let report = scenario_what_if("first_enrollment_waiting", r#"{"account_rate": "0.02"}"#);
    assert!(report.months.is_empty(), "{:?}", report.months);
    assert!(report.affected);
    assert_eq!(report.actual.account_balance, Money::ZERO);
    assert_eq!(report.actual.to_account_amount, Money::ZERO);
    assert!(report.alternative.to_account_amount > Money::ZERO);
    assert!(report.alternative.account_balance > Money::ZERO);
    assert_eq!(report.actual.paid_amount, report.alternative.paid_amount);
    // And back: the region's own account rate taken away.
    let report = member_what_if(
        "personal_account_split",
        LONG_GAP_A,
        r#"{"account_rate": null}"#,
    );
    assert_eq!(report.actual.account_balance, money("360.00"));
    assert_eq!(report.alternative.account_balance, Money::ZERO);
    // An account rate above the contribution rate is refused, naming it.
    let (_dir, ledger) =
        scenario_ledger(&repo_path("tests/scenarios/first_enrollment_waiting.json"));
    let error = what_if(
        &load(ledger.store(), MEMBER.parse().unwrap()),
        &overrides(r#"{"account_rate": "0.50"}"#),
    )
    .unwrap_err();
    assert!(error.to_string().contains("account_rate"), "{error}");
}

/// Refunds (R12) and subsidies (R16) are compared: a subsidy the alternative accrues
/// differently, a refund it does not make.
#[test]
fn refunds_and_subsidies_are_compared() {
    let report = member_what_if("refund_on_withdrawal", LONG_GAP_A, "{}");
    assert_eq!(report.actual.refunded_amount, money("3000.00"));
    assert_eq!(report.actual.refunded_months, months("2025-05", "2025-09"));
    assert_eq!(report.actual, report.alternative);
    // A cheaper wage: the same months refunded, each at what it cost there.
    let report = member_what_if(
        "refund_on_withdrawal",
        LONG_GAP_A,
        r#"{"average_monthly_wage": "5000.00"}"#,
    );
    assert_eq!(report.alternative.refunded_amount, money("1500.00"));
    assert_eq!(
        report.alternative.refunded_months,
        months("2025-05", "2025-09")
    );
    // The subsidy follows what was paid: a higher wage accrues more.
    let report = member_what_if(
        "subsidy_grant_accrue_pay",
        LONG_GAP_A,
        r#"{"average_monthly_wage": "20000.00"}"#,
    );
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(report.actual.subsidy.accrued, money("800.04"));
    assert_eq!(report.alternative.subsidy.accrued, money("1600.08"));
    assert_eq!(report.alternative.subsidy.paid, money("800.04"));
    assert_eq!(report.alternative.subsidy.owed, money("800.04"));
}

/// Runs the real `flexledger-audit` binary against `dir`.
fn audit(dir: &Path, args: &[&str]) -> Output {
    Process::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .output()
        .unwrap()
}

/// A data directory holding `scenario`, written through the real `flexledger submit`.
fn scenario_data(scenario: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let steps = read_json(&repo_path(&format!("tests/scenarios/{scenario}.json")));
    let input: String = steps["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| format!("{}\n", step["command"]))
        .collect();
    flexledger(
        &dir.path().join("data"),
        &["submit", "-"],
        Some(input.as_bytes()),
    );
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_cli_prints_a_table_and_json_for_a_member_and_a_region() {
    let dir = scenario_data("reenroll_next_month");
    let data = dir.path().join("data");
    let policy = repo_path("examples/whatif-six-months-grace.json");
    let policy = policy.to_str().unwrap();
    let table = audit(&data, &["whatif", "--policy", policy, "--member", MEMBER]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    let stdout = text(&table.stdout);
    for expected in [
        "grace_months=6",
        "lapsed, no longer payable",
        "2400.00 (2025-08..2025-11)",
        "2025-08  lapsed (0.00)",
        "reenroll: not_withdrawn",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in:\n{stdout}");
    }
    let json = audit(
        &data,
        &["--json", "whatif", "--policy", policy, "--member", MEMBER],
    );
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["overrides"]["grace_months"], 6);
    assert_eq!(report["member_id"], MEMBER);
    assert_eq!(report["affected"], true);
    assert_eq!(report["actual"]["lapsed_amount"], "2400.00");
    assert_eq!(report["alternative"]["lapsed_amount"], "0.00");
    assert_eq!(report["refused"][0]["code"], "not_withdrawn");
    assert_eq!(report["months"][0]["month"], "2025-08");
    assert_eq!(report["months"][0]["actual"]["status"], "lapsed");
    assert_eq!(report["months"][0]["alternative"]["status"], "arrears");
    let region = audit(
        &data,
        &["--json", "whatif", "--policy", policy, "--region", "demo"],
    );
    assert_eq!(region.status.code(), Some(0), "{}", text(&region.stderr));
    let report: Value = serde_json::from_slice(&region.stdout).unwrap();
    assert_eq!(report["members"], 1);
    assert_eq!(report["members_affected"], 1);
    assert_eq!(report["details"][0]["member_id"], MEMBER);
    let table = audit(&data, &["whatif", "--policy", policy, "--region", "demo"]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    assert!(text(&table.stdout).contains("1 member, 1 affected"));
}

#[test]
fn the_cli_compares_the_v2_fields() {
    let dir = scenario_data("long_gap_serves_first_wait");
    let data = dir.path().join("data");
    let policy = dir.path().join("reset.json");
    std::fs::write(&policy, r#"{"first_wait_after_gap_months": 6}"#).unwrap();
    let policy = policy.to_str().unwrap();
    let table = audit(
        &data,
        &["whatif", "--policy", policy, "--member", LONG_GAP_A],
    );
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    let stdout = text(&table.stdout);
    for expected in [
        "first_wait_after_gap_months=6",
        "qualified (R7)",
        "benefit start (R7)        2025-12                                   2025-10",
        "2025-10  waiting (600.00)             covered+ (600.00)",
        "refunded (R12)",
        "account balance (R17)",
        "subsidy acc./paid/owed",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in:\n{stdout}");
    }
    let json = audit(
        &data,
        &[
            "--json", "whatif", "--policy", policy, "--member", LONG_GAP_A,
        ],
    );
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["overrides"]["first_wait_after_gap_months"], 6);
    assert_eq!(report["actual"]["benefit_start"], "2025-12");
    assert_eq!(report["alternative"]["benefit_start"], "2025-10");
    assert_eq!(report["alternative"]["qualified"], true);
    assert_eq!(report["months"][0]["alternative"]["to_account"], "0.00");
    let region = audit(
        &data,
        &["--json", "whatif", "--policy", policy, "--region", "demo"],
    );
    let report: Value = serde_json::from_slice(&region.stdout).unwrap();
    assert_eq!(report["members"], 2);
    assert_eq!(report["members_affected"], 1);
    assert_eq!(report["actual"]["members_qualified"], 2);
}

#[test]
fn the_cli_refuses_a_bad_policy_file_with_exit_2_naming_the_field() {
    let dir = scenario_data("automatic_withdrawal");
    let data = dir.path().join("data");
    let policy = dir.path().join("policy.json");
    for (body, named) in [
        (r#"{"grace_month": 6}"#, "grace_month"),
        (r#"{"average_monthly_wage": 10000}"#, "average_monthly_wage"),
        (
            r#"{"base_ratio_max": "0.50"}"#,
            "base_ratio_min must not exceed",
        ),
    ] {
        std::fs::write(&policy, body).unwrap();
        for subject in [["--member", MEMBER], ["--region", "demo"]] {
            let mut args = vec!["whatif", "--policy", policy.to_str().unwrap()];
            args.extend(subject);
            let output = audit(&data, &args);
            assert_eq!(output.status.code(), Some(2), "{body} {subject:?}");
            let stderr = text(&output.stderr);
            assert!(stderr.contains(named), "{body}: {stderr}");
            assert!(stderr.contains("policy.json"), "{body}: {stderr}");
        }
    }
    let missing = dir.path().join("missing.json");
    let output = audit(
        &data,
        &[
            "whatif",
            "--policy",
            missing.to_str().unwrap(),
            "--member",
            MEMBER,
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("missing.json"));
}

#[test]
fn the_cli_reports_an_unknown_member_or_region_with_exit_1() {
    let dir = scenario_data("automatic_withdrawal");
    let data = dir.path().join("data");
    let policy = repo_path("examples/whatif-six-months-grace.json");
    let policy = policy.to_str().unwrap();
    let unknown = Uuid::from_u128(7).to_string();
    let output = audit(&data, &["whatif", "--policy", policy, "--member", &unknown]);
    assert_eq!(output.status.code(), Some(1));
    let output = audit(
        &data,
        &[
            "--json", "whatif", "--policy", policy, "--region", "nowhere",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(error["error"]["code"], "unknown_region");
    let both = audit(
        &data,
        &[
            "whatif", "--policy", policy, "--member", MEMBER, "--region", "demo",
        ],
    );
    assert_eq!(
        both.status.code(),
        Some(2),
        "exactly one of --member, --region"
    );
    let help = audit(&data, &["whatif", "--help"]);
    assert!(text(&help.stdout).contains("held fixed"));
}
