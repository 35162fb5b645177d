//! Roles and bearer tokens. The token file (`serve --auth FILE`) holds only SHA-256
//! digests of tokens, never tokens:
//!
//! ```toml
//! [[token]]
//! role = "operator"      # operator | auditor | subscriber
//! sha256 = "<64 hex digits of SHA-256(token)>"
//! ```

use crate::shell_support::stdio;
use crate::store::Sha256;
use std::collections::HashMap;

/// Most tokens a file may hold.
pub const AUTH_TOKENS_MAX: usize = 1024;
/// Largest token file, in bytes.
pub const AUTH_FILE_BYTES_MAX: u64 = 1024 * 1024;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Submits commands (and reads members and regions to do so).
    Operator,
    /// Reads everything.
    Auditor,
    /// Reads coverage and the feed (hospital settlement, subsidy offices).
    Subscriber,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Operator, Role::Auditor, Role::Subscriber];

    pub fn name(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Auditor => "auditor",
            Role::Subscriber => "subscriber",
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    #[serde(default)]
    token: Vec<TokenEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    role: Role,
    sha256: String,
}

/// Token digests and their roles.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    by_digest: HashMap<Sha256, Role>,
}

/// What is wrong with a token file's text. Typed, so that `serve` says it in the
/// reader's language ([`TokenFileError::sentence`], whose English is the one
/// `Display`); the TOML parser's own words stay as they came.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenProblem {
    NotATokenFile(String),
    /// A server with no token would answer nobody but /healthz.
    NoTokens,
    TooMany,
    /// The entry's number, from 1: its sha256 is not 64 lowercase hex digits.
    NotADigest(usize),
    /// Any user may write the file (its mode, in octal), so any user could give a
    /// token of their own the operator role: refused, as sshd refuses such a key file.
    WritableByAnyone(String),
}

/// A token file that cannot be used: which, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.sentence())]
pub struct TokenFileError {
    pub file: String,
    pub problem: TokenProblem,
}

impl TokenFileError {
    /// The error as the catalog words it (`locales/*/cli.ftl`, `cli-token-file-*`).
    pub fn sentence(&self) -> crate::i18n::Sentence {
        let file = ("file", self.file.clone());
        let (id, args) = match &self.problem {
            TokenProblem::NotATokenFile(detail) => (
                "cli-token-file-not-toml",
                vec![file, ("detail", detail.clone())],
            ),
            TokenProblem::NoTokens => ("cli-token-file-empty", vec![file]),
            TokenProblem::TooMany => (
                "cli-token-file-too-many",
                vec![file, ("max", AUTH_TOKENS_MAX.to_string())],
            ),
            TokenProblem::NotADigest(entry) => (
                "cli-token-file-not-a-digest",
                vec![file, ("entry", entry.to_string())],
            ),
            TokenProblem::WritableByAnyone(mode) => (
                "cli-token-file-writable-by-anyone",
                vec![file, ("mode", mode.clone())],
            ),
        };
        crate::i18n::Sentence::new(id, args)
    }
}

impl Tokens {
    /// Reads a token file (standard input for `-`); errors name the file and the entry
    /// and say what is wrong.
    pub fn load(path: &std::path::Path) -> anyhow::Result<Tokens> {
        let refused = |problem| {
            let file = stdio::display(path, true);
            TokenFileError { file, problem }
        };
        if let Some(mode) = writable_by_others(path) {
            // A security probe's `chmod 666` token file was taken without a word.
            if mode & 0o002 != 0 {
                return Err(refused(TokenProblem::WritableByAnyone(format!("{mode:o}"))).into());
            }
            tracing::warn!(
                path = %path.display(),
                mode = format_args!("{mode:o}"),
                "the token file can be written by its group: whoever can write it can give a token the operator role. Make it writable by its owner alone: chmod go-w on the path"
            );
        }
        let text = stdio::read_small_input(path, AUTH_FILE_BYTES_MAX)?;
        Tokens::parse(&text).map_err(|problem| refused(problem).into())
    }

    pub fn parse(text: &str) -> Result<Tokens, TokenProblem> {
        let file: TokenFile =
            toml::from_str(text).map_err(|error| TokenProblem::NotATokenFile(error.to_string()))?;
        if file.token.is_empty() {
            return Err(TokenProblem::NoTokens);
        }
        if file.token.len() > AUTH_TOKENS_MAX {
            return Err(TokenProblem::TooMany);
        }
        let mut tokens = Tokens::default();
        for (index, entry) in file.token.into_iter().enumerate() {
            let digest =
                Sha256::parse_hex(&entry.sha256).ok_or(TokenProblem::NotADigest(index + 1))?;
            tokens.by_digest.insert(digest, entry.role);
        }
        Ok(tokens)
    }

    /// Adds a token (for `--demo`).
    pub fn insert(&mut self, token: &str, role: Role) {
        self.by_digest.insert(Sha256::of(token.as_bytes()), role);
    }

    /// The role of a presented bearer token, if it is known.
    pub fn role_of(&self, token: &str) -> Option<Role> {
        self.by_digest.get(&Sha256::of(token.as_bytes())).copied()
    }
}

/// The file's permission bits when users other than its owner may write it (its group
/// or anyone); `None` otherwise, for standard input, or where it cannot be read.
fn writable_by_others(path: &std::path::Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if stdio::is_stdio(path) {
            return None;
        }
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o022 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token file with no token would start a server that answers nobody; it is
    /// refused, saying what to add.
    #[test]
    fn a_token_file_needs_a_token() {
        for empty in ["", "# no tokens yet\n", "token = []\n"] {
            let problem = Tokens::parse(empty).expect_err("refused");
            assert_eq!(problem, TokenProblem::NoTokens, "{empty:?}");
            let file = "tokens.toml".to_owned();
            let error = TokenFileError { file, problem }.to_string();
            assert!(
                error.contains("no tokens; add [[token]]"),
                "{empty:?}: {error}"
            );
        }
        let digest = Sha256::of(b"op-secret");
        let one = format!("[[token]]\nrole = \"operator\"\nsha256 = \"{digest}\"\n");
        let tokens = Tokens::parse(&one).expect("one token");
        assert_eq!(tokens.role_of("op-secret"), Some(Role::Operator));
    }
}
