//! The SBOM stage: an SPDX document made from the Go build information embedded in each
//! binary (module path, version and go.sum hash of every dependency, the Go toolchain), by
//! `assets/sbom.go` in the builder. Attached as an in-toto attestation when the client asks
//! for SBOMs, so BuildKit skips its own image scanner (`frontend/attestations/sbom`, `HasSBOM`).

use super::environment::{builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID};
use super::platform::Platform;
use super::PlanInput;
use crate::llb::{CacheSharing, Exec, FileOp, Mount, Output};

/// Path of the document in the SBOM result.
pub const SBOM_PATH: &str = "/sbom.spdx.json";

/// in-toto predicate type of an SPDX document (BuildKit `intoto.PredicateSPDX`).
pub const SPDX_PREDICATE_TYPE: &str = "https://spdx.dev/Document";

const PROGRAM: &str = include_str!("assets/sbom.go");

/// A filesystem holding only [`SBOM_PATH`], describing the binaries of `binaries_tree`
/// (a tree with each binary at `/<name>`). `created` is RFC 3339.
pub fn document(
    input: PlanInput<'_>,
    binaries_tree: &Output,
    names: &[String],
    created: &str,
    platform: &Platform,
) -> Output {
    let program = FileOp::on(None)
        .mkfile("/sbom.go", 0o644, PROGRAM.as_bytes(), 0)
        .build("write SBOM program");
    let extra = [
        ("CGO_ENABLED".to_string(), "0".to_string()),
        ("GOFLAGS".to_string(), String::new()),
    ];
    let mut args: Vec<String> = ["go", "run", "-trimpath", "/gostage/sbom.go"]
        .map(String::from)
        .to_vec();
    args.push(format!("/out{SBOM_PATH}"));
    args.push(created.to_string());
    args.extend(names.iter().map(|name| format!("/in/{name}")));
    let outputs = Exec {
        args,
        env: builder_env(input.builder, input.request, &extra),
        cwd: "/".into(),
        user: String::new(),
        mounts: vec![
            Mount::bind("/", Some(&super::deps::builder_image(input)), true),
            Mount::bind("/gostage", Some(&program), true),
            Mount::bind("/in", Some(binaries_tree), true),
            Mount::bind("/out", None, false),
            Mount::tmpfs("/tmp"),
            Mount::cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared),
        ],
        platform: input.request.build_platform.to_pb(),
        location: None,
        ignore_cache: input.request.no_cache,
    }
    .run(&format!("SBOM of {} ({platform})", names.join(", ")));
    outputs.get("/out").cloned().unwrap_or(program)
}
