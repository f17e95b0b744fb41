//! `cargo xtask demo`: up, image, then examples/hello built through its `# syntax=` line on the
//! Docker Engine, run, and asked for /health and /runtime.

use crate::cmd;
use crate::config::workspace_root;
use crate::docker_engine;
use crate::http;
use crate::{image, up};
use anyhow::{bail, Context, Result};
use std::process::Command;
use std::time::{Duration, Instant};

const TAG: &str = "gostage-demo/hello";

/// The host's GOPROXY, passed into builds.
pub fn goproxy() -> Result<String> {
    Ok(cmd::output(Command::new("go").args(["env", "GOPROXY"]))?
        .trim()
        .to_string())
}

/// Removes the container when dropped.
struct Container(String);
impl Drop for Container {
    fn drop(&mut self) {
        let _ = cmd::output(Command::new("docker").args(["rm", "-f", &self.0]));
    }
}

pub fn run() -> Result<()> {
    up::run(&up::Args::default())?;
    image::run()?;
    let example = workspace_root().join("examples/hello");
    let spec = example.join("gostage.yaml");
    cmd::run(
        docker_engine::build_command()
            .arg("-f")
            .arg(&spec)
            .args(["-t", TAG, "--build-arg", &format!("GOPROXY={}", goproxy()?)])
            .arg(&example),
    )?;
    let id = cmd::output(Command::new("docker").args(["run", "-d", "-p", "127.0.0.1::8080", TAG]))?
        .trim()
        .to_string();
    let container = Container(id);
    let port = cmd::output(Command::new("docker").args(["port", &container.0, "8080/tcp"]))?;
    let addr = port
        .lines()
        .next()
        .context("docker port printed nothing")?
        .trim()
        .to_string();
    let result = query(&addr);
    if result.is_err() {
        let logs =
            cmd::output(Command::new("docker").args(["logs", &container.0])).unwrap_or_default();
        eprintln!("--- container logs\n{logs}");
    }
    result
}

fn query(addr: &str) -> Result<()> {
    let start = Instant::now();
    let health = loop {
        match http::get(&format!("http://{addr}/health")) {
            Ok(r) => break r,
            Err(e) if start.elapsed() > Duration::from_secs(20) => {
                return Err(e.context("GET /health"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    println!("GET /health  -> {} {}", health.status, health.text().trim());
    let runtime = http::get(&format!("http://{addr}/runtime"))?;
    println!(
        "GET /runtime -> {} {}",
        runtime.status,
        runtime.text().trim()
    );
    if health.status != 200 || health.text().trim() != "ok" || runtime.status != 200 {
        bail!("the demo container did not answer as expected");
    }
    Ok(())
}
