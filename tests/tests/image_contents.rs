//! What the hello image holds and how it runs: non-root, no shell, a static binary, and only
//! the files a Go service needs.

use anyhow::{bail, ensure, Context, Result};
use gostage_e2e::build::{build, build_oci, Daemon};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::image_fs::{ImageFs, Kind};
use gostage_support::config::example;
use gostage_support::container::Container;
use gostage_support::elf;

const USER: &str = "65532:65532";
const BINARY: &str = "usr/local/bin/hello";

/// Directories that may appear only because they lead to an allowed file.
const PARENT_DIRS: &[&str] = &[
    "etc",
    "etc/ssl",
    "etc/ssl/certs",
    "usr",
    "usr/local",
    "usr/local/bin",
    "usr/share",
    "usr/share/zoneinfo",
];

/// Whether `path` belongs in a gostage image FROM scratch.
fn allowed(path: &str, kind: Kind) -> bool {
    if PARENT_DIRS.contains(&path) {
        return kind == Kind::Dir;
    }
    match path {
        "etc/ssl/certs/ca-certificates.crt" | "etc/passwd" | "etc/group" => kind == Kind::File,
        "tmp" => kind == Kind::Dir,
        _ => {
            path.starts_with("usr/share/zoneinfo/")
                || path
                    .strip_prefix("usr/local/bin/")
                    .is_some_and(|b| !b.contains('/') && kind == Kind::File)
        }
    }
}

/// The filesystem and config checks, whichever daemon built the image.
fn check_image(fs: &ImageFs, origin: &str) -> Result<()> {
    let listing = || format!("{origin}: image filesystem:\n{}", fs.listing());
    let user = fs.runtime_config().user().clone().unwrap_or_default();
    ensure!(
        user == USER,
        "{origin}: config User is {user:?}, expected {USER:?}"
    );

    for shell in ["bin/sh", "bin/bash", "bin/busybox"] {
        ensure!(
            fs.get(shell).is_none(),
            "{origin}: the image has /{shell}\n{}",
            listing()
        );
    }
    let unexpected: Vec<String> = fs
        .entries
        .iter()
        .filter(|(path, entry)| !allowed(path, entry.kind))
        .map(|(path, entry)| format!("/{path} ({:?})", entry.kind))
        .collect();
    ensure!(
        unexpected.is_empty(),
        "{origin}: unexpected paths in the image: {unexpected:?}\n{}",
        listing()
    );

    for required in [
        "etc/ssl/certs/ca-certificates.crt",
        "etc/passwd",
        "etc/group",
        "usr/share/zoneinfo/America/New_York",
        BINARY,
    ] {
        ensure!(
            fs.get(required).is_some(),
            "{origin}: the image lacks /{required}\n{}",
            listing()
        );
    }
    let tmp = fs
        .get("tmp")
        .with_context(|| format!("{origin}: the image has no /tmp\n{}", listing()))?;
    ensure!(
        tmp.kind == Kind::Dir && tmp.mode == 0o1777,
        "{origin}: /tmp is {:?} mode {:o}, expected a directory with mode 1777",
        tmp.kind,
        tmp.mode
    );

    let binary = fs
        .get(BINARY)
        .with_context(|| format!("{origin}: the image lacks /{BINARY}"))?;
    let info = elf::inspect(&binary.data).with_context(|| format!("{origin}: /{BINARY}"))?;
    ensure!(
        info.interpreter.is_none(),
        "{origin}: /{BINARY} is dynamically linked (PT_INTERP {:?})",
        info.interpreter
    );
    ensure!(
        info.is_static(),
        "{origin}: /{BINARY} needs shared libraries {:?}",
        info.libraries
    );
    Ok(())
}

#[test]
fn hello_image_on_docker_engine_is_minimal_and_non_root() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let built = build(Daemon::Engine, &example("hello"), "hello-contents")?;
    let fs = ImageFs::from_docker(&built.image)?;
    check_image(&fs, "docker engine")?;

    let container = Container::start(&built.image, 8080)?;
    let body = container.get("/runtime")?;
    let report: serde_json::Value =
        serde_json::from_str(&body).with_context(|| format!("/runtime answered {body:?}"))?;
    let fail = |what: &str| -> Result<()> { bail!("/runtime: {what}; the report: {report}") };
    if report["uid"] != 65532 || report["gid"] != 65532 {
        fail("expected uid and gid 65532")?;
    }
    if report["new_york_time_zone"] != "-04:00" {
        fail("expected new_york_time_zone \"-04:00\" (zoneinfo in the image)")?;
    }
    if report["ca_certificates"].as_u64().unwrap_or(0) == 0 {
        fail("expected ca_certificates > 0 (the CA bundle in the image)")?;
    }
    if report["temp_dir_writable"] != true {
        fail("expected temp_dir_writable true (/tmp with mode 1777)")?;
    }
    Ok(())
}

#[test]
fn hello_image_on_buildkitd_is_minimal_and_non_root() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("hello")?;
    let dest = copy.path.with_extension("oci.tar");
    let result = build_oci(&copy.path, &dest).and_then(|_| ImageFs::from_archive(&dest));
    let _ = std::fs::remove_file(&dest);
    check_image(&result?, "buildkitd (buildctl, OCI export)")
}
