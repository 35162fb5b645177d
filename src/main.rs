//! The `flexledger` binary: everything lives in the library; see `flexledger --help`.
fn main() -> std::process::ExitCode {
    flexledger::cli::forget_empty_settings();
    flexledger::cli::ignore_file_size_limit_signal();
    // Parsed here only for the data directory a storage engine panic is reported
    // against; `cli::main` parses again and reports bad arguments.
    if let Ok(cli) = flexledger::cli::try_parse() {
        flexledger::cli::exit_on_engine_panic("flexledger", cli.data_dir);
    }
    flexledger::cli::main()
}

// jemalloc, not the platform's malloc (docs/DECISIONS.md D43).
flexledger::jemalloc_allocator!();
