//! `cargo xtask demo`: up, image, then examples/hello built through its `# syntax=` line on the
//! Docker Engine, run, and asked for /health and /runtime.

use crate::{image, up};
use anyhow::{bail, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::cmd;
use gostage_support::config::example;
use gostage_support::container::Container;
use gostage_support::go::goproxy;

const TAG: &str = "gostage-demo/hello";

/// Provisions, builds the frontend image, then builds, runs and queries examples/hello.
pub fn run() -> Result<()> {
    up::run(&up::Args::default())?;
    image::run()?;
    let example = example("hello");
    let spec = example.join("gostage.yaml");
    cmd::run_inherit(
        engine(Progress::Plain)
            .arg("-f")
            .arg(&spec)
            .args(["-t", TAG, "--build-arg", &format!("GOPROXY={}", goproxy()?)])
            .arg(&example),
    )?;
    let container = Container::start(TAG, 8080)?;
    let health = container.get("/health")?;
    println!("GET /health  -> {}", health.trim());
    let runtime = container.get("/runtime")?;
    println!("GET /runtime -> {}", runtime.trim());
    if health.trim() != "ok" {
        bail!(
            "the demo container answered /health with {health:?}\n{}",
            container.diagnostics()
        );
    }
    Ok(())
}
