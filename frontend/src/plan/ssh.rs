//! Private modules fetched with git over SSH (`modules.ssh`): what the `go mod download` step
//! needs besides the module cache, and the hints for its SSH failures.
//!
//! For each host, git rewrites `https://<host>/` to the host's SSH URL, Go fetches the host's
//! modules directly (the host is added to `GOPRIVATE`), and ssh uses the client's agent
//! (`--ssh default`) and checks host keys against the spec's `known_hosts` and the optional
//! secret `known_hosts`. Host key checking is never turned off. Nothing secret is written
//! into the graph: the agent socket and the secret are mounts that leave nothing behind.

use super::Planner;
use crate::llb::{Constraints, Exec, FileOp};
use crate::spec::Modules;

/// Where the client's SSH agent socket is mounted (the Go client's default for the first SSH
/// mount, `client/llb/exec.go`); `SSH_AUTH_SOCK` points at it.
pub const SSH_AGENT_SOCKET: &str = "/run/buildkit/ssh_agent.0";
/// The SSH agent the step uses: `--ssh default` (BuildKit's id for a bare `--ssh default`).
pub const SSH_AGENT_ID: &str = "default";
/// Where the optional secret `known_hosts` (`--secret id=known_hosts,src=…`) is mounted.
pub const KNOWN_HOSTS_SECRET: &str = "/run/secrets/known_hosts";
/// The id of that secret.
pub const KNOWN_HOSTS_SECRET_ID: &str = "known_hosts";
/// The directory holding the spec's `modules.known_hosts` as the file `known_hosts`.
const SPEC_KNOWN_HOSTS_DIR: &str = "/run/gostage/ssh";

/// Environment for the download step, to pass after the build-args (empty without
/// `modules.ssh`):
/// - `GIT_CONFIG_COUNT`, `GIT_CONFIG_KEY_<n>`, `GIT_CONFIG_VALUE_<n>`: git configuration from
///   the environment (git ≥ 2.31, `git help config`, ENVIRONMENT), one
///   `url.<ssh url>.insteadOf = https://<host>/` per host, so the `https://` URLs Go tries
///   become SSH URLs;
/// - `GOPRIVATE` with the hosts appended to the one the build-args or the builder image set,
///   so Go fetches them directly, without the module proxy or the checksum database
///   (`go help private`); `GONOPROXY` and `GONOSUMDB` too when set, since they then replace
///   GOPRIVATE's defaults;
/// - `SSH_AUTH_SOCK` = [`SSH_AGENT_SOCKET`];
/// - `GIT_SSH_COMMAND`: ssh in batch mode (never prompts) with `StrictHostKeyChecking=yes`
///   and `UserKnownHostsFile` listing the spec's known hosts (when written) and the secret's
///   mount (ssh skips a file that does not exist).
pub(super) fn environment(planner: Planner<'_>) -> Vec<(String, String)> {
    let modules = &planner.spec.modules;
    if modules.ssh.is_empty() {
        return Vec::new();
    }
    let mut environment = vec![(
        "GIT_CONFIG_COUNT".to_string(),
        modules.ssh.len().to_string(),
    )];
    for (index, host) in modules.ssh.iter().enumerate() {
        environment.push((
            format!("GIT_CONFIG_KEY_{index}"),
            format!("url.{}.insteadOf", host.url.value),
        ));
        environment.push((
            format!("GIT_CONFIG_VALUE_{index}"),
            format!("https://{}/", host.host.value),
        ));
    }
    let hosts: Vec<&str> = modules
        .ssh
        .iter()
        .map(|host| host.host.value.as_str())
        .collect();
    for name in ["GOPRIVATE", "GONOPROXY", "GONOSUMDB"] {
        let current = current_value(planner, name);
        if name != "GOPRIVATE" && current.is_none() {
            continue;
        }
        let value = current
            .into_iter()
            .chain(hosts.iter().map(|host| host.to_string()))
            .collect::<Vec<_>>()
            .join(",");
        environment.push((name.to_string(), value));
    }
    environment.push(("SSH_AUTH_SOCK".to_string(), SSH_AGENT_SOCKET.to_string()));
    let mut known_hosts_files = Vec::new();
    if modules.known_hosts.is_some() {
        known_hosts_files.push(format!("{SPEC_KNOWN_HOSTS_DIR}/known_hosts"));
    }
    known_hosts_files.push(KNOWN_HOSTS_SECRET.to_string());
    environment.push((
        "GIT_SSH_COMMAND".to_string(),
        format!(
            "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o 'UserKnownHostsFile={}'",
            known_hosts_files.join(" ")
        ),
    ));
    environment
}

/// The value of the Go setting `name` the step would otherwise see: the build-arg, else the
/// builder image's `Env`.
fn current_value(planner: Planner<'_>, name: &str) -> Option<String> {
    if let Some(value) = planner.request.build_arg(name) {
        return Some(value.to_string());
    }
    let prefix = format!("{name}=");
    planner
        .builder
        .env()
        .into_iter()
        .find_map(|entry| entry.strip_prefix(&prefix).map(str::to_string))
        .filter(|value| !value.is_empty())
}

/// Adds the download step's mounts (none without `modules.ssh`): the client's SSH agent
/// `default` and the secret `known_hosts`, both optional so that a build that needs neither
/// (every module already in the cache) works without them, and the spec's `known_hosts`,
/// read-only.
pub(super) fn mount(planner: Planner<'_>, exec: &mut Exec) {
    let modules = &planner.spec.modules;
    if modules.ssh.is_empty() {
        return;
    }
    exec.ssh(SSH_AGENT_SOCKET, SSH_AGENT_ID, true);
    exec.secret(KNOWN_HOSTS_SECRET, KNOWN_HOSTS_SECRET_ID, true);
    if let Some(known_hosts) = &modules.known_hosts {
        let mut text = known_hosts.value.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let file = FileOp::on(None)
            .mkfile("/known_hosts", 0o444, text.as_bytes(), 0)
            .build(
                &Constraints::default().line(known_hosts.span.line),
                "write modules.known_hosts",
            );
        exec.readonly(SPEC_KNOWN_HOSTS_DIR, &file);
    }
}

/// What to say when the download step's output shows an SSH failure: pairs of a text git,
/// ssh or Go prints (`Permission denied (publickey)`, `Host key verification failed`,
/// `could not read Username`, `no secure protocol found for repository`) and the hint for
/// it, naming the flags to pass and the spec's `modules` keys (with `<spec_file>:LINE` of
/// `modules:` when it is written; `spec_file` is the build file's name, e.g. `gostage.yaml`).
///
/// For a module path that names its repository (`host/org/repo.git`), Go tries each
/// protocol with `git ls-remote` and shows none of git's errors, only
/// `no secure protocol found for repository` (`cmd/go/internal/vcs/vcs.go`,
/// `repoRootFromVCSPaths`, whose pings print only with `-v`); its hint covers every cause.
pub fn ssh_failure_hints(modules: &Modules, spec_file: &str) -> Vec<(&'static str, String)> {
    let hosts: Vec<&str> = modules
        .ssh
        .iter()
        .map(|host| host.host.value.as_str())
        .collect();
    let spec = match modules.span {
        Some(span) => format!("{spec_file}:{}: `modules.ssh`", span.line),
        None => format!("`modules.ssh` in {spec_file}"),
    };
    let known_hosts = "give their host keys in `modules.known_hosts` (the output of \
                       `ssh-keyscan <host>`) or with `--secret id=known_hosts,src=$HOME/.ssh/known_hosts`";
    let listed = if hosts.is_empty() {
        format!("{spec} lists no host")
    } else {
        format!("{spec} lists {}", hosts.join(", "))
    };
    vec![
        (
            "Permission denied (publickey)",
            format!(
                "the SSH server refused the key: build with `--ssh default` and an agent that \
                 holds a key the server accepts (`ssh-add -l` lists them); {listed}"
            ),
        ),
        (
            "Host key verification failed",
            format!(
                "ssh could not check the server's host key: {known_hosts}; {listed}; host key \
                 checking stays on"
            ),
        ),
        (
            "could not read Username",
            format!(
                "git tried HTTPS without credentials: list the module's host under \
                 `modules.ssh` (e.g. `- host: git.example.com`) to fetch it over SSH with \
                 `--ssh default`, or pass `--secret id=netrc,src=$HOME/.netrc` for HTTPS; \
                 {listed}"
            ),
        ),
        (
            "no secure protocol found for repository",
            format!(
                "git could not fetch the repository over HTTPS or SSH: for SSH, list its host \
                 under `modules.ssh`, build with `--ssh default` and an agent that holds a key \
                 the server accepts, and {known_hosts}; {listed}"
            ),
        ),
    ]
}

#[cfg(test)]
mod tests;
