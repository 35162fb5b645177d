//! `flexledger serve`: wires the ledger, the writer, the feed and the HTTP app.

use super::SayContext;
use crate::http::auth::{Role, Tokens};
use crate::http::cors::CORS_ORIGINS_MAX;
use crate::http::ConnectionLimits;
use crate::i18n::{Language, Sentence};
use crate::ledger::SystemSources;
use crate::store::StoreError;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

/// The demo's tokens, kept in the data directory (mode 0600) so that a restarted demo
/// keeps them: an open browser page or feed keeps working. Demo only: real use names
/// `--auth FILE`, which holds digests, never tokens.
pub(crate) const DEMO_TOKENS_FILE: &str = "demo-tokens";
/// How often a running server looks whether its writer failed an append (then it
/// stops: see `serve`).
const WRITER_FAILURE_POLL_INTERVAL_MILLIS: u64 = 100;

/// One token per role: those the data directory keeps, and new ones for roles it has
/// none for (a first start, or a role added since), written back whole. A file that
/// exists but cannot be read is an error, never replaced: new tokens would lock out
/// every page and feed opened with the old ones.
fn demo_tokens(data_dir: &Path) -> anyhow::Result<Vec<(Role, String)>> {
    let path = data_dir.join(DEMO_TOKENS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            let args = vec![("path", path.display().to_string())];
            return Err(super::said_context(
                error,
                "cli-demo-tokens-unreadable",
                args,
            ));
        }
    };
    let kept = |role: Role| {
        let prefix = format!("{}-", role.name());
        text.lines()
            .map(str::trim)
            .find(|line| line.len() > prefix.len() && line.starts_with(&prefix))
            .map(str::to_owned)
    };
    let tokens: Vec<(Role, Option<String>)> = Role::ALL
        .into_iter()
        .map(|role| (role, kept(role)))
        .collect();
    if tokens.iter().all(|(_, token)| token.is_some()) {
        return Ok(tokens
            .into_iter()
            .filter_map(|(role, token)| Some((role, token?)))
            .collect());
    }
    if !text.is_empty() {
        tracing::warn!(path = %path.display(), "the demo tokens file lacks some roles; adding new tokens for them");
    }
    let tokens: Vec<(Role, String)> = tokens
        .into_iter()
        .map(|(role, token)| {
            let token = token
                .unwrap_or_else(|| format!("{}-{}", role.name(), uuid::Uuid::new_v4().simple()));
            (role, token)
        })
        .collect();
    let text: String = tokens
        .iter()
        .map(|(_, token)| format!("{token}\n"))
        .collect();
    write_private_file(&path, text.as_bytes()).say_context("cli-demo-tokens-unwritable", || {
        vec![("path", path.display().to_string())]
    })?;
    Ok(tokens)
}

/// Writes `bytes` to `path` readable by its owner only, all or nothing: a temporary
/// file beside it, synced, renamed over it, and the directory synced, so a crash
/// leaves the old file or the new one, never half of one.
fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary)?;
    #[cfg(unix)]
    {
        // A temporary file left by an older run keeps its mode; set it again.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)?;
    if let Some(directory) = path.parent() {
        std::fs::File::open(directory)?.sync_all()?;
    }
    Ok(())
}

/// How `serve` was asked to run, besides where its ledger is.
pub struct ServeArgs<'a> {
    pub listen: &'a str,
    /// Where `/healthz` alone is answered too (`--health-listen`), if anywhere.
    pub health_listen: Option<&'a str>,
    pub auth: Option<&'a Path>,
    pub demo: bool,
    pub cors_origins: &'a [axum::http::HeaderValue],
    /// Serve reads only (`--read-only`): no writer, commands answered with 503.
    pub read_only: bool,
    /// Where the writer is, named in a read-only server's 503 (`--writer-url`).
    pub writer_url: Option<&'a str>,
    /// The language of what the server says on standard error as it stops.
    pub language: crate::i18n::Language,
}

type LedgerWriter = crate::writer::Writer<crate::store::AnyStore>;
/// The demo's tokens, printed when the server starts.
type DemoTokens = Vec<(Role, String)>;

/// What runs beside the HTTP server and stops after it: the ledger's writer, or a
/// read-only server's feed follower.
enum Beside {
    Writer(LedgerWriter),
    Follower(crate::feed::Follower),
}

pub fn serve(place: &crate::store::Place, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if args.cors_origins.len() > CORS_ORIGINS_MAX {
        let args = vec![
            ("max", CORS_ORIGINS_MAX.to_string()),
            ("given", args.cors_origins.len().to_string()),
        ];
        return Err(Sentence::new("cli-cors-origins-too-many", args).into());
    }
    let tokens = match args.auth {
        Some(path) => Tokens::load(path)?,
        None if args.demo => Tokens::default(),
        None => return Err(crate::i18n::Sentence::new("cli-serve-needs-auth", Vec::new()).into()),
    };
    let listener = bind(args.listen)?;
    let health_listener = args.health_listen.map(bind).transpose()?;
    let reachable = (listener.local_addr()).is_ok_and(|address| !address.ip().is_loopback());
    if args.demo && args.auth.is_none() && reachable {
        // A security probe's demo listened on 0.0.0.0 without a word.
        tracing::warn!(
            listen = args.listen,
            "--demo on an address other machines can reach: its tokens are printed and kept in the data directory, and the server speaks plain HTTP. Use --auth, behind a TLS proxy, for anything but a machine of your own"
        );
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (beside, state, printed_tokens) = if args.read_only {
        let (follower, state) = start_reader(place, args, tokens, stopped)?;
        (Beside::Follower(follower), state, Vec::new())
    } else {
        let (writer, state, printed) = start_writer(place, args, tokens, stopped)?;
        (Beside::Writer(writer), state, printed)
    };
    let counters = state.writer_counters.clone();
    // Standard input cannot be read again: such a server keeps its tokens to the end.
    let token_file = (args.auth).filter(|path| !crate::shell_support::stdio::is_stdio(path));
    let said = (&printed_tokens[..], args.language);
    let listeners = (listener, health_listener);
    let served = run_server(listeners, state, said, token_file, stop);
    match beside {
        Beside::Writer(writer) => {
            // Answers whatever is still queued, then the ledger (and its store) close.
            let (ledger, stats) = writer.shutdown();
            for closing in ledger.closes_in_progress() {
                tracing::warn!(region = %closing.region, month = %closing.month, done = closing.members_done, total = closing.members_total, "stopped in the middle of a month close: the rest is recorded by the next command that opens the store to write, or any of `flexledger` that opens it alone (not `serve --read-only`, not the audit tools), each consequence once");
            }
            // The live count: it has the month closes' chunks too, which the writer
            // records between requests.
            tracing::info!(
                appends = counters.appends.load(Ordering::Relaxed),
                commands = stats.commands,
                "stopped"
            );
        }
        Beside::Follower(follower) => follower.stop(),
    }
    served?;
    if counters.failed.load(Ordering::SeqCst) {
        // An append that met damage marks the store as any command's finding does, so
        // that a restart takes no writes on it before a `verify` (D61).
        if let Some((position, message)) = counters.damage_found() {
            let said = (message.to_string(), Some(message.report(position)));
            let marked = super::mark_place_of(place);
            super::mark_damage(&marked, "flexledger serve", Some(position), said);
            // Damage, said as damage (exit 1, with the advice), not as a failed append.
            return Err(StoreError::Corrupt { position, message }.into());
        }
        // The cause, where the writer kept its sentence (a full disk, a file size
        // limit): the error lines above it are the log's, in English.
        let cause = (counters.failure_said.lock())
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let said = match cause {
            Some(cause) => crate::i18n::Sentence::new("cli-serve-writer-stopped-because", vec![])
                .with_said("cause", *cause),
            None => crate::i18n::Sentence::new("cli-serve-writer-stopped", vec![]),
        };
        return Err(said.into());
    }
    Ok(ExitCode::SUCCESS)
}

/// Binds the address to listen on, before the store opens: a bad address or a port in
/// use stops here, before a demo seeds a new data directory.
fn bind(listen: &str) -> anyhow::Result<std::net::TcpListener> {
    let bound = std::net::TcpListener::bind(listen)
        .and_then(|listener| listener.set_nonblocking(true).map(|()| listener));
    if let Err(error) = &bound {
        // What to do, not only the system's words ("invalid socket address").
        let id = match error.kind() {
            std::io::ErrorKind::AddrInUse => Some("cli-listen-in-use"),
            std::io::ErrorKind::InvalidInput => Some("cli-listen-not-an-address"),
            std::io::ErrorKind::AddrNotAvailable => Some("cli-listen-not-this-machine"),
            std::io::ErrorKind::PermissionDenied => Some("cli-listen-denied"),
            _ => None,
        };
        if let Some(id) = id {
            let args = vec![("listen", listen.to_owned())];
            return Err(crate::i18n::Sentence::new(id, args).into());
        }
    }
    bound.say_context("cli-cannot-listen", || vec![("listen", listen.to_owned())])
}

/// How long the writer may take to answer its periodic check before the server gives
/// up on its store. A check waits behind whatever the writer is doing: a batch of
/// commands or a chunk of a month close takes seconds at most, and the longest, a
/// `close_month`'s own append, walks every member of its region once (under a
/// minute for a province of a million members here), so only a store that stops
/// answering takes this long.
pub const WRITER_CHECK_ANSWER_SECONDS_MAX: u64 = 120;

/// Asks the writer every `WRITER_CHECK_INTERVAL_SECONDS` whether its store still
/// takes its appends, until it does not (the writer then sets `failed`, and the
/// server stops as after a failed append, D48) or the writer is gone.
///
/// A writer that does not answer within `WRITER_CHECK_ANSWER_SECONDS_MAX` is stuck in
/// a call its store never answers: an operator's probe froze PostgreSQL (SIGSTOP),
/// and commands and reads waited without end while `/healthz` said ok and nothing was
/// logged. The server then exits at once (2), saying why: the writer cannot be
/// stopped or joined while it waits, and nothing it has not answered was
/// acknowledged (a command is answered once it is durable; one the store took
/// meanwhile is there for a resend with its command_id to find).
async fn check_writer_periodically(writer: crate::writer::WriterHandle, language: Language) {
    let interval = std::time::Duration::from_secs(crate::writer::WRITER_CHECK_INTERVAL_SECONDS);
    let answer_max = std::env::var("FLEXLEDGER_WRITER_CHECK_ANSWER_MS")
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map_or(
            std::time::Duration::from_secs(WRITER_CHECK_ANSWER_SECONDS_MAX),
            std::time::Duration::from_millis,
        );
    loop {
        tokio::time::sleep(interval).await;
        match tokio::time::timeout(answer_max, writer.check()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return,
            Err(_) => {
                let seconds = answer_max.as_secs_f64().ceil().to_string();
                tracing::error!(%seconds, "the writer has not answered its check: its store does not answer; exiting");
                let said = crate::i18n::say(
                    language,
                    "cli-serve-store-not-answering",
                    &[("seconds", crate::i18n::text(seconds))],
                );
                crate::shell_support::say_on_stderr!(
                    "{}",
                    super::program_said("flexledger", &said, language)
                );
                std::process::exit(2);
            }
        }
    }
}

/// Resolves once the writer has failed an append (`WriterCounters::failed`, polled:
/// it is set once and never cleared).
async fn writer_failure(counters: &crate::writer::WriterCounters) {
    while !counters.failed.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(
            WRITER_FAILURE_POLL_INTERVAL_MILLIS,
        ))
        .await;
    }
}

/// A read-only server's state: a reader on the store and a feed follower.
fn start_reader(
    place: &crate::store::Place,
    args: &ServeArgs,
    tokens: Tokens,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<(crate::feed::Follower, crate::http::AppState)> {
    if args.demo {
        return Err(Sentence::new("cli-demo-read-only", vec![]).into());
    }
    // The writer's head witness, when this server is given its data directory (D86):
    // a database rolled back behind it is not served as the ledger.
    let witness = super::PgWitness::read(place)?;
    let reader = place
        .store
        .open_read_only()
        .say_context("cli-cannot-open-ledger", || {
            vec![("store", place.store.to_string())]
        })?;
    witness.check(&reader)?;
    // A data directory is this server's alone while it runs, so rows another build
    // wrote there stay so: every read of them would be 503 until a restart (D89).
    if let crate::store::Location::Sled(_) = place.store {
        let id = "cli-read-only-rows-another-format";
        super::refuse_rows_of_another_format_saying(&place.store, &reader, id)?;
    }
    let (follower, state) = crate::http::start_read_only(
        reader,
        &place.data_dir,
        tokens,
        args.cors_origins,
        stopped,
        args.writer_url,
    )?;
    note_a_mark_found_before(place, &state);
    Ok((follower, state))
}

/// A read-only server on a store already marked as found damaged (D61) answers what it
/// can, as after damage found by one of its own reads, and its `/healthz` says
/// `store_damaged` from the start: a newcomer's probe saw it answer ok on a marked
/// store, which a load balancer would keep sending traffic to.
fn note_a_mark_found_before(place: &crate::store::Place, state: &crate::http::AppState) {
    let path = super::mark_place_of(place).path();
    let Ok(Some(found)) = crate::store::damage_mark::read_at(&path) else {
        return;
    };
    let detail = match found.finding() {
        Some(finding) => crate::store::DamageDetail::from(finding.clone()),
        None => crate::store::DamageDetail::from(found.message.clone()),
    };
    state
        .writer_counters
        .record_damage(found.position.unwrap_or(0), detail);
    tracing::warn!(mark = %path.display(), found_by = %found.found_by, found_at = %found.found_at,
        "this store is marked as found damaged: reads go on, and /healthz answers 503 store_damaged until a verify that passes removes the mark and the server is restarted");
}

/// The writer's state: the ledger opened for writing (seeded with the demo if asked),
/// handed to the writer; and the demo tokens to print, if any.
fn start_writer(
    place: &crate::store::Place,
    args: &ServeArgs,
    mut tokens: Tokens,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<(LedgerWriter, crate::http::AppState, DemoTokens)> {
    let mut ledger = super::open_ledger(place).say_context("cli-cannot-open-ledger", || {
        vec![("store", place.store.to_string())]
    })?;
    // Read (or made) before the server starts, so a demo whose tokens cannot be read
    // stops here, having printed nothing.
    // A ledger with events and no demo tokens yet was not made by a demo.
    let not_a_demo = !place.data_dir.join(DEMO_TOKENS_FILE).exists()
        && crate::store::EventLog::head(ledger.store())?.0 != 0;
    let printed_tokens = if args.demo && args.auth.is_none() {
        demo_tokens(&place.data_dir)?
    } else {
        Vec::new()
    };
    if args.demo {
        if !printed_tokens.is_empty() && not_a_demo {
            // A security probe ran `--demo` on a production ledger without a word.
            tracing::warn!(
                data_dir = %place.data_dir.display(),
                "--demo on a ledger that holds events already: the demo's tokens, printed below and kept in the data directory, may write to it and read all of it. Use --auth for a real ledger"
            );
        }
        crate::http::seed_demo(&mut ledger, &mut SystemSources)?;
    }
    super::configure_close_chunks(&mut ledger);
    for (role, token) in &printed_tokens {
        tokens.insert(token, *role);
    }
    let (writer, state) = crate::http::start(
        ledger,
        &place.data_dir,
        Box::new(SystemSources),
        tokens,
        args.cors_origins,
        stopped,
    );
    Ok((writer, state, printed_tokens))
}

/// Serves `state` on `listener` until a signal, printing the address bound and any
/// demo tokens first.
fn run_server(
    (listener, health_listener): (std::net::TcpListener, Option<std::net::TcpListener>),
    state: crate::http::AppState,
    (printed_tokens, language): (&[(Role, String)], crate::i18n::Language),
    token_file: Option<&Path>,
    stop: tokio::sync::watch::Sender<bool>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if let Some(path) = token_file {
            // Listened for before the address is printed: from then on a SIGHUP
            // re-reads the file instead of ending the server.
            let hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
            let tokens = state.tokens.clone();
            tokio::spawn(reread_tokens_on_hangup(hangups, path.to_owned(), tokens));
        }
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let address = listener.local_addr()?;
        let health = health_listener.map(tokio::net::TcpListener::from_std).transpose()?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{address}")?;
        if let Some(health) = &health {
            writeln!(stdout, "healthz on http://{}/healthz", health.local_addr()?)?;
        }
        for (role, token) in printed_tokens {
            writeln!(stdout, "{} token: {token}", role.name())?;
        }
        stdout.flush()?;
        drop(stdout);
        if let Some(writer) = state.writer.clone() {
            tokio::spawn(check_writer_periodically(writer, language));
        }
        let counters = state.writer_counters.clone();
        let shutdown = async move {
            tokio::select! {
                () = wait_for_signal() => {
                    tracing::info!("shutting down: no new requests, finishing those in flight");
                }
                () = writer_failure(&counters) => {
                    if counters.damage_found().is_some() {
                        tracing::error!("the store is damaged: shutting down, so that nothing more is appended to it or read from it");
                    } else {
                        tracing::error!("an append failed: shutting down, so that nothing is read from rows that may not be durable");
                    }
                }
            }
            let _ = stop.send(true);
        };
        // The health server stops with the API's: once it is stopping.
        let health = health.map(|listener| {
            let mut stopping = state.shutdown.clone();
            let stopped = async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            };
            tokio::spawn(crate::http::run_health(listener, state.clone(), stopped))
        });
        crate::http::run(listener, state, connection_limits(), shutdown).await?;
        if let Some(health) = health {
            health.await??;
        }
        anyhow::Ok(())
    })
}

/// Reads the token file again at every SIGHUP and, if it can be used, takes its tokens
/// instead of those before (open feed streams of a token it no longer holds end). One
/// that cannot be used (unreadable, not TOML, no token, writable by anyone) is logged
/// and changes nothing: a typo must not lock every client out, nor let anyone in.
async fn reread_tokens_on_hangup(
    mut hangups: tokio::signal::unix::Signal,
    path: std::path::PathBuf,
    tokens: std::sync::Arc<crate::http::auth::LiveTokens>,
) {
    while hangups.recv().await.is_some() {
        let file = path.clone();
        let read = tokio::task::spawn_blocking(move || Tokens::load(&file)).await;
        match read {
            Ok(Ok(new)) => {
                let count = new.len();
                tokens.replace(new);
                // A warning, so that it is in the default log: who may call the server
                // changed.
                tracing::warn!(path = %path.display(), tokens = count, "SIGHUP: read the token file again; its tokens are the ones taken from now on, any other is refused and its open feed streams end");
            }
            Ok(Err(error)) => {
                tracing::error!(path = %path.display(), "SIGHUP: the token file cannot be used, so the tokens read before stay in force: {error:#}");
            }
            Err(error) => {
                tracing::error!(path = %path.display(), "SIGHUP: reading the token file failed, so the tokens read before stay in force: {error}");
            }
        }
    }
}

/// The documented limits; the tests lower them through undocumented variables:
/// `FLEXLEDGER_HEADER_READ_TIMEOUT_MS`, `FLEXLEDGER_IDLE_TIMEOUT_MS`,
/// `FLEXLEDGER_BODY_READ_TIMEOUT_MS`, `FLEXLEDGER_BODY_READ_TOTAL_MS` and
/// `FLEXLEDGER_CONNECTIONS_OPEN_MAX`.
fn connection_limits() -> ConnectionLimits {
    let number = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .filter(|number| *number > 0)
    };
    let millis = |name: &str| number(name).map(std::time::Duration::from_millis);
    let mut limits = ConnectionLimits::default();
    if let Some(timeout) = millis("FLEXLEDGER_HEADER_READ_TIMEOUT_MS") {
        limits.header_read_timeout = timeout;
    }
    if let Some(timeout) = millis("FLEXLEDGER_IDLE_TIMEOUT_MS") {
        limits.idle_timeout = timeout;
    }
    if let Some(timeout) = millis("FLEXLEDGER_BODY_READ_TIMEOUT_MS") {
        limits.body_read_timeout = timeout;
    }
    if let Some(deadline) = millis("FLEXLEDGER_BODY_READ_TOTAL_MS") {
        limits.body_read_total = deadline;
    }
    if let Some(cap) = number("FLEXLEDGER_CONNECTIONS_OPEN_MAX") {
        limits.connections_open_max = usize::try_from(cap)
            .unwrap_or(usize::MAX)
            .min(limits.connections_open_max);
    }
    limits
}

/// Waits for SIGTERM or Ctrl-C (SIGINT): how `serve` is asked to stop (`submit`,
/// `backup` and `restore` set a flag in the handler instead: `watch_for_interrupt`).
async fn wait_for_signal() {
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = wait_for_unix_signal(tokio::signal::unix::SignalKind::terminate()) => {}
    }
}

/// Returns when `kind` arrives; never, when it cannot be watched.
async fn wait_for_unix_signal(kind: tokio::signal::unix::SignalKind) {
    match tokio::signal::unix::signal(kind) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}
