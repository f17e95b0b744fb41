//! The go.mod and go.work facts gostage needs.
//!
//! From go.mod: the module path, the `go` and `toolchain` directives, whether it requires
//! modules, and its `replace` directives. From go.work ([`parse_work`]): `go`, `toolchain`,
//! `use` and `replace`. [`resolve_in_context`] places a local directory they name inside the
//! build context.
//!
//! These are not full parsers: `require`, `exclude`, `retract`, `godebug` and the other
//! directives (and their `( … )` blocks) are skipped, module paths and versions are not
//! checked (the go command does, in the build), and unknown directives are ignored so newer
//! files still parse. Grammar: <https://go.dev/ref/mod#go-mod-file> and
//! <https://go.dev/ref/mod#go-work-file>; the syntax is golang.org/x/mod `modfile/read.go`'s
//! and the directives' rules `modfile/rule.go`'s.
//!
//! Files: `lexer` (tokens with positions), `statements` (lines and blocks as directives),
//! `directives` (what both files share), `replace`, `work` (go.work), `context_path`,
//! `position` (where an error is), `version` (Go release order).

use std::cmp::Ordering;

mod context_path;
mod directives;
mod lexer;
mod position;
mod replace;
mod statements;
mod version;
mod work;

pub use context_path::{resolve_in_context, OutsideContext};
pub use replace::{Replace, ReplaceError, ReplaceTarget};
pub use work::{parse_work, GoWork, Use};

use directives::{check_go_version, line_of, record_once, refuse_block, toolchain_version, Once};
use statements::{Statement, Statements};
use version::GoVersion;

/// Facts from a go.mod file (grammar: <https://go.dev/ref/mod#go-mod-file>).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModule {
    /// The module path from the `module` directive.
    pub path: String,
    /// The `go` directive's version (e.g. `1.23` or `1.23.4`), if present.
    pub go: Option<String>,
    /// The `toolchain` directive's version without the `go` prefix (e.g. `1.23.4`), if present.
    pub toolchain: Option<String>,
    /// 1-based lines of the `go` and `toolchain` directives (0 when absent), for messages
    /// that name them.
    pub lines: DirectiveLines,
    /// Whether go.mod has a `require` directive (so the build needs go.sum).
    pub requires: bool,
    /// The module paths its `require` directives name (single lines and block lines
    /// alike), in file order, unquoted, without their versions.
    pub required: Vec<String>,
    /// The `replace` directives, in file order (single lines and block lines alike).
    pub replaces: Vec<Replace>,
}

/// Where the `go` and `toolchain` directives are in go.mod (1-based; 0 = absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectiveLines {
    /// Line of `go`.
    pub go: u32,
    /// Line of `toolchain`.
    pub toolchain: u32,
}

impl GoModule {
    /// The `major.minor` (e.g. `1.23`) of the newer of the `go` and `toolchain` versions, or
    /// `None` when go.mod has neither. Used to derive the default builder image
    /// `golang:<major.minor>`.
    ///
    /// Example: `go 1.22` with `toolchain go1.23.4` gives `1.23`.
    pub fn go_minor(&self) -> Option<String> {
        let go = self.go.as_deref().and_then(GoVersion::parse);
        let toolchain = self.toolchain.as_deref().and_then(GoVersion::parse);
        let newest = match (go, toolchain) {
            (Some(go), Some(toolchain)) => match go.cmp(&toolchain) {
                Ordering::Less => toolchain,
                Ordering::Equal | Ordering::Greater => go,
            },
            (Some(only), None) | (None, Some(only)) => only,
            (None, None) => return None,
        };
        Some(newest.major_minor())
    }
}

/// Whether Go version `older` sorts before `newer` in Go's release order (`1.22` < `1.23rc1`
/// < `1.23.0` < `1.23.4`); `None` when either is not a Go version.
pub fn is_older(older: &str, newer: &str) -> Option<bool> {
    Some(GoVersion::parse(older)? < GoVersion::parse(newer)?)
}

/// The `major.minor` part of a Go version such as `1.23.4`, `1.23` or `1.24rc1` (giving
/// `1.23`, `1.23` and `1.24`), or `None` when `version` is not a Go version.
pub fn major_minor(version: &str) -> Option<String> {
    GoVersion::parse(version).map(|parsed| parsed.major_minor())
}

/// A go.mod or go.work that cannot be used: both files have one syntax and check their `go`,
/// `toolchain` and `replace` directives alike (golang.org/x/mod `modfile/rule.go`), so one
/// error type serves both; only go.mod can lack its `module`. Line numbers are 1-based;
/// messages start with `line N:` and leave naming the file to the caller
/// (`go.mod: line 3: …`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GoModError {
    /// go.mod is not UTF-8 text.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// go.mod has no `module` directive.
    #[error("no `module` directive")]
    MissingModule,
    /// A directive that needs one value has none (e.g. a bare `module`).
    #[error("line {line}: `{directive}` needs a value")]
    MissingValue {
        /// Line of the directive.
        line: usize,
        /// The directive's keyword (`module`, `go` or `toolchain`).
        directive: String,
    },
    /// A directive that takes one value has more.
    #[error("line {line}: `{directive}` takes one value, found also `{extra}`")]
    ExtraValue {
        /// Line of the directive.
        line: usize,
        /// The directive's keyword.
        directive: String,
        /// The first unexpected token.
        extra: String,
    },
    /// `module ( … )`, `go ( … )` or `toolchain ( … )`: these directives cannot be blocks.
    #[error("line {line}: `{directive}` cannot be a `( … )` block")]
    Block {
        /// Line of the directive.
        line: usize,
        /// The directive's keyword.
        directive: String,
    },
    /// The same single-use directive appears twice.
    #[error("line {line}: repeated `{directive}` directive (first on line {first_line})")]
    Repeated {
        /// Line of the second occurrence.
        line: usize,
        /// Line of the first occurrence.
        first_line: usize,
        /// The directive's keyword.
        directive: String,
    },
    /// A quoted string without its closing quote.
    #[error("line {line}: unterminated quoted string")]
    UnterminatedString {
        /// Line of the opening quote.
        line: usize,
    },
    /// A double-quoted string that is not a Go string literal: an escape Go does not have
    /// (`\q`, `\'`) or escapes that do not make UTF-8 text (`\xff`).
    #[error(
        "line {line}, column {column}: the quoted string is not a Go string literal \
         (check its backslash escapes)"
    )]
    InvalidQuotedString {
        /// Line of the string.
        line: usize,
        /// 1-based column of its opening quote, in characters.
        column: usize,
    },
    /// A `( … )` block that is never closed.
    #[error("line {line}: `(` block is never closed")]
    UnclosedBlock {
        /// Line of the opening `(`.
        line: usize,
    },
    /// The `go` directive's value is not a Go version such as `1.23` or `1.23.4`.
    #[error("line {line}: `go {version}` is not a Go version such as `1.23` or `1.23.4`")]
    InvalidGoVersion {
        /// Line of the directive.
        line: usize,
        /// The value as written.
        version: String,
    },
    /// The `toolchain` directive's value is not a toolchain name such as `go1.23.4`.
    #[error("line {line}: `toolchain {toolchain}` is not a toolchain name such as `go1.23.4`")]
    InvalidToolchain {
        /// Line of the directive.
        line: usize,
        /// The value as written.
        toolchain: String,
    },
    /// A `replace` directive that is not `old [version] => new version` or
    /// `old [version] => ../local/directory`.
    #[error(transparent)]
    Replace(#[from] ReplaceError),
}

/// Parses go.mod bytes into the facts gostage needs.
///
/// Errors: see [`GoModError`]; every error about a line carries its 1-based number (and,
/// for a quoted string or a `replace` directive, its column), and the first problem in file
/// order is the one reported.
pub fn parse(bytes: &[u8]) -> Result<GoModule, GoModError> {
    let text = std::str::from_utf8(bytes).map_err(|_| GoModError::NotUtf8)?;
    let mut module: Once = None;
    let mut go: Once = None;
    let mut toolchain: Once = None;
    let mut requires = false;
    let mut required = Vec::new();
    let mut replaces = Vec::new();

    for statement in Statements::new(text) {
        match statement? {
            Statement::BlockStart { keyword } => match keyword.text.as_str() {
                "module" | "go" | "toolchain" => return Err(refuse_block(&keyword)),
                "require" => requires = true,
                _ => {}
            },
            Statement::Line { keyword, arguments } => {
                let slot = match keyword.text.as_str() {
                    "module" => &mut module,
                    "go" => &mut go,
                    "toolchain" => &mut toolchain,
                    "require" => {
                        requires = true;
                        required.extend(arguments.first().map(|path| path.text.clone()));
                        continue;
                    }
                    "replace" => {
                        replaces.push(Replace::parse(&keyword, &arguments)?);
                        continue;
                    }
                    _ => continue,
                };
                record_once(slot, &keyword, &arguments)?;
            }
        }
    }

    let (_, path) = module.clone().ok_or(GoModError::MissingModule)?;
    check_go_version(&go)?;
    let lines = DirectiveLines {
        go: line_of(&go),
        toolchain: line_of(&toolchain),
    };
    Ok(GoModule {
        path,
        go: go.map(|(_, version)| version),
        toolchain: toolchain_version(&toolchain)?,
        lines,
        requires,
        required,
        replaces,
    })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod cross_check;
