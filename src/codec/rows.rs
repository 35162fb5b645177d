//! Where a state row's bytes are defined: the stored form of every row the ledger
//! keeps beside the log (`store::StateKey`), and the one way between those rows and
//! the domain's state.
//!
//! State rows are derived (a rebuild writes them from the log), but they are stored,
//! so their bytes are a format: `ledger::STATE_FORMAT_VERSION` in the checkpoint row
//! says which one a store holds, and a store of an older format is rebuilt on open.
//! That only works if the bytes change when, and only when, the format does. So the
//! rows are their own plain serde structs, owned here, one per stored shape, converted
//! to and from the domain's types by `From` both ways: adding or renaming a field of
//! a domain type fails to compile here until it is converted, and reordering one
//! changes nothing stored. Postcard writes a struct's fields in the order
//! declared, with no names, so a reordered field here would read old rows wrongly:
//! a layout change is a new state format with a rebuild (D34), never an edit of these
//! types alone (the pinned bytes in this module's tests fail first).
//!
//! The rows and their encodings:
//! - member (`M`): [`ROW_FORMAT_MEMBER_COMPACT`], then [`MemberState`] in postcard,
//!   its months, amounts and ratios as numbers (`compact`; state format 5);
//! - region (`R`): [`RegionState`] JSON, with its policies in force ([`Policy`]);
//! - region month totals (`Y`): [`MonthTotals`] JSON;
//! - region summary (`A`): the format byte, then [`RegionSummary`] in postcard;
//! - month close in progress (`X`): [`Closing`] JSON (not derived from the log, so
//!   a rebuild keeps it, and its layout must read across formats);
//! - a copy not finished yet (`U`): [`CopyUnfinished`] JSON (written by `flexledger
//!   copy` into its destination until its last step is durable, D39; not derived from
//!   the log, so a rebuild keeps it);
//! - feed item (`F`, one of an append's items): the format byte, then
//!   [`CoverageChanged`] in postcard; older builds stored the same shape as JSON,
//!   which stays readable because feed items are never rebuilt.
//!
//! The value types inside rows keep their own serde and are shared with the contract:
//! `Month` (`YYYY-MM`), `Money`, `Ratio` and `Share` (decimal strings), `RegionName`,
//! ids; except in a member's row, which writes its months, amounts and ratios as
//! numbers (`compact`, with `#[serde(with)]` on those fields). So do the command
//! vocabulary's leaf enums that rows hold, `WithdrawalReason`, `SubsidyCategory` and
//! `BackpayRestores`: their words (and, in postcard, their variant order) are those of
//! the commands that record them, and
//! `domain::command` parses commands with that serde (so does the domain's `Policy`,
//! Deserialize only, which a region's row does not use; its `BenefitTier` keeps
//! Serialize too, for the what-if report's overrides). Any change to those is a
//! contract change, pinned by the command schemas and these tests alike. A feed item
//! stores [`MonthStatus`], this module's own: the domain's keeps only Serialize, for
//! the audit reports that print a status in JSON of their own (removing it would
//! reach into each of them), and nothing stored goes through it.

use crate::domain::command::{SubsidyCategory, WithdrawalReason};
use crate::domain::coverage;
use crate::domain::money::{Money, Ratio, Share};
use crate::domain::month::Month;
use crate::domain::policy::{self, BackpayRestores, RegionName};
use crate::domain::report;
use crate::domain::state;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The first byte of a row in postcard, a compact binary serde format: member rows,
/// region summaries and feed items. A member's row is rewritten for each of its
/// commands, so its size is what the engine copies and compacts per event: ~250 bytes
/// instead of the 570 of its JSON; a feed item is ~90 instead of ~320
/// (`flexledger-bench --census`).
pub const ROW_FORMAT_POSTCARD: u8 = 1;
/// The first byte of a member row since state format 5: postcard, with its months,
/// amounts and ratios as numbers (`compact`): ~120 bytes instead of ~250.
pub const ROW_FORMAT_MEMBER_COMPACT: u8 = 2;

/// `From` both ways between a domain struct and its row struct of the same fields.
/// Each list names every field, so a field added to either type fails to compile
/// until it is converted here. `nested` fields convert through their own row type;
/// `each` fields are lists of them.
macro_rules! same_fields {
    ($domain:path, $row:ident { $($field:ident),* $(,)? }
        $(nested { $($nested:ident),* $(,)? })?
        $(each { $($each:ident),* $(,)? })?) => {
        impl From<&$domain> for $row {
            #[allow(clippy::clone_on_copy)] // Most fields are Copy; some (names, maps) are not.
            fn from(value: &$domain) -> $row {
                $row {
                    $($field: value.$field.clone(),)*
                    $($($nested: From::from(&value.$nested),)*)?
                    $($($each: value.$each.iter().map(From::from).collect(),)*)?
                }
            }
        }
        impl From<$row> for $domain {
            fn from(value: $row) -> $domain {
                $domain {
                    $($field: value.$field,)*
                    $($($nested: value.$nested.into(),)*)?
                    $($($each: value.$each.into_iter().map(Into::into).collect(),)*)?
                }
            }
        }
    };
}

/// A member's row (`M`). Postcard has no absent fields: every field is always
/// written, in this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberState {
    pub member_id: Uuid,
    pub region: RegionName,
    pub version: u64,
    pub last_position: u64,
    pub deduction_stopped: bool,
    pub periods: Vec<Period>,
    #[serde(with = "compact::ratios")]
    pub base_ratios: BTreeMap<Month, Ratio>,
    #[serde(with = "compact::amounts")]
    pub paid: BTreeMap<Month, Money>,
    #[serde(with = "compact::amounts")]
    pub missed: BTreeMap<Month, Money>,
    #[serde(with = "compact::amounts")]
    pub refunded: BTreeMap<Month, Money>,
    #[serde(with = "compact::amounts")]
    pub to_account: BTreeMap<Month, Money>,
    pub grants: Vec<Grant>,
    #[serde(with = "compact::months")]
    pub subsidy_paid: BTreeSet<Month>,
    #[serde(with = "compact::amounts")]
    pub unrefunded: BTreeMap<Month, Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    #[serde(with = "compact::month")]
    pub start: Month,
    #[serde(with = "compact::optional_month")]
    pub benefit_start: Option<Month>,
    pub withdrawal: Option<Withdrawal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub reason: WithdrawalReason,
    #[serde(with = "compact::month")]
    pub effective_from: Month,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    #[serde(with = "compact::month")]
    pub from_month: Month,
    pub months: u32,
    pub share: Share,
    pub category: SubsidyCategory,
}

same_fields!(
    state::MemberState,
    MemberState {
        member_id,
        region,
        version,
        last_position,
        deduction_stopped,
        base_ratios,
        paid,
        missed,
        refunded,
        to_account,
        subsidy_paid,
        unrefunded,
    }
    each { periods, grants }
);
same_fields!(
    state::Withdrawal,
    Withdrawal {
        reason,
        effective_from
    }
);
same_fields!(
    state::Grant,
    Grant {
        from_month,
        months,
        share,
        category
    }
);

impl From<&state::Period> for Period {
    fn from(value: &state::Period) -> Period {
        Period {
            start: value.start,
            benefit_start: value.benefit_start,
            withdrawal: value.withdrawal.as_ref().map(Withdrawal::from),
        }
    }
}

impl From<Period> for state::Period {
    fn from(value: Period) -> state::Period {
        state::Period {
            start: value.start,
            benefit_start: value.benefit_start,
            withdrawal: value.withdrawal.map(Into::into),
        }
    }
}

/// A region's row (`R`), JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionState {
    pub name: RegionName,
    pub open_month: Month,
    pub policies: BTreeMap<Month, Policy>,
    pub version: u64,
    pub last_position: u64,
}

/// A policy in force, as a region's row holds it: the fields of the `publish_policy`
/// body, the optional ones left out when absent (so a v1 policy's JSON is what v1
/// wrote).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_wait_after_gap_months: Option<u32>,
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
    policy::Policy,
    Policy {
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
        first_wait_after_gap_months,
        account_rate,
    }
    each { benefit_tiers }
);
same_fields!(
    policy::BenefitTier,
    BenefitTier {
        min_continuous_months,
        tier
    }
);

impl From<&state::RegionState> for RegionState {
    fn from(value: &state::RegionState) -> RegionState {
        RegionState {
            name: value.name.clone(),
            open_month: value.open_month,
            policies: value
                .policies
                .iter()
                .map(|(month, policy)| (*month, Policy::from(policy)))
                .collect(),
            version: value.version,
            last_position: value.last_position,
        }
    }
}

impl From<RegionState> for state::RegionState {
    fn from(value: RegionState) -> state::RegionState {
        state::RegionState {
            name: value.name,
            open_month: value.open_month,
            policies: value
                .policies
                .into_iter()
                .map(|(month, policy)| (month, policy.into()))
                .collect(),
            version: value.version,
            last_position: value.last_position,
        }
    }
}

/// A region's totals for one month (`Y`), JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTotals {
    pub members_by_status: StatusCounts,
    pub members_with_benefits: u64,
    pub members_refunded: u64,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub paid: Money,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub to_account: Money,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub refunded: Money,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub subsidy_accrued: Money,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub subsidy_paid: Money,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub due: u64,
    pub waiting: u64,
    pub covered: u64,
    pub arrears: u64,
    pub restored: u64,
    pub lapsed: u64,
}

same_fields!(
    report::MonthTotals,
    MonthTotals {
        members_with_benefits,
        members_refunded,
        paid,
        to_account,
        refunded,
        subsidy_accrued,
        subsidy_paid,
    }
    nested { members_by_status }
);
same_fields!(
    report::StatusCounts,
    StatusCounts {
        due,
        waiting,
        covered,
        arrears,
        restored,
        lapsed
    }
);

/// A region's summary (`A`), postcard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSummary {
    pub active: u64,
    pub in_arrears: u64,
    #[serde(deserialize_with = "crate::domain::money::total")]
    pub arrears_total: Money,
}

same_fields!(
    report::RegionSummary,
    RegionSummary {
        active,
        in_arrears,
        arrears_total
    }
);

/// A feed item (`F`): postcard now, JSON in stores of older builds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageChanged {
    pub member_id: Uuid,
    pub position: u64,
    pub command_id: Uuid,
    pub months: Vec<MonthChange>,
}

/// A month of a feed item. The money (`refunded`, `to_account`, `subsidy`,
/// `subsidy_paid`) came with the v2 rules: a v1 build's JSON item has none, and reads
/// as 0.00 and false, what v1 recorded of them (no refund, account or subsidy was
/// news then). Found when `verify` began reading every feed item (2026-12-06): the
/// v1 golden store's items did not decode, so a subscriber of an upgraded v1 ledger
/// catching up from its start met an `error` at the first one. Postcard items (every
/// build since) always hold all four: `default` acts only where a JSON field is absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthChange {
    pub month: Month,
    pub old_status: Option<MonthStatus>,
    pub new_status: MonthStatus,
    pub old_benefits: bool,
    pub new_benefits: bool,
    #[serde(default, deserialize_with = "crate::domain::money::total")]
    pub refunded: Money,
    #[serde(default, deserialize_with = "crate::domain::money::total")]
    pub to_account: Money,
    #[serde(default, deserialize_with = "crate::domain::money::total")]
    pub subsidy: Money,
    #[serde(default)]
    pub subsidy_paid: bool,
}

/// A month's status in a feed item: its snake_case name in JSON, its index in this
/// order in postcard (so a variant is only ever added at the end, with a new format).
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

same_fields!(
    coverage::CoverageChanged,
    CoverageChanged {
        member_id,
        position,
        command_id
    }
    each { months }
);

impl From<&coverage::MonthChange> for MonthChange {
    fn from(value: &coverage::MonthChange) -> MonthChange {
        MonthChange {
            month: value.month,
            old_status: value.old_status.as_ref().map(MonthStatus::from),
            new_status: MonthStatus::from(&value.new_status),
            old_benefits: value.old_benefits,
            new_benefits: value.new_benefits,
            refunded: value.refunded,
            to_account: value.to_account,
            subsidy: value.subsidy,
            subsidy_paid: value.subsidy_paid,
        }
    }
}

impl From<MonthChange> for coverage::MonthChange {
    fn from(value: MonthChange) -> coverage::MonthChange {
        coverage::MonthChange {
            month: value.month,
            old_status: value.old_status.map(Into::into),
            new_status: value.new_status.into(),
            old_benefits: value.old_benefits,
            new_benefits: value.new_benefits,
            refunded: value.refunded,
            to_account: value.to_account,
            subsidy: value.subsidy,
            subsidy_paid: value.subsidy_paid,
        }
    }
}

impl From<&coverage::MonthStatus> for MonthStatus {
    fn from(value: &coverage::MonthStatus) -> MonthStatus {
        use coverage::MonthStatus as D;
        match value {
            D::NotEnrolled => MonthStatus::NotEnrolled,
            D::Due => MonthStatus::Due,
            D::Waiting => MonthStatus::Waiting,
            D::Covered => MonthStatus::Covered,
            D::Arrears => MonthStatus::Arrears,
            D::Restored => MonthStatus::Restored,
            D::Lapsed => MonthStatus::Lapsed,
        }
    }
}

impl From<MonthStatus> for coverage::MonthStatus {
    fn from(value: MonthStatus) -> coverage::MonthStatus {
        use coverage::MonthStatus as D;
        match value {
            MonthStatus::NotEnrolled => D::NotEnrolled,
            MonthStatus::Due => D::Due,
            MonthStatus::Waiting => D::Waiting,
            MonthStatus::Covered => D::Covered,
            MonthStatus::Arrears => D::Arrears,
            MonthStatus::Restored => D::Restored,
            MonthStatus::Lapsed => D::Lapsed,
        }
    }
}

/// A month close whose consequences are still being recorded (`X`), JSON. The
/// ledger's `Closing` converts to and from it (in `ledger/close.rs`: the codec knows
/// the domain, never the ledger).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub region: RegionName,
    pub month: Month,
    pub close_position: u64,
    pub after: Option<Uuid>,
    pub members_done: u64,
    pub members_total: u64,
    pub missed_recorded: u64,
    pub withdrawn_recorded: u64,
    pub recheck: bool,
}

/// A copy not finished yet (`U`), JSON: the destination of a `flexledger copy` holds it
/// from the copy's first append until its last step is durable, and every open but a
/// copy into it refuses the store (D39).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyUnfinished {
    /// The source as the copy named it (a URL with its password redacted).
    pub from: String,
    /// The positions copied so far: 1 through this.
    pub copied: u64,
    /// The source's head when the copy (or the run that wrote this) started.
    pub source_head: u64,
}

/// `row` as a postcard row: the format byte, then its postcard bytes.
fn postcard_row<T: Serialize>(row: &T) -> Vec<u8> {
    let mut bytes = vec![ROW_FORMAT_POSTCARD];
    // OK because rows are plain structs, ids, strings, numbers and maps, which
    // postcard always encodes (it refuses only sequences of unknown length).
    let encoded = postcard::to_stdvec(row).expect("rows always encode");
    bytes.extend_from_slice(&encoded);
    bytes
}

/// A postcard row decoded; `what` names the row in the error.
fn from_postcard_row<T: serde::de::DeserializeOwned>(row: &[u8], what: &str) -> Result<T, String> {
    match row.split_first() {
        Some((&ROW_FORMAT_POSTCARD, encoded)) => {
            postcard::from_bytes(encoded).map_err(|error| format!("{what}: {error}"))
        }
        Some((format, _)) => Err(format!("{what} format {format} is unknown to this build")),
        None => Err(format!("an empty {what}")),
    }
}

/// `row` as JSON: the region, month-totals, closing and unfinished copy rows.
fn json_row<T: Serialize>(row: &T) -> Vec<u8> {
    // OK because these rows are plain structs of strings, numbers and maps with
    // string keys.
    serde_json::to_vec(row).expect("state rows always encode")
}

/// A member's state row.
pub fn encode_member_row(member: &state::MemberState) -> Vec<u8> {
    let mut row = postcard_row(&MemberState::from(member));
    row[0] = ROW_FORMAT_MEMBER_COMPACT;
    row
}

/// A member's state row decoded (not checked: `ledger::read_member_row` checks).
pub fn decode_member_row(row: &[u8]) -> Result<state::MemberState, String> {
    match row.split_first() {
        Some((&ROW_FORMAT_MEMBER_COMPACT, encoded)) => postcard::from_bytes::<MemberState>(encoded)
            .map(Into::into)
            .map_err(|error| format!("member row: {error}")),
        Some((&ROW_FORMAT_POSTCARD, _)) => Err("member row of state format 3 or 4, written by an older build (this build's rows are rebuilt from the log when a store is opened for writing)".to_owned()),
        _ => from_postcard_row::<MemberState>(row, "member row").map(Into::into),
    }
}

/// A region's state row.
pub fn encode_region_row(region: &state::RegionState) -> Vec<u8> {
    json_row(&RegionState::from(region))
}

/// A region's state row decoded (not checked: `ledger::decode_region_row` checks).
pub fn decode_region_row(row: &[u8]) -> Result<state::RegionState, String> {
    serde_json::from_slice::<RegionState>(row)
        .map(Into::into)
        .map_err(|error| error.to_string())
}

/// A region month's totals row (`StateKey::RegionMonth`).
pub fn encode_month_totals_row(totals: &report::MonthTotals) -> Vec<u8> {
    json_row(&MonthTotals::from(totals))
}

/// A region month's totals row decoded.
pub fn decode_month_totals_row(row: &[u8]) -> Result<report::MonthTotals, String> {
    serde_json::from_slice::<MonthTotals>(row)
        .map(Into::into)
        .map_err(|error| error.to_string())
}

/// A region summary's state row (`StateKey::RegionSummary`).
pub fn encode_summary_row(summary: &report::RegionSummary) -> Vec<u8> {
    postcard_row(&RegionSummary::from(summary))
}

/// A region summary's state row decoded.
pub fn decode_summary_row(row: &[u8]) -> Result<report::RegionSummary, String> {
    from_postcard_row::<RegionSummary>(row, "region summary row").map(Into::into)
}

/// A month close's progress row (`StateKey::Closing`).
pub fn encode_closing_row(closing: &Closing) -> Vec<u8> {
    json_row(closing)
}

/// A month close's progress row decoded.
pub fn decode_closing_row(row: &[u8]) -> Result<Closing, String> {
    serde_json::from_slice(row).map_err(|error| error.to_string())
}

/// An unfinished copy's row (`StateKey::CopyUnfinished`).
pub fn encode_copy_unfinished_row(copy: &CopyUnfinished) -> Vec<u8> {
    json_row(copy)
}

/// An unfinished copy's row decoded.
pub fn decode_copy_unfinished_row(row: &[u8]) -> Result<CopyUnfinished, String> {
    serde_json::from_slice(row).map_err(|error| error.to_string())
}

/// A coverage change as a stored feed item. Feed items are kept for good (a rebuild
/// does not rewrite them), so the JSON that older builds stored stays readable.
pub fn encode_coverage_item(change: &coverage::CoverageChanged) -> Vec<u8> {
    postcard_row(&CoverageChanged::from(change))
}

/// A stored feed item decoded: postcard, or JSON (it starts with `{`) as older
/// builds stored it.
pub fn decode_coverage_item(item: &[u8]) -> Result<coverage::CoverageChanged, String> {
    let stored: CoverageChanged = if item.first() == Some(&b'{') {
        serde_json::from_slice(item).map_err(|error| error.to_string())?
    } else {
        from_postcard_row(item, "coverage item")?
    };
    Ok(stored.into())
}

mod compact;

#[cfg(test)]
mod tests;
