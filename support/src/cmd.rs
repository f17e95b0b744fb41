//! Running external commands: echo them, keep their output for failure messages, stop them
//! after a time limit.

use crate::wait::{wait_until, WaitError};
use anyhow::{bail, Context, Result};
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

/// Builds may download modules and compile; nothing the tests run should take longer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// A finished command.
pub struct Output {
    /// The command line, as [`display`] prints it.
    pub command: String,
    /// How it exited.
    pub status: ExitStatus,
    /// Everything it printed on stdout (lossy UTF-8).
    pub stdout: String,
    /// Everything it printed on stderr (lossy UTF-8).
    pub stderr: String,
}

impl Output {
    /// Whether it exited 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// stdout then stderr (BuildKit clients print progress and errors on stderr).
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The command, its status and its full output, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "`{}` exited with {}\n----- stdout -----\n{}\n----- stderr -----\n{}\n------------------",
            self.command, self.status, self.stdout, self.stderr
        )
    }
}

/// `program args...` as one line, for messages.
pub fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn reader(pipe: Option<impl Read + Send + 'static>) -> Result<JoinHandle<String>> {
    let mut pipe = pipe.context("the child has no output pipe")?;
    Ok(std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    }))
}

/// Runs `cmd` to completion whatever its exit status, echoing it as `+ command` on stderr;
/// kills it after `timeout` (None: no limit).
pub fn run_with_timeout(cmd: &mut Command, timeout: Option<Duration>) -> Result<Output> {
    let command = display(cmd);
    eprintln!("+ {command}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{command}`"))?;
    let out = reader(child.stdout.take())?;
    let err = reader(child.stderr.take())?;
    let finished = wait_until(
        &format!("`{command}` to finish"),
        timeout.unwrap_or(Duration::MAX),
        Duration::from_millis(100),
        || Ok(child.try_wait()?),
        Option::is_some,
    );
    let status = match finished {
        Ok(status) => status.context("the child exited without a status")?,
        Err(WaitError::TimedOut { .. }) => {
            let _ = child.kill();
            let _ = child.wait();
            let (stdout, stderr) = (
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default(),
            );
            bail!("`{command}` did not finish within {timeout:?}\n----- stdout -----\n{stdout}\n----- stderr -----\n{stderr}");
        }
        Err(failed) => return Err(failed.into()),
    };
    Ok(Output {
        command,
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Runs `cmd` (killed after [`DEFAULT_TIMEOUT`]) whatever its exit status: for commands
/// expected to fail, or whose failure the caller reports.
pub fn run_any(cmd: &mut Command) -> Result<Output> {
    run_with_timeout(cmd, Some(DEFAULT_TIMEOUT))
}

/// Runs `cmd` (killed after [`DEFAULT_TIMEOUT`]); fails with its full output unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<Output> {
    checked(run_any(cmd)?)
}

/// Runs `cmd` without a time limit (provisioning, benchmarks); fails with its full output
/// unless it exits 0; returns its stdout.
pub fn output(cmd: &mut Command) -> Result<String> {
    Ok(checked(run_with_timeout(cmd, None)?)?.stdout)
}

fn checked(output: Output) -> Result<Output> {
    if !output.success() {
        bail!("{}", output.describe());
    }
    Ok(output)
}

/// Runs `cmd` with its output going to ours (long steps people watch: cargo, go, apt-get);
/// fails unless it exits 0.
pub fn run_inherit(cmd: &mut Command) -> Result<()> {
    let line = display(cmd);
    eprintln!("+ {line}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed: {status}");
    }
    Ok(())
}

/// Whether `cmd` exits 0 (it is not echoed; its output is discarded).
pub fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `docker ARGS...`, checked; returns its trimmed stdout.
pub fn docker(args: &[&str]) -> Result<String> {
    Ok(run(Command::new("docker").args(args))?
        .stdout
        .trim()
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_output_and_status() -> Result<()> {
        let out = run_any(Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]))?;
        assert!(!out.success());
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str()),
            ("out\n", "err\n")
        );
        assert!(out
            .describe()
            .contains("`sh -c echo out; echo err >&2; exit 3` exited with"));
        assert!(run(&mut Command::new("false")).is_err());
        assert_eq!(output(Command::new("echo").arg("hi"))?, "hi\n");
        Ok(())
    }

    #[test]
    fn stops_at_the_time_limit() {
        let slow = run_with_timeout(
            Command::new("sleep").arg("5"),
            Some(Duration::from_millis(200)),
        );
        assert!(slow.is_err_and(|e| e.to_string().contains("did not finish")));
    }

    #[test]
    fn tells_success() {
        assert!(succeeds(&mut Command::new("true")));
        assert!(!succeeds(&mut Command::new("false")));
        assert!(!succeeds(&mut Command::new("/nonexistent/program")));
    }
}
