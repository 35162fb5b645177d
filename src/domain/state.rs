//! The fold's state: what decisions and projections need, derived only from events.
//!
//! `LedgerState::apply` is the one fold: it has no business logic beyond recording
//! facts (cqrs-es `apply`), except deriving each period's benefit start from the policy
//! in force (R7), which is why region events and member events are folded together in
//! global order.

use super::command::{SubsidyCategory, WithdrawalReason};
use super::event::*;
use super::money::{monthly_due, subsidy_of, Money, Ratio, Share};
use super::month::Month;
use super::policy::{Policy, RegionName};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// A region: its open month (R1) and its policies by `effective_from` (R3).
///
/// No serde here or in the other state types: their stored rows are
/// `codec::rows`' own types, so a field renamed or moved here never changes stored
/// bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionState {
    pub name: RegionName,
    pub open_month: Month,
    /// Never empty: a region exists from its first `PolicyPublished`.
    pub policies: BTreeMap<Month, Policy>,
    /// Events in the region stream.
    pub version: u64,
    /// Global position of the region's last event.
    pub last_position: u64,
}

impl RegionState {
    /// What every region built by the fold satisfies; checked on rows read from disk,
    /// which carry no hash.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.policies.is_empty() {
            return Err(format!("region {} has no policy", self.name));
        }
        Ok(())
    }

    /// R1: the region's first month, its first policy's `effective_from`: months
    /// before it were never open (nor closed).
    pub fn first_month(&self) -> Month {
        self.policies
            .keys()
            .next()
            .copied()
            .unwrap_or(self.open_month)
    }

    /// R3: the policy with the greatest `effective_from` ≤ `month`. Months before the
    /// first policy never carry member data (enrollment starts in the open month or
    /// later), so for them the first policy answers.
    pub fn policy_for(&self, month: Month) -> &Policy {
        let found = self
            .policies
            .range(..=month)
            .next_back()
            .or_else(|| self.policies.iter().next());
        // OK because a RegionState is only created with its first policy.
        found.expect("a region always has a policy").1
    }
}

/// One enrollment period (R13): from `start` until a withdrawal takes effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: Month,
    /// R7: the period's first payment's month plus the period's delay. `None` before
    /// the period's first payment, and also after it when that month would fall after
    /// [`Month::LAST`]: the period has no month with benefits within the ledger's range
    /// (D47). Which of the two it is, is `MemberState::period_started`.
    pub benefit_start: Option<Month>,
    pub withdrawal: Option<Withdrawal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    pub reason: WithdrawalReason,
    pub effective_from: Month,
}

impl Period {
    /// Whether `month` lies inside the period (before any withdrawal took effect).
    pub fn contains(&self, month: Month) -> bool {
        let before_end = match &self.withdrawal {
            Some(withdrawal) => month < withdrawal.effective_from,
            None => true,
        };
        self.start <= month && before_end
    }
}

/// A member: periods, what was paid, what was missed, and the base ratio schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberState {
    pub member_id: Uuid,
    pub region: RegionName,
    /// Events in the member stream.
    pub version: u64,
    /// Global position of the member's last event.
    pub last_position: u64,
    pub deduction_stopped: bool,
    /// Never empty: a member exists from `MemberEnrolled`.
    pub periods: Vec<Period>,
    /// R4/R15: base ratio from each month on.
    pub base_ratios: BTreeMap<Month, Ratio>,
    /// Paid months and the due each was paid at (R4: it never changes).
    pub paid: BTreeMap<Month, Money>,
    /// Months recorded missed at a month close (R9), paid back or not.
    pub missed: BTreeMap<Month, Money>,
    /// R12 (v2): months refunded by a withdrawal and what was refunded for each (a
    /// month paid again after a re-enrollment and refunded again adds up).
    pub refunded: BTreeMap<Month, Money>,
    /// R17: each paid month's part credited to the personal account, fixed when paid.
    /// Absent for a month means `0.00` (no `account_rate`).
    pub to_account: BTreeMap<Month, Money>,
    /// R16: the member's subsidy grants, as narrowed by revocations (a grant revoked
    /// from its first month is removed).
    pub grants: Vec<Grant>,
    /// R16: months whose accrued subsidy was paid out.
    pub subsidy_paid: BTreeSet<Month>,
    /// R12 read over a v1 history (D26): months paid ahead before a withdrawal recorded
    /// by v1, which v2 places outside the period; v1 never refunded them, so they stay
    /// paid (shown as `paid` on a `not_enrolled` month: a refund the ledger still owes).
    pub unrefunded: BTreeMap<Month, Money>,
}

/// R16: one subsidy grant, after revocations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub from_month: Month,
    /// Months granted from `from_month` (at least 1: an emptied grant is removed).
    pub months: u32,
    pub share: Share,
    pub category: SubsidyCategory,
}

impl Grant {
    /// The grant's last month, for messages.
    pub fn last(&self) -> Month {
        // OK because only a message shows it: a grant decided by this build ends by
        // Month::LAST (D47 refuses one running past it), and one an older build
        // recorded running past it covers every month from its first on, which
        // "through 2999-12" says. Every decision uses the arithmetic below instead.
        self.from_month.plus(i64::from(self.months) - 1)
    }

    pub fn covers(&self, month: Month) -> bool {
        month.is_among(self.from_month, self.months)
    }

    /// Whether the grant has a month at or after `month` (a revocation from `month`
    /// takes something away).
    pub fn reaches(&self, month: Month) -> bool {
        self.from_month.months_until(month) < i64::from(self.months)
    }

    /// Whether the grant shares a month with `months` months from `from_month`.
    pub fn overlaps(&self, from_month: Month, months: u32) -> bool {
        self.reaches(from_month) && from_month.months_until(self.from_month) < i64::from(months)
    }
}

/// Why a granted month has not accrued (R16), for `subsidy_not_accrued` messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAccrued {
    NotGranted,
    /// R12: its contribution was refunded, and the member has not enrolled for it
    /// again (it is outside every period: `not_enrolled`).
    Refunded,
    /// Not paid: never, or refunded and enrolled for again (R13) without being paid
    /// again (due, arrears, or lapsed since), which paid again would accrue.
    Unpaid,
    /// Never paid, and outside every enrollment period of the member (a grant may start
    /// before the member's first month): R16, months outside every period accrue nothing.
    OutsideEnrollment,
    NotClosed,
}

impl MemberState {
    /// What every member built by the fold satisfies; checked on rows read from disk,
    /// which carry no hash.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.periods.is_empty() || self.base_ratios.is_empty() || self.version == 0 {
            return Err(format!("member {} has no enrollment", self.member_id));
        }
        Ok(())
    }

    pub fn current_period(&self) -> &Period {
        // OK because a MemberState is only created with its first period.
        self.periods.last().expect("a member always has a period")
    }

    pub fn is_withdrawn(&self) -> bool {
        self.current_period().withdrawal.is_some()
    }

    /// R6: the oldest unpaid month of the current period, or `None` when the period
    /// is paid through [`Month::LAST`]: no month is left to pay (D47). Payments are
    /// made oldest first, so the paid months of a period are a prefix of it.
    pub fn next_unpaid(&self) -> Option<Month> {
        let start = self.current_period().start;
        match self.paid.range(start..).next_back() {
            Some((last, _)) => last.checked_plus(1),
            None => Some(start),
        }
    }

    /// R7: whether the current period's first payment is recorded, so its benefit
    /// start is decided (`Period::benefit_start`, `None` if that month falls after
    /// `Month::LAST`). Exact without a fact of its own: a period's payments stay in
    /// `paid` until it ends (a refund, R12, and D26's reading of a v1 withdrawal both
    /// come with the withdrawal that ends it), and every paid month from the period's
    /// start on is the period's own (an earlier period ends before it starts, and a
    /// month it refunded is no longer in `paid`). So the member's row needs no new
    /// field, and every row stored before reads the same.
    pub fn period_started(&self) -> bool {
        let period = self.current_period();
        period.benefit_start.is_some() || self.paid.range(period.start..).next().is_some()
    }

    /// R10: missed, unpaid months of the current period (empty once withdrawn: they
    /// are lapsed then).
    pub fn arrears(&self) -> Vec<Month> {
        if self.is_withdrawn() {
            return Vec::new();
        }
        let Some(next_unpaid) = self.next_unpaid() else {
            return Vec::new();
        };
        self.missed
            .range(next_unpaid..)
            .map(|(month, _)| *month)
            .collect()
    }

    pub fn base_ratio_for(&self, month: Month) -> Ratio {
        let found = self
            .base_ratios
            .range(..=month)
            .next_back()
            .or_else(|| self.base_ratios.iter().next());
        // OK because enrollment always records a base ratio.
        *found.expect("a member always has a base ratio").1
    }

    /// R4: the base ratio `month` is priced at: the member's, within the band of the
    /// policy in force for `month` (D58). A ratio chosen within an earlier policy's
    /// band stays the member's choice, but a later policy that raised the band's
    /// minimum (or lowered its maximum) prices its months at the band's edge, as it
    /// refuses a `change_base` to that ratio for them (R15): never a due under the
    /// minimum contribution the policy sets.
    pub fn priced_ratio(&self, region: &RegionState, month: Month) -> Ratio {
        let policy = region.policy_for(month);
        self.base_ratio_for(month)
            .clamp(policy.base_ratio_min, policy.base_ratio_max)
    }

    /// R4: what `month` costs: the paid due if paid, else priced by today's policy and base.
    pub fn due_for(&self, region: &RegionState, month: Month) -> Money {
        if let Some(paid) = self.paid.get(&month) {
            return *paid;
        }
        if let Some(missed) = self.missed.get(&month) {
            return *missed;
        }
        let policy = region.policy_for(month);
        monthly_due(
            policy.average_monthly_wage,
            self.priced_ratio(region, month),
            policy.contribution_rate,
        )
    }

    /// R4 summed over `months` (arrears owed, months lapsing).
    pub fn dues_total(&self, region: &RegionState, months: &[Month]) -> Money {
        months
            .iter()
            .map(|month| self.due_for(region, *month))
            .sum()
    }

    pub fn paid_through(&self) -> Option<Month> {
        self.paid.keys().next_back().copied()
    }

    /// R14 (v2): paid months of the current period that have arrived (not after the
    /// open month); 0 once withdrawn. Months paid ahead count when they are reached.
    pub fn continuous_months(&self, open_month: Month) -> u32 {
        if self.is_withdrawn() {
            return 0;
        }
        let start = self.current_period().start;
        if start > open_month {
            return 0;
        }
        count(self.paid.range(start..=open_month).count())
    }

    /// R14 (v2): paid, not refunded months over all periods that have arrived.
    pub fn cumulative_months(&self, open_month: Month) -> u32 {
        count(self.paid.range(..=open_month).count())
    }

    /// R7 (v2): whether some period had a paid, not refunded month that has arrived
    /// (not after `open_month`) at or after that period's benefit start. A restored
    /// month counts, whatever P-restore says of its benefits.
    pub fn qualified_in(&self, periods: &[Period], open_month: Month) -> bool {
        self.paid.range(..=open_month).any(|(month, _)| {
            periods
                .iter()
                .rev()
                .find(|period| period.start <= *month)
                .is_some_and(|period| {
                    period.contains(*month)
                        && period.benefit_start.is_some_and(|start| start <= *month)
                })
        })
    }

    /// R7 (v2) for the coverage: qualified in any period, as of `open_month`.
    pub fn qualified(&self, open_month: Month) -> bool {
        self.qualified_in(&self.periods, open_month)
    }

    /// R12: the last month ever paid, refunded or not (the coverage lists months up to it).
    pub fn last_month_ever_paid(&self) -> Option<Month> {
        let paid = self.paid.keys().next_back().copied();
        let refunded = self.refunded.keys().next_back().copied();
        let unrefunded = self.unrefunded.keys().next_back().copied();
        paid.max(refunded).max(unrefunded)
    }

    /// R17: the personal account balance: `to_account` over paid, not refunded months
    /// that have arrived (credited month by month).
    pub fn account_balance(&self, open_month: Month) -> Money {
        self.to_account
            .range(..=open_month)
            .map(|(_, amount)| *amount)
            .sum()
    }

    /// R16: the grant covering `month`, if any.
    pub fn grant_for(&self, month: Month) -> Option<&Grant> {
        self.grants.iter().find(|grant| grant.covers(month))
    }

    /// R16: months granted over all grants (after revocations).
    pub fn granted_months(&self) -> u32 {
        self.grants.iter().map(|grant| grant.months).sum()
    }

    /// R16: the subsidy `month` has accrued (paid, not refunded, closed and granted),
    /// or why not.
    pub fn accrued(&self, month: Month, open_month: Month) -> Result<Money, NotAccrued> {
        let Some(grant) = self.grant_for(month) else {
            return Err(NotAccrued::NotGranted);
        };
        let Some(paid) = self.paid.get(&month) else {
            // R12, R13: a refunded month the member enrolled for again and has not paid
            // again accrues nothing because it is unpaid now, not because of the refund.
            let enrolled = self.enrolled_for(month);
            return Err(if enrolled {
                NotAccrued::Unpaid
            } else if self.refunded.contains_key(&month) {
                NotAccrued::Refunded
            } else {
                NotAccrued::OutsideEnrollment
            });
        };
        if month >= open_month {
            return Err(NotAccrued::NotClosed);
        }
        Ok(subsidy_of(*paid, grant.share))
    }

    /// Whether the member is enrolled for `month`, or was until it lapsed (recorded
    /// missed in its period, never paid, R11/R12): its status is not `not_enrolled`
    /// (`coverage::month_line`). The latest period begun by the month decides.
    fn enrolled_for(&self, month: Month) -> bool {
        self.periods
            .iter()
            .rev()
            .find(|period| period.start <= month)
            .is_some_and(|period| {
                period.contains(month)
                    || (self.missed.contains_key(&month) && !self.paid.contains_key(&month))
            })
    }

    /// R7 (v2): the delay of the current period, whose first payment was made in
    /// `payment_month` and paid first for `first_paid`.
    fn benefit_delay(
        &self,
        region: &RegionState,
        payment_month: Month,
        first_paid: Month,
    ) -> (Month, u32) {
        let p = payment_month.max(first_paid);
        let policy = region.policy_for(p);
        let earlier = &self.periods[..self.periods.len() - 1];
        let start = self.current_period().start;
        let qualified = self.qualified_in(earlier, region.open_month);
        let gap_ok = match (
            policy.first_wait_after_gap_months,
            self.paid.range(..start).next_back(),
        ) {
            (None, _) => true,
            (Some(reset), Some((last, _))) => last.months_until(p) - 1 <= i64::from(reset),
            (Some(_), None) => false,
        };
        let delay = if qualified && gap_ok {
            policy.benefit_delay_reenroll
        } else {
            policy.benefit_delay_first
        };
        (p, delay)
    }
}

fn count(months: usize) -> u32 {
    // OK because a member has at most a few thousand months (years 1990..=2999).
    u32::try_from(months).expect("month count fits u32")
}

/// A fold input was impossible: an event for a member or region that does not exist,
/// or similar. Only a damaged log can produce one; the store reports its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("event at position {position} cannot be applied: {problem}")]
pub struct FoldError {
    pub position: u64,
    pub problem: FoldProblem,
}

/// What made an event impossible to apply, as data: its `Display` is the English a
/// damage report's `message` carries, and the store's findings word the same facts in
/// the reader's language (`store::findings::fold_problem`), so that an auditor reading
/// Chinese is not handed an English finding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FoldProblem {
    #[error("positions must increase; last applied was {last}")]
    PositionNotAfter { last: u64 },
    #[error("month close for unknown region {region}")]
    CloseOfUnknownRegion { region: RegionName },
    #[error("member {member} enrolled twice")]
    EnrolledTwice { member: Uuid },
    #[error("enrollment in unknown region {region}")]
    EnrollmentInUnknownRegion { region: RegionName },
    #[error("{event_type} is not a member event")]
    NotAMemberEvent { event_type: &'static str },
    #[error("{event_type} for unknown member {member}")]
    UnknownMember {
        event_type: &'static str,
        member: Uuid,
    },
    #[error("member {member} in unknown region")]
    MemberInUnknownRegion { member: Uuid },
    #[error("payment without months")]
    PaymentWithoutMonths,
    #[error("member without period")]
    MemberWithoutPeriod,
    #[error("refund of {month}, which is not paid")]
    RefundOfUnpaidMonth { month: Month },
    #[error("grant length out of range")]
    GrantLengthOutOfRange,
    /// A history asked for a member it does not hold (a caller's mistake).
    #[error("the history holds no member {member}")]
    NoSuchMember { member: Uuid },
    /// A member's stored folded state does not decode: `said` is the decoder's words.
    #[error("member {member}'s folded state: {said}")]
    FoldedStateUnreadable { member: Uuid, said: String },
}

/// Every region and member, as decisions need them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerState {
    pub regions: HashMap<RegionName, RegionState>,
    pub members: HashMap<Uuid, MemberState>,
    /// Members currently enrolled (not withdrawn), by region: what a month close visits,
    /// so that it costs O(members of the region), not O(all events).
    pub enrolled_by_region: HashMap<RegionName, BTreeSet<Uuid>>,
    /// Members with a subsidy grant (R16), by region, enrolled or not: a month close
    /// visits them too, since closing a paid, granted month accrues its subsidy.
    pub granted_by_region: HashMap<RegionName, BTreeSet<Uuid>>,
    /// Global position of the last event applied.
    pub position: u64,
}

/// Adds `member` to its region's set of enrolled members if it is not withdrawn, and
/// to its set of granted members if it has a grant (R16).
pub fn index_member(
    enrolled_by_region: &mut HashMap<RegionName, BTreeSet<Uuid>>,
    granted_by_region: &mut HashMap<RegionName, BTreeSet<Uuid>>,
    member: &MemberState,
) {
    if !member.is_withdrawn() {
        enrolled_by_region
            .entry(member.region.clone())
            .or_default()
            .insert(member.member_id);
    }
    if !member.grants.is_empty() {
        granted_by_region
            .entry(member.region.clone())
            .or_default()
            .insert(member.member_id);
    }
}

impl LedgerState {
    /// Adds a member read from stored state (keeps `enrolled_by_region` in step).
    pub fn insert_member(&mut self, member: MemberState) {
        index_member(
            &mut self.enrolled_by_region,
            &mut self.granted_by_region,
            &member,
        );
        self.members.insert(member.member_id, member);
    }

    /// Forgets a member held only as a cache of stored state.
    pub fn evict_member(&mut self, member_id: Uuid) {
        if let Some(member) = self.members.remove(&member_id) {
            if let Some(enrolled) = self.enrolled_by_region.get_mut(&member.region) {
                enrolled.remove(&member_id);
            }
            if let Some(granted) = self.granted_by_region.get_mut(&member.region) {
                granted.remove(&member_id);
            }
        }
    }

    /// Applies one event recorded at `position` (positions must increase).
    pub fn apply(&mut self, position: u64, event: &Event) -> Result<(), FoldError> {
        let fail = |problem: FoldProblem| FoldError { position, problem };
        if position <= self.position {
            let last = self.position;
            return Err(fail(FoldProblem::PositionNotAfter { last }));
        }
        match event {
            Event::PolicyPublished(published) => self.apply_policy(position, published.policy()),
            Event::MonthClosed(closed) => {
                let region = self.regions.get_mut(&closed.region).ok_or_else(|| {
                    let region = closed.region.clone();
                    fail(FoldProblem::CloseOfUnknownRegion { region })
                })?;
                region.open_month = closed.next_open_month;
                region.version += 1;
                region.last_position = position;
            }
            Event::MemberEnrolled(enrolled) => {
                self.apply_enrolled(position, enrolled).map_err(fail)?
            }
            _ => self.apply_member_event(position, event).map_err(fail)?,
        }
        self.position = position;
        Ok(())
    }

    fn apply_policy(&mut self, position: u64, policy: Policy) {
        let region = self
            .regions
            .entry(policy.region.clone())
            .or_insert_with(|| RegionState {
                name: policy.region.clone(),
                open_month: policy.effective_from,
                policies: BTreeMap::new(),
                version: 0,
                last_position: 0,
            });
        region.policies.insert(policy.effective_from, policy);
        region.version += 1;
        region.last_position = position;
    }

    fn apply_enrolled(
        &mut self,
        position: u64,
        enrolled: &MemberEnrolled,
    ) -> Result<(), FoldProblem> {
        if self.members.contains_key(&enrolled.member_id) {
            let member = enrolled.member_id;
            return Err(FoldProblem::EnrolledTwice { member });
        }
        if !self.regions.contains_key(&enrolled.region) {
            let region = enrolled.region.clone();
            return Err(FoldProblem::EnrollmentInUnknownRegion { region });
        }
        let member = MemberState {
            member_id: enrolled.member_id,
            region: enrolled.region.clone(),
            version: 1,
            last_position: position,
            deduction_stopped: false,
            periods: vec![Period {
                start: enrolled.month,
                benefit_start: None,
                withdrawal: None,
            }],
            base_ratios: BTreeMap::from([(enrolled.month, enrolled.base_ratio)]),
            paid: BTreeMap::new(),
            missed: BTreeMap::new(),
            refunded: BTreeMap::new(),
            to_account: BTreeMap::new(),
            grants: Vec::new(),
            subsidy_paid: BTreeSet::new(),
            unrefunded: BTreeMap::new(),
        };
        self.members.insert(enrolled.member_id, member);
        self.enrolled_by_region
            .entry(enrolled.region.clone())
            .or_default()
            .insert(enrolled.member_id);
        Ok(())
    }

    fn apply_member_event(&mut self, position: u64, event: &Event) -> Result<(), FoldProblem> {
        let event_type = event.type_name();
        let StreamId::Member(member_id) = event.stream() else {
            return Err(FoldProblem::NotAMemberEvent { event_type });
        };
        let member = self
            .members
            .get_mut(&member_id)
            .ok_or(FoldProblem::UnknownMember {
                event_type,
                member: member_id,
            })?;
        let region = self
            .regions
            .get(&member.region)
            .ok_or(FoldProblem::MemberInUnknownRegion { member: member_id })?;
        match event {
            Event::ContributionPaid(paid) => member.record_paid(region, paid)?,
            Event::ContributionRefunded(refund) => member.record_refunded(refund)?,
            Event::SubsidyGranted(granted) => {
                member.record_granted(granted);
                self.granted_by_region
                    .entry(member.region.clone())
                    .or_default()
                    .insert(member_id);
            }
            Event::SubsidyRevoked(revoked) => {
                member.record_revoked(revoked)?;
                if member.grants.is_empty() {
                    if let Some(granted) = self.granted_by_region.get_mut(&member.region) {
                        granted.remove(&member_id);
                    }
                }
            }
            Event::SubsidyPaid(subsidy) => {
                member.subsidy_paid.extend(subsidy.months.iter().copied());
            }
            Event::ContributionMissed(missed) => {
                member.missed.insert(missed.month, missed.due);
            }
            Event::DeductionStopped(_) => member.deduction_stopped = true,
            Event::DeductionResumed(_) => member.deduction_stopped = false,
            Event::MemberWithdrawn(withdrawn) => {
                member.record_withdrawn(region.open_month, withdrawn)?;
                if let Some(enrolled) = self.enrolled_by_region.get_mut(&member.region) {
                    enrolled.remove(&member_id);
                }
            }
            Event::MemberReenrolled(reenrolled) => {
                member.record_reenrolled(reenrolled);
                self.enrolled_by_region
                    .entry(member.region.clone())
                    .or_default()
                    .insert(member_id);
            }
            Event::BaseChanged(changed) => member.record_base_changed(changed),
            Event::PolicyPublished(_) | Event::MonthClosed(_) | Event::MemberEnrolled(_) => {
                return Err(FoldProblem::NotAMemberEvent { event_type });
            }
        }
        member.version += 1;
        member.last_position = position;
        Ok(())
    }
}

/// One member event's facts recorded on the member (the leaves of
/// `LedgerState::apply_member_event`); the indexes by region stay with the fold.
impl MemberState {
    fn record_paid(
        &mut self,
        region: &RegionState,
        paid: &ContributionPaid,
    ) -> Result<(), FoldProblem> {
        if !self.period_started() {
            // R7 (v2): P is the later of the payment's month and the first month
            // it paid for; the delay depends on whether the member qualified. A
            // benefit start after Month::LAST is none within the range (D47): every
            // month of the period through 2999-12 is waiting, and a later payment of
            // the period does not decide it again (`period_started`).
            let first_paid = paid
                .months
                .first()
                .ok_or(FoldProblem::PaymentWithoutMonths)?
                .month;
            let (p, delay) = self.benefit_delay(region, paid.payment_month, first_paid);
            let period = self
                .periods
                .last_mut()
                .ok_or(FoldProblem::MemberWithoutPeriod)?;
            period.benefit_start = p.checked_plus(i64::from(delay));
        }
        for line in &paid.months {
            self.paid.insert(line.month, line.amount);
            // R17: the split is fixed when the month is paid, by the policy and
            // base in force for it now (like its due, R4).
            let to_account = region
                .policy_for(line.month)
                .to_account(self.priced_ratio(region, line.month));
            if to_account.is_zero() {
                self.to_account.remove(&line.month);
            } else {
                self.to_account.insert(line.month, to_account);
            }
        }
        Ok(())
    }

    fn record_refunded(&mut self, refund: &ContributionRefunded) -> Result<(), FoldProblem> {
        for month in &refund.months {
            let amount = self
                .paid
                .remove(month)
                .ok_or(FoldProblem::RefundOfUnpaidMonth { month: *month })?;
            self.to_account.remove(month);
            let total = self.refunded.get(month).copied().unwrap_or(Money::ZERO) + amount;
            self.refunded.insert(*month, total);
        }
        Ok(())
    }

    fn record_granted(&mut self, granted: &SubsidyGranted) {
        self.grants.push(Grant {
            from_month: granted.from_month,
            months: granted.months,
            share: granted.share,
            category: granted.category,
        });
        self.grants.sort_by_key(|grant| grant.from_month);
    }

    fn record_revoked(&mut self, revoked: &SubsidyRevoked) -> Result<(), FoldProblem> {
        let from = revoked.from_month;
        self.grants.retain(|grant| grant.from_month < from);
        for grant in &mut self.grants {
            if grant.reaches(from) {
                let kept = grant.from_month.months_until(from);
                grant.months =
                    u32::try_from(kept).map_err(|_| FoldProblem::GrantLengthOutOfRange)?;
            }
        }
        Ok(())
    }

    fn record_withdrawn(
        &mut self,
        open: Month,
        withdrawn: &MemberWithdrawn,
    ) -> Result<(), FoldProblem> {
        // R12 (v2): the period ends after the last paid month not after the open
        // month. A withdrawal decided by v2 records exactly that (and refunds
        // what lies beyond in the next event); one recorded by v1 ended after
        // the months paid ahead: v2 reads it as ending at the open month, and
        // those months, never refunded, as paid outside the period (D26).
        let start = self.current_period().start;
        let last_arrived = (start <= open)
            .then(|| self.paid.range(start..=open).next_back().map(|(m, _)| *m))
            .flatten();
        // OK because a clamped `ends` changes nothing: it is only Month::LAST when
        // Month::LAST is paid, and then no recorded `effective_from` (a month) lies
        // after it, exactly as none lies after the month past it.
        let ends = last_arrived.map_or(start, Month::next);
        let effective_from = if withdrawn.effective_from > ends {
            let beyond: Vec<Month> = self.paid.range(ends..).map(|(m, _)| *m).collect();
            for month in beyond {
                if let Some(amount) = self.paid.remove(&month) {
                    self.to_account.remove(&month);
                    self.unrefunded.insert(month, amount);
                }
            }
            ends
        } else {
            withdrawn.effective_from
        };
        let period = self
            .periods
            .last_mut()
            .ok_or(FoldProblem::MemberWithoutPeriod)?;
        period.withdrawal = Some(Withdrawal {
            reason: withdrawn.reason,
            effective_from,
        });
        Ok(())
    }

    fn record_reenrolled(&mut self, reenrolled: &MemberReenrolled) {
        self.periods.push(Period {
            start: reenrolled.month,
            benefit_start: None,
            withdrawal: None,
        });
        self.base_ratios.split_off(&reenrolled.month);
        self.base_ratios
            .insert(reenrolled.month, reenrolled.base_ratio);
        // R13: re-enrolling re-handles the procedures, so deduction runs again (R8).
        self.deduction_stopped = false;
    }

    fn record_base_changed(&mut self, changed: &BaseChanged) {
        self.base_ratios.split_off(&changed.from_month);
        self.base_ratios
            .insert(changed.from_month, changed.base_ratio);
    }
}
