//! A region as it is sent: the month report (`flexledger region`,
//! `GET /v1/regions/{name}/months/{month}`, `schemas/projections/
//! region_month_report.schema.json`) and the policies `GET /v1/regions/{name}` lists.
//!
//! Plain serde structs, apart from the domain's `report` and `policy` types and made
//! from them where they are printed; field order is the printed order (serde writes
//! fields in the order declared). Only written: nothing reads these back.

use crate::domain::money::{Money, Ratio};
use crate::domain::month::Month;
use crate::domain::policy::{self, BackpayRestores, RegionName};
use crate::domain::report;
use serde::Serialize;

/// The region month report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionMonthReport {
    pub region: String,
    pub month: Month,
    pub open_month: Month,
    pub closed: bool,
    pub members_by_status: StatusCounts,
    pub members_with_benefits: u64,
    pub members_refunded: u64,
    pub contributions: Contributions,
    pub refunded: Money,
    pub subsidies: Subsidies,
    pub position: u64,
}

/// Members whose month line has each status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub due: u64,
    pub waiting: u64,
    pub covered: u64,
    pub arrears: u64,
    pub restored: u64,
    pub lapsed: u64,
}

/// R17.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contributions {
    pub paid: Money,
    pub pooling_fund: Money,
    pub personal_accounts: Money,
}

/// R16.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Subsidies {
    pub accrued: Money,
    pub paid: Money,
    pub owed: Money,
}

impl From<&report::RegionMonthReport> for RegionMonthReport {
    fn from(value: &report::RegionMonthReport) -> RegionMonthReport {
        // Destructured, so a field added to the domain's report fails to compile here
        // until it is sent or deliberately left out.
        let report::RegionMonthReport {
            region,
            month,
            open_month,
            closed,
            members_by_status: counts,
            members_with_benefits,
            members_refunded,
            contributions,
            refunded,
            subsidies,
            position,
        } = value;
        RegionMonthReport {
            region: region.clone(),
            month: *month,
            open_month: *open_month,
            closed: *closed,
            members_by_status: StatusCounts::from(counts),
            members_with_benefits: *members_with_benefits,
            members_refunded: *members_refunded,
            contributions: Contributions {
                paid: contributions.paid,
                pooling_fund: contributions.pooling_fund,
                personal_accounts: contributions.personal_accounts,
            },
            refunded: *refunded,
            subsidies: Subsidies {
                accrued: subsidies.accrued,
                paid: subsidies.paid,
                owed: subsidies.owed,
            },
            position: *position,
        }
    }
}

impl From<&report::StatusCounts> for StatusCounts {
    fn from(value: &report::StatusCounts) -> StatusCounts {
        let report::StatusCounts {
            due,
            waiting,
            covered,
            arrears,
            restored,
            lapsed,
        } = *value;
        StatusCounts {
            due,
            waiting,
            covered,
            arrears,
            restored,
            lapsed,
        }
    }
}

/// A policy in force, as the region route lists it: the `publish_policy` body's
/// fields, the optional ones left out when absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub region: RegionName,
    pub effective_from: Month,
    pub average_monthly_wage: Money,
    pub contribution_rate: Ratio,
    pub base_ratio_min: Ratio,
    pub base_ratio_max: Ratio,
    pub grace_months: u32,
    pub benefit_delay_first: u32,
    pub benefit_delay_reenroll: u32,
    pub backpay_restores: BackpayRestores,
    pub benefit_tiers: Vec<BenefitTier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_wait_after_gap_months: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_rate: Option<Ratio>,
}

/// One step of P-tiers (R14).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BenefitTier {
    pub min_continuous_months: u32,
    pub tier: String,
}

impl From<&policy::Policy> for Policy {
    fn from(value: &policy::Policy) -> Policy {
        // Destructured, as the report above.
        let policy::Policy {
            region,
            effective_from,
            average_monthly_wage,
            contribution_rate,
            base_ratio_min,
            base_ratio_max,
            grace_months,
            benefit_delay_first,
            benefit_delay_reenroll,
            backpay_restores,
            benefit_tiers,
            first_wait_after_gap_months,
            account_rate,
        } = value;
        Policy {
            region: region.clone(),
            effective_from: *effective_from,
            average_monthly_wage: *average_monthly_wage,
            contribution_rate: *contribution_rate,
            base_ratio_min: *base_ratio_min,
            base_ratio_max: *base_ratio_max,
            grace_months: *grace_months,
            benefit_delay_first: *benefit_delay_first,
            benefit_delay_reenroll: *benefit_delay_reenroll,
            backpay_restores: *backpay_restores,
            benefit_tiers: benefit_tiers
                .iter()
                .map(|tier| BenefitTier {
                    min_continuous_months: tier.min_continuous_months,
                    tier: tier.tier.clone(),
                })
                .collect(),
            first_wait_after_gap_months: *first_wait_after_gap_months,
            account_rate: *account_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    /// The report's JSON as `flexledger region` prints it.
    const REPORT: &str = r#"{
  "region": "demo",
  "month": "2025-05",
  "open_month": "2025-07",
  "closed": true,
  "members_by_status": {
    "due": 1,
    "waiting": 2,
    "covered": 3,
    "arrears": 4,
    "restored": 5,
    "lapsed": 6
  },
  "members_with_benefits": 7,
  "members_refunded": 8,
  "contributions": {
    "paid": "9.09",
    "pooling_fund": "7.07",
    "personal_accounts": "2.02"
  },
  "refunded": "3.03",
  "subsidies": {
    "accrued": "4.04",
    "paid": "1.01",
    "owed": "3.03"
  },
  "position": 40
}"#;

    #[test]
    fn a_report_is_written_in_the_contracts_order_and_formats() {
        let totals = report::MonthTotals {
            members_by_status: report::StatusCounts {
                due: 1,
                waiting: 2,
                covered: 3,
                arrears: 4,
                restored: 5,
                lapsed: 6,
            },
            members_with_benefits: 7,
            members_refunded: 8,
            paid: money("9.09"),
            to_account: money("2.02"),
            refunded: money("3.03"),
            subsidy_accrued: money("4.04"),
            subsidy_paid: money("1.01"),
        };
        let domain = report::RegionMonthReport::new(
            "demo".into(),
            month("2025-05"),
            month("2025-07"),
            40,
            &totals,
        );
        let json = serde_json::to_string_pretty(&RegionMonthReport::from(&domain)).unwrap();
        assert_eq!(json, REPORT);
    }

    #[test]
    fn a_policy_leaves_out_its_absent_optional_fields() {
        let mut policy = policy::Policy {
            region: RegionName::parse("demo").unwrap(),
            effective_from: month("2025-01"),
            average_monthly_wage: money("6000.00"),
            contribution_rate: Ratio::parse("0.1").unwrap(),
            base_ratio_min: Ratio::parse("0.6").unwrap(),
            base_ratio_max: Ratio::parse("3").unwrap(),
            grace_months: 3,
            benefit_delay_first: 6,
            benefit_delay_reenroll: 3,
            backpay_restores: BackpayRestores::Prospective,
            benefit_tiers: vec![policy::BenefitTier {
                min_continuous_months: 12,
                tier: "silver".to_owned(),
            }],
            first_wait_after_gap_months: None,
            account_rate: None,
        };
        let v1 = concat!(
            r#"{"region":"demo","effective_from":"2025-01","average_monthly_wage":"6000.00","#,
            r#""contribution_rate":"0.1","base_ratio_min":"0.6","base_ratio_max":"3","#,
            r#""grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":3,"#,
            r#""backpay_restores":"prospective","#,
            r#""benefit_tiers":[{"min_continuous_months":12,"tier":"silver"}]"#,
        );
        let json = serde_json::to_string(&Policy::from(&policy)).unwrap();
        assert_eq!(json, format!("{v1}}}"));
        policy.first_wait_after_gap_months = Some(24);
        policy.account_rate = Ratio::parse("0.02");
        let json = serde_json::to_string(&Policy::from(&policy)).unwrap();
        let v2 = r#","first_wait_after_gap_months":24,"account_rate":"0.02"}"#;
        assert_eq!(json, format!("{v1}{v2}"));
    }
}
