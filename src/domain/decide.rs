//! `decide(state, command) -> events | refusal`: pure, synchronous, no clock, no ids.
//!
//! Each decision is an ordered list of early returns, one refusal code each (the order
//! is part of the contract: when a command breaks several rules, the first check in
//! this file names the refusal). The refusal message says what to do instead.

use super::command::*;
use super::event::*;
use super::money::{Money, Ratio, Share};
use super::month::Month;
use super::policy::{Policy, RegionName};
use super::refusal::{Refusal, RefusalText};
use super::rule::RuleId;
use super::state::{LedgerState, MemberState, NotAccrued, RegionState};
use uuid::Uuid;

/// R6: a payment may run at most this many months past the open month (open + 11).
pub const PREPAY_MONTHS_AHEAD_MAX: i64 = 11;

/// R16: the most months one grant, and all of a member's grants together, may cover.
pub const SUBSIDY_MONTHS_MAX: u64 = 36;
/// R16: the most months a `graduate` grant may cover.
pub const SUBSIDY_GRADUATE_MONTHS_MAX: u64 = 24;

/// R16: the largest share a grant may name, "about two thirds".
pub fn subsidy_share_max() -> Share {
    // OK because the literal is a valid share.
    Share::parse("0.6667").expect("0.6667 is a share")
}

pub type Decision = Result<Vec<Event>, Refusal>;

/// A refusal with its message as data (`RefusalText`) and in English (`message`).
fn refuse<T>(text: RefusalText, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::because(text, message))
}

/// Decides one command against the current state.
pub fn decide(state: &LedgerState, envelope: &CommandEnvelope) -> Decision {
    if let (Some(expected), Some(member_id)) =
        (envelope.expected_version, envelope.command.member_id())
    {
        let known = state.members.get(&member_id);
        let actual = known.map_or(0, |member| member.version);
        // CONTRACT: checked right after the member is found. A member nobody enrolled
        // is refused by the command's own check for it (`not_enrolled`,
        // `never_enrolled`), as an auditor's probe expected; only `enroll` starts a
        // stream, at version 0, so only it compares a new member's version (D1).
        let found = known.is_some() || matches!(envelope.command, Command::Enroll(_));
        if found && expected != actual {
            return refuse(
                RefusalText::VersionConflict { actual, expected },
                format!("member stream is at version {actual}, not {expected}: read the member again and resubmit with expected_version {actual}"),
            );
        }
    }
    match &envelope.command {
        Command::PublishPolicy(policy) => decide_publish_policy(state, policy),
        Command::Enroll(body) => decide_enroll(state, body),
        Command::Pay(body) => decide_pay(state, body),
        Command::CloseMonth(body) => decide_close_month(state, body),
        Command::StopDeduction(body) => decide_stop_deduction(state, body.member_id),
        Command::ResumeDeduction(body) => decide_resume_deduction(state, body.member_id),
        Command::Withdraw(body) => decide_withdraw(state, body),
        Command::Reenroll(body) => decide_reenroll(state, body),
        Command::ChangeBase(body) => decide_change_base(state, body),
        Command::GrantSubsidy(body) => decide_grant_subsidy(state, body),
        Command::RevokeSubsidy(body) => decide_revoke_subsidy(state, body),
        Command::PaySubsidy(body) => decide_pay_subsidy(state, body),
    }
}

/// Regions named in an `unknown_region` refusal, at most: a province has a few dozen.
const KNOWN_REGIONS_SHOWN_MAX: usize = 20;

fn region<'a>(state: &'a LedgerState, name: &RegionName) -> Result<&'a RegionState, Refusal> {
    state.regions.get(name).ok_or_else(|| {
        let known_count = state.regions.len();
        let mut known: Vec<String> = state.regions.keys().map(ToString::to_string).collect();
        known.sort_unstable();
        known.truncate(KNOWN_REGIONS_SHOWN_MAX);
        if known_count > KNOWN_REGIONS_SHOWN_MAX {
            known.push("…".to_owned());
        }
        let known = known.join(", ");
        let advice = if known_count == 0 {
            "no region has one yet, so publish_policy for it first (R3)".to_owned()
        } else {
            format!("check the name, which must match exactly, case included (regions with a policy: {known}); a new region needs publish_policy first (R3)")
        };
        Refusal::because(
            RefusalText::UnknownRegion {
                region: name.clone(),
                known,
                known_count,
            },
            format!("region {name:?} has no policy: {advice}"),
        )
    })
}

/// The member and its region, for commands that need an enrolled (not withdrawn) member.
fn enrolled_member(
    state: &LedgerState,
    member_id: Uuid,
) -> Result<(&MemberState, &RegionState), Refusal> {
    let (member, region) = known_member(state, member_id)?;
    if member.is_withdrawn() {
        return refuse(
            RefusalText::MemberWithdrawn { member: member_id },
            format!("member {member_id} has withdrawn: reenroll first (R13)"),
        );
    }
    Ok((member, region))
}

/// R6: the last month a payment may name while `open` is the open month (open + 11).
/// OK because a clamp at `Month::LAST` changes nothing: no month lies after it.
pub fn last_payable_month(open: Month) -> Month {
    open.plus(PREPAY_MONTHS_AHEAD_MAX)
}

/// R5, R13, D65: an enrollment period starts no later than the last month a payment
/// may name now (R6: open month + 11), or `earliest` when a re-enrollment may start no
/// sooner: its first month can be paid from the day it is recorded.
fn not_too_far_ahead(month: Month, open: Month, earliest: Month) -> Result<(), Refusal> {
    let limit = last_payable_month(open).max(earliest);
    if month <= limit {
        return Ok(());
    }
    refuse(
        RefusalText::EnrollTooFarAhead { month, limit, open },
        format!("{month} is too far ahead (R5, R6): an enrollment starts no later than {limit}, the last month a payment may name while {open} is open"),
    )
}

/// The base ratio within the band of the policy in force for `month`: `rule` is the
/// rule that asks it of the command (R4 of an enrollment's ratio, R15 of a base
/// change's; a rules probe was pointed at R4 alone for a base change).
fn check_band(
    policy: &Policy,
    (ratio, month): (Ratio, Month),
    rule: RuleId,
) -> Result<(), Refusal> {
    if policy.base_ratio_allowed(ratio) {
        return Ok(());
    }
    refuse(
        RefusalText::BaseRatioOutOfRange {
            ratio,
            min: policy.base_ratio_min,
            max: policy.base_ratio_max,
            month,
            region: policy.region.clone(),
            rule,
        },
        format!(
            "base ratio {ratio} is outside {}–{} allowed for {month} in region {} ({rule}): choose a ratio within that band",
            policy.base_ratio_min, policy.base_ratio_max, policy.region
        ),
    )
}

/// "month A is" or "months A..B are": a run of one month is the month itself (a probe
/// read "months 2026-12..2026-12").
fn months_are(first: Month, last: Month) -> String {
    if first == last {
        format!("month {first} is")
    } else {
        format!("months {first}..{last} are")
    }
}

/// R1: a month before the region's first month was never open, so a command starting
/// in it is refused as one starting in a closed month is (`month_closed`, the same
/// decision for a client) but not told the month "is closed" (a rules probe,
/// 2026-12-06; D82 for policies).
fn before_region_first_month(region: &RegionState, month: Month) -> Result<(), Refusal> {
    let first = region.first_month();
    if month >= first {
        return Ok(());
    }
    Err(Refusal::because(
        RefusalText::MonthBeforeRegion {
            month,
            region: region.name.clone(),
            first,
            open: region.open_month,
        },
        format!(
            "{month} is before region {}'s first month {first}, when its first policy took effect (R1): no month before it was ever open; use the open month {} or a later one",
            region.name, region.open_month
        ),
    ))
}

fn decide_publish_policy(state: &LedgerState, policy: &Policy) -> Decision {
    if let Some(region) = state.regions.get(&policy.region) {
        // The region's months start at its first policy (R1): one before it was never
        // open, so it is not "already closed" (a rules probe, 2026-12-05).
        let first = region.first_month();
        if policy.effective_from < first {
            return refuse(
                RefusalText::PolicyBeforeRegion {
                    month: policy.effective_from,
                    region: policy.region.clone(),
                    first,
                    open: region.open_month,
                },
                format!(
                    "{} is before region {}'s first month {first}, when its first policy took effect (R1): a policy may take effect from the open month {} or later (R3)",
                    policy.effective_from, policy.region, region.open_month
                ),
            );
        }
        if policy.effective_from < region.open_month {
            return refuse(
                RefusalText::PolicyRetroactive {
                    month: policy.effective_from,
                    region: policy.region.clone(),
                    open: region.open_month,
                },
                format!(
                    "{} is already closed in region {} (R3): a policy may take effect from the open month {} or later",
                    policy.effective_from, policy.region, region.open_month
                ),
            );
        }
        // D80: no later than the last month a payment may name now (R6). A month no
        // payment may name needs no price yet, and the bound keeps a region's policies
        // to the months it has lived plus a year: one policy for every month to
        // 2999-12 made each fold, what-if and region page carry 12,120 of them.
        let limit = last_payable_month(region.open_month);
        if policy.effective_from > limit {
            let publish_from = policy.effective_from.plus(-PREPAY_MONTHS_AHEAD_MAX);
            return refuse(
                RefusalText::PolicyTooFarAhead {
                    month: policy.effective_from,
                    region: policy.region.clone(),
                    limit,
                    open: region.open_month,
                    publish_from,
                },
                format!(
                    "{} is too far ahead for region {} (R3, R6): a policy takes effect no later than {limit}, the last month a payment may name while {} is open; publish it once {publish_from} is open",
                    policy.effective_from, policy.region, region.open_month
                ),
            );
        }
    }
    Ok(vec![Event::PolicyPublished(PolicyPublished::of(policy))])
}

fn decide_enroll(state: &LedgerState, body: &Enroll) -> Decision {
    let region = region(state, &body.region)?;
    if let Some(member) = state.members.get(&body.member_id) {
        if member.is_withdrawn() && member.region != body.region {
            // D77: a member id stays in the region it first enrolled in; "use
            // reenroll" alone would re-enroll a member who moved away where it left.
            return refuse(
                RefusalText::PreviouslyEnrolledElsewhere {
                    member: body.member_id,
                    region: member.region.clone(),
                    asked: body.region.clone(),
                },
                format!(
                    "member {} was enrolled in region {} and has withdrawn: reenroll would enroll it there again (R13); a member id stays in the region it first enrolled in, so an enrollment in region {} takes a member id of that region's own (no rule carries months from one region to another)",
                    body.member_id, member.region, body.region
                ),
            );
        }
        if member.is_withdrawn() {
            return refuse(
                RefusalText::PreviouslyEnrolled {
                    member: body.member_id,
                },
                format!(
                    "member {} was enrolled before and has withdrawn: use reenroll (R13)",
                    body.member_id
                ),
            );
        }
        return refuse(
            RefusalText::AlreadyEnrolled {
                member: body.member_id,
                region: member.region.clone(),
            },
            format!(
                "member {} is already enrolled in region {} (R5): nothing to enroll (pay pays its months, change_base changes its base)",
                body.member_id, member.region
            ),
        );
    }
    if body.labor_relationship == LaborRelationship::Employer {
        return refuse(
            RefusalText::EmployerSchemeRequired {},
            "a worker with an established labor relationship participates through the employer's scheme, not as a flexible employee (R5, S2): have the employer enroll them; send `labor_relationship` `none` only for a worker who has no employer",
        );
    }
    before_region_first_month(region, body.month)?;
    if body.month < region.open_month {
        return refuse(
            RefusalText::EnrollMonthClosed {
                month: body.month,
                region: body.region.clone(),
                open: region.open_month,
            },
            format!(
                "{} is closed in region {} (R5): enroll from the open month {} or later",
                body.month, body.region, region.open_month
            ),
        );
    }
    not_too_far_ahead(body.month, region.open_month, region.open_month)?;
    let ratio = (body.base_ratio, body.month);
    check_band(region.policy_for(body.month), ratio, RuleId::R4)?;
    Ok(vec![Event::MemberEnrolled(MemberEnrolled {
        member_id: body.member_id,
        region: body.region.clone(),
        month: body.month,
        base_ratio: body.base_ratio,
        labor_relationship: body.labor_relationship,
    })])
}

fn decide_pay(state: &LedgerState, body: &Pay) -> Decision {
    // A withdrawn member gets the payment's own refusal, not `enrolled_member`'s.
    let (member, region) = known_member(state, body.member_id)?;
    if let Some(withdrawal) = &member.current_period().withdrawal {
        let (member, since) = (body.member_id, withdrawal.effective_from);
        return refuse(
            RefusalText::PayMemberWithdrawn { member, since },
            format!("member {member} has withdrawn, since {since}: the months of its ended enrollment period can no longer be paid (R11, R12); to pay again, reenroll (R13) and pay from the new period's first month"),
        );
    }
    if member.deduction_stopped {
        return refuse(
            RefusalText::PayDeductionStopped {},
            "deduction is stopped (R8): resume_deduction (re-handle the procedures) before paying",
        );
    }
    let open = region.open_month;
    if body.paid_on.month() != open {
        let text = RefusalText::PaidOnOutsideOpenMonth {
            paid_on: body.paid_on,
            open,
        };
        return refuse(text, format!("paid_on {} is not in the open month {open} (R6): payments are made in the open month", body.paid_on));
    }
    // Checked: a clamped 2999-12 + 1 would let 2999-12 follow itself (D47).
    let broken = body
        .months
        .windows(2)
        .find(|pair| pair[0].checked_plus(1) != Some(pair[1]));
    if let Some(&[after, next]) = broken {
        return refuse_months_not_contiguous(after, next);
    }
    let (first, last) = (body.months[0], body.months[body.months.len() - 1]);
    check_pay_range(member, region, first, last)?;
    let months: Vec<PaidMonth> = body
        .months
        .iter()
        .map(|&month| PaidMonth {
            month,
            amount: member.due_for(region, month),
            kind: payment_kind(member, open, month),
        })
        .collect();
    let total: Money = months.iter().map(|line| line.amount).sum();
    if total != body.amount {
        let text = RefusalText::PayAmountMismatch {
            amount: body.amount,
            first,
            last,
            total,
        };
        let dues = if first == last {
            format!("the due of {first}, {total}")
        } else {
            format!("the dues of {first}..{last}, which sum to {total}")
        };
        return refuse(
            text,
            format!(
                "amount {} does not equal {dues} (R4, R6): pay exactly {total}",
                body.amount
            ),
        );
    }
    Ok(vec![Event::ContributionPaid(ContributionPaid {
        member_id: body.member_id,
        months,
        amount: total,
        paid_on: body.paid_on,
        payment_month: open,
    })])
}

/// R6: `next` follows `after` in a payment's months, but not as the month after it.
fn refuse_months_not_contiguous(after: Month, next: Month) -> Decision {
    use std::cmp::Ordering;
    // The months missing between them, for a gap: `after` has a month after it, and
    // `next` one before it. Unused otherwise.
    let (missing_first, missing_last) = (after.plus(1), next.plus(-1));
    let (kind, how) = match next.cmp(&after) {
        Ordering::Greater if missing_first == missing_last => (
            "gap",
            format!("{missing_first} is missing between {after} and {next}"),
        ),
        Ordering::Greater => (
            "gap",
            format!("{missing_first}..{missing_last} are missing between {after} and {next}"),
        ),
        Ordering::Equal => ("repeat", format!("{after} is listed twice")),
        Ordering::Less => ("order", format!("{next} follows {after}")),
    };
    let text = RefusalText::MonthsNotContiguous {
        after,
        next,
        kind,
        missing_first,
        missing_last,
    };
    let message = "months must be consecutive and in ascending order, with no gap or repeat";
    refuse(text, format!("{message} (R6): {how}"))
}

/// R6: where a payment refused for its first month is to start: at `next_unpaid`, the
/// open month that may name it (`payable_in`: `open` itself, or a later one for a
/// member paid ahead to the limit), and that said in English. "Pay from 2026-04" was
/// advice a probe followed into `prepay_limit_exceeded`, 2026-04 being beyond open + 11.
fn pay_from(next_unpaid: Month, open: Month) -> (Month, String) {
    if next_unpaid <= last_payable_month(open) {
        return (open, format!("pay from {next_unpaid}"));
    }
    let payable_in = next_unpaid.plus(-PREPAY_MONTHS_AHEAD_MAX);
    let said = format!("pay from {next_unpaid} once {payable_in} is the open month (R6: at most 11 months ahead of it; the open month is {open})");
    (payable_in, said)
}

/// R6: the months `first..=last` of a payment start at the member's next unpaid month
/// of the current enrollment period and run at most to open + 11.
fn check_pay_range(
    member: &MemberState,
    region: &RegionState,
    first: Month,
    last: Month,
) -> Result<(), Refusal> {
    let start = member.current_period().start;
    let Some(next_unpaid) = member.next_unpaid() else {
        return refuse(
            RefusalText::PayPaidThroughLastMonth {
                month: first,
                last: Month::LAST,
            },
            format!("{first} is already paid: the enrollment period is paid through {}, the last month the ledger records (R1, R6), so nothing is left to pay", Month::LAST),
        );
    };
    let open = region.open_month;
    // Said only when refused: every payment of an import passes here.
    let advice = || pay_from(next_unpaid, open);
    if first < start {
        let (payable_in, pay_from) = advice();
        let text = RefusalText::PayBeforeEnrollment {
            month: first,
            start,
            next_unpaid,
            payable_in,
            open,
        };
        return refuse(
            text,
            format!("{first} is before the enrollment period that started {start}, where a payment starts at the oldest unpaid month (R6): {pay_from}"),
        );
    }
    if first < next_unpaid {
        // OK because next_unpaid > first ≥ Month::FIRST, so this never clamps.
        let paid_through = next_unpaid.plus(-1);
        let (payable_in, pay_from) = advice();
        return refuse(
            RefusalText::PayAlreadyPaid {
                month: first,
                paid_through,
                next_unpaid,
                payable_in,
                open,
            },
            format!("{first} is already paid (paid through {paid_through}), and a payment starts at the oldest unpaid month (R6): {pay_from}"),
        );
    }
    if first > next_unpaid {
        // OK because first > next_unpaid ≥ Month::FIRST, so this never clamps.
        let last_owed = first.plus(-1);
        let owed: Vec<Month> = next_unpaid.through(last_owed).collect();
        let amount: Money = member.dues_total(region, &owed);
        let count = owed.len();
        return refuse(
            RefusalText::ArrearsMustBePaidFirst {
                next_unpaid,
                count,
                last_owed,
                amount,
            },
            if count == 1 {
                format!("months are paid oldest first (R6): start from {next_unpaid}; {next_unpaid} comes before the first month this payment names and is unpaid: it owes {amount}")
            } else {
                format!("months are paid oldest first (R6): start from {next_unpaid}; the {count} months {next_unpaid}..{last_owed} come before the first month this payment names and are unpaid: they owe {amount}")
            },
        );
    }
    let open = region.open_month;
    let limit = last_payable_month(open);
    if last > limit {
        let text = RefusalText::PrepayLimitExceeded {
            month: last,
            limit,
            open,
        };
        return refuse(text, format!("{last} is beyond the twelve months a payment may name, the open month {open} and the 11 after it (R6): pay at most through {limit}"));
    }
    Ok(())
}

fn payment_kind(member: &MemberState, open: Month, month: Month) -> PaymentKind {
    if member.missed.contains_key(&month) {
        PaymentKind::Backpay
    } else if month > open {
        PaymentKind::Prepaid
    } else {
        PaymentKind::OnTime
    }
}

fn decide_close_month(state: &LedgerState, body: &CloseMonth) -> Decision {
    let region = closable_region(state, body)?;
    let mut tally = CloseTally::default();
    let mut consequences = Vec::new();
    let enrolled = state
        .enrolled_by_region
        .get(&body.region)
        .into_iter()
        .flatten();
    for member_id in enrolled {
        // OK because enrolled_by_region only names members the fold created.
        let member = state
            .members
            .get(member_id)
            .expect("enrolled member exists");
        let events = close_consequences(member, region, body.month);
        tally.add(&events);
        consequences.extend(events);
    }
    // Contract v2: the region's close first, then its members' consequences.
    let mut events = vec![month_closed(body, tally)];
    events.extend(consequences);
    Ok(events)
}

/// The region of a close that may be recorded: it exists, `body.month` is its open
/// month (R9), and a month follows it (R1: not `Month::LAST`, D47). The first check of
/// `close_month`; a ledger that records a close's consequences in chunks asks this
/// before counting them.
pub fn closable_region<'a>(
    state: &'a LedgerState,
    body: &CloseMonth,
) -> Result<&'a RegionState, Refusal> {
    let region = region(state, &body.region)?;
    if body.month != region.open_month {
        return refuse(
            RefusalText::MonthNotOpen {
                month: body.month,
                region: body.region.clone(),
                open: region.open_month,
            },
            format!(
                "{} is not the open month of region {} (R9): close {} next",
                body.month, body.region, region.open_month
            ),
        );
    }
    if body.month.checked_plus(1).is_none() {
        return refuse(
            RefusalText::CloseLastMonth {
                month: body.month,
                region: body.region.clone(),
            },
            format!(
                "{} is the last month the ledger records (R1): closing it would open a month after it, which cannot be recorded, so it stays the open month of region {}; do not close it",
                body.month, body.region
            ),
        );
    }
    Ok(region)
}

/// The month a close of `month` opens (R9). Only for a close `closable_region`
/// accepted.
pub fn next_open_month(month: Month) -> Month {
    // OK because closable_region refuses to close Month::LAST, the one month with no
    // month after it.
    month
        .checked_plus(1)
        .expect("a closable month has a next month")
}

/// What a month close finds among the region's enrolled members, for its
/// `MonthClosed` event: counted before the close is recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CloseTally {
    pub members_visited: u64,
    pub members_missed: u64,
    pub members_withdrawn: u64,
}

impl CloseTally {
    /// Counts one enrolled member and the consequences `close_consequences` gave it.
    pub fn add(&mut self, consequences: &[Event]) {
        self.members_visited += 1;
        for event in consequences {
            match event {
                Event::ContributionMissed(_) => self.members_missed += 1,
                Event::MemberWithdrawn(_) => self.members_withdrawn += 1,
                _ => {}
            }
        }
    }
}

/// The region's event of a close (R9), recorded before any member's consequence.
pub fn month_closed(body: &CloseMonth, tally: CloseTally) -> Event {
    Event::MonthClosed(MonthClosed {
        region: body.region.clone(),
        month: body.month,
        next_open_month: next_open_month(body.month),
        members_missed: tally.members_missed,
        members_withdrawn: tally.members_withdrawn,
        members_visited: Some(tally.members_visited),
    })
}

/// What closing `month` implies for one member (R9–R11): nothing, or the month
/// missed, or missed and the member withdrawn automatically. `region` is the
/// member's region before or after its `MonthClosed` (only its policies are read).
///
/// Idempotent: a member whose `month` is already recorded missed gets nothing, so a
/// close whose consequences are recorded in chunks, resumed after a crash or brought
/// forward for one member, records each consequence exactly once.
pub fn close_consequences(member: &MemberState, region: &RegionState, month: Month) -> Vec<Event> {
    let in_period = member.current_period().contains(month);
    if member.is_withdrawn()
        || !in_period
        || member.paid.contains_key(&month)
        || member.missed.contains_key(&month)
    {
        return Vec::new();
    }
    let grace_months = i64::from(region.policy_for(month).grace_months);
    let due = member.due_for(region, month);
    let mut events = vec![Event::ContributionMissed(ContributionMissed {
        member_id: member.member_id,
        month,
        due,
    })];
    // R10/R11: the arrears run is every month from the oldest unpaid through this one.
    // OK because `month` is in the period and unpaid, so an unpaid month exists.
    let first_arrears = member.next_unpaid().expect("an unpaid month of the period");
    let run_months = first_arrears.months_until(month) + 1;
    if run_months > grace_months {
        let lapsed_months: Vec<Month> = first_arrears.through(month).collect();
        let lapsed_amount = member.dues_total(region, &lapsed_months);
        events.push(Event::MemberWithdrawn(MemberWithdrawn {
            member_id: member.member_id,
            reason: WithdrawalReason::ArrearsExceededGrace,
            effective_from: first_arrears,
            lapsed_months,
            lapsed_amount,
        }));
    }
    events
}

fn decide_stop_deduction(state: &LedgerState, member_id: Uuid) -> Decision {
    let (member, _) = enrolled_member(state, member_id)?;
    if member.deduction_stopped {
        return refuse(
            RefusalText::DeductionAlreadyStopped {},
            "deduction is already stopped (R8): resume_deduction to start it again",
        );
    }
    Ok(vec![Event::DeductionStopped(DeductionChanged {
        member_id,
    })])
}

fn decide_resume_deduction(state: &LedgerState, member_id: Uuid) -> Decision {
    let (member, _) = enrolled_member(state, member_id)?;
    if !member.deduction_stopped {
        return refuse(
            RefusalText::DeductionNotStopped {},
            "deduction is running (R8): there is nothing to resume",
        );
    }
    Ok(vec![Event::DeductionResumed(DeductionChanged {
        member_id,
    })])
}

fn decide_withdraw(state: &LedgerState, body: &Withdraw) -> Decision {
    let (member, region) = known_member(state, body.member_id)?;
    // Already withdrawn: `not_enrolled` like any command for a withdrawn member, but
    // saying there is nothing to do, not "reenroll first" (the opposite of the intent).
    if let Some(withdrawal) = &member.current_period().withdrawal {
        let (member, since) = (body.member_id, withdrawal.effective_from);
        let rule = withdrawal.reason.rule();
        return refuse(
            RefusalText::AlreadyWithdrawn { member, since, rule },
            format!("member {member} has already withdrawn, since {since} ({rule}): there is nothing to withdraw"),
        );
    }
    // R12 (v2): L is the last paid month of the period not after the open month; the
    // withdrawal takes effect from L + 1 (or the period's first month), arrears at that
    // point lapse, and months paid beyond L are refunded by the same command.
    let start = member.current_period().start;
    let open = region.open_month;
    let last_arrived = if start <= open {
        member
            .paid
            .range(start..=open)
            .next_back()
            .map(|(month, _)| *month)
    } else {
        None
    };
    // D47: L + 1 does not exist when L is Month::LAST (paid, and open): the withdrawal
    // could not say from when it takes effect.
    let effective_from = match last_arrived {
        None => start,
        Some(last) => last.checked_plus(1).ok_or_else(|| {
            Refusal::because(
                RefusalText::WithdrawPastLastMonth {
                    member: body.member_id,
                    last,
                },
                format!("member {} has paid through {last}, the last month the ledger records, while it is open: a withdrawal would take effect from the month after it (R1, R12), which cannot be recorded; the member stays enrolled through {last}", body.member_id),
            )
        })?,
    };
    let lapsed_months = member.arrears();
    let lapsed_amount = member.dues_total(region, &lapsed_months);
    let refunded: Vec<(Month, Money)> = member
        .paid
        .range(effective_from..)
        .map(|(month, amount)| (*month, *amount))
        .collect();
    let mut events = vec![Event::MemberWithdrawn(MemberWithdrawn {
        member_id: body.member_id,
        reason: body.reason,
        effective_from,
        lapsed_months,
        lapsed_amount,
    })];
    if !refunded.is_empty() {
        events.push(Event::ContributionRefunded(ContributionRefunded {
            member_id: body.member_id,
            amount: refunded.iter().map(|(_, amount)| *amount).sum(),
            months: refunded.into_iter().map(|(month, _)| month).collect(),
        }));
    }
    Ok(events)
}

fn decide_reenroll(state: &LedgerState, body: &Reenroll) -> Decision {
    let Some(member) = state.members.get(&body.member_id) else {
        return refuse(
            RefusalText::NeverEnrolled {
                member: body.member_id,
            },
            format!(
                "member {} has never enrolled: no member has this id; check it, or use enroll for a new member (R5)",
                body.member_id
            ),
        );
    };
    let Some(withdrawal) = &member.current_period().withdrawal else {
        return refuse(
            RefusalText::NotWithdrawn {
                member: body.member_id,
            },
            format!(
                "member {} is still enrolled (R13): only a withdrawn member may re-enroll; nothing needs doing (to change the base, send change_base)",
                body.member_id
            ),
        );
    };
    let region = region(state, &member.region)?;
    // D26: not into a month a v1 withdrawal left paid and unrefunded; D47: when that
    // is Month::LAST, no month is left to re-enroll in.
    let after_unrefunded = match member.unrefunded.keys().next_back() {
        None => None,
        Some(last) => Some(last.checked_plus(1).ok_or_else(|| {
            Refusal::because(
                RefusalText::ReenrollPastLastMonth {
                    member: body.member_id,
                    last: *last,
                },
                format!("member {} paid through {last}, the last month the ledger records, before withdrawing: re-enrollment may not start within those months (R13), so no month is left to re-enroll in", body.member_id),
            )
        })?),
    };
    let earliest = region
        .open_month
        .max(withdrawal.effective_from)
        .max(after_unrefunded.unwrap_or(withdrawal.effective_from));
    if body.month < earliest {
        return refuse(RefusalText::ReenrollMonthClosed { earliest }, format!("re-enrollment may start no earlier than {earliest} (R13: the open month, and not before the withdrawal took effect or within months paid before it)"));
    }
    not_too_far_ahead(body.month, region.open_month, earliest)?;
    let ratio = (body.base_ratio, body.month);
    check_band(region.policy_for(body.month), ratio, RuleId::R4)?;
    // OK because periods is bounded by the member's event count, far below u32::MAX.
    let enrollment = u32::try_from(member.periods.len() + 1).expect("period count fits u32");
    Ok(vec![Event::MemberReenrolled(MemberReenrolled {
        member_id: body.member_id,
        month: body.month,
        base_ratio: body.base_ratio,
        enrollment,
    })])
}

fn decide_change_base(state: &LedgerState, body: &ChangeBase) -> Decision {
    let (member, region) = enrolled_member(state, body.member_id)?;
    before_region_first_month(region, body.from_month)?;
    if body.from_month < region.open_month {
        return refuse(
            RefusalText::ChangeBaseMonthClosed {
                month: body.from_month,
                open: region.open_month,
            },
            format!(
                "{} is closed (R15): change the base from the open month {} or later",
                body.from_month, region.open_month
            ),
        );
    }
    let start = member.current_period().start;
    if body.from_month < start {
        return refuse(
            RefusalText::ChangeBaseBeforeEnrollment {
                month: body.from_month,
                start,
            },
            format!(
                "{} is before the enrollment period that starts {start} (R15): change the base from {start} or later",
                body.from_month
            ),
        );
    }
    let Some(next_unpaid) = member.next_unpaid() else {
        return refuse(
            RefusalText::ChangeBasePaidThroughLastMonth {
                month: body.from_month,
                last: Month::LAST,
            },
            format!("{} is already paid and keeps the due it was paid at (R4, R15): the enrollment period is paid through {}, the last month the ledger records, so no month is left whose base can change", body.from_month, Month::LAST),
        );
    };
    if body.from_month < next_unpaid {
        let text = RefusalText::ChangeBaseAlreadyPaid {
            month: body.from_month,
            next_unpaid,
        };
        return refuse(text, format!("{} is already paid and keeps the due it was paid at (R4, R15): change the base from {next_unpaid} or later", body.from_month));
    }
    let ratio = (body.base_ratio, body.from_month);
    check_band(region.policy_for(body.from_month), ratio, RuleId::R15)?;
    Ok(vec![Event::BaseChanged(BaseChanged {
        member_id: body.member_id,
        from_month: body.from_month,
        base_ratio: body.base_ratio,
    })])
}

/// A member known to the ledger, withdrawn or not (revoking and paying out subsidies
/// outlive a withdrawal, R16).
fn known_member(
    state: &LedgerState,
    member_id: Uuid,
) -> Result<(&MemberState, &RegionState), Refusal> {
    let Some(member) = state.members.get(&member_id) else {
        return refuse(
            RefusalText::MemberUnknown { member: member_id },
            format!("member {member_id} is not enrolled: no member has this id; check it, or enroll a new member first (R5)"),
        );
    };
    Ok((member, region(state, &member.region)?))
}

fn decide_grant_subsidy(state: &LedgerState, body: &GrantSubsidy) -> Decision {
    let (member, region) = enrolled_member(state, body.member_id)?;
    before_region_first_month(region, body.from_month)?;
    let open = region.open_month;
    if body.from_month < open {
        return refuse(
            RefusalText::GrantMonthClosed {
                month: body.from_month,
                open,
            },
            format!(
                "{} is closed (R16): a grant starts in the open month {open} or later",
                body.from_month
            ),
        );
    }

    check_grant_limits(member, body)?;
    // OK because months ≤ 36 was checked above.
    let months = u32::try_from(body.months).expect("at most 36 months");
    let last = grant_last_month(body)?;
    if let Some(other) = member
        .grants
        .iter()
        .find(|grant| grant.overlaps(body.from_month, months))
    {
        // The months both grants name, not every month asked for: the others are free.
        let (first, last) = (
            body.from_month.max(other.from_month),
            last.min(other.last()),
        );
        return refuse(
            RefusalText::SubsidyOverlap {
                first,
                last,
                other_first: other.from_month,
                other_last: other.last(),
            },
            format!("{} already granted from {} (R16: grants may not overlap): start after {} or revoke that grant first", months_are(first, last), other.from_month, other.last()),
        );
    }
    Ok(vec![Event::SubsidyGranted(SubsidyGranted {
        member_id: body.member_id,
        from_month: body.from_month,
        months,
        share: body.share,
        category: body.category,
    })])
}

/// The last month of a grant, refused when it would fall after `Month::LAST` (D47): its
/// months past 2999-12 could never accrue, yet would count toward the member's 36
/// (R16), so the grant is refused rather than recorded or silently shortened.
fn grant_last_month(body: &GrantSubsidy) -> Result<Month, Refusal> {
    let first = body.from_month;
    // OK because check_grant_limits allowed at most 36 months.
    let months = i64::try_from(body.months).expect("at most 36 months");
    first.checked_plus(months - 1).ok_or_else(|| {
        let last = Month::LAST;
        let text = RefusalText::GrantPastLastMonth {
            first,
            months: body.months,
            last,
        };
        Refusal::because(text, format!("a grant of {} months from {first} would run past {last}, the last month the ledger records (R1, R16): grant only months from {first} through {last}", body.months))
    })
}

/// R16's limits on one grant: its months (36, a graduate's 24), its share (about two
/// thirds), and the member's granted months together (36).
fn check_grant_limits(member: &MemberState, body: &GrantSubsidy) -> Result<(), Refusal> {
    let limit = if body.category == SubsidyCategory::Graduate {
        SUBSIDY_GRADUATE_MONTHS_MAX
    } else {
        SUBSIDY_MONTHS_MAX
    };
    if body.months > limit {
        return refuse(
            RefusalText::GrantTooLong {
                category: category_name(body.category),
                limit,
                months: body.months,
            },
            format!(
                "a grant of category `{}` covers at most {limit} months (R16), not {}: grant fewer months",
                category_name(body.category),
                body.months
            ),
        );
    }
    if body.share > subsidy_share_max() {
        return refuse(
            RefusalText::ShareTooLarge {
                share: body.share,
                max: subsidy_share_max(),
            },
            format!("share {} is above {} (R16: at most about two thirds of what is paid): grant a smaller share", body.share, subsidy_share_max()),
        );
    }
    let granted = u64::from(member.granted_months());
    if granted + body.months > SUBSIDY_MONTHS_MAX {
        return refuse(
            RefusalText::GrantedMonthsExceeded {
                member: body.member_id,
                granted,
                months: body.months,
                max: SUBSIDY_MONTHS_MAX,
                remaining: SUBSIDY_MONTHS_MAX - granted,
            },
            format!(
                "member {} already has {granted} granted {}; {} more would exceed {SUBSIDY_MONTHS_MAX} (R16): {}",
                body.member_id,
                months_word(granted),
                body.months,
                grant_at_most(SUBSIDY_MONTHS_MAX - granted, "no more months can be granted (revoke the months of a grant that are not needed first)", ""),
            ),
        );
    }
    check_graduate_months(member, body)
}

/// D59: a graduate's subsidy lasts at most two years in all (S9: 补贴期限最长不超过2年),
/// not two years a grant: the member's graduate months together (after revocations)
/// may not exceed R16's 24, or two graduate grants would give 36.
fn check_graduate_months(member: &MemberState, body: &GrantSubsidy) -> Result<(), Refusal> {
    if body.category != SubsidyCategory::Graduate {
        return Ok(());
    }
    let granted: u64 = member
        .grants
        .iter()
        .filter(|grant| grant.category == SubsidyCategory::Graduate)
        .map(|grant| u64::from(grant.months))
        .sum();
    if granted + body.months <= SUBSIDY_GRADUATE_MONTHS_MAX {
        return Ok(());
    }
    // A log an older build wrote may already hold more than 24 graduate months (D59).
    let (max, remaining) = (
        SUBSIDY_GRADUATE_MONTHS_MAX,
        SUBSIDY_GRADUATE_MONTHS_MAX.saturating_sub(granted),
    );
    refuse(
        RefusalText::GraduateMonthsExceeded {
            member: body.member_id,
            granted,
            months: body.months,
            max,
            remaining,
        },
        format!(
            "member {} already has {granted} graduate {} granted; {} more would exceed {max}, a graduate's two years in all (R16): {}",
            body.member_id,
            months_word(granted),
            body.months,
            grant_at_most(remaining, "no more months can be granted as graduate", " as graduate"),
        ),
    )
}

/// "month" or "months", for a count of them.
fn months_word(count: u64) -> &'static str {
    if count == 1 {
        "month"
    } else {
        "months"
    }
}

/// What a subsidy grant over its limit may still do: `none` when nothing is left.
fn grant_at_most(remaining: u64, none: &str, suffix: &str) -> String {
    if remaining == 0 {
        none.to_owned()
    } else {
        format!("grant at most {remaining}{suffix}")
    }
}

fn category_name(category: SubsidyCategory) -> &'static str {
    match category {
        SubsidyCategory::Hardship => "hardship",
        SubsidyCategory::Graduate => "graduate",
        SubsidyCategory::Other => "other",
    }
}

fn decide_revoke_subsidy(state: &LedgerState, body: &RevokeSubsidy) -> Decision {
    let (member, region) = known_member(state, body.member_id)?;
    before_region_first_month(region, body.from_month)?;
    let open = region.open_month;
    if body.from_month < open {
        return refuse(
            RefusalText::RevokeMonthClosed {
                month: body.from_month,
                open,
            },
            format!(
                "{} is closed (R16): revoke from the open month {open} or later",
                body.from_month
            ),
        );
    }
    if !member
        .grants
        .iter()
        .any(|grant| grant.reaches(body.from_month))
    {
        return refuse(
            RefusalText::NoSubsidy {
                member: body.member_id,
                month: body.from_month,
            },
            format!(
                "member {} has no month granted from {} on (R16): nothing to revoke",
                body.member_id, body.from_month
            ),
        );
    }
    Ok(vec![Event::SubsidyRevoked(SubsidyRevoked {
        member_id: body.member_id,
        from_month: body.from_month,
    })])
}

fn decide_pay_subsidy(state: &LedgerState, body: &PaySubsidy) -> Decision {
    let (member, region) = known_member(state, body.member_id)?;
    let open = region.open_month;
    if body.paid_on.month() != open {
        let text = RefusalText::SubsidyPaidOnOutsideOpenMonth {
            paid_on: body.paid_on,
            open,
        };
        return refuse(text, format!("paid_on {} is not in the open month {open} (R16): subsidies are paid in the open month", body.paid_on));
    }
    let mut total = Money::ZERO;
    for month in &body.months {
        if member.subsidy_paid.contains(month) {
            return refuse(
                RefusalText::SubsidyAlreadyPaid { month: *month },
                format!("the subsidy of {month} was already paid out (R16): leave it out of this payment"),
            );
        }
        match member.accrued(*month, open) {
            Ok(subsidy) => total = total + subsidy,
            Err(why) => {
                let (name, reason) = match why {
                    NotAccrued::NotGranted => ("not_granted", "no grant covers it"),
                    NotAccrued::Refunded => ("refunded", "its contribution was refunded (R12)"),
                    NotAccrued::Unpaid => ("unpaid", "its contribution is not paid"),
                    NotAccrued::OutsideEnrollment => (
                        "not_enrolled",
                        "the member was not enrolled for it (a month outside every enrollment period accrues nothing)",
                    ),
                    NotAccrued::NotClosed => (
                        "not_closed",
                        "it is not closed yet (it accrues at its month close)",
                    ),
                };
                return refuse(
                    RefusalText::SubsidyNotAccrued {
                        month: *month,
                        reason: name,
                    },
                    format!("{month} has not accrued a subsidy: {reason} (R16: a granted month accrues once it is paid and closed); pay only accrued months"),
                );
            }
        }
    }
    if total != body.amount {
        let text = RefusalText::SubsidyAmountMismatch {
            amount: body.amount,
            total,
        };
        return refuse(text, format!("amount {} does not equal the accrued subsidies of those months, which sum to {total} (R16): pay exactly {total}", body.amount));
    }
    Ok(vec![Event::SubsidyPaid(SubsidyPaid {
        member_id: body.member_id,
        months: body.months.clone(),
        amount: total,
        paid_on: body.paid_on,
    })])
}
