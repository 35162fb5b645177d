//! A coverage change as the feed sends it (`GET /v1/feed`, the `data` of a
//! `CoverageChanged` message), and its months as the audit replay prints them.
//!
//! Plain serde structs, apart from the domain's `coverage::CoverageChanged` and from
//! the stored feed item (`codec::rows`), which has the same fields today but is a
//! storage format, not a message. Only written: nothing reads these back.

use super::MonthStatus;
use crate::domain::coverage;
use crate::domain::money::Money;
use crate::domain::month::Month;
use serde::Serialize;
use uuid::Uuid;

/// One feed message's data: `type` first, so a reader can tell it from an envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageChanged {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub position: u64,
    pub member_id: Uuid,
    pub command_id: Uuid,
    pub months: Vec<MonthChange>,
}

/// A month close's progress after one of its chunks, as the feed sends it to a
/// subscriber that asked for it (`?closing=true`: the `data` of a `Closing` notice):
/// the region route's `closing` (D17), with the region and whether the close is now
/// recorded to the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Closing {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub region: String,
    pub month: Month,
    pub members_done: u64,
    pub members_total: u64,
    pub missed_recorded: u64,
    pub withdrawn_recorded: u64,
    pub recheck: bool,
    pub finished: bool,
}

/// One month a command changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthChange {
    pub month: Month,
    pub old_status: Option<MonthStatus>,
    pub new_status: MonthStatus,
    pub old_benefits: bool,
    pub new_benefits: bool,
    pub refunded: Money,
    pub to_account: Money,
    pub subsidy: Money,
    pub subsidy_paid: bool,
}

impl From<&coverage::CoverageChanged> for CoverageChanged {
    fn from(value: &coverage::CoverageChanged) -> CoverageChanged {
        // Destructured, so a field added to the domain's change fails to compile here
        // until it is sent or deliberately left out.
        let coverage::CoverageChanged {
            member_id,
            position,
            command_id,
            months,
        } = value;
        CoverageChanged {
            kind: "CoverageChanged",
            position: *position,
            member_id: *member_id,
            command_id: *command_id,
            months: months.iter().map(MonthChange::from).collect(),
        }
    }
}

impl From<&coverage::MonthChange> for MonthChange {
    fn from(value: &coverage::MonthChange) -> MonthChange {
        let coverage::MonthChange {
            month,
            old_status,
            new_status,
            old_benefits,
            new_benefits,
            refunded,
            to_account,
            subsidy,
            subsidy_paid,
        } = value;
        MonthChange {
            month: *month,
            old_status: old_status.as_ref().map(MonthStatus::from),
            new_status: MonthStatus::from(new_status),
            old_benefits: *old_benefits,
            new_benefits: *new_benefits,
            refunded: *refunded,
            to_account: *to_account,
            subsidy: *subsidy,
            subsidy_paid: *subsidy_paid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feed message's data for a change with a month newly listed and one restored.
    const DATA: &str = concat!(
        r#"{"type":"CoverageChanged","position":42,"#,
        r#""member_id":"00000000-0000-4000-8000-000000000001","#,
        r#""command_id":"00000000-0000-4000-8000-000000000002","#,
        r#""months":[{"month":"2025-02","old_status":"arrears","new_status":"restored","#,
        r#""old_benefits":false,"new_benefits":true,"refunded":"0.00","to_account":"120.00","#,
        r#""subsidy":"300.00","subsidy_paid":true},"#,
        r#"{"month":"2025-08","old_status":null,"new_status":"waiting","old_benefits":false,"#,
        r#""new_benefits":false,"refunded":"0.00","to_account":"0.00","subsidy":"0.00","#,
        r#""subsidy_paid":false}]}"#,
    );

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn a_coverage_change_is_sent_in_the_feeds_order_and_formats() {
        let id =
            |last: u8| Uuid::from_bytes([0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, last]);
        let change = coverage::CoverageChanged {
            member_id: id(1),
            position: 42,
            command_id: id(2),
            months: vec![
                coverage::MonthChange {
                    month: month("2025-02"),
                    old_status: Some(coverage::MonthStatus::Arrears),
                    new_status: coverage::MonthStatus::Restored,
                    old_benefits: false,
                    new_benefits: true,
                    refunded: Money::ZERO,
                    to_account: money("120.00"),
                    subsidy: money("300.00"),
                    subsidy_paid: true,
                },
                coverage::MonthChange {
                    month: month("2025-08"),
                    old_status: None,
                    new_status: coverage::MonthStatus::Waiting,
                    old_benefits: false,
                    new_benefits: false,
                    refunded: Money::ZERO,
                    to_account: Money::ZERO,
                    subsidy: Money::ZERO,
                    subsidy_paid: false,
                },
            ],
        };
        let json = serde_json::to_string(&CoverageChanged::from(&change)).unwrap();
        assert_eq!(json, DATA);
    }
}
