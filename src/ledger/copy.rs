//! Moving a ledger from one store to another (sled to PostgreSQL and back, or a sled
//! directory to a new one): every event at its position with its event id, command id,
//! recorded time and hashes, every command record with its body digest, every feed
//! item, every signed audit checkpoint; the state rows are then rebuilt from the copied
//! log (they are derived, D30), so both ends fold to the same coverage.
//!
//! Why through the store's traits and not an engine's dump: the destination seals every
//! event again as it appends it (both hash chains), and the copy checks that each
//! sealed hash equals the source's, so a copy cannot silently change what an auditor
//! has already verified. An interrupted copy resumes: a destination whose log is a
//! prefix of the source's (the same hash at its head) continues after its head.
//!
//! Until the copy is whole, its destination holds a prefix of the source's log, which
//! would open as a healthy, shorter ledger (and take writes that make the copy
//! impossible to finish). So the copy's first write, and every append of it, writes
//! the `StateKey::CopyUnfinished` row (the source and how far it got; a sled store the
//! copy makes holds it from the start), and the copy's last
//! write, once the checkpoints and the rebuilt state rows are durable, removes it:
//! every open but a copy's refuses a store that holds it (`store::Location::open`).

use super::{rebuild_state, LedgerError};
use crate::i18n::Sentence;
use crate::store::{
    CommandRecord, Envelope, EventLog, EventStore, FeedRows, ReadStore, StateKey, StateRows,
    StateWrite, StoreError,
};
use uuid::Uuid;

/// Events appended to the destination per atomic append, at most (whole commands: a
/// command with more events than this is appended alone).
pub const COPY_BATCH_EVENTS_MAX: usize = 4096;

/// How a copy runs.
#[derive(Clone, Debug)]
pub struct CopyOptions {
    /// The source as messages name it (a URL with its password redacted): kept in the
    /// destination's `CopyUnfinished` row, for the error that refuses it meanwhile.
    pub from: String,
    /// Events per destination append, at most (`COPY_BATCH_EVENTS_MAX`; tests make it
    /// small to stop a copy part-way).
    pub batch_events_max: usize,
}

impl CopyOptions {
    /// A copy from the source named `from`, in appends of `COPY_BATCH_EVENTS_MAX`.
    pub fn new(from: impl Into<String>) -> CopyOptions {
        CopyOptions {
            from: from.into(),
            batch_events_max: COPY_BATCH_EVENTS_MAX,
        }
    }

    /// The destination's `CopyUnfinished` row with positions 1..`copied` copied (the
    /// mark a destination holds until the copy is whole; `store::Location::
    /// open_to_copy_into` makes a new sled store with it in place).
    pub fn unfinished(&self, copied: u64, source_head: u64) -> StateWrite {
        let row = crate::codec::rows::CopyUnfinished {
            from: self.from.clone(),
            copied,
            source_head,
        };
        StateWrite {
            key: StateKey::CopyUnfinished,
            value: Some(crate::codec::rows::encode_copy_unfinished_row(&row)),
        }
    }
}
/// Feed items read from the source per page.
const COPY_FEED_PAGE_ITEMS_MAX: usize = 1024;

/// What a copy did.
#[derive(Debug, serde::Serialize)]
pub struct CopyReport {
    pub ok: bool,
    /// Events in the destination's log now (= the source's head).
    pub events: u64,
    /// Events the destination held before (a resumed copy).
    pub resumed_after: u64,
    /// Command records and feed items copied by this run: a resumed copy counts only
    /// what it copied after `resumed_after`.
    pub commands: u64,
    pub feed_items: u64,
    /// The source's checkpoints, every one: each run writes them all again (they are
    /// few, and a checkpoint written twice is the same row).
    pub checkpoints: u64,
    pub head_hash: crate::store::Sha256,
    /// The destination's state rows, rebuilt from the copied log.
    pub rebuilt: RebuiltRows,
}

/// What the rebuild at the end of a copy wrote. Not a [`super::RebuildReport`]: the
/// destination starts with no state rows, so every row would be listed as differing,
/// which reads like damage in a copy that went well.
#[derive(Debug, serde::Serialize)]
pub struct RebuiltRows {
    pub members: u64,
    pub regions: u64,
}

/// Why a copy stopped. Nothing acknowledged is lost: what was appended stays, and a
/// second run resumes after it.
/// Each but `Ledger` is said as a catalog sentence (`CopyError::sentence`,
/// `locales/*/backup.ftl`), whose English is its `Display`.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The destination's event at `position` (its head) is not the source's.
    #[error("{}", self.english())]
    DestinationDiffers { position: u64 },
    #[error("{}", self.english())]
    DestinationAhead { destination: u64, source_head: u64 },
    /// The destination holds an unfinished copy (its `CopyUnfinished` row) of another
    /// source, `from` (as its row names it), which got to position `copied` of that
    /// source's `source_head`, and whose log is not this source's.
    #[error("{}", self.english())]
    UnfinishedFromAnotherSource {
        from: String,
        copied: u64,
        source_head: u64,
    },
    #[error("{}", self.english())]
    HashChanged { position: u64 },
    #[error("{}", self.english())]
    CommandsWithoutEvents { count: usize },
}

impl CopyError {
    /// Why the copy stopped, as a catalog sentence, so that a shell says it in the
    /// reader's language (D37); `None` for a ledger's (or store's) error, which has its
    /// own (`StoreError::sentence`).
    pub fn sentence(&self) -> Option<Sentence> {
        let text = |value: &dyn std::fmt::Display| value.to_string();
        let (id, args) = match self {
            CopyError::Ledger(_) => return None,
            CopyError::DestinationDiffers { position } => (
                "backup-copy-destination-differs",
                vec![("position", text(position))],
            ),
            CopyError::DestinationAhead {
                destination,
                source_head,
            } => (
                "backup-copy-destination-ahead",
                vec![
                    ("destination", text(destination)),
                    ("source_head", text(source_head)),
                ],
            ),
            CopyError::UnfinishedFromAnotherSource {
                from,
                copied,
                source_head,
            } => (
                "backup-copy-unfinished-from-another-source",
                vec![
                    ("from", text(from)),
                    ("copied", text(copied)),
                    ("source_head", text(source_head)),
                    ("quoted_from", crate::shell_support::shell_quoted(from)),
                    (
                        "hidden",
                        crate::store::passwords_hidden(from, "").to_owned(),
                    ),
                ],
            ),
            CopyError::HashChanged { position } => (
                "backup-copy-hash-changed",
                vec![("position", text(position))],
            ),
            CopyError::CommandsWithoutEvents { count } => (
                "backup-copy-commands-without-events",
                vec![("count", text(count))],
            ),
        };
        Some(Sentence::new(id, args))
    }

    /// The English of an error with a sentence.
    fn english(&self) -> String {
        crate::i18n::english_of(self.sentence())
    }
}

impl From<StoreError> for CopyError {
    fn from(error: StoreError) -> CopyError {
        CopyError::Ledger(error.into())
    }
}

/// Copies `source` into `destination` (empty, or holding an interrupted copy of the
/// same source), then rebuilds the destination's state rows. `progress` is told the
/// position the copy resumes after once the destination is marked, the last position
/// of each append but the last, then each position folded by the rebuild. The
/// destination is marked unfinished before the copy writes anything else, and the
/// mark is removed by the copy's last write.
pub fn copy_ledger<D: EventStore>(
    source: &(impl ReadStore + ?Sized),
    destination: &mut D,
    options: &CopyOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<CopyReport, CopyError> {
    let (source_head, source_hash) = source.head()?;
    let resumed_after = resume_point(source, destination, source_head, options)?;
    // Marked before anything else is written: a store a copy stopped in before its
    // first append (a database its operator migrated, a sled store made earlier) must
    // not open as an empty ledger, which would take commands and never let the copy
    // finish (D39).
    destination.append(&mut [], &[options.unfinished(resumed_after, source_head)])?;
    progress(resumed_after);
    let mut feed = FeedCursor::new(resumed_after + 1);
    let mut batch = Batch::default();
    let mut commands = 0u64;
    let mut append = |batch: &mut Batch, feed: &mut FeedCursor| {
        batch.append(source, destination, feed, |copied| {
            options.unfinished(copied, source_head)
        })
    };
    for envelope in source.read_log(resumed_after + 1) {
        let envelope = envelope?;
        if batch.last_command() != Some(envelope.command_id) {
            if batch.events >= options.batch_events_max {
                append(&mut batch, &mut feed)?;
                progress(feed.next_position - 1);
            }
            batch.start(source, envelope.command_id)?;
            commands += 1;
        }
        batch.push(envelope);
    }
    append(&mut batch, &mut feed)?;
    let copied_commands = destination.command_ids()?.len();
    let source_commands = source.command_ids()?.len();
    if copied_commands != source_commands {
        return Err(CopyError::CommandsWithoutEvents {
            count: source_commands.abs_diff(copied_commands),
        });
    }
    let mut checkpoints = 0;
    for (tree_size, bytes) in source.audit_checkpoints()? {
        destination.put_audit_checkpoint(tree_size, &bytes)?;
        checkpoints += 1;
    }
    let rebuilt = rebuild_state(destination, progress)?;
    // The last write: every other step is durable, so the destination is now the
    // source's ledger, whole.
    let finished = StateWrite {
        key: StateKey::CopyUnfinished,
        value: None,
    };
    destination.append(&mut [], &[finished])?;
    Ok(CopyReport {
        ok: true,
        events: source_head,
        resumed_after,
        commands,
        feed_items: feed.copied,
        checkpoints,
        head_hash: source_hash,
        rebuilt: RebuiltRows {
            members: rebuilt.members,
            regions: rebuilt.regions,
        },
    })
}

/// Where the copy starts: after the destination's head, if its log is the source's
/// up to there; a destination that is not is refused as what it holds.
fn resume_point(
    source: &(impl ReadStore + ?Sized),
    destination: &(impl EventLog + StateRows),
    source_head: u64,
    options: &CopyOptions,
) -> Result<u64, CopyError> {
    log_resume_point(source, destination, source_head).map_err(|refusal| match refusal {
        CopyError::DestinationDiffers { .. } | CopyError::DestinationAhead { .. } => {
            another_source_s_copy(destination, options).unwrap_or(refusal)
        }
        other => other,
    })
}

/// The destination's head, if its log is the source's up to there.
fn log_resume_point(
    source: &(impl ReadStore + ?Sized),
    destination: &impl EventLog,
    source_head: u64,
) -> Result<u64, CopyError> {
    let (head, hash) = destination.head()?;
    if head == 0 {
        return Ok(0);
    }
    if head > source_head {
        return Err(CopyError::DestinationAhead {
            destination: head,
            source_head,
        });
    }
    match source.read_log(head).next().transpose()? {
        Some(envelope) if envelope.position == head && envelope.hash == hash => Ok(head),
        _ => Err(CopyError::DestinationDiffers { position: head }),
    }
}

/// A destination that is not this source's, said as what it is when it holds an
/// unfinished copy of another source (its mark names another `from`): a probe saw it
/// called "a different ledger", which left the reader to guess what to do. `None` when
/// it holds no mark, or one of this source (a store at that path that changed), or
/// one that cannot be read (the refusal already said is kept).
fn another_source_s_copy(destination: &impl StateRows, options: &CopyOptions) -> Option<CopyError> {
    let row = destination
        .read_state(&StateKey::CopyUnfinished)
        .ok()
        .flatten()?;
    let mark = crate::codec::rows::decode_copy_unfinished_row(&row).ok()?;
    (mark.from != options.from).then_some(CopyError::UnfinishedFromAnotherSource {
        from: mark.from,
        copied: mark.copied,
        source_head: mark.source_head,
    })
}

/// The commands of one destination append, being gathered.
#[derive(Default)]
struct Batch {
    commands: Vec<CommandRecord>,
    events: usize,
}

impl Batch {
    fn last_command(&self) -> Option<Uuid> {
        self.commands.last().map(|command| command.command_id)
    }

    /// Starts the next command: its record (with the body digest the source keeps).
    fn start(
        &mut self,
        source: &(impl ReadStore + ?Sized),
        command_id: Uuid,
    ) -> Result<(), CopyError> {
        let span = source.command_span(command_id)?;
        self.commands.push(CommandRecord {
            command_id,
            envelopes: Vec::new(),
            body_digest: span.and_then(|span| span.body_digest),
        });
        Ok(())
    }

    fn push(&mut self, envelope: Envelope) {
        // OK because `start` ran for this envelope's command before it.
        let command = self.commands.last_mut().expect("a command was started");
        command.envelopes.push(envelope);
        self.events += 1;
    }

    /// Appends the gathered commands with their feed items and the `unfinished` row
    /// (given the last position appended), and checks that every event sealed to the
    /// source's hash.
    fn append(
        &mut self,
        source: &(impl ReadStore + ?Sized),
        destination: &mut impl EventStore,
        feed: &mut FeedCursor,
        unfinished: impl FnOnce(u64) -> StateWrite,
    ) -> Result<(), CopyError> {
        let Some(last) = self
            .commands
            .iter()
            .rev()
            .find_map(|command| command.envelopes.last())
        else {
            return Ok(());
        };
        let last_position = last.position;
        let expected: Vec<(u64, crate::store::Sha256)> = self
            .commands
            .iter()
            .flat_map(|command| &command.envelopes)
            .map(|envelope| (envelope.position, envelope.hash))
            .collect();
        let mut writes = feed.items_through(source, last_position)?;
        writes.push(unfinished(last_position));
        destination.append(&mut self.commands, &writes)?;
        let sealed = self
            .commands
            .iter()
            .flat_map(|command| &command.envelopes)
            .map(|envelope| (envelope.position, envelope.hash));
        if let Some(((position, _), _)) = expected
            .iter()
            .zip(sealed)
            .find(|((_, expected), (_, sealed))| expected != sealed)
        {
            return Err(CopyError::HashChanged {
                position: *position,
            });
        }
        *self = Batch::default();
        Ok(())
    }
}

/// Reads the source's feed items in step with the log.
struct FeedCursor {
    /// The first position whose items are not copied yet.
    next_position: u64,
    copied: u64,
}

impl FeedCursor {
    fn new(next_position: u64) -> FeedCursor {
        FeedCursor {
            next_position,
            copied: 0,
        }
    }

    /// Every feed item at positions from the cursor through `last`, as the state
    /// writes of the append of those positions (the only way items are written).
    fn items_through(
        &mut self,
        source: &(impl FeedRows + ?Sized),
        last: u64,
    ) -> Result<Vec<StateWrite>, CopyError> {
        let mut writes = Vec::new();
        let (mut position, mut after) = (self.next_position, None);
        loop {
            let page =
                source.coverage_changes_page(position, after, 0, COPY_FEED_PAGE_ITEMS_MAX)?;
            let full = page.len() == COPY_FEED_PAGE_ITEMS_MAX;
            for item in page {
                let change =
                    crate::codec::rows::decode_coverage_item(&item).map_err(|message| {
                        StoreError::Corrupt {
                            position,
                            message: crate::store::findings::feed_item_undecodable(message),
                        }
                    })?;
                if change.position > last {
                    self.next_position = last + 1;
                    return Ok(writes);
                }
                (position, after) = (change.position, Some(change.member_id));
                writes.push(StateWrite {
                    key: StateKey::CoverageChange(change.position, change.member_id),
                    value: Some(item),
                });
                self.copied += 1;
            }
            if !full {
                self.next_position = last + 1;
                return Ok(writes);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CopyError;
    use crate::i18n::Language;

    /// Each refusal's English is what it said before it was a sentence; each is said
    /// in Chinese.
    #[test]
    fn a_refused_copy_says_its_english_as_before_and_chinese() {
        let refusals = [
            (
                CopyError::DestinationDiffers { position: 7 },
                "the destination already holds a different ledger: its event at position 7 \
                 is not the source's (a copy only fills an empty store or resumes its own copy)",
                "目标存储中已有另一个账本：其位置 7 的事件与源账本的不同",
            ),
            (
                CopyError::DestinationAhead {
                    destination: 9,
                    source_head: 4,
                },
                "the destination's log (9 events) is longer than the source's (4): it holds \
                 another ledger, or a copy of this one made later; copy into a new or empty \
                 store, or remove the destination and copy again",
                "目标存储的日志（9 个事件）比源账本的（4 个）更长",
            ),
            (
                CopyError::UnfinishedFromAnotherSource {
                    from: "/data/a".into(),
                    copied: 4,
                    source_head: 33,
                },
                "the destination holds an unfinished copy of a different source store, /data/a \
                 (4 of its 33 events copied), not of this one: finish that copy by running \
                 `flexledger copy --from '/data/a'` again with the same --to, or copy this source \
                 into a new or empty destination",
                "目标存储中有一次尚未完成的复制，其源是另一个存储 /data/a",
            ),
            (
                CopyError::HashChanged { position: 3 },
                "the copied event at position 3 sealed to another hash than the source's: \
                 nothing after it was copied",
                "复制到位置 3 的事件封存后的哈希与源账本的不同",
            ),
            (
                CopyError::CommandsWithoutEvents { count: 2 },
                "the source remembers 2 command id(s) that have no events; run `flexledger \
                 verify` on it",
                "源账本记有 2 个没有事件的命令标识",
            ),
        ];
        for (refusal, english, chinese) in refusals {
            assert_eq!(refusal.to_string(), english);
            let said = refusal.sentence().unwrap().in_language(Language::ZhCn);
            assert!(said.starts_with(chinese), "{said}");
        }
    }
}
