//! The Go builder images: the host Go toolchain + busybox + CA bundle + zoneinfo, FROM scratch,
//! pushed as 127.0.0.1:5000/library/golang:<tag> so that `golang:<tag>` resolves on both daemons
//! through the docker.io mirror.

use crate::config::{scratch_dir, GOLANG_TAGS};
use crate::report::{Outcome, Report};
use anyhow::{Context, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::config::REGISTRY;
use gostage_support::{cmd, go, registry};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Command;

const REPO: &str = "library/golang";
/// Label recording the host toolchain the image holds; a different host Go rebuilds it.
const VERSION_LABEL: &str = "org.gostage.go-version";
const PATH_ENV: &str =
    "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn up_to_date(go_version: &str) -> Result<bool> {
    for tag in GOLANG_TAGS {
        let Some(config) = registry::config(&registry::image(REPO, tag))? else {
            return Ok(false);
        };
        if config["config"]["Labels"][VERSION_LABEL].as_str() != Some(go_version) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The files every Go builder image gets besides the toolchain, as in the official image: the
/// host CA bundle, passwd/group with root, `/root`, a sticky `/tmp` and the GOPATH dirs.
pub fn write_base_files(root: &Path) -> Result<()> {
    mkdir(&root.join("etc/ssl/certs"), 0o755)?;
    std::fs::copy(
        "/etc/ssl/certs/ca-certificates.crt",
        root.join("etc/ssl/certs/ca-certificates.crt"),
    )
    .context("copying the host CA bundle")?;
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n",
    )?;
    std::fs::write(root.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n")?;
    mkdir(&root.join("root"), 0o700)?;
    mkdir(&root.join("tmp"), 0o1777)?;
    for d in ["go", "go/bin", "go/src"] {
        mkdir(&root.join(d), 0o1777)?;
    }
    Ok(())
}

/// Creates `path` (and its parents) and gives it `mode`.
pub fn mkdir(path: &Path, mode: u32) -> Result<()> {
    std::fs::create_dir_all(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    cmd::output(Command::new("cp").arg("-a").arg(from).arg(to))?;
    Ok(())
}

/// Lays out the root filesystem and the Dockerfile in `dir`.
fn stage(dir: &Path, goroot: &str, go_version: &str) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let root = dir.join("rootfs");
    mkdir(&root, 0o755)?;
    copy_tree(Path::new(goroot), &root.join("usr/local/go"))?;

    mkdir(&root.join("bin"), 0o755)?;
    std::fs::copy("/bin/busybox", root.join("bin/busybox")).context("copying /bin/busybox")?;
    let applets = cmd::output(Command::new("/bin/busybox").arg("--list"))?;
    for applet in applets
        .lines()
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "busybox")
    {
        symlink("busybox", root.join("bin").join(applet))?;
    }

    write_base_files(&root)?;
    copy_tree(
        Path::new("/usr/share/zoneinfo"),
        &root.join("usr/share/zoneinfo"),
    )?;

    let golang_version = go_version.trim_start_matches("go");
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM scratch\n\
             COPY rootfs/ /\n\
             ENV PATH={PATH_ENV} GOPATH=/go GOTOOLCHAIN=local GOLANG_VERSION={golang_version}\n\
             LABEL {VERSION_LABEL}={go_version}\n\
             WORKDIR /go\n\
             CMD [\"sh\"]\n"
        ),
    )?;
    Ok(())
}

/// Reuses the builder images when they hold the host's Go version, else builds and pushes them.
pub fn ensure(report: &mut Report) -> Result<()> {
    let go_version = go::env("GOVERSION")?;
    let tags = GOLANG_TAGS.join(", ");
    if up_to_date(&go_version)? {
        report.add(
            "golang builder images",
            Outcome::Reused,
            format!("{go_version} as {REPO}:{{{tags}}}"),
        );
        return Ok(());
    }
    let goroot = go::env("GOROOT")?;
    let dir = scratch_dir("golang-image");
    stage(&dir, &goroot, &go_version)?;
    let mut build = engine(Progress::Plain);
    for tag in GOLANG_TAGS {
        build.args([
            "-t",
            &format!("{REGISTRY}/{REPO}:{tag}"),
            "-t",
            &format!("golang:{tag}"),
        ]);
    }
    cmd::output(build.arg(&dir))?;
    for tag in GOLANG_TAGS {
        cmd::docker(&["push", &format!("{REGISTRY}/{REPO}:{tag}")])?;
    }
    std::fs::remove_dir_all(&dir)?;
    report.add(
        "golang builder images",
        Outcome::Installed,
        format!("{go_version} as {REPO}:{{{tags}}}"),
    );
    Ok(())
}
