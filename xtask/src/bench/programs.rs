//! The `large` case: a large real program with many dependencies (Caddy v2.11.9 with its
//! standard modules, xtask/bench/large-program: about 170 modules), gostage against the
//! cross-compiling Dockerfile for linux/amd64: cold, unchanged, after a one-line edit.

use super::recipe::{Program, Recipe, Workspace};
use super::{measure, prune, Section, AMD64};
use crate::config::scratch_dir;
use anyhow::{Context, Result};
use gostage_support::config::workspace_root;

/// Each recipe cold (after `buildctl prune --all`), then unchanged, then after an edit.
pub fn large(runs: u32) -> Result<Section> {
    let ws = Workspace::new(
        Program::large(),
        &workspace_root().join("xtask/bench"),
        &scratch_dir("bench-large-context"),
    )
    .context("preparing the large program's bench context")?;
    let mut s = Section {
        title: "large: Caddy v2.11.9 with its standard modules, linux/amd64".into(),
        method: "xtask/bench/large-program (Caddy's own main with the standard modules; 170 \
                 modules in go.mod). For each recipe: cold (after `buildctl prune --all`, not \
                 timed: builder image pulled, modules downloaded through GOPROXY, everything \
                 compiled), then the same sources again, then after a one-line edit of main.go \
                 (the version string)."
            .into(),
        ..Section::default()
    };
    let nothing = || Ok(());
    let edit = || ws.edit_main();
    for recipe in [Recipe::Gostage, Recipe::Cross] {
        let tag = recipe.tag();
        s.rows.push(measure(
            &ws,
            recipe,
            AMD64,
            &format!("{tag}-cold"),
            runs,
            &prune,
        )?);
        s.rows.push(measure(
            &ws,
            recipe,
            AMD64,
            &format!("{tag}-unchanged"),
            runs,
            &nothing,
        )?);
        s.rows.push(measure(
            &ws,
            recipe,
            AMD64,
            &format!("{tag}-edit"),
            runs,
            &edit,
        )?);
    }
    // Rows 0-2 are gostage's, 3-5 the Dockerfile's, in the same order.
    let goals = [
        ("cold", Some(0.9)),
        ("unchanged", Some(0.8)),
        ("edit", None),
    ];
    for (n, (what, goal)) in goals.into_iter().enumerate() {
        s.ratio_of_rows(n, n + 3, what, goal);
    }
    Ok(s)
}
