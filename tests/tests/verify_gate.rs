//! The verification gate on real daemons: a binary that is dynamically linked, one built for
//! another machine, and an entrypoint missing from the image each fail the build before the
//! result is returned, with a message at the spec line; nothing is pushed.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{try_build, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_support::build_command::{engine, Progress};
use gostage_support::cmd;
use gostage_support::config::REGISTRY;

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

/// A builder whose `go` ignores GOARCH for the program's own compiles (`-buildvcs=false`
/// marks them; gostage's helpers are built without it): the
/// golang stand-in with a wrapper in front of the real `go`.
fn builder_ignoring_goarch() -> Result<String> {
    let image = format!("{REGISTRY}/e2e/golang-wrong-arch:1.23");
    let dir = std::env::temp_dir().join(format!("gostage-wrong-arch-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("go"),
        "#!/bin/sh\ncase \" $* \" in *\" -buildvcs=false \"*) export GOARCH=arm64 ;; esac\nexec /usr/local/go/bin/go.real \"$@\"\n",
    )?;
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM golang:1.23\nRUN mv /usr/local/go/bin/go /usr/local/go/bin/go.real\nCOPY --chmod=755 go /usr/local/go/bin/go\n",
    )?;
    let result = cmd::run(engine(Progress::Plain).args(["-t", &image]).arg(&dir))
        .and_then(|_| cmd::docker(&["push", "-q", &image]));
    let _ = std::fs::remove_dir_all(&dir);
    result.context("making the builder that ignores GOARCH")?;
    Ok(image)
}

#[test]
fn a_binary_for_another_machine_fails_the_build() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let builder = builder_ignoring_goarch()?;
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
