//! Every name, address, path and version the tasks share, in one place.

use std::path::PathBuf;

/// The frontend image's repository name: the mission's placeholder, what `# syntax=` names.
pub const FRONTEND_IMAGE: &str = "myorg/gostage";
/// The value of the `moby.buildkit.frontend.caps` label: the frontend caps gostage implements.
/// Keep Dockerfile.frontend in step (a unit test checks it).
pub const FRONTEND_CAPS: &str = "moby.buildkit.frontend.contexts";

/// The local registry, the docker.io mirror of both daemons.
pub const REGISTRY: &str = "127.0.0.1:5000";
/// The buildkitd socket.
pub const BUILDKIT_ADDR: &str = "unix:///run/buildkit/buildkitd.sock";
/// The buildx `remote` builder pointing at buildkitd.
pub const BUILDX_BUILDER: &str = "gostage";

pub const BUILDKIT_VERSION: &str = "v0.32.2";
pub const BUILDX_VERSION: &str = "v0.36.1";

/// Tags of `library/golang` that the Go builder image is pushed under.
pub const GOLANG_TAGS: &[&str] = &["1.22", "1.23", "1.24", "1.25", "1.26", "latest"];

/// Debian packages `up` installs when missing.
pub const DEBIAN_PACKAGES: &[&str] = &[
    "ca-certificates",
    "docker.io",
    "docker-registry",
    "runc",
    "busybox-static",
    "qemu-user-static",
    "skopeo",
    "tzdata",
];

/// Root of everything `up` owns.
pub fn state_dir() -> PathBuf {
    PathBuf::from("/var/lib/gostage")
}
pub fn log_dir() -> PathBuf {
    state_dir().join("logs")
}
pub fn bin_dir() -> PathBuf {
    state_dir().join("bin")
}
pub fn buildctl() -> PathBuf {
    bin_dir().join("buildctl")
}

/// The workspace root (xtask lives one level below it).
///
/// `cargo run` sets CARGO_MANIFEST_DIR at run time too; that value wins over the one compiled
/// in, so a binary built from another checkout still works on this one.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// Cargo's target directory ($CARGO_TARGET_DIR, else target/ in the workspace).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// Scratch space for staging directories (under the target directory, never committed).
pub fn scratch_dir(name: &str) -> PathBuf {
    target_dir().join("xtask").join(name)
}
