//! Cases of one program each, gostage against its hand-written Dockerfile, linux/amd64: cold,
//! unchanged, after a one-line edit.
//! - `large`: a large real program with many dependencies (Caddy v2.11.9 with its standard
//!   modules, xtask/bench/large-program: about 170 modules), against Dockerfile.cross.
//! - `cgo`: examples/notes, SQLite through github.com/mattn/go-sqlite3 with `build.cgo: true`,
//!   against Dockerfile.cgo (the same static link, written by hand).
//! - `monorepo`: examples/monorepo's svc-a built from the repository's root (go.work, a shared
//!   library, two services), against Dockerfile.monorepo (each go.mod copied first, cache
//!   mounts); the edit is in the shared library.

use super::recipe::{Program, Recipe, Workspace};
use super::section::Section;
use super::timing::{builds, measure_rounds, prime, prune};
use super::AMD64;
use crate::config::scratch_dir;
use anyhow::{Context, Result};
use gostage_support::config::workspace_root;

/// The `large` case.
pub fn large(runs: u32) -> Result<Section> {
    let section = Section {
        title: "large: Caddy v2.11.9 with its standard modules, linux/amd64".into(),
        method: "xtask/bench/large-program (Caddy's own main with the standard modules; 170 \
                 modules in go.mod), gostage against Dockerfile.cross."
            .into(),
        ..Section::default()
    };
    cold_unchanged_edit(Program::large(), Recipe::Cross, section, runs)
}

/// The `cgo` case.
pub fn cgo(runs: u32) -> Result<Section> {
    let section = Section {
        title: "cgo: examples/notes (SQLite through go-sqlite3), static, linux/amd64".into(),
        method: "examples/notes with `build.cgo: true` on scratch (a static link), gostage \
                 against xtask/bench/Dockerfile.cgo (the same link flags, by hand). The C part \
                 (SQLite) is compiled in the cold build only: the edit rows find it in Go's \
                 build cache."
            .into(),
        ..Section::default()
    };
    cold_unchanged_edit(Program::notes(), Recipe::Cgo, section, runs)
}

/// The `monorepo` case.
pub fn monorepo(runs: u32) -> Result<Section> {
    let section = Section {
        title: "monorepo: examples/monorepo svc-a from the repository's root, linux/amd64".into(),
        method: "examples/monorepo (go.work using lib, svc-a and svc-b; each service also \
                 replaces lib with ../lib), svc-a built from the root: gostage with \
                 `-f svc-a.gostage.yaml` (`module: svc-a`) against xtask/bench/Dockerfile.monorepo \
                 (go.work and each go.mod copied first, `go mod download` and `go build` with \
                 cache mounts). The edit rows change the shared library's text: a `.go` file \
                 outside the service's module."
            .into(),
        ..Section::default()
    };
    cold_unchanged_edit(Program::monorepo(), Recipe::Monorepo, section, runs)
}

/// gostage and `dockerfile`, alternating: cold (after `buildctl prune --all`, not timed:
/// builder image pulled, modules downloaded through GOPROXY, everything compiled), the same
/// sources again, then after a one-line edit of the program's edited file (main.go, or the
/// shared library's); ratios gostage / Dockerfile for each.
fn cold_unchanged_edit(
    program: Program,
    dockerfile: Recipe,
    mut s: Section,
    runs: u32,
) -> Result<Section> {
    let copy = scratch_dir(&format!("bench-{}-context", program.repository));
    let ws = Workspace::new(program, &workspace_root().join("xtask/bench"), &copy)
        .context("preparing the program's bench context")?;
    s.method.push_str(&format!(
        " For each recipe: cold (after `buildctl prune --all`), then the same sources again, \
         then after a one-line edit of {}.",
        ws.edited_file()
    ));
    let nothing = || Ok(());
    let edit = || ws.edit_source();
    for (what, prepare) in [
        ("cold", &prune as &dyn Fn() -> Result<()>),
        ("unchanged", &nothing),
        ("edit", &edit),
    ] {
        let tag = |recipe: Recipe| format!("{}-{what}", recipe.tag());
        let recipes = [Recipe::Gostage, dockerfile];
        if what == "unchanged" {
            // The last cold round pruned the daemon before the Dockerfile's build: build each
            // recipe once more (not timed) so that the unchanged rows find their cache.
            for recipe in recipes {
                prime(&ws, recipe, AMD64, &tag(recipe))?;
            }
        }
        let alternating = builds(&ws, &recipes, AMD64, &tag, prepare);
        s.rows.extend(measure_rounds(&alternating, runs)?);
    }
    // Rows alternate gostage, Dockerfile: cold, unchanged, edit.
    let goals = [("cold", 0.9), ("unchanged", 0.8), ("edit", 1.0)];
    for (n, (what, goal)) in goals.into_iter().enumerate() {
        let why = (what == "unchanged").then(|| {
            "an unchanged build runs no step: its time is the frontend's start, the cache \
             lookups and the export, of which the `unchanged` case's Dockerfile.floor measures \
             the part no frontend avoids"
                .to_string()
        });
        s.judged_rows(2 * n, 2 * n + 1, &format!("({what})"), goal, why);
    }
    Ok(s)
}
