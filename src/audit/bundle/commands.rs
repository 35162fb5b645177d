//! The signature over a backup's `command` records (bundle version 3).
//!
//! A backup carries each command's body digest on a `command` record, so that a
//! restored ledger refuses a different command under an accepted id
//! (`command_id_reused`) as the original does. The checkpoint signs the events and the
//! stream heads, not those records, and a missing record cannot be recognised from the
//! events alone: a command accepted before contract v2 legitimately has none. So an
//! operator's probe removed one from a backup and it restored without a word, and the
//! restored ledger answered a withdrawal sent under an enrollment's id as a duplicate.
//!
//! Since version 3 a `commands` record, right before the checkpoint, signs with the
//! checkpoint's key a short note that names the checkpoint (its size and log root) and
//! commits to every `command` record of the backup: their count and the SHA-256 of
//! one line `"<command id> <body digest>\n"` per record, in the backup's order. A
//! record removed, added, moved to another command or altered changes the count or the
//! digest, and a note from another backup names another checkpoint. Like the
//! checkpoint's, the note is plain text signed exactly as written:
//!
//! ```text
//! flexledger commands v1
//! origin flexledger/<key id>
//! size <events>
//! root <hex>
//! commands <records> <hex>
//! ```

use crate::audit::checkpoint::{
    check_origin, sign_note, Checkpoint, CheckpointError, NoteFields, SignedCheckpoint,
};
use crate::store::Sha256;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::Digest;
use uuid::Uuid;

/// First line of every note of a backup's command records.
pub const COMMANDS_NOTE_HEADER: &str = "flexledger commands v1";

/// What the `commands` record signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandsNote {
    /// The checkpoint's origin: `flexledger/<key id>`.
    pub origin: String,
    /// The checkpoint's tree size: the backup's position.
    pub tree_size: u64,
    /// The checkpoint's log root: a note of another backup of the same size differs.
    pub root: Sha256,
    /// How many `command` records the backup holds.
    pub records: u64,
    /// The SHA-256 of their lines ([`CommandsDigest`]).
    pub digest: Sha256,
}

impl CommandsNote {
    /// The note of `digest`'s records for the backup proven against `checkpoint`.
    pub fn of(checkpoint: &Checkpoint, digest: &CommandsDigest) -> CommandsNote {
        CommandsNote {
            origin: checkpoint.origin.clone(),
            tree_size: checkpoint.tree_size,
            root: checkpoint.root,
            records: digest.records(),
            digest: digest.digest(),
        }
    }

    /// The exact text that is signed.
    pub fn note(&self) -> String {
        format!(
            "{COMMANDS_NOTE_HEADER}\norigin {}\nsize {}\nroot {}\ncommands {} {}\n",
            self.origin, self.tree_size, self.root, self.records, self.digest
        )
    }

    /// Parses a note; `note(parse(text)) == text` for every accepted text.
    pub fn parse_note(text: &str) -> Result<CommandsNote, CheckpointError> {
        let mut fields = NoteFields::of(text, "commands v1")?;
        let origin = fields.field("origin")?.to_owned();
        let tree_size = fields.number("size", "size")?;
        let root = fields.hash("root", "root")?;
        let (records, digest) = fields.pair(
            "commands",
            "the count of commands",
            "the digest of commands",
        )?;
        fields.end("commands")?;
        let note = CommandsNote {
            origin,
            tree_size,
            root,
            records,
            digest,
        };
        if note.note() != text {
            return Err(CheckpointError::Malformed(
                "not in canonical form (spacing or digits)".to_owned(),
            ));
        }
        Ok(note)
    }

    /// Signs the note with `key` (the checkpoint's).
    pub fn sign(&self, key: &SigningKey) -> SignedCheckpoint {
        sign_note(self.note(), key)
    }

    /// Checks `signed`'s signature (by `pinned` if given, else by the key it names)
    /// and returns what its note commits to.
    pub fn verify(
        signed: &SignedCheckpoint,
        pinned: Option<&VerifyingKey>,
    ) -> Result<CommandsNote, CheckpointError> {
        let key = signed.signer(pinned)?;
        let note = CommandsNote::parse_note(&signed.note)?;
        check_origin(&note.origin, &key)?;
        Ok(note)
    }

    /// Whether the note names `checkpoint` (its origin, size and root): a note of
    /// another backup does not.
    pub fn names(&self, checkpoint: &Checkpoint) -> bool {
        self.origin == checkpoint.origin
            && self.tree_size == checkpoint.tree_size
            && self.root == checkpoint.root
    }
}

/// The count and running SHA-256 of a backup's `command` records, as they are written
/// or read: memory is the hasher's, whatever the number of commands.
#[derive(Clone, Default)]
pub struct CommandsDigest {
    hasher: sha2::Sha256,
    records: u64,
}

impl CommandsDigest {
    /// Takes the next record in the backup's order.
    pub fn add(&mut self, command_id: Uuid, body_digest: &Sha256) {
        // The line `"<command id> <body digest>\n"`, hashed in parts: no allocation
        // for each of a backup's commands.
        let mut id = Uuid::encode_buffer();
        self.hasher
            .update(command_id.hyphenated().encode_lower(&mut id).as_bytes());
        self.hasher.update(b" ");
        self.hasher.update(body_digest.hex());
        self.hasher.update(b"\n");
        self.records += 1;
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// The SHA-256 of the records taken so far.
    pub fn digest(&self) -> Sha256 {
        Sha256(self.hasher.clone().finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note() -> CommandsNote {
        let mut digest = CommandsDigest::default();
        digest.add(Uuid::nil(), &Sha256::of(b"body"));
        CommandsNote {
            origin: "flexledger/0011223344556677".into(),
            tree_size: 37,
            root: Sha256::of(b"root"),
            records: digest.records(),
            digest: digest.digest(),
        }
    }

    #[test]
    fn a_note_parses_back_to_itself_and_nothing_else_parses() {
        let note = note();
        let text = note.note();
        assert_eq!(CommandsNote::parse_note(&text), Ok(note.clone()));
        for edited in [
            text.replace("commands v1", "commands v2"),
            text.replace("size 37", "size 037"),
            text.replace("commands 1 ", "commands  1 "),
            text.clone() + "more\n",
            text.trim_end().to_owned(),
        ] {
            assert!(CommandsNote::parse_note(&edited).is_err(), "{edited:?}");
        }
    }

    /// The digest is of the lines the module docs name, so that another implementation
    /// can compute it from the records.
    #[test]
    fn the_digest_is_of_one_line_per_record() {
        let (id, body) = (Uuid::from_u128(7), Sha256::of(b"body"));
        let mut digest = CommandsDigest::default();
        digest.add(id, &body);
        digest.add(id, &body);
        let line = format!("{id} {body}\n");
        assert_eq!(digest.digest(), Sha256::of(line.repeat(2).as_bytes()));
    }

    /// The digest is of the records in order: swapping two changes it.
    #[test]
    fn the_digest_depends_on_every_record_and_its_place() {
        let (first, second) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let body = Sha256::of(b"body");
        let mut one = CommandsDigest::default();
        one.add(first, &body);
        one.add(second, &body);
        let mut other = CommandsDigest::default();
        other.add(second, &body);
        other.add(first, &body);
        assert_ne!(one.digest(), other.digest());
        assert_ne!(one.digest(), CommandsDigest::default().digest());
        assert_eq!(one.records(), 2);
    }
}
