//! A ledger found damaged is marked so, and nothing is appended to it until it
//! verifies again (D61; a PostgreSQL store's mark is kept beside its signing key, in a
//! file of its own, D84).
//!
//! Why: sled reads most of its pages on demand, so damage where the log's head is not
//! (an engine file cut short in the middle, bytes changed among older pages) passes
//! every check an open can afford (the head witness, D49; the segment headers, D55):
//! `verify` reported the store damaged and the next `submit` was acknowledged on it.
//! The way back for such damage is often a backup, and a restore loses everything
//! appended after the backup: the writes acknowledged after the damage was found would
//! be lost with it. So whichever command finds the damage (`verify`, or any command
//! that reads a damaged page: exit 1) leaves `<data-dir>/damage-found`, outside the
//! engine's files, saying when, by which command, where and what; the writer's open
//! (`submit`, `serve`) refuses a store that holds it, and a `verify` that walks the
//! whole store and finds it intact removes it. Reading commands (`member`, `events`,
//! `backup`, `rebuild`, the audit tools) still open the store: a backup taken now may
//! hold every event, and `rebuild` may be the repair.
//!
//! The mark is written like the head witness: a temporary file, fsync, rename, fsync of
//! the directory. A mark that cannot be read (cut short by a crash) still marks.

use crate::i18n::Sentence;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The mark's file in a sled data directory.
pub const DAMAGE_MARK_FILE: &str = "damage-found";
/// The mark being written, before its rename.
pub const DAMAGE_MARK_PARTIAL_FILE: &str = "damage-found.partial";

/// The command, as a mark names it, of an audit `verify` that checked checkpoints kept
/// outside the ledger (`--kept FILE`): only such a verify removes the mark it left.
pub const KEPT_VERIFY: &str = "flexledger-audit verify --kept FILE";

/// What was found, when and by whom: what the writer's refusal says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamageMark {
    /// When it was found (RFC 3339, UTC), from the command's clock.
    pub found_at: String,
    /// The command that found it (`flexledger verify`).
    pub found_by: String,
    /// The log position the damage was found at, when it names one.
    pub position: Option<u64>,
    /// The finding, in English as the log says it.
    pub message: String,
    /// The finding as a sentence of the catalog (the damage report, `store-damaged-at`
    /// and what it found), so the writer's refusal says it in the language of whoever
    /// meets it; none in a mark written before 2026-12-03, in one whose finding has no
    /// sentence, or in one this build cannot read back (its `message` is said instead).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "sentence_if_readable"
    )]
    pub finding: Option<Sentence>,
    /// The PostgreSQL store it marks (its URL, password hidden), kept in the data
    /// directory beside the signing key, in a file of its own (`path_for`); none for
    /// the sled ledger of the directory the mark is in (D84).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// Whether a verify with checkpoints kept outside the ledger found a mismatch too,
    /// after this mark's finding: then only such a verify's pass removes it, as if it
    /// had left the mark (the first finding is kept, but a plain verify, which cannot
    /// see what the kept checkpoints saw, must not remove it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept_checkpoints: bool,
    /// The tree size of the kept checkpoint that did not match the log (since
    /// 2026-12-07): only a verify that checks a kept checkpoint of that size, and
    /// passes, removes the mark. Kept apart from `position`, which stays the first
    /// finding's when a mark already there becomes a kept checkpoints' one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_size: Option<u64>,
}

impl DamageMark {
    /// A mark found now by `found_by` (`flexledger serve`) at `position` (none, or 0,
    /// when the finding names no event), of the PostgreSQL `store` or, for none, the
    /// sled ledger of the directory it is recorded in. The one constructor the command
    /// line and the server share, so both stamp and filter alike.
    pub fn found_now(
        found_by: &str,
        position: Option<u64>,
        (message, finding): (String, Option<Sentence>),
        store: Option<String>,
    ) -> Self {
        Self {
            found_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            found_by: found_by.to_owned(),
            position: position.filter(|position| *position > 0),
            message,
            finding,
            store,
            kept_checkpoints: found_by == KEPT_VERIFY,
            kept_size: position.filter(|_| found_by == KEPT_VERIFY),
        }
    }

    /// The finding, with its position when it names one.
    pub fn said(&self) -> String {
        match self.position {
            Some(position) => format!("position {position}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// The `verify` whose pass removes it: the audit tool's with the kept checkpoints
    /// for a mark one of them left (a log rewritten and signed again with the ledger's
    /// own key matches every checkpoint it stores, so only the kept ones can tell), the
    /// audit tool's for another mark the audit tool left (its finding may be a signed
    /// checkpoint's, which `flexledger verify` does not read), else `flexledger verify`.
    pub fn cleared_by(&self) -> &'static str {
        if self.found_with_kept_checkpoints() {
            return KEPT_VERIFY;
        }
        match self.found_by.starts_with("flexledger-audit") {
            true => "flexledger-audit verify",
            false => "flexledger verify",
        }
    }

    /// Whether a `flexledger-audit verify --kept` left it, checking checkpoints kept
    /// outside the ledger.
    pub fn found_with_kept_checkpoints(&self) -> bool {
        self.kept_checkpoints || self.found_by == KEPT_VERIFY
    }

    /// The sentence `id` about this mark: `args`, then when and by what it was found,
    /// the `verify` that removes it, and the finding as `detail` (its sentence, said in
    /// the reader's language, where the mark keeps one; else its English). The writer's
    /// refusal and the reads' note say it so.
    pub fn sentence(&self, id: &'static str, mut args: Vec<(&'static str, String)>) -> Sentence {
        args.extend([
            ("found_at", self.found_at.clone()),
            ("found_by", self.found_by.clone()),
            ("verify", self.cleared_by().to_owned()),
        ]);
        match self.finding() {
            Some(finding) => Sentence::new(id, args).with_said("detail", finding.clone()),
            None => {
                args.push(("detail", self.said()));
                Sentence::new(id, args)
            }
        }
    }

    /// The finding as a sentence this build's catalog can say, if the mark keeps one.
    pub fn finding(&self) -> Option<&Sentence> {
        self.finding.as_ref().filter(|finding| finding.is_known())
    }
}

/// A mark's `finding`, or none if it is not a sentence this build reads: the mark
/// still marks, and says its English `message`.
fn sentence_if_readable<'de, D>(deserializer: D) -> Result<Option<Sentence>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// Where the mark of the ledger in `data_dir` is.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(DAMAGE_MARK_FILE)
}

/// Where the mark of `store` is, in `data_dir`: the sled ledger's (`None`) is
/// `damage-found`; a PostgreSQL store's is `damage-found-` and 16 hex digits of the
/// SHA-256 of the database its URL names however it is spelt
/// (`postgres::database_named`), so that each store has its own and one store's
/// verify never removes another's.
pub fn path_for(data_dir: &Path, store: Option<&str>) -> PathBuf {
    let Some(url) = store else {
        return path(data_dir);
    };
    let named = crate::store::postgres::database_named(url).unwrap_or_else(|| url.to_owned());
    let digest = <sha2::Sha256 as sha2::Digest>::digest(named.as_bytes());
    let hex: String = digest[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    data_dir.join(format!("{DAMAGE_MARK_FILE}-{hex}"))
}

/// A mark in `data_dir` (a sled ledger's, or any PostgreSQL store's kept there) that a
/// verify with kept checkpoints left: the log it marks was found rewritten after it
/// was signed, and nothing more is signed from it. (A mark cut short by a crash is
/// not read as one: it keeps the writer away, but a backup may be the way back.)
pub fn kept_mark_in(data_dir: &Path) -> Option<(PathBuf, DamageMark)> {
    let sled = path(data_dir);
    let sled = read_at(&sled).ok().flatten().map(|mark| (sled, mark));
    let postgres = postgres_marks(data_dir).unwrap_or_default();
    sled.into_iter()
        .chain(postgres)
        .find(|(_, mark)| mark.found_with_kept_checkpoints())
}

/// The PostgreSQL stores' marks in `data_dir` (each file `damage-found-…`), with
/// where each is: any of them keeps every PostgreSQL writer started with this data
/// directory away (D84), since a URL may name a database in ways `database_named`
/// does not see as one (a host name and its address).
pub fn postgres_marks(data_dir: &Path) -> std::io::Result<Vec<(PathBuf, DamageMark)>> {
    let prefix = format!("{DAMAGE_MARK_FILE}-");
    let mut marks = Vec::new();
    for entry in std::fs::read_dir(data_dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if !name.starts_with(&prefix) || name.ends_with(".partial") {
            continue;
        }
        if let Some(mark) = read_at(&path)? {
            marks.push((path, mark));
        }
    }
    marks.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(marks)
}

/// Marks the ledger in `data_dir` as found damaged. Nothing is made where there is no
/// ledger to keep writes from (a data directory that is not there; for a sled
/// ledger's mark, one that holds no engine directory):
/// there is nothing to keep writes away from. A mark already there is kept: the first
/// finding says most about when the damage happened. Whether the store is marked now
/// (false: no directory to keep the mark in, which the advice must then say).
pub fn record(data_dir: &Path, mark: &DamageMark) -> std::io::Result<bool> {
    // A PostgreSQL store's mark goes beside its signing key: the directory must be
    // there (nothing is made where the key is not).
    let ledger_here = match mark.store {
        Some(_) => data_dir.is_dir(),
        None => data_dir.join("sled").is_dir(),
    };
    let marked = path_for(data_dir, mark.store.as_deref());
    if !ledger_here {
        return Ok(false);
    }
    if marked.exists() {
        // The first finding is kept; but one a plain verify cannot see (a kept
        // checkpoint's) makes the mark one only a verify with them removes.
        if let Some(first) = read_at(&marked)?.filter(|first| {
            mark.found_with_kept_checkpoints() && !first.found_with_kept_checkpoints()
        }) {
            let first = DamageMark {
                kept_checkpoints: true,
                kept_size: mark.kept_size,
                ..first
            };
            write_mark(data_dir, &marked, &first)?;
        }
        return Ok(true);
    }
    write_mark(data_dir, &marked, mark)?;
    Ok(true)
}

/// Writes `mark` to `marked`, whole or not at all: a temporary file, fsynced, renamed,
/// and the directory fsynced.
fn write_mark(data_dir: &Path, marked: &Path, mark: &DamageMark) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(mark).map_err(std::io::Error::other)?;
    // `damage-found.partial` (`DAMAGE_MARK_PARTIAL_FILE`) for a sled ledger's.
    let partial = marked.with_extension("partial");
    let written = (|| {
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(&bytes)?;
        file.write_all(b"\n")?;
        file.sync_all()
    })();
    if let Err(error) = written {
        // Nothing half-written left behind (a fault probe's full disk left an empty
        // `damage-found.partial`); the failure is what is said.
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, marked)?;
    std::fs::File::open(data_dir)?.sync_all()
}

/// The mark of the ledger in `data_dir`, if it has one. One that cannot be parsed (cut
/// short) is still a mark: its text is kept as the message.
pub fn read(data_dir: &Path) -> std::io::Result<Option<DamageMark>> {
    read_at(&path(data_dir))
}

/// The mark in the file `path`, if there is one (one cut short still marks).
pub fn read_at(path: &Path) -> std::io::Result<Option<DamageMark>> {
    // Bytes, not text: a mark of bytes that are no text marks as one cut short does
    // (a probe's was refused as "stream did not contain valid UTF-8", exit 2).
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let text = String::from_utf8_lossy(&bytes);
    Ok(Some(serde_json::from_str(text.trim()).unwrap_or_else(
        |_| DamageMark {
            found_at: "an unknown time".to_owned(),
            found_by: "an unknown command".to_owned(),
            position: None,
            message: format!(
                "the mark {DAMAGE_MARK_FILE} is unreadable: {}",
                shown(&text)
            ),
            finding: None,
            store: None,
            kept_checkpoints: false,
            kept_size: None,
        },
    )))
}

/// Characters of an unreadable mark said, at most.
const UNREADABLE_MARK_CHARS_MAX: usize = 200;

/// An unreadable mark's text as it may be said on a terminal: its control characters
/// escaped (a re-probe's mark of random bytes was echoed raw, and crafted bytes could
/// be a terminal's escape sequences), at most `UNREADABLE_MARK_CHARS_MAX` of them.
fn shown(text: &str) -> String {
    let mut said: String = text
        .trim()
        .chars()
        .take(UNREADABLE_MARK_CHARS_MAX)
        .flat_map(|character| match character.is_control() {
            true => character.escape_default().collect::<Vec<_>>(),
            false => vec![character],
        })
        .collect();
    if text.trim().chars().count() > UNREADABLE_MARK_CHARS_MAX {
        said.push('…');
    }
    said
}

/// Removes the mark, once the whole store was walked and found intact.
pub fn clear(data_dir: &Path) -> std::io::Result<bool> {
    clear_at(data_dir, &path(data_dir))
}

/// Removes the mark in the file `path` of `data_dir`.
pub fn clear_at(data_dir: &Path, path: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            std::fs::File::open(data_dir)?.sync_all()?;
            Ok(true)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_is_kept_read_back_and_cleared_and_none_is_made_without_a_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let mark = DamageMark {
            found_at: "2026-12-02T08:00:00Z".to_owned(),
            found_by: "flexledger verify".to_owned(),
            position: Some(7),
            message: "the event was altered".to_owned(),
            finding: None,
            store: None,
            kept_checkpoints: false,
            kept_size: None,
        };
        record(dir.path(), &mark).unwrap();
        assert_eq!(
            read(dir.path()).unwrap(),
            None,
            "no sled directory, no mark"
        );
        std::fs::create_dir(dir.path().join("sled")).unwrap();
        record(dir.path(), &mark).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(mark.clone()));
        let later = DamageMark {
            found_by: "flexledger events".to_owned(),
            ..mark.clone()
        };
        record(dir.path(), &later).unwrap();
        assert_eq!(
            read(dir.path()).unwrap(),
            Some(mark),
            "the first finding is kept"
        );
        // A kept checkpoint's finding after it keeps the first finding, but makes the
        // mark one only a verify with kept checkpoints removes (a plain verify cannot
        // see what they saw).
        assert_eq!(
            read(dir.path()).unwrap().unwrap().cleared_by(),
            "flexledger verify"
        );
        let kept =
            DamageMark::found_now(KEPT_VERIFY, Some(35), ("rewritten".to_owned(), None), None);
        record(dir.path(), &kept).unwrap();
        let upgraded = read(dir.path()).unwrap().unwrap();
        assert_eq!(
            (upgraded.message.as_str(), upgraded.cleared_by()),
            ("the event was altered", KEPT_VERIFY)
        );
        // It names the kept checkpoint that found it apart from the first finding's
        // position: only a verify that checks that one removes it (a reviewer: a kept
        // file of the size-0 checkpoint alone had removed such a mark).
        assert_eq!(upgraded.kept_size, Some(35));
        assert_ne!(upgraded.position, Some(35));
        assert_eq!(
            kept_mark_in(dir.path()).map(|(_, found)| found),
            Some(upgraded)
        );
        std::fs::write(path(dir.path()), "{\"found_at\":").unwrap();
        let cut = read(dir.path()).unwrap().unwrap();
        assert!(cut.message.contains("unreadable"), "{cut:?}");
        // Bytes that are no text mark as a cut mark does (they had been exit 2).
        std::fs::write(path(dir.path()), [0xff, 0xfe, 0x7b]).unwrap();
        let garbled = read(dir.path()).unwrap().unwrap();
        assert!(garbled.message.contains("unreadable"), "{garbled:?}");
        // Said with its control characters escaped: no terminal escape reaches a screen.
        std::fs::write(path(dir.path()), b"\x1b[2J\x07mark").unwrap();
        let escaped = read(dir.path()).unwrap().unwrap();
        assert!(!escaped.message.contains('\u{1b}'), "{escaped:?}");
        assert!(
            escaped.message.ends_with("\\u{1b}[2J\\u{7}mark"),
            "{escaped:?}"
        );
        assert!(clear(dir.path()).unwrap());
        assert_eq!(read(dir.path()).unwrap(), None);
        assert!(!clear(dir.path()).unwrap());
    }

    /// A PostgreSQL store's mark is made in a directory holding no sled ledger (the one
    /// beside its signing key), in a file of its own named by the database however its
    /// URL is spelt, beside the sled ledger's and any other store's.
    #[test]
    fn a_postgresql_store_s_mark_is_its_own_whatever_its_url_s_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let url = "postgresql:///ledger?host=/tmp&user=u";
        let mark = DamageMark {
            found_at: "2026-12-06T08:00:00Z".to_owned(),
            found_by: "flexledger serve".to_owned(),
            position: Some(9),
            message: "the event was altered".to_owned(),
            finding: None,
            store: Some(url.to_owned()),
            kept_checkpoints: false,
            kept_size: None,
        };
        record(&dir.path().join("missing"), &mark).unwrap();
        assert!(!dir.path().join("missing").exists(), "nothing is made");
        record(dir.path(), &mark).unwrap();
        assert_eq!(
            read(dir.path()).unwrap(),
            None,
            "not the sled ledger's mark"
        );
        let spelt_otherwise = [
            "postgres:///ledger?user=u&host=/tmp/",
            "postgresql://u:secret@/ledger?host=/tmp/./",
            "postgresql:///ledger?host=/tmp&user=u&connect_timeout=10",
        ];
        for other in spelt_otherwise {
            assert_eq!(
                path_for(dir.path(), Some(other)),
                path_for(dir.path(), Some(url)),
                "{other}"
            );
        }
        let elsewhere = "postgresql:///other?host=/tmp&user=u";
        assert_ne!(
            path_for(dir.path(), Some(elsewhere)),
            path_for(dir.path(), Some(url))
        );
        let another = DamageMark {
            store: Some(elsewhere.to_owned()),
            ..mark.clone()
        };
        record(dir.path(), &another).unwrap();
        let marks = postgres_marks(dir.path()).unwrap();
        assert_eq!(marks.len(), 2, "each store has its own mark");
        let own = path_for(dir.path(), Some(url));
        assert_eq!(read_at(&own).unwrap(), Some(mark));
        assert!(clear_at(dir.path(), &own).unwrap());
        assert_eq!(postgres_marks(dir.path()).unwrap().len(), 1);
    }

    /// The finding is kept as a sentence, said again in the reader's language; a mark
    /// of an older build (no finding) or one whose finding this build cannot say still
    /// marks, with its English message.
    #[test]
    fn a_mark_keeps_its_finding_as_a_sentence_and_reads_without_one() {
        use crate::i18n::Language;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sled")).unwrap();
        let finding = crate::store::findings::entry_missing().report(7);
        let mark = DamageMark {
            found_at: "2026-12-03T08:00:00Z".to_owned(),
            found_by: "flexledger verify".to_owned(),
            position: Some(7),
            message: finding.to_string(),
            finding: Some(finding.clone()),
            store: None,
            kept_checkpoints: false,
            kept_size: None,
        };
        record(dir.path(), &mark).unwrap();
        let read_back = read(dir.path()).unwrap().unwrap();
        assert_eq!(read_back, mark);
        let said = read_back.finding().unwrap().in_language(Language::ZhCn);
        assert_eq!(said, finding.in_language(Language::ZhCn));
        assert!(said.starts_with("存储的数据在位置 7 处已损坏："), "{said}");

        let older = r#"{"found_at":"t","found_by":"flexledger verify","position":7,"message":"m"}"#;
        let unknown = r#"{"found_at":"t","found_by":"b","position":null,"message":"m","finding":{"id":"store-found-from-a-later-build","args":[]}}"#;
        let malformed =
            r#"{"found_at":"t","found_by":"b","position":null,"message":"m","finding":42}"#;
        for text in [older, unknown, malformed] {
            std::fs::write(path(dir.path()), text).unwrap();
            let mark = read(dir.path()).unwrap().unwrap();
            assert_eq!(
                (mark.message.as_str(), mark.finding()),
                ("m", None),
                "{text}"
            );
        }
    }
}
