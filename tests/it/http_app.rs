//! The HTTP API in process: `flexledger::http::app(state)` answers each request with
//! no socket and no child process (axum's `oneshot`), on a ledger seeded with the demo
//! under a fixed clock, with the state `serve` builds (`flexledger::http::start`).
//! Routing, roles, status codes, error shapes, bodies, limits and the feed's messages
//! (its stream read as it arrives) are tested here; what needs a socket or a process
//! (timeouts, the connection cap, SIGTERM, a restart, the CLI as a client) stays in
//! `http.rs` against the real server.

use crate::http::{next_sse, pay, read_messages, token, MEMBER, TOKENS};
use crate::support::FixedSources;
use axum::body::Body;
use flexledger::http::auth::{Role, Tokens};
use flexledger::store::{AnyStore, Location, Place};
use flexledger::writer::Writer;
use serde_json::{json, Value};
use std::io::{BufRead, Read};
use std::path::Path;
use std::time::Duration;
use tower::ServiceExt;

/// The app on a demo ledger in `dir/data`, and what must be stopped after it.
pub(crate) struct App {
    /// `app(state)`; cloned for every request (`oneshot` consumes it).
    router: Option<axum::Router>,
    /// Runs the handlers, the blocking store reads and the feed subscriptions.
    runtime: Option<tokio::runtime::Runtime>,
    /// Owns the ledger; shut down last, so the store is closed when `App` is dropped.
    writer: Option<Writer<AnyStore>>,
    /// Ends feed streams, as a graceful stop does.
    stop: tokio::sync::watch::Sender<bool>,
    /// The store's sled tree, for tests that damage rows below the ledger (`None`
    /// on PostgreSQL).
    pub(crate) tree: Option<sled::Tree>,
    /// The state the router shares, for tests that take its request or feed slots.
    pub(crate) state: Option<flexledger::http::AppState>,
    /// A read-only server's feed follower (`replica`), stopped after its router.
    follower: Option<flexledger::feed::Follower>,
}

impl App {
    /// `serve --demo --auth …` in process: the demo seeded into `dir/data`, the test
    /// tokens of `http.rs`, no CORS origin.
    pub(crate) fn start(dir: &Path) -> App {
        App::start_with_cors(dir, &[])
    }

    /// `start` on `engine` (a new database of the test cluster for PostgreSQL).
    pub(crate) fn start_on(dir: &Path, engine: Engine) -> App {
        App::start_on_with_cors(dir, &[], engine)
    }

    /// `start` with `--cors-origin` values (parsed as `serve` parses them).
    pub(crate) fn start_with_cors(dir: &Path, origins: &[&str]) -> App {
        App::start_on_with_cors(dir, origins, Engine::Sled)
    }

    fn start_on_with_cors(dir: &Path, origins: &[&str], engine: Engine) -> App {
        let data = dir.join("data");
        let place = match engine {
            Engine::Sled => Place::sled(&data),
            Engine::Postgres => {
                // OK because `engines()` offers PostgreSQL only when its cluster runs.
                let cluster = crate::support::postgres::cluster().unwrap();
                let url = cluster.fresh_database();
                flexledger::store::postgres::migrate(&url).unwrap();
                Place {
                    store: Location::Postgres(url),
                    data_dir: data,
                }
            }
        };
        let mut ledger = flexledger::cli::open_ledger(&place).unwrap();
        let mut sources = FixedSources::new();
        flexledger::http::seed_demo(&mut ledger, &mut sources).unwrap();
        let tree = ledger.store().sled().map(|store| store.raw_tree().clone());
        let tokens = test_tokens();
        let origins: Vec<axum::http::HeaderValue> = origins
            .iter()
            .map(|origin| flexledger::http::cors::parse_origin(origin).unwrap())
            .collect();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (writer, state) = flexledger::http::start(
            ledger,
            &dir.join("data"),
            Box::new(sources),
            tokens,
            &origins,
            stopped,
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        App {
            router: Some(flexledger::http::app(state.clone())),
            state: Some(state),
            runtime: Some(runtime),
            writer: Some(writer),
            stop,
            tree,
            follower: None,
        }
    }

    /// `serve --read-only --writer-url WRITER` on this app's store, in process: a
    /// reader on the same database (as a replica reads a standby), no writer, and a
    /// feed follower.
    pub(crate) fn replica(&self, writer: &str) -> App {
        self.replica_in(writer, &self.state.as_ref().unwrap().data_dir)
    }

    /// [`App::replica`] with a data directory of its own (a reader on another machine:
    /// no signing key there unless one is put there).
    pub(crate) fn replica_in(&self, writer: &str, data_dir: &Path) -> App {
        let reader = self.state.as_ref().unwrap().store.as_ref().clone();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (follower, state) = flexledger::http::start_read_only(
            reader,
            data_dir,
            test_tokens(),
            &[],
            stopped,
            Some(writer),
        )
        .unwrap();
        App {
            router: Some(flexledger::http::app(state.clone())),
            state: Some(state),
            runtime: Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap(),
            ),
            writer: None,
            stop,
            tree: self.tree.clone(),
            follower: Some(follower),
        }
    }

    /// Answers `request`; the body is left to the caller (a feed's streams).
    pub(crate) fn send(&self, request: axum::http::Request<Body>) -> axum::response::Response {
        let router = self.router.clone().unwrap();
        self.runtime().block_on(router.oneshot(request)).unwrap()
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().unwrap()
    }

    /// One request with any method, headers and body: (status, response headers, body).
    pub(crate) fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> (u16, axum::http::HeaderMap, String) {
        let mut builder = axum::http::Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = body.map_or_else(Body::empty, |body| Body::from(body.to_owned()));
        let response = self.send(builder.body(body).unwrap());
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = self
            .runtime()
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap();
        (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// As `http::call`: (status, body as JSON or text); a POST sends `body` (or `{}`)
    /// as JSON.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let authorization = token.map(|token| format!("Bearer {token}"));
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(authorization) = &authorization {
            all.push(("authorization", authorization));
        }
        let body = if method == "GET" {
            None
        } else {
            all.push(("content-type", "application/json"));
            Some(body.unwrap_or("{}"))
        };
        all.extend_from_slice(headers);
        let (status, _, text) = self.exchange(method, path, &all, body);
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The status of a GET whose body is not read (a feed stream).
    pub(crate) fn status_of_get(&self, path: &str, headers: &[(&str, &str)]) -> u16 {
        let mut builder = axum::http::Request::builder().method("GET").uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::empty()).unwrap())
            .status()
            .as_u16()
    }
}

impl App {
    /// A feed subscription (`GET /v1/feed{query}`) read as the socket client reads one,
    /// line by line; an idle stream is given a minute per read.
    pub(crate) fn subscribe(&self, query: &str, last_event_id: Option<&str>) -> impl BufRead {
        let authorization = format!("Bearer {}", token("subscriber"));
        let mut headers = vec![("authorization", authorization.as_str())];
        if let Some(id) = last_event_id {
            headers.push(("last-event-id", id));
        }
        let mut builder = axum::http::Request::builder()
            .method("GET")
            .uri(format!("/v1/feed{query}"));
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let response = self.send(builder.body(Body::empty()).unwrap());
        assert_eq!(response.status().as_u16(), 200);
        std::io::BufReader::new(BodyReader {
            runtime: self.runtime().handle().clone(),
            body: response.into_body().into_data_stream(),
            pending: axum::body::Bytes::new(),
        })
    }
}

/// How long one read of a feed stream may wait for its next bytes: a guard against a
/// stream that stalls, not a timing assertion.
const FEED_READ_SECONDS_MAX: u64 = 60;

/// A streamed response body as `Read`: each read waits (on the app's runtime) for the
/// body's next bytes.
struct BodyReader {
    runtime: tokio::runtime::Handle,
    body: axum::body::BodyDataStream,
    pending: axum::body::Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        use futures_util::StreamExt;
        while self.pending.is_empty() {
            let wait = Duration::from_secs(FEED_READ_SECONDS_MAX);
            let body = &mut self.body;
            let next = self
                .runtime
                .block_on(async { tokio::time::timeout(wait, body.next()).await })
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "feed idle"))?;
            match next {
                None => return Ok(0),
                Some(data) => self.pending = data.map_err(std::io::Error::other)?,
            }
        }
        let count = buffer.len().min(self.pending.len());
        buffer[..count].copy_from_slice(&self.pending.split_to(count));
        Ok(count)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        // The router's state holds writer handles: it goes first, then the tasks the
        // runtime still runs, then the writer, which closes the store.
        drop(self.router.take());
        drop(self.state.take());
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(std::time::Duration::from_secs(10));
        }
        if let Some(writer) = self.writer.take() {
            let _ = writer.shutdown();
        }
        if let Some(follower) = self.follower.take() {
            follower.stop();
        }
    }
}

/// The engine an in-process app runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    Sled,
    Postgres,
}

/// Every engine a test can run on here: sled, and PostgreSQL when its test cluster
/// runs (`support::postgres`: always under CI).
pub(crate) fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sled];
    if crate::support::postgres::cluster().is_some() {
        engines.push(Engine::Postgres);
    }
    engines
}

/// The test tokens of `http.rs`, one per role.
fn test_tokens() -> Tokens {
    let mut tokens = Tokens::default();
    for (role, token) in TOKENS {
        let role = *Role::ALL.iter().find(|each| each.name() == role).unwrap();
        tokens.insert(token, role);
    }
    tokens
}

/// A response header's value, or "" when absent.
pub(crate) fn header_of(headers: &axum::http::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn every_route_and_role_is_allowed_or_refused_as_documented() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_on(dir.path(), engine);
        let member = format!("/v1/members/{MEMBER}");
        // Allowed for: operator, auditor, subscriber, subsidy office (whose POST of a
        // member command is refused by the command check, 403 as well).
        let routes: [(&str, String, [bool; 4]); 10] = [
            ("POST", "/v1/commands".into(), [true, false, false, false]),
            ("GET", member.clone(), [true, true, true, true]),
            (
                "GET",
                format!("{member}/months/2025-07"),
                [true, true, true, true],
            ),
            (
                "GET",
                format!("{member}/events"),
                [true, true, false, false],
            ),
            (
                "GET",
                format!("{member}/timeline.svg"),
                [true, true, true, true],
            ),
            (
                "GET",
                format!("/audit/members/{MEMBER}"),
                [true, true, false, false],
            ),
            ("GET", "/v1/regions/demo".into(), [true, true, false, false]),
            (
                "GET",
                "/v1/regions/demo/months/2025-01".into(),
                [true, true, false, true],
            ),
            ("GET", "/metrics".into(), [true, true, false, false]),
            ("GET", "/v1/feed?from=33".into(), [false, true, true, true]),
        ];
        let body =
            r#"{"command":"resume_deduction","member_id":"0b53af7d-bb50-5037-9d21-49eba4cb5782"}"#;
        for (method, path, allowed) in &routes {
            if path.starts_with("/v1/feed") {
                continue; // streams: checked with headers only below
            }
            assert_eq!(
                app.call(method, path, None, Some(body), &[]).0,
                401,
                "{method} {path} without a token"
            );
            assert_eq!(
                app.call(method, path, Some("wrong"), Some(body), &[]).0,
                401,
                "{method} {path} with an unknown token"
            );
            for (index, (role, token)) in TOKENS.iter().enumerate() {
                let (status, response) = app.call(method, path, Some(token), Some(body), &[]);
                if allowed[index] {
                    assert!(
                        status != 401 && status != 403,
                        "{role} may use {method} {path}: {status} {response}"
                    );
                } else {
                    assert_eq!(
                        status, 403,
                        "{role} may not use {method} {path}: {response}"
                    );
                    assert_eq!(response["error"]["code"], "forbidden");
                }
            }
        }
        // The feed: check the status line only (the body streams).
        for (index, (role, token)) in TOKENS.iter().enumerate() {
            let status = app.status_of_get(
                "/v1/feed?from=33",
                &[("authorization", &format!("Bearer {token}"))],
            );
            let feed = routes
                .iter()
                .find(|(_, path, _)| path.starts_with("/v1/feed"))
                .unwrap();
            let expected = if feed.2[index] { 200 } else { 403 };
            assert_eq!(status, expected, "{role} on the feed");
        }
        assert_eq!(app.call("GET", "/healthz", None, None, &[]).0, 200);
    }
}

/// A subsidy office's token sends the subsidy commands (R16) and nothing else: a
/// request holding another command is 403 `forbidden`, naming what it may send, and
/// nothing of it is decided (a subsidy office's probe could grant only with the
/// operator's token, which also withdraws members and closes months).
#[test]
fn a_subsidy_office_sends_only_the_subsidy_commands() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let office = Some(token("subsidy_office"));
    let grant = format!(
        r#"{{"command":"grant_subsidy","member_id":"{MEMBER}","from_month":"2025-10","months":3,"share":"0.5000","category":"hardship"}}"#
    );
    let withdraw =
        format!(r#"{{"command":"withdraw","member_id":"{MEMBER}","reason":"voluntary"}}"#);
    // Judged by the command's name alone: one the role may not send is refused whole
    // whether or not the rest of it reads (a probe's close_month with no month was
    // refused in its slot, and the grant beside it applied).
    let malformed = [
        (
            r#"{"command":"close_month","region":"demo"}"#,
            "close_month",
        ),
        (r#"{"command":"withdraw"}"#, "withdraw"),
        (
            r#"{"command":"withdraw","command_id":"not a uuid"}"#,
            "withdraw",
        ),
    ];
    let mut requests = vec![(format!("[{grant},{withdraw}]"), "withdraw")];
    for (command, name) in malformed {
        requests.push((format!("[{grant},{command}]"), name));
        requests.push((command.to_owned(), name));
    }
    for (body, name) in requests {
        let (status, refused) = app.call("POST", "/v1/commands", office, Some(&body), &[]);
        assert_eq!(status, 403, "{body}: {refused}");
        assert_eq!(refused["error"]["code"], "forbidden");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("may not send {name}")),
            "{message}"
        );
        assert!(message.contains("grant_subsidy"), "{message}");
    }
    let (status, accepted) = app.call("POST", "/v1/commands", office, Some(&grant), &[]);
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["ok"], true, "{accepted}");
    // The grant is the first subsidy event: the refused request decided nothing.
    let (status, member) = app.call("GET", &format!("/v1/members/{MEMBER}"), office, None, &[]);
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["state"], "active", "{member}");
    assert_eq!(member["subsidy"]["granted_months"], 3, "{member}");
}

#[test]
fn commands_single_array_idempotency_and_limits() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_on(dir.path(), engine);
        let operator = Some(token("operator"));
        let key = [("idempotency-key", "8a4b3c2d-1e0f-4a5b-9c8d-7e6f5a4b3c2d")];
        let (status, first) = app.call(
            "POST",
            "/v1/commands",
            operator,
            Some(&pay("2025-10", "2025-10-03")),
            &key,
        );
        assert_eq!(status, 200, "{first}");
        let (_, again) = app.call(
            "POST",
            "/v1/commands",
            operator,
            Some(&pay("2025-10", "2025-10-03")),
            &key,
        );
        assert_eq!(again["duplicate"], true);
        assert_eq!(again["events"], first["events"]);
        let conflicting = json!({"command":"pay","member_id":MEMBER,"months":["2025-10"],"amount":"600.00","paid_on":"2025-10-03","command_id":"11111111-1111-4111-8111-111111111111"}).to_string();
        let (status, conflict) =
            app.call("POST", "/v1/commands", operator, Some(&conflicting), &key);
        assert_eq!(
            (status, conflict["error"]["code"].as_str()),
            (422, Some("invalid_command")),
            "an Idempotency-Key that contradicts command_id: {conflict}"
        );
        let (status, refused) = app.call(
            "POST",
            "/v1/commands",
            operator,
            Some(&pay("2025-12", "2025-10-03")),
            &[],
        );
        assert_eq!(status, 422);
        assert_eq!(refused["error"]["code"], "arrears_must_be_paid_first");
        // The item with a fraction a float reads as whole is refused alone, as the one
        // with a number for an amount is (a reviewer: the whole array was 400).
        let array = format!(
            "[{},{},{}]",
            pay("2025-11", "2025-10-04"),
            r#"{"command":"pay","amount":600}"#,
            r#"{"command":"withdraw","member_id":"0b53af7d-bb50-5037-9d21-49eba4cb5782","reason":"voluntary","expected_version":0.99999999999999999}"#
        );
        let (status, results) = app.call("POST", "/v1/commands", operator, Some(&array), &[]);
        assert_eq!(status, 200);
        assert_eq!(results[0]["ok"], true);
        assert_eq!(results[1]["error"]["code"], "invalid_command");
        assert_eq!(results[2]["error"]["code"], "invalid_command");
        let message = results[2]["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("the number 0.99999999999999999 is not a whole number"),
            "{message}"
        );
        let (status, malformed) =
            app.call("POST", "/v1/commands", operator, Some("{not json"), &[]);
        assert_eq!(
            (status, malformed["error"]["code"].as_str()),
            (400, Some("invalid_command"))
        );
        let too_many = format!(
            "[{}]",
            vec![r#"{"command":"close_month","region":"demo","month":"2030-01"}"#; 1001].join(",")
        );
        assert_eq!(
            app.call("POST", "/v1/commands", operator, Some(&too_many), &[])
                .0,
            413
        );
        let too_big = format!("[\"{}\"]", "x".repeat(1024 * 1024 + 1000));
        let (status, rejected) = app.call("POST", "/v1/commands", operator, Some(&too_big), &[]);
        assert_eq!(
            (status, rejected["error"]["code"].as_str()),
            (413, Some("payload_too_large"))
        );
        // Its body left unread, the connection closes, and says so: a pooled client
        // sent its next request on it and met "server disconnected".
        let bearer = format!("Bearer {}", token("operator"));
        let json = ("content-type", "application/json");
        let headers = [("authorization", bearer.as_str()), json];
        let (status, said, _) = app.exchange("POST", "/v1/commands", &headers, Some(&too_big));
        assert_eq!(
            (status, said.get("connection").map(|value| value.as_bytes())),
            (413, Some(&b"close"[..]))
        );
        let (status, month) = app.call(
            "GET",
            &format!("/v1/members/{MEMBER}/months/2025-11"),
            Some(token("subscriber")),
            None,
            &[],
        );
        assert_eq!(status, 200);
        assert_eq!(month["status"], "covered");
        assert_eq!(month["benefits"], true);
        let (status, unknown) = app.call(
            "GET",
            "/v1/members/11111111-2222-4333-8444-555555555555",
            Some(token("auditor")),
            None,
            &[],
        );
        assert_eq!(
            (status, unknown["error"]["code"].as_str()),
            (404, Some("never_enrolled"))
        );
        let (status, bad_query) = app.call(
            "GET",
            &format!("/v1/members/{MEMBER}?as_of=abc"),
            Some(token("auditor")),
            None,
            &[],
        );
        assert_eq!(
            (status, bad_query["error"]["code"].as_str()),
            (400, Some("invalid_command")),
            "{bad_query}"
        );
        let (status, metrics) = app.call("GET", "/metrics", Some(token("auditor")), None, &[]);
        assert_eq!(status, 200);
        let metrics = metrics.as_str().unwrap();
        let value = |name: &str| {
            metrics
                .lines()
                .find_map(|line| line.strip_prefix(&format!("{name} ")))
                .and_then(|value| value.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("{name} in {metrics}"))
        };
        assert!(
            value("flexledger_appends_total") >= 2.0,
            "two accepted commands, two appends: {metrics}"
        );
        assert!(
            value("flexledger_writer_batch_commands_total")
                >= value("flexledger_writer_batches_total")
        );
        assert_eq!(value("flexledger_projection_lag_events"), 0.0);
    }
}

/// `HEAD /v1/backup` answers a `GET`'s headers, the log's head as the position, and
/// sends nothing: a client library's probe does not cost a backup.
#[test]
fn head_of_a_backup_names_its_position_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let authorization = format!("Bearer {}", crate::http::token("auditor"));
    let (status, headers, body) = app.exchange(
        "HEAD",
        "/v1/backup",
        &[("authorization", authorization.as_str())],
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "");
    assert_eq!(headers["content-type"], "application/x-ndjson");
    let (_, get_headers, backup) = app.exchange(
        "GET",
        "/v1/backup",
        &[("authorization", authorization.as_str())],
        None,
    );
    assert_eq!(
        headers[flexledger::backup::BACKUP_POSITION_HEADER],
        get_headers[flexledger::backup::BACKUP_POSITION_HEADER],
        "the same position, the head: nothing was appended in between"
    );
    assert!(backup.lines().count() > 2, "a GET still sends the backup");
}

/// A read-only server (or any server) whose data directory holds no key of the
/// ledger's never makes one to sign a backup (D33: that would give the ledger a second
/// identity): `GET /v1/backup` is 503 `signing_key_unavailable`, saying where to fetch
/// it, in the reader's language, and nothing is written in its directory.
#[test]
fn a_server_without_the_ledger_s_key_refuses_a_backup_and_makes_no_key() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let writer = App::start_on(dir.path(), engine);
        let elsewhere = tempfile::tempdir().unwrap();
        let reader_dir = elsewhere.path().join("reader-data");
        let replica = writer.replica_in("http://writer.example:7878", &reader_dir);
        let authorization = format!("Bearer {}", crate::http::token("auditor"));
        for language in ["en", "zh-CN"] {
            let headers = [
                ("authorization", authorization.as_str()),
                ("accept-language", language),
            ];
            let (status, _, body) = replica.exchange("GET", "/v1/backup", &headers, None);
            assert_eq!(status, 503, "{engine:?}: {body}");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["error"]["code"], "signing_key_unavailable", "{body}");
            let message = body["error"]["message"].as_str().unwrap();
            let expected = if language == "en" {
                "fetch the backup from the writer"
            } else {
                "请从写入端获取备份"
            };
            assert!(message.contains(expected), "{message}");
        }
        assert!(
            !reader_dir.exists(),
            "{engine:?}: nothing made for the reader"
        );
        // The writer, which holds the key, still answers.
        let headers = [("authorization", authorization.as_str())];
        let (status, _, body) = writer.exchange("GET", "/v1/backup", &headers, None);
        assert_eq!(status, 200, "{body}");
        // Its key file gone, it says to put it back, not to ask the writer.
        let key = flexledger::audit::keys::key_path(&writer.state.as_ref().unwrap().data_dir);
        std::fs::remove_file(&key).unwrap();
        let (status, _, body) = writer.exchange("GET", "/v1/backup", &headers, None);
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("put the key file back"), "{body}");
        assert!(!key.exists(), "no key made");
    }
}

/// A UTF-8 byte order mark at the start of a `POST /v1/commands` body (a body sent
/// from a file Notepad or Excel wrote) is no part of its JSON; one after the start is
/// still not JSON.
#[test]
fn a_byte_order_mark_before_a_command_body_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let operator = Some(token("operator"));
    let post = |body: &str| app.call("POST", "/v1/commands", operator, Some(body), &[]);
    let (status, single) = post(&format!("\u{FEFF}{}", pay("2025-10", "2025-10-03")));
    assert_eq!((status, &single["ok"]), (200, &json!(true)), "{single}");
    let (status, array) = post(&format!("\u{FEFF}[{}]", pay("2025-11", "2025-10-03")));
    assert_eq!((status, &array[0]["ok"]), (200, &json!(true)), "{array}");
    let (status, inside) = post(&format!(" \u{FEFF}{}", pay("2025-12", "2025-10-03")));
    assert_eq!(
        (status, inside["error"]["code"].as_str()),
        (400, Some("invalid_command")),
        "{inside}"
    );
}

/// The OpenAPI document served at /v1/openapi.json is the file in schemas/, names
/// exactly the live routes, and its `x-roles` are what the server enforces.
#[test]
fn the_openapi_document_matches_the_live_routes_and_roles() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let (status, served) = app.call("GET", "/v1/openapi.json", None, None, &[]);
    assert_eq!(status, 200);
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::repo_path("schemas/openapi.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(served, file, "the served document is schemas/openapi.json");
    assert_eq!(file["openapi"].as_str().unwrap().get(..3), Some("3.1"));
    let concrete = |path: &str| {
        path.replace("{id}", MEMBER)
            .replace("{month}", "2025-07")
            .replace("{name}", "demo")
    };
    let mut operations = 0;
    for (path, item) in file["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            operations += 1;
            let url = concrete(path);
            let Some(roles) = operation.get("x-roles") else {
                assert_eq!(
                    app.call(&method, &url, None, None, &[]).0,
                    200,
                    "{method} {path} is public"
                );
                continue;
            };
            let roles: Vec<&str> = roles
                .as_array()
                .unwrap()
                .iter()
                .map(|role| role.as_str().unwrap())
                .collect();
            for (role, token) in TOKENS {
                if path == "/v1/feed" {
                    let status =
                        app.status_of_get(&url, &[("authorization", &format!("Bearer {token}"))]);
                    assert_eq!(
                        status == 200,
                        roles.contains(&role),
                        "{role} on {method} {path}"
                    );
                    continue;
                }
                // A command every role that may post may send (the subsidy office
                // only the subsidy commands).
                let body = r#"{"command":"revoke_subsidy","member_id":"0b53af7d-bb50-5037-9d21-49eba4cb5782","from_month":"2025-10"}"#;
                let (status, response) = app.call(&method, &url, Some(token), Some(body), &[]);
                assert_ne!(status, 404, "{method} {path} is a live route: {response}");
                assert_eq!(
                    status != 403,
                    roles.contains(&role),
                    "{role} on {method} {path}: {status} {response}"
                );
            }
        }
    }
    assert_eq!(operations, 13, "every route is described");
    // A browser's EventSource cannot set headers: the token may come in the query.
    let status = app.status_of_get(
        &format!("/v1/feed?from=33&access_token={}", token("subscriber")),
        &[],
    );
    assert_eq!(status, 200);
    let (status, _) = app.call(
        "POST",
        &format!("/v1/commands?access_token={}", token("operator")),
        None,
        Some("{}"),
        &[],
    );
    assert_eq!(status, 401, "only GET takes a token in the query");
    // Only the routes a browser opens itself: a token in a URL ends up in access logs.
    for path in [
        format!("/v1/backup?access_token={}", token("auditor")),
        format!("/v1/members/{MEMBER}?access_token={}", token("auditor")),
        format!("/v1/regions/demo?access_token={}", token("auditor")),
    ] {
        assert_eq!(app.status_of_get(&path, &[]), 401, "{path}");
    }
    for path in [
        format!("/audit/members/{MEMBER}?access_token={}", token("auditor")),
        format!(
            "/v1/members/{MEMBER}/timeline.svg?access_token={}",
            token("auditor")
        ),
    ] {
        assert_eq!(app.status_of_get(&path, &[]), 200, "{path}");
    }
    // The scheme name is case-insensitive (RFC 7235).
    let (status, _) = app.call(
        "GET",
        &format!("/v1/members/{MEMBER}"),
        None,
        None,
        &[("authorization", "bearer au-secret")],
    );
    assert_eq!(status, 200);
}

/// The region month report over HTTP is the CLI's, and refuses what it cannot answer.
#[test]
fn the_region_month_report_is_served_as_the_cli_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let report_cli = |month: &str| {
        let output = crate::support::flexledger(
            &dir.path().join("data"),
            &["region", "demo", "--month", month],
            None,
        );
        (
            output.status.code(),
            serde_json::from_slice::<Value>(&output.stdout).unwrap(),
        )
    };
    let app = App::start(dir.path());
    let (status, report) = app.call(
        "GET",
        "/v1/regions/demo/months/2025-01",
        Some(token("auditor")),
        None,
        &[],
    );
    assert_eq!(status, 200, "{report}");
    crate::schemas::assert_valid("region_month_report", &report);
    for (path, expected_status, expected_code) in [
        ("/v1/regions/demo/months/2030-01", 409, "month_not_closed"),
        // Before the region's first policy: never closed, not a month of zeros.
        ("/v1/regions/demo/months/2024-12", 409, "month_not_closed"),
        ("/v1/regions/nowhere/months/2025-01", 404, "unknown_region"),
        ("/v1/regions/demo/months/2025-13", 400, "invalid_command"),
    ] {
        let (status, body) = app.call("GET", path, Some(token("auditor")), None, &[]);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (expected_status, Some(expected_code)),
            "{path}: {body}"
        );
        // A client generated from the OpenAPI document expects every answer it can get.
        let document =
            crate::support::read_json(&crate::support::repo_path("schemas/openapi.json"));
        let responses = &document["paths"]["/v1/regions/{name}/months/{month}"]["get"]["responses"];
        assert!(
            responses.get(status.to_string()).is_some(),
            "the OpenAPI document declares {status} for {path}"
        );
    }
    drop(app);
    assert_eq!(report_cli("2025-01"), (Some(0), report));
    let (code, refused) = report_cli("2030-01");
    assert_eq!(
        (code, refused["error"]["code"].as_str()),
        (Some(1), Some("month_not_closed"))
    );
    let (code, refused) = report_cli("2024-12");
    assert_eq!(
        (code, refused["error"]["code"].as_str()),
        (Some(1), Some("month_not_closed"))
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("never closed") && message.contains("R1"),
        "{message}"
    );
}

/// CORS: off by default (no header, a preflight is a 405 like any OPTIONS); with
/// `--cors-origin`, a preflight from a listed origin is answered without a token and
/// allows the Authorization header, responses (errors too) carry the origin, and any
/// other origin gets no Access-Control-Allow-Origin.
#[test]
fn cors_is_off_by_default_and_allows_only_the_listed_origins() {
    let app = "https://app.example.org";
    let preflight = |server: &App, origin: &str| {
        server.exchange(
            "OPTIONS",
            "/v1/commands",
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization,content-type",
                ),
            ],
            None,
        )
    };
    let auditor = format!("Bearer {}", token("auditor"));
    let read = |server: &App, origin: &str, token: Option<&str>| {
        let mut headers = vec![("origin", origin)];
        if let Some(token) = token {
            headers.push(("authorization", token));
        }
        server.exchange("GET", "/v1/regions/demo", &headers, None)
    };
    let allowed_origin =
        |headers: &axum::http::HeaderMap| header_of(headers, "access-control-allow-origin");

    let dir = tempfile::tempdir().unwrap();
    let off = App::start(dir.path());
    let (status, headers, body) = preflight(&off, app);
    assert_eq!(status, 405, "{body}");
    assert_eq!(allowed_origin(&headers), "");
    let (status, headers, _) = read(&off, app, Some(&auditor));
    assert_eq!(status, 200);
    assert_eq!(allowed_origin(&headers), "", "off by default");
    drop(off);

    let dir = tempfile::tempdir().unwrap();
    let on = App::start_with_cors(
        dir.path(),
        &["https://App.Example.org", "http://localhost:3000"],
    );
    let (status, headers, _) = preflight(&on, app);
    assert_eq!(status, 200, "a preflight needs no token");
    assert_eq!(
        allowed_origin(&headers),
        app,
        "the origin, lowercased as browsers send it"
    );
    assert!(header_of(&headers, "access-control-allow-methods").contains("POST"));
    let allowed_headers = header_of(&headers, "access-control-allow-headers");
    for name in [
        "authorization",
        "content-type",
        "idempotency-key",
        "last-event-id",
    ] {
        assert!(
            allowed_headers.contains(name),
            "{name} in {allowed_headers}"
        );
    }
    let (status, headers, _) = read(&on, "http://localhost:3000", Some(&auditor));
    assert_eq!(status, 200);
    assert_eq!(allowed_origin(&headers), "http://localhost:3000");
    let exposed = header_of(&headers, "access-control-expose-headers");
    assert!(
        exposed.contains("x-request-id"),
        "a page can read the request id to report it: {exposed}"
    );
    assert!(
        exposed.contains("retry-after"),
        "a page can wait as a 503 asks: {exposed}"
    );
    let (status, headers, _) = read(&on, app, None);
    assert_eq!(status, 401);
    assert_eq!(allowed_origin(&headers), app, "the page can read the error");
    for other in [
        "https://evil.example.org",
        "https://app.example.org.evil.example",
        "null",
    ] {
        let (_, headers, _) = preflight(&on, other);
        assert_eq!(allowed_origin(&headers), "", "preflight from {other}");
        let (status, headers, _) = read(&on, other, Some(&auditor));
        assert_eq!(status, 200);
        assert_eq!(allowed_origin(&headers), "", "{other}");
    }

    for bad in [
        "https://app.example.org/",
        "app.example.org",
        "*",
        "https://app.example.org/path",
    ] {
        let output = crate::support::flexledger(
            &dir.path().join("other"),
            &[
                "serve",
                "--demo",
                "--listen",
                "127.0.0.1:0",
                "--cors-origin",
                bad,
            ],
            None,
        );
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("is not an origin"), "{bad}: {stderr}");
    }
}

/// Every error has the contract's JSON error shape and the status the OpenAPI document
/// gives it: an unknown route, a wrong method, a body too large or not JSON, a path that
/// does not decode, a query or header of the wrong form, a key with an array.
#[test]
fn every_error_has_the_json_error_shape() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let operator = format!("Bearer {}", token("operator"));
    let auditor = format!("Bearer {}", token("auditor"));
    let subscriber = format!("Bearer {}", token("subscriber"));
    let json = ("content-type", "application/json");
    let too_big = format!("[\"{}\"]", "x".repeat(1024 * 1024 + 1000));
    let duplicate_key =
        format!(r#"{{"command":"stop_deduction","member_id":"{MEMBER}","member_id":"{MEMBER}"}}"#);
    let array = format!("[{}]", pay("2025-10", "2025-10-03"));
    let key = ("idempotency-key", "8a4b3c2d-1e0f-4a5b-9c8d-7e6f5a4b3c2d");
    // Past what the ledger reads and within hyper's read buffer, which answers a head
    // past it bare: the ledger's own 414 and 431, before the token is looked at.
    let long_target = format!(
        "/v1/members/{MEMBER}?as_of={}",
        "1".repeat(flexledger::http::REQUEST_URI_BYTES_MAX)
    );
    let long_header = "x".repeat(flexledger::http::REQUEST_HEAD_BYTES_MAX);
    // (method, path, headers, body, status, error code)
    type Case<'a> = (
        &'a str,
        String,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
        u16,
        &'a str,
    );
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("GET", "/nowhere".into(), vec![], None, 404, "not_found"),
        ("GET", long_target, vec![], None, 414, "uri_too_long"),
        ("GET", "/healthz".into(), vec![("x-long", &long_header)], None, 431, "header_too_large"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, ("x-long", &long_header)], Some("{}"), 431, "header_too_large"),
        ("POST", "/v1/healthz".into(), vec![("authorization", &operator)], Some("{}"), 404, "not_found"),
        ("GET", "/v1/commands".into(), vec![("authorization", &operator)], None, 405, "method_not_allowed"),
        ("DELETE", format!("/v1/members/{MEMBER}"), vec![("authorization", &auditor)], None, 405, "method_not_allowed"),
        ("PUT", "/v1/openapi.json".into(), vec![], Some("{}"), 405, "method_not_allowed"),
        // The liveness route is added apart from the others (outside the in-flight cap).
        ("POST", "/healthz".into(), vec![], Some("{}"), 405, "method_not_allowed"),
        ("GET", "/healthz?x=%00".into(), vec![], None, 400, "invalid_command"),
        ("GET", "/v1/openapi.json?foo=1".into(), vec![], None, 400, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json], Some(&too_big), 413, "payload_too_large"),
        // Refused on the header, before a byte of the body is waited for.
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, ("content-length", "99999999999")], Some("{}"), 413, "payload_too_large"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json], Some("{not json"), 400, "invalid_command"),
        // A compressed body was "not valid JSON", which sent its sender looking in the JSON.
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, ("content-encoding", "gzip")], Some("{}"), 415, "unsupported_media_type"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, ("content-encoding", "identity, br")], Some("{}"), 415, "unsupported_media_type"),
        // A body that says it is not JSON was read as JSON (a downstream probe); what
        // `curl -d` sends unless told otherwise is taken (D93), and so is JSON in UTF-8:
        // those reach the JSON, whose fault is then said.
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), ("content-type", "text/plain")], Some("{}"), 415, "unsupported_media_type"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), ("content-type", "multipart/form-data; boundary=x")], Some("{}"), 415, "unsupported_media_type"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), ("content-type", "application/json; charset=ISO-8859-1")], Some("{}"), 415, "unsupported_media_type"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), ("content-type", "application/json; charset=\"UTF-8\"")], Some("{not json"), 400, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), ("content-type", "application/x-www-form-urlencoded")], Some("{not json"), 400, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), ("content-type", "Application/Vnd.Api+JSON")], Some("{not json"), 400, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator)], Some("{not json"), 400, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json], Some(&duplicate_key), 400, "invalid_command"),
        // A fraction a float rounds to a whole number (`"type": "integer"` refuses it):
        // the command's fault, 422 as for 0.5, not the body's.
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json], Some(r#"{"command":"close_month","region":"demo","month":"2025-01","x":2.9999999999999999}"#), 422, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, ("idempotency-key", "not-a-uuid")], Some("{}"), 400, "invalid_command"),
        // A UUID in a form the contract's pattern refuses, as a command_id is (D95).
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, ("idempotency-key", "9a4b3c2d1e0f4a5b9c8d7e6f5a4b3c2d")], Some("{}"), 400, "invalid_command"),
        // Two keys: which one the client meant is not known (the first was taken).
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, key, ("idempotency-key", "9a4b3c2d-1e0f-4a5b-9c8d-7e6f5a4b3c2d")], Some("{}"), 400, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![("authorization", &operator), json, key], Some(&array), 422, "invalid_command"),
        ("POST", "/v1/commands".into(), vec![json], Some("{}"), 401, "unauthorized"),
        ("GET", format!("/v1/members/{MEMBER}/events"), vec![("authorization", &subscriber)], None, 403, "forbidden"),
        ("GET", "/v1/members/%FF".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/members/%FF/months/2025-01".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/members/%FF/timeline.svg".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/regions/%C3%28".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}?as_of=1.5"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}?as_of=1e3"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        // A position the log has not reached yet (D66): its answer would change.
        ("GET", format!("/v1/members/{MEMBER}?as_of=999999"), vec![("authorization", &auditor)], None, 404, "not_found"),
        ("GET", "/v1/regions/demo/months/2025-13".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/feed?from=-1".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        // Digits only, as the OpenAPI document says and as `Last-Event-ID` is read.
        ("GET", "/v1/feed?from=%2B5".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}?as_of=%2B3"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/feed?from=18446744073709551616".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        // Two cursors: which one was meant is not known (a proxy may add its own).
        ("GET", "/v1/feed".into(), vec![("authorization", &auditor), ("last-event-id", "4"), ("last-event-id", "9")], None, 400, "invalid_command"),
        // A misspelt type would filter out every item and leave the subscriber waiting.
        ("GET", "/v1/feed?types=ContributionPaid,Bogus".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        // So would a misspelt parameter (ignored, it started the feed live, unfiltered),
        // or a list given the way some clients repeat a name.
        ("GET", "/v1/feed?from=1&type=MonthClosed".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/feed?form=1".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/feed?types=MonthClosed&types=ContributionPaid".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        // A polyfill's id in the query is checked even where the header wins.
        ("GET", "/v1/feed?lastEventId=".into(), vec![("authorization", &auditor), ("last-event-id", "4")], None, 400, "invalid_command"),
        ("GET", "/v1/feed".into(), vec![("authorization", &auditor), ("last-event-id", "1.x")], None, 400, "invalid_command"),
        ("GET", "/v1/members/11111111-2222-4333-8444-555555555555".into(), vec![("authorization", &auditor)], None, 404, "never_enrolled"),
        // Every route refuses a parameter it does not take: an auditor's misspelt
        // `as_of` answered the member as it is now.
        ("GET", format!("/v1/members/{MEMBER}?asof=3"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}?as_of=3&as_of=4"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}/months/2025-03?as_of=3"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}/events?from=3"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", "/v1/regions/demo?month=2025-03".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}/timeline.svg?language=zh-CN"), vec![("authorization", &auditor)], None, 400, "invalid_command"),
        ("POST", "/v1/commands?dry_run=1".into(), vec![("authorization", &operator), json], Some("{}"), 400, "invalid_command"),
        // Two tokens: which one was meant is not known (the first had won).
        ("GET", format!("/v1/members/{MEMBER}"), vec![("authorization", &auditor), ("authorization", "Bearer x")], None, 400, "invalid_command"),
        ("GET", format!("/v1/members/{MEMBER}"), vec![("authorization", "Bearer x"), ("authorization", &auditor)], None, 400, "invalid_command"),
        // The access token only where a browser may send it.
        ("GET", "/v1/backup?access_token=x".into(), vec![("authorization", &auditor)], None, 400, "invalid_command"),
    ];
    for (method, path, headers, body, status, code) in cases {
        let (got, content_type, allow, text) = request(&app, method, &path, &headers, body);
        let what = format!("{method} {path}: {got} {text}");
        assert_eq!(got, status, "{what}");
        assert_eq!(content_type, "application/json", "{what}");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}"));
        crate::schemas::assert_openapi_valid("Error", &body);
        assert_eq!(body["error"]["code"], code, "{what}");
        if status == 405 {
            assert!(!allow.is_empty(), "a 405 names the allowed methods: {what}");
            // Its message too, as its `Allow` header does.
            let named = allow.replace(',', ", ");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains(&format!("it takes {named} ")), "{what}");
        }
    }
}

/// Every route refuses a method it does not take with 405, an `Allow` header and a
/// message naming the same methods, in English and in Chinese.
#[test]
fn a_wrong_method_is_told_the_methods_its_route_takes() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let auditor = format!("Bearer {}", token("auditor"));
    let paths = [
        "/v1/commands".to_owned(),
        format!("/v1/members/{MEMBER}"),
        format!("/v1/members/{MEMBER}/months/2025-07"),
        format!("/v1/members/{MEMBER}/timeline.svg"),
        format!("/v1/members/{MEMBER}/events"),
        "/v1/regions/demo".into(),
        "/v1/regions/demo/months/2025-01".into(),
        format!("/audit/members/{MEMBER}"),
        "/v1/backup".into(),
        "/metrics".into(),
        "/v1/feed".into(),
        "/healthz".into(),
        "/v1/openapi.json".into(),
        "/v1/defs.schema.json".into(),
    ];
    for path in &paths {
        // Listed in the reader's language: "GET、HEAD" in Chinese (a probe read "GET, HEAD").
        for (language, said, separator) in [("en", "it takes", ", "), ("zh-CN", "只接受", "、")]
        {
            let headers = [
                ("authorization", auditor.as_str()),
                ("accept-language", language),
            ];
            let (status, _, allow, text) = request(&app, "PATCH", path, &headers, None);
            assert_eq!(status, 405, "PATCH {path}: {text}");
            let expected = match path.as_str() {
                "/v1/commands" => "POST",
                _ => "GET,HEAD",
            };
            assert_eq!(allow, expected, "PATCH {path}");
            let body: Value = serde_json::from_str(&text).unwrap();
            let message = body["error"]["message"].as_str().unwrap();
            let named = format!("{said} {}", allow.replace(',', separator));
            assert!(
                message.contains(&named),
                "PATCH {path} ({language}): {message}"
            );
        }
    }
}

/// A refused parameter says what the route takes, in the reader's language, after the
/// role check; the parameters a route does take still work, percent-encoded names
/// too, and the browser's `access_token` where the auth layer reads it.
#[test]
fn a_parameter_a_route_does_not_take_is_refused_saying_what_it_takes() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let auditor = format!("Bearer {}", token("auditor"));
    let subscriber = format!("Bearer {}", token("subscriber"));
    let message = |path: &str, headers: &[(&str, &str)]| {
        let (status, _, _, text) = request(&app, "GET", path, headers, None);
        let body: Value = serde_json::from_str(&text).unwrap();
        (
            status,
            body["error"]["message"].as_str().unwrap_or("").to_owned(),
        )
    };
    let asked = format!("/v1/members/{MEMBER}?asof=3");
    let (status, said) = message(&asked, &[("authorization", &auditor)]);
    assert_eq!(status, 400);
    assert_eq!(
        said,
        "this route takes no parameter \"asof\": its parameters are as_of"
    );
    let (_, said) = message(
        &asked,
        &[("authorization", &auditor), ("accept-language", "zh-CN")],
    );
    assert_eq!(said, "此路由不接受参数 \"asof\"：可用的参数有 as_of");
    // A list is joined as the reader's language lists: a comma in English, 、 in Chinese.
    let (_, said) = message("/v1/feed?form=1", &[("authorization", &auditor)]);
    // Every parameter it takes, the browser's too (`access_token`, `lastEventId`).
    assert!(
        said.ends_with(
            "are from, types, region, member, progress, closing, access_token, lastEventId"
        ),
        "{said}"
    );
    let (_, said) = message(
        "/v1/feed?form=1",
        &[("authorization", &auditor), ("accept-language", "zh-CN")],
    );
    assert!(
        said.ends_with(
            "可用的参数有 from、types、region、member、progress、closing、access_token、lastEventId"
        ),
        "{said}"
    );
    // `progress` is a boolean, said as the request spelt it.
    let (status, said) = message("/v1/feed?progress=yes", &[("authorization", &auditor)]);
    assert_eq!(
        (status, said.as_str()),
        (400, "progress: \"yes\" is neither true nor false")
    );
    let (status, said) = message("/v1/feed?closing=1", &[("authorization", &auditor)]);
    assert_eq!(
        (status, said.as_str()),
        (400, "closing: \"1\" is neither true nor false")
    );
    // Given twice: the feed's hint about types is for `types` alone.
    let (_, said) = message("/v1/feed?from=1&from=2", &[("authorization", &auditor)]);
    assert_eq!(said, "the parameter from is given twice: give it once");
    let events = format!("/v1/members/{MEMBER}/events?from=3");
    let (_, said) = message(&events, &[("authorization", &auditor)]);
    assert_eq!(
        said,
        "this route takes no query parameters: remove \"from\""
    );
    // The role is checked first: a subscriber may not read events, whatever the query.
    let (status, _) = message(&events, &[("authorization", &subscriber)]);
    assert_eq!(status, 403);
    for path in [
        format!("/v1/members/{MEMBER}?as_of=3"),
        format!("/v1/members/{MEMBER}?as%5Fof=3"),
        format!("/v1/members/{MEMBER}/timeline.svg?lang=zh-CN"),
        format!("/audit/members/{MEMBER}?lang=en"),
        format!("/audit/members/{MEMBER}?lang=en&as_of=3"),
        format!("/v1/members/{MEMBER}/timeline.svg?as_of=3"),
        format!("/v1/members/{MEMBER}/events"),
    ] {
        assert_eq!(
            app.status_of_get(&path, &[("authorization", &auditor)]),
            200,
            "{path}"
        );
    }
    let page = format!("/audit/members/{MEMBER}?access_token={}", token("auditor"));
    assert_eq!(app.status_of_get(&page, &[]), 200);
    // The audit page says it in a page, as its other 400s.
    let page = format!("/audit/members/{MEMBER}?asof=3");
    let (status, _, _, text) = request(&app, "GET", &page, &[("authorization", &auditor)], None);
    assert_eq!(status, 400);
    assert!(text.starts_with("<!DOCTYPE html>"), "{text}");
    assert!(text.contains("its parameters are lang"), "{text}");
    // In the language `?lang=` asks for, as the page's other answers.
    let page = format!("/audit/members/{MEMBER}?lang=zh-CN&asof=3");
    let (status, _, _, text) = request(&app, "GET", &page, &[("authorization", &auditor)], None);
    assert_eq!(status, 400);
    assert!(text.contains("可用的参数有 lang"), "{text}");
}

/// A number past a 64-bit float's range is valid JSON (RFC 8259 lets a reader limit
/// the range): the body is refused for its range, not as "not valid JSON".
#[test]
fn a_number_out_of_range_is_refused_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let operator = format!("Bearer {}", token("operator"));
    let headers = [
        ("authorization", operator.as_str()),
        ("content-type", "application/json"),
    ];
    let body = r#"{"command":"close_month","region":"demo","month":"2025-01","x":1e400}"#;
    let (status, _, _, text) = request(&app, "POST", "/v1/commands", &headers, Some(body));
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("out of the range this ledger reads"),
        "{text}"
    );
    assert!(!text.contains("not valid JSON"), "{text}");
}

/// A position with more digits than 64 bits hold is refused for that reason, naming the
/// largest (it was "not a whole number 0 or more", which it is).
#[test]
fn a_position_too_large_for_64_bits_is_refused_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let auditor = format!("Bearer {}", token("auditor"));
    let too_large = "18446744073709551616";
    for path in [
        format!("/v1/feed?from={too_large}"),
        format!("/v1/members/{MEMBER}?as_of={too_large}"),
    ] {
        let (status, _, _, text) =
            request(&app, "GET", &path, &[("authorization", &auditor)], None);
        assert_eq!(status, 400, "{path}");
        assert!(
            text.contains("larger than any log position (at most 18446744073709551615)"),
            "{path}: {text}"
        );
    }
    let (status, _, _, text) = request(
        &app,
        "GET",
        "/v1/feed?from=1",
        &[
            ("authorization", &auditor),
            ("last-event-id", "4"),
            ("last-event-id", "4"),
        ],
        None,
    );
    assert_eq!(status, 400);
    assert!(text.contains("Last-Event-ID is sent twice"), "{text}");
}

/// `Last-Event-ID` takes every id the OpenAPI pattern admits (digits, a dot and digits,
/// spaces or tabs around them), however large, and nothing else.
#[test]
fn last_event_id_takes_what_its_documented_pattern_admits() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let auditor = format!("Bearer {}", token("auditor"));
    let status = |id: &str| {
        app.status_of_get(
            "/v1/feed",
            &[("authorization", &auditor), ("last-event-id", id)],
        )
    };
    for id in [
        "36",
        "36.1",
        " 36 ",
        "\t36.0\t",
        "7146233.6221606942",
        "99999999999999999999999",
        "1.99999999999999999999",
    ] {
        assert_eq!(status(id), 200, "{id:?}");
    }
    for id in [
        "", "x", "-1", "+1", "1.", ".1", "1.x", "1 .1", "1.1.1", "0x10",
    ] {
        assert_eq!(status(id), 400, "{id:?}");
    }
}

/// Every JSON Schema in schemas/ is served at /v1/ plus its path there, byte for byte,
/// so the OpenAPI document's relative `$ref`s (`defs.schema.json#/$defs/uuid`, and
/// `commands/pay.schema.json`'s `../defs.schema.json`) resolve against its own URL;
/// every reference the document and the schemas make names a served file.
#[test]
fn the_schemas_the_openapi_document_refers_to_are_served_beside_it() {
    fn schema_files(directory: &Path, below: &str, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if path.is_dir() {
                schema_files(&path, &format!("{below}{name}/"), found);
            } else if name.ends_with(".schema.json") {
                found.push(format!("{below}{name}"));
            }
        }
    }
    let mut files = Vec::new();
    schema_files(&crate::support::repo_path("schemas"), "", &mut files);
    files.sort();
    let mut compiled_in: Vec<String> = flexledger::http::SCHEMA_FILES
        .iter()
        .map(|(path, _)| (*path).to_owned())
        .collect();
    compiled_in.sort();
    assert_eq!(
        compiled_in, files,
        "src/http/schemas.rs lists every file of schemas/"
    );
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let fetch = |path: &str| {
        let (status, headers, body) = app.exchange("GET", &format!("/v1/{path}"), &[], None);
        (status, header_of(&headers, "content-type"), body)
    };
    let mut references = Vec::new();
    for file in files.iter().map(String::as_str).chain(["openapi.json"]) {
        let (status, content_type, served) = fetch(file);
        assert_eq!(status, 200, "{file} is served without a token");
        let expected =
            std::fs::read_to_string(crate::support::repo_path(&format!("schemas/{file}"))).unwrap();
        assert_eq!(
            served, expected,
            "the served {file} is the file in schemas/"
        );
        if file != "openapi.json" {
            assert_eq!(
                content_type,
                flexledger::http::SCHEMA_CONTENT_TYPE,
                "{file}"
            );
        }
        let directory = file.rsplit_once('/').map_or("", |(directory, _)| directory);
        collect_file_references(
            &serde_json::from_str(&served).unwrap(),
            directory,
            &mut references,
        );
    }
    for reference in references {
        assert!(
            files.contains(&reference),
            "a $ref names {reference}, which is not served"
        );
    }
    let (status, _, body) = fetch("commands/nothing.schema.json");
    assert_eq!(status, 404);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

/// One request with any method, headers and body: (status, content type, `Allow`, body).
fn request(
    app: &App,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String, String, String) {
    let (status, headers, text) = app.exchange(method, path, headers, body);
    let (content_type, allow) = (
        header_of(&headers, "content-type"),
        header_of(&headers, "allow"),
    );
    (status, content_type, allow, text)
}

/// The files `value`'s `$ref`s name, as paths below schemas/ (`directory` is the
/// referring file's own).
fn collect_file_references(value: &Value, directory: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                match (key.as_str(), field) {
                    ("$ref", Value::String(reference)) => {
                        let file = reference.split('#').next().unwrap_or_default();
                        if file.is_empty() {
                            continue;
                        }
                        let resolved = match file.strip_prefix("../") {
                            Some(up) => up.to_owned(),
                            None if directory.is_empty() => file.to_owned(),
                            None => format!("{directory}/{file}"),
                        };
                        found.push(resolved);
                    }
                    _ => collect_file_references(field, directory, found),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_file_references(item, directory, found)),
        _ => {}
    }
}

/// Every response carries an `x-request-id`, a new one each time; a 500 (here: the
/// demo member's state row damaged below the ledger while the app runs) says only
/// "internal error", quoting the id its header carries, and keeps the error shape.
#[test]
fn a_500_quotes_the_request_id_of_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let auditor = format!("Bearer {}", token("auditor"));
    let member = format!("/v1/members/{MEMBER}");
    let mut ids = Vec::new();
    for (path, headers, status) in [
        ("/healthz", vec![], 200),
        (
            member.as_str(),
            vec![("authorization", auditor.as_str())],
            200,
        ),
        (member.as_str(), vec![], 401),
        ("/nowhere", vec![], 404),
    ] {
        let (got, headers, text) = app.exchange("GET", path, &headers, None);
        assert_eq!(got, status, "{path}: {text}");
        let id = header_of(&headers, "x-request-id");
        assert!(
            id.len() == 32 && id.bytes().all(|byte| byte.is_ascii_hexdigit()),
            "{path}: x-request-id {id:?}"
        );
        assert!(!ids.contains(&id), "a new id per request: {id}");
        ids.push(id);
    }
    let key = [&b"M"[..], uuid::Uuid::parse_str(MEMBER).unwrap().as_bytes()].concat();
    app.tree
        .as_ref()
        .unwrap()
        .insert(key, &b"not a member row"[..])
        .unwrap();
    let (status, headers, text) =
        app.exchange("GET", &member, &[("authorization", &auditor)], None);
    assert_eq!(status, 500, "{text}");
    let id = header_of(&headers, "x-request-id");
    assert!(!ids.contains(&id), "a new id for the failed request: {id}");
    assert_eq!(header_of(&headers, "content-type"), "application/json");
    let body: Value = serde_json::from_str(&text).unwrap();
    crate::schemas::assert_openapi_valid("Error", &body);
    assert_eq!(
        body,
        json!({"ok": false, "error": {"code": "internal", "message": format!("internal error (request {id}); the server's log has the details")}})
    );
}

#[test]
fn a_back_payment_publishes_the_months_it_restored() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_on(dir.path(), engine);
        // Zhang qualified in July (rules v2: Zhao, who re-enrolled without ever
        // qualifying, serves the first-time wait again, so his back-paid months wait).
        let zhao = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
        let mut feed = app.subscribe(&format!("?types=CoverageChanged&member={zhao}"), None);
        let operator = Some(token("operator"));
        let close = r#"{"command":"close_month","region":"demo","month":"2025-10"}"#;
        assert_eq!(
            app.call("POST", "/v1/commands", operator, Some(close), &[])
                .0,
            200
        );
        let back_pay = json!({"command":"pay","member_id":zhao,"months":["2025-10","2025-11"],"amount":"1200.00","paid_on":"2025-11-05"}).to_string();
        let (status, paid) = app.call("POST", "/v1/commands", operator, Some(&back_pay), &[]);
        assert_eq!(status, 200, "{paid}");
        let messages = read_messages(&mut feed, 2);
        let missed = &messages[0].2;
        assert_eq!(messages[0].1, "CoverageChanged");
        assert_eq!(
            missed["months"],
            json!([{"month":"2025-10","old_status":"due","new_status":"arrears","old_benefits":false,"new_benefits":false,"refunded":"0.00","to_account":"0.00","subsidy":"0.00","subsidy_paid":false}])
        );
        let restored = &messages[1].2;
        assert_eq!(restored["position"], paid["events"][0]["position"]);
        assert_eq!(
            restored["months"],
            json!([
                {"month":"2025-10","old_status":"arrears","new_status":"restored","old_benefits":false,"new_benefits":true,"refunded":"0.00","to_account":"0.00","subsidy":"0.00","subsidy_paid":false},
                {"month":"2025-11","old_status":"due","new_status":"covered","old_benefits":false,"new_benefits":true,"refunded":"0.00","to_account":"0.00","subsidy":"0.00","subsidy_paid":false}
            ])
        );
        // The same items come back on catch-up from the store.
        let mut replay = app.subscribe(
            // After the demo's 33 events: the close's and the back-payment's changes.
            &format!("?from=34&types=CoverageChanged&member={zhao}"),
            None,
        );
        let replayed = read_messages(&mut replay, 2);
        assert_eq!(
            replayed
                .iter()
                .map(|message| message.2.clone())
                .collect::<Vec<_>>(),
            messages
                .iter()
                .map(|message| message.2.clone())
                .collect::<Vec<_>>()
        );
    }
}

/// Every feed message has its own id: a close that changes several members' coverage
/// sends them as POSITION.1, POSITION.2, …, and Last-Event-ID resumes between them.
#[test]
fn coverage_changes_of_one_command_have_their_own_ids_and_resume_between_them() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_on(dir.path(), engine);
        let close = r#"{"command":"close_month","region":"demo","month":"2025-10"}"#;
        let (_, closed) = app.call(
            "POST",
            "/v1/commands",
            Some(token("operator")),
            Some(close),
            &[],
        );
        // The close lists its MonthClosed (first) and a summary; the coverage changes
        // follow the command's last event (contract v2).
        let summary = &closed["close"];
        let position = closed["events"][0]["position"].as_u64().unwrap()
            + summary["missed"].as_u64().unwrap()
            + summary["withdrawn"].as_u64().unwrap();
        let mut feed = app.subscribe(&format!("?from={position}"), None);
        let messages = read_messages(&mut feed, 3);
        let ids: Vec<&str> = messages.iter().map(|message| message.0.as_str()).collect();
        let tag = &messages[0].2["hash"].as_str().unwrap()[..8];
        assert_eq!(
            ids,
            vec![
                format!("{position}-{tag}"),
                format!("{position}.1-{tag}"),
                format!("{position}.2-{tag}")
            ],
            "Li and Zhao both missed October"
        );
        assert_eq!(messages[1].1, "CoverageChanged");
        let mut resumed = app.subscribe("?types=CoverageChanged", Some(&messages[1].0));
        let next = read_messages(&mut resumed, 1);
        assert_eq!(
            next[0].0, messages[2].0,
            "resumes after the last message received, not after its position"
        );
        assert_eq!(next[0].2, messages[2].2);
    }
}

/// The ids the feed sends are the ones its documentation gives (the OpenAPI document's
/// `FeedMessage`, README's feed section): an event's id is its position, the coverage
/// changes after the event at P are `P.1`, `P.2`, … and carry `position` P; every
/// message validates against `FeedMessage`; live and caught up from the store, the same
/// messages have the same ids.
#[test]
fn the_feed_sends_the_documented_ids_live_and_caught_up() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_on(dir.path(), engine);
        let feed_message = crate::schemas::openapi_validator("FeedMessage");
        for (id, event) in [
            ("36", "CoverageChanged"),
            ("36.1", "ContributionPaid"),
            ("36.0", "CoverageChanged"),
        ] {
            let wrong = json!({"id": id, "event": event, "data": "{}"});
            assert!(
                !feed_message.is_valid(&wrong),
                "FeedMessage refuses {wrong}"
            );
        }
        let mut live = app.subscribe("", None);
        let operator = Some(token("operator"));
        let close = r#"{"command":"close_month","region":"demo","month":"2025-10"}"#;
        let (status, closed) = app.call("POST", "/v1/commands", operator, Some(close), &[]);
        assert_eq!(status, 200, "{closed}");
        let first = closed["events"][0]["position"].as_u64().unwrap();
        // `serve` answers a close at once and records its members' consequences in the
        // background (D17): wait until the region shows no close in progress, so every
        // consequence comes before the marker.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let (_, region) = app.call("GET", "/v1/regions/demo", operator, None, &[]);
            if region.get("closing").is_none() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the close is still being recorded: {region}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // A marker after the close: the messages up to it are compared.
        let marker = format!(r#"{{"command":"stop_deduction","member_id":"{MEMBER}"}}"#);
        let (status, stopped) = app.call("POST", "/v1/commands", operator, Some(&marker), &[]);
        assert_eq!(status, 200, "{stopped}");
        let marker_position = stopped["events"][0]["position"].to_string();
        let read_through_marker = |feed: &mut dyn BufRead| {
            let mut messages = Vec::new();
            loop {
                let message = next_sse(feed);
                let fields =
                    json!({"id": message.id, "event": message.event, "data": message.data});
                let errors: Vec<String> = feed_message
                    .iter_errors(&fields)
                    .map(|error| error.to_string())
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{fields} is not a FeedMessage: {errors:?}"
                );
                let (id, event) = (message.id.unwrap(), message.event.unwrap());
                let data: Value = serde_json::from_str(&message.data.unwrap()).unwrap();
                let done = id
                    .split_once('-')
                    .is_some_and(|(at, _)| at == marker_position);
                messages.push((id, event, data));
                if done {
                    return messages;
                }
            }
        };
        let sent = read_through_marker(&mut live);
        assert_eq!(sent[0].2["position"], first, "live starts after the head");
        let (mut last_event, mut tag) = (0, String::new());
        let mut changes_after_it = 0;
        for (id, event, data) in &sent {
            let position = data["position"].as_u64().unwrap();
            if event == "CoverageChanged" {
                changes_after_it += 1;
                assert_eq!(
                    position, last_event,
                    "a change follows the event it carries"
                );
                assert_eq!(*id, format!("{position}.{changes_after_it}-{tag}"));
            } else {
                // The history tag: the first 8 hex digits of the event's hash (D91).
                tag = data["hash"].as_str().unwrap()[..8].to_owned();
                assert_eq!(
                    *id,
                    format!("{position}-{tag}"),
                    "an event's id is its position and history tag"
                );
                (last_event, changes_after_it) = (position, 0);
            }
        }
        assert!(
            sent.iter()
                .filter(|message| message.1 == "CoverageChanged")
                .count()
                >= 2,
            "Li and Zhao both miss October: {:?}",
            sent.iter().map(|message| &message.0).collect::<Vec<_>>()
        );
        let mut caught_up = app.subscribe(&format!("?from={first}"), None);
        assert_eq!(read_through_marker(&mut caught_up), sent);
    }
}

/// `?as_of=` before the member's first event: still 404 `never_enrolled` (the member
/// had no events as of that position), but the message names the first event, in
/// the reader's language, so the id is known right; an unknown member still says to
/// check the id.
#[test]
fn as_of_before_a_members_first_event_names_that_event() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_on(dir.path(), engine);
        let auditor = Some(token("auditor"));
        let events_path = format!("/v1/members/{MEMBER}/events");
        let (status, events) = app.call("GET", &events_path, auditor, None, &[]);
        assert_eq!(status, 200, "{events}");
        let first = events[0]["position"].as_u64().unwrap();
        let recorded = events[0]["recorded_at"].as_str().unwrap();
        let before = first - 1;
        let path = format!("/v1/members/{MEMBER}?as_of={before}");
        let (status, body) = app.call("GET", &path, auditor, None, &[]);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("never_enrolled")),
            "{body}"
        );
        assert_eq!(
            body["error"]["message"],
            format!(
                "member {MEMBER} had no events yet as of position {before}: the id is right, its first \
                 event is at position {first} (recorded {recorded}); ask with as_of={first} or later"
            )
        );
        let chinese = [("accept-language", "zh-CN")];
        let (status, body) = app.call("GET", &path, auditor, None, &chinese);
        assert_eq!(status, 404);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("编号无误") && message.contains(&format!("位置 {first}")),
            "{message}"
        );
        let at_first = format!("/v1/members/{MEMBER}?as_of={first}");
        assert_eq!(app.call("GET", &at_first, auditor, None, &[]).0, 200);
        let nobody = "/v1/members/11111111-2222-4333-8444-555555555555?as_of=1";
        let (status, body) = app.call("GET", nobody, auditor, None, &[]);
        assert_eq!(status, 404);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.ends_with("check the id"), "{message}");
    }
}

/// A refusal answers in the language the client asks for (`Accept-Language`), with the
/// same code: a program reads the code, a person the message. Without the header, or
/// for a language the ledger does not speak, the message is the contract's English.
#[test]
fn a_refusal_speaks_the_language_the_client_asks_for() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::start_on(dir.path(), engine);
        // The demo's open month is 2025-10: a payment dated in November is refused (R6).
        let skipping = json!({"command":"pay","member_id":MEMBER,"months":["2026-01"],"amount":"600.00","paid_on":"2025-11-03"}).to_string();
        let authorization = format!("Bearer {}", token("operator"));
        let refused = |language: Option<&str>| {
            let mut headers = vec![
                ("authorization", authorization.as_str()),
                ("content-type", "application/json"),
            ];
            if let Some(language) = language {
                headers.push(("accept-language", language));
            }
            let (status, headers, body) =
                app.exchange("POST", "/v1/commands", &headers, Some(&skipping));
            assert_eq!(status, 422, "{body}");
            let body: Value = serde_json::from_str(&body).unwrap();
            let content_language = headers["content-language"].to_str().unwrap().to_owned();
            (
                body["error"]["code"].clone(),
                body["error"]["message"].as_str().unwrap().to_owned(),
                content_language,
            )
        };
        let (code, english, language) = refused(None);
        assert_eq!(language, "en");
        assert!(english.is_ascii(), "{english}");
        let (code_zh, chinese, language) = refused(Some("zh-CN,zh;q=0.9,en;q=0.5"));
        assert_eq!(code_zh, code, "the code never changes");
        assert_eq!(language, "zh-CN");
        assert!(
            chinese
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "a Chinese message: {chinese}"
        );
        let (_, french, language) = refused(Some("fr-FR"));
        assert_eq!((french, language.as_str()), (english, "en"));
    }
}

/// `serve --read-only`: the same answers as the writer's for every read, the same feed
/// (every item with the same id, followed from the log), and commands refused with
/// 503 naming the writer, in the reader's language.
#[test]
fn a_read_only_server_reads_what_the_writer_wrote_and_sends_commands_to_it() {
    for engine in engines() {
        let dir = tempfile::tempdir().unwrap();
        let writer = App::start_on(dir.path(), engine);
        let replica = writer.replica("http://writer.example:7878");
        let operator = token("operator");
        for path in [
            format!("/v1/members/{MEMBER}"),
            format!("/v1/members/{MEMBER}/events"),
            "/v1/regions/demo".to_string(),
        ] {
            let read = |app: &App| app.call("GET", &path, Some(operator), None, &[]);
            assert_eq!(read(&replica), read(&writer), "{path}");
            assert_eq!(read(&replica).0, 200, "{path}");
        }

        let (status, body) = replica.call(
            "POST",
            "/v1/commands",
            Some(operator),
            Some(&pay("2025-10", "2025-10-03")),
            &[],
        );
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["error"]["code"], "read_only");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("http://writer.example:7878"), "{message}");
        let (_, chinese) = replica.call(
            "POST",
            "/v1/commands",
            Some(operator),
            Some(&pay("2025-10", "2025-10-03")),
            &[("accept-language", "zh-CN")],
        );
        assert_eq!(chinese["error"]["code"], "read_only");
        assert!(
            chinese["error"]["message"]
                .as_str()
                .unwrap()
                .contains("只读"),
            "{chinese}"
        );

        // Both feeds from the head on; a payment through the writer reaches both, as the
        // same messages with the same ids.
        let mut from_writer = writer.subscribe("", None);
        let mut from_replica = replica.subscribe("", None);
        let (status, body) = writer.call(
            "POST",
            "/v1/commands",
            Some(operator),
            Some(&pay("2025-10", "2025-10-03")),
            &[],
        );
        assert_eq!(status, 200, "{body}");
        let expected = read_messages(&mut from_writer, 2);
        assert_eq!(expected[0].1, "ContributionPaid");
        assert_eq!(expected[1].1, "CoverageChanged");
        assert_eq!(read_messages(&mut from_replica, 2), expected);

        // It records no close's chunk, so it sends no `Closing` notice, and says so.
        let mut asked = replica.subscribe("?closing=true", None);
        let mut line = String::new();
        asked.read_line(&mut line).unwrap();
        assert!(
            line.starts_with(": this server only reads the ledger, so it sends no Closing notices"),
            "{line}"
        );
    }
}

/// A body saved as GBK (what a Chinese spreadsheet or editor often writes) is told to
/// be sent as UTF-8, with how to convert it, not "an invalid Unicode code point" at a
/// column.
#[test]
fn a_body_that_is_not_utf8_is_told_to_be_sent_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    // {"command":"close_month","region":"北京"} with 北京 in GBK.
    let mut body = br#"{"command":"close_month","month":"2025-01","region":""#.to_vec();
    body.extend_from_slice(&[0xB1, 0xB1, 0xBE, 0xA9]);
    body.extend_from_slice(br#""}"#);
    for (language, said) in [
        ("en", "the body is not UTF-8 text: send it as UTF-8"),
        ("zh-CN", "请求体不是 UTF-8 文本：请以 UTF-8 编码发送"),
    ] {
        let request = axum::http::Request::builder()
            .method("POST")
            .uri("/v1/commands")
            .header("authorization", format!("Bearer {}", token("operator")))
            .header("content-type", "application/json")
            .header("accept-language", language)
            .body(Body::from(body.clone()))
            .unwrap();
        let response = app.send(request);
        assert_eq!(response.status().as_u16(), 400);
        let bytes = app
            .runtime()
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
            .unwrap();
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(answer["error"]["code"], "invalid_command", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(said), "{message}");
        assert!(message.contains("iconv -f GBK -t UTF-8"), "{message}");
    }
}

/// A server sends at most `BACKUPS_IN_FLIGHT_MAX` backups at once (each walks the
/// whole log and holds a thread while its client reads): one more is 503 `overloaded`
/// with `Retry-After`, and a slot is free again once a backup's body is sent or
/// dropped.
#[test]
fn a_backup_beyond_those_being_sent_is_told_to_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let authorization = format!("Bearer {}", crate::http::token("auditor"));
    let headers = [("authorization", authorization.as_str())];
    let ask = || {
        let request = axum::http::Request::builder()
            .uri("/v1/backup")
            .header("authorization", authorization.as_str());
        app.send(request.body(Body::empty()).unwrap())
    };
    let being_sent: Vec<_> = (0..flexledger::http::BACKUPS_IN_FLIGHT_MAX)
        .map(|_| ask())
        .collect();
    assert!(being_sent.iter().all(|response| response.status() == 200));
    let (status, answer_headers, body) = app.exchange("GET", "/v1/backup", &headers, None);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"code\":\"overloaded\""), "{body}");
    assert!(body.contains("backups are being sent already"), "{body}");
    assert_eq!(answer_headers["retry-after"], "60");
    drop(being_sent);
    let (status, _, backup) = app.exchange("GET", "/v1/backup", &headers, None);
    assert_eq!(status, 200, "{backup}");
    assert!(backup.lines().count() > 2);
}
