//! Property tests over random member histories. A history is a list of *intents*
//! ("pay two months, one too early, with the right amount") turned into concrete
//! commands against the ledger's current state, so most commands are plausible and
//! many are accepted, while every refusal path is still exercised. Shrinking works on
//! intents, so a failure shrinks to a short story.

use crate::support::FixedSources;
use flexledger::domain::coverage::coverage;
use flexledger::domain::month::Month;
use flexledger::domain::{parse_command_value, LedgerState};
use flexledger::ledger::{member_coverage, Ledger};
use flexledger::store::{CommandResult, Envelope, EventStore};
use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

pub const MEMBERS: [&str; 4] = [
    "0b53af7d-bb50-5037-9d21-49eba4cb5782",
    "1b6c43b1-005f-59f6-b63b-f761cd631b20",
    "826711ec-7418-56f6-92df-8cb182127a27",
    "9f0e1c2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
];
const RATIOS: [&str; 5] = ["0.60", "1.00", "1.35", "3.00", "0.55"];
const REASONS: [&str; 4] = ["voluntary", "employer_scheme", "relocated", "deceased"];

#[derive(Clone, Debug)]
pub enum Intent {
    Publish {
        ahead: u8,
        wage: u8,
        rate: u8,
        grace: u8,
        delay_first: u8,
        prospective: bool,
        min_ratio: u8,
    },
    Enroll {
        member: u8,
        ahead: u8,
        ratio: u8,
        employer: bool,
        unknown_region: bool,
    },
    Pay {
        member: u8,
        count: u8,
        skew: i8,
        amount_off: bool,
        paid_on_off: bool,
        gap: bool,
    },
    Close {
        wrong_month: bool,
    },
    StopDeduction {
        member: u8,
    },
    ResumeDeduction {
        member: u8,
    },
    Withdraw {
        member: u8,
        reason: u8,
    },
    Reenroll {
        member: u8,
        ahead: u8,
        ratio: u8,
    },
    ChangeBase {
        member: u8,
        ahead: i8,
        ratio: u8,
    },
}

pub fn intent() -> impl Strategy<Value = Intent> {
    let member = 0u8..4;
    prop_oneof![
        1 => (0u8..3, 0u8..3, 0u8..3, 0u8..5, 0u8..8, any::<bool>(), 0u8..3).prop_map(|(ahead, wage, rate, grace, delay_first, prospective, min_ratio)| Intent::Publish { ahead, wage, rate, grace, delay_first, prospective, min_ratio }),
        5 => (member.clone(), 0u8..3, 0u8..5, prop::bool::weighted(0.1), prop::bool::weighted(0.05)).prop_map(|(member, ahead, ratio, employer, unknown_region)| Intent::Enroll { member, ahead, ratio, employer, unknown_region }),
        12 => (member.clone(), prop_oneof![6 => 1u8..3, 1 => 3u8..15], prop_oneof![8 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)], prop::bool::weighted(0.05), prop::bool::weighted(0.03), prop::bool::weighted(0.03))
            .prop_map(|(member, count, skew, amount_off, paid_on_off, gap)| Intent::Pay { member, count, skew, amount_off, paid_on_off, gap }),
        10 => prop::bool::weighted(0.05).prop_map(|wrong_month| Intent::Close { wrong_month }),
        1 => member.clone().prop_map(|member| Intent::StopDeduction { member }),
        1 => member.clone().prop_map(|member| Intent::ResumeDeduction { member }),
        1 => (member.clone(), 0u8..4).prop_map(|(member, reason)| Intent::Withdraw { member, reason }),
        2 => (member.clone(), 0u8..3, 0u8..5).prop_map(|(member, ahead, ratio)| Intent::Reenroll { member, ahead, ratio }),
        1 => (member, -1i8..4, 0u8..5).prop_map(|(member, ahead, ratio)| Intent::ChangeBase { member, ahead, ratio }),
    ]
}

pub fn history() -> impl Strategy<Value = Vec<Intent>> {
    prop::collection::vec(intent(), 1..70)
}

fn first_policy() -> Value {
    json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00",
           "contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,
           "benefit_delay_first":2,"benefit_delay_reenroll":1,"backpay_restores":"retroactive",
           "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"},{"min_continuous_months":6,"tier":"enhanced"}]})
}

/// Turns an intent into a concrete command, looking at the ledger's state only to make
/// the command plausible (months near the open month, amounts near the dues).
pub fn concretize(intent: &Intent, state: &LedgerState) -> Value {
    let region = state
        .regions
        .values()
        .next()
        .expect("the first command publishes a policy");
    let open = region.open_month;
    let month = |value: Month| Value::String(value.to_string());
    let member_id = |index: u8| MEMBERS[usize::from(index)];
    match intent {
        Intent::Publish {
            ahead,
            wage,
            rate,
            grace,
            delay_first,
            prospective,
            min_ratio,
        } => {
            let mut policy = first_policy();
            policy["effective_from"] = month(open.plus(i64::from(*ahead) - 1));
            policy["average_monthly_wage"] =
                json!(["10000.00", "12345.67", "8888.88"][usize::from(*wage)]);
            policy["contribution_rate"] = json!(["0.10", "0.085", "0.0333"][usize::from(*rate)]);
            policy["grace_months"] = json!(grace);
            policy["benefit_delay_first"] = json!(delay_first);
            policy["base_ratio_min"] = json!(["0.60", "0.50", "1.00"][usize::from(*min_ratio)]);
            if *prospective {
                policy["backpay_restores"] = json!("prospective");
            }
            policy
        }
        Intent::Enroll {
            member,
            ahead,
            ratio,
            employer,
            unknown_region,
        } => json!({
            "command":"enroll","member_id":member_id(*member),
            "region": if *unknown_region { "nowhere" } else { "demo" },
            "month": month(open.plus(i64::from(*ahead) - 1).max(open.plus(-1))),
            "base_ratio": RATIOS[usize::from(*ratio)],
            "labor_relationship": if *employer { "employer" } else { "none" }}),
        Intent::Pay {
            member,
            count,
            skew,
            amount_off,
            paid_on_off,
            gap,
        } => {
            // Payments for members never enrolled teach little: pay for the first
            // enrolled member instead (an unknown member is still tried sometimes).
            let chosen: Uuid = member_id(*member).parse().unwrap();
            let enrolled = MEMBERS
                .iter()
                .cycle()
                .skip(usize::from(*member))
                .take(MEMBERS.len())
                .map(|id| id.parse::<Uuid>().unwrap())
                .find(|id| {
                    state
                        .members
                        .get(id)
                        .is_some_and(|member| !member.is_withdrawn())
                });
            let id = if state.members.contains_key(&chosen) || *skew != 0 {
                chosen
            } else {
                enrolled.unwrap_or(chosen)
            };
            let (start, amount) = match state.members.get(&id) {
                Some(member_state) => {
                    let start = member_state.next_unpaid().plus(i64::from(*skew));
                    let amount: flexledger::domain::money::Money = start
                        .through(start.plus(i64::from(*count) - 1))
                        .map(|paid| member_state.due_for(region, paid))
                        .sum();
                    (start, amount.to_string())
                }
                None => (open, "600.00".to_owned()),
            };
            let amount = if *amount_off {
                let cent = flexledger::domain::money::Money::parse("0.01").unwrap();
                (flexledger::domain::money::Money::parse(&amount).unwrap() + cent).to_string()
            } else {
                amount
            };
            let paid_month = if *paid_on_off { open.next() } else { open };
            let mut months: Vec<Value> = start
                .through(start.plus(i64::from(*count) - 1))
                .map(month)
                .collect();
            if *gap {
                months.push(month(start.plus(i64::from(*count))));
                let last = months.len() - 1;
                months.swap(0, last);
            }
            json!({"command":"pay","member_id":id,"months": months,
                   "amount": amount, "paid_on": format!("{paid_month}-{:02}", 1 + count % 28)})
        }
        Intent::Close { wrong_month } => {
            json!({"command":"close_month","region":"demo","month": month(if *wrong_month { open.next() } else { open })})
        }
        Intent::StopDeduction { member } => {
            json!({"command":"stop_deduction","member_id":member_id(*member)})
        }
        Intent::ResumeDeduction { member } => {
            json!({"command":"resume_deduction","member_id":member_id(*member)})
        }
        Intent::Withdraw { member, reason } => {
            json!({"command":"withdraw","member_id":member_id(*member),"reason":REASONS[usize::from(*reason)]})
        }
        Intent::Reenroll {
            member,
            ahead,
            ratio,
        } => json!({"command":"reenroll","member_id":member_id(*member),
            "month": month(open.plus(i64::from(*ahead) - 1)),"base_ratio":RATIOS[usize::from(*ratio)]}),
        Intent::ChangeBase {
            member,
            ahead,
            ratio,
        } => json!({"command":"change_base","member_id":member_id(*member),
            "from_month": month(open.plus(i64::from(*ahead))),"base_ratio":RATIOS[usize::from(*ratio)]}),
    }
}

/// A history run through a real sled-backed ledger, one durable append per command.
pub struct Run {
    pub dir: tempfile::TempDir,
    pub ledger: Ledger,
    pub commands: Vec<Value>,
    pub results: Vec<CommandResult>,
}

pub fn run_history(intents: &[Intent]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let mut sources = FixedSources::new();
    let mut commands = vec![first_policy()];
    let mut results = ledger
        .submit(vec![parse_command_value(first_policy())], &mut sources)
        .unwrap();
    for intent in intents {
        let command = concretize(intent, ledger.state());
        let parsed = parse_command_value(command.clone());
        assert!(
            parsed.is_ok(),
            "generated command must parse: {command} {parsed:?}"
        );
        results.extend(ledger.submit(vec![parsed], &mut sources).unwrap());
        commands.push(command);
    }
    Run {
        dir,
        ledger,
        commands,
        results,
    }
}

fn log(run: &Run) -> Vec<Envelope> {
    run.ledger
        .store()
        .read_log(1)
        .collect::<Result<_, _>>()
        .unwrap()
}

fn cases() -> u32 {
    crate::support::proptest_cases(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Folding any prefix of the log equals the projection `--as-of` that position,
    /// and folding never panics.
    #[test]
    fn folding_any_prefix_equals_the_projection_as_of_it(intents in history()) {
        let run = run_history(&intents);
        let envelopes = log(&run);
        let mut state = LedgerState::default();
        for envelope in &envelopes {
            state.apply(envelope.position, &envelope.event).unwrap();
            for member in MEMBERS {
                let member_id: Uuid = member.parse().unwrap();
                let folded = coverage(&state, member_id);
                let as_of = member_coverage(run.ledger.store(), member_id, Some(envelope.position)).unwrap();
                prop_assert_eq!(folded, as_of, "member {} as of {}", member, envelope.position);
            }
        }
    }

    /// Reopening the store gives the same projections, the stored state rows equal a
    /// fresh fold of the log, and live reads (state rows) equal folded reads.
    #[test]
    fn reopening_the_store_gives_identical_projections_and_state(intents in history()) {
        let run = run_history(&intents);
        let before: Vec<_> = MEMBERS.iter().map(|member| member_coverage(run.ledger.store(), member.parse().unwrap(), None).unwrap()).collect();
        let dir = run.dir;
        drop(run.ledger);
        let reopened = Ledger::open(dir.path()).unwrap();
        let after: Vec<_> = MEMBERS.iter().map(|member| member_coverage(reopened.store(), member.parse().unwrap(), None).unwrap()).collect();
        prop_assert_eq!(&before, &after);
        let folded: Vec<_> = MEMBERS.iter().map(|member| flexledger::ledger::member_coverage_folded(reopened.store(), member.parse().unwrap(), None).unwrap()).collect();
        prop_assert_eq!(&before, &folded);
        let report = flexledger::ledger::verify(reopened.store(), &mut |_| {});
        prop_assert!(report.is_ok(), "verify: {:?}", report);
    }

    /// Every event and projection the ledger produces matches its schema; a refused
    /// command appended nothing.
    #[test]
    fn produced_events_and_projections_match_their_schemas(intents in history()) {
        let run = run_history(&intents);
        let envelopes = log(&run);
        let appended: usize = run.results.iter().map(|result| match result { CommandResult::Accepted { events, .. } => events.len(), CommandResult::Refused(_) => 0 }).sum();
        prop_assert_eq!(appended, envelopes.len(), "only accepted commands append");
        for envelope in &envelopes {
            crate::schemas::assert_valid("envelope", &serde_json::to_value(envelope).unwrap());
        }
        for command in &run.commands {
            crate::schemas::assert_valid("command", command);
        }
        for member in MEMBERS {
            if let Some(coverage) = member_coverage(run.ledger.store(), member.parse().unwrap(), None).unwrap() {
                crate::schemas::assert_valid("member_coverage", &serde_json::to_value(coverage).unwrap());
            }
        }
    }

    /// The fold refuses impossible sequences with an error instead of panicking: any
    /// reordering or omission of valid events, and the coverage of whatever it built.
    #[test]
    fn the_fold_never_panics_on_reordered_or_partial_logs(intents in history(), seed in any::<u64>()) {
        let run = run_history(&intents);
        let mut envelopes = log(&run);
        let mut random = seed;
        let mut next = || { random ^= random << 13; random ^= random >> 7; random ^= random << 17; random };
        for index in (1..envelopes.len()).rev() {
            let swap = usize::try_from(next() % (index as u64 + 1)).unwrap();
            envelopes.swap(index, swap);
        }
        envelopes.retain(|_| next() % 4 != 0);
        let mut state = LedgerState::default();
        for (index, envelope) in envelopes.iter().enumerate() {
            let _ = state.apply(index as u64 + 1, &envelope.event);
        }
        for member in MEMBERS {
            let _ = coverage(&state, member.parse().unwrap());
        }
    }
}

/// Any JSON value placed in any field of any contract command: parsing never panics,
/// and whatever parses is decided (accepted or refused) without panicking.
fn mutated_command() -> impl Strategy<Value = (usize, String, Value)> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|number| json!(number)),
        any::<f64>().prop_map(|number| json!(number)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2999-12"),
            Just("1990-01"),
            Just("0000-00"),
            Just("9999999999.99"),
            Just("-1"),
            Just("1e9"),
            Just("")
        ]
        .prop_map(|text| Value::String(text.to_owned())),
    ];
    let value = leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect()))
        ]
    });
    (
        0usize..64,
        prop_oneof![
            Just("command".to_owned()),
            Just("months".to_owned()),
            Just("member_id".to_owned()),
            Just("month".to_owned()),
            Just("amount".to_owned()),
            Just("base_ratio".to_owned()),
            Just("expected_version".to_owned()),
            Just("command_id".to_owned()),
            Just("benefit_tiers".to_owned()),
            Just("grace_months".to_owned()),
            ".{0,8}"
        ],
        value,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() * 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn bad_input_never_panics(mutations in prop::collection::vec(mutated_command(), 1..6)) {
        let scenario = crate::support::read_json(&crate::support::repo_path("tests/scenarios/backpay_within_grace.json"));
        let steps = scenario["steps"].as_array().unwrap();
        let mut state = LedgerState::default();
        let mut position = 0;
        for step in steps {
            let envelope = parse_command_value(step["command"].clone()).unwrap();
            for event in flexledger::domain::decide(&state, &envelope).unwrap() {
                position += 1;
                state.apply(position, &event).unwrap();
            }
        }
        for (index, field, value) in mutations {
            let mut command = steps[index % steps.len()]["command"].clone();
            command[field.as_str()] = value;
            if let Ok(envelope) = parse_command_value(command) {
                let _ = flexledger::domain::decide(&state, &envelope);
            }
        }
    }
}
