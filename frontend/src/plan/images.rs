//! Which images the build needs: the builder (`builder:`, else `golang:<go>` from the spec or
//! go.mod) and the base of the final stage, after `--build-context` replacements; and the
//! builder as a source of the graph.

use std::collections::BTreeMap;

use super::Planner;
use crate::gomod::GoModule;
use crate::llb::{Constraints, Image, Output};
use crate::spec::Spec;
use crate::vocabulary::{Diagnostic, ImageReference, Located, Span};

/// The builder image on the build platform, as the gateway resolved it.
pub fn builder_image(planner: Planner<'_>) -> Output {
    let reference = &planner.builder.reference;
    let constraints = Constraints::default().platform(&planner.request.build_platform);
    Image::new(reference)
        .resolve_mode(planner.request.resolve_mode)
        .build(&constraints, &format!("builder image {reference}"))
}

/// The builder image as the user would write it (`golang:1.23`), and where that comes from
/// in the spec (line 0 when derived from go.mod).
///
/// Errors: a `go:` version that does not make an image tag (placed at `go:`).
pub fn builder_reference(
    spec: &Spec,
    module: &GoModule,
) -> Result<Located<ImageReference>, Diagnostic> {
    if let Some(builder) = &spec.builder {
        return Ok(builder.clone());
    }
    let (version, span) = match &spec.go {
        Some(go) => (go.value.clone(), go.span),
        None => (
            module.go_minor().unwrap_or_else(|| "latest".to_string()),
            Span::default(),
        ),
    };
    ImageReference::parse(&format!("golang:{version}"))
        .map(|reference| Located::new(reference, span))
        .map_err(|problem| {
            Diagnostic::new(
                span,
                format!("the builder image `golang:{version}` {problem}"),
            )
            .with_help("set `builder:` to the image with your Go toolchain")
        })
}

/// The image whose `/bin` (a static busybox and its applet links) the `debug` target adds
/// under `/busybox`, as users write it for `--build-context`. The `-musl` variants of the
/// official image are statically linked (Docker Hub `busybox` image description).
pub const BUSYBOX: &str = "busybox:1.36-musl";

/// [`BUSYBOX`] as a reference, at no spec line (it is never written in the spec).
pub fn busybox_reference() -> Result<Located<ImageReference>, Diagnostic> {
    ImageReference::parse(BUSYBOX)
        .map(|reference| Located::new(reference, Span::default()))
        .map_err(|problem| Diagnostic::new(Span::default(), problem.about(BUSYBOX)))
}

/// The reference to resolve for `written`, after BuildKit's named-context
/// convention (`--build-context golang:1.23=docker-image://…`, option `context:<name>`;
/// `frontend/dockerui/namedcontext.go`).
///
/// Errors: a named context of a kind gostage cannot use for an image (local directories,
/// git, OCI layouts), or a malformed replacement; the diagnostic points at `written`.
pub fn replaced(
    written: &Located<ImageReference>,
    named_contexts: &BTreeMap<String, String>,
) -> Result<ImageReference, Diagnostic> {
    let Some(value) = written
        .value
        .context_names()
        .into_iter()
        .find_map(|name| named_contexts.get(name))
    else {
        return Ok(written.value.clone());
    };
    let Some(replacement) = value.strip_prefix("docker-image://") else {
        return Err(Diagnostic::new(
            written.span,
            format!(
                "the build context for `{}` is `{value}`, but gostage can only replace an image with another image",
                written.value
            ),
        )
        .with_help("pass --build-context NAME=docker-image://REFERENCE"));
    };
    ImageReference::parse(replacement).map_err(|problem| {
        Diagnostic::new(
            written.span,
            format!("the build context for `{}` {problem}", written.value),
        )
        .with_help(problem.help)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(text: &str) -> Located<ImageReference> {
        let reference = ImageReference::parse(text).unwrap_or_else(|problem| panic!("{problem}"));
        Located::new(
            reference,
            Span {
                line: 3,
                column: 10,
            },
        )
    }

    #[test]
    fn named_context_replaces_an_image() {
        let contexts = BTreeMap::from([(
            "golang:1.23".to_string(),
            "docker-image://example.org/go:custom".to_string(),
        )]);
        assert_eq!(
            replaced(&located("golang:1.23"), &contexts).map(|reference| reference.normalized),
            Ok("example.org/go:custom".to_string())
        );
        assert_eq!(
            replaced(&located("golang:1.22"), &contexts).map(|reference| reference.normalized),
            Ok("docker.io/library/golang:1.22".to_string())
        );
    }

    #[test]
    fn non_image_context_is_an_error_at_the_reference() {
        let contexts = BTreeMap::from([("golang:1.23".to_string(), "local:foo".to_string())]);
        let error =
            replaced(&located("golang:1.23"), &contexts).expect_err("local context is refused");
        assert_eq!(
            error.span,
            Span {
                line: 3,
                column: 10
            }
        );
    }
}
