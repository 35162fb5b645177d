//! The store's contract, as one suite every engine runs: positions without gaps,
//! optimistic concurrency, command ids remembered, events and state rows in one atomic
//! append, streams in order with their chains, state row pages in id order, feed-row
//! pages, checkpoints never replaced, everything kept across a reopen, a reader beside
//! the writer seeing every completed append, and damage (a flipped byte, a log cut
//! short) reported with its position.
//!
//! The suite speaks only through the store's traits (`flexledger::store`); what it
//! cannot say through them (open a store, open it read-only, damage it below the
//! traits) an engine says through `Engine`. A new engine adds an `Engine` impl and
//! one `conformance!` line.

use flexledger::domain::event::DeductionChanged;
use flexledger::domain::policy::RegionName;
use flexledger::domain::{Event, StreamId};
use flexledger::store::{
    CheckpointWriter, Checkpoints, CommandRecord, Envelope, EventLog, EventStore, FeedRows,
    LogWriter, MemberIndex, ReadStore, Sha256, StateKey, StateRows, StateWrite, StoreError,
};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use uuid::Uuid;

/// What the suite needs of an engine besides the traits.
pub trait Engine {
    type Store: EventStore;
    type Reader: ReadStore;
    /// Whether the engine can run here (a server engine's binaries may be missing:
    /// its tests then pass after saying why, unless `CI` is set).
    fn available() -> bool {
        true
    }
    /// Opens (creating if needed) a store for writing.
    fn open(dir: &Path) -> Result<Self::Store, StoreError>;
    /// Opens a store that only reads.
    fn open_read_only(dir: &Path) -> Result<Self::Reader, StoreError>;
    /// A read-only handle beside the writer (the server's requests and feed).
    fn reader(store: &Self::Store) -> Self::Reader;
    /// Changes one byte of the stored event at `position`, below the traits.
    fn flip_byte(dir: &Path, position: u64);
    /// Loses every event after `keep`, below the traits, as a damaged engine would.
    fn cut_short(dir: &Path, keep: u64);
}

/// sled: tampering goes through its own API, as `integrity.rs` does.
pub struct Sled;

impl Engine for Sled {
    type Store = flexledger::store::SledStore;
    type Reader = flexledger::store::SledReader;

    fn open(dir: &Path) -> Result<Self::Store, StoreError> {
        flexledger::store::SledStore::open(dir)
    }

    fn open_read_only(dir: &Path) -> Result<Self::Reader, StoreError> {
        flexledger::store::SledStore::open_read_only(dir)
    }

    fn reader(store: &Self::Store) -> Self::Reader {
        store.reader()
    }

    fn flip_byte(dir: &Path, position: u64) {
        crate::integrity::flip_stored_byte(dir, position, |value| {
            let last = value.len() - 1;
            (last, value[last] ^ 0x01)
        });
    }

    fn cut_short(dir: &Path, keep: u64) {
        crate::integrity::edit_log(dir, |entries| {
            entries.retain(|position, _| *position <= keep)
        });
    }
}

/// PostgreSQL: each store `dir` maps to a fresh, migrated database of the test
/// process's cluster (`support::postgres`), its URL kept in `dir` so that a reopen finds
/// it; tampering goes through SQL, below the traits.
pub struct Postgres;

/// The URL of the database for `dir`, created and migrated on first use.
pub fn postgres_database(dir: &Path) -> String {
    let file = dir.join("postgres-url");
    if let Ok(url) = std::fs::read_to_string(&file) {
        return url;
    }
    let cluster = crate::support::postgres::cluster().expect("the PostgreSQL tests run");
    let url = cluster.fresh_database();
    flexledger::store::postgres::migrate(&url).unwrap();
    std::fs::write(&file, &url).unwrap();
    url
}

fn postgres_client(dir: &Path) -> ::postgres::Client {
    ::postgres::Client::connect(&postgres_database(dir), ::postgres::NoTls).unwrap()
}

impl Engine for Postgres {
    type Store = flexledger::store::PgStore;
    type Reader = flexledger::store::PgReader;

    fn available() -> bool {
        crate::support::postgres::cluster().is_some()
    }

    fn open(dir: &Path) -> Result<Self::Store, StoreError> {
        flexledger::store::PgStore::open(&postgres_database(dir))
    }

    fn open_read_only(dir: &Path) -> Result<Self::Reader, StoreError> {
        flexledger::store::PgStore::open_read_only(&postgres_database(dir))
    }

    fn reader(store: &Self::Store) -> Self::Reader {
        store.reader()
    }

    fn flip_byte(dir: &Path, position: u64) {
        let mut client = postgres_client(dir);
        let position = i64::try_from(position).unwrap();
        let row = client
            .query_one(
                "SELECT entry FROM log_entries WHERE position = $1",
                &[&position],
            )
            .unwrap();
        let mut entry: Vec<u8> = row.get(0);
        let last = entry.len() - 1;
        entry[last] ^= 0x01;
        client
            .execute(
                "UPDATE log_entries SET entry = $2 WHERE position = $1",
                &[&position, &entry],
            )
            .unwrap();
    }

    fn cut_short(dir: &Path, keep: u64) {
        let keep = i64::try_from(keep).unwrap();
        postgres_client(dir)
            .execute("DELETE FROM log_entries WHERE position > $1", &[&keep])
            .unwrap();
    }
}

/// Builds commands whose envelopes continue the log and their streams: one
/// `DeductionStopped` event per member named.
pub struct Commands {
    next_position: u64,
    versions: HashMap<String, u64>,
}

impl Commands {
    pub fn new() -> Commands {
        Commands {
            next_position: 1,
            versions: HashMap::new(),
        }
    }

    pub fn command(&mut self, id: u128, members: &[u128]) -> CommandRecord {
        let command_id = Uuid::from_u128(id);
        let envelopes = members
            .iter()
            .map(|member| {
                let event = Event::DeductionStopped(DeductionChanged {
                    member_id: member_id(*member),
                });
                let version = self.versions.entry(event.stream().name()).or_insert(0);
                *version += 1;
                let position = self.next_position;
                self.next_position += 1;
                let event_id = Uuid::from_u128(u128::from(position) << 64 | id);
                Envelope::new(
                    position,
                    *version,
                    event,
                    event_id,
                    recorded_at(),
                    command_id,
                )
            })
            .collect();
        CommandRecord {
            command_id,
            envelopes,
            body_digest: Some(Sha256::of(&id.to_be_bytes())),
        }
    }
}

fn member_id(member: u128) -> Uuid {
    Uuid::from_u128(0x7000_0000_0000_4000_8000_0000_0000_0000 + member)
}

fn recorded_at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-01-10T08:00:00Z")
        .unwrap()
        .into()
}

fn region(name: &str) -> RegionName {
    RegionName::parse(name).unwrap()
}

fn row(key: StateKey, value: &[u8]) -> StateWrite {
    StateWrite {
        key,
        value: Some(value.to_vec()),
    }
}

fn log_of(store: &impl EventLog) -> Vec<Envelope> {
    store.read_log(1).map(Result::unwrap).collect()
}

fn positions(envelopes: &[Envelope]) -> Vec<u64> {
    envelopes.iter().map(|envelope| envelope.position).collect()
}

/// A store with four events in three commands: member 1 twice, member 2 once, member 1
/// again; state rows and one coverage item written with them.
fn filled<E: Engine>(dir: &Path) -> E::Store {
    let mut store = E::open(dir).unwrap();
    let mut commands = Commands::new();
    let mut first = vec![commands.command(1, &[1, 2])];
    store
        .append(
            &mut first,
            &[
                row(StateKey::Member(member_id(1)), b"member one"),
                row(StateKey::CoverageChange(2, member_id(2)), b"item at 2"),
            ],
        )
        .unwrap();
    let mut rest = vec![commands.command(2, &[1]), commands.command(3, &[2])];
    store
        .append(&mut rest, &[row(StateKey::Checkpoint, b"at 4")])
        .unwrap();
    store
}

pub fn positions_continue_without_gaps<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    let log = log_of(&store);
    assert_eq!(positions(&log), [1, 2, 3, 4]);
    assert_eq!(store.head().unwrap(), (4, log[3].hash));
    assert_eq!(
        positions(&store.read_log(3).map(Result::unwrap).collect::<Vec<_>>()),
        [3, 4]
    );
    assert_eq!(
        store.read_log(5).count(),
        0,
        "beyond the head there is nothing yet"
    );
    for wrong in [4, 6] {
        let mut commands = Commands::new();
        commands.next_position = wrong;
        let mut gap = vec![commands.command(9, &[3])];
        match store.append(&mut gap, &[]) {
            Err(StoreError::PositionGap { head, position }) => {
                assert_eq!((head, position), (4, wrong))
            }
            other => panic!("position {wrong}: expected a gap, got {other:?}"),
        }
    }
    assert_eq!(log_of(&store), log, "a refused append writes nothing");
}

pub fn a_version_conflict_refuses_the_whole_append<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    let mut commands = Commands::new();
    commands.next_position = 5;
    let fine = commands.command(10, &[3]);
    // Member 1's stream is at version 2: a second writer that read it at 1 appends 2.
    commands
        .versions
        .insert(StreamId::Member(member_id(1)).name(), 1);
    let stale = commands.command(11, &[1]);
    let mut batch = vec![fine, stale];
    let written = [row(StateKey::Member(member_id(3)), b"member three")];
    match store.append(&mut batch, &written) {
        Err(StoreError::VersionConflict {
            stream,
            expected,
            actual,
        }) => {
            assert_eq!(stream, StreamId::Member(member_id(1)).name());
            assert_eq!((expected, actual), (1, 2));
        }
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(
        store.head().unwrap().0,
        4,
        "nothing of the append was written"
    );
    assert_eq!(store.command_span(Uuid::from_u128(10)).unwrap(), None);
    assert_eq!(
        store.read_stream(&StreamId::Member(member_id(3))).count(),
        0
    );
    assert_eq!(
        store.read_state(&StateKey::Member(member_id(3))).unwrap(),
        None,
        "nor the state rows written with it"
    );
}

pub fn a_repeated_command_id_is_refused<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    let mut commands = Commands::new();
    commands.next_position = 5;
    let mut again = vec![commands.command(2, &[3])];
    match store.append(&mut again, &[row(StateKey::Member(member_id(3)), b"x")]) {
        Err(StoreError::CommandRepeated { command_id }) => {
            assert_eq!(command_id, Uuid::from_u128(2))
        }
        other => panic!("expected a repeated command, got {other:?}"),
    }
    assert_eq!(store.head().unwrap().0, 4);
    assert_eq!(
        store.read_state(&StateKey::Member(member_id(3))).unwrap(),
        None
    );
}

pub fn a_command_id_twice_in_one_append_is_refused<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    let mut commands = Commands::new();
    commands.next_position = 5;
    let mut twice = vec![commands.command(7, &[3]), commands.command(7, &[4])];
    match store.append(&mut twice, &[]) {
        Err(StoreError::CommandRepeated { command_id }) => {
            assert_eq!(command_id, Uuid::from_u128(7))
        }
        other => panic!("expected a repeated command, got {other:?}"),
    }
    assert_eq!(store.head().unwrap().0, 4);
    assert_eq!(store.command_span(Uuid::from_u128(7)).unwrap(), None);
}

pub fn events_and_state_rows_are_one_append<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    assert_eq!(
        store
            .read_state(&StateKey::Member(member_id(1)))
            .unwrap()
            .as_deref(),
        Some(&b"member one"[..])
    );
    assert_eq!(
        store.read_state(&StateKey::Checkpoint).unwrap().as_deref(),
        Some(&b"at 4"[..])
    );
    // Rows alone (a close's progress) and a removal, in one append of no events.
    let closing = StateKey::Closing(region("north"));
    store
        .append(
            &mut [],
            &[
                row(closing.clone(), b"closing"),
                StateWrite {
                    key: StateKey::Member(member_id(1)),
                    value: None,
                },
            ],
        )
        .unwrap();
    assert_eq!(store.head().unwrap().0, 4);
    assert_eq!(
        store.read_state(&StateKey::Member(member_id(1))).unwrap(),
        None
    );
    assert_eq!(store.closing_rows().unwrap(), [b"closing".to_vec()]);
    // Many rows at once, in the order asked (a missing or removed row is `None`, a key
    // asked twice is answered twice).
    let asked = [
        StateKey::Checkpoint,
        StateKey::Member(member_id(1)),
        closing.clone(),
        StateKey::Member(member_id(7)),
        StateKey::Checkpoint,
    ];
    assert_eq!(
        store.read_states(&asked).unwrap(),
        [
            Some(b"at 4".to_vec()),
            None,
            Some(b"closing".to_vec()),
            None,
            Some(b"at 4".to_vec())
        ]
    );
    assert!(store.read_states(&[]).unwrap().is_empty());
}

pub fn streams_read_in_version_order_with_both_chains<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled::<E>(dir.path());
    let log = log_of(&store);
    let mut previous = Sha256::ZERO;
    for envelope in &log {
        assert_eq!(
            envelope.prev_hash, previous,
            "position {}",
            envelope.position
        );
        assert_eq!(envelope.hash, Sha256::of(&envelope.canonical_bytes()));
        previous = envelope.hash;
    }
    let stream: Vec<Envelope> = store
        .read_stream(&StreamId::Member(member_id(1)))
        .map(Result::unwrap)
        .collect();
    assert_eq!(positions(&stream), [1, 3]);
    assert_eq!(
        stream
            .iter()
            .map(|envelope| envelope.version)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(stream[0].stream_prev_hash, Sha256::ZERO);
    assert_eq!(stream[1].stream_prev_hash, stream[0].hash);
    assert_eq!(stream, [log[0].clone(), log[2].clone()]);
    assert_eq!(
        store.read_stream(&StreamId::Member(member_id(9))).count(),
        0
    );
}

/// A stream of many events, appended many in one command, many commands in one
/// append, then one at a time after reopening, reads whole and in order (sled keeps a
/// stream's positions in rows of a bounded size: this crosses several rows).
/// The index read whole (`stream_index`) lists the same events at the same positions.
pub fn a_long_stream_reads_whole_across_appends_and_reopening<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut commands = Commands::new();
    {
        let mut store = E::open(dir.path()).unwrap();
        store
            .append(&mut [commands.command(1, &[1; 70])], &[])
            .unwrap();
        let mut many: Vec<CommandRecord> =
            (2..42).map(|id| commands.command(id, &[2, 1])).collect();
        store.append(&mut many, &[]).unwrap();
    }
    let mut store = E::open(dir.path()).unwrap();
    for id in 42..102 {
        store
            .append(&mut [commands.command(id, &[1])], &[])
            .unwrap();
    }
    let log = log_of(&store);
    let expected: Vec<Envelope> = log
        .iter()
        .filter(|envelope| envelope.stream == StreamId::Member(member_id(1)).name())
        .cloned()
        .collect();
    assert_eq!(expected.len(), 70 + 40 + 60);
    let check = |store: &dyn ReadStore| {
        let stream: Vec<Envelope> = store
            .read_stream(&StreamId::Member(member_id(1)))
            .map(Result::unwrap)
            .collect();
        assert_eq!(stream, expected);
        assert_eq!(
            store.read_stream(&StreamId::Member(member_id(2))).count(),
            40
        );
        crate::support::assert_stream_index_is_the_logs(store);
    };
    check(&store);
    check(&E::reader(&store));
    drop(store);
    check(&E::open_read_only(dir.path()).unwrap());
}

pub fn command_spans_name_where_a_command_sits<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    let span = store.command_span(Uuid::from_u128(1)).unwrap().unwrap();
    assert_eq!((span.first_position, span.event_count), (1, 2));
    assert_eq!(span.body_digest, Some(Sha256::of(&1u128.to_be_bytes())));
    let span = store.command_span(Uuid::from_u128(3)).unwrap().unwrap();
    assert_eq!((span.first_position, span.event_count), (4, 1));
    assert_eq!(store.command_span(Uuid::from_u128(4)).unwrap(), None);
    // A command recorded without its body's digest (before contract v2).
    let mut commands = Commands::new();
    commands.next_position = 5;
    let mut old = commands.command(4, &[5]);
    old.body_digest = None;
    store.append(&mut [old], &[]).unwrap();
    let span = store.command_span(Uuid::from_u128(4)).unwrap().unwrap();
    assert_eq!(
        (span.first_position, span.event_count, span.body_digest),
        (5, 1, None)
    );
    let mut ids = store.command_ids().unwrap();
    ids.sort();
    assert_eq!(ids, (1..=4).map(Uuid::from_u128).collect::<Vec<_>>());
    // Many at once answer as one at a time: only the accepted ones, each with its span.
    let asked: Vec<Uuid> = [3, 9, 1, 4, 1].map(Uuid::from_u128).to_vec();
    let spans = store.command_spans(&asked).unwrap();
    let mut found: Vec<Uuid> = spans.keys().copied().collect();
    found.sort();
    assert_eq!(found, [1, 3, 4].map(Uuid::from_u128));
    for (id, span) in &spans {
        assert_eq!(Some(*span), store.command_span(*id).unwrap(), "{id}");
    }
    assert!(store.command_spans(&[]).unwrap().is_empty());
}

pub fn state_row_pages_are_in_id_order<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = E::open(dir.path()).unwrap();
    let (north, northern) = (region("north"), region("northern"));
    let mut rows = Vec::new();
    // Written out of order, and a region whose name starts with the other's.
    for member in [7, 3, 9, 1, 5] {
        rows.push(row(
            StateKey::Enrolled(north.clone(), member_id(member)),
            b"",
        ));
        rows.push(row(StateKey::Member(member_id(member)), b"m"));
    }
    rows.push(row(StateKey::Enrolled(northern.clone(), member_id(2)), b""));
    rows.push(row(StateKey::Granted(north.clone(), member_id(4)), b""));
    rows.push(row(StateKey::Region(north.clone()), b"north"));
    rows.push(row(StateKey::Region(northern.clone()), b"northern"));
    store.append(&mut [], &rows).unwrap();
    let ids = |members: &[u128]| members.iter().map(|m| member_id(*m)).collect::<Vec<_>>();
    assert_eq!(
        store.enrolled_members(&north).unwrap(),
        ids(&[1, 3, 5, 7, 9])
    );
    let page = |after, limit| {
        store
            .members_page(MemberIndex::Enrolled, &north, after, limit)
            .unwrap()
    };
    assert_eq!(page(None, 2), ids(&[1, 3]));
    assert_eq!(page(Some(member_id(3)), 2), ids(&[5, 7]));
    assert_eq!(
        page(Some(member_id(4)), 10),
        ids(&[5, 7, 9]),
        "after an id not in it"
    );
    assert_eq!(page(Some(member_id(9)), 10), ids(&[]));
    let granted = store
        .members_page(MemberIndex::Granted, &north, None, 10)
        .unwrap();
    assert_eq!(granted, ids(&[4]));
    assert_eq!(store.enrolled_members(&northern).unwrap(), ids(&[2]));
    let mut regions = store.region_rows().unwrap();
    regions.sort();
    assert_eq!(regions, [b"north".to_vec(), b"northern".to_vec()]);
    let mut members = store.member_row_ids().unwrap();
    members.sort();
    assert_eq!(members, ids(&[1, 3, 5, 7, 9]));
}

pub fn feed_rows_are_paged_after_a_cursor<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = E::open(dir.path()).unwrap();
    let mut commands = Commands::new();
    let mut batch = vec![commands.command(1, &[1]), commands.command(2, &[2, 3])];
    let item = |position: u64, member: u128| {
        row(
            StateKey::CoverageChange(position, member_id(member)),
            format!("{position}/{member}").as_bytes(),
        )
    };
    // Written out of key order; two items at position 3.
    store
        .append(&mut batch, &[item(3, 3), item(1, 1), item(3, 2)])
        .unwrap();
    let mut more = vec![commands.command(3, &[4])];
    store.append(&mut more, &[item(4, 4)]).unwrap();
    let page = |position, after: Option<u128>, skip, limit| {
        store
            .coverage_changes_page(position, after.map(member_id), skip, limit)
            .unwrap()
            .into_iter()
            .map(|value| String::from_utf8(value).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(page(0, None, 0, 10), ["1/1", "3/2", "3/3", "4/4"]);
    assert_eq!(page(0, None, 0, 2), ["1/1", "3/2"]);
    assert_eq!(page(2, None, 0, 10), ["3/2", "3/3", "4/4"]);
    assert_eq!(
        page(3, Some(2), 0, 10),
        ["3/3", "4/4"],
        "after a member's item"
    );
    assert_eq!(page(3, None, 1, 10), ["3/3", "4/4"], "after an ordinal");
    assert_eq!(
        page(3, None, 5, 10),
        ["4/4"],
        "an ordinal past the position's items"
    );
    assert_eq!(page(5, None, 0, 10), Vec::<String>::new());
}

/// Feed items written ahead of the append that records their event (a month close's,
/// in several calls) read in key order across the calls, also resuming after a member
/// of an earlier call's row; the append makes them its own; items written ahead of an
/// append that never came are discarded, and only they.
pub fn items_written_ahead_are_their_event_s_or_discarded<E: Engine>() {
    use flexledger::store::coverage_rows::CoverageItem;
    let dir = tempfile::tempdir().unwrap();
    let mut store = E::open(dir.path()).unwrap();
    let mut commands = Commands::new();
    store.append(&mut [commands.command(1, &[1])], &[]).unwrap();
    let items = |position: u64, members: std::ops::RangeInclusive<u128>| {
        members
            .map(|member| CoverageItem {
                position,
                member_id: member_id(member),
                value: format!("{position}/{member}").into_bytes(),
            })
            .collect::<Vec<_>>()
    };
    store.write_items_ahead(2, items(2, 1..=3)).unwrap();
    store.write_items_ahead(2, items(2, 4..=5)).unwrap();
    store.append(&mut [commands.command(2, &[2])], &[]).unwrap();
    let page = |store: &E::Store, position, after: Option<u128>| {
        store
            .coverage_changes_page(position, after.map(member_id), 0, 10)
            .unwrap()
            .into_iter()
            .map(|value| String::from_utf8(value).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(page(&store, 0, None), ["2/1", "2/2", "2/3", "2/4", "2/5"]);
    assert_eq!(page(&store, 2, Some(2)), ["2/3", "2/4", "2/5"]);
    assert_eq!(page(&store, 2, Some(4)), ["2/5"]);
    store.write_items_ahead(3, items(3, 1..=2)).unwrap();
    assert_eq!(store.discard_items_ahead().unwrap(), 2);
    assert_eq!(store.discard_items_ahead().unwrap(), 0);
    drop(store);
    let store = E::open(dir.path()).unwrap();
    assert_eq!(page(&store, 0, None), ["2/1", "2/2", "2/3", "2/4", "2/5"]);
}

pub fn checkpoints_are_never_replaced<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    assert!(store.put_audit_checkpoint(4, b"signed at 4").unwrap());
    assert!(store.put_audit_checkpoint(2, b"signed at 2").unwrap());
    assert!(!store.put_audit_checkpoint(4, b"another at 4").unwrap());
    assert_eq!(
        store.audit_checkpoints().unwrap(),
        [(2, b"signed at 2".to_vec()), (4, b"signed at 4".to_vec())]
    );
}

pub fn a_rebuild_replaces_state_rows_only<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    assert!(store.put_audit_checkpoint(4, b"signed").unwrap());
    let log = log_of(&store);
    store
        .replace_state(
            &mut [row(StateKey::Member(member_id(2)), b"member two")].into_iter(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        store.read_state(&StateKey::Member(member_id(1))).unwrap(),
        None
    );
    assert_eq!(store.member_row_ids().unwrap(), [member_id(2)]);
    assert_eq!(log_of(&store), log);
    assert_eq!(
        store.coverage_changes_page(0, None, 0, 10).unwrap().len(),
        1
    );
    assert_eq!(store.audit_checkpoints().unwrap().len(), 1);
    assert!(store.command_span(Uuid::from_u128(1)).unwrap().is_some());
}

/// An unfinished copy's mark (D39) is written with an append's events, kept by a
/// rebuild (the copy rebuilds its destination's rows while it is marked) and by a
/// reopen, and removed by an append of its removal alone.
pub fn an_unfinished_copy_s_mark_outlives_a_rebuild<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = E::open(dir.path()).unwrap();
    let mut commands = Commands::new();
    let mark = row(StateKey::CopyUnfinished, b"copying");
    store
        .append(&mut [commands.command(1, &[1])], &[mark])
        .unwrap();
    store
        .replace_state(
            &mut [
                row(StateKey::Member(member_id(1)), b"member one"),
                row(StateKey::Checkpoint, b"checkpoint"),
            ]
            .into_iter(),
            &mut |_| {},
        )
        .unwrap();
    let marked = Some(b"copying".to_vec());
    assert_eq!(store.read_state(&StateKey::CopyUnfinished).unwrap(), marked);
    drop(store);
    let mut store = E::open(dir.path()).unwrap();
    assert_eq!(store.read_state(&StateKey::CopyUnfinished).unwrap(), marked);
    let removed = StateWrite {
        key: StateKey::CopyUnfinished,
        value: None,
    };
    store.append(&mut [], &[removed]).unwrap();
    drop(store);
    let reader = E::open_read_only(dir.path()).unwrap();
    assert_eq!(reader.read_state(&StateKey::CopyUnfinished).unwrap(), None);
    assert_eq!(reader.head().unwrap().0, 1);
}

/// More rows than sled writes in one engine batch, so that a rebuild's removals and
/// inserts each span several batches: every row is replaced, none kept or lost.
pub fn a_rebuild_of_a_province_replaces_every_row<E: Engine>() {
    use flexledger::store::sled_store::REPLACE_STATE_BATCH_WRITES_MAX;
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    let rows_of = |members: std::ops::Range<u128>, checkpoint: &[u8]| -> Vec<StateWrite> {
        members
            .map(|member| row(StateKey::Member(member_id(member)), b"a member"))
            .chain([row(StateKey::Checkpoint, checkpoint)])
            .collect()
    };
    let many = 2 * REPLACE_STATE_BATCH_WRITES_MAX as u128 + 7;
    store
        .replace_state(&mut rows_of(0..many, b"first").into_iter(), &mut |_| {})
        .unwrap();
    assert_eq!(store.member_row_ids().unwrap().len() as u128, many);
    let fewer = REPLACE_STATE_BATCH_WRITES_MAX as u128 + 3;
    store
        .replace_state(
            &mut rows_of(many..many + fewer, b"second").into_iter(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        store.member_row_ids().unwrap(),
        (many..many + fewer).map(member_id).collect::<Vec<_>>()
    );
    assert_eq!(
        store.read_state(&StateKey::Checkpoint).unwrap().as_deref(),
        Some(&b"second"[..])
    );
    // Out of key order across batches (each batch is sorted, the batches are not):
    // every other member of the first rows, last first, with the stored ones removed.
    let mut given: Vec<u128> = (0..many).filter(|member| member % 2 == 0).collect();
    given.reverse();
    let mut rows: Vec<StateWrite> = given
        .iter()
        .map(|member| row(StateKey::Member(member_id(*member)), b"a member"))
        .collect();
    rows.push(row(StateKey::Checkpoint, b"third"));
    store
        .replace_state(&mut rows.into_iter(), &mut |_| {})
        .unwrap();
    given.sort_unstable();
    assert_eq!(
        store.member_row_ids().unwrap(),
        given.into_iter().map(member_id).collect::<Vec<_>>()
    );
}

/// A rebuild leaves exactly the rows it is given, whatever was stored and in whatever
/// order they come: a row given with the bytes stored stays, one given with others
/// is changed, a new one is added, and a stored row of any kind it is not given is
/// removed, before, between and after the rows given (sled merges the rows given
/// with the stored ones in one walk). Each change is reported with the bytes the row
/// held: replayed on the rows before, the reports give the rows after; given in key
/// order, each row is reported at most once, and only if it changed.
pub fn a_rebuild_leaves_exactly_the_rows_it_is_given<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled::<E>(dir.path());
    let month = |text| flexledger::domain::month::Month::parse(text).unwrap();
    let (north, south) = (region("north"), region("south"));
    // Every kind of row a rebuild replaces, each key with its own value.
    let universe: Vec<StateKey> = [
        StateKey::RegionSummary(north.clone()),
        StateKey::RegionSummary(south.clone()),
        StateKey::Enrolled(north.clone(), member_id(1)),
        StateKey::Enrolled(south.clone(), member_id(2)),
        StateKey::Granted(north.clone(), member_id(3)),
        StateKey::Member(member_id(1)),
        StateKey::Member(member_id(2)),
        StateKey::Member(member_id(3)),
        StateKey::Member(member_id(4)),
        StateKey::Region(north.clone()),
        StateKey::Region(south.clone()),
        StateKey::Closing(north.clone()),
        StateKey::RegionMonth(north.clone(), month("2025-01")),
        StateKey::RegionMonth(south.clone(), month("2025-02")),
    ]
    .into();
    let value = |index: usize, round: &str| format!("{round} {index}").into_bytes();
    let rebuild = |store: &mut E::Store, given: &[(usize, &str)]| {
        let mut rows: Vec<StateWrite> = given
            .iter()
            .map(|(index, round)| row(universe[*index].clone(), &value(*index, round)))
            .collect();
        rows.push(row(StateKey::Checkpoint, b"checkpoint"));
        let rows_now = |store: &E::Store| -> Vec<Option<Vec<u8>>> {
            universe
                .iter()
                .map(|key| store.read_state(key).unwrap())
                .collect()
        };
        let mut replayed = rows_now(store);
        let mut reported = Vec::new();
        store
            .replace_state(&mut rows.into_iter(), &mut |replaced| {
                let key = replaced.state_key().expect("a key this test wrote");
                // The checkpoint is never reported: it is not in `universe`.
                let index = universe
                    .iter()
                    .position(|row| *row == key)
                    .unwrap_or_else(|| panic!("{key:?} is not a row of the test's"));
                let stored = replaced.stored.map(<[u8]>::to_vec);
                assert_eq!(replayed[index], stored, "{key:?}: reported as held");
                assert_ne!(
                    replaced.written, replaced.stored,
                    "{key:?}: reported unchanged"
                );
                replayed[index] = replaced.written.map(<[u8]>::to_vec);
                reported.push(index);
            })
            .unwrap();
        assert_eq!(
            replayed,
            rows_now(store),
            "the reports replayed on {given:?}"
        );
        // Given in key order, each row is reported at most once (not necessarily in
        // key order: PostgreSQL reports a part's removals before its writes).
        if given.windows(2).all(|pair| pair[0].0 < pair[1].0) {
            let distinct: BTreeSet<usize> = reported.iter().copied().collect();
            assert_eq!(
                distinct.len(),
                reported.len(),
                "in key order, each row reported once: {reported:?}"
            );
        }
        for (index, key) in universe.iter().enumerate() {
            let expected = given
                .iter()
                .find(|(given, _)| *given == index)
                .map(|(_, round)| value(index, round));
            assert_eq!(
                store.read_state(key).unwrap(),
                expected,
                "{key:?} after a rebuild given {given:?}"
            );
        }
    };
    let every: Vec<(usize, &str)> = (0..universe.len()).map(|index| (index, "a")).collect();
    rebuild(&mut store, &every);
    // The same rows: nothing changes.
    rebuild(&mut store, &every);
    // In key order: the first, middle and last rows dropped, some kept, some changed.
    rebuild(
        &mut store,
        &[
            (1, "a"),
            (2, "b"),
            (3, "a"),
            (5, "b"),
            (8, "a"),
            (9, "a"),
            (12, "b"),
        ],
    );
    // Out of order, with rows added back and others dropped.
    rebuild(
        &mut store,
        &[(12, "b"), (0, "c"), (7, "a"), (2, "b"), (13, "c"), (4, "a")],
    );
    // Nothing given: every row removed.
    rebuild(&mut store, &[]);
    assert_eq!(
        store.read_state(&StateKey::Checkpoint).unwrap().as_deref(),
        Some(&b"checkpoint"[..])
    );
}

pub fn a_reopened_store_keeps_everything<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let (log, rows, feed, checkpoints) = {
        let mut store = filled::<E>(dir.path());
        store.put_audit_checkpoint(4, b"signed").unwrap();
        (
            log_of(&store),
            store.read_state(&StateKey::Member(member_id(1))).unwrap(),
            store.coverage_changes_page(0, None, 0, 10).unwrap(),
            store.audit_checkpoints().unwrap(),
        )
    };
    let check = |store: &dyn ReadStore| {
        assert_eq!(store.head().unwrap(), (4, log[3].hash));
        assert_eq!(
            store.read_log(1).map(Result::unwrap).collect::<Vec<_>>(),
            log
        );
        assert_eq!(
            store.read_stream(&StreamId::Member(member_id(2))).count(),
            2
        );
        assert!(store.command_span(Uuid::from_u128(3)).unwrap().is_some());
        assert_eq!(
            store.read_state(&StateKey::Member(member_id(1))).unwrap(),
            rows
        );
        assert_eq!(store.coverage_changes_page(0, None, 0, 10).unwrap(), feed);
        assert_eq!(store.audit_checkpoints().unwrap(), checkpoints);
    };
    {
        let reader = E::open_read_only(dir.path()).unwrap();
        check(&reader);
    }
    let mut store = E::open(dir.path()).unwrap();
    check(&store);
    // The reopened store continues the log and the streams.
    let mut commands = Commands::new();
    commands.next_position = 5;
    commands
        .versions
        .insert(StreamId::Member(member_id(1)).name(), 2);
    let mut next = vec![commands.command(5, &[1])];
    store.append(&mut next, &[]).unwrap();
    let stream: Vec<Envelope> = store
        .read_stream(&StreamId::Member(member_id(1)))
        .map(Result::unwrap)
        .collect();
    assert_eq!(positions(&stream), [1, 3, 5]);
    assert_eq!(stream[2].stream_prev_hash, stream[1].hash);
}

pub fn a_reader_sees_every_completed_append<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = E::open(dir.path()).unwrap();
    let reader = E::reader(&store);
    assert_eq!(reader.head().unwrap().0, 0);
    let mut commands = Commands::new();
    let mut first = vec![commands.command(1, &[1])];
    store
        .append(
            &mut first,
            &[
                row(StateKey::Member(member_id(1)), b"member one"),
                row(StateKey::CoverageChange(1, member_id(1)), b"item at 1"),
            ],
        )
        .unwrap();
    assert_eq!(reader.head().unwrap(), store.head().unwrap());
    assert_eq!(log_of(&reader), log_of(&store));
    assert!(reader.command_span(Uuid::from_u128(1)).unwrap().is_some());
    assert_eq!(
        reader.read_state(&StateKey::Member(member_id(1))).unwrap(),
        Some(b"member one".to_vec())
    );
    assert_eq!(
        reader.coverage_changes_page(0, None, 0, 10).unwrap().len(),
        1
    );
    store.put_audit_checkpoint(1, b"signed").unwrap();
    assert_eq!(reader.audit_checkpoints().unwrap().len(), 1);
}

/// The position of the first damage a read of the whole log meets.
fn damage_in(store: &impl EventLog) -> (u64, String) {
    match store.read_log(1).find_map(Result::err) {
        Some(StoreError::Corrupt { position, message }) => (position, message.to_string()),
        other => panic!("expected damage, got {other:?}"),
    }
}

pub fn a_flipped_byte_is_damage_at_its_position<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled::<E>(dir.path()));
    E::flip_byte(dir.path(), 3);
    let store = E::open(dir.path()).unwrap();
    assert_eq!(damage_in(&store).0, 3);
    let error = store
        .read_stream(&StreamId::Member(member_id(1)))
        .find_map(Result::err);
    assert!(
        matches!(error, Some(StoreError::Corrupt { position: 3, .. })),
        "{error:?}"
    );
    // What comes before it still reads.
    assert_eq!(store.read_log(1).take(2).filter(Result::is_ok).count(), 2);
}

pub fn a_store_cut_short_is_damage<E: Engine>() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled::<E>(dir.path()));
    E::cut_short(dir.path(), 2);
    for opened in [
        E::open(dir.path()).map(|_| ()),
        E::open_read_only(dir.path()).map(|_| ()),
    ] {
        match opened {
            Err(StoreError::Corrupt { position, message }) => {
                assert_eq!(position, 3, "{message}");
                assert!(message.contains("lost events 3 to 4"), "{message}");
            }
            other => panic!("expected damage, got {other:?}"),
        }
    }
}

/// One `#[test]` per property of the contract, for `$engine` (passing without
/// running where the engine is not available, `Engine::available`).
macro_rules! conformance {
    ($module:ident, $engine:ty) => {
        mod $module {
            use super::*;

            conformance!(@tests $engine;
                positions_continue_without_gaps,
                a_version_conflict_refuses_the_whole_append,
                a_repeated_command_id_is_refused,
                a_command_id_twice_in_one_append_is_refused,
                events_and_state_rows_are_one_append,
                streams_read_in_version_order_with_both_chains,
                a_long_stream_reads_whole_across_appends_and_reopening,
                command_spans_name_where_a_command_sits,
                state_row_pages_are_in_id_order,
                feed_rows_are_paged_after_a_cursor,
                items_written_ahead_are_their_event_s_or_discarded,
                checkpoints_are_never_replaced,
                a_rebuild_replaces_state_rows_only,
                a_rebuild_of_a_province_replaces_every_row,
                a_rebuild_leaves_exactly_the_rows_it_is_given,
                an_unfinished_copy_s_mark_outlives_a_rebuild,
                a_reopened_store_keeps_everything,
                a_reader_sees_every_completed_append,
                a_flipped_byte_is_damage_at_its_position,
                a_store_cut_short_is_damage,
            );
        }
    };
    (@tests $engine:ty; $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                if <$engine as Engine>::available() {
                    super::$test::<$engine>();
                }
            }
        )*
    };
}

conformance!(sled, Sled);
conformance!(postgres, Postgres);
