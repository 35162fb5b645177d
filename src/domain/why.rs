//! Why a month has its status: the facts that decided it and the rules they apply, as
//! data. [`month_why`] derives them next to [`month_line`] from the same state, so what
//! decided a month and what explains it cannot drift apart; the auditor's renderers
//! (`audit/explain.rs`) only put them into words.
//!
//! Not part of the member coverage's wire shape: a month line stays what the contract
//! says, and an explanation is asked for one month at a time.
//!
//! Most facts are in the state; a few are only in the events (the first payment's
//! months, the months a withdrawal lapsed, subsidy events that name the month, each
//! refund of the month, the policy a paid month was paid under), so the caller passes
//! them in as [`MonthEvents`] — the domain stays pure.

use super::command::WithdrawalReason;
use super::coverage::{backpay_deadline, deadline_by_grace, month_line, MonthLine, MonthStatus};
use super::event::Event;
use super::money::{monthly_due, subsidy_of, Money, Ratio};
use super::month::Month;
use super::policy::{BackpayRestores, Policy};
use super::rule::RuleId;
use super::state::{Grant, MemberState, NotAccrued, RegionState, Withdrawal};
use std::collections::BTreeMap;

/// What the member's events say about a month that the state does not keep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthEvents {
    /// R7: the first payment of the latest period begun at or before the month.
    pub first_payment: Option<FirstPayment>,
    /// R11/R12: the withdrawal whose lapsed months include this month.
    pub lapsed_by: Option<LapsedBy>,
    /// R16: a subsidy event bears on the month (a grant naming it, a revocation that
    /// took it away, a payout naming it).
    pub subsidy_event: bool,
    /// R16: the position of the revocation that took the month's grant away.
    pub revoked_at: Option<u64>,
    /// R12: every refund of the month, in log order, each with the withdrawal
    /// recorded with it (in the same append) and what it gave back for the month. A
    /// month refunded, paid again after a re-enrollment and refunded again has two;
    /// the withdrawal in force at the month need be none of theirs (a later one that
    /// refunded nothing).
    pub refunds: Vec<RefundPart>,
    /// R4, R17: for a paid month, what the ledger held when its payment was folded,
    /// given only when a publication recorded since is in force for the month now.
    pub paid_under: Option<PaidUnder>,
}

/// R12: one refund of a month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundPart {
    /// Where the `ContributionRefunded` was recorded.
    pub refund_position: u64,
    /// What this refund gave back for the month: what the month was paid at then.
    pub amount: Money,
    /// The withdrawal recorded with it, and where.
    pub withdrawal: Option<(u64, Withdrawal)>,
    /// Whether that withdrawal took effect from its period's first month (R12: no
    /// month up to the open month was paid, so there is no L), not the month after L.
    pub from_period_start: bool,
}

/// R12: every refund of each month, in log order, from one member's events (in log
/// order, each with its position; its region's events among them change nothing): what
/// [`MonthEvents::refunds`] holds for a month, and what a timeline names for each.
/// Each refund gave back what the month was paid at then (its last payment before the
/// refund, as the fold takes it back), and came with a withdrawal: a v2 withdrawal and
/// the refund of the months paid beyond its period are one append, the withdrawal
/// first, so it is the last withdrawal before that refund in the member's stream.
pub fn refunds_by_month<'a>(
    events: impl IntoIterator<Item = (u64, &'a Event)>,
) -> BTreeMap<Month, Vec<RefundPart>> {
    let mut withdrawal = None;
    let mut period_start = None;
    let mut paid_at: BTreeMap<Month, Money> = BTreeMap::new();
    let mut refunds: BTreeMap<Month, Vec<RefundPart>> = BTreeMap::new();
    for (position, event) in events {
        match event {
            Event::MemberEnrolled(enrolled) => period_start = Some(enrolled.month),
            Event::MemberReenrolled(reenrolled) => period_start = Some(reenrolled.month),
            Event::ContributionPaid(paid) => {
                paid_at.extend(paid.months.iter().map(|line| (line.month, line.amount)));
            }
            Event::MemberWithdrawn(withdrawn) => {
                let ended = Withdrawal {
                    reason: withdrawn.reason,
                    effective_from: withdrawn.effective_from,
                };
                withdrawal = Some((position, ended));
            }
            Event::ContributionRefunded(refund) => {
                for month in &refund.months {
                    refunds.entry(*month).or_default().push(RefundPart {
                        refund_position: position,
                        amount: paid_at.get(month).copied().unwrap_or(Money::ZERO),
                        withdrawal: withdrawal.clone(),
                        from_period_start: withdrawal
                            .as_ref()
                            .is_some_and(|(_, ended)| Some(ended.effective_from) == period_start),
                    });
                }
            }
            _ => {}
        }
    }
    refunds
}

/// R4, R17: the policy in force for a paid month when its payment was folded and the
/// member's ratio for the month then: what priced the month and split it, once. Given
/// when a publication recorded since (a policy published for a month paid ahead, or
/// D5's replacement) is the one in force for the month now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidUnder {
    /// Where the payment was recorded.
    pub payment_position: u64,
    /// Where the policy then in force for the month was recorded.
    pub policy_position: u64,
    pub policy: Policy,
    /// The member's own ratio for the month then.
    pub chosen_ratio: Ratio,
}

impl PaidUnder {
    /// The ratio the month was priced at: the member's, within the policy's band (D58).
    pub fn priced_ratio(&self) -> Ratio {
        self.chosen_ratio
            .clamp(self.policy.base_ratio_min, self.policy.base_ratio_max)
    }
}

/// R7: a period's first payment: where it was recorded, the month it was made in and
/// the first month it paid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstPayment {
    pub position: u64,
    pub payment_month: Month,
    pub first_paid: Month,
}

/// R11/R12: a withdrawal that lapsed months: its reason and every month it lapsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LapsedBy {
    pub reason: WithdrawalReason,
    pub lapsed_months: Vec<Month>,
}

/// Why one month has its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthWhy {
    /// The month's line, as the member coverage lists it.
    pub line: MonthLine,
    /// The rules applied, the deciding one (`line.rule`) first, each once.
    pub rules: Vec<RuleId>,
    /// R4: what the month costs; `None` for a month outside every period.
    pub due: Option<DueWhy>,
    /// R8: the deduction is stopped and the month is one a payment would pay.
    pub deduction_stopped: bool,
    /// The facts behind the status itself.
    pub status: StatusWhy,
    /// R12: the refund of a month paid ahead of a withdrawal.
    pub refund: Option<RefundWhy>,
    /// R17: the personal-account part of a paid month.
    pub account: Option<AccountWhy>,
    /// R16: the month's subsidy grant, or the revocation that took it away.
    pub subsidy: Option<SubsidyWhy>,
}

/// R4: the month's due and what the policy and base in force price it at now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueWhy {
    pub due: Money,
    /// `round2(wage × ratio × rate)` by today's policy and base: differs from `due`
    /// when a month kept the due it was paid at or recorded missed at.
    pub priced_now: Money,
    /// The wage, ratio and rate that price the month: of the policy in force for it
    /// now, or, with `paid_under`, of the one in force for it when it was paid.
    pub wage: Money,
    /// The ratio the month is priced at: `chosen_ratio` within the band of the policy
    /// (D58).
    pub base_ratio: Ratio,
    pub rate: Ratio,
    /// The member's own ratio for the month, and the band it was clamped to when that
    /// differs from `base_ratio`.
    pub chosen_ratio: Ratio,
    pub band: (Ratio, Ratio),
    /// R4: where the policy that priced the paid month was recorded, when a later
    /// publication is in force for it now ([`MonthEvents::paid_under`]) and that
    /// policy gives exactly `due`; the fields above are then that policy's.
    pub paid_under: Option<u64>,
}

/// The facts behind each status (RULES.md "Month statuses").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusWhy {
    /// R4, R6, R9: open or later, unpaid.
    Due { open_month: Month },
    /// R7: paid before the period's benefit start.
    Waiting {
        benefit_start: Option<Month>,
        how: Option<BenefitStartWhy>,
        /// R11/R12: the withdrawal that ended the month's period, if it has ended
        /// (before the benefit start, the month's contribution bought no coverage).
        ended: Option<Withdrawal>,
    },
    /// R7: paid at or after the benefit start, never missed.
    Covered {
        benefit_start: Option<Month>,
        how: Option<BenefitStartWhy>,
    },
    /// R9, R10, R11: closed unpaid, payable until the back-pay deadline.
    Arrears(ArrearsWhy),
    /// R10: missed, then paid back within grace; benefits by P-restore.
    Restored { backpay_restores: BackpayRestores },
    /// R11 or R12: missed and never paid back, lapsed by a withdrawal.
    Lapsed(LapseWhy),
    /// R5, R13: before the first enrollment, or after a withdrawal (R11/R12).
    NotEnrolled { withdrawal: Option<Withdrawal> },
}

/// R7: how the period's benefit start was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenefitStartWhy {
    pub first_payment: FirstPayment,
    /// The later of the payment's month and the first month it paid for.
    pub p: Month,
    /// Which delay applies, and why.
    pub delay: DelayWhy,
    /// The delay in months the policy in force in P gives for that reason.
    pub delay_months: u32,
    /// The period's benefit start; `None` when it falls after `Month::LAST`: no month
    /// of the period within the ledger's range has benefits (D47).
    pub benefit_start: Option<Month>,
    /// The delay the ledger recorded (benefit start − P), which differs from
    /// `delay_months` only when the policies in the history changed since; `None`
    /// with `benefit_start`.
    pub recorded_delay_months: Option<i64>,
}

/// R7: why the first-time delay (P-delay-first) or the re-enrollment delay
/// (P-delay-re) applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DelayWhy {
    /// The member's first enrollment: first-time delay.
    FirstEnrollment,
    /// Enrolled again without having qualified before: first-time delay.
    NotQualified,
    /// Qualified before, and the policy sets no P-reset: re-enrollment delay.
    NoReset,
    /// Qualified before, and the gap since `last_paid` is at most P-reset:
    /// re-enrollment delay.
    GapWithinReset {
        last_paid: Month,
        gap_months: i64,
        reset: u32,
    },
    /// Qualified before, but the gap is longer than P-reset: first-time delay.
    GapBeyondReset {
        last_paid: Month,
        gap_months: i64,
        reset: u32,
    },
    /// Qualified before, P-reset set, and no month paid before this period:
    /// first-time delay.
    NothingPaidBefore { reset: u32 },
}

/// R10: the member's arrears run and how long it can be paid back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArrearsWhy {
    pub first: Month,
    pub months: usize,
    /// What the run owes: the sum of the dues its months were recorded missed at.
    pub owed: Money,
    /// P-grace of the policy in force for the open month.
    pub grace_months: u32,
    /// The last month the run can be paid back in; `None` when it falls after
    /// `Month::LAST`, so it never comes within the ledger's range (D47).
    pub backpay_deadline: Option<Month>,
    /// Why the deadline is that month.
    pub deadline_by: DeadlineBy,
}

/// R10, R11: why the back-pay deadline is the month it is (`backpay_deadline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineBy {
    /// R10's sum: first arrears month + the grace of the open month's policy.
    Sum,
    /// The open month, because the sum fell before it: a later policy shortened the
    /// grace (D57).
    OpenMonth,
    /// The month whose close, the run unpaid, leaves it longer than the grace of the
    /// policy in force in that month, another grace than the open month's (a policy
    /// published for a coming month, D62): `run` months against `grace`.
    PolicyOfTheMonth { run: i64, grace: u32 },
}

/// Why `deadline`, the back-pay deadline of a run from `first` (`backpay_deadline`),
/// is that month (D57, D62).
fn deadline_by(region: &RegionState, first: Month, deadline: Option<Month>) -> DeadlineBy {
    let sum = deadline_by_grace(region, first);
    match deadline {
        Some(_) if sum.is_some_and(|sum| sum < region.open_month) => DeadlineBy::OpenMonth,
        Some(deadline) if Some(deadline) != sum => DeadlineBy::PolicyOfTheMonth {
            run: first.months_until(deadline) + 1,
            grace: region.policy_for(deadline).grace_months,
        },
        _ => DeadlineBy::Sum,
    }
}

/// R11/R12: the withdrawal that lapsed the month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LapseWhy {
    /// `None` when the withdrawal is not in the events passed in.
    pub reason: Option<WithdrawalReason>,
    /// The last month it lapsed: for R11, the month whose close withdrew the member.
    pub closed: Option<Month>,
    pub lapsed_months: usize,
    /// P-grace of the closed month's policy (else of this month's), which the run
    /// exceeded (R10, R11).
    pub grace_months: u32,
}

/// R12: a month paid ahead and refunded by a withdrawal, once or more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundWhy {
    /// Everything refunded for the month.
    pub refunded: Money,
    /// Each refund, what it gave back and its withdrawal ([`MonthEvents::refunds`]).
    pub parts: Vec<RefundPart>,
}

impl RefundWhy {
    /// The withdrawal recorded with the month's last refund.
    pub fn last_withdrawal(&self) -> Option<&Withdrawal> {
        let (_, withdrawal) = self.parts.last()?.withdrawal.as_ref()?;
        Some(withdrawal)
    }
}

/// R17: the split of a paid month between the personal account and the pooling fund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountWhy {
    pub to_account: Money,
    pub pooled: Money,
    /// `(wage, base ratio, account rate)` when the policy that split the month gives
    /// exactly `to_account`: today's, or with `when_paid` the one in force for the
    /// month when it was paid ([`MonthEvents::paid_under`]); `None` when neither
    /// shows how (fixed by what was in force when paid).
    pub formula: Option<(Money, Ratio, Ratio)>,
    /// The formula is that of the policy in force for the month when it was paid, a
    /// later publication being in force for it now.
    pub when_paid: bool,
    pub open_month: Month,
    /// The personal account balance now (credited once the month arrives).
    pub balance: Money,
}

/// R16: a granted month's subsidy, or the revocation that ended its grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubsidyWhy {
    Granted {
        grant: Grant,
        /// What it accrued, or why it has not.
        accrual: Result<Money, NotAccrued>,
        /// `round2(paid × share)`: what a paid month accrues at its close.
        at_close: Money,
        paid_out: bool,
        open_month: Month,
    },
    /// A grant named the month, but a revocation recorded at `position` took it away.
    Revoked { position: u64 },
}

/// The rules that support each status after the deciding one (R8, R12, R16 and R17
/// are added by the month's own facts).
pub fn supporting_rules(status: MonthStatus) -> &'static [RuleId] {
    use RuleId::*;
    match status {
        MonthStatus::Due => &[R4, R6, R9],
        MonthStatus::Waiting | MonthStatus::Covered => &[R7, R6, R4],
        MonthStatus::Arrears => &[R9, R10, R11, R4],
        MonthStatus::Restored => &[R9, R10, R7],
        MonthStatus::Lapsed => &[R9, R10],
        MonthStatus::NotEnrolled => &[R5, R13],
    }
}

/// Why `month` has its status, from the same state [`month_line`] reads and the event
/// facts the state does not keep.
pub fn month_why(
    region: &RegionState,
    member: &MemberState,
    month: Month,
    events: &MonthEvents,
) -> MonthWhy {
    let line = month_line(region, member, month);
    // R8: a stopped deduction blocks exactly the months a payment would pay.
    let deduction_stopped =
        member.deduction_stopped && matches!(line.status, MonthStatus::Due | MonthStatus::Arrears);
    // R4, R17: what the ledger held when the month's payment was folded, if the month
    // is paid (a month refunded since is not).
    let paid_under = events
        .paid_under
        .as_ref()
        .filter(|_| member.paid.contains_key(&month));
    let due = (line.status != MonthStatus::NotEnrolled)
        .then(|| due_why(region, member, month, paid_under));
    let status = status_why(region, member, &line, events);
    let refund = (!line.refunded.is_zero()).then(|| RefundWhy {
        refunded: line.refunded,
        parts: events.refunds.clone(),
    });
    let account = account_why(region, member, &line, paid_under);
    let subsidy = subsidy_why(region, member, &line, events);
    let rules = rules_applied(&line, deduction_stopped, events.subsidy_event, member);
    MonthWhy {
        line,
        rules,
        due,
        deduction_stopped,
        status,
        refund,
        account,
        subsidy,
    }
}

/// The deciding rule, its supporting rules, then the rules of the month's own facts.
fn rules_applied(
    line: &MonthLine,
    deduction_stopped: bool,
    subsidy_event: bool,
    member: &MemberState,
) -> Vec<RuleId> {
    let mut ids = vec![line.rule];
    // A month before the first enrollment (decided by R5) was never in a period that
    // a re-enrollment (R13) could follow.
    let before_first_enrollment =
        line.status == MonthStatus::NotEnrolled && line.rule == RuleId::R5;
    if !before_first_enrollment {
        ids.extend(supporting_rules(line.status));
    }
    // R9, R10: a paid month that its close recorded missed was paid back. A month of
    // the wait is `waiting` (R7) for all that, and its back payment needs the rules
    // that allow it as much as a restored month's does.
    if member.missed.contains_key(&line.month) && member.paid.contains_key(&line.month) {
        ids.extend([RuleId::R9, RuleId::R10]);
    }
    if deduction_stopped {
        ids.push(RuleId::R8);
    }
    if !line.refunded.is_zero() {
        ids.push(RuleId::R12);
    }
    if member.grant_for(line.month).is_some() || !line.subsidy.is_zero() || subsidy_event {
        ids.push(RuleId::R16);
    }
    if !line.to_account.is_zero() {
        ids.push(RuleId::R17);
    }
    let mut seen = std::collections::BTreeSet::new();
    ids.retain(|id| seen.insert(*id));
    ids
}

/// R4: the month's due, and what priced it: the policy in force for it now, or for a
/// paid month whose policy was replaced since, the one in force when it was paid
/// (`paid_under`), if that gives its due.
fn due_why(
    region: &RegionState,
    member: &MemberState,
    month: Month,
    paid_under: Option<&PaidUnder>,
) -> DueWhy {
    let policy = region.policy_for(month);
    let base_ratio = member.priced_ratio(region, month);
    let now = DueWhy {
        due: member.due_for(region, month),
        priced_now: monthly_due(
            policy.average_monthly_wage,
            base_ratio,
            policy.contribution_rate,
        ),
        wage: policy.average_monthly_wage,
        base_ratio,
        rate: policy.contribution_rate,
        chosen_ratio: member.base_ratio_for(month),
        band: (policy.base_ratio_min, policy.base_ratio_max),
        paid_under: None,
    };
    let Some(then) = paid_under else {
        return now;
    };
    let ratio = then.priced_ratio();
    let policy = &then.policy;
    if monthly_due(policy.average_monthly_wage, ratio, policy.contribution_rate) != now.due {
        return now;
    }
    DueWhy {
        wage: policy.average_monthly_wage,
        base_ratio: ratio,
        rate: policy.contribution_rate,
        chosen_ratio: then.chosen_ratio,
        band: (policy.base_ratio_min, policy.base_ratio_max),
        paid_under: Some(then.policy_position),
        ..now
    }
}

fn status_why(
    region: &RegionState,
    member: &MemberState,
    line: &MonthLine,
    events: &MonthEvents,
) -> StatusWhy {
    let month = line.month;
    // The latest period that started at or before the month (as `month_line` reads).
    let period_index = member
        .periods
        .iter()
        .rposition(|period| period.start <= month);
    let period = period_index.map(|index| &member.periods[index]);
    let benefit_start = period.and_then(|period| period.benefit_start);
    let how = || period_index.and_then(|index| benefit_start_why(region, member, index, events));
    match line.status {
        MonthStatus::Due => StatusWhy::Due {
            open_month: region.open_month,
        },
        MonthStatus::Waiting => StatusWhy::Waiting {
            benefit_start,
            how: how(),
            ended: period.and_then(|period| period.withdrawal.clone()),
        },
        MonthStatus::Covered => StatusWhy::Covered {
            benefit_start,
            how: how(),
        },
        MonthStatus::Arrears => {
            let arrears = member.arrears();
            let first = arrears.first().copied().unwrap_or(month);
            let owed = arrears
                .iter()
                .filter_map(|month| member.missed.get(month))
                .copied()
                .sum();
            let deadline = backpay_deadline(region, first);
            StatusWhy::Arrears(ArrearsWhy {
                first,
                months: arrears.len(),
                owed,
                grace_months: region.policy_for(region.open_month).grace_months,
                backpay_deadline: deadline,
                deadline_by: deadline_by(region, first, deadline),
            })
        }
        MonthStatus::Restored => StatusWhy::Restored {
            backpay_restores: region.policy_for(month).backpay_restores,
        },
        MonthStatus::Lapsed => {
            let lapsed_by = events.lapsed_by.as_ref();
            // R10: a close checks the run against the grace of the month being closed,
            // the last month the withdrawal lapsed.
            let closed = lapsed_by.and_then(|lapsed| lapsed.lapsed_months.iter().max().copied());
            StatusWhy::Lapsed(LapseWhy {
                reason: lapsed_by.map(|lapsed| lapsed.reason),
                closed,
                lapsed_months: lapsed_by.map_or(0, |lapsed| lapsed.lapsed_months.len()),
                grace_months: region.policy_for(closed.unwrap_or(month)).grace_months,
            })
        }
        MonthStatus::NotEnrolled => StatusWhy::NotEnrolled {
            withdrawal: period.and_then(|period| period.withdrawal.clone()),
        },
    }
}

/// R7: P, the delay and why that delay, for the period at `index` (as the fold
/// decided it when the first payment was made, in the open month). `None` before the
/// period's first payment (or without its event in `events`).
fn benefit_start_why(
    region: &RegionState,
    member: &MemberState,
    index: usize,
    events: &MonthEvents,
) -> Option<BenefitStartWhy> {
    let period = &member.periods[index];
    let benefit_start = period.benefit_start;
    let first_payment = events.first_payment?;
    let p = first_payment.payment_month.max(first_payment.first_paid);
    let policy = region.policy_for(p);
    let qualified = member.qualified_in(&member.periods[..index], first_payment.payment_month);
    let last_paid = member
        .paid
        .range(..period.start)
        .next_back()
        .map(|(month, _)| *month);
    let delay = if index == 0 {
        DelayWhy::FirstEnrollment
    } else if !qualified {
        DelayWhy::NotQualified
    } else {
        match (policy.first_wait_after_gap_months, last_paid) {
            (None, _) => DelayWhy::NoReset,
            (Some(reset), Some(last_paid)) => {
                let gap_months = last_paid.months_until(p) - 1;
                if gap_months <= i64::from(reset) {
                    DelayWhy::GapWithinReset {
                        last_paid,
                        gap_months,
                        reset,
                    }
                } else {
                    DelayWhy::GapBeyondReset {
                        last_paid,
                        gap_months,
                        reset,
                    }
                }
            }
            (Some(reset), None) => DelayWhy::NothingPaidBefore { reset },
        }
    };
    let delay_months = match delay {
        DelayWhy::NoReset | DelayWhy::GapWithinReset { .. } => policy.benefit_delay_reenroll,
        DelayWhy::FirstEnrollment
        | DelayWhy::NotQualified
        | DelayWhy::GapBeyondReset { .. }
        | DelayWhy::NothingPaidBefore { .. } => policy.benefit_delay_first,
    };
    Some(BenefitStartWhy {
        first_payment,
        p,
        delay,
        delay_months,
        benefit_start,
        recorded_delay_months: benefit_start.map(|start| p.months_until(start)),
    })
}

/// R17: the month's split, and the formula of the policy that split it: today's, or
/// for a paid month whose policy was replaced since, the one in force when it was
/// paid (`paid_under`; today's would be another policy's numbers, even if they gave
/// the same amount).
fn account_why(
    region: &RegionState,
    member: &MemberState,
    line: &MonthLine,
    paid_under: Option<&PaidUnder>,
) -> Option<AccountWhy> {
    if line.to_account.is_zero() {
        return None;
    }
    let (policy, base_ratio) = match paid_under {
        Some(then) => (&then.policy, then.priced_ratio()),
        None => (
            region.policy_for(line.month),
            member.priced_ratio(region, line.month),
        ),
    };
    let formula = policy
        .account_rate
        .filter(|_| policy.to_account(base_ratio) == line.to_account)
        .map(|rate| (policy.average_monthly_wage, base_ratio, rate));
    Some(AccountWhy {
        to_account: line.to_account,
        pooled: line.paid - line.to_account,
        formula,
        when_paid: paid_under.is_some() && formula.is_some(),
        open_month: region.open_month,
        balance: member.account_balance(region.open_month),
    })
}

fn subsidy_why(
    region: &RegionState,
    member: &MemberState,
    line: &MonthLine,
    events: &MonthEvents,
) -> Option<SubsidyWhy> {
    let Some(grant) = member.grant_for(line.month) else {
        return events
            .revoked_at
            .map(|position| SubsidyWhy::Revoked { position });
    };
    // Why not, exactly as `pay_subsidy` refuses it: a refunded month the member
    // enrolled for again (R13) and has not paid again is unpaid, not refunded.
    let accrual = member.accrued(line.month, region.open_month);
    if accrual == Err(NotAccrued::NotGranted) {
        return None;
    }
    Some(SubsidyWhy::Granted {
        grant: grant.clone(),
        accrual,
        at_close: subsidy_of(line.paid, grant.share),
        paid_out: line.subsidy_paid,
        open_month: region.open_month,
    })
}
