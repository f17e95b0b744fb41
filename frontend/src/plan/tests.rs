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
        span: Span { line: 1, column: 1 },
    }
}

fn context(vendored: bool) -> ModuleContext {
    ModuleContext {
        module: GoModule {
            path: "example.com/shop".into(),
            go: Some("1.23".into()),
            toolchain: None,
        },
        vendored,
        ignore_patterns: vec!["*.md".into()],
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
    let resolved = Resolved {
        builder: builder(),
        bases: BTreeMap::new(),
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
        .find(|(name, _, _)| name.starts_with("go build "))
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
        ..Default::default()
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
        ..Default::default()
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
        ..Default::default()
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
    let mut request = BuildRequest::default();
    request
        .build_args
        .insert("GOPROXY".into(), "https://proxy.example".into());
    let plan = planned(&spec(&["linux/arm64"]), &request);
    assert_eq!(plan.platforms.len(), 1);
    let (op, compile) = compile_step(&plan.platforms[0].filesystem);
    assert_eq!(
        meta(&compile).args,
        [
            "go",
            "build",
            "-trimpath",
            "-buildvcs=false",
            "-ldflags",
            "-s -w -buildid=",
            "-o",
            "/out/server",
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
            "/gostage/runtime-files",
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
    let plan = planned(&spec(&[]), &BuildRequest::default());
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
        &BuildRequest::default(),
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
    let first = planned(&spec(&[]), &BuildRequest::default());
    let second = planned(&spec(&[]), &BuildRequest::default());
    assert_eq!(bytes(&first), bytes(&second));
}

#[test]
fn image_settings_run_the_binary_as_non_root() {
    let mut request = BuildRequest::default();
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
        ..Default::default()
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
        ["server", "shop", "tool"]
    );
}

#[test]
fn vendored_modules_download_nothing() {
    let plan = planned_with(&spec(&[]), &BuildRequest::default(), true);
    let names: Vec<String> = execs(&plan.platforms[0].filesystem)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    assert!(
        names
            .iter()
            .all(|name| name != "go mod download" && name != "compile explain_failure.go"),
        "{names:?}"
    );
    assert!(names.iter().any(|name| name.starts_with("go build ")));
}

#[test]
fn sbom_is_planned_per_platform_only_when_asked() {
    let without = planned(
        &spec(&["linux/amd64", "linux/arm64"]),
        &BuildRequest::default(),
    );
    assert!(without
        .platforms
        .iter()
        .all(|platform| platform.sbom.is_none()));
    let request = BuildRequest {
        sbom: true,
        ..Default::default()
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

/// SHA-256 of the marshalled definitions (with a source map) of four plans. 18ff18d (before
/// the Plan value and the typed LLB builder) made the first values, which the refactor kept
/// byte for byte; since then each deliberate change to the graph updates them, with
/// `cargo xtask bench` figures before and after. Last change: only `go mod download` has
/// network (compile and helpers run with network none and `GOPROXY=off`), the download runs
/// through the compiled `explain_failure` helper with the optional secret `netrc`.
#[test]
fn definitions_are_byte_for_byte_those_of_the_graph_before_the_refactor() {
    use sha2::{Digest, Sha256};
    let mut multi = BuildRequest {
        sbom: true,
        no_cache: true,
        session_id: "s".into(),
        source_date_epoch: Some(1_700_000_000),
        ..Default::default()
    };
    multi.build_args.insert("VERSION".into(), "1".into());
    let binary = BuildRequest {
        target: Target::Binary,
        ..Default::default()
    };
    let cases = [
        ("default", planned(&spec(&[]), &BuildRequest::default())),
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
            planned_with(&spec(&[]), &BuildRequest::default(), true),
        ),
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
            "default linux/amd64 ec1096420565e93c93492882669a1c31f2357d613b3c54200360ac589f2b9e67",
            "multi linux/amd64 1ceae84a0faaf72a35c781232ef01d0ec7b7c64e9b6d75dbacbc61f4442e4a04",
            "multi sbom 3873969349232e2f730da2acc5d3b28a0f69bdae8a342b048c51e3098e36e084",
            "multi linux/arm64 105ea3f6b11c24515c27231299fd98d30de6bbe22c49ce34c459c8eb5c5ae0f6",
            "multi sbom 7944e0a5acb8a39a409b442d58fe201875b633e570056d9011b5e8c8a3b8df52",
            "multi linux/arm/v7 6e76ff46a6d5a0fc473b3eb0b1d24ed13e67092e6c1aa5cf3bf11dd6a42072c4",
            "multi sbom 567df0712b66a9e829c82f807035f97bb1e71fc7344319a23367b6646a906260",
            "binary linux/amd64 c252f2eb379a11422c44fa7bb32557eaaff2eb2ef9e21126e82eb72f34e54ca4",
            "vendored linux/amd64 3dc10e5ce4e65399b1c5ae25087ed1789b0be97efffa014774fb049435f98fae",
        ]
    );
}
