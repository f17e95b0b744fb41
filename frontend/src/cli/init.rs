//! `gostage init [DIR]`: a first gostage.yaml for the module in DIR, with its main
//! packages found where Go projects keep them (`.` and `cmd/*`). At a workspace's root (DIR
//! has go.work), one spec per workspace module that has main packages, each with
//! `module:`, named after the module's directory (`svc-a.gostage.yaml`), to build from the
//! root with `-f`.

use std::path::{Path, PathBuf};

use crate::gomod::{parse_work, resolve_in_context};

/// The file `init` writes.
pub const SPEC_FILE: &str = "gostage.yaml";

/// Why no spec was written.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// DIR has no go.mod.
    #[error("{0} has no go.mod; run `go mod init <module path>` there first")]
    NoGoMod(String),
    /// go.mod cannot be used.
    #[error("{path}: {source}")]
    GoMod {
        /// go.mod's path.
        path: String,
        /// What is wrong.
        source: crate::gomod::GoModError,
    },
    /// gostage.yaml exists.
    #[error("{0} exists; gostage init does not overwrite it (edit it, or remove it first)")]
    Exists(String),
    /// No `package main` in `.` or `cmd/*`.
    #[error("no main package in {0} or its cmd/* directories; write `main: ./path/to/main` in a gostage.yaml yourself")]
    NoMainPackage(String),
    /// go.work cannot be used.
    #[error("{path}: {source}")]
    GoWork {
        /// go.work's path.
        path: String,
        /// What is wrong.
        source: crate::gomod::GoModError,
    },
    /// A `use` directory of go.work is outside DIR.
    #[error("{path}: `use {directory}` is outside {root}; run gostage init in a directory that holds every workspace module")]
    UseOutside {
        /// go.work's path.
        path: String,
        /// The directory as written.
        directory: String,
        /// DIR.
        root: String,
    },
    /// No workspace module has a `package main` in `.` or `cmd/*`.
    #[error("no workspace module of {0} has a main package in its root or its cmd/* directories; write a spec with `module:` and `main:` yourself")]
    NoMainPackageInWorkspace(String),
    /// The Dockerfile of `--from` cannot be converted.
    #[error("{0}")]
    Convert(String),
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InitError + '_ {
    move |source| InitError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `DIR/gostage.yaml` (or, when DIR has go.work, `DIR/<module>.gostage.yaml` for
/// each workspace module with main packages) and returns the paths written.
///
/// Errors: see [`InitError`]; nothing is written on error.
pub fn init(directory: &Path) -> Result<Vec<PathBuf>, InitError> {
    let go_work_path = directory.join("go.work");
    if go_work_path.is_file() {
        return init_workspace(directory, &go_work_path);
    }
    init_module(directory).map(|written| vec![written])
}

/// `DIR/gostage.yaml` for the module in DIR.
fn init_module(directory: &Path) -> Result<PathBuf, InitError> {
    let go_mod_path = directory.join("go.mod");
    if !go_mod_path.is_file() {
        return Err(InitError::NoGoMod(directory.display().to_string()));
    }
    let go_mod = std::fs::read(&go_mod_path).map_err(io(&go_mod_path))?;
    let module = crate::gomod::parse(&go_mod).map_err(|source| InitError::GoMod {
        path: go_mod_path.display().to_string(),
        source,
    })?;
    let target = directory.join(SPEC_FILE);
    if target.exists() {
        return Err(InitError::Exists(target.display().to_string()));
    }
    let mains = main_packages(directory)?;
    if mains.is_empty() {
        return Err(InitError::NoMainPackage(directory.display().to_string()));
    }
    let text = spec_text(&module.path, None, &mains);
    write_new(&target, &text)?;
    Ok(target)
}

/// One spec per workspace module of `go_work_path` (in DIR) with main packages, in `use`
/// order, each named after the module's directory (`services/api` →
/// `services-api.gostage.yaml`; a module at DIR's root gets `gostage.yaml`).
fn init_workspace(directory: &Path, go_work_path: &Path) -> Result<Vec<PathBuf>, InitError> {
    let bytes = std::fs::read(go_work_path).map_err(io(go_work_path))?;
    let work = parse_work(&bytes).map_err(|source| InitError::GoWork {
        path: go_work_path.display().to_string(),
        source,
    })?;
    let mut specs: Vec<(PathBuf, String)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for used in &work.uses {
        let module_dir =
            resolve_in_context(".", &used.path).map_err(|_| InitError::UseOutside {
                path: go_work_path.display().to_string(),
                directory: used.path.clone(),
                root: directory.display().to_string(),
            })?;
        if seen.contains(&module_dir) {
            continue;
        }
        seen.push(module_dir.clone());
        let module_root = directory.join(&module_dir);
        let go_mod_path = module_root.join("go.mod");
        let go_mod = std::fs::read(&go_mod_path).map_err(io(&go_mod_path))?;
        let module = crate::gomod::parse(&go_mod).map_err(|source| InitError::GoMod {
            path: go_mod_path.display().to_string(),
            source,
        })?;
        let mains = main_packages(&module_root)?;
        if mains.is_empty() {
            // A library: nothing to build into an image.
            continue;
        }
        let name = match module_dir.as_str() {
            "." => SPEC_FILE.to_string(),
            module_dir => format!("{}.{SPEC_FILE}", module_dir.replace('/', "-")),
        };
        let text = spec_text(&module.path, Some(&module_dir), &mains);
        specs.push((directory.join(name), text));
    }
    if specs.is_empty() {
        return Err(InitError::NoMainPackageInWorkspace(
            directory.display().to_string(),
        ));
    }
    // Check every target first: nothing is written when one exists.
    if let Some((existing, _)) = specs.iter().find(|(target, _)| target.exists()) {
        return Err(InitError::Exists(existing.display().to_string()));
    }
    for (target, text) in &specs {
        write_new(target, text)?;
    }
    Ok(specs.into_iter().map(|(target, _)| target).collect())
}

/// `gostage init --from DOCKERFILE [DIR]`: converts the Dockerfile (module `migrate`, with
/// DIR's go.mod when there is one) and writes `DIR/gostage.yaml`; returns its path and the
/// report, one line per instruction, to print.
///
/// Errors: the Dockerfile cannot be read or converted ([`InitError::Convert`], one line
/// naming `FILE:LINE:COLUMN`), go.mod cannot be used, or gostage.yaml exists; nothing is
/// written on error.
pub fn init_from_dockerfile(
    directory: &Path,
    dockerfile: &Path,
    frontend_image: &str,
) -> Result<(PathBuf, String), InitError> {
    let text = std::fs::read_to_string(dockerfile).map_err(io(dockerfile))?;
    let go_mod_path = directory.join("go.mod");
    let module = match std::fs::read(&go_mod_path) {
        Ok(bytes) => Some(
            crate::gomod::parse(&bytes).map_err(|source| InitError::GoMod {
                path: go_mod_path.display().to_string(),
                source,
            })?,
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(io(&go_mod_path)(error)),
    };
    let target = directory.join(SPEC_FILE);
    if target.exists() {
        return Err(InitError::Exists(target.display().to_string()));
    }
    let conversion = crate::migrate::convert(&text, module.as_ref(), frontend_image)
        .map_err(|error| InitError::Convert(error.render(&dockerfile.display().to_string())))?;
    write_new(&target, &conversion.spec_yaml)?;
    Ok((target, conversion.report_text()))
}

/// Writes `text` to `target`, which must not exist.
fn write_new(target: &Path, text: &str) -> Result<(), InitError> {
    // `create_new`: never replace a file that appeared since the checks.
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(io(target))?;
    file.write_all(text.as_bytes()).map_err(io(target))
}

/// The main packages as `main:` paths (`.`, `./cmd/server`), `.` first, then `cmd/*` sorted.
fn main_packages(directory: &Path) -> Result<Vec<String>, InitError> {
    let mut mains = Vec::new();
    if is_main_package(directory)? {
        mains.push(".".to_string());
    }
    let commands = directory.join("cmd");
    if commands.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(&commands)
            .map_err(io(&commands))?
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_dir())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .collect();
        names.sort();
        for name in names {
            if is_main_package(&commands.join(&name))? {
                mains.push(format!("./cmd/{name}"));
            }
        }
    }
    Ok(mains)
}

/// Whether a non-test `.go` file of `directory` declares `package main`.
fn is_main_package(directory: &Path) -> Result<bool, InitError> {
    for entry in std::fs::read_dir(directory).map_err(io(directory))? {
        let path = entry.map_err(io(directory))?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.ends_with(".go") || name.ends_with("_test.go") || !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        if package_clause(&text) == Some("main") {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The package name of Go source `text`: the first `package NAME` outside comments (Go
/// spec, "Package clause"; build constraints and doc comments come before it).
fn package_clause(text: &str) -> Option<&str> {
    let mut in_block_comment = false;
    for line in text.lines() {
        let mut line = line.trim();
        if in_block_comment {
            match line.find("*/") {
                Some(end) => {
                    in_block_comment = false;
                    line = line[end + 2..].trim();
                }
                None => continue,
            }
        }
        if let Some(rest) = line.strip_prefix("/*") {
            match rest.find("*/") {
                Some(end) => line = rest[end + 2..].trim(),
                None => {
                    in_block_comment = true;
                    continue;
                }
            }
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        return line
            .strip_prefix("package")
            .filter(|rest| rest.starts_with(char::is_whitespace))
            .and_then(|rest| rest.split_whitespace().next())
            .map(|name| name.trim_end_matches(';'));
    }
    None
}

/// The spec for `mains` of module `module_path`, commented; with `module:` when
/// `module_dir` is given (a workspace module, built from the workspace's root).
fn spec_text(module_path: &str, module_dir: Option<&str>, mains: &[String]) -> String {
    let mut text = String::from(
        "# syntax=myorg/gostage\n\
         # Replace myorg/gostage above with the gostage frontend image you publish (README:\n\
         # \"Publishing the frontend image\"). Check this file with `gostage check`.\n",
    );
    text.push_str(&format!("# The image for {module_path}.\n"));
    match module_dir {
        Some(module_dir) => text.push_str(&format!(
            "# Build from the workspace's root: docker buildx build -f <this file> .\n\
             version: 1\n\
             # The module's directory: `main` is relative to it.\n\
             module: {module_dir}\n"
        )),
        None => text.push_str("version: 1\n"),
    }
    match mains {
        [only] => text.push_str(&format!("main: {only}\n")),
        several => {
            text.push_str("# The first binary is the image's entrypoint.\nbinaries:\n");
            for main in several {
                text.push_str(&format!("  - main: {main}\n"));
            }
        }
    }
    text.push_str(
        "# build:\n\
         #   ldflags: [\"-X main.version={{ .Version }}\"]   # --build-arg VERSION=1.2.3\n\
         # image:\n\
         #   ports: [8080]\n\
         #   healthcheck: {http: \"http://localhost:8080/healthz\"}\n\
         # platforms: [linux/amd64, linux/arm64]\n",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|error| panic!("{error}"));
        }
        std::fs::write(path, text).unwrap_or_else(|error| panic!("{error}"));
    }

    fn module(name: &str) -> PathBuf {
        let directory =
            std::env::temp_dir().join(format!("gostage-init-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        write(
            &directory.join("go.mod"),
            "module example.com/shop\n\ngo 1.23\n",
        );
        directory
    }

    #[test]
    fn several_commands_become_binaries_and_libraries_are_skipped() {
        let directory = module("several");
        write(
            &directory.join("cmd/api/main.go"),
            "// Command api.\n/* serves */\npackage main\n\nfunc main() {}\n",
        );
        write(
            &directory.join("cmd/worker/worker.go"),
            "//go:build linux\n\npackage main\n",
        );
        write(&directory.join("cmd/shared/lib.go"), "package shared\n");
        write(&directory.join("cmd/tests/x_test.go"), "package main\n");
        write(&directory.join("lib.go"), "package shop\n");
        let written = init(&directory).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(written, [directory.join(SPEC_FILE)]);
        let text = std::fs::read_to_string(&written[0]).unwrap_or_default();
        assert!(text.starts_with("# syntax=myorg/gostage\n"), "{text}");
        let spec = crate::spec::parse(text.as_bytes()).unwrap_or_else(|d| panic!("{d}\n{text}"));
        let mains: Vec<&str> = spec
            .binaries
            .iter()
            .map(|b| b.main.value.as_str())
            .collect();
        assert_eq!(mains, ["./cmd/api", "./cmd/worker"]);
        let report = crate::cli::check::report("gostage.yaml", text.as_bytes(), &directory);
        assert!(report.passed, "{:?}", report.lines);
        // Never overwrites.
        assert!(matches!(init(&directory), Err(InitError::Exists(_))));
        let _ = std::fs::remove_dir_all(&directory);
    }

    #[test]
    fn one_main_at_the_root_becomes_main_and_no_main_is_an_error() {
        let directory = module("one");
        write(&directory.join("main.go"), "package main\n");
        let written = init(&directory).unwrap_or_else(|error| panic!("{error}"));
        let text = std::fs::read_to_string(&written[0]).unwrap_or_default();
        assert!(text.contains("\nmain: .\n"), "{text}");
        let _ = std::fs::remove_dir_all(&directory);

        let library = module("library");
        write(&library.join("lib.go"), "package shop\n");
        assert!(matches!(init(&library), Err(InitError::NoMainPackage(_))));
        assert!(!library.join(SPEC_FILE).exists());
        let _ = std::fs::remove_dir_all(&library);
        assert!(matches!(init(&library), Err(InitError::NoGoMod(_))));
    }

    #[test]
    fn a_workspace_root_gets_one_spec_per_service_that_checks() {
        let root =
            std::env::temp_dir().join(format!("gostage-init-workspace-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/monorepo");
        for file in [
            "go.work",
            "lib/go.mod",
            "lib/greeting.go",
            "svc-a/go.mod",
            "svc-a/main.go",
            "svc-b/go.mod",
            "svc-b/main.go",
        ] {
            let text = std::fs::read_to_string(example.join(file))
                .unwrap_or_else(|error| panic!("{file}: {error}"));
            write(&root.join(file), &text);
        }
        write(
            &root.join("services/api/go.mod"),
            "module example.com/api\n",
        );
        write(&root.join("services/api/cmd/api/main.go"), "package main\n");
        write(
            &root.join("go.work"),
            "go 1.23\nuse (\n\t./lib\n\t./svc-a\n\t./svc-b\n\t./services/api\n\t./svc-a/\n)\n",
        );

        let written = init(&root).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            written,
            [
                root.join("svc-a.gostage.yaml"),
                root.join("svc-b.gostage.yaml"),
                root.join("services-api.gostage.yaml")
            ]
        );
        let text = std::fs::read_to_string(&written[0]).unwrap_or_default();
        assert!(text.contains("\nmodule: svc-a\nmain: .\n"), "{text}");
        let spec = crate::spec::parse(text.as_bytes()).unwrap_or_else(|d| panic!("{d}\n{text}"));
        assert_eq!(spec.build.module.value, "svc-a");
        let report = crate::cli::check::report("svc-a.gostage.yaml", text.as_bytes(), &root);
        assert!(report.passed, "{:?}", report.lines);
        let text = std::fs::read_to_string(&written[2]).unwrap_or_default();
        assert!(
            text.contains("\nmodule: services/api\nmain: ./cmd/api\n"),
            "{text}"
        );

        // Nothing is written when one spec exists already.
        std::fs::remove_file(&written[0]).unwrap_or_else(|error| panic!("{error}"));
        std::fs::remove_file(&written[2]).unwrap_or_else(|error| panic!("{error}"));
        assert!(
            matches!(init(&root), Err(InitError::Exists(path)) if path.ends_with("svc-b.gostage.yaml"))
        );
        assert!(!written[0].exists() && !written[2].exists());

        // Libraries alone: no spec.
        write(&root.join("go.work"), "go 1.23\nuse ./lib\n");
        assert!(matches!(
            init(&root),
            Err(InitError::NoMainPackageInWorkspace(_))
        ));
        write(&root.join("go.work"), "go 1.23\nuse ../elsewhere\n");
        assert!(matches!(init(&root), Err(InitError::UseOutside { .. })));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn the_package_clause_skips_comments() {
        assert_eq!(
            package_clause("// a\n/* b\nc */\npackage main // x\n"),
            Some("main")
        );
        assert_eq!(package_clause("/* a */ package lib\n"), Some("lib"));
        assert_eq!(package_clause("packagemain\n"), None);
    }

    /// `--from`: the converted spec is written beside go.mod and passes the spec's
    /// validation, the report names each instruction's line, a second run refuses to
    /// overwrite, and a Dockerfile without a Go program is refused at its line.
    #[test]
    fn init_from_a_dockerfile_writes_a_valid_spec_and_never_overwrites() {
        let directory = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
        let root = directory.path();
        write(&root.join("go.mod"), "module example.com/shop\n\ngo 1.23\n");
        write(
            &root.join("Dockerfile"),
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/shop ./cmd/shop\n\nFROM scratch\nCOPY --from=build /out/shop /shop\nEXPOSE 8080\nENTRYPOINT [\"/shop\"]\n",
        );
        let (written, report) =
            init_from_dockerfile(root, &root.join("Dockerfile"), "registry.example/gostage")
                .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(written, root.join(SPEC_FILE));
        let text = std::fs::read_to_string(&written).unwrap_or_else(|error| panic!("{error}"));
        assert!(
            text.starts_with("# syntax=registry.example/gostage\n"),
            "{text}"
        );
        let spec = crate::spec::parse(text.as_bytes()).unwrap_or_else(|d| panic!("{d}\n{text}"));
        assert_eq!(spec.binaries[0].main.value, "./cmd/shop");
        assert_eq!(spec.image.ports.len(), 1, "{text}");
        let exposed = report
            .split_once("8  EXPOSE 8080\n")
            .map(|(_, after)| after.lines().next().unwrap_or_default().trim());
        assert_eq!(exposed, Some("→ image.ports: 8080"), "{report}");
        match init_from_dockerfile(root, &root.join("Dockerfile"), "myorg/gostage") {
            Err(InitError::Exists(path)) => assert!(path.ends_with(SPEC_FILE), "{path}"),
            other => panic!("a second run must refuse to overwrite: {other:?}"),
        }
        std::fs::remove_file(&written).unwrap_or_else(|error| panic!("{error}"));
        write(
            &root.join("dev.Dockerfile"),
            "FROM golang:1.23\nWORKDIR /src\nRUN go install github.com/air-verse/air@latest\nCOPY . .\nCMD [\"air\"]\n",
        );
        let error = init_from_dockerfile(root, &root.join("dev.Dockerfile"), "myorg/gostage")
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("dev.Dockerfile:"), "{error}");
        assert!(
            !root.join(SPEC_FILE).exists(),
            "nothing is written on error"
        );
    }
}
