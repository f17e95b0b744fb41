//! The SBOM stage: an SPDX document made from the Go build information embedded in each
//! binary (module path, version and go.sum hash of every dependency, the Go toolchain), by
//! `assets/sbom.go` in the builder. Attached as an in-toto attestation when the client asks
//! for SBOMs, so BuildKit skips its own image scanner (`frontend/attestations/sbom`, `HasSBOM`).

use super::go_program::{self, OUTPUT_DIR};
use super::Planner;
use crate::llb::Output;
use crate::vocabulary::{rfc3339, Platform};

/// Path of the document in the SBOM result.
pub const SBOM_PATH: &str = "/sbom.spdx.json";

/// in-toto predicate type of an SPDX document (BuildKit `intoto.PredicateSPDX`).
pub const SPDX_PREDICATE_TYPE: &str = "https://spdx.dev/Document";

const PROGRAM: &str = include_str!("assets/sbom.go");

/// A filesystem holding only [`SBOM_PATH`], describing the binaries of `binaries_tree`
/// (a tree with each binary at `/<name>`), created at `SOURCE_DATE_EPOCH` (else 1970).
pub fn document(
    input: Planner<'_>,
    binaries_tree: &Output,
    names: &[String],
    platform: &Platform,
) -> Output {
    let created = rfc3339(input.request.source_date_epoch.unwrap_or(0));
    let mut arguments = vec![format!("{OUTPUT_DIR}{SBOM_PATH}"), created];
    arguments.extend(names.iter().map(|name| format!("/in/{name}")));
    let name = format!("SBOM of {} ({platform})", names.join(", "));
    go_program::run(
        input,
        "sbom.go",
        PROGRAM,
        &arguments,
        &[("/in", binaries_tree)],
        &name,
    )
}
