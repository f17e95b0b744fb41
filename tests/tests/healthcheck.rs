//! `image.healthcheck.http` on Docker Engine 20.10: an image FROM scratch (no shell, no curl)
//! whose endpoint answers 200 becomes `healthy`, and one that answers 500 `unhealthy`, through
//! the probe gostage compiles into the image.

use std::process::Command;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use gostage::plan::PROBE_PATH;
use gostage_e2e::build::{build, Daemon};
use gostage_e2e::enabled;
use gostage_e2e::fixture::fixture;
use gostage_e2e::image_fs::{ImageFs, Kind};
use gostage_support::wait::{wait_until, WaitError};
use gostage_support::{cmd, elf};
use serde_json::{json, Value};

/// What the probe may add to an image (issue 7: "at most 2 MB").
const PROBE_LIMIT_BYTES: usize = 2_000_000;

/// How long a container may stay `starting`: with `interval: 1s` and `retries: 2` either
/// outcome takes a few seconds; the bound only keeps a broken build from hanging the suite.
const HEALTH_BOUND: Duration = Duration::from_secs(90);

/// A container of the fixture image, removed when dropped (also when the test fails).
struct Running {
    id: String,
}

impl Running {
    /// `docker run -d -e STATUS=<status> IMAGE`.
    fn start(image: &str, status: u16) -> Result<Running> {
        let id = cmd::docker(&["run", "-d", "-e", &format!("STATUS={status}"), image])?;
        Ok(Running { id })
    }

    /// `State.Health` of the container.
    fn health(&self) -> Result<Value> {
        let text = cmd::docker(&["inspect", "--format", "{{json .State.Health}}", &self.id])?;
        serde_json::from_str(&text).with_context(|| format!("State.Health is not JSON: {text}"))
    }

    /// Polls until the health status is no longer `starting`; returns `State.Health`.
    /// Still `starting` after [`HEALTH_BOUND`] is returned as it is, for the caller to judge.
    fn settled_health(&self) -> Result<Value> {
        let health = wait_until(
            "the container's health to leave `starting`",
            HEALTH_BOUND,
            Duration::from_millis(250),
            || self.health(),
            |health| health["Status"] != "starting",
        );
        Ok(health.or_else(WaitError::into_last)?)
    }

    /// Logs and state, for failure messages.
    fn diagnostics(&self) -> String {
        let state = cmd::docker(&["inspect", "--format", "{{json .State}}", &self.id])
            .unwrap_or_else(|error| error.to_string());
        let logs = cmd::run_any(Command::new("docker").args(["logs", &self.id]))
            .map(|output| output.combined())
            .unwrap_or_else(|error| error.to_string());
        format!("state: {state}\nlogs:\n{logs}")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.id]).output();
    }
}

#[test]
fn http_healthcheck_on_docker_engine_reports_healthy_and_unhealthy() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let built = build(Daemon::Engine, &fixture("healthcheck"), "healthcheck")?;

    let config = cmd::docker(&[
        "image",
        "inspect",
        "--format",
        "{{json .Config.Healthcheck}}",
        &built.image,
    ])?;
    let config: Value = serde_json::from_str(&config)?;
    ensure!(
        config
            == json!({
                "Test": ["CMD", PROBE_PATH, "http://localhost:8080/healthz"],
                "Interval": 1_000_000_000_i64,
                "Timeout": 2_000_000_000_i64,
                "StartPeriod": 500_000_000_i64,
                "Retries": 2
            }),
        "the image's Healthcheck is {config}"
    );

    let fs = ImageFs::from_docker(&built.image)?;
    let probe = fs
        .get(PROBE_PATH)
        .with_context(|| format!("the image has no {PROBE_PATH}:\n{}", fs.listing()))?;
    ensure!(
        probe.kind == Kind::File && probe.mode & 0o111 == 0o111,
        "{PROBE_PATH} is {:?} mode {:o}, expected an executable file",
        probe.kind,
        probe.mode
    );
    ensure!(
        probe.data.len() <= PROBE_LIMIT_BYTES,
        "{PROBE_PATH} has {} bytes, more than {PROBE_LIMIT_BYTES}",
        probe.data.len()
    );
    ensure!(
        (probe.uid, probe.gid, probe.mtime) == (0, 0, 0),
        "{PROBE_PATH} is owned by {}:{} with mtime {}, expected root and the 1970 epoch",
        probe.uid,
        probe.gid,
        probe.mtime
    );
    let elf = elf::inspect(&probe.data)?;
    ensure!(elf.is_static(), "the probe is not static: {elf:?}");
    ensure!(
        fs.get("bin/sh").is_none(),
        "the image has a shell:\n{}",
        fs.listing()
    );
    println!("probe: {} bytes", probe.data.len());

    let healthy = Running::start(&built.image, 200)?;
    let unhealthy = Running::start(&built.image, 500)?;
    let health = healthy.settled_health()?;
    ensure!(
        health["Status"] == "healthy",
        "answering 200, the container is {health}\n{}",
        healthy.diagnostics()
    );
    let health = unhealthy.settled_health()?;
    ensure!(
        health["Status"] == "unhealthy",
        "answering 500, the container is {health}\n{}",
        unhealthy.diagnostics()
    );
    let outputs: Vec<&str> = health["Log"]
        .as_array()
        .map(|log| {
            log.iter()
                .filter_map(|entry| entry["Output"].as_str())
                .collect()
        })
        .unwrap_or_default();
    ensure!(
        outputs.iter().any(|output| {
            output.starts_with("unhealthy: GET http://localhost:8080/healthz: HTTP/1.")
                && output.contains(" 500 ")
        }),
        "the probe's failure line is not in the health log: {outputs:?}"
    );
    Ok(())
}
