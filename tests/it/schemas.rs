//! The files in `schemas/` are checked against what the code really produces, so they
//! cannot drift: every command in the scenario files, every event and result the tests
//! produce, and every projection they read is validated here.

use crate::support::repo_path;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

fn validators() -> &'static HashMap<&'static str, jsonschema::Validator> {
    static VALIDATORS: OnceLock<HashMap<&'static str, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let base = repo_path("schemas");
        let base_uri = format!("file://{}/", base.display());
        [
            "command",
            "envelope",
            "command_result",
            "member_coverage",
            "audit_bundle_line",
        ]
        .into_iter()
        .map(|name| {
            let schema = crate::support::read_json(&base.join(format!("{name}.schema.json")));
            let validator = jsonschema::options()
                .with_base_uri(base_uri.clone())
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|error| {
                    panic!("schemas/{name}.schema.json does not compile: {error}")
                });
            (name, validator)
        })
        .collect()
    })
}

/// Panics with every validation error if `value` does not match `schemas/<kind>.schema.json`.
pub fn assert_valid(kind: &str, value: &Value) {
    let validator = &validators()[kind];
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{kind} does not match schemas/{kind}.schema.json:\n{}\nvalue: {value}",
        errors.join("\n")
    );
}

fn is_valid(kind: &str, value: &Value) -> bool {
    validators()[kind].is_valid(value)
}

#[test]
fn every_event_type_has_a_payload_schema() {
    for event_type in [
        "PolicyPublished",
        "MonthClosed",
        "MemberEnrolled",
        "ContributionPaid",
        "ContributionMissed",
        "DeductionStopped",
        "DeductionResumed",
        "MemberWithdrawn",
        "MemberReenrolled",
        "BaseChanged",
    ] {
        let path = repo_path(&format!("schemas/events/{event_type}.schema.json"));
        assert!(path.exists(), "{} is missing", path.display());
    }
    for command in [
        "publish_policy",
        "enroll",
        "pay",
        "close_month",
        "stop_deduction",
        "resume_deduction",
        "withdraw",
        "reenroll",
        "change_base",
    ] {
        let path = repo_path(&format!("schemas/commands/{command}.schema.json"));
        assert!(path.exists(), "{} is missing", path.display());
    }
}

/// The schemas reject what the parser rejects: numbers for money, unknown fields,
/// malformed months, the system-only withdrawal reason.
#[test]
fn schemas_refuse_what_the_contract_refuses() {
    let pay = json!({"command":"pay","member_id":"0b53af7d-bb50-5037-9d21-49eba4cb5782","months":["2025-01"],"amount":"600.00","paid_on":"2025-01-10"});
    assert!(is_valid("command", &pay));
    for (field, bad) in [
        ("amount", json!(600)),
        ("amount", json!("600.001")),
        ("months", json!(["2025-13"])),
        ("paid_on", json!("2025-1-10")),
        ("ammount", json!("1")),
    ] {
        let mut broken = pay.clone();
        broken[field] = bad.clone();
        assert!(
            !is_valid("command", &broken),
            "{field} = {bad} should be refused"
        );
        assert!(
            flexledger::domain::parse_command_value(broken).is_err(),
            "the parser refuses {field} = {bad} too"
        );
    }
    let withdraw = json!({"command":"withdraw","member_id":"0b53af7d-bb50-5037-9d21-49eba4cb5782","reason":"arrears_exceeded_grace"});
    assert!(!is_valid("command", &withdraw));
    assert!(flexledger::domain::parse_command_value(withdraw).is_err());
}

/// A policy that could price a month beyond an amount's 12 integer digits is refused,
/// so every amount the ledger writes can be read back.
#[test]
fn policies_cannot_price_dues_beyond_an_amounts_digits() {
    let policy = json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"9999999.99",
        "contribution_rate":"1","base_ratio_min":"0.60","base_ratio_max":"100","grace_months":600,"benefit_delay_first":6,
        "benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[]});
    assert!(is_valid("command", &policy));
    assert!(flexledger::domain::parse_command_value(policy.clone()).is_ok());
    for (field, bad) in [
        ("average_monthly_wage", "10000000.00"),
        ("base_ratio_max", "100.5"),
    ] {
        let mut broken = policy.clone();
        broken[field] = json!(bad);
        assert!(!is_valid("command", &broken), "{field} = {bad}");
        let refusal = flexledger::domain::parse_command_value(broken).unwrap_err();
        assert!(refusal.message.contains(field), "{}", refusal.message);
    }
}

/// The bundle line schema is not vacuous: shapes the verifier refuses, it refuses too.
#[test]
fn the_audit_bundle_line_schema_refuses_malformed_records() {
    let hash = "ab".repeat(32);
    assert!(is_valid(
        "audit_bundle_line",
        &json!({"record":"inclusion","position":3,"path":[hash]})
    ));
    for bad in [
        json!({"record":"inclusion","position":0,"path":[]}),
        json!({"record":"inclusion","position":3,"path":["AB"]}),
        json!({"record":"stream_head","stream":"member-x","version":1,"hash":hash,"index":0,"path":[]}),
        json!({"record":"checkpoint","note":"hello\n","signature":"00","public_key":"00"}),
        json!({"record":"coverage","coverage":{}}),
        json!({"record":"bundle","format":"other","version":1,"scope":"all","events":0,"streams":0,"members":0,"tree_size":0}),
        json!({"record":"surprise"}),
    ] {
        assert!(!is_valid("audit_bundle_line", &bad), "{bad}");
    }
}
