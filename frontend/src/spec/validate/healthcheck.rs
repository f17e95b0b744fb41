//! `image.healthcheck:` → the image config's healthcheck: exactly one probe (`http` or `cmd`)
//! and timings Docker accepts (`daemon/container.go` rejects a non-zero duration under 1ms
//! and negative retries; the same limits as the Dockerfile's `HEALTHCHECK` flags, BuildKit
//! `frontend/dockerfile/instructions/parse.go`).

use super::{at, check};
use crate::spec::model::{Healthcheck, Probe};
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::spec::spanned::Spanned;
use crate::vocabulary::{duration_nanoseconds, Diagnostic, Located, Problem};

/// The smallest non-zero duration Docker accepts, in nanoseconds.
const MINIMUM_DURATION: i64 = 1_000_000;

const EXAMPLE: &str = "e.g. `healthcheck: {http: \"http://localhost:8080/healthz\"}`, or \
                       `cmd: [/usr/local/bin/server, -healthcheck]` for a probe of your own";

/// Checks `image.healthcheck` (`path`).
pub(super) fn validate(
    written: Spanned<raw::Healthcheck>,
    path: &FieldPath,
) -> Result<Located<Healthcheck>, Diagnostic> {
    let span = written.span;
    let healthcheck = written.value;
    let probe = match (healthcheck.http, healthcheck.cmd) {
        (Some(_), Some(cmd)) => {
            return Err(
                Diagnostic::new(cmd.span, format!("`{path}` has both `http` and `cmd`"))
                    .with_help("keep one: `http` for gostage's probe, or `cmd` for your own"),
            )
        }
        (None, None) => {
            return Err(
                Diagnostic::new(span, format!("`{path}` has neither `http` nor `cmd`"))
                    .with_help(format!("say what to probe, {EXAMPLE}")),
            )
        }
        (Some(http), None) => {
            check(&http, &path.key("http"), http_url)?;
            Probe::Http(http.located())
        }
        (None, Some(cmd)) => {
            if cmd.value.is_empty() || cmd.value[0].trim().is_empty() {
                return Err(Diagnostic::new(
                    cmd.span,
                    format!("`{}` names no program", path.key("cmd")),
                )
                .with_help(
                    "write the program and its arguments, e.g. \
                     `cmd: [/usr/local/bin/server, -healthcheck]`",
                ));
            }
            Probe::Command(cmd.value)
        }
    };
    let duration = |written: Option<Spanned<String>>, key: &str| match written {
        Some(text) => check(&text, &path.key(key), docker_duration),
        None => Ok(0),
    };
    let interval = duration(healthcheck.interval, "interval")?;
    let timeout = duration(healthcheck.timeout, "timeout")?;
    let start_period = duration(healthcheck.start_period, "start-period")?;
    let retries = match healthcheck.retries {
        Some(retries) if !(0..=i64::from(i32::MAX)).contains(&retries.value) => {
            return Err(at(
                retries.span,
                &path.key("retries"),
                Problem::new(
                    format!("is {}, not a count of failures", retries.value),
                    "write a whole number from 0 (Docker's default, 3) up, e.g. `retries: 3`",
                ),
            ))
        }
        Some(retries) => retries.value,
        None => 0,
    };
    Ok(Located::new(
        Healthcheck {
            probe,
            interval,
            timeout,
            start_period,
            retries,
        },
        span,
    ))
}

/// A Go duration that Docker accepts: 0 (its default) or at least 1ms.
fn docker_duration(text: &str) -> Result<i64, Problem> {
    let nanoseconds = duration_nanoseconds(text)?;
    if nanoseconds != 0 && nanoseconds < MINIMUM_DURATION {
        return Err(Problem::new(
            format!("is `{text}`, less than the 1ms Docker accepts"),
            "write at least `1ms`, or `0` for Docker's default",
        ));
    }
    Ok(nanoseconds)
}

/// `http://host[:port][/path]`, the subset gostage's probe reads
/// (`plan/assets/healthcheck.go`): the host an IP address (IPv6 in brackets) or a name, the
/// port 1-65535, the path (default `/`) without spaces or a `#fragment`.
fn http_url(url: &str) -> Result<(), Problem> {
    const HELP: &str = "write `http://HOST[:PORT][/PATH]`, e.g. `http://localhost:8080/healthz`";
    let not_url = || Problem::new(format!("is not an http:// URL: `{url}`"), HELP);
    let Some(rest) = url.strip_prefix("http://") else {
        if url.to_ascii_lowercase().starts_with("https://") {
            return Err(Problem::new(
                format!("is an https:// URL: `{url}`"),
                "gostage's probe speaks plain HTTP only, to the container's own server: write \
                 `http://`, or use `cmd` with a probe that speaks TLS",
            ));
        }
        return Err(not_url());
    };
    if url
        .chars()
        .any(|character| character.is_whitespace() || character.is_control())
    {
        return Err(Problem::new(
            format!("contains spaces: `{url}`"),
            "percent-encode them (`%20`)",
        ));
    }
    if url.contains('#') {
        return Err(Problem::new(
            format!("has a `#fragment`: `{url}`"),
            "leave it out: fragments are not sent to the server",
        ));
    }
    let (authority, _path) = match rest.find(['/', '?']) {
        Some(index) => rest.split_at(index),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(Problem::new(
            format!("has credentials: `{url}`"),
            "the probe sends none: give the health endpoint without `user@`",
        ));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']').ok_or_else(not_url)?;
            if host.is_empty()
                || !host.chars().all(|character| {
                    character.is_ascii_hexdigit() || matches!(character, ':' | '.')
                })
            {
                return Err(not_url());
            }
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or_else(not_url)?)),
            }
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err(Problem::new(format!("has no host: `{url}`"), HELP));
    }
    if !authority.starts_with('[')
        && !host.chars().all(|character| {
            character.is_ascii_alphanumeric() || matches!(character, '.' | '-' | '_')
        })
    {
        return Err(Problem::new(
            format!("has the host `{host}`, which is not a name or an IP address"),
            HELP,
        ));
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.chars().all(|character| character.is_ascii_digit())
            && matches!(port.parse::<u32>(), Ok(1..=65535));
        if !valid {
            return Err(Problem::new(
                format!("has the port `{port}`, not a number from 1 to 65535"),
                HELP,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::spec::model::{Healthcheck, Probe};
    use crate::spec::testing::{assert_error, help, parse_ok};
    use crate::vocabulary::{Located, Span};

    fn healthcheck(text: &str) -> Located<Healthcheck> {
        let spec = parse_ok(&format!("version: 1\nimage:\n  healthcheck:\n{text}"));
        spec.image
            .healthcheck
            .unwrap_or_else(|| panic!("no healthcheck in {text}"))
    }

    #[test]
    fn reads_an_http_probe_with_timings() {
        let read = healthcheck(
            "    http: http://localhost:8080/healthz\n    interval: 1s\n    timeout: 500ms\n    \
             start-period: 1m30s\n    retries: 2\n",
        );
        assert_eq!(read.span, Span { line: 4, column: 5 });
        assert_eq!(
            read.value,
            Healthcheck {
                probe: Probe::Http(Located::new(
                    "http://localhost:8080/healthz".into(),
                    Span {
                        line: 4,
                        column: 11
                    }
                )),
                interval: 1_000_000_000,
                timeout: 500_000_000,
                start_period: 90_000_000_000,
                retries: 2,
            }
        );
    }

    #[test]
    fn reads_a_command_probe_with_docker_defaults() {
        let read = healthcheck("    cmd: [/usr/local/bin/server, -healthcheck]\n");
        assert_eq!(
            read.value,
            Healthcheck {
                probe: Probe::Command(vec!["/usr/local/bin/server".into(), "-healthcheck".into()]),
                interval: 0,
                timeout: 0,
                start_period: 0,
                retries: 0,
            }
        );
        let flow =
            parse_ok("version: 1\nimage:\n  healthcheck: {http: \"http://[::1]/\", interval: 0}\n");
        let probe = flow
            .image
            .healthcheck
            .map(|healthcheck| healthcheck.value.probe);
        assert!(matches!(probe, Some(Probe::Http(url)) if url.value == "http://[::1]/"));
    }

    #[test]
    fn needs_exactly_one_probe() {
        let diagnostic = assert_error(
            "version: 1\nimage:\n  healthcheck:\n    interval: 1s\n",
            4,
            5,
            "`image.healthcheck` has neither `http` nor `cmd`",
        );
        assert!(help(&diagnostic).contains("http://localhost:8080/healthz"));
        assert_error(
            "version: 1\nimage:\n  healthcheck:\n    http: http://localhost/\n    cmd: [x]\n",
            5,
            10,
            "`image.healthcheck` has both `http` and `cmd`",
        );
        assert_error(
            "version: 1\nimage:\n  healthcheck:\n    cmd: []\n",
            4,
            10,
            "`image.healthcheck.cmd` names no program",
        );
    }

    #[test]
    fn the_url_is_plain_http_to_a_host() {
        let diagnostic = assert_error(
            "version: 1\nimage:\n  healthcheck:\n    http: https://localhost:8443/\n",
            4,
            11,
            "`image.healthcheck.http` is an https:// URL: `https://localhost:8443/`",
        );
        assert!(help(&diagnostic).contains("plain HTTP only"));
        let cases = [
            (
                "localhost:8080/healthz",
                "is not an http:// URL: `localhost:8080/healthz`",
            ),
            ("http:///healthz", "has no host: `http:///healthz`"),
            (
                "http://localhost:0/",
                "has the port `0`, not a number from 1 to 65535",
            ),
            (
                "http://localhost:http/",
                "has the port `http`, not a number from 1 to 65535",
            ),
            (
                "http://localhost:/",
                "has the port ``, not a number from 1 to 65535",
            ),
            (
                "\"http://localhost/a b\"",
                "contains spaces: `http://localhost/a b`",
            ),
            (
                "http://localhost/#top",
                "has a `#fragment`: `http://localhost/#top`",
            ),
            (
                "http://user@localhost/",
                "has credentials: `http://user@localhost/`",
            ),
            ("http://[::1/", "is not an http:// URL: `http://[::1/`"),
            (
                "http://local%host/",
                "has the host `local%host`, which is not a name or an IP address",
            ),
        ];
        for (url, message) in cases {
            assert_error(
                &format!("version: 1\nimage:\n  healthcheck:\n    http: {url}\n"),
                4,
                11,
                &format!("`image.healthcheck.http` {message}"),
            );
        }
    }

    #[test]
    fn timings_are_go_durations_docker_accepts() {
        assert_error(
            "version: 1\nimage:\n  healthcheck:\n    cmd: [x]\n    interval: 5\n",
            5,
            15,
            "`image.healthcheck.interval` is `5`, without a unit",
        );
        let diagnostic = assert_error(
            "version: 1\nimage:\n  healthcheck:\n    cmd: [x]\n    timeout: 500us\n",
            5,
            14,
            "`image.healthcheck.timeout` is `500us`, less than the 1ms Docker accepts",
        );
        assert!(help(&diagnostic).contains("1ms"));
        assert_error(
            "version: 1\nimage:\n  healthcheck:\n    cmd: [x]\n    start-period: 2 minutes\n",
            5,
            19,
            "`image.healthcheck.start-period` has the unknown unit ` minutes` in `2 minutes`",
        );
        assert_error(
            "version: 1\nimage:\n  healthcheck:\n    cmd: [x]\n    retries: -1\n",
            5,
            14,
            "`image.healthcheck.retries` is -1, not a count of failures",
        );
    }
}
