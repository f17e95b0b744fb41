//! The healthcheck in the plan: the probe's build step per platform, its copy into the image,
//! and the config's `Healthcheck`.

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;
use super::*;
use crate::llb;
use crate::spec::{Healthcheck as SpecHealthcheck, Probe};
use crate::vocabulary::Healthcheck;
use crate::vocabulary::Span;

const URL: &str = "http://localhost:8080/healthz";

fn with_healthcheck(platforms: &[&str], probe: Probe) -> Spec {
    let mut spec = spec(platforms);
    spec.image.healthcheck = Some(Located::new(
        SpecHealthcheck {
            probe,
            interval: 1_000_000_000,
            timeout: 2_000_000_000,
            start_period: 0,
            retries: 4,
        },
        Span { line: 7, column: 5 },
    ));
    spec
}

fn http() -> Probe {
    Probe::Http(Located::new(
        URL.into(),
        Span {
            line: 8,
            column: 11,
        },
    ))
}

/// The probe's build step of `output`'s graph, with its digest.
fn probe_step(output: &Output) -> Option<(String, pb::Op, pb::ExecOp)> {
    execs(output).into_iter().find_map(|(_, op, exec)| {
        let args = meta(&exec).args;
        (args.last().map(String::as_str) == Some("/gostage/healthcheck.go"))
            .then(|| (llb::op_digest(&llb::encode_op(&op)), op, exec))
    })
}

#[test]
fn the_probe_is_built_for_each_platform_on_the_build_platform() {
    let mut spec = with_healthcheck(&["linux/amd64", "linux/arm64", "linux/arm/v7"], http());
    // The spec's build settings are for the module's programs, not for the probe.
    spec.build.tags = vec!["netgo".into()];
    spec.build.env = BTreeMap::from([("GOEXPERIMENT".to_string(), "rangefunc".to_string())]);
    let plan = planned(&spec, &syntax_request());
    let mut digests = Vec::new();
    for (platform, go_arch) in plan.platforms.iter().zip(["amd64", "arm64", "arm"]) {
        let (digest, op, exec) = probe_step(&platform.filesystem)
            .unwrap_or_else(|| panic!("no probe step for {}", platform.platform));
        digests.push(digest);
        assert_eq!(
            meta(&exec).args,
            [
                "go",
                "build",
                "-trimpath",
                "-gcflags=all=-dwarf=false",
                "-ldflags",
                "-s -w -buildid=",
                "-o",
                "/out/usr/local/lib/gostage/healthcheck",
                "/gostage/healthcheck.go"
            ]
        );
        let env = meta(&exec).env;
        for expected in [
            "CGO_ENABLED=0",
            "GOFLAGS=",
            "GOOS=linux",
            &format!("GOARCH={go_arch}"),
        ] {
            assert!(
                env.contains(&expected.to_string()),
                "{expected} not in {env:?}"
            );
        }
        assert_eq!(env.contains(&"GOARM=7".to_string()), go_arch == "arm");
        assert!(!env.iter().any(|entry| entry.starts_with("GOEXPERIMENT=")));
        assert_eq!(
            op.platform.map(|platform| platform.architecture),
            Some("amd64".to_string()),
            "built on the build platform"
        );
        let dests: Vec<&str> = exec
            .mounts
            .iter()
            .map(|mount| mount.dest.as_str())
            .collect();
        assert!(
            !dests.contains(&"/src"),
            "the probe does not read the module: {dests:?}"
        );
    }
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), 3, "one probe step per platform");
}

#[test]
fn the_probe_step_does_not_change_with_the_module() {
    let first = planned(&with_healthcheck(&[], http()), &syntax_request());
    let mut other = with_healthcheck(&[], http());
    other.binaries[0].main.value = "./cmd/other".into();
    other.build.ldflags = Vec::new();
    other.build.tags = vec!["netgo".into()];
    let second = planned_with(&other, &syntax_request(), true);
    let digest = |plan: &Plan| probe_step(&plan.platforms[0].filesystem).map(|step| step.0);
    assert!(digest(&first).is_some());
    assert_eq!(digest(&first), digest(&second));
}

#[test]
fn the_probe_is_copied_into_the_runtime_layer_with_the_epoch() {
    let request = BuildRequest {
        source_date_epoch: Some(1_700_000_000),
        ..syntax_request()
    };
    let plan = planned(&with_healthcheck(&["linux/arm64"], http()), &request);
    let filesystem = &plan.platforms[0].filesystem;
    let (probe_digest, _, _) = probe_step(filesystem).unwrap_or_else(|| panic!("no probe step"));
    let (name, layer) = ops(filesystem)
        .into_iter()
        .find(|(name, _)| name.starts_with("add CA bundle"))
        .unwrap_or_else(|| panic!("no runtime layer"));
    assert_eq!(
        name,
        "add CA bundle, zoneinfo, /tmp, passwd and group, healthcheck probe (linux/arm64)"
    );
    let probe_input = layer
        .inputs
        .iter()
        .position(|input| input.digest == probe_digest)
        .unwrap_or_else(|| panic!("the runtime layer does not read the probe"));
    let Some(pb::op::Op::File(file)) = &layer.op else {
        panic!("the runtime layer is not a file op")
    };
    let copy = file
        .actions
        .iter()
        .find_map(|action| match &action.action {
            Some(pb::file_action::Action::Copy(copy))
                if action.secondary_input == probe_input as i64 =>
            {
                Some(copy.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no copy of the probe"));
    assert_eq!((copy.src.as_str(), copy.dest.as_str()), ("/", "/"));
    assert_eq!(copy.timestamp, 1_700_000_000 * 1_000_000_000);
    let settings = plan.platforms[0]
        .image
        .clone()
        .unwrap_or_else(|| panic!("no image settings"));
    assert_eq!(
        settings.layers[0],
        "gostage: CA bundle, zoneinfo, /tmp, passwd and group, healthcheck probe"
    );
    assert_eq!(
        settings.healthcheck,
        Some(Healthcheck {
            test: vec![
                "CMD".into(),
                "/usr/local/lib/gostage/healthcheck".into(),
                URL.into()
            ],
            interval: 1_000_000_000,
            timeout: 2_000_000_000,
            start_period: 0,
            retries: 4,
        })
    );
}

#[test]
fn a_command_probe_adds_no_program() {
    let command = vec![
        "/usr/local/bin/server".to_string(),
        "-healthcheck".to_string(),
    ];
    let plan = planned(
        &with_healthcheck(&[], Probe::Command(command)),
        &syntax_request(),
    );
    assert!(probe_step(&plan.platforms[0].filesystem).is_none());
    let settings = plan.platforms[0]
        .image
        .clone()
        .unwrap_or_else(|| panic!("no image settings"));
    assert_eq!(
        settings.healthcheck.map(|healthcheck| healthcheck.test),
        Some(vec![
            "CMD".to_string(),
            "/usr/local/bin/server".to_string(),
            "-healthcheck".to_string()
        ])
    );
    assert_eq!(
        settings.layers[0],
        image_settings::Layer::RuntimeWithUsers.created_by()
    );
    let binary = BuildRequest {
        target: Target::Binary,
        ..syntax_request()
    };
    let plan = planned(&with_healthcheck(&[], http()), &binary);
    assert!(
        probe_step(&plan.platforms[0].filesystem).is_none(),
        "the binary target has no image, so no probe"
    );
}

#[test]
fn an_http_probe_needs_a_linux_image() {
    let spec = with_healthcheck(&["windows/amd64"], http());
    let context = context(false);
    let input = PlanInput {
        spec: &spec,
        context: &context,
        request: &syntax_request(),
    };
    let needs = needs(input).unwrap_or_else(|error| panic!("{error}"));
    let resolved = Resolved {
        builder: builder(),
        frontend: frontend(),
        bases: BTreeMap::new(),
        busyboxes: BTreeMap::new(),
    };
    match plan(input, &needs, &resolved) {
        Err(PlanError::Spec(diagnostic)) => {
            assert_eq!(
                diagnostic.span,
                Span {
                    line: 8,
                    column: 11
                }
            );
            assert!(
                diagnostic.message.contains("needs a Linux image"),
                "{diagnostic:?}"
            );
        }
        other => panic!("expected a spec error, got {other:?}"),
    }
}

#[test]
fn the_base_image_healthcheck_is_kept_unless_the_spec_sets_one() {
    let base_healthcheck = Healthcheck {
        test: vec!["CMD".into(), "/bin/check".into()],
        interval: 5_000_000_000,
        ..Default::default()
    };
    let settings_for = |spec: &Spec| {
        let reference =
            ImageReference::parse("example.org/base:1").unwrap_or_else(|p| panic!("{p}"));
        let mut spec = spec.clone();
        spec.image.base = Base::Image(Located::new(reference, Span { line: 9, column: 9 }));
        let context = context(false);
        let request = syntax_request();
        let input = PlanInput {
            spec: &spec,
            context: &context,
            request: &request,
        };
        let needs = needs(input).unwrap_or_else(|error| panic!("{error}"));
        let base = ResolvedImage {
            reference: "example.org/base:1@sha256:1111".into(),
            config: Default::default(),
            healthcheck: Some(base_healthcheck.clone()),
        };
        let resolved = Resolved {
            builder: builder(),
            frontend: frontend(),
            bases: BTreeMap::from([(Platform::linux_amd64(), base)]),
            busyboxes: BTreeMap::new(),
        };
        let plan = plan(input, &needs, &resolved).unwrap_or_else(|error| panic!("{error}"));
        plan.platforms[0]
            .image
            .clone()
            .unwrap_or_else(|| panic!("no image settings"))
    };
    assert_eq!(
        settings_for(&spec(&[])).healthcheck,
        Some(base_healthcheck.clone())
    );
    let ours = settings_for(&with_healthcheck(&[], http())).healthcheck;
    assert_eq!(
        ours.map(|healthcheck| healthcheck.test[1].clone()),
        Some(PROBE_PATH.to_string())
    );
}
