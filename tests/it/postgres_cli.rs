//! The ledger on PostgreSQL through its library and its binaries: every scenario
//! (`flexledger --store URL`), a ledger copied sled → PostgreSQL → sled unchanged, and
//! a writer and a read-only server (`serve --read-only`) on one database. The cluster
//! is the test process's own (`support::postgres`).

use crate::copy::{contents, contents_of};
use crate::http::{auth_file, call, pay, read_messages, subscribe, token, Server, MEMBER};
use crate::scenarios::{check_all, check_cli_with, check_library_on};
use crate::support::postgres::{cluster, own_cluster, Cluster, TlsServer};
use crate::support::*;
use flexledger::ledger::Ledger;
use flexledger::store::{AnyStore, PgStore};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `flexledger --data-dir dir --store url ARGS`.
pub(crate) fn flexledger_on(url: &str, dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--store", url];
    all.extend_from_slice(args);
    flexledger(dir, &all, None)
}

/// `flexledger-audit --data-dir dir --store url ARGS` (the signing key in `dir`).
pub(crate) fn audit_on(url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .arg("--data-dir")
        .arg(dir)
        .args(["--store", url])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("flexledger-audit runs")
}

/// A new database, migrated by `flexledger migrate` (which must say so).
pub(crate) fn migrated(cluster: &Cluster, dir: &Path) -> String {
    let url = cluster.fresh_database();
    let output = flexledger_on(&url, dir, &["migrate"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["schema_version"],
        flexledger::store::postgres::PG_SCHEMA_VERSION,
        "{report}"
    );
    url
}

#[test]
fn every_scenario_passes_on_postgres_through_the_library_and_the_cli() {
    let Some(cluster) = cluster() else { return };
    check_all(&|scenario| {
        let dir = tempfile::tempdir().unwrap();
        let url = migrated(cluster, dir.path());
        let store = AnyStore::Postgres(PgStore::open(&url).unwrap());
        let mut differences = check_library_on(scenario, Ledger::with_store(store).unwrap());
        let url = migrated(cluster, dir.path());
        let data = dir.path().join("data");
        differences.extend(check_cli_with(scenario, dir.path(), &|args| {
            flexledger_on(&url, &data, args)
        }));
        differences
    });
}

#[test]
fn a_ledger_copied_to_postgres_and_back_is_the_same_ledger() {
    let Some(cluster) = cluster() else { return };
    let root = tempfile::tempdir().unwrap();
    let source = untar_golden("v3-store", root.path());
    let url = migrated(cluster, root.path());
    let back = root.path().join("back");
    for (from, to) in [
        (source.to_str().unwrap(), url.as_str()),
        (url.as_str(), back.to_str().unwrap()),
    ] {
        let output = flexledger(root.path(), &["copy", "--from", from, "--to", to], None);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let expected = contents_of(&source);
    let on_postgres = contents(&PgStore::open_read_only(&url).unwrap());
    assert_eq!(on_postgres, expected);
    assert_eq!(contents_of(&back), expected);
    let verified = flexledger_on(&url, root.path(), &["verify"]);
    assert_eq!(
        verified.stdout,
        flexledger(&source, &["verify"], None).stdout
    );
    let member = ["member", "70000000-0000-4000-8000-00000000000f"];
    assert_eq!(
        flexledger_on(&url, root.path(), &member).stdout,
        flexledger(&source, &member, None).stdout
    );
}

#[test]
fn a_bundle_exported_from_postgres_verifies_anywhere() {
    let Some(cluster) = cluster() else { return };
    let root = tempfile::tempdir().unwrap();
    let source = untar_golden("v3-store", root.path());
    let url = migrated(cluster, root.path());
    let copied = flexledger(
        root.path(),
        &["copy", "--from", source.to_str().unwrap(), "--to", &url],
        None,
    );
    assert_eq!(copied.status.code(), Some(0), "{copied:?}");
    let keys = root.path().join("keys");
    let bundle = root.path().join("member.bundle");
    let member = "70000000-0000-4000-8000-00000000000f";
    let export = [
        "export",
        "--member",
        member,
        "--out",
        bundle.to_str().unwrap(),
    ];
    // The copied ledger has no key yet, and an auditor's machine never makes one for
    // it (D33: a second identity); its writer does, when it first opens the ledger.
    let refused = audit_on(&url, &keys, &export);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("this ledger's key is made by its writer"),
        "{said}"
    );
    assert!(!keys.exists(), "no key made");
    let opened = flexledger_on(&url, &keys, &["submit", "-"]);
    assert_eq!(opened.status.code(), Some(0), "{opened:?}");
    let exported = audit_on(&url, &keys, &export);
    assert_eq!(exported.status.code(), Some(0), "{exported:?}");
    let key = audit_on(&url, &keys, &["--json", "public-key"]);
    let key: serde_json::Value = serde_json::from_slice(&key.stdout).unwrap();
    let key = key["public_key"].as_str().unwrap();
    // Checked with no store at all, as an auditor elsewhere would.
    let verify = |path: &Path| {
        Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
            .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
            .env_remove("FLEXLEDGER_STORE")
            .arg("--data-dir")
            .arg(root.path().join("no-ledger-here"))
            .args(["verify-bundle", path.to_str().unwrap(), "--public-key", key])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let valid = verify(&bundle);
    let said = String::from_utf8_lossy(&valid.stdout).into_owned();
    assert_eq!(valid.status.code(), Some(0), "{said}{valid:?}");
    assert!(said.starts_with("VALID"), "{said}");
    // The same bundle with one paid amount changed is refused.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let edited = text.replacen("\"amount\":\"600.00\"", "\"amount\":\"60.00\"", 1);
    assert_ne!(edited, text, "the member paid 600.00 at least once");
    let tampered = root.path().join("tampered.bundle");
    std::fs::write(&tampered, edited).unwrap();
    let invalid = verify(&tampered);
    assert_ne!(invalid.status.code(), Some(0), "{invalid:?}");
    assert!(!String::from_utf8_lossy(&invalid.stdout).starts_with("VALID"));
}

#[test]
fn over_tls_the_server_is_verified_and_nothing_travels_in_the_clear() {
    let Some(server) = TlsServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca = server.certificate();
    let ca = ca.to_str().unwrap();
    let verified = server.url("127.0.0.1", &format!("?sslmode=require&sslrootcert={ca}"));
    // The whole round on an encrypted, verified connection (the server rejects any
    // other on TCP: its pg_hba.conf says hostnossl … reject).
    for args in [
        &["migrate"][..],
        &["submit", "examples/demo.jsonl"][..],
        &["verify"][..],
        &["member", MEMBER][..],
    ] {
        let output = flexledger_on(&verified, dir.path(), args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
    }
    let same = server.url(
        "127.0.0.1",
        &format!("?sslmode=verify-full&sslrootcert={ca}"),
    );
    let output = flexledger_on(&same, dir.path(), &["verify"]);
    assert_eq!(output.status.code(), Some(0), "verify-full: {output:?}");
    // Refused, each saying why: in the clear; a certificate nobody vouched for; a
    // name the certificate does not give (it names 127.0.0.1 only); a half check.
    for (url, says) in [
        (server.url("127.0.0.1", ""), "no encryption"),
        (server.url("127.0.0.1", "?sslmode=require"), "sslrootcert"),
        (
            server.url("localhost", &format!("?sslmode=require&sslrootcert={ca}")),
            "sslrootcert",
        ),
        (
            server.url("127.0.0.1", &format!("?sslmode=verify-ca&sslrootcert={ca}")),
            "verify-full",
        ),
        // libpq's prefer and allow fall back to the clear without a word.
        (
            server.url("127.0.0.1", "?sslmode=prefer"),
            "sslmode=prefer may connect without encryption",
        ),
        (
            server.url("127.0.0.1", "?sslmode=allow"),
            "sslmode=allow may connect without encryption",
        ),
    ] {
        let output = flexledger_on(&url, dir.path(), &["verify"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{url}: {stderr}");
        assert!(stderr.contains(says), "{url}: {stderr}");
    }
}

/// `serve --store url --data-dir data_dir` with the test tokens (their file written
/// into `data_dir`): the writer (seeding the demo on an empty ledger), or a read-only
/// server that names `writer` in its answer to a command.
pub(crate) fn serve(data_dir: &Path, url: &str, read_only_beside: Option<&str>) -> Server {
    Server::spawn(&mut serve_command(data_dir, url, read_only_beside))
}

/// The command `serve` runs.
fn serve_command(data_dir: &Path, url: &str, read_only_beside: Option<&str>) -> Command {
    std::fs::create_dir_all(data_dir).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_flexledger"));
    command
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env("FLEXLEDGER_STORE", url)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--auth"])
        .arg(auth_file(data_dir));
    match read_only_beside {
        Some(writer) => command.args(["--read-only", "--writer-url", writer]),
        None => command.arg("--demo"),
    };
    command
}

#[test]
fn a_read_only_server_beside_the_writer_reads_and_follows_the_same_database() {
    let Some(cluster) = cluster() else { return };
    let (writer_dir, replica_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = migrated(cluster, writer_dir.path());
    let writer = serve(writer_dir.path(), &url, None);
    let replica = serve(replica_dir.path(), &url, Some(&writer.base));
    let operator = Some(token("operator"));
    let path = format!("/v1/members/{MEMBER}");
    let read = |server: &Server| call(server, "GET", &path, operator, None, &[]);
    assert_eq!(read(&writer).0, 200);
    assert_eq!(read(&replica), read(&writer));

    let (status, body) = call(
        &replica,
        "POST",
        "/v1/commands",
        operator,
        Some(&pay("2025-10", "2025-10-03")),
        &[],
    );
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "read_only");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&writer.base),
        "{body}"
    );

    let mut feed = subscribe(&replica, "", None);
    let (status, body) = call(
        &writer,
        "POST",
        "/v1/commands",
        operator,
        Some(&pay("2025-10", "2025-10-03")),
        &[],
    );
    assert_eq!(status, 200, "{body}");
    let position = body["events"][0]["position"].as_u64().unwrap();
    let messages = read_messages(&mut feed, 2);
    // Ids carry the history tag of the event (D91), the same a writer's feed sends.
    let tag = &messages[0].2["hash"].as_str().unwrap()[..8];
    assert_eq!(messages[0].0, format!("{position}-{tag}"));
    assert_eq!(messages[0].1, "ContributionPaid");
    assert_eq!(messages[1].0, format!("{position}.1-{tag}"));
    assert_eq!(messages[1].1, "CoverageChanged");
    assert_eq!(read(&replica), read(&writer));

    // `verify` and `events`, and the audit tools, read the store while its writer runs
    // (they open it read-only; `member` and `region` too, no close being recorded).
    for args in [
        &["verify"][..],
        &["events", "--from", "30"][..],
        &["member", MEMBER][..],
        &["region", "demo", "--month", "2025-03"][..],
    ] {
        let output = flexledger_on(&url, replica_dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "flexledger {args:?} beside a running writer: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for args in [
        &["--json", "verify"][..],
        &["--json", "replay", "--member", MEMBER][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
            .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
            .env_remove("FLEXLEDGER_SIGNING_KEY")
            .args(["--store", &url, "--data-dir"])
            .arg(writer_dir.path())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "flexledger-audit {args:?} beside a running writer: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A feed filtered by region reads a member's region from the database off the async
/// threads: on PostgreSQL that read, made on one, panicked the whole server ("Cannot
/// start a runtime from within a runtime"), writer and read-only alike, with one
/// `GET /v1/feed?region=` (an operator's probe). Caught up and live, both servers.
#[test]
fn a_feed_filtered_by_region_is_served_from_postgres() {
    let Some(cluster) = cluster() else { return };
    let (writer_dir, replica_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = migrated(cluster, writer_dir.path());
    let writer = serve(writer_dir.path(), &url, None);
    let replica = serve(replica_dir.path(), &url, Some(&writer.base));
    for server in [&writer, &replica] {
        let mut feed = subscribe(server, "?from=1&region=demo", None);
        let messages = read_messages(&mut feed, 12);
        assert_eq!(messages[0].1, "PolicyPublished", "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|(_, event, _)| event == "MemberEnrolled"),
            "{messages:?}"
        );
    }
    let mut live = [&writer, &replica].map(|server| subscribe(server, "?region=demo", None));
    let operator = Some(token("operator"));
    let paid = pay("2025-10", "2025-10-03");
    let (status, body) = call(&writer, "POST", "/v1/commands", operator, Some(&paid), &[]);
    assert_eq!(status, 200, "{body}");
    for feed in &mut live {
        let messages = read_messages(feed, 2);
        assert_eq!(messages[0].1, "ContributionPaid", "{messages:?}");
        assert_eq!(messages[1].1, "CoverageChanged", "{messages:?}");
    }
    let path = format!("/v1/members/{MEMBER}");
    assert_eq!(call(&writer, "GET", &path, operator, None, &[]).0, 200);
    assert_eq!(call(&replica, "GET", &path, operator, None, &[]).0, 200);
}

/// The password a role needs in `password_test_cluster`: a `:` and a `\\` to escape in a
/// password file.
const PASSWORD: &str = "pa:ss\\w0rd";

/// `flexledger --store url ARGS` with no password but `password` from `PGPASSWORD`,
/// and `HOME` (its `.pgpass`) and `PGPASSFILE` as given.
fn flexledger_login(
    url: &str,
    dir: &Path,
    password: Option<&str>,
    home: &Path,
    password_file: Option<&Path>,
    args: &[&str],
) -> Output {
    let mut command = flexledger_command(dir);
    command
        .env_remove("PGPASSWORD")
        .env_remove("PGPASSFILE")
        .env("HOME", home)
        .args(["--store", url])
        .args(args)
        .stdin(Stdio::null());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    if let Some(file) = password_file {
        command.env("PGPASSFILE", file);
    }
    command.output().unwrap()
}

/// A cluster of the test's own whose user `ledgeru` needs `PASSWORD` and owns a
/// database `ledger`, and the directory of its socket; `None` where no cluster runs.
fn ledger_database_behind_a_password() -> Option<(Cluster, String)> {
    let own = own_cluster()?;
    own.require_password("ledgeru", PASSWORD);
    let mut admin = ::postgres::Client::connect(&own.url("postgres"), ::postgres::NoTls).unwrap();
    admin
        .batch_execute("CREATE DATABASE ledger OWNER ledgeru")
        .unwrap();
    let socket = own.socket_dir().display().to_string();
    Some((own, socket))
}

/// Writes a password file of `lines` with `mode`.
fn password_file(path: &Path, lines: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, lines).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn the_password_comes_from_pgpassword_or_the_password_file_as_libpq_finds_it() {
    let Some((_own, socket)) = ledger_database_behind_a_password() else {
        return;
    };
    let url = format!("postgresql:///ledger?host={socket}&user=ledgeru");
    let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (dir, home) = (dir.path(), home.path());
    let run = |password: Option<&str>, file: Option<&Path>, args: &[&str]| {
        let output = flexledger_login(&url, dir, password, home, file, args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), stderr)
    };
    // Nowhere: said plainly, with where to put it.
    let (code, stderr) = run(None, None, &["migrate"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("the server asks for a password for user ledgeru and none was given: put it in ~/.pgpass (or PGPASSFILE) or PGPASSWORD (not in the URL"),
        "{stderr}"
    );
    let (code, stderr) = run(Some(PASSWORD), None, &["migrate"]);
    assert_eq!(code, Some(0), "PGPASSWORD: {stderr}");
    let (code, stderr) = run(Some("wrong"), None, &["verify"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("the password came from PGPASSWORD"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong"), "never the password: {stderr}");
    // What to do is said in the reader's language; the server's own words stay.
    let (code, stderr) = run(Some("wrong"), None, &["--lang", "zh-CN", "verify"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("请检查 URL 给出的用户名和密码，以及服务器的 pg_hba.conf（用户 ledgeru；密码来源：PGPASSWORD）"),
        "{stderr}"
    );
    let (_, stderr) = run(None, None, &["--lang", "zh-CN", "migrate"]);
    assert!(
        stderr.contains("服务器要求用户 ledgeru 提供密码，但未给出"),
        "{stderr}"
    );
    // The password file: the first matching line, escapes undone, comments skipped.
    let escaped = r"pa\:ss\\w0rd";
    let file = home.join("elsewhere");
    let lines = format!(
        "# {socket}:5432:ledger:ledgeru:a-comment\n{socket}:5432:other:ledgeru:not-this-database\n\
         {socket}:5432:ledger:ledgeru:{escaped}\n*:*:*:*:too-late\n"
    );
    password_file(&file, &lines, 0o600);
    let (code, stderr) = run(None, Some(&file), &["verify"]);
    assert_eq!(code, Some(0), "PGPASSFILE: {stderr}");
    password_file(
        &home.join(".pgpass"),
        &format!("*:5432:*:ledgeru:{escaped}\n"),
        0o600,
    );
    let (code, stderr) = run(None, None, &["verify"]);
    assert_eq!(code, Some(0), "~/.pgpass: {stderr}");
    // A file others may read is ignored (as libpq ignores it), with a warning.
    password_file(
        &home.join(".pgpass"),
        &format!("*:5432:*:ledgeru:{escaped}\n"),
        0o644,
    );
    let (code, stderr) = run(None, None, &["verify"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("none was given"), "{stderr}");
    assert!(stderr.contains("group or world access"), "{stderr}");
}

/// Several hosts in one URL, as libpq takes them: each host gets its own line of the
/// password file. Here the first host (a socket directory where no server runs, as a
/// standby that is down) has a line with another password, which was sent to the
/// second host too when the URL's one config held one password for all.
#[test]
fn each_host_of_a_url_gets_its_own_password_from_the_password_file() {
    let Some((_own, socket)) = ledger_database_behind_a_password() else {
        return;
    };
    let gone = format!("{socket}-gone");
    // Several hosts only in the URL's authority (a `host=` query value starting with
    // `/` is one socket path, commas and all), a socket directory percent-encoded.
    let encoded = |path: &str| path.replace('/', "%2F");
    let url = format!(
        "postgresql://ledgeru@{},{}/ledger",
        encoded(&gone),
        encoded(&socket)
    );
    let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = home.path().join("pgpass");
    let escaped = r"pa\:ss\\w0rd";
    password_file(
        &file,
        &format!(
            "{gone}:5432:ledger:ledgeru:not-this-hosts\n{socket}:5432:ledger:ledgeru:{escaped}\n"
        ),
        0o600,
    );
    for args in [&["migrate"][..], &["verify"][..]] {
        let output = flexledger_login(&url, dir.path(), None, home.path(), Some(&file), args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
    // The server refuses the first host's password and the second host is down: the
    // refused login is what is reported, not the host that could not be reached.
    let reversed = format!(
        "postgresql://ledgeru@{},{}/ledger",
        encoded(&socket),
        encoded(&gone)
    );
    password_file(
        &file,
        &format!("{socket}:5432:ledger:ledgeru:wrong\n{gone}:5432:ledger:ledgeru:other\n"),
        0o600,
    );
    let output = flexledger_login(
        &reversed,
        dir.path(),
        None,
        home.path(),
        Some(&file),
        &["verify"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the password came from the password file"),
        "{stderr}"
    );
}

#[test]
fn only_urls_are_offered_for_store() {
    let dir = tempfile::tempdir().unwrap();
    let help = flexledger(dir.path(), &["--help"], None);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("postgres://USER@HOST"), "{help}");
    assert!(!help.contains("key=value"), "{help}");
    let output = flexledger_on(
        "host=/tmp/sock port=5432 dbname=ledger",
        dir.path(),
        &["verify"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--store takes a PostgreSQL URL"),
        "{stderr}"
    );
    let output = flexledger_on("postgresql://u@h:port/db", dir.path(), &["verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the URL does not parse"), "{stderr}");
    assert!(!stderr.contains("key=value"), "{stderr}");
}

/// A restart of PostgreSQL ends the writer's session and its lock without a word to
/// an idle client: the writer asks every few seconds, and with no command sent it
/// stops (exit 2) as after a failed append, saying why, so a supervisor restarts it.
#[test]
fn an_idle_writer_that_lost_its_lock_stops_without_waiting_for_a_command() {
    let Some(own) = own_cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(&own, dir.path());
    let log = dir.path().join("serve.log");
    let mut writer = Server::spawn_with_stderr(
        &mut serve_command(dir.path(), &url, None),
        std::fs::File::create(&log).unwrap(),
    );
    let (status, _) = call(&writer, "GET", "/healthz", None, None, &[]);
    assert_eq!(status, 200);
    own.stop();
    own.start_again();
    let exit = writer.exit_within(30, "the idle writer went on running");
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(exit.code(), Some(2), "{log}");
    assert!(
        log.contains("no longer takes this writer's appends"),
        "{log}"
    );
}

/// A database that stops answering (its server frozen: SIGSTOP) makes a writer that
/// waits on it exit (2) once it has not answered its check in time, saying so; an
/// operator's probe saw commands and reads wait without end, `/healthz` say ok and
/// nothing logged. A connection to a server that takes it and never answers is given
/// up, not waited on forever.
#[test]
fn a_database_that_stops_answering_stops_the_writer_and_a_silent_server_is_given_up() {
    let Some(own) = own_cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(&own, dir.path());
    let log = dir.path().join("serve.log");
    let mut writer = Server::spawn_with_stderr(
        serve_command(dir.path(), &url, None).env("FLEXLEDGER_WRITER_CHECK_ANSWER_MS", "3000"),
        std::fs::File::create(&log).unwrap(),
    );
    let (status, _) = call(&writer, "GET", "/healthz", None, None, &[]);
    assert_eq!(status, 200);
    own.signal_all("STOP");
    let exit = writer.exit_within(60, "the writer waited on a frozen database");
    own.signal_all("CONT");
    let said = std::fs::read_to_string(&log).unwrap();
    assert_eq!(exit.code(), Some(2), "{said}");
    assert!(said.contains("its store does not answer"), "{said}");
    // A port that takes connections and never answers (nothing accepts them: the
    // kernel's backlog does).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("postgresql://flexledger@127.0.0.1:{port}/ledger?connect_timeout=1");
    let said = dir.path().join("verify.stderr");
    let mut verify = flexledger_command(dir.path());
    verify.args(["--store", &url, "verify"]);
    let child = (verify.stdout(Stdio::null()))
        .stderr(std::fs::File::create(&said).unwrap())
        .spawn()
        .unwrap();
    // Waited on with a deadline far beyond its own (1 s + 10 s), so that a hang
    // fails the test instead of stalling the run.
    let mut verify = Server {
        child,
        base: String::new(),
    };
    let exit = verify.exit_within(120, "verify waited on a server that never answers");
    let stderr = std::fs::read_to_string(&said).unwrap();
    assert_eq!(exit.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did not answer in time"), "{stderr}");
    drop(silent);
}

/// A read-only server whose database froze (a stopped standby) answers a read that
/// finds every connection stuck with a 503 saying so, within
/// `FLEXLEDGER_PG_READER_WAIT_MS`: such reads used to wait without end, behind
/// connections waiting on a server that never answers.
#[test]
fn reads_waiting_for_a_frozen_database_s_connections_are_answered_that_it_does_not_answer() {
    use flexledger::store::postgres::{PG_READER_CONNECTIONS_MAX, PG_READER_WAIT_SECONDS_MAX};
    let Some(own) = own_cluster() else { return };
    let (writer_dir, replica_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = migrated(&own, writer_dir.path());
    let writer = serve(writer_dir.path(), &url, None);
    let mut command = serve_command(replica_dir.path(), &url, Some(&writer.base));
    // Each new connection to the frozen server is given up after 20 s + 10 s.
    command
        .env("FLEXLEDGER_STORE", format!("{url}&connect_timeout=20"))
        .env("FLEXLEDGER_PG_READER_WAIT_MS", "2000");
    let replica = Server::spawn(&mut command);
    let path = format!("/v1/members/{MEMBER}/months/2025-01");
    assert_eq!(
        call(&replica, "GET", &path, Some(token("operator")), None, &[]).0,
        200
    );
    own.signal_all("STOP");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(90)))
        .build()
        .into();
    let url = format!("{}{path}", replica.base);
    let (answered, answers) = std::sync::mpsc::channel();
    let readers: Vec<_> = (0..PG_READER_CONNECTIONS_MAX + 4)
        .map(|_| {
            let (agent, url, answered) = (agent.clone(), url.clone(), answered.clone());
            std::thread::spawn(move || {
                let response = agent
                    .get(&url)
                    .header("authorization", &format!("Bearer {}", token("operator")))
                    .call();
                let answer = response.map(|mut response| {
                    let status = response.status().as_u16();
                    (status, response.body_mut().read_to_string().unwrap())
                });
                let _ = answered.send(answer.unwrap());
            })
        })
        .collect();
    // The answers given while the database is frozen, until 4 said it does not answer
    // or 25 s passed: before any new connection to it is given up (20 s + 10 s), so
    // only the readers' wait can have answered them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(25);
    let mut frozen = Vec::new();
    let busy = |answers: &[(u16, String)]| {
        (answers.iter())
            .filter(|(status, body)| *status == 503 && body.contains("\"store_unavailable\""))
            .count()
    };
    while busy(&frozen) < 4 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match answers.recv_timeout(left) {
            Ok(answer) => frozen.push(answer),
            Err(_) => break,
        }
    }
    own.signal_all("CONT");
    for reader in readers {
        reader.join().unwrap();
    }
    assert!(busy(&frozen) >= 4, "{frozen:#?}");
    // The sentence the server logs for them names the limits as they are.
    let english = flexledger::store::StoreError::Unavailable {
        store: String::new(),
        message: String::new(),
        advice: Some(Box::new(flexledger::store::ServerAdvice::ReadersBusy)),
    }
    .to_string();
    assert!(
        english.contains(&format!(
            "{PG_READER_CONNECTIONS_MAX} connections to the server is waiting for an answer, and none came back within {PG_READER_WAIT_SECONDS_MAX} s"
        )),
        "the sentence names the limits as they are: {english}"
    );
}

/// A role at its own `CONNECTION LIMIT` is told to raise that limit: a probe's was
/// told to raise the server's `max_connections` (the same SQLSTATE), with 7 of 100
/// in use.
#[test]
fn a_role_at_its_connection_limit_is_told_so() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let role = format!("limited_{}", std::process::id());
    let mut admin =
        ::postgres::Client::connect(&cluster.url("postgres"), ::postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"))
        .unwrap();
    let url = cluster
        .url("postgres")
        .replace("user=postgres", &format!("user={role}"));
    let output = flexledger_on(&url, dir.path(), &["verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("reached its own connection limit"),
        "{stderr}"
    );
    assert!(!stderr.contains("max_connections"), "{stderr}");
}

/// A user the database refuses is told about the database's tables, not about a data
/// directory's files (a probe's revoked INSERT was).
#[test]
fn a_user_without_privileges_is_told_about_the_tables() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(cluster, dir.path());
    let role = format!("stranger_{}", std::process::id());
    let mut admin =
        ::postgres::Client::connect(&cluster.url("postgres"), ::postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE ROLE {role} LOGIN"))
        .unwrap();
    let url = url.replace("user=postgres", &format!("user={role}"));
    let output = flexledger_on(&url, dir.path(), &["verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("permission denied in the database"),
        "{stderr}"
    );
    assert!(
        stderr.contains("every privilege on the ledger's tables"),
        "{stderr}"
    );
    assert!(!stderr.contains("data directory"), "{stderr}");
}

/// A user that may read the ledger's tables but not write them is refused as a writer
/// at open, naming what it lacks, while it may still read: a probe's SELECT-only
/// user had started `serve`, answered reads and `/healthz` ok, and stopped at its
/// first command.
#[test]
fn a_writer_without_the_privileges_it_uses_is_refused_at_open() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(cluster, dir.path());
    let role = format!("reader_{}", std::process::id());
    let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT INSERT ON log_entries, commands, feed_items, audit_checkpoints TO {role}"
        ))
        .unwrap();
    let url = url.replace("user=postgres", &format!("user={role}"));
    let input = "{\"command\":\"close_month\",\"region\":\"x\",\"month\":\"2025-01\"}\n";
    let file = dir.path().join("close.jsonl");
    std::fs::write(&file, input).unwrap();
    let output = flexledger_on(&url, dir.path(), &["submit", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the user lacks the privileges a writer uses: state_rows INSERT, state_rows UPDATE, state_rows DELETE, feed_items DELETE, head UPDATE"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    let output = flexledger_on(&url, dir.path(), &["verify"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A reader role lacking SELECT on one table is refused for that (exit 2), and marks
/// nothing: a probe's auditor role without SELECT on `commands` was told the table had
/// been dropped ("restore the database"), and the damage mark it left in the writer's
/// data directory refused the writer.
#[test]
fn a_reader_lacking_one_table_s_privilege_is_told_so_not_that_it_was_dropped() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let role = format!("partial_{}", std::process::id());
    let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; \
             REVOKE SELECT ON commands FROM {role}"
        ))
        .unwrap();
    let reader = url.replace("user=postgres", &format!("user={role}"));
    let output = audit_on(&reader, &data, &["verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
    assert!(!stderr.contains("dropped"), "{stderr}");
    let mark = data.join(flexledger::store::damage_mark::DAMAGE_MARK_FILE);
    assert!(!mark.exists(), "no damage mark for a privilege");
}

/// D86: a database restored from an older copy (its `head` row with it) is a smaller
/// ledger that passes every check inside it; the head witness its writer keeps in its
/// data directory names it as damage, and nothing is appended, where a probe's next
/// `submit` gave acknowledged positions to other events. Moving the witness aside
/// accepts the loss.
#[test]
fn a_database_restored_from_an_older_copy_is_refused_by_its_writer() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let witness = data.join(flexledger::store::postgres::PG_HEAD_WITNESS_FILE);
    assert!(witness.exists(), "the writer keeps a head witness");
    let (database, older, _) = older_copy(cluster, &url, "older");
    let database = database.as_str();
    let enroll = |member: &str| enroll_file(dir.path(), member);
    let acknowledged = enroll("d1");
    let output = flexledger_on(&url, &data, &["submit", acknowledged.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    // The database replaced by the older copy, the writer started where it was.
    let older_url = url.replace(database, &older);
    let log_size = || -> i64 {
        let mut client = ::postgres::Client::connect(&older_url, ::postgres::NoTls).unwrap();
        let count = "SELECT count(*) FROM log_entries";
        client.query_one(count, &[]).unwrap().get(0)
    };
    let before = log_size();
    // What signs from the data directory refuses it first (a signed checkpoint of the
    // older copy would be published as the ledger's).
    let output = audit_on(&older_url, &data, &["checkpoint"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("are not in it"),
        "{output:?}"
    );
    let out = dir.path().join("older.backup");
    let backup = ["backup", "--out", out.to_str().unwrap()];
    assert_ne!(
        flexledger_on(&older_url, &data, &backup).status.code(),
        Some(0)
    );
    let next = enroll("d2");
    let output = flexledger_on(&older_url, &data, &["submit", next.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("are not in it"), "{stderr}");
    assert!(output.stdout.is_empty(), "{stderr}");
    assert_eq!(log_size(), before, "nothing appended");
    // So does a read given the writer's directory: it answered from the smaller ledger
    // that a member whose enrollment was acknowledged was never enrolled, and to enroll
    // it (an operator's probe). Without the directory, a reader cannot know.
    let member = "6b7b4a0e-0000-4000-8000-0000000000d1";
    for output in [
        flexledger_on(&older_url, &data, &["member", member]),
        flexledger_on(&older_url, &data, &["events", "--member", member]),
        audit_on(&older_url, &data, &["replay", "--member", member]),
    ] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("are not in it"), "{stderr}");
    }
    // Both verifies say so too, where both had passed.
    for output in [
        flexledger_on(&older_url, &data, &["verify"]),
        audit_on(&older_url, &data, &["verify"]),
    ] {
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(said.contains("are not in it"), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("the store is not marked"), "{stderr}");
    }
    // A program tells this finding from damage by its code, not by the English.
    for output in [
        flexledger_on(&older_url, &data, &["verify"]),
        audit_on(&older_url, &data, &["--json", "verify"]),
    ] {
        let line: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(line["finding"], "behind_head_witness", "{output:?}");
    }
    // A copy of the older database, checked against the writer's witness, is refused
    // before a destination is made; without the writer's directory it is copied as it
    // is, and the copy says it could not check (the database names no data directory).
    let copy = |from: &str, to: &Path, data: Option<&Path>| {
        let mut args = vec!["copy", "--from", from, "--to", to.to_str().unwrap()];
        if let Some(data) = data {
            args.extend(["--from-data-dir", data.to_str().unwrap()]);
        }
        flexledger(dir.path(), &args, None)
    };
    let checked = dir.path().join("checked-copy");
    let output = copy(&older_url, &checked, Some(&data));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("are not in it"), "{stderr}");
    assert!(!checked.exists(), "no destination made: {stderr}");
    let unchecked = dir.path().join("unchecked-copy");
    let output = copy(&older_url, &unchecked, None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("--from-data-dir"), "{stderr}");
    let output = copy(&url, &dir.path().join("own-copy"), Some(&data));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("witness"),
        "the ledger's own database: {stderr}"
    );
    let output = copy(unchecked.to_str().unwrap(), &checked, Some(&data));
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("leave --from-data-dir out"));
    // A check asked for and not possible is refused, not skipped: a directory misspelt,
    // or one without a witness.
    for (named, says) in [
        (dir.path().join("no-such-dir"), "is not a directory"),
        (dir.path().join("own-copy"), "holds no head witness"),
    ] {
        let output = copy(&older_url, &checked, Some(&named));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!checked.exists(), "no destination made: {stderr}");
    }
    // Those checks of the older copy, run with the writer's --data-dir, left no mark
    // there: the witness keeps a writer away from the copy by itself, and the writer
    // of the ledger's own database goes on (an auditor's probe checked an older copy
    // so, and the production writer was stopped until the mark was removed by hand).
    let own = enroll("d3");
    let output = flexledger_on(&url, &data, &["submit", own.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    // The loss accepted on purpose: the witness moved aside, the store verified.
    std::fs::rename(&witness, data.join("witness-aside")).unwrap();
    let verified = flexledger_on(&older_url, &data, &["verify"]);
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    let output = flexledger_on(&older_url, &data, &["submit", next.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(witness.exists(), "a new witness is kept from there on");
}

/// `ALTER DATABASE <the one of url> SET <setting>`: for the sessions opened after.
fn set_on_the_database(url: &str, setting: &str) {
    let mut admin = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
    // Inside format('…'), a quote of the setting is doubled.
    let quoted = setting.replace('\'', "''");
    let alter = format!(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET {quoted}', current_database()); END $$"
    );
    admin.batch_execute(&alter).unwrap();
}

/// A database whose transactions are all read-only is refused to a writer at open,
/// saying which setting, where a probe's writer opened and failed its first append
/// with the server's bare words; readers use it as it is.
#[test]
fn a_database_made_read_only_is_refused_to_a_writer_and_read_by_readers() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    set_on_the_database(&url, "default_transaction_read_only = on");
    let demo = repo_path("examples/demo.jsonl");
    let output = flexledger_on(&url, &data, &["submit", demo.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("makes every transaction read-only"),
        "{stderr}"
    );
    let verified = flexledger_on(&url, &data, &["verify"]);
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
}

/// A walk in one snapshot keeps its transaction open, idle between pages, so a
/// server's `idle_in_transaction_session_timeout` ended it (a probe's `verify` failed
/// under 2 s, and under 200 ms with "invalid snapshot identifier"): its sessions turn
/// the timeout off for themselves.
#[test]
fn verify_walks_a_database_that_ends_idle_transactions() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    set_on_the_database(&url, "idle_in_transaction_session_timeout = '1ms'");
    for output in [
        flexledger_on(&url, &data, &["verify"]),
        audit_on(&url, &data, &["verify"]),
    ] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
    }
}

/// `$FLEXLEDGER_STORE` names the store over a `--data-dir` holding a sled ledger:
/// the command says which store it uses, where a probe's `verify --data-dir sled1`
/// verified the PostgreSQL store and said nothing of it; with `--store` on the
/// command line, or a data directory holding no ledger (only the key), it is silent.
#[test]
fn a_store_named_by_the_environment_over_a_sled_ledger_is_said() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(cluster, dir.path());
    let sled = dir.path().join("sled-ledger");
    let demo = repo_path("examples/demo.jsonl");
    let made = flexledger(&sled, &["submit", demo.to_str().unwrap()], None);
    assert_eq!(made.status.code(), Some(0));
    let verify = |data_dir: &Path, extra: &[&str]| {
        let mut command = flexledger_command(data_dir);
        command
            .env("FLEXLEDGER_STORE", &url)
            .args(extra)
            .arg("verify");
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let said = verify(&sled, &[]);
    assert!(
        said.contains("warning: $FLEXLEDGER_STORE names the store")
            && said.contains(&format!(
                "the sled ledger in {} is not the one used",
                sled.display()
            )),
        "{said}"
    );
    // Nothing said of the environment's store; only that these directories hold no
    // writer's head witness, so that check was not made (D86).
    for said in [verify(&sled, &["--store", &url]), verify(dir.path(), &[])] {
        assert!(
            said.starts_with("note: ")
                && said.contains("holds no head witness")
                && said.lines().count() == 1,
            "{said}"
        );
    }
}

/// A database holding another application's tables where the ledger's go is refused
/// as such by every command, `migrate` included, which changes nothing in it: a probe
/// got a Rust type error for golang-migrate's `schema_migrations`, and for a table
/// `commands` a bare "already exists" from a `migrate` that left a table behind.
#[test]
fn a_database_of_another_application_is_refused_as_such() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (theirs, table) in [
        (
            "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
            "schema_migrations",
        ),
        (
            "CREATE TABLE commands (id serial PRIMARY KEY, line text)",
            "commands",
        ),
    ] {
        let url = cluster.fresh_database();
        let mut database = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        database.batch_execute(theirs).unwrap();
        for command in ["migrate", "verify"] {
            let output = flexledger_on(&url, dir.path(), &[command]);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
            let says = format!("holds a table {table} that is not flexledger's");
            assert!(stderr.contains(&says), "{command}: {stderr}");
        }
        let tables: i64 = database
            .query_one(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 1, "migrate added nothing beside {table}");
    }
}

/// A migrated store that lost one of its tables is damage (exit 1), named with the
/// table, for `migrate` as for every command: `migrate` used to say ok over it.
#[test]
fn a_store_missing_one_of_its_tables_is_damaged_and_migrate_says_so() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(cluster, dir.path());
    let mut database = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    database.batch_execute("DROP TABLE feed_items").unwrap();
    for command in ["migrate", "verify"] {
        let output = flexledger_on(&url, dir.path(), &[command]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains("is migrated but has no table feed_items"),
            "{command}: {stderr}"
        );
    }
}

/// A store whose `schema_migrations` lost its rows, its tables kept, is refused by
/// `migrate` and every command alike, saying how to record the version: every command
/// said to run `migrate`, which failed making the first table again (an operator's
/// probe). The statement the message gives is run as written, and the store opens.
#[test]
fn a_store_whose_migration_records_were_deleted_is_refused_with_a_way_out() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(cluster, dir.path());
    let mut database = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    database
        .batch_execute("DELETE FROM schema_migrations")
        .unwrap();
    let mut said = String::new();
    for command in [&["migrate"][..], &["verify"], &["submit", "-"]] {
        let output = flexledger_on(&url, dir.path(), command);
        said = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{command:?}: {said}");
        assert!(said.contains("records no migration"), "{command:?}: {said}");
        assert!(!said.contains("already exists"), "{command:?}: {said}");
    }
    let statement = said
        .split("by hand: ")
        .nth(1)
        .and_then(|rest| rest.split("; then").next())
        .expect("the message gives the statement");
    database.batch_execute(statement).unwrap();
    for command in ["verify", "migrate"] {
        let output = flexledger_on(&url, dir.path(), &[command]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{command}: {stderr}");
    }
}

#[test]
fn reads_answer_503_while_the_database_is_down_and_200_once_it_is_back() {
    let Some(own) = own_cluster() else { return };
    let (writer_dir, replica_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = migrated(&own, writer_dir.path());
    let writer = serve(writer_dir.path(), &url, None);
    let replica = serve(replica_dir.path(), &url, Some(&writer.base));
    let path = format!("/v1/members/{MEMBER}/months/2025-01");
    let read = |server: &Server| call(server, "GET", &path, Some(token("operator")), None, &[]);
    assert_eq!(read(&writer).0, 200);
    assert_eq!(read(&replica).0, 200);
    own.stop();
    // Twice: a pooled connection the restart broke, then a connection refused.
    for server in [&writer, &writer, &replica, &replica] {
        let (status, body) = read(server);
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["error"]["code"], "store_unavailable", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("database cannot be reached"), "{body}");
        assert!(
            !message.contains(own.socket_dir().to_str().unwrap()),
            "{body}"
        );
    }
    // It passes by itself: the client is told when to ask again.
    let response = crate::http::agent()
        .get(&format!("{}{path}", replica.base))
        .header("authorization", &format!("Bearer {}", token("operator")))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap());
    assert_eq!(retry_after, Some("5"));
    // Its `/healthz` says so too: a load balancer sends no reads to a server that
    // cannot answer them (it had said ok while every read was 503).
    let health = |server: &Server| call(server, "GET", "/healthz", None, None, &[]);
    let (status, body) = health(&replica);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "store_unavailable", "{body}");
    own.start_again();
    assert_eq!(read(&replica).0, 200);
    assert_eq!(health(&replica).0, 200);
}

/// A read-only server whose read met damage (an event altered in the database) says
/// so on `/healthz`, while it goes on answering what the damage does not touch: it
/// had said ok while answering that read 500.
#[test]
fn a_read_only_server_whose_read_met_damage_is_not_healthy() {
    let Some(cluster) = cluster() else { return };
    let (writer_dir, replica_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = migrated(cluster, writer_dir.path());
    let writer = serve(writer_dir.path(), &url, None);
    let replica = serve(replica_dir.path(), &url, Some(&writer.base));
    let health = |server: &Server| call(server, "GET", "/healthz", None, None, &[]);
    assert_eq!(health(&replica).0, 200);
    let mut database = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let row = database
        .query_one(
            "SELECT position, entry FROM log_entries WHERE stream LIKE $1 ORDER BY position LIMIT 1",
            &[&format!("%{MEMBER}%")],
        )
        .unwrap();
    let (position, mut entry): (i64, Vec<u8>) = (row.get(0), row.get(1));
    let last = entry.len() - 1;
    entry[last] ^= 0x01;
    database
        .execute(
            "UPDATE log_entries SET entry = $2 WHERE position = $1",
            &[&position, &entry],
        )
        .unwrap();
    let events = format!("/v1/members/{MEMBER}/events");
    let (status, body) = call(&replica, "GET", &events, Some(token("operator")), None, &[]);
    assert_eq!(status, 500, "{body}");
    let (status, body) = health(&replica);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "store_damaged", "{body}");
    let (status, _) = call(
        &replica,
        "GET",
        "/v1/regions/demo",
        Some(token("operator")),
        None,
        &[],
    );
    assert_eq!(
        status, 200,
        "what the damage does not touch is still answered"
    );
}

/// Damage found with no directory to keep the mark in (a PostgreSQL store's goes in
/// its writer's --data-dir) is said to be unmarked, with what to do: an auditor's
/// probe, run without one, was told the store was marked and took no appends, and
/// its writer went on appending.
#[test]
fn damage_found_with_no_directory_for_its_mark_is_said_to_be_unmarked() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, _data) = demo_on_postgres(cluster, dir.path());
    let mut database = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let row = database
        .query_one("SELECT entry FROM log_entries WHERE position = 3", &[])
        .unwrap();
    let mut entry: Vec<u8> = row.get(0);
    let last = entry.len() - 1;
    entry[last] ^= 0x01;
    database
        .execute(
            "UPDATE log_entries SET entry = $1 WHERE position = 3",
            &[&entry],
        )
        .unwrap();
    let nowhere = dir.path().join("no-such-directory");
    for output in [
        flexledger_on(&url, &nowhere, &["verify"]),
        audit_on(&url, &nowhere, &["verify"]),
    ] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("not marked: there is no directory"),
            "{stderr}"
        );
        assert!(!nowhere.exists(), "nothing is made where no key is");
    }
}

/// A server error flexledger has no name for is said in the server's own words, with
/// its SQLSTATE: the `postgres` crate's own text for every one is "db error", which a
/// probe got for a statement timeout, a cancelled statement and a read-only database
/// (which is now refused at open: `a_database_made_read_only_is_refused_to_a_writer…`;
/// here a trigger of the operator's refuses the append).
#[test]
fn a_server_error_is_said_in_the_server_s_words_with_its_sqlstate() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(cluster, dir.path());
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the operator''s trigger' USING ERRCODE = '23514'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON log_entries FOR EACH ROW EXECUTE FUNCTION refuse()",
        )
        .unwrap();
    let demo = repo_path("examples/demo.jsonl");
    let output = flexledger_on(
        &url,
        &dir.path().join("data"),
        &["submit", demo.to_str().unwrap()],
    );
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.contains("refused by the operator's trigger"), "{said}");
    assert!(said.contains("SQLSTATE 23514"), "{said}");
}

/// A pooled reader's connection ended by an administrator does not stop the writer:
/// its walk of the log reads that slice again at the next check (only damage, or the
/// writer's own session, stops it). A probe of the PostgreSQL engine saw one idle
/// reader's connection terminated stop `serve` within a second.
#[test]
fn a_reader_connection_ended_by_an_administrator_does_not_stop_the_writer() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(cluster, dir.path());
    let log = dir.path().join("serve.log");
    let mut writer = Server::spawn_with_stderr(
        &mut serve_command(dir.path(), &url, None),
        std::fs::File::create(&log).unwrap(),
    );
    let member = format!("/v1/members/{MEMBER}");
    let read_member =
        |writer: &Server| call(writer, "GET", &member, Some(token("auditor")), None, &[]).0;
    let status = read_member(&writer);
    assert_eq!(status, 200);
    let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    // The server's backends say whose they are (`application_name`).
    let names: Vec<String> = admin
        .query(
            "SELECT application_name FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        names.iter().any(|name| name == "flexledger writer"),
        "{names:?}"
    );
    assert!(names.iter().any(|name| name == "flexledger"), "{names:?}");
    // Every backend of this database but the writer's (it holds the advisory lock)
    // and this session's: the readers' pooled connections.
    let ended: i64 = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ended > 0, "the server had reader connections open");
    // A command at once, whose append reads through a reader connection that is gone:
    // answered on a new one (a probe's `submit` and `serve` stopped with exit 2 at it).
    // (A command id, looked up among the command records: a read.)
    let mut command: serde_json::Value =
        serde_json::from_str(&pay("2025-10", "2025-10-03")).unwrap();
    command["command_id"] = "6b7b4a0e-0000-4000-8000-0000000000c1".into();
    let operator = Some(token("operator"));
    let body = command.to_string();
    let (status, body) = call(&writer, "POST", "/v1/commands", operator, Some(&body), &[]);
    assert_eq!(status, 200, "{body}");
    // Several writer checks (every 2 s), each reading a slice of the log back.
    std::thread::sleep(std::time::Duration::from_secs(5));
    assert!(
        writer.child.try_wait().unwrap().is_none(),
        "the writer stopped: {}",
        std::fs::read_to_string(&log).unwrap()
    );
    let (status, _) = call(&writer, "GET", "/healthz", None, None, &[]);
    assert_eq!(status, 200);
    let status = read_member(&writer);
    assert_eq!(status, 200, "reads are answered on new connections");
}

/// Damage a command meets in the writer is said as damage: exit 1 with what is
/// damaged, as `member` says it, not exit 2 "could not run" (found by a probe of the
/// PostgreSQL engine: a member row altered in the database, then a payment for him).
/// The finding marks the store beside its signing key, as a sled ledger is marked
/// (D61, D84): a writer started there refuses it until `verify` finds it intact.
#[test]
fn damage_met_by_a_command_exits_1_as_damage() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let member: uuid::Uuid = MEMBER.parse().unwrap();
    let key = [&b"M"[..], member.as_bytes()].concat();
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let altered = client
        .execute(
            "UPDATE state_rows SET value = '\\xffff'::bytea WHERE key = $1",
            &[&key],
        )
        .unwrap();
    assert_eq!(altered, 1, "the member's row");
    let read = flexledger_on(&url, &data, &["member", MEMBER]);
    assert_eq!(
        read.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let submit = |command: serde_json::Value| {
        let file = dir.path().join("command.jsonl");
        std::fs::write(&file, command.to_string() + "\n").unwrap();
        let output = flexledger_on(&url, &data, &["submit", file.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), said)
    };
    let pay = serde_json::json!({"command":"pay","member_id":MEMBER,"months":["2025-12"],"amount":"600.00","paid_on":"2025-12-03"});
    let (code, said) = submit(pay.clone());
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("flexledger member found this store damaged at"),
        "the mark `member` left refuses the writer: {said}"
    );
    // Under another spelling of its URL too (a probe's writer took it so).
    let file = dir.path().join("command.jsonl");
    let respelt = url.replacen("postgresql://", "postgres://", 1) + "&connect_timeout=10";
    let output = flexledger_on(&respelt, &data, &["submit", file.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("found this store damaged at"), "{said}");
    // Repaired (the rows written again from the log) and verified: the mark goes.
    let rebuilt = flexledger_on(&url, &data, &["rebuild"]);
    let said = String::from_utf8_lossy(&rebuilt.stderr);
    assert_eq!(rebuilt.status.code(), Some(0), "{said}");
    assert!(
        said.contains("the store stays marked as found damaged"),
        "{said}"
    );
    let verified = flexledger_on(&url, &data, &["verify"]);
    let said = String::from_utf8_lossy(&verified.stderr);
    assert_eq!(verified.status.code(), Some(0), "{said}");
    assert!(
        said.contains("the mark that it was found damaged"),
        "{said}"
    );
    // A member's row deleted: the writer decides an enrollment on the row it lacks,
    // and the log refuses the append; said as damage of the rows (exit 1), where it
    // had been exit 2, "append refused", as if the command could not run.
    client
        .execute("DELETE FROM state_rows WHERE key = $1", &[&key])
        .unwrap();
    let enroll = serde_json::json!({"command":"enroll","member_id":MEMBER,"region":"demo","month":"2025-12","base_ratio":"0.60","labor_relationship":"none"});
    let (code, said) = submit(enroll);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("a state row was altered or lost (or, on sled, the stream index), and a command was decided on it; nothing was appended"),
        "{said}"
    );
}

/// A log cut short below the ledger, together with everything derived from it and its
/// head row, is damage to `flexledger verify` when a signed checkpoint covers more:
/// the probe of the PostgreSQL engine that cut the last command this way saw `rebuild`
/// and `verify` both answer ok, and only `flexledger-audit verify` say so. (With the
/// writer's data directory, its head witness finds it first, D86.)
#[test]
fn verify_finds_a_log_cut_short_below_a_signed_checkpoint() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let signed = audit_on(&url, &data, &["checkpoint"]);
    assert_eq!(
        signed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let head: i64 = client
        .query_one("SELECT position FROM head", &[])
        .unwrap()
        .get(0);
    let events = flexledger_on(&url, &data, &["events", "--from", &(head - 1).to_string()]);
    let before: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&events.stdout)
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let hash = before["hash"].as_str().unwrap();
    let (first, count): (i64, i64) = {
        let row = client
            .query_one(
                "SELECT first_position, event_count FROM commands ORDER BY first_position DESC LIMIT 1",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(
        (first, count),
        (head, 1),
        "the demo ends with a command of one event"
    );
    client
        .batch_execute(&format!(
            "DELETE FROM log_entries WHERE position = {head}; \
             DELETE FROM commands WHERE first_position = {head}; \
             DELETE FROM feed_items WHERE position = {head}; \
             UPDATE head SET position = {}, hash = '\\x{hash}'::bytea",
            head - 1
        ))
        .unwrap();
    // The writer's data directory holds a head witness (D86): both `verify`s there say
    // the lost event first, not the state rows the shorter log no longer matches (a
    // probe was pointed at `rebuild`), and `rebuild` refuses the cut log before it
    // writes anything.
    let verified = flexledger_on(&url, &data, &["verify"]);
    let said = String::from_utf8_lossy(&verified.stdout);
    assert_eq!(verified.status.code(), Some(1), "{said}");
    assert!(said.contains("are not in it"), "{said}");
    assert!(!said.contains("state"), "{said}");
    let rebuilt = flexledger_on(&url, &data, &["rebuild"]);
    let said = String::from_utf8_lossy(&rebuilt.stderr);
    assert_eq!(rebuilt.status.code(), Some(1), "{said}");
    assert!(said.contains("are not in it"), "{said}");
    // Without a witness (another data directory), the signed checkpoint finds it.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let rebuilt = flexledger_on(&url, &elsewhere, &["rebuild"]);
    assert_eq!(
        rebuilt.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    let verified = flexledger_on(&url, &elsewhere, &["verify"]);
    let said = String::from_utf8_lossy(&verified.stdout);
    assert_eq!(verified.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "a signed checkpoint covers {head} events but the log holds only {}",
            head - 1
        )),
        "{said}"
    );
}

/// A copy onto its own source's database under another spelling of the URL (the
/// parameters in another order) is refused with words that name that possibility: the
/// destination's lock is held by the copy's own source, and "in use by another
/// flexledger writer" sent a probe looking for a process that was not there.
#[test]
fn a_copy_onto_its_source_under_another_spelling_says_so() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let (path, query) = url.split_once('?').unwrap();
    let mut parameters: Vec<&str> = query.split('&').collect();
    parameters.reverse();
    let respelled = format!("{path}?{}", parameters.join("&"));
    assert_ne!(respelled, url);
    let copied = flexledger(
        dir.path(),
        &["copy", "--from", &url, "--to", &respelled],
        None,
    );
    let said = String::from_utf8_lossy(&copied.stderr);
    assert_eq!(copied.status.code(), Some(2), "{said}");
    assert!(said.contains("under another spelling"), "{said}");
    assert!(!said.contains("in use by another"), "{said}");
    let verified = flexledger_on(&url, &data, &["verify"]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "the source is untouched: {verified:?}"
    );
}

/// A log whose last rows were deleted below the ledger, its head row left as it was,
/// does not open: `verify` (and the audit tool's, with `--json`) says so as the JSON
/// line a program reads, not only in words on standard error (a probe found standard
/// output empty).
#[test]
fn verify_prints_its_json_line_for_a_head_row_the_log_does_not_reach() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let head: i64 = client
        .query_one("SELECT position FROM head", &[])
        .unwrap()
        .get(0);
    client
        .batch_execute(&format!("DELETE FROM log_entries WHERE position = {head}"))
        .unwrap();
    let verified = flexledger_on(&url, &data, &["verify"]);
    let audited = audit_on(&url, &data, &["verify", "--json"]);
    for (output, program) in [(verified, "flexledger"), (audited, "flexledger-audit")] {
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{program}: {said}");
        let line: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|error| panic!("{program} printed one JSON line ({error}): {said}"));
        assert_eq!(line["ok"], false, "{program}: {line}");
        assert_eq!(line["position"], head, "{program}: {line}");
        let message = line["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("the log ends at position {}", head - 1)),
            "{program}: {message}"
        );
        assert!(
            said.contains("damaged"),
            "{program} says it in words too: {said}"
        );
    }
}

/// A new database holding the demo, submitted through the CLI with its key in
/// `dir/data`: (its URL, that data directory).
fn demo_on_postgres(cluster: &Cluster, dir: &Path) -> (String, std::path::PathBuf) {
    let url = migrated(cluster, dir);
    let data = dir.join("data");
    let demo = repo_path("examples/demo.jsonl");
    let seeded = flexledger_on(&url, &data, &["submit", demo.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&seeded.stderr);
    assert_eq!(seeded.status.code(), Some(0), "{said}");
    (url, data)
}

/// D89: state rows another build wrote (a writer still on an older build, or already on
/// a newer one) are read by no reader of a PostgreSQL store: `verify` checks the log,
/// says the rows were not compared, exits 2 (a check was left out) and marks nothing
/// (compared, every row could differ and the store would be marked damaged), nor
/// clears a mark; `member` and a read-only server refuse, saying what to do; the
/// writer's next open rebuilds them. A review found the first read-only `verify` after
/// a format change would have marked every store damaged.
#[test]
fn rows_of_another_build_are_read_by_no_reader_and_rebuilt_by_the_writer() {
    let Some(cluster) = cluster() else { return };
    let (writer_dir, replica_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = migrated(cluster, writer_dir.path());
    let writer = serve(writer_dir.path(), &url, None);
    let replica = serve(replica_dir.path(), &url, Some(&writer.base));
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let current = flexledger::ledger::STATE_FORMAT_VERSION;
    let mut set_format = |format: u32| {
        client
            .execute(
                "UPDATE state_rows SET value = substring(value from 1 for 8) || $1 WHERE key = 'K'::bytea",
                &[&format.to_be_bytes().to_vec()],
            )
            .unwrap();
    };
    let data = writer_dir.path();
    let marks = || flexledger::store::damage_mark::postgres_marks(data).unwrap();
    let operator = Some(token("operator"));
    for format in [current - 1, current + 1] {
        set_format(format);
        let verified = flexledger_on(&url, data, &["verify"]);
        let said = String::from_utf8_lossy(&verified.stderr);
        assert_eq!(verified.status.code(), Some(2), "{said}");
        let line: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
        assert_eq!(line["ok"], true, "{line}");
        assert_eq!(line["state_rows_format"], format, "{line}");
        assert!(said.contains("were not compared"), "{said}");
        assert!(marks().is_empty(), "nothing is marked damaged");
        let audited = audit_on(&url, data, &["verify", "--json"]);
        let said = String::from_utf8_lossy(&audited.stderr);
        assert_eq!(audited.status.code(), Some(2), "{said}");
        let expected = format!("\"state_rows_format\":{format}");
        let printed = String::from_utf8_lossy(&audited.stdout);
        assert!(printed.contains(&expected), "{printed}");
        assert!(said.contains("were not compared"), "{said}");
        assert!(marks().is_empty(), "nothing is marked damaged");
        let member = flexledger_on(&url, data, &["member", MEMBER]);
        let said = String::from_utf8_lossy(&member.stderr);
        assert_eq!(member.status.code(), Some(2), "{said}");
        assert!(said.contains(&format!("state format {format}")), "{said}");
        assert!(member.stdout.is_empty(), "no answer from the rows");
        let month = format!("/v1/members/{MEMBER}/months/2025-03");
        let reads = [
            format!("/v1/members/{MEMBER}"),
            month,
            "/v1/regions/demo".into(),
            "/v1/regions/demo/months/2025-01".into(),
        ];
        for path in reads {
            let (status, body) = call(&replica, "GET", &path, operator, None, &[]);
            assert_eq!(status, 503, "{path}: {body}");
            assert_eq!(body["error"]["code"], "unavailable", "{body}");
            let (status, body) = call(&writer, "GET", &path, operator, None, &[]);
            assert_eq!(
                status, 200,
                "a writer of this build reads the rows it keeps: {body}"
            );
        }
        // What folds the log is still answered: the events, the member as of a
        // position, the audit page.
        for path in [
            format!("/v1/members/{MEMBER}/events"),
            format!("/v1/members/{MEMBER}?as_of=20"),
            format!("/audit/members/{MEMBER}"),
        ] {
            let (status, _) = call(&replica, "GET", &path, operator, None, &[]);
            assert_eq!(status, 200, "{path}");
        }
    }
    // A mark left before is kept by a walk that did not compare the rows, and cleared
    // by one that did.
    let mark = serde_json::json!({"found_at": "2026-12-06T00:00:00Z", "found_by": "flexledger verify",
        "position": null, "message": "a row differed", "store": url});
    let mark: flexledger::store::damage_mark::DamageMark = serde_json::from_value(mark).unwrap();
    assert!(flexledger::store::damage_mark::record(data, &mark).unwrap());
    let verified = flexledger_on(&url, data, &["verify"]);
    assert_eq!(verified.status.code(), Some(2));
    let said = String::from_utf8_lossy(&verified.stderr);
    assert!(
        said.contains("stays marked damaged"),
        "and says how to clear it: {said}"
    );
    assert!(said.contains("flexledger rebuild"), "{said}");
    assert_eq!(audit_on(&url, data, &["verify"]).status.code(), Some(2));
    assert_eq!(marks().len(), 1, "the mark stays");
    set_format(current);
    assert_eq!(
        flexledger_on(&url, data, &["verify"]).status.code(),
        Some(0)
    );
    assert!(
        marks().is_empty(),
        "a walk that compared every row clears it"
    );
    set_format(current + 1);
    drop((replica, writer));
    let opened = flexledger_on(&url, data, &["submit", "/dev/null"]);
    assert_eq!(opened.status.code(), Some(0), "{opened:?}");
    let verified = flexledger_on(&url, data, &["verify"]);
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    let line: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(line["ok"], true, "{line}");
    assert!(line.get("state_rows_format").is_none(), "compared: {line}");
    assert_eq!(
        flexledger_on(&url, data, &["member", MEMBER]).status.code(),
        Some(0)
    );
}

/// A writer whose `--data-dir` is not there makes it and keeps its head witness there,
/// wherever its signing key lives (D86): a probe's writer, its key named by
/// `FLEXLEDGER_SIGNING_KEY`, made no directory and kept no witness, and the database
/// rolled back afterwards verified clean. A `verify` given a directory without a
/// witness says the check was not made.
#[test]
fn a_writer_makes_its_data_directory_and_keeps_its_witness_there() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let key = data.join(flexledger::audit::keys::SIGNING_KEY_FILE);
    let not_there = dir.path().join("not-made-yet");
    let file = enroll_file(dir.path(), "e1");
    let output = Command::new(env!("CARGO_BIN_EXE_flexledger"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env("FLEXLEDGER_SIGNING_KEY", &key)
        .arg("--data-dir")
        .arg(&not_there)
        .args(["--store", &url, "submit", file.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let witness = not_there.join(flexledger::store::postgres::PG_HEAD_WITNESS_FILE);
    assert!(witness.exists(), "no witness kept: {stderr}");
    // A file where the directory should be is said to be one ("File exists" before).
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "x").unwrap();
    let output = flexledger_on(&url, &a_file, &["submit", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is not a directory"), "{stderr}");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for output in [
        flexledger_on(&url, &empty, &["verify"]),
        audit_on(&url, &empty, &["verify"]),
    ] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("holds no head witness"), "{stderr}");
    }
    let output = flexledger_on(&url, &not_there, &["verify"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("holds no head witness"), "{stderr}");
}

/// A read-only server given the writer's data directory checks the head witness while
/// it runs, not only when it starts (D86): the database restored from an older copy
/// underneath it is refused 503 `store_damaged`, `/healthz` too, where an operator's
/// probe was shown an acknowledged payment unpaid and `/healthz` stayed ok.
#[test]
fn a_read_only_server_refuses_a_database_rolled_back_underneath_it() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = demo_on_postgres(cluster, dir.path());
    let (database, older, mut admin) = older_copy(cluster, &url, "before");
    let later = enroll_file(dir.path(), "f1");
    let output = flexledger_on(&url, &data, &["submit", later.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    let reader = serve(&data, &url, Some("http://writer.example"));
    let operator = Some(token("operator"));
    let path = format!("/v1/members/{MEMBER}");
    assert_eq!(call(&reader, "GET", &path, operator, None, &[]).0, 200);
    // The database swapped for the older copy under the same name.
    // One statement at a time: CREATE DATABASE runs outside a transaction block.
    for statement in [
        format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false"),
        format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ),
        format!("ALTER DATABASE \"{database}\" RENAME TO \"{database}_lost\""),
        format!("CREATE DATABASE \"{database}\" TEMPLATE \"{older}\""),
    ] {
        admin.batch_execute(&statement).unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let refused = loop {
        let (status, body) = call(&reader, "GET", &path, operator, None, &[]);
        if status == 503 && body["error"]["code"] == "store_damaged" {
            break body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {status}: {body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("behind the head witness"),
        "{refused}"
    );
    let (status, body) = call(&reader, "GET", "/healthz", None, None, &[]);
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (503, "store_damaged".into()),
        "{body}"
    );
}

/// A copy of the database `url` names, made now as `{database}_{suffix}` (the "older
/// copy" a rolled-back database is): the database's name, the copy's, and a client of
/// the cluster's `postgres` database to swap them with.
fn older_copy(cluster: &Cluster, url: &str, suffix: &str) -> (String, String, ::postgres::Client) {
    let database = url.split(":///").nth(1).unwrap().split('?').next().unwrap();
    let older = format!("{database}_{suffix}");
    let mut admin =
        ::postgres::Client::connect(&cluster.url("postgres"), ::postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "CREATE DATABASE \"{older}\" TEMPLATE \"{database}\""
        ))
        .unwrap();
    (database.to_owned(), older, admin)
}

/// A command file in `dir` enrolling the member whose id ends in `member` (two hex
/// digits) in the demo region from 2025-10.
fn enroll_file(dir: &Path, member: &str) -> std::path::PathBuf {
    let file = dir.join(format!("enroll-{member}.jsonl"));
    let line = format!("{{\"command\":\"enroll\",\"member_id\":\"6b7b4a0e-0000-4000-8000-0000000000{member}\",\"region\":\"demo\",\"month\":\"2025-10\",\"base_ratio\":\"0.60\",\"labor_relationship\":\"none\"}}\n");
    std::fs::write(&file, line).unwrap();
    file
}
