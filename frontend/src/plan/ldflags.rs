//! `-ldflags` for `go build`: gostage's defaults plus the spec's entries with templates filled.

use crate::vocabulary::{LdflagsTemplate, Located, TemplateValues};

/// Always passed: strip the symbol table and DWARF (`-s -w`) and write an empty build ID so
/// the same sources give the same bytes (`cmd/link` flags, `go help buildflags`).
pub const DEFAULT_LDFLAGS: &str = "-s -w -buildid=";

/// The `-ldflags` value: the defaults, then `link` (gostage's link mode flags, for a static
/// cgo link), then each spec entry expanded with `values`, so an entry of the spec comes last
/// and wins. Entries are joined with spaces; Go splits them again, honouring quotes.
pub fn ldflags(
    link: Option<&str>,
    entries: &[Located<LdflagsTemplate>],
    values: TemplateValues<'_>,
) -> String {
    let mut value = DEFAULT_LDFLAGS.to_string();
    if let Some(link) = link {
        value.push(' ');
        value.push_str(link);
    }
    for entry in entries {
        value.push(' ');
        value.push_str(&entry.value.expand(values));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Span;

    #[test]
    fn defaults_come_first() {
        let entry = LdflagsTemplate::parse("-X main.version={{ .Version }}")
            .unwrap_or_else(|problem| panic!("{problem}"));
        let values = TemplateValues {
            version: "1.2.3",
            commit: "abc",
        };
        assert_eq!(
            ldflags(
                None,
                &[Located::new(entry.clone(), Span::default())],
                values
            ),
            "-s -w -buildid= -X main.version=1.2.3"
        );
        assert_eq!(
            ldflags(
                Some("-linkmode external"),
                &[Located::new(entry, Span::default())],
                values
            ),
            "-s -w -buildid= -linkmode external -X main.version=1.2.3"
        );
    }
}
