//! `cargo xtask image`: the static frontend binary in an image FROM scratch, pushed to the local
//! registry as myorg/gostage:latest and tagged in the Engine (which resolves `# syntax=` images
//! from its local store first).

use crate::cmd;
use crate::config::{
    scratch_dir, target_dir, workspace_root, FRONTEND_CAPS, FRONTEND_IMAGE, REGISTRY,
};
use crate::docker_engine;
use crate::registry;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// The frontend image's Dockerfile around a prebuilt `gostage` binary.
pub fn dockerfile() -> String {
    format!(
        "FROM scratch\n\
         COPY gostage /gostage\n\
         LABEL moby.buildkit.frontend.network.none=\"true\" \\\n      \
         moby.buildkit.frontend.caps=\"{FRONTEND_CAPS}\"\n\
         ENTRYPOINT [\"/gostage\"]\n"
    )
}

/// Builds the release binary, linked statically (the explicit --target keeps the crt-static
/// flag away from proc-macro crates).
fn build_binary() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    cmd::run(
        Command::new(cargo)
            .current_dir(workspace_root())
            .env("RUSTFLAGS", "-C target-feature=+crt-static")
            .args(["build", "--release", "-p", "gostage", "--target", TARGET]),
    )?;
    let binary = target_dir().join(TARGET).join("release/gostage");
    if has_interpreter(&binary)? {
        bail!(
            "{} is dynamically linked (it has PT_INTERP); it cannot run FROM scratch",
            binary.display()
        );
    }
    Ok(binary)
}

/// Whether the ELF64 file has a PT_INTERP program header (i.e. needs a dynamic loader).
fn has_interpreter(path: &Path) -> Result<bool> {
    let elf = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" || elf[4] != 2 {
        bail!("{} is not an ELF64 file", path.display());
    }
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into()?) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    const PT_INTERP: u32 = 3;
    Ok((0..phnum).any(|i| {
        let o = phoff + i * phentsize;
        elf.get(o..o + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
            == Some(PT_INTERP)
    }))
}

pub fn run() -> Result<()> {
    let binary = build_binary()?;
    let dir = scratch_dir("frontend-image");
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(&binary, dir.join("gostage"))?;
    std::fs::write(dir.join("Dockerfile"), dockerfile())?;

    let remote = format!("{REGISTRY}/{FRONTEND_IMAGE}:latest");
    let local = format!("{FRONTEND_IMAGE}:latest");
    let qualified = format!("docker.io/{FRONTEND_IMAGE}:latest");
    cmd::output(
        docker_engine::build_command()
            .args(["-t", &remote, "-t", &local, "-t", &qualified])
            .arg(&dir),
    )?;
    cmd::output(Command::new("docker").args(["push", "-q", &remote]))?;

    let config = registry::image_config(FRONTEND_IMAGE, "latest")?
        .context("the pushed frontend image is not in the registry")?;
    let caps = config["config"]["Labels"]["moby.buildkit.frontend.caps"].as_str();
    if caps != Some(FRONTEND_CAPS) {
        bail!("the pushed frontend image has caps label {caps:?}, expected {FRONTEND_CAPS:?}");
    }
    let digest = cmd::output(Command::new("docker").args([
        "image",
        "inspect",
        "-f",
        "{{index .RepoDigests 0}}",
        &remote,
    ]))?
    .trim()
    .to_string();
    let image_size: u64 =
        cmd::output(Command::new("docker").args(["image", "inspect", "-f", "{{.Size}}", &remote]))?
            .trim()
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
    fn release_dockerfile_matches() {
        let text =
            std::fs::read_to_string(crate::config::workspace_root().join("Dockerfile.frontend"))
                .unwrap();
        for needle in [
            "ENTRYPOINT [\"/gostage\"]".to_string(),
            "moby.buildkit.frontend.network.none=\"true\"".to_string(),
            format!("moby.buildkit.frontend.caps=\"{}\"", super::FRONTEND_CAPS),
            "FROM scratch".to_string(),
            "x86_64-unknown-linux-gnu".to_string(),
        ] {
            assert!(text.contains(&needle), "Dockerfile.frontend lacks {needle}");
        }
    }
}
