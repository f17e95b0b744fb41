//! Where a go.mod or go.work error is, for callers that name the file and put the position
//! in front (`svc/go.mod:7:24: …`) rather than after it (`go.mod: line 7, column 24: …`).

use super::{GoModError, ReplaceError};
use crate::vocabulary::Span;

impl ReplaceError {
    /// The 1-based line and column (in characters) of the directive or target at fault.
    pub fn span(&self) -> Span {
        let (line, column) = match self {
            ReplaceError::Usage { line, column }
            | ReplaceError::ModuleWithoutVersion { line, column, .. }
            | ReplaceError::PathAtVersion { line, column, .. }
            | ReplaceError::DirectoryWithVersion { line, column, .. }
            | ReplaceError::WindowsDirectory { line, column, .. } => (*line, *column),
        };
        span(line, column)
    }
}

impl GoModError {
    /// Where the problem is: 1-based line, and column in characters (1 when the error
    /// knows only the line); `None` for a problem of the whole file (not UTF-8, no
    /// `module` directive). The same for go.work, whose errors are go.mod's.
    pub fn span(&self) -> Option<Span> {
        match self {
            GoModError::NotUtf8 | GoModError::MissingModule => None,
            GoModError::MissingValue { line, .. }
            | GoModError::ExtraValue { line, .. }
            | GoModError::Block { line, .. }
            | GoModError::Repeated { line, .. }
            | GoModError::UnterminatedString { line }
            | GoModError::UnclosedBlock { line }
            | GoModError::InvalidGoVersion { line, .. }
            | GoModError::InvalidToolchain { line, .. } => Some(span(*line, 1)),
            GoModError::InvalidQuotedString { line, column } => Some(span(*line, *column)),
            GoModError::Replace(error) => Some(error.span()),
        }
    }

    /// The message without its leading `line N: ` or `line N, column C: `.
    pub fn message(&self) -> String {
        without_position(&self.to_string())
    }
}

/// A span from the parsers' `usize` positions (a file of more than 4 billion lines is not
/// a go.mod: such a position saturates).
fn span(line: usize, column: usize) -> Span {
    Span {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// `text` without the `line N: ` or `line N, column C: ` every positioned message of
/// [`GoModError`] starts with (go.mod and go.work alike).
fn without_position(text: &str) -> String {
    let Some(rest) = text.strip_prefix("line ") else {
        return text.to_string();
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    match rest.split_once(": ") {
        Some((position, message)) if position.split(", column ").all(digits) => message.to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::gomod::{parse, parse_work};
    use crate::vocabulary::Span;

    #[test]
    fn errors_give_their_position_and_a_message_without_it() {
        let error = parse(b"module m\n\nreplace example.com/lib => example.com/fork\n")
            .expect_err("no version");
        assert_eq!(
            error.span(),
            Some(Span {
                line: 3,
                column: 28
            })
        );
        assert_eq!(
            error.message(),
            "replacement module `example.com/fork` needs a version (`example.com/fork \
             v1.2.3`); a local directory starts with `./`, `../` or `/`"
        );
        let error = parse(b"module m\ngo 1.23\ngo 1.24\n").expect_err("repeated");
        assert_eq!(error.span(), Some(Span { line: 3, column: 1 }));
        assert_eq!(error.message(), "repeated `go` directive (first on line 2)");
        let error = parse(b"go 1.23\n").expect_err("no module");
        assert_eq!(
            (error.span(), error.message()),
            (None, "no `module` directive".to_string())
        );

        let error = parse_work(b"go 1.23\nuse \"./\\q\"\n").expect_err("bad string");
        assert_eq!(error.span(), Some(Span { line: 2, column: 5 }));
        assert_eq!(
            error.message(),
            "the quoted string is not a Go string literal (check its backslash escapes)"
        );
    }
}
