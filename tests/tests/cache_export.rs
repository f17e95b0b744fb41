//! `cache: {export: true}` on an ephemeral CI runner (buildkitd through buildctl): the build
//! exports its cache to the registry (`--export-cache type=registry,…,mode=max`), the daemon
//! forgets everything (`buildctl prune --all`, as a fresh runner), the module proxy stops, a
//! .go file changes, and the build runs again with `--import-cache`: `go mod download`, the
//! standard library and the dependency compile come from the imported cache (the dependency
//! list is made again, to the same bytes), the compile compiles the main package alone (its
//! `go build -v` lines), and the image serves; a new import of an already required package
//! runs the dependency compile again, which compiles every dependency in the daemon's empty
//! build cache mount, and only the new package the time after; `--target test` takes its
//! dependency compile from the imported cache too. Without `cache.export` the same sequence builds, because the modules
//! are always the download step's layer. Docker Engine 20.10 builds the same graph.

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
const LIST: &str = "list dependency packages (linux/amd64)";
const DEPENDENCIES: &str = "go build dependencies (linux/amd64)";
/// The main module's import path: `go build -v` names each package it compiles.
const MAIN_MODULE: &str = "example.com/uuid-service";

/// A CI run on a fresh runner: its module, and the second build (its outcome and raw JSON
/// progress), which ran without a module source.
struct CiRun {
    copy: TempCopy,
    proxy: ModuleProxy,
    /// The `--import-cache` value.
    cache: String,
    name: String,
    options: Options,
    second: cmd::Output,
}

impl CiRun {
    /// Another build of the run's module, importing the cache, without a prune first.
    fn build_again(&self) -> Result<cmd::Output> {
        build_importing(
            &self.copy,
            &self.proxy,
            &self.cache,
            &self.name,
            &self.options,
        )
    }
}

/// A build of `copy` as `name` with `options`, importing `cache`, GOPROXY `proxy`, with raw
/// JSON progress.
fn build_importing(
    copy: &TempCopy,
    proxy: &ModuleProxy,
    cache: &str,
    name: &str,
    options: &Options,
) -> Result<cmd::Output> {
    let options = Options {
        goproxy: Some(proxy.url.clone()),
        import_cache: Some(cache.to_string()),
        progress: Progress::RawJson,
        ..options.clone()
    };
    cmd::run_any(&mut Daemon::Buildctl.command(&copy.path, SPEC, name, &options)?)
}

/// A unique suffix for names shared across runs (the registry and buildkitd outlive tests).
fn unique() -> Result<String> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    Ok(format!("{}-{}", std::process::id(), now.as_nanos()))
}

/// Builds examples/uuid-service with `extra_spec` appended to its gostage.yaml and a second
/// dependency module (golang.org/x/sync, its package errgroup imported by `cmd/uuid-service`
/// and by a test), exporting the cache; prunes the daemon; stops the proxy; edits main.go;
/// builds again importing the cache. `options` adds the target.
fn ci_run(extra_spec: &str, name: &str, options: Options) -> Result<CiRun> {
    let copy = TempCopy::of_example("uuid-service")?;
    copy.append(SPEC, extra_spec)?;
    cmd::run(
        std::process::Command::new("go")
            .args(["get", "golang.org/x/sync@v0.10.0"])
            .current_dir(&copy.path),
    )?;
    let imports = "import _ \"golang.org/x/sync/errgroup\"\n";
    copy.write(
        "cmd/uuid-service/errgroup.go",
        &format!("package main\n\n{imports}"),
    )?;
    copy.write(
        "cmd/uuid-service/main_test.go",
        &format!("package main\n\n{imports}\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {{}}\n"),
    )?;
    let mut proxy = ModuleProxy::start(&copy.path)?;
    let suffix = unique()?;
    let cache = format!("type=registry,ref={REGISTRY}/gostage-test/cache:{name}-{suffix}");
    let first = Options {
        goproxy: Some(proxy.url.clone()),
        export_cache: Some(format!("{cache},mode=max")),
        ..options.clone()
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
    let second = build_importing(&copy, &proxy, &cache, name, &options)?;
    Ok(CiRun {
        copy,
        proxy,
        cache,
        name: name.to_string(),
        options,
        second,
    })
}

/// `output` succeeded: else an error with the whole build output.
fn ensure_built(output: &cmd::Output, run: &CiRun, what: &str) -> Result<()> {
    if !output.success() {
        bail!(
            "{what} failed (module proxy {} stopped)\n{}",
            run.proxy.url,
            output.describe()
        );
    }
    Ok(())
}

/// Checks the second build of `run`: it succeeded without a module source, took `go mod
/// download` from the imported cache, compiled the edited program, and its image serves.
/// Returns its vertices.
fn built_from_the_imported_modules(run: &CiRun) -> Result<Vec<Vertex>> {
    ensure_built(&run.second, run, "the build importing the cache")?;
    let vertices = progress::vertices_rawjson(&run.second.combined());
    progress::ensure_cached(&vertices, DOWNLOAD, "importing the cache")?;
    progress::ensure_ran(&vertices, COMPILE, "after main.go changed")?;
    let image = Daemon::Buildctl.image_ref(&run.name);
    cmd::docker(&["pull", "-q", &image])?;
    Container::start(&image, 8080)?.ensure_healthy()?;
    Ok(vertices)
}

/// The packages the step named `step` compiled rather than found in its build cache (`go
/// build -v` prints one import path per line), sorted, from the raw JSON progress `log`.
fn compiled_packages(log: &str, step: &str) -> Vec<String> {
    let mut packages: Vec<String> = progress::vertex_logs_rawjson(log, step)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.contains(' '))
        .map(str::to_string)
        .collect();
    packages.sort();
    packages
}

#[test]
fn ci_cache_export_compiles_only_the_main_module_on_a_fresh_runner() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let name = "cache-export";
    let run = ci_run("cache:\n  export: true\n", name, Options::default())?;
    let vertices = built_from_the_imported_modules(&run)?;
    // main.go changed: the list is made again, to the same bytes, so the dependency compile
    // (keyed by the list's content) and the standard library come from the imported cache,
    // and the compile compiles the main package alone.
    progress::ensure_ran(&vertices, LIST, "after main.go changed")?;
    for step in [STANDARD_LIBRARY, DEPENDENCIES] {
        progress::ensure_cached(&vertices, step, "the imports did not change")?;
    }
    let log = run.second.combined();
    let compiled = compiled_packages(&log, COMPILE);
    ensure!(
        compiled == [format!("{MAIN_MODULE}/cmd/uuid-service")],
        "the compile compiled {compiled:?}, expected the main package alone\ncompile log:\n{}",
        progress::vertex_logs_rawjson(&log, COMPILE)
    );

    // A new import of a package of a module go.mod already requires: no download, a new
    // list, so the dependency compile runs again, and the compile still compiles only the
    // main package.
    run.copy.write(
        "cmd/uuid-service/semaphore.go",
        "package main\n\nimport _ \"golang.org/x/sync/semaphore\"\n",
    )?;
    // The daemon's build cache mount is still empty (the second build took the dependency
    // compile from the imported cache), so the dependency compile compiles every dependency.
    let everything = [
        "github.com/google/uuid",
        "golang.org/x/sync/errgroup",
        "golang.org/x/sync/semaphore",
    ];
    new_import_compiles(&run, &everything)?;
    // Now it holds them: the next new import compiles that package alone.
    run.copy.write(
        "cmd/uuid-service/singleflight.go",
        "package main\n\nimport _ \"golang.org/x/sync/singleflight\"\n",
    )?;
    new_import_compiles(&run, &["golang.org/x/sync/singleflight"])
}

/// Builds `run` again after a new import of a package of a module go.mod already requires:
/// no download, a new list, so the dependency compile runs again and compiles `expected`,
/// and the compile still compiles only the main package.
fn new_import_compiles(run: &CiRun, expected: &[&str]) -> Result<()> {
    let output = run.build_again()?;
    ensure_built(&output, run, "the build after a new import")?;
    let log = output.combined();
    let vertices = progress::vertices_rawjson(&log);
    progress::ensure_cached(&vertices, DOWNLOAD, "go.mod did not change")?;
    progress::ensure_ran(&vertices, DEPENDENCIES, "a new package is imported")?;
    let dependencies = compiled_packages(&log, DEPENDENCIES);
    ensure!(
        dependencies == expected,
        "after the new import the dependency compile compiled {dependencies:?}, expected \
         {expected:?}\ndependency compile log:\n{}",
        progress::vertex_logs_rawjson(&log, DEPENDENCIES)
    );
    let compiled = compiled_packages(&log, COMPILE);
    ensure!(
        compiled == [format!("{MAIN_MODULE}/cmd/uuid-service")],
        "after the new import the compile compiled {compiled:?}, expected the main package \
         alone\ncompile log:\n{}",
        progress::vertex_logs_rawjson(&log, COMPILE)
    );
    Ok(())
}

#[test]
fn ci_cache_export_test_target_reuses_the_dependency_compile() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // --target test: the list includes the tests' imports, and the dependency compile made
    // with go test's flags comes from the imported cache after main.go changed.
    let name = "cache-export-test";
    let run = ci_run("cache:\n  export: true\n", name, Options::target("test"))?;
    ensure_built(&run.second, &run, "the test build importing the cache")?;
    let vertices = progress::vertices_rawjson(&run.second.combined());
    progress::ensure_ran(&vertices, "go test ./...", "after main.go changed")?;
    progress::ensure_ran(&vertices, LIST, "after main.go changed")?;
    progress::ensure_cached(&vertices, DEPENDENCIES, "the imports did not change")
}

#[test]
fn ci_cache_without_export_still_carries_the_modules() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // The modules are the download step's layer with or without cache.export; only the
    // standard library's layer is cache.export's.
    let name = "cache-modules-only";
    let run = ci_run("", name, Options::default())?;
    let vertices = built_from_the_imported_modules(&run)?;
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
