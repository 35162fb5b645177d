//! Audit: what an auditor needs to check the ledger without trusting its
//! operator. The `flexledger-audit` binary (`tools/audit/main.rs`) is [`cli`].
//!
//! - [`history`]: one member's history (its stream and its region's), cut at a
//!   position or a time, folded step by step; [`replay`] prints it with what each
//!   event changed.
//! - [`explain`]: why a month has its status — reasons, deciding events, and the rules
//!   with their source sentences from [`rules`] (RULES.md compiled in).
//! - [`merkle`]: the RFC 6962 tree and RFC 9162 proofs; [`checkpoint`]: the signed
//!   note over the log tree and the stream-heads tree; [`keys`]: the Ed25519 key file;
//!   [`proofs`]: walking a store into trees, storing and proving checkpoints.
//! - [`bundle`]: self-contained audit bundles and `verify-bundle`.
//! - [`timeline`]: a member's months as an SVG picture; [`page`]: the audit page
//!   around it (picture, months table, events).
//! - [`whatif`]: the recorded commands decided again under another policy.
//! - [`commands`]: the shell of the checkpoint, proof, export and verify commands.
//!
//! [`cli`], [`commands`] and [`whatif::cli`] are the `flexledger-audit` shell, a layer
//! above the rest of this module: they use it, it never uses them (`tests/it/layers.rs`
//! checks).

pub mod bundle;
pub mod checkpoint;
pub mod cli;
pub mod commands;
pub mod explain;
pub mod history;
pub mod keys;
pub mod merkle;
pub mod page;
pub mod proofs;
pub mod replay;
pub mod rules;
pub mod timeline;
pub mod whatif;
