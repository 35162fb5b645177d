//! Property tests over random member histories. A history is a list of *intents*
//! ("pay two months, one too early, with the right amount") turned into concrete
//! commands against the current state, so most commands are plausible and many are
//! accepted, while every refusal path is still exercised. Shrinking works on intents,
//! so a failure shrinks to a short story.
//!
//! The state an intent looks at to become plausible (open month, oldest unpaid month,
//! dues, accrued subsidies) is the independent model's (`model.rs`), run alongside the
//! ledger: the generator needs no ledger internals, and where model and ledger disagree
//! the differential test says so.

use crate::model::{fmt_month, money, parse_month, Model};
use crate::support::FixedSources;
use flexledger::domain::coverage::{
    agree_outside, coverage, lines_touched, lines_touched_by_close, month_lines, month_lines_in,
    LinesWindow, MonthLine,
};
use flexledger::domain::decide::close_consequences;
use flexledger::domain::{parse_command_value, Event, LedgerState, StreamId};
use flexledger::ledger::{member_coverage, region_summary, region_summary_folded, Folder, Ledger};
use flexledger::store::{CommandResult, Envelope, EventLog};
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use uuid::Uuid;

pub const MEMBERS: [&str; 4] = [
    "0b53af7d-bb50-5037-9d21-49eba4cb5782",
    "1b6c43b1-005f-59f6-b63b-f761cd631b20",
    "826711ec-7418-56f6-92df-8cb182127a27",
    "9f0e1c2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
];
const RATIOS: [&str; 5] = ["0.60", "1.00", "1.35", "3.00", "0.55"];
const REASONS: [&str; 4] = ["voluntary", "employer_scheme", "relocated", "deceased"];
/// P-reset values: absent, null, then months.
const RESETS: [Option<i64>; 6] = [None, None, Some(0), Some(1), Some(3), Some(6)];
/// P-account values: absent, null, then rates ("0.05" exceeds the rate 0.0333 and
/// "0.5" every rate: invalid_command).
const ACCOUNT_RATES: [Option<&str>; 7] = [
    None,
    None,
    Some("0"),
    Some("0.02"),
    Some("0.05"),
    Some("0.0333"),
    Some("0.5"),
];
/// Grant lengths: valid, then over the graduate limit, over 36, and malformed (0).
const GRANT_MONTHS: [i64; 10] = [1, 2, 3, 6, 12, 24, 36, 25, 37, 0];
/// Shares: valid, then over 0.6667 (subsidy_limit_exceeded), then malformed.
const SHARES: [&str; 10] = [
    "0.6667", "0.5", "0.3333", "0.1", "0.0001", "0.25", "0.6668", "1", "0.66670", "0",
];
const CATEGORIES: [&str; 4] = ["hardship", "graduate", "other", "student"];
const REGION: &str = "demo";

#[derive(Clone, Debug)]
pub enum Intent {
    Publish {
        ahead: u8,
        wage: u8,
        rate: u8,
        grace: u8,
        delay_first: u8,
        delay_reenroll: u8,
        prospective: bool,
        min_ratio: u8,
        reset: u8,
        account: u8,
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
        stray: bool,
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
        stray: bool,
    },
    Reenroll {
        member: u8,
        ahead: u8,
        ratio: u8,
        stray: bool,
    },
    ChangeBase {
        member: u8,
        ahead: i8,
        ratio: u8,
    },
    GrantSubsidy {
        member: u8,
        ahead: i8,
        months: u8,
        share: u8,
        category: u8,
        stray: bool,
    },
    RevokeSubsidy {
        member: u8,
        ahead: i8,
    },
    /// `mode`: 0 all owed months, 1 the first owed month, 2 a wrong sum, 3 a month
    /// already paid out first, 4 a month not accrued first, 5 a month not accrued
    /// last, 6 an empty list, 7 a repeated month.
    PaySubsidy {
        member: u8,
        mode: u8,
        paid_on_off: bool,
    },
    /// An earlier command's command_id again: `variant` 0 the same command, 1 the same
    /// with its keys in another order, 2 a withdrawal of `member`, 3 the command with
    /// one field changed.
    ReuseId {
        back: u8,
        variant: u8,
        member: u8,
    },
}

pub fn intent() -> impl Strategy<Value = Intent> {
    let member = 0u8..4;
    prop_oneof![
        1 => (0u8..3, 0u8..3, 0u8..3, 0u8..5, prop_oneof![12 => 1u8..8, 1 => Just(0u8)], prop_oneof![12 => 1u8..3, 1 => Just(0u8)], any::<bool>(), 0u8..3, 0u8..6, 0u8..7).prop_map(|(ahead, wage, rate, grace, delay_first, delay_reenroll, prospective, min_ratio, reset, account)| Intent::Publish { ahead, wage, rate, grace, delay_first, delay_reenroll, prospective, min_ratio, reset, account }),
        5 => (member.clone(), 0u8..3, 0u8..5, prop::bool::weighted(0.1), prop::bool::weighted(0.05)).prop_map(|(member, ahead, ratio, employer, unknown_region)| Intent::Enroll { member, ahead, ratio, employer, unknown_region }),
        12 => ((member.clone(), prop::bool::weighted(0.1)), prop_oneof![6 => 1u8..3, 2 => 3u8..15], prop_oneof![8 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)], prop::bool::weighted(0.05), prop::bool::weighted(0.03), prop::bool::weighted(0.03))
            .prop_map(|((member, stray), count, skew, amount_off, paid_on_off, gap)| Intent::Pay { member, stray, count, skew, amount_off, paid_on_off, gap }),
        10 => prop::bool::weighted(0.05).prop_map(|wrong_month| Intent::Close { wrong_month }),
        1 => member.clone().prop_map(|member| Intent::StopDeduction { member }),
        2 => member.clone().prop_map(|member| Intent::ResumeDeduction { member }),
        2 => (member.clone(), 0u8..4, prop::bool::weighted(0.15)).prop_map(|(member, reason, stray)| Intent::Withdraw { member, reason, stray }),
        3 => (member.clone(), prop_oneof![4 => 0u8..3, 1 => 3u8..9], 0u8..5, prop::bool::weighted(0.15)).prop_map(|(member, ahead, ratio, stray)| Intent::Reenroll { member, ahead, ratio, stray }),
        1 => (member.clone(), -1i8..4, 0u8..5).prop_map(|(member, ahead, ratio)| Intent::ChangeBase { member, ahead, ratio }),
        3 => (member.clone(), prop_oneof![1 => Just(-1i8), 6 => 0i8..3], prop_oneof![6 => 0u8..7, 1 => 7u8..10], prop_oneof![6 => 0u8..6, 1 => 6u8..10], prop_oneof![8 => 0u8..3, 1 => Just(3u8)], prop::bool::weighted(0.1))
            .prop_map(|(member, ahead, months, share, category, stray)| Intent::GrantSubsidy { member, ahead, months, share, category, stray }),
        1 => (member.clone(), -1i8..6).prop_map(|(member, ahead)| Intent::RevokeSubsidy { member, ahead }),
        3 => (member.clone(), prop_oneof![5 => 0u8..2, 2 => Just(3u8), 3 => 2u8..6, 1 => 6u8..8], prop::bool::weighted(0.05)).prop_map(|(member, mode, paid_on_off)| Intent::PaySubsidy { member, mode, paid_on_off }),
        1 => (any::<u8>(), 0u8..4, member).prop_map(|(back, variant, member)| Intent::ReuseId { back, variant, member }),
    ]
}

pub fn history() -> impl Strategy<Value = Vec<Intent>> {
    prop::collection::vec(intent(), 1..60)
}

fn first_policy() -> Value {
    json!({"command":"publish_policy","region":"demo","effective_from":"2025-01","average_monthly_wage":"10000.00",
           "contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":3,
           "benefit_delay_first":2,"benefit_delay_reenroll":1,"backpay_restores":"retroactive",
           "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"},{"min_continuous_months":6,"tier":"enhanced"}]})
}

/// A generated command and what the generator knows about its form.
pub struct Concrete {
    pub command: Value,
    /// Refused by the command schema on purpose (malformed: invalid_command).
    pub malformed: bool,
    /// The wire parser may refuse it (malformed, or a cross-field check such as
    /// account_rate > contribution_rate).
    pub may_fail_to_parse: bool,
}

fn plain(command: Value) -> Concrete {
    Concrete {
        command,
        malformed: false,
        may_fail_to_parse: false,
    }
}

fn month_value(m: i32) -> Value {
    Value::String(fmt_month(m))
}

fn cent() -> Decimal {
    Decimal::new(1, 2)
}

/// The member an intent names if `useful` holds for it (or the intent strays on
/// purpose), else the first member from it on for which `useful` holds, else the named
/// one: commands for members they cannot apply to teach little, but are still tried.
fn useful_member(index: u8, stray: bool, useful: impl Fn(&str) -> bool) -> &'static str {
    let chosen = MEMBERS[usize::from(index)];
    if stray || useful(chosen) {
        return chosen;
    }
    MEMBERS
        .iter()
        .cycle()
        .skip(usize::from(index))
        .take(MEMBERS.len())
        .copied()
        .find(|id| useful(id))
        .unwrap_or(chosen)
}

/// Turns an intent into a concrete command, looking at the state (as the model sees
/// it) only to make the command plausible (months near the open month, amounts near
/// the dues, months whose subsidy has accrued), and at the earlier commands for the
/// command ids to reuse.
pub fn concretize(
    intent: &Intent,
    model: &Model,
    earlier: &[Value],
    earlier_malformed: &[bool],
) -> Concrete {
    let open = model
        .open_month(REGION)
        .expect("the first command publishes a policy");
    let member_id = |index: u8| MEMBERS[usize::from(index)];
    match intent {
        Intent::Publish {
            ahead,
            wage,
            rate,
            grace,
            delay_first,
            delay_reenroll,
            prospective,
            min_ratio,
            reset,
            account,
        } => {
            let mut policy = first_policy();
            policy["effective_from"] = month_value(open + i32::from(*ahead) - 1);
            policy["average_monthly_wage"] =
                json!(["10000.00", "12345.67", "8888.88"][usize::from(*wage)]);
            let rate = ["0.10", "0.085", "0.0333"][usize::from(*rate)];
            policy["contribution_rate"] = json!(rate);
            policy["grace_months"] = json!(grace);
            policy["benefit_delay_first"] = json!(delay_first);
            policy["benefit_delay_reenroll"] = json!(delay_reenroll);
            policy["base_ratio_min"] = json!(["0.60", "0.50", "1.00"][usize::from(*min_ratio)]);
            if *prospective {
                policy["backpay_restores"] = json!("prospective");
            }
            let object = policy.as_object_mut().unwrap();
            match (*reset, RESETS[usize::from(*reset)]) {
                (1, _) => {
                    object.insert("first_wait_after_gap_months".into(), Value::Null);
                }
                (_, Some(months)) => {
                    object.insert("first_wait_after_gap_months".into(), json!(months));
                }
                _ => {}
            }
            // D87: a delay of 0 is refused `invalid_command` (the schema's `minimum`),
            // by the model as by the ledger, and compared like any refusal.
            let malformed = *delay_first == 0 || *delay_reenroll == 0;
            let mut may_fail_to_parse = malformed;
            match (*account, ACCOUNT_RATES[usize::from(*account)]) {
                (1, _) => {
                    object.insert("account_rate".into(), Value::Null);
                }
                (_, Some(account_rate)) => {
                    object.insert("account_rate".into(), json!(account_rate));
                    may_fail_to_parse |=
                        Decimal::from_str(account_rate).unwrap() > Decimal::from_str(rate).unwrap();
                }
                _ => {}
            }
            Concrete {
                command: policy,
                malformed,
                may_fail_to_parse,
            }
        }
        Intent::Enroll {
            member,
            ahead,
            ratio,
            employer,
            unknown_region,
        } => plain(json!({
            "command":"enroll","member_id":member_id(*member),
            "region": if *unknown_region { "nowhere" } else { REGION },
            "month": month_value(open + i32::from(*ahead) - 1),
            "base_ratio": RATIOS[usize::from(*ratio)],
            "labor_relationship": if *employer { "employer" } else { "none" }})),
        Intent::Pay {
            member,
            stray,
            count,
            skew,
            amount_off,
            paid_on_off,
            gap,
        } => {
            // Payments for members not enrolled teach little: pay for the first
            // enrolled member instead (an unknown or withdrawn member is still tried
            // sometimes).
            let id = useful_member(*member, *stray || *skew != 0, |id| {
                model.is_enrolled(id) && !model.is_deduction_stopped(id)
            });
            // Nobody to pay for: the named member joins (again) instead, from the open
            // month, so that histories do not stall while nobody is enrolled.
            if !*stray && !MEMBERS.iter().any(|id| model.is_enrolled(id)) {
                let id = member_id(*member);
                return plain(if model.is_member(id) {
                    json!({"command":"reenroll","member_id":id,"month":month_value(open),"base_ratio":"0.60"})
                } else {
                    json!({"command":"enroll","member_id":id,"region":REGION,"month":month_value(open),
                           "base_ratio":"0.60","labor_relationship":"none"})
                });
            }
            let count = i32::from(*count);
            let (start, amount) = match model.next_unpaid(id) {
                Some(next) => {
                    let start = next + i32::from(*skew);
                    let amount: Decimal = (start..start + count)
                        .map(|m| model.due_for(id, m).unwrap())
                        .sum();
                    (start, amount)
                }
                None => (open, Decimal::new(60000, 2)),
            };
            let amount = if *amount_off { amount + cent() } else { amount };
            let paid_month = if *paid_on_off { open + 1 } else { open };
            let mut months: Vec<Value> = (start..start + count).map(month_value).collect();
            if *gap {
                months.push(month_value(start + count));
                let last = months.len() - 1;
                months.swap(0, last);
            }
            plain(json!({"command":"pay","member_id":id,"months": months,
                   "amount": money(amount), "paid_on": format!("{}-{:02}", fmt_month(paid_month), 1 + count % 28)}))
        }
        Intent::Close { wrong_month } => plain(
            json!({"command":"close_month","region":REGION,"month": month_value(if *wrong_month { open + 1 } else { open })}),
        ),
        Intent::StopDeduction { member } => {
            let id = useful_member(*member, false, |id| {
                model.is_enrolled(id) && !model.is_deduction_stopped(id)
            });
            plain(json!({"command":"stop_deduction","member_id":id}))
        }
        Intent::ResumeDeduction { member } => {
            let id = useful_member(*member, false, |id| {
                model.is_enrolled(id) && model.is_deduction_stopped(id)
            });
            plain(json!({"command":"resume_deduction","member_id":id}))
        }
        Intent::Withdraw {
            member,
            reason,
            stray,
        } => {
            let id = useful_member(*member, *stray, |id| model.is_enrolled(id));
            plain(
                json!({"command":"withdraw","member_id":id,"reason":REASONS[usize::from(*reason)]}),
            )
        }
        Intent::Reenroll {
            member,
            ahead,
            ratio,
            stray,
        } => {
            let withdrawn = |id: &str| model.is_member(id) && !model.is_enrolled(id);
            let id = useful_member(*member, *stray, withdrawn);
            plain(json!({"command":"reenroll","member_id":id,
                "month": month_value(open + i32::from(*ahead) - 1),"base_ratio":RATIOS[usize::from(*ratio)]}))
        }
        Intent::ChangeBase {
            member,
            ahead,
            ratio,
        } => {
            let id = useful_member(*member, false, |id| model.is_enrolled(id));
            plain(json!({"command":"change_base","member_id":id,
                "from_month": month_value(open + i32::from(*ahead)),"base_ratio":RATIOS[usize::from(*ratio)]}))
        }
        Intent::GrantSubsidy {
            member,
            ahead,
            months,
            share,
            category,
            stray,
        } => {
            let id = useful_member(*member, *stray, |id| model.is_enrolled(id));
            let months = GRANT_MONTHS[usize::from(*months)];
            let share = SHARES[usize::from(*share)];
            let category = CATEGORIES[usize::from(*category)];
            let malformed =
                months < 1 || share == "0.66670" || share == "0" || category == "student";
            Concrete {
                command: json!({"command":"grant_subsidy","member_id":id,
                    "from_month": month_value(open + i32::from(*ahead)),
                    "months": months, "share": share, "category": category}),
                malformed,
                may_fail_to_parse: malformed,
            }
        }
        Intent::RevokeSubsidy { member, ahead } => {
            let from = open + i32::from(*ahead);
            let id = useful_member(*member, false, |id| model.granted_from(id, from.max(open)));
            plain(json!({"command":"revoke_subsidy","member_id":id,
                "from_month": month_value(open + i32::from(*ahead))}))
        }
        Intent::PaySubsidy {
            member,
            mode,
            paid_on_off,
        } => {
            let owes = |id: &str| {
                model
                    .subsidy_months(id)
                    .is_some_and(|(owed, _, _)| !owed.is_empty())
            };
            let paid_out = |id: &str| {
                model
                    .subsidy_months(id)
                    .is_some_and(|(_, paid_out, _)| !paid_out.is_empty())
            };
            let id = if *mode == 3 && MEMBERS.iter().any(|id| paid_out(id)) {
                useful_member(*member, false, paid_out)
            } else if MEMBERS.iter().any(|id| owes(id)) {
                useful_member(*member, false, owes)
            } else {
                useful_member(*member, false, |id| model.is_member(id))
            };
            let (owed, paid_out, not_accrued) = model.subsidy_months(id).unwrap_or_default();
            let owed_months: Vec<i32> = owed.iter().map(|(m, _)| *m).collect();
            let owed_sum = |months: &[i32]| -> Decimal {
                owed.iter()
                    .filter(|(m, _)| months.contains(m))
                    .map(|(_, a)| *a)
                    .sum()
            };
            let not_accrued_month = not_accrued.first().copied().unwrap_or(open);
            let (months, amount): (Vec<i32>, Decimal) = match mode {
                0 if !owed_months.is_empty() => (owed_months.clone(), owed_sum(&owed_months)),
                0 | 1 => {
                    let months: Vec<i32> = owed_months
                        .first()
                        .copied()
                        .into_iter()
                        .chain(if owed_months.is_empty() {
                            Some(open - 1)
                        } else {
                            None
                        })
                        .collect();
                    let sum = owed_sum(&months);
                    (months, sum)
                }
                2 => {
                    let months = if owed_months.is_empty() {
                        vec![open - 1]
                    } else {
                        owed_months.clone()
                    };
                    let sum = owed_sum(&months) + cent();
                    (months, sum)
                }
                3 => {
                    let mut months: Vec<i32> = paid_out.last().copied().into_iter().collect();
                    let first_out = months.first().copied();
                    months.extend(
                        owed_months
                            .iter()
                            .copied()
                            .filter(|m| Some(*m) != first_out),
                    );
                    months.push(not_accrued_month);
                    months.dedup();
                    let sum = owed_sum(&months);
                    (months, sum)
                }
                4 | 5 => {
                    let mut months: Vec<i32> = owed_months.clone();
                    if *mode == 4 {
                        months.insert(0, not_accrued_month);
                    } else {
                        months.push(not_accrued_month);
                    }
                    if let Some(out) = paid_out.first() {
                        months.push(*out);
                    }
                    let unique: BTreeSet<i32> = months.iter().copied().collect();
                    if unique.len() != months.len() {
                        months.dedup();
                        months.truncate(1);
                    }
                    let sum = owed_sum(&months);
                    (months, sum)
                }
                6 => (Vec::new(), Decimal::ZERO),
                _ => {
                    let month = owed_months.first().copied().unwrap_or(open - 1);
                    (vec![month, month], owed_sum(&[month]) * Decimal::TWO)
                }
            };
            let malformed = {
                let unique: BTreeSet<i32> = months.iter().copied().collect();
                months.is_empty() || unique.len() != months.len()
            };
            let paid_month = if *paid_on_off { open + 1 } else { open };
            Concrete {
                command: json!({"command":"pay_subsidy","member_id":id,
                    "months": months.iter().map(|m| month_value(*m)).collect::<Vec<_>>(),
                    "amount": money(amount),
                    "paid_on": format!("{}-20", fmt_month(paid_month))}),
                malformed,
                may_fail_to_parse: malformed,
            }
        }
        Intent::ReuseId {
            back,
            variant,
            member,
        } => {
            let with_ids: Vec<(&Value, bool)> = earlier
                .iter()
                .zip(earlier_malformed)
                .filter(|(command, _)| command.get("command_id").is_some())
                .map(|(command, malformed)| (command, *malformed))
                .collect();
            let Some((original, original_malformed)) = with_ids
                .len()
                .checked_sub(1 + usize::from(*back) % with_ids.len().max(1))
                .map(|index| with_ids[index])
            else {
                return plain(
                    json!({"command":"close_month","region":REGION,"month": month_value(open + 1)}),
                );
            };
            let command_id = original["command_id"].clone();
            let command = match variant {
                0 => original.clone(),
                1 => {
                    let object = original.as_object().unwrap();
                    Value::Object(
                        object
                            .iter()
                            .rev()
                            .map(|(key, value)| (key.clone(), value.clone()))
                            .collect(),
                    )
                }
                2 => json!({"command":"withdraw","member_id":member_id(*member),
                            "reason":"voluntary","command_id":command_id}),
                _ => {
                    let mut changed = original.clone();
                    if let Some(id) = original.get("member_id").and_then(Value::as_str) {
                        let index = MEMBERS.iter().position(|m| *m == id).unwrap_or(0);
                        changed["member_id"] = json!(MEMBERS[(index + 1) % MEMBERS.len()]);
                    } else if let Some(month) = original
                        .get("month")
                        .and_then(Value::as_str)
                        .and_then(parse_month)
                    {
                        changed["month"] = month_value(month + 1);
                    } else {
                        changed["grace_months"] =
                            json!(original["grace_months"].as_i64().unwrap_or(3) + 1);
                    }
                    changed
                }
            };
            // Reusing the id of a command that was itself malformed keeps it malformed.
            let malformed = original_malformed && *variant != 2;
            Concrete {
                command,
                malformed,
                may_fail_to_parse: true,
            }
        }
    }
}

/// A history run through a real sled-backed ledger, one durable append per command.
pub struct Run {
    pub dir: tempfile::TempDir,
    pub ledger: Ledger,
    pub commands: Vec<Value>,
    pub results: Vec<CommandResult>,
    /// Commands generated malformed on purpose (the command schema refuses them).
    pub malformed: Vec<bool>,
    /// The run's clock and ids, for anything more it records.
    pub sources: FixedSources,
}

/// Every third generated command carries a command_id, so that `ReuseId` finds some.
fn command_id_for(index: usize) -> Option<Value> {
    (index % 3 == 1).then(|| json!(Uuid::from_u128(0x00c0_ffee_0000 + index as u128)))
}

pub fn run_history(intents: &[Intent]) -> Run {
    run_history_closing(intents, CloseMode::Whole)
}

/// How a run records its month closes' consequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseMode {
    /// Each `submit` records them all before it returns (the CLI's way).
    Whole,
    /// As `serve` does: in the background, one member per chunk, a chunk recorded
    /// after every third command only, so most member commands meet a close still in
    /// progress and must bring their member up to date first.
    Background,
}

pub fn run_history_closing(intents: &[Intent], mode: CloseMode) -> Run {
    run_history_checked(intents, mode, &mut |_| {})
}

/// `run_history_closing`, calling `check` with the ledger after every append (every
/// command and every background chunk).
pub fn run_history_checked(
    intents: &[Intent],
    mode: CloseMode,
    check: &mut dyn FnMut(&Ledger),
) -> Run {
    run_history_on(intents, mode, check, &|dir| Ledger::open(dir).unwrap())
}

/// `run_history_checked` on the ledger `open` makes in the run's directory (an empty
/// one, on any engine).
pub fn run_history_on(
    intents: &[Intent],
    mode: CloseMode,
    check: &mut dyn FnMut(&Ledger),
    open: &dyn Fn(&std::path::Path) -> Ledger,
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = open(dir.path());
    if mode == CloseMode::Background {
        ledger.set_close_in_background(true);
        ledger.set_close_chunk_members(1);
    }
    let mut sources = FixedSources::new();
    let mut model = Model::new();
    let mut commands = vec![first_policy()];
    model
        .apply(&first_policy())
        .expect("the first policy is valid");
    let mut malformed = vec![false];
    let mut results = ledger
        .submit(vec![parse_command_value(first_policy())], &mut sources)
        .unwrap()
        .results;
    for (index, intent) in intents.iter().enumerate() {
        let Concrete {
            mut command,
            malformed: is_malformed,
            may_fail_to_parse,
        } = concretize(intent, &model, &commands, &malformed);
        if command.get("command_id").is_none() {
            if let Some(id) = command_id_for(index) {
                command["command_id"] = id;
            }
        }
        let parsed = parse_command_value(command.clone());
        assert!(
            may_fail_to_parse || parsed.is_ok(),
            "generated command must parse: {command} {parsed:?}"
        );
        results.extend(ledger.submit(vec![parsed], &mut sources).unwrap().results);
        check(&ledger);
        if mode == CloseMode::Background && index % 3 == 2 {
            ledger.close_step(&mut sources).unwrap();
            check(&ledger);
        }
        let _ = model.apply(&command);
        commands.push(command);
        malformed.push(is_malformed);
    }
    Run {
        dir,
        ledger,
        commands,
        results,
        malformed,
        sources,
    }
}

fn log(run: &Run) -> Vec<Envelope> {
    run.ledger
        .store()
        .read_log(1)
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The windows of the members `event` (about to be applied to `state`) can alter: its
/// member's, or for a month close every member of the region's.
fn lines_windows(state: &LedgerState, event: &Event) -> Vec<(Uuid, LinesWindow)> {
    match event {
        Event::MonthClosed(closed) => {
            let region = &state.regions[&closed.region];
            state
                .members
                .values()
                .filter(|member| member.region == closed.region)
                .map(|member| (member.member_id, lines_touched_by_close(region, member)))
                .collect()
        }
        _ => match event.stream() {
            StreamId::Member(member_id) => {
                let Some(member) = state.members.get(&member_id) else {
                    return Vec::new();
                };
                let region = &state.regions[&member.region];
                vec![(member_id, lines_touched(region, Some(member), event))]
            }
            StreamId::Region(_) => Vec::new(),
        },
    }
}

fn cases() -> u32 {
    crate::support::proptest_cases(48)
}

/// For each command of a run: false when it repeats the command_id of an earlier
/// accepted command (a duplicate or `command_id_reused`: it appends nothing).
pub fn first_uses_of_ids(run: &Run) -> Vec<bool> {
    let mut accepted: BTreeSet<String> = BTreeSet::new();
    run.commands
        .iter()
        .zip(&run.results)
        .map(|(command, result)| {
            let Some(id) = command.get("command_id").and_then(Value::as_str) else {
                return true;
            };
            if accepted.contains(id) {
                return false;
            }
            if matches!(result, CommandResult::Accepted { .. }) {
                accepted.insert(id.to_owned());
            }
            true
        })
        .collect()
}

/// The commands of a run, one JSON line each, with their results (for failure messages).
fn story(run: &Run) -> String {
    run.commands
        .iter()
        .zip(&run.results)
        .map(|(command, result)| {
            let outcome = match result {
                CommandResult::Accepted { .. } => "ok".to_owned(),
                CommandResult::Refused(refusal) => refusal.code.as_str().to_owned(),
            };
            format!("{command} -> {outcome}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn amount(value: &Value) -> Decimal {
    Decimal::from_str(
        value
            .as_str()
            .unwrap_or_else(|| panic!("an amount string: {value}")),
    )
    .unwrap_or_else(|error| panic!("an amount {value}: {error}"))
}

fn month_of(value: &Value) -> i32 {
    parse_month(value.as_str().unwrap_or_default()).unwrap_or_else(|| panic!("a month: {value}"))
}

fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// What the accepted commands say about one member's money.
#[derive(Default)]
struct Books {
    /// Every accepted payment: its months and amount.
    payments: Vec<(Vec<i32>, Decimal)>,
    /// The sum of the accepted subsidy payments.
    subsidy_paid: Decimal,
    /// Granted months and their shares, after revocations.
    granted: BTreeMap<i32, Decimal>,
}

/// The books of every member and the region's open month, from the accepted commands
/// (first uses of command ids only): the open month starts at the first policy's
/// effective_from (2025-01) and advances with every accepted close_month.
fn books(run: &Run) -> (BTreeMap<String, Books>, i32) {
    let first_uses = first_uses_of_ids(run);
    let mut open = parse_month("2025-01").unwrap();
    let mut books: BTreeMap<String, Books> = BTreeMap::new();
    for ((command, result), first) in run.commands.iter().zip(&run.results).zip(first_uses) {
        if !first || !matches!(result, CommandResult::Accepted { .. }) {
            continue;
        }
        let months = || -> Vec<i32> {
            command["months"]
                .as_array()
                .map(|months| months.iter().map(month_of).collect())
                .unwrap_or_default()
        };
        let member_id = || command["member_id"].as_str().unwrap().to_owned();
        match command["command"].as_str().unwrap() {
            "close_month" => {
                assert_eq!(
                    month_of(&command["month"]),
                    open,
                    "only the open month closes"
                );
                open += 1;
            }
            "pay" => {
                let payment = (months(), amount(&command["amount"]));
                books.entry(member_id()).or_default().payments.push(payment);
            }
            "pay_subsidy" => {
                books.entry(member_id()).or_default().subsidy_paid += amount(&command["amount"])
            }
            "grant_subsidy" => {
                let from = month_of(&command["from_month"]);
                let count = i32::try_from(command["months"].as_i64().unwrap()).unwrap();
                let share = amount(&command["share"]);
                let granted = &mut books.entry(member_id()).or_default().granted;
                for month in from..from + count {
                    granted.insert(month, share);
                }
            }
            "revoke_subsidy" => {
                let from = month_of(&command["from_month"]);
                let _revoked = books
                    .entry(member_id())
                    .or_default()
                    .granted
                    .split_off(&from);
            }
            _ => {}
        }
    }
    (books, open)
}

/// The member's coverage in `state`, with what the region's last close implies for it
/// and has not recorded yet (R9-R11, `close_consequences`) applied at the positions
/// ending at `position` (a chunk records a member's consequences one after the other);
/// `None`, which no projection equals, where they cannot be applied there.
fn with_close_consequences(
    state: &LedgerState,
    member_id: Uuid,
    position: u64,
) -> Option<flexledger::domain::coverage::MemberCoverage> {
    let member = state.members.get(&member_id)?;
    let region = &state.regions[&member.region];
    let implied = region
        .open_month
        .checked_plus(-1)
        .map(|closed| close_consequences(member, region, closed))
        .unwrap_or_default();
    if implied.is_empty() {
        return coverage(state, member_id);
    }
    let mut state = state.clone();
    let first = (position + 1).checked_sub(implied.len() as u64)?;
    for (event, at) in implied.iter().zip(first..) {
        state.apply(at, event).ok()?;
    }
    coverage(&state, member_id)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Folding any prefix of the log that ends a command, the last close's
    /// consequences for the member included where its chunk records them later
    /// (D17, D64), equals the projection `--as-of` every position of that command's
    /// events (a cut inside them takes the rest of them, D18), and folding never
    /// panics.
    #[test]
    fn folding_any_prefix_equals_the_projection_as_of_it(intents in history()) {
        let run = run_history(&intents);
        let envelopes = log(&run);
        let mut state = LedgerState::default();
        let mut command_positions = Vec::new();
        for (index, envelope) in envelopes.iter().enumerate() {
            state.apply(envelope.position, &envelope.event).unwrap();
            command_positions.push(envelope.position);
            let next = envelopes.get(index + 1);
            if next.is_some_and(|next| next.command_id == envelope.command_id) {
                continue;
            }
            for position in command_positions.drain(..) {
                for member in MEMBERS {
                    let member_id: Uuid = member.parse().unwrap();
                    let as_of = member_coverage(run.ledger.store(), member_id, Some(position)).unwrap();
                    let at = as_of.as_ref().map_or(0, |as_of| as_of.position);
                    let folded = with_close_consequences(&state, member_id, at);
                    prop_assert_eq!(folded, as_of, "member {} as of {}", member, position);
                }
            }
        }
    }

    /// Every event alters a member's month lines only inside the window
    /// `lines_touched` names for it (for a month close, `lines_touched_by_close`, for
    /// every member of the region), and `month_lines_in` lists exactly the window's
    /// part of the whole listing, before and after: what lets a command or a close
    /// compare only those months for its feed changes and region totals.
    #[test]
    fn an_event_alters_month_lines_only_inside_its_window(intents in history()) {
        let run = run_history(&intents);
        let mut state = LedgerState::default();
        for envelope in log(&run) {
            let windows = lines_windows(&state, &envelope.event);
            let lines = |state: &LedgerState, member_id: &Uuid, window: &LinesWindow| {
                let member = &state.members[member_id];
                let region = &state.regions[&member.region];
                (month_lines(region, member), month_lines_in(region, member, window))
            };
            let before: Vec<_> = windows.iter().map(|(id, window)| lines(&state, id, window)).collect();
            state.apply(envelope.position, &envelope.event).unwrap();
            for ((member_id, window), (whole_before, in_before)) in windows.iter().zip(before) {
                let (whole_after, in_after) = lines(&state, member_id, window);
                let at = format!("member {member_id} at {} ({:?})", envelope.position, window);
                prop_assert!(agree_outside(window, &whole_before, &whole_after), "a line outside the window changed: {}", at);
                let inside = |whole: &[MonthLine]| whole.iter().filter(|line| window.contains(line.month)).cloned().collect::<Vec<_>>();
                prop_assert_eq!(in_before, inside(&whole_before), "before: {}", &at);
                prop_assert_eq!(in_after, inside(&whole_after), "after: {}", &at);
            }
        }
    }

    /// A fold that keeps no member decoded between events (each put back as its state
    /// row and decoded again at its next event, as a fold of a region larger than
    /// `FOLD_DECODED_MEMBERS_MAX` does) ends exactly where one that keeps them all
    /// does: the same coverages, rows, indexes, month totals and summaries. And its
    /// sums taken in parts on several threads (`Folder::finish_on`) are the sums taken
    /// on one, with members kept as rows, decoded, or some of each.
    #[test]
    fn a_fold_that_keeps_members_as_rows_equals_one_that_keeps_them_decoded(intents in history()) {
        let run = run_history(&intents);
        let fold = |decoded_max: usize, threads: usize| {
            let mut folder = Folder::keeping_decoded(decoded_max);
            for envelope in log(&run) {
                folder.apply(envelope.position, &envelope.event).unwrap();
            }
            let coverages: Vec<_> = MEMBERS.iter().map(|member| folder.coverage(member.parse().unwrap())).collect();
            (coverages, folder.finish_on(threads).unwrap())
        };
        let as_rows = fold(1, 1);
        prop_assert_eq!(&as_rows, &fold(usize::MAX, 1));
        for (decoded_max, threads) in [(1, 2), (2, 3), (usize::MAX, 2), (usize::MAX, 3)] {
            prop_assert_eq!(&as_rows, &fold(decoded_max, threads), "{} decoded, {} threads", decoded_max, threads);
        }
        // And the coverages a backup's check compares with (`backup::verify_backup`).
        let live: Vec<_> = MEMBERS.iter().map(|member| member_coverage(run.ledger.store(), member.parse().unwrap(), None).unwrap()).collect();
        prop_assert_eq!(&as_rows.0, &live);
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

    /// After every append of any history, with closes recorded whole or in the
    /// background one member at a time, each region's maintained summary equals the
    /// fold of its members' coverage that `GET /v1/regions/{name}` once did per
    /// request, and after the run the stored rows equal a fresh fold (`verify`).
    #[test]
    fn the_region_summary_equals_the_fold_of_its_members_after_any_command(
        intents in history(),
        background in any::<bool>(),
    ) {
        let mode = if background { CloseMode::Background } else { CloseMode::Whole };
        let mut mismatches = Vec::new();
        let mut steps = 0usize;
        let run = run_history_checked(&intents, mode, &mut |ledger| {
            steps += 1;
            for region in ledger.state().regions.keys() {
                let kept = region_summary(ledger.store(), region).unwrap();
                let folded = region_summary_folded(ledger.store(), region).unwrap();
                if kept != folded {
                    mismatches.push((steps, region.to_string(), kept, folded));
                }
            }
        });
        prop_assert!(mismatches.is_empty(), "{:?}\n{}", mismatches.first(), story(&run));
        let report = flexledger::ledger::verify(run.ledger.store(), &mut |_| {});
        prop_assert!(report.is_ok(), "verify: {:?}", report);
    }

    /// Every event and projection the ledger produces matches its schema; a refused
    /// command appended nothing.
    #[test]
    fn produced_events_and_projections_match_their_schemas(intents in history()) {
        let run = run_history(&intents);
        let envelopes = log(&run);
        // Only accepted commands append: the positions the accepted results list follow
        // one another without gaps, except that a close_month lists only its MonthClosed
        // event and its members' consequences (ContributionMissed, MemberWithdrawn) are
        // appended around it (contract v2 says after it; the ledger appends them before
        // it), and a repeated command_id appends nothing (a duplicate returns the first
        // result again).
        let first_uses = first_uses_of_ids(&run);
        let mut next = 1u64;
        let mut after_close = false;
        let consequences = |from: u64, to: u64| -> Vec<String> {
            (from..to)
                .map(|position| serde_json::to_value(&envelopes[position as usize - 1]).unwrap()["type"].as_str().unwrap_or_default().to_owned())
                .filter(|kind| kind != "ContributionMissed" && kind != "MemberWithdrawn")
                .collect()
        };
        for ((command, result), first) in run.commands.iter().zip(&run.results).zip(&first_uses) {
            let wire = serde_json::to_value(result).unwrap();
            if wire["ok"] != Value::Bool(true) || !first {
                continue;
            }
            let positions: Vec<u64> = wire["events"].as_array().unwrap().iter().map(|event| event["position"].as_u64().unwrap()).collect();
            if let (Some(&start), Some(&end)) = (positions.first(), positions.last()) {
                let is_close = command["command"] == "close_month";
                if after_close || is_close {
                    prop_assert!(start >= next, "{} lists position {} after {}", command, start, next);
                    let others = consequences(next, start);
                    prop_assert!(others.is_empty(), "after a close, before {}: {:?}", command, others);
                } else {
                    prop_assert_eq!(start, next, "{} lists its events from {}", command, start);
                }
                prop_assert_eq!(end - start + 1, positions.len() as u64, "{} lists contiguous events", command);
                next = end + 1;
                after_close = false;
            }
            if command["command"] == "close_month" {
                after_close = true;
            }
        }
        let total = envelopes.len() as u64;
        if after_close {
            prop_assert!(total + 1 >= next, "log of {} events, results list up to {}", total, next - 1);
            let others = consequences(next, total + 1);
            prop_assert!(others.is_empty(), "after the last close: {:?}", others);
        } else {
            prop_assert_eq!(total + 1, next, "only accepted commands append");
        }
        for envelope in &envelopes {
            crate::schemas::assert_valid("envelope", &serde_json::to_value(envelope).unwrap());
        }
        for (command, malformed) in run.commands.iter().zip(&run.malformed) {
            if !malformed {
                crate::schemas::assert_valid("command", command);
            }
        }
        for member in MEMBERS {
            if let Some(coverage) = member_coverage(run.ledger.store(), member.parse().unwrap(), None).unwrap() {
                crate::schemas::assert_valid("member_coverage", &serde_json::to_value(flexledger::codec::wire::MemberCoverage::from(&coverage)).unwrap());
            }
        }
    }

    /// The money adds up for any history, on the ledger's member coverage (R12, R16,
    /// R17): every paid month splits into the pooling fund and the personal account
    /// (to_account <= paid); the balance is the sum of what has been credited up to the
    /// open month; a refunded month is paid 0.00 unless paid again in a later period, and
    /// paid + refunded over all months is everything the accepted payments brought in
    /// (payment by payment where no month was paid twice); a month's subsidy is its
    /// share of what was paid once it is closed, and the subsidy totals are the sums
    /// over the months and the accepted subsidy payments.
    #[test]
    fn the_money_adds_up_for_any_history(intents in history()) {
        let run = run_history(&intents);
        let (books, open) = books(&run);
        let zero = Decimal::ZERO;
        let empty = Books::default();
        for member in MEMBERS {
            let Some(coverage) = member_coverage(run.ledger.store(), member.parse().unwrap(), None).unwrap() else {
                prop_assert!(!books.contains_key(member), "member {} paid but has no coverage\n{}", member, story(&run));
                continue;
            };
            let coverage = serde_json::to_value(flexledger::codec::wire::MemberCoverage::from(&coverage)).unwrap();
            let book = books.get(member).unwrap_or(&empty);
            let enrollments = coverage["enrollments"].as_u64().unwrap();
            let mut balance = zero;
            let mut brought_in = zero;
            let mut accrued = zero;
            let mut subsidy_out = zero;
            let mut ever_paid: BTreeMap<i32, Decimal> = BTreeMap::new();
            for entry in coverage["months"].as_array().unwrap() {
                let month = month_of(&entry["month"]);
                let (paid, refunded) = (amount(&entry["paid"]), amount(&entry["refunded"]));
                let (to_account, subsidy) = (amount(&entry["to_account"]), amount(&entry["subsidy"]));
                let subsidy_paid = entry["subsidy_paid"].as_bool().unwrap();
                let at = format!("member {member} month {entry}");
                prop_assert!(paid >= zero && refunded >= zero && to_account >= zero && subsidy >= zero, "{}: negative money\n{}", at, story(&run));
                if paid > zero {
                    prop_assert!(to_account <= paid, "{}: pooling = paid - to_account < 0\n{}", at, story(&run));
                    if month <= open {
                        balance += to_account;
                    }
                } else {
                    prop_assert_eq!(to_account, zero, "{}: to_account of an unpaid month\n{}", at, story(&run));
                }
                if refunded > zero && paid > zero {
                    prop_assert!(enrollments >= 2, "{}: refunded and paid again without a re-enrollment\n{}", at, story(&run));
                }
                brought_in += paid + refunded;
                ever_paid.insert(month, paid + refunded);
                match book.granted.get(&month) {
                    Some(share) => {
                        let full = round2(paid * share);
                        prop_assert!(subsidy <= full, "{}: subsidy above share {} x paid\n{}", at, share, story(&run));
                        let expected = if month < open && paid > zero { full } else { zero };
                        prop_assert_eq!(subsidy, expected, "{}: accrual at share {} (open {})\n{}", at, share, fmt_month(open), story(&run));
                    }
                    None => prop_assert_eq!(subsidy, zero, "{}: subsidy of a month not granted\n{}", at, story(&run)),
                }
                if subsidy_paid {
                    prop_assert!(month < open && paid > zero && book.granted.contains_key(&month), "{}: paid out but not accrued\n{}", at, story(&run));
                    subsidy_out += subsidy;
                }
                accrued += subsidy;
            }
            prop_assert_eq!(amount(&coverage["account_balance"]), balance, "member {}: account_balance (open {})\n{}", member, fmt_month(open), story(&run));
            let payments: Decimal = book.payments.iter().map(|(_, amount)| *amount).sum();
            prop_assert_eq!(brought_in, payments, "member {}: paid + refunded over all months vs accepted payments\n{}", member, story(&run));
            let mut times_paid: BTreeMap<i32, usize> = BTreeMap::new();
            for month in book.payments.iter().flat_map(|(months, _)| months) {
                *times_paid.entry(*month).or_default() += 1;
            }
            for (months, amount) in &book.payments {
                if months.iter().all(|month| times_paid[month] == 1) {
                    let months_hold: Decimal = months.iter().map(|month| ever_paid.get(month).copied().unwrap_or(zero)).sum();
                    prop_assert_eq!(months_hold, *amount, "member {}: payment of {:?} ({} paid + refunded)\n{}", member, months.iter().map(|m| fmt_month(*m)).collect::<Vec<_>>(), months_hold, story(&run));
                }
            }
            let totals = &coverage["subsidy"];
            prop_assert_eq!(amount(&totals["accrued"]), accrued, "member {}: subsidy.accrued\n{}", member, story(&run));
            prop_assert_eq!(amount(&totals["paid"]), subsidy_out, "member {}: subsidy.paid vs months paid out\n{}", member, story(&run));
            prop_assert_eq!(amount(&totals["paid"]), book.subsidy_paid, "member {}: subsidy.paid vs accepted subsidy payments\n{}", member, story(&run));
            prop_assert_eq!(amount(&totals["owed"]), accrued - subsidy_out, "member {}: subsidy.owed\n{}", member, story(&run));
            prop_assert_eq!(totals["granted_months"].as_u64(), Some(book.granted.len() as u64), "member {}: subsidy.granted_months\n{}", member, story(&run));
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
