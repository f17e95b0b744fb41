//! Faults: buildkitd killed in the middle of a build, a build cancelled by its client, and the
//! registry down during the push. Each must end with a clear error, leave no gostage process
//! behind, and leave the cache sound: the next build is correct (its image runs and prints
//! its own message).
//!
//! The builds use a builder whose `go` sleeps before the module's compile (the stand-in of
//! `stand_in::golang_breaking_compiles`), so the fault lands while the build is in the
//! compile step, after the frontend has planned and every image is resolved. The daemons are
//! restarted with `xtask up --skip-verify` (the binary next to this test's).

use anyhow::{anyhow, bail, ensure, Context, Result};
use gostage_e2e::build::{build_opts, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::stand_in::golang_breaking_compiles;
use gostage_support::cmd;
use gostage_support::config::{buildkitd_pidfile, registry_pidfile};
use gostage_support::wait::{wait_until, WaitError};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The line main.go of uuid-service logs at start, which the tests make unique.
const LOGGED: &str = "log.Printf(\"uuid-service listening on %s\", addr)";

/// uuid-service with a unique start message and, when given, `builder:`.
fn service(builder: Option<&str>, message: &str) -> Result<TempCopy> {
    let copy = TempCopy::of_example("uuid-service")?;
    let main = copy.read("cmd/uuid-service/main.go")?;
    ensure!(main.contains(LOGGED), "main.go no longer logs {LOGGED}");
    copy.write(
        "cmd/uuid-service/main.go",
        &main.replace(LOGGED, &format!("log.Printf({message:?} + \" %s\", addr)")),
    )?;
    if let Some(builder) = builder {
        copy.append(SPEC, &format!("builder: {builder}\n"))?;
    }
    Ok(copy)
}

/// A build of `copy` on buildkitd in the background, its output going to a file.
fn start(copy: &TempCopy, name: &str) -> Result<(Child, PathBuf)> {
    let log = copy.path.join("build.log");
    let out = std::fs::File::create(&log)?;
    let mut command = Daemon::Buildctl.command(
        &copy.path,
        SPEC,
        name,
        &Options::platforms(&["linux/amd64"]),
    )?;
    let child = command
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .context("starting buildctl")?;
    Ok((child, log))
}

/// Waits until the file `log` contains `needle`.
fn wait_for(log: &Path, needle: &str, timeout: Duration) -> Result<()> {
    wait_until(
        &format!("`{needle}` in {}", log.display()),
        timeout,
        Duration::from_millis(200),
        || Ok(std::fs::read_to_string(log).unwrap_or_default()),
        |text| text.contains(needle),
    )
    .map_err(|error| match error {
        WaitError::TimedOut { last, .. } => anyhow!("no `{needle}` after {timeout:?}:\n{last}"),
        failed => failed.into(),
    })?;
    Ok(())
}

/// Waits for `child` to exit; its output (the file `log`) and whether it succeeded.
fn finish(mut child: Child, log: &Path, timeout: Duration) -> Result<(bool, String)> {
    let exited = wait_until(
        "the client to end",
        timeout,
        Duration::from_millis(200),
        || Ok(child.try_wait()?),
        Option::is_some,
    );
    match exited {
        Ok(status) => Ok((
            status.is_some_and(|status| status.success()),
            std::fs::read_to_string(log)?,
        )),
        Err(WaitError::TimedOut { .. }) => {
            let _ = child.kill();
            bail!(
                "the client did not end within {timeout:?}:\n{}",
                std::fs::read_to_string(log)?
            );
        }
        Err(failed) => Err(failed.into()),
    }
}

/// The last `n` lines of `output`, for the test log.
fn tail(output: &str, n: usize) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Sends `signal` to the process whose pid is in `pidfile`.
fn signal(pidfile: &Path, signal: &str) -> Result<()> {
    let pid = std::fs::read_to_string(pidfile)
        .with_context(|| format!("reading {}", pidfile.display()))?;
    cmd::run(Command::new("kill").args([signal, pid.trim()]))?;
    Ok(())
}

/// Restarts whatever daemon is down (`xtask up --skip-verify`).
fn restart_daemons() -> Result<()> {
    let exe = std::env::current_exe()?;
    let xtask = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("xtask"))
        .context("no directory above the test binary")?;
    cmd::run(Command::new(xtask).args(["up", "--skip-verify"]))?;
    Ok(())
}

/// Processes whose command line (NUL-separated arguments) satisfies `matches`.
fn processes(matches: impl Fn(&[&str]) -> bool) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let text = String::from_utf8_lossy(&cmdline);
            let arguments: Vec<&str> = text.split('\0').filter(|a| !a.is_empty()).collect();
            matches(&arguments).then_some(pid)
        })
        .collect()
}

/// The frontend processes (BuildKit runs the image's entrypoint, `/gostage`, with no
/// arguments).
fn frontends() -> Vec<u32> {
    processes(|arguments| arguments == ["/gostage"])
}

/// The sleeping `go` wrappers of the builder (`sleep 600` before the compile).
fn sleeping_compiles() -> Vec<u32> {
    processes(|arguments| arguments == ["sleep", "600"])
}

/// The next build of a fresh copy succeeds and its image prints its own message.
fn next_build_is_correct(name: &str) -> Result<()> {
    let message = format!("after the fault in {name}");
    let copy = service(None, &message)?;
    let built = build_opts(
        Daemon::Buildctl,
        &copy.path,
        SPEC,
        name,
        &Options::platforms(&["linux/amd64"]),
    )?;
    cmd::docker(&["pull", "-q", &built.image])?;
    let container = cmd::docker(&["run", "-d", "--rm", &built.image])?;
    let container = container.trim().to_string();
    // Judged below, also when the message never came.
    let logs = wait_until(
        &format!("the container to log {message:?}"),
        Duration::from_secs(20),
        Duration::from_millis(200),
        || Ok(cmd::run_any(Command::new("docker").args(["logs", &container]))?.combined()),
        |logs| logs.contains(&message),
    )
    .or_else(WaitError::into_last)?;
    let _ = cmd::docker(&["rm", "-f", &container]);
    ensure!(
        logs.contains(&message),
        "the image built after the fault does not log {message:?}: {logs}"
    );
    Ok(())
}

fn sleeping_builder() -> Result<String> {
    golang_breaking_compiles("golang-sleeping", "sleep 600")
}

#[test]
fn buildkitd_killed_mid_build_fails_clearly_and_the_next_build_succeeds() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let builder = sleeping_builder()?;
    let copy = service(Some(&builder), "killed daemon")?;
    let (child, log) = start(&copy, "fault-daemon-killed")?;
    wait_for(
        &log,
        "go build ./cmd/uuid-service",
        Duration::from_secs(300),
    )?;
    signal(&buildkitd_pidfile(), "-KILL")?;
    let finished = finish(child, &log, Duration::from_secs(60));
    restart_daemons()?;
    // The killed daemon's build containers outlive it; the sleeping compile is ours to end.
    for pid in sleeping_compiles() {
        let _ = cmd::run_any(Command::new("kill").arg(pid.to_string()));
    }
    let (succeeded, output) = finished?;
    ensure!(
        !succeeded,
        "the build succeeded although buildkitd was killed:\n{output}"
    );
    eprintln!(
        "the client after buildkitd was killed:\n{}",
        tail(&output, 2)
    );
    // buildctl names the broken connection to the daemon.
    ensure!(
        [
            "Unavailable",
            "error reading from server",
            "connection reset",
            "EOF"
        ]
        .iter()
        .any(|text| output.contains(text)),
        "the client's error does not say the daemon went away:\n{output}"
    );
    next_build_is_correct("fault-after-daemon-killed")
}

#[test]
fn a_cancelled_build_stops_the_frontend_and_the_compile() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let builder = sleeping_builder()?;
    let copy = service(Some(&builder), "cancelled build")?;
    let (child, log) = start(&copy, "fault-cancelled")?;
    wait_for(
        &log,
        "go build ./cmd/uuid-service",
        Duration::from_secs(300),
    )?;
    // Judged below, also when the compile never started.
    wait_until(
        "the compile step to start",
        Duration::from_secs(30),
        Duration::from_millis(200),
        || Ok(sleeping_compiles()),
        |compiles| !compiles.is_empty(),
    )
    .or_else(WaitError::into_last)?;
    ensure!(
        !frontends().is_empty(),
        "no gostage frontend process is running"
    );
    ensure!(
        !sleeping_compiles().is_empty(),
        "the compile step is not running"
    );
    // Ctrl-C: buildctl cancels the solve.
    cmd::run(Command::new("kill").args(["-INT", &child.id().to_string()]))?;
    let (succeeded, output) = finish(child, &log, Duration::from_secs(60))?;
    ensure!(!succeeded, "the cancelled build succeeded:\n{output}");
    eprintln!("the cancelled client:\n{}", tail(&output, 2));
    let cancelled = Instant::now();
    // Judged below, also when they outlive the time limit.
    wait_until(
        "the frontend and the compile to end",
        Duration::from_secs(20),
        Duration::from_millis(200),
        || Ok((frontends(), sleeping_compiles())),
        |(frontends, compiles)| frontends.is_empty() && compiles.is_empty(),
    )
    .or_else(WaitError::into_last)?;
    ensure!(
        frontends().is_empty(),
        "the frontend still runs {:?} after the client cancelled",
        cancelled.elapsed()
    );
    ensure!(
        sleeping_compiles().is_empty(),
        "the compile still runs {:?} after the client cancelled",
        cancelled.elapsed()
    );
    eprintln!(
        "frontend and compile gone {:.1}s after the cancel",
        cancelled.elapsed().as_secs_f64()
    );
    next_build_is_correct("fault-after-cancel")
}

#[test]
fn the_registry_down_during_the_push_fails_clearly() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let builder = golang_breaking_compiles("golang-slow", "sleep 5")?;
    let copy = service(Some(&builder), "registry down")?;
    let (child, log) = start(&copy, "fault-registry-down")?;
    wait_for(
        &log,
        "go build ./cmd/uuid-service",
        Duration::from_secs(300),
    )?;
    signal(&registry_pidfile(), "-TERM")?;
    // The registry comes back whatever happened, for the tests after this one.
    let finished = finish(child, &log, Duration::from_secs(120));
    restart_daemons()?;
    let (succeeded, output) = finished?;
    ensure!(
        !succeeded,
        "the push succeeded with the registry down:\n{output}"
    );
    eprintln!("the client with the registry down:\n{}", tail(&output, 2));
    ensure!(
        output.contains("127.0.0.1:5000") && output.contains("connection refused"),
        "the error does not name the registry and the refused connection:\n{output}"
    );
    next_build_is_correct("fault-after-registry-down")
}
