//! Both examples build through their `# syntax=myorg/gostage` line on every daemon path, and
//! the resulting containers serve.

use anyhow::{bail, Context, Result};
use gostage_e2e::build::{build, Daemon};
use gostage_e2e::enabled;
use gostage_support::config::example;
use gostage_support::container::Container;

fn build_and_check_health(name: &str, daemon: Daemon) -> Result<Container> {
    let built = build(daemon, &example(name), name)?;
    let container = Container::start(&built.image, 8080)
        .with_context(|| format!("running {name} built on {daemon}"))?;
    let health = container.get("/health")?;
    if health.trim() != "ok" {
        bail!("{name} built on {daemon}: /health answered {health:?}, expected \"ok\"");
    }
    Ok(container)
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn hello(daemon: Daemon) -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let container = build_and_check_health("hello", daemon)?;
    let greeting = container.get("/")?;
    if !greeting.contains("hello from gostage") {
        bail!("hello built on {daemon}: / answered {greeting:?}");
    }
    Ok(())
}

fn uuid_service(daemon: Daemon) -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let container = build_and_check_health("uuid-service", daemon)?;
    let uuid = container.get("/uuid")?;
    if !is_uuid(uuid.trim()) {
        bail!("uuid-service built on {daemon}: /uuid answered {uuid:?}, expected a UUID");
    }
    Ok(())
}

#[test]
fn hello_on_docker_engine() -> Result<()> {
    hello(Daemon::Engine)
}

#[test]
fn hello_on_buildkitd_via_buildctl() -> Result<()> {
    hello(Daemon::Buildctl)
}

#[test]
fn hello_on_buildkitd_via_buildx_remote() -> Result<()> {
    hello(Daemon::BuildxRemote)
}

#[test]
fn uuid_service_on_docker_engine() -> Result<()> {
    uuid_service(Daemon::Engine)
}

#[test]
fn uuid_service_on_buildkitd_via_buildctl() -> Result<()> {
    uuid_service(Daemon::Buildctl)
}

#[test]
fn uuid_service_on_buildkitd_via_buildx_remote() -> Result<()> {
    uuid_service(Daemon::BuildxRemote)
}

#[test]
fn uuid_check() {
    assert!(is_uuid("0b0cbd3e-7b0f-4a4e-9a53-3c1b1f0c2d7e"));
    assert!(!is_uuid("ok"));
}
