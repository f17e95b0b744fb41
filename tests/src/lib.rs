//! Helpers for the end-to-end tests: real BuildKit daemons (Docker Engine 20.10, buildkitd via
//! buildctl, buildkitd via the buildx remote builder) build the examples through the gostage
//! frontend. `cargo xtask test` provisions the daemons and runs these tests with GOSTAGE_E2E=1;
//! without it every test returns early. What xtask shares with them (names, commands, HTTP,
//! ELF, registry reads, containers) is in `gostage_support`.

pub mod build;
pub mod fixture;
pub mod git_ssh;
pub mod go_build_info;
pub mod image_fs;
pub mod module_proxy;
pub mod progress;
pub mod registry;
pub mod serve;
pub mod stand_in;

/// Whether the end-to-end tests should run (GOSTAGE_E2E is set); prints why not otherwise.
/// Use as `if !gostage_e2e::enabled() { return Ok(()); }`.
pub fn enabled() -> bool {
    if std::env::var_os("GOSTAGE_E2E").is_some() {
        return true;
    }
    println!("skipped: set GOSTAGE_E2E=1 (cargo xtask test does, after cargo xtask up and image)");
    false
}
