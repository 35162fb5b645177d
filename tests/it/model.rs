//! Independent reference model of the contribution rules, written from
//! `docs/spec/RULES.md` (v2: R1..R17) and `docs/spec/CONTRACT.md` (wire contract v2)
//! only, for differential testing of the ledger. It does not share any code or data
//! structures with the implementation under test (nothing under `src/` was read).
//!
//! Design: plain in-memory state. Per member we keep month-keyed maps (base ratio
//! schedule, paid and not refunded months with their amount and personal-account
//! share, refunded amounts, dues recorded when a month was missed, subsidy months paid
//! out), the subsidy grants and the list of enrollment periods; every status and sum in
//! the projection is recomputed on demand from those facts. Clarity over speed.
//!
//! Where the spec is silent, the choice made is written next to the code as
//! "Choice (spec silent): …". The v1 choices of the project owner are kept (check
//! order per command, withdrawal effective months, etc.). The v2 choices, in short:
//! - command_id: commands are compared as JSON values, key order ignored, decimals
//!   by value (`"600"` equals `"600.00"`) and member ids as UUIDs, `null` as absent;
//!   a malformed command under a reused id is
//!   `invalid_command`, not `command_id_reused`; a refused command's id is not taken.
//! - grant_subsidy: every form error (share <= 0, more than four places as written, any
//!   other non-decimal text, months < 1, an unknown category) is `invalid_command`
//!   before `not_enrolled`; a share is digits with an optional fraction, any number of
//!   integer digits (`"10"` is `subsidy_limit_exceeded`, by the contract's wording).
//! - A grant may name months outside the member's enrollment (e.g. before a future
//!   enrollment month): they just accrue nothing.
//! - A granted, paid, closed month whose `round2(paid × share)` is 0.00 has accrued
//!   0.00 and may be paid out (amount 0.00 for it).
//! - A month refunded, paid again in a later period and refunded again shows the sum
//!   of both refunds.
//! - R7 "qualified in an earlier period" is decided at the period's first payment;
//!   every paid month of an earlier period has arrived by then (R12 refunds the rest).
//! - Policy month counts (including `first_wait_after_gap_months`) are integers
//!   0..=10000; expected_version is not modelled.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};

/// A month as `year * 12 + (month - 1)`.
pub type Month = i32;

// ---------------------------------------------------------------- parsing

pub fn parse_month(s: &str) -> Option<Month> {
    let b = s.as_bytes();
    if b.len() != 7 || b[4] != b'-' {
        return None;
    }
    let (y, m) = (&s[..4], &s[5..]);
    if !y.bytes().all(|c| c.is_ascii_digit()) || !m.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if !(1..=12).contains(&m) {
        return None;
    }
    Some(y * 12 + m - 1)
}

/// Parses a real calendar date `YYYY-MM-DD` and returns its month.
fn parse_date_month(s: &str) -> Option<Month> {
    let b = s.as_bytes();
    if b.len() != 10 || b[7] != b'-' {
        return None;
    }
    let month = parse_month(&s[..7])?;
    let d = &s[8..];
    if !d.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let day: i32 = d.parse().ok()?;
    let (y, m) = (month.div_euclid(12), month.rem_euclid(12) + 1);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days {
        return None;
    }
    Some(month)
}

pub fn fmt_month(m: Month) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

pub fn money(d: Decimal) -> String {
    format!("{:.2}", d)
}

fn invalid() -> String {
    "invalid_command".to_string()
}

fn refuse(code: &str) -> Result<(), String> {
    Err(code.to_string())
}

/// A command as the contract compares it under a reused id: `null` fields absent,
/// each amount and ratio (CONTRACT.md's decimal strings) as its value, `member_id` as
/// a lower-case UUID, an `account_rate` of 0 as absent.
fn same_values(command: &Value) -> Value {
    const DECIMALS: [&str; 8] = [
        "account_rate",
        "amount",
        "average_monthly_wage",
        "base_ratio",
        "base_ratio_max",
        "base_ratio_min",
        "contribution_rate",
        "share",
    ];
    let Some(fields) = command.as_object() else {
        return command.clone();
    };
    let plain_decimal = |text: &str| {
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        match text.split_once('.') {
            Some((whole, fraction)) => digits(whole) && digits(fraction),
            None => digits(text),
        }
    };
    let mut same = serde_json::Map::new();
    for (key, value) in fields {
        let value = match value {
            Value::Null => continue,
            Value::String(text) if key == "member_id" => json!(text.to_lowercase()),
            Value::String(text) if DECIMALS.contains(&key.as_str()) && plain_decimal(text) => {
                match Decimal::from_str(text) {
                    Ok(decimal) => json!(decimal.normalize().to_string()),
                    Err(_) => value.clone(),
                }
            }
            _ => value.clone(),
        };
        same.insert(key.clone(), value);
    }
    // CONTRACT.md: `account_rate` absent = "0".
    if same.get("account_rate") == Some(&json!("0")) {
        same.remove("account_rate");
    }
    Value::Object(same)
}

fn get_str<'a>(c: &'a Value, key: &str) -> Result<&'a str, String> {
    c.get(key).and_then(Value::as_str).ok_or_else(invalid)
}

fn get_month(c: &Value, key: &str) -> Result<Month, String> {
    parse_month(get_str(c, key)?).ok_or_else(invalid)
}

/// Decimals travel as strings only; a JSON number is `invalid_command`.
fn get_decimal(c: &Value, key: &str) -> Result<Decimal, String> {
    Decimal::from_str(get_str(c, key)?).map_err(|_| invalid())
}

fn get_count(c: &Value, key: &str) -> Result<i32, String> {
    let n = c.get(key).and_then(Value::as_i64).ok_or_else(invalid)?;
    if !(0..=10_000).contains(&n) {
        return Err(invalid());
    }
    Ok(n as i32)
}

fn get_member_id(c: &Value) -> Result<String, String> {
    let s = get_str(c, "member_id")?;
    uuid::Uuid::parse_str(s).map_err(|_| invalid())?;
    Ok(s.to_string())
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount: a decimal string with at most two decimal places (`"600"` = `"600.00"`).
fn get_amount(c: &Value, key: &str) -> Result<Decimal, String> {
    let amount = get_decimal(c, key)?;
    if amount.normalize().scale() > 2 {
        return Err(invalid());
    }
    Ok(amount)
}

/// A list of months (`YYYY-MM` strings), possibly empty.
fn get_months(c: &Value, key: &str) -> Result<Vec<Month>, String> {
    c.get(key)
        .and_then(Value::as_array)
        .ok_or_else(invalid)?
        .iter()
        .map(|v| v.as_str().and_then(parse_month).ok_or_else(invalid))
        .collect()
}

/// R16 share: a decimal string, digits with at most four decimal places counted as
/// written (`"0.66670"` is malformed), greater than 0. The upper limit 0.6667 is not a
/// matter of form (`subsidy_limit_exceeded`, checked by the caller). Choice (spec
/// silent): any number of integer digits, so `"10"` is a well-formed share above the
/// limit.
fn get_share(c: &Value) -> Result<Decimal, String> {
    let s = get_str(c, "share")?;
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if let Some(frac) = frac {
        if frac.is_empty() || frac.len() > 4 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
    }
    let share = Decimal::from_str(s).map_err(|_| invalid())?;
    if share <= Decimal::ZERO {
        return Err(invalid());
    }
    Ok(share)
}

/// An optional field: absent and `null` are the same (CONTRACT: `"account_rate": null`
/// means absent; `first_wait_after_gap_months` absent/null = never).
fn optional<'a>(c: &'a Value, key: &str) -> Option<&'a Value> {
    c.get(key).filter(|v| !v.is_null())
}

// ---------------------------------------------------------------- state

/// R3: one regional policy.
#[derive(Clone)]
struct Policy {
    wage: Decimal,
    rate: Decimal,
    ratio_min: Decimal,
    ratio_max: Decimal,
    grace: i32,
    delay_first: i32,
    delay_reenroll: i32,
    restores_retroactive: bool,
    /// (min_continuous_months, tier name)
    tiers: Vec<(i64, String)>,
    /// P-reset `first_wait_after_gap_months` (None = never).
    reset: Option<i32>,
    /// P-account `account_rate` (absent = 0).
    account_rate: Decimal,
}

#[derive(Clone)]
struct Region {
    policies: BTreeMap<Month, Policy>,
    open: Month,
}

impl Region {
    /// R3: the policy with the greatest effective_from <= m.
    fn policy(&self, m: Month) -> Option<&Policy> {
        self.policies.range(..=m).next_back().map(|(_, p)| p)
    }
}

/// One enrollment period: [start, withdrawn_from).
#[derive(Clone)]
struct Period {
    start: Month,
    benefit_start: Option<Month>,
    withdrawn_from: Option<Month>,
}

/// A paid, not refunded month: the due it was paid at and its personal-account part
/// (R17), both fixed when paid.
#[derive(Clone, Copy)]
struct Paid {
    amount: Decimal,
    to_account: Decimal,
}

/// R16: a subsidy grant of the months [from, to) (to exclusive, after revocations).
#[derive(Clone)]
struct Grant {
    from: Month,
    to: Month,
    share: Decimal,
    graduate: bool,
}

#[derive(Clone)]
struct Member {
    region: String,
    periods: Vec<Period>,
    deduction_stopped: bool,
    /// Base ratio in force from each key month on.
    base: BTreeMap<Month, Decimal>,
    /// Paid and not refunded months.
    paid: BTreeMap<Month, Paid>,
    /// Everything ever refunded for a month (R12); a month may be refunded, paid again
    /// in a later period and refunded again, so this is a sum.
    refunded: BTreeMap<Month, Decimal>,
    /// The last month ever paid, refunded or not (the end of the months list).
    last_ever_paid: Option<Month>,
    /// Due recorded for each month that was missed at a month close.
    missed: BTreeMap<Month, Decimal>,
    /// R16 grants (never overlapping; emptied ones are dropped).
    grants: Vec<Grant>,
    /// R16: months whose accrued subsidy has been paid out.
    subsidy_paid: BTreeSet<Month>,
}

impl Member {
    fn current(&self) -> &Period {
        self.periods
            .last()
            .expect("a member has at least one period")
    }

    fn is_withdrawn(&self) -> bool {
        self.current().withdrawn_from.is_some()
    }

    /// Paid months of a period always form a prefix starting at its start (R6; months
    /// refunded at a withdrawal leave the map), so the oldest unpaid month is the first
    /// month from the start not paid.
    fn oldest_unpaid(&self) -> Month {
        let mut m = self.current().start;
        while self.paid.contains_key(&m) {
            m += 1;
        }
        m
    }

    fn base_at(&self, m: Month) -> Option<Decimal> {
        self.base.range(..=m).next_back().map(|(_, b)| *b)
    }

    /// Sets the base from month `m` on, discarding any later scheduled change.
    fn set_base_from(&mut self, m: Month, ratio: Decimal) {
        let _discarded = self.base.split_off(&m);
        self.base.insert(m, ratio);
    }

    fn period_of(&self, m: Month) -> Option<&Period> {
        self.periods
            .iter()
            .find(|p| p.start <= m && p.withdrawn_from.is_none_or(|w| m < w))
    }

    /// R4: the price of month m from the policy and base in force for m.
    fn price(&self, region: &Region, m: Month) -> Decimal {
        match (region.policy(m), self.base_at(m)) {
            // D58: within the band of m's policy.
            (Some(p), Some(base)) => round2(p.wage * base.clamp(p.ratio_min, p.ratio_max) * p.rate),
            _ => Decimal::ZERO,
        }
    }

    /// R17: the personal-account part of month m, from the policy and base in force
    /// for m now (called when m is paid).
    fn account_part(&self, region: &Region, m: Month) -> Decimal {
        match (region.policy(m), self.base_at(m)) {
            (Some(p), Some(base)) => {
                round2(p.wage * base.clamp(p.ratio_min, p.ratio_max) * p.account_rate)
            }
            _ => Decimal::ZERO,
        }
    }

    /// What month m costs: the paid amount, else the due recorded when it
    /// was missed, else its current price.
    fn due(&self, region: &Region, m: Month) -> Decimal {
        if let Some(p) = self.paid.get(&m) {
            p.amount
        } else if let Some(d) = self.missed.get(&m) {
            *d
        } else {
            self.price(region, m)
        }
    }

    /// R7: some period had a paid, not refunded month that has arrived (not after
    /// `open`) at or after that period's benefit start (restored months included).
    fn qualified(&self, open: Month) -> bool {
        self.paid.range(..=open).any(|(&k, _)| {
            self.period_of(k)
                .and_then(|p| p.benefit_start)
                .is_some_and(|b| k >= b)
        })
    }

    fn grant_share(&self, m: Month) -> Option<Decimal> {
        self.grants
            .iter()
            .find(|g| g.from <= m && m < g.to)
            .map(|g| g.share)
    }

    fn granted_months(&self) -> i64 {
        self.grants.iter().map(|g| i64::from(g.to - g.from)).sum()
    }

    /// D59: the graduate months of every grant, which may not exceed 24 in all.
    fn graduate_months(&self) -> i64 {
        self.grants
            .iter()
            .filter(|g| g.graduate)
            .map(|g| i64::from(g.to - g.from))
            .sum()
    }

    /// R16: the subsidy month m has accrued: granted, paid, not refunded, closed.
    /// Choice (spec silent): an accrual that rounds to 0.00 is still accrued.
    fn accrued(&self, region: &Region, m: Month) -> Option<Decimal> {
        if m >= region.open {
            return None;
        }
        let paid = self.paid.get(&m)?;
        let share = self.grant_share(m)?;
        Some(round2(paid.amount * share))
    }
}

fn check_band(region: &Region, m: Month, ratio: Decimal) -> Result<(), String> {
    match region.policy(m) {
        Some(p) if ratio >= p.ratio_min && ratio <= p.ratio_max => Ok(()),
        _ => refuse("base_ratio_out_of_range"),
    }
}

// ---------------------------------------------------------------- model

#[derive(Clone)]
pub struct Model {
    regions: BTreeMap<String, Region>,
    members: BTreeMap<String, Member>,
    /// The accepted command under each command_id (contract v2: the same command
    /// again is a duplicate, a different one is `command_id_reused`).
    accepted_ids: BTreeMap<String, Value>,
}

impl Model {
    pub fn new() -> Model {
        Model {
            regions: BTreeMap::new(),
            members: BTreeMap::new(),
            accepted_ids: BTreeMap::new(),
        }
    }

    /// Applies one command; `Err(code)` if refused (and then nothing changed).
    pub fn apply(&mut self, command: &Value) -> Result<(), String> {
        let command_id = command
            .get("command_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(id) = &command_id {
            if let Some(first) = self.accepted_ids.get(id) {
                // "The same fields and values, whatever their order": JSON object
                // equality ignores key order, and a decimal is its value ("600"
                // equals "600.00", CONTRACT.md), a member id its UUID.
                if same_values(first) == same_values(command) {
                    return Ok(()); // duplicate: the first result again, nothing appended
                }
                // Choice (spec silent): a malformed command is invalid_command even
                // under a reused id ("malformed … before any other check"); every
                // handler below parses all its fields before any other check, so a
                // dry run on a copy tells whether the command is malformed.
                let mut scratch = self.clone();
                scratch.accepted_ids.clear();
                return match scratch.dispatch(command) {
                    Err(code) if code == "invalid_command" => Err(code),
                    _ => refuse("command_id_reused"),
                };
            }
        }
        let result = self.dispatch(command);
        if let (Ok(()), Some(id)) = (&result, command_id) {
            self.accepted_ids.insert(id, command.clone());
        }
        result
    }

    fn dispatch(&mut self, command: &Value) -> Result<(), String> {
        if !command.is_object() {
            return Err(invalid());
        }
        match get_str(command, "command")? {
            "publish_policy" => self.publish_policy(command),
            "enroll" => self.enroll(command),
            "pay" => self.pay(command),
            "close_month" => self.close_month(command),
            "stop_deduction" => self.stop_deduction(command),
            "resume_deduction" => self.resume_deduction(command),
            "withdraw" => self.withdraw(command),
            "reenroll" => self.reenroll(command),
            "change_base" => self.change_base(command),
            "grant_subsidy" => self.grant_subsidy(command),
            "revoke_subsidy" => self.revoke_subsidy(command),
            "pay_subsidy" => self.pay_subsidy(command),
            _ => Err(invalid()),
        }
    }

    fn publish_policy(&mut self, c: &Value) -> Result<(), String> {
        let region = get_str(c, "region")?.to_string();
        let from = get_month(c, "effective_from")?;
        let restores_retroactive = match get_str(c, "backpay_restores")? {
            "retroactive" => true,
            "prospective" => false,
            _ => return Err(invalid()),
        };
        let mut tiers = Vec::new();
        for t in c
            .get("benefit_tiers")
            .and_then(Value::as_array)
            .ok_or_else(invalid)?
        {
            let min = t
                .get("min_continuous_months")
                .and_then(Value::as_i64)
                .ok_or_else(invalid)?;
            tiers.push((min, get_str(t, "tier")?.to_string()));
        }
        let rate = get_decimal(c, "contribution_rate")?;
        // P-reset: an integer >= 0, or absent/null = never.
        let reset = match optional(c, "first_wait_after_gap_months") {
            None => None,
            Some(_) => Some(get_count(c, "first_wait_after_gap_months")?),
        };
        // P-account: a decimal string 0 <= value <= contribution_rate, absent/null = 0.
        let account_rate = match optional(c, "account_rate") {
            None => Decimal::ZERO,
            Some(_) => {
                let a = get_decimal(c, "account_rate")?;
                if a < Decimal::ZERO || a > rate {
                    return Err(invalid());
                }
                a
            }
        };
        let policy = Policy {
            wage: get_decimal(c, "average_monthly_wage")?,
            rate,
            ratio_min: get_decimal(c, "base_ratio_min")?,
            ratio_max: get_decimal(c, "base_ratio_max")?,
            grace: get_count(c, "grace_months")?,
            delay_first: get_count(c, "benefit_delay_first")?,
            delay_reenroll: get_count(c, "benefit_delay_reenroll")?,
            restores_retroactive,
            tiers,
            reset,
            account_rate,
        };
        // D87: both benefit delays at least 1 (S1: "from the next month of payment").
        if policy.delay_first < 1 || policy.delay_reenroll < 1 {
            return Err(invalid());
        }
        // D70: the smallest due must not round to nothing.
        if round2(policy.wage * policy.ratio_min * policy.rate).is_zero() {
            return Err(invalid());
        }
        match self.regions.get_mut(&region) {
            Some(r) => {
                if from < r.open {
                    return refuse("policy_retroactive");
                }
                // D80: no later than the last month a payment may name now (R6).
                if from > r.open + 11 {
                    return refuse("prepay_limit_exceeded");
                }
                r.policies.insert(from, policy); // same effective_from replaces
            }
            None => {
                let mut policies = BTreeMap::new();
                policies.insert(from, policy);
                self.regions.insert(
                    region,
                    Region {
                        policies,
                        open: from,
                    },
                );
            }
        }
        Ok(())
    }

    fn enroll(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let region_name = get_str(c, "region")?;
        let month = get_month(c, "month")?;
        let ratio = get_decimal(c, "base_ratio")?;
        let labor = get_str(c, "labor_relationship")?;

        let region = match self.regions.get(region_name) {
            Some(r) => r,
            None => return refuse("unknown_region"),
        };
        if let Some(m) = self.members.get(&id) {
            return refuse(if m.is_withdrawn() {
                "previously_enrolled"
            } else {
                "already_enrolled"
            });
        }
        if labor == "employer" {
            return refuse("employer_scheme_required"); // R5
        }
        if month < region.open {
            return refuse("month_closed");
        }
        // D65: no later than the last month a payment may name now (R6).
        if month > region.open + 11 {
            return refuse("prepay_limit_exceeded");
        }
        check_band(region, month, ratio)?;

        let mut base = BTreeMap::new();
        base.insert(month, ratio);
        let member = Member {
            region: region_name.to_string(),
            periods: vec![Period {
                start: month,
                benefit_start: None,
                withdrawn_from: None,
            }],
            deduction_stopped: false,
            base,
            paid: BTreeMap::new(),
            refunded: BTreeMap::new(),
            last_ever_paid: None,
            missed: BTreeMap::new(),
            grants: Vec::new(),
            subsidy_paid: BTreeSet::new(),
        };
        self.members.insert(id, member);
        Ok(())
    }

    fn pay(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let months = get_months(c, "months")?;
        if months.is_empty() {
            return Err(invalid());
        }
        let amount = get_amount(c, "amount")?;
        let paid_on = parse_date_month(get_str(c, "paid_on")?).ok_or_else(invalid)?;

        let member = match self.members.get(&id) {
            Some(m) if !m.is_withdrawn() => m,
            _ => return refuse("not_enrolled"),
        };
        if member.deduction_stopped {
            return refuse("deduction_stopped"); // R8
        }
        let region = &self.regions[&member.region];
        if paid_on != region.open {
            return refuse("paid_on_outside_open_month");
        }
        if months.windows(2).any(|w| w[1] != w[0] + 1) {
            return refuse("months_not_contiguous");
        }
        let (first, last) = (months[0], months[months.len() - 1]);
        if first < member.current().start {
            return refuse("month_before_enrollment");
        }
        let oldest = member.oldest_unpaid();
        if first < oldest {
            return refuse("already_paid");
        }
        if first > oldest {
            return refuse("arrears_must_be_paid_first");
        }
        if last > region.open + 11 {
            return refuse("prepay_limit_exceeded");
        }
        let dues: Vec<(Month, Paid)> = months
            .iter()
            .map(|&m| {
                let paid = Paid {
                    amount: member.due(region, m),
                    to_account: member.account_part(region, m), // R17: fixed when paid
                };
                (m, paid)
            })
            .collect();
        let total = dues
            .iter()
            .fold(Decimal::ZERO, |acc, (_, d)| acc + d.amount);
        if total != amount {
            return refuse("amount_mismatch");
        }

        // R7 v2: the first payment of a period fixes its benefit start P + delay, P the
        // later of the payment's month (the open month) and the first month it pays
        // for (the period's start: the first payment starts at the oldest unpaid
        // month). Delays and P-reset come from the policy in force in P.
        let open = region.open;
        let benefit_start = if member.current().benefit_start.is_none() {
            let p = open.max(first);
            let policy = region
                .policy(p)
                .expect("a policy is in force from the first one on");
            // "Qualified in an earlier period": the current period has no paid month
            // before its first payment, so this is the member's qualification now.
            let mut reenroll_delay = member.qualified(open);
            if let (true, Some(reset)) = (reenroll_delay, policy.reset) {
                // The gap: months strictly between the last paid (not refunded) month
                // before this period and P.
                let start = member.current().start;
                reenroll_delay = match member.paid.range(..start).next_back() {
                    Some((&last_paid, _)) => p - last_paid - 1 <= reset,
                    None => false,
                };
            }
            let delay = if reenroll_delay {
                policy.delay_reenroll
            } else {
                policy.delay_first
            };
            Some(p + delay)
        } else {
            None
        };

        let member = self.members.get_mut(&id).expect("checked above");
        for (m, d) in dues {
            member.paid.insert(m, d);
        }
        member.last_ever_paid = member.last_ever_paid.max(Some(last));
        if let Some(b) = benefit_start {
            member
                .periods
                .last_mut()
                .expect("a member has at least one period")
                .benefit_start = Some(b);
        }
        Ok(())
    }

    fn close_month(&mut self, c: &Value) -> Result<(), String> {
        let region_name = get_str(c, "region")?.to_string();
        let month = get_month(c, "month")?;
        let region = match self.regions.get(&region_name) {
            Some(r) => r,
            None => return refuse("unknown_region"),
        };
        if month != region.open {
            return refuse("month_not_open");
        }
        let grace = region.policy(month).map(|p| p.grace).unwrap_or(0);

        // R9 / R11: collect what happens to each member, then apply it.
        let mut updates: Vec<(String, Decimal, Option<Month>)> = Vec::new();
        for (id, m) in self.members.iter().filter(|(_, m)| m.region == region_name) {
            if m.is_withdrawn() || m.current().start > month || m.paid.contains_key(&month) {
                continue;
            }
            let due = m.price(region, month);
            let oldest = m.oldest_unpaid(); // <= month, since month is unpaid
            let run = month - oldest + 1;
            let withdraw_from = if run > grace { Some(oldest) } else { None };
            updates.push((id.clone(), due, withdraw_from));
        }
        for (id, due, withdraw_from) in updates {
            let m = self.members.get_mut(&id).expect("collected above");
            m.missed.insert(month, due);
            if let Some(w) = withdraw_from {
                // reason: arrears_exceeded_grace; the arrears months become lapsed.
                // Nothing is paid after the first arrears month, so nothing to refund.
                m.periods.last_mut().expect("period").withdrawn_from = Some(w);
            }
        }
        self.regions
            .get_mut(&region_name)
            .expect("checked above")
            .open = month + 1;
        Ok(())
    }

    fn enrolled_member_mut(&mut self, c: &Value) -> Result<&mut Member, String> {
        let id = get_member_id(c)?;
        match self.members.get_mut(&id) {
            Some(m) if !m.is_withdrawn() => Ok(m),
            _ => Err("not_enrolled".to_string()),
        }
    }

    fn stop_deduction(&mut self, c: &Value) -> Result<(), String> {
        let m = self.enrolled_member_mut(c)?;
        if m.deduction_stopped {
            return refuse("deduction_stopped");
        }
        m.deduction_stopped = true;
        Ok(())
    }

    fn resume_deduction(&mut self, c: &Value) -> Result<(), String> {
        let m = self.enrolled_member_mut(c)?;
        if !m.deduction_stopped {
            return refuse("deduction_not_stopped");
        }
        m.deduction_stopped = false;
        Ok(())
    }

    fn withdraw(&mut self, c: &Value) -> Result<(), String> {
        match get_str(c, "reason")? {
            "voluntary" | "employer_scheme" | "relocated" | "deceased" => {}
            _ => return Err(invalid()),
        }
        let id = get_member_id(c)?;
        let open = match self.members.get(&id) {
            Some(m) if !m.is_withdrawn() => self.regions[&m.region].open,
            _ => return refuse("not_enrolled"),
        };
        let m = self.members.get_mut(&id).expect("checked above");
        // R12 v2: L = the last paid month of the current period not after the open
        // month; effective from L + 1, or from the period's first month if none.
        let start = m.current().start;
        let last_arrived = if start <= open {
            m.paid.range(start..=open).next_back()
        } else {
            None // enrolled for a month that has not arrived
        };
        let effective = match last_arrived {
            Some((&last, _)) => last + 1,
            None => start,
        };
        // Months paid beyond L are refunded at the amounts they were paid at; they
        // leave the period (and the personal account).
        let refunded: Vec<(Month, Paid)> =
            m.paid.range(effective..).map(|(&k, &p)| (k, p)).collect();
        for (k, p) in refunded {
            m.paid.remove(&k);
            *m.refunded.entry(k).or_insert(Decimal::ZERO) += p.amount;
        }
        m.periods.last_mut().expect("period").withdrawn_from = Some(effective);
        Ok(())
    }

    fn reenroll(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let month = get_month(c, "month")?;
        let ratio = get_decimal(c, "base_ratio")?;
        let member = match self.members.get(&id) {
            Some(m) => m,
            None => return refuse("never_enrolled"),
        };
        let effective = match member.current().withdrawn_from {
            Some(w) => w,
            None => return refuse("not_withdrawn"),
        };
        let region = &self.regions[&member.region];
        if month < region.open.max(effective) {
            return refuse("month_closed");
        }
        // D65: nor later than R6's horizon, unless it may start no sooner.
        if month > (region.open + 11).max(effective) {
            return refuse("prepay_limit_exceeded");
        }
        check_band(region, month, ratio)?;

        let member = self.members.get_mut(&id).expect("checked above");
        member.periods.push(Period {
            start: month,
            benefit_start: None,
            withdrawn_from: None,
        });
        member.set_base_from(month, ratio);
        member.deduction_stopped = false;
        Ok(())
    }

    fn change_base(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let from = get_month(c, "from_month")?;
        let ratio = get_decimal(c, "base_ratio")?;
        let member = match self.members.get(&id) {
            Some(m) if !m.is_withdrawn() => m,
            _ => return refuse("not_enrolled"),
        };
        let region = &self.regions[&member.region];
        if from < region.open {
            return refuse("month_closed");
        }
        if from < member.current().start {
            return refuse("month_before_enrollment");
        }
        if from < member.oldest_unpaid() {
            return refuse("already_paid");
        }
        check_band(region, from, ratio)?;
        self.members
            .get_mut(&id)
            .expect("checked above")
            .set_base_from(from, ratio);
        Ok(())
    }

    /// R16 grant. Every malformed field (including share <= 0, more than four places
    /// as written, months < 1, an unknown category) is invalid_command before any
    /// other check. Choice (spec silent): the contract lists "share <= 0 … months < 1"
    /// after the check chain; they are treated as malformed, i.e. first.
    fn grant_subsidy(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let from = get_month(c, "from_month")?;
        let months = c
            .get("months")
            .and_then(Value::as_i64)
            .ok_or_else(invalid)?;
        if months < 1 {
            return Err(invalid());
        }
        let share = get_share(c)?;
        let graduate = match get_str(c, "category")? {
            "graduate" => true,
            "hardship" | "other" => false,
            _ => return Err(invalid()),
        };
        let member = match self.members.get(&id) {
            Some(m) if !m.is_withdrawn() => m,
            _ => return refuse("not_enrolled"),
        };
        let region = &self.regions[&member.region];
        if from < region.open {
            return refuse("month_closed");
        }
        let max_share = Decimal::new(6667, 4);
        if months > 36
            || (graduate && months > 24)
            || share > max_share
            || member.granted_months() + months > 36
            || (graduate && member.graduate_months() + months > 24)
        {
            return refuse("subsidy_limit_exceeded");
        }
        // Choice (spec silent): no check against the enrollment period; months outside
        // every period accrue nothing (R16).
        let to = from + months as Month;
        if member.grants.iter().any(|g| g.from < to && from < g.to) {
            return refuse("subsidy_overlap");
        }
        let member = self.members.get_mut(&id).expect("checked above");
        member.grants.push(Grant {
            from,
            to,
            share,
            graduate,
        });
        member.grants.sort_by_key(|g| g.from);
        Ok(())
    }

    /// R16 revocation: months from `from_month` on are no longer granted. A withdrawn
    /// member's grant may be revoked ("not_enrolled" means an unknown member here).
    fn revoke_subsidy(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let from = get_month(c, "from_month")?;
        let member = match self.members.get(&id) {
            Some(m) => m,
            None => return refuse("not_enrolled"),
        };
        if from < self.regions[&member.region].open {
            return refuse("month_closed");
        }
        if !member.grants.iter().any(|g| g.to > from) {
            return refuse("no_subsidy");
        }
        let member = self.members.get_mut(&id).expect("checked above");
        for g in &mut member.grants {
            g.to = g.to.min(from);
        }
        member.grants.retain(|g| g.from < g.to);
        Ok(())
    }

    /// R16 payment of accrued subsidies. A withdrawn member may still be paid.
    fn pay_subsidy(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let months = get_months(c, "months")?;
        let distinct: BTreeSet<Month> = months.iter().copied().collect();
        if months.is_empty() || distinct.len() != months.len() {
            return Err(invalid());
        }
        let amount = get_amount(c, "amount")?;
        let paid_on = parse_date_month(get_str(c, "paid_on")?).ok_or_else(invalid)?;
        let member = match self.members.get(&id) {
            Some(m) => m,
            None => return refuse("not_enrolled"),
        };
        let region = &self.regions[&member.region];
        if paid_on != region.open {
            return refuse("paid_on_outside_open_month");
        }
        let mut total = Decimal::ZERO;
        for m in &months {
            if member.subsidy_paid.contains(m) {
                return refuse("subsidy_already_paid");
            }
            match member.accrued(region, *m) {
                Some(a) => total += a,
                None => return refuse("subsidy_not_accrued"),
            }
        }
        if total != amount {
            return refuse("amount_mismatch");
        }
        let member = self.members.get_mut(&id).expect("checked above");
        member.subsidy_paid.extend(months);
        Ok(())
    }

    // ------------------------------------------------------------ projection

    /// The member coverage projection (contract fields, without rule/version/position).
    pub fn member(&self, member_id: &str) -> Option<Value> {
        let m = self.members.get(member_id)?;
        let region = self.regions.get(&m.region)?;
        let open = region.open;
        let cur = m.current();
        let withdrawn = cur.withdrawn_from.is_some();
        let open_policy = region.policy(open);

        let paid_through = m.paid.keys().next_back().copied();
        let arrears: Vec<Month> = if withdrawn {
            Vec::new()
        } else {
            m.missed
                .keys()
                .copied()
                .filter(|k| *k >= cur.start && !m.paid.contains_key(k))
                .collect()
        };
        let arrears_amount = arrears
            .iter()
            .fold(Decimal::ZERO, |acc, k| acc + m.missed[k]);
        // The first close from the open month on that, the run unpaid, would leave it
        // beyond the grace of that month's policy (R10, R11): R10's sum with one grace
        // throughout, never before the open month (D57), and a coming policy's grace
        // counted from its month (D62).
        let deadline = match (arrears.first(), open_policy) {
            (Some(&f), Some(_)) => (open..)
                .find(|&k| k - f + 1 > region.policy(k).map_or(0, |p| p.grace))
                .map_or(Value::Null, |k| Value::String(fmt_month(k))),
            _ => Value::Null,
        };

        // R14 v2: only months not after the open month count.
        let continuous = if withdrawn || cur.start > open {
            0
        } else {
            m.paid.range(cur.start..=open).count()
        };
        let cumulative = m.paid.range(..=open).count();
        let tier = if withdrawn {
            Value::Null
        } else {
            open_policy
                .and_then(|p| {
                    p.tiers
                        .iter()
                        .filter(|(min, _)| *min <= continuous as i64)
                        .max_by_key(|(min, _)| *min)
                })
                .map(|(_, t)| Value::String(t.clone()))
                .unwrap_or(Value::Null)
        };

        let state = if withdrawn {
            "withdrawn"
        } else if !arrears.is_empty() {
            "in_arrears"
        } else {
            "active"
        };

        // R17: credited month by month, up to the open month.
        let account_balance = m
            .paid
            .range(..=open)
            .fold(Decimal::ZERO, |acc, (_, p)| acc + p.to_account);
        // R16 totals.
        let mut accrued = Decimal::ZERO;
        let mut subsidy_paid = Decimal::ZERO;
        for &k in m.paid.keys() {
            if let Some(a) = m.accrued(region, k) {
                accrued += a;
                if m.subsidy_paid.contains(&k) {
                    subsidy_paid += a;
                }
            }
        }

        let first = m.periods[0].start;
        let last = open.max(m.last_ever_paid.unwrap_or(first)).max(first);
        let months: Vec<Value> = (first..=last).map(|k| month_entry(region, m, k)).collect();

        Some(json!({
            "member_id": member_id,
            "region": m.region,
            "state": state,
            "deduction_stopped": m.deduction_stopped,
            "enrollments": m.periods.len(),
            "benefit_start": cur.benefit_start.map(fmt_month),
            "paid_through": paid_through.map(fmt_month),
            "continuous_months": continuous,
            "cumulative_months": cumulative,
            "benefit_tier": tier,
            "qualified": m.qualified(open),
            "account_balance": money(account_balance),
            "subsidy": {
                "granted_months": m.granted_months(),
                "accrued": money(accrued),
                "paid": money(subsidy_paid),
                "owed": money(accrued - subsidy_paid),
            },
            "arrears": {
                "months": arrears.iter().map(|k| fmt_month(*k)).collect::<Vec<_>>(),
                "amount": money(arrears_amount),
                "backpay_deadline": deadline,
            },
            "months": months,
        }))
    }

    // ------------------------------------------------- for the history generator

    /// The open month of a region.
    pub fn open_month(&self, region: &str) -> Option<Month> {
        self.regions.get(region).map(|r| r.open)
    }

    pub fn is_member(&self, member_id: &str) -> bool {
        self.members.contains_key(member_id)
    }

    pub fn is_enrolled(&self, member_id: &str) -> bool {
        self.members
            .get(member_id)
            .is_some_and(|m| !m.is_withdrawn())
    }

    pub fn is_deduction_stopped(&self, member_id: &str) -> bool {
        self.members
            .get(member_id)
            .is_some_and(|m| m.deduction_stopped)
    }

    /// Whether some month from `m` on is granted a subsidy (R16).
    pub fn granted_from(&self, member_id: &str, m: Month) -> bool {
        self.members
            .get(member_id)
            .is_some_and(|member| member.grants.iter().any(|g| g.to > m))
    }

    /// The member's oldest unpaid month of the current period (R6).
    pub fn next_unpaid(&self, member_id: &str) -> Option<Month> {
        self.members.get(member_id).map(Member::oldest_unpaid)
    }

    /// What the member would pay for month m now (R4).
    pub fn due_for(&self, member_id: &str, m: Month) -> Option<Decimal> {
        let member = self.members.get(member_id)?;
        Some(member.due(self.regions.get(&member.region)?, m))
    }

    /// R16 for the generator: (accrued months not paid out with their amounts, months
    /// paid out, paid months not accrued).
    #[allow(clippy::type_complexity)]
    pub fn subsidy_months(
        &self,
        member_id: &str,
    ) -> Option<(Vec<(Month, Decimal)>, Vec<Month>, Vec<Month>)> {
        let member = self.members.get(member_id)?;
        let region = self.regions.get(&member.region)?;
        let mut owed = Vec::new();
        let mut not_accrued = Vec::new();
        for &k in member.paid.keys() {
            match member.accrued(region, k) {
                Some(a) if !member.subsidy_paid.contains(&k) => owed.push((k, a)),
                Some(_) => {}
                None => not_accrued.push(k),
            }
        }
        let paid_out = member.subsidy_paid.iter().copied().collect();
        Some((owed, paid_out, not_accrued))
    }
}

/// One entry of the projection's `months` list (status table of RULES.md).
fn month_entry(region: &Region, m: &Member, k: Month) -> Value {
    let zero = Decimal::ZERO;
    let paid = m.paid.get(&k);
    let accrued = m.accrued(region, k);
    let entry = |status: &str, due: Decimal, benefits: bool| {
        json!({
            "month": fmt_month(k),
            "status": status,
            "due": money(due),
            "paid": money(paid.map_or(zero, |p| p.amount)),
            "benefits": benefits,
            "refunded": money(m.refunded.get(&k).copied().unwrap_or(zero)),
            "to_account": money(paid.map_or(zero, |p| p.to_account)),
            "subsidy": money(accrued.unwrap_or(zero)),
            "subsidy_paid": accrued.is_some() && m.subsidy_paid.contains(&k),
        })
    };
    match m.period_of(k) {
        Some(period) => {
            if let Some(p) = paid {
                if period.benefit_start.is_none_or(|b| k < b) {
                    entry("waiting", p.amount, false) // R7 (also missed and back-paid)
                } else if m.missed.contains_key(&k) {
                    let benefits = region.policy(k).is_some_and(|p| p.restores_retroactive);
                    entry("restored", p.amount, benefits) // R10
                } else {
                    entry("covered", p.amount, true)
                }
            } else if let Some(&d) = m.missed.get(&k) {
                entry("arrears", d, false) // R10
            } else {
                entry("due", m.price(region, k), false)
            }
        }
        // Outside every period: paid months never are (R11 withdraws from the first
        // unpaid month, R12 refunds what lies beyond L).
        None => match m.missed.get(&k) {
            Some(&d) => entry("lapsed", d, false),      // R11, R12
            None => entry("not_enrolled", zero, false), // refunded months too (R12)
        },
    }
}
