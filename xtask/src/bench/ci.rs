//! The `ci` case: a CI run on an empty runner that imports the last run's registry cache.

use super::recipe::{Recipe, Workspace};
use super::section::Section;
use super::timing::{measure_rounds, prune, prune_command, Build};
use super::BOTH;
use anyhow::Result;
use gostage_support::cmd;

/// The `ci` case: each recipe's previous run exports its cache, then a fresh runner (pruned
/// daemon, edited main.go) imports it; measured is that second build.
pub(super) fn ci(ws: &Workspace, runs: u32) -> Result<Section> {
    let mut s = Section {
        title: "ci: uuid-service amd64+arm64 on an empty runner, importing the last run's cache"
            .into(),
        method: format!(
            "For each recipe: the previous CI run, not timed (`{prune}`, a one-line edit of \
             main.go, the build with --export-cache type=registry,ref=…,mode=max); then the \
             measured run as a fresh runner does it: another one-line edit (the next commit), \
             `{prune}` (an empty daemon: no build cache, no cache mounts, no images), and the \
             build with --import-cache and --export-cache of the same reference. Modules come \
             through the host's GOPROXY. The time includes pulling the builder image and the \
             cache from the local registry and pushing the image and the cache.",
            prune = cmd::display(&prune_command())
        ),
        ..Section::default()
    };
    s.notes.push(
        "gostage without cache.export is not a row: on a runner that starts empty, `go mod \
         download` comes from the imported cache without its modules (they were in a cache \
         mount), and the offline compile stops with a hint to set cache.export \
         (tests/tests/cache_export.rs)."
            .into(),
    );
    for recipe in [Recipe::GostageExport, Recipe::Cross] {
        let tag = format!("{}-ci", recipe.tag());
        let command = || ws.ci_command(recipe, BOTH, &tag);
        prune()?;
        ws.edit_source()?;
        let mut previous = command();
        eprintln!(
            "+ {} (the previous run, not timed)",
            cmd::display(&previous)
        );
        cmd::output(&mut previous)?;
        let fresh_runner = || {
            ws.edit_source()?;
            prune()
        };
        let build = Build {
            command: Box::new(command),
            ..Build::of(ws, recipe, BOTH, &tag, &fresh_runner)
        };
        s.rows.extend(measure_rounds(&[build], runs)?);
    }
    s.ratio(
        (Recipe::GostageExport, BOTH),
        (Recipe::Cross, BOTH),
        "(cache.export against the hand-written cross-compiling Dockerfile)",
    );
    Ok(s)
}
