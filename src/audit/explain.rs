//! `flexledger-audit explain --member ID --month YYYY-MM`: why a month has its status.
//!
//! The answer has three parts an auditor can check one against another: the reasons
//! in plain words (with the arithmetic), the events that decided them (by position,
//! so `flexledger events` shows them), and the rules applied, quoted from RULES.md
//! with the source sentence each rests on.
//!
//! v2: a refunded month names the withdrawal that refunded it (R12); a paid month's
//! benefit start is derived step by step (P, qualified, the gap against P-reset, R7); a
//! granted month says what it accrued and whether it was paid out, or why it has not
//! accrued (R16, S9); a month with a personal-account part shows the split (R17, S10).

use crate::audit::history::{describe, serde_plain, MemberHistory};
use crate::audit::rules::{rules, Rule};
use crate::domain::command::WithdrawalReason;
use crate::domain::coverage::{member_coverage, MonthLine, MonthStatus};
use crate::domain::event::{ContributionPaid, Event};
use crate::domain::money::{subsidy_of, Money};
use crate::domain::month::Month;
use crate::domain::state::{FoldError, MemberState, NotAccrued, Period, RegionState};
use serde::Serialize;
use std::io::Write;

#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub member_id: uuid::Uuid,
    pub region: String,
    #[serde(flatten)]
    pub line: MonthLine,
    /// The reasons, in order, in plain words.
    pub reasons: Vec<String>,
    /// The events that decided the month.
    pub events: Vec<Citation>,
    /// The rules applied, the deciding one first.
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Citation {
    pub position: u64,
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub summary: String,
    /// What this event did to the month.
    pub role: String,
}

/// Why `month` has its status; `Err` names the months that can be explained.
pub fn explain(
    history: &MemberHistory,
    month: Month,
) -> Result<Result<Explanation, String>, FoldError> {
    let state = history.state()?;
    let (Some(member), Some(region)) = (
        state.members.get(&history.member_id),
        state.regions.get(&history.region),
    ) else {
        return Ok(Err(format!(
            "member {} has no enrollment in this history",
            history.member_id
        )));
    };
    let coverage = member_coverage(region, member);
    let Some(line) = coverage
        .months
        .iter()
        .find(|line| line.month == month)
        .cloned()
    else {
        let (first, last) = (
            coverage.months.first().map(|line| line.month),
            coverage.months.last().map(|line| line.month),
        );
        return Ok(Err(match (first, last) {
            (Some(first), Some(last)) => format!(
                "{month} is outside the member's months ({first}..{last}): nothing decided it"
            ),
            _ => "the member has no months".to_owned(),
        }));
    };
    let period_index = member
        .periods
        .iter()
        .rposition(|period| period.start <= month);
    let period = period_index.map(|index| &member.periods[index]);
    let events = citations(history, &line, period);
    let lapsed_by = history
        .events
        .iter()
        .find_map(|envelope| match &envelope.event {
            Event::MemberWithdrawn(withdrawn) if withdrawn.lapsed_months.contains(&month) => {
                Some(withdrawn)
            }
            _ => None,
        });
    let context = Context {
        history,
        region,
        member,
        period_index,
    };
    let reasons = reasons(&context, &line, &events, lapsed_by);
    let all_rules = rules();
    let mut ids = vec![line.rule.clone()];
    ids.extend(supporting_rules(&line).iter().map(|id| (*id).to_owned()));
    if member.deduction_stopped && matches!(line.status, MonthStatus::Due | MonthStatus::Arrears) {
        ids.push("R8".to_owned());
    }
    // v2: the money of the month has rules of its own.
    if !line.refunded.is_zero() {
        ids.push("R12".to_owned());
    }
    let subsidy_events = events
        .iter()
        .any(|citation| citation.event_type.starts_with("Subsidy"));
    if member.grant_for(month).is_some() || !line.subsidy.is_zero() || subsidy_events {
        ids.push("R16".to_owned());
    }
    if !line.to_account.is_zero() {
        ids.push("R17".to_owned());
    }
    let mut seen = std::collections::BTreeSet::new();
    let rules = ids
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .filter_map(|id| all_rules.get(&id).cloned())
        .collect();
    Ok(Ok(Explanation {
        member_id: history.member_id,
        region: history.region.to_string(),
        line,
        reasons,
        events,
        rules,
    }))
}

fn supporting_rules(line: &MonthLine) -> &'static [&'static str] {
    match line.status {
        MonthStatus::Due => &["R4", "R6", "R9"],
        MonthStatus::Waiting => &["R7", "R6", "R4"],
        MonthStatus::Covered => &["R7", "R6", "R4"],
        MonthStatus::Arrears => &["R9", "R10", "R11", "R4"],
        MonthStatus::Restored => &["R9", "R10", "R7"],
        MonthStatus::Lapsed => &["R9", "R10"],
        MonthStatus::NotEnrolled => &["R5", "R13"],
    }
}

/// What `explain` reasons from: the history, and the member and region at its end.
struct Context<'a> {
    history: &'a MemberHistory,
    region: &'a RegionState,
    member: &'a MemberState,
    /// The latest period that started at or before the month explained.
    period_index: Option<usize>,
}

impl Context<'_> {
    fn period(&self) -> Option<&Period> {
        self.period_index.map(|index| &self.member.periods[index])
    }
}

/// The first payment of the period starting in `period_start` and its position: the
/// payment that set the period's benefit start (R7).
fn first_payment(history: &MemberHistory, period_start: Month) -> Option<(u64, &ContributionPaid)> {
    let opened = history
        .events
        .iter()
        .filter(|envelope| match &envelope.event {
            Event::MemberEnrolled(enrolled) => enrolled.month == period_start,
            Event::MemberReenrolled(reenrolled) => reenrolled.month == period_start,
            _ => false,
        })
        .map(|envelope| envelope.position)
        .next_back()?;
    history
        .events
        .iter()
        .filter(|envelope| envelope.position > opened)
        .find_map(|envelope| match &envelope.event {
            Event::ContributionPaid(paid) => Some((envelope.position, paid)),
            _ => None,
        })
}

/// The events that bear on `month`, each with its role.
fn citations(history: &MemberHistory, line: &MonthLine, period: Option<&Period>) -> Vec<Citation> {
    let month = line.month;
    let mut citations = Vec::new();
    let mut cite = |envelope: &crate::store::Envelope, role: String| {
        citations.push(Citation {
            position: envelope.position,
            event_type: envelope.event.type_name(),
            summary: describe(&envelope.event),
            role,
        });
    };
    let policy_in_force = history
        .events
        .iter()
        .filter(|envelope| matches!(&envelope.event, Event::PolicyPublished(policy) if policy.effective_from <= month))
        .max_by_key(|envelope| match &envelope.event {
            Event::PolicyPublished(policy) => (policy.effective_from, envelope.position),
            _ => (month, 0),
        });
    let period_start = period.map(|period| period.start);
    let period_word = if period.is_some_and(|period| period.contains(month)) {
        format!("enrollment period that holds {month}")
    } else {
        format!("last enrollment period begun before {month}")
    };
    let period_opened_at = history
        .events
        .iter()
        .filter(|envelope| match &envelope.event {
            Event::MemberEnrolled(enrolled) => Some(enrolled.month) == period_start,
            Event::MemberReenrolled(reenrolled) => Some(reenrolled.month) == period_start,
            _ => false,
        })
        .map(|envelope| envelope.position)
        .next_back();
    let first_payment = history
        .events
        .iter()
        .find(|envelope| {
            matches!(envelope.event, Event::ContributionPaid(_))
                && period_opened_at.is_some_and(|opened| envelope.position > opened)
        })
        .map(|envelope| envelope.position);
    for envelope in &history.events {
        let is_first_payment = Some(envelope.position) == first_payment;
        let benefit_start_role =
            "the period's first payment: P is the later of its month and the first month it pays for; benefits start P + the delay (R7)"
                .to_owned();
        let role = match &envelope.event {
            Event::PolicyPublished(_) if Some(envelope) == policy_in_force => Some(format!(
                "the policy in force for {month}: prices it (R3, R4){}",
                if line.to_account.is_zero() {
                    ""
                } else {
                    "; its account_rate splits it between the personal account and the pooling fund (R17)"
                }
            )),
            Event::MemberEnrolled(enrolled) if Some(enrolled.month) == period_start => {
                Some(format!("starts the {period_word} (R5)"))
            }
            Event::MemberReenrolled(reenrolled) if Some(reenrolled.month) == period_start => {
                Some(format!("starts the {period_word} (R13)"))
            }
            Event::BaseChanged(changed)
                if changed.from_month <= month
                    && period_start.is_some_and(|start| changed.from_month >= start) =>
            {
                Some(format!(
                    "sets the base ratio from {} (R15)",
                    changed.from_month
                ))
            }
            Event::ContributionPaid(paid) if paid.months.iter().any(|line| line.month == month) => {
                Some(if is_first_payment {
                    format!("pays {month} (R6); {benefit_start_role}")
                } else {
                    format!("pays {month} (R6)")
                })
            }
            Event::ContributionPaid(_) if is_first_payment => Some(benefit_start_role),
            Event::ContributionMissed(missed) if missed.month == month => {
                Some(format!("records {month} as missed at its close (R9)"))
            }
            Event::MonthClosed(closed) if closed.month == month => Some(if line.subsidy.is_zero() {
                format!("closes {month} (R9)")
            } else {
                format!(
                    "closes {month} (R9): paid and granted, it accrues its subsidy {} at this close (R16)",
                    line.subsidy
                )
            }),
            Event::ContributionRefunded(refund) if refund.months.contains(&month) => {
                Some(format!(
                    "refunds {month}, paid beyond the withdrawal's last paid month ({} for {} month(s) in all, R12)",
                    refund.amount,
                    refund.months.len()
                ))
            }
            Event::SubsidyGranted(granted)
                if granted.from_month <= month
                    && month < granted.from_month.plus(i64::from(granted.months)) =>
            {
                Some(format!(
                    "grants {month} a subsidy of share {} ({}, {} month(s) from {}, R16)",
                    granted.share,
                    serde_plain(&granted.category),
                    granted.months,
                    granted.from_month
                ))
            }
            Event::SubsidyRevoked(revoked) if revoked.from_month <= month && granted_before(history, envelope.position, month) => {
                Some(format!(
                    "revokes the subsidy from {}: {month} is no longer granted (R16)",
                    revoked.from_month
                ))
            }
            Event::SubsidyPaid(paid) if paid.months.contains(&month) => Some(format!(
                "pays out {month}'s accrued subsidy to the member, on {} (R16)",
                paid.paid_on
            )),
            Event::MemberWithdrawn(withdrawn) if withdrawn.lapsed_months.contains(&month) => {
                Some(format!(
                    "lapses {month}: never covered, borne by the member ({})",
                    rule_of(withdrawn.reason)
                ))
            }
            Event::MemberWithdrawn(withdrawn)
                if withdrawn.effective_from <= month
                    && period_start.is_some_and(|start| start <= withdrawn.effective_from) =>
            {
                Some(format!(
                    "ends the enrollment from {} ({})",
                    withdrawn.effective_from,
                    rule_of(withdrawn.reason)
                ))
            }
            _ => None,
        };
        if let Some(role) = role {
            cite(envelope, role);
        }
    }
    citations
}

/// Whether a grant recorded before `position` named `month` (so a revocation from
/// `month` or earlier took it away).
fn granted_before(history: &MemberHistory, position: u64, month: Month) -> bool {
    history.events.iter().any(|envelope| {
        envelope.position < position
            && matches!(&envelope.event, Event::SubsidyGranted(granted)
                if granted.from_month <= month
                    && month < granted.from_month.plus(i64::from(granted.months)))
    })
}

fn rule_of(reason: WithdrawalReason) -> &'static str {
    if reason == WithdrawalReason::ArrearsExceededGrace {
        "R11"
    } else {
        "R12"
    }
}

/// " (position P)" of the cited event of `event_type` — for a payment, the one that
/// pays the month.
fn position_of(events: &[Citation], event_type: &str) -> String {
    let mut matching = events
        .iter()
        .filter(|citation| citation.event_type == event_type);
    let paying = events
        .iter()
        .find(|citation| citation.event_type == event_type && citation.role.starts_with("pays"));
    paying
        .or_else(|| matching.next())
        .map_or_else(String::new, |citation| {
            format!(" (position {})", citation.position)
        })
}

fn reasons(
    context: &Context,
    line: &MonthLine,
    events: &[Citation],
    lapsed_by: Option<&crate::domain::event::MemberWithdrawn>,
) -> Vec<String> {
    let (region, member, period) = (context.region, context.member, context.period());
    let month = line.month;
    let policy = region.policy_for(month);
    let ratio = member.base_ratio_for(month);
    let mut reasons = Vec::new();
    if line.status != MonthStatus::NotEnrolled {
        let priced_now = crate::domain::money::monthly_due(
            policy.average_monthly_wage,
            ratio,
            policy.contribution_rate,
        );
        let due = member.due_for(region, month);
        reasons.push(if priced_now == due {
            format!(
                "{month} costs {due}: wage {} × base ratio {ratio} × rate {}, rounded half away from zero (R4, R2){}",
                policy.average_monthly_wage,
                policy.contribution_rate,
                if line.paid.is_zero() { String::new() } else { format!("; it was paid at {due} and keeps that due (R4)") }
            )
        } else {
            let when = if line.paid.is_zero() { "when it was recorded missed" } else { "when it was paid" };
            format!(
                "{month} costs {due}, its due {when}; a month keeps that due even though the policy and base now price it at {priced_now} (R4)"
            )
        });
    }
    if member.deduction_stopped && matches!(line.status, MonthStatus::Due | MonthStatus::Arrears) {
        reasons.push("deduction is stopped (R8): every payment is refused until it is resumed (resume_deduction), so this month cannot be paid now".to_owned());
    }
    let start = period.and_then(|period| period.benefit_start);
    match line.status {
        MonthStatus::Due => reasons.push(format!(
            "{month} is not closed yet (the open month is {}) and not paid: pay it, oldest unpaid month first (R6), before {month} is closed (R9)",
            region.open_month
        )),
        MonthStatus::Waiting => {
            reasons.push(format!(
                "paid{}, but benefits of this enrollment period start in {} (P plus the benefit delay, R7); {month} is before that, so it is waiting",
                position_of(events, "ContributionPaid"),
                start.map_or("no month yet".to_owned(), |start| start.to_string())
            ));
            reasons.extend(benefit_start_reason(context));
        }
        MonthStatus::Covered => {
            reasons.push(format!(
                "paid{}, never missed, and at or after the benefit start {} (R7): covered, with benefits",
                position_of(events, "ContributionPaid"),
                start.map_or("-".to_owned(), |start| start.to_string())
            ));
            reasons.extend(benefit_start_reason(context));
        }
        MonthStatus::Arrears => {
            let arrears = member.arrears();
            let first = arrears.first().copied().unwrap_or(month);
            let grace = region.policy_for(region.open_month).grace_months;
            reasons.push(format!(
                "{month} was closed unpaid and recorded missed{} (R9); it is in arrears: no benefits while unpaid (R10)",
                position_of(events, "ContributionMissed")
            ));
            reasons.push(format!(
                "the arrears run starts at {first} and is {} month(s) long; it can be paid back, oldest first, until {} (first arrears month + {grace} months' grace, R10); a close that leaves more than {grace} months of arrears withdraws the member automatically (R11)",
                arrears.len(),
                first.plus(i64::from(grace))
            ));
        }
        MonthStatus::Restored => {
            let restores = serde_plain(&policy.backpay_restores);
            reasons.push(format!(
                "{month} was recorded missed at its close{} (R9) and paid back within grace{} (R10): restored, continuity kept",
                position_of(events, "ContributionMissed"),
                position_of(events, "ContributionPaid")
            ));
            reasons.push(format!(
                "benefits: {} — the policy in force for {month} says backpay_restores = {restores} (P-restore, R10)",
                if line.benefits { "yes" } else { "no" }
            ));
        }
        MonthStatus::Lapsed => {
            reasons.push(format!(
                "{month} was recorded missed at its close{} (R9) and never paid back",
                position_of(events, "ContributionMissed")
            ));
            // R10: a close checks the run against the grace of the month being closed,
            // the last month the withdrawal lapsed.
            let closed = lapsed_by.and_then(|withdrawn| withdrawn.lapsed_months.iter().max().copied());
            let how = match lapsed_by.map(|withdrawn| withdrawn.reason) {
                Some(WithdrawalReason::ArrearsExceededGrace) => format!(
                    "the close of {} left {} months of arrears, more than its {} months' grace, so the member was withdrawn automatically from the first arrears month (R11); the month is lapsed — never covered, no longer payable, its medical expenses borne by the member",
                    closed.map_or("-".to_owned(), |closed| closed.to_string()),
                    lapsed_by.map_or(0, |withdrawn| withdrawn.lapsed_months.len()),
                    closed.map_or(policy.grace_months, |closed| region.policy_for(closed).grace_months)
                ),
                Some(reason) => format!(
                    "the member withdrew ({}) while it was in arrears (R12); the month is lapsed — never covered and no longer payable",
                    serde_plain(&reason)
                ),
                None => "the member was withdrawn; the month is lapsed".to_owned(),
            };
            reasons.push(format!("{how}{}", position_of(events, "MemberWithdrawn")));
        }
        MonthStatus::NotEnrolled => reasons.push(match period.and_then(|period| period.withdrawal.as_ref()) {
            Some(withdrawal) => format!(
                "{month} is outside every enrollment period: the member was withdrawn ({}) from {}{} ({}) and not re-enrolled for it (R13)",
                serde_plain(&withdrawal.reason),
                withdrawal.effective_from,
                position_of(events, "MemberWithdrawn"),
                rule_of(withdrawal.reason)
            ),
            None => format!("{month} is before the member's first enrollment (R5)"),
        }),
    }
    reasons.extend(refund_reason(context, line, events));
    reasons.extend(account_reason(context, line));
    reasons.extend(subsidy_reason(context, line, events));
    reasons
}

/// R7 (v2): how the period's benefit start was decided: P, the delay, and why that
/// delay (first enrollment, not yet qualified, a gap longer than P-reset, or the
/// re-enrollment delay). `None` before the period's first payment.
fn benefit_start_reason(context: &Context) -> Option<String> {
    let index = context.period_index?;
    let member = context.member;
    let period = &member.periods[index];
    let start = period.benefit_start?;
    let (position, paid) = first_payment(context.history, period.start)?;
    let payment_month = paid.payment_month;
    let first_paid = paid.months.first()?.month;
    let p = payment_month.max(first_paid);
    let policy = context.region.policy_for(p);
    let p_text = if first_paid > payment_month {
        format!(
            "P = {p}: the period's first payment (position {position}) was made in {payment_month} but paid first for {first_paid}, a later month; the wait runs from that month, it is not served in advance"
        )
    } else if first_paid < payment_month {
        format!(
            "P = {p}: the month in which the period's first payment (position {position}) was made, later than the first month it paid for ({first_paid})"
        )
    } else {
        format!(
            "P = {p}: the month in which the period's first payment (position {position}) was made, and the first month it paid for"
        )
    };
    // As the fold decided it when the payment was made (in the open month): qualified
    // in an earlier period, and the gap since the last paid month before this period.
    let qualified = member.qualified_in(&member.periods[..index], payment_month);
    let last_paid = member
        .paid
        .range(..period.start)
        .next_back()
        .map(|(month, _)| *month);
    let first = policy.benefit_delay_first;
    let again = policy.benefit_delay_reenroll;
    let (delay, why) = if index == 0 {
        (
            first,
            format!("this is the member's first enrollment, so the first-time delay applies: benefit_delay_first = {first} (P-delay-first, S6)"),
        )
    } else if !qualified {
        (
            first,
            format!("the member had not qualified before (no earlier period had a paid month that arrived at or after its benefit start), so enrolling again does not shorten the first-time wait: benefit_delay_first = {first} (P-delay-first)"),
        )
    } else {
        match (policy.first_wait_after_gap_months, last_paid) {
            (None, _) => (
                again,
                format!("the member had qualified in an earlier period and the policy in force in {p} sets no P-reset, so the re-enrollment delay applies: benefit_delay_reenroll = {again} (P-delay-re, S1 \"from the next month of payment\")"),
            ),
            (Some(reset), Some(last)) if last.months_until(p) - 1 <= i64::from(reset) => (
                again,
                format!(
                    "the member had qualified in an earlier period and the gap, {} month(s) strictly between the last paid month before this period ({last}) and P, is at most first_wait_after_gap_months = {reset} (P-reset) of the policy in force in {p}, so the re-enrollment delay applies: benefit_delay_reenroll = {again} (P-delay-re, S1)",
                    last.months_until(p) - 1
                ),
            ),
            (Some(reset), Some(last)) => (
                first,
                format!(
                    "the member had qualified in an earlier period, but the gap, {} month(s) strictly between the last paid month before this period ({last}) and P, is longer than first_wait_after_gap_months = {reset} (P-reset, S7) of the policy in force in {p}, so the break counts as a first enrollment: benefit_delay_first = {first} (P-delay-first)",
                    last.months_until(p) - 1
                ),
            ),
            (Some(reset), None) => (
                first,
                format!("no month was paid before this period, and the policy in force in {p} sets P-reset ({reset}), so the first-time delay applies: benefit_delay_first = {first} (P-delay-first)"),
            ),
        }
    };
    let recorded = p.months_until(start);
    let check = if recorded == i64::from(delay) {
        String::new()
    } else {
        format!(" (the ledger recorded a delay of {recorded} month(s): the policies in this history no longer give {delay})")
    };
    Some(format!(
        "R7 benefit start: {p_text}; {why}; so benefits start in P + {delay} = {start}{check}"
    ))
}

/// R12 (v2): a month paid ahead and refunded by a withdrawal.
fn refund_reason(context: &Context, line: &MonthLine, events: &[Citation]) -> Option<String> {
    if line.refunded.is_zero() {
        return None;
    }
    let month = line.month;
    let refunded_by = events
        .iter()
        .rfind(|citation| citation.event_type == "ContributionRefunded")
        .map_or_else(String::new, |citation| {
            format!(" (position {})", citation.position)
        });
    let withdrawal = context
        .member
        .periods
        .iter()
        .filter_map(|period| period.withdrawal.as_ref())
        .rfind(|withdrawal| withdrawal.effective_from <= month);
    let ended = withdrawal.map_or_else(String::new, |withdrawal| {
        format!(
            " The withdrawal ({}) took effect from {}, the month after L, the last paid month not after the open month;",
            serde_plain(&withdrawal.reason),
            withdrawal.effective_from
        )
    });
    let now = if line.status == MonthStatus::NotEnrolled {
        format!("{month} is outside the period: not enrolled, no benefits, nothing paid")
    } else {
        format!(
            "the member enrolled again for {month}, which is now {}",
            serde_plain(&line.status)
        )
    };
    Some(format!(
        "{month} was paid ahead and refunded by the withdrawal{refunded_by}: {} refunded (R12, new in v2: months paid beyond L are refunded, nobody stays covered after a withdrawal).{ended} {now}",
        line.refunded
    ))
}

/// R17: the split of a paid month between the personal account and the pooling fund.
fn account_reason(context: &Context, line: &MonthLine) -> Option<String> {
    if line.to_account.is_zero() {
        return None;
    }
    let (region, member, month) = (context.region, context.member, line.month);
    let policy = region.policy_for(month);
    let ratio = member.base_ratio_for(month);
    let how = match policy.account_rate {
        Some(rate) if policy.to_account(ratio) == line.to_account => format!(
            " = round2(wage {} × base ratio {ratio} × account_rate {rate})",
            policy.average_monthly_wage
        ),
        _ => " (fixed when it was paid, by the policy and base in force for it then)".to_owned(),
    };
    let pooled: Money = line.paid - line.to_account;
    let open = region.open_month;
    let credited = if month <= open {
        format!(
            "it is credited to the account balance, now {} (R17)",
            member.account_balance(open)
        )
    } else {
        format!("it is credited to the account balance once {month} arrives (the open month is {open}, R17)")
    };
    Some(format!(
        "of the {} paid for {month}, {} goes to the member's personal account{how} and {pooled} to the pooling fund (R17, S10); {credited}",
        line.paid, line.to_account
    ))
}

/// R16: what a granted month accrued and whether it was paid out, or why it has not
/// accrued.
fn subsidy_reason(context: &Context, line: &MonthLine, events: &[Citation]) -> Option<String> {
    let (region, member, month) = (context.region, context.member, line.month);
    let Some(grant) = member.grant_for(month) else {
        // Granted once, revoked since: say so, the grant and revocation are cited.
        let revoked = events
            .iter()
            .rfind(|citation| citation.event_type == "SubsidyRevoked")?;
        return Some(format!(
            "a subsidy grant named {month}, but it was revoked (position {}): {month} is no longer granted and accrues nothing (R16)",
            revoked.position
        ));
    };
    let granted = format!(
        "{month} is granted a subsidy of share {} ({} grant of {} month(s) from {})",
        grant.share,
        serde_plain(&grant.category),
        grant.months,
        grant.from_month
    );
    let open = region.open_month;
    let text = match member.accrued(month, open) {
        Ok(subsidy) => {
            let paid_out = if line.subsidy_paid {
                format!(
                    "it was paid out to the member{}",
                    position_of(events, "SubsidyPaid")
                )
            } else {
                "it is not paid out yet: owed to the member (pay_subsidy)".to_owned()
            };
            format!(
                "{granted}; paid, not refunded and closed, it accrued round2(paid × share) = round2({} × {}) = {subsidy} (R16, S9: pay first, subsidised after); {paid_out}",
                line.paid, grant.share
            )
        }
        Err(NotAccrued::NotClosed) => format!(
            "{granted}; it is paid but not closed yet (the open month is {open}), so it has not accrued: it accrues round2({} × {}) = {} at its close (R16)",
            line.paid,
            grant.share,
            subsidy_of(line.paid, grant.share)
        ),
        Err(NotAccrued::Refunded) => format!(
            "{granted}; its contribution was refunded, so it accrues nothing (R16)"
        ),
        Err(NotAccrued::Unpaid) => {
            let never = match line.status {
                MonthStatus::Lapsed => "; lapsed, it never will",
                MonthStatus::NotEnrolled => "; it is outside every enrollment period",
                _ => "",
            };
            format!("{granted}; it is not paid, so it has not accrued (R16: a month accrues only once it is paid, not refunded and closed){never}")
        }
        Err(NotAccrued::NotGranted) => return None,
    };
    Some(text)
}

/// Prints the explanation: readable text, or one JSON object with `json`.
pub fn print(explanation: &Explanation, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, explanation)?;
        writeln!(out)?;
        return Ok(());
    }
    let line = &explanation.line;
    writeln!(
        out,
        "member {} ({}), {}: {} — {} (decided by {})",
        explanation.member_id,
        explanation.region,
        line.month,
        serde_plain(&line.status),
        if line.benefits {
            "with benefits"
        } else {
            "no benefits"
        },
        line.rule
    )?;
    let mut money = format!("due {}, paid {}", line.due, line.paid);
    for phrase in crate::audit::history::money_phrases(line) {
        money.push_str("; ");
        money.push_str(&phrase);
    }
    writeln!(out, "{money}")?;
    writeln!(out, "\nWhy:")?;
    for (index, reason) in explanation.reasons.iter().enumerate() {
        writeln!(out, "  {}. {reason}", index + 1)?;
    }
    writeln!(out, "\nEvents that decided it:")?;
    for citation in &explanation.events {
        writeln!(
            out,
            "  position {:>6}  {:<20} {}",
            citation.position, citation.event_type, citation.summary
        )?;
        writeln!(out, "  {:>15}  → {}", "", citation.role)?;
    }
    writeln!(out, "\nRules applied (RULES.md):")?;
    for rule in &explanation.rules {
        writeln!(out, "  {} {}. {}", rule.id, rule.title, rule.text)?;
        if rule.sources.is_empty() {
            writeln!(out, "      source: none — the ledger's own rule")?;
        }
        for source in &rule.sources {
            writeln!(out, "      source {}: \"{}\"", source.id, source.sentence)?;
        }
    }
    Ok(())
}
