//! The layout of single modules, workspaces and local replacements, the rounds of reads it
//! takes, and each error at its file, line and column.

use super::testing::{error, layout, read};
use super::*;
use crate::vocabulary::Span;

const SVC_A_SPEC: &str = "version: 1\nmodule: svc-a\n";

/// A repository with a workspace of a library and two services, each service replacing the
/// library so it also builds without go.work.
fn monorepo() -> Vec<(&'static str, &'static str)> {
    vec![
        ("go.work", "go 1.23\n\nuse (\n\t./lib\n\t./svc-a\n\t./svc-b\n)\n"),
        ("lib/go.mod", "module example.com/monorepo/lib\n\ngo 1.23\n"),
        (
            "svc-a/go.mod",
            "module example.com/monorepo/svc-a\n\ngo 1.23\n\nrequire example.com/monorepo/lib v0.0.0\n\nreplace example.com/monorepo/lib => ../lib\n",
        ),
        (
            "svc-b/go.mod",
            "module example.com/monorepo/svc-b\n\ngo 1.23\n\nrequire example.com/monorepo/lib v0.0.0\n\nreplace example.com/monorepo/lib => ../lib\n",
        ),
        ("svc-b/go.sum", ""),
    ]
}

fn span(line: u32, column: u32) -> Span {
    Span { line, column }
}

fn directories(layout: &Layout) -> Vec<&str> {
    layout
        .local_modules
        .iter()
        .map(|module| module.directory.as_str())
        .collect()
}

/// The rendered message of a problem in a go.mod or go.work, with its path and span.
fn file_problem(error: &LayoutError) -> (String, Span, String) {
    match error {
        LayoutError::File(problem) => (
            problem.path.clone(),
            problem.diagnostic.span,
            problem.render(&problem.path),
        ),
        other => panic!("expected a file problem, got {other:?}"),
    }
}

#[test]
fn a_module_at_the_root_takes_one_round_and_needs_its_go_mod_and_go_sum() {
    let files = [
        (
            "go.mod",
            "module example.com/shop\n\ngo 1.23\nrequire example.com/x v1.0.0\n",
        ),
        ("go.sum", "example.com/x v1.0.0 h1:x\n"),
    ];
    let (outcome, rounds) = read("version: 1\n", &files);
    let layout = outcome.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(rounds.len(), 1);
    assert_eq!(
        rounds[0].read,
        [".dockerignore", "go.mod", "go.work"],
        "go.work is looked for where the module is"
    );
    assert_eq!(
        rounds[0].stat,
        ["go.sum", "vendor/modules.txt", "go.work.sum"]
    );
    assert!(layout.is_single_module());
    assert_eq!(layout.main_module.path, "example.com/shop");
    assert!(layout.main_go_sum() && !layout.vendored);
    assert_eq!(layout.download_files(), ["go.mod", "go.sum"]);
    assert_eq!(layout.compile_paths(), ["."]);
    assert_eq!(layout.package_dir("./cmd/server"), "cmd/server");
    assert_eq!(layout.package_dir("."), ".");
}

#[test]
fn a_service_of_a_workspace_builds_with_every_use_and_the_go_work_files() {
    let mut files = monorepo();
    files.push(("go.work.sum", ""));
    let (outcome, rounds) = read(SVC_A_SPEC, &files);
    let layout = outcome.unwrap_or_else(|error| panic!("{error}"));
    // go.work is looked for in svc-a, then at the root.
    assert_eq!(
        rounds[0].read,
        [".dockerignore", "svc-a/go.mod", "svc-a/go.work", "go.work"]
    );
    // The second round reads the other workspace modules' go.mod.
    assert_eq!(rounds.len(), 2, "{rounds:?}");
    assert_eq!(rounds[1].read, ["lib/go.mod", "svc-b/go.mod"]);
    assert_eq!(rounds[1].stat, ["lib/go.sum", "svc-b/go.sum"]);

    assert_eq!(layout.module_dir, "svc-a");
    let workspace = layout
        .workspace
        .clone()
        .unwrap_or_else(|| panic!("no workspace"));
    assert_eq!(
        workspace,
        Workspace {
            go_work: "go.work".into(),
            directory: ".".into(),
            uses: vec!["lib".into(), "svc-a".into(), "svc-b".into()],
            go_work_sum: true,
        }
    );
    assert_eq!(directories(&layout), ["lib", "svc-a", "svc-b"]);
    assert_eq!(
        layout.local_modules[0].origin,
        Origin::Use {
            go_work: "go.work".into(),
            span: span(4, 2)
        }
    );
    assert_eq!(layout.local_modules[1].origin, Origin::Main);
    // Both services' replacements apply: each is a main module of the workspace.
    let replaces: Vec<(&str, Span, &str)> = layout
        .local_replaces
        .iter()
        .map(|replace| {
            (
                replace.file.as_str(),
                replace.span,
                replace.directory.as_str(),
            )
        })
        .collect();
    assert_eq!(
        replaces,
        [
            ("svc-a/go.mod", span(7, 37), "lib"),
            ("svc-b/go.mod", span(7, 37), "lib")
        ]
    );
    assert_eq!(
        layout.download_files(),
        [
            "go.work",
            "go.work.sum",
            "lib/go.mod",
            "svc-a/go.mod",
            "svc-b/go.mod",
            "svc-b/go.sum"
        ]
    );
    // svc-a requires lib, not svc-b: only svc-b's go.mod and go.sum.
    assert_eq!(layout.required_modules(), ["lib", "svc-a"]);
    assert_eq!(layout.modules_left_out(), ["svc-b"]);
    assert_eq!(
        layout.compile_paths(),
        [
            "go.work",
            "go.work.sum",
            "lib",
            "svc-a",
            "svc-b/go.mod",
            "svc-b/go.sum"
        ]
    );
    assert_eq!(layout.package_dir("./cmd/server"), "svc-a/cmd/server");
    assert_eq!(layout.package_dir("."), "svc-a");
    assert!(!layout.is_single_module());
}

#[test]
fn gowork_off_builds_the_service_with_its_replacement_alone() {
    let spec = "version: 1\nmodule: svc-a\nbuild:\n  env: {GOWORK: \"off\"}\n";
    let (outcome, rounds) = read(spec, &monorepo());
    let layout = outcome.unwrap_or_else(|error| panic!("{error}"));
    assert!(
        rounds
            .iter()
            .all(|round| round.paths().all(|path| !path.contains("go.work"))),
        "go.work is not even looked for: {rounds:?}"
    );
    assert_eq!(rounds[1].read, ["lib/go.mod"]);
    assert_eq!(rounds[1].stat, ["lib/go.sum"], "go.sum is only looked for");
    assert_eq!(layout.workspace, None);
    assert_eq!(directories(&layout), ["lib", "svc-a"]);
    assert_eq!(
        layout.local_modules[0].origin,
        Origin::Replace {
            file: "svc-a/go.mod".into(),
            span: span(7, 37)
        }
    );
    assert_eq!(layout.download_files(), ["lib/go.mod", "svc-a/go.mod"]);
    assert_eq!(layout.compile_paths(), ["lib", "svc-a"]);
}

#[test]
fn a_replacement_without_a_workspace_joins_the_build() {
    let files = [
        (
            "services/api/go.mod",
            "module example.com/api\n\nreplace (\n\texample.com/shared => ../../libs/shared\n\texample.com/x => example.com/fork v1.2.0\n)\n",
        ),
        ("services/api/go.sum", ""),
        ("libs/shared/go.mod", "module example.com/shared\n\nreplace example.com/y => ../y\n"),
        ("libs/shared/go.sum", ""),
    ];
    let layout = layout("version: 1\nmodule: ./services/api/\n", &files);
    assert_eq!(layout.module_dir, "services/api");
    // The replaced module's own replacement is not the build's (only main modules' apply).
    assert_eq!(directories(&layout), ["libs/shared", "services/api"]);
    assert_eq!(layout.local_replaces.len(), 1);
    assert_eq!(layout.local_replaces[0].old_path, "example.com/shared");
    assert_eq!(
        layout.download_files(),
        [
            "libs/shared/go.mod",
            "libs/shared/go.sum",
            "services/api/go.mod",
            "services/api/go.sum"
        ]
    );
}

#[test]
fn required_modules_follow_requirements_through_replacements_and_workspace_modules() {
    let files = [
        ("go.work", "use ./svc\nuse ./core\nuse ./tools\n"),
        (
            "svc/go.mod",
            "module example.com/svc\nrequire (\n\texample.com/core v0.0.0\n\tgithub.com/google/uuid v1.6.0\n)\n",
        ),
        (
            "core/go.mod",
            "module example.com/core\nrequire example.com/util v0.0.0\nreplace example.com/util => ../util\n",
        ),
        ("util/go.mod", "module example.com/util\n"),
        ("tools/go.mod", "module example.com/tools\n"),
    ];
    let layout = layout("version: 1\nmodule: svc\n", &files);
    assert_eq!(directories(&layout), ["core", "svc", "tools", "util"]);
    assert_eq!(layout.required_modules(), ["core", "svc", "util"]);
    assert_eq!(layout.modules_left_out(), ["tools"]);
    assert_eq!(
        layout.compile_paths(),
        ["core", "go.work", "svc", "tools/go.mod", "util"]
    );
}

#[test]
fn go_work_replacements_override_the_go_mod_ones_and_a_third_round_reads_late_targets() {
    let files = [
        (
            "go.work",
            "go 1.23\nuse ./svc\nuse ./tools\nreplace example.com/lib => ./forks/lib\n",
        ),
        (
            "svc/go.mod",
            "module example.com/svc\nreplace example.com/lib => ../lib\n",
        ),
        (
            "tools/go.mod",
            "module example.com/tools\nreplace example.com/gen => ../gen\n",
        ),
        ("forks/lib/go.mod", "module example.com/lib\n"),
        ("gen/go.mod", "module example.com/gen\n"),
    ];
    let (outcome, rounds) = read("version: 1\nmodule: svc\n", &files);
    let layout = outcome.unwrap_or_else(|error| panic!("{error}"));
    // `lib` (svc's own replacement) is overridden by go.work's `forks/lib`.
    assert_eq!(directories(&layout), ["forks/lib", "gen", "svc", "tools"]);
    let replaced: Vec<(&str, &str)> = layout
        .local_replaces
        .iter()
        .map(|replace| (replace.file.as_str(), replace.directory.as_str()))
        .collect();
    assert_eq!(
        replaced,
        [("go.work", "forks/lib"), ("tools/go.mod", "gen")]
    );
    // `gen` is known only once tools/go.mod is read.
    assert_eq!(rounds.len(), 3, "{rounds:?}");
    assert_eq!(rounds[2].read, ["gen/go.mod"]);
    assert_eq!(rounds[2].stat, ["gen/go.sum"]);
}

#[test]
fn the_nearest_go_work_wins_and_one_dockerignore_hides_is_not_seen() {
    let mut files = monorepo();
    files.push(("svc-a/go.work", "go 1.23\nuse .\n"));
    let layout_near = layout(SVC_A_SPEC, &files);
    let workspace = layout_near
        .workspace
        .clone()
        .unwrap_or_else(|| panic!("no workspace"));
    assert_eq!(
        (workspace.go_work.as_str(), workspace.uses),
        ("svc-a/go.work", vec!["svc-a".to_string()])
    );

    let mut files = monorepo();
    files.push((
        ".dockerignore",
        "# Docker builds use the replace directives\ngo.work\n",
    ));
    let layout = layout(SVC_A_SPEC, &files);
    assert_eq!(layout.workspace, None);
    assert_eq!(directories(&layout), ["lib", "svc-a"]);
    assert_eq!(layout.ignore_patterns, ["go.work"]);
}

#[test]
fn a_module_dockerignore_hides_is_kept_with_the_pattern_for_the_lint() {
    let mut files = monorepo();
    files.push((".dockerignore", "lib\n"));
    let layout = layout(SVC_A_SPEC, &files);
    let hidden: Vec<(&str, Option<&str>)> = layout
        .local_modules
        .iter()
        .map(|module| (module.directory.as_str(), module.hidden_by.as_deref()))
        .collect();
    assert_eq!(
        hidden,
        [("lib", Some("lib")), ("svc-a", None), ("svc-b", None)]
    );
}

#[test]
fn a_vendored_workspace_compiles_with_its_vendor_directory() {
    let mut files = monorepo();
    files.push(("vendor/modules.txt", "# example.com/x v1.0.0\n"));
    let layout = layout(SVC_A_SPEC, &files);
    assert!(layout.vendored);
    assert!(layout.compile_paths().contains(&"vendor".to_string()));
    // The service's own vendor directory does not count in workspace mode.
    let mut files = monorepo();
    files.push(("svc-a/vendor/modules.txt", ""));
    assert!(!layout_of(&files).vendored);
}

fn layout_of(files: &[(&str, &str)]) -> Layout {
    layout(SVC_A_SPEC, files)
}

#[test]
fn a_module_at_the_root_of_its_workspace_keeps_the_whole_context() {
    let files = [
        ("go.work", "go 1.23\nuse .\nuse ./tools\n"),
        ("go.mod", "module example.com/root\n"),
        ("tools/go.mod", "module example.com/tools\n"),
    ];
    let layout = layout("version: 1\n", &files);
    assert_eq!(directories(&layout), [".", "tools"]);
    assert_eq!(layout.compile_paths(), ["."]);
}

#[test]
fn a_replacement_outside_the_context_fails_at_its_target_with_the_larger_context() {
    let files = [(
        "go.mod",
        "module example.com/monorepo/svc-a\n\ngo 1.23\n\nrequire example.com/monorepo/lib v0.0.0\n\nreplace example.com/monorepo/lib => ../lib\n",
    )];
    let error = error("version: 1\n", &files);
    let (path, at, message) = file_problem(&error);
    assert_eq!((path.as_str(), at), ("go.mod", span(7, 37)));
    assert_eq!(
        message,
        "go.mod:7:37: the replacement directory `../lib` is outside the build context; pass \
         the repository's root (a directory that holds this module and `../lib`) as the build \
         context and set `module:` in the spec to this module's directory inside it (e.g. \
         `module: svc` for `svc/go.mod`)"
    );
    let LayoutError::File(problem) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(problem.data, files[0].1.as_bytes());

    // On disk, the fix names the directory to pass and the `module:` to set.
    let spec = crate::spec::parse(b"version: 1\n").unwrap_or_else(|d| panic!("{d}"));
    let mut reader = LayoutReader::new(&spec).with_context_directory("/home/me/monorepo/svc-a");
    let Ok(Progress::Wanted(wanted)) = reader.next() else {
        panic!("the first round asks for files")
    };
    for path in &wanted.read {
        let contents = (path == "go.mod").then(|| files[0].1.as_bytes().to_vec());
        reader.supply_file(path, contents);
    }
    for path in &wanted.stat {
        reader.supply_stat(path, false);
    }
    let error = reader.next().expect_err("outside");
    assert!(
        error.to_string().ends_with(
            "pass `/home/me/monorepo` (it holds this module and `../lib`) as the build \
             context and set `module: svc-a` in the spec"
        ),
        "{error}"
    );
}

#[test]
fn use_and_replace_directories_must_hold_a_go_mod_and_stay_inside() {
    let mut files = monorepo();
    files.retain(|(path, _)| *path != "lib/go.mod");
    let (path, at, message) = file_problem(&error(SVC_A_SPEC, &files));
    assert_eq!((path.as_str(), at), ("go.work", span(4, 2)));
    assert!(
        message.starts_with(
            "go.work:4:2: the `use` directory `lib` of the build context has no go.mod;"
        ),
        "{message}"
    );

    let files = [
        (
            "svc/go.mod",
            "module example.com/svc\nreplace example.com/lib => ../lib\n",
        ),
        ("lib/README.md", "not a module\n"),
    ];
    let (path, at, message) = file_problem(&error("version: 1\nmodule: svc\n", &files));
    assert_eq!((path.as_str(), at), ("svc/go.mod", span(2, 28)));
    assert!(
        message.starts_with(
            "svc/go.mod:2:28: the replacement directory `lib` of the build context has no go.mod;"
        ),
        "{message}"
    );

    let files = [
        ("go.work", "use ../outside\nuse .\n"),
        ("go.mod", "module m\n"),
    ];
    let (path, at, message) = file_problem(&error("version: 1\n", &files));
    assert_eq!((path.as_str(), at), ("go.work", span(1, 5)));
    assert!(
        message.contains("the `use` directory `../outside` is outside the build context"),
        "{message}"
    );
    assert!(
        message.ends_with(
            "or, when go.work is only for your machine, add `go.work` to .dockerignore (or \
             set `GOWORK: \"off\"` under `build.env`)"
        ),
        "{message}"
    );

    let files = [(
        "go.mod",
        "module m\nreplace example.com/lib => /home/me/lib\n",
    )];
    let (_, at, message) = file_problem(&error("version: 1\n", &files));
    assert_eq!(at, span(2, 28));
    assert!(
        message.contains("is an absolute path, which a build cannot see"),
        "{message}"
    );
}

#[test]
fn a_module_outside_its_workspace_is_placed_at_module() {
    let files = [
        ("go.work", "go 1.23\nuse ./lib\n"),
        ("lib/go.mod", "module example.com/lib\n"),
        ("svc/go.mod", "module example.com/svc\n"),
    ];
    let error = error("version: 1\nmodule: svc\n", &files);
    let LayoutError::Spec(diagnostic) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(diagnostic.span, span(2, 9));
    assert_eq!(
        diagnostic.message,
        "the module in `svc` is not one of the modules of the workspace `go.work` (its `use` \
         directories are lib)"
    );
    assert_eq!(
        diagnostic.help.as_deref(),
        Some(
            "add `use ./svc` to go.work (`go work use ./svc`), or set `GOWORK: \"off\"` under \
             `build.env` to build without the workspace"
        )
    );
}

#[test]
fn no_go_mod_is_placed_at_module_or_at_the_spec_with_the_modules_below() {
    let error = error("version: 1\nmodule: svc\n", &[("go.work", "use ./svc\n")]);
    let LayoutError::NoGoMod(missing) = &error else {
        panic!("{error:?}")
    };
    let diagnostic = missing.diagnostic(&[]);
    assert_eq!(diagnostic.span, span(2, 9));
    assert_eq!(
        diagnostic.message,
        "`module: svc` names a directory without go.mod in the build context"
    );
    let error = error_at_root();
    let LayoutError::NoGoMod(missing) = &error else {
        panic!("{error:?}")
    };
    let diagnostic = missing.diagnostic(&["svc-a".to_string(), "svc-b".to_string()]);
    assert_eq!(
        (diagnostic.span, diagnostic.message.as_str()),
        (span(1, 1), "the build context has no go.mod")
    );
    assert!(
        diagnostic.help.as_deref().is_some_and(|help| help
            .ends_with("; `svc-a`, `svc-b` have a go.mod: set `module:` to the one to build")),
        "{diagnostic:?}"
    );
    let diagnostic = missing.diagnostic(&["svc".to_string()]);
    assert!(
        diagnostic
            .help
            .as_deref()
            .is_some_and(|help| help.ends_with("`svc/go.mod` exists: set `module: svc`")),
        "{diagnostic:?}"
    );
}

fn error_at_root() -> LayoutError {
    error("version: 1\n", &[("svc-a/go.mod", "module a\n")])
}

#[test]
fn parse_errors_are_placed_in_their_file() {
    let mut files = monorepo();
    files.retain(|(path, _)| *path != "svc-b/go.mod");
    files.push((
        "svc-b/go.mod",
        "module example.com/svc-b\ngo 1.23\ngo 1.24\n",
    ));
    let (path, at, message) = file_problem(&error(SVC_A_SPEC, &files));
    assert_eq!((path.as_str(), at), ("svc-b/go.mod", span(3, 1)));
    assert_eq!(
        message,
        "svc-b/go.mod:3:1: repeated `go` directive (first on line 2)"
    );

    let (path, at, message) = file_problem(&error("version: 1\n", &[("go.mod", "go 1.23\n")]));
    assert_eq!((path.as_str(), at), ("go.mod", span(0, 0)));
    assert_eq!(message, "go.mod: no `module` directive");

    let files = [("go.work", "use (\n"), ("go.mod", "module m\n")];
    let (path, at, _) = file_problem(&error("version: 1\n", &files));
    assert_eq!((path.as_str(), at), ("go.work", span(1, 1)));
}

#[test]
fn the_first_problem_in_file_order_is_the_one_reported() {
    // lib's go.mod is read in the second round; svc-a's own escaping replacement, known in
    // the first, waits until then, and lib (earlier in go.work) has its problem reported
    // first.
    let files = [
        ("go.work", "use ./lib\nuse ./svc-a\n"),
        (
            "lib/go.mod",
            "module example.com/lib\nreplace example.com/x => ../../x\n",
        ),
        (
            "svc-a/go.mod",
            "module example.com/svc-a\nreplace example.com/y => ../../y\n",
        ),
    ];
    let (path, _, _) = file_problem(&error(SVC_A_SPEC, &files));
    assert_eq!(path, "lib/go.mod");
}

#[test]
fn patterns_for_exact_paths_escape_wildcards() {
    assert_eq!(exact_pattern("svc-a/go.mod"), "svc-a/go.mod");
    assert_eq!(exact_pattern("a[1]/*?\\x"), "a\\[1\\]/\\*\\?\\\\x");
    assert_eq!(package_dir(".", "./.tools/x/"), ".tools/x");
    assert_eq!(package_dir("svc", "./"), "svc");
}
