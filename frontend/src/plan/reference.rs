//! Image references: normalisation as Docker's `reference.ParseNormalizedNamed` +
//! `TagNameOnly` do (github.com/distribution/reference, `normalize.go`).

/// `golang:1.23` → `docker.io/library/golang:1.23`; adds `:latest` when there is neither a
/// tag nor a digest.
///
/// Errors: an empty reference or one with upper-case repository letters or spaces.
pub fn normalize(reference: &str) -> Result<String, String> {
    let reference = reference.trim();
    if reference.is_empty() || reference.contains(char::is_whitespace) {
        return Err(format!("`{reference}` is not an image reference"));
    }
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let last_slash = name.rfind('/').map_or(0, |position| position + 1);
    let (repository, tag) = match name[last_slash..].rfind(':') {
        Some(position) => (
            &name[..last_slash + position],
            Some(&name[last_slash + position + 1..]),
        ),
        None => (name, None),
    };
    if repository.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "`{reference}` is not an image reference: repository names are lower case"
        ));
    }
    let first = repository.split('/').next().unwrap_or_default();
    let has_domain = repository.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    let qualified = match (has_domain, repository.contains('/')) {
        (true, _) => repository.to_string(),
        (false, true) => format!("docker.io/{repository}"),
        (false, false) => format!("docker.io/library/{repository}"),
    };
    Ok(match (tag, digest) {
        (Some(tag), Some(digest)) => format!("{qualified}:{tag}@{digest}"),
        (Some(tag), None) => format!("{qualified}:{tag}"),
        (None, Some(digest)) => format!("{qualified}@{digest}"),
        (None, None) => format!("{qualified}:latest"),
    })
}

/// `reference` pinned to `digest` (`name:tag@sha256:…`), keeping an existing digest.
pub fn pinned(normalized: &str, digest: &str) -> String {
    if digest.is_empty() || normalized.contains('@') {
        normalized.to_string()
    } else {
        format!("{normalized}@{digest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_docker_hub_names() {
        assert_eq!(
            normalize("golang:1.23").as_deref(),
            Ok("docker.io/library/golang:1.23")
        );
        assert_eq!(
            normalize("myorg/gostage").as_deref(),
            Ok("docker.io/myorg/gostage:latest")
        );
        assert_eq!(
            normalize("127.0.0.1:5000/a/b:t").as_deref(),
            Ok("127.0.0.1:5000/a/b:t")
        );
        assert_eq!(
            normalize("localhost/x").as_deref(),
            Ok("localhost/x:latest")
        );
        assert_eq!(
            normalize("gcr.io/distroless/static@sha256:abc").as_deref(),
            Ok("gcr.io/distroless/static@sha256:abc")
        );
        assert!(normalize("Golang:1").is_err());
        assert!(normalize("").is_err());
    }

    #[test]
    fn pins_digest_once() {
        assert_eq!(
            pinned("docker.io/library/golang:1.23", "sha256:1"),
            "docker.io/library/golang:1.23@sha256:1"
        );
        assert_eq!(
            pinned("docker.io/library/golang:1.23", ""),
            "docker.io/library/golang:1.23"
        );
    }
}
