//! Load: 16 different programs built at once on buildkitd, cold (after `buildctl prune
//! --all`) and again after a one-line change of each (warm), every image checked to hold its
//! own program: run, it prints its own line. Times are printed, not asserted (the bench has
//! the goals).
//!
//! This test prunes buildkitd's cache, so the builds of later tests start cold.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build_opts, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_support::build_command::buildctl;
use gostage_support::cmd;
use std::time::Instant;

const PROGRAMS: usize = 16;

/// What program `n` prints in `round`.
fn line(n: usize, round: &str) -> String {
    format!("load program {n} ({round})")
}

/// Writes each program's main.go and module path for `round`.
fn write(programs: &[TempCopy], round: &str) -> Result<()> {
    for (n, program) in programs.iter().enumerate() {
        let main = program.read("main.go")?;
        let original = main
            .lines()
            .find(|text| text.contains("fmt.Println"))
            .context("main.go has no Println")?
            .to_string();
        program.write(
            "main.go",
            &main.replace(&original, &format!("\tfmt.Println({:?})", line(n, round))),
        )?;
        program.write(
            "go.mod",
            &format!("module example.com/load/program{n}\n\ngo 1.23\n"),
        )?;
    }
    Ok(())
}

/// Builds every program at once on buildkitd; returns the images in program order.
fn build_all(programs: &[TempCopy], round: &str) -> Result<Vec<String>> {
    let start = Instant::now();
    let built: Vec<Result<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = programs
            .iter()
            .enumerate()
            .map(|(n, program)| {
                scope.spawn(move || {
                    let name = format!("load-{n}");
                    build_opts(
                        Daemon::Buildctl,
                        &program.path,
                        SPEC,
                        &name,
                        &Options::platforms(&["linux/amd64"]),
                    )
                    .map(|built| built.image)
                    .with_context(|| format!("program {n}, {round}"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a build thread panicked")))
            })
            .collect()
    });
    eprintln!(
        "{PROGRAMS} programs ({round}) built at once in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    built.into_iter().collect()
}

/// Runs each image and checks it is its own program.
fn check(images: &[String], round: &str) -> Result<()> {
    for (n, image) in images.iter().enumerate() {
        cmd::docker(&["pull", "-q", image])?;
        let printed = cmd::docker(&["run", "--rm", image])?;
        ensure!(
            printed.trim() == line(n, round),
            "{image} printed {printed:?}, not program {n}'s line {:?}",
            line(n, round)
        );
    }
    Ok(())
}

#[test]
fn sixteen_programs_at_once_cold_then_warm() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let programs = (0..PROGRAMS)
        .map(|_| TempCopy::of_fixture("load-program"))
        .collect::<Result<Vec<_>>>()?;
    write(&programs, "cold")?;
    cmd::run(buildctl().args(["prune", "--all"]))?;
    let images = build_all(&programs, "cold")?;
    check(&images, "cold")?;
    write(&programs, "warm")?;
    let images = build_all(&programs, "warm")?;
    check(&images, "warm")
}
