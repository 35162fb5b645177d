//! `flexledger-audit timeline` and `GET /v1/members/{id}/timeline.svg`: a member's
//! months as a picture. (Being written.)

use crate::audit::history::MemberHistory;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Writes the member's timeline SVG to `svg` and reports where (JSON with `json`).
pub fn command(
    history: &MemberHistory,
    svg: &Path,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let _ = (history, svg, json, out);
    anyhow::bail!("timeline is not built yet")
}
