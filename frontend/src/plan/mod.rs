//! Spec + Go module + build request → a [`Plan`]: per target platform, the LLB of the
//! filesystem to return (and of the SBOM), and the settings of the image config.
//!
//! Pure: no I/O. Two phases, so the gateway does all the talking: [`needs`] says which images
//! must be resolved for which platforms; the gateway resolves them; [`plan`] builds the Plan
//! from the same input plus the [`Resolved`] images.
//!
//! Stages (one file each):
//! - `deps`: go.mod/go.sum + `go mod download` on the build platform; `ssh` adds git over
//!   SSH for `modules.ssh`, `netrc` the secret `netrc` for modules over HTTPS; `cgo` (with
//!   `build.cgo`) adds the apt step of packages and cross compilers below it, and sets the
//!   compile's `CC`/`CXX`, tags and link flags.
//! - `runtime`: CA bundle, zoneinfo, /tmp from the builder, gathered by gostage's binary.
//! - `compile`: one `go build` per binary and target platform, on the build platform; with
//!   `cache.export` its build cache starts from `build_cache_layers`: the standard library,
//!   the list of imported dependency packages and those packages compiled, per platform.
//! - `files` (the `files:` layer), `final_stage` (the image filesystem), `image_settings`
//!   (what the image config says), `healthcheck` (the probe per platform and the config's
//!   `Healthcheck`; `go_program` compiles the probe, gostage's one Go program).
//! - `sbom`: SPDX from the binaries' build info, by `gostage sbom`.
//!
//! Shared by the stages: `offline_step` sets up every step that runs in the builder after the
//! download (offline environment, no network, `/tmp`, build cache, build platform);
//! `gostage_binary` mounts the frontend image so steps run gostage's own binary (`explain`
//! around each Go command, `download-modules`, `runtime-files`, `sbom`, `test-report`), with
//! the command lines and paths of `step_contract`; `images` picks the builder and applies
//! `--build-context`; `failure_hints` says what `gostage explain` adds to a failed step.
//! Only `go mod download` and cgo's apt step have network; every other step runs with
//! network `none`.
//!
//! Targets other than `image`: `binary` (the compile's outputs), `go_test` (`--target
//! test`: the test reports) and `debug` (the image plus busybox).
//!
//! Tests: each stage's beside it (`<stage>/tests.rs`), the plan as a whole in `tests.rs`,
//! with what they share in `test_support`.

mod build_cache_layers;
mod cgo;
mod compile;
mod debug;
mod deps;
mod environment;
mod failure_hints;
mod files;
mod final_stage;
mod go_program;
mod go_test;
mod gostage_binary;
mod healthcheck;
mod image_settings;
mod images;
mod ldflags;
mod netrc;
mod offline_step;
mod runtime;
mod sbom;
mod ssh;
mod verification;

#[cfg(test)]
mod test_support;

use std::collections::BTreeMap;

pub use cgo::{
    Linking, APT_CACHE_DIR, APT_CACHE_ID, APT_LISTS_DIR, APT_LISTS_ID, STATIC_LDFLAGS, STATIC_TAGS,
};
pub use debug::BUSYBOX_DIR;
pub use healthcheck::PROBE_PATH;
pub use images::BUSYBOX;
pub use ldflags::DEFAULT_LDFLAGS;
pub use netrc::{NETRC_SECRET, NETRC_SECRET_ID};
pub use sbom::{SBOM_PATH, SPDX_PREDICATE_TYPE};
pub use ssh::{
    ssh_failure_hints, KNOWN_HOSTS_SECRET, KNOWN_HOSTS_SECRET_ID, SSH_AGENT_ID, SSH_AGENT_SOCKET,
};

use crate::context::ModuleContext;
use crate::gomod::GoModule;
use crate::llb::{Constraints, Output};
use crate::spec::{Base, Spec};
use crate::verify::Verification;
use crate::vocabulary::{
    check_binary_name, derive_binary_name, BuildRequest, Diagnostic, ImageReference, ImageSettings,
    Located, Platform, Problem, ResolvedImage, Target,
};

/// Mount point of the module source in builder stages (the contract's).
pub use crate::step_contract::SOURCE_DIR;

/// Where binaries go in the image.
pub const BINARY_DIR: &str = "/usr/local/bin";

/// Everything the plan is made from, apart from the resolved images.
#[derive(Clone, Copy, Debug)]
pub struct PlanInput<'a> {
    /// The validated spec.
    pub spec: &'a Spec,
    /// Facts from the build context.
    pub context: &'a ModuleContext,
    /// The client's request.
    pub request: &'a BuildRequest,
}

/// An image the build needs resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageNeed {
    /// As written in the spec (line 0 when derived, e.g. the builder from go.mod).
    pub written: Located<ImageReference>,
    /// The reference to resolve: `written`, or its `--build-context` replacement.
    pub reference: ImageReference,
}

/// What [`plan`] needs resolved, and for which platforms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needs {
    /// The target platforms, in request order without duplicates.
    pub platforms: Vec<Platform>,
    /// The builder image, resolved for the build platform.
    pub builder: ImageNeed,
    /// The frontend image (the `source` option), resolved for the frontend's own platform
    /// (`BuildRequest::frontend_platform`): builder steps run gostage's binary from it.
    pub frontend: ImageNeed,
    /// The final stage's base image, resolved for each target platform; `None` for scratch
    /// and for the `binary` and `test` targets.
    pub base: Option<ImageNeed>,
    /// [`BUSYBOX`] (or its `--build-context` replacement), resolved for each target platform;
    /// only for the `debug` target.
    pub busybox: Option<ImageNeed>,
}

/// The images of [`Needs`], resolved by the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The builder, for the build platform.
    pub builder: ResolvedImage,
    /// The frontend image, for the frontend's own platform.
    pub frontend: ResolvedImage,
    /// The base per target platform (empty for scratch).
    pub bases: BTreeMap<Platform, ResolvedImage>,
    /// The busybox image per target platform (empty unless the target is `debug`).
    pub busyboxes: BTreeMap<Platform, ResolvedImage>,
}

/// What to return for one target platform.
#[derive(Clone, Debug)]
pub struct PlatformPlan {
    /// The target platform.
    pub platform: Platform,
    /// The filesystem to return: the image, the binaries for the `binary` target, the test
    /// reports for the `test` target (at `/`
    /// [`TEST_REPORT_EVENTS`](crate::step_contract::TEST_REPORT_EVENTS) and `/`
    /// [`TEST_REPORT_TEXT`](crate::step_contract::TEST_REPORT_TEXT)).
    pub filesystem: Output,
    /// A filesystem with the SPDX document at [`SBOM_PATH`], when the client asked for one.
    pub sbom: Option<Output>,
    /// What the image config says; `None` for the `binary` and `test` targets, which are
    /// not images.
    pub image: Option<ImageSettings>,
    /// What the gateway checks in the solved filesystem before returning it.
    pub verification: Verification,
}

/// The whole build: one [`PlatformPlan`] per target platform, in request order.
#[derive(Clone, Debug)]
pub struct Plan {
    /// One per target platform.
    pub platforms: Vec<PlatformPlan>,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A problem placed in the spec.
    #[error("{}", .0.message)]
    Spec(Diagnostic),
    /// The default target platform (the build platform) is one Go cannot build for.
    #[error("the build platform {platform} {problem}; pass --platform with a target gostage can build for")]
    BuildPlatform {
        /// The build platform.
        platform: Platform,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The request names no frontend image (the `source` option), which builder steps need.
    #[error("the frontend image is unknown: BuildKit passes it as the option `source` when `# syntax=` (or `--frontend gateway.v0 --opt source=IMAGE`) starts gostage; outside BuildKit pass --frontend-image")]
    NoFrontendImage,
    /// `build.cgo` with a target platform from `--platform` that Debian has no cross compiler
    /// for on the build platform: what is wrong (naming the platform), and the platforms cgo
    /// can build for.
    #[error("the target platform from --platform {}; {}", .0.message, .0.help)]
    CgoPlatform(Problem),
    /// A resolved image the plan needs is missing (the caller did not resolve what
    /// [`needs`] asked for).
    #[error("the image {reference} was not resolved for {platform}")]
    Unresolved {
        /// The image.
        reference: String,
        /// The platform it was needed for.
        platform: Platform,
    },
}

/// The images to resolve and the target platforms: `--platform`, else the spec's
/// `platforms:`, else the build platform. The `test` target has one platform, the build
/// platform, whatever was asked: tests run natively, never under emulation, and one report
/// comes back.
///
/// Errors: a `--build-context` that cannot replace an image, placed at the image's spec
/// line; a `files:` source the context lacks, at its `src:`; the build platform as the
/// default target when Go cannot build for it; with `build.cgo`, a target platform Debian
/// has no cross compiler for (at its `platforms:` entry, else naming `--platform`).
pub fn needs(input: PlanInput<'_>) -> Result<Needs, PlanError> {
    let PlanInput {
        spec,
        context,
        request,
    } = input;
    if request.target.is_image() {
        files::sources(spec, context).map_err(PlanError::Spec)?;
    }
    let platforms = match request.target {
        Target::Test => vec![buildable_build_platform(request)?],
        _ => target_platforms(spec, request)?,
    };
    cgo::check_platforms(spec, request, &platforms)?;
    let need = |written: Located<ImageReference>| -> Result<ImageNeed, PlanError> {
        let reference =
            images::replaced(&written, &request.named_contexts).map_err(PlanError::Spec)?;
        Ok(ImageNeed { written, reference })
    };
    let builder = need(images::builder_reference(spec, &context.module).map_err(PlanError::Spec)?)?;
    let frontend = match &request.frontend_image {
        Some(reference) => need(Located::new(reference.clone(), Default::default()))?,
        None => return Err(PlanError::NoFrontendImage),
    };
    let base = match &spec.image.base {
        Base::Image(base) if request.target.is_image() => Some(need(base.clone())?),
        _ => None,
    };
    let busybox = match request.target {
        Target::Debug => Some(need(images::busybox_reference().map_err(PlanError::Spec)?)?),
        _ => None,
    };
    Ok(Needs {
        platforms,
        builder,
        frontend,
        base,
        busybox,
    })
}

fn target_platforms(spec: &Spec, request: &BuildRequest) -> Result<Vec<Platform>, PlanError> {
    let platforms = if !request.platforms.is_empty() {
        request.platforms.clone()
    } else if !spec.platforms.is_empty() {
        spec.platforms
            .iter()
            .map(|platform| platform.value.clone())
            .collect()
    } else {
        vec![buildable_build_platform(request)?]
    };
    let mut unique = Vec::new();
    for platform in platforms {
        if !unique.contains(&platform) {
            unique.push(platform);
        }
    }
    Ok(unique)
}

/// The build platform, when Go can build for it.
fn buildable_build_platform(request: &BuildRequest) -> Result<Platform, PlanError> {
    let platform = request.build_platform.clone();
    match platform.go_env() {
        Ok(_) => Ok(platform),
        Err(problem) => Err(PlanError::BuildPlatform { platform, problem }),
    }
}

/// The name of each binary, in spec order: as written, else derived from its `main` (the
/// directory's last element, or for `.` the module path's), checked like a written name.
///
/// Errors: a derived name that is not a plain file name (`module ..`, `main: ./a f`), at that
/// binary's `main:`, with the fix (`binaries[].name`).
pub fn binary_names(spec: &Spec, module: &GoModule) -> Result<Vec<String>, PlanError> {
    spec.binaries
        .iter()
        .map(|binary| {
            if let Some(name) = &binary.name {
                return Ok(name.clone());
            }
            let main = &binary.main.value;
            let derived = derive_binary_name(main, Some(&module.path)).unwrap_or_default();
            let source = match main.as_str() {
                "." => format!("go.mod's module path `{}`", module.path),
                _ => format!("`main: {main}`"),
            };
            check_binary_name(&derived)
                .map(|()| derived.clone())
                .map_err(|problem| {
                    PlanError::Spec(
                        Diagnostic::new(
                            binary.main.span,
                            format!(
                                "the binary name `{derived}` taken from {source} {}",
                                problem.message
                            ),
                        )
                        .with_help(format!(
                            "name the binary yourself: `binaries: [{{main: {main}, name: server}}]`"
                        )),
                    )
                })
        })
        .collect()
}

/// The state every stage reads: the input and the resolved builder.
#[derive(Clone, Copy)]
struct Planner<'a> {
    spec: &'a Spec,
    context: &'a ModuleContext,
    request: &'a BuildRequest,
    builder: &'a ResolvedImage,
    frontend: &'a ResolvedImage,
    /// The target platforms of the build (the apt step installs a cross compiler for each
    /// that needs one).
    platforms: &'a [Platform],
}

impl Planner<'_> {
    /// Constraints of the steps that run in the builder: the build platform, and
    /// `--no-cache`.
    fn on_build_platform(&self) -> Constraints {
        Constraints::default()
            .platform(&self.request.build_platform)
            .ignore_cache(self.request.no_cache)
    }
}

/// Builds the plan for every platform of `needs`, with the images of `resolved`.
///
/// Errors: a base or busybox image missing from `resolved`, a `files:` source the context
/// lacks, or a target platform Go cannot build for.
pub fn plan(input: PlanInput<'_>, needs: &Needs, resolved: &Resolved) -> Result<Plan, PlanError> {
    let planner = Planner {
        spec: input.spec,
        context: input.context,
        request: input.request,
        builder: &resolved.builder,
        frontend: &resolved.frontend,
        platforms: &needs.platforms,
    };
    let epoch = input.request.epoch_nanoseconds();
    let names = binary_names(input.spec, &input.context.module)?;
    let deps = deps::download(planner);
    if input.request.target == Target::Test {
        let platforms = needs
            .platforms
            .iter()
            .map(|platform| PlatformPlan {
                platform: platform.clone(),
                filesystem: go_test::report(planner, &deps),
                sbom: None,
                image: None,
                verification: Verification::default(),
            })
            .collect();
        return Ok(Plan { platforms });
    }
    let runtime_files = runtime::runtime_files(planner);
    let files = match input.request.target.is_image() {
        true => files::sources(input.spec, input.context).map_err(PlanError::Spec)?,
        false => Vec::new(),
    };
    let mut platforms = Vec::new();
    for platform in &needs.platforms {
        let cache_layer = match input.spec.cache.export {
            true => Some(compile::cache_layer(planner, &deps, platform)?),
            false => None,
        };
        let binaries = input
            .spec
            .binaries
            .iter()
            .zip(&names)
            .map(|(binary, name)| {
                compile::build(planner, &deps, cache_layer.as_ref(), binary, name, platform)
                    .map(|output| (name.clone(), output))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let binaries_tree = final_stage::binaries_only(&binaries, epoch, platform);
        let sbom = match input.request.sbom {
            true => Some(sbom::document(planner, &binaries_tree, &names, platform)),
            false => None,
        };
        let platform_plan = if input.request.target == Target::Binary {
            PlatformPlan {
                platform: platform.clone(),
                filesystem: binaries_tree,
                sbom,
                image: None,
                verification: verification::expect(planner, platform, &names, None),
            }
        } else {
            let base = resolved_for(needs.base.as_ref(), &resolved.bases, platform)?;
            let busybox = resolved_for(needs.busybox.as_ref(), &resolved.busyboxes, platform)?;
            let probe = healthcheck::probe(planner, platform)?;
            let mut filesystem = final_stage::image(
                planner,
                platform,
                base,
                &runtime_files,
                &files,
                probe.as_ref(),
                &binaries,
            );
            let mut settings = image_settings::settings(planner, platform, &names, base);
            if let Some(busybox) = busybox {
                filesystem = debug::with_shell(planner, platform, busybox, &filesystem);
                image_settings::add_debug_shell(&mut settings);
            }
            let verification = verification::expect(planner, platform, &names, Some(&settings));
            PlatformPlan {
                platform: platform.clone(),
                filesystem,
                sbom,
                image: Some(settings),
                verification,
            }
        };
        platforms.push(platform_plan);
    }
    Ok(Plan { platforms })
}

/// The image of `need` resolved for `platform`; `None` when there is no need.
fn resolved_for<'a>(
    need: Option<&ImageNeed>,
    resolved: &'a BTreeMap<Platform, ResolvedImage>,
    platform: &Platform,
) -> Result<Option<&'a ResolvedImage>, PlanError> {
    let Some(need) = need else {
        return Ok(None);
    };
    resolved
        .get(platform)
        .map(Some)
        .ok_or_else(|| PlanError::Unresolved {
            reference: need.reference.normalized.clone(),
            platform: platform.clone(),
        })
}

#[cfg(test)]
mod tests;
