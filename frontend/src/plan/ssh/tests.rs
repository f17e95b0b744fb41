//! Modules over SSH: the download step's agent, known hosts and git configuration.

use bollard_buildkit_proto::pb;

use super::super::test_support::{execs, meta, ops, planned, spec, syntax_request};
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
