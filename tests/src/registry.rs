//! Reading pushed images from the local registry's HTTP API (the OCI distribution API): an
//! index's platforms, each platform's manifest, config and filesystem, and the attestations
//! BuildKit attaches to them.

use crate::http::{self, RawResponse};
use crate::image_fs::ImageFs;
use crate::REGISTRY;
use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;
use std::time::Duration;

/// Every manifest media type the tests read, OCI index first.
pub const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// BuildKit's annotation on the attestation manifests of an index.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// The annotation naming the image manifest an attestation manifest is about.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// The in-toto predicate type of SPDX SBOMs.
pub const SPDX: &str = "https://spdx.dev/Document";

const TIMEOUT: Duration = Duration::from_secs(60);

/// `127.0.0.1:5000/e2e/hello:buildx` → (`e2e/hello`, `buildx`).
pub fn split_ref(image: &str) -> Result<(String, String)> {
    let rest = image
        .strip_prefix(&format!("{REGISTRY}/"))
        .with_context(|| format!("{image} is not in the local registry {REGISTRY}"))?;
    let (repo, reference) = match rest.split_once('@') {
        Some((repo, digest)) => (repo, digest),
        None => rest
            .rsplit_once(':')
            .filter(|(_, tag)| !tag.contains('/'))
            .unwrap_or((rest, "latest")),
    };
    Ok((repo.to_string(), reference.to_string()))
}

fn get(path: &str, accept: Option<&str>) -> Result<RawResponse> {
    let headers: Vec<(&str, &str)> = accept.map(|a| ("Accept", a)).into_iter().collect();
    let response = http::get_with_headers(REGISTRY, path, &headers, TIMEOUT)?;
    if response.status != 200 {
        bail!(
            "GET http://{REGISTRY}{path}: HTTP {}: {}",
            response.status,
            response.text()
        );
    }
    Ok(response)
}

/// A manifest (image manifest or index) as the registry serves it.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The digest the registry reports (Docker-Content-Digest).
    pub digest: String,
    pub json: Value,
}

impl Manifest {
    pub fn media_type(&self) -> &str {
        self.json["mediaType"].as_str().unwrap_or_default()
    }
    pub fn is_index(&self) -> bool {
        self.json["manifests"].is_array()
    }
}

/// The manifest of `repo` at `reference` (a tag or a digest).
pub fn manifest(repo: &str, reference: &str) -> Result<Manifest> {
    let response = get(
        &format!("/v2/{repo}/manifests/{reference}"),
        Some(MANIFEST_TYPES),
    )?;
    let digest = response
        .header("Docker-Content-Digest")
        .with_context(|| format!("no Docker-Content-Digest for {repo}:{reference}"))?
        .to_string();
    let json = serde_json::from_slice(&response.body)
        .with_context(|| format!("the manifest of {repo}:{reference} is not JSON"))?;
    Ok(Manifest { digest, json })
}

/// A blob of `repo` (a layer, a config, an attestation).
pub fn blob(repo: &str, digest: &str) -> Result<Vec<u8>> {
    Ok(get(&format!("/v2/{repo}/blobs/{digest}"), None)?.body)
}

/// A JSON blob (an image config, an in-toto statement).
pub fn json_blob(repo: &str, digest: &str) -> Result<Value> {
    serde_json::from_slice(&blob(repo, digest)?)
        .with_context(|| format!("blob {digest} of {repo} is not JSON"))
}

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
    pub manifest: Manifest,
    pub config: Value,
}

/// An attestation manifest of an index (platform unknown/unknown).
#[derive(Clone, Debug)]
pub struct Attestation {
    /// The digest of the image manifest it is about.
    pub subject: String,
    pub manifest: Manifest,
}

/// A pushed multi-platform image: the index, its platform images and its attestations.
#[derive(Clone, Debug)]
pub struct Index {
    pub repo: String,
    pub manifest: Manifest,
    pub images: Vec<PlatformImage>,
    pub attestations: Vec<Attestation>,
}

impl Index {
    /// Reads `image` (`127.0.0.1:5000/repo:tag`), which must be an index.
    pub fn read(image: &str) -> Result<Index> {
        let (repo, reference) = split_ref(image)?;
        let index = manifest(&repo, &reference)?;
        ensure!(
            index.is_index(),
            "{image} is a single image ({}), not an index:\n{:#}",
            index.media_type(),
            index.json
        );
        let mut images = Vec::new();
        let mut attestations = Vec::new();
        for descriptor in index.json["manifests"].as_array().unwrap() {
            let digest = descriptor["digest"]
                .as_str()
                .with_context(|| format!("a descriptor without digest in {image}"))?;
            let child = manifest(&repo, digest)?;
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
                config: json_blob(&repo, config_digest)?,
                manifest: child,
            });
        }
        Ok(Index {
            repo,
            manifest: index,
            images,
            attestations,
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
                    self.repo,
                    self.platforms()
                )
            })
    }

    /// The merged filesystem of the image for `platform`, from its layer blobs.
    pub fn fs(&self, platform: &str) -> Result<ImageFs> {
        let image = self.image(platform)?;
        let layers = image.manifest.json["layers"]
            .as_array()
            .with_context(|| format!("the {platform} manifest of {} has no layers", self.repo))?
            .iter()
            .map(|l| blob(&self.repo, l["digest"].as_str().unwrap_or_default()))
            .collect::<Result<Vec<_>>>()?;
        ImageFs::from_layers(image.config.clone(), &layers)
            .with_context(|| format!("reading the {platform} layers of {}", self.repo))
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
                    statements.push(json_blob(&self.repo, digest)?);
                }
            }
        }
        Ok(statements)
    }

    /// The index and every manifest in it, for failure messages.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "index {}@{}:\n{:#}",
            self.repo, self.manifest.digest, self.manifest.json
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_references() {
        let r = |s: &str| split_ref(s).unwrap();
        assert_eq!(
            r("127.0.0.1:5000/e2e/hello:buildx"),
            ("e2e/hello".into(), "buildx".into())
        );
        assert_eq!(r("127.0.0.1:5000/e2e/x"), ("e2e/x".into(), "latest".into()));
        assert_eq!(
            r("127.0.0.1:5000/e2e/x@sha256:ab"),
            ("e2e/x".into(), "sha256:ab".into())
        );
        assert!(split_ref("docker.io/library/golang:1.23").is_err());
    }

    #[test]
    fn formats_platforms() {
        let p: Value = serde_json::json!({"os": "linux", "architecture": "arm", "variant": "v7"});
        assert_eq!(platform_of(&p), "linux/arm/v7");
        let p: Value = serde_json::json!({"os": "linux", "architecture": "amd64"});
        assert_eq!(platform_of(&p), "linux/amd64");
    }
}
