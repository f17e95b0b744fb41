//! The healthcheck: for `image.healthcheck.http`, gostage's probe program
//! (`assets/healthcheck.go`, standard library only, no shell needed) compiled for each target
//! platform and put in the image (`go_program` says why it is Go); and the `Healthcheck` the
//! image config says.

use super::go_program;
use super::{PlanError, Planner};
use crate::llb::Output;
use crate::spec::{Healthcheck as SpecHealthcheck, Probe};
use crate::vocabulary::{Diagnostic, Healthcheck, Platform, ResolvedImage};

/// Where the probe is in the image: outside `PATH`, so it never shadows a program of the user.
pub const PROBE_PATH: &str = "/usr/local/lib/gostage/healthcheck";

const PROGRAM: &str = include_str!("assets/healthcheck.go");

/// A filesystem holding only the probe at [`PROBE_PATH`], built for `platform`, when the spec
/// asks for an `http` healthcheck; `None` otherwise.
///
/// One step per platform, which depends on the builder image and the probe's source only, so
/// it stays cached when the module changes; it runs side by side with `go build`.
///
/// Errors: a target platform other than Linux (the probe uses Linux system calls), at the
/// `http` line; a platform Go cannot build for.
pub fn probe(planner: Planner<'_>, platform: &Platform) -> Result<Option<Output>, PlanError> {
    let Some(healthcheck) = &planner.spec.image.healthcheck else {
        return Ok(None);
    };
    let Probe::Http(url) = &healthcheck.value.probe else {
        return Ok(None);
    };
    if platform.os != "linux" {
        return Err(PlanError::Spec(
            Diagnostic::new(
                url.span,
                format!(
                    "`image.healthcheck.http` needs a Linux image, and {platform} is not one: \
                     gostage's probe runs on Linux only"
                ),
            )
            .with_help("use `cmd` with a probe of your own for this platform"),
        ));
    }
    go_program::compile(
        planner,
        "healthcheck.go",
        PROGRAM,
        platform,
        PROBE_PATH,
        &format!("go build healthcheck probe ({platform})"),
    )
    .map(Some)
    .map_err(|problem| PlanError::BuildPlatform {
        platform: platform.clone(),
        problem,
    })
}

/// The image config's `Healthcheck`: the spec's (`http` runs [`PROBE_PATH`] with the URL,
/// `cmd` runs the command, both exec form `CMD`), else the base image's, else none.
pub fn config(
    healthcheck: Option<&SpecHealthcheck>,
    base: Option<&ResolvedImage>,
) -> Option<Healthcheck> {
    let Some(healthcheck) = healthcheck else {
        return base.and_then(|image| image.healthcheck.clone());
    };
    let mut test = vec!["CMD".to_string()];
    match &healthcheck.probe {
        Probe::Http(url) => test.extend([PROBE_PATH.to_string(), url.value.clone()]),
        Probe::Command(command) => test.extend(command.iter().cloned()),
    }
    Some(Healthcheck {
        test,
        interval: healthcheck.interval,
        timeout: healthcheck.timeout,
        start_period: healthcheck.start_period,
        retries: healthcheck.retries,
    })
}

#[cfg(test)]
mod tests;
