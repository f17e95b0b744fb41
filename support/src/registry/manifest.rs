//! Manifests, indexes and image configs as typed OCI documents (oci-spec), whichever of the
//! two formats a registry serves: OCI (`application/vnd.oci.image.*`, what BuildKit pushes)
//! or Docker's schema 2 (`application/vnd.docker.distribution.manifest.*`, what the Docker
//! Engine pushes). The two have the same fields; oci-spec keeps Docker's media types as
//! [`MediaType::Other`].

use anyhow::{Context, Result};
use oci_spec::image::{
    Arch, Descriptor, ImageConfiguration, ImageIndex, ImageManifest, MediaType, Os, Platform,
    ToDockerV2S2,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// A manifest document, an index or an image manifest (boxed: both are large).
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// An image index (OCI) or manifest list (Docker): one entry per platform image, and
    /// BuildKit's attestation manifests.
    Index(Box<ImageIndex>),
    /// An image manifest: a config and layers.
    Image(Box<ImageManifest>),
}

/// A manifest (image manifest or index) as the registry serves it.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// `sha256:…` of the exact bytes (what the registry reports as Docker-Content-Digest).
    pub digest: String,
    /// The manifest.
    pub document: Document,
}

impl Manifest {
    /// Parses a manifest's bytes and computes their digest. An index is told from an image
    /// manifest by its `mediaType` (OCI's or Docker's), else, since OCI makes `mediaType`
    /// optional, by having `manifests`.
    ///
    /// Errors: the bytes are not JSON, or not an index or image manifest (a required field is
    /// missing, a digest is malformed).
    pub fn from_bytes(bytes: &[u8]) -> Result<Manifest> {
        let json: Value = serde_json::from_slice(bytes).context("the manifest is not JSON")?;
        let is_index = match json.get("mediaType").and_then(Value::as_str) {
            Some(media_type) if is_index_media_type(media_type) => true,
            Some(media_type) if is_image_media_type(media_type) => false,
            _ => json.get("manifests").is_some(),
        };
        let document = if is_index {
            Document::Index(Box::new(
                serde_json::from_value(json).context("the index is not valid")?,
            ))
        } else {
            Document::Image(Box::new(
                serde_json::from_value(json).context("the image manifest is not valid")?,
            ))
        };
        Ok(Manifest {
            digest: format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
            document,
        })
    }

    /// Its `mediaType`, when it names one.
    pub fn media_type(&self) -> Option<&MediaType> {
        match &self.document {
            Document::Index(index) => index.media_type().as_ref(),
            Document::Image(image) => image.media_type().as_ref(),
        }
    }

    /// The index, if it is one.
    pub fn index(&self) -> Option<&ImageIndex> {
        match &self.document {
            Document::Index(index) => Some(index),
            Document::Image(_) => None,
        }
    }

    /// The image manifest, if it is one.
    pub fn image(&self) -> Option<&ImageManifest> {
        match &self.document {
            Document::Image(image) => Some(image),
            Document::Index(_) => None,
        }
    }

    /// Whether it is an index (manifest list).
    pub fn is_index(&self) -> bool {
        self.index().is_some()
    }
}

impl fmt::Display for Manifest {
    /// The document as indented JSON, for failure messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.document {
            Document::Index(index) => index.fmt(f),
            Document::Image(image) => image.fmt(f),
        }
    }
}

fn is_index_media_type(media_type: &str) -> bool {
    media_type == MediaType::ImageIndex.as_ref()
        || MediaType::ImageIndex.to_docker_v2s2() == Ok(media_type)
}

fn is_image_media_type(media_type: &str) -> bool {
    media_type == MediaType::ImageManifest.as_ref()
        || MediaType::ImageManifest.to_docker_v2s2() == Ok(media_type)
}

/// The entry of `index` for the image of `os`/`architecture` (any variant). BuildKit's
/// attestation manifests have platform `unknown/unknown` and never match.
pub fn find_image<'a>(
    index: &'a ImageIndex,
    os: &Os,
    architecture: &Arch,
) -> Option<&'a Descriptor> {
    index.manifests().iter().find(|entry| {
        entry
            .platform()
            .as_ref()
            .is_some_and(|platform| platform.os() == os && platform.architecture() == architecture)
    })
}

/// `os/architecture[/variant]` of an index entry's platform: `linux/arm/v7`.
pub fn platform_name(platform: &Platform) -> String {
    name(platform.os(), platform.architecture(), platform.variant())
}

/// `os/architecture[/variant]` as an image config states it.
pub fn config_platform(config: &ImageConfiguration) -> String {
    name(config.os(), config.architecture(), config.variant())
}

fn name(os: &Os, architecture: &Arch, variant: &Option<String>) -> String {
    match variant.as_deref().filter(|variant| !variant.is_empty()) {
        Some(variant) => format!("{os}/{architecture}/{variant}"),
        None => format!("{os}/{architecture}"),
    }
}

/// The label `key` of an image config (`config.Labels`), if it has it.
pub fn label<'a>(config: &'a ImageConfiguration, key: &str) -> Option<&'a str> {
    config
        .config()
        .as_ref()?
        .labels()
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// Parses an image config (OCI or Docker: the same fields).
///
/// Errors: not JSON, or a required field (`architecture`, `os`, `rootfs`) is missing.
pub fn parse_config(bytes: &[u8]) -> Result<ImageConfiguration> {
    serde_json::from_slice(bytes).context("the image config is not valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of Docker's "Image Manifest Version 2, Schema 2" specification
    /// (distribution/distribution, manifest-v2-2.md).
    const DOCKER_MANIFEST: &str = r#"{
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {
        "mediaType": "application/vnd.docker.container.image.v1+json",
        "size": 7023,
        "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"
    },
    "layers": [
        {
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 32654,
            "digest": "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"
        },
        {
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 16724,
            "digest": "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b"
        },
        {
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 73109,
            "digest": "sha256:ec4b8955958665577945c89419d1af06b5f7636b4ac3da7f12184802ad867736"
        }
    ]
}"#;

    /// The example manifest list of the same document.
    const DOCKER_LIST: &str = r#"{
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {
      "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "size": 7143,
      "digest": "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f",
      "platform": {
        "architecture": "ppc64le",
        "os": "linux"
      }
    },
    {
      "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "size": 7682,
      "digest": "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
      "platform": {
        "architecture": "amd64",
        "os": "linux",
        "features": [
          "sse4"
        ]
      }
    }
  ]
}"#;

    /// An index as BuildKit pushes it (one line, as it writes it): two platform images and
    /// the attestation manifest of the first, with BuildKit's reference annotations.
    const BUILDKIT_INDEX: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1f3c4b5a09c9e0a8b4c0a39ff7bb8e26d9a3c3b8b2c3e1b1a2d3e4f5a6b7c8d9","size":673,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b","size":673,"platform":{"architecture":"arm","os":"linux","variant":"v7"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:3b5d7f9a1c3e5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c","size":840,"annotations":{"vnd.docker.reference.digest":"sha256:1f3c4b5a09c9e0a8b4c0a39ff7bb8e26d9a3c3b8b2c3e1b1a2d3e4f5a6b7c8d9","vnd.docker.reference.type":"attestation-manifest"},"platform":{"architecture":"unknown","os":"unknown"}}]}"#;

    /// BuildKit's attestation manifest: an in-toto statement as a layer.
    const BUILDKIT_ATTESTATION: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:a4e53b1d0f8d3a1b5a6a2b7b1a7c9d2a3c6a8e2f5b2c9d7e1f4a6b3c8d5e2f1a","size":167},"layers":[{"mediaType":"application/vnd.in-toto+json","digest":"sha256:c4a1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1","size":1874,"annotations":{"in-toto.io/predicate-type":"https://spdx.dev/Document"}}]}"#;

    /// An OCI index without `mediaType` (optional in the OCI image spec): told by `manifests`.
    const BARE_INDEX: &str = r#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1f3c4b5a09c9e0a8b4c0a39ff7bb8e26d9a3c3b8b2c3e1b1a2d3e4f5a6b7c8d9","size":673}]}"#;

    /// An image config as the Docker Engine writes it: Go maps (`ExposedPorts`), nulls,
    /// Docker-only fields (`container_config`, `Healthcheck`, `docker_version`).
    const DOCKER_CONFIG: &str = r#"{"architecture":"amd64","config":{"Hostname":"","User":"65532:65532","ExposedPorts":{"8080/tcp":{}},"Env":["PATH=/usr/local/bin"],"Cmd":null,"Healthcheck":{"Test":["CMD","/hello","-probe"]},"Entrypoint":["/usr/local/bin/hello"],"Volumes":null,"WorkingDir":"/","Labels":{"org.opencontainers.image.version":"1.2.3"}},"container_config":{"Cmd":["/bin/sh"]},"created":"2024-01-02T03:04:05Z","docker_version":"20.10.24","history":[{"created":"2024-01-02T03:04:05Z","created_by":"COPY hello /usr/local/bin/hello # buildkit","comment":"buildkit.dockerfile.v0"},{"created_by":"USER 65532:65532","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"]}}"#;

    fn sha256(text: &str) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
    }

    #[test]
    fn reads_a_docker_image_manifest() -> Result<()> {
        let manifest = Manifest::from_bytes(DOCKER_MANIFEST.as_bytes())?;
        assert_eq!(manifest.digest, sha256(DOCKER_MANIFEST));
        assert!(!manifest.is_index());
        assert_eq!(
            manifest.media_type().map(AsRef::as_ref),
            Some("application/vnd.docker.distribution.manifest.v2+json")
        );
        let image = manifest.image().context("not an image manifest")?;
        assert_eq!(image.config().size(), 7023);
        assert_eq!(
            image.config().digest().as_ref(),
            "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"
        );
        let sizes: Vec<u64> = image.layers().iter().map(Descriptor::size).collect();
        assert_eq!(sizes, [32654, 16724, 73109]);
        Ok(())
    }

    #[test]
    fn reads_a_docker_manifest_list() -> Result<()> {
        let manifest = Manifest::from_bytes(DOCKER_LIST.as_bytes())?;
        let index = manifest.index().context("not an index")?;
        let platforms: Vec<String> = index
            .manifests()
            .iter()
            .filter_map(|entry| entry.platform().as_ref().map(platform_name))
            .collect();
        assert_eq!(platforms, ["linux/ppc64le", "linux/amd64"]);
        let amd64 = find_image(index, &Os::Linux, &Arch::Amd64).context("no amd64")?;
        assert_eq!(
            amd64.digest().as_ref(),
            "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"
        );
        assert!(find_image(index, &Os::Linux, &Arch::ARM64).is_none());
        Ok(())
    }

    #[test]
    fn reads_buildkit_indexes_and_attestations() -> Result<()> {
        let manifest = Manifest::from_bytes(BUILDKIT_INDEX.as_bytes())?;
        assert_eq!(manifest.media_type(), Some(&MediaType::ImageIndex));
        let index = manifest.index().context("not an index")?;
        let names: Vec<String> = index
            .manifests()
            .iter()
            .filter_map(|entry| entry.platform().as_ref().map(platform_name))
            .collect();
        assert_eq!(names, ["linux/amd64", "linux/arm/v7", "unknown/unknown"]);
        let attestation = &index.manifests()[2];
        let annotations = attestation
            .annotations()
            .as_ref()
            .context("no annotations")?;
        assert_eq!(
            annotations
                .get("vnd.docker.reference.type")
                .map(String::as_str),
            Some("attestation-manifest")
        );
        let statement = Manifest::from_bytes(BUILDKIT_ATTESTATION.as_bytes())?;
        let layer = &statement.image().context("not an image manifest")?.layers()[0];
        assert_eq!(
            layer.media_type(),
            &MediaType::Other("application/vnd.in-toto+json".into())
        );
        let bare = Manifest::from_bytes(BARE_INDEX.as_bytes())?;
        assert_eq!(bare.media_type(), None);
        assert_eq!(bare.index().map(|index| index.manifests().len()), Some(1));
        Ok(())
    }

    #[test]
    fn reads_a_docker_image_config() -> Result<()> {
        let config = parse_config(DOCKER_CONFIG.as_bytes())?;
        assert_eq!(config_platform(&config), "linux/amd64");
        assert_eq!(
            label(&config, "org.opencontainers.image.version"),
            Some("1.2.3")
        );
        assert_eq!(label(&config, "missing"), None);
        let runtime = config.config().as_ref().context("no config")?;
        assert_eq!(runtime.user().as_deref(), Some("65532:65532"));
        assert_eq!(
            runtime.exposed_ports().as_deref(),
            Some(&["8080/tcp".to_string()][..])
        );
        assert_eq!(runtime.cmd(), &None);
        let history = config.history().as_ref().context("no history")?;
        assert_eq!(history[1].empty_layer(), Some(true));
        assert_eq!(config.created().as_deref(), Some("2024-01-02T03:04:05Z"));
        Ok(())
    }

    #[test]
    fn rejects_what_is_not_a_manifest() {
        let message = |bytes: &str| match Manifest::from_bytes(bytes.as_bytes()) {
            Ok(manifest) => format!("parsed: {manifest}"),
            Err(error) => format!("{error:#}"),
        };
        assert!(message("not json").starts_with("the manifest is not JSON"));
        assert!(message(r#"{"schemaVersion":2,"layers":[]}"#)
            .starts_with("the image manifest is not valid: missing field `config`"));
        let short_digest = DOCKER_LIST.replace(
            "5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
            "5b0b",
        );
        assert!(message(&short_digest).starts_with("the index is not valid"));
        assert!(parse_config(br#"{"architecture":"amd64","os":"linux"}"#).is_err());
    }

    #[test]
    fn names_platforms_with_their_variant() {
        let config = parse_config(
            br#"{"architecture":"arm","os":"linux","variant":"v7","rootfs":{"type":"layers","diff_ids":[]}}"#,
        );
        assert_eq!(
            config.map(|c| config_platform(&c)).ok().as_deref(),
            Some("linux/arm/v7")
        );
    }
}
