//! docker-compose (Debian's 1.29) builds a service from `build: {context: ., dockerfile:
//! gostage.yaml}` through the docker CLI's BuildKit builder on Docker Engine 20.10, and
//! starts it.

use anyhow::{bail, ensure, Result};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::serve::free_port;
use gostage_support::cmd::{self, Output};
use gostage_support::go::goproxy;
use gostage_support::http;
use gostage_support::wait::wait_until;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The compose project name: the containers and network it creates carry it.
const PROJECT: &str = "gostage-e2e-compose";

/// `docker-compose -p PROJECT ARGS` in `dir`: compose 1.29 builds with the docker CLI
/// (`COMPOSE_DOCKER_CLI_BUILD=1`, its default), which needs `DOCKER_BUILDKIT=1` to use
/// BuildKit with a 20.10 CLI and gets the Engine's own builder (`BUILDX_BUILDER=default`),
/// whose images `up` can run.
fn compose(dir: &Path, args: &[&str]) -> Result<Output> {
    cmd::run_any(
        Command::new("docker-compose")
            .current_dir(dir)
            .env("DOCKER_BUILDKIT", "1")
            .env("COMPOSE_DOCKER_CLI_BUILD", "1")
            .env("BUILDX_BUILDER", "default")
            .env("GOPROXY", goproxy()?)
            .args(["-p", PROJECT])
            .args(args),
    )
}

/// Stops and removes the project's containers and network, even when the test fails.
struct Down<'a>(&'a Path);

impl Drop for Down<'_> {
    fn drop(&mut self) {
        let _ = compose(self.0, &["down", "--remove-orphans"]);
    }
}

#[test]
fn compose_builds_and_starts_a_gostage_service() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("static-site")?;
    let port = free_port()?;
    copy.write(
        "docker-compose.yml",
        &format!(
            "version: \"3.8\"\n\
             services:\n  \
               site:\n    \
                 build:\n      \
                   context: .\n      \
                   dockerfile: gostage.yaml\n      \
                   args:\n        \
                     GOPROXY: ${{GOPROXY}}\n    \
                 image: e2e/compose-static-site:latest\n    \
                 ports:\n      \
                   - \"127.0.0.1:{port}:8080\"\n"
        ),
    )?;
    let _down = Down(&copy.path);
    let up = compose(&copy.path, &["up", "-d", "--build"])?;
    if !up.success() {
        bail!("docker-compose up failed\n{}", up.describe());
    }
    let url = format!("http://127.0.0.1:{port}/");
    let answer = wait_until(
        &format!("the service to answer 200 on {url}"),
        Duration::from_secs(30),
        Duration::from_millis(200),
        || Ok(http::get(&url, Duration::from_secs(2)).map_err(|error| format!("{error:#}"))),
        |answer| answer.as_ref().is_ok_and(|response| response.status == 200),
    );
    let page = match answer {
        Ok(Ok(response)) => response.body,
        failed => {
            let logs = compose(&copy.path, &["logs"]).map(|out| out.combined());
            bail!("the service never answered on {url} ({failed:?})\n{logs:?}");
        }
    };
    ensure!(
        page.contains("Embedded with go:embed"),
        "the compose service answered {page:?}"
    );
    let log = up.combined();
    ensure!(
        log.contains("go build"),
        "the compose build did not run through gostage (no `go build` step)\n{}",
        up.describe()
    );
    Ok(())
}
