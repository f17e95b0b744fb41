//! The frontend process: talks to BuildKit over stdin/stdout, reads the spec and go.mod,
//! solves the plan and returns refs plus image configs.
//!
//! The call sequence is the one of BuildKit's own Go client and Dockerfile frontend
//! (moby/buildkit): `Ping` first (`frontend/gateway/grpcclient/client.go`, `New`); the
//! options from the environment (`frontend/gateway/gateway.go` sets
//! `BUILDKIT_FRONTEND_OPT_<n>`); the spec file solved from the `dockerfile` local and read
//! (`frontend/dockerui/config.go`, `ReadEntrypoint`); the image configs resolved
//! (`ResolveImageConfig`); one `Solve` per target platform; then one `Return` with the result
//! or the error (`frontend/gateway/pb/gateway.proto`). Every call goes through the
//! [`Daemon`] trait, so the orchestration here runs against the gRPC [`Bridge`] and, in unit
//! tests, against an in-memory daemon.

mod bridge;
mod context;
mod daemon;
mod errors;
pub mod options;
mod result;
mod subrequest;
mod transport;
mod verify;
mod warnings;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use errors::{FrontendError, SOURCE_DETAIL_TYPE};
pub use options::{Environment, OptionsError, SESSION_ID_VARIABLE};

use bridge::Bridge;
use daemon::{Daemon, ImageConfig, ATTESTATIONS_CAP};

use crate::plan::{self, ImageNeed, PlanError, PlanInput, Resolved};
use crate::render::{self, SpecSource};
use crate::vocabulary::{
    BuildRequest, Diagnostic, Healthcheck, Platform, ResolveMode, ResolvedImage,
};

/// Runs the frontend; returns the process exit code (0 when the result was returned).
pub async fn run() -> i32 {
    let channel = match transport::connect().await {
        Ok(channel) => channel,
        Err(error) => {
            eprintln!("gostage: {error}");
            return 1;
        }
    };
    let bridge = match Bridge::connect(channel).await {
        Ok(bridge) => bridge,
        Err(error) => {
            eprintln!("gostage: {error}");
            return 1;
        }
    };
    let outcome = match Environment::from_variables(std::env::vars()) {
        Ok(environment) => serve(&bridge, &environment).await,
        Err(error) => Err(error.into()),
    };
    respond(&bridge, outcome).await
}

/// Returns `outcome` to the daemon (`Return`); the process exit code: 0 when a result was
/// returned, 1 when the build failed or the daemon refused the result.
async fn respond<D: Daemon>(daemon: &D, outcome: Result<BuildResult, FrontendError>) -> i32 {
    match outcome {
        Ok(result) => match daemon.return_result(result).await {
            Ok(()) => 0,
            Err(status) => {
                eprintln!("gostage: returning the result failed: {status}");
                1
            }
        },
        Err(error) => {
            // stderr goes to the daemon's log; the user sees the returned error.
            eprintln!("gostage: {error}");
            if let Err(status) = daemon.return_error(error.to_status()).await {
                eprintln!("gostage: returning the error failed: {status}");
            }
            1
        }
    }
}

/// The spec file as read from the client.
#[derive(Clone)]
struct SpecFile {
    filename: String,
    data: Vec<u8>,
    /// Digest of the op that loaded it: build warnings about the spec attach to this vertex,
    /// one the client has seen (progress drops warnings of unknown vertices).
    vertex: String,
}

impl SpecFile {
    fn error(&self, diagnostic: Diagnostic) -> FrontendError {
        FrontendError::Spec {
            diagnostic,
            filename: self.filename.clone(),
            data: self.data.clone(),
        }
    }

    fn plan_error(&self, error: PlanError) -> FrontendError {
        match error {
            PlanError::Spec(diagnostic) => self.error(diagnostic),
            other => FrontendError::Plan(other),
        }
    }
}

type BuildResult = bollard_buildkit_proto::moby::buildkit::v1::frontend::Result;

/// Checks what the daemon supports and what the client asked for (`environment`: the
/// frontend options, session and workers BuildKit passed), then builds or answers the
/// subrequest (`requestid`, buildx `--call`).
///
/// Errors: the daemon lacks a required capability, an option is invalid, or the build or
/// answer failed.
async fn serve<D: Daemon>(
    daemon: &D,
    environment: &Environment,
) -> Result<BuildResult, FrontendError> {
    daemon::check_caps(daemon)?;
    crate::subrequests::check_caps(environment.option("frontend.caps").unwrap_or_default())?;
    let request_id = environment.option("requestid").unwrap_or_default();
    crate::subrequests::check_request(request_id)?;
    let request = environment.request(daemon.worker_platforms())?;
    match request_id {
        crate::subrequests::BUILD_REQUEST => build(daemon, environment, &request).await,
        id => subrequest::answer(daemon, &request, id).await,
    }
}

/// What every build and the lint subrequest read first: the spec file, the spec, the
/// module's context and where the context's Go modules are.
struct Inputs {
    spec_file: SpecFile,
    spec: crate::spec::Spec,
    context: crate::context::ModuleContext,
    layout: crate::context::Layout,
}

/// Reads the spec and the context facts the plan needs.
///
/// Errors: the spec file is missing or invalid, or the context is (placed in the spec where
/// it can be).
async fn read_inputs<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
) -> Result<Inputs, FrontendError> {
    let spec_file = context::read_spec(daemon, request).await?;
    let spec =
        crate::spec::parse(&spec_file.data).map_err(|diagnostic| spec_file.error(diagnostic))?;
    let (module_context, layout) =
        context::read_module(daemon, request, &spec)
            .await
            .map_err(|error| match error {
                context::ContextError::Spec(diagnostic) => spec_file.error(diagnostic),
                context::ContextError::Frontend(error) => error,
            })?;
    Ok(Inputs {
        spec_file,
        spec,
        context: module_context,
        layout,
    })
}

/// A normal build: read the inputs, send the lint findings as warnings, resolve the images,
/// plan, solve every target platform at once, verify the results and assemble what to
/// return.
///
/// Errors: an SBOM asked of a daemon without result attestations, and any failure of the
/// steps above (a spec problem at its line).
async fn build<D: Daemon>(
    daemon: &D,
    environment: &Environment,
    request: &BuildRequest,
) -> Result<BuildResult, FrontendError> {
    if request.sbom && !daemon.has_cap(ATTESTATIONS_CAP) {
        return Err(FrontendError::SbomUnsupported);
    }
    let Inputs {
        spec_file,
        spec,
        context: module_context,
        layout,
    } = read_inputs(daemon, request).await?;
    warnings::send(daemon, &spec_file, &spec, &module_context, &layout).await;
    let input = PlanInput {
        spec: &spec,
        context: &module_context,
        request,
    };
    let needs = plan::needs(input).map_err(|error| spec_file.plan_error(error))?;
    let resolved = resolve_all(daemon, request, &spec_file, &needs).await?;
    let plan = plan::plan(input, &needs, &resolved).map_err(|error| spec_file.plan_error(error))?;
    let spec_source = SpecSource {
        filename: &spec_file.filename,
        data: &spec_file.data,
    };
    let rendered = render::render(&plan, Some(spec_source))?;
    log_rendered(&rendered);
    // One request per definition, all sent at once (a solve only registers the definition;
    // the daemon builds lazily, when the gate reads).
    let imports = &request.cache_imports;
    let solves = rendered.into_iter().map(|platform| async move {
        let name = format!("build for {}", platform.platform);
        let sbom_solve = async {
            match platform.sbom {
                Some(definition) => {
                    daemon
                        .solve(definition, imports)
                        .await
                        .map(Some)
                        .map_err(|status| {
                            FrontendError::daemon(format!("SBOM for {}", platform.platform), status)
                        })
                }
                None => Ok(None),
            }
        };
        let (id, sbom) = tokio::join!(daemon.solve(platform.definition, imports), sbom_solve);
        Ok::<_, FrontendError>(result::Solved {
            id: id.map_err(|status| FrontendError::daemon(name, status))?,
            platform: platform.platform,
            image_config: platform.image_config,
            sbom: sbom?,
        })
    });
    let solved = futures_util::future::join_all(solves)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let checks = solved
        .iter()
        .zip(&plan.platforms)
        .map(|(solved, planned)| {
            (
                solved.id.clone(),
                solved.platform.clone(),
                planned.verification.clone(),
            )
        })
        .collect();
    // The solves above are lazy: the gate's reads make the daemon build, every platform at
    // once.
    verify::check_all(daemon, &spec_file, checks).await?;
    Ok(result::assemble(solved, environment.multi_platform()))
}

/// Marker before the JSON of the rendered plan in the daemon log.
pub const RENDERED_LOG_MARKER: &str = "gostage rendered plan: ";

/// With `RUST_LOG=gostage=debug` in the frontend image's environment, writes the rendered
/// plan to the daemon log as one line of the JSON `gostage llb` prints (after
/// [`RENDERED_LOG_MARKER`]), so a build's definitions can be compared with the CLI's.
fn log_rendered(rendered: &[render::RenderedPlatform]) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    match render::json::platforms_json(rendered, "resolved by the daemon") {
        Ok(value) => tracing::debug!("{RENDERED_LOG_MARKER}{value}"),
        Err(error) => tracing::debug!("the rendered plan cannot be shown: {error}"),
    }
}

/// Resolves every image of `needs` at once, so a build waits for one registry round trip
/// rather than one per image and platform.
///
/// Errors: the first failed image in the order builder, frontend, then per platform base and
/// busybox (see [`resolve`]).
async fn resolve_all<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
    spec_file: &SpecFile,
    needs: &plan::Needs,
) -> Result<Resolved, FrontendError> {
    let busybox_help = format!(
        "the debug target's shell; replace it with --build-context {}=docker-image://REFERENCE",
        plan::BUSYBOX
    );
    let mode = request.resolve_mode;
    let builder = resolve(
        daemon,
        mode,
        spec_file,
        &needs.builder,
        &request.build_platform,
        "the builder image, derived from go.mod; set `builder:` to choose another",
    );
    let frontend = resolve(
        daemon,
        mode,
        spec_file,
        &needs.frontend,
        &request.frontend_platform,
        "gostage's own image, which builder steps run gostage from",
    );
    let per_platform = needs.platforms.iter().map(|platform| {
        let busybox_help = busybox_help.as_str();
        async move {
            let base = async {
                match &needs.base {
                    Some(need) => resolve(
                        daemon,
                        mode,
                        spec_file,
                        need,
                        platform,
                        "the final stage's base image; set `image.base` to choose another",
                    )
                    .await
                    .map(Some),
                    None => Ok(None),
                }
            };
            let busybox = async {
                match &needs.busybox {
                    Some(need) => resolve(daemon, mode, spec_file, need, platform, busybox_help)
                        .await
                        .map(Some),
                    None => Ok(None),
                }
            };
            let (base, busybox) = tokio::join!(base, busybox);
            (platform, base, busybox)
        }
    });
    let (builder, frontend, per_platform) = tokio::join!(
        builder,
        frontend,
        futures_util::future::join_all(per_platform)
    );
    let mut resolved = Resolved {
        builder: builder?,
        frontend: frontend?,
        bases: BTreeMap::new(),
        busyboxes: BTreeMap::new(),
    };
    for (platform, base, busybox) in per_platform {
        if let Some(base) = base? {
            resolved.bases.insert(platform.clone(), base);
        }
        if let Some(busybox) = busybox? {
            resolved.busyboxes.insert(platform.clone(), busybox);
        }
    }
    Ok(resolved)
}

/// Resolves the config of the image `need` for `platform`. An image written in the spec fails
/// at its line; one gostage chose itself fails with `derived`, which says what it is for and
/// how to choose another.
///
/// Errors: the daemon cannot resolve it, or its config is not an image config.
async fn resolve<D: Daemon>(
    daemon: &D,
    resolve_mode: ResolveMode,
    spec_file: &SpecFile,
    need: &ImageNeed,
    platform: &Platform,
    derived: &str,
) -> Result<ResolvedImage, FrontendError> {
    let reference = &need.reference.normalized;
    let log_name = format!("[internal] load metadata for {reference}");
    match daemon
        .resolve_image_config(reference, platform, resolve_mode, &log_name)
        .await
    {
        Ok(ImageConfig { digest, config }) => {
            let parsed =
                serde_json::from_slice(&config).map_err(|source| FrontendError::ImageConfig {
                    reference: reference.clone(),
                    source,
                })?;
            Ok(ResolvedImage {
                reference: need.reference.pinned(&digest),
                config: parsed,
                healthcheck: Healthcheck::of_config(&config),
            })
        }
        Err(status) if need.written.span.line > 0 => Err(spec_file.error(
            Diagnostic::new(
                need.written.span,
                format!(
                    "cannot resolve image `{}`: {}",
                    need.written.value,
                    status.message()
                ),
            )
            .with_help("check the image name and tag, and that the registry is reachable"),
        )),
        Err(status) => Err(FrontendError::daemon(
            format!("resolve image {reference} ({derived})"),
            status,
        )),
    }
}
