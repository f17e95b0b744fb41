//! The JSON Schema of `gostage.yaml`, generated from the `raw` serde types, and what it
//! says a field should be (for type-error messages).

use serde_json::Value;

use super::path::{FieldPath, Segment};
use super::raw;

/// The JSON Schema (draft 2020-12) of `gostage.yaml`, for editors: a JSON object with
/// `properties` for every top-level key (`version`, `go`, `main`, `image`, …) and the nested
/// sections under `$defs`.
pub fn schema() -> Value {
    schemars::schema_for!(raw::Spec).to_value()
}

/// What the schema allows at `path`, in words (`a list`, `a string`,
/// `a whole number or a string`), or `None` if the path is not in the schema.
pub(crate) fn expected_at(root: &Value, path: &FieldPath) -> Option<String> {
    let mut schema = root;
    for segment in path.segments() {
        let alternatives = alternatives(root, schema);
        schema = alternatives
            .into_iter()
            .find_map(|alternative| match segment {
                Segment::Key(key) => alternative
                    .get("properties")
                    .and_then(|properties| properties.get(key))
                    .or_else(|| {
                        alternative
                            .get("additionalProperties")
                            .filter(|additional| additional.is_object())
                    }),
                Segment::Index(_) => alternative.get("items"),
            })?;
    }
    let mut kinds: Vec<&'static str> = Vec::new();
    for alternative in alternatives(root, schema) {
        for kind in types(alternative) {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    match kinds.as_slice() {
        [] => None,
        [only] => Some((*only).to_string()),
        [first @ .., last] => Some(format!("{} or {last}", first.join(", "))),
    }
}

/// The schemas a value may match: `schema` itself with `$ref` followed, or each branch of its
/// `anyOf`/`oneOf`.
fn alternatives<'schema>(root: &'schema Value, schema: &'schema Value) -> Vec<&'schema Value> {
    let schema = resolve(root, schema);
    for combinator in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(combinator) {
            return branches
                .iter()
                .flat_map(|branch| alternatives(root, branch))
                .collect();
        }
    }
    vec![schema]
}

/// Follows a local `$ref` (`#/$defs/Name`), once per level.
fn resolve<'schema>(root: &'schema Value, schema: &'schema Value) -> &'schema Value {
    let target = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer));
    match target {
        Some(target) => resolve(root, target),
        None => schema,
    }
}

/// The non-null `type`s of one schema, in words.
fn types(schema: &Value) -> Vec<&'static str> {
    let names: Vec<&str> = match schema.get("type") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    names
        .into_iter()
        .filter_map(|name| match name {
            "array" => Some("a list"),
            "object" => Some("a mapping"),
            "string" => Some("a string"),
            "integer" => Some("a whole number"),
            "number" => Some("a number"),
            "boolean" => Some("`true` or `false`"),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_json_schema_with_every_top_level_key() {
        let schema = schema();
        let text = schema.to_string();
        let reparsed: Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(error) => panic!("schema is not JSON: {error}"),
        };
        assert_eq!(reparsed, schema);
        assert_eq!(schema["title"], "gostage.yaml");
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["version"]));
        let Some(properties) = schema["properties"].as_object() else {
            panic!("no properties in {schema}");
        };
        let mut keys: Vec<&str> = properties.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "binaries",
                "build",
                "builder",
                "cache",
                "files",
                "go",
                "image",
                "main",
                "module",
                "modules",
                "platforms",
                "test",
                "version"
            ]
        );
        assert!(schema["properties"]["go"]["description"]
            .as_str()
            .is_some_and(|description| description.contains("quoted")));
    }

    #[test]
    fn nested_sections_reject_unknown_keys_and_keep_their_fields() {
        let schema = schema();
        for (section, field) in [
            ("Image", "ports"),
            ("Build", "cgo"),
            ("Build", "packages"),
            ("Binary", "name"),
            ("Modules", "known_hosts"),
            ("SshHost", "url"),
            ("Test", "flags"),
            ("Cache", "export"),
        ] {
            assert_eq!(schema["$defs"][section]["additionalProperties"], false);
            assert!(
                schema["$defs"][section]["properties"][field].is_object(),
                "{section}.{field} in {schema}"
            );
        }
        assert_eq!(
            schema["$defs"]["Build"]["properties"]["packages"]["items"]["pattern"],
            "^[a-z0-9][a-z0-9+.-]+$"
        );
        // Optional keys are not required.
        assert!(schema["$defs"]["Image"].get("required").is_none());
        assert_eq!(
            schema["$defs"]["Binary"]["required"],
            serde_json::json!(["main"])
        );
        assert_eq!(
            schema["$defs"]["SshHost"]["required"],
            serde_json::json!(["host"])
        );
    }

    #[test]
    fn patterns_follow_the_validation() {
        let schema = schema();
        assert_eq!(
            schema["properties"]["platforms"]["items"]["pattern"],
            r"^\s*([A-Za-z0-9_-]+|[Ll][Ii][Nn][Uu][Xx]/[A-Za-z0-9_-]+(/[A-Za-z0-9]+)?)\s*$"
        );
        assert_eq!(
            schema["$defs"]["File"]["properties"]["src"]["pattern"],
            r"^[^/\u0000][^\u0000]*$"
        );
        assert_eq!(
            schema["properties"]["module"]["pattern"],
            r"^[^/\\\u0000*?\[][^\\\u0000*?\[]*$"
        );
        assert_eq!(
            schema["$defs"]["Build"]["properties"]["env"]["properties"]["GOWORK"]["enum"],
            serde_json::json!(["off", "auto", ""])
        );
        assert_eq!(
            schema["$defs"]["File"]["properties"]["dst"]["pattern"],
            r"^/[^\u0000]*$"
        );
        // Each name the schema keeps out of `build.env` is one the validation refuses.
        let names = &schema["$defs"]["Build"]["properties"]["env"]["propertyNames"];
        let Some(reserved) = names["not"]["enum"].as_array() else {
            panic!("no reserved names in {names}");
        };
        let reserved: Vec<&str> = reserved.iter().filter_map(Value::as_str).collect();
        assert_eq!(
            reserved,
            [
                "CGO_ENABLED",
                "GOOS",
                "GOARCH",
                "GOCACHE",
                "GOMODCACHE",
                "GOPATH"
            ]
        );
        for name in reserved {
            let text = format!("version: 1\nbuild:\n  env:\n    {name}: x\n");
            let error = crate::spec::parse(text.as_bytes())
                .map(|_| ())
                .map_err(|error| error.message);
            assert!(
                error
                    .as_ref()
                    .is_err_and(|message| message
                        .starts_with(&format!("`build.env.{name}` cannot be set: "))),
                "{error:?}"
            );
        }
        assert_eq!(names["pattern"], "^[A-Za-z_][A-Za-z0-9_]*$");
    }

    #[test]
    fn describes_expected_types_by_path() {
        let schema = schema();
        let root = FieldPath::root();
        let expected = |path: FieldPath| expected_at(&schema, &path);
        assert_eq!(expected(root.key("main")).as_deref(), Some("a string"));
        assert_eq!(
            expected(root.key("version")).as_deref(),
            Some("a whole number")
        );
        let image = root.key("image");
        assert_eq!(expected(image.clone()).as_deref(), Some("a mapping"));
        assert_eq!(expected(image.key("ports")).as_deref(), Some("a list"));
        assert_eq!(
            expected(image.key("ports").index(3)).as_deref(),
            Some("a whole number or a string")
        );
        assert_eq!(
            expected(image.key("labels").key("any.label")).as_deref(),
            Some("a string")
        );
        assert_eq!(
            expected(root.key("binaries").index(0).key("main")).as_deref(),
            Some("a string")
        );
        assert_eq!(
            expected(root.key("build").key("cgo")).as_deref(),
            Some("`true` or `false`")
        );
        assert_eq!(expected(root.key("nope")), None);
        assert_eq!(expected(image.key("nope")), None);
    }
}
