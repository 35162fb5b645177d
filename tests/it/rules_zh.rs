//! `docs/spec/RULES.zh.md`, the Chinese text of `docs/spec/RULES.md`, stays in step with
//! it, and `docs/GLOSSARY.md` stays true to the code: the same rule ids in the same order,
//! the same code spans and `P-…` names in every rule, the same month statuses and source
//! ids; every glossary code name exists under `src/`; and a rule whose English text uses a
//! glossary term uses the glossary's Chinese term in its Chinese text. Users read the
//! Chinese text, so a rule changed in English only must fail here, not drift silently.

use crate::support::{code_spans, glossary_rows, repo_path, uses_words, Form, GlossaryRow};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

const RULES_EN: &str = "docs/spec/RULES.md";
const RULES_ZH: &str = "docs/spec/RULES.zh.md";
const GLOSSARY: &str = "docs/GLOSSARY.md";
const STATUSES_HEADING_EN: &str = "## Month statuses";
const STATUSES_HEADING_ZH: &str = "## 月份状态";

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_path(relative))
        .unwrap_or_else(|error| panic!("{relative} is readable: {error}"))
}

/// Rule definitions in order: the id and the text from its `**Rn ` marker up to the next
/// rule's marker or the next `## ` heading, whichever comes first. A bold id without a
/// space (`**R7**`, as in the list of changes) refers to a rule and does not define one.
fn rules(text: &str) -> Vec<(String, String)> {
    let mut starts = Vec::new();
    for (at, _) in text.match_indices("**R") {
        let digits: String = text[at + 3..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() && text[at + 3 + digits.len()..].starts_with(' ') {
            starts.push((at, format!("R{digits}")));
        }
    }
    let mut found = Vec::new();
    for (index, (start, id)) in starts.iter().enumerate() {
        let next_rule = starts.get(index + 1).map_or(text.len(), |(next, _)| *next);
        let next_heading = text[*start..]
            .find("\n## ")
            .map_or(text.len(), |offset| start + offset);
        found.push((
            id.clone(),
            text[*start..next_rule.min(next_heading)].to_owned(),
        ));
    }
    found
}

/// `text` with its code spans blanked out, so plain words are not found inside code.
fn without_code(text: &str) -> String {
    text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// The policy parameter names (`P-wage`, `P-delay-first`, …) used in `text`.
fn parameter_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices("P-") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        let name: String = text[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        let name = name.trim_end_matches('-');
        if !name.is_empty() {
            names.insert(format!("P-{name}"));
        }
    }
    names
}

/// The status code names of the table in the section under `heading`, in order.
fn statuses(text: &str, heading: &str) -> Vec<String> {
    let Some(start) = text.find(heading) else {
        return Vec::new();
    };
    let section = &text[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| line.split('`').nth(1).map(str::to_owned))
        .collect()
}

/// Source ids in the order they are defined: lines starting `- S<n>` (RULES.md) or
/// `### S<n>` (RULES.zh.md).
fn source_ids(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("- S")
                .or_else(|| line.strip_prefix("### S"))?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then(|| format!("S{digits}"))
        })
        .collect()
}

/// Every way the Chinese text can fall out of step with the English one, as messages.
fn parity_problems(en: &str, zh: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let (en_rules, zh_rules) = (rules(en), rules(zh));
    let ids =
        |found: &[(String, String)]| found.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    if ids(&en_rules) != ids(&zh_rules) {
        problems.push(format!(
            "rule ids differ: RULES.md {:?}, RULES.zh.md {:?}",
            ids(&en_rules),
            ids(&zh_rules)
        ));
    }
    for ((id, en_text), (_, zh_text)) in en_rules.iter().zip(&zh_rules) {
        let (en_code, zh_code) = (code_spans(en_text), code_spans(zh_text));
        if en_code != zh_code {
            problems.push(format!(
                "{id}: code spans only in RULES.md {:?}, only in RULES.zh.md {:?}",
                en_code.difference(&zh_code).collect::<Vec<_>>(),
                zh_code.difference(&en_code).collect::<Vec<_>>()
            ));
        }
        if parameter_names(en_text) != parameter_names(zh_text) {
            problems.push(format!(
                "{id}: parameters {:?} in RULES.md, {:?} in RULES.zh.md",
                parameter_names(en_text),
                parameter_names(zh_text)
            ));
        }
    }
    if parameter_names(en) != parameter_names(zh) {
        problems.push(format!(
            "parameters {:?} in RULES.md, {:?} in RULES.zh.md",
            parameter_names(en),
            parameter_names(zh)
        ));
    }
    let (en_statuses, zh_statuses) = (
        statuses(en, STATUSES_HEADING_EN),
        statuses(zh, STATUSES_HEADING_ZH),
    );
    if en_statuses.is_empty() || en_statuses != zh_statuses {
        problems.push(format!(
            "month statuses {en_statuses:?} in RULES.md, {zh_statuses:?} in RULES.zh.md"
        ));
    }
    if source_ids(en).is_empty() || source_ids(en) != source_ids(zh) {
        problems.push(format!(
            "sources {:?} in RULES.md, {:?} in RULES.zh.md",
            source_ids(en),
            source_ids(zh)
        ));
    }
    problems
}

/// Rules whose English text uses a row's English term but whose Chinese text lacks the
/// row's Chinese term.
fn terminology_problems(en: &str, zh: &str, rows: &[GlossaryRow]) -> Vec<String> {
    let mut problems = Vec::new();
    for ((id, en_text), (_, zh_text)) in rules(en).iter().zip(&rules(zh)) {
        let words = without_code(en_text).to_lowercase();
        let code = code_spans(en_text);
        for row in rows {
            let used = row.english.iter().find(|form| match form {
                Form::Words(phrase) => uses_words(&words, phrase),
                Form::Code(name) => code.contains(name),
            });
            if let Some(form) = used {
                if !zh_text.contains(&row.chinese) {
                    problems.push(format!(
                        "{id}: RULES.md uses {form:?}, RULES.zh.md does not use {}",
                        row.chinese
                    ));
                }
            }
        }
    }
    problems
}

/// Every identifier in the Rust sources under `dir`.
fn identifiers(dir: &Path, found: &mut HashSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            identifiers(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            found.extend(
                text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|word| !word.is_empty())
                    .map(str::to_owned),
            );
        }
    }
}

#[test]
fn the_chinese_rules_have_the_same_ids_parameters_statuses_and_sources() {
    let (en, zh) = (read(RULES_EN), read(RULES_ZH));
    assert_eq!(rules(&en).len(), 17, "RULES.md defines R1..R17");
    let problems = parity_problems(&en, &zh);
    assert!(
        problems.is_empty(),
        "RULES.zh.md is out of step:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_chinese_text_missing_a_rule_or_renaming_a_code_is_caught() {
    let (en, zh) = (read(RULES_EN), read(RULES_ZH));
    let (_, r7) = rules(&zh).into_iter().find(|(id, _)| id == "R7").unwrap();
    let without_r7 = zh.replacen(&r7, "", 1);
    let problems = parity_problems(&en, &without_r7);
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("rule ids differ")),
        "{problems:?}"
    );
    let renamed = zh.replacen("`grace_months`", "`grace`", 1);
    assert!(parity_problems(&en, &renamed)
        .iter()
        .any(|problem| problem.starts_with("R3: code spans")));
    let status_dropped = zh.replacen("| `restored` 补缴恢复 |", "| 补缴恢复 |", 1);
    assert!(parity_problems(&en, &status_dropped)
        .iter()
        .any(|problem| problem.starts_with("month statuses")));
}

#[test]
fn every_glossary_code_name_exists_under_src() {
    let rows = glossary_rows(&read(GLOSSARY));
    assert!(
        rows.len() >= 40,
        "the glossary's rows are read: {}",
        rows.len()
    );
    let mut known = HashSet::new();
    identifiers(&repo_path("src"), &mut known);
    let missing: Vec<&String> = rows
        .iter()
        .flat_map(|row| &row.code_names)
        .filter(|name| !name.split("::").all(|part| known.contains(part)))
        .collect();
    assert!(
        missing.is_empty(),
        "glossary code names not found under src/: {missing:?}"
    );
}

#[test]
fn the_glossary_names_every_status_and_withdrawal_reason() {
    let rows = glossary_rows(&read(GLOSSARY));
    let codes: HashSet<&str> = rows
        .iter()
        .flat_map(|row| &row.english)
        .filter_map(|form| match form {
            Form::Code(name) => Some(name.as_str()),
            Form::Words(_) => None,
        })
        .collect();
    let reasons = [
        "voluntary",
        "employer_scheme",
        "relocated",
        "deceased",
        "arrears_exceeded_grace",
    ];
    for status in statuses(&read(RULES_EN), STATUSES_HEADING_EN) {
        assert!(
            codes.contains(status.as_str()),
            "no glossary row for `{status}`"
        );
    }
    for reason in reasons {
        assert!(codes.contains(reason), "no glossary row for `{reason}`");
    }
}

#[test]
fn each_chinese_rule_uses_the_glossary_terms_of_its_english_text() {
    let rows = glossary_rows(&read(GLOSSARY));
    let problems = terminology_problems(&read(RULES_EN), &read(RULES_ZH), &rows);
    assert!(
        problems.is_empty(),
        "glossary terms missing:\n{}",
        problems.join("\n")
    );
}

/// The term check reads words whole and skips code: `delay` is not in `P-delay-first`, and
/// a term inside a code span counts only as a code form.
#[test]
fn terms_are_matched_as_whole_words_outside_code() {
    assert!(uses_words("the benefit delay applies", "delay"));
    assert!(!uses_words("p-delay-first", "delay"));
    assert!(uses_words("the region's open month", "region"));
    assert!(!uses_words("regional", "region"));
    assert_eq!(without_code("a `due` b").to_lowercase(), "a   b");
}
