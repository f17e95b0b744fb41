//! The stand-in for `docker/dockerfile:1`, the Dockerfile frontend image that a
//! `# syntax=docker/dockerfile:1` line makes BuildKit run (as the blog-post Dockerfiles and the
//! bench's Dockerfiles start): BuildKit's own `frontend/dockerfile/cmd/dockerfile-frontend` at
//! the daemon's version, built from the module source through GOPROXY, static, FROM scratch,
//! pushed as 127.0.0.1:5000/docker/dockerfile:1 so the daemons find it through the docker.io
//! mirror. With it, the bench compares gostage with a Dockerfile through the same gateway
//! mechanism (a frontend container per build).

use crate::buildkitd;
use crate::config::{staging_dir, BUILDKIT_VERSION};
use crate::report::{Outcome, Report};
use anyhow::Result;
use gostage_support::build_command::{engine, Progress};
use gostage_support::config::REGISTRY;
use gostage_support::{cmd, registry};
use std::process::Command;

const REPO: &str = "docker/dockerfile";
const TAG: &str = "1";
/// The label that records which BuildKit release the image was built from.
const VERSION_LABEL: &str = "org.opencontainers.image.version";

/// Reuses the image when the registry has it at [`BUILDKIT_VERSION`], else builds and pushes it.
pub fn ensure(report: &mut Report) -> Result<()> {
    let image = format!("{REPO}:{TAG}");
    let current = registry::config(&registry::image(REPO, TAG))?
        .and_then(|config| registry::label(&config, VERSION_LABEL).map(str::to_string));
    if current.as_deref() == Some(BUILDKIT_VERSION) {
        report.add("docker/dockerfile stand-in", Outcome::Reused, image);
        return Ok(());
    }
    let source = buildkitd::module_source()?;
    let staging = staging_dir("dockerfile-frontend-image")?;
    let dir = staging.path();
    cmd::run_inherit(
        Command::new("go")
            .current_dir(&source)
            .env("GOFLAGS", "-mod=mod -buildvcs=false")
            .env("CGO_ENABLED", "0")
            .args(["build", "-trimpath", "-ldflags", "-s -w", "-o"])
            .arg(dir.join("dockerfile-frontend"))
            .arg("./frontend/dockerfile/cmd/dockerfile-frontend"),
    )?;
    // What the official image declares: no network, and the caps it implements.
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM scratch\n\
             COPY dockerfile-frontend /bin/dockerfile-frontend\n\
             LABEL moby.buildkit.frontend.network.none=\"true\" \\\n      \
             moby.buildkit.frontend.caps=\"moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts\" \\\n      \
             {VERSION_LABEL}=\"{BUILDKIT_VERSION}\"\n\
             ENTRYPOINT [\"/bin/dockerfile-frontend\"]\n"
        ),
    )?;
    let tagged = format!("{REGISTRY}/{image}");
    cmd::output(engine(Progress::Plain).args(["-t", &tagged]).arg(dir))?;
    cmd::docker(&["push", &tagged])?;
    drop(staging);
    report.add(
        "docker/dockerfile stand-in",
        Outcome::Installed,
        format!("{image} (BuildKit {BUILDKIT_VERSION}'s dockerfile-frontend)"),
    );
    Ok(())
}
