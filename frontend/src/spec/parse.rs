//! Bytes → [`Spec`]: the YAML tree pass, the typed pass, then validation.

use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

use super::diagnose;
use super::model::Spec;
use super::raw;
use super::tree::{Node, NodeKind};
use super::validate::validate;
use crate::vocabulary::Diagnostic;
use crate::vocabulary::Span;

/// Parses and validates spec bytes; see [`super::parse`].
pub(super) fn parse(bytes: &[u8]) -> Result<Spec, Diagnostic> {
    if bytes.len() > super::MAX_SPEC_BYTES {
        return Err(Diagnostic::new(
            Span { line: 1, column: 1 },
            format!(
                "the spec is {} bytes, more than the 1 MiB gostage reads",
                bytes.len()
            ),
        )
        .with_help("pass the spec file (gostage.yaml), not another file"));
    }
    let document: Node =
        serde_saphyr::from_slice_with_options(bytes, options(DuplicateKeyPolicy::PassThrough))
            .map_err(|error| diagnose::syntax(&error, bytes))?;
    match &document.kind {
        NodeKind::Mapping(_) => {}
        NodeKind::Null => {
            return Err(
                Diagnostic::new(Span { line: 1, column: 1 }, "the spec is empty").with_help(
                    "start with `version: 1`, then say what to build, e.g. `main: ./cmd/server`",
                ),
            )
        }
        _ => {
            return Err(Diagnostic::new(
                document.span,
                format!(
                    "the spec must be a mapping of keys such as `version` and `main`, found {}",
                    document.describe()
                ),
            )
            .with_help("start with `version: 1` on its own line"))
        }
    }
    if let Some((path, span)) = document.find_duplicate_key() {
        return Err(Diagnostic::new(span, format!("`{path}` is written twice"))
            .with_help("keep one of them"));
    }
    if let Some((path, span, on_key)) = document.find_nul() {
        let subject = match (on_key, path.is_root()) {
            (false, _) => format!("`{path}`"),
            (true, true) => "a top-level key".to_string(),
            (true, false) => format!("a key in `{path}`"),
        };
        return Err(
            Diagnostic::new(span, format!("{subject} holds a NUL character (`\\0`)")).with_help(
                "remove the `\\0`: Linux ends file names, arguments and environment values \
                     at a NUL, so no value of gostage.yaml can hold one",
            ),
        );
    }
    let spec: raw::Spec =
        serde_saphyr::from_slice_with_options(bytes, options(DuplicateKeyPolicy::Error))
            .map_err(|error| diagnose::structure(&error, &document))?;
    validate(spec, &document, &String::from_utf8_lossy(bytes))
}

/// How deep collections may nest. A spec needs 4 levels (`binaries[0].main`); the limit
/// keeps the recursive tree pass well inside a thread's stack, even in debug builds.
const MAX_DEPTH: usize = 32;

/// YAML 1.2 booleans only (`yes` is a string), nesting limited to [`MAX_DEPTH`], and the
/// given duplicate-key policy: the tree pass keeps duplicates to report them with their path.
fn options(duplicate_keys: DuplicateKeyPolicy) -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = duplicate_keys;
    options.strict_booleans = true;
    options
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_spec_over_one_mebibyte_is_refused_at_line_one() {
        let mut text = b"version: 1\n".to_vec();
        text.resize(super::super::MAX_SPEC_BYTES + 1, b'#');
        let error = parse(&text).expect_err("too large");
        assert_eq!(error.span.line, 1);
        assert!(
            error.message.contains("more than the 1 MiB"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_nul_is_refused_wherever_it_is_written() {
        for (text, line, column, message) in [
            (
                "version: 1\nimage:\n  env:\n    \"A\\0B\": x\n",
                4,
                5,
                "a key in `image.env` holds a NUL character (`\\0`)",
            ),
            (
                "version: 1\n\"main\\0\": .\n",
                2,
                1,
                "a top-level key holds a NUL character (`\\0`)",
            ),
            (
                "version: 1\nimage:\n  entrypoint: [/app, \"-flag=\\0\"]\n",
                3,
                22,
                "`image.entrypoint[1]` holds a NUL character (`\\0`)",
            ),
        ] {
            let error = parse(text.as_bytes()).expect_err("a NUL");
            assert_eq!(
                (error.span, error.message.as_str()),
                (Span { line, column }, message),
                "{text}"
            );
        }
    }

    #[test]
    fn a_duplicate_among_many_labels_is_found_at_its_line() {
        let mut text = String::from("version: 1\nimage:\n  labels:\n");
        for index in 0..20_000 {
            text.push_str(&format!("    label{index}: x\n"));
        }
        text.push_str("    label7: again\n");
        let error = parse(text.as_bytes()).expect_err("duplicate");
        assert_eq!(error.message, "`image.labels.label7` is written twice");
        assert_eq!(error.span.line, 20_004);
    }

    use super::*;
    use crate::spec::model::{Binary, Port};
    use crate::spec::testing::{assert_error, help, parse_ok};
    use crate::vocabulary::Located;

    #[test]
    fn parses_the_hello_example() {
        let bytes = include_bytes!("../../../examples/hello/gostage.yaml");
        let spec = match parse(bytes) {
            Ok(spec) => spec,
            Err(diagnostic) => panic!("{}", diagnostic.render("gostage.yaml")),
        };
        assert_eq!(spec.version, 1);
        assert_eq!(spec.span, Span { line: 2, column: 1 });
        assert_eq!(
            spec.binaries,
            vec![Binary {
                main: Located::new(".".to_string(), Span { line: 3, column: 7 }),
                name: None,
            }]
        );
        assert_eq!(
            spec.image.ports,
            vec![Port {
                number: 8080,
                protocol: "tcp".to_string()
            }]
        );
    }

    #[test]
    fn parses_the_uuid_service_example() {
        let bytes = include_bytes!("../../../examples/uuid-service/gostage.yaml");
        let spec = match parse(bytes) {
            Ok(spec) => spec,
            Err(diagnostic) => panic!("{}", diagnostic.render("gostage.yaml")),
        };
        assert_eq!(spec.binaries.len(), 1);
        assert_eq!(spec.binaries[0].main.value, "./cmd/uuid-service");
        assert_eq!(spec.image.ports.len(), 1);
        assert_eq!(
            spec.image
                .labels
                .get("org.opencontainers.image.description")
                .map(String::as_str),
            Some("Random UUIDs over HTTP")
        );
    }

    #[test]
    fn rejects_empty_files() {
        for text in ["", "\n\n", "# syntax=myorg/gostage\n", "---\n", "~\n"] {
            let diagnostic = assert_error(text, 1, 1, "the spec is empty");
            assert!(help(&diagnostic).contains("version: 1"));
        }
    }

    #[test]
    fn rejects_documents_that_are_not_mappings() {
        assert_error(
            "# syntax=myorg/gostage\n- version: 1\n",
            2,
            1,
            "the spec must be a mapping of keys such as `version` and `main`, found a list",
        );
        assert_error(
            "version 1\n",
            1,
            1,
            "the spec must be a mapping of keys such as `version` and `main`, found the string \"version 1\"",
        );
    }

    #[test]
    fn reports_invalid_yaml_where_it_is() {
        assert_error(
            "version: 1\nimage:\n  ports: [8080\n",
            3,
            10,
            "invalid YAML: unclosed bracket '['",
        );
        assert_error(
            "version: 1\n  main: .\n",
            2,
            7,
            "invalid YAML: mapping values are not allowed in this context",
        );
        assert_error(
            "version: 1\n---\nversion: 1\n",
            3,
            1,
            "the spec holds more than one YAML document",
        );
        assert_error(
            "version: 1\nmain: \"./cmd\n",
            2,
            7,
            "invalid YAML: unclosed quote",
        );
    }

    #[test]
    fn reports_repeated_keys_with_their_path() {
        assert_error(
            "version: 1\nimage:\n  user: \"1\"\n  ports: [1]\n  user: \"2\"\n",
            5,
            3,
            "`image.user` is written twice",
        );
        assert_error(
            "version: 1\nversion: 1\n",
            2,
            1,
            "`version` is written twice",
        );
    }

    #[test]
    fn rejects_text_that_is_not_utf8() {
        let diagnostic = match parse(&[b'v', 0xff, 0xfe, b':', b' ', b'1']) {
            Ok(spec) => panic!("parsed {spec:?}"),
            Err(diagnostic) => diagnostic,
        };
        assert_eq!(diagnostic.message, "the spec is not valid UTF-8 text");
    }

    #[test]
    fn accepts_a_byte_order_mark() {
        assert_eq!(parse_ok("\u{feff}version: 1\n").version, 1);
    }

    #[test]
    fn never_panics_on_truncated_or_mangled_specs() {
        let full = include_str!("../../../examples/uuid-service/gostage.yaml");
        for end in 0..=full.len() {
            if let Some(prefix) = full.get(..end) {
                let _ = parse(prefix.as_bytes());
            }
        }
        for garbage in [
            "{",
            "[",
            "]",
            ":",
            "- -",
            "? ",
            "&a",
            "*a",
            "!!binary x",
            "version: !!str",
            "version: 18446744073709551616",
            "version: -1",
            "<<: {version: 1}",
            "\t",
            "version: 1\nimage: {ports: [\"\"]}",
            "version: 1\nbinaries: [[]]",
        ] {
            let _ = parse(garbage.as_bytes());
        }
        let deep = format!(
            "version: 1\nimage: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let _ = parse(deep.as_bytes());
        let deep_block: String = (0..5_000)
            .map(|depth| format!("{}- \n", "  ".repeat(depth)))
            .collect();
        let _ = parse(deep_block.as_bytes());
    }

    #[test]
    fn limits_nesting() {
        let nested: String = (0..40)
            .map(|depth| format!("{}- \n", "  ".repeat(depth)))
            .collect();
        let diagnostic = assert_error(
            &nested,
            33,
            65,
            "the spec is too large or nests too deeply for gostage",
        );
        assert!(help(&diagnostic).contains("binaries[0].main"));
    }
}
