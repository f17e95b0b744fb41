//! [`FieldPath`]: where a value sits in the spec, written as in messages (`image.ports[1]`).

use std::fmt;

/// One step from a mapping to one of its values, or from a list to one of its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    /// The value of a mapping key.
    Key(String),
    /// The item at a 0-based index of a list.
    Index(usize),
}

/// The path from the top of the document to a value, e.g. `image.ports[1]`. The empty path
/// is the document itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    /// The path of the document itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// The path of the value of `key` in the mapping at this path.
    pub fn key(&self, key: impl Into<String>) -> Self {
        self.child(Segment::Key(key.into()))
    }

    /// The path of the item at `index` (0-based) in the list at this path.
    pub fn index(&self, index: usize) -> Self {
        self.child(Segment::Index(index))
    }

    /// The path one step further.
    pub fn child(&self, segment: Segment) -> Self {
        let mut segments = self.segments.clone();
        segments.push(segment);
        Self { segments }
    }

    /// The path of the enclosing mapping or list (the root is its own parent).
    pub fn parent(&self) -> Self {
        let mut segments = self.segments.clone();
        segments.pop();
        Self { segments }
    }

    /// The steps from the top of the document.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether this is the document itself.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// The last key of the path, if the path ends with a key.
    pub fn last_key(&self) -> Option<&str> {
        match self.segments.last() {
            Some(Segment::Key(key)) => Some(key),
            _ => None,
        }
    }
}

impl fmt::Display for FieldPath {
    /// `image.ports[1]`; keys that are not plain words are quoted
    /// (`image.labels."org.opencontainers.image.title"`); the root is `the top level`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return formatter.write_str("the top level");
        }
        for (position, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Index(index) => write!(formatter, "[{index}]")?,
                Segment::Key(key) => {
                    if position > 0 {
                        formatter.write_str(".")?;
                    }
                    if is_plain_word(key) {
                        formatter.write_str(key)?;
                    } else {
                        write!(formatter, "{key:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn is_plain_word(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || matches!(character, '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_field_access() {
        let ports = FieldPath::root().key("image").key("ports").index(1);
        assert_eq!(ports.to_string(), "image.ports[1]");
        assert_eq!(ports.parent().to_string(), "image.ports");
        assert_eq!(FieldPath::root().to_string(), "the top level");
        let label = FieldPath::root()
            .key("image")
            .key("labels")
            .key("org.example.title");
        assert_eq!(label.to_string(), "image.labels.\"org.example.title\"");
        assert_eq!(label.last_key(), Some("org.example.title"));
        assert_eq!(
            FieldPath::root().index(0).key("main").to_string(),
            "[0].main"
        );
    }
}
