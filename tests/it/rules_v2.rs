//! Rules v2 beyond the scenario files: the region month report against the sum of its
//! members' projections, the feed's coverage changes for refunds and subsidies, a close
//! result's summary, bad input to the new commands, and a store written by v1.

use crate::support::*;
use flexledger::codec::wire::RegionMonthReport;
use flexledger::domain::month::Month;
use flexledger::domain::parse_command_value;
use flexledger::domain::policy::RegionName;
use flexledger::ledger::{member_coverage, region_month_report, Appended, Ledger, ReportError};
use flexledger::store::{EventLog, EventStore};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

fn policy(extra: Value) -> Value {
    let mut policy = json!({"command":"publish_policy","region":"demo","effective_from":"2025-01",
        "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60",
        "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,
        "backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]});
    for (key, value) in extra.as_object().unwrap() {
        policy[key] = value.clone();
    }
    policy
}

fn submit(ledger: &mut Ledger, sources: &mut FixedSources, commands: &[Value]) -> Vec<Value> {
    submit_appending(ledger, sources, commands).0
}

/// The results as JSON, and what the commands appended (what the feed publishes).
fn submit_appending(
    ledger: &mut Ledger,
    sources: &mut FixedSources,
    commands: &[Value],
) -> (Vec<Value>, Appended) {
    let parsed = commands
        .iter()
        .map(|command| parse_command_value(command.clone()))
        .collect();
    let submitted = ledger.submit(parsed, sources).unwrap();
    let results = submitted
        .results
        .iter()
        .map(|result| serde_json::to_value(result).unwrap())
        .collect();
    (results, submitted.appended)
}

fn member(index: usize) -> String {
    Uuid::from_u128(0x5eed_0000_0000_0000_0000_0000_0000_0000 + index as u128).to_string()
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// What the report must say for one region month, computed here from the members'
/// projections alone (RULES.md statuses, the contract's month fields).
#[derive(Debug, Default, PartialEq)]
struct Sums {
    statuses: BTreeMap<String, u64>,
    benefits: u64,
    refunded_members: u64,
    amounts: BTreeMap<&'static str, rust_decimal::Decimal>,
}

fn decimal(value: &Value) -> rust_decimal::Decimal {
    value.as_str().unwrap().parse().unwrap()
}

fn sums_from_projections(store: &dyn EventStore, members: &[String], month: &str) -> Sums {
    let mut sums = Sums::default();
    for id in members {
        let Some(coverage) = member_coverage(store, id.parse().unwrap(), None).unwrap() else {
            continue;
        };
        let coverage =
            serde_json::to_value(flexledger::codec::wire::MemberCoverage::from(&coverage)).unwrap();
        // The reports checked are region demo's; a scenario may compare another region.
        if coverage["region"] != "demo" {
            continue;
        }
        for line in coverage["months"].as_array().unwrap() {
            if line["month"] != month {
                continue;
            }
            let status = line["status"].as_str().unwrap();
            let refunded = decimal(&line["refunded"]);
            let paid = decimal(&line["paid"]);
            if status == "due" || (status == "not_enrolled" && refunded.is_zero() && paid.is_zero())
            {
                continue;
            }
            if status != "not_enrolled" {
                *sums.statuses.entry(status.to_owned()).or_default() += 1;
            }
            sums.benefits += u64::from(line["benefits"].as_bool().unwrap());
            sums.refunded_members += u64::from(!refunded.is_zero());
            let subsidy = decimal(&line["subsidy"]);
            let paid_out = if line["subsidy_paid"].as_bool().unwrap() {
                subsidy
            } else {
                rust_decimal::Decimal::ZERO
            };
            for (name, amount) in [
                ("paid", decimal(&line["paid"])),
                ("to_account", decimal(&line["to_account"])),
                ("refunded", refunded),
                ("accrued", subsidy),
                ("subsidy_paid", paid_out),
            ] {
                *sums.amounts.entry(name).or_default() += amount;
            }
        }
    }
    sums
}

fn sums_from_report(report: &Value) -> Sums {
    let mut sums = Sums::default();
    for (status, count) in report["members_by_status"].as_object().unwrap() {
        if count.as_u64().unwrap() > 0 {
            sums.statuses
                .insert(status.clone(), count.as_u64().unwrap());
        }
    }
    sums.benefits = report["members_with_benefits"].as_u64().unwrap();
    sums.refunded_members = report["members_refunded"].as_u64().unwrap();
    let contributions = &report["contributions"];
    assert_eq!(
        decimal(&contributions["paid"]),
        decimal(&contributions["pooling_fund"]) + decimal(&contributions["personal_accounts"]),
        "contributions split exactly (R17)"
    );
    let subsidies = &report["subsidies"];
    assert_eq!(
        decimal(&subsidies["accrued"]),
        decimal(&subsidies["paid"]) + decimal(&subsidies["owed"])
    );
    for (name, amount) in [
        ("paid", decimal(&contributions["paid"])),
        ("to_account", decimal(&contributions["personal_accounts"])),
        ("refunded", decimal(&report["refunded"])),
        ("accrued", decimal(&subsidies["accrued"])),
        ("subsidy_paid", decimal(&subsidies["paid"])),
    ] {
        if !amount.is_zero() {
            sums.amounts.insert(name, amount);
        }
    }
    sums
}

fn without_zero_amounts(mut sums: Sums) -> Sums {
    sums.amounts.retain(|_, amount| !amount.is_zero());
    sums
}

/// Checks every closed month of region `demo` against the members' projections.
fn check_reports(store: &dyn EventStore, members: &[String], first: &str) -> usize {
    let region = RegionName::parse("demo").unwrap();
    let mut checked = 0;
    for current in month(first).through(month("2030-12")) {
        let report = match region_month_report(store, &region, current) {
            Ok(report) => serde_json::to_value(RegionMonthReport::from(&report)).unwrap(),
            Err(ReportError::NotClosed { .. }) => break,
            Err(error) => panic!("{error}"),
        };
        crate::schemas::assert_valid("region_month_report", &report);
        let expected =
            without_zero_amounts(sums_from_projections(store, members, &current.to_string()));
        assert_eq!(
            sums_from_report(&report),
            expected,
            "region demo, {current}: {report:#}"
        );
        checked += 1;
    }
    checked
}

/// Members of a region given by the environment (`FLEXLEDGER_TEST_REGION_MEMBERS`,
/// default 1,000; set it to 10,000 or more for a region of a realistic size).
fn region_members() -> usize {
    std::env::var("FLEXLEDGER_TEST_REGION_MEMBERS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1000)
}

/// The subsidy share of a granted member (every third member is granted).
fn share_for(index: usize) -> &'static str {
    ["0.6667", "0.5", "0.3333"][(index / 3) % 3]
}

/// A region where members pay on time, ahead (and withdraw, so they are refunded),
/// miss months (arrears, back-pay, automatic withdrawal), have subsidies accrued and
/// paid, and a personal account rate.
fn busy_region(members: usize) -> Vec<Vec<Value>> {
    let mut rounds: Vec<Vec<Value>> = vec![vec![policy(json!({"account_rate":"0.02"}))]];
    let ids: Vec<String> = (0..members).map(member).collect();
    rounds.push(
        ids.iter()
            .enumerate()
            .flat_map(|(index, id)| {
                let ratio = ["0.60", "0.777", "1.00", "2.50"][index % 4];
                let mut commands = vec![json!({"command":"enroll","member_id":id,"region":"demo",
                    "month":"2025-01","base_ratio":ratio,"labor_relationship":"none"})];
                if index % 3 == 0 {
                    commands.push(
                        json!({"command":"grant_subsidy","member_id":id,"from_month":"2025-01",
                        "months":12,"share":share_for(index),"category":"hardship"}),
                    );
                }
                commands
            })
            .collect(),
    );
    let months = [
        "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
    ];
    let due = |index: usize| -> String {
        ["600.00", "777.00", "1000.00", "2500.00"][index % 4].to_owned()
    };
    for (round, open) in months.iter().enumerate() {
        let mut commands = Vec::new();
        for (index, id) in ids.iter().enumerate() {
            let paid_on = format!("{open}-15");
            match index % 7 {
                // Pays every month on time.
                0..=2 => commands.push(json!({"command":"pay","member_id":id,"months":[open],
                    "amount":due(index),"paid_on":paid_on})),
                // Pays six months ahead in January, withdraws in March: refunded.
                3 if round == 0 => {
                    let amount: rust_decimal::Decimal = due(index).parse().unwrap();
                    commands.push(json!({"command":"pay","member_id":id,"months":months,
                        "amount":(amount * rust_decimal::Decimal::from(6)).to_string(),"paid_on":paid_on}));
                }
                3 if round == 2 => {
                    commands.push(json!({"command":"withdraw","member_id":id,"reason":"relocated"}))
                }
                // Misses January and February, pays them back in March.
                4 if round == 2 => {
                    let amount: rust_decimal::Decimal = due(index).parse().unwrap();
                    commands.push(json!({"command":"pay","member_id":id,
                        "months":["2025-01","2025-02","2025-03"],
                        "amount":(amount * rust_decimal::Decimal::from(3)).to_string(),"paid_on":paid_on}));
                }
                4 if round > 2 => commands
                    .push(json!({"command":"pay","member_id":id,"months":[open],
                    "amount":due(index),"paid_on":paid_on})),
                // Never pays: withdrawn automatically at the April close (R11).
                _ => {}
            }
            // Subsidies accrued last month are paid out (R16).
            if index % 3 == 0 && index % 7 < 3 && round > 0 {
                let last = months[round - 1];
                let paid: rust_decimal::Decimal = due(index).parse().unwrap();
                let share: rust_decimal::Decimal = share_for(index).parse().unwrap();
                let subsidy = (paid * share).round_dp_with_strategy(
                    2,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                commands.push(
                    json!({"command":"pay_subsidy","member_id":id,"months":[last],
                    "amount":format!("{subsidy:.2}"),"paid_on":format!("{open}-20")}),
                );
            }
        }
        commands.push(json!({"command":"close_month","region":"demo","month":open}));
        rounds.push(commands);
    }
    rounds
}

#[test]
fn the_region_report_is_the_sum_of_its_members_projections() {
    let members = region_members();
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    for round in busy_region(members) {
        for result in submit(&mut ledger, &mut sources, &round) {
            assert_eq!(result["ok"], true, "{result}");
        }
    }
    let ids: Vec<String> = (0..members).map(member).collect();
    assert_eq!(check_reports(ledger.store(), &ids, "2025-01"), 6);
    // The maintained rows are what a rebuild computes from scratch (verify agrees).
    let report = flexledger::ledger::verify(ledger.store(), &mut |_| {}).unwrap();
    assert!(report.ok);
    // The workload reaches every kind of figure.
    let demo = RegionName::parse("demo").unwrap();
    let report = |text: &str| region_month_report(ledger.store(), &demo, month(text)).unwrap();
    let (january, april) = (report("2025-01"), report("2025-04"));
    assert!(!january.subsidies.paid.is_zero(), "{january:?}");
    assert!(!january.subsidies.owed.is_zero(), "{january:?}");
    assert!(!january.contributions.personal_accounts.is_zero());
    assert!(january.members_by_status.lapsed > 0, "{january:?}");
    assert!(january.members_by_status.waiting > 0, "{january:?}");
    assert!(
        !april.refunded.is_zero() && april.members_refunded > 0,
        "{april:?}"
    );
}

#[test]
fn every_scenario_s_reports_are_the_sums_of_its_members() {
    for path in scenario_files() {
        let scenario = read_json(&path);
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(dir.path()).unwrap();
        let steps: Vec<Value> = scenario["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["command"].clone())
            .collect();
        submit(&mut ledger, &mut FixedSources::new(), &steps);
        let mut members: Vec<String> = steps
            .iter()
            .filter_map(|command| command["member_id"].as_str().map(str::to_owned))
            .collect();
        members.sort();
        members.dedup();
        let has_demo = steps.iter().any(|command| command["region"] == "demo");
        if has_demo {
            check_reports(ledger.store(), &members, "2025-01");
        }
    }
}

#[test]
fn an_open_month_or_an_unknown_region_is_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    submit(&mut ledger, &mut FixedSources::new(), &[policy(json!({}))]);
    let demo = RegionName::parse("demo").unwrap();
    assert!(matches!(
        region_month_report(ledger.store(), &demo, month("2025-01")),
        Err(ReportError::NotClosed { .. })
    ));
    let other = RegionName::parse("other").unwrap();
    assert!(matches!(
        region_month_report(ledger.store(), &other, month("2024-12")),
        Err(ReportError::UnknownRegion(_))
    ));
}

/// A back-payment of a closed month moves that month's figures with a member's event
/// after the region's last one: the report's position is the log's head, so a reader
/// going on from it (the feed) does not count that payment a second time.
#[test]
fn a_region_report_s_position_covers_every_event_its_figures_include() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let m = member(0);
    let results = submit(
        &mut ledger,
        &mut sources,
        &[
            policy(json!({})),
            json!({"command":"enroll","member_id":m,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
            json!({"command":"close_month","region":"demo","month":"2025-01"}),
            json!({"command":"pay","member_id":m,"months":["2025-01","2025-02"],"amount":"1200.00","paid_on":"2025-02-10"}),
        ],
    );
    assert!(
        results.iter().all(|result| result["ok"] == true),
        "{results:?}"
    );
    let demo = RegionName::parse("demo").unwrap();
    let report = region_month_report(ledger.store(), &demo, month("2025-01")).unwrap();
    assert_eq!(
        report.contributions.paid.to_string(),
        "600.00",
        "{report:?}"
    );
    let paid_at = results[3]["events"][0]["position"].as_u64().unwrap();
    assert_eq!(ledger.store().head().unwrap().0, paid_at);
    assert_eq!(
        report.position, paid_at,
        "the back-payment is in the figures, so the position is at least its own"
    );
}

/// R16: a grant that overlaps another names the months both grants hold, not every
/// month it asked for (found by an auditor's probe: a 12-month grant from 2025-10 over
/// a grant of 2025-12..2026-01 said "months 2025-10..2026-09 are already granted").
#[test]
fn an_overlapping_grant_names_only_the_months_already_granted() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let m = member(0);
    let grant = |from: &str, months: u32| json!({"command":"grant_subsidy","member_id":m,"from_month":from,"months":months,"share":"0.5","category":"hardship"});
    let results = submit(
        &mut ledger,
        &mut FixedSources::new(),
        &[
            policy(json!({})),
            json!({"command":"enroll","member_id":m,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
            grant("2025-03", 2),
            grant("2025-01", 12),
        ],
    );
    let refused = &results[3]["error"];
    assert_eq!(refused["code"], "subsidy_overlap", "{results:?}");
    assert_eq!(
        refused["message"],
        "months 2025-03..2025-04 are already granted from 2025-03 (R16: grants may not overlap): start after 2025-04 or revoke that grant first"
    );
}

/// A granted month before the member's first enrolled month is refused a subsidy
/// payment because it lies outside every enrollment period (R16), not because "its
/// contribution is not paid", which an auditor's probe read as payable.
#[test]
fn a_granted_month_before_the_enrollment_accrues_nothing_and_is_said_to_be_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let m = member(0);
    let close = |month: &str| json!({"command":"close_month","region":"demo","month":month});
    let results = submit(
        &mut ledger,
        &mut FixedSources::new(),
        &[
            policy(json!({})),
            json!({"command":"enroll","member_id":m,"region":"demo","month":"2025-02","base_ratio":"0.60","labor_relationship":"none"}),
            json!({"command":"grant_subsidy","member_id":m,"from_month":"2025-01","months":3,"share":"0.5","category":"hardship"}),
            close("2025-01"),
            json!({"command":"pay","member_id":m,"months":["2025-02"],"amount":"600.00","paid_on":"2025-02-03"}),
            close("2025-02"),
            json!({"command":"pay_subsidy","member_id":m,"months":["2025-01"],"amount":"0.00","paid_on":"2025-03-01"}),
            json!({"command":"pay_subsidy","member_id":m,"months":["2025-02"],"amount":"300.00","paid_on":"2025-03-01"}),
        ],
    );
    let refused = &results[6]["error"];
    assert_eq!(refused["code"], "subsidy_not_accrued", "{results:?}");
    assert_eq!(
        refused["message"],
        "2025-01 has not accrued a subsidy: the member was not enrolled for it (a month outside every enrollment period accrues nothing) (R16: a granted month accrues once it is paid and closed); pay only accrued months"
    );
    assert_eq!(results[7]["ok"], true, "{results:?}");
}

/// CONTRACT: `version_conflict` is checked right after the member is found. A member
/// nobody enrolled is refused by the command's own check (here `not_enrolled` and
/// `never_enrolled`), whatever version it names; `enroll` compares a new member's
/// stream, at version 0; a known member's version is checked before anything else.
#[test]
fn a_version_is_compared_once_the_member_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let (known, unknown) = (member(0), member(1));
    let with_version = |mut command: Value, version: u64| {
        command["expected_version"] = json!(version);
        command
    };
    let enroll = |m: &str| json!({"command":"enroll","member_id":m,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"});
    let results = submit(
        &mut ledger,
        &mut FixedSources::new(),
        &[
            policy(json!({})),
            with_version(
                json!({"command":"grant_subsidy","member_id":unknown,"from_month":"2025-01","months":3,"share":"0.5","category":"hardship"}),
                7,
            ),
            with_version(
                json!({"command":"pay","member_id":unknown,"months":["2025-01"],"amount":"600.00","paid_on":"2025-01-03"}),
                7,
            ),
            with_version(
                json!({"command":"reenroll","member_id":unknown,"month":"2025-01","base_ratio":"0.60"}),
                7,
            ),
            with_version(enroll(&unknown), 3),
            with_version(enroll(&known), 0),
            with_version(
                json!({"command":"withdraw","member_id":known,"reason":"voluntary"}),
                5,
            ),
            with_version(
                json!({"command":"withdraw","member_id":known,"reason":"voluntary"}),
                1,
            ),
            with_version(
                json!({"command":"withdraw","member_id":known,"reason":"voluntary"}),
                9,
            ),
        ],
    );
    let codes: Vec<&str> = (results.iter())
        .map(|result| result["error"]["code"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "ok",
            "not_enrolled",
            "not_enrolled",
            "never_enrolled",
            "version_conflict",
            "ok",
            "version_conflict",
            "ok",
            "version_conflict",
        ],
        "{results:#?}"
    );
}

#[test]
fn a_close_lists_its_region_event_and_a_summary_and_repeats_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let mut commands = vec![policy(json!({"grace_months":0}))];
    for index in 0..3 {
        commands.push(
            json!({"command":"enroll","member_id":member(index),"region":"demo",
            "month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
        );
    }
    commands.push(
        json!({"command":"pay","member_id":member(0),"months":["2025-01"],
        "amount":"600.00","paid_on":"2025-01-10"}),
    );
    let close_id = "6f1c1a52-64a4-4c52-9a4e-2c6d8f7e9b01";
    let close =
        json!({"command":"close_month","region":"demo","month":"2025-01","command_id":close_id});
    commands.push(close.clone());
    commands.push(close);
    let results = submit(&mut ledger, &mut sources, &commands);
    let first = &results[5];
    assert_eq!(
        first["close"],
        json!({"members":3,"missed":2,"withdrawn":2})
    );
    let events = first["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{first}");
    assert_eq!(events[0]["type"], "MonthClosed");
    assert_eq!(results[6]["duplicate"], true);
    assert_eq!(results[6]["events"], first["events"]);
    assert_eq!(results[6]["close"], first["close"]);
    // Across an append too: the id is remembered with the command's digest.
    let again = submit(
        &mut ledger,
        &mut sources,
        &[json!({"month":"2025-01","region":"demo","command":"close_month","command_id":close_id})],
    );
    assert_eq!(again[0]["duplicate"], true, "{}", again[0]);
    assert_eq!(again[0]["close"], first["close"]);
    crate::schemas::assert_valid("command_result", first);
}

#[test]
fn refunds_accruals_and_subsidy_payments_reach_the_feed() {
    fn stored_changes_at(
        store: &impl flexledger::store::FeedRows,
        position: u64,
    ) -> Vec<flexledger::domain::coverage::CoverageChanged> {
        store
            .coverage_changes_page(position, None, 0, 100)
            .unwrap()
            .iter()
            .map(|item| flexledger::codec::rows::decode_coverage_item(item).unwrap())
            .filter(|change| change.position == position)
            .collect()
    }
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let (a, b) = (member(0), member(1));
    let mut feed = |ledger: &mut Ledger, commands: &[Value]| {
        let (results, appended) = submit_appending(ledger, &mut sources, commands);
        assert!(
            results.iter().all(|result| result["ok"] == true),
            "{results:?}"
        );
        // A close's accruals are written to the store ahead of it (D90).
        let mut changes = appended.coverage;
        for position in appended.items_ahead {
            changes.extend(stored_changes_at(ledger.store(), position));
        }
        changes
    };
    feed(
        &mut ledger,
        &[
            policy(json!({})),
            json!({"command":"enroll","member_id":a,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
            json!({"command":"enroll","member_id":b,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
            json!({"command":"grant_subsidy","member_id":a,"from_month":"2025-01","months":6,"share":"0.5","category":"other"}),
            json!({"command":"pay","member_id":a,"months":["2025-01"],"amount":"600.00","paid_on":"2025-01-10"}),
            json!({"command":"pay","member_id":b,"months":["2025-01","2025-02","2025-03"],"amount":"1800.00","paid_on":"2025-01-10"}),
        ],
    );
    // The close accrues A's January (no event of A's): A's January changes.
    let changes = feed(
        &mut ledger,
        &[json!({"command":"close_month","region":"demo","month":"2025-01"})],
    );
    let a_change = changes
        .iter()
        .find(|change| change.member_id.to_string() == a)
        .expect("an accrual is a coverage change");
    assert_eq!(a_change.months[0].subsidy.to_string(), "300.00");
    assert!(!a_change.months[0].subsidy_paid);
    // Paying it out changes the month too.
    let changes = feed(
        &mut ledger,
        &[
            json!({"command":"pay_subsidy","member_id":a,"months":["2025-01"],"amount":"300.00","paid_on":"2025-02-01"}),
        ],
    );
    assert!(changes[0].months[0].subsidy_paid);
    // B withdraws in February: March is refunded.
    let changes = feed(
        &mut ledger,
        &[json!({"command":"withdraw","member_id":b,"reason":"voluntary"})],
    );
    let march = changes[0]
        .months
        .iter()
        .find(|change| change.month.to_string() == "2025-03")
        .expect("the refunded month changed");
    assert_eq!(march.refunded.to_string(), "600.00");
    let types: Vec<String> = ledger
        .store()
        .read_log(1)
        .map(|envelope| envelope.unwrap().event.type_name().to_owned())
        .collect();
    let refunded_at = types.iter().position(|kind| kind == "ContributionRefunded");
    assert_eq!(
        refunded_at.map(|at| types[at - 1].as_str()),
        Some("MemberWithdrawn"),
        "the refund is appended right after the withdrawal: {types:?}"
    );
}

#[test]
fn bad_input_to_the_new_commands_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let a = member(0);
    submit(
        &mut ledger,
        &mut sources,
        &[
            policy(json!({})),
            json!({"command":"enroll","member_id":a,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
        ],
    );
    let head = ledger.store().head().unwrap().0;
    let grant = |field: &str, value: Value| {
        let mut command = json!({"command":"grant_subsidy","member_id":a,"from_month":"2025-01",
            "months":12,"share":"0.5","category":"hardship"});
        command[field] = value;
        command
    };
    let cases: Vec<(Value, &str)> = vec![
        (grant("share", json!("0.66670")), "invalid_command"),
        (grant("share", json!("2/3")), "invalid_command"),
        (grant("share", json!(0.5)), "invalid_command"),
        (grant("share", json!("0")), "invalid_command"),
        (grant("share", json!("-0.5")), "invalid_command"),
        (grant("share", json!("0.6668")), "subsidy_limit_exceeded"),
        (grant("share", json!("10")), "subsidy_limit_exceeded"),
        (grant("share", json!("1234")), "invalid_command"),
        (grant("months", json!(0)), "invalid_command"),
        (grant("months", json!(37)), "subsidy_limit_exceeded"),
        // A whole number is that integer, however written (schemas/README.md); a
        // fraction is not.
        (grant("months", json!(12.5)), "invalid_command"),
        (grant("months", json!("12")), "invalid_command"),
        (grant("category", json!("student")), "invalid_command"),
        (grant("from_month", json!("2025-13")), "invalid_command"),
        (grant("from_month", json!("2024-12")), "month_closed"),
        (
            json!({"command":"grant_subsidy","member_id":a,"from_month":"2025-01","months":25,"share":"0.5","category":"graduate"}),
            "subsidy_limit_exceeded",
        ),
        (
            json!({"command":"revoke_subsidy","member_id":a,"from_month":"2025-01"}),
            "no_subsidy",
        ),
        (
            json!({"command":"revoke_subsidy","member_id":a,"from_month":"2025-01","extra":1}),
            "invalid_command",
        ),
        (
            json!({"command":"pay_subsidy","member_id":a,"months":[],"amount":"0.00","paid_on":"2025-01-10"}),
            "invalid_command",
        ),
        (
            json!({"command":"pay_subsidy","member_id":a,"months":["2025-01","2025-01"],"amount":"0.00","paid_on":"2025-01-10"}),
            "invalid_command",
        ),
        (
            json!({"command":"pay_subsidy","member_id":a,"months":["2025-01"],"amount":300,"paid_on":"2025-01-10"}),
            "invalid_command",
        ),
        (
            json!({"command":"pay_subsidy","member_id":a,"months":["2025-01"],"amount":"300.00","paid_on":"2025-01-10"}),
            "subsidy_not_accrued",
        ),
        (
            json!({"command":"pay_subsidy","member_id":member(9),"months":["2025-01"],"amount":"300.00","paid_on":"2025-01-10"}),
            "not_enrolled",
        ),
        (policy(json!({"account_rate":"0.11"})), "invalid_command"),
        (policy(json!({"account_rate":0.02})), "invalid_command"),
        (
            policy(json!({"first_wait_after_gap_months":-1})),
            "invalid_command",
        ),
        (
            policy(json!({"first_wait_after_gap_months":6.5})),
            "invalid_command",
        ),
    ];
    for (command, expected) in cases {
        let result = &submit(&mut ledger, &mut sources, std::slice::from_ref(&command))[0];
        assert_eq!(result["ok"], false, "{command} was accepted");
        assert_eq!(result["error"]["code"], expected, "{command}: {result}");
        let message = result["error"]["message"].as_str().unwrap();
        assert!(
            message.len() > 20,
            "{command}: the message says what to do: {message}"
        );
        assert_eq!(ledger.store().head().unwrap().0, head, "{command} appended");
    }
}

#[test]
fn subsidy_not_accrued_says_which_month_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let a = member(0);
    let results = submit(
        &mut ledger,
        &mut sources,
        &[
            policy(json!({})),
            json!({"command":"enroll","member_id":a,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
            json!({"command":"grant_subsidy","member_id":a,"from_month":"2025-01","months":6,"share":"0.5","category":"other"}),
            json!({"command":"pay","member_id":a,"months":["2025-01","2025-02"],"amount":"1200.00","paid_on":"2025-01-10"}),
            json!({"command":"pay_subsidy","member_id":a,"months":["2025-01"],"amount":"300.00","paid_on":"2025-01-10"}),
            json!({"command":"close_month","region":"demo","month":"2025-01"}),
            json!({"command":"pay_subsidy","member_id":a,"months":["2025-01","2025-03"],"amount":"600.00","paid_on":"2025-02-10"}),
        ],
    );
    let not_closed = results[4]["error"]["message"].as_str().unwrap();
    assert!(
        not_closed.contains("2025-01") && not_closed.contains("not closed"),
        "{not_closed}"
    );
    let unpaid = results[6]["error"]["message"].as_str().unwrap();
    assert!(
        unpaid.contains("2025-03") && unpaid.contains("not paid"),
        "{unpaid}"
    );
}

/// A store written by the v1 release (`tests/golden/v1-store.tar.gz`, made by
/// `tools/make-golden-v1.sh` with the build of commit 1f698c1) opens under this build:
/// its state rows are rebuilt from the unchanged log, `verify` passes, and `member`
/// shows the v2 reading of the same events (R7, R12, R14).
#[test]
fn a_store_written_by_v1_opens_and_reads_by_the_v2_rules() {
    let dir = tempfile::tempdir().unwrap();
    let data = untar_golden("v1-store", dir.path());
    let expected = read_json(&repo_path("tests/golden/v1-store.expected.json"));
    let log_before = flexledger(&data, &["events"], None);
    assert!(log_before.status.success());
    // Reading first: the state rows are rebuilt in the v2 format.
    let verify = flexledger(&data, &["verify"], None);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert_eq!(stdout_lines(&verify)[0]["ok"], true);
    for (member_id, expected) in expected["members"].as_object().unwrap() {
        let output = flexledger(&data, &["member", member_id], None);
        let actual: Value = serde_json::from_slice(&output.stdout).unwrap();
        let differences = subset_differences(expected, &actual, member_id);
        assert!(differences.is_empty(), "{differences:?}");
    }
    // A read-only server answers every v1 member: no finished v1 close looks unfinished
    // to its check of the member's and region's rows.
    {
        let store = flexledger::store::SledStore::open(&data).unwrap();
        for member_id in expected["members"].as_object().unwrap().keys() {
            let read = flexledger::ledger::member_for_a_reader(&store, member_id.parse().unwrap())
                .unwrap();
            assert!(
                matches!(read, flexledger::ledger::ReaderMember::Found(Some(_))),
                "{member_id}"
            );
        }
    }
    // No stored event was rewritten.
    let log_after = flexledger(&data, &["events"], None);
    assert_eq!(log_before.stdout, log_after.stdout);
    // A v1 command id (no digest recorded) still answers as a duplicate, and new
    // commands append after the v1 log.
    let repeat = expected["repeat_command"].to_string();
    let output = flexledger(&data, &["submit", "-"], Some(repeat.as_bytes()));
    assert_eq!(stdout_lines(&output)[0]["duplicate"], true);
    let close =
        json!({"command":"close_month","region":"demo","month":expected["open_month"]}).to_string();
    let output = flexledger(&data, &["submit", "-"], Some(close.as_bytes()));
    assert_eq!(
        stdout_lines(&output)[0]["ok"],
        true,
        "{:?}",
        stdout_lines(&output)
    );
    let verify = flexledger(&data, &["verify"], None);
    assert_eq!(stdout_lines(&verify)[0]["ok"], true);
}

/// D26, D31: a v1 withdrawal's months paid ahead, never refunded, are money the fund
/// holds: the region report counts them (a rules probe found 5,400.00 of member B's in
/// no bureau figure), as the sum of the members' lines.
#[test]
fn a_v1_withdrawal_s_months_paid_ahead_are_in_the_region_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = untar_golden("v1-store", dir.path());
    let expected = read_json(&repo_path("tests/golden/v1-store.expected.json"));
    let members: Vec<String> = expected["members"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut ledger = Ledger::open(&data).unwrap();
    let mut sources = FixedSources::new();
    let closes: Vec<Value> = ["2025-03", "2025-04"]
        .iter()
        .map(|month| json!({"command":"close_month","region":"demo","month":month}))
        .collect();
    let results = submit(&mut ledger, &mut sources, &closes);
    assert!(
        results.iter().all(|result| result["ok"] == true),
        "{results:?}"
    );
    assert_eq!(check_reports(ledger.store(), &members, "2025-04"), 1);
    let region = RegionName::parse("demo").unwrap();
    let report = region_month_report(ledger.store(), &region, month("2025-04")).unwrap();
    let report = serde_json::to_value(RegionMonthReport::from(&report)).unwrap();
    let paid = sums_from_report(&report).amounts["paid"];
    let b = "b0000000-0000-4000-8000-00000000000b".parse().unwrap();
    let coverage = member_coverage(ledger.store(), b, None).unwrap().unwrap();
    let line = coverage
        .months
        .iter()
        .find(|line| line.month == month("2025-04"))
        .unwrap();
    assert!(!line.paid.is_zero(), "B's April is paid and not refunded");
    assert!(paid >= line.paid.decimal(), "{report:#}");
    // `paid_through` stays the last paid month of B's period (D26).
    assert_eq!(coverage.paid_through, Some(month("2025-03")));
}

#[test]
fn the_store_reopens_with_the_same_v2_state() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..50).map(member).collect();
    let before: Vec<Value> = {
        let mut ledger = Ledger::open(dir.path()).unwrap();
        let mut sources = FixedSources::new();
        for round in busy_region(50) {
            submit(&mut ledger, &mut sources, &round);
        }
        ids.iter()
            .map(|id| {
                let coverage = member_coverage(ledger.store(), id.parse().unwrap(), None).unwrap();
                serde_json::to_value(
                    coverage
                        .as_ref()
                        .map(flexledger::codec::wire::MemberCoverage::from),
                )
                .unwrap()
            })
            .collect()
    };
    let ledger = Ledger::open(dir.path()).unwrap();
    for (id, before) in ids.iter().zip(before) {
        let after = member_coverage(ledger.store(), id.parse().unwrap(), None).unwrap();
        assert_eq!(
            serde_json::to_value(
                after
                    .as_ref()
                    .map(flexledger::codec::wire::MemberCoverage::from)
            )
            .unwrap(),
            before
        );
        let folded =
            flexledger::ledger::member_coverage_folded(ledger.store(), id.parse().unwrap(), None)
                .unwrap();
        assert_eq!(
            serde_json::to_value(
                folded
                    .as_ref()
                    .map(flexledger::codec::wire::MemberCoverage::from)
            )
            .unwrap(),
            before,
            "state rows = a fresh fold"
        );
    }
    assert!(
        flexledger::ledger::verify(ledger.store(), &mut |_| {})
            .unwrap()
            .ok
    );
}

/// A close is recorded region first, then its members' consequences (contract v2); a
/// view cut between them still never shows the closed month as `due`.
#[test]
fn a_view_cut_inside_a_close_never_shows_a_closed_month_as_due() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let a = member(0);
    let results = submit(
        &mut ledger,
        &mut FixedSources::new(),
        &[
            policy(json!({})),
            json!({"command":"enroll","member_id":a,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"}),
            json!({"command":"close_month","region":"demo","month":"2025-01"}),
        ],
    );
    let closed_at = results[2]["events"][0]["position"].as_u64().unwrap();
    let types: Vec<String> = ledger
        .store()
        .read_log(closed_at)
        .map(|envelope| envelope.unwrap().event.type_name().to_owned())
        .collect();
    assert_eq!(types, ["MonthClosed", "ContributionMissed"]);
    for as_of in [closed_at, closed_at + 1] {
        let coverage = member_coverage(ledger.store(), a.parse().unwrap(), Some(as_of))
            .unwrap()
            .unwrap();
        let january = &coverage.months[0];
        assert_eq!(
            serde_json::to_value(january.status).unwrap(),
            "arrears",
            "as of {as_of}"
        );
    }
}

/// Region summaries arrived with state format 4: a store whose rows are older (the
/// golden v1 store, and a format 3 store without summary rows) gets them on open by
/// the rebuild of stale rows (D30), equal to the fold of the region's members.
#[test]
fn stores_written_before_region_summaries_get_them_on_open() {
    use flexledger::ledger::{region_summary, region_summary_folded, upgrade_stale_state_rows};
    let demo = RegionName::parse("demo").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = untar_golden("v1-store", dir.path());
    let ledger = Ledger::open(&data).unwrap();
    let kept = region_summary(ledger.store(), &demo).unwrap();
    assert_eq!(kept, region_summary_folded(ledger.store(), &demo).unwrap());
    assert!(kept.active + kept.in_arrears > 0, "{kept:?}");
    drop(ledger);

    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    for round in busy_region(20) {
        submit(&mut ledger, &mut sources, &round);
    }
    let kept = region_summary(ledger.store(), &demo).unwrap();
    assert!(kept.active > 0, "{kept:?}");
    drop(ledger);
    // As a format 3 build left it: no summary row, a checkpoint of format 3.
    let mut store = flexledger::store::SledStore::open(dir.path()).unwrap();
    let tree = store.raw_tree();
    tree.remove(b"Ademo").unwrap();
    let checkpoint = tree.get(b"K").unwrap().unwrap();
    tree.insert(b"K", [&checkpoint[..8], &3u32.to_be_bytes()[..]].concat())
        .unwrap();
    tree.flush().unwrap();
    assert!(upgrade_stale_state_rows(&mut store).unwrap(), "rebuilt");
    assert_eq!(region_summary(&store, &demo).unwrap(), kept);
    assert!(flexledger::ledger::verify(&store, &mut |_| {}).unwrap().ok);
}

/// A rebuild killed between its engine batches leaves no checkpoint row and rows that
/// are part old, part new, part gone (D30): the next command that only reads rebuilds
/// them before it answers, and the store verifies again.
#[test]
fn a_rebuild_interrupted_between_batches_is_finished_before_anything_is_read() {
    use flexledger::ledger::upgrade_stale_state_rows;
    use flexledger::store::{StateKey, StateRows};
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    for round in busy_region(20) {
        submit(&mut ledger, &mut sources, &round);
    }
    let ids = ledger.store().member_row_ids().unwrap();
    let kept = ledger
        .store()
        .read_state(&StateKey::Member(ids[0]))
        .unwrap();
    drop(ledger);
    // As a kill between `replace_state`'s batches leaves it: the checkpoint removed
    // first, one member's row not written back yet.
    let mut store = flexledger::store::SledStore::open(dir.path()).unwrap();
    let tree = store.raw_tree();
    tree.remove(b"K").unwrap();
    tree.remove([&b"M"[..], ids[0].as_bytes()].concat())
        .unwrap();
    tree.flush().unwrap();
    let damage = flexledger::ledger::verify(&store, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        damage.contains("the projection checkpoint row (none is stored"),
        "{damage}"
    );
    assert!(upgrade_stale_state_rows(&mut store).unwrap(), "rebuilt");
    assert_eq!(store.read_state(&StateKey::Member(ids[0])).unwrap(), kept);
    assert!(flexledger::ledger::verify(&store, &mut |_| {}).unwrap().ok);
    assert!(
        !upgrade_stale_state_rows(&mut store).unwrap(),
        "nothing left to do"
    );
}

/// D59 on a log an older build wrote, with more than 24 graduate months already
/// granted: a further graduate grant is refused with none left to grant, not a
/// subtraction that overflows (a panic in the writer).
#[test]
fn a_graduate_grant_after_an_old_log_s_surplus_is_refused_with_none_left() {
    use flexledger::domain::command::SubsidyCategory;
    use flexledger::domain::event::SubsidyGranted;
    use flexledger::domain::{decide, Event, LedgerState};
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let policy = json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]});
    let enroll = json!({"command":"enroll","member_id":member,"region":"demo","month":"2025-01","base_ratio":"0.60","labor_relationship":"none"});
    let mut state = LedgerState::default();
    let fold = |state: &mut LedgerState, events: Vec<Event>| {
        for event in events {
            let position = state.position + 1;
            state.apply(position, &event).unwrap();
        }
    };
    for command in [policy, enroll] {
        let events = decide(&state, &parse_command_value(command).unwrap()).unwrap();
        fold(&mut state, events);
    }
    // What an older build accepted: 24 and then 6 more graduate months.
    let grant = |from: &str, months: u32| {
        Event::SubsidyGranted(SubsidyGranted {
            member_id: member.parse().unwrap(),
            from_month: serde_json::from_value(json!(from)).unwrap(),
            months,
            share: serde_json::from_value(json!("0.5")).unwrap(),
            category: SubsidyCategory::Graduate,
        })
    };
    fold(&mut state, vec![grant("2025-01", 24), grant("2027-01", 6)]);
    let more = json!({"command":"grant_subsidy","member_id":member,"from_month":"2027-07","months":1,"share":"0.5","category":"graduate"});
    let refusal = decide(&state, &parse_command_value(more).unwrap()).unwrap_err();
    assert_eq!(refusal.code.as_str(), "subsidy_limit_exceeded");
    assert!(
        refusal
            .message
            .contains("already has 30 graduate months granted"),
        "{refusal}"
    );
    assert!(
        refusal
            .message
            .ends_with("no more months can be granted as graduate"),
        "{refusal}"
    );
    // The catalog says the same, "grant at most 0" in neither language.
    use flexledger::i18n::{refusal_message, Language};
    assert_eq!(refusal_message(Language::En, &refusal), refusal.message);
    let chinese = refusal_message(Language::ZhCn, &refusal);
    assert!(chinese.ends_with("不能再按高校毕业生给予"), "{chinese}");
}

/// A policy whose smallest due rounds to 0.00 is refused (D70): a month would be
/// covered for no contribution, and a payment of "0.00" was accepted. An auditor's
/// probe published wage 0.01 × base ratio 0.01 × rate 0.01.
#[test]
fn a_policy_whose_smallest_due_rounds_to_nothing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |wage: &str| {
        format!(
            r#"{{"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"{wage}","contribution_rate":"0.01","base_ratio_min":"0.01","base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[{{"min_continuous_months":0,"tier":"basic"}}]}}"#
        )
    };
    let input = format!("{}\n{}\n", policy("0.01"), policy("100.00"));
    let output = crate::support::flexledger(dir.path(), &["submit", "-"], Some(input.as_bytes()));
    let results = crate::support::stdout_lines(&output);
    assert_eq!(
        results[0]["error"]["code"], "invalid_command",
        "{}",
        results[0]
    );
    assert_eq!(
        results[0]["error"]["message"],
        "line 1: publish_policy: the smallest due, average_monthly_wage × base_ratio_min × contribution_rate, \
         rounds to 0.00: a month would be covered for no contribution (R2, R4); it must come to at least 0.01"
    );
    // 100.00 × 0.01 × 0.01 = 0.01: the smallest due there is.
    assert_eq!(results[1]["ok"], true, "{}", results[1]);
}

/// D87: a benefit delay of 0, first or after re-enrollment, is refused (S1: "from the
/// next month of payment"); a rules probe's policy with both at 0 covered January for a
/// member who enrolled and paid it on the 31st. Refused by the command's schema too.
/// With a delay of 1 the month paid in waits and the next is covered.
#[test]
fn a_benefit_delay_of_0_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let id = member(1);
    let zero_first = policy(json!({"benefit_delay_first": 0}));
    let zero_reenroll = policy(json!({"benefit_delay_reenroll": 0}));
    for command in [&zero_first, &zero_reenroll] {
        assert!(!crate::schemas::is_valid("command", command), "{command}");
    }
    let commands = [
        zero_first,
        zero_reenroll,
        policy(json!({"benefit_delay_first": 1})),
        json!({"command":"enroll","member_id":id,"region":"demo","month":"2025-01",
            "base_ratio":"0.60","labor_relationship":"none"}),
        json!({"command":"pay","member_id":id,"months":["2025-01","2025-02"],
            "amount":"1200.00","paid_on":"2025-01-31"}),
    ];
    let results = submit(&mut ledger, &mut sources, &commands);
    for (index, field) in [(0, "benefit_delay_first"), (1, "benefit_delay_reenroll")] {
        assert_eq!(results[index]["error"]["code"], "invalid_command");
        let message = results[index]["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("{field} must be at least 1")),
            "{message}"
        );
    }
    assert!(
        results[2..].iter().all(|result| result["ok"] == true),
        "{results:?}"
    );
    let coverage = member_coverage(ledger.store(), id.parse().unwrap(), None)
        .unwrap()
        .unwrap();
    assert_eq!(coverage.benefit_start, Some(month("2025-02")));
    assert!(!coverage.months[0].benefits, "the month paid in waits");
}

/// `"command_id": null` and `"expected_version": null` are absent, as every `null`
/// the contract allows (a subsidy office's serializer writes `null` for each optional
/// field: its commands were refused `invalid_command`), and the schemas say so.
#[test]
fn a_null_command_id_or_expected_version_is_absent() {
    let command = json!({"command":"enroll","member_id":member(1),"region":"demo",
        "month":"2025-01","base_ratio":"0.60","labor_relationship":"none",
        "command_id":null,"expected_version":null});
    assert!(crate::schemas::is_valid("command", &command), "{command}");
    let parsed = parse_command_value(command).unwrap();
    assert_eq!(parsed.command_id, None);
    assert_eq!(parsed.expected_version, None);
    // A region command has no expected_version, but its `null` is absent too, and its
    // schema says so (a review found the ledger taking what the schema refused); a
    // number is still refused.
    let mut close = json!({"command":"close_month","region":"demo","month":"2025-01",
        "command_id":null,"expected_version":null});
    assert!(crate::schemas::is_valid("command", &close), "{close}");
    assert_eq!(
        parse_command_value(close.clone()).unwrap().expected_version,
        None
    );
    close["expected_version"] = json!(3);
    assert!(!crate::schemas::is_valid("command", &close), "{close}");
    let refused = parse_command_value(close).unwrap_err();
    assert_eq!(
        refused.code,
        flexledger::domain::ErrorCode::InvalidCommand,
        "{refused:?}"
    );
    let publish = policy(json!({"expected_version": null}));
    assert!(crate::schemas::is_valid("command", &publish), "{publish}");
    assert!(parse_command_value(publish).is_ok());
}

/// A base ratio outside the band is refused citing the rule that asks it of the
/// command: R4 for an enrollment's ratio, R15 for a base change's (a rules probe was
/// pointed at R4 alone for a base change, whose rule says "within P-band" itself).
#[test]
fn a_ratio_outside_the_band_cites_the_rule_of_its_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let id = member(1);
    let enroll = |ratio: &str| {
        json!({"command":"enroll","member_id":id,"region":"demo","month":"2025-01",
            "base_ratio":ratio,"labor_relationship":"none"})
    };
    let change = json!({"command":"change_base","member_id":id,"from_month":"2025-02",
        "base_ratio":"3.50"});
    let commands = [policy(json!({})), enroll("0.50"), enroll("0.60"), change];
    let results = submit(&mut ledger, &mut sources, &commands);
    let said = |index: usize| {
        assert_eq!(results[index]["error"]["code"], "base_ratio_out_of_range");
        results[index]["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(said(1).contains("in region demo (R4):"), "{}", said(1));
    assert_eq!(results[2]["ok"], true, "{}", results[2]);
    assert!(said(3).contains("in region demo (R15):"), "{}", said(3));
}

/// A field sent as `null` is absent (the contract), so a command resent with it, or
/// without it, is the same command: a duplicate, not `command_id_reused` (a settlement
/// integrator's probe, whose serializer writes `null` for optional fields, was refused
/// for a command that had been applied). An id accepted before, whose digest kept its
/// `null` fields, still answers the same text as a duplicate; another value is another
/// command.
#[test]
fn a_field_sent_as_null_is_the_same_command_as_one_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let with_id = |extra: Value, id: &str| {
        let mut command = policy(extra);
        command["command_id"] = json!(id);
        command
    };
    let first = "7a000000-0000-4000-8000-000000000001";
    let results = submit(&mut ledger, &mut sources, &[with_id(json!({}), first)]);
    assert_eq!(results[0]["ok"], true, "{results:?}");
    // CONTRACT.md: `account_rate` absent = "0", so "0" sent is the same command too (a
    // downstream probe's serializer wrote the default out and was refused).
    let again = [
        with_id(json!({"account_rate": null}), first),
        with_id(json!({}), first),
        with_id(json!({"account_rate": "0"}), first),
        with_id(json!({"account_rate": "0.00"}), first),
        with_id(json!({"account_rate": "0.02"}), first),
    ];
    let results = submit(&mut ledger, &mut sources, &again);
    for result in &results[..4] {
        assert_eq!(result["duplicate"], true, "{results:?}");
    }
    assert_eq!(
        results[4]["error"]["code"], "command_id_reused",
        "{results:?}"
    );
    // And the other way round: accepted with "0", it answers the command without it.
    let zero = "7a000000-0000-4000-8000-000000000003";
    let sent = with_id(
        json!({"effective_from": "2025-03", "account_rate": "0.0"}),
        zero,
    );
    let results = submit(&mut ledger, &mut sources, &[sent]);
    assert_eq!(results[0]["ok"], true, "{results:?}");
    let left_out = with_id(json!({"effective_from": "2025-03"}), zero);
    let results = submit(&mut ledger, &mut sources, &[left_out]);
    assert_eq!(results[0]["duplicate"], true, "{results:?}");

    // Accepted as an earlier build recorded it: the digest with the `null` field.
    let second = "7a000000-0000-4000-8000-000000000002";
    let sent = with_id(
        json!({"effective_from": "2025-02", "account_rate": null}),
        second,
    );
    let mut envelope = parse_command_value(sent.clone()).unwrap();
    envelope.body_digest = envelope.earlier_body_digests.last().copied();
    assert!(envelope.body_digest.is_some());
    let results = ledger
        .submit(vec![Ok(envelope)], &mut sources)
        .unwrap()
        .results;
    assert!(matches!(
        results[0],
        flexledger::store::CommandResult::Accepted { .. }
    ));
    let results = submit(&mut ledger, &mut sources, &[sent]);
    assert_eq!(results[0]["duplicate"], true, "{results:?}");
}

/// A command resent under its id with a decimal written another way (`"600"` as
/// `"600.00"`, `"0.60"` as `"0.6"`) or its member id in capitals is the same command:
/// the contract says `"600"` equals `"600.00"`, and a client whose retry writes the
/// amount from its own decimal type had been refused `command_id_reused` for a payment
/// that was applied (a contract probe, 2026-12-07). Another amount is another command;
/// an id an earlier build recorded with the text as written still answers that text.
#[test]
fn a_command_resent_with_its_values_written_another_way_is_the_same_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let id = member(1);
    let enroll = json!({"command":"enroll","member_id":id,"region":"demo","month":"2025-01",
        "base_ratio":"0.60","labor_relationship":"none","command_id":"7b000000-0000-4000-8000-000000000001"});
    let pay = |amount: &str, member_id: String| {
        json!({"command":"pay","member_id":member_id,"months":["2025-01"],"amount":amount,
            "paid_on":"2025-01-15","command_id":"7b000000-0000-4000-8000-000000000002"})
    };
    let lower = id.to_string();
    let results = submit(
        &mut ledger,
        &mut sources,
        &[policy(json!({})), enroll.clone(), pay("600", lower.clone())],
    );
    assert!(
        results.iter().all(|result| result["ok"] == true),
        "{results:?}"
    );
    let mut enroll_again = enroll.clone();
    enroll_again["base_ratio"] = json!("0.6");
    let again = [
        pay("600.00", lower.clone()),
        pay("600.0", lower.to_uppercase()),
        enroll_again,
        pay("600.01", lower.clone()),
    ];
    let results = submit(&mut ledger, &mut sources, &again);
    for result in &results[..3] {
        assert_eq!(result["duplicate"], true, "{results:?}");
    }
    assert_eq!(
        results[3]["error"]["code"], "command_id_reused",
        "{results:?}"
    );

    // Accepted as an earlier build recorded it: the digest of the text as written.
    let sent = json!({"command":"pay","member_id":id,"months":["2025-02"],"amount":"600.00",
        "paid_on":"2025-01-15","command_id":"7b000000-0000-4000-8000-000000000003"});
    let mut envelope = parse_command_value(sent.clone()).unwrap();
    assert_eq!(
        envelope.earlier_body_digests.len(),
        1,
        "a decimal written as its value differs from the text"
    );
    envelope.body_digest = envelope.earlier_body_digests.first().copied();
    let results = ledger
        .submit(vec![Ok(envelope)], &mut sources)
        .unwrap()
        .results;
    assert!(
        matches!(
            results[0],
            flexledger::store::CommandResult::Accepted { .. }
        ),
        "{results:?}"
    );
    let results = submit(&mut ledger, &mut sources, &[sent]);
    assert_eq!(results[0]["duplicate"], true, "{results:?}");
}

/// An id accepted by v1 has no digest of its command (D10), so it had answered any
/// command as a duplicate: a probe's `close_month` of 2025-07 under the id of v1's
/// close of 2025-01 was told "duplicate" with the January close, and a `pay` under the
/// id of a withdrawal with the withdrawal. Where the id's events cannot be the
/// command's (another stream, kind of event or month) it is now `command_id_reused`;
/// the command itself is still its duplicate.
#[test]
fn a_v1_id_under_a_command_its_events_cannot_be_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = untar_golden("v1-store", dir.path());
    let mut ledger = Ledger::open(&data).unwrap();
    let mut sources = FixedSources::new();
    // The ids of v1's close of 2025-01 and of its withdrawal of member b.
    let close_id = "e673cc75-1e82-46eb-a19e-5525cf0a8747";
    let withdraw_id = "a3ad76cd-1bc1-4329-b588-9071fea4c204";
    let close = |month: &str| json!({"command_id":close_id,"command":"close_month","region":"demo","month":month});
    let pay = json!({"command_id":withdraw_id,"command":"pay",
        "member_id":"b0000000-0000-4000-8000-00000000000b","months":["2025-01"],
        "amount":"1","paid_on":"2025-01-01"});
    let results = submit(
        &mut ledger,
        &mut sources,
        &[close("2025-01"), close("2025-07"), pay],
    );
    assert_eq!(results[0]["duplicate"], true, "{results:?}");
    assert_eq!(
        results[0]["events"][0]["type"], "MonthClosed",
        "{results:?}"
    );
    for refused in &results[1..] {
        assert_eq!(refused["error"]["code"], "command_id_reused", "{results:?}");
    }
}

/// v1 recorded a month close's consequences before its `MonthClosed`, in the
/// `close_month` command's own record (`tests/golden/v1-close-store.tar.gz`, made by
/// `tools/make-golden-v1.sh` with the v1 build and `v1-close-commands.jsonl`): the
/// same close sent again under its id is its duplicate, as every v1 command is (a
/// review found it refused `command_id_reused`, taken for a record the ledger wrote
/// itself); another month under the id is not.
#[test]
fn a_v1_close_that_recorded_consequences_answers_its_own_id_as_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let data = untar_golden("v1-close-store", dir.path());
    let mut ledger = Ledger::open(&data).unwrap();
    let mut sources = FixedSources::new();
    let sent: Vec<Value> =
        std::fs::read_to_string(repo_path("tests/golden/v1-close-commands.jsonl"))
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
    let close = sent
        .iter()
        .find(|command| command["command"] == "close_month")
        .unwrap();
    let mut another_month = close.clone();
    another_month["month"] = json!("2025-02");
    let results = submit(&mut ledger, &mut sources, &[close.clone(), another_month]);
    assert_eq!(results[0]["duplicate"], true, "{results:?}");
    // Answered in v2's shape: the region's event and the close's summary.
    assert_eq!(
        results[0]["events"][0]["type"], "MonthClosed",
        "{results:?}"
    );
    assert_eq!(results[0]["close"]["missed"], 1, "{results:?}");
    assert_eq!(
        results[1]["error"]["code"], "command_id_reused",
        "{results:?}"
    );
}
