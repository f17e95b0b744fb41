//! Facts read from the build context before planning, as one value: go.mod, whether the
//! module is vendored, the `.dockerignore` patterns, and what each `files:` source is. The
//! gateway reads the files through BuildKit, `gostage llb` from disk; both make the value here.

use std::collections::BTreeMap;

use crate::gomod::{self, GoModError, GoModule};

/// Paths of the context never sent to the daemon: they are never needed to compile Go, and
/// cannot be `files:` sources either.
const CONTEXT_EXCLUDES: &[&str] = &[".git", "**/.git", "**/node_modules"];

/// What a path of the build context is, as far as copying it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// A file (or a symlink, which the copy follows).
    File,
    /// A directory, copied with everything in it.
    Directory,
}

impl PathKind {
    /// The kind of a path from its Go `os.FileMode` bits, as BuildKit's `StatFile` and
    /// `ReadDir` return them (fsutil `types.Stat.mode`; `os.ModeDir` is bit 31).
    pub fn from_go_mode(mode: u32) -> Self {
        if mode & (1 << 31) != 0 {
            PathKind::Directory
        } else {
            PathKind::File
        }
    }
}

/// What the plan needs to know of the build context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleContext {
    /// Facts from go.mod.
    pub module: GoModule,
    /// The context has `go.sum` (each reader sets it after [`ModuleContext::read`]).
    pub go_sum: bool,
    /// The module has `vendor/modules.txt`, so Go builds from `vendor/` without downloading
    /// (`go help modules`: `-mod=vendor` is the default then).
    pub vendored: bool,
    /// Patterns of the context's `.dockerignore`, never sent with the sources.
    pub ignore_patterns: Vec<String>,
    /// The `files:` sources (normalised `src`) that exist in the context as sent (without
    /// what `.dockerignore` hides), with their kind. A source missing here is missing.
    pub file_sources: BTreeMap<String, PathKind>,
}

impl ModuleContext {
    /// The facts from the bytes of `go.mod`, whether `vendor/modules.txt` exists, and the
    /// bytes of `.dockerignore` if there is one; `go_sum` starts false and `file_sources` empty
    /// (the reader sets what it finds).
    ///
    /// Errors: a go.mod that cannot be used ([`GoModError`]).
    pub fn read(
        go_mod: &[u8],
        vendored: bool,
        dockerignore: Option<&[u8]>,
    ) -> Result<Self, GoModError> {
        Ok(Self {
            module: gomod::parse(go_mod)?,
            go_sum: false,
            vendored,
            ignore_patterns: dockerignore.map(ignore_patterns).unwrap_or_default(),
            file_sources: BTreeMap::new(),
        })
    }

    /// The exclude patterns of every transfer of the context: [`CONTEXT_EXCLUDES`], then the
    /// `.dockerignore` patterns.
    pub fn excludes(&self) -> Vec<String> {
        CONTEXT_EXCLUDES
            .iter()
            .map(|pattern| pattern.to_string())
            .chain(self.ignore_patterns.iter().cloned())
            .collect()
    }
}

/// The patterns of a `.dockerignore` file: one per line, `#` comments and blank lines skipped
/// (format: Docker's `.dockerignore` documentation; matching is done by the daemon).
fn ignore_patterns(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.trim_start_matches('/').to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_patterns_skip_comments_and_blanks() {
        let context = ModuleContext::read(
            b"module example.com/m\n",
            true,
            Some(b"# build output\n\n/bin\n*.md\n!README.md\n"),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(context.ignore_patterns, ["bin", "*.md", "!README.md"]);
        assert!(context.vendored);
        assert_eq!(context.module.path, "example.com/m");
    }

    #[test]
    fn go_file_modes_tell_directories_from_files() {
        assert_eq!(PathKind::from_go_mode(0x8000_01ed), PathKind::Directory);
        assert_eq!(PathKind::from_go_mode(0o644), PathKind::File);
    }
}
