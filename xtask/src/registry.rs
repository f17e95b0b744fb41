//! The local registry on 127.0.0.1:5000 (Debian `docker-registry`, our own config), the
//! docker.io mirror of both daemons.

use crate::logs;
use crate::process;
use crate::report::{Outcome, Report};
use anyhow::Result;
use gostage_support::config::{registry_pidfile, state_dir, REGISTRY};
use gostage_support::http;
use std::process::Command;
use std::time::Duration;

const CONFIG: &str = "version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: /var/lib/gostage/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
";

/// GET /v2/ answers 200.
pub fn answers() -> bool {
    let url = format!("http://{REGISTRY}/v2/");
    matches!(http::get(&url, Duration::from_secs(10)), Ok(r) if r.status == 200)
}

/// Reuses the registry that answers, else starts ours.
pub fn ensure(report: &mut Report) -> Result<()> {
    if answers() {
        report.add("registry", Outcome::Reused, format!("http://{REGISTRY}"));
        return Ok(());
    }
    let dir = state_dir();
    std::fs::create_dir_all(dir.join("registry"))?;
    let config = dir.join("registry.yml");
    std::fs::write(&config, CONFIG)?;
    let mut c = Command::new("/usr/bin/docker-registry");
    c.arg("serve").arg(&config);
    let pid = process::spawn_daemon(c, &logs::registry(), &registry_pidfile())?;
    process::wait_until("registry", Duration::from_secs(30), Some(pid), answers)?;
    report.add(
        "registry",
        Outcome::Started,
        format!("http://{REGISTRY} (pid {pid})"),
    );
    Ok(())
}
