//! The few go.mod facts gostage needs: the module path, the `go` directive and the
//! `toolchain` directive.
//!
//! This is not a full go.mod parser: `require`, `replace` and the other directives (and their
//! `( … )` blocks) are skipped, and unknown directives are ignored so newer go.mod files still
//! parse. Grammar: <https://go.dev/ref/mod#go-mod-file>.

use std::cmp::Ordering;

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

/// A go.mod that cannot be used. Line numbers are 1-based; messages start with `line N:`
/// and leave naming the file to the caller (`go.mod: line 3: …`).
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
}

/// Parses go.mod bytes into the facts gostage needs.
///
/// Errors: see [`GoModError`]; every error about a line carries its 1-based number.
pub fn parse(bytes: &[u8]) -> Result<GoModule, GoModError> {
    let text = std::str::from_utf8(bytes).map_err(|_| GoModError::NotUtf8)?;
    let mut module: Option<(usize, String)> = None;
    let mut go: Option<(usize, String)> = None;
    let mut toolchain: Option<(usize, String)> = None;
    let mut open_block: Option<usize> = None;
    let mut requires = false;

    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let tokens = tokenize(raw_line, line)?;
        let Some((verb, arguments)) = tokens.split_first() else {
            continue;
        };
        if open_block.is_some() {
            if verb == ")" {
                open_block = None;
            }
            continue;
        }
        let slot = match verb.as_str() {
            "module" => &mut module,
            "go" => &mut go,
            "toolchain" => &mut toolchain,
            other => {
                requires |= other == "require";
                if arguments.first().map(String::as_str) == Some("(") {
                    open_block = Some(line);
                }
                continue;
            }
        };
        let value = single_value(verb, arguments, line)?;
        if let Some((first_line, _)) = slot {
            return Err(GoModError::Repeated {
                line,
                first_line: *first_line,
                directive: verb.clone(),
            });
        }
        *slot = Some((line, value));
    }
    if let Some(line) = open_block {
        return Err(GoModError::UnclosedBlock { line });
    }

    let (_, path) = module.ok_or(GoModError::MissingModule)?;
    if let Some((line, version)) = &go {
        if GoVersion::parse(version).is_none() {
            return Err(GoModError::InvalidGoVersion {
                line: *line,
                version: version.clone(),
            });
        }
    }
    let toolchain_line = toolchain.clone();
    let toolchain = match toolchain {
        None => None,
        Some((line, name)) => match name.strip_prefix("go") {
            Some(version) if GoVersion::parse(version).is_some() => Some(version.to_string()),
            _ => {
                return Err(GoModError::InvalidToolchain {
                    line,
                    toolchain: name,
                })
            }
        },
    };
    let line_of = |directive: &Option<(usize, String)>| {
        directive
            .as_ref()
            .map_or(0, |(line, _)| u32::try_from(*line).unwrap_or(u32::MAX))
    };
    let lines = DirectiveLines {
        go: line_of(&go),
        toolchain: line_of(&toolchain_line),
    };
    Ok(GoModule {
        path,
        go: go.map(|(_, version)| version),
        toolchain,
        lines,
        requires,
    })
}

/// The one value of a `module`, `go` or `toolchain` directive.
fn single_value(verb: &str, arguments: &[String], line: usize) -> Result<String, GoModError> {
    match arguments {
        [] => Err(GoModError::MissingValue {
            line,
            directive: verb.to_string(),
        }),
        [value] if value == "(" => Err(GoModError::Block {
            line,
            directive: verb.to_string(),
        }),
        [value] => Ok(value.clone()),
        [_, extra, ..] => Err(GoModError::ExtraValue {
            line,
            directive: verb.to_string(),
            extra: extra.clone(),
        }),
    }
}

/// Splits one go.mod line into tokens: words, `(`, `)`, and quoted strings (`"…"` with
/// backslash escapes, or `` `…` ``) without their quotes. A `//` outside quotes starts a comment.
fn tokenize(line_text: &str, line: usize) -> Result<Vec<String>, GoModError> {
    let mut tokens = Vec::new();
    let mut characters = line_text.chars().peekable();
    while let Some(&character) = characters.peek() {
        match character {
            _ if character.is_whitespace() => {
                characters.next();
            }
            '(' | ')' => {
                characters.next();
                tokens.push(character.to_string());
            }
            '"' | '`' => {
                characters.next();
                tokens.push(quoted(&mut characters, character, line)?);
            }
            _ => {
                let mut word = String::new();
                while let Some(&next) = characters.peek() {
                    if next.is_whitespace() || matches!(next, '(' | ')' | '"' | '`') {
                        break;
                    }
                    if next == '/' && word.ends_with('/') {
                        word.pop();
                        if !word.is_empty() {
                            tokens.push(word);
                        }
                        return Ok(tokens);
                    }
                    word.push(next);
                    characters.next();
                }
                tokens.push(word);
            }
        }
    }
    Ok(tokens)
}

/// Reads a quoted string after its opening `quote` up to and including the closing one.
fn quoted(
    characters: &mut std::iter::Peekable<std::str::Chars<'_>>,
    quote: char,
    line: usize,
) -> Result<String, GoModError> {
    let mut value = String::new();
    while let Some(character) = characters.next() {
        match character {
            _ if character == quote => return Ok(value),
            '\\' if quote == '"' => match characters.next() {
                Some(escaped) => value.push(escaped),
                None => break,
            },
            _ => value.push(character),
        }
    }
    Err(GoModError::UnterminatedString { line })
}

/// A Go release version: `1.23`, `1.23.4`, `1.24rc1`, `1.21beta1`, optionally followed by a
/// custom toolchain suffix such as `-mycorp` (only allowed after a full version).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct GoVersion {
    major: u32,
    minor: u32,
    stage: Stage,
}

/// Where a version stands in Go's release order (`go/version` in the standard library):
/// betas, then release candidates, then the release and its patches. The variant order is
/// the sort order, so no number is ever combined with another (a huge `rc` number cannot
/// overflow into a patch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// `1.21beta1`.
    Beta(u32),
    /// `1.24rc1`.
    Candidate(u32),
    /// `1.23` (patch 0) or `1.23.4`.
    Release(u32),
}

impl GoVersion {
    fn parse(text: &str) -> Option<Self> {
        let text = text
            .split_once('-')
            .map_or(text, |(version, _suffix)| version);
        let (major, rest) = text.split_once('.')?;
        let major = number(major)?;
        let digits_end = rest
            .find(|character: char| !character.is_ascii_digit())
            .unwrap_or(rest.len());
        let (minor, rest) = rest.split_at(digits_end);
        let minor = number(minor)?;
        let stage = if rest.is_empty() {
            Stage::Release(0)
        } else if let Some(patch) = rest.strip_prefix('.') {
            Stage::Release(number(patch)?)
        } else if let Some(candidate) = rest.strip_prefix("rc") {
            Stage::Candidate(number(candidate)?)
        } else if let Some(beta) = rest.strip_prefix("beta") {
            Stage::Beta(number(beta)?)
        } else {
            return None;
        };
        Some(Self {
            major,
            minor,
            stage,
        })
    }

    fn major_minor(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

/// A non-empty run of ASCII digits as a number.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(text: &str) -> GoModule {
        match parse(text.as_bytes()) {
            Ok(module) => module,
            Err(error) => panic!("{text:?} should parse: {error}"),
        }
    }

    #[test]
    fn parses_the_examples() {
        let hello = module(include_str!("../../examples/hello/go.mod"));
        assert_eq!(hello.path, "example.com/hello");
        assert_eq!(hello.go.as_deref(), Some("1.23"));
        assert_eq!(hello.toolchain, None);
        assert_eq!(hello.go_minor().as_deref(), Some("1.23"));

        let service = module(include_str!("../../examples/uuid-service/go.mod"));
        assert_eq!(service.path, "example.com/uuid-service");
        assert_eq!(service.go.as_deref(), Some("1.23"));
        assert_eq!(service.go_minor().as_deref(), Some("1.23"));
    }

    #[test]
    fn reads_module_go_and_toolchain_past_blocks_and_comments() {
        let text = "// leading comment\n\
                    module \"example.com/quoted\" // trailing comment\n\
                    \n\
                    go 1.22 // minimum\n\
                    toolchain go1.23.4\n\
                    require (\n\
                    \tgithub.com/google/uuid v1.6.0 // indirect\n\
                    \tgo 1.99\n\
                    )\n\
                    replace example.com/a => ../a\n\
                    godebug default=go1.21\n";
        let parsed = module(text);
        assert_eq!(
            parsed,
            GoModule {
                path: "example.com/quoted".to_string(),
                go: Some("1.22".to_string()),
                toolchain: Some("1.23.4".to_string()),
                lines: DirectiveLines {
                    go: 4,
                    toolchain: 5
                },
                requires: true,
            }
        );
        assert!(!module("module m\ngo 1.22\n").requires);
        assert_eq!(is_older("1.22", "1.23rc1"), Some(true));
        assert_eq!(is_older("1.23.4", "1.23.4"), Some(false));
        assert_eq!(is_older("1.23", "x"), None);
        assert_eq!(parsed.go_minor().as_deref(), Some("1.23"));
    }

    #[test]
    fn accepts_raw_quoted_paths_and_comment_only_lines() {
        assert_eq!(module("module `example.com/raw`\n").path, "example.com/raw");
        assert_eq!(
            module("//x\nmodule example.com/m//c\n").path,
            "example.com/m"
        );
        assert_eq!(module("module \"a\\\"b\"\n").path, "a\"b");
        assert_eq!(
            module("module example.com/m\r\ngo 1.21\r\n").go.as_deref(),
            Some("1.21")
        );
    }

    #[test]
    fn go_minor_prefers_the_newer_version() {
        let newer_go = GoModule {
            path: "m".to_string(),
            go: Some("1.24rc1".to_string()),
            toolchain: Some("1.23.4".to_string()),
            ..GoModule::default()
        };
        assert_eq!(newer_go.go_minor().as_deref(), Some("1.24"));
        let only_toolchain = GoModule {
            go: None,
            toolchain: Some("1.21.3-mycorp".to_string()),
            ..newer_go.clone()
        };
        assert_eq!(only_toolchain.go_minor().as_deref(), Some("1.21"));
        let neither = GoModule {
            go: None,
            toolchain: None,
            ..newer_go
        };
        assert_eq!(neither.go_minor(), None);
        assert_eq!(major_minor("1.10.2").as_deref(), Some("1.10"));
        assert_eq!(major_minor("go1.10"), None);
    }

    #[test]
    fn orders_prereleases_before_releases() {
        let parse_version = |text: &str| GoVersion::parse(text);
        assert!(parse_version("1.21beta1") < parse_version("1.21rc1"));
        assert!(parse_version("1.21rc2") < parse_version("1.21.0"));
        // The largest candidate number still sorts before the release, without overflow.
        assert!(parse_version("1.23rc4294967295") < parse_version("1.23"));
        assert!(parse_version("1.23beta4294967295") < parse_version("1.23rc1"));
        assert_eq!(GoVersion::parse("1.23rc4294967296"), None);
        assert!(parse_version("1.21.10") > parse_version("1.21.9"));
        assert!(parse_version("1.9") < parse_version("1.10"));
    }

    #[test]
    fn reports_errors_with_line_numbers() {
        let cases: [(&str, GoModError); 11] = [
            ("", GoModError::MissingModule),
            ("go 1.22\n", GoModError::MissingModule),
            (
                "module (\n  example.com/m\n)\n",
                GoModError::Block {
                    line: 1,
                    directive: "module".to_string(),
                },
            ),
            (
                "\nmodule\n",
                GoModError::MissingValue {
                    line: 2,
                    directive: "module".to_string(),
                },
            ),
            (
                "module a b\n",
                GoModError::ExtraValue {
                    line: 1,
                    directive: "module".to_string(),
                    extra: "b".to_string(),
                },
            ),
            (
                "module a\nmodule b\n",
                GoModError::Repeated {
                    line: 2,
                    first_line: 1,
                    directive: "module".to_string(),
                },
            ),
            ("module \"a\n", GoModError::UnterminatedString { line: 1 }),
            (
                "module a\nrequire (\n b v1\n",
                GoModError::UnclosedBlock { line: 2 },
            ),
            (
                "module a\ngo one\n",
                GoModError::InvalidGoVersion {
                    line: 2,
                    version: "one".to_string(),
                },
            ),
            (
                "module a\n\ntoolchain 1.23.4\n",
                GoModError::InvalidToolchain {
                    line: 3,
                    toolchain: "1.23.4".to_string(),
                },
            ),
            ("\u{0}", GoModError::MissingModule),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text.as_bytes()), Err(expected), "for {text:?}");
        }
        assert_eq!(parse(&[0xff, 0xfe]), Err(GoModError::NotUtf8));
    }

    #[test]
    fn error_messages_name_the_line() {
        let error = GoModError::InvalidToolchain {
            line: 3,
            toolchain: "1.23.4".to_string(),
        };
        assert_eq!(
            error.to_string(),
            "line 3: `toolchain 1.23.4` is not a toolchain name such as `go1.23.4`"
        );
    }
}
