//! The default image runs hardened: a read-only root filesystem, no capabilities, and no
//! privilege escalation, and it still serves (it needs nothing but its binary, the CA
//! bundle, the time zones and a non-root user).

use anyhow::{ensure, Result};
use gostage_e2e::build::{build, Daemon};
use gostage_e2e::enabled;
use gostage_support::config::example;
use gostage_support::container::Container;

#[test]
fn hello_serves_read_only_without_capabilities() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let built = build(Daemon::BuildxRemote, &example("hello"), "hello-hardened")?;
    let container = Container::start_with(
        &built.image,
        8080,
        &[
            "--read-only",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
        ],
    )?;
    let health = container.get("/health")?;
    ensure!(health.trim() == "ok", "/health answered {health:?}");
    let runtime = container.get("/runtime")?;
    ensure!(
        runtime.contains("65532"),
        "/runtime does not report the non-root user: {runtime}"
    );
    Ok(())
}
