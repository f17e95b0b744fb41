//! The LLBBridge calls gostage makes (`frontend/gateway/pb/gateway.proto`).

use std::collections::BTreeSet;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::Result as BuildResult;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    llb_bridge_client::LlbBridgeClient, CacheOptionsEntry, FileRange, PingRequest, ReadDirRequest,
    ReadFileRequest, ResolveImageConfigRequest, ReturnRequest, SolveRequest, StatFileRequest,
    WarnRequest,
};
use bollard_buildkit_proto::pb;
use tonic::transport::Channel;

use super::errors::FrontendError;
use super::transport::MAX_MESSAGE_BYTES;
use crate::vocabulary::{CacheImport, Platform};

/// Gateway API capabilities gostage cannot work without; all exist in Docker 20.10's
/// BuildKit (`frontend/gateway/pb/caps.go`).
pub const REQUIRED_CAPS: &[&str] = &[
    "solve.base",
    "return",
    "readfile",
    "readdir",
    "statfile",
    "resolveimage",
    "proto.refarray",
];

/// A connected bridge and what the daemon said it supports. A clone shares the connection
/// (tonic clients multiplex calls over one channel).
#[derive(Clone)]
pub struct Bridge {
    client: LlbBridgeClient<Channel>,
    /// Enabled gateway API capabilities (from `Ping`).
    caps: BTreeSet<String>,
    /// Platforms of the first worker (from `Ping`), native first.
    pub worker_platforms: Vec<Platform>,
}

impl Bridge {
    /// Pings the daemon and records its capabilities and workers.
    ///
    /// Errors: the ping failed (then no error can be returned to the daemon either).
    pub async fn connect(channel: Channel) -> Result<Self, FrontendError> {
        let mut client = LlbBridgeClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        let pong = client
            .ping(PingRequest {})
            .await
            .map_err(|status| FrontendError::daemon("ping", status))?
            .into_inner();
        let caps = pong
            .frontend_api_caps
            .into_iter()
            .filter(|cap| cap.enabled)
            .map(|cap| cap.id)
            .collect();
        let worker_platforms = pong
            .workers
            .first()
            .map(|worker| {
                worker
                    .platforms
                    .iter()
                    .map(|platform| {
                        Platform::from_worker(
                            &platform.os,
                            &platform.architecture,
                            &platform.variant,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            client,
            caps,
            worker_platforms,
        })
    }

    /// Whether the daemon announced gateway capability `cap` (`frontend/gateway/pb/caps.go`).
    pub fn has_cap(&self, cap: &str) -> bool {
        self.caps.contains(cap)
    }

    /// Fails when the daemon lacks a capability in [`REQUIRED_CAPS`].
    pub fn check_caps(&self) -> Result<(), FrontendError> {
        let missing: Vec<&str> = REQUIRED_CAPS
            .iter()
            .copied()
            .filter(|cap| !self.caps.contains(*cap))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(FrontendError::Other(format!(
            "this BuildKit lacks gateway capabilities {} that gostage needs; use Docker 20.10 or newer, or BuildKit v0.8 or newer",
            missing.join(", ")
        )))
    }

    /// Solves `definition`, looking up steps in the caches of `cache_imports` too, and returns
    /// the result's ref id (`""` for an empty result).
    pub async fn solve(
        &mut self,
        definition: pb::Definition,
        cache_imports: &[CacheImport],
        what: &str,
    ) -> Result<String, FrontendError> {
        let request = SolveRequest {
            definition: Some(definition),
            allow_result_return: true,
            allow_result_array_ref: true,
            cache_imports: cache_imports
                .iter()
                .map(|import| CacheOptionsEntry {
                    r#type: import.cache_type.clone(),
                    attrs: import.attributes.clone().into_iter().collect(),
                })
                .collect(),
            ..Default::default()
        };
        let response = self
            .client
            .solve(request)
            .await
            .map_err(|status| FrontendError::daemon(what, status))?
            .into_inner();
        let reference = match response.result.and_then(|result| result.result) {
            Some(bollard_buildkit_proto::moby::buildkit::v1::frontend::result::Result::Ref(
                reference,
            )) => reference.id,
            Some(
                bollard_buildkit_proto::moby::buildkit::v1::frontend::result::Result::RefDeprecated(
                    id,
                ),
            ) => id,
            _ => response.r#ref,
        };
        Ok(reference)
    }

    /// The file at `path` in `reference`, or `None` if it does not exist.
    ///
    /// Errors: any other daemon failure (transfer, permission).
    pub async fn read_file(
        &mut self,
        reference: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, FrontendError> {
        let request = ReadFileRequest {
            r#ref: reference.to_string(),
            file_path: path.to_string(),
            ..Default::default()
        };
        match self.client.read_file(request).await {
            Ok(response) => Ok(Some(response.into_inner().data)),
            Err(status) if is_not_found(&status) => Ok(None),
            Err(status) => Err(FrontendError::daemon(format!("read {path}"), status)),
        }
    }

    /// `length` bytes of the file at `path` in `reference` from byte `offset` (fewer at the
    /// end of the file; `ReadFileRequest.Range`, gateway cap `readfile`), or `None` if it
    /// does not exist.
    ///
    /// Errors: any other daemon failure.
    pub async fn read_file_range(
        &mut self,
        reference: &str,
        path: &str,
        offset: u64,
        length: u64,
    ) -> Result<Option<Vec<u8>>, FrontendError> {
        let request = ReadFileRequest {
            r#ref: reference.to_string(),
            file_path: path.to_string(),
            range: Some(FileRange {
                offset: i64::try_from(offset).unwrap_or(i64::MAX),
                length: i64::try_from(length).unwrap_or(i64::MAX),
            }),
            ..Default::default()
        };
        match self.client.read_file(request).await {
            Ok(response) => Ok(Some(response.into_inner().data)),
            Err(status) if is_not_found(&status) => Ok(None),
            Err(status) => Err(FrontendError::daemon(format!("read {path}"), status)),
        }
    }

    /// Names of the entries of directory `path` in `reference` matching `pattern`, or `None`
    /// if the directory does not exist.
    pub async fn read_dir(
        &mut self,
        reference: &str,
        path: &str,
        pattern: &str,
    ) -> Result<Option<Vec<String>>, FrontendError> {
        let request = ReadDirRequest {
            r#ref: reference.to_string(),
            dir_path: path.to_string(),
            include_pattern: pattern.to_string(),
            ..Default::default()
        };
        match self.client.read_dir(request).await {
            Ok(response) => Ok(Some(
                response
                    .into_inner()
                    .entries
                    .into_iter()
                    .map(|entry| entry.path)
                    .collect(),
            )),
            Err(status) if is_not_found(&status) => Ok(None),
            Err(status) => Err(FrontendError::daemon(format!("list {path}"), status)),
        }
    }

    /// The Go `os.FileMode` bits of `path` in the solved `reference` (`StatFile`; fsutil
    /// `types.Stat.mode`), or `None` when it does not exist.
    pub async fn stat_file(
        &mut self,
        reference: &str,
        path: &str,
    ) -> Result<Option<u32>, FrontendError> {
        let request = StatFileRequest {
            r#ref: reference.to_string(),
            path: path.to_string(),
            ..Default::default()
        };
        match self.client.stat_file(request).await {
            Ok(response) => Ok(response.into_inner().stat.map(|stat| stat.mode)),
            Err(status) if is_not_found(&status) => Ok(None),
            Err(status) => Err(FrontendError::daemon(format!("stat {path}"), status)),
        }
    }

    /// The digest (may be empty on Docker 20.10 for local images) and config JSON of image
    /// `reference` for `platform`; shown in progress as `log_name`.
    pub async fn resolve_image_config(
        &mut self,
        reference: &str,
        platform: &Platform,
        resolve_mode: &str,
        log_name: &str,
    ) -> Result<(String, Vec<u8>), tonic::Status> {
        let request = ResolveImageConfigRequest {
            r#ref: reference.to_string(),
            platform: Some(crate::llb::platform(platform)),
            resolve_mode: resolve_mode.to_string(),
            log_name: log_name.to_string(),
            ..Default::default()
        };
        let response = self
            .client
            .resolve_image_config(request)
            .await?
            .into_inner();
        Ok((response.digest, response.config))
    }

    /// Returns the build's result.
    pub async fn return_result(&mut self, result: BuildResult) -> Result<(), tonic::Status> {
        self.client
            .r#return(ReturnRequest {
                result: Some(result),
                error: None,
            })
            .await
            .map(|_| ())
    }

    /// Sends a build warning (`Warn`; gateway cap `gateway.warnings`, BuildKit v0.10+). The
    /// caller checks the cap: older daemons answer UNIMPLEMENTED.
    pub async fn warn(&mut self, warning: WarnRequest) -> Result<(), tonic::Status> {
        self.client.warn(warning).await.map(|_| ())
    }

    /// Returns the build's error.
    pub async fn return_error(&mut self, error: &FrontendError) -> Result<(), tonic::Status> {
        self.client
            .r#return(ReturnRequest {
                result: None,
                error: Some(error.to_status()),
            })
            .await
            .map(|_| ())
    }
}

/// BuildKit reports a missing path as a plain error whose text ends with the OS message.
fn is_not_found(status: &tonic::Status) -> bool {
    status.code() == tonic::Code::NotFound
        || status.message().contains("no such file or directory")
        || status.message().contains("not found")
}
