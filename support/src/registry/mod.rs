//! Reading images from the local registry with skopeo (Debian `skopeo`, which `cargo xtask up`
//! installs): manifests, image configs, and whole images (an index with every platform image
//! and attestation) copied out with their digests kept; typed as OCI documents (manifest.rs).

mod manifest;

pub use manifest::{
    config_platform, find_image, label, parse_config, platform_name, Document, Manifest,
};

use crate::cmd;
use crate::config::REGISTRY;
use crate::temporary;
use anyhow::{bail, Context, Result};
use oci_spec::image::ImageConfiguration;
use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

/// `127.0.0.1:5000/REPO:TAG`, or `127.0.0.1:5000/REPO@DIGEST` when `reference` is a digest.
pub fn image(repo: &str, reference: &str) -> String {
    let separator = if reference.contains(':') { '@' } else { ':' };
    format!("{REGISTRY}/{repo}{separator}{reference}")
}

/// Runs skopeo on `docker://image`; None when the registry has no such manifest.
fn skopeo(args: &[&str], image: &str) -> Result<Option<String>> {
    let out = cmd::run_any(
        Command::new("skopeo")
            .args(args)
            .arg(format!("docker://{image}")),
    )?;
    if out.success() {
        return Ok(Some(out.stdout));
    }
    if out.stderr.contains("manifest unknown") || out.stderr.contains("name unknown") {
        return Ok(None);
    }
    bail!(
        "reading {image} from the registry failed\n{}",
        out.describe()
    )
}

/// The manifest (or index) of `image` (`127.0.0.1:5000/repo:tag` or `…@sha256:…`), if the
/// registry has it.
pub fn manifest(image: &str) -> Result<Option<Manifest>> {
    skopeo(&["inspect", "--raw", "--tls-verify=false"], image)?
        .map(|raw| Manifest::from_bytes(raw.as_bytes()).with_context(|| image.to_string()))
        .transpose()
}

/// The image config of `image`, if the registry has it (for an index: the host platform's).
pub fn config(image: &str) -> Result<Option<ImageConfiguration>> {
    skopeo(
        &["inspect", "--config", "--raw", "--tls-verify=false"],
        image,
    )?
    .map(|raw| parse_config(raw.as_bytes()).with_context(|| format!("the config of {image}")))
    .transpose()
}

/// An image with all it holds: the top manifest, and every manifest and blob below it (each
/// platform's image, the attestations), read into memory by digest.
pub struct Pulled {
    /// The manifest or index `image` names.
    pub manifest: Manifest,
    blobs: HashMap<String, Vec<u8>>,
}

impl Pulled {
    /// `skopeo copy --all --preserve-digests docker://image dir:…`, then reads the copy.
    pub fn copy(image: &str) -> Result<Pulled> {
        let dir = temporary::directory("gostage-pull")?;
        cmd::run(
            Command::new("skopeo")
                .args(["copy", "--quiet", "--all", "--preserve-digests"])
                .args(["--src-tls-verify=false", &format!("docker://{image}")])
                .arg(format!("dir:{}", dir.path().display())),
        )
        .and_then(|_| Pulled::read_dir(dir.path()))
        .with_context(|| format!("copying {image} out of the registry"))
    }

    /// Reads skopeo's `dir:` layout: `manifest.json` (the top manifest),
    /// `<hex>.manifest.json` (the manifests below it) and `<hex>` (blobs).
    fn read_dir(dir: &std::path::Path) -> Result<Pulled> {
        let mut manifest = None;
        let mut blobs = HashMap::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            if name == "manifest.json" {
                manifest = Some(Manifest::from_bytes(&bytes)?);
            } else if name != "version" {
                let hex = name.trim_end_matches(".manifest.json");
                blobs.insert(format!("sha256:{hex}"), bytes);
            }
        }
        let manifest =
            manifest.with_context(|| format!("no manifest.json in {}", dir.display()))?;
        Ok(Pulled { manifest, blobs })
    }

    /// The manifest or blob with `digest`.
    pub fn blob(&self, digest: &str) -> Result<&[u8]> {
        self.blobs
            .get(digest)
            .map(Vec::as_slice)
            .with_context(|| format!("{digest} is not in the image"))
    }

    /// Every manifest and blob below the top manifest, by digest (in no particular order).
    pub fn blobs(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.blobs
            .iter()
            .map(|(digest, bytes)| (digest.as_str(), bytes.as_slice()))
    }

    /// A JSON blob that is no OCI document (an in-toto statement).
    pub fn json(&self, digest: &str) -> Result<Value> {
        serde_json::from_slice(self.blob(digest)?)
            .with_context(|| format!("blob {digest} is not JSON"))
    }

    /// The image config with `digest` (an image manifest's `config`).
    pub fn config(&self, digest: &str) -> Result<ImageConfiguration> {
        parse_config(self.blob(digest)?).with_context(|| format!("config {digest}"))
    }

    /// The manifest with `digest` (an index's entry).
    pub fn manifest(&self, digest: &str) -> Result<Manifest> {
        Manifest::from_bytes(self.blob(digest)?).with_context(|| format!("manifest {digest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn names_images() {
        assert_eq!(image("e2e/x", "buildx"), "127.0.0.1:5000/e2e/x:buildx");
        assert_eq!(
            image("e2e/x", "sha256:ab"),
            "127.0.0.1:5000/e2e/x@sha256:ab"
        );
    }

    fn sha256(bytes: &[u8]) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
    }

    /// What `skopeo copy --all dir:` writes for a one-platform index: the index, the image
    /// manifest, its config and its layer, each file named by its digest's hex.
    #[test]
    fn reads_a_dir_layout() -> Result<()> {
        let temporary = temporary::directory("gostage-support-layout")?;
        let dir = temporary.path();
        let layer = b"not really a tar";
        let config = br#"{"architecture":"arm64","os":"linux","config":{"User":"65532"},"rootfs":{"type":"layers","diff_ids":[]}}"#;
        let child = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":{}}}]}}"#,
            sha256(config),
            config.len(),
            sha256(layer),
            layer.len()
        );
        let child_digest = sha256(child.as_bytes());
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{child_digest}","size":{},"platform":{{"architecture":"arm64","os":"linux"}}}}]}}"#,
            child.len()
        );
        std::fs::write(dir.join("manifest.json"), &index)?;
        std::fs::write(
            dir.join(format!("{}.manifest.json", &child_digest[7..])),
            &child,
        )?;
        std::fs::write(dir.join(&sha256(config)[7..]), config)?;
        std::fs::write(dir.join(&sha256(layer)[7..]), layer)?;
        std::fs::write(dir.join("version"), "Directory Transport Version: 1.1\n")?;

        let pulled = Pulled::read_dir(dir)?;
        assert_eq!(pulled.manifest.digest, sha256(index.as_bytes()));
        let entry = &pulled.manifest.index().context("not an index")?.manifests()[0];
        assert_eq!(entry.digest().as_ref(), child_digest);
        let image = pulled.manifest(&child_digest)?;
        assert_eq!(image.digest, child_digest);
        let image = image.image().context("not an image manifest")?;
        let read = pulled.config(image.config().digest().as_ref())?;
        assert_eq!(config_platform(&read), "linux/arm64");
        assert_eq!(pulled.blob(image.layers()[0].digest().as_ref())?, layer);
        assert_eq!(pulled.json(&sha256(config))?["os"], "linux");
        assert!(pulled.blob("sha256:missing").is_err());
        let mut digests: Vec<String> = pulled.blobs().map(|(digest, _)| digest.into()).collect();
        digests.sort_unstable();
        let mut expected = vec![child_digest, sha256(config), sha256(layer)];
        expected.sort_unstable();
        assert_eq!(digests, expected);
        Ok(())
    }
}
