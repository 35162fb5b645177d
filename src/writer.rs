//! Group commit: one writer thread owns the `Ledger`; any number of callers (tokio
//! tasks, HTTP handlers, the `submit` command) hand it commands through a bounded
//! queue. The writer takes whatever is waiting (up to `APPEND_BATCH_COMMANDS_MAX`
//! commands), decides them in arrival order against current state, writes them in one
//! atomic append (on sled one batch with one flush and one fsync; on PostgreSQL one
//! transaction, durable when its COMMIT returns), and only then answers each caller.
//! A command refused inside a batch never affects its neighbours.

use crate::domain::{CommandEnvelope, Refusal};
use crate::feed::Broadcast;
use crate::ledger::{
    Appended, AppendingError, Ledger, LedgerError, Sources, Stepped, APPEND_BATCH_COMMANDS_MAX,
};
use crate::store::{CommandResult, EventStore};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The next request; while a month close is in progress (and none is waiting),
/// records its chunks one at a time in between, so the close finishes in the
/// background and requests wait at most one chunk. `None` once every sender is gone.
fn next_request<S: EventStore>(
    receiver: &mut mpsc::Receiver<Request>,
    ledger: &mut Ledger<S>,
    sources: &mut dyn Sources,
    feed: Option<&Broadcast>,
    live: &WriterCounters,
) -> Option<Request> {
    loop {
        // Once `failed` is set (a failed append, or a read that met damage: D61),
        // nothing more is appended, a close's chunks included.
        let stopped = ledger.is_poisoned() || live.failed.load(Ordering::SeqCst);
        if stopped || ledger.closes_in_progress().next().is_none() {
            return receiver.blocking_recv();
        }
        match receiver.try_recv() {
            Ok(request) => return Some(request),
            Err(mpsc::error::TryRecvError::Disconnected) => return None,
            Err(mpsc::error::TryRecvError::Empty) => {}
        }
        let appended = match ledger.close_step(sources) {
            Ok(Stepped { appended, .. }) => {
                live.appends.fetch_add(1, Ordering::Relaxed);
                appended
            }
            Err(AppendingError { error, appended }) => {
                tracing::error!(%error, "recording a month close's chunk failed; the ledger stops taking commands");
                live.stop_for(&WriterError::failed(&error));
                *appended
            }
        };
        publish(feed, &appended);
    }
}

/// Publishes what was appended to the feed, if there is one.
fn publish(feed: Option<&Broadcast>, appended: &Appended) {
    if let Some(feed) = feed {
        crate::feed::publish(feed, appended);
    }
}

/// How often `serve` asks an idle writer whether its store still takes its appends
/// (`WriterHandle::check`): a PostgreSQL writer's lock ends with its session, which a
/// restart of the server ends without a word, and a writer that noticed only at its
/// next command kept answering reads (and `/healthz`) as if all were well.
pub const WRITER_CHECK_INTERVAL_SECONDS: u64 = 2;

/// Requests waiting for the writer; callers beyond this wait to enqueue (backpressure).
pub const WRITER_QUEUE_REQUESTS_MAX: usize = 1024;

/// The commands of one request, as parsed (a parse failure passes through as its refusal).
pub type Commands = Vec<Result<CommandEnvelope, Refusal>>;

#[derive(Debug, Clone)]
pub enum WriterError {
    /// Why, in English, and as a catalog sentence when it is a full disk (which names
    /// the path to free), for a reader of another language (`WriterError::failed`).
    /// The damage the failure met, if it met damage: kept so that a shell says it as
    /// damage (exit 1, the position named, the store marked, D61), as a command run
    /// without the writer thread does (found by a probe: `submit` on a damaged row
    /// exited 2, "could not run").
    Failed(
        String,
        Option<Box<crate::i18n::Sentence>>,
        Option<std::sync::Arc<crate::store::StoreError>>,
    ),
    Stopped,
}

impl std::fmt::Display for WriterError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriterError::Failed(why, _, _) => write!(formatter, "the ledger writer failed: {why}"),
            WriterError::Stopped => formatter.write_str("the ledger writer has stopped"),
        }
    }
}

/// By hand, not derived: the damage is the source as the `StoreError` itself (an
/// `Arc`'s own `Error` would hide it from the shells' downcasts).
impl std::error::Error for WriterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriterError::Failed(_, _, Some(damage)) => {
                let damage: &crate::store::StoreError = damage;
                Some(damage)
            }
            _ => None,
        }
    }
}

struct Request {
    commands: Commands,
    /// Members to bring up to date with their region's month close in progress
    /// before anything is read of them (`Ledger::bring_members_up_to_date`).
    touch: Vec<uuid::Uuid>,
    reply: oneshot::Sender<Result<Vec<CommandResult>, WriterError>>,
}

/// Counters of what the writer did, for benchmarks, metrics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Durable appends (each: one sled batch, one flush, one fsync).
    pub appends: u64,
    /// Commands decided (accepted, refused or duplicate).
    pub commands: u64,
    /// Requests answered.
    pub requests: u64,
}

/// Live counters of the writer, shared with `/metrics` (relaxed atomics: monotonic
/// totals, read independently).
#[derive(Debug, Default)]
pub struct WriterCounters {
    /// Durable appends (each one sled batch, one flush, one fsync).
    pub appends: AtomicU64,
    /// Group-commit batches (whatever was waiting, taken at once).
    pub batches: AtomicU64,
    /// Commands decided in those batches (so the mean batch is commands / batches).
    pub commands: AtomicU64,
    /// Time spent deciding and appending batches, in microseconds.
    pub batch_micros: AtomicU64,
    /// Set once an append failed: the ledger refuses further commands, and `serve`
    /// stops (its store may hold rows that are not durable); started again, it
    /// re-reads the durable log.
    pub failed: std::sync::atomic::AtomicBool,
    /// The damage an append met, if that is why it failed (position, finding): what
    /// `serve` marks its store with as it stops (D61), and says on standard error in
    /// the operator's language (the finding's sentence, where the catalog has one).
    pub damage: std::sync::Mutex<Option<(u64, crate::store::DamageDetail)>>,
    /// The sentence of the failure that stopped the writer, when a client may hear it
    /// (a full disk, naming the path to free: `WriterError::failed`): every later
    /// command is answered with it, not only the one whose append failed. An
    /// operator's probe (2026-12-05) filled the disk while a close recorded its chunks
    /// in the background, and every command after was told only "see the server's log".
    pub failure_said: std::sync::Mutex<Option<Box<crate::i18n::Sentence>>>,
}

impl WriterCounters {
    /// Stops the writer for `error`: nothing more is appended, and later commands are
    /// answered with its sentence, if it has one (`stopped`).
    fn stop_for(&self, error: &WriterError) {
        if let WriterError::Failed(_, Some(said), _) = error {
            let mut kept = self
                .failure_said
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            kept.get_or_insert_with(|| said.clone());
        }
        self.failed.store(true, Ordering::SeqCst);
    }

    /// What a command sent to the stopped writer is answered: the failure's sentence
    /// when it has one, else `WriterError::Stopped`.
    fn stopped(&self) -> WriterError {
        let kept = self
            .failure_said
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match kept.as_ref() {
            Some(said) => WriterError::Failed(
                "an earlier append failed".to_owned(),
                Some(said.clone()),
                None,
            ),
            None => WriterError::Stopped,
        }
    }

    /// Records the damage that stops the writer (position, finding), keeping the first:
    /// what `serve` marks its store with as it stops (D61). Set by a failed append
    /// here, and by a read that met damage (`http::record_found_damage`). True for the
    /// first finding: the one the server marks its store with, once, however many
    /// reads (feed subscribers catching up across one damaged row) meet it.
    pub fn record_damage(&self, position: u64, message: crate::store::DamageDetail) -> bool {
        let mut damage = self
            .damage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if damage.is_some() {
            return false;
        }
        *damage = Some((position, message));
        true
    }

    /// The damage that stopped the writer, if that is why it stopped.
    pub fn damage_found(&self) -> Option<(u64, crate::store::DamageDetail)> {
        self.damage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// A handle to the writer thread. Dropping every handle (or `shutdown`) stops it after
/// the queued requests are answered.
pub struct Writer<S: EventStore + Send + 'static> {
    sender: mpsc::Sender<Request>,
    counters: Arc<WriterCounters>,
    thread: std::thread::JoinHandle<(Ledger<S>, WriterStats)>,
}

impl<S: EventStore + Send + 'static> Writer<S> {
    pub fn start(ledger: Ledger<S>, sources: Box<dyn Sources + Send>) -> Writer<S> {
        Writer::start_with_feed(ledger, sources, None)
    }

    /// Like `start`, and publishes every appended envelope, once durable and in log
    /// order, to `feed` (a bounded broadcast: a lagging receiver learns it lagged).
    ///
    /// Without a feed the ledger keeps nothing it appends while the writer runs
    /// (`Ledger::set_keep_appended`): a month close recorded to the end within one
    /// `submit` would otherwise keep every event of it. The setting is restored when
    /// the writer stops.
    pub fn start_with_feed(
        mut ledger: Ledger<S>,
        mut sources: Box<dyn Sources + Send>,
        feed: Option<Broadcast>,
    ) -> Writer<S> {
        let (sender, mut receiver) = mpsc::channel::<Request>(WRITER_QUEUE_REQUESTS_MAX);
        let counters = Arc::new(WriterCounters::default());
        let live = counters.clone();
        crash_on_writer_panic();
        let thread = std::thread::Builder::new()
            .name(WRITER_THREAD_NAME.into())
            .spawn(move || {
                let kept = ledger.keeps_appended();
                ledger.set_keep_appended(feed.is_some());
                let stats = run_writer(
                    &mut ledger,
                    sources.as_mut(),
                    feed.as_ref(),
                    &mut receiver,
                    &live,
                );
                ledger.set_keep_appended(kept);
                (ledger, stats)
            })
            // OK because failing to start a thread at start-up leaves nothing to run.
            .expect("the writer thread starts");
        Writer {
            sender,
            counters,
            thread,
        }
    }

    /// Submits commands and waits until they are durable (or refused).
    pub async fn submit(&self, commands: Commands) -> Result<Vec<CommandResult>, WriterError> {
        submit_through(&self.sender, commands).await
    }

    /// Queues commands from a thread outside any async runtime; the receiver yields the
    /// results once durable. Lets a caller keep several requests in flight.
    pub fn enqueue_blocking(
        &self,
        commands: Commands,
    ) -> Result<oneshot::Receiver<Result<Vec<CommandResult>, WriterError>>, WriterError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .blocking_send(Request {
                commands,
                touch: Vec::new(),
                reply,
            })
            .map_err(|_| WriterError::Stopped)?;
        Ok(answer)
    }

    /// The writer's live counters (for metrics).
    pub fn counters(&self) -> Arc<WriterCounters> {
        self.counters.clone()
    }

    /// A second handle for another caller.
    pub fn sender(&self) -> WriterHandle {
        WriterHandle {
            sender: self.sender.clone(),
        }
    }

    /// Stops accepting, answers what is queued, and returns the ledger and counters.
    pub fn shutdown(self) -> (Ledger<S>, WriterStats) {
        drop(self.sender);
        // OK because a panic in the writer thread exits the process
        // (`crash_on_writer_panic`), so its join never sees one.
        self.thread
            .join()
            .expect("the writer thread does not panic")
    }
}

/// The writer thread's name, by which the panic hook knows it.
const WRITER_THREAD_NAME: &str = "flexledger-writer";

/// Makes a panic in a writer thread (a broken invariant) end the process, as a panic
/// on its main thread would (status 101): left running without its writer, a server
/// would go on answering reads, the feed and `/healthz` as if it could still record
/// commands, and those would wait or fail one by one. A hook, not `catch_unwind`:
/// it runs before the unwinding drops the request being decided, so no caller is
/// answered in between. Installed once per process, after the hook in place (which
/// prints the message, or reports the engine's panic as damage and exits 1); a
/// panic that `SledStore::open` catches and reports as an error unwinds as before.
fn crash_on_writer_panic() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            let caught = crate::store::sled_store::catching_engine_panic();
            if !caught && std::thread::current().name() == Some(WRITER_THREAD_NAME) {
                tracing::error!("the writer thread panicked (a broken invariant, above): exiting");
                std::process::exit(101);
            }
        }));
    });
}

/// A cloneable submitting handle (for tasks that must not own the `Writer`).
#[derive(Clone)]
pub struct WriterHandle {
    sender: mpsc::Sender<Request>,
}

impl WriterHandle {
    /// Asks the writer whether its store still takes its appends
    /// (`LogWriter::check_writer`): an error once it does not, after which the writer
    /// refuses every command (`WriterCounters::failed` is set, and `serve` stops).
    pub async fn check(&self) -> Result<(), WriterError> {
        submit_through(&self.sender, Vec::new()).await.map(drop)
    }

    /// Submits commands and waits until they are durable (or refused).
    pub async fn submit(&self, commands: Commands) -> Result<Vec<CommandResult>, WriterError> {
        submit_through(&self.sender, commands).await
    }

    /// Records a member's consequences of its region's month close in progress, and
    /// waits until they are durable: a reader asks before reading the member's rows.
    pub async fn bring_up_to_date(&self, member_id: uuid::Uuid) -> Result<(), WriterError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Request {
                commands: Vec::new(),
                touch: vec![member_id],
                reply,
            })
            .await
            .map_err(|_| WriterError::Stopped)?;
        answer.await.map_err(|_| WriterError::Stopped)?.map(|_| ())
    }
}

async fn submit_through(
    sender: &mpsc::Sender<Request>,
    commands: Commands,
) -> Result<Vec<CommandResult>, WriterError> {
    let (reply, answer) = oneshot::channel();
    sender
        .send(Request {
            commands,
            touch: Vec::new(),
            reply,
        })
        .await
        .map_err(|_| WriterError::Stopped)?;
    answer.await.map_err(|_| WriterError::Stopped)?
}

/// The writer thread: takes requests until every sender is gone, appends them in
/// batches, then finishes any month close left half recorded.
fn run_writer<S: EventStore>(
    ledger: &mut Ledger<S>,
    sources: &mut dyn Sources,
    feed: Option<&Broadcast>,
    receiver: &mut mpsc::Receiver<Request>,
    live: &WriterCounters,
) -> WriterStats {
    let mut stats = WriterStats::default();
    // A request that would overflow the batch waits for the next one, so a
    // batch is one append (up to APPEND_BATCH_COMMANDS_MAX commands) unless a
    // single request is larger.
    let mut carried: Option<Request> = None;
    loop {
        let first = match carried.take() {
            Some(request) => request,
            None => match next_request(receiver, ledger, sources, feed, live) {
                Some(request) => request,
                None => break,
            },
        };
        let batch = gather_batch(first, receiver, &mut carried);
        // `check`s alone are no batch of work: not counted in the metrics.
        let only_checks = batch
            .iter()
            .all(|request| request.commands.is_empty() && request.touch.is_empty());
        let started = std::time::Instant::now();
        let before = stats;
        let appended = write_batch(ledger, sources, batch, &mut stats, live);
        if !only_checks {
            count_batch(live, &before, &stats, ledger.is_poisoned(), started);
        }
        publish(feed, &appended);
    }
    let stopped = ledger.is_poisoned() || live.failed.load(Ordering::SeqCst);
    if !ledger.is_close_in_background() && !stopped {
        // `submit` leaves no close half recorded (a store opened with one
        // in progress, after a crash, is finished here even with no input).
        if let Err(error) = ledger.finish_closes(sources) {
            tracing::error!(%error, "recording the rest of a month close failed; it resumes when the ledger is next opened");
        }
    }
    stats
}

/// `first` and the requests already waiting behind it, up to
/// `APPEND_BATCH_COMMANDS_MAX` commands; the request that would overflow is `carried`
/// to the next batch.
fn gather_batch(
    first: Request,
    receiver: &mut mpsc::Receiver<Request>,
    carried: &mut Option<Request>,
) -> Vec<Request> {
    let mut count = first.commands.len();
    let mut batch = vec![first];
    while count < APPEND_BATCH_COMMANDS_MAX {
        match receiver.try_recv() {
            Ok(request) if count + request.commands.len() > APPEND_BATCH_COMMANDS_MAX => {
                *carried = Some(request);
                break;
            }
            Ok(request) => {
                count += request.commands.len();
                batch.push(request);
            }
            Err(_) => break,
        }
    }
    batch
}

/// Adds one batch's work, from `before` to `after`, to the live counters.
fn count_batch(
    live: &WriterCounters,
    before: &WriterStats,
    after: &WriterStats,
    poisoned: bool,
    started: std::time::Instant,
) {
    live.appends
        .fetch_add(after.appends - before.appends, Ordering::Relaxed);
    live.commands
        .fetch_add(after.commands - before.commands, Ordering::Relaxed);
    live.batches.fetch_add(1, Ordering::Relaxed);
    if poisoned {
        live.failed.store(true, Ordering::Relaxed);
    }
    live.batch_micros.fetch_add(
        u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
}

/// Decides and appends a batch of requests and answers each; returns what it appended
/// for the feed (nothing without one), to be published after the answers.
fn write_batch<S: EventStore>(
    ledger: &mut Ledger<S>,
    sources: &mut dyn Sources,
    batch: Vec<Request>,
    stats: &mut WriterStats,
    live: &WriterCounters,
) -> Appended {
    let failed = &live.failed;
    if failed.load(Ordering::SeqCst) {
        // Set by a failed append, or by a read that met damage in the store (D61): once
        // set, nothing more is appended, whoever set it.
        let stopped = live.stopped();
        for request in batch {
            let _ = request.reply.send(Err(stopped.clone()));
        }
        return Appended::default();
    }
    let mut sizes = Vec::with_capacity(batch.len());
    let mut replies = Vec::with_capacity(batch.len());
    let mut commands = Vec::new();
    let mut touch = Vec::new();
    for request in batch {
        sizes.push(request.commands.len());
        commands.extend(request.commands);
        touch.extend(request.touch);
        replies.push(request.reply);
    }
    let total = commands.len();
    if total == 0 && touch.is_empty() {
        // Only `check`s: nothing to append, one question to the store and one slice of
        // its log read back (`ledger/scrub.rs`).
        let checked = ledger.check_writer().map_err(|error| {
            tracing::error!(%error, "the store no longer takes this writer's appends, or its log no longer reads back intact; the ledger stops taking commands");
            // Damage the walk of the log found is reported as damage, as an append's is.
            if let Some(crate::store::StoreError::Corrupt { position, message }) = error.damage() {
                let _ = live.record_damage(position, message);
            }
            let error = WriterError::failed(&error);
            live.stop_for(&error);
            error
        });
        for reply in replies {
            let _ = reply.send(checked.clone().map(|()| Vec::new()));
        }
        return Appended::default();
    }
    let appends_before = ledger.appends();
    let (outcome, appended) = submit_batch(ledger, sources, &touch, commands);
    stats.appends += ledger.appends() - appends_before;
    stats.commands += total as u64;
    stats.requests += replies.len() as u64;
    match outcome {
        Ok(results) => {
            assert_eq!(results.len(), total, "one result per command");
            let mut results = results.into_iter();
            for (size, reply) in sizes.into_iter().zip(replies) {
                let _ = reply.send(Ok(results.by_ref().take(size).collect()));
            }
        }
        Err(error) => {
            tracing::error!(%error, "append failed; the ledger stops taking commands");
            if let Some(crate::store::StoreError::Corrupt { position, message }) = error.damage() {
                let _ = live.record_damage(position, message);
            }
            // Before anyone hears of the failure, so `/healthz` never says ok after a
            // caller was told an append failed.
            let error = WriterError::failed(&error);
            live.stop_for(&error);
            for reply in replies {
                let _ = reply.send(Err(error.clone()));
            }
        }
    }
    appended
}

/// Brings the `touch`ed members up to date, then decides and appends `commands`: their
/// results, or the failure that stopped them, and everything appended either way
/// (durable, so for the feed even after a failure), in log order.
fn submit_batch<S: EventStore>(
    ledger: &mut Ledger<S>,
    sources: &mut dyn Sources,
    touch: &[uuid::Uuid],
    commands: Commands,
) -> (Result<Vec<CommandResult>, LedgerError>, Appended) {
    let mut appended = match ledger.bring_members_up_to_date(touch, sources) {
        Ok(appended) => appended,
        Err(AppendingError { error, appended }) => return (Err(error), *appended),
    };
    let outcome = match ledger.submit(commands, sources) {
        Ok(submitted) => {
            appended.extend(submitted.appended);
            Ok(submitted.results)
        }
        Err(failed) => {
            appended.extend(*failed.appended);
            Err(failed.error)
        }
    };
    (outcome, appended)
}

impl From<LedgerError> for WriterError {
    fn from(error: LedgerError) -> WriterError {
        WriterError::failed(&error)
    }
}

impl WriterError {
    /// A failed append or check, with the sentence of the store's error in it, if any.
    fn failed(error: &LedgerError) -> WriterError {
        // Only a full disk is the client's to hear (it names the path an operator must
        // free); a store's URL, lock or damage finding stays in the server's log.
        let said = match error {
            LedgerError::Store(full @ crate::store::StoreError::DiskFull { .. }) => full.sentence(),
            _ => None,
        };
        let damage = error.damage().map(std::sync::Arc::new);
        WriterError::Failed(error.to_string(), said.map(Box::new), damage)
    }
}
