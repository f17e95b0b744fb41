//! The commands that start a build on each daemon path; callers add the build file, tags,
//! build-args, outputs and the context.

use crate::config::{buildctl as buildctl_path, BUILDKIT_ADDR, BUILDX_BUILDER};
use std::path::Path;
use std::process::Command;

/// The progress output format of a build.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Progress {
    /// `--progress=plain`: for people, and for reading which steps ran.
    #[default]
    Plain,
    /// `--progress=rawjson`: one SolveStatus per line, with each vertex's inputs.
    RawJson,
}

impl Progress {
    /// The client flag.
    pub fn flag(self) -> &'static str {
        match self {
            Progress::Plain => "--progress=plain",
            Progress::RawJson => "--progress=rawjson",
        }
    }
}

/// `docker buildx build --builder default <progress> --load`: the Docker Engine's own BuildKit,
/// the image lands in the Engine's store.
pub fn engine(progress: Progress) -> Command {
    let mut c = Command::new("docker");
    c.args([
        "buildx",
        "build",
        "--builder",
        "default",
        progress.flag(),
        "--load",
    ]);
    c
}

/// `docker buildx build --builder gostage <progress>`: buildkitd through the buildx remote
/// builder.
pub fn buildx_remote(progress: Progress) -> Command {
    let mut c = Command::new("docker");
    c.args([
        "buildx",
        "build",
        "--builder",
        BUILDX_BUILDER,
        progress.flag(),
    ]);
    c
}

/// `buildctl --addr <our buildkitd socket>`.
pub fn buildctl() -> Command {
    let mut c = Command::new(buildctl_path());
    c.args(["--addr", BUILDKIT_ADDR]);
    c
}

/// `buildctl build <progress> --frontend dockerfile.v0` on `context`, reading the build file
/// from `dockerfile_dir`.
pub fn buildctl_dockerfile(progress: Progress, context: &Path, dockerfile_dir: &Path) -> Command {
    let mut c = buildctl();
    c.args(["build", progress.flag(), "--frontend", "dockerfile.v0"])
        .args(["--local", &format!("context={}", context.display())])
        .args([
            "--local",
            &format!("dockerfile={}", dockerfile_dir.display()),
        ]);
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::display;

    #[test]
    fn builds_the_command_lines() {
        assert_eq!(
            display(&engine(Progress::Plain)),
            "docker buildx build --builder default --progress=plain --load"
        );
        assert_eq!(
            display(&buildx_remote(Progress::RawJson)),
            "docker buildx build --builder gostage --progress=rawjson"
        );
        let line = display(&buildctl_dockerfile(
            Progress::Plain,
            Path::new("/c"),
            Path::new("/d"),
        ));
        assert!(line.ends_with(&format!(
            "buildctl --addr {BUILDKIT_ADDR} build --progress=plain --frontend dockerfile.v0 \
             --local context=/c --local dockerfile=/d"
        )));
    }
}
