//! The CI recipes of docs/ci.md that can run here, on buildkitd through the buildx `remote`
//! builder:
//! - examples/monorepo/docker-bake.hcl: one `docker buildx bake` builds both services' images
//!   and runs both services' tests, with the frontend pinned by digest through the bake file's
//!   BUILDKIT_SYNTAX build-arg; the images run and print their text, the test reports are
//!   written;
//! - the cache round trip on an empty runner with `type=local` caches: a build exports its
//!   cache (`mode=max`), the daemon forgets everything, main.go changes, and the next build
//!   imports the cache: `go mod download` is CACHED, the compile runs, the image serves.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build_opts, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::progress;
use gostage_support::build_command::{buildctl, Progress};
use gostage_support::cmd;
use gostage_support::config::{BUILDX_BUILDER, FRONTEND_IMAGE, REGISTRY};
use gostage_support::container::Container;
use gostage_support::go::goproxy;
use gostage_support::registry;
use gostage_support::temporary;
use std::path::Path;
use std::process::Command;

/// The services of examples/monorepo, each with the text its image prints.
const SERVICES: [(&str, &str); 2] = [
    ("svc-a", "svc-a: hello from the shared library"),
    ("svc-b", "svc-b: hello from the shared library"),
];

/// `myorg/gostage@sha256:…`: the frontend image the tests built (its `latest` tag in the
/// registry, which is the daemons' docker.io mirror), pinned by digest.
fn pinned_frontend() -> Result<String> {
    let latest = registry::image(FRONTEND_IMAGE, "latest");
    let manifest = registry::manifest(&latest)?
        .with_context(|| format!("{latest} is not in the registry: run cargo xtask image"))?;
    Ok(format!("{FRONTEND_IMAGE}@{}", manifest.digest))
}

/// `gostage check --format github SPEC` run from the frontend image `frontend` on `context`
/// mounted at /src, as the GitHub Actions recipe runs it; the caller inspects the outcome.
fn check_in_a_container(frontend: &str, context: &Path, spec: &str) -> Result<cmd::Output> {
    let mount = format!("{}:/src", context.display());
    cmd::run_any(Command::new("docker").args([
        "run", "--rm", "-v", &mount, "-w", "/src", frontend, "check", "--format", "github", spec,
    ]))
}

#[test]
fn bake_builds_both_services_and_their_tests_with_a_pinned_frontend() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("monorepo")?;
    let frontend = pinned_frontend()?;
    // The bake file tags each image REGISTRY/<service>:TAG.
    let image = |service: &str| format!("{REGISTRY}/e2e/bake/{service}:buildx");
    let mut bake = Command::new("docker");
    bake.current_dir(&copy.path)
        .env("GOSTAGE_FRONTEND", &frontend)
        .env("REGISTRY", format!("{REGISTRY}/e2e/bake"))
        .env("TAG", "buildx")
        .args([
            "buildx",
            "bake",
            "--builder",
            BUILDX_BUILDER,
            "--progress=plain",
        ])
        .args(["-f", "docker-bake.hcl"])
        .args(["--set", "*.platform=linux/amd64"])
        .args(["--set", &format!("*.args.GOPROXY={}", goproxy()?)]);
    for (service, _) in SERVICES {
        bake.args(["--set", &format!("{service}.output=type=image,push=true")]);
    }
    let baked = cmd::run(bake.args(["default", "test"]))?;
    // The Dockerfile frontend resolved the pinned image instead of the `# syntax=` line's.
    ensure!(
        baked.combined().contains(&frontend),
        "the bake did not run the pinned frontend {frontend}\n{}",
        baked.describe()
    );

    for (service, text) in SERVICES {
        let image = image(service);
        cmd::docker(&["pull", "-q", &image])?;
        let printed = cmd::docker(&["run", "--rm", &image])?;
        ensure!(
            printed == text,
            "{image} printed {printed:?}, want {text:?}"
        );
        let reports = copy.path.join("test-reports").join(service);
        let events = std::fs::read_to_string(reports.join("test-report.json"))
            .with_context(|| format!("reading the test report in {}", reports.display()))?;
        ensure!(
            events
                .lines()
                .any(|line| line.contains("\"Action\":\"pass\"")
                    || line.contains("\"Action\":\"skip\"")),
            "{service}'s test-report.json holds no pass or skip event:\n{events}"
        );
    }
    // svc-a has a test (svc-a/main_test.go): its report says it passed.
    let svc_a = std::fs::read_to_string(copy.path.join("test-reports/svc-a/test-report.json"))?;
    ensure!(
        svc_a
            .lines()
            .any(|line| line.contains("\"Action\":\"pass\"")
                && line.contains("\"Test\":\"TestPrintsTheSharedLibrarysText\"")),
        "svc-a's test did not pass:\n{svc_a}"
    );

    // The recipes' check step: the frontend image as the CLI, with GitHub annotations.
    let frontend_in_registry = format!("{REGISTRY}/{frontend}");
    let clean = check_in_a_container(&frontend_in_registry, &copy.path, "svc-b.gostage.yaml")?;
    ensure!(
        clean.success() && clean.stdout.is_empty(),
        "checking svc-b.gostage.yaml found problems\n{}",
        clean.describe()
    );
    copy.append("svc-a.gostage.yaml", "image:\n  ports: [8080, 8080]\n")?;
    let found = check_in_a_container(&frontend_in_registry, &copy.path, "svc-a.gostage.yaml")?;
    ensure!(
        !found.success()
            && found
                .stdout
                .starts_with("::warning file=svc-a.gostage.yaml,line=")
            && found.stdout.contains("title=DuplicatePort::"),
        "the duplicated port is not a DuplicatePort annotation on svc-a.gostage.yaml\n{}",
        found.describe()
    );
    Ok(())
}

#[test]
fn local_cache_round_trip_downloads_no_module_on_an_empty_daemon() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let name = "ci-local-cache";
    let copy = TempCopy::of_example("uuid-service")?;
    let cache = temporary::directory("gostage-e2e-ci-cache")?;
    let first = Options {
        export_cache: Some(format!(
            "type=local,dest={},mode=max",
            cache.path().display()
        )),
        ..Options::default()
    };
    build_opts(Daemon::BuildxRemote, &copy.path, SPEC, name, &first)?;

    // A fresh runner: no build cache, no cache mounts, no images.
    cmd::run(buildctl().args(["prune", "--all"]))?;
    // The compile must run again: an edit no earlier run made (the daemon outlives tests).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    copy.append(
        "cmd/uuid-service/main.go",
        &format!(
            "\n// edited by the CI recipe's cache round trip at {}\n",
            now.as_nanos()
        ),
    )?;
    let second = Options {
        import_cache: Some(format!("type=local,src={}", cache.path().display())),
        progress: Progress::RawJson,
        ..Options::default()
    };
    let built = build_opts(Daemon::BuildxRemote, &copy.path, SPEC, name, &second)?;
    let vertices = progress::vertices_rawjson(&built.log);
    progress::ensure_cached(&vertices, "go mod download", "importing the local cache")?;
    progress::ensure_ran(
        &vertices,
        "go build ./cmd/uuid-service",
        "after main.go changed",
    )?;
    cmd::docker(&["pull", "-q", &built.image])?;
    Container::start(&built.image, 8080)?.ensure_healthy()
}
