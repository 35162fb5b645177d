//! The shell of `flexledger-audit whatif`: reads the policy file and the histories,
//! runs the pure what-if (`super`), prints a table or JSON.

use super::{
    what_if, MemberWhatIf, MonthView, Outcome, OverridesInvalid, PolicyOverrides, RegionSummary,
    RegionWhatIf, StatusWithBenefits, Totals, WhatIfError, REGION_DETAIL_MEMBERS_MAX,
};
use crate::audit::commands::{not_found, unknown_member};
use crate::audit::history::{self, serde_plain, status_word_short, Cut, MemberHistory};
use crate::cli::SayContext;
use crate::domain::month::Month;
use crate::domain::policy::RegionName;
use crate::i18n::{count, display_width, say, text, Language, Sentence};
use crate::ledger::decode_region_row;
use crate::store::{ReadStore, StateKey};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use uuid::Uuid;

/// Largest policy file read, in bytes: eleven parameters need a few hundred; anything
/// near this is not a policy file.
pub const POLICY_FILE_BYTES_MAX: u64 = 64 * 1024;

/// `whatif --help`. Set on the subcommand in `audit/cli.rs`: clap takes a subcommand's
/// long help from its variant, not from the flattened arguments.
pub const LONG_ABOUT: &str = "Replay the same recorded behaviour under an alternative policy and show what would differ: \
which months would change status or benefits, how arrears and lapsed months (no longer payable) would differ, \
which withdrawals would happen or not, continuity and tier, qualified and the benefit start (R7), refunds (R12), \
the personal account (R17), the subsidies (R16), and which recorded commands the alternative would \
refuse. For policy makers weighing a rule change (six months' grace, a prospective restore, another benefit delay, \
a first wait after a long gap, a personal account).\n\n\
The policy file is a JSON object with any of average_monthly_wage, contribution_rate, base_ratio_min, \
base_ratio_max, grace_months, benefit_delay_first, benefit_delay_reenroll, backpay_restores, benefit_tiers, \
first_wait_after_gap_months, account_rate (the shapes of publish_policy: decimals as strings; null for the last \
two means absent). It replaces those parameters in every policy the region \
published; each keeps its own region and effective_from. Unknown fields are refused.\n\n\
The alternative is decided again, not relabelled: each recorded command (enroll, pay, close_month, withdraw, \
reenroll, …) is run through the ledger's own rules under the changed policies, so month closes record missed \
months and automatic withdrawals (R9–R11) by the alternative's grace. The member's behaviour is held fixed: the \
same commands in the same months; a payment pays the same months at what they cost under the alternative. A \
command the alternative refuses is a finding, not an error.\n\n\
Exit: 0 reported (differences and refusals included), 1 unknown member or region, 2 bad policy file or could not run.";

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["member", "region"])))]
#[command(
    after_help = "A policy file:\n  {\"grace_months\": 6, \"backpay_restores\": \"prospective\"}\n  {\"first_wait_after_gap_months\": 6, \"account_rate\": \"0.02\"}"
)]
pub struct WhatIfArgs {
    /// JSON file of the policy parameters to change, e.g. {"grace_months": 6} ('-' reads
    /// standard input).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Compare one member (UUID).
    #[arg(long, value_name = "MEMBER", value_parser = crate::cli::parse_uuid)]
    pub member: Option<Uuid>,
    /// Compare every member of a region: a summary, and detail for the first affected members.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub region: Option<RegionName>,
}

pub(crate) fn parse_region(text: &str) -> Result<RegionName, crate::i18n::Sentence> {
    RegionName::parse(text).ok_or_else(|| {
        crate::i18n::Sentence::new("value-not-a-region", vec![("text", format!("{text:?}"))])
    })
}

/// `--json` for `--member`: the member's what-if with the overrides it used.
#[derive(Serialize)]
struct MemberReport<'a> {
    policy_file: String,
    overrides: &'a PolicyOverrides,
    #[serde(flatten)]
    member: &'a MemberWhatIf,
}

/// `--json` for `--region`.
#[derive(Serialize)]
struct RegionReport<'a> {
    policy_file: String,
    overrides: &'a PolicyOverrides,
    #[serde(flatten)]
    region: &'a RegionWhatIf,
}

/// Runs the what-if and prints its report (JSON with `json`).
pub fn command(
    store: &(impl ReadStore + ?Sized),
    args: &WhatIfArgs,
    (json, language): (bool, crate::i18n::Language),
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let file = crate::cli::stdio_named(&args.policy, true, language);
    let overrides = read_overrides(&args.policy, &file)?;
    match (args.member, &args.region) {
        (Some(member), _) => {
            let Some(history) = MemberHistory::load(store, member, Cut::Everything)
                .say_context("audit-history-unreadable", || {
                    vec![("member", member.to_string())]
                })?
            else {
                return unknown_member(out, member, (json, language));
            };
            let report = run(&history, &overrides, &file)?;
            if json {
                let report = MemberReport {
                    policy_file: file,
                    overrides: &overrides,
                    member: &report,
                };
                serde_json::to_writer(&mut *out, &report)?;
                writeln!(out)?;
            } else {
                let subject = ("audit-whatif-for-member", member.to_string());
                print_header(out, subject, &overrides, (&file, language))?;
                print_member(out, &report, language)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(region)) => {
            let file = (file.as_str(), language);
            region_command(store, region, &overrides, file, json, out)
        }
        (None, None) => Err(crate::i18n::Sentence::new("audit-whatif-what", vec![]).into()),
    }
}

/// Reads and parses the policy file (standard input for `-`); errors name the file (as
/// `file`, in the reader's language) and the field.
fn read_overrides(path: &Path, file: &str) -> anyhow::Result<PolicyOverrides> {
    let text = crate::shell_support::stdio::read_small_input(path, POLICY_FILE_BYTES_MAX)?;
    PolicyOverrides::parse(&text).map_err(|invalid| policy_file_said(file, &invalid).into())
}

/// Why the policy file `file` cannot be the alternative, as a sentence each language
/// words (D37).
fn policy_file_said(file: &str, invalid: &OverridesInvalid) -> Sentence {
    let file = ("file", file.to_owned());
    match invalid {
        OverridesInvalid::NotJson(detail) => Sentence::new(
            "audit-whatif-policy-not-json",
            vec![file, ("detail", detail.clone())],
        )
        .with_detail("detail"),
        OverridesInvalid::NotAnObject => {
            Sentence::new("audit-whatif-policy-not-an-object", vec![file])
        }
        OverridesInvalid::Fixed(field) => Sentence::new(
            "audit-whatif-policy-fixed-field",
            vec![file, ("field", (*field).to_owned())],
        ),
        OverridesInvalid::Field { path, detail } if path == "." => Sentence::new(
            "audit-whatif-policy-file",
            vec![file, ("detail", detail.clone())],
        )
        .with_detail("detail"),
        OverridesInvalid::Field { path, detail } => Sentence::new(
            "audit-whatif-policy-field",
            vec![file, ("field", path.clone()), ("detail", detail.clone())],
        )
        .with_detail("detail"),
        OverridesInvalid::Policy {
            region,
            effective_from,
            invalid,
        } => Sentence::new(
            "audit-whatif-policy-invalid",
            vec![
                file,
                ("region", region.clone()),
                ("effective_from", effective_from.to_string()),
                ("check", invalid.check.name().to_owned()),
                ("field", invalid.field.clone()),
                ("value", invalid.value.clone()),
                ("limit", invalid.limit.clone()),
            ],
        ),
    }
}

/// One member's what-if, its errors worded for the command line.
fn run(
    history: &MemberHistory,
    overrides: &PolicyOverrides,
    file: &str,
) -> anyhow::Result<MemberWhatIf> {
    what_if(history, overrides).map_err(|error| match error {
        WhatIfError::Policy(invalid) => policy_file_said(file, &invalid).into(),
        other => {
            let args = vec![("member", history.member_id.to_string())];
            crate::cli::said_context(other, "audit-whatif-member-failed", args)
        }
    })
}

fn region_command(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
    overrides: &PolicyOverrides,
    (file, language): (&str, Language),
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some(row) = store.read_state(&StateKey::Region(region.clone()))? else {
        return unknown_region(out, region, (json, language));
    };
    // Checked here too, so that a bad combination is refused even in a region
    // without members.
    for policy in decode_region_row(&row)?.policies.values() {
        overrides
            .apply(policy)
            .map_err(|invalid| policy_file_said(file, &invalid))?;
    }
    let mut summary = RegionSummary::new(region.clone());
    let members = history::members(store, Some(region))
        .say_context("audit-region-members-unreadable", || {
            vec![("region", region.to_string())]
        })?;
    for member in members {
        let history = MemberHistory::load(store, member, Cut::Everything)
            .say_context("audit-history-unreadable", || {
                vec![("member", member.to_string())]
            })?
            .ok_or_else(|| {
                let args = vec![("member", member.to_string())];
                crate::i18n::Sentence::new("audit-row-without-events", args)
            })?;
        summary.add(run(&history, overrides, file)?);
    }
    let report = summary.finish();
    if json {
        let report = RegionReport {
            policy_file: file.to_owned(),
            overrides,
            region: &report,
        };
        serde_json::to_writer(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        let subject = ("audit-whatif-for-region", region.to_string());
        print_header(out, subject, overrides, (file, language))?;
        print_region(out, &report, language)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit 1 with a message naming the region.
fn unknown_region(
    out: &mut dyn Write,
    region: &RegionName,
    style: (bool, Language),
) -> anyhow::Result<ExitCode> {
    let args = [("region", text(region))];
    not_found(
        out,
        style,
        "unknown_region",
        ("audit-unknown-region", &args),
    )
}

fn print_header(
    out: &mut dyn Write,
    (id, subject): (&str, String),
    overrides: &PolicyOverrides,
    (file, language): (&str, Language),
) -> anyhow::Result<()> {
    let name = if id == "audit-whatif-for-member" {
        "member"
    } else {
        "region"
    };
    writeln!(out, "{}", say(language, id, &[(name, text(subject))]))?;
    // No override: said in the reader's language (the others are field=value).
    let summary = if overrides.is_empty() {
        say(language, "audit-whatif-no-override", &[])
    } else {
        overrides.summary()
    };
    let args = [("summary", text(summary)), ("file", text(file))];
    writeln!(out, "{}", say(language, "audit-whatif-policy", &args))?;
    writeln!(out, "{}", say(language, "audit-whatif-same-behaviour", &[]))?;
    Ok(())
}

/// Width of the label column of the side-by-side tables, in terminal columns.
const LABEL_WIDTH: usize = 26;
/// Width of the "actual" column of the side-by-side tables, in terminal columns.
const SIDE_WIDTH: usize = 40;

/// Width of the "actual" column of the months table, in terminal columns, at least.
const MONTH_ACTUAL_WIDTH: usize = 28;

/// `text` padded with spaces to `width` terminal columns (a CJK character takes two).
fn pad(text: &str, width: usize) -> String {
    let spaces = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(spaces))
}

/// The label column's width for `labels`: [`LABEL_WIDTH`], or wider where a label
/// (a long Chinese one) needs it, so that every row of the table lines up. Every
/// English label is narrower.
fn label_width(labels: &[String]) -> usize {
    let widest = labels.iter().map(|label| display_width(label)).max();
    LABEL_WIDTH.max(widest.unwrap_or(0) + 1)
}

/// A row of a side-by-side table whose label column is `label_width` wide.
fn row(
    out: &mut dyn Write,
    (label, label_width): (&str, usize),
    actual: &str,
    alternative: &str,
) -> anyhow::Result<()> {
    let label = pad(label, label_width);
    let actual = pad(actual, SIDE_WIDTH);
    writeln!(out, "{label}{actual}  {alternative}")?;
    Ok(())
}

/// A subsidy's amounts accrued, paid and owed, citing R16 as `language` writes it.
fn subsidy_text(
    (accrued, paid, owed): (impl ToString, impl ToString, impl ToString),
    language: Language,
) -> String {
    let args = [
        ("accrued", text(accrued)),
        ("paid", text(paid)),
        ("owed", text(owed)),
    ];
    say(language, "audit-whatif-subsidy-amounts", &args)
}

/// The member's table: outcomes side by side, months that differ, refused commands.
pub fn print_member(
    out: &mut dyn Write,
    member: &MemberWhatIf,
    language: Language,
) -> anyhow::Result<()> {
    let verdict = if member.affected {
        "audit-whatif-member-affected"
    } else {
        "audit-whatif-member-not-affected"
    };
    let args = [
        ("member", text(member.member_id)),
        ("region", text(&member.region)),
    ];
    writeln!(out)?;
    writeln!(out, "{}", say(language, verdict, &args))?;
    print_outcomes(out, &member.actual, &member.alternative, language)?;
    print_month_differences(out, member, language)?;
    if member.refused.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            say(language, "audit-whatif-accepts-every-command", &[])
        )?;
        return Ok(());
    }
    let args = [("count", count(member.refused.len()))];
    writeln!(out)?;
    writeln!(out, "{}", say(language, "audit-whatif-refused", &args))?;
    for refused in &member.refused {
        let args = [
            ("position", text(refused.position)),
            ("command", text(refused.command)),
            ("code", text(refused.code)),
            (
                "message",
                text(crate::i18n::refusal_message(language, &refused.refusal)),
            ),
        ];
        writeln!(
            out,
            "  {}",
            say(language, "audit-whatif-refused-command", &args)
        )?;
        let recorded = history::describe_in(language, &refused.event);
        let args = [("recorded", text(recorded))];
        writeln!(out, "    {}", say(language, "audit-whatif-recorded", &args))?;
    }
    Ok(())
}

/// The months of one member whose status or benefits differ, with both sides' money.
fn print_month_differences(
    out: &mut dyn Write,
    member: &MemberWhatIf,
    language: Language,
) -> anyhow::Result<()> {
    writeln!(out)?;
    if member.months.is_empty() {
        writeln!(
            out,
            "{}",
            say(language, "audit-whatif-no-month-changes", &[])
        )?;
        return Ok(());
    }
    let args = [("count", count(member.months.len()))];
    writeln!(
        out,
        "{}",
        say(language, "audit-whatif-months-change", &args)
    )?;
    let actual_header = say(language, "audit-whatif-column-actual-paid", &[]);
    let actuals: Vec<String> = member
        .months
        .iter()
        .map(|difference| month_text(difference.actual.as_ref(), language))
        .collect();
    // As wide as the widest actual side, so the alternative column lines up: a
    // Chinese month's text (等待期（540.00，162.00 计入个人账户）) is wider than 28.
    let widest = actuals
        .iter()
        .chain([&actual_header])
        .map(|said| display_width(said));
    let actual_width = MONTH_ACTUAL_WIDTH.max(widest.max().unwrap_or(0) + 1);
    writeln!(
        out,
        "  {} {} {}",
        pad(&say(language, "audit-whatif-column-month", &[]), 8),
        pad(&actual_header, actual_width),
        say(language, "audit-whatif-column-alternative-paid", &[])
    )?;
    for (difference, actual) in member.months.iter().zip(&actuals) {
        writeln!(
            out,
            "  {:<8} {} {}",
            difference.month.to_string(),
            pad(actual, actual_width),
            month_text(difference.alternative.as_ref(), language)
        )?;
    }
    Ok(())
}

/// A row of a side-by-side table: its label's message and how one side reads in it.
type Row<T> = (&'static str, fn(&T, Language) -> String);

/// The rows of the outcome table: each row's label and how an outcome reads in it.
const OUTCOME_ROWS: [Row<Outcome>; 14] = [
    ("audit-whatif-row-state", |outcome, language| {
        outcome.state.map_or_else(
            || say(language, "audit-whatif-never-enrolled", &[]),
            |state| {
                let state = serde_plain(&crate::codec::wire::MemberStatus::from(&state));
                say(language, "audit-whatif-state", &[("state", text(state))])
            },
        )
    }),
    ("audit-whatif-row-arrears", |outcome, language| {
        amount_and_months(outcome.arrears_amount, &outcome.arrears_months, language)
    }),
    ("audit-whatif-row-lapsed", |outcome, language| {
        amount_and_months(outcome.lapsed_amount, &outcome.lapsed_months, language)
    }),
    ("audit-whatif-row-paid", |outcome, _| {
        outcome.paid_amount.to_string()
    }),
    ("audit-whatif-row-benefit-months", |outcome, _| {
        outcome.benefit_months.to_string()
    }),
    ("audit-whatif-row-continuous-cumulative", |outcome, _| {
        format!(
            "{} / {}",
            outcome.continuous_months, outcome.cumulative_months
        )
    }),
    ("audit-whatif-row-tier", |outcome, _| {
        outcome.benefit_tier.clone().unwrap_or_else(|| "-".into())
    }),
    ("audit-whatif-row-withdrawals", withdrawals_text),
    ("audit-whatif-row-qualified", |outcome, language| {
        let id = if outcome.qualified {
            "audit-whatif-yes"
        } else {
            "audit-whatif-no"
        };
        say(language, id, &[])
    }),
    ("audit-whatif-row-benefit-start", |outcome, _| {
        outcome
            .benefit_start
            .map_or_else(|| "-".to_owned(), |month| month.to_string())
    }),
    ("audit-whatif-row-refunded", |outcome, language| {
        amount_and_months(outcome.refunded_amount, &outcome.refunded_months, language)
    }),
    ("audit-whatif-row-to-account", |outcome, _| {
        outcome.to_account_amount.to_string()
    }),
    ("audit-whatif-row-account-balance", |outcome, _| {
        outcome.account_balance.to_string()
    }),
    ("audit-whatif-row-subsidy", |outcome, language| {
        let subsidy = &outcome.subsidy;
        subsidy_text((subsidy.accrued, subsidy.paid, subsidy.owed), language)
    }),
];

/// A side-by-side table of `rows`: a header, then each row's label and its value for
/// `actual` and for `alternative`, the label column as wide as its widest label.
fn print_sides<T>(
    out: &mut dyn Write,
    rows: &[Row<T>],
    (actual, alternative): (&T, &T),
    language: Language,
) -> anyhow::Result<()> {
    let labels: Vec<String> = rows
        .iter()
        .map(|(label, _)| say(language, label, &[]))
        .collect();
    let width = label_width(&labels);
    let header = (
        say(language, "audit-whatif-actual", &[]),
        say(language, "audit-whatif-alternative", &[]),
    );
    row(out, ("", width), &header.0, &header.1)?;
    for ((_, text), label) in rows.iter().zip(&labels) {
        row(
            out,
            (label, width),
            &text(actual, language),
            &text(alternative, language),
        )?;
    }
    Ok(())
}

fn print_outcomes(
    out: &mut dyn Write,
    actual: &Outcome,
    alternative: &Outcome,
    language: Language,
) -> anyhow::Result<()> {
    writeln!(out)?;
    print_sides(out, &OUTCOME_ROWS, (actual, alternative), language)
}

fn withdrawals_text(outcome: &Outcome, language: Language) -> String {
    if outcome.withdrawals.is_empty() {
        return say(language, "audit-whatif-none", &[]);
    }
    let parts: Vec<String> = outcome
        .withdrawals
        .iter()
        .map(|withdrawal| {
            let args = [
                ("month", text(withdrawal.effective_from)),
                ("reason", text(serde_plain(&withdrawal.reason))),
            ];
            let reason = say(language, "audit-whatif-reason", &args[1..]);
            let args = [args[0].clone(), ("reason", text(reason))];
            say(language, "audit-whatif-withdrawal", &args)
        })
        .collect();
    parts.join(&say(language, "audit-whatif-list-separator", &[]))
}

fn amount_and_months(
    amount: crate::domain::money::Money,
    months: &[Month],
    language: Language,
) -> String {
    if months.is_empty() {
        return say(language, "audit-whatif-none", &[]);
    }
    let args = [
        ("amount", text(amount)),
        ("months", text(months_text(language, months))),
    ];
    say(language, "audit-whatif-amount-months", &args)
}

/// `2025-08..2025-11, 2026-02` (`2025-08 至 2025-11、2026-02` in Chinese): sorted
/// months as runs.
pub fn months_text(language: Language, months: &[Month]) -> String {
    crate::audit::history::month_runs_text(language, months, usize::MAX)
}

/// `restored+ (600.00)`; `+` = with benefits; `not listed` when the side lacks the month.
/// v2 money follows the paid amount when there is any: `not_enrolled (0.00, refunded
/// 600.00)`, `covered+ (600.00, subsidy 400.02 paid out)`.
fn month_text(view: Option<&MonthView>, language: Language) -> String {
    let Some(view) = view else {
        return say(language, "audit-whatif-not-listed", &[]);
    };
    let mut money = view.paid.to_string();
    if !view.refunded.is_zero() {
        let args = [("amount", text(view.refunded))];
        money.push_str(&say(language, "audit-whatif-money-refunded", &args));
    }
    if !view.to_account.is_zero() {
        let args = [("amount", text(view.to_account))];
        money.push_str(&say(language, "audit-whatif-money-to-account", &args));
    }
    if !view.subsidy.is_zero() {
        let id = if view.subsidy_paid {
            "audit-whatif-money-subsidy-paid"
        } else {
            "audit-whatif-money-subsidy-owed"
        };
        money.push_str(&say(language, id, &[("amount", text(view.subsidy))]));
    }
    let args = [
        ("status", text(status_word_short(language, view.status))),
        ("benefits", text(if view.benefits { "+" } else { "" })),
        ("money", text(money)),
    ];
    say(language, "audit-whatif-month", &args)
}

fn side_text(side: &StatusWithBenefits, language: Language) -> String {
    match side.status {
        None => say(language, "audit-whatif-not-listed", &[]),
        Some(status) => format!(
            "{}{}",
            status_word_short(language, status),
            if side.benefits { "+" } else { "" }
        ),
    }
}

/// The rows of the region's totals table: each row's label and how totals read in it.
const REGION_ROWS: [Row<Totals>; 10] = [
    ("audit-whatif-row-arrears", |totals, _| {
        totals.arrears_amount.to_string()
    }),
    ("audit-whatif-row-lapsed-members", |totals, language| {
        let args = [
            ("amount", text(totals.lapsed_amount)),
            ("months", count(totals.lapsed_months)),
        ];
        say(language, "audit-whatif-lapsed-months", &args)
    }),
    ("audit-whatif-row-paid", |totals, _| {
        totals.paid_amount.to_string()
    }),
    ("audit-whatif-row-benefit-months", |totals, _| {
        totals.benefit_months.to_string()
    }),
    ("audit-whatif-row-withdrawals", |totals, _| {
        totals.withdrawals.to_string()
    }),
    ("audit-whatif-row-withdrawn-at-end", |totals, _| {
        totals.members_withdrawn.to_string()
    }),
    ("audit-whatif-row-qualified", |totals, _| {
        totals.members_qualified.to_string()
    }),
    ("audit-whatif-row-refunded", |totals, _| {
        totals.refunded_amount.to_string()
    }),
    ("audit-whatif-row-account-balances", |totals, _| {
        totals.account_balance.to_string()
    }),
    ("audit-whatif-row-subsidy", |totals, language| {
        let subsidy = (
            totals.subsidy_accrued,
            totals.subsidy_paid,
            totals.subsidy_owed,
        );
        subsidy_text(subsidy, language)
    }),
];

/// The region's table: totals side by side, month transitions, then member details.
pub fn print_region(
    out: &mut dyn Write,
    region: &RegionWhatIf,
    language: Language,
) -> anyhow::Result<()> {
    let args = [
        ("region", text(&region.region)),
        ("members", count(region.members)),
        ("affected", text(region.members_affected)),
        ("refused", count(region.refused_commands)),
    ];
    writeln!(out)?;
    writeln!(out, "{}", say(language, "audit-whatif-region", &args))?;
    writeln!(out)?;
    let sides = (&region.actual, &region.alternative);
    print_sides(out, &REGION_ROWS, sides, language)?;
    print_transitions(out, region, language)?;
    print_details(out, region, language)
}

/// The months whose status or benefits change, by (actual, alternative) pair.
fn print_transitions(
    out: &mut dyn Write,
    region: &RegionWhatIf,
    language: Language,
) -> anyhow::Result<()> {
    writeln!(out)?;
    if region.transitions.is_empty() {
        writeln!(
            out,
            "{}",
            say(language, "audit-whatif-no-month-changes", &[])
        )?;
        return Ok(());
    }
    writeln!(out, "{}", say(language, "audit-whatif-transitions", &[]))?;
    let months = say(language, "audit-whatif-column-months", &[]);
    writeln!(
        out,
        "  {}{months}  {} {}",
        " ".repeat(7_usize.saturating_sub(display_width(&months))),
        pad(&say(language, "audit-whatif-actual", &[]), 16),
        say(language, "audit-whatif-alternative", &[])
    )?;
    for transition in &region.transitions {
        writeln!(
            out,
            "  {:>7}  {} {}",
            transition.months,
            pad(&side_text(&transition.actual, language), 16),
            side_text(&transition.alternative, language)
        )?;
    }
    Ok(())
}

fn print_details(
    out: &mut dyn Write,
    region: &RegionWhatIf,
    language: Language,
) -> anyhow::Result<()> {
    if region.details.is_empty() {
        return Ok(());
    }
    let args = [
        ("shown", count(region.details.len())),
        ("most", text(REGION_DETAIL_MEMBERS_MAX)),
        ("omitted", count(region.details_omitted)),
    ];
    writeln!(out)?;
    writeln!(out, "{}", say(language, "audit-whatif-details", &args))?;
    for member in &region.details {
        print_member(out, member, language)?;
    }
    Ok(())
}
