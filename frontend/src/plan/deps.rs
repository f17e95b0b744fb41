//! The dependency stage: go.mod and go.sum alone, then `go mod download` into the module
//! cache, an ordinary layer, so that editing a `.go` file does not download modules again and
//! the compile finds every module in its input.

use super::cgo;
use super::compile::module_directory;
use super::environment::{builder_env, DOWNLOAD_CACHE_ID, MODULE_CACHE_DIR, TEMPORARY_DIR};
use super::failure_hints;
use super::netrc::download_line;
use super::{netrc, ssh, Planner, SOURCE_DIR};
use crate::context::layout::exact_pattern;
use crate::llb::{CacheSharing, Constraints, CopyOptions, Exec, FileOp, Local, Output};
use crate::step_contract::{Invocation, DOWNLOAD_CACHE_DIR};

/// What the dependency stage gives the compile steps.
#[derive(Clone, Debug)]
pub struct Dependencies {
    /// Their root filesystem: the builder with `/src/go.mod` and `/src/go.sum`.
    pub root: Output,
    /// The module cache, the output of `go mod download`: an ordinary layer, so it is there
    /// whenever the step is reused, and `--cache-to … mode=max` exports it. None for a
    /// vendored module, which Go builds from `vendor/` without reading any module cache.
    pub modules: Option<Output>,
}

impl Dependencies {
    /// Mounts the module cache read-only at [`MODULE_CACHE_DIR`] of `exec` (`go build` only
    /// reads a complete module cache; checked with Go 1.26 and `GOPROXY=off` on a read-only
    /// bind mount).
    pub fn mount_modules(&self, exec: &mut Exec) {
        if let Some(modules) = &self.modules {
            exec.readonly(MODULE_CACHE_DIR, modules);
        }
    }
}

/// The dependency stage: the builder (with cgo's packages, [`cgo::builder_root`]) with
/// `/src/go.mod` and `/src/go.sum`, then
/// `go mod download`. A vendored module downloads nothing: Go builds it from `vendor/`, and
/// its modules may not be reachable from the build at all.
///
/// The modules go to an ordinary layer whose cache key is the step's definition (builder
/// image, go.mod, go.sum, the Go build-args: `solver/llbsolver/ops/exec.go` `CacheMap` keeps
/// `Meta.Env`), so a reused step always comes with its modules: after the daemon pruned its
/// cache mounts, and on a runner that imported an exported cache. The daemon's download
/// cache, the cache mount [`DOWNLOAD_CACHE_ID`] at [`DOWNLOAD_CACHE_DIR`], serves the modules
/// it has already fetched when go.mod changes (`gostage download-modules`, module
/// `step::download_modules`); losing it costs only network traffic.
///
/// This is the one step with network. It gets the optional secret `netrc` and, with
/// `modules.ssh`, the SSH agent; it runs `gostage download-modules` through `gostage
/// explain`, which prints [`failure_hints::download`] when the download fails, and carries
/// the spec line of `modules:` (else the first key) as its source location.
pub fn download(planner: Planner<'_>) -> Dependencies {
    let request = planner.request;
    // go.mod and go.sum at the root; with `module:`, go.work or local `replace` directories,
    // go.work, go.work.sum and every local module's go.mod and go.sum, at their paths.
    let included = match &planner.context.location.paths {
        None => vec!["go.mod".into(), "go.sum".into()],
        Some(paths) => paths
            .download_files
            .iter()
            .map(|path| exact_pattern(path))
            .collect(),
    };
    let module_files = Local::new(&request.context_local)
        .session(&request.session_id)
        .include(included)
        .shared_key_hint("gostage-go.mod")
        .build(&Constraints::default(), "load go.mod and go.sum");
    let contents = CopyOptions {
        contents_only: true,
        ..Default::default()
    };
    let with_module_files = FileOp::on(Some(&cgo::builder_root(planner)))
        .copy(
            Some(&module_files),
            "/",
            &format!("{SOURCE_DIR}/"),
            &contents,
        )
        .build(&Constraints::default(), "copy go.mod go.sum");
    if planner.context.vendored {
        return Dependencies {
            root: with_module_files,
            modules: None,
        };
    }
    let (args, hints) = failure_hints::explained(
        &failure_hints::download(planner),
        Invocation::DownloadModules {
            downloads: DOWNLOAD_CACHE_DIR.to_string(),
        }
        .command_line(),
    );
    let mut environment = netrc::environment();
    environment.push(hints);
    environment.extend(ssh::environment(planner));
    let mut exec = Exec::new(args)
        .env(builder_env(planner.builder, request, &environment))
        .cwd(&module_directory(planner));
    failure_hints::mount(planner, &mut exec);
    netrc::mount(&mut exec);
    ssh::mount(planner, &mut exec);
    let constraints = planner
        .on_build_platform()
        .line(download_line(planner.spec));
    // Go also writes beside the module cache (the checksum database's files under
    // `$GOPATH/pkg/sumdb` when go.sum lacks an entry): a writable root, whose output no step
    // uses.
    exec.writable("/", Some(&with_module_files));
    let modules = exec.writable(MODULE_CACHE_DIR, None);
    exec.cache(DOWNLOAD_CACHE_DIR, DOWNLOAD_CACHE_ID, CacheSharing::Shared);
    exec.tmpfs(TEMPORARY_DIR);
    let modules = exec.build(&constraints, "go mod download").output(modules);
    Dependencies {
        root: with_module_files,
        modules: Some(modules),
    }
}

#[cfg(test)]
mod tests;
