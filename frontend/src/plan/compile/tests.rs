//! The compile stage: flags, environment, mounts and caches of `go build` per platform (the
//! layers of `cache.export` are `build_cache_layers`' tests).

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;

#[test]
fn compiles_statically_for_the_target_on_the_build_platform() {
    let mut request = syntax_request();
    request
        .build_args
        .insert("GOPROXY".into(), "https://proxy.example".into());
    let plan = planned(&spec(&["linux/arm64"]), &request);
    assert_eq!(plan.platforms.len(), 1);
    let (op, compile) = compile_step(&plan.platforms[0].filesystem);
    assert_eq!(
        meta(&compile).args,
        [
            "/gostage/bin/gostage",
            "explain",
            "--",
            "go",
            "build",
            "-trimpath",
            "-buildvcs=false",
            "-gcflags=all=-dwarf=false",
            "-ldflags",
            "-s -w -buildid=",
            "-o",
            "/out/usr/local/bin/server",
            "./cmd/server"
        ]
    );
    let env = meta(&compile).env;
    for expected in [
        "CGO_ENABLED=0",
        "GOOS=linux",
        "GOARCH=arm64",
        "GOPROXY=off",
        "GOTOOLCHAIN=local",
    ] {
        assert!(
            env.contains(&expected.to_string()),
            "{expected} missing from {env:?}"
        );
    }
    // Each key once: a process sees only the first of duplicate keys.
    let mut keys: Vec<&str> = env
        .iter()
        .filter_map(|entry| entry.split('=').next())
        .collect();
    let count = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), count);
    let dests: Vec<&str> = compile
        .mounts
        .iter()
        .map(|mount| mount.dest.as_str())
        .collect();
    assert_eq!(
        dests,
        [
            "/",
            "/go/pkg/mod",
            "/gostage/bin",
            "/out",
            "/root/.cache/go-build",
            "/src",
            "/tmp"
        ]
    );
    // The compile runs on the build platform (amd64), not the target.
    assert_eq!(
        op.platform.map(|platform| platform.architecture),
        Some("amd64".to_string())
    );
}

#[test]
fn the_context_is_sent_without_ignored_paths() {
    let plan = planned(&spec(&[]), &syntax_request());
    let context_source = ops(&plan.platforms[0].filesystem)
        .into_iter()
        .find_map(|(name, op)| match op.op {
            Some(pb::op::Op::Source(source)) if name == "load build context" => Some(source),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no context source"));
    assert_eq!(
        context_source.attrs["local.excludepatterns"],
        r#"[".git","**/.git","**/node_modules","*.md"]"#
    );
}

#[test]
fn without_export_the_build_cache_stays_in_a_cache_mount() {
    let plan = planned(&spec(&[]), &syntax_request());
    let (_, compile) = compile_step(&plan.platforms[0].filesystem);
    assert_eq!(mount_at(&compile, "/root/.cache/go-build").input, -1);
    assert!(execs(&plan.platforms[0].filesystem)
        .iter()
        .all(|(_, _, exec)| meta(exec).args.last().map(String::as_str) != Some("std")));
}

#[test]
fn compiles_without_dwarf_unless_goflags_has_its_own_gcflags() {
    let args = |spec: &Spec, request: &BuildRequest| {
        let plan = planned(spec, request);
        meta(&compile_step(&plan.platforms[0].filesystem).1).args
    };
    let no_dwarf = "-gcflags=all=-dwarf=false".to_string();
    assert!(args(&spec(&[]), &syntax_request()).contains(&no_dwarf));
    let mut request = syntax_request();
    request
        .build_args
        .insert("GOFLAGS".into(), "-gcflags=all=-N".into());
    assert!(!args(&spec(&[]), &request).contains(&no_dwarf));
    let mut in_spec = spec(&[]);
    in_spec.build.env = BTreeMap::from([("GOFLAGS".into(), "-gcflags=-m".into())]);
    assert!(!args(&in_spec, &syntax_request()).contains(&no_dwarf));
}

#[test]
fn each_platform_compiles_with_its_own_locked_build_cache() {
    let plan = planned(&spec(&["linux/amd64", "linux/arm64"]), &syntax_request());
    for platform in &plan.platforms {
        let (_, compile) = compile_step(&platform.filesystem);
        let caches: Vec<(String, i32)> = compile
            .mounts
            .iter()
            .filter(|mount| mount.dest == "/root/.cache/go-build")
            .filter_map(|mount| mount.cache_opt.as_ref())
            .map(|cache| (cache.id.clone(), cache.sharing))
            .collect();
        assert_eq!(
            caches,
            [(
                format!("gostage/go-build/{}", platform.platform),
                pb::CacheSharingOpt::Locked as i32
            )]
        );
    }
    // go mod download compiles nothing: it does not wait for a compile's lock.
    let download = execs(&plan.platforms[0].filesystem)
        .into_iter()
        .find(|(name, _, _)| name == "go mod download")
        .map(|(_, _, exec)| exec)
        .unwrap_or_else(|| panic!("no download step"));
    assert!(download
        .mounts
        .iter()
        .all(|mount| mount.dest != "/root/.cache/go-build"));
}

/// The attributes of the local source op named `name` in `output`'s graph.
fn local_attributes(output: &Output, name: &str) -> BTreeMap<String, String> {
    match op_named(output, name).op {
        Some(pb::op::Op::Source(source)) => source.attrs.into_iter().collect(),
        other => panic!("{name} is not a source op: {other:?}"),
    }
}

/// A workspace with two services and a library, built from the repository's root with
/// `module: svc-a`: the download step gets the go.work and go.mod files alone, the compile
/// svc-a and the library it requires, svc-b's go.mod and go.work (not svc-b's sources, not
/// `docs/`), and the go commands run in `/src/svc-a`.
#[test]
fn a_service_of_a_workspace_compiles_in_its_directory_from_the_module_directories_only() {
    let spec_text = "version: 1\nmodule: svc-a\nmain: .\n";
    let spec = crate::spec::parse(spec_text.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
    let go_mod = |name: &str| {
        format!(
            "module example.com/m/{name}\n\ngo 1.23\n\nrequire example.com/m/lib v0.0.0\n\nreplace example.com/m/lib => ../lib\n"
        )
    };
    let (svc_a, svc_b) = (go_mod("svc-a"), go_mod("svc-b"));
    let layout = crate::context::layout::testing::layout(
        spec_text,
        &[
            (
                "go.work",
                "go 1.23\n\nuse (\n\t./lib\n\t./svc-a\n\t./svc-b\n)\n",
            ),
            ("lib/go.mod", "module example.com/m/lib\n\ngo 1.23\n"),
            ("svc-a/go.mod", &svc_a),
            ("svc-b/go.mod", &svc_b),
            ("docs/README.md", "not Go\n"),
        ],
    );
    let context = ModuleContext::from_layout(&layout);
    let plan = planned_on(&spec, &context, builder());
    let filesystem = &plan.platforms[0].filesystem;

    let download_files = local_attributes(filesystem, "load go.mod and go.sum");
    assert_eq!(
        download_files["local.includepattern"],
        r#"["go.work","lib/go.mod","svc-a/go.mod","svc-b/go.mod"]"#
    );
    let sources = local_attributes(filesystem, "load build context");
    assert_eq!(
        sources["local.includepattern"],
        r#"["go.work","lib","svc-a","svc-b/go.mod"]"#
    );
    let (_, compile) = compile_step(filesystem);
    assert_eq!(meta(&compile).cwd, "/src/svc-a");
    assert_eq!(meta(&compile).args.last().map(String::as_str), Some("."));
    let download = execs(filesystem)
        .into_iter()
        .find(|(name, ..)| name == "go mod download")
        .map(|(_, _, exec)| exec)
        .unwrap_or_else(|| panic!("no download step"));
    assert_eq!(meta(&download).cwd, "/src/svc-a");
}

/// A module in a subdirectory that replaces a module at the context's root (gopls in
/// golang/tools: `replace golang.org/x/tools => ..`): the compile gets the whole context, the
/// download step the two go.mod files, and the go commands run in the module's directory.
#[test]
fn a_replacement_by_the_root_module_sends_the_whole_context() {
    let spec_text = "version: 1\nmodule: gopls\nmain: .\n";
    let spec = crate::spec::parse(spec_text.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
    let layout = crate::context::layout::testing::layout(
        spec_text,
        &[
            ("go.mod", "module golang.org/x/tools\n\ngo 1.23\n"),
            (
                "gopls/go.mod",
                "module golang.org/x/tools/gopls\n\ngo 1.23\n\nrequire golang.org/x/tools v0.48.0\n\nreplace golang.org/x/tools => ..\n",
            ),
        ],
    );
    let context = ModuleContext::from_layout(&layout);
    let plan = planned_on(&spec, &context, builder());
    let filesystem = &plan.platforms[0].filesystem;
    let sources = local_attributes(filesystem, "load build context");
    assert!(!sources.contains_key("local.includepattern"), "{sources:?}");
    assert_eq!(
        local_attributes(filesystem, "load go.mod and go.sum")["local.includepattern"],
        r#"["go.mod","gopls/go.mod"]"#
    );
    assert_eq!(meta(&compile_step(filesystem).1).cwd, "/src/gopls");
}

/// One module at the context's root keeps the graph of every build before `module:`: no
/// include patterns on the context, go.mod and go.sum for the download, `/src` as the
/// working directory.
#[test]
fn a_module_alone_at_the_root_sends_the_whole_context() {
    let plan = planned(&spec(&["linux/amd64"]), &syntax_request());
    let filesystem = &plan.platforms[0].filesystem;
    let sources = local_attributes(filesystem, "load build context");
    assert!(!sources.contains_key("local.includepattern"), "{sources:?}");
    assert_eq!(
        local_attributes(filesystem, "load go.mod and go.sum")["local.includepattern"],
        r#"["go.mod","go.sum"]"#
    );
    assert_eq!(meta(&compile_step(filesystem).1).cwd, "/src");
}
