//! gostage's own binary in builder steps: the frontend image (the `source` option), resolved
//! for the running frontend's own platform and mounted read-only, so steps run `gostage explain` and
//! `gostage runtime-files` (module `step`) without compiling a helper first. BuildKit has
//! already pulled this image to start the frontend, so the mount costs no download.

use super::Planner;
use crate::llb::{Constraints, Exec, Image, Output};

/// Where the frontend image is mounted in a step.
const MOUNT_DIR: &str = "/gostage/bin";

/// The binary's path in a step: the image holds it at `/gostage` (Dockerfile.frontend,
/// `xtask image`).
pub const BINARY: &str = "/gostage/bin/gostage";

/// The frontend image, in the variant of the running frontend (see
/// `BuildRequest::frontend_platform`).
fn image(planner: Planner<'_>) -> Output {
    let reference = &planner.frontend.reference;
    let constraints = Constraints::default().platform(&planner.request.frontend_platform);
    Image::new(reference)
        .resolve_mode(planner.request.resolve_mode)
        .build(&constraints, &format!("gostage image {reference}"))
}

/// Mounts the frontend image where [`BINARY`] is.
pub fn mount(planner: Planner<'_>, exec: &mut Exec) {
    exec.readonly(MOUNT_DIR, &image(planner));
}

/// `gostage SUBCOMMAND ARGUMENTS…` as a step's arguments.
pub fn command(subcommand: &str, arguments: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut args = vec![BINARY.to_string(), subcommand.to_string()];
    args.extend(arguments);
    args
}
