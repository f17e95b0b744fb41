//! The verification gate on real daemons: a binary that is dynamically linked, one built for
//! another machine, and an entrypoint missing from the image each fail the build before the
//! result is returned, with a message at the spec line; nothing is pushed.

use anyhow::{ensure, Result};
use gostage_e2e::build::{try_build, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::stand_in::golang_breaking_compiles;

/// examples/hello with `key` added first under the existing top-level `section:`.
fn hello_with(section: &str, key: &str) -> Result<TempCopy> {
    let copy = TempCopy::of_example("hello")?;
    let spec = copy.read(SPEC)?;
    let header = format!("{section}:\n");
    ensure!(spec.contains(&header), "examples/hello has no `{section}:`");
    copy.write(
        SPEC,
        &spec.replacen(&header, &format!("{header}  {key}\n"), 1),
    )?;
    Ok(copy)
}

/// Builds `copy` on `daemon`, expecting the gate to refuse it with every one of `needles`.
fn expect_refused(copy: &TempCopy, daemon: Daemon, name: &str, needles: &[&str]) -> Result<()> {
    let out = try_build(daemon, &copy.path, name)?;
    ensure!(
        !out.success(),
        "the build on {daemon} passed the gate\n{}",
        out.describe()
    );
    let text = out.combined();
    for needle in needles {
        ensure!(
            text.contains(needle),
            "`{needle}` missing on {daemon}\n{}",
            out.describe()
        );
    }
    Ok(())
}

#[test]
fn a_dynamically_linked_binary_fails_the_build_at_its_main_line() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // CGO_ENABLED=0 with -buildmode=pie still links a PT_INTERP on linux/amd64.
    let copy = hello_with("build", "env: {GOFLAGS: -buildmode=pie}")?;
    for daemon in [Daemon::BuildxRemote, Daemon::Engine] {
        expect_refused(
            &copy,
            daemon,
            "gate-pie",
            &[
                "gostage.yaml:3:",
                "is dynamically linked",
                "/lib64/ld-linux-x86-64.so.2",
                "-buildmode=pie",
            ],
        )?;
    }
    Ok(())
}

#[test]
fn a_binary_for_another_machine_fails_the_build() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let builder = golang_breaking_compiles("golang-wrong-arch", "export GOARCH=arm64")?;
    let copy = TempCopy::of_example("hello")?;
    copy.append(SPEC, &format!("builder: {builder}\n"))?;
    expect_refused(
        &copy,
        Daemon::BuildxRemote,
        "gate-machine",
        &["gostage.yaml:3:", "AARCH64", "not one for linux/amd64"],
    )
}

#[test]
fn a_missing_entrypoint_fails_the_build() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = hello_with("image", "entrypoint: [/usr/local/bin/nothere]")?;
    expect_refused(
        &copy,
        Daemon::BuildxRemote,
        "gate-entrypoint",
        &["entrypoint `/usr/local/bin/nothere` is not in the image"],
    )
}
