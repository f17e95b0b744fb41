//! gostage's one Go program, the healthcheck probe (`assets/healthcheck.go`), compiled in the
//! builder for each target platform of the image.
//!
//! Why Go and not a subcommand of the `gostage` binary like the programs of module `step`:
//! the probe runs inside the image, on every target platform (arm/v6 to s390x and riscv64),
//! while the frontend image holds gostage built for the frontend's own platform only. The
//! builder's Go cross-compiles a static probe for any `GOOS`/`GOARCH` with nothing to
//! install, in a step that depends only on the builder and the probe's source, so it stays
//! cached. It imports only the standard library, so it needs no module and runs with
//! `GOPROXY=off` and no network.

use super::compile::NO_DWARF;
use super::images::builder_image;
use super::ldflags::DEFAULT_LDFLAGS;
use super::offline_step::{OfflineGoStep, Root};
use super::Planner;
use crate::llb::{Constraints, FileOp, Output};
use crate::step_contract::OUTPUT_DIR;
use crate::vocabulary::{Platform, Problem};

/// Where the program's source is mounted.
const PROGRAM_DIR: &str = "/gostage";

/// Compiles `source` (saved as `file`) with `go build` in the builder, on the build platform,
/// for `platform`: a static (`CGO_ENABLED=0`) binary, stripped and without build id (the
/// flags of `ldflags::DEFAULT_LDFLAGS`) and with `-trimpath`, so the same Go gives the same
/// bytes, with the build cache of `platform`. Returns a filesystem holding only the binary at
/// `path` (absolute), in a step named `name`. The client's `GOFLAGS` and the spec's `build:`
/// settings do not apply: they are meant for the module's programs.
///
/// Errors: a `platform` Go cannot build for ([`Problem`]).
pub fn compile(
    planner: Planner<'_>,
    file: &str,
    source: &str,
    platform: &Platform,
    path: &str,
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
    let program = FileOp::on(None)
        .mkfile(&format!("/{file}"), 0o644, source.as_bytes(), 0)
        .build(&Constraints::default(), &format!("write {file}"));
    let mut environment = vec![
        ("CGO_ENABLED".to_string(), "0".to_string()),
        ("GOFLAGS".to_string(), String::new()),
    ];
    environment.extend(target);
    let root = builder_image(planner);
    let mut step = OfflineGoStep::new(planner, args, &environment, Root::ReadOnly(&root))
        .build_cache(platform, None);
    let exec = step.exec();
    exec.readonly(PROGRAM_DIR, &program);
    let output = exec.writable(OUTPUT_DIR, None);
    Ok(step.build(name).output(output))
}
