//! gostage's binary in build steps: the frontend image as the gateway pinned it, and no
//! helper compiled before the module.

use bollard_buildkit_proto::pb;

use super::super::test_support::*;

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
