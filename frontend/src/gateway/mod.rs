//! The frontend process: talks to BuildKit over stdin/stdout, reads the spec and go.mod,
//! solves the plan and returns refs plus image configs (call sequence:
//! shared/research/buildkit-gateway.md, appendix A).

mod bridge;
mod context;
mod errors;
pub mod options;
mod result;
mod subrequest;
mod transport;
mod verify;
mod warnings;

use std::collections::BTreeMap;

pub use errors::{FrontendError, SOURCE_DETAIL_TYPE};
pub use options::{Environment, OptionsError, SESSION_ID_VARIABLE};

use bridge::Bridge;

use crate::plan::{self, ImageNeed, PlanError, PlanInput, Resolved};
use crate::render::{self, SpecSource};
use crate::vocabulary::{BuildRequest, Diagnostic, Healthcheck, Platform, ResolvedImage};

/// Runs the frontend; returns the process exit code (0 when the result was returned).
pub async fn run() -> i32 {
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
    let outcome = serve(&mut bridge).await;
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

/// Checks what the client asked for, then builds or answers the subrequest (`requestid`,
/// buildx `--call`).
async fn serve(bridge: &mut Bridge) -> Result<BuildResult, FrontendError> {
    bridge.check_caps()?;
    let environment = Environment::from_variables(std::env::vars())?;
    crate::subrequests::check_caps(environment.option("frontend.caps").unwrap_or_default())?;
    let request_id = environment.option("requestid").unwrap_or_default();
    crate::subrequests::check_request(request_id)?;
    let request = environment.request(&bridge.worker_platforms)?;
    match request_id {
        crate::subrequests::BUILD_REQUEST => build(bridge, &environment, &request).await,
        id => subrequest::answer(bridge, &request, id).await,
    }
}

/// What every build and the lint subrequest read first: the spec file, the spec and the
/// module's context.
struct Inputs {
    spec_file: SpecFile,
    spec: crate::spec::Spec,
    context: crate::context::ModuleContext,
}

/// Reads the spec and the context facts the plan needs.
///
/// Errors: the spec file is missing or invalid, or the context is (placed in the spec where
/// it can be).
async fn read_inputs(bridge: &mut Bridge, request: &BuildRequest) -> Result<Inputs, FrontendError> {
    let spec_file = context::read_spec(bridge, request).await?;
    let spec =
        crate::spec::parse(&spec_file.data).map_err(|diagnostic| spec_file.error(diagnostic))?;
    let module_context = context::read_module(bridge, request, &spec)
        .await
        .map_err(|error| match error {
            context::ContextError::Spec(diagnostic) => spec_file.error(diagnostic),
            context::ContextError::Frontend(error) => error,
        })?;
    Ok(Inputs {
        spec_file,
        spec,
        context: module_context,
    })
}

async fn build(
    bridge: &mut Bridge,
    environment: &Environment,
    request: &BuildRequest,
) -> Result<BuildResult, FrontendError> {
    // Result attestations exist from BuildKit v0.11 (gateway cap `reference.attestations`).
    if request.sbom && !bridge.has_cap("reference.attestations") {
        return Err(FrontendError::Other(
            "this BuildKit cannot attach an SBOM to a result (it lacks the reference.attestations capability); use BuildKit v0.11 or newer, or build without --sbom".into(),
        ));
    }
    let Inputs {
        spec_file,
        spec,
        context: module_context,
    } = read_inputs(bridge, request).await?;
    warnings::send(bridge, &spec_file, &spec, &module_context).await;
    let input = PlanInput {
        spec: &spec,
        context: &module_context,
        request,
    };
    let needs = plan::needs(input).map_err(|error| spec_file.plan_error(error))?;
    let resolved = resolve_all(bridge, request, &spec_file, &needs).await?;
    let plan = plan::plan(input, &needs, &resolved).map_err(|error| spec_file.plan_error(error))?;
    let spec_source = SpecSource {
        filename: &spec_file.filename,
        data: &spec_file.data,
    };
    let rendered = render::render(&plan, Some(spec_source))?;
    log_rendered(&rendered);
    // One request per definition, all sent at once (a solve only registers the definition;
    // the daemon builds lazily, when the gate reads).
    let solves = rendered.into_iter().map(|platform| {
        let (mut main, mut sbom) = (bridge.clone(), bridge.clone());
        let imports = &request.cache_imports;
        async move {
            let name = format!("build for {}", platform.platform);
            let sbom_name = format!("SBOM for {}", platform.platform);
            let sbom_solve = async {
                match platform.sbom {
                    Some(definition) => sbom.solve(definition, imports, &sbom_name).await.map(Some),
                    None => Ok(None),
                }
            };
            let (id, sbom) =
                tokio::join!(main.solve(platform.definition, imports, &name), sbom_solve);
            Ok::<_, FrontendError>(result::Solved {
                platform: platform.platform,
                id: id?,
                image_config: platform.image_config,
                sbom: sbom?,
            })
        }
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
    verify::check_all(bridge, &spec_file, checks).await?;
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

/// Which field of [`Resolved`] a resolution fills.
enum Slot {
    Builder,
    Frontend,
    Base(Platform),
    Busybox(Platform),
}

/// Resolves every image of `needs` at once, each on its own clone of the bridge, so a build
/// waits for one registry round trip rather than one per image and platform.
///
/// Errors: the first failed image in the order builder, frontend, then per platform base and
/// busybox (see [`resolve`]).
async fn resolve_all(
    bridge: &Bridge,
    request: &BuildRequest,
    spec_file: &SpecFile,
    needs: &plan::Needs,
) -> Result<Resolved, FrontendError> {
    let busybox_help = format!(
        "the debug target's shell; replace it with --build-context {}=docker-image://REFERENCE",
        plan::BUSYBOX
    );
    let build_platform = &request.build_platform;
    let mut jobs = vec![
        (
            Slot::Builder,
            needs.builder.clone(),
            build_platform.clone(),
            "the builder image, derived from go.mod; set `builder:` to choose another".to_string(),
        ),
        (
            Slot::Frontend,
            needs.frontend.clone(),
            request.frontend_platform.clone(),
            "gostage's own image, which builder steps run gostage from".to_string(),
        ),
    ];
    for platform in &needs.platforms {
        if let Some(base) = &needs.base {
            jobs.push((
                Slot::Base(platform.clone()),
                base.clone(),
                platform.clone(),
                String::new(),
            ));
        }
        if let Some(busybox) = &needs.busybox {
            let slot = Slot::Busybox(platform.clone());
            jobs.push((
                slot,
                busybox.clone(),
                platform.clone(),
                busybox_help.clone(),
            ));
        }
    }
    let mode = request.resolve_mode.as_str();
    let resolutions = jobs.iter().map(|(_, need, platform, derived)| {
        let mut bridge = bridge.clone();
        async move { resolve(&mut bridge, mode, spec_file, need, platform, derived).await }
    });
    let images = futures_util::future::join_all(resolutions).await;
    let (mut builder, mut frontend) = (None, None);
    let (mut bases, mut busyboxes) = (BTreeMap::new(), BTreeMap::new());
    for ((slot, ..), image) in jobs.into_iter().zip(images) {
        let image = image?;
        match slot {
            Slot::Builder => builder = Some(image),
            Slot::Frontend => frontend = Some(image),
            Slot::Base(platform) => {
                bases.insert(platform, image);
            }
            Slot::Busybox(platform) => {
                busyboxes.insert(platform, image);
            }
        }
    }
    let (Some(builder), Some(frontend)) = (builder, frontend) else {
        return Err(FrontendError::Other(
            "the builder or frontend image was not resolved".into(),
        ));
    };
    Ok(Resolved {
        builder,
        frontend,
        bases,
        busyboxes,
    })
}

/// Resolves the config of the image `need` for `platform`. An image written in the spec fails
/// at its line; one gostage chose itself fails with `derived`, which says what it is for and
/// how to choose another.
async fn resolve(
    bridge: &mut Bridge,
    resolve_mode: &str,
    spec_file: &SpecFile,
    need: &ImageNeed,
    platform: &Platform,
    derived: &str,
) -> Result<ResolvedImage, FrontendError> {
    let reference = &need.reference.normalized;
    let log_name = format!("[internal] load metadata for {reference}");
    match bridge
        .resolve_image_config(reference, platform, resolve_mode, &log_name)
        .await
    {
        Ok((digest, bytes)) => {
            let config = serde_json::from_slice(&bytes).map_err(|error| {
                FrontendError::Other(format!(
                    "the config of image {reference} is not an image config: {error}"
                ))
            })?;
            let healthcheck = Healthcheck::of_config(&bytes);
            Ok(ResolvedImage {
                reference: need.reference.pinned(&digest),
                config,
                healthcheck,
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
