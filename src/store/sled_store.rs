//! The store's traits on sled 0.34.7: one tree, key prefixes, one atomic batch per
//! append. `SledStore` is the writer (every trait); `SledReader` shares its database
//! and implements only the reading traits (`ReadStore`), so a reader cannot append.
//!
//! Key layout (integers big-endian so that key order is numeric order):
//! - `L` position(8)                     → hash(32) and the event (`log_entry`: a compact
//!   layout; entries written by older builds hold the canonical envelope JSON)
//! - `S` stream-name 0x00 version(8)     → position(8)   (per-stream index)
//! - `C` command-id(16)                  → first position(8) event count(8)
//! - `M` member-id(16)                   → member state row (`codec::rows`: postcard
//!   since state format 3, JSON before)
//! - `R` region-name                     → region state JSON (`codec::rows`)
//! - `E` region-name 0x00 member-id(16)  → empty (enrolled members of a region)
//! - `K`                                 → checkpoint position(8) of the state rows
//! - `F` position(8) member-id(16) 0x01  → up to `COVERAGE_ROW_BYTES_MAX` of one append's
//!   (or one batch written ahead of a close's append, D90)
//!   coverage-change feed items, the first at that position and member
//!   (`coverage_rows`); stores written before hold one `CoverageChanged` JSON per
//!   key `F` position(8) member-id(16)
//! - `T` tree-size(8)                    → signed audit checkpoint JSON (`audit`)
//! - `X` region-name                     → a month close in progress (`codec::rows::Closing`)
//! - `W`                                 → empty: the store keeps a head witness (below)
//! - `A` region-name                     → the region's summary (`codec::rows`: postcard,
//!   since state format 4)
//!
//! One tree rather than several: sled's `apply_batch` on a single tree is atomic after a
//! crash and much cheaper than a multi-tree transaction.
//!
//! Durability: sled 0.34.7's `flush()` writes with `sync_file_range`, which neither
//! flushes the drive cache nor file metadata (sled issue #1452). After each flush the
//! store therefore calls `sync_data` on sled's data file; only then does `append` return.
//!
//! Lost data never looks healthy: after each durable append the store records the
//! head (position and hash of the last event) in `<data-dir>/head-witness`, outside
//! sled's files: created by temp file, fsync, rename and directory fsync, then updated
//! in place, one of two checksummed slots in turn, with `fdatasync` (a torn write
//! leaves the other slot, an older and still true head; an older witness only
//! weakens the check, it never raises a false alarm). `open` refuses a
//! log that ends before the witness, or whose event at the witnessed position has
//! another hash, as damage: a truncated engine file otherwise opens as a shorter, or
//! empty, valid-looking log. A store without a witness (an older build) gets one,
//! and then the key `W` saying it has one: from then on a missing witness file is
//! damage too (deleted, or left behind by a copy), not an older build's store, since
//! a store rolled back without its witness would otherwise look healthy.
//! `accept_head` is the way back for an operator who accepts the log as it is.
//! What the witness cannot see, because nothing is lost yet, `open` looks for in sled's
//! data file: a segment header that fails its checksum (`scan_segment_headers`).
//! `open` also turns a panic inside sled into a damage error, sets aside unfinished
//! snapshots (`snap.*.generating`) that make sled 0.34.7 refuse to open, and tells a
//! held lock, a permission error and a full disk apart.

use super::checked_reads::{corrupt, decode_entry, LogChain, StreamChain};
use super::coverage_rows::{self, CoverageItem};
use super::findings::{self, Field, SetAsideWhy};
use super::head_cache::HeadCache;
use super::log_block::{self, block_key, Block, PREFIX_LOG_BLOCK};
use super::log_entry::HASH_BYTES;
use super::sealing::{self, AppendContext, Sealed, StreamHeads};
use super::state_keys::{
    member_id_of_key, member_index_prefix, member_page_bounds, state_key, PREFIX_CLOSING,
    PREFIX_MEMBER, PREFIX_REGION, REBUILT_PREFIXES,
};
use super::stream_index::{self, IndexRow};
use super::{
    CheckpointWriter, Checkpoints, CommandRecord, CommandSpan, Envelope, EnvelopeIter, EventLog,
    FeedRows, Indexed, IndexedIter, LogWriter, MemberIndex, ReplacedRow, Sha256, StateKey,
    StateRows, StateWrite, StoreError,
};
use crate::domain::policy::RegionName;
use crate::domain::StreamId;
use crate::i18n::Sentence;
use crate::shell_support::shell_quoted;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use uuid::Uuid;

const PREFIX_LOG: u8 = b'L';
/// Older builds' stream index, one key per event; read, never written (`stream_index`).
const PREFIX_STREAM: u8 = b'S';
const PREFIX_COMMAND: u8 = b'C';
const PREFIX_COVERAGE: u8 = b'F';
const PREFIX_AUDIT_CHECKPOINT: u8 = b'T';
/// Present (empty) once the store keeps a head witness: a missing witness file is then
/// damage. Written after the witness file, so a crash between the two leaves a
/// witness without the key, which the next open adds.
const KEY_WITNESSED: &[u8] = b"W";
/// sled's page cache, in bytes: bounded so a large log does not grow memory. sled
/// counts it by the pages' size on disk; their heap is 1.2–1.4 times that, and a
/// server keeps it full after any large write (a month close) for as long as it runs.
/// Measured in one run, two builds alternating (200,000 members, the import and close
/// of tools/close-bench.sh): 64 MiB against 256 MiB imports at the same rate (12.4k vs
/// 12.2k, 14.5k vs 15.0k commands/s) in 382–458 instead of 633–649 MiB, and closes
/// 5–15% slower in 214–235 instead of 443 MiB. Then 32 MiB against 64 MiB: importing
/// flexledger-bench's 30,000 members over 12 months took the same CPU time within
/// the noise (26.6+2.0 s against 25.5+2.1 and 26.9+1.9 s) in 176–201 instead of
/// 217–225 MiB; a server closing a month of 1,000,000 members (four runs each) peaked
/// at 384–408 instead of 452–459 MiB, held 328–337 instead of 391–401 MiB after it, and
/// spent no more CPU on it (55.7, 58.0 s against 58.0, 65.3 s). 16 MiB (384 and 316
/// MiB in one run) took 2–10% more CPU on that import; imports far larger than the
/// cache were not tried.
pub const SLED_CACHE_BYTES_MAX: u64 = 32 * 1024 * 1024;
/// State rows written (or removed) per engine batch when a rebuild replaces them all
/// (`replace_state`): ~1 MB of rows.
pub const REPLACE_STATE_BATCH_WRITES_MAX: usize = 10_000;
/// A command record: first position and event count (8 bytes each), then the
/// command's 32-byte body digest (written since contract v2; 16-byte records are v1's).
const COMMAND_RECORD_BYTES_WITH_DIGEST: usize = 48;
/// The feed items one coverage row holds, in bytes (at least one item, however
/// large). Small, because sled 0.34.7 writes a page of more than ~128 KiB (a leaf
/// holds up to 17 rows) to a separate blob file that its flush does not fsync: rows
/// of 4 KiB keep every leaf far below that, and still hold ~12 items of an import.
const COVERAGE_ROW_BYTES_MAX: usize = 4 * 1024;
/// Streams whose head `SledStore` keeps in memory, at most: about 130 bytes each, so
/// ~26 MiB. Unbounded, a month close of a million members grew the process by the
/// head of every member stream it appended to. When full, an eighth is evicted
/// (`head_cache`).
const STREAM_HEADS_CACHED_MAX: usize = 200_000;
/// Length of a coverage row's key (`F`, position, member id, 0x01); a key of one
/// byte less is an older build's one-item row.
const COVERAGE_ROW_KEY_BYTES: usize = 26;

/// The store open for writing: the ledger's one writer.
pub struct SledStore {
    /// The database, read as a reader reads it.
    engine: SledReader,
    /// The head witness, open for updates.
    witness: WitnessFile,
    /// Last version and hash of streams appended to or read lately: saves two index
    /// reads per append. At most `STREAM_HEADS_CACHED_MAX`.
    stream_heads: HeadCache,
    /// The last index rows `stream_head` read while the current append was sealed
    /// (`None`: the stream has none), so that `prepare` does not read them again;
    /// emptied as each append starts.
    index_rows_read: HashMap<String, Option<IndexRow>>,
}

/// A read-only handle: HTTP requests and the feed read through one beside the writer
/// (`SledStore::reader`), a process that only reads opens one
/// (`SledStore::open_read_only`). It implements no writing trait, so an append
/// through it is refused by the compiler:
///
/// ```compile_fail
/// use flexledger::store::{LogWriter, SledReader};
/// fn append_through(reader: &mut SledReader) {
///     reader.append(&mut [], &[]).unwrap();
/// }
/// ```
#[derive(Clone)]
pub struct SledReader {
    /// The sled database; owns the directory lock (shared with the writer's handle).
    db: sled::Db,
    tree: sled::Tree,
    /// sled's data file, fsynced after every flush (see module docs).
    data_file: std::sync::Arc<File>,
    path: PathBuf,
    /// The data directory (holds the head witness).
    dir: PathBuf,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| classify_io(path, source)
}

/// ENOSPC (and EDQUOT): the disk or the user's quota is full; or EFBIG: a file reached
/// the process's file size limit, which the store meets and recovers from as it does
/// a full disk (`StoreError::DiskFull`, said with its own reason).
fn is_disk_full(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge
    ) || (cfg!(target_os = "linux") && matches!(error.raw_os_error(), Some(27 | 28 | 122)))
}

/// sled reports a held directory lock as an `Other` error with this text.
fn is_lock_held(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::Other
        && error.to_string().contains("could not acquire lock")
}

/// An I/O failure on `path`, named by what the operator must do about it.
fn classify_io(path: &Path, source: std::io::Error) -> StoreError {
    if source.kind() == std::io::ErrorKind::PermissionDenied {
        // sled's error names no file: name the first one this process cannot use.
        let denied = first_denied(path).unwrap_or_else(|| path.to_owned());
        let path = denied.display().to_string();
        return StoreError::PermissionDenied { path, source };
    }
    let path = path.display().to_string();
    // Said as a refusal to write, with its own sentence (`StoreError::sentence`): sled
    // writes even to read, so an auditor handed a read-only copy needs to be told to
    // copy it somewhere writable (an operator's probe saw only the system's words).
    if source.kind() == std::io::ErrorKind::ReadOnlyFilesystem {
        return StoreError::PermissionDenied { path, source };
    }
    if is_disk_full(&source) {
        // sled hands on a copy whose text is the original's debug form
        // (`Os { code: 28, … }`): say it plainly, keeping the kind.
        let source = match source.raw_os_error() {
            Some(_) => source,
            None => std::io::Error::from(source.kind()),
        };
        StoreError::DiskFull { path, source }
    } else if is_lock_held(&source) {
        StoreError::Locked { path }
    } else {
        StoreError::Io { path, source }
    }
}

/// The first file or directory at or under `path` (two levels down: the data
/// directory, `sled/`, its files and `blobs/`; directories first) that this process
/// may not open as the store does (directories listed, files read and written), or
/// `None` when each one opens. Opening changes nothing: no file is created or
/// truncated. A directory it may list but not write is not found here (only a write
/// tells): the caller then names the directory it was given.
fn first_denied(path: &Path) -> Option<PathBuf> {
    fn walk(path: &Path, depth: usize) -> Option<PathBuf> {
        let denied = |result: std::io::Result<()>| matches!(result, Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied);
        if path.is_dir() {
            let entries = match std::fs::read_dir(path) {
                Ok(entries) => entries,
                Err(error) => return denied(Err(error)).then(|| path.to_owned()),
            };
            let mut children: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
            // Directories first: the engine's files (`sled/`) before the data
            // directory's own (the signing key, the head witness).
            children.sort_by_key(|child| (!child.is_dir(), child.clone()));
            return children
                .iter()
                .filter(|_| depth > 0)
                .find_map(|child| walk(child, depth - 1));
        }
        let opened = File::options().read(true).write(true).open(path);
        denied(opened.map(drop)).then(|| path.to_owned())
    }
    walk(path, 2)
}

/// A sled failure in the store at `dir`: disk full, permission, lock and damage are
/// told apart; anything else stays an engine failure.
fn classify_sled(dir: &Path, error: sled::Error) -> StoreError {
    match error {
        sled::Error::Io(source) if is_cut_short(&source) => {
            engine_damaged(dir, findings::engine_cut_short())
        }
        sled::Error::Io(source) => classify_io(dir, source),
        // `Unsupported` here: sled could not read its own `conf` file.
        sled::Error::Corruption { .. }
        | sled::Error::ReportableBug(_)
        | sled::Error::Unsupported(_) => engine_damaged(dir, engine_error_text(&error)),
        error => StoreError::engine(error),
    }
}

/// sled's error in words: its corruption report names the byte of its data file it
/// could not read back (sled's own text is the debug form of its pointer and of an
/// empty backtrace: `Read corrupted data at file offset Some(Inline(…)) backtrace ()`).
fn engine_error_text(error: &sled::Error) -> Sentence {
    match error {
        sled::Error::Corruption { at, .. } => findings::engine_read_back(at.map(|at| at.lid())),
        error => findings::engine_words(error),
    }
}

/// Whether sled's read of its own files ran past their end: a file shorter than the
/// engine's page table says, cut short below a page it still points to. sled reads
/// only its own files, so this is damage, not a failure to run (an operator's probe:
/// `sled/db` cut by 1,000 to 12,000 bytes lost events in the middle of the log while
/// its head still read back, and every read said only "storage engine failed: IO
/// error: failed to fill whole buffer", exit 2, no mark, appends acknowledged).
fn is_cut_short(source: &std::io::Error) -> bool {
    source.kind() == std::io::ErrorKind::UnexpectedEof
}

impl From<sled::Error> for StoreError {
    /// sled's own corruption reports are damage (like a broken hash chain), not a
    /// failure to run; so is a read past the end of its files (`is_cut_short`).
    fn from(error: sled::Error) -> StoreError {
        match error {
            sled::Error::Corruption { .. } => StoreError::Corrupt {
                position: 0,
                message: findings::engine_damaged(engine_error_text(&error)),
            },
            sled::Error::Io(source) if is_cut_short(&source) => StoreError::Corrupt {
                position: 0,
                message: findings::engine_damaged(findings::engine_cut_short()),
            },
            error => StoreError::engine(error),
        }
    }
}

/// `error` with an engine I/O failure that `?` passed on unnamed (the conversion from
/// `sled::Error` does not know the directory) named as `classify_io` names it: a full
/// disk met inside the engine then reads "the disk holding DIR is full" too.
fn name_engine_io(dir: &Path, error: StoreError) -> StoreError {
    let StoreError::Engine { message, detail } = error else {
        return error;
    };
    match detail.downcast::<sled::Error>() {
        Ok(engine) => match *engine {
            sled::Error::Io(source) if is_cut_short(&source) => {
                engine_damaged(dir, findings::engine_cut_short())
            }
            sled::Error::Io(source) => classify_io(dir, source),
            engine => StoreError::engine(engine),
        },
        Err(detail) => StoreError::Engine { message, detail },
    }
}

/// The engine's own files in `dir` cannot be read back: no log position to name. When
/// the damaged file is one the engine can do without (its settings, its newest
/// snapshot: `files_to_set_aside`), the error names it and the `mv` that sets it
/// aside, and a restore is advised only if that is not enough (D54).
fn engine_damaged(dir: &Path, detail: Sentence) -> StoreError {
    // The `mv` it may print must work from any directory the operator runs it in.
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let aside = files_to_set_aside(&absolute.join("sled"));
    if !aside.is_empty() {
        return set_aside_advice(&absolute, detail, &aside);
    }
    corrupt(
        0,
        findings::engine_files(dir.join("sled").display(), detail),
    )
}

/// sled 0.34.7's segment size, which flexledger never changes (sled's `conf` records
/// the one a store was made with, and is read first).
const SLED_SEGMENT_BYTES_DEFAULT: u64 = 524_288;
/// The header at the start of each sled segment: the CRC-32 of the 16 bytes after it,
/// inverted (4 bytes, little-endian), the segment's LSN and the highest stable LSN.
const SEGMENT_HEADER_BYTES: usize = 20;
/// How much of a segment after a damaged header is read to tell a free segment (sled
/// fills those with zeros) from one that holds data.
const SEGMENT_BODY_PROBE_BYTES: usize = 4_096;

/// What the header at the start of a sled segment says about it.
#[derive(Debug, PartialEq, Eq)]
enum SegmentHeader {
    /// Its checksum holds: sled orders the segment into its recovery by it.
    Valid,
    /// All zeros: a segment never written, or one sled freed (it zeroes those).
    Blank,
    /// Neither: the header was damaged after sled wrote it.
    Damaged,
}

/// Reads a segment header as sled 0.34.7 does (`SegmentHeader::from`): the first four
/// bytes, inverted, must be the CRC-32 of the other sixteen. sled writes a header with
/// the first bytes of a segment's first write, so a crash leaves it written, the older
/// one, or zeros, never half of one within the same disk sector.
fn segment_header(bytes: &[u8; SEGMENT_HEADER_BYTES]) -> SegmentHeader {
    if bytes.iter().all(|byte| *byte == 0) {
        return SegmentHeader::Blank;
    }
    let stored = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) ^ 0xFFFF_FFFF;
    if crc32(&bytes[4..]) == stored {
        SegmentHeader::Valid
    } else {
        SegmentHeader::Damaged
    }
}

/// The segment size sled's settings file in `sled_dir` records, when it holds one
/// whose checksum holds; else sled's default (with which sled would write it again).
fn sled_segment_bytes(sled_dir: &Path) -> u64 {
    let Ok(bytes) = std::fs::read(sled_dir.join(SLED_CONF_FILE)) else {
        return SLED_SEGMENT_BYTES_DEFAULT;
    };
    if conf_state(&bytes) != ConfState::Intact {
        return SLED_SEGMENT_BYTES_DEFAULT;
    }
    String::from_utf8_lossy(&bytes[..bytes.len() - CONF_CRC_BYTES])
        .lines()
        .find_map(|line| line.strip_prefix("segment_size: "))
        .and_then(|size| size.trim().parse().ok())
        .filter(|size| *size > SEGMENT_HEADER_BYTES as u64)
        .unwrap_or(SLED_SEGMENT_BYTES_DEFAULT)
}

/// The header of the segment at byte `offset` of sled's data file.
fn read_segment_header(
    data_file: &File,
    data_path: &Path,
    offset: u64,
) -> Result<[u8; SEGMENT_HEADER_BYTES], StoreError> {
    use std::os::unix::fs::FileExt;
    let mut header = [0u8; SEGMENT_HEADER_BYTES];
    data_file
        .read_exact_at(&mut header, offset)
        .map_err(io_error(data_path))?;
    Ok(header)
}

/// What one pass over the headers of sled's data file finds (`scan_segment_headers`).
struct SegmentScan {
    /// The first segment whose header was damaged: its byte offset, and the number of
    /// segments. sled 0.34.7 leaves such a segment out of its recovery without a word,
    /// so a store opens whole (its snapshot still points into the segment) and then
    /// loses what it appends: at the next open the witness names the lost positions,
    /// after they were acknowledged (found by a probe flipping one bit of the first
    /// header). A damaged header of a free segment (all zeros after the header) is
    /// harmless: sled frees it again, so it is logged and passed.
    damaged: Option<(u64, u64)>,
    /// The highest LSN the file's valid segments reach (each one's LSN plus what the
    /// file holds of it, see [`SnapshotBeyondData`]), `None` with no valid segment.
    reach: Option<i64>,
}

/// Reads the header of every segment of sled's data file (`data_file`, at
/// `data_path`) once: before sled opens it, and again with sled's lock held after
/// sled read the same headers to open.
fn scan_segment_headers(
    data_file: &File,
    data_path: &Path,
    segment_bytes: u64,
) -> Result<SegmentScan, StoreError> {
    let length = data_file.metadata().map_err(io_error(data_path))?.len();
    // As sled counts them: a last, partial segment counts if it can hold a header.
    let segments =
        length / segment_bytes + u64::from(length % segment_bytes >= SEGMENT_HEADER_BYTES as u64);
    let mut scan = SegmentScan {
        damaged: None,
        reach: None,
    };
    for index in 0..segments {
        let offset = index * segment_bytes;
        let header = read_segment_header(data_file, data_path, offset)?;
        match segment_header(&header) {
            SegmentHeader::Valid => {
                let reach =
                    segment_reach(&header, segment_bytes.min(length - offset), segment_bytes);
                scan.reach = Some(scan.reach.map_or(reach, |highest| highest.max(reach)));
            }
            SegmentHeader::Blank => {}
            SegmentHeader::Damaged => {
                if scan.damaged.is_none()
                    && holds_data(data_file, data_path, offset, length, segment_bytes)?
                {
                    scan.damaged = Some((offset, segments));
                }
            }
        }
    }
    Ok(scan)
}

/// The LSN a valid segment `header` reaches when the file holds `held` bytes of it:
/// sled keeps a segment's LSNs and byte offsets equal modulo the segment size, and a
/// segment held to within a message header counts as whole (see [`SnapshotBeyondData`]).
fn segment_reach(header: &[u8; SEGMENT_HEADER_BYTES], held: u64, segment_bytes: u64) -> i64 {
    let mut lsn = [0u8; 8];
    lsn.copy_from_slice(&header[4..12]);
    let lsn = i64::from_le_bytes(lsn) ^ 0x7FFF_FFFF_FFFF_FFFF;
    let held = if held + SLED_MESSAGE_HEADER_BYTES_MAX >= segment_bytes {
        segment_bytes
    } else {
        held
    };
    // Fits: a segment is at most a few MiB.
    lsn.saturating_add(i64::try_from(held).unwrap_or(i64::MAX))
}

/// Whether the segment at `offset`, whose header is damaged, holds data (anything but
/// zeros in its first `SEGMENT_BODY_PROBE_BYTES` after the header); a free one is
/// logged.
fn holds_data(
    data_file: &File,
    data_path: &Path,
    offset: u64,
    length: u64,
    segment_bytes: u64,
) -> Result<bool, StoreError> {
    use std::os::unix::fs::FileExt;
    let body_start = offset + SEGMENT_HEADER_BYTES as u64;
    let body_end = (offset + segment_bytes)
        .min(length)
        .min(body_start + SEGMENT_BODY_PROBE_BYTES as u64);
    // Never negative (a counted segment holds its header), at most the probe's size.
    let mut body = vec![0u8; (body_end - body_start) as usize];
    data_file
        .read_exact_at(&mut body, body_start)
        .map_err(io_error(data_path))?;
    if body.iter().all(|byte| *byte == 0) {
        tracing::warn!(
            file = %data_path.display(),
            offset,
            "the header of a free storage engine segment is damaged; the engine does not read that segment"
        );
        return Ok(false);
    }
    Ok(true)
}

/// The segment headers of sled's data file in `path`, checked before sled opens it
/// (D55). Why before: a store of one segment and no snapshot yet (what a first
/// `submit` leaves) whose header fails its check is, to sled's recovery, an empty log,
/// and sled's open then writes over the segment: a probe flipped one bit of such a
/// header, and the first command that opened the store, a `verify`, overwrote 77 KB
/// of it, where flipping the bit back on an unopened copy gave every event back. The
/// check holds a shared lock on the file sled locks (`flock`, as sled's own exclusive
/// lock): while it is held no process has the store open, so no header is being
/// written. A lock another handle holds is waited for as sled's open waits for it
/// (`open_sled`), and then refused as sled would: never opened unchecked. A data file
/// that is not there yet (a new store) has nothing to check.
fn refuse_damaged_segment_headers_before_open(dir: &Path, path: &Path) -> Result<(), StoreError> {
    let data_path = path.join("db");
    let Ok(data_file) = File::open(&data_path) else {
        return Ok(());
    };
    // `flock` on Linux, as sled's lock; released when the file is closed, below.
    waiting_for_the_lock(|| data_file.try_lock_shared(), |_| true).map_err(|_| {
        StoreError::Locked {
            path: dir.display().to_string(),
        }
    })?;
    let segment_bytes = sled_segment_bytes(path);
    let scan = scan_segment_headers(&data_file, &data_path, segment_bytes)?;
    if let Some(damage) = scan.damaged {
        return Err(damaged_segment_error(&data_path, segment_bytes, damage));
    }
    // Before sled opens it: sled's recovery would refuse it (or panic) after writing
    // zeros over the end of the file's last segment, and name neither file.
    match snapshot_beyond_data(path, scan.reach) {
        Some(found) => Err(data_file_behind_snapshot(dir, &data_path, &found)),
        None => Ok(()),
    }
}

/// The damage of a data file that ends before the engine's newest snapshot, with the
/// way back an operator has without a backup: sled recovers what the file still holds
/// once the snapshot is set aside (on a copy: its recovery writes to the file, and a
/// deep cut may leave nothing it can read). Found by an operator's probe that cut 2.5%
/// off the end of `db`: the message said only that the engine "read back damaged
/// data", and the snapshot set aside gave back all but the events after the cut, which
/// the head witness then named.
fn data_file_behind_snapshot(
    dir: &Path,
    data_path: &Path,
    found: &SnapshotBeyondData,
) -> StoreError {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let snapshot = absolute(&found.snapshot);
    let moves = set_aside_move(&snapshot);
    corrupt(
        0,
        findings::data_file_behind_snapshot(
            absolute(data_path).display(),
            snapshot.display(),
            (found.snapshot_lsn, found.file_lsn),
            (absolute(dir).display(), moves),
        ),
    )
}

/// The damage of a segment header that fails its check (`scan_segment_headers`:
/// its byte offset, and the number of segments).
fn damaged_segment_error(
    data_path: &Path,
    segment_bytes: u64,
    (offset, segments): (u64, u64),
) -> StoreError {
    let segment = (offset / segment_bytes + 1, segments);
    corrupt(
        0,
        findings::segment_header(data_path.display(), offset, segment),
    )
}

/// sled's settings file in its directory (segment size, compression, version).
const SLED_CONF_FILE: &str = "conf";
/// What a damaged engine file is renamed to, in front of its name: sled reads every
/// file whose name starts with `snap.` as a snapshot (`snap.X.damaged` too, tried), so
/// the mark goes first.
const DAMAGED_FILE_PREFIX: &str = "damaged-";
/// A sled settings file ends with the CRC-32 of the bytes before it; one of this
/// length or less sled takes for none at all (and writes a new one).
const CONF_CRC_BYTES: usize = 4;
const CONF_IGNORED_BYTES_MAX: usize = 8;
/// A sled snapshot ends with its length (8 bytes) and the CRC-32 of the bytes before
/// both (4, little-endian).
const SNAPSHOT_TRAILER_BYTES: usize = 12;

/// A damaged engine file that the engine can do without, and why it can.
#[derive(Debug, PartialEq, Eq)]
struct SetAside {
    file: PathBuf,
    why: SetAsideWhy,
}

/// sled's CRC-32 of `bytes` (IEEE, with the crate sled itself checks its files with).
fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// What sled makes of its settings file's `bytes` (`conf`).
#[derive(Debug, PartialEq, Eq)]
enum ConfState {
    /// Its CRC-32 holds: sled reads its settings from it.
    Intact,
    /// `CONF_IGNORED_BYTES_MAX` bytes or fewer: sled takes it for none and writes it anew.
    Ignored,
    /// Longer, and its CRC-32 fails: sled refuses to open.
    Damaged,
}

fn conf_state(bytes: &[u8]) -> ConfState {
    if bytes.len() <= CONF_IGNORED_BYTES_MAX {
        ConfState::Ignored
    } else if crc_holds(bytes, CONF_CRC_BYTES) {
        ConfState::Intact
    } else {
        ConfState::Damaged
    }
}

/// Whether `bytes` end with the CRC-32 of what comes `trailer` bytes before the end.
fn crc_holds(bytes: &[u8], trailer: usize) -> bool {
    let Some(body) = bytes.len().checked_sub(trailer) else {
        return false;
    };
    let Some(stored) = bytes.len().checked_sub(CONF_CRC_BYTES) else {
        return false;
    };
    let mut crc = [0u8; CONF_CRC_BYTES];
    crc.copy_from_slice(&bytes[stored..]);
    crc32(&bytes[..body]) == u32::from_le_bytes(crc)
}

/// The files in `sled_dir` that fail sled's own checks and that it can do without
/// (checked by experiment on a copy of a demo store, D54): its settings file, written
/// again from the settings every flexledger build opens it with (sled's defaults), and
/// the snapshot it reads (the newest by name), a shortcut it rebuilds from its log.
/// Unfinished snapshots (`.generating`) are left to `set_aside_unfinished_snapshots`.
fn files_to_set_aside(sled_dir: &Path) -> Vec<SetAside> {
    let mut found = Vec::new();
    let conf = sled_dir.join(SLED_CONF_FILE);
    if let Ok(bytes) = std::fs::read(&conf) {
        if conf_state(&bytes) == ConfState::Damaged {
            found.push(SetAside {
                file: conf,
                why: SetAsideWhy::Settings,
            });
        }
    }
    if let Some(name) = newest_snapshot(sled_dir) {
        let snapshot = sled_dir.join(name);
        if let Ok(bytes) = std::fs::read(&snapshot) {
            if bytes.len() <= SNAPSHOT_TRAILER_BYTES || !crc_holds(&bytes, SNAPSHOT_TRAILER_BYTES) {
                found.push(SetAside {
                    file: snapshot,
                    why: SetAsideWhy::Snapshot,
                });
            }
        }
    }
    found
}

/// The name of the snapshot sled 0.34.7 reads in `sled_dir`: the greatest by name of
/// its `snap.*` files but those it is moving (`.in___motion`), and but unfinished ones
/// (`.generating`), which the open sets aside first (`set_aside_unfinished_snapshots`).
fn newest_snapshot(sled_dir: &Path) -> Option<String> {
    std::fs::read_dir(sled_dir).ok().and_then(|entries| {
        entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| {
                name.starts_with("snap.")
                    && !name.ends_with(".generating")
                    && !name.ends_with(".in___motion")
            })
            .max()
    })
}

/// The longest message header sled writes (`MAX_MSG_HEADER_LEN`): a segment whose
/// recovered messages end closer than this to its end is full to sled, which then
/// records its snapshot's LSN at the next segment's start, a place not yet written.
const SLED_MESSAGE_HEADER_BYTES_MAX: u64 = 32;

/// A data file that ends before the engine's newest snapshot: its name and the LSN
/// it records the log up to (`snap.` and 16 hex digits, as sled 0.34.7 names it), and
/// the highest LSN the data file holds (its valid segments' LSN plus what the file
/// holds of each: sled keeps a segment's LSNs and byte offsets equal modulo the
/// segment size). A healthy store's snapshot records no more of the log than the file
/// holds, but for one case: sled writes a snapshot as it opens a store, of the log it
/// recovered, and when that ends within a message header of its segment's end it
/// records the next segment's start (`snapshot.rs`), which the file may not reach; a
/// segment the file holds to within a message header counts as whole here.
struct SnapshotBeyondData {
    snapshot: PathBuf,
    snapshot_lsn: i64,
    file_lsn: i64,
}

/// The newest snapshot in `sled_dir` when it records more of the log than the data
/// file reaches (`file_lsn`, from [`scan_segment_headers`]; see
/// [`SnapshotBeyondData`]); `None` when it does not, or when there is no snapshot or
/// no valid segment to tell by.
fn snapshot_beyond_data(sled_dir: &Path, file_lsn: Option<i64>) -> Option<SnapshotBeyondData> {
    // The one sled reads; a name that does not parse is not checked here.
    let name = newest_snapshot(sled_dir)?;
    let snapshot_lsn = snapshot_name(&name)
        .filter(|(_, unfinished)| !unfinished)
        .and_then(|(lsn, _)| i64::try_from(lsn).ok())?;
    let file_lsn = file_lsn.filter(|file_lsn| snapshot_lsn > *file_lsn)?;
    Some(SnapshotBeyondData {
        snapshot: sled_dir.join(name),
        snapshot_lsn,
        file_lsn,
    })
}

/// The `mv` that sets the engine file `file` aside: to `DAMAGED_FILE_PREFIX` and its
/// name, beside it, both paths quoted for a shell.
fn set_aside_move(file: &Path) -> String {
    let name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let to = file.with_file_name(format!("{DAMAGED_FILE_PREFIX}{name}"));
    format!(
        "mv {} {}",
        shell_quoted(&file.display().to_string()),
        shell_quoted(&to.display().to_string())
    )
}

/// The damage error for files the engine can do without: which, why, and the exact
/// step (`mv`, each file to `DAMAGED_FILE_PREFIX` and its name, beside it).
fn set_aside_advice(dir: &Path, detail: Sentence, aside: &[SetAside]) -> StoreError {
    let named: Vec<(String, SetAsideWhy)> = aside
        .iter()
        .map(|set| (set.file.display().to_string(), set.why))
        .collect();
    let moves: Vec<String> = aside.iter().map(|set| set_aside_move(&set.file)).collect();
    StoreError::EngineFileDamaged {
        message: findings::set_aside(
            dir.join("sled").display(),
            detail,
            &named,
            &moves.join(" && "),
        ),
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

/// (version, position) of an older build's index key of one event: the stream's
/// prefix, the version (8 bytes), and the position as its value.
fn older_index_entry((key, value): &(sled::IVec, sled::IVec)) -> Result<(u64, u64), StoreError> {
    let position = be_u64(value, 0, Field::StreamIndexValue)?;
    let version = be_u64(
        &key[key.len().saturating_sub(8)..],
        position,
        Field::StreamKeyVersion,
    )?;
    Ok((version, position))
}

fn command_key(command_id: Uuid) -> [u8; 17] {
    let mut key = [0u8; 17];
    key[0] = PREFIX_COMMAND;
    key[1..].copy_from_slice(command_id.as_bytes());
    key
}

fn be_u64(bytes: &[u8], position: u64, field: Field) -> Result<u64, StoreError> {
    let array: [u8; 8] = bytes
        .try_into()
        .map_err(|_| corrupt(position, findings::not_8_bytes(field)))?;
    Ok(u64::from_be_bytes(array))
}

/// The SHA-256 an entry at `position` was stored with (its first 32 bytes).
fn stored_entry_hash(position: u64, entry: &[u8]) -> Result<Sha256, StoreError> {
    entry
        .get(..HASH_BYTES)
        .and_then(|hash| <[u8; HASH_BYTES]>::try_from(hash).ok())
        .map(Sha256)
        .ok_or_else(|| corrupt(position, findings::entry_too_short()))
}

/// The entries of one block read from the engine, from position `from` on, decoded
/// and checked (`decode_entry`); a block that does not decode is one error.
fn decode_block_from(
    block: Result<(sled::IVec, sled::IVec), sled::Error>,
    from: u64,
) -> Vec<Result<Envelope, StoreError>> {
    let (key, value) = match block {
        Ok(block) => block,
        Err(error) => return vec![Err(error.into())],
    };
    match Block::decode(&key, &value) {
        Ok(block) => block
            .positioned()
            .filter(|(position, _)| *position >= from)
            .map(|(position, entry)| decode_entry(position, entry))
            .collect(),
        Err(error) => vec![Err(error)],
    }
}

/// Decodes the log entry under `key` (`L` position) and checks it (`decode_entry`).
fn decode_log_entry(key: &[u8], value: &[u8]) -> Result<Envelope, StoreError> {
    let position = be_u64(key.get(1..).unwrap_or_default(), 0, Field::LogKey)?;
    decode_entry(position, value)
}

/// How long `open` waits for another handle in this process to release the directory
/// lock (sled releases it when its last handle drops).
pub const STORE_OPEN_LOCK_WAIT_MS_MAX: u64 = 2_000;

fn open_db(dir: &Path, path: &Path) -> Result<sled::Db, StoreError> {
    open_sled(path, SLED_CACHE_BYTES_MAX).map_err(|error| classify_sled(dir, error))
}

/// Opens sled at `path` as the ledger does: no background flusher (every append
/// flushes and fsyncs itself, and without the flusher thread the lock is released as
/// soon as the store is dropped), waiting up to `STORE_OPEN_LOCK_WAIT_MS_MAX` for
/// another handle of this process to release the directory lock. Public for the
/// benchmark's raw ceilings, which must open their stores the same way.
pub fn open_sled(path: &Path, cache_bytes: u64) -> Result<sled::Db, sled::Error> {
    waiting_for_the_lock(
        || {
            sled::Config::new()
                .path(path)
                .cache_capacity(cache_bytes)
                .flush_every_ms(None)
                .open()
        },
        |error| matches!(error, sled::Error::Io(error) if is_lock_held(error)),
    )
}

/// `attempt`, again every 20 ms while its error is `locked` (another handle holds the
/// store's lock), for at most `STORE_OPEN_LOCK_WAIT_MS_MAX`: how every open of a sled
/// store waits for one that is closing.
fn waiting_for_the_lock<T, E>(
    mut attempt: impl FnMut() -> Result<T, E>,
    locked: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let started = std::time::Instant::now();
    loop {
        match attempt() {
            Err(error)
                if locked(&error)
                    && started.elapsed().as_millis() < u128::from(STORE_OPEN_LOCK_WAIT_MS_MAX) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            done => return done,
        }
    }
}

/// Where `SledStore::create_holding` makes a new store's engine files before they
/// become the store (`sled`, beside it in the data directory).
pub const SLED_CREATING_DIR: &str = "sled.creating";

/// The file `flexledger restore` makes in its staging directory before anything else
/// and removes only once the restore is whole, just before the directory becomes the
/// ledger: a restore stopped at any point (`kill -9`, a power cut) leaves a directory
/// that holds part of a backup, which opened as it is would be a smaller ledger that
/// verifies (an operator's probe, 2026-12-05: 49,192 of a backup's 118,005 events,
/// `verify` ok). Every open refuses a directory that holds it
/// (`StoreError::RestoreUnfinished`).
pub const RESTORE_UNFINISHED_FILE: &str = "restore-unfinished";

/// The staging directory of a restore into `target`: `.NAME.restoring` beside it,
/// where `restore` writes before it moves the files in; a restore that stopped leaves
/// it, and a new one is refused until it is removed.
pub fn restore_staging_path(target: &Path) -> Option<PathBuf> {
    let name = target.file_name()?;
    let parent = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    Some(parent.join(format!(".{}.restoring", name.to_string_lossy())))
}

/// The file in the data directory that witnesses the durable head, outside sled's files.
pub const HEAD_WITNESS_FILE: &str = "head-witness";
/// The witness file holds two slots, written in turn: a write torn by a crash spoils
/// one slot and leaves the other (an older, still true head). Each slot: magic (8),
/// position (8, big-endian), hash (32), the first 8 bytes of the SHA-256 of those.
const WITNESS_MAGIC: &[u8; 8] = b"FLXHEAD1";
const WITNESS_SLOT_BYTES: usize = 64;
/// Slots sit in separate 512-byte sectors.
const WITNESS_SLOT_OFFSETS: [u64; 2] = [0, 512];
const WITNESS_FILE_BYTES: usize = 1024;

/// Position and hash of the last event durably appended, as the head witness records
/// them: an engine whose log ends before this position lost acknowledged events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadWitness {
    pub position: u64,
    pub hash: Sha256,
}

impl HeadWitness {
    fn slot(&self) -> [u8; WITNESS_SLOT_BYTES] {
        let mut slot = [0u8; WITNESS_SLOT_BYTES];
        slot[..8].copy_from_slice(WITNESS_MAGIC);
        slot[8..16].copy_from_slice(&self.position.to_be_bytes());
        slot[16..48].copy_from_slice(&self.hash.0);
        let check = Sha256::of(&slot[..48]);
        slot[48..56].copy_from_slice(&check.0[..8]);
        slot
    }

    fn from_slot(bytes: &[u8]) -> Option<HeadWitness> {
        let slot = bytes.get(..WITNESS_SLOT_BYTES)?;
        if &slot[..8] != WITNESS_MAGIC || Sha256::of(&slot[..48]).0[..8] != slot[48..56] {
            return None;
        }
        Some(HeadWitness {
            position: u64::from_be_bytes(slot[8..16].try_into().ok()?),
            hash: Sha256(slot[16..48].try_into().ok()?),
        })
    }
}

/// A data directory whose engine directory (`path`) is gone while its head witness
/// remains lost every event the witness records: the engine's files were deleted, or
/// the directory copied without them. Opening it would make an empty engine there,
/// and the store would answer "no ledger here" or, after `--accept-head`, start again
/// at position 1; so it is damage, and nothing is created. (Only a store's writer
/// writes a witness, after its engine's directory exists; a store being made has its
/// `SLED_CREATING_DIR`.)
fn refuse_lost_engine_directory(dir: &Path, path: &Path) -> Result<(), StoreError> {
    if path.exists() || dir.join(SLED_CREATING_DIR).exists() {
        return Ok(());
    }
    let Some((witness, _)) = read_witness_slot(dir)? else {
        return Ok(());
    };
    let witness_path = dir.join(HEAD_WITNESS_FILE);
    Err(corrupt(
        1,
        findings::engine_dir_missing(path.display(), witness_path.display(), witness.position),
    ))
}

/// The witness in `bytes` (a witness file) and the slot that holds it; `None` if no
/// slot is intact.
fn parse_head_witness(bytes: &[u8]) -> Option<(HeadWitness, usize)> {
    WITNESS_SLOT_OFFSETS
        .iter()
        .enumerate()
        .filter_map(|(slot, offset)| {
            let witness = HeadWitness::from_slot(bytes.get(*offset as usize..)?)?;
            Some((witness, slot))
        })
        .max_by_key(|(witness, _)| witness.position)
}

/// Whether one of the witness file at `path`'s slots is unreadable (a file that
/// cannot be read is said elsewhere).
pub(crate) fn a_witness_slot_is_spoiled(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    WITNESS_SLOT_OFFSETS.iter().any(|offset| {
        let slot = usize::try_from(*offset).ok().and_then(|at| bytes.get(at..));
        slot.and_then(HeadWitness::from_slot).is_none()
    })
}

/// The head witness of the store in `dir`, if it has one (stores written by older
/// builds have none).
pub fn read_head_witness(dir: &Path) -> Result<Option<HeadWitness>, StoreError> {
    Ok(read_witness_slot(dir)?.map(|(witness, _)| witness))
}

fn read_witness_slot(dir: &Path) -> Result<Option<(HeadWitness, usize)>, StoreError> {
    read_witness_file(&dir.join(HEAD_WITNESS_FILE))
}

/// The witness in the witness file at `path` and its slot; `None` if there is no file.
pub(crate) fn read_witness_file(path: &Path) -> Result<Option<(HeadWitness, usize)>, StoreError> {
    let name = path
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(classify_io(path, error)),
    };
    match parse_head_witness(&bytes) {
        Some(found) => Ok(Some(found)),
        None => Err(corrupt(
            0,
            findings::witness_unreadable(path.display(), format!("{DAMAGED_FILE_PREFIX}{name}")),
        )),
    }
}

/// Writes a new head witness file atomically and durably, both slots holding
/// `witness`: a temporary file, fsynced, renamed over the old one, and the directory
/// fsynced. (Appends update one slot in place instead: `WitnessFile`.)
pub fn write_head_witness(dir: &Path, witness: HeadWitness) -> Result<(), StoreError> {
    write_witness_file(dir, HEAD_WITNESS_FILE, witness)
}

/// `write_head_witness` to the file `name` in `dir`.
pub(crate) fn write_witness_file(
    dir: &Path,
    name: &str,
    witness: HeadWitness,
) -> Result<(), StoreError> {
    use std::io::Write;
    let path = dir.join(name);
    let partial = dir.join(format!("{name}.partial"));
    let mut bytes = vec![0u8; WITNESS_FILE_BYTES];
    for offset in WITNESS_SLOT_OFFSETS {
        let offset = offset as usize;
        bytes[offset..offset + WITNESS_SLOT_BYTES].copy_from_slice(&witness.slot());
    }
    let mut file = File::create(&partial).map_err(io_error(&partial))?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error(&partial))?;
    drop(file);
    std::fs::rename(&partial, &path).map_err(io_error(&path))?;
    File::open(dir)
        .and_then(|directory| directory.sync_all())
        .map_err(io_error(dir))
}

/// The writer's open head witness: each update overwrites the slot that does not
/// hold the latest witness and `fdatasync`s (one small write, no rename).
pub(crate) struct WitnessFile {
    file: File,
    path: PathBuf,
    /// The slot holding the latest witness.
    latest_slot: usize,
    latest: HeadWitness,
}

impl WitnessFile {
    fn open(
        dir: &Path,
        latest: HeadWitness,
        latest_slot: usize,
    ) -> Result<WitnessFile, StoreError> {
        WitnessFile::open_at(dir.join(HEAD_WITNESS_FILE), latest, latest_slot)
    }

    /// The witness file at `path`, its latest witness in `latest_slot`.
    pub(crate) fn open_at(
        path: PathBuf,
        latest: HeadWitness,
        latest_slot: usize,
    ) -> Result<WitnessFile, StoreError> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        Ok(WitnessFile {
            file,
            path,
            latest_slot,
            latest,
        })
    }

    pub(crate) fn record(&mut self, witness: HeadWitness) -> Result<(), StoreError> {
        use std::io::{Seek, SeekFrom, Write};
        if witness == self.latest {
            return Ok(());
        }
        let slot = 1 - self.latest_slot;
        self.file
            .seek(SeekFrom::Start(WITNESS_SLOT_OFFSETS[slot]))
            .and_then(|_| self.file.write_all(&witness.slot()))
            .and_then(|()| self.file.sync_data())
            .map_err(io_error(&self.path))?;
        self.latest_slot = slot;
        self.latest = witness;
        Ok(())
    }
}

/// A sled snapshot file's name: its stable LSN (16 hex digits) and whether it is
/// unfinished (`snap.<lsn>.generating`, renamed to `snap.<lsn>` once written).
fn snapshot_name(name: &str) -> Option<(u64, bool)> {
    let rest = name.strip_prefix("snap.")?;
    let (lsn, unfinished) = match rest.strip_suffix(".generating") {
        Some(lsn) => (lsn, true),
        None => (rest, false),
    };
    let lsn = (lsn.len() == 16).then(|| u64::from_str_radix(lsn, 16).ok())??;
    Some((lsn, unfinished))
}

/// Moves sled's unfinished snapshots (`snap.*.generating`, left by a snapshot write
/// that failed, e.g. on a full disk) aside to `aside-<name>`: sled 0.34.7 reads them as
/// snapshots and refuses to open. A snapshot is only a shortcut: sled rebuilds its page
/// table from its log when none is usable. With `at_most`, only those at or below that
/// LSN (stale: sled writes a snapshot only above its newest, so none of these can be
/// one it is writing now). Returns how many were moved.
fn set_aside_unfinished_snapshots(
    sled_dir: &Path,
    at_most: Option<u64>,
) -> Result<usize, StoreError> {
    let entries = match std::fs::read_dir(sled_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(classify_io(sled_dir, error)),
    };
    let mut moved = 0;
    for entry in entries {
        let entry = entry.map_err(io_error(sled_dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let unfinished = match at_most {
            None => name.starts_with("snap.") && name.ends_with(".generating"),
            Some(at_most) => matches!(snapshot_name(name), Some((lsn, true)) if lsn <= at_most),
        };
        if !unfinished {
            continue;
        }
        let aside = sled_dir.join(format!("aside-{name}"));
        tracing::warn!(
            file = %entry.path().display(),
            aside = %aside.display(),
            "moving an unfinished storage engine snapshot aside (the engine rebuilds it from its log)"
        );
        match std::fs::rename(entry.path(), &aside) {
            Ok(()) => moved += 1,
            // Removed meanwhile by sled, which clears old snapshots after writing one.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error(&aside)(error)),
        }
    }
    if moved > 0 {
        File::open(sled_dir)
            .and_then(|directory| directory.sync_all())
            .map_err(io_error(sled_dir))?;
    }
    Ok(moved)
}

thread_local! {
    /// Set while this thread opens the engine: its panics are reported as damage.
    static ENGINE_PANIC_QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The last engine panic caught on this thread (message and location).
    static ENGINE_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Whether this thread is inside `catch_engine_panic`, whose panics are caught and
/// reported as damage (a process-wide panic hook must let them unwind).
pub(crate) fn catching_engine_panic() -> bool {
    ENGINE_PANIC_QUIET.with(std::cell::Cell::get)
}

/// Runs `open` (sled's open and first reads), turning a panic in the engine into a
/// damage error: sled 0.34.7 indexes out of bounds on truncated files. The panic hook
/// is process-wide; the one installed here only silences panics on a thread inside
/// this function and passes every other panic to the hook it replaced.
fn catch_engine_panic<T>(
    dir: &Path,
    open: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if ENGINE_PANIC_QUIET.with(std::cell::Cell::get) {
                let text = panic_detail(info);
                ENGINE_PANIC.with(|caught| *caught.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
    ENGINE_PANIC_QUIET.with(|quiet| quiet.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(open));
    ENGINE_PANIC_QUIET.with(|quiet| quiet.set(false));
    match outcome {
        Ok(result) => result,
        Err(payload) => {
            let detail = ENGINE_PANIC
                .with(|caught| caught.borrow_mut().take())
                .unwrap_or_else(|| panic_message(payload.as_ref()));
            Err(engine_damaged(
                dir,
                findings::engine_check_failed(detail, true),
            ))
        }
    }
}

/// Whether a panic location's `file` is inside the storage engine's crate: sled from
/// the registry (`…/sled-0.34.7/src/…`) or vendored (`…/sled/src/…`). Our own files
/// are not, even `src/store/sled_store.rs`: the panic location tells a damaged engine
/// file (sled indexes out of bounds on it) from a broken invariant of ours.
pub fn is_engine_file(file: &str) -> bool {
    let components: Vec<String> = Path::new(file)
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect();
    components.iter().enumerate().any(|(index, name)| {
        let released = name
            .strip_prefix("sled-")
            .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()));
        let vendored =
            name == "sled" && components.get(index + 1).is_some_and(|next| next == "src");
        released || vendored
    })
}

/// The damage a panic inside the storage engine reveals (its files, named under
/// `dir`, cannot be read), or `None` for a panic anywhere else.
pub fn engine_panic_damage(dir: &Path, info: &std::panic::PanicHookInfo<'_>) -> Option<StoreError> {
    let location = info.location()?;
    if !is_engine_file(location.file()) {
        return None;
    }
    let detail = findings::engine_check_failed(panic_detail(info), false);
    Some(engine_damaged(dir, detail))
}

/// A panic's message and where it happened, on one line: "MESSAGE (at FILE:LINE)",
/// the engine's path shortened to its crate. Not Rust's "panicked at" report: operators
/// read it as a finding about their files, not as a crash of the program.
fn panic_detail(info: &std::panic::PanicHookInfo<'_>) -> String {
    let message = panic_message(info.payload());
    match info.location() {
        Some(location) => {
            let file = location.file();
            let short = file
                .rfind("sled-")
                .filter(|_| is_engine_file(file))
                .map_or(file, |start| &file[start..]);
            format!("{message} (at {short}:{})", location.line())
        }
        None => message,
    }
}

/// A panic payload's text (`panic!` carries a `&str` or a `String`), on one line.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
        .replace('\n', " ")
}

/// Once the engine is open (this process holds its lock, so no other writes
/// snapshots): sets aside unfinished snapshots at or below the newest finished one,
/// which sled would otherwise leave until it next writes a snapshot. Housekeeping: a
/// failure is logged, not returned.
fn set_aside_stale_snapshots(sled_dir: &Path) {
    let newest = std::fs::read_dir(sled_dir).ok().and_then(|entries| {
        entries
            .filter_map(|entry| snapshot_name(entry.ok()?.file_name().to_str()?))
            .filter(|(_, unfinished)| !unfinished)
            .map(|(lsn, _)| lsn)
            .max()
    });
    if let Some(newest) = newest {
        if let Err(error) = set_aside_unfinished_snapshots(sled_dir, Some(newest)) {
            tracing::warn!(%error, "could not set aside a stale unfinished storage engine snapshot");
        }
    }
}

impl SledReader {
    /// Opens the engine in `dir` (creating it if needed) and hands it to `then` (which
    /// reads the head), both inside `catch_engine_panic`.
    fn open_with<T>(
        dir: &Path,
        then: impl Fn(SledReader) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if dir.exists() && !dir.is_dir() {
            // create_dir_all would say only "File exists".
            let path = dir.display().to_string();
            return Err(StoreError::NotADirectory { path });
        }
        let path = dir.join("sled");
        refuse_lost_engine_directory(dir, &path)?;
        // Before sled's open, which may write over a segment it cannot read, and
        // outside the retry below, which sets snapshots aside: damage here is none of
        // theirs, and the store stays as it is.
        refuse_damaged_segment_headers_before_open(dir, &path)?;
        super::create_private_dir_all(dir).map_err(io_error(dir))?;
        let attempt = || catch_engine_panic(dir, || then(SledReader::open_engine(dir, &path)?));
        match attempt() {
            Ok(opened) => {
                set_aside_stale_snapshots(&path);
                Ok(opened)
            }
            // Unfinished snapshots make sled 0.34.7 refuse to open (or worse): set them
            // aside and try once more. Only after a failure, when this process holds
            // no lock: a running ledger may be writing one right now. Not after a full
            // disk: that failure was a write (of a new snapshot), and it would fail again.
            Err(
                error @ (StoreError::Locked { .. }
                | StoreError::PermissionDenied { .. }
                | StoreError::DiskFull { .. }),
            ) => Err(error),
            Err(error) => {
                if set_aside_unfinished_snapshots(&path, None)? == 0 {
                    return Err(error);
                }
                attempt()
            }
        }
    }

    fn open_engine(dir: &Path, path: &Path) -> Result<SledReader, StoreError> {
        let db = open_db(dir, path)?;
        let tree = db
            .open_tree("ledger")
            .map_err(|error| classify_sled(dir, error))?;
        let data_path = path.join("db");
        let data_file = File::open(&data_path).map_err(io_error(&data_path))?;
        let segment_bytes = sled_segment_bytes(path);
        let scan = scan_segment_headers(&data_file, &data_path, segment_bytes)?;
        if let Some(damage) = scan.damaged {
            return Err(damaged_segment_error(&data_path, segment_bytes, damage));
        }
        // A new store's files must survive a crash too: sync them and their directories.
        data_file.sync_all().map_err(io_error(&data_path))?;
        File::open(path)
            .and_then(|directory| directory.sync_all())
            .map_err(io_error(path))?;
        Ok(SledReader {
            db,
            tree,
            data_file: std::sync::Arc::new(data_file),
            path: path.to_owned(),
            dir: dir.to_owned(),
        })
    }

    /// The head witness and its slot, checked against the engine's head: `None` for a
    /// store without one; damage if the log ends before the witnessed position or
    /// holds another event there.
    fn checked_witness(&self) -> Result<Option<(HeadWitness, usize)>, StoreError> {
        let found = self.witness_against_log()?;
        if let Some((witness, _)) = &found {
            self.refuse_a_spoiled_slot_at_head(witness)?;
        }
        Ok(found)
    }

    /// One slot of the witness unreadable while the log ends exactly at the other
    /// slot's position: no crash leaves that (an append is durable in the engine
    /// before its witness is written, so a write torn by a crash leaves the log past
    /// the intact slot), so either the older slot alone was damaged or the newer one
    /// was and the engine's files were rolled back to the older head, losing what it
    /// recorded. Which cannot be told, so it is damage, and `verify --accept-head` is
    /// the way past it after a full check (an auditor's probe: one flipped byte of the
    /// witness and the engine rolled back one append, and both verifies said ok; the
    /// next append then took the lost event's position). The log past the intact slot
    /// is the crash's case: said, not refused, and the next append rewrites the slot.
    fn refuse_a_spoiled_slot_at_head(&self, witness: &HeadWitness) -> Result<(), StoreError> {
        let witness_path = self.dir.join(HEAD_WITNESS_FILE);
        if !a_witness_slot_is_spoiled(&witness_path) {
            return Ok(());
        }
        let (head, _) = self.head()?;
        if head > witness.position {
            tracing::warn!(
                path = %witness_path.display(),
                position = witness.position,
                head,
                "one slot of the head witness is unreadable, as a crash between an append and its witness write leaves it: the log holds events past the other slot's head (`position`), and the next append rewrites the slot"
            );
            return Ok(());
        }
        let finding = findings::witness_slot_spoiled_at_head(witness_path.display(), head);
        Err(corrupt(0, finding))
    }

    /// The intact witness against the log: the log must reach its position and hold
    /// its hash there (whatever its other slot holds).
    fn witness_against_log(&self) -> Result<Option<(HeadWitness, usize)>, StoreError> {
        let (head, _) = self.head()?;
        let witness_path = self.dir.join(HEAD_WITNESS_FILE);
        let Some((witness, slot)) = read_witness_slot(&self.dir)? else {
            if self.keeps_witness()? {
                // No position is known damaged: what the log may have lost comes after
                // its head, and nothing says how much.
                return Err(corrupt(
                    0,
                    findings::witness_missing(witness_path.display(), head),
                ));
            }
            return Ok(None);
        };
        if head < witness.position {
            let finding = findings::witness_ahead(head, witness_path.display(), witness.position);
            return Err(corrupt(head + 1, finding));
        }
        let hash = self.entry_hash(witness.position)?;
        if hash != witness.hash {
            let finding =
                findings::witness_other_hash(hash, witness_path.display(), witness.hash, head);
            return Err(corrupt(witness.position, finding));
        }
        Ok(Some((witness, slot)))
    }

    /// Writes a new head witness at the log's head, and the key saying the store keeps
    /// one: the operator accepts the log as it is, its last events included, after a
    /// full `verify` of it passed (a witness missing or unreadable says nothing of what
    /// the log may have lost after that head).
    ///
    /// An unreadable witness is not written over but moved aside first (to
    /// `damaged-head-witness`, or that name and a number when it is taken), so its
    /// bytes stay for whoever investigates; the path it was moved to is returned.
    pub fn accept_head(&self) -> Result<(HeadWitness, Option<PathBuf>), StoreError> {
        self.refuse_accepting_a_loss()?;
        let spoiled = a_witness_slot_is_spoiled(&self.dir.join(HEAD_WITNESS_FILE));
        let kept = match read_witness_slot(&self.dir) {
            Err(StoreError::Corrupt { .. }) => Some(self.set_unreadable_witness_aside()?),
            Ok(Some(_)) if spoiled => Some(self.set_unreadable_witness_aside()?),
            _ => None,
        };
        let head = self.head_witness()?;
        write_head_witness(&self.dir, head)?;
        self.mark_witnessed()?;
        Ok((head, kept))
    }

    /// Moves the head witness to the first free `damaged-head-witness[.N]` beside it.
    fn set_unreadable_witness_aside(&self) -> Result<PathBuf, StoreError> {
        let witness = self.dir.join(HEAD_WITNESS_FILE);
        let name = format!("{DAMAGED_FILE_PREFIX}{HEAD_WITNESS_FILE}");
        let aside = (1..)
            .map(|number| match number {
                1 => self.dir.join(&name),
                number => self.dir.join(format!("{name}.{number}")),
            })
            .find(|path| !path.exists())
            // OK because the numbers run out only after more files than a directory holds.
            .expect("a free name beside the head witness");
        std::fs::rename(&witness, &aside).map_err(io_error(&witness))?;
        Ok(aside)
    }

    /// `accept_head` is for a witness that is missing or unreadable (D49): an intact
    /// witness that the log does not reach, or holds another event at, is the record of
    /// what was lost, and writing over it would erase the only trace of acknowledged
    /// events. To accept that loss anyway the operator moves the witness aside first,
    /// which keeps it.
    pub fn refuse_accepting_a_loss(&self) -> Result<(), StoreError> {
        let Ok(Some(_)) = read_witness_slot(&self.dir) else {
            return Ok(());
        };
        self.witness_against_log()
            .map(drop)
            .map_err(|error| match error {
                StoreError::Corrupt { position, message } => {
                    let witness = self.dir.join(HEAD_WITNESS_FILE);
                    let aside = self
                        .dir
                        .join(format!("{DAMAGED_FILE_PREFIX}{HEAD_WITNESS_FILE}"));
                    let mut args = vec![
                        ("witness", shell_quoted(&witness.display().to_string())),
                        ("aside", shell_quoted(&aside.display().to_string())),
                    ];
                    let finding = message.sentence().cloned();
                    if finding.is_none() {
                        args.push(("finding", message.to_string()));
                    }
                    let kept = crate::i18n::Sentence::new("store-found-witness-kept", args);
                    corrupt(
                        position,
                        match finding {
                            Some(finding) => kept.with_said("finding", finding),
                            None => kept,
                        },
                    )
                }
                other => other,
            })
    }

    /// Whether the store says it keeps a head witness (`KEY_WITNESSED`).
    fn keeps_witness(&self) -> Result<bool, StoreError> {
        self.tree
            .contains_key(KEY_WITNESSED)
            .map_err(|error| classify_sled(&self.dir, error))
    }

    /// Records that the store keeps a head witness, durably (once per store).
    fn mark_witnessed(&self) -> Result<(), StoreError> {
        if self.keeps_witness()? {
            return Ok(());
        }
        self.tree
            .insert(KEY_WITNESSED, &[][..])
            .map_err(|error| classify_sled(&self.dir, error))?;
        self.sync()
    }

    /// The head, as the head witness records it.
    fn head_witness(&self) -> Result<HeadWitness, StoreError> {
        let (position, hash) = self.head()?;
        Ok(HeadWitness { position, hash })
    }

    /// The sled tree, for tools and tests that must reach below the traits.
    pub fn raw_tree(&self) -> &sled::Tree {
        &self.tree
    }

    /// The stored bytes of the log entry at `position` (its SHA-256, then the entry),
    /// from its block or, in a store an older build wrote, its own `L` key; unchecked:
    /// for the sealing of the next append, tools and tests below the traits.
    pub fn raw_log_entry(&self, position: u64) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some((key, value)) = self.raw_log_block(position)? {
            if let Some(entry) = Block::decode(&key, &value)?.entry(position) {
                return Ok(Some(entry.to_vec()));
            }
        }
        Ok(self
            .tree
            .get(log_key(position))?
            .map(|value| value.to_vec()))
    }

    /// The key and stored value of the block that can hold `position`
    /// (`log_block::keys_up_to`), undecoded.
    pub fn raw_log_block(
        &self,
        position: u64,
    ) -> Result<Option<(sled::IVec, sled::IVec)>, StoreError> {
        Ok(self
            .tree
            .range(log_block::keys_up_to(position))
            .last()
            .transpose()?)
    }

    /// The log's blocks from the one that holds `from` (or the first after it).
    fn blocks_from(&self, from: u64) -> Result<sled::Iter, StoreError> {
        let start = match self.raw_log_block(from)? {
            Some((key, _)) => key,
            None => block_key(from).as_slice().into(),
        };
        let end = [PREFIX_LOG_BLOCK + 1];
        Ok(self.tree.range(start..sled::IVec::from(&end[..])))
    }

    /// The data directory (where the ledger's signing key lives unless
    /// `$FLEXLEDGER_SIGNING_KEY` says otherwise): for a server's backup route.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The ids in the keys under a one-byte prefix followed by a 16-byte id.
    fn ids_under(&self, prefix: u8) -> Result<Vec<Uuid>, StoreError> {
        self.tree
            .scan_prefix([prefix])
            .map(|entry| {
                let (key, _) = entry?;
                Uuid::from_slice(&key[1..])
                    .map_err(|_| corrupt(0, findings::key_without_id(char::from(prefix))))
            })
            .collect()
    }

    /// Flushes sled and fsyncs its data file: after this, appended data survives a
    /// power cut. (The writer's: a reader writes nothing.)
    fn sync(&self) -> Result<(), StoreError> {
        self.db
            .flush()
            .map_err(|error| classify_sled(&self.dir, error))?;
        self.data_file.sync_data().map_err(io_error(&self.path))
    }

    /// A stream's last index row, if it has any (see `stream_index`).
    fn last_index_row(&self, stream: &str) -> Result<Option<IndexRow>, StoreError> {
        match self
            .tree
            .scan_prefix(stream_index::row_prefix(stream))
            .next_back()
        {
            None => Ok(None),
            Some(entry) => {
                let (key, value) = entry?;
                IndexRow::decode(stream, &key, &value).map(Some)
            }
        }
    }

    /// The last (version, position) an older build indexed for a stream with one key
    /// per event, if any.
    fn last_older_index_key(&self, stream: &str) -> Result<Option<(u64, u64)>, StoreError> {
        match self.tree.scan_prefix(stream_prefix(stream)).next_back() {
            None => Ok(None),
            Some(entry) => older_index_entry(&entry?).map(Some),
        }
    }

    /// The index rows that `events` (sealed, in log order) write: each stream's last
    /// row continued, or new rows begun, `STREAM_INDEX_ROW_EVENTS_MAX` events at most
    /// each. A stream's rows must go on from its last row's last version. `read`: the
    /// last rows already read while the append was sealed (the rest are read here).
    fn index_rows_after(
        &self,
        events: &[sealing::SealedEvent],
        mut read: HashMap<String, Option<IndexRow>>,
    ) -> Result<Vec<(Vec<u8>, IndexRow)>, StoreError> {
        let mut open: HashMap<&str, IndexRow> = HashMap::new();
        let mut finished = Vec::new();
        for event in events {
            let stream = event.stream.as_str();
            if !open.contains_key(stream) {
                let last = match read.remove(stream) {
                    Some(last) => last,
                    None => self.last_index_row(stream)?,
                };
                if let Some(row) = last {
                    open.insert(stream, row);
                }
            }
            match open.get_mut(stream) {
                Some(row) if row.last().0 + 1 != event.version => {
                    let (version, next) = (row.last().0, event.version);
                    return Err(corrupt(
                        event.position,
                        findings::index_ends_before(stream, version, next),
                    ));
                }
                Some(row) => {
                    if let Some(full) = row.extend(event.version, event.position) {
                        finished.push((stream_index::row_key(stream, full.first_version), full));
                    }
                }
                None => {
                    open.insert(stream, IndexRow::starting(event.version, event.position));
                }
            }
        }
        finished.extend(
            open.into_iter()
                .map(|(stream, row)| (stream_index::row_key(stream, row.first_version), row)),
        );
        Ok(finished)
    }

    fn entry_hash(&self, position: u64) -> Result<Sha256, StoreError> {
        if position == 0 {
            return Ok(Sha256::ZERO);
        }
        let value = self
            .raw_log_entry(position)?
            .ok_or_else(|| corrupt(position, findings::entry_missing()))?;
        stored_entry_hash(position, &value)
    }
}

impl SledStore {
    /// Opens (creating if needed) the store in `dir`.
    ///
    /// Faults end in an error, never a panic: a panic in the engine while it opens is
    /// reported as damaged files; a log that ends before the head witness (events
    /// acknowledged, then lost by the engine) is refused as damage.
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        SledReader::open_with(dir, SledStore::with_witness)
    }

    /// The writer over `engine`: its head checked against the head witness, and the
    /// witness brought up to the head (a store from an older build has none; a crash
    /// between an append's fsync and the witness write leaves it behind, which is
    /// harmless).
    fn with_witness(engine: SledReader) -> Result<SledStore, StoreError> {
        let dir = engine.dir.clone();
        let checked = engine
            .checked_witness()
            .map_err(|error| name_engine_io(&dir, error))?;
        let head = engine.head_witness()?;
        let (witness, slot) = match checked {
            Some(found) => found,
            None => {
                if head.position > 0 {
                    tracing::info!(
                        head = head.position,
                        "the data directory has no head witness (written by an older build); writing one"
                    );
                }
                write_head_witness(&dir, head)?;
                (head, 0)
            }
        };
        let mut witness = WitnessFile::open(&dir, witness, slot)?;
        witness.record(head)?;
        engine.mark_witnessed()?;
        Ok(SledStore {
            engine,
            witness,
            stream_heads: HeadCache::new(STREAM_HEADS_CACHED_MAX),
            index_rows_read: HashMap::new(),
        })
    }

    /// Makes a new store in `dir` (which holds none yet: no `sled` directory) that
    /// holds `rows` from its first moment: the engine's files are made in
    /// `SLED_CREATING_DIR`, the rows written and made durable, and only then is that
    /// directory renamed to `sled`. Why: a copy's destination must never exist without
    /// the copy's unfinished mark (D39), or a copy stopped right after making it would
    /// leave an empty store that opens as a fresh ledger; a process stopped at any point
    /// here leaves either no store or one holding `rows`. A `SLED_CREATING_DIR` left by
    /// a stopped run is this function's own: opened again (sled's lock keeps two runs
    /// apart), or made anew if it cannot be read.
    pub fn create_holding(dir: &Path, rows: &[StateWrite]) -> Result<(), StoreError> {
        if dir.exists() && !dir.is_dir() {
            let path = dir.display().to_string();
            return Err(StoreError::NotADirectory { path });
        }
        super::create_private_dir_all(dir).map_err(io_error(dir))?;
        let creating = dir.join(SLED_CREATING_DIR);
        let open = || catch_engine_panic(dir, || SledReader::open_engine(dir, &creating));
        let engine = match open() {
            Ok(engine) => engine,
            Err(
                error @ (StoreError::Locked { .. }
                | StoreError::PermissionDenied { .. }
                | StoreError::DiskFull { .. }),
            ) => return Err(error),
            Err(_) => {
                std::fs::remove_dir_all(&creating).map_err(io_error(&creating))?;
                open()?
            }
        };
        for row in rows {
            let key = state_key(&row.key);
            match &row.value {
                Some(value) => engine.tree.insert(key, value.as_slice()),
                None => engine.tree.remove(key),
            }
            .map_err(|error| classify_sled(dir, error))?;
        }
        engine.sync()?;
        // Renamed while this handle holds sled's lock, so no other run can be writing
        // in it; the handle's open files move with the directory.
        let path = dir.join("sled");
        std::fs::rename(&creating, &path).map_err(io_error(&path))?;
        File::open(dir)
            .and_then(|directory| directory.sync_all())
            .map_err(io_error(dir))
    }

    /// Opens the store in `dir` for reading without checking its head witness: only for
    /// `verify --accept-head`, which walks the whole log before it accepts its head
    /// (`SledReader::accept_head`). Nothing of the ledger's is written.
    pub fn open_unwitnessed(dir: &Path) -> Result<SledReader, StoreError> {
        SledReader::open_with(dir, Ok)
    }

    /// Opens the store in `dir` for reading only: its head is checked against the head
    /// witness as `open` checks it, and nothing of the ledger's is written (a store
    /// without a witness gets none). sled's lock is held as for `open`, so this is for
    /// a process that only reads; a writer's readers come from `reader`.
    pub fn open_read_only(dir: &Path) -> Result<SledReader, StoreError> {
        SledReader::open_with(dir, |engine| {
            engine
                .checked_witness()
                .map_err(|error| name_engine_io(dir, error))?;
            Ok(engine)
        })
    }

    /// A handle for concurrent readers (HTTP requests, the feed) of the same database:
    /// reads see every completed append.
    pub fn reader(&self) -> SledReader {
        self.engine.clone()
    }

    /// The sled tree, for tools and tests that must reach below the traits (e.g. to
    /// show that an edit made with sled's own API is detected).
    pub fn raw_tree(&self) -> &sled::Tree {
        &self.engine.tree
    }

    /// The data directory (where the ledger's signing key lives unless
    /// `$FLEXLEDGER_SIGNING_KEY` says otherwise).
    pub fn dir(&self) -> &Path {
        &self.engine.dir
    }

    fn stream_head(&mut self, stream: &str) -> Result<(u64, Sha256), StoreError> {
        if let Some(head) = self.stream_heads.get(stream) {
            return Ok(head);
        }
        let last_row = self.engine.last_index_row(stream)?;
        let head = match &last_row {
            Some(row) => {
                let (version, position) = row.last();
                (version, self.engine.entry_hash(position)?)
            }
            None => match self.engine.last_older_index_key(stream)? {
                Some((version, position)) => (version, self.engine.entry_hash(position)?),
                None => (0, Sha256::ZERO),
            },
        };
        self.index_rows_read.insert(stream.to_owned(), last_row);
        self.stream_heads.insert_all([(stream.to_owned(), head)]);
        Ok(head)
    }

    /// Checks an append against the log and the streams, seals it, and builds the batch.
    fn prepare(
        &mut self,
        commands: &mut [CommandRecord],
    ) -> Result<(sled::Batch, StreamHeads), StoreError> {
        let (head, head_hash) = self.engine.head()?;
        self.index_rows_read.clear();
        let Sealed {
            events,
            commands: records,
            heads,
        } = sealing::seal_commands(commands, head, head_hash, self)?;
        let rows_read = std::mem::take(&mut self.index_rows_read);
        let mut batch = sled::Batch::default();
        for (key, row) in self.engine.index_rows_after(&events, rows_read)? {
            batch.insert(key, row.encode());
        }
        let entries = events
            .iter()
            .map(|event| (event.position, event.entry.as_slice()));
        for (key, block) in log_block::encode(entries) {
            batch.insert(&key, block);
        }
        for record in records {
            // 16 bytes (first position, event count), then the body digest if known.
            let mut span = Vec::with_capacity(COMMAND_RECORD_BYTES_WITH_DIGEST);
            span.extend_from_slice(&record.first_position.to_be_bytes());
            span.extend_from_slice(&record.event_count.to_be_bytes());
            if let Some(digest) = &record.body_digest {
                span.extend_from_slice(&digest.0);
            }
            batch.insert(&command_key(record.command_id), span);
        }
        Ok((batch, heads))
    }
}

impl AppendContext for SledStore {
    fn stream_head(&mut self, stream: &str) -> Result<(u64, Sha256), StoreError> {
        SledStore::stream_head(self, stream)
    }

    fn command_seen(&mut self, command_id: Uuid) -> Result<bool, StoreError> {
        Ok(self.engine.tree.contains_key(command_key(command_id))?)
    }
}

/// Adds `state` to `batch`: coverage changes grouped into rows of up to
/// `COVERAGE_ROW_BYTES_MAX`, every other row as its own key. `appended` is the range
/// of positions the batch appends: an append writes the coverage changes of its own
/// events only, so no two appends' rows hold items of one position.
fn add_state_writes<'a>(
    batch: &mut sled::Batch,
    state: impl IntoIterator<Item = &'a StateWrite>,
    appended: std::ops::RangeInclusive<u64>,
) {
    let (coverage, rows) = sealing::split_state_writes(state, appended);
    for (key, value) in rows {
        match value {
            Some(value) => batch.insert(state_key(key), value),
            None => batch.remove(state_key(key)),
        }
    }
    add_coverage_rows(batch, coverage);
}

/// A stored row as sled's iterator gives it.
type StoredRow = sled::Result<(sled::IVec, sled::IVec)>;

/// `replace_state`'s walk: the rows to write, given in key order, merged with the
/// stored rows a rebuild replaces (every prefix of `REBUILT_PREFIXES`, in key order),
/// into one batch of writes at a time. A stored row the walk passes without a row to
/// write at its key is removed; a row to write whose stored bytes are already the same
/// is not written at all. Rewriting an equal row changes nothing a reader sees, yet
/// costs sled a new node version, log bytes and a share of the flush. The walk
/// replaces rewriting every row and then scanning them all again to find the stale
/// ones in a list of the keys written (a third of the main thread's samples after the
/// last event, in a rebuild of flexledger-bench's region whose rows were current).
///
/// Every change is reported as it is put in the batch (`ReplacedRow`, with the bytes
/// the walk read), so a rebuild lists what differed from this one walk.
///
/// Rows given out of key order are still written right, only without the saving: a
/// row whose key the walk has passed is written as is (the stored row there, if any,
/// was removed when passed, and reported so; this write puts it back and is reported
/// as a row added). The stored rows are read
/// ahead of every write: sled's iterator keeps a copy of the node it is in and reads
/// the next one at keys after the last it gave, and every write is at a key before
/// the stored row looked at (a prefix's scan starts before any row of that prefix is
/// written, as the walk looks at the stored rows up to a key before it writes it).
struct RowMerge {
    /// The stored rows not yet passed.
    stored: std::iter::Peekable<Box<dyn Iterator<Item = StoredRow>>>,
    /// The writes since the last `take_batch`.
    batch: sled::Batch,
    /// How many writes `batch` holds.
    writes: usize,
}

impl RowMerge {
    fn new(tree: &sled::Tree) -> RowMerge {
        let mut prefixes = REBUILT_PREFIXES;
        prefixes.sort_unstable();
        let tree = tree.clone();
        let stored: Box<dyn Iterator<Item = _>> = Box::new(
            prefixes
                .into_iter()
                .flat_map(move |prefix| tree.scan_prefix([prefix])),
        );
        RowMerge {
            stored: stored.peekable(),
            batch: sled::Batch::default(),
            writes: 0,
        }
    }

    /// Puts `value` at `key` (`None`: no row), removing each stored row before `key`;
    /// reports each change to `replaced`.
    fn put(
        &mut self,
        key: Vec<u8>,
        value: Option<Vec<u8>>,
        replaced: &mut dyn FnMut(ReplacedRow<'_>),
    ) -> sled::Result<()> {
        while let Some(stored) = self.stored.peek() {
            match stored {
                Ok((stored_key, _)) if stored_key.as_ref() >= key.as_slice() => break,
                // A row with no row to write at its key, or a read that failed (which
                // `remove_next` returns).
                _ => {
                    self.remove_next(replaced)?;
                }
            }
        }
        let mut stored = None;
        if let Some(Ok((stored_key, _))) = self.stored.peek() {
            if stored_key.as_ref() == key.as_slice() {
                // OK because the row just peeked is an `Ok`.
                let (_, stored_value) = self.stored.next().expect("the row peeked")?;
                if value.as_deref() == Some(stored_value.as_ref()) {
                    return Ok(());
                }
                stored = Some(stored_value);
            }
        }
        if stored.is_none() && value.is_none() {
            return Ok(()); // no row to remove
        }
        replaced(ReplacedRow {
            key: &key,
            stored: stored.as_deref(),
            written: value.as_deref(),
        });
        match value {
            Some(value) => self.batch.insert(key, value),
            None => self.batch.remove(key),
        }
        self.writes += 1;
        Ok(())
    }

    /// Removes the next stored row, reporting it; false when there is none left.
    fn remove_next(&mut self, replaced: &mut dyn FnMut(ReplacedRow<'_>)) -> sled::Result<bool> {
        match self.stored.next() {
            Some(stored) => {
                let (key, value) = stored?;
                replaced(ReplacedRow {
                    key: &key,
                    stored: Some(&value),
                    written: None,
                });
                self.batch.remove(key);
                self.writes += 1;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The writes so far, leaving an empty batch.
    fn take_batch(&mut self) -> sled::Batch {
        self.writes = 0;
        std::mem::take(&mut self.batch)
    }
}

/// Writes `items` as rows of up to `COVERAGE_ROW_BYTES_MAX` each, keyed by their first
/// item, in key order.
fn add_coverage_rows(batch: &mut sled::Batch, mut items: Vec<CoverageItem>) {
    items.sort_by_key(|item| (item.position, item.member_id));
    let mut row: Vec<CoverageItem> = Vec::new();
    let mut row_bytes = 0;
    let mut items = items.into_iter().peekable();
    while let Some(item) = items.next() {
        row_bytes += item.value.len();
        row.push(item);
        let full = items
            .peek()
            .is_none_or(|next| row_bytes + next.value.len() > COVERAGE_ROW_BYTES_MAX);
        if full {
            let key = coverage_row_key(row[0].position, row[0].member_id);
            batch.insert(key.to_vec(), coverage_rows::encode(&mut row));
            row.clear();
            row_bytes = 0;
        }
    }
}

fn coverage_row_key(position: u64, member_id: Uuid) -> [u8; COVERAGE_ROW_KEY_BYTES] {
    let mut key = [0u8; COVERAGE_ROW_KEY_BYTES];
    key[0] = PREFIX_COVERAGE;
    key[1..9].copy_from_slice(&position.to_be_bytes());
    key[9..25].copy_from_slice(member_id.as_bytes());
    key[25] = 1;
    key
}

/// The items of one `F` key: a row of this build's, or an older build's single item.
fn coverage_items(key: &[u8], value: &[u8]) -> Result<Vec<CoverageItem>, StoreError> {
    let position = key
        .get(1..9)
        .map_or(Ok(0), |bytes| be_u64(bytes, 0, Field::CoverageKey))?;
    match key.len() {
        COVERAGE_ROW_KEY_BYTES => coverage_rows::decode(value)
            .map_err(|message| corrupt(position, findings::coverage_row(message))),
        25 => Ok(vec![CoverageItem {
            position,
            // OK because the key is 25 bytes: prefix, position(8), member id(16).
            member_id: Uuid::from_bytes(key[9..25].try_into().expect("16 bytes")),
            value: value.to_vec(),
        }]),
        length => Err(corrupt(position, findings::coverage_key(length))),
    }
}

impl EventLog for SledReader {
    fn head(&self) -> Result<(u64, Sha256), StoreError> {
        // Blocks come after every older build's `L` key (`log_block`).
        if let Some(entry) = self.tree.scan_prefix([PREFIX_LOG_BLOCK]).next_back() {
            let (key, value) = entry?;
            let (position, entry) = Block::decode(&key, &value)?.last();
            return Ok((position, stored_entry_hash(position, entry)?));
        }
        match self.tree.scan_prefix([PREFIX_LOG]).next_back() {
            None => Ok((0, Sha256::ZERO)),
            Some(entry) => {
                let (key, value) = entry?;
                let position = be_u64(&key[1..], 0, Field::LogKey)?;
                Ok((position, stored_entry_hash(position, &value)?))
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
        let previous = match self.entry_hash(from - 1) {
            Ok(hash) => hash,
            Err(error) => return Box::new(std::iter::once(Err(error))),
        };
        let start = log_key(from);
        let end = [PREFIX_LOG + 1];
        let older = self
            .tree
            .range(start.as_slice()..end.as_slice())
            .map(|entry| {
                let (key, value) = entry?;
                decode_log_entry(&key, &value)
            });
        let blocks = match self.blocks_from(from) {
            Ok(blocks) => blocks,
            Err(error) => return Box::new(std::iter::once(Err(error))),
        };
        let mut chain = LogChain {
            expected: from,
            previous,
        };
        Box::new(
            older
                .chain(blocks.flat_map(move |block| decode_block_from(block, from)))
                .map(move |envelope| chain.check(envelope?)),
        )
    }

    fn read_stream(&self, stream: &StreamId) -> EnvelopeIter<'_> {
        let name = stream.name();
        let mut chain = StreamChain::new(name.clone());
        // An older build's keys (one per event) first, then the rows: see stream_index.
        let older = self
            .tree
            .scan_prefix(stream_prefix(&name))
            .map(|entry| older_index_entry(&entry?));
        let row_name = name.clone();
        let rows = self
            .tree
            .scan_prefix(stream_index::row_prefix(&name))
            .flat_map(move |entry| {
                each_or_error(
                    entry
                        .map_err(StoreError::from)
                        .and_then(|(key, value)| IndexRow::decode(&row_name, &key, &value))
                        .map(|row| row.entries().collect::<Vec<_>>()),
                )
            });
        Box::new(older.chain(rows).map(move |entry| {
            let (version, position) = entry?;
            let log_entry = self
                .raw_log_entry(position)?
                .ok_or_else(|| corrupt(position, findings::index_missing_event(&name)))?;
            let envelope = decode_entry(position, &log_entry)?;
            chain.check(position, version, envelope)
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
                    findings::command_record_length(command_id, COMMAND_RECORD_BYTES_WITH_DIGEST),
                ))
            }
        };
        Ok(Some(CommandSpan {
            first_position: be_u64(&value[..8], 0, Field::Span)?,
            event_count: be_u64(&value[8..16], 0, Field::Span)?,
            body_digest,
        }))
    }

    fn command_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        self.ids_under(PREFIX_COMMAND)
    }

    fn stream_index(&self) -> IndexedIter<'_> {
        // An older build's keys (one per event) first: each stream's come before its
        // rows (stream_index module docs).
        let older = self.tree.scan_prefix([PREFIX_STREAM]).map(|entry| {
            let entry = entry?;
            let (version, position) = older_index_entry(&entry)?;
            let stream = stream_of_index_key(&entry.0, 8)?;
            Ok(Indexed {
                stream,
                version,
                position,
            })
        });
        let rows = self
            .tree
            .scan_prefix([stream_index::PREFIX_STREAM_ROW])
            .flat_map(|entry| {
                each_or_error(entry.map_err(StoreError::from).and_then(|(key, value)| {
                    let stream = stream_of_index_key(&key, 8)?;
                    let row = IndexRow::decode(&stream, &key, &value)?;
                    Ok(row
                        .entries()
                        .map(|(version, position)| Indexed {
                            stream: stream.clone(),
                            version,
                            position,
                        })
                        .collect::<Vec<_>>())
                }))
            });
        Box::new(older.chain(rows))
    }
}

/// The items of one stream index row read, each `Ok`, or the one error reading it:
/// what a scan of rows flattens into a scan of entries.
fn each_or_error<T>(row: Result<Vec<T>, StoreError>) -> Vec<Result<T, StoreError>> {
    match row {
        Ok(items) => items.into_iter().map(Ok).collect(),
        Err(error) => vec![Err(error)],
    }
}

/// The stream named in a stream index key: after the one-byte prefix, up to the 0
/// byte that ends the name, followed by `suffix_bytes` bytes (the version).
fn stream_of_index_key(key: &[u8], suffix_bytes: usize) -> Result<String, StoreError> {
    let name = key
        .len()
        .checked_sub(suffix_bytes + 1)
        .filter(|end| *end >= 1 && key[*end] == 0)
        .and_then(|end| std::str::from_utf8(&key[1..end]).ok());
    name.map(str::to_owned)
        .ok_or_else(|| corrupt(0, findings::index_key(key.len())))
}

impl StateRows for SledReader {
    fn read_state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(state_key(key))?.map(|value| value.to_vec()))
    }

    fn members_page(
        &self,
        index: MemberIndex,
        region: &RegionName,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<Uuid>, StoreError> {
        let (prefix, what) = member_index_prefix(index, region);
        let (start, end) = member_page_bounds(&prefix, after);
        let mut members = Vec::with_capacity(limit.min(4096));
        for entry in self.tree.range(start..end).take(limit) {
            let (key, _) = entry?;
            members.push(member_id_of_key(&key, prefix.len(), what, region)?);
        }
        Ok(members)
    }

    fn closing_rows(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.tree
            .scan_prefix([PREFIX_CLOSING])
            .map(|entry| Ok(entry?.1.to_vec()))
            .collect()
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
}

impl FeedRows for SledReader {
    fn coverage_changes_page(
        &self,
        position: u64,
        after: Option<Uuid>,
        skip: u32,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let at_position = [&[PREFIX_COVERAGE][..], &position.to_be_bytes()].concat();
        // The first item after the cursor is in the last row that starts before it:
        // before the position, or, resuming after a member, at or before that member
        // (a close writes a row per few hundred items at its one position, and a
        // catch-up read from the position's first row each page, 2026-12-06).
        let cursor_key = match after {
            Some(member_id) => [&at_position[..], member_id.as_bytes(), &[0xff]].concat(),
            None => at_position.clone(),
        };
        let start = match self
            .tree
            .range([PREFIX_COVERAGE].as_slice()..cursor_key.as_slice())
            .next_back()
        {
            Some(entry) => entry?.0.to_vec(),
            None => at_position,
        };
        let end = [PREFIX_COVERAGE + 1];
        let mut skipped = 0u32;
        let mut rows = Vec::with_capacity(limit.min(4096));
        for entry in self.tree.range(start.as_slice()..end.as_slice()) {
            let (key, value) = entry?;
            for item in coverage_items(&key, &value)? {
                if rows.len() >= limit {
                    return Ok(rows);
                }
                let before_cursor = item.position < position
                    || (item.position == position
                        && after.is_some_and(|after| item.member_id <= after));
                if before_cursor {
                    continue;
                }
                // Only items at `position` are skipped: an ordinal past its last item
                // must not swallow the next position's.
                if item.position == position && skipped < skip {
                    skipped += 1;
                    continue;
                }
                rows.push(item.value);
            }
        }
        Ok(rows)
    }
}

impl Checkpoints for SledReader {
    fn audit_checkpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let mut checkpoints = Vec::new();
        for entry in self.tree.scan_prefix([PREFIX_AUDIT_CHECKPOINT]) {
            let (key, value) = entry?;
            let tree_size = be_u64(&key[1..], 0, Field::AuditCheckpointKey)?;
            checkpoints.push((tree_size, value.to_vec()));
        }
        Ok(checkpoints)
    }
}

impl SledStore {
    /// A sled error of this store's, said as what happened to which directory.
    fn classified(&self, error: sled::Error) -> StoreError {
        classify_sled(&self.engine.dir, error)
    }

    fn apply_state_batch(&self, batch: sled::Batch) -> Result<(), StoreError> {
        self.engine
            .tree
            .apply_batch(batch)
            .map_err(|error| self.classified(error))
    }
}

impl LogWriter for SledStore {
    fn append(
        &mut self,
        commands: &mut [CommandRecord],
        state: &[StateWrite],
    ) -> Result<(), StoreError> {
        let (mut batch, heads) = self
            .prepare(commands)
            .map_err(|error| name_engine_io(&self.engine.dir, error))?;
        let appended = sealing::appended_positions(commands);
        let last = commands
            .iter()
            .rev()
            .find_map(|command| command.envelopes.last());
        add_state_writes(&mut batch, state, appended);
        self.engine
            .tree
            .apply_batch(batch)
            .map_err(|error| self.classified(error))?;
        self.engine.sync()?;
        self.stream_heads.insert_all(heads);
        if let Some(last) = last {
            self.witness.record(HeadWitness {
                position: last.position,
                hash: last.hash,
            })?;
        }
        Ok(())
    }

    /// In batches of at most `REPLACE_STATE_BATCH_WRITES_MAX` writes, each sorted by
    /// key (and a range of consecutive keys when `rows` come in key order, as a
    /// rebuild gives them), holding no more than a batch: sled applies a batch under
    /// one epoch guard, keeping every node version it replaces until the batch ends,
    /// and in its `HashMap`'s order, so a batch spanning all keys pulls random leaves
    /// into its cache. A rebuild of 1,000,000 members peaked at 6.1 GB RSS with one
    /// batch, 5.7 GB with batches in the fold's order, 2.2 GB with batches in key
    /// order. The rows are merged with the stored ones in one walk (`RowMerge`): a row
    /// that already holds the same bytes is not written, others are overwritten in
    /// place, and only stored rows at keys no row writes are removed: removing every
    /// row first and inserting them again split and merged the tree twice over
    /// (100,000 members: 945 instead of 290 MB). Atomic as a whole all the same: the
    /// checkpoint row goes first and is written last, so a crash in between leaves
    /// rows without a checkpoint, which every open and read rebuilds and `verify`
    /// reports (D30).
    fn replace_state(
        &mut self,
        rows: &mut dyn Iterator<Item = StateWrite>,
        replaced: &mut dyn FnMut(ReplacedRow<'_>),
    ) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        batch.remove(state_key(&StateKey::Checkpoint));
        self.apply_state_batch(batch)?;
        let mut checkpoint = Vec::new();
        let mut merge = RowMerge::new(&self.engine.tree);
        let mut chunk: Vec<(Vec<u8>, StateWrite)> = Vec::new();
        let mut rows = rows.peekable();
        while rows.peek().is_some() {
            chunk.clear();
            for row in rows.by_ref() {
                if row.key == StateKey::Checkpoint {
                    checkpoint.push(row);
                    continue;
                }
                chunk.push((state_key(&row.key), row));
                if chunk.len() == REPLACE_STATE_BATCH_WRITES_MAX {
                    break;
                }
            }
            chunk.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for (key, row) in chunk.drain(..) {
                merge
                    .put(key, row.value, replaced)
                    .map_err(|error| self.classified(error))?;
                if merge.writes >= REPLACE_STATE_BATCH_WRITES_MAX {
                    self.apply_state_batch(merge.take_batch())?;
                }
            }
            self.apply_state_batch(merge.take_batch())?;
        }
        while merge
            .remove_next(replaced)
            .map_err(|error| self.classified(error))?
        {
            if merge.writes >= REPLACE_STATE_BATCH_WRITES_MAX {
                self.apply_state_batch(merge.take_batch())?;
            }
        }
        self.apply_state_batch(merge.take_batch())?;
        let mut batch = sled::Batch::default();
        #[allow(clippy::reversed_empty_ranges)] // empty on purpose: no position appended
        add_state_writes(&mut batch, &checkpoint, 1..=0);
        self.apply_state_batch(batch)?;
        self.engine.sync()?;
        let (position, hash) = self.engine.head()?;
        self.witness.record(HeadWitness { position, hash })
    }

    fn release_caches(&mut self) {
        self.stream_heads.release();
    }

    /// One batch of rows, applied and not flushed: the append that records their
    /// event flushes them with it (sled makes a flush durable with every write before
    /// it, in order).
    fn write_items_ahead(
        &mut self,
        position: u64,
        items: Vec<CoverageItem>,
    ) -> Result<(), StoreError> {
        let (head, _) = self.engine.head()?;
        assert!(
            position == head + 1 && items.iter().all(|item| item.position == position),
            "feed items are written ahead at the head plus one ({}), not at {position}",
            head + 1
        );
        let mut batch = sled::Batch::default();
        add_coverage_rows(&mut batch, items);
        self.apply_state_batch(batch)
    }

    fn discard_items_ahead(&mut self) -> Result<u64, StoreError> {
        let (head, _) = self.engine.head()?;
        let from = [&[PREFIX_COVERAGE][..], &(head + 1).to_be_bytes()].concat();
        let mut discarded = 0u64;
        let mut batch = sled::Batch::default();
        for entry in self
            .engine
            .tree
            .range(from.as_slice()..[PREFIX_COVERAGE + 1].as_slice())
        {
            let (key, value) = entry.map_err(|error| self.classified(error))?;
            discarded += coverage_items(&key, &value)?.len() as u64;
            batch.remove(key);
        }
        if discarded > 0 {
            self.apply_state_batch(batch)?;
            self.engine.sync()?;
        }
        Ok(discarded)
    }
}

impl CheckpointWriter for SledStore {
    fn put_audit_checkpoint(&mut self, tree_size: u64, bytes: &[u8]) -> Result<bool, StoreError> {
        let mut key = [0u8; 9];
        key[0] = PREFIX_AUDIT_CHECKPOINT;
        key[1..].copy_from_slice(&tree_size.to_be_bytes());
        let stored = self
            .engine
            .tree
            .compare_and_swap(key, None as Option<&[u8]>, Some(bytes))?
            .is_ok();
        self.engine.sync()?;
        Ok(stored)
    }
}

// The writer reads as its reader does.
reads_through!(SledStore, |store| store.engine);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_opening_the_engine_is_reported_as_damage() {
        let dir = Path::new("/data/ledger");
        let outcome: Result<(), StoreError> =
            catch_engine_panic(dir, || panic!("index out of bounds: the len is 3"));
        match outcome {
            Err(StoreError::Corrupt {
                position: 0,
                message,
            }) => {
                assert!(message.contains("/data/ledger/sled"), "{message}");
                assert!(message.contains("index out of bounds"), "{message}");
                assert!(message.contains("backup"), "{message}");
            }
            other => panic!("expected damage, got {other:?}"),
        }
        // The hook passes other panics on, and this thread is no longer silenced.
        assert!(!ENGINE_PANIC_QUIET.with(std::cell::Cell::get));
        assert_eq!(catch_engine_panic(dir, || Ok(7)).unwrap(), 7);
    }

    #[test]
    fn a_segment_header_is_valid_blank_or_damaged_as_sled_reads_it() {
        // As sled 0.34.7 writes one: LSN and stable LSN XORed, the CRC-32 inverted.
        let mut header = [0u8; SEGMENT_HEADER_BYTES];
        header[4..12].copy_from_slice(&(524_288u64 ^ 0x7FFF_FFFF_FFFF_FFFF).to_le_bytes());
        header[12..20].copy_from_slice(&(524_100u64 ^ 0x7FFF_FFFF_FFFF_FFFF).to_le_bytes());
        let crc = crc32(&header[4..]) ^ 0xFFFF_FFFF;
        header[..4].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(segment_header(&header), SegmentHeader::Valid);
        assert_eq!(
            segment_header(&[0; SEGMENT_HEADER_BYTES]),
            SegmentHeader::Blank
        );
        for byte in 0..SEGMENT_HEADER_BYTES {
            let mut flipped = header;
            flipped[byte] ^= 0x10;
            assert_eq!(
                segment_header(&flipped),
                SegmentHeader::Damaged,
                "byte {byte}"
            );
        }
    }

    /// A segment header as sled 0.34.7 writes one: the inverted CRC-32 of the LSN and
    /// the highest stable LSN, each XORed with `i64::MAX`.
    fn header_at(lsn: i64) -> [u8; SEGMENT_HEADER_BYTES] {
        let mut header = [0u8; SEGMENT_HEADER_BYTES];
        header[4..12].copy_from_slice(&(lsn ^ i64::MAX).to_le_bytes());
        header[12..20].copy_from_slice(&(lsn ^ i64::MAX).to_le_bytes());
        let crc = crc32(&header[4..]) ^ 0xFFFF_FFFF;
        header[..4].copy_from_slice(&crc.to_le_bytes());
        header
    }

    /// The snapshot-LSN check (D55) on a data file of segments at `lsns` (one per
    /// 512 KiB, the last `short` bytes short of its end) and a snapshot at `snapshot`.
    fn beyond(lsns: &[i64], short: u64, snapshot: i64) -> Option<(i64, i64)> {
        let dir = tempfile::tempdir().unwrap();
        let segment = SLED_SEGMENT_BYTES_DEFAULT;
        let mut bytes = Vec::new();
        for lsn in lsns {
            let mut body = vec![7u8; usize::try_from(segment).unwrap()];
            body[..SEGMENT_HEADER_BYTES].copy_from_slice(&header_at(*lsn));
            bytes.extend(body);
        }
        bytes.truncate(bytes.len() - usize::try_from(short).unwrap());
        std::fs::write(dir.path().join("db"), &bytes).unwrap();
        std::fs::write(dir.path().join(format!("snap.{snapshot:016X}")), b"x").unwrap();
        // Beside it, names sled also lists, which must not be taken for the newest.
        for other in ["in___motion", "generating"] {
            let name = format!("snap.7FFFFFFFFFFFFFFF.{other}");
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let path = dir.path().join("db");
        let file = File::open(&path).unwrap();
        let scan = scan_segment_headers(&file, &path, segment).unwrap();
        let found = snapshot_beyond_data(dir.path(), scan.reach);
        found.map(|found| (found.snapshot_lsn, found.file_lsn))
    }

    #[test]
    fn a_snapshot_ahead_of_the_data_file_is_found_and_a_segment_full_to_sled_is_not() {
        let segment = i64::try_from(SLED_SEGMENT_BYTES_DEFAULT).unwrap();
        // Segments reused out of order: the highest LSN's reach counts, a whole
        // segment in the middle of the file even when the file's last one is cut.
        let in_order = [3 * segment, 4 * segment, 5 * segment];
        let reused = [3 * segment, 5 * segment, 4 * segment];
        let near_the_end = 6 * segment - 500;
        assert_eq!(beyond(&reused, 1000, near_the_end), None);
        assert_eq!(beyond(&in_order, 0, near_the_end), None);
        assert_eq!(beyond(&in_order[..1], 0, 3 * segment + 10), None);
        assert_eq!(
            beyond(&in_order, 1000, near_the_end),
            Some((near_the_end, 6 * segment - 1000))
        );
        // sled's recovery ends within a message header of a segment's end and records
        // the next segment's start, which the file does not reach: not damage.
        let last = 4 * segment;
        for short in [1, 20, SLED_MESSAGE_HEADER_BYTES_MAX] {
            assert_eq!(
                beyond(&[3 * segment, last], short, last + segment),
                None,
                "{short}"
            );
        }
        let short = SLED_MESSAGE_HEADER_BYTES_MAX + 1;
        let reach = last + segment - i64::try_from(short).unwrap();
        assert_eq!(
            beyond(&[3 * segment, last], short, last + segment),
            Some((last + segment, reach))
        );
    }

    #[test]
    fn crc32_is_sleds_and_a_damaged_snapshot_or_conf_is_found() {
        // The check value of CRC-32 (IEEE), as crc32fast computes it for sled.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let dir = tempfile::tempdir().unwrap();
        let mut conf = b"segment_size: 524288\nuse_compression: false\nversion: 0.34\n".to_vec();
        conf.extend(crc32(&conf).to_le_bytes());
        let mut snapshot = vec![7u8; 40];
        let trailer_crc = crc32(&snapshot).to_le_bytes();
        snapshot.extend(40u64.to_le_bytes());
        snapshot.extend(trailer_crc);
        std::fs::write(dir.path().join("conf"), &conf).unwrap();
        std::fs::write(dir.path().join("snap.0000000000000001"), b"older, not read").unwrap();
        std::fs::write(dir.path().join("snap.00000000000000A0"), &snapshot).unwrap();
        assert_eq!(files_to_set_aside(dir.path()), []);
        conf[3] ^= 1;
        snapshot[3] ^= 1;
        std::fs::write(dir.path().join("conf"), &conf).unwrap();
        std::fs::write(dir.path().join("snap.00000000000000A0"), &snapshot).unwrap();
        let found: Vec<PathBuf> = files_to_set_aside(dir.path())
            .into_iter()
            .map(|set| set.file)
            .collect();
        assert_eq!(
            found,
            [
                dir.path().join("conf"),
                dir.path().join("snap.00000000000000A0")
            ]
        );
    }

    #[test]
    fn io_failures_are_told_apart() {
        let path = Path::new("/data/ledger");
        let full = std::io::Error::from_raw_os_error(28);
        assert!(matches!(
            classify_io(path, full),
            StoreError::DiskFull { .. }
        ));
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(matches!(
            classify_io(path, denied),
            StoreError::PermissionDenied { .. }
        ));
        // A read-only file system (EROFS) is told how to read the ledger anyway.
        let read_only = classify_io(path, std::io::Error::from_raw_os_error(30));
        assert!(matches!(read_only, StoreError::PermissionDenied { .. }));
        let said = read_only.to_string();
        assert!(
            said.starts_with("/data/ledger is on a read-only file system")
                && said.contains("cp -a /data/ledger COPY"),
            "{said}"
        );
        let locked = std::io::Error::other("could not acquire lock on \"db\": WouldBlock");
        let error = classify_io(path, locked);
        assert!(matches!(error, StoreError::Locked { .. }));
        assert!(error
            .to_string()
            .contains("in use by another flexledger process"));
        let other = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
        assert!(matches!(classify_io(path, other), StoreError::Io { .. }));
        let full = sled::Error::Io(std::io::Error::from_raw_os_error(28));
        assert!(classify_sled(path, full).to_string().contains("is full"));
    }

    /// sled reading past the end of its own files is damage (exit 1, the store marked),
    /// whichever way the error reaches the boundary: an operator's probe cut `sled/db`
    /// by 1,000 bytes and every read said "storage engine failed: IO error: failed to
    /// fill whole buffer" (exit 2, no mark) while appends were still acknowledged.
    #[test]
    fn an_engine_read_past_the_end_of_its_files_is_damage() {
        let eof = || sled::Error::Io(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
        let dir = Path::new("/data/ledger");
        for error in [
            StoreError::from(eof()),
            classify_sled(dir, eof()),
            name_engine_io(dir, StoreError::engine(eof())),
        ] {
            assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
            assert!(error.to_string().contains("cut short"), "{error}");
        }
    }

    /// sled's corruption report is damage said in words, with the byte it could not
    /// read back: never its debug text (`Some(Inline(4096)) backtrace ()`).
    #[test]
    fn engine_corruption_names_the_byte_not_the_engine_s_debug_text() {
        let corrupt = || sled::Error::Corruption {
            at: Some(sled::DiskPtr::Inline(4096)),
            bt: (),
        };
        let dir = tempfile::tempdir().unwrap();
        for error in [
            StoreError::from(corrupt()),
            classify_sled(dir.path(), corrupt()),
        ] {
            assert!(
                matches!(error, StoreError::Corrupt { position: 0, .. }),
                "{error}"
            );
            let message = error.to_string();
            assert!(
                message.contains("at byte 4096 of its data file"),
                "{message}"
            );
            assert!(
                !message.contains("Inline") && !message.contains("backtrace"),
                "{message}"
            );
        }
    }
}
