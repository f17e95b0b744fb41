//! Errors the frontend returns to BuildKit, with the details BuildKit clients render.
//!
//! A `Return` error is a `google.rpc.Status`; each detail is an `Any` whose value is JSON
//! (BuildKit registers its error types with `typeurl` as `…+json`,
//! `solver/errdefs/vertex.go`, `util/grpcerrors/grpcerrors.go`). A `errdefs.Source` detail
//! makes buildx and buildctl print the offending lines of gostage.yaml.

use base64::Engine;
use bollard_buildkit_proto::google::{protobuf::Any, rpc::Status};
use prost::Message;
use serde_json::json;

use super::options::OptionsError;
use crate::context::LayoutError;
use crate::image::ImageError;
use crate::plan::PlanError;
use crate::subrequests::RequestError;
use crate::vocabulary::{Diagnostic, Span};

/// Type URL of BuildKit's source-location error detail.
pub const SOURCE_DETAIL_TYPE: &str = "github.com/moby/buildkit/errdefs.Source+json";

/// gRPC code UNKNOWN: BuildKit prints such errors as the bare message.
const CODE_UNKNOWN: i32 = 2;

/// gRPC code UNIMPLEMENTED, with which BuildKit refuses an unknown frontend capability or
/// subrequest (`solver/errdefs/frontendcap.go`, `subrequest.go`).
const CODE_UNIMPLEMENTED: i32 = 12;

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum FrontendError {
    /// A problem in the spec (or in the context, placed at the spec line that names it).
    #[error("{}", diagnostic.render(filename))]
    Spec {
        /// The problem and its position.
        diagnostic: Diagnostic,
        /// Spec file name as the user passed it.
        filename: String,
        /// The whole spec file, for the source snippet.
        data: Vec<u8>,
    },
    /// The daemon refused or failed a call; its status (with its own details) is forwarded.
    #[error("{context}: {}", status.message())]
    Daemon {
        /// What gostage was doing.
        context: String,
        /// The daemon's status.
        status: tonic::Status,
    },
    /// A frontend option or variable gostage cannot use.
    #[error(transparent)]
    Options(#[from] OptionsError),
    /// No plan could be made for a reason not placed in the spec.
    #[error(transparent)]
    Plan(PlanError),
    /// The image config could not be built.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// A `frontend.caps` entry or `requestid` gostage does not serve.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The daemon lacks gateway capabilities gostage cannot work without
    /// ([`super::daemon::REQUIRED_CAPS`]).
    #[error("this BuildKit lacks gateway capabilities {} that gostage needs; use Docker 20.10 or newer, or BuildKit v0.8 or newer", missing.join(", "))]
    MissingCaps {
        /// The capability ids it lacks, in the order of `REQUIRED_CAPS`.
        missing: Vec<String>,
    },
    /// `--sbom` on a daemon without result attestations (gateway cap
    /// `reference.attestations`, BuildKit v0.11+).
    #[error("this BuildKit cannot attach an SBOM to a result (it lacks the reference.attestations capability); use BuildKit v0.11 or newer, or build without --sbom")]
    SbomUnsupported,
    /// The spec file is not in the local the client sent.
    #[error("{filename} not found; pass it with -f (docker build -f gostage.yaml .) or --opt filename=… (buildctl)")]
    SpecFileMissing {
        /// The file name looked for (the `filename` option, default `gostage.yaml`).
        filename: String,
    },
    /// A go.mod or go.work of the context cannot be used (placed at its line when it can
    /// be: a source detail makes buildx and buildctl print that line of the file).
    #[error(transparent)]
    Layout(LayoutError),
    /// The daemon resolved an image whose config is not an OCI image config.
    #[error("the config of image {reference} is not an image config: {source}")]
    ImageConfig {
        /// The image, as resolved.
        reference: String,
        /// Why it does not parse.
        source: serde_json::Error,
    },
    /// A subrequest's answer cannot be serialised (built from plain values, so never in
    /// practice).
    #[error("the answer to the subrequest cannot be written: {0}")]
    Answer(#[source] serde_json::Error),
}

impl FrontendError {
    /// A daemon error while doing `context`.
    pub fn daemon(context: impl Into<String>, status: tonic::Status) -> Self {
        FrontendError::Daemon {
            context: context.into(),
            status,
        }
    }

    /// The status for `ReturnRequest.error`.
    pub fn to_status(&self) -> Status {
        match self {
            FrontendError::Spec {
                diagnostic,
                filename,
                data,
            } => Status {
                code: CODE_UNKNOWN,
                message: self.to_string(),
                details: vec![source_detail(diagnostic.span, filename, data, "YAML")],
            },
            FrontendError::Layout(LayoutError::File(problem)) => Status {
                code: CODE_UNKNOWN,
                message: self.to_string(),
                details: match problem.diagnostic.span.line {
                    0 => Vec::new(),
                    _ => vec![source_detail(
                        problem.diagnostic.span,
                        &problem.path,
                        &problem.data,
                        file_language(&problem.path),
                    )],
                },
            },
            FrontendError::Daemon { context, status } => {
                // The daemon's own details (vertex, source, solve) travel in the serialized
                // google.rpc.Status of `grpc-status-details-bin`; keep them.
                let details = Status::decode(status.details())
                    .map(|decoded| decoded.details)
                    .unwrap_or_default();
                Status {
                    code: CODE_UNKNOWN,
                    message: format!("{context}: {}", status.message()),
                    details,
                }
            }
            FrontendError::Request(error) => {
                // The typed details let buildx fall back or report the capability by name.
                let (type_url, name) = match error {
                    RequestError::UnsupportedCapability(name) => {
                        ("github.com/moby/buildkit/errdefs.FrontendCap+json", name)
                    }
                    RequestError::UnsupportedRequest(name) => {
                        ("github.com/moby/buildkit/errdefs.Subrequest+json", name)
                    }
                };
                Status {
                    code: CODE_UNIMPLEMENTED,
                    message: self.to_string(),
                    details: vec![Any {
                        type_url: type_url.to_string(),
                        value: json!({ "name": name }).to_string().into_bytes(),
                    }],
                }
            }
            FrontendError::Options(_)
            | FrontendError::Plan(_)
            | FrontendError::Image(_)
            | FrontendError::MissingCaps { .. }
            | FrontendError::SbomUnsupported
            | FrontendError::SpecFileMissing { .. }
            | FrontendError::Layout(_)
            | FrontendError::ImageConfig { .. }
            | FrontendError::Answer(_) => Status {
                code: CODE_UNKNOWN,
                message: self.to_string(),
                details: Vec::new(),
            },
        }
    }
}

/// `errdefs.Source` as JSON: the file (name, base64 data, language) and the 1-based line
/// range of `span`.
pub fn source_detail(span: Span, filename: &str, data: &[u8], language: &str) -> Any {
    let line = span.line.max(1);
    let value = json!({
        "info": {
            "filename": filename,
            "data": base64::engine::general_purpose::STANDARD.encode(data),
            "language": language,
        },
        "ranges": [{"start": {"line": line, "character": span.column}, "end": {"line": line, "character": span.column}}],
    });
    Any {
        type_url: SOURCE_DETAIL_TYPE.to_string(),
        value: value.to_string().into_bytes(),
    }
}

/// The source language of a go.mod or go.work for a source detail: the file's name, as
/// the Dockerfile frontend names its own language `Dockerfile`.
fn file_language(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_error_carries_location_in_text_and_detail() {
        let error = FrontendError::Spec {
            diagnostic: Diagnostic::new(Span { line: 3, column: 1 }, "unknown field `mian`"),
            filename: "gostage.yaml".into(),
            data: b"# syntax=myorg/gostage\nversion: 1\nmian: .\n".to_vec(),
        };
        let status = error.to_status();
        assert_eq!(status.code, 2);
        assert!(
            status
                .message
                .starts_with("gostage.yaml:3:1: unknown field"),
            "{}",
            status.message
        );
        assert_eq!(status.details[0].type_url, SOURCE_DETAIL_TYPE);
        let detail: serde_json::Value =
            serde_json::from_slice(&status.details[0].value).unwrap_or_default();
        assert_eq!(detail["ranges"][0]["start"]["line"], 3);
        assert_eq!(detail["info"]["filename"], "gostage.yaml");
        let data = detail["info"]["data"].as_str().unwrap_or_default();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap_or_default();
        assert!(decoded.ends_with(b"mian: .\n"));
    }

    #[test]
    fn daemon_details_are_forwarded() {
        let inner = Status {
            code: 2,
            message: "boom".into(),
            details: vec![Any {
                type_url: "x+json".into(),
                value: b"{}".to_vec(),
            }],
        };
        let status =
            tonic::Status::with_details(tonic::Code::Unknown, "boom", inner.encode_to_vec().into());
        let forwarded = FrontendError::daemon("solve", status).to_status();
        assert_eq!(forwarded.details.len(), 1);
        assert_eq!(forwarded.details[0].type_url, "x+json");
    }
}
