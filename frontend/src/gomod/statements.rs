//! go.mod and go.work text as a stream of directives.
//!
//! Both files share one syntax (golang.org/x/mod `modfile/read.go`, `parseStmt` and
//! `parseLineBlock`): a directive is a keyword and its arguments on one line, and
//! `keyword (` followed by the end of the line opens a block whose every line is the same
//! directive's arguments, up to a line that starts with `)`. `keyword ( )` is an empty
//! block. A `(` with more text after it on its line is only an argument, as in Go.

use super::lexer::{tokenize, Token};
use super::GoModError;

/// One directive, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Statement {
    /// `keyword arguments…` on one line, or one line of a `keyword ( … )` block (then
    /// `keyword` is the block's and `arguments` are all of the line's tokens).
    Line {
        /// The directive's keyword, where it is written.
        keyword: Token,
        /// The tokens after it (for a block line: every token of the line).
        arguments: Vec<Token>,
    },
    /// The opening `keyword (` of a block (also an empty `keyword ( )`), so that
    /// directives that cannot be blocks can refuse it. Its lines follow as [`Self::Line`].
    BlockStart {
        /// The block's keyword.
        keyword: Token,
    },
}

/// The directives of a go.mod or go.work text, read line by line so that the first
/// problem in file order is the one reported. Stops after the first error.
pub(super) struct Statements<'text> {
    lines: std::iter::Zip<std::str::Lines<'text>, std::ops::RangeFrom<usize>>,
    /// The keyword of the block being read, if any.
    open_block: Option<Token>,
    finished: bool,
}

impl<'text> Statements<'text> {
    /// The directives of `text`.
    pub fn new(text: &'text str) -> Self {
        Self {
            lines: text.lines().zip(1..),
            open_block: None,
            finished: false,
        }
    }

    fn next_statement(&mut self) -> Result<Option<Statement>, GoModError> {
        loop {
            let Some((line_text, line)) = self.lines.next() else {
                return match self.open_block.take() {
                    Some(keyword) => Err(GoModError::UnclosedBlock { line: keyword.line }),
                    None => Ok(None),
                };
            };
            let tokens = tokenize(line_text, line)?;
            let mut tokens = tokens.into_iter();
            let Some(first) = tokens.next() else {
                continue;
            };
            if let Some(keyword) = &self.open_block {
                if first.is_punctuation(")") {
                    self.open_block = None;
                    continue;
                }
                let mut arguments = vec![first];
                arguments.extend(tokens);
                return Ok(Some(Statement::Line {
                    keyword: keyword.clone(),
                    arguments,
                }));
            }
            let arguments: Vec<Token> = tokens.collect();
            match arguments.as_slice() {
                [open] if open.is_punctuation("(") => {
                    self.open_block = Some(first.clone());
                    return Ok(Some(Statement::BlockStart { keyword: first }));
                }
                [open, close] if open.is_punctuation("(") && close.is_punctuation(")") => {
                    return Ok(Some(Statement::BlockStart { keyword: first }));
                }
                _ => {
                    return Ok(Some(Statement::Line {
                        keyword: first,
                        arguments,
                    }))
                }
            }
        }
    }
}

impl Iterator for Statements<'_> {
    type Item = Result<Statement, GoModError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let next = self.next_statement();
        if !matches!(next, Ok(Some(_))) {
            self.finished = true;
        }
        next.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each statement as `keyword: arguments` or `keyword (`, with the line of its first
    /// argument (or keyword).
    fn outline(text: &str) -> Result<Vec<(usize, String)>, GoModError> {
        Statements::new(text)
            .map(|statement| {
                Ok(match statement? {
                    Statement::Line { keyword, arguments } => {
                        let words: Vec<&str> = arguments.iter().map(|a| a.text.as_str()).collect();
                        let line = arguments.first().map_or(keyword.line, |first| first.line);
                        (line, format!("{}: {}", keyword.text, words.join(" ")))
                    }
                    Statement::BlockStart { keyword } => {
                        (keyword.line, format!("{} (", keyword.text))
                    }
                })
            })
            .collect()
    }

    #[test]
    fn block_lines_become_the_blocks_directive() {
        let text = "module m\n\nreplace (\n\t// comment\n\ta => ../a\n\n\t\")\" v1.0.0 => b v1.2.0\n)\nrequire ( )\ngo 1.23\n";
        assert_eq!(
            outline(text),
            Ok(vec![
                (1, "module: m".to_string()),
                (3, "replace (".to_string()),
                (5, "replace: a => ../a".to_string()),
                // A quoted `)` is a value, not the end of the block.
                (7, "replace: ) v1.0.0 => b v1.2.0".to_string()),
                (9, "require (".to_string()),
                (10, "go: 1.23".to_string()),
            ])
        );
    }

    #[test]
    fn a_parenthesis_with_text_after_it_is_an_argument() {
        assert_eq!(
            outline("replace ( a => ../a )\ngo 1.23\n"),
            Ok(vec![
                (1, "replace: ( a => ../a )".to_string()),
                (2, "go: 1.23".to_string()),
            ])
        );
    }

    #[test]
    fn reports_an_unclosed_block_and_stops_at_the_first_error() {
        assert_eq!(
            outline("module m\nuse (\n\t./a\n"),
            Err(GoModError::UnclosedBlock { line: 2 })
        );
        let mut statements = Statements::new("go 1.23\nmodule \"m\ngo 1.24\n");
        assert!(matches!(
            statements.next(),
            Some(Ok(Statement::Line { .. }))
        ));
        assert_eq!(
            statements.next(),
            Some(Err(GoModError::UnterminatedString { line: 2 }))
        );
        assert_eq!(statements.next(), None);
    }
}
