//! Private modules over git+SSH (`modules.ssh`), on buildkitd: a module served by the test's
//! own sshd builds with `--ssh default` and checked host keys, fails without the agent or
//! with a wrong or missing host key, and the client's private key reaches no blob of the
//! pushed image and no progress output.
//!
//! The module path names its repository (`example.test/private/sshgreet-<run>.git`), so Go
//! runs git without a go-get page; it is new in every run, because the module cache mount
//! of earlier builds would otherwise already hold it. Go tries each protocol with
//! `git ls-remote` and hides git's error for such paths: a failed fetch reads
//! `no secure protocol found for repository`, and the sshd log tells which SSH step failed.
//! Docker Engine 20.10 runs steps in its bridge network, which cannot reach 127.0.0.1, so
//! these builds run on buildkitd only.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context, Result};
use gostage_e2e::build::{Daemon, Options, SPEC};
use gostage_e2e::enabled;
use gostage_e2e::fixture::TempCopy;
use gostage_e2e::git_ssh::GitSshServer;
use gostage_e2e::registry::blobs_holding;
use gostage_support::cmd::{self, Output};

/// What the private module's `Hello` returns (tests/fixtures/private-ssh/module/greet.go).
const GREETING: &str = "hello from a private module over ssh";
/// Go's error when every protocol for a repository-named module path failed
/// (`cmd/go/internal/vcs/vcs.go`, `repoRootFromVCSPaths`).
const NO_PROTOCOL: &str = "no secure protocol found for repository";
/// sshd's log line when the client accepted the host key but had no key the server takes.
const AUTHENTICATION_REFUSED: &str = "Connection closed by authenticating user";
/// sshd's log line when the client hung up before authenticating (the host key check).
const CLOSED_BEFORE_AUTHENTICATION: &str = "Connection closed by 127.0.0.1 port";

struct Fixture {
    server: GitSshServer,
    app: TempCopy,
    /// gostage.yaml without `known_hosts`.
    spec: String,
}

impl Fixture {
    fn set_up() -> Result<Fixture> {
        let server = GitSshServer::start()?;
        let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
        let repository = format!("private/sshgreet-{run:x}");
        let module_path = format!("example.test/{repository}.git");
        let module = TempCopy::of_fixture("private-ssh/module")?;
        let mut files = Vec::new();
        for name in ["go.mod", "greet.go"] {
            files.push((
                name.to_string(),
                module.read(name)?.replace("MODULE_PATH", &module_path),
            ));
        }
        server.add_repository(&repository, &files, "v1.0.0")?;
        let app = TempCopy::of_fixture("private-ssh/app")?;
        for name in ["go.mod", "main.go"] {
            app.write(name, &app.read(name)?.replace("MODULE_PATH", &module_path))?;
        }
        let spec = app.read(SPEC)?.replace("SSH_URL", &server.url());
        let fixture = Fixture { server, app, spec };
        fixture.write_go_sum()?;
        Ok(fixture)
    }

    /// The app's go.sum, from the host's go with the same git and ssh settings the build
    /// uses, in a module cache of its own.
    fn write_go_sum(&self) -> Result<()> {
        let dir = &self.server.dir;
        let known_hosts = dir.join("known_hosts");
        std::fs::write(&known_hosts, format!("{}\n", self.server.known_hosts()?))?;
        let module_cache = dir.join("host-module-cache");
        let go = |args: &[&str]| {
            let mut go = Command::new("go");
            go.args(args)
                .current_dir(&self.app.path)
                .env("GOMODCACHE", &module_cache)
                .env("GOPRIVATE", "example.test")
                .env("GOFLAGS", "-mod=mod")
                .env("GOTOOLCHAIN", "local")
                .env("GIT_CONFIG_COUNT", "1")
                .env(
                    "GIT_CONFIG_KEY_0",
                    format!("url.{}.insteadOf", self.server.url()),
                )
                .env("GIT_CONFIG_VALUE_0", "https://example.test/")
                .env("SSH_AUTH_SOCK", &self.server.agent_socket)
                .env(
                    "GIT_SSH_COMMAND",
                    format!(
                        "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes \
                         -o UserKnownHostsFile={}",
                        known_hosts.display()
                    ),
                );
            go
        };
        let tidy = cmd::run(&mut go(&["mod", "tidy"]));
        // The module cache is read-only; go removes it.
        cmd::run(&mut go(&["clean", "-modcache"]))?;
        tidy.context("go mod tidy of the app on the host, over the test's sshd")?;
        let sums = self.app.read("go.sum")?;
        ensure!(
            sums.contains("example.test/private/sshgreet-"),
            "go.sum has no line for the private module:\n{sums}"
        );
        Ok(())
    }

    /// Writes gostage.yaml, with `modules.known_hosts` holding `known_hosts` when given.
    fn write_spec(&self, known_hosts: Option<&str>) -> Result<()> {
        let mut spec = self.spec.clone();
        if let Some(line) = known_hosts {
            spec.push_str(&format!("  known_hosts: |\n    {line}\n"));
        }
        self.app.write(SPEC, &spec)
    }

    /// Builds the app on buildkitd (buildctl) as `name` with `options`, with an SBOM and a
    /// full provenance attestation; returns the client's output and what sshd logged during
    /// the build.
    fn build(&self, name: &str, options: &Options) -> Result<(Output, String)> {
        let before = self.server.log().len();
        let mut command = Daemon::Buildctl.command(&self.app.path, SPEC, name, options)?;
        command.args(["--opt", "attest:provenance=mode=max"]);
        let output = cmd::run_any(&mut command)?;
        let log = self.server.log();
        Ok((output, log.get(before..).unwrap_or_default().to_string()))
    }

    fn agent(&self) -> Option<String> {
        Some(format!("default={}", self.server.agent_socket.display()))
    }
}

/// The lines of the private key file's body: each would show a leak of the key.
fn private_key_lines(server: &GitSshServer) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(&server.private_key)?;
    let lines: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with("-----") && line.len() >= 16)
        .map(str::to_string)
        .collect();
    ensure!(!lines.is_empty(), "no key body in {text}");
    Ok(lines)
}

fn expect_failure(output: &Output, sshd: &str, case: &str) -> Result<()> {
    ensure!(
        !output.success(),
        "{case}: the build succeeded\n{}",
        output.describe()
    );
    ensure!(
        output.combined().contains(NO_PROTOCOL),
        "{case}: no `{NO_PROTOCOL}` in the build output\n{}",
        output.describe()
    );
    ensure!(!sshd.is_empty(), "{case}: the build never reached sshd");
    let error = output
        .combined()
        .lines()
        .find(|line| line.contains(NO_PROTOCOL))
        .unwrap_or_default()
        .to_string();
    println!("{case}: build failed with {error:?}; sshd logged:\n{sshd}");
    Ok(())
}

#[test]
fn private_module_over_ssh_needs_the_agent_and_a_known_host_key() -> Result<()> {
    if !enabled() {
        return Ok(());
    }
    let fixture = Fixture::set_up()?;
    let key_lines = private_key_lines(&fixture.server)?;
    let right = fixture.server.known_hosts()?;
    let mut logs = Vec::new();

    // Host key from the spec, no agent: sshd accepts the connection (the host key checked
    // out) and refuses the authentication.
    fixture.write_spec(Some(&right))?;
    let (output, sshd) = fixture.build("private-ssh-no-agent", &Options::default())?;
    expect_failure(&output, &sshd, "without --ssh")?;
    ensure!(
        sshd.contains(AUTHENTICATION_REFUSED),
        "without --ssh: sshd did not refuse an authentication:\n{sshd}"
    );
    logs.push(output.combined());

    let with_agent = Options {
        ssh: fixture.agent(),
        ..Options::default()
    };
    // A wrong host key in the spec, and no host key at all: ssh hangs up before
    // authenticating, with the agent at hand.
    for (case, known_hosts) in [
        (
            "a wrong known_hosts",
            Some(fixture.server.wrong_known_hosts()?),
        ),
        ("no known_hosts", None),
    ] {
        fixture.write_spec(known_hosts.as_deref())?;
        let (output, sshd) = fixture.build("private-ssh-host-key", &with_agent)?;
        expect_failure(&output, &sshd, case)?;
        ensure!(
            sshd.contains(CLOSED_BEFORE_AUTHENTICATION) && !sshd.contains("authenticating user"),
            "{case}: the client did not stop at the host key:\n{sshd}"
        );
        logs.push(output.combined());
    }

    // The agent and the host key from the secret `known_hosts`: the module is fetched.
    fixture.write_spec(None)?;
    let known_hosts_file = fixture.server.dir.join("known_hosts");
    let options = Options {
        ssh: fixture.agent(),
        secrets: vec![format!("id=known_hosts,src={}", known_hosts_file.display())],
        sbom: true,
        ..Options::default()
    };
    let (output, sshd) = fixture.build("private-ssh", &options)?;
    ensure!(
        output.success(),
        "the build with --ssh and the known_hosts secret failed\n{}\nsshd:\n{sshd}",
        output.describe()
    );
    ensure!(
        sshd.contains("Accepted publickey for"),
        "the build fetched the module without authenticating to sshd:\n{sshd}"
    );
    logs.push(output.combined());
    let image = Daemon::Buildctl.image_ref("private-ssh");
    cmd::docker(&["pull", "-q", &image])?;
    let printed = cmd::docker(&["run", "--rm", &image])?;
    ensure!(
        printed.trim() == GREETING,
        "the image printed {printed:?}, not {GREETING:?}"
    );

    let needles: Vec<&str> = key_lines.iter().map(String::as_str).collect();
    let leaks = blobs_holding(&image, &needles)?;
    ensure!(
        leaks.is_empty(),
        "the private key is in blobs of {image}: {leaks:?}"
    );
    for log in &logs {
        for line in &key_lines {
            ensure!(
                !log.contains(line.as_str()),
                "the private key is in the progress output"
            );
        }
    }
    Ok(())
}
