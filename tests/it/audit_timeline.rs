//! The member timeline picture and the audit page: the SVG read back as XML for every
//! scenario member (one cell per month, the right status, marks for what the events
//! say), its bounds on a century-long history, `flexledger-audit timeline`, the two
//! HTTP routes and their roles, and the page rendered by a real headless Chromium.

use crate::http::{agent, call, start, token};
use crate::support::*;
use flexledger::audit::history::{serde_plain, Cut, MemberHistory};
use flexledger::audit::timeline;
use flexledger::domain::coverage::MemberCoverage;
use flexledger::domain::event::Event;
use flexledger::domain::parse_command_value;
use flexledger::ledger::Ledger;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use uuid::Uuid;

/// The demo member who was withdrawn (R11) and re-enrolled: every kind of mark.
const ZHAO: &str = "826711ec-7418-56f6-92df-8cb182127a27";
const STATUS_NAMES: [&str; 7] = [
    "not_enrolled",
    "due",
    "waiting",
    "covered",
    "arrears",
    "restored",
    "lapsed",
];
const MARK_NAMES: [&str; 8] = [
    "benefits",
    "paid",
    "payment made",
    "missed",
    "(re-)enrolled",
    "withdrawn",
    "refunded",
    "subsidy",
];

/// A cell of the picture as read back: month, status, benefits, tooltip, its marks.
#[derive(Debug)]
struct Cell {
    month: String,
    status: String,
    benefits: String,
    tooltip: String,
    marks: BTreeSet<String>,
    /// `data-refunded`: set on a month refunded by a withdrawal (R12).
    refunded: Option<String>,
}

fn attribute<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has {name}", node.tag_name().name()))
}

fn has_class(node: &roxmltree::Node, class: &str) -> bool {
    node.attribute("class") == Some(class)
}

fn cells(document: &roxmltree::Document) -> Vec<Cell> {
    document
        .descendants()
        .filter(|node| has_class(node, "cell"))
        .map(|node| {
            let title = node
                .children()
                .find(|child| child.has_tag_name("title"))
                .expect("every cell has a <title> tooltip");
            Cell {
                month: attribute(node, "data-month").to_owned(),
                status: attribute(node, "data-status").to_owned(),
                benefits: attribute(node, "data-benefits").to_owned(),
                tooltip: title.text().unwrap_or_default().to_owned(),
                refunded: node.attribute("data-refunded").map(str::to_owned),
                marks: node
                    .descendants()
                    .filter_map(|child| child.attribute("class"))
                    .filter(|class| class.starts_with("mark-"))
                    .map(str::to_owned)
                    .collect(),
            }
        })
        .collect()
}

/// Everything the picture promises about one member, checked against its coverage
/// and its events. Returns the statuses it drew.
fn check_picture(history: &MemberHistory) -> BTreeSet<String> {
    let svg = timeline::svg(history).unwrap();
    let coverage: MemberCoverage = history.coverage().unwrap().unwrap();
    let document = roxmltree::Document::parse(&svg)
        .unwrap_or_else(|error| panic!("the SVG is well-formed XML: {error}\n{svg}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let drawn = cells(&document);
    assert_eq!(drawn.len(), coverage.months.len(), "one cell per month");
    for (cell, line) in drawn.iter().zip(&coverage.months) {
        let status = serde_plain(&line.status);
        assert_eq!(cell.month, line.month.to_string());
        assert_eq!(cell.status, status, "{}", cell.month);
        assert_eq!(cell.benefits, line.benefits.to_string());
        for part in [
            line.month.to_string(),
            status.clone(),
            format!("due {}", line.due),
            format!("paid {}", line.paid),
            format!("benefits {}", if line.benefits { "yes" } else { "no" }),
            format!("rule {}", line.rule),
        ] {
            assert!(cell.tooltip.contains(&part), "{part:?} in {cell:?}");
        }
        assert_eq!(
            cell.marks.contains("mark-benefits"),
            line.benefits,
            "the benefits badge is on exactly the months with benefits: {cell:?}"
        );
        // v2: the month's money is in its tooltip, and marked (R12, R16, R17).
        if !line.refunded.is_zero() {
            assert!(
                cell.tooltip
                    .contains(&format!("refunded {}", line.refunded)),
                "{cell:?}"
            );
            assert_eq!(cell.refunded, Some(line.refunded.to_string()), "{cell:?}");
        }
        if !line.to_account.is_zero() {
            assert!(
                cell.tooltip.contains(&format!(
                    "{} to the personal account, {} to the pooling fund",
                    line.to_account,
                    line.paid - line.to_account
                )),
                "{cell:?}"
            );
        }
        if !line.subsidy.is_zero() {
            assert!(
                cell.tooltip
                    .contains(&format!("subsidy {} accrued", line.subsidy)),
                "{cell:?}"
            );
            assert!(cell.marks.contains("mark-subsidy"), "{cell:?}");
        }
    }
    let cell_of = |month: &str| drawn.iter().find(|cell| cell.month == month);
    for envelope in history.member_events() {
        match &envelope.event {
            Event::ContributionPaid(paid) => {
                for line in &paid.months {
                    if let Some(cell) = cell_of(&line.month.to_string()) {
                        assert!(cell.marks.contains("mark-paid"), "{cell:?}");
                    }
                }
                if let Some(cell) = cell_of(&paid.payment_month.to_string()) {
                    assert!(cell.marks.contains("mark-payment"), "{cell:?}");
                }
            }
            Event::ContributionMissed(missed) => {
                let cell = cell_of(&missed.month.to_string()).expect("a missed month is listed");
                assert!(cell.marks.contains("mark-missed"), "{cell:?}");
            }
            Event::ContributionRefunded(refund) => {
                for month in &refund.months {
                    let cell = cell_of(&month.to_string()).expect("a refunded month is listed");
                    assert!(cell.marks.contains("mark-refunded"), "{cell:?}");
                    // Each refund of the month, by its own withdrawal (R12).
                    let refund_at = format!("in all, position {})", envelope.position);
                    assert!(
                        cell.tooltip.contains("by the withdrawal at position")
                            && cell.tooltip.contains(&refund_at),
                        "{cell:?}"
                    );
                }
            }
            Event::SubsidyPaid(paid) => {
                for month in &paid.months {
                    if let Some(cell) = cell_of(&month.to_string()) {
                        assert!(cell.marks.contains("mark-subsidy"), "{cell:?}");
                        assert!(cell.tooltip.contains("subsidy paid out on"), "{cell:?}");
                    }
                }
            }
            Event::MemberWithdrawn(withdrawn) => {
                // Several withdrawals can take effect in one month (withdrawn, re-enrolled
                // and withdrawn again before paying): one of the marks there is this one.
                let month = withdrawn.effective_from.to_string();
                let tooltips: Vec<String> = document
                    .descendants()
                    .filter(|node| {
                        has_class(node, "mark-withdrawn")
                            && node.attribute("data-month") == Some(&month)
                    })
                    .map(|mark| {
                        mark.first_element_child()
                            .unwrap()
                            .text()
                            .unwrap()
                            .to_owned()
                    })
                    .collect();
                assert!(!tooltips.is_empty(), "a withdrawal mark at {month}");
                let names = |tooltip: &String, month: Option<&flexledger::domain::month::Month>| {
                    month.is_none_or(|month| tooltip.contains(&month.to_string()))
                };
                let names_it = |tooltip: &String| {
                    tooltip.contains(&reason_in_words(&withdrawn.reason))
                        && names(tooltip, withdrawn.lapsed_months.first())
                        && names(tooltip, withdrawn.lapsed_months.last())
                };
                assert!(tooltips.iter().any(names_it), "{tooltips:?}");
            }
            Event::MemberReenrolled(reenrolled) => {
                let month = reenrolled.month.to_string();
                assert!(
                    document
                        .descendants()
                        .any(|node| has_class(&node, "mark-enrolled")
                            && node.attribute("data-month") == Some(&month)),
                    "a re-enrollment mark at {month}"
                );
            }
            _ => {}
        }
    }
    let legend_statuses: BTreeSet<&str> = document
        .descendants()
        .filter(|node| has_class(node, "legend-status"))
        .map(|node| attribute(node, "data-status"))
        .collect();
    assert_eq!(legend_statuses, STATUS_NAMES.into_iter().collect());
    let legend_marks: BTreeSet<&str> = document
        .descendants()
        .filter(|node| has_class(node, "legend-mark"))
        .map(|node| attribute(node, "data-mark"))
        .collect();
    assert_eq!(legend_marks, MARK_NAMES.into_iter().collect());
    let title = root.first_element_child().unwrap();
    assert_eq!(title.tag_name().name(), "title");
    assert!(title
        .text()
        .unwrap()
        .contains(&coverage.member_id.to_string()));
    assert!(svg.contains(&format!("region {}", coverage.region)));
    drawn.into_iter().map(|cell| cell.status).collect()
}

/// Runs a scenario's commands through the library into a fresh ledger.
fn ledger_of(commands: impl IntoIterator<Item = Value>, dir: &Path) -> Ledger {
    let mut ledger = Ledger::open(dir).unwrap();
    let commands = commands.into_iter().map(parse_command_value).collect();
    ledger.submit(commands, &mut FixedSources::new()).unwrap();
    ledger
}

#[test]
fn every_scenario_member_at_every_event_is_drawn_one_cell_per_month_with_its_status_and_marks() {
    let mut statuses = BTreeSet::new();
    for file in scenario_files() {
        let scenario = read_json(&file);
        let dir = tempfile::tempdir().unwrap();
        let steps = scenario["steps"].as_array().unwrap();
        let ledger = ledger_of(steps.iter().map(|step| step["command"].clone()), dir.path());
        for member_id in scenario["expect_members"].as_object().unwrap().keys() {
            let member_id: Uuid = member_id.parse().unwrap();
            let whole = MemberHistory::load(ledger.store(), member_id, Cut::Everything)
                .unwrap()
                .unwrap_or_else(|| panic!("{}: member {member_id}", file.display()));
            // The picture after every event of the history, not only the last: arrears
            // that a scenario later pays back are drawn in between.
            for envelope in &whole.events {
                let cut = Cut::Position(envelope.position);
                if let Some(history) = MemberHistory::load(ledger.store(), member_id, cut).unwrap()
                {
                    statuses.extend(check_picture(&history));
                }
            }
        }
    }
    assert_eq!(
        statuses,
        STATUS_NAMES.iter().map(|name| name.to_string()).collect(),
        "the scenarios, cut at every event, draw every status"
    );
}

#[test]
fn a_century_long_history_is_drawn_by_year_within_bounds() {
    let member = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let policy = json!({"command":"publish_policy","region":"long","effective_from":"1990-01",
        "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60",
        "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,
        "backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]});
    let mut commands = vec![
        policy,
        json!({"command":"enroll","member_id":member,"region":"long","month":"1990-01","base_ratio":"0.60","labor_relationship":"none"}),
        json!({"command":"pay","member_id":member,"months":["1990-01"],"amount":"600.00","paid_on":"1990-01-10"}),
    ];
    // 1,250 closes: the listing runs 1990-01..2094-03, 105 calendar years.
    let mut month = flexledger::domain::month::Month::parse("1990-01").unwrap();
    for _ in 0..1250 {
        commands.push(json!({"command":"close_month","region":"long","month":month.to_string()}));
        month = month.next();
    }
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger_of(commands, dir.path());
    let history = MemberHistory::load(ledger.store(), member.parse().unwrap(), Cut::Everything)
        .unwrap()
        .unwrap();
    let coverage = history.coverage().unwrap().unwrap();
    assert_eq!(coverage.months.len(), 1251);
    let svg = timeline::svg(&history).unwrap();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let drawn = cells(&document);
    assert_eq!(
        drawn.len(),
        1251 - 60,
        "the latest 100 years are drawn, 1990..1994 are not"
    );
    assert_eq!(drawn[0].month, "1995-01");
    assert!(svg.contains("the first 60 months are not drawn"));
    let years: Vec<&str> = document
        .descendants()
        .filter(|node| has_class(node, "year"))
        .filter_map(|node| node.text())
        .collect();
    assert_eq!(
        years.len(),
        timeline::TIMELINE_YEARS_MAX,
        "one row per year"
    );
    let height: i64 = document
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    assert!(height < 8_000, "{height} px tall");
    assert!(svg.len() < 2_000_000, "{} bytes", svg.len());
    assert_eq!(
        document.root_element().attribute("width"),
        Some(timeline::TIMELINE_WIDTH_PX.to_string().as_str())
    );
}

/// The picture of one scenario member at the end of the scenario.
fn scenario_picture(scenario: &str, member: &str) -> (MemberHistory, String) {
    let file = repo_path(&format!("tests/scenarios/{scenario}.json"));
    let steps = read_json(&file)["steps"].as_array().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger_of(steps.iter().map(|step| step["command"].clone()), dir.path());
    let history = MemberHistory::load(ledger.store(), member.parse().unwrap(), Cut::Everything)
        .unwrap()
        .unwrap();
    let svg = timeline::svg(&history).unwrap();
    (history, svg)
}

const MEMBER_A: &str = "c2432f3f-f493-5466-a97b-8cf3d6d9aeef";

/// R12 v2: the months a withdrawal refunded are drawn as refunded — hatched, labelled,
/// marked, with the amount in the tooltip — and the legend names the mark.
#[test]
fn refunded_months_are_drawn_distinctly() {
    let (_, svg) = scenario_picture("refund_on_withdrawal", MEMBER_A);
    let document = roxmltree::Document::parse(&svg).unwrap();
    let drawn = cells(&document);
    let refunded: Vec<&Cell> = drawn
        .iter()
        .filter(|cell| cell.refunded.is_some())
        .collect();
    let months: Vec<&str> = refunded.iter().map(|cell| cell.month.as_str()).collect();
    assert_eq!(
        months,
        ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09"]
    );
    for cell in &refunded {
        assert_eq!(cell.status, "not_enrolled");
        assert_eq!(cell.refunded.as_deref(), Some("600.00"));
        assert!(cell.marks.contains("mark-refunded"), "{cell:?}");
        assert!(cell.tooltip.contains("refunded 600.00"), "{cell:?}");
    }
    let hatched = document
        .descendants()
        .filter(|node| {
            node.has_tag_name("rect") && node.attribute("fill") == Some("url(#fl-refunded-hatch)")
        })
        .count();
    assert_eq!(hatched, 5 + 1, "the five months and the legend's swatch");
    assert!(
        document
            .descendants()
            .any(|node| node.has_tag_name("pattern")
                && node.attribute("id") == Some("fl-refunded-hatch")),
        "the hatch is defined in the picture"
    );
    let april = drawn.iter().find(|cell| cell.month == "2025-04").unwrap();
    assert_eq!(
        april.refunded, None,
        "April stays paid: L, the last paid month"
    );
}

/// R16 and R17: subsidies are marked (filled once paid out, hollow while owed) and the
/// account part is in the tooltips (the heading's and the page's totals are pinned by
/// the expect files).
#[test]
fn subsidies_and_account_parts_are_drawn_and_totalled() {
    let (history, svg) = scenario_picture("subsidy_grant_accrue_pay", MEMBER_A);
    let document = roxmltree::Document::parse(&svg).unwrap();
    let subsidy_of = |month: &str| {
        document
            .descendants()
            .filter(|node| has_class(node, "cell") && node.attribute("data-month") == Some(month))
            .flat_map(|cell| cell.descendants())
            .find(|node| has_class(node, "mark-subsidy"))
            .and_then(|mark| mark.attribute("data-subsidy"))
    };
    assert_eq!(subsidy_of("2025-01"), Some("paid"));
    assert_eq!(subsidy_of("2025-02"), Some("accrued"));
    assert_eq!(
        subsidy_of("2025-03"),
        None,
        "not closed: nothing accrued yet"
    );
    check_picture(&history);

    let (history, _) = scenario_picture("personal_account_split", MEMBER_A);
    check_picture(&history);
    let (history, _) = scenario_picture("refund_on_withdrawal", MEMBER_A);
    let page = flexledger::audit::page::html(&history).unwrap();
    assert_eq!(
        page.matches("<tr data-month=\"2025-06\" data-status=\"not_enrolled\">")
            .count(),
        1,
        "rows keep their two attributes (scripts match on them)"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: proptest_cases(16), failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]

    /// Random v2 histories (refunds, grants, accruals, payouts, account rates, P-reset):
    /// every member's picture keeps its promises, the page renders, every month is
    /// explained by its own rule, and the replay folds.
    #[test]
    fn random_histories_are_drawn_explained_and_replayed(intents in crate::properties::history()) {
        let run = crate::properties::run_history(&intents);
        for member in crate::properties::MEMBERS {
            let member: Uuid = member.parse().unwrap();
            let Some(history) = MemberHistory::load(run.ledger.store(), member, Cut::Everything).unwrap() else {
                continue;
            };
            check_picture(&history);
            flexledger::audit::page::html(&history).unwrap();
            let coverage = history.coverage().unwrap().unwrap();
            for line in &coverage.months {
                let explanation = flexledger::audit::explain::explain(&history, line.month)
                    .unwrap()
                    .unwrap();
                proptest::prop_assert_eq!(&explanation.rules[0].id, &line.rule);
                if !line.refunded.is_zero() {
                    proptest::prop_assert!(explanation.rules.iter().any(|rule| rule.id == flexledger::domain::RuleId::R12));
                }
                if !line.subsidy.is_zero() {
                    proptest::prop_assert!(explanation.rules.iter().any(|rule| rule.id == flexledger::domain::RuleId::R16));
                }
                if !line.to_account.is_zero() {
                    proptest::prop_assert!(explanation.rules.iter().any(|rule| rule.id == flexledger::domain::RuleId::R17));
                }
            }
            let replay = flexledger::audit::replay::replay_lines(&history).unwrap();
            let last = replay.last().unwrap().after.as_ref().unwrap();
            proptest::prop_assert_eq!(last.account_balance, coverage.account_balance);
            proptest::prop_assert_eq!(&last.subsidy, &coverage.subsidy);
            proptest::prop_assert_eq!(last.qualified, coverage.qualified);
        }
    }
}

#[test]
fn text_is_escaped() {
    assert_eq!(
        timeline::escape(r#"<b title="x">Tom & 'Jerry'</b>"#),
        "&lt;b title=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
    );
}

/// The demo ledger, written by the real `flexledger submit`.
fn demo_data(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let output = flexledger(
        &data,
        &["submit", repo_path("examples/demo.jsonl").to_str().unwrap()],
        None,
    );
    assert!(output.status.success(), "{output:?}");
    data
}

fn audit(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("FLEXLEDGER_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn flexledger_audit_timeline_writes_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data(dir.path());
    let svg = dir.path().join("zhao.svg");
    let output = audit(
        &data,
        &[
            "--json",
            "timeline",
            "--member",
            ZHAO,
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(report["path"], svg.to_str().unwrap());
    assert_eq!(report["bytes"], text.len());
    let document = roxmltree::Document::parse(&text).unwrap();
    let drawn = cells(&document);
    assert_eq!(report["months"], drawn.len());
    let statuses: Vec<&str> = drawn.iter().map(|cell| cell.status.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "waiting",
            "waiting",
            "waiting",
            "lapsed",
            "lapsed",
            "lapsed",
            "lapsed",
            "not_enrolled",
            "waiting",
            "due"
        ]
    );
    // As of an earlier position: the member as the ledger saw them then.
    let early = dir.path().join("early.svg");
    let output = audit(
        &data,
        &[
            "timeline",
            "--member",
            ZHAO,
            "--svg",
            early.to_str().unwrap(),
            "--as-of",
            "10",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let line = String::from_utf8(output.stdout).unwrap();
    assert!(line.starts_with("wrote "), "{line}");
    let early = std::fs::read_to_string(&early).unwrap();
    let months_then = flexledger(&data, &["member", ZHAO, "--as-of", "10"], None);
    let coverage: Value = serde_json::from_slice(&months_then.stdout).unwrap();
    let early_cells = cells(&roxmltree::Document::parse(&early).unwrap());
    assert_eq!(
        early_cells.len(),
        coverage["months"].as_array().unwrap().len()
    );
    let unknown = audit(
        &data,
        &[
            "timeline",
            "--member",
            &Uuid::nil().to_string(),
            "--svg",
            "unused.svg",
        ],
    );
    assert_eq!(unknown.status.code(), Some(1), "an unknown member exits 1");
    assert!(!Path::new("unused.svg").exists());
}

/// (status, content type, body)
fn get(base: &str, path: &str, token: Option<&str>) -> (u16, String, String) {
    let mut request = agent().get(&format!("{base}{path}"));
    if let Some(token) = token {
        request = request.header("authorization", &format!("Bearer {token}"));
    }
    let mut response = request.call().unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (response.status().as_u16(), content_type, body)
}

#[test]
fn the_timeline_and_the_audit_page_are_served_by_role() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let svg_path = format!("/v1/members/{ZHAO}/timeline.svg");
    let page_path = format!("/audit/members/{ZHAO}");
    let (status, content_type, svg) = get(&server.base, &svg_path, Some(token("subscriber")));
    assert_eq!(
        (status, content_type.as_str()),
        (200, "image/svg+xml; charset=utf-8")
    );
    let (_, coverage) = call(
        &server,
        "GET",
        &format!("/v1/members/{ZHAO}"),
        Some(token("auditor")),
        None,
        &[],
    );
    let months = coverage["months"].as_array().unwrap();
    let drawn = cells(&roxmltree::Document::parse(&svg).unwrap());
    assert_eq!(drawn.len(), months.len());
    for (cell, line) in drawn.iter().zip(months) {
        assert_eq!(cell.month, line["month"].as_str().unwrap());
        assert_eq!(cell.status, line["status"].as_str().unwrap());
    }
    for role in ["operator", "auditor"] {
        let (status, content_type, page) = get(&server.base, &page_path, Some(token(role)));
        assert_eq!(
            (status, content_type.as_str()),
            (200, "text/html; charset=utf-8"),
            "{role}"
        );
        assert!(page.contains("<table id=\"months\">") && page.contains("<table id=\"events\">"));
        assert_eq!(page.matches("class=\"cell\"").count(), months.len());
        assert_eq!(page.matches("<tr data-month=").count(), months.len());
        assert!(
            page.contains("R11 withdrawn (automatically, for arrears beyond the grace)"),
            "describe() of the withdrawal"
        );
    }
    let (status, _, refused) = get(&server.base, &page_path, Some(token("subscriber")));
    assert_eq!(
        status, 403,
        "the page lists events, which subscribers do not read: {refused}"
    );
    let (status, _, _) = get(
        &server.base,
        &format!("{page_path}?access_token={}", token("auditor")),
        None,
    );
    assert_eq!(
        status, 200,
        "a browser's address bar passes the token in the query"
    );
    let nobody = "11111111-2222-4333-8444-555555555555";
    let (status, _, missing) = get(
        &server.base,
        &format!("/v1/members/{nobody}/timeline.svg"),
        Some(token("auditor")),
    );
    let missing: Value = serde_json::from_str(&missing).unwrap();
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (404, Some("never_enrolled"))
    );
    let (status, content_type, missing) = get(
        &server.base,
        &format!("/audit/members/{nobody}"),
        Some(token("auditor")),
    );
    assert_eq!(
        (status, content_type.as_str()),
        (404, "text/html; charset=utf-8")
    );
    assert!(missing.contains(nobody) && missing.starts_with("<!DOCTYPE html>"));
    let (status, content_type, bad) = get(
        &server.base,
        "/audit/members/%3Cscript%3E",
        Some(token("auditor")),
    );
    assert_eq!(
        (status, content_type.as_str()),
        (400, "text/html; charset=utf-8")
    );
    assert!(
        bad.contains("&lt;script&gt;") && !bad.contains("<script>"),
        "{bad}"
    );
    let (status, _, bad_svg) = get(
        &server.base,
        "/v1/members/nope/timeline.svg",
        Some(token("auditor")),
    );
    assert_eq!(status, 400, "{bad_svg}");
}

const SCREENSHOT_WIDTH_PX: u32 = 1280;
const SCREENSHOT_HEIGHT_PX: u32 = 1000;

/// Ignored (with its reason) where Chromium is missing, so a run without it says so
/// instead of passing; never ignored under `CI`, where a missing Chromium fails it
/// (`build.rs` decides, when the tests are compiled).
#[test]
#[cfg_attr(
    flexledger_no_chromium,
    ignore = "needs /usr/bin/chromium: apt-get install -y chromium (.ci/run does)"
)]
fn headless_chromium_renders_the_audit_page() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it on CI)"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let url = format!(
        "{}/audit/members/{ZHAO}?access_token={}",
        server.base,
        token("auditor")
    );
    let (_, coverage) = call(
        &server,
        "GET",
        &format!("/v1/members/{ZHAO}"),
        Some(token("auditor")),
        None,
        &[],
    );
    let months = coverage["months"].as_array().unwrap();
    let dom = chromium(&url, &["--dump-dom".to_owned()]);
    assert!(
        dom.contains("<svg"),
        "the picture is in the rendered page:\n{dom}"
    );
    assert_eq!(dom.matches("class=\"cell\"").count(), months.len(), "{dom}");
    assert!(dom.contains("<table id=\"months\">"), "{dom}");
    for line in months {
        let row = format!(
            "<tr data-month=\"{}\" data-status=\"{}\">",
            line["month"].as_str().unwrap(),
            line["status"].as_str().unwrap()
        );
        assert!(dom.contains(&row), "{row} in the rendered months table");
    }
    assert!(dom.contains("<table id=\"events\">"));
    let screenshot = dir.path().join("audit-page.png");
    chromium(
        &url,
        &[
            format!("--screenshot={}", screenshot.display()),
            format!("--window-size={SCREENSHOT_WIDTH_PX},{SCREENSHOT_HEIGHT_PX}"),
            "--hide-scrollbars".to_owned(),
        ],
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (SCREENSHOT_WIDTH_PX, SCREENSHOT_HEIGHT_PX));
    assert!(
        png.len() > 30_000,
        "a page with a picture and tables, not a blank one: {} bytes",
        png.len()
    );
    // `FLEXLEDGER_UPDATE_SCREENSHOT=1 cargo test headless_chromium` refreshes the README's picture.
    if std::env::var_os("FLEXLEDGER_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(repo_path("docs/audit-page.png"), &png).unwrap();
    }
}

/// `--svg -` writes the picture to standard output (not to a file named `-`).
#[test]
fn the_svg_goes_to_standard_output_for_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let demo = std::fs::read(repo_path("examples/demo.jsonl")).unwrap();
    flexledger(&data, &["submit", "-"], Some(&demo));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(
            crate::support::LANGUAGE_PINNED.0,
            crate::support::LANGUAGE_PINNED.1,
        )
        .current_dir(dir.path())
        .arg("--data-dir")
        .arg(&data)
        .args(["timeline", "--member", ZHAO, "--svg", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let svg = String::from_utf8(output.stdout).unwrap();
    assert!(roxmltree::Document::parse(&svg).is_ok(), "{svg}");
    assert!(!dir.path().join("-").exists(), "no file named '-'");
}

/// How the English timeline words a withdrawal reason (the catalog's `word-reason`).
fn reason_in_words(reason: &flexledger::domain::command::WithdrawalReason) -> String {
    let args = [("reason", flexledger::i18n::text(serde_plain(reason)))];
    flexledger::i18n::say(flexledger::i18n::Language::En, "word-reason", &args)
}

/// `?as_of=P` on the picture and the audit page shows the member as the ledger saw
/// them at P, as `GET /v1/members/{id}?as_of=P` does (D18): an auditor's browser could
/// show only the present. A position beyond the head, or before the member's first
/// event, is a 404 saying which (D66), an `as_of` that is not a position a 400: in the
/// API's JSON for the picture, in a page for the page.
#[test]
fn the_timeline_and_the_audit_page_show_the_member_as_of_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let auditor = Some(token("auditor"));
    let coverage = |query: &str| {
        let path = format!("/v1/members/{ZHAO}{query}");
        let (status, coverage) = call(&server, "GET", &path, auditor, None, &[]);
        assert_eq!(status, 200, "{coverage}");
        coverage
    };
    let now = coverage("");
    let (_, events) = call(
        &server,
        "GET",
        &format!("/v1/members/{ZHAO}/events"),
        auditor,
        None,
        &[],
    );
    let positions: Vec<u64> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["position"].as_u64().unwrap())
        .collect();
    let first = positions[0];
    let at = positions[1];
    let then = coverage(&format!("?as_of={at}"));
    assert_ne!(
        then["months"], now["months"],
        "the cut changes what is shown"
    );
    let statuses = |coverage: &Value| -> Vec<(String, String)> {
        let months = coverage["months"].as_array().unwrap();
        months
            .iter()
            .map(|line| {
                (
                    line["month"].as_str().unwrap().to_owned(),
                    line["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let svg_path = format!("/v1/members/{ZHAO}/timeline.svg");
    let (status, _, svg) = get(&server.base, &format!("{svg_path}?as_of={at}"), auditor);
    assert_eq!(status, 200, "{svg}");
    let drawn: Vec<(String, String)> = cells(&roxmltree::Document::parse(&svg).unwrap())
        .into_iter()
        .map(|cell| (cell.month, cell.status))
        .collect();
    assert_eq!(drawn, statuses(&then));
    let page_path = format!("/audit/members/{ZHAO}");
    let (status, _, page) = get(&server.base, &format!("{page_path}?as_of={at}"), auditor);
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page.matches("<tr data-month=").count(),
        statuses(&then).len()
    );
    let lead = format!("folded from the log up to position {}", then["position"]);
    assert!(page.contains(&lead), "{lead}: {page}");
    let (_, _, present) = get(&server.base, &page_path, auditor);
    assert_ne!(page, present);

    let beyond = 1_000_000;
    let (status, _, body) = get(&server.base, &format!("{svg_path}?as_of={beyond}"), auditor);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
    let (status, content_type, page) = get(
        &server.base,
        &format!("{page_path}?as_of={beyond}"),
        auditor,
    );
    assert_eq!(
        (status, content_type.as_str()),
        (404, "text/html; charset=utf-8")
    );
    assert!(
        page.contains(&format!("as_of={beyond} is not written yet")),
        "{page}"
    );
    let before = first - 1;
    let (status, _, body) = get(&server.base, &format!("{svg_path}?as_of={before}"), auditor);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("never_enrolled")),
        "{body}"
    );
    let (status, _, page) = get(
        &server.base,
        &format!("{page_path}?as_of={before}"),
        auditor,
    );
    assert_eq!(status, 404);
    assert!(
        page.contains(&format!("its first event is at position {first}")),
        "{page}"
    );
    let (status, content_type, page) =
        get(&server.base, &format!("{page_path}?as_of=twelve"), auditor);
    assert_eq!(
        (status, content_type.as_str()),
        (400, "text/html; charset=utf-8")
    );
    assert!(page.contains("twelve"), "{page}");
    let (status, _, body) = get(&server.base, &format!("{svg_path}?as_of=twelve"), auditor);
    assert_eq!(status, 400, "{body}");
}
