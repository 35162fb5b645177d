//! `flexledger-audit replay`: a member's events in order, each with what it changed.

use crate::audit::history::{describe, MemberHistory};
use crate::domain::coverage::{MemberCoverage, MonthChange};
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
    /// Months whose status or benefits this event changed.
    pub changes: Vec<MonthChange>,
    /// The member after this event; `null` before the member's enrollment (a policy
    /// published earlier).
    pub after: Option<After>,
}

/// The member's counters after an event (RULES.md R10, R14).
#[derive(Clone, Debug, Serialize)]
pub struct After {
    pub state: crate::domain::coverage::MemberStatus,
    pub arrears_months: Vec<Month>,
    pub arrears_amount: Money,
    pub continuous_months: u32,
    pub cumulative_months: u32,
    pub benefit_tier: Option<String>,
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
    for step in &steps {
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
            changes: step.changes.clone(),
            after: step.coverage.as_ref().map(After::of),
        });
    }
    Ok(lines)
}

/// Prints the replay: a table, or JSON lines with `json`.
pub fn print(history: &MemberHistory, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let lines = replay_lines(history)?;
    if json {
        for line in &lines {
            serde_json::to_writer(&mut *out, line)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "member {} (region {}), {} event(s); arrears, continuous months and tier after each event",
        history.member_id,
        history.region,
        lines.len()
    )?;
    writeln!(
        out,
        "{:>8}  {:<19}  {:>8}  {:>5}  {:<8}  what happened (→ months it changed, + = with benefits)",
        "position", "type", "arrears", "cont.", "tier"
    )?;
    for line in &lines {
        let (arrears, continuous, tier) = match &line.after {
            None => ("-".to_owned(), "-".to_owned(), "-"),
            Some(after) if after.arrears_months.is_empty() => (
                "-".to_owned(),
                after.continuous_months.to_string(),
                after.benefit_tier.as_deref().unwrap_or("-"),
            ),
            Some(after) => (
                after.arrears_amount.to_string(),
                after.continuous_months.to_string(),
                after.benefit_tier.as_deref().unwrap_or("-"),
            ),
        };
        writeln!(
            out,
            "{:>8}  {:<19}  {:>8}  {:>5}  {:<8}  {}",
            line.position, line.event_type, arrears, continuous, tier, line.summary,
        )?;
        if !line.changes.is_empty() {
            writeln!(out, "{:58}→ {}", "", changes_text(&line.changes))?;
        }
    }
    Ok(())
}

/// `2025-01 due→waiting, 2025-02 arrears→restored+` ('+' = with benefits).
pub fn changes_text(changes: &[MonthChange]) -> String {
    if changes.is_empty() {
        return "-".to_owned();
    }
    let mut parts = Vec::new();
    for change in changes {
        let old = change.old_status.map_or("new".to_owned(), |status| {
            crate::audit::history::serde_plain(&status)
        });
        let new = crate::audit::history::serde_plain(&change.new_status);
        let plus = if change.new_benefits { "+" } else { "" };
        parts.push(format!("{} {old}→{new}{plus}", change.month));
    }
    parts.join(", ")
}
