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

/// What a reading thread sends the folding thread.
enum ReadPiece<T> {
    /// The next envelopes of its stretch, prepared, in log order.
    Chunk(Vec<T>),
    /// The log ended within its stretch (after the chunks sent before).
    End,
    /// Reading failed here (after the chunks sent before).
    Failed(StoreError),
}

/// Reads the whole log on `LOG_READERS` threads of their own, where `prepare` turns
/// each envelope into what `consume` takes on the calling thread, in log order:
/// reading, hashing and decoding on the readers, the rest on the calling thread, with
/// a bounded channel of chunks from each reader keeping memory flat.
///
/// `prepare`'s flag says whether the envelope begins a run of one command's events as
/// far as its reader can tell: true where the command differs from the envelope
/// before, and at the first envelope of every stretch (so a run that began in the
/// stretch before is flagged again there). `verify` reads a run's command record
/// there, on a reader.
///
/// The readers take turns by stretches of positions: reader `r` reads stretches `r`,
/// `r + LOG_READERS`, …, each with `read_log(first position)`, which checks the chain
/// from the stored hash of the position before; so the stretches' checks together are
/// the whole log's. The calling thread takes the stretches in order, so `consume` sees
/// the same envelopes in the same order as one reader would give, and the first
/// failure in log order ends the fold. A log that grows meanwhile is read to where
/// the first stretch found its end.
pub(super) fn read_log_ahead<S: ReadStore + ?Sized, T: Send>(
    store: &S,
    prepare: impl Fn(Envelope, bool) -> T + Sync,
    consume: &mut dyn FnMut(T) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    std::thread::scope(|scope| {
        let receivers: Vec<_> = (0..LOG_READERS)
            .map(|reader| {
                let (sender, receiver) = sync_channel::<ReadPiece<T>>(REBUILD_CHUNKS_IN_FLIGHT_MAX);
                let prepare = &prepare;
                scope.spawn(move || read_stretches(store, reader, prepare, &sender));
                receiver
            })
            .collect();
        // Dropping the receivers (on return) stops each reader at its next send.
        consume_stretches(&receivers, consume)
    })
}

/// A reader's part of `read_log_ahead`: its stretches in turn, until the log ends
/// within one, reading fails, or the folding thread stops taking chunks.
fn read_stretches<S: ReadStore + ?Sized, T>(
    store: &S,
    reader: usize,
    prepare: &(impl Fn(Envelope, bool) -> T + Sync),
    sender: &SyncSender<ReadPiece<T>>,
) {
    let stretch_first = |stretch: usize| stretch * LOG_READ_STRETCH_EVENTS + 1;
    let mut stretch = reader;
    loop {
        let mut read = 0usize;
        let mut previous_command = None;
        let mut chunk = Vec::with_capacity(REBUILD_CHUNK_EVENTS);
        let first = u64::try_from(stretch_first(stretch)).unwrap_or(u64::MAX);
        for envelope in store.read_log(first).take(LOG_READ_STRETCH_EVENTS) {
            match envelope {
                Ok(envelope) => {
                    let starts_run = previous_command != Some(envelope.command_id);
                    previous_command = Some(envelope.command_id);
                    chunk.push(prepare(envelope, starts_run));
                }
                Err(error) => {
                    let _ = sender.send(ReadPiece::Chunk(chunk));
                    let _ = sender.send(ReadPiece::Failed(error));
                    return;
                }
            }
            read += 1;
            if chunk.len() == REBUILD_CHUNK_EVENTS {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(REBUILD_CHUNK_EVENTS));
                if sender.send(ReadPiece::Chunk(full)).is_err() {
                    return;
                }
            }
        }
        if !chunk.is_empty() && sender.send(ReadPiece::Chunk(chunk)).is_err() {
            return;
        }
        if read < LOG_READ_STRETCH_EVENTS {
            let _ = sender.send(ReadPiece::End);
            return;
        }
        stretch += LOG_READERS;
    }
}

/// The folding thread's part of `read_log_ahead`: the stretches in log order, each
/// from the reader whose turn it is, until one ends the log or fails.
fn consume_stretches<T>(
    receivers: &[Receiver<ReadPiece<T>>],
    consume: &mut dyn FnMut(T) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    let mut stretch = 0usize;
    loop {
        let receiver = &receivers[stretch % LOG_READERS];
        let mut taken = 0usize;
        while taken < LOG_READ_STRETCH_EVENTS {
            // OK because a reader only stops after sending `End` or `Failed`, or once
            // its receiver is gone: a closed channel here is a panic on its thread
            // (which the scope raises again).
            let piece = receiver
                .recv()
                .expect("a log reader stopped before the end of the log (it panicked)");
            match piece {
                ReadPiece::Chunk(chunk) => {
                    taken += chunk.len();
                    for item in chunk {
                        consume(item)?;
                    }
                }
                ReadPiece::End => return Ok(()),
                ReadPiece::Failed(error) => return Err(error.into()),
            }
        }
        assert_eq!(taken, LOG_READ_STRETCH_EVENTS, "a stretch is read whole");
        stretch += 1;
    }
}
