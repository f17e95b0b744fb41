//! Images as plain values: one the gateway resolved, and what gostage's own image config
//! says before it is laid over the base image's.

use std::collections::BTreeMap;

use oci_spec::image::ImageConfiguration;
use serde::{Deserialize, Serialize};

use super::Platform;

/// An image whose config the gateway resolved (`ResolveImageConfig`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedImage {
    /// Normalised reference, pinned to the digest the daemon returned (when it returned one).
    pub reference: String,
    /// The image config (OCI image-spec `config.md`).
    pub config: ImageConfiguration,
    /// The config's `Healthcheck`, a Docker extension that [`ImageConfiguration`] has no field
    /// for (so it is read separately, with [`Healthcheck::of_config`]).
    pub healthcheck: Option<Healthcheck>,
}

impl ResolvedImage {
    /// `config.Env` of the image (`KEY=VALUE` entries); empty if absent.
    pub fn env(&self) -> Vec<String> {
        self.config
            .config()
            .as_ref()
            .and_then(|config| config.env().clone())
            .unwrap_or_default()
    }
}

/// The final image's config as gostage decides it, before it is laid over the base image's
/// config (`image::config` does that). Plain values, so `plan` can decide them without
/// knowing the OCI types' rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSettings {
    /// The platform the image is for (`os`, `architecture`, `variant`).
    pub platform: Platform,
    /// `User`: `uid[:gid]`.
    pub user: String,
    /// `Entrypoint`.
    pub entrypoint: Vec<String>,
    /// `Cmd`; `None` keeps the base image's.
    pub cmd: Option<Vec<String>>,
    /// `WorkingDir`; `None` keeps the base image's.
    pub working_dir: Option<String>,
    /// `Env` entries set over the base image's, in order (a key replaces the base's entry).
    pub env: Vec<(String, String)>,
    /// `ExposedPorts` keys (`8080/tcp`).
    pub exposed_ports: Vec<String>,
    /// `Labels` set over the base image's.
    pub labels: BTreeMap<String, String>,
    /// `created` (RFC 3339), only when the client fixed the time (`SOURCE_DATE_EPOCH`), so
    /// that builds stay reproducible; history entries then carry the same time.
    pub created: Option<String>,
    /// `created_by` of the history entry of each layer gostage adds, in order.
    pub layers: Vec<String>,
    /// The base image's config (`None` for scratch).
    pub base: Option<ImageConfiguration>,
    /// `Healthcheck`: the spec's, else the base image's; `None` writes none.
    pub healthcheck: Option<Healthcheck>,
}

/// `config.Healthcheck` of an image config: Docker's extension of the OCI config
/// (`github.com/moby/docker-image-spec` `specs-go/v1/image.go`, `HealthcheckConfig`). The JSON
/// keys are the Go field names; durations are Go `time.Duration`s, integers in nanoseconds;
/// a zero or absent value means Docker's default (interval and timeout 30s, start period 0,
/// 3 retries).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["CMD", program, args…]`, `["CMD-SHELL", command]`, or `["NONE"]` (disabled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    /// Time between two probes, in nanoseconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval: i64,
    /// Time after which a probe counts as failed, in nanoseconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout: i64,
    /// Time after the start during which failures do not count, in nanoseconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_period: i64,
    /// Consecutive failures that make the container `unhealthy`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: i64,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

impl Healthcheck {
    /// The `config.Healthcheck` of an image config in JSON (`config_json`: the bytes
    /// `ResolveImageConfig` returns); `None` when it has none or it is not a healthcheck.
    pub fn of_config(config_json: &[u8]) -> Option<Self> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Inner {
            healthcheck: Option<Healthcheck>,
        }
        #[derive(Deserialize)]
        struct Outer {
            config: Option<Inner>,
        }
        serde_json::from_slice::<Outer>(config_json)
            .ok()?
            .config?
            .healthcheck
            .filter(|healthcheck| !healthcheck.test.is_empty())
    }
}
