//! Unit tests of the plan: what runs, with which flags and mounts, per platform.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message;
use serde_json::json;

use super::*;
use crate::spec::{Binary, Located, Span};

fn spec(platforms: &[&str]) -> Spec {
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
            .map(|p| Located::new(p.to_string(), Span { line: 5, column: 3 }))
            .collect(),
        span: Span { line: 1, column: 1 },
    }
}

fn module() -> GoModule {
    GoModule {
        path: "example.com/shop".into(),
        go: Some("1.23".into()),
        toolchain: None,
        vendored: false,
    }
}

fn builder() -> ResolvedImage {
    ResolvedImage {
        reference: "docker.io/library/golang:1.23@sha256:0000".into(),
        config: json!({"config": {"Env": ["PATH=/usr/local/go/bin:/usr/bin", "GOPATH=/go", "GOTOOLCHAIN=local"]}}),
    }
}

fn execs(definition: &pb::Definition) -> Vec<pb::ExecOp> {
    definition
        .def
        .iter()
        .filter_map(|bytes| match pb::Op::decode(bytes.as_slice()).ok()?.op {
            Some(pb::op::Op::Exec(exec)) => Some(exec),
            _ => None,
        })
        .collect()
}

fn run_plan(spec: &Spec, request: &BuildRequest) -> Plan {
    let bases = BTreeMap::new();
    let builder = builder();
    let module = module();
    plan(PlanInput {
        spec,
        module: &module,
        request,
        builder: &builder,
        bases: &bases,
    })
    .unwrap_or_else(|error| panic!("{error:?}"))
}

fn env_of(exec: &pb::ExecOp) -> Vec<String> {
    exec.meta
        .as_ref()
        .map(|meta| meta.env.clone())
        .unwrap_or_default()
}

fn args_of(exec: &pb::ExecOp) -> Vec<String> {
    exec.meta
        .as_ref()
        .map(|meta| meta.args.clone())
        .unwrap_or_default()
}

#[test]
fn compiles_statically_for_the_target_on_the_build_platform() {
    let mut request = BuildRequest::default();
    request
        .build_args
        .insert("GOPROXY".into(), "https://proxy.example".into());
    let plan = run_plan(&spec(&["linux/arm64"]), &request);
    assert_eq!(plan.results.len(), 1);
    let definition = llb::marshal(&plan.results[0].output, None).definition;
    let compile = execs(&definition)
        .into_iter()
        .find(|exec| args_of(exec).starts_with(&["go".into(), "build".into()]))
        .expect("a go build step");
    let args = args_of(&compile);
    assert_eq!(
        args,
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
    let env = env_of(&compile);
    for expected in [
        "CGO_ENABLED=0",
        "GOOS=linux",
        "GOARCH=arm64",
        "GOPROXY=https://proxy.example",
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
    keys.dedup();
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
    // The compile op runs on the build platform (amd64), not the target.
    let compile_op = definition
        .def
        .iter()
        .filter_map(|bytes| pb::Op::decode(bytes.as_slice()).ok())
        .find(|op| matches!(&op.op, Some(pb::op::Op::Exec(exec)) if args_of(exec)[1] == "build"))
        .expect("compile op");
    assert_eq!(
        compile_op.platform.map(|platform| platform.architecture),
        Some("amd64".to_string())
    );
}

#[test]
fn module_download_is_one_step_shared_by_all_platforms() {
    let plan = run_plan(
        &spec(&["linux/amd64", "linux/arm64", "linux/arm/v7"]),
        &BuildRequest::default(),
    );
    assert_eq!(plan.results.len(), 3);
    let digests: Vec<String> = plan
        .results
        .iter()
        .map(|result| {
            let definition = llb::marshal(&result.output, None).definition;
            let download = definition
                .def
                .iter()
                .find(|bytes| {
                    matches!(pb::Op::decode(bytes.as_slice()).ok().and_then(|op| op.op),
                        Some(pb::op::Op::Exec(exec)) if args_of(&exec) == ["go", "mod", "download"])
                })
                .expect("a go mod download step");
            llb::op_digest(download)
        })
        .collect();
    assert!(
        digests.windows(2).all(|pair| pair[0] == pair[1]),
        "download differs per platform: {digests:?}"
    );
    let arm = llb::marshal(&plan.results[2].output, None).definition;
    let arm_env: Vec<String> = execs(&arm).iter().flat_map(env_of).collect();
    assert!(arm_env.contains(&"GOARM=7".to_string()));
}

#[test]
fn same_inputs_give_identical_definitions() {
    let first = run_plan(&spec(&[]), &BuildRequest::default());
    let second = run_plan(&spec(&[]), &BuildRequest::default());
    let bytes = |plan: &Plan| {
        llb::marshal(&plan.results[0].output, Some(("gostage.yaml", b"x")))
            .definition
            .encode_to_vec()
    };
    assert_eq!(bytes(&first), bytes(&second));
}

#[test]
fn image_config_runs_the_binary_as_non_root() {
    let mut request = BuildRequest::default();
    request.build_args.insert("VERSION".into(), "1.2.3".into());
    request.source_date_epoch = Some(1_700_000_000);
    request.labels.insert("team".into(), "payments".into());
    let plan = run_plan(&spec(&[]), &request);
    let config = plan.results[0]
        .image_config
        .clone()
        .expect("an image config");
    assert_eq!(config["config"]["User"], "65532:65532");
    assert_eq!(
        config["config"]["Entrypoint"],
        json!(["/usr/local/bin/server"])
    );
    assert_eq!(
        config["config"]["Labels"]["org.opencontainers.image.version"],
        "1.2.3"
    );
    assert_eq!(config["config"]["Labels"]["team"], "payments");
    assert_eq!(config["created"], "2023-11-14T22:13:20Z");
    assert_eq!(config["architecture"], "amd64");
    assert_eq!(config["history"].as_array().map(Vec::len), Some(2));
}

#[test]
fn unsupported_platform_is_an_error_at_its_line() {
    let bad = self::spec(&["linux/sparc"]);
    let error = target_platforms(&bad, &BuildRequest::default()).expect_err("sparc is refused");
    assert_eq!(error.span, Span { line: 5, column: 3 });
}

#[test]
fn binary_target_returns_the_binaries_without_an_image_config() {
    let request = BuildRequest {
        target: Target::Binary,
        ..Default::default()
    };
    let plan = run_plan(&spec(&[]), &request);
    assert!(plan.results[0].image_config.is_none());
    let definition = llb::marshal(&plan.results[0].output, None).definition;
    let last_file_op = definition
        .def
        .iter()
        .rev()
        .filter_map(|bytes| pb::Op::decode(bytes.as_slice()).ok())
        .find_map(|op| match op.op {
            Some(pb::op::Op::File(file)) => Some(file),
            _ => None,
        })
        .expect("a file op");
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
    assert_eq!(binary_names(&spec, &module()), ["server", "shop", "tool"]);
}

#[test]
fn vendored_modules_download_nothing() {
    let spec = spec(&[]);
    let request = BuildRequest::default();
    let (builder, bases) = (builder(), BTreeMap::new());
    let module = GoModule {
        vendored: true,
        ..module()
    };
    let input = PlanInput {
        spec: &spec,
        module: &module,
        request: &request,
        builder: &builder,
        bases: &bases,
    };
    let plan = plan(input).unwrap_or_else(|error| panic!("{error:?}"));
    let definition = llb::marshal(&plan.results[0].output, None).definition;
    let commands: Vec<Vec<String>> = execs(&definition).iter().map(args_of).collect();
    assert!(
        commands.iter().all(|args| args[..2] != ["go", "mod"]),
        "{commands:?}"
    );
    assert!(commands.iter().any(|args| args[..2] == ["go", "build"]));
}
