//! The end of `up`: a hand-written multi-stage Dockerfile (FROM golang:1.23 … FROM scratch)
//! built on both daemons and run, so a broken mirror or daemon shows up here, not in a test.

use crate::buildkitd::dockerfile_build;
use crate::cmd;
use crate::config::{scratch_dir, BUILDX_BUILDER, REGISTRY};
use crate::docker_engine;
use crate::report::{Outcome, Report};
use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;
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
    let out = cmd::output(Command::new("docker").args(["run", "--rm", image]))?;
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

pub fn run(report: &mut Report) -> Result<()> {
    let dir = scratch_dir("verify");
    stage(&dir)?;
    let dir = dir.to_str().unwrap().to_string();

    timed(report, "docker engine build", || {
        // A pull of the docker.io name goes through the mirror even when the image is local.
        cmd::output(Command::new("docker").args(["pull", "-q", "golang:1.23"]))?;
        let tag = "gostage-verify:engine";
        cmd::output(docker_engine::build_command().args(["-t", tag, &dir]))?;
        run_image(tag)
    })?;

    timed(report, "buildkitd build (buildctl)", || {
        let image = format!("{REGISTRY}/gostage-verify:buildkitd");
        cmd::output(
            dockerfile_build(&dir, &dir)
                .args(["--output", &format!("type=image,name={image},push=true")]),
        )?;
        cmd::output(Command::new("docker").args(["pull", "-q", &image]))?;
        run_image(&image)
    })?;

    timed(report, "buildkitd build (buildx remote)", || {
        let image = format!("{REGISTRY}/gostage-verify:buildx");
        cmd::output(Command::new("docker").args([
            "buildx",
            "build",
            "--builder",
            BUILDX_BUILDER,
            "--progress=plain",
            "--output",
            &format!("type=image,name={image},push=true"),
            &dir,
        ]))?;
        cmd::output(Command::new("docker").args(["pull", "-q", &image]))?;
        run_image(&image)
    })
}
