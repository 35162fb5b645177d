//! The bureau's view of money (R12, R16, R17): for each region and
//! month, totals over the members' month lines — contributions to the pooling fund and
//! to personal accounts, refunds, subsidies accrued and paid, members by status.
//!
//! A region's totals are *maintained*, never recomputed per request: every command
//! that changes a member's month lines adds the difference (`MonthTotals::apply`), so
//! answering costs one stored row. The definition is the sum over the members'
//! projections (`MemberCoverage::months`), which a rebuild computes from scratch and
//! `verify` compares:
//! - a line counts unless it is `due` (an open month not yet paid: every enrolled
//!   member has one, and a closed month never does) or `not_enrolled` with nothing
//!   paid or refunded (every month outside a period: not news). A `not_enrolled`
//!   month still paid is a v1 withdrawal's month paid ahead and never refunded (D26):
//!   money the fund holds, so the bureau's figures show it;
//! - those two kinds of lines are exactly the ones that appear without an event (when
//!   the open month moves on), which is why the sum can be kept by differences.

use super::coverage::{MonthLine, MonthStatus};
use super::money::Money;
use super::month::Month;
use super::state::MemberState;

/// Members whose month line has each status (`due` is 0 for a closed month).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub due: u64,
    pub waiting: u64,
    pub covered: u64,
    pub arrears: u64,
    pub restored: u64,
    pub lapsed: u64,
}

/// One region's totals for one month. No serde, like the other types here: the stored
/// row is `codec::rows::MonthTotals`, the report's JSON `codec::wire`'s.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthTotals {
    pub members_by_status: StatusCounts,
    pub members_with_benefits: u64,
    /// Members with something refunded for the month (R12).
    pub members_refunded: u64,
    /// Paid and not refunded (R4).
    pub paid: Money,
    /// The part of `paid` credited to personal accounts (R17).
    pub to_account: Money,
    pub refunded: Money,
    /// Subsidies accrued (R16) and the part of them paid out.
    pub subsidy_accrued: Money,
    pub subsidy_paid: Money,
}

/// Whether a month line counts toward its region's totals (see the module docs).
pub fn line_counts(line: &MonthLine) -> bool {
    match line.status {
        MonthStatus::Due => false,
        MonthStatus::NotEnrolled => !line.refunded.is_zero() || !line.paid.is_zero(),
        _ => true,
    }
}

impl MonthTotals {
    /// Adds (`add`) or removes one member's line.
    pub fn apply(&mut self, line: &MonthLine, add: bool) {
        if !line_counts(line) {
            return;
        }
        let step = |count: &mut u64| {
            *count = if add {
                *count + 1
            } else {
                // A removed line was added before: the count cannot go below zero.
                count.checked_sub(1).expect("a removed line was counted")
            };
        };
        let counts = &mut self.members_by_status;
        match line.status {
            MonthStatus::Due => step(&mut counts.due),
            MonthStatus::Waiting => step(&mut counts.waiting),
            MonthStatus::Covered => step(&mut counts.covered),
            MonthStatus::Arrears => step(&mut counts.arrears),
            MonthStatus::Restored => step(&mut counts.restored),
            MonthStatus::Lapsed => step(&mut counts.lapsed),
            MonthStatus::NotEnrolled => {}
        }
        if line.benefits {
            step(&mut self.members_with_benefits);
        }
        if !line.refunded.is_zero() {
            step(&mut self.members_refunded);
        }
        let subsidy_paid = if line.subsidy_paid {
            line.subsidy
        } else {
            Money::ZERO
        };
        let amounts = [
            (&mut self.paid, line.paid),
            (&mut self.to_account, line.to_account),
            (&mut self.refunded, line.refunded),
            (&mut self.subsidy_accrued, line.subsidy),
            (&mut self.subsidy_paid, subsidy_paid),
        ];
        for (total, amount) in amounts {
            // Most of a line's amounts are zero (nothing refunded, no subsidy), and a
            // zero changes no total: a fold sums every line of every member.
            if amount.is_zero() {
                continue;
            }
            *total = if add {
                *total + amount
            } else {
                *total - amount
            };
        }
    }

    /// Whether nothing counts (a row need not be stored).
    pub fn is_empty(&self) -> bool {
        *self == MonthTotals::default()
    }

    /// Adds `other`'s members and amounts: the totals of two sets of members summed
    /// apart (a fold's sums taken on several threads) are the totals of both. Every
    /// field is named, so a new one cannot be left out.
    pub fn merge(&mut self, other: &MonthTotals) {
        let MonthTotals {
            members_by_status,
            members_with_benefits,
            members_refunded,
            paid,
            to_account,
            refunded,
            subsidy_accrued,
            subsidy_paid,
        } = other;
        let StatusCounts {
            due,
            waiting,
            covered,
            arrears,
            restored,
            lapsed,
        } = members_by_status;
        let counts = &mut self.members_by_status;
        for (total, count) in [
            (&mut counts.due, due),
            (&mut counts.waiting, waiting),
            (&mut counts.covered, covered),
            (&mut counts.arrears, arrears),
            (&mut counts.restored, restored),
            (&mut counts.lapsed, lapsed),
            (&mut self.members_with_benefits, members_with_benefits),
            (&mut self.members_refunded, members_refunded),
        ] {
            *total += count;
        }
        for (total, amount) in [
            (&mut self.paid, paid),
            (&mut self.to_account, to_account),
            (&mut self.refunded, refunded),
            (&mut self.subsidy_accrued, subsidy_accrued),
            (&mut self.subsidy_paid, subsidy_paid),
        ] {
            *total = *total + *amount;
        }
    }
}

/// The region month report (`flexledger region`, `GET /v1/regions/{name}/months/{m}`),
/// as data: its JSON is `codec::wire::RegionMonthReport`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionMonthReport {
    pub region: String,
    pub month: Month,
    pub open_month: Month,
    /// Always true: only closed months are reported (an open month's figures still move).
    pub closed: bool,
    pub members_by_status: StatusCounts,
    pub members_with_benefits: u64,
    pub members_refunded: u64,
    pub contributions: Contributions,
    pub refunded: Money,
    pub subsidies: Subsidies,
    /// The log position the figures reflect: the head when the rows were read
    /// (`ledger::region_month_report`), not the region's own last event, since
    /// members' events after it (a back-payment, a refund) move the totals too.
    pub position: u64,
}

/// R17: contributions received for the month and where they went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contributions {
    pub paid: Money,
    pub pooling_fund: Money,
    pub personal_accounts: Money,
}

/// R16: subsidies accrued for the month, paid out, and still owed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subsidies {
    pub accrued: Money,
    pub paid: Money,
    pub owed: Money,
}

impl RegionMonthReport {
    pub fn new(
        region: String,
        month: Month,
        open_month: Month,
        position: u64,
        totals: &MonthTotals,
    ) -> RegionMonthReport {
        RegionMonthReport {
            region,
            month,
            open_month,
            closed: month < open_month,
            members_by_status: totals.members_by_status,
            members_with_benefits: totals.members_with_benefits,
            members_refunded: totals.members_refunded,
            contributions: Contributions {
                paid: totals.paid,
                pooling_fund: totals.paid - totals.to_account,
                personal_accounts: totals.to_account,
            },
            refunded: totals.refunded,
            subsidies: Subsidies {
                accrued: totals.subsidy_accrued,
                paid: totals.subsidy_paid,
                owed: totals.subsidy_accrued - totals.subsidy_paid,
            },
            position,
        }
    }
}

/// A region's members by standing and what they owe, as `GET /v1/regions/{name}`
/// shows them: members not withdrawn, `active` (no arrears) or `in_arrears` (R10),
/// and the sum of their arrears. Kept like the month totals, by differences: every
/// event applied to a member adds the difference of its [`MemberStanding`] before
/// and after. A member's standing is a function of its own state alone (see
/// [`member_standing`]), so a region's event (a policy, a month close) never moves it
/// and the sum can be kept by member events only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionSummary {
    pub active: u64,
    pub in_arrears: u64,
    /// R10: what the members in arrears owe for their missed months, at the dues
    /// recorded when those months were missed (R4).
    pub arrears_total: Money,
}

/// One member's part in its region's [`RegionSummary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberStanding {
    /// Withdrawn (R11, R12): not counted.
    Withdrawn,
    /// Enrolled with no arrears.
    Active,
    /// Enrolled with arrears (R10) owing this much.
    InArrears(Money),
}

/// A member's standing, from its own state only: withdrawn (R11, R12), or its
/// arrears months (R10: missed and unpaid months of the current period) summed at
/// the dues recorded by their `ContributionMissed` (R4). This is what the member's
/// coverage says (`MemberCoverage::state` and `arrears.amount`, priced by
/// `MemberState::due_for`, which takes a missed, unpaid month's recorded due), with
/// no region read: `ledger::region_summary_folded` and `verify` check the two agree.
pub fn member_standing(member: &MemberState) -> MemberStanding {
    if member.is_withdrawn() {
        return MemberStanding::Withdrawn;
    }
    let months = member.arrears();
    if months.is_empty() {
        return MemberStanding::Active;
    }
    let owed = months
        .iter()
        .filter_map(|month| member.missed.get(month).copied())
        .sum();
    MemberStanding::InArrears(owed)
}

impl RegionSummary {
    /// Adds (`add`) or removes one member's standing. Removing what was never added
    /// stops at zero instead of wrapping; `verify` reports such a row as differing
    /// from the fold.
    pub fn apply(&mut self, standing: MemberStanding, add: bool) {
        let step = |count: &mut u64| {
            *count = if add {
                count.saturating_add(1)
            } else {
                count.saturating_sub(1)
            };
        };
        match standing {
            MemberStanding::Withdrawn => {}
            MemberStanding::Active => step(&mut self.active),
            MemberStanding::InArrears(owed) => {
                step(&mut self.in_arrears);
                self.arrears_total = if add {
                    self.arrears_total + owed
                } else if self.arrears_total >= owed {
                    self.arrears_total - owed
                } else {
                    Money::ZERO
                };
            }
        }
    }

    /// Adds `other`'s members (as `MonthTotals::merge`).
    pub fn merge(&mut self, other: &RegionSummary) {
        let RegionSummary {
            active,
            in_arrears,
            arrears_total,
        } = other;
        self.active += active;
        self.in_arrears += in_arrears;
        self.arrears_total = self.arrears_total + *arrears_total;
    }

    /// The summary with `member`'s standing changed from `before` to `after`.
    pub fn change(&mut self, before: MemberStanding, after: MemberStanding) {
        if before != after {
            self.apply(before, false);
            self.apply(after, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owed(text: &str) -> MemberStanding {
        MemberStanding::InArrears(Money::parse(text).unwrap())
    }

    #[test]
    fn a_standing_change_moves_the_summary_by_its_difference() {
        let mut summary = RegionSummary::default();
        summary.change(MemberStanding::Withdrawn, MemberStanding::Active);
        summary.change(MemberStanding::Withdrawn, owed("600.00"));
        summary.change(owed("600.00"), owed("1200.00"));
        assert_eq!((summary.active, summary.in_arrears), (1, 1));
        assert_eq!(summary.arrears_total, Money::parse("1200.00").unwrap());
        summary.change(owed("1200.00"), MemberStanding::Active);
        summary.change(MemberStanding::Active, MemberStanding::Withdrawn);
        assert_eq!((summary.active, summary.in_arrears), (1, 0));
        assert_eq!(summary.arrears_total, Money::ZERO);
        summary.change(MemberStanding::Active, MemberStanding::Active);
        assert_eq!(summary.active, 1, "no change, no difference");
    }

    #[test]
    fn removing_what_was_never_added_stops_at_zero() {
        let mut summary = RegionSummary::default();
        summary.apply(owed("600.00"), false);
        summary.apply(MemberStanding::Active, false);
        assert_eq!(summary, RegionSummary::default());
    }
}
