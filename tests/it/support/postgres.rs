//! One throwaway PostgreSQL cluster per test process, started when a test first asks
//! for a database, and a fresh database for every test that asks.
//!
//! The cluster lives in a temp dir: `initdb` there (as the `postgres` user when the
//! tests run as root: initdb refuses root), no TCP listener at all
//! (`listen_addresses = ''`), its Unix socket in that dir, so it takes no port and two
//! test processes never meet. `fsync` stays on (the engine's durability is what
//! PostgreSQL's defaults give).
//!
//! Teardown: a watchdog shell started with the cluster, in a session of its own, polls
//! this process (`kill -0`) once a second and, when it is gone, stops the cluster
//! (`pg_ctl stop -m immediate`) and removes the dir. Not `PR_SET_PDEATHSIG`: that
//! signal follows the *thread* that spawned the child, and the test thread that first
//! starts the cluster ends long before the process does; and a watchdog also cleans up
//! after a `SIGKILL` or a Ctrl-C of the whole process group (its own session keeps it
//! out of that group).
//!
//! Without PostgreSQL's binaries a test that needs them prints why and passes, unless
//! `CI` is set: then it fails, naming the package to install.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// A running cluster.
pub struct Cluster {
    /// The temp dir: `data/` (the cluster), the socket, `server.log`.
    dir: PathBuf,
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The cluster, started on first use; `None` (after saying why) when PostgreSQL is not
/// installed and `CI` is not set.
pub fn cluster() -> Option<&'static Cluster> {
    CLUSTER
        .get_or_init(|| match find_bin_dir() {
            Some(bin) => Some(Cluster::start(&bin)),
            None if std::env::var_os("CI").is_some() => panic!(
                "PostgreSQL's server binaries (initdb, pg_ctl) are not installed, and CI is set: \
                 install Debian's package (apt-get install -y postgresql)"
            ),
            None => {
                eprintln!(
                    "skipping the PostgreSQL tests: no initdb under /usr/lib/postgresql/*/bin or on PATH \
                     (apt-get install -y postgresql to run them)"
                );
                None
            }
        })
        .as_ref()
}

/// The newest `/usr/lib/postgresql/N/bin` with `initdb`, else the directory of
/// `initdb` on `PATH`.
fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
}

/// Whether this process runs as root (then the cluster runs as `postgres`).
fn as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `program` run as the cluster's user.
fn as_cluster_user(program: &Path) -> Command {
    if as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command, what: &str) -> String {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

impl Cluster {
    fn start(bin: &Path) -> Cluster {
        let dir = PathBuf::from(run(
            as_cluster_user(Path::new("mktemp")).args(["-d", "/tmp/flexledger-pg.XXXXXX"]),
            "mktemp (as the cluster's user)",
        ));
        let data = dir.join("data");
        run(
            as_cluster_user(&bin.join("initdb"))
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]),
            "initdb",
        );
        let conf = format!(
            "\n# tests/it/support/postgres.rs: a throwaway cluster, reached only through its socket.\n\
             listen_addresses = ''\nunix_socket_directories = '{}'\nunix_socket_permissions = 0700\n\
             max_connections = 200\nfsync = on\nsynchronous_commit = on\n",
            dir.display()
        );
        let conf_path = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf_path).unwrap();
        text.push_str(&conf);
        std::fs::write(&conf_path, text).unwrap();
        start_watchdog(bin, &dir);
        run(
            as_cluster_user(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-w", "start"])
                .stdout(Stdio::null()),
            "pg_ctl start",
        );
        Cluster { dir }
    }

    /// A URL of `database` in this cluster (through its socket, as `postgres`).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql:///{database}?host={}&user=postgres",
            self.dir.display()
        )
    }

    /// A new, empty database (not migrated); returns its URL.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "flexledger_test_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = ::postgres::Client::connect(&self.url("postgres"), ::postgres::NoTls)
            .expect("the test cluster accepts connections");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a test database is created");
        self.url(&name)
    }
}

/// Starts the watchdog (module docs): in a session of its own, stdio closed (it must
/// not hold a test harness's pipes open).
fn start_watchdog(bin: &Path, dir: &Path) {
    let stop = if as_root() {
        "runuser -u postgres -- \"$1/pg_ctl\""
    } else {
        "\"$1/pg_ctl\""
    };
    let script = format!(
        "while kill -0 \"$0\" 2>/dev/null; do sleep 1; done; \
         {stop} -D \"$2/data\" -m immediate -w stop >/dev/null 2>&1; rm -rf \"$2\""
    );
    let mut watchdog = Command::new("sh");
    watchdog
        .arg("-c")
        .arg(script)
        .arg(std::process::id().to_string())
        .arg(bin)
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe, as pre_exec requires.
    unsafe {
        watchdog.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    // Never waited for: it outlives this process by design (it is what notices its end).
    #[allow(clippy::zombie_processes)]
    watchdog.spawn().expect("the cluster's watchdog starts");
}
