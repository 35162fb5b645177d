//! What every engine's `append` does before it writes, apart from how it writes: check
//! each command against the log as it is (its id never seen, positions continuing the
//! head, versions continuing each stream: optimistic concurrency), seal its envelopes
//! into both hash chains, and encode each as the stored log entry (`log_entry`). The
//! engine then stores the result in one atomic write of its own (a sled batch, a
//! PostgreSQL transaction), with the state rows split here from the feed items.

use super::coverage_rows::CoverageItem;
use super::log_entry;
use super::{CommandRecord, Envelope, Sha256, StateKey, StateWrite, StoreError};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Each stream's last version and the hash of its last event, by stream name.
pub(crate) type StreamHeads = HashMap<String, (u64, Sha256)>;

/// What sealing asks of the engine about the log as stored.
pub(crate) trait AppendContext {
    /// The stream's last version and its last event's hash ((0, zeros) if none).
    fn stream_head(&mut self, stream: &str) -> Result<(u64, Sha256), StoreError>;
    /// Whether a command with this id was appended before.
    fn command_seen(&mut self, command_id: Uuid) -> Result<bool, StoreError>;
}

/// One sealed event, ready to store.
pub(crate) struct SealedEvent {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    pub command_id: Uuid,
    /// The stored log entry: hash, then the compact layout (`log_entry::seal`).
    pub entry: Vec<u8>,
}

/// One command's record: where its events sit, and its body digest.
pub(crate) struct SealedCommand {
    pub command_id: Uuid,
    pub first_position: u64,
    pub event_count: u64,
    pub body_digest: Option<Sha256>,
}

/// An append, checked and sealed.
pub(crate) struct Sealed {
    pub events: Vec<SealedEvent>,
    pub commands: Vec<SealedCommand>,
    /// The streams' heads after the append.
    pub heads: StreamHeads,
}

/// Checks `commands` against the log (head at `head`, with hash `head_hash`) and the
/// engine's `context`, in order (the first violation met is the error), and seals
/// their envelopes. A command id repeated within the append is refused as one
/// appended before would be: both would claim one command record.
pub(crate) fn seal_commands(
    commands: &mut [CommandRecord],
    head: u64,
    head_hash: Sha256,
    context: &mut impl AppendContext,
) -> Result<Sealed, StoreError> {
    let mut prev_hash = head_hash;
    let mut next_position = head + 1;
    let mut sealed = Sealed {
        events: Vec::new(),
        commands: Vec::with_capacity(commands.len()),
        heads: StreamHeads::new(),
    };
    let mut ids = HashSet::with_capacity(commands.len());
    for command in commands.iter_mut() {
        if !ids.insert(command.command_id) || context.command_seen(command.command_id)? {
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
            let (version, stream_prev_hash) = match sealed.heads.get(&envelope.stream) {
                Some(head) => *head,
                None => context.stream_head(&envelope.stream)?,
            };
            if envelope.version != version + 1 {
                return Err(StoreError::VersionConflict {
                    stream: envelope.stream.clone(),
                    expected: envelope.version.saturating_sub(1),
                    actual: version,
                });
            }
            sealed
                .events
                .push(seal(envelope, prev_hash, stream_prev_hash));
            sealed
                .heads
                .insert(envelope.stream.clone(), (envelope.version, envelope.hash));
            prev_hash = envelope.hash;
            next_position += 1;
        }
        sealed.commands.push(SealedCommand {
            command_id: command.command_id,
            first_position,
            event_count: next_position - first_position,
            body_digest: command.body_digest,
        });
    }
    Ok(sealed)
}

/// Seals one envelope and encodes its stored entry.
fn seal(envelope: &mut Envelope, prev_hash: Sha256, stream_prev_hash: Sha256) -> SealedEvent {
    // OK because a decided event's payload encodes in its schema version (the codec
    // has a form for every event it is given to decide).
    let (canonical, entry) =
        log_entry::seal(envelope, prev_hash, stream_prev_hash).expect("a decided event encodes");
    // Pair assertion (checked before writing, again after every read): the bytes
    // decode to the envelope we meant. Full round trip in debug builds.
    debug_assert_eq!(
        Envelope::decode(&canonical).as_ref(),
        Ok(&*envelope),
        "envelope round-trips"
    );
    SealedEvent {
        position: envelope.position,
        stream: envelope.stream.clone(),
        version: envelope.version,
        command_id: envelope.command_id,
        entry,
    }
}

/// The positions `commands` append (empty when they append no event).
pub(crate) fn appended_positions(commands: &[CommandRecord]) -> std::ops::RangeInclusive<u64> {
    let first = commands
        .iter()
        .find_map(|command| command.envelopes.first())
        .map_or(u64::MAX, |envelope| envelope.position);
    let last = commands
        .iter()
        .rev()
        .find_map(|command| command.envelopes.last())
        .map_or(0, |envelope| envelope.position);
    first..=last
}

/// A state row to set (`Some`) or remove (`None`).
pub(crate) type RowWrite<'a> = (&'a StateKey, Option<&'a [u8]>);

/// State writes split into feed items (`CoverageChange` writes, which must be of the
/// positions this append writes, `appended`: an append writes the coverage changes of
/// its own events only) and every other row, set (`Some`) or removed (`None`).
pub(crate) fn split_state_writes<'a>(
    state: impl IntoIterator<Item = &'a StateWrite>,
    appended: std::ops::RangeInclusive<u64>,
) -> (Vec<CoverageItem>, Vec<RowWrite<'a>>) {
    let state = state.into_iter();
    let mut coverage = Vec::new();
    let mut rows = Vec::with_capacity(state.size_hint().0);
    for write in state {
        match (&write.key, &write.value) {
            (StateKey::CoverageChange(position, member_id), Some(value)) => {
                assert!(
                    appended.contains(position),
                    "a coverage change at {position} is written with the events {appended:?}"
                );
                coverage.push(CoverageItem {
                    position: *position,
                    member_id: *member_id,
                    value: value.clone(),
                });
            }
            (StateKey::CoverageChange(..), None) => {
                unreachable!("coverage changes are feed items: never removed")
            }
            (key, value) => rows.push((key, value.as_deref())),
        }
    }
    (coverage, rows)
}
