//! The `files:` layer: build-context files and directories copied into the image, owned by
//! root and readable by any user, between the runtime layer and the binaries.

use super::compile::source;
use super::Planner;
use crate::context::{ModuleContext, PathKind};
use crate::llb::{Constraints, CopyOptions, FileOp, Output};
use crate::spec::{CopiedFile, Spec};
use crate::vocabulary::Diagnostic;

/// Mode of a copied file when `mode:` is not written: readable by everyone.
pub const FILE_MODE: u32 = 0o644;
/// Mode of a copied directory and everything in it when `mode:` is not written: readable and
/// traversable by everyone. One mode covers the tree: a copy action has one numeric mode, the
/// only form Docker 20.10's BuildKit knows (`FileActionCopy.mode`, ops.proto).
pub const DIRECTORY_MODE: u32 = 0o755;

/// Each `files:` entry with the kind of its source in the context.
///
/// Errors: a source the context does not have (or that `.dockerignore` hides), placed at its
/// `src:`.
pub fn sources<'a>(
    spec: &'a Spec,
    context: &ModuleContext,
) -> Result<Vec<(&'a CopiedFile, PathKind)>, Diagnostic> {
    spec.files
        .iter()
        .enumerate()
        .map(
            |(index, file)| match context.file_sources.get(&file.src.value) {
                Some(kind) => Ok((file, *kind)),
                None => Err(Diagnostic::new(
                    file.src.span,
                    format!(
                        "`files[{index}].src` is `{}`, which is not in the build context",
                        file.src.value
                    ),
                )
                .with_help(
                    "write the path relative to the build context (the directory with go.mod); \
                 what .dockerignore lists, .git and node_modules are never sent",
                )),
            },
        )
        .collect()
}

/// A tree holding every source at its `dst`, owned 0:0, with its `mode` (else [`FILE_MODE`]
/// or [`DIRECTORY_MODE`]); `final_stage` copies it as one stamped layer.
pub fn tree(planner: Planner<'_>, sources: &[(&CopiedFile, PathKind)], epoch: i64) -> Output {
    let context = source(planner);
    let names: Vec<&str> = sources
        .iter()
        .map(|(file, _)| file.src.value.as_str())
        .collect();
    sources
        .iter()
        .fold(FileOp::on(None), |tree, (file, kind)| {
            let default = match kind {
                PathKind::File => FILE_MODE,
                PathKind::Directory => DIRECTORY_MODE,
            };
            let options = CopyOptions {
                contents_only: true,
                timestamp: Some(epoch),
                mode: Some(file.mode.unwrap_or(default)),
                owner: Some((0, 0)),
            };
            // The copy would create missing parents itself, but current BuildKit gives them
            // the copy's mode (a 0644 file made /etc 0644, closed to non-root users); made
            // here first, they are 0755 on every daemon.
            let tree = match file.dst.rsplit_once('/') {
                Some((parent, _)) if !parent.is_empty() => tree.mkdir(parent, 0o755, epoch),
                _ => tree,
            };
            tree.copy(
                Some(&context),
                &format!("/{}", file.src.value),
                &file.dst,
                &options,
            )
        })
        .build(
            &Constraints::default(),
            &format!("collect files: {}", names.join(", ")),
        )
}

#[cfg(test)]
mod tests;
