//! The fold's state: what decisions and projections need, derived only from events.
//!
//! `LedgerState::apply` is the one fold: it has no business logic beyond recording
//! facts (cqrs-es `apply`), except deriving each period's benefit start from the policy
//! in force (R7), which is why region events and member events are folded together in
//! global order.

use super::command::WithdrawalReason;
use super::event::*;
use super::money::{monthly_due, Money, Ratio};
use super::month::Month;
use super::policy::{Policy, RegionName};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// A region: its open month (R1) and its policies by `effective_from` (R3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Month,
    /// R7: the period's first payment's month plus the period's delay.
    pub benefit_start: Option<Month>,
    pub withdrawal: Option<Withdrawal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

    /// R6: the oldest unpaid month of the current period. Payments are made oldest
    /// first, so the paid months of a period are a prefix of it.
    pub fn next_unpaid(&self) -> Month {
        let start = self.current_period().start;
        match self.paid.range(start..).next_back() {
            Some((last, _)) => last.next(),
            None => start,
        }
    }

    /// R10: missed, unpaid months of the current period (empty once withdrawn: they
    /// are lapsed then).
    pub fn arrears(&self) -> Vec<Month> {
        if self.is_withdrawn() {
            return Vec::new();
        }
        self.missed
            .range(self.next_unpaid()..)
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
            self.base_ratio_for(month),
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

    /// R14: paid months in the current period (0 once withdrawn).
    pub fn continuous_months(&self) -> u32 {
        if self.is_withdrawn() {
            return 0;
        }
        let count = self.paid.range(self.current_period().start..).count();
        // OK because a member has at most a few thousand months (years 1990..=2999).
        u32::try_from(count).expect("month count fits u32")
    }
}

/// A fold input was impossible: an event for a member or region that does not exist,
/// or similar. Only a damaged log can produce one; the store reports its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("event at position {position} cannot be applied: {message}")]
pub struct FoldError {
    pub position: u64,
    pub message: String,
}

/// Every region and member, as decisions need them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerState {
    pub regions: HashMap<RegionName, RegionState>,
    pub members: HashMap<Uuid, MemberState>,
    /// Members currently enrolled (not withdrawn), by region: what a month close visits,
    /// so that it costs O(members of the region), not O(all events).
    pub enrolled_by_region: HashMap<RegionName, BTreeSet<Uuid>>,
    /// Global position of the last event applied.
    pub position: u64,
}

impl LedgerState {
    /// Adds a member read from stored state (keeps `enrolled_by_region` in step).
    pub fn insert_member(&mut self, member: MemberState) {
        if !member.is_withdrawn() {
            self.enrolled_by_region
                .entry(member.region.clone())
                .or_default()
                .insert(member.member_id);
        }
        self.members.insert(member.member_id, member);
    }

    /// Forgets a member held only as a cache of stored state.
    pub fn evict_member(&mut self, member_id: Uuid) {
        if let Some(member) = self.members.remove(&member_id) {
            if let Some(enrolled) = self.enrolled_by_region.get_mut(&member.region) {
                enrolled.remove(&member_id);
            }
        }
    }

    /// Applies one event recorded at `position` (positions must increase).
    pub fn apply(&mut self, position: u64, event: &Event) -> Result<(), FoldError> {
        let fail = |message: String| FoldError { position, message };
        if position <= self.position {
            return Err(fail(format!(
                "positions must increase; last applied was {}",
                self.position
            )));
        }
        match event {
            Event::PolicyPublished(policy) => self.apply_policy(position, policy),
            Event::MonthClosed(closed) => {
                let region = self.regions.get_mut(&closed.region).ok_or_else(|| {
                    fail(format!("month close for unknown region {}", closed.region))
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

    fn apply_policy(&mut self, position: u64, policy: &Policy) {
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
        region
            .policies
            .insert(policy.effective_from, policy.clone());
        region.version += 1;
        region.last_position = position;
    }

    fn apply_enrolled(&mut self, position: u64, enrolled: &MemberEnrolled) -> Result<(), String> {
        if self.members.contains_key(&enrolled.member_id) {
            return Err(format!("member {} enrolled twice", enrolled.member_id));
        }
        if !self.regions.contains_key(&enrolled.region) {
            return Err(format!("enrollment in unknown region {}", enrolled.region));
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
        };
        self.members.insert(enrolled.member_id, member);
        self.enrolled_by_region
            .entry(enrolled.region.clone())
            .or_default()
            .insert(enrolled.member_id);
        Ok(())
    }

    fn apply_member_event(&mut self, position: u64, event: &Event) -> Result<(), String> {
        let StreamId::Member(member_id) = event.stream() else {
            return Err(format!("{} is not a member event", event.type_name()));
        };
        let member = self
            .members
            .get_mut(&member_id)
            .ok_or_else(|| format!("{} for unknown member {member_id}", event.type_name()))?;
        let region = self
            .regions
            .get(&member.region)
            .ok_or_else(|| format!("member {member_id} in unknown region"))?;
        match event {
            Event::ContributionPaid(paid) => {
                for line in &paid.months {
                    member.paid.insert(line.month, line.amount);
                }
                let first_period = member.periods.len() == 1;
                let period = member.periods.last_mut().ok_or("member without period")?;
                if period.benefit_start.is_none() {
                    // R7: benefits start P + P-delay, P the month of the first payment.
                    let policy = region.policy_for(paid.payment_month);
                    let delay = if first_period {
                        policy.benefit_delay_first
                    } else {
                        policy.benefit_delay_reenroll
                    };
                    period.benefit_start = Some(paid.payment_month.plus(i64::from(delay)));
                }
            }
            Event::ContributionMissed(missed) => {
                member.missed.insert(missed.month, missed.due);
            }
            Event::DeductionStopped(_) => member.deduction_stopped = true,
            Event::DeductionResumed(_) => member.deduction_stopped = false,
            Event::MemberWithdrawn(withdrawn) => {
                let period = member.periods.last_mut().ok_or("member without period")?;
                period.withdrawal = Some(Withdrawal {
                    reason: withdrawn.reason,
                    effective_from: withdrawn.effective_from,
                });
                if let Some(enrolled) = self.enrolled_by_region.get_mut(&member.region) {
                    enrolled.remove(&member_id);
                }
            }
            Event::MemberReenrolled(reenrolled) => {
                member.periods.push(Period {
                    start: reenrolled.month,
                    benefit_start: None,
                    withdrawal: None,
                });
                member.base_ratios.split_off(&reenrolled.month);
                member
                    .base_ratios
                    .insert(reenrolled.month, reenrolled.base_ratio);
                // R13: re-enrolling re-handles the procedures, so deduction runs again (R8).
                member.deduction_stopped = false;
                self.enrolled_by_region
                    .entry(member.region.clone())
                    .or_default()
                    .insert(member_id);
            }
            Event::BaseChanged(changed) => {
                member.base_ratios.split_off(&changed.from_month);
                member
                    .base_ratios
                    .insert(changed.from_month, changed.base_ratio);
            }
            Event::PolicyPublished(_) | Event::MonthClosed(_) | Event::MemberEnrolled(_) => {
                return Err(format!("{} is not a member event", event.type_name()));
            }
        }
        member.version += 1;
        member.last_position = position;
        Ok(())
    }
}
