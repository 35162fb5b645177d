//! serde's English inside a parse refusal, said again in the reader's language.
//!
//! A command that does not parse is refused with one of the ledger's own sentences
//! (`RefusalText::Parse…`), and inside it, as `detail`, what serde, serde_json, the
//! uuid crate or the domain's own deserializers said ("invalid type: null, expected a
//! string"). Agency staff read Chinese, so [`detail_in`] reads those words back into
//! their parts and says them again from `locales/<tag>/details.ftl`.
//!
//! This is a reader of other crates' English, so it guards itself: a detail is said
//! in another language only if the English catalog, given the parts read, gives back
//! the very text they were read from. Anything else — a shape not listed here, a word
//! an upgrade of serde changed — is shown as it came, in English, as before (D37).
//! A part of a sentence that is not known (an `expected` phrase of a type this module
//! does not list) stays English, in quotes, inside the translated sentence; the same
//! check keeps it exact. `tests/it/i18n.rs` feeds it every detail a tour of bad commands makes.

use super::{tr_args, Arg, Language};

/// A message of `details.ftl` with its arguments, each plain text or another message.
#[derive(Debug, PartialEq, Eq)]
struct Said {
    id: &'static str,
    args: Vec<(&'static str, Part)>,
}

#[derive(Debug, PartialEq, Eq)]
enum Part {
    /// Shown as it is in every language (a name, a value, a number).
    Text(String),
    Said(Said),
    /// Names serde lists as `a` or `b`, or one of `a`, `b`, `c`.
    Names(Vec<String>),
}

/// `detail` in `language`: translated where every part of it is understood and the
/// English catalog reproduces it exactly; else `detail` itself. Its place is said
/// whole ("line 1 column 5"): the input may be a file of many lines.
pub fn detail_in(language: Language, detail: &str) -> String {
    said_in(language, detail, Input::Lines)
}

/// [`detail_in`] of what was parsed from one line alone (a `submit` line, whose line
/// number the message says already): "line 1" is left out, where it read as a second,
/// contradicting line number.
pub fn line_detail_in(language: Language, detail: &str) -> String {
    said_in(language, detail, Input::OneLine)
}

/// What a detail's place counts its lines in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    /// A file or a body, of any number of lines.
    Lines,
    /// One line, parsed alone.
    OneLine,
}

fn said_in(language: Language, detail: &str, input: Input) -> String {
    if language == Language::En {
        return detail.to_owned();
    }
    let Some(said) = read(detail, input) else {
        return detail.to_owned();
    };
    if said.render(Language::En).as_deref() != Some(detail) {
        return detail.to_owned();
    }
    said.render(language).unwrap_or_else(|| detail.to_owned())
}

impl Said {
    fn new(id: &'static str, args: Vec<(&'static str, Part)>) -> Said {
        Said { id, args }
    }

    fn plain(id: &'static str) -> Said {
        Said::new(id, Vec::new())
    }

    fn render(&self, language: Language) -> Option<String> {
        let mut args = Vec::with_capacity(self.args.len());
        for (name, part) in &self.args {
            let text = match part {
                Part::Text(text) => text.clone(),
                Part::Said(said) => said.render(language)?,
                Part::Names(names) => names_in(language, names)?,
            };
            args.push((*name, Arg::Text(text)));
        }
        tr_args(language, self.id, &args)
    }
}

fn text(value: &str) -> Part {
    Part::Text(value.to_owned())
}

/// serde's list of expected names: one name, two joined by "or", more as "one of".
fn names_in(language: Language, names: &[String]) -> Option<String> {
    // Each with what it means where the language says one (`detail-name-meaning`: a
    // withdrawal reason's or subsidy category's code alone told a Chinese agency
    // nothing); English gives serde's text back word for word.
    let quoted: Vec<String> = names
        .iter()
        .map(|name| {
            let args = [("name", Arg::Text(name.clone()))];
            let meaning = tr_args(language, "detail-name-meaning", &args).unwrap_or_default();
            format!("`{name}`{meaning}")
        })
        .collect();
    match quoted.as_slice() {
        [one] => tr_args(
            language,
            "detail-names-one",
            &[("name", Arg::Text(one.clone()))],
        ),
        // Whether the first ends in a closing bracket, after which Chinese puts no
        // space before 或 (a probe read "…劳动关系） 或 …").
        [first, second] => tr_args(
            language,
            "detail-names-two",
            &[
                ("first", Arg::Text(first.clone())),
                ("second", Arg::Text(second.clone())),
                (
                    "closed",
                    Arg::Text(if first.ends_with('）') { "yes" } else { "no" }.to_owned()),
                ),
            ],
        ),
        // Joined as the language lists names (`Arg::List`), as every other list is.
        _ => tr_args(
            language,
            "detail-names-many",
            &[("names", Arg::List(quoted))],
        ),
    }
}

/// The parts of `detail`, if it has a shape this module knows.
fn read(detail: &str, input: Input) -> Option<Said> {
    if let Some((body, place)) = detail.rsplit_once(" at line ") {
        let (line, column) = place.split_once(" column ")?;
        let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if digits(line) && digits(column) {
            let body = ("detail", Part::Said(read_body(body)?));
            // serde's column 0 is before the line's first character (an empty input).
            if column == "0" {
                return Some(Said::new(
                    "detail-at-line-start",
                    vec![body, ("line", text(line))],
                ));
            }
            // A `submit` line is parsed alone, so its "line 1" beside the file's line
            // number read as a second, contradicting one: said as a column alone.
            if line == "1" && input == Input::OneLine {
                return Some(Said::new(
                    "detail-at-first-line",
                    vec![body, ("column", text(column))],
                ));
            }
            return Some(Said::new(
                "detail-at",
                vec![body, ("line", text(line)), ("column", text(column))],
            ));
        }
    }
    read_body(detail)
}

fn read_body(body: &str) -> Option<Said> {
    if let Some(id) = JSON_SYNTAX
        .iter()
        .find_map(|(english, id)| (*english == body).then_some(*id))
    {
        return Some(Said::plain(id));
    }
    for (prefix, id) in [
        ("invalid type: ", "detail-invalid-type"),
        ("invalid value: ", "detail-invalid-value"),
    ] {
        if let Some(rest) = body.strip_prefix(prefix) {
            let (unexpected, expected) = rest.split_once(", expected ")?;
            return Some(Said::new(
                id,
                vec![
                    ("unexpected", unexpected_part(unexpected)),
                    ("expected", expected_part(expected)),
                ],
            ));
        }
    }
    if let Some(rest) = body.strip_prefix("invalid length ") {
        let (length, expected) = rest.split_once(", expected ")?;
        return Some(Said::new(
            "detail-invalid-length",
            vec![
                ("length", text(length)),
                ("expected", expected_part(expected)),
            ],
        ));
    }
    read_names(body)
        .or_else(|| read_field(body))
        .or_else(|| read_uuid(body))
        .or_else(|| read_own(body))
}

/// `unknown variant` and `unknown field`, with the names serde expected.
fn read_names(body: &str) -> Option<Said> {
    for (prefix, id, none, none_id) in [
        (
            "unknown variant `",
            "detail-unknown-variant",
            "there are no variants",
            "detail-unknown-variant-none",
        ),
        (
            "unknown field `",
            "detail-unknown-field",
            "there are no fields",
            "detail-unknown-field-none",
        ),
    ] {
        let Some(rest) = body.strip_prefix(prefix) else {
            continue;
        };
        let (name, rest) = rest.split_once("`, ")?;
        if rest == none {
            return Some(Said::new(none_id, vec![("name", text(name))]));
        }
        let list = rest.strip_prefix("expected ")?;
        let list = list.strip_prefix("one of ").unwrap_or(list);
        let names: Vec<String> = list
            .split(['`'])
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        return Some(Said::new(
            id,
            vec![("name", text(name)), ("names", Part::Names(names))],
        ));
    }
    None
}

/// `missing field` and `duplicate field`.
fn read_field(body: &str) -> Option<Said> {
    for (prefix, id) in [
        ("missing field `", "detail-missing-field"),
        ("duplicate field `", "detail-duplicate-field"),
    ] {
        if let Some(rest) = body.strip_prefix(prefix) {
            let name = rest.strip_suffix('`')?;
            return Some(Said::new(id, vec![("name", text(name))]));
        }
    }
    None
}

/// The uuid crate's words, behind serde's "UUID parsing failed: ".
fn read_uuid(body: &str) -> Option<Said> {
    let reason = body.strip_prefix("UUID parsing failed: ")?;
    let said = if let Some(rest) = reason.strip_prefix("invalid character: found `") {
        let (character, index) = rest.rsplit_once("` at ")?;
        Said::new(
            "detail-uuid-character",
            vec![("character", text(character)), ("index", text(index))],
        )
    } else if let Some(count) = reason.strip_prefix("invalid group count: expected 5, found ") {
        Said::new("detail-uuid-group-count", vec![("count", text(count))])
    } else if let Some(rest) = reason.strip_prefix("invalid group length in group ") {
        let (group, rest) = rest.split_once(": expected ")?;
        let (expected, found) = rest.split_once(", found ")?;
        Said::new(
            "detail-uuid-group-length",
            vec![
                ("group", text(group)),
                ("expected", text(expected)),
                ("found", text(found)),
            ],
        )
    } else if let Some(length) = reason.strip_prefix("invalid length: found ") {
        Said::new("detail-uuid-length", vec![("length", text(length))])
    } else {
        return None;
    };
    Some(Said::new("detail-uuid", vec![("reason", Part::Said(said))]))
}

/// The ledger's own words: its deserializers' "expected …, got …" and the strict
/// parser's repeated key (`domain::command`).
fn read_own(body: &str) -> Option<Said> {
    if let Some(rest) = body.strip_prefix("the key ") {
        let key = rest.strip_suffix(" appears twice in one object")?;
        return Some(Said::new("detail-key-twice", vec![("key", text(key))]));
    }
    let rest = body.strip_prefix("expected ")?;
    let (expected, got) = rest.rsplit_once(", got ")?;
    Some(Said::new(
        "detail-expected-got",
        vec![("expected", expected_part(expected)), ("got", text(got))],
    ))
}

/// What a deserializer expected: a known phrase in the reader's language, else its
/// English, quoted as such.
fn expected_part(expected: &str) -> Part {
    if let Some(id) = EXPECTED
        .iter()
        .find_map(|(english, id)| (*english == expected).then_some(*id))
    {
        return Part::Said(Said::plain(id));
    }
    if let Some(name) = expected.strip_prefix("struct ") {
        return Part::Said(Said::new(
            "detail-expected-struct",
            vec![("name", text(name))],
        ));
    }
    // Each unsigned type its own sentence: staff read "u32" as nothing, so the
    // Chinese says the largest number it takes instead (a policy's `grace_months`).
    let unsigned = [
        ("u8", "detail-expected-u8"),
        ("u16", "detail-expected-u16"),
        ("u32", "detail-expected-u32"),
        ("u64", "detail-expected-u64"),
        ("usize", "detail-expected-usize"),
    ];
    if let Some(id) = (unsigned.iter()).find_map(|(name, id)| (*name == expected).then_some(*id)) {
        return Part::Said(Said::plain(id));
    }
    Part::Said(Said::new(
        "detail-expected-other",
        vec![("text", text(expected))],
    ))
}

/// What a deserializer got (serde's `Unexpected`): its kind in the reader's language,
/// its value as it is; an unknown kind in English, quoted as such.
fn unexpected_part(unexpected: &str) -> Part {
    if let Some(id) = UNEXPECTED_BARE
        .iter()
        .find_map(|(english, id)| (*english == unexpected).then_some(*id))
    {
        return Part::Said(Said::plain(id));
    }
    for (kind, id) in UNEXPECTED_WITH_VALUE {
        if let Some(value) = unexpected
            .strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix(' '))
        {
            return Part::Said(Said::new(id, vec![("value", text(value))]));
        }
    }
    Part::Said(Said::new(
        "detail-got-other",
        vec![("text", text(unexpected))],
    ))
}

/// serde_json's syntax errors (`ErrorCode`'s Display), each a message of its own.
const JSON_SYNTAX: &[(&str, &str)] = &[
    ("EOF while parsing a list", "detail-json-eof-list"),
    ("EOF while parsing an object", "detail-json-eof-object"),
    ("EOF while parsing a string", "detail-json-eof-string"),
    ("EOF while parsing a value", "detail-json-eof-value"),
    ("expected `:`", "detail-json-expected-colon"),
    ("expected `,` or `]`", "detail-json-expected-list-comma"),
    ("expected `,` or `}`", "detail-json-expected-object-comma"),
    ("expected ident", "detail-json-expected-ident"),
    ("expected value", "detail-json-expected-value"),
    ("expected `\"`", "detail-json-expected-quote"),
    ("invalid escape", "detail-json-invalid-escape"),
    ("invalid number", "detail-json-invalid-number"),
    ("number out of range", "detail-json-number-out-of-range"),
    (
        "invalid unicode code point",
        "detail-json-invalid-code-point",
    ),
    (
        "control character (\\u0000-\\u001F) found while parsing a string",
        "detail-json-control-character",
    ),
    ("key must be a string", "detail-json-key-not-a-string"),
    (
        "lone leading surrogate in hex escape",
        "detail-json-lone-surrogate",
    ),
    ("trailing comma", "detail-json-trailing-comma"),
    ("trailing characters", "detail-json-trailing-characters"),
    ("unexpected end of hex escape", "detail-json-hex-escape-end"),
    ("recursion limit exceeded", "detail-json-recursion-limit"),
];

/// What the ledger's fields expect, as their deserializers say it (`domain::money`,
/// `domain::month`, `domain::policy`) and as serde says it for the rest.
const EXPECTED: &[(&str, &str)] = &[
    ("a string", "detail-expected-string"),
    ("a sequence", "detail-expected-sequence"),
    ("a boolean", "detail-expected-boolean"),
    ("a formatted UUID string", "detail-expected-uuid"),
    (
        "a UUID in hyphenated form (8-4-4-4-12 hexadecimal digits)",
        "detail-expected-hyphenated-uuid",
    ),
    ("string or map", "detail-expected-string-or-map"),
    ("map with a single key", "detail-expected-single-key-map"),
    (
        "an amount as a plain decimal string, without a sign, of at most 12 digits before the point and two after, like \"600.00\"",
        "detail-expected-amount",
    ),
    (
        "a share as a plain decimal string, without a sign, of at most 3 digits before the point and four after, like \"0.6667\"",
        "detail-expected-share",
    ),
    (
        "a ratio as a plain decimal string, without a sign, of at most 3 digits before the point and six after, like \"0.60\"",
        "detail-expected-ratio",
    ),
    (
        "a month \"YYYY-MM\" between 1990-01 and 2999-12",
        "detail-expected-month",
    ),
    (
        "a real calendar date \"YYYY-MM-DD\" between 1990-01-01 and 2999-12-31",
        "detail-expected-date",
    ),
    (
        "a region name of 1 to 64 ASCII letters, digits, '_', '.' or '-' (a Chinese place name in pinyin or as its code, such as `beijing` or `110100`)",
        "detail-expected-region",
    ),
];

/// serde's `Unexpected` kinds shown without a value.
const UNEXPECTED_BARE: &[(&str, &str)] = &[
    ("null", "detail-got-null"),
    ("map", "detail-got-map"),
    ("sequence", "detail-got-sequence"),
    ("unit value", "detail-got-unit"),
];

/// serde's `Unexpected` kinds shown with their value.
const UNEXPECTED_WITH_VALUE: &[(&str, &str)] = &[
    ("boolean", "detail-got-boolean"),
    ("integer", "detail-got-integer"),
    ("floating point", "detail-got-float"),
    ("string", "detail-got-string"),
    ("character", "detail-got-character"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Details as serde, serde_json and the ledger word them, each read, said back in
    /// English exactly, and said in Chinese with no English left but names and values.
    #[test]
    fn known_details_read_back_exactly_and_are_said_in_chinese() {
        let cases = [
            (
                "invalid type: floating point `0.6`, expected a ratio as a plain decimal string, without a sign, of at most 3 digits before the point and six after, like \"0.60\"",
                "类型不符：收到浮点数 `0.6`，应为比例：不带正负号的十进制字符串，小数点前最多 3 位、小数点后最多 6 位，如 \"0.60\"",
            ),
            (
                "unknown variant `maybe`, expected `employer` or `none`",
                "未知取值 `maybe`，应为 `employer`（有用人单位劳动关系）或 `none`（无劳动关系）",
            ),
            (
                "unknown field `zzz`, expected one of `member_id`, `months`, `amount`",
                "未知字段 `zzz`，应为以下之一：`member_id`、`months`、`amount`",
            ),
            (
                "EOF while parsing an object at line 3 column 2",
                "对象不完整，在此处结束（第 3 行第 2 列）",
            ),
            // An empty body: serde's column 0 is no column a reader counts.
            (
                "EOF while parsing a value at line 1 column 0",
                "缺少值，内容在此处结束（第 1 行开头）",
            ),
            (
                "EOF while parsing an object at line 1 column 152",
                "对象不完整，在此处结束（第 1 行第 152 列）",
            ),
            (
                "UUID parsing failed: invalid character: found `z` at 0",
                "UUID 格式有误：位置 0（从 0 数起）的字符 `z` 无效",
            ),
            (
                "expected a month \"YYYY-MM\" between 1990-01 and 2999-12, got \"2025-13\"",
                "应为月份，格式 \"YYYY-MM\"，介于 1990-01 与 2999-12 之间，收到 \"2025-13\"",
            ),
            (
                "the key \"amount\" appears twice in one object at line 1 column 138",
                "键 \"amount\" 在同一个对象中出现了两次（第 1 行第 138 列）",
            ),
            (
                "invalid type: string \"two\", expected u32",
                "类型不符：收到字符串 \"two\"，应为不超过 4294967295 的非负整数",
            ),
            (
                "invalid type: null, expected struct BenefitTier",
                "类型不符：收到空值 null，应为对象（`BenefitTier`）",
            ),
        ];
        for (english, chinese) in cases {
            let said = read(english, Input::Lines).unwrap_or_else(|| panic!("read {english:?}"));
            assert_eq!(said.render(Language::En).as_deref(), Some(english));
            assert_eq!(detail_in(Language::ZhCn, english), chinese);
            assert_eq!(detail_in(Language::En, english), english);
        }
    }

    /// A detail of one line parsed alone (a `submit` line) leaves out its "line 1",
    /// which read beside the file's own line number as a second one; one of a file
    /// or a body keeps it (a what-if policy file's error on its first line lost it).
    #[test]
    fn only_a_line_parsed_alone_leaves_out_its_line_1() {
        let detail = "EOF while parsing an object at line 1 column 152";
        let one_line = line_detail_in(Language::ZhCn, detail);
        assert_eq!(one_line, "对象不完整，在此处结束（第 152 列）");
        assert_eq!(
            detail_in(Language::ZhCn, detail),
            "对象不完整，在此处结束（第 1 行第 152 列）"
        );
        let later = "EOF while parsing an object at line 3 column 2";
        assert_eq!(
            line_detail_in(Language::ZhCn, later),
            detail_in(Language::ZhCn, later)
        );
        assert_eq!(line_detail_in(Language::En, detail), detail);
    }

    /// A detail of a shape not listed, or one whose English no longer matches the
    /// catalog's word for word, is shown as it came.
    #[test]
    fn an_unknown_or_changed_detail_stays_as_it_came() {
        for detail in [
            "something serde may say one day",
            "invalid type: null",
            "EOF while parsing an object at line x column 2",
            "expected a month in some other words, got \"x\"",
            "unknown variant `x`, expected nothing we know",
        ] {
            let chinese = detail_in(Language::ZhCn, detail);
            assert!(
                chinese == detail || chinese.contains("“a month in some other words”"),
                "{detail:?} became {chinese:?}"
            );
        }
        assert_eq!(
            detail_in(Language::ZhCn, "invalid type: null, expected a widget"),
            "类型不符：收到空值 null，应为“a widget”"
        );
    }
}
