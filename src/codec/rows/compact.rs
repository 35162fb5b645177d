//! Compact serde for the months, amounts and ratios inside a member's row (state
//! format 5), used with `#[serde(with = …)]` on the row's fields.
//!
//! Why: a member's row is rewritten by every command of the member, and most of it is
//! month-keyed maps: in their text forms a month is 8 bytes in postcard (`2025-01`
//! with its length) and an amount 7–10 (`600.00`). As a count of months (a varint, 3
//! bytes) and a count of cents (a varint, 2–5 bytes) the row of flexledger-bench's
//! members is about half the size. Only member rows use these: feed items keep their
//! text forms (they are never rebuilt, so their encoding cannot change), and the
//! JSON rows need text.
//!
//! Every decode checks what the text forms' parsers check (a month in range, an amount
//! within its digits, a ratio within its digits and places) and that a map's months
//! strictly increase, so a damaged row is refused rather than read as another value.

use crate::domain::money::{Money, Ratio, TOTAL_INTEGER_DIGITS_MAX};
use crate::domain::month::Month;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// A month as its count of months since year 0 (`Month`'s own arithmetic).
fn month_count(month: Month) -> u32 {
    // OK because months are within YEAR_MIN..=YEAR_MAX (1990..=2999), so the count
    // is positive and far below u32::MAX.
    u32::try_from(month.year() * 12).expect("a month's year is positive") + month.month_number() - 1
}

fn month_of<E: serde::de::Error>(count: u32) -> Result<Month, E> {
    i32::try_from(count / 12)
        .ok()
        .and_then(|year| Month::new(year, count % 12 + 1))
        .ok_or_else(|| E::custom(format!("month count {count} is out of range")))
}

/// Most cents a stored amount may have: [`TOTAL_INTEGER_DIGITS_MAX`] integer digits
/// (a row keeps sums, such as a month's refunds over periods: D68).
const CENTS_LIMIT: u64 = 10u64.pow(TOTAL_INTEGER_DIGITS_MAX as u32 + 2);

/// An amount as its count of cents (every `Money` has exactly two places).
fn cents(amount: Money) -> u64 {
    let decimal = amount.decimal();
    assert_eq!(decimal.scale(), 2, "an amount always has two places");
    // OK because amounts are non-negative and a sum stays far below 10^17 (D68).
    let cents = u64::try_from(decimal.mantissa()).expect("an amount is non-negative and small");
    // Written only if it can be read back (`amount_of`). OK because no store reaches
    // it: 10^19 cents is 10^8 of D13's largest payments in one member's sum (D68), and
    // a crash there appends nothing, where a row written past it could not be read.
    assert!(
        cents < CENTS_LIMIT,
        "a sum of {cents} cents passed D68's bound"
    );
    cents
}

fn amount_of<E: serde::de::Error>(cents: u64) -> Result<Money, E> {
    if cents >= CENTS_LIMIT {
        return Err(E::custom(format!(
            "amount of {cents} cents has more than {TOTAL_INTEGER_DIGITS_MAX} integer digits"
        )));
    }
    Ok(Money::from_cents(cents))
}

/// A ratio as (digits, places): `1.50` is (150, 2), so it prints as it was written.
fn ratio_parts(ratio: Ratio) -> (u64, u32) {
    let decimal = ratio.decimal();
    // OK because a ratio is non-negative with at most 3 + 6 digits.
    let digits = u64::try_from(decimal.mantissa()).expect("a ratio is non-negative and small");
    (digits, decimal.scale())
}

fn ratio_of<E: serde::de::Error>((digits, places): (u64, u32)) -> Result<Ratio, E> {
    Ratio::from_parts(digits, places)
        .ok_or_else(|| E::custom(format!("ratio ({digits}, {places}) is out of range")))
}

/// Months of a row's map reserved before they are read (a century's; a map of more
/// grows as it is read).
const ROW_MONTHS_RESERVED_MAX: usize = 1200;

/// Adds `month` to `pairs`, refused unless it comes after every month already there
/// (a stored map's months strictly increase, as a `BTreeMap` writes them).
fn push_increasing<V, E: serde::de::Error>(
    pairs: &mut Vec<(Month, V)>,
    month: Month,
    value: V,
) -> Result<(), E> {
    if pairs.last().is_some_and(|(last, _)| *last >= month) {
        return Err(E::custom(format!("month {month} is out of order")));
    }
    pairs.push((month, value));
    Ok(())
}

/// The map of `pairs`, whose months strictly increase (`push_increasing`). Built from
/// the list at once, not by inserting the pairs one by one: the standard library
/// builds a map from sorted pairs by filling its nodes in order, with no search and
/// no split. Inserting was half of decoding a member's row of two years (by `perf`,
/// late in a 4.8-million-command import), and every command of a member that is not
/// cached decodes its row.
fn map_of_increasing<V>(pairs: Vec<(Month, V)>) -> BTreeMap<Month, V> {
    pairs.into_iter().collect()
}

/// Builds a map from pairs whose months strictly increase (`push_increasing`).
fn increasing<V, E: serde::de::Error>(
    pairs: impl IntoIterator<Item = Result<(Month, V), E>>,
) -> Result<BTreeMap<Month, V>, E> {
    let mut list = Vec::new();
    for pair in pairs {
        let (month, value) = pair?;
        push_increasing(&mut list, month, value)?;
    }
    Ok(map_of_increasing(list))
}

/// `Month` as a month count.
pub mod month {
    use super::*;

    pub fn serialize<S: Serializer>(month: &Month, serializer: S) -> Result<S::Ok, S::Error> {
        month_count(*month).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        month_of(u32::deserialize(deserializer)?)
    }
}

/// `Option<Month>` as an optional month count.
pub mod optional_month {
    use super::*;

    pub fn serialize<S: Serializer>(
        month: &Option<Month>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        month.map(month_count).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Month>, D::Error> {
        Option::<u32>::deserialize(deserializer)?
            .map(month_of)
            .transpose()
    }
}

/// A set of months as increasing month counts.
pub mod months {
    use super::*;

    pub fn serialize<S: Serializer>(
        months: &BTreeSet<Month>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(months.iter().map(|month| month_count(*month)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeSet<Month>, D::Error> {
        let counts = Vec::<u32>::deserialize(deserializer)?;
        let map = increasing(counts.into_iter().map(|count| Ok((month_of(count)?, ()))))?;
        Ok(map.into_keys().collect())
    }
}

/// A month-keyed map as (month count, `part(value)`) pairs.
fn serialize_by_month<V: Copy, W: Serialize, S: Serializer>(
    map: &BTreeMap<Month, V>,
    part: fn(V) -> W,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(
        map.iter()
            .map(|(month, value)| (month_count(*month), part(*value))),
    )
}

/// A month-keyed map from (month count, part) pairs, each part read by `value_of`,
/// listed and then built at once (`map_of_increasing`).
fn deserialize_by_month<'de, V, W: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
    value_of: fn(W) -> Result<V, D::Error>,
) -> Result<BTreeMap<Month, V>, D::Error> {
    struct ByMonth<V, W, E> {
        value_of: fn(W) -> Result<V, E>,
    }
    impl<'de, V, W: Deserialize<'de>, E: serde::de::Error> serde::de::Visitor<'de>
        for ByMonth<V, W, E>
    {
        type Value = BTreeMap<Month, V>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a list of (month count, value) pairs")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut pairs: A,
        ) -> Result<Self::Value, A::Error> {
            // A damaged row may claim any length: what is reserved ahead is capped.
            let expected = pairs.size_hint().unwrap_or(0);
            let mut list = Vec::with_capacity(expected.min(ROW_MONTHS_RESERVED_MAX));
            while let Some((count, part)) = pairs.next_element::<(u32, W)>()? {
                let month = month_of(count)?;
                let value = (self.value_of)(part).map_err(serde::de::Error::custom)?;
                push_increasing(&mut list, month, value)?;
            }
            Ok(map_of_increasing(list))
        }
    }
    deserializer.deserialize_seq(ByMonth { value_of })
}

/// Amounts by month as (month count, cents) pairs.
pub mod amounts {
    use super::*;

    pub fn serialize<S: Serializer>(
        amounts: &BTreeMap<Month, Money>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serialize_by_month(amounts, cents, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<Month, Money>, D::Error> {
        deserialize_by_month(deserializer, amount_of)
    }
}

/// Ratios by month as (month count, (digits, places)) pairs.
pub mod ratios {
    use super::*;

    pub fn serialize<S: Serializer>(
        ratios: &BTreeMap<Month, Ratio>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serialize_by_month(ratios, ratio_parts, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<Month, Ratio>, D::Error> {
        deserialize_by_month(deserializer, ratio_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Amounts(#[serde(with = "amounts")] BTreeMap<Month, Money>);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Ratios(#[serde(with = "ratios")] BTreeMap<Month, Ratio>);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Months(#[serde(with = "months")] BTreeSet<Month>);

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn values_read_back_as_written_and_out_of_range_ones_are_refused() {
        let amounts = Amounts(BTreeMap::from([
            (month("1990-01"), Money::parse("0").unwrap()),
            (month("2999-12"), Money::parse("999999999999.99").unwrap()),
        ]));
        let bytes = postcard::to_stdvec(&amounts).unwrap();
        let read = postcard::from_bytes::<Amounts>(&bytes).unwrap();
        assert_eq!(read, amounts);
        let kept: Vec<(i128, u32)> = read
            .0
            .values()
            .map(|amount| (amount.decimal().mantissa(), amount.decimal().scale()))
            .collect();
        assert_eq!(
            kept,
            [(0, 2), (99_999_999_999_999, 2)],
            "cents at two places"
        );
        let ratios = Ratios(BTreeMap::from([
            (month("2025-01"), Ratio::parse("0.60").unwrap()),
            (month("2025-02"), Ratio::parse("999.123456").unwrap()),
        ]));
        let bytes = postcard::to_stdvec(&ratios).unwrap();
        let read = postcard::from_bytes::<Ratios>(&bytes).unwrap();
        assert_eq!(read, ratios);
        assert_eq!(read.0[&month("2025-01")].to_string(), "0.60", "places kept");
        let months = Months(BTreeSet::from([month("2025-01"), month("2025-03")]));
        let bytes = postcard::to_stdvec(&months).unwrap();
        assert_eq!(postcard::from_bytes::<Months>(&bytes).unwrap(), months);

        let count = |text: &str| month_count(month(text));
        assert_eq!(count("2025-01"), 2025 * 12);
        let refused_amounts = |pairs: Vec<(u32, u64)>| {
            postcard::from_bytes::<Amounts>(&postcard::to_stdvec(&pairs).unwrap()).is_err()
        };
        assert!(refused_amounts(vec![(12, 1)]), "a month before 1990");
        assert!(refused_amounts(vec![(3000 * 12, 1)]), "a month after 2999");
        // A sum may pass an amount's 12 digits, up to 17 (D68), and no further.
        assert!(!refused_amounts(vec![(
            count("2025-01"),
            100_000_000_000_000
        )]));
        assert!(!refused_amounts(vec![(count("2025-01"), CENTS_LIMIT - 1)]));
        assert!(
            refused_amounts(vec![(count("2025-01"), CENTS_LIMIT)]),
            "18 integer digits"
        );
        let unordered = vec![(count("2025-02"), 1), (count("2025-01"), 1)];
        assert!(refused_amounts(unordered), "months out of order");
        let twice = vec![(count("2025-01"), 1), (count("2025-01"), 2)];
        assert!(refused_amounts(twice), "a month twice");
        let refused_ratio = |parts: (u64, u32)| {
            let pairs = vec![(count("2025-01"), parts)];
            postcard::from_bytes::<Ratios>(&postcard::to_stdvec(&pairs).unwrap()).is_err()
        };
        assert!(refused_ratio((1_000_000_000, 6)), "four integer digits");
        assert!(refused_ratio((1, 7)), "seven places");
        assert!(refused_ratio((1, 40)), "beyond any decimal");
    }
}
