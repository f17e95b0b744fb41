//! [`Spanned`]: a deserialized value with the position it was written at.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

use crate::vocabulary::{Located, Span};

/// A value deserialized by serde-saphyr together with where it starts in the spec file.
///
/// Its JSON Schema is the schema of `T`: the position is not part of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spanned<T> {
    /// The deserialized value.
    pub value: T,
    /// Where the value is used in the file (for an alias, the alias itself).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// The same value with its position, in the public model's form.
    pub fn located(self) -> Located<T> {
        Located::new(self.value, self.span)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Self {
            value: spanned.value,
            span: span_of(&spanned.referenced),
        })
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// The model's 1-based line and column of a serde-saphyr location (which counts the same way).
pub(crate) fn span_of(location: &serde_saphyr::Location) -> Span {
    Span {
        line: u32::try_from(location.line()).unwrap_or(u32::MAX),
        column: u32::try_from(location.column()).unwrap_or(u32::MAX),
    }
}
