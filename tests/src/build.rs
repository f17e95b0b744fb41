//! Building a context with a gostage.yaml through each daemon path.

use anyhow::{bail, Result};
use gostage_support::build_command::{buildctl_dockerfile, buildx_remote, engine, Progress};
use gostage_support::cmd::{self, Output};
use gostage_support::config::REGISTRY;
use gostage_support::go::goproxy;
use std::fmt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The spec file every build uses (through its `# syntax=myorg/gostage` line).
pub const SPEC: &str = "gostage.yaml";

/// Which BuildKit builds, and through which client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Daemon {
    /// Docker Engine 20.10 (BuildKit v0.8 inside): `docker buildx build --builder default --load`.
    Engine,
    /// Current buildkitd through `buildctl build --frontend dockerfile.v0`, pushed to the registry.
    Buildctl,
    /// Current buildkitd through the buildx `remote` builder, pushed to the registry.
    BuildxRemote,
}

impl fmt::Display for Daemon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Daemon::Engine => "docker engine 20.10 (buildx --builder default)",
            Daemon::Buildctl => "buildkitd (buildctl)",
            Daemon::BuildxRemote => "buildkitd (buildx remote builder)",
        })
    }
}

impl Daemon {
    /// Every daemon path.
    pub const ALL: [Daemon; 3] = [Daemon::Engine, Daemon::Buildctl, Daemon::BuildxRemote];

    fn tag(self) -> &'static str {
        match self {
            Daemon::Engine => "engine",
            Daemon::Buildctl => "buildctl",
            Daemon::BuildxRemote => "buildx",
        }
    }

    /// The reference the build produces under `name`: local to the Engine, or in the registry.
    pub fn image_ref(self, name: &str) -> String {
        match self {
            Daemon::Engine => format!("e2e/{name}:{}", self.tag()),
            _ => format!("{REGISTRY}/e2e/{name}:{}", self.tag()),
        }
    }

    /// The build command for the build file `file` in `context`, producing `name`, with
    /// `options` (platforms, build-args, attestations, progress, cache export and import);
    /// every build gets a GOPROXY build-arg: the host's, unless `options.goproxy`.
    ///
    /// Errors: a cache export or import on the Engine path, whose `docker` driver exports
    /// no registry cache.
    pub fn command(
        self,
        context: &Path,
        file: &str,
        name: &str,
        options: &Options,
    ) -> Result<Command> {
        let image = self.image_ref(name);
        let proxy = match &options.goproxy {
            Some(proxy) => proxy.clone(),
            None => goproxy()?,
        };
        let build_args: Vec<String> = std::iter::once(format!("GOPROXY={proxy}"))
            .chain(options.build_args.iter().map(|(k, v)| format!("{k}={v}")))
            .collect();
        let platforms = options.platforms.join(",");
        let push = format!("type=image,name={image},push=true");
        let build_contexts: Vec<String> = options
            .build_contexts
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        Ok(match self {
            Daemon::Engine => {
                if options.export_cache.is_some() || options.import_cache.is_some() {
                    bail!("the Engine's docker driver cannot export or import a registry cache");
                }
                let mut c = engine(options.progress);
                c.arg("-f").arg(context.join(file)).args(["-t", &image]);
                buildx_args(&mut c, &build_args, &platforms, &build_contexts);
                session_args(&mut c, options);
                if let Some(target) = &options.target {
                    c.args(["--target", target]);
                }
                c.arg(context);
                c
            }
            Daemon::Buildctl => {
                let mut c = buildctl_dockerfile(options.progress, context, context);
                c.args(["--opt", &format!("filename={file}")]);
                for arg in &build_args {
                    c.args(["--opt", &format!("build-arg:{arg}")]);
                }
                for named in &build_contexts {
                    c.args(["--opt", &format!("context:{named}")]);
                }
                if !platforms.is_empty() {
                    c.args(["--opt", &format!("platform={platforms}")]);
                }
                if let Some(target) = &options.target {
                    c.args(["--opt", &format!("target={target}")]);
                }
                if options.sbom {
                    c.args(["--opt", "attest:sbom="]);
                }
                if options.provenance == Some(true) {
                    c.args(["--opt", "attest:provenance=mode=min"]);
                }
                if let Some(cache) = &options.export_cache {
                    c.args(["--export-cache", cache]);
                }
                if let Some(cache) = &options.import_cache {
                    c.args(["--import-cache", cache]);
                }
                session_args(&mut c, options);
                c.args(["--output", &push]);
                c
            }
            Daemon::BuildxRemote => {
                let mut c = buildx_remote(options.progress);
                c.arg("-f").arg(context.join(file));
                buildx_args(&mut c, &build_args, &platforms, &build_contexts);
                if let Some(target) = &options.target {
                    c.args(["--target", target]);
                }
                if options.sbom {
                    c.arg("--sbom=true");
                }
                match options.provenance {
                    Some(true) => c.arg("--provenance=true"),
                    Some(false) => c.arg("--provenance=false"),
                    None => &mut c,
                };
                if let Some(cache) = &options.export_cache {
                    c.args(["--cache-to", cache]);
                }
                if let Some(cache) = &options.import_cache {
                    c.args(["--cache-from", cache]);
                }
                session_args(&mut c, options);
                c.args(["--output", &push]).arg(context);
                c
            }
        })
    }
}

/// `--build-arg` for each of `build_args`, `--build-context` for each of `build_contexts`
/// (`NAME=VALUE`), and `--platform` unless `platforms` is empty.
fn buildx_args(c: &mut Command, build_args: &[String], platforms: &str, build_contexts: &[String]) {
    for arg in build_args {
        c.args(["--build-arg", arg]);
    }
    for named in build_contexts {
        c.args(["--build-context", named]);
    }
    if !platforms.is_empty() {
        c.args(["--platform", platforms]);
    }
}

/// `--ssh` and `--secret` (the same flags for buildctl and buildx).
fn session_args(c: &mut Command, options: &Options) {
    if let Some(ssh) = &options.ssh {
        c.args(["--ssh", ssh]);
    }
    for secret in &options.secrets {
        c.args(["--secret", secret]);
    }
}

/// What a build asks for beyond the defaults (for [`Daemon::command`], [`build_opts`]).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Target platforms (`--platform a,b`); empty: the daemon's default.
    pub platforms: Vec<String>,
    /// Build-args besides GOPROXY (which every build gets).
    pub build_args: Vec<(String, String)>,
    /// Named contexts `(NAME, VALUE)`: `--build-context NAME=VALUE`, `--opt context:NAME=VALUE`.
    pub build_contexts: Vec<(String, String)>,
    /// Attach an SBOM (`--sbom=true`, `--opt attest:sbom=`); not on the Engine.
    pub sbom: bool,
    /// Provenance: None leaves the client's default (buildx: mode=min, buildctl: none).
    pub provenance: Option<bool>,
    /// The progress output format (the build log holds that output).
    pub progress: Progress,
    /// `--ssh` value, e.g. `default=/tmp/agent.sock`.
    pub ssh: Option<String>,
    /// `--secret` values, e.g. `id=known_hosts,src=/tmp/known_hosts`.
    pub secrets: Vec<String>,
    /// `--target` (`--opt target=` for buildctl); None: the default target.
    pub target: Option<String>,
    /// The GOPROXY build-arg; `None`: the host's `go env GOPROXY`.
    pub goproxy: Option<String>,
    /// Where to export the build cache (`type=registry,ref=…,mode=max`): buildctl
    /// `--export-cache`, buildx `--cache-to`.
    pub export_cache: Option<String>,
    /// Where to import a build cache from (`type=registry,ref=…`): buildctl `--import-cache`,
    /// buildx `--cache-from`.
    pub import_cache: Option<String>,
}

impl Options {
    /// Options for `platforms` (`["linux/amd64", "linux/arm64"]`).
    pub fn platforms(platforms: &[&str]) -> Options {
        Options {
            platforms: platforms.iter().map(|p| p.to_string()).collect(),
            ..Options::default()
        }
    }

    /// Options for the build target `target` (`test`, `debug`).
    pub fn target(target: &str) -> Options {
        Options {
            target: Some(target.to_string()),
            ..Options::default()
        }
    }

    /// Adds the build-arg `key=value`.
    pub fn build_arg(mut self, key: &str, value: &str) -> Options {
        self.build_args.push((key.to_string(), value.to_string()));
        self
    }

    /// Replaces the image `name` with `docker-image://reference` (a named build context).
    pub fn image_context(mut self, name: &str, reference: &str) -> Options {
        self.build_contexts
            .push((name.to_string(), format!("docker-image://{reference}")));
        self
    }
}

/// A successful build: the image (runnable by the Engine) and the build log.
pub struct Built {
    /// Where it was built.
    pub daemon: Daemon,
    /// The image reference ([`Daemon::image_ref`]).
    pub image: String,
    /// The client's output: stdout then stderr (the progress).
    pub log: String,
    /// Wall time of the build command.
    pub elapsed: Duration,
}

/// Builds `context` on `daemon` as `name`; fails with the full build output. Images pushed to
/// the registry are pulled into the Engine, so that `docker run` gets this build's image.
pub fn build(daemon: Daemon, context: &Path, name: &str) -> Result<Built> {
    build_file(daemon, context, SPEC, name)
}

/// Like [`build`], for the build file `file` in `context`.
pub fn build_file(daemon: Daemon, context: &Path, file: &str, name: &str) -> Result<Built> {
    build_with(daemon, context, file, name, Progress::Plain)
}

/// Like [`build_file`], with the progress output format (the log holds that output).
pub fn build_with(
    daemon: Daemon,
    context: &Path,
    file: &str,
    name: &str,
    progress: Progress,
) -> Result<Built> {
    let options = Options {
        progress,
        ..Options::default()
    };
    let built = build_opts(daemon, context, file, name, &options)?;
    if daemon != Daemon::Engine {
        cmd::docker(&["pull", "-q", &built.image])?;
    }
    Ok(built)
}

/// Builds the build file `file` in `context` on `daemon` as `name` with `options`; fails with
/// the full build output. Unlike [`build`], nothing is pulled into the Engine: read pushed
/// images with [`crate::registry`].
pub fn build_opts(
    daemon: Daemon,
    context: &Path,
    file: &str,
    name: &str,
    options: &Options,
) -> Result<Built> {
    let start = Instant::now();
    let out = cmd::run_any(&mut daemon.command(context, file, name, options)?)?;
    let elapsed = start.elapsed();
    if !out.success() {
        bail!(
            "build of {} on {daemon} failed\n{}",
            context.display(),
            out.describe()
        );
    }
    Ok(Built {
        daemon,
        image: daemon.image_ref(name),
        log: out.combined(),
        elapsed,
    })
}

/// Builds `context` on `daemon`, expecting nothing: the caller inspects the outcome.
pub fn try_build(daemon: Daemon, context: &Path, name: &str) -> Result<Output> {
    cmd::run_any(&mut daemon.command(context, SPEC, name, &Options::default())?)
}

/// Builds `context` on buildkitd and exports the image as an OCI layout tarball at `dest`.
pub fn build_oci(context: &Path, dest: &Path) -> Result<Output> {
    build_file_oci(context, SPEC, dest)
}

/// Like [`build_oci`], for the build file `file` in `context`.
pub fn build_file_oci(context: &Path, file: &str, dest: &Path) -> Result<Output> {
    cmd::run(
        buildctl_dockerfile(Progress::Plain, context, context)
            .args(["--opt", &format!("filename={file}")])
            .args(["--opt", &format!("build-arg:GOPROXY={}", goproxy()?)])
            .args(["--output", &format!("type=oci,dest={}", dest.display())]),
    )
}

/// Builds the target `target` of `context` on buildkitd (buildctl, plain progress) and exports
/// its filesystem to the directory `dest` (`--output type=local`); the caller inspects the
/// outcome.
pub fn build_local(context: &Path, target: &str, dest: &Path) -> Result<Output> {
    cmd::run_any(
        buildctl_dockerfile(Progress::Plain, context, context)
            .args(["--opt", &format!("filename={SPEC}")])
            .args(["--opt", &format!("target={target}")])
            .args(["--opt", &format!("build-arg:GOPROXY={}", goproxy()?)])
            .args(["--output", &format!("type=local,dest={}", dest.display())]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_builds_the_spec_with_goproxy() -> Result<()> {
        let mut options = Options::platforms(&["linux/amd64", "linux/arm64"])
            .build_arg("A", "1")
            .image_context("base:1", "registry/base:2");
        options.ssh = Some("default=/agent".to_string());
        options.secrets = vec!["id=k,src=/k".to_string()];
        for daemon in Daemon::ALL {
            let line = cmd::display(&daemon.command(Path::new("/ctx"), SPEC, "x", &options)?);
            for needle in [
                "GOPROXY=",
                "A=1",
                "linux/amd64,linux/arm64",
                "gostage.yaml",
                "--ssh default=/agent",
                "--secret id=k,src=/k",
                "base:1=docker-image://registry/base:2",
            ] {
                assert!(line.contains(needle), "{daemon}: {line}");
            }
            assert!(line.contains(&daemon.image_ref("x")), "{daemon}: {line}");
        }
        Ok(())
    }

    #[test]
    fn cache_export_and_import_reach_buildkitd_clients_only() -> Result<()> {
        let options = Options {
            goproxy: Some("http://127.0.0.1:1".into()),
            export_cache: Some("type=registry,ref=r/c:1,mode=max".into()),
            import_cache: Some("type=registry,ref=r/c:0".into()),
            ..Options::default()
        };
        let buildctl =
            cmd::display(&Daemon::Buildctl.command(Path::new("/ctx"), SPEC, "x", &options)?);
        for needle in [
            "build-arg:GOPROXY=http://127.0.0.1:1",
            "--export-cache type=registry,ref=r/c:1,mode=max",
            "--import-cache type=registry,ref=r/c:0",
        ] {
            assert!(buildctl.contains(needle), "{needle} missing: {buildctl}");
        }
        let buildx =
            cmd::display(&Daemon::BuildxRemote.command(Path::new("/ctx"), SPEC, "x", &options)?);
        for needle in [
            "--cache-to type=registry,ref=r/c:1,mode=max",
            "--cache-from type=registry,ref=r/c:0",
        ] {
            assert!(buildx.contains(needle), "{needle} missing: {buildx}");
        }
        assert!(Daemon::Engine
            .command(Path::new("/ctx"), SPEC, "x", &options)
            .is_err());
        Ok(())
    }
}
