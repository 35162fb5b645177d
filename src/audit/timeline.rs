//! `flexledger-audit timeline` and `GET /v1/members/{id}/timeline.svg`: a member's
//! months as one picture an auditor reads at a glance.
//!
//! One row per calendar year, one cell per month of the member coverage's `months`
//! list, coloured by its status (RULES.md "Month statuses") *and* labelled with it, so
//! the picture does not depend on telling colours apart. Marks on the cells come from
//! the member's own events: which months were paid (and in which month the payment
//! was made), which were missed at a month close, where an enrollment period started
//! and where a withdrawal took effect. Every cell has a `<title>` tooltip with the
//! month's status, due, paid, benefits and rule, and `data-month` / `data-status`
//! attributes so tests and scripts can read the picture back.
//!
//! v2: a month refunded by a withdrawal (R12) is hatched, labelled "refunded" with the
//! amount given back and marked with a return arrow; a granted month carries a diamond
//! (R16: filled once its subsidy is paid out, hollow while accrued and owed, dashed
//! while granted but not accrued); tooltips add the refunded amount and each refund
//! (what it gave back, the withdrawal recorded with it and the refund event: the
//! domain's `why::refunds_by_month`), the personal account part (R17) and the subsidy;
//! the heading adds qualified (R7), the account balance and the subsidy totals.
//! Refunded cells also carry `data-refunded`.
//!
//! Every word is the catalog's (`locales/<tag>/timeline.ftl`; codes through
//! `events.ftl`'s `word-` messages), in the language asked for ([`svg_in`], [`render`]):
//! English keeps the bytes it always had; Chinese names its language on the root
//! (`xml:lang`, `lang`) and draws with a CJK font stack ([`FONT_FAMILY_CJK`]). A Han
//! character is about 1 em wide, twice a Latin letter, so widths are counted in
//! columns (`i18n::display_width`), never bytes or characters, and the enrollment
//! periods list also breaks lines between Han characters.
//!
//! Pure: the SVG is a function of the history. `flexledger-audit timeline` (its shell,
//! `audit/cli.rs`) writes it to a file.

use crate::audit::history::{
    category_word, reason_word, serde_plain, status_word_short, MemberHistory,
};
use crate::domain::coverage::{MemberCoverage, MemberStatus, MonthLine, MonthStatus};
use crate::domain::event::{ContributionRefunded, Event};
use crate::domain::money::Money;
use crate::domain::month::Month;
use crate::domain::rule::RuleId;
use crate::domain::state::FoldError;
use crate::domain::why::refunds_by_month;
use crate::i18n::{count, display_width, say, text, Arg, Language};
use crate::store::envelope::Envelope;
use std::collections::BTreeMap;

/// Most calendar years drawn, one row each. A working life is ~50 years (~600 months);
/// a longer listing keeps its latest years, so the picture stays under ~6,000 px tall.
pub const TIMELINE_YEARS_MAX: usize = 100;
/// Most lines in the "Enrollment periods" list under the legend; the rest are counted.
pub const TIMELINE_NOTES_MAX: usize = 24;
/// Most payments (or payments made) one tooltip lists; the rest are counted.
pub const TOOLTIP_PAYMENTS_MAX: usize = 6;
/// Longest line in the "Enrollment periods" list, in characters: what fits the width
/// at 12.5 px (the first line also carries the month in front).
const NOTE_LINE_CHARACTERS_MAX: usize = 108;
/// Most lines one note wraps onto; the last is cut with "…".
const NOTE_LINES_MAX: usize = 3;

const CELL_WIDTH_PX: i64 = 66;
const CELL_HEIGHT_PX: i64 = 50;
/// Space between cells in a row: wide enough for the enrollment and withdrawal bars.
const CELL_GAP_PX: i64 = 6;
/// Space between rows: room for the bars' flag (above a cell) and cap (below it).
const ROW_GAP_PX: i64 = 16;
const MARGIN_PX: i64 = 20;
const YEAR_LABEL_WIDTH_PX: i64 = 56;
const GRID_TOP_PX: i64 = 132;
const LEGEND_ROW_HEIGHT_PX: i64 = 26;
const NOTE_LINE_HEIGHT_PX: i64 = 20;
const GRID_WIDTH_PX: i64 = 12 * CELL_WIDTH_PX + 11 * CELL_GAP_PX;
/// The whole picture's width: margins, year labels and twelve columns.
pub const TIMELINE_WIDTH_PX: i64 = MARGIN_PX + YEAR_LABEL_WIDTH_PX + GRID_WIDTH_PX + MARGIN_PX;

const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";
/// The Chinese picture's fonts: a CJK face first (Noto/Source Han on Linux, PingFang
/// on macOS, YaHei on Windows), whose Latin letters and digits match its Han glyphs.
pub const FONT_FAMILY_CJK: &str =
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'DejaVu Sans', sans-serif";
const INK: &str = "#1a1a1a";
const MUTED_INK: &str = "#555555";
const BENEFIT_CROSS: &str = "#00694d";
/// The hatch of a refunded month (R12): the not-enrolled grey, striped.
const REFUND_HATCH_ID: &str = "fl-refunded-hatch";
const REFUND_STRIPE: &str = "#bdbdbd";

/// Every month status, in the order the legend names them.
pub const STATUSES: [MonthStatus; 7] = [
    MonthStatus::NotEnrolled,
    MonthStatus::Due,
    MonthStatus::Waiting,
    MonthStatus::Covered,
    MonthStatus::Arrears,
    MonthStatus::Restored,
    MonthStatus::Lapsed,
];

/// How a status is drawn: fill and text colour. The words (the cell's label, the
/// legend's meaning) are the catalog's ([`status_label`], `timeline-status-meaning`).
///
/// The fills are from the Okabe–Ito palette, chosen to stay distinct under the common
/// colour-vision deficiencies; the label in each cell says the same thing in words.
pub struct StatusStyle {
    pub fill: &'static str,
    pub ink: &'static str,
}

pub fn status_style(status: MonthStatus) -> StatusStyle {
    let style = |fill, ink| StatusStyle { fill, ink };
    match status {
        MonthStatus::NotEnrolled => style("#e6e6e6", "#6b6b6b"),
        MonthStatus::Due => style("#ffffff", INK),
        MonthStatus::Waiting => style("#56b4e9", "#06293a"),
        MonthStatus::Covered => style("#009e73", "#00261b"),
        MonthStatus::Arrears => style("#e69f00", "#2b1d00"),
        MonthStatus::Restored => style("#cc79a7", "#2e0c1f"),
        MonthStatus::Lapsed => style("#d55e00", "#1f0b00"),
    }
}

/// A cell's one-word label: the status in one word ("—" outside every period).
pub fn status_label(status: MonthStatus, language: Language) -> String {
    match status {
        MonthStatus::NotEnrolled => "—".to_owned(),
        other => status_word_short(language, other),
    }
}

/// The status's wire name (`not_enrolled`, `covered`, …).
pub fn status_name(status: MonthStatus) -> &'static str {
    match status {
        MonthStatus::NotEnrolled => "not_enrolled",
        MonthStatus::Due => "due",
        MonthStatus::Waiting => "waiting",
        MonthStatus::Covered => "covered",
        MonthStatus::Arrears => "arrears",
        MonthStatus::Restored => "restored",
        MonthStatus::Lapsed => "lapsed",
    }
}

/// Escapes text for SVG and HTML: element content and quoted attribute values alike.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Escapes text for element content only (`&`, `<`, `>`): quotes and apostrophes,
/// harmless there, stay as they are.
fn escape_content(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What the member's events say about one month, for its marks and tooltip.
#[derive(Default)]
struct MonthMarks {
    /// Payments that paid this month: "paid on DATE (kind, position P)".
    paid_by: Vec<String>,
    /// Payments made while this was the open month: "DATE: AMOUNT for N months".
    payments_made: Vec<String>,
    /// The month close that recorded this month as missed.
    missed: Option<String>,
    /// An enrollment period starts here (first enrollment or re-enrollment).
    enrolled: Option<String>,
    /// A withdrawal takes effect here.
    withdrawn: Option<String>,
    /// R12: each refund of this month's contribution, in log order: what it gave back,
    /// the withdrawal recorded with it and the refund event (a month paid again after
    /// a re-enrollment and refunded again has two).
    refunded: Vec<String>,
    /// R16: subsidy events that name this month (granted from, revoked from, paid out).
    subsidy: Vec<String>,
}

/// A line of the "Enrollment periods" list.
struct Note {
    month: Month,
    withdrawal: bool,
    text: String,
}

/// The marks and notes the member's own events give.
fn marks(
    events: &[(&Envelope, bool)],
    language: Language,
) -> (BTreeMap<Month, MonthMarks>, Vec<Note>) {
    let mut marks: BTreeMap<Month, MonthMarks> = BTreeMap::new();
    let mut notes = Vec::new();
    for &(envelope, implied) in events {
        let position = position_text(envelope, implied, language);
        let at = ("position", text(&position));
        match &envelope.event {
            Event::MemberEnrolled(enrolled) => {
                let args = [("ratio", text(enrolled.base_ratio)), at];
                let text = say(language, "timeline-enrolled", &args);
                mark_enrolled(&mut marks, &mut notes, enrolled.month, text);
            }
            Event::MemberReenrolled(reenrolled) => {
                let args = [
                    ("ratio", text(reenrolled.base_ratio)),
                    ("enrollment", text(reenrolled.enrollment)),
                    at,
                ];
                let text = say(language, "timeline-reenrolled", &args);
                mark_enrolled(&mut marks, &mut notes, reenrolled.month, text);
            }
            Event::MemberWithdrawn(withdrawn) => {
                mark_withdrawn(&mut marks, &mut notes, withdrawn, &position, language);
            }
            Event::ContributionPaid(paid) => mark_paid(&mut marks, paid, &position, language),
            Event::ContributionMissed(missed) => {
                let args = [("due", text(missed.due)), at];
                marks.entry(missed.month).or_default().missed =
                    Some(say(language, "timeline-missed", &args));
            }
            Event::SubsidyGranted(granted) => {
                let args = [
                    ("category", category_word(language, &granted.category)),
                    ("months", count(granted.months)),
                    ("share", text(granted.share)),
                    at,
                ];
                let text = say(language, "timeline-subsidy-granted", &args);
                marks
                    .entry(granted.from_month)
                    .or_default()
                    .subsidy
                    .push(text);
            }
            Event::SubsidyRevoked(revoked) => {
                let text = say(language, "timeline-subsidy-revoked", &[at]);
                marks
                    .entry(revoked.from_month)
                    .or_default()
                    .subsidy
                    .push(text);
            }
            Event::SubsidyPaid(paid) => {
                let args = [("paid_on", text(paid.paid_on)), at];
                let text = say(language, "timeline-subsidy-paid", &args);
                for month in &paid.months {
                    marks.entry(*month).or_default().subsidy.push(text.clone());
                }
            }
            Event::ContributionRefunded(_)
            | Event::DeductionStopped(_)
            | Event::DeductionResumed(_)
            | Event::BaseChanged(_)
            | Event::PolicyPublished(_)
            | Event::MonthClosed(_) => {}
        }
    }
    let envelopes: Vec<&Envelope> = events.iter().map(|&(envelope, _)| envelope).collect();
    mark_refunded(&mut marks, &envelopes, language);
    (marks, notes)
}

/// An enrollment's mark on its first month and its line in the periods list.
fn mark_enrolled(
    marks: &mut BTreeMap<Month, MonthMarks>,
    notes: &mut Vec<Note>,
    month: Month,
    text: String,
) {
    marks.entry(month).or_default().enrolled = Some(text.clone());
    notes.push(Note {
        month,
        withdrawal: false,
        text,
    });
}

/// A withdrawal's mark on the month it takes effect and its line in the periods list.
fn mark_withdrawn(
    marks: &mut BTreeMap<Month, MonthMarks>,
    notes: &mut Vec<Note>,
    withdrawn: &crate::domain::event::MemberWithdrawn,
    position: &str,
    language: Language,
) {
    let later = withdrawal_text(withdrawn, position, language);
    // Two withdrawals can take effect in one month (withdrawn, re-enrolled and
    // withdrawn again before paying): the mark names both.
    let mark = &mut marks.entry(withdrawn.effective_from).or_default().withdrawn;
    *mark = Some(match mark.take() {
        Some(earlier) => {
            let args = [("earlier", text(earlier)), ("later", text(&later))];
            say(language, "timeline-withdrawal-then", &args)
        }
        None => later.clone(),
    });
    let text = later;
    notes.push(Note {
        month: withdrawn.effective_from,
        withdrawal: true,
        text,
    });
}

/// Each refund's mark on each month it refunds (R12): the domain's refund parts
/// (`why::refunds_by_month`), each with what it gave back for the month, the
/// withdrawal recorded with it and the refund event's own totals.
fn mark_refunded(
    marks: &mut BTreeMap<Month, MonthMarks>,
    events: &[&Envelope],
    language: Language,
) {
    let refund_events: BTreeMap<u64, &ContributionRefunded> = events
        .iter()
        .filter_map(|envelope| match &envelope.event {
            Event::ContributionRefunded(refund) => Some((envelope.position, refund)),
            _ => None,
        })
        .collect();
    let parts = refunds_by_month(
        events
            .iter()
            .map(|envelope| (envelope.position, &envelope.event)),
    );
    for (month, parts) in parts {
        let mark = marks.entry(month).or_default();
        for part in parts {
            // OK to pass over: every part is of one of these events.
            let Some(refund) = refund_events.get(&part.refund_position) else {
                continue;
            };
            let args = [
                ("refunded", text(part.amount)),
                ("count", count(refund.months.len())),
                ("amount", text(refund.amount)),
                ("position", text(part.refund_position)),
            ];
            mark.refunded.push(match &part.withdrawal {
                Some((withdrawal, _)) => {
                    let args = [&args[..], &[("withdrawal", text(withdrawal))]].concat();
                    say(language, "timeline-refunded", &args)
                }
                None => say(language, "timeline-refunded-alone", &args),
            });
        }
    }
}

/// Where an event of the member's is, in words: its log position, or for a
/// consequence of a month close still being recorded, which the log does not hold yet
/// (`MemberHistory::implied`, D75), its close's position and that it is implied.
fn position_text(envelope: &Envelope, implied: bool, language: Language) -> String {
    if implied {
        let args = [("position", text(envelope.position))];
        return say(language, "timeline-position-implied", &args);
    }
    envelope.position.to_string()
}

/// A payment's mark on each month it pays and on the month it was made.
fn mark_paid(
    marks: &mut BTreeMap<Month, MonthMarks>,
    paid: &crate::domain::event::ContributionPaid,
    position: &str,
    language: Language,
) {
    for line in &paid.months {
        let kind = [("kind", text(serde_plain(&line.kind)))];
        let args = [
            ("paid_on", text(paid.paid_on)),
            ("kind", text(say(language, "word-payment-kind", &kind))),
            ("position", text(position)),
        ];
        let text = say(language, "timeline-paid-by", &args);
        marks.entry(line.month).or_default().paid_by.push(text);
    }
    let args = [
        ("paid_on", text(paid.paid_on)),
        ("amount", text(paid.amount)),
        ("count", count(paid.months.len())),
        ("position", text(position)),
    ];
    let text = say(language, "timeline-payment-made", &args);
    let mark = marks.entry(paid.payment_month).or_default();
    mark.payments_made.push(text);
}

fn withdrawal_text(
    withdrawn: &crate::domain::event::MemberWithdrawn,
    position: &str,
    language: Language,
) -> String {
    let rule = withdrawn.reason.rule();
    let lapsed = if withdrawn.lapsed_months.is_empty() {
        say(language, "timeline-withdrawal-nothing-lapsed", &[])
    } else {
        let args = [
            (
                "months",
                text(month_runs(language, &withdrawn.lapsed_months)),
            ),
            ("count", count(withdrawn.lapsed_months.len())),
            ("amount", text(withdrawn.lapsed_amount)),
        ];
        say(language, "timeline-withdrawal-lapsed", &args)
    };
    let when = if rule == RuleId::R11 {
        "close"
    } else {
        "request"
    };
    let args = [
        ("rule", text(rule)),
        ("reason", reason_word(language, &withdrawn.reason)),
        ("when", text(when)),
        ("lapsed", text(lapsed)),
        ("position", text(position)),
    ];
    say(language, "timeline-withdrawal", &args)
}

/// Most runs [`month_runs`] names before it says "…".
const MONTH_RUNS_MAX: usize = 4;

/// Sorted months as runs in `language`, at most [`MONTH_RUNS_MAX`] of them.
fn month_runs(language: Language, months: &[Month]) -> String {
    crate::audit::history::month_runs_text(language, months, MONTH_RUNS_MAX)
}

/// Cuts `text` to at most `columns_max` columns (a Han character takes two, see
/// [`display_width`]), ending with "…" if cut.
fn shortened(text: &str, columns_max: usize) -> String {
    if display_width(text) <= columns_max {
        return text.to_owned();
    }
    let mut cut = String::new();
    for character in text.chars() {
        let mut buffer = [0u8; 4];
        let width = display_width(character.encode_utf8(&mut buffer));
        if display_width(&cut) + width > columns_max.saturating_sub(1) {
            break;
        }
        cut.push(character);
    }
    cut.push('…');
    cut
}

/// Whether a line may break before and after `character`: Chinese has no spaces
/// between words, so a line breaks between any two Han characters.
fn breaks_around(character: char) -> bool {
    let mut buffer = [0u8; 4];
    display_width(character.encode_utf8(&mut buffer)) == 2
}

/// Punctuation a line never starts with, and punctuation it never ends with.
const CLOSING_PUNCTUATION: &str = "，。；：、）」』…";
const OPENING_PUNCTUATION: &str = "（「『";

/// The glossary's Chinese terms (`docs/GLOSSARY.md`) that a note's line never breaks
/// inside: a reader's probe saw "欠费失" end one line and "效" start the next. Longer
/// terms first, so that one holding a shorter term is kept whole.
const UNBROKEN_TERMS: [&str; 16] = [
    "社会保险补贴",
    "已取得待遇资格",
    "待遇起始月",
    "待遇等待期",
    "缴费基数比例",
    "欠费失效",
    "中断缴费",
    "补缴恢复",
    "待遇恢复",
    "重新参保",
    "应缴费额",
    "个人账户",
    "统筹基金",
    "参保人员",
    "统筹地区",
    "自动退保",
];

/// A word's pieces a line may break between: the word itself, or, where it holds Han
/// characters, each of them and the runs between; punctuation stays with what it
/// opens or closes, and a glossary term ([`UNBROKEN_TERMS`]) stays whole.
fn pieces(word: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    // The end of the term the characters are inside, if any.
    let mut term_end = 0;
    for (index, character) in word.char_indices() {
        let inside_term = index < term_end;
        if !inside_term {
            if let Some(term) = UNBROKEN_TERMS
                .iter()
                .find(|term| word[index..].starts_with(**term))
            {
                term_end = index + term.len();
            }
        }
        if let Some(before) = previous {
            let breakable = !inside_term
                && (breaks_around(before) || breaks_around(character))
                && !CLOSING_PUNCTUATION.contains(character)
                && !OPENING_PUNCTUATION.contains(before);
            if breakable {
                pieces.push(&word[start..index]);
                start = index;
            }
        }
        previous = Some(character);
    }
    pieces.push(&word[start..]);
    pieces
}

/// Wraps a note at spaces (and between Han characters) into at most
/// [`NOTE_LINES_MAX`] lines of at most [`NOTE_LINE_CHARACTERS_MAX`] columns.
fn wrapped(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split(' ') {
        for (index, piece) in pieces(word).into_iter().enumerate() {
            // OK because `lines` starts with one line and only grows.
            let line = lines.last_mut().expect("at least one line");
            let glue = if index == 0 { " " } else { "" };
            let length = display_width(line) + glue.len() + display_width(piece);
            if line.is_empty() || length <= NOTE_LINE_CHARACTERS_MAX {
                if !line.is_empty() {
                    line.push_str(glue);
                }
                line.push_str(piece);
            } else {
                lines.push(piece.to_owned());
            }
        }
    }
    if lines.len() > NOTE_LINES_MAX {
        let rest = lines.split_off(NOTE_LINES_MAX - 1).join(" ");
        lines.push(rest);
    }
    lines
        .into_iter()
        .map(|line| shortened(&line, NOTE_LINE_CHARACTERS_MAX))
        .collect()
}

/// The member's timeline as an SVG document, from the end of `history`.
pub fn svg(history: &MemberHistory) -> Result<String, FoldError> {
    svg_in(history, Language::En)
}

/// [`svg`] in `language` (`locales/<tag>/timeline.ftl`).
pub fn svg_in(history: &MemberHistory, language: Language) -> Result<String, FoldError> {
    let coverage = history.final_coverage()?;
    Ok(render(&coverage, &history.member_events_marked(), language))
}

/// The picture's root attributes that depend on its language: the font stack and, in
/// Chinese, the language itself (English, the default, keeps the bytes it always had).
fn language_attributes(language: Language) -> String {
    match language {
        Language::En => format!("font-family=\"{FONT_FAMILY}\""),
        other => format!(
            "font-family=\"{FONT_FAMILY_CJK}\" xml:lang=\"{tag}\" lang=\"{tag}\"",
            tag = other.tag()
        ),
    }
}

/// Which calendar years the picture shows: the first drawn, the last, and how many
/// months of the listing fall before the first (not drawn, see [`TIMELINE_YEARS_MAX`]).
struct Years {
    first: i32,
    last: i32,
    months_not_drawn: usize,
}

impl Years {
    fn of(coverage: &MemberCoverage, marks: &BTreeMap<Month, MonthMarks>) -> Years {
        let listed = coverage.months.iter().map(|line| line.month);
        let marked = marks.keys().copied();
        let (mut first, mut last) = (i32::MAX, i32::MIN);
        for month in listed.chain(marked) {
            first = first.min(month.year());
            last = last.max(month.year());
        }
        if first > last {
            // No months at all (cannot happen for an enrolled member): one empty row.
            return Years {
                first: 0,
                last: 0,
                months_not_drawn: 0,
            };
        }
        // OK because TIMELINE_YEARS_MAX is 100, far inside i32.
        let span = i32::try_from(TIMELINE_YEARS_MAX).unwrap_or(i32::MAX);
        let first_drawn = first.max(last.saturating_sub(span - 1));
        let months_not_drawn = coverage
            .months
            .iter()
            .filter(|line| line.month.year() < first_drawn)
            .count();
        Years {
            first: first_drawn,
            last,
            months_not_drawn,
        }
    }

    fn rows(&self) -> i64 {
        i64::from(self.last) - i64::from(self.first) + 1
    }

    /// The top-left corner of a month's cell, if its year is drawn.
    fn cell(&self, month: Month) -> Option<(i64, i64)> {
        if month.year() < self.first || month.year() > self.last {
            return None;
        }
        let row = i64::from(month.year()) - i64::from(self.first);
        let column = i64::from(month.month_number()) - 1;
        Some((
            MARGIN_PX + YEAR_LABEL_WIDTH_PX + column * (CELL_WIDTH_PX + CELL_GAP_PX),
            GRID_TOP_PX + row * (CELL_HEIGHT_PX + ROW_GAP_PX),
        ))
    }

    fn bottom(&self) -> i64 {
        GRID_TOP_PX + self.rows() * (CELL_HEIGHT_PX + ROW_GAP_PX) - ROW_GAP_PX
    }
}

/// Draws the picture from a coverage and the member's own events (in log order), each
/// with whether it is implied (`MemberHistory::member_events_marked`).
pub fn render(
    coverage: &MemberCoverage,
    member_events: &[(&Envelope, bool)],
    language: Language,
) -> String {
    let (marks, notes) = marks(member_events, language);
    let years = Years::of(coverage, &marks);
    let legend_top = years.bottom() + 28;
    let notes_top = legend_top + 4 * LEGEND_ROW_HEIGHT_PX + 30;
    let notes_wrapped: Vec<Vec<String>> = notes
        .iter()
        .take(TIMELINE_NOTES_MAX)
        .map(|note| wrapped(&note.text))
        .collect();
    let note_lines: usize = notes_wrapped.iter().map(Vec::len).sum();
    let notes_lines =
        i64::try_from(note_lines).unwrap_or(0) + i64::from(notes.len() > notes_wrapped.len());
    let height = notes_top + 18 + notes_lines * NOTE_LINE_HEIGHT_PX + MARGIN_PX + 14;
    let width = TIMELINE_WIDTH_PX;
    let mut out = String::with_capacity(4096 + coverage.months.len() * 1200);
    let month_or_dash =
        |line: Option<&MonthLine>| line.map_or("—".to_owned(), |line| line.month.to_string());
    let args = [
        ("member", text(coverage.member_id)),
        ("region", text(&coverage.region)),
        ("count", count(coverage.months.len())),
        ("first", text(month_or_dash(coverage.months.first()))),
        ("last", text(month_or_dash(coverage.months.last()))),
    ];
    let title = say(language, "timeline-title", &args);
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"fl-timeline-title\" {} data-member=\"{}\" data-months=\"{}\">\n",
        language_attributes(language),
        coverage.member_id,
        coverage.months.len()
    ));
    out.push_str(&format!(
        "<title id=\"fl-timeline-title\">{}</title>\n",
        escape(&title)
    ));
    out.push_str(&refund_hatch());
    out.push_str(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"
    ));
    let envelopes: Vec<&Envelope> = member_events
        .iter()
        .map(|&(envelope, _)| envelope)
        .collect();
    let period_paid = latest_period_paid(&envelopes);
    heading(&mut out, coverage, &years, language, period_paid);
    grid_labels(&mut out, &years, language);
    for line in &coverage.months {
        cell(&mut out, &years, line, marks.get(&line.month), language);
    }
    for (month, month_marks) in &marks {
        period_bars(&mut out, &years, *month, month_marks);
    }
    legend(&mut out, legend_top, language);
    notes_list(&mut out, notes_top, &notes, &notes_wrapped, language);
    out.push_str(&format!(
        "<text x=\"{MARGIN_PX}\" y=\"{}\" font-size=\"11\" fill=\"{MUTED_INK}\">{}</text>\n",
        height - MARGIN_PX + 4,
        escape_content(&say(language, "timeline-footer", &[]))
    ));
    out.push_str("</svg>\n");
    out
}

/// R7: whether the latest enrollment period has a payment (after its last
/// `MemberEnrolled` or `MemberReenrolled`), so that a benefit start of `null` means one
/// after the last month the ledger records (D47), not one still to be decided.
fn latest_period_paid(member_events: &[&Envelope]) -> bool {
    member_events
        .iter()
        .rev()
        .take_while(|envelope| {
            !matches!(
                envelope.event,
                Event::MemberEnrolled(_) | Event::MemberReenrolled(_)
            )
        })
        .any(|envelope| matches!(envelope.event, Event::ContributionPaid(_)))
}

fn heading(
    out: &mut String,
    coverage: &MemberCoverage,
    years: &Years,
    language: Language,
    period_paid: bool,
) {
    let member = [("member", text(coverage.member_id))];
    let line_one = say(language, "timeline-heading-member", &member);
    let line_two = heading_status(coverage, language);
    let line_three = heading_benefits(coverage, years, language, period_paid);
    let line_four = heading_money(coverage, language);
    for (y, size, weight, text) in [
        (MARGIN_PX + 16, 19, "bold", line_one),
        (MARGIN_PX + 40, 13, "normal", line_two),
        (MARGIN_PX + 60, 13, "normal", line_three),
        (MARGIN_PX + 80, 13, "normal", line_four),
    ] {
        out.push_str(&format!(
            "<text x=\"{MARGIN_PX}\" y=\"{y}\" font-size=\"{size}\" font-weight=\"{weight}\" fill=\"{INK}\">{}</text>\n",
            escape(&text)
        ));
    }
}

/// The heading's second line: region, state, tier, months and arrears.
fn heading_status(coverage: &MemberCoverage, language: Language) -> String {
    let state = match coverage.state {
        MemberStatus::Active => "active",
        MemberStatus::InArrears => "in_arrears",
        MemberStatus::Withdrawn => "withdrawn",
    };
    let tier = coverage
        .benefit_tier
        .clone()
        .unwrap_or_else(|| say(language, "timeline-tier-none", &[]));
    let arrears = if coverage.arrears.months.is_empty() {
        say(language, "timeline-no-arrears", &[])
    } else {
        let run = &coverage.arrears.months;
        // More than two months as runs (`2025-01..2025-03`): the whole list ran past
        // the picture's right edge in Chinese.
        let months = if run.len() > 2 {
            crate::audit::history::month_runs_text(language, run, MONTH_RUNS_MAX)
        } else {
            // Listed as the language lists months (`、` in Chinese, where an ASCII comma
            // stood among Chinese punctuation).
            run.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(&say(language, "word-month-runs-separator", &[]))
        };
        let deadline = coverage
            .arrears
            .backpay_deadline
            .map_or(String::new(), |month| {
                say(
                    language,
                    "timeline-backpay-deadline",
                    &[("month", text(month))],
                )
            });
        let args = [
            ("amount", text(coverage.arrears.amount)),
            ("months", text(months)),
            ("deadline", text(deadline)),
        ];
        say(language, "timeline-arrears", &args)
    };
    let args = [
        ("region", text(&coverage.region)),
        (
            "state",
            text(say(language, "timeline-state", &[("state", text(state))])),
        ),
        ("tier", text(tier)),
        ("continuous", text(coverage.continuous_months)),
        ("cumulative", text(coverage.cumulative_months)),
        ("arrears", text(arrears)),
    ];
    say(language, "timeline-heading-status", &args)
}

/// The heading's third line: the benefit start, how far paid, the enrollment and
/// deduction, and the months not drawn.
fn heading_benefits(
    coverage: &MemberCoverage,
    years: &Years,
    language: Language,
    period_paid: bool,
) -> String {
    let optional = |month: Option<Month>| month.map_or("—".to_owned(), |month| month.to_string());
    // "benefits from M" only when M is paid; otherwise it is a start, not a promise.
    let start = match coverage.benefit_start {
        None if period_paid => say(
            language,
            "timeline-benefit-start-past-last",
            &[("last", text(Month::LAST))],
        ),
        None => say(language, "timeline-benefit-start-none", &[]),
        Some(start) if coverage.paid_through.is_some_and(|paid| paid >= start) => say(
            language,
            "timeline-benefits-from",
            &[("month", text(start))],
        ),
        Some(start) => say(
            language,
            "timeline-benefit-start",
            &[("month", text(start))],
        ),
    };
    let deduction = if coverage.deduction_stopped {
        "stopped"
    } else {
        "on"
    };
    let args = [
        ("start", text(start)),
        ("paid_through", text(optional(coverage.paid_through))),
        ("enrollment", text(coverage.enrollments)),
        ("deduction", text(deduction)),
        ("position", text(coverage.position)),
    ];
    let mut line_three = say(language, "timeline-heading-benefits", &args);
    if years.months_not_drawn > 0 {
        let args = [
            ("count", count(years.months_not_drawn)),
            ("years", count(TIMELINE_YEARS_MAX)),
        ];
        line_three.push_str(" · ");
        line_three.push_str(&say(language, "timeline-not-drawn", &args));
    }
    line_three
}

/// The heading's fourth line: qualified, the personal account, the subsidy and refunds.
fn heading_money(coverage: &MemberCoverage, language: Language) -> String {
    let subsidy = &coverage.subsidy;
    let subsidy_text = if subsidy.granted_months == 0 && subsidy.accrued.is_zero() {
        say(language, "timeline-subsidy-none", &[])
    } else {
        let args = [
            ("granted", count(subsidy.granted_months)),
            ("accrued", text(subsidy.accrued)),
            ("paid", text(subsidy.paid)),
            ("owed", text(subsidy.owed)),
        ];
        say(language, "timeline-subsidy", &args)
    };
    let args = [
        ("qualified", yes_no(coverage.qualified)),
        ("balance", text(coverage.account_balance)),
        ("subsidy", text(subsidy_text)),
    ];
    let mut line = say(language, "timeline-heading-money", &args);
    let refunded: Money = coverage.months.iter().map(|line| line.refunded).sum();
    if !refunded.is_zero() {
        line.push_str(" · ");
        line.push_str(&say(
            language,
            "timeline-refunded-total",
            &[("amount", text(refunded))],
        ));
    }
    line
}

/// A yes-or-no argument, for the messages' `[yes]`/`[no]` selectors.
fn yes_no(value: bool) -> Arg {
    text(if value { "yes" } else { "no" })
}

/// Month names over the columns and the year at the start of each row.
fn grid_labels(out: &mut String, years: &Years, language: Language) {
    for column in 0i64..12 {
        let name = say(
            language,
            "timeline-month-name",
            &[("month", count(column + 1))],
        );
        let x = MARGIN_PX
            + YEAR_LABEL_WIDTH_PX
            + column * (CELL_WIDTH_PX + CELL_GAP_PX)
            + CELL_WIDTH_PX / 2;
        out.push_str(&format!(
            "<text x=\"{x}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED_INK}\">{name}</text>\n",
            GRID_TOP_PX - 8
        ));
    }
    for year in years.first..=years.last {
        let row = i64::from(year) - i64::from(years.first);
        let y = GRID_TOP_PX + row * (CELL_HEIGHT_PX + ROW_GAP_PX) + CELL_HEIGHT_PX / 2 + 5;
        out.push_str(&format!(
            "<text class=\"year\" x=\"{MARGIN_PX}\" y=\"{y}\" font-size=\"14\" font-weight=\"bold\" fill=\"{INK}\">{year}</text>\n"
        ));
    }
}

/// The tooltip of one month: its line of the coverage, then what events say about it.
fn tooltip(line: &MonthLine, marks: Option<&MonthMarks>, language: Language) -> String {
    let args = [
        ("due", text(line.due)),
        ("paid", text(line.paid)),
        ("benefits", yes_no(line.benefits)),
        ("rule", text(line.rule)),
    ];
    let mut text = format!(
        "{} · {}\n{}",
        line.month,
        status_word_short(language, line.status),
        say(language, "timeline-tooltip-money", &args)
    );
    for phrase in money_phrases(line, language) {
        text.push('\n');
        text.push_str(&phrase);
    }
    let Some(marks) = marks else {
        return text;
    };
    let listed = |text: &mut String, items: &[String]| {
        for item in items.iter().take(TOOLTIP_PAYMENTS_MAX) {
            text.push('\n');
            text.push_str(item);
        }
        if items.len() > TOOLTIP_PAYMENTS_MAX {
            let more = [("count", count(items.len() - TOOLTIP_PAYMENTS_MAX))];
            text.push('\n');
            text.push_str(&say(language, "timeline-more", &more));
        }
    };
    for single in [&marks.enrolled, &marks.withdrawn, &marks.missed]
        .into_iter()
        .flatten()
    {
        text.push('\n');
        text.push_str(single);
    }
    listed(&mut text, &marks.refunded);
    listed(&mut text, &marks.paid_by);
    listed(&mut text, &marks.payments_made);
    listed(&mut text, &marks.subsidy);
    text
}

/// A month's money beyond due and paid, one phrase per part that is not zero: the
/// refund (R12), the split (R17) and the subsidy (R16).
fn money_phrases(line: &MonthLine, language: Language) -> Vec<String> {
    let mut phrases = Vec::new();
    if !line.refunded.is_zero() {
        let args = [("amount", text(line.refunded))];
        phrases.push(say(language, "timeline-money-refunded", &args));
    }
    if !line.to_account.is_zero() {
        let args = [
            ("to_account", text(line.to_account)),
            ("pooled", text(line.paid - line.to_account)),
        ];
        phrases.push(say(language, "timeline-money-account", &args));
    }
    if !line.subsidy.is_zero() {
        let args = [
            ("subsidy", text(line.subsidy)),
            ("paid_out", yes_no(line.subsidy_paid)),
        ];
        phrases.push(say(language, "timeline-money-subsidy", &args));
    }
    phrases
}

/// How a month's subsidy is marked (R16), if at all: `paid` (paid out), `accrued`
/// (accrued, owed) or `granted` (a subsidy event names the month, nothing accrued).
fn subsidy_state(line: &MonthLine, marks: Option<&MonthMarks>) -> Option<&'static str> {
    if !line.subsidy.is_zero() {
        Some(if line.subsidy_paid { "paid" } else { "accrued" })
    } else if marks.is_some_and(|marks| !marks.subsidy.is_empty()) {
        Some("granted")
    } else {
        None
    }
}

/// One month: its cell, label, amount, benefits badge and event marks.
fn cell(
    out: &mut String,
    years: &Years,
    line: &MonthLine,
    marks: Option<&MonthMarks>,
    language: Language,
) {
    let Some((x, y)) = years.cell(line.month) else {
        return;
    };
    // R12: a refunded month is outside the period (not enrolled) but was paid: hatched
    // and labelled, so it does not read as a month that never concerned the member.
    let refunded = line.status == MonthStatus::NotEnrolled && !line.refunded.is_zero();
    cell_group_open(out, line, marks, language);
    cell_face(out, (x, y), line, refunded, language);
    if line.benefits {
        benefits_badge(out, x + CELL_WIDTH_PX - 17, y + CELL_HEIGHT_PX - 17);
    }
    cell_marks(out, (x, y), line, marks);
    out.push_str("</g>\n");
}

/// A cell's group, carrying its month, status and money as data, and its tooltip.
fn cell_group_open(
    out: &mut String,
    line: &MonthLine,
    marks: Option<&MonthMarks>,
    language: Language,
) {
    let mut money_attributes = String::new();
    for (name, amount) in [
        ("data-refunded", line.refunded),
        ("data-to-account", line.to_account),
        ("data-subsidy", line.subsidy),
    ] {
        if !amount.is_zero() {
            money_attributes.push_str(&format!(" {name}=\"{amount}\""));
        }
    }
    out.push_str(&format!(
        "<g class=\"cell\" data-month=\"{}\" data-status=\"{}\" data-benefits=\"{}\"{money_attributes}>",
        line.month,
        status_name(line.status),
        line.benefits
    ));
    out.push_str(&format!(
        "<title>{}</title>",
        escape(&tooltip(line, marks, language))
    ));
}

/// A cell's box, status label and amount, at its top-left corner `(x, y)`.
fn cell_face(
    out: &mut String,
    (x, y): (i64, i64),
    line: &MonthLine,
    refunded: bool,
    language: Language,
) {
    let style = status_style(line.status);
    let stroke = if line.status == MonthStatus::Due {
        format!("stroke=\"{MUTED_INK}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"")
    } else if refunded {
        format!("stroke=\"{MUTED_INK}\" stroke-width=\"1\"")
    } else {
        "stroke=\"#00000033\" stroke-width=\"1\"".to_owned()
    };
    let fill = if refunded {
        format!("url(#{REFUND_HATCH_ID})")
    } else {
        style.fill.to_owned()
    };
    out.push_str(&format!(
        "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL_WIDTH_PX}\" height=\"{CELL_HEIGHT_PX}\" rx=\"5\" fill=\"{fill}\" {stroke}/>"
    ));
    let (label, ink, size) = if refunded {
        (say(language, "timeline-cell-refunded", &[]), INK, "10.5")
    } else {
        (status_label(line.status, language), style.ink, "11.5")
    };
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"{size}\" font-weight=\"bold\" fill=\"{ink}\">{}</text>",
        x + 6,
        y + 16,
        escape(&label)
    ));
    let amount = if refunded {
        Some(line.refunded)
    } else if line.status != MonthStatus::NotEnrolled {
        Some(if line.paid.is_zero() {
            line.due
        } else {
            line.paid
        })
    } else {
        None
    };
    if let Some(amount) = amount {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"10.5\" fill=\"{ink}\">{amount}</text>",
            x + 6,
            y + 31,
        ));
    }
}

/// A cell's marks along its bottom edge, from its top-left corner `(x, y)`.
fn cell_marks(out: &mut String, (x, y): (i64, i64), line: &MonthLine, marks: Option<&MonthMarks>) {
    // The marks along the bottom, left to right, packed closer when many share a
    // cell with the benefits badge (bottom right).
    let mut drawn: Vec<Mark> = Vec::new();
    if let Some(marks) = marks {
        if !marks.paid_by.is_empty() {
            drawn.push(Mark::Paid);
        }
        if !marks.payments_made.is_empty() {
            drawn.push(Mark::PaymentMade);
        }
        if marks.missed.is_some() {
            drawn.push(Mark::Missed);
        }
        if !marks.refunded.is_empty() {
            drawn.push(Mark::Refunded);
        }
    }
    if let Some(state) = subsidy_state(line, marks) {
        drawn.push(Mark::Subsidy(state));
    }
    let right = if line.benefits {
        CELL_WIDTH_PX - 18
    } else {
        CELL_WIDTH_PX - 4
    };
    let count = i64::try_from(drawn.len()).unwrap_or(1).max(2);
    let step = MARK_STEP_PX.min((right - MARK_FIRST_PX - MARK_RADIUS_PX) / (count - 1));
    let base = y + CELL_HEIGHT_PX - 9;
    for (index, mark) in (0i64..).zip(drawn) {
        let centre = x + MARK_FIRST_PX + index * step;
        match mark {
            Mark::Paid => paid_mark(out, centre, base),
            Mark::PaymentMade => payment_made_mark(out, centre, base),
            Mark::Missed => missed_mark(out, centre, base),
            Mark::Refunded => refunded_mark(out, centre, base),
            Mark::Subsidy(state) => subsidy_mark(out, centre, base, state),
        }
    }
}

/// The marks along a cell's bottom edge, in the order they are drawn.
#[derive(Clone, Copy)]
enum Mark {
    Paid,
    PaymentMade,
    Missed,
    Refunded,
    /// `paid`, `accrued` or `granted` (see [`subsidy_state`]).
    Subsidy(&'static str),
}

/// Centre of the first mark from a cell's left edge, the step between marks, and how
/// far a mark reaches from its centre.
const MARK_FIRST_PX: i64 = 9;
const MARK_STEP_PX: i64 = 15;
const MARK_RADIUS_PX: i64 = 5;

/// A return arrow: this month's contribution was refunded by a withdrawal (R12).
fn refunded_mark(out: &mut String, x: i64, y: i64) {
    out.push_str(&format!(
        "<g class=\"mark-refunded\"><path d=\"M{} {}v-3.5a3 3 0 0 0 -3 -3h-5\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"1.8\" stroke-linecap=\"round\"/><path d=\"M{} {}l4 -3.5v7z\" fill=\"{INK}\"/></g>",
        x + 4,
        y + 4,
        x - 6,
        y - 3
    ));
}

/// A diamond: a subsidy (R16) — filled when paid out, hollow while accrued and owed,
/// dashed while granted but not accrued.
fn subsidy_mark(out: &mut String, x: i64, y: i64, state: &str) {
    let (fill, dash) = match state {
        "paid" => (INK, ""),
        "accrued" => ("#ffffff", ""),
        _ => ("#ffffff", " stroke-dasharray=\"2 1.5\""),
    };
    out.push_str(&format!(
        "<path class=\"mark-subsidy\" data-subsidy=\"{state}\" d=\"M{x} {}l5 5l-5 5l-5 -5z\" fill=\"{fill}\" stroke=\"{INK}\" stroke-width=\"1.4\"{dash}/>",
        y - 5
    ));
}

/// The hatch pattern refunded months are filled with.
fn refund_hatch() -> String {
    format!(
        "<defs><pattern id=\"{REFUND_HATCH_ID}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{}\"/><rect width=\"2\" height=\"6\" fill=\"{REFUND_STRIPE}\"/></pattern></defs>\n",
        status_style(MonthStatus::NotEnrolled).fill
    )
}

/// A white square with a green cross: this month carries benefits.
fn benefits_badge(out: &mut String, x: i64, y: i64) {
    out.push_str(&format!(
        "<g class=\"mark-benefits\"><rect x=\"{x}\" y=\"{y}\" width=\"13\" height=\"13\" rx=\"2\" fill=\"#ffffff\" stroke=\"{BENEFIT_CROSS}\" stroke-width=\"1\"/><path d=\"M{} {}h3v-3h3v3h3v3h-3v3h-3v-3h-3z\" fill=\"{BENEFIT_CROSS}\"/></g>",
        x + 1,
        y + 5
    ));
}

/// A filled dot: this month was paid.
fn paid_mark(out: &mut String, x: i64, y: i64) {
    out.push_str(&format!(
        "<circle class=\"mark-paid\" cx=\"{x}\" cy=\"{y}\" r=\"4.5\" fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"1\"/>"
    ));
}

/// A triangle: a payment was made while this month was open.
fn payment_made_mark(out: &mut String, x: i64, y: i64) {
    out.push_str(&format!(
        "<path class=\"mark-payment\" d=\"M{} {}l5 -9l5 9z\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>",
        x - 5,
        y + 4
    ));
}

/// A cross: this month was recorded as missed at its close.
fn missed_mark(out: &mut String, x: i64, y: i64) {
    out.push_str(&format!(
        "<path class=\"mark-missed\" d=\"M{} {}l8 8m0 -8l-8 8\" stroke=\"{INK}\" stroke-width=\"2.2\" stroke-linecap=\"round\"/>",
        x - 4,
        y - 4
    ));
}

/// The bar before a month where an enrollment period starts (its flag, above the
/// cell, points into the period) or where a withdrawal takes effect (its square cap
/// is below the cell). Both sit in the gaps, so they never cover a cell's text.
fn period_bars(out: &mut String, years: &Years, month: Month, marks: &MonthMarks) {
    let Some((x, y)) = years.cell(month) else {
        return;
    };
    let bar_x = x - CELL_GAP_PX / 2 - 2;
    if let Some(text) = &marks.withdrawn {
        out.push_str(&format!(
            "<g class=\"mark-withdrawn\" data-month=\"{month}\"><title>{month}: {}</title>{}</g>\n",
            escape(text),
            withdrawal_glyph(bar_x, y - 3, CELL_HEIGHT_PX + 6)
        ));
    }
    if let Some(text) = &marks.enrolled {
        out.push_str(&format!(
            "<g class=\"mark-enrolled\" data-month=\"{month}\"><title>{month}: {}</title>{}</g>\n",
            escape(text),
            enrollment_glyph(bar_x, y + 3, CELL_HEIGHT_PX + 6)
        ));
    }
}

/// A bar whose top is `top` and bottom `top + height`, with a flag above pointing right.
fn enrollment_glyph(x: i64, top: i64, height: i64) -> String {
    format!(
        "<rect x=\"{x}\" y=\"{}\" width=\"4\" height=\"{}\" fill=\"{INK}\"/><path d=\"M{x} {}l12 5l-12 5z\" fill=\"{INK}\"/>",
        top - 12,
        height + 12,
        top - 13,
    )
}

/// A bar from `top` with a square cap below its bottom.
fn withdrawal_glyph(x: i64, top: i64, height: i64) -> String {
    format!(
        "<rect x=\"{x}\" y=\"{top}\" width=\"4\" height=\"{}\" fill=\"{INK}\"/><rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{INK}\"/>",
        height + 2,
        x - 3,
        top + height + 2,
    )
}

/// The marks the legend names, in order (two rows of four).
pub const MARK_NAMES: [&str; 8] = [
    "benefits",
    "paid",
    "payment made",
    "missed",
    "(re-)enrolled",
    "withdrawn",
    "refunded",
    "subsidy",
];

/// Each mark of [`MARK_NAMES`] as the `timeline-mark` message's selector.
const MARK_KEYS: [&str; 8] = [
    "benefits",
    "paid",
    "payment",
    "missed",
    "enrolled",
    "withdrawn",
    "refunded",
    "subsidy",
];

/// Every status and every mark, named.
fn legend(out: &mut String, top: i64, language: Language) {
    out.push_str(&format!(
        "<g class=\"legend\"><text x=\"{MARGIN_PX}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\" fill=\"{INK}\">{}</text>\n",
        top + 13,
        escape(&say(language, "timeline-legend-statuses", &[]))
    ));
    let left = MARGIN_PX + 108;
    let status_step = (TIMELINE_WIDTH_PX - left - MARGIN_PX) / 4;
    for (index, status) in (0i64..).zip(STATUSES) {
        let style = status_style(status);
        let x = left + (index % 4) * status_step;
        let y = top + (index / 4) * LEGEND_ROW_HEIGHT_PX;
        let stroke = if status == MonthStatus::Due {
            format!("stroke=\"{MUTED_INK}\" stroke-dasharray=\"3 2\"")
        } else {
            "stroke=\"#00000033\"".to_owned()
        };
        out.push_str(&format!(
            "<g class=\"legend-status\" data-status=\"{}\"><rect x=\"{x}\" y=\"{y}\" width=\"18\" height=\"18\" rx=\"3\" fill=\"{}\" {stroke}/><text x=\"{}\" y=\"{}\" font-size=\"12.5\" fill=\"{INK}\">{}</text></g>\n",
            status_name(status),
            style.fill,
            x + 24,
            y + 14,
            escape(&status_meaning(status, language))
        ));
    }
    let marks_top = top + 2 * LEGEND_ROW_HEIGHT_PX + 6;
    out.push_str(&format!(
        "<text x=\"{MARGIN_PX}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\" fill=\"{INK}\">{}</text>\n",
        marks_top + 13,
        escape(&say(language, "timeline-legend-marks", &[]))
    ));
    let mark_step = (TIMELINE_WIDTH_PX - left - MARGIN_PX) / 4;
    for ((index, name), key) in (0i64..).zip(MARK_NAMES).zip(MARK_KEYS) {
        let label = say(language, "timeline-mark", &[("mark", text(key))]);
        let x = left + (index % 4) * mark_step;
        let y = marks_top + 9 + (index / 4) * LEGEND_ROW_HEIGHT_PX;
        out.push_str(&format!("<g class=\"legend-mark\" data-mark=\"{name}\">"));
        match index {
            0 => benefits_badge(out, x, y - 7),
            1 => paid_mark(out, x + 6, y),
            2 => payment_made_mark(out, x + 6, y),
            3 => missed_mark(out, x + 6, y),
            4 => out.push_str(&enrollment_glyph(x + 3, y - 2, 10)),
            5 => out.push_str(&withdrawal_glyph(x + 3, y - 14, 10)),
            6 => {
                out.push_str(&format!(
                    "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" rx=\"2\" fill=\"url(#{REFUND_HATCH_ID})\" stroke=\"{MUTED_INK}\"/>",
                    y - 7
                ));
                refunded_mark(out, x + 8, y + 2);
            }
            _ => subsidy_mark(out, x + 6, y, "accrued"),
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12.5\" fill=\"{INK}\">{}</text></g>\n",
            x + 20,
            y + 5,
            escape(&label)
        ));
    }
    out.push_str("</g>\n");
}

/// What the legend says a status means.
pub fn status_meaning(status: MonthStatus, language: Language) -> String {
    let args = [("status", text(status_name(status)))];
    say(language, "timeline-status-meaning", &args)
}

/// The enrollment periods in words: where each starts, and each withdrawal with its
/// reason and the months it lapsed.
fn notes_list(
    out: &mut String,
    top: i64,
    notes: &[Note],
    wrapped: &[Vec<String>],
    language: Language,
) {
    out.push_str(&format!(
        "<g class=\"notes\"><text x=\"{MARGIN_PX}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\" fill=\"{INK}\">{}</text>\n",
        top,
        escape(&say(language, "timeline-notes", &[]))
    ));
    let mut y = top + 20;
    for (note, lines) in notes.iter().zip(wrapped) {
        let (kind, glyph) = if note.withdrawal {
            let glyph = format!(
                "<rect x=\"{}\" y=\"{}\" width=\"9\" height=\"9\" fill=\"{INK}\"/>",
                MARGIN_PX + 1,
                y - 9
            );
            ("withdrawal", glyph)
        } else {
            let glyph = format!(
                "<path d=\"M{} {}l10 5l-10 5z\" fill=\"{INK}\"/>",
                MARGIN_PX + 1,
                y - 10
            );
            ("enrollment", glyph)
        };
        out.push_str(&format!(
            "<g class=\"note\" data-kind=\"{kind}\" data-month=\"{}\">{glyph}<text x=\"{}\" y=\"{y}\" font-size=\"12.5\" fill=\"{INK}\"><tspan font-weight=\"bold\">{}</tspan>",
            note.month,
            MARGIN_PX + 18,
            note.month,
        ));
        for (index, line) in lines.iter().enumerate() {
            let attributes = if index == 0 {
                String::new()
            } else {
                format!(" x=\"{}\" dy=\"{NOTE_LINE_HEIGHT_PX}\"", MARGIN_PX + 78)
            };
            // An explicit gap: renderers drop a leading space after the bold month.
            let gap = if index == 0 { " dx=\"6\"" } else { "" };
            out.push_str(&format!("<tspan{attributes}{gap}>{}</tspan>", escape(line)));
        }
        out.push_str("</text></g>\n");
        y += NOTE_LINE_HEIGHT_PX * i64::try_from(lines.len()).unwrap_or(1);
    }
    if notes.len() > wrapped.len() {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{y}\" font-size=\"12.5\" fill=\"{MUTED_INK}\">{}</text>\n",
            MARGIN_PX + 18,
            escape_content(&say(
                language,
                "timeline-notes-more",
                &[("count", count(notes.len() - wrapped.len()))]
            ))
        ));
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A note's line never breaks inside a glossary term, wherever the term falls, and
    /// every term kept whole is the glossary's.
    #[test]
    fn a_note_never_breaks_inside_a_glossary_term() {
        let glossary = include_str!("../../docs/GLOSSARY.md");
        for term in UNBROKEN_TERMS {
            assert!(glossary.contains(term), "{term} is not in the glossary");
        }
        for padding in 0..NOTE_LINE_CHARACTERS_MAX / 2 {
            let note = format!(
                "{}2025-04 至 2025-07 欠费失效：4 个月",
                "缴".repeat(padding)
            );
            let lines = wrapped(&note);
            assert!(
                lines.iter().any(|line| line.contains("欠费失效")),
                "{padding}: {lines:?}"
            );
        }
    }
}
