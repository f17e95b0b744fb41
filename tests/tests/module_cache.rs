//! Where the compile's modules come from (buildkitd through buildctl, examples/uuid-service,
//! a module proxy the test stops):
//!
//! - the daemon prunes its cache mounts but keeps the `go mod download` step (as its garbage
//!   collection does, cache mounts first): an edited program still builds without any module
//!   source, because the modules are that step's layer;
//! - go.mod changes, so the download step runs again: it takes the modules from the daemon's
//!   download cache (a cache mount in front of GOPROXY) without any module source.

use anyhow::{bail, Result};
use gostage_e2e::build::{build_opts, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::module_proxy::ModuleProxy;
use gostage_e2e::progress::{self, Vertex};
use gostage_support::build_command::{buildctl, Progress};
use gostage_support::cmd;
use gostage_support::container::Container;

const DOWNLOAD: &str = "go mod download";
const COMPILE: &str = "go build ./cmd/uuid-service (linux/amd64)";

/// Builds uuid-service through a module proxy, runs `between` (with the proxy stopped and
/// the copy at hand), builds again without a module source, checks that the image serves and
/// returns the second build's vertices.
fn rebuild_without_module_source(
    name: &str,
    between: impl FnOnce(&TempCopy) -> Result<()>,
) -> Result<Vec<Vertex>> {
    let copy = TempCopy::of_example("uuid-service")?;
    let mut proxy = ModuleProxy::start(&copy.path)?;
    let first = Options {
        goproxy: Some(proxy.url.clone()),
        ..Options::default()
    };
    build_opts(Daemon::Buildctl, &copy.path, SPEC, name, &first)?;
    proxy.stop();
    between(&copy)?;
    let second = Options {
        goproxy: Some(proxy.url.clone()),
        progress: Progress::RawJson,
        ..Options::default()
    };
    let output = cmd::run_any(&mut Daemon::Buildctl.command(&copy.path, SPEC, name, &second)?)?;
    if !output.success() {
        bail!(
            "the rebuild without a module source (proxy {} stopped) failed\n{}",
            proxy.url,
            output.describe()
        );
    }
    let image = Daemon::Buildctl.image_ref(name);
    cmd::docker(&["pull", "-q", &image])?;
    Container::start(&image, 8080)?.ensure_healthy()?;
    Ok(progress::vertices_rawjson(&output.combined()))
}

#[test]
fn an_edit_builds_after_the_daemon_pruned_its_cache_mounts() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let vertices = rebuild_without_module_source("pruned-cache-mounts", |copy| {
        cmd::run(buildctl().args(["prune", "--filter", "type==exec.cachemount"]))?;
        copy.append(
            "cmd/uuid-service/main.go",
            "\nvar _ = \"edited after a prune\"\n",
        )
    })?;
    progress::ensure_cached(
        &vertices,
        DOWNLOAD,
        "after the prune (it must take only the cache mounts)",
    )?;
    progress::ensure_ran(&vertices, COMPILE, "after main.go changed")?;
    Ok(())
}

#[test]
fn a_changed_go_mod_downloads_from_the_daemons_download_cache() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let vertices = rebuild_without_module_source("download-cache", |copy| {
        copy.append("go.mod", "\n// changed by the download cache test\n")
    })?;
    progress::ensure_ran(&vertices, DOWNLOAD, "after go.mod changed")
}
