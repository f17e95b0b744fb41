//! The `debug` target: busybox under `/busybox` and on the image's `PATH`.

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use super::super::*;

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
