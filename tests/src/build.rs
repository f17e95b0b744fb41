//! Building a context with a gostage.yaml through each daemon path.

use crate::cmd::{self, Output};
use crate::{buildctl, goproxy, BUILDKIT_ADDR, BUILDX_BUILDER, REGISTRY};
use anyhow::{bail, Result};
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

    /// The build command for `context` (which holds gostage.yaml), producing `name`.
    pub fn command(self, context: &Path, name: &str) -> Command {
        self.command_for(context, SPEC, name)
    }

    /// The build command for the build file `file` in `context`, producing `name`.
    pub fn command_for(self, context: &Path, file: &str, name: &str) -> Command {
        self.command_with(context, file, name, Progress::Plain)
    }

    /// Like [`Daemon::command_for`], with the progress output format.
    pub fn command_with(
        self,
        context: &Path,
        file: &str,
        name: &str,
        progress: Progress,
    ) -> Command {
        self.command_opts(
            context,
            file,
            name,
            &Options {
                progress,
                ..Options::default()
            },
        )
    }

    /// The build command for the build file `file` in `context`, producing `name`, with
    /// `options` (platforms, build-args, attestations, progress).
    pub fn command_opts(
        self,
        context: &Path,
        file: &str,
        name: &str,
        options: &Options,
    ) -> Command {
        let progress = options.progress.flag();
        let image = self.image_ref(name);
        let proxy = format!("GOPROXY={}", goproxy());
        let ctx = context.to_str().expect("context path is UTF-8");
        let build_args = std::iter::once(proxy.clone())
            .chain(options.build_args.iter().map(|(k, v)| format!("{k}={v}")));
        let platforms = options.platforms.join(",");
        match self {
            Daemon::Engine => {
                let mut c = Command::new("docker");
                c.args([
                    "buildx",
                    "build",
                    "--builder",
                    "default",
                    progress,
                    "--load",
                ])
                .args(["-f", &format!("{ctx}/{file}"), "-t", &image]);
                for arg in build_args {
                    c.args(["--build-arg", &arg]);
                }
                if !platforms.is_empty() {
                    c.args(["--platform", &platforms]);
                }
                c.arg(ctx);
                c
            }
            Daemon::Buildctl => {
                let mut c = buildctl_command();
                c.args(["build", progress, "--frontend", "dockerfile.v0"])
                    .args([
                        "--local",
                        &format!("context={ctx}"),
                        "--local",
                        &format!("dockerfile={ctx}"),
                    ])
                    .args(["--opt", &format!("filename={file}")]);
                for arg in build_args {
                    c.args(["--opt", &format!("build-arg:{arg}")]);
                }
                if !platforms.is_empty() {
                    c.args(["--opt", &format!("platform={platforms}")]);
                }
                if options.sbom {
                    c.args(["--opt", "attest:sbom="]);
                }
                if options.provenance == Some(true) {
                    c.args(["--opt", "attest:provenance=mode=min"]);
                }
                c.args(["--output", &format!("type=image,name={image},push=true")]);
                c
            }
            Daemon::BuildxRemote => {
                let mut c = Command::new("docker");
                c.args(["buildx", "build", "--builder", BUILDX_BUILDER, progress])
                    .args(["-f", &format!("{ctx}/{file}")]);
                for arg in build_args {
                    c.args(["--build-arg", &arg]);
                }
                if !platforms.is_empty() {
                    c.args(["--platform", &platforms]);
                }
                if options.sbom {
                    c.arg("--sbom=true");
                }
                match options.provenance {
                    Some(true) => c.arg("--provenance=true"),
                    Some(false) => c.arg("--provenance=false"),
                    None => &mut c,
                };
                c.args([
                    "--output",
                    &format!("type=image,name={image},push=true"),
                    ctx,
                ]);
                c
            }
        }
    }
}

/// What a build asks for beyond the defaults (for [`Daemon::command_opts`], [`build_opts`]).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Target platforms (`--platform a,b`); empty: the daemon's default.
    pub platforms: Vec<String>,
    /// Build-args besides GOPROXY (which every build gets).
    pub build_args: Vec<(String, String)>,
    /// Attach an SBOM (`--sbom=true`, `--opt attest:sbom=`); not on the Engine.
    pub sbom: bool,
    /// Provenance: None leaves the client's default (buildx: mode=min, buildctl: none).
    pub provenance: Option<bool>,
    pub progress: Progress,
}

impl Options {
    /// Options for `platforms` (`["linux/amd64", "linux/arm64"]`).
    pub fn platforms(platforms: &[&str]) -> Options {
        Options {
            platforms: platforms.iter().map(|p| p.to_string()).collect(),
            ..Options::default()
        }
    }

    /// Adds the build-arg `key=value`.
    pub fn build_arg(mut self, key: &str, value: &str) -> Options {
        self.build_args.push((key.to_string(), value.to_string()));
        self
    }
}

/// The progress output format of a build.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Progress {
    /// `--progress=plain`: for people, and for [`crate::progress::vertices`].
    #[default]
    Plain,
    /// `--progress=rawjson`: with the graph, for [`crate::progress::vertices_rawjson`].
    RawJson,
}

impl Progress {
    fn flag(self) -> &'static str {
        match self {
            Progress::Plain => "--progress=plain",
            Progress::RawJson => "--progress=rawjson",
        }
    }
}

/// `buildctl --addr <our socket>`.
pub fn buildctl_command() -> Command {
    let mut c = Command::new(buildctl());
    c.args(["--addr", BUILDKIT_ADDR]);
    c
}

/// A successful build: the image (runnable by the Engine) and the build log.
pub struct Built {
    pub daemon: Daemon,
    pub image: String,
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
    let out = cmd::run_any(&mut daemon.command_opts(context, file, name, options))?;
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
    cmd::run_any(&mut daemon.command(context, name))
}

/// Builds `context` on buildkitd and exports the image as an OCI layout tarball at `dest`.
pub fn build_oci(context: &Path, dest: &Path) -> Result<Output> {
    build_file_oci(context, SPEC, dest)
}

/// Like [`build_oci`], for the build file `file` in `context`.
pub fn build_file_oci(context: &Path, file: &str, dest: &Path) -> Result<Output> {
    let ctx = context.to_str().expect("context path is UTF-8");
    cmd::run(
        buildctl_command()
            .args(["build", "--progress=plain", "--frontend", "dockerfile.v0"])
            .args([
                "--local",
                &format!("context={ctx}"),
                "--local",
                &format!("dockerfile={ctx}"),
            ])
            .args([
                "--opt",
                &format!("filename={file}"),
                "--opt",
                &format!("build-arg:GOPROXY={}", goproxy()),
            ])
            .args(["--output", &format!("type=oci,dest={}", dest.display())]),
    )
}
