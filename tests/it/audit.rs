//! The auditor's tools: explain, replay, checkpoints and proofs, bundles
//! that prove a member's history included *and complete*, CSV, verify.

use crate::support::*;
use flexledger::audit::bundle::{verify_bundle, BundleReport, KeyTrust};
use flexledger::audit::checkpoint::{LogTree, SignedCheckpoint};
use flexledger::audit::history::{Cut, MemberHistory};
use flexledger::domain::command::WithdrawalReason;
use flexledger::domain::coverage::MonthStatus;
use flexledger::domain::month::Month;
use flexledger::domain::state::NotAccrued;
use flexledger::domain::why::{DelayWhy, MonthWhy, StatusWhy, SubsidyWhy};
use flexledger::domain::RuleId;
use flexledger::store::{CheckpointWriter, EventLog, EventStore, SledStore};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Loads a scenario's commands into a fresh ledger (deterministic ids and clock).
fn scenario_store(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    submit_scenario(dir.path(), name);
    dir
}

/// Submits a scenario to a ledger opened as `flexledger submit` opens it: with the
/// ledger's signing key, made at the first open.
fn submit_scenario(dir: &Path, name: &str) {
    flexledger::cli::open_ledger(&flexledger::store::Place::sled(dir))
        .unwrap()
        .submit(scenario_commands(name), &mut FixedSources::new())
        .unwrap();
}

fn scenario_commands(
    name: &str,
) -> Vec<Result<flexledger::domain::CommandEnvelope, flexledger::domain::Refusal>> {
    let scenario = read_json(&repo_path(&format!("tests/scenarios/{name}.json")));
    scenario["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| flexledger::domain::parse_command_value(step["command"].clone()))
        .collect()
}

/// The member's coverage as `flexledger member` prints it.
fn member_json(dir: &Path, member: &str, as_of: Option<&str>) -> Value {
    let mut args = vec!["member", member];
    if let Some(position) = as_of {
        args.extend(["--as-of", position]);
    }
    let output = flexledger(dir, &args, None);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The scenario's expected member ids.
fn scenario_members(name: &str) -> Vec<String> {
    let scenario = read_json(&repo_path(&format!("tests/scenarios/{name}.json")));
    scenario["expect_members"]
        .as_object()
        .map(|members| members.keys().cloned().collect())
        .unwrap_or_default()
}

/// Runs the real `flexledger-audit` with `--data-dir dir`.
pub fn audit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .env_remove("FLEXLEDGER_PUBLIC_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("flexledger-audit runs")
}

/// A member "as of" a month close whose consequences for it (the month missed, the
/// automatic withdrawal) were recorded after it, in the close's chunk under another
/// command, is shown with them (D17, D18, D64): the ledger never decided anything on
/// a state without them. Before, the member showed four months of arrears against a
/// grace of three and was still enrolled, and `explain` said the month was "recorded
/// missed" with no such event (an auditor's probe).
#[test]
fn a_member_as_of_a_close_is_shown_with_the_consequences_its_chunk_recorded_later() {
    let scenario = "automatic_withdrawal";
    let dir = scenario_store(scenario);
    let member = &scenario_members(scenario)[0];
    let events = stdout_lines(&flexledger(dir.path(), &["events"], None));
    let withdrawn = events
        .iter()
        .position(|event| event["type"] == "MemberWithdrawn")
        .expect("the scenario withdraws its member");
    let close = events[..withdrawn]
        .iter()
        .rposition(|event| event["type"] == "MonthClosed")
        .unwrap();
    assert_ne!(
        events[close]["command_id"], events[withdrawn]["command_id"],
        "the consequences are recorded by the close's chunk, another command"
    );
    let at = |index: usize| events[index]["position"].to_string();
    let as_of_close = member_json(dir.path(), member, Some(&at(close)));
    let after_chunk = member_json(dir.path(), member, Some(&at(withdrawn)));
    assert_eq!(as_of_close["state"], "withdrawn", "{as_of_close}");
    for field in ["state", "arrears", "months", "benefit_start"] {
        assert_eq!(as_of_close[field], after_chunk[field], "{field}");
    }
    let month = events[close]["payload"]["month"].as_str().unwrap();
    let args = [
        "explain",
        "--member",
        member,
        "--month",
        month,
        "--as-of",
        &at(close),
    ];
    let explained = text(&audit(dir.path(), &args));
    assert!(explained.contains("MemberWithdrawn"), "{explained}");
}

/// A clock a second later at every reading, so that a close and the chunk recorded
/// after it have different `recorded_at` (the fixed clock stamps them alike).
struct TickingSources {
    ticks: i64,
    ids: FixedSources,
}

impl flexledger::ledger::Sources for TickingSources {
    fn now(&mut self) -> chrono::DateTime<chrono::Utc> {
        self.ticks += 1;
        self.ids.now() + chrono::Duration::seconds(self.ticks)
    }
    fn new_id(&mut self) -> uuid::Uuid {
        self.ids.new_id()
    }
}

/// D67 across a reopening: a writer whose clock reads earlier than the log's head
/// (the fixed clock, 08:00:00, after a ticking one stamped up to a minute later)
/// records at the head's time, not before it.
#[test]
fn a_reopened_writer_whose_clock_is_behind_the_head_does_not_record_earlier() {
    let dir = tempfile::tempdir().unwrap();
    let place = flexledger::store::Place::sled(dir.path());
    let commands = || scenario_commands("automatic_withdrawal");
    let mut ticking = TickingSources {
        ticks: 0,
        ids: FixedSources::new(),
    };
    flexledger::cli::open_ledger(&place)
        .unwrap()
        .submit(commands().into_iter().take(3).collect(), &mut ticking)
        .unwrap();
    // Its ids go on from where the first writer's stopped; its clock stays at 08:00:00.
    let mut behind = FixedSources::new();
    for _ in 0..1000 {
        flexledger::ledger::Sources::new_id(&mut behind);
    }
    flexledger::cli::open_ledger(&place)
        .unwrap()
        .submit(commands().into_iter().skip(3).collect(), &mut behind)
        .unwrap();
    let events = stdout_lines(&flexledger(dir.path(), &["events"], None));
    let times: Vec<&str> = events
        .iter()
        .map(|event| event["recorded_at"].as_str().unwrap())
        .collect();
    assert!(times.len() > 3, "{times:?}");
    for pair in times.windows(2) {
        assert!(pair[0] <= pair[1], "recorded_at went back: {times:?}");
    }
}

/// `--as-of-time` the instant a close was recorded, before its chunk recorded the
/// member's consequences, shows them as `--as-of` the close's position does (D64):
/// the time's prefix is cut at its last position, and that cut takes them.
#[test]
fn a_member_as_of_the_time_of_a_close_is_shown_with_the_consequences_recorded_after_it() {
    let scenario = "automatic_withdrawal";
    let dir = tempfile::tempdir().unwrap();
    let mut sources = TickingSources {
        ticks: 0,
        ids: FixedSources::new(),
    };
    flexledger::cli::open_ledger(&flexledger::store::Place::sled(dir.path()))
        .unwrap()
        .submit(scenario_commands(scenario), &mut sources)
        .unwrap();
    let member = &scenario_members(scenario)[0];
    let events = stdout_lines(&flexledger(dir.path(), &["events"], None));
    let withdrawn = events
        .iter()
        .position(|event| event["type"] == "MemberWithdrawn")
        .unwrap();
    let close = events[..withdrawn]
        .iter()
        .rposition(|event| event["type"] == "MonthClosed")
        .unwrap();
    // D67: a time never goes back along the log (a close's batch stamped before the
    // previous close's chunk it appends first once gave 08:00:24 then 08:00:23).
    let times: Vec<&str> = events
        .iter()
        .map(|event| event["recorded_at"].as_str().unwrap())
        .collect();
    for pair in times.windows(2) {
        assert!(pair[0] <= pair[1], "recorded_at went back: {times:?}");
    }
    let (closed_at, chunk_at) = (
        &events[close]["recorded_at"],
        &events[withdrawn]["recorded_at"],
    );
    assert!(
        closed_at.as_str() < chunk_at.as_str(),
        "{closed_at} {chunk_at}"
    );
    let replay = |cut: &[&str]| {
        let args = [&["--json", "replay", "--member", member][..], cut].concat();
        let lines = stdout_lines(&audit(dir.path(), &args));
        lines.last().unwrap().clone()
    };
    let by_time = replay(&["--as-of-time", closed_at.as_str().unwrap()]);
    let by_position = replay(&["--as-of", &events[close]["position"].to_string()]);
    assert_eq!(by_time["after"]["state"], "withdrawn", "{by_time}");
    assert_eq!(
        by_time["type"], "MemberWithdrawn",
        "the chunk's events are shown"
    );
    assert_eq!(by_time, by_position);
}

/// R7's delays come from the policy in force in P as the ledger holds it when the
/// period's first payment is folded (D27, D63): a policy that replaces P's policy
/// after that payment (D5) applies to periods paid for after it, not to this one.
/// `explain` adds up the delay the ledger recorded, and says the policy now in force
/// in P gives another. Before, it wrote "P + 2 = 2025-07" (an auditor's probe).
#[test]
fn explain_adds_up_the_recorded_delay_when_a_later_policy_gives_another() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |delay: u32| {
        serde_json::json!({"command":"publish_policy","region":"demo","effective_from":"2025-01",
            "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60",
            "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":delay,
            "benefit_delay_reenroll":1,"backpay_restores":"retroactive",
            "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
    };
    let (a, b) = (
        "a1a1a1a1-0000-4000-8000-000000000001",
        "b2b2b2b2-0000-4000-8000-000000000002",
    );
    let joins = |member: &str| {
        [
            serde_json::json!({"command":"enroll","member_id":member,"region":"demo",
                "month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
            serde_json::json!({"command":"pay","member_id":member,"months":["2025-01"],
                "amount":"600.00","paid_on":"2025-01-05"}),
        ]
    };
    let lines: Vec<String> = [
        vec![policy(6)],
        joins(a).to_vec(),
        vec![policy(2)],
        joins(b).to_vec(),
    ]
    .concat()
    .iter()
    .map(Value::to_string)
    .collect();
    let file = dir.path().join("commands.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let data = dir.path().join("data");
    let submitted = flexledger(&data, &["submit", file.to_str().unwrap()], None);
    assert_eq!(submitted.status.code(), Some(0), "{submitted:?}");
    assert_eq!(member_json(&data, a, None)["benefit_start"], "2025-07");
    assert_eq!(member_json(&data, b, None)["benefit_start"], "2025-03");
    let explained = |language: &str| {
        let args = [
            "--lang", language, "explain", "--member", a, "--month", "2025-01",
        ];
        text(&audit(&data, &args))
    };
    let en = explained("en");
    assert!(en.contains("P + 6 = 2025-07"), "{en}");
    assert!(en.contains("delay applies: 6 months"), "{en}");
    assert!(
        en.contains("the policy in force in P now gives 2 months"),
        "{en}"
    );
    let zh = explained("zh-CN");
    assert!(zh.contains("P + 6 = 2025-07"), "{zh}");
    assert!(zh.contains("P 现在所适用的政策给出 2 个月"), "{zh}");
}

/// `verify --kept FILE` checks the checkpoints an auditor kept against the log, as the
/// stored ones are: a log rewritten and signed again with the ledger's own key (here:
/// the same commands recorded again under that key, so every hash differs) passes with
/// its own stored checkpoints, and only a kept one shows the rewrite. An auditor's probe
/// found that check left to the eye (`prove --from` prints a root to compare).
#[test]
fn verify_checks_the_checkpoints_an_auditor_kept() {
    let ledger = scenario_store("paying_in_order");
    let signed = audit(ledger.path(), &["--json", "checkpoint"]);
    assert!(signed.status.success(), "{signed:?}");
    let kept = ledger.path().join("kept.jsonl");
    std::fs::write(&kept, &signed.stdout).unwrap();
    let kept_arg = kept.to_str().unwrap();
    let checked = audit(ledger.path(), &["verify", "--kept", kept_arg]);
    assert_eq!(checked.status.code(), Some(0), "{checked:?}");
    assert!(
        text(&checked).contains("the checkpoint you kept matches the log"),
        "{checked:?}"
    );
    let checked = json(&audit(
        ledger.path(),
        &["--json", "verify", "--kept", kept_arg],
    ));
    assert_eq!(checked["kept_checkpoints_verified"], 1);
    // `-` is standard input, as for every file option (a newcomer's pipe from
    // `checkpoint --list --json` was "cannot read -").
    let piped = Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .arg("--data-dir")
        .arg(ledger.path())
        .args(["--json", "verify", "--kept", "-"])
        .stdin(std::fs::File::open(&kept).unwrap())
        .output()
        .unwrap();
    assert_eq!(piped.status.code(), Some(0), "{piped:?}");
    assert_eq!(json(&piped)["kept_checkpoints_verified"], 1);

    // Other commands recorded under the ledger's key: its own checkpoints agree with
    // it, the kept one does not.
    let rewritten = tempfile::tempdir().unwrap();
    let key_file = flexledger::audit::keys::SIGNING_KEY_FILE;
    std::fs::copy(
        ledger.path().join(key_file),
        rewritten.path().join(key_file),
    )
    .unwrap();
    submit_scenario(rewritten.path(), "stop_and_resume_deduction");
    assert!(audit(rewritten.path(), &["checkpoint"]).status.success());
    assert_eq!(audit(rewritten.path(), &["verify"]).status.code(), Some(0));
    let found = audit(rewritten.path(), &["verify", "--kept", kept_arg]);
    assert_eq!(found.status.code(), Some(1), "{found:?}");
    assert!(text(&found).contains("DAMAGED at position"), "{found:?}");
    // The position is the checkpoint's size, no event found damaged: no stream named,
    // and the finding says the change may be at any position up to it (a probe that
    // rewrote position 39 read "at position 41" as the rewritten event's).
    assert!(
        text(&found).contains("at one or more of positions 1 to"),
        "{found:?}"
    );
    assert!(
        !text(&found).contains("the stream index holds"),
        "{found:?}"
    );
    assert!(
        text(&found).contains("the log was rewritten")
            || text(&found).contains("events were removed"),
        "{found:?}"
    );
    // Its mark stays until a verify with the kept checkpoints passes: a plain verify
    // checks only the checkpoints the rewritten log signed itself, and passes (an
    // auditor's probe had it remove the mark, and writes resumed on the rewritten log).
    let advice = String::from_utf8_lossy(&found.stderr);
    assert!(
        advice.contains("Do not take a backup of it to recover")
            && !advice.contains("loses no event"),
        "{advice}"
    );
    let mark = rewritten.path().join("damage-found");
    let plain = audit(rewritten.path(), &["verify"]);
    let said = String::from_utf8_lossy(&plain.stderr);
    // Damage, never "OK" (an auditor's probe read OK and `"ok":true` beside exit 2).
    assert_eq!(plain.status.code(), Some(1), "{said}");
    let report = String::from_utf8_lossy(&plain.stdout);
    assert!(
        report.starts_with("DAMAGED at position") && !report.contains("OK"),
        "{report}"
    );
    let plain_json = audit(rewritten.path(), &["verify", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&plain_json.stdout).unwrap();
    assert_eq!(
        (report["ok"].clone(), plain_json.status.code()),
        (false.into(), Some(1))
    );
    assert!(
        said.contains("stays marked damaged") && said.contains("--kept FILE"),
        "{said}"
    );
    assert!(mark.exists(), "a plain verify left the mark");
    let refused = crate::support::flexledger(rewritten.path(), &["submit", "-"], Some(b""));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains("flexledger-audit verify --kept FILE")
            && said.contains("Do not take a backup of it to recover")
            && !said.contains("loses no event"),
        "{said}"
    );
    let ledger_verify = crate::support::flexledger(rewritten.path(), &["verify"], None);
    // Intact, but marked: damage, not 0, which a probe read as a healthy store.
    assert_eq!(ledger_verify.status.code(), Some(1), "{ledger_verify:?}");
    let report = String::from_utf8_lossy(&ledger_verify.stdout);
    assert!(report.contains(r#""ok":false"#), "{report}");
    assert!(mark.exists(), "flexledger verify left the mark");
    // Nothing more is signed from the rewritten log: a backup, an export or a new
    // checkpoint would have the ledger's key sign a second root for events it signed
    // before (a probe's backup of it restored into a store that verified clean).
    let backup = rewritten.path().join("rewritten.backup");
    let signing = [
        crate::support::flexledger(
            rewritten.path(),
            &["backup", "--out", backup.to_str().unwrap()],
            None,
        ),
        audit(rewritten.path(), &["export", "--all", "--out", "-"]),
        audit(rewritten.path(), &["checkpoint"]),
        audit(rewritten.path(), &["checkpoint", "--new-key"]),
    ];
    for refused in signing {
        let said = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(1), "{said}");
        assert!(
            said.contains("nothing is signed from this ledger"),
            "{said}"
        );
        assert!(refused.stdout.is_empty(), "{refused:?}");
    }
    assert!(!backup.exists());
    let again = audit(rewritten.path(), &["verify", "--kept", kept_arg]);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    assert!(mark.exists());
    // Nor is the mark removed by a kept file without the checkpoint that found it (a
    // probe kept only the size-0 one, which every log matches, and writes resumed).
    let listed = audit(ledger.path(), &["--json", "checkpoint", "--list"]);
    let empty = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .find(|line| line.contains("\"tree_size\":0,"))
        .expect("the writer's checkpoint of size 0")
        .to_owned();
    let subset = rewritten.path().join("subset.jsonl");
    std::fs::write(&subset, empty + "\n").unwrap();
    let subset = audit(
        rewritten.path(),
        &["verify", "--kept", subset.to_str().unwrap()],
    );
    let said = String::from_utf8_lossy(&subset.stderr);
    assert_eq!(subset.status.code(), Some(1), "{said}");
    assert!(
        said.contains("this verify did not check that one"),
        "{said}"
    );
    assert!(
        mark.exists(),
        "a kept file without the finding's checkpoint left the mark"
    );

    // A file that holds no checkpoint of this ledger's key says so, before the walk.
    let other = tempfile::tempdir().unwrap();
    submit_scenario(other.path(), "paying_in_order");
    let foreign = other.path().join("foreign.jsonl");
    std::fs::write(
        &foreign,
        &audit(other.path(), &["--json", "checkpoint"]).stdout,
    )
    .unwrap();
    let refused = audit(
        ledger.path(),
        &["verify", "--kept", foreign.to_str().unwrap()],
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(
        said.contains("line 1 of")
            && said.contains("is not a checkpoint signed by this ledger's key"),
        "{said}"
    );
    assert!(
        said.contains("not by this ledger's key") && !said.contains("pinned"),
        "{said}"
    );
}

/// An auditor's copy of the data directory holds no secret key: `verify` checks the
/// stored checkpoints' signatures with the ledger's published public key
/// (`--public-key`), and says how when it has neither; a key that did not sign them is
/// a finding (exit 1), not a pass.
#[test]
fn verify_checks_the_checkpoints_of_a_copy_without_its_secret_key_by_the_public_key() {
    let dir = scenario_store("automatic_withdrawal");
    // Only the writer's checkpoint of size 0 so far: the events it leaves unsigned are
    // counted ("matches the log" alone read as more than it gives).
    let unsigned = text(&audit(dir.path(), &["verify"]));
    assert!(
        unsigned.contains("are not yet covered by a signed checkpoint"),
        "{unsigned}"
    );
    assert!(unsigned.contains(", positions 1 to "), "{unsigned}");
    let output = audit(dir.path(), &["checkpoint"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let public_key = text(&audit(dir.path(), &["--json", "public-key"]));
    let public_key: Value = serde_json::from_str(&public_key).unwrap();
    let public_key = public_key["public_key"].as_str().unwrap().to_owned();
    let copy = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), copy.path());
    std::fs::remove_file(copy.path().join("audit-signing-key")).unwrap();
    let without = audit(copy.path(), &["verify"]);
    let message = String::from_utf8_lossy(&without.stderr);
    assert_eq!(without.status.code(), Some(2), "{message}");
    assert!(message.contains("--public-key"), "says how: {message}");
    let pinned = audit(copy.path(), &["verify", "--public-key", &public_key]);
    assert!(
        pinned.status.success(),
        "{}",
        String::from_utf8_lossy(&pinned.stderr)
    );
    assert!(
        // The writer's first, at size 0 (`sign_first_checkpoint`), and this one.
        text(&pinned).contains("2 signed checkpoints match the log"),
        "{}",
        text(&pinned)
    );
    assert!(
        !text(&pinned).contains("not yet covered"),
        "{}",
        text(&pinned)
    );
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
    let other = flexledger::audit::checkpoint::hex(other.as_bytes());
    let wrong = audit(copy.path(), &["verify", "--public-key", &other]);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(
        text(&wrong).contains(&format!("not by the key given ({other})")),
        "{}",
        text(&wrong)
    );
    // Another key is a finding about the key, not damage to restore from a backup.
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(!stderr.contains("restore"), "{stderr}");
    assert!(!text(&wrong).contains("DAMAGED"), "{}", text(&wrong));
    // Without --public-key, a data directory's key file that did not sign the
    // checkpoints (another ledger's put in its place) is a finding about the key file,
    // not damage: `flexledger verify` finds the log intact (D33).
    let another = tempfile::tempdir().unwrap();
    let policy = serde_json::json!({"command":"publish_policy","region":"other","effective_from":"2025-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]});
    drop(crate::expect::ledger_of(&[policy], another.path()));
    assert!(audit(another.path(), &["checkpoint"]).status.success());
    let key = another.path().join("audit-signing-key");
    std::fs::copy(&key, copy.path().join("audit-signing-key")).unwrap();
    let swapped = audit(copy.path(), &["verify"]);
    assert_eq!(swapped.status.code(), Some(1), "{}", text(&swapped));
    assert!(!text(&swapped).contains("DAMAGED"), "{}", text(&swapped));
    assert!(
        text(&swapped).contains("but the signing key file")
            && text(&swapped).contains(&format!("is signed by key {public_key}")),
        "{}",
        text(&swapped)
    );
    let stderr = String::from_utf8_lossy(&swapped.stderr);
    assert!(!stderr.contains("restore"), "{stderr}");
    // And `public-key` will not hand that key out to be published (exit 2).
    let published = audit(copy.path(), &["public-key"]);
    assert_eq!(published.status.code(), Some(2), "{}", text(&published));
    let refusal = String::from_utf8_lossy(&published.stderr);
    assert!(refusal.contains("it is another ledger's key"), "{refusal}");
    assert!(text(&published).is_empty(), "{}", text(&published));
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{error}: {}{}",
            text(output),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn public_key(dir: &Path) -> String {
    let output = audit(dir, &["--json", "public-key"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json(&output)["public_key"].as_str().unwrap().to_owned()
}

fn export_member(dir: &Path, member: &str) -> String {
    export_scope(dir, &["--member", member])
}

/// A backup's bundle: the whole log, with its command digests.
fn export_all(dir: &Path) -> String {
    export_scope(dir, &["--all"])
}

fn export_scope(dir: &Path, scope: &[&str]) -> String {
    let out = dir.join("scope.bundle");
    let mut args = vec!["export"];
    args.extend(scope);
    args.extend(["--out", out.to_str().unwrap()]);
    let output = audit(dir, &args);
    assert!(
        output.status.success(),
        "{}{}",
        text(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

fn verify_text(bundle: &str, key: &str) -> BundleReport {
    let pinned = flexledger::audit::checkpoint::parse_public_key(key).unwrap();
    verify_bundle(&mut bundle.as_bytes(), KeyTrust::Pinned(&pinned)).unwrap()
}

fn checks(report: &BundleReport) -> Vec<&'static str> {
    report
        .failures
        .iter()
        .map(|failure| failure.check)
        .collect()
}

/// Indexes of the lines that are event envelopes.
fn event_lines(lines: &[&str]) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| !line.contains("\"record\":"))
        .map(|(index, _)| index)
        .collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

#[test]
fn explain_gives_a_lapsed_month_its_rule_source_sentence_and_deciding_events() {
    let dir = scenario_store("automatic_withdrawal");
    let member = &scenario_members("automatic_withdrawal")[0];
    let coverage = member_json(dir.path(), member, None);
    let lapsed = coverage["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["status"] == "lapsed")
        .expect("the scenario lapses a month");
    let month = lapsed["month"].as_str().unwrap();

    let readable = audit(
        dir.path(),
        &["explain", "--member", member, "--month", month],
    );
    assert!(readable.status.success());
    // The words (R11's text, S1's sentence) are pinned by the expect file; the binary
    // prints exactly what it pins.
    assert_eq!(
        text(&readable),
        crate::expect::explain_section("automatic_withdrawal/0b53af7d.explain.txt", month)
    );

    let as_json = audit(
        dir.path(),
        &["--json", "explain", "--member", member, "--month", month],
    );
    assert_eq!(
        text(&as_json),
        crate::expect::explain_json_line("automatic_withdrawal/0b53af7d.explain.jsonl", month)
    );
    let explained = json(&as_json);
    assert_eq!(explained["status"], "lapsed");
    assert_eq!(explained["rules"][0]["id"], "R11");
    assert_eq!(explained["rules"][0]["sources"][0]["id"], "S1");
    let types: Vec<&str> = explained["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    for expected in [
        "PolicyPublished",
        "MemberEnrolled",
        "ContributionMissed",
        "MonthClosed",
        "MemberWithdrawn",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} decides a lapsed month: {types:?}"
        );
    }

    // A month the coverage does not list is explained as the month query answers it
    // (`GET /v1/members/{id}/months/{month}`): after the withdrawal, not enrolled by
    // the withdrawal's rule; before the first enrollment, not enrolled by R5.
    for (month, rule, cited) in [
        ("2031-01", "R11", "MemberWithdrawn"),
        ("2024-12", "R5", "MemberEnrolled"),
    ] {
        let outside = audit(
            dir.path(),
            &["--json", "explain", "--member", member, "--month", month],
        );
        assert_eq!(outside.status.code(), Some(0), "{month}");
        let explained = json(&outside);
        assert_eq!(explained["status"], "not_enrolled", "{month}");
        assert_eq!(explained["benefits"], false, "{month}");
        assert_eq!(explained["rules"][0]["id"], rule, "{month}");
        assert!(
            explained["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|event| event["type"] == cited),
            "{month} cites {cited}: {explained}"
        );
        // Outside every period nothing prices the month or starts its benefits.
        let cited_types: Vec<&str> = explained["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| !event["role"].is_null())
            .map(|event| event["type"].as_str().unwrap())
            .collect();
        assert!(
            !cited_types.contains(&"PolicyPublished"),
            "{month}: {explained}"
        );
    }
}

/// A month beyond the prepayment horizon is `due` (as the month query answers it, D73)
/// but is not said to be payable now: R6 lets a payment run at most to the open month
/// + 11. It said "pay it … before 2030-07 is closed".
#[test]
fn a_due_month_beyond_the_prepayment_horizon_is_not_said_to_be_payable() {
    let dir = scenario_store("paying_in_order");
    let member = &scenario_members("paying_in_order")[0];
    let coverage = member_json(dir.path(), member, None);
    let last: &str = coverage["months"].as_array().unwrap().last().unwrap()["month"]
        .as_str()
        .unwrap();
    let year: i32 = last[..4].parse().unwrap();
    let far = format!("{}{}", year + 3, &last[4..]);
    let explained = audit(
        dir.path(),
        &["explain", "--member", member, "--month", &far],
    );
    assert!(explained.status.success());
    let said = text(&explained);
    assert!(said.contains(&format!("{far}: due")), "{said}");
    assert!(
        said.contains("it cannot be paid yet: a payment runs at most to"),
        "{said}"
    );
    assert!(
        !said.contains("pay it, oldest unpaid month first"),
        "{said}"
    );
}

/// Every month of every scenario member can be explained; the deciding rule leads the
/// rules, every cited event exists in the member's history, and no reason is empty.
#[test]
fn every_month_of_every_scenario_is_explained_by_its_own_rule() {
    let mut explained_months = 0;
    let mut statuses = std::collections::BTreeSet::new();
    for file in scenario_files() {
        let name = file.file_stem().unwrap().to_str().unwrap().to_owned();
        let dir = scenario_store(&name);
        let store = SledStore::open(dir.path()).unwrap();
        for member in scenario_members(&name) {
            let member_id = uuid::Uuid::parse_str(&member).unwrap();
            let Some(full) = MemberHistory::load(&store, member_id, Cut::Everything).unwrap()
            else {
                continue;
            };
            // Every prefix, so months pass through every status (arrears included).
            for cut in full.events.iter().map(|envelope| envelope.position) {
                let Some(history) =
                    MemberHistory::load(&store, member_id, Cut::Position(cut)).unwrap()
                else {
                    continue;
                };
                let coverage = history.coverage().unwrap().unwrap();
                let positions: Vec<u64> = history
                    .events
                    .iter()
                    .map(|envelope| envelope.position)
                    .collect();
                for line in &coverage.months {
                    let explanation = flexledger::audit::explain::explain(&history, line.month)
                        .unwrap()
                        .unwrap();
                    assert_eq!(&explanation.line, line, "{name} {member} {}", line.month);
                    assert_eq!(explanation.rules[0].id, line.rule, "{name} {}", line.month);
                    assert!(!explanation.reasons.is_empty());
                    assert!(explanation
                        .events
                        .iter()
                        .all(|citation| positions.contains(&citation.position)));
                    statuses.insert(format!("{:?}", line.status));
                    explained_months += 1;
                }
            }
        }
    }
    assert!(explained_months > 100, "{explained_months}");
    assert_eq!(
        statuses.len(),
        7,
        "every status is explained at least once: {statuses:?}"
    );
}

#[test]
fn a_member_bundle_verifies_anywhere_and_names_an_edited_amount_or_a_dropped_event() {
    let dir = scenario_store("backpay_within_grace");
    let member = &scenario_members("backpay_within_grace")[0];
    let key = public_key(dir.path());
    let bundle = export_member(dir.path(), member);
    let elsewhere = tempfile::tempdir().unwrap();
    let path = elsewhere.path().join("member.bundle");
    std::fs::write(&path, &bundle).unwrap();
    let no_data_dir = elsewhere.path().join("no-ledger-here");

    let valid = audit(
        &no_data_dir,
        &[
            "verify-bundle",
            path.to_str().unwrap(),
            "--public-key",
            &key,
        ],
    );
    assert_eq!(valid.status.code(), Some(0), "{}", text(&valid));
    assert!(text(&valid).starts_with("VALID"));

    // An auditor's text editor: one payment's amount changed.
    let lines: Vec<String> = bundle.lines().map(str::to_owned).collect();
    let paid = lines
        .iter()
        .position(|line| line.contains("\"type\":\"ContributionPaid\""))
        .unwrap();
    let position: Value = serde_json::from_str(&lines[paid]).unwrap();
    let mut edited = lines.clone();
    edited[paid] = edited[paid].replacen("\"amount\":\"600.00\"", "\"amount\":\"60.00\"", 1);
    assert_ne!(edited[paid], lines[paid]);
    std::fs::write(&path, join(&edited)).unwrap();
    let invalid = audit(
        &no_data_dir,
        &[
            "verify-bundle",
            path.to_str().unwrap(),
            "--public-key",
            &key,
        ],
    );
    assert_eq!(invalid.status.code(), Some(1));
    let report = text(&invalid);
    assert!(
        report.contains(&format!(
            "FAILED edited [line {}, position {}",
            paid + 1,
            position["position"]
        )),
        "names the edited event: {report}"
    );
    // The checks `verify-bundle --json` says failed, exit 1.
    let failed_checks = || {
        let args = [
            "--json",
            "verify-bundle",
            path.to_str().unwrap(),
            "--public-key",
            &key,
        ];
        let invalid = audit(&no_data_dir, &args);
        assert_eq!(invalid.status.code(), Some(1));
        let report = json(&invalid);
        assert_eq!(report["ok"], false);
        let checks: Vec<String> = report["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|failure| failure["check"].as_str().unwrap().to_owned())
            .collect();
        checks
    };
    // Edited, and only that: not also counted as an event removed from the bundle, its
    // stream or its proofs (a probe read 8 amounts changed as 8 events deleted too).
    let checks = failed_checks();
    assert!(checks.iter().any(|check| check == "edited"), "{checks:?}");
    assert!(
        !checks.iter().any(|check| check == "completeness"),
        "{checks:?}"
    );

    // One event dropped.
    let mut dropped = lines.clone();
    dropped.remove(paid);
    std::fs::write(&path, join(&dropped)).unwrap();
    let checks = failed_checks();
    assert!(
        checks.iter().any(|check| check == "completeness"),
        "{checks:?}"
    );
}

/// Every single-event tamper of a bundle — an edit, a removal, a swap with the next
/// event, a forged extra event — is found, and so is a lost proof record.
#[test]
fn every_edit_removal_reorder_and_addition_of_a_bundle_event_is_found() {
    let dir = scenario_store("automatic_withdrawal");
    let member = &scenario_members("automatic_withdrawal")[0];
    let key = public_key(dir.path());
    let bundle = export_member(dir.path(), member);
    assert!(verify_text(&bundle, &key).ok);
    let lines: Vec<&str> = bundle.lines().collect();
    let events = event_lines(&lines);
    assert!(events.len() > 10);
    let owned: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    for &index in &events {
        let mut edited = owned.clone();
        let payload = edited[index].find("\"payload\":").unwrap();
        let digit = payload
            + edited[index][payload..]
                .find(|c: char| c.is_ascii_digit())
                .unwrap();
        let old = edited[index].as_bytes()[digit];
        let new = if old == b'9' { "8" } else { "9" };
        edited[index].replace_range(digit..=digit, new);
        let report = verify_text(&join(&edited), &key);
        assert!(
            !report.ok && checks(&report).contains(&"edited"),
            "edit of line {index}: {:?}",
            report.failures
        );

        let mut removed = owned.clone();
        removed.remove(index);
        let report = verify_text(&join(&removed), &key);
        assert!(
            !report.ok && checks(&report).contains(&"completeness"),
            "removal of line {index}: {:?}",
            report.failures
        );

        let mut added = owned.clone();
        let mut forged: Value = serde_json::from_str(&owned[index]).unwrap();
        forged["position"] = Value::from(10_000);
        added.insert(index + 1, forged.to_string());
        let report = verify_text(&join(&added), &key);
        assert!(!report.ok, "addition after line {index}");
        // The count names the forged event among those held (a probe read "the header
        // lists 24 events but the bundle holds 24").
        let counted = format!(
            "the header lists {} events but the bundle holds {}",
            events.len(),
            events.len() + 1
        );
        assert!(
            report
                .failures
                .iter()
                .any(|failure| failure.message == counted),
            "addition after line {index}: {:?}",
            report.failures
        );
    }
    for pair in events.windows(2) {
        let mut swapped = owned.clone();
        swapped.swap(pair[0], pair[1]);
        let report = verify_text(&join(&swapped), &key);
        assert!(
            !report.ok && checks(&report).contains(&"order"),
            "swap of lines {pair:?}: {:?}",
            report.failures
        );
    }
    for (index, line) in lines.iter().enumerate() {
        if line.contains("\"record\":\"inclusion\"") || line.contains("\"record\":\"stream_head\"")
        {
            let mut lost = owned.clone();
            lost.remove(index);
            assert!(
                !verify_text(&join(&lost), &key).ok,
                "loss of proof line {index}"
            );
        }
    }
}

/// `verify-bundle` reads a bundle in one pass, in the format's order (header, events,
/// records, checkpoint last), keeping a root per inclusion proof instead of the proof:
/// an event moved after the records, a header that is not first, and one proof of a
/// member bundle altered are each found and named.
#[test]
fn a_bundle_out_of_the_formats_order_or_with_an_altered_proof_is_refused() {
    let dir = scenario_store("automatic_withdrawal");
    let member = &scenario_members("automatic_withdrawal")[0];
    let key = public_key(dir.path());
    let bundle = export_member(dir.path(), member);
    assert!(verify_text(&bundle, &key).ok);
    let owned: Vec<String> = bundle.lines().map(str::to_owned).collect();
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let events = event_lines(&lines);
    let last_event = *events.last().unwrap();
    let has_failure = |report: &BundleReport, check: &str, needle: &str| {
        report
            .failures
            .iter()
            .any(|failure| failure.check == check && failure.message.contains(needle))
    };

    // The last event moved to just before the checkpoint, after every record.
    let mut moved = owned.clone();
    let event = moved.remove(last_event);
    moved.insert(moved.len() - 1, event);
    let report = verify_text(&join(&moved), &key);
    assert!(
        !report.ok && has_failure(&report, "format", "after the bundle's records"),
        "{:?}",
        report.failures
    );

    // The header damaged (no longer JSON): a tampered bundle, read on and its events
    // checked, not set aside as a file that is no bundle at all.
    let mut damaged = owned.clone();
    damaged[0] = format!("{{{}", damaged[0]);
    let report = verify_text(&join(&damaged), &key);
    assert!(!report.ok);
    assert!(report.events > 0, "{:?}", report.failures);
    assert!(
        has_failure(&report, "format", "not JSON"),
        "{:?}",
        report.failures
    );

    // The header moved below the first event.
    let mut moved = owned.clone();
    moved.swap(0, 1);
    let report = verify_text(&join(&moved), &key);
    assert!(
        !report.ok && has_failure(&report, "format", "not the first line"),
        "{:?}",
        report.failures
    );

    // One hash of one event's audit path altered: that event, on its line, is named.
    let proof = lines
        .iter()
        .position(|line| line.contains("\"record\":\"inclusion\""))
        .unwrap();
    let mut record: Value = serde_json::from_str(&owned[proof]).unwrap();
    let position = record["position"].as_u64().unwrap();
    let hash = record["path"][0].as_str().unwrap().to_owned();
    let flipped = if hash.starts_with('0') { "1" } else { "0" };
    record["path"][0] = Value::from(format!("{flipped}{}", &hash[1..]));
    let mut altered = owned.clone();
    altered[proof] = record.to_string();
    let report = verify_text(&join(&altered), &key);
    let event_line = lines
        .iter()
        .position(|line| {
            !line.contains("\"record\":")
                && serde_json::from_str::<Value>(line).unwrap()["position"] == position
        })
        .unwrap();
    assert_eq!(
        checks(&report),
        ["inclusion"],
        "only that proof fails: {:?}",
        report.failures
    );
    assert_eq!(report.failures[0].position, Some(position));
    assert_eq!(report.failures[0].line, Some(event_line as u64 + 1));
}

/// An event repeated in a member's bundle is named at the repeat's line, not the
/// original's: the proof belongs to the first (an auditor's probe was told the original
/// line "was added to the bundle").
#[test]
fn a_repeated_event_is_named_at_the_repeat() {
    let dir = scenario_store("automatic_withdrawal");
    let member = &scenario_members("automatic_withdrawal")[0];
    let key = public_key(dir.path());
    let bundle = export_member(dir.path(), member);
    let mut lines: Vec<String> = bundle.lines().map(str::to_owned).collect();
    let event = (lines.iter())
        .position(|line| !line.contains("\"record\":") && line.contains("\"position\""))
        .unwrap();
    lines.insert(event + 1, lines[event].clone());
    let report = verify_text(&join(&lines), &key);
    assert!(!report.ok);
    let added: Vec<Option<u64>> = (report.failures.iter())
        .filter(|failure| failure.message.contains("it was added to the bundle"))
        .map(|failure| failure.line)
        .collect();
    // Lines count from 1: the repeat is at index event + 1.
    assert_eq!(
        added,
        [Some(u64::try_from(event).unwrap() + 2)],
        "{:?}",
        report.failures
    );
}

/// A line past the limit stops the reading there, and that is the one failure named:
/// the lines after it were not read, so a checkpoint, coverages or events "missing"
/// from them are not listed as well (a probe's over-long coverage line was followed by
/// three such findings that sent the reader looking for the wrong fault).
#[test]
fn a_line_past_the_limit_is_the_one_failure_named() {
    use flexledger::audit::bundle::BUNDLE_LINE_BYTES_MAX;
    let dir = scenario_store("automatic_withdrawal");
    let member = &scenario_members("automatic_withdrawal")[0];
    let key = public_key(dir.path());
    let bundle = export_member(dir.path(), member);
    let mut lines: Vec<String> = bundle.lines().map(str::to_owned).collect();
    let coverage = (lines.iter())
        .position(|line| line.starts_with("{\"record\":\"coverage\""))
        .unwrap();
    let padding = "x".repeat(BUNDLE_LINE_BYTES_MAX);
    lines[coverage] = format!("{{\"record\":\"coverage\",\"padding\":\"{padding}\"}}");
    let report = verify_text(&join(&lines), &key);
    assert!(!report.ok);
    let found: Vec<_> = (report.failures.iter())
        .map(|failure| (failure.check, failure.line))
        .collect();
    assert_eq!(
        found,
        [("format", Some(u64::try_from(coverage).unwrap() + 1))]
    );
}

#[test]
fn a_forged_checkpoint_or_a_checkpoint_from_another_key_is_refused() {
    let dir = scenario_store("paying_in_order");
    let member = &scenario_members("paying_in_order")[0];
    let key = public_key(dir.path());
    let bundle = export_member(dir.path(), member);

    // The note's root changed: the signature no longer covers it.
    let forged: String = bundle
        .lines()
        .map(|line| {
            if line.contains("\"record\":\"checkpoint\"") {
                let mut record: Value = serde_json::from_str(line).unwrap();
                let note = record["note"].as_str().unwrap().to_owned();
                let root_at = note.find("root ").unwrap() + 5;
                let mut note = note.into_bytes();
                note[root_at] = if note[root_at] == b'a' { b'b' } else { b'a' };
                record["note"] = Value::from(String::from_utf8(note).unwrap());
                format!("{record}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    let report = verify_text(&forged, &key);
    assert!(!report.ok);
    assert_eq!(checks(&report)[0], "checkpoint", "{:?}", report.failures);

    // Re-signed by another ledger's key: valid on its own, refused when the key is pinned.
    let other = scenario_store("paying_in_order");
    let other_bundle = export_member(other.path(), member);
    let report = verify_text(&other_bundle, &key);
    assert!(!report.ok);
    assert!(
        report.failures[0].message.contains("not by the pinned key"),
        "{:?}",
        report.failures
    );
    let trusted = verify_bundle(&mut other_bundle.as_bytes(), KeyTrust::BundleKey).unwrap();
    assert!(
        trusted.ok && !trusted.key_pinned,
        "valid on the auditor's say-so, and the report says the key was not pinned"
    );
    let unpinned = verify_bundle(&mut other_bundle.as_bytes(), KeyTrust::Unpinned).unwrap();
    assert!(
        !unpinned.ok && checks(&unpinned) == ["key"],
        "{:?}",
        unpinned.failures
    );
}

#[test]
fn an_all_bundle_holds_every_position_and_every_stream() {
    let dir = scenario_store("decision_withdrawal_and_reenrollment");
    let key = public_key(dir.path());
    let out = dir.path().join("all.bundle");
    let output = audit(
        dir.path(),
        &["--json", "export", "--all", "--out", out.to_str().unwrap()],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = json(&output);
    let bundle = std::fs::read_to_string(&out).unwrap();
    let report = verify_text(&bundle, &key);
    assert!(report.ok, "{:?}", report.failures);
    assert_eq!(
        report.events,
        summary["tree_size"].as_u64().unwrap(),
        "every position"
    );
    let lines: Vec<&str> = bundle.lines().collect();
    let events = event_lines(&lines);
    let mut dropped: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    dropped.remove(events[events.len() / 2]);
    let report = verify_text(&join(&dropped), &key);
    assert!(
        checks(&report).contains(&"completeness"),
        "{:?}",
        report.failures
    );
}

/// A region of more streams than `EXPORT_STREAMS_READ_BY_INDEX_MAX` is exported from
/// one pass over the log, picking its streams' events; a small region through the
/// stream index. Either bundle holds exactly its region's events, in log order, and
/// verifies (another region's events interleave with both in the log).
#[test]
fn a_region_bundle_holds_its_events_whether_read_from_the_log_or_the_index() {
    use flexledger::audit::bundle::EXPORT_STREAMS_READ_BY_INDEX_MAX;
    let dir = tempfile::tempdir().unwrap();
    let policy = |region: &str| {
        serde_json::json!({"command":"publish_policy","region":region,"effective_from":"2025-01","average_monthly_wage":"10000.00",
            "contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,
            "benefit_delay_first":2,"benefit_delay_reenroll":1,"backpay_restores":"retroactive",
            "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
    };
    let mut commands = vec![policy("big"), policy("small")];
    let big = EXPORT_STREAMS_READ_BY_INDEX_MAX + 1;
    for index in 0..big {
        // Three small members, between the big region's.
        let small = (index % 400 == 0).then_some(("small", 1_000_000 + index / 400));
        for (region, member) in std::iter::once(("big", index)).chain(small) {
            let member_id = format!("60000000-0000-4000-8000-{member:012x}");
            commands.push(serde_json::json!({"command":"enroll","member_id":member_id,"region":region,"month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}));
            commands.push(serde_json::json!({"command":"pay","member_id":member_id,"months":["2025-01"],"amount":"600.00","paid_on":"2025-01-10"}));
        }
    }
    commands.push(serde_json::json!({"command":"close_month","region":"big","month":"2025-01"}));
    commands.push(serde_json::json!({"command":"close_month","region":"small","month":"2025-01"}));
    flexledger::cli::open_ledger(&flexledger::store::Place::sled(dir.path()))
        .unwrap()
        .submit(
            commands
                .into_iter()
                .map(flexledger::domain::parse_command_value)
                .collect(),
            &mut FixedSources::new(),
        )
        .unwrap();
    let key = public_key(dir.path());
    let log: Vec<flexledger::store::Envelope> = SledStore::open(dir.path())
        .unwrap()
        .read_log(1)
        .collect::<Result<_, _>>()
        .unwrap();
    for (region, members) in [("big", big), ("small", 3)] {
        let out = dir.path().join(format!("{region}.bundle"));
        let output = audit(
            dir.path(),
            &["export", "--region", region, "--out", out.to_str().unwrap()],
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let bundle = std::fs::read_to_string(&out).unwrap();
        let report = verify_text(&bundle, &key);
        assert!(report.ok, "{region}: {:?}", report.failures);
        let lines: Vec<&str> = bundle.lines().collect();
        let positions: Vec<u64> = event_lines(&lines)
            .into_iter()
            .map(|index| {
                serde_json::from_str::<Value>(lines[index]).unwrap()["position"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        let mut streams: std::collections::HashSet<String> = log
            .iter()
            .filter_map(|envelope| match &envelope.event {
                flexledger::domain::Event::MemberEnrolled(enrolled)
                    if enrolled.region.as_str() == region =>
                {
                    Some(envelope.stream.clone())
                }
                _ => None,
            })
            .collect();
        streams.insert(format!("region-{region}"));
        let expected: Vec<u64> = log
            .iter()
            .filter(|envelope| streams.contains(&envelope.stream))
            .map(|envelope| envelope.position)
            .collect();
        assert_eq!(positions, expected, "{region}: its events, in log order");
        assert_eq!(report.members, members as u64, "{region}");
    }
}

#[test]
fn checkpoints_chain_by_consistency_proofs_and_verify_finds_a_rewrite_after_signing() {
    let dir = scenario_store("paying_in_order");
    let first = json(&audit(dir.path(), &["--json", "checkpoint"]));
    let old_size = first["checkpoint"]["tree_size"].as_u64().unwrap();
    assert_eq!(first["stored"], true);
    assert!(first.get("consistency_from_previous").is_none());

    // More commands through the real CLI (its own ids and clock).
    let more = read_json(&repo_path("tests/scenarios/first_enrollment_waiting.json"));
    let lines: String = more["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| format!("{}\n", step["command"]))
        .collect();
    flexledger(dir.path(), &["submit", "-"], Some(lines.as_bytes()));
    // The log now holds events the first checkpoint does not cover: a proof of one
    // says to sign a newer checkpoint, not only that there is no such event.
    for (args, said) in [
        (
            ["prove", "--position"],
            "is in the log but after the checkpoint of",
        ),
        (["prove", "--from"], "is older than size"),
    ] {
        let past = (old_size + 1).to_string();
        let refused = audit(dir.path(), &[args[0], args[1], &past]);
        assert_eq!(refused.status.code(), Some(1));
        let message = String::from_utf8_lossy(&refused.stderr);
        assert!(message.contains(said), "{message}");
        assert!(
            message.contains("with `flexledger-audit checkpoint`, then prove"),
            "{message}"
        );
    }
    let second = json(&audit(dir.path(), &["--json", "checkpoint"]));
    let new_size = second["checkpoint"]["tree_size"].as_u64().unwrap();
    assert!(new_size > old_size);
    let proof = &second["consistency_from_previous"];
    assert_eq!(proof["old_size"], old_size);
    assert_eq!(
        proof["old_root"], first["checkpoint"]["root"],
        "the proof starts from the published root"
    );

    let prove = json(&audit(
        dir.path(),
        &["--json", "prove", "--from", &old_size.to_string()],
    ));
    assert_eq!(prove["new_root"], second["checkpoint"]["root"]);
    let included = json(&audit(dir.path(), &["--json", "prove", "--position", "1"]));
    assert_eq!(included["tree_size"], new_size);
    assert!(!included["path"].as_array().unwrap().is_empty());
    // Beyond the log, the answer says where the log ends (it had said "no event at
    // position 75 in the checkpoint of 74 events").
    let beyond = audit(
        dir.path(),
        &["prove", "--position", &(new_size + 1).to_string()],
    );
    assert_eq!(beyond.status.code(), Some(1));
    let said = String::from_utf8_lossy(&beyond.stderr);
    assert!(
        said.contains(&format!(
            "the log ends at position {new_size}, so nothing at {} can be proven: pass a position or size from 1 to {new_size}",
            new_size + 1
        )),
        "{said}"
    );
    // A size no checkpoint has is answered with the sizes there are: `checkpoint`
    // signs only the log's current size, so it cannot make this one.
    let missing = audit(dir.path(), &["prove", "--from", "1", "--to", "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).is_empty(), "said on standard error");
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(
        said.contains(&format!("at sizes 0, {old_size}, {new_size}")),
        "{said}"
    );

    let verified = json(&audit(dir.path(), &["--json", "verify"]));
    assert_eq!(verified["ok"], true);
    // Those two and the writer's first, at size 0.
    assert_eq!(verified["checkpoints_verified"], 3);

    // A checkpoint signed with the ledger's own key but over other roots: what an
    // operator who rewrote history after signing would leave behind.
    {
        let key = flexledger::audit::keys::load(dir.path()).unwrap().unwrap();
        let mut store = SledStore::open(dir.path()).unwrap();
        let mut tree = LogTree::default();
        for envelope in store
            .read_log(1)
            .take(usize::try_from(old_size).unwrap() + 1)
        {
            tree.push(&envelope.unwrap());
        }
        tree.leaves.reverse();
        let signed: SignedCheckpoint = tree
            .checkpoint(
                flexledger::audit::checkpoint::origin_for(&key.verifying_key()),
                chrono::Utc::now(),
            )
            .sign(&key);
        assert!(store
            .put_audit_checkpoint(tree.size(), &serde_json::to_vec(&signed).unwrap())
            .unwrap());
    }
    let rewritten = audit(dir.path(), &["verify"]);
    assert_eq!(rewritten.status.code(), Some(1));
    assert!(
        text(&rewritten).contains("the log was rewritten after it was signed"),
        "{}",
        text(&rewritten)
    );
}

/// `checkpoint --list` on a ledger that has none says so and how to make one (it
/// printed nothing, which reads as a failure); `--json` keeps its shape, one JSON
/// object per checkpoint, so its empty list is no line at all.
#[test]
fn checkpoint_list_without_checkpoints_says_there_are_none_and_how_to_make_one() {
    // Written by the library alone: a writer's open would sign a first checkpoint.
    let dir = tempfile::tempdir().unwrap();
    flexledger::ledger::Ledger::open(dir.path())
        .unwrap()
        .submit(
            scenario_commands("paying_in_order"),
            &mut FixedSources::new(),
        )
        .unwrap();
    let none = audit(dir.path(), &["checkpoint", "--list"]);
    assert_eq!(none.status.code(), Some(0));
    assert_eq!(
        text(&none),
        "no stored checkpoint yet: `flexledger-audit checkpoint` signs one of the log as it is now and stores it\n"
    );
    let none_zh = audit(dir.path(), &["--lang", "zh-CN", "checkpoint", "--list"]);
    assert_eq!(
        text(&none_zh),
        "尚无已保存的检查点：`flexledger-audit checkpoint` 可为日志的当前状态签署并保存一个\n"
    );
    let none_json = audit(dir.path(), &["--json", "checkpoint", "--list"]);
    assert_eq!(none_json.status.code(), Some(0));
    assert_eq!(text(&none_json), "", "an empty list of JSON lines");
    assert!(audit(dir.path(), &["checkpoint"]).status.success());
    let one = text(&audit(dir.path(), &["checkpoint", "--list"]));
    assert!(
        one.starts_with("size ") && !one.contains("no stored checkpoint"),
        "{one}"
    );
    let listed = stdout_lines(&audit(dir.path(), &["--json", "checkpoint", "--list"]));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["ok"], true);
}

/// `checkpoint --list` only reads: on an auditor's copy without the signing key it
/// lists the checkpoints, checked against a pinned public key, or, with none, against
/// the key each names (and says so); it never makes a key (a probe saw it refuse such
/// a copy with the whole lost-key message).
#[test]
fn checkpoint_list_needs_no_signing_key_and_checks_against_the_pinned_one() {
    let dir = scenario_store("paying_in_order");
    let ours = public_key(dir.path());
    let other = public_key(scenario_store("backpay_within_grace").path());
    let key_file = dir.path().join(flexledger::audit::keys::SIGNING_KEY_FILE);
    std::fs::remove_file(&key_file).unwrap();
    let unpinned = audit(dir.path(), &["checkpoint", "--list"]);
    let said = String::from_utf8_lossy(&unpinned.stderr);
    assert_eq!(unpinned.status.code(), Some(0), "{said}");
    assert!(text(&unpinned).starts_with("size "), "{}", text(&unpinned));
    assert!(
        said.contains("each is checked against the key its checkpoint names"),
        "{said}"
    );
    let pinned = audit(dir.path(), &["checkpoint", "--list", "--public-key", &ours]);
    assert_eq!(pinned.status.code(), Some(0));
    assert!(text(&pinned).starts_with("size "), "{}", text(&pinned));
    assert!(
        pinned.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&pinned.stderr)
    );
    let wrong = audit(
        dir.path(),
        &["checkpoint", "--list", "--public-key", &other],
    );
    assert!(text(&wrong).starts_with("INVALID: "), "{}", text(&wrong));
    assert_eq!(
        wrong.status.code(),
        Some(1),
        "a signature that fails is a finding"
    );
    assert!(
        text(&pinned).contains("  signature valid\n"),
        "each row says its signature was checked: {}",
        text(&pinned)
    );
    assert!(!key_file.exists(), "listing made no key");
}

#[test]
fn replay_as_of_a_position_or_a_time_shows_the_member_as_the_ledger_saw_them_then() {
    let dir = scenario_store("backpay_within_grace");
    let member = &scenario_members("backpay_within_grace")[0];
    let events = stdout_lines(&flexledger(
        dir.path(),
        &["events", "--member", member],
        None,
    ));
    for event in events.iter().step_by(3) {
        let position = event["position"].as_u64().unwrap().to_string();
        let replay = audit(
            dir.path(),
            &["--json", "replay", "--member", member, "--as-of", &position],
        );
        assert!(replay.status.success());
        let last = stdout_lines(&replay).pop().unwrap();
        let coverage = member_json(dir.path(), member, Some(&position));
        assert_eq!(
            last["after"]["continuous_months"], coverage["continuous_months"],
            "at {position}"
        );
        assert_eq!(
            last["after"]["arrears_amount"], coverage["arrears"]["amount"],
            "at {position}"
        );
        assert_eq!(
            last["after"]["benefit_tier"], coverage["benefit_tier"],
            "at {position}"
        );
        assert!(last["position"].as_u64().unwrap() <= position.parse::<u64>().unwrap());
    }
    let restored = stdout_lines(&audit(
        dir.path(),
        &["--json", "replay", "--member", member],
    ))
    .iter()
    .flat_map(|line| line["changes"].as_array().unwrap().clone())
    .any(|change| change["old_status"] == "arrears" && change["new_status"] == "restored");
    assert!(restored, "a back-payment shows the months it restored");
    // FixedSources records everything at 2026-01-10T08:00:00Z.
    let before = audit(
        dir.path(),
        &[
            "replay",
            "--member",
            member,
            "--as-of-time",
            "2026-01-10T07:59:59Z",
        ],
    );
    assert_eq!(before.status.code(), Some(1), "nothing was recorded yet");
    let at = audit(
        dir.path(),
        &[
            "--json",
            "replay",
            "--member",
            member,
            "--as-of-time",
            "2026-01-10T08:00:00Z",
        ],
    );
    assert_eq!(
        stdout_lines(&at).len(),
        stdout_lines(&audit(
            dir.path(),
            &["--json", "replay", "--member", member]
        ))
        .len()
    );
}

/// A cut before the member's first event (`--as-of`, `--as-of-time`) is not an
/// unknown member: replay, explain and timeline exit 1 as before (nothing to show),
/// but say the id is right and name the first event's position and time, in the
/// reader's language and in `--json` (code `never_enrolled`, as for an unknown member and as `flexledger member` answers).
#[test]
fn a_cut_before_the_members_first_event_names_that_event_not_a_wrong_id() {
    let dir = scenario_store("backpay_within_grace");
    let member = scenario_members("backpay_within_grace")[0].clone();
    let events = stdout_lines(&flexledger(
        dir.path(),
        &["events", "--member", &member],
        None,
    ));
    let first = events[0]["position"].as_u64().unwrap();
    let recorded = events[0]["recorded_at"].as_str().unwrap();
    let before = (first - 1).to_string();
    let svg = dir.path().join("before.svg");
    let svg = svg.to_str().unwrap();
    let message = format!(
        "member {member} had no events yet as of position {before}: the id is right, its first event \
         is at position {first} (recorded {recorded}); ask as of {first} or later"
    );
    let cut = ["--as-of", before.as_str()];
    let commands: [Vec<&str>; 3] = [
        vec!["replay", "--member", &member],
        vec!["explain", "--member", &member, "--month", "2025-01"],
        vec!["timeline", "--member", &member, "--svg", svg],
    ];
    for command in commands {
        let args = [&command[..], &cut[..]].concat();
        let output = audit(dir.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("flexledger-audit: {message}\n"),
            "{args:?}"
        );
        let json_args = [&["--json"][..], &args].concat();
        let error = json(&audit(dir.path(), &json_args));
        assert_eq!(error["error"]["code"], "never_enrolled", "{args:?}");
        assert_eq!(error["error"]["message"], message.as_str(), "{args:?}");
        let chinese = audit(dir.path(), &[&["--lang", "zh-CN"][..], &args].concat());
        let chinese = String::from_utf8_lossy(&chinese.stderr).into_owned();
        assert!(
            chinese.contains("编号无误") && chinese.contains(&format!("位置 {first}")),
            "{chinese}"
        );
    }
    assert!(!Path::new(svg).exists(), "no picture of nothing");
    // FixedSources records everything at 2026-01-10T08:00:00Z.
    let early = [
        "replay",
        "--member",
        &member,
        "--as-of-time",
        "2026-01-10T07:59:59Z",
    ];
    let output = audit(dir.path(), &early);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "flexledger-audit: member {member} had no events yet recorded by 2026-01-10T07:59:59Z: the id \
             is right, its first event is at position {first}, recorded {recorded}; ask as of that time or later\n"
        )
    );
    let nobody = "00000000-0000-0000-0000-000000000001";
    let output = audit(
        dir.path(),
        &["replay", "--member", nobody, "--as-of", &before],
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("flexledger-audit: member {nobody} has no events in this ledger: check the id\n")
    );
}

/// A cut beyond the log's head, or an instant after now, is refused (D66): what the
/// log will hold there is not known, so an answer would change as events arrive. It
/// names the head, in `member` and in the audit tools, in both languages; a cut at
/// the head itself is answered.
#[test]
fn a_cut_beyond_the_head_or_after_now_is_refused_and_names_where_the_log_ends() {
    let dir = scenario_store("backpay_within_grace");
    let member = scenario_members("backpay_within_grace")[0].clone();
    let head = stdout_lines(&flexledger(dir.path(), &["events"], None))
        .last()
        .unwrap()["position"]
        .as_u64()
        .unwrap();
    let beyond = (head + 1).to_string();
    let message = format!(
        "the log ends at position {head}: position {beyond} is not written yet, and what it will hold \
         is not known, so an answer as of it would change as events arrive. Ask as of {head} or earlier, \
         or leave out --as-of for the member as of now"
    );
    let output = flexledger(dir.path(), &["member", &member, "--as-of", &beyond], None);
    assert_eq!(output.status.code(), Some(1));
    let error = stdout_lines(&output).remove(0);
    assert_eq!(error["error"]["code"], "not_found");
    assert_eq!(error["error"]["message"], message.as_str());
    let at_head = flexledger(
        dir.path(),
        &["member", &member, "--as-of", &head.to_string()],
        None,
    );
    assert_eq!(at_head.status.code(), Some(0), "the head itself is written");
    let chinese = flexledger(
        dir.path(),
        &["--lang", "zh-CN", "member", &member, "--as-of", &beyond],
        None,
    );
    let chinese = String::from_utf8_lossy(&chinese.stderr).into_owned();
    assert!(
        chinese.contains(&format!("日志目前止于位置 {head}")),
        "{chinese}"
    );
    let commands: [&[&str]; 2] = [
        &["replay", "--member", &member],
        &["explain", "--member", &member, "--month", "2025-01"],
    ];
    for command in commands {
        let args = [&["--json"][..], command, &["--as-of", &beyond]].concat();
        let error = json(&audit(dir.path(), &args));
        assert_eq!(error["error"]["code"], "not_found", "{args:?}");
        assert_eq!(error["error"]["message"], message.as_str(), "{args:?}");
        let later = [
            &["--json"][..],
            command,
            &["--as-of-time", "2999-01-01T00:00:00Z"],
        ]
        .concat();
        let output = audit(dir.path(), &later);
        assert_eq!(output.status.code(), Some(1), "{later:?}");
        let error = json(&output);
        let said = error["error"]["message"].as_str().unwrap();
        assert!(
            said.starts_with("2999-01-01T00:00:00Z is later than now ("),
            "{said}"
        );
    }
}

/// The CSV's header: the v1 columns in their v1 places, the v2 ones appended.
const CSV_HEADER: &str = "member_id,region,month,status,due,paid,benefits,rule,\
refunded,to_account,subsidy,subsidy_paid,\
member_qualified,member_account_balance,member_subsidy_granted_months,member_subsidy_accrued,member_subsidy_paid,member_subsidy_owed";

/// `export --all --format csv` of a scenario: its rows, split, after checking the
/// header, and every row against `flexledger member` (every column).
fn csv_rows_checked(scenario: &str) -> Vec<Vec<String>> {
    let dir = scenario_store(scenario);
    let out = dir.path().join("months.csv");
    let output = audit(
        dir.path(),
        &[
            "export",
            "--all",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(CSV_HEADER));
    let rows: Vec<Vec<String>> = lines
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect();
    let mut expected = 0;
    for member in scenario_members(scenario) {
        let coverage = member_json(dir.path(), &member, None);
        for line in coverage["months"].as_array().unwrap() {
            expected += 1;
            let row = rows
                .iter()
                .find(|row| row[0] == member && row[2] == line["month"])
                .unwrap_or_else(|| panic!("{member} {} has a row", line["month"]));
            assert_eq!(row[3], line["status"]);
            assert_eq!(row[4], line["due"]);
            assert_eq!(row[5], line["paid"]);
            assert_eq!(row[6], line["benefits"].to_string());
            assert_eq!(row[7], line["rule"]);
            assert_eq!(row[8], line["refunded"]);
            assert_eq!(row[9], line["to_account"]);
            assert_eq!(row[10], line["subsidy"]);
            assert_eq!(row[11], line["subsidy_paid"].to_string());
            assert_eq!(row[12], coverage["qualified"].to_string());
            assert_eq!(row[13], coverage["account_balance"]);
            assert_eq!(row[14], coverage["subsidy"]["granted_months"].to_string());
            assert_eq!(row[15], coverage["subsidy"]["accrued"]);
            assert_eq!(row[16], coverage["subsidy"]["paid"]);
            assert_eq!(row[17], coverage["subsidy"]["owed"]);
        }
    }
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|row| row.len() == 18));
    rows
}

#[test]
fn csv_export_has_one_row_per_member_month() {
    csv_rows_checked("decision_withdrawal_and_reenrollment");
}

/// v2: the CSV carries refunds (R12), the account split (R17) and subsidies (R16).
#[test]
fn csv_export_carries_refunds_account_parts_and_subsidies() {
    let row_of = |rows: &[Vec<String>], member: &str, month: &str| {
        rows.iter()
            .find(|row| row[0] == member && row[2] == month)
            .unwrap_or_else(|| panic!("{member} {month}"))
            .clone()
    };
    let member = "c2432f3f-f493-5466-a97b-8cf3d6d9aeef";
    let rows = csv_rows_checked("refund_on_withdrawal");
    let refunded = row_of(&rows, member, "2025-06");
    assert_eq!(
        (
            refunded[3].as_str(),
            refunded[5].as_str(),
            refunded[8].as_str()
        ),
        ("not_enrolled", "0.00", "600.00")
    );
    let rows = csv_rows_checked("personal_account_split");
    let split = row_of(&rows, member, "2025-04");
    assert_eq!(
        (split[9].as_str(), split[13].as_str()),
        ("120.00", "360.00")
    );
    let rows = csv_rows_checked("subsidy_grant_accrue_pay");
    let paid_out = row_of(&rows, member, "2025-01");
    assert_eq!(
        paid_out[10..].join(","),
        "400.02,true,false,0.00,24,800.04,400.02,400.02"
    );
    csv_rows_checked("long_gap_serves_first_wait");
}

#[test]
fn the_signing_key_is_made_at_init_kept_private_and_printable() {
    let dir = scenario_store("paying_in_order");
    let key_file = dir.path().join(flexledger::audit::keys::SIGNING_KEY_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner reads the signing key");
    }
    let key = public_key(dir.path());
    assert_eq!(key.len(), 64);
    let checkpoint = json(&audit(dir.path(), &["--json", "checkpoint"]));
    assert_eq!(checkpoint["signed"]["public_key"], key.as_str());
    // Reopening keeps the same key.
    drop(flexledger::cli::open_ledger(&flexledger::store::Place::sled(dir.path())).unwrap());
    assert_eq!(public_key(dir.path()), key);
}

/// A ledger names its key from its first open for writing: the writer signs a first
/// checkpoint before it appends, so a key file deleted before anyone ran
/// `checkpoint` (a ledger backed up only over HTTP, which stores none) is refused
/// like any lost key, not replaced at the next `submit`. A ledger written before
/// this (no checkpoint) gets its first at its next open, of the whole log.
#[test]
fn a_key_lost_before_any_checkpoint_is_not_replaced_either() {
    let dir = scenario_store("paying_in_order");
    let list = |dir: &Path| text(&audit(dir, &["checkpoint", "--list"]));
    let first = list(dir.path());
    assert_eq!(first.lines().count(), 1, "{first}");
    assert!(first.starts_with("size          0 "), "{first}");
    let key_file = dir.path().join(flexledger::audit::keys::SIGNING_KEY_FILE);
    std::fs::remove_file(&key_file).unwrap();
    let refused = "{\"command\":\"close_month\",\"region\":\"nowhere\",\"month\":\"2025-01\"}\n";
    let output = crate::support::flexledger(dir.path(), &["submit", "-"], Some(refused.as_bytes()));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no signing key"));
    assert!(!key_file.exists(), "submit made no key");
    assert_eq!(audit(dir.path(), &["checkpoint"]).status.code(), Some(2));
    // A ledger with events and no checkpoint (written by the library alone).
    let older = tempfile::tempdir().unwrap();
    let mut ledger = flexledger::ledger::Ledger::open(older.path()).unwrap();
    ledger
        .submit(
            scenario_commands("paying_in_order"),
            &mut FixedSources::new(),
        )
        .unwrap();
    let (head, _) = flexledger::store::EventLog::head(ledger.store()).unwrap();
    drop(ledger);
    assert!(list(older.path()).starts_with("no stored checkpoint yet"));
    drop(flexledger::cli::open_ledger(&flexledger::store::Place::sled(older.path())).unwrap());
    let signed = list(older.path());
    assert!(
        signed.starts_with(&format!("size {head:>10} ")),
        "{head}: {signed}"
    );
}

/// A damaged key file (cut short, or bytes that are no text) is met as a missing one
/// is: the writer records commands and warns, and what signs refuses, saying how to
/// recover. A fault probe saw every writer stop at it with exit 2 and no way on.
#[test]
fn a_damaged_signing_key_file_stops_signing_not_recording() {
    let dir = scenario_store("paying_in_order");
    let key_file = dir.path().join(flexledger::audit::keys::SIGNING_KEY_FILE);
    let checkpoint = audit(dir.path(), &["checkpoint"]);
    assert!(checkpoint.status.success(), "{checkpoint:?}");
    let enroll = |n: u32| {
        serde_json::json!({"command":"enroll","member_id":format!("6b7b4a0e-0000-4000-8000-00000000000{n}"),"region":"demo","month":"2025-04","base_ratio":"0.60","labor_relationship":"none"}).to_string() + "\n"
    };
    for (n, damaged) in [(1, &b"0123abcd"[..]), (2, &[0xff, 0xfe, 0x00][..])] {
        std::fs::write(&key_file, damaged).unwrap();
        let line = enroll(n);
        let output =
            crate::support::flexledger(dir.path(), &["submit", "-"], Some(line.as_bytes()));
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{said}");
        assert!(
            said.contains("is malformed") && said.contains("Commands are recorded"),
            "{said}"
        );
        let refused = audit(dir.path(), &["checkpoint"]);
        let said = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{said}");
        assert!(
            said.contains("Put the ledger's key file back from its copy")
                && said.contains("move this file aside"),
            "{said}"
        );
    }
}

#[test]
fn a_lost_signing_key_is_never_silently_replaced() {
    let dir = scenario_store("paying_in_order");
    let key_file = dir.path().join(flexledger::audit::keys::SIGNING_KEY_FILE);
    let key = public_key(dir.path());
    let checkpoint = audit(dir.path(), &["checkpoint"]);
    assert!(
        checkpoint.status.success(),
        "{}",
        String::from_utf8_lossy(&checkpoint.stderr)
    );
    let original = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let refused = |output: &Output, what: &str| {
        let message = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {message}");
        assert!(
            message.contains("no signing key") && message.contains("--new-key"),
            "{what} names the missing key and the way on: {message}"
        );
        assert!(!key_file.exists(), "{what} made no key");
    };
    // Nothing signs without the ledger's key, and nothing makes another one.
    refused(&audit(dir.path(), &["checkpoint"]), "checkpoint");
    // Said in the reader's language (D37).
    let chinese = audit(dir.path(), &["--lang", "zh-CN", "checkpoint"]);
    let said = String::from_utf8_lossy(&chinese.stderr);
    assert_eq!(chinese.status.code(), Some(2), "{said}");
    assert!(
        said.contains("处没有签名密钥，但该账本的检查点由密钥"),
        "{said}"
    );
    refused(
        &audit(dir.path(), &["export", "--all", "--out", "-"]),
        "export",
    );
    refused(
        &crate::support::flexledger(dir.path(), &["backup", "--out", "-"], None),
        "backup",
    );
    // The ledger still records contributions, and says what is missing.
    let enroll = serde_json::json!({"command":"enroll","member_id":"6b7b4a0e-0000-4000-8000-000000000001","region":"demo","month":"2025-04","base_ratio":"0.60","labor_relationship":"none"}).to_string() + "\n";
    let output = crate::support::flexledger(dir.path(), &["submit", "-"], Some(enroll.as_bytes()));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        text(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("no signing key"));
    assert!(!key_file.exists(), "submit made no key");
    // Another ledger's key is refused too.
    let other = scenario_store("paying_in_order");
    std::fs::copy(
        other.path().join(flexledger::audit::keys::SIGNING_KEY_FILE),
        &key_file,
    )
    .unwrap();
    let output = audit(dir.path(), &["checkpoint"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("another ledger's key"));
    // ... and said by a writer that goes on recording, as a missing key is (an
    // auditor's probe found `submit` silent about it), and never published.
    let enroll_other = enroll.replace("000000000001", "000000000003");
    let output =
        crate::support::flexledger(dir.path(), &["submit", "-"], Some(enroll_other.as_bytes()));
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{said}");
    assert!(said.contains("it is another ledger's key"), "{said}");
    assert!(said.contains("Commands are recorded"), "{said}");
    let output = audit(dir.path(), &["public-key"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).is_empty(), "{}", text(&output));
    // The key put back: everything works as before.
    std::fs::write(&key_file, &original).unwrap();
    assert!(audit(dir.path(), &["checkpoint"]).status.success());
    assert_eq!(public_key(dir.path()), key);
    // Lost for good: a new key on purpose, once the log has something new to sign. It
    // signs a checkpoint at once and is the ledger's key from then on.
    std::fs::remove_file(&key_file).unwrap();
    let output = audit(dir.path(), &["checkpoint", "--new-key"]);
    assert_eq!(output.status.code(), Some(2), "nothing new to sign yet");
    assert!(!key_file.exists());
    let enroll = enroll.replace("000000000001", "000000000002");
    let output = crate::support::flexledger(dir.path(), &["submit", "-"], Some(enroll.as_bytes()));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = audit(dir.path(), &["checkpoint", "--new-key"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_ne!(public_key(dir.path()), key);
    assert!(audit(dir.path(), &["export", "--all", "--out", "-"])
        .status
        .success());
    // Nothing appended since, and the key there: the key is why (it was said only that
    // nothing was appended, and an auditor's probe tried again after an append).
    let output = audit(dir.path(), &["checkpoint", "--new-key"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "--new-key never replaces a key that is there"
    );
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("a signing key is already at"), "{said}");
}

/// D85: a ledger whose key was lost signs with a new one; the auditor pins the key it
/// replaced with `--earlier-key`, which is accepted for what it signed before the change
/// and found out when it signs after it.
#[test]
fn a_key_replaced_after_its_loss_is_pinned_as_an_earlier_key() {
    use flexledger::audit::checkpoint::{origin_for, Checkpoint};
    let dir = scenario_store("paying_in_order");
    assert!(audit(dir.path(), &["checkpoint"]).status.success());
    let old = public_key(dir.path());
    let lost = tempfile::tempdir().unwrap();
    let key_file = flexledger::audit::keys::SIGNING_KEY_FILE;
    std::fs::rename(dir.path().join(key_file), lost.path().join(key_file)).unwrap();
    let old_key = flexledger::audit::keys::load(lost.path()).unwrap().unwrap();
    let enroll = serde_json::json!({"command":"enroll","member_id":"6b7b4a0e-0000-4000-8000-000000000002","region":"demo","month":"2025-04","base_ratio":"0.60","labor_relationship":"none"}).to_string() + "\n";
    let output = crate::support::flexledger(dir.path(), &["submit", "-"], Some(enroll.as_bytes()));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(audit(dir.path(), &["checkpoint", "--new-key"])
        .status
        .success());
    let new = public_key(dir.path());

    // Without the earlier key: a finding, which names the way on.
    let found = audit(dir.path(), &["verify"]);
    assert_eq!(found.status.code(), Some(1), "{found:?}");
    assert!(
        text(&found).contains(&format!("--earlier-key {old}")),
        "{found:?}"
    );
    // With `--json`, each key finding has a code a program can tell apart without the
    // English (an auditor's probe had only the message to go by).
    let finding = |args: &[&str]| {
        let args = [&["--json"], args].concat();
        let output = audit(dir.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        json(&output)["finding"].clone()
    };
    assert_eq!(finding(&["verify"]), "signed_by_another_key");
    // With it, pinned or beside the key file: verified, and what it signed is said.
    for pinned in [&["--public-key", new.as_str()][..], &[]] {
        let mut args = vec!["--json", "verify", "--earlier-key", old.as_str()];
        args.extend_from_slice(pinned);
        let report = json(&audit(dir.path(), &args));
        assert_eq!(report["ok"], true, "{report}");
        let earlier = &report["earlier_keys"][0];
        assert_eq!(earlier["public_key"], old.as_str(), "{report}");
        let before = report["latest_checkpoint"]["tree_size"].as_u64().unwrap() - 1;
        assert_eq!(earlier["last_size"], before, "{report}");
    }
    let listed = audit(dir.path(), &["checkpoint", "--list", "--earlier-key", &old]);
    assert_eq!(listed.status.code(), Some(0), "{listed:?}");
    assert!(text(&listed).contains("by an earlier key"), "{listed:?}");
    let kept = dir.path().join("kept.jsonl");
    let list_json = ["--json", "checkpoint", "--list", "--earlier-key", &old];
    std::fs::write(&kept, audit(dir.path(), &list_json).stdout).unwrap();
    let kept_arg = kept.to_str().unwrap();
    let checked = audit(
        dir.path(),
        &["verify", "--earlier-key", &old, "--kept", kept_arg],
    );
    assert_eq!(checked.status.code(), Some(0), "{checked:?}");

    // The keys given the wrong way round are said to look so, before the reading of a
    // key that signed after its change (an auditor's probe was told only to keep an
    // honest ledger's checkpoint as evidence); a key given twice, or the current key as
    // an earlier one, is refused before anything is read.
    let swapped = ["verify", "--public-key", &old, "--earlier-key", &new];
    let found = audit(dir.path(), &swapped);
    assert_eq!(found.status.code(), Some(1), "{found:?}");
    assert_eq!(finding(&swapped), "keys_swapped");
    assert!(
        text(&found).contains("look given in the wrong order"),
        "{found:?}"
    );
    // Both readings: a swap, or (the order right) the old key signing after the change.
    assert!(
        text(&found).contains("against the agency's announcement"),
        "{found:?}"
    );
    let twice = ["verify", "--earlier-key", &old, "--earlier-key", &old];
    let current = ["verify", "--earlier-key", &old, "--earlier-key", &new];
    for (args, says) in [(twice, "is given twice"), (current, "is the current key")] {
        let refused = audit(dir.path(), &args);
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }

    // The old key signing after the change (whoever holds it): found, stored or kept.
    // (The same statement as the new key's first checkpoint, at its size, would be no
    // finding: the old key may have signed that size unstored, D85.)
    let next = enroll.replace("000000000002", "000000000003");
    let output = crate::support::flexledger(dir.path(), &["submit", "-"], Some(next.as_bytes()));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(audit(dir.path(), &["checkpoint"]).status.success());
    let listed = String::from_utf8(audit(dir.path(), &list_json).stdout).unwrap();
    let last: Value = serde_json::from_str(listed.lines().last().unwrap()).unwrap();
    let signed: flexledger::audit::checkpoint::SignedCheckpoint =
        serde_json::from_value(last["signed"].clone()).unwrap();
    let latest = signed.verify(None).unwrap();
    let late = Checkpoint {
        origin: origin_for(&old_key.verifying_key()),
        ..latest
    }
    .sign(&old_key);
    std::fs::write(&kept, serde_json::to_string(&late).unwrap() + "\n").unwrap();
    let late_kept = ["verify", "--earlier-key", &old, "--kept", kept_arg];
    let found = audit(dir.path(), &late_kept);
    assert_eq!(found.status.code(), Some(1), "{found:?}");
    assert_eq!(finding(&late_kept), "signed_after_replaced");
    assert!(
        text(&found).contains("An earlier key signs nothing after the change"),
        "{found:?}"
    );
    // A key that is no key is refused before anything is read.
    let refused = audit(dir.path(), &["verify", "--earlier-key", "abc"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
}

/// A mark the audit tool left (its finding may be a signed checkpoint's) stays through
/// a passing `flexledger verify`, which reads no signature, and the writer's refusal
/// names the verify that removes it: `flexledger-audit verify`, whose pass removes any
/// mark. An auditor's probe forged a stored checkpoint; `flexledger verify` removed the
/// audit tool's mark and writes resumed on top of the forged row.
#[test]
fn a_mark_the_audit_tool_left_is_removed_only_by_its_verify() {
    let dir = scenario_store("paying_in_order");
    assert!(audit(dir.path(), &["checkpoint"]).status.success());
    let mark = dir
        .path()
        .join(flexledger::store::damage_mark::DAMAGE_MARK_FILE);
    let found = serde_json::json!({
        "found_at": "2026-12-06T10:00:00Z",
        "found_by": "flexledger-audit verify",
        "position": null,
        "message": "the checkpoint of the log's first 9 events does not verify: the note was altered",
    });
    std::fs::write(&mark, found.to_string() + "\n").unwrap();
    let verified = crate::support::flexledger(dir.path(), &["verify"], None);
    let stderr = String::from_utf8_lossy(&verified.stderr);
    // Damage, as far as anyone knows: the store still takes no writes (an auditor's
    // probe read exit 0 as healthy, then `"ok":true` beside exit 2 as a good log).
    assert_eq!(verified.status.code(), Some(1), "{stderr}");
    let said: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(said["ok"], false, "{said}");
    assert_eq!(said["finding"], "damaged", "{said}");
    let message = said["message"].as_str().unwrap();
    assert!(
        message.contains("stays marked damaged")
            && message.contains("the note was altered")
            && message.contains("only `flexledger-audit verify` removes the mark"),
        "{message}"
    );
    assert!(
        stderr.contains("stays: flexledger-audit verify left it"),
        "{stderr}"
    );
    assert!(mark.exists(), "the audit tool's mark stays");
    // Nor 0 from the verify that accepts a head: it too leaves that mark, and says the
    // store damaged as `verify` does.
    let accepted = crate::support::flexledger(dir.path(), &["verify", "--accept-head"], None);
    let stderr = String::from_utf8_lossy(&accepted.stderr);
    assert_eq!(accepted.status.code(), Some(1), "{stderr}");
    assert!(mark.exists(), "the audit tool's mark stays");
    let refused = crate::support::flexledger(dir.path(), &["submit", "-"], Some(b""));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("then run `flexledger-audit verify`"),
        "{stderr}"
    );
    let verified = audit(dir.path(), &["verify"]);
    let stderr = String::from_utf8_lossy(&verified.stderr);
    assert_eq!(verified.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("is removed, and writes resume"), "{stderr}");
    assert!(!mark.exists());
    let accepted = crate::support::flexledger(dir.path(), &["submit", "-"], Some(b""));
    assert_eq!(accepted.status.code(), Some(0), "{accepted:?}");
}

mod properties {
    use super::*;
    use crate::properties::{history, run_history, MEMBERS};
    use flexledger::audit::bundle::{export, ExportPass, Scope};
    use flexledger::audit::proofs::{checkpoint_now, walk_log};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: crate::support::proptest_cases(24), failure_persistence: None, ..ProptestConfig::default() })]

        /// For any history: every member's bundle and the whole-log bundle verify, the
        /// coverage they carry equals the store's, and dropping any one event line of a
        /// member's bundle makes it invalid.
        #[test]
        fn any_history_exports_bundles_that_verify_and_break_when_an_event_is_dropped(intents in history(), drop_seed in any::<usize>()) {
            let run = run_history(&intents);
            let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
            let tree = walk_log(run.ledger.store(), None, &mut |_| Ok(()), &mut |_| {}).unwrap();
            let store = run.ledger.store();
            let checkpoint_time = chrono::DateTime::parse_from_rfc3339("2026-01-10T08:00:00Z").unwrap().with_timezone(&chrono::Utc);
            // The checkpoint is kept in a scratch store: the run's ledger holds its own.
            let scratch = tempfile::tempdir().unwrap();
            let mut scratch_store = SledStore::open(scratch.path()).unwrap();
            let (signed, _) = checkpoint_now(&mut scratch_store, &tree, &key, checkpoint_time).unwrap();
            let checkpoint = signed.verify(Some(&key.verifying_key())).unwrap();
            let mut scopes = vec![Scope::All];
            for member in MEMBERS {
                let member_id: uuid::Uuid = member.parse().unwrap();
                if flexledger::ledger::read_member_row(store, member_id).unwrap().is_some() {
                    scopes.push(Scope::Member(member_id));
                }
            }
            for scope in scopes {
                let mut bytes = Vec::new();
                let mut reported = Vec::new();
                export(store, &tree, &signed, &checkpoint, &scope, &mut bytes, &mut |pass, position| reported.push((pass, position))).unwrap();
                let report = verify_bundle(&mut bytes.as_slice(), KeyTrust::Pinned(&key.verifying_key())).unwrap();
                prop_assert!(report.ok, "{:?}: {:?}", scope, report.failures);
                // Progress: each pass reports every event it writes, in log order.
                for pass in [ExportPass::Events, ExportPass::Inclusions] {
                    let positions: Vec<u64> = reported.iter().filter(|(of, _)| *of == pass).map(|(_, position)| *position).collect();
                    let expected = if pass == ExportPass::Inclusions && scope == Scope::All { 0 } else { report.events };
                    prop_assert_eq!(positions.len() as u64, expected, "{:?} {:?}", scope, pass);
                    prop_assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{:?} {:?}", scope, pass);
                }
                let text = String::from_utf8(bytes).unwrap();
                for line in text.lines() {
                    crate::schemas::assert_valid("audit_bundle_line", &serde_json::from_str(line).unwrap());
                }
                let lines: Vec<&str> = text.lines().collect();
                let events = event_lines(&lines);
                if let (Scope::Member(_), false) = (&scope, events.is_empty()) {
                    let mut dropped: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
                    dropped.remove(events[drop_seed % events.len()]);
                    let report = verify_bundle(&mut join(&dropped).as_bytes(), KeyTrust::Pinned(&key.verifying_key())).unwrap();
                    prop_assert!(!report.ok && checks(&report).contains(&"completeness"), "{:?}", report.failures);
                }
            }
        }
    }
}

/// A coverage that does not follow from the bundle's events is named with the first
/// field that differs and both values, as an edited event is named by its line and
/// position: an auditor's probe (2026-12-06) changed a balance by a cent and was told
/// only that the coverage "does not follow".
#[test]
fn a_coverage_that_does_not_follow_names_the_field_and_both_values() {
    let dir = scenario_store("decision_withdrawal_and_reenrollment");
    let key = public_key(dir.path());
    let member = &scenario_members("decision_withdrawal_and_reenrollment")[0];
    let bundle = export_member(dir.path(), member);
    let edited_with = |edit: &dyn Fn(&mut Value)| {
        let lines: Vec<String> = (bundle.lines())
            .map(|line| {
                let mut record: Value = serde_json::from_str(line).unwrap();
                if record["record"] == "coverage" {
                    edit(&mut record["coverage"]);
                }
                record.to_string()
            })
            .collect();
        let report = verify_text(&join(&lines), &key);
        let failed: Vec<(&str, String)> = (report.failures.iter())
            .map(|failure| (failure.check, failure.message.clone()))
            .collect();
        failed
    };
    let balance = edited_with(&|coverage| {
        assert_ne!(coverage["account_balance"], "1234.56");
        coverage["account_balance"] = serde_json::json!("1234.56");
    });
    assert!(
        matches!(balance.as_slice(), [("coverage", message)]
            if message.contains(": account_balance is \"1234.56\" in the bundle, \"")),
        "{balance:?}"
    );
    let status = edited_with(&|coverage| {
        assert_ne!(coverage["months"][1]["status"], "due");
        coverage["months"][1]["status"] = serde_json::json!("due");
    });
    assert!(
        matches!(status.as_slice(), [("coverage", message)]
            if message.contains(": months[1].status is \"due\" in the bundle, \"lapsed\" by its events")),
        "{status:?}"
    );
}

/// The header is not signed, so what it claims is checked against the contents: a
/// relabelled scope, a bundle emptied of events, a stripped coverage or hash, and a
/// stream from outside the scope are all refused.
#[test]
fn a_bundle_whose_contents_do_not_match_its_scope_is_refused() {
    let dir = scenario_store("decision_withdrawal_and_reenrollment");
    let key = public_key(dir.path());
    let out = dir.path().join("region.bundle");
    let output = audit(
        dir.path(),
        &["export", "--region", "demo", "--out", out.to_str().unwrap()],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bundle = std::fs::read_to_string(&out).unwrap();
    assert!(verify_text(&bundle, &key).ok);
    let lines: Vec<String> = bundle.lines().map(str::to_owned).collect();

    let relabelled =
        join(&lines).replacen("{\"region\":\"demo\"}", "{\"region\":\"elsewhere\"}", 1);
    assert!(
        checks(&verify_text(&relabelled, &key)).contains(&"scope"),
        "relabelled region"
    );

    let emptied: Vec<String> = lines
        .iter()
        .filter(|line| {
            line.contains("\"record\":\"bundle\"") || line.contains("\"record\":\"checkpoint\"")
        })
        .cloned()
        .collect();
    let report = verify_text(&join(&emptied), &key);
    assert!(
        !report.ok && checks(&report).contains(&"scope"),
        "{:?}",
        report.failures
    );

    let uncovered: Vec<String> = lines
        .iter()
        .filter(|line| !line.contains("\"record\":\"coverage\""))
        .cloned()
        .collect();
    assert!(checks(&verify_text(&join(&uncovered), &key)).contains(&"coverage"));

    let member = &scenario_members("decision_withdrawal_and_reenrollment")[0];
    let member_bundle = export_member(dir.path(), member);
    let mut stripped: Vec<String> = member_bundle.lines().map(str::to_owned).collect();
    let paid = stripped
        .iter()
        .position(|line| line.contains("ContributionPaid"))
        .unwrap();
    let mut event: Value = serde_json::from_str(&stripped[paid]).unwrap();
    event.as_object_mut().unwrap().remove("hash");
    stripped[paid] = event.to_string();
    let report = verify_text(&join(&stripped), &key);
    assert_eq!(report.failures[0].check, "edited", "{:?}", report.failures);

    // A member bundle relabelled as another member's.
    let other = "00000000-0000-4000-8000-000000000001";
    let relabelled = member_bundle.replacen(
        &format!("{{\"member\":\"{member}\"}}"),
        &format!("{{\"member\":\"{other}\"}}"),
        1,
    );
    assert_ne!(relabelled, member_bundle);
    assert!(checks(&verify_text(&relabelled, &key)).contains(&"scope"));
}

/// A member's bundle relabelled as its region's is a valid region bundle: every stream
/// it holds is complete and the region's. The verdict says what that scope proves, and
/// that it is not every member of the region (an auditor's probe read "VALID" alone as
/// the whole region).
#[test]
fn a_valid_bundle_says_what_its_scope_proves() {
    let dir = scenario_store("decision_withdrawal_and_reenrollment");
    let key = public_key(dir.path());
    let member = &scenario_members("decision_withdrawal_and_reenrollment")[0];
    let member_bundle = export_member(dir.path(), member);
    let as_region = member_bundle.replacen(
        &format!("{{\"member\":\"{member}\"}}"),
        "{\"region\":\"demo\"}",
        1,
    );
    assert_ne!(as_region, member_bundle);
    let said = |bundle: &str| {
        let file = dir.path().join("relabelled.bundle");
        std::fs::write(&file, bundle).unwrap();
        let args = [
            "verify-bundle",
            file.to_str().unwrap(),
            "--public-key",
            &key,
        ];
        let output = audit(dir.path(), &args);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let region = said(&as_region);
    assert!(
        region.contains("scope: region demo: every stream it holds is complete")
            && region.contains("it does not prove that it holds every member of the region"),
        "{region}"
    );
    let own = said(&member_bundle);
    assert!(own.contains(&format!("scope: member {member}: ")), "{own}");
}

/// The domain's facts behind an explanation, read as `explain` reads them.
pub(crate) fn facts_of(store: &dyn EventStore, member: &str, month: &str) -> MonthWhy {
    let history = MemberHistory::load(store, member.parse().unwrap(), Cut::Everything)
        .unwrap()
        .unwrap();
    flexledger::audit::explain::month_facts(&history, Month::parse(month).unwrap())
        .unwrap()
        .unwrap()
        .0
}

/// Explanations that once said something false (found in review), as the facts they
/// rest on (the words are pinned by `tests/expect/stopped_deduction_*`): the grace of
/// an automatic withdrawal is that of the month whose close caused it (R10); a month
/// paid before a price change keeps the due it was paid at (R4); a stopped deduction
/// is named where it blocks payment (R8).
#[test]
fn explain_facts_name_the_closing_months_grace_the_paid_due_and_a_stopped_deduction() {
    let member = crate::expect::STOPPED_MEMBER;
    let dir = tempfile::tempdir().unwrap();
    let ledger = crate::expect::ledger_of(
        &crate::expect::stopped_deduction_commands(false),
        dir.path(),
    );
    let paid = facts_of(ledger.store(), member, "2025-02");
    let due = paid.due.expect("an enrolled month has a due");
    assert_eq!(
        (due.due.to_string(), due.priced_now.to_string()),
        ("600.00".to_owned(), "720.00".to_owned())
    );
    assert!(!paid.deduction_stopped, "a paid month is not blocked");

    let arrears = facts_of(ledger.store(), member, "2025-03");
    assert_eq!(arrears.line.status, MonthStatus::Arrears);
    assert!(arrears.deduction_stopped);
    assert!(arrears.rules.contains(&RuleId::R8), "{:?}", arrears.rules);

    let dir = tempfile::tempdir().unwrap();
    let ledger =
        crate::expect::ledger_of(&crate::expect::stopped_deduction_commands(true), dir.path());
    let lapsed = facts_of(ledger.store(), member, "2025-03");
    assert_eq!(lapsed.line.rule, RuleId::R11);
    let StatusWhy::Lapsed(lapse) = &lapsed.status else {
        panic!("2025-03 lapsed: {lapsed:?}");
    };
    assert_eq!(
        (
            lapse.reason,
            lapse.closed,
            lapse.lapsed_months,
            lapse.grace_months
        ),
        (
            Some(WithdrawalReason::ArrearsExceededGrace),
            Month::parse("2025-04"),
            2,
            1
        )
    );
}

/// A region with policies and no members exports (its stream is the bundle); a
/// member the ledger does not know is a JSON refusal under --json, and no file is left.
#[test]
fn export_needs_the_scope_to_exist_not_to_have_members() {
    let dir = tempfile::tempdir().unwrap();
    let policy = read_json(&repo_path("tests/scenarios/paying_in_order.json"))["steps"][0]
        ["command"]
        .clone();
    assert_eq!(policy["command"], "publish_policy");
    flexledger(
        dir.path(),
        &["submit", "-"],
        Some(format!("{policy}\n").as_bytes()),
    );
    let key = public_key(dir.path());
    let out = dir.path().join("region.bundle");
    let region = policy["region"].as_str().unwrap();
    let output = audit(
        dir.path(),
        &["export", "--region", region, "--out", out.to_str().unwrap()],
    );
    assert!(
        output.status.success(),
        "{}{}",
        text(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = verify_text(&std::fs::read_to_string(&out).unwrap(), &key);
    assert!(report.ok && report.events == 1, "{:?}", report.failures);

    let missing = dir.path().join("nobody.bundle");
    let unknown = audit(
        dir.path(),
        &[
            "--json",
            "export",
            "--member",
            "00000000-0000-4000-8000-000000000009",
            "--out",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(json(&unknown)["error"]["code"], "nothing_to_export");
    assert!(!missing.exists());
}

/// `--json explain` of a scenario member's month, and the domain's facts behind it
/// (the words are pinned by the expect files).
fn explain_of(scenario: &str, member: &str, month: &str) -> (Value, MonthWhy) {
    let dir = scenario_store(scenario);
    let as_json = json(&audit(
        dir.path(),
        &["--json", "explain", "--member", member, "--month", month],
    ));
    let store = SledStore::open(dir.path()).unwrap();
    (as_json, facts_of(&store, member, month))
}

fn rule_ids(explained: &Value) -> Vec<&str> {
    explained["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect()
}

fn event_types(explained: &Value) -> Vec<&str> {
    explained["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect()
}

const MEMBER_A: &str = "c2432f3f-f493-5466-a97b-8cf3d6d9aeef";
const MEMBER_B: &str = "1dedd014-aa5c-5a04-af84-1dcfae1b0a4d";

/// R12 v2: a month paid ahead and refunded by the withdrawal is explained by R12's new
/// wording, with the refund event, the amount and the withdrawal that refunded it.
#[test]
fn explain_of_a_refunded_month_cites_r12_and_the_refund() {
    let (explained, why) = explain_of("refund_on_withdrawal", MEMBER_A, "2025-06");
    assert_eq!(explained["status"], "not_enrolled");
    assert_eq!(explained["refunded"], "600.00");
    assert_eq!(rule_ids(&explained)[0], "R12");
    assert!(explained["rules"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Months paid beyond L (paid ahead) are refunded"));
    let types = event_types(&explained);
    for expected in [
        "ContributionPaid",
        "MemberWithdrawn",
        "ContributionRefunded",
    ] {
        assert!(types.contains(&expected), "{expected} in {types:?}");
    }
    let refund = why.refund.expect("the month was refunded");
    assert_eq!(refund.refunded.to_string(), "600.00");
    let withdrawal = refund
        .last_withdrawal()
        .cloned()
        .expect("a withdrawal refunded it");
    assert_eq!(
        (withdrawal.reason, Some(withdrawal.effective_from)),
        (WithdrawalReason::Voluntary, Month::parse("2025-05"))
    );
}

/// R12: a refunded month names the withdrawal recorded with its refund, even after the
/// member re-enrolled and withdrew again (a later withdrawal, effective before the
/// month, that refunded nothing); the explanation cites that withdrawal too.
#[test]
fn explain_of_a_refunded_month_names_the_withdrawal_that_refunded_it_not_a_later_one() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let commands = [
        serde_json::json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]}),
        serde_json::json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
        serde_json::json!({"command":"pay","member_id":member,"months":["2025-01","2025-02","2025-03","2025-04","2025-05","2025-06"],"amount":"3600.00","paid_on":"2025-01-10"}),
        serde_json::json!({"command":"withdraw","member_id":member,"reason":"voluntary"}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-01"}),
        serde_json::json!({"command":"reenroll","member_id":member,"month":"2025-02","base_ratio":"0.60"}),
        serde_json::json!({"command":"pay","member_id":member,"months":["2025-02"],"amount":"600.00","paid_on":"2025-02-10"}),
        serde_json::json!({"command":"withdraw","member_id":member,"reason":"relocated"}),
    ];
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let args = [
        "--json", "explain", "--member", member, "--month", "2025-04",
    ];
    let explained = json(&audit(dir.path(), &args));
    assert_eq!(explained["refunded"], "600.00");
    let reasons = explained["reasons"].to_string();
    assert!(
        reasons.contains("The withdrawal (voluntary) took effect from 2025-02"),
        "the voluntary withdrawal refunded it, not the later relocation: {reasons}"
    );
    let first_withdrawal = explained["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["position"] == 4)
        .unwrap_or_else(|| panic!("the refunding withdrawal is cited: {explained}"));
    assert_eq!(first_withdrawal["type"], "MemberWithdrawn");
    assert!(
        first_withdrawal["role"]
            .as_str()
            .unwrap()
            .contains("the enrollment period in which this month was paid ahead"),
        "{first_withdrawal}"
    );
    let store = SledStore::open(dir.path()).unwrap();
    let withdrawal = facts_of(&store, member, "2025-04")
        .refund
        .and_then(|refund| refund.last_withdrawal().cloned())
        .expect("a withdrawal refunded it");
    assert_eq!(withdrawal.reason, WithdrawalReason::Voluntary);
}

/// The subsidy facts of a month: what it accrued (or why not) and whether it was paid.
fn subsidy_accrual(why: &MonthWhy) -> (Result<String, NotAccrued>, bool) {
    match &why.subsidy {
        Some(SubsidyWhy::Granted {
            accrual, paid_out, ..
        }) => (accrual.map(|amount| amount.to_string()), *paid_out),
        other => panic!("{} is granted: {other:?}", why.line.month),
    }
}

/// A withdrawal that decided a month is among the events that decided it, with its
/// position, type, reason and rule, in `--json` and in both languages' text: here a
/// waiting month of a period withdrawn before its benefit start (the withdrawal took
/// effect after the month, so it was left out), and a waiting month of the next
/// period, a re-enrollment because of that withdrawal (R13: continuity from zero; R7:
/// the benefit start decided anew), which cited only the re-enrollment.
#[test]
fn explain_cites_the_withdrawal_that_decided_the_month() {
    let scenario = "decision_withdrawal_and_reenrollment";
    let member = "5d1c8a3e-7b2f-4c1a-9e0d-3f6a2b8c4d71";
    let dir = scenario_store(scenario);
    let cases = [
        ("2025-01", "ends the enrollment from 2025-02 (R12)", "自 2025-02 起停保，参保期结束（R12）"),
        (
            "2025-04",
            "ended the previous enrollment period from 2025-02 (R12), so this period is a re-enrollment: its \
             continuous months count from zero and its benefit start is decided anew (R13, R7)",
            "自 2025-02 起停保，上一参保期结束（R12）；本参保期因此是重新参保：连续缴费月数从零起算，待遇起始月重新确定（R13、R7）",
        ),
    ];
    for (month, role, role_zh) in cases {
        let args = ["explain", "--member", member, "--month", month];
        let explained = json(&audit(dir.path(), &[&["--json"][..], &args].concat()));
        assert_eq!(explained["status"], "waiting", "{month}");
        let withdrawals: Vec<&Value> = explained["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| event["type"] == "MemberWithdrawn")
            .collect();
        assert_eq!(withdrawals.len(), 1, "{month}: {explained}");
        assert_eq!(withdrawals[0]["position"], 8, "{month}");
        assert_eq!(withdrawals[0]["role"], role, "{month}");
        let summary = withdrawals[0]["summary"].as_str().unwrap();
        assert!(
            summary.starts_with("R12 withdrawn (relocated) from 2025-02"),
            "{month}: {summary}"
        );
        let english = text(&audit(dir.path(), &args));
        assert!(
            english.contains("position      8  MemberWithdrawn      R12 withdrawn (relocated)"),
            "{month}: {english}"
        );
        assert!(english.contains(&format!("→ {role}")), "{month}: {english}");
        let chinese = text(&audit(
            dir.path(),
            &[&["--lang", "zh-CN"][..], &args].concat(),
        ));
        assert!(
            chinese.contains(
                "位置      8  停保                 R12 自 2025-02 起停保（迁出统筹地区）"
            ),
            "{month}: {chinese}"
        );
        assert!(
            chinese.contains(&format!("→ {role_zh}")),
            "{month}: {chinese}"
        );
    }
    // The reason names the withdrawal that ended the waiting month's period.
    let args = [
        "--json", "explain", "--member", member, "--month", "2025-01",
    ];
    let explained = json(&audit(dir.path(), &args));
    let reasons = explained["reasons"].to_string();
    assert!(
        reasons.contains("the member was withdrawn from 2025-02 (position 8) (relocated, R12)"),
        "{reasons}"
    );
}

/// R16 (S9): an accrued month says what it accrued and whether it was paid out; a
/// granted month not closed yet says why it has not accrued.
#[test]
fn explain_of_a_subsidised_month_cites_r16_and_s9() {
    let (paid_out, why) = explain_of("subsidy_grant_accrue_pay", MEMBER_A, "2025-01");
    assert_eq!(paid_out["subsidy"], "400.02");
    assert_eq!(paid_out["subsidy_paid"], true);
    let ids = rule_ids(&paid_out);
    assert!(ids.contains(&"R16"), "{ids:?}");
    let r16 = paid_out["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["id"] == "R16")
        .unwrap();
    assert_eq!(r16["sources"][0]["id"], "S9");
    assert_eq!(subsidy_accrual(&why), (Ok("400.02".to_owned()), true));
    let types = event_types(&paid_out);
    for expected in ["SubsidyGranted", "MonthClosed", "SubsidyPaid"] {
        assert!(types.contains(&expected), "{expected} in {types:?}");
    }
    let (_, owed) = explain_of("subsidy_grant_accrue_pay", MEMBER_A, "2025-02");
    assert_eq!(subsidy_accrual(&owed), (Ok("400.02".to_owned()), false));
    let (open, why) = explain_of("subsidy_grant_accrue_pay", MEMBER_A, "2025-03");
    assert_eq!(open["subsidy"], "0.00");
    assert!(rule_ids(&open).contains(&"R16"));
    assert_eq!(subsidy_accrual(&why), (Err(NotAccrued::NotClosed), false));
    let (_, arrears) = explain_of("subsidy_grant_accrue_pay", MEMBER_B, "2025-02");
    assert_eq!(subsidy_accrual(&arrears), (Err(NotAccrued::Unpaid), false));
}

/// R17 (S10): a paid month with a personal-account part shows the split.
#[test]
fn explain_of_a_month_with_an_account_part_cites_r17_and_s10() {
    let (explained, why) = explain_of("personal_account_split", MEMBER_A, "2025-02");
    assert_eq!(explained["to_account"], "120.00");
    let r17 = explained["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["id"] == "R17")
        .expect("R17 is cited");
    assert_eq!(r17["sources"][0]["id"], "S10");
    let account = why.account.expect("the month has an account part");
    let (_, _, rate) = account.formula.expect("today's policy gives the part");
    assert_eq!(
        (
            account.to_account.to_string(),
            account.pooled.to_string(),
            rate.to_string()
        ),
        ("120.00".to_owned(), "480.00".to_owned(), "0.02".to_owned())
    );
    let (_, ahead) = explain_of("personal_account_split", MEMBER_A, "2025-04");
    let account = ahead.account.expect("paid ahead, with an account part");
    assert!(
        ahead.line.month > account.open_month,
        "credited once it arrives"
    );
}

/// R7: how a paid month's period got its benefit start.
fn benefit_start(why: &MonthWhy) -> flexledger::domain::why::BenefitStartWhy {
    match &why.status {
        StatusWhy::Waiting { how: Some(how), .. } | StatusWhy::Covered { how: Some(how), .. } => {
            how.clone()
        }
        other => panic!("{} is paid: {other:?}", why.line.month),
    }
}

/// R7 v2: the benefit start is derived (P, qualified, the gap against P-reset).
#[test]
fn explain_says_why_a_period_serves_the_first_or_the_reenrollment_delay() {
    let month = |text| Month::parse(text).unwrap();
    let (long_gap, why) = explain_of("long_gap_serves_first_wait", MEMBER_A, "2025-10");
    assert_eq!(long_gap["status"], "waiting");
    let how = benefit_start(&why);
    assert_eq!(
        (how.p, how.delay, how.delay_months, how.benefit_start),
        (
            month("2025-09"),
            DelayWhy::GapBeyondReset {
                last_paid: month("2025-04"),
                gap_months: 4,
                reset: 3
            },
            3,
            Some(month("2025-12"))
        )
    );
    let s7 = long_gap["rules"][0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|source| source["id"] == "S7");
    assert!(
        s7,
        "R7 cites S7 (interrupted payment): {}",
        long_gap["rules"][0]
    );
    let (_, short_gap) = explain_of("long_gap_serves_first_wait", MEMBER_B, "2025-06");
    let how = benefit_start(&short_gap);
    assert!(
        matches!(how.delay, DelayWhy::GapWithinReset { reset: 3, .. }),
        "{how:?}"
    );
    assert_eq!(
        (how.delay_months, how.benefit_start),
        (1, Some(month("2025-07")))
    );
    let (_, first) = explain_of("first_enrollment_waiting", MEMBER_0B53, "2025-01");
    assert_eq!(benefit_start(&first).delay, DelayWhy::FirstEnrollment);
}

const MEMBER_0B53: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

/// v2 replay: the refund is listed with the months it changed, and an accrual shows at
/// the month close that caused it (a region event, no member event). The table's and
/// the summaries' words are pinned by the expect files.
#[test]
fn replay_lists_refunds_and_the_accruals_of_a_close() {
    let dir = scenario_store("refund_on_withdrawal");
    let lines = stdout_lines(&audit(
        dir.path(),
        &["--json", "replay", "--member", MEMBER_A],
    ));
    let refund = lines
        .iter()
        .find(|line| line["type"] == "ContributionRefunded")
        .expect("the refund is replayed");
    let refunded: Vec<(&str, &str)> = refund["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            (
                change["month"].as_str().unwrap(),
                change["refunded"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refunded,
        [
            ("2025-05", "600.00"),
            ("2025-06", "600.00"),
            ("2025-07", "600.00"),
            ("2025-08", "600.00"),
            ("2025-09", "600.00")
        ]
    );
    let withdrawn = lines
        .iter()
        .find(|line| line["type"] == "MemberWithdrawn")
        .unwrap();
    assert_eq!(withdrawn["changes"].as_array().unwrap().len(), 5);
    assert_eq!(withdrawn["after"]["qualified"], true);

    let dir = scenario_store("subsidy_grant_accrue_pay");
    let lines = stdout_lines(&audit(
        dir.path(),
        &["--json", "replay", "--member", MEMBER_A],
    ));
    let january_close = lines
        .iter()
        .find(|line| {
            line["type"] == "MonthClosed"
                && line["summary"]
                    .as_str()
                    .unwrap()
                    .contains("R9 2025-01 closed")
        })
        .unwrap();
    let accrued = &january_close["changes"][0];
    assert_eq!(
        (
            &accrued["month"],
            &accrued["subsidy"],
            &accrued["new_status"]
        ),
        (
            &json_str("2025-01"),
            &json_str("400.02"),
            &json_str("waiting")
        )
    );
    assert_eq!(january_close["after"]["subsidy"]["owed"], "400.02");
    let paid_out = lines
        .iter()
        .find(|line| line["type"] == "SubsidyPaid")
        .unwrap();
    assert_eq!(paid_out["changes"][0]["subsidy_paid"], true);
    assert_eq!(paid_out["after"]["subsidy"]["owed"], "0.00");
    let types: Vec<&str> = lines
        .iter()
        .map(|line| line["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"SubsidyGranted"), "{types:?}");

    let dir = scenario_store("personal_account_split");
    let last = stdout_lines(&audit(
        dir.path(),
        &["--json", "replay", "--member", MEMBER_A],
    ))
    .pop()
    .unwrap();
    assert_eq!(last["after"]["account_balance"], "360.00");
}

fn json_str(text: &str) -> Value {
    Value::from(text)
}

/// R12, R6: a month paid ahead, refunded with a withdrawal, then paid again after a
/// re-enrollment into it is paid by the second payment: the reason names that one,
/// and the first is cited as refunded, not as paying the month.
#[test]
fn explain_of_a_month_paid_again_after_its_refund_names_the_payment_that_pays_it() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let months: Vec<String> = (1..=12).map(|month| format!("2025-{month:02}")).collect();
    let mut commands = vec![
        serde_json::json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]}),
        serde_json::json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
        serde_json::json!({"command":"pay","member_id":member,"months":months,"amount":"7200.00","paid_on":"2025-01-10"}),
    ];
    let close =
        |month: &str| serde_json::json!({"command":"close_month","region":"demo","month":month});
    commands.extend(months[..6].iter().map(|month| close(month)));
    commands
        .push(serde_json::json!({"command":"withdraw","member_id":member,"reason":"voluntary"}));
    commands.extend(months[6..10].iter().map(|month| close(month)));
    commands.push(serde_json::json!({"command":"reenroll","member_id":member,"month":"2025-11","base_ratio":"0.60"}));
    commands.push(serde_json::json!({"command":"pay","member_id":member,"months":["2025-11"],"amount":"600.00","paid_on":"2025-11-02"}));
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let args = [
        "--json", "explain", "--member", member, "--month", "2025-11",
    ];
    let explained = json(&audit(dir.path(), &args));
    let events = explained["events"].as_array().unwrap();
    let position_of = |event_type: &str| {
        events
            .iter()
            .filter(|event| event["type"] == event_type)
            .map(|event| event["position"].as_u64().unwrap())
            .collect::<Vec<u64>>()
    };
    let payments = position_of("ContributionPaid");
    assert_eq!(payments.len(), 2, "{explained}");
    let (refunded, paying) = (payments[0], payments[1]);
    let reasons = explained["reasons"].to_string();
    assert!(
        reasons.contains(&format!("(position {paying})")),
        "the month is paid by the payment after the re-enrollment: {reasons}"
    );
    assert!(
        !reasons.contains(&format!("(position {refunded})")),
        "not by the refunded one: {reasons}"
    );
    let first = events
        .iter()
        .find(|event| event["position"] == refunded)
        .unwrap();
    assert!(
        first["role"].as_str().unwrap().contains("refunded later"),
        "{first}"
    );
}

/// D6: a base change from an earlier month recorded after one from a later month
/// replaces it, so the later-month change no longer sets any month's ratio and is not
/// cited as setting it; the change that does is.
#[test]
fn explain_cites_only_the_base_change_that_sets_the_month_s_ratio() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let months: Vec<String> = (1..=10).map(|month| format!("2025-{month:02}")).collect();
    let commands = [
        serde_json::json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]}),
        serde_json::json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
        serde_json::json!({"command":"change_base","member_id":member,"from_month":"2025-09","base_ratio":"1.00"}),
        serde_json::json!({"command":"change_base","member_id":member,"from_month":"2025-07","base_ratio":"0.80"}),
        serde_json::json!({"command":"pay","member_id":member,"months":months,"amount":"6800.00","paid_on":"2025-01-02"}),
    ];
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let cited = |month: &str| -> Vec<u64> {
        let args = ["--json", "explain", "--member", member, "--month", month];
        let explained = json(&audit(dir.path(), &args));
        explained["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| event["type"] == "BaseChanged")
            .map(|event| event["position"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        cited("2025-10"),
        vec![4],
        "the 0.80 change from 2025-07 sets October"
    );
    assert_eq!(cited("2025-07"), vec![4]);
    assert_eq!(
        cited("2025-06"),
        Vec::<u64>::new(),
        "the enrollment's 0.60 sets June"
    );
}

/// D18, R12: a withdrawal and the refund recorded with it are one command's events; a
/// cut between them (`--as-of` the withdrawal's position) takes the refund too, so no
/// month is shown neither paid nor refunded, in `member --as-of` and in `replay`.
#[test]
fn a_cut_inside_a_command_s_events_takes_all_of_them() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let months: Vec<String> = (1..=12).map(|month| format!("2025-{month:02}")).collect();
    let commands = [
        serde_json::json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]}),
        serde_json::json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
        serde_json::json!({"command":"pay","member_id":member,"months":months,"amount":"7200.00","paid_on":"2025-01-10"}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-01"}),
        serde_json::json!({"command":"withdraw","member_id":member,"reason":"voluntary"}),
    ];
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let output = crate::support::flexledger(dir.path(), &["member", member, "--as-of", "5"], None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let coverage: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = coverage["months"].as_array().unwrap();
    let march = lines
        .iter()
        .find(|line| line["month"] == "2025-03")
        .unwrap();
    assert_eq!(march["refunded"], "600.00", "{march}");
    assert_eq!(march["status"], "not_enrolled", "{march}");
    assert_eq!(coverage["paid_through"], "2025-02", "{coverage}");
    let replay = audit(
        dir.path(),
        &["--json", "replay", "--member", member, "--as-of", "5"],
    );
    let replayed = String::from_utf8(replay.stdout).unwrap();
    assert!(
        replayed.contains("\"type\":\"ContributionRefunded\""),
        "the refund recorded with the withdrawal is part of the cut: {replayed}"
    );
}

/// A file that is not a bundle (a command file) is said to be that once, not read on
/// as a bundle whose every line was altered ("the event carries no hash" 198 times).
#[test]
fn a_file_that_is_not_a_bundle_is_said_to_be_one_not_a_tampered_bundle() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
    let key = flexledger::audit::checkpoint::hex(key.as_bytes());
    let commands = [
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-01"}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-02"}),
    ];
    let text: String = commands
        .iter()
        .map(|command| format!("{command}\n"))
        .collect();
    let report = verify_text(&text, &key);
    assert!(!report.ok);
    assert!(
        report
            .failures
            .iter()
            .any(|failure| failure.message.contains("not a flexledger audit bundle")),
        "{:?}",
        report.failures
    );
    assert!(
        !checks(&report).contains(&"edited"),
        "{:?}",
        report.failures
    );
}

/// A bundle whose header line was removed is said to lack it, once: without the header
/// its scope and version are unknown, so its events are not accused of having no proof
/// nor its command digests of being moved (an auditor's probe read a failure for every
/// line). An event edited in it is still found by its own hash.
#[test]
fn a_bundle_without_its_header_is_said_to_lack_it_and_its_edits_are_still_found() {
    let dir = scenario_store("automatic_withdrawal");
    let key = public_key(dir.path());
    let member = &scenario_members("automatic_withdrawal")[0];
    for bundle in [export_member(dir.path(), member), export_all(dir.path())] {
        let owned: Vec<String> = bundle.lines().skip(1).map(str::to_owned).collect();
        let report = verify_text(&join(&owned), &key);
        let messages: Vec<&str> = report
            .failures
            .iter()
            .map(|failure| failure.message.as_str())
            .collect();
        assert!(!report.ok);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("no bundle header line")
                && messages[0].contains("its first line was removed"),
            "{messages:?}"
        );
        let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
        let first = event_lines(&lines)[0];
        let mut edited = owned.clone();
        edited[first] = edited[first].replacen("\"version\":1", "\"version\":7", 1);
        let report = verify_text(&join(&edited), &key);
        assert_eq!(
            checks(&report),
            ["edited", "format"],
            "{:?}",
            report.failures
        );
    }
}

#[cfg(unix)]
#[test]
fn a_signing_key_others_can_read_is_used_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scenario_store("paying_in_order");
    let key_file = dir.path().join(flexledger::audit::keys::SIGNING_KEY_FILE);
    let warning = "can be read by users other than its owner";
    let signed = audit(dir.path(), &["checkpoint"]);
    let said = String::from_utf8_lossy(&signed.stderr);
    assert!(signed.status.success(), "{said}");
    assert!(!said.contains(warning), "the key is made 0600: {said}");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let signed = audit(dir.path(), &["checkpoint"]);
    let said = String::from_utf8_lossy(&signed.stderr);
    // A warning, not a refusal: the ledger goes on signing.
    assert!(signed.status.success(), "{said}");
    assert!(
        said.contains(warning) && said.contains("chmod 600"),
        "{said}"
    );
}

/// Every row of `replay` shows the member as `flexledger member --as-of` that row's
/// position does (D64): a `MonthClosed` row with the consequences it implies. The
/// arrears column stayed empty on the row where the month turned `arrears`, and the
/// missed month beyond the grace showed four months in arrears and still enrolled.
#[test]
fn every_replay_row_shows_the_member_as_of_its_position() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    for scenario in ["automatic_withdrawal", "backpay_within_grace"] {
        let dir = scenario_store(scenario);
        replay_rows_match_member_as_of(dir.path(), member, scenario);
    }
}

/// Region demo's policy from `from`: wage 10000.00, rate 0.10, grace 3, the first
/// wait `delay_first` months, back-paid months restored.
fn demo_policy(from: &str, delay_first: u32) -> Value {
    serde_json::json!({"command":"publish_policy","region":"demo","effective_from":from,"average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":delay_first,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
}

/// `member` enrolled in demo from 2025-01 at base ratio 0.60.
fn enroll_january(member: &str) -> Value {
    serde_json::json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"})
}

/// `member` pays 2025-01 (600.00) on time.
fn pay_january(member: &str) -> Value {
    serde_json::json!({"command":"pay","member_id":member,"months":["2025-01"],"amount":"600.00","paid_on":"2025-01-10"})
}

/// A region event recorded between a close and the chunk that records the member's
/// consequences (a policy published right after the close, as `submit` records the
/// next line before the chunk) shows them on its row too: its row showed the member
/// enrolled with no arrears between two rows in arrears, and after the close that
/// withdrew the member, months the arrears list did not hold (an auditor's probe,
/// 2026-12-05).
#[test]
fn a_region_event_between_a_close_and_its_chunk_shows_the_close_s_consequences() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let close =
        |month: &str| serde_json::json!({"command":"close_month","region":"demo","month":month});
    let mut commands = vec![
        demo_policy("2025-01", 1),
        enroll_january(member),
        pay_january(member),
    ];
    commands.extend(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"].map(close));
    // The close of May withdraws the member (four months missed, R11); the policy is
    // recorded before that chunk.
    commands.push(demo_policy("2025-09", 1));
    commands.push(serde_json::json!({"command":"reenroll","member_id":member,"month":"2025-06","base_ratio":"0.60"}));
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let rows = stdout_lines(&audit(
        dir.path(),
        &["--json", "replay", "--member", member],
    ));
    let policy_row = rows
        .iter()
        .rfind(|row| row["type"] == "PolicyPublished")
        .unwrap();
    let after_close = rows
        .iter()
        .rfind(|row| row["type"] == "MonthClosed")
        .unwrap();
    assert!(
        policy_row["position"].as_u64() == after_close["position"].as_u64().map(|at| at + 1),
        "the policy comes right after the close: {after_close} {policy_row}"
    );
    assert_eq!(policy_row["after"]["state"], "withdrawn", "{policy_row}");
    assert_eq!(policy_row["changes"], serde_json::json!([]), "{policy_row}");
    replay_rows_match_member_as_of(dir.path(), member, "policy between a close and its chunk");
}

/// Checks each `replay` row of `member` against `flexledger member --as-of` its position.
fn replay_rows_match_member_as_of(dir: &Path, member: &str, scenario: &str) {
    let rows = stdout_lines(&audit(dir, &["--json", "replay", "--member", member]));
    assert!(rows.len() > 10, "{scenario}: {rows:?}");
    for row in rows.iter().filter(|row| !row["after"].is_null()) {
        let position = row["position"].to_string();
        let args = ["member", member, "--as-of", &position];
        let member_then = flexledger(dir, &args, None);
        let member_then: Value = serde_json::from_slice(&member_then.stdout).unwrap();
        let after = &row["after"];
        let what = format!("{scenario} at {position} ({})", row["type"]);
        assert_eq!(after["state"], member_then["state"], "{what}");
        assert_eq!(
            after["arrears_amount"], member_then["arrears"]["amount"],
            "{what}"
        );
        assert_eq!(
            after["arrears_months"], member_then["arrears"]["months"],
            "{what}"
        );
        assert_eq!(
            after["continuous_months"], member_then["continuous_months"],
            "{what}"
        );
    }
}

/// R9, R10: a month of the wait (R7) missed at its close and paid back within the
/// grace is `waiting`, decided by R7; its explanation also cites R9 (it was missed) and
/// R10 (it was paid back), and the events that did both, as a restored month's does.
/// Until 2026-12-05 it cited only R7, R6 and R4, so an auditor saw a back payment with
/// no rule that allows it.
#[test]
fn a_waiting_month_paid_back_is_explained_by_the_rules_that_missed_and_restored_it() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let commands = [
        demo_policy("2025-01", 6),
        enroll_january(member),
        pay_january(member),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-01"}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-02"}),
        serde_json::json!({"command":"pay","member_id":member,"months":["2025-02","2025-03"],"amount":"1200.00","paid_on":"2025-03-10"}),
    ];
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let explain = |month: &str| {
        let args = ["--json", "explain", "--member", member, "--month", month];
        json(&audit(dir.path(), &args))
    };
    let paid_back = explain("2025-02");
    assert_eq!(paid_back["status"], "waiting", "{paid_back}");
    let rules = rule_ids(&paid_back);
    assert_eq!(rules[0], "R7", "{rules:?}");
    for cited in ["R9", "R10"] {
        assert!(rules.contains(&cited), "{cited} in {rules:?}");
    }
    let types = event_types(&paid_back);
    assert!(types.contains(&"ContributionMissed"), "{types:?}");
    // A month of the wait paid on time was never missed: neither rule is cited.
    let on_time = explain("2025-01");
    let rules = rule_ids(&on_time);
    assert!(
        !rules.contains(&"R9") && !rules.contains(&"R10"),
        "{rules:?}"
    );
}

/// R16, R8: the events behind two of explain's facts are cited with them. A granted
/// month paid back after its close accrued its subsidy with the back payment, not at
/// the close (it was unpaid then), and a month blocked by a stopped deduction cites the
/// `DeductionStopped` that blocks it. An auditor's probe (2026-12-05) was told the close
/// accrued a month the close had recorded missed, and read "deduction is stopped (R8)"
/// with no event behind it.
#[test]
fn explain_cites_the_payment_a_back_paid_month_accrued_with_and_the_stopped_deduction() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let commands = [
        demo_policy("2025-01", 1),
        enroll_january(member),
        pay_january(member),
        serde_json::json!({"command":"grant_subsidy","member_id":member,"from_month":"2025-01","months":12,"share":"0.5","category":"hardship"}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-01"}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-02"}),
        serde_json::json!({"command":"pay","member_id":member,"months":["2025-02","2025-03"],"amount":"1200.00","paid_on":"2025-03-10"}),
        serde_json::json!({"command":"stop_deduction","member_id":member}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-03"}),
        serde_json::json!({"command":"close_month","region":"demo","month":"2025-04"}),
    ];
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let explain = |month: &str, language: &str| {
        let args = [
            "--lang", language, "--json", "explain", "--member", member, "--month", month,
        ];
        json(&audit(dir.path(), &args))
    };
    let role = |explained: &Value, event_type: &str| -> Vec<String> {
        explained["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| event["type"] == event_type)
            .map(|event| event["role"].as_str().unwrap().to_owned())
            .collect()
    };
    // January, paid before its close, accrued at the close.
    let on_time = explain("2025-01", "en");
    assert_eq!(on_time["subsidy"], "300.00", "{on_time}");
    assert!(
        role(&on_time, "MonthClosed")[0].contains("accrues its subsidy 300.00 at this close"),
        "{on_time}"
    );
    // February, recorded missed at its close and paid back, accrued with the payment.
    let paid_back = explain("2025-02", "en");
    assert_eq!(paid_back["subsidy"], "300.00", "{paid_back}");
    let closes = role(&paid_back, "MonthClosed");
    assert!(!closes[0].contains("accrues"), "{closes:?}");
    let pays = role(&paid_back, "ContributionPaid");
    assert!(
        pays.iter()
            .any(|role| role.contains("accrues its subsidy 300.00 with this payment (R16)")),
        "{pays:?}"
    );
    let args = [
        "--lang", "zh-CN", "explain", "--member", member, "--month", "2025-02",
    ];
    let zh = text(&audit(dir.path(), &args));
    assert!(zh.contains("随本次缴费形成社会保险补贴 300.00"), "{zh}");
    // April, missed while the deduction is stopped: the stop is cited.
    let blocked = explain("2025-04", "en");
    assert_eq!(blocked["status"], "arrears", "{blocked}");
    let stopped = role(&blocked, "DeductionStopped");
    assert!(
        stopped.len() == 1 && stopped[0].contains("(R8)"),
        "{blocked}"
    );
    // January, paid: the stop recorded later does not bear on it.
    assert!(role(&on_time, "DeductionStopped").is_empty(), "{on_time}");
}

/// D23: the rules applied include the rules of every event cited for the month:
/// R15 for the base change that sets its ratio (from the enrollment's own month too),
/// R13 for a month of a re-enrollment's period, and the withdrawal's rule (R11) for a
/// waiting month whose period it ended before the benefit start and for a waiting month
/// of the period after it (an auditor's probe and a reviewer, 2026-12-05, found each
/// cited on an event line and missing from the rules).
#[test]
fn the_rules_applied_include_the_rules_of_every_event_cited() {
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let close =
        |month: &str| serde_json::json!({"command":"close_month","region":"demo","month":month});
    let mut commands = vec![
        demo_policy("2025-01", 6),
        enroll_january(member),
        serde_json::json!({"command":"change_base","member_id":member,"from_month":"2025-01","base_ratio":"1.00"}),
        serde_json::json!({"command":"pay","member_id":member,"months":["2025-01"],"amount":"1000.00","paid_on":"2025-01-10"}),
    ];
    // February to May missed: the close of May withdraws the member from February (R11).
    commands.extend(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"].map(close));
    commands.push(serde_json::json!({"command":"reenroll","member_id":member,"month":"2025-06","base_ratio":"0.60"}));
    commands.push(serde_json::json!({"command":"pay","member_id":member,"months":["2025-06"],"amount":"600.00","paid_on":"2025-06-10"}));
    commands.push(serde_json::json!({"command":"change_base","member_id":member,"from_month":"2025-08","base_ratio":"1.00"}));
    let dir = tempfile::tempdir().unwrap();
    drop(crate::expect::ledger_of(&commands, dir.path()));
    let rules_of = |month: &str| {
        let args = ["--json", "explain", "--member", member, "--month", month];
        let explained = json(&audit(dir.path(), &args));
        let status = explained["status"].as_str().unwrap().to_owned();
        let rules: Vec<String> = rule_ids(&explained).into_iter().map(String::from).collect();
        (status, rules)
    };
    let has = |rules: &[String], id: &str| rules.iter().any(|rule| rule == id);
    let (status, rules) = rules_of("2025-01");
    assert_eq!(status, "waiting");
    assert!(has(&rules, "R11") && has(&rules, "R15"), "{rules:?}");
    assert!(!has(&rules, "R13"), "the first period: {rules:?}");
    let (status, rules) = rules_of("2025-06");
    assert_eq!(status, "waiting");
    assert!(has(&rules, "R13") && has(&rules, "R11"), "{rules:?}");
    assert!(!has(&rules, "R15"), "set by the re-enrollment: {rules:?}");
    let (_, rules) = rules_of("2025-08");
    assert!(has(&rules, "R13") && has(&rules, "R15"), "{rules:?}");
}

/// A rewrite found by a kept checkpoint is placed after the largest smaller checkpoint
/// kept beside it that the log still matches: an auditor's probe kept checkpoints of
/// 23 and 33 events, rewrote positions from 24 on, and was told "positions 1 to 33".
/// The ledger's own checkpoints narrow nothing: a log signed again matches them.
#[test]
fn a_rewrite_is_placed_after_the_largest_kept_checkpoint_it_still_matches() {
    let root = tempfile::tempdir().unwrap();
    let (original, rewritten) = (root.path().join("original"), root.path().join("rewritten"));
    let demo = std::fs::read_to_string(repo_path("examples/demo.jsonl")).unwrap();
    let lines: Vec<&str> = demo.lines().collect();
    let first: String = lines[..20].iter().map(|line| format!("{line}\n")).collect();
    let rest: String = lines[20..].iter().map(|line| format!("{line}\n")).collect();
    let submit = |dir: &Path, text: &str| {
        let output = crate::support::flexledger(dir, &["submit", "-"], Some(text.as_bytes()));
        assert!(
            output.status.code().is_some_and(|code| code <= 1),
            "{output:?}"
        );
    };
    submit(&original, &first);
    let backup = root.path().join("early.backup");
    let output = crate::support::flexledger(
        &original,
        &["backup", "--out", backup.to_str().unwrap()],
        None,
    );
    assert!(output.status.success(), "{output:?}");
    let early = json(&audit(&original, &["--json", "checkpoint"]));
    let early_size = early["checkpoint"]["tree_size"].as_u64().unwrap();
    submit(&original, &rest);
    let late = json(&audit(&original, &["--json", "checkpoint"]));
    let late_size = late["checkpoint"]["tree_size"].as_u64().unwrap();
    assert!(early_size < late_size);
    let kept = root.path().join("kept.jsonl");
    let listed = audit(&original, &["--json", "checkpoint", "--list"]);
    std::fs::write(&kept, &listed.stdout).unwrap();

    // The same early history restored, and the rest recorded again: other events.
    let key = original.join(flexledger::audit::keys::SIGNING_KEY_FILE);
    let output = crate::support::flexledger(
        &rewritten,
        &[
            "restore",
            backup.to_str().unwrap(),
            "--signing-key",
            key.to_str().unwrap(),
        ],
        None,
    );
    assert!(output.status.success(), "{output:?}");
    submit(&rewritten, &rest);
    assert!(audit(&rewritten, &["checkpoint"]).status.success());
    let found = audit(&rewritten, &["verify", "--kept", kept.to_str().unwrap()]);
    assert_eq!(found.status.code(), Some(1), "{found:?}");
    let said = text(&found);
    let narrowed = format!(
        "at one or more of positions {} to {late_size}: the checkpoint you kept at size {early_size} still matches the log",
        early_size + 1
    );
    assert!(said.contains(&narrowed), "{said}");
    // The rewritten ledger stores the early checkpoint too (its backup carried it), and
    // its log matches it: with only the late one kept, nothing narrows the rewrite.
    let late_only = root.path().join("late.jsonl");
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    std::fs::write(&late_only, format!("{}\n", listed.lines().last().unwrap())).unwrap();
    let found = audit(
        &rewritten,
        &["verify", "--kept", late_only.to_str().unwrap()],
    );
    assert_eq!(found.status.code(), Some(1), "{found:?}");
    let whole = format!("at one or more of positions 1 to {late_size}: a checkpoint commits");
    assert!(text(&found).contains(&whole), "{}", text(&found));
}

/// An empty file and a bundle cut in the middle of a line are said to be that, as
/// `restore` says it of a backup: an auditor's probe read "or its first line was
/// removed" of an empty file, and "not JSON: EOF while parsing" and the records the lost
/// end held, each said missing, of a bundle copied while it was written.
#[test]
fn an_empty_or_cut_short_bundle_is_said_to_be_one() {
    let dir = scenario_store("automatic_withdrawal");
    let key = public_key(dir.path());
    let member = &scenario_members("automatic_withdrawal")[0];
    let report = verify_text("", &key);
    assert!(!report.ok);
    let messages: Vec<&str> = report.failures.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("the file is empty (0 bytes)"),
        "{messages:?}"
    );
    let bundle = export_member(dir.path(), member);
    // Cut inside a line: not right after a newline, nor inside a character.
    let mut end = bundle.len() * 2 / 3;
    while !bundle.is_char_boundary(end) || bundle[..end].ends_with('\n') {
        end -= 1;
    }
    let cut = &bundle[..end];
    let report = verify_text(cut, &key);
    let messages: Vec<&str> = report.failures.iter().map(|f| f.message.as_str()).collect();
    assert!(!report.ok);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("the file ends in the middle of this line"),
        "{messages:?}"
    );
    let last = u64::try_from(cut.lines().count()).unwrap();
    assert_eq!(report.failures[0].line, Some(last));
}

/// A backup with one event removed (its command's digest left in place) names the
/// missing position where it is missing, in `verify-bundle` and `restore` alike, and
/// does not blame the digest before it; one cut between two lines, or with its last
/// events removed, says so once or names them.
#[test]
fn a_backup_missing_events_names_the_positions() {
    let dir = scenario_store("automatic_withdrawal");
    let key = public_key(dir.path());
    let bundle = export_all(dir.path());
    let lines: Vec<&str> = bundle.lines().collect();
    let events = event_lines(&lines);
    // An event that starts its command: its digest is the line before.
    let removed = *events[events.len() / 2..]
        .iter()
        .find(|&&index| lines[index - 1].contains("\"record\":\"command\""))
        .unwrap();
    let position = serde_json::from_str::<Value>(lines[removed]).unwrap()["position"]
        .as_u64()
        .unwrap();
    let mut kept: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    kept.remove(removed);
    let report = verify_text(&join(&kept), &key);
    let messages: Vec<&str> = report.failures.iter().map(|f| f.message.as_str()).collect();
    let missing = format!("position {position} is not in the bundle");
    assert!(messages[0].starts_with(&missing), "{messages:?}");
    assert_eq!(report.failures[0].position, Some(position + 1));
    assert!(
        !messages
            .iter()
            .any(|message| message.contains("body digest")),
        "{messages:?}"
    );
    let file = dir.path().join("removed.bundle");
    std::fs::write(&file, join(&kept)).unwrap();
    let target = tempfile::tempdir().unwrap();
    let restored = target.path().join("restored");
    let output = crate::support::flexledger(&restored, &["restore", file.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8_lossy(&output.stderr);
    let expected = format!(
        "position {} where position {position} was expected",
        position + 1
    );
    assert!(said.contains(&expected), "{said}");

    let last_event = *events.last().unwrap();
    let whole: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    let cut = join(&whole[..last_event - 1]);
    let report = verify_text(&cut, &key);
    let messages: Vec<&str> = report.failures.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("without its signed checkpoint"),
        "{messages:?}"
    );

    // A command record forged before the removed event is named all the same: a gap
    // of one position excuses one record, the one right before it (a reviewer).
    let mut forged = kept.clone();
    let forged_record = r#"{"record":"command","command_id":"11111111-1111-4111-8111-111111111111","body_digest":"0000000000000000000000000000000000000000000000000000000000000000"}"#;
    forged.insert(removed - 1, forged_record.to_owned());
    let report = verify_text(&join(&forged), &key);
    let astray: Vec<Option<u64>> = report
        .failures
        .iter()
        .filter(|failure| {
            failure
                .message
                .contains("11111111-1111-4111-8111-111111111111")
        })
        .map(|failure| failure.line)
        .collect();
    assert_eq!(
        astray,
        [Some(u64::try_from(removed).unwrap())],
        "{report:?}"
    );
    // An event repeated at the end opens no gap after it: nothing is said missing.
    let mut repeated: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    repeated.insert(last_event + 1, lines[removed].to_owned());
    let report = verify_text(&join(&repeated), &key);
    assert!(
        !report
            .failures
            .iter()
            .any(|f| f.message.contains("not in the bundle")),
        "{report:?}"
    );
    let mut tail: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    let size = events.len();
    tail.remove(last_event);
    let report = verify_text(&join(&tail), &key);
    let messages: Vec<&str> = report.failures.iter().map(|f| f.message.as_str()).collect();
    let missing = format!("position {size} is not in the bundle");
    assert!(
        messages.iter().any(|m| m.starts_with(&missing)),
        "{messages:?}"
    ); // Nor is the last command's digest blamed for the event removed after it.
    assert!(
        !messages
            .iter()
            .any(|message| message.contains("body digest")),
        "{messages:?}"
    );
}
