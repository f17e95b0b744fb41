//! The `ko` case: ko (github.com/google/ko, installed with `go install` through the Go module
//! proxy) against gostage on examples/uuid-service, on the same machine in one run: cold
//! linux/amd64 and amd64+arm64, an unchanged rebuild and a rebuild after a one-line edit.
//!
//! ko builds on the host with the host's Go (the same toolchain the golang:1.23 stand-in
//! holds) and its own GOCACHE/GOMODCACHE, and pushes to the local registry on a base image
//! made here: ko's default base (cgr.dev/chainguard/static) cannot be pulled, so the bench
//! pushes a stand-in with what that image holds for a Go program (CA bundle, zoneinfo, a
//! nonroot passwd/group, `/tmp`), for linux/amd64 and linux/arm64.

use super::recipe::{Recipe, Workspace};
use super::section::{short, Section};
use super::timing::{measure_rounds, prune, Build};
use super::{AMD64, BOTH};
use crate::builder_images::mkdir;
use crate::config::{scratch_dir, staging_dir};
use anyhow::{bail, Context, Result};
use gostage_support::build_command::{buildctl_dockerfile, Progress};
use gostage_support::cmd;
use gostage_support::config::{bin_dir, REGISTRY};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The ko release the bench installs (`go install github.com/google/ko@KO_VERSION`).
const KO_VERSION: &str = "v0.19.1";
const KO_PACKAGE: &str = "github.com/google/ko";

/// Where the base stand-in is pushed.
fn base_image() -> String {
    format!("{REGISTRY}/bench/static-base:latest")
}

/// The repository ko pushes to (`KO_DOCKER_REPO` with `--bare`).
fn ko_repository() -> String {
    format!("{REGISTRY}/bench/uuid-service-ko")
}

/// The ko binary at [`KO_VERSION`]: installed into the tool directory when missing or older.
fn ensure_ko() -> Result<PathBuf> {
    let ko = bin_dir().join("ko");
    let reports_version = |ko: &Path| {
        Command::new(ko)
            .arg("version")
            .output()
            .map(|o| {
                o.status.success()
                    && String::from_utf8_lossy(&o.stdout)
                        .contains(KO_VERSION.trim_start_matches('v'))
            })
            .unwrap_or(false)
    };
    if !reports_version(&ko) {
        cmd::run_inherit(
            Command::new("go")
                .env("GOBIN", bin_dir())
                .env("GOFLAGS", "")
                .args(["install", &format!("{KO_PACKAGE}@{KO_VERSION}")]),
        )?;
        if !reports_version(&ko) {
            bail!("{} does not report {KO_VERSION}", ko.display());
        }
    }
    Ok(ko)
}

/// Builds and pushes the base stand-in for linux/amd64 and linux/arm64 (nothing in it runs, so
/// no emulation): the host's CA bundle and zoneinfo, passwd/group with `nonroot` (65532),
/// `/tmp` 1777, `USER 65532`.
fn push_base() -> Result<()> {
    let staging = staging_dir("bench-static-base")?;
    let dir = staging.path();
    let root = dir.join("rootfs");
    mkdir(&root.join("etc/ssl/certs"), 0o755)?;
    std::fs::copy(
        "/etc/ssl/certs/ca-certificates.crt",
        root.join("etc/ssl/certs/ca-certificates.crt"),
    )
    .context("copying the host CA bundle")?;
    mkdir(&root.join("usr/share"), 0o755)?;
    cmd::output(
        Command::new("cp")
            .args(["-rL", "/usr/share/zoneinfo"])
            .arg(root.join("usr/share/zoneinfo")),
    )
    .context("copying the host zoneinfo (Debian package tzdata)")?;
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    )?;
    std::fs::write(root.join("etc/group"), "root:x:0:\nnonroot:x:65532:\n")?;
    mkdir(&root.join("tmp"), 0o1777)?;
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY rootfs/ /\nUSER 65532:65532\nENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n",
    )?;
    cmd::output(buildctl_dockerfile(Progress::Plain, dir, dir).args([
        "--opt",
        "platform=linux/amd64,linux/arm64",
        "--output",
        &format!("type=image,name={},push=true", base_image()),
    ]))?;
    Ok(())
}

/// ko's configuration and caches, kept out of the bench context.
struct KoSetup {
    ko: PathBuf,
    config: PathBuf,
    go_cache: PathBuf,
    module_cache: PathBuf,
}

impl KoSetup {
    fn new(ws: &Workspace) -> Result<KoSetup> {
        let ko = ensure_ko()?;
        push_base()?;
        let dir = scratch_dir("bench-ko");
        std::fs::create_dir_all(&dir)?;
        // The build flags gostage and the Dockerfiles use (ko adds -trimpath itself).
        std::fs::write(
            dir.join(".ko.yaml"),
            format!(
                "builds:\n  - id: app\n    main: ./{}\n    ldflags: [\"-s\", \"-w\"]\n",
                ws.main_package()
            ),
        )?;
        Ok(KoSetup {
            ko,
            config: dir.clone(),
            go_cache: dir.join("go-build"),
            module_cache: dir.join("mod"),
        })
    }

    /// Empties ko's build and module caches: the cold state (GOMODCACHE files are read-only).
    fn clear_caches(&self) -> Result<()> {
        for dir in [&self.go_cache, &self.module_cache] {
            if dir.exists() {
                cmd::output(Command::new("chmod").arg("-R").arg("u+w").arg(dir))?;
                std::fs::remove_dir_all(dir)?;
            }
        }
        Ok(())
    }

    /// `ko build` of the main package for `platforms`, tagged `tag`, pushed to the registry.
    fn command(&self, ws: &Workspace, platforms: &[&str], tag: &str) -> Command {
        let mut c = Command::new(&self.ko);
        c.current_dir(ws.context())
            .env("KO_DOCKER_REPO", ko_repository())
            .env("KO_DEFAULTBASEIMAGE", base_image())
            .env("KO_CONFIG_PATH", &self.config)
            .env("GOCACHE", &self.go_cache)
            .env("GOMODCACHE", &self.module_cache)
            .env("GOPROXY", ws.goproxy())
            .env("GOFLAGS", "")
            .env("GOTOOLCHAIN", "local")
            .args(["build", "--bare", "--sbom=none"])
            .arg(format!("--platform={}", platforms.join(",")))
            .arg(format!("--tags={tag}"))
            .arg(format!("./{}", ws.main_package()));
        c
    }
}

/// ko's build of the workspace for `platforms`, pushed as `tag`, each run after `prepare`.
fn ko_build<'a>(
    setup: &'a KoSetup,
    ws: &'a Workspace,
    platforms: &'static [&'static str],
    tag: String,
    prepare: &'a dyn Fn() -> Result<()>,
) -> Build<'a> {
    let image = format!("{}:{tag}", ko_repository());
    let pushed = tag.clone();
    Build {
        recipe: Recipe::Ko,
        platforms,
        tag,
        image,
        prepare,
        command: Box::new(move || setup.command(ws, platforms, &pushed)),
    }
}

/// ko and gostage, each measured here, alternating: cold amd64 and amd64+arm64 (gostage after
/// `buildctl prune --all`, ko with empty caches), unchanged, one-line edit (amd64+arm64).
pub fn ko(ws: &Workspace, runs: u32) -> Result<Section> {
    let setup = KoSetup::new(ws)?;
    let mut s = Section {
        title: "ko: uuid-service, ko against gostage".into(),
        method: format!(
            "ko {KO_VERSION} (`go install {KO_PACKAGE}@{KO_VERSION}`) builds on the host with \
             the host's Go (the toolchain in the golang:1.23 stand-in) and pushes to the local \
             registry: `--bare --sbom=none`, `-s -w` in .ko.yaml, base {} (a stand-in for ko's \
             default cgr.dev/chainguard/static: CA bundle, zoneinfo, nonroot). Cold: gostage \
             after `buildctl prune --all`, ko with empty GOCACHE and GOMODCACHE (both then \
             download the modules through GOPROXY and compile the standard library). \
             Unchanged: the same sources again; edit: after a one-line edit of main.go.",
            base_image()
        ),
        ..Section::default()
    };
    let clear = || setup.clear_caches();
    let edit = || ws.edit_source();
    let nothing = || Ok(());
    // ko and gostage alternate, round by round.
    for platforms in [AMD64, BOTH] {
        let tag = format!("cold-{}", short(platforms).replace('+', "-"));
        let pair = [
            ko_build(&setup, ws, platforms, format!("ko-{tag}"), &clear),
            Build::of(
                ws,
                Recipe::Gostage,
                platforms,
                &format!("gostage-{tag}"),
                &prune,
            ),
        ];
        s.rows.extend(measure_rounds(&pair, runs)?);
    }
    for (what, prepare) in [
        ("unchanged", &nothing as &dyn Fn() -> Result<()>),
        ("edit", &edit),
    ] {
        let pair = [
            ko_build(&setup, ws, BOTH, format!("ko-{what}"), prepare),
            Build::of(
                ws,
                Recipe::Gostage,
                BOTH,
                &format!("gostage-{what}"),
                prepare,
            ),
        ];
        s.rows.extend(measure_rounds(&pair, runs)?);
    }
    // Rows of the same recipe and platforms repeat (cold, unchanged, edit): ratios by index.
    for (pair, what) in ["cold", "cold", "unchanged", "edit"].iter().enumerate() {
        s.judged_rows(
            2 * pair + 1,
            2 * pair,
            &format!("({what})"),
            1.0,
            Some("ko compiles on the host with the host's Go: no builder image, no container, no build context sent".into()),
        );
    }
    Ok(s)
}
