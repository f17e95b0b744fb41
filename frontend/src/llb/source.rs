//! Source ops: container images and the client's local directories.
//!
//! Identifiers and attribute names: `solver/pb/attr.go` and `source/identifier.go` in
//! BuildKit (`local.includepattern` is singular, `local.excludepatterns` plural).

use bollard_buildkit_proto::pb;

use super::constraints::Constraints;
use super::graph::{Node, Output};
use crate::vocabulary::{Platform, ResolveMode};

/// A `docker-image://` source: `Image::new(reference).resolve_mode(mode).build(&c, name)`.
#[derive(Clone, Debug)]
pub struct Image {
    reference: String,
    resolve_mode: ResolveMode,
}

impl Image {
    /// The image `reference`, already normalised (e.g.
    /// `docker.io/library/golang:1.23@sha256:…`).
    pub fn new(reference: &str) -> Self {
        Self {
            reference: reference.to_string(),
            resolve_mode: ResolveMode::Default,
        }
    }

    /// How the daemon finds the image (`image.resolvemode`); the default writes no attr.
    pub fn resolve_mode(mut self, mode: ResolveMode) -> Self {
        self.resolve_mode = mode;
        self
    }

    /// The op, named `name`; `constraints` should give the platform to pull.
    pub fn build(self, constraints: &Constraints, name: &str) -> Output {
        let mut source = pb::SourceOp {
            identifier: format!("docker-image://{}", self.reference),
            ..Default::default()
        };
        let mut caps = vec!["source.image"];
        if self.resolve_mode != ResolveMode::Default {
            source.attrs.insert(
                "image.resolvemode".into(),
                self.resolve_mode.as_str().into(),
            );
            caps.push("source.image.resolvemode");
        }
        let body = pb::op::Op::Source(source);
        Output::new(Node::new(body, Vec::new(), constraints, name, caps), 0)
    }
}

/// A `local://<name>` source: a directory the client exposes through its session.
#[derive(Clone, Debug, Default)]
pub struct Local {
    directory: String,
    session_id: String,
    include_patterns: Vec<String>,
    exclude_patterns: Vec<String>,
    follow_paths: Vec<String>,
    shared_key_hint: String,
}

impl Local {
    /// The client directory that the client session names `directory` (`context`,
    /// `dockerfile`; `--local NAME=PATH` of buildctl).
    pub fn new(directory: &str) -> Self {
        Self {
            directory: directory.to_string(),
            ..Default::default()
        }
    }

    /// `BUILDKIT_SESSION_ID`, the client session that serves the directory
    /// (`local.session`).
    pub fn session(mut self, session_id: &str) -> Self {
        self.session_id = session_id.to_string();
        self
    }

    /// Only paths matching these patterns (`local.includepattern`).
    pub fn include(mut self, patterns: Vec<String>) -> Self {
        self.include_patterns = patterns;
        self
    }

    /// Never these paths (`local.excludepatterns`), e.g. from `.dockerignore`.
    pub fn exclude(mut self, patterns: Vec<String>) -> Self {
        self.exclude_patterns = patterns;
        self
    }

    /// Only these paths and their parents (`local.followpaths`).
    pub fn follow(mut self, paths: Vec<String>) -> Self {
        self.follow_paths = paths;
        self
    }

    /// Lets the daemon reuse the transfer directory of earlier builds
    /// (`local.sharedkeyhint`).
    pub fn shared_key_hint(mut self, hint: &str) -> Self {
        self.shared_key_hint = hint.to_string();
        self
    }

    /// The op, shown in progress as `progress_name`.
    pub fn build(self, constraints: &Constraints, progress_name: &str) -> Output {
        let mut source = pb::SourceOp {
            identifier: format!("local://{}", self.directory),
            ..Default::default()
        };
        let mut caps = vec!["source.local", "source.local.sessionid"];
        // An empty attr value is left out: see "Encoding" in the module docs.
        if !self.session_id.is_empty() {
            source
                .attrs
                .insert("local.session".into(), self.session_id.clone());
        }
        let lists = [
            (
                "local.includepattern",
                &self.include_patterns,
                "source.local.includepatterns",
            ),
            (
                "local.excludepatterns",
                &self.exclude_patterns,
                "source.local.excludepatterns",
            ),
            (
                "local.followpaths",
                &self.follow_paths,
                "source.local.followpaths",
            ),
        ];
        for (key, values, cap) in lists {
            // An empty list means "no filter": the attr is omitted, as the Go client does.
            if !values.is_empty() {
                source.attrs.insert(key.into(), json_list(values));
                caps.push(cap);
            }
        }
        if !self.shared_key_hint.is_empty() {
            source
                .attrs
                .insert("local.sharedkeyhint".into(), self.shared_key_hint.clone());
            caps.push("source.local.sharedkeyhint");
        }
        let body = pb::op::Op::Source(source);
        Output::new(
            Node::new(body, Vec::new(), constraints, progress_name, caps),
            0,
        )
    }
}

/// The wire form of `platform` for ops and `ResolveImageConfig` (`pb.Platform`, ops.proto).
pub fn platform(platform: &Platform) -> pb::Platform {
    pb::Platform {
        os: platform.os.clone(),
        architecture: platform.architecture.clone(),
        variant: platform.variant.clone(),
        ..Default::default()
    }
}

/// A JSON array of strings, as Go's `json.Marshal([]string)` writes it.
fn json_list(values: &[String]) -> String {
    serde_json::Value::from(values.to_vec()).to_string()
}
