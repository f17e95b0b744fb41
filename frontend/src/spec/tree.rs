//! [`Node`]: the spec as a generic YAML tree with positions.
//!
//! The typed pass (`raw`) says *that* something is wrong and where; this tree says *which*
//! field that position belongs to (`image.ports[1]`), what was written there, and where keys
//! start (serde only keeps positions of values).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::path::{FieldPath, Segment};
use super::spanned::Spanned;
use crate::vocabulary::Span;

/// One YAML node and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// Where the node starts (for a block mapping or list, its first key or `-`).
    pub span: Span,
    /// What the node is.
    pub kind: NodeKind,
}

/// The kinds of YAML nodes, after YAML's core schema resolved plain scalars.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NodeKind {
    /// `~`, `null` or nothing at all.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A plain (unquoted) number, as Rust prints it (`1.20` becomes `1.2`).
    Number(String),
    /// A string (quoted, or plain but not a number, boolean or null).
    String(String),
    /// A list.
    Sequence(Vec<Node>),
    /// A mapping, in document order (duplicates kept, see [`Node::find_duplicate_key`]).
    Mapping(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// The key node (usually a string).
    pub key: Node,
    /// The value node.
    pub value: Node,
}

/// What a position in the document points at, from [`Node::locate`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Found<'node> {
    /// The path of the value (or of the key's value when `on_key`).
    pub path: FieldPath,
    /// The value node at `path`.
    pub node: &'node Node,
    /// Whether the position is the key of the last path segment rather than its value.
    pub on_key: bool,
}

impl Node {
    /// The key text of a scalar key node (`8080: x` has key `8080`), `None` for
    /// collections used as keys.
    pub fn key_text(&self) -> Option<String> {
        match &self.kind {
            NodeKind::String(text) | NodeKind::Number(text) => Some(text.clone()),
            NodeKind::Bool(value) => Some(value.to_string()),
            NodeKind::Null => Some(String::new()),
            NodeKind::Sequence(_) | NodeKind::Mapping(_) => None,
        }
    }

    /// The entry of `key` in this mapping (the first, if repeated).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            NodeKind::Mapping(entries) => entries
                .iter()
                .find(|entry| entry.key.key_text().as_deref() == Some(key)),
            _ => None,
        }
    }

    /// The node at `path` below this one.
    pub fn get(&self, path: &FieldPath) -> Option<&Node> {
        let mut node = self;
        for segment in path.segments() {
            node = match (segment, &node.kind) {
                (Segment::Key(key), _) => &node.entry(key)?.value,
                (Segment::Index(index), NodeKind::Sequence(items)) => items.get(*index)?,
                (Segment::Index(_), _) => return None,
            };
        }
        Some(node)
    }

    /// Where the key of the last segment of `path` starts (or the item, for an index).
    pub fn key_span(&self, path: &FieldPath) -> Option<Span> {
        match path.segments().last()? {
            Segment::Key(key) => Some(self.get(&path.parent())?.entry(key)?.key.span),
            Segment::Index(_) => Some(self.get(path)?.span),
        }
    }

    /// The deepest node that `span` falls in, with its path.
    ///
    /// Nodes only know where they start, so this picks, at each level, the last key or item
    /// that starts at or before `span`, which is the one containing it in a well-formed
    /// document.
    pub fn locate(&self, span: Span) -> Found<'_> {
        let mut located = Found {
            path: FieldPath::root(),
            node: self,
            on_key: false,
        };
        loop {
            match &located.node.kind {
                NodeKind::Mapping(entries) => {
                    let Some(entry) = entries.iter().rev().find(|entry| entry.key.span <= span)
                    else {
                        return located;
                    };
                    let key = entry.key.key_text().unwrap_or_default();
                    located.path = located.path.key(key);
                    located.node = &entry.value;
                    if span < entry.value.span {
                        located.on_key = true;
                        return located;
                    }
                }
                NodeKind::Sequence(items) => {
                    let Some((index, item)) = items
                        .iter()
                        .enumerate()
                        .rev()
                        .find(|(_, item)| item.span <= span)
                    else {
                        return located;
                    };
                    located.path = located.path.index(index);
                    located.node = item;
                }
                _ => return located,
            }
        }
    }

    /// The first key written twice in one mapping anywhere in the tree, as the path of its
    /// second occurrence and where that key starts.
    pub fn find_duplicate_key(&self) -> Option<(FieldPath, Span)> {
        self.find_duplicate_key_below(&FieldPath::root())
    }

    fn find_duplicate_key_below(&self, path: &FieldPath) -> Option<(FieldPath, Span)> {
        match &self.kind {
            NodeKind::Mapping(entries) => {
                // A set of the keys seen so far: linear in the number of entries (a list scan
                // per key took minutes for 120,000 labels).
                let mut seen = std::collections::HashSet::with_capacity(entries.len());
                for entry in entries {
                    let key = entry.key.key_text().unwrap_or_default();
                    if !seen.insert(key.clone()) {
                        return Some((path.key(key), entry.key.span));
                    }
                    if let Some(found) = entry.value.find_duplicate_key_below(&path.key(key)) {
                        return Some(found);
                    }
                }
                None
            }
            NodeKind::Sequence(items) => items
                .iter()
                .enumerate()
                .find_map(|(index, item)| item.find_duplicate_key_below(&path.index(index))),
            _ => None,
        }
    }

    /// The first string anywhere in the tree that holds a NUL character (`"\0"` in a
    /// double-quoted YAML string): its path (for a key, the mapping's), where it starts, and
    /// whether it is a key.
    pub fn find_nul(&self) -> Option<(FieldPath, Span, bool)> {
        self.find_nul_below(&FieldPath::root())
    }

    fn find_nul_below(&self, path: &FieldPath) -> Option<(FieldPath, Span, bool)> {
        match &self.kind {
            NodeKind::String(text) if text.contains('\0') => Some((path.clone(), self.span, false)),
            NodeKind::Mapping(entries) => entries.iter().find_map(|entry| {
                if matches!(&entry.key.kind, NodeKind::String(key) if key.contains('\0')) {
                    return Some((path.clone(), entry.key.span, true));
                }
                let key = entry.key.key_text().unwrap_or_default();
                entry.value.find_nul_below(&path.key(key))
            }),
            NodeKind::Sequence(items) => items
                .iter()
                .enumerate()
                .find_map(|(index, item)| item.find_nul_below(&path.index(index))),
            _ => None,
        }
    }

    /// What the node is, for messages: `a list`, `a mapping`, `the number 1.2`,
    /// `the string "x"`, `` `true` ``, `nothing`.
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Null => "nothing".to_string(),
            NodeKind::Bool(value) => format!("`{value}`"),
            NodeKind::Number(text) => format!("the number {text}"),
            NodeKind::String(text) => format!("the string {text:?}"),
            NodeKind::Sequence(_) => "a list".to_string(),
            NodeKind::Mapping(_) => "a mapping".to_string(),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<NodeKind>::deserialize(deserializer)?;
        Ok(Node {
            span: spanned.span,
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeKindVisitor)
    }
}

struct NodeKindVisitor;

impl<'de> Visitor<'de> for NodeKindVisitor {
    type Value = NodeKind;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<NodeKind, D::Error> {
        NodeKind::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Number(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<NodeKind, E> {
        Ok(NodeKind::Number(value.to_string()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<NodeKind, E> {
        Ok(NodeKind::Number(value.to_string()))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<NodeKind, E> {
        Ok(NodeKind::Number(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Number(value.to_string()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::String(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<NodeKind, E> {
        Ok(NodeKind::String(value))
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<NodeKind, E> {
        Ok(NodeKind::String(
            String::from_utf8_lossy(value).into_owned(),
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = sequence.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeKind::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut mapping: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = mapping.next_entry::<Node, Node>()? {
            entries.push(Entry { key, value });
        }
        Ok(NodeKind::Mapping(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        let mut options = serde_saphyr::Options::default();
        options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
        match serde_saphyr::from_str_with_options::<Node>(text, options) {
            Ok(node) => node,
            Err(error) => panic!("{text:?} should parse: {error}"),
        }
    }

    fn at(line: u32, column: u32) -> Span {
        Span { line, column }
    }

    const TEXT: &str = "# syntax=x\nversion: 1\nimage:\n  ports:\n    - 80\n    - [x]\n  user: u\n";

    #[test]
    fn locates_values_and_keys() {
        let document = tree(TEXT);
        let located = document.locate(at(6, 7));
        assert_eq!(located.path.to_string(), "image.ports[1]");
        assert_eq!(located.node.describe(), "a list");
        assert!(!located.on_key);

        let located = document.locate(at(7, 3));
        assert_eq!(located.path.to_string(), "image.user");
        assert!(located.on_key);

        let located = document.locate(at(2, 10));
        assert_eq!(located.path.to_string(), "version");
        assert_eq!(located.node.describe(), "the number 1");
    }

    #[test]
    fn finds_nodes_and_key_spans_by_path() {
        let document = tree(TEXT);
        let ports = FieldPath::root().key("image").key("ports");
        assert_eq!(document.key_span(&ports), Some(at(4, 3)));
        assert_eq!(document.key_span(&ports.index(1)), Some(at(6, 7)));
        assert_eq!(
            document.get(&ports.index(0)).map(Node::describe).as_deref(),
            Some("the number 80")
        );
        assert_eq!(document.get(&FieldPath::root().key("nothing")), None);
        assert_eq!(document.find_duplicate_key(), None);
    }

    #[test]
    fn finds_repeated_keys() {
        let document = tree("image:\n  user: a\n  user: b\n");
        let (path, span) = document.find_duplicate_key().unwrap_or_default();
        assert_eq!(path.to_string(), "image.user");
        assert_eq!(span, at(3, 3));
    }

    #[test]
    fn keeps_number_spelling_as_rust_reads_it() {
        let document = tree("go: 1.20\ntag: \"1.20\"\n");
        assert_eq!(
            document
                .get(&FieldPath::root().key("go"))
                .map(|node| &node.kind),
            Some(&NodeKind::Number("1.2".to_string()))
        );
        assert_eq!(
            document
                .get(&FieldPath::root().key("tag"))
                .map(|node| &node.kind),
            Some(&NodeKind::String("1.20".to_string()))
        );
    }
}
