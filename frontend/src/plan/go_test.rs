//! The `test` target: `go test` of the spec's packages (`test:`), on and for the build
//! platform, after `go mod download`, with the compile's caches, `CGO_ENABLED` (`0`, or `1`
//! with `build.cgo` on the builder with `build.packages`), build tags and `build.env`. It
//! returns the reports that `gostage test-report` (module `step::test_report`) writes.

use super::build_cache_layers::{self, CacheRequest};
use super::compile::{module_directory, module_env, source};
use super::deps::Dependencies;
use super::offline_step::{OfflineGoStep, Root};
use super::{gostage_binary, Planner};
use crate::llb::Output;
use crate::step_contract::{Invocation, OUTPUT_DIR, SOURCE_DIR};

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

/// The flags of `test.flags` that change how a package compiles, and so its build cache
/// entry (`go help build`, `go help testflag`): `-race`, `-msan`, `-asan` (with
/// `build.cgo`), `-trimpath`, and `-gcflags`/`-asmflags` with their values (`-gcflags=…` or
/// `-gcflags …`).
const PACKAGE_FLAGS: &[&str] = &[
    "-race",
    "-msan",
    "-asan",
    "-trimpath",
    "-gcflags",
    "-asmflags",
];
/// Those of [`PACKAGE_FLAGS`] that take a value.
const PACKAGE_FLAGS_WITH_VALUE: &[&str] = &["-gcflags", "-asmflags"];

/// The flags that decide how `go test` compiles the packages it does not test: `-tags` from
/// `build.tags`, then the [`PACKAGE_FLAGS`] of `test.flags`, so that the dependency compile of
/// `cache.export` fills the build cache as `go test` reads it.
fn package_flags(planner: Planner<'_>) -> Vec<String> {
    let spec = planner.spec;
    let mut flags = Vec::new();
    if !spec.build.tags.is_empty() {
        flags.push("-tags".to_string());
        flags.push(spec.build.tags.join(","));
    }
    let mut written = spec.test.flags.iter().map(|flag| flag.value.as_str());
    while let Some(flag) = written.next() {
        let name = flag.split_once('=').map_or(flag, |(name, _)| name);
        // `--race` is the same flag to Go's flag package.
        let name = name
            .strip_prefix('-')
            .filter(|rest| rest.starts_with('-'))
            .unwrap_or(name);
        if !PACKAGE_FLAGS.contains(&name) {
            continue;
        }
        flags.push(flag.to_string());
        if PACKAGE_FLAGS_WITH_VALUE.contains(&name) && !flag.contains('=') {
            flags.extend(written.next().map(str::to_string));
        }
    }
    flags
}

/// A filesystem holding the reports `step_contract::TEST_REPORT_EVENTS` and
/// `step_contract::TEST_REPORT_TEXT`, made by running the tests on the build platform. The
/// step fails when a test fails (or a package does not build), and its log ends with the
/// failing tests' names.
///
/// `go test` gets the compile's environment as it is, GOFLAGS included: `gostage
/// test-report` is no Go program that GOFLAGS would have to be kept away from.
///
/// The root, the source and `/tmp` are writable, as on a developer's machine: tests may write
/// next to their package; nothing but the reports is kept.
///
/// With `cache.export`, the build cache starts from the layer of `build_cache_layers`: the
/// standard library and the test packages' dependencies compiled as `go test` compiles them.
pub fn report(planner: Planner<'_>, deps: &Dependencies) -> Output {
    let spec = planner.spec;
    let platform = &planner.request.build_platform;
    let cache_layer = spec.cache.export.then(|| {
        let request = CacheRequest {
            platform,
            env: module_env(planner),
            flags: package_flags(planner),
            packages: spec
                .test
                .packages
                .iter()
                .map(|package| package.value.clone())
                .collect(),
            tests: true,
        };
        build_cache_layers::layer(
            planner,
            deps,
            &source(planner),
            &module_directory(planner),
            &request,
        )
    });
    let args = Invocation::TestReport {
        report_dir: OUTPUT_DIR.to_string(),
        package_dir: module_directory(planner),
        go_test_arguments: go_test_arguments(planner),
    }
    .command_line();
    let line = spec
        .test
        .packages
        .first()
        .map_or(0, |package| package.span.line);
    // The compile's network rule: every module the tests need was downloaded with go.sum.
    let mut step = OfflineGoStep::new(
        planner,
        args,
        &module_env(planner),
        Root::Writable(&deps.root),
    )
    .build_cache(platform, cache_layer.as_ref())
    .line(line);
    let exec = step.exec();
    gostage_binary::mount(planner, exec);
    let reports = exec.writable(OUTPUT_DIR, None);
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

#[cfg(test)]
mod tests;
