//! `cargo xtask fuzz`: every cargo-fuzz target of `fuzz/` under libFuzzer, seeded from
//! `fuzz/corpus/<target>/`, with limits per input (1 s, 64 MB per allocation); prints how
//! many inputs each target ran. New inputs libFuzzer finds go to a working corpus under
//! target/, so the corpus in the repository stays small; an input that fails is kept in
//! `fuzz/artifacts/<target>/` and named in the error.
//!
//! Installs cargo-fuzz (crates.io) when it is missing; needs the nightly toolchain (rustup).
//! Targets are built without a sanitizer: the code is safe Rust, so a sanitizer would only
//! slow the search for panics, timeouts and runaway memory.

use anyhow::{bail, Context, Result};
use gostage_support::cmd;
use gostage_support::config::workspace_root;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The cargo-fuzz release installed when none is on PATH.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

#[derive(clap::Args)]
pub struct Args {
    /// Inputs per target (libFuzzer's `-runs`).
    #[arg(long, default_value_t = 100_000)]
    pub runs: u64,
    /// Only these targets (repeat); default: every file of fuzz/fuzz_targets.
    #[arg(long = "target")]
    pub targets: Vec<String>,
}

/// The fuzz crate's directory.
fn fuzz_dir() -> PathBuf {
    workspace_root().join("fuzz")
}

/// The target names: the files of fuzz/fuzz_targets without `.rs`.
fn all_targets() -> Result<Vec<String>> {
    let directory = fuzz_dir().join("fuzz_targets");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&directory)
        .with_context(|| format!("cannot list {}", directory.display()))?
    {
        let path = entry?.path();
        if let Some(name) = path.file_stem().and_then(|stem| stem.to_str()) {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// cargo-fuzz, installed with `cargo install` when `cargo fuzz` is missing.
fn ensure_cargo_fuzz() -> Result<()> {
    if cmd::succeeds(Command::new("cargo").args(["fuzz", "--version"])) {
        return Ok(());
    }
    cmd::run_inherit(Command::new("cargo").args([
        "install",
        "cargo-fuzz",
        "--locked",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
    .context("cannot install cargo-fuzz")
}

/// One target's run.
pub struct Outcome {
    /// The target.
    pub target: String,
    /// Inputs executed (libFuzzer's `stat::number_of_executed_units`).
    pub runs: u64,
    /// Wall time of the run, building excluded.
    pub seconds: f64,
}

/// Runs every target (or those of `args`) and prints the counts.
///
/// Errors: cargo-fuzz cannot be installed, nightly is missing, a target does not build, or
/// an input panics, runs over 1 s or allocates over 64 MB at once (the input's file is named).
pub fn run(args: &Args) -> Result<Vec<Outcome>> {
    if !cmd::succeeds(Command::new("rustup").args(["run", "nightly", "rustc", "--version"])) {
        bail!("cargo fuzz needs the nightly toolchain: rustup toolchain install nightly");
    }
    ensure_cargo_fuzz()?;
    let targets = match args.targets.is_empty() {
        true => all_targets()?,
        false => args.targets.clone(),
    };
    let mut outcomes = Vec::new();
    for target in &targets {
        let build = || {
            let mut c = Command::new("cargo");
            c.current_dir(workspace_root()).args(["+nightly", "fuzz"]);
            c
        };
        cmd::run_inherit(build().args(["build", "--sanitizer", "none", target]))?;
        let seeds = fuzz_dir().join("corpus").join(target);
        let working = workspace_root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&working)?;
        let mut run = build();
        run.args(["run", "--sanitizer", "none", target])
            .arg(&working)
            .arg(&seeds)
            .args([
                "--",
                &format!("-runs={}", args.runs),
                "-timeout=1",
                "-malloc_limit_mb=64",
                "-rss_limit_mb=2048",
                "-print_final_stats=1",
            ])
            .stdin(Stdio::null());
        eprintln!("+ {}", cmd::display(&run));
        let start = Instant::now();
        let output = run.output().context("cannot start cargo fuzz")?;
        let seconds = start.elapsed().as_secs_f64();
        let log = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
            match log
                .lines()
                .find_map(|line| line.split("Test unit written to ").nth(1))
            {
                Some(artifact) => bail!("fuzz target {target} failed on input {artifact}:\n{tail}"),
                None => bail!("cargo fuzz run {target} failed:\n{tail}"),
            }
        }
        let runs = log
            .lines()
            .find_map(|line| line.strip_prefix("stat::number_of_executed_units:"))
            .and_then(|value| value.trim().parse().ok())
            .with_context(|| format!("libFuzzer printed no run count for {target}:\n{log}"))?;
        eprintln!("fuzz {target}: {runs} inputs in {seconds:.0} s, no failure");
        outcomes.push(Outcome {
            target: target.clone(),
            runs,
            seconds,
        });
    }
    println!(
        "{:<14} {:>12} {:>9} {:>10}",
        "target", "inputs", "seconds", "inputs/s"
    );
    for outcome in &outcomes {
        println!(
            "{:<14} {:>12} {:>9.0} {:>10.0}",
            outcome.target,
            outcome.runs,
            outcome.seconds,
            outcome.runs as f64 / outcome.seconds.max(0.001)
        );
    }
    Ok(outcomes)
}
