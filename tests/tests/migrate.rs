//! `gostage init --from Dockerfile` end to end, on Docker Engine 20.10: examples/hello's
//! multi-stage Dockerfile, written as blog posts write it, is built as it is; its conversion
//! is built through the frontend; the two images expose the same ports, run as a non-root
//! user, serve from their entrypoint, and carry the same healthcheck timing — and the
//! converted one becomes `healthy` FROM scratch, where the Dockerfile's `wget` probe cannot run.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use gostage::cli::init::init_from_dockerfile;
use gostage_e2e::build::{build_file, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_support::cmd;
use gostage_support::container::Container;
use gostage_support::wait::wait_until;
use serde_json::Value;

/// examples/hello as a team would have containerised it by hand.
const DOCKERFILE: &str = r#"FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/hello .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/hello /hello
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=2s --timeout=1s --retries=2 CMD wget -qO- http://localhost:8080/health || exit 1
ENTRYPOINT ["/hello"]
"#;

/// The image config of a local image (`docker image inspect`), as JSON.
fn config(image: &str) -> Result<Value> {
    let text = cmd::docker(&["image", "inspect", "--format", "{{json .Config}}", image])?;
    serde_json::from_str(&text)
        .with_context(|| format!("the config of {image} is not JSON: {text}"))
}

/// The numeric user id of a config's `User` (`65532:65532` → 65532).
fn uid(config: &Value) -> Option<u32> {
    config["User"].as_str()?.split(':').next()?.parse().ok()
}

#[test]
fn a_converted_dockerfile_builds_an_image_that_matches_the_hand_written_one() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("hello")?;
    std::fs::remove_file(copy.path.join(SPEC)).context("removing the example's gostage.yaml")?;
    copy.write("Dockerfile", DOCKERFILE)?;
    let (written, report) =
        init_from_dockerfile(&copy.path, &copy.path.join("Dockerfile"), "myorg/gostage")?;
    ensure!(
        written == copy.path.join(SPEC),
        "wrote {}",
        written.display()
    );
    ensure!(
        report.contains("→ image.healthcheck.http: http://localhost:8080/health"),
        "the wget healthcheck was not carried over:\n{report}"
    );

    let by_hand = build_file(
        Daemon::Engine,
        &copy.path,
        "Dockerfile",
        "migrate-dockerfile",
    )?;
    let converted = build_file(Daemon::Engine, &copy.path, SPEC, "migrate-converted")?;
    let (hand, gostage) = (config(&by_hand.image)?, config(&converted.image)?);

    ensure!(
        hand["ExposedPorts"] == gostage["ExposedPorts"],
        "ports differ: Dockerfile {} against gostage {}",
        hand["ExposedPorts"],
        gostage["ExposedPorts"]
    );
    for (what, config) in [("Dockerfile", &hand), ("gostage", &gostage)] {
        ensure!(
            uid(config).is_some_and(|uid| uid != 0),
            "the {what} image does not run as a non-root user: {}",
            config["User"]
        );
    }
    for field in ["Interval", "Timeout", "Retries"] {
        ensure!(
            hand["Healthcheck"][field] == gostage["Healthcheck"][field],
            "healthcheck {field} differs: Dockerfile {} against gostage {}",
            hand["Healthcheck"],
            gostage["Healthcheck"]
        );
    }
    // The entrypoint serves in both, with no arguments given.
    for image in [&by_hand.image, &converted.image] {
        Container::start(image, 8080)?.ensure_healthy()?;
    }
    // gostage's probe runs FROM scratch; the Dockerfile's `wget` cannot.
    let running = Container::start(&converted.image, 8080)?;
    let status = wait_until(
        "the converted image's container to become healthy",
        Duration::from_secs(60),
        Duration::from_millis(500),
        || {
            cmd::docker(&[
                "inspect",
                "--format",
                "{{.State.Health.Status}}",
                &running.id,
            ])
        },
        |status| status.trim() == "healthy",
    );
    ensure!(
        status.is_ok(),
        "the converted image never became healthy: {status:?}\n{}",
        running.diagnostics()
    );
    Ok(())
}
