//! Spec + go.mod + build request → the LLB graph and image config per target platform.
//!
//! Pure: no I/O. The gateway resolves images first and hands their configs in.
//! Stages (one file each): `deps` (go.mod/go.sum + `go mod download` on the build platform),
//! `runtime` (CA bundle, zoneinfo, /tmp from the builder), `compile` (one `go build` per
//! binary and target platform, on the build platform), `final_stage` (the image), `sbom`
//! (SPDX from the binaries' build info); `go_program` runs the Go helpers of `runtime` and `sbom`.

mod builder;
mod compile;
mod deps;
mod environment;
mod final_stage;
mod go_program;
mod ldflags;
mod platform;
pub mod reference;
mod request;
mod runtime;
mod sbom;

use std::collections::BTreeMap;

pub use builder::{builder_reference, resolve_image};
pub use ldflags::DEFAULT_LDFLAGS;
pub use platform::Platform;
pub use request::{BuildRequest, Target, GO_ENVIRONMENT_BUILD_ARGS};
pub use sbom::{SBOM_PATH, SPDX_PREDICATE_TYPE};

use crate::diagnostic::Diagnostic;
use crate::gomod::GoModule;
use crate::llb::{self, Output};
use crate::spec::Spec;

/// Mount point of the module source in builder stages.
pub const SOURCE_DIR: &str = "/src";

/// Where binaries go in the image.
pub const BINARY_DIR: &str = "/usr/local/bin";

/// An image whose config the gateway resolved (`ResolveImageConfig`).
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedImage {
    /// Normalised reference, pinned to the digest when the daemon returned one.
    pub reference: String,
    /// The image config JSON (OCI/Docker format).
    pub config: serde_json::Value,
}

impl ResolvedImage {
    /// `config.Env` of the image (`KEY=VALUE` entries); empty if absent.
    pub fn env(&self) -> Vec<String> {
        self.config
            .pointer("/config/Env")
            .and_then(serde_json::Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|entry| entry.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Everything the plan needs.
#[derive(Clone, Copy, Debug)]
pub struct PlanInput<'a> {
    /// The validated spec.
    pub spec: &'a Spec,
    /// Facts from go.mod.
    pub module: &'a GoModule,
    /// The client's request.
    pub request: &'a BuildRequest,
    /// The builder image, resolved for the build platform.
    pub builder: &'a ResolvedImage,
    /// The final stage's base image per target platform (empty for `scratch`).
    pub bases: &'a BTreeMap<Platform, ResolvedImage>,
}

/// The result for one target platform.
#[derive(Clone, Debug)]
pub struct PlatformResult {
    /// The target platform.
    pub platform: Platform,
    /// The filesystem to return.
    pub output: Output,
    /// The image config JSON; `None` for the `binary` target, which is not an image.
    pub image_config: Option<serde_json::Value>,
    /// A filesystem with the SPDX document at [`SBOM_PATH`], when the client asked for one.
    pub sbom: Option<Output>,
}

/// The whole build: one result per target platform, in request order.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Results, one per target platform.
    pub results: Vec<PlatformResult>,
}

/// The target platforms: `--platform`, else the spec's `platforms:`, else the build platform.
///
/// Errors: an unparsable or unsupported platform in the spec, at its position.
pub fn target_platforms(spec: &Spec, request: &BuildRequest) -> Result<Vec<Platform>, Diagnostic> {
    let platforms = if !request.platforms.is_empty() {
        request.platforms.clone()
    } else if !spec.platforms.is_empty() {
        let parsed: Result<Vec<Platform>, Diagnostic> = spec
            .platforms
            .iter()
            .map(|written| {
                let platform = Platform::parse(&written.value)
                    .map_err(|message| Diagnostic::new(written.span, message))?;
                platform
                    .go_env()
                    .map_err(|message| Diagnostic::new(written.span, message))?;
                Ok(platform)
            })
            .collect();
        parsed?
    } else {
        vec![request.build_platform.clone()]
    };
    let mut unique = Vec::new();
    for platform in platforms {
        if !unique.contains(&platform) {
            unique.push(platform);
        }
    }
    Ok(unique)
}

/// The name of each binary: as written, else the main directory's last element, else (for
/// `.`) the module path's last element.
pub fn binary_names(spec: &Spec, module: &GoModule) -> Vec<String> {
    spec.binaries
        .iter()
        .map(|binary| match &binary.name {
            Some(name) => name.clone(),
            None => {
                let main = binary.main.value.trim_start_matches("./").trim_matches('/');
                let path = if main.is_empty() || main == "." {
                    module.path.as_str()
                } else {
                    main
                };
                path.rsplit('/')
                    .next()
                    .filter(|name| !name.is_empty())
                    .unwrap_or("app")
                    .to_string()
            }
        })
        .collect()
}

/// Builds the graph for every target platform.
///
/// Errors: an unsupported platform or bad ldflags templates, placed at the spec position
/// they concern.
pub fn plan(input: PlanInput<'_>) -> Result<Plan, Diagnostic> {
    let epoch = input.request.epoch_nanoseconds();
    let names = binary_names(input.spec, input.module);
    let deps = deps::download(input);
    let runtime_files = runtime::runtime_files(input);
    let mut results = Vec::new();
    for platform in target_platforms(input.spec, input.request)? {
        let binaries = input
            .spec
            .binaries
            .iter()
            .zip(&names)
            .map(|(binary, name)| {
                compile::build(input, &deps, &runtime_files, binary, name, &platform)
                    .map(|output| (name.clone(), output))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let base = input.bases.get(&platform);
        let binaries_tree = final_stage::binaries_only(&binaries, epoch, &platform);
        let sbom = input.request.sbom.then(|| {
            let created = crate::image::rfc3339(epoch / 1_000_000_000);
            sbom::document(input, &binaries_tree, &names, &created, &platform)
        });
        let result = if input.request.target == Target::Binary {
            PlatformResult {
                output: binaries_tree,
                image_config: None,
                sbom,
                platform,
            }
        } else {
            let base_output = base.map(|image| {
                let name = format!("base image {}", image.reference);
                llb::image(
                    &image.reference,
                    &platform.to_pb(),
                    input.request.resolve_mode,
                    &name,
                )
            });
            let output = final_stage::image(
                &platform,
                base_output.as_ref(),
                &runtime_files,
                &binaries,
                input.spec,
                epoch,
            );
            let base_config = base.map(|image| &image.config);
            let image_config =
                crate::image::config(input.spec, &platform, &names, base_config, input.request);
            PlatformResult {
                output,
                image_config: Some(image_config),
                sbom,
                platform,
            }
        };
        results.push(result);
    }
    Ok(Plan { results })
}

#[cfg(test)]
mod tests;
