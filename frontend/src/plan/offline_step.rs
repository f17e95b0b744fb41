//! The offline Go step: how every step that runs a process in the builder after the download
//! is set up. One place, so that the compile, the test run, the probe's compile and the
//! runtime-files step cannot drift apart in what makes them reproducible: the builder's
//! environment with `GOPROXY=off` ([`offline_builder_env`]), no network, an in-memory `/tmp`,
//! Go's build cache mount of the platform it compiles for, and the build platform's
//! constraints (with `--no-cache`). Callers add the mounts of their own step.

use super::environment::{mount_build_cache, offline_builder_env, TEMPORARY_DIR};
use super::Planner;
use crate::llb::{Exec, Executed, Network, Output};
use crate::vocabulary::Platform;

/// How a step mounts its root filesystem.
#[derive(Clone, Copy, Debug)]
pub enum Root<'o> {
    /// Read-only: the step writes only to its own mounts.
    ReadOnly(&'o Output),
    /// Writable, with the changes thrown away (no step uses that output): for tests, which
    /// may write anywhere, as on a developer's machine.
    Writable(&'o Output),
}

/// A step on the build platform, in the builder, without network. Built by
/// [`OfflineGoStep::new`]; [`OfflineGoStep::exec`] adds the step's own mounts.
pub struct OfflineGoStep<'a> {
    planner: Planner<'a>,
    exec: Exec,
    /// Whether `/tmp` is an in-memory filesystem (every step but one that writes no
    /// temporary file).
    tmp: bool,
    /// The spec line the step comes from (0: none).
    line: u32,
}

impl<'a> OfflineGoStep<'a> {
    /// `args` run with the builder's environment plus `extra` ([`offline_builder_env`]:
    /// `GOPROXY=off`, no module-routing build-args), network `none`, `root` at `/`, and an
    /// in-memory `/tmp`.
    pub fn new(
        planner: Planner<'a>,
        args: Vec<String>,
        extra: &[(String, String)],
        root: Root<'_>,
    ) -> Self {
        let mut exec = Exec::new(args)
            .env(offline_builder_env(planner.builder, planner.request, extra))
            .network(Network::None);
        match root {
            Root::ReadOnly(root) => exec.readonly("/", root),
            Root::Writable(root) => {
                exec.writable("/", Some(root));
            }
        }
        Self {
            planner,
            exec,
            tmp: true,
            line: 0,
        }
    }

    /// The working directory (absolute; `/` unless set).
    pub fn cwd(mut self, directory: &str) -> Self {
        self.exec = self.exec.cwd(directory);
        self
    }

    /// Without the in-memory `/tmp`, for a step that writes no temporary file (the
    /// runtime-files step, which runs no Go compiler).
    pub fn without_tmp(mut self) -> Self {
        self.tmp = false;
        self
    }

    /// With Go's build cache for `platform` (`environment::mount_build_cache`), seeded from
    /// `seed` when given.
    pub fn build_cache(mut self, platform: &Platform, seed: Option<&Output>) -> Self {
        mount_build_cache(&mut self.exec, platform, seed);
        self
    }

    /// The spec line the step comes from, for BuildKit's source map (0: none).
    pub fn line(mut self, line: u32) -> Self {
        self.line = line;
        self
    }

    /// The exec, to add the step's own mounts (their order does not matter: the LLB sorts
    /// them by mount point).
    pub fn exec(&mut self) -> &mut Exec {
        &mut self.exec
    }

    /// The op, named `name`, on the build platform.
    pub fn build(mut self, name: &str) -> Executed {
        if self.tmp {
            self.exec.tmpfs(TEMPORARY_DIR);
        }
        let constraints = self.planner.on_build_platform().line(self.line);
        self.exec.build(&constraints, name)
    }
}
