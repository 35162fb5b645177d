//! flexledger: an event-sourced contribution ledger for flexible employees who pay
//! China's basic medical insurance in their own name.
//!
//! # Layout
//! - [`domain`]: the pure core — months, money, policies, commands, events, `decide`,
//!   the fold (`LedgerState::apply`) and the member coverage projection. No I/O.
//! - [`codec`]: where a stored event's bytes are defined — the stored payload types of
//!   each schema version (`codec::v1`), converted to and from the domain's events,
//!   and reading dispatched on the envelope's `schema_version`.
//! - [`i18n`]: what people read, in their language — the message catalog (`locales/`,
//!   Project Fluent, compiled in), `Language` and its negotiation (flag, environment,
//!   `Accept-Language`), and refusals rendered from their data. Uses only the domain.
//! - [`store`]: the store's traits by job (the log, state rows, feed rows, audit
//!   checkpoints) and their two implementations: sled, embedded (append-only log,
//!   stream index, permanent command-id index, fsync-backed durability), and
//!   PostgreSQL (one transaction per append, an advisory lock for the one writer, a
//!   pool of connections for readers); each with a read-only handle type.
//! - [`ledger`]: the shell joining them — group commit of decided commands, state
//!   rebuilt from the log on open, reads folded from stored events.
//! - [`feed`]: the feed of appended events and coverage changes — its messages and
//!   ids, catch-up from the store, then live.
//! - [`writer`]: group commit — one writer thread owning the ledger, fed by a bounded
//!   queue, one durable append for whatever commands are waiting; it publishes what
//!   it appended to the feed.
//! - [`error`]: the library's one error type for its callers, `Error` with `kind()`:
//!   every layer's own error converts into it, and `kind_of` classifies any error chain.
//! - [`audit`]: what an auditor checks the ledger with — Merkle trees, signed
//!   checkpoints and proofs, bundles, a member's history, replay, explanations, the
//!   timeline, what-if — and, above them, the `flexledger-audit` command line.
//! - [`backup`]: backup and restore, built on the audit bundles.
//! - [`http`]: the HTTP API and the SSE feed (`flexledger serve`).
//! - [`cli`]: the `flexledger` command line (argument parsing and output only).
//! - `shell_support`: what the shells share about the terminal (`-` for standard
//!   input or output, progress bars, a closed pipe); it uses nothing else of the crate.
//!
//! The layers, from the bottom: domain; codec and i18n; store; ledger, feed and writer; audit and backup;
//! the shells (cli, http, the audit command line). Each uses only itself and the
//! layers under it, and `shell_support` is under all of them (`tests/it/layers.rs`
//! fails otherwise).

pub mod audit;
pub mod backup;
pub mod cli;
pub mod codec;
pub mod domain;
pub mod error;
pub mod feed;
pub mod http;
pub mod i18n;
pub mod ledger;
pub(crate) mod shell_support;
pub mod store;
pub mod writer;

#[doc(hidden)]
pub use tikv_jemallocator;

/// The `malloc_conf` of the binaries' jemalloc (D43): one arena, and freed pages
/// returned to the system by jemalloc's background thread about a second after
/// they are freed (dirty pages after 1 s, none kept "muzzy"). With jemalloc's
/// default of 8 arenas per core, a server that closed a month of 1,000,000 members
/// held 234 MiB after it against 195 before; with these, 199 against 175 (glibc:
/// 207 against 184); `tools/close-bench.sh`.
///
/// `tcache_max:262144`: each thread keeps freed blocks of up to 256 KiB for reuse
/// (jemalloc's default is 32 KiB). sled reads every page it pulls from disk into a
/// new zeroed buffer (`calloc`), a leaf of the log's blocks is 64–128 KiB, and a
/// zeroed block of that size taken from the arena is zeroed by `madvise`: a system
/// call, a TLB shootdown on the other core and a page fault for every page written
/// again, ~10% of a rebuild's reading threads. Taken from the thread's cache, it is
/// zeroed by `memset`.
pub const JEMALLOC_CONF: &[u8] =
    b"narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0,tcache_max:262144\0";
// jemalloc reads a C string: it must end with its NUL.
const _: () = assert!(JEMALLOC_CONF[JEMALLOC_CONF.len() - 1] == 0);

/// Makes jemalloc the binary's allocator, configured by [`JEMALLOC_CONF`] (D43): each
/// binary invokes it once at its top level. A macro, because a global allocator and
/// jemalloc's configuration symbol belong to the binary, not to the library (whose
/// tests keep the platform's allocator).
#[macro_export]
macro_rules! jemalloc_allocator {
    () => {
        #[cfg(not(target_env = "msvc"))]
        #[global_allocator]
        static ALLOCATOR: $crate::tikv_jemallocator::Jemalloc = $crate::tikv_jemallocator::Jemalloc;

        /// Read by jemalloc when it starts (its `malloc_conf`, under the prefix of
        /// the `tikv-jemalloc-sys` build): a pointer to a C string's first byte.
        #[cfg(not(target_env = "msvc"))]
        #[export_name = "_rjem_malloc_conf"]
        pub static JEMALLOC_MALLOC_CONF: &u8 = &$crate::JEMALLOC_CONF[0];
    };
}
