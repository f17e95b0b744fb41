//! Spec errors fail the build and point at gostage.yaml:LINE:COLUMN (both daemons); buildctl
//! also shows BuildKit's source snippet of the offending line.

use anyhow::{ensure, Result};
use gostage_e2e::build::{try_build, Daemon};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;

/// A broken spec for examples/hello, and where the error must point.
struct Case {
    name: &'static str,
    spec: &'static str,
    line: u32,
    column: u32,
    /// The offending line's text, which the source snippet shows.
    snippet: &'static str,
}

const UNKNOWN_KEY: Case = Case {
    name: "unknown-key",
    spec: "# syntax=myorg/gostage\nversion: 1\nmain: .\nimage:\n  ports: [8080]\n  colour: blue\n",
    line: 6,
    column: 3,
    snippet: "colour: blue",
};

const WRONG_TYPE: Case = Case {
    name: "wrong-type",
    spec: "# syntax=myorg/gostage\nversion: 1\nmain: .\nimage:\n  ports: lots\n",
    line: 5,
    column: 10,
    snippet: "ports: lots",
};

const MISSING_MAIN: Case = Case {
    name: "missing-main",
    spec: "# syntax=myorg/gostage\nversion: 1\nmain: ./cmd/missing\nimage:\n  ports: [8080]\n",
    line: 3,
    column: 7,
    snippet: "main: ./cmd/missing",
};

const MISSING_FILE: Case = Case {
    name: "missing-file",
    spec: "# syntax=myorg/gostage\nversion: 1\nmain: .\nfiles:\n  - src: config/missing.json\n    dst: /etc/app/\n",
    line: 5,
    column: 10,
    snippet: "src: config/missing.json",
};

fn check(case: &Case, daemon: Daemon) -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("hello")?;
    copy.write("gostage.yaml", case.spec)?;
    let out = try_build(daemon, &copy.path, &format!("error-{}", case.name))?;
    let log = out.combined();
    ensure!(
        !out.success(),
        "{}: the build on {daemon} succeeded, expected it to fail\n{}",
        case.name,
        out.describe()
    );
    let location = format!("gostage.yaml:{}:{}", case.line, case.column);
    ensure!(
        log.contains(&location),
        "{}: the failed build on {daemon} does not point at {location}\nspec:\n{}\n{}",
        case.name,
        case.spec,
        out.describe()
    );
    if daemon == Daemon::Buildctl {
        let snippet = log
            .lines()
            .any(|l| l.contains(">>>") && l.contains(case.snippet));
        ensure!(
            snippet,
            "{}: buildctl shows no source snippet marking {:?} (a `>>>` line)\n{}",
            case.name,
            case.snippet,
            out.describe()
        );
    }
    Ok(())
}

#[test]
fn unknown_key_on_docker_engine() -> Result<()> {
    check(&UNKNOWN_KEY, Daemon::Engine)
}

#[test]
fn unknown_key_on_buildkitd() -> Result<()> {
    check(&UNKNOWN_KEY, Daemon::Buildctl)
}

#[test]
fn wrong_type_on_docker_engine() -> Result<()> {
    check(&WRONG_TYPE, Daemon::Engine)
}

#[test]
fn wrong_type_on_buildkitd() -> Result<()> {
    check(&WRONG_TYPE, Daemon::Buildctl)
}

#[test]
fn missing_main_on_docker_engine() -> Result<()> {
    check(&MISSING_MAIN, Daemon::Engine)
}

#[test]
fn missing_main_on_buildkitd() -> Result<()> {
    check(&MISSING_MAIN, Daemon::Buildctl)
}

#[test]
fn missing_file_source_on_docker_engine() -> Result<()> {
    check(&MISSING_FILE, Daemon::Engine)
}

#[test]
fn missing_file_source_on_buildkitd() -> Result<()> {
    check(&MISSING_FILE, Daemon::Buildctl)
}

/// A Go compile error is reported by BuildKit at the `main:` line of gostage.yaml (the frontend
/// maps the compile step to it in the definition's source map), next to the compiler's message.
#[test]
fn compile_error_points_at_main_on_buildkitd() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("hello")?;
    copy.append("main.go", "\nfunc broken() { undefinedCall() }\n")?;
    let out = try_build(Daemon::Buildctl, &copy.path, "error-compile")?;
    let log = out.combined();
    ensure!(
        !out.success(),
        "a build of code that does not compile succeeded\n{}",
        out.describe()
    );
    ensure!(
        log.contains("undefined: undefinedCall"),
        "the Go compiler's message is missing\n{}",
        out.describe()
    );
    let marked = log
        .lines()
        .any(|line| line.contains(">>>") && line.contains("main: ."));
    ensure!(
        log.contains("gostage.yaml:3") && marked,
        "the compile failure is not reported at gostage.yaml:3 (`main: .`)\n{}",
        out.describe()
    );
    Ok(())
}
