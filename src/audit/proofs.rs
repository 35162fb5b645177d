//! Checkpoints and proofs over a store: walk the log (verified as it is read) into a
//! [`LogTree`], sign checkpoints of it, keep them, and prove inclusion and consistency
//! against them.

use crate::audit::checkpoint::{
    origin_for, Checkpoint, CheckpointError, LogTree, SignedCheckpoint,
};
use crate::audit::merkle::{self, MerkleTree};
use crate::ledger::LedgerError;
use crate::store::{findings, EventStore, ReadStore, Sha256, StoreError};
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Serialize;

/// Events between two calls of a walk's progress callback.
pub const PROGRESS_EVENTS_STEP: u64 = 4096;

/// Walks the log from position 1 through `up_to` (inclusive; `None` = the head),
/// calling `at_size` after each event with the tree so far (for checkpoints at older
/// sizes) and `progress` every [`PROGRESS_EVENTS_STEP`] events.
pub fn walk_log(
    store: &(impl ReadStore + ?Sized),
    up_to: Option<u64>,
    at_size: &mut dyn FnMut(&LogTree) -> Result<(), LedgerError>,
    progress: &mut dyn FnMut(u64),
) -> Result<LogTree, LedgerError> {
    let (head, _) = store.head()?;
    let last = up_to.unwrap_or(head);
    if last > head {
        return Err(StoreError::Corrupt {
            position: last,
            message: findings::log_before(head, last),
        }
        .into());
    }
    let mut tree = LogTree::default();
    for envelope in store.read_log(1) {
        let envelope = envelope?;
        if envelope.position > last {
            break;
        }
        tree.push(&envelope);
        at_size(&tree)?;
        if envelope.position % PROGRESS_EVENTS_STEP == 0 {
            progress(envelope.position);
        }
    }
    if tree.size() != last {
        return Err(StoreError::Corrupt {
            position: tree.size() + 1,
            message: findings::log_ends_before_head(tree.size(), last),
        }
        .into());
    }
    progress(last);
    Ok(tree)
}

/// A stored checkpoint, and what it commits to if its signature holds.
pub type StoredCheckpoint = CheckedCheckpoint<Checkpoint>;

/// A stored checkpoint, and what its check found (`T`) if its signature holds.
pub type CheckedCheckpoint<T> = (SignedCheckpoint, Result<T, CheckpointError>);

/// Every stored checkpoint, oldest first, with what it commits to (signatures are
/// checked against `key`).
pub fn stored_checkpoints(
    store: &(impl ReadStore + ?Sized),
    key: Option<&VerifyingKey>,
) -> Result<Vec<StoredCheckpoint>, StoreError> {
    stored_checkpoints_checked(store, |signed| signed.verify(key), |checkpoint| checkpoint)
}

/// Every stored checkpoint, oldest first, each checked by `verify` (which says what it
/// commits to: `checkpoint` reads that back out) and found stored under the size it
/// commits to.
pub fn stored_checkpoints_checked<T>(
    store: &(impl ReadStore + ?Sized),
    verify: impl Fn(&SignedCheckpoint) -> Result<T, CheckpointError>,
    checkpoint: impl Fn(&T) -> &Checkpoint,
) -> Result<Vec<CheckedCheckpoint<T>>, StoreError> {
    let mut checkpoints = Vec::new();
    for (tree_size, bytes) in store.audit_checkpoints()? {
        let signed: SignedCheckpoint =
            serde_json::from_slice(&bytes).map_err(|error| StoreError::Corrupt {
                position: tree_size,
                message: findings::audit_checkpoint_undecodable(tree_size, error),
            })?;
        let checked = verify(&signed).and_then(|verified| {
            let commits_to = checkpoint(&verified).tree_size;
            if commits_to == tree_size {
                Ok(verified)
            } else {
                Err(CheckpointError::Malformed(format!(
                    "stored under size {tree_size} but commits to size {commits_to}"
                )))
            }
        });
        checkpoints.push((signed, checked));
    }
    Ok(checkpoints)
}

/// Signs a checkpoint of `tree` and stores it, unless one at that size is already
/// stored: then that one is returned (published checkpoints are never replaced).
pub fn checkpoint_now(
    store: &mut dyn EventStore,
    tree: &LogTree,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<(SignedCheckpoint, bool), LedgerError> {
    let verifying = key.verifying_key();
    let signed = tree.checkpoint(origin_for(&verifying), now).sign(key);
    // OK because a SignedCheckpoint is three strings: it always encodes.
    let bytes = serde_json::to_vec(&signed).expect("a checkpoint encodes");
    if store.put_audit_checkpoint(tree.size(), &bytes)? {
        return Ok((signed, true));
    }
    let existing = stored_checkpoints(store, Some(&verifying))?
        .into_iter()
        .find(|(_, checked)| {
            checked
                .as_ref()
                .is_ok_and(|checkpoint| checkpoint.tree_size == tree.size())
        })
        .map(|(signed, _)| signed)
        .ok_or_else(|| StoreError::Corrupt {
            position: tree.size(),
            message: findings::checkpoint_other_key(),
        })?;
    Ok((existing, false))
}

/// Signs a checkpoint of the whole log with `key` and stores it: what a writer does
/// when it opens a ledger that has signed nothing yet (`keys::ensure_for_writing`), so
/// that the ledger names its key from then on. A new ledger's log is empty (a
/// checkpoint of size 0); an older one is walked once, every hash checked.
pub fn sign_first_checkpoint(
    store: &mut dyn EventStore,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<(), LedgerError> {
    let tree = walk_log(store, None, &mut |_| Ok(()), &mut |_| {})?;
    checkpoint_now(store, &tree, key, now)?;
    tracing::info!(
        tree_size = tree.size(),
        key = %crate::audit::checkpoint::key_id(&key.verifying_key()),
        "signed the ledger's first checkpoint: the ledger names its signing key from now on"
    );
    Ok(())
}

/// An inclusion proof of one event in the log tree of `tree_size` events.
#[derive(Clone, Debug, Serialize)]
pub struct InclusionProof {
    pub position: u64,
    pub event_hash: Sha256,
    pub tree_size: u64,
    pub root: Sha256,
    /// RFC 9162 audit path, leaf to root.
    pub path: Vec<Sha256>,
}

/// Proves that the event at `position` is in the first `tree_size` events.
pub fn inclusion(
    log: &MerkleTree,
    event_hash: Sha256,
    position: u64,
    tree_size: u64,
) -> Option<InclusionProof> {
    let size = usize::try_from(tree_size).ok()?;
    let index = usize::try_from(position.checked_sub(1)?).ok()?;
    let path = log.inclusion_proof(index, size)?;
    let proof = InclusionProof {
        position,
        event_hash,
        tree_size,
        root: log.root(size)?,
        path,
    };
    assert!(proof.verify(), "a fresh inclusion proof verifies");
    Some(proof)
}

impl InclusionProof {
    pub fn verify(&self) -> bool {
        self.position >= 1
            && merkle::verify_inclusion(
                self.position - 1,
                self.tree_size,
                &crate::audit::checkpoint::event_leaf(&self.event_hash),
                &self.path,
                &self.root,
            )
    }
}

/// A consistency proof: the log of `new_size` events extends the log of `old_size`.
#[derive(Clone, Debug, Serialize)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub old_root: Sha256,
    pub new_size: u64,
    pub new_root: Sha256,
    /// RFC 9162 consistency path.
    pub path: Vec<Sha256>,
}

/// Proves that the first `new_size` events of `log` extend the first `old_size`.
pub fn consistency(log: &MerkleTree, old_size: u64, new_size: u64) -> Option<ConsistencyProof> {
    let old = usize::try_from(old_size).ok()?;
    let new = usize::try_from(new_size).ok()?;
    let path = log.consistency_proof(old, new)?;
    let proof = ConsistencyProof {
        old_size,
        old_root: log.root(old)?,
        new_size,
        new_root: log.root(new)?,
        path,
    };
    assert!(proof.verify(), "a fresh consistency proof verifies");
    Some(proof)
}

impl ConsistencyProof {
    pub fn verify(&self) -> bool {
        merkle::verify_consistency(
            self.old_size,
            self.new_size,
            &self.old_root,
            &self.new_root,
            &self.path,
        )
    }
}
