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
//! `Replicated` is the other shape: a primary and a synchronous hot standby on loopback
//! TCP, one pair per test (a failover test crashes one), with the same watchdog;
//! `TlsServer` a cluster on loopback that takes TLS connections only.
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
    /// PostgreSQL's server binaries.
    bin: PathBuf,
    /// A test's own cluster (`own_cluster`): stopped and removed when dropped.
    owned: bool,
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The cluster, started on first use; `None` (after saying why) when PostgreSQL is not
/// installed and `CI` is not set.
pub fn cluster() -> Option<&'static Cluster> {
    CLUSTER
        .get_or_init(|| available_bin_dir().map(|bin| Cluster::start(&bin)))
        .as_ref()
}

/// A cluster of the calling test's own (socket only, like `cluster()`'s), which it may
/// stop and start again, or configure: stopped and removed when dropped. `None` (after
/// saying why) where `cluster()` would be.
pub fn own_cluster() -> Option<Cluster> {
    let mut own = Cluster::start(&available_bin_dir()?);
    own.owned = true;
    Some(own)
}

/// PostgreSQL's server binaries; `None` (after saying why) when they are not
/// installed and `CI` is not set.
fn available_bin_dir() -> Option<PathBuf> {
    match find_bin_dir() {
        Some(bin) => Some(bin),
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
    }
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

/// A new temp dir named after `template` (`/tmp/NAME.XXXXXX`), owned by the cluster's
/// user (who must own its clusters' directories).
fn cluster_temp_dir(template: &str) -> PathBuf {
    PathBuf::from(run(
        as_cluster_user(Path::new("mktemp")).args(["-d", template]),
        "mktemp (as the cluster's user)",
    ))
}

/// `initdb` of a new cluster in `data` (superuser `postgres`, trusted local logins).
fn initdb(bin: &Path, data: &Path) {
    run(
        as_cluster_user(&bin.join("initdb"))
            .arg("-D")
            .arg(data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]),
        "initdb",
    );
}

impl Cluster {
    fn start(bin: &Path) -> Cluster {
        let dir = cluster_temp_dir("/tmp/flexledger-pg.XXXXXX");
        let data = dir.join("data");
        initdb(bin, &data);
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
        Cluster {
            dir,
            bin: bin.to_path_buf(),
            owned: false,
        }
    }

    /// The directory of the cluster's Unix socket (its `host` in a URL).
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    fn pg_ctl(&self, args: &[&str]) {
        run(
            as_cluster_user(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.dir.join("data"))
                .arg("-l")
                .arg(self.dir.join("server.log"))
                .args(args)
                .stdout(Stdio::null()),
            &format!("pg_ctl {args:?}"),
        );
    }

    /// Stops the cluster (fast shutdown: every session is ended).
    pub fn stop(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "stop"]);
    }

    /// Sends `signal` (`STOP`, `CONT`) to the cluster's server and each of its
    /// backends: stopped, a database that takes connections and answers nothing.
    pub fn signal_all(&self, signal: &str) {
        let pid_file = std::fs::read_to_string(self.dir.join("data").join("postmaster.pid"))
            .expect("the cluster runs");
        let server = pid_file.lines().next().expect("its pid").trim().to_owned();
        // The server first, then the children it has: a child it forked between a
        // listing and the signal went on running (a CI run saw a frozen cluster answer
        // five reads through a connection opened just then).
        let kill = |pids: &[String]| {
            let status = Command::new("kill")
                .arg(format!("-{signal}"))
                .args(pids)
                .status()
                .expect("kill runs");
            assert!(status.success(), "kill -{signal} {pids:?}");
        };
        kill(std::slice::from_ref(&server));
        let mut pids = Vec::new();
        for entry in std::fs::read_dir("/proc").expect("/proc is read").flatten() {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // `pid (name) state ppid …`: the name may hold spaces, not ')'.
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1));
            if parent == Some(server.as_str()) {
                pids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        if !pids.is_empty() {
            kill(&pids);
        }
    }

    /// Starts the cluster again after `stop`.
    pub fn start_again(&self) {
        self.pg_ctl(&["-w", "start"]);
    }

    /// Makes role `user` log in through the socket only with `password` (SCRAM; every
    /// other role stays trusted): what a password file or `PGPASSWORD` is tested
    /// against.
    pub fn require_password(&self, user: &str, password: &str) {
        let mut admin = ::postgres::Client::connect(&self.url("postgres"), ::postgres::NoTls)
            .expect("the test cluster accepts connections");
        admin
            .batch_execute(&format!(
                "SET password_encryption = 'scram-sha-256'; \
                 CREATE ROLE {user} LOGIN CREATEDB PASSWORD '{password}'"
            ))
            .expect("a role with a password is created");
        let hba = self.dir.join("data").join("pg_hba.conf");
        let rest = std::fs::read_to_string(&hba).expect("pg_hba.conf is read");
        std::fs::write(&hba, format!("local all {user} scram-sha-256\n{rest}"))
            .expect("pg_hba.conf is written");
        admin
            .batch_execute("SELECT pg_reload_conf()")
            .expect("the server reloads its configuration");
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

/// Starts the watchdog (module docs) for the cluster in `dir/data`.
fn start_watchdog(bin: &Path, dir: &Path) {
    start_watchdog_of(bin, dir, &["data"]);
}

/// Starts the watchdog (module docs) for the clusters in `dir/NAME`, one per name: in
/// a session of its own, stdio closed (it must not hold a test harness's pipes open).
fn start_watchdog_of(bin: &Path, dir: &Path, data_dirs: &[&str]) {
    let stop = if as_root() {
        "runuser -u postgres -- \"$1/pg_ctl\""
    } else {
        "\"$1/pg_ctl\""
    };
    let stops: String = data_dirs
        .iter()
        .map(|name| format!("{stop} -D \"$2/{name}\" -m immediate -w stop >/dev/null 2>&1; "))
        .collect();
    let script =
        format!("while kill -0 \"$0\" 2>/dev/null; do sleep 1; done; {stops}rm -rf \"$2\"");
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

/// A primary and its synchronous hot standby on loopback TCP (the production shape
/// of `docs/deploy.md` and `tools/pg-replicas.sh`, on one machine): both clusters in
/// one temp dir (`primary/`, `standby/`, their logs), each on a port picked free when
/// it starts, the standby cloned with `pg_basebackup -R`, and the primary's
/// `synchronous_standby_names` naming it with `synchronous_commit = remote_apply`: a
/// commit returns once the standby has applied it. One pair per test (a failover ends
/// it); stopped and removed when dropped, and by a watchdog (module docs) if the test
/// process dies first.
pub struct Replicated {
    bin: PathBuf,
    dir: PathBuf,
    /// The primary's port (the writer's server).
    pub primary_port: u16,
    /// The standby's port (read-only servers; the primary after `promote_standby`).
    pub standby_port: u16,
}

/// The standby's name, as the primary's `synchronous_standby_names` lists it (the
/// standby sends it as its `cluster_name`).
pub const STANDBY_NAME: &str = "standby1";
/// Attempts to start a cluster on a port picked free (another process may take it
/// between the pick and the bind).
const PORT_ATTEMPTS_MAX: u32 = 5;
/// How long the standby may take to report itself synchronous.
const STANDBY_SYNC_SECONDS_MAX: u64 = 60;

/// The settings both clusters start from (the standby's copy comes with its base
/// backup); `docs/deploy.md` says why each matters.
fn replicated_conf(dir: &Path) -> String {
    format!(
        "\n# tests/it/support/postgres.rs: a primary and a synchronous hot standby on loopback.\n\
         listen_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nunix_socket_permissions = 0700\n\
         max_connections = 100\nfsync = on\nfull_page_writes = on\nwal_level = replica\n\
         max_wal_senders = 4\nwal_keep_size = '256MB'\nhot_standby = on\nhot_standby_feedback = on\n\
         synchronous_commit = remote_apply\ncluster_name = 'primary'\n",
        dir.display()
    )
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("a bound address").port()
}

fn append(path: &Path, text: &str) {
    let mut all = std::fs::read_to_string(path).unwrap_or_default();
    all.push_str(text);
    std::fs::write(path, all).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

impl Replicated {
    /// Starts the pair; `None` (after saying why) without PostgreSQL's binaries and
    /// without `CI`, as `cluster()`.
    pub fn start() -> Option<Replicated> {
        let bin = available_bin_dir()?;
        let dir = cluster_temp_dir("/tmp/flexledger-pg-pair.XXXXXX");
        start_watchdog_of(&bin, &dir, &["primary", "standby"]);
        let mut pair = Replicated {
            bin,
            dir,
            primary_port: 0,
            standby_port: 0,
        };
        initdb(&pair.bin, &pair.data("primary"));
        append(
            &pair.data("primary").join("postgresql.conf"),
            &replicated_conf(&pair.dir),
        );
        pair.primary_port = pair.start_on_free_port("primary");
        pair.clone_standby();
        pair.standby_port = pair.start_on_free_port("standby");
        // Named only now, in the primary's own auto.conf: the standby's copy of the
        // settings must not wait for a standby of its own once promoted.
        // (ALTER SYSTEM cannot share a transaction, even an implicit one.)
        pair.sql_on_primary(&format!(
            "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 ({STANDBY_NAME})'"
        ));
        pair.sql_on_primary("SELECT pg_reload_conf()");
        pair.wait_until_synchronous();
        Some(pair)
    }

    fn data(&self, node: &str) -> PathBuf {
        self.dir.join(node)
    }

    fn pg_ctl(&self, node: &str, args: &[&str]) -> Command {
        pg_ctl(&self.bin, &self.dir, node, args)
    }

    fn start_on_free_port(&self, node: &str) -> u16 {
        start_on_free_port(&self.bin, &self.dir, node)
    }

    /// The standby: a base backup of the primary with `-R` (standby.signal and
    /// `primary_conninfo`), named `STANDBY_NAME`.
    fn clone_standby(&self) {
        run(
            as_cluster_user(&self.bin.join("pg_basebackup"))
                .args([
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                    "-R",
                ])
                .arg("-p")
                .arg(self.primary_port.to_string())
                .arg("-D")
                .arg(self.data("standby")),
            "pg_basebackup",
        );
        append(
            &self.data("standby").join("postgresql.conf"),
            &format!("cluster_name = '{STANDBY_NAME}'\n"),
        );
    }

    fn wait_until_synchronous(&self) {
        let deadline =
            std::time::Instant::now() + std::time::Duration::from_secs(STANDBY_SYNC_SECONDS_MAX);
        let query = format!(
            "SELECT count(*) FROM pg_stat_replication WHERE application_name = '{STANDBY_NAME}' AND sync_state = 'sync'"
        );
        while std::time::Instant::now() < deadline {
            let mut client = self.admin(self.primary_port);
            if client.query_one(&query, &[]).unwrap().get::<_, i64>(0) == 1 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the standby never became synchronous");
    }

    /// A client of the `postgres` database on `port`.
    pub fn admin(&self, port: u16) -> ::postgres::Client {
        ::postgres::Client::connect(&self.url(port, "postgres"), ::postgres::NoTls)
            .expect("the cluster accepts connections")
    }

    fn sql_on_primary(&self, sql: &str) {
        self.admin(self.primary_port)
            .batch_execute(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error:?}"));
    }

    /// The URL of `database` on the cluster at `port`, over loopback TCP.
    pub fn url(&self, port: u16, database: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{port}/{database}")
    }

    /// Creates `database` on the primary (the standby has it once this returns:
    /// `remote_apply`).
    pub fn create_database(&self, database: &str) {
        self.sql_on_primary(&format!("CREATE DATABASE {database}"));
    }

    /// Runs `pg_ctl ARGS` on `node`, which must succeed (`what` names it if not).
    fn pg_ctl_must(&self, node: &str, args: &[&str], what: &str) {
        let status = self.pg_ctl(node, args).status();
        assert!(status.is_ok_and(|status| status.success()), "{what}");
    }

    /// The primary as after a crash: `pg_ctl stop -m immediate` (every backend quits
    /// at once, nothing flushed beyond what was; the server would recover from WAL).
    pub fn crash_primary(&self) {
        let args = ["-m", "immediate", "-w", "stop"];
        self.pg_ctl_must("primary", &args, "pg_ctl stop -m immediate");
    }

    /// Stops the standby (fast shutdown).
    pub fn stop_standby(&self) {
        let args = ["-m", "fast", "-w", "stop"];
        self.pg_ctl_must("standby", &args, "pg_ctl stop (standby)");
    }

    /// Starts the standby again on its port (it reconnects to the primary and catches up).
    pub fn restart_standby(&self) {
        self.pg_ctl_must("standby", &["-w", "start"], "pg_ctl start (standby)");
    }

    /// Promotes the standby to primary (`pg_ctl promote -w`: returns once it takes writes).
    pub fn promote_standby(&self) {
        self.pg_ctl_must("standby", &["-w", "promote"], "pg_ctl promote");
    }
}

/// `pg_ctl ARGS` for the cluster in `dir/node`, logging to `dir/node.log`.
fn pg_ctl(bin: &Path, dir: &Path, node: &str, args: &[&str]) -> Command {
    let mut command = as_cluster_user(&bin.join("pg_ctl"));
    command
        .arg("-D")
        .arg(dir.join(node))
        .arg("-l")
        .arg(dir.join(format!("{node}.log")))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Starts the cluster in `dir/node` on a port picked free, retrying if another
/// process took it first; returns the port.
fn start_on_free_port(bin: &Path, dir: &Path, node: &str) -> u16 {
    for _ in 0..PORT_ATTEMPTS_MAX {
        let port = free_port();
        append(
            &dir.join(node).join("postgresql.conf"),
            &format!("port = {port}\n"),
        );
        let started = pg_ctl(bin, dir, node, &["-w", "start"]).status();
        if started.is_ok_and(|status| status.success()) {
            return port;
        }
    }
    let log = std::fs::read_to_string(dir.join(format!("{node}.log"))).unwrap_or_default();
    panic!("{node} did not start on a free port: {log}");
}

/// A cluster on loopback TCP that takes TLS connections only (`hostssl`; plain TCP is
/// rejected by its pg_hba.conf), with a self-signed certificate for the address
/// 127.0.0.1 alone, made by `openssl` as it starts; database `ledger`. What
/// `sslmode=require&sslrootcert=…` is tested against. Stopped and removed when
/// dropped, and by a watchdog (module docs) if the test process dies first.
pub struct TlsServer {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
}

impl TlsServer {
    /// Starts it; `None` (after saying why) without PostgreSQL's binaries and without
    /// `CI`, as `cluster()`.
    pub fn start() -> Option<TlsServer> {
        let bin = available_bin_dir()?;
        let dir = cluster_temp_dir("/tmp/flexledger-pg-tls.XXXXXX");
        start_watchdog(&bin, &dir);
        let data = dir.join("data");
        initdb(&bin, &data);
        run(
            as_cluster_user(Path::new("openssl"))
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                ])
                .args([
                    "-subj",
                    "/CN=127.0.0.1",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                ])
                .arg("-keyout")
                .arg(data.join("server.key"))
                .arg("-out")
                .arg(data.join("server.crt"))
                .stderr(Stdio::null()),
            "openssl req (a self-signed server certificate)",
        );
        run(
            as_cluster_user(Path::new("chmod"))
                .arg("600")
                .arg(data.join("server.key")),
            "chmod the server's key",
        );
        append(
            &data.join("postgresql.conf"),
            &format!(
                "\n# tests/it/support/postgres.rs: TLS only, on loopback.\n\
                 listen_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
                 unix_socket_permissions = 0700\nssl = on\nssl_cert_file = 'server.crt'\n\
                 ssl_key_file = 'server.key'\n",
                dir.display()
            ),
        );
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
        )
        .expect("pg_hba.conf written");
        let port = start_on_free_port(&bin, &dir, "data");
        let server = TlsServer { bin, dir, port };
        ::postgres::Client::connect(
            &format!(
                "host={} port={} user=postgres dbname=postgres",
                server.dir.display(),
                server.port
            ),
            ::postgres::NoTls,
        )
        .and_then(|mut admin| admin.batch_execute("CREATE DATABASE ledger"))
        .expect("database ledger created through the socket");
        Some(server)
    }

    /// The server's certificate (its own CA), PEM.
    pub fn certificate(&self) -> PathBuf {
        self.dir.join("data").join("server.crt")
    }

    /// The URL of database `ledger` at `host` (and this port), with `query` appended.
    pub fn url(&self, host: &str, query: &str) -> String {
        format!("postgresql://postgres@{host}:{}/ledger{query}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.owned {
            let _ = as_cluster_user(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.dir.join("data"))
                .args(["-m", "immediate", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = pg_ctl(
            &self.bin,
            &self.dir,
            "data",
            &["-m", "immediate", "-w", "stop"],
        )
        .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Replicated {
    fn drop(&mut self) {
        for node in ["standby", "primary"] {
            if self.data(node).join("postmaster.pid").exists() {
                let _ = self
                    .pg_ctl(node, &["-m", "immediate", "-w", "stop"])
                    .status();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
