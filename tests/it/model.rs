//! Independent reference model of the contribution rules, written from
//! `spec/RULES.md` (R1..R15) and `spec/CONTRACT.md` only, for differential
//! testing of the ledger. It does not share any code or data structures with
//! the implementation under test.
//!
//! Design: plain in-memory state. Per member we keep three month-keyed maps
//! (base ratio schedule, paid amounts, dues recorded when a month was missed)
//! and the list of enrollment periods; every status in the projection is
//! recomputed on demand from those facts. Clarity over speed.
//!
//! Where RULES.md is silent, the project owner's fixed interpretations are
//! followed (check order per command, withdrawal effective months, etc.).

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};

/// A month as `year * 12 + (month - 1)`.
type Month = i32;

// ---------------------------------------------------------------- parsing

fn parse_month(s: &str) -> Option<Month> {
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

fn fmt_month(m: Month) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

fn money(d: Decimal) -> String {
    format!("{:.2}", d)
}

fn invalid() -> String {
    "invalid_command".to_string()
}

fn refuse(code: &str) -> Result<(), String> {
    Err(code.to_string())
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

// ---------------------------------------------------------------- state

/// R3: one regional policy.
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
}

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
struct Period {
    start: Month,
    benefit_start: Option<Month>,
    withdrawn_from: Option<Month>,
}

struct Member {
    region: String,
    periods: Vec<Period>,
    deduction_stopped: bool,
    /// Base ratio in force from each key month on.
    base: BTreeMap<Month, Decimal>,
    /// Amount paid for each paid month (the due at the time of payment).
    paid: BTreeMap<Month, Decimal>,
    /// Due recorded for each month that was missed at a month close.
    missed: BTreeMap<Month, Decimal>,
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

    /// Paid months of a period always form a prefix starting at its start (R6),
    /// so the oldest unpaid month is the first month from the start not paid.
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
            .find(|p| p.start <= m && p.withdrawn_from.map_or(true, |w| m < w))
    }

    /// R4: the price of month m from the policy and base in force for m.
    fn price(&self, region: &Region, m: Month) -> Decimal {
        match (region.policy(m), self.base_at(m)) {
            (Some(p), Some(base)) => (p.wage * base * p.rate)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
            _ => Decimal::ZERO,
        }
    }

    /// What month m costs: the paid amount, else the due recorded when it
    /// was missed, else its current price.
    fn due(&self, region: &Region, m: Month) -> Decimal {
        if let Some(d) = self.paid.get(&m) {
            *d
        } else if let Some(d) = self.missed.get(&m) {
            *d
        } else {
            self.price(region, m)
        }
    }
}

fn check_band(region: &Region, m: Month, ratio: Decimal) -> Result<(), String> {
    match region.policy(m) {
        Some(p) if ratio >= p.ratio_min && ratio <= p.ratio_max => Ok(()),
        _ => refuse("base_ratio_out_of_range"),
    }
}

// ---------------------------------------------------------------- model

pub struct Model {
    regions: BTreeMap<String, Region>,
    members: BTreeMap<String, Member>,
    /// command_id of accepted commands (contract: a repeat returns the first result).
    accepted_ids: std::collections::BTreeSet<String>,
}

impl Model {
    pub fn new() -> Model {
        Model {
            regions: BTreeMap::new(),
            members: BTreeMap::new(),
            accepted_ids: std::collections::BTreeSet::new(),
        }
    }

    /// Applies one command; `Err(code)` if refused (and then nothing changed).
    pub fn apply(&mut self, command: &Value) -> Result<(), String> {
        let command_id = command
            .get("command_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(id) = &command_id {
            if self.accepted_ids.contains(id) {
                return Ok(());
            }
        }
        let result = match get_str(command, "command")? {
            "publish_policy" => self.publish_policy(command),
            "enroll" => self.enroll(command),
            "pay" => self.pay(command),
            "close_month" => self.close_month(command),
            "stop_deduction" => self.stop_deduction(command),
            "resume_deduction" => self.resume_deduction(command),
            "withdraw" => self.withdraw(command),
            "reenroll" => self.reenroll(command),
            "change_base" => self.change_base(command),
            _ => Err(invalid()),
        };
        if let (Ok(()), Some(id)) = (&result, command_id) {
            self.accepted_ids.insert(id);
        }
        result
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
        let policy = Policy {
            wage: get_decimal(c, "average_monthly_wage")?,
            rate: get_decimal(c, "contribution_rate")?,
            ratio_min: get_decimal(c, "base_ratio_min")?,
            ratio_max: get_decimal(c, "base_ratio_max")?,
            grace: get_count(c, "grace_months")?,
            delay_first: get_count(c, "benefit_delay_first")?,
            delay_reenroll: get_count(c, "benefit_delay_reenroll")?,
            restores_retroactive,
            tiers,
        };
        match self.regions.get_mut(&region) {
            Some(r) => {
                if from < r.open {
                    return refuse("policy_retroactive");
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
            missed: BTreeMap::new(),
        };
        self.members.insert(id, member);
        Ok(())
    }

    fn pay(&mut self, c: &Value) -> Result<(), String> {
        let id = get_member_id(c)?;
        let mut months = Vec::new();
        for v in c
            .get("months")
            .and_then(Value::as_array)
            .ok_or_else(invalid)?
        {
            months.push(v.as_str().and_then(parse_month).ok_or_else(invalid)?);
        }
        if months.is_empty() {
            return Err(invalid());
        }
        let amount = get_decimal(c, "amount")?;
        if amount.normalize().scale() > 2 {
            return Err(invalid());
        }
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
        let dues: Vec<(Month, Decimal)> =
            months.iter().map(|&m| (m, member.due(region, m))).collect();
        let total = dues.iter().fold(Decimal::ZERO, |acc, (_, d)| acc + *d);
        if total != amount {
            return refuse("amount_mismatch");
        }

        // R7: the first payment of a period fixes its benefit start.
        let open = region.open;
        let first_period = member.periods.len() == 1;
        let delay = region
            .policy(open)
            .map(|p| {
                if first_period {
                    p.delay_first
                } else {
                    p.delay_reenroll
                }
            })
            .unwrap_or(0);

        let member = self.members.get_mut(&id).expect("checked above");
        for (m, d) in dues {
            member.paid.insert(m, d);
        }
        let period = member
            .periods
            .last_mut()
            .expect("a member has at least one period");
        if period.benefit_start.is_none() {
            period.benefit_start = Some(open + delay);
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
        let m = self.enrolled_member_mut(c)?;
        // R12: effective from the month after the last paid month of the
        // period (paid months form a prefix), or the period start if none.
        let effective = m.oldest_unpaid();
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

    // ------------------------------------------------------------ projection

    /// The member coverage projection (contract fields, without rule/version/position).
    pub fn member(&self, member_id: &str) -> Option<Value> {
        let m = self.members.get(member_id)?;
        let region = self.regions.get(&m.region)?;
        let cur = m.current();
        let withdrawn = cur.withdrawn_from.is_some();
        let open_policy = region.policy(region.open);

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
        let deadline = match (arrears.first(), open_policy) {
            (Some(f), Some(p)) => Value::String(fmt_month(f + p.grace)),
            _ => Value::Null,
        };

        let continuous = if withdrawn {
            0
        } else {
            m.paid.keys().filter(|k| **k >= cur.start).count()
        };
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

        let first = m.periods[0].start;
        let last = region.open.max(paid_through.unwrap_or(first)).max(first);
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
            "cumulative_months": m.paid.len(),
            "benefit_tier": tier,
            "arrears": {
                "months": arrears.iter().map(|k| fmt_month(*k)).collect::<Vec<_>>(),
                "amount": money(arrears_amount),
                "backpay_deadline": deadline,
            },
            "months": months,
        }))
    }
}

/// One entry of the projection's `months` list (status table of RULES.md).
fn month_entry(region: &Region, m: &Member, k: Month) -> Value {
    let entry = |status: &str, due: Decimal, paid: Decimal, benefits: bool| {
        json!({
            "month": fmt_month(k),
            "status": status,
            "due": money(due),
            "paid": money(paid),
            "benefits": benefits,
        })
    };
    let zero = Decimal::ZERO;
    match m.period_of(k) {
        Some(period) => {
            if let Some(&amt) = m.paid.get(&k) {
                if period.benefit_start.map_or(true, |b| k < b) {
                    entry("waiting", amt, amt, false) // R7 (also missed and back-paid)
                } else if m.missed.contains_key(&k) {
                    let benefits = region.policy(k).map_or(false, |p| p.restores_retroactive);
                    entry("restored", amt, amt, benefits) // R10
                } else {
                    entry("covered", amt, amt, true)
                }
            } else if let Some(&d) = m.missed.get(&k) {
                entry("arrears", d, zero, false) // R10
            } else {
                entry("due", m.price(region, k), zero, false)
            }
        }
        None => match m.missed.get(&k) {
            Some(&d) if !m.paid.contains_key(&k) => entry("lapsed", d, zero, false), // R11, R12
            _ => entry("not_enrolled", zero, zero, false),
        },
    }
}
