//! The member coverage as it is sent and read back: the JSON of `flexledger member`,
//! `GET /v1/members/{id}`, and the coverage lines of audit bundles and backups
//! (contract "Member coverage", `schemas/projections/member_coverage.schema.json`).
//!
//! A serializable type is a boundary: these plain serde structs are the contract, the
//! domain's `coverage` types are free to change. Field names, their order (serde
//! writes them in the order declared) and the value formats (`Month` `YYYY-MM`,
//! `Money` decimal strings, `RuleId` `"R7"`, snake_case statuses) are the bytes that
//! are printed, pinned by `tests/it/schemas.rs`, `scenarios.rs` and `expect.rs`. A
//! change to the domain's fields fails to compile here until it is converted; a change
//! to the JSON is a change here, and to the contract.
//!
//! Reading refuses a field the ledger never writes (`deny_unknown_fields`): a bundle's
//! or a backup's coverage is compared with the events' fold, and a field added inside
//! it ("remark": "benefits approved") would otherwise pass as the ledger's (found by an
//! auditor's probe; D72, which also asks each line to be spelled as written). Every
//! conversion is total: the value types checked their text as it was read, and a wire
//! coverage holds everything its domain coverage does.
//!
//! The other JSON the ledger sends is here too, in the same way: the region month
//! report and a region's policies (`report.rs`), a coverage change as the feed sends
//! it (`feed.rs`). Those are only written, so they convert from the domain only.

use crate::domain::coverage as domain;
use crate::domain::money::Money;
use crate::domain::month::Month;
use crate::domain::rule::RuleId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod feed;
mod report;

pub use feed::{Closing, CoverageChanged, MonthChange};
pub use report::{BenefitTier, Contributions, Policy, RegionMonthReport, StatusCounts, Subsidies};

/// `From` both ways between a domain coverage struct and its wire struct of the same
/// fields. Each list names every field, so a field added to either type fails to
/// compile until it is converted here. `$nested` fields convert through their own
/// wire type.
macro_rules! same_fields {
    ($domain:path, $wire:ident { $($field:ident),* $(,)? } $(nested { $($nested:ident),* $(,)? })?) => {
        impl From<&$domain> for $wire {
            #[allow(clippy::clone_on_copy)] // Most fields are Copy; some (names, lists) are not.
            fn from(value: &$domain) -> $wire {
                $wire {
                    $($field: value.$field.clone(),)*
                    $($($nested: From::from(&value.$nested),)*)?
                }
            }
        }
        impl From<$wire> for $domain {
            fn from(value: $wire) -> $domain {
                $domain {
                    $($field: value.$field,)*
                    $($($nested: value.$nested.into(),)*)?
                }
            }
        }
    };
}

/// The member's standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    InArrears,
    Withdrawn,
}

/// RULES.md "Month statuses".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    NotEnrolled,
    Due,
    Waiting,
    Covered,
    Arrears,
    Restored,
    Lapsed,
}

/// One month of the coverage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthLine {
    pub month: Month,
    pub status: MonthStatus,
    pub due: Money,
    pub paid: Money,
    pub benefits: bool,
    /// The rule (R1…R17) that decided the status.
    pub rule: RuleId,
    /// R12 (v2): what was refunded for the month.
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub refunded: Money,
    /// R17: the part of `paid` credited to the personal account.
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub to_account: Money,
    /// R16: the subsidy the month has accrued.
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub subsidy: Money,
    /// R16: whether that subsidy was paid out.
    pub subsidy_paid: bool,
}

/// R16: a member's subsidy totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyTotals {
    pub granted_months: u32,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub accrued: Money,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub paid: Money,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub owed: Money,
}

/// R10: the member's payable arrears.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrears {
    pub months: Vec<Month>,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub amount: Money,
    pub backpay_deadline: Option<Month>,
}

/// The member coverage projection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberCoverage {
    pub member_id: Uuid,
    pub region: String,
    pub state: MemberStatus,
    pub deduction_stopped: bool,
    pub enrollments: u32,
    pub benefit_start: Option<Month>,
    pub paid_through: Option<Month>,
    pub continuous_months: u32,
    pub cumulative_months: u32,
    pub benefit_tier: Option<String>,
    /// R7 (v2).
    pub qualified: bool,
    /// R17.
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub account_balance: Money,
    pub subsidy: SubsidyTotals,
    pub arrears: Arrears,
    pub months: Vec<MonthLine>,
    pub version: u64,
    pub position: u64,
}

/// `From` both ways between a domain status enum and its wire enum of the same
/// variants; a variant added to either fails to compile until it is named here.
macro_rules! same_variants {
    ($domain:path, $wire:ident { $($variant:ident),* $(,)? }) => {
        impl From<&$domain> for $wire {
            fn from(value: &$domain) -> $wire {
                use $domain as D;
                match value {
                    $(D::$variant => $wire::$variant,)*
                }
            }
        }
        impl From<$wire> for $domain {
            fn from(value: $wire) -> $domain {
                use $domain as D;
                match value {
                    $($wire::$variant => D::$variant,)*
                }
            }
        }
    };
}

same_variants!(
    domain::MemberStatus,
    MemberStatus {
        Active,
        InArrears,
        Withdrawn
    }
);
same_variants!(
    domain::MonthStatus,
    MonthStatus {
        NotEnrolled,
        Due,
        Waiting,
        Covered,
        Arrears,
        Restored,
        Lapsed
    }
);

same_fields!(
    domain::MonthLine,
    MonthLine { month, due, paid, benefits, rule, refunded, to_account, subsidy, subsidy_paid }
    nested { status }
);
same_fields!(
    domain::SubsidyTotals,
    SubsidyTotals {
        granted_months,
        accrued,
        paid,
        owed
    }
);
same_fields!(
    domain::Arrears,
    Arrears {
        months,
        amount,
        backpay_deadline
    }
);

impl From<&domain::MemberCoverage> for MemberCoverage {
    fn from(value: &domain::MemberCoverage) -> MemberCoverage {
        MemberCoverage {
            member_id: value.member_id,
            region: value.region.clone(),
            state: MemberStatus::from(&value.state),
            deduction_stopped: value.deduction_stopped,
            enrollments: value.enrollments,
            benefit_start: value.benefit_start,
            paid_through: value.paid_through,
            continuous_months: value.continuous_months,
            cumulative_months: value.cumulative_months,
            benefit_tier: value.benefit_tier.clone(),
            qualified: value.qualified,
            account_balance: value.account_balance,
            subsidy: SubsidyTotals::from(&value.subsidy),
            arrears: Arrears::from(&value.arrears),
            months: value.months.iter().map(MonthLine::from).collect(),
            version: value.version,
            position: value.position,
        }
    }
}

impl From<MemberCoverage> for domain::MemberCoverage {
    fn from(value: MemberCoverage) -> domain::MemberCoverage {
        domain::MemberCoverage {
            member_id: value.member_id,
            region: value.region,
            state: value.state.into(),
            deduction_stopped: value.deduction_stopped,
            enrollments: value.enrollments,
            benefit_start: value.benefit_start,
            paid_through: value.paid_through,
            continuous_months: value.continuous_months,
            cumulative_months: value.cumulative_months,
            benefit_tier: value.benefit_tier,
            qualified: value.qualified,
            account_balance: value.account_balance,
            subsidy: value.subsidy.into(),
            arrears: value.arrears.into(),
            months: value.months.into_iter().map(Into::into).collect(),
            version: value.version,
            position: value.position,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A coverage's wire JSON, in the order and formats the contract prints.
    const WIRE: &str = concat!(
        r#"{"member_id":"00000000-0000-4000-8000-000000000001","region":"demo","state":"in_arrears","#,
        r#""deduction_stopped":true,"enrollments":2,"benefit_start":"2025-07","paid_through":null,"#,
        r#""continuous_months":0,"cumulative_months":3,"benefit_tier":null,"qualified":true,"#,
        r#""account_balance":"120.00","#,
        r#""subsidy":{"granted_months":24,"accrued":"400.02","paid":"0.00","owed":"400.02"},"#,
        r#""arrears":{"months":["2025-02"],"amount":"600.00","backpay_deadline":"2025-05"},"#,
        r#""months":[{"month":"2025-01","status":"covered","due":"600.00","paid":"600.00","#,
        r#""benefits":true,"rule":"R7","refunded":"0.00","to_account":"120.00","#,
        r#""subsidy":"400.02","subsidy_paid":false},"#,
        r#"{"month":"2025-02","status":"arrears","due":"600.00","paid":"0.00","benefits":false,"#,
        r#""rule":"R10","refunded":"0.00","to_account":"0.00","subsidy":"0.00","subsidy_paid":false}],"#,
        r#""version":7,"position":42}"#
    );

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    fn line(at: &str, status: domain::MonthStatus, paid: &str) -> domain::MonthLine {
        let covered = status == domain::MonthStatus::Covered;
        domain::MonthLine {
            month: month(at),
            status,
            due: money("600.00"),
            paid: money(paid),
            benefits: covered,
            rule: if covered { RuleId::R7 } else { RuleId::R10 },
            refunded: Money::ZERO,
            to_account: money(if covered { "120.00" } else { "0.00" }),
            subsidy: money(if covered { "400.02" } else { "0.00" }),
            subsidy_paid: false,
        }
    }

    fn coverage() -> domain::MemberCoverage {
        domain::MemberCoverage {
            member_id: "00000000-0000-4000-8000-000000000001".parse().unwrap(),
            region: "demo".to_owned(),
            state: domain::MemberStatus::InArrears,
            deduction_stopped: true,
            enrollments: 2,
            benefit_start: Some(month("2025-07")),
            paid_through: None,
            continuous_months: 0,
            cumulative_months: 3,
            benefit_tier: None,
            qualified: true,
            account_balance: money("120.00"),
            subsidy: domain::SubsidyTotals {
                granted_months: 24,
                accrued: money("400.02"),
                paid: Money::ZERO,
                owed: money("400.02"),
            },
            arrears: domain::Arrears {
                months: vec![month("2025-02")],
                amount: money("600.00"),
                backpay_deadline: Some(month("2025-05")),
            },
            months: vec![
                line("2025-01", domain::MonthStatus::Covered, "600.00"),
                line("2025-02", domain::MonthStatus::Arrears, "0.00"),
            ],
            version: 7,
            position: 42,
        }
    }

    #[test]
    fn a_coverage_is_written_in_the_contracts_order_and_formats() {
        let json = serde_json::to_string(&MemberCoverage::from(&coverage())).unwrap();
        assert_eq!(json, WIRE);
    }

    #[test]
    fn a_coverage_round_trips_through_its_wire_json() {
        let read: MemberCoverage = serde_json::from_str(WIRE).unwrap();
        let back = domain::MemberCoverage::from(read);
        assert_eq!(back, coverage());
        let again = serde_json::to_string(&MemberCoverage::from(&back)).unwrap();
        assert_eq!(again, WIRE);
    }

    #[test]
    fn every_status_keeps_its_name() {
        let statuses = [
            (domain::MonthStatus::NotEnrolled, "\"not_enrolled\""),
            (domain::MonthStatus::Due, "\"due\""),
            (domain::MonthStatus::Waiting, "\"waiting\""),
            (domain::MonthStatus::Covered, "\"covered\""),
            (domain::MonthStatus::Arrears, "\"arrears\""),
            (domain::MonthStatus::Restored, "\"restored\""),
            (domain::MonthStatus::Lapsed, "\"lapsed\""),
        ];
        for (status, name) in statuses {
            let wire = MonthStatus::from(&status);
            assert_eq!(serde_json::to_string(&wire).unwrap(), name);
            assert_eq!(domain::MonthStatus::from(wire), status);
        }
        let states = [
            (domain::MemberStatus::Active, "\"active\""),
            (domain::MemberStatus::InArrears, "\"in_arrears\""),
            (domain::MemberStatus::Withdrawn, "\"withdrawn\""),
        ];
        for (state, name) in states {
            let wire = MemberStatus::from(&state);
            assert_eq!(serde_json::to_string(&wire).unwrap(), name);
            assert_eq!(domain::MemberStatus::from(wire), state);
        }
    }
}

/// Serializers for the reports that embed a coverage type in JSON of their own (the
/// audit tools' `explain`, `replay` and what-if): `#[serde(serialize_with = …)]`, so
/// those reports print the wire shape too, never the domain's.
pub mod embed {
    use super::{domain, MemberStatus, MonthChange, MonthLine, MonthStatus, SubsidyTotals};
    use serde::{Serialize, Serializer};

    pub fn member_status<S: Serializer>(
        value: &domain::MemberStatus,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        MemberStatus::from(value).serialize(serializer)
    }

    pub fn member_status_option<S: Serializer>(
        value: &Option<domain::MemberStatus>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_ref().map(MemberStatus::from).serialize(serializer)
    }

    pub fn month_status<S: Serializer>(
        value: &domain::MonthStatus,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        MonthStatus::from(value).serialize(serializer)
    }

    pub fn month_status_option<S: Serializer>(
        value: &Option<domain::MonthStatus>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_ref().map(MonthStatus::from).serialize(serializer)
    }

    pub fn subsidy_totals<S: Serializer>(
        value: &domain::SubsidyTotals,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        SubsidyTotals::from(value).serialize(serializer)
    }

    /// Month changes as the feed writes them (the replay's `changes`).
    pub fn month_changes<S: Serializer>(
        value: &[domain::MonthChange],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(value.iter().map(MonthChange::from))
    }

    /// A month line as the wire writes it (for a report that flattens it).
    pub fn month_line(value: &domain::MonthLine) -> MonthLine {
        MonthLine::from(value)
    }
}
