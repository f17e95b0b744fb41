//! buildx v0.36.1 as a docker CLI plugin, and the `gostage` remote builder on buildkitd.

use crate::config::BUILDX_VERSION;
use crate::report::{Outcome, Report};
use anyhow::{bail, Context, Result};
use gostage_support::cmd;
use gostage_support::config::{bin_dir, BUILDKIT_ADDR, BUILDX_BUILDER};
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGE: &str = "github.com/docker/buildx/cmd/buildx";

fn plugin_path() -> Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home).join(".docker/cli-plugins/docker-buildx"))
}

fn reports_version(mut c: Command) -> bool {
    c.output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(BUILDX_VERSION))
        .unwrap_or(false)
}

fn binary_ok(binary: &Path) -> bool {
    let mut c = Command::new(binary);
    c.arg("version");
    reports_version(c)
}

fn ensure_plugin(report: &mut Report) -> Result<()> {
    let mut c = Command::new("docker");
    c.args(["buildx", "version"]);
    if reports_version(c) {
        report.add("buildx plugin", Outcome::Reused, BUILDX_VERSION);
        return Ok(());
    }
    let built = bin_dir().join("buildx");
    if !binary_ok(&built) {
        let ldflags = format!("-X github.com/docker/buildx/version.Version={BUILDX_VERSION}");
        cmd::run_inherit(Command::new("go").env("GOBIN", bin_dir()).args([
            "install",
            "-ldflags",
            &ldflags,
            &format!("{PACKAGE}@{BUILDX_VERSION}"),
        ]))?;
        if !binary_ok(&built) {
            bail!("{} does not report {BUILDX_VERSION}", built.display());
        }
    }
    let plugin = plugin_path()?;
    std::fs::create_dir_all(plugin.parent().context("the plugin path has no parent")?)?;
    let tmp = plugin.with_extension("tmp");
    std::fs::copy(&built, &tmp)?;
    std::fs::rename(&tmp, &plugin)?;
    report.add(
        "buildx plugin",
        Outcome::Installed,
        format!("{BUILDX_VERSION} at {}", plugin.display()),
    );
    Ok(())
}

/// `docker buildx inspect NAME` as key/value pairs, if the builder exists.
fn inspect(name: &str) -> Option<Vec<(String, String)>> {
    let out = cmd::output(Command::new("docker").args(["buildx", "inspect", name])).ok()?;
    Some(
        out.lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect(),
    )
}

fn field<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn ensure_builder(report: &mut Report) -> Result<()> {
    if let Some(fields) = inspect(BUILDX_BUILDER) {
        if field(&fields, "Driver") == Some("remote")
            && field(&fields, "Endpoint") == Some(BUILDKIT_ADDR)
        {
            report.add(
                "buildx builder",
                Outcome::Reused,
                format!("{BUILDX_BUILDER} (remote, {BUILDKIT_ADDR})"),
            );
            return Ok(());
        }
        cmd::run_inherit(Command::new("docker").args(["buildx", "rm", BUILDX_BUILDER]))?;
    }
    cmd::run_inherit(Command::new("docker").args([
        "buildx",
        "create",
        "--name",
        BUILDX_BUILDER,
        "--driver",
        "remote",
        BUILDKIT_ADDR,
    ]))?;
    cmd::docker(&["buildx", "inspect", "--bootstrap", BUILDX_BUILDER])?;
    report.add(
        "buildx builder",
        Outcome::Started,
        format!("{BUILDX_BUILDER} (remote, {BUILDKIT_ADDR})"),
    );
    Ok(())
}

/// Installs the buildx plugin and creates the remote builder, unless they are already right.
pub fn ensure(report: &mut Report) -> Result<()> {
    ensure_plugin(report)?;
    ensure_builder(report)?;
    let default = inspect("default").context("`docker buildx inspect default` failed")?;
    if field(&default, "Driver") != Some("docker") {
        bail!("the buildx builder `default` does not use the docker driver: {default:?}");
    }
    Ok(())
}
