//! `cache: {export: true}` on an ephemeral CI runner (buildkitd through buildctl): the build
//! exports its cache to the registry (`--export-cache type=registry,…,mode=max`), the daemon
//! forgets everything (`buildctl prune --all`, as a fresh runner), the module proxy stops, a
//! .go file changes, and the build runs again with `--import-cache`: `go mod download` and
//! the standard library's compile come from the imported cache, the compile runs on the
//! imported module layer and build cache, and the image serves. Without `cache.export` the
//! same sequence builds too, because the modules are always the download step's layer; only
//! the standard library is compiled again. Docker Engine 20.10 builds the same graph.

use anyhow::{bail, ensure, Result};
use gostage_e2e::build::{build_opts, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::module_proxy::ModuleProxy;
use gostage_e2e::progress::{self, Vertex};
use gostage_support::build_command::{buildctl, Progress};
use gostage_support::cmd;
use gostage_support::config::REGISTRY;
use gostage_support::container::Container;

const DOWNLOAD: &str = "go mod download";
const COMPILE: &str = "go build ./cmd/uuid-service (linux/amd64)";
const STANDARD_LIBRARY: &str = "go build std (linux/amd64)";

/// The two builds of a CI run on a fresh runner, the second one without a module source.
struct CiRun {
    proxy_url: String,
    /// The second build: its outcome and its raw JSON progress.
    second: cmd::Output,
}

/// A unique suffix for names shared across runs (the registry and buildkitd outlive tests).
fn unique() -> Result<String> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    Ok(format!("{}-{}", std::process::id(), now.as_nanos()))
}

/// Builds examples/uuid-service with `extra_spec` appended to its gostage.yaml, exporting the
/// cache; prunes the daemon; stops the proxy; edits main.go; builds again importing the cache.
fn ci_run(extra_spec: &str, name: &str) -> Result<CiRun> {
    let copy = TempCopy::of_example("uuid-service")?;
    copy.append(SPEC, extra_spec)?;
    let mut proxy = ModuleProxy::start(&copy.path)?;
    let suffix = unique()?;
    let cache = format!("type=registry,ref={REGISTRY}/gostage-test/cache:{name}-{suffix}");
    let first = Options {
        goproxy: Some(proxy.url.clone()),
        export_cache: Some(format!("{cache},mode=max")),
        ..Options::default()
    };
    build_opts(Daemon::Buildctl, &copy.path, SPEC, name, &first)?;

    // A fresh runner: no build cache, no cache mounts, no images; and no module source.
    cmd::run(buildctl().args(["prune", "--all"]))?;
    proxy.stop();
    // The compile must run, so that it needs the modules.
    copy.append(
        "cmd/uuid-service/main.go",
        &format!("\n// edited by the cache export test ({suffix})\n"),
    )?;
    let second = Options {
        goproxy: Some(proxy.url.clone()),
        import_cache: Some(cache),
        progress: Progress::RawJson,
        ..Options::default()
    };
    let output = cmd::run_any(&mut Daemon::Buildctl.command(&copy.path, SPEC, name, &second)?)?;
    Ok(CiRun {
        proxy_url: proxy.url.clone(),
        second: output,
    })
}

/// Checks the second build of `run`: it succeeded without a module source, took `go mod
/// download` from the imported cache, compiled the edited program, and its image serves.
/// Returns its vertices.
fn built_from_the_imported_modules(run: &CiRun, name: &str) -> Result<Vec<Vertex>> {
    if !run.second.success() {
        bail!(
            "the build importing the cache failed (module proxy {} stopped)\n{}",
            run.proxy_url,
            run.second.describe()
        );
    }
    let vertices = progress::vertices_rawjson(&run.second.combined());
    progress::ensure_cached(&vertices, DOWNLOAD, "importing the cache")?;
    progress::ensure_ran(&vertices, COMPILE, "after main.go changed")?;
    let image = Daemon::Buildctl.image_ref(name);
    cmd::docker(&["pull", "-q", &image])?;
    Container::start(&image, 8080)?.ensure_healthy()?;
    Ok(vertices)
}

#[test]
fn ci_cache_exported_modules_build_on_a_fresh_daemon_without_a_module_source() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let name = "cache-export";
    let run = ci_run("cache:\n  export: true\n", name)?;
    let vertices = built_from_the_imported_modules(&run, name)?;
    progress::ensure_cached(&vertices, STANDARD_LIBRARY, "importing the cache")
}

#[test]
fn ci_cache_without_export_still_carries_the_modules() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // The modules are the download step's layer with or without cache.export; only the
    // standard library's layer is cache.export's.
    let name = "cache-modules-only";
    let run = ci_run("", name)?;
    let vertices = built_from_the_imported_modules(&run, name)?;
    ensure!(
        progress::named(&vertices, STANDARD_LIBRARY).is_empty(),
        "without cache.export there is no standard library step\nvertices:\n{}",
        progress::summary(&vertices)
    );
    Ok(())
}

#[test]
fn ci_cache_export_builds_on_docker_engine() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // BuildKit v0.8 inside Docker 20.10 runs the same graph: the module layer mounted
    // read-only and the build cache mount seeded from the standard library's layer.
    let copy = TempCopy::of_example("uuid-service")?;
    copy.append(SPEC, "cache:\n  export: true\n")?;
    let built = gostage_e2e::build::build(Daemon::Engine, &copy.path, "cache-export")?;
    let vertices = progress::vertices(&built.log);
    progress::find(&vertices, STANDARD_LIBRARY)?;
    Container::start(&built.image, 8080)?.ensure_healthy()
}
