//! The secret `netrc`: only the download step has network and the secret; its failure hints.

use bollard_buildkit_proto::pb;

use super::super::test_support::{execs, meta, planned, planned_with, spec, syntax_request};
use super::*;
use crate::llb;
use crate::spec::Modules;
use crate::vocabulary::{BuildRequest, Span};

/// Every exec of the plan for linux/amd64 and linux/arm64: (name, op, exec).
fn steps(spec: &Spec, request: &BuildRequest) -> Vec<(String, pb::Op, pb::ExecOp)> {
    let plan = planned(spec, request);
    plan.platforms
        .iter()
        .flat_map(|platform| {
            let mut all = execs(&platform.filesystem);
            if let Some(sbom) = &platform.sbom {
                all.extend(execs(sbom));
            }
            all
        })
        .collect()
}

fn routed_request() -> BuildRequest {
    let mut request = BuildRequest {
        sbom: true,
        ..syntax_request()
    };
    for (name, value) in [
        ("GOPROXY", "https://proxy.test"),
        ("GOPRIVATE", "corp.test"),
        ("GONOSUMDB", "corp.test"),
        ("GONOPROXY", "none"),
        ("GOSUMDB", "sum.test"),
        ("GOINSECURE", "insecure.test"),
        ("GOFLAGS", "-mod=mod"),
    ] {
        request.build_args.insert(name.into(), value.into());
    }
    request
}

#[test]
fn only_the_download_step_has_network_and_the_netrc_secret() {
    let spec = spec(&["linux/amd64", "linux/arm64"]);
    let steps = steps(&spec, &routed_request());
    let names: Vec<&str> = steps.iter().map(|(name, _, _)| name.as_str()).collect();
    assert!(names.contains(&"go mod download"), "{names:?}");
    assert!(names.contains(&"gather CA bundle, zoneinfo and /tmp"));
    assert!(names.iter().any(|name| name.starts_with("SBOM of")));
    assert!(names.iter().any(|name| name.starts_with("go build ")));
    for (name, _, exec) in &steps {
        let secrets: Vec<&pb::SecretOpt> = exec
            .mounts
            .iter()
            .filter_map(|mount| mount.secret_opt.as_ref())
            .collect();
        let env = meta(exec).env;
        if name == "go mod download" {
            assert_eq!(exec.network, pb::NetMode::Unset as i32);
            let netrc = exec
                .mounts
                .iter()
                .find(|mount| mount.dest == NETRC_SECRET)
                .unwrap_or_else(|| panic!("no netrc mount in {:?}", exec.mounts));
            assert_eq!(netrc.mount_type, pb::MountType::Secret as i32);
            let options = netrc.secret_opt.clone().unwrap_or_default();
            assert_eq!(
                (
                    options.id.as_str(),
                    options.optional,
                    options.mode,
                    options.uid,
                    options.gid
                ),
                ("netrc", true, 0o400, 0, 0)
            );
            assert!(env.contains(&format!("NETRC={NETRC_SECRET}")), "{env:?}");
            // The download routes modules as the client said.
            assert!(env.contains(&"GOPROXY=https://proxy.test".to_string()));
            assert!(env.contains(&"GONOSUMDB=corp.test".to_string()));
        } else {
            assert_eq!(exec.network, pb::NetMode::None as i32, "{name}");
            assert!(secrets.is_empty(), "{name}: {secrets:?}");
            if name.starts_with("SBOM") {
                // gostage reads the binaries itself: no Go runs, and no setting applies.
                assert!(env.is_empty(), "{name}: {env:?}");
                continue;
            }
            assert!(env.contains(&"GOPROXY=off".to_string()), "{name}: {env:?}");
            for routing in [
                "GOPRIVATE",
                "GONOSUMDB",
                "GONOPROXY",
                "GOSUMDB",
                "GOINSECURE",
            ] {
                assert!(
                    env.iter()
                        .all(|entry| !entry.starts_with(&format!("{routing}="))),
                    "{name}: {routing} in {env:?}"
                );
            }
            assert!(env.iter().all(|entry| !entry.starts_with("NETRC=")));
        }
        if name.starts_with("go build ") {
            assert!(env.contains(&"GOFLAGS=-mod=mod".to_string()), "{env:?}");
        }
    }
}

/// Steps downstream of the download change digest with it (their input does), but only
/// the download's own command and environment change, and helpers that do not read the
/// download keep their digest.
#[test]
fn a_changed_proxy_changes_only_the_download_step() {
    let spec = spec(&["linux/amd64"]);
    let summary = |request: &BuildRequest| -> Vec<(String, String, Vec<String>)> {
        steps(&spec, request)
            .into_iter()
            .map(|(name, op, exec)| (name, llb::op_digest(&llb::encode_op(&op)), meta(&exec).env))
            .collect()
    };
    let before = summary(&routed_request());
    let mut other = routed_request();
    other
        .build_args
        .insert("GOPROXY".into(), "https://other.test".into());
    let after = summary(&other);
    assert_eq!(before.len(), after.len());
    for ((name, first_digest, first_env), (_, second_digest, second_env)) in
        before.iter().zip(&after)
    {
        let download = name == "go mod download";
        assert_eq!(download, first_env != second_env, "{name}");
        if name.starts_with("gather") || name.starts_with("compile ") {
            assert_eq!(first_digest, second_digest, "{name}");
        }
    }
}

#[test]
fn without_network_a_vendored_build_has_no_step_with_network() {
    let plan = planned_with(&spec(&["linux/amd64"]), &routed_request(), true);
    let steps = execs(&plan.platforms[0].filesystem);
    assert!(!steps.is_empty());
    for (name, _, exec) in steps {
        assert_eq!(exec.network, pb::NetMode::None as i32, "{name}");
    }
}

#[test]
fn the_download_step_explains_failures_and_points_at_the_spec() {
    let mut spec = spec(&["linux/amd64"]);
    spec.span = Span { line: 2, column: 1 };
    let request = BuildRequest {
        spec_filename: "deploy/app.yaml".into(),
        ..syntax_request()
    };
    let download = |spec: &Spec| {
        steps(spec, &request)
            .into_iter()
            .find(|(name, _, _)| name == "go mod download")
            .map(|(_, _, exec)| meta(&exec))
            .unwrap_or_else(|| panic!("no go mod download"))
    };
    let step = download(&spec);
    assert_eq!(
        step.args,
        [
            "/gostage/bin/gostage",
            "explain",
            "--",
            "/gostage/bin/gostage",
            "download-modules",
            "/gostage/module-downloads"
        ]
    );
    let variable = step
        .env
        .iter()
        .find_map(|entry| entry.strip_prefix("GOSTAGE_FAILURE_HINTS="))
        .unwrap_or_default()
        .to_string();
    let pairs: Vec<(&str, &str)> = variable
        .lines()
        .map(|line| line.split_once('\t').unwrap_or((line, "")))
        .collect();
    let hint = |pattern: &str| {
        pairs
            .iter()
            .find(|(known, _)| *known == pattern)
            .map(|(_, hint)| hint.to_string())
            .unwrap_or_else(|| panic!("no hint for {pattern} in {pairs:?}"))
    };
    for pattern in [
        "401 Unauthorized",
        "403 Forbidden",
        "terminal prompts disabled",
    ] {
        let text = hint(pattern);
        assert!(
            text.contains("--secret id=netrc,src=$HOME/.netrc"),
            "{text}"
        );
        assert!(text.contains("deploy/app.yaml:2"), "{text}");
    }
    assert!(hint("could not read Username").contains("--secret id=netrc"));
    assert!(hint("Permission denied (publickey)").contains("--ssh default"));
    // `could not read Username` comes first: git prints both texts on one line.
    let position = |pattern: &str| pairs.iter().position(|(known, _)| *known == pattern);
    assert!(position("could not read Username") < position("terminal prompts disabled"));

    spec.modules = Modules {
        span: Some(Span { line: 9, column: 1 }),
        ..Default::default()
    };
    let step = download(&spec);
    let text = step
        .env
        .iter()
        .find_map(|entry| entry.strip_prefix("GOSTAGE_FAILURE_HINTS="))
        .and_then(|hints| {
            hints
                .lines()
                .find(|line| line.starts_with("401 Unauthorized\t"))
        })
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("deploy/app.yaml:9"), "{text}");
}

#[test]
fn the_download_step_carries_the_spec_line_as_its_source_location() {
    let mut spec = spec(&["linux/amd64"]);
    spec.span = Span { line: 2, column: 1 };
    spec.modules.span = Some(Span { line: 6, column: 1 });
    assert_eq!(download_line(&spec), 6);
    let plan = planned(&spec, &syntax_request());
    let marshalled = llb::marshal(
        &plan.platforms[0].filesystem,
        Some(("gostage.yaml", b"version: 1\n")),
    );
    let definition = marshalled.definition;
    let digest = definition
        .metadata
        .iter()
        .find(|(_, metadata)| {
            metadata
                .description
                .get("llb.customname")
                .map(String::as_str)
                == Some("go mod download")
        })
        .map(|(digest, _)| digest.clone())
        .unwrap_or_else(|| panic!("no go mod download"));
    let source = definition.source.unwrap_or_default();
    let lines: Vec<i32> = source.locations[&digest].locations[0]
        .ranges
        .iter()
        .filter_map(|range| range.start.map(|start| start.line))
        .collect();
    assert_eq!(lines, [6]);
}
