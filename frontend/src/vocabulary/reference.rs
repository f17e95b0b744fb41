//! Image references: checked and normalised as Docker's `reference.ParseNormalizedNamed` +
//! `TagNameOnly` do (github.com/distribution/reference, `normalize.go`, `regexp.go`).

use std::fmt;

use super::Problem;

/// An image reference as written (`golang:1.23`) and in full
/// (`docker.io/library/golang:1.23`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageReference {
    /// As the user wrote it; the name BuildKit's named contexts (`--build-context`) match.
    pub written: String,
    /// With the registry, `library/` for official images, and `:latest` when neither a tag
    /// nor a digest is given.
    pub normalized: String,
}

impl ImageReference {
    /// Parses `text`: `[registry/]path[:tag][@digest]`.
    ///
    /// Errors: empty, spaces or control characters, upper-case letters in the repository
    /// (`Alpine:3`), empty path components, a malformed tag or a digest that is not
    /// `algorithm:hex`.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        const HELP: &str =
            "write an image reference such as `golang:1.23` or `gcr.io/distroless/static:nonroot`";
        if text.is_empty() {
            return Err(Problem::new("is empty", HELP));
        }
        if text
            .chars()
            .any(|character| character.is_whitespace() || character.is_control())
        {
            return Err(Problem::new(
                format!("is not an image reference: `{text}` contains spaces"),
                HELP,
            ));
        }
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (text, None),
        };
        let last_slash = name.rfind('/').map_or(0, |position| position + 1);
        let (repository, tag) = match name[last_slash..].rfind(':') {
            Some(position) => (
                &name[..last_slash + position],
                Some(&name[last_slash + position + 1..]),
            ),
            None => (name, None),
        };
        let mut components = repository.split('/');
        let first = components.next().unwrap_or_default();
        let has_domain = repository.contains('/')
            && (first.contains('.') || first.contains(':') || first == "localhost");
        let path_components: Vec<&str> = if has_domain {
            components.collect()
        } else {
            repository.split('/').collect()
        };
        if let Some(component) = path_components.iter().find(|c| !path_component(c)) {
            let message = if component.chars().any(|c| c.is_ascii_uppercase()) {
                format!(
                    "is not an image reference: `{text}` has upper-case letters in its repository"
                )
            } else {
                format!(
                    "is not an image reference: `{text}` has a bad repository name `{component}`"
                )
            };
            return Err(Problem::new(
                message,
                "repository names are lower-case letters, digits and `.`, `_`, `-` between them, e.g. `alpine:3`",
            ));
        }
        if let Some(tag) = tag {
            let valid = !tag.is_empty()
                && tag.len() <= 128
                && tag
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if !valid {
                return Err(Problem::new(
                    format!("is not an image reference: `{text}` has a bad tag `{tag}`"),
                    "a tag is letters, digits, `_`, `.` and `-`, e.g. `1.23-bookworm`",
                ));
            }
        }
        if let Some(digest) = digest {
            let valid = digest.split_once(':').is_some_and(|(algorithm, hex)| {
                !algorithm.is_empty()
                    && algorithm
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && hex.len() >= 32
                    && hex.chars().all(|c| c.is_ascii_hexdigit())
            });
            if !valid {
                return Err(Problem::new(
                    format!("is not an image reference: `{text}` has a bad digest"),
                    "write a digest as `@sha256:` and 64 hex digits",
                ));
            }
        }
        let qualified = match (has_domain, repository.contains('/')) {
            (true, _) => repository.to_string(),
            (false, true) => format!("docker.io/{repository}"),
            (false, false) => format!("docker.io/library/{repository}"),
        };
        let normalized = match (tag, digest) {
            (Some(tag), Some(digest)) => format!("{qualified}:{tag}@{digest}"),
            (Some(tag), None) => format!("{qualified}:{tag}"),
            (None, Some(digest)) => format!("{qualified}@{digest}"),
            (None, None) => format!("{qualified}:latest"),
        };
        Ok(Self {
            written: text.to_string(),
            normalized,
        })
    }

    /// The names a `--build-context NAME=…` may use for this image: as written, in full, and
    /// in full without `docker.io/library/` or `docker.io/`.
    pub fn context_names(&self) -> Vec<&str> {
        let short = self
            .normalized
            .strip_prefix("docker.io/library/")
            .or_else(|| self.normalized.strip_prefix("docker.io/"));
        let mut names = vec![self.written.as_str(), self.normalized.as_str()];
        names.extend(short);
        names
    }

    /// The normalised repository, without tag or digest (`docker.io/library/golang`,
    /// `gcr.io/distroless/static-debian12`).
    pub fn repository(&self) -> &str {
        let name = self
            .normalized
            .split_once('@')
            .map_or(self.normalized.as_str(), |(name, _)| name);
        // A `:` after the last `/` starts the tag; one before it belongs to a registry port.
        let last_slash = name.rfind('/').unwrap_or(0);
        match name[last_slash..].rfind(':') {
            Some(colon) => &name[..last_slash + colon],
            None => name,
        }
    }

    /// The normalised reference pinned to `digest` (`name:tag@sha256:…`), keeping a digest
    /// that was written; unchanged when `digest` is empty.
    pub fn pinned(&self, digest: &str) -> String {
        if digest.is_empty() || self.normalized.contains('@') {
            self.normalized.clone()
        } else {
            format!("{}@{digest}", self.normalized)
        }
    }
}

impl fmt::Display for ImageReference {
    /// As written.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.written)
    }
}

/// A repository path component: lower-case alphanumerics separated by `.`, `_`, `__` or `-`s
/// (distribution/reference `regexp.go`, `pathComponent`).
fn path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alphanumeric = |byte: &u8| byte.is_ascii_lowercase() || byte.is_ascii_digit();
    !bytes.is_empty()
        && bytes.first().is_some_and(alphanumeric)
        && bytes.last().is_some_and(alphanumeric)
        && bytes
            .iter()
            .all(|byte| alphanumeric(byte) || matches!(byte, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> Result<String, Problem> {
        ImageReference::parse(text).map(|reference| reference.normalized)
    }

    #[test]
    fn normalizes_docker_hub_names() {
        assert_eq!(
            normalized("golang:1.23").as_deref(),
            Ok("docker.io/library/golang:1.23")
        );
        assert_eq!(
            normalized("myorg/gostage").as_deref(),
            Ok("docker.io/myorg/gostage:latest")
        );
        assert_eq!(
            normalized("127.0.0.1:5000/a/b:t").as_deref(),
            Ok("127.0.0.1:5000/a/b:t")
        );
        assert_eq!(
            normalized("localhost/x").as_deref(),
            Ok("localhost/x:latest")
        );
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            normalized(&format!("gcr.io/distroless/static@{digest}")),
            Ok(format!("gcr.io/distroless/static@{digest}"))
        );
    }

    #[test]
    fn rejects_malformed_references() {
        for text in [
            "",
            "Alpine:3",
            "Golang:1",
            "golang: 1.23",
            "golang:",
            "golang:-x",
            "a//b",
            "golang@sha256:12",
            "-golang",
        ] {
            assert!(
                ImageReference::parse(text).is_err(),
                "{text:?} was accepted"
            );
        }
        let problem = ImageReference::parse("Alpine:3").expect_err("upper case");
        assert!(problem.message.contains("upper-case"), "{problem:?}");
    }

    #[test]
    fn repository_drops_tag_and_digest_but_keeps_a_registry_port() {
        let repository = |text: &str| {
            ImageReference::parse(text)
                .map(|reference| reference.repository().to_string())
                .unwrap_or_else(|problem| panic!("{problem}"))
        };
        assert_eq!(repository("golang:1.23"), "docker.io/library/golang");
        assert_eq!(
            repository("gcr.io/distroless/static-debian12:nonroot"),
            "gcr.io/distroless/static-debian12"
        );
        assert_eq!(repository("127.0.0.1:5000/a/b"), "127.0.0.1:5000/a/b");
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            repository(&format!("127.0.0.1:5000/a/b:t@{digest}")),
            "127.0.0.1:5000/a/b"
        );
    }

    #[test]
    fn pins_digest_once_and_names_contexts() {
        let reference = ImageReference::parse("golang:1.23").unwrap_or_else(|p| panic!("{p}"));
        assert_eq!(
            reference.pinned("sha256:1"),
            "docker.io/library/golang:1.23@sha256:1"
        );
        assert_eq!(reference.pinned(""), "docker.io/library/golang:1.23");
        assert_eq!(
            reference.context_names(),
            [
                "golang:1.23",
                "docker.io/library/golang:1.23",
                "golang:1.23"
            ]
        );
    }
}
