//! Which language a person reads: chosen from a flag, the environment or an HTTP
//! `Accept-Language` header. Pure: the shells read the environment and pass it in.

use std::str::FromStr;
use unic_langid::LanguageIdentifier;

/// The most `Accept-Language` entries read; a header is a client's list of a few
/// preferences, and anything past this is not a preference anyone wrote.
const ACCEPT_LANGUAGE_ENTRIES_MAX: usize = 32;

/// A language flexledger's messages are written in. English is the default and the
/// language of the wire and the contract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    #[default]
    En,
    /// Simplified Chinese as used in mainland China: the glossary's terms
    /// (`docs/GLOSSARY.md`).
    ZhCn,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::ZhCn];

    /// The BCP 47 tag, as the catalog directories under `locales/` are named.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
        }
    }

    /// The tag as Fluent's identifier (for its plural rules). Both tags parse; were
    /// one not to, the undetermined language would only lose plural categories.
    pub fn identifier(self) -> LanguageIdentifier {
        LanguageIdentifier::from_str(self.tag()).unwrap_or_default()
    }

    /// The supported language a tag or POSIX locale names: `zh`, `zh-CN`, `zh-Hans`,
    /// `zh_CN.UTF-8` and `zh-SG` are Simplified Chinese; `en…` is English. `None` for
    /// any other, including Traditional Chinese (`zh-TW`, `zh-Hant`): its readers are
    /// not offered a script they did not ask for, and a later preference may match.
    pub fn from_tag(text: &str) -> Option<Language> {
        // A POSIX locale: `language_REGION.encoding@modifier`.
        let name = text.split(['.', '@']).next().unwrap_or_default().trim();
        let identifier = LanguageIdentifier::from_str(&name.replace('_', "-")).ok()?;
        match identifier.language.as_str() {
            "en" => Some(Language::En),
            "zh" => {
                let script = identifier.script.map(|script| script.as_str().to_owned());
                let region = identifier.region.map(|region| region.as_str().to_owned());
                let traditional = match script.as_deref() {
                    Some(script) => script != "Hans",
                    None => matches!(region.as_deref(), Some("TW" | "HK" | "MO")),
                };
                (!traditional).then_some(Language::ZhCn)
            }
            _ => None,
        }
    }

    /// The language of a command line: `flag` (`--lang`) if given, else the first of
    /// `FLEXLEDGER_LANG`, `LC_ALL` and `LANG` that is set and not empty decides, and a
    /// value of those naming no supported language (`C`, `POSIX`, `fr_FR.UTF-8`) means
    /// English. A flag naming no supported language is an error listing the choices: a
    /// person typed it, and English in its place would look like the flag was ignored.
    /// Pure: the shells read the environment and pass its values in.
    pub fn negotiate(
        flag: Option<&str>,
        flexledger_lang: Option<&str>,
        lc_all: Option<&str>,
        lang: Option<&str>,
    ) -> Result<Language, UnknownLanguage> {
        if let Some(flag) = flag {
            return Language::from_tag(flag.trim()).ok_or_else(|| UnknownLanguage(flag.to_owned()));
        }
        Ok([flexledger_lang, lc_all, lang]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|value| !value.is_empty())
            .and_then(Language::from_tag)
            .unwrap_or_default())
    }

    /// The language of an HTTP request: the supported language of highest quality in
    /// `Accept-Language` (RFC 9110 §12.5.4; the first listed among equals; `q=0`
    /// means "not this one"), English if none.
    pub fn from_accept_language(header: &str) -> Language {
        let mut preferences: Vec<(u16, Language)> = header
            .split(',')
            .take(ACCEPT_LANGUAGE_ENTRIES_MAX)
            .filter_map(|entry| {
                let mut parts = entry.split(';');
                let language = Language::from_tag(parts.next()?.trim())?;
                let quality = parts
                    .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                    .map(quality_thousandths)
                    .next()
                    .unwrap_or(Some(QUALITY_MAX))?;
                (quality > 0).then_some((quality, language))
            })
            .collect();
        // Stable: among equal qualities the header's order stands.
        preferences.sort_by_key(|(quality, _)| std::cmp::Reverse(*quality));
        preferences
            .first()
            .map_or(Language::default(), |(_, language)| *language)
    }
}

/// A quality of 1, in thousandths.
const QUALITY_MAX: u16 = 1000;

/// A `q` value (`0`, `0.5`, `1.000`) in thousandths; `None` if it is not one.
fn quality_thousandths(text: &str) -> Option<u16> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits_ok = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if !matches!(whole, "0" | "1") || fraction.len() > 3 || !digits_ok(fraction) {
        return None;
    }
    let padded = format!("{fraction:0<3}");
    let thousandths = u16::from_str(&padded).ok()? + if whole == "1" { QUALITY_MAX } else { 0 };
    (thousandths <= QUALITY_MAX).then_some(thousandths)
}

/// A `--lang` value that names no supported language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLanguage(pub String);

impl UnknownLanguage {
    /// The refusal, naming where the value was given: `--lang`, or `FLEXLEDGER_LANG`
    /// (the ledger's own variable, set on purpose: a typo there is refused as the
    /// flag's is, where `LC_ALL` and `LANG` naming another language mean English).
    pub fn said_for(&self, setting: &str) -> String {
        let choices: Vec<&str> = Language::ALL
            .iter()
            .map(|language| language.tag())
            .collect();
        // Said in both languages: no language was chosen, and the reader may well
        // have asked for Chinese by another name (`中文`, `zh-TW`).
        format!(
            "{setting} {:?} names no language flexledger speaks: choose one of {} \
             ({setting} {:?} 不是 flexledger 支持的语言：请从 {} 中选择，简体中文请用 zh-CN)",
            self.0,
            choices.join(", "),
            self.0,
            choices.join("、")
        )
    }
}

impl std::fmt::Display for UnknownLanguage {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.said_for("--lang"))
    }
}

impl std::error::Error for UnknownLanguage {}

impl std::fmt::Display for Language {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualities_are_read_in_thousandths() {
        assert_eq!(quality_thousandths("0.5"), Some(500));
        assert_eq!(quality_thousandths("1"), Some(1000));
        assert_eq!(quality_thousandths("1.000"), Some(1000));
        assert_eq!(quality_thousandths("0"), Some(0));
        assert_eq!(quality_thousandths("1.5"), None);
        assert_eq!(quality_thousandths("0.1234"), None);
        assert_eq!(quality_thousandths("abc"), None);
    }

    #[test]
    fn the_flag_then_flexledger_lang_then_lc_all_then_lang_decide() {
        let chosen = |flag, own, lc_all, lang| Language::negotiate(flag, own, lc_all, lang);
        assert_eq!(
            chosen(Some("zh-CN"), Some("en"), None, None),
            Ok(Language::ZhCn)
        );
        assert_eq!(
            chosen(Some("en"), Some("zh-CN"), Some("zh_CN.UTF-8"), None),
            Ok(Language::En)
        );
        assert_eq!(
            chosen(None, Some("zh-CN"), Some("en_US.UTF-8"), None),
            Ok(Language::ZhCn)
        );
        assert_eq!(
            chosen(None, None, Some("zh_CN.UTF-8"), Some("en_US.UTF-8")),
            Ok(Language::ZhCn)
        );
        assert_eq!(
            chosen(None, None, None, Some("zh_CN.UTF-8")),
            Ok(Language::ZhCn)
        );
        for english in ["C", "POSIX", "C.UTF-8", "en_US.UTF-8", "fr_FR.UTF-8"] {
            assert_eq!(chosen(None, None, None, Some(english)), Ok(Language::En));
        }
        assert_eq!(
            chosen(None, None, Some("C"), Some("zh_CN.UTF-8")),
            Ok(Language::En)
        );
        assert_eq!(chosen(None, None, None, None), Ok(Language::En));
        assert_eq!(
            chosen(None, Some(""), Some(""), Some("zh_CN.UTF-8")),
            Ok(Language::ZhCn)
        );
    }

    #[test]
    fn an_unknown_flag_value_is_an_error_naming_the_choices() {
        let error = Language::negotiate(Some("fr"), None, None, Some("zh_CN.UTF-8"));
        assert_eq!(error, Err(UnknownLanguage("fr".to_owned())));
        let message = error.unwrap_err().to_string();
        assert!(
            message.contains("\"fr\"") && message.contains("en, zh-CN"),
            "{message}"
        );
        assert!(Language::negotiate(Some(""), None, None, None).is_err());
        assert!(Language::negotiate(Some("zh-TW"), None, None, None).is_err());
    }
}
