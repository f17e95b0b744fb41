//! The Rust builder stand-in that Dockerfile.frontend starts from (`rust:1-bookworm`): a
//! Debian bookworm root filesystem made with mmdebstrap from the host's apt sources (gcc and
//! libc6-dev for the static glibc link, ca-certificates, with the host's CA bundle over
//! Debian's, for crates.io), plus the host's stable
//! Rust toolchain without its documentation, laid out as the official image does
//! (`RUSTUP_HOME=/usr/local/rustup`, `CARGO_HOME=/usr/local/cargo`). Pushed as
//! 127.0.0.1:5000/library/rust:1-bookworm so that `rust:1-bookworm` resolves through the
//! docker.io mirror on both daemons.

use crate::builder_images::mkdir;
use crate::config::staging_dir;
use crate::report::{Outcome, Report};
use anyhow::{Context, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::config::REGISTRY;
use gostage_support::{cmd, registry};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = "library/rust";
/// The tag Dockerfile.frontend names.
pub const TAG: &str = "1-bookworm";
/// Label recording the host toolchain the image holds and the recipe that made it; another
/// host rustc, or a changed recipe, rebuilds it.
const VERSION_LABEL: &str = "org.gostage.rustc-version";
/// Bumped whenever `stage` changes what goes into the image.
const RECIPE: u32 = 2;
/// What the Dockerfile's RUN lines need besides the minimal system.
const PACKAGES: &[&str] = &["gcc", "libc6-dev", "ca-certificates"];
const PATH_ENV: &str =
    "/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `rustc --version` of the host's default toolchain, with the recipe number.
fn host_rustc_version() -> Result<String> {
    let rustc = cmd::output(Command::new("rustc").arg("--version"))?;
    Ok(format!("{}; recipe {RECIPE}", rustc.trim()))
}

/// The host's rustup home and its default toolchain's name.
fn host_toolchain() -> Result<(PathBuf, String)> {
    let home = match std::env::var_os("RUSTUP_HOME") {
        Some(home) => PathBuf::from(home),
        None => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".rustup"),
    };
    let active = cmd::output(Command::new("rustup").args(["default"]))?;
    // `stable-x86_64-unknown-linux-gnu (default)`
    let name = active
        .split_whitespace()
        .next()
        .context("rustup default printed nothing")?
        .to_string();
    Ok((home, name))
}

/// Reuses the image when it holds the host's rustc, else builds and pushes it.
pub fn ensure(report: &mut Report) -> Result<()> {
    let version = host_rustc_version()?;
    let reference = registry::image(REPO, TAG);
    let current = registry::config(&reference)?;
    if current
        .is_some_and(|config| registry::label(&config, VERSION_LABEL) == Some(version.as_str()))
    {
        report.add(
            "rust builder image",
            Outcome::Reused,
            format!("{version} as {REPO}:{TAG}"),
        );
        return Ok(());
    }
    let dir = staging_dir("rust-image")?;
    stage(dir.path(), &version)?;
    let local = format!("{REGISTRY}/{REPO}:{TAG}");
    cmd::output(engine(Progress::Plain).args(["-t", &local]).arg(dir.path()))?;
    cmd::docker(&["push", "-q", &local])?;
    report.add(
        "rust builder image",
        Outcome::Installed,
        format!("{version} as {REPO}:{TAG}"),
    );
    Ok(())
}

/// Lays out `rootfs.tar`, the toolchain and the Dockerfile in `dir` (new, empty).
fn stage(dir: &Path, version: &str) -> Result<()> {
    crate::debian_rootfs::bootstrap(&dir.join("rootfs.tar"), "apt", PACKAGES)?;

    let (rustup_home, toolchain) = host_toolchain()?;
    let toolchains = dir.join("rustup/toolchains");
    mkdir(&toolchains, 0o755)?;
    cmd::output(
        Command::new("cp")
            .arg("-a")
            .arg(rustup_home.join("toolchains").join(&toolchain))
            .arg(&toolchains),
    )?;
    let docs = toolchains.join(&toolchain).join("share/doc");
    if docs.exists() {
        std::fs::remove_dir_all(docs)?;
    }
    std::fs::write(
        dir.join("rustup/settings.toml"),
        format!("version = \"12\"\ndefault_toolchain = \"{toolchain}\"\nprofile = \"minimal\"\nauto_self_update = \"disable\"\n"),
    )?;
    // The host's CA bundle, as the golang stand-ins have it: what lets the host reach
    // crates.io here lets `cargo build` in the image reach it too.
    std::fs::copy(
        "/etc/ssl/certs/ca-certificates.crt",
        dir.join("ca-certificates.crt"),
    )
    .context("copying the host CA bundle")?;
    let bin = dir.join("cargo/bin");
    mkdir(&bin, 0o755)?;
    let rustup = cmd::output(Command::new("which").arg("rustup"))?;
    std::fs::copy(rustup.trim(), bin.join("rustup")).context("copying rustup")?;
    for proxy in [
        "cargo",
        "rustc",
        "rustdoc",
        "rustfmt",
        "cargo-clippy",
        "clippy-driver",
    ] {
        symlink("rustup", bin.join(proxy))?;
    }
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM scratch\n\
             ADD rootfs.tar /\n\
             COPY rustup /usr/local/rustup\n\
             COPY cargo /usr/local/cargo\n\
             COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n\
             ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH={PATH_ENV}\n\
             LABEL {VERSION_LABEL}=\"{version}\"\n\
             CMD [\"bash\"]\n"
        ),
    )?;
    Ok(())
}
