//! `flexledger-audit whatif`: the same events replayed under another policy.
//! (Being written.)

use crate::store::EventStore;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct WhatIfArgs {}

/// Runs the what-if and prints its report (JSON with `json`).
pub fn command(
    store: &dyn EventStore,
    args: &WhatIfArgs,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let _ = (store, args, json, out);
    anyhow::bail!("whatif is not built yet")
}
