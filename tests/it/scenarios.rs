//! Every scenario file runs through one `check`, once through the library and once
//! through the built CLI; both must give the step results and member projections the
//! file expects. Add cases by adding files to `tests/scenarios/`.

use crate::schemas;
use crate::support::*;
use flexledger::domain::parse_command_value;
use flexledger::ledger::{member_coverage, Ledger};
use flexledger::store::EventLog;
use serde_json::Value;
use std::path::Path;

/// Runs one scenario through the library; returns every difference found.
fn check_library(scenario: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    check_library_on(scenario, Ledger::open(dir.path()).unwrap())
}

/// `check_library` on `ledger` (an empty one, on any engine).
pub(crate) fn check_library_on(scenario: &Value, mut ledger: Ledger) -> Vec<String> {
    let steps = scenario["steps"].as_array().unwrap();
    let commands = steps
        .iter()
        .map(|step| parse_command_value(step["command"].clone()))
        .collect();
    let results = ledger
        .submit(commands, &mut FixedSources::new())
        .unwrap()
        .results;
    let mut differences = Vec::new();
    for (index, (step, result)) in steps.iter().zip(&results).enumerate() {
        let wire = serde_json::to_value(result).unwrap();
        schemas::assert_valid("command_result", &wire);
        if !result_matches(&step["expect"], &wire) {
            differences.push(format!(
                "step {index} ({}): expected {}, got {wire}",
                step["command"]["command"], step["expect"]
            ));
        }
    }
    for envelope in ledger.store().read_log(1) {
        schemas::assert_valid(
            "envelope",
            &serde_json::to_value(envelope.unwrap()).unwrap(),
        );
    }
    for (member_id, expected) in scenario["expect_members"].as_object().unwrap() {
        let coverage = member_coverage(ledger.store(), member_id.parse().unwrap(), None)
            .unwrap()
            .expect("member exists");
        let actual =
            serde_json::to_value(flexledger::codec::wire::MemberCoverage::from(&coverage)).unwrap();
        schemas::assert_valid("member_coverage", &actual);
        differences.extend(subset_differences(
            expected,
            &actual,
            &format!("member {member_id}"),
        ));
        // A read-only server answers every member of a ledger whose closes are all
        // recorded, and as the writer does: its check of a close still owing the
        // member a consequence (from the member's and region's rows) never fires on a
        // finished close (a withdrawal, a re-enrollment, an enrollment after it).
        let read =
            flexledger::ledger::member_for_a_reader(ledger.store(), member_id.parse().unwrap())
                .unwrap();
        match read {
            flexledger::ledger::ReaderMember::Found(Some(found)) => {
                let (member, region) = *found;
                let answered = flexledger::domain::coverage::member_coverage(&region, &member);
                if answered != coverage {
                    differences.push(format!("member {member_id}: a reader answers otherwise"));
                }
            }
            _ => differences.push(format!("member {member_id}: a reader does not answer it")),
        }
    }
    differences
}

/// Runs one scenario through the real binary: `submit` a file, then `member` each.
fn check_cli(scenario: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    check_cli_with(scenario, dir.path(), &|args| flexledger(&data, args, None))
}

/// `check_cli` with the binary run by `run` (which names the store), files in `dir`.
pub(crate) fn check_cli_with(
    scenario: &Value,
    dir: &Path,
    run: &dyn Fn(&[&str]) -> std::process::Output,
) -> Vec<String> {
    let steps = scenario["steps"].as_array().unwrap();
    let input: String = steps
        .iter()
        .map(|step| format!("{}\n", step["command"]))
        .collect();
    let file = dir.join("commands.jsonl");
    std::fs::write(&file, input).unwrap();
    let output = run(&["submit", file.to_str().unwrap()]);
    let results = stdout_lines(&output);
    let mut differences = Vec::new();
    if results.len() != steps.len() {
        differences.push(format!(
            "{} results for {} lines; stderr: {}",
            results.len(),
            steps.len(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    for (index, (step, result)) in steps.iter().zip(&results).enumerate() {
        if !result_matches(&step["expect"], result) {
            differences.push(format!(
                "cli step {index}: expected {}, got {result}",
                step["expect"]
            ));
        }
    }
    let any_refused = steps.iter().any(|step| step["expect"] != "ok");
    let expected_code = if any_refused { 1 } else { 0 };
    if output.status.code() != Some(expected_code) {
        differences.push(format!(
            "submit exit code {:?}, expected {expected_code}",
            output.status.code()
        ));
    }
    for (member_id, expected) in scenario["expect_members"].as_object().unwrap() {
        let output = run(&["member", member_id]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "member {member_id}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let actual: Value = serde_json::from_slice(&output.stdout).unwrap();
        differences.extend(subset_differences(
            expected,
            &actual,
            &format!("cli member {member_id}"),
        ));
    }
    differences
}

pub(crate) fn check_all(check: &dyn Fn(&Value) -> Vec<String>) {
    let mut failures = Vec::new();
    for path in scenario_files() {
        let scenario = read_json(&path);
        for command in scenario["steps"].as_array().unwrap() {
            schemas::assert_valid("command", &command["command"]);
        }
        let differences = check(&scenario);
        if !differences.is_empty() {
            failures.push(format!("{}:\n  {}", name(&path), differences.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "scenarios failed:\n{}",
        failures.join("\n")
    );
}

fn name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_scenario_passes_through_the_library() {
    check_all(&check_library);
}

#[test]
fn every_scenario_passes_through_the_cli() {
    check_all(&check_cli);
}

/// The checker itself must be able to fail: a wrong expectation is reported.
#[test]
fn a_wrong_expectation_is_reported() {
    let mut scenario = read_json(&repo_path("tests/scenarios/prepay_a_year.json"));
    scenario["steps"][3]["expect"] = Value::String("ok".into());
    let member = scenario["expect_members"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap();
    member["months"][6]["status"] = Value::String("waiting".into());
    let differences = check_library(&scenario);
    assert_eq!(differences.len(), 2, "{differences:?}");
}
