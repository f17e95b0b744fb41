//! The dependency stage: go.mod and go.sum alone, then `go mod download` into the module
//! cache (a cache mount, or with `cache.export` an ordinary layer), so that editing a `.go`
//! file does not download modules again.

use super::cgo;
use super::environment::{builder_env, MODULE_CACHE_DIR, MODULE_CACHE_ID};
use super::failure_hints;
use super::netrc::download_line;
use super::{netrc, ssh, Planner, SOURCE_DIR};
use crate::llb::{CacheSharing, Constraints, CopyOptions, Exec, FileOp, Image, Local, Output};

/// The builder image on the build platform.
pub fn builder_image(planner: Planner<'_>) -> Output {
    let reference = &planner.builder.reference;
    let constraints = Constraints::default().platform(&planner.request.build_platform);
    Image::new(reference)
        .resolve_mode(planner.request.resolve_mode)
        .build(&constraints, &format!("builder image {reference}"))
}

/// Where the compile steps find the downloaded modules.
#[derive(Clone, Debug)]
pub enum ModuleCache {
    /// The cache mount [`MODULE_CACHE_ID`]: kept on the daemon between builds, never
    /// exported (moby/buildkit#1474). Also what a vendored module mounts (it stays empty).
    CacheMount,
    /// An ordinary layer holding the module cache (`cache.export`), the output of
    /// `go mod download`: a solver result, so `--cache-to … mode=max` exports it.
    Layer(Output),
}

/// What the dependency stage gives the compile steps.
#[derive(Clone, Debug)]
pub struct Dependencies {
    /// Their root filesystem: the builder with `/src/go.mod` and `/src/go.sum`.
    pub root: Output,
    /// The module cache to mount at [`MODULE_CACHE_DIR`].
    pub modules: ModuleCache,
}

impl Dependencies {
    /// Mounts the module cache at [`MODULE_CACHE_DIR`] of `exec`: the cache mount, or the
    /// layer read-only (`go build` only reads a complete module cache; checked with Go 1.26
    /// and `GOPROXY=off` on a read-only bind mount).
    pub fn mount_modules(&self, exec: &mut Exec) {
        match &self.modules {
            ModuleCache::CacheMount => {
                exec.cache(MODULE_CACHE_DIR, MODULE_CACHE_ID, CacheSharing::Shared)
            }
            ModuleCache::Layer(layer) => exec.readonly(MODULE_CACHE_DIR, layer),
        }
    }
}

/// The dependency stage: the builder (with cgo's packages, [`cgo::builder_root`]) with
/// `/src/go.mod` and `/src/go.sum`, then
/// `go mod download`. A vendored module downloads nothing: Go builds it from `vendor/`, and
/// its modules may not be reachable from the build at all.
///
/// Without `cache.export` the modules go to the cache mount, and the compile steps run on the
/// download step's root so they come after it. With it they go to an ordinary layer whose
/// cache key is the step's definition (builder image, go.mod, go.sum, the Go build-args:
/// `solver/llbsolver/ops/exec.go` `CacheMap` keeps `Meta.Env`), so a runner that imports the
/// exported cache finds the step done and the modules in the layer.
///
/// This is the one step with network. It gets the optional secret `netrc` and, with
/// `modules.ssh`, the SSH agent; it runs `go mod download` through `gostage explain`, which
/// prints [`failure_hints::download`] when the download fails, and carries the spec line of
/// `modules:` (else the first key) as its source location.
pub fn download(planner: Planner<'_>) -> Dependencies {
    let request = planner.request;
    let module_files = Local::new(&request.context_local)
        .session(&request.session_id)
        .include(vec!["go.mod".into(), "go.sum".into()])
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
            modules: ModuleCache::CacheMount,
        };
    }
    let (args, hints) = failure_hints::explained(
        &failure_hints::download(planner),
        ["go", "mod", "download"].map(String::from).to_vec(),
    );
    let mut environment = netrc::environment();
    environment.push(hints);
    environment.extend(ssh::environment(planner));
    let mut exec = Exec::new(args)
        .env(builder_env(planner.builder, request, &environment))
        .cwd(SOURCE_DIR);
    failure_hints::mount(planner, &mut exec);
    netrc::mount(&mut exec);
    ssh::mount(planner, &mut exec);
    let constraints = planner
        .on_build_platform()
        .line(download_line(planner.spec));
    if planner.spec.cache.export {
        exec.readonly("/", &with_module_files);
        let modules = exec.writable(MODULE_CACHE_DIR, None);
        exec.tmpfs("/tmp");
        let layer = exec.build(&constraints, "go mod download").output(modules);
        return Dependencies {
            root: with_module_files,
            modules: ModuleCache::Layer(layer),
        };
    }
    let root = exec.writable("/", Some(&with_module_files));
    exec.cache(MODULE_CACHE_DIR, MODULE_CACHE_ID, CacheSharing::Shared);
    let root = exec.build(&constraints, "go mod download").output(root);
    Dependencies {
        root,
        modules: ModuleCache::CacheMount,
    }
}
