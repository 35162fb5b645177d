//! `flexledger-audit explain --member ID --month YYYY-MM`: why a month has its status.
//!
//! The answer has three parts an auditor can check one against another: the reasons
//! in plain words (with the arithmetic), the events that decided them (by position,
//! so `flexledger events` shows them), and the rules applied, quoted from RULES.md
//! with the source sentence each rests on.
//!
//! A paid month cites the policy the ledger held for it when its payment was folded,
//! which priced and split it, and the later publication in force for it now, if one
//! is, which does not reprice it (R4, R17, D5).
//!
//! v2: a refunded month names each of its refunds, what it gave back and the
//! withdrawal recorded with it (R12); a paid month's benefit start is derived step by
//! step (P, qualified, the gap against P-reset, R7); a granted month says what it
//! accrued and whether it was paid out, or why it has not accrued (R16, S9; a refunded
//! month enrolled for again and unpaid accrues nothing because it is unpaid); a month
//! with a personal-account part shows the split (R17, S10).
//!
//! What decided the month — its facts and the rules applied — is the domain's
//! (`domain::why::month_why`, next to the month line); this file cites the events and
//! puts the facts into words, so another renderer can word the same [`month_facts`].
//!
//! Every sentence is a message of `locales/<tag>/explain.ftl` (D37), rendered in the
//! reader's language from the facts: English (the JSON's language, byte for byte what
//! it always said) or Chinese, which quotes the rules from RULES.zh.md and the sources
//! in their Chinese original where there is one (`audit::rules::rules_in`).

use crate::audit::history::{category_word, reason_word, restores_word, status_word};
use crate::audit::history::{describe_followed_in, recorded_next, MemberHistory};
use crate::audit::rules::{clause_sentences, rules_in, Clause, QuoteOrigin, Rule};
use crate::domain::coverage::{month_line, MonthLine, MonthStatus};
use crate::domain::event::{ContributionPaid, Event};
use crate::domain::month::Month;
use crate::domain::rule::RuleId;
use crate::domain::state::{FoldError, NotAccrued, Period};
use crate::domain::why::{
    month_why, refunds_by_month, AccountWhy, ArrearsWhy, BenefitStartWhy, DeadlineBy, DelayWhy,
    DueWhy, FirstPayment, LapseWhy, LapsedBy, MonthEvents, MonthWhy, PaidUnder, RefundPart,
    RefundWhy, StatusWhy, SubsidyWhy,
};
use crate::i18n::{count, display_width, say, text, Language};
use crate::store::Envelope;
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
    /// For a long rule, the parts of it the month rests on: the text quotes only
    /// their sentences (the JSON keeps every rule's whole text).
    pub clauses: Vec<(RuleId, Vec<Clause>)>,
    /// The language its words are in (the text's headings too). The JSON is made from
    /// an English explanation: its field names and codes are the same in every
    /// language, and its sentences are the contract's English.
    pub language: Language,
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
    /// Whether it is a payment of the month itself (the one a reason's "paid" names).
    #[serde(skip)]
    pub pays_month: bool,
    /// Whether it is the withdrawal that ended the month's own period (the one a
    /// reason's "withdrawn" names; the one that ended the period before may be cited
    /// too).
    #[serde(skip)]
    pub ends_period: bool,
    /// Whether the log does not hold it yet: a consequence of a month close still
    /// being recorded, cited at its close's position (`MemberHistory::implied`, D75).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub implied: bool,
}

/// Why `month` has its status, in English; `Err` names the months that can be
/// explained.
pub fn explain(
    history: &MemberHistory,
    month: Month,
) -> Result<Result<Explanation, String>, FoldError> {
    explain_in(history, month, Language::En)
}

/// Why `month` has its status, in `language`; `Err` says, in `language`, which months
/// can be explained.
///
/// The facts and the rules come from the domain ([`month_why`], next to the month
/// line that the coverage lists, via [`month_facts`]); this only puts them into words.
pub fn explain_in(
    history: &MemberHistory,
    month: Month,
    language: Language,
) -> Result<Result<Explanation, String>, FoldError> {
    let (why, events) = match facts(history, month, language)? {
        Ok(facts) => facts,
        Err(unlisted) => return Ok(Err(unlisted.text(language))),
    };
    let mut reasons = reasons(language, &why, &events);
    // D75: the events cited as implied are not in the log yet; say why they are shown.
    if let Some(implied) = events.iter().find(|citation| citation.implied) {
        let args = [("position", text(implied.position))];
        reasons.push(say(language, "explain-implied", &args));
    }
    let all_rules = rules_in(language);
    let rules = why
        .rules
        .iter()
        .filter_map(|id| all_rules.get(id).cloned())
        .collect();
    let clauses = rule_clauses(&why);
    Ok(Ok(Explanation {
        member_id: history.member_id,
        region: history.region.to_string(),
        line: why.line,
        reasons,
        events,
        rules,
        clauses,
        language,
    }))
}

/// The parts of R7, R10 and R12 that the month rests on, from its facts: a waiting
/// or covered month quotes the benefit start and the delay its period used (and the
/// gap, when P-reset decided it), an arrears month the run and its deadline, a lapsed
/// or withdrawn month how the withdrawal took effect. Others quote a rule whole.
fn rule_clauses(why: &MonthWhy) -> Vec<(RuleId, Vec<Clause>)> {
    use Clause::*;
    let delay = |how: &Option<BenefitStartWhy>| -> Vec<Clause> {
        match how.as_ref().map(|how| how.delay) {
            None => Vec::new(),
            Some(DelayWhy::FirstEnrollment | DelayWhy::NoReset) => vec![Delay],
            Some(DelayWhy::NotQualified) => vec![Qualified, Delay, NeverShortens],
            Some(
                DelayWhy::GapWithinReset { .. }
                | DelayWhy::GapBeyondReset { .. }
                | DelayWhy::NothingPaidBefore { .. },
            ) => vec![Delay, Gap],
        }
    };
    let mut clauses = match &why.status {
        StatusWhy::Waiting { how, .. } => {
            vec![(
                RuleId::R7,
                [vec![BenefitStart, Waiting], delay(how)].concat(),
            )]
        }
        StatusWhy::Covered { how, .. } => {
            vec![(RuleId::R7, [vec![BenefitStart], delay(how)].concat())]
        }
        StatusWhy::Arrears(_) => vec![(RuleId::R10, vec![Arrears, PayBack, Deadline])],
        StatusWhy::Restored { .. } => vec![
            (RuleId::R7, vec![Qualified]),
            (RuleId::R10, vec![Restored, Continuity]),
        ],
        StatusWhy::Lapsed(_) => vec![
            (RuleId::R10, vec![Arrears, PayBack]),
            (RuleId::R12, vec![Effective, LapsedAtWithdrawal]),
        ],
        StatusWhy::NotEnrolled { .. } => vec![(RuleId::R12, vec![Effective, NobodyCovered])],
        StatusWhy::Due { .. } => Vec::new(),
    };
    if why.refund.is_some() {
        clauses.retain(|(id, _)| *id != RuleId::R12);
        clauses.push((RuleId::R12, vec![Effective, Refund, NobodyCovered]));
    }
    clauses
}

/// Why a month cannot be explained: the member was never enrolled.
struct Unlisted(uuid::Uuid);

impl Unlisted {
    fn text(&self, language: Language) -> String {
        say(
            language,
            "explain-no-enrollment",
            &[("member", text(self.0))],
        )
    }
}

/// What decided `month` at the end of the history — the domain's [`MonthWhy`] — and
/// the events that bear on it, each with its role (in English): everything a renderer
/// of an explanation needs. `Err` names the months that can be explained.
pub fn month_facts(
    history: &MemberHistory,
    month: Month,
) -> Result<Result<(MonthWhy, Vec<Citation>), String>, FoldError> {
    Ok(facts(history, month, Language::En)?.map_err(|unlisted| unlisted.text(Language::En)))
}

/// [`month_facts`] with the events' roles in `language`.
fn facts(
    history: &MemberHistory,
    month: Month,
    language: Language,
) -> Result<Result<(MonthWhy, Vec<Citation>), Unlisted>, FoldError> {
    let state = history.state()?;
    let (Some(member), Some(region)) = (
        state.members.get(&history.member_id),
        state.regions.get(&history.region),
    ) else {
        return Ok(Err(Unlisted(history.member_id)));
    };
    // Any month answers as the month query does (`domain::month_line`): one the
    // coverage lists, or one outside it — before the first enrollment (`not_enrolled`,
    // R5), after a withdrawal (`not_enrolled`, R11/R12) or beyond the open month
    // (`due`, R4). An auditor must be able to ask why of every answer a hospital gets.
    let line = &month_line(region, member, month);
    // The latest period that started at or before the month.
    let period_index = member
        .periods
        .iter()
        .rposition(|period| period.start <= month);
    let period = period_index.map(|index| &member.periods[index]);
    // R12: read once, for the citations and for the reason.
    let refunds = refunds_of(history, month);
    let refunding = refunds
        .iter()
        .filter_map(|part| part.withdrawal.as_ref().map(|(position, _)| *position))
        .collect();
    let withdrawals =
        PeriodWithdrawals::of(history, line, (&member.periods, period_index), refunding);
    // R4, R17: a paid month was priced and split by the policy in force for it when
    // its payment was folded, which a later publication may have replaced since.
    let paid_at = member
        .paid
        .contains_key(&month)
        .then(|| paying_position(history, month))
        .flatten();
    let policies = PolicyCitations::of(history, month, paid_at);
    let paid_under = paid_under(history, month, paid_at, &policies)?;
    let marks = Marks::of(history, member, line, paid_at);
    let events = citations(
        language,
        history,
        line,
        period,
        (withdrawals, &refunds, policies, marks),
    );
    let facts = month_events(history, (month, period), &events, (refunds, paid_under));
    let mut why = month_why(region, member, month, &facts);
    for rule in rules_of_cited_events(history, &events) {
        if !why.rules.contains(&rule) {
            why.rules.push(rule);
        }
    }
    Ok(Ok((why, events)))
}

/// D23: the rules of the events cited for the month that its status's rules may not
/// name: R13 for a re-enrollment, R15 for a base change, R8 for a stopped deduction,
/// and a withdrawal's own (R11, R12), whatever the role each plays (it ended the
/// month's period, the one before, or cut a wait short). An auditor's probe
/// (2026-12-05) found each named on an event line and missing from the rules applied;
/// taken from the citations, the two lists cannot disagree.
fn rules_of_cited_events(history: &MemberHistory, events: &[Citation]) -> Vec<RuleId> {
    events
        .iter()
        .filter_map(|citation| {
            let envelope = history.events.iter().find(|envelope| {
                envelope.position == citation.position
                    && envelope.event.type_name() == citation.event_type
            })?;
            match &envelope.event {
                Event::MemberReenrolled(_) => Some(RuleId::R13),
                Event::BaseChanged(_) => Some(RuleId::R15),
                Event::DeductionStopped(_) => Some(RuleId::R8),
                Event::MemberWithdrawn(withdrawn) => Some(withdrawn.reason.rule()),
                _ => None,
            }
        })
        .collect()
}

/// Where two facts a month's reasons rest on were recorded, so that their events are
/// cited with them (an auditor's probe, 2026-12-05, found both reasons given with no
/// event behind them).
#[derive(Clone, Copy, Default)]
struct Marks {
    /// R16: the payment with which a granted month paid back after its close accrued
    /// its subsidy (a month paid before its close accrues at the close).
    accrued_at_payment: Option<u64>,
    /// R8: the `DeductionStopped` in force, when it blocks the month (due or in
    /// arrears, as `domain::why::month_why` decides).
    deduction_stopped_at: Option<u64>,
}

impl Marks {
    /// `paid_at`: where the month's payment was recorded, if it is paid.
    fn of(
        history: &MemberHistory,
        member: &crate::domain::state::MemberState,
        line: &MonthLine,
        paid_at: Option<u64>,
    ) -> Marks {
        let closed_at = history
            .events
            .iter()
            .find_map(|envelope| match &envelope.event {
                Event::MonthClosed(closed) if closed.month == line.month => Some(envelope.position),
                _ => None,
            });
        let accrued_at_payment = match (paid_at, closed_at) {
            (Some(paid), Some(closed)) if paid > closed && !line.subsidy.is_zero() => Some(paid),
            _ => None,
        };
        let blocked = member.deduction_stopped
            && matches!(line.status, MonthStatus::Due | MonthStatus::Arrears);
        let deduction_stopped_at = blocked
            .then(|| {
                history
                    .member_events()
                    .filter(|envelope| matches!(envelope.event, Event::DeductionStopped(_)))
                    .last()
                    .map(|envelope| envelope.position)
            })
            .flatten();
        Marks {
            accrued_at_payment,
            deduction_stopped_at,
        }
    }
}

/// R4, R17: the policies a month's citations name: the one in force for it now, and
/// for a paid month, the one in force for it when its payment was folded, if that is
/// another publication (a policy published since for a month paid ahead, or D5's
/// replacement of the month's policy).
#[derive(Clone, Copy, Default)]
struct PolicyCitations<'a> {
    now: Option<&'a Envelope>,
    when_paid: Option<&'a Envelope>,
}

impl<'a> PolicyCitations<'a> {
    /// `paid_at`: where the month's payment was recorded, if it is paid.
    fn of(history: &'a MemberHistory, month: Month, paid_at: Option<u64>) -> PolicyCitations<'a> {
        let now = policy_in_force(history, month, u64::MAX);
        let when_paid = paid_at
            .and_then(|position| policy_in_force(history, month, position))
            .filter(|then| Some(*then) != now);
        PolicyCitations { now, when_paid }
    }
}

/// R3, D5: the policy in force for `month` among those recorded up to `position`: the
/// latest effective by the month, the later publication of two for the same month.
fn policy_in_force(history: &MemberHistory, month: Month, position: u64) -> Option<&Envelope> {
    history
        .events
        .iter()
        .filter(|envelope| envelope.position <= position)
        .filter_map(|envelope| match &envelope.event {
            Event::PolicyPublished(policy) if policy.effective_from <= month => {
                Some(((policy.effective_from, envelope.position), envelope))
            }
            _ => None,
        })
        .max_by_key(|(key, _)| *key)
        .map(|(_, envelope)| envelope)
}

/// Where the payment that pays `month` now was recorded: the last one naming it (a
/// refund takes a month's payment away, and a payment after it pays it again).
fn paying_position(history: &MemberHistory, month: Month) -> Option<u64> {
    history
        .events
        .iter()
        .rev()
        .find(|envelope| {
            matches!(&envelope.event, Event::ContributionPaid(paid)
            if paid.months.iter().any(|line| line.month == month))
        })
        .map(|envelope| envelope.position)
}

/// R4, R17: the policy and the member's ratio the ledger held for a paid month when
/// its payment was folded, read from the history folded through the payment, when a
/// later publication is in force for the month now (`policies.when_paid`).
fn paid_under(
    history: &MemberHistory,
    month: Month,
    paid_at: Option<u64>,
    policies: &PolicyCitations<'_>,
) -> Result<Option<PaidUnder>, FoldError> {
    let (Some(payment_position), Some(then)) = (paid_at, policies.when_paid) else {
        return Ok(None);
    };
    let state = history.state_through(payment_position)?;
    let (Some(member), Some(region)) = (
        state.members.get(&history.member_id),
        state.regions.get(&history.region),
    ) else {
        return Ok(None);
    };
    Ok(Some(PaidUnder {
        payment_position,
        policy_position: then.position,
        policy: region.policy_for(month).clone(),
        chosen_ratio: member.base_ratio_for(month),
    }))
}

/// What the events say about `month` that the state does not keep (the domain's
/// [`MonthEvents`]): the period's first payment (R7), the withdrawal that lapsed the
/// month (R11/R12), and the subsidy events cited for it (R16).
fn month_events(
    history: &MemberHistory,
    (month, period): (Month, Option<&Period>),
    cited: &[Citation],
    (refunds, paid_under): (Vec<RefundPart>, Option<PaidUnder>),
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
        refunds,
        paid_under,
        subsidy_event: cited
            .iter()
            .any(|citation| citation.event_type.starts_with("Subsidy")),
        revoked_at: cited
            .iter()
            .rfind(|citation| citation.event_type == "SubsidyRevoked")
            .map(|citation| citation.position),
    }
}

/// R12: every refund of `month`, in log order, each with what it gave back and the
/// withdrawal recorded with it (the domain's [`refunds_by_month`]).
fn refunds_of(history: &MemberHistory, month: Month) -> Vec<RefundPart> {
    let events = history
        .events
        .iter()
        .map(|envelope| (envelope.position, &envelope.event));
    refunds_by_month(events).remove(&month).unwrap_or_default()
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
    language: Language,
    month: Month,
    line: &'a MonthLine,
    /// The policy in force for the month now, and the one that priced it when paid.
    policies: PolicyCitations<'a>,
    period_start: Option<Month>,
    /// How the period is named: the one holding the month, or the last begun before it.
    period_word: String,
    /// The position of the period's first payment, which fixes its benefit start (R7).
    first_payment_at: Option<u64>,
    /// The withdrawals that decided the month besides one that lapsed it.
    withdrawals: PeriodWithdrawals,
    /// The base change that sets the month's ratio, if one does (D6: a later change
    /// from an earlier month replaces every change scheduled after it, and an
    /// enrollment or re-enrollment sets the base anew, so only the last recorded of
    /// them from the month or before counts).
    base_change_at: Option<u64>,
    /// Every refund of the month (R12): a payment of the month before the last no
    /// longer pays it.
    refunds: &'a [RefundPart],
    marks: Marks,
}

/// The withdrawals (by position) that decided a month besides one that lapsed it
/// (R11/R12): the one that ended the month's own period, if the month lies after it
/// took effect or the month is a waiting month that never reached its benefit start
/// because of it; and the one that ended the period before, if the month's status
/// rests on its period's benefit start (waiting, covered, restored): that withdrawal
/// made this period a re-enrollment, which restarts continuity (R13, R14) and decides
/// the benefit start anew (R7) — D53. And each one recorded with a refund of the month
/// paid ahead (R12), which need be neither: a member re-enrolled and withdrawn again
/// after it.
#[derive(Clone, Debug, Default)]
struct PeriodWithdrawals {
    own: Option<u64>,
    previous: Option<u64>,
    refunding: Vec<u64>,
}

impl PeriodWithdrawals {
    /// `refunding`: the positions of the withdrawals recorded with the month's refunds
    /// ([`refunds_of`]).
    fn of(
        history: &MemberHistory,
        line: &MonthLine,
        (periods, index): (&[Period], Option<usize>),
        refunding: Vec<u64>,
    ) -> PeriodWithdrawals {
        let Some(index) = index else {
            return PeriodWithdrawals {
                refunding,
                ..PeriodWithdrawals::default()
            };
        };
        let positions = withdrawal_positions(history);
        let at = |index: usize| positions.get(index).copied().flatten();
        let period = &periods[index];
        let decided_own = period.withdrawal.as_ref().is_some_and(|withdrawal| {
            withdrawal.effective_from <= line.month
                || (line.status == MonthStatus::Waiting
                    && period
                        .benefit_start
                        .is_none_or(|start| withdrawal.effective_from <= start))
        });
        let rests_on_benefit_start = matches!(
            line.status,
            MonthStatus::Waiting | MonthStatus::Covered | MonthStatus::Restored
        );
        PeriodWithdrawals {
            own: at(index).filter(|_| decided_own),
            previous: index
                .checked_sub(1)
                .and_then(at)
                .filter(|_| rests_on_benefit_start),
            refunding,
        }
    }

    /// The role message of the withdrawal at `position`: it ended the month's own
    /// period, or the period before; `None` for any other withdrawal.
    fn role_of(&self, position: u64) -> Option<&'static str> {
        if Some(position) == self.own {
            Some("explain-role-ends")
        } else if Some(position) == self.previous {
            Some("explain-role-ends-previous")
        } else if self.refunding.contains(&position) {
            Some("explain-role-ends-refunded")
        } else {
            None
        }
    }
}

/// The position of each enrollment period's withdrawal, by period index (`None` for a
/// period not withdrawn), as the fold records them: each enrollment or re-enrollment
/// opens a period, and a withdrawal ends the latest one.
fn withdrawal_positions(history: &MemberHistory) -> Vec<Option<u64>> {
    let mut periods: Vec<Option<u64>> = Vec::new();
    for envelope in history.member_events() {
        match &envelope.event {
            Event::MemberEnrolled(_) | Event::MemberReenrolled(_) => periods.push(None),
            Event::MemberWithdrawn(_) => {
                if let Some(last) = periods.last_mut() {
                    *last = Some(envelope.position);
                }
            }
            _ => {}
        }
    }
    periods
}

/// The events that bear on `month`, each with its role in `language`.
fn citations(
    language: Language,
    history: &MemberHistory,
    line: &MonthLine,
    period: Option<&Period>,
    (withdrawals, refunds, policies, marks): (
        PeriodWithdrawals,
        &[RefundPart],
        PolicyCitations<'_>,
        Marks,
    ),
) -> Vec<Citation> {
    let month = line.month;
    let period_start = period.map(|period| period.start);
    let period_word = if period.is_some_and(|period| period.contains(month)) {
        say(
            language,
            "explain-period-holding",
            &[("month", text(month))],
        )
    } else {
        say(
            language,
            "explain-period-last-before",
            &[("month", text(month))],
        )
    };
    let first_payment_at = period_start
        .and_then(|start| first_payment(history, start))
        .map(|(position, _)| position);
    let base_change_at = period_start.and_then(|start| base_change_in_force(history, start, month));
    let context = CitationContext {
        language,
        month,
        line,
        policies,
        period_start,
        period_word,
        first_payment_at,
        withdrawals,
        base_change_at,
        refunds,
        marks,
    };
    history
        .events
        .iter()
        .enumerate()
        .filter_map(|(index, envelope)| {
            let mut role = contribution_role(&context, envelope)
                .or_else(|| subsidy_or_withdrawal_role(&context, history, envelope))?;
            let implied = history.is_implied(index);
            if implied {
                let args = [("role", text(role)), ("position", text(envelope.position))];
                role = say(language, "explain-role-implied", &args);
            }
            Some(Citation {
                position: envelope.position,
                event_type: envelope.event.type_name(),
                summary: describe_followed_in(
                    language,
                    &envelope.event,
                    recorded_next(envelope, history.events.get(index + 1)),
                ),
                role,
                pays_month: matches!(&envelope.event, Event::ContributionPaid(paid)
                    if paid.months.iter().any(|paid| paid.month == month))
                    && !context.refunded_after(envelope.position),
                // An implied withdrawal shows its close's position: the close is no
                // withdrawal.
                ends_period: matches!(envelope.event, Event::MemberWithdrawn(_))
                    && Some(envelope.position) == context.withdrawals.own,
                implied,
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
        language,
        month,
        line,
        period_start,
        ..
    } = *context;
    let period = || [("period", text(&context.period_word))];
    let is_first_payment = Some(envelope.position) == context.first_payment_at;
    let on_month = [("month", text(month))];
    // A month outside every period is priced by no policy and waits for no benefit
    // start (its due is 0.00): neither is cited for it, only what put it outside.
    let outside = line.status == MonthStatus::NotEnrolled;
    match &envelope.event {
        Event::PolicyPublished(_) if outside => None,
        Event::PolicyPublished(_) => policy_role(context, envelope),
        Event::MemberEnrolled(enrolled) if Some(enrolled.month) == period_start => {
            Some(say(language, "explain-role-enrolled", &period()))
        }
        // R5: a month before the first enrollment has no period; the enrollment says
        // where the member's months begin.
        Event::MemberEnrolled(enrolled) if period_start.is_none() => {
            let args = [("month", text(month)), ("from", text(enrolled.month))];
            Some(say(language, "explain-role-enrolled-later", &args))
        }
        Event::MemberReenrolled(reenrolled) if Some(reenrolled.month) == period_start => {
            Some(say(language, "explain-role-reenrolled", &period()))
        }
        Event::BaseChanged(changed) if Some(envelope.position) == context.base_change_at => {
            let from = [("from", text(changed.from_month))];
            Some(say(language, "explain-role-base", &from))
        }
        Event::ContributionPaid(paid)
            if paid.months.iter().any(|line| line.month == month)
                && context.refunded_after(envelope.position) =>
        {
            Some(say(language, "explain-role-pays-refunded", &on_month))
        }
        Event::ContributionPaid(paid) if paid.months.iter().any(|line| line.month == month) => {
            let mut role = if is_first_payment {
                say(language, "explain-role-pays-first", &on_month)
            } else {
                say(language, "explain-role-pays", &on_month)
            };
            // R16: paid back after its close, the month accrued with this payment.
            if context.marks.accrued_at_payment == Some(envelope.position) {
                let args = [("month", text(month)), ("subsidy", text(line.subsidy))];
                role.push_str(&say(language, "explain-role-pays-accrues", &args));
            }
            Some(role)
        }
        Event::DeductionStopped(_)
            if context.marks.deduction_stopped_at == Some(envelope.position) =>
        {
            Some(say(language, "explain-role-deduction-stopped", &on_month))
        }
        Event::ContributionPaid(_) if is_first_payment && !outside => {
            Some(say(language, "explain-role-first-payment", &[]))
        }
        Event::ContributionMissed(missed) if missed.month == month => {
            Some(say(language, "explain-role-missed", &on_month))
        }
        Event::MonthClosed(closed) if closed.month == month && !outside => {
            // A month paid back after its close accrued with its payment, not here.
            let accrued_here = context.marks.accrued_at_payment.is_none();
            Some(if line.subsidy.is_zero() || !accrued_here {
                say(language, "explain-role-closes", &on_month)
            } else {
                let args = [("month", text(month)), ("subsidy", text(line.subsidy))];
                say(language, "explain-role-closes-accrues", &args)
            })
        }
        _ => None,
    }
}

/// The role of a policy in the month (R3, R4, R17): the one in force for it, or for a
/// paid month whose policy was replaced since, the one in force when it was paid
/// (which priced and split it) and the one in force now (which does not reprice it).
fn policy_role(context: &CitationContext<'_>, envelope: &Envelope) -> Option<String> {
    let (language, month, policies) = (context.language, context.month, &context.policies);
    let account = if context.line.to_account.is_zero() {
        "no"
    } else {
        "yes"
    };
    let args = [("month", text(month)), ("account", text(account))];
    if Some(envelope) == policies.when_paid {
        return Some(say(language, "explain-role-policy-when-paid", &args));
    }
    if Some(envelope) != policies.now {
        return None;
    }
    if policies.when_paid.is_some() {
        return Some(say(language, "explain-role-policy-now", &args));
    }
    let id = if context.line.to_account.is_zero() {
        "explain-role-policy"
    } else {
        "explain-role-policy-account"
    };
    Some(say(language, id, &args[..1]))
}

impl CitationContext<'_> {
    /// Whether the month paid at `position` was refunded after it (R12).
    fn refunded_after(&self, position: u64) -> bool {
        self.refunds
            .last()
            .is_some_and(|refund| refund.refund_position > position)
    }
}

/// The base change that sets `month`'s ratio in the period starting at
/// `period_start` (D6): of the period's enrollment or re-enrollment and the base
/// changes from `month` or before recorded after it, the last recorded, if that is a
/// base change.
fn base_change_in_force(history: &MemberHistory, period_start: Month, month: Month) -> Option<u64> {
    let starts = |event: &Event| match event {
        Event::MemberEnrolled(enrolled) => enrolled.month == period_start,
        Event::MemberReenrolled(reenrolled) => reenrolled.month == period_start,
        _ => false,
    };
    let begun = history
        .events
        .iter()
        .rposition(|envelope| starts(&envelope.event))?;
    history.events[begun..]
        .iter()
        .rev()
        .find(|envelope| {
            starts(&envelope.event)
                || matches!(&envelope.event, Event::BaseChanged(changed) if changed.from_month <= month)
        })
        .filter(|envelope| matches!(envelope.event, Event::BaseChanged(_)))
        .map(|envelope| envelope.position)
}

/// The role of a refund, subsidy or withdrawal event in the month.
fn subsidy_or_withdrawal_role(
    context: &CitationContext<'_>,
    history: &MemberHistory,
    envelope: &crate::store::Envelope,
) -> Option<String> {
    let (language, month) = (context.language, context.month);
    let withdrawals = &context.withdrawals;
    let at_month = ("month", text(month));
    match &envelope.event {
        Event::ContributionRefunded(refund) if refund.months.contains(&month) => {
            // What this refund gave back for the month, not all its refunds (R12).
            let refunded = context
                .refunds
                .iter()
                .find(|part| part.refund_position == envelope.position)
                .map_or(crate::domain::money::Money::ZERO, |part| part.amount);
            let args = [
                at_month,
                ("refunded", text(refunded)),
                ("amount", text(refund.amount)),
                ("months", count(refund.months.len())),
            ];
            Some(say(language, "explain-role-refunds", &args))
        }
        Event::SubsidyGranted(granted) if month.is_among(granted.from_month, granted.months) => {
            let args = [
                at_month,
                ("share", text(granted.share)),
                ("category", category_word(language, &granted.category)),
                ("months", count(granted.months)),
                ("from", text(granted.from_month)),
            ];
            Some(say(language, "explain-role-grants", &args))
        }
        Event::SubsidyRevoked(revoked)
            if revoked.from_month <= month && granted_before(history, envelope.position, month) =>
        {
            let args = [at_month, ("from", text(revoked.from_month))];
            Some(say(language, "explain-role-revokes", &args))
        }
        Event::SubsidyPaid(paid) if paid.months.contains(&month) => {
            let args = [at_month, ("paid_on", text(paid.paid_on))];
            Some(say(language, "explain-role-subsidy-paid", &args))
        }
        Event::MemberWithdrawn(withdrawn) if withdrawn.lapsed_months.contains(&month) => {
            let args = [at_month, ("rule", text(withdrawn.reason.rule()))];
            Some(say(language, "explain-role-lapses", &args))
        }
        Event::MemberWithdrawn(withdrawn) => {
            let id = withdrawals.role_of(envelope.position)?;
            let args = [
                ("from", text(withdrawn.effective_from)),
                ("rule", text(withdrawn.reason.rule())),
            ];
            Some(say(language, id, &args))
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
                if month.is_among(granted.from_month, granted.months))
    })
}

/// " (position P)" of the cited event of `event_type`, in `language` — for a payment,
/// the one that pays the month; empty if none is cited.
fn position_of(language: Language, events: &[Citation], event_type: &str) -> String {
    cited(events, event_type).map_or_else(String::new, |citation| cited_at(language, citation))
}

/// The cited event of `event_type` a reason names: for a payment, the one that pays
/// the month, else the first.
fn cited<'a>(events: &'a [Citation], event_type: &str) -> Option<&'a Citation> {
    let mut matching = events
        .iter()
        .filter(|citation| citation.event_type == event_type);
    let paying = events
        .iter()
        .find(|citation| citation.event_type == event_type && citation.pays_month);
    paying.or_else(|| matching.next())
}

/// "no" when the miss a reason cites is implied, not recorded yet (D75), else "yes":
/// the reason's verb says which.
fn miss_recorded(events: &[Citation]) -> crate::i18n::Arg {
    let implied = cited(events, "ContributionMissed").is_some_and(|miss| miss.implied);
    text(if implied { "no" } else { "yes" })
}

/// " (position P)" of the cited withdrawal that ended the month's own period, in
/// `language` (another withdrawal, the one before it, may be cited too); empty if
/// none is cited.
fn own_withdrawal_position(language: Language, events: &[Citation]) -> String {
    events
        .iter()
        .find(|citation| citation.ends_period)
        .map_or_else(String::new, |citation| cited_at(language, citation))
}

/// " (position P)" of `citation` in `language`, or, for an event the log does not hold
/// yet (a consequence of a close still being recorded, D75), that it is implied by the
/// close at P: a probe read "recorded missed at its close (position P)" in one reason
/// and "implied, not recorded yet" of the same event in another.
fn cited_at(language: Language, citation: &Citation) -> String {
    match citation.implied {
        true => say(
            language,
            "explain-at-position-implied",
            &[("position", text(citation.position))],
        ),
        false => at_position(language, citation.position),
    }
}

/// " (position P)" in `language`.
fn at_position(language: Language, position: u64) -> String {
    say(
        language,
        "explain-at-position",
        &[("position", text(position))],
    )
}

/// The reasons in plain words, from the domain's facts; positions name the cited
/// events.
fn reasons(language: Language, why: &MonthWhy, events: &[Citation]) -> Vec<String> {
    let line = &why.line;
    let mut reasons = Vec::new();
    if let Some(due) = &why.due {
        reasons.push(due_reason(language, due, line));
    }
    if why.deduction_stopped {
        reasons.push(say(language, "explain-deduction-stopped", &[]));
    }
    reasons.extend(status_reasons(language, why, events));
    reasons.extend(
        why.refund
            .as_ref()
            .map(|refund| refund_reason(language, refund, line)),
    );
    reasons.extend(
        why.account
            .as_ref()
            .map(|account| account_reason(language, account, line)),
    );
    reasons.extend(
        why.subsidy
            .as_ref()
            .and_then(|subsidy| subsidy_reason(language, subsidy, line, events)),
    );
    reasons
}

/// Why a month is `due`: not closed and not paid, and payable now unless it lies past
/// R6's horizon, the open month + 11 (the month query answers `due` for any later
/// month, D73).
fn unpaid_open_reason(language: Language, month: Month, open_month: Month) -> String {
    let horizon = crate::domain::decide::last_payable_month(open_month);
    let args = [
        ("month", text(month)),
        ("open_month", text(open_month)),
        ("horizon", text(horizon)),
    ];
    if month > horizon {
        say(language, "explain-status-due-beyond-prepay", &args)
    } else {
        say(language, "explain-status-due", &args[..2])
    }
}

/// The reasons behind the status itself (RULES.md "Month statuses").
fn status_reasons(language: Language, why: &MonthWhy, events: &[Citation]) -> Vec<String> {
    let line = &why.line;
    let month = ("month", text(line.month));
    let at = |event_type| position_of(language, events, event_type);
    let mut reasons = Vec::new();
    match &why.status {
        StatusWhy::Due { open_month } => {
            reasons.push(unpaid_open_reason(language, line.month, *open_month))
        }
        StatusWhy::Waiting {
            benefit_start,
            how,
            ended,
        } => {
            reasons.push(waiting_reason(
                language,
                line,
                *benefit_start,
                how,
                ended,
                &at("ContributionPaid"),
                events,
            ));
            reasons.extend(how.as_ref().map(|how| benefit_start_reason(language, how)));
        }
        StatusWhy::Covered { benefit_start, how } => {
            let start = benefit_start.map_or("-".to_owned(), |start| start.to_string());
            let args = [
                ("at", text(at("ContributionPaid"))),
                ("start", text(start)),
                ("delay_kind", text(delay_kind(language, how))),
            ];
            reasons.push(say(language, "explain-status-covered", &args));
            reasons.extend(how.as_ref().map(|how| benefit_start_reason(language, how)));
        }
        StatusWhy::Arrears(arrears) => {
            let recorded = ("recorded", miss_recorded(events));
            let args = [month, ("at", text(at("ContributionMissed"))), recorded];
            reasons.push(say(language, "explain-status-arrears", &args));
            reasons.push(arrears_run_reason(language, arrears));
        }
        StatusWhy::Restored { backpay_restores } => {
            let args = [
                month.clone(),
                ("missed_at", text(at("ContributionMissed"))),
                ("paid_at", text(at("ContributionPaid"))),
            ];
            reasons.push(say(language, "explain-status-restored", &args));
            let args = [
                month,
                ("benefits", text(if line.benefits { "yes" } else { "no" })),
                ("restores", restores_word(language, backpay_restores)),
            ];
            reasons.push(say(language, "explain-restored-benefits", &args));
        }
        StatusWhy::Lapsed(lapse) => {
            let recorded = ("recorded", miss_recorded(events));
            let args = [month, ("at", text(at("ContributionMissed"))), recorded];
            reasons.push(say(language, "explain-status-lapsed", &args));
            let withdrawn_at = own_withdrawal_position(language, events);
            reasons.push(lapse_reason(language, lapse, &withdrawn_at));
        }
        StatusWhy::NotEnrolled { withdrawal } => reasons.push(match withdrawal {
            Some(withdrawal) => {
                let args = [
                    month,
                    ("reason", reason_word(language, &withdrawal.reason)),
                    ("from", text(withdrawal.effective_from)),
                    ("at", text(own_withdrawal_position(language, events))),
                    ("rule", text(withdrawal.reason.rule())),
                ];
                say(language, "explain-not-enrolled-withdrawn", &args)
            }
            None => say(language, "explain-not-enrolled-before", &[month]),
        }),
    }
    reasons
}

/// R7: a paid month before its period's benefit start. If the period ended (R11/R12)
/// before benefits would have started, the month was never covered and never will
/// be: its contribution bought no coverage, and it is said that it was not refunded
/// (R12 refunds only months paid beyond the last paid month), what an earlier period
/// had refunded for the month, and which cited withdrawal ended the period.
fn waiting_reason(
    language: Language,
    line: &MonthLine,
    benefit_start: Option<Month>,
    how: &Option<BenefitStartWhy>,
    ended: &Option<crate::domain::state::Withdrawal>,
    paid_at: &str,
    events: &[Citation],
) -> String {
    // D47: paid, yet no benefit start: it falls after the last month the ledger records.
    let start = match (benefit_start, how) {
        (Some(start), _) => start.to_string(),
        (None, Some(_)) => after_last_month(language),
        (None, None) => say(language, "explain-no-month-yet", &[]),
    };
    let month = ("month", text(line.month));
    let at = ("at", text(paid_at));
    let delay_kind = ("delay_kind", text(delay_kind(language, how)));
    let ended_before_start = ended
        .as_ref()
        .filter(|withdrawal| benefit_start.is_none_or(|start| withdrawal.effective_from <= start));
    let Some(withdrawal) = ended_before_start else {
        let args = [month, at, ("start", text(start)), delay_kind];
        return say(language, "explain-status-waiting", &args);
    };
    // The ending withdrawal refunds only months beyond L, outside the period (R12), so
    // a refund of this month is of another period's payment for it, made before a
    // re-enrollment held the month again (an auditor's probe read "it was refunded"
    // of a payment that stood).
    let refunded = if line.refunded.is_zero() {
        "no"
    } else {
        "earlier"
    };
    let args = [
        month,
        at,
        ("start", text(start)),
        delay_kind,
        ("from", text(withdrawal.effective_from)),
        ("ended_at", text(own_withdrawal_position(language, events))),
        ("reason", reason_word(language, &withdrawal.reason)),
        ("rule", text(withdrawal.reason.rule())),
        ("refunded", text(refunded)),
        ("refunded_amount", text(line.refunded)),
    ];
    say(language, "explain-status-waiting-ended", &args)
}

/// R10: what the arrears run owes, from which month, and the last month in which it
/// can still be paid back (its deadline, before that month's close, R11).
fn arrears_run_reason(language: Language, arrears: &ArrearsWhy) -> String {
    let later = match arrears.deadline_by {
        DeadlineBy::PolicyOfTheMonth { run, grace } => Some((run, grace)),
        _ => None,
    };
    let args = [
        ("owed", text(arrears.owed)),
        ("first", text(arrears.first)),
        ("months", count(arrears.months)),
        (
            "deadline",
            text(
                arrears
                    .backpay_deadline
                    .map_or_else(|| after_last_month(language), |month| month.to_string()),
            ),
        ),
        ("grace", count(arrears.grace_months)),
        // D57: the deadline is the open month when the sum fell before it; D62: the
        // close of a month whose policy has another grace.
        (
            "shortened",
            text(match arrears.deadline_by {
                DeadlineBy::Sum => "no",
                DeadlineBy::OpenMonth => "yes",
                DeadlineBy::PolicyOfTheMonth { .. } => "later",
            }),
        ),
        // D62 departs from R10's formula as written: the sum is said beside the
        // deadline, so that an auditor reading R10 quoted below sees both (a probe).
        (
            "sum",
            text(
                (arrears.first.checked_plus(i64::from(arrears.grace_months)))
                    .map_or_else(|| after_last_month(language), |month| month.to_string()),
            ),
        ),
        ("run", count(later.map_or(0, |(run, _)| run))),
        ("month_grace", count(later.map_or(0, |(_, grace)| grace))),
    ];
    say(language, "explain-arrears-run", &args)
}

/// R7: which delay the period's benefit start used, in a few words (the benefit start
/// reason says why at length).
fn delay_kind(language: Language, how: &Option<BenefitStartWhy>) -> String {
    let kind = match how.as_ref().map(|how| how.delay) {
        None => "unknown",
        Some(DelayWhy::FirstEnrollment) => "first",
        Some(DelayWhy::NotQualified) => "not_qualified",
        Some(DelayWhy::NoReset | DelayWhy::GapWithinReset { .. }) => "reenroll",
        Some(DelayWhy::GapBeyondReset { .. }) => "gap",
        Some(DelayWhy::NothingPaidBefore { .. }) => "nothing_before",
    };
    say(language, "explain-delay-kind", &[("kind", text(kind))])
}

/// R4 (and R2): what the month costs, or the due it kept; for a paid month whose
/// policy was replaced since, the arithmetic of the policy in force for it when it was
/// paid, which priced it.
fn due_reason(language: Language, due: &DueWhy, line: &MonthLine) -> String {
    let month = ("month", text(line.month));
    let amount = ("amount", text(due.due));
    let formula = [
        month.clone(),
        amount.clone(),
        ("wage", text(due.wage)),
        ("ratio", text(due.base_ratio)),
        ("rate", text(due.rate)),
    ];
    let priced = match due.paid_under {
        Some(position) => {
            let repriced = if due.priced_now == due.due {
                "no"
            } else {
                "yes"
            };
            let more = [
                ("at", text(at_position(language, position))),
                ("repriced", text(repriced)),
                ("priced_now", text(due.priced_now)),
            ];
            say(
                language,
                "explain-due-paid-under",
                &[&formula[..], &more[..]].concat(),
            )
        }
        None if due.priced_now == due.due => {
            let id = if line.paid.is_zero() {
                "explain-due-priced"
            } else {
                "explain-due-priced-paid"
            };
            say(language, id, &formula)
        }
        None => {
            let when = if line.paid.is_zero() {
                "missed"
            } else {
                "paid"
            };
            let args = [
                month,
                amount,
                ("when", text(when)),
                ("priced_now", text(due.priced_now)),
            ];
            return say(language, "explain-due-kept", &args);
        }
    };
    if due.chosen_ratio == due.base_ratio {
        return priced;
    }
    let paid = if due.paid_under.is_some() {
        "yes"
    } else {
        "no"
    };
    let args = [
        month,
        ("chosen", text(due.chosen_ratio)),
        ("min", text(due.band.0)),
        ("max", text(due.band.1)),
        ("ratio", text(due.base_ratio)),
        ("paid", text(paid)),
    ];
    let clamped = say(language, "explain-due-ratio-clamped", &args);
    format!(
        "{priced}{}{clamped}",
        say(language, "explain-separator", &[])
    )
}

/// R11 or R12: how the withdrawal that lapsed the month came about; `at` is the
/// withdrawal's position, in words.
fn lapse_reason(language: Language, lapse: &LapseWhy, at: &str) -> String {
    let at = ("at", text(at));
    match lapse.reason {
        Some(reason) if reason.rule() == RuleId::R11 => {
            let closed = lapse
                .closed
                .map_or("-".to_owned(), |closed| closed.to_string());
            let args = [
                ("closed", text(closed)),
                ("months", count(lapse.lapsed_months)),
                ("grace", count(lapse.grace_months)),
                ("rule", text(reason.rule())),
                at,
            ];
            say(language, "explain-lapse-automatic", &args)
        }
        Some(reason) => {
            let args = [
                ("reason", reason_word(language, &reason)),
                ("rule", text(reason.rule())),
                at,
            ];
            say(language, "explain-lapse-withdrew", &args)
        }
        None => say(language, "explain-lapse-withdrawn", &[at]),
    }
}

/// R7 (v2): how the period's benefit start was decided: P, the delay, and why that
/// delay (first enrollment, not yet qualified, a gap longer than P-reset, or the
/// re-enrollment delay).
fn benefit_start_reason(language: Language, how: &BenefitStartWhy) -> String {
    let delay = ("delay", count(how.delay_months));
    let check = match how.recorded_delay_months {
        Some(recorded) if recorded != i64::from(how.delay_months) => {
            let args = [delay.clone(), ("recorded", count(recorded))];
            say(language, "explain-delay-recorded", &args)
        }
        _ => String::new(),
    };
    let start = how
        .benefit_start
        .map_or_else(|| after_last_month(language), |start| start.to_string());
    // The sum and the reason name the delay the ledger recorded (D27, D63): the one it
    // decided with; the note says what the policy now in force in P gives.
    let recorded = how
        .recorded_delay_months
        .unwrap_or(i64::from(how.delay_months));
    let decided = BenefitStartWhy {
        delay_months: u32::try_from(recorded).unwrap_or(how.delay_months),
        ..how.clone()
    };
    let args = [
        ("p_text", text(p_reason(language, how))),
        ("why", text(delay_reason(language, &decided))),
        ("delay", count(recorded)),
        ("start", text(start)),
        ("check", text(check)),
    ];
    say(language, "explain-benefit-start", &args)
}

/// D47: a month the rules name that falls after `Month::LAST` (a benefit start, a
/// back-pay deadline), in words: it never comes within the ledger's range.
fn after_last_month(language: Language) -> String {
    say(
        language,
        "explain-after-last-month",
        &[("last", text(Month::LAST))],
    )
}

/// R7: what P is — the month of the period's first payment or, later, the first month
/// it paid for.
fn p_reason(language: Language, how: &BenefitStartWhy) -> String {
    let FirstPayment {
        position,
        payment_month,
        first_paid,
    } = how.first_payment;
    let p = ("p", text(how.p));
    let at = ("position", text(position));
    match first_paid.cmp(&payment_month) {
        std::cmp::Ordering::Greater => {
            let args = [
                p,
                at,
                ("payment_month", text(payment_month)),
                ("first_paid", text(first_paid)),
            ];
            say(language, "explain-p-paid-for-later", &args)
        }
        std::cmp::Ordering::Less => {
            let args = [p, at, ("first_paid", text(first_paid))];
            say(language, "explain-p-paid-for-earlier", &args)
        }
        std::cmp::Ordering::Equal => say(language, "explain-p-paid-for-same", &[p, at]),
    }
}

/// R7: why the period's delay is the first-time or the re-enrollment one.
fn delay_reason(language: Language, how: &BenefitStartWhy) -> String {
    let p = ("p", text(how.p));
    let delay = ("delay", count(how.delay_months));
    match how.delay {
        DelayWhy::FirstEnrollment => say(language, "explain-delay-first", &[delay]),
        DelayWhy::NotQualified => say(language, "explain-delay-not-qualified", &[delay]),
        DelayWhy::NoReset => say(language, "explain-delay-no-reset", &[p, delay]),
        DelayWhy::GapWithinReset {
            last_paid,
            gap_months,
            reset,
        }
        | DelayWhy::GapBeyondReset {
            last_paid,
            gap_months,
            reset,
        } => {
            let id = if matches!(how.delay, DelayWhy::GapWithinReset { .. }) {
                "explain-delay-gap-within-reset"
            } else {
                "explain-delay-gap-beyond-reset"
            };
            let args = [
                p,
                delay,
                ("last_paid", text(last_paid)),
                ("gap", count(gap_months)),
                ("reset", count(reset)),
            ];
            say(language, id, &args)
        }
        DelayWhy::NothingPaidBefore { reset } => say(
            language,
            "explain-delay-nothing-paid-before",
            &[p, delay, ("reset", count(reset))],
        ),
    }
}

/// R12 (v2): a month paid ahead and refunded by a withdrawal; by each of its refunds,
/// what it gave back and the withdrawal recorded with it, when it was refunded again
/// after a re-enrollment.
fn refund_reason(language: Language, refund: &RefundWhy, line: &MonthLine) -> String {
    let month = ("month", text(line.month));
    let parts = if refund.parts.is_empty() {
        refund.refunded.to_string()
    } else {
        let parts: Vec<String> = refund
            .parts
            .iter()
            .map(|part| refund_part(language, part))
            .collect();
        parts.join(&say(language, "explain-refund-then", &[]))
    };
    let now = if line.status == MonthStatus::NotEnrolled {
        say(
            language,
            "explain-refund-now-outside",
            std::slice::from_ref(&month),
        )
    } else {
        let args = [
            month.clone(),
            ("status", status_word(language, line.status)),
        ];
        say(language, "explain-refund-now-enrolled", &args)
    };
    let args = [
        month,
        ("count", count(refund.parts.len())),
        ("refunded", text(refund.refunded)),
        ("parts", text(parts)),
        ("now", text(now)),
    ];
    say(language, "explain-refund", &args)
}

/// R12: what one refund gave back for the month, where it was recorded, and the
/// withdrawal recorded with it (the one that refunded the month: the refund's own
/// position is not the withdrawal's).
fn refund_part(language: Language, part: &RefundPart) -> String {
    let refunded = ("refunded", text(part.amount));
    let refund_at = (
        "refund_at",
        text(at_position(language, part.refund_position)),
    );
    let Some((position, withdrawal)) = &part.withdrawal else {
        return say(
            language,
            "explain-refund-part-alone",
            &[refunded, refund_at],
        );
    };
    let args = [
        ("reason", reason_word(language, &withdrawal.reason)),
        ("from", text(withdrawal.effective_from)),
        (
            "since",
            text(if part.from_period_start {
                "start"
            } else {
                "after_l"
            }),
        ),
    ];
    let took_effect = say(language, "explain-refund-withdrawal", &args);
    let args = [
        refunded,
        ("at", text(at_position(language, *position))),
        refund_at,
        ("withdrawal", text(took_effect)),
    ];
    say(language, "explain-refund-part", &args)
}

/// R17: the split of a paid month between the personal account and the pooling fund.
fn account_reason(language: Language, account: &AccountWhy, line: &MonthLine) -> String {
    let month = ("month", text(line.month));
    let how = match account.formula {
        Some((wage, ratio, rate)) => {
            let when_paid = if account.when_paid { "yes" } else { "no" };
            let args = [
                ("wage", text(wage)),
                ("ratio", text(ratio)),
                ("rate", text(rate)),
                ("when_paid", text(when_paid)),
            ];
            say(language, "explain-account-formula", &args)
        }
        None => say(language, "explain-account-fixed", &[]),
    };
    let open = account.open_month;
    let credited = if line.month <= open {
        let args = [("balance", text(account.balance))];
        say(language, "explain-account-credited", &args)
    } else {
        let args = [month.clone(), ("open_month", text(open))];
        say(language, "explain-account-credited-later", &args)
    };
    let args = [
        month,
        ("paid", text(line.paid)),
        ("to_account", text(account.to_account)),
        ("how", text(how)),
        ("pooled", text(account.pooled)),
        ("credited", text(credited)),
    ];
    say(language, "explain-account", &args)
}

/// R16: what a granted month accrued and whether it was paid out, or why it has not
/// accrued.
fn subsidy_reason(
    language: Language,
    subsidy: &SubsidyWhy,
    line: &MonthLine,
    events: &[Citation],
) -> Option<String> {
    let month = ("month", text(line.month));
    let (grant, accrual, at_close, paid_out, open) = match subsidy {
        // Granted once, revoked since: say so, the grant and revocation are cited.
        SubsidyWhy::Revoked { position } => {
            let args = [month, ("position", text(position))];
            return Some(say(language, "explain-subsidy-revoked", &args));
        }
        SubsidyWhy::Granted {
            grant,
            accrual,
            at_close,
            paid_out,
            open_month,
        } => (grant, accrual, at_close, *paid_out, open_month),
    };
    let granted_args = [
        month,
        ("share", text(grant.share)),
        ("category", category_word(language, &grant.category)),
        ("months", count(grant.months)),
        ("from", text(grant.from_month)),
    ];
    let granted = (
        "granted",
        text(say(language, "explain-subsidy-granted", &granted_args)),
    );
    let paid = ("paid", text(line.paid));
    let share = ("share", text(grant.share));
    let text = match accrual {
        Ok(subsidy) => {
            let paid_out = if paid_out {
                let at = position_of(language, events, "SubsidyPaid");
                say(language, "explain-subsidy-paid-out", &[("at", text(at))])
            } else {
                say(language, "explain-subsidy-owed", &[])
            };
            let args = [
                granted,
                paid,
                share,
                ("subsidy", text(subsidy)),
                ("paid_out", text(paid_out)),
            ];
            say(language, "explain-subsidy-accrued", &args)
        }
        Err(NotAccrued::NotClosed) => {
            let args = [
                granted,
                paid,
                share,
                ("open_month", text(open)),
                ("at_close", text(at_close)),
            ];
            say(language, "explain-subsidy-not-closed", &args)
        }
        Err(NotAccrued::Refunded) => say(language, "explain-subsidy-refunded", &[granted]),
        Err(NotAccrued::Unpaid | NotAccrued::OutsideEnrollment) => {
            let never = match line.status {
                MonthStatus::Lapsed => "lapsed",
                MonthStatus::NotEnrolled => "not_enrolled",
                _ => "other",
            };
            let args = [granted, ("never", text(never))];
            say(language, "explain-subsidy-unpaid", &args)
        }
        Err(NotAccrued::NotGranted) => return None,
    };
    Some(text)
}

/// The money of the month line beyond its due and paid, in `language` (R12, R17, R16).
fn money_phrases(language: Language, line: &MonthLine) -> Vec<String> {
    let mut phrases = Vec::new();
    if !line.refunded.is_zero() {
        let args = [("refunded", text(line.refunded))];
        phrases.push(say(language, "explain-money-refunded", &args));
    }
    if !line.to_account.is_zero() {
        let args = [
            ("to_account", text(line.to_account)),
            ("pooled", text(line.paid - line.to_account)),
        ];
        phrases.push(say(language, "explain-money-account", &args));
    }
    if !line.subsidy.is_zero() {
        let args = [
            ("subsidy", text(line.subsidy)),
            (
                "paid_out",
                text(if line.subsidy_paid { "yes" } else { "no" }),
            ),
        ];
        phrases.push(say(language, "explain-money-subsidy", &args));
    }
    phrases
}

/// Prints the explanation: readable text in its language, or one JSON object with
/// `json` (make it from an English explanation: its sentences are the contract's).
pub fn print(explanation: &Explanation, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, explanation)?;
        writeln!(out)?;
        return Ok(());
    }
    let language = explanation.language;
    let line = &explanation.line;
    let benefits = if line.benefits {
        "explain-benefits-yes"
    } else {
        "explain-benefits-no"
    };
    let args = [
        ("member", text(explanation.member_id)),
        ("region", text(&explanation.region)),
        ("month", text(line.month)),
        ("status", status_word(language, line.status)),
        ("benefits", text(say(language, benefits, &[]))),
        ("rule", text(line.rule)),
    ];
    writeln!(out, "{}", say(language, "explain-header", &args))?;
    let args = [("due", text(line.due)), ("paid", text(line.paid))];
    let mut money = vec![say(language, "explain-money", &args)];
    money.extend(money_phrases(language, line));
    writeln!(
        out,
        "{}",
        money.join(&say(language, "explain-separator", &[]))
    )?;
    writeln!(out, "\n{}", say(language, "explain-why", &[]))?;
    for (index, reason) in explanation.reasons.iter().enumerate() {
        writeln!(out, "  {}. {reason}", index + 1)?;
    }
    writeln!(out, "\n{}", say(language, "explain-events", &[]))?;
    print_citations(language, &explanation.events, out)?;
    writeln!(out, "\n{}", say(language, "explain-rules", &[]))?;
    for rule in &explanation.rules {
        let clauses = explanation
            .clauses
            .iter()
            .find(|(id, _)| *id == rule.id)
            .map_or(&[][..], |(_, clauses)| &clauses[..]);
        print_rule(language, rule, clauses, out)?;
    }
    Ok(())
}

/// The cited events, each with its role on the next line under its summary.
fn print_citations(
    language: Language,
    events: &[Citation],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let position = say(language, "explain-position", &[]);
    // The role's arrow stands under the event type: as wide as "position" and the
    // number before it, counted in terminal columns (a CJK character takes two).
    let indent = display_width(&position) + 1 + POSITION_WIDTH_COLUMNS;
    for citation in events {
        let event_type = crate::audit::history::event_type_word(language, citation.event_type);
        // Padded by terminal columns: a Chinese type's characters take two each.
        let fill = " ".repeat(EVENT_TYPE_WIDTH_COLUMNS.saturating_sub(display_width(&event_type)));
        writeln!(
            out,
            "  {position} {:>width$}  {event_type}{fill} {}",
            citation.position,
            citation.summary,
            width = POSITION_WIDTH_COLUMNS
        )?;
        writeln!(out, "  {:>indent$}  → {}", "", citation.role)?;
    }
    Ok(())
}

/// Sentences of a rule, in its order, each pair apart in the rule marked as such (…).
fn quote_part(language: Language, sentences: &[(usize, String)]) -> String {
    let omitted = say(language, "explain-rule-omitted", &[]);
    let next = say(language, "explain-rule-next", &[]);
    let mut quoted = String::new();
    for (position, (index, sentence)) in sentences.iter().enumerate() {
        if position > 0 {
            let adjacent = sentences[position - 1].0 + 1 == *index;
            quoted.push_str(if adjacent { &next } else { &omitted });
        }
        quoted.push_str(sentence);
    }
    quoted
}

/// The columns a cited event's position is right-aligned in.
const POSITION_WIDTH_COLUMNS: usize = 6;
/// The event type's column in `explain`'s list of events, in terminal columns (the
/// longest English type, `ContributionRefunded`, is 20).
const EVENT_TYPE_WIDTH_COLUMNS: usize = 20;

/// A rule's title and text — of a long rule, only the sentences of the `clauses` the
/// month rests on, with where to read it whole — then the source sentences it rests
/// on, each marked with where its words come from (RULES.zh.md quotes a source's
/// Chinese original where there is one).
fn print_rule(
    language: Language,
    rule: &Rule,
    clauses: &[Clause],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (id, quoted) = match clause_sentences(rule, clauses) {
        Some(sentences) => ("explain-rule-part", quote_part(language, &sentences)),
        None => ("explain-rule", rule.text.clone()),
    };
    let args = [
        ("id", text(rule.id)),
        ("title", text(&rule.title)),
        ("text", text(quoted)),
    ];
    writeln!(out, "  {}", say(language, id, &args))?;
    if rule.sources.is_empty() {
        writeln!(out, "      {}", say(language, "explain-source-none", &[]))?;
    }
    for source in &rule.sources {
        let args = [
            ("id", text(&source.id)),
            ("sentence", text(&source.sentence)),
        ];
        let (id, gist) = match &source.origin {
            QuoteOrigin::Original => ("explain-source", None),
            QuoteOrigin::LedgerTranslation => ("explain-source-translation", None),
            QuoteOrigin::EnglishKept { gist } => ("explain-source-english-kept", gist.as_ref()),
        };
        writeln!(out, "      {}", say(language, id, &args))?;
        if let Some(gist) = gist {
            let args = [("gist", text(gist))];
            writeln!(
                out,
                "        {}",
                say(language, "explain-source-gist", &args)
            )?;
        }
    }
    Ok(())
}
