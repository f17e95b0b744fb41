//! What go.mod and go.work share beyond their syntax: the `go` and `toolchain` directives (golang.org/x/mod `modfile/rule.go`, `File.add` and
//! `WorkFile.add`, which check them the same way in both files).

use super::lexer::Token;
use super::version::GoVersion;
use super::GoModError;

/// A directive that may appear once (`module`, `go`, `toolchain`): its line and value.
pub(super) type Once = Option<(usize, String)>;

/// Records the one value of `keyword arguments…` in `slot`.
///
/// Errors: no value, more than one, or a second occurrence of the directive.
pub(super) fn record_once(
    slot: &mut Once,
    keyword: &Token,
    arguments: &[Token],
) -> Result<(), GoModError> {
    let line = keyword.line;
    let directive = || keyword.text.clone();
    let value = match arguments {
        [] => {
            return Err(GoModError::MissingValue {
                line,
                directive: directive(),
            })
        }
        [value] => value.text.clone(),
        [_, extra, ..] => {
            return Err(GoModError::ExtraValue {
                line,
                directive: directive(),
                extra: extra.text.clone(),
            })
        }
    };
    if let Some((first_line, _)) = slot {
        return Err(GoModError::Repeated {
            line,
            first_line: *first_line,
            directive: directive(),
        });
    }
    *slot = Some((line, value));
    Ok(())
}

/// A block of a directive that takes one value (`module ( … )`): refused.
pub(super) fn refuse_block(keyword: &Token) -> GoModError {
    GoModError::Block {
        line: keyword.line,
        directive: keyword.text.clone(),
    }
}

/// Checks the `go` directive's value: a Go version such as `1.23` or `1.23.4`.
pub(super) fn check_go_version(go: &Once) -> Result<(), GoModError> {
    match go {
        Some((line, version)) if GoVersion::parse(version).is_none() => {
            Err(GoModError::InvalidGoVersion {
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
pub(super) fn toolchain_version(toolchain: &Once) -> Result<Option<String>, GoModError> {
    let Some((line, name)) = toolchain else {
        return Ok(None);
    };
    match name.strip_prefix("go") {
        Some(version) if GoVersion::parse(version).is_some() => Ok(Some(version.to_string())),
        _ => Err(GoModError::InvalidToolchain {
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
