//! Choosing the builder image: `builder:`, else `golang:<go version>` from the spec or go.mod.

use std::collections::BTreeMap;

use super::reference;
use crate::diagnostic::Diagnostic;
use crate::gomod::GoModule;
use crate::spec::{Located, Span, Spec};

/// The builder image reference as the user would write it (`golang:1.23`), and where it
/// comes from in the spec (`None` when derived from go.mod).
pub fn builder_reference(spec: &Spec, module: &GoModule) -> Located<String> {
    if let Some(builder) = &spec.builder {
        return builder.clone();
    }
    if let Some(go) = &spec.go {
        return Located::new(format!("golang:{}", go.value), go.span);
    }
    let version = module.go_minor().unwrap_or_else(|| "latest".to_string());
    Located::new(format!("golang:{version}"), Span::default())
}

/// Applies BuildKit's named-context convention (`--build-context golang:1.23=docker-image://…`,
/// option `context:<name>`; `frontend/dockerui/namedcontext.go`): returns the normalised image
/// reference to use for `written`.
///
/// Errors: a named context of a kind gostage cannot use for an image (local directories,
/// git, OCI layouts), or a malformed reference; the diagnostic points at `written`.
pub fn resolve_image(
    written: &Located<String>,
    named_contexts: &BTreeMap<String, String>,
) -> Result<String, Diagnostic> {
    let normalized = reference::normalize(&written.value)
        .map_err(|message| Diagnostic::new(written.span, message))?;
    let short = normalized
        .strip_prefix("docker.io/library/")
        .or_else(|| normalized.strip_prefix("docker.io/"));
    let candidates = [
        Some(written.value.as_str()),
        Some(normalized.as_str()),
        short,
    ];
    let Some(value) = candidates
        .into_iter()
        .flatten()
        .find_map(|name| named_contexts.get(name))
    else {
        return Ok(normalized);
    };
    match value.strip_prefix("docker-image://") {
        Some(replacement) => reference::normalize(replacement).map_err(|message| Diagnostic::new(written.span, message)),
        None => Err(Diagnostic::new(
            written.span,
            format!("the build context for `{}` is `{value}`, but gostage can only replace an image with another image", written.value),
        )
        .with_help("pass --build-context NAME=docker-image://REFERENCE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(text: &str) -> Located<String> {
        Located::new(
            text.to_string(),
            Span {
                line: 3,
                column: 10,
            },
        )
    }

    #[test]
    fn named_context_replaces_builder() {
        let contexts = BTreeMap::from([(
            "golang:1.23".to_string(),
            "docker-image://example.org/go:custom".to_string(),
        )]);
        assert_eq!(
            resolve_image(&located("golang:1.23"), &contexts).as_deref(),
            Ok("example.org/go:custom")
        );
        assert_eq!(
            resolve_image(&located("golang:1.22"), &contexts).as_deref(),
            Ok("docker.io/library/golang:1.22")
        );
    }

    #[test]
    fn non_image_context_is_an_error_at_the_reference() {
        let contexts = BTreeMap::from([("golang:1.23".to_string(), "local:foo".to_string())]);
        let error = resolve_image(&located("golang:1.23"), &contexts)
            .expect_err("local context is refused");
        assert_eq!(
            error.span,
            Span {
                line: 3,
                column: 10
            }
        );
    }
}
