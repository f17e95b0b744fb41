//! Small standard-library Go programs that gostage runs in the builder, or compiles for the
//! image (`assets/*.go`): Go is the one tool every builder image has, so helpers written in Go
//! work on any of them.
//!
//! Helpers run without network and with `GOPROXY=off`: they import only the standard
//! library, so they never need a module.

use super::compile::NO_DWARF;
use super::images::builder_image;
use super::ldflags::DEFAULT_LDFLAGS;
use super::offline_step::{OfflineGoStep, Root};
use super::Planner;
use crate::llb::{Constraints, FileOp, Output};
use crate::vocabulary::{Platform, Problem};

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
    let build_platform = &planner.request.build_platform;
    helper_step(
        planner,
        file,
        source,
        args,
        (build_platform, &[]),
        inputs,
        name,
    )
}

/// Compiles `source` (saved as `file`) with `go build` in the builder, on the build platform,
/// for `platform`: a static (`CGO_ENABLED=0`) binary, stripped and without build id (the
/// flags of `ldflags::DEFAULT_LDFLAGS`) and with `-trimpath`, so the same Go gives the same
/// bytes. `inputs` are mounted read-only (`(mount point, filesystem)`), e.g. only to order
/// this step after another. Returns a filesystem holding only the binary at `path`
/// (absolute), in a step named `name`. The client's `GOFLAGS` and the spec's `build:`
/// settings do not apply: they are meant for the module's programs.
///
/// Errors: a `platform` Go cannot build for ([`Problem`]).
pub fn compile(
    planner: Planner<'_>,
    file: &str,
    source: &str,
    platform: &Platform,
    path: &str,
    inputs: &[(&str, &Output)],
    name: &str,
) -> Result<Output, Problem> {
    let target = platform.go_env()?;
    let mut args: Vec<String> = [
        "go",
        "build",
        "-trimpath",
        NO_DWARF,
        "-ldflags",
        DEFAULT_LDFLAGS,
    ]
    .map(String::from)
    .to_vec();
    args.extend(["-o".to_string(), format!("{OUTPUT_DIR}{path}")]);
    args.push(format!("{PROGRAM_DIR}/{file}"));
    Ok(helper_step(
        planner,
        file,
        source,
        args,
        (platform, &target),
        inputs,
        name,
    ))
}

/// One helper step: `args` in the builder on the build platform, without network, with the
/// program at [`PROGRAM_DIR`], `inputs` read-only, the build cache of the platform it
/// compiles for, and [`OUTPUT_DIR`] as the result. `target` is that platform and its Go
/// environment (empty for the build platform, Go's default).
fn helper_step(
    planner: Planner<'_>,
    file: &str,
    source: &str,
    args: Vec<String>,
    (platform, extra): (&Platform, &[(String, String)]),
    inputs: &[(&str, &Output)],
    name: &str,
) -> Output {
    let program = FileOp::on(None)
        .mkfile(&format!("/{file}"), 0o644, source.as_bytes(), 0)
        .build(&Constraints::default(), &format!("write {file}"));
    // The client's GOFLAGS are meant for the module build, not for these helpers.
    let mut environment = vec![
        ("CGO_ENABLED".to_string(), "0".to_string()),
        ("GOFLAGS".to_string(), String::new()),
    ];
    environment.extend(extra.iter().cloned());
    let root = builder_image(planner);
    let mut step = OfflineGoStep::new(planner, args, &environment, Root::ReadOnly(&root))
        .build_cache(platform, None);
    let exec = step.exec();
    exec.readonly(PROGRAM_DIR, &program);
    let output = exec.writable(OUTPUT_DIR, None);
    for (dest, input) in inputs {
        exec.readonly(dest, input);
    }
    step.build(name).output(output)
}
