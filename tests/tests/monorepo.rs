//! examples/monorepo (go.work with `use ./lib ./svc-a ./svc-b`; each service requires the
//! library and replaces it with `../lib`) built from the repository's root with
//! `-f svc-a.gostage.yaml` (`module: svc-a`), on buildkitd through buildctl:
//!
//! - in workspace mode the image prints the library's text, an edit of the library's `.go`
//!   file recompiles with the module download CACHED, and an edit of svc-b does not re-run
//!   svc-a's compile;
//! - with go.work deleted (the services' `replace` directives alone) the image prints the
//!   text too, and an edit of svc-b does not re-run svc-a's compile;
//! - `svc-a/` alone as the context fails at go.mod's `replace` line and column, with the fix,
//!   on buildkitd and on Docker Engine 20.10;
//! - the workspace build for linux/amd64 and linux/arm64 gives an aarch64 binary for arm64.
//!
//! The edits are unique per run (buildkitd's cache outlives the test), so that "ran" is never
//! an earlier run's cache hit.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build_opts, build_with, try_build, Daemon, Options};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::progress::{self, Vertex};
use gostage_e2e::registry::Index;
use gostage_support::build_command::Progress;
use gostage_support::cmd;
use gostage_support::elf::{self, EM_AARCH64, EM_X86_64};

/// svc-a's spec at the repository's root (`module: svc-a`, `main: .`).
const SPEC: &str = "svc-a.gostage.yaml";
const DOWNLOAD: &str = "go mod download";
/// svc-a's compile for the daemon's platform (its main package is `.` of the module).
const COMPILE: &str = "go build . (linux/amd64)";
/// The library's file whose text both services print.
const GREETING: &str = "lib/greeting.go";
const ORIGINAL_TEXT: &str = "hello from the shared library";
/// The binary's name: the last element of the module path `example.com/monorepo/svc-a`.
const BINARY: &str = "usr/local/bin/svc-a";

/// Nanoseconds since the epoch: makes each run's edits new to buildkitd's cache.
fn nonce() -> Result<u128> {
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos())
}

/// Builds svc-a from the root of `copy` on buildkitd as `name` (raw JSON progress), runs the
/// image and returns the build's vertices and what the container printed (trimmed).
fn build_and_run(copy: &TempCopy, name: &str) -> Result<(Vec<Vertex>, String)> {
    let built = build_with(Daemon::Buildctl, &copy.path, SPEC, name, Progress::RawJson)?;
    let printed = cmd::docker(&["run", "--rm", &built.image])?;
    Ok((
        progress::vertices_rawjson(&built.log),
        printed.trim().to_string(),
    ))
}

/// Appends a declaration unique to this run to svc-b's main.go: a change svc-a does not import.
fn edit_svc_b(copy: &TempCopy) -> Result<()> {
    copy.append(
        "svc-b/main.go",
        &format!("\nvar edited = \"svc-b edited at {}\"\n", nonce()?),
    )
}

#[test]
fn a_workspace_build_prints_the_library_and_a_library_edit_keeps_the_download() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("monorepo")?;
    let (_, printed) = build_and_run(&copy, "monorepo-workspace")?;
    ensure!(
        printed == format!("svc-a: {ORIGINAL_TEXT}"),
        "the workspace build of svc-a printed {printed:?}"
    );

    // A new text in the library's .go file: the download step keeps its inputs (go.work and
    // the go.mod files), the compile gets the new source.
    let text = format!("hello from the edited library {}", nonce()?);
    let greeting = copy.read(GREETING)?;
    ensure!(
        greeting.contains(ORIGINAL_TEXT),
        "{GREETING} no longer returns {ORIGINAL_TEXT:?}:\n{greeting}"
    );
    copy.write(GREETING, &greeting.replace(ORIGINAL_TEXT, &text))?;
    let (vertices, printed) = build_and_run(&copy, "monorepo-workspace")?;
    progress::ensure_cached(&vertices, DOWNLOAD, "after an edit of lib/greeting.go")?;
    progress::ensure_ran(&vertices, COMPILE, "after an edit of lib/greeting.go")?;
    ensure!(
        printed == format!("svc-a: {text}"),
        "after the library's edit, svc-a printed {printed:?}"
    );

    // svc-a's go.mod does not require svc-b: the compile gets svc-b's go.mod alone
    // (docs/monorepos.md, "What each step gets"), so an edit of svc-b changes nothing it sees.
    edit_svc_b(&copy)?;
    let built = build_with(
        Daemon::Buildctl,
        &copy.path,
        SPEC,
        "monorepo-workspace",
        Progress::RawJson,
    )?;
    let vertices = progress::vertices_rawjson(&built.log);
    progress::ensure_cached(&vertices, DOWNLOAD, "after an edit of svc-b/main.go")?;
    progress::ensure_cached(
        &vertices,
        COMPILE,
        "in workspace mode, after an edit of svc-b/main.go (a `use` module svc-a does not require)",
    )
}

#[test]
fn without_go_work_the_replace_builds_and_an_edit_of_the_other_service_keeps_the_compile(
) -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("monorepo")?;
    std::fs::remove_file(copy.path.join("go.work"))?;
    let (_, printed) = build_and_run(&copy, "monorepo-replace")?;
    ensure!(
        printed == format!("svc-a: {ORIGINAL_TEXT}"),
        "svc-a built through its `replace … => ../lib` printed {printed:?}"
    );

    // svc-b is neither svc-a's module nor its replacement: not an input of svc-a's steps.
    edit_svc_b(&copy)?;
    let built = build_with(
        Daemon::Buildctl,
        &copy.path,
        SPEC,
        "monorepo-replace",
        Progress::RawJson,
    )?;
    let vertices = progress::vertices_rawjson(&built.log);
    progress::ensure_cached(&vertices, DOWNLOAD, "after an edit of svc-b/main.go")?;
    progress::ensure_cached(&vertices, COMPILE, "after an edit of svc-b/main.go")
}

/// `LINE:COLUMN` (from 1) of the directory of the `replace` directive in the go.mod text.
fn replace_location(go_mod: &str, directory: &str) -> Result<(usize, usize)> {
    go_mod
        .lines()
        .enumerate()
        .find(|(_, line)| line.trim_start().starts_with("replace "))
        .and_then(|(index, line)| Some((index + 1, line.find(directory)? + 1)))
        .with_context(|| format!("no `replace … => {directory}` line in go.mod:\n{go_mod}"))
}

/// Builds `svc-a/` alone as the context (a spec without `module:`) on `daemon` and checks
/// that the build fails at go.mod's `replace` directory with the fix.
fn service_alone_fails_at_its_replace(daemon: Daemon, name: &str) -> Result<()> {
    let copy = TempCopy::of_example("monorepo")?;
    copy.write(
        "svc-a/gostage.yaml",
        "# syntax=myorg/gostage\nversion: 1\nmain: .\n",
    )?;
    let go_mod = copy.read("svc-a/go.mod")?;
    let (line, column) = replace_location(&go_mod, "../lib")?;
    let out = try_build(daemon, &copy.path.join("svc-a"), name)?;
    ensure!(
        !out.success(),
        "svc-a/ alone as the context built on {daemon}, expected it to fail\n{}",
        out.describe()
    );
    let log = out.combined();
    let location = format!("go.mod:{line}:{column}");
    ensure!(
        log.contains(&location),
        "the failed build on {daemon} does not point at {location} (the replace's directory)\n{}",
        out.describe()
    );
    for fix in [
        "outside the build context",
        "repository's root",
        "`module:`",
    ] {
        ensure!(
            log.contains(fix),
            "the error on {daemon} does not say {fix:?} (the fix)\n{}",
            out.describe()
        );
    }
    if daemon == Daemon::Buildctl {
        // buildctl prints go.mod's line from the error's source detail.
        let replace = go_mod.lines().nth(line - 1).unwrap_or_default().trim();
        let snippet = log
            .lines()
            .any(|shown| shown.contains(">>>") && shown.contains(replace));
        ensure!(
            snippet,
            "buildctl shows no source snippet marking {replace:?} (a `>>>` line)\n{}",
            out.describe()
        );
    }
    Ok(())
}

#[test]
fn a_service_alone_as_the_context_fails_at_its_replace_on_buildkitd() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    service_alone_fails_at_its_replace(Daemon::Buildctl, "monorepo-service-alone")
}

#[test]
fn a_service_alone_as_the_context_fails_at_its_replace_on_docker_engine() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    service_alone_fails_at_its_replace(Daemon::Engine, "monorepo-service-alone")
}

#[test]
fn the_workspace_builds_for_amd64_and_arm64() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let platforms = ["linux/amd64", "linux/arm64"];
    let built = build_opts(
        Daemon::Buildctl,
        &gostage_support::config::example("monorepo"),
        SPEC,
        "monorepo-multi",
        &Options::platforms(&platforms),
    )?;
    let index = Index::read(&built.image)?;
    let mut found = index.platforms();
    found.sort();
    ensure!(
        found == platforms,
        "the index of {} holds {found:?}\n{}",
        built.image,
        index.describe()
    );
    for (platform, machine) in [("linux/amd64", EM_X86_64), ("linux/arm64", EM_AARCH64)] {
        let fs = index.fs(platform)?;
        let binary = fs
            .get(BINARY)
            .with_context(|| format!("{platform}: no /{BINARY} in the image\n{}", fs.listing()))?;
        let info = elf::inspect(&binary.data)?;
        ensure!(
            info.machine == machine && info.is_static(),
            "{platform}: /{BINARY} is e_machine {} (static: {}), expected {machine}, static",
            info.machine,
            info.is_static()
        );
    }
    Ok(())
}

/// Runs without the daemons: the location the error tests expect is computed right.
#[test]
fn finds_the_replace_directory() -> Result<()> {
    let go_mod = "module m\n\ngo 1.23\n\nreplace example.com/x => ../x\n";
    assert_eq!(replace_location(go_mod, "../x")?, (5, 26));
    assert!(replace_location("module m\n", "../x").is_err());
    Ok(())
}
