//! The `flexledger` binary: everything lives in the library; see `flexledger --help`.
fn main() -> std::process::ExitCode {
    flexledger::cli::main()
}
