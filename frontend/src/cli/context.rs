//! The build context read from disk as a build reads it through BuildKit: the same
//! [`LayoutReader`] fed with files instead of daemon reads, for `gostage llb` and
//! `gostage check`.

use std::path::{Path, PathBuf};

use crate::context::{Layout, LayoutError, LayoutReader, ModuleContext, PathKind, Progress};
use crate::spec::Spec;
use crate::vocabulary::Diagnostic;

/// What a build would read of a context on disk.
#[derive(Clone, Debug)]
pub struct DiskContext {
    /// The main module's facts for the plan.
    pub module: ModuleContext,
    /// Where the Go modules are.
    pub layout: Layout,
}

/// Why a context on disk cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// A file exists but cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The file on disk.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The modules cannot be placed: rendered with the spec's name and each go.mod or
    /// go.work by its path on disk (`examples/monorepo/svc-a/go.mod:5:33: …`).
    #[error("{rendered}")]
    Layout {
        /// The error.
        error: Box<LayoutError>,
        /// The file the problem is in, as printed: the spec's name, or the go.mod or go.work
        /// by its path on disk.
        file: String,
        /// What is wrong in `file`, where (line 0: the file as a whole) and the fix.
        diagnostic: Diagnostic,
        /// Its message as printed.
        rendered: String,
    },
}

/// Reads the context in `context_dir` for `spec` (named `spec_filename` in messages), and
/// records the `files:` sources it has (unlike a build, one that `.dockerignore` hides is
/// still found).
///
/// Errors: a file cannot be read ([`ContextError::Read`]), or the layout fails (no go.mod
/// where `module:` points, a go.mod or go.work that cannot be used:
/// [`ContextError::Layout`], whose message names the directories below the context's
/// root that have a go.mod when the one `module:` names is missing).
pub fn read_context(
    context_dir: &Path,
    spec: &Spec,
    spec_filename: &str,
) -> Result<DiskContext, ContextError> {
    let mut reader = LayoutReader::new(spec);
    if let Some(absolute) = std::fs::canonicalize(directory(context_dir))
        .ok()
        .and_then(|path| path.to_str().map(str::to_string))
    {
        reader = reader.with_context_directory(&absolute);
    }
    let shown = |path: &str| on_disk(context_dir, path).display().to_string();
    let layout = loop {
        let wanted = match reader.next() {
            Ok(Progress::Done(layout)) => break *layout,
            Ok(Progress::Wanted(wanted)) => wanted,
            Err(error) => {
                let (file, diagnostic) = match &error {
                    // Its fix names the directories below the context that have a go.mod.
                    LayoutError::NoGoMod(missing) => (
                        spec_filename.to_string(),
                        missing.diagnostic(&modules_below(context_dir)),
                    ),
                    LayoutError::Spec(diagnostic) => {
                        (spec_filename.to_string(), diagnostic.clone())
                    }
                    LayoutError::File(problem) => {
                        (shown(&problem.path), problem.diagnostic.clone())
                    }
                };
                let rendered = match &error {
                    LayoutError::File(problem) => problem.render(&file),
                    _ => diagnostic.render(&file),
                };
                return Err(ContextError::Layout {
                    error: Box::new(error),
                    file,
                    diagnostic,
                    rendered,
                });
            }
        };
        for path in &wanted.read {
            let file = on_disk(context_dir, path);
            let contents = match std::fs::read(&file) {
                Ok(contents) => Some(contents),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                // A directory where a file is looked for is no file, as in a transfer.
                Err(_) if file.is_dir() => None,
                Err(source) => {
                    return Err(ContextError::Read {
                        path: file.display().to_string(),
                        source,
                    })
                }
            };
            reader.supply_file(path, contents);
        }
        for path in &wanted.stat {
            reader.supply_stat(path, on_disk(context_dir, path).is_file());
        }
    };
    let mut module = ModuleContext::from_layout(&layout);
    for file in &spec.files {
        if let Ok(metadata) = std::fs::metadata(context_dir.join(&file.src.value)) {
            let kind = match metadata.is_dir() {
                true => PathKind::Directory,
                false => PathKind::File,
            };
            module.file_sources.insert(file.src.value.clone(), kind);
        }
    }
    Ok(DiskContext { module, layout })
}

/// `context_dir` joined with the context path `path`.
fn on_disk(context_dir: &Path, path: &str) -> PathBuf {
    match path {
        "." => context_dir.to_path_buf(),
        path => context_dir.join(path),
    }
}

/// `context_dir` for a directory operation: the spec's directory is empty for a spec in
/// the current directory.
fn directory(context_dir: &Path) -> &Path {
    match context_dir.as_os_str().is_empty() {
        true => Path::new("."),
        false => context_dir,
    }
}

/// The directories just under `context_dir` that have a go.mod, sorted.
pub(super) fn modules_below(context_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(directory(context_dir)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("go.mod").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/monorepo")
    }

    fn spec(text: &str) -> Spec {
        crate::spec::parse(text.as_bytes()).unwrap_or_else(|d| panic!("{d}"))
    }

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|error| panic!("{error}"));
        }
        std::fs::write(path, text).unwrap_or_else(|error| panic!("{error}"));
    }

    #[test]
    fn the_example_reads_as_a_workspace_from_disk() {
        let spec_text = std::fs::read_to_string(example().join("svc-a.gostage.yaml"))
            .unwrap_or_else(|error| panic!("{error}"));
        let read = read_context(&example(), &spec(&spec_text), "svc-a.gostage.yaml")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(read.module.module.path, "example.com/monorepo/svc-a");
        assert_eq!(read.layout.module_dir, "svc-a");
        assert_eq!(
            read.layout.download_files(),
            ["go.work", "lib/go.mod", "svc-a/go.mod", "svc-b/go.mod"]
        );
        assert_eq!(
            read.layout.compile_paths(),
            ["go.work", "lib", "svc-a", "svc-b/go.mod"]
        );
    }

    #[test]
    fn a_service_alone_fails_at_its_go_mod_on_disk_naming_the_context_to_pass() {
        let repository = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
        let service = repository.path().join("svc-a");
        let go_mod = std::fs::read_to_string(example().join("svc-a/go.mod"))
            .unwrap_or_else(|error| panic!("{error}"));
        write(&service.join("go.mod"), &go_mod);
        let error = read_context(&service, &spec("version: 1\n"), "gostage.yaml")
            .expect_err("the replacement is outside");
        let root =
            std::fs::canonicalize(repository.path()).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            error.to_string(),
            format!(
                "{}:8:37: the replacement directory `../lib` is outside the build context; pass \
                 `{}` (it holds this module and `../lib`) as the build context and set \
                 `module: svc-a` in the spec",
                service.join("go.mod").display(),
                root.display()
            )
        );
    }

    #[test]
    fn a_missing_go_mod_names_the_modules_below_the_context() {
        let error = read_context(&example(), &spec("version: 1\n"), "gostage.yaml")
            .expect_err("no go.mod at the root");
        assert_eq!(
            error.to_string(),
            "gostage.yaml:1:1: the build context has no go.mod; pass the module root (the \
             directory with go.mod) as the build context, or set `module:` to the directory of \
             go.mod inside the context, or run `go mod init`; `lib`, `svc-a`, `svc-b` have a \
             go.mod: set `module:` to the one to build"
        );
    }
}
