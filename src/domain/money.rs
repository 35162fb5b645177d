//! Money and ratios (R2): exact decimals, never floats.
//!
//! On the wire both are decimal *strings*; a JSON number is refused so that no amount
//! ever passes through a binary float. Amounts carry at most two decimal places and are
//! always printed with exactly two.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// Most integer digits an amount may have (CNY 999,999,999,999.99 is far above any due).
pub const AMOUNT_INTEGER_DIGITS_MAX: usize = 12;
/// Most integer digits of a sum the ledger keeps (D68): a region's month totals, a
/// member's account balance, a month's refunds over its periods. Each amount a command
/// carries has at most [`AMOUNT_INTEGER_DIGITS_MAX`] (D13), but nothing bounds how
/// many of them add up: 1,001 members paying D13's largest due for one month passed 12
/// digits, and a store that wrote such a total could not read it back. 17 digits in
/// cents fit a `u64` (a stored member row keeps cents), 10^5 times a province's month
/// of D13's largest dues.
pub const TOTAL_INTEGER_DIGITS_MAX: usize = 17;
/// Most integer digits a ratio or rate may have.
pub const RATIO_INTEGER_DIGITS_MAX: usize = 3;
/// Most decimal places a ratio or rate may have.
pub const RATIO_DECIMAL_PLACES_MAX: usize = 6;

/// A non-negative CNY amount with two decimal places (R2).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

/// A non-negative decimal ratio or rate (base ratio, contribution rate).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ratio(Decimal);

/// Most decimal places a subsidy share may have (R16: "at most four places").
pub const SHARE_DECIMAL_PLACES_MAX: usize = 4;

/// A subsidy share (R16): a decimal string with at most four places as written.
/// Parsing checks the form only; the range (0, 0.6667] is a rule, checked where the
/// contract orders it (`invalid_command` for ≤ 0, `subsidy_limit_exceeded` above).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Share(Decimal);

/// Checks `text` is plain digits with an optional fraction, within the given sizes.
fn plain_decimal(text: &str, integer_digits_max: usize, places_max: usize) -> Option<Decimal> {
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let integer_ok = !integer.is_empty()
        && integer.len() <= integer_digits_max
        && integer.bytes().all(|byte| byte.is_ascii_digit());
    let fraction_ok = match fraction {
        None => true,
        Some(fraction) => {
            !fraction.is_empty()
                && fraction.len() <= places_max
                && fraction.bytes().all(|byte| byte.is_ascii_digit())
        }
    };
    if !integer_ok || !fraction_ok {
        return None;
    }
    text.parse::<Decimal>().ok()
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses `"600"`, `"600.5"` or `"600.00"`; refuses signs, exponents, spaces and
    /// more than two decimal places.
    pub fn parse(text: &str) -> Option<Money> {
        plain_decimal(text, AMOUNT_INTEGER_DIGITS_MAX, 2).map(Money::from_decimal)
    }

    /// Parses a stored sum ([`TOTAL_INTEGER_DIGITS_MAX`] integer digits, D68) as
    /// [`Money::parse`] parses an amount.
    pub fn parse_total(text: &str) -> Option<Money> {
        plain_decimal(text, TOTAL_INTEGER_DIGITS_MAX, 2).map(Money::from_decimal)
    }

    /// Rounds half away from zero to two places (R2).
    pub fn from_decimal(value: Decimal) -> Money {
        // Two places already (a sum or difference of amounts, an amount parsed with
        // both): rounding to two places and rescaling to two change nothing.
        if value.scale() == 2 {
            return Money(value);
        }
        let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(2);
        Money(rounded)
    }

    /// An amount of `cents` cents: already two places, so nothing to round (a stored
    /// member row holds its amounts as cents, and decoding one is on every command's
    /// path: `from_decimal`'s rounding was a third of that decode).
    pub fn from_cents(cents: u64) -> Money {
        // A u64 is far within a Decimal's 96-bit mantissa, and never negative.
        Money(Decimal::from_i128_with_scale(i128::from(cents), 2))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money::from_decimal(self.0 + other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |total, amount| total + amount)
    }
}

impl Ratio {
    /// Parses a plain decimal string such as `"0.60"` (up to six decimal places).
    pub fn parse(text: &str) -> Option<Ratio> {
        plain_decimal(text, RATIO_INTEGER_DIGITS_MAX, RATIO_DECIMAL_PLACES_MAX).map(Ratio)
    }

    /// The ratio `digits` × 10^-`places` (`1.50` is (150, 2)), within what `parse`
    /// accepts: at most six places and three integer digits. A stored row's reader,
    /// which would otherwise print the number only to parse it again.
    pub fn from_parts(digits: u64, places: u32) -> Option<Ratio> {
        if places as usize > RATIO_DECIMAL_PLACES_MAX {
            return None;
        }
        let limit = 10u64.pow(RATIO_INTEGER_DIGITS_MAX as u32 + places);
        (digits < limit).then(|| Ratio(Decimal::from_i128_with_scale(i128::from(digits), places)))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }
}

impl Share {
    /// Parses `"0.6667"` or `"0.5"`; refuses more than four places (`"0.66670"`).
    /// Integer digits are allowed (as for a ratio) so that `"10"` is a share too large
    /// (`subsidy_limit_exceeded`), not a malformed one: the contract calls malformed
    /// only a share with more than four places, or not a decimal string.
    pub fn parse(text: &str) -> Option<Share> {
        plain_decimal(text, RATIO_INTEGER_DIGITS_MAX, SHARE_DECIMAL_PLACES_MAX).map(Share)
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }
}

/// A month's subsidy (R16): `round2(paid × share)`.
pub fn subsidy_of(paid: Money, share: Share) -> Money {
    Money::from_decimal(paid.0 * share.0)
}

impl std::ops::Sub for Money {
    type Output = Money;
    /// Differences of totals the ledger keeps (accrued − paid out, paid − to the
    /// account). A negative result means a broken invariant, so it crashes.
    fn sub(self, other: Money) -> Money {
        assert!(
            self.0 >= other.0,
            "money difference below zero: {self} - {other}"
        );
        Money::from_decimal(self.0 - other.0)
    }
}

/// The contribution due for one month (R4): `round2(wage × base ratio × rate)`,
/// rounded once, at the end.
pub fn monthly_due(wage: Money, base_ratio: Ratio, rate: Ratio) -> Money {
    Money::from_decimal(wage.0 * base_ratio.0 * rate.0)
}

impl fmt::Display for Money {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:.2}", self.0)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl fmt::Display for Share {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, formatter)
    }
}

impl fmt::Debug for Share {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, formatter)
    }
}

impl fmt::Debug for Ratio {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

/// Serde for decimal strings: a JSON number is refused with a message naming the form.
macro_rules! decimal_string_serde {
    ($type:ty, $expected:literal) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $type;
                    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                        formatter.write_str($expected)
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$type, E> {
                        <$type>::parse(text).ok_or_else(|| {
                            E::custom(format!(concat!("expected ", $expected, ", got {:?}"), text))
                        })
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

/// Reads a stored sum (`#[serde(deserialize_with = "crate::domain::money::total")]`):
/// as an amount, but with [`TOTAL_INTEGER_DIGITS_MAX`] integer digits (D68).
pub fn total<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Money;
        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                formatter,
                "a sum as a plain decimal string of at most {TOTAL_INTEGER_DIGITS_MAX} digits before the point and two after"
            )
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Money, E> {
            Money::parse_total(text)
                .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))
        }
    }
    deserializer.deserialize_str(Visitor)
}

decimal_string_serde!(
    Money,
    "an amount as a plain decimal string, without a sign, of at most 12 digits before the point and two after, like \"600.00\""
);
decimal_string_serde!(
    Share,
    "a share as a plain decimal string, without a sign, of at most 3 digits before the point and four after, like \"0.6667\""
);
decimal_string_serde!(
    Ratio,
    "a ratio as a plain decimal string, without a sign, of at most 3 digits before the point and six after, like \"0.60\""
);

#[cfg(test)]
mod tests {
    use super::*;

    /// A sign or too many digits is said as such, not as "two decimal places" (an
    /// operator sending "-600.00" read that it had too many decimals), and the limits
    /// said are the ones the parser applies.
    #[test]
    fn a_refused_amount_ratio_or_share_says_its_sign_and_digit_limits() {
        let refused = |text: &str| -> [String; 3] {
            let json = serde_json::Value::String(text.to_owned());
            [
                serde_json::from_value::<Money>(json.clone())
                    .unwrap_err()
                    .to_string(),
                serde_json::from_value::<Ratio>(json.clone())
                    .unwrap_err()
                    .to_string(),
                serde_json::from_value::<Share>(json)
                    .unwrap_err()
                    .to_string(),
            ]
        };
        let [amount, ratio, share] = refused("-600.00");
        for message in [&amount, &ratio, &share] {
            assert!(message.contains("without a sign"), "{message}");
        }
        assert!(amount.contains(&format!(
            "at most {AMOUNT_INTEGER_DIGITS_MAX} digits before the point"
        )));
        assert!(ratio.contains(&format!(
            "at most {RATIO_INTEGER_DIGITS_MAX} digits before the point"
        )));
        assert!(share.contains(&format!(
            "at most {RATIO_INTEGER_DIGITS_MAX} digits before the point"
        )));
        let too_long = "9".repeat(AMOUNT_INTEGER_DIGITS_MAX + 1) + ".00";
        assert!(Money::parse(&too_long).is_none());
        assert!(Money::parse(&too_long[1..]).is_some());
        assert_eq!(
            (RATIO_DECIMAL_PLACES_MAX, SHARE_DECIMAL_PLACES_MAX),
            (6, 4),
            "the words say six and four"
        );
    }

    #[test]
    fn due_rounds_half_away_from_zero_once() {
        let wage = Money::parse("10000.00").unwrap();
        let due = monthly_due(
            wage,
            Ratio::parse("0.60").unwrap(),
            Ratio::parse("0.10").unwrap(),
        );
        assert_eq!(due.to_string(), "600.00");
        // 3333.33 × 0.6 × 0.0125 = 24.999975 → 25.00
        let due = monthly_due(
            Money::parse("3333.33").unwrap(),
            Ratio::parse("0.6").unwrap(),
            Ratio::parse("0.0125").unwrap(),
        );
        assert_eq!(due.to_string(), "25.00");
        // 0.005 → 0.01 (half away from zero, not banker's rounding)
        let due = monthly_due(
            Money::parse("0.05").unwrap(),
            Ratio::parse("1").unwrap(),
            Ratio::parse("0.1").unwrap(),
        );
        assert_eq!(due.to_string(), "0.01");
    }

    /// The shortcut for two places gives what rounding and rescaling give: the same
    /// value, scale and text, negative zero and the largest mantissa included.
    #[test]
    fn an_amount_of_two_places_is_taken_as_rounding_would_give_it() {
        let rounded = |value: Decimal| {
            let mut rounded =
                value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            rounded.rescale(2);
            rounded
        };
        // `Decimal::new(-0, 2)` would be positive zero: the sign is set on its own.
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        let mut values = vec![negative_zero, Decimal::new(i64::MAX, 2)];
        values.push(Decimal::from_i128_with_scale((1 << 96) - 1, 2));
        for cents in [0i64, 1, 5, 99, 100, 60_000, -1, -60_050, 123_456_789] {
            values.push(Decimal::new(cents, 2));
            values.push(Decimal::new(cents, 2) + Decimal::new(cents, 2));
            values.push(Decimal::new(cents, 2) - Decimal::new(7, 2));
        }
        for value in values {
            assert_eq!(value.scale(), 2, "{value}");
            let money = Money::from_decimal(value);
            assert_eq!(money.0, rounded(value), "{value}");
            assert_eq!(money.0.scale(), rounded(value).scale(), "{value}");
            assert_eq!(money.0.to_string(), rounded(value).to_string(), "{value}");
            assert_eq!(
                money.0.is_sign_negative(),
                rounded(value).is_sign_negative()
            );
        }
    }

    #[test]
    fn parses_only_plain_decimal_strings() {
        assert_eq!(
            Money::parse("600").unwrap(),
            Money::parse("600.00").unwrap()
        );
        assert_eq!(Money::parse("600.5").unwrap().to_string(), "600.50");
        for bad in ["", "-1", "+1", "1e3", " 1", "1.", ".5", "1.005", "1,000"] {
            assert!(Money::parse(bad).is_none(), "{bad}");
        }
    }
}
