//! The twelve commands of the wire contract (v2), and their strict parsing.
//!
//! Parsing is the validation of shape: every field is checked by its type (months,
//! decimal strings, UUIDs, enums), unknown fields are refused (a misspelt
//! `expected_version` must not be silently ignored), and every failure is an
//! `invalid_command` refusal whose message names the field.

use super::money::{Money, Ratio, Share};
use super::month::{CalendarDate, Month};
use super::policy::{Policy, RegionName, POLICY_MONTHS_MAX};
use super::refusal::{Refusal, RefusalText};
use super::rule::RuleId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Most months one payment may name: the longest payable arrears run plus a year ahead.
pub const PAY_MONTHS_MAX: usize = POLICY_MONTHS_MAX as usize + 12;

/// Most months one subsidy payment may name. Far above the 36 months a member can be
/// granted (R16), so the rule, not this bound, answers any real list.
pub const PAY_SUBSIDY_MONTHS_MAX: usize = POLICY_MONTHS_MAX as usize;

/// Every command name, for messages.
const COMMAND_NAMES: &str = "publish_policy, enroll, pay, close_month, stop_deduction, resume_deduction, withdraw, reenroll, change_base, grant_subsidy, revoke_subsidy, pay_subsidy";

/// A command with its optional idempotency id and optimistic-concurrency version.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandEnvelope {
    /// Repeating an accepted command id returns the first result and appends nothing.
    pub command_id: Option<Uuid>,
    /// Member commands only: the member stream's version the sender saw (0 = empty).
    pub expected_version: Option<u64>,
    pub command: Command,
    /// SHA-256 of the command's canonical JSON (every field but `command_id`, keys
    /// sorted, compact, each value as the contract reads it), remembered with an
    /// accepted id so that a different command under that id is refused with
    /// `command_id_reused` (contract v2). `None` for commands built in code (what-if),
    /// which never carry an id. A field sent as `null` is left out of it: the contract
    /// reads `null` as absent, and a client's serializer that writes `null` for an
    /// optional field resends the same command (a settlement integrator's probe was
    /// refused `command_id_reused` for it). A decimal is written as its value and a
    /// member id as a lower-case hyphenated UUID (`canonical_values`): the contract
    /// says `"600"` equals `"600.00"`, and a client whose retry writes the amount from
    /// its own decimal type resends the same command (a contract probe, 2026-12-07).
    pub body_digest: Option<[u8; 32]>,
    /// The digests an earlier build recorded for this same text, other than
    /// `body_digest`: with each value as written (ids accepted before 2026-12-07), and
    /// with `null` fields kept too (before 2026-12-06). The same text sent again under
    /// such an id is its duplicate.
    pub earlier_body_digests: Vec<[u8; 32]>,
}

/// The canonical bytes of a JSON value: object keys sorted at every level, compact.
/// Two commands with the same fields and values in any order give the same bytes.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(fields) => {
                let mut keys: Vec<&String> = fields.keys().collect();
                keys.sort();
                let mut map = serde_json::Map::with_capacity(fields.len());
                for key in keys {
                    map.insert(key.clone(), sorted(&fields[key]));
                }
                Value::Object(map)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    // OK because a serde_json::Value always serializes.
    serde_json::to_vec(&sorted(value)).expect("a JSON value serializes")
}

/// Fields whose values are decimal strings: `"600"` equals `"600.00"` (CONTRACT.md).
const DECIMAL_FIELDS: [&str; 8] = [
    "account_rate",
    "amount",
    "average_monthly_wage",
    "base_ratio",
    "base_ratio_max",
    "base_ratio_min",
    "contribution_rate",
    "share",
];

/// `fields` with each decimal written as its value (`"600.00"` and `"600"` as `"600"`,
/// `"0.60"` as `"0.6"`) and a member id as a lower-case hyphenated UUID, the forms
/// that the command's meaning does not depend on. A value that is not in the
/// contract's form is left as written: such a command is refused before its digest
/// is compared.
fn canonical_values(fields: &mut serde_json::Map<String, Value>) {
    for name in DECIMAL_FIELDS {
        if let Some(Value::String(text)) = fields.get_mut(name) {
            let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            let contract_form = match text.split_once('.') {
                Some((whole, fraction)) => digits(whole) && digits(fraction),
                None => digits(text),
            };
            if let (true, Ok(value)) = (contract_form, text.parse::<rust_decimal::Decimal>()) {
                *text = value.normalize().to_string();
            }
        }
    }
    if let Some(Value::String(text)) = fields.get_mut("member_id") {
        if let Ok(member_id) = Uuid::parse_str(text) {
            *text = member_id.hyphenated().to_string();
        }
    }
}

/// Optional fields whose value the contract gives when they are absent, and that value
/// as `canonical_values` writes it: sent, they are the same command as left out.
const DEFAULTED_FIELDS: [(&str, &str); 1] = [("account_rate", "0")];

/// `fields` without an optional field sent with the value its absence means (CONTRACT:
/// `account_rate` absent = `"0"`): a settlement integrator's serializer that wrote
/// the default out was refused `command_id_reused` on a retry without it (since
/// 2026-12-07; an id accepted before recorded the digest with the field, which is one
/// of its `earlier_body_digests`).
fn leave_out_defaults(fields: &mut serde_json::Map<String, Value>) {
    for (name, default) in DEFAULTED_FIELDS {
        if fields.get(name).and_then(Value::as_str) == Some(default) {
            fields.remove(name);
        }
    }
}

/// The digest of a command's fields but `command_id` ([`CommandEnvelope::body_digest`]),
/// and the digests earlier builds recorded for the same text
/// ([`CommandEnvelope::earlier_body_digests`]).
fn body_digests(fields: &serde_json::Map<String, Value>) -> ([u8; 32], Vec<[u8; 32]>) {
    use sha2::Digest;
    let digest = |body: &serde_json::Map<String, Value>| -> [u8; 32] {
        sha2::Sha256::digest(canonical_json(&Value::Object(body.clone()))).into()
    };
    let mut body = fields.clone();
    body.remove("command_id");
    let with_nulls = digest(&body);
    body.retain(|_, value| !value.is_null());
    let as_written = digest(&body);
    canonical_values(&mut body);
    let by_value = digest(&body);
    leave_out_defaults(&mut body);
    let canonical = digest(&body);
    let mut earlier = Vec::new();
    for written in [as_written, with_nulls, by_value] {
        if written != canonical && !earlier.contains(&written) {
            earlier.push(written);
        }
    }
    (canonical, earlier)
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    PublishPolicy(Policy),
    Enroll(Enroll),
    Pay(Pay),
    CloseMonth(CloseMonth),
    StopDeduction(MemberRef),
    ResumeDeduction(MemberRef),
    Withdraw(Withdraw),
    Reenroll(Reenroll),
    ChangeBase(ChangeBase),
    GrantSubsidy(GrantSubsidy),
    RevokeSubsidy(RevokeSubsidy),
    PaySubsidy(PaySubsidy),
}

/// R5: whether the worker has an established labor relationship with an employer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaborRelationship {
    Employer,
    None,
}

/// R12/R11: why a member left. `ArrearsExceededGrace` is recorded only by a month close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalReason {
    Voluntary,
    EmployerScheme,
    Relocated,
    Deceased,
    ArrearsExceededGrace,
}

impl WithdrawalReason {
    /// The rule a withdrawal for this reason applies, the one mapping every month line
    /// and explanation uses: a month close's automatic withdrawal is R11, any
    /// withdrawal on request R12.
    pub fn rule(self) -> RuleId {
        match self {
            WithdrawalReason::ArrearsExceededGrace => RuleId::R11,
            WithdrawalReason::Voluntary
            | WithdrawalReason::EmployerScheme
            | WithdrawalReason::Relocated
            | WithdrawalReason::Deceased => RuleId::R12,
        }
    }
}

/// R16: why the employment office grants a subsidy (`graduate` grants run at most 24
/// months).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyCategory {
    Hardship,
    Graduate,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enroll {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    pub region: RegionName,
    pub month: Month,
    pub base_ratio: Ratio,
    pub labor_relationship: LaborRelationship,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pay {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    pub months: Vec<Month>,
    pub amount: Money,
    pub paid_on: CalendarDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseMonth {
    pub region: RegionName,
    pub month: Month,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRef {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    #[serde(deserialize_with = "requested_reason")]
    pub reason: WithdrawalReason,
}

/// The reasons a `withdraw` command may give (R12): a wrong one is told these four,
/// not `arrears_exceeded_grace`, which only a month close records (R11). That one
/// still parses, so the refusal that follows says why it is not accepted here.
const REQUESTED_REASONS: &[&str] = &["voluntary", "employer_scheme", "relocated", "deceased"];

fn requested_reason<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<WithdrawalReason, D::Error> {
    use serde::de::{Error, IntoDeserializer};
    let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
    if !REQUESTED_REASONS.contains(&text.as_ref()) && text != "arrears_exceeded_grace" {
        return Err(D::Error::unknown_variant(&text, REQUESTED_REASONS));
    }
    WithdrawalReason::deserialize(text.as_ref().into_deserializer())
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reenroll {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    pub month: Month,
    pub base_ratio: Ratio,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeBase {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    pub from_month: Month,
    pub base_ratio: Ratio,
}

/// R16. `months` is read wide so that 37 (or 10^9) reaches the rule and is refused with
/// `subsidy_limit_exceeded`, not as malformed; below 1 is `invalid_command`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSubsidy {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    pub from_month: Month,
    pub months: u64,
    pub share: Share,
    pub category: SubsidyCategory,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeSubsidy {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    pub from_month: Month,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaySubsidy {
    #[serde(deserialize_with = "contract_uuid")]
    pub member_id: Uuid,
    pub months: Vec<Month>,
    pub amount: Money,
    pub paid_on: CalendarDate,
}

impl Command {
    /// The contract's name for the command.
    pub fn name(&self) -> &'static str {
        match self {
            Command::PublishPolicy(_) => "publish_policy",
            Command::Enroll(_) => "enroll",
            Command::Pay(_) => "pay",
            Command::CloseMonth(_) => "close_month",
            Command::StopDeduction(_) => "stop_deduction",
            Command::ResumeDeduction(_) => "resume_deduction",
            Command::Withdraw(_) => "withdraw",
            Command::Reenroll(_) => "reenroll",
            Command::ChangeBase(_) => "change_base",
            Command::GrantSubsidy(_) => "grant_subsidy",
            Command::RevokeSubsidy(_) => "revoke_subsidy",
            Command::PaySubsidy(_) => "pay_subsidy",
        }
    }

    /// The member a member command addresses; `None` for region commands.
    pub fn member_id(&self) -> Option<Uuid> {
        match self {
            Command::PublishPolicy(_) | Command::CloseMonth(_) => None,
            Command::Enroll(body) => Some(body.member_id),
            Command::Pay(body) => Some(body.member_id),
            Command::StopDeduction(body) | Command::ResumeDeduction(body) => Some(body.member_id),
            Command::Withdraw(body) => Some(body.member_id),
            Command::Reenroll(body) => Some(body.member_id),
            Command::ChangeBase(body) => Some(body.member_id),
            Command::GrantSubsidy(body) => Some(body.member_id),
            Command::RevokeSubsidy(body) => Some(body.member_id),
            Command::PaySubsidy(body) => Some(body.member_id),
        }
    }

    /// Whether `made`, the events of an accepted command's result, can have been made
    /// by this command: for a month close, its region's `MonthClosed` of the same
    /// month among them (v1 recorded the members' consequences first); else the first
    /// event on the same stream, of the kind the command makes first, and for a
    /// policy of the same month. For an id accepted before v2, which recorded no
    /// digest of its command (D10): what its events show of the command is all there
    /// is to tell another command by.
    pub fn could_have_made<'a>(
        &self,
        made: impl IntoIterator<Item = &'a super::event::Event>,
    ) -> bool {
        use super::event::{Event, StreamId};
        let mut made = made.into_iter();
        if let Command::CloseMonth(close) = self {
            return made.any(|event| {
                matches!(event, Event::MonthClosed(closed)
                    if closed.region == close.region && closed.month == close.month)
            });
        }
        let Some(first) = made.next() else {
            return false;
        };
        let stream = match (self, self.member_id()) {
            (_, Some(member_id)) => StreamId::Member(member_id),
            (Command::PublishPolicy(policy), None) => StreamId::Region(policy.region.clone()),
            // OK because `member_id` is `None` only for the two region commands, and a
            // month close was answered above.
            (_, None) => unreachable!("a command without a member is a policy here"),
        };
        let kind = match (self, first) {
            (Command::PublishPolicy(policy), Event::PolicyPublished(published)) => {
                policy.effective_from == published.effective_from
            }
            (Command::Enroll(_), Event::MemberEnrolled(_))
            | (Command::Pay(_), Event::ContributionPaid(_))
            | (Command::StopDeduction(_), Event::DeductionStopped(_))
            | (Command::ResumeDeduction(_), Event::DeductionResumed(_))
            | (Command::Withdraw(_), Event::MemberWithdrawn(_))
            | (Command::Reenroll(_), Event::MemberReenrolled(_))
            | (Command::ChangeBase(_), Event::BaseChanged(_))
            | (Command::GrantSubsidy(_), Event::SubsidyGranted(_))
            | (Command::RevokeSubsidy(_), Event::SubsidyRevoked(_))
            | (Command::PaySubsidy(_), Event::SubsidyPaid(_)) => true,
            _ => false,
        };
        kind && first.stream() == stream
    }
}

/// Parses one `submit` line's bytes: UTF-8 text holding one command. A file saved in
/// another encoding (GBK and UTF-16 are what Chinese spreadsheets and editors often
/// save) is refused with how to convert it, in the reader's language.
pub fn parse_command_line(bytes: &[u8]) -> Result<CommandEnvelope, Refusal> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(Refusal::because(
            RefusalText::ParseLineNotUtf8 {},
            "line is not valid UTF-8: save the file as UTF-8 (one saved as GBK or UTF-16 converts with `iconv -f GBK -t UTF-8` or `iconv -f UTF-16 -t UTF-8`)",
        ));
    };
    if text.trim().is_empty() {
        return Err(Refusal::because(
            RefusalText::ParseLineEmpty {},
            "line is empty; put one JSON command on each line",
        ));
    }
    let parsed = parse_command(text);
    if let Err(refusal) = &parsed {
        if matches!(refusal.text, Some(RefusalText::ParseNotAnObject {}))
            && text.trim_start().starts_with('[')
        {
            return Err(Refusal::because(
                RefusalText::ParseLineArray {},
                "a line holds one command object, not an array: put each command of the array on its own line (`jq -c '.[]'` does)",
            ));
        }
    }
    parsed
}

/// The refusal of a `submit` line longer than `bytes_max`, which is skipped to its end
/// unread.
pub fn line_too_long(bytes_max: usize) -> Refusal {
    Refusal::because(
        RefusalText::ParseLineTooLong {
            bytes_max: u64::try_from(bytes_max).unwrap_or(u64::MAX),
        },
        format!("line is longer than {bytes_max} bytes; split it into smaller commands"),
    )
}

/// Parses one command from JSON text (one `submit` line or one HTTP body item).
pub fn parse_command(text: &str) -> Result<CommandEnvelope, Refusal> {
    let value = parse_json_strict(text.as_bytes()).map_err(|error| {
        let detail = error.to_string();
        if is_number_out_of_range(&error) {
            let english = format!(
                "a number is out of the range this ledger reads ({error}): amounts are decimal \
                 strings (\"600.00\") and counts small whole numbers"
            );
            return Refusal::because(RefusalText::ParseNumberOutOfRange { detail }, english);
        }
        if error.is_eof() {
            let english = format!(
                "the line ends before its JSON does ({error}): write each command on one \
                 line; one spread over several lines (pretty-printed) is read line by line and \
                 refused (`jq -c` prints each on one line)"
            );
            return Refusal::because(RefusalText::ParseLineUnfinished { detail }, english);
        }
        Refusal::because(
            RefusalText::ParseNotJson { detail },
            format!("not valid JSON ({error}); send one JSON object per command"),
        )
    })?;
    let inexact = inexact_whole_numbers(text.as_bytes());
    parse_command_value_with(value, inexact.first().map(|found| found.number.as_str()))
}

/// [`parse_command_value`] of a command whose text holds `inexact`, a number not whole
/// as written though a 64-bit float reads it as whole ([`inexact_whole_numbers`]),
/// refused for it. Only an object's number is: a line or an item that is an array or a
/// scalar is refused for its shape first, with how to write it (a reviewer's array line
/// lost that advice). `submit`'s lines and the HTTP body's items both come here.
pub fn parse_command_value_with(
    value: Value,
    inexact: Option<&str>,
) -> Result<CommandEnvelope, Refusal> {
    match inexact {
        Some(number) if value.is_object() => Err(number_inexact(number)),
        _ => parse_command_value(value),
    }
}

/// The refusal of a command holding `number`, not whole as written though a 64-bit
/// float reads it as whole ([`inexact_whole_numbers`]).
fn number_inexact(number: &str) -> Refusal {
    Refusal::because(
        RefusalText::ParseNumberInexact {
            number: number.to_owned(),
        },
        format!(
            "the number {number} is not a whole number, though a 64-bit float reads it as one: \
             a command's numbers are whole (counts of months, versions; amounts, rates and \
             shares are decimal strings such as \"600.00\"): write it as one"
        ),
    )
}

/// A number of a JSON text that is not whole as written but reads as whole
/// ([`inexact_whole_numbers`]), and the item of a top-level array it is in (`None` when
/// the text is not an array).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InexactNumber {
    pub item: Option<usize>,
    /// As written, cut to `QUOTED_CHARS_MAX` characters and `…` (a line may be 64 KiB
    /// of digits).
    pub number: String,
}

/// The first number of each command of JSON `text` (already parsed as JSON: one
/// command, or an array of them) that is not a whole number as written but reads as
/// one in a 64-bit float (`2.9999999999999999`, `600.00000000000000001`, `1e-400`):
/// every number a command takes is a whole number (D13; decimals are strings), and
/// serde_json reads a number through an `f64` (correctly rounded: its `float_roundtrip`
/// feature, so that it reads what `str::parse` reads here), so such a number was taken
/// as the integer next to it, where the published schema's `"type": "integer"` refuses
/// it (a contract probe, 2026-12-08). Whether it is whole is read from its digits,
/// exactly. An HTTP body's array refuses only the item that holds one.
// Long because: one pass of a small JSON lexer (strings, escapes, nesting, numbers).
pub fn inexact_whole_numbers(text: &[u8]) -> Vec<InexactNumber> {
    let mut found: Vec<InexactNumber> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    // Nesting depth, whether the text is an array, and the item of it being read.
    let (mut depth, mut array, mut item) = (0_usize, None::<bool>, 0_usize);
    let mut index = 0;
    while index < text.len() {
        let byte = text[index];
        index += 1;
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                array.get_or_insert(byte == b'[');
                depth += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 && array == Some(true) => item += 1,
            b'-' | b'0'..=b'9' => {
                let start = index - 1;
                while index < text.len()
                    && matches!(text[index], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    index += 1;
                }
                // Digits alone are whole as written: nothing to read (every count and
                // version of every imported command is one).
                if !text[start..index]
                    .iter()
                    .any(|byte| matches!(byte, b'.' | b'e' | b'E'))
                {
                    continue;
                }
                // OK because these bytes are ASCII, checked one by one above.
                let number = std::str::from_utf8(&text[start..index]).expect("ASCII is UTF-8");
                let item = (array == Some(true)).then_some(item);
                let first_of_item = found.last().is_none_or(|last| last.item != item);
                if first_of_item && reads_whole(number) && !is_whole_as_written(number) {
                    let mut said: String = number.chars().take(QUOTED_CHARS_MAX).collect();
                    if said.len() < number.len() {
                        said.push('…');
                    }
                    found.push(InexactNumber { item, number: said });
                }
            }
            _ => {}
        }
    }
    found
}

/// Whether a JSON number's literal reads as a whole, finite 64-bit float.
fn reads_whole(number: &str) -> bool {
    number
        .parse::<f64>()
        .is_ok_and(|float| float.is_finite() && float.fract() == 0.0)
}

/// Whether a JSON number's literal is a whole number, from its digits: the digits
/// from where its exponent puts the decimal point on are all zeros.
fn is_whole_as_written(number: &str) -> bool {
    let unsigned = number.trim_start_matches('-');
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent),
        None => (unsigned, "0"),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let Ok(exponent) = exponent.trim_start_matches('+').parse::<i64>() else {
        // An exponent past i64: huge, read as infinite; tiny, any digit is a fraction.
        return exponent.starts_with('-') && digits.iter().all(|digit| *digit == b'0')
            || !exponent.starts_with('-');
    };
    let whole_digits = i64::try_from(whole.len()).unwrap_or(i64::MAX);
    let point = whole_digits.saturating_add(exponent).max(0);
    let point = usize::try_from(point)
        .unwrap_or(usize::MAX)
        .min(digits.len());
    digits[point..].iter().all(|digit| *digit == b'0')
}

/// Whether `error` is a number too large for a 64-bit float (`1e400`): JSON's grammar
/// allows it, so it is refused for its range, not as "not valid JSON".
pub fn is_number_out_of_range(error: &serde_json::Error) -> bool {
    error.is_syntax() && error.to_string().starts_with("number out of range")
}

/// Parses JSON text, refusing an object that names a key twice. serde_json keeps the
/// last value of a repeated key; in a ledger `{"command":"pay",…,"command":"withdraw"}`
/// must not be read as either, so every command's text goes through this.
pub fn parse_json_strict(text: &[u8]) -> Result<Value, serde_json::Error> {
    struct Strict;
    impl<'de> serde::de::DeserializeSeed<'de> for Strict {
        type Value = Value;
        fn deserialize<D: serde::Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Value, D::Error> {
            deserializer.deserialize_any(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for Strict {
        type Value = Value;
        fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str("a JSON value")
        }
        fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
            Ok(Value::Bool(value))
        }
        fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
            Ok(Value::from(value))
        }
        fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
            Ok(Value::from(value))
        }
        fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, value: &str) -> Result<Value, E> {
            Ok(Value::String(value.to_owned()))
        }
        fn visit_string<E>(self, value: String) -> Result<Value, E> {
            Ok(Value::String(value))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
            let mut values = Vec::new();
            while let Some(value) = items.next_element_seed(Strict)? {
                values.push(value);
            }
            Ok(Value::Array(values))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut entries: A,
        ) -> Result<Value, A::Error> {
            let mut fields = serde_json::Map::new();
            while let Some(key) = entries.next_key::<String>()? {
                if fields.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!(
                        "the key {key:?} appears twice in one object"
                    )));
                }
                let value = entries.next_value_seed(Strict)?;
                fields.insert(key, value);
            }
            Ok(Value::Object(fields))
        }
    }
    use serde::de::DeserializeSeed;
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let value = Strict.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Parses one command from an already-decoded JSON value.
pub fn parse_command_value(mut value: Value) -> Result<CommandEnvelope, Refusal> {
    whole_numbers_as_integers(&mut value);
    let Value::Object(mut fields) = value else {
        return Err(Refusal::because(
            RefusalText::ParseNotAnObject {},
            "a command must be a JSON object with a \"command\" field",
        ));
    };
    let (body_digest, earlier_body_digests) = body_digests(&fields);
    // `null` is absent (the contract's reading of `null`; a serializer that writes
    // `null` for every optional field sends these too: a subsidy office's probe).
    let command_id = match fields.remove("command_id") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_str()
                .and_then(parse_contract_uuid)
                .ok_or_else(|| {
                    Refusal::because(
                        RefusalText::ParseCommandIdNotAUuid {},
                        "field `command_id` must be a UUID string in hyphenated form (8-4-4-4-12 hexadecimal digits)",
                    )
                })?,
        ),
    };
    let expected_version = match fields.remove("expected_version") {
        None | Some(Value::Null) => None,
        Some(value) => Some(field::<u64>(value, || {
            Refusal::because(
                RefusalText::ParseExpectedVersionNotACount {},
                "field `expected_version` must be a whole number from 0 to 18446744073709551615",
            )
        })?),
    };
    let name = match fields.remove("command") {
        Some(Value::String(name)) => name,
        Some(_) => {
            return Err(Refusal::because(
                RefusalText::ParseCommandNotAString {},
                "field `command` must be a string naming the command",
            ))
        }
        None => {
            return Err(Refusal::because(
                RefusalText::ParseCommandMissing {
                    names: COMMAND_NAMES,
                },
                format!("missing field `command` (one of: {COMMAND_NAMES})"),
            ))
        }
    };
    let command = parse_command_body(&name, Value::Object(fields))?;
    if expected_version.is_some() && command.member_id().is_none() {
        return Err(Refusal::because(
            RefusalText::ParseExpectedVersionNotAMemberCommand {
                command: command.name(),
            },
            format!(
                "{}: expected_version applies only to member commands",
                command.name()
            ),
        ));
    }
    Ok(CommandEnvelope {
        command_id,
        expected_version,
        command,
        body_digest: Some(body_digest),
        earlier_body_digests,
    })
}

/// The command `name` from its body, each checked as far as it can be without state.
fn parse_command_body(name: &str, body: Value) -> Result<Command, Refusal> {
    Ok(match name {
        "publish_policy" => {
            let policy: Policy = parse_body(body, name)?;
            policy.validate().map_err(|invalid| {
                let message = format!("publish_policy: {invalid}");
                let text = RefusalText::ParsePolicyInvalid {
                    check: invalid.check.name(),
                    field: invalid.field,
                    value: invalid.value,
                    limit: invalid.limit,
                };
                Refusal::because(text, message)
            })?;
            Command::PublishPolicy(policy)
        }
        "enroll" => Command::Enroll(parse_body(body, name)?),
        "pay" => {
            let pay: Pay = parse_body(body, name)?;
            if pay.months.is_empty() || pay.months.len() > PAY_MONTHS_MAX {
                return Err(months_count("pay", PAY_MONTHS_MAX));
            }
            Command::Pay(pay)
        }
        "close_month" => Command::CloseMonth(parse_body(body, name)?),
        "stop_deduction" => Command::StopDeduction(parse_body(body, name)?),
        "resume_deduction" => Command::ResumeDeduction(parse_body(body, name)?),
        "withdraw" => {
            let withdraw: Withdraw = parse_body(body, name)?;
            if withdraw.reason == WithdrawalReason::ArrearsExceededGrace {
                return Err(Refusal::because(RefusalText::ParseWithdrawArrearsExceededGrace {}, "withdraw: reason `arrears_exceeded_grace` is recorded only by a month close (R11); use voluntary, employer_scheme, relocated or deceased"));
            }
            Command::Withdraw(withdraw)
        }
        "reenroll" => Command::Reenroll(parse_body(body, name)?),
        "change_base" => Command::ChangeBase(parse_body(body, name)?),
        "grant_subsidy" => Command::GrantSubsidy(checked_grant(parse_body(body, name)?)?),
        "revoke_subsidy" => Command::RevokeSubsidy(parse_body(body, name)?),
        "pay_subsidy" => Command::PaySubsidy(checked_pay_subsidy(parse_body(body, name)?)?),
        other => {
            return Err(Refusal::because(
                RefusalText::ParseUnknownCommand {
                    name: format!("{other:?}"),
                    names: COMMAND_NAMES,
                },
                format!("unknown command {other:?}; expected one of: {COMMAND_NAMES}"),
            ))
        }
    })
}

/// A grant runs at least one month, at a share above zero (R16).
fn checked_grant(grant: GrantSubsidy) -> Result<GrantSubsidy, Refusal> {
    if grant.months < 1 {
        return Err(Refusal::because(
            RefusalText::ParseGrantMonths {},
            "grant_subsidy: field `months` must be at least 1 (R16)",
        ));
    }
    if grant.share.decimal().is_zero() {
        return Err(Refusal::because(
            RefusalText::ParseGrantShare {},
            "grant_subsidy: field `share` must be greater than 0 (R16)",
        ));
    }
    Ok(grant)
}

/// A subsidy payment lists 1 to `PAY_SUBSIDY_MONTHS_MAX` months, each once (R16).
fn checked_pay_subsidy(pay: PaySubsidy) -> Result<PaySubsidy, Refusal> {
    if pay.months.is_empty() || pay.months.len() > PAY_SUBSIDY_MONTHS_MAX {
        return Err(months_count("pay_subsidy", PAY_SUBSIDY_MONTHS_MAX));
    }
    let distinct: std::collections::BTreeSet<Month> = pay.months.iter().copied().collect();
    if distinct.len() != pay.months.len() {
        return Err(Refusal::because(
            RefusalText::ParsePaySubsidyMonthTwice {},
            "pay_subsidy: field `months` names a month twice; list each accrued month once",
        ));
    }
    Ok(pay)
}

/// `command`'s `months` lists none or more than `max`.
fn months_count(command: &'static str, max: usize) -> Refusal {
    Refusal::because(
        RefusalText::ParseMonthsCount { command, max },
        format!("{command}: field `months` must list 1 to {max} months"),
    )
}

/// JSON Schema's `integer` is a number whose fractional part is zero, however it is
/// written: `3`, `3.0`, `30e-1` and `3e0` are one integer to every schema validator,
/// and the command schemas say `integer`. The parser reads them alike: before any
/// field is read (and before the body digest, so `3.0` and `3` are one command), every
/// whole number becomes that integer. A number with a fraction, or outside the 64-bit
/// range, stays a float, which every integer field refuses, as the schemas' bounds do;
/// an integer written as a string (`"3"`) is refused by both.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            if let Some(integer) = number.as_f64().and_then(whole_number) {
                *number = integer;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// `float` as an integer, if it is whole and an `i64` or a `u64` holds it.
fn whole_number(float: f64) -> Option<serde_json::Number> {
    /// 2^64 and -2^63, exact as floats: the ends of what `u64` and `i64` hold.
    const U64_END_EXCLUSIVE: f64 = 18_446_744_073_709_551_616.0;
    const I64_START: f64 = -9_223_372_036_854_775_808.0;
    if !float.is_finite() || float.fract() != 0.0 {
        return None;
    }
    // OK because a whole float inside the target's range converts exactly (`as` only
    // truncates a fraction or saturates outside the range, and neither is possible).
    if (0.0..U64_END_EXCLUSIVE).contains(&float) {
        Some(serde_json::Number::from(float as u64))
    } else if (I64_START..0.0).contains(&float) {
        Some(serde_json::Number::from(float as i64))
    } else {
        None
    }
}

/// A UUID in the contract's form (`defs.schema.json#/$defs/uuid`): hyphenated, either
/// case. The `uuid` crate also reads the simple, braced and urn forms; a body the
/// published schema refuses is refused here too, so that an integrator's validator and
/// the ledger never disagree on what a command is (a contract probe, 2026-12-08; D95).
pub fn parse_contract_uuid(text: &str) -> Option<Uuid> {
    const HYPHENATED_CHARS: usize = 36;
    // Of the forms the crate reads, only the hyphenated one is 36 characters long.
    (text.len() == HYPHENATED_CHARS)
        .then(|| Uuid::try_parse(text).ok())
        .flatten()
}

/// Most characters of a refused value a message quotes.
const QUOTED_CHARS_MAX: usize = 64;

/// serde's reading of a command's `member_id`: [`parse_contract_uuid`].
fn contract_uuid<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Uuid, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_contract_uuid(&text).ok_or_else(|| {
        // Quoted and cut short: the text may be as long as a command line.
        let sent: String = text.chars().take(QUOTED_CHARS_MAX).collect();
        serde::de::Error::custom(format!(
            "expected a UUID in hyphenated form (8-4-4-4-12 hexadecimal digits), got {sent:?}"
        ))
    })
}

/// An envelope field of type `T`, or `refused`.
fn field<T: DeserializeOwned>(
    value: Value,
    refused: impl FnOnce() -> Refusal,
) -> Result<T, Refusal> {
    serde_json::from_value(value).map_err(|_| refused())
}

fn parse_body<T: DeserializeOwned>(body: Value, command: &str) -> Result<T, Refusal> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let path = error.path().to_string();
        let inner = with_envelope_fields(error.inner().to_string(), &path);
        let message = if path == "." {
            format!("{command}: {inner}")
        } else {
            format!("{command}: field `{path}`: {inner}")
        };
        let command = command.to_owned();
        match missing_field(&inner) {
            _ if path != "." => Refusal::because(
                RefusalText::ParseFieldInvalid {
                    command,
                    field: path,
                    detail: inner,
                },
                message,
            ),
            Some(field) => Refusal::because(
                RefusalText::ParseFieldMissing {
                    command,
                    field: field.to_owned(),
                },
                message,
            ),
            // serde's other words about the body as a whole (no command's body
            // makes one today: an unknown field is named by its path above) have no
            // message data: English everywhere.
            None => Refusal::invalid(message),
        }
    })
}

/// serde's `unknown field` sentence about a field of a command's body, with the
/// envelope's fields added to the names it expected: `command_id` in every command and
/// `expected_version` in a member's, which the envelope takes before the body is read,
/// so serde never lists them. A probe misspelt `expected_version` and was told only
/// `expected `member_id``, the one field the misspelling was not meant for.
fn with_envelope_fields(inner: String, path: &str) -> String {
    let Some(list) = inner
        .strip_prefix(&format!("unknown field `{path}`, expected "))
        .filter(|_| !path.contains(['.', '[']))
    else {
        return inner;
    };
    let list = list.strip_prefix("one of ").unwrap_or(list);
    let mut names: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    names.push("command_id");
    // A member command's body names its member (`Command::member_id`).
    if names.contains(&"member_id") {
        names.push("expected_version");
    }
    let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    format!(
        "unknown field `{path}`, expected one of {}",
        names.join(", ")
    )
}

/// The field serde's `missing field `…`` error names: the one sentence of serde's
/// about a whole body that the catalog words (its other sentences stay English).
fn missing_field(serde_message: &str) -> Option<&str> {
    serde_message
        .strip_prefix("missing field `")?
        .strip_suffix('`')
        .filter(|field| !field.is_empty() && !field.contains('`'))
}
