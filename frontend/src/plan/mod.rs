//! Spec + Go module + build request → a [`Plan`]: per target platform, the LLB of the
//! filesystem to return (and of the SBOM), and the settings of the image config.
//!
//! Pure: no I/O. Two phases, so the gateway does all the talking: [`needs`] says which images
//! must be resolved for which platforms; the gateway resolves them; [`plan`] builds the Plan
//! from the same input plus the [`Resolved`] images.
//!
//! Stages (one file each): `deps` (go.mod/go.sum + `go mod download` on the build platform),
//! `runtime` (CA bundle, zoneinfo, /tmp from the builder), `compile` (one `go build` per
//! binary and target platform, on the build platform), `final_stage` (the image filesystem),
//! `image_settings` (what the image config says), `sbom` (SPDX from the binaries' build info);
//! `go_program` runs the Go helpers of `runtime` and `sbom`; `images` picks the builder and
//! applies `--build-context`; `ssh` adds git over SSH to `deps` for `modules.ssh`; `netrc`
//! adds the secret `netrc` to `deps` for modules over HTTPS. Only `go mod download` has
//! network; every other step runs with network `none`.

mod compile;
mod deps;
mod environment;
mod final_stage;
mod go_program;
mod image_settings;
mod images;
mod ldflags;
mod netrc;
mod runtime;
mod sbom;
mod ssh;

use std::collections::BTreeMap;

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
use crate::vocabulary::{
    derive_binary_name, BuildRequest, Diagnostic, ImageReference, ImageSettings, Located, Platform,
    Problem, ResolvedImage, Target,
};

/// Mount point of the module source in builder stages.
pub const SOURCE_DIR: &str = "/src";

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
    /// The final stage's base image, resolved for each target platform; `None` for scratch
    /// and for the `binary` target.
    pub base: Option<ImageNeed>,
}

/// The images of [`Needs`], resolved by the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The builder, for the build platform.
    pub builder: ResolvedImage,
    /// The base per target platform (empty for scratch).
    pub bases: BTreeMap<Platform, ResolvedImage>,
}

/// What to return for one target platform.
#[derive(Clone, Debug)]
pub struct PlatformPlan {
    /// The target platform.
    pub platform: Platform,
    /// The filesystem to return: the image, or the binaries for the `binary` target.
    pub filesystem: Output,
    /// A filesystem with the SPDX document at [`SBOM_PATH`], when the client asked for one.
    pub sbom: Option<Output>,
    /// What the image config says; `None` for the `binary` target, which is not an image.
    pub image: Option<ImageSettings>,
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
/// `platforms:`, else the build platform.
///
/// Errors: a `--build-context` that cannot replace an image, placed at the image's spec
/// line; the build platform as the default target when Go cannot build for it.
pub fn needs(input: PlanInput<'_>) -> Result<Needs, PlanError> {
    let PlanInput {
        spec,
        context,
        request,
    } = input;
    let platforms = target_platforms(spec, request)?;
    let need = |written: Located<ImageReference>| -> Result<ImageNeed, PlanError> {
        let reference =
            images::replaced(&written, &request.named_contexts).map_err(PlanError::Spec)?;
        Ok(ImageNeed { written, reference })
    };
    let builder = need(images::builder_reference(spec, &context.module).map_err(PlanError::Spec)?)?;
    let base = match (&spec.image.base, request.target) {
        (Base::Image(base), Target::Image) => Some(need(base.clone())?),
        _ => None,
    };
    Ok(Needs {
        platforms,
        builder,
        base,
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
        let platform = request.build_platform.clone();
        if let Err(problem) = platform.go_env() {
            return Err(PlanError::BuildPlatform { platform, problem });
        }
        vec![platform]
    };
    let mut unique = Vec::new();
    for platform in platforms {
        if !unique.contains(&platform) {
            unique.push(platform);
        }
    }
    Ok(unique)
}

/// The name of each binary, in spec order: as written, else derived from its `main`.
pub fn binary_names(spec: &Spec, module: &GoModule) -> Vec<String> {
    spec.binaries
        .iter()
        .map(|binary| {
            binary.name.clone().unwrap_or_else(|| {
                derive_binary_name(&binary.main.value, Some(&module.path))
                    .unwrap_or_else(|| "app".to_string())
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
/// Errors: a base image missing from `resolved`, or a target platform Go cannot build for.
pub fn plan(input: PlanInput<'_>, needs: &Needs, resolved: &Resolved) -> Result<Plan, PlanError> {
    let planner = Planner {
        spec: input.spec,
        context: input.context,
        request: input.request,
        builder: &resolved.builder,
    };
    let epoch = input.request.epoch_nanoseconds();
    let names = binary_names(input.spec, &input.context.module);
    let deps = deps::download(planner);
    let runtime_files = runtime::runtime_files(planner);
    let mut platforms = Vec::new();
    for platform in &needs.platforms {
        let binaries = input
            .spec
            .binaries
            .iter()
            .zip(&names)
            .map(|(binary, name)| {
                compile::build(planner, &deps, &runtime_files, binary, name, platform)
                    .map(|output| (name.clone(), output))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let binaries_tree = final_stage::binaries_only(&binaries, epoch, platform);
        let sbom = match input.request.sbom {
            true => Some(sbom::document(planner, &binaries_tree, &names, platform)),
            false => None,
        };
        let platform_plan =
            if input.request.target == Target::Binary {
                PlatformPlan {
                    platform: platform.clone(),
                    filesystem: binaries_tree,
                    sbom,
                    image: None,
                }
            } else {
                let base =
                    match &needs.base {
                        Some(need) => Some(resolved.bases.get(platform).ok_or_else(|| {
                            PlanError::Unresolved {
                                reference: need.reference.normalized.clone(),
                                platform: platform.clone(),
                            }
                        })?),
                        None => None,
                    };
                let filesystem =
                    final_stage::image(planner, platform, base, &runtime_files, &binaries);
                PlatformPlan {
                    platform: platform.clone(),
                    filesystem,
                    sbom,
                    image: Some(image_settings::settings(
                        planner,
                        platform,
                        &names,
                        base.map(|image| image.config.clone()),
                    )),
                }
            };
        platforms.push(platform_plan);
    }
    Ok(Plan { platforms })
}

#[cfg(test)]
mod tests;
