//! What the gateway checks in each platform's solved result ([`crate::verify`]).

use super::{Planner, BINARY_DIR};
use crate::verify::{entrypoint_candidates, ExpectedBinary, ExpectedEntrypoint, Verification};
use crate::vocabulary::{ImageSettings, Platform};

/// The checks of one platform: every binary at `directory` (`/usr/local/bin` in an image,
/// `/` for the binary target); static where it runs without a C library (an image on a base
/// without one, or without cgo the binary target, which gostage always links statically),
/// else with its program interpreter in the image when it is dynamically linked; and the
/// entrypoint of `settings` when the result is an image.
pub fn expect(
    planner: Planner<'_>,
    platform: &Platform,
    names: &[String],
    settings: Option<&ImageSettings>,
) -> Verification {
    let spec = planner.spec;
    let cgo = spec.build.cgo;
    let must_be_static = spec.image.base.is_static() || (!cgo && settings.is_none());
    let interpreter_in_result = settings.is_some() && !must_be_static;
    let directory = match settings {
        Some(_) => BINARY_DIR,
        None => "",
    };
    let binaries = spec
        .binaries
        .iter()
        .zip(names)
        .map(|(binary, name)| ExpectedBinary {
            path: format!("{directory}/{name}"),
            platform: platform.clone(),
            must_be_static,
            interpreter_in_result,
            cgo,
            span: binary.main.span,
        })
        .collect();
    let entrypoint = settings.and_then(|settings| {
        let program = settings.entrypoint.first()?;
        let path = settings
            .env
            .iter()
            .find(|(key, _)| key == "PATH")
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        let span = match (&spec.image.entrypoint, spec.binaries.first()) {
            (None, Some(first)) => first.main.span,
            _ => spec.span,
        };
        Some(ExpectedEntrypoint {
            candidates: entrypoint_candidates(program, path),
            written: program.clone(),
            span,
        })
    });
    Verification {
        binaries,
        entrypoint,
    }
}
