//! The OCI image config of the final image: gostage's [`ImageSettings`] laid over the base
//! image's config (fields: OCI image-spec `config.md`; the Docker-style PascalCase names
//! inside `config` are what BuildKit's exporters read, `exporter/containerimage/writer.go`).

use oci_spec::image::{
    Arch, ConfigBuilder, History, HistoryBuilder, ImageConfiguration, ImageConfigurationBuilder,
    Os, RootFsBuilder,
};
use oci_spec::OciSpecError;
use serde_json::Value;

use crate::vocabulary::{rfc3339, Healthcheck, ImageSettings};

/// An image config that cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// oci-spec refused a part of the config.
    #[error("cannot build the image config ({part}): {source}")]
    Build {
        /// Which part: `config`, `history`, `rootfs` or `image`.
        part: &'static str,
        /// oci-spec's error.
        source: OciSpecError,
    },
    /// The config cannot be written as JSON.
    #[error("cannot write the image config as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn built<T>(part: &'static str, result: Result<T, OciSpecError>) -> Result<T, ImageError> {
    result.map_err(|source| ImageError::Build { part, source })
}

/// The image config for `settings`.
///
/// From the base config (when there is one) it keeps `Env` (ours replace entries with the
/// same key), `Labels` (ours win), `Cmd` and `WorkingDir` unless the settings give them, and
/// the history entries of its layers, before ours. `rootfs.diff_ids` is left empty: the
/// exporter fills it from the layers it writes.
///
/// Errors: [`ImageError::Build`] when oci-spec refuses a value.
pub fn config(settings: &ImageSettings) -> Result<ImageConfiguration, ImageError> {
    let base_config = settings
        .base
        .as_ref()
        .and_then(|base| base.config().clone())
        .unwrap_or_default();
    let mut env = base_config.env().clone().unwrap_or_default();
    for (key, value) in &settings.env {
        env.retain(|entry| entry.split('=').next() != Some(key.as_str()));
        env.push(format!("{key}={value}"));
    }
    let mut labels = base_config.labels().clone().unwrap_or_default();
    labels.extend(settings.labels.clone());
    let mut builder = ConfigBuilder::default()
        .user(settings.user.clone())
        .entrypoint(settings.entrypoint.clone())
        .env(env)
        .labels(labels);
    if let Some(cmd) = settings.cmd.clone().or_else(|| base_config.cmd().clone()) {
        builder = builder.cmd(cmd);
    }
    if let Some(directory) = settings
        .working_dir
        .clone()
        .or_else(|| base_config.working_dir().clone())
    {
        builder = builder.working_dir(directory);
    }
    if !settings.exposed_ports.is_empty() {
        builder = builder.exposed_ports(settings.exposed_ports.clone());
    }
    let history_created = settings.created.clone().unwrap_or_else(|| rfc3339(0));
    let mut history: Vec<History> = settings
        .base
        .as_ref()
        .and_then(|base| base.history().clone())
        .unwrap_or_default();
    for layer in &settings.layers {
        history.push(built(
            "history",
            HistoryBuilder::default()
                .created_by(layer.clone())
                .created(history_created.clone())
                .build(),
        )?);
    }
    let rootfs = built(
        "rootfs",
        RootFsBuilder::default()
            .typ("layers")
            .diff_ids(Vec::<String>::new())
            .build(),
    )?;
    let platform = &settings.platform;
    let mut configuration = ImageConfigurationBuilder::default()
        .architecture(Arch::from(platform.architecture.as_str()))
        .os(Os::from(platform.os.as_str()))
        .rootfs(rootfs)
        .config(built("config", builder.build())?)
        .history(history);
    if !platform.variant.is_empty() {
        configuration = configuration.variant(platform.variant.clone());
    }
    if let Some(created) = &settings.created {
        configuration = configuration.created(created.clone());
    }
    built("image", configuration.build())
}

/// `configuration` as JSON with every object's keys sorted, so equal configs are equal bytes
/// (oci-spec keeps labels in a `HashMap`, whose order varies from run to run), with
/// `config.Healthcheck` set to `healthcheck`: a Docker extension oci-spec has no field for,
/// which BuildKit's exporter keeps (`exporter/containerimage/writer.go` patches only the keys
/// it knows) and Docker runs.
///
/// Errors: [`ImageError::Json`] if serde cannot write it.
pub fn to_json(
    configuration: &ImageConfiguration,
    healthcheck: Option<&Healthcheck>,
) -> Result<Vec<u8>, ImageError> {
    // serde_json's `Value` keeps object keys in a BTreeMap (no `preserve_order` feature).
    let mut value = serde_json::to_value(configuration)?;
    if let (Some(healthcheck), Some(Value::Object(config))) = (healthcheck, value.get_mut("config"))
    {
        config.insert(
            "Healthcheck".to_string(),
            serde_json::to_value(healthcheck)?,
        );
    }
    Ok(serde_json::to_vec(&value)?)
}

#[cfg(test)]
mod tests;
