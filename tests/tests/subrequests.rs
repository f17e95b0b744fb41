//! `docker buildx build --call=…` through the gostage frontend on buildkitd: the subrequests
//! are answered from the spec without building, as buildx prints them, with buildx's exit
//! status (`--call=check` fails when a rule fires).

use anyhow::{ensure, Result};
use gostage_e2e::build::{build, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_support::build_command::{buildx_remote, Progress};
use gostage_support::cmd::{self, Output};

/// `docker buildx build --call=<call> -f gostage.yaml <extra> <context>` on buildkitd.
fn call(copy: &TempCopy, call: &str, extra: &[&str]) -> Result<Output> {
    let mut command = buildx_remote(Progress::Plain);
    command
        .arg(format!("--call={call}"))
        .arg("-f")
        .arg(copy.path.join(SPEC))
        .args(extra)
        .arg(&copy.path);
    cmd::run_any(&mut command)
}

/// examples/hello whose image runs as root (`image.user: 0`), and that line's number.
fn hello_as_root() -> Result<(TempCopy, usize)> {
    let copy = hello_with("")?;
    let spec = copy
        .read(SPEC)?
        .replacen("image:\n", "image:\n  user: 0\n", 1);
    copy.write(SPEC, &spec)?;
    let line = spec
        .lines()
        .position(|line| line.contains("user: 0"))
        .map_or(0, |index| index + 1);
    Ok((copy, line))
}

/// examples/hello with `extra` appended to its spec.
fn hello_with(extra: &str) -> Result<TempCopy> {
    let copy = TempCopy::of_example("hello")?;
    copy.append(SPEC, extra)?;
    Ok(copy)
}

#[test]
fn call_targets_lists_every_target_with_image_the_default() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = hello_with("")?;
    let out = call(&copy, "targets", &[])?;
    ensure!(out.success(), "--call=targets failed\n{}", out.describe());
    let text = out.stdout.clone();
    for expected in ["image (default)", "binary", "test", "debug"] {
        ensure!(
            text.contains(expected),
            "`{expected}` missing\n{}",
            out.describe()
        );
    }
    let json = call(&copy, "targets,format=json", &[])?;
    ensure!(
        json.success(),
        "--call=targets,format=json failed\n{}",
        json.describe()
    );
    let document: serde_json::Value = serde_json::from_str(json.stdout.trim())?;
    ensure!(
        document["targets"][0]["name"] == "image" && document["targets"][0]["default"] == true,
        "unexpected targets document: {document}"
    );
    Ok(())
}

#[test]
fn call_outline_lists_build_args_with_their_values_and_the_netrc_secret() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = hello_with("")?;
    let out = call(
        &copy,
        "outline",
        &[
            "--build-arg",
            "GOPROXY=https://proxy.invalid",
            "--build-arg",
            "VERSION=1.2.3",
        ],
    )?;
    ensure!(out.success(), "--call=outline failed\n{}", out.describe());
    let text = out.stdout.clone();
    for expected in [
        "VERSION",
        "1.2.3",
        "SOURCE_DATE_EPOCH",
        "GOPROXY",
        "https://proxy.invalid",
        "netrc",
    ] {
        ensure!(
            text.contains(expected),
            "`{expected}` missing\n{}",
            out.describe()
        );
    }
    Ok(())
}

#[test]
fn call_check_fails_on_a_finding_and_passes_a_clean_spec() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let (root, line) = hello_as_root()?;
    let out = call(&root, "check", &[])?;
    ensure!(
        out.status.code() == Some(1),
        "--call=check of a spec running as root should exit 1\n{}",
        out.describe()
    );
    let text = out.combined();
    ensure!(
        text.contains("RunsAsRoot") && text.contains(&format!("{SPEC}:{line}")),
        "the RunsAsRoot warning at {SPEC}:{line} is missing\n{}",
        out.describe()
    );

    let clean = hello_with("")?;
    let out = call(&clean, "check", &[])?;
    ensure!(
        out.success(),
        "--call=check of examples/hello failed\n{}",
        out.describe()
    );
    ensure!(
        out.combined().contains("no warnings"),
        "no `no warnings` line\n{}",
        out.describe()
    );

    let broken = hello_with("mian: .\n")?;
    let out = call(&broken, "check", &[])?;
    ensure!(
        !out.success(),
        "--call=check of an invalid spec passed\n{}",
        out.describe()
    );
    ensure!(
        out.combined().contains("mian"),
        "the invalid key is not named\n{}",
        out.describe()
    );
    Ok(())
}

#[test]
fn call_describe_lists_the_subrequests() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = hello_with("")?;
    let out = call(&copy, "subrequests.describe", &[])?;
    ensure!(
        out.success(),
        "--call=subrequests.describe failed\n{}",
        out.describe()
    );
    for name in ["outline", "targets", "lint", "subrequests.describe"] {
        ensure!(
            out.stdout.contains(name),
            "`{name}` missing\n{}",
            out.describe()
        );
    }
    Ok(())
}

#[test]
fn a_build_warns_of_lint_findings_where_the_daemon_can_and_builds_everywhere() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let (copy, line) = hello_as_root()?;
    let built = build(Daemon::BuildxRemote, &copy.path, "lint-warnings")?;
    ensure!(
        built.log.contains("RunsAsRoot") && built.log.contains(&format!("(line {line})")),
        "buildkitd build shows no RunsAsRoot warning at line {line}\n{}",
        built.log
    );
    // Docker Engine 20.10's BuildKit has no gateway.warnings: the build just succeeds.
    build(Daemon::Engine, &copy.path, "lint-warnings")?;
    Ok(())
}
