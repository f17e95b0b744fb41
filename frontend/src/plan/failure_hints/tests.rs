use super::super::test_support::{execs, meta, planned, spec, syntax_request};
use crate::spec::Spec;
use crate::vocabulary::{BuildRequest, Located, Span};

/// The `(pattern, hint)` pairs the step named `step` passes to the helper, and its command.
fn hints_of(spec: &Spec, step: &str) -> (Vec<(String, String)>, Vec<String>) {
    let request = BuildRequest {
        spec_filename: "app.yaml".into(),
        ..syntax_request()
    };
    let plan = planned(spec, &request);
    let meta = plan
        .platforms
        .iter()
        .flat_map(|platform| execs(&platform.filesystem))
        .find(|(name, _, _)| name.starts_with(step))
        .map(|(_, _, exec)| meta(&exec))
        .unwrap_or_else(|| panic!("no step {step}"));
    assert_eq!(meta.args[..3], ["/gostage/bin/gostage", "explain", "--"]);
    let variable = meta
        .env
        .iter()
        .find_map(|entry| entry.strip_prefix("GOSTAGE_FAILURE_HINTS="))
        .unwrap_or_else(|| panic!("no hints in {:?}", meta.env));
    // Read as the step reads it, so what the plan writes is what `gostage explain` uses.
    let pairs = crate::step_contract::decode_hints(variable)
        .unwrap_or_else(|error| panic!("{error}"))
        .into_iter()
        .map(|rule| (rule.pattern, rule.hint))
        .collect();
    (pairs, meta.args[3..].to_vec())
}

fn hint<'a>(pairs: &'a [(String, String)], pattern: &str) -> &'a str {
    pairs
        .iter()
        .find(|(known, _)| known == pattern)
        .map(|(_, hint)| hint.as_str())
        .unwrap_or_else(|| panic!("no hint for {pattern} in {pairs:?}"))
}

/// What Go 1.26 prints for each failure (observed with the host toolchain and in builds).
const GO_OUTPUT: &[(&str, &str)] = &[
    ("go.mod requires go >=", "go: go.mod requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)"),
    ("missing go.sum entry", "main.go:3:8: missing go.sum entry for module providing package github.com/google/uuid (imported by example.com/x); to add:"),
    ("no space left on device", "/usr/local/go/pkg/tool/linux_amd64/link: writing output: write $WORK/b001/exe/a.out: no space left on device"),
    ("directory not found", "stat /src/nothere: directory not found"),
];

#[test]
fn the_compile_explains_failures_at_the_main_and_go_lines() {
    let mut spec = spec(&["linux/amd64"]);
    spec.go = Some(Located::new("1.22".into(), Span { line: 2, column: 5 }));
    let (pairs, command) = hints_of(&spec, "go build ./cmd/server");
    assert_eq!(command[..2], ["go", "build"]);
    assert_eq!(command.last().map(String::as_str), Some("./cmd/server"));
    assert!(hint(&pairs, "go.mod requires go >=").contains("app.yaml:2"));
    assert!(hint(&pairs, "missing go.sum entry").contains("go mod tidy"));
    let main = hint(&pairs, "is not a main package");
    assert!(
        main.contains("`main: ./cmd/server`") && main.contains("app.yaml:3"),
        "{main}"
    );
    assert!(hint(&pairs, "signal: killed").contains("-p=1"));
    for (pattern, output) in GO_OUTPUT {
        assert!(output.contains(pattern), "{output}");
        assert!(pairs.iter().any(|(known, _)| known == pattern), "{pattern}");
    }
}

#[test]
fn a_module_missing_from_the_compile_points_at_go_mod_tidy() {
    for export in [false, true] {
        let mut spec = spec(&["linux/amd64"]);
        spec.cache.export = export;
        let (pairs, _) = hints_of(&spec, "go build ./cmd/server");
        let missing = hint(&pairs, "module lookup disabled by GOPROXY=off");
        assert!(
            missing.contains("go mod tidy") && missing.contains("app.yaml:1"),
            "{missing}"
        );
    }
}

#[test]
fn the_download_keeps_its_credential_hints_and_adds_the_toolchain() {
    let spec = spec(&["linux/amd64"]);
    let (pairs, command) = hints_of(&spec, "go mod download");
    assert_eq!(
        command[1..],
        ["download-modules", "/gostage/module-downloads"]
    );
    assert!(hint(&pairs, "401 Unauthorized").contains("--secret id=netrc"));
    // No `go:` nor `builder:`: the first key.
    assert!(hint(&pairs, "go.mod requires go >=").contains("app.yaml:1"));
}

#[test]
fn a_cgo_compile_explains_missing_headers_libraries_and_compilers_at_the_packages() {
    let mut spec = spec(&["linux/amd64"]);
    let (pairs, _) = hints_of(&spec, "go build ./cmd/server");
    assert!(pairs.iter().all(|(pattern, _)| pattern != "cannot find -l"));
    spec.build.cgo = true;
    spec.build.packages = vec![Located::new(
        "libsqlite3-dev".into(),
        Span { line: 9, column: 7 },
    )];
    let (pairs, _) = hints_of(&spec, "go build ./cmd/server");
    let header = hint(&pairs, ".h: No such file or directory");
    assert!(
        header.contains("`build.packages`") && header.ends_with("(see app.yaml:9)"),
        "{header}"
    );
    assert!(hint(&pairs, "cannot find -l").contains("`-dev` package"));
    assert!(hint(&pairs, "cgo: C compiler").contains("not an `-alpine` one"));
}

#[test]
fn a_workspace_import_without_a_require_points_at_the_go_mod_of_the_service() {
    let mut context = super::super::test_support::context(false);
    context.location = crate::context::ModuleLocation {
        module_dir: Some("svc-a".into()),
        paths: Some(crate::context::LocalModulePaths {
            download_files: vec![
                "go.work".into(),
                "svc-a/go.mod".into(),
                "svc-b/go.mod".into(),
            ],
            compile_paths: vec!["go.work".into(), "svc-a".into(), "svc-b/go.mod".into()],
            modules_left_out: vec!["svc-b".into()],
        }),
    };
    let plan = super::super::test_support::planned_on(
        &spec(&["linux/amd64"]),
        &context,
        super::super::test_support::builder(),
    );
    let (_, _, compile) = execs(&plan.platforms[0].filesystem)
        .into_iter()
        .find(|(name, _, _)| name.starts_with("go build ./cmd/server"))
        .unwrap_or_else(|| panic!("no compile"));
    let variable = meta(&compile)
        .env
        .iter()
        .find_map(|entry| {
            entry
                .strip_prefix("GOSTAGE_FAILURE_HINTS=")
                .map(str::to_string)
        })
        .unwrap_or_default();
    let rules = crate::step_contract::decode_hints(&variable).unwrap_or_else(|e| panic!("{e}"));
    // What go1.26 prints when svc-a imports a package of svc-b, whose sources it lacks.
    let output =
        "main.go:6:2: no required module provides package example.com/m/svc-b/pkg; to add it:";
    let hints: Vec<&str> = rules
        .iter()
        .filter(|rule| output.contains(&rule.pattern))
        .map(|rule| rule.hint.as_str())
        .collect();
    assert!(
        hints.iter().any(|hint| hint.contains("svc-a/go.mod")
            && hint.contains("not svc-b")
            && hint.contains("require")),
        "{hints:?}"
    );
}
