//! The `load` case: 16 different programs (tests/fixtures/load-program, each with its own
//! module path and message, linking net/http) built at once on one buildkitd, cold, against
//! one of them built alone, cold. gostage's goal: the 16 take at most 4× the one. Also the
//! 16 at once with `cache.export`, whose standard library compile is one step all 16 share.

use super::section::Section;
use super::timing::{prune, prune_command};
use crate::config::scratch_dir;
use anyhow::{Context, Result};
use gostage_support::build_command::{buildctl_dockerfile, Progress};
use gostage_support::config::{workspace_root, REGISTRY};
use gostage_support::{cmd, go};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// How many programs build at once.
pub const PROGRAMS: usize = 16;
/// The spec with `cache.export`, written beside gostage.yaml in each copy.
const EXPORT_SPEC: &str = "gostage-export.yaml";

/// Copies the fixture once per program, each with its own module path and message.
fn programs() -> Result<Vec<PathBuf>> {
    let fixture = workspace_root().join("tests/fixtures/load-program");
    let root = scratch_dir("bench-load");
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    let main = std::fs::read_to_string(fixture.join("main.go"))?;
    (0..PROGRAMS)
        .map(|n| {
            let dir = root.join(format!("program{n}"));
            std::fs::create_dir_all(&dir)?;
            std::fs::copy(fixture.join("gostage.yaml"), dir.join("gostage.yaml"))?;
            let spec = std::fs::read_to_string(fixture.join("gostage.yaml"))?;
            std::fs::write(
                dir.join(EXPORT_SPEC),
                format!("{spec}cache:\n  export: true\n"),
            )?;
            std::fs::write(
                dir.join("go.mod"),
                format!("module example.com/load/program{n}\n\ngo 1.23\n"),
            )?;
            std::fs::write(
                dir.join("main.go"),
                main.replace("load program NAME", &format!("load program {n}")),
            )?;
            Ok(dir)
        })
        .collect()
}

/// The build of the program in `dir` from the spec `spec`, pushed as bench/load:<its
/// directory name>.
fn command(dir: &Path, spec: &str, goproxy: &str) -> Command {
    let name = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    let mut c = buildctl_dockerfile(Progress::Plain, dir, dir);
    c.args(["--opt", &format!("filename={spec}")])
        .args(["--opt", "platform=linux/amd64"])
        .args(["--opt", &format!("build-arg:GOPROXY={goproxy}")])
        .args([
            "--output",
            &format!("type=image,name={REGISTRY}/bench/load:{name},push=true"),
        ])
        .stdin(Stdio::null());
    c
}

/// Runs `commands` at once; the wall time until the last one ends.
fn at_once(commands: Vec<Command>) -> Result<f64> {
    let start = Instant::now();
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = commands
            .into_iter()
            .map(|mut c| scope.spawn(move || cmd::output(&mut c).map(|_| ())))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a build thread panicked")))
            })
            .collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    results.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(seconds)
}

/// Medians of `runs` of: one program cold, and all of them at once cold.
pub fn load(runs: u32) -> Result<Section> {
    let dirs = programs()?;
    let goproxy = go::goproxy()?;
    let first = dirs.first().context("no programs")?;
    let (mut one, mut all, mut all_export) = (Vec::new(), Vec::new(), Vec::new());
    let every = |spec: &str| -> Vec<Command> {
        dirs.iter()
            .map(|dir| command(dir, spec, &goproxy))
            .collect()
    };
    for _ in 0..runs {
        prune()?;
        one.push(at_once(vec![command(first, "gostage.yaml", &goproxy)])?);
        prune()?;
        all.push(at_once(every("gostage.yaml"))?);
        prune()?;
        all_export.push(at_once(every(EXPORT_SPEC))?);
        eprintln!(
            "==> load: one {:.1}s, {PROGRAMS} at once {:.1}s, with cache.export {:.1}s",
            one[one.len() - 1],
            all[all.len() - 1],
            all_export[all_export.len() - 1]
        );
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[(values.len() - 1) / 2]
    };
    let (one, all, all_export) = (median(&mut one), median(&mut all), median(&mut all_export));
    let ratio = all / one;
    let verdict = if ratio <= 4.0 { "met" } else { "MISSED" };
    Ok(Section {
        title: format!("load: {PROGRAMS} different programs at once, cold, linux/amd64"),
        method: format!(
            "tests/fixtures/load-program copied {PROGRAMS} times (own module path and message, \
             links net/http); before each measurement `{}`; then one program alone, and all \
             {PROGRAMS} started at once (one buildctl each), until the last one has pushed; \
             then the {PROGRAMS} again with `cache: {{export: true}}`. Medians of {runs} run(s).",
            cmd::display(&prune_command())
        ),
        notes: vec![
            format!("one program, cold:                 {one:.1}s"),
            format!("{PROGRAMS} programs at once, cold:        {all:.1}s"),
            format!(
                "{PROGRAMS} at once / one:                 {ratio:.2}×  (goal ≤ 4.00×: {verdict})"
            ),
            format!(
                "{PROGRAMS} at once with cache.export:     {all_export:.1}s  ({:.2}× the {PROGRAMS} \
                 without: one `go build std` step shared by all {PROGRAMS}, whose key holds no \
                 program's sources; each program then lists and compiles its own packages)",
                all_export / all
            ),
        ],
        ..Section::default()
    })
}
