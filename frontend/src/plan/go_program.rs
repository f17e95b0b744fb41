//! Small standard-library Go programs that gostage runs in the builder (`assets/*.go`): Go is
//! the one tool every builder image has, so helpers written in Go work on any of them.

use super::environment::{builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID};
use super::{PlanError, Planner};
use crate::llb::{CacheSharing, Exec, FileOp, Mount, Output};

/// Where the program's source is mounted.
const PROGRAM_DIR: &str = "/gostage";

/// Where the program writes its results; the returned filesystem.
pub const OUTPUT_DIR: &str = "/out";

/// Runs `source` (saved as `file`) with `go run -trimpath … arguments` in the builder, on the
/// build platform, with `mounts` (read-only inputs) and the build cache, and returns what it
/// wrote under [`OUTPUT_DIR`]. The step is named `name`.
pub fn run(
    input: Planner<'_>,
    file: &str,
    source: &str,
    arguments: &[String],
    mounts: &[(&str, &Output)],
    name: &str,
) -> Result<Output, PlanError> {
    let program = FileOp::on(None)
        .mkfile(&format!("/{file}"), 0o644, source.as_bytes(), 0)
        .build(&format!("write {file}"));
    // The client's GOFLAGS are meant for the module build, not for these helpers.
    let extra = [
        ("CGO_ENABLED".to_string(), "0".to_string()),
        ("GOFLAGS".to_string(), String::new()),
    ];
    let mut args: Vec<String> = ["go", "run", "-trimpath"].map(String::from).to_vec();
    args.push(format!("{PROGRAM_DIR}/{file}"));
    args.extend(arguments.iter().cloned());
    let mut all_mounts = vec![
        Mount::bind("/", Some(&super::deps::builder_image(input)), true),
        Mount::bind(PROGRAM_DIR, Some(&program), true),
        Mount::bind(OUTPUT_DIR, None, false),
        Mount::tmpfs("/tmp"),
        Mount::cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared),
    ];
    all_mounts.extend(
        mounts
            .iter()
            .map(|(dest, output)| Mount::bind(dest, Some(output), true)),
    );
    let outputs = Exec {
        args,
        env: builder_env(input.builder, input.request, &extra),
        cwd: "/".into(),
        user: String::new(),
        mounts: all_mounts,
        platform: crate::llb::platform(&input.request.build_platform),
        location: None,
        ignore_cache: input.request.no_cache,
    }
    .run(name);
    outputs
        .get(OUTPUT_DIR)
        .cloned()
        .ok_or(PlanError::MissingOutput {
            step: name.to_string(),
        })
}
