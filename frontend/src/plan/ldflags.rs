//! `-ldflags` for `go build`: gostage's defaults plus the spec's entries with templates filled.

use super::request::BuildRequest;
use crate::diagnostic::Diagnostic;
use crate::spec::Located;

/// Always passed: strip the symbol table and DWARF (`-s -w`) and write an empty build ID so
/// the same sources give the same bytes (`cmd/link` flags, `go help buildflags`).
pub const DEFAULT_LDFLAGS: &str = "-s -w -buildid=";

/// The `-ldflags` value: defaults, then each spec entry with `{{ .Version }}` and
/// `{{ .Commit }}` replaced by the `VERSION` and `COMMIT` build-args (`dev` and `unknown`
/// when not given). Entries are joined with spaces; Go splits them again, honouring quotes.
///
/// Errors: an unknown or unterminated template, at the entry's position.
pub fn ldflags(entries: &[Located<String>], request: &BuildRequest) -> Result<String, Diagnostic> {
    let mut value = DEFAULT_LDFLAGS.to_string();
    for entry in entries {
        value.push(' ');
        value.push_str(&expand(entry, request)?);
    }
    Ok(value)
}

fn expand(entry: &Located<String>, request: &BuildRequest) -> Result<String, Diagnostic> {
    let mut expanded = String::new();
    let mut rest = entry.value.as_str();
    while let Some(start) = rest.find("{{") {
        expanded.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(Diagnostic::new(
                entry.span,
                format!("unterminated `{{{{` in `{}`", entry.value),
            )
            .with_help("close the template with `}}`"));
        };
        let value =
            match after[..end].trim() {
                ".Version" => request.build_arg("VERSION").unwrap_or("dev"),
                ".Commit" => request.build_arg("COMMIT").unwrap_or("unknown"),
                other => return Err(Diagnostic::new(
                    entry.span,
                    format!("unknown template `{{{{ {other} }}}}`"),
                )
                .with_help(
                    "use {{ .Version }} or {{ .Commit }} (from the VERSION and COMMIT build-args)",
                )),
            };
        expanded.push_str(value);
        rest = &after[end + 2..];
    }
    expanded.push_str(rest);
    Ok(expanded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Span;

    #[test]
    fn fills_version_and_commit() {
        let mut request = BuildRequest::default();
        request.build_args.insert("VERSION".into(), "1.2.3".into());
        let entries = [Located::new(
            "-X main.version={{ .Version }} -X main.commit={{.Commit}}".to_string(),
            Span::default(),
        )];
        assert_eq!(
            ldflags(&entries, &request).as_deref(),
            Ok("-s -w -buildid= -X main.version=1.2.3 -X main.commit=unknown")
        );
    }

    #[test]
    fn unknown_template_points_at_entry() {
        let span = Span { line: 7, column: 5 };
        let entries = [Located::new("-X main.x={{ .Nope }}".to_string(), span)];
        let error = ldflags(&entries, &BuildRequest::default()).expect_err("unknown template");
        assert_eq!(error.span, span);
    }
}
