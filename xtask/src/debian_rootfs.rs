//! Debian bookworm root filesystems made with mmdebstrap from the host's apt sources, for the
//! stand-ins of images that are Debian-based on Docker Hub (`golang:<v>`, `rust:1-bookworm`).

use anyhow::{Context, Result};
use gostage_support::cmd;
use std::path::Path;
use std::process::Command;

/// The host's apt sources, handed to mmdebstrap as its mirror (no mirror host is written
/// here); the root filesystem keeps them, so `apt-get` in the image reaches the same archive.
const APT_SOURCES: &str = "/etc/apt/sources.list.d/debian.sources";

/// Writes `tar`: Debian bookworm of mmdebstrap's `variant` (`apt`: the essential packages and
/// apt; `minbase`: those and the packages of priority required) with `packages` added.
///
/// Errors: mmdebstrap is missing (`cargo xtask up` installs it) or fails (the archive is
/// unreachable, a package does not exist).
pub fn bootstrap(tar: &Path, variant: &str, packages: &[&str]) -> Result<()> {
    cmd::output(
        Command::new("mmdebstrap")
            .args([
                "--quiet",
                &format!("--variant={variant}"),
                &format!("--include={}", packages.join(",")),
                "bookworm",
            ])
            .arg(tar)
            .arg(APT_SOURCES),
    )
    .context("making the Debian bookworm root filesystem with mmdebstrap")?;
    Ok(())
}
