//! The dependency stage: go.mod and go.sum alone, then `go mod download` into the module
//! cache, so that editing a `.go` file does not download modules again.

use super::environment::{
    builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID, MODULE_CACHE_DIR, MODULE_CACHE_ID,
};
use super::{ssh, Planner, SOURCE_DIR};
use crate::llb::{CacheSharing, Constraints, CopyOptions, Exec, FileOp, Image, Local, Output};

/// The builder image on the build platform.
pub fn builder_image(planner: Planner<'_>) -> Output {
    let reference = &planner.builder.reference;
    let constraints = Constraints::default().platform(&planner.request.build_platform);
    Image::new(reference)
        .resolve_mode(planner.request.resolve_mode)
        .build(&constraints, &format!("builder image {reference}"))
}

/// The builder's root filesystem with `/src/go.mod` and `/src/go.sum`, after
/// `go mod download` filled the module cache mount. A vendored module downloads nothing: Go
/// builds it from `vendor/`, and its modules may not be reachable from the build at all.
pub fn download(planner: Planner<'_>) -> Output {
    let request = planner.request;
    let module_files = Local::new(&request.context_local)
        .session(&request.session_id)
        .include(vec!["go.mod".into(), "go.sum".into()])
        .shared_key_hint("gostage-go.mod")
        .build(&Constraints::default(), "load go.mod and go.sum");
    let contents = CopyOptions {
        contents_only: true,
        ..Default::default()
    };
    let with_module_files = FileOp::on(Some(&builder_image(planner)))
        .copy(
            Some(&module_files),
            "/",
            &format!("{SOURCE_DIR}/"),
            &contents,
        )
        .build(&Constraints::default(), "copy go.mod go.sum");
    if planner.context.vendored {
        return with_module_files;
    }
    let mut exec = Exec::new(vec!["go".into(), "mod".into(), "download".into()])
        .env(builder_env(
            planner.builder,
            request,
            &ssh::environment(planner),
        ))
        .cwd(SOURCE_DIR);
    let root = exec.writable("/", Some(&with_module_files));
    exec.cache(MODULE_CACHE_DIR, MODULE_CACHE_ID, CacheSharing::Shared);
    exec.cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared);
    ssh::mount(planner, &mut exec);
    exec.build(&planner.on_build_platform(), "go mod download")
        .output(root)
}
