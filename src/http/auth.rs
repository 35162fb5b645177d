//! Roles and bearer tokens. The token file (`serve --auth FILE`) holds only SHA-256
//! digests of tokens, never tokens:
//!
//! ```toml
//! [[token]]
//! role = "operator"      # operator | auditor | subscriber | subsidy_office
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
    /// Reads coverage and the feed (hospital settlement).
    Subscriber,
    /// An employment office: sends the subsidy commands only (`grant_subsidy`,
    /// `revoke_subsidy`, `pay_subsidy`, R16), and reads coverage, the region month
    /// reports (the subsidies accrued, paid and owed) and the feed. A subsidy office's
    /// probe found no role between a subscriber, who cannot grant, and the operator,
    /// who can also withdraw any member or close a month.
    SubsidyOffice,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Operator,
        Role::Auditor,
        Role::Subscriber,
        Role::SubsidyOffice,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Auditor => "auditor",
            Role::Subscriber => "subscriber",
            Role::SubsidyOffice => "subsidy_office",
        }
    }

    /// The commands, by the contract's names, a token of this role may send
    /// (`POST /v1/commands`, whose route admits the operator and the subsidy office);
    /// `None`: every command. One list, for the check and for what a refusal names.
    pub fn commands(self) -> Option<&'static [&'static str]> {
        match self {
            Role::Operator => None,
            Role::SubsidyOffice => Some(&SUBSIDY_OFFICE_COMMANDS),
            Role::Auditor | Role::Subscriber => Some(&[]),
        }
    }

    /// Whether a token of this role may send the command named `name` (its
    /// `"command"` field, read before the rest of it: [`Role::commands`]).
    pub fn may_send(self, name: &str) -> bool {
        self.commands().is_none_or(|names| names.contains(&name))
    }
}

/// The commands a subsidy office may send (R16).
pub const SUBSIDY_OFFICE_COMMANDS: [&str; 3] = ["grant_subsidy", "revoke_subsidy", "pay_subsidy"];

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

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.by_digest.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }
}

/// A token a request was let in with, kept in the request's extensions so that a feed
/// stream, which outlives its request, can end when the token is revoked.
#[derive(Clone, Copy, Debug)]
pub struct Presented {
    digest: Sha256,
    role: Role,
}

/// The tokens a running server takes. `serve --auth FILE` reads FILE again on SIGHUP and
/// replaces them whole (a file that cannot be used leaves them as they were), so that an
/// operator can revoke a leaked token without a restart, which would end every feed
/// stream and keep clients out while the store opens again.
#[derive(Debug)]
pub struct LiveTokens {
    current: std::sync::RwLock<std::sync::Arc<Tokens>>,
    /// Counts replacements: open feed streams watch it to end when their token goes.
    replaced: tokio::sync::watch::Sender<u64>,
}

impl Presented {
    pub fn role(&self) -> Role {
        self.role
    }
}

impl LiveTokens {
    pub fn new(tokens: Tokens) -> LiveTokens {
        LiveTokens {
            current: std::sync::RwLock::new(std::sync::Arc::new(tokens)),
            replaced: tokio::sync::watch::Sender::new(0),
        }
    }

    fn now(&self) -> std::sync::Arc<Tokens> {
        // OK because a writer holds the lock only to swap an Arc, which cannot panic;
        // were it poisoned, the table inside is still whole.
        let current = self
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        current.clone()
    }

    /// The token's role now, and what to keep of it for [`Self::holds`].
    pub fn presented(&self, token: &str) -> Option<Presented> {
        let digest = Sha256::of(token.as_bytes());
        let role = self.now().by_digest.get(&digest).copied()?;
        Some(Presented { digest, role })
    }

    /// Whether the token is still taken, with the same role.
    pub fn holds(&self, presented: &Presented) -> bool {
        self.now().by_digest.get(&presented.digest) == Some(&presented.role)
    }

    /// Takes `tokens` instead of those before, for every request from now on; open
    /// feed streams whose token is gone, or has another role, end.
    pub fn replace(&self, tokens: Tokens) {
        let tokens = std::sync::Arc::new(tokens);
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = tokens;
        self.replaced.send_modify(|count| *count += 1);
    }

    /// Changes each time the tokens are replaced.
    pub fn replacements(&self) -> tokio::sync::watch::Receiver<u64> {
        self.replaced.subscribe()
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
        let tokens = LiveTokens::new(tokens);
        let presented = tokens
            .presented("op-secret")
            .map(|presented| presented.role());
        assert_eq!(presented, Some(Role::Operator));
    }
}
