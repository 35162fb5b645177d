//! One build-time fact for the tests: whether the headless-Chromium audit page test
//! (`tests/it/audit_timeline.rs`) can run here. libtest decides "ignored" when it is
//! compiled, not when it runs, so the test is marked ignored, with its reason, by
//! `cfg(flexledger_no_chromium)` when `/usr/bin/chromium` is missing, and never when
//! `CI` is set: there a missing browser fails the test instead of skipping it (`.ci/run`
//! installs Debian's chromium).

/// Where the test finds the browser (Debian's `chromium` package).
const CHROMIUM: &str = "/usr/bin/chromium";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(flexledger_no_chromium)");
    println!("cargo::rerun-if-env-changed=CI");
    // The directory, not the file: cargo reruns a build script on every build while a
    // path it watches does not exist, and each rerun rebuilds the crate.
    println!("cargo::rerun-if-changed=/usr/bin");
    let ci = std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "0" | "false"));
    if !ci && !std::path::Path::new(CHROMIUM).exists() {
        println!("cargo::rustc-cfg=flexledger_no_chromium");
    }
}
