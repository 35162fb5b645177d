//! The shell of `flexledger-audit whatif`: reads the policy file and the histories,
//! runs the pure what-if (`super`), prints a table or JSON.

use super::{
    what_if, MemberWhatIf, MonthView, Outcome, PolicyOverrides, RegionSummary, RegionWhatIf,
    StatusWithBenefits, Totals, WhatIfError, REGION_DETAIL_MEMBERS_MAX,
};
use crate::audit::commands::{not_found, unknown_member};
use crate::audit::history::{self, serde_plain, Cut, MemberHistory};
use crate::domain::month::Month;
use crate::domain::policy::RegionName;
use crate::ledger::decode_region_row;
use crate::store::{ReadStore, StateKey};
use anyhow::{anyhow, Context};
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
which months would change status or benefits, how arrears and lapsed months (borne by the member) would differ, \
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
    #[arg(long, value_name = "ID")]
    pub member: Option<Uuid>,
    /// Compare every member of a region: a summary, and detail for the first affected members.
    #[arg(long, value_name = "NAME", value_parser = parse_region)]
    pub region: Option<RegionName>,
}

fn parse_region(text: &str) -> Result<RegionName, String> {
    RegionName::parse(text).ok_or_else(|| {
        format!("{text:?} is not a region name (1 to 64 letters, digits, '_', '.' or '-')")
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
    let overrides = read_overrides(&args.policy)?;
    let file = crate::shell_support::stdio::display(&args.policy, true);
    match (args.member, &args.region) {
        (Some(member), _) => {
            let Some(history) = MemberHistory::load(store, member, Cut::Everything)
                .with_context(|| format!("cannot read member {member}'s history"))?
            else {
                return unknown_member(out, member, json);
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
                print_header(out, &format!("member {member}"), &overrides, &file)?;
                print_member(out, &report)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(region)) => region_command(store, region, &overrides, &file, json, out),
        (None, None) => anyhow::bail!("pass --member ID or --region NAME"),
    }
}

/// Reads and parses the policy file (standard input for `-`); errors name the file and
/// the field.
pub fn read_overrides(path: &Path) -> anyhow::Result<PolicyOverrides> {
    let text =
        crate::shell_support::stdio::read_small_input(path, "policy file", POLICY_FILE_BYTES_MAX)?;
    PolicyOverrides::parse(&text).map_err(|message| {
        anyhow!(
            "policy file {}: {message}",
            crate::shell_support::stdio::display(path, true)
        )
    })
}

/// One member's what-if, its errors worded for the command line.
fn run(
    history: &MemberHistory,
    overrides: &PolicyOverrides,
    file: &str,
) -> anyhow::Result<MemberWhatIf> {
    what_if(history, overrides).map_err(|error| match error {
        WhatIfError::Policy(message) => anyhow!("policy file {file}: {message}"),
        other => anyhow!(other).context(format!("member {}", history.member_id)),
    })
}

fn region_command(
    store: &(impl ReadStore + ?Sized),
    region: &RegionName,
    overrides: &PolicyOverrides,
    file: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some(row) = store.read_state(&StateKey::Region(region.clone()))? else {
        return unknown_region(out, region, json);
    };
    // Checked here too, so that a bad combination is refused even in a region
    // without members.
    for policy in decode_region_row(&row)?.policies.values() {
        overrides
            .apply(policy)
            .map_err(|message| anyhow!("policy file {file}: {message}"))?;
    }
    let mut summary = RegionSummary::new(region.clone());
    let members = history::members(store, Some(region))
        .with_context(|| format!("cannot list the members of region {region}"))?;
    for member in members {
        let history = MemberHistory::load(store, member, Cut::Everything)
            .with_context(|| format!("cannot read member {member}'s history"))?
            .ok_or_else(|| {
                anyhow!("member {member} has a state row but no events: run `flexledger verify`")
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
        print_header(out, &format!("region {region}"), overrides, file)?;
        print_region(out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit 1 with a message naming the region.
fn unknown_region(
    out: &mut dyn Write,
    region: &RegionName,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let message = format!("region {region} has no policy in this ledger: check the name");
    not_found(out, json, "unknown_region", &message)
}

fn print_header(
    out: &mut dyn Write,
    subject: &str,
    overrides: &PolicyOverrides,
    file: &str,
) -> anyhow::Result<()> {
    writeln!(out, "what-if for {subject}")?;
    writeln!(out, "alternative policy: {} ({file})", overrides.summary())?;
    writeln!(
        out,
        "same recorded behaviour; payments pay the same months at the alternative's dues"
    )?;
    Ok(())
}

/// Width of the label column of the side-by-side tables.
const LABEL_WIDTH: usize = 26;
/// Width of the "actual" column of the side-by-side tables.
const SIDE_WIDTH: usize = 40;

fn row(out: &mut dyn Write, label: &str, actual: &str, alternative: &str) -> anyhow::Result<()> {
    writeln!(
        out,
        "{label:<LABEL_WIDTH$}{actual:<SIDE_WIDTH$}  {alternative}"
    )?;
    Ok(())
}

/// The member's table: outcomes side by side, months that differ, refused commands.
pub fn print_member(out: &mut dyn Write, member: &MemberWhatIf) -> anyhow::Result<()> {
    let verdict = if member.affected {
        "affected"
    } else {
        "not affected"
    };
    writeln!(
        out,
        "\nmember {} (region {}): {verdict}",
        member.member_id, member.region
    )?;
    print_outcomes(out, &member.actual, &member.alternative)?;
    if member.months.is_empty() {
        writeln!(out, "\nno month changes status or benefits")?;
    } else if member.months.len() == 1 {
        writeln!(out, "\n1 month changes status or benefits:")?;
    } else {
        writeln!(
            out,
            "\n{} months change status or benefits:",
            member.months.len()
        )?;
        writeln!(
            out,
            "  {:<8} {:<28} alternative (paid)",
            "month", "actual (paid)"
        )?;
        for difference in &member.months {
            writeln!(
                out,
                "  {:<8} {:<28} {}",
                difference.month.to_string(),
                month_text(difference.actual.as_ref()),
                month_text(difference.alternative.as_ref())
            )?;
        }
    }
    if member.refused.is_empty() {
        writeln!(out, "\nthe alternative accepts every recorded command")?;
        return Ok(());
    }
    writeln!(
        out,
        "\n{} recorded command(s) the alternative refuses (the recorded behaviour no longer fits its rules; the replay drops them and goes on):",
        member.refused.len()
    )?;
    for refused in &member.refused {
        writeln!(
            out,
            "  position {} {}: {} — {}",
            refused.position, refused.command, refused.code, refused.message
        )?;
        writeln!(out, "    recorded: {}", refused.recorded)?;
    }
    Ok(())
}

/// A row of a side-by-side table: its label and how one side reads in it.
type Row<T> = (&'static str, fn(&T) -> String);

/// The rows of the outcome table: each row's label and how an outcome reads in it.
const OUTCOME_ROWS: [Row<Outcome>; 14] = [
    ("state", |outcome| {
        outcome.state.map_or("never enrolled".to_owned(), |state| {
            serde_plain(&crate::codec::wire::MemberStatus::from(&state))
        })
    }),
    ("arrears", |outcome| {
        amount_and_months(outcome.arrears_amount, &outcome.arrears_months)
    }),
    ("lapsed, borne by member", |outcome| {
        amount_and_months(outcome.lapsed_amount, &outcome.lapsed_months)
    }),
    ("paid", |outcome| outcome.paid_amount.to_string()),
    ("months with benefits", |outcome| {
        outcome.benefit_months.to_string()
    }),
    ("continuous / cumulative", |outcome| {
        format!(
            "{} / {}",
            outcome.continuous_months, outcome.cumulative_months
        )
    }),
    ("benefit tier", |outcome| {
        outcome.benefit_tier.clone().unwrap_or_else(|| "-".into())
    }),
    ("withdrawals", withdrawals_text),
    ("qualified (R7)", |outcome| {
        if outcome.qualified { "yes" } else { "no" }.to_owned()
    }),
    ("benefit start (R7)", |outcome| {
        outcome
            .benefit_start
            .map_or_else(|| "-".to_owned(), |month| month.to_string())
    }),
    ("refunded (R12)", |outcome| {
        amount_and_months(outcome.refunded_amount, &outcome.refunded_months)
    }),
    ("to personal account (R17)", |outcome| {
        outcome.to_account_amount.to_string()
    }),
    ("account balance (R17)", |outcome| {
        outcome.account_balance.to_string()
    }),
    ("subsidy acc./paid/owed", |outcome| {
        format!(
            "{} / {} / {} (R16)",
            outcome.subsidy.accrued, outcome.subsidy.paid, outcome.subsidy.owed
        )
    }),
];

fn print_outcomes(
    out: &mut dyn Write,
    actual: &Outcome,
    alternative: &Outcome,
) -> anyhow::Result<()> {
    writeln!(out)?;
    row(out, "", "actual", "alternative")?;
    for (label, text) in OUTCOME_ROWS {
        row(out, label, &text(actual), &text(alternative))?;
    }
    Ok(())
}

fn withdrawals_text(outcome: &Outcome) -> String {
    if outcome.withdrawals.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = outcome
        .withdrawals
        .iter()
        .map(|withdrawal| {
            format!(
                "from {} ({})",
                withdrawal.effective_from,
                serde_plain(&withdrawal.reason)
            )
        })
        .collect();
    parts.join("; ")
}

fn amount_and_months(amount: crate::domain::money::Money, months: &[Month]) -> String {
    if months.is_empty() {
        return "none".into();
    }
    format!("{amount} ({})", months_text(months))
}

/// `2025-08..2025-11, 2026-02`: sorted months as runs.
pub fn months_text(months: &[Month]) -> String {
    crate::audit::history::month_runs_text(months, usize::MAX)
}

/// `restored+ (600.00)`; `+` = with benefits; `not listed` when the side lacks the month.
/// v2 money follows the paid amount when there is any: `not_enrolled (0.00, refunded
/// 600.00)`, `covered+ (600.00, subsidy 400.02 paid out)`.
fn month_text(view: Option<&MonthView>) -> String {
    match view {
        None => "not listed".into(),
        Some(view) => {
            let mut money = view.paid.to_string();
            if !view.refunded.is_zero() {
                money.push_str(&format!(", refunded {}", view.refunded));
            }
            if !view.to_account.is_zero() {
                money.push_str(&format!(", {} to account", view.to_account));
            }
            if !view.subsidy.is_zero() {
                money.push_str(&format!(
                    ", subsidy {} {}",
                    view.subsidy,
                    if view.subsidy_paid {
                        "paid out"
                    } else {
                        "owed"
                    }
                ));
            }
            format!(
                "{}{} ({money})",
                serde_plain(&view.status),
                if view.benefits { "+" } else { "" },
            )
        }
    }
}

fn side_text(side: &StatusWithBenefits) -> String {
    match side.status {
        None => "not listed".into(),
        Some(status) => format!(
            "{}{}",
            serde_plain(&status),
            if side.benefits { "+" } else { "" }
        ),
    }
}

/// The rows of the region's totals table: each row's label and how totals read in it.
const REGION_ROWS: [Row<Totals>; 10] = [
    ("arrears", |totals| totals.arrears_amount.to_string()),
    ("lapsed, borne by members", |totals| {
        format!("{} ({} months)", totals.lapsed_amount, totals.lapsed_months)
    }),
    ("paid", |totals| totals.paid_amount.to_string()),
    ("months with benefits", |totals| {
        totals.benefit_months.to_string()
    }),
    ("withdrawals", |totals| totals.withdrawals.to_string()),
    ("withdrawn at the end", |totals| {
        totals.members_withdrawn.to_string()
    }),
    ("qualified (R7)", |totals| {
        totals.members_qualified.to_string()
    }),
    ("refunded (R12)", |totals| {
        totals.refunded_amount.to_string()
    }),
    ("account balances (R17)", |totals| {
        totals.account_balance.to_string()
    }),
    ("subsidy acc./paid/owed", |totals| {
        format!(
            "{} / {} / {} (R16)",
            totals.subsidy_accrued, totals.subsidy_paid, totals.subsidy_owed
        )
    }),
];

/// The region's table: totals side by side, month transitions, then member details.
pub fn print_region(out: &mut dyn Write, region: &RegionWhatIf) -> anyhow::Result<()> {
    writeln!(
        out,
        "\nregion {}: {} member(s), {} affected, {} recorded command(s) refused",
        region.region, region.members, region.members_affected, region.refused_commands
    )?;
    writeln!(out)?;
    row(out, "", "actual", "alternative")?;
    for (label, text) in REGION_ROWS {
        row(
            out,
            label,
            &text(&region.actual),
            &text(&region.alternative),
        )?;
    }
    print_transitions(out, region)?;
    print_details(out, region)
}

/// The months whose status or benefits change, by (actual, alternative) pair.
fn print_transitions(out: &mut dyn Write, region: &RegionWhatIf) -> anyhow::Result<()> {
    if region.transitions.is_empty() {
        writeln!(out, "\nno month changes status or benefits")?;
    } else {
        writeln!(
            out,
            "\nmonths that change status or benefits ('+' = with benefits):"
        )?;
        writeln!(out, "  {:>7}  {:<16} alternative", "months", "actual")?;
        for transition in &region.transitions {
            writeln!(
                out,
                "  {:>7}  {:<16} {}",
                transition.months,
                side_text(&transition.actual),
                side_text(&transition.alternative)
            )?;
        }
    }
    Ok(())
}

fn print_details(out: &mut dyn Write, region: &RegionWhatIf) -> anyhow::Result<()> {
    if region.details.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\ndetail for the first {} affected member(s) (at most {REGION_DETAIL_MEMBERS_MAX}; {} more not shown, ask with --member ID):",
        region.details.len(),
        region.details_omitted
    )?;
    for member in &region.details {
        print_member(out, member)?;
    }
    Ok(())
}
