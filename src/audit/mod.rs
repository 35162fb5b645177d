//! Audit building blocks (issue 5, started): the RFC 6962 Merkle tree over the log's
//! event hashes, with inclusion and consistency proofs, so checkpoints can prove that
//! an event is in the log and that a later log extends an earlier one.

pub mod merkle;
