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
        "gostage sets CGO_ENABLED from `build.cgo` (0 by default, for static binaries)",
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

/// Environment variables gostage sets itself when `cgo` is on: the C compilers, which must
/// be the target platform's (a cross compiler for another architecture).
const RESERVED_WITH_CGO: [&str; 2] = ["CC", "CXX"];

/// Checks tags, environment names, `cgo` and `packages`. Absent `build:` gives the defaults.
pub(super) fn validate(build: Option<raw::Build>) -> Result<Build, Diagnostic> {
    let Some(build) = build else {
        return Ok(Build::default());
    };
    let section = FieldPath::root().key("build");
    let cgo = build.cgo.as_ref().is_some_and(|cgo| cgo.value);

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
        if cgo && RESERVED_WITH_CGO.contains(&name.value.as_str()) {
            return Err(Diagnostic::new(
                name.span,
                format!("`{path}` cannot be set with `build.cgo: true`: gostage sets it"),
            )
            .with_help(format!(
                "remove `{}`; gostage uses the builder's gcc for the build platform and \
                 Debian's cross compiler for another target architecture",
                name.value
            )));
        }
        env.insert(name.value, value.value);
    }

    let ldflags_path = section.key("ldflags");
    let mut ldflags = Vec::new();
    for (index, entry) in build.ldflags.unwrap_or_default().into_iter().enumerate() {
        let template = check(&entry, &ldflags_path.index(index), LdflagsTemplate::parse)?;
        ldflags.push(Located::new(template, entry.span));
    }

    let packages = packages(build.packages.unwrap_or_default(), &section.key("packages"))?;
    if let (Some(first), false) = (packages.first(), cgo) {
        return Err(
            Diagnostic::new(first.span, "`build.packages` needs `build.cgo: true`").with_help(
                "the packages are for cgo's C compiler (libraries and their headers): add \
             `cgo: true` under `build:`, or remove `packages`",
            ),
        );
    }

    Ok(Build {
        ldflags,
        tags,
        env,
        cgo,
        packages,
    })
}

/// Each of `build.packages` checked to be a Debian package name; a name written twice is an
/// error at its second place.
fn packages(
    written: Vec<Spanned<String>>,
    path: &FieldPath,
) -> Result<Vec<Located<String>>, Diagnostic> {
    let mut packages: Vec<Located<String>> = Vec::new();
    for (index, package) in written.into_iter().enumerate() {
        let item = path.index(index);
        check(&package, &item, values::debian_package)?;
        if let Some(earlier) = packages
            .iter()
            .position(|known| known.value == package.value)
        {
            return Err(Diagnostic::new(
                package.span,
                format!(
                    "`{item}` is `{}` again, like `{}`",
                    package.value,
                    path.index(earlier)
                ),
            )
            .with_help("list each package once"));
        }
        packages.push(package.located());
    }
    Ok(packages)
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
        assert!(build.packages.is_empty());
    }

    #[test]
    fn reads_cgo_and_packages_in_the_order_written() {
        let build = parse_ok(
            "version: 1\nbuild:\n  cgo: true\n  packages:\n    - libsqlite3-dev\n    - libgeos++-dev\n",
        )
        .build;
        assert!(build.cgo);
        let packages: Vec<(&str, u32, u32)> = build
            .packages
            .iter()
            .map(|package| {
                (
                    package.value.as_str(),
                    package.span.line,
                    package.span.column,
                )
            })
            .collect();
        assert_eq!(
            packages,
            [("libsqlite3-dev", 5, 7), ("libgeos++-dev", 6, 7)]
        );
        assert!(parse_ok("version: 1\nbuild:\n  cgo: true\n")
            .build
            .packages
            .is_empty());
    }

    #[test]
    fn packages_are_debian_names_each_once_and_need_cgo() {
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  packages: [libsqlite3-dev, gcc, libsqlite3-dev]\n",
            4,
            35,
            "`build.packages[2]` is `libsqlite3-dev` again, like `build.packages[0]`",
        );
        assert_eq!(help(&diagnostic), "list each package once");
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  packages:\n    - libsqlite3-dev=3.40.1-2\n",
            5,
            7,
            "`build.packages[0]` is not a Debian package name: `libsqlite3-dev=3.40.1-2`",
        );
        assert!(
            help(&diagnostic).contains("`libsqlite3-dev`"),
            "{diagnostic:?}"
        );
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  packages: [\"libsqlite3-dev; rm -rf /\"]\n",
            4,
            14,
            "`build.packages[0]` is not a Debian package name: `libsqlite3-dev; rm -rf /`",
        );
        assert_eq!(
            help(&diagnostic),
            "write the package name alone, `libsqlite3-dev`: a list item names one Debian \
             package, with nothing after it"
        );
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  packages: [libsqlite3-dev]\n  cgo: false\n",
            3,
            14,
            "`build.packages` needs `build.cgo: true`",
        );
        assert!(help(&diagnostic).contains("add `cgo: true`"));
    }

    #[test]
    fn with_cgo_the_c_compilers_are_gostages() {
        let diagnostic = assert_error(
            "version: 1\nbuild:\n  cgo: true\n  env:\n    CC: clang\n",
            5,
            5,
            "`build.env.CC` cannot be set with `build.cgo: true`: gostage sets it",
        );
        assert!(help(&diagnostic).contains("cross compiler"));
        let build = parse_ok("version: 1\nbuild:\n  env:\n    CC: clang\n").build;
        assert_eq!(build.env.get("CC").map(String::as_str), Some("clang"));
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
