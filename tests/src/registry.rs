//! Pushed multi-platform images read back from the local registry (copied out with skopeo, see
//! `gostage_support::registry`): an index's platforms, each platform's manifest, config and
//! filesystem, and the attestations BuildKit attaches to them.

use crate::image_fs::ImageFs;
use anyhow::{Context, Result};
use gostage_support::registry::{platform_name, Manifest, Pulled};
use oci_spec::image::{Descriptor, ImageConfiguration, ImageManifest};
use serde_json::Value;
use std::io::Read;

/// BuildKit's annotation on the attestation manifests of an index.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// The annotation naming the image manifest an attestation manifest is about.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// The annotation naming the in-toto predicate type of an attestation layer.
pub const PREDICATE_TYPE: &str = "in-toto.io/predicate-type";
/// The in-toto predicate type of SPDX SBOMs.
pub const SPDX: &str = "https://spdx.dev/Document";

/// The annotation `key` of a descriptor, if it has it.
fn annotation<'a>(descriptor: &'a Descriptor, key: &str) -> Option<&'a str> {
    descriptor
        .annotations()
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// One platform's image in an index.
#[derive(Clone, Debug)]
pub struct PlatformImage {
    /// `linux/arm/v7`, from the index descriptor.
    pub platform: String,
    /// Its image manifest.
    pub manifest: Manifest,
    /// Its image config.
    pub config: ImageConfiguration,
}

impl PlatformImage {
    /// Its image manifest's content (the manifest is an image manifest: [`Index::read`]
    /// checked).
    fn image_manifest(&self) -> Result<&ImageManifest> {
        self.manifest
            .image()
            .with_context(|| format!("the {} manifest is an index", self.platform))
    }
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
        let entries = index.index().with_context(|| {
            format!(
                "{image} is a single image ({}), not an index:\n{index}",
                index.media_type().map(AsRef::as_ref).unwrap_or_default()
            )
        })?;
        let mut images = Vec::new();
        let mut attestations = Vec::new();
        for descriptor in entries.manifests() {
            let digest = descriptor.digest().as_ref();
            let child = pulled.manifest(digest)?;
            if annotation(descriptor, REFERENCE_TYPE) == Some("attestation-manifest") {
                attestations.push(Attestation {
                    subject: annotation(descriptor, REFERENCE_DIGEST)
                        .unwrap_or_default()
                        .to_string(),
                    manifest: child,
                });
                continue;
            }
            let config_digest = child
                .image()
                .with_context(|| format!("manifest {digest} of {image} is an index"))?
                .config()
                .digest()
                .to_string();
            images.push(PlatformImage {
                platform: descriptor
                    .platform()
                    .as_ref()
                    .map_or_else(|| "?/?".to_string(), platform_name),
                config: pulled.config(&config_digest)?,
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
        let layers = image
            .image_manifest()?
            .layers()
            .iter()
            .map(|layer| self.pulled.blob(layer.digest().as_ref()))
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
            let layers = attestation.manifest.image().map(ImageManifest::layers);
            for layer in layers.into_iter().flatten() {
                if annotation(layer, PREDICATE_TYPE) == Some(predicate_type) {
                    statements.push(self.pulled.json(layer.digest().as_ref())?);
                }
            }
        }
        Ok(statements)
    }

    /// The index and every attestation manifest in it, for failure messages.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "index {}@{}:\n{}",
            self.image, self.manifest.digest, self.manifest
        );
        for a in &self.attestations {
            text.push_str(&format!(
                "\nattestation {} for {}:\n{}",
                a.manifest.digest, a.subject, a.manifest
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
