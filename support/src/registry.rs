//! Reading images from the local registry with skopeo (Debian `skopeo`, which `cargo xtask up`
//! installs): raw manifests, image configs, and whole images (an index with every platform
//! image and attestation) copied out with their digests kept.

use crate::cmd;
use crate::config::REGISTRY;
use crate::temporary;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::process::Command;

/// `127.0.0.1:5000/REPO:TAG`, or `127.0.0.1:5000/REPO@DIGEST` when `reference` is a digest.
pub fn image(repo: &str, reference: &str) -> String {
    let separator = if reference.contains(':') { '@' } else { ':' };
    format!("{REGISTRY}/{repo}{separator}{reference}")
}

/// A manifest (image manifest or index) as the registry serves it.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// `sha256:…` of the exact bytes (what the registry reports as Docker-Content-Digest).
    pub digest: String,
    /// The manifest.
    pub json: Value,
}

impl Manifest {
    fn from_bytes(bytes: &[u8]) -> Result<Manifest> {
        Ok(Manifest {
            digest: format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
            json: serde_json::from_slice(bytes).context("the manifest is not JSON")?,
        })
    }

    /// Its `mediaType`.
    pub fn media_type(&self) -> &str {
        self.json["mediaType"].as_str().unwrap_or_default()
    }

    /// Whether it is an index (manifest list).
    pub fn is_index(&self) -> bool {
        self.json["manifests"].is_array()
    }
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
pub fn config(image: &str) -> Result<Option<Value>> {
    skopeo(
        &["inspect", "--config", "--raw", "--tls-verify=false"],
        image,
    )?
    .map(|raw| {
        serde_json::from_str(&raw).with_context(|| format!("the config of {image} is not JSON"))
    })
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

    /// A JSON blob (an image config, an in-toto statement).
    pub fn json(&self, digest: &str) -> Result<Value> {
        serde_json::from_slice(self.blob(digest)?)
            .with_context(|| format!("blob {digest} is not JSON"))
    }

    /// The manifest with `digest` (an index's entry).
    pub fn manifest(&self, digest: &str) -> Result<Manifest> {
        Manifest::from_bytes(self.blob(digest)?).with_context(|| format!("manifest {digest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_images() {
        assert_eq!(image("e2e/x", "buildx"), "127.0.0.1:5000/e2e/x:buildx");
        assert_eq!(
            image("e2e/x", "sha256:ab"),
            "127.0.0.1:5000/e2e/x@sha256:ab"
        );
    }

    #[test]
    fn reads_a_dir_layout() -> Result<()> {
        let temporary = temporary::directory("gostage-support-layout")?;
        let dir = temporary.path();
        let child = br#"{"config":{"digest":"sha256:c"},"layers":[]}"#;
        let child_digest = format!("sha256:{}", hex::encode(Sha256::digest(child)));
        let index = format!(r#"{{"manifests":[{{"digest":"{child_digest}"}}]}}"#);
        std::fs::write(dir.join("manifest.json"), &index)?;
        std::fs::write(
            dir.join(format!("{}.manifest.json", &child_digest[7..])),
            child,
        )?;
        std::fs::write(dir.join("c"), r#"{"os":"linux"}"#)?;
        std::fs::write(dir.join("version"), "Directory Transport Version: 1.1\n")?;
        let pulled = Pulled::read_dir(dir)?;
        assert!(pulled.manifest.is_index());
        assert_eq!(
            pulled.manifest.digest,
            format!("sha256:{}", hex::encode(Sha256::digest(index.as_bytes())))
        );
        assert_eq!(pulled.manifest(&child_digest)?.digest, child_digest);
        assert_eq!(pulled.json("sha256:c")?["os"], "linux");
        assert!(pulled.blob("sha256:missing").is_err());
        let mut digests: Vec<&str> = pulled.blobs().map(|(digest, _)| digest).collect();
        digests.sort_unstable();
        assert_eq!(digests, [child_digest.as_str(), "sha256:c"]);
        Ok(())
    }
}
