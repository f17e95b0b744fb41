//! The seam before BuildKit: the gateway API calls gostage makes (the `LLBBridge` service of
//! moby/buildkit `frontend/gateway/pb/gateway.proto`), and what the daemon said in `Ping`.
//! The gRPC bridge implements it in production; unit tests use an in-memory daemon.

use bollard_buildkit_proto::google::rpc;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{Result as BuildResult, WarnRequest};
use bollard_buildkit_proto::pb;

use super::errors::FrontendError;
use crate::vocabulary::{CacheImport, Platform, ResolveMode};

/// Gateway API capabilities gostage cannot work without; all exist in Docker 20.10's
/// BuildKit (v0.8; moby/buildkit `frontend/gateway/pb/caps.go`).
pub const REQUIRED_CAPS: &[&str] = &[
    "solve.base",
    "return",
    "readfile",
    "readdir",
    "statfile",
    "resolveimage",
    "proto.refarray",
];

/// The gateway capability of the `Warn` call (BuildKit v0.10+; `frontend/gateway/pb/caps.go`).
pub const WARNINGS_CAP: &str = "gateway.warnings";

/// The gateway capability of result attestations, which carry an SBOM (BuildKit v0.11+;
/// `frontend/gateway/pb/caps.go`).
pub const ATTESTATIONS_CAP: &str = "reference.attestations";

/// `length` bytes of a file from byte `offset` (`ReadFileRequest.Range`, `FileRange`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    /// First byte, from the start of the file.
    pub offset: u64,
    /// Number of bytes; fewer come back at the end of the file.
    pub length: u64,
}

/// A resolved image config (`ResolveImageConfigResponse`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageConfig {
    /// The manifest digest (`sha256:…`); may be empty on Docker 20.10 for an image of the
    /// local store.
    pub digest: String,
    /// The image config JSON as the registry (or store) has it.
    pub config: Vec<u8>,
}

/// A BuildKit daemon as the frontend sees it: the gateway calls gostage makes, and the
/// capabilities and workers the daemon announced in `Ping` (`PongResponse`).
///
/// Every call takes `&self`, so independent calls can be in flight at once (`join_all`,
/// `tokio::join!`); an error is the daemon's own gRPC status, which the caller wraps with
/// what it was doing ([`FrontendError::daemon`]). A path the daemon reports missing is
/// `Ok(None)`, not an error.
pub trait Daemon {
    /// Whether the daemon announced gateway capability `cap` as enabled
    /// (`PongResponse.FrontendAPICaps`; names in `frontend/gateway/pb/caps.go`).
    fn has_cap(&self, cap: &str) -> bool;

    /// Platforms of the first worker (`PongResponse.Workers[0].platforms`), native first;
    /// may be empty.
    fn worker_platforms(&self) -> &[Platform];

    /// Solves `definition` (`Solve` with `allowResultReturn`, `allowResultArrayRef`),
    /// looking up steps in the caches of `cache_imports` too, and returns the result's ref id
    /// (`""` for an empty result). The daemon builds lazily: reading the ref builds it.
    async fn solve(
        &self,
        definition: pb::Definition,
        cache_imports: &[CacheImport],
    ) -> Result<String, tonic::Status>;

    /// The file at `path` in ref `reference` (`ReadFile`), or only `range` of it; `None` when
    /// it does not exist.
    async fn read_file(
        &self,
        reference: &str,
        path: &str,
        range: Option<ByteRange>,
    ) -> Result<Option<Vec<u8>>, tonic::Status>;

    /// Names of the entries of directory `path` in `reference` that match the glob
    /// `pattern` (`ReadDir` `IncludePattern`), or `None` when the directory does not exist.
    async fn read_dir(
        &self,
        reference: &str,
        path: &str,
        pattern: &str,
    ) -> Result<Option<Vec<String>>, tonic::Status>;

    /// The Go `os.FileMode` bits of `path` in `reference` (`StatFile`; fsutil
    /// `types.Stat.mode`, `os.ModeDir` is bit 31), following symlinks; `None` when it does
    /// not exist.
    async fn stat_file(&self, reference: &str, path: &str) -> Result<Option<u32>, tonic::Status>;

    /// The config of image `reference` for `platform` (`ResolveImageConfig`), shown in
    /// progress as `log_name`.
    async fn resolve_image_config(
        &self,
        reference: &str,
        platform: &Platform,
        resolve_mode: ResolveMode,
        log_name: &str,
    ) -> Result<ImageConfig, tonic::Status>;

    /// Sends a build warning (`Warn`). Only for a daemon with [`WARNINGS_CAP`]: older ones
    /// answer UNIMPLEMENTED.
    async fn warn(&self, warning: WarnRequest) -> Result<(), tonic::Status>;

    /// Returns the build's result (`Return` with `result`).
    async fn return_result(&self, result: BuildResult) -> Result<(), tonic::Status>;

    /// Returns the build's error (`Return` with `error`).
    async fn return_error(&self, error: rpc::Status) -> Result<(), tonic::Status>;
}

/// Fails when `daemon` lacks a capability of [`REQUIRED_CAPS`].
///
/// Errors: [`FrontendError::MissingCaps`], naming each missing one.
pub fn check_caps(daemon: &impl Daemon) -> Result<(), FrontendError> {
    let missing: Vec<String> = REQUIRED_CAPS
        .iter()
        .filter(|cap| !daemon.has_cap(cap))
        .map(|cap| cap.to_string())
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(FrontendError::MissingCaps { missing }),
    }
}
