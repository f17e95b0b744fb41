//! `golang:1.23` for linux/amd64 *and* linux/arm64, as Docker Hub's official image is, for
//! what builds on an arm64 worker: the bench's emulated Dockerfile and the two-node builder's
//! arm64 node (tests/tests/scale_out.rs). The test environment's `golang:1.23` (see
//! builder_images.rs) is amd64 only, so `cargo xtask up` pushes an index of its own,
//! [`GOLANG_MULTIARCH_REPOSITORY`]`:1.23`: the amd64 image as it is, and an arm64 image made the same way from
//! the arm64 Go distribution of the host's Go version (the module
//! `golang.org/toolchain@v0.0.1-<go version>.linux-arm64`, which is how `go` itself fetches
//! toolchains, through GOPROXY). The arm64 image has no shell (no arm64 busybox here).

use crate::builder_images::{mkdir, write_base_files, RECIPE, RECIPE_LABEL};
use crate::config::staging_dir;
use crate::report::{Outcome, Report};
use anyhow::{bail, Context, Result};
use gostage_support::build_command::{buildctl_dockerfile, Progress};
use gostage_support::config::GOLANG_MULTIARCH_REPOSITORY;
use gostage_support::{cmd, go, registry};
use oci_spec::image::Os;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const REPO: &str = GOLANG_MULTIARCH_REPOSITORY;
const TAG: &str = "1.23";
/// The label builder_images.rs puts on the amd64 image, recording the Go version inside.
const VERSION_LABEL: &str = "org.gostage.go-version";
const PATH_ENV: &str =
    "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The image reference, for `--opt context:golang:1.23=docker-image://…`.
pub fn image() -> String {
    registry::image(REPO, TAG)
}

/// The label `label` of the image for `arch` in our index, if the index exists and has it.
fn label_in_index(arch: &str, label: &str) -> Result<Option<String>> {
    let Some(index) = registry::manifest(&image())? else {
        return Ok(None);
    };
    let Some(entry) = index
        .index()
        .and_then(|index| registry::find_image(index, &Os::Linux, &arch.into()))
    else {
        return Ok(None);
    };
    let digest = entry.digest().as_ref();
    Ok(registry::config(&registry::image(REPO, digest))?
        .and_then(|config| registry::label(&config, label).map(str::to_string)))
}

/// Makes sure 127.0.0.1:5000/bench/golang:1.23 holds amd64 and arm64 images of the host's Go
/// version; returns its reference.
pub fn ensure(report: &mut Report) -> Result<()> {
    let version = go::env("GOVERSION")?;
    let amd64 = label_in_index("amd64", VERSION_LABEL)?;
    let arm64 = label_in_index("arm64", VERSION_LABEL)?;
    // The amd64 image is golang:1.23 as builder_images.rs makes it, recipe label included.
    let amd64_recipe = label_in_index("amd64", RECIPE_LABEL)?;
    if amd64.as_deref() == Some(&version)
        && arm64.as_deref() == Some(&version)
        && amd64_recipe.as_deref() == Some(RECIPE)
    {
        report.add(
            "golang amd64+arm64",
            Outcome::Reused,
            format!("{} ({version})", image()),
        );
        return Ok(());
    }
    eprintln!("==> {}: building ({version} for linux/arm64)", image());
    let dir = staging_dir("bench-golang")?;
    stage(dir.path(), &version)?;
    cmd::output(
        buildctl_dockerfile(Progress::Plain, dir.path(), dir.path()).args([
            "--opt",
            "platform=linux/amd64,linux/arm64",
            "--output",
            &format!("type=image,name={},push=true", image()),
        ]),
    )?;
    drop(dir);
    if label_in_index("arm64", VERSION_LABEL)?.as_deref() != Some(&version) {
        bail!(
            "{} has no linux/arm64 image of {version} after the build",
            image()
        );
    }
    report.add(
        "golang amd64+arm64",
        Outcome::Installed,
        format!("{} ({version})", image()),
    );
    Ok(())
}

/// The arm64 Go distribution, downloaded into the host's module cache; returns its directory.
fn arm64_toolchain(version: &str) -> Result<String> {
    let module = format!("golang.org/toolchain@v0.0.1-{version}.linux-arm64");
    let out = cmd::output(
        Command::new("go")
            .args(["mod", "download", "-json", &module])
            .current_dir(std::env::temp_dir()),
    )?;
    let info: serde_json::Value =
        serde_json::from_str(&out).with_context(|| format!("go mod download printed {out}"))?;
    Ok(info["Dir"]
        .as_str()
        .with_context(|| format!("go mod download -json {module} gave no Dir: {out}"))?
        .to_string())
}

/// The build context in `dir` (new, empty): rootfs/ for arm64 (laid out as builder_images.rs
/// does for amd64) and a Dockerfile that takes amd64 from golang:1.23 and arm64 from rootfs/.
fn stage(dir: &Path, version: &str) -> Result<()> {
    let root = dir.join("rootfs");
    mkdir(&root, 0o755)?;
    let goroot = root.join("usr/local/go");
    std::fs::create_dir_all(root.join("usr/local"))?;
    cmd::output(
        Command::new("cp")
            .arg("-r")
            .arg(arm64_toolchain(version)?)
            .arg(&goroot),
    )?;
    // Module zips keep no permissions: the module cache holds read-only files.
    cmd::output(Command::new("chmod").arg("-R").arg("u+w,a+rX").arg(&goroot))?;
    let tool_dir = goroot.join("pkg/tool/linux_arm64");
    for dir in [goroot.join("bin"), tool_dir] {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            std::fs::set_permissions(entry?.path(), std::fs::Permissions::from_mode(0o755))?;
        }
    }

    write_base_files(&root)?;

    let golang_version = version.trim_start_matches("go");
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "ARG TARGETARCH\n\
             FROM golang:{TAG} AS golang-amd64\n\
             FROM scratch AS golang-arm64\n\
             COPY rootfs/ /\n\
             ENV PATH={PATH_ENV} GOPATH=/go GOTOOLCHAIN=local GOLANG_VERSION={golang_version}\n\
             LABEL {VERSION_LABEL}={version}\n\
             WORKDIR /go\n\
             FROM golang-${{TARGETARCH}}\n"
        ),
    )?;
    Ok(())
}
