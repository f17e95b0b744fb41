//! The dependency stage: one `go mod download` for all platforms, its module layer, and
//! nothing to download for a vendored module.

use bollard_buildkit_proto::pb;

use super::super::test_support::*;
use crate::llb;

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
