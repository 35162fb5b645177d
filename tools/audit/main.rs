//! The `flexledger-audit` binary: everything lives in the library (`flexledger::audit`);
//! see `flexledger-audit --help`.
fn main() -> std::process::ExitCode {
    flexledger::audit::cli::main()
}
