//! The end of `up`: a hand-written multi-stage Dockerfile (FROM golang:1.23 … FROM scratch)
//! built on both daemons and run, so a broken mirror or daemon shows up here, not in a test.

use crate::config::scratch_dir;
use crate::report::{Outcome, Report};
use anyhow::{bail, Result};
use gostage_support::build_command::{buildctl_dockerfile, buildx_remote, engine, Progress};
use gostage_support::cmd;
use gostage_support::config::REGISTRY;
use std::path::Path;
use std::time::Instant;

const GREETING: &str = "gostage verify ok";

const DOCKERFILE: &str = "FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod main.go ./
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/verify . && go version
FROM scratch
COPY --from=build /out/verify /verify
ENTRYPOINT [\"/verify\"]
";

fn stage(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE)?;
    std::fs::write(dir.join("go.mod"), "module example.com/verify\n\ngo 1.23\n")?;
    std::fs::write(
        dir.join("main.go"),
        format!(
            "package main\n\nimport \"fmt\"\n\nfunc main() {{ fmt.Println(\"{GREETING}\") }}\n"
        ),
    )?;
    Ok(())
}

/// Runs `image` in the Engine and checks that it prints the greeting.
fn run_image(image: &str) -> Result<()> {
    let out = cmd::docker(&["run", "--rm", image])?;
    if !out.contains(GREETING) {
        bail!("{image} printed {out:?}, expected {GREETING:?}");
    }
    Ok(())
}

fn timed(report: &mut Report, what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let start = Instant::now();
    f().map_err(|e| e.context(format!("verification failed: {what}")))?;
    report.add(
        what,
        Outcome::Verified,
        format!("in {:.1}s", start.elapsed().as_secs_f64()),
    );
    Ok(())
}

/// Builds the hand-written Dockerfile on the Engine, on buildkitd through buildctl and through
/// the buildx remote builder, and runs each image.
pub fn run(report: &mut Report) -> Result<()> {
    let dir = scratch_dir("verify");
    stage(&dir)?;

    timed(report, "docker engine build", || {
        // A pull of the docker.io name goes through the mirror even when the image is local.
        cmd::docker(&["pull", "-q", "golang:1.23"])?;
        let tag = "gostage-verify:engine";
        cmd::output(engine(Progress::Plain).args(["-t", tag]).arg(&dir))?;
        run_image(tag)
    })?;

    timed(report, "buildkitd build (buildctl)", || {
        let image = format!("{REGISTRY}/gostage-verify:buildkitd");
        cmd::output(
            buildctl_dockerfile(Progress::Plain, &dir, &dir)
                .args(["--output", &format!("type=image,name={image},push=true")]),
        )?;
        cmd::docker(&["pull", "-q", &image])?;
        run_image(&image)
    })?;

    timed(report, "buildkitd build (buildx remote)", || {
        let image = format!("{REGISTRY}/gostage-verify:buildx");
        cmd::output(
            buildx_remote(Progress::Plain)
                .args(["--output", &format!("type=image,name={image},push=true")])
                .arg(&dir),
        )?;
        cmd::docker(&["pull", "-q", &image])?;
        run_image(&image)
    })
}
