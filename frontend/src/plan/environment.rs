//! The environment of builder processes.

use crate::llb::{CacheSharing, Exec, Output};
use crate::vocabulary::{BuildRequest, Platform, ResolvedImage, GO_ENVIRONMENT_BUILD_ARGS};

/// Go's module cache (`go help environment`: GOMODCACHE): the download step's layer.
pub const MODULE_CACHE_DIR: &str = "/go/pkg/mod";
/// Go's build cache, mounted as a BuildKit cache (GOCACHE).
pub const BUILD_CACHE_DIR: &str = "/root/.cache/go-build";
/// The in-memory directory for temporary files that steps mount (a tmpfs, so nothing written
/// there reaches a layer).
pub const TEMPORARY_DIR: &str = "/tmp";
/// Cache mount id of the download cache (mounted at `step_contract::DOWNLOAD_CACHE_DIR`),
/// shared by every gostage build on the daemon. Its
/// `cache/download` tree is a module proxy's (`step::download_modules`); the id is the one the
/// module cache mount had, whose tree has the same place and layout.
pub const DOWNLOAD_CACHE_ID: &str = "gostage/go-mod";
/// Cache mount id of the build cache, followed by `/<target platform>`.
pub const BUILD_CACHE_ID: &str = "gostage/go-build";

/// Mounts Go's build cache at [`BUILD_CACHE_DIR`] for a Go process that compiles for
/// `platform`: the cache mount `gostage/go-build/<os>/<arch>[/<variant>]`, `locked`. Go
/// processes share finished cache entries but not work in progress, so builds running side by
/// side (other programs on the daemon, other binaries of this build) would each compile the
/// standard library; one at a time per platform, the later ones find it compiled. Each
/// platform has its own cache, so the platforms of a build still compile in parallel. With
/// `seed` (`cache.export`) the cache starts from that layer (BuildKit keys a seeded cache by
/// its seed too: `solver/llbsolver/mounts/mount.go`).
pub fn mount_build_cache(exec: &mut Exec, platform: &Platform, seed: Option<&Output>) {
    let id = format!("{BUILD_CACHE_ID}/{platform}");
    match seed {
        Some(seed) => exec.cache_from(BUILD_CACHE_DIR, &id, CacheSharing::Locked, seed),
        None => exec.cache(BUILD_CACHE_DIR, &id, CacheSharing::Locked),
    }
}

/// The Go build-args that only say where modules come from and how they are checked
/// (`go help module-private`, `go help modules`): a step without network never uses them.
const MODULE_ROUTING_BUILD_ARGS: &[&str] = &[
    "GOPROXY",
    "GOPRIVATE",
    "GONOSUMDB",
    "GONOPROXY",
    "GOSUMDB",
    "GOINSECURE",
];

/// `KEY=VALUE` entries: the builder image's `Env`, then gostage's cache locations, then the
/// Go build-args the client set, then `extra`. A later key replaces an earlier one (a process
/// given a key twice sees the first one, so duplicates must not reach it).
pub fn builder_env(
    builder: &ResolvedImage,
    request: &BuildRequest,
    extra: &[(String, String)],
) -> Vec<String> {
    environment(builder, request, GO_ENVIRONMENT_BUILD_ARGS, extra)
}

/// [`builder_env`] for a step that runs without network: the module-routing build-args
/// (GOPROXY, GOPRIVATE, GONOSUMDB, GONOPROXY, GOSUMDB, GOINSECURE) are left out and
/// `GOPROXY=off`, so that a module the download step did not fetch fails with Go's own
/// `module lookup disabled by GOPROXY=off` instead of a network error, and a changed proxy
/// setting does not run the step again. GOFLAGS still applies.
pub fn offline_builder_env(
    builder: &ResolvedImage,
    request: &BuildRequest,
    extra: &[(String, String)],
) -> Vec<String> {
    let build_args: Vec<&str> = GO_ENVIRONMENT_BUILD_ARGS
        .iter()
        .copied()
        .filter(|name| !MODULE_ROUTING_BUILD_ARGS.contains(name))
        .collect();
    let mut extra = extra.to_vec();
    extra.insert(0, ("GOPROXY".to_string(), "off".to_string()));
    environment(builder, request, &build_args, &extra)
}

fn environment(
    builder: &ResolvedImage,
    request: &BuildRequest,
    build_args: &[&str],
    extra: &[(String, String)],
) -> Vec<String> {
    let mut entries: Vec<(String, String)> = builder
        .env()
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((key, value)) => (key.to_string(), value.to_string()),
            None => (entry, String::new()),
        })
        .collect();
    let mut set = |key: &str, value: &str| match entries.iter_mut().find(|(known, _)| known == key)
    {
        Some(existing) => existing.1 = value.to_string(),
        None => entries.push((key.to_string(), value.to_string())),
    };
    set("GOMODCACHE", MODULE_CACHE_DIR);
    set("GOCACHE", BUILD_CACHE_DIR);
    for name in build_args {
        if let Some(value) = request.build_arg(name) {
            set(name, value);
        }
    }
    for (key, value) in extra {
        set(key, value);
    }
    entries
        .into_iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect()
}
