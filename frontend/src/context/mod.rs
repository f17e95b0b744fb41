//! Facts read from the build context before planning: where the Go modules are
//! ([`Layout`]: `module:`, go.work, local replacements, and the files each step needs) and,
//! for the plan, the main module's facts as one value ([`ModuleContext`]: go.mod, whether
//! the module is vendored, the `.dockerignore` patterns, and what each `files:` source is).
//! The gateway reads the files through BuildKit, `gostage llb` and `gostage check` from
//! disk; both feed the same [`LayoutReader`].
//!
//! Files: `layout` (the modules and the pure reader), `ignore` (which paths the exclude
//! patterns hide).

use std::collections::BTreeMap;

use crate::gomod::GoModule;

mod ignore;
pub mod layout;

pub use ignore::IgnoreMatcher;
pub use layout::{Layout, LayoutError, LayoutReader, Progress, Wanted};

/// Paths of the context never sent to the daemon: they are never needed to compile Go, and
/// cannot be `files:` sources either.
pub const CONTEXT_EXCLUDES: &[&str] = &[".git", "**/.git", "**/node_modules"];

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
    /// Facts from the main module's go.mod.
    pub module: GoModule,
    /// The main module has `go.sum`.
    pub go_sum: bool,
    /// Go builds from a vendor directory without downloading ([`Layout::vendored`]).
    pub vendored: bool,
    /// Patterns of the context's `.dockerignore`, never sent with the sources.
    pub ignore_patterns: Vec<String>,
    /// The `files:` sources (normalised `src`) that exist in the context as sent (without
    /// what `.dockerignore` hides), with their kind. A source missing here is missing.
    pub file_sources: BTreeMap<String, PathKind>,
    /// Where the build's Go modules are in the context.
    pub location: ModuleLocation,
}

/// Where the Go modules of a build are in the build context, as the plan uses it. The
/// default is one module at the context's root, the layout of every build before `module:`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleLocation {
    /// The main module's directory, relative to the context (`svc`); `None` for the root.
    pub module_dir: Option<String>,
    /// With a module elsewhere than alone at the root (a subdirectory, a workspace, local
    /// replacements): the files the download step gets ([`Layout::download_files`]) and
    /// the paths the compile gets ([`Layout::compile_paths`]), relative to the context.
    /// `None`: go.mod and go.sum at the root, and the whole context.
    pub paths: Option<LocalModulePaths>,
}

/// The context paths of a build with more than one module, or one in a subdirectory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalModulePaths {
    /// go.work, go.work.sum and each local module's go.mod and go.sum.
    pub download_files: Vec<String>,
    /// The required local modules' directories, every local go.mod and go.sum, and the
    /// go.work files ([`Layout::compile_paths`]).
    pub compile_paths: Vec<String>,
    /// The local modules whose sources the compile does not get
    /// ([`Layout::modules_left_out`]), for the hint when an import needs one.
    pub modules_left_out: Vec<String>,
}

impl ModuleLocation {
    /// The location of `layout`'s modules.
    pub fn of(layout: &Layout) -> Self {
        if layout.is_single_module() {
            return Self::default();
        }
        Self {
            module_dir: (layout.module_dir != ".").then(|| layout.module_dir.clone()),
            paths: Some(LocalModulePaths {
                download_files: layout.download_files(),
                compile_paths: layout.compile_paths(),
                modules_left_out: layout.modules_left_out(),
            }),
        }
    }
}

impl ModuleContext {
    /// The main module's facts of `layout`; `file_sources` starts empty (the reader records
    /// what it finds).
    pub fn from_layout(layout: &Layout) -> Self {
        Self {
            module: layout.main_module.clone(),
            go_sum: layout.main_go_sum(),
            vendored: layout.vendored,
            ignore_patterns: layout.ignore_patterns.clone(),
            file_sources: BTreeMap::new(),
            location: ModuleLocation::of(layout),
        }
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
/// (format: Docker's `.dockerignore` documentation; the daemon matches them for transfers,
/// [`IgnoreMatcher`] for gostage's own questions).
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
        assert_eq!(
            ignore_patterns(b"# build output\n\n/bin\n*.md\n  !README.md \n"),
            ["bin", "*.md", "!README.md"]
        );
    }

    #[test]
    fn the_plan_sees_the_main_module_of_the_layout() {
        let layout = layout::testing::layout(
            "version: 1\nmodule: svc\n",
            &[
                ("svc/go.mod", "module example.com/svc\ngo 1.23\n"),
                ("svc/go.sum", ""),
                ("svc/vendor/modules.txt", ""),
                (".dockerignore", "# build output\n/bin\n"),
            ],
        );
        let context = ModuleContext::from_layout(&layout);
        assert_eq!(context.module.path, "example.com/svc");
        assert!(context.go_sum && context.vendored);
        assert_eq!(context.ignore_patterns, ["bin"]);
        assert!(context.file_sources.is_empty());
    }

    #[test]
    fn go_file_modes_tell_directories_from_files() {
        assert_eq!(PathKind::from_go_mode(0x8000_01ed), PathKind::Directory);
        assert_eq!(PathKind::from_go_mode(0o644), PathKind::File);
    }
}
