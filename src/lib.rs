//! flexledger: an event-sourced contribution ledger for flexible employees who pay
//! China's basic medical insurance in their own name.
//!
//! # Layout
//! - [`domain`]: the pure core — months, money, policies, commands, events, `decide`,
//!   the fold (`LedgerState::apply`) and the member coverage projection. No I/O.
//! - [`store`]: the `EventStore` trait and its sled implementation (append-only log,
//!   stream index, permanent command-id index, fsync-backed durability).
//! - [`ledger`]: the shell joining them — group commit of decided commands, state
//!   rebuilt from the log on open, reads folded from stored events.
//! - [`writer`]: group commit — one writer thread owning the ledger, fed by a bounded
//!   queue, one durable append for whatever commands are waiting.
//! - [`http`]: the HTTP API and the SSE feed (`flexledger serve`).
//! - [`audit`]: the RFC 6962 Merkle tree and its proofs, for checkpoints.
//! - [`cli`]: the `flexledger` command line (argument parsing and output only).

pub mod audit;
pub mod backup;
pub mod cli;
pub mod domain;
pub mod http;
pub mod ledger;
pub(crate) mod shell_support;
pub mod store;
pub mod writer;
