//! A user-facing problem in the spec, with the position it concerns.

use super::Span;

/// One problem in `gostage.yaml`: where, what, and how to fix it.
///
/// Rendered as `FILE:LINE:COLUMN: message` (the form compilers use, and the only form the
/// Docker 20.10 CLI shows, since it prints no source snippets).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    /// Where the problem is (1-based).
    pub span: Span,
    /// What is wrong, in one sentence, without the location.
    pub message: String,
    /// How to fix it, if there is a clear fix.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` with `message` and no help text.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            help: None,
        }
    }

    /// Adds the fix to show after the message.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `FILE:LINE:COLUMN: message (help)`, the one-line form for error messages.
    pub fn render(&self, filename: &str) -> String {
        let mut text = format!(
            "{filename}:{}:{}: {}",
            self.span.line, self.span.column, self.message
        );
        if let Some(help) = &self.help {
            text.push_str("; ");
            text.push_str(help);
        }
        text
    }
}
