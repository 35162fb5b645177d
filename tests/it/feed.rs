//! The feed (`GET /v1/feed`) through the real server, with its limits lowered by the
//! server's undocumented variables: catch-up pages that end inside a month close's
//! coverage changes, a subscriber that falls behind the live broadcast and catches up
//! from the store instead of being dropped, and a `from` beyond the head that waits.
//! Every test reads until a sentinel event it appended itself, then checks that each
//! item arrived exactly once and in order.

use crate::http::{call, next_sse, start_with_env, subscribe, token, Server};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::BufRead;
use uuid::Uuid;

/// One SSE message: its id as (position, sub), its `event`, and its `data` line.
#[derive(Clone, Debug, PartialEq)]
struct Message {
    id: (u64, u32),
    event: String,
    data: String,
}

/// A message id as the feed sends it: `P-TAG` or `P.N-TAG` (D91), as (P, N).
fn parse_id(text: &str) -> (u64, u32) {
    let text = untagged(text);
    match text.split_once('.') {
        None => (text.parse().unwrap(), 0),
        Some((position, sub)) => (position.parse().unwrap(), sub.parse().unwrap()),
    }
}

/// The id without its history tag, which every message of the log has (D91).
fn untagged(id: &str) -> &str {
    let (id, tag) = id
        .split_once('-')
        .expect("a message id ends in its history tag");
    assert!(
        tag.len() == 8 && tag.bytes().all(|byte| byte.is_ascii_hexdigit()),
        "{id}-{tag}: a tag is 8 hex digits"
    );
    id
}

/// The next message; an `error` message or the end of the stream fails the test.
fn next_message(reader: &mut impl BufRead) -> Message {
    loop {
        let message = next_sse(reader);
        let Some(event) = message.event else {
            continue;
        };
        assert_ne!(event, "error", "the feed sent an error: {:?}", message.data);
        return Message {
            id: parse_id(&message.id.expect("every feed message has an id")),
            event,
            data: message.data.unwrap_or_default(),
        };
    }
}

fn ids(messages: &[Message]) -> Vec<(u64, u32)> {
    messages.iter().map(|message| message.id).collect()
}

/// Messages up to and including the one with id `last`.
fn read_through(reader: &mut impl BufRead, last: (u64, u32)) -> Vec<Message> {
    let mut messages = Vec::new();
    loop {
        let message = next_message(reader);
        let done = message.id >= last;
        messages.push(message);
        if done {
            assert_eq!(messages.last().unwrap().id, last, "the sentinel arrived");
            return messages;
        }
    }
}

/// Posts commands (at most 1,000, the request limit) and returns their results.
fn submit(server: &Server, commands: &[Value]) -> Vec<Value> {
    let mut results = Vec::new();
    for chunk in commands.chunks(1000) {
        let body = Value::Array(chunk.to_vec()).to_string();
        let (status, answer) = call(
            server,
            "POST",
            "/v1/commands",
            Some(token("operator")),
            Some(&body),
            &[],
        );
        assert_eq!(status, 200, "{answer}");
        let answer = answer.as_array().unwrap().clone();
        for result in &answer {
            assert_eq!(result["ok"], true, "{result}");
        }
        results.extend(answer);
    }
    results
}

fn member(index: usize) -> Uuid {
    Uuid::from_u128(0xfeed_0000_0000_4000_8000_0000_0000_0000 + index as u128)
}

fn enroll(region: &str, member_id: Uuid, month: &str) -> Value {
    json!({"command":"enroll","member_id":member_id,"region":region,"month":month,
        "base_ratio":"1.00","labor_relationship":"none"})
}

/// The region's one policy, from 2025-01: 600.00 a month at the base ratio 0.60.
fn policy(region: &str) -> Value {
    json!({"command":"publish_policy","region":region,"effective_from":"2025-01",
        "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"0.60",
        "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,"benefit_delay_reenroll":1,
        "backpay_restores":"retroactive","benefit_tiers":[{"min_continuous_months":0,"tier":"basic"}]})
}

/// A ledger in `dir` recording closes in the background in chunks of 2, with `region`
/// of five members enrolled in 2025-01 who pay nothing, and its close of 2025-01
/// recorded (its chunks not yet).
fn ledger_closing_january(
    dir: &std::path::Path,
    region: &str,
) -> (flexledger::ledger::Ledger, crate::support::FixedSources) {
    use flexledger::domain::parse_command_value;
    let mut ledger = flexledger::ledger::Ledger::open(dir).unwrap();
    ledger.set_close_chunk_members(2);
    ledger.set_close_in_background(true);
    let mut sources = crate::support::FixedSources::new();
    let mut commands = vec![policy(region)];
    commands.extend((0..5).map(|index| enroll(region, member(index), "2025-01")));
    commands.push(json!({"command":"close_month","region":region,"month":"2025-01"}));
    let parsed = commands.into_iter().map(parse_command_value).collect();
    ledger.submit(parsed, &mut sources).unwrap();
    (ledger, sources)
}

/// A new region with `members` enrolled in 2025-01; returns the first position it
/// appended.
fn region_with_members(server: &Server, region: &str, members: usize) -> u64 {
    let first = submit(server, &[policy(region)])[0]["events"][0]["position"]
        .as_u64()
        .unwrap();
    let enrolls: Vec<Value> = (0..members)
        .map(|index| enroll(region, member(index), "2025-01"))
        .collect();
    submit(server, &enrolls);
    first
}

/// A new region with `members` enrolled in 2025-01 who pay nothing, closed: every
/// member misses January, so the close changes every member's coverage. Returns once
/// the feed has carried all of those changes (a close may record its members'
/// consequences after it answers), with the first position it appended.
fn region_closed_unpaid(server: &Server, region: &str, members: usize) -> u64 {
    let mut watcher = subscribe(
        server,
        &format!("?types=CoverageChanged&region={region}"),
        None,
    );
    let first = region_with_members(server, region, members);
    submit(
        server,
        &[json!({"command":"close_month","region":region,"month":"2025-01"})],
    );
    for _ in 0..members {
        assert_eq!(next_message(&mut watcher).event, "CoverageChanged");
    }
    first
}

/// Appends one event that changes no coverage (an enrollment in the open month is
/// merely due) and returns its position: a test reads through it.
fn sentinel(server: &Server, region: &str, index: usize, open_month: &str) -> u64 {
    let results = submit(server, &[enroll(region, member(index), open_month)]);
    results[0]["events"][0]["position"].as_u64().unwrap()
}

/// Every item between `first` and `last` exactly once, in order: each position's event
/// then its coverage changes numbered 1, 2, … with no gap; `members` coverage changes
/// in all, one per member.
fn assert_each_item_once(messages: &[Message], first: u64, last: u64, members: usize) {
    assert_eq!(messages[0].id, (first, 0), "starts at the first event");
    assert_no_gap(messages);
    let events: Vec<u64> = messages
        .iter()
        .filter(|message| message.id.1 == 0)
        .map(|message| message.id.0)
        .collect();
    assert_eq!(events, (first..=last).collect::<Vec<_>>(), "every event");
    let changed: Vec<String> = messages
        .iter()
        .filter(|message| message.event == "CoverageChanged")
        .map(|message| {
            let data: Value = serde_json::from_str(&message.data).unwrap();
            data["member_id"].as_str().unwrap().to_owned()
        })
        .collect();
    let distinct: BTreeSet<&String> = changed.iter().collect();
    assert_eq!(
        (changed.len(), distinct.len()),
        (members, members),
        "one coverage change per member"
    );
    assert_eq!(
        messages.len(),
        events.len() + members,
        "events + coverage changes"
    );
}

/// Ids strictly increase with no item left out: each position's event, then its
/// coverage changes numbered 1, 2, ….
fn assert_no_gap(messages: &[Message]) {
    for pair in messages.windows(2) {
        assert!(
            pair[0].id < pair[1].id,
            "ids strictly increase: {:?} then {:?}",
            pair[0].id,
            pair[1].id
        );
        let (position, sub) = pair[1].id;
        let expected_before = if sub == 0 {
            (position - 1, pair[0].id.1)
        } else {
            (position, sub - 1)
        };
        assert_eq!(pair[0].id, expected_before, "no item left out");
    }
}

/// Catch-up pages of 7 items across a close whose coverage changes share a position
/// (or a few chunk positions): every item once, in id order; and a `Last-Event-ID`
/// inside those coverage changes resumes right after it.
#[test]
fn a_catch_up_page_ends_inside_a_close_and_the_next_resumes_exactly_after_it() {
    const MEMBERS: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(dir.path(), &[("FLEXLEDGER_FEED_PAGE_ITEMS_MAX", "7")]);
    let first = region_closed_unpaid(&server, "paged", MEMBERS);
    let last = sentinel(&server, "paged", MEMBERS, "2025-02");
    let mut feed = subscribe(&server, &format!("?from={first}"), None);
    let messages = read_through(&mut feed, (last, 0));
    assert_each_item_once(&messages, first, last, MEMBERS);
    let changes: Vec<&Message> = messages
        .iter()
        .filter(|message| message.event == "CoverageChanged")
        .collect();
    assert!(
        changes.iter().any(|message| message.id.1 > 7),
        "a position holds more coverage changes than a page"
    );
    for resume_after in [changes[0], changes[9], changes[MEMBERS - 1]] {
        let (position, sub) = resume_after.id;
        let mut resumed = subscribe(&server, "", Some(&format!("{position}.{sub}")));
        let rest = read_through(&mut resumed, (last, 0));
        let index = messages.iter().position(|m| m == resume_after).unwrap();
        let expected = &messages[index + 1..];
        assert_eq!(ids(&rest), ids(expected), "resumes after {position}.{sub}");
        assert!(rest == expected, "the same messages after {position}.{sub}");
    }
}

/// Members enrolled and closed while the subscriber reads nothing: far more than the
/// connection's buffers and the live broadcast (lowered to 16 items) hold, so its task
/// falls behind the broadcast.
const LAGGING_MEMBERS: usize = 8000;

/// A live subscriber that falls behind the broadcast is not sent an error nor dropped:
/// it catches up from the store and goes live again, every item once.
#[test]
fn a_subscriber_that_falls_behind_the_live_feed_catches_up_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(
        dir.path(),
        &[
            ("FLEXLEDGER_FEED_BROADCAST_ITEMS_MAX", "16"),
            ("FLEXLEDGER_FEED_PAGE_ITEMS_MAX", "100"),
        ],
    );
    // Live from the head: everything after arrives through the broadcast, unread.
    let mut feed = subscribe(&server, "", None);
    let first = region_closed_unpaid(&server, "lagging", LAGGING_MEMBERS);
    let last = sentinel(&server, "lagging", LAGGING_MEMBERS, "2025-02");
    let messages = read_through(&mut feed, (last, 0));
    assert_each_item_once(&messages, first, last, LAGGING_MEMBERS);
    // And it is live again.
    let next = sentinel(&server, "lagging", LAGGING_MEMBERS + 1, "2025-02");
    assert_eq!(next_message(&mut feed).id, (next, 0));
}

/// A close whose granted, paid members accrue (R16) writes their coverage changes to
/// the store ahead of its `MonthClosed`, a batch at a time, and the live broadcast
/// carries only the event, marked (D17): a live subscriber, one filtered to the
/// region's coverage changes and one catching up from before the close all receive
/// every item once, in order, each member's accrual in member order, and go on live.
#[test]
fn a_close_s_accruals_written_ahead_reach_live_and_catching_up_subscribers_once() {
    const MEMBERS: usize = 12;
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(
        dir.path(),
        &[
            ("FLEXLEDGER_CLOSE_ITEMS_AHEAD_BATCH", "5"),
            ("FLEXLEDGER_FEED_PAGE_ITEMS_MAX", "3"),
        ],
    );
    let region = "accruing";
    let mut live = subscribe(&server, "", None);
    let mut changes = subscribe(
        &server,
        &format!("?types=CoverageChanged&region={region}"),
        None,
    );
    let first = region_with_members(&server, region, MEMBERS);
    let grants_and_pays: Vec<Value> = (0..MEMBERS)
        .flat_map(|index| {
            let id = member(index);
            [
                json!({"command":"grant_subsidy","member_id":id,"from_month":"2025-01",
                    "months":12,"share":"0.5","category":"hardship"}),
                json!({"command":"pay","member_id":id,"months":["2025-01"],"amount":"1000.00",
                    "paid_on":"2025-01-15"}),
            ]
        })
        .collect();
    submit(&server, &grants_and_pays);
    let close = submit(
        &server,
        &[json!({"command":"close_month","region":region,"month":"2025-01"})],
    );
    let closed = close[0]["events"][0]["position"].as_u64().unwrap();
    let last = sentinel(&server, region, MEMBERS, "2025-02");
    let accruals = |messages: &[Message]| -> Vec<String> {
        messages
            .iter()
            .filter(|message| message.id.0 == closed && message.id.1 > 0)
            .map(|message| {
                assert_eq!(message.event, "CoverageChanged");
                let data: Value = serde_json::from_str(&message.data).unwrap();
                assert_eq!(data["months"][0]["subsidy"], "500.00", "{data}");
                data["member_id"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let every: Vec<String> = (0..MEMBERS)
        .map(|index| member(index).to_string())
        .collect();
    let from_live = read_through(&mut live, (last, 0));
    assert_eq!(from_live[0].id, (first, 0));
    assert_no_gap(&from_live);
    assert_eq!(
        accruals(&from_live),
        every,
        "live: each accrual once, in order"
    );
    let mut caught_up = subscribe(&server, &format!("?from={first}"), None);
    let from_store = read_through(&mut caught_up, (last, 0));
    assert_eq!(
        from_store, from_live,
        "the store gives what the live feed gave"
    );
    // The filtered stream: the pays' changes, then the accruals, and nothing else.
    let mut filtered = Vec::new();
    while filtered.len() < 2 * MEMBERS {
        filtered.push(next_message(&mut changes));
    }
    assert_eq!(accruals(&filtered), every, "filtered: each accrual once");
    // Every stream is live again after the close.
    let next = sentinel(&server, region, MEMBERS + 1, "2025-02");
    assert_eq!(next_message(&mut live).id, (next, 0));
    assert_eq!(next_message(&mut caught_up).id, (next, 0));
}

/// A `from` beyond the head is not an error: the subscriber waits, skips what is
/// appended before `from`, and its first message is the event at `from`.
#[test]
fn a_from_beyond_the_head_waits_for_that_position() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(dir.path(), &[]);
    let region = "waiting";
    region_with_members(&server, region, 1);
    let head = sentinel(&server, region, 1, "2025-01");
    let mut feed = subscribe(&server, &format!("?from={}", head + 2), None);
    let mut resumed = subscribe(&server, "", Some(&format!("{}", head + 1)));
    let appended: Vec<u64> = (2..5)
        .map(|index| sentinel(&server, region, index, "2025-01"))
        .collect();
    assert_eq!(appended, vec![head + 1, head + 2, head + 3]);
    let message = next_message(&mut feed);
    assert_eq!(
        (message.id, message.event.as_str()),
        ((head + 2, 0), "MemberEnrolled")
    );
    assert_eq!(next_message(&mut feed).id, (head + 3, 0));
    assert_eq!(next_message(&mut resumed).id, (head + 2, 0));
}

/// The feed's comments follow Accept-Language, and its answer says which, with
/// `Content-Language`, as every other answer of the API does.
#[test]
fn the_feed_says_the_language_of_its_comments() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(dir.path(), &[]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_per_read(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    for (asked, said) in [("zh-CN", "zh-CN"), ("en", "en")] {
        let response = agent
            .get(&format!("{}/v1/feed?region=coming", server.base))
            .header("authorization", &format!("Bearer {}", token("subscriber")))
            .header("accept-language", asked)
            .call()
            .unwrap();
        let language = response.headers().get("content-language").unwrap();
        assert_eq!(language.to_str().unwrap(), said);
        let mut reader = std::io::BufReader::new(response.into_body().into_reader());
        let comment = first_line(&mut reader);
        assert_eq!(comment.contains("统筹地区"), asked == "zh-CN", "{comment}");
    }
}

/// The first line a subscriber reads: an SSE comment (`: …`) or a message's field.
fn first_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.trim_end().to_owned()
}

/// A filter naming a region with no policy or a member with no event is kept (they may
/// come), but the stream opens with a comment saying so, so a misspelt name is not a
/// silent wait; a name the ledger knows opens straight onto its items. So does a
/// cursor beyond the head, and a cursor at the head opens onto the next item.
#[test]
fn a_filter_on_a_region_or_member_not_yet_known_says_so_and_waits() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(dir.path(), &[]);
    let mut region_feed = subscribe(&server, "?region=coming", None);
    let comment = first_line(&mut region_feed);
    assert_eq!(
        comment,
        ": no policy is published for region coming yet: this subscription waits for its first item (check the name if you expected one)"
    );
    let unknown = member(7);
    let mut member_feed = subscribe(&server, &format!("?member={unknown}"), None);
    assert!(
        first_line(&mut member_feed).starts_with(&format!(": member {unknown} has no event yet")),
        "the member's comment"
    );
    let first = region_with_members(&server, "coming", 0);
    let message = next_message(&mut region_feed);
    assert_eq!(
        (message.id, message.event.as_str()),
        ((first, 0), "PolicyPublished")
    );
    let enrolled = sentinel(&server, "coming", 7, "2025-01");
    assert_eq!(next_message(&mut member_feed).id, (enrolled, 0));
    // Now both are known: no comment, the first line is the next item's.
    let mut known = subscribe(&server, &format!("?region=coming&member={unknown}"), None);
    submit(
        &server,
        &[json!({"command":"stop_deduction","member_id":unknown})],
    );
    let line = first_line(&mut known);
    assert!(line.starts_with("id: "), "{line}");
    // A cursor beyond the head waits too, and says so; one at the head does not.
    let head = sentinel(&server, "coming", 8, "2025-01");
    let mut beyond = subscribe(&server, &format!("?from={}", head + 5), None);
    assert_eq!(
        first_line(&mut beyond),
        format!(": the log ends at position {head}: this subscription starts at position {} and waits until it is written (check the cursor if you expected items now: it may be another ledger's)", head + 5)
    );
    // Both at once are both said (only the region's was).
    let mut both = subscribe(&server, &format!("?from={}&region=nowhere", head + 5), None);
    let first = first_line(&mut both);
    assert!(first.starts_with(": no policy"), "{first}");
    let second = std::iter::repeat_with(|| first_line(&mut both))
        .find(|line| !line.is_empty())
        .unwrap();
    assert!(second.starts_with(": the log ends at position"), "{second}");
    let mut resumed = subscribe(&server, "", Some(&head.to_string()));
    let mut next = subscribe(&server, &format!("?from={}", head + 1), None);
    let appended = sentinel(&server, "coming", 9, "2025-01");
    for reader in [&mut resumed, &mut next] {
        let line = first_line(reader);
        let id = line.strip_prefix("id: ").expect("an id first");
        assert_eq!(untagged(id), appended.to_string());
    }
}

/// A subscriber that asks for progress and whose filter passes over many items in a
/// row is sent where it is (a message with an id and no data, which an `EventSource`
/// takes as its last event id and does not dispatch) every 1,024 items it passed over
/// and when it has caught up: reconnecting with that id, it resumes there instead of
/// scanning again everything its filter did not want since its last item. One that
/// does not ask is sent items only, as before.
#[test]
fn a_filtered_subscriber_is_told_where_it_is_as_it_passes_over_items() {
    const OTHERS: usize = 1_100;
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(dir.path(), &[]);
    let mine = member(OTHERS);
    let first = region_with_members(&server, "mine", 0);
    let enrolled = sentinel(&server, "mine", OTHERS, "2025-01");
    region_with_members(&server, "others", OTHERS);
    let head = sentinel(&server, "others", OTHERS + 1, "2025-01");
    let mut quiet = subscribe(&server, &format!("?member={mine}&from={first}"), None);
    let mut feed = subscribe(
        &server,
        &format!("?member={mine}&from={first}&progress=true"),
        None,
    );
    let item = next_sse(&mut feed);
    assert_eq!(
        item.id.as_deref().map(untagged),
        Some(enrolled.to_string().as_str()),
        "the member's own event first"
    );
    let mut passed = Vec::new();
    let feed_message = crate::schemas::openapi_validator("FeedMessage");
    while passed.last() != Some(&head) {
        let message = next_sse(&mut feed);
        assert!(
            message.event.is_none() && message.data.is_none(),
            "only ids follow"
        );
        // As the OpenAPI document describes it (it required `event` and `data` of
        // every message until a subscriber's probe, 2026-12-05).
        let fields = json!({"id": message.id});
        let errors: Vec<String> = feed_message
            .iter_errors(&fields)
            .map(|error| error.to_string())
            .collect();
        assert!(errors.is_empty(), "{fields} is a FeedMessage: {errors:?}");
        passed.push(
            untagged(&message.id.expect("an id"))
                .parse::<u64>()
                .expect("an event's id"),
        );
    }
    // The policy and 1,101 enrollments of the other region, passed over.
    assert_eq!(
        passed,
        vec![enrolled + 1_024, head],
        "every 1,024 items, then caught up"
    );
    let mut resumed = subscribe(&server, &format!("?member={mine}"), Some(&head.to_string()));
    submit(
        &server,
        &[json!({"command":"stop_deduction","member_id":mine})],
    );
    let next = next_message(&mut resumed);
    assert_eq!(
        (next.id.0, next.event.as_str()),
        (head + 1, "DeductionStopped")
    );
    // Without `progress`, the member's two events and nothing between them.
    for expected in [enrolled, head + 1] {
        let message = next_sse(&mut quiet);
        assert_eq!(
            message.id.as_deref().map(untagged),
            Some(expected.to_string().as_str())
        );
        assert!(message.event.is_some() && message.data.is_some(), "an item");
    }
}

/// A `Closing` notice as a stream that asked for them (`?closing=true`) receives it.
fn closing_notice(message: &crate::http::SseMessage) -> Option<Value> {
    (message.event.as_deref() == Some("Closing")).then(|| {
        assert_eq!(message.id, None, "a notice has no id");
        serde_json::from_str(message.data.as_deref().unwrap()).unwrap()
    })
}

/// `?closing=true` is told how a close proceeds: after each chunk, a `Closing` notice
/// (no id) right after the chunk's items, whose counts are what the stream has been
/// sent so far, the last one finished; a stream that did not ask gets none.
#[test]
fn a_stream_that_asks_is_told_how_a_close_proceeds_chunk_by_chunk() {
    const MEMBERS: usize = 23;
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_env(dir.path(), &[("FLEXLEDGER_CLOSE_CHUNK_MEMBERS", "5")]);
    region_with_members(&server, "notices", MEMBERS);
    let mut told = subscribe(&server, "?region=notices&closing=true", None);
    let mut plain = subscribe(&server, "?region=notices", None);
    submit(
        &server,
        &[json!({"command":"close_month","region":"notices","month":"2025-01"})],
    );
    let (mut missed_sent, mut notices) = (0, Vec::new());
    let feed_message = crate::schemas::openapi_validator("FeedMessage");
    loop {
        let message = crate::http::next_sse(&mut told);
        if message.event.as_deref() == Some("Closing") {
            let fields = json!({"event": message.event, "data": message.data});
            assert!(feed_message.is_valid(&fields), "{fields} is a FeedMessage");
        }
        let Some(notice) = closing_notice(&message) else {
            missed_sent += usize::from(message.event.as_deref() == Some("ContributionMissed"));
            continue;
        };
        assert_eq!(
            notice["missed_recorded"], missed_sent,
            "{notice}: after its chunk's items"
        );
        notices.push(notice.clone());
        if notice["finished"] == true {
            break;
        }
    }
    let done: Vec<u64> = notices
        .iter()
        .map(|notice| notice["members_done"].as_u64().unwrap())
        .collect();
    assert_eq!(done, [5, 10, 15, 20, 23], "one notice a chunk");
    let last = notices.last().unwrap();
    assert_eq!(
        (
            &last["region"],
            &last["month"],
            &last["members_total"],
            &last["withdrawn_recorded"]
        ),
        (
            &json!("notices"),
            &json!("2025-01"),
            &json!(MEMBERS),
            &json!(0)
        )
    );
    assert!(notices[..4]
        .iter()
        .all(|notice| notice["finished"] == false));
    let last = sentinel(&server, "notices", MEMBERS, "2025-02");
    for message in read_through(&mut plain, (last, 0)) {
        assert_ne!(message.event, "Closing", "not asked for");
    }
}

/// The first `Closing` notice in what a subscription delivers, the items before it
/// counted by type; fails after ten seconds without one.
async fn next_notice(
    received: &mut tokio::sync::mpsc::Receiver<flexledger::feed::Delivery>,
    items: &mut std::collections::BTreeMap<String, usize>,
) -> Value {
    loop {
        let delivery = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
            .await
            .expect("a notice within ten seconds");
        let Some(flexledger::feed::Delivery::Item(item)) = delivery else {
            panic!("an item: {delivery:?}");
        };
        if item.event_type == "Closing" {
            return serde_json::from_str(&item.data).unwrap();
        }
        *items.entry(item.event_type.to_owned()).or_default() += 1;
    }
}

/// A subscriber that asked for notices, gone live after the first chunk of a close of
/// January in `region` (chunks of 2, five members) was published to a broadcast of
/// two items, and its first notice (that chunk's): the ledger to record more with, the
/// broadcast, what the subscriber delivers, and the items it delivered so far by type.
struct NoticeSubscriber {
    ledger: flexledger::ledger::Ledger,
    sources: crate::support::FixedSources,
    live: flexledger::feed::Broadcast,
    received: tokio::sync::mpsc::Receiver<flexledger::feed::Delivery>,
    items: std::collections::BTreeMap<String, usize>,
    first: Value,
    /// Kept: the subscription stops when it is dropped.
    _stop: tokio::sync::watch::Sender<bool>,
}

impl NoticeSubscriber {
    async fn start(dir: &std::path::Path, region: &str) -> NoticeSubscriber {
        use flexledger::feed::{publish, Broadcast, Start};
        let (mut ledger, mut sources) = ledger_closing_january(dir, region);
        // The first chunk before anyone subscribes: the broadcast remembers its notice.
        let live = Broadcast::new(2);
        publish(&live, &ledger.close_step(&mut sources).unwrap().appended);
        let (mut received, stop) = Self::subscribe(&ledger, &live, Start::Live).await;
        let mut items = std::collections::BTreeMap::new();
        let first = next_notice(&mut received, &mut items).await;
        NoticeSubscriber {
            ledger,
            sources,
            live,
            received,
            items,
            first,
            _stop: stop,
        }
    }

    /// A subscription to `live` from `start` that asked for notices, running: what it
    /// delivers, and what keeps it running.
    async fn subscribe(
        ledger: &flexledger::ledger::Ledger,
        live: &flexledger::feed::Broadcast,
        start: flexledger::feed::Start,
    ) -> (
        tokio::sync::mpsc::Receiver<flexledger::feed::Delivery>,
        tokio::sync::watch::Sender<bool>,
    ) {
        use flexledger::feed::{Filter, Subscription};
        let store = std::sync::Arc::new(ledger.store().reader());
        let filter = Filter::new(None, None, None).sending_closing(true);
        let subscription = Subscription::start(store, live, start, filter)
            .await
            .unwrap();
        let (out, received) = tokio::sync::mpsc::channel(64);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(subscription.run(out, stopped));
        (received, stop)
    }

    /// The subscriber leaves, and comes back with a new subscription from `start`
    /// (what a client reconnecting with `Last-Event-ID` gets).
    async fn come_back(&mut self, start: flexledger::feed::Start) {
        let (received, stop) = Self::subscribe(&self.ledger, &self.live, start).await;
        (self.received, self._stop) = (received, stop);
        self.items.clear();
    }

    /// Records and publishes the rest of every close in progress while the
    /// subscriber cannot run (one thread): more than the broadcast holds, so it falls
    /// behind and catches up from the store.
    fn finish_closes(&mut self) {
        loop {
            let stepped = self.ledger.close_step(&mut self.sources).unwrap();
            if stepped.progress.is_none() {
                break;
            }
            flexledger::feed::publish(&self.live, &stepped.appended);
        }
    }

    async fn next_notice(&mut self) -> Value {
        next_notice(&mut self.received, &mut self.items).await
    }
}

/// A subscriber going live is sent where a close in progress stands (the broadcast's
/// last notice of it), and one that falls behind the broadcast while the close ends is
/// sent its end once it has caught up with the items it counts: notices are not
/// stored, so the catch-up from the store cannot give it.
#[tokio::test(flavor = "current_thread")]
async fn a_subscriber_going_live_is_told_where_a_close_stands_and_how_it_ended() {
    let dir = tempfile::tempdir().unwrap();
    let mut subscriber = NoticeSubscriber::start(dir.path(), "halfway").await;
    let first = &subscriber.first;
    assert_eq!(
        (
            &first["members_done"],
            &first["missed_recorded"],
            &first["finished"]
        ),
        (&json!(2), &json!(2), &json!(false))
    );
    subscriber.finish_closes();
    let last = subscriber.next_notice().await;
    assert_eq!(
        (
            &last["members_done"],
            &last["missed_recorded"],
            &last["finished"]
        ),
        (&json!(5), &json!(5), &json!(true)),
        "{last}"
    );
    assert_eq!(
        subscriber.items.get("ContributionMissed"),
        Some(&3),
        "the items it counts came first"
    );
}

/// A subscriber that falls behind while a second close of the region finishes the
/// first and begins is still told that the first finished: the broadcast remembers the
/// last notice of each close, not of each region, where the second close's replaced
/// the first's end (a subscriber's probe, 2026-12-05, never saw January finish).
#[tokio::test(flavor = "current_thread")]
async fn a_subscriber_behind_two_closes_of_a_region_is_told_each_one_ended() {
    use flexledger::domain::parse_command_value;
    let dir = tempfile::tempdir().unwrap();
    let mut subscriber = NoticeSubscriber::start(dir.path(), "two").await;
    let first = &subscriber.first;
    assert_eq!(
        (&first["month"], &first["finished"]),
        (&json!("2025-01"), &json!(false))
    );
    // February's close records the rest of January first, then its own chunks.
    let february = json!({"command":"close_month","region":"two","month":"2025-02"});
    let answer = subscriber
        .ledger
        .submit(vec![parse_command_value(february)], &mut subscriber.sources)
        .unwrap();
    flexledger::feed::publish(&subscriber.live, &answer.appended);
    subscriber.finish_closes();
    let mut ends = Vec::new();
    while ends.len() < 2 {
        let notice = subscriber.next_notice().await;
        if notice["finished"] == true {
            ends.push(notice["month"].clone());
        }
    }
    assert_eq!(ends, [json!("2025-01"), json!("2025-02")]);
}

/// A subscriber told that a close began, which leaves and comes back at its cursor
/// (`Last-Event-ID`) after the close finished, is told that it finished once it has the
/// items the end counts: a new subscription has sent nothing, and was told of the close
/// in progress only (a subscriber's probe, 2026-12-05: it never heard the end).
#[tokio::test(flavor = "current_thread")]
async fn a_subscriber_back_at_its_cursor_is_told_a_close_it_left_in_progress_ended() {
    let dir = tempfile::tempdir().unwrap();
    let mut subscriber = NoticeSubscriber::start(dir.path(), "away").await;
    assert_eq!(subscriber.first["finished"], json!(false));
    use flexledger::store::EventLog;
    let (left_at, _) = subscriber.ledger.store().reader().head().unwrap();
    subscriber.finish_closes();
    subscriber
        .come_back(flexledger::feed::Start::After(left_at, u32::MAX, None))
        .await;
    let last = subscriber.next_notice().await;
    assert_eq!(
        (&last["members_done"], &last["finished"]),
        (&json!(5), &json!(true)),
        "{last}"
    );
    assert_eq!(
        subscriber.items.get("ContributionMissed"),
        Some(&3),
        "the items it counts came first, the two it had not again"
    );
}

/// A command that finishes a close in progress before its own (a second
/// `close_month`) appends the first close's chunks and then its own events in one
/// answer: each chunk's notice is published right after the chunk's items, before
/// anything later.
#[test]
fn each_notice_follows_its_chunk_s_items_within_one_publish() {
    use flexledger::domain::parse_command_value;
    use flexledger::feed::{publish, Broadcast};
    let dir = tempfile::tempdir().unwrap();
    let (mut ledger, mut sources) = ledger_closing_january(dir.path(), "twice");
    let february = json!({"command":"close_month","region":"twice","month":"2025-02"});
    let appended = ledger
        .submit(vec![parse_command_value(february)], &mut sources)
        .unwrap()
        .appended;
    assert_eq!(appended.closes.len(), 3, "January's three chunks");
    let live = Broadcast::new(1024);
    let mut receiver = live.subscribe();
    publish(&live, &appended);
    let (mut missed, mut notices, mut closed_after) = (0, 0, false);
    while let Ok(item) = receiver.try_recv() {
        match item.event_type {
            "ContributionMissed" => missed += 1,
            "Closing" => {
                let notice: Value = serde_json::from_str(&item.data).unwrap();
                assert_eq!(
                    notice["missed_recorded"], missed,
                    "{notice}: after its items"
                );
                assert!(!closed_after, "{notice}: before February's close");
                notices += 1;
            }
            "MonthClosed" => closed_after = true,
            _ => {}
        }
    }
    assert_eq!((missed, notices, closed_after), (5, 3, true));
}

/// A region's filter reads each member's row for its region; a row it cannot read or
/// decode ends the subscription with an `error`, where the member's events were left
/// out without a word (a reviewer), and, in this build's format, marks the store
/// damaged as any read's damage does (D61).
#[test]
fn a_member_row_a_region_filter_cannot_read_ends_the_stream_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let member = {
        let server = start_with_env(dir.path(), &[]);
        let mut feed = subscribe(&server, "?from=0&types=MemberEnrolled", None);
        let enrolled = next_sse(&mut feed);
        let data: Value = serde_json::from_str(enrolled.data.as_deref().unwrap()).unwrap();
        data["payload"]["member_id"].as_str().unwrap().to_owned()
    };
    {
        let store = flexledger::store::SledStore::open(&dir.path().join("data")).unwrap();
        let id = Uuid::parse_str(&member).unwrap();
        let key = [&b"M"[..], id.as_bytes()].concat();
        store
            .raw_tree()
            .insert(key, &b"\x7fnot a member row"[..])
            .unwrap();
        store.raw_tree().flush().unwrap();
    }
    let server = start_with_env(dir.path(), &[]);
    let mut feed = subscribe(&server, "?from=0&region=demo", None);
    // The demo's items, then the error: a bounded read, never a wait for ever.
    let ended = (0..1000)
        .map(|_| next_sse(&mut feed))
        .find(|message| message.event.as_deref() == Some("error") || message.data.is_none())
        .expect("the stream ended");
    let said = ended.data.expect("an error, not the end of the stream");
    assert!(said.contains("filter the feed by region"), "{said}");
    // A row of this build's format that does not decode is damage: the store is marked
    // and the writer stops taking commands (D61), as for a catch-up read's damage.
    let (status, body) = call(&server, "GET", "/healthz", None, None, &[]);
    assert_eq!(status, 503, "{body}");
    let marked = dir
        .path()
        .join("data")
        .join(flexledger::store::damage_mark::DAMAGE_MARK_FILE);
    assert!(marked.exists(), "the store is marked damaged");
}

/// A ledger in `dir` that recorded `commands` with deterministic ids and times (the same
/// commands give the same history), and the broadcast its appends are published to.
fn ledger_of(
    dir: &std::path::Path,
    commands: &[Value],
) -> (
    flexledger::ledger::Ledger,
    crate::support::FixedSources,
    flexledger::feed::Broadcast,
) {
    let mut ledger = flexledger::ledger::Ledger::open(dir).unwrap();
    let mut sources = crate::support::FixedSources::new();
    let live = flexledger::feed::Broadcast::new(64);
    record(&mut ledger, &mut sources, &live, commands);
    (ledger, sources, live)
}

/// Records `commands` and publishes what they appended.
fn record(
    ledger: &mut flexledger::ledger::Ledger,
    sources: &mut crate::support::FixedSources,
    live: &flexledger::feed::Broadcast,
    commands: &[Value],
) {
    let parsed = commands
        .iter()
        .cloned()
        .map(flexledger::domain::parse_command_value)
        .collect();
    let answer = ledger.submit(parsed, sources).unwrap();
    flexledger::feed::publish(live, &answer.appended);
}

/// The history tag of the event at `position` of `ledger`'s log.
fn tag_at(ledger: &flexledger::ledger::Ledger, position: u64) -> flexledger::feed::HistoryTag {
    use flexledger::store::EventLog;
    let event = ledger.store().reader().read_log(position).next().unwrap();
    flexledger::feed::HistoryTag::of(&event.unwrap().hash)
}

/// A subscription to everything of `ledger` from `start`, running: what it delivers, or
/// why it did not start; the sender keeps it running.
async fn subscribed(
    ledger: &flexledger::ledger::Ledger,
    live: &flexledger::feed::Broadcast,
    start: flexledger::feed::Start,
) -> Result<Subscribed, flexledger::feed::StartError> {
    subscribed_in(ledger, live, start, flexledger::i18n::Language::En).await
}

/// A subscription's deliveries, and the switch that stops it.
type Subscribed = (
    tokio::sync::mpsc::Receiver<flexledger::feed::Delivery>,
    tokio::sync::watch::Sender<bool>,
);

/// [`subscribed`], told why its stream ends in `language`.
async fn subscribed_in(
    ledger: &flexledger::ledger::Ledger,
    live: &flexledger::feed::Broadcast,
    start: flexledger::feed::Start,
    language: flexledger::i18n::Language,
) -> Result<Subscribed, flexledger::feed::StartError> {
    use flexledger::feed::{Filter, Subscription};
    let store = std::sync::Arc::new(ledger.store().reader());
    let subscription = Subscription::start(store, live, start, Filter::new(None, None, None))
        .await?
        .speaking(language);
    let (out, received) = tokio::sync::mpsc::channel(64);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(subscription.run(out, stopped));
    Ok((received, stop))
}

/// The next delivery, within 20 s.
async fn delivered(
    received: &mut tokio::sync::mpsc::Receiver<flexledger::feed::Delivery>,
) -> flexledger::feed::Delivery {
    let next = tokio::time::timeout(std::time::Duration::from_secs(20), received.recv());
    next.await
        .expect("a delivery")
        .expect("the subscription ran")
}

/// A cursor names its history (D91): its id's tag is the tag of the event at its
/// position. Another history's cursor is refused where the log holds its position;
/// beyond the head it waits, and it goes on if the log then holds the event it names,
/// and ends with an error saying so if it holds another (a subscriber of a ledger
/// restored from an older copy, or of a standby promoted while behind, would otherwise
/// resume past the events recorded at positions it had already passed).
#[tokio::test(flavor = "current_thread")]
async fn a_cursor_is_checked_against_the_history_it_names() {
    use flexledger::feed::{Delivery, Start, StartError};
    let region = "histories";
    let base = [policy(region), enroll(region, member(0), "2025-01")];
    let third = enroll(region, member(1), "2025-01");
    let other_third = enroll(region, member(2), "2025-01");
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let (ahead, _, ahead_live) = ledger_of(
        dirs[0].path(),
        &[&base[..], std::slice::from_ref(&third)].concat(),
    );
    let named = tag_at(&ahead, 3);
    let (other, _, other_live) = ledger_of(
        dirs[1].path(),
        &[&base[..], std::slice::from_ref(&other_third)].concat(),
    );
    assert_ne!(tag_at(&other, 3), named, "the third events differ");
    assert!(
        subscribed(&ahead, &ahead_live, Start::After(3, 0, Some(named)))
            .await
            .is_ok()
    );
    match subscribed(&other, &other_live, Start::After(3, 0, Some(named))).await {
        Err(StartError::AnotherHistory(another)) => {
            assert_eq!((another.position, another.sent), (3, named));
            assert_eq!(another.here, tag_at(&other, 3));
        }
        Err(error) => panic!("refused for another reason: {error}"),
        Ok(_) => panic!("another history's cursor was taken"),
    }
    // Behind the cursor, with the same history so far: it waits, then goes on.
    let (mut behind, mut sources, live) = ledger_of(dirs[2].path(), &base);
    let (mut received, _running) = subscribed(&behind, &live, Start::After(3, 0, Some(named)))
        .await
        .unwrap();
    record(&mut behind, &mut sources, &live, &[third]);
    record(
        &mut behind,
        &mut sources,
        &live,
        &[enroll(region, member(3), "2025-01")],
    );
    match delivered(&mut received).await {
        Delivery::Item(item) => assert_eq!((item.position, item.sub), (4, 0)),
        other => panic!("the event after the cursor, not {other:?}"),
    }
    // Behind the cursor, and then another event where it points: it ends, saying so,
    // in the subscriber's language.
    let (mut forked, mut sources, live) = ledger_of(dirs[3].path(), &base);
    let after_named = Start::After(3, 0, Some(named));
    let (mut received, _running) = subscribed(&forked, &live, after_named).await.unwrap();
    let (mut received_zh, _running_zh) = subscribed_in(
        &forked,
        &live,
        after_named,
        flexledger::i18n::Language::ZhCn,
    )
    .await
    .unwrap();
    record(&mut forked, &mut sources, &live, &[other_third]);
    for (received, another_history) in [
        (&mut received, "another history"),
        (&mut received_zh, "另一段历史"),
    ] {
        match delivered(received).await {
            Delivery::Failed(message) => assert!(
                message.contains(another_history) && message.contains(&named.to_string()),
                "{message}"
            ),
            other => panic!("an error, not {other:?}"),
        }
        assert!(received.recv().await.is_none(), "the subscription ended");
    }
}

/// Over HTTP, another history's cursor is 409 `another_history`, in the reader's
/// language, naming both tags; the ledger's own id for the same position resumes.
#[test]
fn another_history_s_cursor_is_refused_by_the_server() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let servers = dirs.each_ref().map(|dir| start_with_env(dir.path(), &[]));
    // The same commands, two histories: each event has its own id and time.
    let heads = servers
        .each_ref()
        .map(|server| region_with_members(server, "forked", 2) + 2);
    assert_eq!(heads[0], heads[1]);
    let id_at = |server: &Server| {
        let mut feed = subscribe(server, &format!("?from={}", heads[0]), None);
        next_sse(&mut feed).id.expect("an event's id")
    };
    let (ours, theirs) = (id_at(&servers[0]), id_at(&servers[1]));
    assert_ne!(ours, theirs, "two histories, two tags");
    for (language, words) in [("en", "another history"), ("zh-CN", "另一段历史")] {
        let headers = [
            ("last-event-id", theirs.as_str()),
            ("accept-language", language),
        ];
        let (status, answer) = call(
            &servers[0],
            "GET",
            "/v1/feed",
            Some(token("auditor")),
            None,
            &headers,
        );
        assert_eq!(status, 409, "{answer}");
        assert_eq!(answer["error"]["code"], "another_history");
        let message = answer["error"]["message"].as_str().unwrap();
        let tags = [&ours, &theirs].map(|id| id.split_once('-').unwrap().1.to_owned());
        assert!(
            message.contains(words) && tags.iter().all(|tag| message.contains(tag.as_str())),
            "{message}"
        );
    }
    let mut resumed = subscribe(&servers[0], "", Some(&ours));
    let next = sentinel(&servers[0], "forked", 5, "2025-01");
    assert_eq!(next_message(&mut resumed).id, (next, 0));
}
