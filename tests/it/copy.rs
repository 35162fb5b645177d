//! `flexledger copy`: a ledger moved to another store is the same ledger — every event
//! at its position with its hashes, every command record with its body digest, every
//! feed item, every signed checkpoint, every member's coverage — and a copy that
//! stopped resumes, while a destination holding another ledger is refused untouched.

use crate::support::*;
use flexledger::ledger::member_coverage;
use flexledger::store::{EventLog, FeedRows, ReadStore, SledStore};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn copy(from: &Path, to: &Path) -> Output {
    flexledger(
        from,
        &[
            "copy",
            "--from",
            from.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ],
        None,
    )
}

fn checkpoint(dir: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
        .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
        .env_remove("FLEXLEDGER_SIGNING_KEY")
        .env_remove("FLEXLEDGER_STORE")
        .arg("--data-dir")
        .arg(dir)
        .args(["--json", "checkpoint"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn report(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Every feed item of a store, in order, paged as the feed pages them.
fn feed_items(store: &impl FeedRows) -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    let (mut position, mut after) = (1, None);
    loop {
        let page = store
            .coverage_changes_page(position, after, 0, 100)
            .unwrap();
        let Some(last) = page.last() else {
            return items;
        };
        let last = flexledger::codec::rows::decode_coverage_item(last).unwrap();
        (position, after) = (last.position, Some(last.member_id));
        items.extend(page);
    }
}

/// What must be equal on both ends, read through the store's traits.
pub(crate) fn contents(store: &impl ReadStore) -> Value {
    let mut commands = store.command_ids().unwrap();
    commands.sort();
    let spans: Vec<String> = commands
        .iter()
        .map(|id| format!("{id} {:?}", store.command_span(*id).unwrap()))
        .collect();
    let mut members = store.member_row_ids().unwrap();
    members.sort();
    let coverage: Vec<Value> = members
        .iter()
        .map(|member| {
            let coverage = member_coverage(store, *member, None).unwrap().unwrap();
            serde_json::to_value(flexledger::codec::wire::MemberCoverage::from(&coverage)).unwrap()
        })
        .collect();
    let log: Vec<Value> = store
        .read_log(1)
        .map(|envelope| serde_json::to_value(envelope.unwrap()).unwrap())
        .collect();
    serde_json::json!({
        "head": format!("{:?}", store.head().unwrap()),
        "log": log,
        "commands": spans,
        "coverage": coverage,
        "feed": feed_items(store).iter().map(|item| hex(item)).collect::<Vec<_>>(),
        "checkpoints": format!("{:?}", store.audit_checkpoints().unwrap()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) fn contents_of(dir: &Path) -> Value {
    contents(&SledStore::open_read_only(dir).unwrap())
}

#[test]
fn a_copy_keeps_every_event_command_feed_item_and_checkpoint() {
    // The layouts before the compact log entry (v2) and the compact one (v3): a copy
    // writes today's layout and still holds the same hashes.
    for golden in ["v2-store", "v3-store", "v4-store"] {
        let root = tempfile::tempdir().unwrap();
        let source = untar_golden(golden, root.path());
        checkpoint(&source);
        let destination = root.path().join("copy");
        let copied = report(&copy(&source, &destination));
        let expected = contents_of(&source);
        assert!(copied["events"].as_u64().unwrap() > 0);
        assert_eq!(copied["resumed_after"], 0);
        // The destination had no rows: the rebuild says what it wrote, not a list of
        // "differences" that would read like damage.
        let rebuilt = copied["rebuilt"].as_object().unwrap();
        assert_eq!(
            rebuilt.keys().collect::<Vec<_>>(),
            ["members", "regions"],
            "{golden}: {copied}"
        );
        assert!(
            copied["rebuilt"]["members"].as_u64().unwrap() > 0,
            "{copied}"
        );
        assert_eq!(copied["checkpoints"], 1, "{golden}");
        assert!(
            copied["feed_items"].as_u64().unwrap() > 0,
            "{golden}: {copied}"
        );
        let actual = contents_of(&destination);
        assert_eq!(actual["log"], expected["log"], "{golden}: the log differs");
        assert_eq!(actual, expected, "{golden}");
        let verified =
            [&source, &destination].map(|dir| report(&flexledger(dir, &["verify"], None)));
        assert_eq!(verified[0], verified[1], "{golden}");
        assert_eq!(verified[1]["head_hash"], copied["head_hash"]);
    }
}

fn demo_lines() -> Vec<String> {
    std::fs::read_to_string(repo_path("examples/demo.jsonl"))
        .unwrap()
        .lines()
        .map(|line| format!("{line}\n"))
        .collect()
}

fn submit(dir: &Path, lines: &[String]) {
    let output = flexledger(dir, &["submit", "-"], Some(lines.concat().as_bytes()));
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_interrupted_copy_resumes_and_another_ledger_is_never_overwritten() {
    let root = tempfile::tempdir().unwrap();
    let (source, destination) = (root.path().join("source"), root.path().join("copy"));
    let lines = demo_lines();
    let (first, rest) = lines.split_at(lines.len() * 2 / 3);
    submit(&source, first);
    let head = report(&copy(&source, &destination))["events"]
        .as_u64()
        .unwrap();
    submit(&source, rest);
    let resumed = report(&copy(&source, &destination));
    assert_eq!(resumed["resumed_after"], head);
    assert!(resumed["events"].as_u64().unwrap() > head);
    assert_eq!(contents_of(&destination), contents_of(&source));

    // The same commands submitted again make another ledger (other event ids and
    // times), of the same length: not the source of the copy.
    let other = root.path().join("other");
    submit(&other, &lines);
    let before = contents_of(&destination);
    let refused = copy(&other, &destination);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("already holds a different ledger"),
        "{stderr}"
    );
    assert_eq!(
        contents_of(&destination),
        before,
        "a refused copy changed the destination"
    );

    let onto_itself = copy(&source, &source);
    assert_eq!(onto_itself.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&onto_itself.stderr).contains("name the same store"));

    // A shorter ledger copied onto a longer one is told what the destination is.
    let short = root.path().join("short");
    submit(&short, &lines[..3]);
    let ahead = copy(&short, &destination);
    assert_eq!(ahead.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&ahead.stderr);
    assert!(
        stderr.contains("copy into a new or empty store"),
        "{stderr}"
    );
    assert_eq!(contents_of(&destination), before);
    // In the reader's language, the context included (`CopyError::sentence`).
    let (short_dir, to) = (short.to_str().unwrap(), destination.to_str().unwrap());
    let args = ["--lang", "zh-CN", "copy", "--from", short_dir, "--to", to];
    let ahead = flexledger(&short, &args, None);
    assert_eq!(ahead.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&ahead.stderr);
    assert!(stderr.contains("时出错"), "{stderr}");
    assert!(stderr.contains("复制到新的或空的存储"), "{stderr}");
    assert!(!stderr.contains("copying"), "{stderr}");

    // A directory holding someone else's files is not filled with a ledger.
    let foreign = root.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let refused = copy(&source, &foreign);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("holds files but no ledger"), "{stderr}");
    let names: Vec<_> = std::fs::read_dir(&foreign).unwrap().collect();
    assert_eq!(names.len(), 1, "nothing was written beside the files");

    // A directory holding only the ledger's own signing key, as `copy --help` says to
    // put there, is a destination.
    let keyed = root.path().join("keyed");
    std::fs::create_dir(&keyed).unwrap();
    std::fs::copy(
        source.join("audit-signing-key"),
        keyed.join("audit-signing-key"),
    )
    .unwrap();
    let copied = copy(&source, &keyed);
    assert_eq!(
        copied.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
}

/// A store a copy fills, and `flexledger` and `flexledger-audit` run on it.
struct Destination {
    /// As `copy --to` names it.
    name: String,
    /// The data directory beside it (the signing key's, for a database).
    dir: std::path::PathBuf,
    store: Option<String>,
}

impl Destination {
    fn sled(dir: &Path) -> Destination {
        Destination {
            name: dir.to_str().unwrap().to_owned(),
            dir: dir.to_path_buf(),
            store: None,
        }
    }

    /// A new database of the test cluster, migrated, with its data directory (the
    /// signing key's) under `root`.
    fn postgres(cluster: &crate::support::postgres::Cluster, root: &Path) -> Destination {
        let keys = root.join("keys");
        let url = crate::postgres_cli::migrated(cluster, &keys);
        Destination {
            name: url.clone(),
            dir: keys,
            store: Some(url),
        }
    }

    /// `--store URL` if a database, then `args`.
    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all: Vec<&str> = match &self.store {
            Some(url) => vec!["--store", url],
            None => Vec::new(),
        };
        all.extend_from_slice(args);
        all
    }

    fn flexledger(&self, args: &[&str]) -> Output {
        flexledger(&self.dir, &self.args(args), None)
    }

    fn audit(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
            .env(LANGUAGE_PINNED.0, LANGUAGE_PINNED.1)
            .env_remove("FLEXLEDGER_SIGNING_KEY")
            .env_remove("FLEXLEDGER_STORE")
            .arg("--data-dir")
            .arg(&self.dir)
            .args(self.args(args))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

/// `flexledger copy` stopped as a crash stops it: the process exits once an append
/// reaching position `exit_after` is durable (appends of a few events each).
fn copy_stopped(from: &Path, to: &str, exit_after: u64) -> Output {
    flexledger_command(from)
        .args(["copy", "--from", from.to_str().unwrap(), "--to", to])
        .env("FLEXLEDGER_COPY_BATCH_EVENTS", "4")
        .env("FLEXLEDGER_COPY_EXIT_AFTER", exit_after.to_string())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The demo ledger in `root/source`, and its head.
fn demo_source(root: &Path) -> (std::path::PathBuf, u64) {
    let source = root.join("source");
    submit(&source, &demo_lines());
    let head = SledStore::open_read_only(&source)
        .unwrap()
        .head()
        .unwrap()
        .0;
    assert!(head > 8, "the demo has {head} events");
    (source, head)
}

/// Every command that opens `destination` — writing, reading, checking, rebuilding,
/// auditing, copying from it — refuses it with the unfinished copy's message, which
/// names the source and says what to do; returns the positions it says were copied.
fn assert_refused_everywhere(destination: &Destination, source: &Path, head: u64) -> String {
    let root = destination.dir.parent().unwrap();
    let one = root.join("one.jsonl");
    std::fs::write(&one, &demo_lines()[0]).unwrap();
    let elsewhere = root.join("elsewhere");
    let backup = root.join("backup.jsonl");
    let member = "0b53af7d-bb50-5037-9d21-49eba4cb5782";
    let source = std::fs::canonicalize(source).unwrap();
    let mut said = Vec::new();
    for (what, output) in [
        (
            "submit",
            destination.flexledger(&["submit", one.to_str().unwrap()]),
        ),
        ("member", destination.flexledger(&["member", member])),
        ("verify", destination.flexledger(&["verify"])),
        ("events", destination.flexledger(&["events"])),
        ("rebuild", destination.flexledger(&["rebuild"])),
        (
            "backup",
            destination.flexledger(&["backup", "--out", backup.to_str().unwrap()]),
        ),
        ("audit verify", destination.audit(&["verify"])),
        (
            "copy from it",
            flexledger(
                root,
                &[
                    "copy",
                    "--from",
                    &destination.name,
                    "--to",
                    elsewhere.to_str().unwrap(),
                ],
                None,
            ),
        ),
    ] {
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(output.stdout.is_empty(), "{what} answered: {output:?}");
        for words in [
            format!("holds an unfinished copy from {}", source.display()),
            format!("`flexledger copy --from '{}' --to '", source.display()),
            "again".to_owned(),
            "it resumes where it stopped".to_owned(),
            "remove the destination and start over".to_owned(),
        ] {
            assert!(stderr.contains(&words), "{what}: {words:?} not in {stderr}");
        }
        assert!(!stderr.contains("backup"), "{what}: {stderr}");
        let copied = stderr
            .split("holds an unfinished copy from ")
            .nth(1)
            .and_then(|rest| rest.split(" (").nth(1))
            .and_then(|rest| rest.split(')').next())
            .unwrap()
            .to_owned();
        assert!(copied.contains(&format!("{head}")), "{what}: {stderr}");
        said.push(copied);
    }
    said.dedup();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(!elsewhere.exists(), "a copy from it made its destination");
    assert!(!backup.exists(), "a backup of it was written");
    said.remove(0)
}

/// After the copy is resumed, the destination is the source's ledger: it opens,
/// verifies as the source does, answers as it does and takes commands.
fn assert_finished(destination: &Destination, source: &Path) {
    let verified = destination.flexledger(&["verify"]);
    assert_eq!(
        report(&verified),
        report(&flexledger(source, &["verify"], None))
    );
    let member = ["member", "0b53af7d-bb50-5037-9d21-49eba4cb5782"];
    assert_eq!(
        report(&destination.flexledger(&member)),
        report(&flexledger(source, &member, None))
    );
    // The demo again: each command decided or answered as a duplicate, one line each.
    let lines = destination.dir.parent().unwrap().join("again.jsonl");
    std::fs::write(&lines, demo_lines().concat()).unwrap();
    let submitted = destination.flexledger(&["submit", lines.to_str().unwrap()]);
    assert!(
        matches!(submitted.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    assert_eq!(stdout_lines(&submitted).len(), demo_lines().len());
}

/// A copy stopped after its first append, then resumed: refused until then, whole
/// after.
fn stopped_after_the_first_append_then_resumed(root: &Path, destination: &Destination) {
    let (source, head) = demo_source(root);
    let stopped = copy_stopped(&source, &destination.name, 4);
    assert_eq!(stopped.status.code(), Some(137), "{stopped:?}");
    let copied = assert_refused_everywhere(destination, &source, head);
    let positions: u64 = copied
        .strip_prefix("positions 1..")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|last| last.parse().ok())
        .unwrap_or_else(|| panic!("{copied}"));
    assert!((4..head).contains(&positions), "{copied}");
    assert_eq!(copied, format!("positions 1..{positions} of {head} copied"));
    let resumed = report(&copy_to(&source, &destination.name));
    assert_eq!(resumed["resumed_after"], positions);
    assert_eq!(resumed["events"], head);
    assert_finished(destination, &source);
}

fn copy_to(from: &Path, to: &str) -> Output {
    flexledger(
        from,
        &["copy", "--from", from.to_str().unwrap(), "--to", to],
        None,
    )
}

#[test]
fn an_unfinished_copy_is_refused_by_every_command_until_it_is_resumed() {
    let root = tempfile::tempdir().unwrap();
    let destination = Destination::sled(&root.path().join("copy"));
    stopped_after_the_first_append_then_resumed(root.path(), &destination);
}

#[test]
fn a_copy_stopped_after_its_last_event_is_still_unfinished_until_resumed() {
    let root = tempfile::tempdir().unwrap();
    let (source, head) = demo_source(root.path());
    let destination = Destination::sled(&root.path().join("copy"));
    // Every event is appended; the process stops while the rebuild folds the log.
    let stopped = copy_stopped(&source, &destination.name, head);
    assert_eq!(stopped.status.code(), Some(137), "{stopped:?}");
    let copied = assert_refused_everywhere(&destination, &source, head);
    assert!(
        copied.starts_with(&format!("all {head} events copied")),
        "{copied}"
    );
    let resumed = report(&copy_to(&source, &destination.name));
    assert_eq!(resumed["resumed_after"], head);
    assert_eq!(contents_of(&destination.dir), contents_of(&source));
    assert_finished(&destination, &source);
}

/// A copy stopped before its first append (its destination made, or opened, and
/// marked; no event copied yet), then resumed: refused until then, whole after.
fn stopped_before_the_first_append_then_resumed(
    source: &Path,
    head: u64,
    destination: &Destination,
) {
    let stopped = copy_stopped(source, &destination.name, 0);
    assert_eq!(stopped.status.code(), Some(137), "{stopped:?}");
    let copied = assert_refused_everywhere(destination, source, head);
    assert_eq!(copied, format!("none of its {head} events copied yet"));
    let resumed = report(&copy_to(source, &destination.name));
    assert_eq!(resumed["resumed_after"], 0);
    assert_eq!(resumed["events"], head);
    assert_finished(destination, source);
}

#[test]
fn a_copy_stopped_before_its_first_append_leaves_a_marked_store_not_an_empty_ledger() {
    // A new directory: the store the copy makes holds the mark from the start.
    let root = tempfile::tempdir().unwrap();
    let (source, head) = demo_source(root.path());
    let made = Destination::sled(&root.path().join("copy"));
    stopped_before_the_first_append_then_resumed(&source, head, &made);
    assert!(!made
        .dir
        .join(flexledger::store::sled_store::SLED_CREATING_DIR)
        .exists());
    // An empty store its operator made: marked by the copy's first write.
    let root = tempfile::tempdir().unwrap();
    let (source, head) = demo_source(root.path());
    let own = root.path().join("own");
    drop(SledStore::open(&own).unwrap());
    stopped_before_the_first_append_then_resumed(&source, head, &Destination::sled(&own));
}

/// A copy stopped between making its store's files and renaming them into place
/// (`sled.creating` holds the mark, no `sled` yet): every command refuses the
/// directory, naming the copy, and none makes a new ledger beside it; the same copy
/// run again finishes it.
#[test]
fn a_copy_stopped_while_it_makes_its_store_leaves_nothing_that_opens_as_a_ledger() {
    let root = tempfile::tempdir().unwrap();
    let (source, head) = demo_source(root.path());
    let made = Destination::sled(&root.path().join("copy"));
    let stopped = copy_stopped(&source, &made.name, 0);
    assert_eq!(stopped.status.code(), Some(137), "{stopped:?}");
    // As a crash just before the rename leaves it.
    let creating = made
        .dir
        .join(flexledger::store::sled_store::SLED_CREATING_DIR);
    std::fs::rename(made.dir.join("sled"), &creating).unwrap();
    let demo = repo_path("examples/demo.jsonl");
    for args in [
        vec!["submit", demo.to_str().unwrap()],
        vec!["verify"],
        vec!["events"],
    ] {
        let output = made.flexledger(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_ne!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            stderr.contains("was still making when it stopped")
                && stderr.contains("Run the same copy again"),
            "{args:?}: {stderr}"
        );
        assert!(!made.dir.join("sled").exists(), "{args:?} made a store");
    }
    let resumed = report(&copy_to(&source, &made.name));
    assert_eq!(resumed["events"], head);
    assert!(!creating.exists());
    assert_finished(&made, &source);
}

#[test]
fn a_copy_into_postgres_stopped_before_its_first_append_is_refused_until_it_is_resumed() {
    let Some(cluster) = crate::support::postgres::cluster() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let destination = Destination::postgres(cluster, root.path());
    let (source, head) = demo_source(root.path());
    stopped_before_the_first_append_then_resumed(&source, head, &destination);
}

#[test]
fn an_unfinished_copy_into_postgres_is_refused_until_it_is_resumed() {
    let Some(cluster) = crate::support::postgres::cluster() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let destination = Destination::postgres(cluster, root.path());
    stopped_after_the_first_append_then_resumed(root.path(), &destination);
}

/// Under `--lang zh-CN` a copy refused because its source holds an unfinished copy,
/// and any command on that store, say how far the copy got and how to finish it in
/// Chinese (`StoreError::CopyUnfinished`'s sentence), the command to run as it is.
#[test]
fn an_unfinished_copy_is_said_in_the_reader_s_language() {
    let root = tempfile::tempdir().unwrap();
    let (source, _) = demo_source(root.path());
    let copy = root.path().join("copy");
    let stopped = copy_stopped(&source, copy.to_str().unwrap(), 4);
    assert_eq!(stopped.status.code(), Some(137), "{stopped:?}");
    let onward = root.path().join("onward");
    let (from, to) = (copy.to_str().unwrap(), onward.to_str().unwrap());
    for args in [
        vec!["--lang", "zh-CN", "copy", "--from", from, "--to", to],
        vec!["--lang", "zh-CN", "verify"],
    ] {
        let refused = flexledger(&copy, &args, None);
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        for words in [
            "中有一次以 ",
            "尚未完成的复制（已复制 ",
            "：它还不是可以使用的账本。请再次运行同一条命令 `flexledger copy --from ",
            "，即可完成复制：复制会从中断处继续",
        ] {
            assert!(stderr.contains(words), "{words:?} not in {stderr}");
        }
        assert!(!stderr.contains("unfinished"), "{stderr}");
    }
    assert!(!onward.exists(), "a refused copy made its destination");
}

/// A copy from a path where no store is says that the source does not exist there, in
/// both languages, and makes nothing (it advised "pass --data-dir", which copy does
/// not read); a directory with no ledger in it is said to hold none.
#[test]
fn a_copy_from_a_path_where_no_store_is_says_the_source_does_not_exist() {
    let root = tempfile::tempdir().unwrap();
    let (missing, to) = (root.path().join("nowhere"), root.path().join("copy"));
    let empty = root.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (missing_name, empty_name) = (missing.display(), empty.display());
    for (from, language, words) in [
        (&missing, "en", format!("the source store {missing_name} does not exist: there is nothing at that path to copy; check the path given to --from")),
        (&missing, "zh-CN", format!("源存储 {missing_name} 不存在：该路径下没有可复制的内容；请检查 `--from` 所给的路径")),
        (&empty, "en", format!("{empty_name} holds no ledger: the source of a copy (--from) is the data directory of the ledger to copy")),
        (&empty, "zh-CN", format!("{empty_name} 中没有账本：复制的源（`--from`）应是要复制的账本的数据目录")),
    ] {
        let (from, to) = (from.to_str().unwrap(), to.to_str().unwrap());
        let args = ["--lang", language, "copy", "--from", from, "--to", to];
        let refused = flexledger(root.path(), &args, None);
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(&words), "{words:?} not in {stderr}");
        assert!(!stderr.contains("--data-dir"), "{stderr}");
    }
    assert!(
        !missing.exists() && !to.exists(),
        "a refused copy made a store"
    );
}

/// A copy from one source into a destination holding another source's unfinished
/// copy says so, naming that source, how far it got and how to go on, in both
/// languages, and leaves it untouched (it read "already holds a different ledger",
/// and, for a longer copy, "it holds another ledger, or a copy of this one made
/// later"); the original copy then finishes.
#[test]
fn a_copy_into_another_source_s_unfinished_copy_says_how_to_go_on() {
    let root = tempfile::tempdir().unwrap();
    let (source, head) = demo_source(root.path());
    let quoted = |path: &Path| {
        let path = std::fs::canonicalize(path).unwrap();
        (path.display().to_string(), format!("'{}'", path.display()))
    };
    let (source_name, source_quoted) = quoted(&source);
    // The same commands make another ledger: stopped after 4 events, its 4th is not
    // the other's; a shorter other source: stopped after more events than it has.
    for (stopped_after, commands) in [(4, demo_lines().len()), (12, 3)] {
        let other = root.path().join(format!("other-{commands}"));
        submit(&other, &demo_lines()[..commands]);
        let destination = root.path().join(format!("copy-{stopped_after}"));
        let name = destination.to_str().unwrap();
        let stopped = copy_stopped(&source, name, stopped_after);
        assert_eq!(stopped.status.code(), Some(137), "{stopped:?}");
        let before = SledStore::open_read_only(&destination)
            .unwrap()
            .head()
            .unwrap();
        let copied = before.0;
        for (language, words) in [
            (
                "en",
                format!(
                    "the destination holds an unfinished copy of a different source store, \
                 {source_name} ({copied} of its {head} events copied), not of this one: finish \
                 that copy by running `flexledger copy --from {source_quoted}` again with the \
                 same --to, or copy this source into a new or empty destination"
                ),
            ),
            (
                "zh-CN",
                format!(
                "目标存储中有一次尚未完成的复制，其源是另一个存储 {source_name}（已复制其 {head} \
                 个事件中的 {copied} 个），而不是本次的源：请再次运行 `flexledger copy --from \
                 {source_quoted}`（`--to` 不变）完成那次复制，或把本次的源复制到新的或空的目标存储"
            ),
            ),
        ] {
            let from = other.to_str().unwrap();
            let args = ["--lang", language, "copy", "--from", from, "--to", name];
            let refused = flexledger(&other, &args, None);
            assert_eq!(refused.status.code(), Some(2), "{refused:?}");
            let stderr = String::from_utf8_lossy(&refused.stderr);
            assert!(stderr.contains(&words), "{words:?} not in {stderr}");
            assert!(!stderr.contains("another ledger"), "{stderr}");
        }
        let after = SledStore::open_read_only(&destination)
            .unwrap()
            .head()
            .unwrap();
        assert_eq!(after, before, "a refused copy changed the destination");
        let resumed = report(&copy_to(&source, name));
        assert_eq!(resumed["resumed_after"], copied);
        assert_eq!(contents_of(&destination), contents_of(&source));
    }
}
