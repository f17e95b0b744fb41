//! Files a static Go program needs at run time, gathered in the builder: the CA bundle,
//! the time zone database and a sticky `/tmp` (see `assets/runtime_files.go`).

use super::environment::{builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID};
use super::PlanInput;
use crate::llb::{CacheSharing, Exec, FileOp, Mount, Output};

/// The Go program that gathers the files; run with `go run`, standard library only.
const PROGRAM: &str = include_str!("assets/runtime_files.go");

/// A filesystem with `etc/ssl/certs/ca-certificates.crt`, `usr/share/zoneinfo/…` and `tmp/`.
pub fn runtime_files(input: PlanInput<'_>) -> Output {
    let program = FileOp::on(None)
        .mkfile("/runtime_files.go", 0o644, PROGRAM.as_bytes(), 0)
        .build("write runtime files program");
    // GOFLAGS from the client is meant for the module build, not for this helper.
    let extra = [
        ("CGO_ENABLED".to_string(), "0".to_string()),
        ("GOFLAGS".to_string(), String::new()),
    ];
    let outputs = Exec {
        args: [
            "go",
            "run",
            "-trimpath",
            "/gostage/runtime_files.go",
            "/out",
        ]
        .map(String::from)
        .to_vec(),
        env: builder_env(input.builder, input.request, &extra),
        cwd: "/".into(),
        user: String::new(),
        mounts: vec![
            Mount::bind("/", Some(&super::deps::builder_image(input)), true),
            Mount::bind("/gostage", Some(&program), true),
            Mount::bind("/out", None, false),
            Mount::tmpfs("/tmp"),
            Mount::cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared),
        ],
        platform: input.request.build_platform.to_pb(),
        location: None,
        ignore_cache: input.request.no_cache,
    }
    .run("gather CA bundle, zoneinfo and /tmp");
    outputs.get("/out").cloned().unwrap_or(program)
}
