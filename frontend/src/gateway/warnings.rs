//! Lint findings of a normal build, sent as build warnings through the gateway's `Warn` RPC
//! (gateway cap `gateway.warnings`, BuildKit v0.10+; `frontend/gateway/pb/gateway.proto`).
//! buildx prints them after the build (`N warnings found`) and, with `--debug` or in plain
//! progress, with the spec line. Daemons without the cap (Docker Engine 20.10) get none.

use bollard_buildkit_proto::moby::buildkit::v1::frontend::WarnRequest;
use bollard_buildkit_proto::pb;

use super::daemon::{Daemon, WARNINGS_CAP};
use super::SpecFile;
use crate::context::{Layout, ModuleContext};
use crate::lint::{self, Finding, Level, LintInput, Scope};
use crate::spec::Spec;

/// Runs the lint rules and sends each finding as a warning on the vertex that loaded the spec.
/// A refused warning is logged, never fatal: warnings must not fail a build.
pub async fn send<D: Daemon>(
    daemon: &D,
    spec_file: &SpecFile,
    spec: &Spec,
    context: &ModuleContext,
    layout: &Layout,
) {
    if !daemon.has_cap(WARNINGS_CAP) {
        return;
    }
    let findings = lint::check(LintInput {
        spec_file: &spec_file.data,
        spec,
        context,
        layout: Some(layout),
        scope: Scope::Build,
    });
    for finding in &findings {
        if let Err(status) = daemon.warn(warning(spec_file, finding)).await {
            tracing::warn!("the daemon refused warning {}: {status}", finding.rule.name);
        }
    }
}

/// The `Warn` request of `finding`: the Dockerfile frontend's form (`short` = `Rule: message
/// (line N)`, `detail` = the rule's description; `frontend/dockerfile/linter/linter.go`) with
/// the spec file as source and the finding's line as range. Levels: BuildKit treats 0 as 1
/// and the Dockerfile frontend sends 1 for every warning; gostage sends 1 for Info and
/// Warning and 2 for Error.
fn warning(spec_file: &SpecFile, finding: &Finding) -> WarnRequest {
    let line = i32::try_from(finding.span.line).unwrap_or(0);
    let short = match line {
        0 => format!("{}: {}", finding.rule.name, finding.message),
        line => format!("{}: {} (line {line})", finding.rule.name, finding.message),
    };
    let (info, ranges) = match line {
        0 => (None, Vec::new()),
        line => {
            let position = pb::Position { line, character: 0 };
            (
                Some(pb::SourceInfo {
                    filename: spec_file.filename.clone(),
                    data: spec_file.data.clone(),
                    language: "YAML".into(),
                    ..Default::default()
                }),
                vec![pb::Range {
                    start: Some(position),
                    end: Some(position),
                }],
            )
        }
    };
    WarnRequest {
        digest: spec_file.vertex.clone(),
        level: match finding.rule.level {
            Level::Info | Level::Warning => 1,
            Level::Error => 2,
        },
        short: short.into_bytes(),
        detail: vec![finding.rule.description.as_bytes().to_vec()],
        url: String::new(),
        info,
        ranges,
    }
}
