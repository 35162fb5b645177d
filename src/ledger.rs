//! The ledger: the domain's decisions over a durable store. This is the imperative
//! shell around the pure core: it supplies time and ids, batches commands into one
//! durable append (group commit), and answers reads by folding stored events.

use crate::domain::{
    self, coverage, decide, CommandEnvelope, Event, LedgerState, MemberCoverage, Refusal, StreamId,
};
use crate::store::{
    CommandRecord, CommandResult, Envelope, EventRef, EventStore, SledStore, StoreError,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::Path;
use uuid::Uuid;

/// Most commands decided into one durable append; more are split into several appends.
pub const APPEND_BATCH_COMMANDS_MAX: usize = 1000;

/// Operational failures of the ledger. Refusals are results, never errors.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Fold(#[from] domain::state::FoldError),
    #[error(
        "the ledger stopped after a failed append; reopen it (its state is rebuilt from the log)"
    )]
    Poisoned,
}

/// Where time and ids come from: the real clock and random UUIDs in production,
/// fixed sources in tests.
pub trait Sources {
    fn now(&mut self) -> DateTime<Utc>;
    fn new_id(&mut self) -> Uuid;
}

/// The system clock and UUID v4.
pub struct SystemSources;

impl Sources for SystemSources {
    fn now(&mut self) -> DateTime<Utc> {
        Utc::now()
    }
    fn new_id(&mut self) -> Uuid {
        Uuid::new_v4()
    }
}

/// A ledger open for writing: the store plus the state decisions need, rebuilt from the
/// whole log on open.
pub struct Ledger<S: EventStore = SledStore> {
    store: S,
    state: LedgerState,
    /// Set when an append failed after state was advanced: the in-memory state may be
    /// ahead of the log, so no further command may be decided against it.
    poisoned: bool,
}

impl Ledger<SledStore> {
    /// Opens the sled store in `dir` and rebuilds decision state from its log.
    pub fn open(dir: &Path) -> Result<Ledger<SledStore>, LedgerError> {
        Ledger::with_store(SledStore::open(dir)?)
    }
}

impl<S: EventStore> Ledger<S> {
    pub fn with_store(store: S) -> Result<Ledger<S>, LedgerError> {
        let mut state = LedgerState::default();
        for envelope in store.read_log(1) {
            let envelope = envelope?;
            state.apply(envelope.position, &envelope.event)?;
        }
        tracing::info!(
            position = state.position,
            members = state.members.len(),
            "ledger state rebuilt from the log"
        );
        Ok(Ledger {
            store,
            state,
            poisoned: false,
        })
    }

    pub fn state(&self) -> &LedgerState {
        &self.state
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Decides `commands` in order and appends every accepted command's events in one
    /// durable write per `APPEND_BATCH_COMMANDS_MAX` commands. Results are returned
    /// only after their events are durable. A refused command never affects its
    /// neighbours; an item that failed to parse is passed through as its refusal.
    pub fn submit(
        &mut self,
        commands: Vec<Result<CommandEnvelope, Refusal>>,
        sources: &mut dyn Sources,
    ) -> Result<Vec<CommandResult>, LedgerError> {
        let mut results = Vec::with_capacity(commands.len());
        let mut commands = commands.into_iter().peekable();
        while commands.peek().is_some() {
            let chunk: Vec<_> = commands.by_ref().take(APPEND_BATCH_COMMANDS_MAX).collect();
            results.extend(self.submit_chunk(chunk, sources)?);
        }
        Ok(results)
    }

    fn submit_chunk(
        &mut self,
        commands: Vec<Result<CommandEnvelope, Refusal>>,
        sources: &mut dyn Sources,
    ) -> Result<Vec<CommandResult>, LedgerError> {
        if self.poisoned {
            return Err(LedgerError::Poisoned);
        }
        let recorded_at = sources.now();
        let mut results = Vec::with_capacity(commands.len());
        let mut records: Vec<CommandRecord> = Vec::new();
        // Accepted in this chunk but not yet durable: command id → index in `records`.
        let mut pending: HashMap<Uuid, usize> = HashMap::new();
        for command in commands {
            let envelope = match command {
                Ok(envelope) => envelope,
                Err(refusal) => {
                    results.push(CommandResult::Refused(refusal));
                    continue;
                }
            };
            if let Some(command_id) = envelope.command_id {
                if let Some(index) = pending.get(&command_id) {
                    let events = records[*index]
                        .envelopes
                        .iter()
                        .map(Envelope::event_ref)
                        .collect();
                    results.push(CommandResult::Accepted {
                        events,
                        duplicate: true,
                    });
                    continue;
                }
                if let Some(events) = self.accepted_before(command_id)? {
                    results.push(CommandResult::Accepted {
                        events,
                        duplicate: true,
                    });
                    continue;
                }
            }
            match decide(&self.state, &envelope) {
                Err(refusal) => results.push(CommandResult::Refused(refusal)),
                Ok(events) => {
                    let command_id = envelope.command_id.unwrap_or_else(|| sources.new_id());
                    let record = self
                        .record(command_id, events, recorded_at, sources)
                        .inspect_err(|_| self.poisoned = true)?;
                    results.push(CommandResult::Accepted {
                        events: record.envelopes.iter().map(Envelope::event_ref).collect(),
                        duplicate: false,
                    });
                    pending.insert(command_id, records.len());
                    records.push(record);
                }
            }
        }
        if !records.is_empty() {
            if let Err(error) = self.store.append(&records) {
                self.poisoned = true;
                return Err(error.into());
            }
        }
        Ok(results)
    }

    /// Wraps decided events in envelopes and applies them to the state.
    fn record(
        &mut self,
        command_id: Uuid,
        events: Vec<Event>,
        recorded_at: DateTime<Utc>,
        sources: &mut dyn Sources,
    ) -> Result<CommandRecord, LedgerError> {
        let mut envelopes = Vec::with_capacity(events.len());
        for event in events {
            let position = self.state.position + 1;
            let version = self.stream_version(&event.stream()) + 1;
            self.state.apply(position, &event)?;
            envelopes.push(Envelope::new(
                position,
                version,
                event,
                sources.new_id(),
                recorded_at,
                command_id,
            ));
        }
        Ok(CommandRecord {
            command_id,
            envelopes,
        })
    }

    fn stream_version(&self, stream: &StreamId) -> u64 {
        match stream {
            StreamId::Member(member_id) => self
                .state
                .members
                .get(member_id)
                .map_or(0, |member| member.version),
            StreamId::Region(region) => self
                .state
                .regions
                .get(region)
                .map_or(0, |region| region.version),
        }
    }

    /// The events of a command accepted in an earlier append, if any.
    fn accepted_before(&self, command_id: Uuid) -> Result<Option<Vec<EventRef>>, LedgerError> {
        let Some(span) = self.store.command_span(command_id)? else {
            return Ok(None);
        };
        let events: Result<Vec<EventRef>, StoreError> = self
            .store
            .read_log(span.first_position)
            .take(usize::try_from(span.event_count).unwrap_or(usize::MAX))
            .map(|envelope| envelope.map(|envelope| envelope.event_ref()))
            .collect();
        Ok(Some(events?))
    }
}

/// A member's coverage folded from the store's events up to `as_of` (inclusive; `None`
/// = everything). Reads only the member's stream and its region's stream.
pub fn member_coverage(
    store: &dyn EventStore,
    member_id: Uuid,
    as_of: Option<u64>,
) -> Result<Option<MemberCoverage>, LedgerError> {
    let limit = as_of.unwrap_or(u64::MAX);
    let member_events = read_until(store.read_stream(&StreamId::Member(member_id)), limit)?;
    let Some(first) = member_events.first() else {
        return Ok(None);
    };
    let Event::MemberEnrolled(enrolled) = &first.event else {
        return Err(StoreError::Corrupt {
            position: first.position,
            message: "a member stream must begin with MemberEnrolled".into(),
        }
        .into());
    };
    let region_events = read_until(
        store.read_stream(&StreamId::Region(enrolled.region.clone())),
        limit,
    )?;
    let mut state = LedgerState::default();
    for envelope in merge_by_position(region_events, member_events) {
        state.apply(envelope.position, &envelope.event)?;
    }
    Ok(coverage(&state, member_id))
}

fn read_until(
    envelopes: Box<dyn Iterator<Item = Result<Envelope, StoreError>> + '_>,
    limit: u64,
) -> Result<Vec<Envelope>, StoreError> {
    let mut kept = Vec::new();
    for envelope in envelopes {
        let envelope = envelope?;
        if envelope.position > limit {
            break;
        }
        kept.push(envelope);
    }
    Ok(kept)
}

fn merge_by_position(left: Vec<Envelope>, right: Vec<Envelope>) -> Vec<Envelope> {
    let mut merged: Vec<Envelope> = left.into_iter().chain(right).collect();
    merged.sort_by_key(|envelope| envelope.position);
    merged
}
