//! `EventStore` on sled 0.34.7: one tree, key prefixes, one atomic batch per append.
//!
//! Key layout (integers big-endian so that key order is numeric order):
//! - `L` position(8)                     → hash(32) canonical envelope JSON (the log)
//! - `S` stream-name 0x00 version(8)     → position(8)   (per-stream index)
//! - `C` command-id(16)                  → first position(8) event count(8)
//! - `M` member-id(16)                   → member state JSON
//! - `R` region-name                     → region state JSON
//! - `E` region-name 0x00 member-id(16)  → empty (enrolled members of a region)
//! - `K`                                 → checkpoint position(8) of the state rows
//! - `F` position(8) member-id(16)       → `CoverageChanged` JSON (feed items)
//! - `T` tree-size(8)                    → signed audit checkpoint JSON (`audit`)
//!
//! One tree rather than several: sled's `apply_batch` on a single tree is atomic after a
//! crash and much cheaper than a multi-tree transaction.
//!
//! Durability: sled 0.34.7's `flush()` writes with `sync_file_range`, which neither
//! flushes the drive cache nor file metadata (sled issue #1452). After each flush the
//! store therefore calls `sync_data` on sled's data file; only then does `append` return.

use super::{
    CommandRecord, CommandSpan, Envelope, EnvelopeIter, EventStore, Sha256, StateKey, StateWrite,
    StoreError,
};
use crate::domain::policy::RegionName;
use crate::domain::StreamId;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use uuid::Uuid;

const PREFIX_LOG: u8 = b'L';
const PREFIX_STREAM: u8 = b'S';
const PREFIX_COMMAND: u8 = b'C';
const PREFIX_MEMBER: u8 = b'M';
const PREFIX_REGION: u8 = b'R';
const PREFIX_ENROLLED: u8 = b'E';
const PREFIX_GRANTED: u8 = b'G';
const PREFIX_REGION_MONTH: u8 = b'Y';
const KEY_CHECKPOINT: &[u8] = b"K";
const PREFIX_COVERAGE: u8 = b'F';
const PREFIX_AUDIT_CHECKPOINT: u8 = b'T';
/// sled's page cache, in bytes: bounded so a large log does not grow memory.
pub const SLED_CACHE_BYTES_MAX: u64 = 256 * 1024 * 1024;
/// A command record: first position and event count (8 bytes each), then the
/// command's 32-byte body digest (written since contract v2; 16-byte records are v1's).
const COMMAND_RECORD_BYTES_WITH_DIGEST: usize = 48;
/// Bytes of the hash stored before each log entry's canonical JSON.
const HASH_BYTES: usize = 32;

pub struct SledStore {
    /// The sled database; owns the directory lock.
    db: sled::Db,
    tree: sled::Tree,
    /// sled's data file, fsynced after every flush (see module docs).
    data_file: File,
    path: PathBuf,
    /// Last version and hash of each stream seen so far: saves index reads per append.
    stream_heads: HashMap<String, (u64, Sha256)>,
    /// A reader shares the database with the writing store but may not append.
    read_only: bool,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn log_key(position: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = PREFIX_LOG;
    key[1..].copy_from_slice(&position.to_be_bytes());
    key
}

fn stream_prefix(stream: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(stream.len() + 10);
    key.push(PREFIX_STREAM);
    key.extend_from_slice(stream.as_bytes());
    key.push(0);
    key
}

fn stream_key(stream: &str, version: u64) -> Vec<u8> {
    let mut key = stream_prefix(stream);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

fn command_key(command_id: Uuid) -> [u8; 17] {
    let mut key = [0u8; 17];
    key[0] = PREFIX_COMMAND;
    key[1..].copy_from_slice(command_id.as_bytes());
    key
}

fn enrolled_prefix(region: &RegionName) -> Vec<u8> {
    region_prefix(PREFIX_ENROLLED, region)
}

/// `prefix`, the region's name and a 0 byte (names never contain one).
fn region_prefix(prefix: u8, region: &RegionName) -> Vec<u8> {
    let mut key = vec![prefix];
    key.extend_from_slice(region.as_str().as_bytes());
    key.push(0);
    key
}

fn state_key(key: &StateKey) -> Vec<u8> {
    match key {
        StateKey::Member(member_id) => [&[PREFIX_MEMBER][..], member_id.as_bytes()].concat(),
        StateKey::Region(region) => [&[PREFIX_REGION][..], region.as_str().as_bytes()].concat(),
        StateKey::Enrolled(region, member_id) => {
            [enrolled_prefix(region).as_slice(), member_id.as_bytes()].concat()
        }
        StateKey::Granted(region, member_id) => [
            region_prefix(PREFIX_GRANTED, region).as_slice(),
            member_id.as_bytes(),
        ]
        .concat(),
        StateKey::RegionMonth(region, month) => [
            region_prefix(PREFIX_REGION_MONTH, region).as_slice(),
            month.to_string().as_bytes(),
        ]
        .concat(),
        StateKey::Checkpoint => KEY_CHECKPOINT.to_vec(),
        StateKey::CoverageChange(position, member_id) => [
            &[PREFIX_COVERAGE][..],
            &position.to_be_bytes(),
            member_id.as_bytes(),
        ]
        .concat(),
    }
}

fn be_u64(bytes: &[u8], position: u64, what: &str) -> Result<u64, StoreError> {
    let array: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        position,
        message: format!("{what} is not 8 bytes"),
    })?;
    Ok(u64::from_be_bytes(array))
}

fn corrupt(position: u64, message: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        position,
        message: message.into(),
    }
}

/// Decodes a log entry and checks it against its key and its stored hash (pair
/// assertion: what was read is what was written, where it was written).
fn decode_log_entry(key: &[u8], value: &[u8]) -> Result<Envelope, StoreError> {
    let position = be_u64(key.get(1..).unwrap_or_default(), 0, "log key")?;
    if value.len() <= HASH_BYTES {
        return Err(corrupt(
            position,
            "log entry is too short to hold a hash and an event",
        ));
    }
    let (stored_hash, canonical) = value.split_at(HASH_BYTES);
    let hash = Sha256::of(canonical);
    if hash.0 != stored_hash {
        return Err(corrupt(position, format!("the event's bytes do not match its stored hash {} (SHA-256 is {hash}): it was altered", Sha256(stored_hash.try_into().unwrap_or_default()))));
    }
    let envelope = Envelope::decode_canonical(canonical, hash)
        .map_err(|message| corrupt(position, message))?;
    if envelope.position != position {
        return Err(corrupt(
            position,
            format!("envelope claims position {}", envelope.position),
        ));
    }
    if envelope.stream != envelope.event.stream().name() {
        return Err(corrupt(
            position,
            format!(
                "envelope stream {} does not match its payload",
                envelope.stream
            ),
        ));
    }
    // Debug builds also check the bytes are canonical on every read; `verify` always
    // does (an auditor must be able to reproduce the hash from a printed line).
    if cfg!(debug_assertions) && envelope.canonical_bytes() != canonical {
        return Err(corrupt(
            position,
            "the stored bytes are not in canonical form",
        ));
    }
    Ok(envelope)
}

/// How long `open` waits for another handle in this process to release the directory
/// lock (sled releases it when its last handle drops).
pub const STORE_OPEN_LOCK_WAIT_MS_MAX: u64 = 2_000;

fn open_db(dir: &Path, path: &Path) -> Result<sled::Db, StoreError> {
    let started = std::time::Instant::now();
    loop {
        // No background flusher: every append flushes and fsyncs itself, and without
        // the flusher thread the lock is released as soon as the store is dropped.
        let opened = sled::Config::new()
            .path(path)
            .cache_capacity(SLED_CACHE_BYTES_MAX)
            .flush_every_ms(None)
            .open();
        match opened {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(error))
                if error.kind() == std::io::ErrorKind::Other
                    && error.to_string().contains("could not acquire lock")
                    && started.elapsed().as_millis() < u128::from(STORE_OPEN_LOCK_WAIT_MS_MAX) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(source) => {
                return Err(StoreError::Locked {
                    path: dir.display().to_string(),
                    source,
                })
            }
        }
    }
}

impl SledStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let path = dir.join("sled");
        let db = open_db(dir, &path)?;
        let tree = db.open_tree("ledger")?;
        let data_path = path.join("db");
        let data_file = File::open(&data_path).map_err(io_error(&data_path))?;
        // A new store's files must survive a crash too: sync them and their directories.
        data_file.sync_all().map_err(io_error(&data_path))?;
        File::open(&path)
            .and_then(|directory| directory.sync_all())
            .map_err(io_error(&path))?;
        Ok(SledStore {
            db,
            tree,
            data_file,
            path,
            stream_heads: HashMap::new(),
            read_only: false,
        })
    }

    /// A handle for concurrent readers (HTTP requests, the feed) of the same database:
    /// reads see every completed append; appending through it is refused.
    pub fn reader(&self) -> Result<SledStore, StoreError> {
        let data_file = self.data_file.try_clone().map_err(io_error(&self.path))?;
        Ok(SledStore {
            db: self.db.clone(),
            tree: self.tree.clone(),
            data_file,
            path: self.path.clone(),
            stream_heads: HashMap::new(),
            read_only: true,
        })
    }

    /// The member ids in the keys under `prefix` (a region's index).
    fn members_under(
        &self,
        prefix: Vec<u8>,
        region: &RegionName,
        what: &str,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut members = Vec::new();
        for entry in self.tree.scan_prefix(&prefix) {
            let (key, _) = entry?;
            let id = Uuid::from_slice(&key[prefix.len()..]).map_err(|_| {
                corrupt(
                    0,
                    format!("{what} index of region {region} holds a malformed member id"),
                )
            })?;
            members.push(id);
        }
        Ok(members)
    }

    /// The ids in the keys under a one-byte prefix followed by a 16-byte id.
    fn ids_under(&self, prefix: u8) -> Result<Vec<Uuid>, StoreError> {
        self.tree
            .scan_prefix([prefix])
            .map(|entry| {
                let (key, _) = entry?;
                Uuid::from_slice(&key[1..]).map_err(|_| {
                    corrupt(
                        0,
                        format!(
                            "a {} key is not followed by a 16-byte id",
                            char::from(prefix)
                        ),
                    )
                })
            })
            .collect()
    }

    /// The sled tree, for tools and tests that must reach below the trait (e.g. to show
    /// that an edit made with sled's own API is detected).
    pub fn raw_tree(&self) -> &sled::Tree {
        &self.tree
    }

    /// Flushes sled and fsyncs its data file: after this, appended data survives a
    /// power cut.
    fn sync(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        self.data_file.sync_data().map_err(io_error(&self.path))
    }

    fn entry_hash(&self, position: u64) -> Result<Sha256, StoreError> {
        if position == 0 {
            return Ok(Sha256::ZERO);
        }
        let value = self
            .tree
            .get(log_key(position))?
            .ok_or_else(|| corrupt(position, "the log entry is missing"))?;
        let stored = value
            .get(..HASH_BYTES)
            .ok_or_else(|| corrupt(position, "log entry is too short to hold a hash"))?;
        // OK because the slice is exactly HASH_BYTES long.
        Ok(Sha256(stored.try_into().expect("32 bytes")))
    }

    fn stream_head(&mut self, stream: &str) -> Result<(u64, Sha256), StoreError> {
        if let Some(head) = self.stream_heads.get(stream) {
            return Ok(*head);
        }
        let head = match self.tree.scan_prefix(stream_prefix(stream)).next_back() {
            None => (0, Sha256::ZERO),
            Some(entry) => {
                let (key, value) = entry?;
                let position = be_u64(&value, 0, "stream index value")?;
                let version = be_u64(
                    &key[key.len().saturating_sub(8)..],
                    position,
                    "stream key version",
                )?;
                (version, self.entry_hash(position)?)
            }
        };
        self.stream_heads.insert(stream.to_owned(), head);
        Ok(head)
    }

    /// Checks an append against the log and the streams, seals it, and builds the batch.
    fn prepare(
        &mut self,
        commands: &mut [CommandRecord],
    ) -> Result<(sled::Batch, HashMap<String, (u64, Sha256)>), StoreError> {
        let mut batch = sled::Batch::default();
        let (head, mut prev_hash) = self.head()?;
        let mut next_position = head + 1;
        let mut heads: HashMap<String, (u64, Sha256)> = HashMap::new();
        for command in commands.iter_mut() {
            if self.tree.contains_key(command_key(command.command_id))? {
                return Err(StoreError::CommandRepeated {
                    command_id: command.command_id,
                });
            }
            let first_position = next_position;
            for envelope in &mut command.envelopes {
                if envelope.position != next_position {
                    return Err(StoreError::PositionGap {
                        head: next_position - 1,
                        position: envelope.position,
                    });
                }
                let (version, stream_prev_hash) = match heads.get(&envelope.stream) {
                    Some(head) => *head,
                    None => self.stream_head(&envelope.stream)?,
                };
                if envelope.version != version + 1 {
                    return Err(StoreError::VersionConflict {
                        stream: envelope.stream.clone(),
                        expected: envelope.version.saturating_sub(1),
                        actual: version,
                    });
                }
                let canonical = envelope.seal(prev_hash, stream_prev_hash);
                // Pair assertion (checked before writing, again after every read): the
                // bytes decode to the envelope we meant. Full round trip in debug builds.
                debug_assert_eq!(
                    Envelope::decode(&canonical).as_ref(),
                    Ok(&*envelope),
                    "envelope round-trips"
                );
                let mut value = Vec::with_capacity(HASH_BYTES + canonical.len());
                value.extend_from_slice(&envelope.hash.0);
                value.extend_from_slice(&canonical);
                batch.insert(&log_key(envelope.position), value);
                batch.insert(
                    stream_key(&envelope.stream, envelope.version),
                    &envelope.position.to_be_bytes(),
                );
                heads.insert(envelope.stream.clone(), (envelope.version, envelope.hash));
                prev_hash = envelope.hash;
                next_position += 1;
            }
            // 16 bytes (first position, event count), then the body digest if known.
            let mut span = Vec::with_capacity(COMMAND_RECORD_BYTES_WITH_DIGEST);
            span.extend_from_slice(&first_position.to_be_bytes());
            span.extend_from_slice(&(next_position - first_position).to_be_bytes());
            if let Some(digest) = &command.body_digest {
                span.extend_from_slice(&digest.0);
            }
            batch.insert(&command_key(command.command_id), span);
        }
        Ok((batch, heads))
    }
}

fn add_state_writes(batch: &mut sled::Batch, state: &[StateWrite]) {
    for write in state {
        let key = state_key(&write.key);
        match &write.value {
            Some(value) => batch.insert(key, value.as_slice()),
            None => batch.remove(key),
        }
    }
}

impl EventStore for SledStore {
    fn put_audit_checkpoint(&mut self, tree_size: u64, bytes: &[u8]) -> Result<bool, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let mut key = [0u8; 9];
        key[0] = PREFIX_AUDIT_CHECKPOINT;
        key[1..].copy_from_slice(&tree_size.to_be_bytes());
        let stored = self
            .tree
            .compare_and_swap(key, None as Option<&[u8]>, Some(bytes))?
            .is_ok();
        self.sync()?;
        Ok(stored)
    }

    fn audit_checkpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let mut checkpoints = Vec::new();
        for entry in self.tree.scan_prefix([PREFIX_AUDIT_CHECKPOINT]) {
            let (key, value) = entry?;
            let tree_size = be_u64(&key[1..], 0, "audit checkpoint key")?;
            checkpoints.push((tree_size, value.to_vec()));
        }
        Ok(checkpoints)
    }

    fn append(
        &mut self,
        commands: &mut [CommandRecord],
        state: &[StateWrite],
    ) -> Result<(), StoreError> {
        let (mut batch, heads) = self.prepare(commands)?;
        add_state_writes(&mut batch, state);
        self.tree.apply_batch(batch)?;
        self.sync()?;
        self.stream_heads.extend(heads);
        Ok(())
    }

    fn head(&self) -> Result<(u64, Sha256), StoreError> {
        match self.tree.scan_prefix([PREFIX_LOG]).next_back() {
            None => Ok((0, Sha256::ZERO)),
            Some(entry) => {
                let (key, value) = entry?;
                let position = be_u64(&key[1..], 0, "log key")?;
                let stored = value
                    .get(..HASH_BYTES)
                    .ok_or_else(|| corrupt(position, "log entry is too short to hold a hash"))?;
                // OK because the slice is exactly HASH_BYTES long.
                Ok((position, Sha256(stored.try_into().expect("32 bytes"))))
            }
        }
    }

    fn read_log(&self, from: u64) -> EnvelopeIter<'_> {
        let from = from.max(1);
        // Beyond the head there is simply nothing yet (a reader ahead of the writer, or a
        // feed resuming from a position it has not seen): not damage.
        match self.head() {
            Ok((head, _)) if from > head => return Box::new(std::iter::empty()),
            Ok(_) => {}
            Err(error) => return Box::new(std::iter::once(Err(error))),
        }
        let mut expected = from;
        let mut previous = match self.entry_hash(from - 1) {
            Ok(hash) => hash,
            Err(error) => return Box::new(std::iter::once(Err(error))),
        };
        let start = log_key(from);
        let end = [PREFIX_LOG + 1];
        Box::new(self.tree.range(start.as_slice()..end.as_slice()).map(move |entry| {
            let (key, value) = entry?;
            let envelope = decode_log_entry(&key, &value)?;
            if envelope.position != expected {
                return Err(corrupt(expected, format!("the log has a gap: the next entry is position {}", envelope.position)));
            }
            if envelope.prev_hash != previous {
                return Err(corrupt(expected, format!("prev_hash {} does not link to the previous event's hash {previous}: an event before it was altered, removed or reordered", envelope.prev_hash)));
            }
            expected += 1;
            previous = envelope.hash;
            Ok(envelope)
        }))
    }

    fn read_stream(&self, stream: &StreamId) -> EnvelopeIter<'_> {
        let name = stream.name();
        let prefix = stream_prefix(&name);
        let mut expected_version = 1u64;
        let mut previous = Sha256::ZERO;
        Box::new(self.tree.scan_prefix(prefix).map(move |entry| {
            let (key, value) = entry?;
            let position = be_u64(&value, 0, "stream index value")?;
            let log_entry = self.tree.get(log_key(position))?.ok_or_else(|| corrupt(position, format!("stream {name} indexes a missing event")))?;
            let envelope = decode_log_entry(&log_key(position), &log_entry)?;
            let version = be_u64(&key[key.len().saturating_sub(8)..], position, "stream key version")?;
            if envelope.stream != name || envelope.version != version || version != expected_version {
                return Err(corrupt(position, format!("stream {name} index entry {version} does not match the event")));
            }
            if envelope.stream_prev_hash != previous {
                return Err(corrupt(position, format!("stream_prev_hash does not link to version {} of {name}: an event of the stream was altered, removed or reordered", version - 1)));
            }
            expected_version += 1;
            previous = envelope.hash;
            Ok(envelope)
        }))
    }

    fn command_span(&self, command_id: Uuid) -> Result<Option<CommandSpan>, StoreError> {
        let Some(value) = self.tree.get(command_key(command_id))? else {
            return Ok(None);
        };
        let body_digest = match value.len() {
            16 => None,
            COMMAND_RECORD_BYTES_WITH_DIGEST => {
                let mut digest = [0u8; 32];
                digest.copy_from_slice(&value[16..]);
                Some(Sha256(digest))
            }
            _ => {
                return Err(corrupt(
                    0,
                    format!("command {command_id} record is neither 16 nor {COMMAND_RECORD_BYTES_WITH_DIGEST} bytes"),
                ))
            }
        };
        Ok(Some(CommandSpan {
            first_position: be_u64(&value[..8], 0, "span")?,
            event_count: be_u64(&value[8..16], 0, "span")?,
            body_digest,
        }))
    }

    fn read_state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(state_key(key))?.map(|value| value.to_vec()))
    }

    fn enrolled_members(&self, region: &RegionName) -> Result<Vec<Uuid>, StoreError> {
        self.members_under(enrolled_prefix(region), region, "enrolled")
    }

    fn granted_members(&self, region: &RegionName) -> Result<Vec<Uuid>, StoreError> {
        self.members_under(region_prefix(PREFIX_GRANTED, region), region, "granted")
    }

    fn region_rows(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.tree
            .scan_prefix([PREFIX_REGION])
            .map(|entry| Ok(entry?.1.to_vec()))
            .collect()
    }

    fn member_row_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        self.ids_under(PREFIX_MEMBER)
    }

    fn command_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        self.ids_under(PREFIX_COMMAND)
    }

    fn coverage_changes(&self, from: u64, to: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let start = [&[PREFIX_COVERAGE][..], &from.to_be_bytes()].concat();
        let end = [&[PREFIX_COVERAGE][..], &to.saturating_add(1).to_be_bytes()].concat();
        self.tree
            .range(start..end)
            .map(|entry| Ok(entry?.1.to_vec()))
            .collect()
    }

    fn replace_state(&mut self, rows: &[StateWrite]) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let mut batch = sled::Batch::default();
        for prefix in [
            PREFIX_MEMBER,
            PREFIX_REGION,
            PREFIX_ENROLLED,
            PREFIX_GRANTED,
            PREFIX_REGION_MONTH,
        ] {
            for entry in self.tree.scan_prefix([prefix]) {
                batch.remove(entry?.0);
            }
        }
        add_state_writes(&mut batch, rows);
        self.tree.apply_batch(batch)?;
        self.sync()
    }
}
