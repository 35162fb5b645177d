//! Every error the HTTP API answers speaks the reader's language (`Accept-Language`;
//! `?lang=` first on the routes that take it; D37), with the same status and code and
//! the same JSON shape: a program reads the code, a person the message. English stays
//! the contract's, byte for byte (`http_app.rs` and `http.rs` pin it).

use crate::http::{token, MEMBER};
use crate::http_app::{header_of, App};
use serde_json::{json, Value};

const CHINESE: &str = "zh-CN,zh;q=0.9,en;q=0.5";

/// One request that fails: what it sends and the status and code it is answered with.
struct Case {
    method: &'static str,
    path: String,
    role: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
    status: u16,
    code: &'static str,
}

fn case(method: &'static str, path: impl Into<String>, status: u16, code: &'static str) -> Case {
    Case {
        method,
        path: path.into(),
        role: None,
        headers: Vec::new(),
        body: None,
        status,
        code,
    }
}

impl Case {
    fn by(mut self, role: &'static str) -> Case {
        self.role = Some(role);
        self
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Case {
        self.headers.push((name, value.into()));
        self
    }

    fn sending(mut self, body: impl Into<String>) -> Case {
        self.body = Some(body.into());
        self
    }
}

/// An answer's status, `Content-Language`, `Vary`, and the error's code and message.
struct Answer {
    status: u16,
    language: String,
    vary: String,
    code: String,
    message: String,
    /// `Retry-After`, empty when not sent.
    retry_after: String,
}

fn answer(app: &App, case: &Case, language: Option<&str>) -> Answer {
    let authorization = case.role.map(|role| format!("Bearer {}", token(role)));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(authorization) = &authorization {
        headers.push(("authorization", authorization));
    }
    if case.body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    for (name, value) in &case.headers {
        headers.push((name, value));
    }
    if let Some(language) = language {
        headers.push(("accept-language", language));
    }
    let (status, response_headers, body) =
        app.exchange(case.method, &case.path, &headers, case.body.as_deref());
    let body: Value = serde_json::from_str(&body)
        .unwrap_or_else(|_| panic!("{} {}: not JSON: {body}", case.method, case.path));
    assert_eq!(body["ok"], false, "{body}");
    let error = body["error"].as_object().unwrap();
    assert_eq!(error.len(), 2, "the error shape: {body}");
    Answer {
        status,
        language: header_of(&response_headers, "content-language"),
        vary: header_of(&response_headers, "vary"),
        code: error["code"].as_str().unwrap().to_owned(),
        message: error["message"].as_str().unwrap().to_owned(),
        retry_after: header_of(&response_headers, "retry-after"),
    }
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The same request in English and in Chinese: the same status and code, a message in
/// each language, each named in `Content-Language`, both varying by `Accept-Language`.
fn check(app: &App, case: &Case) -> String {
    let what = format!("{} {}", case.method, case.path);
    let english = answer(app, case, None);
    assert_eq!(
        (english.status, english.code.as_str()),
        (case.status, case.code),
        "{what}: {}",
        english.message
    );
    assert_eq!(english.language, "en", "{what}");
    assert!(
        !has_chinese(&english.message),
        "{what}: {}",
        english.message
    );
    let chinese = answer(app, case, Some(CHINESE));
    assert_eq!(
        chinese.status, english.status,
        "{what}: the status never changes"
    );
    assert_eq!(chinese.code, english.code, "{what}: the code never changes");
    assert_eq!(chinese.language, "zh-CN", "{what}");
    assert!(has_chinese(&chinese.message), "{what}: {}", chinese.message);
    for vary in [&english.vary, &chinese.vary] {
        assert!(vary.contains("accept-language"), "{what}: vary {vary}");
    }
    let french = answer(app, case, Some("fr-FR"));
    assert_eq!(
        (french.language.as_str(), french.message.as_str()),
        ("en", english.message.as_str()),
        "{what}: a language the ledger does not speak is English"
    );
    chinese.message
}

/// Every class of error a request can cause, answered by the app in process.
#[test]
fn every_http_error_speaks_chinese_with_the_same_status_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let unknown = "00000000-0000-4000-8000-000000000000";
    let too_large = format!("[{}]", " ".repeat(flexledger::http::REQUEST_BODY_BYTES_MAX));
    let too_many = format!(
        "[{}]",
        vec!["{}"; flexledger::http::REQUEST_COMMANDS_MAX + 1].join(",")
    );
    let cases = [
        case("GET", "/v1/nowhere", 404, "not_found"),
        case("DELETE", "/v1/commands", 405, "method_not_allowed").by("operator"),
        case("GET", format!("/v1/members/{MEMBER}"), 401, "unauthorized"),
        case("GET", format!("/v1/members/{MEMBER}"), 401, "unauthorized")
            .with("authorization", "Bearer not-a-token"),
        case("POST", "/v1/commands", 403, "forbidden")
            .by("subscriber")
            .sending("{}"),
        case("POST", "/v1/commands", 400, "invalid_command")
            .by("operator")
            .sending("{"),
        case("POST", "/v1/commands", 413, "payload_too_large")
            .by("operator")
            .sending(too_large),
        case("POST", "/v1/commands", 413, "too_many_commands")
            .by("operator")
            .sending(too_many),
        case("POST", "/v1/commands", 415, "unsupported_media_type")
            .by("operator")
            .with("content-encoding", "gzip")
            .sending("{}"),
        case("POST", "/v1/commands", 400, "invalid_command")
            .by("operator")
            .with("idempotency-key", "not-a-uuid")
            .sending("{}"),
        case("POST", "/v1/commands", 422, "invalid_command")
            .by("operator")
            .with("idempotency-key", unknown)
            .sending("[]"),
        case("GET", "/v1/members/not-a-uuid", 400, "invalid_command").by("auditor"),
        case("GET", "/v1/members/%ff", 400, "invalid_command").by("auditor"),
        case(
            "GET",
            format!("/v1/members/{unknown}"),
            404,
            "never_enrolled",
        )
        .by("auditor"),
        case(
            "GET",
            format!("/v1/members/{MEMBER}?as_of=x"),
            400,
            "invalid_command",
        )
        .by("auditor"),
        case("GET", "/v1/members/%FF", 400, "invalid_command").by("auditor"),
        case("GET", "/v1/feed?types=Bogus", 400, "invalid_command").by("auditor"),
        case("GET", "/v1/feed?type=Bogus", 400, "invalid_command").by("auditor"),
        case("GET", "/v1/feed?types=A&types=B", 400, "invalid_command").by("auditor"),
        case(
            "GET",
            format!("/v1/members/{MEMBER}/months/2025-13"),
            400,
            "invalid_command",
        )
        .by("auditor"),
        case("GET", "/v1/regions/no%20region", 400, "invalid_command").by("auditor"),
        case("GET", "/v1/regions/nowhere", 404, "unknown_region").by("auditor"),
        case(
            "GET",
            "/v1/regions/nowhere/months/2025-01",
            404,
            "unknown_region",
        )
        .by("auditor"),
        case(
            "GET",
            "/v1/regions/demo/months/2025-13",
            400,
            "invalid_command",
        )
        .by("auditor"),
        case(
            "GET",
            "/v1/regions/demo/months/2025-10",
            409,
            "month_not_closed",
        )
        .by("auditor"),
        case(
            "GET",
            "/v1/regions/demo/months/2024-12",
            409,
            "month_not_closed",
        )
        .by("auditor"),
        case("GET", "/v1/feed?member=x", 400, "invalid_command").by("subscriber"),
        case("GET", "/v1/feed?region=no%20region", 400, "invalid_command").by("subscriber"),
        case("GET", "/v1/feed?from=x", 400, "invalid_command").by("subscriber"),
        case("GET", "/v1/feed", 400, "invalid_command")
            .by("subscriber")
            .with("last-event-id", "x"),
        case("GET", "/v1/members/x/timeline.svg", 400, "invalid_command").by("auditor"),
    ];
    for case in &cases {
        check(&app, case);
    }
}

/// The in-flight cap's and the feed's 503s, with every slot taken: in the reader's
/// language, and with `Retry-After` (they pass by themselves).
#[test]
fn the_overloaded_answers_speak_chinese_too() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let state = app.state.as_ref().unwrap();
    let feed_slots = state.feed_slots.clone();
    let taken = feed_slots
        .try_acquire_many(flexledger::http::FEED_SUBSCRIBERS_MAX as u32)
        .unwrap();
    let message = check(
        &app,
        &case("GET", "/v1/feed", 503, "overloaded").by("subscriber"),
    );
    assert!(message.contains("256"), "{message}");
    drop(taken);
    let request_slots = state.request_slots.clone();
    let _taken = request_slots
        .try_acquire_many(flexledger::http::REQUESTS_IN_FLIGHT_MAX as u32)
        .unwrap();
    let region = case("GET", "/v1/regions/demo", 503, "overloaded").by("auditor");
    let message = check(&app, &region);
    assert!(message.contains("512"), "{message}");
    let overloaded = answer(&app, &region, None);
    assert_eq!(overloaded.retry_after, "1");
    // Liveness is answered whatever the load: a supervisor must not read a full
    // server as a dead one (found by a probe whose slow bodies held every slot).
    let (status, _, body) = app.exchange("GET", "/healthz", &[], None);
    assert_eq!((status, body.as_str()), (200, "{\"ok\":true}"));
    drop(_taken);
    let taken = feed_slots
        .try_acquire_many(flexledger::http::FEED_SUBSCRIBERS_MAX as u32)
        .unwrap();
    let feed = answer(
        &app,
        &case("GET", "/v1/feed", 503, "overloaded").by("subscriber"),
        None,
    );
    assert_eq!(feed.retry_after, "1");
    drop(taken);
}

/// On the routes that take `?lang=`, it comes before `Accept-Language` for their JSON
/// errors too, the role check's included; elsewhere a `lang` parameter is no choice.
#[test]
fn lang_chooses_the_language_of_the_routes_that_take_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let svg = format!("/v1/members/{MEMBER}/timeline.svg?lang=zh-CN");
    let refused = answer(&app, &case("GET", svg.as_str(), 401, "unauthorized"), None);
    assert_eq!((refused.status, refused.language.as_str()), (401, "zh-CN"));
    assert!(has_chinese(&refused.message), "{}", refused.message);
    let english = answer(
        &app,
        &case(
            "GET",
            "/v1/members/x/timeline.svg?lang=en",
            400,
            "invalid_command",
        )
        .by("auditor"),
        Some(CHINESE),
    );
    assert_eq!(english.language, "en", "{}", english.message);
    assert!(!has_chinese(&english.message), "{}", english.message);
    let elsewhere = answer(
        &app,
        &case("GET", "/v1/members/x?lang=zh-CN", 400, "invalid_command").by("auditor"),
        None,
    );
    assert_eq!(elsewhere.language, "en", "{}", elsewhere.message);
}

/// A single command whose `Idempotency-Key` and `command_id` differ is refused by the
/// HTTP layer itself, in the reader's language; the code is the same.
#[test]
fn the_idempotency_key_refusal_speaks_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let command = json!({"command_id": "11111111-1111-4111-8111-111111111111", "command": "stop_deduction", "member_id": MEMBER});
    let refused = |language: &str| {
        let key = "22222222-2222-4222-8222-222222222222";
        let (status, body) = app.call(
            "POST",
            "/v1/commands",
            Some(token("operator")),
            Some(&command.to_string()),
            &[("idempotency-key", key), ("accept-language", language)],
        );
        assert_eq!(status, 422, "{body}");
        (
            body["error"]["code"].as_str().unwrap().to_owned(),
            body["error"]["message"].as_str().unwrap().to_owned(),
        )
    };
    let (code, english) = refused("en");
    assert_eq!(code, "invalid_command");
    assert_eq!(english, "Idempotency-Key 22222222-2222-4222-8222-222222222222 and command_id 11111111-1111-4111-8111-111111111111 differ; send one, or the same id in both");
    let (code_zh, chinese) = refused(CHINESE);
    assert_eq!(code_zh, code);
    assert!(has_chinese(&chinese), "{chinese}");
    assert!(
        chinese.contains("22222222-2222-4222-8222-222222222222"),
        "{chinese}"
    );
}

/// A command that does not parse is refused with `invalid_command` and the domain's
/// English; over HTTP each of its fixed sentences is shown in the reader's language
/// from its message data (`RefusalText::Parse…`, `locales/*/refusals.ftl`), one
/// command of every sentence here, a policy that does not validate among them. A sentence built without its data would stay
/// English and fail this test.
#[test]
fn a_command_that_does_not_parse_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let grant = |months: u64, share: &str| json!({"command":"grant_subsidy","member_id":MEMBER,"from_month":"2025-10","months":months,"share":share,"category":"hardship"});
    let commands = [
        json!(1),
        json!({"command": 1}),
        json!({}),
        json!({"command": "frobnicate"}),
        json!({"command_id": "x", "command": "pay"}),
        json!({"expected_version": -1, "command": "pay"}),
        json!({"expected_version": 1, "command": "close_month", "region": "demo", "month": "2025-10"}),
        json!({"command":"pay","member_id":MEMBER,"months":[],"amount":"1.00","paid_on":"2025-10-03"}),
        json!({"command":"withdraw","member_id":MEMBER,"reason":"arrears_exceeded_grace"}),
        grant(0, "0.5"),
        grant(3, "0"),
        json!({"command":"pay_subsidy","member_id":MEMBER,"months":["2025-01","2025-01"],"amount":"1.00","paid_on":"2025-10-03"}),
        json!({"command":"pay_subsidy","member_id":MEMBER,"months":[],"amount":"1.00","paid_on":"2025-10-03"}),
        json!({"command": "pay", "member_id": MEMBER}),
        json!({"command":"pay","member_id":"x","months":["2025-10"],"amount":"1.00","paid_on":"2025-10-03"}),
        json!({"command":"publish_policy","region":"demo","effective_from":"2025-10",
            "average_monthly_wage":"10000.00","contribution_rate":"0.10","base_ratio_min":"3.50",
            "base_ratio_max":"3.00","grace_months":3,"benefit_delay_first":6,
            "benefit_delay_reenroll":1,"backpay_restores":"retroactive","benefit_tiers":[]}),
    ];
    let batch = Value::Array(commands.to_vec()).to_string();
    let refused = |language: &str| -> Vec<(String, String)> {
        let (status, body) = app.call(
            "POST",
            "/v1/commands",
            Some(token("operator")),
            Some(&batch),
            &[("accept-language", language)],
        );
        assert_eq!(status, 200, "{body}");
        body.as_array()
            .unwrap()
            .iter()
            .map(|result| {
                let error = &result["error"];
                (
                    error["code"].as_str().unwrap().to_owned(),
                    error["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let english = refused("en");
    let chinese = refused(CHINESE);
    assert_eq!(english.len(), commands.len());
    for ((command, (code, english)), (code_zh, chinese)) in
        commands.iter().zip(&english).zip(&chinese)
    {
        assert_eq!(code, "invalid_command", "{command}: {english}");
        assert_eq!(code_zh, code, "{command}");
        assert!(!has_chinese(english), "{command}: {english}");
        assert!(
            has_chinese(chinese),
            "{command}: {chinese} (English: {english})"
        );
    }
}

/// A command id accepted before, sent again with a different command, is refused by
/// the ledger itself (`command_id_reused`, D10): in the reader's language too, naming
/// the id and the position its first command's events start at, with the same code.
#[test]
fn a_reused_command_id_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let id = "33333333-3333-4333-8333-333333333333";
    let send = |command: &str, language: &str| {
        let body = json!({"command_id": id, "command": command, "member_id": MEMBER});
        app.call(
            "POST",
            "/v1/commands",
            Some(token("operator")),
            Some(&body.to_string()),
            &[("accept-language", language)],
        )
    };
    let (status, first) = send("stop_deduction", "en");
    assert_eq!(status, 200, "{first}");
    let position = first["events"][0]["position"].as_u64().unwrap();
    let refused = |language: &str| {
        let (status, body) = send("resume_deduction", language);
        assert_eq!(status, 422, "{body}");
        (
            body["error"]["code"].as_str().unwrap().to_owned(),
            body["error"]["message"].as_str().unwrap().to_owned(),
        )
    };
    let (code, english) = refused("en");
    assert_eq!(code, "command_id_reused");
    assert_eq!(english, format!("command_id {id} was already accepted for a different command (its events start at position {position}): send a new command under a new command_id, or resend exactly the same command to get its first result"));
    let (code_zh, chinese) = refused(CHINESE);
    assert_eq!(code_zh, code, "the code never changes");
    assert_eq!(chinese, format!("command_id {id} 已用于另一条已受理的命令（其事件自位置 {position} 起）：请为新命令使用新的 command_id；如需取得原命令的结果，请原样重新提交原命令"));
}

/// A position that is not one (`as_of`, the feed's `from`) is said in the reader's
/// language, naming the parameter: it was serde's English inside a Chinese frame
/// ("查询字符串无法解析：Failed to deserialize query string: …").
#[test]
fn a_position_that_is_not_one_is_said_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let as_of = format!("/v1/members/{MEMBER}?as_of=abc");
    for case in [
        case("GET", as_of.as_str(), 400, "invalid_command").by("auditor"),
        case("GET", "/v1/feed?from=-1", 400, "invalid_command").by("subscriber"),
    ] {
        let chinese = answer(&app, &case, Some(CHINESE));
        assert!(
            chinese.message.contains("应为日志位置"),
            "{}",
            chinese.message
        );
        assert!(
            !chinese.message.contains("deserialize"),
            "{}",
            chinese.message
        );
        let english = answer(&app, &case, None);
        assert!(
            english.message.contains("must be a log position"),
            "{}",
            english.message
        );
    }
}

/// A path whose %-escapes are not UTF-8 is said in the reader's language, without
/// axum's English inside it (found by a probe: "路径无法解析：Invalid URL: Invalid UTF-8
/// in `id`").
#[test]
fn a_path_that_is_not_utf8_is_said_in_chinese_without_axum_s_english() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let path = case("GET", "/v1/members/%ff", 400, "invalid_command").by("auditor");
    let chinese = answer(&app, &path, Some(CHINESE));
    assert!(!chinese.message.contains("Invalid"), "{}", chinese.message);
    assert!(chinese.message.contains("UTF-8"), "{}", chinese.message);
    let english = answer(&app, &path, None);
    assert!(
        english.message.contains("is not UTF-8"),
        "{}",
        english.message
    );
}
