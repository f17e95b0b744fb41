//! The `test` target: one `gostage test-report` step on the build platform.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;
use crate::vocabulary::Span;

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
