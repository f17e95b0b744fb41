//! The names, addresses and paths of the test environment that `cargo xtask up` provisions.

use std::path::PathBuf;

/// The frontend image's repository name: the mission's placeholder, what `# syntax=` names.
pub const FRONTEND_IMAGE: &str = "myorg/gostage";
/// The tag of the frontend image whose frontend logs each rendered plan (`RUST_LOG=gostage=debug`)
/// to the daemon log.
pub const FRONTEND_DEBUG_TAG: &str = "debug";
/// The local registry, the docker.io mirror of both daemons.
pub const REGISTRY: &str = "127.0.0.1:5000";
/// The buildkitd socket.
pub const BUILDKIT_ADDR: &str = "unix:///run/buildkit/buildkitd.sock";
/// The buildx `remote` builder pointing at buildkitd.
pub const BUILDX_BUILDER: &str = "gostage";
/// The repository, in [`REGISTRY`], of `golang:1.23` for linux/amd64 and linux/arm64 that
/// `cargo xtask up` pushes (xtask/src/golang_index.rs), tag `1.23`: for arm64 workers.
pub const GOLANG_MULTIARCH_REPOSITORY: &str = "multiarch/golang";

/// Root of everything `cargo xtask up` owns.
pub fn state_dir() -> PathBuf {
    PathBuf::from("/var/lib/gostage")
}

/// The pid file of the buildkitd `cargo xtask up` started.
pub fn buildkitd_pidfile() -> PathBuf {
    state_dir().join("buildkitd.pid")
}

/// The pid file of the registry `cargo xtask up` started.
pub fn registry_pidfile() -> PathBuf {
    state_dir().join("registry.pid")
}

/// Where `cargo xtask up` installs the binaries it builds (buildkitd, buildctl, buildx).
pub fn bin_dir() -> PathBuf {
    state_dir().join("bin")
}

/// Where `cargo xtask up` writes the daemons' logs.
pub fn log_dir() -> PathBuf {
    state_dir().join("logs")
}

/// buildkitd's log (its stderr, which also receives every frontend's stderr).
pub fn buildkitd_log() -> PathBuf {
    log_dir().join("buildkitd.log")
}

/// buildctl: $BUILDCTL, else the one `cargo xtask up` builds, else the one on PATH.
pub fn buildctl() -> PathBuf {
    if let Some(path) = std::env::var_os("BUILDCTL") {
        return path.into();
    }
    let ours = bin_dir().join("buildctl");
    if ours.is_file() {
        ours
    } else {
        "buildctl".into()
    }
}

/// The workspace root: the parent of the running package's directory.
///
/// `cargo run` and `cargo test` set CARGO_MANIFEST_DIR at run time too; that value wins over
/// the one compiled in, so a binary built from another checkout still works on this one.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// examples/NAME in the workspace.
pub fn example(name: &str) -> PathBuf {
    workspace_root().join("examples").join(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_workspace() {
        let root = super::workspace_root();
        assert!(root.join("Cargo.toml").is_file(), "{}", root.display());
        assert!(super::example("hello").join("gostage.yaml").is_file());
    }
}
