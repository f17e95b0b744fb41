//! The final stage: the base (scratch by default) plus one layer of runtime files (and, FROM
//! scratch, users), the `files:` layer when there are files, and one layer of binaries, so a
//! new build of the program changes only the last layer.

use super::compile::binary_path;
use super::image_settings::{Layer, DEFAULT_IDS};
use super::{files, Planner};
use crate::context::PathKind;
use crate::llb::{Constraints, CopyOptions, FileOp, Image, Output};
use crate::spec::CopiedFile;
use crate::vocabulary::{Platform, ResolvedImage};

/// `/etc/passwd` and `/etc/group` with root and the image's user `uid:gid` (`nonroot`).
pub fn users(uid: u32, gid: u32) -> (String, String) {
    let mut passwd = String::from("root:x:0:0:root:/root:/sbin/nologin\n");
    let mut group = String::from("root:x:0:\n");
    if uid != 0 {
        passwd.push_str(&format!(
            "nonroot:x:{uid}:{gid}:nonroot:/nonexistent:/sbin/nologin\n"
        ));
    }
    if gid != 0 {
        group.push_str(&format!("nonroot:x:{gid}:\n"));
    }
    (passwd, group)
}

/// The image filesystem: `base` (`None` = scratch) for `platform`, a layer with the runtime
/// files (and FROM scratch `/etc/passwd` and `/etc/group`; a base keeps its own) and the
/// healthcheck `probe` (a tree with it at its place, when there is one), the `files` layer
/// when `files` is not empty, then a layer with the binaries at `/usr/local/bin/<name>`.
///
/// Each layer copies whole trees, with every copied file and directory stamped `epoch`:
/// adding a file to an existing directory would give that directory the build's wall-clock
/// mtime and make layers differ between identical builds. A compile output is already such a
/// tree (`/usr/local/bin/<name>`), so the binaries are copied once, straight from the compile
/// steps.
pub fn image(
    planner: Planner<'_>,
    platform: &Platform,
    base: Option<&ResolvedImage>,
    runtime_files: &Output,
    files: &[(&CopiedFile, PathKind)],
    probe: Option<&Output>,
    binaries: &[(String, Output)],
) -> Output {
    let epoch = planner.request.epoch_nanoseconds();
    let base_image = base.map(|image| {
        Image::new(&image.reference)
            .resolve_mode(planner.request.resolve_mode)
            .build(
                &Constraints::default().platform(platform),
                &format!("base image {}", image.reference),
            )
    });
    let stamped = CopyOptions {
        contents_only: true,
        timestamp: Some(epoch),
        ..Default::default()
    };
    let mut runtime = FileOp::on(base_image.as_ref()).copy(Some(runtime_files), "/", "/", &stamped);
    if base.is_none() {
        let (uid, gid) = planner
            .spec
            .image
            .user
            .as_ref()
            .map_or(DEFAULT_IDS, |user| (user.uid, user.gid));
        let (passwd, group) = users(uid, gid);
        let users_tree = FileOp::on(None)
            .mkdir("/etc", 0o755, epoch)
            .mkfile("/etc/passwd", 0o644, passwd.as_bytes(), epoch)
            .mkfile("/etc/group", 0o644, group.as_bytes(), epoch)
            .build(&Constraints::default(), "write /etc/passwd and /etc/group");
        runtime = runtime.copy(Some(&users_tree), "/", "/", &stamped);
    }
    let mut runtime_step_name = Layer::runtime_step_name(base.is_some()).to_string();
    if let Some(probe) = probe {
        // In the layer that changes only with the builder, not with each build of the program.
        runtime = runtime.copy(Some(probe), "/", "/", &stamped);
        runtime_step_name.push_str(&format!(", healthcheck probe ({platform})"));
    }
    let runtime_layer = runtime.build(&Constraints::default(), &runtime_step_name);
    let below_binaries = if files.is_empty() {
        runtime_layer
    } else {
        let tree = files::tree(planner, files, epoch);
        let sources: Vec<&str> = files
            .iter()
            .map(|(file, _)| file.src.value.as_str())
            .collect();
        FileOp::on(Some(&runtime_layer))
            .copy(Some(&tree), "/", "/", &stamped)
            .build(
                &Constraints::default(),
                &format!("add files: {}", sources.join(", ")),
            )
    };
    let names: Vec<&str> = binaries.iter().map(|(name, _)| name.as_str()).collect();
    binaries
        .iter()
        .fold(FileOp::on(Some(&below_binaries)), |layer, (_, output)| {
            layer.copy(Some(output), "/", "/", &stamped)
        })
        .build(
            &Constraints::default(),
            &format!("add {} ({platform})", names.join(", ")),
        )
}

/// Just the binaries at `/<name>` (the `binary` target, for `--output type=local`, and the
/// SBOM's input), stamped `epoch`.
pub fn binaries_only(binaries: &[(String, Output)], epoch: i64, platform: &Platform) -> Output {
    let stamped = CopyOptions {
        contents_only: false,
        timestamp: Some(epoch),
        ..Default::default()
    };
    let names: Vec<&str> = binaries.iter().map(|(name, _)| name.as_str()).collect();
    binaries
        .iter()
        .fold(FileOp::on(None), |tree, (name, output)| {
            tree.copy(
                Some(output),
                &binary_path(name),
                &format!("/{name}"),
                &stamped,
            )
        })
        .build(
            &Constraints::default(),
            &format!("collect {} ({platform})", names.join(", ")),
        )
}

#[cfg(test)]
mod tests;
