//! What people read, in their language: the message catalog (`locales/`, Project
//! Fluent, D37), the choice of language, and refusals rendered from their data.
//!
//! Above the domain and beside nothing else: it renders the domain's data
//! (`Refusal`'s `RefusalText`) and is pure (the catalog is compiled in; the shells read
//! the environment and headers and pass them in). English is the default: a refusal's
//! `message` is the contract's English unless the reader asked for another language,
//! and then a shell shows `refusal_message` instead (HTTP does, by `Accept-Language`);
//! the code never changes (D37).

mod catalog;
mod detail;
mod language;

pub use catalog::{Arg, Catalog, MessageSource};
pub use detail::{detail_in, line_detail_in};
pub use language::{Language, UnknownLanguage};

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

use crate::domain::Refusal;
use std::borrow::Cow;

/// Message `id` in `language`, with its arguments by name; `None` if the catalog has no
/// such message or it needs an argument not given.
pub fn tr(language: Language, id: &str, args: &[(&str, String)]) -> Option<String> {
    Catalog::get().tr(language, id, args)
}

/// [`tr`] with typed arguments (counts for plural selectors).
pub fn tr_args(language: Language, id: &str, args: &[(&str, Arg)]) -> Option<String> {
    Catalog::get().tr_args(language, id, args)
}

/// A refusal's message in `language`, from the catalog and the refusal's data. A
/// refusal without data (the shells' own refusals, one read
/// back from JSON), or whose message the catalog cannot render, shows its English `message`.
/// In English this equals `message` for every refusal the domain decides.
pub fn refusal_message(language: Language, refusal: &Refusal) -> String {
    refusal
        .text
        .as_ref()
        .and_then(|text| {
            let args: Vec<(&str, Arg)> = text
                .args()
                .into_iter()
                .map(|(name, value)| (name, refusal_arg(name, value)))
                .collect();
            tr_args(language, text.id(), &args)
        })
        .unwrap_or_else(|| refusal.message.clone())
}

/// A refusal's argument: its `Display`, except that one named `count`, `granted`,
/// `remaining` or `known_count` is a Fluent number, so the English message can say "1 month" and
/// "2 months" by its plural and "no more" for none left, and one named `detail` is
/// serde's words in a parse refusal (`Arg::LineSerdeWords`).
fn refusal_arg(name: &str, value: String) -> Arg {
    match (name, value.parse::<i64>()) {
        ("count" | "granted" | "remaining" | "known_count", Ok(count)) => Arg::Count(count),
        // A refusal's serde words are of one command, parsed alone (a `submit` line).
        ("detail", _) => Arg::LineSerdeWords(value),
        // Every command name, comma-separated in the refusal's data: listed as the
        // reader's language lists (it was ", " inside Chinese).
        ("names" | "known", _) => Arg::List(value.split(", ").map(str::to_owned).collect()),
        _ => Arg::Text(value),
    }
}

/// Message `id` in `language`, for renderers whose every sentence is in the catalog
/// (`explain`, event descriptions). A message the language lacks falls back to
/// English, then to its id (the catalog tests fail before either ships). In a debug
/// build the arguments must be exactly the message's variables, so the expect tests,
/// which reach every message, catch an argument given and unused or used and not given.
pub fn say(language: Language, id: &str, args: &[(&str, Arg)]) -> String {
    debug_assert_eq!(
        Catalog::variables(Language::En, id),
        Some(args.iter().map(|(name, _)| (*name).to_owned()).collect()),
        "{id}: the arguments given are not the message's variables"
    );
    tr_args(language, id, args)
        .or_else(|| tr_args(Language::En, id, args))
        .unwrap_or_else(|| id.to_owned())
}

/// A message argument shown as it is (months, money, ids, codes).
pub fn text(value: impl ToString) -> Arg {
    Arg::Text(value.to_string())
}

/// Names listed in a message, joined as its language lists them ([`Arg::List`]).
pub fn list<T: ToString>(names: impl IntoIterator<Item = T>) -> Arg {
    Arg::List(names.into_iter().map(|name| name.to_string()).collect())
}

/// How exactly an instant is said ([`Arg::Instant`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstantForm {
    /// To be asked for again (`--as-of-time` takes it back as it is): RFC 3339, with
    /// every fraction of a second it has.
    Exact,
    /// To be read: to the second.
    Seconds,
}

/// Beijing time's offset from UTC, in seconds: China keeps one time zone, UTC+8, with
/// no daylight saving.
const BEIJING_OFFSET_SECONDS: i32 = 8 * 3600;

/// `at` on Beijing's clock.
pub fn beijing_time(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    // OK because 8 hours is within a day, the only bound east_opt checks.
    let beijing = FixedOffset::east_opt(BEIJING_OFFSET_SECONDS).expect("UTC+8 is a valid offset");
    at.with_timezone(&beijing)
}

/// An instant as a reader of `language` reads a clock: in UTC in English, in Beijing
/// time in Chinese (the agency's staff read their own clock: an event recorded at
/// 09:30 in Beijing is not "01:30", and a `--as-of-time` given as `+08:00` was said
/// back in UTC). The JSON and the log keep UTC.
pub fn instant_in(language: Language, at: DateTime<Utc>, form: InstantForm) -> String {
    const SECONDS: &str = "%Y-%m-%d %H:%M:%S";
    match (language, form) {
        (Language::En, InstantForm::Exact) => at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        (Language::ZhCn, InstantForm::Exact) => {
            beijing_time(at).to_rfc3339_opts(SecondsFormat::AutoSi, true)
        }
        (Language::En, InstantForm::Seconds) => format!("{} UTC", at.format(SECONDS)),
        (Language::ZhCn, InstantForm::Seconds) => {
            format!("{}（北京时间）", beijing_time(at).format(SECONDS))
        }
    }
}

/// An instant, said as the message's language reads a clock ([`instant_in`]).
pub fn instant(at: DateTime<Utc>, form: InstantForm) -> Arg {
    Arg::Instant(at, form)
}

/// A count, for plural selectors.
pub fn count(value: impl TryInto<i64>) -> Arg {
    // Counts of months fit in i64; were one not to, its largest value shows.
    Arg::Count(value.try_into().unwrap_or(i64::MAX))
}

/// Terminal columns of `text`, for tables and aligned lines: two for a CJK character
/// or full-width punctuation, one for anything else.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' => 2,
            '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' => 2,
            _ => 1,
        })
        .sum()
}

/// A catalog sentence with its arguments, as data, so every language states the same
/// facts: why a bundle failed a check (`audit::bundle::verify`), or a command-line
/// value parser's refusal, whose `Display` is the English (what clap shows an English
/// reader, and a log) and which the Chinese error formatter says in Chinese
/// (`cli::parse_errors`).
///
/// Serializable, for the one file that keeps a sentence to say it again later, in the
/// language of whoever reads it then (the damage mark's finding, D61): read back, its
/// ids and names are owned (`Cow`), and [`Sentence::is_known`] says whether this build's
/// catalog can say it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sentence {
    id: Cow<'static, str>,
    args: Vec<(Cow<'static, str>, String)>,
    /// The argument that is serde's own English (`detail`), said in the reader's
    /// language where [`detail_in`] understands it (`Arg::SerdeWords`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<Cow<'static, str>>,
    /// Whether `detail` is of one line parsed alone, whose "line 1" is left out where
    /// the sentence names the line itself (`Arg::LineSerdeWords`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    detail_of_one_line: bool,
    /// Arguments that are sentences of their own (what a damage report found), said in
    /// the same language as the sentence around them (`Arg::Said`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    said: Vec<(Cow<'static, str>, Sentence)>,
}

impl Sentence {
    /// Message `id` with these arguments (in a debug build `say` checks they are the
    /// message's variables).
    pub fn new(id: &'static str, args: Vec<(&'static str, String)>) -> Sentence {
        Sentence {
            id: Cow::Borrowed(id),
            args: args
                .into_iter()
                .map(|(name, value)| (Cow::Borrowed(name), value))
                .collect(),
            detail: None,
            detail_of_one_line: false,
            said: Vec::new(),
        }
    }

    /// The same sentence with argument `name` a sentence of its own, said in the
    /// language this one is said in.
    pub fn with_said(mut self, name: &'static str, sentence: Sentence) -> Sentence {
        self.said.push((Cow::Borrowed(name), sentence));
        self
    }

    /// The same sentence, its argument `name` being serde's English words, which
    /// [`detail_in`] says in the reader's language where it can.
    pub fn with_detail(mut self, name: &'static str) -> Sentence {
        self.detail = Some(Cow::Borrowed(name));
        self
    }

    /// [`Sentence::with_detail`] for the words of one line parsed alone, said where the
    /// line is named already (a backup's `第 49 行：`): its "line 1" is left out.
    pub fn with_line_detail(mut self, name: &'static str) -> Sentence {
        self.detail = Some(Cow::Borrowed(name));
        self.detail_of_one_line = true;
        self
    }

    /// Whether this sentence, or one inside it, is a message whose id starts with
    /// `prefix`: what a finding is, however it is wrapped.
    pub fn says(&self, prefix: &str) -> bool {
        self.id.starts_with(prefix) || self.said.iter().any(|(_, inner)| inner.says(prefix))
    }

    /// Whether this build's catalog has the message and exactly these arguments for it,
    /// and for every sentence inside: a sentence read back from a file written by
    /// another build may name a message this one does not have.
    pub fn is_known(&self) -> bool {
        let given: std::collections::BTreeSet<String> = self
            .args
            .iter()
            .map(|(name, _)| name)
            .chain(self.said.iter().map(|(name, _)| name))
            .map(|name| name.to_string())
            .collect();
        Catalog::variables(Language::En, &self.id) == Some(given)
            && self.said.iter().all(|(_, sentence)| sentence.is_known())
    }

    /// The sentence in `language`.
    pub fn in_language(&self, language: Language) -> String {
        let args: Vec<(&str, Arg)> = self
            .args
            .iter()
            .map(|(name, value)| {
                let value = if self.detail.as_deref() != Some(name.as_ref()) {
                    Arg::Text(value.clone())
                } else if self.detail_of_one_line {
                    Arg::LineSerdeWords(value.clone())
                } else {
                    Arg::SerdeWords(value.clone())
                };
                (name.as_ref(), value)
            })
            .chain(
                self.said
                    .iter()
                    .map(|(name, sentence)| (name.as_ref(), Arg::Said(Box::new(sentence.clone())))),
            )
            .collect();
        say(language, &self.id, &args)
    }
}

impl std::fmt::Display for Sentence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_language(Language::En))
    }
}

impl std::error::Error for Sentence {}

/// The English of an error that is said as a catalog sentence where it has one (its
/// `Display`), empty where it has none (those variants keep `#[error]` words of their
/// own): one definition for every error type whose English is its sentence.
pub fn english_of(sentence: Option<Sentence>) -> String {
    sentence
        .map(|sentence| sentence.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_two_columns_a_character() {
        assert_eq!(display_width("position"), 8);
        assert_eq!(display_width("位置"), 4);
        assert_eq!(display_width("待遇档次（R7）"), 14);
        assert_eq!(display_width("→ 2025-01"), 9);
    }

    #[test]
    fn a_count_is_a_number_and_text_is_shown_as_it_is() {
        let args = [("status", text("waiting"))];
        assert_eq!(say(Language::ZhCn, "word-status-short", &args), "等待期");
        assert_eq!(say(Language::En, "word-status-short", &args), "waiting");
        let args = [("position", text(3_u64))];
        assert_eq!(
            say(Language::ZhCn, "explain-at-position", &args),
            "（事件位置 3）"
        );
        assert_eq!(
            say(Language::En, "explain-at-position", &args),
            " (position 3)"
        );
        let args = [("reset", count(6_u32))];
        assert_eq!(
            say(Language::En, "event-policy-reset", &args),
            ", first wait again after a gap of over 6 months (P-reset, R7)"
        );
    }
}
