//! Why the modules of a build cannot be placed in its context, each at the line and column
//! of the file whose text causes it, with the fix.

use crate::vocabulary::{Diagnostic, Located, Span};

/// A layout that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// The main module's directory has no go.mod (placed at `module:`, or at the spec's
    /// first key when `module:` is not written).
    #[error("{}", .0.diagnostic(&[]).message)]
    NoGoMod(NoGoMod),
    /// A problem placed in the spec (the main module is not part of the workspace that
    /// contains it).
    #[error("{0}")]
    Spec(Diagnostic),
    /// A problem in a go.mod or go.work of the context, at its position.
    #[error("{}", .0.render(&.0.path))]
    File(FileProblem),
}

/// The main module's directory has no go.mod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoGoMod {
    /// `module:` as validated (`.` at line 0 when not written).
    pub module: Located<String>,
    /// Where the spec's first key is, for a `module:` that is not written.
    pub document: Span,
}

impl NoGoMod {
    /// The diagnostic, with `modules_below`, the directories just under the context's root
    /// that hold a go.mod, as the fix when a reader found some (empty when it did not look).
    pub fn diagnostic(&self, modules_below: &[String]) -> Diagnostic {
        let suggestion = match modules_below {
            [] => String::new(),
            [only] => format!("; `{only}/go.mod` exists: set `module: {only}`"),
            several => format!(
                "; {} have a go.mod: set `module:` to the one to build",
                several
                    .iter()
                    .map(|directory| format!("`{directory}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if self.module.span.line == 0 {
            Diagnostic::new(self.document, "the build context has no go.mod").with_help(format!(
                "pass the module root (the directory with go.mod) as the build context, or \
                 set `module:` to the directory of go.mod inside the context, or run `go mod \
                 init`{suggestion}"
            ))
        } else {
            Diagnostic::new(
                self.module.span,
                format!(
                    "`module: {}` names a directory without go.mod in the build context",
                    self.module.value
                ),
            )
            .with_help(format!(
                "write the directory of go.mod relative to the build context (`.` is its \
                 root), and check that .dockerignore does not hide it{suggestion}"
            ))
        }
    }
}

/// A problem at a position of a go.mod or go.work of the context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// The file's path in the context (`svc/go.mod`, `go.work`).
    pub path: String,
    /// The whole file, for a source snippet.
    pub data: Vec<u8>,
    /// What is wrong and where (line 0: the file as a whole).
    pub diagnostic: Diagnostic,
}

impl FileProblem {
    /// `SHOWN:LINE:COLUMN: message; help` (`SHOWN: message; help` for the file as a
    /// whole), with `shown` the name to print for the file (the context path, or its path
    /// on disk).
    pub fn render(&self, shown: &str) -> String {
        match self.diagnostic.span.line {
            0 => {
                let mut text = format!("{shown}: {}", self.diagnostic.message);
                if let Some(help) = &self.diagnostic.help {
                    text.push_str("; ");
                    text.push_str(help);
                }
                text
            }
            _ => self.diagnostic.render(shown),
        }
    }
}

impl LayoutError {
    /// The message with every file named by `shown` (given a context path, the name to
    /// print), and a spec problem placed in `spec_filename`.
    pub fn render(&self, spec_filename: &str, shown: impl Fn(&str) -> String) -> String {
        match self {
            LayoutError::NoGoMod(missing) => missing.diagnostic(&[]).render(spec_filename),
            LayoutError::Spec(diagnostic) => diagnostic.render(spec_filename),
            LayoutError::File(problem) => problem.render(&shown(&problem.path)),
        }
    }
}
