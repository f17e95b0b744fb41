//! Past one machine:
//! - a buildkitd that listens on TCP with mutual TLS (certificates made here with openssl),
//!   used as buildx's `remote` driver with the client certificate, builds and pushes an image
//!   that runs; without a client certificate the daemon refuses the client;
//! - a two-node buildx builder, one node per platform: the usual buildkitd for linux/amd64 and
//!   a second one whose worker declares only linux/arm64 (its Go runs under qemu), builds
//!   `--platform linux/amd64,linux/arm64`, each platform on its node, and pushes one index.
//!
//! docs/scaling-out.md shows the same setups.

use anyhow::{ensure, Context, Result};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::registry::Index;
use gostage_support::cmd;
use gostage_support::config::{bin_dir, BUILDKIT_ADDR, GOLANG_MULTIARCH_REPOSITORY, REGISTRY};
use gostage_support::elf;
use gostage_support::go::goproxy;
use gostage_support::temporary;
use gostage_support::wait::wait_until;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The buildx builder the TLS test creates.
const BUILDER: &str = "gostage-mtls";
/// The buildx builder the two-node test creates.
const TWO_NODES: &str = "gostage-two-nodes";

/// The files of a certificate authority, a server certificate for 127.0.0.1 and a client
/// certificate, all signed by the authority.
struct Certificates {
    dir: PathBuf,
}

impl Certificates {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn make(dir: &Path) -> Result<Certificates> {
        std::fs::create_dir_all(dir)?;
        let openssl = |args: &[&str]| {
            cmd::run(Command::new("openssl").args(args).current_dir(dir)).map(|_| ())
        };
        let key = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509", "-days", "1", "-subj", "/CN=gostage test CA"];
        ca.extend(key);
        ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
        openssl(&ca)?;
        for (name, usage, san) in [
            ("server", "serverAuth", "subjectAltName=IP:127.0.0.1"),
            ("client", "clientAuth", "subjectAltName=DNS:gostage-client"),
        ] {
            let mut request = vec!["req", "-subj"];
            let subject = format!("/CN=gostage test {name}");
            request.push(&subject);
            request.extend(key);
            let (key_file, csr) = (format!("{name}.key"), format!("{name}.csr"));
            request.extend(["-keyout", &key_file, "-out", &csr]);
            openssl(&request)?;
            let extensions = format!("{name}.ext");
            std::fs::write(
                dir.join(&extensions),
                format!("{san}\nextendedKeyUsage={usage}\n"),
            )?;
            let cert = format!("{name}.pem");
            openssl(&[
                "x509",
                "-req",
                "-days",
                "1",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-extfile",
                &extensions,
                "-out",
                &cert,
            ])?;
        }
        Ok(Certificates {
            dir: dir.to_path_buf(),
        })
    }
}

/// A buildkitd of its own beside the usual one: its root, config and log under `dir`, the
/// test environment's registry settings, and `settings` (its `[grpc]` and `[worker.oci]`
/// tables). Stopped, and the buildx builder `builder` made on it removed, when dropped.
struct ExtraDaemon {
    child: Child,
    address: String,
    log: PathBuf,
    builder: &'static str,
}

impl ExtraDaemon {
    /// Starts it and waits until `ready` says so (`Ok(false)`: not yet; an error fails).
    fn start(
        dir: &Path,
        address: String,
        settings: &str,
        builder: &'static str,
        ready: impl Fn(&ExtraDaemon) -> Result<bool>,
    ) -> Result<ExtraDaemon> {
        std::fs::create_dir_all(dir)?;
        let config = dir.join("buildkitd.toml");
        std::fs::write(
            &config,
            format!(
                "root = \"{root}\"\n\n{settings}\n\
                 [worker.containerd]\n  enabled = false\n\n\
                 [registry.\"{REGISTRY}\"]\n  http = true\n  insecure = true\n\n\
                 [registry.\"docker.io\"]\n  mirrors = [\"{REGISTRY}\"]\n",
                root = dir.join("root").display(),
            ),
        )?;
        let log = dir.join("buildkitd.log");
        let out = std::fs::File::create(&log)?;
        let child = Command::new(bin_dir().join("buildkitd"))
            .arg("--config")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("starting a second buildkitd")?;
        let daemon = ExtraDaemon {
            child,
            address,
            log,
            builder,
        };
        wait_until(
            "the second buildkitd to answer",
            Duration::from_secs(60),
            Duration::from_millis(300),
            || ready(&daemon),
            |&answered| answered,
        )
        .with_context(|| format!("the second buildkitd's log:\n{}", daemon.log_text()))?;
        Ok(daemon)
    }

    /// buildctl against this daemon.
    fn buildctl(&self) -> Command {
        let mut c = Command::new(bin_dir().join("buildctl"));
        c.args(["--addr", &self.address]);
        c
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ExtraDaemon {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["buildx", "rm", self.builder])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// buildctl against the TLS daemon, with or without the client certificate.
fn tls_buildctl(daemon: &ExtraDaemon, certificates: &Certificates, client: bool) -> Command {
    let mut c = daemon.buildctl();
    c.args(["--tlsservername", "127.0.0.1"])
        .args(["--tlscacert", &certificates.path("ca.pem")]);
    if client {
        c.args(["--tlscert", &certificates.path("client.pem")])
            .args(["--tlskey", &certificates.path("client.key")]);
    }
    c
}

/// The TLS daemon on a free port of 127.0.0.1.
fn start_tls_daemon(dir: &Path, certificates: &Certificates) -> Result<ExtraDaemon> {
    // A free port: bind, read it, release it for buildkitd.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address = format!("tcp://127.0.0.1:{port}");
    let settings = format!(
        "[grpc]\n  address = [\"{address}\"]\n  [grpc.tls]\n    cert = \"{cert}\"\n    \
         key = \"{key}\"\n    ca = \"{ca}\"\n\n[worker.oci]\n  enabled = true\n",
        cert = certificates.path("server.pem"),
        key = certificates.path("server.key"),
        ca = certificates.path("ca.pem"),
    );
    ExtraDaemon::start(dir, address, &settings, BUILDER, |daemon| {
        Ok(cmd::succeeds(
            tls_buildctl(daemon, certificates, true).args(["debug", "workers"]),
        ))
    })
}

/// `docker buildx build` of `program`'s gostage.yaml on `builder` for `platforms`, with
/// `extra` arguments, pushed as `image`.
fn buildx_build(
    builder: &str,
    program: &TempCopy,
    platforms: &str,
    extra: &[&str],
    image: &str,
) -> Result<cmd::Output> {
    cmd::run_any(
        Command::new("docker")
            .args(["buildx", "build", "--builder", builder, "--progress=plain"])
            .arg("-f")
            .arg(program.path.join("gostage.yaml"))
            .args(["--platform", platforms])
            .args(extra)
            .args(["--build-arg", &format!("GOPROXY={}", goproxy()?)])
            .args(["-t", image, "--push"])
            .arg(&program.path),
    )
}

#[test]
fn a_remote_buildkitd_over_mutual_tls_builds_through_buildx() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // Declared before the daemon, so dropped (removed) after it has stopped.
    let directory = temporary::directory("gostage-e2e-mtls")?;
    let dir = directory.path();
    let certificates = Certificates::make(&dir.join("certs"))?;
    let daemon = start_tls_daemon(dir, &certificates)?;
    // Without a client certificate the daemon refuses the connection.
    let refused =
        cmd::run_any(tls_buildctl(&daemon, &certificates, false).args(["debug", "workers"]))?;
    ensure!(
        !refused.success(),
        "the TLS buildkitd answered a client without a certificate"
    );
    let _ = Command::new("docker")
        .args(["buildx", "rm", BUILDER])
        .output();
    cmd::run(Command::new("docker").args([
        "buildx",
        "create",
        "--name",
        BUILDER,
        "--driver",
        "remote",
        "--driver-opt",
        &format!(
            "cacert={},cert={},key={},servername=127.0.0.1",
            certificates.path("ca.pem"),
            certificates.path("client.pem"),
            certificates.path("client.key")
        ),
        &daemon.address,
    ]))?;
    let program = TempCopy::of_fixture("load-program")?;
    let main = program.read("main.go")?;
    program.write(
        "main.go",
        &main.replace("load program NAME", "built over mutual TLS"),
    )?;
    let image = format!("{REGISTRY}/e2e/mtls:buildx");
    let built = buildx_build(BUILDER, &program, "linux/amd64", &[], &image)?;
    ensure!(
        built.success(),
        "the build on the TLS buildkitd failed:\n{}\n--- its log ---\n{}",
        built.describe(),
        daemon.log_text()
    );
    cmd::docker(&["pull", "-q", &image])?;
    let printed = cmd::docker(&["run", "--rm", &image])?;
    ensure!(
        printed.trim() == "built over mutual TLS",
        "the image printed {printed:?}"
    );
    Ok(())
}

/// The arm64 node: a buildkitd whose worker declares linux/arm64, on a unix socket.
fn start_arm64_node(dir: &Path) -> Result<ExtraDaemon> {
    let address = format!("unix://{}", dir.join("buildkitd.sock").display());
    let settings = format!(
        "[grpc]\n  address = [\"{address}\"]\n\n\
         [worker.oci]\n  enabled = true\n  platforms = [\"linux/arm64\"]\n"
    );
    ExtraDaemon::start(dir, address, &settings, TWO_NODES, |node| {
        let workers = cmd::run_any(node.buildctl().args(["debug", "workers", "-v"]))?;
        if !workers.success() {
            return Ok(false);
        }
        // BuildKit lists the declared platform first, then what the host runs natively; the
        // first is the worker's own, where gostage compiles.
        let first = workers
            .stdout
            .lines()
            .find_map(|line| line.strip_prefix("Platforms:"))
            .and_then(|list| list.trim().split(',').next())
            .unwrap_or_default()
            .to_string();
        ensure!(
            first == "linux/arm64",
            "the second node's first platform is {first:?}:\n{}",
            workers.stdout
        );
        Ok(true)
    })
}

#[test]
fn a_two_node_builder_builds_each_platform_on_its_own_node() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    // Declared before the node, so dropped (removed) after it has stopped.
    let directory = temporary::directory("gostage-e2e-two-nodes")?;
    let node = start_arm64_node(directory.path())?;
    let _ = Command::new("docker")
        .args(["buildx", "rm", TWO_NODES])
        .output();
    for (platform, address, append) in [
        ("linux/amd64", BUILDKIT_ADDR.to_string(), false),
        ("linux/arm64", node.address.clone(), true),
    ] {
        let mut create = Command::new("docker");
        create.args([
            "buildx", "create", "--name", TWO_NODES, "--driver", "remote",
        ]);
        if append {
            create.arg("--append");
        }
        create.args(["--platform", platform]).arg(&address);
        cmd::run(&mut create)?;
    }
    // A program that needs only fmt: the arm64 node's Go runs under qemu.
    let program = TempCopy::of_fixture("load-program")?;
    program.write(
        "main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"built on two nodes\") }\n",
    )?;
    let image = format!("{REGISTRY}/e2e/two-nodes:buildx");
    let golang = gostage_support::registry::image(GOLANG_MULTIARCH_REPOSITORY, "1.23");
    let context = format!("golang:1.23=docker-image://{golang}");
    let built = buildx_build(
        TWO_NODES,
        &program,
        "linux/amd64,linux/arm64",
        &["--build-context", &context],
        &image,
    )?;
    ensure!(
        built.success(),
        "the two-node build failed:\n{}\n--- arm64 node log ---\n{}",
        built.describe(),
        node.log_text()
    );
    let index = Index::read(&image)?;
    let mut platforms = index.platforms();
    platforms.sort();
    ensure!(
        platforms == ["linux/amd64", "linux/arm64"],
        "the pushed index holds {platforms:?}"
    );
    for (platform, machine) in [
        ("linux/amd64", elf::EM_X86_64),
        ("linux/arm64", elf::EM_AARCH64),
    ] {
        let fs = index.fs(platform)?;
        let binary = fs.get("usr/local/bin/program").with_context(|| {
            format!(
                "no /usr/local/bin/program for {platform}:\n{}",
                fs.listing()
            )
        })?;
        let info = elf::inspect(&binary.data)?;
        ensure!(
            info.machine == machine,
            "{platform}: the binary is for machine {}",
            info.machine
        );
    }
    // The arm64 half was built by the arm64 node: its cache holds the compile.
    let arm64_cache = cmd::run(node.buildctl().args(["du", "--verbose"]))?;
    ensure!(
        arm64_cache.stdout.contains("go build"),
        "the arm64 node's cache has no compile:\n{}",
        arm64_cache.stdout
    );
    let printed = cmd::docker(&["run", "--rm", "--platform", "linux/arm64", &image])?;
    ensure!(
        printed.trim() == "built on two nodes",
        "the arm64 image printed {printed:?}"
    );
    Ok(())
}
