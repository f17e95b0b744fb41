//! buildkitd and buildctl v0.32.2, built from the module source, and the buildkitd daemon
//! (OCI worker, runc) on unix:///run/buildkit/buildkitd.sock with the local registry as the
//! docker.io mirror.

use crate::config::BUILDKIT_VERSION;
use crate::logs;
use crate::process;
use crate::report::{Outcome, Report};
use anyhow::{Context, Result};
use gostage_support::build_command::buildctl;
use gostage_support::cmd;
use gostage_support::config::{bin_dir, buildkitd_pidfile, state_dir, BUILDKIT_ADDR, REGISTRY};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const MODULE: &str = "github.com/moby/buildkit";

fn config_text() -> String {
    let root = state_dir().join("buildkitd");
    format!(
        r#"# written by cargo xtask up
root = "{root}"

[grpc]
  address = ["{BUILDKIT_ADDR}"]

[worker.oci]
  enabled = true
  snapshotter = "auto"
  gc = true
  reservedSpace = "10GB"
  maxUsedSpace = "40GB"
  minFreeSpace = "5GB"

[worker.containerd]
  enabled = false

[registry."{REGISTRY}"]
  http = true
  insecure = true

[registry."docker.io"]
  mirrors = ["{REGISTRY}"]
"#,
        root = root.display()
    )
}

fn config_path() -> PathBuf {
    state_dir().join("buildkitd.toml")
}
fn pidfile() -> PathBuf {
    buildkitd_pidfile()
}

fn has_version(binary: &Path) -> bool {
    Command::new(binary)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(BUILDKIT_VERSION))
        .unwrap_or(false)
}

/// The directory of BuildKit's module source at [`BUILDKIT_VERSION`], downloaded through
/// GOPROXY into the host's module cache (`go mod download -json`).
pub fn module_source() -> Result<std::path::PathBuf> {
    let json = cmd::output(Command::new("go").args([
        "mod",
        "download",
        "-json",
        &format!("{MODULE}@{BUILDKIT_VERSION}"),
    ]))?;
    let info: serde_json::Value = serde_json::from_str(&json)?;
    Ok(info["Dir"]
        .as_str()
        .context("go mod download printed no Dir")?
        .into())
}

/// Builds buildkitd and buildctl from the module source (`go install pkg@version` refuses the
/// module: its go.mod has exclude directives).
fn ensure_binaries(report: &mut Report) -> Result<()> {
    let daemon = bin_dir().join("buildkitd");
    if has_version(&daemon) && has_version(&bin_dir().join("buildctl")) {
        report.add(
            "buildkitd binaries",
            Outcome::Reused,
            format!("{BUILDKIT_VERSION} in {}", bin_dir().display()),
        );
        return Ok(());
    }
    let dir = module_source()?;
    let staging = bin_dir().join(".staging");
    std::fs::create_dir_all(&staging)?;
    let ldflags = format!("-X {MODULE}/version.Version={BUILDKIT_VERSION}");
    cmd::run_inherit(
        Command::new("go")
            .current_dir(&dir)
            .env("GOFLAGS", "-mod=mod -buildvcs=false")
            .args(["build", "-ldflags", &ldflags, "-o"])
            .arg(&staging)
            .args(["./cmd/buildkitd", "./cmd/buildctl"]),
    )?;
    for name in ["buildkitd", "buildctl"] {
        let built = staging.join(name);
        anyhow::ensure!(
            has_version(&built),
            "{} does not report {BUILDKIT_VERSION}",
            built.display()
        );
        std::fs::rename(&built, bin_dir().join(name))?;
    }
    report.add(
        "buildkitd binaries",
        Outcome::Installed,
        format!("{BUILDKIT_VERSION} built from {}", dir.display()),
    );
    Ok(())
}

fn answers() -> bool {
    cmd::succeeds(buildctl().args(["debug", "workers"]))
}

/// The version the running buildkitd reports (`buildctl debug info`).
pub fn running_version() -> String {
    cmd::output(buildctl().args(["debug", "info"]))
        .ok()
        .and_then(|out| {
            out.lines()
                .find(|l| l.starts_with("BuildKit:"))
                .map(|l| l.trim_start_matches("BuildKit:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown version".into())
}

fn stop(pid: u32) -> Result<()> {
    cmd::run_inherit(Command::new("kill").arg(pid.to_string()))?;
    process::wait_until("buildkitd to stop", Duration::from_secs(30), None, || {
        !process::alive(pid)
    })
}

pub fn ensure(report: &mut Report) -> Result<()> {
    ensure_binaries(report)?;
    std::fs::create_dir_all(state_dir().join("buildkitd"))?;
    std::fs::create_dir_all("/run/buildkit")?;
    let config = config_text();
    let config_changed =
        std::fs::read_to_string(config_path()).ok().as_deref() != Some(config.as_str());
    std::fs::write(config_path(), &config)?;
    let ours = process::pid_from_file(&pidfile());
    let mut outcome = Outcome::Started;
    if answers() {
        let version = running_version();
        let stale = config_changed || !version.contains(BUILDKIT_VERSION);
        match ours {
            Some(pid) if stale => {
                eprintln!(
                    "buildkitd (pid {pid}, {version}) has an old config or version: restarting it"
                );
                stop(pid)?;
                outcome = Outcome::Reconfigured;
            }
            _ => {
                let note = if stale {
                    " (not started by xtask; config or version may differ)"
                } else {
                    ""
                };
                report.add(
                    "buildkitd",
                    Outcome::Reused,
                    format!("{version} on {BUILDKIT_ADDR}{note}"),
                );
                return Ok(());
            }
        }
    }
    let mut c = Command::new(bin_dir().join("buildkitd"));
    c.arg("--config").arg(config_path());
    let pid = process::spawn_daemon(c, &logs::buildkitd(), &pidfile())?;
    process::wait_until("buildkitd", Duration::from_secs(60), Some(pid), answers)?;
    report.add(
        "buildkitd",
        outcome,
        format!("{} on {BUILDKIT_ADDR} (pid {pid})", running_version()),
    );
    Ok(())
}
