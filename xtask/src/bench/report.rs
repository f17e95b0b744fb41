//! What the bench prints and writes to bench/RESULTS.md: the header (commit, BuildKit, Go,
//! CPUs), the machine, and the file itself.

use super::cli::Args;
use super::placeholders::LEGEND;
use crate::buildkitd;
use anyhow::{Context, Result};
use gostage_support::cmd;
use gostage_support::config::{workspace_root, BUILDKIT_ADDR};
use gostage_support::go;
use std::process::Command;

/// The first lines of the report: the commit, buildkitd's version and address, the CPUs, the
/// Go of the builder image, how rows are run.
pub(super) fn header(runs: u32) -> String {
    let buildkit = buildkitd::running_version();
    let go = go::env("GOVERSION").unwrap_or_default();
    let commit = cmd::output(
        Command::new("git")
            .args(["describe", "--always", "--dirty"])
            .current_dir(workspace_root()),
    )
    .map(|s| s.trim().to_string())
    .unwrap_or_else(|_| "unknown".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "# cargo xtask bench (workspace {commit})\n\
         buildkitd {buildkit} at {BUILDKIT_ADDR}, driven by buildctl; {cpus} CPUs; \
         golang:1.23 = the host's {go} (cargo xtask up)\n\
         {runs} run(s) per row, the rows compared in a ratio alternating round by round; every image is pushed to the local registry (included in the time)",
    )
}

/// Writes bench/RESULTS.md: the command, what the placeholders stand for, the machine and
/// every section printed (`report`, with the placeholders already in).
pub(super) fn write_results(args: &Args, report: &str, finished: &str) -> Result<()> {
    let case = format!("{:?}", args.case).to_lowercase();
    let path = workspace_root().join("bench/RESULTS.md");
    std::fs::create_dir_all(path.parent().context("bench/ has no parent")?)?;
    let mut flags = String::new();
    if args.no_emulated {
        flags.push_str(" --no-emulated");
    }
    if args.no_setup {
        flags.push_str(" --no-setup");
    }
    let text = format!(
        "# Benchmark results\n\nWritten by `cargo xtask bench --case {case} --runs {runs}{flags}`; \
         times are medians of {runs} run(s), in seconds, wall clock of the client command.\n\n\
         {LEGEND}\n\n\
         ```text\n{report}{finished}\n```\n",
        runs = args.runs
    );
    std::fs::write(&path, text)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The machine: CPUs, memory, kernel and OS, Docker Engine.
pub(super) fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches(" kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or("unknown".to_string(), |kib| {
            format!("{:.1} GiB", kib as f64 / 1_048_576.0)
        });
    let os = read("/etc/os-release")
        .lines()
        .find_map(|line| line.strip_prefix("PRETTY_NAME="))
        .unwrap_or("unknown")
        .trim_matches('"')
        .to_string();
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|value| value.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_default();
    let docker = cmd::docker(&["version", "-f", "{{.Server.Version}}"]).unwrap_or_default();
    format!("machine: {os}, kernel {kernel}, {cpu}, {memory} memory; Docker Engine {docker}")
}
