//! Answering a subrequest (`requestid`, buildx `--call`): read what the answer needs, build
//! the document (`crate::subrequests`) and return it as metadata only, with no ref
//! (`frontend/gateway/gateway.go` accepts a result whose oneof is unset).

use bollard_buildkit_proto::moby::buildkit::v1::frontend::Result as BuildResult;

use super::context::{self, ContextError};
use super::daemon::Daemon;
use super::errors::FrontendError;
use crate::context::LayoutError;
use crate::lint::{self, LintInput, Scope};
use crate::subrequests::{self, Answer, LintOutcome, SpecSource};
use crate::vocabulary::BuildRequest;

/// The answer to subrequest `id` (one [`subrequests::check_request`] accepted).
///
/// Errors: the spec cannot be read (outline and targets also fail on an invalid spec; lint
/// reports it in its document), or the transfer failed.
pub async fn answer<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
    id: &str,
) -> Result<BuildResult, FrontendError> {
    let answer = match id {
        subrequests::DESCRIBE => subrequests::describe(),
        subrequests::LINT => lint_answer(daemon, request).await?,
        _ => {
            let spec_file = context::read_spec(daemon, request).await?;
            let spec = crate::spec::parse(&spec_file.data)
                .map_err(|diagnostic| spec_file.error(diagnostic))?;
            let source = SpecSource {
                filename: &spec_file.filename,
                data: &spec_file.data,
            };
            match id {
                subrequests::OUTLINE => subrequests::outline(source, &spec, request),
                _ => subrequests::targets(source, &spec),
            }
        }
    };
    metadata_result(&answer)
}

/// Runs the lint rules on what a build reads (the spec and the context); an invalid spec or
/// context becomes the document's build error, placed in the spec or in the go.mod or
/// go.work at fault.
async fn lint_answer<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
) -> Result<Answer, FrontendError> {
    let spec_file = context::read_spec(daemon, request).await?;
    let source = SpecSource {
        filename: &spec_file.filename,
        data: &spec_file.data,
    };
    let spec = match crate::spec::parse(&spec_file.data) {
        Ok(spec) => spec,
        Err(diagnostic) => return Ok(subrequests::lint(source, LintOutcome::Invalid(&diagnostic))),
    };
    match context::read_module(daemon, request, &spec).await {
        Ok((module_context, layout)) => {
            let findings = lint::check(LintInput {
                spec_file: &spec_file.data,
                spec: &spec,
                context: &module_context,
                layout: Some(&layout),
                scope: Scope::Build,
            });
            Ok(subrequests::lint(source, LintOutcome::Findings(&findings)))
        }
        Err(ContextError::Spec(diagnostic)) => {
            Ok(subrequests::lint(source, LintOutcome::Invalid(&diagnostic)))
        }
        Err(ContextError::Frontend(FrontendError::Layout(LayoutError::File(problem)))) => Ok(
            subrequests::lint(source, LintOutcome::InvalidFile(&problem)),
        ),
        Err(ContextError::Frontend(other)) => Err(other),
    }
}

/// A result with only metadata.
fn metadata_result(answer: &Answer) -> Result<BuildResult, FrontendError> {
    let metadata = answer.metadata().map_err(FrontendError::Answer)?;
    Ok(BuildResult {
        metadata: metadata.into_iter().collect(),
        ..Default::default()
    })
}
