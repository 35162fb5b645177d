//! Business refusals (contract "Error codes"): data, not errors. Each carries a stable
//! code and a message that tells the person what to do instead.

use super::money::{Money, Ratio, Share};
use super::month::{CalendarDate, Month};
use super::policy::RegionName;
use super::rule::RuleId;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// The contract's error codes. The wire spelling is the snake_case variant name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidCommand,
    UnknownRegion,
    PolicyRetroactive,
    AlreadyEnrolled,
    PreviouslyEnrolled,
    NotEnrolled,
    NotWithdrawn,
    NeverEnrolled,
    EmployerSchemeRequired,
    BaseRatioOutOfRange,
    MonthClosed,
    MonthNotOpen,
    MonthBeforeEnrollment,
    ArrearsMustBePaidFirst,
    AlreadyPaid,
    MonthsNotContiguous,
    PrepayLimitExceeded,
    AmountMismatch,
    PaidOnOutsideOpenMonth,
    DeductionStopped,
    DeductionNotStopped,
    VersionConflict,
    SubsidyOverlap,
    SubsidyLimitExceeded,
    NoSubsidy,
    SubsidyNotAccrued,
    SubsidyAlreadyPaid,
    CommandIdReused,
}

impl ErrorCode {
    /// Every code, in the contract's order.
    pub const ALL: [ErrorCode; 28] = [
        ErrorCode::InvalidCommand,
        ErrorCode::UnknownRegion,
        ErrorCode::PolicyRetroactive,
        ErrorCode::AlreadyEnrolled,
        ErrorCode::PreviouslyEnrolled,
        ErrorCode::NotEnrolled,
        ErrorCode::NotWithdrawn,
        ErrorCode::NeverEnrolled,
        ErrorCode::EmployerSchemeRequired,
        ErrorCode::BaseRatioOutOfRange,
        ErrorCode::MonthClosed,
        ErrorCode::MonthNotOpen,
        ErrorCode::MonthBeforeEnrollment,
        ErrorCode::ArrearsMustBePaidFirst,
        ErrorCode::AlreadyPaid,
        ErrorCode::MonthsNotContiguous,
        ErrorCode::PrepayLimitExceeded,
        ErrorCode::AmountMismatch,
        ErrorCode::PaidOnOutsideOpenMonth,
        ErrorCode::DeductionStopped,
        ErrorCode::DeductionNotStopped,
        ErrorCode::VersionConflict,
        ErrorCode::SubsidyOverlap,
        ErrorCode::SubsidyLimitExceeded,
        ErrorCode::NoSubsidy,
        ErrorCode::SubsidyNotAccrued,
        ErrorCode::SubsidyAlreadyPaid,
        ErrorCode::CommandIdReused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidCommand => "invalid_command",
            ErrorCode::UnknownRegion => "unknown_region",
            ErrorCode::PolicyRetroactive => "policy_retroactive",
            ErrorCode::AlreadyEnrolled => "already_enrolled",
            ErrorCode::PreviouslyEnrolled => "previously_enrolled",
            ErrorCode::NotEnrolled => "not_enrolled",
            ErrorCode::NotWithdrawn => "not_withdrawn",
            ErrorCode::NeverEnrolled => "never_enrolled",
            ErrorCode::EmployerSchemeRequired => "employer_scheme_required",
            ErrorCode::BaseRatioOutOfRange => "base_ratio_out_of_range",
            ErrorCode::MonthClosed => "month_closed",
            ErrorCode::MonthNotOpen => "month_not_open",
            ErrorCode::MonthBeforeEnrollment => "month_before_enrollment",
            ErrorCode::ArrearsMustBePaidFirst => "arrears_must_be_paid_first",
            ErrorCode::AlreadyPaid => "already_paid",
            ErrorCode::MonthsNotContiguous => "months_not_contiguous",
            ErrorCode::PrepayLimitExceeded => "prepay_limit_exceeded",
            ErrorCode::AmountMismatch => "amount_mismatch",
            ErrorCode::PaidOnOutsideOpenMonth => "paid_on_outside_open_month",
            ErrorCode::DeductionStopped => "deduction_stopped",
            ErrorCode::DeductionNotStopped => "deduction_not_stopped",
            ErrorCode::VersionConflict => "version_conflict",
            ErrorCode::SubsidyOverlap => "subsidy_overlap",
            ErrorCode::SubsidyLimitExceeded => "subsidy_limit_exceeded",
            ErrorCode::NoSubsidy => "no_subsidy",
            ErrorCode::SubsidyNotAccrued => "subsidy_not_accrued",
            ErrorCode::SubsidyAlreadyPaid => "subsidy_already_paid",
            ErrorCode::CommandIdReused => "command_id_reused",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A refused command: nothing is appended. The message names the rule and what to do.
///
/// `message` is the English text, the one on the wire and in the contract's examples.
/// `text` is the same message as data, for rendering it in another language
/// (`crate::i18n::refusal_message`): which message it is and its arguments. It is not
/// on the wire and not stored, so a refusal read back from JSON, and one built without
/// it (the shells' own, serde's words about a command's body
/// as a whole other than a missing field), has none and is shown in English
/// everywhere.
/// Two refusals are equal when their code and message are: the text is the message's
/// data, not more.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip)]
    pub text: Option<RefusalText>,
}

impl PartialEq for Refusal {
    fn eq(&self, other: &Refusal) -> bool {
        self.code == other.code && self.message == other.message
    }
}

impl Eq for Refusal {}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
            text: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Refusal {
        Refusal::new(ErrorCode::InvalidCommand, message)
    }

    /// A refusal whose message is also kept as data: `message` must be the English
    /// rendering of `text` (`tests/it/i18n.rs` checks every one the scenarios make).
    pub fn because(text: RefusalText, message: impl Into<String>) -> Refusal {
        Refusal {
            code: text.code(),
            message: message.into(),
            text: Some(text),
        }
    }
}

/// Declares [`RefusalText`]: one variant per refusal message, with its code, its
/// catalog id (`locales/*/refusals.ftl`) and its arguments, typed as the domain has
/// them and rendered with their `Display`, so every language shows the same data.
macro_rules! refusal_texts {
    ($(
        $(#[$doc:meta])*
        $variant:ident($code:ident) = $id:literal { $($field:ident: $ty:ty),* $(,)? }
    )*) => {
        /// A refusal's message as data: which message, with which arguments. A typed
        /// enum rather than a list of strings so that a message cannot be built with
        /// an argument missing or misnamed; `ALL` lists every message's id and argument
        /// names, which the catalog's tests compare with each language's text.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum RefusalText {
            $( $(#[$doc])* $variant { $($field: $ty),* }, )*
        }

        impl RefusalText {
            /// Every message: its code, catalog id and argument names.
            pub const ALL: &'static [(ErrorCode, &'static str, &'static [&'static str])] = &[
                $( (ErrorCode::$code, $id, &[$(stringify!($field)),*]), )*
            ];

            pub fn code(&self) -> ErrorCode {
                match self {
                    $( RefusalText::$variant { .. } => ErrorCode::$code, )*
                }
            }

            /// The catalog's message id.
            pub fn id(&self) -> &'static str {
                match self {
                    $( RefusalText::$variant { .. } => $id, )*
                }
            }

            /// The arguments by name, as their `Display` shows them.
            pub fn args(&self) -> Vec<(&'static str, String)> {
                match self {
                    $( RefusalText::$variant { $($field),* } => {
                        vec![$((stringify!($field), $field.to_string())),*]
                    } )*
                }
            }
        }
    };
}

refusal_texts! {
    /// `expected_version` differs from the member stream's version.
    VersionConflict(VersionConflict) = "refusal-version-conflict" { actual: u64, expected: u64 }
    /// R3: the region has no policy. `known` lists the regions that have one (at most
    /// `KNOWN_REGIONS_SHOWN_MAX`, then "…"; `known_count` counts them all): a probe
    /// typed `BJ` for `bj`, and "publish a policy for it first" alone would have had
    /// staff publish one for a region that does not exist.
    UnknownRegion(UnknownRegion) = "refusal-unknown-region" { region: RegionName, known: String, known_count: usize }
    /// R13: a command for an enrolled member names a withdrawn one.
    MemberWithdrawn(NotEnrolled) = "refusal-member-withdrawn" { member: Uuid }
    /// A payment for a withdrawn member: the ended period's months are no longer
    /// payable (R11 lapsed, R12 after L), and a re-enrollment starts a new period
    /// (R13): "reenroll first" alone led to a second refusal for the same months.
    PayMemberWithdrawn(NotEnrolled) = "refusal-pay-member-withdrawn" { member: Uuid, since: Month }
    /// R11/R12: a withdrawal of a member already withdrawn; `since` is the month the
    /// withdrawal took effect, `rule` the one that withdrew it (R11 automatically,
    /// R12 otherwise). Nothing is left to do (reenroll would be the opposite).
    AlreadyWithdrawn(NotEnrolled) = "refusal-already-withdrawn" { member: Uuid, since: Month, rule: RuleId }
    /// R5: the member is not known.
    MemberUnknown(NotEnrolled) = "refusal-member-unknown" { member: Uuid }
    /// R4 (R15 for a base change): the base ratio is outside the policy's band.
    BaseRatioOutOfRange(BaseRatioOutOfRange) = "refusal-base-ratio-out-of-range" {
        ratio: Ratio, min: Ratio, max: Ratio, month: Month, region: RegionName, rule: RuleId,
    }
    /// R3: a policy may not take effect in a closed month.
    PolicyRetroactive(PolicyRetroactive) = "refusal-policy-retroactive" {
        month: Month, region: RegionName, open: Month,
    }
    /// R1, R3: a policy from a month before the region's first (never open, so never
    /// closed either: the refusal does not say it was).
    PolicyBeforeRegion(PolicyRetroactive) = "refusal-policy-before-region" {
        month: Month, region: RegionName, first: Month, open: Month,
    }
    /// R3, R6, D80: a policy taking effect beyond the months a payment may name now.
    PolicyTooFarAhead(PrepayLimitExceeded) = "refusal-policy-too-far-ahead" {
        month: Month, region: RegionName, limit: Month, open: Month, publish_from: Month,
    }
    /// R13: enroll for a member who has withdrawn.
    PreviouslyEnrolled(PreviouslyEnrolled) = "refusal-previously-enrolled" { member: Uuid }
    /// R13, D77: enroll in another region for a member who has withdrawn from `region`.
    PreviouslyEnrolledElsewhere(PreviouslyEnrolled) = "refusal-previously-enrolled-elsewhere" {
        member: Uuid, region: RegionName, asked: RegionName,
    }
    AlreadyEnrolled(AlreadyEnrolled) = "refusal-already-enrolled" { member: Uuid, region: RegionName }
    /// R5, S2.
    EmployerSchemeRequired(EmployerSchemeRequired) = "refusal-employer-scheme-required" {}
    /// R1: enrollment, a base change or a subsidy grant or revocation from a month
    /// before the region's first (never open, so never closed either).
    MonthBeforeRegion(MonthClosed) = "refusal-month-before-region" {
        month: Month, region: RegionName, first: Month, open: Month,
    }
    /// R5: enrollment from a closed month.
    EnrollMonthClosed(MonthClosed) = "refusal-enroll-month-closed" {
        month: Month, region: RegionName, open: Month,
    }
    /// R5, R13, D65: an enrollment (or re-enrollment) whose first month lies beyond
    /// the months a payment may name now (R6): a member enrolled so far ahead could pay
    /// nothing for years, yet would count as enrolled.
    EnrollTooFarAhead(PrepayLimitExceeded) = "refusal-enroll-too-far-ahead" {
        month: Month, limit: Month, open: Month,
    }
    /// R8: a payment while the deduction is stopped.
    PayDeductionStopped(DeductionStopped) = "refusal-pay-deduction-stopped" {}
    /// R6.
    PaidOnOutsideOpenMonth(PaidOnOutsideOpenMonth) = "refusal-paid-on-outside-open-month" {
        paid_on: CalendarDate, open: Month,
    }
    /// R6.
    /// R6: the first pair of listed months that breaks the run, and how (`gap`, with
    /// the first and last month missing between them; `repeat`; `order`): "no gap or
    /// repeat" alone left an agency to find which.
    MonthsNotContiguous(MonthsNotContiguous) = "refusal-months-not-contiguous" {
        after: Month, next: Month, kind: &'static str, missing_first: Month, missing_last: Month,
    }
    /// `payable_in`: the open month from which `next_unpaid` may be paid (`open`, or a
    /// later one for a member paid ahead to open + 11, R6).
    PayBeforeEnrollment(MonthBeforeEnrollment) = "refusal-pay-before-enrollment" {
        month: Month, start: Month, next_unpaid: Month, payable_in: Month, open: Month,
    }
    PayAlreadyPaid(AlreadyPaid) = "refusal-pay-already-paid" {
        month: Month, paid_through: Month, next_unpaid: Month, payable_in: Month, open: Month,
    }
    /// R6: months are paid oldest first.
    ArrearsMustBePaidFirst(ArrearsMustBePaidFirst) = "refusal-arrears-must-be-paid-first" {
        next_unpaid: Month, count: usize, last_owed: Month, amount: Money,
    }
    /// R6: at most twelve months ahead.
    PrepayLimitExceeded(PrepayLimitExceeded) = "refusal-prepay-limit-exceeded" {
        month: Month, limit: Month, open: Month,
    }
    /// R4, R6.
    PayAmountMismatch(AmountMismatch) = "refusal-pay-amount-mismatch" {
        amount: Money, first: Month, last: Month, total: Money,
    }
    /// R9.
    MonthNotOpen(MonthNotOpen) = "refusal-month-not-open" { month: Month, region: RegionName, open: Month }
    /// R1, R9, D47: the last month the ledger records has no month after it to open.
    CloseLastMonth(InvalidCommand) = "refusal-close-last-month" { month: Month, region: RegionName }
    /// R1, R6, D47: the period is paid through the last month; nothing is left to pay.
    PayPaidThroughLastMonth(AlreadyPaid) = "refusal-pay-paid-through-last-month" { month: Month, last: Month }
    /// R1, R12, D47: the withdrawal would take effect after the last month.
    WithdrawPastLastMonth(InvalidCommand) = "refusal-withdraw-past-last-month" { member: Uuid, last: Month }
    /// R8.
    DeductionAlreadyStopped(DeductionStopped) = "refusal-deduction-already-stopped" {}
    /// R8.
    DeductionNotStopped(DeductionNotStopped) = "refusal-deduction-not-stopped" {}
    /// R5.
    NeverEnrolled(NeverEnrolled) = "refusal-never-enrolled" { member: Uuid }
    /// R13.
    NotWithdrawn(NotWithdrawn) = "refusal-not-withdrawn" { member: Uuid }
    /// R13.
    ReenrollMonthClosed(MonthClosed) = "refusal-reenroll-month-closed" { earliest: Month }
    /// R13, D26, D47: months a v1 withdrawal left paid run through the last month, so
    /// no month is left to re-enroll in. Only a log written by v1 leads here.
    ReenrollPastLastMonth(MonthClosed) = "refusal-reenroll-past-last-month" { member: Uuid, last: Month }
    /// R15.
    ChangeBaseMonthClosed(MonthClosed) = "refusal-change-base-month-closed" { month: Month, open: Month }
    /// R15.
    ChangeBaseBeforeEnrollment(MonthBeforeEnrollment) = "refusal-change-base-before-enrollment" {
        month: Month, start: Month,
    }
    /// R4, R15.
    ChangeBaseAlreadyPaid(AlreadyPaid) = "refusal-change-base-already-paid" {
        month: Month, next_unpaid: Month,
    }
    /// R4, R15, D47: the period is paid through the last month.
    ChangeBasePaidThroughLastMonth(AlreadyPaid) = "refusal-change-base-paid-through-last-month" {
        month: Month, last: Month,
    }
    /// R16.
    GrantMonthClosed(MonthClosed) = "refusal-grant-month-closed" { month: Month, open: Month }

    /// R16: `category` is the category's wire name (`graduate`, `hardship`, `other`).
    GrantTooLong(SubsidyLimitExceeded) = "refusal-grant-too-long" {
        category: &'static str, limit: u64, months: u64,
    }
    /// R16.
    ShareTooLarge(SubsidyLimitExceeded) = "refusal-share-too-large" { share: Share, max: Share }
    /// R16.
    GrantedMonthsExceeded(SubsidyLimitExceeded) = "refusal-granted-months-exceeded" {
        member: Uuid, granted: u64, months: u64, max: u64, remaining: u64,
    }
    /// R16, D59: a graduate's months in all.
    GraduateMonthsExceeded(SubsidyLimitExceeded) = "refusal-graduate-months-exceeded" {
        member: Uuid, granted: u64, months: u64, max: u64, remaining: u64,
    }
    /// R1, R16, D47: the grant's months would run past the last month.
    GrantPastLastMonth(InvalidCommand) = "refusal-grant-past-last-month" {
        first: Month, months: u64, last: Month,
    }
    /// R16.
    SubsidyOverlap(SubsidyOverlap) = "refusal-subsidy-overlap" {
        first: Month, last: Month, other_first: Month, other_last: Month,
    }
    /// R16.
    RevokeMonthClosed(MonthClosed) = "refusal-revoke-month-closed" { month: Month, open: Month }
    /// R16.
    NoSubsidy(NoSubsidy) = "refusal-no-subsidy" { member: Uuid, month: Month }
    /// R16.
    SubsidyPaidOnOutsideOpenMonth(PaidOnOutsideOpenMonth) = "refusal-subsidy-paid-on-outside-open-month" {
        paid_on: CalendarDate, open: Month,
    }
    /// R16.
    SubsidyAlreadyPaid(SubsidyAlreadyPaid) = "refusal-subsidy-already-paid" { month: Month }
    /// R16: `reason` is why, as a name (`not_granted`, `refunded`, `unpaid`,
    /// `not_closed`); each language words it.
    SubsidyNotAccrued(SubsidyNotAccrued) = "refusal-subsidy-not-accrued" {
        month: Month, reason: &'static str,
    }
    /// R16.
    SubsidyAmountMismatch(AmountMismatch) = "refusal-subsidy-amount-mismatch" {
        amount: Money, total: Money,
    }
    /// A command's text that is not JSON (`domain::command`, as every `Parse…`):
    /// `detail` is serde_json's English, said in the reader's language where
    /// `i18n::detail_in` understands it.
    ParseNotJson(InvalidCommand) = "refusal-parse-not-json" { detail: String }
    /// JSON whose number is past what a 64-bit float holds (`1e400`): valid JSON (RFC
    /// 8259 lets a reader limit the range), so not "not valid JSON".
    ParseNumberOutOfRange(InvalidCommand) = "refusal-parse-number-out-of-range" { detail: String }
    /// A number not whole as written that a 64-bit float reads as whole
    /// (`2.9999999999999999`): `domain::command::inexact_whole_numbers`.
    ParseNumberInexact(InvalidCommand) = "refusal-parse-number-inexact" { number: String }
    /// A `submit` line that is not UTF-8 (`domain::command::parse_command_line`).
    ParseLineNotUtf8(InvalidCommand) = "refusal-parse-line-not-utf8" {}
    /// A `submit` line of white space only.
    ParseLineEmpty(InvalidCommand) = "refusal-parse-line-empty" {}
    /// A `submit` line longer than `bytes_max`, skipped unread (`domain::command::line_too_long`).
    ParseLineTooLong(InvalidCommand) = "refusal-parse-line-too-long" { bytes_max: u64 }
    /// A command that is not a JSON object.
    ParseNotAnObject(InvalidCommand) = "refusal-parse-not-an-object" {}
    /// A `submit` line whose JSON ends before its object does: a command written over
    /// several lines (pretty-printed), which a newcomer's probe read as five refusals
    /// that never said "one line".
    ParseLineUnfinished(InvalidCommand) = "refusal-parse-line-unfinished" { detail: String }
    /// A `submit` line holding a JSON array: `submit` reads one command per line.
    ParseLineArray(InvalidCommand) = "refusal-parse-line-array" {}
    ParseCommandNotAString(InvalidCommand) = "refusal-parse-command-not-a-string" {}
    /// `names`: every command name, comma-separated.
    ParseCommandMissing(InvalidCommand) = "refusal-parse-command-missing" { names: &'static str }
    /// `name`: the name sent, quoted and escaped as Rust's `Debug` writes it, so any
    /// text the sender put there reads as one quoted string; `names` as above.
    ParseUnknownCommand(InvalidCommand) = "refusal-parse-unknown-command" {
        name: String, names: &'static str,
    }
    ParseCommandIdNotAUuid(InvalidCommand) = "refusal-parse-command-id-not-a-uuid" {}
    ParseExpectedVersionNotACount(InvalidCommand) = "refusal-parse-expected-version-not-a-count" {}
    /// `command`: a region command's name.
    ParseExpectedVersionNotAMemberCommand(InvalidCommand) = "refusal-parse-expected-version-not-a-member-command" {
        command: &'static str,
    }
    /// `pay` or `pay_subsidy` lists no months or more than `max`.
    ParseMonthsCount(InvalidCommand) = "refusal-parse-months-count" { command: &'static str, max: usize }
    /// R11: only a month close withdraws for arrears.
    ParseWithdrawArrearsExceededGrace(InvalidCommand) = "refusal-parse-withdraw-arrears-exceeded-grace" {}
    /// R16.
    ParseGrantMonths(InvalidCommand) = "refusal-parse-grant-months" {}
    /// R16.
    ParseGrantShare(InvalidCommand) = "refusal-parse-grant-share" {}
    ParsePaySubsidyMonthTwice(InvalidCommand) = "refusal-parse-pay-subsidy-month-twice" {}
    /// A policy that does not validate (`Policy::validate`): `check` is the check's
    /// name (`PolicyCheck::name`), which each language words, with the field, its
    /// value where the sentence quotes it, and the bound it broke.
    ParsePolicyInvalid(InvalidCommand) = "refusal-parse-policy-invalid" {
        check: &'static str, field: String, value: String, limit: String,
    }
    /// A field the command's body lacks, as serde names it.
    ParseFieldMissing(InvalidCommand) = "refusal-parse-field-missing" { command: String, field: String }
    /// A field that does not read as its type: `field` is its path in the body and
    /// `detail` serde's own English, said in the reader's language where
    /// `i18n::detail_in` understands it.
    ParseFieldInvalid(InvalidCommand) = "refusal-parse-field-invalid" {
        command: String, field: String, detail: String,
    }
    /// D10: a command id accepted before for a different command (the ledger decides
    /// it, not `decide`); `position` is where the first command's events start.
    CommandIdReused(CommandIdReused) = "refusal-command-id-reused" {
        command_id: Uuid, position: u64,
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.code, self.message)
    }
}
