//! The member coverage projection (contract "Member coverage"): every month from the
//! first enrollment month with its status, due, paid, benefits and the deciding rule.

use super::event::Event;
use super::money::Money;
use super::month::Month;
use super::policy::BackpayRestores;
use super::rule::RuleId;
use super::state::{LedgerState, MemberState, Period, RegionState};
use std::collections::BTreeSet;
use uuid::Uuid;

/// No serde: every JSON that shows it (the coverage, the replay and what-if reports)
/// writes `codec::wire::MemberStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberStatus {
    Active,
    InArrears,
    Withdrawn,
}

/// RULES.md "Month statuses".
///
/// Serialize stays (as a snake_case word) for the reports that print a status inside
/// JSON or CSV of their own (explain, replay, what-if, the audit CSV export, the HTTP
/// month route): a leaf whose word is the contract's, which each of those would
/// otherwise convert. Nothing reads it back. The member coverage writes
/// `codec::wire::MonthStatus`, a stored feed item `codec::rows::MonthStatus` (whose
/// variant order is stored bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    NotEnrolled,
    Due,
    Waiting,
    Covered,
    Arrears,
    Restored,
    Lapsed,
}

/// No serde: every JSON that shows it (the coverage, `explain`) writes
/// `codec::wire::MonthLine`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthLine {
    pub month: Month,
    pub status: MonthStatus,
    pub due: Money,
    pub paid: Money,
    pub benefits: bool,
    /// The rule (R1…R17) that decided the status.
    pub rule: RuleId,
    /// R12 (v2): what was refunded for the month (`paid` + `refunded` is everything
    /// ever paid for it).
    pub refunded: Money,
    /// R17: the part of `paid` credited to the personal account, fixed when paid.
    pub to_account: Money,
    /// R16: the subsidy the month has accrued (paid, not refunded, closed, granted).
    pub subsidy: Money,
    /// R16: whether that subsidy was paid out.
    pub subsidy_paid: bool,
}

/// R16: a member's subsidy totals.
///
/// No serde: every JSON that shows it (the coverage, the replay and what-if reports)
/// writes `codec::wire::SubsidyTotals`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsidyTotals {
    /// Months granted over all grants, after revocations (at most 36).
    pub granted_months: u32,
    pub accrued: Money,
    pub paid: Money,
    /// Accrued and not yet paid out.
    pub owed: Money,
}

/// Sent and read as `codec::wire::Arrears`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrears {
    pub months: Vec<Month>,
    pub amount: Money,
    /// R10: the last month in which the arrears can still be paid back. `None` without
    /// arrears, and when that month would fall after `Month::LAST`: no deadline within
    /// the ledger's range (D47).
    pub backpay_deadline: Option<Month>,
}

/// Sent and read as `codec::wire::MemberCoverage`, converted at the edge, so a change
/// here cannot silently change the contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberCoverage {
    pub member_id: Uuid,
    pub region: String,
    pub state: MemberStatus,
    pub deduction_stopped: bool,
    pub enrollments: u32,
    pub benefit_start: Option<Month>,
    pub paid_through: Option<Month>,
    pub continuous_months: u32,
    pub cumulative_months: u32,
    pub benefit_tier: Option<String>,
    /// R7 (v2): some period had a paid month that has arrived at or after its
    /// benefit start.
    pub qualified: bool,
    /// R17: `to_account` over paid, not refunded months that have arrived.
    pub account_balance: Money,
    pub subsidy: SubsidyTotals,
    pub arrears: Arrears,
    pub months: Vec<MonthLine>,
    /// Member stream version folded.
    pub version: u64,
    /// Global position folded: the later of the member's and its region's last event.
    pub position: u64,
}

/// The coverage of `member_id`, or `None` if the state holds no such member.
pub fn coverage(state: &LedgerState, member_id: Uuid) -> Option<MemberCoverage> {
    let member = state.members.get(&member_id)?;
    // OK because the fold refuses a member whose region does not exist.
    let region = state
        .regions
        .get(&member.region)
        .expect("member's region exists");
    Some(member_coverage(region, member))
}

pub fn member_coverage(region: &RegionState, member: &MemberState) -> MemberCoverage {
    let withdrawn = member.is_withdrawn();
    let arrears = arrears(region, member);
    let open = region.open_month;
    let continuous_months = member.continuous_months(open);
    let benefit_tier = if withdrawn {
        None
    } else {
        region
            .policy_for(region.open_month)
            .tier_for(continuous_months)
            .map(str::to_owned)
    };
    let state = if withdrawn {
        MemberStatus::Withdrawn
    } else if arrears.months.is_empty() {
        MemberStatus::Active
    } else {
        MemberStatus::InArrears
    };
    let months = month_lines(region, member);
    let cumulative_months = member.cumulative_months(open);
    let accrued: Money = months.iter().map(|line| line.subsidy).sum();
    let subsidy_paid: Money = months
        .iter()
        .filter(|line| line.subsidy_paid)
        .map(|line| line.subsidy)
        .sum();
    // OK because a member has at most one period per month.
    let enrollments = u32::try_from(member.periods.len()).expect("period count fits u32");
    MemberCoverage {
        member_id: member.member_id,
        region: member.region.to_string(),
        state,
        deduction_stopped: member.deduction_stopped,
        enrollments,
        benefit_start: member.current_period().benefit_start,
        paid_through: member.paid_through(),
        continuous_months,
        cumulative_months,
        benefit_tier,
        qualified: member.qualified(open),
        account_balance: member.account_balance(open),
        subsidy: SubsidyTotals {
            granted_months: member.granted_months(),
            accrued,
            paid: subsidy_paid,
            owed: accrued - subsidy_paid,
        },
        arrears,
        months,
        version: member.version,
        position: member.last_position.max(region.last_position),
    }
}

/// The member's arrears (R10): the missed months not paid back since the first
/// unpaid one, what they cost today, and the deadline to pay them back. What
/// `member_coverage` states, without its month lines (a region summary needs only this).
pub fn arrears(region: &RegionState, member: &MemberState) -> Arrears {
    let months = member.arrears();
    let amount = member.dues_total(region, &months);
    let backpay_deadline = months
        .first()
        .and_then(|first| backpay_deadline(region, *first));
    Arrears {
        months,
        amount,
        backpay_deadline,
    }
}

/// The member's month lines, from its first enrollment through the later of the open
/// month and the last month it ever paid: what `member_coverage` states as `months`.
/// Computed alone where only the lines are wanted (a command's coverage changes and
/// region totals, before and after it), which is most of the work of a coverage.
pub fn month_lines(region: &RegionState, member: &MemberState) -> Vec<MonthLine> {
    let first = member.periods[0].start;
    first
        .through(listed_through(region, member))
        .map(|month| month_line(region, member, month))
        .collect()
}

/// The last month a member's listing holds: the later of the open month and the last
/// month it ever paid (never before its first enrollment).
pub fn listed_through(region: &RegionState, member: &MemberState) -> Month {
    let first = member.periods[0].start;
    [
        Some(region.open_month),
        member.last_month_ever_paid(),
        Some(first),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(first)
}

/// The months whose lines a change can alter: what a command's or a close's before and
/// after comparison (feed changes, region month totals) needs to list, so that its
/// cost does not grow with the member's history.
///
/// Why a window is exact: `month_line` for a month reads the member's periods, base
/// ratios and grants, the region's policies, whether the month is before the open
/// month, and the member's facts *of that month* (paid, missed, refunded,
/// `to_account`, unrefunded, `subsidy_paid`). A change that alters only some months'
/// facts therefore alters only those months' lines, plus the lines the listing gains
/// at its end. `tests/it/properties.rs` checks this over any history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinesWindow {
    /// Any month may change (periods, base ratios, grants or the member itself).
    All,
    Months {
        months: BTreeSet<Month>,
        /// The last month listed before the change: every later month is in the
        /// window (the listing may grow).
        listed_through: Month,
    },
}

impl LinesWindow {
    pub fn contains(&self, month: Month) -> bool {
        match self {
            LinesWindow::All => true,
            LinesWindow::Months {
                months,
                listed_through,
            } => month > *listed_through || months.contains(&month),
        }
    }

    /// A window that contains every month either contains.
    pub fn union(self, other: LinesWindow) -> LinesWindow {
        match (self, other) {
            (
                LinesWindow::Months {
                    mut months,
                    listed_through,
                },
                LinesWindow::Months {
                    months: more,
                    listed_through: other_through,
                },
            ) => {
                months.extend(more);
                LinesWindow::Months {
                    months,
                    listed_through: listed_through.min(other_through),
                }
            }
            _ => LinesWindow::All,
        }
    }
}

/// Which months' lines `event` can alter for `member` as it is before the event
/// (`None`: not enrolled yet). Only events that record facts of given months have a
/// window; everything else (periods, base ratios, grants, a payment that starts a
/// period's benefits, R7) may alter any month.
pub fn lines_touched(
    region: &RegionState,
    member: Option<&MemberState>,
    event: &Event,
) -> LinesWindow {
    let Some(member) = member else {
        return LinesWindow::All;
    };
    let months: BTreeSet<Month> = match event {
        Event::ContributionPaid(paid) if member.period_started() => {
            paid.months.iter().map(|line| line.month).collect()
        }
        Event::ContributionMissed(missed) => BTreeSet::from([missed.month]),
        Event::ContributionRefunded(refund) => refund.months.iter().copied().collect(),
        Event::SubsidyPaid(subsidy) => subsidy.months.iter().copied().collect(),
        Event::DeductionStopped(_) | Event::DeductionResumed(_) => BTreeSet::new(),
        _ => return LinesWindow::All,
    };
    LinesWindow::Months {
        months,
        listed_through: listed_through(region, member),
    }
}

/// Which months' lines closing `region`'s open month alters for `member`: that month
/// (unpaid, it becomes arrears, R9; paid and granted, it accrues, R16) and the month
/// the listing gains (the new open month). `month_line` reads the open month only
/// through "is this month before it".
pub fn lines_touched_by_close(region: &RegionState, member: &MemberState) -> LinesWindow {
    LinesWindow::Months {
        months: BTreeSet::from([region.open_month]),
        listed_through: listed_through(region, member),
    }
}

/// The member's month lines in `window`, in month order: `month_lines` with the
/// months outside the window left out.
pub fn month_lines_in(
    region: &RegionState,
    member: &MemberState,
    window: &LinesWindow,
) -> Vec<MonthLine> {
    let LinesWindow::Months {
        months,
        listed_through: through_before,
    } = window
    else {
        return month_lines(region, member);
    };
    let first = member.periods[0].start;
    let last = listed_through(region, member);
    let inside = months
        .range(first..)
        .copied()
        .take_while(|month| month <= through_before && *month <= last);
    // Months after `through_before`. OK because `through_before < last` ≤
    // Month::LAST here, so `next` never clamps.
    let tail = (*through_before < last)
        .then(|| through_before.next().max(first).through(last))
        .into_iter()
        .flatten();
    inside
        .chain(tail)
        .map(|month| month_line(region, member, month))
        .collect()
}

/// R10: the last month in which an arrears run that starts in `first` can still be
/// paid back, as the contract defines the deadline: the first month from the open
/// month on whose close, the run still unpaid, leaves it longer than the grace of the
/// policy in force in that month, which withdraws the member (R11). With one grace
/// throughout that is R10's sum (`deadline_by_grace`: `first` plus the grace of the
/// open month's policy). It differs only when another policy's grace applies to a
/// close before the sum comes: a policy already in force that shortened the grace
/// (the open month, D57), or one published for a coming month with another grace
/// (that month's close, or a later one: D62). `None` when no such month comes by
/// `Month::LAST`: the deadline never comes within the ledger's range, so it is not
/// shown as an earlier month (D47). The automatic withdrawal it announces is decided
/// by counting the run at each close (`close_consequences`), the same count.
pub fn backpay_deadline(region: &RegionState, first: Month) -> Option<Month> {
    let mut month = region.open_month;
    // Ends within POLICY_MONTHS_MAX + 1 months: the run grows by one a month and no
    // grace is longer.
    loop {
        let run = first.months_until(month) + 1;
        if run > i64::from(region.policy_for(month).grace_months) {
            return Some(month);
        }
        month = month.checked_plus(1)?;
    }
}

/// R10's sum for a run that starts in `first`: `first` plus the grace of the policy in
/// force for the open month (`None` after `Month::LAST`). The deadline shown is this
/// unless another policy's grace comes first (`backpay_deadline`: D57, D62).
pub fn deadline_by_grace(region: &RegionState, first: Month) -> Option<Month> {
    first.checked_plus(i64::from(region.policy_for(region.open_month).grace_months))
}

/// One month's status (RULES.md "Month statuses") and its money (R12, R16, R17).
pub fn month_line(region: &RegionState, member: &MemberState, month: Month) -> MonthLine {
    let mut line = status_line(region, member, month);
    line.refunded = member.refunded.get(&month).copied().unwrap_or(Money::ZERO);
    if !line.paid.is_zero() {
        line.to_account = member
            .to_account
            .get(&month)
            .copied()
            .unwrap_or(Money::ZERO);
    }
    if let Ok(subsidy) = member.accrued(month, region.open_month) {
        line.subsidy = subsidy;
        line.subsidy_paid = member.subsidy_paid.contains(&month);
    }
    line
}

fn status_line(region: &RegionState, member: &MemberState, month: Month) -> MonthLine {
    let line = |status, due: Money, paid: Money, benefits, rule: RuleId| MonthLine {
        month,
        status,
        due,
        paid,
        benefits,
        rule,
        refunded: Money::ZERO,
        to_account: Money::ZERO,
        subsidy: Money::ZERO,
        subsidy_paid: false,
    };
    // The latest period that started at or before the month.
    let Some(period) = member
        .periods
        .iter()
        .rev()
        .find(|period| period.start <= month)
    else {
        return line(
            MonthStatus::NotEnrolled,
            Money::ZERO,
            Money::ZERO,
            false,
            RuleId::R5,
        );
    };
    if !period.contains(month) {
        // OK because a period that does not contain a month after its start has ended.
        let withdrawal = period
            .withdrawal
            .as_ref()
            .expect("an ended period has a withdrawal");
        // R11 or R12: the withdrawal that ended the period decided the month.
        let rule = withdrawal.reason.rule();
        if member.missed.contains_key(&month) && !member.paid.contains_key(&month) {
            return line(
                MonthStatus::Lapsed,
                member.due_for(region, month),
                Money::ZERO,
                false,
                rule,
            );
        }
        // D26: paid ahead before a v1 withdrawal and never refunded: still paid.
        let paid = member
            .unrefunded
            .get(&month)
            .copied()
            .unwrap_or(Money::ZERO);
        return line(MonthStatus::NotEnrolled, Money::ZERO, paid, false, rule);
    }
    let due = member.due_for(region, month);
    if let Some(paid) = member.paid.get(&month) {
        return paid_line(region, member, period, month, *paid);
    }
    // A closed month that is unpaid is missed (R9) even where the close's record of it
    // comes later in the log (a view cut between a `MonthClosed` and its members'
    // consequences): a closed month is never shown as `due` (contract v2).
    if member.missed.contains_key(&month) || month < region.open_month {
        return line(MonthStatus::Arrears, due, Money::ZERO, false, RuleId::R10);
    }
    line(MonthStatus::Due, due, Money::ZERO, false, RuleId::R4)
}

fn paid_line(
    region: &RegionState,
    member: &MemberState,
    period: &Period,
    month: Month,
    paid: Money,
) -> MonthLine {
    let before_benefits = period.benefit_start.is_none_or(|start| month < start);
    let (status, benefits, rule) = if before_benefits {
        (MonthStatus::Waiting, false, RuleId::R7)
    } else if member.missed.contains_key(&month) {
        let restores = region.policy_for(month).backpay_restores == BackpayRestores::Retroactive;
        (MonthStatus::Restored, restores, RuleId::R10)
    } else {
        (MonthStatus::Covered, true, RuleId::R7)
    };
    MonthLine {
        month,
        status,
        due: paid,
        paid,
        benefits,
        rule,
        refunded: Money::ZERO,
        to_account: Money::ZERO,
        subsidy: Money::ZERO,
        subsidy_paid: false,
    }
}

/// Whether two whole listings of one member (before and after a change) agree on
/// every month outside `window`: what makes a window exact. Checked by debug builds
/// after every command and by the property tests.
pub fn agree_outside(window: &LinesWindow, before: &[MonthLine], after: &[MonthLine]) -> bool {
    let outside = |lines: &[MonthLine]| -> Vec<MonthLine> {
        lines
            .iter()
            .filter(|line| !window.contains(line.month))
            .cloned()
            .collect()
    };
    outside(before) == outside(after)
}

/// One month whose status or benefits a command changed (for `CoverageChanged`).
///
/// No serde, nor in `CoverageChanged`: a stored feed item is `codec::rows`', the
/// feed's and replay's JSON `codec::wire`'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthChange {
    pub month: Month,
    /// `None` when the month was not listed before (a month newly paid ahead).
    pub old_status: Option<MonthStatus>,
    pub new_status: MonthStatus,
    pub old_benefits: bool,
    pub new_benefits: bool,
    /// The month's money after the change (v2): a refund (R12), an accrual or a
    /// subsidy payment (R16) is news even when status and benefits stay.
    pub refunded: Money,
    pub to_account: Money,
    pub subsidy: Money,
    pub subsidy_paid: bool,
}

/// A command changed some months of a member's coverage, possibly in the past (a
/// back-payment restoring months, an automatic withdrawal lapsing them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageChanged {
    pub member_id: Uuid,
    /// Global position of the last event of the command that changed it.
    pub position: u64,
    pub command_id: Uuid,
    pub months: Vec<MonthChange>,
}

/// The months whose (status, benefits) differ between two listings of one member. A
/// month that appears only in `after` counts unless it is merely `due` (every open
/// month appears as `due`; that is not news).
pub fn month_changes(before: &[MonthLine], after: &[MonthLine]) -> Vec<MonthChange> {
    let old: std::collections::HashMap<Month, &MonthLine> =
        before.iter().map(|line| (line.month, line)).collect();
    after
        .iter()
        .filter_map(|line| {
            let previous = old.get(&line.month);
            let unchanged = previous.is_some_and(|previous| {
                previous.status == line.status
                    && previous.benefits == line.benefits
                    && previous.refunded == line.refunded
                    && previous.to_account == line.to_account
                    && previous.subsidy == line.subsidy
                    && previous.subsidy_paid == line.subsidy_paid
            });
            let new_but_due = previous.is_none() && line.status == MonthStatus::Due;
            (!unchanged && !new_but_due).then(|| MonthChange {
                month: line.month,
                old_status: previous.map(|previous| previous.status),
                new_status: line.status,
                old_benefits: previous.is_some_and(|previous| previous.benefits),
                new_benefits: line.benefits,
                refunded: line.refunded,
                to_account: line.to_account,
                subsidy: line.subsidy,
                subsidy_paid: line.subsidy_paid,
            })
        })
        .collect()
}
