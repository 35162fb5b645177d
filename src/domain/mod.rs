//! The pure domain: rules, decisions and the fold. No I/O, no clock, no random ids:
//! time and ids come in as arguments, so replaying the same events gives the same state.

pub mod command;
pub mod coverage;
pub mod decide;
pub mod event;
pub mod money;
pub mod month;
pub mod policy;
pub mod refusal;
pub mod report;
pub mod rule;
pub mod state;
pub mod why;

#[cfg(test)]
mod last_month_tests;

pub use command::{
    parse_command, parse_command_line, parse_command_value, Command, CommandEnvelope,
};
pub use coverage::{coverage, MemberCoverage};
pub use decide::decide;
pub use event::{Event, StreamId};
pub use refusal::{ErrorCode, Refusal};
pub use rule::RuleId;
pub use state::LedgerState;
