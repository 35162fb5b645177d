//! `flexledger-audit replay`: a member's events in order, each with what it changed.
//!
//! v2: a change is a month whose status, benefits or money changed: a refund (R12), the
//! personal-account part of a payment (R17), a subsidy accrued at a month close — a
//! region event, with no member event of its own — or paid out (R16). Each line says
//! what its own event changed: a month refunded a second time (paid again after a
//! re-enrollment) says how much more and the total, not the total alone.
//!
//! The table is in the reader's language (`locales/<tag>/replay.ftl`, and the events'
//! summaries of `events.ftl`); the JSON lines are English in every language.

use crate::audit::history::{
    describe_followed_in, recorded_next, status_word_short, MemberHistory,
};
use crate::domain::coverage::{MemberCoverage, MonthChange, MonthLine};
use crate::domain::event::Event;
use crate::domain::money::Money;
use crate::domain::month::Month;
use crate::i18n::{count, display_width, say, text, Language};
use serde::Serialize;
use std::io::Write;

/// One replayed event, as `--json` prints it (one JSON object per line).
#[derive(Clone, Debug, Serialize)]
pub struct ReplayLine {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// What the event records, with its rule id.
    pub summary: String,
    /// Months whose status, benefits or money (refunded, to_account, subsidy,
    /// subsidy_paid) this event changed.
    #[serde(serialize_with = "crate::codec::wire::embed::month_changes")]
    pub changes: Vec<MonthChange>,
    /// The same changes in words, as the table prints them (`2025-01 covered+ (subsidy
    /// 400.02 accrued)`); `-` for none.
    pub changes_text: String,
    /// The member after this event; `null` before the member's enrollment (a policy
    /// published earlier).
    pub after: Option<After>,
    /// Whether the log does not hold this event yet: a consequence of a month close
    /// still being recorded, shown at its close's position (`MemberHistory::implied`,
    /// D75). Absent for a recorded event.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub implied: bool,
}

/// The member's counters after an event (RULES.md R7, R10, R14, R16, R17).
#[derive(Clone, Debug, Serialize)]
pub struct After {
    #[serde(serialize_with = "crate::codec::wire::embed::member_status")]
    pub state: crate::domain::coverage::MemberStatus,
    pub arrears_months: Vec<Month>,
    pub arrears_amount: Money,
    pub continuous_months: u32,
    pub cumulative_months: u32,
    pub benefit_tier: Option<String>,
    /// R7 (v2): some period had a paid month that arrived at or after its benefit start.
    pub qualified: bool,
    /// R17: the personal account balance.
    pub account_balance: Money,
    /// R16: the member's subsidy totals (granted months, accrued, paid, owed).
    #[serde(serialize_with = "crate::codec::wire::embed::subsidy_totals")]
    pub subsidy: crate::domain::coverage::SubsidyTotals,
}

impl After {
    fn of(coverage: &MemberCoverage) -> After {
        After {
            state: coverage.state,
            arrears_months: coverage.arrears.months.clone(),
            arrears_amount: coverage.arrears.amount,
            continuous_months: coverage.continuous_months,
            cumulative_months: coverage.cumulative_months,
            benefit_tier: coverage.benefit_tier.clone(),
            qualified: coverage.qualified,
            account_balance: coverage.account_balance,
            subsidy: coverage.subsidy.clone(),
        }
    }
}

/// The replay of a history: every member event, every region event once the member is
/// enrolled, and every policy of the region (any of them may price the member's months,
/// R3 — they are few). In English, as the JSON lines carry it.
pub fn replay_lines(
    history: &MemberHistory,
) -> Result<Vec<ReplayLine>, crate::domain::state::FoldError> {
    replay_lines_in(history, Language::En)
}

/// [`replay_lines`] with the summaries and changes in `language`, for the table.
pub fn replay_lines_in(
    history: &MemberHistory,
    language: Language,
) -> Result<Vec<ReplayLine>, crate::domain::state::FoldError> {
    let mut lines = Vec::new();
    history.for_each_step(|step, previous| {
        let envelope = &history.events[step.index];
        let policy = matches!(envelope.event, Event::PolicyPublished(_));
        if step.coverage.is_none() && !policy {
            return;
        }
        let implied = history.is_implied(step.index);
        let next = recorded_next(envelope, history.events.get(step.index + 1));
        let mut summary = describe_followed_in(language, &envelope.event, next);
        if implied {
            let args = [
                ("summary", text(summary)),
                ("position", text(envelope.position)),
            ];
            summary = say(language, "replay-implied", &args);
        }
        lines.push(ReplayLine {
            position: envelope.position,
            stream: envelope.stream.clone(),
            version: envelope.version,
            event_type: envelope.event.type_name(),
            recorded_at: envelope.recorded_at,
            summary,
            implied,
            changes_text: changes_text_in(language, &step.changes, previous),
            changes: step.changes.clone(),
            after: step.coverage.as_ref().map(After::of),
        });
    })?;
    Ok(lines)
}

/// Prints the replay of `history` (its `replay_lines`): a table in English, or JSON
/// lines with `json`. Only writing can fail here; folding the history (damage) failed
/// before.
pub fn print(
    history: &MemberHistory,
    lines: &[ReplayLine],
    json: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if json {
        for line in lines {
            serde_json::to_writer(&mut *out, line)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    print_table(history, lines, Language::En, out)
}

/// The table of `lines` (made by [`replay_lines_in`] in `language`), its headings in
/// `language`.
pub fn print_table(
    history: &MemberHistory,
    lines: &[ReplayLine],
    language: Language,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let args = [
        ("member", text(history.member_id)),
        ("region", text(&history.region)),
        ("events", count(lines.len())),
    ];
    writeln!(out, "{}", say(language, "replay-header", &args))?;
    let headings = COLUMNS.map(|(id, _, _)| say(language, id, &[]));
    // A column is as wide as its heading in the reader's language, where that is wider
    // (a probe found "待发放补贴" one column wider than its values).
    let widths: Vec<(usize, bool)> = COLUMNS
        .iter()
        .zip(&headings)
        .map(|((_, width, right), title)| ((*width).max(display_width(title)), *right))
        .collect();
    // Where "what happened" starts: after every column and its two spaces.
    let indent: usize = widths.iter().map(|(width, _)| width + 2).sum();
    let mut heading = String::new();
    for ((width, right), title) in widths.iter().zip(&headings) {
        heading.push_str(&pad(title, *width, *right));
        heading.push_str("  ");
    }
    heading.push_str(&say(language, "replay-column-what", &[]));
    writeln!(out, "{heading}")?;
    for line in lines {
        let mut row = String::new();
        for ((width, right), cell) in widths.iter().zip(cells(language, line)) {
            row.push_str(&pad(&cell, *width, *right));
            row.push_str("  ");
        }
        row.push_str(&line.summary);
        writeln!(out, "{row}")?;
        if !line.changes.is_empty() {
            writeln!(out, "{:indent$}→ {}", "", line.changes_text)?;
        }
    }
    Ok(())
}

/// The table's columns before "what happened": heading message, width in terminal
/// columns, and whether right-aligned.
const COLUMNS: [(&str, usize, bool); 8] = [
    ("replay-column-position", 8, true),
    ("replay-column-type", 20, false),
    ("replay-column-arrears", 8, true),
    ("replay-column-continuous", 5, true),
    ("replay-column-tier", 8, false),
    ("replay-column-qualified", 5, false),
    ("replay-column-account", 9, true),
    ("replay-column-owed", 9, true),
];

/// One line's cells under [`COLUMNS`]; `-` for the member's columns before its
/// enrollment, and for an amount of zero.
fn cells(language: Language, line: &ReplayLine) -> [String; 8] {
    let dash_if_zero = |amount: Money| {
        if amount.is_zero() {
            "-".to_owned()
        } else {
            amount.to_string()
        }
    };
    let member = match &line.after {
        None => std::array::from_fn(|_| "-".to_owned()),
        Some(after) => {
            let qualified = if after.qualified {
                "replay-yes"
            } else {
                "replay-no"
            };
            [
                dash_if_zero(after.arrears_amount),
                after.continuous_months.to_string(),
                after.benefit_tier.clone().unwrap_or_else(|| "-".to_owned()),
                say(language, qualified, &[]),
                dash_if_zero(after.account_balance),
                dash_if_zero(after.subsidy.owed),
            ]
        }
    };
    let [arrears, continuous, tier, qualified, account, owed] = member;
    [
        line.position.to_string(),
        crate::audit::history::event_type_word(language, line.event_type),
        arrears,
        continuous,
        tier,
        qualified,
        account,
        owed,
    ]
}

/// `cell` padded with spaces to `width` terminal columns (a CJK character takes two),
/// on the left if `right`-aligned; a wider cell is left as it is.
fn pad(cell: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(cell)));
    if right {
        format!("{fill}{cell}")
    } else {
        format!("{cell}{fill}")
    }
}

/// `2025-01 due→waiting, 2025-02 arrears→restored+, 2025-03 covered+ (subsidy 400.02
/// accrued)` ('+' = with benefits): the status change, and in parentheses what changed
/// in the month's money, against the month as it was before (`before`, the coverage
/// after the previous event).
pub fn changes_text(changes: &[MonthChange], before: Option<&MemberCoverage>) -> String {
    changes_text_in(Language::En, changes, before)
}

/// [`changes_text`] in `language`.
pub fn changes_text_in(
    language: Language,
    changes: &[MonthChange],
    before: Option<&MemberCoverage>,
) -> String {
    if changes.is_empty() {
        return "-".to_owned();
    }
    let separator = say(language, "replay-separator", &[]);
    let mut parts = Vec::new();
    for change in changes {
        let old_line: Option<&MonthLine> =
            before.and_then(|before| before.months.iter().find(|line| line.month == change.month));
        let new = status_word_short(language, change.new_status);
        let plus = if change.new_benefits { "+" } else { "" };
        let status_changed = change.old_status != Some(change.new_status)
            || change.old_benefits != change.new_benefits;
        let mut part = if status_changed {
            let old = change.old_status.map_or_else(
                || say(language, "replay-new", &[]),
                |status| status_word_short(language, status),
            );
            format!("{} {old}→{new}{plus}", change.month)
        } else {
            format!("{} {new}{plus}", change.month)
        };
        let notes = money_notes(language, change, old_line);
        if !notes.is_empty() {
            let args = [("notes", text(notes.join(&separator)))];
            part.push_str(&say(language, "replay-notes", &args));
        }
        parts.push(part);
    }
    parts.join(&separator)
}

/// What changed in a month's money (R12, R16, R17), in words.
fn money_notes(language: Language, change: &MonthChange, old: Option<&MonthLine>) -> Vec<String> {
    let zero = Money::ZERO;
    let (refunded, to_account, subsidy, subsidy_paid) = old
        .map_or((zero, zero, zero, false), |old| {
            (old.refunded, old.to_account, old.subsidy, old.subsidy_paid)
        });
    let mut notes = Vec::new();
    // R12: what this event refunded; a month refunded before (paid again after a
    // re-enrollment, refunded again) says how much more, and the total.
    if change.refunded > refunded && !refunded.is_zero() {
        let args = [
            ("amount", text(change.refunded - refunded)),
            ("refunded", text(change.refunded)),
        ];
        notes.push(say(language, "replay-note-refunded-more", &args));
    } else if change.refunded != refunded {
        let args = [("refunded", text(change.refunded))];
        notes.push(say(language, "replay-note-refunded", &args));
    }
    if change.to_account != to_account {
        notes.push(if change.to_account.is_zero() {
            say(language, "replay-note-account-none", &[])
        } else {
            let args = [("to_account", text(change.to_account))];
            say(language, "replay-note-account", &args)
        });
    }
    if change.subsidy != subsidy {
        notes.push(if change.subsidy.is_zero() {
            say(language, "replay-note-subsidy-none", &[])
        } else {
            let args = [("subsidy", text(change.subsidy))];
            say(language, "replay-note-subsidy", &args)
        });
    }
    if change.subsidy_paid != subsidy_paid {
        let id = if change.subsidy_paid {
            "replay-note-subsidy-paid"
        } else {
            "replay-note-subsidy-unpaid"
        };
        notes.push(say(language, id, &[]));
    }
    notes
}
