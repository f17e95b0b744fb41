//! A git server over SSH on 127.0.0.1 for the private-module tests: Debian's `sshd` with its
//! own host key, configuration and authorized key in a temporary directory, bare repositories
//! under it, and an `ssh-agent` that holds the client key. buildkitd's OCI worker runs steps
//! with network in the host's network namespace, so build steps reach it.

use anyhow::{bail, Context, Result};
use gostage_support::wait::wait_until;
use gostage_support::{cmd, temporary};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

/// sshd of the openssh-server package (`cargo xtask up` installs it); it must be started by
/// its absolute path, since it re-executes itself.
const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd and ssh-agent; both are stopped and the directory removed when dropped.
pub struct GitSshServer {
    /// Everything of this server: keys, configuration, repositories, log, agent socket.
    pub dir: PathBuf,
    /// The port sshd listens on at 127.0.0.1.
    pub port: u16,
    /// The agent's socket, for `--ssh default=<socket>` and `SSH_AUTH_SOCK`.
    pub agent_socket: PathBuf,
    /// The client's private key file, in OpenSSH format.
    pub private_key: PathBuf,
    user: String,
    sshd: Child,
    agent: Child,
    /// Removes [`Self::dir`] when dropped, after sshd and the agent have stopped.
    _directory: TempDir,
}

impl GitSshServer {
    /// Makes the keys, starts sshd on a free port and an agent holding the client key.
    pub fn start() -> Result<GitSshServer> {
        let directory = temporary::directory("gostage-git-ssh")?;
        let dir = directory.path().to_path_buf();
        std::fs::create_dir_all(dir.join("repos"))?;
        for (name, comment) in [
            ("host_key", "gostage-test-host"),
            ("client_key", "gostage-test"),
        ] {
            keygen(&dir.join(name), comment)?;
        }
        std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys"))?;
        let port = free_port()?;
        let user = cmd::output(Command::new("id").arg("-un"))?
            .trim()
            .to_string();
        // StrictModes would reject the temp directory's parents (/tmp is world-writable).
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_key\n\
             AuthorizedKeysFile {dir}/authorized_keys\nAllowUsers {user}\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nPidFile none\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config)?;
        // sshd's privilege separation directory (Debian's service creates it at boot).
        std::fs::create_dir_all("/run/sshd")?;
        let log = std::fs::File::create(dir.join("sshd.log"))?;
        let sshd = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {SSHD} (is openssh-server installed?)"))?;
        let agent_socket = dir.join("agent.sock");
        let agent = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&agent_socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting ssh-agent")?;
        let server = GitSshServer {
            private_key: dir.join("client_key"),
            dir,
            port,
            agent_socket,
            user,
            sshd,
            agent,
            _directory: directory,
        };
        server.wait_until_ready()?;
        cmd::run(
            Command::new("ssh-add")
                .arg("-q")
                .arg(&server.private_key)
                .env("SSH_AUTH_SOCK", &server.agent_socket),
        )?;
        Ok(server)
    }

    fn wait_until_ready(&self) -> Result<()> {
        wait_until(
            "sshd to listen and ssh-agent to make its socket",
            Duration::from_secs(10),
            Duration::from_millis(50),
            || {
                let listening = TcpStream::connect(("127.0.0.1", self.port)).is_ok();
                Ok((listening, self.agent_socket.exists()))
            },
            |&(listening, agent)| listening && agent,
        )
        .with_context(|| format!("sshd or ssh-agent did not start; sshd log:\n{}", self.log()))?;
        Ok(())
    }

    /// The SSH URL of the repository directory: `ssh://<user>@127.0.0.1:<port><dir>/repos/`;
    /// a repository made by [`Self::add_repository`] with `path` is `<url><path>.git`.
    pub fn url(&self) -> String {
        format!(
            "ssh://{}@127.0.0.1:{}{}/",
            self.user,
            self.port,
            self.dir.join("repos").display()
        )
    }

    /// The server's host key as a `known_hosts` line for `[127.0.0.1]:<port>`.
    pub fn known_hosts(&self) -> Result<String> {
        known_hosts_line(self.port, &self.dir.join("host_key.pub"))
    }

    /// A `known_hosts` line for the same address with a key the server does not have.
    pub fn wrong_known_hosts(&self) -> Result<String> {
        let other = self.dir.join("other_host_key");
        if !other.exists() {
            keygen(&other, "not-the-server")?;
        }
        known_hosts_line(self.port, &self.dir.join("other_host_key.pub"))
    }

    /// Makes the bare repository `<dir>/repos/<path>.git` holding `files` (relative path,
    /// contents) in one commit tagged `tag`.
    pub fn add_repository(&self, path: &str, files: &[(String, String)], tag: &str) -> Result<()> {
        let work = self.dir.join("work").join(path);
        std::fs::create_dir_all(&work)?;
        for (name, contents) in files {
            std::fs::write(work.join(name), contents)?;
        }
        let git = |args: &[&str]| -> Result<()> {
            cmd::run(
                Command::new("git")
                    .args([
                        "-c",
                        "user.name=gostage",
                        "-c",
                        "user.email=e2e@gostage.test",
                    ])
                    .args(args)
                    .current_dir(&work),
            )?;
            Ok(())
        };
        git(&["init", "-q"])?;
        git(&["add", "."])?;
        git(&["commit", "-q", "-m", "the module"])?;
        git(&["tag", tag])?;
        let bare = self.dir.join("repos").join(format!("{path}.git"));
        git(&["clone", "-q", "--bare", ".", &bare.to_string_lossy()])?;
        Ok(())
    }

    /// What sshd logged so far (`-e`: to its stderr, kept in a file).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for GitSshServer {
    fn drop(&mut self) {
        let _ = self.sshd.kill();
        let _ = self.sshd.wait();
        let _ = self.agent.kill();
        let _ = self.agent.wait();
    }
}

/// A new ed25519 key pair at `path` and `path.pub`, without a passphrase.
fn keygen(path: &Path, comment: &str) -> Result<()> {
    cmd::run(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
            .arg(path),
    )?;
    Ok(())
}

/// `[127.0.0.1]:<port> <keytype> <key>` from a `.pub` file.
fn known_hosts_line(port: u16, public_key: &Path) -> Result<String> {
    let text = std::fs::read_to_string(public_key)?;
    let fields: Vec<&str> = text.split_whitespace().take(2).collect();
    if fields.len() != 2 {
        bail!("{} is not a public key: {text}", public_key.display());
    }
    Ok(format!("[127.0.0.1]:{port} {}", fields.join(" ")))
}

/// A port nothing listens on now (the kernel picks it; sshd binds it right after).
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
