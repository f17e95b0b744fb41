//! Checks of single values that only the spec has: package paths, environment names, build
//! tags, ports, users, directories and Go versions (the shared ones are in `vocabulary`).
//!
//! Each check returns a [`Problem`] phrased to follow the field path (`` `main` is an
//! absolute path ``), so the caller adds the path and the position.

use crate::spec::model::Port;
use crate::vocabulary::Problem;

/// A Go package directory relative to the module root, normalised: `./cmd/server/` →
/// `./cmd/server`, `./` → `.`, `./a/../b` → `./b`.
pub(super) fn main_package(text: &str) -> Result<String, Problem> {
    const EXAMPLE: &str = "write `.` for the module root, or a directory such as `./cmd/server`";
    if text.trim().is_empty() {
        return Err(Problem::new("is empty", EXAMPLE));
    }
    if text.trim() != text {
        return Err(Problem::new(
            "has spaces around it",
            format!("write `{}`", text.trim()),
        ));
    }
    forward_slashes(text)?;
    if text.starts_with('/') {
        return Err(Problem::new(
            "is an absolute path",
            "write a directory relative to the module root (where go.mod is), such as \
             `./cmd/server`",
        ));
    }
    let mut segments = text.split('/');
    if !matches!(segments.next(), Some("." | "..")) {
        return Err(Problem::new(
            "must start with `./` (a directory of this module)",
            format!("write `./{text}`, relative to the module root (where go.mod is)"),
        ));
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in text.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if kept.pop().is_none() {
                    return Err(Problem::new(
                        "points outside the module",
                        "gostage builds packages of the main module: `main` is relative to \
                         its go.mod (the directory `module:` names, the context's root by \
                         default)",
                    ));
                }
            }
            _ if segment.contains("...") => {
                return Err(Problem::new(
                    "is a package pattern",
                    "name one `main` package, or list each program under `binaries`",
                ));
            }
            _ => kept.push(segment),
        }
    }
    if kept.is_empty() {
        Ok(".".to_string())
    } else {
        Ok(format!("./{}", kept.join("/")))
    }
}

/// An environment variable name: letters, digits and `_`, not starting with a digit.
pub(super) fn environment_name(text: &str) -> Result<(), Problem> {
    let mut characters = text.chars();
    let valid = characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_');
    if valid {
        Ok(())
    } else {
        Err(Problem::new(
            "is not an environment variable name",
            "use letters, digits and `_`, not starting with a digit, e.g. `LOG_LEVEL`",
        ))
    }
}

/// A Go build tag: letters, digits, `_` and `.`.
pub(super) fn build_tag(text: &str) -> Result<(), Problem> {
    let valid = !text.is_empty()
        && text
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || matches!(character, '_' | '.'));
    if valid {
        return Ok(());
    }
    let help = if text.contains(',') || text.contains(' ') {
        format!(
            "write one tag per list item: `[{}]`",
            text.split([',', ' '])
                .filter(|tag| !tag.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else if text.starts_with('!') {
        "list the tags to set; a `!tag` is a build constraint, not a tag".to_string()
    } else {
        "build tags are letters, digits, `_` and `.`, e.g. `netgo`".to_string()
    };
    Err(Problem::new("is not a Go build tag", help))
}

/// A Debian package name (Debian Policy 5.6.1 `Package`): lower-case letters, digits, `+`,
/// `-` and `.`, at least two characters, starting with a letter or digit. No version
/// (`=1.2`), architecture (`:arm64`) or release (`/bookworm`): apt-get installs the builder
/// release's version for the builder's architecture.
pub(super) fn debian_package(text: &str) -> Result<(), Problem> {
    if is_debian_package(text) {
        return Ok(());
    }
    // The name the value starts with, when a character that cannot be in a word ends it
    // (`libsqlite3-dev; rm -rf /`, `gcc/bookworm`); `lib_x` has no such name.
    let length = text
        .bytes()
        .take_while(|byte| is_debian_package_byte(*byte))
        .count();
    let (leading, rest) = text.split_at(length);
    let leading = Some(leading).filter(|leading| {
        is_debian_package(leading)
            && rest
                .chars()
                .next()
                .is_some_and(|next| !next.is_alphanumeric() && next != '_')
    });
    let pieces: Vec<&str> = text
        .split([',', ' '])
        .filter(|name| !name.is_empty())
        .collect();
    let help = match leading {
        Some(name) if rest.starts_with(['=', ':', '/']) => format!(
            "write the package name alone, `{name}`: apt-get installs the version of the \
             builder's Debian release"
        ),
        _ if pieces.len() > 1 && pieces.iter().all(|piece| is_debian_package(piece)) => {
            format!("write one package per list item: `[{}]`", pieces.join(", "))
        }
        _ if is_debian_package(&text.to_ascii_lowercase()) => format!(
            "Debian package names are lower case: `{}`",
            text.to_ascii_lowercase()
        ),
        Some(name) => format!(
            "write the package name alone, `{name}`: a list item names one Debian package, \
             with nothing after it"
        ),
        None => "write a Debian package name: lower-case letters, digits, `+`, `-` and `.`, \
                 e.g. `libsqlite3-dev`"
            .to_string(),
    };
    Err(Problem::new(
        format!("is not a Debian package name: `{text}`"),
        help,
    ))
}

/// Whether `text` is a Debian package name ([`debian_package`]).
fn is_debian_package(text: &str) -> bool {
    text.len() >= 2
        && text
            .bytes()
            .next()
            .is_some_and(|first| first.is_ascii_lowercase() || first.is_ascii_digit())
        && text.bytes().all(is_debian_package_byte)
}

/// A byte a Debian package name may hold: lower-case letters, digits, `+`, `-` and `.`.
fn is_debian_package_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'+' | b'-' | b'.')
}

/// A port: a number from 1 to 65535, as a YAML number or as text with an optional
/// `/tcp` or `/udp`.
pub(super) fn port_number(number: i128) -> Result<Port, Problem> {
    match u16::try_from(number) {
        Ok(number) if number > 0 => Ok(Port {
            number,
            protocol: "tcp".to_string(),
        }),
        _ => Err(Problem::new(
            format!("is not a port: {number} is not in 1..65535"),
            "write a port number from 1 to 65535, e.g. `8080`",
        )),
    }
}

/// A port written as text: `8080`, `8080/tcp` or `53/udp`.
pub(super) fn port_text(text: &str) -> Result<Port, Problem> {
    const HELP: &str = "write a port number from 1 to 65535, optionally with `/tcp` or `/udp`: \
                        `8080`, `\"53/udp\"`";
    let (number, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    if protocol != "tcp" && protocol != "udp" {
        return Err(Problem::new(
            format!("has protocol `{protocol}`, not `tcp` or `udp`"),
            HELP,
        ));
    }
    let number = match digits(number).and_then(|number| u16::try_from(number).ok()) {
        Some(number) if number > 0 => number,
        _ => return Err(Problem::new(format!("is not a port: `{text}`"), HELP)),
    };
    Ok(Port {
        number,
        protocol: protocol.to_string(),
    })
}

/// A numeric user: `uid` or `uid:gid`, giving `(uid, gid)` (gid = uid when not written).
pub(super) fn user(text: &str) -> Result<(u32, u32), Problem> {
    const HELP: &str = "write numeric ids, `uid` or `uid:gid`, e.g. `65532:65532` (FROM scratch, \
                        gostage writes the matching /etc/passwd and /etc/group entries)";
    let (uid, gid) = text.split_once(':').unwrap_or((text, text));
    match (id(uid), id(gid)) {
        (Some(uid), Some(gid)) => Ok((uid, gid)),
        _ if text
            .chars()
            .any(|character| character.is_ascii_alphabetic()) =>
        {
            Err(Problem::new(
                format!("is `{text}`, a name: gostage needs numeric ids"),
                HELP,
            ))
        }
        _ => Err(Problem::new(
            format!("is not a numeric user: `{text}`"),
            HELP,
        )),
    }
}

/// An absolute directory, with trailing `/` removed (except for `/` itself).
pub(super) fn absolute_directory(text: &str) -> Result<String, Problem> {
    if !text.starts_with('/') {
        return Err(Problem::new(
            "must be an absolute path",
            format!("write `/{}`", text.trim_start_matches("./")),
        ));
    }
    let trimmed = text.trim_end_matches('/');
    Ok(if trimmed.is_empty() { "/" } else { trimmed }.to_string())
}

/// A path in the build context for `files[].src`, normalised: `./config/` → `config`,
/// `a/../b` → `b`.
pub(super) fn context_path(text: &str) -> Result<String, Problem> {
    const EXAMPLE: &str = "write a path relative to the build context (the directory with \
                           go.mod), such as `config/app.yaml` or `static`";
    let kept = context_segments(
        text,
        &PathHelp {
            example: EXAMPLE,
            pattern: "name one file or directory; a directory is copied with everything in it",
            outside: "BuildKit sends only the build context; move the file into it, or pass a \
                      larger context",
        },
    )?;
    if kept.is_empty() {
        return Err(Problem::new("is the whole build context", EXAMPLE));
    }
    Ok(kept.join("/"))
}

/// The main module's directory in the build context for `module:`, normalised: `./svc/` →
/// `svc`, `./` → `.`, `a/../b` → `b`.
pub(super) fn module_directory(text: &str) -> Result<String, Problem> {
    if !text.trim().is_empty() && text.trim() != text {
        return Err(Problem::new(
            "has spaces around it",
            format!("write `{}`", text.trim()),
        ));
    }
    let kept = context_segments(
        text,
        &PathHelp {
            example: "write the directory of go.mod relative to the build context, such as \
                      `svc` or `services/api` (`.` for the context's root)",
            pattern: "name the one directory that holds the main module's go.mod",
            outside: "BuildKit sends only the build context: pass a context that holds the \
                      module (for example the repository's root) and name the module's \
                      directory inside it",
        },
    )?;
    if kept.is_empty() {
        Ok(".".to_string())
    } else {
        Ok(kept.join("/"))
    }
}

/// The fixes [`context_segments`] suggests, for the key it checks.
struct PathHelp<'a> {
    /// For an empty or absolute path: what to write instead.
    example: &'a str,
    /// For a pattern (`*`, `?`, `[`).
    pattern: &'a str,
    /// For a path that leaves the context.
    outside: &'a str,
}

/// The segments of `text`, a path relative to the build context: not empty, `/`-separated,
/// not absolute, not a pattern, and inside the context ([`inside_context`]).
///
/// Errors: each of those, with the fix of `help`.
fn context_segments<'a>(text: &'a str, help: &PathHelp<'_>) -> Result<Vec<&'a str>, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::new("is empty", help.example));
    }
    forward_slashes(text)?;
    if text.starts_with('/') {
        return Err(Problem::new("is an absolute path", help.example));
    }
    if text.contains(['*', '?', '[']) {
        return Err(Problem::new("is a pattern", help.pattern));
    }
    inside_context(text, help.outside)
}

/// The segments of `text`, a `/`-separated path relative to the build context, with `.`
/// and empty segments dropped and each `..` taking back the segment before it.
///
/// Errors: a `..` that would leave the context, with `outside_help` as the fix.
fn inside_context<'a>(text: &'a str, outside_help: &str) -> Result<Vec<&'a str>, Problem> {
    let mut kept: Vec<&str> = Vec::new();
    for segment in text.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if kept.pop().is_none() {
                    return Err(Problem::new(
                        "points outside the build context",
                        outside_help.to_string(),
                    ));
                }
            }
            _ => kept.push(segment),
        }
    }
    Ok(kept)
}

/// An absolute path in the image for `files[].dst`, normalised (`//` and `.` dropped), and
/// whether it was written with a trailing `/` (= into that directory).
pub(super) fn image_path(text: &str) -> Result<(String, bool), Problem> {
    if !text.starts_with('/') {
        return Err(Problem::new(
            "must be an absolute path",
            format!("write `/{}`", text.trim_start_matches("./")),
        ));
    }
    let segments: Vec<&str> = text
        .split('/')
        .filter(|segment| !segment.is_empty() && *segment != ".")
        .collect();
    if segments.contains(&"..") {
        return Err(Problem::new(
            "has a `..`",
            "write the destination without `..`, e.g. `/etc/app/`",
        ));
    }
    Ok((format!("/{}", segments.join("/")), text.ends_with('/')))
}

/// A permission mode written as octal text: `"0644"`, `"755"`.
pub(super) fn file_mode(text: &str) -> Result<u32, Problem> {
    let digits = text
        .strip_prefix('0')
        .filter(|rest| rest.len() == 3)
        .unwrap_or(text);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if digits.len() == 3 && digits.bytes().all(|byte| byte.is_ascii_digit()) => {
            Ok(mode)
        }
        _ => Err(Problem::new(
            format!("is not a permission mode: `{text}`"),
            "write three octal digits, quoted: `\"0644\"` (rw-r--r--) or `\"0755\"` (rwxr-xr-x)",
        )),
    }
}

/// A Go release: `1.23`, `1.23.4`, `1.24rc1`.
pub(super) fn go_version(text: &str) -> Result<(), Problem> {
    if let Some(rest) = text.strip_prefix("go") {
        return Err(Problem::new(
            "starts with `go`",
            format!("write the version alone: `go: \"{rest}\"`"),
        ));
    }
    if text.contains('-') || crate::gomod::major_minor(text).is_none() {
        return Err(Problem::new(
            format!("is not a Go version: `{text}`"),
            "write a Go release such as `\"1.23\"` or `\"1.23.4\"`",
        ));
    }
    Ok(())
}

/// A path written with `\` (Windows style): BuildKit and Go separate directories with `/`.
fn forward_slashes(text: &str) -> Result<(), Problem> {
    if text.contains('\\') {
        return Err(Problem::new(
            "uses `\\`",
            format!(
                "separate directories with `/`: `{}`",
                text.replace('\\', "/")
            ),
        ));
    }
    Ok(())
}

/// A user or group id: ASCII digits that fit in 32 bits.
fn id(text: &str) -> Option<u32> {
    u32::try_from(digits(text)?).ok()
}

/// A non-empty run of ASCII digits (at most 10) as a number.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_main_packages() {
        for (written, normalised) in [
            (".", "."),
            ("./", "."),
            ("./cmd/server/", "./cmd/server"),
            ("./cmd//server", "./cmd/server"),
            ("./cmd/./server", "./cmd/server"),
            ("./cmd/../tools/gen", "./tools/gen"),
            ("./a/..", "."),
        ] {
            assert_eq!(
                main_package(written),
                Ok(normalised.to_string()),
                "{written}"
            );
        }
    }

    #[test]
    fn rejects_main_packages_outside_or_ambiguous() {
        for (written, message) in [
            ("", "is empty"),
            ("/cmd/server", "is an absolute path"),
            ("..", "points outside the module"),
            ("./cmd/../../x", "points outside the module"),
            (
                "cmd/server",
                "must start with `./` (a directory of this module)",
            ),
            (
                ".hidden",
                "must start with `./` (a directory of this module)",
            ),
            ("./...", "is a package pattern"),
            ("./cmd/...", "is a package pattern"),
            (".\\cmd", "uses `\\`"),
            (" ./cmd", "has spaces around it"),
        ] {
            assert_eq!(
                main_package(written).map_err(|problem| problem.message),
                Err(message.to_string()),
                "{written}"
            );
        }
        let help = main_package("cmd/server").err().map(|problem| problem.help);
        assert!(help.is_some_and(|help| help.starts_with("write `./cmd/server`")));
    }

    #[test]
    fn checks_environment_names_and_tags() {
        assert_eq!(environment_name("GOEXPERIMENT"), Ok(()));
        assert_eq!(environment_name("_x1"), Ok(()));
        for name in ["", "1X", "A-B", "A=B", "Ä"] {
            assert!(environment_name(name).is_err(), "{name:?}");
        }
        assert_eq!(build_tag("netgo"), Ok(()));
        assert_eq!(build_tag("go1.21"), Ok(()));
        assert_eq!(
            build_tag("netgo,osusergo").map_err(|problem| problem.help),
            Err("write one tag per list item: `[netgo, osusergo]`".to_string())
        );
        assert!(build_tag("!cgo").is_err());
        assert!(build_tag("").is_err());
    }

    #[test]
    fn checks_debian_package_names() {
        for name in [
            "libsqlite3-dev",
            "g++-12",
            "libgtk-3-dev",
            "0ad",
            "python3.11",
        ] {
            assert_eq!(debian_package(name), Ok(()), "{name}");
        }
        for (name, help) in [
            (
                "libsqlite3-dev:arm64",
                "write the package name alone, `libsqlite3-dev`",
            ),
            ("gcc/bookworm", "write the package name alone, `gcc`"),
            ("gcc make", "write one package per list item: `[gcc, make]`"),
            (
                "libsqlite3-dev; rm -rf /",
                "write the package name alone, `libsqlite3-dev`: a list item",
            ),
            (
                "gcc&&make",
                "write the package name alone, `gcc`: a list item",
            ),
            ("$(curl x)", "write a Debian package name"),
            ("libé", "write a Debian package name"),
            (
                "LibSQLite3-dev",
                "Debian package names are lower case: `libsqlite3-dev`",
            ),
            ("a", "write a Debian package name"),
            ("-dev", "write a Debian package name"),
            ("lib_x", "write a Debian package name"),
            ("", "write a Debian package name"),
        ] {
            let found = debian_package(name).map_err(|problem| problem.help);
            assert!(
                found.as_ref().is_err_and(|found| found.starts_with(help)),
                "{name:?}: {found:?}"
            );
        }
    }

    #[test]
    fn parses_ports() {
        assert_eq!(
            port_number(8080),
            Ok(Port {
                number: 8080,
                protocol: "tcp".to_string()
            })
        );
        assert_eq!(
            port_text("53/udp"),
            Ok(Port {
                number: 53,
                protocol: "udp".to_string()
            })
        );
        assert_eq!(port_text("8080").map(|port| port.number), Ok(8080));
        assert_eq!(port_text("8080/tcp").map(|port| port.number), Ok(8080));
        assert!(port_number(0).is_err());
        assert!(port_number(65536).is_err());
        assert!(port_number(-1).is_err());
        for text in [
            "", "http", "0", "65536", "80/icmp", "+80", "80/", "/tcp", "8080/TCP",
        ] {
            assert!(port_text(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn parses_users() {
        assert_eq!(user("65532:65532"), Ok((65532, 65532)));
        assert_eq!(user("1000"), Ok((1000, 1000)));
        assert_eq!(user("0"), Ok((0, 0)));
        assert_eq!(user("10:20"), Ok((10, 20)));
        assert_eq!(
            user("nobody").map_err(|problem| problem.message),
            Err("is `nobody`, a name: gostage needs numeric ids".to_string())
        );
        for text in ["", "1:", ":1", "1:2:3", "-1", "4294967296", "1 "] {
            assert!(user(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn normalises_context_paths_and_refuses_escapes() {
        assert_eq!(context_path("./config/"), Ok("config".to_string()));
        assert_eq!(context_path("a/../b/c.json"), Ok("b/c.json".to_string()));
        for (written, message) in [
            ("", "is empty"),
            ("/etc/passwd", "is an absolute path"),
            ("../secret", "points outside the build context"),
            ("a/../../b", "points outside the build context"),
            ("static/*.html", "is a pattern"),
            ("./", "is the whole build context"),
            ("a\\b", "uses `\\`"),
        ] {
            assert_eq!(
                context_path(written).map_err(|problem| problem.message),
                Err(message.to_string()),
                "{written}"
            );
        }
    }

    #[test]
    fn normalises_module_directories_and_refuses_escapes() {
        for (written, normalised) in [
            (".", "."),
            ("./", "."),
            ("svc", "svc"),
            ("./svc/", "svc"),
            ("services//api/.", "services/api"),
            ("a/../b", "b"),
            ("a/..", "."),
            (".hidden/svc", ".hidden/svc"),
        ] {
            assert_eq!(
                module_directory(written),
                Ok(normalised.to_string()),
                "{written}"
            );
        }
        for (written, message) in [
            ("", "is empty"),
            (" svc", "has spaces around it"),
            ("/srv/svc", "is an absolute path"),
            ("..", "points outside the build context"),
            ("svc/../../lib", "points outside the build context"),
            ("svc-*", "is a pattern"),
            ("svc\\a", "uses `\\`"),
        ] {
            assert_eq!(
                module_directory(written).map_err(|problem| problem.message),
                Err(message.to_string()),
                "{written}"
            );
        }
    }

    #[test]
    fn reads_image_paths_and_modes() {
        assert_eq!(image_path("/srv/"), Ok(("/srv".to_string(), true)));
        assert_eq!(
            image_path("/etc//app/./a.json"),
            Ok(("/etc/app/a.json".to_string(), false))
        );
        assert_eq!(image_path("/"), Ok(("/".to_string(), true)));
        assert!(image_path("etc/app").is_err());
        assert!(image_path("/etc/../app").is_err());
        assert_eq!(file_mode("0644"), Ok(0o644));
        assert_eq!(file_mode("755"), Ok(0o755));
        assert_eq!(file_mode("0600"), Ok(0o600));
        for text in [
            "",
            "644 ",
            "0o644",
            "0888",
            "06444",
            "rw-r--r--",
            "64",
            "+644",
        ] {
            assert!(file_mode(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn checks_directories_and_versions() {
        assert_eq!(absolute_directory("/app/"), Ok("/app".to_string()));
        assert_eq!(absolute_directory("/"), Ok("/".to_string()));
        assert_eq!(
            absolute_directory("app").map_err(|problem| problem.help),
            Err("write `/app`".to_string())
        );
        for version in ["1.23", "1.23.4", "1.24rc1"] {
            assert_eq!(go_version(version), Ok(()), "{version}");
        }
        assert_eq!(
            go_version("go1.23").map_err(|problem| problem.help),
            Err("write the version alone: `go: \"1.23\"`".to_string())
        );
        for version in ["1", "latest", "1.23.4-x", "1.x"] {
            assert!(go_version(version).is_err(), "{version}");
        }
    }
}
