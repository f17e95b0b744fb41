//! gostage's own binary in build steps: the frontend image (the `source` option), resolved
//! for the running frontend's own platform and mounted read-only at
//! [`step_contract::BINARY_DIR`], so steps run the subcommands of module `step` without
//! compiling a helper first. BuildKit has already pulled this image to start the frontend,
//! so the mount costs no download. The command lines are
//! [`step_contract::Invocation::command_line`].

use super::Planner;
use crate::llb::{Constraints, Exec, Image, Output};
use crate::step_contract;

/// The frontend image, in the variant of the running frontend (see
/// `BuildRequest::frontend_platform`).
fn image(planner: Planner<'_>) -> Output {
    let reference = &planner.frontend.reference;
    let constraints = Constraints::default().platform(&planner.request.frontend_platform);
    Image::new(reference)
        .resolve_mode(planner.request.resolve_mode)
        .build(&constraints, &format!("gostage image {reference}"))
}

/// Mounts the frontend image where [`step_contract::BINARY`] is.
pub fn mount(planner: Planner<'_>, exec: &mut Exec) {
    exec.readonly(step_contract::BINARY_DIR, &image(planner));
}

#[cfg(test)]
mod tests;
