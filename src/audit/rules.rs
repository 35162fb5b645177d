//! RULES.md as data: each rule's text and the source sentence it rests on, quoted from
//! the specification itself (`docs/spec/RULES.md`, a copy of the shared spec compiled
//! into the binary) so `explain` cites the words the ledger was built from. In
//! Chinese, the rules are RULES.zh.md's and a source is quoted in its Chinese original
//! where RULES.zh.md gives one (S1 in the ledger's own Chinese, marked so; a source
//! whose original was not found in its English, with RULES.zh.md's gist).

use crate::domain::rule::RuleId;
use crate::i18n::Language;
use std::collections::BTreeMap;

/// The specification, as shipped.
pub const RULES_MD: &str = include_str!("../../docs/spec/RULES.md");

/// Its Chinese text, as shipped: the rules, and the sources in their Chinese original.
pub const RULES_ZH_MD: &str = include_str!("../../docs/spec/RULES.zh.md");

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

/// For each rule and source of [`SOURCE_PHRASES`] whose Chinese text RULES.zh.md
/// gives (an original, or S1's translation), a phrase that picks the sentence out of
/// it. The others (S5, S6, S7, S9: no original found) are quoted in English.
const SOURCE_PHRASES_ZH: &[(RuleId, &str, &str)] = &[
    (RuleId::R3, "S3", "缴费率原则上按照当地的缴费率确定"),
    (RuleId::R4, "S4", "缴费基数可参照"),
    (RuleId::R5, "S2", "已与用人单位建立明确劳动关系"),
    (RuleId::R6, "S1", "不允许断缴一段时间后再续缴"),
    (RuleId::R7, "S1", "自缴费次月起"),
    (RuleId::R8, "S1", "不再按月自动扣费"),
    (RuleId::R10, "S1", "在三个月内补缴"),
    (RuleId::R11, "S1", "超过三个月的"),
    (RuleId::R13, "S1", "方可重新参保"),
    (RuleId::R13, "S1", "自缴费次月起"),
    (RuleId::R15, "S4", "缴费基数可参照"),
    (RuleId::R17, "S10", "个人帐户"),
];

/// Why a long rule is applied to a month: the part of it that month rests on. An
/// explanation quotes only the sentences of these parts (the rule's id and a pointer
/// to its full text stay), so an auditor reads the sentence that decided the month,
/// not a paragraph of cases that did not arise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Clause {
    /// R7: benefits start in P + delay.
    BenefitStart,
    /// R7: when a member has qualified (a `restored` month counts).
    Qualified,
    /// R7: which delay applies (re-enrollment or first-time).
    Delay,
    /// R7: what the gap is, measured against P-reset.
    Gap,
    /// R7: paid months before the benefit start are `waiting`.
    Waiting,
    /// R7: enrolling again never shortens the first-time wait.
    NeverShortens,
    /// R10: a missed, unpaid month is in arrears.
    Arrears,
    /// R10: the run may be paid back while it is at most P-grace long.
    PayBack,
    /// R10: a back-paid month is `restored`, with benefits by P-restore.
    Restored,
    /// R10: continuity is kept.
    Continuity,
    /// R10: the back-pay deadline and the close's check.
    Deadline,
    /// R12: from when a withdrawal is effective.
    Effective,
    /// R12: arrears at a withdrawal become `lapsed`.
    LapsedAtWithdrawal,
    /// R12: months paid beyond L are refunded.
    Refund,
    /// R12: nobody stays covered after a withdrawal.
    NobodyCovered,
}

/// For each long rule, the sentence (0-based, in RULES.md's order; RULES.zh.md's
/// rules have the same sentences in the same order, which the unit tests check) that
/// states each [`Clause`]. A rule or month with no entry here is quoted whole.
const CLAUSE_SENTENCES: &[(RuleId, Clause, usize)] = &[
    (RuleId::R7, Clause::BenefitStart, 1),
    (RuleId::R7, Clause::Qualified, 2),
    (RuleId::R7, Clause::Delay, 3),
    (RuleId::R7, Clause::Gap, 4),
    (RuleId::R7, Clause::Waiting, 6),
    (RuleId::R7, Clause::NeverShortens, 7),
    (RuleId::R10, Clause::Arrears, 0),
    (RuleId::R10, Clause::PayBack, 1),
    (RuleId::R10, Clause::Restored, 2),
    (RuleId::R10, Clause::Continuity, 3),
    (RuleId::R10, Clause::Deadline, 4),
    (RuleId::R12, Clause::Effective, 2),
    (RuleId::R12, Clause::LapsedAtWithdrawal, 3),
    (RuleId::R12, Clause::Refund, 4),
    (RuleId::R12, Clause::NobodyCovered, 6),
];

/// The sentences of `rule` that state `clauses`, each with its index, in the rule's
/// order, or `None` when none of them is one of its clauses (the rule is then quoted
/// whole) or they are all of its sentences.
pub fn clause_sentences(rule: &Rule, clauses: &[Clause]) -> Option<Vec<(usize, String)>> {
    let mut indexes: Vec<usize> = CLAUSE_SENTENCES
        .iter()
        .filter(|(id, clause, _)| *id == rule.id && clauses.contains(clause))
        .map(|(_, _, index)| *index)
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    let sentences = rule_sentences(&rule.text);
    if indexes.is_empty() || indexes.len() >= sentences.len() {
        return None;
    }
    indexes
        .iter()
        .map(|index| Some((*index, sentences.get(*index)?.clone())))
        .collect()
}

/// A rule's text in sentences, English or Chinese: an English sentence ends at a
/// word ending in "." or ".)" that the next word, capitalised or opening a
/// parenthesis, does not continue; a Chinese one at "。" (with a closing "）" right
/// after it).
pub fn rule_sentences(text: &str) -> Vec<String> {
    if text.contains('。') {
        let mut sentences = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            current.push(c);
            if c == '。' {
                if chars.peek() == Some(&'）') {
                    current.extend(chars.next());
                }
                sentences.push(std::mem::take(&mut current).trim().to_owned());
            }
        }
        sentences.extend(Some(current.trim().to_owned()).filter(|rest| !rest.is_empty()));
        return sentences;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut sentences = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for (index, word) in words.iter().enumerate() {
        current.push(word);
        let ends = word.ends_with('.') || word.ends_with(".)");
        let next_starts = words
            .get(index + 1)
            .is_none_or(|next| next.starts_with(|c: char| c.is_uppercase() || c == '('));
        if ends && next_starts {
            sentences.push(std::mem::take(&mut current).join(" "));
        }
    }
    if !current.is_empty() {
        sentences.push(current.join(" "));
    }
    sentences
}

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
    /// Where the sentence's words come from; not in the JSON, which is English.
    #[serde(skip)]
    pub origin: QuoteOrigin,
}

/// Where a quoted source sentence's words come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum QuoteOrigin {
    /// The source's own words: RULES.md's English, or the Chinese original.
    #[default]
    Original,
    /// The ledger's own Chinese for a source whose original was not found (S1).
    LedgerTranslation,
    /// A Chinese quote that could not be given: the English of RULES.md, with
    /// RULES.zh.md's gist in Chinese when it has one.
    EnglishKept { gist: Option<String> },
}

/// Every rule in `language`, by id, with its source sentences as that language quotes
/// them.
pub fn rules_in(language: Language) -> BTreeMap<RuleId, Rule> {
    match language {
        Language::En => rules(),
        Language::ZhCn => rules_zh(),
    }
}

/// RULES.zh.md's rules, each quoting its sources in Chinese where it can.
fn rules_zh() -> BTreeMap<RuleId, Rule> {
    let english = rules();
    let sources = sources_zh();
    let mut rules = BTreeMap::new();
    for (id, title, text) in rule_paragraphs(RULES_ZH_MD, "。**", "（") {
        let quotes = english
            .get(&id)
            .map_or(&[][..], |rule| &rule.sources[..])
            .iter()
            .map(|quote| chinese_quote(id, quote, &sources))
            .collect();
        let rule = Rule {
            id,
            title,
            text,
            sources: quotes,
        };
        rules.insert(id, rule);
    }
    rules
}

/// The Chinese quote of the English `quote` of rule `id`: the sentence of its
/// source's Chinese text that [`SOURCE_PHRASES_ZH`] picks, else the English kept.
fn chinese_quote(
    id: RuleId,
    quote: &SourceSentence,
    sources: &BTreeMap<String, ZhSource>,
) -> SourceSentence {
    let source = sources.get(&quote.id);
    let english_phrase = SOURCE_PHRASES.iter().find(|(rule, source, phrase)| {
        *rule == id && *source == quote.id && quote.sentence.contains(phrase)
    });
    // The n-th phrase of the rule for this source picks the n-th Chinese phrase.
    let nth = english_phrase.map_or(0, |found| {
        SOURCE_PHRASES
            .iter()
            .filter(|(rule, source, _)| *rule == id && *source == quote.id)
            .position(|entry| entry == found)
            .unwrap_or(0)
    });
    let chinese = SOURCE_PHRASES_ZH
        .iter()
        .filter(|(rule, source, _)| *rule == id && *source == quote.id)
        .nth(nth)
        .and_then(|(_, _, phrase)| {
            let source = source?;
            let sentence = source
                .sentences
                .iter()
                .find(|sentence| sentence.contains(phrase))?;
            Some((sentence.clone(), source.origin.clone()))
        });
    let (sentence, origin) = chinese.unwrap_or_else(|| {
        let gist = source.and_then(|source| source.gist.clone());
        (quote.sentence.clone(), QuoteOrigin::EnglishKept { gist })
    });
    SourceSentence {
        id: quote.id.clone(),
        sentence,
        origin,
    }
}

/// A source as RULES.zh.md gives it.
#[derive(Debug, Default)]
struct ZhSource {
    /// Its Chinese text in sentences (empty if there is none).
    sentences: Vec<String>,
    /// Whose words they are: the original, or the ledger's translation.
    origin: QuoteOrigin,
    /// The gist in Chinese of a source kept in English.
    gist: Option<String>,
}

/// The "来源" section of RULES.zh.md: each `### Sn` with its `原文` (the original
/// quoted), its `本账本的中文译写` (S1) or, for an original not found, the gist.
fn sources_zh() -> BTreeMap<String, ZhSource> {
    let mut sources: BTreeMap<String, ZhSource> = BTreeMap::new();
    let section = RULES_ZH_MD
        .split_once("## 来源")
        .map_or("", |(_, rest)| rest);
    let mut current: Option<&mut ZhSource> = None;
    for line in section.lines() {
        if let Some(heading) = line.strip_prefix("### S") {
            let number: String = heading.chars().take_while(char::is_ascii_digit).collect();
            current = Some(sources.entry(format!("S{number}")).or_default());
            continue;
        }
        let Some(source) = current.as_deref_mut() else {
            continue;
        };
        if let Some(original) = line.strip_prefix("- **原文**：“") {
            let quoted = original
                .rsplit_once('”')
                .map_or(original, |(quoted, _)| quoted);
            source.sentences = split_sentences_zh(quoted);
        } else if let Some(translation) = line.strip_prefix("- **本账本的中文译写（非原文）**：")
        {
            source.sentences = split_sentences_zh(translation);
            source.origin = QuoteOrigin::LedgerTranslation;
        } else if let Some((_, gist)) = line.split_once("（大意：") {
            let gist = gist
                .split_once("此为本账本的译写")
                .map_or(gist, |(gist, _)| gist);
            source.gist = Some(gist.trim().to_owned());
        }
    }
    sources
}

/// Chinese sentences: each ends at "。" or "；" (S1's clauses are the rules' sentences).
fn split_sentences_zh(text: &str) -> Vec<String> {
    text.split_inclusive(['。', '；'])
        .map(|sentence| sentence.trim().trim_end_matches('；').to_owned())
        .filter(|sentence| !sentence.is_empty())
        .collect()
}

/// Every rule of RULES.md, by id, with its source sentences.
pub fn rules() -> BTreeMap<RuleId, Rule> {
    let sources = sources();
    let mut rules = BTreeMap::new();
    for (id, title, text) in rule_paragraphs(RULES_MD, ".**", " (") {
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
                    origin: QuoteOrigin::Original,
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

/// `(id, title, text)` of every `- **Rn Title.** text` paragraph of `markdown` (a
/// title may wrap onto the next line, so paragraphs are joined before they are split);
/// `head_end` ends the bold head (`.**`, `。**`) and `sources_start` opens the title's
/// parenthetical naming the sources (` (`, `（`). A paragraph whose id is not a
/// [`RuleId`] is not a rule (the unit tests find all seventeen).
fn rule_paragraphs(
    markdown: &str,
    head_end: &str,
    sources_start: &str,
) -> Vec<(RuleId, String, String)> {
    let mut raw: Vec<String> = Vec::new();
    let mut open = false;
    for line in markdown.lines() {
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
            let (head, text) = rest.split_once(head_end)?;
            let (number, title) = head.split_once(' ')?;
            // The title's parenthetical names the sources, quoted separately.
            let title = title
                .split_once(sources_start)
                .map_or(title, |(title, _)| title);
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

    /// In Chinese: RULES.zh.md's seventeen rules, each source quoted in its Chinese
    /// original where RULES.zh.md gives one, S1 marked as the ledger's translation, and
    /// the sources without an original in English with their gist.
    #[test]
    fn the_chinese_rules_quote_the_chinese_sources() {
        let rules = rules_in(Language::ZhCn);
        let english = rules_in(Language::En);
        assert_eq!(
            rules.keys().collect::<Vec<_>>(),
            english.keys().collect::<Vec<_>>()
        );
        assert_eq!(rules[&RuleId::R7].title, "待遇起始");
        assert_eq!(rules[&RuleId::R8].title, "停止扣费");
        assert!(rules[&RuleId::R11]
            .text
            .starts_with("月结后，参保人员的连续欠费月数"));
        for (id, rule) in &rules {
            assert_eq!(rule.sources.len(), english[id].sources.len(), "{id}");
        }
        for (rule, source, phrase) in SOURCE_PHRASES_ZH {
            let found = rules[rule]
                .sources
                .iter()
                .any(|quote| quote.id == *source && quote.sentence.contains(phrase));
            assert!(
                found,
                "{rule}: {source} has no Chinese sentence with {phrase:?}"
            );
        }
        let s4 = &rules[&RuleId::R4].sources[0];
        assert_eq!(s4.sentence, "缴费基数可参照当地上一年职工年平均工资核定。");
        assert_eq!(s4.origin, QuoteOrigin::Original);
        let s1 = &rules[&RuleId::R11].sources[0];
        assert_eq!(s1.origin, QuoteOrigin::LedgerTranslation);
        assert!(s1.sentence.starts_with("超过三个月的"), "{}", s1.sentence);
        let r13: Vec<&str> = rules[&RuleId::R13]
            .sources
            .iter()
            .map(|quote| quote.sentence.as_str())
            .collect();
        assert!(
            r13[0].contains("方可重新参保") && r13[1].contains("自缴费次月起"),
            "{r13:?}"
        );
        let s6 = rules[&RuleId::R7]
            .sources
            .iter()
            .find(|quote| quote.id == "S6")
            .unwrap();
        assert_eq!(s6.sentence, english[&RuleId::R7].sources[1].sentence);
        assert!(
            matches!(&s6.origin, QuoteOrigin::EnglishKept { gist: Some(gist) } if gist.starts_with("对首次参保的灵活就业人员"))
        );
        let s9 = &rules[&RuleId::R16].sources[0];
        assert_eq!(s9.origin, QuoteOrigin::EnglishKept { gist: None });
        // Every source with a Chinese text is quoted in Chinese wherever it is cited.
        let chinese = sources_zh();
        for (id, rule) in &rules {
            for quote in &rule.sources {
                let has_chinese = chinese
                    .get(&quote.id)
                    .is_some_and(|source| !source.sentences.is_empty());
                let kept = matches!(quote.origin, QuoteOrigin::EnglishKept { .. });
                assert_eq!(has_chinese, !kept, "{id} {}: {}", quote.id, quote.sentence);
            }
        }
    }

    #[test]
    fn the_clauses_pick_the_same_sentences_in_both_languages() {
        let (english, chinese) = (rules(), rules_zh());
        for (id, _, index) in CLAUSE_SENTENCES {
            let en = rule_sentences(&english[id].text);
            let zh = rule_sentences(&chinese[id].text);
            assert_eq!(en.len(), zh.len(), "{id}: {en:#?} {zh:#?}");
            assert!(*index < en.len(), "{id} has no sentence {index}");
        }
        let r7 = &english[&RuleId::R7];
        let waiting = clause_sentences(r7, &[Clause::Waiting]).unwrap();
        let sentence = "Paid months before the benefit start are `waiting`.";
        assert_eq!(waiting, [(6, sentence.to_owned())]);
        let zh_waiting = clause_sentences(&chinese[&RuleId::R7], &[Clause::Waiting]).unwrap();
        assert_eq!(
            zh_waiting[0].1,
            "待遇起始月之前的已缴费月份为 `waiting`（等待期）。"
        );
        let last = clause_sentences(&chinese[&RuleId::R7], &[Clause::NeverShortens]).unwrap();
        assert!(
            last[0].1.starts_with('（') && last[0].1.ends_with("。）"),
            "{last:?}"
        );
        // In the rule's order, each once; a rule without clauses is quoted whole.
        let both = clause_sentences(r7, &[Clause::Waiting, Clause::BenefitStart]).unwrap();
        assert_eq!(both[0].1, "Benefits start in month P + delay.");
        assert_eq!(
            clause_sentences(&english[&RuleId::R11], &[Clause::Waiting]),
            None
        );
        assert_eq!(clause_sentences(r7, &[]), None);
        let deadline = clause_sentences(&english[&RuleId::R10], &[Clause::Deadline]).unwrap();
        assert!(
            deadline[0].1.starts_with("The back-pay deadline"),
            "{deadline:?}"
        );
        let refund = clause_sentences(&english[&RuleId::R12], &[Clause::Refund]).unwrap();
        assert!(
            refund[0].1.starts_with("Months paid beyond L"),
            "{refund:?}"
        );
    }
}
