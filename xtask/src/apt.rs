//! Debian packages: install the missing ones (one `apt-get update`, non-interactive).

use crate::config::DEBIAN_PACKAGES;
use crate::report::{Outcome, Report};
use anyhow::Result;
use gostage_support::cmd;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout) == "install ok installed")
        .unwrap_or(false)
}

pub fn ensure(report: &mut Report) -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| !installed(p))
        .collect();
    if missing.is_empty() {
        report.add(
            "debian packages",
            Outcome::Reused,
            DEBIAN_PACKAGES.join(" "),
        );
        return Ok(());
    }
    let apt = |args: &[&str]| {
        let mut c = Command::new("apt-get");
        c.env("DEBIAN_FRONTEND", "noninteractive")
            .args([
                "-y",
                "-q",
                "-o",
                "Dpkg::Options::=--force-confdef",
                "-o",
                "Dpkg::Options::=--force-confold",
            ])
            .args(args)
            .stdin(std::process::Stdio::null());
        c
    };
    // Keep package scripts from starting services (docker, docker-registry): `up` starts
    // them itself, with its own configuration.
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let ours = !policy.exists();
    if ours {
        std::fs::write(policy, "#!/bin/sh\n# written by cargo xtask up\nexit 101\n")?;
        std::fs::set_permissions(policy, std::fs::Permissions::from_mode(0o755))?;
    }
    let result = cmd::run_inherit(&mut apt(&["update"]))
        .and_then(|()| cmd::run_inherit(apt(&["install"]).args(&missing)));
    if ours {
        std::fs::remove_file(policy)?;
    }
    result?;
    report.add("debian packages", Outcome::Installed, missing.join(" "));
    Ok(())
}
