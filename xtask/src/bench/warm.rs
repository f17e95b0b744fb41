//! The rebuild cases: `unchanged`, `warm` (a one-line edit of main.go) and `dependency added`.

use super::recipe::{Recipe, Workspace};
use super::section::Section;
use super::timing::{builds, measure_rounds, prime};
use super::BOTH;
use anyhow::Result;

/// The rebuild cases, each its own section, for gostage and the Dockerfiles on amd64+arm64:
/// the same sources again (`unchanged`), after a one-line edit of main.go (`warm`), and after
/// a new module in go.mod imported by the program (`dependency added`).
pub(super) fn warm(
    ws: &Workspace,
    emulated: Result<(), String>,
    runs: u32,
) -> Result<Vec<Section>> {
    let mut unchanged = Section {
        title: "unchanged: uuid-service amd64+arm64, the same sources built again".into(),
        method: "For each recipe: one build (not timed, fills the cache), then the measured \
                 builds of the same sources: every step is cached, so this is the frontend's \
                 and BuildKit's own overhead (gateway round trips, cache lookups, export). \
                 Dockerfile.floor copies one file FROM scratch through the same Dockerfile \
                 frontend image: the frontend's container, one spec read and the export and \
                 push of two platforms, the part of every row that no recipe can cut."
            .into(),
        ..Section::default()
    };
    let mut edited = Section {
        title: "warm: uuid-service amd64+arm64, rebuild after a one-line edit of main.go".into(),
        method: "For each recipe: one build of the current sources (not timed, fills the cache), \
                 then a one-line change of cmd/uuid-service/main.go (a new log message, unique \
                 per build), then the measured rebuild. Nothing is pruned."
            .into(),
        ..Section::default()
    };
    let mut dependency = Section {
        title: "dependency added: uuid-service amd64+arm64, a new module in go.mod".into(),
        method: "For each recipe, from the original go.mod: before each measured build, `go get` \
                 of one more small module (github.com/pkg/errors, then dustin/go-humanize, …; \
                 go.mod and go.sum change) and a file of the main package importing it (not \
                 timed). The build downloads the new module and compiles it and the program."
            .into(),
        ..Section::default()
    };
    // Emulated first: after the multiplatform case its build is the one still in the cache.
    let mut primed = Vec::new();
    match &emulated {
        Ok(()) => primed.push(Recipe::Emulated),
        Err(why) => edited
            .notes
            .push(format!("Dockerfile.emulated skipped: {why}.")),
    }
    primed.extend([Recipe::Gostage, Recipe::Cross, Recipe::Floor]);
    ws.remove_dependencies()?;
    let tag = |recipe: Recipe| format!("{}-warm", recipe.tag());
    for &recipe in &primed {
        prime(ws, recipe, BOTH, &tag(recipe))?;
    }
    // Unchanged and edited rebuilds alternate their recipes, round by round.
    let nothing = || Ok(());
    let edit = || ws.edit_source();
    let again = [Recipe::Gostage, Recipe::Cross, Recipe::Floor];
    unchanged.rows = measure_rounds(&builds(ws, &again, BOTH, &tag, &nothing), runs)?;
    let edited_recipes: Vec<Recipe> = primed
        .iter()
        .copied()
        .filter(|recipe| *recipe != Recipe::Floor)
        .collect();
    edited.rows = measure_rounds(&builds(ws, &edited_recipes, BOTH, &tag, &edit), runs)?;
    // Each recipe adds its own modules from the original go.mod, one per build.
    let add = || ws.add_dependency();
    for recipe in [Recipe::Gostage, Recipe::Cross] {
        ws.remove_dependencies()?;
        dependency.rows.extend(measure_rounds(
            &builds(ws, &[recipe], BOTH, &tag, &add),
            runs,
        )?);
    }
    ws.remove_dependencies()?;
    let floor_why = match (
        unchanged.find(Recipe::Floor, BOTH),
        unchanged.find(Recipe::Cross, BOTH),
        unchanged.find(Recipe::Gostage, BOTH),
    ) {
        (Some(floor), Some(cross), Some(gostage)) => Some(format!(
            "Dockerfile.floor (one file FROM scratch through a frontend image) takes {:.0} ms, \
             {:.2}× of Dockerfile.cross: the goal leaves {:.0} ms above that floor for \
             reading the spec and go.mod, resolving the images and checking the result, and \
             gostage takes {:.0} ms",
            floor.seconds() * 1000.0,
            floor.seconds() / cross.seconds(),
            (0.8 * cross.seconds() - floor.seconds()) * 1000.0,
            (gostage.seconds() - floor.seconds()) * 1000.0,
        )),
        _ => None,
    };
    unchanged.judged(
        (Recipe::Gostage, BOTH),
        (Recipe::Cross, BOTH),
        "(gostage against the cross-compiling Dockerfile)",
        0.8,
        floor_why,
    );
    unchanged.ratio(
        (Recipe::Floor, BOTH),
        (Recipe::Cross, BOTH),
        "(the floor: a trivial build through a frontend image; no recipe goes below it)",
    );
    edited.ratio(
        (Recipe::Gostage, BOTH),
        (Recipe::Cross, BOTH),
        "(gostage against the cross-compiling Dockerfile)",
    );
    edited.ratio(
        (Recipe::Gostage, BOTH),
        (Recipe::Emulated, BOTH),
        "(gostage against the emulating Dockerfile)",
    );
    dependency.ratio(
        (Recipe::Gostage, BOTH),
        (Recipe::Cross, BOTH),
        "(gostage against the cross-compiling Dockerfile)",
    );
    Ok(vec![unchanged, edited, dependency])
}
