//! Temporary directories (tempfile): build contexts, copied-out images, servers' files. Each
//! is new, uniquely named and removed with everything in it when dropped, also when a test
//! fails half-way.

use anyhow::{Context, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use tempfile::TempDir;

/// A new directory `<system temp dir>/<label>-XXXXXX`; see [`directory_in`].
pub fn directory(label: &str) -> Result<TempDir> {
    directory_in(&std::env::temp_dir(), label)
}

/// A new directory `<parent>/<label>-XXXXXX` (`parent` is created when missing), mode 0755 as
/// `mkdir` makes it rather than tempfile's 0700: daemons, containers and sshd running as
/// other users read what is in it. Removed with everything in it when dropped.
///
/// Errors: `parent` cannot be created or written to.
pub fn directory_in(parent: &Path, label: &str) -> Result<TempDir> {
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let directory = tempfile::Builder::new()
        .prefix(&format!("{label}-"))
        .tempdir_in(parent)
        .with_context(|| format!("creating a directory in {}", parent.display()))?;
    std::fs::set_permissions(directory.path(), std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} readable", directory.path().display()))?;
    Ok(directory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_a_readable_directory_removed_when_dropped() -> Result<()> {
        let parent = directory("gostage-support-parent")?;
        let nested = parent.path().join("not/yet");
        let made = directory_in(&nested, "stage")?;
        let path = made.path().to_path_buf();
        assert_eq!(path.parent(), Some(nested.as_path()));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        assert!(name.is_some_and(|n| n.starts_with("stage-") && n.len() > "stage-".len()));
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o755
        );
        std::fs::write(path.join("file"), "x")?;
        let second = directory_in(&nested, "stage")?;
        assert_ne!(second.path(), path);
        drop(made);
        assert!(!path.exists());
        Ok(())
    }
}
