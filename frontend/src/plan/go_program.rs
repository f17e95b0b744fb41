//! Small standard-library Go programs that gostage runs in the builder (`assets/*.go`): Go is
//! the one tool every builder image has, so helpers written in Go work on any of them.
//!
//! Helpers run without network and with `GOPROXY=off`: they import only the standard
//! library, so they never need a module.

use super::deps::builder_image;
use super::environment::{offline_builder_env, BUILD_CACHE_DIR, BUILD_CACHE_ID};
use super::Planner;
use crate::llb::{CacheSharing, Constraints, Exec, FileOp, Network, Output};

/// Where the program's source is mounted.
const PROGRAM_DIR: &str = "/gostage";

/// Where the program writes its results; the returned filesystem.
pub const OUTPUT_DIR: &str = "/out";

/// Runs `source` (saved as `file`) with `go run -trimpath … arguments` in the builder, on the
/// build platform, with `inputs` mounted read-only (`(mount point, filesystem)`) and the build
/// cache, and returns what it wrote under [`OUTPUT_DIR`]. The step is named `name`.
pub fn run(
    planner: Planner<'_>,
    file: &str,
    source: &str,
    arguments: &[String],
    inputs: &[(&str, &Output)],
    name: &str,
) -> Output {
    let mut args: Vec<String> = ["go", "run", "-trimpath"].map(String::from).to_vec();
    args.push(format!("{PROGRAM_DIR}/{file}"));
    args.extend(arguments.iter().cloned());
    go_step(planner, file, source, args, inputs, name)
}

/// Compiles `source` (saved as `file`) with `go build -trimpath` for the build platform and
/// returns a filesystem holding only the executable `/<binary>`. BuildKit keeps the result,
/// so each builder image compiles the program once, not once per build.
pub fn build(planner: Planner<'_>, file: &str, source: &str, binary: &str) -> Output {
    let args = vec![
        "go".to_string(),
        "build".to_string(),
        "-trimpath".to_string(),
        "-o".to_string(),
        format!("{OUTPUT_DIR}/{binary}"),
        format!("{PROGRAM_DIR}/{file}"),
    ];
    go_step(planner, file, source, args, &[], &format!("compile {file}"))
}

fn go_step(
    planner: Planner<'_>,
    file: &str,
    source: &str,
    args: Vec<String>,
    inputs: &[(&str, &Output)],
    name: &str,
) -> Output {
    let program = FileOp::on(None)
        .mkfile(&format!("/{file}"), 0o644, source.as_bytes(), 0)
        .build(&Constraints::default(), &format!("write {file}"));
    // The client's GOFLAGS are meant for the module build, not for these helpers.
    let extra = [
        ("CGO_ENABLED".to_string(), "0".to_string()),
        ("GOFLAGS".to_string(), String::new()),
    ];
    let mut exec = Exec::new(args)
        .env(offline_builder_env(
            planner.builder,
            planner.request,
            &extra,
        ))
        .network(Network::None);
    exec.readonly("/", &builder_image(planner));
    exec.readonly(PROGRAM_DIR, &program);
    let output = exec.writable(OUTPUT_DIR, None);
    exec.tmpfs("/tmp");
    exec.cache(BUILD_CACHE_DIR, BUILD_CACHE_ID, CacheSharing::Shared);
    for (dest, input) in inputs {
        exec.readonly(dest, input);
    }
    exec.build(&planner.on_build_platform(), name)
        .output(output)
}
