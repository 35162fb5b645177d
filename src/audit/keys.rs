//! The ledger's Ed25519 signing key: created when a data directory is first opened
//! for writing, kept beside the store in `audit-signing-key` (hex seed, mode 0600).
//!
//! Why beside the store: checkpoints must be signable wherever the ledger runs. The
//! key proves who signed, not that the signer is honest: an operator who holds the
//! key could sign a rewritten log. What catches that is publishing: once a checkpoint
//! has left the building (printed, mailed, posted), any later log must be consistent
//! with it (`flexledger-audit prove --from SIZE`). Keep the key elsewhere by pointing
//! `FLEXLEDGER_SIGNING_KEY` at another file.

use ed25519_dalek::{SigningKey, VerifyingKey};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The key file's name inside the data directory.
pub const SIGNING_KEY_FILE: &str = "audit-signing-key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `action`: what failed, as the catalog's `audit-key-io` selects on it (`read`,
    /// `create` its data directory, `write`, `rename` into place, `sync` its directory).
    #[error("{}: {source}", self.english())]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("{}", self.english())]
    Malformed { path: String },
    #[error("cannot draw a random key: {0}")]
    Random(String),
    #[error("{}", self.english())]
    Missing {
        path: String,
        signer: String,
        tree_size: u64,
    },
    #[error("{}", self.english())]
    NotTheLedgers {
        path: String,
        found: String,
        signer: String,
        tree_size: u64,
    },
    #[error("{}", self.english())]
    NotMadeHere { path: String },
    /// The ledger is marked as rewritten after it was signed (a verify with kept
    /// checkpoints found it, `damage_mark::KEPT_VERIFY`): nothing more is signed.
    #[error("{}", self.english())]
    LogRewritten { mark: String, found_at: String },
}

impl KeyError {
    /// The error as a catalog sentence (`audit-key-*`, `locales/*/audit.ftl`), said in
    /// the reader's language by the shells; its English is the `Display`. `None` for an
    /// I/O failure or the system's random source, which keep their own words.
    pub fn sentence(&self) -> Option<crate::i18n::Sentence> {
        let (id, args) = match self {
            KeyError::Malformed { path } => ("audit-key-malformed", vec![("path", path.clone())]),
            KeyError::Missing {
                path,
                signer,
                tree_size,
            } => (
                "audit-key-missing",
                vec![
                    ("path", path.clone()),
                    ("signer", signer.clone()),
                    ("tree_size", tree_size.to_string()),
                ],
            ),
            KeyError::NotTheLedgers {
                path,
                found,
                signer,
                tree_size,
            } => (
                "audit-key-not-the-ledgers",
                vec![
                    ("path", path.clone()),
                    ("found", found.clone()),
                    ("signer", signer.clone()),
                    ("tree_size", tree_size.to_string()),
                ],
            ),
            KeyError::NotMadeHere { path } => {
                ("audit-key-not-made-here", vec![("path", path.clone())])
            }
            KeyError::Io { action, path, .. } => (
                "audit-key-io",
                vec![("action", (*action).to_owned()), ("path", path.clone())],
            ),
            KeyError::LogRewritten { mark, found_at } => (
                "audit-key-log-rewritten",
                vec![("mark", mark.clone()), ("found_at", found_at.clone())],
            ),
            KeyError::Random(_) => return None,
        };
        Some(crate::i18n::Sentence::new(id, args))
    }

    fn english(&self) -> String {
        crate::i18n::english_of(self.sentence())
    }
}

/// The key that signed a ledger's latest stored checkpoint: who the ledger is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    pub tree_size: u64,
    pub key: VerifyingKey,
}

/// The signer of the latest stored checkpoint of `store` that names a readable key,
/// or `None` for a ledger that has none yet.
pub fn latest_signer(
    store: &(impl crate::store::Checkpoints + ?Sized),
) -> Result<Option<Signer>, crate::store::StoreError> {
    let checkpoints = store.audit_checkpoints()?;
    Ok(checkpoints.iter().rev().find_map(|(tree_size, bytes)| {
        let signed: crate::audit::checkpoint::SignedCheckpoint =
            serde_json::from_slice(bytes).ok()?;
        let key = crate::audit::checkpoint::parse_public_key(&signed.public_key).ok()?;
        Some(Signer {
            tree_size: *tree_size,
            key,
        })
    }))
}

/// What opening the ledger for writing (`submit`, `serve`) does about its key: a
/// ledger that has signed nothing yet gets one (it signs from the day it starts); one
/// whose key file is missing while its checkpoints were signed makes none, and says
/// so: the writes go on (a lost key must not stop the ledger recording contributions),
/// and signing waits for the key to be put back, or for `checkpoint --new-key`.
///
/// Answers the key of a ledger that has signed nothing yet (made now, or found in
/// place): the writer signs a first checkpoint with it before it appends
/// (`proofs::sign_first_checkpoint`). Until a ledger has a checkpoint, nothing in it
/// names its key, so a key file deleted then would be replaced without a word (found
/// by an operator's probe: a ledger backed up only over HTTP, which stores no
/// checkpoint, got a new key at the next `submit`); from its first checkpoint on, a
/// missing key file is refused as above (D33).
pub fn ensure_for_writing(
    data_dir: &Path,
    latest: Option<&Signer>,
) -> Result<Option<SigningKey>, KeyError> {
    let loaded = match (load(data_dir), latest) {
        // A damaged key file (found by a fault probe: every writer stopped, exit 2):
        // said as a missing key is, and the commands recorded. Where the ledger has
        // signed nothing yet it stays refused: a key must not be made in its place.
        (Err(malformed @ KeyError::Malformed { .. }), Some(_)) => {
            tracing::warn!(
                "{malformed}. Commands are recorded; checkpoints, exports and backups are refused until the ledger's key is back"
            );
            return Ok(None);
        }
        (loaded, _) => loaded?,
    };
    match (loaded, latest) {
        (Some(key), Some(signer)) if key.verifying_key() != signer.key => {
            // Another ledger's key file in this one's place (found by an auditor's
            // probe: the writes went on without a word, and `flexledger-audit verify`
            // then blamed the log): said as a missing key is, and never used to sign.
            let refusal = not_the_ledgers(data_dir, &key, signer);
            tracing::warn!(
                "{refusal}. Commands are recorded; checkpoints, exports and backups are refused until the ledger's key is back"
            );
            Ok(None)
        }
        (Some(_), Some(_)) => Ok(None),
        (Some(key), None) => Ok(Some(key)),
        (None, Some(signer)) => {
            tracing::warn!(
                path = %key_path(data_dir).display(),
                signer = %crate::audit::checkpoint::key_id(&signer.key),
                "no signing key here, but this ledger's checkpoints are signed by the key whose id is the `signer` field: no new one is made. \
                 Checkpoints, exports and backups are refused until that key is put back (or flexledger-audit checkpoint --new-key)"
            );
            Ok(None)
        }
        (None, None) => ensure(data_dir).map(Some),
    }
}

/// The ledger's key: loaded, or created for a ledger that has signed nothing yet where
/// `may_make` (the data directory is a sled ledger's own, held under its lock: no other
/// process can make another key for it). Refused when the ledger's checkpoints were
/// signed by a key that is not there (`latest`): a missing key file is never silently
/// replaced, and another ledger's key never signs this one's log. With a PostgreSQL
/// store any machine can read the ledger, so only its writer makes the key
/// (`ensure_for_writing`): a reader, an auditor or a read-only server that made one would
/// give the ledger a second identity.
pub fn ensure_ledgers(
    data_dir: &Path,
    latest: Option<&Signer>,
    may_make: bool,
) -> Result<SigningKey, KeyError> {
    let path = || key_path(data_dir).display().to_string();
    match (load(data_dir)?, latest) {
        (Some(key), Some(signer)) if key.verifying_key() != signer.key => {
            Err(not_the_ledgers(data_dir, &key, signer))
        }
        (Some(key), _) => Ok(key),
        (None, Some(signer)) => Err(KeyError::Missing {
            path: path(),
            signer: crate::audit::checkpoint::key_id(&signer.key),
            tree_size: signer.tree_size,
        }),
        (None, None) if may_make => ensure(data_dir),
        (None, None) => Err(KeyError::NotMadeHere { path: path() }),
    }
}

/// The refusal of `key`, found in `data_dir`'s key file, when the ledger's checkpoints
/// are signed by `signer`'s: it is another ledger's.
fn not_the_ledgers(data_dir: &Path, key: &SigningKey, signer: &Signer) -> KeyError {
    KeyError::NotTheLedgers {
        path: key_path(data_dir).display().to_string(),
        found: crate::audit::checkpoint::key_id(&key.verifying_key()),
        signer: crate::audit::checkpoint::key_id(&signer.key),
        tree_size: signer.tree_size,
    }
}

/// [`ensure_ledgers`] for a command that signs what it reads from `place`
/// (`checkpoint`, `export`, `flexledger backup`): a key is made only where the data
/// directory is a sled ledger's own, held under its lock (D33).
///
/// Refused while the ledger is marked as rewritten after it was signed (a verify with
/// kept checkpoints left the mark): a signature of that log would be a second
/// checkpoint, with another root, for events the key signed before, which is what a
/// forger's would look like; and a backup signed so restored into a store that verified
/// clean (an auditor's probe).
pub fn ensure_at(
    place: &crate::store::Place,
    latest: Option<&Signer>,
) -> Result<SigningKey, KeyError> {
    refuse_a_log_marked_rewritten(place)?;
    let may_make = matches!(place.store, crate::store::Location::Sled(_));
    ensure_ledgers(&place.data_dir, latest, may_make)
}

/// The refusal of every signature (`ensure_at`, `checkpoint --new-key`, a server's
/// `GET /v1/backup`) while the ledger at `place` is marked as rewritten after it was
/// signed: its mark is in its data directory (a sled ledger's, or a PostgreSQL store's
/// beside its key), where any such mark counts, as any mark there keeps a PostgreSQL
/// writer away (D84).
pub fn refuse_a_log_marked_rewritten(place: &crate::store::Place) -> Result<(), KeyError> {
    refuse_signing_in(&place.data_dir)
}

/// [`refuse_a_log_marked_rewritten`] for a data directory: any mark in it that a
/// verify with kept checkpoints left (a server, which knows its data directory).
pub fn refuse_signing_in(data_dir: &Path) -> Result<(), KeyError> {
    match crate::store::damage_mark::kept_mark_in(data_dir) {
        Some(found) => Err(rewritten(found)),
        None => Ok(()),
    }
}

fn rewritten((path, found): (PathBuf, crate::store::damage_mark::DamageMark)) -> KeyError {
    KeyError::LogRewritten {
        mark: path.display().to_string(),
        found_at: found.found_at,
    }
}

/// Where the key lives: `$FLEXLEDGER_SIGNING_KEY`, else `<data dir>/audit-signing-key`.
pub fn key_path(data_dir: &Path) -> PathBuf {
    match std::env::var_os("FLEXLEDGER_SIGNING_KEY") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => data_dir.join(SIGNING_KEY_FILE),
    }
}

/// Loads the key, or `None` if there is none yet.
pub fn load(data_dir: &Path) -> Result<Option<SigningKey>, KeyError> {
    let path = key_path(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // Bytes that are not text are no key either (they had been "cannot read").
        Err(error) if error.kind() == std::io::ErrorKind::InvalidData => {
            return Err(KeyError::Malformed {
                path: path.display().to_string(),
            })
        }
        Err(source) => {
            return Err(KeyError::Io {
                action: "read",
                path: path.display().to_string(),
                source,
            })
        }
    };
    warn_if_shared(&path);
    let seed: [u8; 32] = crate::audit::checkpoint::unhex(text.trim())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| KeyError::Malformed {
            path: path.display().to_string(),
        })?;
    Ok(Some(SigningKey::from_bytes(&seed)))
}

/// Mode bits that let a user other than the key file's owner read, write or run it.
#[cfg(unix)]
const KEY_FILE_SHARED_MODE_BITS: u32 = 0o077;

/// Warns when the key file can be read by others (found by an auditor's probe: a key
/// left at mode 0644 signed checkpoints without a word). Whoever reads the key can sign
/// checkpoints as this ledger. A warning, not a refusal: a ledger must not stop
/// recording contributions over a file mode, and an operator may share the file
/// through a group on purpose. (A PostgreSQL password file so shared is ignored, as
/// libpq does; ignoring the key would stop the ledger signing.)
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(metadata) = std::fs::metadata(path) else {
            return;
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & KEY_FILE_SHARED_MODE_BITS != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format_args!("{mode:o}"),
                "the ledger's signing key can be read by users other than its owner: whoever reads it can sign \
                 checkpoints as this ledger. Make it the owner's only: chmod 600 on the path"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Loads the key, creating it (fsynced, mode 0600) if there is none, and the data
/// directory with it if that is missing too (with a PostgreSQL store the directory
/// holds only the key; sled makes it for its own files). Checks nothing against the
/// ledger's checkpoints: for a ledger that has none (`ensure_ledgers`), or a new key
/// made on purpose (`checkpoint --new-key`).
pub fn ensure(data_dir: &Path) -> Result<SigningKey, KeyError> {
    if let Some(key) = load(data_dir)? {
        return Ok(key);
    }
    crate::store::create_private_dir_all(data_dir).map_err(|source| KeyError::Io {
        action: "create",
        path: data_dir.display().to_string(),
        source,
    })?;
    let path = key_path(data_dir);
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| KeyError::Random(error.to_string()))?;
    let io = |action: &'static str| {
        let path = path.display().to_string();
        move |source| KeyError::Io {
            action,
            path,
            source,
        }
    };
    // Written whole or not at all: a temporary file, fsynced, then renamed into place
    // (a full disk otherwise leaves an empty key file that no later open can read).
    // The data directory's lock is held, so no other process writes the key meanwhile.
    let temporary = path.with_extension("partial");
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temporary).and_then(|mut file| {
        writeln!(file, "{}", crate::audit::checkpoint::hex(&seed))?;
        file.sync_all()
    });
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(io("write")(source));
    }
    std::fs::rename(&temporary, &path).map_err(io("rename"))?;
    if let Some(parent) = path.parent() {
        if let Ok(directory) = std::fs::File::open(parent) {
            directory.sync_all().map_err(io("sync"))?;
        }
    }
    let key = SigningKey::from_bytes(&seed);
    tracing::info!(
        path = %path.display(),
        key_id = %crate::audit::checkpoint::key_id(&key.verifying_key()),
        "created the ledger's audit signing key"
    );
    Ok(key)
}
