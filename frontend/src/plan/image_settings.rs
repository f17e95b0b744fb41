//! What the final image's config says: the program to run, as whom, its environment, ports
//! and labels (fields: OCI image-spec `config.md`; label names: image-spec `annotations.md`).

use std::collections::BTreeMap;

use super::{healthcheck, Planner, BINARY_DIR};
use crate::spec::Probe;
use crate::vocabulary::{rfc3339, ImageSettings, Platform, ResolvedImage};

/// `PATH` of the image: where the binaries are.
pub const PATH: &str = "/usr/local/bin";

/// `created_by` of the history entries of the two layers gostage adds (`final_stage`).
pub const LAYERS: [&str; 2] = [
    "gostage: CA bundle, zoneinfo, /tmp, passwd and group",
    "gostage: binaries",
];

/// Added to the first layer's `created_by` when that layer holds the healthcheck probe.
pub const PROBE_IN_LAYER: &str = ", healthcheck probe";

/// The settings for `platform`: `User` from `image.user`; `Entrypoint` the first binary
/// unless `image.entrypoint`; `Env` `PATH`, then `image.env`; labels from the `VERSION`,
/// `COMMIT` and `SOURCE_DATE_EPOCH` build-args, then `image.labels`, then `--label`;
/// `Healthcheck` from `image.healthcheck`, else the base image's.
pub fn settings(
    planner: Planner<'_>,
    platform: &Platform,
    binaries: &[String],
    base: Option<&ResolvedImage>,
) -> ImageSettings {
    let (image, request) = (&planner.spec.image, planner.request);
    let entrypoint = image.entrypoint.clone().unwrap_or_else(|| {
        binaries
            .first()
            .map(|name| vec![format!("{BINARY_DIR}/{name}")])
            .unwrap_or_default()
    });
    let mut env = vec![("PATH".to_string(), PATH.to_string())];
    env.extend(
        image
            .env
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    let created = request.source_date_epoch.map(rfc3339);
    let mut labels = BTreeMap::new();
    let oci_labels = [
        (
            "org.opencontainers.image.version",
            request.build_arg("VERSION"),
        ),
        (
            "org.opencontainers.image.revision",
            request.build_arg("COMMIT"),
        ),
        ("org.opencontainers.image.created", created.as_deref()),
    ];
    for (key, value) in oci_labels {
        if let Some(value) = value {
            labels.insert(key.to_string(), value.to_string());
        }
    }
    labels.extend(image.labels.clone());
    labels.extend(request.labels.clone());
    let spec_healthcheck = image.healthcheck.as_ref().map(|located| &located.value);
    let mut layers: Vec<String> = LAYERS.iter().map(|layer| layer.to_string()).collect();
    if matches!(spec_healthcheck, Some(checked) if matches!(checked.probe, Probe::Http(_))) {
        layers[0].push_str(PROBE_IN_LAYER);
    }
    ImageSettings {
        platform: platform.clone(),
        user: image.user.value.clone(),
        entrypoint,
        cmd: image.cmd.clone(),
        working_dir: image.workdir.clone(),
        env,
        exposed_ports: image
            .ports
            .iter()
            .map(|port| format!("{}/{}", port.number, port.protocol))
            .collect(),
        labels,
        created,
        layers,
        base: base.map(|image| image.config.clone()),
        healthcheck: healthcheck::config(spec_healthcheck, base),
    }
}
