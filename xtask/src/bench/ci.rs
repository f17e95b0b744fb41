//! The `ci` case: a CI run on an empty runner that imports the last run's registry cache, on
//! uuid-service (amd64+arm64) and on the large program (Caddy, amd64).

use super::recipe::{Program, Recipe, Workspace};
use super::section::Section;
use super::timing::{measure_rounds, prime, prune, prune_command, Build};
use super::{AMD64, BOTH};
use crate::config::scratch_dir;
use anyhow::{Context, Result};
use gostage_support::config::workspace_root;
use gostage_support::{cmd, registry};

/// The goal of the empty runner's edit against the Dockerfile's with the same cache flags.
const AGAINST_DOCKERFILE: f64 = 0.2;
/// The goal of the empty runner's edit against gostage's own warm edit (nothing pruned).
const AGAINST_WARM_EDIT: f64 = 3.0;

/// The `ci` case on uuid-service, amd64+arm64.
pub(super) fn ci(ws: &Workspace, runs: u32) -> Result<Section> {
    ci_of(
        ws,
        BOTH,
        "ci: uuid-service amd64+arm64 on an empty runner, importing the last run's cache",
        runs,
    )
}

/// The `ci` case on the large program (Caddy), amd64.
pub(super) fn ci_large(runs: u32) -> Result<Section> {
    let copy = scratch_dir("bench-large-program-context");
    let ws = Workspace::new(
        Program::large(),
        &workspace_root().join("xtask/bench"),
        &copy,
    )
    .context("preparing the large program's bench context")?;
    ci_of(
        &ws,
        AMD64,
        "ci: Caddy (xtask/bench/large-program) linux/amd64 on an empty runner, importing the \
         last run's cache",
        runs,
    )
}

/// Rows: gostage with `cache.export` and the cross-compiling Dockerfile on an empty runner,
/// then gostage's own warm edit; ratios against both goals; the size of each exported cache.
fn ci_of(
    ws: &Workspace,
    platforms: &'static [&'static str],
    title: &str,
    runs: u32,
) -> Result<Section> {
    let mut s = Section {
        title: title.into(),
        method: format!(
            "For each recipe: the previous CI run, not timed (`{prune}`, a one-line edit of \
             {edited}, the build with --export-cache type=registry,ref=…,mode=max); then the \
             measured run as a fresh runner does it: another one-line edit (the next commit), \
             `{prune}` (an empty daemon: no build cache, no cache mounts, no images), and the \
             build with --import-cache and --export-cache of the same reference. Modules come \
             through the host's GOPROXY. The time includes pulling the builder image and the \
             cache from the local registry and pushing the image and the cache. Last, \
             gostage cache.export's warm edit: one build not timed, then one-line edits with \
             nothing pruned.",
            prune = cmd::display(&prune_command()),
            edited = ws.edited_file(),
        ),
        ..Section::default()
    };
    s.notes.push(
        "gostage without cache.export is not a row: its modules come from the imported cache \
         too (the download step's layer), but its build cache is a cache mount, which BuildKit \
         never exports, so it compiles every dependency again \
         (tests/tests/cache_export.rs)."
            .into(),
    );
    for recipe in [Recipe::GostageExport, Recipe::Cross] {
        let tag = format!("{}-ci", recipe.tag());
        let command = || ws.ci_command(recipe, platforms, &tag);
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
            ..Build::of(ws, recipe, platforms, &tag, &fresh_runner)
        };
        s.rows.extend(measure_rounds(&[build], runs)?);
        s.notes.push(cache_size(ws, recipe, &tag));
    }
    let warm_tag = format!("{}-ci-warm", Recipe::GostageExport.tag());
    prime(ws, Recipe::GostageExport, platforms, &warm_tag)?;
    let edit = || ws.edit_source();
    let warm = Build::of(ws, Recipe::GostageExport, platforms, &warm_tag, &edit);
    s.rows.extend(measure_rounds(&[warm], runs)?);
    s.judged_rows(
        0,
        1,
        "(cache.export on an empty runner against the cross-compiling Dockerfile with the same \
         cache flags)",
        AGAINST_DOCKERFILE,
        None,
    );
    s.judged_rows(
        0,
        2,
        "(cache.export on an empty runner against its own warm edit)",
        AGAINST_WARM_EDIT,
        Some(
            "an empty runner pulls the builder image and the imported layers (modules, build \
             cache) before the compile, which a warm daemon has unpacked"
                .into(),
        ),
    );
    Ok(s)
}

/// A note with the size of the cache `recipe` exported under `tag`: the sum of the blobs its
/// cache manifest lists (an OCI image manifest's layers, or an index's manifests, as BuildKit
/// writes either), compressed, as the registry stores them.
fn cache_size(ws: &Workspace, recipe: Recipe, tag: &str) -> String {
    let reference = ws.cache(tag);
    let listed = registry::manifest(&reference).map(|manifest| {
        let manifest = manifest?;
        let sizes: Vec<u64> = match (manifest.image(), manifest.index()) {
            (Some(image), _) => image.layers().iter().map(|layer| layer.size()).collect(),
            (None, Some(index)) => index.manifests().iter().map(|blob| blob.size()).collect(),
            (None, None) => return None,
        };
        Some((sizes.len(), sizes.iter().sum::<u64>()))
    });
    match listed {
        Ok(Some((count, bytes))) => format!(
            "exported cache of {}: {:.1} MB in {count} blobs (compressed, in the registry)",
            recipe.name(),
            bytes as f64 / 1e6
        ),
        Ok(None) => format!(
            "exported cache of {}: no cache manifest in the registry",
            recipe.name()
        ),
        Err(error) => format!(
            "exported cache of {}: unreadable ({error:#})",
            recipe.name()
        ),
    }
}
