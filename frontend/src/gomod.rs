//! The few go.mod facts gostage needs.

/// Facts from a go.mod file (grammar: <https://go.dev/ref/mod#go-mod-file>).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModule {
    /// The module path from the `module` directive.
    pub path: String,
    /// The `go` directive's version (e.g. `1.23` or `1.23.4`), if present.
    pub go: Option<String>,
    /// The `toolchain` directive's version without the `go` prefix (e.g. `1.23.4`), if present.
    pub toolchain: Option<String>,
}

/// A go.mod that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GoModError {
    /// go.mod has no `module` directive.
    #[error("go.mod has no `module` directive")]
    MissingModule,
}

/// Parses go.mod bytes.
pub fn parse(bytes: &[u8]) -> Result<GoModule, GoModError> {
    let _ = bytes;
    Err(GoModError::MissingModule)
}
