//! What the gateway checks in each platform's solved result ([`crate::verify`]).

use super::{Planner, BINARY_DIR};
use crate::spec::{Base, DISTROLESS};
use crate::verify::{entrypoint_candidates, ExpectedBinary, ExpectedEntrypoint, Verification};
use crate::vocabulary::{ImageSettings, Platform};

/// The checks of one platform: every binary at `directory` (`/usr/local/bin` in an image,
/// `/` for the binary target), static unless the base image may bring a C library, and the
/// entrypoint of `settings` when the result is an image.
pub fn expect(
    planner: Planner<'_>,
    platform: &Platform,
    names: &[String],
    settings: Option<&ImageSettings>,
) -> Verification {
    let spec = planner.spec;
    // scratch and distroless static have no C library; any other base may.
    let must_be_static = match (&spec.image.base, settings) {
        (_, None) | (Base::Scratch, _) => true,
        (Base::Image(base), Some(_)) => base.value.written == DISTROLESS,
    };
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
