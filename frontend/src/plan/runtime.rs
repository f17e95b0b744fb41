//! Files a static Go program needs at run time, gathered in the builder by
//! `gostage runtime-files` (module `step`): the CA bundle, the time zone database and a sticky
//! `/tmp`. Nothing is compiled, so the step takes well under a second and no compile waits
//! for it.

use super::images::builder_image;
use super::offline_step::{OfflineGoStep, Root};
use super::{gostage_binary, Planner};
use crate::llb::Output;
use crate::step_contract::{Invocation, OUTPUT_DIR};

/// A filesystem with `etc/ssl/certs/ca-certificates.crt`, `usr/share/zoneinfo/…` and `tmp/`.
pub fn runtime_files(planner: Planner<'_>) -> Output {
    let args = Invocation::RuntimeFiles {
        directory: OUTPUT_DIR.to_string(),
    }
    .command_line();
    let root = builder_image(planner);
    let mut step = OfflineGoStep::new(planner, args, &[], Root::ReadOnly(&root)).without_tmp();
    gostage_binary::mount(planner, step.exec());
    let output = step.exec().writable(OUTPUT_DIR, None);
    step.build("gather CA bundle, zoneinfo and /tmp")
        .output(output)
}
