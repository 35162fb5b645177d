//! Audit (issue 5): what an auditor needs to check the ledger without trusting its
//! operator.
//!
//! - [`merkle`]: the RFC 6962 Merkle tree over the log's event hashes, with inclusion
//!   and consistency proofs.
//! - [`history`]: one member's history (its stream and its region's), cut at a
//!   position or a time, folded step by step.
//! - [`timeline`]: a member's months as an SVG picture; [`page`]: the audit page
//!   around it (picture, months table, events).

pub mod cli;
pub mod history;
pub mod merkle;
pub mod page;
pub mod replay;
pub mod timeline;
pub mod whatif;
