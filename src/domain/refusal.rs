//! Business refusals (contract "Error codes"): data, not errors. Each carries a stable
//! code and a message that tells the person what to do instead.

use serde::{Deserialize, Serialize};
use std::fmt;

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Refusal {
        Refusal::new(ErrorCode::InvalidCommand, message)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.code, self.message)
    }
}
