//! Reproducible images: with SOURCE_DATE_EPOCH, the same sources give the same image digests,
//! even when the second build starts from an empty BuildKit cache.
//!
//! This test prunes buildkitd's whole cache (`buildctl prune --all`), so every build after it
//! starts cold: it lives in the last test file by name, so that within one `cargo xtask test`
//! only the builds after the prune (its own) pay for it.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build_opts, Built, Daemon, Options, SPEC};
use gostage_e2e::registry::Index;
use gostage_e2e::{enabled, progress};
use gostage_support::build_command::{buildctl, Progress};
use gostage_support::cmd;
use gostage_support::config::example;
use gostage_support::registry::label;
use std::collections::BTreeMap;

const PLATFORMS: [&str; 2] = ["linux/amd64", "linux/arm64"];
const EPOCH: u64 = 1_700_000_000;
/// EPOCH as RFC 3339.
const CREATED: &str = "2023-11-14T22:13:20Z";

fn build(name: &str, provenance: Option<bool>) -> Result<(Built, Index)> {
    let mut options =
        Options::platforms(&PLATFORMS).build_arg("SOURCE_DATE_EPOCH", &EPOCH.to_string());
    options.provenance = provenance;
    options.progress = Progress::RawJson;
    let built = build_opts(
        Daemon::BuildxRemote,
        &example("uuid-service"),
        SPEC,
        name,
        &options,
    )?;
    eprintln!(
        "{name}: uuid-service for {} built in {:.1}s",
        PLATFORMS.join(","),
        built.elapsed.as_secs_f64()
    );
    let index = Index::read(&built.image)
        .with_context(|| format!("reading {} from the registry", built.image))?;
    Ok((built, index))
}

/// platform → image manifest digest.
fn digests(index: &Index) -> BTreeMap<String, String> {
    index
        .images
        .iter()
        .map(|i| (i.platform.clone(), i.manifest.digest.clone()))
        .collect()
}

/// The epoch reached the config, the labels and every file of every layer.
fn check_epoch(index: &Index) -> Result<()> {
    for platform in PLATFORMS {
        let image = index.image(platform)?;
        let origin = format!("uuid-service ({platform}, SOURCE_DATE_EPOCH={EPOCH})");
        let created = image.config.created().as_deref();
        ensure!(
            created == Some(CREATED),
            "{origin}: config created is {created:?}, expected {CREATED}"
        );
        let label = label(&image.config, "org.opencontainers.image.created");
        ensure!(
            label == Some(CREATED),
            "{origin}: label org.opencontainers.image.created is {label:?}, expected {CREATED}"
        );
        let fs = index.fs(platform)?;
        let wrong: Vec<String> = fs
            .entries
            .iter()
            .filter(|(_, e)| e.mtime != EPOCH)
            .map(|(path, e)| format!("/{path} ({})", e.mtime))
            .collect();
        ensure!(
            wrong.is_empty(),
            "{origin}: files whose mtime is not {EPOCH}: {wrong:?}"
        );
    }
    Ok(())
}

#[test]
fn uuid_service_digests_survive_a_cache_prune() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // Without provenance (it records build times), the whole index must be identical.
    let (_, first) = build("uuid-repro-first", Some(false))?;
    cmd::run(buildctl().args(["prune", "--all"]))?;
    let (cold, second) = build("uuid-repro-second", Some(false))?;

    // The prune really made the second build cold: each platform compiled again.
    let vertices = progress::vertices_rawjson(&cold.log);
    for platform in PLATFORMS {
        let name = format!("go build ./cmd/uuid-service ({platform})");
        let ran = vertices.iter().any(|v| v.name == name && v.ran());
        ensure!(
            ran,
            "after buildctl prune --all, {name:?} did not run\nvertices:\n{}",
            progress::summary(&vertices)
        );
    }

    ensure!(
        digests(&first) == digests(&second),
        "the per-platform image manifests differ between a build and a rebuild after the cache was pruned:\nfirst:  {:?}\nsecond: {:?}\n----- first -----\n{}\n----- second -----\n{}",
        digests(&first),
        digests(&second),
        first.describe(),
        second.describe()
    );
    ensure!(
        first.manifest.digest == second.manifest.digest,
        "with --provenance=false the index digests differ after the cache was pruned: {} vs {}\n----- first -----\n{}\n----- second -----\n{}",
        first.manifest.digest,
        second.manifest.digest,
        first.describe(),
        second.describe()
    );
    check_epoch(&second)?;

    // With provenance (buildx's default, mode=min) the index changes, the images do not.
    let (_, with_provenance) = build("uuid-repro-provenance", None)?;
    ensure!(
        digests(&with_provenance) == digests(&second),
        "with provenance the per-platform image manifests differ from the build without it:\nwith:    {:?}\nwithout: {:?}\n{}",
        digests(&with_provenance),
        digests(&second),
        with_provenance.describe()
    );
    ensure!(
        with_provenance.attestations.len() == PLATFORMS.len(),
        "the build with provenance has {} attestation manifests, expected one per platform\n{}",
        with_provenance.attestations.len(),
        with_provenance.describe()
    );
    Ok(())
}
