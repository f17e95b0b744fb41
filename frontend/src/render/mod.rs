//! A [`Plan`] as BuildKit takes it: per target platform, the marshalled LLB definition of the
//! filesystem (and of the SBOM) and the image config JSON. The gateway solves and returns
//! these; `gostage llb` prints them ([`json`]).

pub mod json;

use bollard_buildkit_proto::pb;

use crate::image::{self, ImageError};
use crate::llb;
use crate::plan::Plan;
use crate::vocabulary::Platform;

pub use crate::vocabulary::SpecSource;

/// One target platform, ready for `Solve` and `Return`.
#[derive(Clone, Debug)]
pub struct RenderedPlatform {
    /// The target platform.
    pub platform: Platform,
    /// The filesystem to return.
    pub definition: pb::Definition,
    /// The SBOM filesystem, when one was asked for.
    pub sbom: Option<pb::Definition>,
    /// The image config as JSON with sorted keys (`containerimage.config`); `None` for the
    /// `binary` target.
    pub image_config: Option<Vec<u8>>,
}

/// Marshals every platform of `plan`.
///
/// Errors: an image config that cannot be built ([`ImageError`]).
pub fn render(
    plan: &Plan,
    spec: Option<SpecSource<'_>>,
) -> Result<Vec<RenderedPlatform>, ImageError> {
    let source = spec.map(|spec| (spec.filename, spec.data));
    plan.platforms
        .iter()
        .map(|platform_plan| {
            let image_config = match &platform_plan.image {
                Some(settings) => Some(image::to_json(
                    &image::config(settings)?,
                    settings.healthcheck.as_ref(),
                )?),
                None => None,
            };
            Ok(RenderedPlatform {
                platform: platform_plan.platform.clone(),
                definition: llb::marshal(&platform_plan.filesystem, source).definition,
                sbom: platform_plan
                    .sbom
                    .as_ref()
                    .map(|sbom| llb::marshal(sbom, source).definition),
                image_config,
            })
        })
        .collect()
}
