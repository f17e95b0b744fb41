//! The Docker Engine (Debian docker.io 20.10) with the local registry as its docker.io mirror.

use crate::logs;
use crate::process;
use crate::report::{Outcome, Report};
use anyhow::{bail, Context, Result};
use gostage_support::cmd;
use gostage_support::config::{state_dir, REGISTRY};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const DAEMON_JSON: &str = "/etc/docker/daemon.json";

fn mirror() -> String {
    format!("http://{REGISTRY}")
}

/// The Engine's version, if it answers.
pub fn server_version() -> Option<String> {
    let out = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Adds our mirror to /etc/docker/daemon.json, keeping everything else; true if it changed.
fn write_daemon_json() -> Result<bool> {
    let path = Path::new(DAEMON_JSON);
    let mut config: Value = match std::fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => serde_json::from_str(&text)
            .with_context(|| format!("{DAEMON_JSON} is not valid JSON"))?,
        _ => json!({}),
    };
    let object = config
        .as_object_mut()
        .with_context(|| format!("{DAEMON_JSON} is not a JSON object"))?;
    let mirrors = object
        .entry("registry-mirrors")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .with_context(|| format!("registry-mirrors in {DAEMON_JSON} is not an array"))?;
    let ours = mirror();
    if mirrors
        .iter()
        .any(|m| m.as_str().map(|s| s.trim_end_matches('/')) == Some(&ours))
    {
        return Ok(false);
    }
    mirrors.push(json!(ours));
    std::fs::create_dir_all("/etc/docker")?;
    std::fs::write(path, serde_json::to_string_pretty(&config)? + "\n")?;
    Ok(true)
}

fn engine_has_mirror() -> bool {
    Command::new("docker")
        .args(["info", "--format", "{{json .RegistryConfig.Mirrors}}"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(&mirror()))
        .unwrap_or(false)
}

pub fn ensure(report: &mut Report) -> Result<()> {
    write_daemon_json()?;
    if let Some(version) = server_version() {
        if engine_has_mirror() {
            report.add(
                "docker engine",
                Outcome::Reused,
                format!("{version}, mirror {}", mirror()),
            );
            return Ok(());
        }
        // dockerd reloads registry-mirrors on SIGHUP.
        let pid = std::fs::read_to_string("/var/run/docker.pid").context(
            "the running dockerd lacks our mirror and /var/run/docker.pid is unreadable",
        )?;
        cmd::run_inherit(Command::new("kill").args(["-HUP", pid.trim()]))?;
        process::wait_until(
            "dockerd reload",
            Duration::from_secs(20),
            None,
            engine_has_mirror,
        )
        .with_context(|| format!("dockerd did not pick up the mirror from {DAEMON_JSON}"))?;
        report.add(
            "docker engine",
            Outcome::Reconfigured,
            format!("{version}, mirror added (SIGHUP)"),
        );
        return Ok(());
    }
    let pid = process::spawn_daemon(
        Command::new("/usr/sbin/dockerd"),
        &logs::dockerd(),
        &state_dir().join("dockerd.pid"),
    )?;
    process::wait_until("dockerd", Duration::from_secs(90), Some(pid), || {
        server_version().is_some()
    })?;
    if !engine_has_mirror() {
        bail!("dockerd started without the registry mirror {}", mirror());
    }
    let version = server_version().unwrap_or_default();
    report.add(
        "docker engine",
        Outcome::Started,
        format!("{version} (pid {pid}), mirror {}", mirror()),
    );
    Ok(())
}
