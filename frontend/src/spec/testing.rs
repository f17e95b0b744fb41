//! Helpers for the spec's unit tests.

use super::{parse, Spec};
use crate::vocabulary::Diagnostic;
use crate::vocabulary::Span;

/// Parses `text`, failing the test with the rendered diagnostic if it does not parse.
pub(crate) fn parse_ok(text: &str) -> Spec {
    match parse(text.as_bytes()) {
        Ok(spec) => spec,
        Err(diagnostic) => panic!(
            "should parse:\n{text}\n{}",
            diagnostic.render("gostage.yaml")
        ),
    }
}

/// Parses `text`, failing the test if it parses, and returns the diagnostic.
pub(crate) fn parse_err(text: &str) -> Diagnostic {
    match parse(text.as_bytes()) {
        Ok(spec) => panic!("should not parse:\n{text}\n{spec:#?}"),
        Err(diagnostic) => diagnostic,
    }
}

/// Asserts where the diagnostic for `text` points and what its message says.
pub(crate) fn assert_error(text: &str, line: u32, column: u32, message: &str) -> Diagnostic {
    let diagnostic = parse_err(text);
    assert_eq!(
        (diagnostic.span, diagnostic.message.as_str()),
        (Span { line, column }, message),
        "for:\n{text}\nhelp: {:?}",
        diagnostic.help
    );
    diagnostic
}

/// The help text of a diagnostic, or an empty string.
pub(crate) fn help(diagnostic: &Diagnostic) -> &str {
    diagnostic.help.as_deref().unwrap_or_default()
}
