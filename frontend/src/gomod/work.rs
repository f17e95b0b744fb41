//! go.work: the workspace file that names the modules built together.
//!
//! Grammar: <https://go.dev/ref/mod#go-work-file>; syntax as go.mod's, and the directives'
//! rules from golang.org/x/mod `modfile/work.go` (`ParseWork`) and `modfile/rule.go`
//! (`WorkFile.add`). `godebug` and unknown directives are ignored, so newer files still
//! parse.

use super::directives::{
    check_go_version, from_fault, line_of, record_once, refuse_block, toolchain_version, Fault,
    Once,
};
use super::replace::{Replace, ReplaceError};
use super::statements::{Statement, Statements};
use super::DirectiveLines;
use crate::vocabulary::Span;

/// Facts from a go.work file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoWork {
    /// The `go` directive's version (e.g. `1.23` or `1.23.4`), if present.
    pub go: Option<String>,
    /// The `toolchain` directive's version without the `go` prefix (e.g. `1.23.4`), if
    /// present.
    pub toolchain: Option<String>,
    /// 1-based lines of the `go` and `toolchain` directives (0 when absent).
    pub lines: DirectiveLines,
    /// The `use` directives, in file order: each names a directory holding a module of
    /// the workspace.
    pub uses: Vec<Use>,
    /// The `replace` directives, in file order. They apply to the whole workspace, and a
    /// relative directory is relative to go.work's directory.
    pub replaces: Vec<Replace>,
}

/// One `use` directive (<https://go.dev/ref/mod#go-work-file-use>).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The module's directory as written (e.g. `./svc` or `.`), unquoted; relative to
    /// go.work's directory (see [`super::resolve_in_context`]).
    pub path: String,
    /// Where the path starts (its opening quote, when quoted): 1-based line and column in
    /// characters.
    pub span: Span,
}

/// A go.work that cannot be used. Line numbers are 1-based; messages start with `line N:`
/// and leave naming the file to the caller (`go.work: line 3: …`). The variants shared
/// with go.mod have the same names as [`super::GoModError`]'s.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GoWorkError {
    /// go.work is not UTF-8 text.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// A directive that needs one value has none (a bare `go`, `toolchain` or `use`).
    #[error("line {line}: `{directive}` needs a value")]
    MissingValue {
        /// Line of the directive.
        line: usize,
        /// The directive's keyword (`go`, `toolchain` or `use`).
        directive: String,
    },
    /// A directive that takes one value has more (`use ./a ./b`: one directory per line).
    #[error("line {line}: `{directive}` takes one value, found also `{extra}`")]
    ExtraValue {
        /// Line of the directive.
        line: usize,
        /// The directive's keyword.
        directive: String,
        /// The first unexpected token.
        extra: String,
    },
    /// `go ( … )` or `toolchain ( … )`: these directives cannot be blocks.
    #[error("line {line}: `{directive}` cannot be a `( … )` block")]
    Block {
        /// Line of the directive.
        line: usize,
        /// The directive's keyword.
        directive: String,
    },
    /// `go` or `toolchain` appears twice.
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
    /// A double-quoted string that is not a Go string literal (a bad escape).
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
    /// A `replace` directive that cannot be read.
    #[error(transparent)]
    Replace(#[from] ReplaceError),
}

from_fault!(GoWorkError);

/// Parses go.work bytes.
///
/// Errors: see [`GoWorkError`]; every error about a line carries its 1-based number, and
/// the first problem in file order is the one reported. A go.work without `use` parses
/// (the go command accepts it too); whether it fits the build is the caller's decision.
pub fn parse_work(bytes: &[u8]) -> Result<GoWork, GoWorkError> {
    let text = std::str::from_utf8(bytes).map_err(|_| GoWorkError::NotUtf8)?;
    let mut go: Once = None;
    let mut toolchain: Once = None;
    let mut uses = Vec::new();
    let mut replaces = Vec::new();

    for statement in Statements::new(text) {
        match statement? {
            Statement::BlockStart { keyword } => {
                if matches!(keyword.text.as_str(), "go" | "toolchain") {
                    return Err(refuse_block(&keyword).into());
                }
            }
            Statement::Line { keyword, arguments } => match keyword.text.as_str() {
                "go" => record_once(&mut go, &keyword, &arguments)?,
                "toolchain" => record_once(&mut toolchain, &keyword, &arguments)?,
                "use" => uses.push(use_directive(&keyword, &arguments)?),
                "replace" => replaces.push(Replace::parse(&keyword, &arguments)?),
                _ => {}
            },
        }
    }

    check_go_version(&go)?;
    let lines = DirectiveLines {
        go: line_of(&go),
        toolchain: line_of(&toolchain),
    };
    Ok(GoWork {
        go: go.map(|(_, version)| version),
        toolchain: toolchain_version(&toolchain)?,
        lines,
        uses,
        replaces,
    })
}

/// One `use` directive's directory: exactly one path per directive or block line
/// (`WorkFile.add` in `modfile/rule.go`).
fn use_directive(
    keyword: &super::lexer::Token,
    arguments: &[super::lexer::Token],
) -> Result<Use, Fault> {
    match arguments {
        [path] => Ok(Use {
            path: path.text.clone(),
            span: path.span(),
        }),
        [] => Err(Fault::MissingValue {
            line: keyword.line,
            directive: keyword.text.clone(),
        }),
        [first, extra, ..] => Err(Fault::ExtraValue {
            line: first.line,
            directive: keyword.text.clone(),
            extra: extra.text.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gomod::ReplaceTarget;

    fn work(text: &str) -> GoWork {
        match parse_work(text.as_bytes()) {
            Ok(work) => work,
            Err(error) => panic!("{text:?} should parse: {error}"),
        }
    }

    fn uses(work: &GoWork) -> Vec<(&str, u32, u32)> {
        work.uses
            .iter()
            .map(|used| (used.path.as_str(), used.span.line, used.span.column))
            .collect()
    }

    #[test]
    fn reads_a_workspace_as_go_work_init_and_use_write_it() {
        // The layout `go work init` then `go work use -r .` writes, with a comment, a
        // quoted path and a workspace-wide replacement.
        let text = "go 1.23.4\n\
                    \n\
                    toolchain go1.24.1\n\
                    \n\
                    // Services and their shared library.\n\
                    use (\n\
                    \t./services/api\n\
                    \t./services/worker // batch jobs\n\
                    \t\"./libs/with space\"\n\
                    \n\
                    \t./tools\n\
                    )\n\
                    \n\
                    use .\n\
                    \n\
                    godebug (\n\
                    \tdefault=go1.21\n\
                    )\n\
                    replace example.com/shared v1.2.0 => ./libs/shared\n";
        let parsed = work(text);
        assert_eq!(parsed.go.as_deref(), Some("1.23.4"));
        assert_eq!(parsed.toolchain.as_deref(), Some("1.24.1"));
        assert_eq!(
            parsed.lines,
            DirectiveLines {
                go: 1,
                toolchain: 3
            }
        );
        assert_eq!(
            uses(&parsed),
            vec![
                ("./services/api", 7, 2),
                ("./services/worker", 8, 2),
                ("./libs/with space", 9, 2),
                ("./tools", 11, 2),
                (".", 14, 5),
            ]
        );
        assert_eq!(parsed.replaces.len(), 1);
        assert_eq!(
            parsed.replaces[0].target,
            ReplaceTarget::Directory("./libs/shared".to_string())
        );
        assert_eq!(parsed.replaces[0].old_version.as_deref(), Some("v1.2.0"));
        assert_eq!(
            parsed.replaces[0].target_span,
            Span {
                line: 19,
                column: 38
            }
        );
    }

    #[test]
    fn ignores_unknown_directives_and_accepts_empty_files() {
        assert_eq!(work(""), GoWork::default());
        let parsed = work("go 1.22\nfuture-directive x y z\nfuture ( \n a\n)\nuse ( )\n");
        assert_eq!(parsed.go.as_deref(), Some("1.22"));
        assert!(parsed.uses.is_empty());
    }

    #[test]
    fn reports_errors_with_line_numbers() {
        let cases = [
            (
                "use\n",
                GoWorkError::MissingValue {
                    line: 1,
                    directive: "use".to_string(),
                },
            ),
            (
                "go 1.23\nuse (\n\t./a ./b\n)\n",
                GoWorkError::ExtraValue {
                    line: 3,
                    directive: "use".to_string(),
                    extra: "./b".to_string(),
                },
            ),
            (
                "go 1.23\ngo 1.24\n",
                GoWorkError::Repeated {
                    line: 2,
                    first_line: 1,
                    directive: "go".to_string(),
                },
            ),
            (
                "toolchain (\n)\n",
                GoWorkError::Block {
                    line: 1,
                    directive: "toolchain".to_string(),
                },
            ),
            ("use (\n\t./a\n", GoWorkError::UnclosedBlock { line: 1 }),
            ("use \"./a\n", GoWorkError::UnterminatedString { line: 1 }),
            (
                "use \"./\\q\"\n",
                GoWorkError::InvalidQuotedString { line: 1, column: 5 },
            ),
            (
                "go1.23\n\ngo x\n",
                GoWorkError::InvalidGoVersion {
                    line: 3,
                    version: "x".to_string(),
                },
            ),
            (
                "toolchain 1.23\n",
                GoWorkError::InvalidToolchain {
                    line: 1,
                    toolchain: "1.23".to_string(),
                },
            ),
            (
                "go 1.23\nreplace (\n\texample.com/a => example.com/b\n)\n",
                GoWorkError::Replace(ReplaceError::ModuleWithoutVersion {
                    line: 3,
                    column: 19,
                    path: "example.com/b".to_string(),
                }),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_work(text.as_bytes()), Err(expected), "for {text:?}");
        }
        assert_eq!(parse_work(&[0xff]), Err(GoWorkError::NotUtf8));
    }
}
