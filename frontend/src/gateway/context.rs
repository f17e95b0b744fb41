//! Reading the client's files: the spec from the `dockerfile` local, go.mod and the main
//! packages from the `context` local (as the Dockerfile frontend reads its file,
//! `frontend/dockerui/config.go`, `ReadEntrypoint`).

use super::daemon::Daemon;
use super::errors::FrontendError;
use super::SpecFile;
use crate::context::{ModuleContext, PathKind};
use crate::llb::{self, Constraints, Local};
use crate::spec::Spec;
use crate::vocabulary::{BuildRequest, Diagnostic};

/// A context problem: either placed in the spec, or a plain frontend error.
pub enum ContextError {
    /// Placed at a spec position (e.g. the `main:` that names a missing directory).
    Spec(Diagnostic),
    /// Not tied to a spec position.
    Frontend(FrontendError),
}

impl From<FrontendError> for ContextError {
    fn from(error: FrontendError) -> Self {
        ContextError::Frontend(error)
    }
}

/// Transfers only the spec file and reads it.
///
/// Errors: the file is missing from the local (with the fix), or the transfer failed.
pub async fn read_spec<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
) -> Result<SpecFile, FrontendError> {
    let filename = request.spec_filename.clone();
    let source = Local::new(&request.spec_local)
        .session(&request.session_id)
        .follow(vec![filename.clone()])
        .shared_key_hint(&request.spec_local)
        .build(
            &Constraints::default(),
            &format!("[internal] load build definition from {filename}"),
        );
    let marshalled = llb::marshal(&source, None);
    let id = solve(daemon, marshalled.definition, "load the spec").await?;
    match read_file(daemon, &id, &filename).await? {
        Some(data) => Ok(SpecFile {
            filename,
            data,
            vertex: marshalled.head,
        }),
        None => Err(FrontendError::SpecFileMissing { filename }),
    }
}

/// Transfers go.mod, go.sum, `.dockerignore`, `vendor/modules.txt` and the main packages' `.go` files,
/// parses go.mod, notes whether the module is vendored, checks that each `main` directory
/// holds Go files, reads the `.dockerignore` patterns, and records the kind of each `files:`
/// source the context has.
///
/// Errors: no go.mod (frontend error with the fix), an unparsable go.mod, or a `main` without
/// `.go` files (placed at that `main:` in the spec).
pub async fn read_module<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
    spec: &Spec,
) -> Result<ModuleContext, ContextError> {
    let directories: Vec<String> = spec
        .binaries
        .iter()
        .map(|binary| directory(&binary.main.value))
        .collect();
    let mut include_patterns = vec![
        "go.mod".to_string(),
        "go.sum".to_string(),
        ".dockerignore".to_string(),
        "vendor/modules.txt".to_string(),
    ];
    include_patterns.extend(directories.iter().map(|dir| {
        if dir.is_empty() {
            "*.go".to_string()
        } else {
            format!("{dir}/*.go")
        }
    }));
    let source = Local::new(&request.context_local)
        .session(&request.session_id)
        .include(include_patterns)
        .shared_key_hint("gostage-layout")
        .build(
            &Constraints::default(),
            "[internal] load go.mod and main packages",
        );
    let id = solve(
        daemon,
        llb::marshal(&source, None).definition,
        "load go.mod",
    )
    .await?;
    // Independent reads of one solved ref: sent at once, so they cost one round trip.
    let listings = directories.iter().map(|dir| {
        let dir = if dir.is_empty() { "." } else { dir.as_str() };
        let id = id.as_str();
        async move {
            daemon
                .read_dir(id, dir, "*.go")
                .await
                .map_err(|status| FrontendError::daemon(format!("list {dir}"), status))
        }
    });
    let (go_mod, vendored, dockerignore, go_sum, listings) = tokio::join!(
        read_file(daemon, &id, "go.mod"),
        read_file(daemon, &id, "vendor/modules.txt"),
        read_file(daemon, &id, ".dockerignore"),
        stat_file(daemon, &id, "go.sum"),
        futures_util::future::join_all(listings),
    );
    let Some(bytes) = go_mod? else {
        return Err(ContextError::Spec(
            Diagnostic::new(spec.span, "the build context has no go.mod")
                .with_help("pass the module root (the directory with go.mod) as the build context, or run `go mod init`"),
        ));
    };
    let vendored = vendored?.is_some();
    for (binary, listed) in spec.binaries.iter().zip(listings) {
        if listed?.is_none_or(|entries| entries.is_empty()) {
            return Err(ContextError::Spec(
                Diagnostic::new(
                    binary.main.span,
                    format!(
                        "`{}` has no .go files in the build context",
                        binary.main.value
                    ),
                )
                .with_help(
                    "write the main package's directory relative to go.mod, e.g. ./cmd/server",
                ),
            ));
        }
    }
    let mut context = ModuleContext::read(&bytes, vendored, dockerignore?.as_deref())
        .map_err(FrontendError::GoMod)?;
    context.go_sum = go_sum?.is_some();
    read_file_sources(daemon, request, spec, &mut context).await?;
    Ok(context)
}

/// Transfers the `files:` sources with the context's excludes (as the compile and the files
/// layer will see them) and records the kind of each one that exists. Nothing is transferred
/// when the spec has no `files:`.
///
/// Errors: the transfer or a `StatFile` failed (a missing source is not an error here: `plan`
/// reports it at its `src:`).
async fn read_file_sources<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
    spec: &Spec,
    context: &mut ModuleContext,
) -> Result<(), FrontendError> {
    if spec.files.is_empty() {
        return Ok(());
    }
    let sources: Vec<String> = spec
        .files
        .iter()
        .map(|file| file.src.value.clone())
        .collect();
    let source = Local::new(&request.context_local)
        .session(&request.session_id)
        .include(sources.clone())
        .exclude(context.excludes())
        .shared_key_hint("gostage-files")
        .build(&Constraints::default(), "[internal] load files: sources");
    let id = solve(
        daemon,
        llb::marshal(&source, None).definition,
        "load files: sources",
    )
    .await?;
    let stats = sources.iter().map(|path| stat_file(daemon, &id, path));
    for (path, mode) in sources
        .iter()
        .zip(futures_util::future::join_all(stats).await)
    {
        if let Some(mode) = mode? {
            context
                .file_sources
                .insert(path.clone(), PathKind::from_go_mode(mode));
        }
    }
    Ok(())
}

/// Solves `definition` (a local source: nothing of it is worth looking up in an imported
/// cache); `what` names it in an error.
async fn solve<D: Daemon>(
    daemon: &D,
    definition: llb::pb::Definition,
    what: &str,
) -> Result<String, FrontendError> {
    daemon
        .solve(definition, &[])
        .await
        .map_err(|status| FrontendError::daemon(what, status))
}

/// The whole file `path` of ref `id`, or `None` when it does not exist.
async fn read_file<D: Daemon>(
    daemon: &D,
    id: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, FrontendError> {
    daemon
        .read_file(id, path, None)
        .await
        .map_err(|status| FrontendError::daemon(format!("read {path}"), status))
}

/// The Go file mode of `path` in ref `id`, or `None` when it does not exist.
async fn stat_file<D: Daemon>(
    daemon: &D,
    id: &str,
    path: &str,
) -> Result<Option<u32>, FrontendError> {
    daemon
        .stat_file(id, path)
        .await
        .map_err(|status| FrontendError::daemon(format!("stat {path}"), status))
}

/// `./cmd/server` → `cmd/server`; `.` → ``; `./.tools/x` → `.tools/x` (only the `./`
/// prefix goes: a hidden directory keeps its dot).
fn directory(main: &str) -> String {
    match main.strip_prefix("./").unwrap_or(main) {
        "." => String::new(),
        relative => relative.trim_matches('/').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_directories_are_relative_to_the_module() {
        assert_eq!(directory("./cmd/server/"), "cmd/server");
        assert_eq!(directory("."), "");
        assert_eq!(directory("./.tools/x"), ".tools/x");
    }
}
