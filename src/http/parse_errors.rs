//! A command that does not parse is refused with `invalid_command` and an English
//! message the domain writes (`domain::command`), without the message as data (a
//! `RefusalText`): its words are built where the JSON is read, often around serde's
//! own English. Over HTTP its fixed sentences are still shown in the reader's
//! language: each is recognised here by its shape, the English sentence with `{}`
//! for what varies, and rendered from the catalog (`locales/*/http.ftl`) with the
//! pieces that varied as arguments. What no shape matches (a policy's validation, the
//! rest of serde's messages) stays English; the code never changes.
//!
//! Each shape's English catalog message renders back to the sentence it matched, and
//! the HTTP tests send a command for every shape, so a sentence the domain rewords
//! fails a test instead of silently losing its translation.

use crate::i18n::{text, Arg, Language};

/// One fixed sentence: its shape (`{}` for each argument, in order), the catalog's
/// message and its arguments' names.
type Shape = (&'static str, &'static str, &'static [&'static str]);

/// The shapes, tried in order: a more particular one before a more general one.
const SHAPES: &[Shape] = &[
    (
        "a command must be a JSON object with a \"command\" field",
        "http-parse-not-an-object",
        &[],
    ),
    (
        "field `command` must be a string naming the command",
        "http-parse-command-not-a-string",
        &[],
    ),
    (
        "missing field `command` (one of: {})",
        "http-parse-command-missing",
        &["names"],
    ),
    (
        "unknown command {}; expected one of: {}",
        "http-parse-unknown-command",
        &["name", "names"],
    ),
    (
        "field `command_id` must be a UUID string",
        "http-parse-command-id-not-a-uuid",
        &[],
    ),
    (
        "field `expected_version` must be a non-negative integer",
        "http-parse-expected-version-not-a-count",
        &[],
    ),
    (
        "{}: expected_version applies only to member commands",
        "http-parse-expected-version-not-a-member-command",
        &["command"],
    ),
    (
        "{}: field `months` must list 1 to {} months",
        "http-parse-months-count",
        &["command", "max"],
    ),
    (
        "withdraw: reason `arrears_exceeded_grace` is recorded only by a month close (R11); use voluntary, employer_scheme, relocated or deceased",
        "http-parse-withdraw-arrears-exceeded-grace",
        &[],
    ),
    (
        "grant_subsidy: field `months` must be at least 1 (R16)",
        "http-parse-grant-months",
        &[],
    ),
    (
        "grant_subsidy: field `share` must be greater than 0 (R16)",
        "http-parse-grant-share",
        &[],
    ),
    (
        "pay_subsidy: field `months` names a month twice; list each accrued month once",
        "http-parse-pay-subsidy-month-twice",
        &[],
    ),
    (
        "{}: missing field `{}`",
        "http-parse-field-missing",
        &["command", "field"],
    ),
    (
        "{}: field `{}`: {}",
        "http-parse-field-invalid",
        &["command", "field", "detail"],
    ),
];

/// A parse refusal's `message` in `language`, if one of the shapes matches it.
pub(super) fn parse_refusal_message(language: Language, message: &str) -> Option<String> {
    SHAPES.iter().find_map(|(shape, id, names)| {
        let pieces = matched(shape, message)?;
        let args: Vec<(&str, Arg)> = names.iter().copied().zip(pieces.map(text)).collect();
        Some(crate::i18n::say(language, id, &args))
    })
}

/// The pieces of `message` that stand for `shape`'s `{}`s, if it has that shape. Each
/// piece ends at the first place the shape's next literal text follows (the last at
/// the end), so a piece cannot contain the text that ends it.
fn matched<'a>(shape: &str, message: &'a str) -> Option<impl Iterator<Item = &'a str>> {
    let mut literals = shape.split("{}");
    let mut rest = message.strip_prefix(literals.next()?)?;
    let mut pieces = Vec::new();
    for literal in literals {
        let end = if literal.is_empty() {
            rest.len()
        } else {
            rest.find(literal)?
        };
        let (piece, after) = rest.split_at(end);
        if piece.is_empty() {
            return None;
        }
        pieces.push(piece);
        rest = &after[literal.len()..];
    }
    rest.is_empty().then_some(pieces.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape's English message renders back to the English it matched.
    #[test]
    fn each_shape_renders_its_english_back() {
        for (shape, _, names) in SHAPES {
            let example = names.iter().fold(shape.to_string(), |sentence, name| {
                sentence.replacen("{}", &format!("<{name}>"), 1)
            });
            assert_eq!(
                parse_refusal_message(Language::En, &example).as_deref(),
                Some(example.as_str()),
                "{shape}"
            );
            let chinese = parse_refusal_message(Language::ZhCn, &example).unwrap();
            assert_ne!(chinese, example, "{shape}");
            for name in names.iter() {
                assert!(chinese.contains(&format!("<{name}>")), "{chinese}");
            }
        }
    }

    #[test]
    fn a_shape_matches_whole_sentences_only() {
        assert!(matched("{}: missing field `{}`", "pay: missing field `amount`").is_some());
        assert!(matched("{}: missing field `{}`", "pay: missing field `amount`.").is_none());
        assert!(matched("{}: missing field `{}`", ": missing field `amount`").is_none());
        assert!(parse_refusal_message(
            Language::ZhCn,
            "publish_policy: base_ratio_min must be greater than 0"
        )
        .is_none());
    }
}
