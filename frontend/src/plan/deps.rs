//! The dependency stage: go.mod and go.sum alone, then `go mod download` into the module
//! cache, so that editing a `.go` file does not download modules again.

use super::environment::{
    builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID, MODULE_CACHE_DIR, MODULE_CACHE_ID,
};
use super::{PlanError, Planner, SOURCE_DIR};
use crate::llb::{self, CacheSharing, CopyOptions, Exec, FileOp, LocalOptions, Mount, Output};

/// The builder image on the build platform.
pub fn builder_image(input: Planner<'_>) -> Output {
    let name = format!("builder image {}", input.builder.reference);
    llb::image(
        &input.builder.reference,
        &crate::llb::platform(&input.request.build_platform),
        input.request.resolve_mode,
        &name,
    )
}

/// The builder's root filesystem with `/src/go.mod` and `/src/go.sum`, after
/// `go mod download` filled the module cache mount. A vendored module downloads nothing: Go
/// builds it from `vendor/`, and its modules may not be reachable from the build at all.
pub fn download(input: Planner<'_>) -> Result<Output, PlanError> {
    let request = input.request;
    let module_files = llb::local(
        &request.context_local,
        &LocalOptions {
            session_id: request.session_id.clone(),
            include_patterns: vec!["go.mod".into(), "go.sum".into()],
            shared_key_hint: "gostage-go.mod".into(),
            ..Default::default()
        },
        "load go.mod and go.sum",
    );
    let contents = CopyOptions {
        contents_only: true,
        ..Default::default()
    };
    let with_module_files = FileOp::on(Some(&builder_image(input)))
        .copy(
            Some(&module_files),
            "/",
            &format!("{SOURCE_DIR}/"),
            &contents,
        )
        .build("copy go.mod go.sum");
    if input.context.vendored {
        return Ok(with_module_files);
    }
    let outputs = Exec {
        args: vec!["go".into(), "mod".into(), "download".into()],
        env: builder_env(input.builder, request, &[]),
        cwd: SOURCE_DIR.into(),
        user: String::new(),
        mounts: vec![
            Mount::bind("/", Some(&with_module_files), false),
            Mount::cache(MODULE_CACHE_DIR, MODULE_CACHE_ID, CacheSharing::Shared),
            Mount::cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared),
        ],
        platform: crate::llb::platform(&request.build_platform),
        location: None,
        ignore_cache: request.no_cache,
    }
    .run("go mod download");
    outputs.get("/").cloned().ok_or(PlanError::MissingOutput {
        step: "go mod download".into(),
    })
}
