//! The ledger against an independent model of RULES.md (`model.rs`, written from the
//! spec without reading `src/`): command by command, and member by member, month by
//! month.

use crate::model::Model;
use crate::properties::{
    history, run_history, run_history_closing, run_history_on, CloseMode, MEMBERS,
};
use crate::support::subset_differences;
use flexledger::ledger::member_coverage;
use flexledger::ledger::Ledger;
use flexledger::store::CommandResult;
use proptest::prelude::*;

fn cases() -> u32 {
    crate::support::proptest_cases(96)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_agrees_with_the_independent_model(intents in history()) {
        check_against_model(run_history(&intents))?;
    }

    /// The same, with closes recorded as `serve` records them: in the background, one
    /// member per chunk, so most commands meet a close in progress (D17). The derived
    /// rows must equal a fold of the log at every moment (`verify` mid-close), and a
    /// member read is brought up to date first, as the server does.
    /// The background case below on the PostgreSQL engine.
    #[test]
    fn the_ledger_on_postgres_agrees_with_the_independent_model(intents in history()) {
        let Some(cluster) = crate::support::postgres::cluster() else { return Ok(()) };
        let open = |_: &std::path::Path| {
            let url = cluster.fresh_database();
            flexledger::store::postgres::migrate(&url).unwrap();
            let store = flexledger::store::PgStore::open(&url).unwrap();
            Ledger::with_store(flexledger::store::AnyStore::Postgres(store)).unwrap()
        };
        let mut run = run_history_on(&intents, CloseMode::Background, &mut |_| {}, &open);
        let report = flexledger::ledger::verify(run.ledger.store(), &mut |_| {});
        prop_assert!(report.is_ok(), "verify mid-close: {:?}", report.err());
        let members: Vec<uuid::Uuid> = MEMBERS.iter().map(|m| m.parse().unwrap()).collect();
        run.ledger.bring_members_up_to_date(&members, &mut run.sources).unwrap();
        check_against_model(run)?;
    }

    #[test]
    fn closes_recorded_in_chunks_in_the_background_agree_with_the_model(intents in history()) {
        let mut run = run_history_closing(&intents, CloseMode::Background);
        let report = flexledger::ledger::verify(run.ledger.store(), &mut |_| {});
        prop_assert!(report.is_ok(), "verify mid-close: {:?}", report.err());
        let members: Vec<uuid::Uuid> = MEMBERS.iter().map(|m| m.parse().unwrap()).collect();
        run.ledger.bring_members_up_to_date(&members, &mut run.sources).unwrap();
        check_against_model(run)?;
    }
}

fn check_against_model(run: crate::properties::Run) -> Result<(), TestCaseError> {
    {
        let mut model = Model::new();
        for (index, (command, result)) in run.commands.iter().zip(&run.results).enumerate() {
            let expected = model.apply(command);
            let actual = match result {
                CommandResult::Accepted { .. } => Ok(()),
                CommandResult::Refused(refusal) => Err(refusal.code.as_str().to_owned()),
            };
            prop_assert_eq!(
                &expected,
                &actual,
                "command {} {}: model {:?}, ledger {:?} ({:?})",
                index,
                command,
                expected,
                actual,
                result
            );
        }
        for member in MEMBERS {
            let expected = model.member(member);
            let actual =
                member_coverage(run.ledger.store(), member.parse().unwrap(), None).unwrap();
            match (expected, actual) {
                (None, None) => {}
                (Some(expected), Some(actual)) => {
                    let actual = serde_json::to_value(
                        flexledger::codec::wire::MemberCoverage::from(&actual),
                    )
                    .unwrap();
                    let differences = subset_differences(&expected, &actual, "member");
                    prop_assert!(
                        differences.is_empty(),
                        "member {}: {:?}\ncommands: {:#?}",
                        member,
                        differences,
                        run.commands
                    );
                }
                (expected, actual) => prop_assert!(
                    false,
                    "member {} exists in model: {}, ledger: {}",
                    member,
                    expected.is_some(),
                    actual.is_some()
                ),
            }
        }
    }
    Ok(())
}

/// Shows what the generator covers (run with `--ignored --nocapture`): result codes and
/// month statuses over many histories, so a generator that stopped reaching a rule is
/// noticed.
#[test]
#[ignore]
fn generator_coverage_report() {
    use proptest::strategy::ValueTree;
    use std::collections::BTreeMap;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_command: BTreeMap<String, usize> = BTreeMap::new();
    let mut money: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..200 {
        let intents = history().new_tree(&mut runner).unwrap().current();
        let run = run_history(&intents);
        for result in &run.results {
            let code = match result {
                CommandResult::Accepted { .. } => "ok".to_owned(),
                CommandResult::Refused(refusal) => refusal.code.as_str().to_owned(),
            };
            *codes.entry(code).or_default() += 1;
        }
        for (command, result) in run.commands.iter().zip(&run.results) {
            let code = match result {
                CommandResult::Accepted { .. } => "ok".to_owned(),
                CommandResult::Refused(refusal) => refusal.code.as_str().to_owned(),
            };
            *by_command
                .entry(format!(
                    "{} {code}",
                    command["command"].as_str().unwrap_or("?")
                ))
                .or_default() += 1;
        }
        for member in MEMBERS {
            if let Some(coverage) =
                member_coverage(run.ledger.store(), member.parse().unwrap(), None).unwrap()
            {
                let json =
                    serde_json::to_value(flexledger::codec::wire::MemberCoverage::from(&coverage))
                        .unwrap();
                for line in json["months"].as_array().unwrap() {
                    for (field, label) in [
                        ("refunded", "months refunded"),
                        ("to_account", "months with to_account"),
                        ("subsidy", "months with a subsidy"),
                    ] {
                        if line[field].as_str().is_some_and(|amount| amount != "0.00") {
                            *money.entry(label).or_default() += 1;
                        }
                    }
                    if line["subsidy_paid"] == serde_json::Value::Bool(true) {
                        *money.entry("months with the subsidy paid out").or_default() += 1;
                    }
                }
                if json["qualified"] == serde_json::Value::Bool(true) {
                    *money.entry("members qualified").or_default() += 1;
                }
                if json["enrollments"]
                    .as_u64()
                    .is_some_and(|periods| periods > 1)
                {
                    *money.entry("members re-enrolled").or_default() += 1;
                }
                for line in coverage.months {
                    *statuses.entry(format!("{:?}", line.status)).or_default() += 1;
                }
                *statuses
                    .entry(format!("state {:?}", coverage.state))
                    .or_default() += 1;
            }
        }
    }
    println!("results: {codes:#?}\nstatuses: {statuses:#?}\nby command: {by_command:#?}\nmoney: {money:#?}");
}

/// The model itself must pass every scenario, or agreeing with it would prove nothing.
#[test]
fn the_independent_model_passes_every_scenario() {
    use crate::support::{read_json, scenario_files};
    for path in scenario_files() {
        let scenario = read_json(&path);
        let mut model = Model::new();
        for (index, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
            let result = model.apply(&step["command"]);
            let expected = match &step["expect"] {
                serde_json::Value::String(_) => Ok(()),
                other => Err(other["error"].as_str().unwrap().to_owned()),
            };
            assert_eq!(result, expected, "{} step {index}", path.display());
        }
        for (member_id, expected) in scenario["expect_members"].as_object().unwrap() {
            let mut expected = expected.clone();
            let fields = expected.as_object_mut().unwrap();
            for line in fields
                .get_mut("months")
                .and_then(|months| months.as_array_mut())
                .into_iter()
                .flatten()
            {
                line.as_object_mut().unwrap().remove("rule");
            }
            let actual = model.member(member_id).expect("member exists in the model");
            let differences = subset_differences(&expected, &actual, "member");
            assert!(
                differences.is_empty(),
                "{}: {differences:?}",
                path.display()
            );
        }
    }
}
