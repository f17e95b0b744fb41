//! The host's Go toolchain settings (`go env`), which builds take over.

use crate::cmd;
use anyhow::{ensure, Result};
use std::process::Command;
use std::sync::OnceLock;

/// `go env KEY`, trimmed.
pub fn env(key: &str) -> Result<String> {
    Ok(cmd::output(Command::new("go").args(["env", key]))?
        .trim()
        .to_string())
}

/// The host's `go env GOPROXY`, passed into every build as the GOPROXY build-arg; an error when
/// it is empty (builds would then have no way to download modules).
pub fn goproxy() -> Result<String> {
    static PROXY: OnceLock<String> = OnceLock::new();
    if let Some(proxy) = PROXY.get() {
        return Ok(proxy.clone());
    }
    let proxy = env("GOPROXY")?;
    ensure!(
        !proxy.is_empty(),
        "`go env GOPROXY` is empty: builds pass it on to download Go modules; set it \
         (`go env -w GOPROXY=...`, or the GOPROXY environment variable) and run again"
    );
    Ok(PROXY.get_or_init(|| proxy).clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_go_env() -> anyhow::Result<()> {
        assert!(super::env("GOVERSION")?.starts_with("go"));
        Ok(())
    }
}
