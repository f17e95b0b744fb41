//! The `debug` target: the image plus a static busybox under `/busybox`, as distroless
//! `:debug` images carry one, so `docker run -it --entrypoint sh IMAGE` gets a shell next to
//! the same binaries, as the same user.

use super::images::BUSYBOX;
use super::Planner;
use crate::llb::{Constraints, CopyOptions, FileOp, Image, Output};
use crate::vocabulary::{Platform, ResolvedImage};

/// Where the busybox binary and its applet links go; appended to `PATH`.
pub const BUSYBOX_DIR: &str = "/busybox";

/// `image` with the `/bin` of `busybox` (resolved for `platform`) copied to [`BUSYBOX_DIR`],
/// as one more layer. `/bin` of the official image holds the busybox binary and one hard
/// link per applet; the copy keeps the links (BuildKit's file copy links files that share an
/// inode, `tonistiigi/fsutil` `copy/copy.go`), so the layer holds the binary once.
///
/// Like the layers of `final_stage`, a tree is prepared first and copied in with every file
/// and directory stamped with the build's epoch, so identical builds give identical layers.
pub fn with_shell(
    planner: Planner<'_>,
    platform: &Platform,
    busybox: &ResolvedImage,
    image: &Output,
) -> Output {
    let epoch = planner.request.epoch_nanoseconds();
    let source = Image::new(&busybox.reference)
        .resolve_mode(planner.request.resolve_mode)
        .build(
            &Constraints::default().platform(platform),
            &format!("busybox image {}", busybox.reference),
        );
    let tree = FileOp::on(None)
        .copy(
            Some(&source),
            "/bin",
            BUSYBOX_DIR,
            &CopyOptions {
                contents_only: false,
                timestamp: Some(epoch),
                mode: None,
                owner: None,
            },
        )
        .build(
            &Constraints::default(),
            &format!("collect busybox into {BUSYBOX_DIR}/ ({platform})"),
        );
    FileOp::on(Some(image))
        .copy(
            Some(&tree),
            "/",
            "/",
            &CopyOptions {
                contents_only: true,
                timestamp: Some(epoch),
                mode: None,
                owner: None,
            },
        )
        .build(
            &Constraints::default(),
            &format!("add a busybox shell from {BUSYBOX} ({platform})"),
        )
}

#[cfg(test)]
mod tests;
