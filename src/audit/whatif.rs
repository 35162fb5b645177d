//! `flexledger-audit whatif`: the same recorded behaviour re-decided under another
//! policy, and what would differ — for policy makers weighing a rule change.
//!
//! **Re-deciding, not re-labelling.** Missed months and automatic withdrawals are
//! consequences of the policy (R9–R11): with six months' grace the `MemberWithdrawn`
//! a close recorded after four missed months would never have happened, and a later
//! re-enrollment would have been refused. So the alternative does not refold the stored
//! events under other policies; it rebuilds the command each event records, in log
//! order, and runs it through the real `decide` and `LedgerState::apply`:
//!
//! | recorded event | replayed as |
//! |---|---|
//! | `PolicyPublished` | `publish_policy` with the overrides applied |
//! | `MemberEnrolled`, `MemberReenrolled`, `BaseChanged` | `enroll`, `reenroll`, `change_base` |
//! | `ContributionPaid` | `pay`: same months and `paid_on`, amount re-priced (below) |
//! | `MonthClosed` | `close_month`: it derives `ContributionMissed` and R11 withdrawals again |
//! | `ContributionMissed`, `MemberWithdrawn` (`arrears_exceeded_grace`) | skipped: derived by the close |
//! | other `MemberWithdrawn`, `DeductionStopped`/`Resumed` | `withdraw`, `stop_deduction`/`resume_deduction` |
//! | `ContributionRefunded` | skipped: derived by the withdrawal (R12) |
//! | `SubsidyGranted`, `SubsidyRevoked` | `grant_subsidy`, `revoke_subsidy` |
//! | `SubsidyPaid` | `pay_subsidy`: same months and `paid_on`, amount what they accrued (R16) |
//!
//! **Assumptions** (RULES.md has no what-if; these are ours, see `docs/DECISIONS.md` D24):
//! - *Behaviour is held fixed.* The member does what the log records, in the same open
//!   months; nobody reacts to the alternative (a member withdrawn earlier does not
//!   re-enroll sooner). A command the alternative refuses is a finding, reported with its
//!   refusal code and message, and is otherwise dropped.
//! - *A payment pays what the alternative asks.* The same months are paid, the amount
//!   being their dues under the alternative (R4), so a wage or rate override changes
//!   what is paid, never whether it is accepted.
//! - Only the member's own stream and its region's are replayed: other members never
//!   change this member's coverage, so a region what-if is the sum of its members'.
//!
//! v2: the overrides take `first_wait_after_gap_months` (P-reset, R7) and `account_rate`
//! (P-account, R17), `null` for "absent"; the outcomes compare qualified, the benefit
//! start, refunds (R12), the personal account (R17) and the subsidy totals (R16).
//!
//! Everything here is pure (no I/O); `whatif/cli.rs` reads the store and prints.

pub mod cli;

use crate::audit::history::{describe, MemberHistory};
use crate::domain::command::{
    ChangeBase, CloseMonth, Command, CommandEnvelope, Enroll, GrantSubsidy, MemberRef, Pay,
    PaySubsidy, Reenroll, RevokeSubsidy, Withdraw, WithdrawalReason,
};
use crate::domain::coverage::{
    coverage, MemberCoverage, MemberStatus, MonthLine, MonthStatus, SubsidyTotals,
};
use crate::domain::decide;
use crate::domain::event::{ContributionPaid, Event};
use crate::domain::money::{Money, Ratio};
use crate::domain::month::Month;
use crate::domain::policy::{BackpayRestores, BenefitTier, Policy, PolicyInvalid, RegionName};
use crate::domain::refusal::{ErrorCode, Refusal};
use crate::domain::rule::RuleId;
use crate::domain::state::{FoldError, LedgerState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Members of a `--region` what-if reported in detail (the first affected ones, in id
/// order); the summary counts every member. Keeps the report readable and its size
/// independent of the region's.
pub const REGION_DETAIL_MEMBERS_MAX: usize = 20;

/// The policy parameters a what-if replaces (R3), with the wire shapes of
/// `publish_policy` (decimals as strings). A parameter left out keeps each published
/// version's value. `region` and `effective_from` are not parameters: every version
/// the region published keeps its own, so the alternative changes the rules, not when
/// they were announced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_monthly_wage: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_rate: Option<Ratio>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ratio_min: Option<Ratio>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ratio_max: Option<Ratio>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit_delay_first: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit_delay_reenroll: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backpay_restores: Option<BackpayRestores>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit_tiers: Option<Vec<BenefitTier>>,
    /// P-reset (R7, v2): a number of months, or `null` for "never" (the v1 reading).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_wait_after_gap_months: Option<Option<u32>>,
    /// P-account (R17, v2): a decimal string, or `null` for "absent" (everything to
    /// the pooling fund).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_rate: Option<Option<Ratio>>,
}

/// An optional policy parameter named in the file: `Some(None)` for an explicit
/// `null`, which replaces the published value with "absent". (A field left out is
/// `None` through `#[serde(default)]` and keeps each version's value.)
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl PolicyOverrides {
    /// Parses a policy file's text. Unknown fields are refused (a misspelt
    /// `grace_month` must not silently compare the ledger with itself); every error
    /// names the field.
    pub fn parse(text: &str) -> Result<PolicyOverrides, OverridesInvalid> {
        let value: Value = serde_json::from_str(text)
            .map_err(|error| OverridesInvalid::NotJson(error.to_string()))?;
        let Value::Object(fields) = &value else {
            return Err(OverridesInvalid::NotAnObject);
        };
        for fixed in ["region", "effective_from"] {
            if fields.contains_key(fixed) {
                return Err(OverridesInvalid::Fixed(fixed));
            }
        }
        serde_path_to_error::deserialize(value).map_err(|error| OverridesInvalid::Field {
            path: error.path().to_string(),
            detail: error.inner().to_string(),
        })
    }

    /// No parameter is replaced: the alternative must equal the ledger.
    pub fn is_empty(&self) -> bool {
        *self == PolicyOverrides::default()
    }

    /// `published` with the overrides applied, checked like a `publish_policy`.
    pub fn apply(&self, published: &Policy) -> Result<Policy, OverridesInvalid> {
        let mut policy = published.clone();
        let replace = |target: &mut u32, value: Option<u32>| {
            if let Some(value) = value {
                *target = value;
            }
        };
        policy.average_monthly_wage = self
            .average_monthly_wage
            .unwrap_or(policy.average_monthly_wage);
        policy.contribution_rate = self.contribution_rate.unwrap_or(policy.contribution_rate);
        policy.base_ratio_min = self.base_ratio_min.unwrap_or(policy.base_ratio_min);
        policy.base_ratio_max = self.base_ratio_max.unwrap_or(policy.base_ratio_max);
        replace(&mut policy.grace_months, self.grace_months);
        replace(&mut policy.benefit_delay_first, self.benefit_delay_first);
        replace(
            &mut policy.benefit_delay_reenroll,
            self.benefit_delay_reenroll,
        );
        policy.backpay_restores = self.backpay_restores.unwrap_or(policy.backpay_restores);
        if let Some(tiers) = &self.benefit_tiers {
            policy.benefit_tiers.clone_from(tiers);
        }
        if let Some(reset) = self.first_wait_after_gap_months {
            policy.first_wait_after_gap_months = reset;
        }
        if let Some(rate) = self.account_rate {
            policy.account_rate = rate;
        }
        // A recorded policy's delay of 0 (before D87) is replayed as recorded; an
        // alternative that sets a delay is checked as a command would be.
        let sets_a_delay =
            self.benefit_delay_first.is_some() || self.benefit_delay_reenroll.is_some();
        policy
            .validate_as_recorded()
            .and_then(|()| match sets_a_delay {
                true => policy.validate_delays(),
                false => Ok(()),
            })
            .map_err(|invalid| OverridesInvalid::Policy {
                region: published.region.to_string(),
                effective_from: published.effective_from,
                invalid,
            })?;
        Ok(policy)
    }

    /// `grace_months=6, backpay_restores=prospective`, for a table's header.
    pub fn summary(&self) -> String {
        let Ok(Value::Object(fields)) = serde_json::to_value(self) else {
            return "(unprintable)".into();
        };
        if fields.is_empty() {
            return "none (the alternative is the ledger itself)".into();
        }
        let parts: Vec<String> = fields
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => format!("{name}={text}"),
                Value::Null => format!("{name}=absent"),
                other => format!("{name}={other}"),
            })
            .collect();
        parts.join(", ")
    }
}

/// Why a policy file cannot be the alternative, as data, so that each language words
/// it (`audit-whatif-policy-*`, `locales/*/audit.ftl`); `Display` is the English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverridesInvalid {
    /// Not JSON at all; serde_json's own words say where.
    #[error("not valid JSON ({0})")]
    NotJson(String),
    #[error("must be one JSON object of policy parameters, e.g. {{\"grace_months\": 6}}")]
    NotAnObject,
    /// `region` or `effective_from`: each published policy keeps its own.
    #[error("field `{0}` cannot be overridden: every policy the region published keeps its own region and effective_from")]
    Fixed(&'static str),
    /// A field unknown, or of the wrong type; `path` is `.` for the whole file.
    #[error("{}", field_said(path, detail))]
    Field { path: String, detail: String },
    /// The overrides make one of the region's published policies invalid.
    #[error("the policy of region {region} from {effective_from} with these overrides is invalid: {invalid}")]
    Policy {
        region: String,
        effective_from: Month,
        invalid: PolicyInvalid,
    },
}

fn field_said(path: &str, detail: &str) -> String {
    if path == "." {
        detail.to_owned()
    } else {
        format!("field `{path}`: {detail}")
    }
}

/// Why a what-if could not be computed. Refusals are not among them: they are findings.
#[derive(Debug, thiserror::Error)]
pub enum WhatIfError {
    /// The overrides make a published policy invalid (`Policy::validate`).
    #[error("{0}")]
    Policy(OverridesInvalid),
    /// The stored history does not fold: a damaged log (`flexledger verify` says where).
    #[error("the recorded history does not fold: {0}")]
    Fold(FoldError),
    /// An event the alternative decided does not fold: a bug in `decide` or the fold.
    #[error("the alternative's own events do not fold: {0}")]
    AlternativeFold(FoldError),
}

/// A recorded command the alternative refuses: the member's behaviour no longer fits
/// the rules (a re-enrollment of a member who was never withdrawn, a payment after an
/// earlier withdrawal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedCommand {
    /// Log position of the event that records the command.
    pub position: u64,
    /// The contract's command name.
    pub command: &'static str,
    /// What the ledger recorded, in an auditor's words (English, as `--json` prints it).
    pub recorded: String,
    pub code: ErrorCode,
    pub message: String,
    /// The recorded event and the refusal as data, so a report says them in the
    /// reader's language (`history::describe_in`, `i18n::refusal_message`); `recorded`
    /// and `message` are their English.
    #[serde(skip)]
    pub event: Event,
    #[serde(skip)]
    pub refusal: Refusal,
}

/// The alternative run: state, events and refusals.
#[derive(Clone, Debug)]
pub struct Redecided {
    /// The member and its region after the last command.
    pub state: LedgerState,
    /// Every event the alternative decided, region events included, in order.
    pub events: Vec<Event>,
    pub refused: Vec<RefusedCommand>,
}

/// Rebuilds the commands `history` records and decides them again under `overrides`.
pub fn redecide(
    history: &MemberHistory,
    overrides: &PolicyOverrides,
) -> Result<Redecided, WhatIfError> {
    let mut state = LedgerState::default();
    let mut events = Vec::new();
    let mut refused = Vec::new();
    for envelope in &history.events {
        let Some(command) = recorded_command(&envelope.event, &state, overrides)? else {
            continue;
        };
        let name = command.name();
        let decided = decide(
            &state,
            &CommandEnvelope {
                command_id: None,
                expected_version: None,
                command,
                body_digest: None,
                earlier_body_digests: Vec::new(),
            },
        );
        match decided {
            Ok(decided) => {
                for event in decided {
                    // Positions only order the alternative's own events.
                    let position = state.position + 1;
                    state
                        .apply(position, &event)
                        .map_err(WhatIfError::AlternativeFold)?;
                    events.push(event);
                }
            }
            Err(refusal) => refused.push(RefusedCommand {
                position: envelope.position,
                command: name,
                recorded: describe(&envelope.event),
                code: refusal.code,
                message: refusal.message.clone(),
                event: envelope.event.clone(),
                refusal,
            }),
        }
    }
    Ok(Redecided {
        state,
        events,
        refused,
    })
}

/// The command an event records, or `None` for an event a month close derives.
fn recorded_command(
    event: &Event,
    state: &LedgerState,
    overrides: &PolicyOverrides,
) -> Result<Option<Command>, WhatIfError> {
    let command = match event {
        Event::PolicyPublished(policy) => Command::PublishPolicy(
            overrides
                .apply(&policy.policy())
                .map_err(WhatIfError::Policy)?,
        ),
        Event::MonthClosed(closed) => Command::CloseMonth(CloseMonth {
            region: closed.region.clone(),
            month: closed.month,
        }),
        Event::MemberEnrolled(enrolled) => Command::Enroll(Enroll {
            member_id: enrolled.member_id,
            region: enrolled.region.clone(),
            month: enrolled.month,
            base_ratio: enrolled.base_ratio,
            labor_relationship: enrolled.labor_relationship,
        }),
        Event::ContributionPaid(paid) => Command::Pay(Pay {
            member_id: paid.member_id,
            months: paid.months.iter().map(|line| line.month).collect(),
            amount: repriced_amount(state, paid),
            paid_on: paid.paid_on,
        }),
        Event::ContributionMissed(_) => return Ok(None),
        Event::MemberWithdrawn(withdrawn) => {
            if withdrawn.reason == WithdrawalReason::ArrearsExceededGrace {
                return Ok(None);
            }
            Command::Withdraw(Withdraw {
                member_id: withdrawn.member_id,
                reason: withdrawn.reason,
            })
        }
        Event::DeductionStopped(body) => Command::StopDeduction(MemberRef {
            member_id: body.member_id,
        }),
        Event::DeductionResumed(body) => Command::ResumeDeduction(MemberRef {
            member_id: body.member_id,
        }),
        Event::MemberReenrolled(reenrolled) => Command::Reenroll(Reenroll {
            member_id: reenrolled.member_id,
            month: reenrolled.month,
            base_ratio: reenrolled.base_ratio,
        }),
        Event::BaseChanged(changed) => Command::ChangeBase(ChangeBase {
            member_id: changed.member_id,
            from_month: changed.from_month,
            base_ratio: changed.base_ratio,
        }),
        // R12: a refund is derived by the withdrawal that records it.
        Event::ContributionRefunded(_) => return Ok(None),
        Event::SubsidyGranted(granted) => Command::GrantSubsidy(GrantSubsidy {
            member_id: granted.member_id,
            from_month: granted.from_month,
            months: u64::from(granted.months),
            share: granted.share,
            category: granted.category,
        }),
        Event::SubsidyRevoked(revoked) => Command::RevokeSubsidy(RevokeSubsidy {
            member_id: revoked.member_id,
            from_month: revoked.from_month,
        }),
        Event::SubsidyPaid(paid) => Command::PaySubsidy(PaySubsidy {
            member_id: paid.member_id,
            months: paid.months.clone(),
            amount: resubsidized_amount(state, paid),
            paid_on: paid.paid_on,
        }),
    };
    Ok(Some(command))
}

/// What the recorded subsidy payment's months accrued in the alternative (R16), so a
/// payment is refused only if a month did not accrue there; the recorded amount when
/// some month did not (the refusal then names that month, not the amount).
fn resubsidized_amount(state: &LedgerState, paid: &crate::domain::event::SubsidyPaid) -> Money {
    let member = state.members.get(&paid.member_id);
    let region = member.and_then(|member| state.regions.get(&member.region));
    let (Some(member), Some(region)) = (member, region) else {
        return paid.amount;
    };
    let accrued: Option<Vec<Money>> = paid
        .months
        .iter()
        .map(|month| member.accrued(*month, region.open_month).ok())
        .collect();
    accrued.map_or(paid.amount, |amounts| amounts.into_iter().sum())
}

/// What the recorded months cost in the alternative (R4), so that a payment is never
/// refused only because the alternative prices it differently. If the alternative has
/// no such member the recorded amount is kept: `decide` refuses the payment
/// (`not_enrolled`) before it looks at the amount.
fn repriced_amount(state: &LedgerState, paid: &ContributionPaid) -> Money {
    let member = state.members.get(&paid.member_id);
    let region = member.and_then(|member| state.regions.get(&member.region));
    match (member, region) {
        (Some(member), Some(region)) => paid
            .months
            .iter()
            .map(|line| member.due_for(region, line.month))
            .sum(),
        _ => paid.amount,
    }
}

/// One withdrawal (R11 or R12) as recorded or as the alternative decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WithdrawalLine {
    pub reason: WithdrawalReason,
    /// First month outside the enrollment period.
    pub effective_from: Month,
    pub lapsed_months: Vec<Month>,
    pub lapsed_amount: Money,
}

/// Where a member ends up, on one side of the comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `None` when the member never became one (the alternative refused the enrollment).
    #[serde(serialize_with = "crate::codec::wire::embed::member_status_option")]
    pub state: Option<MemberStatus>,
    /// R10: missed, unpaid, still payable.
    pub arrears_months: Vec<Month>,
    pub arrears_amount: Money,
    /// R11/R12: missed and never paid, fallen into a withdrawal; borne by the member.
    pub lapsed_months: Vec<Month>,
    pub lapsed_amount: Money,
    /// Everything paid, over all periods.
    pub paid_amount: Money,
    /// Months listed with benefits.
    pub benefit_months: usize,
    pub continuous_months: u32,
    pub cumulative_months: u32,
    pub benefit_tier: Option<String>,
    pub withdrawals: Vec<WithdrawalLine>,
    /// R7 (v2): the member has qualified.
    pub qualified: bool,
    /// R7: the latest enrollment period's benefit start.
    pub benefit_start: Option<Month>,
    /// R12 (v2): months refunded by a withdrawal, and what was refunded in all.
    pub refunded_months: Vec<Month>,
    pub refunded_amount: Money,
    /// R17: `to_account` over the listed months (paid, not refunded), arrived or not.
    pub to_account_amount: Money,
    /// R17: the personal account balance (months that have arrived).
    pub account_balance: Money,
    /// R16: months granted, accrued, paid out, owed.
    #[serde(serialize_with = "crate::codec::wire::embed::subsidy_totals")]
    pub subsidy: SubsidyTotals,
}

impl Outcome {
    fn of<'a>(
        coverage: Option<&MemberCoverage>,
        events: impl Iterator<Item = &'a Event>,
    ) -> Outcome {
        let withdrawals = events
            .filter_map(|event| match event {
                Event::MemberWithdrawn(withdrawn) => Some(WithdrawalLine {
                    reason: withdrawn.reason,
                    effective_from: withdrawn.effective_from,
                    lapsed_months: withdrawn.lapsed_months.clone(),
                    lapsed_amount: withdrawn.lapsed_amount,
                }),
                _ => None,
            })
            .collect();
        let lines = coverage.map_or(&[][..], |coverage| &coverage.months[..]);
        let lapsed: Vec<&MonthLine> = lines
            .iter()
            .filter(|line| line.status == MonthStatus::Lapsed)
            .collect();
        Outcome {
            state: coverage.map(|coverage| coverage.state),
            arrears_months: coverage
                .map_or_else(Vec::new, |coverage| coverage.arrears.months.clone()),
            arrears_amount: coverage.map_or(Money::ZERO, |coverage| coverage.arrears.amount),
            lapsed_months: lapsed.iter().map(|line| line.month).collect(),
            lapsed_amount: lapsed.iter().map(|line| line.due).sum(),
            paid_amount: lines.iter().map(|line| line.paid).sum(),
            benefit_months: lines.iter().filter(|line| line.benefits).count(),
            continuous_months: coverage.map_or(0, |coverage| coverage.continuous_months),
            cumulative_months: coverage.map_or(0, |coverage| coverage.cumulative_months),
            benefit_tier: coverage.and_then(|coverage| coverage.benefit_tier.clone()),
            withdrawals,
            qualified: coverage.is_some_and(|coverage| coverage.qualified),
            benefit_start: coverage.and_then(|coverage| coverage.benefit_start),
            refunded_months: lines
                .iter()
                .filter(|line| !line.refunded.is_zero())
                .map(|line| line.month)
                .collect(),
            refunded_amount: lines.iter().map(|line| line.refunded).sum(),
            to_account_amount: lines.iter().map(|line| line.to_account).sum(),
            account_balance: coverage.map_or(Money::ZERO, |coverage| coverage.account_balance),
            subsidy: coverage.map_or_else(
                || SubsidyTotals {
                    granted_months: 0,
                    accrued: Money::ZERO,
                    paid: Money::ZERO,
                    owed: Money::ZERO,
                },
                |coverage| coverage.subsidy.clone(),
            ),
        }
    }
}

/// One month as one side lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthView {
    #[serde(serialize_with = "crate::codec::wire::embed::month_status")]
    pub status: MonthStatus,
    pub benefits: bool,
    pub due: Money,
    pub paid: Money,
    /// The rule (R1…R17) that decided the status.
    pub rule: RuleId,
    /// R12: refunded by a withdrawal.
    pub refunded: Money,
    /// R17: the part of `paid` credited to the personal account.
    pub to_account: Money,
    /// R16: the subsidy accrued, and whether it was paid out.
    pub subsidy: Money,
    pub subsidy_paid: bool,
}

impl MonthView {
    fn of(line: &MonthLine) -> MonthView {
        MonthView {
            status: line.status,
            benefits: line.benefits,
            due: line.due,
            paid: line.paid,
            rule: line.rule,
            refunded: line.refunded,
            to_account: line.to_account,
            subsidy: line.subsidy,
            subsidy_paid: line.subsidy_paid,
        }
    }
}

/// A month whose status or benefits differ. `None` on a side that does not list the
/// month at all (a prepayment the alternative refused, an enrollment it refused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthDifference {
    pub month: Month,
    pub actual: Option<MonthView>,
    pub alternative: Option<MonthView>,
}

/// One member: the ledger as recorded against the alternative.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberWhatIf {
    pub member_id: Uuid,
    pub region: RegionName,
    /// Anything differs: a month, an outcome, or a refused command.
    pub affected: bool,
    pub actual: Outcome,
    pub alternative: Outcome,
    /// Months whose status or benefits differ, in month order. A month whose amounts
    /// alone differ (a wage or account-rate override, a subsidy accrued on one side
    /// only) is not listed; the outcomes' totals show it (paid, refunded, account,
    /// subsidy).
    pub months: Vec<MonthDifference>,
    pub refused: Vec<RefusedCommand>,
}

/// Compares `history` as recorded with the same behaviour under `overrides`.
pub fn what_if(
    history: &MemberHistory,
    overrides: &PolicyOverrides,
) -> Result<MemberWhatIf, WhatIfError> {
    let actual_coverage = history.coverage().map_err(WhatIfError::Fold)?;
    let actual_events = history.member_events().map(|envelope| &envelope.event);
    let actual = Outcome::of(actual_coverage.as_ref(), actual_events);
    let redecided = redecide(history, overrides)?;
    let alternative_coverage = coverage(&redecided.state, history.member_id);
    let alternative_events = redecided
        .events
        .iter()
        .filter(|event| event.member_id() == Some(history.member_id));
    let alternative = Outcome::of(alternative_coverage.as_ref(), alternative_events);
    let lines = |coverage: &Option<MemberCoverage>| {
        coverage
            .as_ref()
            .map_or_else(Vec::new, |coverage| coverage.months.clone())
    };
    let months = month_differences(&lines(&actual_coverage), &lines(&alternative_coverage));
    let affected = !months.is_empty() || !redecided.refused.is_empty() || actual != alternative;
    Ok(MemberWhatIf {
        member_id: history.member_id,
        region: history.region.clone(),
        affected,
        actual,
        alternative,
        months,
        refused: redecided.refused,
    })
}

/// Months listed on either side whose (status, benefits) differ, or that only one side
/// lists.
pub fn month_differences(actual: &[MonthLine], alternative: &[MonthLine]) -> Vec<MonthDifference> {
    let by_month = |lines: &[MonthLine]| -> BTreeMap<Month, MonthView> {
        lines
            .iter()
            .map(|line| (line.month, MonthView::of(line)))
            .collect()
    };
    let (actual, alternative) = (by_month(actual), by_month(alternative));
    let months: BTreeSet<Month> = actual.keys().chain(alternative.keys()).copied().collect();
    months
        .into_iter()
        .filter_map(|month| {
            let (before, after) = (actual.get(&month), alternative.get(&month));
            let same = match (before, after) {
                (Some(before), Some(after)) => {
                    before.status == after.status && before.benefits == after.benefits
                }
                _ => false,
            };
            (!same).then(|| MonthDifference {
                month,
                actual: before.cloned(),
                alternative: after.cloned(),
            })
        })
        .collect()
}

/// A month's (status, benefits) on one side; `status` `None` = not listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StatusWithBenefits {
    #[serde(serialize_with = "crate::codec::wire::embed::month_status_option")]
    pub status: Option<MonthStatus>,
    pub benefits: bool,
}

impl StatusWithBenefits {
    fn of(view: Option<&MonthView>) -> StatusWithBenefits {
        StatusWithBenefits {
            status: view.map(|view| view.status),
            benefits: view.is_some_and(|view| view.benefits),
        }
    }
}

/// How many months, over the region, go from one (status, benefits) to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub actual: StatusWithBenefits,
    pub alternative: StatusWithBenefits,
    pub months: usize,
}

/// Sums over a region's members, on one side.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub arrears_amount: Money,
    pub lapsed_months: usize,
    pub lapsed_amount: Money,
    pub paid_amount: Money,
    pub benefit_months: usize,
    /// Members withdrawn at the end.
    pub members_withdrawn: usize,
    pub withdrawals: usize,
    /// R7 (v2): members who have qualified.
    pub members_qualified: usize,
    /// R12: refunded by withdrawals.
    pub refunded_amount: Money,
    /// R17: the members' personal account balances.
    pub account_balance: Money,
    /// R16: subsidies accrued, paid out and owed.
    pub subsidy_accrued: Money,
    pub subsidy_paid: Money,
    pub subsidy_owed: Money,
}

impl Totals {
    fn add(&mut self, outcome: &Outcome) {
        self.arrears_amount = self.arrears_amount + outcome.arrears_amount;
        self.lapsed_months += outcome.lapsed_months.len();
        self.lapsed_amount = self.lapsed_amount + outcome.lapsed_amount;
        self.paid_amount = self.paid_amount + outcome.paid_amount;
        self.benefit_months += outcome.benefit_months;
        self.members_withdrawn += usize::from(outcome.state == Some(MemberStatus::Withdrawn));
        self.withdrawals += outcome.withdrawals.len();
        self.members_qualified += usize::from(outcome.qualified);
        self.refunded_amount = self.refunded_amount + outcome.refunded_amount;
        self.account_balance = self.account_balance + outcome.account_balance;
        self.subsidy_accrued = self.subsidy_accrued + outcome.subsidy.accrued;
        self.subsidy_paid = self.subsidy_paid + outcome.subsidy.paid;
        self.subsidy_owed = self.subsidy_owed + outcome.subsidy.owed;
    }
}

/// A region: every member's what-if summed, and the first affected ones in detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionWhatIf {
    pub region: RegionName,
    pub members: usize,
    pub members_affected: usize,
    pub refused_commands: usize,
    pub actual: Totals,
    pub alternative: Totals,
    /// Months changed, by (actual, alternative) pair, most frequent first.
    pub transitions: Vec<Transition>,
    /// The first `REGION_DETAIL_MEMBERS_MAX` affected members, in id order.
    pub details: Vec<MemberWhatIf>,
    /// Affected members not shown in `details` (ask for them with `--member`).
    pub details_omitted: usize,
}

/// Accumulates a region's what-if one member at a time, so memory does not grow with
/// the region.
#[derive(Clone, Debug)]
pub struct RegionSummary {
    report: RegionWhatIf,
    transitions: HashMap<(StatusWithBenefits, StatusWithBenefits), usize>,
}

impl RegionSummary {
    pub fn new(region: RegionName) -> RegionSummary {
        RegionSummary {
            report: RegionWhatIf {
                region,
                members: 0,
                members_affected: 0,
                refused_commands: 0,
                actual: Totals::default(),
                alternative: Totals::default(),
                transitions: Vec::new(),
                details: Vec::new(),
                details_omitted: 0,
            },
            transitions: HashMap::new(),
        }
    }

    pub fn add(&mut self, member: MemberWhatIf) {
        let report = &mut self.report;
        report.members += 1;
        report.refused_commands += member.refused.len();
        report.actual.add(&member.actual);
        report.alternative.add(&member.alternative);
        for difference in &member.months {
            let pair = (
                StatusWithBenefits::of(difference.actual.as_ref()),
                StatusWithBenefits::of(difference.alternative.as_ref()),
            );
            *self.transitions.entry(pair).or_default() += 1;
        }
        if !member.affected {
            return;
        }
        report.members_affected += 1;
        if report.details.len() < REGION_DETAIL_MEMBERS_MAX {
            report.details.push(member);
        } else {
            report.details_omitted += 1;
        }
    }

    pub fn finish(self) -> RegionWhatIf {
        let mut report = self.report;
        report.transitions = self
            .transitions
            .into_iter()
            .map(|((actual, alternative), months)| Transition {
                actual,
                alternative,
                months,
            })
            .collect();
        report.transitions.sort_by_key(|transition| {
            let key = |side: &StatusWithBenefits| {
                (
                    side.status
                        .map(|status| crate::audit::history::serde_plain(&status)),
                    side.benefits,
                )
            };
            (
                std::cmp::Reverse(transition.months),
                key(&transition.actual),
                key(&transition.alternative),
            )
        });
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy recorded before D87 with a delay of 0 is replayed as recorded by a
    /// what-if that does not replace a delay (the review of D87 found every what-if of
    /// such a region refused); an alternative that sets a delay of 0 is refused.
    #[test]
    fn a_recorded_delay_of_0_replays_and_an_alternative_one_is_refused() {
        let command = serde_json::json!({"command":"publish_policy","region":"demo",
            "effective_from":"2025-01","average_monthly_wage":"10000.00",
            "contribution_rate":"0.10","base_ratio_min":"0.60","base_ratio_max":"3.00",
            "grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,
            "backpay_restores":"retroactive",
            "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]});
        let parsed = crate::domain::parse_command_value(command).unwrap();
        let Command::PublishPolicy(mut recorded) = parsed.command else {
            panic!("a policy");
        };
        recorded.benefit_delay_reenroll = 0;
        assert!(PolicyOverrides::default().apply(&recorded).is_ok());
        let grace = PolicyOverrides {
            grace_months: Some(6),
            ..PolicyOverrides::default()
        };
        assert!(grace.apply(&recorded).is_ok());
        let zero = PolicyOverrides {
            benefit_delay_first: Some(0),
            ..PolicyOverrides::default()
        };
        assert!(zero.apply(&recorded).is_err());
    }
}
