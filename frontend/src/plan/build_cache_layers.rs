//! The build cache layers (`cache.export`): Go's build cache after compiling the standard
//! library, then after compiling the program's dependency packages, as ordinary layers per
//! target platform. BuildKit never exports cache mounts (moby/buildkit#1512), but it exports
//! ordinary layers with `--cache-to … mode=max`; so a CI runner that starts empty and imports
//! the last run's cache compiles only the main module's packages.
//!
//! Three steps, each keyed by what decides its result and nothing else:
//!
//! | step | inputs | cache key, in effect |
//! |---|---|---|
//! | `go build std` | builder | builder, platform, flags, tags |
//! | `list dependency packages` | builder, go.mod files, module layer, sources | all of them: it runs on every source change (`go list` reads imports only) |
//! | `go build dependencies` | the std layer, the module layer, the list (read-only); compiles in the build cache mount | the list's *content*, the module layer, the std layer, flags |
//!
//! The list is mounted read-only, which makes BuildKit key the dependency compile by the
//! list's content rather than by the step that wrote it (`solver/llbsolver/ops/exec.go`,
//! `getMountDeps`: a read-only mount is content-based; `CacheMap` sets its
//! `ComputeDigestFunc`). An edit that changes no import rewrites the same bytes, so the
//! dependency compile is reused, locally and from an imported cache.
//!
//! The three steps run `go` and the builder's `sh` only, never gostage's own binary: with
//! gostage's image mounted, BuildKit v0.32 matched only one of two platforms' layers on cache
//! import (`cargo xtask bench --case ci`: 28-30 s instead of 6-7 s).

use super::deps::Dependencies;
use super::environment::{BUILD_CACHE_DIR, TEMPORARY_DIR};
use super::offline_step::{OfflineGoStep, Root};
use super::{Planner, SOURCE_DIR};
use crate::llb::Output;
use crate::step_contract::OUTPUT_DIR;
use crate::vocabulary::Platform;

/// Where the dependency compile reads the list: the list step's output, mounted read-only.
pub const DEPENDENCY_LIST_DIR: &str = "/gostage/dependencies";
/// The list's file name in the list step's output: one import path per line, sorted, without
/// duplicates or empty lines.
pub const DEPENDENCY_LIST_FILE: &str = "packages.txt";

/// The `go list -f` template that sorts the listed packages, one line each: `local PATH` for a
/// package of a local module (a main module, in workspace mode every `use` module, or a
/// directory `replace` target: `.Module.Replace.Version` is empty for one), `dependency PATH
/// DEP…` with its transitive imports for a package of any other module without errors; a
/// standard-library package or a test variant prints an empty line (`go help list`: the
/// Package and Module structs; `and`/`or` stop at the first decisive argument since Go 1.18,
/// `text/template`).
pub const DEPENDENCY_TEMPLATE: &str = "{{if not .Standard}}{{if not .ForTest}}{{with .Module}}\
{{if or .Main (and .Replace (not .Replace.Version))}}local {{$.ImportPath}}\
{{else if not $.Error}}dependency {{$.ImportPath}}{{range $.Deps}} {{.}}{{end}}\
{{end}}{{end}}{{end}}{{end}}";

/// What the three steps compile, and how; the program's compile (or test run) must pass the
/// same flags so that Go finds its dependency packages in the layer (a package's build cache
/// key covers its compiler flags and tags: `buildActionID` in exec.go of cmd/go's `work` package).
#[derive(Clone, Debug)]
pub struct CacheRequest<'a> {
    /// The target platform, for the step names and the build cache.
    pub platform: &'a Platform,
    /// The environment beyond the builder's (`GOOS`, `GOARCH`, `CGO_ENABLED`, `build.env`).
    pub env: Vec<(String, String)>,
    /// The flags that decide how a package compiles: `-trimpath`, `-gcflags`, `-tags`, …
    pub flags: Vec<String>,
    /// The packages to list the dependencies of, as written (relative to the main module's
    /// directory).
    pub packages: Vec<String>,
    /// Whether the packages' tests count (`go list -test`), for the `test` target.
    pub tests: bool,
}

/// The build cache layer to seed the program's build cache with: the standard library, and
/// the dependency packages of `request.packages` on top (none for a vendored module: its
/// dependencies are sources under `vendor/`, which the program's compile builds).
///
/// `module_directory` is where the Go commands run (the main module's directory under
/// `/src`); `source` is the sources as the program's compile mounts them.
pub fn layer(
    planner: Planner<'_>,
    deps: &Dependencies,
    source: &Output,
    module_directory: &str,
    request: &CacheRequest<'_>,
) -> Output {
    let standard_library = standard_library(planner, request);
    if deps.modules.is_none() {
        return standard_library;
    }
    let list = dependency_list(planner, deps, source, module_directory, request);
    dependency_packages(
        planner,
        deps,
        module_directory,
        request,
        &standard_library,
        &list,
    )
}

/// Go's build cache after `go build std` with `request`'s flags and environment, by `go`
/// alone: keyed by the builder, the platform, `build.env`, the tags and flags and the Go
/// build-args, not by the sources or go.mod, so it starts at once on a cold build, beside the
/// module download; a failing std compile gets Go's own message.
fn standard_library(planner: Planner<'_>, request: &CacheRequest<'_>) -> Output {
    let mut args: Vec<String> = ["go", "build"].map(String::from).to_vec();
    args.extend(request.flags.iter().cloned());
    args.push("std".into());
    let root = super::cgo::builder_root(planner);
    let mut step = OfflineGoStep::new(planner, args, &request.env, Root::ReadOnly(&root));
    let cache = step.exec().writable(BUILD_CACHE_DIR, None);
    let name = format!("go build std ({})", request.platform);
    step.build(&name).output(cache)
}

/// A filesystem holding [`DEPENDENCY_LIST_FILE`]: the dependency packages of `go list -deps`
/// through [`DEPENDENCY_TEMPLATE`] that import no package of a local module, even
/// transitively, sorted with duplicates removed (`LC_ALL=C`), so the bytes stay the same
/// while the set of imported dependency packages does. A dependency that imports a local
/// package (honnef.co/go/tools importing golang.org/x/tools, which gopls replaces with `..`)
/// cannot compile without the local sources, which the dependency compile does not get, and
/// its build cache key changes with them: the program's compile builds it. `go list` runs
/// with `-e`: a package that fails to load is left to the program's compile, which reports it
/// with gostage's hints. `GOCACHE` is in the in-memory [`TEMPORARY_DIR`] (the root is
/// read-only and `go list` compiles nothing).
fn dependency_list(
    planner: Planner<'_>,
    deps: &Dependencies,
    source: &Output,
    module_directory: &str,
    request: &CacheRequest<'_>,
) -> Output {
    // Each local package becomes a fixed-string pattern ` PATH `, and a dependency line
    // `PATH DEP… ` holding one of them is dropped.
    let script = format!(
        "go list \"$@\" > {TEMPORARY_DIR}/packages\n\
         sed -n 's/^local \\(.*\\)$/ \\1 /p' {TEMPORARY_DIR}/packages > {TEMPORARY_DIR}/local\n\
         sed -n 's/^dependency \\(.*\\)$/\\1 /p' {TEMPORARY_DIR}/packages \
         | grep -v -F -f {TEMPORARY_DIR}/local | cut -d ' ' -f 1 | LC_ALL=C sort -u \
         > {OUTPUT_DIR}/{DEPENDENCY_LIST_FILE}\n"
    );
    let mut args: Vec<String> = ["sh", "-c", &script, "sh", "-e", "-deps"]
        .map(String::from)
        .to_vec();
    if request.tests {
        args.push("-test".into());
    }
    args.extend(tags_of(&request.flags));
    args.extend(["-f".to_string(), DEPENDENCY_TEMPLATE.to_string()]);
    args.extend(request.packages.iter().cloned());
    let mut env = request.env.clone();
    env.push(("GOCACHE".into(), format!("{TEMPORARY_DIR}/go-build")));
    let mut step = in_module(planner, deps, args, &env, module_directory);
    let exec = step.exec();
    exec.readonly(SOURCE_DIR, source);
    let list = exec.writable(OUTPUT_DIR, None);
    let name = format!("list dependency packages ({})", request.platform);
    step.build(&name).output(list)
}

/// Where the dependency compile writes its layer: it starts as the standard library's layer
/// and receives the build cache entries the compile used or wrote.
pub const DEPENDENCY_CACHE_DIR: &str = "/gostage/build-cache";

/// The dependency compile's script, run as `sh -c SCRIPT sh go build -v FLAGS…`: "$@" starts as
/// the go command and the listed packages are appended (split on newlines, globbing off; none
/// listed: nothing to do). Go compiles in the daemon's own build cache mount of the platform,
/// so a changed dependency set recompiles only what the change reaches (empty on a fresh CI
/// runner: everything), and the entries the compile used or wrote are copied into the layer.
/// Go sets a used entry's mtime to now if it is an hour old or older
/// (`cmd/go/internal/cache/cache.go`, `markUsed` and `mtimeInterval`): the script ages the
/// entries of the last hour by two hours first, so afterwards the entries newer than an hour
/// are exactly this compile's. The standard library's entries are copied into the cache mount
/// first (existing files kept), so an empty one does not compile it again. A failing compile is
/// reported and left to the program's compile, which builds what is missing and reports Go's
/// error with gostage's hints: this layer only saves work.
fn dependency_compile_script() -> String {
    format!(
        r#"set -f
fixed=$#
set -- "$@" $(cat {DEPENDENCY_LIST_DIR}/{DEPENDENCY_LIST_FILE})
[ "$#" -gt "$fixed" ] || exit 0
cp -Rpn {DEPENDENCY_CACHE_DIR}/. "$GOCACHE"/
now=$(date +%s)
hour=$(date -d "@$((now - 3600))" +%Y%m%d%H%M.%S)
aged=$(date -d "@$((now - 7200))" +%Y%m%d%H%M.%S)
touch -t "$hour" {TEMPORARY_DIR}/hour-ago
find "$GOCACHE" -type f -newer {TEMPORARY_DIR}/hour-ago -exec touch -t "$aged" {{}} +
"$@" || echo 'gostage: compiling the dependency packages failed; the compile of the program builds them and reports why' >&2
cd "$GOCACHE"
find . -type f -newer {TEMPORARY_DIR}/hour-ago ! -name trim.txt ! -name README \
  -exec sh -c 'for entry; do cp -pn "$entry" "$0/$entry"; done' {DEPENDENCY_CACHE_DIR} {{}} +
"#
    )
}

/// Go's build cache entries of the listed packages on top of `standard_library`, compiled by
/// [`dependency_compile_script`] in the main module's directory with the go.mod files but none
/// of the sources, and the list mounted read-only at [`DEPENDENCY_LIST_DIR`] (content-keyed,
/// see the module's doc; the build cache mount is not part of the key).
fn dependency_packages(
    planner: Planner<'_>,
    deps: &Dependencies,
    module_directory: &str,
    request: &CacheRequest<'_>,
    standard_library: &Output,
    list: &Output,
) -> Output {
    let script = dependency_compile_script();
    let mut args: Vec<String> = ["sh", "-c", &script, "sh", "go", "build", "-v"]
        .map(String::from)
        .to_vec();
    args.extend(request.flags.iter().cloned());
    let mut step = in_module(planner, deps, args, &request.env, module_directory)
        .build_cache(request.platform, None);
    let exec = step.exec();
    exec.readonly(DEPENDENCY_LIST_DIR, list);
    let layer = exec.writable(DEPENDENCY_CACHE_DIR, Some(standard_library));
    let name = format!("go build dependencies ({})", request.platform);
    step.build(&name).output(layer)
}

/// An offline step in the main module's directory: the builder with the go.mod files as its
/// read-only root, and the module layer mounted.
fn in_module<'a>(
    planner: Planner<'a>,
    deps: &Dependencies,
    args: Vec<String>,
    env: &[(String, String)],
    module_directory: &str,
) -> OfflineGoStep<'a> {
    let mut step =
        OfflineGoStep::new(planner, args, env, Root::ReadOnly(&deps.root)).cwd(module_directory);
    deps.mount_modules(step.exec());
    step
}

/// The `-tags` flag and its value from `flags` (the only compile flag that changes which
/// files, so which imports, a package has).
fn tags_of(flags: &[String]) -> Vec<String> {
    flags
        .iter()
        .position(|flag| flag == "-tags")
        .and_then(|position| flags.get(position..position + 2))
        .map(<[String]>::to_vec)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
