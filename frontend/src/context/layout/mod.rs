//! Where the Go modules of a build are in the build context: the main module's directory
//! (`module:`), the go.work workspace around it, the local directories `replace` directives
//! name, and from these the files each build step needs.
//!
//! One pure function makes the facts from file contents ([`LayoutReader`]): it says which
//! files it needs next, a reader fetches them (the gateway through the daemon, the CLI from
//! disk) and supplies them, until the layout is known. Go's rules it follows:
//! - go.work is found as the go command finds it: in the module's directory, then each
//!   directory above it, nearest first (golang/go `src/cmd/go/internal/modload/init.go`,
//!   `findWorkspaceFile`; `go help work`), here up to the context's root, and not at all
//!   with `GOWORK=off` (`FindGoWork`). A go.work that `.dockerignore` hides is not sent, so
//!   the build's go command does not see it either.
//! - `use` directories are relative to go.work's directory; `replace` directories to the
//!   directory of the file that names them (`init.go`, `loadWorkFile` and
//!   `makeMainModules`, which makes each workspace module's replacement absolute from its
//!   own directory).
//! - Only the main modules' replacements apply: the main module's go.mod outside a
//!   workspace; every workspace module's go.mod and go.work's own in one, where go.work's
//!   replacement of a module path overrides the go.mod ones (`replacedByWorkFile` in
//!   `makeMainModules`). A replaced module's own `replace` directives are ignored ("replace
//!   directives only apply in the main module's go.mod file and are ignored in other
//!   modules", <https://go.dev/ref/mod#go-mod-file-replace>).
//! - A replacement directory and a `use` directory must hold a go.mod (the go command fails
//!   reading it otherwise).
//! - A vendor directory is the main module's outside a workspace and the workspace's (next
//!   to go.work, `go work vendor`) in one.

mod error;
mod reader;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub use error::{FileProblem, LayoutError, NoGoMod};
pub use reader::{LayoutReader, Progress, Wanted};

use crate::gomod::GoModule;
use crate::vocabulary::Span;

/// The Go modules of a build and where they are in the build context. Every path is
/// relative to the context's root, `/`-separated and clean; `.` is the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The main module's directory (`.`, `svc`, `services/api`): where the go command runs.
    pub module_dir: String,
    /// The main module's go.mod.
    pub main_module: GoModule,
    /// The workspace, when the build runs in workspace mode.
    pub workspace: Option<Workspace>,
    /// The local directory replacements that apply, go.work's first, then each main
    /// module's go.mod in `use` order, each in file order.
    pub local_replaces: Vec<LocalReplace>,
    /// The module directories the build needs (the main module, the workspace modules and
    /// the replacement directories), sorted by directory, each once.
    pub local_modules: Vec<LocalModule>,
    /// Go builds from a vendor directory (`vendor/modules.txt` in the main module's
    /// directory, or in the workspace's), so the build downloads nothing (`go help
    /// modules`: `-mod=vendor` is the default then).
    pub vendored: bool,
    /// The context's `.dockerignore` patterns (comments and blank lines dropped, a leading
    /// `/` removed), never sent with the sources.
    pub ignore_patterns: Vec<String>,
}

/// A go.work the build runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    /// The go.work file (`go.work`, `services/go.work`).
    pub go_work: String,
    /// Its directory.
    pub directory: String,
    /// The `use` directories, in file order, each once.
    pub uses: Vec<String>,
    /// `go.work.sum` exists beside go.work (the checksums of modules only the workspace
    /// needs).
    pub go_work_sum: bool,
}

/// One `replace` directive whose target is a local directory and which applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalReplace {
    /// The go.mod or go.work that has it.
    pub file: String,
    /// Where its target is written in that file (1-based line and column).
    pub span: Span,
    /// The module path it replaces.
    pub old_path: String,
    /// The version it replaces, when only one is (`None`: every version). gostage keeps
    /// such a target whichever version the build selects: one module's files too many
    /// cost nothing but the transfer.
    pub old_version: Option<String>,
    /// The directory that replaces it.
    pub directory: String,
}

/// A module directory the build needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalModule {
    /// The directory of its go.mod.
    pub directory: String,
    /// Its module path, when gostage read its go.mod (the main module and the workspace
    /// modules; a replacement directory's go.mod is only looked for).
    pub module_path: Option<String>,
    /// The module paths its go.mod requires (empty when its go.mod does not parse: the go
    /// command reports that in the build).
    pub requires: Vec<String>,
    /// It has a go.sum.
    pub go_sum: bool,
    /// Why the build needs it (the first reason found, in the order main module, go.work
    /// `use`, `replace`).
    pub origin: Origin,
    /// The exclude pattern (a `.dockerignore` line, or one gostage always applies) that
    /// keeps its go.mod out of the build, when one does.
    pub hidden_by: Option<String>,
}

/// Why a module directory is part of the build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The main module (`module:`).
    Main,
    /// A `use` directive of go.work.
    Use {
        /// The go.work.
        go_work: String,
        /// Where the directory is written.
        span: Span,
    },
    /// A `replace` directive.
    Replace {
        /// The go.mod or go.work that has it.
        file: String,
        /// Where the target is written.
        span: Span,
    },
}

impl Origin {
    /// `FILE:LINE:COLUMN` of the directive, or `module:` for the main module.
    pub fn describe(&self) -> String {
        match self {
            Origin::Main => "`module:`".to_string(),
            Origin::Use { go_work, span } => {
                format!("`use` at {go_work}:{}:{}", span.line, span.column)
            }
            Origin::Replace { file, span } => {
                format!("`replace` at {file}:{}:{}", span.line, span.column)
            }
        }
    }
}

impl Layout {
    /// The files the module download step needs, in this order: go.work and go.work.sum
    /// (when present), then each local module's go.mod and go.sum (when present), by
    /// directory. Nothing else: editing a `.go` file anywhere never invalidates the
    /// download.
    pub fn download_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        if let Some(workspace) = &self.workspace {
            files.push(workspace.go_work.clone());
            if workspace.go_work_sum {
                files.push(join(&workspace.directory, "go.work.sum"));
            }
        }
        for module in &self.local_modules {
            files.push(join(&module.directory, "go.mod"));
            if module.go_sum {
                files.push(join(&module.directory, "go.sum"));
            }
        }
        files
    }

    /// The paths the compile needs: the directories of [`Self::required_modules`], every
    /// file of [`Self::download_files`] (the go command reads every workspace module's
    /// go.mod), go.work and go.work.sum, and the workspace's vendor directory when it builds
    /// from one; a path inside another is left out (`.` alone stands for the whole context).
    /// Sorted. An edit anywhere else in the repository, a workspace service that this one
    /// does not require included, changes nothing the compile sees. See
    /// [`Self::required_modules`] for the one case this is too narrow for.
    pub fn compile_paths(&self) -> Vec<String> {
        let mut paths = self.required_modules();
        paths.extend(self.download_files());
        self.with_module_files(paths)
    }

    /// The local module directories whose sources the compile does not get
    /// ([`Self::local_modules`] outside [`Self::required_modules`]), sorted: in a workspace,
    /// the `use` modules the main module does not require.
    pub fn modules_left_out(&self) -> Vec<String> {
        let required = self.required_modules();
        self.local_modules
            .iter()
            .map(|module| module.directory.clone())
            .filter(|directory| !required.contains(directory))
            .collect()
    }

    /// `paths` with go.work, go.work.sum and the workspace's vendor directory, sorted, each
    /// once, without a path that another includes.
    fn with_module_files(&self, mut paths: Vec<String>) -> Vec<String> {
        if let Some(workspace) = &self.workspace {
            paths.push(workspace.go_work.clone());
            if workspace.go_work_sum {
                paths.push(join(&workspace.directory, "go.work.sum"));
            }
            if self.vendored {
                paths.push(join(&workspace.directory, "vendor"));
            }
        }
        paths.sort();
        paths.dedup();
        let covered = |path: &String, by: &String| {
            by != path && (by == "." || path.starts_with(&format!("{by}/")))
        };
        paths
            .iter()
            .filter(|path| !paths.iter().any(|other| covered(path, other)))
            .cloned()
            .collect()
    }

    /// The local modules the main module needs through `require` directives: the main
    /// module, then every local module one of them requires (by a local replacement of the
    /// module path, or, in a workspace, a workspace module of that path), transitively;
    /// sorted.
    ///
    /// A narrower set than [`Self::local_modules`]: a workspace service that does not
    /// require the other services is not rebuilt when they change. In a workspace the go
    /// command also builds imports of workspace modules that no go.mod requires; without
    /// their sources it stops with `no required module provides package` (go1.26), and
    /// gostage's hint says to add the `require` (`failure_hints::compile`).
    pub fn required_modules(&self) -> Vec<String> {
        let mut needed = vec![self.module_dir.clone()];
        let mut index = 0;
        while let Some(directory) = needed.get(index).cloned() {
            index += 1;
            let Some(module) = self
                .local_modules
                .iter()
                .find(|module| module.directory == directory)
            else {
                continue;
            };
            for required in &module.requires {
                let provider = self
                    .local_replaces
                    .iter()
                    .find(|replace| &replace.old_path == required)
                    .map(|replace| replace.directory.clone())
                    .or_else(|| {
                        self.workspace.as_ref()?;
                        self.local_modules
                            .iter()
                            .find(|local| local.module_path.as_deref() == Some(required))
                            .map(|local| local.directory.clone())
                    });
                if let Some(provider) = provider.filter(|provider| !needed.contains(provider)) {
                    needed.push(provider);
                }
            }
        }
        needed.sort();
        needed
    }

    /// The context path of a package directory written relative to the main module (a
    /// normalised `main:` such as `./cmd/server` or `.`): `svc/cmd/server`, `svc`.
    pub fn package_dir(&self, package: &str) -> String {
        package_dir(&self.module_dir, package)
    }

    /// The main module has a go.sum.
    pub fn main_go_sum(&self) -> bool {
        self.local_modules
            .iter()
            .any(|module| module.directory == self.module_dir && module.go_sum)
    }

    /// Whether the module path `required` comes from a directory of the context: a local
    /// replacement of it applies, or it is a workspace module. Such a requirement needs no
    /// checksum in go.sum (the go command verifies only downloaded modules).
    pub fn is_local(&self, required: &str) -> bool {
        self.local_replaces
            .iter()
            .any(|replace| replace.old_path == required)
            || (self.workspace.is_some()
                && self
                    .local_modules
                    .iter()
                    .any(|module| module.module_path.as_deref() == Some(required)))
    }

    /// One module at the context's root, no workspace and no local replacement: the layout
    /// of every build before `module:` existed.
    pub fn is_single_module(&self) -> bool {
        self.module_dir == "." && self.workspace.is_none() && self.local_replaces.is_empty()
    }
}

/// The context path of `package`, a package directory written relative to the module in
/// `module_dir` (a normalised `main:`, `./cmd/server` or `.`): `svc` + `./cmd/server` →
/// `svc/cmd/server`; `.` + `.` → `.`; `./.tools/x` keeps its hidden directory's dot.
pub fn package_dir(module_dir: &str, package: &str) -> String {
    let relative = package.strip_prefix("./").unwrap_or(package);
    match relative.trim_matches('/') {
        "" | "." => module_dir.to_string(),
        relative => join(module_dir, relative),
    }
}

/// `directory/name` as a context path: `name` alone in the root, `directory` alone for a
/// `name` of `.`.
pub fn join(directory: &str, name: &str) -> String {
    match (directory, name) {
        ("." | "", name) => name.to_string(),
        (directory, "." | "") => directory.to_string(),
        (directory, name) => format!("{directory}/{name}"),
    }
}

/// `path` as an include or exclude pattern of a local source that matches exactly that
/// path: `*`, `?`, `[`, `]` and `\` escaped with `\`, as moby/patternmatcher reads them.
pub fn exact_pattern(path: &str) -> String {
    let mut pattern = String::with_capacity(path.len());
    for character in path.chars() {
        if matches!(character, '*' | '?' | '[' | ']' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern
}
