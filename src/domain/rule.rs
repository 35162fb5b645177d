//! The rules of RULES.md by id (R1…R17): what a month line names as the rule that
//! decided it, and what an explanation lists as the rules it applied.
//!
//! An enum, not a string, so a rule the specification does not define cannot be
//! named; on the wire it is exactly the id (`"R7"`), as it always was.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// One rule of RULES.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    R16,
    R17,
}

impl RuleId {
    /// Every rule, in RULES.md's order.
    pub const ALL: [RuleId; 17] = [
        RuleId::R1,
        RuleId::R2,
        RuleId::R3,
        RuleId::R4,
        RuleId::R5,
        RuleId::R6,
        RuleId::R7,
        RuleId::R8,
        RuleId::R9,
        RuleId::R10,
        RuleId::R11,
        RuleId::R12,
        RuleId::R13,
        RuleId::R14,
        RuleId::R15,
        RuleId::R16,
        RuleId::R17,
    ];

    /// The id as RULES.md writes it (`R7`).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::R1 => "R1",
            RuleId::R2 => "R2",
            RuleId::R3 => "R3",
            RuleId::R4 => "R4",
            RuleId::R5 => "R5",
            RuleId::R6 => "R6",
            RuleId::R7 => "R7",
            RuleId::R8 => "R8",
            RuleId::R9 => "R9",
            RuleId::R10 => "R10",
            RuleId::R11 => "R11",
            RuleId::R12 => "R12",
            RuleId::R13 => "R13",
            RuleId::R14 => "R14",
            RuleId::R15 => "R15",
            RuleId::R16 => "R16",
            RuleId::R17 => "R17",
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A string that is not the id of a rule of RULES.md.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a rule of RULES.md (R1…R17)")]
pub struct UnknownRule(pub String);

impl FromStr for RuleId {
    type Err = UnknownRule;

    fn from_str(text: &str) -> Result<RuleId, UnknownRule> {
        RuleId::ALL
            .into_iter()
            .find(|rule| rule.as_str() == text)
            .ok_or_else(|| UnknownRule(text.to_owned()))
    }
}

/// As a string in every format (JSON and postcard alike), so the wire and stored
/// bytes are those of the id.
impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RuleId, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_reads_back_from_its_id_and_serializes_as_it() {
        for (number, rule) in (1..).zip(RuleId::ALL) {
            let id = format!("R{number}");
            assert_eq!(rule.as_str(), id);
            assert_eq!(rule.to_string(), id);
            assert_eq!(id.parse::<RuleId>(), Ok(rule));
            assert_eq!(serde_json::to_string(&rule).unwrap(), format!("\"{id}\""));
            assert_eq!(
                serde_json::from_str::<RuleId>(&format!("\"{id}\"")).unwrap(),
                rule
            );
        }
        for wrong in ["R0", "R18", "r7", "7", "", " R7"] {
            assert!(wrong.parse::<RuleId>().is_err(), "{wrong:?}");
        }
        assert!(serde_json::from_str::<RuleId>("\"R18\"").is_err());
    }
}
