//! The local registry on 127.0.0.1:5000 (Debian `docker-registry`, our own config), the
//! docker.io mirror of both daemons.

use crate::cmd;
use crate::config::{state_dir, REGISTRY};
use crate::http;
use crate::logs;
use crate::report::{Outcome, Report};
use anyhow::{bail, Result};
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
    matches!(http::get(&format!("http://{REGISTRY}/v2/")), Ok(r) if r.status == 200)
}

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
    let pid = cmd::spawn_daemon(c, &logs::registry(), &dir.join("registry.pid"))?;
    cmd::wait_until("registry", Duration::from_secs(30), Some(pid), answers)?;
    report.add(
        "registry",
        Outcome::Started,
        format!("http://{REGISTRY} (pid {pid})"),
    );
    Ok(())
}

const MANIFEST_TYPES: &str = "application/vnd.docker.distribution.manifest.v2+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

/// The manifest of `repo:tag` in the local registry, if it exists.
pub fn manifest(repo: &str, tag: &str) -> Result<Option<serde_json::Value>> {
    let url = format!("http://{REGISTRY}/v2/{repo}/manifests/{tag}");
    let r = http::request("GET", &url, &[("Accept", MANIFEST_TYPES)])?;
    match r.status {
        200 => Ok(Some(serde_json::from_slice(&r.body)?)),
        404 => Ok(None),
        s => bail!("GET {url}: HTTP {s}: {}", r.text()),
    }
}

/// The image config (JSON) of a single-platform `repo:tag`, if it exists.
pub fn image_config(repo: &str, tag: &str) -> Result<Option<serde_json::Value>> {
    let Some(manifest) = manifest(repo, tag)? else {
        return Ok(None);
    };
    let Some(digest) = manifest["config"]["digest"].as_str() else {
        return Ok(None);
    };
    let url = format!("http://{REGISTRY}/v2/{repo}/blobs/{digest}");
    let r = http::get(&url)?;
    if r.status != 200 {
        bail!("GET {url}: HTTP {}", r.status);
    }
    Ok(Some(serde_json::from_slice(&r.body)?))
}
