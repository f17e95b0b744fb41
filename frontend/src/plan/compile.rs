//! The compile stage: one `go build` per binary and target platform, run on the build
//! platform (cross-compiling, never emulated), with the module and build caches mounted and
//! without network.

use super::environment::{
    offline_builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID, MODULE_CACHE_DIR, MODULE_CACHE_ID,
};
use super::ldflags::ldflags;
use super::{PlanError, Planner, SOURCE_DIR};
use crate::llb::{CacheSharing, Constraints, Exec, Local, Network, Output};
use crate::spec::Binary;
use crate::vocabulary::Platform;

/// Paths of the context never sent to the daemon: they are never needed to compile Go.
pub const CONTEXT_EXCLUDES: &[&str] = &[".git", "**/.git", "**/node_modules"];

/// The module source from the client's context directory, without [`CONTEXT_EXCLUDES`] and
/// the `.dockerignore` patterns.
pub fn source(input: Planner<'_>) -> Output {
    let excludes = CONTEXT_EXCLUDES
        .iter()
        .map(|pattern| pattern.to_string())
        .chain(input.context.ignore_patterns.iter().cloned())
        .collect();
    Local::new(&input.request.context_local)
        .session(&input.request.session_id)
        .exclude(excludes)
        .shared_key_hint("context")
        .build(&Constraints::default(), "load build context")
}

/// A filesystem holding only `/<name>`, the static binary of `binary` for `platform`.
///
/// Errors: a target platform Go cannot build for (the spec and the options check theirs, so
/// only the build platform as the default target can be one).
pub fn build(
    input: Planner<'_>,
    deps: &Output,
    runtime_files: &Output,
    binary: &Binary,
    name: &str,
    platform: &Platform,
) -> Result<Output, PlanError> {
    let spec = input.spec;
    let mut extra: Vec<(String, String)> = spec
        .build
        .env
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    extra.push(("CGO_ENABLED".into(), "0".into()));
    extra.extend(
        platform
            .go_env()
            .map_err(|problem| PlanError::BuildPlatform {
                platform: platform.clone(),
                problem,
            })?,
    );
    let mut args: Vec<String> = ["go", "build", "-trimpath", "-buildvcs=false"]
        .map(String::from)
        .to_vec();
    args.push("-ldflags".into());
    args.push(ldflags(
        &spec.build.ldflags,
        input.request.template_values(),
    ));
    if !spec.build.tags.is_empty() {
        args.push("-tags".into());
        args.push(spec.build.tags.join(","));
    }
    args.push("-o".into());
    args.push(format!("/out/{name}"));
    args.push(binary.main.value.clone());
    // No network: every module comes from the download step's module cache, so a module
    // missing from go.sum fails here with Go's error instead of being fetched unchecked.
    let mut exec = Exec::new(args)
        .env(offline_builder_env(input.builder, input.request, &extra))
        .cwd(SOURCE_DIR)
        .network(Network::None);
    exec.readonly("/", deps);
    exec.readonly(SOURCE_DIR, &source(input));
    let output = exec.writable("/out", None);
    // Mounted only to run this step after the runtime-files helper: its `go run` compiles
    // standard-library packages this build shares through the build cache. Run side by
    // side, both compile them (cold hello on 2 cores: 65-78 s → 36-40 s).
    exec.readonly("/gostage/runtime-files", runtime_files);
    exec.tmpfs("/tmp");
    exec.cache(MODULE_CACHE_DIR, MODULE_CACHE_ID, CacheSharing::Shared);
    exec.cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared);
    let constraints = input.on_build_platform().line(binary.main.span.line);
    let step = format!("go build {} ({platform})", binary.main.value);
    Ok(exec.build(&constraints, &step).output(output))
}
