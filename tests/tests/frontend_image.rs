//! The frontend image built the way README tells users to: `docker buildx build -f
//! Dockerfile.frontend` on buildkitd (from the `rust:1-bookworm` stand-in `cargo xtask up`
//! makes from the host toolchain), pushed under a second name, then used through
//! `# syntax=` to build examples/hello, whose image serves. Its size and labels are checked.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build, Daemon, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_support::build_command::{buildx_remote, Progress};
use gostage_support::cmd;
use gostage_support::config::{workspace_root, REGISTRY};
use gostage_support::container::Container;
use gostage_support::registry;
use oci_spec::image::{Arch, Descriptor, ImageManifest, Os};

/// The most the image may weigh: its layers as pushed (compressed), in bytes.
const MAX_IMAGE_BYTES: u64 = 5 << 20;

/// The frontend image's repository in the registry (a second name beside myorg/gostage).
const RELEASE_REPO: &str = "myorg/gostage-release";

/// The single-platform image manifest of `reference` (the linux/amd64 one of an index).
fn image_manifest(reference: &str) -> Result<ImageManifest> {
    let manifest = registry::manifest(reference)?.context("the release image was not pushed")?;
    let Some(index) = manifest.index() else {
        return manifest
            .image()
            .cloned()
            .context("the release image is neither an index nor an image");
    };
    let digest = registry::find_image(index, &Os::Linux, &Arch::Amd64)
        .context("the index has no linux/amd64 image")?
        .digest()
        .to_string();
    let repository = reference
        .rsplit_once(':')
        .map_or(reference, |(repository, _)| repository);
    registry::manifest(&format!("{repository}@{digest}"))?
        .context("the amd64 manifest is missing")?
        .image()
        .cloned()
        .context("the amd64 entry of the index is an index")
}

#[test]
fn the_release_recipe_builds_a_small_frontend_that_builds_hello() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let version = env!("CARGO_PKG_VERSION");
    let pushed = format!("{REGISTRY}/{RELEASE_REPO}:{version}");
    let out = cmd::run_any(
        buildx_remote(Progress::Plain)
            .args(["-f", "Dockerfile.frontend", "--platform", "linux/amd64"])
            .args(["--build-arg", &format!("VERSION={version}")])
            .args(["-t", &pushed, "--push", "."])
            .current_dir(workspace_root()),
    )?;
    ensure!(
        out.success(),
        "building Dockerfile.frontend failed\n{}",
        out.describe()
    );

    let manifest = image_manifest(&pushed)?;
    let size: u64 = manifest.layers().iter().map(Descriptor::size).sum();
    println!("frontend image {pushed}: {size} bytes of layers");
    ensure!(
        size <= MAX_IMAGE_BYTES,
        "the frontend image weighs {size} bytes, more than {MAX_IMAGE_BYTES}"
    );
    let config = registry::config(&pushed)?.context("the release image has no config")?;
    let caps = registry::label(&config, "moby.buildkit.frontend.caps");
    ensure!(
        caps == Some(gostage::subrequests::FRONTEND_CAPS.join(",").as_str()),
        "caps label {caps:?} is not what gostage implements"
    );
    ensure!(
        registry::label(&config, "moby.buildkit.frontend.network.none") == Some("true"),
        "the network.none label is missing: {config}"
    );
    let version_label = registry::label(&config, "org.opencontainers.image.version");
    ensure!(
        version_label == Some(version),
        "version label {version_label:?} is not {version}"
    );

    // Through `# syntax=` with the name users write (docker.io, mirrored by the registry).
    let copy = TempCopy::of_example("hello")?;
    let spec = copy.read(SPEC)?;
    let rest = spec.split_once('\n').map_or("", |(_, rest)| rest);
    copy.write(SPEC, &format!("# syntax={RELEASE_REPO}:{version}\n{rest}"))?;
    let built = build(Daemon::BuildxRemote, &copy.path, "release-frontend")?;
    ensure!(
        built.log.contains(RELEASE_REPO),
        "the build did not run the release frontend\n{}",
        built.log
    );
    let container = Container::start(&built.image, 8080)?;
    let greeting = container.get("/")?;
    ensure!(
        greeting.contains("hello from gostage"),
        "hello built by the release frontend answered {greeting:?}"
    );
    Ok(())
}
