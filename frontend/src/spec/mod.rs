//! `gostage.yaml`: the model, parsing with positions, validation and JSON Schema.
//!
//! Parsing reads the file twice: once into a generic YAML tree with positions (`tree`),
//! which catches YAML syntax errors and maps any later error position to a field path; then
//! into serde types that mirror the file (`raw`, unknown keys and wrong types are errors),
//! which `validate` turns into the public model. The JSON Schema comes from the same `raw`
//! types.

mod diagnose;
mod model;
mod parse;
mod path;
mod raw;
mod schema;
mod spanned;
mod suggest;
mod tree;
mod validate;

#[cfg(test)]
mod testing;

pub use model::*;
pub use schema::schema;
pub(crate) use suggest::closest;

use crate::vocabulary::Diagnostic;

/// Parses and validates spec bytes (UTF-8 YAML; the usual first line is the comment
/// `# syntax=…`).
///
/// Applies the defaults: one binary from `.` when neither `main` nor `binaries` is written,
/// base `scratch`, user `65532:65532`; normalises `main` paths (`./cmd/server/` →
/// `./cmd/server`); sorts and deduplicates ports.
///
/// Errors: a [`Diagnostic`] whose span points at the offending key or value (1-based line and
/// column) and whose message names the field (`image.ports[1]`), for a file over
/// [`MAX_SPEC_BYTES`] (at line 1), invalid YAML, an empty file, a NUL character in any key or
/// value, unknown keys (with the closest allowed key), missing `version`, wrong types and
/// invalid values. Never panics on any input.
pub fn parse(bytes: &[u8]) -> Result<Spec, Diagnostic> {
    parse::parse(bytes)
}

/// The largest spec gostage reads, in bytes (1 MiB): a spec is a few hundred bytes, and a
/// larger file is almost surely the wrong one; the bound keeps every later pass small.
pub const MAX_SPEC_BYTES: usize = 1 << 20;
