//! Reading the client's files: the spec from the `dockerfile` local, the Go modules' files
//! and the main packages from the `context` local (as the Dockerfile frontend reads its
//! file, `frontend/dockerui/config.go`, `ReadEntrypoint`).

use super::daemon::Daemon;
use super::errors::FrontendError;
use super::SpecFile;
use crate::context::layout::{self, Layout, LayoutError, LayoutReader, Progress};
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

/// Reads the context's Go modules ([`Layout`], through the rounds [`LayoutReader`] asks
/// for), checks that each `main` directory holds Go files, and records the kind of each
/// `files:` source the context has.
///
/// Each round is one transfer of exactly the files it wants (a `local` source with those
/// include patterns) and their reads and stats sent at once: one round for a module alone,
/// two with a workspace or a local replacement, three when a workspace module's go.mod
/// replaces a module with a directory no other round read. The first round also lists the
/// main packages' `.go` files. A go.mod missing where `module:` points costs one more
/// transfer, to name the directories below the root that have one.
///
/// Errors: no go.mod where `module:` points, or the main module outside the workspace
/// (placed in the spec); a go.mod or go.work that cannot be used, at its own line
/// ([`FrontendError::Layout`]); a `main` without `.go` files (placed at that `main:`); a
/// failed transfer or read.
pub async fn read_module<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
    spec: &Spec,
) -> Result<(ModuleContext, Layout), ContextError> {
    let module_dir = spec.build.module.value.as_str();
    let directories: Vec<String> = spec
        .binaries
        .iter()
        .map(|binary| layout::package_dir(module_dir, &binary.main.value))
        .collect();
    let mut reader = LayoutReader::new(spec);
    let mut round = 0;
    let mut listings = Vec::new();
    let layout = loop {
        let wanted = match reader.next() {
            Ok(Progress::Done(layout)) => break *layout,
            Ok(Progress::Wanted(wanted)) => wanted,
            Err(LayoutError::NoGoMod(missing)) => {
                let below = modules_below(daemon, request).await?;
                return Err(ContextError::Spec(missing.diagnostic(&below)));
            }
            Err(LayoutError::Spec(diagnostic)) => return Err(ContextError::Spec(diagnostic)),
            Err(error) => return Err(FrontendError::Layout(error).into()),
        };
        round += 1;
        let mut include_patterns: Vec<String> = wanted
            .paths()
            .map(|path| layout::exact_pattern(path))
            .collect();
        if round == 1 {
            include_patterns.extend(
                directories
                    .iter()
                    .map(|dir| layout::join(&layout::exact_pattern(dir), "*.go")),
            );
        }
        let (key, name) = match round {
            1 => (
                "gostage-layout".to_string(),
                "[internal] load go.mod and main packages".to_string(),
            ),
            round => (
                format!("gostage-layout-{round}"),
                format!(
                    "[internal] load the go.mod files of the workspace and replacements ({round})"
                ),
            ),
        };
        let source = Local::new(&request.context_local)
            .session(&request.session_id)
            .include(include_patterns)
            .shared_key_hint(&key)
            .build(&Constraints::default(), &name);
        let id = solve(
            daemon,
            llb::marshal(&source, None).definition,
            "load go.mod",
        )
        .await?;
        // Independent reads of one solved ref: sent at once, so they cost one round trip.
        let reads = wanted.read.iter().map(|path| read_file(daemon, &id, path));
        let stats = wanted.stat.iter().map(|path| stat_file(daemon, &id, path));
        let round_listings = directories.iter().filter(|_| round == 1).map(|dir| {
            let id = id.as_str();
            async move {
                daemon
                    .read_dir(id, dir, "*.go")
                    .await
                    .map_err(|status| FrontendError::daemon(format!("list {dir}"), status))
            }
        });
        let (reads, stats, round_listings) = tokio::join!(
            futures_util::future::join_all(reads),
            futures_util::future::join_all(stats),
            futures_util::future::join_all(round_listings),
        );
        for (path, contents) in wanted.read.iter().zip(reads) {
            reader.supply_file(path, contents?);
        }
        for (path, mode) in wanted.stat.iter().zip(stats) {
            // A directory where a file is looked for is no file.
            let is_file = mode?.is_some_and(|mode| PathKind::from_go_mode(mode) == PathKind::File);
            reader.supply_stat(path, is_file);
        }
        if round == 1 {
            listings = round_listings;
        }
    };
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
                .with_help(match module_dir {
                    "." => "write the main package's directory relative to go.mod, e.g. \
                            ./cmd/server"
                        .to_string(),
                    module_dir => format!(
                        "write the main package's directory relative to go.mod (in \
                         `{module_dir}`, as `module:` says), e.g. ./cmd/server"
                    ),
                }),
            ));
        }
    }
    let mut context = ModuleContext::from_layout(&layout);
    read_file_sources(daemon, request, spec, &mut context).await?;
    Ok((context, layout))
}

/// The directories just under the context's root that have a go.mod, for the fix of a
/// missing one: one transfer of `*/go.mod` and one listing.
///
/// Errors: the transfer or the listing failed.
async fn modules_below<D: Daemon>(
    daemon: &D,
    request: &BuildRequest,
) -> Result<Vec<String>, FrontendError> {
    let source = Local::new(&request.context_local)
        .session(&request.session_id)
        .include(vec!["*/go.mod".to_string()])
        .shared_key_hint("gostage-modules-below")
        .build(
            &Constraints::default(),
            "[internal] look for go.mod in the context's directories",
        );
    let id = solve(
        daemon,
        llb::marshal(&source, None).definition,
        "look for go.mod",
    )
    .await?;
    // Only `*/go.mod` was sent: every entry of the root is a directory with one.
    let mut names = daemon
        .read_dir(&id, ".", "*")
        .await
        .map_err(|status| FrontendError::daemon("list the context's root", status))?
        .unwrap_or_default();
    names.sort();
    Ok(names)
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
