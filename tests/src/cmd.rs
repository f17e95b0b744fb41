//! Running commands with a time limit and keeping all their output for failure messages.

use anyhow::{bail, Context, Result};
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Builds may download modules and compile; nothing the tests run should take longer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// A finished command.
pub struct Output {
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
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

/// `program args...` as one line.
pub fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cmd` to completion (killed after `timeout`) whatever its exit status.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Result<Output> {
    let command = display(cmd);
    eprintln!("+ {command}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{command}`"))?;
    let reader = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = reader(Box::new(child.stdout.take().unwrap()));
    let err = reader(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            let (stdout, stderr) = (
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default(),
            );
            bail!("`{command}` did not finish within {timeout:?}\n----- stdout -----\n{stdout}\n----- stderr -----\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Ok(Output {
        command,
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Runs `cmd` whatever its exit status (for commands expected to fail).
pub fn run_any(cmd: &mut Command) -> Result<Output> {
    run_with_timeout(cmd, DEFAULT_TIMEOUT)
}

/// Runs `cmd`; fails with its full stdout and stderr unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<Output> {
    let output = run_any(cmd)?;
    if !output.success() {
        bail!("{}", output.describe());
    }
    Ok(output)
}

/// `docker ARGS...`, checked; returns trimmed stdout.
pub fn docker(args: &[&str]) -> Result<String> {
    Ok(run(Command::new("docker").args(args))?
        .stdout
        .trim()
        .to_string())
}
