//! Caching on buildkitd (buildctl): an unchanged rebuild is fully cached, and a source edit
//! reuses the module download and recompiles.
//!
//! The rebuilds use raw JSON progress, which lists each vertex's inputs: BuildKit re-runs
//! vertices without inputs on every build (sources, and file ops on scratch such as a generated
//! /etc/passwd), so "every step CACHED" means every vertex *with inputs* (see
//! gostage_e2e::progress).

use anyhow::{ensure, Result};
use gostage_e2e::build::{build, build_with, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::progress::{self, Vertex};
use gostage_support::build_command::Progress;

const DOWNLOAD: &str = "go mod download";
const COMPILE: &str = "go build ./cmd/uuid-service (linux/amd64)";

#[test]
fn rebuilds_use_the_cache() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("uuid-service")?;
    build(Daemon::Buildctl, &copy.path, "uuid-cache")?;

    let rebuild = || {
        build_with(
            Daemon::Buildctl,
            &copy.path,
            SPEC,
            "uuid-cache",
            Progress::RawJson,
        )
    };

    // Unchanged: every step comes from the cache.
    let again = rebuild()?;
    let vertices = progress::vertices_rawjson(&again.log);
    progress::find(&vertices, DOWNLOAD)?;
    progress::find(&vertices, COMPILE)?;
    let ran: Vec<&Vertex> = vertices
        .iter()
        .filter(|v| v.ran() && !v.always_runs())
        .collect();
    ensure!(
        ran.is_empty(),
        "a rebuild without changes ran steps instead of using the cache: {:?}\nvertices:\n{}",
        ran.iter().map(|v| &v.name).collect::<Vec<_>>(),
        progress::summary(&vertices),
    );

    // One .go file edited: the module download is reused, the compile runs.
    // The edit must differ between runs: buildkitd's cache outlives the test.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let edit = format!("\n// edited by the caching test at {}\n", now.as_nanos());
    copy.append("cmd/uuid-service/main.go", &edit)?;
    let edited = rebuild()?;
    let vertices = progress::vertices_rawjson(&edited.log);
    progress::ensure_cached(&vertices, DOWNLOAD, "after editing main.go")?;
    progress::ensure_ran(&vertices, COMPILE, "after editing main.go")
}
