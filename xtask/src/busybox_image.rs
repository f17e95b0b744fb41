//! The stand-in for `busybox:1.36-musl`, the static busybox the frontend's `debug` target
//! copies: the host's Debian `busybox-static` (`/bin/busybox`), laid out as the official image
//! (`/bin/busybox` plus one hard link per applet), FROM scratch, pushed as
//! 127.0.0.1:5000/library/busybox:1.36-musl so that both daemons find it through the docker.io
//! mirror. linux/amd64 only: an arm64 busybox would need Debian's arm64 package, which the
//! host cannot install without adding a foreign dpkg architecture.

use crate::builder_images::mkdir;
use crate::config::staging_dir;
use crate::report::{Outcome, Report};
use anyhow::{Context, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::config::REGISTRY;
use gostage_support::{cmd, registry};
use std::path::Path;
use std::process::Command;

const REPO: &str = "library/busybox";
/// The tag the frontend asks for (`plan::BUSYBOX`).
const TAG: &str = "1.36-musl";
/// The host's static busybox (Debian package `busybox-static`).
const HOST_BUSYBOX: &str = "/bin/busybox";

/// Lays out `dir/rootfs/bin` and the Dockerfile in `dir` (new, empty).
fn stage(dir: &Path) -> Result<()> {
    let bin = dir.join("rootfs/bin");
    mkdir(&bin, 0o755)?;
    let busybox = bin.join("busybox");
    std::fs::copy(HOST_BUSYBOX, &busybox).context("copying /bin/busybox")?;
    let applets = cmd::output(Command::new(HOST_BUSYBOX).arg("--list"))?;
    // `--list` names `busybox` itself too: it is the file the links point at.
    for applet in applets
        .lines()
        .map(str::trim)
        .filter(|applet| !applet.is_empty() && *applet != "busybox")
    {
        std::fs::hard_link(&busybox, bin.join(applet))?;
    }
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY rootfs/ /\nCMD [\"sh\"]\n",
    )?;
    Ok(())
}

/// Reuses the image when the registry has it, else builds and pushes it.
pub fn ensure(report: &mut Report) -> Result<()> {
    let image = format!("{REPO}:{TAG}");
    if registry::config(&registry::image(REPO, TAG))?.is_some() {
        report.add("busybox stand-in", Outcome::Reused, image);
        return Ok(());
    }
    let dir = staging_dir("busybox-image")?;
    stage(dir.path())?;
    let tagged = format!("{REGISTRY}/{image}");
    cmd::output(
        engine(Progress::Plain)
            .args(["-t", &tagged])
            .arg(dir.path()),
    )?;
    cmd::docker(&["push", &tagged])?;
    report.add(
        "busybox stand-in",
        Outcome::Installed,
        format!("{image} (linux/amd64, from {HOST_BUSYBOX})"),
    );
    Ok(())
}
