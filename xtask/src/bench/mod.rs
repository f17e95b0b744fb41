//! `cargo xtask bench`: gostage and the equivalent hand-written Dockerfiles, built side by side
//! on the same buildkitd (through buildctl) in one run, reported as wall times and ratios,
//! with the exact commands. A benchmark, not a test: one run per row, nothing is asserted.
//!
//! Cases:
//! - `multiplatform`: examples/uuid-service for linux/amd64+linux/arm64 against linux/amd64
//!   alone, cold (the whole BuildKit cache pruned before each measured build): gostage, the
//!   hand-written cross-compiling Dockerfile (xtask/bench/Dockerfile.cross) and the same
//!   Dockerfile without `--platform=$BUILDPLATFORM`, whose arm64 compile runs under qemu
//!   (xtask/bench/Dockerfile.emulated); and the sizes of the images.
//! - `warm`: rebuilds of the same sources, after a one-line edit of main.go (also with the
//!   emulating Dockerfile) and after a module is added to go.mod, gostage against the
//!   cross-compiling Dockerfile.
//! - `load`: 16 different programs (tests/fixtures/load-program) built at once, cold, against
//!   one of them alone (bench/load.rs).
//! - `ci` (uuid-service, amd64+arm64) and `ci-large` (Caddy, amd64): a CI run on a runner
//!   that starts empty: the cache of the previous run imported from the registry, after a
//!   one-line edit of main.go, for gostage with `cache: {export: true}` and the
//!   cross-compiling Dockerfile, against each other and against gostage's own warm edit, and
//!   the size of each exported cache (bench/ci.rs).
//! - `ko`: ko on the host against gostage, cold, unchanged and edited (bench/ko.rs).
//! - `large`: a large real program (Caddy with its standard modules), gostage against the
//!   cross-compiling Dockerfile, cold, unchanged and edited (bench/programs.rs).
//! - `cgo`: examples/notes (SQLite through cgo) against Dockerfile.cgo, cold, unchanged and
//!   edited (bench/programs.rs).
//! - `monorepo`: examples/monorepo's svc-a from the repository's root (go.work, a shared
//!   library) against Dockerfile.monorepo, cold, unchanged and after an edit of the library
//!   (bench/programs.rs).
//!
//! The parts: cli.rs (the arguments), timing.rs (measured runs, medians, slowest steps),
//! section.rs (a case's table, ratios, notes and commands), ratios.rs (goals and `why:`
//! lines), report.rs (the header and bench/RESULTS.md), recipe.rs (the ways a program is
//! built), and one file per case.

mod ci;
mod cli;
mod ko;
mod load;
mod multiplatform;
mod placeholders;
mod programs;
mod ratios;
mod recipe;
mod report;
mod section;
mod timing;
mod warm;

use crate::config::scratch_dir;
use crate::{image, up};
use anyhow::{Context, Result};
use cli::Case;
use gostage_support::config::workspace_root;
use placeholders::Placeholders;
use recipe::{Program, Workspace};
use section::Section;
use std::time::Instant;

pub use cli::Args;

/// The platforms of the single-platform rows.
const AMD64: &[&str] = &["linux/amd64"];
/// The platforms of the multi-platform rows.
const BOTH: &[&str] = &["linux/amd64", "linux/arm64"];

/// Runs the cases `args` selects (after `up` and `image` unless `--no-setup`), printing each
/// section as it is done, then writes bench/RESULTS.md.
pub fn run(args: &Args) -> Result<()> {
    up::ensure_toolchains_on_path()?;
    if !args.no_setup {
        up::run(&up::Args { skip_verify: true })?;
        image::run()?;
    }
    let ws = Workspace::new(
        Program::uuid_service(),
        &workspace_root().join("xtask/bench"),
        &scratch_dir("bench-context"),
    )
    .context("preparing the bench context")?;
    let emulated = match multiplatform::emulation_unavailable() {
        Some(why) => Err(why),
        None if args.no_emulated => Err("--no-emulated was given".to_string()),
        None => Ok(()),
    };
    // Each section is printed (stdout) as soon as its case is done, and all of them end up
    // in bench/RESULTS.md.
    // What is printed names no path, address or proxy of this machine (placeholders.rs).
    let placeholders = Placeholders::of_this_machine(ws.goproxy());
    let mut report = placeholders.apply(&format!(
        "{}\n{}\n",
        report::header(args.runs),
        report::machine()
    ));
    println!("{report}");
    let start = Instant::now();
    let show = |section: Section, report: &mut String| {
        let mut printed = String::new();
        section.print(&mut printed);
        let out = placeholders.apply(&printed);
        println!("{out}");
        report.push_str(&out);
        report.push('\n');
    };
    if matches!(args.case, Case::Multiplatform | Case::All) {
        show(
            multiplatform::multiplatform(&ws, emulated.clone(), args.runs)?,
            &mut report,
        );
    }
    if matches!(args.case, Case::Warm | Case::All) {
        for section in warm::warm(&ws, emulated, args.runs)? {
            show(section, &mut report);
        }
    }
    if matches!(args.case, Case::Ci | Case::All) {
        show(ci::ci(&ws, args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Load | Case::All) {
        show(load::load(args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Ko | Case::All) {
        show(ko::ko(&ws, args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Large | Case::All) {
        show(programs::large(args.runs)?, &mut report);
    }
    if matches!(args.case, Case::CiLarge | Case::All) {
        show(ci::ci_large(args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Cgo | Case::All) {
        show(programs::cgo(args.runs)?, &mut report);
    }
    if matches!(args.case, Case::Monorepo | Case::All) {
        show(programs::monorepo(args.runs)?, &mut report);
    }
    let finished = format!("bench finished in {:.0}s", start.elapsed().as_secs_f64());
    println!("{finished}");
    report::write_results(args, &report, &finished)
}
