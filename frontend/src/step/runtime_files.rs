//! `gostage runtime-files DIRECTORY`: the files a static Go program needs at run time,
//! gathered in the builder so the final image copies them from one place:
//!
//! - `usr/share/zoneinfo/…`, unpacked from the builder's `$GOROOT/lib/time/zoneinfo.zip`
//!   (Go's `time` package reads `/usr/share/zoneinfo` for `TZ=Area/City`,
//!   `time/zoneinfo_unix.go` `platformZoneSources`);
//! - `etc/ssl/certs/ca-certificates.crt`, the builder's CA bundle (the first file
//!   `crypto/x509` looks for on Linux, `crypto/x509/root_linux.go`);
//! - `tmp/` with mode 1777 (LLB's mkdir cannot set the sticky bit: BuildKit masks the mode
//!   with 0777, `solver/llbsolver/file/backend.go`).

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the builder's CA bundle is (Debian's and Alpine's `ca-certificates` package).
pub const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Why the files could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeFilesError {
    /// `go env GOROOT` failed: the builder has no usable Go on `PATH`.
    #[error("`go env GOROOT` failed ({0}); use a builder image with Go on PATH")]
    GoRoot(String),
    /// The time zone archive is missing or unreadable.
    #[error("the builder's Go has no time zone database at {path} ({detail})")]
    Zoneinfo {
        /// The archive.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The CA bundle is missing.
    #[error("the builder image has no CA bundle at {path} ({source}); use a builder image with ca-certificates")]
    CaBundle {
        /// The bundle's path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// Writing the output failed.
    #[error("{path}: {source}")]
    Write {
        /// The file or directory written.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

/// The builder's files this command reads.
#[derive(Clone, Debug)]
pub struct BuilderPaths {
    /// Go's time zone archive, `$GOROOT/lib/time/zoneinfo.zip`.
    pub zoneinfo_zip: PathBuf,
    /// The CA bundle.
    pub ca_bundle: PathBuf,
}

impl BuilderPaths {
    /// The paths in this builder: GOROOT as `go env GOROOT` prints it (which honours a
    /// `GOROOT` variable and finds the distribution from the `go` on `PATH`).
    ///
    /// Errors: `go` cannot be run or fails.
    pub fn discover() -> Result<Self, RuntimeFilesError> {
        let output = Command::new("go")
            .args(["env", "GOROOT"])
            .output()
            .map_err(|error| RuntimeFilesError::GoRoot(error.to_string()))?;
        if !output.status.success() {
            let detail = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(RuntimeFilesError::GoRoot(format!(
                "{}: {detail}",
                output.status
            )));
        }
        let goroot = String::from_utf8_lossy(&output.stdout).trim().to_string();
        Ok(BuilderPaths {
            zoneinfo_zip: Path::new(&goroot).join("lib/time/zoneinfo.zip"),
            ca_bundle: PathBuf::from(CA_BUNDLE),
        })
    }
}

/// Writes the runtime files under `directory` from the builder's `paths`.
///
/// Errors: a missing or malformed zoneinfo archive (an entry that would land outside the
/// directory included), a missing CA bundle, or a failed write.
pub fn gather(directory: &Path, paths: &BuilderPaths) -> Result<(), RuntimeFilesError> {
    unpack_zoneinfo(&paths.zoneinfo_zip, &directory.join("usr/share/zoneinfo"))?;
    let bundle = directory.join("etc/ssl/certs/ca-certificates.crt");
    create_parent(&bundle)?;
    fs::copy(&paths.ca_bundle, &bundle).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => RuntimeFilesError::CaBundle {
            path: paths.ca_bundle.clone(),
            source,
        },
        _ => RuntimeFilesError::Write {
            path: bundle.clone(),
            source,
        },
    })?;
    let tmp = directory.join("tmp");
    let written = |source| RuntimeFilesError::Write {
        path: tmp.clone(),
        source,
    };
    fs::create_dir_all(&tmp).map_err(written)?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o1777)).map_err(written)
}

fn unpack_zoneinfo(archive: &Path, target: &Path) -> Result<(), RuntimeFilesError> {
    let unreadable = |detail: String| RuntimeFilesError::Zoneinfo {
        path: archive.to_path_buf(),
        detail,
    };
    let file = fs::File::open(archive).map_err(|error| unreadable(error.to_string()))?;
    let mut zip = zip::ZipArchive::new(io::BufReader::new(file))
        .map_err(|error| unreadable(error.to_string()))?;
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|error| unreadable(error.to_string()))?;
        let Some(relative) = entry.enclosed_name() else {
            return Err(unreadable(format!(
                "the entry {:?} would land outside the zoneinfo directory",
                entry.name()
            )));
        };
        if entry.is_dir() {
            continue;
        }
        let path = target.join(relative);
        create_parent(&path)?;
        let mut output = fs::File::create(&path).map_err(|source| RuntimeFilesError::Write {
            path: path.clone(),
            source,
        })?;
        io::copy(&mut entry, &mut output)
            .map_err(|error| unreadable(format!("{}: {error}", path.display())))?;
    }
    Ok(())
}

fn create_parent(path: &Path) -> Result<(), RuntimeFilesError> {
    let Some(parent) = path.parent() else {
        return Ok(());
    };
    fs::create_dir_all(parent).map_err(|source| RuntimeFilesError::Write {
        path: parent.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A scratch directory under the target directory, removed first.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "gostage-runtime-files-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn archive(dir: &Path, entries: &[(&str, &[u8])]) -> PathBuf {
        let path = dir.join("zoneinfo.zip");
        let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in entries {
            zip.start_file(*name, stored).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        path
    }

    #[test]
    fn writes_zoneinfo_the_bundle_and_a_sticky_tmp() {
        let dir = scratch("ok");
        let bundle = dir.join("bundle.crt");
        fs::write(&bundle, b"-----BEGIN CERTIFICATE-----\n").unwrap();
        let paths = BuilderPaths {
            zoneinfo_zip: archive(
                &dir,
                &[("Europe/Berlin", b"TZif2 berlin"), ("UTC", b"TZif2 utc")],
            ),
            ca_bundle: bundle,
        };
        let out = dir.join("out");
        gather(&out, &paths).unwrap();
        assert_eq!(
            fs::read(out.join("usr/share/zoneinfo/Europe/Berlin")).unwrap(),
            b"TZif2 berlin"
        );
        assert_eq!(
            fs::read(out.join("usr/share/zoneinfo/UTC")).unwrap(),
            b"TZif2 utc"
        );
        assert_eq!(
            fs::read(out.join("etc/ssl/certs/ca-certificates.crt")).unwrap(),
            b"-----BEGIN CERTIFICATE-----\n"
        );
        let mode = fs::metadata(out.join("tmp")).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o1777);
    }

    #[test]
    fn an_escaping_entry_is_refused() {
        let dir = scratch("escape");
        let paths = BuilderPaths {
            zoneinfo_zip: archive(&dir, &[("../../evil", b"x")]),
            ca_bundle: dir.join("none"),
        };
        let error = gather(&dir.join("out"), &paths).unwrap_err();
        assert!(
            error.to_string().contains("outside the zoneinfo directory"),
            "{error}"
        );
        assert!(!dir.join("evil").exists());
    }

    #[test]
    fn a_missing_bundle_names_the_fix() {
        let dir = scratch("nobundle");
        let paths = BuilderPaths {
            zoneinfo_zip: archive(&dir, &[("UTC", b"TZif2")]),
            ca_bundle: dir.join("missing.crt"),
        };
        let error = gather(&dir.join("out"), &paths).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("use a builder image with ca-certificates"),
            "{error}"
        );
    }

    #[test]
    fn the_hosts_go_distribution_has_an_archive_this_can_unpack() {
        // The builder stand-ins are the host's Go: its real archive unpacks.
        let Ok(paths) = BuilderPaths::discover() else {
            panic!("go is not on PATH");
        };
        let dir = scratch("host");
        let paths = BuilderPaths {
            ca_bundle: {
                let bundle = dir.join("b.crt");
                fs::write(&bundle, b"x").unwrap();
                bundle
            },
            ..paths
        };
        gather(&dir.join("out"), &paths).unwrap();
        let berlin = fs::read(dir.join("out/usr/share/zoneinfo/Europe/Berlin")).unwrap();
        assert!(berlin.starts_with(b"TZif"), "not a TZif file");
    }
}
