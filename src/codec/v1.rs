//! Schema version 1 of every stored event payload: the JSON in the canonical bytes of
//! every event written so far (`schemas/events/*.schema.json` describe it).
//!
//! Published: never edited. Field names, their order (serde writes them in the order
//! declared), which optional fields are left out when absent, and the value formats are
//! the bytes that were hashed. Values are written by the contract's value types
//! (`Month` `YYYY-MM`, `Money` and `Ratio` decimal strings, lower-case hyphenated ids,
//! the command vocabulary's snake_case words), which commands and projections share;
//! a change to one of those is a contract change with or without this module. A
//! change to what an event records is a version 2 module, never an edit here.
//!
//! Reading is as strict as writing: unknown fields are refused. Every conversion to
//! the domain is total: the value types checked their text as it was read, and a v1
//! payload holds everything its domain event does.

use crate::domain::command::{LaborRelationship, SubsidyCategory, WithdrawalReason};
use crate::domain::event::{self as domain, Event};
use crate::domain::money::{Money, Ratio, Share};
use crate::domain::month::{CalendarDate, Month};
use crate::domain::policy::{self as policy, BackpayRestores, RegionName};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The `schema_version` of an envelope whose payload is one of these types.
pub const SCHEMA_VERSION: u32 = 1;

/// `From` both ways between a domain event struct and its v1 payload of the same
/// fields. Each list names every field, so a field added to either type fails to
/// compile until it is converted here (for a v1 type: until it is a new version).
macro_rules! same_fields {
    ($domain:path, $stored:ident { $($field:ident),* $(,)? }) => {
        impl From<&$domain> for $stored {
            #[allow(clippy::clone_on_copy)] // Most fields are Copy; some (names, lists) are not.
            fn from(event: &$domain) -> $stored {
                $stored { $($field: event.$field.clone()),* }
            }
        }
        impl From<$stored> for $domain {
            fn from(stored: $stored) -> $domain {
                $domain { $($field: stored.$field),* }
            }
        }
    };
}

/// R3. Written with the same bytes as the `publish_policy` body it records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyPublished {
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
    /// Added by contract v2 as an optional field: left out when absent, so a policy
    /// published without it has the bytes a v1 build wrote; `null` reads as absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_wait_after_gap_months: Option<u32>,
    /// As `first_wait_after_gap_months`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_rate: Option<Ratio>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitTier {
    pub min_continuous_months: u32,
    pub tier: String,
}

same_fields!(
    policy::BenefitTier,
    BenefitTier {
        min_continuous_months,
        tier
    }
);

impl From<&domain::PolicyPublished> for PolicyPublished {
    fn from(event: &domain::PolicyPublished) -> PolicyPublished {
        PolicyPublished {
            region: event.region.clone(),
            effective_from: event.effective_from,
            average_monthly_wage: event.average_monthly_wage,
            contribution_rate: event.contribution_rate,
            base_ratio_min: event.base_ratio_min,
            base_ratio_max: event.base_ratio_max,
            grace_months: event.grace_months,
            benefit_delay_first: event.benefit_delay_first,
            benefit_delay_reenroll: event.benefit_delay_reenroll,
            backpay_restores: event.backpay_restores,
            benefit_tiers: event.benefit_tiers.iter().map(BenefitTier::from).collect(),
            first_wait_after_gap_months: event.first_wait_after_gap_months,
            account_rate: event.account_rate,
        }
    }
}

impl From<PolicyPublished> for domain::PolicyPublished {
    fn from(stored: PolicyPublished) -> domain::PolicyPublished {
        domain::PolicyPublished {
            region: stored.region,
            effective_from: stored.effective_from,
            average_monthly_wage: stored.average_monthly_wage,
            contribution_rate: stored.contribution_rate,
            base_ratio_min: stored.base_ratio_min,
            base_ratio_max: stored.base_ratio_max,
            grace_months: stored.grace_months,
            benefit_delay_first: stored.benefit_delay_first,
            benefit_delay_reenroll: stored.benefit_delay_reenroll,
            backpay_restores: stored.backpay_restores,
            benefit_tiers: stored.benefit_tiers.into_iter().map(Into::into).collect(),
            first_wait_after_gap_months: stored.first_wait_after_gap_months,
            account_rate: stored.account_rate,
        }
    }
}

/// R9.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthClosed {
    pub region: RegionName,
    pub month: Month,
    pub next_open_month: Month,
    pub members_missed: u64,
    pub members_withdrawn: u64,
    /// Added by contract v2 as an optional field: absent in closes written before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_visited: Option<u64>,
}

same_fields!(
    domain::MonthClosed,
    MonthClosed {
        region,
        month,
        next_open_month,
        members_missed,
        members_withdrawn,
        members_visited,
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberEnrolled {
    pub member_id: Uuid,
    pub region: RegionName,
    pub month: Month,
    pub base_ratio: Ratio,
    pub labor_relationship: LaborRelationship,
}

same_fields!(
    domain::MemberEnrolled,
    MemberEnrolled {
        member_id,
        region,
        month,
        base_ratio,
        labor_relationship,
    }
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Backpay,
    OnTime,
    Prepaid,
}

impl From<domain::PaymentKind> for PaymentKind {
    fn from(kind: domain::PaymentKind) -> PaymentKind {
        match kind {
            domain::PaymentKind::Backpay => PaymentKind::Backpay,
            domain::PaymentKind::OnTime => PaymentKind::OnTime,
            domain::PaymentKind::Prepaid => PaymentKind::Prepaid,
        }
    }
}

impl From<PaymentKind> for domain::PaymentKind {
    fn from(kind: PaymentKind) -> domain::PaymentKind {
        match kind {
            PaymentKind::Backpay => domain::PaymentKind::Backpay,
            PaymentKind::OnTime => domain::PaymentKind::OnTime,
            PaymentKind::Prepaid => domain::PaymentKind::Prepaid,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaidMonth {
    pub month: Month,
    pub amount: Money,
    pub kind: PaymentKind,
}

impl From<&domain::PaidMonth> for PaidMonth {
    fn from(line: &domain::PaidMonth) -> PaidMonth {
        PaidMonth {
            month: line.month,
            amount: line.amount,
            kind: line.kind.into(),
        }
    }
}

impl From<PaidMonth> for domain::PaidMonth {
    fn from(line: PaidMonth) -> domain::PaidMonth {
        domain::PaidMonth {
            month: line.month,
            amount: line.amount,
            kind: line.kind.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionPaid {
    pub member_id: Uuid,
    pub months: Vec<PaidMonth>,
    pub amount: Money,
    pub paid_on: CalendarDate,
    pub payment_month: Month,
}

impl From<&domain::ContributionPaid> for ContributionPaid {
    fn from(paid: &domain::ContributionPaid) -> ContributionPaid {
        ContributionPaid {
            member_id: paid.member_id,
            months: paid.months.iter().map(PaidMonth::from).collect(),
            amount: paid.amount,
            paid_on: paid.paid_on,
            payment_month: paid.payment_month,
        }
    }
}

impl From<ContributionPaid> for domain::ContributionPaid {
    fn from(paid: ContributionPaid) -> domain::ContributionPaid {
        domain::ContributionPaid {
            member_id: paid.member_id,
            months: paid.months.into_iter().map(Into::into).collect(),
            amount: paid.amount,
            paid_on: paid.paid_on,
            payment_month: paid.payment_month,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionMissed {
    pub member_id: Uuid,
    pub month: Month,
    pub due: Money,
}

same_fields!(
    domain::ContributionMissed,
    ContributionMissed {
        member_id,
        month,
        due
    }
);

/// `DeductionStopped` and `DeductionResumed` (R8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeductionChanged {
    pub member_id: Uuid,
}

same_fields!(domain::DeductionChanged, DeductionChanged { member_id });

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberWithdrawn {
    pub member_id: Uuid,
    pub reason: WithdrawalReason,
    pub effective_from: Month,
    pub lapsed_months: Vec<Month>,
    pub lapsed_amount: Money,
}

same_fields!(
    domain::MemberWithdrawn,
    MemberWithdrawn {
        member_id,
        reason,
        effective_from,
        lapsed_months,
        lapsed_amount,
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberReenrolled {
    pub member_id: Uuid,
    pub month: Month,
    pub base_ratio: Ratio,
    pub enrollment: u32,
}

same_fields!(
    domain::MemberReenrolled,
    MemberReenrolled {
        member_id,
        month,
        base_ratio,
        enrollment,
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseChanged {
    pub member_id: Uuid,
    pub from_month: Month,
    pub base_ratio: Ratio,
}

same_fields!(
    domain::BaseChanged,
    BaseChanged {
        member_id,
        from_month,
        base_ratio
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionRefunded {
    pub member_id: Uuid,
    pub months: Vec<Month>,
    pub amount: Money,
}

same_fields!(
    domain::ContributionRefunded,
    ContributionRefunded {
        member_id,
        months,
        amount
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyGranted {
    pub member_id: Uuid,
    pub from_month: Month,
    pub months: u32,
    pub share: Share,
    pub category: SubsidyCategory,
}

same_fields!(
    domain::SubsidyGranted,
    SubsidyGranted {
        member_id,
        from_month,
        months,
        share,
        category,
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyRevoked {
    pub member_id: Uuid,
    pub from_month: Month,
}

same_fields!(
    domain::SubsidyRevoked,
    SubsidyRevoked {
        member_id,
        from_month
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyPaid {
    pub member_id: Uuid,
    pub months: Vec<Month>,
    pub amount: Money,
    pub paid_on: CalendarDate,
}

same_fields!(
    domain::SubsidyPaid,
    SubsidyPaid {
        member_id,
        months,
        amount,
        paid_on
    }
);

/// One v1 payload, by its event type (the envelope's `type`, written beside it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    PolicyPublished(PolicyPublished),
    MonthClosed(MonthClosed),
    MemberEnrolled(MemberEnrolled),
    ContributionPaid(ContributionPaid),
    ContributionMissed(ContributionMissed),
    DeductionStopped(DeductionChanged),
    DeductionResumed(DeductionChanged),
    MemberWithdrawn(MemberWithdrawn),
    MemberReenrolled(MemberReenrolled),
    BaseChanged(BaseChanged),
    ContributionRefunded(ContributionRefunded),
    SubsidyGranted(SubsidyGranted),
    SubsidyRevoked(SubsidyRevoked),
    SubsidyPaid(SubsidyPaid),
}

impl Stored {
    /// The payload stored under `event_type`; `Ok(None)` if v1 has no such type.
    pub fn parse(event_type: &str, payload: &str) -> Result<Option<Stored>, serde_json::Error> {
        use serde_json::from_str;
        Ok(Some(match event_type {
            "PolicyPublished" => Stored::PolicyPublished(from_str(payload)?),
            "MonthClosed" => Stored::MonthClosed(from_str(payload)?),
            "MemberEnrolled" => Stored::MemberEnrolled(from_str(payload)?),
            "ContributionPaid" => Stored::ContributionPaid(from_str(payload)?),
            "ContributionMissed" => Stored::ContributionMissed(from_str(payload)?),
            "DeductionStopped" => Stored::DeductionStopped(from_str(payload)?),
            "DeductionResumed" => Stored::DeductionResumed(from_str(payload)?),
            "MemberWithdrawn" => Stored::MemberWithdrawn(from_str(payload)?),
            "MemberReenrolled" => Stored::MemberReenrolled(from_str(payload)?),
            "BaseChanged" => Stored::BaseChanged(from_str(payload)?),
            "ContributionRefunded" => Stored::ContributionRefunded(from_str(payload)?),
            "SubsidyGranted" => Stored::SubsidyGranted(from_str(payload)?),
            "SubsidyRevoked" => Stored::SubsidyRevoked(from_str(payload)?),
            "SubsidyPaid" => Stored::SubsidyPaid(from_str(payload)?),
            _ => return Ok(None),
        }))
    }
}

impl Serialize for Stored {
    /// The payload alone: the envelope writes the type beside it.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Stored::PolicyPublished(payload) => payload.serialize(serializer),
            Stored::MonthClosed(payload) => payload.serialize(serializer),
            Stored::MemberEnrolled(payload) => payload.serialize(serializer),
            Stored::ContributionPaid(payload) => payload.serialize(serializer),
            Stored::ContributionMissed(payload) => payload.serialize(serializer),
            Stored::DeductionStopped(payload) | Stored::DeductionResumed(payload) => {
                payload.serialize(serializer)
            }
            Stored::MemberWithdrawn(payload) => payload.serialize(serializer),
            Stored::MemberReenrolled(payload) => payload.serialize(serializer),
            Stored::BaseChanged(payload) => payload.serialize(serializer),
            Stored::ContributionRefunded(payload) => payload.serialize(serializer),
            Stored::SubsidyGranted(payload) => payload.serialize(serializer),
            Stored::SubsidyRevoked(payload) => payload.serialize(serializer),
            Stored::SubsidyPaid(payload) => payload.serialize(serializer),
        }
    }
}

impl From<&Event> for Stored {
    fn from(event: &Event) -> Stored {
        match event {
            Event::PolicyPublished(body) => Stored::PolicyPublished(body.into()),
            Event::MonthClosed(body) => Stored::MonthClosed(body.into()),
            Event::MemberEnrolled(body) => Stored::MemberEnrolled(body.into()),
            Event::ContributionPaid(body) => Stored::ContributionPaid(body.into()),
            Event::ContributionMissed(body) => Stored::ContributionMissed(body.into()),
            Event::DeductionStopped(body) => Stored::DeductionStopped(body.into()),
            Event::DeductionResumed(body) => Stored::DeductionResumed(body.into()),
            Event::MemberWithdrawn(body) => Stored::MemberWithdrawn(body.into()),
            Event::MemberReenrolled(body) => Stored::MemberReenrolled(body.into()),
            Event::BaseChanged(body) => Stored::BaseChanged(body.into()),
            Event::ContributionRefunded(body) => Stored::ContributionRefunded(body.into()),
            Event::SubsidyGranted(body) => Stored::SubsidyGranted(body.into()),
            Event::SubsidyRevoked(body) => Stored::SubsidyRevoked(body.into()),
            Event::SubsidyPaid(body) => Stored::SubsidyPaid(body.into()),
        }
    }
}

impl From<Stored> for Event {
    fn from(stored: Stored) -> Event {
        match stored {
            Stored::PolicyPublished(body) => Event::PolicyPublished(body.into()),
            Stored::MonthClosed(body) => Event::MonthClosed(body.into()),
            Stored::MemberEnrolled(body) => Event::MemberEnrolled(body.into()),
            Stored::ContributionPaid(body) => Event::ContributionPaid(body.into()),
            Stored::ContributionMissed(body) => Event::ContributionMissed(body.into()),
            Stored::DeductionStopped(body) => Event::DeductionStopped(body.into()),
            Stored::DeductionResumed(body) => Event::DeductionResumed(body.into()),
            Stored::MemberWithdrawn(body) => Event::MemberWithdrawn(body.into()),
            Stored::MemberReenrolled(body) => Event::MemberReenrolled(body.into()),
            Stored::BaseChanged(body) => Event::BaseChanged(body.into()),
            Stored::ContributionRefunded(body) => Event::ContributionRefunded(body.into()),
            Stored::SubsidyGranted(body) => Event::SubsidyGranted(body.into()),
            Stored::SubsidyRevoked(body) => Event::SubsidyRevoked(body.into()),
            Stored::SubsidyPaid(body) => Event::SubsidyPaid(body.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One payload of every type, as v1 writes it: field names, order, formats, and
    /// optional fields present and absent.
    const PAYLOADS: &[(&str, &str)] = &[
        (
            "PolicyPublished",
            r#"{"region":"demo","effective_from":"2025-01","average_monthly_wage":"6000.00","contribution_rate":"0.1","base_ratio_min":"0.6","base_ratio_max":"3","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":3,"backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]}"#,
        ),
        (
            "PolicyPublished",
            r#"{"region":"demo","effective_from":"2025-01","average_monthly_wage":"6000.00","contribution_rate":"0.1","base_ratio_min":"0.6","base_ratio_max":"3","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":3,"backpay_restores":"prospective","benefit_tiers":[],"first_wait_after_gap_months":12,"account_rate":"0.02"}"#,
        ),
        (
            "MonthClosed",
            r#"{"region":"demo","month":"2025-01","next_open_month":"2025-02","members_missed":1,"members_withdrawn":0}"#,
        ),
        (
            "MonthClosed",
            r#"{"region":"demo","month":"2025-01","next_open_month":"2025-02","members_missed":1,"members_withdrawn":0,"members_visited":4}"#,
        ),
        (
            "MemberEnrolled",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","region":"demo","month":"2025-01","base_ratio":"1","labor_relationship":"none"}"#,
        ),
        (
            "ContributionPaid",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","months":[{"month":"2025-01","amount":"600.00","kind":"on_time"},{"month":"2025-02","amount":"600.00","kind":"prepaid"}],"amount":"1200.00","paid_on":"2025-01-15","payment_month":"2025-01"}"#,
        ),
        (
            "ContributionMissed",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","month":"2025-01","due":"600.00"}"#,
        ),
        (
            "DeductionStopped",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007"}"#,
        ),
        (
            "DeductionResumed",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007"}"#,
        ),
        (
            "MemberWithdrawn",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","reason":"arrears_exceeded_grace","effective_from":"2025-04","lapsed_months":["2025-01"],"lapsed_amount":"600.00"}"#,
        ),
        (
            "MemberReenrolled",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","month":"2025-06","base_ratio":"1.5","enrollment":2}"#,
        ),
        (
            "BaseChanged",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","from_month":"2025-03","base_ratio":"2"}"#,
        ),
        (
            "ContributionRefunded",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","months":["2025-05"],"amount":"600.00"}"#,
        ),
        (
            "SubsidyGranted",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","from_month":"2025-02","months":12,"share":"0.5","category":"graduate"}"#,
        ),
        (
            "SubsidyRevoked",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","from_month":"2025-05"}"#,
        ),
        (
            "SubsidyPaid",
            r#"{"member_id":"00000000-0000-0000-0000-000000000007","months":["2025-02"],"amount":"300.00","paid_on":"2025-03-02"}"#,
        ),
    ];

    #[test]
    fn every_type_decodes_to_the_domain_and_encodes_to_the_same_bytes() {
        for (event_type, payload) in PAYLOADS {
            let stored = Stored::parse(event_type, payload)
                .unwrap_or_else(|error| panic!("{event_type}: {error}"))
                .unwrap();
            let event = Event::from(stored.clone());
            assert_eq!(event.type_name(), *event_type);
            assert_eq!(Stored::from(&event), stored);
            assert_eq!(serde_json::to_string(&stored).unwrap(), *payload);
        }
    }

    #[test]
    fn a_null_optional_field_reads_as_absent_and_an_unknown_field_is_refused() {
        let null = r#"{"region":"demo","month":"2025-01","next_open_month":"2025-02","members_missed":1,"members_withdrawn":0,"members_visited":null}"#;
        let stored = Stored::parse("MonthClosed", null).unwrap().unwrap();
        assert!(matches!(&stored, Stored::MonthClosed(closed) if closed.members_visited.is_none()));
        let extra = r#"{"member_id":"00000000-0000-0000-0000-000000000007","reason":"x"}"#;
        assert!(Stored::parse("DeductionStopped", extra).is_err());
        assert!(Stored::parse("Unheard", "{}").unwrap().is_none());
    }
}
