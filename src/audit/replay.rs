//! `flexledger-audit replay`: a member's events in order, each with what it changed.
//!
//! v2: a change is a month whose status, benefits or money changed: a refund (R12), the
//! personal-account part of a payment (R17), a subsidy accrued at a month close — a
//! region event, with no member event of its own — or paid out (R16).

use crate::audit::history::{describe, MemberHistory};
use crate::domain::coverage::{MemberCoverage, MonthChange, MonthLine};
use crate::domain::event::Event;
use crate::domain::money::Money;
use crate::domain::month::Month;
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
/// R3 — they are few).
pub fn replay_lines(
    history: &MemberHistory,
) -> Result<Vec<ReplayLine>, crate::domain::state::FoldError> {
    let steps = history.steps()?;
    let mut lines = Vec::new();
    let mut before: Option<&MemberCoverage> = None;
    for step in &steps {
        let previous = std::mem::replace(&mut before, step.coverage.as_ref());
        let envelope = &history.events[step.index];
        let policy = matches!(envelope.event, Event::PolicyPublished(_));
        if step.coverage.is_none() && !policy {
            continue;
        }
        lines.push(ReplayLine {
            position: envelope.position,
            stream: envelope.stream.clone(),
            version: envelope.version,
            event_type: envelope.event.type_name(),
            recorded_at: envelope.recorded_at,
            summary: describe(&envelope.event),
            changes_text: changes_text(&step.changes, previous),
            changes: step.changes.clone(),
            after: step.coverage.as_ref().map(After::of),
        });
    }
    Ok(lines)
}

/// Prints the replay of `history` (its `replay_lines`): a table, or JSON lines with
/// `json`. Only writing can fail here; folding the history (damage) failed before.
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
    writeln!(
        out,
        "member {} (region {}), {} event(s); after each event: arrears, continuous months, tier, qualified (R7), personal account balance (R17) and subsidy owed (R16)",
        history.member_id,
        history.region,
        lines.len()
    )?;
    writeln!(
        out,
        "{:>8}  {:<20}  {:>8}  {:>5}  {:<8}  {:<5}  {:>9}  {:>9}  what happened (→ months it changed, + = with benefits)",
        "position", "type", "arrears", "cont.", "tier", "qual.", "account", "owed"
    )?;
    let dash_if_zero = |amount: Money| {
        if amount.is_zero() {
            "-".to_owned()
        } else {
            amount.to_string()
        }
    };
    for line in lines {
        let columns = match &line.after {
            None => [
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
            ],
            Some(after) => [
                dash_if_zero(after.arrears_amount),
                after.continuous_months.to_string(),
                after.benefit_tier.clone().unwrap_or_else(|| "-".to_owned()),
                if after.qualified { "yes" } else { "no" }.to_owned(),
                dash_if_zero(after.account_balance),
                dash_if_zero(after.subsidy.owed),
            ],
        };
        let [arrears, continuous, tier, qualified, account, owed] = &columns;
        writeln!(
            out,
            "{:>8}  {:<20}  {:>8}  {:>5}  {:<8}  {:<5}  {:>9}  {:>9}  {}",
            line.position,
            line.event_type,
            arrears,
            continuous,
            tier,
            qualified,
            account,
            owed,
            line.summary,
        )?;
        if !line.changes.is_empty() {
            writeln!(out, "{:CHANGES_INDENT$}→ {}", "", line.changes_text)?;
        }
    }
    Ok(())
}

/// Where the table's "what happened" column starts.
const CHANGES_INDENT: usize = 8 + 2 + 20 + 2 + 8 + 2 + 5 + 2 + 8 + 2 + 5 + 2 + 9 + 2 + 9 + 2;

/// `2025-01 due→waiting, 2025-02 arrears→restored+, 2025-03 covered+ (subsidy 400.02
/// accrued)` ('+' = with benefits): the status change, and in parentheses what changed
/// in the month's money, against the month as it was before (`before`, the coverage
/// after the previous event).
pub fn changes_text(changes: &[MonthChange], before: Option<&MemberCoverage>) -> String {
    if changes.is_empty() {
        return "-".to_owned();
    }
    let mut parts = Vec::new();
    for change in changes {
        let old_line: Option<&MonthLine> =
            before.and_then(|before| before.months.iter().find(|line| line.month == change.month));
        let new = crate::audit::history::serde_plain(&change.new_status);
        let plus = if change.new_benefits { "+" } else { "" };
        let status_changed = change.old_status != Some(change.new_status)
            || change.old_benefits != change.new_benefits;
        let mut part = if status_changed {
            let old = change.old_status.map_or("new".to_owned(), |status| {
                crate::audit::history::serde_plain(&status)
            });
            format!("{} {old}→{new}{plus}", change.month)
        } else {
            format!("{} {new}{plus}", change.month)
        };
        let notes = money_notes(change, old_line);
        if !notes.is_empty() {
            part.push_str(&format!(" ({})", notes.join(", ")));
        }
        parts.push(part);
    }
    parts.join(", ")
}

/// What changed in a month's money (R12, R16, R17), in words.
fn money_notes(change: &MonthChange, old: Option<&MonthLine>) -> Vec<String> {
    let zero = Money::ZERO;
    let (refunded, to_account, subsidy, subsidy_paid) = old
        .map_or((zero, zero, zero, false), |old| {
            (old.refunded, old.to_account, old.subsidy, old.subsidy_paid)
        });
    let mut notes = Vec::new();
    if change.refunded != refunded {
        notes.push(format!("refunded {}, R12", change.refunded));
    }
    if change.to_account != to_account {
        notes.push(if change.to_account.is_zero() {
            "nothing to the personal account, R17".to_owned()
        } else {
            format!("{} to the personal account, R17", change.to_account)
        });
    }
    if change.subsidy != subsidy {
        notes.push(if change.subsidy.is_zero() {
            "subsidy no longer accrued, R16".to_owned()
        } else {
            format!("subsidy {} accrued, R16", change.subsidy)
        });
    }
    if change.subsidy_paid != subsidy_paid {
        notes.push(if change.subsidy_paid {
            "subsidy paid out, R16".to_owned()
        } else {
            "subsidy no longer paid out, R16".to_owned()
        });
    }
    notes
}
