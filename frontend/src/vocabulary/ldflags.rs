//! `build.ldflags` entries with `{{ .Version }}` and `{{ .Commit }}` templates.

use super::Problem;

/// One `-ldflags` entry as written, split into text and template fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdflagsTemplate {
    /// The entry as written.
    pub written: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Version,
    Commit,
}

/// What the template fields expand to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateValues<'a> {
    /// `{{ .Version }}`: the `VERSION` build-arg, else `dev`.
    pub version: &'a str,
    /// `{{ .Commit }}`: the `COMMIT` build-arg, else `unknown`.
    pub commit: &'a str,
}

impl LdflagsTemplate {
    /// Parses an entry such as `-X main.version={{ .Version }}`.
    ///
    /// Errors: an unterminated `{{`, or a field other than `.Version` and `.Commit`.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err(Problem::new(
                    format!("has an unterminated `{{{{` in `{text}`"),
                    "close the template with `}}`",
                ));
            };
            parts.push(match after[..end].trim() {
                ".Version" => Part::Version,
                ".Commit" => Part::Commit,
                other => return Err(Problem::new(
                    format!("uses the unknown template `{{{{ {other} }}}}`"),
                    "use {{ .Version }} or {{ .Commit }} (from the VERSION and COMMIT build-args)",
                )),
            });
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Self {
            written: text.to_string(),
            parts,
        })
    }

    /// Whether the entry uses `{{ .Version }}` (so the `VERSION` build-arg matters).
    pub fn uses_version(&self) -> bool {
        self.parts.contains(&Part::Version)
    }

    /// Whether the entry uses `{{ .Commit }}` (so the `COMMIT` build-arg matters).
    pub fn uses_commit(&self) -> bool {
        self.parts.contains(&Part::Commit)
    }

    /// The entry with its fields filled from `values`.
    pub fn expand(&self, values: TemplateValues<'_>) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.as_str(),
                Part::Version => values.version,
                Part::Commit => values.commit,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_version_and_commit() {
        let template =
            LdflagsTemplate::parse("-X main.version={{ .Version }} -X main.commit={{.Commit}}")
                .unwrap_or_else(|problem| panic!("{problem}"));
        let values = TemplateValues {
            version: "1.2.3",
            commit: "unknown",
        };
        assert_eq!(
            template.expand(values),
            "-X main.version=1.2.3 -X main.commit=unknown"
        );
    }

    #[test]
    fn rejects_unknown_and_unterminated_templates() {
        let unknown = LdflagsTemplate::parse("-X main.x={{ .Nope }}").expect_err("unknown");
        assert!(unknown.message.contains(".Nope"), "{unknown:?}");
        let open = LdflagsTemplate::parse("-X main.x={{ .Version").expect_err("unterminated");
        assert!(open.message.contains("unterminated"), "{open:?}");
    }
}
