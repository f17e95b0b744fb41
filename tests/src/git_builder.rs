//! A Go builder image with git and an ssh client, as the official `golang` images have (they
//! are Debian with git and openssh-client): the `golang:<tag>` stand-in (the host's Go and
//! busybox, FROM scratch) plus the host's `git` and `ssh`, the shared libraries `ldd` lists
//! for them, and git's templates. Copying the host's binaries needs no package download and
//! gives the same git and ssh the test's own host-side steps use.

use anyhow::{bail, Context, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::cmd;
use gostage_support::config::REGISTRY;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the image adds to the stand-in: git (also at git's exec path, where git runs its
/// own subcommands from) and ssh.
const PROGRAMS: &[&str] = &["/usr/bin/git", "/usr/lib/git-core/git", "/usr/bin/ssh"];
/// The templates `git init` copies (it warns without them).
const GIT_TEMPLATES: &str = "/usr/share/git-core/templates";

/// Builds `golang:<tag>` + git + ssh in the Engine and pushes it as
/// `127.0.0.1:5000/e2e/golang-git:<tag>`; returns that reference, for `builder:`.
pub fn push_golang_with_git(tag: &str) -> Result<String> {
    let image = format!("{REGISTRY}/e2e/golang-git:{tag}");
    let dir = std::env::temp_dir().join(format!("gostage-golang-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = stage(&dir, tag).and_then(|()| {
        cmd::run(engine(Progress::Plain).args(["-t", &image]).arg(&dir))?;
        cmd::docker(&["push", "-q", &image])
    });
    let _ = std::fs::remove_dir_all(&dir);
    result.with_context(|| format!("making {image}"))?;
    Ok(image)
}

fn stage(dir: &Path, tag: &str) -> Result<()> {
    let root = dir.join("rootfs");
    let mut files: Vec<PathBuf> = PROGRAMS.iter().map(PathBuf::from).collect();
    for program in PROGRAMS {
        files.extend(libraries(program)?);
    }
    files.sort();
    files.dedup();
    for file in &files {
        let target = root.join(file.strip_prefix("/").unwrap_or(file));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // -L: the stand-in has no /lib symlinks, so every library path is a real file.
        cmd::run(Command::new("cp").arg("-L").arg(file).arg(&target))?;
    }
    let templates = root.join(GIT_TEMPLATES.trim_start_matches('/'));
    if let Some(parent) = templates.parent() {
        std::fs::create_dir_all(parent)?;
    }
    cmd::run(
        Command::new("cp")
            .arg("-a")
            .arg(GIT_TEMPLATES)
            .arg(&templates),
    )?;
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM golang:{tag}\nCOPY rootfs/ /\n"),
    )?;
    Ok(())
}

/// The shared libraries and the loader `ldd` lists for `program` (absolute paths).
fn libraries(program: &str) -> Result<Vec<PathBuf>> {
    let listing = cmd::output(Command::new("ldd").arg(program))?;
    let mut found = Vec::new();
    for line in listing.lines() {
        // `libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)` or `/lib64/ld-linux….so.2 (0x…)`.
        let path = match line.split_once("=>") {
            Some((_, rest)) => rest.split_whitespace().next(),
            None => line.split_whitespace().next(),
        };
        match path {
            Some(path) if path.starts_with('/') => found.push(PathBuf::from(path)),
            Some(_) | None => {}
        }
    }
    if found.is_empty() {
        bail!("ldd lists no libraries for {program}:\n{listing}");
    }
    Ok(found)
}
