//! The password for a URL that gives none, found where libpq finds it (the `postgres`
//! crate reads neither `PGPASSWORD` nor a password file, so without this the README's
//! `~/.pgpass` and `PGPASSWORD` did nothing and the server's request for a password
//! failed as "invalid configuration").
//!
//! libpq's rules (PostgreSQL's documentation, *The Password File* and *Environment
//! Variables*; `passwordFromFile` in `fe-connect.c`), followed here:
//!
//! - a password in the URL wins; an empty one counts as none;
//! - else `PGPASSWORD`, unless empty;
//! - else the password file: `PGPASSFILE`, else `~/.pgpass` (`HOME`). A missing file is
//!   no password; a file that is not a plain file, or that its group or others may
//!   read, write or run (any of mode `0o077`), is ignored with a warning, as libpq does;
//! - its lines are `hostname:port:database:username:password`; the first line whose
//!   four fields all match gives the password. A field of exactly `*` matches anything;
//!   `\:` and `\\` stand for `:` and `\` (in the password too); a line starting with
//!   `#` is a comment; a line with fewer than five fields matches nothing;
//! - the host field is matched against the host as the URL gives it (a host name, an
//!   address, or a Unix socket's directory); for a socket in a default directory
//!   (`DEFAULT_SOCKET_DIRECTORIES`) `localhost` matches too. libpq has one default,
//!   chosen when it is built (`/tmp` upstream, `/var/run/postgresql` on Debian and Red
//!   Hat): flexledger takes both, so a line that works for `psql` works here;
//! - the port is the URL's, else 5432; the database the URL's, else the user's name;
//!   the user the URL's, else the user running flexledger (`USER`, else `LOGNAME`: the
//!   name the `postgres` crate sends).
//!
//! With several hosts in one URL, each host gets its own line, as libpq looks the file
//! up per host: when they differ, each host is tried with a config of its own
//! (`attempts`), since the crate's `Config` holds one password.

use ::postgres::config::Host;
use ::postgres::Config;
use std::path::{Path, PathBuf};

/// Unix socket directories for which a password file's `localhost` also matches
/// (module docs).
pub(crate) const DEFAULT_SOCKET_DIRECTORIES: [&str; 3] =
    ["/tmp", "/var/run/postgresql", "/run/postgresql"];

/// The port a URL without one reaches.
const PORT_DEFAULT: u16 = 5432;

/// Group and other permission bits: a password file with any of them is ignored.
const PASSWORD_FILE_SHARED_MODE_BITS: u32 = 0o077;

/// Where the password of a connection comes from: what a failed login names (never
/// the password itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PasswordSource {
    Url,
    Environment,
    File(PathBuf),
    /// None found: the server may not ask for one (peer or trust login).
    Nowhere,
}

/// What the lookup reads from the process's environment (a value, so tests can give
/// their own).
pub(crate) struct Environment {
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub os_user: Option<String>,
}

impl Environment {
    /// This process's: `PGPASSWORD`, `PGPASSFILE`, `HOME`, `USER` (else `LOGNAME`).
    pub(crate) fn current() -> Environment {
        let text = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        Environment {
            password: text("PGPASSWORD"),
            password_file: std::env::var_os("PGPASSFILE")
                .filter(|path| !path.is_empty())
                .map(PathBuf::from),
            home: std::env::var_os("HOME")
                .filter(|path| !path.is_empty())
                .map(PathBuf::from),
            os_user: text("USER").or_else(|| text("LOGNAME")),
        }
    }

    /// The password file libpq would read.
    fn password_file(&self) -> Option<PathBuf> {
        self.password_file
            .clone()
            .or_else(|| self.home.as_ref().map(|home| home.join(".pgpass")))
    }
}

/// The user `config` logs in as.
pub(crate) fn user_of(config: &Config, environment: &Environment) -> String {
    config
        .get_user()
        .map(str::to_owned)
        .or_else(|| environment.os_user.clone())
        .unwrap_or_default()
}

/// The configs to connect with, in the order to try them, each with the password
/// libpq would send to its host(s) and where that came from (module docs): the URL's
/// own config alone when every host gets the same password (or one from the URL or
/// `PGPASSWORD`, which libpq gives every host); else one single-host config per host,
/// each with its own line of the password file (or none). Why not one config: the
/// crate's holds one password, and sent the first host's line to every host.
pub(crate) fn attempts(
    mut config: Config,
    environment: &Environment,
) -> Vec<(Config, PasswordSource)> {
    if config
        .get_password()
        .is_some_and(|password| !password.is_empty())
    {
        return vec![(config, PasswordSource::Url)];
    }
    if let Some(password) = &environment.password {
        config.password(password.as_bytes());
        return vec![(config, PasswordSource::Environment)];
    }
    let Some(path) = environment.password_file() else {
        return vec![(config, PasswordSource::Nowhere)];
    };
    let Some(text) = readable_password_file(&path) else {
        return vec![(config, PasswordSource::Nowhere)];
    };
    let found = host_passwords(&config, environment, &text);
    if found.windows(2).all(|pair| pair[0] == pair[1]) {
        let password = found.into_iter().next().flatten();
        return vec![with_password(config, password, &path)];
    }
    found
        .into_iter()
        .enumerate()
        .map(|(index, password)| with_password(single_host(&config, index), password, &path))
        .collect()
}

/// The password file's password for each of `config`'s hosts, in order.
fn host_passwords(config: &Config, environment: &Environment, text: &str) -> Vec<Option<String>> {
    let user = user_of(config, environment);
    let database = config
        .get_dbname()
        .map_or_else(|| user.clone(), str::to_owned);
    config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(index, host)| {
            let wanted = Wanted {
                hosts: host_names(host),
                port: port_of(config, index).unwrap_or(PORT_DEFAULT).to_string(),
                database: database.clone(),
                user: user.clone(),
            };
            find_password(text, &wanted)
        })
        .collect()
}

/// The port of `config`'s host `index`: its own, else the one port given for all.
fn port_of(config: &Config, index: usize) -> Option<u16> {
    let ports = config.get_ports();
    ports.get(index).or_else(|| ports.first()).copied()
}

/// `config` with `password` from the password file at `path`, if one was found.
fn with_password(
    mut config: Config,
    password: Option<String>,
    path: &Path,
) -> (Config, PasswordSource) {
    match password {
        Some(password) => {
            config.password(password.into_bytes());
            (config, PasswordSource::File(path.to_path_buf()))
        }
        None => (config, PasswordSource::Nowhere),
    }
}

/// `config` reaching only its host `index` (with that host's address and port), every
/// other setting kept: `target_session_attrs` too, which the crate checks per host,
/// so trying these in turn is what its own walk over the hosts does.
fn single_host(config: &Config, index: usize) -> Config {
    let mut one = Config::new();
    if let Some(user) = config.get_user() {
        one.user(user);
    }
    if let Some(password) = config.get_password() {
        one.password(password);
    }
    if let Some(dbname) = config.get_dbname() {
        one.dbname(dbname);
    }
    if let Some(options) = config.get_options() {
        one.options(options);
    }
    if let Some(name) = config.get_application_name() {
        one.application_name(name);
    }
    match config.get_hosts().get(index) {
        Some(Host::Tcp(name)) => one.host(name),
        Some(Host::Unix(path)) => one.host_path(path),
        None => &mut one,
    };
    if let Some(address) = config.get_hostaddrs().get(index) {
        one.hostaddr(*address);
    }
    if let Some(port) = port_of(config, index) {
        one.port(port);
    }
    if let Some(timeout) = config.get_connect_timeout() {
        one.connect_timeout(*timeout);
    }
    if let Some(timeout) = config.get_tcp_user_timeout() {
        one.tcp_user_timeout(*timeout);
    }
    one.keepalives(config.get_keepalives())
        .keepalives_idle(config.get_keepalives_idle());
    if let Some(interval) = config.get_keepalives_interval() {
        one.keepalives_interval(interval);
    }
    if let Some(retries) = config.get_keepalives_retries() {
        one.keepalives_retries(retries);
    }
    one.ssl_mode(config.get_ssl_mode())
        .ssl_negotiation(config.get_ssl_negotiation())
        .target_session_attrs(config.get_target_session_attrs())
        .channel_binding(config.get_channel_binding())
        .load_balance_hosts(config.get_load_balance_hosts());
    one
}

/// The names a password file's host field may give for `host` (module docs).
fn host_names(host: &Host) -> Vec<String> {
    match host {
        Host::Tcp(name) => vec![name.clone()],
        Host::Unix(path) => {
            let text = path.to_string_lossy();
            let trimmed = match text.trim_end_matches('/') {
                "" => "/",
                trimmed => trimmed,
            };
            let mut names = vec![text.clone().into_owned()];
            if DEFAULT_SOCKET_DIRECTORIES.contains(&trimmed) {
                names.push("localhost".to_owned());
            }
            names
        }
    }
}

/// The file's text, or `None` (with a warning when it exists but cannot be used).
fn readable_password_file(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).ok()?;
    let shown = path.display();
    if !metadata.is_file() {
        tracing::warn!("the password file {shown} is not a plain file: ignored");
        return None;
    }
    if metadata.permissions().mode() & PASSWORD_FILE_SHARED_MODE_BITS != 0 {
        tracing::warn!(
            "the password file {shown} has group or world access: ignored (as libpq does); \
             make it u=rw (0600) or less: chmod 0600 {shown}"
        );
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) => {
            tracing::warn!("the password file {shown} cannot be read ({error}): ignored");
            None
        }
    }
}

/// What a password file's line must match.
struct Wanted {
    /// Any of these (a socket directory and `localhost`).
    hosts: Vec<String>,
    port: String,
    database: String,
    user: String,
}

/// The password of the first line of `text` that matches `wanted`.
fn find_password(text: &str, wanted: &Wanted) -> Option<String> {
    text.lines()
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .find_map(|line| {
            let fields = fields(line);
            let [host, port, database, user, password, ..] = fields.as_slice() else {
                return None;
            };
            let matches = |field: &Field, value: &str| field.any || field.text == value;
            let host_matches = wanted.hosts.iter().any(|name| matches(host, name));
            (host_matches
                && matches(port, &wanted.port)
                && matches(database, &wanted.database)
                && matches(user, &wanted.user))
            .then(|| password.text.clone())
        })
}

/// One field of a password file's line: its text with `\` escapes undone, and whether
/// it was exactly `*` (an escaped `\*` is a literal star).
struct Field {
    text: String,
    any: bool,
}

/// `line` split at every `:` that is not escaped.
fn fields(line: &str) -> Vec<Field> {
    let mut fields = Vec::new();
    let (mut text, mut raw) = (String::new(), String::new());
    let mut characters = line.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => {
                raw.push('\\');
                if let Some(escaped) = characters.next() {
                    raw.push(escaped);
                    text.push(escaped);
                }
            }
            ':' => {
                let any = raw == "*";
                fields.push(Field {
                    text: std::mem::take(&mut text),
                    any,
                });
                raw.clear();
            }
            other => {
                raw.push(other);
                text.push(other);
            }
        }
    }
    let any = raw == "*";
    fields.push(Field { text, any });
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(hosts: &[&str], port: &str, database: &str, user: &str) -> Wanted {
        Wanted {
            hosts: hosts.iter().map(|host| (*host).to_owned()).collect(),
            port: port.to_owned(),
            database: database.to_owned(),
            user: user.to_owned(),
        }
    }

    #[test]
    fn the_first_matching_line_gives_the_password_with_its_escapes_undone() {
        let file = "# a comment: *:*:*:*:never\n\
                    db.example:5432:other:ledger:not-this-database\n\
                    db.example:5432:ledger:ledger:pa\\:ss\\\\word\n\
                    *:*:*:*:fallback\n";
        let at =
            |host: &str, user: &str| find_password(file, &wanted(&[host], "5432", "ledger", user));
        assert_eq!(at("db.example", "ledger").as_deref(), Some("pa:ss\\word"));
        assert_eq!(at("other.example", "ledger").as_deref(), Some("fallback"));
        assert_eq!(at("db.example", "auditor").as_deref(), Some("fallback"));
    }

    #[test]
    fn a_star_matches_anything_only_as_a_whole_unescaped_field() {
        let file = "h:\\*:db:u:literal-star\nh:5*:db:u:prefix\nh:*:db:u:any\n";
        let on = |port: &str| find_password(file, &wanted(&["h"], port, "db", "u"));
        assert_eq!(on("*").as_deref(), Some("literal-star"));
        assert_eq!(on("5432").as_deref(), Some("any"));
    }

    #[test]
    fn a_line_of_fewer_than_five_fields_matches_nothing_and_crlf_is_a_line_end() {
        let file = "*:*:*:*\r\n*:*:*:*:\r\n";
        let found = find_password(file, &wanted(&["h"], "1", "d", "u"));
        assert_eq!(
            found.as_deref(),
            Some(""),
            "an empty password is a password"
        );
        assert_eq!(
            find_password("*:*:*:*\n", &wanted(&["h"], "1", "d", "u")),
            None
        );
    }

    #[test]
    fn a_socket_in_a_default_directory_also_matches_localhost() {
        let names = |path: &str| host_names(&Host::Unix(PathBuf::from(path)));
        assert_eq!(
            names("/var/run/postgresql/"),
            ["/var/run/postgresql/", "localhost"]
        );
        assert_eq!(names("/tmp"), ["/tmp", "localhost"]);
        assert_eq!(names("/srv/pg"), ["/srv/pg"]);
        assert_eq!(host_names(&Host::Tcp("localhost".into())), ["localhost"]);
    }

    fn environment(password: Option<&str>, file: Option<&Path>) -> Environment {
        Environment {
            password: password.map(str::to_owned),
            password_file: file.map(Path::to_path_buf),
            home: None,
            os_user: Some("osuser".to_owned()),
        }
    }

    #[test]
    fn the_url_wins_then_pgpassword_then_the_file_and_a_shared_file_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        // The user and database default to the user running flexledger.
        std::fs::write(&file, "localhost:5433:osuser:osuser:from-file\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let url = "postgresql:///?host=/tmp&port=5433";
        let complete_with = |url: &str, environment: &Environment| {
            let config: Config = url.parse().unwrap();
            let [(config, source)]: [(Config, PasswordSource); 1] =
                attempts(config, environment).try_into().unwrap();
            (source, config.get_password().map(<[u8]>::to_vec))
        };
        let in_url = complete_with(
            "postgresql://u:secret@h/db",
            &environment(Some("env"), Some(&file)),
        );
        assert_eq!(in_url, (PasswordSource::Url, Some(b"secret".to_vec())));
        let from_env = complete_with(url, &environment(Some("env"), Some(&file)));
        assert_eq!(
            from_env,
            (PasswordSource::Environment, Some(b"env".to_vec()))
        );
        let from_file = complete_with(url, &environment(None, Some(&file)));
        assert_eq!(
            from_file,
            (
                PasswordSource::File(file.clone()),
                Some(b"from-file".to_vec())
            )
        );
        let other_port = complete_with(
            url.replace("5433", "5434").as_str(),
            &environment(None, Some(&file)),
        );
        assert_eq!(other_port, (PasswordSource::Nowhere, None));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let shared = complete_with(url, &environment(None, Some(&file)));
        assert_eq!(
            shared,
            (PasswordSource::Nowhere, None),
            "a group-readable file is ignored"
        );
    }

    #[test]
    fn each_host_gets_its_own_line_of_the_password_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "primary:5432:ledger:u:first\nstandby:5433:ledger:u:second\n*:5434:*:*:any\n",
        )
        .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let tried = |url: &str| -> Vec<(String, Option<Vec<u8>>, PasswordSource)> {
            attempts(url.parse().unwrap(), &environment(None, Some(&file)))
                .into_iter()
                .map(|(config, source)| {
                    let hosts = format!("{:?} {:?}", config.get_hosts(), config.get_ports());
                    (hosts, config.get_password().map(<[u8]>::to_vec), source)
                })
                .collect()
        };
        let from_file = PasswordSource::File(file.clone());
        let url = "postgresql://u@primary:5432,standby:5433,third:5435/ledger?target_session_attrs=read-write";
        assert_eq!(
            tried(url),
            [
                (
                    r#"[Tcp("primary")] [5432]"#.to_owned(),
                    Some(b"first".to_vec()),
                    from_file.clone()
                ),
                (
                    r#"[Tcp("standby")] [5433]"#.to_owned(),
                    Some(b"second".to_vec()),
                    from_file.clone()
                ),
                (
                    r#"[Tcp("third")] [5435]"#.to_owned(),
                    None,
                    PasswordSource::Nowhere
                ),
            ]
        );
        // One password for all: the URL's config as it is, every host in it.
        assert_eq!(
            tried("postgresql://u@a:5434,b:5434/ledger"),
            [(
                r#"[Tcp("a"), Tcp("b")] [5434, 5434]"#.to_owned(),
                Some(b"any".to_vec()),
                from_file
            )]
        );
    }

    #[test]
    fn a_single_host_config_keeps_every_other_setting() {
        let url = "postgresql://u:pw@h1:5432,h2:5433/db?options=-c%20x%3D1&application_name=app\
                   &sslmode=disable&connect_timeout=7&tcp_user_timeout=3&keepalives=0\
                   &keepalives_idle=9&target_session_attrs=read-write&channel_binding=disable\
                   &load_balance_hosts=random&hostaddr=10.0.0.1,10.0.0.2";
        let config: Config = url.parse().unwrap();
        let second = single_host(&config, 1);
        let expected: Config = url
            .replace("h1:5432,h2:5433", "h2:5433")
            .replace("10.0.0.1,10.0.0.2", "10.0.0.2")
            .parse()
            .unwrap();
        assert_eq!(format!("{second:?}"), format!("{expected:?}"));
        assert_eq!(second.get_password(), Some(&b"pw"[..]));
        assert_eq!(second.get_ssl_negotiation(), expected.get_ssl_negotiation());
    }
}
