//! go.work: the workspace file that names the modules built together.
//!
//! Grammar: <https://go.dev/ref/mod#go-work-file>; syntax as go.mod's, and the directives'
//! rules from golang.org/x/mod `modfile/work.go` (`ParseWork`) and `modfile/rule.go`
//! (`WorkFile.add`). `godebug` and unknown directives are ignored, so newer files still
//! parse.

use super::directives::{
    check_go_version, line_of, record_once, refuse_block, toolchain_version, Once,
};
use super::replace::Replace;
use super::statements::{Statement, Statements};
use super::DirectiveLines;
use super::GoModError;
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

/// Parses go.work bytes.
///
/// Errors: see [`GoModError`] (go.work's are go.mod's); every error about a line carries its 1-based number, and
/// the first problem in file order is the one reported. A go.work without `use` parses
/// (the go command accepts it too); whether it fits the build is the caller's decision.
pub fn parse_work(bytes: &[u8]) -> Result<GoWork, GoModError> {
    let text = std::str::from_utf8(bytes).map_err(|_| GoModError::NotUtf8)?;
    let mut go: Once = None;
    let mut toolchain: Once = None;
    let mut uses = Vec::new();
    let mut replaces = Vec::new();

    for statement in Statements::new(text) {
        match statement? {
            Statement::BlockStart { keyword } => {
                if matches!(keyword.text.as_str(), "go" | "toolchain") {
                    return Err(refuse_block(&keyword));
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
) -> Result<Use, GoModError> {
    match arguments {
        [path] => Ok(Use {
            path: path.text.clone(),
            span: path.span(),
        }),
        [] => Err(GoModError::MissingValue {
            line: keyword.line,
            directive: keyword.text.clone(),
        }),
        [first, extra, ..] => Err(GoModError::ExtraValue {
            line: first.line,
            directive: keyword.text.clone(),
            extra: extra.text.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gomod::{ReplaceError, ReplaceTarget};

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
                GoModError::MissingValue {
                    line: 1,
                    directive: "use".to_string(),
                },
            ),
            (
                "go 1.23\nuse (\n\t./a ./b\n)\n",
                GoModError::ExtraValue {
                    line: 3,
                    directive: "use".to_string(),
                    extra: "./b".to_string(),
                },
            ),
            (
                "go 1.23\ngo 1.24\n",
                GoModError::Repeated {
                    line: 2,
                    first_line: 1,
                    directive: "go".to_string(),
                },
            ),
            (
                "toolchain (\n)\n",
                GoModError::Block {
                    line: 1,
                    directive: "toolchain".to_string(),
                },
            ),
            ("use (\n\t./a\n", GoModError::UnclosedBlock { line: 1 }),
            ("use \"./a\n", GoModError::UnterminatedString { line: 1 }),
            (
                "use \"./\\q\"\n",
                GoModError::InvalidQuotedString { line: 1, column: 5 },
            ),
            (
                "go1.23\n\ngo x\n",
                GoModError::InvalidGoVersion {
                    line: 3,
                    version: "x".to_string(),
                },
            ),
            (
                "toolchain 1.23\n",
                GoModError::InvalidToolchain {
                    line: 1,
                    toolchain: "1.23".to_string(),
                },
            ),
            (
                "go 1.23\nreplace (\n\texample.com/a => example.com/b\n)\n",
                GoModError::Replace(ReplaceError::ModuleWithoutVersion {
                    line: 3,
                    column: 19,
                    path: "example.com/b".to_string(),
                }),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_work(text.as_bytes()), Err(expected), "for {text:?}");
        }
        assert_eq!(parse_work(&[0xff]), Err(GoModError::NotUtf8));
    }
}
