//! `build.cgo`: the apt step, the compile's environment and flags, the link mode per base,
//! the platforms cgo can build for, and what the gate is told to check.

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;
use super::*;
use crate::llb;
use crate::vocabulary::Span;

/// A spec with cgo on, `packages` at line 7, and the targets `platforms`.
fn cgo_spec(platforms: &[&str], packages: &[&str]) -> Spec {
    let mut spec = spec(platforms);
    spec.build.cgo = true;
    spec.build.packages = packages
        .iter()
        .enumerate()
        .map(|(index, package)| {
            let column = 7 + u32::try_from(index).unwrap_or(0) * 20;
            Located::new(package.to_string(), Span { line: 7, column })
        })
        .collect();
    spec
}

/// The exec steps of `output` whose progress name starts with `prefix`.
fn steps_named(output: &Output, prefix: &str) -> Vec<(pb::Op, pb::ExecOp)> {
    execs(output)
        .into_iter()
        .filter(|(name, _, _)| name.starts_with(prefix))
        .map(|(_, op, exec)| (op, exec))
        .collect()
}

fn digest(op: &pb::Op) -> String {
    llb::op_digest(&llb::encode_op(op))
}

fn env_value(exec: &pb::ExecOp, key: &str) -> Option<String> {
    meta(exec).env.iter().find_map(|entry| {
        entry
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix('='))
            .map(String::from)
    })
}

fn cache_mount(exec: &pb::ExecOp, dest: &str) -> (String, i32) {
    let mount = mount_at(exec, dest);
    assert_eq!(mount.mount_type, pb::MountType::Cache as i32, "{mount:?}");
    let cache = mount.cache_opt.clone().unwrap_or_default();
    (cache.id, cache.sharing)
}

#[test]
fn arm64_from_amd64_installs_the_cross_compiler_and_links_statically_on_scratch() {
    let plan = planned(
        &cgo_spec(&["linux/arm64"], &["libsqlite3-dev"]),
        &syntax_request(),
    );
    let filesystem = &plan.platforms[0].filesystem;

    let apt = steps_named(filesystem, "apt-get install");
    assert_eq!(apt.len(), 1, "one apt step");
    let (apt_op, apt) = &apt[0];
    assert_eq!(
        meta(apt).args,
        [
            "/bin/sh",
            "-c",
            "rm -f /etc/apt/apt.conf.d/docker-clean && apt-get -q update && apt-get -q install -y --no-install-recommends \"$@\"",
            "apt-get",
            "libsqlite3-dev",
            "g++-aarch64-linux-gnu",
            "gcc-aarch64-linux-gnu",
            "libc6-dev-arm64-cross"
        ]
    );
    assert_eq!(
        meta(apt).env,
        [
            "PATH=/usr/local/go/bin:/usr/bin",
            "GOPATH=/go",
            "GOTOOLCHAIN=local",
            "DEBIAN_FRONTEND=noninteractive"
        ],
        "the builder's Env and nothing that changes between builds"
    );
    assert_eq!(
        cache_mount(apt, "/var/cache/apt"),
        (
            "gostage/apt-cache".to_string(),
            pb::CacheSharingOpt::Locked as i32
        )
    );
    assert_eq!(
        cache_mount(apt, "/var/lib/apt"),
        (
            "gostage/apt-lists".to_string(),
            pb::CacheSharingOpt::Locked as i32
        )
    );
    assert_eq!(
        apt.network,
        pb::NetMode::Unset as i32,
        "apt-get needs the default network"
    );
    assert_eq!(
        apt_op
            .platform
            .as_ref()
            .map(|platform| platform.architecture.as_str()),
        Some("amd64"),
        "on the build platform"
    );

    // go.mod lands on the builder with the packages: the download and compile see them.
    let copy = op_named(filesystem, "copy go.mod go.sum");
    assert_eq!(copy.inputs[0].digest, digest(apt_op));

    let (compile_op, compile) = compile_step(filesystem);
    let args = meta(&compile).args;
    let at = |flag: &str| {
        args.iter()
            .position(|argument| argument == flag)
            .and_then(|index| args.get(index + 1))
            .cloned()
    };
    assert_eq!(
        at("-ldflags").as_deref(),
        Some("-s -w -buildid= -linkmode external -extldflags \"-static\"")
    );
    assert_eq!(at("-tags").as_deref(), Some("netgo,osusergo"));
    for (key, value) in [
        ("CGO_ENABLED", "1"),
        ("CC", "aarch64-linux-gnu-gcc"),
        ("CXX", "aarch64-linux-gnu-g++"),
        ("GOARCH", "arm64"),
        ("GOPROXY", "off"),
    ] {
        assert_eq!(env_value(&compile, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(compile.network, pb::NetMode::None as i32);
    assert_eq!(
        compile_op.platform.map(|platform| platform.architecture),
        Some("amd64".to_string())
    );

    let binary = &plan.platforms[0].verification.binaries[0];
    assert!(binary.must_be_static && binary.cgo && !binary.interpreter_in_result);
}

#[test]
fn one_apt_step_serves_every_platform_whatever_their_order() {
    let apt_step = |platforms: &[&str]| {
        let plan = planned(&cgo_spec(platforms, &[]), &syntax_request());
        let steps: Vec<String> = plan
            .platforms
            .iter()
            .map(|platform| {
                let apt = steps_named(&platform.filesystem, "apt-get install");
                assert_eq!(apt.len(), 1);
                digest(&apt[0].0)
            })
            .collect();
        assert!(steps.windows(2).all(|pair| pair[0] == pair[1]), "{steps:?}");
        let apt = steps_named(&plan.platforms[0].filesystem, "apt-get install");
        (steps[0].clone(), meta(&apt[0].1).args[4..].to_vec())
    };
    let (digest, packages) = apt_step(&["linux/arm64", "linux/arm/v7", "linux/amd64"]);
    assert_eq!(
        packages,
        [
            "g++-aarch64-linux-gnu",
            "g++-arm-linux-gnueabihf",
            "gcc-aarch64-linux-gnu",
            "gcc-arm-linux-gnueabihf",
            "libc6-dev-arm64-cross",
            "libc6-dev-armhf-cross"
        ]
    );
    assert_eq!(
        apt_step(&["linux/amd64", "linux/arm/v7", "linux/arm64"]).0,
        digest
    );
    let plan = planned(
        &cgo_spec(&["linux/amd64", "linux/arm/v7"], &[]),
        &syntax_request(),
    );
    let (_, native) = compile_step(&plan.platforms[0].filesystem);
    assert_eq!(env_value(&native, "CC"), None, "the builder's own gcc");
    let (_, arm) = compile_step(&plan.platforms[1].filesystem);
    assert_eq!(
        env_value(&arm, "CC").as_deref(),
        Some("arm-linux-gnueabihf-gcc")
    );
    assert_eq!(env_value(&arm, "GOARM").as_deref(), Some("7"));
}

#[test]
fn a_native_cgo_build_without_packages_needs_no_apt_step() {
    let plan = planned(&cgo_spec(&[], &[]), &syntax_request());
    let filesystem = &plan.platforms[0].filesystem;
    assert!(steps_named(filesystem, "apt-get").is_empty());
    let copy = op_named(filesystem, "copy go.mod go.sum");
    let builder = op_named(
        filesystem,
        "builder image docker.io/library/golang:1.23@sha256:0000",
    );
    assert_eq!(copy.inputs[0].digest, digest(&builder));
    let (_, compile) = compile_step(filesystem);
    assert_eq!(env_value(&compile, "CGO_ENABLED").as_deref(), Some("1"));
    assert_eq!(env_value(&compile, "CC"), None);
}

#[test]
fn a_glibc_base_links_dynamically_and_checks_the_interpreter() {
    let spec = with_base(
        cgo_spec(&[], &["libsqlite3-dev"]),
        "gcr.io/distroless/base-debian12:nonroot",
    );
    assert!(!spec.image.base.is_static());
    let plan = planned_on(&spec, &context(false), distroless_base(Some("65532")));
    let (_, compile) = compile_step(&plan.platforms[0].filesystem);
    let args = meta(&compile).args;
    assert!(
        args.iter()
            .all(|argument| !argument.contains("-static") && argument != "-tags"),
        "{args:?}"
    );
    assert_eq!(env_value(&compile, "CGO_ENABLED").as_deref(), Some("1"));
    let binary = &plan.platforms[0].verification.binaries[0];
    assert!(!binary.must_be_static && binary.interpreter_in_result && binary.cgo);
}

#[test]
fn static_tags_join_the_written_ones_once() {
    let mut spec = cgo_spec(&[], &[]);
    spec.build.tags = vec!["sqlite_omit_load_extension".into(), "netgo".into()];
    let plan = planned(&spec, &syntax_request());
    let (_, compile) = compile_step(&plan.platforms[0].filesystem);
    let args = meta(&compile).args;
    let tags = args
        .iter()
        .position(|argument| argument == "-tags")
        .and_then(|index| args.get(index + 1));
    assert_eq!(
        tags.map(String::as_str),
        Some("sqlite_omit_load_extension,netgo,osusergo")
    );
}

#[test]
fn a_platform_without_a_debian_cross_compiler_is_an_error_where_it_was_chosen() {
    let spec = cgo_spec(&["linux/amd64", "linux/arm/v6"], &[]);
    let context = context(false);
    let request = syntax_request();
    let error = needs(PlanInput {
        spec: &spec,
        context: &context,
        request: &request,
    })
    .expect_err("arm/v6 has no Debian cross compiler");
    let PlanError::Spec(diagnostic) = error else {
        panic!("expected an error at platforms: {error:?}");
    };
    assert_eq!(diagnostic.span, Span { line: 5, column: 3 });
    assert_eq!(
        diagnostic.message,
        "`platforms[1]` is linux/arm/v6, which cgo cannot build for on the build platform linux/amd64: Debian has no cross compiler for it there"
    );
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("with `build.cgo: true` gostage builds on linux/amd64 for linux/amd64, linux/arm64, linux/arm/v7, linux/386, linux/ppc64le, linux/s390x, linux/riscv64; remove linux/arm/v6, or turn cgo off")
    );

    let request = BuildRequest {
        platforms: vec![Platform::parse("linux/mips64le").unwrap_or_else(|p| panic!("{p}"))],
        ..syntax_request()
    };
    let error = needs(PlanInput {
        spec: &spec,
        context: &context,
        request: &request,
    })
    .expect_err("mips64le has no Debian cross compiler in the table");
    assert!(matches!(&error, PlanError::CgoPlatform(_)), "{error:?}");
    assert!(error.to_string().starts_with(
        "the target platform from --platform is linux/mips64le, which cgo cannot build for"
    ));
    assert!(error.to_string().ends_with(
        "remove linux/mips64le, build on a linux/mips64le node of the builder (a native compile), or turn cgo off"
    ));

    let mut without_cgo = spec.clone();
    without_cgo.build.cgo = false;
    assert!(needs(PlanInput {
        spec: &without_cgo,
        context: &context,
        request: &request,
    })
    .is_ok());
}

#[test]
fn the_test_target_runs_on_the_packages_without_cross_compilers() {
    let request = BuildRequest {
        target: Target::Test,
        ..syntax_request()
    };
    let plan = planned(&cgo_spec(&["linux/arm64"], &["libsqlite3-dev"]), &request);
    let filesystem = &plan.platforms[0].filesystem;
    let apt = steps_named(filesystem, "apt-get install");
    assert_eq!(meta(&apt[0].1).args[4..], ["libsqlite3-dev"]);
    let test = steps_named(filesystem, "go test");
    assert_eq!(env_value(&test[0].1, "CGO_ENABLED").as_deref(), Some("1"));
}

#[test]
fn the_exported_standard_library_compiles_with_the_cross_compiler_and_static_tags() {
    let mut spec = cgo_spec(&["linux/arm64"], &[]);
    spec.cache.export = true;
    let plan = planned(&spec, &syntax_request());
    let filesystem = &plan.platforms[0].filesystem;
    let (apt_op, _) = steps_named(filesystem, "apt-get install")
        .pop()
        .unwrap_or_else(|| panic!("no apt step"));
    let (_, std) = steps_named(filesystem, "go build std")
        .pop()
        .unwrap_or_else(|| panic!("no go build std"));
    let root = mount_at(&std, "/");
    let std_op = op_named(filesystem, "go build std (linux/arm64)");
    let input = usize::try_from(root.input).unwrap_or(usize::MAX);
    assert_eq!(std_op.inputs[input].digest, digest(&apt_op));
    assert_eq!(
        env_value(&std, "CC").as_deref(),
        Some("aarch64-linux-gnu-gcc")
    );
    let args = meta(&std).args;
    assert!(
        args.windows(2)
            .any(|pair| pair == ["-tags", "netgo,osusergo"]),
        "{args:?}"
    );
}

#[test]
fn without_cgo_nothing_is_installed_and_the_binary_target_stays_static() {
    let plan = planned(&spec(&["linux/arm64"]), &syntax_request());
    assert!(steps_named(&plan.platforms[0].filesystem, "apt-get").is_empty());
    let binary = BuildRequest {
        target: Target::Binary,
        ..syntax_request()
    };
    let plan = planned(&spec(&[]), &binary);
    let expected = &plan.platforms[0].verification.binaries[0];
    assert!(expected.must_be_static && !expected.cgo && !expected.interpreter_in_result);
    // With cgo and a glibc base, the binary target is the dynamic binary, checked nowhere.
    let spec = with_base(cgo_spec(&[], &[]), "debian:bookworm-slim");
    let plan = planned(&spec, &binary);
    let expected = &plan.platforms[0].verification.binaries[0];
    assert!(!expected.must_be_static && !expected.interpreter_in_result);
}
