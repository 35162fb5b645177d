//! The audit page (`GET /audit/members/{id}`): one member on one self-contained HTML
//! page — the timeline picture inline, the months table and the member's events, each
//! with the rule it rests on.
//!
//! v2: a summary of the member's money (qualified, R7; the personal account balance,
//! R17; the subsidy granted, accrued, paid out and owed, R16; what was refunded, R12),
//! and the months table gains refunded, to-account and subsidy columns.
//!
//! In the reader's language ([`html_in`], `locales/<tag>/page.ftl`, the picture and
//! event summaries in the same language): `<html lang>` says which, and Chinese is set
//! in a CJK font stack.
//!
//! Self-contained on purpose: no scripts, no external fonts, styles or images, so it
//! can be saved, mailed or printed as evidence and still read the same, and the server
//! can forbid everything else with a strict Content-Security-Policy.

use crate::audit::history::{
    describe_followed_in, recorded_next, status_word_short, MemberHistory,
};
use crate::audit::timeline::{escape, render, status_name, status_style, FONT_FAMILY_CJK};
use crate::domain::coverage::MemberCoverage;
use crate::domain::money::Money;
use crate::domain::state::FoldError;
use crate::i18n::{count, say, text, Language};
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

/// The page's styles in `language`: in Chinese the body's fonts are a CJK stack (the
/// timeline's), everything else as in English.
fn style(language: Language) -> String {
    match language {
        Language::En => STYLE.to_owned(),
        _ => STYLE.replacen(
            "font-family:'DejaVu Sans',Verdana,Arial,Helvetica,sans-serif",
            &format!("font-family:{FONT_FAMILY_CJK}"),
            1,
        ),
    }
}

/// The start of every page: the document's language, its title and styles.
fn document_head(language: Language, title: &str, viewport: bool) -> String {
    let viewport = if viewport {
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n{viewport}<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        language.tag(),
        escape(title),
        style(language)
    )
}

/// The page for a member, from the end of `history`, in English.
pub fn html(history: &MemberHistory) -> Result<String, FoldError> {
    html_in(history, Language::En)
}

/// [`html`] in `language` (`locales/<tag>/page.ftl`; the picture in the same language).
pub fn html_in(history: &MemberHistory, language: Language) -> Result<String, FoldError> {
    let coverage = history.final_coverage()?;
    let events = history.member_events_marked();
    let mut page = String::with_capacity(16_384 + coverage.months.len() * 1_600);
    let member = ("member", text(coverage.member_id));
    let title = say(language, "page-title", std::slice::from_ref(&member));
    page.push_str(&document_head(language, &title, true));
    let args = [
        member,
        ("region", text(&coverage.region)),
        ("position", text(coverage.position)),
        ("count", count(events.len())),
    ];
    page.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"lead\">{}</p>\n",
        escape(&say(language, "page-heading", &[])),
        escape(&say(language, "page-lead", &args))
    ));
    page.push_str("<figure id=\"timeline\">\n");
    page.push_str(&render(&coverage, &events, language));
    page.push_str("</figure>\n");
    summary_table(&mut page, &coverage, language);
    months_table(&mut page, &coverage, language);
    events_table(&mut page, &events, language);
    page.push_str("</body>\n</html>\n");
    Ok(page)
}

/// "yes" or "no" in `language`.
fn yes_no(language: Language, value: bool) -> String {
    let value = if value { "yes" } else { "no" };
    say(language, "page-yes-no", &[("value", text(value))])
}

/// The member's counters and money: what the picture's heading says, as a table.
fn summary_table(page: &mut String, coverage: &MemberCoverage, language: Language) {
    let refunded: Money = coverage.months.iter().map(|line| line.refunded).sum();
    let paid: Money = coverage.months.iter().map(|line| line.paid).sum();
    let to_account: Money = coverage.months.iter().map(|line| line.to_account).sum();
    let subsidy = &coverage.subsidy;
    let state = crate::audit::history::serde_plain(&crate::codec::wire::MemberStatus::from(
        &coverage.state,
    ));
    let rows: [(&str, String); 9] = [
        (
            "state",
            say(language, "page-state", &[("state", text(state))]),
        ),
        ("qualified", yes_no(language, coverage.qualified)),
        (
            "continuous",
            format!(
                "{} / {}",
                coverage.continuous_months, coverage.cumulative_months
            ),
        ),
        ("paid", paid.to_string()),
        ("refunded", refunded.to_string()),
        ("account_balance", coverage.account_balance.to_string()),
        ("to_account", to_account.to_string()),
        ("subsidy_granted_months", subsidy.granted_months.to_string()),
        (
            "subsidy",
            format!("{} / {} / {}", subsidy.accrued, subsidy.paid, subsidy.owed),
        ),
    ];
    page.push_str(&format!(
        "<h2>{}</h2>\n<table id=\"summary\" class=\"summary\">\n<tbody>\n",
        escape(&say(language, "page-summary", &[]))
    ));
    for (key, value) in rows {
        let label = say(language, "page-field", &[("field", text(key))]);
        page.push_str(&format!(
            "<tr data-field=\"{key}\"><th>{}</th><td class=\"number\">{}</td></tr>\n",
            escape(&label),
            escape(&value)
        ));
    }
    page.push_str("</tbody>\n</table>\n");
}

/// The header row of a table: each column's name in `language`.
fn header_row(language: Language, id: &str, columns: &[&str]) -> String {
    let cells: String = columns
        .iter()
        .map(|column| {
            let name = say(language, id, &[("column", text(column))]);
            format!("<th>{}</th>", escape(&name))
        })
        .collect();
    format!("<thead><tr>{cells}</tr></thead>")
}

/// The months table's columns, as the `page-months-columns` selector names them.
const MONTH_COLUMNS: [&str; 9] = [
    "month",
    "status",
    "due",
    "paid",
    "benefits",
    "rule",
    "refunded",
    "to_account",
    "subsidy",
];

fn months_table(page: &mut String, coverage: &MemberCoverage, language: Language) {
    let count = [("count", text(coverage.months.len()))];
    page.push_str(&format!(
        "<h2>{}</h2>\n<table id=\"months\">\n{}\n<tbody>\n",
        escape(&say(language, "page-months", &count)),
        header_row(language, "page-months-columns", &MONTH_COLUMNS)
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
            let paid_out = [(
                "paid_out",
                text(if line.subsidy_paid { "yes" } else { "no" }),
            )];
            format!(
                "{} {}",
                line.subsidy,
                say(language, "page-subsidy-state", &paid_out)
            )
        };
        page.push_str(&format!(
            "<tr data-month=\"{}\" data-status=\"{}\"><td>{}</td><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td><td>{}</td><td>{}</td><td class=\"{refunded_class}\">{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td></tr>\n",
            line.month,
            status_name(line.status),
            line.month,
            style.fill,
            escape(&status_word_short(language, line.status)),
            line.due,
            line.paid,
            escape(&yes_no(language, line.benefits)),
            escape(line.rule.as_str()),
            blank_if_zero(line.refunded),
            blank_if_zero(line.to_account),
            escape(&subsidy)
        ));
    }
    page.push_str("</tbody>\n</table>\n");
}

/// The events table's columns, as the `page-events-columns` selector names them.
const EVENT_COLUMNS: [&str; 4] = ["position", "type", "summary", "recorded_at"];

fn events_table(page: &mut String, events: &[(&Envelope, bool)], language: Language) {
    let heading_args = [("count", text(events.len()))];
    page.push_str(&format!(
        "<h2>{}</h2>\n",
        escape(&say(language, "page-events", &heading_args))
    ));
    let skipped = events.len().saturating_sub(PAGE_EVENTS_MAX);
    if skipped > 0 {
        let args = [("skipped", count(skipped)), ("max", text(PAGE_EVENTS_MAX))];
        // The message's markup (`<code>`) is the catalog's; its arguments are numbers.
        page.push_str(&format!(
            "<p class=\"note\">{}</p>\n",
            say(language, "page-events-skipped", &args)
        ));
    }
    page.push_str(&format!(
        "<table id=\"events\">\n{}\n<tbody>\n",
        header_row(language, "page-events-columns", &EVENT_COLUMNS)
    ));
    for (index, &(envelope, implied)) in events.iter().enumerate().skip(skipped) {
        let after = events.get(index + 1).map(|(envelope, _)| *envelope);
        let next = recorded_next(envelope, after);
        let mut what = describe_followed_in(language, &envelope.event, next);
        if implied {
            // D75: a consequence of a month close still being recorded (a read-only
            // server's page; a writer records it before answering).
            let args = [
                ("summary", text(what)),
                ("position", text(envelope.position)),
            ];
            what = say(language, "page-event-implied", &args);
        }
        let type_word =
            crate::audit::history::event_type_word(language, envelope.event.type_name());
        page.push_str(&format!(
            "<tr data-position=\"{}\"><td class=\"number\">{}</td><td{} title=\"{}\">{}</td><td>{}</td><td class=\"code\">{}</td></tr>\n",
            envelope.position,
            envelope.position,
            // The code in the monospace of codes; a word in the text's face.
            if type_word == envelope.event.type_name() {
                " class=\"code\""
            } else {
                ""
            },
            envelope.event.type_name(),
            escape(&type_word),
            escape(&what),
            recorded_at_shown(envelope.recorded_at, language)
        ));
    }
    page.push_str("</tbody>\n</table>\n");
}

/// When an event was recorded, as its page's column heading says: in UTC in English,
/// in Beijing time in Chinese (`i18n::instant_in`; the heading names the zone, so the
/// cell shows the clock alone). The JSON and the log keep UTC.
fn recorded_at_shown(at: chrono::DateTime<chrono::Utc>, language: Language) -> String {
    const FORMAT: &str = "%Y-%m-%d %H:%M:%S";
    match language {
        Language::En => at.format(FORMAT).to_string(),
        Language::ZhCn => crate::i18n::beijing_time(at).format(FORMAT).to_string(),
    }
}

/// The page for an id with no events.
pub fn not_found_html(member_id: Uuid, language: Language) -> String {
    let title = say(language, "page-not-found-title", &[]);
    let lead = say(
        language,
        "page-not-found-lead",
        &[("member", text(member_id))],
    );
    format!(
        "{}<h1>{}</h1>\n<p class=\"lead\">{}</p>\n</body>\n</html>\n",
        document_head(language, &title, false),
        escape(&say(language, "page-not-found-heading", &[])),
        escape(&lead)
    )
}

/// The page for a path that is not a member id.
pub fn bad_request_html(text_given: &str, language: Language) -> String {
    message_html(
        language,
        [
            "page-bad-request-title",
            "page-bad-request-heading",
            "page-bad-request-lead",
        ],
        text_given,
    )
}

/// The page for a query string that does not parse (`?lang=` given twice, say), names
/// a parameter the page does not take, or an `as_of` that is not a position: 400.
pub fn bad_query_html(text_given: &str, language: Language) -> String {
    message_html(
        language,
        [
            "page-bad-query-title",
            "page-bad-query-heading",
            "page-bad-query-lead",
        ],
        text_given,
    )
}

/// The page for an `as_of` the history has nothing at: beyond the log's head, or
/// before the member's first event (404, saying which, D66).
pub fn not_yet_html(text_given: &str, language: Language) -> String {
    message_html(
        language,
        [
            "page-not-yet-title",
            "page-not-yet-heading",
            "page-not-yet-lead",
        ],
        text_given,
    )
}

/// A page of one message: its title, heading and lead (with `text`), by catalog id.
fn message_html(language: Language, [title, heading, lead]: [&str; 3], text_given: &str) -> String {
    let title = say(language, title, &[]);
    let lead = say(language, lead, &[("text", text(text_given))]);
    format!(
        "{}<h1>{}</h1>\n<p class=\"lead\">{}</p>\n</body>\n</html>\n",
        document_head(language, &title, false),
        escape(&say(language, heading, &[])),
        escape(&lead)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Chinese page shows when an event was recorded in Beijing time, which is a
    /// day (and here a month) later than UTC from 16:00 UTC; an English one in UTC.
    #[test]
    fn a_chinese_page_shows_recording_times_in_beijing_time() {
        let at = chrono::DateTime::parse_from_rfc3339("2025-01-31T17:30:05Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(recorded_at_shown(at, Language::En), "2025-01-31 17:30:05");
        assert_eq!(recorded_at_shown(at, Language::ZhCn), "2025-02-01 01:30:05");
    }
}
