//! `EventStore` on sled 0.34.7: one tree, key prefixes, one atomic batch per append.
//!
//! Key layout (all integers big-endian so that key order is numeric order):
//! - `L` position(8)                     → envelope JSON (the log)
//! - `S` stream-name 0x00 version(8)     → position(8)   (per-stream index)
//! - `C` command-id(16)                  → first position(8) event count(8)
//!
//! One tree rather than several: sled's `apply_batch` on a single tree is atomic after a
//! crash and much cheaper than a multi-tree transaction.
//!
//! Durability: sled 0.34.7's `flush()` writes with `sync_file_range`, which neither
//! flushes the drive cache nor file metadata (sled issue #1452). After each flush the
//! store therefore calls `sync_data` on sled's data file; only then does `append` return.

use super::{CommandRecord, CommandSpan, Envelope, EventStore, StoreError};
use crate::domain::StreamId;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use uuid::Uuid;

const PREFIX_LOG: u8 = b'L';
const PREFIX_STREAM: u8 = b'S';
const PREFIX_COMMAND: u8 = b'C';
/// sled's page cache, in bytes: bounded so a large log does not grow memory.
pub const SLED_CACHE_BYTES_MAX: u64 = 256 * 1024 * 1024;

pub struct SledStore {
    /// The sled database; owns the directory lock.
    db: sled::Db,
    tree: sled::Tree,
    /// sled's data file, fsynced after every flush (see module docs).
    data_file: File,
    path: PathBuf,
    /// Stream versions seen so far: saves an index lookup per append.
    stream_versions: HashMap<String, u64>,
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

fn be_u64(bytes: &[u8], position: u64, what: &str) -> Result<u64, StoreError> {
    let array: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        position,
        message: format!("{what} is not 8 bytes"),
    })?;
    Ok(u64::from_be_bytes(array))
}

/// Decodes a log entry and checks it against its key (pair assertion: what was read is
/// what was written where it was written).
fn decode_log_entry(key: &[u8], value: &[u8]) -> Result<Envelope, StoreError> {
    let position = be_u64(key.get(1..).unwrap_or_default(), 0, "log key")?;
    let envelope: Envelope =
        serde_json::from_slice(value).map_err(|error| StoreError::Corrupt {
            position,
            message: format!("envelope does not decode: {error}"),
        })?;
    if envelope.position != position {
        return Err(StoreError::Corrupt {
            position,
            message: format!("envelope claims position {}", envelope.position),
        });
    }
    if envelope.stream != envelope.event.stream().name() {
        return Err(StoreError::Corrupt {
            position,
            message: format!(
                "envelope stream {} does not match its payload",
                envelope.stream
            ),
        });
    }
    Ok(envelope)
}

impl SledStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let path = dir.join("sled");
        let db = sled::Config::new()
            .path(&path)
            .cache_capacity(SLED_CACHE_BYTES_MAX)
            .open()
            .map_err(|source| StoreError::Locked {
                path: dir.display().to_string(),
                source,
            })?;
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
            stream_versions: HashMap::new(),
        })
    }

    /// Flushes sled and fsyncs its data file: after this, appended data survives a
    /// power cut.
    fn sync(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        self.data_file.sync_data().map_err(io_error(&self.path))
    }

    fn stream_version_by_name(&mut self, stream: &str) -> Result<u64, StoreError> {
        if let Some(version) = self.stream_versions.get(stream) {
            return Ok(*version);
        }
        let version = match self.tree.scan_prefix(stream_prefix(stream)).next_back() {
            None => 0,
            Some(entry) => {
                let (key, _) = entry?;
                be_u64(&key[key.len() - 8..], 0, "stream key version")?
            }
        };
        self.stream_versions.insert(stream.to_owned(), version);
        Ok(version)
    }

    /// Checks an append against the log and the streams, and builds the batch.
    fn prepare(
        &mut self,
        commands: &[CommandRecord],
    ) -> Result<(sled::Batch, HashMap<String, u64>), StoreError> {
        let mut batch = sled::Batch::default();
        let mut next_position = self.head()? + 1;
        let mut versions: HashMap<String, u64> = HashMap::new();
        for command in commands {
            if self.tree.contains_key(command_key(command.command_id))? {
                return Err(StoreError::CommandRepeated {
                    command_id: command.command_id,
                });
            }
            let first_position = next_position;
            for envelope in &command.envelopes {
                if envelope.position != next_position {
                    return Err(StoreError::PositionGap {
                        head: next_position - 1,
                        position: envelope.position,
                    });
                }
                let current = match versions.get(&envelope.stream) {
                    Some(version) => *version,
                    None => self.stream_version_by_name(&envelope.stream)?,
                };
                if envelope.version != current + 1 {
                    return Err(StoreError::VersionConflict {
                        stream: envelope.stream.clone(),
                        expected: envelope.version - 1,
                        actual: current,
                    });
                }
                let bytes = serde_json::to_vec(envelope).map_err(|error| StoreError::Corrupt {
                    position: envelope.position,
                    message: format!("envelope does not encode: {error}"),
                })?;
                // Pair assertion: what we write must read back as what we meant.
                assert_eq!(
                    &decode_log_entry(&log_key(envelope.position), &bytes)?,
                    envelope,
                    "envelope encoding round-trips"
                );
                batch.insert(&log_key(envelope.position), bytes);
                batch.insert(
                    stream_key(&envelope.stream, envelope.version),
                    &envelope.position.to_be_bytes(),
                );
                versions.insert(envelope.stream.clone(), envelope.version);
                next_position += 1;
            }
            let mut span = [0u8; 16];
            span[..8].copy_from_slice(&first_position.to_be_bytes());
            span[8..].copy_from_slice(&(next_position - first_position).to_be_bytes());
            batch.insert(&command_key(command.command_id), &span);
        }
        Ok((batch, versions))
    }
}

impl EventStore for SledStore {
    fn append(&mut self, commands: &[CommandRecord]) -> Result<(), StoreError> {
        let (batch, versions) = self.prepare(commands)?;
        self.tree.apply_batch(batch)?;
        self.sync()?;
        self.stream_versions.extend(versions);
        Ok(())
    }

    fn head(&self) -> Result<u64, StoreError> {
        match self.tree.scan_prefix([PREFIX_LOG]).next_back() {
            None => Ok(0),
            Some(entry) => {
                let (key, _) = entry?;
                be_u64(&key[1..], 0, "log key")
            }
        }
    }

    fn stream_version(&mut self, stream: &StreamId) -> Result<u64, StoreError> {
        self.stream_version_by_name(&stream.name())
    }

    fn read_log(&self, from: u64) -> Box<dyn Iterator<Item = Result<Envelope, StoreError>> + '_> {
        let start = log_key(from.max(1));
        let end = [PREFIX_LOG + 1];
        let mut expected = from.max(1);
        Box::new(
            self.tree
                .range(start.as_slice()..end.as_slice())
                .map(move |entry| {
                    let (key, value) = entry?;
                    let envelope = decode_log_entry(&key, &value)?;
                    if envelope.position != expected {
                        return Err(StoreError::Corrupt {
                            position: expected,
                            message: format!(
                                "log has a gap: next entry is position {}",
                                envelope.position
                            ),
                        });
                    }
                    expected += 1;
                    Ok(envelope)
                }),
        )
    }

    fn read_stream(
        &self,
        stream: &StreamId,
    ) -> Box<dyn Iterator<Item = Result<Envelope, StoreError>> + '_> {
        let name = stream.name();
        let prefix = stream_prefix(&name);
        let mut expected_version = 1u64;
        Box::new(self.tree.scan_prefix(prefix).map(move |entry| {
            let (key, value) = entry?;
            let position = be_u64(&value, 0, "stream index value")?;
            let log_entry =
                self.tree
                    .get(log_key(position))?
                    .ok_or_else(|| StoreError::Corrupt {
                        position,
                        message: format!("stream {name} indexes a missing event"),
                    })?;
            let envelope = decode_log_entry(&log_key(position), &log_entry)?;
            let version = be_u64(&key[key.len() - 8..], position, "stream key version")?;
            if envelope.stream != name || envelope.version != version || version != expected_version
            {
                return Err(StoreError::Corrupt {
                    position,
                    message: format!(
                        "stream {name} index entry {version} does not match the event"
                    ),
                });
            }
            expected_version += 1;
            Ok(envelope)
        }))
    }

    fn command_span(&self, command_id: Uuid) -> Result<Option<CommandSpan>, StoreError> {
        let Some(value) = self.tree.get(command_key(command_id))? else {
            return Ok(None);
        };
        if value.len() != 16 {
            return Err(StoreError::Corrupt {
                position: 0,
                message: format!("command {command_id} record is not 16 bytes"),
            });
        }
        Ok(Some(CommandSpan {
            first_position: be_u64(&value[..8], 0, "span")?,
            event_count: be_u64(&value[8..], 0, "span")?,
        }))
    }
}
