//! The OCI image config of the final image, per platform (fields: OCI image-spec
//! `config.md`; the Docker-style PascalCase names inside `config` are what BuildKit's
//! exporters read, `exporter/containerimage/writer.go`).

use std::collections::HashMap;

use oci_spec::image::{
    Arch, ConfigBuilder, HistoryBuilder, ImageConfigurationBuilder, Os, RootFsBuilder,
};
use serde_json::Value;

use crate::plan::{BuildRequest, Platform, BINARY_DIR};
use crate::spec::Spec;

/// `PATH` of the image: where the binaries are.
pub const PATH: &str = "PATH=/usr/local/bin";

/// The image config JSON for `platform`.
///
/// Starts from `base` (the base image's config) when there is one and overrides: `User`,
/// `Entrypoint` (the first binary, unless `image.entrypoint`), `Cmd`, `Env` (base, then
/// `PATH`, then `image.env`), `WorkingDir`, `ExposedPorts`, `Labels` (base, OCI labels from
/// the `VERSION`/`COMMIT`/`SOURCE_DATE_EPOCH` build-args, `image.labels`, then `--label`).
/// `created` is set only from `SOURCE_DATE_EPOCH` so that builds stay reproducible. Keys are written sorted, so equal configs are equal bytes.
pub fn config(
    spec: &Spec,
    platform: &Platform,
    binaries: &[String],
    base: Option<&Value>,
    request: &BuildRequest,
) -> Value {
    let image = &spec.image;
    let entrypoint = image.entrypoint.clone().unwrap_or_else(|| {
        binaries
            .first()
            .map(|name| vec![format!("{BINARY_DIR}/{name}")])
            .unwrap_or_default()
    });
    let base_config = base.and_then(|base| base.get("config"));
    let mut env = strings(base_config, "Env");
    set_env(&mut env, PATH);
    for (key, value) in &image.env {
        set_env(&mut env, &format!("{key}={value}"));
    }
    let mut labels: HashMap<String, String> = base_config
        .and_then(|config| config.get("Labels"))
        .and_then(|labels| serde_json::from_value(labels.clone()).ok())
        .unwrap_or_default();
    let created = request.source_date_epoch.map(rfc3339);
    let oci_labels = [
        (
            "org.opencontainers.image.version",
            request.build_arg("VERSION").map(str::to_string),
        ),
        (
            "org.opencontainers.image.revision",
            request.build_arg("COMMIT").map(str::to_string),
        ),
        ("org.opencontainers.image.created", created.clone()),
    ];
    for (key, value) in oci_labels {
        if let Some(value) = value {
            labels.insert(key.to_string(), value);
        }
    }
    labels.extend(
        image
            .labels
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    labels.extend(
        request
            .labels
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    let mut builder = ConfigBuilder::default()
        .user(image.user.value.clone())
        .entrypoint(entrypoint)
        .env(env)
        .labels(labels);
    if let Some(cmd) = &image.cmd {
        builder = builder.cmd(cmd.clone());
    } else if let Some(cmd) = base_config
        .map(|config| strings(Some(config), "Cmd"))
        .filter(|cmd| !cmd.is_empty())
    {
        builder = builder.cmd(cmd);
    }
    if let Some(workdir) = image
        .workdir
        .clone()
        .or_else(|| base_config.and_then(|c| c.get("WorkingDir")?.as_str().map(str::to_string)))
    {
        builder = builder.working_dir(workdir);
    }
    let ports: Vec<String> = image
        .ports
        .iter()
        .map(|port| format!("{}/{}", port.number, port.protocol))
        .collect();
    if !ports.is_empty() {
        builder = builder.exposed_ports(ports);
    }
    let history_created = created.clone().unwrap_or_else(|| rfc3339(0));
    let history = [
        "gostage: CA bundle, zoneinfo, /tmp, passwd and group",
        "gostage: binaries",
    ]
    .map(|step| {
        HistoryBuilder::default()
            .created_by(step.to_string())
            .created(history_created.clone())
            .build()
    });
    let mut configuration = ImageConfigurationBuilder::default()
        .architecture(Arch::from(platform.architecture.as_str()))
        .os(Os::from(platform.os.as_str()))
        .rootfs(
            RootFsBuilder::default()
                .typ("layers")
                .diff_ids(Vec::<String>::new())
                .build()
                .unwrap_or_default(),
        );
    if let Ok(config) = builder.build() {
        configuration = configuration.config(config);
    }
    if !platform.variant.is_empty() {
        configuration = configuration.variant(platform.variant.clone());
    }
    if let Some(created) = created {
        configuration = configuration.created(created);
    }
    let mut value = configuration
        .build()
        .ok()
        .and_then(|configuration| serde_json::to_value(configuration).ok())
        .unwrap_or(Value::Null);
    // Base layers keep their history entries; ours follow (one per layer we add).
    let mut entries: Vec<Value> = base
        .and_then(|base| base.get("history")?.as_array().cloned())
        .unwrap_or_default();
    entries.extend(
        history
            .into_iter()
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| serde_json::to_value(entry).ok()),
    );
    value["history"] = Value::Array(entries);
    value
}

/// `config.<key>` of an image config as strings.
fn strings(config: Option<&Value>, key: &str) -> Vec<String> {
    config
        .and_then(|config| config.get(key)?.as_array().cloned())
        .map(|items| {
            items
                .into_iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Sets `KEY=VALUE` in `env`, replacing an entry with the same key.
fn set_env(env: &mut Vec<String>, entry: &str) {
    let key = entry.split('=').next().unwrap_or_default();
    env.retain(|existing| existing.split('=').next() != Some(key));
    env.push(entry.to_string());
}

/// Seconds since 1970 as RFC 3339 UTC (`2023-11-14T22:13:20Z`), as image configs write times.
pub fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm), proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_unix_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
