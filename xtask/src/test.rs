//! `cargo xtask test`: formatting and lints, unit tests, a short fuzz run, then up + image, then the end-to-end
//! tests against the real daemons. On failure, prints the tail of each daemon log.

use crate::{fuzz, image, logs, up};
use anyhow::{Context, Result};
use gostage_support::cmd;
use gostage_support::config::{bin_dir, workspace_root};
use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// Arguments for the end-to-end test binaries (e.g. a test name filter).
    #[arg(last = true)]
    pub e2e_args: Vec<String>,
}

/// Inputs per fuzz target in `cargo xtask test`.
const SHORT_FUZZ_RUNS: u64 = 50_000;

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

/// The checks that need no daemon: formatting, clippy (warnings are errors), unit tests.
fn static_checks() -> Result<()> {
    cmd::run_inherit(cargo().args(["fmt", "--all", "--", "--check"]))
        .context("the code is not formatted as rustfmt formats it: run `cargo fmt --all`")?;
    cmd::run_inherit(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
    .context("clippy reports warnings (shown above)")?;
    cmd::run_inherit(cargo().args([
        "test",
        "-p",
        "gostage",
        "-p",
        "xtask",
        "-p",
        "gostage-support",
    ]))
}

fn steps(args: &Args) -> Result<()> {
    up::run(&up::Args::default())?;
    image::run()?;
    let path = std::env::join_paths(std::iter::once(bin_dir()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    cmd::run_inherit(
        cargo()
            .env("GOSTAGE_E2E", "1")
            // anyhow backtraces would bury the build output in the failure messages.
            .env("RUST_LIB_BACKTRACE", "0")
            .env("PATH", path)
            .args([
                "test",
                "-p",
                "gostage-e2e",
                "--no-fail-fast",
                "--",
                "--test-threads=1",
            ])
            .args(&args.e2e_args),
    )
}

/// Runs every step; when a step after the static checks fails, prints the tails of the daemon
/// logs.
pub fn run(args: &Args) -> Result<()> {
    up::ensure_toolchains_on_path()?;
    static_checks()?;
    // A short fuzz run of every target (the unit tests replay the corpus; the long runs are
    // `cargo xtask fuzz --runs 10000000`).
    fuzz::run(&fuzz::Args {
        runs: SHORT_FUZZ_RUNS,
        targets: Vec::new(),
    })?;
    let result = steps(args);
    if result.is_err() {
        logs::print_tails(60);
    }
    result
}
