use crate::context::layout::testing::layout;
use crate::context::ModuleContext;
use crate::lint::{check, LintInput, Scope};

/// `(rule, line)` of every finding for `spec_text` over `go_mod` (with go.sum when
/// `go_sum`), as `scope` runs them.
fn findings_with(spec_text: &str, go_mod: &str, go_sum: bool, scope: Scope) -> Vec<(String, u32)> {
    let spec = crate::spec::parse(spec_text.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
    let mut context = context_of(go_mod);
    context.go_sum = go_sum;
    check(LintInput {
        spec_file: spec_text.as_bytes(),
        spec: &spec,
        context: &context,
        layout: None,
        scope,
    })
    .into_iter()
    .map(|finding| (finding.rule.name.to_string(), finding.span.line))
    .collect()
}

/// The plan's view of a module at the context's root with `go_mod` (and no go.sum).
fn context_of(go_mod: &str) -> ModuleContext {
    ModuleContext::from_layout(&layout("version: 1\n", &[("go.mod", go_mod)]))
}

fn findings(spec_text: &str) -> Vec<(String, u32)> {
    findings_with(
        spec_text,
        "module example.com/m\ngo 1.23\n",
        true,
        Scope::Build,
    )
}

fn one(rule: &str, line: u32) -> Vec<(String, u32)> {
    vec![(rule.to_string(), line)]
}

#[test]
fn a_plain_spec_has_no_findings_in_either_scope() {
    let text = "# syntax=myorg/gostage\nversion: 1\nimage:\n  ports: [8080]\n";
    assert_eq!(findings(text), []);
    assert_eq!(
        findings_with(text, "module m\ngo 1.23\n", true, Scope::Cli),
        []
    );
}

#[test]
fn root_user_is_found_at_its_line() {
    assert_eq!(
        findings("version: 1\nimage:\n  user: 0\n"),
        one("RunsAsRoot", 3)
    );
    assert_eq!(findings("version: 1\nimage:\n  user: 1000\n"), []);
}

#[test]
fn images_by_tag_are_found_and_digests_and_derived_builders_are_not() {
    assert_eq!(
        findings("version: 1\nbuilder: golang:1.23\nimage:\n  base: distroless\n"),
        [
            ("UnpinnedImage".to_string(), 2),
            ("UnpinnedImage".to_string(), 4)
        ]
    );
    let pinned = format!(
        "version: 1\nbuilder: golang:1.23@sha256:{}\n",
        "a".repeat(64)
    );
    assert_eq!(findings(&pinned), []);
    assert_eq!(findings("version: 1\n"), []);
}

#[test]
fn a_go_older_than_go_mod_names_both_lines() {
    let go_mod = "module m\n\ngo 1.24.2\ntoolchain go1.25.1\n";
    let spec = crate::spec::parse(b"version: 1\ngo: \"1.23\"\n").unwrap_or_else(|d| panic!("{d}"));
    let mut context = context_of(go_mod);
    context.go_sum = true;
    let found = check(LintInput {
        spec_file: b"version: 1\ngo: \"1.23\"\n",
        spec: &spec,
        context: &context,
        layout: None,
        scope: Scope::Build,
    });
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.name, "GoOlderThanModule");
    assert_eq!(found[0].span.line, 2);
    assert!(
        found[0].message.contains("go.mod:3"),
        "{}",
        found[0].message
    );
    assert!(found[0].message.contains("go.mod requires go >= 1.24.2"));
    // 1.24 picks the newest 1.24.x: not older than 1.24.2; but older than the toolchain.
    assert_eq!(
        findings_with("version: 1\ngo: \"1.24\"\n", go_mod, true, Scope::Build),
        one("GoOlderThanModule", 2)
    );
    assert_eq!(
        findings_with("version: 1\ngo: \"1.25\"\n", go_mod, true, Scope::Build),
        []
    );
}

#[test]
fn requirements_without_go_sum_are_found() {
    let go_mod = "module m\ngo 1.23\nrequire example.com/x v1.0.0\n";
    assert_eq!(
        findings_with("version: 1\n", go_mod, false, Scope::Build),
        one("MissingGoSum", 1)
    );
    assert_eq!(
        findings_with("version: 1\n", go_mod, true, Scope::Build),
        []
    );
    assert_eq!(
        findings_with("version: 1\n", "module m\n", false, Scope::Build),
        []
    );
}

#[test]
fn the_syntax_line_is_checked_by_the_cli_only() {
    let cli = |text: &str| findings_with(text, "module m\n", true, Scope::Cli);
    assert_eq!(cli("# syntax=myorg/gostage\nversion: 1\n"), []);
    assert_eq!(cli("#syntax = myorg/gostage\nversion: 1\n"), []);
    assert_eq!(
        cli("# check=skip=all\n# syntax=myorg/gostage\nversion: 1\n"),
        []
    );
    assert_eq!(cli("version: 1\n"), one("SyntaxLine", 1));
    assert_eq!(
        cli("# sytnax=myorg/gostage\nversion: 1\n"),
        one("SyntaxLine", 1)
    );
    assert_eq!(
        cli("# syntax: myorg/gostage\nversion: 1\n"),
        one("SyntaxLine", 1)
    );
    assert_eq!(
        cli("# my service\n# syntax=myorg/gostage\nversion: 1\n"),
        one("SyntaxLine", 2)
    );
    assert_eq!(
        cli("\n# syntax=myorg/gostage\nversion: 1\n"),
        one("SyntaxLine", 2)
    );
    assert_eq!(findings("version: 1\n"), []);
}

#[test]
fn a_healthcheck_timeout_longer_than_its_interval_is_found() {
    let spec = |timings: &str| {
        format!("version: 1\nimage:\n  healthcheck:\n    http: http://localhost:8080/\n{timings}")
    };
    assert_eq!(
        findings(&spec("    interval: 5s\n    timeout: 10s\n")),
        one("HealthcheckIntervalBelowTimeout", 4)
    );
    // An unset timeout is Docker's 30s.
    assert_eq!(
        findings(&spec("    interval: 10s\n")),
        one("HealthcheckIntervalBelowTimeout", 4)
    );
    assert_eq!(findings(&spec("    interval: 10s\n    timeout: 2s\n")), []);
}

#[test]
fn ports_declared_twice_and_privileged_ports_are_found() {
    assert_eq!(
        findings("version: 1\nimage:\n  ports:\n    - 8080\n    - \"8080/tcp\"\n    - 5353/udp\n"),
        one("DuplicatePort", 5)
    );
    assert_eq!(
        findings("version: 1\nimage:\n  ports: [80]\n"),
        one("PrivilegedPort", 3)
    );
    assert_eq!(
        findings("version: 1\nimage:\n  user: 0\n  ports: [80]\n"),
        one("RunsAsRoot", 3)
    );
}

#[test]
fn a_module_directory_dockerignore_hides_is_an_error_at_module() {
    let spec_text = "# syntax=myorg/gostage\nversion: 1\nmodule: svc\n";
    let files = [
        (".dockerignore", "# not needed in images\nthird_party\n"),
        (
            "svc/go.mod",
            "module example.com/svc\nreplace example.com/x => ../third_party/x\n",
        ),
        ("third_party/x/go.mod", "module example.com/x\n"),
    ];
    let spec = crate::spec::parse(spec_text.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
    let layout = layout(spec_text, &files);
    let context = ModuleContext::from_layout(&layout);
    let input = LintInput {
        spec_file: spec_text.as_bytes(),
        spec: &spec,
        context: &context,
        layout: Some(&layout),
        scope: Scope::Build,
    };
    let found = check(input);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule.name, "LocalModuleIgnored");
    assert_eq!((found[0].span.line, found[0].span.column), (3, 9));
    assert_eq!(
        found[0].message,
        "`third_party/x` (named by `replace` at svc/go.mod:2:26) is hidden by the exclude \
         pattern `third_party`, so the build does not get its go.mod or sources and Go fails \
         reading `third_party/x/go.mod`; remove the pattern from .dockerignore, or add \
         `!third_party/x` after it"
    );
    // Nothing is reported without a layout (`gostage check` away from a module).
    assert_eq!(
        check(LintInput {
            layout: None,
            ..input
        }),
        []
    );
}

/// `(rule, message)` of each finding for `spec_text` over the context `files`.
fn findings_in(spec_text: &str, files: &[(&str, &str)]) -> Vec<(String, String)> {
    let spec = crate::spec::parse(spec_text.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
    let layout = layout(spec_text, files);
    let context = ModuleContext::from_layout(&layout);
    check(LintInput {
        spec_file: spec_text.as_bytes(),
        spec: &spec,
        context: &context,
        layout: Some(&layout),
        scope: Scope::Build,
    })
    .into_iter()
    .map(|finding| (finding.rule.name.to_string(), finding.message))
    .collect()
}

#[test]
fn requirements_from_local_directories_need_no_go_sum() {
    let spec = "# syntax=myorg/gostage\nversion: 1\nmodule: svc\n";
    let local = [
        (
            "svc/go.mod",
            "module example.com/svc\nrequire example.com/lib v0.0.0\nreplace example.com/lib => ../lib\n",
        ),
        ("lib/go.mod", "module example.com/lib\n"),
    ];
    assert_eq!(findings_in(spec, &local), []);
    // A workspace module needs no replacement to come from its directory.
    let workspace = [
        ("go.work", "use ./svc\nuse ./lib\n"),
        (
            "svc/go.mod",
            "module example.com/svc\nrequire example.com/lib v0.0.0\n",
        ),
        ("lib/go.mod", "module example.com/lib\n"),
    ];
    assert_eq!(findings_in(spec, &workspace), []);

    let downloads = [(
        "svc/go.mod",
        "module example.com/svc\nrequire github.com/google/uuid v1.6.0\n",
    )];
    let found = findings_in(spec, &downloads);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "MissingGoSum");
    assert!(
        found[0]
            .1
            .starts_with("svc/go.mod has `require` directives but svc/go.sum is missing,"),
        "{}",
        found[0].1
    );
}
