//! Each finding's English is word for word what it said before it was a sentence
//! (the contract's `message`), and its Chinese has no English sentence in it.

use super::*;
use crate::i18n::Language;
use crate::store::log_entry::{EntryProblem, VarintProblem};
use crate::store::Sha256;

const MEMBER: &str = "0b53af7d-bb50-5037-9d21-49eba4cb5782";

fn member() -> Uuid {
    Uuid::parse_str(MEMBER).unwrap()
}

fn region() -> RegionName {
    RegionName::parse("demo").unwrap()
}

fn month() -> Month {
    Month::parse("2025-03").unwrap()
}

/// Every finding and state row, with its English (as its `format!` gave it before, but
/// for the two that printed Rust's debug form of a value).
fn every_finding() -> Vec<(DamageDetail, String)> {
    let (member, region) = (member(), region());
    let hash = Sha256::of(b"event");
    let span = |digest| CommandSpan {
        first_position: 3,
        event_count: 2,
        body_digest: digest,
    };
    let mut found = vec![
        (state_rows_behind_log("member-x", 0, 11), "the state rows hold stream member-x at version 0 but the log holds it at version 11: a state row was altered or lost (or, on sled, the stream index), and a command was decided on it; nothing was appended (`flexledger verify` names what differs, `flexledger rebuild` makes the rows again from the log)".to_owned()),
        (stream_discontinued("region-demo", 4), "stream region-demo does not continue from version 4: an event of the stream was altered, removed or reordered".to_owned()),
        (hash_not_reproducible(), "the stored bytes are not in canonical form: the hash cannot be reproduced from the printed event".to_owned()),
        (command_records_counted(7, 6), "7 command records for 6 commands in the log: a command record was added or removed".to_owned()),
        (index_stray_stream("region-x"), "the stream index lists stream region-x, which has no events in the log".to_owned()),
        (index_version_after("region-x", 3, 1), "stream region-x's index lists version 3 after version 1".to_owned()),
        (index_count("region-x", 5, 4), "stream region-x has 5 events in the log but 4 in its index".to_owned()),
        (index_positions("region-x"), "stream region-x's index places its events at other positions than the log holds them".to_owned()),
        (folded_undecodable(member, "cut short"), format!("member {member}'s folded state: cut short")),
        (row_undecodable(row_some_region(), "bad"), "stored state of a region does not decode: bad".to_owned()),
        (row_undecodable(row_region_summary(&region), "bad"), "stored state of region demo's summary does not decode: bad".to_owned()),
        (row_undecodable(row_region_month(&region, month()), "bad"), "stored state of region demo month 2025-03 does not decode: bad".to_owned()),
        (row_invalid("open month before policy"), "stored state: open month before policy".to_owned()),
        (row_of_other_member(member, Uuid::nil()), format!("stored state: the row of member {member} holds member {}", Uuid::nil())),
        (region_row_missing(member, &region), format!("member {member}'s region demo has no state row")),
        (member_row_missing(member, 9), format!("member {member} has events from position 9 on but no state row: the state rows are damaged (`flexledger rebuild` writes them again from the log)")),
        (indexed_member_row_missing(member, &region), format!("member {member} is in region demo's index but has no state row")),
        (member_stream_start(), "a member stream must begin with MemberEnrolled".to_owned()),
        (checkpoint_row_length(5), "checkpoint row is 5 bytes, not 8 or 12".to_owned()),
        (closing_undecodable("x"), "a month close in progress does not decode: x".to_owned()),
        (feed_item_undecodable("x"), "a feed item does not decode: x".to_owned()),
        (coverage_change_undecodable("x"), "a coverage change does not decode: x".to_owned()),
        (copy_row_undecodable("x"), "the row marking an unfinished copy does not decode: x".to_owned()),
        (index_member_id("granted", &region), "granted index of region demo holds a malformed member id".to_owned()),
        (index_member_id("enrolled", &region), "enrolled index of region demo holds a malformed member id".to_owned()),
    ];
    for (recorded, shown) in [
        (None, "none is stored".to_owned()),
        (
            Some(span(None)),
            "2 events from position 3, no body digest".to_owned(),
        ),
        (
            Some(span(Some(hash))),
            format!("2 events from position 3, body digest {hash}"),
        ),
    ] {
        let english =
            format!("command {member}'s events at 5..7 do not match its command record ({shown})");
        found.push((command_record_mismatch(member, (5, 3), recorded), english));
    }
    let folds = fold_problems().into_iter();
    found.extend(folds.map(|(problem, english)| (fold_problem(&problem), english)));
    found.extend(row_findings());
    found.extend(proof_findings());
    found.extend(engine_findings());
    found
}

/// Every state row a finding names, inside the finding of a row that differs from the
/// fold, with the English their `format!` gave before.
fn row_findings() -> Vec<(DamageDetail, String)> {
    let (member, region) = (member(), region());
    let rows = [
        (
            row_checkpoint(None, 7),
            "the projection checkpoint row (none is stored; the log's head is at 7)".to_owned(),
        ),
        (
            row_checkpoint(Some((6, 3)), 7),
            "the projection checkpoint row (at position 6, row format 3; the log's head is at 7)"
                .to_owned(),
        ),
        (row_region(&region), "region demo".to_owned()),
        (
            row_index(MemberIndex::Enrolled, &region),
            "the enrolled index of region demo".to_owned(),
        ),
        (
            row_index(MemberIndex::Granted, &region),
            "the granted index of region demo".to_owned(),
        ),
        (
            row_month_totals(&region, month()),
            "the 2025-03 totals of region demo".to_owned(),
        ),
        (
            row_summary(&region),
            "the summary of region demo".to_owned(),
        ),
        (row_member(member), format!("member {member}")),
        (
            row_stray_member(member),
            format!("member {member} (a stored row for a member the log does not have)"),
        ),
        (
            row_unknown_key("Q\\x01"),
            "a state row at key Q\\x01 (no build writes such a key)".to_owned(),
        ),
    ];
    let mut found = Vec::new();
    for (row, english) in rows {
        let english = format!("stored state of {english} differs from a fresh fold of the log");
        found.push((state_differs(row), english));
    }
    found
}

/// The findings of backups, bundles and signed checkpoints, with the English their
/// `format!` gave before.
fn proof_findings() -> Vec<(DamageDetail, String)> {
    let member = member();
    let (hash, other) = (Sha256::of(b"event"), Sha256::of(b"other"));
    vec![
        (checkpoint_rewritten(), "the checkpoint signed at this size commits to other roots than the log gives: the log was rewritten after it was signed".to_owned()),
        (checkpoint_root_rewritten((4, 0), false, hash, other), format!("the signed checkpoint at size 4 commits to root {hash}, but the log gives {other}: the log was rewritten after it was signed (at one or more of positions 1 to 4: a checkpoint commits to all its events with one root, so it does not tell which; a smaller checkpoint you kept that still matches narrows it)")),
        (checkpoint_root_rewritten((4, 2), true, hash, other), format!("the signed checkpoint at size 4 commits to heads root {hash}, but the log gives {other}: the log was rewritten after it was signed (at one or more of positions 3 to 4: the checkpoint you kept at size 2 still matches the log)")),
        (empty_checkpoint_roots(), "the signed checkpoint of the empty log has the wrong roots".to_owned()),
        (checkpoint_beyond_log(9, 7), "a signed checkpoint covers 9 events but the log holds only 7: events were removed".to_owned()),
        (audit_checkpoint_undecodable(3, "EOF"), "the audit checkpoint at size 3 does not decode: EOF".to_owned()),
        (checkpoint_other_key(), "a checkpoint is stored at this size but does not verify with the ledger's key".to_owned()),
        (log_before(5, 8), "the log ends at position 5, before 8".to_owned()),
        (log_ends_before_head(5, 8), "the log ends at position 5 though its head is 8".to_owned()),
        (member_no_events(member), format!("member {member} has no events")),
        (member_not_in_log(member), format!("member {member} has no events in the log")),
        (stream_not_in_log("region-x"), "stream region-x has no events in the log".to_owned()),
        (stream_no_head("region-x"), "stream region-x has no head".to_owned()),
        (stream_name("x"), "stream name x does not parse".to_owned()),
        (no_heads_proof(), "no heads-tree proof".to_owned()),
        (no_inclusion_proof(), "no inclusion proof for an event of the tree".to_owned()),
        (scope_events(5, 4), "the scope's streams hold 5 events up to the checkpoint, but 4 were read".to_owned()),
        (changed_during_backup(), "the event differs from the one the signed tree holds: it changed during the backup".to_owned()),
        (log_short_of_checkpoint(4, 6), "the log ends at position 4 but the backup's checkpoint covers 6".to_owned()),
        (restored_hash(hash, other), format!("the restored event's hash is {hash}, not the backup's {other}")),
        (restored_head((4, hash), (6, other)), format!("the restored log ends at position 4 with hash {hash}, not at the backup's 6 with {other}")),
    ]
}

const SETTINGS: &str = "sled writes its settings file again when it has none, with the settings flexledger always opens it with";
const SNAPSHOT: &str =
    "a snapshot is only a shortcut: sled rebuilds its page table from its log without it";
const AFTER_ONE: &str = "With no flexledger process running, move it aside: `mv /d/sled/conf /d/sled/damaged-conf`, then run `flexledger verify`, which walks the whole log: its head should be the one of your latest checkpoint (`flexledger-audit checkpoint --list`) or later. Only if it still fails, restore the data directory from a backup; do not delete or edit other files in it by hand";
const AFTER_TWO: &str = "With no flexledger process running, move them aside: `mv a b && mv c d`, then run `flexledger verify`, which walks the whole log: its head should be the one of your latest checkpoint (`flexledger-audit checkpoint --list`) or later. Only if it still fails, restore the data directory from a backup; do not delete or edit other files in it by hand";

/// The engines' findings, with the English their `format!` gave before.
fn engine_findings() -> Vec<(DamageDetail, String)> {
    let member = member();
    let (hash, other) = (Sha256::of(b"event"), Sha256::of(b"other"));
    let block_at = |problem| block(17, problem);
    let conf = ("/d/sled/conf".to_owned(), SetAsideWhy::Settings);
    let snapshot = ("/d/sled/snap.1".to_owned(), SetAsideWhy::Snapshot);
    vec![
        (index_row("region-x", IndexRowProblem::KeyTooShort), "stream region-x's index row has a key too short for a version".to_owned()),
        (index_row("region-x", IndexRowProblem::NotPositions), "stream region-x's index row is not a list of positions".to_owned()),
        (index_row("region-x", IndexRowProblem::Size { version: 3, positions: 0, extra: 2, max: 64 }), "stream region-x's index row at version 3 holds 0 positions and 2 bytes more (1 to 64 and none expected)".to_owned()),
        (index_row("region-x", IndexRowProblem::NotIncreasing { version: 3 }), "stream region-x's index row at version 3 does not hold increasing positions".to_owned()),
        (block_key(3), "a log block's key is 3 bytes".to_owned()),
        (block_at(BlockProblem::Empty), "the log block at 17 is empty".to_owned()),
        (block_at(BlockProblem::Format(9)), "the log block at 17 has unknown format 9".to_owned()),
        (block_at(BlockProblem::Varint(VarintProblem::OutOfRange)), "the log block at 17 a varint is out of range".to_owned()),
        (block_at(BlockProblem::Varint(VarintProblem::Overlong)), "the log block at 17 a varint is written longer than it needs".to_owned()),
        (block_at(BlockProblem::Varint(VarintProblem::CutShort)), "the log block at 17 the compact log entry is cut short".to_owned()),
        (block_at(BlockProblem::Count { count: 0, max: 16 }), "the log block at 17 claims 0 entries (1 to 16)".to_owned()),
        (block_at(BlockProblem::CutShort(2)), "the log block at 17 is cut short in entry 2".to_owned()),
        (block_at(BlockProblem::Extra(5)), "the log block at 17 has 5 bytes after its entries".to_owned()),
        (engine_files("/d/sled", engine_read_back(None)), "the storage engine's files in /d/sled are damaged (it read back damaged data); the ledger cannot be read from them. Restore from a backup (`flexledger restore FILE --data-dir NEW`, or a copy of the data directory taken while no flexledger process ran); do not delete or edit files in it by hand".to_owned()),
        (segment_header("/d/sled/db", 524288, (2, 3)), "the storage engine's data file /d/sled/db has a damaged segment header at byte 524288 (segment 2 of 3): the engine leaves that segment out of its recovery, so what is appended now would be lost at the next open. Restore the data directory from a backup; do not append to this store".to_owned()),
        (data_file_behind_snapshot("/d/sled/db", "/d/sled/snap.00000000000000A0", (160, 150), ("/d", "mv a b".to_owned())), "the storage engine's data file /d/sled/db ends before its newest snapshot /d/sled/snap.00000000000000A0: the snapshot records the engine's log up to LSN 160, the file holds it only up to LSN 150, so the file was cut short or rolled back after the snapshot was written (the store was not opened: nothing was changed). Restore from a backup (`flexledger restore FILE --data-dir NEW`, or a copy of the data directory taken while no flexledger process ran). Without one, copy the data directory aside first (`cp -a /d …`), then set the snapshot aside, `mv a b`, and run `flexledger verify`: the engine then recovers what the file still holds, if it can, and the head witness names the events lost".to_owned()),
        (engine_dir_missing("/d/sled", "/d/head-witness", 12), "the storage engine's directory /d/sled is missing, but the head witness /d/head-witness records position 12 as durably appended: the engine's files were deleted, or the data directory was copied without them. Restore the data directory from a backup; nothing was created here".to_owned()),
        (witness_unreadable("/d/head-witness", "damaged-head-witness"), "the head witness /d/head-witness is unreadable (no intact record of the log's head), so it cannot tell whether the log lost its last events. Restore the data directory from a backup; or, to accept the log as it is after every hash is checked, run `flexledger verify --accept-head` (it keeps the unreadable file beside it as damaged-head-witness)".to_owned()),
        (set_aside("/d/sled", engine_words("bad"), std::slice::from_ref(&conf), "mv /d/sled/conf /d/sled/damaged-conf"), format!("the storage engine's files in /d/sled cannot be opened (bad): the damaged file is /d/sled/conf ({SETTINGS}). {AFTER_ONE}")),
        (set_aside("/d/sled", engine_words("bad"), &[conf, snapshot], "mv a b && mv c d"), format!("the storage engine's files in /d/sled cannot be opened (bad): the damaged files are /d/sled/conf ({SETTINGS}) and /d/sled/snap.1 ({SNAPSHOT}). {AFTER_TWO}")),
        (entry_too_short(), "log entry is too short to hold a hash".to_owned()),
        (entry(&EntryProblem::NoHash), "the log entry is too short to hold a hash".to_owned()),
        (entry(&EntryProblem::NoEvent), "the log entry is too short to hold a hash and an event".to_owned()),
        (entry(&EntryProblem::CutShort), "the compact log entry is cut short".to_owned()),
        (entry(&EntryProblem::TextNotUtf8), "a text field is not UTF-8".to_owned()),
        (entry(&EntryProblem::PayloadNotUtf8), "the payload is not UTF-8".to_owned()),
        (entry(&EntryProblem::SchemaVersionOutOfRange), "the schema version is out of range".to_owned()),
        (entry(&EntryProblem::StreamTag(7)), "stream tag 7 is unknown".to_owned()),
        (entry(&EntryProblem::EventTypeCode(99)), "event type code 99 is unknown to this build".to_owned()),
        (entry(&EntryProblem::RecordedAtTag(5)), "recorded_at tag 5 is unknown".to_owned()),
        (entry(&EntryProblem::NanosecondsOutOfRange), "recorded_at's nanoseconds are out of range".to_owned()),
        (entry(&EntryProblem::TimeOutOfRange), "recorded_at's time is out of range".to_owned()),
        (entry(&EntryProblem::RecordedAt(chrono_error())), "recorded_at does not decode: input contains invalid characters".to_owned()),
        (entry(&EntryProblem::Varint(VarintProblem::Overlong)), "a varint is written longer than it needs".to_owned()),
        (entry(&EntryProblem::Varint(VarintProblem::OutOfRange)), "a varint is out of range".to_owned()),
        (entry(&EntryProblem::OtherPosition(9)), "envelope claims position 9".to_owned()),
        (entry_missing(), "the log entry is missing".to_owned()),
        (key_without_id('M'), "a M key is not followed by a 16-byte id".to_owned()),
        (index_ends_before("region-x", 4, 6), "stream region-x's index ends at version 4 but its next event is version 6".to_owned()),
        (index_missing_event("region-x"), "stream region-x indexes a missing event".to_owned()),
        (coverage_row("x"), "a coverage-change row is damaged: x".to_owned()),
        (coverage_key(7), "a coverage-change key is 7 bytes".to_owned()),
        (command_record_length(member, 48), format!("command {member} record is neither 16 nor 48 bytes")),
        (command_digest_length(member), format!("command {member} record's body digest is not 32 bytes")),
        (index_key(2), "a stream index key (2 bytes) does not name a stream".to_owned()),
        (not_8_bytes(Field::StreamIndexValue), "stream index value is not 8 bytes".to_owned()),
        (not_8_bytes(Field::StreamKeyVersion), "stream key version is not 8 bytes".to_owned()),
        (not_8_bytes(Field::LogKey), "log key is not 8 bytes".to_owned()),
        (not_8_bytes(Field::CoverageKey), "coverage key is not 8 bytes".to_owned()),
        (not_8_bytes(Field::Span), "span is not 8 bytes".to_owned()),
        (not_8_bytes(Field::AuditCheckpointKey), "audit checkpoint key is not 8 bytes".to_owned()),
        (position_too_large(u64::MAX), format!("position {} is beyond what the store can hold", u64::MAX)),
        (position_negative(-3), "a stored position is negative (-3)".to_owned()),
        (other_schema("error retrieving column 0"), "a stored row does not have the schema this build wrote (error retrieving column 0)".to_owned()),
        (head_row_ahead(4, 6), "the log ends at position 4, but the store's head row records position 6 as durably appended: the store lost events 5 to 6 (rows of its log were deleted, or the database was restored from an older copy). Restore the database from a backup; do not append to this store (it would reuse the lost positions)".to_owned()),
        (head_row_other_hash(hash, other, 6), format!("the event's hash is {hash}, but the store's head row recorded {other} for this position (the log ends at position 6): the log was rewritten or damaged. Restore the database from a backup")),
        (altered(hash, other), format!("the event's bytes do not match its stored hash {hash} (SHA-256 is {other}): it was altered")),
        (other_stream("region-x"), "envelope stream region-x does not match its payload".to_owned()),
        (not_canonical(), "the stored bytes are not in canonical form".to_owned()),
        (gap(9), "the log has a gap: the next entry is position 9".to_owned()),
        (prev_hash(hash, other), format!("prev_hash {hash} does not link to the previous event's hash {other}: an event before it was altered, removed or reordered")),
        (index_entry("region-x", 3), "stream region-x index entry 3 does not match the event".to_owned()),
        (stream_prev_hash("region-x", 2), "stream_prev_hash does not link to version 2 of region-x: an event of the stream was altered, removed or reordered".to_owned()),
        (engine_damaged(engine_words("bad")), "the storage engine found its files damaged (bad); restore the data directory from a backup".to_owned()),
        (witness_missing("/d/head-witness", 7), "the head witness /d/head-witness is missing, but this store has kept one: it was deleted, or the data directory was copied or restored without it, so a log that lost its last events would look complete (it ends at position 7). Put the file back from where the directory came from, or restore the data directory from a backup; to accept the log as it is after every hash is checked, run `flexledger verify --accept-head`".to_owned()),
        (witness_ahead(4, "/d/head-witness", 6), "the log ends at position 4, but the head witness /d/head-witness records position 6 as durably appended: the storage engine lost events 5 to 6 (its files were truncated or damaged). Restore the data directory from a backup; do not append to this store (it would reuse the lost positions)".to_owned()),
        (witness_other_hash(hash, "/d/head-witness", other, 6), format!("the event's hash is {hash}, but the head witness /d/head-witness recorded {other} for this position (the log ends at position 6): the log was rewritten or damaged, or the head witness is another data directory's (a file copied from elsewhere: then put this directory's own back). Otherwise restore the data directory from a backup")),
    ]
}

/// chrono's words for a `recorded_at` that is no time.
fn chrono_error() -> chrono::ParseError {
    "x".parse::<chrono::DateTime<chrono::FixedOffset>>()
        .expect_err("not a time")
}

/// An entry's problem is said by its `Display` (inside other errors) and by the
/// catalog (the damage report): one English.
#[test]
fn an_entry_problem_s_display_is_its_finding_s_english() {
    for problem in [
        EntryProblem::CutShort,
        EntryProblem::EventTypeCode(99),
        EntryProblem::RecordedAt(chrono_error()),
        EntryProblem::Varint(VarintProblem::OutOfRange),
    ] {
        assert_eq!(problem.to_string(), entry(&problem).to_string());
    }
}

#[test]
fn each_finding_s_english_is_what_it_said_before() {
    for (finding, english) in every_finding() {
        assert_eq!(finding.to_string(), english);
        assert_eq!(finding.in_language(Language::En), english);
    }
}

/// ASCII words of a Chinese finding that are neither data nor codes: what a sentence
/// left in English (the findings' own data here are hashes, ids and `region-x`).
fn english_words(chinese: &str) -> Vec<String> {
    let without_code: String = chinese.split('`').step_by(2).collect();
    without_code
        .split(|c: char| !(c.is_ascii_alphanumeric() || "_-./\\".contains(c)))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter(|word| !word.contains(['_', '-', '.', '/', '\\']))
        .filter(|word| !word.bytes().any(|byte| byte.is_ascii_digit()))
        .filter(|word| {
            ![
                "flexledger",
                "demo",
                "bad",
                "x",
                "cut",
                "short",
                "open",
                "month",
                "before",
                "policy",
                "error",
                "retrieving",
                "column",
                "it",
                "read",
                "back",
                "damaged",
                "data",
                "EOF",
                "input",
                "contains",
                "invalid",
                "characters",
                "M",
                "Q",
            ]
            .contains(word)
        })
        .map(str::to_owned)
        .collect()
}

/// Every problem the fold can meet, with its English: the damage report's `message`.
fn fold_problems() -> Vec<(FoldProblem, String)> {
    let (member, region) = (member(), region());
    vec![
        (
            FoldProblem::PositionNotAfter { last: 7 },
            "positions must increase; last applied was 7".to_owned(),
        ),
        (
            FoldProblem::CloseOfUnknownRegion {
                region: region.clone(),
            },
            "month close for unknown region demo".to_owned(),
        ),
        (
            FoldProblem::EnrolledTwice { member },
            format!("member {member} enrolled twice"),
        ),
        (
            FoldProblem::EnrollmentInUnknownRegion {
                region: region.clone(),
            },
            "enrollment in unknown region demo".to_owned(),
        ),
        (
            FoldProblem::NotAMemberEvent {
                event_type: "MonthClosed",
            },
            "MonthClosed is not a member event".to_owned(),
        ),
        (
            FoldProblem::UnknownMember {
                event_type: "ContributionPaid",
                member,
            },
            format!("ContributionPaid for unknown member {member}"),
        ),
        (
            FoldProblem::MemberInUnknownRegion { member },
            format!("member {member} in unknown region"),
        ),
        (
            FoldProblem::PaymentWithoutMonths,
            "payment without months".to_owned(),
        ),
        (
            FoldProblem::MemberWithoutPeriod,
            "member without period".to_owned(),
        ),
        (
            FoldProblem::RefundOfUnpaidMonth { month: month() },
            "refund of 2025-03, which is not paid".to_owned(),
        ),
        (
            FoldProblem::GrantLengthOutOfRange,
            "grant length out of range".to_owned(),
        ),
        (
            FoldProblem::NoSuchMember { member },
            format!("the history holds no member {member}"),
        ),
        (
            FoldProblem::FoldedStateUnreadable {
                member,
                said: "cut short".into(),
            },
            format!("member {member}'s folded state: cut short"),
        ),
    ]
}

/// A fold problem's English is said twice, by its `Display` (the fold's error, in logs)
/// and by the catalog (the damage report): the two must not drift apart.
#[test]
fn a_fold_problem_s_display_is_its_finding_s_english() {
    for (problem, english) in fold_problems() {
        assert_eq!(problem.to_string(), english);
        assert_eq!(fold_problem(&problem).to_string(), english);
    }
}

#[test]
fn each_finding_is_said_in_chinese() {
    for (finding, english) in every_finding() {
        let chinese = finding.in_language(Language::ZhCn);
        assert_ne!(chinese, english);
        assert!(
            english_words(&chinese).is_empty(),
            "{chinese}: {:?}",
            english_words(&chinese)
        );
        assert!(!chinese.contains(".."), "{chinese}");
    }
}

#[test]
fn a_checkpoint_s_finding_says_why_in_the_same_language() {
    let why = Sentence::new("store-checkpoint-bad-signature", vec![]);
    let finding = stored_checkpoint(why);
    assert_eq!(
        finding.to_string(),
        "the stored checkpoint: the checkpoint's signature does not verify: the note was altered or not signed by this key"
    );
    assert_eq!(
        finding.in_language(Language::ZhCn),
        "已保存的检查点有误：检查点的签名未通过验证：签名的内容被改动过，或不是由该密钥签名"
    );
}
