//! The audit page (`GET /audit/members/{id}`): one member on one self-contained HTML
//! page — the timeline picture inline, the months table and the member's events, each
//! with the rule it rests on.
//!
//! v2: a summary of the member's money (qualified, R7; the personal account balance,
//! R17; the subsidy granted, accrued, paid out and owed, R16; what was refunded, R12),
//! and the months table gains refunded, to-account and subsidy columns.
//!
//! Self-contained on purpose: no scripts, no external fonts, styles or images, so it
//! can be saved, mailed or printed as evidence and still read the same, and the server
//! can forbid everything else with a strict Content-Security-Policy.

use crate::audit::history::{describe, MemberHistory};
use crate::audit::timeline::{escape, render, status_name, status_style};
use crate::domain::coverage::MemberCoverage;
use crate::domain::money::Money;
use crate::domain::state::FoldError;
use crate::store::envelope::Envelope;
use uuid::Uuid;

/// Most event rows the page lists (the latest are kept); the rest are counted. A
/// member has a few events per month, so this covers several working lives.
pub const PAGE_EVENTS_MAX: usize = 5000;

/// What the page may load: nothing but its own inline styles and the inline picture.
pub const PAGE_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,Helvetica,sans-serif;color:#1a1a1a;margin:24px;max-width:1100px}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}\
p.lead{color:#555;margin:0 0 16px;font-size:14px}\
figure{margin:0;overflow-x:auto}\
table{border-collapse:collapse;font-size:13px}\
th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
th{background:#f3f3f3;position:sticky;top:0}\
td.number{text-align:right;font-variant-numeric:tabular-nums}\
td.code{font-family:'DejaVu Sans Mono',monospace;font-size:12px;white-space:nowrap}\
span.swatch{display:inline-block;width:12px;height:12px;border:1px solid #0003;border-radius:2px;margin-right:6px;vertical-align:-1px}\
p.note{color:#555;font-size:13px}\
table.summary th{position:static;background:none;font-weight:normal;color:#555}\
td.refunded{background:repeating-linear-gradient(45deg,#f3f3f3,#f3f3f3 4px,#e2e2e2 4px,#e2e2e2 6px)}";

/// The page for a member, from the end of `history`.
pub fn html(history: &MemberHistory) -> Result<String, FoldError> {
    let coverage = history.final_coverage()?;
    let events: Vec<&Envelope> = history.member_events().collect();
    let mut page = String::with_capacity(16_384 + coverage.months.len() * 1_600);
    page.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>Member {} — flexledger audit</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        coverage.member_id
    ));
    page.push_str(&format!(
        "<h1>flexledger audit: one member</h1>\n<p class=\"lead\">Member {} in region {} · folded from the log up to position {} · {} event(s) of this member. Every status below is derived from these events by the rules of RULES.md; hover a month in the picture for details.</p>\n",
        coverage.member_id,
        escape(&coverage.region),
        coverage.position,
        events.len()
    ));
    page.push_str("<figure id=\"timeline\">\n");
    page.push_str(&render(&coverage, &events));
    page.push_str("</figure>\n");
    summary_table(&mut page, &coverage);
    months_table(&mut page, &coverage);
    events_table(&mut page, &events);
    page.push_str("</body>\n</html>\n");
    Ok(page)
}

/// The member's counters and money: what the picture's heading says, as a table.
fn summary_table(page: &mut String, coverage: &MemberCoverage) {
    let refunded: Money = coverage.months.iter().map(|line| line.refunded).sum();
    let paid: Money = coverage.months.iter().map(|line| line.paid).sum();
    let to_account: Money = coverage.months.iter().map(|line| line.to_account).sum();
    let subsidy = &coverage.subsidy;
    let rows: [(&str, &str, String); 9] = [
        (
            "state",
            "state",
            crate::audit::history::serde_plain(&crate::codec::wire::MemberStatus::from(
                &coverage.state,
            )),
        ),
        (
            "qualified",
            "qualified (R7)",
            if coverage.qualified { "yes" } else { "no" }.to_owned(),
        ),
        (
            "continuous",
            "continuous / cumulative months (R14)",
            format!(
                "{} / {}",
                coverage.continuous_months, coverage.cumulative_months
            ),
        ),
        ("paid", "paid, not refunded", paid.to_string()),
        (
            "refunded",
            "refunded by withdrawals (R12)",
            refunded.to_string(),
        ),
        (
            "account_balance",
            "personal account balance (R17)",
            coverage.account_balance.to_string(),
        ),
        (
            "to_account",
            "credited or to be credited to the account, months paid (R17)",
            to_account.to_string(),
        ),
        (
            "subsidy_granted_months",
            "subsidy months granted (R16)",
            subsidy.granted_months.to_string(),
        ),
        (
            "subsidy",
            "subsidy accrued / paid out / owed (R16)",
            format!("{} / {} / {}", subsidy.accrued, subsidy.paid, subsidy.owed),
        ),
    ];
    page.push_str("<h2>Member</h2>\n<table id=\"summary\" class=\"summary\">\n<tbody>\n");
    for (key, label, value) in rows {
        page.push_str(&format!(
            "<tr data-field=\"{key}\"><th>{}</th><td class=\"number\">{}</td></tr>\n",
            escape(label),
            escape(&value)
        ));
    }
    page.push_str("</tbody>\n</table>\n");
}

fn months_table(page: &mut String, coverage: &MemberCoverage) {
    page.push_str(&format!(
        "<h2>Months ({})</h2>\n<table id=\"months\">\n<thead><tr><th>month</th><th>status</th><th>due</th><th>paid</th><th>benefits</th><th>rule</th><th>refunded (R12)</th><th>to account (R17)</th><th>subsidy (R16)</th></tr></thead>\n<tbody>\n",
        coverage.months.len()
    ));
    let blank_if_zero = |amount: Money| {
        if amount.is_zero() {
            String::new()
        } else {
            amount.to_string()
        }
    };
    for line in &coverage.months {
        let style = status_style(line.status);
        // The row keeps exactly `data-month` and `data-status` (scripts match on
        // them); the refunded cell carries the hatch.
        let refunded_class = if line.refunded.is_zero() {
            "number"
        } else {
            "number refunded"
        };
        let subsidy = if line.subsidy.is_zero() {
            String::new()
        } else {
            format!(
                "{} {}",
                line.subsidy,
                if line.subsidy_paid {
                    "paid out"
                } else {
                    "owed"
                }
            )
        };
        page.push_str(&format!(
            "<tr data-month=\"{}\" data-status=\"{}\"><td>{}</td><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td><td>{}</td><td>{}</td><td class=\"{refunded_class}\">{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td></tr>\n",
            line.month,
            status_name(line.status),
            line.month,
            style.fill,
            status_name(line.status),
            line.due,
            line.paid,
            if line.benefits { "yes" } else { "no" },
            escape(line.rule.as_str()),
            blank_if_zero(line.refunded),
            blank_if_zero(line.to_account),
            subsidy
        ));
    }
    page.push_str("</tbody>\n</table>\n");
}

fn events_table(page: &mut String, events: &[&Envelope]) {
    page.push_str(&format!("<h2>Events ({})</h2>\n", events.len()));
    let skipped = events.len().saturating_sub(PAGE_EVENTS_MAX);
    if skipped > 0 {
        page.push_str(&format!(
            "<p class=\"note\">The first {skipped} event(s) are not listed (at most {PAGE_EVENTS_MAX}); read them all with <code>flexledger-audit replay</code>.</p>\n"
        ));
    }
    page.push_str("<table id=\"events\">\n<thead><tr><th>position</th><th>type</th><th>what it records</th><th>recorded at (UTC)</th></tr></thead>\n<tbody>\n");
    for envelope in events.iter().skip(skipped) {
        page.push_str(&format!(
            "<tr data-position=\"{}\"><td class=\"number\">{}</td><td class=\"code\">{}</td><td>{}</td><td class=\"code\">{}</td></tr>\n",
            envelope.position,
            envelope.position,
            envelope.event.type_name(),
            escape(&describe(&envelope.event)),
            envelope.recorded_at.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    page.push_str("</tbody>\n</table>\n");
}

/// The page for an id with no events.
pub fn not_found_html(member_id: Uuid) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not found — flexledger audit</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>404: no such member</h1>\n<p class=\"lead\">Member {member_id} has no events in this ledger. Check the id.</p>\n</body>\n</html>\n"
    )
}

/// The page for a path that is not a member id.
pub fn bad_request_html(text: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Bad request — flexledger audit</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>400: not a member id</h1>\n<p class=\"lead\">{} is not a member id (a UUID).</p>\n</body>\n</html>\n",
        escape(text)
    )
}
