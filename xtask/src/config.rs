//! The names, versions and paths only the tasks use; what the tests share with them is in
//! `gostage_support::config`.

use anyhow::Result;
use gostage_support::config::workspace_root;
use gostage_support::temporary;
use std::path::PathBuf;
use tempfile::TempDir;

/// The value of the `moby.buildkit.frontend.caps` label: the frontend caps gostage implements.
/// Keep Dockerfile.frontend in step (a unit test checks it).
pub const FRONTEND_CAPS: &str =
    "moby.buildkit.frontend.contexts,moby.buildkit.frontend.subrequests";

/// The buildkitd and buildctl release `up` builds.
pub const BUILDKIT_VERSION: &str = "v0.32.2";
/// The buildx release `up` builds.
pub const BUILDX_VERSION: &str = "v0.36.1";

/// Tags of `library/golang` that the Go builder image is pushed under.
pub const GOLANG_TAGS: &[&str] = &["1.22", "1.23", "1.24", "1.25", "1.26", "latest"];

/// Debian packages `up` installs when missing.
pub const DEBIAN_PACKAGES: &[&str] = &[
    "ca-certificates",
    "docker.io",
    "docker-compose",
    "docker-registry",
    "runc",
    "busybox-static",
    "qemu-user-static",
    "skopeo",
    "tzdata",
    // The git-over-SSH test: its own sshd, and git and ssh on the host side.
    "openssh-server",
    "openssh-client",
    "git",
    // The Rust builder stand-in's Debian root filesystem (see rust_image.rs).
    "mmdebstrap",
];

/// Cargo's target directory ($CARGO_TARGET_DIR, else target/ in the workspace).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// Scratch space kept between runs: `target/xtask/NAME` (under the target directory, never
/// committed), for what later runs reuse (build contexts the cache knows, logs).
pub fn scratch_dir(name: &str) -> PathBuf {
    target_dir().join("xtask").join(name)
}

/// A new staging directory `target/xtask/NAME-XXXXXX` for one image build's context, removed
/// when dropped. Under the target directory rather than the system temp dir: root filesystems
/// and toolchains are large.
pub fn staging_dir(name: &str) -> Result<TempDir> {
    temporary::directory_in(&target_dir().join("xtask"), name)
}
