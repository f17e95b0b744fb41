//! Pushed multi-platform images read back from the local registry (copied out with skopeo, see
//! `gostage_support::registry`): an index's platforms, each platform's manifest, config and
//! filesystem, and the attestations BuildKit attaches to them.

use crate::image_fs::ImageFs;
use anyhow::{ensure, Context, Result};
use gostage_support::registry::{Manifest, Pulled};
use serde_json::Value;
use std::io::Read;

/// BuildKit's annotation on the attestation manifests of an index.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// The annotation naming the image manifest an attestation manifest is about.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// The in-toto predicate type of SPDX SBOMs.
pub const SPDX: &str = "https://spdx.dev/Document";

/// `os/architecture[/variant]` of a descriptor's or config's platform.
pub fn platform_of(platform: &Value) -> String {
    let mut text = format!(
        "{}/{}",
        platform["os"].as_str().unwrap_or("?"),
        platform["architecture"].as_str().unwrap_or("?")
    );
    if let Some(variant) = platform["variant"].as_str().filter(|v| !v.is_empty()) {
        text.push('/');
        text.push_str(variant);
    }
    text
}

/// One platform's image in an index.
#[derive(Clone, Debug)]
pub struct PlatformImage {
    /// `linux/arm/v7`, from the index descriptor.
    pub platform: String,
    /// Its image manifest.
    pub manifest: Manifest,
    /// Its image config.
    pub config: Value,
}

/// An attestation manifest of an index (platform unknown/unknown).
#[derive(Clone, Debug)]
pub struct Attestation {
    /// The digest of the image manifest it is about.
    pub subject: String,
    /// The attestation manifest.
    pub manifest: Manifest,
}

/// A pushed multi-platform image: the index, its platform images and its attestations.
pub struct Index {
    /// The reference it was read from.
    pub image: String,
    /// The index itself.
    pub manifest: Manifest,
    /// The platform images, in index order.
    pub images: Vec<PlatformImage>,
    /// The attestation manifests.
    pub attestations: Vec<Attestation>,
    pulled: Pulled,
}

impl Index {
    /// Reads `image` (`127.0.0.1:5000/repo:tag`), which must be an index.
    pub fn read(image: &str) -> Result<Index> {
        let pulled = Pulled::copy(image)?;
        let index = pulled.manifest.clone();
        ensure!(
            index.is_index(),
            "{image} is a single image ({}), not an index:\n{:#}",
            index.media_type(),
            index.json
        );
        let mut images = Vec::new();
        let mut attestations = Vec::new();
        for descriptor in index.json["manifests"].as_array().into_iter().flatten() {
            let digest = descriptor["digest"]
                .as_str()
                .with_context(|| format!("a descriptor without digest in {image}"))?;
            let child = pulled.manifest(digest)?;
            let annotations = &descriptor["annotations"];
            if annotations[REFERENCE_TYPE] == "attestation-manifest" {
                attestations.push(Attestation {
                    subject: annotations[REFERENCE_DIGEST]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    manifest: child,
                });
                continue;
            }
            let config_digest = child.json["config"]["digest"]
                .as_str()
                .with_context(|| format!("manifest {digest} of {image} has no config"))?;
            images.push(PlatformImage {
                platform: platform_of(&descriptor["platform"]),
                config: pulled.json(config_digest)?,
                manifest: child,
            });
        }
        Ok(Index {
            image: image.to_string(),
            manifest: index,
            images,
            attestations,
            pulled,
        })
    }

    /// The platforms of the images (attestation manifests left out), in index order.
    pub fn platforms(&self) -> Vec<String> {
        self.images.iter().map(|i| i.platform.clone()).collect()
    }

    /// The image for `platform` (`linux/arm64`).
    pub fn image(&self, platform: &str) -> Result<&PlatformImage> {
        self.images
            .iter()
            .find(|i| i.platform == platform)
            .with_context(|| {
                format!(
                    "no {platform} image in {}; it has {:?}",
                    self.image,
                    self.platforms()
                )
            })
    }

    /// The merged filesystem of the image for `platform`, from its layer blobs.
    pub fn fs(&self, platform: &str) -> Result<ImageFs> {
        let image = self.image(platform)?;
        let layers = image.manifest.json["layers"]
            .as_array()
            .with_context(|| format!("the {platform} manifest of {} has no layers", self.image))?
            .iter()
            .map(|l| self.pulled.blob(l["digest"].as_str().unwrap_or_default()))
            .collect::<Result<Vec<_>>>()?;
        ImageFs::from_layers(image.config.clone(), &layers)
            .with_context(|| format!("reading the {platform} layers of {}", self.image))
    }

    /// The in-toto statements with `predicate_type` attached to the image for `platform`.
    pub fn statements(&self, platform: &str, predicate_type: &str) -> Result<Vec<Value>> {
        let image = self.image(platform)?;
        let mut statements = Vec::new();
        for attestation in self
            .attestations
            .iter()
            .filter(|a| a.subject == image.manifest.digest)
        {
            for layer in attestation.manifest.json["layers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if layer["annotations"]["in-toto.io/predicate-type"] == predicate_type {
                    let digest = layer["digest"].as_str().unwrap_or_default();
                    statements.push(self.pulled.json(digest)?);
                }
            }
        }
        Ok(statements)
    }

    /// The index and every attestation manifest in it, for failure messages.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "index {}@{}:\n{:#}",
            self.image, self.manifest.digest, self.manifest.json
        );
        for a in &self.attestations {
            text.push_str(&format!(
                "\nattestation {} for {}:\n{:#}",
                a.manifest.digest, a.subject, a.manifest.json
            ));
        }
        text
    }
}

/// The digests of the blobs of `image` (every manifest, index, config, layer and attestation;
/// gzipped blobs are read unpacked) that hold any of `needles`, with the needle found.
pub fn blobs_holding(image: &str, needles: &[&str]) -> Result<Vec<(String, String)>> {
    let pulled = Pulled::copy(image)?;
    let mut found = Vec::new();
    for (digest, bytes) in pulled.blobs() {
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut unpacked)
                .with_context(|| format!("gunzipping {digest} of {image}"))?;
            String::from_utf8_lossy(&unpacked).into_owned()
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        };
        for needle in needles {
            if text.contains(needle) {
                found.push((digest.to_string(), needle.to_string()));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_platforms() {
        let p: Value = serde_json::json!({"os": "linux", "architecture": "arm", "variant": "v7"});
        assert_eq!(platform_of(&p), "linux/arm/v7");
        let p: Value = serde_json::json!({"os": "linux", "architecture": "amd64"});
        assert_eq!(platform_of(&p), "linux/amd64");
    }
}
