//! A member's history as an auditor reads it: the member's stream and its region's
//! stream merged in log order, cut at a position or a time, and folded one event at a
//! time so every step shows what it changed.
//!
//! The region stream is needed because policies (R3) and month closes (R1, R9) live
//! there: without them no month can be priced or given a status. Other members'
//! events never change this member's coverage, so they are not read. The reading is
//! the ledger's ([`member_events`], which `flexledger member --as-of` folds too).

use crate::domain::coverage::{coverage, month_changes, MemberCoverage, MonthChange};
use crate::domain::event::Event;
use crate::domain::policy::RegionName;
use crate::domain::rule::RuleId;
use crate::domain::state::{FoldError, LedgerState};
use crate::ledger::{member_events, read_member_row, LedgerError};
use crate::store::envelope::Envelope;
use crate::store::{ReadStore, StoreError};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a history stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Every event in the store.
    Everything,
    /// Events at global positions up to and including this one.
    Position(u64),
    /// The longest prefix of the member's and region's events (in log order) recorded
    /// at or before this instant. A prefix, not a filter: an event recorded later is
    /// excluded together with everything after it, so the history is always one the
    /// ledger really passed through (D18).
    Time(DateTime<Utc>),
}

/// One member's events and its region's, in log order.
#[derive(Clone, Debug)]
pub struct MemberHistory {
    pub member_id: Uuid,
    pub region: RegionName,
    /// Region and member events merged by global position.
    pub events: Vec<Envelope>,
}

/// One event of a history and what the member's coverage looked like after it.
#[derive(Clone, Debug)]
pub struct Step {
    /// Index into [`MemberHistory::events`].
    pub index: usize,
    /// Months whose status, benefits or money this event changed (empty for most
    /// region events; a `MonthClosed` lists the month it made `arrears` and, v2, the
    /// months whose subsidy it accrued, R16).
    pub changes: Vec<MonthChange>,
    /// The coverage after this event; `None` before the member's enrollment.
    pub coverage: Option<MemberCoverage>,
}

impl MemberHistory {
    /// Reads a member's history, or `None` if the member has no events before `cut`.
    pub fn load(
        store: &(impl ReadStore + ?Sized),
        member_id: Uuid,
        cut: Cut,
    ) -> Result<Option<MemberHistory>, LedgerError> {
        let position_max = match cut {
            Cut::Position(position) => position,
            Cut::Everything | Cut::Time(_) => u64::MAX,
        };
        let Some((region, events)) = member_events(store, member_id, position_max)? else {
            return Ok(None);
        };
        let events = match cut {
            Cut::Time(instant) => prefix_recorded_by(events, instant),
            Cut::Everything | Cut::Position(_) => events,
        };
        if !events
            .iter()
            .any(|envelope| envelope.event.member_id() == Some(member_id))
        {
            return Ok(None);
        }
        Ok(Some(MemberHistory {
            member_id,
            region,
            events,
        }))
    }

    /// Folds the history one event at a time.
    pub fn steps(&self) -> Result<Vec<Step>, FoldError> {
        let mut state = LedgerState::default();
        let mut steps = Vec::with_capacity(self.events.len());
        let mut before: Option<MemberCoverage> = None;
        for (index, envelope) in self.events.iter().enumerate() {
            state.apply(envelope.position, &envelope.event)?;
            let after = coverage(&state, self.member_id);
            let changes = match (&before, &after) {
                (Some(before), Some(after)) => month_changes(&before.months, &after.months),
                (None, Some(after)) => month_changes(&[], &after.months),
                (_, None) => Vec::new(),
            };
            steps.push(Step {
                index,
                changes,
                coverage: after.clone(),
            });
            before = after;
        }
        Ok(steps)
    }

    /// The member's coverage at the end of the history.
    pub fn coverage(&self) -> Result<Option<MemberCoverage>, FoldError> {
        Ok(coverage(&self.state()?, self.member_id))
    }

    /// The ledger state (this member and its region) at the end of the history.
    pub fn state(&self) -> Result<LedgerState, FoldError> {
        let mut state = LedgerState::default();
        for envelope in &self.events {
            state.apply(envelope.position, &envelope.event)?;
        }
        Ok(state)
    }

    /// The member's coverage at the end of the history; an error if the history holds
    /// no such member (a caller's mistake, named as a fold error at the last event).
    pub fn final_coverage(&self) -> Result<MemberCoverage, FoldError> {
        self.coverage()?.ok_or_else(|| FoldError {
            position: self.events.last().map_or(0, |envelope| envelope.position),
            message: format!("the history holds no member {}", self.member_id),
        })
    }

    /// The member's own events (not the region's), in order.
    pub fn member_events(&self) -> impl Iterator<Item = &Envelope> {
        let member_id = self.member_id;
        self.events
            .iter()
            .filter(move |envelope| envelope.event.member_id() == Some(member_id))
    }
}

/// Every member id with a state row, with its region, sorted by id: the members an
/// export or a what-if over a region or the whole store visits.
pub fn members(
    store: &(impl ReadStore + ?Sized),
    region: Option<&RegionName>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut ids = Vec::new();
    for member_id in store.member_row_ids()? {
        let Some(member) = read_member_row(store, member_id)? else {
            continue;
        };
        if region.is_none_or(|region| &member.region == region) {
            ids.push(member_id);
        }
    }
    ids.sort();
    Ok(ids)
}

fn prefix_recorded_by(events: Vec<Envelope>, instant: DateTime<Utc>) -> Vec<Envelope> {
    events
        .into_iter()
        .take_while(|envelope| envelope.recorded_at <= instant)
        .collect()
}

/// One line saying what an event records, in an auditor's words, with the rule it
/// rests on. Used by replay, explain and the timeline's tooltips.
pub fn describe(event: &Event) -> String {
    match event {
        Event::PolicyPublished(policy) => describe_policy(policy),
        Event::MonthClosed(closed) => format!(
            "R9 {} closed in {} ({} missed, {} withdrawn); {} is open",
            closed.month, closed.region, closed.members_missed, closed.members_withdrawn, closed.next_open_month
        ),
        Event::MemberEnrolled(enrolled) => format!(
            "R5 enrolled in {} from {} at base ratio {}",
            enrolled.region, enrolled.month, enrolled.base_ratio
        ),
        Event::ContributionPaid(paid) => describe_paid(paid),
        Event::ContributionMissed(missed) => {
            format!("R9 missed {} (due {}): now in arrears (R10)", missed.month, missed.due)
        }
        Event::DeductionStopped(_) => "R8 deduction stopped: payments refused until resumed".into(),
        Event::DeductionResumed(_) => "R8 deduction resumed".into(),
        Event::MemberWithdrawn(withdrawn) => describe_withdrawn(withdrawn),
        Event::MemberReenrolled(reenrolled) => format!(
            "R13 re-enrolled from {} at base ratio {} (enrollment {})",
            reenrolled.month, reenrolled.base_ratio, reenrolled.enrollment
        ),
        Event::BaseChanged(changed) => format!(
            "R15 base ratio {} from {}",
            changed.base_ratio, changed.from_month
        ),
        Event::ContributionRefunded(refund) => format!(
            "R12 refunded {} for {} ({} month(s) paid ahead of the withdrawal): now outside the period",
            refund.amount,
            month_runs_text(&refund.months, usize::MAX),
            refund.months.len()
        ),
        Event::SubsidyGranted(granted) => format!(
            "R16 subsidy granted ({}): {} month(s) from {} at share {} of each paid month",
            serde_plain(&granted.category),
            granted.months,
            granted.from_month,
            granted.share
        ),
        Event::SubsidyRevoked(revoked) => format!(
            "R16 subsidy revoked from {}: later months are no longer granted",
            revoked.from_month
        ),
        Event::SubsidyPaid(paid) => format!(
            "R16 subsidy paid out for {} ({}) on {}",
            month_runs_text(&paid.months, usize::MAX),
            paid.amount,
            paid.paid_on
        ),
    }
}

/// A policy's parameters, the v2 ones only when set (R3).
fn describe_policy(policy: &crate::domain::event::PolicyPublished) -> String {
    // v2 parameters are named only when set: a v1 policy reads as before.
    let mut optional = String::new();
    if let Some(reset) = policy.first_wait_after_gap_months {
        optional.push_str(&format!(
            ", first wait again after a gap of over {reset} months (P-reset, R7)"
        ));
    }
    if let Some(rate) = policy.account_rate {
        optional.push_str(&format!(", account rate {rate} (R17)"));
    }
    format!(
        "R3 policy for {} from {}: wage {}, rate {}, base {}–{}, grace {} months, benefit delay {}/{} months, back-pay {}{optional}",
        policy.region,
        policy.effective_from,
        policy.average_monthly_wage,
        policy.contribution_rate,
        policy.base_ratio_min,
        policy.base_ratio_max,
        policy.grace_months,
        policy.benefit_delay_first,
        policy.benefit_delay_reenroll,
        serde_plain(&policy.backpay_restores),
    )
}

/// A payment's months, count, amount and kinds (R6).
fn describe_paid(paid: &crate::domain::event::ContributionPaid) -> String {
    let first = paid.months.first().map(|line| line.month);
    let last = paid.months.last().map(|line| line.month);
    let months = match (first, last) {
        (Some(first), Some(last)) if first == last => first.to_string(),
        (Some(first), Some(last)) => format!("{first}..{last}"),
        _ => "no months".to_owned(),
    };
    let kinds: Vec<String> = paid
        .months
        .iter()
        .map(|line| serde_plain(&line.kind))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "R6 paid {months} ({} month(s), {}, {}) on {}",
        paid.months.len(),
        paid.amount,
        kinds.join("+"),
        paid.paid_on
    )
}

/// A withdrawal's rule (R11 or R12), reason, date and what lapsed.
fn describe_withdrawn(withdrawn: &crate::domain::event::MemberWithdrawn) -> String {
    let rule = withdrawn.reason.rule();
    let lapsed = if withdrawn.lapsed_months.is_empty() {
        "nothing lapsed".to_owned()
    } else {
        let months = month_runs_text(&withdrawn.lapsed_months, usize::MAX);
        let borne = if rule == RuleId::R11 {
            "borne by the member"
        } else {
            "unpaid"
        };
        format!("lapsed {months} ({} {borne})", withdrawn.lapsed_amount)
    };
    format!(
        "{rule} withdrawn ({}) from {}; {lapsed}",
        serde_plain(&withdrawn.reason),
        withdrawn.effective_from
    )
}

/// A month's money beyond due and paid, in words, one phrase per part that is not zero:
/// the refund (R12), the split (R17) and the subsidy (R16). Explain joins them on a
/// line, the timeline's tooltip one per line.
pub fn money_phrases(line: &crate::domain::coverage::MonthLine) -> Vec<String> {
    let mut phrases = Vec::new();
    if !line.refunded.is_zero() {
        phrases.push(format!("refunded {} (R12)", line.refunded));
    }
    if !line.to_account.is_zero() {
        phrases.push(format!(
            "{} to the personal account, {} to the pooling fund (R17)",
            line.to_account,
            line.paid - line.to_account
        ));
    }
    if !line.subsidy.is_zero() {
        let paid_out = if line.subsidy_paid {
            "paid out"
        } else {
            "owed, not paid out yet"
        };
        phrases.push(format!(
            "subsidy {} accrued, {paid_out} (R16)",
            line.subsidy
        ));
    }
    phrases
}

/// Sorted months as runs, `2025-04..2025-07, 2025-09`, naming at most `runs_max`
/// runs and then "…".
pub fn month_runs_text(months: &[crate::domain::month::Month], runs_max: usize) -> String {
    let mut runs: Vec<(crate::domain::month::Month, crate::domain::month::Month)> = Vec::new();
    for &month in months {
        match runs.last_mut() {
            Some((_, last)) if last.next() == month => *last = month,
            _ => runs.push((month, month)),
        }
    }
    let mut named: Vec<String> = runs
        .iter()
        .take(runs_max)
        .map(|(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}..{last}")
            }
        })
        .collect();
    if runs.len() > runs_max {
        named.push("…".to_owned());
    }
    named.join(", ")
}

/// A unit enum's serde name (`on_time`, `retroactive`, …).
pub fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(error) => format!("<{error}>"),
    }
}
