//! Stand-ins for public base images that cannot be pulled here, built FROM scratch and pushed
//! to the local registry under a test name, for builds to use through `--build-context`.

use anyhow::{Context, Result};
use gostage_support::build_command::{engine, Progress};
use gostage_support::config::REGISTRY;
use gostage_support::{cmd, temporary};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::OnceLock;

/// The name specs use for distroless (`image.base: distroless`), which `--build-context`
/// replaces.
pub const DISTROLESS: &str = gostage::spec::DISTROLESS;

/// The name specs use for distroless base (`image.base: distroless-base`).
pub const DISTROLESS_BASE: &str = gostage::spec::DISTROLESS_BASE;

/// `/etc/passwd` of the stand-in, as distroless static ships it for `nonroot`.
pub const DISTROLESS_PASSWD: &str = "root:x:0:0:root:/root:/sbin/nologin\n\
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n\
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";

/// `PATH` of the stand-in's config (distroless static's).
pub const DISTROLESS_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A stand-in shaped like distroless static:nonroot, pushed once per test process: FROM
/// scratch with passwd and group holding root, nobody and nonroot (65532), `/home/nonroot`
/// owned by it, a 1777 `/tmp`, the host's CA bundle; config `User` `65532`, `WorkingDir` `/home/nonroot`,
/// `Env` `PATH` and `SSL_CERT_FILE`. Returns its registry reference.
pub fn distroless_static() -> Result<String> {
    static PUSHED: OnceLock<String> = OnceLock::new();
    if let Some(reference) = PUSHED.get() {
        return Ok(reference.clone());
    }
    let reference = format!("{REGISTRY}/e2e/distroless-static-debian12:nonroot");
    let directory = temporary::directory("gostage-e2e-distroless")?;
    let dir = directory.path();
    stage(dir)
        .and_then(|_| {
            cmd::run(engine(Progress::Plain).args(["-t", &reference]).arg(dir))?;
            cmd::docker(&["push", &reference])
        })
        .context("building the distroless stand-in")?;
    Ok(PUSHED.get_or_init(|| reference).clone())
}

/// glibc's files in distroless base (Debian's libc6 for amd64): the program interpreter and
/// the libraries a cgo program links, paths as the loader looks them up.
const GLIBC_FILES: &[&str] = &[
    "/lib64/ld-linux-x86-64.so.2",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib/x86_64-linux-gnu/libm.so.6",
    "/lib/x86_64-linux-gnu/libdl.so.2",
    "/lib/x86_64-linux-gnu/libpthread.so.0",
    "/lib/x86_64-linux-gnu/libresolv.so.2",
    "/lib/x86_64-linux-gnu/librt.so.1",
];

/// A stand-in shaped like distroless base-debian12:nonroot for linux/amd64, pushed once per
/// test process: the static stand-in plus glibc ([`GLIBC_FILES`], taken from the Debian
/// bookworm `golang:1.23` stand-in). Returns its registry reference.
pub fn distroless_base() -> Result<String> {
    static PUSHED: OnceLock<String> = OnceLock::new();
    if let Some(reference) = PUSHED.get() {
        return Ok(reference.clone());
    }
    let reference = format!("{REGISTRY}/e2e/distroless-base-debian12:nonroot");
    let directory = temporary::directory("gostage-e2e-distroless-base")?;
    let dir = directory.path();
    let result = stage(dir).and_then(|_| {
        let static_dockerfile = std::fs::read_to_string(dir.join("Dockerfile"))?;
        let glibc: String = GLIBC_FILES
            .iter()
            .map(|path| format!("COPY --from=debian {path} {path}\n"))
            .collect();
        std::fs::write(
            dir.join("Dockerfile"),
            format!("FROM golang:1.23 AS debian\n{static_dockerfile}{glibc}"),
        )?;
        cmd::run(engine(Progress::Plain).args(["-t", &reference]).arg(dir))?;
        cmd::docker(&["push", &reference])
    });
    result.context("building the distroless base stand-in")?;
    Ok(PUSHED.get_or_init(|| reference).clone())
}

fn stage(dir: &Path) -> Result<()> {
    let root = dir.join("rootfs");
    std::fs::create_dir_all(root.join("etc/ssl/certs"))?;
    std::fs::create_dir_all(dir.join("home/nonroot"))?;
    // Distroless ships a sticky, world-writable /tmp.
    std::fs::create_dir_all(root.join("tmp"))?;
    std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777))?;
    std::fs::write(root.join("etc/passwd"), DISTROLESS_PASSWD)?;
    std::fs::write(
        root.join("etc/group"),
        "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n",
    )?;
    std::fs::copy(
        "/etc/ssl/certs/ca-certificates.crt",
        root.join("etc/ssl/certs/ca-certificates.crt"),
    )
    .context("copying the host CA bundle")?;
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM scratch\n\
             COPY rootfs/ /\n\
             COPY --chown=65532:65532 home/nonroot /home/nonroot\n\
             USER 65532\n\
             WORKDIR /home/nonroot\n\
             ENV PATH={DISTROLESS_PATH} SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n"
        ),
    )?;
    Ok(())
}

/// The `golang:1.23` stand-in with a wrapper in front of the real `go` that runs the shell
/// command `setup` (e.g. `export GOARCH=arm64`, `ulimit -v 800000`) before the module's own
/// compiles only: gostage passes `-buildvcs=false` to those and not to its helpers, which
/// must keep working. Pushed as `127.0.0.1:5000/e2e/<name>:1.23`; returns that reference,
/// for `builder:`.
pub fn golang_breaking_compiles(name: &str, setup: &str) -> Result<String> {
    let image = format!("{REGISTRY}/e2e/{name}:1.23");
    let directory = temporary::directory(&format!("gostage-e2e-{name}"))?;
    let dir = directory.path();
    let result = std::fs::write(
        dir.join("go"),
        format!("#!/bin/sh\ncase \" $* \" in *\" -buildvcs=false \"*) {setup} ;; esac\nexec /usr/local/go/bin/go.real \"$@\"\n"),
    )
    .and_then(|()| {
        std::fs::write(
            dir.join("Dockerfile"),
            "FROM golang:1.23\nRUN mv /usr/local/go/bin/go /usr/local/go/bin/go.real\nCOPY --chmod=755 go /usr/local/go/bin/go\n",
        )
    })
    .map_err(anyhow::Error::from)
    .and_then(|()| cmd::run(engine(Progress::Plain).args(["-t", &image]).arg(dir)))
    .and_then(|_| cmd::docker(&["push", "-q", &image]));
    result.with_context(|| format!("making the builder {image}"))?;
    Ok(image)
}
