//! Checks of the test harness itself on every daemon path, with a hand-written multi-stage
//! Dockerfile (no gostage involved): if these fail, the environment is broken, not the frontend.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build_file, build_file_oci, build_with, Daemon};
use gostage_e2e::enabled;
use gostage_e2e::image_fs::{ImageFs, Kind};
use gostage_e2e::progress;
use gostage_support::build_command::Progress;
use gostage_support::container::Container;
use gostage_support::elf;
use std::path::PathBuf;

const DOCKERFILE: &str = "FROM golang:1.23 AS build
ARG GOPROXY
WORKDIR /src
COPY go.mod main.go ./
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/selfcheck .
FROM scratch
COPY --from=build /out/selfcheck /usr/local/bin/selfcheck
USER 65532:65532
EXPOSE 8080
ENTRYPOINT [\"/usr/local/bin/selfcheck\"]
";

const MAIN: &str = r#"package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.ListenAndServe(":8080", nil)
}
"#;

/// A build context with the Dockerfile and the Go program (kept between runs: it is cached).
fn context() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join("gostage-e2e-harness-context");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE)?;
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/selfcheck\n\ngo 1.23\n",
    )?;
    std::fs::write(dir.join("main.go"), MAIN)?;
    Ok(dir)
}

fn check_fs(fs: &ImageFs, origin: &str) -> Result<()> {
    let binary = fs
        .get("usr/local/bin/selfcheck")
        .with_context(|| format!("{origin}: no /usr/local/bin/selfcheck in\n{}", fs.listing()))?;
    ensure!(
        binary.kind == Kind::File,
        "{origin}: selfcheck is {:?}",
        binary.kind
    );
    let info = elf::inspect(&binary.data)?;
    ensure!(
        info.is_static() && info.machine == 62,
        "{origin}: selfcheck is {info:?}"
    );
    ensure!(
        fs.runtime_config().user().as_deref() == Some("65532:65532"),
        "{origin}: config {}",
        fs.config
    );
    Ok(())
}

#[test]
fn every_daemon_builds_and_runs_a_dockerfile() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let dir = context()?;
    for daemon in Daemon::ALL {
        let built = build_file(daemon, &dir, "Dockerfile", "harness")?;
        let container = Container::start(&built.image, 8080)?;
        ensure!(
            container.get("/health")?.trim() == "ok",
            "{daemon}: /health did not answer ok"
        );
        check_fs(
            &ImageFs::from_docker(&built.image)?,
            &format!("{daemon}, docker save"),
        )?;
    }
    Ok(())
}

#[test]
fn oci_export_and_cache_detection() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let dir = context()?;
    let dest = dir.with_extension("oci.tar");
    let out = build_file_oci(&dir, "Dockerfile", &dest)?;
    let fs = ImageFs::from_archive(&dest);
    let _ = std::fs::remove_file(&dest);
    check_fs(&fs?, "buildkitd, OCI export")?;

    // Built just above: a second build must show every step CACHED.
    let again = build_file(Daemon::Buildctl, &dir, "Dockerfile", "harness")?;
    let vertices = progress::vertices(&again.log);
    let ran: Vec<_> = vertices
        .iter()
        .filter(|v| v.ran() && !v.always_runs())
        .collect();
    ensure!(
        ran.is_empty() && vertices.iter().any(|v| v.cached && v.name.contains("go build")),
        "a cached rebuild shows steps that ran: {ran:?}\nvertices:\n{}\n----- first build -----\n{}\n----- rebuild -----\n{}",
        progress::summary(&vertices),
        out.combined(),
        again.log
    );

    // The same judged from raw JSON progress (with the graph), as the caching tests do.
    let json = build_with(
        Daemon::Buildctl,
        &dir,
        "Dockerfile",
        "harness",
        Progress::RawJson,
    )?;
    let vertices = progress::vertices_rawjson(&json.log);
    let ran: Vec<_> = vertices
        .iter()
        .filter(|v| v.ran() && !v.always_runs())
        .collect();
    ensure!(
        ran.is_empty()
            && vertices
                .iter()
                .any(|v| v.cached && v.inputs > Some(0) && v.name.contains("go build")),
        "raw JSON progress: a cached rebuild shows steps that ran: {ran:?}\nvertices:\n{}",
        progress::summary(&vertices)
    );
    Ok(())
}
