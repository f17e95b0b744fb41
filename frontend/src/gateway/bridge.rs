//! The [`Daemon`] over gRPC: the `LLBBridge` client (moby/buildkit
//! `frontend/gateway/pb/gateway.proto`) on the stdin/stdout channel.

use std::collections::BTreeSet;

use bollard_buildkit_proto::google::rpc;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    llb_bridge_client::LlbBridgeClient, result, CacheOptionsEntry, FileRange, PingRequest,
    ReadDirRequest, ReadFileRequest, ResolveImageConfigRequest, Result as BuildResult,
    ReturnRequest, SolveRequest, StatFileRequest, WarnRequest,
};
use bollard_buildkit_proto::pb;
use tonic::transport::Channel;

use super::daemon::{ByteRange, Daemon, ImageConfig};
use super::errors::FrontendError;
use super::transport::MAX_MESSAGE_BYTES;
use crate::vocabulary::{CacheImport, Platform, ResolveMode};

/// A connected bridge and what the daemon said it supports. Each call clones the client,
/// which shares the connection (tonic clients multiplex calls over one channel).
pub struct Bridge {
    client: LlbBridgeClient<Channel>,
    /// Enabled gateway API capabilities (from `Ping`).
    caps: BTreeSet<String>,
    /// Platforms of the first worker (from `Ping`), native first.
    worker_platforms: Vec<Platform>,
}

impl Bridge {
    /// Pings the daemon and records its capabilities and workers (as the Go client does
    /// first, `frontend/gateway/grpcclient/client.go`, `New`).
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

    /// A client for one call.
    fn client(&self) -> LlbBridgeClient<Channel> {
        self.client.clone()
    }
}

impl Daemon for Bridge {
    fn has_cap(&self, cap: &str) -> bool {
        self.caps.contains(cap)
    }

    fn worker_platforms(&self) -> &[Platform] {
        &self.worker_platforms
    }

    async fn solve(
        &self,
        definition: pb::Definition,
        cache_imports: &[CacheImport],
    ) -> Result<String, tonic::Status> {
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
        let response = self.client().solve(request).await?.into_inner();
        // `proto.refarray` daemons answer with a `Ref`; the older forms stay readable.
        let reference = match response.result.and_then(|result| result.result) {
            Some(result::Result::Ref(reference)) => reference.id,
            Some(result::Result::RefDeprecated(id)) => id,
            _ => response.r#ref,
        };
        Ok(reference)
    }

    async fn read_file(
        &self,
        reference: &str,
        path: &str,
        range: Option<ByteRange>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        let request = ReadFileRequest {
            r#ref: reference.to_string(),
            file_path: path.to_string(),
            range: range.map(|range| FileRange {
                offset: i64::try_from(range.offset).unwrap_or(i64::MAX),
                length: i64::try_from(range.length).unwrap_or(i64::MAX),
            }),
            ..Default::default()
        };
        match self.client().read_file(request).await {
            Ok(response) => Ok(Some(response.into_inner().data)),
            Err(status) if is_not_found(&status) => Ok(None),
            Err(status) => Err(status),
        }
    }

    async fn read_dir(
        &self,
        reference: &str,
        path: &str,
        pattern: &str,
    ) -> Result<Option<Vec<String>>, tonic::Status> {
        let request = ReadDirRequest {
            r#ref: reference.to_string(),
            dir_path: path.to_string(),
            include_pattern: pattern.to_string(),
            ..Default::default()
        };
        match self.client().read_dir(request).await {
            Ok(response) => Ok(Some(
                response
                    .into_inner()
                    .entries
                    .into_iter()
                    .map(|entry| entry.path)
                    .collect(),
            )),
            Err(status) if is_not_found(&status) => Ok(None),
            Err(status) => Err(status),
        }
    }

    async fn stat_file(&self, reference: &str, path: &str) -> Result<Option<u32>, tonic::Status> {
        let request = StatFileRequest {
            r#ref: reference.to_string(),
            path: path.to_string(),
            ..Default::default()
        };
        match self.client().stat_file(request).await {
            Ok(response) => Ok(response.into_inner().stat.map(|stat| stat.mode)),
            Err(status) if is_not_found(&status) => Ok(None),
            Err(status) => Err(status),
        }
    }

    async fn resolve_image_config(
        &self,
        reference: &str,
        platform: &Platform,
        resolve_mode: ResolveMode,
        log_name: &str,
    ) -> Result<ImageConfig, tonic::Status> {
        let request = ResolveImageConfigRequest {
            r#ref: reference.to_string(),
            platform: Some(crate::llb::platform(platform)),
            resolve_mode: resolve_mode.as_str().to_string(),
            log_name: log_name.to_string(),
            ..Default::default()
        };
        let response = self
            .client()
            .resolve_image_config(request)
            .await?
            .into_inner();
        Ok(ImageConfig {
            digest: response.digest,
            config: response.config,
        })
    }

    async fn warn(&self, warning: WarnRequest) -> Result<(), tonic::Status> {
        self.client().warn(warning).await.map(|_| ())
    }

    async fn return_result(&self, result: BuildResult) -> Result<(), tonic::Status> {
        self.client()
            .r#return(ReturnRequest {
                result: Some(result),
                error: None,
            })
            .await
            .map(|_| ())
    }

    async fn return_error(&self, error: rpc::Status) -> Result<(), tonic::Status> {
        self.client()
            .r#return(ReturnRequest {
                result: None,
                error: Some(error),
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
