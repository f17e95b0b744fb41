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
mod tests {
    use bollard_buildkit_proto::pb;

    use super::super::tests::{execs, meta, ops, planned, spec, syntax_request};
    use super::*;
    use crate::spec::{Spec, SshHost};
    use crate::vocabulary::{BuildRequest, Located, Span};

    const KNOWN_HOSTS: &str =
        "a.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINkDEB6eeEyXFe/TENTHtaai6x7kegPEpSVBHWUNaEvq\n";

    fn host(host: &str, url: &str, line: u32) -> SshHost {
        let at = Span { line, column: 13 };
        SshHost {
            host: Located::new(host.to_string(), at),
            url: Located::new(url.to_string(), at),
        }
    }

    fn with_ssh_hosts() -> Spec {
        let mut spec = spec(&["linux/amd64"]);
        spec.modules = Modules {
            span: Some(Span { line: 7, column: 1 }),
            ssh: vec![
                host("a.test", "git@a.test:", 9),
                host("b.test", "ssh://git@127.0.0.1:2222/srv/", 10),
            ],
            known_hosts: Some(Located::new(
                KNOWN_HOSTS.to_string(),
                Span {
                    line: 13,
                    column: 5,
                },
            )),
        };
        spec
    }

    /// The download and compile steps of `spec`'s plan.
    fn steps(spec: &Spec, request: &BuildRequest) -> Vec<(String, pb::ExecOp)> {
        let plan = planned(spec, request);
        execs(&plan.platforms[0].filesystem)
            .into_iter()
            .filter(|(name, _, _)| name == "go mod download" || name.starts_with("go build"))
            .map(|(name, _, exec)| (name, exec))
            .collect()
    }

    fn download(spec: &Spec, request: &BuildRequest) -> pb::ExecOp {
        steps(spec, request)
            .into_iter()
            .find(|(name, _)| name == "go mod download")
            .map(|(_, exec)| exec)
            .unwrap_or_else(|| panic!("no go mod download step"))
    }

    fn env_value(exec: &pb::ExecOp, key: &str) -> Option<String> {
        let prefix = format!("{key}=");
        meta(exec)
            .env
            .iter()
            .find_map(|entry| entry.strip_prefix(&prefix).map(str::to_string))
    }

    #[test]
    fn the_download_step_rewrites_the_hosts_to_ssh_and_checks_host_keys() {
        let mut request = syntax_request();
        request
            .build_args
            .insert("GOPRIVATE".into(), "corp.example".into());
        let exec = download(&with_ssh_hosts(), &request);
        let expected = [
            ("GIT_CONFIG_COUNT", "2"),
            ("GIT_CONFIG_KEY_0", "url.git@a.test:.insteadOf"),
            ("GIT_CONFIG_VALUE_0", "https://a.test/"),
            (
                "GIT_CONFIG_KEY_1",
                "url.ssh://git@127.0.0.1:2222/srv/.insteadOf",
            ),
            ("GIT_CONFIG_VALUE_1", "https://b.test/"),
            ("GOPRIVATE", "corp.example,a.test,b.test"),
            ("SSH_AUTH_SOCK", SSH_AGENT_SOCKET),
            (
                "GIT_SSH_COMMAND",
                "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes \
                 -o 'UserKnownHostsFile=/run/gostage/ssh/known_hosts /run/secrets/known_hosts'",
            ),
        ];
        for (key, value) in expected {
            assert_eq!(env_value(&exec, key).as_deref(), Some(value), "{key}");
        }
        // Set only when the build sets them: they replace GOPRIVATE's defaults.
        assert_eq!(env_value(&exec, "GONOSUMDB"), None);
        let env = meta(&exec).env;
        assert_eq!(
            env.iter()
                .filter(|entry| entry.starts_with("GOPRIVATE="))
                .count(),
            1,
            "{env:?}"
        );

        let mount = |kind: pb::MountType, dest: &str| {
            exec.mounts
                .iter()
                .find(|mount| mount.mount_type == kind as i32 && mount.dest == dest)
                .cloned()
                .unwrap_or_else(|| panic!("no {kind:?} mount at {dest} in {:?}", exec.mounts))
        };
        let agent = mount(pb::MountType::Ssh, SSH_AGENT_SOCKET);
        assert_eq!(agent.dest, SSH_AGENT_SOCKET);
        let options = agent.ssh_opt.unwrap_or_default();
        assert_eq!(
            (options.id.as_str(), options.optional, options.mode),
            ("default", true, 0o600)
        );
        let secret = mount(pb::MountType::Secret, KNOWN_HOSTS_SECRET);
        let options = secret.secret_opt.unwrap_or_default();
        assert_eq!(
            (options.id.as_str(), options.optional, options.mode),
            ("known_hosts", true, 0o400)
        );
        let spec_file = exec
            .mounts
            .iter()
            .find(|mount| mount.dest == SPEC_KNOWN_HOSTS_DIR)
            .unwrap_or_else(|| panic!("no known_hosts mount in {:?}", exec.mounts));
        assert!(spec_file.readonly);
    }

    #[test]
    fn the_spec_known_hosts_are_a_file_and_nothing_else_gets_ssh() {
        let spec = with_ssh_hosts();
        let plan = planned(&spec, &syntax_request());
        let written: Vec<Vec<u8>> = ops(&plan.platforms[0].filesystem)
            .into_iter()
            .filter(|(name, _)| name == "write modules.known_hosts")
            .filter_map(|(_, op)| match op.op {
                Some(pb::op::Op::File(file)) => Some(file),
                _ => None,
            })
            .flat_map(|file| file.actions)
            .filter_map(|action| match action.action {
                Some(pb::file_action::Action::Mkfile(file)) => Some(file.data),
                _ => None,
            })
            .collect();
        assert_eq!(written, [KNOWN_HOSTS.as_bytes().to_vec()]);
        for (name, exec) in steps(&spec, &syntax_request()) {
            if name == "go mod download" {
                continue;
            }
            let types: Vec<i32> = exec.mounts.iter().map(|mount| mount.mount_type).collect();
            assert!(
                !types.contains(&(pb::MountType::Ssh as i32))
                    && !types.contains(&(pb::MountType::Secret as i32)),
                "{name}: {types:?}"
            );
            assert_eq!(env_value(&exec, "SSH_AUTH_SOCK"), None, "{name}");
        }
    }

    #[test]
    fn without_known_hosts_in_the_spec_only_the_secret_is_read() {
        let mut spec = with_ssh_hosts();
        spec.modules.known_hosts = None;
        let mut request = syntax_request();
        request
            .build_args
            .insert("GONOSUMDB".into(), "x.test".into());
        let exec = download(&spec, &request);
        assert_eq!(
            env_value(&exec, "GIT_SSH_COMMAND").as_deref(),
            Some(
                "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes \
                 -o 'UserKnownHostsFile=/run/secrets/known_hosts'"
            )
        );
        assert_eq!(
            env_value(&exec, "GONOSUMDB").as_deref(),
            Some("x.test,a.test,b.test")
        );
        assert!(exec
            .mounts
            .iter()
            .all(|mount| mount.dest != SPEC_KNOWN_HOSTS_DIR));
    }

    #[test]
    fn without_modules_the_download_step_has_no_ssh() {
        let exec = download(&spec(&["linux/amd64"]), &syntax_request());
        // Only the netrc secret (plan/netrc.rs), no agent and no known_hosts.
        assert!(exec.mounts.iter().all(|mount| mount.ssh_opt.is_none()
            && mount
                .secret_opt
                .as_ref()
                .is_none_or(|secret| secret.id == "netrc")));
        let env = meta(&exec).env;
        assert!(
            env.iter()
                .all(|entry| !entry.starts_with("GIT_") && !entry.starts_with("SSH_")),
            "{env:?}"
        );
    }

    #[test]
    fn hints_name_the_flags_the_hosts_and_the_spec_line() {
        let hints = ssh_failure_hints(&with_ssh_hosts().modules, "gostage.yaml");
        let patterns: Vec<&str> = hints.iter().map(|(pattern, _)| *pattern).collect();
        assert_eq!(
            patterns,
            [
                "Permission denied (publickey)",
                "Host key verification failed",
                "could not read Username",
                "no secure protocol found for repository"
            ]
        );
        for (_, hint) in &hints {
            assert!(
                hint.contains("gostage.yaml:7: `modules.ssh` lists a.test, b.test"),
                "{hint}"
            );
        }
        assert!(hints[0].1.contains("--ssh default"));
        assert!(hints[1].1.contains("--secret id=known_hosts"));
        assert!(hints[1].1.contains("modules.known_hosts"));
        assert!(hints[3].1.contains("--ssh default") && hints[3].1.contains("id=known_hosts"));
        let without = ssh_failure_hints(&Modules::default(), "build/app.yaml");
        assert!(without[2]
            .1
            .contains("`modules.ssh` in build/app.yaml lists no host"));
    }
}
