//! Answers to the frontend subrequests buildx sends with `--call` (the frontend option
//! `requestid`): `frontend.subrequests.describe`, `frontend.outline`, `frontend.targets` and
//! `frontend.lint`, as the JSON documents BuildKit's printers read.
//!
//! Shapes: BuildKit `frontend/subrequests/{types.go, outline/outline.go, targets/targets.go,
//! lint/lint.go}` (Go `encoding/json`: zero values with `omitempty` are left out, so a
//! `sourceIndex` of 0 is absent). buildx sets `requestid` to `frontend.<call>` and adds
//! `moby.buildkit.frontend.subrequests+forward` to `frontend.caps` (docker/buildx
//! `build/build.go`; `util/buildflags/callfunc.go` renames `check` to `lint`); the
//! Dockerfile frontend dispatches on it the same way (moby/buildkit
//! `frontend/dockerui/requests.go`).

mod documents;

pub use documents::{describe, lint, outline, targets, LintOutcome, SpecSource};

/// `requestid` of a normal build (no option at all means the same).
pub const BUILD_REQUEST: &str = "";

/// The subrequests gostage answers, by `requestid`.
pub const DESCRIBE: &str = "frontend.subrequests.describe";
/// `--call=outline`.
pub const OUTLINE: &str = "frontend.outline";
/// `--call=targets`.
pub const TARGETS: &str = "frontend.targets";
/// `--call=check` (buildx renames `check` to `lint`).
pub const LINT: &str = "frontend.lint";

/// Version of every document gostage writes (the `version` metadata key; BuildKit's
/// `outline.go`, `targets.go`, `lint.go` write `1.0.0`).
pub const DOCUMENT_VERSION: &str = "1.0.0";

/// Frontend capabilities (`frontend.caps` option, image label `moby.buildkit.frontend.caps`)
/// gostage implements.
pub const FRONTEND_CAPS: &[&str] = &[
    "moby.buildkit.frontend.contexts",
    "moby.buildkit.frontend.subrequests",
];

/// One answer: the `result.json` document, its plain-text rendering (`result.txt`) and, for
/// lint, the status buildx exits with (`result.statuscode`).
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The document buildx parses.
    pub json: serde_json::Value,
    /// The same for people.
    pub text: String,
    /// `Some(1)` when `--call=check` should fail, `Some(0)` when it passes; `None` for the
    /// other requests.
    pub status: Option<i32>,
}

impl Answer {
    /// The `Result.metadata` entries of a metadata-only Return (`result.json`, `result.txt`,
    /// `version`, and `result.statuscode` for lint).
    ///
    /// Errors: the document cannot be serialised (it is built from plain values, so never in
    /// practice).
    pub fn metadata(&self) -> Result<Vec<(String, Vec<u8>)>, serde_json::Error> {
        let mut entries = vec![
            ("result.json".to_string(), serde_json::to_vec(&self.json)?),
            ("result.txt".to_string(), self.text.clone().into_bytes()),
            ("version".to_string(), DOCUMENT_VERSION.as_bytes().to_vec()),
        ];
        if let Some(status) = self.status {
            entries.push((
                "result.statuscode".to_string(),
                status.to_string().into_bytes(),
            ));
        }
        Ok(entries)
    }
}

/// Why a `frontend.caps` entry or a `requestid` cannot be served.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A requested frontend capability gostage does not implement (and the client did not
    /// mark `+forward`).
    #[error("unsupported frontend capability {0}")]
    UnsupportedCapability(String),
    /// A `requestid` gostage does not answer.
    #[error("unsupported request {0}")]
    UnsupportedRequest(String),
}

/// Checks the `frontend.caps` option (comma list; `+forward` marks a cap the client can do
/// without), as the Dockerfile frontend does (`frontend/dockerfile/builder/caps.go`).
///
/// Errors: the first unknown capability without `+forward`.
pub fn check_caps(option: &str) -> Result<(), RequestError> {
    for entry in option.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (name, flags) = entry.split_once('+').unwrap_or((entry, ""));
        if FRONTEND_CAPS.contains(&name) || flags.split('+').any(|flag| flag == "forward") {
            continue;
        }
        return Err(RequestError::UnsupportedCapability(name.to_string()));
    }
    Ok(())
}

/// Checks a `requestid` value: empty (a build) or one gostage answers.
///
/// Errors: any other id.
pub fn check_request(id: &str) -> Result<(), RequestError> {
    match id {
        BUILD_REQUEST | DESCRIBE | OUTLINE | TARGETS | LINT => Ok(()),
        other => Err(RequestError::UnsupportedRequest(other.to_string())),
    }
}

#[cfg(test)]
mod tests;
