//! Regional policy (R3): the parameters in force for a region from a month on.

use super::money::{monthly_due, Money, Ratio};
use super::month::Month;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest region name, in bytes. Names appear in stream names and keys.
pub const REGION_NAME_BYTES_MAX: usize = 64;
/// Longest grace, delay or tier threshold a policy may set, in months (50 years).
pub const POLICY_MONTHS_MAX: u32 = 600;

/// The shortest benefit delay, first or after re-enrollment, in months: S1's "enjoy
/// … benefits from the next month of payment" (D87).
pub const BENEFIT_DELAY_MONTHS_MIN: u32 = 1;
/// Highest average monthly wage a policy may set, in whole CNY (exclusive), and highest
/// base ratio. Together with a rate of at most 1 they bound one month's due below
/// 10^9 and any sum of dues (at most `PAY_MONTHS_MAX` months) below 10^12, so every
/// amount the ledger computes fits the 12 integer digits an amount may have.
pub const AVERAGE_MONTHLY_WAGE_MAX_EXCLUSIVE: u64 = 10_000_000;
pub const BASE_RATIO_MAX: u64 = 100;
/// Most benefit tiers one policy may define.
pub const BENEFIT_TIERS_MAX: usize = 16;
/// Longest tier name, in bytes.
pub const TIER_NAME_BYTES_MAX: usize = 64;

/// A region (overall planning area) name: 1–64 of `A-Z a-z 0-9 _ . -`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionName(String);

impl RegionName {
    pub fn parse(text: &str) -> Option<RegionName> {
        let ok = !text.is_empty()
            && text.len() <= REGION_NAME_BYTES_MAX
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-'));
        ok.then(|| RegionName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for RegionName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, formatter)
    }
}

impl Serialize for RegionName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RegionName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        RegionName::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a region name of 1 to {REGION_NAME_BYTES_MAX} ASCII letters, digits, '_', '.' or '-' (a Chinese place name in pinyin or as its code, such as `beijing` or `110100`), got {text:?}"
            ))
        })
    }
}

/// P-restore: whether back-paid arrears months regain benefits (R10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackpayRestores {
    Retroactive,
    Prospective,
}

/// One step of P-tiers (R14): the tier reached at `min_continuous_months`.
///
/// Serialize stays beside the command's Deserialize: the what-if report prints the
/// overrides it ran with (`audit::whatif::PolicyOverrides`), tiers included, in the
/// command's words. A region's row and the region route write the codec's own types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitTier {
    pub min_continuous_months: u32,
    pub tier: String,
}

/// A regional policy (R3): the `publish_policy` command's body, and the policy in
/// force the fold keeps per region. The event recording it is its own type
/// (`event::PolicyPublished`), so the command's shape never decides the event's.
///
/// Deserialize only, for parsing the command (`command::parse_command`); what is
/// stored (`codec::rows::Policy` in a region's row, `codec::v1::PolicyPublished`) and
/// sent (`codec::wire::Policy`) are the codec's own types.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
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
    /// P-reset (R7, v2): a re-enrollment whose gap is longer than this many months
    /// serves the first-time delay again. Absent (or `null`) = never, as in v1; a
    /// policy published without it is stored byte for byte as v1 stored it.
    #[serde(default)]
    pub first_wait_after_gap_months: Option<u32>,
    /// P-account (R17, v2): share of the base credited to the personal account from
    /// each paid month. Absent (or `null`) = `"0"`: everything to the pooling fund.
    #[serde(default)]
    pub account_rate: Option<Ratio>,
}

/// Why a policy does not validate: which check failed, the field it names and the
/// bound it broke, as data, so each language words the sentence
/// (`refusal-parse-policy-invalid`, `locales/*/refusals.ftl`) and `Display` gives the
/// English the contract's `message` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInvalid {
    pub check: PolicyCheck,
    /// The field, as its path in the policy (`benefit_tiers[1].tier`).
    pub field: String,
    /// The field's value, where the sentence quotes it (`AccountAboveRate`); else empty.
    pub value: String,
    /// The bound the field broke (a number, or the field it may not exceed); empty
    /// where there is none (`TierRepeats`).
    pub limit: String,
}

/// The checks of [`Policy::validate`]; [`PolicyCheck::name`] is what the catalogs
/// select on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyCheck {
    NotPositive,
    NotBelow,
    AboveMax,
    RateRange,
    BandInverted,
    AccountAboveRate,
    TooManyTiers,
    TierNameLength,
    TierRepeats,
    DueRoundsToZero,
    DelayBelowNextMonth,
}

impl PolicyCheck {
    /// Every check, for the tests that render each.
    pub const ALL: [PolicyCheck; 11] = [
        PolicyCheck::NotPositive,
        PolicyCheck::NotBelow,
        PolicyCheck::AboveMax,
        PolicyCheck::RateRange,
        PolicyCheck::BandInverted,
        PolicyCheck::AccountAboveRate,
        PolicyCheck::TooManyTiers,
        PolicyCheck::TierNameLength,
        PolicyCheck::TierRepeats,
        PolicyCheck::DueRoundsToZero,
        PolicyCheck::DelayBelowNextMonth,
    ];

    /// The check's name, as `locales/*/refusals.ftl` selects on it.
    pub fn name(self) -> &'static str {
        match self {
            PolicyCheck::NotPositive => "not_positive",
            PolicyCheck::NotBelow => "not_below",
            PolicyCheck::AboveMax => "above_max",
            PolicyCheck::RateRange => "rate_range",
            PolicyCheck::BandInverted => "band_inverted",
            PolicyCheck::AccountAboveRate => "account_above_rate",
            PolicyCheck::TooManyTiers => "too_many_tiers",
            PolicyCheck::TierNameLength => "tier_name_length",
            PolicyCheck::TierRepeats => "tier_repeats",
            PolicyCheck::DueRoundsToZero => "due_rounds_to_zero",
            PolicyCheck::DelayBelowNextMonth => "delay_below_next_month",
        }
    }
}

impl PolicyInvalid {
    fn new(check: PolicyCheck, field: impl Into<String>, limit: impl fmt::Display) -> Self {
        PolicyInvalid {
            check,
            field: field.into(),
            value: String::new(),
            limit: limit.to_string(),
        }
    }
}

impl fmt::Display for PolicyInvalid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let PolicyInvalid {
            check,
            field,
            value,
            limit,
        } = self;
        match check {
            PolicyCheck::NotPositive => write!(formatter, "{field} must be greater than 0"),
            PolicyCheck::NotBelow => write!(formatter, "{field} must be below {limit}"),
            PolicyCheck::AboveMax => write!(formatter, "{field} must be at most {limit}"),
            PolicyCheck::RateRange => write!(
                formatter,
                "{field} must be greater than 0 and at most {limit}"
            ),
            PolicyCheck::BandInverted => write!(formatter, "{field} must not exceed {limit}"),
            PolicyCheck::AccountAboveRate => write!(
                formatter,
                "{field} {value} must be at most contribution_rate {limit} (R17: the personal account takes part of the contribution)"
            ),
            PolicyCheck::TooManyTiers => {
                write!(formatter, "{field} may have at most {limit} entries")
            }
            PolicyCheck::TierNameLength => write!(formatter, "{field} must be 1 to {limit} bytes"),
            PolicyCheck::TierRepeats => write!(formatter, "{field} repeats an earlier tier's"),
            PolicyCheck::DueRoundsToZero => write!(
                formatter,
                "the smallest due, average_monthly_wage × {field} × contribution_rate, rounds to {value}: a month would be covered for no contribution (R2, R4); it must come to at least {limit}"
            ),
            PolicyCheck::DelayBelowNextMonth => write!(
                formatter,
                "{field} must be at least {limit}: benefits start from the month after the payment at the earliest (S1, R7); 0 would cover the very month a member pays in, however late in it"
            ),
        }
    }
}

impl Policy {
    /// Checks what the JSON types alone cannot: sizes, order and ranges. The error
    /// names the field and the check, as data each language words.
    pub fn validate(&self) -> Result<(), PolicyInvalid> {
        self.validate_as_recorded()?;
        self.validate_delays()
    }

    /// [`Policy::validate`] but for the delays' lower bound (D87), which a policy
    /// recorded before it may break: a what-if replaying such a policy unchanged still
    /// runs (its delays checked only when it replaces one).
    pub fn validate_as_recorded(&self) -> Result<(), PolicyInvalid> {
        if self.average_monthly_wage.is_zero() {
            return Err(PolicyInvalid::new(
                PolicyCheck::NotPositive,
                "average_monthly_wage",
                0,
            ));
        }
        if self.average_monthly_wage.decimal()
            >= rust_decimal::Decimal::from(AVERAGE_MONTHLY_WAGE_MAX_EXCLUSIVE)
        {
            let limit = AVERAGE_MONTHLY_WAGE_MAX_EXCLUSIVE;
            return Err(PolicyInvalid::new(
                PolicyCheck::NotBelow,
                "average_monthly_wage",
                limit,
            ));
        }
        if self.base_ratio_max.decimal() > rust_decimal::Decimal::from(BASE_RATIO_MAX) {
            return Err(PolicyInvalid::new(
                PolicyCheck::AboveMax,
                "base_ratio_max",
                BASE_RATIO_MAX,
            ));
        }
        if self.contribution_rate.decimal().is_zero()
            || self.contribution_rate.decimal() > rust_decimal::Decimal::ONE
        {
            return Err(PolicyInvalid::new(
                PolicyCheck::RateRange,
                "contribution_rate",
                1,
            ));
        }
        if self.base_ratio_min.decimal().is_zero() {
            return Err(PolicyInvalid::new(
                PolicyCheck::NotPositive,
                "base_ratio_min",
                0,
            ));
        }
        if self.base_ratio_min > self.base_ratio_max {
            let limit = "base_ratio_max";
            return Err(PolicyInvalid::new(
                PolicyCheck::BandInverted,
                "base_ratio_min",
                limit,
            ));
        }
        self.validate_dues()?;
        let months = [
            ("grace_months", self.grace_months),
            ("benefit_delay_first", self.benefit_delay_first),
            ("benefit_delay_reenroll", self.benefit_delay_reenroll),
            (
                "first_wait_after_gap_months",
                self.first_wait_after_gap_months.unwrap_or(0),
            ),
        ];
        for (field, value) in months {
            if value > POLICY_MONTHS_MAX {
                return Err(PolicyInvalid::new(
                    PolicyCheck::AboveMax,
                    field,
                    POLICY_MONTHS_MAX,
                ));
            }
        }
        self.validate_tiers()
    }

    /// D87: S1's "from the next month of payment" bounds both delays from below; a
    /// delay of 0 let a member pay on the 31st for a stay that began on the 1st (a
    /// rules probe).
    pub fn validate_delays(&self) -> Result<(), PolicyInvalid> {
        let delays = [
            ("benefit_delay_first", self.benefit_delay_first),
            ("benefit_delay_reenroll", self.benefit_delay_reenroll),
        ];
        for (field, value) in delays {
            if value < BENEFIT_DELAY_MONTHS_MIN {
                let limit = BENEFIT_DELAY_MONTHS_MIN;
                let invalid = PolicyInvalid::new(PolicyCheck::DelayBelowNextMonth, field, limit);
                return Err(PolicyInvalid {
                    value: value.to_string(),
                    ..invalid
                });
            }
        }
        Ok(())
    }

    /// The dues a policy gives: the smallest not nothing, the account's part of each
    /// not more than the whole.
    fn validate_dues(&self) -> Result<(), PolicyInvalid> {
        // R2 rounds each due to cents: the smallest (the band's floor, D58) must not
        // round to nothing, or a month would be covered for no contribution (D70).
        let smallest = monthly_due(
            self.average_monthly_wage,
            self.base_ratio_min,
            self.contribution_rate,
        );
        if smallest.is_zero() {
            let invalid =
                PolicyInvalid::new(PolicyCheck::DueRoundsToZero, "base_ratio_min", "0.01");
            return Err(PolicyInvalid {
                value: smallest.to_string(),
                ..invalid
            });
        }
        if let Some(rate) = self.account_rate {
            if rate > self.contribution_rate {
                let limit = self.contribution_rate;
                let invalid =
                    PolicyInvalid::new(PolicyCheck::AccountAboveRate, "account_rate", limit);
                return Err(PolicyInvalid {
                    value: rate.to_string(),
                    ..invalid
                });
            }
        }
        Ok(())
    }

    fn validate_tiers(&self) -> Result<(), PolicyInvalid> {
        if self.benefit_tiers.len() > BENEFIT_TIERS_MAX {
            let limit = BENEFIT_TIERS_MAX;
            return Err(PolicyInvalid::new(
                PolicyCheck::TooManyTiers,
                "benefit_tiers",
                limit,
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (index, tier) in self.benefit_tiers.iter().enumerate() {
            if tier.tier.is_empty() || tier.tier.len() > TIER_NAME_BYTES_MAX {
                let field = format!("benefit_tiers[{index}].tier");
                let limit = TIER_NAME_BYTES_MAX;
                return Err(PolicyInvalid::new(
                    PolicyCheck::TierNameLength,
                    field,
                    limit,
                ));
            }
            let field = format!("benefit_tiers[{index}].min_continuous_months");
            if tier.min_continuous_months > POLICY_MONTHS_MAX {
                return Err(PolicyInvalid::new(
                    PolicyCheck::AboveMax,
                    field,
                    POLICY_MONTHS_MAX,
                ));
            }
            if !seen.insert(tier.min_continuous_months) {
                return Err(PolicyInvalid::new(PolicyCheck::TierRepeats, field, ""));
            }
        }
        Ok(())
    }

    /// R17: the part of a month's due credited to the personal account.
    pub fn to_account(&self, base_ratio: Ratio) -> Money {
        match self.account_rate {
            Some(rate) => super::money::monthly_due(self.average_monthly_wage, base_ratio, rate),
            None => Money::ZERO,
        }
    }

    /// P-band (R4, R15).
    pub fn base_ratio_allowed(&self, ratio: Ratio) -> bool {
        self.base_ratio_min <= ratio && ratio <= self.base_ratio_max
    }

    /// R14: the highest tier whose threshold is at most `continuous_months`.
    pub fn tier_for(&self, continuous_months: u32) -> Option<&str> {
        self.benefit_tiers
            .iter()
            .filter(|tier| tier.min_continuous_months <= continuous_months)
            .max_by_key(|tier| tier.min_continuous_months)
            .map(|tier| tier.tier.as_str())
    }
}
