//! A vendored module builds from `vendor/` alone: no `go mod download` step, and the build
//! succeeds with the module proxy switched off (GOPROXY=off).

use std::process::Command;

use anyhow::{bail, ensure, Result};
use gostage_e2e::build::{build_opts, Daemon, Options, SPEC};
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::{enabled, progress};
use gostage_support::cmd;
use gostage_support::container::Container;

#[test]
fn vendored_module_builds_without_the_module_proxy() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("uuid-service")?;
    cmd::run(
        Command::new("go")
            .args(["mod", "vendor"])
            .current_dir(&copy.path),
    )?;
    ensure!(
        copy.read("vendor/modules.txt")?
            .contains("github.com/google/uuid v1.6.0"),
        "go mod vendor did not vendor github.com/google/uuid"
    );
    let options = Options::default().build_arg("GOPROXY", "off");
    let built = build_opts(
        Daemon::Buildctl,
        &copy.path,
        SPEC,
        "uuid-vendored",
        &options,
    )?;
    let vertices = progress::vertices(&built.log);
    ensure!(
        progress::named(&vertices, "go mod download").is_empty(),
        "a vendored build ran go mod download\n{}",
        built.log
    );
    cmd::docker(&["pull", "-q", &built.image])?;
    let container = Container::start(&built.image, 8080)?;
    let uuid = container.get("/uuid")?;
    if uuid.trim().len() != 36 {
        bail!("the vendored uuid-service answered {uuid:?} on /uuid");
    }
    Ok(())
}
