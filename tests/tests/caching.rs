//! Caching on buildkitd (buildctl, plain progress): an unchanged rebuild is fully cached, and a
//! source edit reuses the module download and recompiles.

use anyhow::{ensure, Result};
use gostage_e2e::build::{build, Daemon};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::progress::{self, Vertex};

const DOWNLOAD: &str = "go mod download";
const COMPILE: &str = "go build ./cmd/uuid-service (linux/amd64)";

fn find<'a>(vertices: &'a [Vertex], needle: &str, log: &str) -> Result<Vec<&'a Vertex>> {
    let found = progress::named(vertices, needle);
    ensure!(
        !found.is_empty(),
        "no vertex named like {needle:?} in the build\nvertices:\n{}\n----- build log -----\n{log}",
        progress::summary(vertices)
    );
    Ok(found)
}

#[test]
fn rebuilds_use_the_cache() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("uuid-service")?;
    build(Daemon::Buildctl, &copy.path, "uuid-cache")?;

    // Unchanged: every step comes from the cache.
    let again = build(Daemon::Buildctl, &copy.path, "uuid-cache")?;
    let vertices = progress::vertices(&again.log);
    find(&vertices, DOWNLOAD, &again.log)?;
    find(&vertices, COMPILE, &again.log)?;
    let ran: Vec<&Vertex> = vertices.iter().filter(|v| v.ran() && !v.always_runs()).collect();
    ensure!(
        ran.is_empty(),
        "a rebuild without changes ran steps instead of using the cache: {:?}\nvertices:\n{}\n----- build log -----\n{}",
        ran.iter().map(|v| &v.name).collect::<Vec<_>>(),
        progress::summary(&vertices),
        again.log
    );

    // One .go file edited: the module download is reused, the compile runs.
    copy.append("cmd/uuid-service/main.go", "\n// edited by the caching test\n")?;
    let edited = build(Daemon::Buildctl, &copy.path, "uuid-cache")?;
    let vertices = progress::vertices(&edited.log);
    let context = || format!("vertices:\n{}\n----- build log -----\n{}", progress::summary(&vertices), edited.log);
    for v in find(&vertices, DOWNLOAD, &edited.log)? {
        ensure!(v.cached, "after editing main.go, {:?} was not CACHED\n{}", v.name, context());
    }
    for v in find(&vertices, COMPILE, &edited.log)? {
        ensure!(v.ran(), "after editing main.go, {:?} did not run\n{}", v.name, context());
    }
    Ok(())
}
