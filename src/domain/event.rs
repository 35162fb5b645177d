//! Events: facts in the past tense, as the domain decides and folds them.
//!
//! These types are not the stored bytes: `crate::codec` converts them to and from the
//! stored payload of each schema version (`codec::v1`, a JSON Schema each in
//! `schemas/events/`), so a field renamed here cannot silently change what is hashed.
//!
//! Events record what happened, not what the rules concluded from it: the fold derives
//! statuses, benefit starts and tiers from events plus the policy in force, so the same
//! events can be replayed under another policy (what-if) and give that policy's answer.
//! The one exception is deliberate: automatic withdrawal (R11) is an explicit
//! `MemberWithdrawn` event, because it ends membership and downstream systems must see it.

use super::command::{LaborRelationship, SubsidyCategory, WithdrawalReason};
use super::money::{Money, Ratio, Share};
use super::month::{CalendarDate, Month};
use super::policy::{BackpayRestores, BenefitTier, Policy, RegionName};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
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

/// R3: a regional policy was published. The same parameters as the `publish_policy`
/// body ([`Policy`]), but its own type: a command's body may grow or change for the
/// next version of the contract, and what was published stays what it was.
/// `decide` makes it from the command; the fold turns it back into the [`Policy`] in
/// force ([`PolicyPublished::policy`]).
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// P-reset (R7, v2); `None` in policies published without it.
    pub first_wait_after_gap_months: Option<u32>,
    /// P-account (R17, v2); `None` in policies published without it.
    pub account_rate: Option<Ratio>,
}

impl PolicyPublished {
    /// The event recording that `policy` was published (R3), exactly as given.
    pub fn of(policy: &Policy) -> PolicyPublished {
        PolicyPublished {
            region: policy.region.clone(),
            effective_from: policy.effective_from,
            average_monthly_wage: policy.average_monthly_wage,
            contribution_rate: policy.contribution_rate,
            base_ratio_min: policy.base_ratio_min,
            base_ratio_max: policy.base_ratio_max,
            grace_months: policy.grace_months,
            benefit_delay_first: policy.benefit_delay_first,
            benefit_delay_reenroll: policy.benefit_delay_reenroll,
            backpay_restores: policy.backpay_restores,
            benefit_tiers: policy.benefit_tiers.clone(),
            first_wait_after_gap_months: policy.first_wait_after_gap_months,
            account_rate: policy.account_rate,
        }
    }

    /// The policy in force from `effective_from` (R3), as the fold keeps it.
    pub fn policy(&self) -> Policy {
        Policy {
            region: self.region.clone(),
            effective_from: self.effective_from,
            average_monthly_wage: self.average_monthly_wage,
            contribution_rate: self.contribution_rate,
            base_ratio_min: self.base_ratio_min,
            base_ratio_max: self.base_ratio_max,
            grace_months: self.grace_months,
            benefit_delay_first: self.benefit_delay_first,
            benefit_delay_reenroll: self.benefit_delay_reenroll,
            backpay_restores: self.backpay_restores,
            benefit_tiers: self.benefit_tiers.clone(),
            first_wait_after_gap_months: self.first_wait_after_gap_months,
            account_rate: self.account_rate,
        }
    }
}

/// R9: the region's open month was closed; the next month is now open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthClosed {
    pub region: RegionName,
    pub month: Month,
    pub next_open_month: Month,
    /// Members recorded as having missed `month` by this close.
    pub members_missed: u64,
    /// Members automatically withdrawn by this close (R11).
    pub members_withdrawn: u64,
    /// Enrolled members the close visited (contract v2 close summary). `None` in
    /// closes recorded before v2.
    pub members_visited: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberEnrolled {
    pub member_id: Uuid,
    pub region: RegionName,
    pub month: Month,
    pub base_ratio: Ratio,
    pub labor_relationship: LaborRelationship,
}

/// How a paid month relates to the open month when it was paid.
///
/// Serializes to the word the audit's texts print (`on_time`); the stored word is
/// `codec::v1::PaymentKind`'s, which only a new schema version may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// A missed month paid back within grace (R10).
    Backpay,
    /// The open month itself.
    OnTime,
    /// A month after the open month (R6: up to open month + 11).
    Prepaid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidMonth {
    pub month: Month,
    /// The due this month was paid at; it never changes afterwards (R4).
    pub amount: Money,
    pub kind: PaymentKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionPaid {
    pub member_id: Uuid,
    pub months: Vec<PaidMonth>,
    pub amount: Money,
    pub paid_on: CalendarDate,
    /// The region's open month when the payment was made (R6, R7).
    pub payment_month: Month,
}

/// R9: the member was enrolled in `month`, had not paid it, and the month was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionMissed {
    pub member_id: Uuid,
    pub month: Month,
    pub due: Money,
}

/// R8: deduction stopped or resumed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeductionChanged {
    pub member_id: Uuid,
}

/// R11 (reason `arrears_exceeded_grace`) or R12 (any other reason).
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberReenrolled {
    pub member_id: Uuid,
    pub month: Month,
    pub base_ratio: Ratio,
    /// 1-based count of this enrollment period (2 for the first re-enrollment).
    pub enrollment: u32,
}

/// R15: the base ratio from `from_month` on (replacing any later change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseChanged {
    pub member_id: Uuid,
    pub from_month: Month,
    pub base_ratio: Ratio,
}

/// R12 (v2): months paid beyond the last paid month not after the open month, given
/// back by the withdrawal recorded just before this event (same command, same append).
/// `amount` is the sum of what those months were paid at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionRefunded {
    pub member_id: Uuid,
    pub months: Vec<Month>,
    pub amount: Money,
}

/// R16: the employment office grants a subsidy of `share` of each paid month for
/// `months` months from `from_month`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsidyGranted {
    pub member_id: Uuid,
    pub from_month: Month,
    pub months: u32,
    pub share: Share,
    pub category: SubsidyCategory,
}

/// R16: months from `from_month` on are no longer granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsidyRevoked {
    pub member_id: Uuid,
    pub from_month: Month,
}

/// R16: accrued subsidies of `months` paid out to the member.
#[derive(Clone, Debug, PartialEq, Eq)]
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

    /// Whether `name` is this stream's [`name`](StreamId::name), without building it:
    /// every event read from the log is checked against its stream's name.
    pub fn is_named(&self, name: &str) -> bool {
        match self {
            StreamId::Region(region) => is_region_stream_named(region, name),
            StreamId::Member(member_id) => name.strip_prefix("member-").is_some_and(|id| {
                id == member_id
                    .hyphenated()
                    .encode_lower(&mut Uuid::encode_buffer())
            }),
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

/// Whether `name` is `region-<region>`, the name of the region's stream.
fn is_region_stream_named(region: &RegionName, name: &str) -> bool {
    name.strip_prefix("region-") == Some(region.as_str())
}

impl Event {
    /// Whether `name` is the name of this event's stream (`stream().name()`), without
    /// building either (a region event's stream would clone its region's name).
    pub fn is_of_stream(&self, name: &str) -> bool {
        match self {
            Event::PolicyPublished(policy) => is_region_stream_named(&policy.region, name),
            Event::MonthClosed(closed) => is_region_stream_named(&closed.region, name),
            member_event => member_event.stream().is_named(name),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_named_by_its_name_and_nothing_else() {
        let member_id = Uuid::from_u128(0xabcd_ef01_2345_4678_89ab_cdef_0123_4567);
        let region = RegionName::parse("demo").expect("a region name");
        for stream in [StreamId::Member(member_id), StreamId::Region(region)] {
            let name = stream.name();
            assert!(stream.is_named(&name), "{name}");
            let upper = name.to_uppercase();
            let others = [
                "",
                "member-",
                "region-",
                upper.as_str(),
                &name[..name.len() - 1],
                &format!("{name}x"),
                &format!("x{name}"),
                &name.replacen('-', "_", 1),
            ];
            for other in others {
                assert!(!stream.is_named(other), "{name} is not named {other:?}");
            }
        }
        assert!(!StreamId::Region(RegionName::parse("member").unwrap()).is_named("member-demo"));
    }
}
