//! Unit tests of the plan: the images it needs, what runs with which flags and mounts per
//! platform, and the image settings.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message;

use super::*;
use crate::llb;
use crate::spec::Binary;
use crate::vocabulary::Span;

pub(super) fn spec(platforms: &[&str]) -> Spec {
    Spec {
        version: 1,
        go: None,
        builder: None,
        binaries: vec![Binary {
            main: Located::new("./cmd/server".into(), Span { line: 3, column: 7 }),
            name: None,
        }],
        build: Default::default(),
        image: Default::default(),
        platforms: platforms
            .iter()
            .map(|platform| {
                let parsed =
                    Platform::parse(platform).unwrap_or_else(|problem| panic!("{problem}"));
                Located::new(parsed, Span { line: 5, column: 3 })
            })
            .collect(),
        modules: Default::default(),
        files: Vec::new(),
        test: Default::default(),
        cache: Default::default(),
        span: Span { line: 1, column: 1 },
    }
}

fn context(vendored: bool) -> ModuleContext {
    ModuleContext {
        module: GoModule {
            path: "example.com/shop".into(),
            go: Some("1.23".into()),
            ..GoModule::default()
        },
        go_sum: true,
        vendored,
        ignore_patterns: vec!["*.md".into()],
        file_sources: BTreeMap::new(),
    }
}

/// A request as BuildKit sends it through `# syntax=myorg/gostage`: it names the frontend
/// image.
pub(super) fn syntax_request() -> BuildRequest {
    BuildRequest {
        frontend_image: Some(
            ImageReference::parse("myorg/gostage").unwrap_or_else(|problem| panic!("{problem}")),
        ),
        ..Default::default()
    }
}

/// The frontend image as the gateway resolves it.
pub(super) fn frontend() -> ResolvedImage {
    ResolvedImage {
        reference: "docker.io/myorg/gostage:latest@sha256:2222".into(),
        config: serde_json::from_value(serde_json::json!({
            "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}
        }))
        .unwrap_or_else(|error| panic!("{error}")),
        healthcheck: None,
    }
}

fn builder() -> ResolvedImage {
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Env": ["PATH=/usr/local/go/bin:/usr/bin", "GOPATH=/go", "GOTOOLCHAIN=local"]}
    });
    ResolvedImage {
        reference: "docker.io/library/golang:1.23@sha256:0000".into(),
        config: serde_json::from_value(config).unwrap_or_else(|error| panic!("{error}")),
        healthcheck: None,
    }
}

/// The plan for `spec` and `request`, with the builder resolved and no base.
pub(super) fn planned_with(spec: &Spec, request: &BuildRequest, vendored: bool) -> Plan {
    let context = context(vendored);
    let input = PlanInput {
        spec,
        context: &context,
        request,
    };
    let needs = needs(input).unwrap_or_else(|error| panic!("{error}"));
    let busybox = ResolvedImage {
        reference: "docker.io/library/busybox:1.36-musl@sha256:1111".into(),
        config: serde_json::from_value(serde_json::json!({
            "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}
        }))
        .unwrap_or_else(|error| panic!("{error}")),
        healthcheck: None,
    };
    let resolved = Resolved {
        builder: builder(),
        frontend: frontend(),
        bases: BTreeMap::new(),
        busyboxes: match needs.busybox {
            Some(_) => needs
                .platforms
                .iter()
                .map(|platform| (platform.clone(), busybox.clone()))
                .collect(),
            None => BTreeMap::new(),
        },
    };
    plan(input, &needs, &resolved).unwrap_or_else(|error| panic!("{error}"))
}

pub(super) fn planned(spec: &Spec, request: &BuildRequest) -> Plan {
    planned_with(spec, request, false)
}

/// Every op of `output`'s graph, decoded, with its progress name.
pub(super) fn ops(output: &Output) -> Vec<(String, pb::Op)> {
    let definition = llb::marshal(output, None).definition;
    definition
        .def
        .iter()
        .filter_map(|bytes| {
            let digest = llb::op_digest(bytes);
            let name = definition
                .metadata
                .get(&digest)?
                .description
                .get("llb.customname")?
                .clone();
            Some((name, pb::Op::decode(bytes.as_slice()).ok()?))
        })
        .collect()
}

pub(super) fn execs(output: &Output) -> Vec<(String, pb::Op, pb::ExecOp)> {
    ops(output)
        .into_iter()
        .filter_map(|(name, op)| match &op.op {
            Some(pb::op::Op::Exec(exec)) => Some((name, op.clone(), exec.clone())),
            _ => None,
        })
        .collect()
}

pub(super) fn meta(exec: &pb::ExecOp) -> pb::Meta {
    exec.meta.clone().unwrap_or_default()
}

fn compile_step(output: &Output) -> (pb::Op, pb::ExecOp) {
    execs(output)
        .into_iter()
        .find(|(name, _, _)| name.starts_with("go build ."))
        .map(|(_, op, exec)| (op, exec))
        .unwrap_or_else(|| panic!("no go build step"))
}

#[test]
fn needs_the_builder_from_go_mod_and_the_base_per_platform() {
    let mut spec = spec(&["linux/arm64", "linux/amd64"]);
    let base = ImageReference::parse("gcr.io/distroless/static").unwrap_or_else(|p| panic!("{p}"));
    spec.image.base = Base::Image(Located::new(base, Span { line: 9, column: 9 }));
    let request = BuildRequest {
        named_contexts: BTreeMap::from([(
            "golang:1.23".to_string(),
            "docker-image://example.org/go:1.23".to_string(),
        )]),
        ..syntax_request()
    };
    let context = context(false);
    let needs = needs(PlanInput {
        spec: &spec,
        context: &context,
        request: &request,
    })
    .unwrap_or_else(|error| panic!("{error}"));
    let platforms: Vec<String> = needs.platforms.iter().map(ToString::to_string).collect();
    assert_eq!(platforms, ["linux/arm64", "linux/amd64"]);
    assert_eq!(needs.builder.written.value.written, "golang:1.23");
    assert_eq!(needs.builder.written.span.line, 0, "derived from go.mod");
    assert_eq!(needs.builder.reference.normalized, "example.org/go:1.23");
    let base = needs.base.unwrap_or_else(|| panic!("a base is needed"));
    assert_eq!(base.reference.normalized, "gcr.io/distroless/static:latest");
    assert_eq!(base.written.span, Span { line: 9, column: 9 });
}

#[test]
fn request_platforms_win_over_the_spec_and_default_to_the_build_platform() {
    let context = context(false);
    let request = BuildRequest {
        platforms: vec![Platform::parse("linux/arm/v7").unwrap_or_else(|p| panic!("{p}"))],
        ..syntax_request()
    };
    let spec_platforms = spec(&["linux/arm64"]);
    let input = PlanInput {
        spec: &spec_platforms,
        context: &context,
        request: &request,
    };
    let chosen = needs(input).map(|needs| needs.platforms);
    assert_eq!(chosen, Ok(request.platforms.clone()));
    let sparc = BuildRequest {
        build_platform: Platform::from_worker("linux", "sparc", ""),
        ..syntax_request()
    };
    let no_platforms = spec(&[]);
    let error = needs(PlanInput {
        spec: &no_platforms,
        context: &context,
        request: &sparc,
    })
    .expect_err("sparc cannot be a target");
    assert!(
        matches!(error, PlanError::BuildPlatform { .. }),
        "{error:?}"
    );
}

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
fn module_download_is_one_step_shared_by_all_platforms() {
    let plan = planned(
        &spec(&["linux/amd64", "linux/arm64", "linux/arm/v7"]),
        &syntax_request(),
    );
    assert_eq!(plan.platforms.len(), 3);
    let digests: Vec<String> = plan
        .platforms
        .iter()
        .map(|platform| {
            let download = execs(&platform.filesystem)
                .into_iter()
                .find(|(name, _, _)| name == "go mod download")
                .map(|(_, op, _)| op)
                .unwrap_or_else(|| panic!("no go mod download"));
            llb::op_digest(&llb::encode_op(&download))
        })
        .collect();
    assert!(
        digests.windows(2).all(|pair| pair[0] == pair[1]),
        "download differs per platform: {digests:?}"
    );
    let (_, arm) = compile_step(&plan.platforms[2].filesystem);
    assert!(meta(&arm).env.contains(&"GOARM=7".to_string()));
}

#[test]
fn same_inputs_give_identical_definitions() {
    let bytes = |plan: &Plan| {
        llb::marshal(&plan.platforms[0].filesystem, Some(("gostage.yaml", b"x")))
            .definition
            .encode_to_vec()
    };
    let first = planned(&spec(&[]), &syntax_request());
    let second = planned(&spec(&[]), &syntax_request());
    assert_eq!(bytes(&first), bytes(&second));
}

#[test]
fn image_settings_run_the_binary_as_non_root() {
    let mut request = syntax_request();
    request.build_args.insert("VERSION".into(), "1.2.3".into());
    request.source_date_epoch = Some(1_700_000_000);
    request.labels.insert("team".into(), "payments".into());
    let plan = planned(&spec(&[]), &request);
    let settings = plan.platforms[0]
        .image
        .clone()
        .unwrap_or_else(|| panic!("an image target has image settings"));
    assert_eq!(settings.user, "65532:65532");
    assert_eq!(settings.entrypoint, ["/usr/local/bin/server"]);
    assert_eq!(
        settings.env,
        [("PATH".to_string(), "/usr/local/bin".to_string())]
    );
    assert_eq!(
        settings.labels,
        BTreeMap::from([
            (
                "org.opencontainers.image.created".to_string(),
                "2023-11-14T22:13:20Z".to_string()
            ),
            (
                "org.opencontainers.image.version".to_string(),
                "1.2.3".to_string()
            ),
            ("team".to_string(), "payments".to_string()),
        ])
    );
    assert_eq!(settings.created.as_deref(), Some("2023-11-14T22:13:20Z"));
    assert_eq!(settings.platform, Platform::linux_amd64());
    assert_eq!(settings.layers.len(), 2);
    assert_eq!(settings.base, None);
}

#[test]
fn binary_target_returns_the_binaries_without_image_settings() {
    let request = BuildRequest {
        target: Target::Binary,
        ..syntax_request()
    };
    let plan = planned(&spec(&[]), &request);
    assert!(plan.platforms[0].image.is_none());
    let last_file_op = ops(&plan.platforms[0].filesystem)
        .into_iter()
        .rev()
        .find_map(|(_, op)| match op.op {
            Some(pb::op::Op::File(file)) => Some(file),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no file op"));
    let destinations: Vec<String> = last_file_op
        .actions
        .iter()
        .filter_map(|action| match &action.action {
            Some(pb::file_action::Action::Copy(copy)) => Some(copy.dest.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(destinations, ["/server"]);
}

#[test]
fn binary_names_come_from_the_main_directory_or_module() {
    let mut spec = spec(&[]);
    spec.binaries.push(Binary {
        main: Located::new(".".into(), Span::default()),
        name: None,
    });
    spec.binaries.push(Binary {
        main: Located::new("./x".into(), Span::default()),
        name: Some("tool".into()),
    });
    assert_eq!(
        binary_names(&spec, &context(false).module),
        Ok(vec!["server".into(), "shop".into(), "tool".into()])
    );
}

#[test]
fn derived_binary_names_are_checked_like_written_ones() {
    let at_root = |module_path: &str| {
        let mut spec = spec(&[]);
        spec.binaries[0].main = Located::new(".".into(), Span { line: 3, column: 7 });
        let module = GoModule {
            path: module_path.into(),
            ..GoModule::default()
        };
        binary_names(&spec, &module)
    };
    for path in [
        "..",
        ".",
        "example.com/",
        "example.com/a b",
        "example.com/a\u{7}",
    ] {
        match at_root(path) {
            Err(PlanError::Spec(diagnostic)) => {
                assert_eq!(diagnostic.span.line, 3, "{path:?}");
                assert!(
                    diagnostic.message.contains("module path"),
                    "{}",
                    diagnostic.message
                );
            }
            other => panic!("{path:?}: {other:?}"),
        }
    }
    let mut spec = spec(&[]);
    spec.binaries[0].main = Located::new("./a f".into(), Span { line: 3, column: 7 });
    assert!(matches!(
        binary_names(&spec, &context(false).module),
        Err(PlanError::Spec(diagnostic)) if diagnostic.message.contains("`main: ./a f`")
    ));
    spec.binaries[0].main = Located::new("./.tools/lint".into(), Span::default());
    assert_eq!(
        binary_names(&spec, &context(false).module),
        Ok(vec!["lint".into()])
    );
}

#[test]
fn vendored_modules_download_nothing() {
    let plan = planned_with(&spec(&[]), &syntax_request(), true);
    let names: Vec<String> = execs(&plan.platforms[0].filesystem)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    // The compile still runs through `gostage explain`; nothing downloads.
    assert!(
        names.iter().all(|name| name != "go mod download"),
        "{names:?}"
    );
    assert!(names.iter().any(|name| name.starts_with("go build ")));
    // Go reads `vendor/`, so the compile mounts no module cache.
    let (_, compile) = compile_step(&plan.platforms[0].filesystem);
    assert!(
        compile
            .mounts
            .iter()
            .all(|mount| mount.dest != "/go/pkg/mod"),
        "{:?}",
        compile.mounts
    );
}

#[test]
fn sbom_is_planned_per_platform_only_when_asked() {
    let without = planned(&spec(&["linux/amd64", "linux/arm64"]), &syntax_request());
    assert!(without
        .platforms
        .iter()
        .all(|platform| platform.sbom.is_none()));
    let request = BuildRequest {
        sbom: true,
        ..syntax_request()
    };
    let with = planned(&spec(&["linux/amd64", "linux/arm64"]), &request);
    let names: Vec<String> = with
        .platforms
        .iter()
        .filter_map(|platform| {
            let sbom = platform.sbom.as_ref()?;
            execs(sbom)
                .into_iter()
                .map(|(name, _, _)| name)
                .find(|name| name.starts_with("SBOM"))
        })
        .collect();
    assert_eq!(
        names,
        [
            "SBOM of server (linux/amd64)",
            "SBOM of server (linux/arm64)"
        ]
    );
}

#[test]
fn test_target_runs_go_test_once_on_the_build_platform() {
    let mut spec = spec(&["linux/arm64", "linux/arm/v7"]);
    spec.build.tags = vec!["netgo".into()];
    spec.build.env = BTreeMap::from([("GOEXPERIMENT".into(), "rangefunc".into())]);
    spec.test.flags = vec![Located::new(
        "-count=1".into(),
        Span {
            line: 8,
            column: 11,
        },
    )];
    spec.test.packages = vec![Located::new(
        "./internal/...".into(),
        Span {
            line: 7,
            column: 14,
        },
    )];
    let mut request = BuildRequest {
        target: Target::Test,
        sbom: true,
        ..syntax_request()
    };
    request
        .build_args
        .insert("GOFLAGS".into(), "-mod=mod".into());
    let plan = planned(&spec, &request);
    assert_eq!(
        plan.platforms.len(),
        1,
        "one report, whatever the platforms"
    );
    let tested = &plan.platforms[0];
    assert_eq!(tested.platform, Platform::linux_amd64());
    assert!(tested.image.is_none() && tested.sbom.is_none());
    let steps = execs(&tested.filesystem);
    let names: Vec<&str> = steps.iter().map(|(name, _, _)| name.as_str()).collect();
    assert!(names.contains(&"go mod download"), "{names:?}");
    assert!(
        !names.iter().any(|name| name.starts_with("go build .")),
        "{names:?}"
    );
    let (name, op, exec) = steps.last().cloned().unwrap_or_else(|| panic!("no exec"));
    assert_eq!(name, "go test -count=1 ./internal/... (linux/amd64)");
    assert_eq!(
        meta(&exec).args,
        [
            "/gostage/bin/gostage",
            "test-report",
            "/out",
            "/src",
            "--",
            "-tags",
            "netgo",
            "-count=1",
            "./internal/..."
        ]
    );
    let env = meta(&exec).env;
    // The client's GOFLAGS reach `go test` as they are: no Go program runs before it.
    for expected in [
        "CGO_ENABLED=0",
        "GOEXPERIMENT=rangefunc",
        "GOFLAGS=-mod=mod",
        "GOPROXY=off",
    ] {
        assert!(
            env.contains(&expected.to_string()),
            "{expected} missing from {env:?}"
        );
    }
    assert!(
        !env.iter().any(|entry| entry.starts_with("GOSTAGE_")),
        "{env:?}"
    );
    assert!(!env.iter().any(|entry| entry.starts_with("GOOS=")));
    let mounts: Vec<(&str, bool, i32)> = exec
        .mounts
        .iter()
        .map(|mount| (mount.dest.as_str(), mount.readonly, mount.mount_type))
        .collect();
    let (bind, cache, tmpfs) = (
        pb::MountType::Bind as i32,
        pb::MountType::Cache as i32,
        pb::MountType::Tmpfs as i32,
    );
    assert_eq!(
        mounts,
        [
            ("/", false, bind),
            ("/go/pkg/mod", true, bind),
            ("/gostage/bin", true, bind),
            ("/out", false, bind),
            ("/root/.cache/go-build", false, cache),
            ("/src", false, bind),
            ("/tmp", false, tmpfs),
        ]
    );
    assert_eq!(
        op.platform.map(|platform| platform.architecture),
        Some("amd64".to_string())
    );
    // The report is the /out mount: the second writable mount in mount order.
    assert_eq!(exec.mounts[3].output, 1);
    assert_eq!(tested.filesystem.index, 1);
}

#[test]
fn debug_target_adds_busybox_to_the_image_and_its_path() {
    let request = BuildRequest {
        target: Target::Debug,
        ..syntax_request()
    };
    let spec = spec(&["linux/amd64", "linux/arm64"]);
    let context = context(false);
    let input = PlanInput {
        spec: &spec,
        context: &context,
        request: &request,
    };
    let busybox_need = needs(input)
        .unwrap_or_else(|error| panic!("{error}"))
        .busybox
        .unwrap_or_else(|| panic!("debug needs busybox"));
    assert_eq!(
        busybox_need.reference.normalized,
        "docker.io/library/busybox:1.36-musl"
    );
    let plan = planned(&spec, &request);
    let image = planned(&spec, &syntax_request());
    for (debug, image) in plan.platforms.iter().zip(&image.platforms) {
        let settings = debug.image.clone().unwrap_or_else(|| panic!("an image"));
        let image_settings = image.image.clone().unwrap_or_else(|| panic!("an image"));
        assert_eq!(
            settings.env,
            [("PATH".to_string(), "/usr/local/bin:/busybox".to_string())]
        );
        assert_eq!(settings.user, image_settings.user);
        assert_eq!(settings.entrypoint, image_settings.entrypoint);
        assert_eq!(settings.layers.len(), image_settings.layers.len() + 1);
        let all = ops(&debug.filesystem);
        let source = all
            .iter()
            .find_map(|(name, op)| match &op.op {
                Some(pb::op::Op::Source(source)) if name.starts_with("busybox image") => {
                    Some((source.identifier.clone(), op.platform.clone()))
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no busybox source"));
        assert_eq!(
            source.0,
            "docker-image://docker.io/library/busybox:1.36-musl@sha256:1111"
        );
        assert_eq!(
            source.1.map(|platform| platform.architecture),
            Some(debug.platform.architecture.clone())
        );
        let copies: Vec<(String, String)> = all
            .iter()
            .filter_map(|(_, op)| match &op.op {
                Some(pb::op::Op::File(file)) => Some(file.actions.clone()),
                _ => None,
            })
            .flatten()
            .filter_map(|action| match action.action {
                Some(pb::file_action::Action::Copy(copy)) => Some((copy.src, copy.dest)),
                _ => None,
            })
            .collect();
        assert!(
            copies.contains(&("/bin".to_string(), "/busybox".to_string())),
            "{copies:?}"
        );
        // The image's own ops are all there, below the busybox layer.
        let image_ops: Vec<String> = ops(&image.filesystem).into_iter().map(|(n, _)| n).collect();
        let debug_ops: Vec<String> = all.iter().map(|(n, _)| n.clone()).collect();
        assert!(image_ops.iter().all(|name| debug_ops.contains(name)));
    }
}

/// The mount of `exec` at `dest`.
fn mount_at<'a>(exec: &'a pb::ExecOp, dest: &str) -> &'a pb::Mount {
    exec.mounts
        .iter()
        .find(|mount| mount.dest == dest)
        .unwrap_or_else(|| panic!("no mount at {dest}: {:?}", exec.mounts))
}

#[test]
fn modules_are_the_download_steps_layer_that_compiles_mount() {
    for export in [false, true] {
        let mut spec = spec(&["linux/amd64", "linux/arm64"]);
        spec.cache.export = export;
        let plan = planned(&spec, &syntax_request());
        for platform in &plan.platforms {
            let all = execs(&platform.filesystem);
            let (download_op, download) = all
                .iter()
                .find(|(name, _, _)| name == "go mod download")
                .map(|(_, op, exec)| (op.clone(), exec.clone()))
                .unwrap_or_else(|| panic!("no go mod download"));
            // The module cache is a writable mount on scratch, the output after the root.
            let modules = mount_at(&download, "/go/pkg/mod");
            assert_eq!(
                (
                    modules.mount_type,
                    modules.readonly,
                    modules.input,
                    modules.output
                ),
                (pb::MountType::Bind as i32, false, -1, 1)
            );
            assert!(!mount_at(&download, "/").readonly);
            assert_eq!(
                meta(&download).args[3..],
                [
                    "/gostage/bin/gostage",
                    "download-modules",
                    "/gostage/module-downloads"
                ]
            );
            // The one cache mount is the download cache, which only saves network traffic.
            let caches: Vec<(&str, &str)> = download
                .mounts
                .iter()
                .filter_map(|mount| {
                    Some((mount.dest.as_str(), mount.cache_opt.as_ref()?.id.as_str()))
                })
                .collect();
            assert_eq!(caches, [("/gostage/module-downloads", "gostage/go-mod")]);
            // The compile mounts that layer read-only at the module cache path.
            let (compile_op, compile) = compile_step(&platform.filesystem);
            let mounted = mount_at(&compile, "/go/pkg/mod");
            assert_eq!(
                (mounted.mount_type, mounted.readonly, mounted.output),
                (pb::MountType::Bind as i32, true, -1)
            );
            let input = compile_op
                .inputs
                .get(usize::try_from(mounted.input).unwrap_or(usize::MAX))
                .unwrap_or_else(|| panic!("the module cache mount has no input"));
            assert_eq!(
                (input.digest.as_str(), input.index),
                (llb::op_digest(&llb::encode_op(&download_op)).as_str(), 1)
            );
        }
    }
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

/// SHA-256 of the marshalled definitions (with a source map) of four plans. 18ff18d (before
/// the Plan value and the typed LLB builder) made the first values, which the refactor kept
/// byte for byte; since then each deliberate change to the graph updates them, with
/// `cargo xtask bench` figures before and after. Last change: the SBOM step runs `gostage
/// sbom` on an empty root with the frontend image mounted, instead of `go run sbom.go` in the
/// builder (only the `multi sbom` lines changed), and the `test` target is pinned too.
#[test]
fn definitions_are_byte_for_byte_those_of_the_graph_before_the_refactor() {
    use sha2::{Digest, Sha256};
    let mut multi = BuildRequest {
        sbom: true,
        no_cache: true,
        session_id: "s".into(),
        source_date_epoch: Some(1_700_000_000),
        ..syntax_request()
    };
    multi.build_args.insert("VERSION".into(), "1".into());
    let binary = BuildRequest {
        target: Target::Binary,
        ..syntax_request()
    };
    let test = BuildRequest {
        target: Target::Test,
        ..syntax_request()
    };
    let cases = [
        ("default", planned(&spec(&[]), &syntax_request())),
        (
            "multi",
            planned(
                &spec(&["linux/amd64", "linux/arm64", "linux/arm/v7"]),
                &multi,
            ),
        ),
        ("binary", planned(&spec(&[]), &binary)),
        (
            "vendored",
            planned_with(&spec(&[]), &syntax_request(), true),
        ),
        ("test", planned(&spec(&[]), &test)),
    ];
    let sha256 = |output: &Output, source: Option<(&str, &[u8])>| {
        hex::encode(Sha256::digest(
            llb::marshal(output, source).definition.encode_to_vec(),
        ))
    };
    let mut lines = Vec::new();
    for (name, plan) in &cases {
        for platform in &plan.platforms {
            let filesystem = sha256(&platform.filesystem, Some(("gostage.yaml", b"x")));
            lines.push(format!("{name} {} {filesystem}", platform.platform));
            if let Some(sbom) = &platform.sbom {
                lines.push(format!("{name} sbom {}", sha256(sbom, None)));
            }
        }
    }
    assert_eq!(
        lines,
        [
            "default linux/amd64 bfc0e53dbaf2a357b533a1bcb570855698a2b2331f730375c4fc2c538559e589",
            "multi linux/amd64 83df2a5c7681e138cda14628a463dea58cb09da38193dae3e24f6519f4d808cd",
            "multi sbom 2146d1bdaa053980cd4f4d17952ea24d7c9edc0568b55efa762c22d78401178c",
            "multi linux/arm64 8716d15b7c526c89cf62e2538e4a887f970e204adb4b88d24507c7d8cdf14a12",
            "multi sbom 5b90d48928948bc3c7435363b427e7d457f0c377301a8f9d3e8e6b1589d11ac0",
            "multi linux/arm/v7 c489778517018f9a97d0f4c09d4021f2c02f3a4efdfae4d85cba22f50d30f394",
            "multi sbom be2472292f1cb20373a4db07f7fd0ed89b8dbf5d16ea5421f3cdba929faef071",
            "binary linux/amd64 a35609fcc66788ee3bdc3cb8e0ef13d74ff0c2e44237bafe2df4bbfba0cbde2a",
            "vendored linux/amd64 ad7a15108ae17d110d341be8b97bfdac81280d30a6aaf2f1d442c0746c1f2fdc",
            "test linux/amd64 281b5301e84e728e4e8567c6e65d4ea634f87e376348bdf22249593cd34eabe5",
        ]
    );
}

/// A base image config shaped like distroless static:nonroot.
fn distroless_base(user: Option<&str>) -> ResolvedImage {
    let mut config = serde_json::json!({
        "Env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
        ],
        "WorkingDir": "/home/nonroot"
    });
    if let Some(user) = user {
        config["User"] = user.into();
    }
    let image = serde_json::json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": config
    });
    ResolvedImage {
        reference: "gcr.io/distroless/static-debian12:nonroot@sha256:1111".into(),
        config: serde_json::from_value(image).unwrap_or_else(|error| panic!("{error}")),
        healthcheck: None,
    }
}

/// The plan for `spec` with the base `base` resolved for every target platform.
fn planned_on(spec: &Spec, context: &ModuleContext, base: ResolvedImage) -> Plan {
    let request = syntax_request();
    let input = PlanInput {
        spec,
        context,
        request: &request,
    };
    let needs = needs(input).unwrap_or_else(|error| panic!("{error}"));
    let bases = needs
        .platforms
        .iter()
        .map(|platform| (platform.clone(), base.clone()))
        .collect();
    let resolved = Resolved {
        builder: builder(),
        frontend: frontend(),
        bases,
        busyboxes: BTreeMap::new(),
    };
    plan(input, &needs, &resolved).unwrap_or_else(|error| panic!("{error}"))
}

fn with_base(mut spec: Spec, reference: &str) -> Spec {
    let reference = ImageReference::parse(reference).unwrap_or_else(|p| panic!("{p}"));
    spec.image.base = Base::Image(Located::new(reference, Span { line: 8, column: 9 }));
    spec
}

fn settings_of(plan: &Plan) -> ImageSettings {
    plan.platforms[0]
        .image
        .clone()
        .unwrap_or_else(|| panic!("an image target has image settings"))
}

fn copies(op: &pb::Op) -> Vec<pb::FileActionCopy> {
    match &op.op {
        Some(pb::op::Op::File(file)) => file
            .actions
            .iter()
            .filter_map(|action| match &action.action {
                Some(pb::file_action::Action::Copy(copy)) => Some(copy.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn op_named(output: &Output, name: &str) -> pb::Op {
    ops(output)
        .into_iter()
        .find(|(step, _)| step == name)
        .map(|(_, op)| op)
        .unwrap_or_else(|| panic!("no step named {name:?}"))
}

#[test]
fn a_base_image_keeps_its_user_workdir_env_and_passwd() {
    let spec = with_base(spec(&[]), "gcr.io/distroless/static-debian12:nonroot");
    let plan = planned_on(&spec, &context(false), distroless_base(Some("65532")));
    let names: Vec<String> = ops(&plan.platforms[0].filesystem)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        names.iter().all(|name| !name.contains("passwd")),
        "a base keeps its passwd and group: {names:?}"
    );
    assert!(names.contains(&"add CA bundle, zoneinfo, /tmp".to_string()));
    let settings = settings_of(&plan);
    assert_eq!(settings.user, "65532");
    assert_eq!(
        settings.env,
        [(
            "PATH".to_string(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()
        )]
    );
    assert_eq!(
        settings.layers,
        ["gostage: CA bundle, zoneinfo, /tmp", "gostage: binaries"]
    );
    let config = crate::image::config(&settings).unwrap_or_else(|error| panic!("{error}"));
    let runtime = config.config().clone().unwrap_or_default();
    assert_eq!(runtime.user().as_deref(), Some("65532"));
    assert_eq!(runtime.working_dir().as_deref(), Some("/home/nonroot"));
    let env = runtime.env().clone().unwrap_or_default();
    assert!(
        env.contains(&"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt".to_string()),
        "{env:?}"
    );
    assert_eq!(env.iter().filter(|e| e.starts_with("PATH=")).count(), 1);
}

#[test]
fn the_spec_overrides_the_base_and_a_root_base_gets_the_non_root_default() {
    let root_base = planned_on(
        &with_base(spec(&[]), "debian:12"),
        &context(false),
        distroless_base(None),
    );
    assert_eq!(settings_of(&root_base).user, "65532:65532");
    let mut overridden = with_base(spec(&[]), "debian:12");
    overridden.image.user = Some(crate::spec::User {
        written: Located::new("1000:1000".into(), Span { line: 9, column: 9 }),
        uid: 1000,
        gid: 1000,
    });
    overridden.image.workdir = Some("/srv".into());
    overridden.image.env.insert("PATH".into(), "/app".into());
    let settings = settings_of(&planned_on(
        &overridden,
        &context(false),
        distroless_base(Some("65532")),
    ));
    assert_eq!(settings.user, "1000:1000");
    let config = crate::image::config(&settings).unwrap_or_else(|error| panic!("{error}"));
    let runtime = config.config().clone().unwrap_or_default();
    assert_eq!(runtime.working_dir().as_deref(), Some("/srv"));
    let paths: Vec<String> = runtime
        .env()
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|entry| entry.starts_with("PATH="))
        .collect();
    assert_eq!(paths, ["PATH=/app"]);
    // A base whose PATH lacks /usr/local/bin gets it in front.
    let mut bare = distroless_base(Some("65532"));
    if let Some(mut runtime) = bare.config.config().clone() {
        runtime.set_env(Some(vec!["PATH=/bin".into()]));
        bare.config.set_config(Some(runtime));
    }
    let settings = settings_of(&planned_on(
        &with_base(spec(&[]), "debian:12"),
        &context(false),
        bare,
    ));
    assert_eq!(settings.env[0].1, "/usr/local/bin:/bin");
}

#[test]
fn scratch_writes_passwd_for_the_default_user() {
    let plan = planned(&spec(&[]), &syntax_request());
    let users = op_named(
        &plan.platforms[0].filesystem,
        "write /etc/passwd and /etc/group",
    );
    let Some(pb::op::Op::File(file)) = users.op else {
        panic!("not a file op");
    };
    let passwd = file.actions.iter().find_map(|action| match &action.action {
        Some(pb::file_action::Action::Mkfile(mkfile)) if mkfile.path == "/etc/passwd" => {
            Some(String::from_utf8_lossy(&mkfile.data).into_owned())
        }
        _ => None,
    });
    assert_eq!(
        passwd.as_deref(),
        Some(
            "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n"
        )
    );
}

fn spec_with_files() -> Spec {
    let mut spec = spec(&["linux/amd64", "linux/arm64"]);
    spec.files = vec![
        crate::spec::CopiedFile {
            src: Located::new(
                "config/app.json".into(),
                Span {
                    line: 7,
                    column: 10,
                },
            ),
            dst: "/etc/app/app.json".into(),
            mode: None,
        },
        crate::spec::CopiedFile {
            src: Located::new(
                "static".into(),
                Span {
                    line: 9,
                    column: 10,
                },
            ),
            dst: "/srv/static".into(),
            mode: None,
        },
        crate::spec::CopiedFile {
            src: Located::new(
                "run.sh".into(),
                Span {
                    line: 11,
                    column: 10,
                },
            ),
            dst: "/usr/local/bin/run.sh".into(),
            mode: Some(0o750),
        },
    ];
    spec
}

fn context_with_files() -> ModuleContext {
    use crate::context::PathKind;
    let mut context = context(false);
    context.file_sources = BTreeMap::from([
        ("config/app.json".to_string(), PathKind::File),
        ("static".to_string(), PathKind::Directory),
        ("run.sh".to_string(), PathKind::File),
    ]);
    context
}

#[test]
fn files_are_one_root_owned_stamped_layer_before_the_binaries() {
    let request = BuildRequest {
        source_date_epoch: Some(1_700_000_000),
        ..syntax_request()
    };
    let spec = spec_with_files();
    let context = context_with_files();
    let input = PlanInput {
        spec: &spec,
        context: &context,
        request: &request,
    };
    let needs = needs(input).unwrap_or_else(|error| panic!("{error}"));
    let resolved = Resolved {
        builder: builder(),
        frontend: frontend(),
        bases: BTreeMap::new(),
        busyboxes: BTreeMap::new(),
    };
    let plan = plan(input, &needs, &resolved).unwrap_or_else(|error| panic!("{error}"));
    let epoch = 1_700_000_000_000_000_000;
    let filesystem = &plan.platforms[1].filesystem;
    let tree = op_named(filesystem, "collect files: config/app.json, static, run.sh");
    let actual: Vec<(String, String, i32, i64, bool)> = copies(&tree)
        .into_iter()
        .map(|copy| {
            let owner = copy.owner.clone().unwrap_or_default();
            let root = pb::UserOpt {
                user: Some(pb::user_opt::User::ById(0)),
            };
            let owned_by_root = owner.user == Some(root.clone()) && owner.group == Some(root);
            (
                copy.src,
                copy.dest,
                copy.mode,
                copy.timestamp,
                owned_by_root,
            )
        })
        .collect();
    assert_eq!(
        actual,
        [
            (
                "/config/app.json".to_string(),
                "/etc/app/app.json".to_string(),
                0o644,
                epoch,
                true
            ),
            (
                "/static".to_string(),
                "/srv/static".to_string(),
                0o755,
                epoch,
                true
            ),
            (
                "/run.sh".to_string(),
                "/usr/local/bin/run.sh".to_string(),
                0o750,
                epoch,
                true
            ),
        ]
    );
    // Parents are made 0755 before each copy, not left to the copy (which would give them
    // the copy's mode on current BuildKit).
    let Some(pb::op::Op::File(tree_actions)) = &tree.op else {
        panic!("not a file op");
    };
    let directories: Vec<(String, i32, bool)> = tree_actions
        .actions
        .iter()
        .filter_map(|action| match &action.action {
            Some(pb::file_action::Action::Mkdir(mkdir)) => {
                Some((mkdir.path.clone(), mkdir.mode, mkdir.make_parents))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        directories,
        [
            ("/etc/app".to_string(), 0o755, true),
            ("/srv".to_string(), 0o755, true),
            ("/usr/local/bin".to_string(), 0o755, true),
        ]
    );
    // The copies read the same context source as the compile: one transfer.
    let context_sources = ops(filesystem)
        .into_iter()
        .filter(|(name, _)| name == "load build context")
        .count();
    assert_eq!(context_sources, 1);
    // Layer order: runtime, files, binaries; history says the same.
    let files_layer = op_named(filesystem, "add files: config/app.json, static, run.sh");
    let runtime_layer = op_named(
        filesystem,
        "add CA bundle, zoneinfo, /tmp, passwd and group",
    );
    let binaries_layer = op_named(filesystem, "add server (linux/arm64)");
    let digest = |op: &pb::Op| llb::op_digest(&llb::encode_op(op));
    assert_eq!(files_layer.inputs[0].digest, digest(&runtime_layer));
    assert_eq!(binaries_layer.inputs[0].digest, digest(&files_layer));
    assert_eq!(copies(&files_layer)[0].timestamp, epoch);
    assert_eq!(
        settings_of(&plan).layers,
        [
            "gostage: CA bundle, zoneinfo, /tmp, passwd and group",
            "gostage: files",
            "gostage: binaries"
        ]
    );
}

#[test]
fn the_binaries_layer_copies_each_compile_output_once() {
    let mut spec = spec(&["linux/arm64"]);
    spec.binaries.push(Binary {
        main: Located::new("./cmd/worker".into(), Span { line: 4, column: 7 }),
        name: None,
    });
    let request = BuildRequest {
        source_date_epoch: Some(1_700_000_000),
        ..syntax_request()
    };
    let plan = planned(&spec, &request);
    let filesystem = &plan.platforms[0].filesystem;
    let layer = op_named(filesystem, "add server, worker (linux/arm64)");
    let copied: Vec<(String, String, bool, i64)> = copies(&layer)
        .into_iter()
        .map(|copy| (copy.src, copy.dest, copy.dir_copy_contents, copy.timestamp))
        .collect();
    let stamped = (
        "/".to_string(),
        "/".to_string(),
        true,
        1_700_000_000_000_000_000,
    );
    assert_eq!(copied, [stamped.clone(), stamped]);
    // The copies read the compile steps themselves: no tree in between.
    let digest = |op: &pb::Op| llb::op_digest(&llb::encode_op(op));
    let inputs: Vec<String> = layer
        .inputs
        .iter()
        .map(|input| input.digest.clone())
        .collect();
    assert_eq!(
        inputs[1..],
        [
            digest(&op_named(filesystem, "go build ./cmd/server (linux/arm64)")),
            digest(&op_named(filesystem, "go build ./cmd/worker (linux/arm64)")),
        ]
    );
    assert!(!ops(filesystem)
        .iter()
        .any(|(name, _)| name.starts_with("collect")));
    let compiled: Vec<String> = execs(filesystem)
        .into_iter()
        .filter(|(name, _, _)| name.starts_with("go build"))
        .map(|(_, _, exec)| {
            meta(&exec)
                .args
                .iter()
                .rev()
                .nth(1)
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        compiled,
        ["/out/usr/local/bin/server", "/out/usr/local/bin/worker"]
    );
}

#[test]
fn a_missing_file_source_is_an_error_at_its_src() {
    let spec = spec_with_files();
    let mut context = context_with_files();
    context.file_sources.remove("static");
    let error = needs(PlanInput {
        spec: &spec,
        context: &context,
        request: &syntax_request(),
    })
    .expect_err("static is missing");
    let PlanError::Spec(diagnostic) = error else {
        panic!("not placed in the spec: {error:?}");
    };
    assert_eq!(
        diagnostic.span,
        Span {
            line: 9,
            column: 10
        }
    );
    assert_eq!(
        diagnostic.message,
        "`files[1].src` is `static`, which is not in the build context"
    );
    // The binary target copies no files, so it needs none.
    let binary = BuildRequest {
        target: Target::Binary,
        ..syntax_request()
    };
    assert!(needs(PlanInput {
        spec: &spec,
        context: &context,
        request: &binary,
    })
    .is_ok());
}

mod cgo;
mod healthcheck;

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
fn no_step_compiles_a_helper_before_the_module_compile() {
    // The download and runtime-files steps run gostage's binary from the frontend image,
    // pinned as the gateway resolved it; nothing else runs `go` before the compile.
    let plan = planned(&spec(&[]), &syntax_request());
    let steps = execs(&plan.platforms[0].filesystem);
    let names: Vec<&str> = steps.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "gather CA bundle, zoneinfo and /tmp",
            "go mod download",
            "go build ./cmd/server (linux/amd64)"
        ]
    );
    for (name, _, exec) in &steps {
        assert_eq!(meta(exec).args[0], "/gostage/bin/gostage", "{name}");
    }
    let images: Vec<String> = ops(&plan.platforms[0].filesystem)
        .into_iter()
        .filter_map(|(_, op)| match op.op {
            Some(pb::op::Op::Source(source)) => Some(source.identifier),
            _ => None,
        })
        .filter(|identifier| identifier.starts_with("docker-image://"))
        .collect();
    assert!(
        images.contains(&"docker-image://docker.io/myorg/gostage:latest@sha256:2222".to_string()),
        "{images:?}"
    );
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
