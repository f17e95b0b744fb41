//! The plan as a whole: the images it needs, the target platforms, the binaries' names, the
//! targets, and the pinned digests of reference plans.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message;

use super::test_support::*;
use super::*;
use crate::llb;
use crate::spec::Binary;
use crate::vocabulary::Span;

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

/// Pins the SHA-256 of the marshalled definition (every step, with a source map) of each
/// platform's filesystem and SBOM in six reference plans: the default image, three
/// platforms with an SBOM, `--no-cache` and `SOURCE_DATE_EPOCH`, the `binary` target, a
/// vendored module, the `test` target, and `cache.export` on two platforms. 18ff18d (before
/// the Plan value and the typed LLB builder) made the first values; since then each
/// deliberate change to the graph updates them, with `cargo xtask bench` figures before and
/// after. Last change: the `exported` plan is pinned (the dependency list and dependency
/// compile of `cache.export`); the other lines did not change.
#[test]
fn pinned_digests_of_every_step_of_six_reference_plans() {
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
    let mut exported = spec(&["linux/amd64", "linux/arm64"]);
    exported.cache.export = true;
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
        ("exported", planned(&exported, &syntax_request())),
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
            "exported linux/amd64 83e92524f8cd909cc0539d48f333bbbdbb967d3c47a164f6d1cc6eea437339f1",
            "exported linux/arm64 a2df9c4b0c5325ff3caa7e9b30113b477231cf598a53ef379707291051586a7c",
        ]
    );
}
