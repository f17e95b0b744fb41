//! Answering a subrequest (`requestid`, buildx `--call`): read what the answer needs, build
//! the document (`crate::subrequests`) and return it as metadata only, with no ref
//! (`frontend/gateway/gateway.go` accepts a result whose oneof is unset).

use bollard_buildkit_proto::moby::buildkit::v1::frontend::Result as BuildResult;

use super::context;
use super::daemon::Daemon;
use super::errors::FrontendError;
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
/// context becomes the document's build error.
async fn lint_answer<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
) -> Result<Answer, FrontendError> {
    match super::read_inputs(daemon, request).await {
        Ok(inputs) => {
            let findings = lint::check(LintInput {
                spec_file: &inputs.spec_file.data,
                spec: &inputs.spec,
                context: &inputs.context,
                layout: Some(&inputs.layout),
                scope: Scope::Build,
            });
            let source = SpecSource {
                filename: &inputs.spec_file.filename,
                data: &inputs.spec_file.data,
            };
            Ok(subrequests::lint(source, LintOutcome::Findings(&findings)))
        }
        Err(FrontendError::Spec {
            diagnostic,
            filename,
            data,
        }) => {
            let source = SpecSource {
                filename: &filename,
                data: &data,
            };
            Ok(subrequests::lint(source, LintOutcome::Invalid(&diagnostic)))
        }
        Err(other) => Err(other),
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
