//! `cargo xtask up`: provision every real component the demo and the tests use (idempotent;
//! reuses whatever already answers).

use crate::report::Report;
use crate::{
    apt, binfmt, builder_images, buildkitd, buildx, busybox_image, docker_engine,
    dockerfile_frontend, golang_index, registry, rust_image, verify,
};
use anyhow::{bail, Result};
use std::time::Instant;

#[derive(clap::Args, Default)]
pub struct Args {
    /// Skip the final check that builds a hand-written Dockerfile on both daemons.
    #[arg(long)]
    pub skip_verify: bool,
}

/// Puts the usual Go and cargo install directories on PATH when they are missing from it.
pub fn ensure_toolchains_on_path() -> Result<()> {
    let mut paths: Vec<_> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    for (program, dir) in [
        ("go", "/usr/local/go/bin".to_string()),
        ("cargo", format!("{home}/.cargo/bin")),
    ] {
        if !crate::process::on_path(program) && std::path::Path::new(&dir).join(program).is_file() {
            paths.insert(0, dir.into());
            std::env::set_var("PATH", std::env::join_paths(&paths)?);
        }
    }
    if !crate::process::on_path("go") {
        bail!("no Go toolchain on PATH (nor in /usr/local/go/bin)");
    }
    Ok(())
}

pub fn run(args: &Args) -> Result<Report> {
    let start = Instant::now();
    if !is_root() {
        bail!("`cargo xtask up` provisions system daemons and must run as root");
    }
    ensure_toolchains_on_path()?;
    let mut report = Report::default();
    apt::ensure(&mut report)?;
    binfmt::ensure(&mut report);
    registry::ensure(&mut report)?;
    docker_engine::ensure(&mut report)?;
    buildkitd::ensure(&mut report)?;
    buildx::ensure(&mut report)?;
    builder_images::ensure(&mut report)?;
    golang_index::ensure(&mut report)?;
    busybox_image::ensure(&mut report)?;
    dockerfile_frontend::ensure(&mut report)?;
    rust_image::ensure(&mut report)?;
    if !args.skip_verify {
        verify::run(&mut report)?;
    }
    report.print();
    println!("up: ready in {:.1}s", start.elapsed().as_secs_f64());
    Ok(report)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}
