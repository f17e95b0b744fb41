//! cgo (`build.cgo: true`) with examples/notes, an SQLite service through
//! github.com/mattn/go-sqlite3 (SQLite's C code, fetched through the Go module proxy), on the
//! default builder (the Debian bookworm `golang:1.23` stand-in with gcc):
//! - FROM scratch: the binary is static (no program interpreter) and the container stores a
//!   note and reads it back, on buildkitd and on Docker Engine 20.10;
//! - linux/amd64 + linux/arm64 in one build: each binary is a static ELF for its machine, the
//!   arm64 one (made with Debian's cross compiler) stores and reads a note under qemu-user;
//! - on a glibc base (`image.base: distroless-base`, a stand-in through `--build-context`):
//!   the binary is dynamic, its interpreter is in the image, and the container serves;
//! - a dynamic binary on scratch is refused by the gate with the two ways out.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build, build_opts, try_build, Built, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::image_fs::ImageFs;
use gostage_e2e::registry::Index;
use gostage_e2e::stand_in::{self, DISTROLESS_BASE};
use gostage_support::container::Container;
use gostage_support::elf::{self, EM_AARCH64, EM_X86_64};
use gostage_support::{cmd, temporary};
use std::process::Command;

const BINARY: &str = "usr/local/bin/notes";

/// Stores a note through the running container and reads the list back.
fn stores_and_reads(container: &Container, what: &str) -> Result<()> {
    let health = container.get("/health")?;
    ensure!(
        health.starts_with("ok sqlite 3."),
        "{what}: /health answered {health:?}, expected SQLite's version"
    );
    let id = container.post("/notes", "written through cgo")?;
    ensure!(
        id.trim() == "1",
        "{what}: POST /notes answered {id:?}, expected 1"
    );
    let notes = container.get("/notes")?;
    ensure!(
        notes.contains("1: written through cgo"),
        "{what}: GET /notes answered {notes:?}"
    );
    Ok(())
}

/// The binary in `image` as the Engine has it (`docker save`).
fn engine_binary(image: &str, what: &str) -> Result<Vec<u8>> {
    let fs = ImageFs::from_docker(image)?;
    let entry = fs
        .get(BINARY)
        .with_context(|| format!("{what}: no /{BINARY}\n{}", fs.listing()))?;
    Ok(entry.data.clone())
}

/// The binary of `platform` in a pushed index.
fn binary(built: &Built, platform: &str) -> Result<Vec<u8>> {
    let fs = Index::read(&built.image)?.fs(platform)?;
    let entry = fs
        .get(BINARY)
        .with_context(|| format!("{platform}: no /{BINARY}\n{}", fs.listing()))?;
    Ok(entry.data.clone())
}

fn scratch(daemon: Daemon) -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("notes")?;
    let built = build(daemon, &copy.path, "notes-scratch")?;
    let what = format!("notes on scratch built on {daemon}");
    let container = Container::start(&built.image, 8080)?;
    stores_and_reads(&container, &what)?;
    let info = elf::inspect(&engine_binary(&built.image, &what)?)?;
    ensure!(
        info.is_static() && info.machine == EM_X86_64,
        "{what}: /{BINARY} is {info:?}, expected a static x86-64 executable"
    );
    Ok(())
}

#[test]
fn sqlite_service_on_scratch_on_buildkitd() -> Result<()> {
    scratch(Daemon::Buildctl)
}

#[test]
fn sqlite_service_on_scratch_on_docker_engine() -> Result<()> {
    scratch(Daemon::Engine)
}

#[test]
fn sqlite_service_for_amd64_and_arm64_cross_compiled() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("notes")?;
    let options = Options::platforms(&["linux/amd64", "linux/arm64"]);
    let built = build_opts(
        Daemon::BuildxRemote,
        &copy.path,
        SPEC,
        "notes-multi",
        &options,
    )?;
    ensure!(
        built.log.contains("gcc-aarch64-linux-gnu"),
        "the arm64 cross compiler was not installed\n{}",
        built.log
    );
    for (platform, machine) in [("linux/amd64", EM_X86_64), ("linux/arm64", EM_AARCH64)] {
        let bytes = binary(&built, platform)?;
        let info = elf::inspect(&bytes)?;
        ensure!(
            info.is_static() && info.machine == machine,
            "{platform}: /{BINARY} is {info:?}, expected a static executable for machine {machine}"
        );
    }
    // The arm64 binary stores and reads a note under qemu-user.
    let directory = temporary::directory("gostage-e2e-notes-arm64")?;
    let dir = directory.path();
    let file = dir.join("notes");
    std::fs::write(&file, binary(&built, "linux/arm64")?)?;
    cmd::output(Command::new("chmod").arg("755").arg(&file))?;
    let out = cmd::output(
        Command::new("qemu-aarch64-static")
            .arg(&file)
            .arg("check")
            .env("NOTES_DB", dir.join("notes.db")),
    )?;
    ensure!(
        out.contains("note 1 stored; 1: checked") && out.starts_with("sqlite 3."),
        "the arm64 binary under qemu printed {out:?}"
    );
    Ok(())
}

#[test]
fn sqlite_service_on_a_glibc_base_links_dynamically() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let base = stand_in::distroless_base()?;
    let copy = TempCopy::of_example("notes")?;
    let spec = copy.read(SPEC)?;
    copy.write(
        SPEC,
        &spec.replace("image:\n", "image:\n  base: distroless-base\n"),
    )?;
    let options = Options::default().image_context(DISTROLESS_BASE, &base);
    let built = build_opts(Daemon::Buildctl, &copy.path, SPEC, "notes-glibc", &options)?;
    cmd::docker(&["pull", "-q", &built.image])?;
    let info = elf::inspect(&engine_binary(&built.image, "notes on the glibc base")?)?;
    ensure!(
        info.interpreter.as_deref() == Some("/lib64/ld-linux-x86-64.so.2"),
        "on distroless-base /{BINARY} is {info:?}, expected glibc's interpreter"
    );
    let container = Container::start(&built.image, 8080)?;
    stores_and_reads(&container, "notes on the glibc base")
}

#[test]
fn a_dynamic_binary_on_scratch_is_refused_with_both_choices() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // A later -extldflags replaces gostage's `-static`: the link is dynamic.
    let copy = TempCopy::of_example("notes")?;
    let spec = copy.read(SPEC)?;
    copy.write(
        SPEC,
        &spec.replace(
            "  cgo: true\n",
            "  cgo: true\n  ldflags: [\"-extldflags=-Wl,-O1\"]\n",
        ),
    )?;
    let out = try_build(Daemon::Buildctl, &copy.path, "notes-dynamic")?;
    ensure!(
        !out.success(),
        "the dynamic binary passed the gate\n{}",
        out.describe()
    );
    let text = out.combined();
    for needle in ["is dynamically linked", "distroless-base", "static"] {
        ensure!(
            text.contains(needle),
            "`{needle}` missing\n{}",
            out.describe()
        );
    }
    Ok(())
}
