//! The Go builder images, laid out as Docker Hub's official `golang:<v>` (Debian bookworm)
//! images: a bookworm root filesystem from mmdebstrap with the packages that image adds (C
//! toolchain, git, make, pkg-config, …), the host's Go toolchain at `/usr/local/go`, the host's
//! CA bundle, `GOPATH=/go`, `GOTOOLCHAIN=local`, `WORKDIR /go`. Pushed as
//! 127.0.0.1:5000/library/golang:<tag> and `<tag>-bookworm`, so that `golang:<tag>` resolves
//! on both daemons through the docker.io mirror.

use crate::config::{staging_dir, GOLANG_TAGS};
use crate::report::{Outcome, Report};
use anyhow::{Context, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::config::REGISTRY;
use gostage_support::{cmd, go, registry};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const REPO: &str = "library/golang";
/// Label recording the host toolchain the image holds; a different host Go rebuilds it.
const VERSION_LABEL: &str = "org.gostage.go-version";
/// Label recording how the image was made; a different [`RECIPE`] rebuilds it.
pub const RECIPE_LABEL: &str = "org.gostage.recipe";
/// Bumped whenever `stage` changes what goes into the image.
pub const RECIPE: &str = "bookworm-2";
/// What the official image has beyond Debian's minimal system (docker-library/golang's
/// bookworm Dockerfile and its buildpack-deps:bookworm-scm base, in part): the C toolchain for
/// cgo, git and the ssh client for modules from VCS (over SSH too), make, pkg-config, CA
/// certificates, zoneinfo, netbase.
const PACKAGES: &[&str] = &[
    "ca-certificates",
    "g++",
    "gcc",
    "git",
    "libc6-dev",
    "make",
    "netbase",
    "openssh-client",
    "pkg-config",
    "tzdata",
];
const PATH_ENV: &str =
    "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn up_to_date(go_version: &str) -> Result<bool> {
    for tag in tags() {
        let Some(config) = registry::config(&registry::image(REPO, &tag))? else {
            return Ok(false);
        };
        if registry::label(&config, VERSION_LABEL) != Some(go_version)
            || registry::label(&config, RECIPE_LABEL) != Some(RECIPE)
        {
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

/// Lays out `rootfs.tar`, the toolchain, the CA bundle and the Dockerfile in `dir` (new, empty).
fn stage(dir: &Path, goroot: &str, go_version: &str) -> Result<()> {
    crate::debian_rootfs::bootstrap(&dir.join("rootfs.tar"), "minbase", PACKAGES)?;
    copy_tree(Path::new(goroot), &dir.join("go"))?;
    // The host's CA bundle over Debian's, as the other stand-ins have it: what lets the host
    // reach the Go module proxy lets `go mod download` in the image reach it too.
    std::fs::copy(
        "/etc/ssl/certs/ca-certificates.crt",
        dir.join("ca-certificates.crt"),
    )
    .context("copying the host CA bundle")?;
    let golang_version = go_version.trim_start_matches("go");
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM scratch\n\
             ADD rootfs.tar /\n\
             COPY go /usr/local/go\n\
             COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n\
             ENV PATH={PATH_ENV} GOPATH=/go GOTOOLCHAIN=local GOLANG_VERSION={golang_version}\n\
             RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go\n\
             LABEL {VERSION_LABEL}={go_version} {RECIPE_LABEL}={RECIPE}\n\
             WORKDIR /go\n\
             CMD [\"bash\"]\n"
        ),
    )?;
    Ok(())
}

/// The tags each Go version is pushed as: `<tag>`, and `<tag>-bookworm` for version tags.
fn tags() -> Vec<String> {
    GOLANG_TAGS
        .iter()
        .flat_map(|tag| match tag.starts_with(|c: char| c.is_ascii_digit()) {
            true => vec![tag.to_string(), format!("{tag}-bookworm")],
            false => vec![tag.to_string()],
        })
        .collect()
}

/// Reuses the builder images when they hold the host's Go version, else builds and pushes them.
pub fn ensure(report: &mut Report) -> Result<()> {
    let go_version = go::env("GOVERSION")?;
    let tags = tags();
    let listed = tags.join(", ");
    if up_to_date(&go_version)? {
        report.add(
            "golang builder images",
            Outcome::Reused,
            format!("{go_version} on Debian bookworm as {REPO}:{{{listed}}}"),
        );
        return Ok(());
    }
    let goroot = go::env("GOROOT")?;
    let dir = staging_dir("golang-image")?;
    stage(dir.path(), &goroot, &go_version)?;
    let mut build = engine(Progress::Plain);
    for tag in &tags {
        build.args([
            "-t",
            &format!("{REGISTRY}/{REPO}:{tag}"),
            "-t",
            &format!("golang:{tag}"),
        ]);
    }
    cmd::output(build.arg(dir.path()))?;
    for tag in &tags {
        cmd::docker(&["push", "-q", &format!("{REGISTRY}/{REPO}:{tag}")])?;
    }
    report.add(
        "golang builder images",
        Outcome::Installed,
        format!("{go_version} on Debian bookworm as {REPO}:{{{listed}}}"),
    );
    Ok(())
}
