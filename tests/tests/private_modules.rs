//! Private modules over HTTPS (`--secret id=netrc`), on buildkitd: a module served by the
//! test's own authenticated GOPROXY (tests/fixtures/private-https/server, its own CA, which a
//! builder image named by `builder:` trusts) builds with the netrc secret, fails without it
//! with gostage's hint pointing at the spec, and the password reaches no blob of the pushed
//! image (SBOM and provenance `mode=max` included) and no progress output.
//!
//! The module path is new in every run: the module cache mount of earlier builds would
//! otherwise already hold it, and the download step of a successful build would be reused.
//! Docker Engine 20.10 runs steps in its bridge network, which cannot reach 127.0.0.1, so
//! these builds run on buildkitd only (its OCI worker here has no CNI: steps with network
//! share the host's).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use gostage_e2e::build::{Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::{fixture, TempCopy};
use gostage_e2e::registry::blobs_holding;
use gostage_support::build_command::{engine, Progress};
use gostage_support::cmd::{self, Output};
use gostage_support::config::REGISTRY;

/// What the private module's `Hello` returns (tests/fixtures/private-https/module/greet.go).
const GREETING: &str = "hello from a private module over https";
/// The start of gostage's hint for a 401 in `go mod download` (plan/netrc.rs).
const HINT: &str = "build with `--secret id=netrc,src=$HOME/.netrc`";
/// The basic-auth user of the test's proxy.
const USER: &str = "gostage";

/// The test's module proxy, stopped when dropped.
struct ModuleProxy {
    child: Child,
    port: u16,
    ca: PathBuf,
}

impl ModuleProxy {
    /// Starts the fixture server for `module_path` at v1.0.0 with the files of `module_dir`.
    fn start(module_path: &str, module_dir: &Path, password: &str, dir: &Path) -> Result<Self> {
        let ca = dir.join("ca.pem");
        let log = std::fs::File::create(dir.join("proxy.log"))?;
        // Built, then started: killing `go run` would leave the server it starts running.
        let server = dir.join("module-proxy");
        cmd::run(
            Command::new("go")
                .arg("build")
                .arg("-o")
                .arg(&server)
                .arg(fixture("private-https/server").join("main.go"))
                .env("GOTOOLCHAIN", "local")
                .env("GOFLAGS", ""),
        )?;
        let mut child = Command::new(&server)
            .args(["-module", module_path, "-user", USER, "-password", password])
            .arg("-dir")
            .arg(module_dir)
            .arg("-ca")
            .arg(&ca)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("starting the test's module proxy")?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let port = match line.trim().strip_prefix("port ").map(str::parse) {
            Some(Ok(port)) => port,
            _ => {
                let _ = child.kill();
                bail!("the module proxy did not report its port: {line:?}");
            }
        };
        Ok(ModuleProxy { child, port, ca })
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

impl Drop for ModuleProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `golang:1.23` with the proxy's CA appended to the CA bundle, pushed to the local registry;
/// returns its reference, for `builder:`.
fn builder_trusting(ca: &Path, dir: &Path) -> Result<String> {
    let context = dir.join("builder");
    std::fs::create_dir_all(&context)?;
    std::fs::copy(ca, context.join("ca.pem"))?;
    std::fs::write(
        context.join("Dockerfile"),
        "FROM golang:1.23\nCOPY ca.pem /tmp/ca.pem\n\
         RUN cat /tmp/ca.pem >> /etc/ssl/certs/ca-certificates.crt && rm /tmp/ca.pem\n",
    )?;
    let image = format!("{REGISTRY}/e2e/golang-private-ca:1.23");
    cmd::run(engine(Progress::Plain).args(["-t", &image]).arg(&context))?;
    cmd::docker(&["push", "-q", &image])?;
    Ok(image)
}

/// Writes the app's go.sum with the host's go, through the proxy, in a module cache of its own.
fn write_go_sum(app: &TempCopy, proxy: &ModuleProxy, netrc: &Path, dir: &Path) -> Result<()> {
    let module_cache = dir.join("host-module-cache");
    let go = |args: &[&str]| {
        let mut go = Command::new("go");
        go.args(args)
            .current_dir(&app.path)
            .env("GOMODCACHE", &module_cache)
            .env("GOPROXY", proxy.url())
            .env("GONOSUMDB", "example.test")
            .env("NETRC", netrc)
            .env("SSL_CERT_FILE", &proxy.ca)
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local");
        go
    };
    let tidy = cmd::run(&mut go(&["mod", "tidy"]));
    // The module cache is read-only; go removes it.
    cmd::run(&mut go(&["clean", "-modcache"]))?;
    tidy.context("go mod tidy of the app on the host, through the test's proxy")?;
    ensure!(
        app.read("go.sum")?.contains("example.test/private/greet"),
        "go.sum has no line for the private module"
    );
    Ok(())
}

fn build(app: &TempCopy, name: &str, options: &Options) -> Result<Output> {
    let mut command = Daemon::Buildctl.command(&app.path, SPEC, name, options)?;
    command.args(["--opt", "attest:provenance=mode=max"]);
    cmd::run_any(&mut command)
}

#[test]
fn private_module_over_https_needs_the_netrc_secret() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let module_path = format!("example.test/private/greet{run:x}");
    let password = format!("netrc-password-{run:x}");
    let module = TempCopy::of_fixture("private-https/module")?;
    module.write(
        "go.mod",
        &module.read("go.mod")?.replace("MODULE_PATH", &module_path),
    )?;
    let app = TempCopy::of_fixture("private-https/app")?;
    for name in ["go.mod", "main.go"] {
        app.write(name, &app.read(name)?.replace("MODULE_PATH", &module_path))?;
    }
    let work = TempCopy::of_fixture("private-https/server")?;
    let proxy = ModuleProxy::start(&module_path, &module.path, &password, &work.path)?;
    // Go matches a netrc `machine` with the host, with or without the port, by version.
    let netrc = work.path.join("netrc");
    std::fs::write(
        &netrc,
        format!(
            "machine 127.0.0.1 login {USER} password {password}\n\
             machine 127.0.0.1:{} login {USER} password {password}\n",
            proxy.port
        ),
    )?;
    write_go_sum(&app, &proxy, &netrc, &work.path)?;
    let builder = builder_trusting(&proxy.ca, &work.path)?;
    app.write(SPEC, &app.read(SPEC)?.replace("BUILDER", &builder))?;

    let without_secret = Options {
        goproxy: Some(proxy.url()),
        ..Options::default()
    }
    .build_arg("GONOSUMDB", "example.test");
    let refused = build(&app, "private-https-no-secret", &without_secret)?;
    ensure!(
        !refused.success(),
        "the build without the netrc secret succeeded\n{}",
        refused.describe()
    );
    let text = refused.combined();
    ensure!(
        text.contains("401") && text.contains(HINT) && text.contains("gostage.yaml"),
        "the failed download does not say to pass the netrc secret\n{}",
        refused.describe()
    );

    let with_secret = Options {
        secrets: vec![format!("id=netrc,src={}", netrc.display())],
        sbom: true,
        ..without_secret
    };
    let built = build(&app, "private-https", &with_secret)?;
    ensure!(
        built.success(),
        "the build with the netrc secret failed\n{}",
        built.describe()
    );
    let image = Daemon::Buildctl.image_ref("private-https");
    cmd::docker(&["pull", "-q", &image])?;
    let printed = cmd::docker(&["run", "--rm", &image])?;
    ensure!(
        printed.trim() == GREETING,
        "the image printed {printed:?}, not {GREETING:?}"
    );
    let leaks = blobs_holding(&image, &[password.as_str()])?;
    ensure!(
        leaks.is_empty(),
        "the netrc password is in blobs of {image}: {leaks:?}"
    );
    for output in [&refused, &built] {
        ensure!(
            !output.combined().contains(&password),
            "the netrc password is in the progress output"
        );
    }
    Ok(())
}
