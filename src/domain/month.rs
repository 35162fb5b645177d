//! Calendar months (R1): the unit of contribution, written `YYYY-MM`.
//!
//! A month is stored as a count of months since year 0 so that arithmetic is plain
//! integer arithmetic; the textual form is the only wire form.

use std::fmt;

/// Earliest year the ledger accepts. Contributions before 1990 do not exist in this scheme.
pub const YEAR_MIN: i32 = 1990;
/// Latest year the ledger accepts; keeps every month arithmetic far from overflow.
pub const YEAR_MAX: i32 = 2999;

/// A calendar month (R1).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    /// The month with the given year and month number (1..=12), if in range.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        if !(YEAR_MIN..=YEAR_MAX).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        // OK because month is 1..=12, so the cast is lossless.
        Some(Month(year * 12 + (month as i32 - 1)))
    }

    /// Parses exactly `YYYY-MM` (four digits, a dash, two digits, month 01..12).
    pub fn parse(text: &str) -> Option<Month> {
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return None;
        }
        let digits_ok = bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit);
        if !digits_ok {
            return None;
        }
        let year: i32 = text[..4].parse().ok()?;
        let month: u32 = text[5..].parse().ok()?;
        Month::new(year, month)
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// Month number 1..=12.
    pub fn month_number(self) -> u32 {
        // OK because rem_euclid(12) is 0..=11.
        self.0.rem_euclid(12) as u32 + 1
    }

    /// The first month the ledger records (R1, D13).
    pub const FIRST: Month = Month(YEAR_MIN * 12);
    /// The last month the ledger records (R1, D13): no month after it exists here, so
    /// nothing can open, start or end after it (D47).
    pub const LAST: Month = Month(YEAR_MAX * 12 + 11);

    /// The month `count` months later (or earlier for negative counts), or `None` when
    /// that month lies outside the accepted range ([`Month::FIRST`]..=[`Month::LAST`]).
    /// Use it wherever a month past the range would change an outcome: a month close
    /// (the next open month), a benefit start (R7), a back-pay deadline (R10), a grant's
    /// months (R16); the caller decides what "past the range" means there (D47).
    pub fn checked_plus(self, count: i64) -> Option<Month> {
        let value = i64::from(self.0).checked_add(count)?;
        let in_range = (i64::from(Month::FIRST.0)..=i64::from(Month::LAST.0)).contains(&value);
        // OK because a value within FIRST..=LAST fits i32.
        in_range.then(|| Month(i32::try_from(value).expect("a month in range fits i32")))
    }

    /// The month `count` months later (or earlier), clamped to the accepted range: a
    /// result past [`Month::LAST`] is `LAST` and one before [`Month::FIRST`] is `FIRST`.
    /// So `plus` can return a month that is *not* `count` months away (2999-12 plus one
    /// is 2999-12): it is only for callers where a clamped month changes nothing, and
    /// each such call says why in an `// OK because` comment. Everywhere else, use
    /// [`Month::checked_plus`].
    pub fn plus(self, count: i64) -> Month {
        let value = i64::from(self.0)
            .saturating_add(count)
            .clamp(i64::from(Month::FIRST.0), i64::from(Month::LAST.0));
        // OK because value is clamped into the i32 range of valid months.
        Month(i32::try_from(value).expect("clamped month fits i32"))
    }

    /// `plus(1)`: clamped, so `Month::LAST.next()` is `LAST` itself. The same rule as
    /// for `plus` applies: only where that changes nothing, else `checked_plus(1)`.
    pub fn next(self) -> Month {
        self.plus(1)
    }

    /// Number of months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: Month) -> i64 {
        i64::from(later.0) - i64::from(self.0)
    }

    /// Whether `self` is one of the `count` months from `first` on. Counted, not added:
    /// `first.plus(count)` as an end would clamp and leave out 2999-12 (D47).
    pub fn is_among(self, first: Month, count: u32) -> bool {
        first <= self && first.months_until(self) < i64::from(count)
    }

    /// Every month from `self` to `last`, inclusive (empty if `last < self`).
    pub fn through(self, last: Month) -> impl Iterator<Item = Month> {
        (self.0..=last.0).map(Month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year(), self.month_number())
    }
}

impl fmt::Debug for Month {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Month::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a month \"YYYY-MM\" between {YEAR_MIN}-01 and {YEAR_MAX}-12, got {text:?}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let month = Month::parse("2025-12").unwrap();
        assert_eq!(month.to_string(), "2025-12");
        assert_eq!(month.next().to_string(), "2026-01");
        assert_eq!(month.plus(-12).to_string(), "2024-12");
        for bad in [
            "2025-13", "2025-00", "25-01", "2025/01", "2025-1", "+025-01", "1989-12",
        ] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
    }

    /// `is_among` counts a run's months, so a grant ending in 2999-12 covers it (D47).
    #[test]
    fn a_run_of_months_counts_its_last_even_at_the_end_of_the_range() {
        let month = |text| Month::parse(text).unwrap();
        assert!(Month::LAST.is_among(month("2999-10"), 3));
        assert!(!Month::LAST.is_among(month("2999-10"), 2));
        assert!(month("2999-10").is_among(month("2999-10"), 1));
        assert!(!month("2999-09").is_among(month("2999-10"), 3));
        assert!(!month("2999-10").is_among(month("2999-10"), 0));
    }

    /// At either end of the range `checked_plus` says there is no such month, where
    /// `plus` clamps (D47): 2999-12 plus one is not 2999-12.
    #[test]
    fn checked_plus_has_no_month_past_either_end_where_plus_clamps() {
        let month = |text| Month::parse(text).unwrap();
        assert_eq!(Month::LAST, month("2999-12"));
        assert_eq!(Month::FIRST, month("1990-01"));
        assert_eq!(month("2999-11").checked_plus(1), Some(Month::LAST));
        assert_eq!(Month::LAST.checked_plus(0), Some(Month::LAST));
        assert_eq!(Month::LAST.checked_plus(1), None);
        assert_eq!(month("2999-08").checked_plus(6), None);
        assert_eq!(Month::FIRST.checked_plus(-1), None);
        assert_eq!(Month::FIRST.checked_plus(i64::MIN), None);
        assert_eq!(Month::LAST.checked_plus(i64::MAX), None);
        assert_eq!(month("2025-12").checked_plus(1), Some(month("2026-01")));
        assert_eq!(month("2025-01").checked_plus(-13), Some(month("2023-12")));
        // The clamping forms, which only callers it cannot mislead use.
        assert_eq!(Month::LAST.next(), Month::LAST);
        assert_eq!(month("2999-08").plus(6), Month::LAST);
        assert_eq!(Month::FIRST.plus(-1), Month::FIRST);
        assert_eq!(Month::LAST.plus(i64::MAX), Month::LAST);
    }

    /// The date is read digit by digit; chrono's `%Y-%m-%d` parser is the reference:
    /// the same dates accepted (leap days, month lengths), the same refused, and each
    /// printed back exactly as written.
    #[test]
    fn a_date_parses_as_chronos_format_parser_reads_it_and_prints_back() {
        let mut accepted = 0;
        for year in [
            "0000", "0400", "1899", "1990", "2000", "2023", "2024", "2100", "9999",
        ] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year}-{month:02}-{day:02}");
                    let reference = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                        .ok()
                        .filter(|_| Month::parse(&text[..7]).is_some());
                    let parsed = CalendarDate::parse(&text);
                    assert_eq!(parsed.map(|date| date.0), reference, "{text}");
                    if let Some(date) = parsed {
                        assert_eq!(date.to_string(), text);
                        accepted += 1;
                    }
                }
            }
        }
        // Five of the years are within YEAR_MIN..=YEAR_MAX; 2000 and 2024 are leap years.
        assert_eq!(accepted, 3 * 365 + 2 * 366);
        for bad in [
            "2024-2-29",
            "2024-02-2a",
            "2024/02/29",
            " 024-02-29",
            "+2024-02-29",
        ] {
            assert!(CalendarDate::parse(bad).is_none(), "{bad}");
        }
    }
}

/// A real calendar date written exactly `YYYY-MM-DD` (the contract's date form).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(chrono::NaiveDate);

impl CalendarDate {
    pub fn parse(text: &str) -> Option<CalendarDate> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
        if !shape_ok {
            return None;
        }
        // The digits are read directly: chrono's `parse_from_str` interprets its format
        // string on every call, and every event read back decodes its dates (~1% of a
        // rebuild's reading threads). The shape is checked above, so this is exact.
        let number = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0u32, |value, digit| value * 10 + u32::from(digit - b'0'))
        };
        // OK because a year of four digits is at most 9999.
        let year = number(0..4) as i32;
        let date = chrono::NaiveDate::from_ymd_opt(year, number(5..7), number(8..10))?;
        Month::parse(&text[..7])?;
        Some(CalendarDate(date))
    }

    /// The month this date lies in.
    pub fn month(self) -> Month {
        use chrono::Datelike;
        // OK because parse only accepts dates whose month parses as a Month.
        Month::new(self.0.year(), self.0.month()).expect("date month is in range")
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Datelike;
        // As `%Y-%m-%d` writes it for the years `parse` accepts (0..=9999).
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl fmt::Debug for CalendarDate {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl serde::Serialize for CalendarDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CalendarDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        CalendarDate::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a real calendar date \"YYYY-MM-DD\" between {YEAR_MIN}-01-01 and {YEAR_MAX}-12-31, got {text:?}"
            ))
        })
    }
}
