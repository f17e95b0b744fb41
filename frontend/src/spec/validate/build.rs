//! `build:` → compiler settings.

use std::collections::BTreeMap;

use super::{check, values};
use crate::spec::model::Build;
use crate::spec::path::FieldPath;
use crate::spec::raw;
use crate::spec::spanned::Spanned;
use crate::vocabulary::Diagnostic;
use crate::vocabulary::{LdflagsTemplate, Located};

/// Environment variables gostage sets itself, with why.
const RESERVED: [(&str, &str); 3] = [
    (
        "CGO_ENABLED",
        "gostage sets CGO_ENABLED=0 to build static binaries (see `build.cgo`)",
    ),
    (
        "GOOS",
        "gostage sets GOOS from the target platform: use `platforms` or `--platform`",
    ),
    (
        "GOARCH",
        "gostage sets GOARCH from the target platform: use `platforms` or `--platform`",
    ),
];

/// Checks tags, environment names and `cgo`. Absent `build:` gives the defaults.
pub(super) fn validate(build: Option<raw::Build>) -> Result<Build, Diagnostic> {
    let Some(build) = build else {
        return Ok(Build::default());
    };
    let section = FieldPath::root().key("build");

    let tags_path = section.key("tags");
    let mut tags = Vec::new();
    for (index, tag) in build.tags.unwrap_or_default().into_iter().enumerate() {
        check(&tag, &tags_path.index(index), values::build_tag)?;
        tags.push(tag.value);
    }

    let env_path = section.key("env");
    let mut env = BTreeMap::new();
    for (name, value) in build.env.unwrap_or_default().entries {
        let path = env_path.key(name.value.clone());
        check(&name, &path, values::environment_name)?;
        if let Some((_, why)) = RESERVED
            .iter()
            .find(|(reserved, _)| *reserved == name.value)
        {
            return Err(Diagnostic::new(
                name.span,
                format!("`{path}` cannot be set: gostage sets it"),
            )
            .with_help(format!("remove `{}`; {why}", name.value)));
        }
        env.insert(name.value, value.value);
    }

    let ldflags_path = section.key("ldflags");
    let mut ldflags = Vec::new();
    for (index, entry) in build.ldflags.unwrap_or_default().into_iter().enumerate() {
        let template = check(&entry, &ldflags_path.index(index), LdflagsTemplate::parse)?;
        ldflags.push(Located::new(template, entry.span));
    }

    if let Some(Spanned { value: true, span }) = build.cgo {
        return Err(
            Diagnostic::new(span, "`build.cgo: true` is not supported").with_help(
                "cgo is not supported yet: gostage builds static binaries; remove `cgo: true`",
            ),
        );
    }

    Ok(Build {
        ldflags,
        tags,
        env,
        cgo: false,
    })
}

#[cfg(test)]
mod tests {
    use crate::spec::testing::{assert_error, help, parse_ok};

    #[test]
    fn keeps_flags_tags_and_environment() {
        let build = parse_ok(
            "version: 1\nbuild:\n  ldflags:\n    - -X main.commit={{ .Commit }}\n  tags: [netgo]\n  env:\n    GOEXPERIMENT: rangefunc\n  cgo: false\n",
        )
        .build;
        assert_eq!(build.ldflags.len(), 1);
        assert_eq!(
            build.ldflags[0].value.written,
            "-X main.commit={{ .Commit }}"
        );
        assert_eq!(build.ldflags[0].span.line, 4);
        assert_eq!(build.tags, vec!["netgo".to_string()]);
        assert_eq!(
            build.env.get("GOEXPERIMENT").map(String::as_str),
            Some("rangefunc")
        );
        assert!(!build.cgo);
    }

    #[test]
    fn rejects_cgo() {
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n",
            3,
            8,
            "`build.cgo: true` is not supported",
        );
        assert!(help(&diagnostic)
            .starts_with("cgo is not supported yet: gostage builds static binaries"));
    }

    #[test]
    fn rejects_environment_gostage_sets() {
        for name in ["CGO_ENABLED", "GOOS", "GOARCH"] {
            let diagnostic = assert_error(
                &format!("version: 1\nbuild:\n  env:\n    GOFLAGS: -v\n    {name}: x\n"),
                5,
                5,
                &format!("`build.env.{name}` cannot be set: gostage sets it"),
            );
            assert!(help(&diagnostic).contains("gostage sets"));
        }
        assert_error(
            "version: 1\nbuild:\n  env: {\"MY-VAR\": x}\n",
            3,
            9,
            "`build.env.MY-VAR` is not an environment variable name",
        );
    }

    #[test]
    fn rejects_invalid_tags() {
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  tags: [netgo, \"osusergo,timetzdata\"]\n",
            3,
            17,
            "`build.tags[1]` is not a Go build tag",
        );
        assert_eq!(
            help(&diagnostic),
            "write one tag per list item: `[osusergo, timetzdata]`"
        );
    }
}
