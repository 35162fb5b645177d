//! What a call that appends answers with (`Submitted`, `Stepped`, `AppendingError`):
//! exactly the envelopes it appended, in log order, as the log holds them, and, when
//! it failed after some appends were durable, those appends still, so the feed never
//! misses an event that is in the log.

use crate::support::*;
use flexledger::domain::policy::RegionName;
use flexledger::domain::{parse_command_value, CommandEnvelope, Refusal, StreamId};
use flexledger::ledger::{Appended, Ledger};
use flexledger::store::coverage_rows::CoverageItem;
use flexledger::store::{
    CheckpointWriter, Checkpoints, CommandRecord, CommandSpan, Envelope, EnvelopeIter, EventLog,
    FeedRows, IndexedIter, LogWriter, MemberIndex, ReplacedRow, Sha256, SledStore, StateKey,
    StateRows, StateWrite, StoreError,
};
use serde_json::json;
use uuid::Uuid;

/// Members of the region; closes are recorded `CHUNK_MEMBERS` at a time.
const MEMBERS: u128 = 5;
const CHUNK_MEMBERS: usize = 2;

fn member(index: u128) -> Uuid {
    Uuid::from_u128(0xa99e_0000_0000_4000_8000_0000_0000_0000 + index)
}

/// A policy and `MEMBERS` members enrolled in 2025-01 who never pay: closing January
/// records a `ContributionMissed` for each, in chunks.
fn region_commands() -> Vec<serde_json::Value> {
    let mut commands = vec![
        json!({"command": "publish_policy", "region": "appended", "effective_from": "2025-01", "average_monthly_wage": "10000.00", "contribution_rate": "0.10", "base_ratio_min": "0.60", "base_ratio_max": "3.00", "grace_months": 3, "benefit_delay_first": 6, "benefit_delay_reenroll": 1, "backpay_restores": "retroactive", "benefit_tiers": [{"min_continuous_months": 0, "tier": "basic"}]}),
    ];
    for index in 0..MEMBERS {
        commands.push(json!({"command": "enroll", "member_id": member(index), "region": "appended", "month": "2025-01", "base_ratio": "0.60", "labor_relationship": "none"}));
    }
    commands
}

fn close_january() -> serde_json::Value {
    json!({"command": "close_month", "region": "appended", "month": "2025-01"})
}

fn parsed(commands: Vec<serde_json::Value>) -> Vec<Result<CommandEnvelope, Refusal>> {
    commands.into_iter().map(parse_command_value).collect()
}

/// The log from `from` on, as stored.
fn log_from(store: &impl EventLog, from: u64) -> Vec<Envelope> {
    store.read_log(from).map(Result::unwrap).collect()
}

fn positions_and_hashes(envelopes: &[Envelope]) -> Vec<(u64, Sha256)> {
    envelopes
        .iter()
        .map(|envelope| (envelope.position, envelope.hash))
        .collect()
}

#[test]
fn submit_and_close_step_answer_with_exactly_what_they_appended() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    ledger.set_close_chunk_members(CHUNK_MEMBERS);
    ledger.set_close_in_background(true);
    let mut sources = FixedSources::new();
    let submitted = ledger
        .submit(parsed(region_commands()), &mut sources)
        .unwrap();
    assert_eq!(submitted.results.len(), region_commands().len());
    let log = log_from(ledger.store(), 1);
    assert_eq!(
        positions_and_hashes(&submitted.appended.envelopes),
        positions_and_hashes(&log)
    );
    // The close: its `MonthClosed` in `submit`'s answer, each chunk in a step's.
    let head = ledger.store().head().unwrap().0;
    let mut appended = ledger
        .submit(parsed(vec![close_january()]), &mut sources)
        .unwrap()
        .appended;
    let types: Vec<&str> = appended
        .envelopes
        .iter()
        .map(|envelope| envelope.event.type_name())
        .collect();
    assert_eq!(types, ["MonthClosed"]);
    let mut steps = 0;
    loop {
        let stepped = ledger.close_step(&mut sources).unwrap();
        let Some(progress) = stepped.progress else {
            assert!(stepped.appended.envelopes.is_empty(), "no close, no append");
            break;
        };
        steps += 1;
        assert!(!stepped.appended.envelopes.is_empty(), "{progress:?}");
        appended.extend(stepped.appended);
    }
    assert_eq!(steps, MEMBERS.div_ceil(CHUNK_MEMBERS as u128));
    assert_eq!(
        positions_and_hashes(&appended.envelopes),
        positions_and_hashes(&log_from(ledger.store(), head + 1))
    );
    let missed = appended
        .envelopes
        .iter()
        .filter(|envelope| envelope.event.type_name() == "ContributionMissed")
        .count();
    assert_eq!(missed as u128, MEMBERS);
}

#[test]
fn a_ledger_that_keeps_nothing_answers_with_nothing_appended() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path()).unwrap();
    ledger.set_keep_appended(false);
    let mut commands = region_commands();
    commands.push(close_january());
    let submitted = ledger
        .submit(parsed(commands), &mut FixedSources::new())
        .unwrap();
    assert!(submitted.results.iter().all(|result| result.is_accepted()));
    assert!(submitted.appended.envelopes.is_empty());
    assert!(submitted.appended.coverage.is_empty());
    assert!(
        ledger.store().head().unwrap().0 > 1,
        "the commands were appended"
    );
}

#[test]
fn a_submit_that_fails_mid_close_still_answers_with_what_it_appended() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = failing_after_two_appends(dir.path(), false);
    let mut sources = FixedSources::new();
    // Append 1: the region.
    ledger
        .submit(parsed(region_commands()), &mut sources)
        .unwrap();
    let head = ledger.store().head().unwrap().0;
    // Append 2: `MonthClosed`; append 3, the first chunk, fails.
    let failed = ledger
        .submit(parsed(vec![close_january()]), &mut sources)
        .unwrap_err();
    assert_eq!(failed.to_string(), failed.error.to_string());
    assert!(failed.to_string().contains(FAILURE), "{failed}");
    assert!(ledger.is_poisoned());
    let durable = log_from(ledger.store(), head + 1);
    assert_eq!(durable.len(), 1, "only the MonthClosed append is durable");
    assert_eq!(
        positions_and_hashes(&failed.appended.envelopes),
        positions_and_hashes(&durable)
    );
    let Appended { coverage, .. } = *failed.appended;
    assert!(coverage.iter().all(|change| change.position <= head + 1));
}

const FAILURE: &str = "the test store refuses this append";

/// A ledger closing in chunks of `CHUNK_MEMBERS` whose appends fail after the
/// second: with an engine error, or as a full disk when `disk_full`.
fn failing_after_two_appends(dir: &std::path::Path, disk_full: bool) -> Ledger<FailingAppend> {
    let store = FailingAppend {
        inner: SledStore::open(dir).unwrap(),
        appends_left: 2,
        disk_full,
    };
    let mut ledger = Ledger::with_store(store).unwrap();
    ledger.set_close_chunk_members(CHUNK_MEMBERS);
    ledger
}

/// A sled store whose appends fail once `appends_left` have been made: with an
/// engine error, or as a full disk when `disk_full`.
struct FailingAppend {
    inner: SledStore,
    appends_left: usize,
    disk_full: bool,
}

impl EventLog for FailingAppend {
    fn head(&self) -> Result<(u64, Sha256), StoreError> {
        self.inner.head()
    }
    fn read_log(&self, from: u64) -> EnvelopeIter<'_> {
        self.inner.read_log(from)
    }
    fn read_stream(&self, stream: &StreamId) -> EnvelopeIter<'_> {
        self.inner.read_stream(stream)
    }
    fn command_span(&self, command_id: Uuid) -> Result<Option<CommandSpan>, StoreError> {
        self.inner.command_span(command_id)
    }
    fn command_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        self.inner.command_ids()
    }
    fn stream_index(&self) -> IndexedIter<'_> {
        self.inner.stream_index()
    }
}

impl StateRows for FailingAppend {
    fn read_state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.read_state(key)
    }
    fn enrolled_members(&self, region: &RegionName) -> Result<Vec<Uuid>, StoreError> {
        self.inner.enrolled_members(region)
    }
    fn members_page(
        &self,
        index: MemberIndex,
        region: &RegionName,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<Uuid>, StoreError> {
        self.inner.members_page(index, region, after, limit)
    }
    fn closing_rows(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner.closing_rows()
    }
    fn region_rows(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner.region_rows()
    }
    fn member_row_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        self.inner.member_row_ids()
    }
}

impl FeedRows for FailingAppend {
    fn coverage_changes_page(
        &self,
        position: u64,
        after: Option<Uuid>,
        skip: u32,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner
            .coverage_changes_page(position, after, skip, limit)
    }
}

impl Checkpoints for FailingAppend {
    fn audit_checkpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.inner.audit_checkpoints()
    }
}

impl LogWriter for FailingAppend {
    fn append(
        &mut self,
        commands: &mut [CommandRecord],
        state: &[StateWrite],
    ) -> Result<(), StoreError> {
        if self.appends_left == 0 && self.disk_full {
            return Err(StoreError::DiskFull {
                path: "/srv/ledger".into(),
                source: std::io::Error::from_raw_os_error(28),
            });
        }
        if self.appends_left == 0 {
            return Err(StoreError::engine(std::io::Error::other(FAILURE)));
        }
        self.appends_left -= 1;
        self.inner.append(commands, state)
    }
    fn replace_state(
        &mut self,
        rows: &mut dyn Iterator<Item = StateWrite>,
        replaced: &mut dyn FnMut(ReplacedRow<'_>),
    ) -> Result<(), StoreError> {
        self.inner.replace_state(rows, replaced)
    }
    fn release_caches(&mut self) {
        self.inner.release_caches()
    }
    fn write_items_ahead(
        &mut self,
        position: u64,
        items: Vec<CoverageItem>,
    ) -> Result<(), StoreError> {
        self.inner.write_items_ahead(position, items)
    }
    fn discard_items_ahead(&mut self) -> Result<u64, StoreError> {
        self.inner.discard_items_ahead()
    }
}

impl CheckpointWriter for FailingAppend {
    fn put_audit_checkpoint(&mut self, tree_size: u64, bytes: &[u8]) -> Result<bool, StoreError> {
        self.inner.put_audit_checkpoint(tree_size, bytes)
    }
}

/// A full disk met by a close's chunk recorded in the background (no caller waiting on
/// it) stops the writer, and every command sent after is told of the full disk and its
/// path, not only "the writer stopped" (an operator's probe, 2026-12-05).
#[test]
fn commands_after_a_chunk_met_a_full_disk_are_told_of_the_full_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = failing_after_two_appends(dir.path(), true);
    ledger.set_close_in_background(true);
    let writer = flexledger::writer::Writer::start(ledger, Box::new(FixedSources::new()));
    let counters = writer.counters();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Appends 1 and 2: the region, then the close; its first chunk, in the
    // background, meets the full disk.
    runtime
        .block_on(writer.submit(parsed(region_commands())))
        .unwrap();
    runtime
        .block_on(writer.submit(parsed(vec![close_january()])))
        .unwrap();
    let waited = std::time::Instant::now();
    while !counters.failed.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(waited.elapsed().as_secs() < 60, "the chunk failed");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let enroll = json!({"command": "enroll", "member_id": member(99), "region": "appended", "month": "2025-02", "base_ratio": "0.60", "labor_relationship": "none"});
    let answer = runtime.block_on(writer.submit(parsed(vec![enroll])));
    let Err(flexledger::writer::WriterError::Failed(_, Some(said), _)) = answer else {
        panic!("told of the full disk: {answer:?}");
    };
    let said = said.in_language(flexledger::i18n::Language::En);
    assert!(
        said.contains("/srv/ledger") && said.contains("is full"),
        "{said}"
    );
}
