//! Test fixtures (`tests/fixtures`), and temporary copies of the examples, to edit specs and
//! sources without touching the repo.

use anyhow::{Context, Result};
use gostage_support::temporary;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A copy of a directory under the system temp dir, removed when dropped.
pub struct TempCopy {
    /// The copy (the temporary directory itself).
    pub path: PathBuf,
    /// Removes the copy when dropped.
    _directory: TempDir,
}

impl TempCopy {
    /// Copies examples/NAME.
    pub fn of_example(name: &str) -> Result<TempCopy> {
        TempCopy::of(&gostage_support::config::example(name), name)
    }

    /// Copies tests/fixtures/NAME (NAME may have several elements: `private-ssh/app`).
    pub fn of_fixture(name: &str) -> Result<TempCopy> {
        let fixture = gostage_support::config::workspace_root()
            .join("tests/fixtures")
            .join(name);
        TempCopy::of(&fixture, &name.replace('/', "-"))
    }

    fn of(source: &Path, name: &str) -> Result<TempCopy> {
        let directory = temporary::directory(&format!("gostage-e2e-{name}"))?;
        let path = directory.path().to_path_buf();
        copy_dir(source, &path)?;
        Ok(TempCopy {
            path,
            _directory: directory,
        })
    }

    /// Replaces the file `rel` with `content`.
    pub fn write(&self, rel: &str, content: &str) -> Result<()> {
        let file = self.path.join(rel);
        std::fs::write(&file, content).with_context(|| format!("writing {}", file.display()))
    }

    /// Appends `content` to the file `rel`.
    pub fn append(&self, rel: &str, content: &str) -> Result<()> {
        let mut text = self.read(rel)?;
        text.push_str(content);
        self.write(rel, &text)
    }

    pub fn read(&self, rel: &str) -> Result<String> {
        let file = self.path.join(rel);
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// `tests/fixtures/NAME`: a small Go module made for one test.
pub fn fixture(name: &str) -> PathBuf {
    gostage_support::config::workspace_root()
        .join("tests")
        .join("fixtures")
        .join(name)
}
