//! qemu-user-static binfmt_misc handlers (arm64, arm), so arm64 binaries and build steps run
//! on this amd64 host. Best effort: without them only cross-platform *runs* are unavailable.

use crate::report::{Outcome, Report};
use anyhow::{Context, Result};
use gostage_support::cmd;
use std::path::Path;
use std::process::Command;

const BINFMT: &str = "/proc/sys/fs/binfmt_misc";
const HANDLERS: &[&str] = &["qemu-aarch64", "qemu-arm"];

fn register_all() -> Result<Vec<&'static str>> {
    if !Path::new(BINFMT).join("register").exists() {
        cmd::output(Command::new("mount").args(["-t", "binfmt_misc", "binfmt_misc", BINFMT]))?;
    }
    let mut added = Vec::new();
    for name in HANDLERS {
        if Path::new(BINFMT).join(name).exists() {
            continue;
        }
        let conf = format!("/usr/lib/binfmt.d/{name}.conf");
        let line = std::fs::read_to_string(&conf).with_context(|| format!("reading {conf}"))?;
        std::fs::write(Path::new(BINFMT).join("register"), line.trim())
            .with_context(|| format!("registering {name}"))?;
        added.push(*name);
    }
    Ok(added)
}

pub fn ensure(report: &mut Report) {
    match register_all() {
        Ok(added) if added.is_empty() => {
            report.add("binfmt (qemu)", Outcome::Reused, HANDLERS.join(" "))
        }
        Ok(added) => report.add("binfmt (qemu)", Outcome::Installed, added.join(" ")),
        Err(e) => report.add("binfmt (qemu)", Outcome::Skipped, format!("{e:#}")),
    }
}
