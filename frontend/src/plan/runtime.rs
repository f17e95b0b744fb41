//! Files a static Go program needs at run time, gathered in the builder: the CA bundle,
//! the time zone database and a sticky `/tmp` (see `assets/runtime_files.go`).

use super::go_program::{self, OUTPUT_DIR};
use super::Planner;
use crate::llb::Output;

/// The Go program that gathers the files; standard library only.
const PROGRAM: &str = include_str!("assets/runtime_files.go");

/// A filesystem with `etc/ssl/certs/ca-certificates.crt`, `usr/share/zoneinfo/…` and `tmp/`.
pub fn runtime_files(input: Planner<'_>) -> Output {
    let arguments = [OUTPUT_DIR.to_string()];
    go_program::run(
        input,
        "runtime_files.go",
        PROGRAM,
        &arguments,
        &[],
        "gather CA bundle, zoneinfo and /tmp",
    )
}
