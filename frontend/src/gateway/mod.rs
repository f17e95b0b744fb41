//! The frontend process: talks to BuildKit over stdin/stdout, reads the spec and go.mod,
//! solves the plan and returns refs plus image configs (call sequence:
//! shared/research/buildkit-gateway.md, appendix A).

mod bridge;
mod context;
mod errors;
pub mod options;
mod result;
mod transport;

use std::collections::BTreeMap;

pub use errors::{FrontendError, SOURCE_DETAIL_TYPE};
pub use options::{Environment, SESSION_ID_VARIABLE};

use bridge::Bridge;

use crate::llb;
use crate::plan::{self, reference, BuildRequest, Platform, ResolvedImage};
use crate::spec::{Base, Located};

/// Runs the frontend; returns the process exit code (0 when the result was returned).
pub async fn run() -> i32 {
    let environment = Environment::from_variables(std::env::vars());
    let channel = match transport::connect().await {
        Ok(channel) => channel,
        Err(error) => {
            eprintln!("gostage: {error}");
            return 1;
        }
    };
    let mut bridge = match Bridge::connect(channel).await {
        Ok(bridge) => bridge,
        Err(error) => {
            eprintln!("gostage: {error}");
            return 1;
        }
    };
    let outcome = build(&mut bridge, &environment).await;
    let returned = match &outcome {
        Ok(result) => bridge.return_result(result.clone()).await,
        Err(error) => bridge.return_error(error).await,
    };
    match (outcome, returned) {
        (Ok(_), Ok(())) => 0,
        (Err(error), _) => {
            // stderr goes to the daemon's log; the user sees the returned error.
            eprintln!("gostage: {error}");
            1
        }
        (Ok(_), Err(status)) => {
            eprintln!("gostage: returning the result failed: {status}");
            1
        }
    }
}

/// The spec file as read from the client.
struct SpecFile {
    filename: String,
    data: Vec<u8>,
}

impl SpecFile {
    fn error(&self, diagnostic: crate::diagnostic::Diagnostic) -> FrontendError {
        FrontendError::Spec {
            diagnostic,
            filename: self.filename.clone(),
            data: self.data.clone(),
        }
    }
}

async fn build(
    bridge: &mut Bridge,
    environment: &Environment,
) -> Result<bollard_buildkit_proto::moby::buildkit::v1::frontend::Result, FrontendError> {
    bridge.check_caps()?;
    let mut request = environment
        .request(&bridge.worker_platforms)
        .map_err(FrontendError::Other)?;
    let spec_file = context::read_spec(bridge, &request).await?;
    let spec =
        crate::spec::parse(&spec_file.data).map_err(|diagnostic| spec_file.error(diagnostic))?;
    let (module, ignore_patterns) = context::read_module(bridge, &request, &spec)
        .await
        .map_err(|error| match error {
            context::ContextError::Spec(diagnostic) => spec_file.error(diagnostic),
            context::ContextError::Frontend(error) => error,
        })?;
    request.ignore_patterns = ignore_patterns;
    // Result attestations exist from BuildKit v0.11 (gateway cap `reference.attestations`).
    if request.sbom && !bridge.has_cap("reference.attestations") {
        return Err(FrontendError::Other(
            "this BuildKit cannot attach an SBOM to a result (it lacks the reference.attestations capability); use BuildKit v0.11 or newer, or build without --sbom".into(),
        ));
    }
    let builder_written = plan::builder_reference(&spec, &module);
    let builder = resolve(
        bridge,
        &request,
        &spec_file,
        &builder_written,
        &request.build_platform,
    )
    .await?;
    let platforms = plan::target_platforms(&spec, &request)
        .map_err(|diagnostic| spec_file.error(diagnostic))?;
    let mut bases = BTreeMap::new();
    if let Base::Image(base) = &spec.image.base {
        for platform in &platforms {
            bases.insert(
                platform.clone(),
                resolve(bridge, &request, &spec_file, base, platform).await?,
            );
        }
    }
    let input = plan::PlanInput {
        spec: &spec,
        module: &module,
        request: &request,
        builder: &builder,
        bases: &bases,
    };
    let plan = plan::plan(input).map_err(|diagnostic| spec_file.error(diagnostic))?;
    let spec_source = Some((spec_file.filename.as_str(), spec_file.data.as_slice()));
    let mut solved = Vec::new();
    for platform_result in plan.results {
        let platform = platform_result.platform;
        let definition = llb::marshal(&platform_result.output, spec_source).definition;
        let id = bridge
            .solve(definition, &format!("build for {platform}"))
            .await?;
        let sbom = match &platform_result.sbom {
            Some(sbom) => {
                let definition = llb::marshal(sbom, spec_source).definition;
                Some(
                    bridge
                        .solve(definition, &format!("SBOM for {platform}"))
                        .await?,
                )
            }
            None => None,
        };
        solved.push(result::Solved {
            platform,
            id,
            image_config: platform_result.image_config,
            sbom,
        });
    }
    result::assemble(solved, environment.multi_platform())
}

/// Resolves the config of image `written` (after named-context replacement) for `platform`.
async fn resolve(
    bridge: &mut Bridge,
    request: &BuildRequest,
    spec_file: &SpecFile,
    written: &Located<String>,
    platform: &Platform,
) -> Result<ResolvedImage, FrontendError> {
    let normalized = plan::resolve_image(written, &request.named_contexts)
        .map_err(|diagnostic| spec_file.error(diagnostic))?;
    let log_name = format!("[internal] load metadata for {normalized}");
    match bridge.resolve_image_config(&normalized, platform, request.resolve_mode.as_str(), &log_name).await {
        Ok((digest, config)) => {
            let config = serde_json::from_slice(&config)
                .map_err(|error| FrontendError::Other(format!("the config of image {normalized} is not JSON: {error}")))?;
            Ok(ResolvedImage { reference: reference::pinned(&normalized, &digest), config })
        }
        Err(status) if written.span.line > 0 => Err(spec_file.error(
            crate::diagnostic::Diagnostic::new(written.span, format!("cannot resolve image `{}`: {}", written.value, status.message()))
                .with_help("check the image name and tag, and that the registry is reachable"),
        )),
        Err(status) => Err(FrontendError::daemon(
            format!("resolve builder image {normalized} (derived from go.mod; set `builder:` to choose another)"),
            status,
        )),
    }
}
