//! What the plan's tests share: a spec, a module context and requests like BuildKit's, the
//! resolved images, the plan made from them, and its graph decoded op by op.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message;

use super::*;
use crate::llb;
use crate::spec::Binary;
use crate::vocabulary::Span;

/// A spec with one binary (`main: ./cmd/server` at line 3) and the target `platforms` (at
/// line 5), everything else default.
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

/// The context of module `example.com/shop` (go 1.23, with go.sum), ignoring `*.md`.
pub(super) fn context(vendored: bool) -> ModuleContext {
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
        location: Default::default(),
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

/// golang:1.23 as the gateway resolves it, with the image's `Env`.
pub(super) fn builder() -> ResolvedImage {
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

/// [`planned_with`] for a module that is not vendored.
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

/// The exec ops of `output`'s graph: (progress name, op, exec).
pub(super) fn execs(output: &Output) -> Vec<(String, pb::Op, pb::ExecOp)> {
    ops(output)
        .into_iter()
        .filter_map(|(name, op)| match &op.op {
            Some(pb::op::Op::Exec(exec)) => Some((name, op.clone(), exec.clone())),
            _ => None,
        })
        .collect()
}

/// The process of `exec`: arguments, environment, working directory.
pub(super) fn meta(exec: &pb::ExecOp) -> pb::Meta {
    exec.meta.clone().unwrap_or_default()
}

/// The first `go build ./…` step of `output`'s graph.
pub(super) fn compile_step(output: &Output) -> (pb::Op, pb::ExecOp) {
    execs(output)
        .into_iter()
        .find(|(name, _, _)| name.starts_with("go build ."))
        .map(|(_, op, exec)| (op, exec))
        .unwrap_or_else(|| panic!("no go build step"))
}

/// The mount of `exec` at `dest`.
pub(super) fn mount_at<'a>(exec: &'a pb::ExecOp, dest: &str) -> &'a pb::Mount {
    exec.mounts
        .iter()
        .find(|mount| mount.dest == dest)
        .unwrap_or_else(|| panic!("no mount at {dest}: {:?}", exec.mounts))
}

/// A base image config shaped like distroless static:nonroot.
pub(super) fn distroless_base(user: Option<&str>) -> ResolvedImage {
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
pub(super) fn planned_on(spec: &Spec, context: &ModuleContext, base: ResolvedImage) -> Plan {
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

/// `spec` with `image.base: reference` (at line 8).
pub(super) fn with_base(mut spec: Spec, reference: &str) -> Spec {
    let reference = ImageReference::parse(reference).unwrap_or_else(|p| panic!("{p}"));
    spec.image.base = Base::Image(Located::new(reference, Span { line: 8, column: 9 }));
    spec
}

/// The image settings of the plan's first platform.
pub(super) fn settings_of(plan: &Plan) -> ImageSettings {
    plan.platforms[0]
        .image
        .clone()
        .unwrap_or_else(|| panic!("an image target has image settings"))
}

/// The copy actions of a file op (none for another op).
pub(super) fn copies(op: &pb::Op) -> Vec<pb::FileActionCopy> {
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

/// The op of `output`'s graph whose progress name is `name`.
pub(super) fn op_named(output: &Output, name: &str) -> pb::Op {
    ops(output)
        .into_iter()
        .find(|(step, _)| step == name)
        .map(|(_, op)| op)
        .unwrap_or_else(|| panic!("no step named {name:?}"))
}
