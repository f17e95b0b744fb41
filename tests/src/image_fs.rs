//! An image's config and merged filesystem, read from `docker save` output or from an OCI
//! layout tarball (buildctl `--output type=oci`).

use anyhow::{bail, Context, Result};
use gostage_support::registry::{parse_config, Manifest};
use gostage_support::{cmd, temporary};
use oci_spec::image::{Arch, Config, ImageConfiguration, Os};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Other,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub kind: Kind,
    /// Permission bits including setuid/setgid/sticky (e.g. 0o1777).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Symlink or hardlink target.
    pub link: Option<String>,
    /// Modification time in the layer tar, seconds since the epoch.
    pub mtime: u64,
    pub data: Vec<u8>,
}

/// The image config (the OCI/Docker config JSON) and the files of all layers applied in order,
/// keyed by path without a leading `/` or `./` (e.g. `usr/local/bin/hello`).
pub struct ImageFs {
    pub config: ImageConfiguration,
    pub entries: BTreeMap<String, Entry>,
}

impl ImageFs {
    /// `docker save IMAGE`, then reads it.
    pub fn from_docker(image: &str) -> Result<ImageFs> {
        let dir = temporary::directory("gostage-e2e-save")?;
        let tar = dir.path().join("image.tar");
        cmd::run(
            Command::new("docker")
                .arg("save")
                .arg("-o")
                .arg(&tar)
                .arg(image),
        )
        .and_then(|_| ImageFs::from_archive(&tar))
        .with_context(|| format!("reading the filesystem of {image}"))
    }

    /// Reads a `docker save` archive or an OCI layout tarball (for the linux/amd64 image).
    pub fn from_archive(path: &Path) -> Result<ImageFs> {
        let files = read_tar(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        )?;
        let (config, layers) = if let Some(manifest) = files.get("manifest.json") {
            docker_layout(&files, manifest)?
        } else if let Some(index) = files.get("index.json") {
            oci_layout(&files, index)?
        } else {
            bail!(
                "{} has neither manifest.json nor index.json",
                path.display()
            );
        };
        let mut entries = BTreeMap::new();
        for layer in layers {
            apply_layer(&mut entries, layer)?;
        }
        Ok(ImageFs { config, entries })
    }

    /// An image from its config and its layer blobs (tar, gzip or not), applied in order: for
    /// images read from the registry (see [`crate::registry`]).
    pub fn from_layers<L: AsRef<[u8]>>(
        config: ImageConfiguration,
        layers: &[L],
    ) -> Result<ImageFs> {
        let mut entries = BTreeMap::new();
        for layer in layers {
            apply_layer(&mut entries, layer.as_ref())?;
        }
        Ok(ImageFs { config, entries })
    }

    /// The `config` object of the image config (User, Env, Entrypoint, ...); empty when the
    /// image config has none.
    pub fn runtime_config(&self) -> Config {
        self.config.config().clone().unwrap_or_default()
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(normalize(path).as_str())
    }

    /// Every path with its kind and mode, one per line, for failure messages.
    pub fn listing(&self) -> String {
        self.entries
            .iter()
            .map(|(p, e)| format!("  {:?} {:o} {}:{} /{p}", e.kind, e.mode, e.uid, e.gid))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn normalize(path: &str) -> String {
    path.trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_string()
}

fn read_tar(reader: impl Read) -> Result<HashMap<String, Vec<u8>>> {
    let mut files = HashMap::new();
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type().is_file() {
            let name = normalize(&entry.path()?.to_string_lossy());
            let mut data = Vec::new();
            entry.read_to_end(&mut data)?;
            files.insert(name, data);
        }
    }
    Ok(files)
}

fn file<'a>(files: &'a HashMap<String, Vec<u8>>, name: &str) -> Result<&'a [u8]> {
    files
        .get(&normalize(name))
        .map(Vec::as_slice)
        .with_context(|| format!("the archive has no {name}"))
}

/// One image of a `docker save` archive's `manifest.json` (moby/moby, image/tarexport:
/// `manifestItem`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SavedImage {
    /// The config file's path in the archive.
    config: String,
    /// The layer tarballs' paths, base first.
    layers: Vec<String>,
}

fn docker_layout<'a>(
    files: &'a HashMap<String, Vec<u8>>,
    manifest: &[u8],
) -> Result<(ImageConfiguration, Vec<&'a [u8]>)> {
    let saved: Vec<SavedImage> =
        serde_json::from_slice(manifest).context("manifest.json is not a docker save manifest")?;
    let image = saved.first().context("manifest.json lists no image")?;
    let config = parse_config(file(files, &image.config)?)?;
    let layers = image
        .layers
        .iter()
        .map(|layer| file(files, layer))
        .collect::<Result<_>>()?;
    Ok((config, layers))
}

fn blob<'a>(files: &'a HashMap<String, Vec<u8>>, digest: &str) -> Result<&'a [u8]> {
    let (algo, hex) = digest
        .split_once(':')
        .with_context(|| format!("bad digest {digest}"))?;
    file(files, &format!("blobs/{algo}/{hex}"))
}

fn oci_layout<'a>(
    files: &'a HashMap<String, Vec<u8>>,
    index: &[u8],
) -> Result<(ImageConfiguration, Vec<&'a [u8]>)> {
    let mut node = Manifest::from_bytes(index).context("index.json")?;
    // Descend through indexes to the linux/amd64 image manifest (skipping attestations).
    for _ in 0..4 {
        if let Some(image) = node.image() {
            let config = parse_config(blob(files, image.config().digest().as_ref())?)?;
            let layers = image
                .layers()
                .iter()
                .map(|layer| blob(files, layer.digest().as_ref()))
                .collect::<Result<_>>()?;
            return Ok((config, layers));
        }
        let chosen = node
            .index()
            .into_iter()
            .flat_map(|index| index.manifests())
            .filter(|entry| {
                entry
                    .annotations()
                    .as_ref()
                    .and_then(|annotations| annotations.get(crate::registry::REFERENCE_TYPE))
                    .map(String::as_str)
                    != Some("attestation-manifest")
            })
            .find(|entry| {
                entry.platform().as_ref().is_none_or(|platform| {
                    platform.os() == &Os::Linux && platform.architecture() == &Arch::Amd64
                })
            })
            .context("no linux/amd64 manifest in the index")?;
        let digest = chosen.digest().to_string();
        node = Manifest::from_bytes(blob(files, &digest)?).with_context(|| digest.clone())?;
    }
    bail!("OCI layout nested too deeply")
}

fn apply_layer(entries: &mut BTreeMap<String, Entry>, layer: &[u8]) -> Result<()> {
    let reader: Box<dyn Read> = if layer.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(layer))
    } else {
        Box::new(layer)
    };
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = normalize(&entry.path()?.to_string_lossy());
        if path.is_empty() {
            continue;
        }
        let (dir, base) = path
            .rsplit_once('/')
            .map_or(("", path.as_str()), |(d, b)| (d, b));
        if base == ".wh..wh..opq" {
            let prefix = format!("{dir}/");
            entries.retain(|p, _| !p.starts_with(&prefix));
            continue;
        }
        if let Some(hidden) = base.strip_prefix(".wh.") {
            let target = if dir.is_empty() {
                hidden.to_string()
            } else {
                format!("{dir}/{hidden}")
            };
            let prefix = format!("{target}/");
            entries.retain(|p, _| p != &target && !p.starts_with(&prefix));
            continue;
        }
        let header = entry.header();
        let kind = match header.entry_type() {
            t if t.is_file() => Kind::File,
            t if t.is_dir() => Kind::Dir,
            t if t.is_symlink() => Kind::Symlink,
            t if t.is_hard_link() => Kind::Hardlink,
            _ => Kind::Other,
        };
        let mode = header.mode()? & 0o7777;
        let (uid, gid) = (header.uid()?, header.gid()?);
        let mtime = header.mtime()?;
        let link = entry.link_name()?.map(|l| l.to_string_lossy().into_owned());
        let mut data = Vec::new();
        if kind == Kind::File {
            entry.read_to_end(&mut data)?;
        }
        entries.insert(
            path,
            Entry {
                kind,
                mode,
                uid,
                gid,
                link,
                mtime,
                data,
            },
        );
    }
    Ok(())
}
