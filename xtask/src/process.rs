//! Daemons `up` starts and watches: detached from us, their pid in a file, waited for until
//! they answer. Running commands is `gostage_support::cmd`.

use anyhow::{bail, Context, Result};
use gostage_support::cmd::display;
use gostage_support::wait;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Starts a long-running daemon detached from us (own session), output appended to `log`,
/// and records its pid in `pidfile`.
pub fn spawn_daemon(mut cmd: Command, log: &Path, pidfile: &Path) -> Result<u32> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let out = File::options().create(true).append(true).open(log)?;
    let err = out.try_clone()?;
    let line = display(&cmd);
    eprintln!("+ {line} >>{} 2>&1 &", log.display());
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start `{line}`"))?;
    std::fs::write(pidfile, format!("{}\n", child.id()))?;
    Ok(child.id())
}

/// Whether process `pid` is alive (and not a zombie).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

/// The pid recorded in `pidfile`, if that process is alive.
pub fn pid_from_file(pidfile: &Path) -> Option<u32> {
    let pid = std::fs::read_to_string(pidfile).ok()?.trim().parse().ok()?;
    alive(pid).then_some(pid)
}

/// Polls `ready` every 250 ms until it holds ([`wait::wait_until`]); fails after `timeout`, or
/// early when `pid` (the daemon we started) has exited.
pub fn wait_until(
    what: &str,
    timeout: Duration,
    pid: Option<u32>,
    mut ready: impl FnMut() -> bool,
) -> Result<()> {
    wait::wait_until(
        what,
        timeout,
        Duration::from_millis(250),
        || {
            let answered = ready();
            if let Some(pid) = pid.filter(|&pid| !answered && !alive(pid)) {
                bail!("{what}: the process (pid {pid}) exited before it was ready");
            }
            Ok(answered)
        },
        |&answered| answered,
    )?;
    Ok(())
}

/// Whether `program` is found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}
