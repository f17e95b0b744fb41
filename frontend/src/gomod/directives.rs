//! What go.mod and go.work share beyond their syntax: the errors both can have, and the
//! `go` and `toolchain` directives (golang.org/x/mod `modfile/rule.go`, `File.add` and
//! `WorkFile.add`, which check them the same way in both files).

use super::lexer::Token;
use super::replace::ReplaceError;
use super::version::GoVersion;

/// An error that go.mod and go.work share. Each file's public error type
/// ([`super::GoModError`], [`super::GoWorkError`]) has a variant of the same name and fields
/// for each, converted by [`from_fault`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    MissingValue {
        line: usize,
        directive: String,
    },
    ExtraValue {
        line: usize,
        directive: String,
        extra: String,
    },
    Block {
        line: usize,
        directive: String,
    },
    Repeated {
        line: usize,
        first_line: usize,
        directive: String,
    },
    UnterminatedString {
        line: usize,
    },
    InvalidQuotedString {
        line: usize,
        column: usize,
    },
    UnclosedBlock {
        line: usize,
    },
    InvalidGoVersion {
        line: usize,
        version: String,
    },
    InvalidToolchain {
        line: usize,
        toolchain: String,
    },
    Replace(ReplaceError),
}

/// `impl From<Fault> for $error`, for an error enum with a variant of the same name and
/// fields for every [`Fault`].
macro_rules! from_fault {
    ($error:ident) => {
        impl From<$crate::gomod::directives::Fault> for $error {
            fn from(fault: $crate::gomod::directives::Fault) -> Self {
                use $crate::gomod::directives::Fault;
                match fault {
                    Fault::MissingValue { line, directive } => {
                        Self::MissingValue { line, directive }
                    }
                    Fault::ExtraValue {
                        line,
                        directive,
                        extra,
                    } => Self::ExtraValue {
                        line,
                        directive,
                        extra,
                    },
                    Fault::Block { line, directive } => Self::Block { line, directive },
                    Fault::Repeated {
                        line,
                        first_line,
                        directive,
                    } => Self::Repeated {
                        line,
                        first_line,
                        directive,
                    },
                    Fault::UnterminatedString { line } => Self::UnterminatedString { line },
                    Fault::InvalidQuotedString { line, column } => {
                        Self::InvalidQuotedString { line, column }
                    }
                    Fault::UnclosedBlock { line } => Self::UnclosedBlock { line },
                    Fault::InvalidGoVersion { line, version } => {
                        Self::InvalidGoVersion { line, version }
                    }
                    Fault::InvalidToolchain { line, toolchain } => {
                        Self::InvalidToolchain { line, toolchain }
                    }
                    Fault::Replace(error) => Self::Replace(error),
                }
            }
        }
    };
}
pub(super) use from_fault;

impl From<ReplaceError> for Fault {
    fn from(error: ReplaceError) -> Self {
        Self::Replace(error)
    }
}

/// A directive that may appear once (`module`, `go`, `toolchain`): its line and value.
pub(super) type Once = Option<(usize, String)>;

/// Records the one value of `keyword arguments…` in `slot`.
///
/// Errors: no value, more than one, or a second occurrence of the directive.
pub(super) fn record_once(
    slot: &mut Once,
    keyword: &Token,
    arguments: &[Token],
) -> Result<(), Fault> {
    let line = keyword.line;
    let directive = || keyword.text.clone();
    let value = match arguments {
        [] => {
            return Err(Fault::MissingValue {
                line,
                directive: directive(),
            })
        }
        [value] => value.text.clone(),
        [_, extra, ..] => {
            return Err(Fault::ExtraValue {
                line,
                directive: directive(),
                extra: extra.text.clone(),
            })
        }
    };
    if let Some((first_line, _)) = slot {
        return Err(Fault::Repeated {
            line,
            first_line: *first_line,
            directive: directive(),
        });
    }
    *slot = Some((line, value));
    Ok(())
}

/// A block of a directive that takes one value (`module ( … )`): refused.
pub(super) fn refuse_block(keyword: &Token) -> Fault {
    Fault::Block {
        line: keyword.line,
        directive: keyword.text.clone(),
    }
}

/// Checks the `go` directive's value: a Go version such as `1.23` or `1.23.4`.
pub(super) fn check_go_version(go: &Once) -> Result<(), Fault> {
    match go {
        Some((line, version)) if GoVersion::parse(version).is_none() => {
            Err(Fault::InvalidGoVersion {
                line: *line,
                version: version.clone(),
            })
        }
        _ => Ok(()),
    }
}

/// The `toolchain` directive's version without its `go` prefix (`go1.23.4` gives
/// `1.23.4`).
///
/// Errors: a name that is not `go` followed by a Go version. Go also accepts
/// `toolchain default` (`ToolchainRE` in `modfile/rule.go`); gostage has always refused it
/// in go.mod and refuses it in go.work alike.
pub(super) fn toolchain_version(toolchain: &Once) -> Result<Option<String>, Fault> {
    let Some((line, name)) = toolchain else {
        return Ok(None);
    };
    match name.strip_prefix("go") {
        Some(version) if GoVersion::parse(version).is_some() => Ok(Some(version.to_string())),
        _ => Err(Fault::InvalidToolchain {
            line: *line,
            toolchain: name.clone(),
        }),
    }
}

/// The 1-based line of a recorded directive, 0 when absent.
pub(super) fn line_of(directive: &Once) -> u32 {
    directive
        .as_ref()
        .map_or(0, |(line, _)| super::lexer::saturating_u32(*line))
}
