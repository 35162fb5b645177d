//! The files in `schemas/` are checked against what the code really produces, so they
//! cannot drift: every command in the scenario files, every event and result the tests
//! produce, and every projection they read is validated here. The tests below also pin
//! what the schemas refuse (wire contract v2, docs/spec/CONTRACT.md), that every schema
//! file compiles, and that `schemas/openapi.json` names only files that exist and shows
//! only examples that validate.

use crate::support::repo_path;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// The top-level schemas `assert_valid` knows, by name (`schemas/<name>.schema.json`).
const TOP_LEVEL_SCHEMAS: [&str; 6] = [
    "command",
    "envelope",
    "command_result",
    "member_coverage",
    "region_month_report",
    "audit_bundle_line",
];

/// Every event type, each with `schemas/events/<Type>.schema.json` (v2 added the last
/// four): the table of the log entry's type codes, so a type added without a code (it
/// would be stored as text) fails here too.
const EVENT_TYPES: [&str; 14] = flexledger::store::log_entry::EVENT_TYPE_CODES;

/// Every command, each with `schemas/commands/<name>.schema.json` (v2 added the last three).
pub(crate) const COMMANDS: [&str; 12] = [
    "publish_policy",
    "enroll",
    "pay",
    "close_month",
    "stop_deduction",
    "resume_deduction",
    "withdraw",
    "reenroll",
    "change_base",
    "grant_subsidy",
    "revoke_subsidy",
    "pay_subsidy",
];

const MEMBER: &str = "c2432f3f-f493-5466-a97b-8cf3d6d9aeef";

/// Compiles one schema file, registered under its own directory so its relative
/// references (`../defs.schema.json`, `events/…`) resolve.
fn compile(path: &Path) -> Result<jsonschema::Validator, String> {
    let schema = crate::support::read_json(path);
    let directory = path.parent().expect("a schema file lies in a directory");
    jsonschema::options()
        .with_base_uri(format!("file://{}/", directory.display()))
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|error| error.to_string())
}

fn validators() -> &'static HashMap<&'static str, jsonschema::Validator> {
    static VALIDATORS: OnceLock<HashMap<&'static str, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        TOP_LEVEL_SCHEMAS
            .into_iter()
            .map(|name| {
                let path = repo_path(&format!("schemas/{name}.schema.json"));
                let validator = compile(&path).unwrap_or_else(|error| {
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

/// A validator for `components/schemas/<name>` of `schemas/openapi.json`: the document
/// is compiled as a schema whose root refers to that component, so its `$ref`s to the
/// schema files resolve beside it, as a tool reading the served document resolves them.
pub fn openapi_validator(name: &str) -> jsonschema::Validator {
    let path = repo_path("schemas/openapi.json");
    let mut document = crate::support::read_json(&path);
    let root = document
        .as_object_mut()
        .expect("the OpenAPI document is an object");
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("$ref".into(), json!(format!("#/components/schemas/{name}")));
    jsonschema::options()
        .with_base_uri(format!("file://{}", path.display()))
        .should_validate_formats(true)
        .build(&document)
        .unwrap_or_else(|error| panic!("components/schemas/{name} does not compile: {error}"))
}

/// Panics with every validation error if `value` does not match the OpenAPI document's
/// `components/schemas/<name>`.
pub fn assert_openapi_valid(name: &str, value: &Value) {
    let errors: Vec<String> = openapi_validator(name)
        .iter_errors(value)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{value} does not match components/schemas/{name}:\n{}",
        errors.join("\n")
    );
}

pub(crate) fn is_valid(kind: &str, value: &Value) -> bool {
    validators()[kind].is_valid(value)
}

/// The error codes contract v2 adds.
const V2_ERROR_CODES: [&str; 6] = [
    "subsidy_overlap",
    "subsidy_limit_exceeded",
    "no_subsidy",
    "subsidy_not_accrued",
    "subsidy_already_paid",
    "command_id_reused",
];
#[test]
fn every_event_type_has_a_payload_schema() {
    for event_type in EVENT_TYPES {
        let path = repo_path(&format!("schemas/events/{event_type}.schema.json"));
        assert!(path.exists(), "{} is missing", path.display());
    }
    for command in COMMANDS {
        let path = repo_path(&format!("schemas/commands/{command}.schema.json"));
        assert!(path.exists(), "{} is missing", path.display());
    }
    // The unions name them all: the envelope's type enum and payload mapping, the
    // command union and its "command" enum.
    let defs = crate::support::read_json(&repo_path("schemas/defs.schema.json"));
    assert_eq!(defs["$defs"]["event_type"]["enum"], json!(EVENT_TYPES));
    let envelope = crate::support::read_json(&repo_path("schemas/envelope.schema.json"));
    let mapped: Vec<&Value> = envelope["allOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| &case["if"]["properties"]["type"]["const"])
        .collect();
    assert_eq!(
        json!(mapped),
        json!(EVENT_TYPES),
        "envelope.schema.json maps every type's payload"
    );
    let command = crate::support::read_json(&repo_path("schemas/command.schema.json"));
    assert_eq!(command["properties"]["command"]["enum"], json!(COMMANDS));
    let union: Vec<String> = COMMANDS
        .iter()
        .map(|name| format!("commands/{name}.schema.json"))
        .collect();
    let listed: Vec<&Value> = command["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| &case["$ref"])
        .collect();
    assert_eq!(json!(listed), json!(union));
    let codes = &defs["$defs"]["error_code"]["enum"];
    for code in V2_ERROR_CODES {
        assert!(
            codes.as_array().unwrap().contains(&json!(code)),
            "error_code lacks {code}"
        );
    }
}

/// Every `*.schema.json` under `schemas/` compiles on its own, not only those the
/// top-level schemas happen to reach.
/// The feed's `types` parameter admits exactly the names the feed filters on (the
/// event types and `CoverageChanged`), comma-separated, empty names allowed: a schema
/// that admitted any string would call a refused misspelling "valid".
#[test]
fn the_feed_s_types_pattern_names_exactly_the_feed_s_types() {
    let openapi = crate::support::read_json(&repo_path("schemas/openapi.json"));
    let parameters = openapi["paths"]["/v1/feed"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let types = parameters.iter().find(|p| p["name"] == "types").unwrap();
    let pattern = types["schema"]["pattern"].as_str().unwrap();
    let names: Vec<&str> = EVENT_TYPES
        .iter()
        .copied()
        .chain(["CoverageChanged"])
        .collect();
    let alternatives = format!("({})", names.join("|"));
    let built = format!("^ *{alternatives}? *(, *{alternatives}? *)*$");
    let stored: std::collections::BTreeSet<&str> = flexledger::store::log_entry::EVENT_TYPE_CODES
        .iter()
        .copied()
        .collect();
    let listed: std::collections::BTreeSet<&str> = EVENT_TYPES.iter().copied().collect();
    assert_eq!(stored, listed, "the feed's types are the event types");
    assert_eq!(pattern, built);
}

#[test]
fn every_schema_file_compiles() {
    let mut compiled = 0;
    for directory in ["schemas", "schemas/commands", "schemas/events"] {
        for entry in std::fs::read_dir(repo_path(directory)).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".schema.json") {
                continue;
            }
            compile(&path)
                .unwrap_or_else(|error| panic!("{} does not compile: {error}", path.display()));
            compiled += 1;
        }
    }
    assert_eq!(
        compiled,
        TOP_LEVEL_SCHEMAS.len() + 1 + COMMANDS.len() + EVENT_TYPES.len(),
        "the top-level schemas, defs, one file per command and one per event type"
    );
}

/// The scenario files' commands (v2 ones included) match the command schema, refused
/// steps too: a refusal by rule is not a malformed command.
#[test]
fn every_scenario_command_matches_the_command_schema() {
    for path in crate::support::scenario_files() {
        let scenario = crate::support::read_json(&path);
        for step in scenario["steps"].as_array().unwrap() {
            assert_valid("command", &step["command"]);
        }
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

/// A misspelt field of a command's body is told the names it could have meant,
/// the envelope's too: `command_id` in every command, `expected_version` in a
/// member's (a client's probe, 2026-12-06, misspelt `expected_version` and was told
/// only `expected `member_id``). The names are listed in Chinese as in English.
#[test]
fn an_unknown_field_is_told_the_envelope_s_fields_too() {
    use flexledger::i18n::{refusal_message, Language};
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    for (command, said) in [
        (
            json!({"command":"stop_deduction","member_id":member,"expected_verison":11}),
            "field `expected_verison`: unknown field `expected_verison`, expected one of `member_id`, `command_id`, `expected_version`",
        ),
        (
            json!({"command":"close_month","region":"demo","month":"2025-10","commandid":"x"}),
            "field `commandid`: unknown field `commandid`, expected one of `region`, `month`, `command_id`",
        ),
    ] {
        let refusal = flexledger::domain::parse_command_value(command).unwrap_err();
        assert!(refusal.message.ends_with(said), "{}", refusal.message);
        let chinese = refusal_message(Language::ZhCn, &refusal);
        assert!(chinese.contains("`command_id`"), "{chinese}");
    }
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

fn grant_subsidy() -> Value {
    json!({"command":"grant_subsidy","member_id":MEMBER,"from_month":"2025-03","months":24,"share":"0.6667","category":"graduate"})
}

fn revoke_subsidy() -> Value {
    json!({"command":"revoke_subsidy","member_id":MEMBER,"from_month":"2025-09"})
}

fn pay_subsidy() -> Value {
    json!({"command":"pay_subsidy","member_id":MEMBER,"months":["2025-03","2025-04"],"amount":"800.04","paid_on":"2025-06-20"})
}

fn policy() -> Value {
    json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00",
        "contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,
        "benefit_delay_reenroll":1,"backpay_restores":"retroactive",
        "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"},{"min_continuous_months":24,"tier":"enhanced"}]})
}

/// `value` with `field` set to `new` (`Value::Null` removes nothing: it sets null).
fn with(value: &Value, field: &str, new: Value) -> Value {
    let mut changed = value.clone();
    changed[field] = new;
    changed
}

fn without(value: &Value, field: &str) -> Value {
    let mut changed = value.clone();
    changed.as_object_mut().unwrap().remove(field);
    changed
}

/// The v2 commands as the contract writes them validate, with the optional fields every
/// member command may carry, and so does a policy with the two v2 parameters (or null).
#[test]
fn v2_commands_match_their_schemas() {
    let command_id = json!("5f985273-32c6-54f2-8c90-991591d297e8");
    let mut valid = Vec::new();
    for command in [grant_subsidy(), revoke_subsidy(), pay_subsidy()] {
        valid.push(with(
            &with(&command, "command_id", command_id.clone()),
            "expected_version",
            json!(3),
        ));
        valid.push(command);
    }
    for category in ["hardship", "other"] {
        valid.push(with(&grant_subsidy(), "category", json!(category)));
    }
    for share in ["0.5", "0.0001", "1"] {
        valid.push(with(&grant_subsidy(), "share", json!(share)));
    }
    valid.push(with(&pay_subsidy(), "amount", json!("800")));
    valid.push(with(
        &pay_subsidy(),
        "months",
        json!(["2025-04", "2025-03"]),
    ));
    valid.push(with(
        &with(&policy(), "first_wait_after_gap_months", json!(6)),
        "account_rate",
        json!("0.02"),
    ));
    valid.push(with(
        &with(&policy(), "first_wait_after_gap_months", json!(0)),
        "account_rate",
        json!("0"),
    ));
    valid.push(with(
        &with(&policy(), "first_wait_after_gap_months", Value::Null),
        "account_rate",
        Value::Null,
    ));
    for command in valid {
        assert_valid("command", &command);
        if let Err(refusal) = flexledger::domain::parse_command_value(command.clone()) {
            panic!("the parser accepts {command} too: {}", refusal.message);
        }
    }
}

/// A rule's own refusal is not a malformed command: a share above 0.6667 or a grant
/// longer than 36 months is `subsidy_limit_exceeded`, so the schema lets it through.
#[test]
fn subsidy_limits_are_left_to_the_ledger() {
    for command in [
        with(&grant_subsidy(), "share", json!("0.9")),
        with(&grant_subsidy(), "months", json!(37)),
        with(
            &with(&grant_subsidy(), "months", json!(30)),
            "category",
            json!("graduate"),
        ),
    ] {
        assert_valid("command", &command);
    }
}

/// Malformed v2 commands are refused by the schemas, and by the parser as
/// `invalid_command` before any rule is looked at.
#[test]
fn malformed_v2_commands_are_refused() {
    let malformed = [
        with(&grant_subsidy(), "share", json!("0.66670")),
        with(&grant_subsidy(), "share", json!(0.5)),
        with(&grant_subsidy(), "share", json!("-0.5")),
        with(&grant_subsidy(), "share", json!(".5")),
        with(&grant_subsidy(), "months", json!(3.5)),
        with(&grant_subsidy(), "months", json!("3")),
        with(&grant_subsidy(), "months", json!(-1)),
        with(&grant_subsidy(), "category", json!("student")),
        with(&grant_subsidy(), "from_month", json!("2025-13")),
        with(&grant_subsidy(), "surprise", json!(true)),
        without(&grant_subsidy(), "category"),
        with(&revoke_subsidy(), "months", json!(3)),
        without(&revoke_subsidy(), "from_month"),
        with(&pay_subsidy(), "months", json!("2025-03")),
        with(&pay_subsidy(), "amount", json!(800.04)),
        with(&pay_subsidy(), "amount", json!("800.041")),
        with(&pay_subsidy(), "paid_on", json!("2025-06-31")),
        with(&policy(), "account_rate", json!(0.02)),
        with(&policy(), "account_rate", json!("-0.02")),
        with(&policy(), "first_wait_after_gap_months", json!("6")),
        with(&policy(), "first_wait_after_gap_months", json!(6.5)),
        with(&policy(), "first_wait_after_gap_months", json!(-1)),
    ];
    for command in malformed {
        assert!(
            !is_valid("command", &command),
            "the schema refuses {command}"
        );
        let refusal = flexledger::domain::parse_command_value(command.clone())
            .expect_err(&format!("the parser refuses {command} too"));
        assert_eq!(refusal.code.as_str(), "invalid_command", "{command}");
    }
    // The contract makes these invalid_command too, but a ledger may find them after
    // parsing (R16 checks, R17's range); the schema refuses them either way.
    for command in [
        with(&grant_subsidy(), "share", json!("0")),
        with(&grant_subsidy(), "share", json!("0.0000")),
        with(&grant_subsidy(), "months", json!(0)),
        with(&pay_subsidy(), "months", json!([])),
        with(&pay_subsidy(), "months", json!(["2025-03", "2025-03"])),
        with(&policy(), "account_rate", json!("1.5")),
        with(&policy(), "first_wait_after_gap_months", json!(601)),
    ] {
        assert!(
            !is_valid("command", &command),
            "the schema refuses {command}"
        );
    }
}

/// Wherever a schema says `integer`, the schema and the parser agree on every spelling:
/// each edge input is written into each integer field of a command as JSON text, then
/// validated by the schema and parsed by the ledger. JSON Schema's integer is a value
/// (`3.0`, `30e-1` and `3e0` are 3), so the parser reads those as 3 too; a fraction, a
/// string, a boolean, a negative number or one past the field's bounds is refused by both.
#[test]
fn the_schemas_and_the_parser_agree_on_integers() {
    let policy_with = |field: &str| with(&policy(), field, json!("N")).to_string();
    let mut tiered = policy();
    tiered["benefit_tiers"] = json!([{"min_continuous_months": "N", "tier": "basic"}]);
    let mut versioned = json!({"command": "stop_deduction", "member_id": MEMBER});
    versioned["expected_version"] = json!("N");
    // Each command with "N" where the edge input goes (every integer field of a command).
    let commands = [
        ("publish_policy.grace_months", policy_with("grace_months")),
        (
            "publish_policy.benefit_delay_first",
            policy_with("benefit_delay_first"),
        ),
        (
            "publish_policy.benefit_delay_reenroll",
            policy_with("benefit_delay_reenroll"),
        ),
        (
            "publish_policy.first_wait_after_gap_months",
            policy_with("first_wait_after_gap_months"),
        ),
        (
            "publish_policy.benefit_tiers[].min_continuous_months",
            tiered.to_string(),
        ),
        (
            "grant_subsidy.months",
            with(&grant_subsidy(), "months", json!("N")).to_string(),
        ),
        ("stop_deduction.expected_version", versioned.to_string()),
    ];
    let edges = [
        "3",
        "3.0",
        "3.00",
        "30e-1",
        "3e0",
        "3E+0",
        "0.3e1",
        "1e2",
        "1e3",
        "1E3",
        "0",
        "-0",
        "-0.0",
        "0.0",
        "1",
        "1.0",
        "600",
        "600.0",
        "601",
        "601.0",
        "3.5",
        "0.5",
        "1e-1",
        "-1",
        "-1.0",
        "-1e3",
        "\"3\"",
        "\"3.0\"",
        "true",
        "null",
        "[3]",
        "{}",
        "4294967295",
        "4294967296",
        "18446744073709551615",
        "18446744073709551616",
        "1.8446744073709552e19",
        "1e19",
        "1e30",
        "-9223372036854775808",
    ];
    let mut disagreements = Vec::new();
    for (field, command) in &commands {
        for edge in edges {
            let text = command.replace("\"N\"", edge);
            let value: Value = serde_json::from_str(&text).unwrap();
            let schema = is_valid("command", &value);
            let parser = flexledger::domain::parse_command(&text);
            if schema != parser.is_ok() {
                disagreements.push(format!(
                    "{field} = {edge}: the schema {}, the parser {}",
                    if schema { "accepts" } else { "refuses" },
                    match &parser {
                        Ok(_) => "accepts".to_owned(),
                        Err(refusal) => format!("refuses ({})", refusal.message),
                    }
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // A whole number is read as that integer, whatever its spelling: the same command
    // (and so the same body digest for command_id_reused).
    let grant = |months: &str| {
        flexledger::domain::parse_command(
            &with(&grant_subsidy(), "months", json!("N"))
                .to_string()
                .replace("\"N\"", months),
        )
        .unwrap()
    };
    assert_eq!(grant("24.0"), grant("24"));
    assert_eq!(grant("2.4e1"), grant("24"));
    assert!(grant("24.0").body_digest.is_some());
}

/// A fraction with more digits than a 64-bit float holds is not a whole number as
/// written, and is refused, though the float it reads as is whole (a contract probe:
/// `"grace_months": 2.9999999999999999` was published as 3, `"months":
/// 0.99999999999999999` granted one month, `1e-400` read as 0); a whole number in any
/// spelling is still that integer.
#[test]
fn a_fraction_a_float_rounds_to_a_whole_number_is_refused() {
    let command = |number: &str| {
        with(&grant_subsidy(), "months", json!("N"))
            .to_string()
            .replace("\"N\"", number)
    };
    for number in [
        "2.9999999999999999",
        "0.99999999999999999",
        "24.000000000000000001",
        "1e-400",
        "-1e-400",
        "2.40000000000000000001e1",
    ] {
        let refusal = flexledger::domain::parse_command(&command(number)).unwrap_err();
        assert_eq!(
            refusal.message,
            format!("the number {number} is not a whole number, though a 64-bit float reads it as one: a command's numbers are whole (counts of months, versions; amounts, rates and shares are decimal strings such as \"600.00\"): write it as one")
        );
    }
    // Numbers serde_json read as whole while `str::parse` read them as fractions, before
    // it read them correctly rounded too (a reviewer): refused, for what they are.
    for number in [
        "2.99999999999999968",
        "3.00000000000000023",
        "0.9999999999999999",
        "2.4703282292062328e-324",
        "2251799813686248.7",
    ] {
        let refusal = flexledger::domain::parse_command(&command(number)).unwrap_err();
        assert_eq!(refusal.code.as_str(), "invalid_command", "{number}");
    }
    for number in [
        "24",
        "24.0",
        "2.4e1",
        "240e-1",
        "0.24E2",
        "24.000000000000000000",
    ] {
        let parsed = flexledger::domain::parse_command(&command(number)).unwrap();
        assert_eq!(
            parsed,
            flexledger::domain::parse_command(&command("24")).unwrap(),
            "{number}"
        );
    }
    // A line that is no command object is told its shape first, with how to write it
    // (a reviewer's array line lost that advice to the number's).
    let array = format!("[{}]", command("2.9999999999999999"));
    let refusal = flexledger::domain::parse_command_line(array.as_bytes()).unwrap_err();
    assert!(
        refusal.message.contains("not an array"),
        "{}",
        refusal.message
    );
    let refusal = flexledger::domain::parse_command("2.9999999999999999").unwrap_err();
    assert!(
        refusal.message.contains("must be a JSON object"),
        "{}",
        refusal.message
    );
    // A number inside a string is the string's business (an amount, a region name).
    let text = command("24").replace("\"graduate\"", "\"2.9999999999999999\"");
    let refusal = flexledger::domain::parse_command(&text).unwrap_err();
    assert!(
        refusal.message.contains("field `category`"),
        "{}",
        refusal.message
    );
}

/// The schema and the parser agree on which UUIDs a command may carry (D95): the
/// contract's hyphenated form in either case, for `member_id` and `command_id`; the
/// simple, braced and urn forms the `uuid` crate also reads are refused by both (a
/// contract probe found the parser accepting bodies the published schema refuses).
#[test]
fn the_schemas_and_the_parser_agree_on_uuids() {
    let forms = [
        ("hyphenated", "c2432f3f-f493-5466-a97b-8cf3d6d9aeef", true),
        ("upper case", "C2432F3F-F493-5466-A97B-8CF3D6D9AEEF", true),
        ("nil", "00000000-0000-0000-0000-000000000000", true),
        ("simple", "c2432f3ff4935466a97b8cf3d6d9aeef", false),
        ("braced", "{c2432f3f-f493-5466-a97b-8cf3d6d9aeef}", false),
        (
            "urn",
            "urn:uuid:c2432f3f-f493-5466-a97b-8cf3d6d9aeef",
            false,
        ),
        (
            "misplaced hyphens",
            "c2432f3ff-493-5466-a97b-8cf3d6d9aeef",
            false,
        ),
        ("non-hex", "g2432f3f-f493-5466-a97b-8cf3d6d9aeef", false),
        ("empty", "", false),
    ];
    let mut disagreements = Vec::new();
    for (name, form, accepted) in forms {
        let stop = json!({"command": "stop_deduction", "member_id": form});
        let closed = json!({"command": "close_month", "region": "anhui", "month": "2025-01", "command_id": form});
        for command in [stop, closed] {
            let schema = is_valid("command", &command);
            let parser = flexledger::domain::parse_command(&command.to_string());
            if schema != accepted || parser.is_ok() != accepted {
                disagreements.push(format!(
                    "{name} {form:?} in {command}: the schema {}, the parser {}",
                    if schema { "accepts" } else { "refuses" },
                    match &parser {
                        Ok(_) => "accepts".to_owned(),
                        Err(refusal) => format!("refuses ({})", refusal.message),
                    }
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// An envelope around `payload` as `flexledger events` prints it.
fn envelope(event_type: &str, stream: &str, payload: Value) -> Value {
    let hash = "ab".repeat(32);
    json!({"position":17,"stream":stream,"version":3,"event_id":"00000000-0000-0000-0000-000000000011","type":event_type,
        "payload":payload,"schema_version":1,"recorded_at":"2026-01-10T08:00:00Z","command_id":"00000000-0000-0000-0000-000000000012",
        "prev_hash":hash,"stream_prev_hash":hash,"hash":hash})
}

/// The v2 event payloads validate through the envelope's type mapping; the v2 fields
/// of PolicyPublished and MonthClosed are optional, so events written by v1 still
/// validate; malformed payloads and member events in a region stream do not.
#[test]
fn v2_event_payloads_match_their_schemas() {
    let member_stream = format!("member-{MEMBER}");
    let refunded = json!({"member_id":MEMBER,"months":["2025-05","2025-06"],"amount":"1200.00"});
    let granted = json!({"member_id":MEMBER,"from_month":"2025-03","months":24,"share":"0.6667","category":"graduate"});
    let revoked = json!({"member_id":MEMBER,"from_month":"2025-09"});
    let paid = json!({"member_id":MEMBER,"months":["2025-03","2025-04"],"amount":"800.04","paid_on":"2025-06-20"});
    let closed_v1 = json!({"region":"demo","month":"2025-01","next_open_month":"2025-02","members_missed":1,"members_withdrawn":0});
    let mut policy_v1 = without(&policy(), "command");
    policy_v1["benefit_tiers"] = json!([]);
    let member_events = [
        ("ContributionRefunded", &refunded),
        ("SubsidyGranted", &granted),
        ("SubsidyRevoked", &revoked),
        ("SubsidyPaid", &paid),
    ];
    for (event_type, payload) in member_events {
        assert_valid(
            "envelope",
            &envelope(event_type, &member_stream, payload.clone()),
        );
        assert!(
            !is_valid(
                "envelope",
                &envelope(event_type, "region-demo", payload.clone())
            ),
            "{event_type} lives in a member stream"
        );
        assert!(!is_valid(
            "envelope",
            &envelope(
                event_type,
                &member_stream,
                with(payload, "surprise", json!(1))
            )
        ));
    }
    for payload in [
        closed_v1.clone(),
        with(&closed_v1, "members_visited", json!(200000)),
    ] {
        assert_valid("envelope", &envelope("MonthClosed", "region-demo", payload));
    }
    for payload in [
        policy_v1.clone(),
        with(
            &with(&policy_v1, "first_wait_after_gap_months", json!(6)),
            "account_rate",
            json!("0.02"),
        ),
    ] {
        assert_valid(
            "envelope",
            &envelope("PolicyPublished", "region-demo", payload),
        );
    }
    let malformed = [
        ("ContributionRefunded", with(&refunded, "months", json!([]))),
        (
            "ContributionRefunded",
            with(&refunded, "amount", json!("1200")),
        ),
        ("SubsidyGranted", with(&granted, "months", json!(37))),
        ("SubsidyGranted", with(&granted, "months", json!(0))),
        ("SubsidyGranted", with(&granted, "months", json!(3.5))),
        ("SubsidyGranted", with(&granted, "share", json!(0.5))),
        ("SubsidyGranted", with(&granted, "share", json!("0.66670"))),
        ("SubsidyGranted", without(&granted, "category")),
        ("SubsidyRevoked", without(&revoked, "from_month")),
        ("SubsidyPaid", with(&paid, "months", json!([]))),
        (
            "SubsidyPaid",
            with(&paid, "months", json!(["2025-03", "2025-03"])),
        ),
        ("SubsidyPaid", without(&paid, "paid_on")),
        (
            "MonthClosed",
            with(&closed_v1, "members_visited", json!(-1)),
        ),
        (
            "PolicyPublished",
            with(&policy_v1, "account_rate", json!(0.02)),
        ),
    ];
    for (event_type, payload) in malformed {
        let stream = if matches!(event_type, "MonthClosed" | "PolicyPublished") {
            "region-demo".to_string()
        } else {
            member_stream.clone()
        };
        assert!(
            !is_valid("envelope", &envelope(event_type, &stream, payload.clone())),
            "{event_type} {payload} should be refused"
        );
    }
}

/// A v2 close_month result lists the region's MonthClosed event and a summary
/// (`members` absent when replayed from a v1 close); the v2 codes are refusal codes.
#[test]
fn v2_results_match_the_result_schema() {
    let month_closed =
        json!({"position":120,"stream":"region-demo","version":7,"type":"MonthClosed"});
    let close = json!({"ok":true,"events":[month_closed],"duplicate":false,"close":{"members":200000,"missed":1234,"withdrawn":56}});
    assert_valid("command_result", &close);
    let mut replayed_v1 = with(&close, "duplicate", json!(true));
    replayed_v1["close"] = json!({"missed":1234,"withdrawn":56});
    assert_valid("command_result", &replayed_v1);
    let member_event = json!({"position":121,"stream":format!("member-{MEMBER}"),"version":4,"type":"ContributionMissed"});
    for bad in [
        with(&close, "events", json!([month_closed, member_event])),
        with(&close, "events", json!([member_event])),
        with(&close, "events", json!([])),
        with(&close, "close", json!({"members":1,"missed":1})),
        with(
            &close,
            "close",
            json!({"members":1,"missed":1,"withdrawn":0,"surprise":0}),
        ),
        with(
            &close,
            "close",
            json!({"members":"1","missed":1,"withdrawn":0}),
        ),
    ] {
        assert!(!is_valid("command_result", &bad), "{bad}");
    }
    for code in V2_ERROR_CODES {
        assert_valid(
            "command_result",
            &json!({"ok":false,"error":{"code":code,"message":"…"}}),
        );
    }
}

fn coverage_v2() -> Value {
    json!({"member_id":MEMBER,"region":"demo","state":"active","deduction_stopped":false,"enrollments":1,
        "benefit_start":"2025-07","paid_through":"2025-03","continuous_months":3,"cumulative_months":3,"benefit_tier":"basic",
        "arrears":{"months":[],"amount":"0.00","backpay_deadline":null},
        "months":[{"month":"2025-01","status":"waiting","due":"600.00","paid":"600.00","benefits":false,"rule":"R7",
                   "refunded":"0.00","to_account":"120.00","subsidy":"400.02","subsidy_paid":true},
                  {"month":"2025-02","status":"not_enrolled","due":"0.00","paid":"0.00","benefits":false,"rule":"R12",
                   "refunded":"600.00","to_account":"0.00","subsidy":"0.00","subsidy_paid":false}],
        "qualified":false,"account_balance":"120.00",
        "subsidy":{"granted_months":24,"accrued":"400.02","paid":"400.02","owed":"0.00"},
        "version":4,"position":12})
}

/// The v2 member coverage: every new field is required, amounts are written strings.
#[test]
fn v2_member_coverage_matches_its_schema() {
    let coverage = coverage_v2();
    assert_valid("member_coverage", &coverage);
    for field in ["qualified", "account_balance", "subsidy"] {
        assert!(
            !is_valid("member_coverage", &without(&coverage, field)),
            "{field} is required"
        );
    }
    for field in ["refunded", "to_account", "subsidy", "subsidy_paid"] {
        let mut missing = coverage.clone();
        missing["months"][0].as_object_mut().unwrap().remove(field);
        assert!(
            !is_valid("member_coverage", &missing),
            "months[].{field} is required"
        );
    }
    for (field, bad) in [
        ("qualified", json!("true")),
        ("account_balance", json!("120")),
        (
            "subsidy",
            json!({"granted_months":24,"accrued":"0.00","paid":"0.00"}),
        ),
        (
            "subsidy",
            json!({"granted_months":37,"accrued":"0.00","paid":"0.00","owed":"0.00"}),
        ),
    ] {
        assert!(
            !is_valid("member_coverage", &with(&coverage, field, bad.clone())),
            "{field} = {bad}"
        );
    }
    let mut bad_month = coverage.clone();
    bad_month["months"][0]["subsidy"] = json!(400.02);
    assert!(!is_valid("member_coverage", &bad_month));
}

/// The coverage's wire type reads the contract's JSON, and what it writes back (from
/// the domain's coverage, converted at the edge) is the same JSON and validates.
#[test]
fn the_member_coverage_wire_type_writes_what_its_schema_accepts() {
    use flexledger::codec::wire::MemberCoverage;
    use flexledger::domain::coverage as domain;
    let json = coverage_v2();
    let read: MemberCoverage = serde_json::from_value(json.clone()).unwrap();
    let coverage = domain::MemberCoverage::from(read);
    let written = serde_json::to_value(MemberCoverage::from(&coverage)).unwrap();
    assert_valid("member_coverage", &written);
    assert_eq!(written, json);
}

fn region_month_report() -> Value {
    json!({"region":"demo","month":"2025-03","open_month":"2025-05","closed":true,
        "members_by_status":{"due":0,"waiting":3,"covered":10,"arrears":1,"restored":0,"lapsed":2},
        "members_with_benefits":10,"members_refunded":1,
        "contributions":{"paid":"6000.00","pooling_fund":"4800.00","personal_accounts":"1200.00"},
        "refunded":"600.00",
        "subsidies":{"accrued":"400.02","paid":"0.00","owed":"400.02"},
        "position":123})
}

/// The region month report: every field required, counts integers, amounts strings.
#[test]
fn the_region_month_report_matches_its_schema() {
    let report = region_month_report();
    assert_valid("region_month_report", &report);
    for field in report.as_object().unwrap().keys() {
        assert!(
            !is_valid("region_month_report", &without(&report, field)),
            "{field} is required"
        );
    }
    for (field, bad) in [
        ("refunded", json!(600)),
        ("closed", json!("yes")),
        ("members_with_benefits", json!(-1)),
        (
            "members_by_status",
            json!({"due":0,"waiting":3,"covered":10,"arrears":1,"restored":0}),
        ),
        (
            "members_by_status",
            json!({"due":0,"waiting":3,"covered":10,"arrears":1,"restored":0,"lapsed":2,"not_enrolled":4}),
        ),
        (
            "contributions",
            json!({"paid":"6000.00","pooling_fund":"4800.00"}),
        ),
        (
            "subsidies",
            json!({"accrued":"400.02","paid":"0.00","owed":"400.0"}),
        ),
        ("position", json!(0)),
        ("surprise", json!(1)),
    ] {
        assert!(
            !is_valid("region_month_report", &with(&report, field, bad.clone())),
            "{field} = {bad}"
        );
    }
}

/// Every file `schemas/openapi.json` refers to exists and holds the fragment named,
/// its examples validate, and the v2 region month route has the region route's roles.
#[test]
fn the_openapi_document_refers_to_the_schemas_and_its_examples_validate() {
    let document = crate::support::read_json(&repo_path("schemas/openapi.json"));
    let mut references = Vec::new();
    collect_references(&document, &mut references);
    assert!(references
        .iter()
        .any(|reference| reference == "region_month_report.schema.json"));
    for reference in &references {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if file.is_empty() {
            assert!(
                document.pointer(fragment).is_some(),
                "openapi.json has no {reference}"
            );
            continue;
        }
        let schema = crate::support::read_json(&repo_path(&format!("schemas/{file}")));
        assert!(
            schema.pointer(fragment).is_some(),
            "schemas/{file} has no #{fragment}"
        );
    }
    let paths = &document["paths"];
    let commands = &paths["/v1/commands"]["post"];
    for (name, example) in commands["requestBody"]["content"]["application/json"]["examples"]
        .as_object()
        .unwrap()
    {
        match &example["value"] {
            Value::Array(batch) => batch
                .iter()
                .for_each(|command| assert_valid("command", command)),
            single => {
                assert_valid("command", single);
                assert!(
                    flexledger::domain::parse_command_value(single.clone()).is_ok(),
                    "example {name}"
                );
            }
        }
    }
    for example in commands["responses"]["200"]["content"]["application/json"]["examples"]
        .as_object()
        .unwrap()
        .values()
    {
        assert_valid("command_result", &example["value"]);
    }
    let region_month = &paths["/v1/regions/{name}/months/{month}"]["get"];
    assert_valid(
        "region_month_report",
        &region_month["responses"]["200"]["content"]["application/json"]["example"],
    );
    // The region's readers, and the subsidy office, for the subsidies it holds (D88).
    let mut readers = paths["/v1/regions/{name}"]["get"]["x-roles"].clone();
    readers
        .as_array_mut()
        .unwrap()
        .push("subsidy_office".into());
    assert_eq!(region_month["x-roles"], readers);
    let month_change = &document["components"]["schemas"]["MonthChange"];
    for field in ["refunded", "to_account", "subsidy", "subsidy_paid"] {
        assert!(
            month_change["required"]
                .as_array()
                .unwrap()
                .contains(&json!(field)),
            "MonthChange.{field}"
        );
    }
}

fn collect_references(value: &Value, references: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                match (key.as_str(), field) {
                    ("$ref", Value::String(reference)) => references.push(reference.clone()),
                    _ => collect_references(field, references),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, references)),
        _ => {}
    }
}
