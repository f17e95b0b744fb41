//! Source ops: container images and the client's local directories.
//!
//! Identifiers and attribute names: `solver/pb/attr.go` and `source/identifier.go` in
//! BuildKit (`local.includepattern` is singular, `local.excludepatterns` plural).

use bollard_buildkit_proto::pb;

use super::graph::{Node, Output};
use crate::vocabulary::{Platform, ResolveMode};

/// A `docker-image://` source for `reference` (already normalised, e.g.
/// `docker.io/library/golang:1.23@sha256:…`) on `platform`.
pub fn image(reference: &str, platform: &pb::Platform, mode: ResolveMode, name: &str) -> Output {
    let mut source = pb::SourceOp {
        identifier: format!("docker-image://{reference}"),
        ..Default::default()
    };
    let mut caps = vec!["source.image"];
    if mode != ResolveMode::Default {
        source
            .attrs
            .insert("image.resolvemode".into(), mode.as_str().into());
        caps.push("source.image.resolvemode");
    }
    let op = pb::Op {
        op: Some(pb::op::Op::Source(source)),
        platform: Some(platform.clone()),
        ..Default::default()
    };
    Output::new(source_node(op, name, caps), 0)
}

/// What to transfer from a client directory (`local://<name>`).
#[derive(Clone, Debug, Default)]
pub struct LocalOptions {
    /// `BUILDKIT_SESSION_ID`, the client session that serves the directory.
    pub session_id: String,
    /// Only paths matching these patterns (`local.includepattern`).
    pub include_patterns: Vec<String>,
    /// Never these paths (`local.excludepatterns`), e.g. from `.dockerignore`.
    pub exclude_patterns: Vec<String>,
    /// Only these paths and their parents (`local.followpaths`).
    pub follow_paths: Vec<String>,
    /// Lets the daemon reuse the transfer directory of earlier builds (`local.sharedkeyhint`).
    pub shared_key_hint: String,
}

/// A `local://<name>` source: a directory the client exposes through its session.
pub fn local(name: &str, options: &LocalOptions, progress_name: &str) -> Output {
    let mut source = pb::SourceOp {
        identifier: format!("local://{name}"),
        ..Default::default()
    };
    let mut caps = vec!["source.local", "source.local.sessionid"];
    // Go writes an empty map value explicitly and prost omits it, so an empty value would
    // change the op's digest inside the daemon: leave empty attrs out.
    if !options.session_id.is_empty() {
        source
            .attrs
            .insert("local.session".into(), options.session_id.clone());
    }
    let lists = [
        (
            "local.includepattern",
            &options.include_patterns,
            "source.local.includepatterns",
        ),
        (
            "local.excludepatterns",
            &options.exclude_patterns,
            "source.local.excludepatterns",
        ),
        (
            "local.followpaths",
            &options.follow_paths,
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
    if !options.shared_key_hint.is_empty() {
        source.attrs.insert(
            "local.sharedkeyhint".into(),
            options.shared_key_hint.clone(),
        );
        caps.push("source.local.sharedkeyhint");
    }
    let op = pb::Op {
        op: Some(pb::op::Op::Source(source)),
        ..Default::default()
    };
    Output::new(source_node(op, progress_name, caps), 0)
}

fn source_node(op: pb::Op, name: &str, caps: Vec<&'static str>) -> Node {
    Node {
        op,
        inputs: Vec::new(),
        name: name.to_string(),
        caps,
        location: None,
        ignore_cache: false,
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
