//! Events: facts in the past tense. Each is a durable contract (`type` + schema
//! version 1, a JSON Schema in `schemas/events/`); a published version is never edited.
//!
//! Events record what happened, not what the rules concluded from it: the fold derives
//! statuses, benefit starts and tiers from events plus the policy in force, so the same
//! events can be replayed under another policy (what-if) and give that policy's answer.
//! The one exception is deliberate: automatic withdrawal (R11) is an explicit
//! `MemberWithdrawn` event, because it ends membership and downstream systems must see it.

use super::command::{LaborRelationship, SubsidyCategory, WithdrawalReason};
use super::money::{Money, Ratio, Share};
use super::month::{CalendarDate, Month};
use super::policy::{Policy, RegionName};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Schema version of every event type defined here.
pub const EVENT_SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum Event {
    PolicyPublished(Policy),
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

/// R9: the region's open month was closed; the next month is now open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthClosed {
    pub region: RegionName,
    pub month: Month,
    pub next_open_month: Month,
    /// Members recorded as having missed `month` by this close.
    pub members_missed: u64,
    /// Members automatically withdrawn by this close (R11).
    pub members_withdrawn: u64,
    /// Enrolled members the close visited (contract v2 close summary). Absent in
    /// closes recorded before v2; an additive optional field, so old bytes still read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_visited: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberEnrolled {
    pub member_id: Uuid,
    pub region: RegionName,
    pub month: Month,
    pub base_ratio: Ratio,
    pub labor_relationship: LaborRelationship,
}

/// How a paid month relates to the open month when it was paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// A missed month paid back within grace (R10).
    Backpay,
    /// The open month itself.
    OnTime,
    /// A month after the open month (R6: up to open month + 11).
    Prepaid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaidMonth {
    pub month: Month,
    /// The due this month was paid at; it never changes afterwards (R4).
    pub amount: Money,
    pub kind: PaymentKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionPaid {
    pub member_id: Uuid,
    pub months: Vec<PaidMonth>,
    pub amount: Money,
    pub paid_on: CalendarDate,
    /// The region's open month when the payment was made (R6, R7).
    pub payment_month: Month,
}

/// R9: the member was enrolled in `month`, had not paid it, and the month was closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionMissed {
    pub member_id: Uuid,
    pub month: Month,
    pub due: Money,
}

/// R8: deduction stopped or resumed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeductionChanged {
    pub member_id: Uuid,
}

/// R11 (reason `arrears_exceeded_grace`) or R12 (any other reason).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberWithdrawn {
    pub member_id: Uuid,
    pub reason: WithdrawalReason,
    /// First month outside the enrollment period.
    pub effective_from: Month,
    /// Arrears months that became `lapsed`: never covered, borne by the member.
    pub lapsed_months: Vec<Month>,
    pub lapsed_amount: Money,
}

/// R13: a new enrollment period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberReenrolled {
    pub member_id: Uuid,
    pub month: Month,
    pub base_ratio: Ratio,
    /// 1-based count of this enrollment period (2 for the first re-enrollment).
    pub enrollment: u32,
}

/// R15: the base ratio from `from_month` on (replacing any later change).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseChanged {
    pub member_id: Uuid,
    pub from_month: Month,
    pub base_ratio: Ratio,
}

/// R12 (v2): months paid beyond the last paid month not after the open month, given
/// back by the withdrawal recorded just before this event (same command, same append).
/// `amount` is the sum of what those months were paid at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionRefunded {
    pub member_id: Uuid,
    pub months: Vec<Month>,
    pub amount: Money,
}

/// R16: the employment office grants a subsidy of `share` of each paid month for
/// `months` months from `from_month`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyGranted {
    pub member_id: Uuid,
    pub from_month: Month,
    pub months: u32,
    pub share: Share,
    pub category: SubsidyCategory,
}

/// R16: months from `from_month` on are no longer granted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyRevoked {
    pub member_id: Uuid,
    pub from_month: Month,
}

/// R16: accrued subsidies of `months` paid out to the member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyPaid {
    pub member_id: Uuid,
    pub months: Vec<Month>,
    pub amount: Money,
    pub paid_on: CalendarDate,
}

/// Which stream an event belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StreamId {
    Region(RegionName),
    Member(Uuid),
}

impl StreamId {
    /// `member-<uuid>` or `region-<name>` (contract).
    pub fn name(&self) -> String {
        match self {
            StreamId::Region(region) => format!("region-{region}"),
            StreamId::Member(member_id) => format!("member-{}", member_id.hyphenated()),
        }
    }

    pub fn parse(name: &str) -> Option<StreamId> {
        if let Some(rest) = name.strip_prefix("member-") {
            return Uuid::parse_str(rest).ok().map(StreamId::Member);
        }
        name.strip_prefix("region-")
            .and_then(RegionName::parse)
            .map(StreamId::Region)
    }
}

impl Event {
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::PolicyPublished(_) => "PolicyPublished",
            Event::MonthClosed(_) => "MonthClosed",
            Event::MemberEnrolled(_) => "MemberEnrolled",
            Event::ContributionPaid(_) => "ContributionPaid",
            Event::ContributionMissed(_) => "ContributionMissed",
            Event::DeductionStopped(_) => "DeductionStopped",
            Event::DeductionResumed(_) => "DeductionResumed",
            Event::MemberWithdrawn(_) => "MemberWithdrawn",
            Event::MemberReenrolled(_) => "MemberReenrolled",
            Event::BaseChanged(_) => "BaseChanged",
            Event::ContributionRefunded(_) => "ContributionRefunded",
            Event::SubsidyGranted(_) => "SubsidyGranted",
            Event::SubsidyRevoked(_) => "SubsidyRevoked",
            Event::SubsidyPaid(_) => "SubsidyPaid",
        }
    }

    /// The member an event is about; `None` for region events.
    pub fn member_id(&self) -> Option<Uuid> {
        match self.stream() {
            StreamId::Member(member_id) => Some(member_id),
            StreamId::Region(_) => None,
        }
    }

    pub fn stream(&self) -> StreamId {
        match self {
            Event::PolicyPublished(policy) => StreamId::Region(policy.region.clone()),
            Event::MonthClosed(closed) => StreamId::Region(closed.region.clone()),
            Event::MemberEnrolled(body) => StreamId::Member(body.member_id),
            Event::ContributionPaid(body) => StreamId::Member(body.member_id),
            Event::ContributionMissed(body) => StreamId::Member(body.member_id),
            Event::DeductionStopped(body) | Event::DeductionResumed(body) => {
                StreamId::Member(body.member_id)
            }
            Event::MemberWithdrawn(body) => StreamId::Member(body.member_id),
            Event::MemberReenrolled(body) => StreamId::Member(body.member_id),
            Event::BaseChanged(body) => StreamId::Member(body.member_id),
            Event::ContributionRefunded(body) => StreamId::Member(body.member_id),
            Event::SubsidyGranted(body) => StreamId::Member(body.member_id),
            Event::SubsidyRevoked(body) => StreamId::Member(body.member_id),
            Event::SubsidyPaid(body) => StreamId::Member(body.member_id),
        }
    }
}

impl Event {
    /// Decodes a payload given its type name (the envelope's `type`).
    pub fn from_parts(type_name: &str, payload: &str) -> Result<Event, serde_json::Error> {
        use serde::de::Error;
        Ok(match type_name {
            "PolicyPublished" => Event::PolicyPublished(serde_json::from_str(payload)?),
            "MonthClosed" => Event::MonthClosed(serde_json::from_str(payload)?),
            "MemberEnrolled" => Event::MemberEnrolled(serde_json::from_str(payload)?),
            "ContributionPaid" => Event::ContributionPaid(serde_json::from_str(payload)?),
            "ContributionMissed" => Event::ContributionMissed(serde_json::from_str(payload)?),
            "DeductionStopped" => Event::DeductionStopped(serde_json::from_str(payload)?),
            "DeductionResumed" => Event::DeductionResumed(serde_json::from_str(payload)?),
            "MemberWithdrawn" => Event::MemberWithdrawn(serde_json::from_str(payload)?),
            "MemberReenrolled" => Event::MemberReenrolled(serde_json::from_str(payload)?),
            "BaseChanged" => Event::BaseChanged(serde_json::from_str(payload)?),
            "ContributionRefunded" => Event::ContributionRefunded(serde_json::from_str(payload)?),
            "SubsidyGranted" => Event::SubsidyGranted(serde_json::from_str(payload)?),
            "SubsidyRevoked" => Event::SubsidyRevoked(serde_json::from_str(payload)?),
            "SubsidyPaid" => Event::SubsidyPaid(serde_json::from_str(payload)?),
            other => {
                return Err(serde_json::Error::custom(format!(
                    "unknown event type {other:?}"
                )))
            }
        })
    }

    /// Serializes only the payload (the envelope writes `type` beside it).
    pub fn serialize_payload<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match self {
            Event::PolicyPublished(payload) => payload.serialize(serializer),
            Event::MonthClosed(payload) => payload.serialize(serializer),
            Event::MemberEnrolled(payload) => payload.serialize(serializer),
            Event::ContributionPaid(payload) => payload.serialize(serializer),
            Event::ContributionMissed(payload) => payload.serialize(serializer),
            Event::DeductionStopped(payload) | Event::DeductionResumed(payload) => {
                payload.serialize(serializer)
            }
            Event::MemberWithdrawn(payload) => payload.serialize(serializer),
            Event::MemberReenrolled(payload) => payload.serialize(serializer),
            Event::BaseChanged(payload) => payload.serialize(serializer),
            Event::ContributionRefunded(payload) => payload.serialize(serializer),
            Event::SubsidyGranted(payload) => payload.serialize(serializer),
            Event::SubsidyRevoked(payload) => payload.serialize(serializer),
            Event::SubsidyPaid(payload) => payload.serialize(serializer),
        }
    }
}
