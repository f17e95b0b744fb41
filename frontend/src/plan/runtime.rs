//! Files a static Go program needs at run time, gathered in the builder by
//! `gostage runtime-files` (module `step`): the CA bundle, the time zone database and a sticky
//! `/tmp`. Nothing is compiled, so the step takes well under a second and no compile waits
//! for it.

use super::deps::builder_image;
use super::environment::offline_builder_env;
use super::{gostage_binary, Planner};
use crate::llb::{Exec, Network, Output};

/// Where the step writes the files; the returned filesystem.
const OUTPUT_DIR: &str = "/out";

/// A filesystem with `etc/ssl/certs/ca-certificates.crt`, `usr/share/zoneinfo/…` and `tmp/`.
pub fn runtime_files(planner: Planner<'_>) -> Output {
    let args = gostage_binary::command("runtime-files", [OUTPUT_DIR.to_string()]);
    let mut exec = Exec::new(args)
        .env(offline_builder_env(planner.builder, planner.request, &[]))
        .network(Network::None);
    exec.readonly("/", &builder_image(planner));
    gostage_binary::mount(planner, &mut exec);
    let output = exec.writable(OUTPUT_DIR, None);
    exec.build(
        &planner.on_build_platform(),
        "gather CA bundle, zoneinfo and /tmp",
    )
    .output(output)
}
