//! The SBOM stage: an SPDX document made from the Go build information embedded in each
//! binary (module path, version and go.sum hash of every dependency, the Go toolchain), by
//! `gostage sbom` (module `step::sbom`). Attached as an in-toto attestation when the client
//! asks for SBOMs, so BuildKit skips its own image scanner (`frontend/attestations/sbom`,
//! `HasSBOM`).

use super::{gostage_binary, Planner};
use crate::llb::{Exec, Network, Output};
use crate::step_contract::{Invocation, OUTPUT_DIR, SBOM_INPUT_DIR};
use crate::vocabulary::{rfc3339, Platform};

/// Path of the document in the SBOM result.
pub const SBOM_PATH: &str = "/sbom.spdx.json";

/// in-toto predicate type of an SPDX document (BuildKit `intoto.PredicateSPDX`).
pub const SPDX_PREDICATE_TYPE: &str = "https://spdx.dev/Document";

/// A filesystem holding only [`SBOM_PATH`], describing the binaries of `binaries_tree`
/// (a tree with each binary at `/<name>`), created at `SOURCE_DATE_EPOCH` (else 1970).
///
/// The step's root is an empty filesystem with only the frontend image mounted: gostage
/// reads the binaries' build information itself (no Go, no shell, nothing of the builder),
/// so the step needs no builder snapshot and no compile of a helper, and its cache key is
/// the binaries and the frontend image alone. No network.
pub fn document(
    input: Planner<'_>,
    binaries_tree: &Output,
    names: &[String],
    platform: &Platform,
) -> Output {
    let args = Invocation::Sbom {
        output: format!("{OUTPUT_DIR}{SBOM_PATH}"),
        created: rfc3339(input.request.source_date_epoch.unwrap_or(0)),
        binaries: names
            .iter()
            .map(|name| format!("{SBOM_INPUT_DIR}/{name}"))
            .collect(),
    }
    .command_line();
    let mut exec = Exec::new(args).network(Network::None);
    // Writable, as the daemon creates the other mounts' mount points in it; nothing reads it.
    exec.writable("/", None);
    gostage_binary::mount(input, &mut exec);
    exec.readonly(SBOM_INPUT_DIR, binaries_tree);
    let output = exec.writable(OUTPUT_DIR, None);
    let name = format!("SBOM of {} ({platform})", names.join(", "));
    exec.build(&input.on_build_platform(), &name).output(output)
}

#[cfg(test)]
mod tests;
