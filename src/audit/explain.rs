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
//!
//! What decided the month — its facts and the rules applied — is the domain's
//! (`domain::why::month_why`, next to the month line); this file cites the events and
//! puts the facts into words, so another renderer (another language) can word the
//! same [`month_facts`].

use crate::audit::history::{describe, serde_plain, MemberHistory};
use crate::audit::rules::{rules, Rule};
use crate::domain::coverage::{member_coverage, MonthLine, MonthStatus};
use crate::domain::event::{ContributionPaid, Event};
use crate::domain::month::Month;
use crate::domain::rule::RuleId;
use crate::domain::state::{FoldError, NotAccrued, Period};
use crate::domain::why::{
    month_why, AccountWhy, BenefitStartWhy, DelayWhy, DueWhy, FirstPayment, LapseWhy, LapsedBy,
    MonthEvents, MonthWhy, RefundWhy, StatusWhy, SubsidyWhy,
};
use serde::Serialize;
use std::io::Write;

/// Why a month has its status. Its JSON is `ExplanationJson`: the month line in its
/// wire shape (`codec::wire`), then the reasons, events and rules.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub member_id: uuid::Uuid,
    pub region: String,
    pub line: MonthLine,
    /// The reasons, in order, in plain words.
    pub reasons: Vec<String>,
    /// The events that decided the month.
    pub events: Vec<Citation>,
    /// The rules applied, the deciding one first.
    pub rules: Vec<Rule>,
}

/// `Explanation` as JSON: the month line flattened in its wire shape.
#[derive(Serialize)]
struct ExplanationJson<'a> {
    member_id: uuid::Uuid,
    region: &'a str,
    #[serde(flatten)]
    line: crate::codec::wire::MonthLine,
    reasons: &'a [String],
    events: &'a [Citation],
    rules: &'a [Rule],
}

impl Serialize for Explanation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ExplanationJson {
            member_id: self.member_id,
            region: &self.region,
            line: crate::codec::wire::embed::month_line(&self.line),
            reasons: &self.reasons,
            events: &self.events,
            rules: &self.rules,
        }
        .serialize(serializer)
    }
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
///
/// The facts and the rules come from the domain ([`month_why`], next to the month
/// line that the coverage lists, via [`month_facts`]); this only puts them into words.
pub fn explain(
    history: &MemberHistory,
    month: Month,
) -> Result<Result<Explanation, String>, FoldError> {
    let (why, events) = match month_facts(history, month)? {
        Ok(facts) => facts,
        Err(message) => return Ok(Err(message)),
    };
    let reasons = reasons(&why, &events);
    let all_rules = rules();
    let rules = why
        .rules
        .iter()
        .filter_map(|id| all_rules.get(id).cloned())
        .collect();
    Ok(Ok(Explanation {
        member_id: history.member_id,
        region: history.region.to_string(),
        line: why.line,
        reasons,
        events,
        rules,
    }))
}

/// What decided `month` at the end of the history — the domain's [`MonthWhy`] — and
/// the events that bear on it, each with its role: everything a renderer of an
/// explanation needs. `Err` names the months that can be explained.
pub fn month_facts(
    history: &MemberHistory,
    month: Month,
) -> Result<Result<(MonthWhy, Vec<Citation>), String>, FoldError> {
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
    let Some(line) = coverage.months.iter().find(|line| line.month == month) else {
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
    // The latest period that started at or before the month.
    let period = member
        .periods
        .iter()
        .rev()
        .find(|period| period.start <= month);
    let events = citations(history, line, period);
    let facts = month_events(history, month, period, &events);
    Ok(Ok((month_why(region, member, month, &facts), events)))
}

/// What the events say about `month` that the state does not keep (the domain's
/// [`MonthEvents`]): the period's first payment (R7), the withdrawal that lapsed the
/// month (R11/R12), and the subsidy events cited for it (R16).
fn month_events(
    history: &MemberHistory,
    month: Month,
    period: Option<&Period>,
    cited: &[Citation],
) -> MonthEvents {
    let first_payment = period
        .and_then(|period| first_payment(history, period.start))
        .and_then(|(position, paid)| {
            Some(FirstPayment {
                position,
                payment_month: paid.payment_month,
                first_paid: paid.months.first()?.month,
            })
        });
    let lapsed_by = history
        .events
        .iter()
        .find_map(|envelope| match &envelope.event {
            Event::MemberWithdrawn(withdrawn) if withdrawn.lapsed_months.contains(&month) => {
                Some(LapsedBy {
                    reason: withdrawn.reason,
                    lapsed_months: withdrawn.lapsed_months.clone(),
                })
            }
            _ => None,
        });
    MonthEvents {
        first_payment,
        lapsed_by,
        subsidy_event: cited
            .iter()
            .any(|citation| citation.event_type.starts_with("Subsidy")),
        revoked_at: cited
            .iter()
            .rfind(|citation| citation.event_type == "SubsidyRevoked")
            .map(|citation| citation.position),
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

/// What bears on the month's roles, found once for all its events.
struct CitationContext<'a> {
    month: Month,
    line: &'a MonthLine,
    /// The latest policy effective by the month.
    policy_in_force: Option<&'a crate::store::Envelope>,
    period_start: Option<Month>,
    /// How the period is named: the one holding the month, or the last begun before it.
    period_word: String,
    /// The position of the period's first payment, which fixes its benefit start (R7).
    first_payment_at: Option<u64>,
}

/// The events that bear on `month`, each with its role.
fn citations(history: &MemberHistory, line: &MonthLine, period: Option<&Period>) -> Vec<Citation> {
    let month = line.month;
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
    let first_payment_at = period_start
        .and_then(|start| first_payment(history, start))
        .map(|(position, _)| position);
    let context = CitationContext {
        month,
        line,
        policy_in_force,
        period_start,
        period_word,
        first_payment_at,
    };
    history
        .events
        .iter()
        .filter_map(|envelope| {
            let role = contribution_role(&context, envelope)
                .or_else(|| subsidy_or_withdrawal_role(&context, history, envelope))?;
            Some(Citation {
                position: envelope.position,
                event_type: envelope.event.type_name(),
                summary: describe(&envelope.event),
                role,
            })
        })
        .collect()
}

/// The role of a policy, enrollment, base, payment or close event in the month.
fn contribution_role(
    context: &CitationContext<'_>,
    envelope: &crate::store::Envelope,
) -> Option<String> {
    let CitationContext {
        month,
        line,
        policy_in_force,
        period_start,
        ..
    } = *context;
    let period_word = &context.period_word;
    let is_first_payment = Some(envelope.position) == context.first_payment_at;
    let benefit_start_role =
        "the period's first payment: P is the later of its month and the first month it pays for; benefits start P + the delay (R7)"
            .to_owned();
    match &envelope.event {
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
        _ => None,
    }
}

/// The role of a refund, subsidy or withdrawal event in the month.
fn subsidy_or_withdrawal_role(
    context: &CitationContext<'_>,
    history: &MemberHistory,
    envelope: &crate::store::Envelope,
) -> Option<String> {
    let month = context.month;
    let period_start = context.period_start;
    match &envelope.event {
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
                withdrawn.reason.rule()
            ))
        }
        Event::MemberWithdrawn(withdrawn)
            if withdrawn.effective_from <= month
                && period_start.is_some_and(|start| start <= withdrawn.effective_from) =>
        {
            Some(format!(
                "ends the enrollment from {} ({})",
                withdrawn.effective_from,
                withdrawn.reason.rule()
            ))
        }
        _ => None,
    }
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

/// The reasons in plain words, from the domain's facts; positions name the cited
/// events.
fn reasons(why: &MonthWhy, events: &[Citation]) -> Vec<String> {
    let line = &why.line;
    let mut reasons = Vec::new();
    if let Some(due) = &why.due {
        reasons.push(due_reason(due, line));
    }
    if why.deduction_stopped {
        reasons.push("deduction is stopped (R8): every payment is refused until it is resumed (resume_deduction), so this month cannot be paid now".to_owned());
    }
    reasons.extend(status_reasons(why, events));
    reasons.extend(
        why.refund
            .as_ref()
            .map(|refund| refund_reason(refund, line, events)),
    );
    reasons.extend(
        why.account
            .as_ref()
            .map(|account| account_reason(account, line)),
    );
    reasons.extend(
        why.subsidy
            .as_ref()
            .and_then(|subsidy| subsidy_reason(subsidy, line, events)),
    );
    reasons
}

/// The reasons behind the status itself (RULES.md "Month statuses").
fn status_reasons(why: &MonthWhy, events: &[Citation]) -> Vec<String> {
    let line = &why.line;
    let month = line.month;
    let mut reasons = Vec::new();
    match &why.status {
        StatusWhy::Due { open_month } => reasons.push(format!(
            "{month} is not closed yet (the open month is {open_month}) and not paid: pay it, oldest unpaid month first (R6), before {month} is closed (R9)"
        )),
        StatusWhy::Waiting { benefit_start, how } => {
            reasons.push(format!(
                "paid{}, but benefits of this enrollment period start in {} (P plus the benefit delay, R7); {month} is before that, so it is waiting",
                position_of(events, "ContributionPaid"),
                benefit_start.map_or("no month yet".to_owned(), |start| start.to_string())
            ));
            reasons.extend(how.as_ref().map(benefit_start_reason));
        }
        StatusWhy::Covered { benefit_start, how } => {
            reasons.push(format!(
                "paid{}, never missed, and at or after the benefit start {} (R7): covered, with benefits",
                position_of(events, "ContributionPaid"),
                benefit_start.map_or("-".to_owned(), |start| start.to_string())
            ));
            reasons.extend(how.as_ref().map(benefit_start_reason));
        }
        StatusWhy::Arrears(arrears) => {
            let grace = arrears.grace_months;
            reasons.push(format!(
                "{month} was closed unpaid and recorded missed{} (R9); it is in arrears: no benefits while unpaid (R10)",
                position_of(events, "ContributionMissed")
            ));
            reasons.push(format!(
                "the arrears run starts at {} and is {} month(s) long; it can be paid back, oldest first, until {} (first arrears month + {grace} months' grace, R10); a close that leaves more than {grace} months of arrears withdraws the member automatically (R11)",
                arrears.first, arrears.months, arrears.backpay_deadline
            ));
        }
        StatusWhy::Restored { backpay_restores } => {
            reasons.push(format!(
                "{month} was recorded missed at its close{} (R9) and paid back within grace{} (R10): restored, continuity kept",
                position_of(events, "ContributionMissed"),
                position_of(events, "ContributionPaid")
            ));
            reasons.push(format!(
                "benefits: {} — the policy in force for {month} says backpay_restores = {} (P-restore, R10)",
                if line.benefits { "yes" } else { "no" },
                serde_plain(backpay_restores)
            ));
        }
        StatusWhy::Lapsed(lapse) => {
            reasons.push(format!(
                "{month} was recorded missed at its close{} (R9) and never paid back",
                position_of(events, "ContributionMissed")
            ));
            reasons.push(format!(
                "{}{}",
                lapse_reason(lapse),
                position_of(events, "MemberWithdrawn")
            ));
        }
        StatusWhy::NotEnrolled { withdrawal } => reasons.push(match withdrawal {
            Some(withdrawal) => format!(
                "{month} is outside every enrollment period: the member was withdrawn ({}) from {}{} ({}) and not re-enrolled for it (R13)",
                serde_plain(&withdrawal.reason),
                withdrawal.effective_from,
                position_of(events, "MemberWithdrawn"),
                withdrawal.reason.rule()
            ),
            None => format!("{month} is before the member's first enrollment (R5)"),
        }),
    }
    reasons
}

/// R4 (and R2): what the month costs, or the due it kept.
fn due_reason(due: &DueWhy, line: &MonthLine) -> String {
    let month = line.month;
    let amount = due.due;
    if due.priced_now == amount {
        format!(
            "{month} costs {amount}: wage {} × base ratio {} × rate {}, rounded half away from zero (R4, R2){}",
            due.wage,
            due.base_ratio,
            due.rate,
            if line.paid.is_zero() { String::new() } else { format!("; it was paid at {amount} and keeps that due (R4)") }
        )
    } else {
        let when = if line.paid.is_zero() {
            "when it was recorded missed"
        } else {
            "when it was paid"
        };
        format!(
            "{month} costs {amount}, its due {when}; a month keeps that due even though the policy and base now price it at {} (R4)",
            due.priced_now
        )
    }
}

/// R11 or R12: how the withdrawal that lapsed the month came about.
fn lapse_reason(lapse: &LapseWhy) -> String {
    match lapse.reason {
        Some(reason) if reason.rule() == RuleId::R11 => format!(
            "the close of {} left {} months of arrears, more than its {} months' grace, so the member was withdrawn automatically from the first arrears month ({}); the month is lapsed — never covered, no longer payable, its medical expenses borne by the member",
            lapse.closed.map_or("-".to_owned(), |closed| closed.to_string()),
            lapse.lapsed_months,
            lapse.grace_months,
            reason.rule()
        ),
        Some(reason) => format!(
            "the member withdrew ({}) while it was in arrears ({}); the month is lapsed — never covered and no longer payable",
            serde_plain(&reason),
            reason.rule()
        ),
        None => "the member was withdrawn; the month is lapsed".to_owned(),
    }
}

/// R7 (v2): how the period's benefit start was decided: P, the delay, and why that
/// delay (first enrollment, not yet qualified, a gap longer than P-reset, or the
/// re-enrollment delay).
fn benefit_start_reason(how: &BenefitStartWhy) -> String {
    let FirstPayment {
        position,
        payment_month,
        first_paid,
    } = how.first_payment;
    let p = how.p;
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
    let delay = how.delay_months;
    let why = match how.delay {
        DelayWhy::FirstEnrollment => format!("this is the member's first enrollment, so the first-time delay applies: benefit_delay_first = {delay} (P-delay-first, S6)"),
        DelayWhy::NotQualified => format!("the member had not qualified before (no earlier period had a paid month that arrived at or after its benefit start), so enrolling again does not shorten the first-time wait: benefit_delay_first = {delay} (P-delay-first)"),
        DelayWhy::NoReset => format!("the member had qualified in an earlier period and the policy in force in {p} sets no P-reset, so the re-enrollment delay applies: benefit_delay_reenroll = {delay} (P-delay-re, S1 \"from the next month of payment\")"),
        DelayWhy::GapWithinReset { last_paid, gap_months, reset } => format!(
            "the member had qualified in an earlier period and the gap, {gap_months} month(s) strictly between the last paid month before this period ({last_paid}) and P, is at most first_wait_after_gap_months = {reset} (P-reset) of the policy in force in {p}, so the re-enrollment delay applies: benefit_delay_reenroll = {delay} (P-delay-re, S1)"
        ),
        DelayWhy::GapBeyondReset { last_paid, gap_months, reset } => format!(
            "the member had qualified in an earlier period, but the gap, {gap_months} month(s) strictly between the last paid month before this period ({last_paid}) and P, is longer than first_wait_after_gap_months = {reset} (P-reset, S7) of the policy in force in {p}, so the break counts as a first enrollment: benefit_delay_first = {delay} (P-delay-first)"
        ),
        DelayWhy::NothingPaidBefore { reset } => format!("no month was paid before this period, and the policy in force in {p} sets P-reset ({reset}), so the first-time delay applies: benefit_delay_first = {delay} (P-delay-first)"),
    };
    let recorded = how.recorded_delay_months;
    let check = if recorded == i64::from(delay) {
        String::new()
    } else {
        format!(" (the ledger recorded a delay of {recorded} month(s): the policies in this history no longer give {delay})")
    };
    format!(
        "R7 benefit start: {p_text}; {why}; so benefits start in P + {delay} = {}{check}",
        how.benefit_start
    )
}

/// R12 (v2): a month paid ahead and refunded by a withdrawal.
fn refund_reason(refund: &RefundWhy, line: &MonthLine, events: &[Citation]) -> String {
    let month = line.month;
    let refunded_by = events
        .iter()
        .rfind(|citation| citation.event_type == "ContributionRefunded")
        .map_or_else(String::new, |citation| {
            format!(" (position {})", citation.position)
        });
    let ended = refund.withdrawal.as_ref().map_or_else(String::new, |withdrawal| {
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
    format!(
        "{month} was paid ahead and refunded by the withdrawal{refunded_by}: {} refunded (R12, new in v2: months paid beyond L are refunded, nobody stays covered after a withdrawal).{ended} {now}",
        refund.refunded
    )
}

/// R17: the split of a paid month between the personal account and the pooling fund.
fn account_reason(account: &AccountWhy, line: &MonthLine) -> String {
    let month = line.month;
    let how = match account.formula {
        Some((wage, ratio, rate)) => {
            format!(" = round2(wage {wage} × base ratio {ratio} × account_rate {rate})")
        }
        None => " (fixed when it was paid, by the policy and base in force for it then)".to_owned(),
    };
    let (pooled, open) = (account.pooled, account.open_month);
    let credited = if month <= open {
        format!(
            "it is credited to the account balance, now {} (R17)",
            account.balance
        )
    } else {
        format!("it is credited to the account balance once {month} arrives (the open month is {open}, R17)")
    };
    format!(
        "of the {} paid for {month}, {} goes to the member's personal account{how} and {pooled} to the pooling fund (R17, S10); {credited}",
        line.paid, account.to_account
    )
}

/// R16: what a granted month accrued and whether it was paid out, or why it has not
/// accrued.
fn subsidy_reason(subsidy: &SubsidyWhy, line: &MonthLine, events: &[Citation]) -> Option<String> {
    let month = line.month;
    let (grant, accrual, at_close, paid_out, open) = match subsidy {
        // Granted once, revoked since: say so, the grant and revocation are cited.
        SubsidyWhy::Revoked { position } => {
            return Some(format!(
                "a subsidy grant named {month}, but it was revoked (position {position}): {month} is no longer granted and accrues nothing (R16)"
            ))
        }
        SubsidyWhy::Granted {
            grant,
            accrual,
            at_close,
            paid_out,
            open_month,
        } => (grant, accrual, at_close, *paid_out, open_month),
    };
    let granted = format!(
        "{month} is granted a subsidy of share {} ({} grant of {} month(s) from {})",
        grant.share,
        serde_plain(&grant.category),
        grant.months,
        grant.from_month
    );
    let text = match accrual {
        Ok(subsidy) => {
            let paid_out = if paid_out {
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
            "{granted}; it is paid but not closed yet (the open month is {open}), so it has not accrued: it accrues round2({} × {}) = {at_close} at its close (R16)",
            line.paid,
            grant.share,
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
pub fn print(explanation: &Explanation, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
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
