//! Answering a subrequest (`requestid`, buildx `--call`): read what the answer needs, build
//! the document (`crate::subrequests`) and return it as metadata only, with no ref
//! (`frontend/gateway/gateway.go` accepts a result whose oneof is unset).

use bollard_buildkit_proto::moby::buildkit::v1::frontend::Result as BuildResult;

use super::bridge::Bridge;
use super::context;
use super::errors::FrontendError;
use crate::lint::{self, LintInput, Scope};
use crate::subrequests::{self, Answer, LintOutcome, SpecSource};
use crate::vocabulary::BuildRequest;

/// The answer to subrequest `id` (one [`subrequests::check_request`] accepted).
///
/// Errors: the spec cannot be read (outline and targets also fail on an invalid spec; lint
/// reports it in its document), or the transfer failed.
pub async fn answer(
    bridge: &mut Bridge,
    request: &BuildRequest,
    id: &str,
) -> Result<BuildResult, FrontendError> {
    let answer = match id {
        subrequests::DESCRIBE => subrequests::describe(),
        subrequests::LINT => lint_answer(bridge, request).await?,
        _ => {
            let spec_file = context::read_spec(bridge, request).await?;
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

/// Runs the lint rules as a build would see the spec; an invalid spec or context becomes the
/// document's build error.
async fn lint_answer(bridge: &mut Bridge, request: &BuildRequest) -> Result<Answer, FrontendError> {
    let spec_file = context::read_spec(bridge, request).await?;
    let source = SpecSource {
        filename: &spec_file.filename,
        data: &spec_file.data,
    };
    let spec = match crate::spec::parse(&spec_file.data) {
        Ok(spec) => spec,
        Err(diagnostic) => return Ok(subrequests::lint(source, LintOutcome::Invalid(&diagnostic))),
    };
    let module_context = match context::read_module(bridge, request, &spec).await {
        Ok(module_context) => module_context,
        Err(context::ContextError::Spec(diagnostic)) => {
            return Ok(subrequests::lint(source, LintOutcome::Invalid(&diagnostic)))
        }
        Err(context::ContextError::Frontend(error)) => return Err(error),
    };
    let findings = lint::check(LintInput {
        spec_file: &spec_file.data,
        spec: &spec,
        context: &module_context,
        scope: Scope::Build,
    });
    Ok(subrequests::lint(source, LintOutcome::Findings(&findings)))
}

/// A result with only metadata.
fn metadata_result(answer: &Answer) -> Result<BuildResult, FrontendError> {
    let metadata = answer
        .metadata()
        .map_err(|error| FrontendError::Other(format!("the answer cannot be written: {error}")))?;
    Ok(BuildResult {
        metadata: metadata.into_iter().collect(),
        ..Default::default()
    })
}
