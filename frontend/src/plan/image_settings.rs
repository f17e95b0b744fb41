//! What the final image's config says: the program to run, as whom, its environment, ports
//! and labels (fields: OCI image-spec `config.md`; label names: image-spec `annotations.md`).

use std::collections::BTreeMap;

use super::debug::BUSYBOX_DIR;
use super::{healthcheck, Planner, BINARY_DIR};
use crate::spec::{Probe, Spec, DEFAULT_USER};
use crate::vocabulary::{rfc3339, ImageSettings, Platform, ResolvedImage};

/// `PATH` of the image: where the binaries are. FROM scratch it is the whole `PATH`; a base
/// image's `PATH` gets it in front when it lacks it.
pub const PATH: &str = "/usr/local/bin";

/// The ids of [`DEFAULT_USER`], for the passwd and group written FROM scratch.
pub const DEFAULT_IDS: (u32, u32) = (65532, 65532);

/// A layer gostage adds over the base (`final_stage`), in image order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// CA bundle, zoneinfo, `/tmp`, and FROM scratch `/etc/passwd` and `/etc/group`.
    RuntimeWithUsers,
    /// CA bundle, zoneinfo and `/tmp` over a base image, which keeps its passwd and group.
    Runtime,
    /// The `files:` of the spec.
    Files,
    /// The binaries.
    Binaries,
    /// The `debug` target's busybox under [`BUSYBOX_DIR`].
    DebugShell,
}

impl Layer {
    /// The runtime layer over a base image (`has_base`) or over scratch.
    pub fn runtime(has_base: bool) -> Layer {
        match has_base {
            true => Layer::Runtime,
            false => Layer::RuntimeWithUsers,
        }
    }

    /// `created_by` of the layer's image history entry.
    pub fn created_by(self) -> &'static str {
        match self {
            Layer::RuntimeWithUsers => "gostage: CA bundle, zoneinfo, /tmp, passwd and group",
            Layer::Runtime => "gostage: CA bundle, zoneinfo, /tmp",
            Layer::Files => "gostage: files",
            Layer::Binaries => "gostage: binaries",
            Layer::DebugShell => "gostage: busybox shell (debug target)",
        }
    }

    /// The progress name of the runtime layer's file op (the files and binaries layers name
    /// what they copy).
    pub fn runtime_step_name(has_base: bool) -> &'static str {
        match has_base {
            true => "add CA bundle, zoneinfo, /tmp",
            false => "add CA bundle, zoneinfo, /tmp, passwd and group",
        }
    }
}

/// The layers gostage adds for `spec`, over a base image (`has_base`) or scratch.
pub fn history(spec: &Spec, has_base: bool) -> Vec<Layer> {
    let mut layers = vec![Layer::runtime(has_base)];
    if !spec.files.is_empty() {
        layers.push(Layer::Files);
    }
    layers.push(Layer::Binaries);
    layers
}

/// Adds what the `debug` target changes: [`BUSYBOX_DIR`] at the end of `PATH` (so the
/// binaries still win), and the history entry of the busybox layer.
pub fn add_debug_shell(settings: &mut ImageSettings) {
    for (key, value) in &mut settings.env {
        if key == "PATH" {
            value.push(':');
            value.push_str(BUSYBOX_DIR);
        }
    }
    settings
        .layers
        .push(Layer::DebugShell.created_by().to_string());
}

/// Added to the first layer's `created_by` when that layer holds the healthcheck probe.
pub const PROBE_IN_LAYER: &str = ", healthcheck probe";

/// The settings for `platform`. `User`: `image.user`, else the base image's `User`, else
/// [`DEFAULT_USER`] (a base that runs as root gets gostage's non-root default too).
/// `Entrypoint`: the first binary unless `image.entrypoint`. `Env`: `PATH` (the base's with
/// `/usr/local/bin` in front when missing), then `image.env`; the base's other entries stay
/// (`image::config`). Labels: from the `VERSION`, `COMMIT` and `SOURCE_DATE_EPOCH`
/// build-args, then `image.labels`, then `--label`.
/// `Healthcheck`: `image.healthcheck`, else the base image's.
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
    let base_config = base.and_then(|image| image.config.config().clone());
    let base_path = base_config
        .as_ref()
        .and_then(|config| config.env().clone())
        .unwrap_or_default()
        .into_iter()
        .find_map(|entry| entry.strip_prefix("PATH=").map(str::to_string));
    let path = match base_path {
        Some(path) if path.split(':').any(|directory| directory == PATH) => path,
        Some(path) if !path.is_empty() => format!("{PATH}:{path}"),
        _ => PATH.to_string(),
    };
    let user = match &image.user {
        Some(user) => user.written.value.clone(),
        None => base_config
            .as_ref()
            .and_then(|config| config.user().clone())
            .filter(|user| !user.is_empty())
            .unwrap_or_else(|| DEFAULT_USER.to_string()),
    };
    let mut env = vec![("PATH".to_string(), path)];
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
    let mut layers: Vec<String> = history(planner.spec, base.is_some())
        .into_iter()
        .map(|layer| layer.created_by().to_string())
        .collect();
    if matches!(spec_healthcheck, Some(checked) if matches!(checked.probe, Probe::Http(_))) {
        layers[0].push_str(PROBE_IN_LAYER);
    }
    ImageSettings {
        platform: platform.clone(),
        user,
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

#[cfg(test)]
mod tests;
