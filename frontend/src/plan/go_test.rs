//! The `test` target: `go test` of the spec's packages (`test:`), on and for the build
//! platform, after `go mod download`, with the compile's caches, `CGO_ENABLED` (`0`, or `1`
//! with `build.cgo` on the builder with `build.packages`), build tags and `build.env`. It returns the report that `assets/test_report.go` writes.

use super::compile::{module_env, source};
use super::deps::Dependencies;
use super::environment::offline_builder_env;
use super::offline_step::{OfflineGoStep, Root};
use super::{Planner, SOURCE_DIR};
use crate::llb::{Constraints, FileOp, Output};

/// The Go program that runs `go test -json` and writes the reports; standard library only.
const PROGRAM: &str = include_str!("assets/test_report.go");

/// Where the program's source is mounted.
const PROGRAM_DIR: &str = "/gostage";

/// Where the reports are written; the returned filesystem.
const REPORT_DIR: &str = "/out";

/// The reports in the returned filesystem, for `--output type=local`: the `go test -json`
/// event stream (cmd/test2json's format, read by CI tools) and the same run as text.
pub const REPORTS: [&str; 2] = ["/test-report.json", "/test-report.txt"];

/// The variable that carries the client's GOFLAGS past `go run` to `go test` (see
/// `assets/test_report.go`).
const GOFLAGS_VARIABLE: &str = "GOSTAGE_TEST_GOFLAGS";

/// The `go test` arguments after `-json`: `-tags` from `build.tags`, then `test.flags`, then
/// `test.packages`.
pub fn go_test_arguments(planner: Planner<'_>) -> Vec<String> {
    let spec = planner.spec;
    let mut arguments = Vec::new();
    if !spec.build.tags.is_empty() {
        arguments.push("-tags".to_string());
        arguments.push(spec.build.tags.join(","));
    }
    arguments.extend(spec.test.flags.iter().map(|flag| flag.value.clone()));
    arguments.extend(
        spec.test
            .packages
            .iter()
            .map(|package| package.value.clone()),
    );
    arguments
}

/// A filesystem holding [`REPORTS`], made by running the tests on the build platform. The
/// step fails when a test fails (or a package does not build), and its log ends with the
/// failing tests' names.
///
/// The root, the source and `/tmp` are writable, as on a developer's machine: tests may write
/// next to their package; nothing but the reports is kept.
pub fn report(planner: Planner<'_>, deps: &Dependencies) -> Output {
    let spec = planner.spec;
    let program = FileOp::on(None)
        .mkfile("/test_report.go", 0o644, PROGRAM.as_bytes(), 0)
        .build(&Constraints::default(), "write test_report.go");
    let mut extra = module_env(planner);
    // The GOFLAGS `go test` would see (builder image, build-arg, build.env), moved aside so
    // that `go run` of the report program does not apply them.
    let goflags = offline_builder_env(planner.builder, planner.request, &extra)
        .iter()
        .find_map(|entry| entry.strip_prefix("GOFLAGS=").map(String::from))
        .unwrap_or_default();
    extra.push(("GOFLAGS".into(), String::new()));
    extra.push((GOFLAGS_VARIABLE.into(), goflags));

    let mut args: Vec<String> = ["go", "run", "-trimpath"].map(String::from).to_vec();
    args.push(format!("{PROGRAM_DIR}/test_report.go"));
    args.push(REPORT_DIR.into());
    args.push(SOURCE_DIR.into());
    args.extend(go_test_arguments(planner));
    // The compile's network rule: every module the tests need was downloaded with go.sum.
    let line = spec
        .test
        .packages
        .first()
        .map_or(0, |package| package.span.line);
    let mut step = OfflineGoStep::new(planner, args, &extra, Root::Writable(&deps.root))
        .build_cache(&planner.request.build_platform, None)
        .line(line);
    let exec = step.exec();
    exec.readonly(PROGRAM_DIR, &program);
    let reports = exec.writable(REPORT_DIR, None);
    exec.writable(SOURCE_DIR, Some(&source(planner)));
    deps.mount_modules(exec);
    let written: Vec<&str> = spec
        .test
        .flags
        .iter()
        .chain(&spec.test.packages)
        .map(|argument| argument.value.as_str())
        .collect();
    let name = format!(
        "go test {} ({})",
        written.join(" "),
        planner.request.build_platform
    );
    step.build(&name).output(reports)
}
