//! Helpers shared by the end-to-end tests: real BuildKit daemons (Docker Engine 20.10,
//! buildkitd via buildctl, buildkitd via the buildx remote builder) build the examples through
//! the gostage frontend. `cargo xtask test` provisions the daemons and runs these tests with
//! GOSTAGE_E2E=1; without it every test returns early.

pub mod build;
pub mod cmd;
pub mod container;
pub mod elf;
pub mod fixture;
pub mod http;
pub mod image_fs;
pub mod progress;
pub mod registry;
pub mod serve;

use std::path::PathBuf;
use std::sync::OnceLock;

/// The local registry (the docker.io mirror of both daemons).
pub const REGISTRY: &str = "127.0.0.1:5000";
/// The buildkitd socket `cargo xtask up` starts.
pub const BUILDKIT_ADDR: &str = "unix:///run/buildkit/buildkitd.sock";
/// The buildx remote builder pointing at buildkitd.
pub const BUILDX_BUILDER: &str = "gostage";

/// Whether the end-to-end tests should run (GOSTAGE_E2E is set); prints why not otherwise.
/// Use as `if !gostage_e2e::enabled() { return Ok(()); }`.
pub fn enabled() -> bool {
    if std::env::var_os("GOSTAGE_E2E").is_some() {
        return true;
    }
    println!("skipped: set GOSTAGE_E2E=1 (cargo xtask test does, after cargo xtask up and image)");
    false
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent directory")
        .to_path_buf()
}

/// examples/NAME in the workspace.
pub fn example(name: &str) -> PathBuf {
    workspace_root().join("examples").join(name)
}

/// The host's `go env GOPROXY`, passed into every build as the GOPROXY build-arg.
pub fn goproxy() -> &'static str {
    static PROXY: OnceLock<String> = OnceLock::new();
    PROXY.get_or_init(|| {
        std::process::Command::new("go")
            .args(["env", "GOPROXY"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "https://proxy.golang.org,direct".into())
    })
}

/// buildctl: $BUILDCTL, else the one `cargo xtask up` builds, else PATH.
pub fn buildctl() -> PathBuf {
    if let Some(path) = std::env::var_os("BUILDCTL") {
        return path.into();
    }
    let ours = PathBuf::from("/var/lib/gostage/bin/buildctl");
    if ours.is_file() {
        ours
    } else {
        "buildctl".into()
    }
}
