//! Exec ops: run a process with mounts (`ExecOp`, ops.proto; encoding as in BuildKit's
//! `client/llb/exec.go`).

use std::rc::Rc;

use bollard_buildkit_proto::pb;

use super::constraints::Constraints;
use super::graph::{InputList, Node, Output};

/// How concurrent builds share a cache mount (`CacheSharingOpt`, ops.proto).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheSharing {
    /// Used by every build at once (safe for Go's module and build caches, which lock).
    Shared,
    /// One build at a time; others wait.
    Locked,
}

/// The network a process sees (`ExecOp.network`, `NetMode` in ops.proto; not part of `Meta`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Network {
    /// The worker's default (`UNSET`): a sandbox with network, or the host's network
    /// namespace on a worker without CNI (buildkitd's OCI worker as set up here).
    #[default]
    Default,
    /// No network at all (`NONE`): only a loopback interface.
    None,
}

#[derive(Clone, Debug)]
enum MountKind {
    Bind {
        source: Option<Output>,
        readonly: bool,
    },
    Cache {
        id: String,
        sharing: CacheSharing,
        seed: Option<Output>,
    },
    Tmpfs,
    /// A file of the client's secret `id` (`MountType::SECRET`).
    Secret {
        id: String,
        optional: bool,
    },
    /// A socket forwarding the client's SSH agent `id` (`MountType::SSH`).
    Ssh {
        id: String,
        optional: bool,
    },
}

impl MountKind {
    /// Where the Go client puts a mount of this kind in `ExecOp.mounts`: the other mounts
    /// sorted by `dest`, then secrets, then SSH sockets, each in the order added
    /// (`client/llb/exec.go`, `Marshal`).
    fn group(&self) -> u8 {
        match self {
            MountKind::Secret { .. } => 1,
            MountKind::Ssh { .. } => 2,
            _ => 0,
        }
    }
}

#[derive(Clone, Debug)]
struct Mount {
    dest: String,
    kind: MountKind,
}

/// A writable bind mount of an [`Exec`]: after the run, [`Executed::output`] gives the
/// filesystem left at its mount point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WritableMount {
    position: usize,
}

/// A process to run: argv (no implicit shell), environment, working directory and mounts.
///
/// `Exec::new(args).env(..).cwd(..)`, then mounts (`writable` returns a handle for the
/// output), then `build`. There must be a mount at `/` (the root filesystem); the daemon
/// rejects an exec without one.
#[derive(Clone, Debug)]
pub struct Exec {
    args: Vec<String>,
    env: Vec<String>,
    cwd: String,
    network: Network,
    mounts: Vec<Mount>,
}

/// An exec that was built: its op and the outputs of its writable mounts.
#[derive(Clone, Debug)]
pub struct Executed {
    node: Rc<Node>,
    /// Output index per mount, in the order the mounts were added (`None`: no output).
    output_indexes: Vec<Option<i64>>,
}

impl Exec {
    /// Runs `args` (`args[0]` is looked up in `PATH`) in `/`, with no environment.
    pub fn new(args: Vec<String>) -> Self {
        Self {
            args,
            env: Vec::new(),
            cwd: "/".to_string(),
            network: Network::Default,
            mounts: Vec::new(),
        }
    }

    /// `KEY=VALUE` entries of the process environment.
    pub fn env(mut self, env: Vec<String>) -> Self {
        self.env = env;
        self
    }

    /// The absolute working directory.
    pub fn cwd(mut self, directory: &str) -> Self {
        self.cwd = directory.to_string();
        self
    }

    /// The network the process sees; [`Network::Default`] unless set. A mode other than the
    /// default adds the LLB cap `exec.meta.network` (BuildKit v0.3.0, `solver/pb/caps.go`),
    /// as the Go client does (`client/llb/exec.go`).
    pub fn network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// Mounts `source` (`None` = scratch) writable at `dest`; the handle names its output.
    pub fn writable(&mut self, dest: &str, source: Option<&Output>) -> WritableMount {
        self.push(
            dest,
            MountKind::Bind {
                source: source.cloned(),
                readonly: false,
            },
        );
        WritableMount {
            position: self.mounts.len() - 1,
        }
    }

    /// Mounts `source` read-only at `dest` (no output).
    pub fn readonly(&mut self, dest: &str, source: &Output) {
        let kind = MountKind::Bind {
            source: Some(source.clone()),
            readonly: true,
        };
        self.push(dest, kind);
    }

    /// Mounts the persistent cache directory `id` at `dest`: kept between builds, never
    /// exported.
    pub fn cache(&mut self, dest: &str, id: &str, sharing: CacheSharing) {
        let kind = MountKind::Cache {
            id: id.to_string(),
            sharing,
            seed: None,
        };
        self.push(dest, kind);
    }

    /// Like [`Exec::cache`], for a cache directory that starts as a copy of `seed` (Dockerfile
    /// `RUN --mount=type=cache,from=…`). The daemon keeps one such cache per `id` and ref of
    /// `seed` (`solver/llbsolver/mounts/mount.go`, `getRefCacheDir`: key `id:<ref id>`), so
    /// another seed starts another cache.
    pub fn cache_from(&mut self, dest: &str, id: &str, sharing: CacheSharing, seed: &Output) {
        let kind = MountKind::Cache {
            id: id.to_string(),
            sharing,
            seed: Some(seed.clone()),
        };
        self.push(dest, kind);
    }

    /// Mounts an empty in-memory filesystem at `dest`.
    pub fn tmpfs(&mut self, dest: &str) {
        self.push(dest, MountKind::Tmpfs);
    }

    /// Mounts the client's secret `id` (`--secret id=…`) as a read-only file at `dest`,
    /// owned by root with mode 0400 (the Go client's default, `client/llb/exec.go`; the
    /// daemon applies the mode as written, so it is always set). An `optional` secret the
    /// client did not send leaves `dest` absent instead of failing the step
    /// (`frontend/gateway/container/container.go`).
    pub fn secret(&mut self, dest: &str, id: &str, optional: bool) {
        let kind = MountKind::Secret {
            id: id.to_string(),
            optional,
        };
        self.push(dest, kind);
    }

    /// Mounts a socket at `dest` that forwards the client's SSH agent `id` (`--ssh id=…`;
    /// `default` for a bare `--ssh default`), owned by root with mode 0600 (the Go client's
    /// default). Point `SSH_AUTH_SOCK` at `dest`. An `optional` agent the client did not
    /// forward leaves `dest` absent.
    pub fn ssh(&mut self, dest: &str, id: &str, optional: bool) {
        let kind = MountKind::Ssh {
            id: id.to_string(),
            optional,
        };
        self.push(dest, kind);
    }

    fn push(&mut self, dest: &str, kind: MountKind) {
        self.mounts.push(Mount {
            dest: dest.to_string(),
            kind,
        });
    }

    /// The op, named `name`.
    ///
    /// Mounts are sorted by `dest` (so `/` comes first) and writable binds get output indexes
    /// 0, 1, … in that order, which is how the daemon numbers results
    /// (`solver/llbsolver/ops/exec.go`). Secret and SSH mounts follow, in the order added,
    /// with input -1 and output left at 0, as the Go client writes them
    /// (`client/llb/exec.go`); they have no result, whatever `output` says.
    pub fn build(self, constraints: &Constraints, name: &str) -> Executed {
        let mut order: Vec<usize> = (0..self.mounts.len()).collect();
        order.sort_by_key(|&position| {
            let mount = &self.mounts[position];
            match mount.kind.group() {
                0 => (0, mount.dest.as_str()),
                group => (group, ""),
            }
        });
        let mut inputs = InputList::default();
        let mut caps = vec!["exec.meta.base"];
        let mut mounts = Vec::with_capacity(self.mounts.len());
        let mut output_indexes = vec![None; self.mounts.len()];
        let mut next_output = 0;
        for position in order {
            let mount = &self.mounts[position];
            let mut encoded = pb::Mount {
                dest: mount.dest.clone(),
                output: -1,
                input: -1,
                ..Default::default()
            };
            match &mount.kind {
                MountKind::Bind { source, readonly } => {
                    encoded.input = inputs.index_of(source.as_ref());
                    encoded.readonly = *readonly;
                    if !*readonly {
                        encoded.output = next_output;
                        output_indexes[position] = Some(next_output);
                        next_output += 1;
                    }
                    if source.is_some() {
                        caps.push("exec.mount.bind");
                    }
                }
                MountKind::Cache { id, sharing, seed } => {
                    if let Some(seed) = seed {
                        encoded.input = inputs.index_of(Some(seed));
                    }
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
                    encoded.mount_type = pb::MountType::Tmpfs as i32;
                    caps.push("exec.mount.tmpfs");
                }
                MountKind::Secret { id, optional } => {
                    encoded.mount_type = pb::MountType::Secret as i32;
                    encoded.output = 0;
                    encoded.secret_opt = Some(pb::SecretOpt {
                        id: id.clone(),
                        uid: 0,
                        gid: 0,
                        mode: 0o400,
                        optional: *optional,
                    });
                    caps.push("exec.mount.secret");
                }
                MountKind::Ssh { id, optional } => {
                    encoded.mount_type = pb::MountType::Ssh as i32;
                    encoded.output = 0;
                    encoded.ssh_opt = Some(pb::SshOpt {
                        id: id.clone(),
                        uid: 0,
                        gid: 0,
                        mode: 0o600,
                        optional: *optional,
                    });
                    caps.push("exec.mount.ssh");
                }
            }
            mounts.push(encoded);
        }
        let network = match self.network {
            Network::Default => pb::NetMode::Unset,
            Network::None => {
                caps.push("exec.meta.network");
                pb::NetMode::None
            }
        };
        caps.sort_unstable();
        caps.dedup();
        let meta = pb::Meta {
            args: self.args,
            env: self.env,
            cwd: self.cwd,
            ..Default::default()
        };
        let body = pb::op::Op::Exec(pb::ExecOp {
            meta: Some(meta),
            mounts,
            network: network as i32,
            ..Default::default()
        });
        let node = Node::new(body, inputs.inputs, constraints, name, caps);
        Executed {
            node: Rc::new(node),
            output_indexes,
        }
    }
}

impl Executed {
    /// The filesystem left at `mount`'s mount point after the process ran.
    ///
    /// `mount` must come from the [`Exec`] this was built from; a handle of another exec
    /// names whatever mount of this one has its position (a programming error, which the
    /// debug assertion catches in tests).
    pub fn output(&self, mount: WritableMount) -> Output {
        let index = self.output_indexes.get(mount.position).copied().flatten();
        debug_assert!(index.is_some(), "a WritableMount of another exec");
        Output {
            node: self.node.clone(),
            index: index.unwrap_or(0),
        }
    }
}
