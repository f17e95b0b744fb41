//! `cargo xtask image`: the static frontend binary in an image FROM scratch, pushed to the local
//! registry as myorg/gostage:latest and tagged in the Engine (which resolves `# syntax=` images
//! from its local store first); and the same binary with `RUST_LOG=gostage=debug` as
//! myorg/gostage:debug, whose frontend writes each rendered plan to the daemon log (the e2e
//! test of `gostage llb` reads it there).

use crate::config::{scratch_dir, target_dir, FRONTEND_CAPS};
use anyhow::{bail, Context, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::config::{workspace_root, FRONTEND_DEBUG_TAG, FRONTEND_IMAGE, REGISTRY};
use gostage_support::{cmd, elf, registry};
use std::path::PathBuf;
use std::process::Command;

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// The label with gostage's version (the workspace version, which `gostage version` prints).
const VERSION_LABEL: &str = "org.opencontainers.image.version";

/// The frontend image's Dockerfile around a prebuilt `gostage` binary.
pub fn dockerfile() -> String {
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "FROM scratch\n\
         COPY gostage /gostage\n\
         LABEL moby.buildkit.frontend.network.none=\"true\" \\\n      \
         moby.buildkit.frontend.caps=\"{FRONTEND_CAPS}\" \\\n      \
         {VERSION_LABEL}=\"{version}\"\n\
         ENTRYPOINT [\"/gostage\"]\n"
    )
}

/// The debug variant: the same image with the frontend's debug log on.
fn debug_dockerfile() -> String {
    format!("{}ENV RUST_LOG=gostage=debug\n", dockerfile())
}

/// Builds the release binary, linked statically (the explicit --target keeps the crt-static
/// flag away from proc-macro crates).
fn build_binary() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    cmd::run_inherit(
        Command::new(cargo)
            .current_dir(workspace_root())
            .env("RUSTFLAGS", "-C target-feature=+crt-static")
            .args(["build", "--release", "-p", "gostage", "--target", TARGET]),
    )?;
    let binary = target_dir().join(TARGET).join("release/gostage");
    if let Some(interpreter) = elf::inspect_file(&binary)?.interpreter {
        bail!(
            "{} is dynamically linked (PT_INTERP {interpreter}); it cannot run FROM scratch",
            binary.display()
        );
    }
    Ok(binary)
}

/// Builds the frontend image, pushes it, and checks its caps label in the registry.
pub fn run() -> Result<()> {
    let binary = build_binary()?;
    let dir = scratch_dir("frontend-image");
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(&binary, dir.join("gostage"))?;
    std::fs::write(dir.join("Dockerfile"), dockerfile())?;
    std::fs::write(dir.join("debug.Dockerfile"), debug_dockerfile())?;

    let remote = format!("{REGISTRY}/{FRONTEND_IMAGE}:latest");
    let local = format!("{FRONTEND_IMAGE}:latest");
    let qualified = format!("docker.io/{FRONTEND_IMAGE}:latest");
    cmd::output(
        engine(Progress::Plain)
            .args(["-t", &remote, "-t", &local, "-t", &qualified])
            .arg(&dir),
    )?;
    cmd::docker(&["push", "-q", &remote])?;
    let debug = format!("{REGISTRY}/{FRONTEND_IMAGE}:{FRONTEND_DEBUG_TAG}");
    let debug_dockerfile = dir.join("debug.Dockerfile");
    cmd::output(
        engine(Progress::Plain)
            .args(["-t", &debug, "-f"])
            .arg(&debug_dockerfile)
            .arg(&dir),
    )?;
    cmd::docker(&["push", "-q", &debug])?;

    let config =
        registry::config(&remote)?.context("the pushed frontend image is not in the registry")?;
    let caps = registry::label(&config, "moby.buildkit.frontend.caps");
    if caps != Some(FRONTEND_CAPS) {
        bail!("the pushed frontend image has caps label {caps:?}, expected {FRONTEND_CAPS:?}");
    }
    let version = registry::label(&config, VERSION_LABEL);
    if version != Some(env!("CARGO_PKG_VERSION")) {
        bail!("the pushed frontend image has version label {version:?}");
    }
    let digest = cmd::docker(&[
        "image",
        "inspect",
        "-f",
        "{{index .RepoDigests 0}}",
        &remote,
    ])?;
    let image_size: u64 = cmd::docker(&["image", "inspect", "-f", "{{.Size}}", &remote])?
        .parse()
        .context("docker image inspect printed no size")?;
    let binary_size = std::fs::metadata(&binary)?.len();
    println!(
        "frontend binary: {} ({})",
        binary.display(),
        human(binary_size)
    );
    println!(
        "frontend image:  {remote} = {local} ({}), {digest}",
        human(image_size)
    );
    Ok(())
}

fn human(bytes: u64) -> String {
    format!("{:.2} MB, {bytes} bytes", bytes as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    /// Dockerfile.frontend (the release recipe) carries the same entrypoint and labels.
    #[test]
    fn release_dockerfile_matches() -> std::io::Result<()> {
        let root = gostage_support::config::workspace_root();
        let text = std::fs::read_to_string(root.join("Dockerfile.frontend"))?;
        for needle in [
            "ENTRYPOINT [\"/gostage\"]".to_string(),
            "moby.buildkit.frontend.network.none=\"true\"".to_string(),
            format!("moby.buildkit.frontend.caps=\"{}\"", super::FRONTEND_CAPS),
            "FROM scratch".to_string(),
            format!("{}=$VERSION", super::VERSION_LABEL),
            "x86_64-unknown-linux-gnu".to_string(),
        ] {
            assert!(text.contains(&needle), "Dockerfile.frontend lacks {needle}");
        }
        Ok(())
    }
}
