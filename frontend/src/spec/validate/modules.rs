//! `modules:` → where private modules come from: the hosts git fetches over SSH, their URLs
//! and their known host keys.

use super::{check, known_hosts};
use crate::spec::model::{Modules, SshHost};
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::spec::spanned::Spanned;
use crate::spec::tree::Node;
use crate::vocabulary::{Diagnostic, Located, Problem};

/// Checks `modules:`. `text` is the spec file, to place an error in `known_hosts` at its line.
pub(super) fn validate(
    modules: Option<Spanned<raw::Modules>>,
    document: &Node,
    text: &str,
) -> Result<Modules, Diagnostic> {
    let Some(modules) = modules else {
        return Ok(Modules::default());
    };
    let section = FieldPath::root().key("modules");
    let mut validated = Modules {
        span: Some(document.key_span(&section).unwrap_or(modules.span)),
        ..Modules::default()
    };
    let modules = modules.value;
    let list = section.key("ssh");
    for (index, entry) in modules.ssh.unwrap_or_default().into_iter().enumerate() {
        let item = list.index(index);
        let host_path = item.key("host");
        let host = check(&entry.host, &host_path, ssh_host)?;
        if let Some(earlier) = validated
            .ssh
            .iter()
            .position(|known| known.host.value == host)
        {
            return Err(Diagnostic::new(
                entry.host.span,
                format!(
                    "`{host_path}` is `{host}` again, like `{}`",
                    list.index(earlier).key("host")
                ),
            )
            .with_help("list each host once"));
        }
        let url = match entry.url {
            Some(url) => {
                check(&url, &item.key("url"), ssh_url)?;
                url.located()
            }
            None => Located::new(format!("git@{host}:"), entry.host.span),
        };
        validated.ssh.push(SshHost {
            host: Located::new(host, entry.host.span),
            url,
        });
    }
    if let Some(known_hosts) = modules.known_hosts {
        let path = section.key("known_hosts");
        if validated.ssh.is_empty() {
            return Err(Diagnostic::new(
                known_hosts.span,
                format!("`{path}` is set, but `{list}` lists no host"),
            )
            .with_help("list the hosts fetched with git over SSH under `modules.ssh`, e.g. `- host: git.example.com`"));
        }
        known_hosts::check(&known_hosts, &path, text)?;
        validated.known_hosts = Some(known_hosts.located());
    }
    Ok(validated)
}

/// A host name as module paths start with it: lower-case letters, digits, `.` and `-`
/// (Go's rule for a module path's first element, `golang.org/x/mod/module.CheckPath`).
fn ssh_host(text: &str) -> Result<String, Problem> {
    let without_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    let without_user = without_scheme
        .rsplit_once('@')
        .map_or(without_scheme, |(_, host)| host);
    let bare = without_user.split(['/', ':']).next().unwrap_or_default();
    let write = format!("write the host name alone: `{}`", bare.to_ascii_lowercase());
    if text.is_empty() {
        return Err(Problem::new(
            "is empty",
            "write the host name that starts the module paths, e.g. `git.example.com`",
        ));
    }
    if text.contains("://") {
        return Err(Problem::new(
            "has a scheme",
            format!("{write}; put an SSH URL in `url`"),
        ));
    }
    if text.contains('@') {
        return Err(Problem::new(
            "has a user name",
            format!("{write}; put the user in `url`, e.g. `url: git@{bare}:`"),
        ));
    }
    if text.contains('/') {
        return Err(Problem::new(
            "has a path",
            format!("{write}; every module under it is fetched over SSH"),
        ));
    }
    if text.contains(':') {
        return Err(Problem::new(
            "has a port",
            format!("{write}; put the port in `url`, e.g. `url: ssh://git@{bare}:2222/`"),
        ));
    }
    if text.chars().any(|character| character.is_ascii_uppercase()) {
        return Err(Problem::new(
            "has upper-case letters",
            format!("module paths start with a lower-case host: {write}"),
        ));
    }
    let valid = text
        .chars()
        .all(|character| character.is_ascii_alphanumeric() || matches!(character, '.' | '-'))
        && !text.starts_with(['.', '-']);
    if !valid {
        return Err(Problem::new(
            format!("is not a host name: `{text}`"),
            "use letters, digits, `.` and `-`, e.g. `git.example.com`",
        ));
    }
    Ok(text.to_string())
}

/// The URL git uses instead of `https://<host>/`: `ssh://[user@]host[:port]/[path/]` or the
/// scp form `user@host:[path/]`. It must end with `/` or `:`, because git replaces the
/// prefix and appends the rest of the module's path.
fn ssh_url(text: &str) -> Result<(), Problem> {
    const FORMS: &str = "write `ssh://git@git.example.com/` or `git@git.example.com:`";
    if text.chars().any(char::is_whitespace) || text.is_empty() {
        return Err(Problem::new(format!("is not an SSH URL: `{text}`"), FORMS));
    }
    if let Some(rest) = text.strip_prefix("ssh://") {
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() || authority.ends_with('@') || authority.ends_with(':') {
            return Err(Problem::new(format!("has no host: `{text}`"), FORMS));
        }
        if !text.ends_with('/') {
            return Err(Problem::new(
                "does not end with `/`",
                format!("write `{text}/`: git appends the module's path to it"),
            ));
        }
        return Ok(());
    }
    if let Some((scheme, _)) = text.split_once("://") {
        return Err(Problem::new(
            format!("has the scheme `{scheme}`, not `ssh`"),
            FORMS,
        ));
    }
    let Some((user, rest)) = text.split_once('@') else {
        return Err(Problem::new(
            format!("is not an SSH URL: `{text}`"),
            format!("{FORMS}; the scp form needs a user: `git@{text}`"),
        ));
    };
    let Some((host, path)) = rest.split_once(':') else {
        return Err(Problem::new(
            "has no `:` after the host",
            format!("write `{text}:`: git appends the module's path to it"),
        ));
    };
    if user.is_empty() || host.is_empty() || host.contains('/') {
        return Err(Problem::new(format!("is not an SSH URL: `{text}`"), FORMS));
    }
    if !path.is_empty() && !path.ends_with('/') {
        return Err(Problem::new(
            "does not end with `:` or `/`",
            format!("write `{text}/`: git appends the module's path to it"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::spec::model::{Modules, SshHost};
    use crate::spec::testing::{assert_error, help, parse_ok};
    use crate::vocabulary::{Located, Span};

    /// A real ed25519 public key (from `ssh-keygen`; its private half was thrown away).
    const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAINkDEB6eeEyXFe/TENTHtaai6x7kegPEpSVBHWUNaEvq";

    fn at(line: u32, column: u32) -> Span {
        Span { line, column }
    }

    #[test]
    fn reads_hosts_urls_and_known_hosts() {
        let text = format!(
            "version: 1
modules:
  ssh:
    - host: git.example.com
    - host: code.example.org
      url: ssh://git@127.0.0.1:2222/srv/git/
  known_hosts: |
    # from ssh-keyscan
    git.example.com ssh-ed25519 {KEY}
    [127.0.0.1]:2222,code.example.org ssh-ed25519 {KEY} comment
"
        );
        let modules = parse_ok(&text).modules;
        assert_eq!(
            modules,
            Modules {
                span: Some(at(2, 1)),
                ssh: vec![
                    SshHost {
                        host: Located::new("git.example.com".into(), at(4, 13)),
                        url: Located::new("git@git.example.com:".into(), at(4, 13)),
                    },
                    SshHost {
                        host: Located::new("code.example.org".into(), at(5, 13)),
                        url: Located::new("ssh://git@127.0.0.1:2222/srv/git/".into(), at(6, 12)),
                    },
                ],
                known_hosts: modules.known_hosts.clone(),
            }
        );
        let known_hosts = modules.known_hosts.map(|known| known.value);
        assert_eq!(
            known_hosts.as_deref().map(|text| text.lines().count()),
            Some(3)
        );
        assert_eq!(parse_ok("version: 1\n").modules, Modules::default());
    }

    #[test]
    fn hosts_are_plain_host_names() {
        let diagnostic = assert_error(
            "version: 1\nmodules:\n  ssh:\n    - host: https://git.example.com/org\n",
            4,
            13,
            "`modules.ssh[0].host` has a scheme",
        );
        assert!(
            help(&diagnostic).starts_with("write the host name alone: `git.example.com`"),
            "{diagnostic:?}"
        );
        let diagnostic = assert_error(
            "version: 1\nmodules:\n  ssh:\n    - host: git.example.com:2222\n",
            4,
            13,
            "`modules.ssh[0].host` has a port",
        );
        assert!(help(&diagnostic).contains("`url: ssh://git@git.example.com:2222/`"));
        assert_error(
            "version: 1\nmodules:\n  ssh:\n    - host: git@git.example.com\n",
            4,
            13,
            "`modules.ssh[0].host` has a user name",
        );
        assert_error(
            "version: 1\nmodules:\n  ssh:\n    - host: git.example.com/org\n",
            4,
            13,
            "`modules.ssh[0].host` has a path",
        );
        assert_error(
            "version: 1\nmodules:\n  ssh:\n    - host: Git.Example.com\n",
            4,
            13,
            "`modules.ssh[0].host` has upper-case letters",
        );
        assert_error(
            "version: 1\nmodules:\n  ssh:\n    - host: a.test\n    - host: a.test\n",
            5,
            13,
            "`modules.ssh[1].host` is `a.test` again, like `modules.ssh[0].host`",
        );
    }

    #[test]
    fn urls_are_ssh_urls_that_end_where_the_path_goes() {
        let spec = |url: &str| {
            format!("version: 1\nmodules:\n  ssh:\n    - host: a.test\n      url: \"{url}\"\n")
        };
        for good in [
            "git@a.test:",
            "git@a.test:org/",
            "ssh://a.test/",
            "ssh://git@a.test:22/x/",
        ] {
            assert_eq!(parse_ok(&spec(good)).modules.ssh[0].url.value, good);
        }
        let diagnostic = assert_error(
            &spec("ssh://git@a.test"),
            5,
            12,
            "`modules.ssh[0].url` does not end with `/`",
        );
        assert!(help(&diagnostic).starts_with("write `ssh://git@a.test/`"));
        assert_error(
            &spec("https://a.test/"),
            5,
            12,
            "`modules.ssh[0].url` has the scheme `https`, not `ssh`",
        );
        assert_error(
            &spec("git@a.test"),
            5,
            12,
            "`modules.ssh[0].url` has no `:` after the host",
        );
        assert_error(
            &spec("a.test:"),
            5,
            12,
            "`modules.ssh[0].url` is not an SSH URL: `a.test:`",
        );
        assert_error(
            &spec("ssh:///x/"),
            5,
            12,
            "`modules.ssh[0].url` has no host: `ssh:///x/`",
        );
    }
}
