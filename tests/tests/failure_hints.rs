//! Go-aware hints on real failures (buildkitd through buildx): each build below really fails
//! with Go's own output, and the failed step ends with gostage's hint naming the spec line.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{try_build, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::stand_in::golang_breaking_compiles;

/// Builds `copy` on buildkitd, expecting a failure whose output has every one of `needles`.
fn expect_hint(copy: &TempCopy, name: &str, needles: &[&str]) -> Result<()> {
    let out = try_build(Daemon::BuildxRemote, &copy.path, name)?;
    ensure!(!out.success(), "the build passed\n{}", out.describe());
    let text = out.combined();
    for needle in needles {
        ensure!(
            text.contains(needle),
            "`{needle}` missing\n{}",
            out.describe()
        );
    }
    Ok(())
}

/// The 1-based line of the first line of `copy`'s spec that starts with `prefix`.
fn spec_line(copy: &TempCopy, prefix: &str) -> Result<usize> {
    copy.read(SPEC)?
        .lines()
        .position(|line| line.starts_with(prefix))
        .map(|index| index + 1)
        .with_context(|| format!("no `{prefix}` in the spec"))
}

#[test]
fn a_go_mod_newer_than_the_builder_names_the_go_line() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("hello")?;
    copy.write("go.mod", "module example.com/hello\n\ngo 1.99\n")?;
    copy.append(SPEC, "go: \"1.23\"\n")?;
    let line = spec_line(&copy, "go:")?;
    expect_hint(
        &copy,
        "hint-toolchain",
        &[
            "go.mod requires go >= 1.99",
            "gostage: the builder's Go is older than go.mod's `go` line",
            &format!("(see {SPEC}:{line})"),
        ],
    )
}

#[test]
fn a_missing_go_sum_entry_says_go_mod_tidy() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("uuid-service")?;
    std::fs::remove_file(copy.path.join("go.sum"))?;
    let line = spec_line(&copy, "main:")?;
    expect_hint(
        &copy,
        "hint-go-sum",
        &[
            "missing go.sum entry",
            "run `go mod tidy` and commit go.sum",
            &format!("(see {SPEC}:{line})"),
        ],
    )
}

#[test]
fn a_full_disk_in_the_compile_says_so() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // BuildKit gives each step a 64 MiB tmpfs at /dev/shm: with Go's work directory there,
    // compiling a package that embeds 80 MiB fills it.
    let copy = TempCopy::of_example("hello")?;
    std::fs::write(copy.path.join("blob.bin"), vec![7u8; 80 << 20])?;
    copy.write(
        "blob.go",
        "package main\n\nimport _ \"embed\"\n\n//go:embed blob.bin\nvar blob []byte\n",
    )?;
    let spec = copy.read(SPEC)?;
    copy.write(
        SPEC,
        &spec.replacen("build:\n", "build:\n  env: {GOTMPDIR: /dev/shm}\n", 1),
    )?;
    expect_hint(
        &copy,
        "hint-disk",
        &[
            "no space left on device",
            "gostage: the daemon's disk (or the tmpfs a step writes to) is full",
        ],
    )
}

#[test]
fn a_compile_out_of_memory_says_so() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let builder = golang_breaking_compiles("golang-little-memory", "ulimit -v 800000")?;
    let copy = TempCopy::of_example("hello")?;
    copy.append(SPEC, &format!("builder: {builder}\n"))?;
    let line = spec_line(&copy, "main:")?;
    expect_hint(
        &copy,
        "hint-memory",
        &[
            "out of memory",
            "gostage: the compile ran out of memory",
            "-p=1",
            &format!("(see {SPEC}:{line})"),
        ],
    )
}

#[test]
fn a_library_package_as_main_is_refused_at_its_line() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // `go build -o` of a package that is not `package main` writes an archive, not an
    // executable: the verification gate catches it at the `main:` line.
    let copy = TempCopy::of_example("hello")?;
    std::fs::create_dir_all(copy.path.join("internal/greeting"))?;
    copy.write(
        "internal/greeting/greeting.go",
        "package greeting\n\nfunc Hello() string { return \"hi\" }\n",
    )?;
    let spec = copy.read(SPEC)?;
    copy.write(
        SPEC,
        &spec.replacen("main: .\n", "main: ./internal/greeting\n", 1),
    )?;
    let line = spec_line(&copy, "main:")?;
    expect_hint(
        &copy,
        "hint-main",
        &[
            &format!("{SPEC}:{line}:"),
            "is not an ELF executable",
            "package main",
        ],
    )
}

#[test]
fn a_broken_git_directory_does_not_reach_the_compile() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // `error obtaining VCS status` needs a .git that git cannot read: gostage sends no .git
    // and compiles with -buildvcs=false, so such a module builds.
    let copy = TempCopy::of_example("hello")?;
    std::fs::create_dir_all(copy.path.join(".git"))?;
    copy.write(".git/HEAD", "not a ref\n")?;
    let out = try_build(Daemon::BuildxRemote, &copy.path, "hint-vcs")?;
    ensure!(
        out.success(),
        "a broken .git failed the build\n{}",
        out.describe()
    );
    Ok(())
}
