//! `-` as a file path: standard input where a command reads a file, standard output
//! where it writes one. Every file option and argument of both binaries goes through
//! here (`submit -`, `restore -`, `restore --signing-key -`, `serve --auth -`,
//! `backup --out -`; the auditor's `verify-bundle -`, `whatif --policy -`,
//! `timeline --svg -`, `export --out -`), so none of them writes a file named `-`.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

/// The path that names standard input or standard output.
pub const STDIO_PATH: &str = "-";

/// Whether `path` is `-`.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == STDIO_PATH
}

/// How messages name the input or output: the path, or "standard input/output".
pub fn display(path: &Path, input: bool) -> String {
    match (is_stdio(path), input) {
        (true, true) => "standard input".to_owned(),
        (true, false) => "standard output".to_owned(),
        (false, _) => path.display().to_string(),
    }
}

/// A file named on the command line that cannot be used, said by what went wrong and
/// which path (the one the user gave: never the hidden file an output is written to
/// first). Typed, not text, so each binary says it in its reader's language (the
/// operating system's words, its source, stay as they came).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot read {path} as UTF-8 text (save it as UTF-8)")]
    NotUtf8 {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("{path} is larger than {bytes_max} bytes: is it the right file?")]
    TooLarge { path: String, bytes_max: u64 },
    /// An output named as a directory: written beside it and renamed, it failed as
    /// "cannot rename /.tmp.partial to /tmp" (a probe's `--out /tmp`).
    #[error("{path} is a directory: name a file in it to write")]
    IsADirectory { path: String },
    /// Standard input named by more than one option (`--policy - --other -`).
    #[error("{options}: only one of them may read standard input ('-'); give the others as files")]
    StdinTwice { options: String },
    /// An output path with no file name in it (`--out ..`).
    #[error("{path} does not name a file: name the file to write")]
    NoFileName { path: String },
    /// The finished output could not take its name (written beside it first).
    #[error("cannot rename {from} to {path}")]
    Rename {
        from: String,
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot create {path} (its directory must exist and be writable)")]
    Create {
        path: String,
        #[source]
        source: io::Error,
    },
    /// Standard output closed before an `Output` written there was whole (carried
    /// inside an `io::Error`, as `Write` must fail).
    #[error(
        "standard output was closed after about {bytes} bytes, before the end: what was \
         written there is incomplete and of no use (write it to a file with --out FILE, or \
         keep the reader open to the end)"
    )]
    StdoutClosed { bytes: u64 },
}

/// Opens an input: the file, or standard input for `-`.
pub fn open_input(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    if is_stdio(path) {
        return Ok(Box::new(io::BufReader::new(io::stdin())));
    }
    let file = std::fs::File::open(path).map_err(|source| FileError::Read {
        path: path.display().to_string(),
        source,
    })?;
    // A directory opens, and fails only at its first read, where a reader of a backup
    // no longer knows the path it came from ("cannot read the backup: Is a directory").
    if file.metadata().is_ok_and(|metadata| metadata.is_dir()) {
        return Err(FileError::Read {
            path: path.display().to_string(),
            source: io::Error::new(io::ErrorKind::IsADirectory, "Is a directory"),
        }
        .into());
    }
    Ok(Box::new(io::BufReader::new(file)))
}

/// Reads a small text input whole (a policy, a key, a token file): the file, or
/// standard input for `-`. More than `bytes_max` bytes is refused, so a wrong file
/// never fills memory.
pub fn read_small_input(path: &Path, bytes_max: u64) -> anyhow::Result<String> {
    let name = display(path, true);
    let mut text = String::new();
    open_input(path)?
        .take(bytes_max.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|source| match source.kind() {
            io::ErrorKind::InvalidData => FileError::NotUtf8 {
                path: name.clone(),
                source,
            },
            _ => FileError::Read {
                path: name.clone(),
                source,
            },
        })?;
    if u64::try_from(text.len()).is_ok_and(|bytes| bytes > bytes_max) {
        return Err(FileError::TooLarge {
            path: name,
            bytes_max,
        }
        .into());
    }
    Ok(text)
}

/// Refuses two inputs that both name standard input: only one of them could read it.
pub fn one_standard_input(inputs: &[(&str, &Path)]) -> anyhow::Result<()> {
    let named: Vec<&str> = inputs
        .iter()
        .filter(|(_, path)| is_stdio(path))
        .map(|(option, _)| *option)
        .collect();
    if named.len() > 1 {
        let options = named.join(", ");
        return Err(FileError::StdinTwice { options }.into());
    }
    Ok(())
}

/// Standard output, or a file written beside its path (a new hidden file of a random
/// name, readable by its owner alone) and renamed into place when finished (removed
/// if it is not). What goes to an `Output` (a backup, an export) is
/// of use only whole: standard output closed before the end is a failure, reported as
/// such (exit 2), never the quiet success of `events | head`.
///
/// A path that already names something other than a regular file (a device such as
/// `/dev/null`, a named pipe, `/dev/stdout`) is written in place: renamed over, the
/// device itself would be replaced by a plain file (a probe's `--out /dev/full`, run as
/// root, left `/dev/full` a file holding the bundle and reported success).
pub enum Output {
    Stdout(io::BufWriter<io::Stdout>, u64),
    /// A device or pipe named by its path, written in place and never renamed.
    Special {
        writer: io::BufWriter<std::fs::File>,
        bytes: u64,
    },
    File {
        writer: io::BufWriter<std::fs::File>,
        partial: PathBuf,
        path: PathBuf,
        bytes: u64,
        finished: bool,
    },
}

/// Says which `.NAME.<random>.partial` files beside `path` other than `own` are there
/// ([`partials_left`]): an operator's probe found 131 MB of them after a killed backup,
/// and no later run said a word.
fn warn_of_partials_left(path: &Path, own: &Path) {
    let left = partials_left(path, own);
    if !left.is_empty() {
        let files: Vec<String> = left.iter().map(|file| file.display().to_string()).collect();
        tracing::warn!(
            files = %files.join(", "),
            "partial files of {} are left beside it by a run that was killed (or are being written by one running now); once no run writes it, remove them",
            path.display()
        );
    }
}

/// The `.NAME.<random>.partial` files beside `path` other than `own`: left by a run
/// killed outright (`kill -9`, a power cut), which had no chance to remove its own, or
/// being written by one running now. Never removed here: one may be another run's.
fn partials_left(path: &Path, own: &Path) -> Vec<std::path::PathBuf> {
    let (Some(name), directory) = (path.file_name(), path.parent()) else {
        return Vec::new();
    };
    let directory = match directory {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut left: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|entry| Some(entry.file_name().as_os_str()) != own.file_name())
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            file.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".partial"))
                .is_some_and(|random| {
                    random.len() == 12 && random.bytes().all(|byte| byte.is_ascii_hexdigit())
                })
        })
        .map(|entry| entry.path())
        .collect();
    left.sort();
    left
}

impl Output {
    pub fn create(path: &Path) -> anyhow::Result<Output> {
        if is_stdio(path) {
            return Ok(Output::Stdout(io::BufWriter::new(io::stdout()), 0));
        }
        // One look at what is there: a directory is refused, a device or pipe is
        // written in place, a regular file (or nothing) is written beside and renamed.
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => {
                let path = path.display().to_string();
                return Err(FileError::IsADirectory { path }.into());
            }
            Ok(metadata) if !metadata.is_file() => return Output::special(path),
            _ => {}
        }
        let name = path.file_name().ok_or_else(|| FileError::NoFileName {
            path: path.display().to_string(),
        })?;
        // A new file of a name nobody could guess, readable by its owner alone: a
        // security probe planted a symbolic link (or a file of its own, mode 0666) at
        // the fixed `.NAME.partial` of a shared directory, and root's backup was
        // written through it. `create_new` fails on anything already there, a link
        // included; what is written is the ledger's personal data.
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let partial = path.with_file_name(format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            &unique[..12]
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&partial).map_err(|source| FileError::Create {
            path: path.display().to_string(),
            source,
        })?;
        warn_of_partials_left(path, &partial);
        Ok(Output::File {
            writer: io::BufWriter::new(file),
            partial,
            path: path.to_owned(),
            bytes: 0,
            finished: false,
        })
    }

    /// The output in place of `path`, an existing device, pipe or socket (through any
    /// symbolic link).
    fn special(path: &Path) -> anyhow::Result<Output> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|source| FileError::Create {
                path: path.display().to_string(),
                source,
            })?;
        Ok(Output::Special {
            writer: io::BufWriter::new(file),
            bytes: 0,
        })
    }

    /// Flushes; for a file also syncs it, renames it into place and syncs its directory.
    pub fn finish(&mut self) -> anyhow::Result<u64> {
        match self {
            Output::Stdout(writer, bytes) => {
                writer.flush().map_err(|error| incomplete(error, *bytes))?;
                Ok(*bytes)
            }
            // A device has no data to sync the way a file has (`/dev/null` refuses it).
            Output::Special { writer, bytes } => {
                writer.flush()?;
                Ok(*bytes)
            }
            Output::File {
                writer,
                partial,
                path,
                bytes,
                finished,
            } => {
                writer.flush()?;
                writer.get_ref().sync_all()?;
                std::fs::rename(&*partial, &*path).map_err(|source| FileError::Rename {
                    from: partial.display().to_string(),
                    path: path.display().to_string(),
                    source,
                })?;
                let directory = path
                    .parent()
                    .filter(|parent| !parent.as_os_str().is_empty());
                std::fs::File::open(directory.unwrap_or(Path::new(".")))?.sync_all()?;
                *finished = true;
                Ok(*bytes)
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let (written, bytes) = match self {
            Output::Stdout(writer, bytes) => (
                writer
                    .write(buffer)
                    .map_err(|error| incomplete(error, *bytes))?,
                bytes,
            ),
            Output::File { writer, bytes, .. } | Output::Special { writer, bytes } => {
                (writer.write(buffer)?, bytes)
            }
        };
        *bytes += u64::try_from(written).unwrap_or(u64::MAX);
        Ok(written)
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(writer, bytes) => {
                writer.flush().map_err(|error| incomplete(error, *bytes))
            }
            Output::File { writer, .. } | Output::Special { writer, .. } => writer.flush(),
        }
    }
}

/// A broken pipe on standard output, as the failure it is for an `Output` (another
/// kind of error, so that `is_broken_pipe` does not take it for a reader that has
/// what it wanted); other errors as they are.
fn incomplete(error: io::Error, bytes: u64) -> io::Error {
    if error.kind() != io::ErrorKind::BrokenPipe {
        return error;
    }
    io::Error::other(FileError::StdoutClosed { bytes })
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Output::File {
            partial,
            finished: false,
            ..
        } = self
        {
            let _ = std::fs::remove_file(&*partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Output;
    use std::io::Write;

    /// The partial files a killed run left beside an output are found (`Output::create` says
    /// them in the log); this run's own and other names alike are not.
    #[test]
    fn partial_files_a_killed_run_left_beside_an_output_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.backup");
        let left = dir.path().join(".ledger.backup.0123456789ab.partial");
        let own = dir.path().join(".ledger.backup.ba9876543210.partial");
        for file in [&left, &own] {
            std::fs::write(file, "half").unwrap();
        }
        for other in [
            ".ledger.backup.partial",
            ".ledger.backup.xyz.partial",
            ".other.0123456789ab.partial",
        ] {
            std::fs::write(dir.path().join(other), "").unwrap();
        }
        assert_eq!(super::partials_left(&path, &own), vec![left]);
    }

    /// What an `Output` file holds is readable by its owner alone, and it is written
    /// through no name another user could have planted beforehand: a link at the fixed
    /// `.NAME.partial` of old, pointing at a file of someone else's, is left alone.
    #[cfg(unix)]
    #[test]
    fn an_output_file_is_its_owner_s_alone_and_never_written_through_a_planted_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.conf");
        std::fs::write(&victim, "kept\n").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join(".out.backup.partial")).unwrap();
        let path = dir.path().join("out.backup");
        let mut output = Output::create(&path).unwrap();
        output.write_all(b"the ledger\n").unwrap();
        output.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "kept\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the ledger\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}
