//! serde-saphyr errors as [`Diagnostic`]s that name the field and say how to fix it.

use serde_saphyr::{DefaultMessageFormatter, Error, MessageFormatter};

use super::path::FieldPath;
use super::schema;
use super::spanned::span_of;
use super::suggest;
use super::tree::{Node, NodeKind};
use crate::vocabulary::Diagnostic;
use crate::vocabulary::Span;

/// An error of the first pass (YAML syntax, encoding, limits) in `text` as a diagnostic.
pub(crate) fn syntax(error: &Error, text: &[u8]) -> Diagnostic {
    let span = span_or_start(error);
    match original(error) {
        Error::InvalidUtf8Input => Diagnostic::new(span, "the spec is not valid UTF-8 text")
            .with_help("save gostage.yaml as UTF-8"),
        Error::MultipleDocuments { .. } => {
            Diagnostic::new(span, "the spec holds more than one YAML document")
                .with_help("remove the `---` line: gostage.yaml is one document")
        }
        Error::Budget { .. } => Diagnostic::new(
            span,
            "the spec is too large or nests too deeply for gostage",
        )
        .with_help(
            "a gostage.yaml needs a few levels of nesting at most (such as `binaries[0].main`) \
             and a few kilobytes",
        ),
        original => Diagnostic::new(span, format!("invalid YAML: {}", message(original)))
            .with_help(syntax_help(text, span)),
    }
}

/// The fix for a YAML syntax error at `span`: for a value that starts with a character YAML
/// reserves (`@`, `` ` ``) or reads as a block indicator (`|`, `>`), such as a known_hosts
/// line written after its key (`@cert-authority …`, `|1|salt|hash …`), how to write it.
fn syntax_help(text: &[u8], span: Span) -> String {
    let text = String::from_utf8_lossy(text);
    let line = text
        .lines()
        .nth(span.line.saturating_sub(1) as usize)
        .unwrap_or_default();
    let mut characters = line.chars();
    let before: String = characters
        .by_ref()
        .take(span.column.saturating_sub(1) as usize)
        .collect();
    let at = characters.next().unwrap_or_default();
    // The error is at the start of a value: after `key:` or a list's `-`.
    let after_key = before.trim_end().ends_with([':', '-']);
    match at {
        '@' | '`' if after_key => format!(
            "YAML does not let a plain value start with `{at}`: quote the value, or write `|` \
             after the key and the value on the lines below it, indented"
        ),
        '|' | '>' if after_key => format!(
            "`{at}` after a key starts a block: write `{at}` alone after the key and the value \
             on the lines below it, indented, or quote the value"
        ),
        _ => "check the indentation, quotes and brackets at this position".to_string(),
    }
}

/// An error of the typed pass (unknown key, missing key, wrong type) as a diagnostic;
/// `document` (the same text, already read as a tree) tells which field the position is in.
pub(crate) fn structure(error: &Error, document: &Node) -> Diagnostic {
    let span = span_or_start(error);
    let found = document.locate(span);
    match original(error) {
        Error::SerdeUnknownField {
            field, expected, ..
        } => {
            let mapping = if found.path.last_key() == Some(field.as_str()) {
                found.path.parent()
            } else {
                found.path.clone()
            };
            unknown_key(span, &mapping, field, expected)
        }
        Error::SerdeMissingField { field, .. } => {
            let mapping = if found.on_key {
                found.path.parent()
            } else {
                found.path.clone()
            };
            Diagnostic::new(span, format!("`{mapping}` needs `{field}`"))
                .with_help(format!("add `{field}: …` here"))
        }
        _ if found.on_key => Diagnostic::new(
            span,
            format!(
                "{} has a key that is not a name",
                owner(&found.path.parent())
            ),
        )
        .with_help("write keys as plain words followed by `:`, e.g. `main: .`"),
        original => match schema::expected_at(&schema::schema(), &found.path) {
            Some(expected) => {
                // An empty value has no text to point at: point at its key.
                let span = match found.node.kind {
                    NodeKind::Null => document.key_span(&found.path).unwrap_or(span),
                    _ => span,
                };
                wrong_type(span, &found.path, found.node, &expected)
            }
            None => Diagnostic::new(span, format!("`{}`: {}", found.path, message(original))),
        },
    }
}

/// `the top level` or `` `image` ``, for messages about a mapping.
fn owner(mapping: &FieldPath) -> String {
    if mapping.is_root() {
        mapping.to_string()
    } else {
        format!("`{mapping}`")
    }
}

fn unknown_key(span: Span, mapping: &FieldPath, key: &str, allowed: &[&str]) -> Diagnostic {
    let message = if mapping.is_root() {
        format!("unknown key `{key}`")
    } else {
        format!("unknown key `{key}` in `{mapping}`")
    };
    let owner = owner(mapping);
    let allowed_list = allowed.join(", ");
    let help = match suggest::closest(key, allowed) {
        Some(closest) => format!("did you mean `{closest}`? {owner} accepts: {allowed_list}"),
        None => format!("{owner} accepts: {allowed_list}"),
    };
    Diagnostic::new(span, message).with_help(help)
}

fn wrong_type(span: Span, path: &FieldPath, node: &Node, expected: &str) -> Diagnostic {
    let message = format!("`{path}` must be {expected}, found {}", node.describe());
    let key = path.last_key().unwrap_or("key");
    let help = match (&node.kind, expected) {
        (NodeKind::Null, _) => format!("write a value after `{key}:`, or remove `{key}`"),
        (NodeKind::Number(text) | NodeKind::String(text), "a list") => {
            format!("write a list: `{key}: [{text}]`")
        }
        (NodeKind::Bool(value), "a list") => format!("write a list: `{key}: [{value}]`"),
        (_, "a list") => "write a list: `[a, b]`, or one `- item` per line".to_string(),
        (_, "a mapping") => {
            format!("write `name: value` pairs on the lines below `{key}:`, indented")
        }
        (NodeKind::Sequence(_) | NodeKind::Mapping(_), "a string") => {
            "write one value; quote it if it starts with `[` or `{`".to_string()
        }
        (_, "a whole number or a string") if path.parent().last_key() == Some("ports") => {
            "write a port such as `8080` or `\"53/udp\"`".to_string()
        }
        (_, "a whole number") => "write a number without quotes, e.g. `1`".to_string(),
        (_, "`true` or `false`") => "write `true` or `false`".to_string(),
        _ => format!("write {expected}"),
    };
    Diagnostic::new(span, message).with_help(help)
}

/// The error itself, without the snippet and alias wrappers.
fn original(error: &Error) -> &Error {
    match error {
        Error::WithSnippet { error, .. } | Error::AliasError { error, .. } => original(error),
        other => other,
    }
}

/// serde-saphyr's message for the error, without location.
fn message(error: &Error) -> String {
    DefaultMessageFormatter
        .format_message(error)
        .chars()
        .filter(|character| !character.is_control())
        .collect()
}

/// Where the error is, or the start of the file when serde-saphyr does not know.
fn span_or_start(error: &Error) -> Span {
    match error.location().map(|location| span_of(&location)) {
        Some(span) if span.line > 0 && span.column > 0 => span,
        _ => Span { line: 1, column: 1 },
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::testing::{assert_error, help};

    const SYNTAX: &str = "# syntax=myorg/gostage\n";

    #[test]
    fn a_value_starting_with_a_yaml_indicator_is_explained() {
        let start = "version: 1\nmodules:\n  ssh: [{host: a.test}]\n  known_hosts: ";
        for (value, expected) in [
            (
                "@cert-authority *.a.test ssh-ed25519 AAAA",
                "YAML does not let a plain value start with `@`: quote the value, or write `|` \
                 after the key and the value on the lines below it, indented",
            ),
            (
                "|1|c2FsdA==|aGFzaA== ssh-ed25519 AAAA",
                "`|` after a key starts a block: write `|` alone after the key and the value on \
                 the lines below it, indented, or quote the value",
            ),
        ] {
            let diagnostic = crate::spec::testing::parse_err(&format!("{start}{value}\n"));
            assert_eq!(
                (diagnostic.span.line, diagnostic.span.column),
                (4, 16),
                "{diagnostic:?}"
            );
            assert!(
                diagnostic.message.starts_with("invalid YAML: "),
                "{diagnostic:?}"
            );
            assert_eq!(help(&diagnostic), expected);
        }
        let diagnostic = crate::spec::testing::parse_err("version: 1\nmain: [.\n");
        assert_eq!(
            help(&diagnostic),
            "check the indentation, quotes and brackets at this position"
        );
    }

    #[test]
    fn unknown_top_level_key_suggests_the_closest() {
        let diagnostic = assert_error(
            &format!("{SYNTAX}version: 1\nmian: ./cmd/server\n"),
            3,
            1,
            "unknown key `mian`",
        );
        assert_eq!(
            help(&diagnostic),
            "did you mean `main`? the top level accepts: version, go, builder, module, main, \
             binaries, build, image, platforms, modules, files, test, cache"
        );
    }

    #[test]
    fn unknown_nested_key_names_its_section() {
        let diagnostic = assert_error(
            &format!("{SYNTAX}version: 1\nimage:\n  user: \"1000\"\n  prots: [8080]\n"),
            5,
            3,
            "unknown key `prots` in `image`",
        );
        assert_eq!(
            help(&diagnostic),
            "did you mean `ports`? `image` accepts: base, user, workdir, entrypoint, cmd, env, \
             ports, labels, healthcheck"
        );
        let diagnostic = assert_error(
            "version: 1\nbinaries:\n  - main: .\n    nmae: x\n",
            4,
            5,
            "unknown key `nmae` in `binaries[0]`",
        );
        assert!(help(&diagnostic).starts_with("did you mean `name`?"));
        let diagnostic = assert_error(
            "version: 1\nimage:\n  volumes: [/data]\n",
            3,
            3,
            "unknown key `volumes` in `image`",
        );
        assert!(help(&diagnostic).starts_with("`image` accepts: base"));
    }

    #[test]
    fn wrong_types_name_the_field_and_what_was_found() {
        let diagnostic = assert_error(
            "version: 1\nimage:\n  ports: 8080\n",
            3,
            10,
            "`image.ports` must be a list, found the number 8080",
        );
        assert_eq!(help(&diagnostic), "write a list: `ports: [8080]`");
        assert_error(
            "version: 1\nmain: [a]\n",
            2,
            7,
            "`main` must be a string, found a list",
        );
        assert_error(
            "version: 1\nimage: 5\n",
            2,
            8,
            "`image` must be a mapping, found the number 5",
        );
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: yes\n",
            3,
            8,
            "`build.cgo` must be `true` or `false`, found the string \"yes\"",
        );
        assert_eq!(help(&diagnostic), "write `true` or `false`");
        let diagnostic = assert_error(
            "version: 1\nimage:\n  ports: [80, 8080.5]\n",
            3,
            15,
            "`image.ports[1]` must be a whole number or a string, found the number 8080.5",
        );
        assert_eq!(
            help(&diagnostic),
            "write a port such as `8080` or `\"53/udp\"`"
        );
        assert_error(
            "version: 1\nimage:\n  labels:\n    a.b: x\n    c: {d: e}\n",
            5,
            8,
            "`image.labels.c` must be a string, found a mapping",
        );
        assert_error(
            "version: 1\nplatforms: linux/amd64\n",
            2,
            12,
            "`platforms` must be a list, found the string \"linux/amd64\"",
        );
        assert_error(
            "version: one\n",
            1,
            10,
            "`version` must be a whole number, found the string \"one\"",
        );
        assert_error(
            "version: 1\nbuild:\n  env:\n    A:\n",
            4,
            5,
            "`build.env.A` must be a string, found nothing",
        );
    }

    #[test]
    fn missing_keys_name_the_entry() {
        let diagnostic = assert_error(
            "version: 1\nbinaries:\n  - main: .\n  - name: tool\n",
            4,
            5,
            "`binaries[1]` needs `main`",
        );
        assert_eq!(help(&diagnostic), "add `main: …` here");
    }

    #[test]
    fn keys_that_are_not_names() {
        assert_error(
            "version: 1\n[a]: b\n",
            2,
            1,
            "the top level has a key that is not a name",
        );
    }
}
