//! `gostage download-modules DOWNLOADS`: `go mod download` into the step's own module cache
//! (`GOMODCACHE`, an ordinary layer that the compile steps mount), served first from the
//! daemon's download cache DOWNLOADS (a cache mount) and only then from the build's GOPROXY,
//! and afterwards keeps what it fetched in DOWNLOADS for the next build.
//!
//! The compile runs without network, so its modules must be part of the download step's
//! result: a cache mount can be pruned, or missing on a runner that imported the build cache,
//! while BuildKit keeps the step (moby/buildkit#1474). The cache mount therefore only saves
//! network traffic: losing it costs a download, never a failed build.
//!
//! DOWNLOADS holds a module cache's `cache/download` tree, which has the layout of a module
//! proxy (`go help goproxy`: "GOPROXY=file://$(go env GOMODCACHE)/cache/download"), so Go
//! reads it as the first entry of GOPROXY. A file that is not there is a 404 to Go, which
//! then asks the next entry (`go help module-proxy`: a comma falls back on 404 and 410).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of a module proxy's `@v/` directory that `go mod download` asks for when
/// go.mod names exact versions (`go help goproxy`): the version's metadata, its go.mod and
/// its source archive. Go's lock and partial files are left out.
const PROXY_FILE_EXTENSIONS: &[&str] = &["info", "mod", "zip"];

/// Why the modules could not be downloaded.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// `go` cannot be started: the builder has no Go on `PATH`.
    #[error("cannot run `go` ({0}); use a builder image with Go on PATH")]
    GoMissing(std::io::Error),
    /// `go env` failed, e.g. because go.mod asks for a newer Go (its output says why).
    #[error("`go env GOPROXY GOMODCACHE` failed: {0}")]
    GoEnvironment(String),
    /// `go mod download` could not be started or was killed.
    #[error("`go mod download`: {0}")]
    Download(String),
}

/// The subcommand: `go mod download`'s exit status (1 when it was killed by a signal, 2 when
/// it could not run). A failure to keep the fetched files in DOWNLOADS is a warning only:
/// the step's own module cache is complete either way.
pub fn run(downloads: &Path) -> u8 {
    match download(downloads) {
        Ok((0, module_cache)) => {
            let fetched = module_cache.join("cache/download");
            if let Err(error) = keep_downloads(&fetched, &proxy_dir(downloads)) {
                eprintln!("gostage: warning: the downloaded modules were not kept in the daemon's download cache for later builds ({error})");
            }
            0
        }
        Ok((code, _)) => code,
        Err(error) => {
            eprintln!("gostage download-modules: {error}");
            2
        }
    }
}

/// The module proxy tree inside the download cache mount: its `cache/download`, the
/// layout the mount had when it was the compile's module cache, so a daemon's existing cache
/// keeps serving.
pub fn proxy_dir(downloads: &Path) -> PathBuf {
    downloads.join("cache/download")
}

/// `GOPROXY` for the download: the download cache first, then `configured`, Go's effective
/// value (`go env GOPROXY`: the build-arg, the builder image's, or Go's default).
pub fn proxy_list(downloads: &Path, configured: &str) -> String {
    format!("file://{},{configured}", proxy_dir(downloads).display())
}

/// The effective GOPROXY and GOMODCACHE of the builder's Go.
fn go_environment() -> Result<(String, PathBuf), DownloadError> {
    let output = Command::new("go")
        .args(["env", "GOPROXY", "GOMODCACHE"])
        .output()
        .map_err(DownloadError::GoMissing)?;
    if !output.status.success() {
        return Err(DownloadError::GoEnvironment(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    match (lines.next(), lines.next()) {
        (Some(proxy), Some(cache)) if !cache.is_empty() => {
            Ok((proxy.to_string(), PathBuf::from(cache)))
        }
        _ => Err(DownloadError::GoEnvironment(format!(
            "unexpected output {text:?}"
        ))),
    }
}

/// Runs `go mod download` with the download cache in front of GOPROXY; returns its exit
/// status and the module cache it filled.
fn download(downloads: &Path) -> Result<(u8, PathBuf), DownloadError> {
    let (configured, module_cache) = go_environment()?;
    let status = Command::new("go")
        .args(["mod", "download"])
        .env("GOPROXY", proxy_list(downloads, &configured))
        .status()
        .map_err(|error| DownloadError::Download(error.to_string()))?;
    let code = match status.code() {
        Some(code) => u8::try_from(code).unwrap_or(1),
        None => {
            eprintln!("gostage download-modules: `go mod download` ended by {status}");
            1
        }
    };
    Ok((code, module_cache))
}

/// Copies each proxy file (`*.info`, `*.mod`, `*.zip`) under `from` that `to` lacks, to the
/// same relative path. Each copy is written under a name of its own and renamed into place,
/// so a build reading `to` at the same time never sees half a file. The checksum database
/// cache (`sumdb/`) is not a proxy file and stays behind. Returns how many files it copied.
///
/// Errors: the first directory that cannot be read or file that cannot be written.
pub fn keep_downloads(from: &Path, to: &Path) -> io::Result<usize> {
    let mut copied = 0;
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let directory = from.join(&relative);
        let entries = match fs::read_dir(&directory) {
            Ok(entries) => entries,
            // Nothing was downloaded (a module without requirements).
            Err(error)
                if error.kind() == io::ErrorKind::NotFound && relative.as_os_str().is_empty() =>
            {
                return Ok(0)
            }
            Err(error) => return Err(with_path(error, &directory)),
        };
        for entry in entries {
            let entry = entry.map_err(|error| with_path(error, &directory))?;
            let name = entry.file_name();
            let path = relative.join(&name);
            let kind = entry
                .file_type()
                .map_err(|error| with_path(error, &entry.path()))?;
            if kind.is_dir() {
                if !(relative.as_os_str().is_empty() && name == "sumdb") {
                    pending.push(path);
                }
                continue;
            }
            let is_proxy_file = path
                .extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| PROXY_FILE_EXTENSIONS.contains(&extension));
            if kind.is_file() && is_proxy_file && !to.join(&path).exists() {
                copy_into_place(&entry.path(), &to.join(&path))?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}

/// Copies `source` to `target` through a temporary file beside it (unique per process and
/// moment: builds on one daemon run in separate PID namespaces, so the PID alone is not).
fn copy_into_place(source: &Path, target: &Path) -> io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|error| with_path(error, parent))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let mut temporary = target.as_os_str().to_owned();
    temporary.push(format!(".gostage-{}-{nanos}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    fs::copy(source, &temporary).map_err(|error| with_path(error, &temporary))?;
    fs::rename(&temporary, target).map_err(|error| {
        let _ = fs::remove_file(&temporary);
        with_path(error, target)
    })
}

fn with_path(error: io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, contents: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    #[test]
    fn the_download_cache_comes_first_in_goproxy() {
        assert_eq!(
            proxy_list(
                Path::new("/gostage/module-downloads"),
                "https://proxy.example,direct"
            ),
            "file:///gostage/module-downloads/cache/download,https://proxy.example,direct"
        );
    }

    #[test]
    fn only_missing_proxy_files_are_kept_and_sumdb_stays_behind() {
        let root = std::env::temp_dir().join(format!("gostage-keep-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let (from, to) = (root.join("from"), root.join("to"));
        let version = "github.com/google/uuid/@v/v1.6.0";
        write(&from.join(format!("{version}.zip")), "new zip");
        write(
            &from.join(format!("{version}.mod")),
            "module github.com/google/uuid",
        );
        write(&from.join(format!("{version}.info")), "{}");
        write(&from.join(format!("{version}.lock")), "");
        write(&from.join(format!("{version}.ziphash")), "h1:x");
        write(&from.join("sumdb/sum.golang.org/lookup/x.zip"), "tile");
        write(&to.join(format!("{version}.info")), "kept");

        assert_eq!(keep_downloads(&from, &to).unwrap(), 2);

        assert_eq!(
            fs::read_to_string(to.join(format!("{version}.zip"))).unwrap(),
            "new zip"
        );
        assert_eq!(
            fs::read_to_string(to.join(format!("{version}.info"))).unwrap(),
            "kept"
        );
        assert!(!to.join(format!("{version}.lock")).exists());
        assert!(!to.join(format!("{version}.ziphash")).exists());
        assert!(!to.join("sumdb").exists());
        let names: Vec<_> = fs::read_dir(to.join("github.com/google/uuid/@v"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(
            names.iter().all(|name| !name.ends_with(".tmp")),
            "{names:?}"
        );
        assert_eq!(keep_downloads(&from, &to).unwrap(), 0);
        assert_eq!(keep_downloads(&root.join("absent"), &to).unwrap(), 0);
        fs::remove_dir_all(&root).unwrap();
    }
}
