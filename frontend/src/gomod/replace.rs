//! `replace` directives, which go.mod and go.work write alike.
//!
//! Grammar (<https://go.dev/ref/mod#go-mod-file-replace>):
//! `ReplaceSpec = ModulePath [ Version ] "=>" FilePath newline
//!              | ModulePath [ Version ] "=>" ModulePath Version newline .`
//! as a single `replace …` line or the lines of a `replace ( … )` block. The checks follow
//! golang.org/x/mod `modfile/rule.go` (`parseReplace`), except that module paths and
//! versions are not checked: the go command checks (or canonicalises) them in the build.

use super::lexer::Token;
use crate::vocabulary::Span;

/// One `replace` directive: `old [version] => target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replace {
    /// The module path being replaced (left of `=>`), unquoted.
    pub old_path: String,
    /// The version on the left of `=>`, when only that version is replaced; `None`
    /// replaces every version.
    pub old_version: Option<String>,
    /// What replaces it (right of `=>`).
    pub target: ReplaceTarget,
    /// Where the directive's first token (the old module path) starts: 1-based line and
    /// column in characters.
    pub span: Span,
    /// Where the target's path starts (its opening quote, when quoted), so an error about
    /// the target can point at it.
    pub target_span: Span,
}

/// The right side of a `replace` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplaceTarget {
    /// Another module at a version, fetched like any requirement.
    Module {
        /// The module path, unquoted.
        path: String,
        /// Its version as written (e.g. `v1.4.0`).
        version: String,
    },
    /// A local directory that holds the module, as written (e.g. `../lib`). A relative
    /// path is relative to the directory of the file that names it (go.mod's module, or
    /// go.work's workspace); see [`super::resolve_in_context`].
    Directory(String),
}

/// A `replace` directive that cannot be read. Line and column are 1-based (column in
/// characters); messages start with `line N, column C:` and leave naming the file to the
/// caller.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReplaceError {
    /// Not `old [version] => new [version]`: no `=>` after the old path and its optional
    /// version, or nothing or too much after it (the `=>` also needs spaces around it).
    #[error(
        "line {line}, column {column}: a replacement is written \
         `module/path [v1.2.3] => other/module v1.4.0` or \
         `module/path [v1.2.3] => ../local/directory`, with spaces around `=>`"
    )]
    Usage {
        /// Line of the directive.
        line: usize,
        /// Column of its first token.
        column: usize,
    },
    /// The target is a module path without a version.
    #[error(
        "line {line}, column {column}: replacement module `{path}` needs a version \
         (`{path} v1.2.3`); a local directory starts with `./`, `../` or `/`"
    )]
    ModuleWithoutVersion {
        /// Line of the target.
        line: usize,
        /// Column of the target.
        column: usize,
        /// The target as written.
        path: String,
    },
    /// The target is written `path@version`.
    #[error(
        "line {line}, column {column}: write the replacement `{path}` as `path version`, \
         not `path@version`"
    )]
    PathAtVersion {
        /// Line of the target.
        line: usize,
        /// Column of the target.
        column: usize,
        /// The target as written.
        path: String,
    },
    /// The target is a local directory followed by a version.
    #[error(
        "line {line}, column {column}: the local directory `{path}` cannot have a version; \
         remove the version"
    )]
    DirectoryWithVersion {
        /// Line of the target.
        line: usize,
        /// Column of the target.
        column: usize,
        /// The directory as written.
        path: String,
    },
    /// The target is a directory written with backslashes, which the go command refuses
    /// outside Windows (and builds run on Linux).
    #[error(
        "line {line}, column {column}: the local directory `{path}` is a Windows path; \
         write it with `/`"
    )]
    WindowsDirectory {
        /// Line of the target.
        line: usize,
        /// Column of the target.
        column: usize,
        /// The directory as written.
        path: String,
    },
}

impl Replace {
    /// Reads one `replace` directive from its `arguments`: the tokens after `keyword` on a
    /// single line, or all the tokens of one line of a `replace ( … )` block.
    ///
    /// Errors: see [`ReplaceError`]; positions are the first argument's (the keyword's when
    /// there is none) or, for errors about the target, the target's.
    pub(super) fn parse(keyword: &Token, arguments: &[Token]) -> Result<Self, ReplaceError> {
        let first = arguments.first().unwrap_or(keyword);
        let usage = || ReplaceError::Usage {
            line: first.line,
            column: first.column,
        };
        // As `parseReplace`: the arrow is the second token, or the third after a version.
        let arrow = match arguments.get(1) {
            Some(token) if token.is_punctuation("=>") => 1,
            _ => 2,
        };
        let arrow_is_there = arguments
            .get(arrow)
            .is_some_and(|token| token.is_punctuation("=>"));
        if !arrow_is_there || !(arrow + 2..=arrow + 3).contains(&arguments.len()) {
            return Err(usage());
        }
        let (Some(target), Some(old)) = (arguments.get(arrow + 1), arguments.first()) else {
            return Err(usage());
        };
        // With the arrow third, the second token is the old version.
        let old_version = match (arrow, arguments.get(1)) {
            (2, Some(version)) => Some(version.text.clone()),
            _ => None,
        };
        let path = target.text.clone();
        let (line, column) = (target.line, target.column);
        let target_value = match arguments.get(arrow + 2) {
            Some(_) if is_directory_path(&path) => {
                return Err(ReplaceError::DirectoryWithVersion { line, column, path })
            }
            Some(version) => ReplaceTarget::Module {
                path,
                version: version.text.clone(),
            },
            None if !is_directory_path(&path) => {
                return Err(if path.contains('@') {
                    ReplaceError::PathAtVersion { line, column, path }
                } else {
                    ReplaceError::ModuleWithoutVersion { line, column, path }
                });
            }
            None if path.contains('\\') => {
                return Err(ReplaceError::WindowsDirectory { line, column, path })
            }
            None => ReplaceTarget::Directory(path),
        };
        Ok(Self {
            old_path: old.text.clone(),
            old_version,
            target: target_value,
            span: old.span(),
            target_span: target.span(),
        })
    }
}

/// Whether a replacement target names a local directory rather than a module: `.` or
/// `..`, or starting with `./`, `../`, `/`, their Windows forms (`.\`, `..\`, `\`), or a
/// drive letter (`C:`). The go command checks every syntax because go.mod files move
/// between systems (golang.org/x/mod `modfile/rule.go`, `IsDirectoryPath`); the Go
/// reference: "If the path on the right side of the arrow is an absolute or relative path
/// (beginning with ./ or ../), it is interpreted as the local file path".
fn is_directory_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    let drive_letter = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    matches!(path, "." | "..")
        || ["./", ".\\", "../", "..\\", "/", "\\"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
        || drive_letter
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    /// `text` (one `replace` line) through [`Replace::parse`].
    fn replace(text: &str) -> Result<Replace, ReplaceError> {
        let tokens = match tokenize(text, 7) {
            Ok(tokens) => tokens,
            Err(fault) => panic!("{text:?} should tokenize: {fault:?}"),
        };
        let (keyword, arguments) = tokens.split_first().unwrap_or_else(|| panic!("empty"));
        Replace::parse(keyword, arguments)
    }

    fn span(line: u32, column: u32) -> Span {
        Span { line, column }
    }

    #[test]
    fn reads_directories_and_modules_with_positions() {
        assert_eq!(
            replace("replace example.com/lib => ../lib"),
            Ok(Replace {
                old_path: "example.com/lib".to_string(),
                old_version: None,
                target: ReplaceTarget::Directory("../lib".to_string()),
                span: span(7, 9),
                target_span: span(7, 28),
            })
        );
        assert_eq!(
            replace("replace golang.org/x/net v0.20.0 => github.com/fork/net v0.21.0 // pinned"),
            Ok(Replace {
                old_path: "golang.org/x/net".to_string(),
                old_version: Some("v0.20.0".to_string()),
                target: ReplaceTarget::Module {
                    path: "github.com/fork/net".to_string(),
                    version: "v0.21.0".to_string(),
                },
                span: span(7, 9),
                target_span: span(7, 37),
            })
        );
        let quoted = replace("replace \"example.com/a b\" => \"./with space\"");
        assert_eq!(
            quoted.map(|parsed| (parsed.old_path, parsed.target, parsed.target_span)),
            Ok((
                "example.com/a b".to_string(),
                ReplaceTarget::Directory("./with space".to_string()),
                span(7, 30)
            ))
        );
    }

    #[test]
    fn directory_targets_follow_is_directory_path() {
        for directory in [".", "..", "./a", "../a", "/srv/a", "C:/a", "c:"] {
            assert_eq!(
                replace(&format!("replace m => {directory}")).map(|parsed| parsed.target),
                Ok(ReplaceTarget::Directory(directory.to_string())),
                "for {directory:?}"
            );
        }
        // A dot that does not start a `.` or `..` component is part of a module path.
        for module in ["example.com/a", ".hidden", "...", "a/./b"] {
            assert!(!is_directory_path(module), "for {module:?}");
        }
        for windows in [".\\a", "..\\a", "\\a"] {
            assert!(is_directory_path(windows), "for {windows:?}");
        }
    }

    #[test]
    fn reports_malformed_directives_where_they_are() {
        let cases = [
            ("replace", ReplaceError::Usage { line: 7, column: 1 }),
            ("replace a", ReplaceError::Usage { line: 7, column: 9 }),
            // `=>` is a token only between spaces, as in Go's lexer.
            (
                "replace a=>../b",
                ReplaceError::Usage { line: 7, column: 9 },
            ),
            (
                "replace a =>../b",
                ReplaceError::Usage { line: 7, column: 9 },
            ),
            (
                "replace a v1 v2 => ../b",
                ReplaceError::Usage { line: 7, column: 9 },
            ),
            (
                "replace a => b v1 v2",
                ReplaceError::Usage { line: 7, column: 9 },
            ),
            (
                "replace a \"=>\" ../b",
                ReplaceError::Usage { line: 7, column: 9 },
            ),
            ("replace a =>", ReplaceError::Usage { line: 7, column: 9 }),
            (
                "replace a => example.com/b",
                ReplaceError::ModuleWithoutVersion {
                    line: 7,
                    column: 14,
                    path: "example.com/b".to_string(),
                },
            ),
            (
                "replace a => example.com/b@v1.0.0",
                ReplaceError::PathAtVersion {
                    line: 7,
                    column: 14,
                    path: "example.com/b@v1.0.0".to_string(),
                },
            ),
            (
                "replace a v1.0.0 => ./b v1.0.0",
                ReplaceError::DirectoryWithVersion {
                    line: 7,
                    column: 21,
                    path: "./b".to_string(),
                },
            ),
            (
                "replace a => ..\\b",
                ReplaceError::WindowsDirectory {
                    line: 7,
                    column: 14,
                    path: "..\\b".to_string(),
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(replace(text), Err(expected), "for {text:?}");
        }
    }

    #[test]
    fn error_messages_name_the_position_and_the_fix() {
        let error = ReplaceError::ModuleWithoutVersion {
            line: 4,
            column: 27,
            path: "example.com/lib".to_string(),
        };
        assert_eq!(
            error.to_string(),
            "line 4, column 27: replacement module `example.com/lib` needs a version \
             (`example.com/lib v1.2.3`); a local directory starts with `./`, `../` or `/`"
        );
    }
}
