//! RULES.md as data: each rule's text and the source sentence it rests on, quoted from
//! the specification itself (`docs/spec/RULES.md`, a copy of the shared spec compiled
//! into the binary) so `explain` cites the words the ledger was built from.

use crate::domain::rule::RuleId;
use std::collections::BTreeMap;

/// The specification, as shipped.
pub const RULES_MD: &str = include_str!("../../docs/spec/RULES.md");

/// For each rule, the source id and a phrase that picks the sentence out of the
/// source's quoted text. Rules R1, R2, R9 and R12 cite no source in RULES.md: they are the
/// ledger's own (RULES.md says so by citing none). v2: R7 also rests on S7 (P-reset),
/// R16 on S9 (subsidies) and R17 on S10 (pooling fund and personal accounts).
const SOURCE_PHRASES: &[(RuleId, &str, &str)] = &[
    (
        RuleId::R3,
        "S3",
        "determined in principle according to the local payment rate",
    ),
    (RuleId::R4, "S4", "payment base can be approved"),
    (RuleId::R5, "S2", "established a clear labor relationship"),
    (
        RuleId::R6,
        "S1",
        "not allowed to stop paying for a period of time",
    ),
    (RuleId::R7, "S1", "from the next month of payment"),
    (RuleId::R7, "S6", "the time limit from participating"),
    (
        RuleId::R7,
        "S7",
        "identification and treatment methods of interrupted payment",
    ),
    (
        RuleId::R8,
        "S1",
        "monthly deduction will not continue automatically",
    ),
    (
        RuleId::R10,
        "S1",
        "pay back the medical insurance premiums owed by employees within three months",
    ),
    (RuleId::R11, "S1", "If it is more than three months"),
    (RuleId::R13, "S1", "can only participate again after"),
    (RuleId::R13, "S1", "from the next month of payment"),
    (
        RuleId::R14,
        "S5",
        "linking medical insurance treatment with payment period",
    ),
    (RuleId::R15, "S4", "payment base can be approved"),
    (
        RuleId::R16,
        "S9",
        "social security subsidy policy for flexible employees",
    ),
    (
        RuleId::R17,
        "S10",
        "establish personal accounts for some qualified flexible employees",
    ),
];

/// A rule as RULES.md states it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rule {
    pub id: RuleId,
    pub title: String,
    pub text: String,
    /// The source sentences it rests on (empty for the ledger's own rules).
    pub sources: Vec<SourceSentence>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SourceSentence {
    pub id: String,
    pub sentence: String,
}

/// Every rule of RULES.md, by id, with its source sentences.
pub fn rules() -> BTreeMap<RuleId, Rule> {
    let sources = sources();
    let mut rules = BTreeMap::new();
    for (id, title, text) in rule_paragraphs() {
        let quotes = SOURCE_PHRASES
            .iter()
            .filter(|(rule, _, _)| *rule == id)
            .filter_map(|(_, source, phrase)| {
                let sentence = sources
                    .get(*source)?
                    .iter()
                    .find(|sentence| sentence.contains(phrase))?;
                Some(SourceSentence {
                    id: (*source).to_owned(),
                    sentence: sentence.clone(),
                })
            })
            .collect();
        rules.insert(
            id,
            Rule {
                id,
                title,
                text,
                sources: quotes,
            },
        );
    }
    rules
}

/// `(id, title, text)` of every `- **Rn Title.** text` paragraph (a title may wrap
/// onto the next line, so paragraphs are joined before they are split); a paragraph
/// whose id is not a [`RuleId`] is not a rule (the unit tests find all seventeen).
fn rule_paragraphs() -> Vec<(RuleId, String, String)> {
    let mut raw: Vec<String> = Vec::new();
    let mut open = false;
    for line in RULES_MD.lines() {
        if line.starts_with("- **R") {
            raw.push(line.to_owned());
            open = true;
        } else if line.trim().is_empty()
            || line.starts_with('#')
            || line.starts_with('|')
            || line.starts_with("- ")
        {
            open = false;
        } else if open {
            if let Some(text) = raw.last_mut() {
                text.push(' ');
                text.push_str(line.trim());
            }
        }
    }
    raw.iter()
        .filter_map(|paragraph| {
            let rest = paragraph.strip_prefix("- **R")?;
            let (head, text) = rest.split_once(".**")?;
            let (number, title) = head.split_once(' ')?;
            // The title's parenthetical names the sources, quoted separately.
            let title = title.split_once(" (").map_or(title, |(title, _)| title);
            // Markdown emphasis (`*qualified*`, `**refunded**`) is for the page, not
            // the quote: the rule texts hold no literal asterisk.
            Some((
                format!("R{number}").parse().ok()?,
                title.to_owned(),
                text.trim().replace('*', ""),
            ))
        })
        .collect()
}

/// Each source's quoted text split into sentences.
fn sources() -> BTreeMap<String, Vec<String>> {
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let in_sources = RULES_MD
        .split_once("## Sources")
        .map_or("", |(_, rest)| rest);
    for line in in_sources.lines() {
        if let Some(rest) = line.strip_prefix("- S") {
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let id = format!("S{id}");
            texts.insert(id.clone(), line.to_owned());
            current = Some(id);
        } else if let Some(id) = &current {
            if let Some(text) = texts.get_mut(id) {
                text.push(' ');
                text.push_str(line.trim());
            }
        }
    }
    texts
        .into_iter()
        .map(|(id, text)| {
            let quoted = match (text.find('"'), text.rfind('"')) {
                (Some(first), Some(last)) if first < last => &text[first + 1..last],
                _ => text.as_str(),
            };
            (id, split_sentences(quoted))
        })
        .collect()
}

fn split_sentences(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (index, word) in words.iter().enumerate() {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        let next_starts_upper = words
            .get(index + 1)
            .is_none_or(|next| next.chars().next().is_some_and(char::is_uppercase));
        if word.ends_with('.') && next_starts_upper {
            sentences.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        sentences.push(current);
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_parsed_and_every_cited_phrase_is_found() {
        let rules = rules();
        let ids: Vec<RuleId> = rules.keys().copied().collect();
        assert_eq!(
            ids,
            RuleId::ALL,
            "every rule of RULES.md is parsed, in order"
        );
        for (rule, source, phrase) in SOURCE_PHRASES {
            let found = rules[rule]
                .sources
                .iter()
                .any(|quote| quote.id == *source && quote.sentence.contains(phrase));
            assert!(found, "{rule}: {source} has no sentence with {phrase:?}");
        }
        assert_eq!(rules[&RuleId::R10].title, "Arrears and back-pay");
        assert!(rules[&RuleId::R11]
            .text
            .starts_with("When a month close leaves a member"));
        assert_eq!(
            rules[&RuleId::R11].sources[0].sentence,
            "If it is more than three months, it will be regarded as automatically withdrawing from the employee's medical insurance, and the medical expenses during the arrears period will be borne by me."
        );
    }

    /// v2: the new rules and the new wording are what RULES.md says now.
    #[test]
    fn the_v2_rules_carry_their_new_wording_and_sources() {
        let rules = rules();
        assert_eq!(
            rules[&RuleId::R12].title,
            "Withdrawal on request, and refunds"
        );
        assert!(rules[&RuleId::R12]
            .text
            .contains("Months paid beyond L (paid ahead) are refunded: the same command records"));
        assert!(rules[&RuleId::R12].text.contains("ContributionRefunded"));
        assert!(
            rules[&RuleId::R12].sources.is_empty(),
            "R12 is the ledger's own"
        );
        assert!(rules[&RuleId::R7]
            .text
            .contains("A member has qualified once"));
        assert!(rules[&RuleId::R7].text.contains("P-reset"));
        assert!(rules[&RuleId::R7]
            .sources
            .iter()
            .any(|quote| quote.id == "S7"));
        assert_eq!(rules[&RuleId::R16].title, "Social-insurance subsidy");
        assert!(
            rules[&RuleId::R16]
                .text
                .contains("A granted month accrues its subsidy"),
            "{}",
            rules[&RuleId::R16].text
        );
        assert!(rules[&RuleId::R16]
            .text
            .contains("A subsidy payment names accrued months"));
        assert_eq!(rules[&RuleId::R16].sources[0].id, "S9");
        assert_eq!(
            rules[&RuleId::R16].sources[0].sentence,
            "the state has introduced a social security subsidy policy for flexible employees."
        );
        assert_eq!(
            rules[&RuleId::R17].title,
            "Pooling fund and personal account"
        );
        assert!(rules[&RuleId::R17]
            .text
            .contains("to_account = round2(P-wage × base_ratio × P-account)"));
        assert_eq!(rules[&RuleId::R17].sources.len(), 1);
        assert_eq!(rules[&RuleId::R17].sources[0].id, "S10");
        assert!(rules[&RuleId::R17].sources[0].sentence.starts_with(
            "We can start with the establishment of the basic medical insurance pooling fund"
        ));
        assert_eq!(rules.len(), 17);
    }
}
