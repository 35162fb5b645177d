//! `flexledger-audit explain --member ID --month YYYY-MM`: why a month has its status.
//!
//! The answer has three parts an auditor can check one against another: the reasons
//! in plain words (with the arithmetic), the events that decided them (by position,
//! so `flexledger events` shows them), and the rules applied, quoted from RULES.md
//! with the source sentence each rests on.

use crate::audit::history::{describe, serde_plain, MemberHistory};
use crate::audit::rules::{rules, Rule};
use crate::domain::command::WithdrawalReason;
use crate::domain::coverage::{member_coverage, MonthLine, MonthStatus};
use crate::domain::event::Event;
use crate::domain::month::Month;
use crate::domain::state::{FoldError, MemberState, Period, RegionState};
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
    let period = member
        .periods
        .iter()
        .rev()
        .find(|period| period.start <= month);
    let events = citations(history, month, period);
    let lapsed_by = history
        .events
        .iter()
        .find_map(|envelope| match &envelope.event {
            Event::MemberWithdrawn(withdrawn) if withdrawn.lapsed_months.contains(&month) => {
                Some(withdrawn)
            }
            _ => None,
        });
    let reasons = reasons(region, member, period, &line, &events, lapsed_by);
    let all_rules = rules();
    let mut ids = vec![line.rule.clone()];
    ids.extend(supporting_rules(&line).iter().map(|id| (*id).to_owned()));
    if member.deduction_stopped && matches!(line.status, MonthStatus::Due | MonthStatus::Arrears) {
        ids.push("R8".to_owned());
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

/// The events that bear on `month`, each with its role.
fn citations(history: &MemberHistory, month: Month, period: Option<&Period>) -> Vec<Citation> {
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
            "the period's first payment: benefits start from its month plus the delay (R7)"
                .to_owned();
        let role = match &envelope.event {
            Event::PolicyPublished(_) if Some(envelope) == policy_in_force => Some(format!(
                "the policy in force for {month}: prices it (R3, R4)"
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
            Event::MonthClosed(closed) if closed.month == month => {
                Some(format!("closes {month} (R9)"))
            }
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
    region: &RegionState,
    member: &MemberState,
    period: Option<&Period>,
    line: &MonthLine,
    events: &[Citation],
    lapsed_by: Option<&crate::domain::event::MemberWithdrawn>,
) -> Vec<String> {
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
        MonthStatus::Waiting => reasons.push(format!(
            "paid{}, but benefits of this enrollment period start in {} (the first payment's month plus the benefit delay, R7); {month} is before that, so it is waiting",
            position_of(events, "ContributionPaid"),
            start.map_or("no month yet".to_owned(), |start| start.to_string())
        )),
        MonthStatus::Covered => reasons.push(format!(
            "paid{}, never missed, and at or after the benefit start {} (R7): covered, with benefits",
            position_of(events, "ContributionPaid"),
            start.map_or("-".to_owned(), |start| start.to_string())
        )),
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
    reasons
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
    writeln!(out, "due {}, paid {}", line.due, line.paid)?;
    writeln!(out, "\nWhy:")?;
    for (index, reason) in explanation.reasons.iter().enumerate() {
        writeln!(out, "  {}. {reason}", index + 1)?;
    }
    writeln!(out, "\nEvents that decided it:")?;
    for citation in &explanation.events {
        writeln!(
            out,
            "  position {:>6}  {:<19} {}",
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
