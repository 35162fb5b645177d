//! The `flexledger-audit` binary: everything lives in the library (`flexledger::audit`);
//! see `flexledger-audit --help`.
fn main() -> std::process::ExitCode {
    flexledger::cli::forget_empty_settings();
    flexledger::cli::ignore_file_size_limit_signal();
    // Parsed here only for the data directory a storage engine panic is reported
    // against; `audit::cli::main` parses again and reports bad arguments.
    if let Ok(cli) = flexledger::audit::cli::try_parse() {
        flexledger::cli::exit_on_engine_panic("flexledger-audit", cli.data_dir);
    }
    flexledger::audit::cli::main()
}

// jemalloc, not the platform's malloc (docs/DECISIONS.md D43).
flexledger::jemalloc_allocator!();
