//! `files:`, `//go:embed` and base images, with examples/static-site: the copied files are in
//! the layer bytes owned by root with the modes and mtimes gostage sets, the embedded page is
//! served, and over a distroless stand-in (through `--build-context`) the image keeps the
//! base's user, working directory, environment and passwd.

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{build_opts, try_build, Built, Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::image_fs::{ImageFs, Kind};
use gostage_e2e::stand_in::{self, DISTROLESS, DISTROLESS_PASSWD, DISTROLESS_PATH};
use gostage_support::cmd;
use gostage_support::container::Container;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;

const EPOCH: u64 = 1_700_000_000;

/// examples/static-site with its sources made private (0600 files, a 0700 directory), so the
/// modes in the image are gostage's, not the checkout's.
fn private_copy() -> Result<TempCopy> {
    let copy = TempCopy::of_example("static-site")?;
    let private = |path: &str, mode: u32| {
        std::fs::set_permissions(copy.path.join(path), std::fs::Permissions::from_mode(mode))
    };
    private("config/site.json", 0o600)?;
    private("templates/page.tmpl", 0o600)?;
    private("templates", 0o700)?;
    Ok(copy)
}

fn build(daemon: Daemon, copy: &TempCopy, name: &str, options: Options) -> Result<Built> {
    let options = options.build_arg("SOURCE_DATE_EPOCH", &EPOCH.to_string());
    let built = build_opts(daemon, &copy.path, SPEC, name, &options)?;
    if daemon != Daemon::Engine {
        cmd::docker(&["pull", "-q", &built.image])?;
    }
    Ok(built)
}

/// The `/runtime` report of a running static-site container.
fn runtime_report(container: &Container) -> Result<Value> {
    let body = container.get("/runtime")?;
    serde_json::from_str(&body).with_context(|| format!("/runtime answered {body:?}"))
}

/// The embedded page is served and the copied files are readable by the image's user.
fn check_serving(container: &Container, copy: &TempCopy) -> Result<Value> {
    let page = container.get("/")?;
    ensure!(
        page.contains("Embedded with go:embed"),
        "/ did not serve the embedded static/index.html: {page:?}"
    );
    let report = runtime_report(container)?;
    let config = copy.read("config/site.json")?;
    ensure!(
        report["config"] == config.as_str(),
        "the program could not read /etc/static-site/site.json as expected: {report}"
    );
    let template = format!("page.tmpl: {}", copy.read("templates/page.tmpl")?);
    ensure!(
        report["templates"] == serde_json::json!([template]),
        "the program could not read /srv/templates: {report}"
    );
    Ok(report)
}

/// The copies in the image's layers: owned 0:0, with gostage's modes (0644 for a file, 0755
/// for a directory and what it holds, 0755 for the parents it made), the `SOURCE_DATE_EPOCH`
/// mtime, and the bytes of the sources.
fn check_files_layer(fs: &ImageFs, copy: &TempCopy, daemon: Daemon) -> Result<()> {
    let listing = || fs.listing();
    let expected = [
        ("etc", Kind::Dir, 0o755, ""),
        ("etc/static-site", Kind::Dir, 0o755, ""),
        (
            "etc/static-site/site.json",
            Kind::File,
            0o644,
            "config/site.json",
        ),
        ("srv", Kind::Dir, 0o755, ""),
        ("srv/templates", Kind::Dir, 0o755, ""),
        (
            "srv/templates/page.tmpl",
            Kind::File,
            0o755,
            "templates/page.tmpl",
        ),
    ];
    for (path, kind, mode, source) in expected {
        let entry = fs
            .get(path)
            .with_context(|| format!("{daemon}: the image has no /{path}\n{}", listing()))?;
        ensure!(
            (entry.kind, entry.mode, entry.uid, entry.gid, entry.mtime)
                == (kind, mode, 0, 0, EPOCH),
            "{daemon}: /{path} is {:?} {:o} {}:{} mtime {}, expected {kind:?} {mode:o} 0:0 mtime {EPOCH}",
            entry.kind,
            entry.mode,
            entry.uid,
            entry.gid,
            entry.mtime
        );
        if !source.is_empty() {
            ensure!(
                entry.data == std::fs::read(copy.path.join(source))?,
                "{daemon}: /{path} does not hold the bytes of {source}"
            );
        }
    }
    Ok(())
}

fn created_by(fs: &ImageFs) -> Vec<String> {
    fs.config
        .history()
        .iter()
        .flatten()
        .map(|entry| entry.created_by().clone().unwrap_or_default())
        .collect()
}

#[test]
fn files_and_embedded_page_on_docker_engine() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = private_copy()?;
    let built = build(
        Daemon::Engine,
        &copy,
        "static-site-files",
        Options::default(),
    )?;
    let fs = ImageFs::from_docker(&built.image)?;
    check_files_layer(&fs, &copy, Daemon::Engine)?;
    let history = created_by(&fs);
    ensure!(
        history.ends_with(&[
            "gostage: CA bundle, zoneinfo, /tmp, passwd and group".to_string(),
            "gostage: files".to_string(),
            "gostage: binaries".to_string(),
        ]),
        "the history does not show the files layer between the runtime files and the binaries: {history:?}"
    );
    let container = Container::start(&built.image, 8080)?;
    let report = check_serving(&container, &copy)?;
    ensure!(
        report["uid"] == 65532 && report["gid"] == 65532,
        "expected uid and gid 65532: {report}"
    );
    Ok(())
}

/// static-site FROM the distroless stand-in, built on `daemon` through `--build-context`.
fn distroless(daemon: Daemon) -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let stand_in = stand_in::distroless_static()?;
    let copy = private_copy()?;
    let spec = copy.read(SPEC)?.replace(
        "image:\n  ports: [8080]\n",
        "image:\n  base: distroless\n  ports: [8080]\n",
    );
    ensure!(
        spec.contains("base: distroless"),
        "the spec changed: {spec}"
    );
    copy.write(SPEC, &spec)?;
    let options = Options::default().image_context(DISTROLESS, &stand_in);
    let built = build(daemon, &copy, "static-site-distroless", options)?;
    let fs = ImageFs::from_docker(&built.image)?;
    check_files_layer(&fs, &copy, daemon)?;
    let config = fs.runtime_config();
    ensure!(
        config.user().as_deref() == Some("65532")
            && config.working_dir().as_deref() == Some("/home/nonroot"),
        "{daemon}: the base's User and WorkingDir are not kept: {config:?}"
    );
    let env: Vec<&str> = config.env().iter().flatten().map(String::as_str).collect();
    let path = format!("PATH={DISTROLESS_PATH}");
    ensure!(
        env.contains(&path.as_str())
            && env.contains(&"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"),
        "{daemon}: the base's Env is not kept: {env:?}"
    );
    let passwd = fs
        .get("etc/passwd")
        .context("the image has no /etc/passwd")?;
    ensure!(
        passwd.data == DISTROLESS_PASSWD.as_bytes(),
        "{daemon}: /etc/passwd is not the base's:\n{}",
        String::from_utf8_lossy(&passwd.data)
    );
    let home = fs
        .get("home/nonroot")
        .context("the base's /home/nonroot is gone")?;
    ensure!(home.uid == 65532, "/home/nonroot is owned by {}", home.uid);
    let history = created_by(&fs);
    ensure!(
        history.contains(&"gostage: CA bundle, zoneinfo, /tmp".to_string()) && history.len() > 4,
        "{daemon}: the history lacks the base's entries or gostage's: {history:?}"
    );
    let container = Container::start(&built.image, 8080)?;
    let report = check_serving(&container, &copy)?;
    ensure!(
        report["uid"] == 65532
            && report["working_dir"] == "/home/nonroot"
            && report["ssl_cert_file"] == "/etc/ssl/certs/ca-certificates.crt"
            && report["path"] == DISTROLESS_PATH,
        "{daemon}: the program does not run as the base says: {report}"
    );
    Ok(())
}

#[test]
fn distroless_base_on_buildkitd() -> Result<()> {
    distroless(Daemon::Buildctl)
}

#[test]
fn distroless_base_on_docker_engine() -> Result<()> {
    distroless(Daemon::Engine)
}

/// A source that `.dockerignore` hides is missing too, reported at its `src:`.
#[test]
fn ignored_file_source_fails_at_its_line_on_buildkitd() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let copy = TempCopy::of_example("static-site")?;
    copy.write(".dockerignore", "templates/\n")?;
    let out = try_build(Daemon::Buildctl, &copy.path, "static-site-ignored")?;
    ensure!(
        !out.success(),
        "a build whose files: source is ignored succeeded"
    );
    let log = out.combined();
    ensure!(
        log.contains("gostage.yaml:9:10")
            && log.contains("`files[1].src` is `templates`, which is not in the build context"),
        "the failure does not point at gostage.yaml:9:10 (`src: templates`)\n{}",
        out.describe()
    );
    Ok(())
}
