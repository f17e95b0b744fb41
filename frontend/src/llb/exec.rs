//! Exec ops: run a process with mounts (`ExecOp`, ops.proto; encoding as in BuildKit's
//! `client/llb/exec.go`).

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::graph::{InputList, Node, Output, SourceRange};

/// How concurrent builds share a cache mount (`CacheSharingOpt`, ops.proto).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheSharing {
    /// Used by every build at once (safe for Go's module and build caches, which lock).
    Shared,
    /// One build at a time; others wait.
    Locked,
}

/// What is mounted at a mount point.
#[derive(Clone, Debug)]
pub enum MountKind {
    /// A filesystem from another op (`None` = scratch). Writable binds produce an output.
    Bind {
        /// The filesystem to mount; `None` mounts an empty one.
        source: Option<Output>,
        /// Mount read-only; a read-only mount has no output.
        readonly: bool,
    },
    /// A persistent cache directory keyed by `id`, kept between builds but never exported.
    Cache {
        /// Cache key; the same id gives the same directory.
        id: String,
        /// Concurrency policy.
        sharing: CacheSharing,
    },
    /// An empty in-memory filesystem.
    Tmpfs,
}

/// One mount of an exec.
#[derive(Clone, Debug)]
pub struct Mount {
    /// Absolute mount point in the container.
    pub dest: String,
    /// What is mounted there.
    pub kind: MountKind,
}

impl Mount {
    /// A bind mount of `source` (`None` = scratch) at `dest`.
    pub fn bind(dest: &str, source: Option<&Output>, readonly: bool) -> Self {
        let kind = MountKind::Bind {
            source: source.cloned(),
            readonly,
        };
        Self {
            dest: dest.to_string(),
            kind,
        }
    }

    /// A cache mount with `id` at `dest`.
    pub fn cache(dest: &str, id: &str, sharing: CacheSharing) -> Self {
        let kind = MountKind::Cache {
            id: id.to_string(),
            sharing,
        };
        Self {
            dest: dest.to_string(),
            kind,
        }
    }

    /// A tmpfs at `dest`.
    pub fn tmpfs(dest: &str) -> Self {
        Self {
            dest: dest.to_string(),
            kind: MountKind::Tmpfs,
        }
    }
}

/// A process to run: argv (no implicit shell), environment, working directory and mounts.
///
/// There must be a mount at `/` (the root filesystem); the daemon rejects an exec without one.
#[derive(Clone, Debug)]
pub struct Exec {
    /// argv; `args[0]` is looked up in `PATH`.
    pub args: Vec<String>,
    /// `KEY=VALUE` entries.
    pub env: Vec<String>,
    /// Absolute working directory.
    pub cwd: String,
    /// `uid[:gid]` or a user name; empty means root.
    pub user: String,
    /// Mounts, in any order (they are sorted by mount point when encoded).
    pub mounts: Vec<Mount>,
    /// The platform the process runs on (the build platform for compiles).
    pub platform: pb::Platform,
    /// The spec lines this process comes from (for error reports).
    pub location: Option<SourceRange>,
    /// Run even if a cached result exists (the `no-cache` option).
    pub ignore_cache: bool,
}

/// The outputs of an exec: one per writable bind mount, by mount point.
#[derive(Clone, Debug, Default)]
pub struct ExecOutputs {
    by_dest: BTreeMap<String, Output>,
}

impl ExecOutputs {
    /// The filesystem left at mount point `dest` after the process ran, if that mount is a
    /// writable bind.
    pub fn get(&self, dest: &str) -> Option<&Output> {
        self.by_dest.get(dest)
    }
}

impl Exec {
    /// Encodes the exec as an op named `name` and returns its outputs.
    ///
    /// Mounts are sorted by `dest` (so `/` comes first) and writable binds get output indexes
    /// 0, 1, … in that order, which is how the daemon numbers results
    /// (`solver/llbsolver/ops/exec.go`).
    pub fn run(mut self, name: &str) -> ExecOutputs {
        self.mounts.sort_by(|a, b| a.dest.cmp(&b.dest));
        let mut inputs = InputList::default();
        let mut caps = vec!["exec.meta.base"];
        let mut mounts = Vec::with_capacity(self.mounts.len());
        let mut output_dests = Vec::new();
        for mount in &self.mounts {
            let mut encoded = pb::Mount {
                dest: mount.dest.clone(),
                output: -1,
                ..Default::default()
            };
            match &mount.kind {
                MountKind::Bind { source, readonly } => {
                    encoded.input = inputs.index_of(source.as_ref());
                    encoded.readonly = *readonly;
                    if !*readonly {
                        encoded.output = output_dests.len() as i64;
                        output_dests.push(mount.dest.clone());
                    }
                    if source.is_some() {
                        caps.push("exec.mount.bind");
                    }
                }
                MountKind::Cache { id, sharing } => {
                    encoded.input = -1;
                    encoded.mount_type = pb::MountType::Cache as i32;
                    let sharing = match sharing {
                        CacheSharing::Shared => pb::CacheSharingOpt::Shared,
                        CacheSharing::Locked => pb::CacheSharingOpt::Locked,
                    };
                    encoded.cache_opt = Some(pb::CacheOpt {
                        id: id.clone(),
                        sharing: sharing as i32,
                    });
                    caps.extend(["exec.mount.cache", "exec.mount.cache.sharing"]);
                }
                MountKind::Tmpfs => {
                    encoded.input = -1;
                    encoded.mount_type = pb::MountType::Tmpfs as i32;
                    caps.push("exec.mount.tmpfs");
                }
            }
            mounts.push(encoded);
        }
        caps.sort_unstable();
        caps.dedup();
        let meta = pb::Meta {
            args: self.args,
            env: self.env,
            cwd: self.cwd,
            user: self.user,
            ..Default::default()
        };
        let exec = pb::ExecOp {
            meta: Some(meta),
            mounts,
            ..Default::default()
        };
        let op = pb::Op {
            op: Some(pb::op::Op::Exec(exec)),
            platform: Some(self.platform),
            ..Default::default()
        };
        let node = std::rc::Rc::new(Node {
            op,
            inputs: inputs.inputs,
            name: name.to_string(),
            caps,
            location: self.location,
            ignore_cache: self.ignore_cache,
        });
        let by_dest = output_dests
            .into_iter()
            .enumerate()
            .map(|(index, dest)| {
                (
                    dest,
                    Output {
                        node: node.clone(),
                        index: index as i64,
                    },
                )
            })
            .collect();
        ExecOutputs { by_dest }
    }
}
