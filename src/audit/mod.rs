//! Audit (issue 5): what an auditor needs to check the ledger without trusting its
//! operator.
//!
//! - [`merkle`]: the RFC 6962 Merkle tree over the log's event hashes, with inclusion
//!   and consistency proofs.
//! - [`history`]: one member's history (its stream and its region's), cut at a
//!   position or a time, folded step by step.

pub mod bundle;
pub mod checkpoint;
pub mod cli;
pub mod commands;
pub mod explain;
pub mod history;
pub mod keys;
pub mod merkle;
pub mod proofs;
pub mod replay;
pub mod rules;
pub mod timeline;
pub mod whatif;
