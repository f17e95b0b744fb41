//! The compile stage: one `go build` per binary and target platform, run on the build
//! platform (cross-compiling, never emulated), with the module and build caches mounted.

use super::environment::{
    builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID, MODULE_CACHE_DIR, MODULE_CACHE_ID,
};
use super::ldflags::ldflags;
use super::{PlanError, Planner, SOURCE_DIR};
use crate::llb::{self, CacheSharing, Exec, LocalOptions, Mount, Output, SourceRange};
use crate::spec::Binary;
use crate::vocabulary::Platform;

/// Paths of the context never sent to the daemon: they are never needed to compile Go.
pub const CONTEXT_EXCLUDES: &[&str] = &[".git", "**/.git", "**/node_modules"];

/// The module source from the client's context directory, without [`CONTEXT_EXCLUDES`] and
/// the `.dockerignore` patterns.
pub fn source(input: Planner<'_>) -> Output {
    llb::local(
        &input.request.context_local,
        &LocalOptions {
            session_id: input.request.session_id.clone(),
            exclude_patterns: CONTEXT_EXCLUDES
                .iter()
                .map(|pattern| pattern.to_string())
                .chain(input.context.ignore_patterns.iter().cloned())
                .collect(),
            shared_key_hint: "context".into(),
            ..Default::default()
        },
        "load build context",
    )
}

/// A filesystem holding only `/<name>`, the static binary of `binary` for `platform`.
///
/// Errors: a target platform Go cannot build for (the spec and the options check theirs, so
/// only the build platform as default target can be one), or a missing output.
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
    let line = binary.main.span.line;
    let exec = Exec {
        args,
        env: builder_env(input.builder, input.request, &extra),
        cwd: SOURCE_DIR.into(),
        user: String::new(),
        mounts: vec![
            Mount::bind("/", Some(deps), true),
            Mount::bind(SOURCE_DIR, Some(&source(input)), true),
            Mount::bind("/out", None, false),
            // Mounted only to run this step after the runtime-files helper: its `go run`
            // compiles standard-library packages this build shares through the build cache.
            // Run side by side, both compile them (cold hello on 2 cores: 65-78 s → 36-40 s).
            Mount::bind("/gostage/runtime-files", Some(runtime_files), true),
            Mount::tmpfs("/tmp"),
            Mount::cache(MODULE_CACHE_DIR, MODULE_CACHE_ID, CacheSharing::Shared),
            Mount::cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared),
        ],
        platform: crate::llb::platform(&input.request.build_platform),
        location: (line > 0).then_some(SourceRange {
            start_line: line,
            end_line: line,
        }),
        ignore_cache: input.request.no_cache,
    };
    let step = format!("go build {} ({platform})", binary.main.value);
    let outputs = exec.run(&step);
    outputs
        .get("/out")
        .cloned()
        .ok_or(PlanError::MissingOutput { step })
}
