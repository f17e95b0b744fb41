//! Facts read from the build context before planning, as one value: go.mod, whether the
//! module is vendored, and the `.dockerignore` patterns. The gateway reads the files through
//! BuildKit, `gostage llb` from disk; both make the value here.

use crate::gomod::{self, GoModError, GoModule};

/// What the plan needs to know of the build context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleContext {
    /// Facts from go.mod.
    pub module: GoModule,
    /// The module has `vendor/modules.txt`, so Go builds from `vendor/` without downloading
    /// (`go help modules`: `-mod=vendor` is the default then).
    pub vendored: bool,
    /// Patterns of the context's `.dockerignore`, never sent with the sources.
    pub ignore_patterns: Vec<String>,
}

impl ModuleContext {
    /// The facts from the bytes of `go.mod`, whether `vendor/modules.txt` exists, and the
    /// bytes of `.dockerignore` if there is one.
    ///
    /// Errors: a go.mod that cannot be used ([`GoModError`]).
    pub fn read(
        go_mod: &[u8],
        vendored: bool,
        dockerignore: Option<&[u8]>,
    ) -> Result<Self, GoModError> {
        Ok(Self {
            module: gomod::parse(go_mod)?,
            vendored,
            ignore_patterns: dockerignore.map(ignore_patterns).unwrap_or_default(),
        })
    }
}

/// The patterns of a `.dockerignore` file: one per line, `#` comments and blank lines skipped
/// (format: Docker's `.dockerignore` documentation; matching is done by the daemon).
fn ignore_patterns(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.trim_start_matches('/').to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_patterns_skip_comments_and_blanks() {
        let context = ModuleContext::read(
            b"module example.com/m\n",
            true,
            Some(b"# build output\n\n/bin\n*.md\n!README.md\n"),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(context.ignore_patterns, ["bin", "*.md", "!README.md"]);
        assert!(context.vendored);
        assert_eq!(context.module.path, "example.com/m");
    }
}
