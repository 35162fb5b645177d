//! Reading the whole log for a fold (`fold_log`, `verify`): on `LOG_READERS` threads
//! that read, hash-check and decode it, handing chunks to the one thread that folds,
//! in log order.

use super::LedgerError;
use crate::store::{Envelope, ReadStore, StoreError};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Envelopes handed from a reading thread to the folding thread at a time.
pub const REBUILD_CHUNK_EVENTS: usize = 4096;
/// Chunks in flight from each reading thread to the folding thread (bounds the memory
/// a rebuild holds: `LOG_READERS` × this × `REBUILD_CHUNK_EVENTS` envelopes).
pub const REBUILD_CHUNKS_IN_FLIGHT_MAX: usize = 4;
/// Threads that read, hash-check and decode the log for a whole-log fold, taking turns
/// by stretches of `LOG_READ_STRETCH_EVENTS`. Two: on the 2-core machine one reader
/// was the fold's bottleneck (it spent ~0.55 s of a 0.7 s fold of 249,013 events while
/// the folding thread was busy 0.25 s), and two keep both cores busy.
pub const LOG_READERS: usize = 2;
/// Consecutive positions one reading thread reads before the next thread's turn: as
/// many as its channel holds, so that it can read a whole stretch ahead while the
/// folding thread takes the other thread's.
pub const LOG_READ_STRETCH_EVENTS: usize = REBUILD_CHUNK_EVENTS * REBUILD_CHUNKS_IN_FLIGHT_MAX;

/// What a reading thread sends the folding thread: the next envelopes of its stretch,
/// prepared, in log order, or the failure that ended its reading there.
type ReadPiece<T> = Result<Vec<T>, StoreError>;

/// Reads the whole log, up to the head it has when the read starts, on `LOG_READERS`
/// threads of their own, where `prepare` turns each envelope into what `consume` takes
/// on the calling thread, in log order: reading, hashing and decoding on the readers,
/// the rest on the calling thread, with a bounded channel of chunks from each reader
/// keeping memory flat.
///
/// `prepare` takes a chunk at a time (so that it can read what the chunk needs from the
/// store at once: `verify` reads the command records of a chunk in one call) and gives
/// one item per envelope. Each envelope comes with a flag that says whether it begins a
/// run of one command's events as far as its reader can tell: true where the command
/// differs from the envelope before, and at the first envelope of every stretch (so a
/// run that began in the stretch before is flagged again there).
///
/// The readers take turns by stretches of positions: reader `r` reads stretches `r`,
/// `r + LOG_READERS`, …, each with `read_log(first position)`, which checks the chain
/// from the stored hash of the position before; so the stretches' checks together are
/// the whole log's. The calling thread takes the stretches in order, so `consume` sees
/// the same envelopes in the same order as one reader would give, and the first
/// failure in log order ends the fold. The head is read once, first: a log that grows
/// meanwhile (a PostgreSQL writer) is read to that head, which an append reaches
/// whole, never to where one stretch happened to find its end.
pub(super) fn read_log_ahead<S: ReadStore + ?Sized, T: Send>(
    store: &S,
    prepare: impl Fn(Vec<(Envelope, bool)>) -> Vec<T> + Sync,
    consume: &mut dyn FnMut(T) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    let (head, _) = store.head()?;
    std::thread::scope(|scope| {
        let receivers: Vec<_> = (0..LOG_READERS)
            .map(|reader| {
                let (sender, receiver) = sync_channel::<ReadPiece<T>>(REBUILD_CHUNKS_IN_FLIGHT_MAX);
                let prepare = &prepare;
                scope.spawn(move || read_stretches(store, head, reader, prepare, &sender));
                receiver
            })
            .collect();
        // Dropping the receivers (on return) stops each reader at its next send.
        consume_stretches(head, &receivers, consume)
    })
}

/// The positions of stretch `stretch` of a log whose head is `head`: its first and how
/// many (0 past the head).
fn stretch_span(stretch: u64, head: u64) -> (u64, u64) {
    let stretch_events = LOG_READ_STRETCH_EVENTS as u64;
    let first = stretch.saturating_mul(stretch_events).saturating_add(1);
    (first, head.saturating_sub(first - 1).min(stretch_events))
}

/// A reader's part of `read_log_ahead`: its stretches in turn up to `head`, until
/// reading fails or the folding thread stops taking chunks.
fn read_stretches<S: ReadStore + ?Sized, T>(
    store: &S,
    head: u64,
    reader: usize,
    prepare: &(impl Fn(Vec<(Envelope, bool)>) -> Vec<T> + Sync),
    sender: &SyncSender<ReadPiece<T>>,
) {
    let mut stretch = reader as u64;
    loop {
        let (first, events) = stretch_span(stretch, head);
        if events == 0 {
            return;
        }
        let mut read = 0u64;
        let mut previous_command = None;
        let mut chunk = Vec::with_capacity(REBUILD_CHUNK_EVENTS);
        // OK because a stretch is at most `LOG_READ_STRETCH_EVENTS`, a `usize`.
        let take = usize::try_from(events).expect("a stretch's length fits a usize");
        for envelope in store.read_log(first).take(take) {
            let envelope = match envelope {
                Ok(envelope) => envelope,
                Err(error) => {
                    let _ = sender.send(Ok(prepared(prepare, chunk)));
                    let _ = sender.send(Err(error));
                    return;
                }
            };
            let starts_run = previous_command != Some(envelope.command_id);
            previous_command = Some(envelope.command_id);
            chunk.push((envelope, starts_run));
            read += 1;
            if chunk.len() == REBUILD_CHUNK_EVENTS {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(REBUILD_CHUNK_EVENTS));
                if sender.send(Ok(prepared(prepare, full))).is_err() {
                    return;
                }
            }
        }
        if !chunk.is_empty() && sender.send(Ok(prepared(prepare, chunk))).is_err() {
            return;
        }
        if read < events {
            // The log is append-only: positions up to the head read first are there.
            let last = first + read - 1;
            let _ = sender.send(Err(StoreError::Corrupt {
                position: last + 1,
                message: crate::store::findings::log_short(last, head),
            }));
            return;
        }
        stretch += LOG_READERS as u64;
    }
}

/// `prepare` applied to a chunk, checked to give one item per envelope (the folding
/// thread counts a stretch's envelopes by its items).
fn prepared<T>(
    prepare: &impl Fn(Vec<(Envelope, bool)>) -> Vec<T>,
    chunk: Vec<(Envelope, bool)>,
) -> Vec<T> {
    let envelopes = chunk.len();
    let items = prepare(chunk);
    assert_eq!(
        items.len(),
        envelopes,
        "prepare gives one item per envelope"
    );
    items
}

/// The folding thread's part of `read_log_ahead`: the stretches up to `head` in log
/// order, each from the reader whose turn it is, until the head or a failure.
fn consume_stretches<T>(
    head: u64,
    receivers: &[Receiver<ReadPiece<T>>],
    consume: &mut dyn FnMut(T) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    let mut stretch = 0u64;
    // The reader whose turn it is: stretch modulo `LOG_READERS`.
    let mut reader = 0usize;
    loop {
        let (_, events) = stretch_span(stretch, head);
        if events == 0 {
            return Ok(());
        }
        let receiver = &receivers[reader];
        let mut taken = 0u64;
        while taken < events {
            // OK because a reader sends its stretch whole or ends it with a failure;
            // a closed channel here is a panic on its thread (which the scope raises
            // again).
            let chunk = receiver
                .recv()
                .expect("a log reader stopped within its stretch (it panicked)")?;
            taken += chunk.len() as u64;
            for item in chunk {
                consume(item)?;
            }
        }
        assert_eq!(taken, events, "a stretch is read whole and no further");
        stretch += 1;
        reader = (reader + 1) % LOG_READERS;
    }
}
