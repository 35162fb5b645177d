//! Signed checkpoints: the log's Merkle root and the stream heads' Merkle root at one
//! tree size, signed with the ledger's Ed25519 key.
//!
//! Two trees, both RFC 6962 (leaf = H(0x00‖data), node = H(0x01‖left‖right)):
//! - the **log tree**: one leaf per event, in position order, whose data is the
//!   event's 32-byte hash. It proves that an event is in the log (inclusion) and that
//!   a later log extends an earlier one (consistency).
//! - the **heads tree**: one leaf per stream, sorted by stream name, whose data is
//!   the text `"<stream> <version> <hash of the stream's last event>"`. Inclusion
//!   alone cannot show that a member's history is *complete*; the head can: a
//!   member's events chain by `stream_prev_hash` from version 1, so the committed head
//!   fixes every one of them — a dropped or added event breaks the chain or the head.
//!
//! The signature covers the checkpoint's note, a short text (in the spirit of C2SP's
//! tlog-checkpoint) whose bytes are signed exactly, so no JSON canonicalization is
//! involved:
//!
//! ```text
//! flexledger checkpoint v1
//! origin flexledger/<key id>
//! size <events>
//! root <hex>
//! heads <streams> <hex>
//! time <RFC 3339>
//! ```

use crate::audit::merkle;
use crate::store::{Envelope, Sha256};
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// First line of every checkpoint note: names the format and its version.
pub const NOTE_HEADER: &str = "flexledger checkpoint v1";
/// Longest note accepted when parsing, in bytes: a note is six short lines.
pub const NOTE_BYTES_MAX: usize = 1024;

/// What a checkpoint commits to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// `flexledger/<key id>`: which ledger (which key) this is.
    pub origin: String,
    /// Events in the log tree (the log's positions 1..=tree_size).
    pub tree_size: u64,
    /// Merkle root of the log tree.
    pub root: Sha256,
    /// Streams in the heads tree.
    pub heads_size: u64,
    /// Merkle root of the heads tree.
    pub heads_root: Sha256,
    /// When the checkpoint was made (from the shell's clock; never decides a rule).
    pub created_at: DateTime<Utc>,
}

/// A checkpoint as published: the note, its signature and the key that signed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    /// The signed text, exactly.
    pub note: String,
    /// Ed25519 signature of the note's bytes, 128 hex digits.
    pub signature: String,
    /// The signing key, 64 hex digits (compare it with the one the operator published).
    pub public_key: String,
}

/// Why a checkpoint is not to be trusted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    #[error("the checkpoint note is malformed: {0}")]
    Malformed(String),
    #[error("the checkpoint's public key is malformed: {0}")]
    BadKey(String),
    #[error("the checkpoint was signed by key {found}, not by the pinned key {pinned}")]
    WrongKey { found: String, pinned: String },
    #[error("the checkpoint's signature does not verify: the note was altered or not signed by this key")]
    BadSignature,
}

impl Checkpoint {
    /// The exact text that is signed.
    pub fn note(&self) -> String {
        format!(
            "{NOTE_HEADER}\norigin {}\nsize {}\nroot {}\nheads {} {}\ntime {}\n",
            self.origin,
            self.tree_size,
            self.root,
            self.heads_size,
            self.heads_root,
            self.created_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }

    /// Parses a note; `note(parse(text)) == text` for every accepted text.
    pub fn parse_note(text: &str) -> Result<Checkpoint, CheckpointError> {
        let mut fields = NoteFields::of(text, "checkpoint v1")?;
        let origin = fields.field("origin")?.to_owned();
        let tree_size = fields.number("size", "size")?;
        let root = fields.hash("root", "root")?;
        let (heads_size, heads_root) = fields.pair("heads", "heads count", "heads root")?;
        let created_at = DateTime::parse_from_rfc3339(fields.field("time")?)
            .map_err(|_| malformed("time is not RFC 3339"))?
            .with_timezone(&Utc);
        fields.end("time")?;
        let checkpoint = Checkpoint {
            origin,
            tree_size,
            root,
            heads_size,
            heads_root,
            created_at,
        };
        if checkpoint.note() != text {
            return Err(malformed(
                "not in canonical form (spacing, digits or time format)",
            ));
        }
        Ok(checkpoint)
    }

    /// Signs the note with `key`.
    pub fn sign(&self, key: &SigningKey) -> SignedCheckpoint {
        sign_note(self.note(), key)
    }
}

/// A signed note: `note`'s exact bytes signed with `key` (a checkpoint's, or a backup's
/// command records').
pub fn sign_note(note: String, key: &SigningKey) -> SignedCheckpoint {
    let signature = key.sign(note.as_bytes());
    SignedCheckpoint {
        note,
        signature: hex(&signature.to_bytes()),
        public_key: hex(key.verifying_key().as_bytes()),
    }
}

fn malformed(what: &str) -> CheckpointError {
    CheckpointError::Malformed(what.to_owned())
}

/// A note's lines read in order, each `name value` (a checkpoint's, or a backup's
/// command records'): one reader, so both refuse the same malformations alike.
pub(crate) struct NoteFields<'a> {
    lines: std::str::Split<'a, char>,
}

impl<'a> NoteFields<'a> {
    /// The lines of `text`, whose first must be `flexledger <kind>` (`checkpoint v1`).
    pub(crate) fn of(text: &'a str, kind: &str) -> Result<NoteFields<'a>, CheckpointError> {
        if text.len() > NOTE_BYTES_MAX {
            return Err(malformed("longer than 1024 bytes"));
        }
        let lines = text
            .strip_suffix('\n')
            .ok_or_else(|| malformed("no final newline"))?
            .split('\n');
        let mut fields = NoteFields { lines };
        if fields.field("flexledger")? != kind {
            return Err(CheckpointError::Malformed(format!(
                "the first line must be `flexledger {kind}`"
            )));
        }
        Ok(fields)
    }

    /// The value of the next line, which must be `name value`.
    pub(crate) fn field(&mut self, name: &str) -> Result<&'a str, CheckpointError> {
        self.lines
            .next()
            .and_then(|line| line.strip_prefix(name))
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(|| CheckpointError::Malformed(format!("expected a line `{name} …`")))
    }

    /// The next line's value as a number (`what` names it in the error).
    pub(crate) fn number(&mut self, name: &str, what: &str) -> Result<u64, CheckpointError> {
        let text = self.field(name)?;
        text.parse()
            .map_err(|_| CheckpointError::Malformed(format!("{what} is not a number")))
    }

    /// The next line's value as a hash of 64 hex digits.
    pub(crate) fn hash(&mut self, name: &str, what: &str) -> Result<Sha256, CheckpointError> {
        let text = self.field(name)?;
        Sha256::parse_hex(text)
            .ok_or_else(|| CheckpointError::Malformed(format!("{what} is not 64 hex digits")))
    }

    /// The next line's value as a count and a hash (`heads 4 ab…`).
    pub(crate) fn pair(
        &mut self,
        name: &str,
        count: &str,
        hash: &str,
    ) -> Result<(u64, Sha256), CheckpointError> {
        let (number, digest) = self.field(name)?.split_once(' ').ok_or_else(|| {
            CheckpointError::Malformed(format!("{name} needs a count and a root"))
        })?;
        let number = number
            .parse()
            .map_err(|_| CheckpointError::Malformed(format!("{count} is not a number")))?;
        let digest = Sha256::parse_hex(digest)
            .ok_or_else(|| CheckpointError::Malformed(format!("{hash} is not 64 hex digits")))?;
        Ok((number, digest))
    }

    /// No line after the one named `last`.
    pub(crate) fn end(mut self, last: &str) -> Result<(), CheckpointError> {
        match self.lines.next() {
            None => Ok(()),
            Some(_) => Err(CheckpointError::Malformed(format!(
                "extra lines after `{last}`"
            ))),
        }
    }
}

impl SignedCheckpoint {
    /// Checks the signature (against `pinned` if given, else against the key the
    /// checkpoint names) and returns what the note commits to.
    pub fn verify(&self, pinned: Option<&VerifyingKey>) -> Result<Checkpoint, CheckpointError> {
        let key = self.signer(pinned)?;
        let checkpoint = Checkpoint::parse_note(&self.note)?;
        check_origin(&checkpoint.origin, &key)?;
        Ok(checkpoint)
    }

    /// The key whose signature of the note verifies (the pinned one if given, else the
    /// one named): what any signed note (a checkpoint's, a backup's command records')
    /// is checked with before its text is read.
    pub fn signer(&self, pinned: Option<&VerifyingKey>) -> Result<VerifyingKey, CheckpointError> {
        let key = parse_public_key(&self.public_key)?;
        if let Some(pinned) = pinned {
            if pinned != &key {
                return Err(CheckpointError::WrongKey {
                    found: self.public_key.clone(),
                    pinned: hex(pinned.as_bytes()),
                });
            }
        }
        let signature: [u8; 64] = unhex(&self.signature)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CheckpointError::BadSignature)?;
        key.verify(self.note.as_bytes(), &Signature::from_bytes(&signature))
            .map_err(|_| CheckpointError::BadSignature)?;
        Ok(key)
    }
}

/// The keys a ledger has signed its checkpoints with, oldest first, the last its
/// current key (D85). A ledger whose key was lost for good signs with a new one from
/// `flexledger-audit checkpoint --new-key` on; the checkpoints signed before stay signed
/// by the earlier key, which the auditor pins beside the current one once the agency
/// has announced the change. An earlier key is accepted only for checkpoints older than
/// every checkpoint of a key after it ([`KeyChain::first_out_of_order`]): whoever still
/// holds it (a thief, if it was stolen rather than lost) cannot sign the log's future.
#[derive(Clone, Debug)]
pub struct KeyChain {
    /// Oldest first; never empty (the last is the current key).
    keys: Vec<VerifyingKey>,
}

/// A checkpoint whose signature verified, with the place of its key in the chain
/// (0 the oldest).
pub type ChainedCheckpoint = (Checkpoint, usize);

impl KeyChain {
    /// The current key and the earlier ones, oldest first.
    pub fn new(current: VerifyingKey, earlier: &[VerifyingKey]) -> Self {
        let mut keys = earlier.to_vec();
        keys.push(current);
        KeyChain { keys }
    }

    /// The key the ledger signs with now.
    pub fn current(&self) -> &VerifyingKey {
        // OK because `new` always pushes the current key.
        self.keys.last().expect("a key chain holds its current key")
    }

    /// The number of earlier keys.
    pub fn earlier(&self) -> usize {
        self.keys.len() - 1
    }

    /// The key at `place` (0 the oldest), if the chain has one there.
    pub fn key(&self, place: usize) -> Option<&VerifyingKey> {
        self.keys.get(place)
    }

    /// The first key after an earlier one that signed none of `checkpoints`: the
    /// change the agency announced is not in what was checked, so the earlier key's
    /// checkpoints are not to be taken on its word (a reviewer: whoever holds the old
    /// key and the store could delete the new key's checkpoints and sign a rewrite
    /// with the old one). `--new-key` signs with the new key at once, so a ledger that
    /// changed keys always has one.
    pub fn unsigned_successor(&self, checkpoints: &[ChainedCheckpoint]) -> Option<usize> {
        if self.earlier() == 0 {
            return None;
        }
        (1..self.keys.len()).find(|place| !checkpoints.iter().any(|(_, signer)| signer == place))
    }

    /// Checks `signed` against the current key, else against the earlier key it names;
    /// a key outside the chain is refused as the current key would refuse it.
    pub fn verify(&self, signed: &SignedCheckpoint) -> Result<ChainedCheckpoint, CheckpointError> {
        let current = self.keys.len() - 1;
        let by_current = signed.verify(Some(self.current()));
        let Err(CheckpointError::WrongKey { found, .. }) = &by_current else {
            return by_current.map(|checkpoint| (checkpoint, current));
        };
        let named = parse_public_key(found).ok();
        // Newest first: the same key given twice is the later place.
        match (0..current)
            .rev()
            .find(|&place| Some(self.keys[place]) == named)
        {
            Some(place) => signed
                .verify(Some(&self.keys[place]))
                .map(|checkpoint| (checkpoint, place)),
            None => by_current.map(|checkpoint| (checkpoint, current)),
        }
    }

    /// The first checkpoint, by size, signed by a key earlier in the chain than the key
    /// of a smaller or equal one, with that one: a key that signed after it was
    /// replaced. Equal sizes count too, unless both say the same (roots and heads): the
    /// earlier key may have signed that size unstored (a backup over HTTP, D33) before
    /// `--new-key` signed it again.
    pub fn first_out_of_order(
        checkpoints: &[ChainedCheckpoint],
    ) -> Option<(&ChainedCheckpoint, &ChainedCheckpoint)> {
        let mut sorted: Vec<&ChainedCheckpoint> = checkpoints.iter().collect();
        sorted.sort_by_key(|(checkpoint, place)| (checkpoint.tree_size, std::cmp::Reverse(*place)));
        let mut latest: Option<&ChainedCheckpoint> = None;
        for chained in sorted {
            match latest {
                Some(before) if before.1 > chained.1 && !same_statement(&before.0, &chained.0) => {
                    return Some((chained, before))
                }
                Some(before) if before.1 > chained.1 => {}
                Some(before) if before.1 == chained.1 => {}
                _ => latest = Some(chained),
            }
        }
        None
    }

    /// Whether the two keys of `first_out_of_order`'s pair look given in the wrong
    /// order: every checkpoint of the key given as the later one (`replaced`'s) is of
    /// a log no larger than every checkpoint of the one given as earlier (`late`'s),
    /// as when the current key was given as an earlier key and the old one as current.
    /// An honest ledger's keys given swapped read as a key signing after its change.
    pub fn looks_swapped(
        checkpoints: &[ChainedCheckpoint],
        late: &ChainedCheckpoint,
        replaced: &ChainedCheckpoint,
    ) -> bool {
        let sizes = |place: usize| {
            (checkpoints.iter())
                .filter(move |(_, signer)| *signer == place)
                .map(|(checkpoint, _)| checkpoint.tree_size)
        };
        let later_largest = sizes(replaced.1).max();
        let earlier_smallest = sizes(late.1).min();
        matches!((later_largest, earlier_smallest), (Some(largest), Some(smallest)) if largest <= smallest)
    }
}

/// Two checkpoints of one log state: the same size, roots and heads.
fn same_statement(one: &Checkpoint, other: &Checkpoint) -> bool {
    (one.tree_size, one.root, one.heads_size, one.heads_root)
        == (
            other.tree_size,
            other.root,
            other.heads_size,
            other.heads_root,
        )
}

/// A note's origin names the key that signed it (`origin_for`).
pub(crate) fn check_origin(origin: &str, key: &VerifyingKey) -> Result<(), CheckpointError> {
    if origin == origin_for(key) {
        return Ok(());
    }
    Err(CheckpointError::Malformed(format!(
        "origin {origin} does not name the signing key (expected {})",
        origin_for(key)
    )))
}

/// A public key from 64 hex digits.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, CheckpointError> {
    let bytes: [u8; 32] = unhex(text.trim())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| CheckpointError::BadKey("expected 64 hex digits".into()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|error| CheckpointError::BadKey(error.to_string()))
}

/// A short, stable name for a key: the first 8 bytes of SHA-256 of the public key.
pub fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::of(key.as_bytes()).0[..8])
}

/// The origin line a key's checkpoints carry.
pub fn origin_for(key: &VerifyingKey) -> String {
    format!("flexledger/{}", key_id(key))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Bytes from lowercase or uppercase hex; `None` if malformed.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let high = char::from(pair[0]).to_digit(16)?;
            let low = char::from(pair[1]).to_digit(16)?;
            u8::try_from(high * 16 + low).ok()
        })
        .collect()
}

/// The log tree's leaf for an event.
pub fn event_leaf(event_hash: &Sha256) -> Sha256 {
    merkle::leaf_hash(&event_hash.0)
}

/// The heads tree's leaf data for a stream's head.
pub fn head_text(stream: &str, version: u64, hash: &Sha256) -> String {
    format!("{stream} {version} {hash}")
}

/// The heads tree's leaf for a stream's head.
pub fn head_leaf(stream: &str, version: u64, hash: &Sha256) -> Sha256 {
    merkle::leaf_hash(head_text(stream, version, hash).as_bytes())
}

/// The log as the two trees see it, built by walking the log in order.
#[derive(Clone, Debug, Default)]
pub struct LogTree {
    /// Log-tree leaves, one per event in position order.
    pub leaves: Vec<Sha256>,
    /// Each stream's version and last hash so far.
    pub heads: BTreeMap<String, (u64, Sha256)>,
}

impl LogTree {
    /// Adds the next event. The caller walks the log in order (the store verifies the
    /// chain as it reads); this asserts it.
    pub fn push(&mut self, envelope: &Envelope) {
        let expected = u64::try_from(self.leaves.len()).unwrap_or(u64::MAX) + 1;
        assert_eq!(
            envelope.position, expected,
            "the log tree is built in position order"
        );
        self.leaves.push(event_leaf(&envelope.hash));
        self.heads
            .insert(envelope.stream.clone(), (envelope.version, envelope.hash));
    }

    pub fn size(&self) -> u64 {
        u64::try_from(self.leaves.len()).unwrap_or(u64::MAX)
    }

    /// The heads tree's leaves, in stream-name order, with their names.
    pub fn head_leaves(&self) -> (Vec<&str>, Vec<Sha256>) {
        self.heads
            .iter()
            .map(|(stream, (version, hash))| (stream.as_str(), head_leaf(stream, *version, hash)))
            .unzip()
    }

    /// The checkpoint of the log as walked so far.
    pub fn checkpoint(&self, origin: String, created_at: DateTime<Utc>) -> Checkpoint {
        let (_, head_leaves) = self.head_leaves();
        Checkpoint {
            origin,
            tree_size: self.size(),
            root: merkle::root(&self.leaves),
            heads_size: u64::try_from(head_leaves.len()).unwrap_or(u64::MAX),
            heads_root: merkle::root(&head_leaves),
            created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 section 7.1, TEST 1 (empty message): our signing is standard Ed25519.
    #[test]
    fn ed25519_signs_the_rfc_8032_test_vector() {
        let secret =
            unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
        let key = SigningKey::from_bytes(&secret.try_into().unwrap());
        assert_eq!(
            hex(key.verifying_key().as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex(&key.sign(b"").to_bytes()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    fn sample(key: &SigningKey) -> Checkpoint {
        Checkpoint {
            origin: origin_for(&key.verifying_key()),
            tree_size: 33,
            root: Sha256::of(b"root"),
            heads_size: 4,
            heads_root: Sha256::of(b"heads"),
            created_at: DateTime::parse_from_rfc3339("2026-01-10T08:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn a_note_round_trips_and_any_changed_byte_breaks_the_signature() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let checkpoint = sample(&key);
        let signed = checkpoint.sign(&key);
        assert_eq!(Checkpoint::parse_note(&signed.note).unwrap(), checkpoint);
        assert_eq!(
            signed.verify(Some(&key.verifying_key())).unwrap(),
            checkpoint
        );
        for index in 0..signed.note.len() {
            let mut bytes = signed.note.clone().into_bytes();
            bytes[index] ^= 1;
            let Ok(note) = String::from_utf8(bytes) else {
                continue;
            };
            let forged = SignedCheckpoint {
                note,
                ..signed.clone()
            };
            assert!(forged.verify(None).is_err(), "byte {index} changed");
        }
        let other = SigningKey::from_bytes(&[8; 32]);
        assert!(matches!(
            signed.verify(Some(&other.verifying_key())),
            Err(CheckpointError::WrongKey { .. })
        ));
    }

    #[test]
    fn notes_in_other_forms_are_refused() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let note = sample(&key).note();
        for broken in [
            note.replace("size 33", "size 033"),
            note.replace("size 33", "size  33"),
            note.trim_end().to_owned(),
            format!("{note}extra\n"),
            note.replace("flexledger checkpoint v1", "flexledger checkpoint v2"),
            note.replace("T08:00:00Z", "T08:00:00+00:00"),
        ] {
            assert!(Checkpoint::parse_note(&broken).is_err(), "{broken:?}");
        }
    }

    /// Leaf and node hashes computed independently (Python's hashlib) for the two
    /// trees' leaf formats: a change of format cannot pass unnoticed.
    #[test]
    fn leaves_match_independently_computed_vectors() {
        let hash = Sha256::parse_hex(&"ab".repeat(32)).unwrap();
        let event = event_leaf(&hash);
        assert_eq!(
            event.to_string(),
            "86754e71ab90f305c4faa7eee57b41b89e49ebcdf03a745c855ee611e4597237"
        );
        let head = head_leaf("member-0b53af7d-bb50-5037-9d21-49eba4cb5782", 3, &hash);
        assert_eq!(
            head.to_string(),
            "5f9bf475f937e3b6a354168bdfa6997dbb7ade8a8631317831a36f5e8385f561"
        );
        assert_eq!(
            merkle::root(&[event, head]).to_string(),
            "bc1232e4a7700de35de394eab93d72614333b3f04d6212ff273e53ca429c7b4a"
        );
    }

    /// D85: an earlier key is accepted for what it signed before the key after it, and
    /// found out when it signs later; a key outside the chain is refused as before.
    #[test]
    fn a_key_chain_accepts_an_earlier_key_only_before_its_successor() {
        let old = SigningKey::from_bytes(&[1; 32]);
        let new = SigningKey::from_bytes(&[2; 32]);
        let stranger = SigningKey::from_bytes(&[3; 32]);
        let chain = KeyChain::new(new.verifying_key(), &[old.verifying_key()]);
        let at = |key: &SigningKey, size: u64| {
            let checkpoint = Checkpoint {
                tree_size: size,
                ..sample(key)
            };
            checkpoint.sign(key)
        };
        assert_eq!(chain.verify(&at(&old, 5)).unwrap().1, 0);
        assert_eq!(chain.verify(&at(&new, 9)).unwrap().1, 1);
        assert!(matches!(
            chain.verify(&at(&stranger, 9)),
            Err(CheckpointError::WrongKey { .. })
        ));
        let mut forged = at(&old, 5);
        forged.note = forged.note.replace("size 5", "size 6");
        assert_eq!(chain.verify(&forged), Err(CheckpointError::BadSignature));
        let chained = |signed: SignedCheckpoint| chain.verify(&signed).unwrap();
        let in_order = [
            chained(at(&new, 9)),
            chained(at(&old, 5)),
            chained(at(&old, 8)),
        ];
        assert!(KeyChain::first_out_of_order(&in_order).is_none());
        let other_root = |key: &SigningKey| {
            let checkpoint = Checkpoint {
                tree_size: 9,
                root: Sha256::of(b"another root"),
                ..sample(key)
            };
            checkpoint.sign(key)
        };
        let same_size = [
            chained(at(&old, 5)),
            chained(other_root(&old)),
            chained(at(&new, 9)),
        ];
        let (found, after) = KeyChain::first_out_of_order(&same_size).unwrap();
        assert_eq!((found.0.tree_size, found.1, after.1), (9, 0, 1));
        // The same statement at one size by both keys is no finding.
        let same_statement = [chained(at(&old, 9)), chained(at(&new, 9))];
        assert!(KeyChain::first_out_of_order(&same_statement).is_none());
        // An earlier key pinned, its successor's checkpoints gone: not taken.
        assert_eq!(chain.unsigned_successor(&[chained(at(&old, 5))]), Some(1));
        assert_eq!(chain.unsigned_successor(&in_order), None);
        let late = [
            chained(at(&old, 5)),
            chained(at(&new, 9)),
            chained(at(&old, 12)),
        ];
        let (found, after) = KeyChain::first_out_of_order(&late).unwrap();
        assert_eq!((found.0.tree_size, found.1), (12, 0));
        assert_eq!((after.0.tree_size, after.1), (9, 1));
        assert!(!KeyChain::looks_swapped(&late, found, after));
        // The keys given the other way round: every checkpoint of the one given as
        // later is smaller than every one of the one given as earlier.
        let swapped = KeyChain::new(old.verifying_key(), &[new.verifying_key()]);
        let given = [
            swapped.verify(&at(&old, 0)).unwrap(),
            swapped.verify(&at(&old, 5)).unwrap(),
            swapped.verify(&at(&new, 9)).unwrap(),
        ];
        let (found, after) = KeyChain::first_out_of_order(&given).unwrap();
        assert!(KeyChain::looks_swapped(&given, found, after));
    }
}
