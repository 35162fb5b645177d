//! The last month the ledger records, 2999-12 (R1, D13), at every rule that names the
//! month after another (D47): a month close, a benefit start (R7), the next unpaid
//! month (R6), a withdrawal (R12), a re-enrollment (R13, D26), a back-pay deadline
//! (R10) and a grant (R16). Each case was decided or shown wrongly while month
//! arithmetic clamped at 2999-12 ("2999-12 + 1 = 2999-12").
//!
//! Commands go through `parse_command_value`, `decide` and the fold, as the ledger
//! runs them, without a store.

use super::command::{parse_command_value, WithdrawalReason};
use super::coverage::{backpay_deadline, coverage, MemberCoverage, MonthStatus};
use super::decide::decide;
use super::event::{Event, MemberWithdrawn};
use super::money::Money;
use super::month::Month;
use super::policy::RegionName;
use super::refusal::{ErrorCode, Refusal};
use super::state::{LedgerState, MemberState, RegionState};
use serde_json::{json, Value};
use uuid::Uuid;

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// A ledger's state and the positions of the events folded into it.
#[derive(Default)]
struct Book {
    state: LedgerState,
    position: u64,
}

impl Book {
    fn submit(&mut self, command: &Value) -> Result<(), Refusal> {
        let envelope = parse_command_value(command.clone())?;
        let events = decide(&self.state, &envelope)?;
        for event in &events {
            self.fold(event);
        }
        Ok(())
    }

    fn fold(&mut self, event: &Event) {
        self.position += 1;
        self.state.apply(self.position, event).unwrap();
    }

    fn accept(&mut self, commands: &[Value]) {
        for command in commands {
            if let Err(refusal) = self.submit(command) {
                panic!("{command} refused: {refusal}");
            }
        }
    }

    /// The refusal of `command`, which must append nothing.
    fn refuse(&mut self, command: &Value) -> Refusal {
        let before = self.position;
        let refusal = self.submit(command).expect_err("refused");
        assert_eq!(self.position, before, "a refused command appends nothing");
        refusal
    }

    fn region(&self) -> &RegionState {
        &self.state.regions[&RegionName::parse("end").unwrap()]
    }

    fn member(&self, member: &str) -> &MemberState {
        &self.state.members[&member.parse::<Uuid>().unwrap()]
    }

    fn coverage(&self, member: &str) -> MemberCoverage {
        coverage(&self.state, member.parse().unwrap()).unwrap()
    }
}

/// A policy of region `end` from `from`: 600.00 a month at the lowest base ratio.
fn policy(from: &str, grace: u32, delay_first: u32) -> Value {
    json!({"command":"publish_policy","region":"end","effective_from":from,
        "average_monthly_wage":"10000.00","contribution_rate":"0.10",
        "base_ratio_min":"0.60","base_ratio_max":"3.00","grace_months":grace,
        "benefit_delay_first":delay_first,"benefit_delay_reenroll":1,
        "backpay_restores":"retroactive",
        "benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
}

fn enroll(member: &str, month: &str) -> Value {
    json!({"command":"enroll","member_id":member,"region":"end","month":month,
        "base_ratio":"0.60","labor_relationship":"none"})
}

fn pay(member: &str, months: &[&str], paid_on: &str) -> Value {
    let amount = format!("{}.00", 600 * months.len());
    json!({"command":"pay","member_id":member,"months":months,"amount":amount,
        "paid_on":paid_on})
}

fn close(month: &str) -> Value {
    json!({"command":"close_month","region":"end","month":month})
}

fn grant(member: &str, from: &str, months: u32) -> Value {
    json!({"command":"grant_subsidy","member_id":member,"from_month":from,
        "months":months,"share":"0.50","category":"hardship"})
}

fn statuses(coverage: &MemberCoverage) -> Vec<(String, MonthStatus, bool)> {
    coverage
        .months
        .iter()
        .map(|line| (line.month.to_string(), line.status, line.benefits))
        .collect()
}

/// Case A: closing 2999-12 used to be accepted again and again, each time recording
/// `next_open_month` 2999-12. It is refused, and the month stays open.
#[test]
fn closing_the_last_month_is_refused_and_it_stays_open() {
    let mut book = Book::default();
    book.accept(&[policy("2999-11", 3, 6), close("2999-11")]);
    assert_eq!(book.region().open_month, Month::LAST);
    for _ in 0..2 {
        let refusal = book.refuse(&close("2999-12"));
        assert_eq!(refusal.code, ErrorCode::InvalidCommand);
        assert_eq!(
            refusal.message,
            "2999-12 is the last month the ledger records (R1): closing it would open a month after it, which cannot be recorded, so it stays the open month of region end; do not close it"
        );
        assert!(refusal.text.is_some(), "the message is kept as data");
        assert_eq!(book.region().open_month, Month::LAST);
    }
    // A month that is not the open one is still `month_not_open`, checked first.
    assert_eq!(book.refuse(&close("2999-11")).code, ErrorCode::MonthNotOpen);
}

/// Case B: a benefit start that falls after 2999-12 (P 2999-08 + 6) used to clamp to
/// 2999-12, covering that month after four months. No month within the range has
/// benefits, and the member has not qualified (R7).
#[test]
fn a_benefit_start_after_the_last_month_gives_no_month_benefits() {
    let mut book = Book::default();
    let months = ["2999-08", "2999-09", "2999-10", "2999-11", "2999-12"];
    book.accept(&[
        policy("2999-08", 3, 6),
        enroll(A, "2999-08"),
        pay(A, &months, "2999-08-10"),
    ]);
    for closed in &months[..4] {
        book.accept(&[close(closed)]);
    }
    let coverage = book.coverage(A);
    assert_eq!(coverage.benefit_start, None);
    assert!(!coverage.qualified);
    let waiting: Vec<_> = months
        .iter()
        .map(|month| ((*month).to_owned(), MonthStatus::Waiting, false))
        .collect();
    assert_eq!(statuses(&coverage), waiting);
    assert!(book.member(A).period_started());
}

/// The period's benefit start is decided once, at its first payment (D27), even when
/// it falls after 2999-12: a later payment under a policy with a shorter wait does not
/// decide it again.
#[test]
fn a_later_payment_does_not_decide_a_benefit_start_past_the_last_month_again() {
    let mut book = Book::default();
    book.accept(&[
        policy("2999-08", 3, 6),
        policy("2999-10", 3, 1),
        enroll(A, "2999-08"),
        pay(A, &["2999-08"], "2999-08-10"),
        close("2999-08"),
        close("2999-09"),
        pay(A, &["2999-09", "2999-10"], "2999-10-10"),
    ]);
    assert_eq!(book.member(A).current_period().benefit_start, None);
    let coverage = book.coverage(A);
    assert_eq!(coverage.benefit_start, None);
    assert!(coverage.months.iter().all(|line| !line.benefits));
    assert_eq!(coverage.arrears.months, Vec::<Month>::new());
}

/// Case C: a period paid through 2999-12 used to have 2999-12 as its next unpaid
/// month, so the member stayed in arrears for a paid month and could pay it twice.
#[test]
fn a_period_paid_through_the_last_month_owes_nothing_and_pays_it_once() {
    let mut book = Book::default();
    book.accept(&[
        policy("2999-11", 3, 6),
        enroll(A, "2999-11"),
        close("2999-11"),
    ]);
    assert_eq!(
        book.refuse(&close("2999-12")).code,
        ErrorCode::InvalidCommand
    );
    book.accept(&[pay(A, &["2999-11", "2999-12"], "2999-12-05")]);
    let coverage = book.coverage(A);
    assert_eq!(coverage.arrears.months, Vec::<Month>::new());
    assert_eq!(coverage.arrears.backpay_deadline, None);
    assert_eq!(coverage.paid_through, Some(Month::LAST));
    assert_eq!(book.member(A).next_unpaid(), None);
    let twice = book.refuse(&pay(A, &["2999-12"], "2999-12-06"));
    assert_eq!(twice.code, ErrorCode::AlreadyPaid);
    assert_eq!(
        twice.message,
        "2999-12 is already paid: the enrollment period is paid through 2999-12, the last month the ledger records (R1, R6), so nothing is left to pay"
    );
    let base = json!({"command":"change_base","member_id":A,"from_month":"2999-12",
        "base_ratio":"1.00"});
    let refusal = book.refuse(&base);
    assert_eq!(refusal.code, ErrorCode::AlreadyPaid);
    assert!(
        refusal.message.contains("paid through 2999-12"),
        "{refusal}"
    );
}

/// A payment listing 2999-12 twice is not contiguous (R6): clamped, 2999-12 + 1 was
/// 2999-12, so the repeat passed as the next month.
#[test]
fn a_payment_naming_the_last_month_twice_is_not_contiguous() {
    let mut book = Book::default();
    book.accept(&[policy("2999-11", 3, 6), enroll(A, "2999-11")]);
    let months = ["2999-11", "2999-12", "2999-12"];
    let refusal = book.refuse(&pay(A, &months, "2999-11-05"));
    assert_eq!(refusal.code, ErrorCode::MonthsNotContiguous);
    assert!(
        refusal.message.ends_with("(R6): 2999-12 is listed twice"),
        "{refusal}"
    );
}

/// R6: a payment's months that are not one run say where the run breaks (an agency
/// was left to find which month was missing), for a gap, a repeat and a wrong order.
#[test]
fn months_that_are_not_one_run_say_where_it_breaks() {
    let mut book = Book::default();
    book.accept(&[policy("2999-01", 3, 6), enroll(A, "2999-01")]);
    let cases = [
        (
            &["2999-01", "2999-03"][..],
            "2999-02 is missing between 2999-01 and 2999-03",
        ),
        (
            &["2999-01", "2999-02", "2999-06"][..],
            "2999-03..2999-05 are missing between 2999-02 and 2999-06",
        ),
        (&["2999-02", "2999-01"][..], "2999-01 follows 2999-02"),
    ];
    for (months, said) in cases {
        let refusal = book.refuse(&pay(A, months, "2999-01-05"));
        assert_eq!(refusal.code, ErrorCode::MonthsNotContiguous);
        assert!(
            refusal.message.ends_with(&format!("(R6): {said}")),
            "{refusal}"
        );
    }
}

/// R12: a member paid through 2999-12 while it is open would be withdrawn from the
/// month after it, which cannot be recorded; clamped, the withdrawal took effect from
/// 2999-12 and refunded that paid month. Paid through 2999-11, it takes effect from
/// 2999-12 as the rule says.
#[test]
fn a_withdrawal_that_would_take_effect_after_the_last_month_is_refused() {
    let mut book = Book::default();
    let withdraw = |member| json!({"command":"withdraw","member_id":member,"reason":"voluntary"});
    book.accept(&[
        policy("2999-11", 3, 6),
        enroll(A, "2999-11"),
        enroll(B, "2999-11"),
        pay(A, &["2999-11", "2999-12"], "2999-11-05"),
        pay(B, &["2999-11"], "2999-11-05"),
        close("2999-11"),
    ]);
    let refusal = book.refuse(&withdraw(A));
    assert_eq!(refusal.code, ErrorCode::InvalidCommand);
    assert!(refusal
        .message
        .contains("the member stays enrolled through 2999-12"));
    assert_eq!(book.member(A).paid.len(), 2);
    book.accept(&[withdraw(B)]);
    let ended = book.member(B).current_period().withdrawal.clone().unwrap();
    assert_eq!(ended.effective_from, Month::LAST);
}

/// D26 over a v1 history: a withdrawal recorded by v1 left months paid through 2999-12
/// outside the period; re-enrollment may not start within them, so no month is left.
/// Clamped, it could start in 2999-12, one of those months.
#[test]
fn no_reenrollment_after_months_a_v1_withdrawal_left_paid_through_the_last_month() {
    let mut book = Book::default();
    let year: Vec<String> = (1..=12).map(|number| format!("2999-{number:02}")).collect();
    let year: Vec<&str> = year.iter().map(String::as_str).collect();
    book.accept(&[
        policy("2999-01", 3, 6),
        enroll(A, "2999-01"),
        pay(A, &year, "2999-01-05"),
    ]);
    // As v1 recorded it: effective after the months paid ahead (clamped by v1).
    book.fold(&Event::MemberWithdrawn(MemberWithdrawn {
        member_id: A.parse().unwrap(),
        reason: WithdrawalReason::Voluntary,
        effective_from: Month::LAST,
        lapsed_months: Vec::new(),
        lapsed_amount: Money::ZERO,
    }));
    assert_eq!(
        book.member(A).unrefunded.keys().next_back(),
        Some(&Month::LAST)
    );
    let reenroll = json!({"command":"reenroll","member_id":A,"month":"2999-12",
        "base_ratio":"0.60"});
    let refusal = book.refuse(&reenroll);
    assert_eq!(refusal.code, ErrorCode::MonthClosed);
    assert!(refusal.message.contains("no month is left to re-enroll in"));
}

/// R10: the back-pay deadline of a run that starts in 2999-10 with three months of
/// grace is 3000-01: it never comes, so none is shown (it was shown as 2999-12), and
/// the automatic withdrawal it announces (R11) does not come earlier either.
#[test]
fn a_backpay_deadline_after_the_last_month_is_none_and_nothing_lapses_early() {
    let mut book = Book::default();
    book.accept(&[
        policy("2999-09", 3, 6),
        enroll(A, "2999-09"),
        enroll(B, "2999-10"),
        close("2999-09"),
        close("2999-10"),
        close("2999-11"),
    ]);
    let region = book.region();
    assert_eq!(
        backpay_deadline(region, month("2999-09")),
        Some(Month::LAST)
    );
    assert_eq!(backpay_deadline(region, month("2999-10")), None);
    let (a, b) = (book.coverage(A), book.coverage(B));
    assert_eq!(a.arrears.months.len(), 3);
    assert_eq!(a.arrears.backpay_deadline, Some(Month::LAST));
    assert_eq!(b.arrears.months, vec![month("2999-10"), month("2999-11")]);
    assert_eq!(b.arrears.backpay_deadline, None);
    for member in [A, B] {
        assert!(!book.member(member).is_withdrawn(), "{member}");
    }
}

/// R16: a grant whose months run past 2999-12 is refused (it was recorded, its months
/// past the range counting toward the member's 36); one that ends in 2999-12 covers
/// 2999-12 (a clamped end left it out), overlaps a grant of it, and can be revoked
/// from it.
#[test]
fn a_grant_past_the_last_month_is_refused_and_one_ending_in_it_covers_it() {
    let mut book = Book::default();
    book.accept(&[policy("2999-01", 3, 6), enroll(A, "2999-01")]);
    let refusal = book.refuse(&grant(A, "2999-10", 6));
    assert_eq!(refusal.code, ErrorCode::InvalidCommand);
    assert_eq!(
        refusal.message,
        "a grant of 6 months from 2999-10 would run past 2999-12, the last month the ledger records (R1, R16): grant only months from 2999-10 through 2999-12"
    );
    assert!(book.member(A).grants.is_empty());
    book.accept(&[grant(A, "2999-10", 3)]);
    let member = book.member(A);
    assert!(member.grant_for(Month::LAST).is_some());
    assert_eq!(member.grants[0].last(), Month::LAST);
    let overlap = book.refuse(&grant(A, "2999-12", 1));
    assert_eq!(overlap.code, ErrorCode::SubsidyOverlap);
    assert!(overlap
        .message
        .contains("month 2999-12 is already granted from 2999-10"));
    let revoke = json!({"command":"revoke_subsidy","member_id":A,"from_month":"2999-12"});
    book.accept(&[revoke]);
    assert_eq!(book.member(A).granted_months(), 2);
    assert!(book.member(A).grant_for(Month::LAST).is_none());
}

/// R6: a refused payment's advice is one that is accepted. A member paid through
/// open + 11 was told "pay from" the month after, which the prepay limit refused; the
/// advice names the open month from which it can be paid.
#[test]
fn the_month_to_pay_from_is_said_with_the_open_month_that_may_name_it() {
    let mut book = Book::default();
    book.accept(&[policy("2025-04", 3, 6), enroll(A, "2025-04")]);
    let year: Vec<String> = (4..16)
        .map(|month| format!("{}-{:02}", 2025 + (month - 1) / 12, (month - 1) % 12 + 1))
        .collect();
    let year: Vec<&str> = year.iter().map(String::as_str).collect();
    book.accept(&[pay(A, &year, "2025-04-20")]);
    let again = book.refuse(&pay(A, &["2025-04"], "2025-04-21"));
    assert_eq!(again.code, ErrorCode::AlreadyPaid);
    assert_eq!(
        again.message,
        "2025-04 is already paid (paid through 2026-03), and a payment starts at the oldest unpaid month (R6): pay from 2026-04 once 2025-05 is the open month (R6: at most 11 months ahead of it; the open month is 2025-04)"
    );
    book.accept(&[close("2025-04")]);
    let again = book.refuse(&pay(A, &["2025-05"], "2025-05-02"));
    assert!(again.message.ends_with("pay from 2026-04"), "{again}");
}
