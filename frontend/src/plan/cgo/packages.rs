//! The apt step: `build.packages` and the cross compilers of the target platforms, installed
//! in the builder with `apt-get` before anything else runs there, with apt's download cache
//! and package lists in cache mounts, so a later build with the same list is a cache hit and
//! a changed list downloads only what is new.

use super::super::environment::TEMPORARY_DIR;
use super::super::images::builder_image;
use super::super::Planner;
use super::cross::{c_compiler, CCompiler};
use crate::llb::{CacheSharing, Exec, Output};

/// apt's download cache (`Dir::Cache::archives`), mounted as a BuildKit cache.
pub const APT_CACHE_DIR: &str = "/var/cache/apt";
/// apt's package lists and state (`Dir::State`), mounted as a BuildKit cache.
pub const APT_LISTS_DIR: &str = "/var/lib/apt";
/// Cache mount id of [`APT_CACHE_DIR`], shared by every gostage build on the daemon.
pub const APT_CACHE_ID: &str = "gostage/apt-cache";
/// Cache mount id of [`APT_LISTS_DIR`].
pub const APT_LISTS_ID: &str = "gostage/apt-lists";

/// What the step runs, through `sh -c` with the packages as its arguments (`"$@"`), so no
/// package name is ever part of the script. Debian's container images ship
/// `/etc/apt/apt.conf.d/docker-clean`, whose `DPkg::Post-Invoke` deletes every downloaded
/// `.deb` (debuerreotype), which would leave the cache mount empty: the step removes it
/// first. `apt-get` (unlike `apt`) keeps downloaded packages by default
/// (`APT::Keep-Downloaded-Packages`, apt.conf(5)).
pub const APT_SCRIPT: &str = "rm -f /etc/apt/apt.conf.d/docker-clean && apt-get -q update && \
                              apt-get -q install -y --no-install-recommends \"$@\"";

/// The packages of the apt step: `build.packages` in the order written, then the cross
/// compilers of the target platforms that need one, sorted, each once (so the order of
/// `--platform` does not change the step). Empty when nothing needs installing: the builder
/// has `gcc` and the C library for its own platform.
pub fn packages(planner: Planner<'_>) -> Vec<String> {
    let mut cross: Vec<String> = planner
        .platforms
        .iter()
        .filter_map(
            |platform| match c_compiler(&planner.request.build_platform, platform) {
                Some(CCompiler::Cross(toolchain)) => Some(toolchain.packages()),
                _ => None,
            },
        )
        .flatten()
        .collect();
    cross.sort_unstable();
    cross.dedup();
    let mut packages: Vec<String> = planner
        .spec
        .build
        .packages
        .iter()
        .map(|package| package.value.clone())
        .collect();
    for package in cross {
        if !packages.contains(&package) {
            packages.push(package);
        }
    }
    packages
}

/// The builder with `packages` installed: `apt-get update` and `apt-get install` on the
/// build platform, with the default network (apt fetches from the builder's Debian archive),
/// the builder's `Env` (`PATH`) and `DEBIAN_FRONTEND=noninteractive` only, so Go build-args
/// never run it again, and [`APT_CACHE_DIR`] and [`APT_LISTS_DIR`] as `locked` cache mounts
/// (apt holds a lock on each; Docker's documentation of `RUN --mount=type=cache` mounts both
/// the same way). The step carries the spec line of the first package, if one is written.
pub fn installed(planner: Planner<'_>, packages: &[String]) -> Output {
    let mut args: Vec<String> = vec!["/bin/sh".into(), "-c".into(), APT_SCRIPT.into()];
    // `$0` of the script, which sh prints in its own errors.
    args.push("apt-get".into());
    args.extend(packages.iter().cloned());
    let mut env = planner.builder.env();
    env.retain(|entry| !entry.starts_with("DEBIAN_FRONTEND="));
    env.push("DEBIAN_FRONTEND=noninteractive".into());
    let mut exec = Exec::new(args).env(env);
    let root = exec.writable("/", Some(&builder_image(planner)));
    exec.cache(APT_CACHE_DIR, APT_CACHE_ID, CacheSharing::Locked);
    exec.cache(APT_LISTS_DIR, APT_LISTS_ID, CacheSharing::Locked);
    exec.tmpfs(TEMPORARY_DIR);
    let line = planner
        .spec
        .build
        .packages
        .first()
        .map_or(0, |package| package.span.line);
    let constraints = planner.on_build_platform().line(line);
    let step = format!(
        "apt-get install {} ({})",
        packages.join(" "),
        planner.request.build_platform
    );
    exec.build(&constraints, &step).output(root)
}
