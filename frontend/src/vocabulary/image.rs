//! Images as plain values: one the gateway resolved, and what gostage's own image config
//! says before it is laid over the base image's.

use std::collections::BTreeMap;

use oci_spec::image::ImageConfiguration;

use super::Platform;

/// An image whose config the gateway resolved (`ResolveImageConfig`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedImage {
    /// Normalised reference, pinned to the digest the daemon returned (when it returned one).
    pub reference: String,
    /// The image config (OCI image-spec `config.md`).
    pub config: ImageConfiguration,
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
}
