//! A Go module proxy the test controls: the host's module cache, filled with `go mod download`
//! for a module, served over HTTP on 127.0.0.1 by a standard-library Go file server
//! (`assets/module_proxy.go`). Stopping it leaves a build without any module source.

use anyhow::{bail, Context, Result};
use gostage_support::{cmd, go, temporary};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use tempfile::TempDir;

const PROGRAM: &str = include_str!("assets/module_proxy.go");

/// A running module proxy, stopped when dropped.
pub struct ModuleProxy {
    /// `http://127.0.0.1:PORT`, the value for GOPROXY.
    pub url: String,
    child: Child,
    /// The server's source and binary, removed when dropped.
    _directory: TempDir,
}

impl ModuleProxy {
    /// Downloads the modules `module_dir`'s go.mod needs into the host's module cache
    /// (through the host's GOPROXY), then serves `$(go env GOMODCACHE)/cache/download`.
    pub fn start(module_dir: &Path) -> Result<ModuleProxy> {
        cmd::run(
            Command::new("go")
                .args(["mod", "download"])
                .current_dir(module_dir),
        )?;
        let served = PathBuf::from(go::env("GOMODCACHE")?).join("cache/download");
        let directory = temporary::directory("gostage-e2e-module-proxy")?;
        let source = directory.path().join("module_proxy.go");
        let binary = directory.path().join("module_proxy");
        std::fs::write(&source, PROGRAM)?;
        cmd::run(
            Command::new("go")
                .args(["build", "-o"])
                .arg(&binary)
                .arg(&source),
        )?;
        eprintln!("+ {} {}", binary.display(), served.display());
        let mut child = Command::new(&binary)
            .arg(&served)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut line = String::new();
        let read = child
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut line));
        let address = line.trim().to_string();
        let mut proxy = ModuleProxy {
            url: format!("http://{address}"),
            child,
            _directory: directory,
        };
        if !matches!(read, Some(Ok(n)) if n > 0) || address.is_empty() {
            proxy.stop();
            bail!("the module proxy printed no address");
        }
        Ok(proxy)
    }

    /// Stops the server: from now on nothing answers at [`ModuleProxy::url`].
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ModuleProxy {
    fn drop(&mut self) {
        self.stop();
    }
}
