//! Positions in the spec file.

/// A 1-based line and column in the spec file (as BuildKit's source maps and editors count).
/// `line == 0` means "no position" (a value gostage derived rather than read).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column number (in characters).
    pub column: u32,
}

/// A value together with where it was written in the spec file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    /// The parsed value.
    pub value: T,
    /// Where the value starts in the spec file.
    pub span: Span,
}

impl<T> Located<T> {
    /// Wraps `value` with the position it was read from.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}
