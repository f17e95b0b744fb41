//! The compile stage: flags, environment, mounts and caches of `go build` per platform, and
//! the standard library layer of `cache.export`.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;
use crate::llb;

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
fn exported_cache_puts_the_standard_library_in_a_layer_that_seeds_the_build_cache() {
    let mut spec = spec(&["linux/amd64", "linux/arm64"]);
    spec.cache.export = true;
    let plan = planned(&spec, &syntax_request());
    for platform in &plan.platforms {
        let all = execs(&platform.filesystem);
        let (compile_op, compile) = compile_step(&platform.filesystem);
        // The standard library is compiled for the platform with the compile's flags into
        // a build cache layer, which seeds the compile's build cache mount.
        let (std_op, std_exec) = all
            .iter()
            .find(|(name, _, _)| *name == format!("go build std ({})", platform.platform))
            .map(|(_, op, exec)| (op.clone(), exec.clone()))
            .unwrap_or_else(|| panic!("no go build std for {}", platform.platform));
        assert_eq!(
            meta(&std_exec).args,
            [
                "go",
                "build",
                "-trimpath",
                "-gcflags=all=-dwarf=false",
                "std"
            ]
        );
        let goarch = format!("GOARCH={}", platform.platform.architecture);
        for expected in ["CGO_ENABLED=0", "GOOS=linux", goarch.as_str()] {
            assert!(meta(&compile).env.contains(&expected.to_string()));
            assert!(meta(&std_exec).env.contains(&expected.to_string()));
        }
        let layer = mount_at(&std_exec, "/root/.cache/go-build");
        assert_eq!(
            (layer.mount_type, layer.output),
            (pb::MountType::Bind as i32, 0)
        );
        let build_cache = mount_at(&compile, "/root/.cache/go-build");
        assert_eq!(build_cache.mount_type, pb::MountType::Cache as i32);
        let seed = compile_op
            .inputs
            .get(usize::try_from(build_cache.input).unwrap_or(usize::MAX))
            .unwrap_or_else(|| panic!("the build cache mount has no seed"));
        assert_eq!(
            (seed.digest.as_str(), seed.index),
            (llb::op_digest(&llb::encode_op(&std_op)).as_str(), 0)
        );
    }
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
